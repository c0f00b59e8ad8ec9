#pragma once

#include "api/apicontext.h"

#include <QJsonObject>
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
    // Runs the /readyz checks and reports the outcome with readinessChecked (the node does it
    // every stats tick, so the admin stats frame shows each node's readiness).
    void probe();

Q_SIGNALS:
    void readinessChecked(bool ready);

private:
    struct Checks {
        bool ok = false;
        QJsonObject checks;
    };
    QCoro::Task<Checks> check();
    QCoro::Task<> runProbe();
    QCoro::Task<http::Response> ready(http::Request req);
    ApiDeps m_deps;
    bool m_probing = false;
};

} // namespace confab::api
