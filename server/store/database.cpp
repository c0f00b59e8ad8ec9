#include "store/database.h"

#include "store/logging.h"
#include "store/migrations.h"
#include "store/sql.h"

#include <QDateTime>
#include <QSqlError>
#include <QThread>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

namespace confab::store {

namespace {

// Bounds how long a worker can be stuck on an unreachable host or a runaway statement, so a
// dead server turns into Unavailable answers instead of a pool that never drains.
constexpr int kConnectTimeoutS = 5;
// While PostgreSQL is down, jobs fail at once; one job this often goes through to probe it.
constexpr qint64 kProbeIntervalMs = 1000;
constexpr int kStatementTimeoutMs = 30000;

struct ConnectionParams
{
    QString host;
    int port = 5432;
    QString user;
    QString password;
    QString database;
    QString options;
    QString invalid; // why the URL cannot be used; empty when it can
    QString where;   // host:port/db, for messages (never the credentials)
};

// libpq accepts several hosts, postgresql://u:p@h1:5432,h2:5433/db?target_session_attrs=read-write,
// and tries them in order (how a Patroni-style failover is followed). QUrl takes one host, so
// the host list is cut out of the authority and the rest parsed with the first host in it.
struct HostList
{
    QStringList hosts;
    QStringList ports;
    QString singleHostUrl; // text with the whole list replaced by its first entry
    bool valid = true;
};

HostList splitHosts(const QString &text)
{
    HostList out;
    out.singleHostUrl = text;
    const qsizetype schemeEnd = text.indexOf(QLatin1String("://"));
    if (schemeEnd < 0)
        return out;
    const qsizetype authorityStart = schemeEnd + 3;
    qsizetype authorityEnd = text.size();
    for (const QChar c : {QLatin1Char('/'), QLatin1Char('?'), QLatin1Char('#')}) {
        const qsizetype at = text.indexOf(c, authorityStart);
        if (at >= 0)
            authorityEnd = std::min(authorityEnd, at);
    }
    const QString authority = text.mid(authorityStart, authorityEnd - authorityStart);
    const qsizetype userEnd = authority.lastIndexOf(QLatin1Char('@'));
    const QString hostPart = authority.mid(userEnd + 1);
    if (!hostPart.contains(QLatin1Char(',')))
        return out;
    for (const QString &entry : hostPart.split(QLatin1Char(','))) {
        // host[:port]; IPv6 literals in brackets keep their colons.
        const qsizetype bracket = entry.lastIndexOf(QLatin1Char(']'));
        const qsizetype colon = entry.lastIndexOf(QLatin1Char(':'));
        const bool hasPort = colon > bracket;
        QString host = hasPort ? entry.left(colon) : entry;
        const QString port = hasPort ? entry.mid(colon + 1) : QStringLiteral("5432");
        bool portOk = false;
        const int portNumber = port.toInt(&portOk);
        if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
            host = host.mid(1, host.size() - 2);
        if (host.isEmpty() || !portOk || portNumber <= 0 || portNumber > 65535) {
            out.valid = false;
            return out;
        }
        out.hosts.append(host);
        out.ports.append(QString::number(portNumber));
    }
    const QString first = hostPart.section(QLatin1Char(','), 0, 0);
    out.singleHostUrl = text.left(authorityStart) + authority.left(userEnd + 1) + first + text.mid(authorityEnd);
    return out;
}

ConnectionParams parseUrl(const QString &text)
{
    ConnectionParams p;
    const HostList list = splitHosts(text);
    const QUrl url(list.singleHostUrl, QUrl::StrictMode);
    const QString scheme = url.scheme();
    if (!list.valid || !url.isValid()
        || (scheme != QLatin1String("postgresql") && scheme != QLatin1String("postgres"))) {
        p.invalid = QStringLiteral("the PostgreSQL URL is not of the form postgresql://user:pass@host:port[,host:port...]/db");
        return p;
    }
    p.host = url.host(QUrl::FullyDecoded);
    p.port = url.port(5432);
    p.user = url.userName(QUrl::FullyDecoded);
    p.password = url.password(QUrl::FullyDecoded);
    p.database = url.path(QUrl::FullyDecoded).mid(1);
    if (p.host.isEmpty())
        p.host = QStringLiteral("localhost");
    p.where = QStringLiteral("%1:%2/%3").arg(p.host).arg(p.port).arg(p.database);
    if (list.hosts.size() > 1) {
        // QPSQL quotes the host value, and libpq reads a comma list in it; the matching port
        // list goes with the options (QPSQL's port is a single number).
        p.host = list.hosts.join(QLatin1Char(','));
        p.port = -1;
        QStringList where;
        for (qsizetype i = 0; i < list.hosts.size(); ++i)
            where.append(list.hosts[i] + QLatin1Char(':') + list.ports[i]);
        p.where = QStringLiteral("%1/%2").arg(where.join(QLatin1Char(',')), p.database);
    }

    QStringList options{QStringLiteral("connect_timeout=%1").arg(kConnectTimeoutS),
                        QStringLiteral("application_name=confabd"),
                        QStringLiteral("options='-c statement_timeout=%1'").arg(kStatementTimeoutMs)};
    // libpq parameters such as sslmode may ride along as query items; QPSQL separates
    // options with ';' and quotes nothing, so values that could break out are refused.
    const auto items = QUrlQuery(url).queryItems(QUrl::FullyDecoded);
    for (const auto &[key, value] : items) {
        const auto unsafe = [](const QString &s) {
            return s.isEmpty() || s.contains(QLatin1Char(';')) || s.contains(QLatin1Char(' '))
                || s.contains(QLatin1Char('\'')) || s.contains(QLatin1Char('\\'))
                || s.contains(QLatin1Char('='));
        };
        if (unsafe(key) || unsafe(value)) {
            p.invalid = QStringLiteral("the PostgreSQL URL has an unusable parameter '%1'").arg(key);
            return p;
        }
        options.append(key + QLatin1Char('=') + value);
    }
    if (list.hosts.size() > 1)
        options.append(QStringLiteral("port=") + list.ports.join(QLatin1Char(',')));
    p.options = options.join(QLatin1Char(';'));
    return p;
}

std::atomic<int> s_serial{0};

} // namespace

class Database::Private
{
public:
    explicit Private(Options o) : options(std::move(o)), params(parseUrl(options.url)) { }

    void work(int index);
    bool open(QSqlDatabase &db, Error *error, bool *reportedDown) const;

    const Options options;
    const ConnectionParams params;
    const int serial = s_serial++;

    std::mutex mutex;
    std::condition_variable wake;
    std::deque<Job> queue;
    bool stopping = false;
    bool down = false;       // the last connection attempt failed
    Error downError;         // and why
    qint64 nextProbeMs = 0;  // when the next job may go through to try again
    std::vector<std::unique_ptr<QThread>> threads;
};

bool Database::Private::open(QSqlDatabase &db, Error *error, bool *reportedDown) const
{
    if (!params.invalid.isEmpty()) {
        *error = Error::unavailable(params.invalid);
        return false;
    }
    db.setHostName(params.host);
    db.setPort(params.port);
    db.setUserName(params.user);
    db.setPassword(params.password);
    db.setDatabaseName(params.database);
    db.setConnectOptions(params.options);
    if (!db.open()) {
        const QString detail = db.lastError().databaseText().isEmpty() ? db.lastError().driverText()
                                                                       : db.lastError().databaseText();
        *error = Error::unavailable(
            QStringLiteral("connecting to PostgreSQL at %1: %2").arg(params.where, detail.simplified()));
        if (!*reportedDown)
            qCWarning(lcStore).noquote() << error->message;
        *reportedDown = true;
        return false;
    }
    if (*reportedDown)
        qCInfo(lcStore).noquote() << "connected to PostgreSQL at" << params.where;
    *reportedDown = false;
    return true;
}

void Database::Private::work(int index)
{
    const QString name = QStringLiteral("confab.store.%1.%2").arg(serial).arg(index);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        bool reportedDown = false;
        for (;;) {
            Job job;
            {
                std::unique_lock lock(mutex);
                wake.wait(lock, [this] { return stopping || !queue.empty(); });
                if (queue.empty())
                    break;
                job = std::move(queue.front());
                queue.pop_front();
            }
            Error openError;
            if (!db.isOpen() && !open(db, &openError, &reportedDown)) {
                // Everything waiting would wait a connect timeout each: fail it all now.
                std::deque<Job> waiting;
                {
                    std::lock_guard lock(mutex);
                    down = true;
                    downError = openError;
                    nextProbeMs = QDateTime::currentMSecsSinceEpoch() + kProbeIntervalMs;
                    waiting.swap(queue);
                }
                job(nullptr, openError);
                for (Job &w : waiting)
                    w(nullptr, openError);
                continue;
            }
            if (db.isOpen()) {
                std::lock_guard lock(mutex);
                down = false;
            }
            job(&db, openError);
            if (const bool readOnly = sql::takeReopenRequest(); readOnly || sql::connectionBroken(db)) {
                qCWarning(lcStore).noquote()
                    << (readOnly ? "PostgreSQL refused a write (not the primary) at"
                                 : "lost the PostgreSQL connection to")
                    << params.where << "; reopening it on next use";
                db.close();
                reportedDown = true;
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

Database::Database(Options options, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>(std::move(options)))
{
    const int n = std::max(1, d->options.threads);
    for (int i = 0; i < n; ++i) {
        std::unique_ptr<QThread> t(QThread::create([this, i] { d->work(i); }));
        t->setObjectName(QStringLiteral("confab-db-%1").arg(i));
        t->start();
        d->threads.push_back(std::move(t));
    }
}

Database::~Database()
{
    {
        std::lock_guard lock(d->mutex);
        d->stopping = true;
    }
    d->wake.notify_all();
    for (const auto &t : d->threads)
        t->wait();
}

void Database::enqueue(Job job)
{
    std::optional<Error> refused;
    {
        std::lock_guard lock(d->mutex);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (d->down && now < d->nextProbeMs) {
            refused = d->downError;
        } else if (qsizetype(d->queue.size()) >= d->options.maxQueue) {
            refused = Error::unavailable(
                QStringLiteral("PostgreSQL is behind: %1 queries are waiting").arg(d->queue.size()));
        } else {
            if (d->down)
                d->nextProbeMs = now + kProbeIntervalMs; // this job is the probe
            d->queue.push_back(std::move(job));
        }
    }
    if (refused) {
        // The caller sees a future like any other: fulfilled now instead of by a thread.
        job(nullptr, *refused);
        return;
    }
    d->wake.notify_one();
}

QFuture<Status> Database::migrate()
{
    return run<Ok>([](QSqlDatabase &db) { return applyMigrations(db); });
}

QFuture<Status> Database::ping()
{
    return run<Ok>([](QSqlDatabase &db) -> Status {
        auto q = sql::exec(db, QStringLiteral("SELECT 1"), {}, QStringLiteral("pinging PostgreSQL"));
        if (!q)
            return q.error();
        return Ok{};
    });
}

int Database::latestSchemaVersion()
{
    return migrations().last().version;
}

} // namespace confab::store
