#include "harness.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

namespace confab::test {

QJsonObject sendFrame(const QString &convo, const QString &clientMsgId, const QJsonValue &content)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("message.send")},
                       {QStringLiteral("convo_id"), convo},
                       {QStringLiteral("client_msg_id"), clientMsgId},
                       {QStringLiteral("content"), content}};
}


HttpResult Rest::call(const QByteArray &verb, const QString &url, const QByteArray &token, const QByteArray &body)
{
    QNetworkRequest req{QUrl(url)};
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (!token.isEmpty())
        req.setRawHeader("Authorization", "Bearer " + token);
    req.setTransferTimeout(20000);
    QNetworkReply *reply = m_nam.sendCustomRequest(req, verb, body);
    QSignalSpy done(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        done.wait(25000);
    HttpResult r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    r.json = QJsonDocument::fromJson(r.body).object();
    reply->deleteLater();
    return r;
}

HttpResult Rest::call(const QByteArray &verb, const QString &url, const QByteArray &token, const QJsonObject &body)
{
    return call(verb, url, token, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

WsClient::WsClient() : m_socket(std::make_unique<QWebSocket>())
{
    connect(m_socket.get(), &QWebSocket::textMessageReceived, this, [this](const QString &t) {
        m_frames.append(QJsonDocument::fromJson(t.toUtf8()).object());
    });
    connect(m_socket.get(), &QWebSocket::disconnected, this, [this] { m_closeCode = int(m_socket->closeCode()); });
}

bool WsClient::open(const QString &url, const QByteArray &bearer)
{
    QNetworkRequest req{QUrl(url)};
    if (!bearer.isEmpty())
        req.setRawHeader("Authorization", "Bearer " + bearer);
    QSignalSpy connected(m_socket.get(), &QWebSocket::connected);
    QSignalSpy disconnected(m_socket.get(), &QWebSocket::disconnected);
    m_socket->open(req);
    for (int i = 0; i < 100 && connected.isEmpty() && disconnected.isEmpty(); ++i)
        QTest::qWait(50);
    return !connected.isEmpty();
}

bool WsClient::connectAndAuth(const QString &url, const QByteArray &token)
{
    if (!open(url, token))
        return false;
    return !waitFor(QStringLiteral("connection.ack")).isEmpty();
}

void WsClient::send(const QJsonObject &frame)
{
    m_socket->sendTextMessage(QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
}

void WsClient::sendRaw(const QString &text)
{
    m_socket->sendTextMessage(text);
}

QJsonObject WsClient::waitFor(const QString &type, std::function<bool(const QJsonObject &)> pred, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (true) {
        for (qsizetype i = 0; i < m_frames.size(); ++i) {
            const QJsonObject &f = m_frames[i];
            if (f.value(QLatin1String("type")).toString() == type && (!pred || pred(f)))
                return m_frames.takeAt(i);
        }
        if (t.elapsed() > timeoutMs || m_socket->state() == QAbstractSocket::UnconnectedState)
            return {};
        QTest::qWait(5);
    }
}

QJsonObject WsClient::request(QJsonObject frame, int timeoutMs)
{
    const QString req = QStringLiteral("r%1").arg(++m_nextReq);
    frame.insert(QStringLiteral("req"), req);
    send(frame);
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs && m_socket->state() != QAbstractSocket::UnconnectedState) {
        for (qsizetype i = 0; i < m_frames.size(); ++i) {
            if (m_frames[i].value(QLatin1String("req")).toString() == req)
                return m_frames.takeAt(i);
        }
        QTest::qWait(5);
    }
    return {};
}

QList<QJsonObject> WsClient::frames(const QString &type) const
{
    QList<QJsonObject> out;
    for (const QJsonObject &f : m_frames)
        if (f.value(QLatin1String("type")).toString() == type)
            out.append(f);
    return out;
}

bool WsClient::waitClosed(int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (m_socket->state() != QAbstractSocket::UnconnectedState && t.elapsed() < timeoutMs)
        QTest::qWait(10);
    return m_socket->state() == QAbstractSocket::UnconnectedState;
}

bool WsClient::isOpen() const
{
    return m_socket->state() == QAbstractSocket::ConnectedState;
}

QHash<QString, QString> outageSettings(const S3Server &s3, const QString &flushEvery, const QString &retryWindow)
{
    return {{QStringLiteral("CONFAB_SEGMENTS_MAX_AGE"), flushEvery},
            {QStringLiteral("CONFAB_SEGMENTS_RETRY_WINDOW"), retryWindow},
            {QStringLiteral("CONFAB_SEGMENTS_DEAD_LETTER_RETRY"), QStringLiteral("1h")},
            {QStringLiteral("CONFAB_S3_ENDPOINT"), s3.endpoint()},
            {QStringLiteral("CONFAB_S3_BUCKET"), S3Server::bucket()}};
}

QByteArray Cluster::redisCli(const QStringList &args) const
{
    if (m_redisCluster) {
        const QString verb = args.value(0).toUpper();
        if (verb == QLatin1String("FLUSHALL") || verb == QLatin1String("FLUSHDB")) {
            QString reply;
            for (const quint16 port : m_redisCluster->ports()) {
                reply = m_redisCluster->cli(port, args);
                if (reply != QLatin1String("OK"))
                    break;
            }
            return reply.toUtf8();
        }
        return m_redisCluster->cli(m_redisCluster->ports().value(0), QStringList{QStringLiteral("-c")} + args).toUtf8();
    }
    QProcess p;
    p.start(QStringLiteral("redis-cli"), QStringList{QStringLiteral("-u"), m_env.value(QStringLiteral("CONFAB_REDIS_URL"))} + args);
    p.waitForFinished(10000);
    return p.readAllStandardOutput().trimmed();
}

Cluster::Cluster(QHash<QString, QString> overrides) : m_env(std::move(overrides))
{
    TestEnv env;
    m_db = env.createDatabase();
    m_env.insert(QStringLiteral("CONFAB_POSTGRES_URL"), m_db);
    const bool redisCluster = qEnvironmentVariable("CONFAB_TEST_REDIS_TOPOLOGY") == QLatin1String("cluster");
    if (redisCluster && !m_env.contains(QStringLiteral("CONFAB_REDIS_URL"))
        && !m_env.contains(QStringLiteral("CONFAB_REDIS_CLUSTER_NODES"))) {
        m_redisCluster = std::make_unique<RedisCluster>(3);
        if (!m_redisCluster->start())
            qWarning("could not start the cluster's Redis Cluster: %s", qPrintable(m_redisCluster->why()));
        m_env.insert(QStringLiteral("CONFAB_REDIS_CLUSTER_NODES"), m_redisCluster->nodesSetting());
    } else if (!m_env.contains(QStringLiteral("CONFAB_REDIS_URL"))) {
        m_redis = std::make_unique<RedisServer>();
        if (!m_redis->start())
            qWarning("could not start the cluster's redis-server");
        m_env.insert(QStringLiteral("CONFAB_REDIS_URL"), m_redis->url());
    }
    m_env.insert(QStringLiteral("CONFAB_ADMIN_TOKEN"), QString::fromLatin1(kAdminToken));
    auto setDefault = [this](const char *name, const QString &value) {
        if (!m_env.contains(QLatin1String(name)))
            m_env.insert(QLatin1String(name), value);
    };
    setDefault("CONFAB_S3_ENDPOINT", env.s3Endpoint());
    setDefault("CONFAB_S3_BUCKET", env.s3Bucket());
    setDefault("CONFAB_S3_ACCESS_KEY", QStringLiteral("S3RVER"));
    setDefault("CONFAB_S3_SECRET_KEY", QStringLiteral("S3RVER"));
}

int Cluster::startNode(QHash<QString, QString> extra)
{
    QHash<QString, QString> env = m_env;
    for (auto it = extra.cbegin(); it != extra.cend(); ++it)
        env.insert(it.key(), it.value());
    env.insert(QStringLiteral("CONFAB_SERVER_NODE_ID"), QStringLiteral("node%1").arg(m_nodes.size() + 1));
    auto p = std::make_unique<ConfabProcess>(env);
    if (!p->start()) {
        qWarning("confabd did not become ready: %s", p->output().constData());
        return -1;
    }
    m_nodes.push_back(std::move(p));
    return int(m_nodes.size()) - 1;
}

QPair<QString, QByteArray> Cluster::createApp(const QJsonObject &extra)
{
    QJsonObject body = extra;
    if (!body.contains(QStringLiteral("name")))
        body.insert(QStringLiteral("name"), QStringLiteral("test"));
    const HttpResult app = rest.call("POST", admin() + QStringLiteral("/admin/apps"), kAdminToken, body);
    const QString appId = app.json.value(QLatin1String("app_id")).toString();
    const HttpResult key = rest.call("POST", admin() + QStringLiteral("/admin/apps/%1/keys").arg(appId), kAdminToken,
                                     QJsonObject{{QStringLiteral("label"), QStringLiteral("t")}});
    return {appId, key.json.value(QLatin1String("api_key")).toString().toUtf8()};
}

double Cluster::metric(int node, const QByteArray &name, const QByteArray &label)
{
    const HttpResult r = rest.call("GET", admin(node) + QStringLiteral("/metrics"), {});
    for (const QByteArray &line : r.body.split('\n')) {
        if (!line.startsWith(name))
            continue;
        const QByteArray rest = line.mid(name.size());
        const bool labelled = rest.startsWith('{');
        if (!(labelled || rest.startsWith(' ')) || (!label.isEmpty() && !(labelled && rest.contains(label))))
            continue;
        return line.mid(line.lastIndexOf(' ') + 1).trimmed().toDouble();
    }
    return -1;
}

QByteArray Cluster::userToken(const QByteArray &apiKey, const QString &userId, int ttl)
{
    const HttpResult r = rest.call("POST", api() + QStringLiteral("/v1/auth/token"), apiKey,
                                   QJsonObject{{QStringLiteral("user_id"), userId}, {QStringLiteral("ttl_s"), ttl}});
    return r.json.value(QLatin1String("access_token")).toString().toUtf8();
}

QString Cluster::createConversation(const QByteArray &apiKey, const QStringList &members, const QString &kind)
{
    const HttpResult r = rest.call("POST", api() + QStringLiteral("/v1/conversations"), apiKey,
                                   QJsonObject{{QStringLiteral("kind"), kind},
                                               {QStringLiteral("members"), QJsonArray::fromStringList(members)}});
    return r.json.value(QLatin1String("id")).toString();
}

} // namespace confab::test

namespace confab::test {

QHash<QString, QString> sentinelSettings(const RedisSentinel &sentinel)
{
    return {{QStringLiteral("CONFAB_REDIS_URL"), sentinel.url()},
            {QStringLiteral("CONFAB_REDIS_SENTINELS"), sentinel.sentinels()},
            {QStringLiteral("CONFAB_REDIS_MASTER_NAME"), RedisSentinel::masterName()},
            {QStringLiteral("CONFAB_REDIS_MIN_REPLICAS"), QStringLiteral("1")}};
}

QList<QJsonObject> Cluster::history(const QByteArray &apiKey, const QString &convo, int node)
{
    QList<QJsonObject> out;
    QString url = api(node) + QStringLiteral("/v1/conversations/%1/messages?after_seq=0&limit=200").arg(convo);
    for (;;) {
        const HttpResult r = rest.call("GET", url, apiKey);
        if (r.status != 200) {
            qWarning("reading history: HTTP %d %s", r.status, r.body.constData());
            return out;
        }
        for (const QJsonValue &m : r.json.value(QLatin1String("messages")).toArray())
            out.append(m.toObject());
        const QString next = r.json.value(QLatin1String("next_page_token")).toString();
        if (next.isEmpty())
            return out;
        url = api(node) + QStringLiteral("/v1/conversations/%1/messages?page_token=%2").arg(convo, next);
    }
}

} // namespace confab::test
