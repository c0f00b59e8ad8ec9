#pragma once

#include "support/rediscluster.h"
#include "support/redissentinel.h"
#include "support/testenv.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QWebSocket>

#include <functional>
#include <memory>

namespace confab::test {

struct HttpResult {
    int status = 0;
    QJsonObject json;
    QByteArray body;
};

// A message.send frame (PROTOCOL.md section 5), without req: WsClient::request adds one.
[[nodiscard]] QJsonObject sendFrame(const QString &convo, const QString &clientMsgId,
                                    const QJsonValue &content = QStringLiteral("x"));

// Blocking REST calls for tests (they spin the event loop while waiting).
class Rest
{
public:
    HttpResult call(const QByteArray &verb, const QString &url, const QByteArray &token,
                    const QByteArray &body = {});
    HttpResult call(const QByteArray &verb, const QString &url, const QByteArray &token,
                    const QJsonObject &body);

private:
    QNetworkAccessManager m_nam;
};

// A WebSocket client that records every frame it receives.
class WsClient : public QObject
{
    Q_OBJECT
public:
    WsClient();
    // Opens url with an optional bearer header; returns once connected (or failed).
    bool open(const QString &url, const QByteArray &bearer = {});
    // Opens and waits for connection.ack.
    bool connectAndAuth(const QString &url, const QByteArray &token);
    void send(const QJsonObject &frame);
    void sendRaw(const QString &text);
    // Waits until a frame of `type` matching pred arrives (searched from the start of what was
    // received and not yet taken), removes it from the list and returns it.
    QJsonObject waitFor(const QString &type, std::function<bool(const QJsonObject &)> pred = {},
                        int timeoutMs = 5000);
    // Sends a request with a fresh req id and waits for the answer (any frame carrying it).
    QJsonObject request(QJsonObject frame, int timeoutMs = 5000);
    // Frames of `type` received so far (not removed).
    [[nodiscard]] QList<QJsonObject> frames(const QString &type) const;
    void clear() { m_frames.clear(); }
    bool waitClosed(int timeoutMs = 5000);
    [[nodiscard]] int closeCode() const { return m_closeCode; }
    [[nodiscard]] bool isOpen() const;
    [[nodiscard]] QWebSocket &socket() { return *m_socket; }

private:
    std::unique_ptr<QWebSocket> m_socket;
    QList<QJsonObject> m_frames;
    int m_closeCode = -1;
    int m_nextReq = 0;
};

// Overrides for a cluster on a test's own S3 server that is meant to fail: flushes every
// flushEvery, a failed flush becomes a dead letter after retryWindow of retries, and dead
// letters are not retried by themselves (the test retries them).
[[nodiscard]] QHash<QString, QString> outageSettings(const S3Server &s3, const QString &flushEvery,
                                                     const QString &retryWindow);

// Overrides for a cluster whose nodes find Redis through the Sentinels of `sentinel` (and wait
// for one replica before acknowledging a send) instead of the cluster's own redis-server.
[[nodiscard]] QHash<QString, QString> sentinelSettings(const RedisSentinel &sentinel);

// One running confabd (or several) on the fixture's PostgreSQL and Redis, with a fresh database.
class Cluster
{
public:
    static constexpr const char *kAdminToken = "test-admin-token";

    explicit Cluster(QHash<QString, QString> overrides = {});
    // Starts one more node; returns its index.
    int startNode(QHash<QString, QString> extra = {});
    [[nodiscard]] ConfabProcess &node(int i = 0) { return *m_nodes[i]; }
    [[nodiscard]] QString api(int i = 0) const { return m_nodes[i]->publicUrl(); }
    [[nodiscard]] QString admin(int i = 0) const { return m_nodes[i]->internalUrl(); }
    [[nodiscard]] QString ws(int i = 0) const { return m_nodes[i]->wsUrl(); }
    [[nodiscard]] const QString &dbUrl() const { return m_db; }
    // The cluster's own redis-server (unless CONFAB_REDIS_URL was overridden): the flush
    // worker's keys are deployment-wide, so two clusters never share a Redis.
    [[nodiscard]] RedisServer *redis() const { return m_redis.get(); }
    // With CONFAB_TEST_REDIS_TOPOLOGY=cluster: a 3-master Redis Cluster of its own instead,
    // given to every node as [redis] cluster_nodes (redis() is then null).
    [[nodiscard]] RedisCluster *redisCluster() const { return m_redisCluster.get(); }
    // redis-cli against this cluster's Redis, whichever the topology (blocking; tests only):
    // on a Redis Cluster it follows redirects, and FLUSHALL/FLUSHDB go to every master.
    [[nodiscard]] QByteArray redisCli(const QStringList &args) const;
    [[nodiscard]] const QHash<QString, QString> &environment() const { return m_env; }

    // Creates an app (admin REST) and an API key; returns {app_id, api_key}.
    QPair<QString, QByteArray> createApp(const QJsonObject &extra = {});
    QByteArray userToken(const QByteArray &apiKey, const QString &userId, int ttl = 3600);
    // Creates a conversation with the API key; returns its id.
    QString createConversation(const QByteArray &apiKey, const QStringList &members,
                               const QString &kind = QStringLiteral("group"));
    // One sample of node i's /metrics: the first line of the family `name` whose labels
    // contain `label` (e.g. R"(code="4008")"), or any line of it when label is empty; -1 when
    // there is none.
    [[nodiscard]] double metric(int node, const QByteArray &name, const QByteArray &label = {});
    // A conversation's whole history through node i's REST API (every page), oldest first.
    [[nodiscard]] QList<QJsonObject> history(const QByteArray &apiKey, const QString &convo, int node = 0);

    Rest rest;

private:
    QHash<QString, QString> m_env;
    QString m_db;
    std::unique_ptr<RedisServer> m_redis;
    std::unique_ptr<RedisCluster> m_redisCluster;
    std::vector<std::unique_ptr<ConfabProcess>> m_nodes;
};

} // namespace confab::test
