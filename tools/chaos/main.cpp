#include "load.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

int main(int argc, char **argv)
{
    qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("confab-chaos"));
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Keeps messages flowing to confabd nodes like resending, syncing clients do, then checks that every "
        "acknowledged message is in history exactly once, in order, without gaps (tools/chaos.sh, docs/chaos.md)."));
    p.addHelpOption();
    auto opt = [&p](const char *name, const char *help, const char *def) {
        QCommandLineOption o(QString::fromLatin1(name), QString::fromLatin1(help), QStringLiteral("value"), QString::fromLatin1(def));
        p.addOption(o);
        return o;
    };
    const auto api = opt("api", "public listener URLs of the nodes, comma-separated", "http://127.0.0.1:8080");
    const auto admin = opt("admin", "internal listener URL of one node", "http://127.0.0.1:8081");
    const auto token = opt("admin-token", "admin token ([admin] token)", "");
    const auto convos = opt("conversations", "conversations", "20");
    const auto senders = opt("senders-per-conversation", "sending users per conversation", "2");
    const auto readers = opt("readers-per-conversation", "users per conversation who only receive", "1");
    const auto rate = opt("rate", "messages/s created over all senders", "2000");
    const auto window = opt("window", "unacknowledged sends per sender (the server allows 64 requests in flight)", "56");
    const auto body = opt("body-bytes", "bytes of text per message", "100");
    const auto stopFile = opt("stop-file", "stop creating messages once this file exists", "");
    const auto maxDuration = opt("max-duration", "stop creating messages after this many seconds", "600");
    const auto faults = opt("faults", "fault windows, name<TAB>start_ms<TAB>end_ms per line, read at the end", "");
    const auto timeline = opt("timeline", "write ack latency by second of creation to this file", "");
    const auto settle = opt("settle", "seconds after a fault ends that still count as its window", "5");
    const auto ackTimeout = opt("ack-timeout", "seconds without an ack before a client reconnects", "30");
    const auto drainTimeout = opt("drain-timeout", "seconds to wait for the last acks", "120");
    p.process(app);

    confab::chaos::Options o;
    for (const QString &u : p.value(api).split(QLatin1Char(','), Qt::SkipEmptyParts))
        o.apiUrls.append(QUrl(u));
    o.adminUrl = QUrl(p.value(admin));
    o.adminToken = p.value(token);
    o.conversations = p.value(convos).toInt();
    o.sendersPerConversation = p.value(senders).toInt();
    o.readersPerConversation = p.value(readers).toInt();
    o.rate = p.value(rate).toDouble();
    o.window = p.value(window).toInt();
    o.bodyBytes = p.value(body).toInt();
    o.stopFile = p.value(stopFile);
    o.maxDurationS = p.value(maxDuration).toInt();
    o.faultsFile = p.value(faults);
    o.timelineFile = p.value(timeline);
    o.settleMs = p.value(settle).toInt() * 1000;
    o.ackTimeoutS = p.value(ackTimeout).toInt();
    o.drainTimeoutS = p.value(drainTimeout).toInt();
    if (o.apiUrls.isEmpty() || o.conversations < 1 || o.sendersPerConversation < 1 || o.rate <= 0 || o.window < 1) {
        std::fprintf(stderr, "confab-chaos: need --api, conversations >= 1, senders >= 1, rate > 0, window >= 1\n");
        return 2;
    }
    confab::chaos::Load load(o);
    QObject::connect(&load, &confab::chaos::Load::finished, &app, [](int code) { QCoreApplication::exit(code); });
    load.start();
    return app.exec();
}
