#include "redis/masterlocator_p.h"

#include "redis/connection_p.h"
#include "redis/logging.h"
#include "redis/sentinel.h"

#include <QPointer>

namespace confab::redis::detail
{

MasterLocator::MasterLocator(const Options &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &MasterLocator::onTimeout);
}

MasterLocator::~MasterLocator()
{
    // Now, while our members live: its in-flight replies see m_sentinel gone and return.
    delete release();
}

const HostPort &MasterLocator::current() const
{
    return m_options.sentinels.at(m_index % m_options.sentinels.size());
}

void MasterLocator::locate()
{
    m_locating = true;
    m_asked = 0;
    ask();
}

void MasterLocator::stop()
{
    m_locating = false;
    m_timer.stop();
    forget();
}

Connection *MasterLocator::release()
{
    Connection *s = std::exchange(m_sentinel, nullptr);
    if (s) {
        disconnect(s, nullptr, this, nullptr);
        s->setPushHandler({});
    }
    return s;
}

void MasterLocator::forget()
{
    // Possibly from inside one of its own callbacks: delete it from the event loop.
    if (Connection *s = release())
        s->deleteLater();
}

void MasterLocator::ask()
{
    forget();
    if (!m_locating)
        return;
    if (m_asked >= m_options.sentinels.size()) {
        m_locating = false;
        Q_EMIT failed(
            QStringLiteral("no Sentinel named a master for \"%1\"").arg(m_options.masterName));
        return;
    }
    ++m_asked;
    const HostPort s = current();
    Options o;
    o.host = s.host;
    o.port = s.port;
    o.url = QStringLiteral("redis://%1:%2").arg(s.host).arg(s.port);
    // A Sentinel that does not answer soon is skipped for the next one; this connection does
    // not retry by itself before that (the round ends first).
    const qint64 budget = qMin<qint64>(m_options.commandTimeoutMs, 2000);
    o.commandTimeoutMs = budget;
    o.reconnectMinMs = budget * 2;
    o.reconnectMaxMs = m_options.reconnectMaxMs;
    m_sentinel = new Connection(std::move(o), QStringLiteral("sentinel"), this);
    connect(m_sentinel, &Connection::ready, this, &MasterLocator::onSentinelReady);
    connect(m_sentinel, &Connection::unreachable, this, &MasterLocator::onTimeout);
    m_timer.start(int(budget));
    m_sentinel->start();
}

void MasterLocator::onTimeout()
{
    if (!m_locating)
        return;
    qCDebug(lcRedis).noquote() << "Sentinel" << current().host << "did not name the master"
                               << m_options.masterName << "- asking the next";
    ++m_index;
    ask();
}

void MasterLocator::onSentinelReady()
{
    Connection *s = m_sentinel;
    if (!s)
        return;
    if (!m_locating) {
        // The watch's connection came back: follow failovers again.
        s->sendPubSub({ QByteArrayLiteral("SUBSCRIBE"), sentinel::kSwitchMasterChannel });
        return;
    }
    s->send({ QByteArrayLiteral("SENTINEL"), QByteArrayLiteral("get-master-addr-by-name"),
                m_options.masterName.toUtf8() },
        [this, self = QPointer<MasterLocator>(this), s = QPointer<Connection>(s)](
            const Reply &r) {
            if (!self || !s || s != m_sentinel || !m_locating)
                return;
            const std::optional<HostPort> master
                = r ? sentinel::parseMasterAddr(*r) : std::nullopt;
            if (!master) {
                qCWarning(lcRedis).noquote()
                    << "Sentinel" << s->options().endpoint() << "does not name a master for"
                    << m_options.masterName << "-"
                    << (r ? QStringLiteral("no such master") : r.error().message);
                ++m_index;
                ask();
                return;
            }
            m_locating = false;
            m_timer.stop();
            qCInfo(lcRedis).noquote() << "Sentinel" << s->options().endpoint() << "named"
                                      << QStringLiteral("%1:%2").arg(master->host).arg(master->port)
                                      << "the master of" << m_options.masterName;
            // Keep the Sentinel connection to hear of the next failover at once.
            s->setPushHandler([this](const Value &v) { onSentinelPush(v); });
            s->sendPubSub({ QByteArrayLiteral("SUBSCRIBE"), sentinel::kSwitchMasterChannel });
            Q_EMIT found(*master); // last: a slot may delete us
        });
}

void MasterLocator::onSentinelPush(const Value &v)
{
    if (v.type != Value::Type::Array || v.elements.size() < 3
        || v.elements.at(0).str != "message")
        return;
    const auto sw = sentinel::parseSwitchMaster(v.elements.at(2).str);
    if (!sw || sw->masterName != m_options.masterName)
        return;
    Q_EMIT switched(sw->to);
}

} // namespace confab::redis::detail
