#pragma once

#include <QDialog>
#include <QUrl>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace confab::console
{

class ProfileStore;

// Picks a saved profile or enters a server by hand. The token field is filled from the
// keychain asynchronously; saving writes URL to settings and token to the keychain.
class ConnectDialog : public QDialog
{
    Q_OBJECT

public:
    explicit ConnectDialog(ProfileStore *profiles, QWidget *parent = nullptr);

    [[nodiscard]] QString profileName() const;
    [[nodiscard]] QUrl url() const;
    [[nodiscard]] QString token() const;
    // PEM CA certificates to trust for a wss:// URL besides the system store; may be empty.
    [[nodiscard]] QString caFile() const;

    void accept() override;

private:
    void reloadProfiles(const QString &select);
    void onProfileChosen(int index);
    void removeCurrentProfile();
    void updateButtons();
    void chooseCaFile();

    ProfileStore *m_profiles;
    QComboBox *m_profileBox;
    QLineEdit *m_name;
    QLineEdit *m_url;
    QLineEdit *m_token;
    QLineEdit *m_caFile;
    QCheckBox *m_save;
    QPushButton *m_remove;
    QPushButton *m_connect;
    QLabel *m_message;
};

} // namespace confab::console
