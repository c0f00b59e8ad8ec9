#include "store/sql.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDriver>

#include <libpq-fe.h>

#include <utility>

namespace confab::store::sql {

namespace {

QString sqlState(const QSqlError &e)
{
    return e.nativeErrorCode();
}

thread_local bool t_reopenRequested = false;

} // namespace

bool connectionBroken(const QSqlDatabase &db)
{
    if (!db.isOpen())
        return true;
    const QVariant handle = db.driver()->handle();
    if (qstrcmp(handle.typeName(), "PGconn*") != 0)
        return false;
    auto *conn = *static_cast<PGconn *const *>(handle.constData());
    return !conn || PQstatus(conn) == CONNECTION_BAD;
}

bool takeReopenRequest()
{
    return std::exchange(t_reopenRequested, false);
}

bool isUniqueViolation(const QSqlError &e)
{
    return sqlState(e) == QLatin1String("23505");
}

bool isForeignKeyViolation(const QSqlError &e)
{
    return sqlState(e) == QLatin1String("23503");
}

Error toError(const QSqlError &e, const QString &what, const QSqlDatabase &db)
{
    const QString state = sqlState(e);
    // Only the first line: libpq appends the statement (LINE 1: EXECUTE .. with the bound
    // values) and DETAIL lines that may quote them.
    const QString detail = e.databaseText().isEmpty() ? e.driverText() : e.databaseText();
    const QString message = QStringLiteral("%1: %2").arg(what, detail.trimmed().section(QLatin1Char('\n'), 0, 0));
    // 08: connection exception; 57P01..57P03: admin/crash shutdown, cannot connect now;
    // 53300: too many connections. A lost socket leaves no SQLSTATE at all, hence the check.
    // 25006: read_only_sql_transaction, what a primary demoted under an open connection says.
    const bool readOnly = state == QLatin1String("25006");
    if (readOnly)
        t_reopenRequested = true;
    const bool unavailable = readOnly || e.type() == QSqlError::ConnectionError
        || state.startsWith(QLatin1String("08")) || state.startsWith(QLatin1String("57P"))
        || state == QLatin1String("53300") || connectionBroken(db);
    if (unavailable)
        return Error::unavailable(message);
    if (isUniqueViolation(e))
        return Error::conflict(message);
    return Error::internal(message);
}

void bind(QSqlQuery &q, const char *name, const QVariant &value)
{
    // A default-constructed QString is null and would bind as SQL NULL; only nullIfEmpty()
    // (an invalid QVariant) means NULL.
    const bool nullString = value.metaType() == QMetaType::fromType<QString>() && value.toString().isNull();
    q.bindValue(QLatin1Char(':') + QLatin1String(name), nullString ? QVariant(QLatin1String("")) : value);
}

Expected<QSqlQuery> exec(QSqlDatabase &db, const QString &sql,
                         std::initializer_list<Binding> bindings, const QString &what,
                         QSqlError *lastError)
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    const bool ok = q.prepare(sql) && [&] {
        for (const Binding &b : bindings)
            bind(q, b.first, b.second);
        return q.exec();
    }();
    if (!ok) {
        if (lastError)
            *lastError = q.lastError();
        return toError(q.lastError(), what, db);
    }
    return q;
}

Status execDirect(QSqlDatabase &db, const QString &sql, const QString &what)
{
    QSqlQuery q(db);
    if (!q.exec(sql))
        return toError(q.lastError(), what, db);
    return Ok{};
}

QVariant nullIfEmpty(const QString &s)
{
    return s.isEmpty() ? QVariant() : QVariant(s);
}

QString msOf(const char *column)
{
    return QStringLiteral("floor(extract(epoch FROM %1) * 1000)::bigint").arg(QLatin1String(column));
}

QString tsOf(const char *placeholder)
{
    return QStringLiteral("to_timestamp(CAST(:%1 AS bigint) / 1000.0)").arg(QLatin1String(placeholder));
}

Transaction::Transaction(QSqlDatabase &db) : m_db(db) { }

Transaction::~Transaction()
{
    if (m_open)
        m_db.rollback();
}

Status Transaction::begin(const QString &what)
{
    if (!m_db.transaction())
        return toError(m_db.lastError(), what, m_db);
    m_open = true;
    return Ok{};
}

Status Transaction::commit(const QString &what)
{
    if (!m_db.commit())
        return toError(m_db.lastError(), what, m_db);
    m_open = false;
    return Ok{};
}

QString jsonList(const QStringList &items)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(items)).toJson(QJsonDocument::Compact));
}

} // namespace confab::store::sql
