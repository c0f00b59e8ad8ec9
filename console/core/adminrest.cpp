#include "core/adminrest.h"

#include "core/adminclient.h"
#include "core/logging.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QTimer>

namespace confab::console
{

RestReply::RestReply(QObject *parent)
    : QObject(parent)
{
}

void RestReply::finish(int status, const QJsonObject &json, const Error &error)
{
    m_status = status;
    m_json = json;
    m_error = error;
    m_ok = status >= 200 && status < 300;
    Q_EMIT finished();
    deleteLater();
}

AdminRest::AdminRest(AdminClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_nam(new QNetworkAccessManager(this))
{
}

QUrl AdminRest::baseUrl(const QUrl &wsUrl)
{
    QUrl u = wsUrl.adjusted(QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::RemoveUserInfo);
    u.setScheme(wsUrl.scheme() == QLatin1String("wss") ? QStringLiteral("https") : QStringLiteral("http"));
    QString path = u.path();
    if (path.endsWith(QLatin1String("/admin/ws")))
        path.chop(int(qstrlen("/admin/ws")));
    u.setPath(path);
    return u;
}

RestReply *AdminRest::call(const QByteArray &verb, const QString &path, const QJsonObject &body, bool hasBody)
{
    auto *reply = new RestReply(this);
    const QUrl ws = m_client->url();
    if (ws.isEmpty()) {
        QTimer::singleShot(0, reply, [reply] {
            reply->finish(0, {}, Error::unavailable(AdminClient::tr("not connected to a node")));
        });
        return reply;
    }
    QUrl url = baseUrl(ws);
    url.setPath(url.path() + path);
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_client->token().toUtf8());
    request.setTransferTimeout(m_timeoutMs);
    if (hasBody)
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    if (url.scheme() == QLatin1String("https") && !m_client->caFile().isEmpty()) {
        if (auto certs = readCaFile(m_client->caFile()); certs) {
            QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
            tls.addCaCertificates(*certs);
            request.setSslConfiguration(tls);
        }
    }
    const QByteArray data = hasBody ? QJsonDocument(body).toJson(QJsonDocument::Compact) : QByteArray();
    QNetworkReply *net = m_nam->sendCustomRequest(request, verb, data);
    qCInfo(lcConsoleClient) << "REST" << verb << path;
    connect(net, &QNetworkReply::finished, reply, [net, reply, verb, path] {
        net->deleteLater();
        const int status = net->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QJsonObject json = QJsonDocument::fromJson(net->readAll()).object();
        Error error;
        if (status < 200 || status >= 300) {
            // The server's error body: {"error":{"code","message"}} (PROTOCOL.md section 7).
            const QJsonObject e = json.value(QLatin1String("error")).toObject();
            error = status == 0
                ? Error::unavailable(QStringLiteral("%1 %2: %3").arg(QString::fromLatin1(verb), path, net->errorString()))
                : Error { errorCodeFromName(e.value(QLatin1String("code")).toString()),
                      e.value(QLatin1String("message")).toString(net->errorString()) };
        }
        reply->finish(status, json, error);
    });
    return reply;
}

RestReply *AdminRest::listApps()
{
    return call("GET", QStringLiteral("/admin/apps"));
}

RestReply *AdminRest::getApp(const QString &appId)
{
    return call("GET", QStringLiteral("/admin/apps/%1").arg(QString::fromLatin1(QUrl::toPercentEncoding(appId))));
}

RestReply *AdminRest::createApp(const QJsonObject &fields)
{
    return call("POST", QStringLiteral("/admin/apps"), fields, true);
}

RestReply *AdminRest::patchApp(const QString &appId, const QJsonObject &fields)
{
    return call("PATCH", QStringLiteral("/admin/apps/%1").arg(QString::fromLatin1(QUrl::toPercentEncoding(appId))), fields, true);
}

RestReply *AdminRest::deleteApp(const QString &appId)
{
    return call("DELETE", QStringLiteral("/admin/apps/%1").arg(QString::fromLatin1(QUrl::toPercentEncoding(appId))));
}

RestReply *AdminRest::listKeys(const QString &appId)
{
    return call("GET", QStringLiteral("/admin/apps/%1/keys").arg(QString::fromLatin1(QUrl::toPercentEncoding(appId))));
}

RestReply *AdminRest::createKey(const QString &appId, const QString &label)
{
    return call("POST", QStringLiteral("/admin/apps/%1/keys").arg(QString::fromLatin1(QUrl::toPercentEncoding(appId))),
        QJsonObject { { QStringLiteral("label"), label } }, true);
}

RestReply *AdminRest::rotateKey(const QString &appId, const QString &keyId, qint64 graceS)
{
    return call("POST",
        QStringLiteral("/admin/apps/%1/keys/%2/rotate")
            .arg(QString::fromLatin1(QUrl::toPercentEncoding(appId)), QString::fromLatin1(QUrl::toPercentEncoding(keyId))),
        QJsonObject { { QStringLiteral("grace_s"), double(graceS) } }, true);
}

RestReply *AdminRest::revokeKey(const QString &appId, const QString &keyId)
{
    return call("DELETE",
        QStringLiteral("/admin/apps/%1/keys/%2")
            .arg(QString::fromLatin1(QUrl::toPercentEncoding(appId)), QString::fromLatin1(QUrl::toPercentEncoding(keyId))));
}

} // namespace confab::console
