#pragma once

#include "confab/expected.h"

#include <QList>
#include <QObject>
#include <QUrl>

#include <optional>

class QSettings;

namespace confab::console
{

// A saved server: where its admin WebSocket is. The admin token is not here on purpose.
struct Profile {
    QString name;
    QUrl url;
    // PEM CA certificates a wss:// server's certificate may also chain to (a private CA);
    // empty: the system store only.
    QString caFile = {};
};

// What --url, --token-file and CONFAB_ADMIN_TOKEN ask for (a start without a profile).
struct DirectConnection {
    QUrl url;
    QString token;
    QString caFile;
};

// Checks the command line's connection: a valid ws(s):// URL without credentials, a token
// from tokenFile (first line, trimmed) or else from envToken, a CA file only for wss://.
[[nodiscard]] Expected<DirectConnection> directConnection(const QString &url,
    const QString &tokenFile, const QString &envToken, const QString &caFile);

// Saved server profiles: name and URL in QSettings, the admin token in the system keychain
// (QtKeychain: Secret Service, KWallet, macOS Keychain, Windows Credential Store), never in
// the settings file. Keychain access is asynchronous: results arrive as signals.
class ProfileStore : public QObject
{
    Q_OBJECT

public:
    // settings is not owned and must outlive the store.
    explicit ProfileStore(QSettings *settings, QObject *parent = nullptr);

    [[nodiscard]] QList<Profile> profiles() const;
    [[nodiscard]] std::optional<Profile> profile(const QString &name) const;
    // Adds or replaces the profile of that name; the URL must be ws:// or wss:// with a host.
    Status saveProfile(const Profile &profile);
    // Also deletes its token from the keychain.
    void removeProfile(const QString &name);

    [[nodiscard]] QString lastProfile() const;
    void setLastProfile(const QString &name);

    void storeToken(const QString &profile, const QString &token);
    void loadToken(const QString &profile);

    [[nodiscard]] static QString keychainService();
    [[nodiscard]] static Status validate(const Profile &profile);

Q_SIGNALS:
    void profilesChanged();
    void tokenStored(const QString &profile);
    void tokenLoaded(const QString &profile, const QString &token);
    void tokenFailed(const QString &profile, const QString &message);

private:
    void writeProfiles(const QList<Profile> &profiles);

    QSettings *m_settings;
};

} // namespace confab::console
