#pragma once

#include "api/apicontext.h"

#include <QObject>

namespace confab::http {
class Router;
}

namespace confab::api {

// /healthz and /readyz on the internal listener (PROTOCOL.md section 8).
class Health : public QObject
{
    Q_OBJECT
public:
    Health(ApiDeps deps, QObject *parent = nullptr);
    void registerRoutes(http::Router &router);

private:
    QCoro::Task<http::Response> ready(http::Request req);
    ApiDeps m_deps;
};

} // namespace confab::api
