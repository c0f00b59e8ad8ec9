#pragma once

#include "api/apicontext.h"

#include <QObject>

namespace confab::http {
class Router;
}

namespace confab::api {

// Admin REST on the internal listener (PROTOCOL.md section 3): apps and API keys.
class AdminApi : public QObject
{
    Q_OBJECT
public:
    AdminApi(ApiDeps deps, QObject *parent = nullptr);
    void registerRoutes(http::Router &router);

Q_SIGNALS:
    void authFailed(const QByteArray &reason);

private:
    [[nodiscard]] bool authorized(const http::Request &req);
    QCoro::Task<http::Response> createApp(http::Request req);
    QCoro::Task<http::Response> patchApp(http::Request req);
    QCoro::Task<http::Response> listApps(http::Request req);
    QCoro::Task<http::Response> createKey(http::Request req);
    QCoro::Task<http::Response> rotateKey(http::Request req);
    QCoro::Task<http::Response> revokeKey(http::Request req);

    ApiDeps m_deps;
};

} // namespace confab::api
