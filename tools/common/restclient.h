#pragma once

#include <QByteArray>
#include <QNetworkAccessManager>
#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>

namespace confab::tools {

// The REST side of the load tools (confab-bench, confab-chaos): JSON requests with a bearer
// token, answered with the HTTP status and body, and the app set-up both tools start with.
class RestClient : public QObject
{
public:
    using Done = std::function<void(int status, QByteArray body)>;

    explicit RestClient(QObject *parent = nullptr);

    // A 30 s transfer timeout; status 0 when no answer came.
    void request(const QByteArray &verb, const QUrl &url, const QByteArray &token, const QByteArray &body,
                 Done done);

    // Creates an app named `name` with no send or connection rate limits (a tool measures the
    // server, not its limiter) and one API key, then calls ready(api key) or failed(why).
    void createUnlimitedApp(const QUrl &adminUrl, const QByteArray &adminToken, const QString &name,
                            std::function<void(QByteArray apiKey)> ready, std::function<void(QString why)> failed);

private:
    QNetworkAccessManager m_nam;
};

} // namespace confab::tools
