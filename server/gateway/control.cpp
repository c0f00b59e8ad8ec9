// Operator actions that reach every node (docs/protocol.md, "Operator actions"): the node that
// took the admin request publishes on schema::keys::controlChannel(), and each node's gateway
// acts on its own sessions here.
#include "gateway/gateway.h"

#include "gateway/logging.h"
#include "gateway/session.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace confab::gateway {

void Gateway::onControl(const messaging::Event &event)
{
    const QString appId = QString::fromUtf8(event.arg);
    if (event.kind == 'x') {
        // "x <app>\n{"user_id":..,"close_code":..,"reason":..}": close that user's sessions.
        const QJsonObject o = QJsonDocument::fromJson(event.frame).object();
        const QByteArray userId = o.value(QLatin1String("user_id")).toString().toUtf8();
        const int code = o.value(QLatin1String("close_code")).toInt();
        const QString reason = o.value(QLatin1String("reason")).toString();
        if (appId.isEmpty() || userId.isEmpty() || code < 4000 || code > 4999)
            return;
        int closed = 0;
        const QSet<Session *> sessions = m_sessions;
        for (Session *s : sessions) {
            if (s->isUserSession() && s->appId() == appId && s->userId() == userId) {
                s->closeWith(code, reason);
                ++closed;
            }
        }
        if (closed > 0)
            qCInfo(lcGateway) << "operator closed" << closed << "session(s) of user" << userId << "of app" << appId
                              << "with" << code;
    } else if (event.kind == 'n') {
        // "n <app or *>\n<system.notice frame>": ev.wire is the frame, encoded once for all.
        const bool everyApp = appId == QLatin1String("*");
        const QSet<Session *> sessions = m_sessions; // a push may close a session
        for (Session *s : sessions) {
            if (s->isAuthenticated() && (everyApp || s->appId() == appId))
                s->notify(event.wire);
        }
    }
}

} // namespace confab::gateway
