#pragma once

#include "confab/error.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace confab::console
{

class AdminClient;

// One admin REST call; like AdminReply it always finishes once, then deletes itself.
class RestReply : public QObject
{
    Q_OBJECT

public:
    [[nodiscard]] bool isOk() const { return m_ok; }
    [[nodiscard]] int status() const { return m_status; }
    // The JSON body (an empty object for 204).
    [[nodiscard]] const QJsonObject &json() const { return m_json; }
    [[nodiscard]] const Error &error() const { return m_error; }

Q_SIGNALS:
    void finished();

private:
    friend class AdminRest;
    explicit RestReply(QObject *parent);
    void finish(int status, const QJsonObject &json, const Error &error);

    bool m_ok = false;
    int m_status = 0;
    QJsonObject m_json;
    Error m_error;
};

// The admin REST endpoints (docs/protocol.md section 3 and its console additions) of the node
// the AdminClient is connected to: same host, port and scheme (ws -> http, wss -> https),
// the same token in the Authorization header and the same CA file.
class AdminRest : public QObject
{
    Q_OBJECT

public:
    explicit AdminRest(AdminClient *client, QObject *parent = nullptr);

    // The REST base of a /admin/ws URL: scheme and path changed, host and port kept.
    [[nodiscard]] static QUrl baseUrl(const QUrl &wsUrl);

    RestReply *listApps();
    RestReply *getApp(const QString &appId);
    RestReply *createApp(const QJsonObject &fields);
    RestReply *patchApp(const QString &appId, const QJsonObject &fields);
    RestReply *deleteApp(const QString &appId);
    RestReply *listKeys(const QString &appId);
    RestReply *createKey(const QString &appId, const QString &label);
    RestReply *rotateKey(const QString &appId, const QString &keyId, qint64 graceS);
    RestReply *revokeKey(const QString &appId, const QString &keyId);

    void setTimeoutMs(int ms) { m_timeoutMs = ms; }

private:
    RestReply *call(const QByteArray &verb, const QString &path, const QJsonObject &body = {},
        bool hasBody = false);

    AdminClient *m_client;
    QNetworkAccessManager *m_nam;
    int m_timeoutMs = 60'000;
};

} // namespace confab::console
