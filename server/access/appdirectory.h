#pragma once

#include "confab/config.h"
#include "confab/expected.h"
#include "store/apps.h"

#include <QCoro/QCoroTask>
#include <QFuture>
#include <QHash>
#include <QObject>

namespace confab::access {

// Apps by id, cached for a few seconds so a send or an authentication does not cost a
// PostgreSQL round trip; PATCH /admin/apps on any node is seen by all within the TTL. Callers
// that find the entry stale while it is being fetched wait for that fetch instead of starting
// their own (one query per app per refresh, however many sends arrive meanwhile).
class AppDirectory : public QObject
{
    Q_OBJECT
public:
    AppDirectory(store::AppRepository *repo, Limits defaults, QObject *parent = nullptr);

    QCoro::Task<Expected<store::App>> app(QString appId);
    // The app if the cache holds it fresh (app() would answer it without a query), else
    // nullptr; no allocation. Good until control returns to the event loop.
    [[nodiscard]] const store::App *cached(const QString &appId) const;
    // The config's [limits] with the app's own overrides applied.
    [[nodiscard]] Limits limitsFor(const store::App &app) const;
    [[nodiscard]] const Limits &defaults() const { return m_defaults; }
    void invalidate(const QString &appId);

    static constexpr qint64 kTtlMs = 5000;

private:
    struct Entry {
        store::App app;
        qint64 fetchedMs = 0;
    };
    struct Fetch {
        QFuture<Expected<store::App>> future;
        quint64 serial = 0;
    };
    store::AppRepository *m_repo;
    Limits m_defaults;
    QHash<QString, Entry> m_cache;
    QHash<QString, Fetch> m_fetching; // fetches in flight; invalidate() forgets them
    quint64 m_fetchSerial = 0;
};

} // namespace confab::access
