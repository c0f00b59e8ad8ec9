#pragma once

// Internal to confab_redis: Client's Redis Cluster mode. One pipelined Connection per master,
// each command sent to the master that owns its key's slot, MOVED/ASK/TRYAGAIN handled here.

#include "redis/connection_p.h"
#include "redis/slotmap.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <memory>

namespace confab::redis::detail
{

class ClusterRouter : public QObject
{
    Q_OBJECT
public:
    ClusterRouter(Options options, QString role, QObject *parent = nullptr);
    ~ClusterRouter() override;

    void start();
    void close(const QString &reason);
    // The slot map is loaded and every master's connection is ready.
    [[nodiscard]] bool isReady() const { return m_ready; }
    [[nodiscard]] quint64 commandsSent() const;
    [[nodiscard]] quint64 writesHeld() const;
    [[nodiscard]] quint64 reconnects() const;
    // The masters of the current map (empty until it is loaded), for the Subscriber and tests.
    [[nodiscard]] const cluster::SlotMap &slotMap() const { return m_map; }

    void send(const QList<QByteArray> &args, ReplyFn fn);
    // Loads the slot map again soon (coalesced).
    void scheduleRefresh();

Q_SIGNALS:
    void ready();
    void lost();
    void mapChanged(); // a new map was loaded (CLUSTER SLOTS)

private:
    struct Op;
    using OpPtr = std::shared_ptr<Op>;

    Connection *nodeFor(const HostPort &address); // created and started when new
    // A running total: ofGone plus count() of every connection in m_nodes.
    [[nodiscard]] quint64 total(quint64 (Connection::*count)() const, quint64 ofGone) const;
    void dispatch(const OpPtr &op);
    void sendTo(Connection *conn, const OpPtr &op, int countedSlot);
    void onReply(const OpPtr &op, int countedSlot, Reply reply);
    void sendToAll(const QList<QByteArray> &args, ReplyFn fn);
    void retryLater(const OpPtr &op, const Error &why);
    void refresh();
    void onSlots(const QString &seedHost, Reply reply);
    void updateReady();
    void failLater(ReplyFn fn, Error error);
    void drainFailures();
    void failRetrying(const QString &why);
    void dropNodesNotIn(const cluster::SlotMap &map);

    Options m_options;
    QString m_role;
    bool m_closed = false;
    bool m_ready = false;
    bool m_refreshing = false;
    bool m_refreshAgain = false; // asked for while one was in flight: its answer may be stale
    cluster::SlotMap m_map;
    bool m_mapLoaded = false;
    QHash<QString, Connection *>
        m_nodes; // by "host:port": the masters, and the seeds until the map
    // Commands in flight per slot to the slot's owner in m_map; a MOVED slot changes owner in
    // m_map only once its last one is answered, so commands of one slot stay in order.
    std::array<quint32, kSlotCount> m_inFlight {};
    QHash<int, HostPort> m_movedTo;
    QTimer m_refreshTimer; // periodic, and coalescing scheduleRefresh()
    quint64 m_sentByGone
        = 0; // commandsSent()/reconnects()/writesHeld() of connections already removed
    quint64 m_heldByGone = 0;
    quint64 m_reconnectsOfGone = 0;
    QList<std::pair<ReplyFn, Error>> m_failures;
    QList<OpPtr> m_retrying; // waiting for retryLater()'s timer; answered if we close first
    bool m_drainScheduled = false;
    bool m_refreshScheduled = false;
};

} // namespace confab::redis::detail
