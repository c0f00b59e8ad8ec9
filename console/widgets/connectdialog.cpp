#include "widgets/connectdialog.h"

#include "core/adminclient.h"
#include "core/profilestore.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace confab::console
{

namespace
{
const QString kDefaultUrl = QStringLiteral("ws://127.0.0.1:8081/admin/ws");
} // namespace

ConnectDialog::ConnectDialog(ProfileStore *profiles, QWidget *parent)
    : QDialog(parent)
    , m_profiles(profiles)
{
    setWindowTitle(tr("Connect to a Confab node"));
    setObjectName(QStringLiteral("connectDialog"));

    m_profileBox = new QComboBox(this);
    m_profileBox->setObjectName(QStringLiteral("profileBox"));
    m_profileBox->setAccessibleName(tr("Saved profile"));
    m_remove = new QPushButton(tr("&Remove"), this);
    m_remove->setAccessibleName(tr("Remove the saved profile"));
    auto *profileRow = new QHBoxLayout;
    profileRow->addWidget(m_profileBox, 1);
    profileRow->addWidget(m_remove);

    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("nameEdit"));
    m_name->setAccessibleName(tr("Profile name"));
    m_name->setPlaceholderText(tr("production eu-1"));
    m_url = new QLineEdit(this);
    m_url->setObjectName(QStringLiteral("urlEdit"));
    m_url->setAccessibleName(tr("Admin WebSocket URL"));
    m_url->setPlaceholderText(kDefaultUrl);
    m_token = new QLineEdit(this);
    m_token->setObjectName(QStringLiteral("tokenEdit"));
    m_token->setAccessibleName(tr("Admin token"));
    m_token->setEchoMode(QLineEdit::Password);
    m_caFile = new QLineEdit(this);
    m_caFile->setObjectName(QStringLiteral("caFileEdit"));
    m_caFile->setAccessibleName(tr("CA certificate file"));
    m_caFile->setPlaceholderText(tr("System certificate store"));
    m_caFile->setToolTip(tr("For a wss:// URL whose certificate comes from a private CA: a PEM "
                            "file with that CA's certificate. The server's certificate is always "
                            "verified."));
    auto *browse = new QPushButton(tr("&Browse…"), this);
    browse->setAccessibleName(tr("Choose a CA certificate file"));
    auto *caRow = new QHBoxLayout;
    caRow->addWidget(m_caFile, 1);
    caRow->addWidget(browse);
    m_save = new QCheckBox(tr("&Save this profile (the token goes to the system keychain)"), this);
    m_save->setObjectName(QStringLiteral("saveCheck"));
    m_save->setChecked(true);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setAccessibleName(tr("Connection dialog message"));

    auto *form = new QFormLayout;
    // A label with a mnemonic needs its buddy, or the ampersand is shown as text; rows made
    // of a layout get no buddy from QFormLayout, so these two are labelled by hand.
    auto *profileLabel = new QLabel(tr("&Profile:"), this);
    profileLabel->setBuddy(m_profileBox);
    form->addRow(profileLabel, profileRow);
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&URL:"), m_url);
    form->addRow(tr("Admin &token:"), m_token);
    auto *caLabel = new QLabel(tr("CA &file (wss://):"), this);
    caLabel->setBuddy(m_caFile);
    form->addRow(caLabel, caRow);
    form->addRow(QString(), m_save);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_connect = buttons->addButton(tr("&Connect"), QDialogButtonBox::AcceptRole);
    m_connect->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &ConnectDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ConnectDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_message);
    layout->addWidget(buttons);

    connect(m_profileBox, &QComboBox::currentIndexChanged, this, &ConnectDialog::onProfileChosen);
    connect(m_remove, &QPushButton::clicked, this, &ConnectDialog::removeCurrentProfile);
    connect(browse, &QPushButton::clicked, this, &ConnectDialog::chooseCaFile);
    connect(m_url, &QLineEdit::textChanged, this, &ConnectDialog::updateButtons);
    connect(m_token, &QLineEdit::textChanged, this, &ConnectDialog::updateButtons);
    connect(m_profiles, &ProfileStore::tokenLoaded, this,
        [this](const QString &profile, const QString &token) {
            if (profile == m_name->text())
                m_token->setText(token);
        });
    connect(m_profiles, &ProfileStore::tokenFailed, this,
        [this](const QString &, const QString &message) { m_message->setText(message); });

    reloadProfiles(m_profiles->lastProfile());
    resize(520, sizeHint().height());
    updateButtons();
}

QString ConnectDialog::profileName() const
{
    return m_name->text().trimmed();
}

QUrl ConnectDialog::url() const
{
    return QUrl(m_url->text().trimmed());
}

QString ConnectDialog::token() const
{
    return m_token->text();
}

QString ConnectDialog::caFile() const
{
    return m_caFile->text().trimmed();
}

void ConnectDialog::chooseCaFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("CA certificate"), caFile(),
        tr("PEM certificates (*.pem *.crt);;All files (*)"));
    if (!path.isEmpty())
        m_caFile->setText(path);
}

void ConnectDialog::accept()
{
    const QUrl u = QUrl(m_url->text().trimmed());
    const Profile p { profileName().isEmpty() ? u.host() : profileName(), u, caFile() };
    if (!p.caFile.isEmpty() && u.scheme() != QLatin1String("wss")) {
        m_message->setText(tr("A CA file is for wss:// URLs only."));
        return;
    }
    if (Status ok = ProfileStore::validate(p); !ok) {
        m_message->setText(tr("Enter a ws:// or wss:// URL with a host and no credentials, "
                              "for example ws://127.0.0.1:8081/admin/ws."));
        return;
    }
    if (!p.caFile.isEmpty()) {
        if (const auto certs = readCaFile(p.caFile); !certs) {
            m_message->setText(certs.error().message);
            return;
        }
    }
    if (m_save->isChecked()) {
        if (Status ok = m_profiles->saveProfile(p); ok)
            m_profiles->storeToken(p.name, token());
    }
    m_profiles->setLastProfile(p.name);
    m_name->setText(p.name);
    QDialog::accept();
}

void ConnectDialog::reloadProfiles(const QString &select)
{
    const QSignalBlocker blocker(m_profileBox);
    m_profileBox->clear();
    m_profileBox->addItem(tr("New profile"));
    int selected = 0;
    for (const Profile &p : m_profiles->profiles()) {
        m_profileBox->addItem(p.name, p.name);
        if (p.name == select)
            selected = m_profileBox->count() - 1;
    }
    m_profileBox->setCurrentIndex(selected);
    onProfileChosen(selected);
}

void ConnectDialog::onProfileChosen(int index)
{
    m_message->clear();
    m_token->clear();
    const QString name = m_profileBox->itemData(index).toString();
    const std::optional<Profile> p = m_profiles->profile(name);
    if (!p) {
        m_name->clear();
        // A new profile starts from the usual local node (the internal listener's default).
        m_url->setText(kDefaultUrl);
        m_caFile->clear();
        m_remove->setEnabled(false);
        return;
    }
    m_name->setText(p->name);
    m_url->setText(p->url.toString());
    m_caFile->setText(p->caFile);
    m_remove->setEnabled(true);
    m_profiles->loadToken(p->name);
}

void ConnectDialog::removeCurrentProfile()
{
    const QString name = m_profileBox->currentData().toString();
    if (name.isEmpty())
        return;
    m_profiles->removeProfile(name);
    reloadProfiles(QString());
    m_message->setText(tr("Removed profile %1 and its token.").arg(name));
}

void ConnectDialog::updateButtons()
{
    m_connect->setEnabled(!m_url->text().trimmed().isEmpty() && !m_token->text().isEmpty());
}

} // namespace confab::console
