#include "core/profilestore.h"

#include "core/logging.h"

#include <QFile>
#include <QSettings>
#include <qt6keychain/keychain.h>

namespace confab::console
{

namespace
{

QString keychainKey(const QString &profile)
{
    return QStringLiteral("profile:") + profile;
}

} // namespace

ProfileStore::ProfileStore(QSettings *settings, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
{
}

QString ProfileStore::keychainService()
{
    return QStringLiteral("confab-console");
}

Status ProfileStore::validate(const Profile &profile)
{
    if (profile.name.trimmed().isEmpty())
        return Error::badRequest(QStringLiteral("saving a profile: the name is empty"));
    const QString scheme = profile.url.scheme();
    if (!profile.url.isValid() || profile.url.host().isEmpty()
        || (scheme != QLatin1String("ws") && scheme != QLatin1String("wss")))
        return Error::badRequest(
            QStringLiteral("saving profile %1: the URL must be ws:// or wss:// with a host")
                .arg(profile.name));
    if (profile.url.hasQuery() || !profile.url.userInfo().isEmpty())
        return Error::badRequest(QStringLiteral(
            "saving profile %1: the URL must not carry credentials; the token goes to the keychain")
                                     .arg(profile.name));
    if (!profile.caFile.isEmpty() && scheme != QLatin1String("wss"))
        return Error::badRequest(
            QStringLiteral("saving profile %1: a CA file is for wss:// URLs").arg(profile.name));
    return Ok {};
}

QList<Profile> ProfileStore::profiles() const
{
    QList<Profile> out;
    const int n = m_settings->beginReadArray(QStringLiteral("profiles"));
    for (int i = 0; i < n; ++i) {
        m_settings->setArrayIndex(i);
        out.append(Profile { m_settings->value(QStringLiteral("name")).toString(),
            QUrl(m_settings->value(QStringLiteral("url")).toString()),
            m_settings->value(QStringLiteral("caFile")).toString() });
    }
    m_settings->endArray();
    return out;
}

std::optional<Profile> ProfileStore::profile(const QString &name) const
{
    for (const Profile &p : profiles()) {
        if (p.name == name)
            return p;
    }
    return std::nullopt;
}

Status ProfileStore::saveProfile(const Profile &profile)
{
    if (Status ok = validate(profile); !ok)
        return ok;
    QList<Profile> all = profiles();
    bool replaced = false;
    for (Profile &p : all) {
        if (p.name == profile.name) {
            p = profile;
            replaced = true;
        }
    }
    if (!replaced)
        all.append(profile);
    writeProfiles(all);
    return Ok {};
}

void ProfileStore::removeProfile(const QString &name)
{
    QList<Profile> all = profiles();
    const auto removed = all.removeIf([&name](const Profile &p) { return p.name == name; });
    if (removed == 0)
        return;
    writeProfiles(all);
    auto *job = new QKeychain::DeletePasswordJob(keychainService(), this);
    job->setKey(keychainKey(name));
    job->setAutoDelete(true);
    connect(job, &QKeychain::Job::finished, this, [name](QKeychain::Job *j) {
        if (j->error() != QKeychain::NoError && j->error() != QKeychain::EntryNotFound)
            qCWarning(lcConsole) << "deleting the token of profile" << name
                                 << "from the keychain:" << j->errorString();
    });
    job->start();
}

QString ProfileStore::lastProfile() const
{
    return m_settings->value(QStringLiteral("lastProfile")).toString();
}

void ProfileStore::setLastProfile(const QString &name)
{
    m_settings->setValue(QStringLiteral("lastProfile"), name);
}

void ProfileStore::storeToken(const QString &profile, const QString &token)
{
    auto *job = new QKeychain::WritePasswordJob(keychainService(), this);
    job->setKey(keychainKey(profile));
    job->setTextData(token);
    job->setAutoDelete(true);
    connect(job, &QKeychain::Job::finished, this, [this, profile](QKeychain::Job *j) {
        if (j->error() != QKeychain::NoError) {
            const QString m = tr("No system keychain to save the token of %1 (%2): the profile is "
                                 "saved without it and this session stays connected; type the "
                                 "token again at the next connect.")
                                  .arg(profile, j->errorString());
            qCWarning(lcConsole) << "storing the token of profile" << profile
                                 << "in the keychain:" << j->errorString();
            Q_EMIT tokenFailed(profile, m);
            return;
        }
        Q_EMIT tokenStored(profile);
    });
    job->start();
}

void ProfileStore::loadToken(const QString &profile)
{
    auto *job = new QKeychain::ReadPasswordJob(keychainService(), this);
    job->setKey(keychainKey(profile));
    job->setAutoDelete(true);
    connect(job, &QKeychain::Job::finished, this, [this, profile](QKeychain::Job *j) {
        if (j->error() != QKeychain::NoError) {
            const QString m = j->error() == QKeychain::EntryNotFound
                ? tr("No token saved for %1").arg(profile)
                : tr("Could not read the token of %1 from the keychain: %2")
                      .arg(profile, j->errorString());
            Q_EMIT tokenFailed(profile, m);
            return;
        }
        Q_EMIT tokenLoaded(profile, static_cast<QKeychain::ReadPasswordJob *>(j)->textData());
    });
    job->start();
}

void ProfileStore::writeProfiles(const QList<Profile> &profiles)
{
    m_settings->remove(QStringLiteral("profiles"));
    m_settings->beginWriteArray(QStringLiteral("profiles"), int(profiles.size()));
    for (int i = 0; i < profiles.size(); ++i) {
        m_settings->setArrayIndex(i);
        m_settings->setValue(QStringLiteral("name"), profiles.at(i).name);
        m_settings->setValue(QStringLiteral("url"), profiles.at(i).url.toString());
        if (!profiles.at(i).caFile.isEmpty())
            m_settings->setValue(QStringLiteral("caFile"), profiles.at(i).caFile);
    }
    m_settings->endArray();
    Q_EMIT profilesChanged();
}

Expected<DirectConnection> directConnection(
    const QString &url, const QString &tokenFile, const QString &envToken, const QString &caFile)
{
    DirectConnection d { QUrl(url.trimmed()), {}, caFile.trimmed() };
    if (Status ok = ProfileStore::validate(Profile { QStringLiteral("url"), d.url, {} }); !ok)
        return Error::badRequest(QStringLiteral(
            "--url %1: give a ws:// or wss:// URL with a host and no credentials, "
            "e.g. ws://127.0.0.1:8081/admin/ws").arg(url));
    if (!d.caFile.isEmpty() && d.url.scheme() != QLatin1String("wss"))
        return Error::badRequest(QStringLiteral("--ca-file is for wss:// URLs only"));
    if (!tokenFile.isEmpty()) {
        QFile f(tokenFile);
        if (!f.open(QIODevice::ReadOnly))
            return Error::badRequest(
                QStringLiteral("cannot read the token file %1: %2").arg(tokenFile, f.errorString()));
        d.token = QString::fromUtf8(f.readLine(64 * 1024)).trimmed();
    } else {
        d.token = envToken.trimmed();
    }
    if (d.token.isEmpty())
        return Error::badRequest(QStringLiteral(
            "--url needs the admin token: --token-file FILE or CONFAB_ADMIN_TOKEN"));
    return d;
}

} // namespace confab::console
