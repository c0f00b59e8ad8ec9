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
// A database whose schema is newer than the newest migration here is refused (Conflict)
// before anything is applied.
[[nodiscard]] Status applyMigrations(QSqlDatabase &db);

// Conflict when the recorded schema version is newer than this binary's migrations.
[[nodiscard]] Status refuseNewerSchema(QSqlDatabase &db);

} // namespace confab::store
