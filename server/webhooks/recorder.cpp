#include "webhooks/recorder.h"

#include "confab/jsonwriter.h"
#include "redis/client.h"
#include "schema/keys.h"
#include "store/conversations.h"
#include "webhooks/logging.h"

#include <QCoro/QCoroFuture>
#include <QDateTime>
#include <QPointer>

namespace confab::webhooks {

namespace keys = confab::schema::keys;

namespace {

QString cacheKey(const QString &appId, const QString &convoId)
{
    return appId + QLatin1Char('/') + convoId;
}

QByteArray memberData(const QByteArray &convoId, const QByteArray &userId)
{
    JsonWriter w;
    w.beginObject().field("convo_id", QByteArrayView(convoId)).field("user_id", QByteArrayView(userId)).endObject();
    return w.take();
}

} // namespace

EventRecorder::EventRecorder(DeliveryRepository *deliveries, store::ConversationRepository *conversations,
                             redis::Client *redis, AppLookup apps, AppPeek peek, qint64 coalesceMs,
                             QObject *parent)
    : QObject(parent),
      m_deliveries(deliveries),
      m_conversations(conversations),
      m_redis(redis),
      m_apps(std::move(apps)),
      m_peek(std::move(peek)),
      m_coalesceMs(coalesceMs)
{
}

bool EventRecorder::wants(const store::App &app, const QString &type)
{
    return !app.webhook.url.isEmpty() && (app.webhook.events.isEmpty() || app.webhook.events.contains(type));
}

void EventRecorder::messageStored(const QString &appId, const QByteArray &convoId, const QByteArray &senderId,
                                  qint64 seq, const QByteArray &envelopeHead, const QByteArray &envelopeTail)
{
    // Most apps have no webhook: their cached settings answer at once, and the coroutine below
    // would only have looked at the same entry (after allocating its frame and the envelope).
    // An app not cached (or stale) takes the coroutine, which fetches it as before.
    if (m_peek) {
        if (const store::App *app = m_peek(appId); app && !wants(*app, kMessageOffline))
            return;
    }
    if (m_pending >= kMaxPending) {
        Q_EMIT skipped();
        return;
    }
    recordOffline(appId, convoId, senderId, envelopeHead + QByteArray::number(seq) + envelopeTail);
}

void EventRecorder::conversationCreated(const QString &appId, const QByteArray &convoId,
                                        const QByteArray &conversationJson)
{
    m_members.remove(cacheKey(appId, QString::fromUtf8(convoId)));
    record(appId, kConversationCreated, QString(), QString::fromUtf8(convoId), conversationJson);
}

void EventRecorder::memberChanged(const QString &appId, const QByteArray &convoId, const QByteArray &userId,
                                  bool added)
{
    m_members.remove(cacheKey(appId, QString::fromUtf8(convoId)));
    record(appId, added ? kMemberAdded : kMemberRemoved, QString::fromUtf8(userId), QString::fromUtf8(convoId),
           memberData(convoId, userId));
}

QCoro::Task<> EventRecorder::record(QString appId, QString type, QString userId, QString convoId, QByteArray data)
{
    // Membership changes are rare next to messages and never skipped: their REST call already
    // paid a PostgreSQL round trip.
    QPointer<EventRecorder> self(this);
    auto looking = m_apps(appId);
    const Expected<store::App> app = co_await looking;
    if (!self || !app || !wants(*app, type))
        co_return;
    auto queueing = m_deliveries->enqueue(appId, type, userId, convoId, data);
    const Status queued = co_await queueing;
    if (!queued)
        qCWarning(lcWebhooks, "%s", qPrintable(queued.error().message));
}

QCoro::Task<Expected<QStringList>> EventRecorder::members(QString appId, QString convoId)
{
    const QString key = cacheKey(appId, convoId);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (const auto it = m_members.constFind(key); it != m_members.constEnd() && now - it->fetchedMs < kMembersTtlMs)
        co_return it->users;
    QPointer<EventRecorder> self(this);
    auto loading = m_conversations->get(appId, convoId);
    const Expected<store::Conversation> c = co_await loading;
    if (!c)
        co_return c.error();
    if (self) {
        if (m_members.size() >= kMaxCachedConversations)
            m_members.clear();
        m_members.insert(key, Members{c->members, now});
    }
    co_return c->members;
}

QCoro::Task<> EventRecorder::recordOffline(QString appId, QByteArray convoId, QByteArray senderId, QByteArray envelope)
{
    QPointer<EventRecorder> self(this);
    ++m_pending;
    const auto done = [&self] {
        if (self)
            --self->m_pending;
    };
    auto looking = m_apps(appId);
    const Expected<store::App> app = co_await looking;
    if (!self || !app || !wants(*app, kMessageOffline)) {
        done();
        co_return;
    }
    const QString convo = QString::fromUtf8(convoId);
    auto loading = members(appId, convo);
    const Expected<QStringList> users = co_await loading;
    if (!self || !users) {
        if (!users)
            qCWarning(lcWebhooks, "message.offline for %s/%s: %s", qPrintable(appId), qPrintable(convo),
                      qPrintable(users.error().message));
        done();
        co_return;
    }
    // Presence sets score each session by its expiry, so a session of a dead node stops
    // counting by itself (docs/webhooks.md, "Offline").
    const QByteArray now = '(' + QByteArray::number(QDateTime::currentMSecsSinceEpoch());
    QStringList candidates;
    std::vector<QCoro::Task<redis::Reply>> asking;
    for (const QString &u : *users) {
        const QByteArray user = u.toUtf8();
        if (user == senderId)
            continue;
        candidates.append(u);
        asking.push_back(m_redis->exec(keys::cmd("ZCOUNT", keys::presence(appId, user), now, "+inf")));
    }
    QStringList offline;
    bool failed = false;
    for (size_t i = 0; i < asking.size(); ++i) {
        QCoro::Task<redis::Reply> &answer = asking[i];
        const redis::Reply r = co_await answer;
        if (!r)
            failed = true;
        else if (r->toInteger(0) == 0)
            offline.append(candidates[qsizetype(i)]);
    }
    if (!self) {
        co_return;
    }
    if (failed)
        qCWarning(lcWebhooks, "message.offline for %s/%s: presence could not be read; members whose state is "
                              "unknown are not notified", qPrintable(appId), qPrintable(convo));
    if (!offline.isEmpty()) {
        auto queueing = m_deliveries->enqueueOffline(appId, convo, offline, envelope, m_coalesceMs);
        const Status queued = co_await queueing;
        if (!queued)
            qCWarning(lcWebhooks, "%s", qPrintable(queued.error().message));
    }
    done();
}

} // namespace confab::webhooks
