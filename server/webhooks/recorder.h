#pragma once

#include "webhooks/dispatcher.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QStringList>

namespace confab::redis {
class Client;
}
namespace confab::store {
class ConversationRepository;
}

namespace confab::webhooks {

// Turns what happens on this node into queued webhook events (DeliveryRepository), off the
// live path: a send's ack never waits for it. message.offline goes to each member other than
// the sender with no open session on any node, judged by the presence sets every session keeps
// in Redis (the same ones presence.update uses); each offline member costs one ZCOUNT and a
// share of one INSERT per message. Bounded: at most kMaxPending recordings at once; past that a
// message.offline is skipped (counted by confab_webhook_skipped_total) rather than queued in
// memory. An app whose cached settings say it has no webhook for message.offline costs a
// send nothing but that look-up: no coroutine, no allocation (peek).
class EventRecorder : public QObject
{
    Q_OBJECT
public:
    static constexpr int kMaxPending = 10000;
    static constexpr qint64 kMembersTtlMs = 2000;
    static constexpr qsizetype kMaxCachedConversations = 10000;

    EventRecorder(DeliveryRepository *deliveries, store::ConversationRepository *conversations,
                  redis::Client *redis, AppLookup apps, AppPeek peek, qint64 coalesceMs,
                  QObject *parent = nullptr);

    // The envelope is envelopeHead, the decimal seq, then envelopeTail (MessageService::messageStored).
    void messageStored(const QString &appId, const QByteArray &convoId, const QByteArray &senderId, qint64 seq,
                       const QByteArray &envelopeHead, const QByteArray &envelopeTail);
    void conversationCreated(const QString &appId, const QByteArray &convoId, const QByteArray &conversationJson);
    void memberChanged(const QString &appId, const QByteArray &convoId, const QByteArray &userId, bool added);

    [[nodiscard]] static bool wants(const store::App &app, const QString &type);

Q_SIGNALS:
    void skipped();

private:
    QCoro::Task<> recordOffline(QString appId, QByteArray convoId, QByteArray senderId, QByteArray envelope);
    QCoro::Task<> record(QString appId, QString type, QString userId, QString convoId, QByteArray data);
    QCoro::Task<Expected<QStringList>> members(QString appId, QString convoId);

    DeliveryRepository *m_deliveries;
    store::ConversationRepository *m_conversations;
    redis::Client *m_redis;
    AppLookup m_apps;
    AppPeek m_peek;
    qint64 m_coalesceMs;
    int m_pending = 0;
    struct Members {
        QStringList users;
        qint64 fetchedMs = 0;
    };
    QHash<QString, Members> m_members; // "<app>/<convo>"
};

} // namespace confab::webhooks
