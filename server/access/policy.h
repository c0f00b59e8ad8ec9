#pragma once

#include "confab/expected.h"

#include <QJsonObject>

namespace confab::access {

// What an app lets its users (user-token callers) do to conversations (docs/security.md). API-
// key callers are the app's own back end: trusted, never restricted by it. Stored with the app
// as a JSON object of overrides; the defaults are what every app could do before policies.
struct Policy {
    bool usersCreateGroups = true;   // users_create_groups: a user may create a group
    bool usersAddMembers = true;     // users_add_members: a group's owner may add members
    qint64 maxUserGroupMembers = 1000; // max_user_group_members: largest group a user creates or grows

    static constexpr qint64 kMaxGroupMembers = 1000; // the ceiling for every conversation

    // The defaults with an app's stored overrides applied (unknown keys are ignored).
    [[nodiscard]] static Policy fromJson(const QJsonObject &stored);
    // Every field, as the admin API shows it.
    [[nodiscard]] QJsonObject toJson() const;
    // Checks an admin API `policy` object: known keys, right types; BadRequest otherwise.
    [[nodiscard]] static Status validate(const QJsonObject &o);
};

} // namespace confab::access
