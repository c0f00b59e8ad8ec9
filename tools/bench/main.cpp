#include "bench.h"

#include <QCommandLineParser>
#include <QCoreApplication>

int main(int argc, char **argv)
{
    qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("confab-bench"));
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Load generator for confabd: opens N client WebSockets in M conversations, "
                                               "sends, and reports acks/s, deliveries/s and latency percentiles."));
    p.addHelpOption();
    auto opt = [&p](const char *name, const char *help, const char *def) {
        QCommandLineOption o(QString::fromLatin1(name), QString::fromLatin1(help), QStringLiteral("value"), QString::fromLatin1(def));
        p.addOption(o);
        return o;
    };
    const auto api = opt("api", "public listener URL", "http://127.0.0.1:8080");
    const auto admin = opt("admin", "internal listener URL", "http://127.0.0.1:8081");
    const auto token = opt("admin-token", "admin token ([admin] token)", "");
    const auto conns = opt("connections", "client connections", "200");
    const auto convos = opt("conversations", "conversations (members spread evenly)", "20");
    const auto senders = opt("senders", "connections that send", "20");
    const auto inflight = opt("inflight", "unacknowledged sends per sender", "32");
    const auto rate = opt("rate", "total messages/s; 0 = as fast as acks allow", "0");
    const auto duration = opt("duration", "measured seconds", "10");
    const auto warmup = opt("warmup", "seconds before measuring", "2");
    const auto body = opt("body-bytes", "bytes of text per message", "100");
    const auto historyReads = opt("history-reads", "after sending: flush, then read this many history pages", "0");
    const auto historyLimit = opt("history-limit", "messages per history page", "50");
    const auto historyConcurrency = opt("history-concurrency", "history pages in flight", "4");
    QCommandLineOption text(QStringLiteral("text-bodies"),
                            QStringLiteral("message bodies of varied words instead of one repeated letter"));
    p.addOption(text);
    QCommandLineOption idle(QStringLiteral("idle"), QStringLiteral("only open the connections and hold them (for RSS per connection)"));
    p.addOption(idle);
    p.process(app);

    confab::bench::Options o;
    o.apiUrl = QUrl(p.value(api));
    o.adminUrl = QUrl(p.value(admin));
    o.adminToken = p.value(token);
    o.connections = p.value(conns).toInt();
    o.conversations = p.value(convos).toInt();
    o.senders = p.value(senders).toInt();
    o.inflight = p.value(inflight).toInt();
    o.rate = p.value(rate).toDouble();
    o.durationS = p.value(duration).toInt();
    o.warmupS = p.value(warmup).toInt();
    o.bodyBytes = p.value(body).toInt();
    o.idleOnly = p.isSet(idle);
    o.textBodies = p.isSet(text);
    o.historyReads = p.value(historyReads).toInt();
    o.historyLimit = p.value(historyLimit).toInt();
    o.historyConcurrency = p.value(historyConcurrency).toInt();
    if (o.connections < 1 || o.senders > o.connections || o.durationS < 1) {
        std::fprintf(stderr, "confab-bench: need connections >= 1, senders <= connections, duration >= 1\n");
        return 2;
    }
    confab::bench::Bench bench(o);
    QObject::connect(&bench, &confab::bench::Bench::finished, &app, [](int code) { QCoreApplication::exit(code); });
    bench.start();
    return app.exec();
}
