#pragma once

// The schema as numbered migrations; private to confab_store.

#include "confab/expected.h"

#include <QList>
#include <QSqlDatabase>

namespace confab::store {

struct Migration
{
    int version;
    const char *name;
    const char *sql; // may hold several statements
};

// In version order, 1..N without gaps.
[[nodiscard]] const QList<Migration> &migrations();

// Applies every migration newer than the recorded version, each in its own transaction that
// first takes a transaction-level advisory lock, so nodes migrating together serialise and the
// later ones find the work done.
[[nodiscard]] Status applyMigrations(QSqlDatabase &db);

} // namespace confab::store
