#pragma once

// Helpers shared by the repositories; private to confab_store.

#include "confab/expected.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <initializer_list>
#include <utility>

namespace confab::store::sql {

// Connection failures (SQLSTATE class 08, server shutdown, or a connection libpq reports as
// bad) -> Unavailable; unique violations -> Conflict; anything else -> Internal. `what` says
// what was being done; SQL text and bound values are never included.
[[nodiscard]] Error toError(const QSqlError &e, const QString &what, const QSqlDatabase &db);
// True when libpq says the connection is gone (it is then closed and reopened on next use).
[[nodiscard]] bool connectionBroken(const QSqlDatabase &db);
// True once after toError() met a server that refuses writes (SQLSTATE 25006, a standby or a
// demoted primary): the calling worker reopens its connection, and libpq's
// target_session_attrs=read-write then picks the host that is primary now.
[[nodiscard]] bool takeReopenRequest();
[[nodiscard]] bool isUniqueViolation(const QSqlError &e);
[[nodiscard]] bool isForeignKeyViolation(const QSqlError &e);

using Binding = std::pair<const char *, QVariant>;

// Binds :name. Strings are never bound as NULL, even when null; see nullIfEmpty().
void bind(QSqlQuery &q, const char *name, const QVariant &value);

// Prepares sql (named placeholders), binds and executes it. On failure the Error says what
// was being done and the caller's QSqlError is available through lastError if it wants to
// handle a specific SQLSTATE.
[[nodiscard]] Expected<QSqlQuery> exec(QSqlDatabase &db, const QString &sql,
                                       std::initializer_list<Binding> bindings, const QString &what,
                                       QSqlError *lastError = nullptr);

// Runs sql as is, unprepared: for statements PostgreSQL cannot PREPARE (DDL, SET, DO).
[[nodiscard]] Status execDirect(QSqlDatabase &db, const QString &sql, const QString &what);

// NULL for an empty string, for optional columns; other bound strings are never NULL.
[[nodiscard]] QVariant nullIfEmpty(const QString &s);

// A JSON array of strings, bound as one parameter and expanded in SQL with
// json_array_elements_text(CAST(:p AS json)): a list of any length in one prepared statement.
[[nodiscard]] QString jsonList(const QStringList &items);

// Milliseconds since the epoch of a timestamptz expression, as a select-list SQL fragment,
// and the opposite for a bound bigint parameter.
[[nodiscard]] QString msOf(const char *column);
[[nodiscard]] QString tsOf(const char *placeholder);

// BEGIN on construction; ROLLBACK on destruction unless commit() succeeded.
class Transaction
{
public:
    explicit Transaction(QSqlDatabase &db);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    [[nodiscard]] Status begin(const QString &what);
    [[nodiscard]] Status commit(const QString &what);

private:
    QSqlDatabase &m_db;
    bool m_open = false;
};

} // namespace confab::store::sql
