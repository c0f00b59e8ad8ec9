#include "restclient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace confab::tools {

RestClient::RestClient(QObject *parent) : QObject(parent) {}

void RestClient::request(const QByteArray &verb, const QUrl &url, const QByteArray &token, const QByteArray &body,
                         Done done)
{
    QNetworkRequest req(url);
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    req.setRawHeader("Authorization", "Bearer " + token);
    req.setTransferTimeout(30000);
    QNetworkReply *reply = m_nam.sendCustomRequest(req, verb, body);
    connect(reply, &QNetworkReply::finished, this, [reply, done = std::move(done)] {
        reply->deleteLater();
        done(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll());
    });
}

void RestClient::createUnlimitedApp(const QUrl &adminUrl, const QByteArray &adminToken, const QString &name,
                                    std::function<void(QByteArray)> ready, std::function<void(QString)> failed)
{
    const QJsonObject app{{QStringLiteral("name"), name},
                          {QStringLiteral("limits"), QJsonObject{{QStringLiteral("user_msgs_per_min"), 0},
                                                                 {QStringLiteral("app_msgs_per_s"), 0},
                                                                 {QStringLiteral("conns_per_user_per_10s"), 0}}}};
    QUrl url = adminUrl;
    url.setPath(QStringLiteral("/admin/apps"));
    request("POST", url, adminToken, QJsonDocument(app).toJson(QJsonDocument::Compact),
            [this, adminUrl, adminToken, name, ready, failed](int status, QByteArray body) {
                if (status != 201)
                    return failed(QStringLiteral("creating the app: HTTP %1 %2").arg(status).arg(QString::fromUtf8(body)));
                const QString appId = QJsonDocument::fromJson(body).object().value(QLatin1String("app_id")).toString();
                QUrl keyUrl = adminUrl;
                keyUrl.setPath(QStringLiteral("/admin/apps/%1/keys").arg(appId));
                const QByteArray label = QJsonDocument(QJsonObject{{QStringLiteral("label"), name}}).toJson(QJsonDocument::Compact);
                request("POST", keyUrl, adminToken, label, [ready, failed](int status, QByteArray body) {
                    if (status != 201)
                        return failed(QStringLiteral("creating an API key: HTTP %1").arg(status));
                    ready(QJsonDocument::fromJson(body).object().value(QLatin1String("api_key")).toString().toUtf8());
                });
            });
}

} // namespace confab::tools
