#pragma once

#include "admin/adminsocket.h"
#include "api/apicontext.h"

#include <QObject>

namespace confab::http {
class Router;
}
namespace confab::store {
struct App;
}

namespace confab::api {

// The JSON of an app in admin answers (no token secret).
[[nodiscard]] QJsonObject appJson(const store::App &a);

// Admin REST on the internal listener (PROTOCOL.md section 3): apps and API keys, and the
// storage pipeline's operations, which are the same ones the admin WebSocket runs.
class AdminApi : public QObject
{
    Q_OBJECT
public:
    AdminApi(ApiDeps deps, QObject *parent = nullptr);
    void registerRoutes(http::Router &router);
    void setOperations(admin::AdminHooks operations) { m_ops = std::move(operations); }
    // Checks the admin token (constant time); emits authFailed when it is wrong.
    [[nodiscard]] bool authorized(const http::Request &req);

Q_SIGNALS:
    void authFailed(const QByteArray &reason);

private:
    QCoro::Task<> announceKeyEnd(QString keyId, qint64 endsMs);
    QCoro::Task<http::Response> createApp(http::Request req);
    QCoro::Task<http::Response> patchApp(http::Request req);
    QCoro::Task<http::Response> rotateWebhookSecret(http::Request req);
    QCoro::Task<http::Response> listApps(http::Request req);
    // adminappdata.cpp: one app with its counts, deleting it, listing its keys.
    QCoro::Task<http::Response> getApp(http::Request req);
    QCoro::Task<http::Response> deleteApp(http::Request req);
    QCoro::Task<http::Response> listKeys(http::Request req);
    QCoro::Task<> removeOutsideDatabase(QString appId, QStringList segmentKeys, QStringList conversationIds);
    QCoro::Task<http::Response> createKey(http::Request req);
    QCoro::Task<http::Response> rotateKey(http::Request req);
    QCoro::Task<http::Response> revokeKey(http::Request req);
    QCoro::Task<http::Response> stats(http::Request req);
    QCoro::Task<http::Response> flush(http::Request req);
    QCoro::Task<http::Response> runRetention(http::Request req);
    QCoro::Task<http::Response> listDeadLetters(http::Request req);
    QCoro::Task<http::Response> retryDeadLetter(http::Request req);
    QCoro::Task<http::Response> discardDeadLetter(http::Request req);

    ApiDeps m_deps;
    admin::AdminHooks m_ops;
};

} // namespace confab::api
