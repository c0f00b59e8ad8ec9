#include "widgets/appdialog.h"

#include "core/appsmodel.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QIntValidator>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

namespace confab::console
{

QList<QPair<QString, qint64>> AppDialog::limitDefaults()
{
    return { { QStringLiteral("user_msgs_per_min"), 60 }, { QStringLiteral("app_msgs_per_s"), 1000 },
        { QStringLiteral("conns_per_user_per_10s"), 5 }, { QStringLiteral("client_buffer_soft"), 1048576 },
        { QStringLiteral("client_buffer_hard"), 8388608 }, { QStringLiteral("max_inflight_per_conn"), 64 },
        { QStringLiteral("max_sessions_per_key"), 100 }, { QStringLiteral("user_convos_per_min"), 30 },
        { QStringLiteral("app_convos_per_s"), 100 } };
}

AppDialog::AppDialog(const AppRow *row, QWidget *parent)
    : QDialog(parent)
    , m_appId(row ? row->appId : QString())
{
    setObjectName(QStringLiteral("appDialog"));
    setWindowTitle(row ? tr("Edit app %1").arg(row->name) : tr("New app"));
    m_name = new QLineEdit(row ? row->name : QString(), this);
    m_name->setObjectName(QStringLiteral("appNameEdit"));
    m_name->setAccessibleName(tr("App name"));
    m_name->setMaxLength(200);
    m_issuer = new QLineEdit(row ? row->oidcIssuer : QString(), this);
    m_issuer->setObjectName(QStringLiteral("issuerEdit"));
    m_issuer->setAccessibleName(tr("OIDC issuer"));
    m_issuer->setPlaceholderText(tr("none (https://login.example.com/)"));
    m_audience = new QLineEdit(row ? row->oidcAudience : QString(), this);
    m_audience->setObjectName(QStringLiteral("audienceEdit"));
    m_audience->setAccessibleName(tr("OIDC audience"));

    auto *form = new QFormLayout;
    auto addRow = [this, form](const QString &text, QWidget *field) {
        auto *label = new QLabel(text, this);
        label->setBuddy(field);
        form->addRow(label, field);
    };
    addRow(tr("&Name:"), m_name);
    addRow(tr("OIDC &issuer:"), m_issuer);
    addRow(tr("OIDC &audience:"), m_audience);

    auto *limitsBox = new QGroupBox(tr("Limits (empty: the node's default; 0 disables)"), this);
    auto *limitsForm = new QFormLayout(limitsBox);
    const QLocale locale;
    for (const auto &[key, def] : limitDefaults()) {
        auto *edit = new QLineEdit(this);
        edit->setObjectName(QStringLiteral("limit_") + key);
        edit->setAccessibleName(key);
        edit->setValidator(new QIntValidator(0, std::numeric_limits<int>::max(), edit));
        edit->setPlaceholderText(tr("default %1").arg(locale.toString(def)));
        if (row && row->limits.contains(key))
            edit->setText(QString::number(qint64(row->limits.value(key).toDouble())));
        auto *label = new QLabel(key + QLatin1Char(':'), this);
        label->setBuddy(edit);
        limitsForm->addRow(label, edit);
        m_limits.insert(key, edit);
    }

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("appDialogMessage"));
    m_message->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton *ok = buttons->addButton(row ? tr("&Save") : tr("C&reate"), QDialogButtonBox::AcceptRole);
    ok->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &AppDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &AppDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(limitsBox);
    layout->addWidget(m_message);
    layout->addWidget(buttons);
}

QJsonObject AppDialog::fields() const
{
    QJsonObject limits;
    for (auto it = m_limits.cbegin(); it != m_limits.cend(); ++it)
        if (!it.value()->text().trimmed().isEmpty())
            limits.insert(it.key(), double(it.value()->text().trimmed().toLongLong()));
    return QJsonObject { { QStringLiteral("name"), m_name->text().trimmed() },
        { QStringLiteral("oidc_issuer"), m_issuer->text().trimmed() },
        { QStringLiteral("oidc_audience"), m_audience->text().trimmed() },
        { QStringLiteral("limits"), limits } };
}

void AppDialog::setMessage(const QString &text)
{
    m_message->setText(text);
}

void AppDialog::accept()
{
    // The server checks too; these catch the common slips before a round trip.
    if (m_name->text().trimmed().isEmpty()) {
        setMessage(tr("Enter a name."));
        return;
    }
    const QString issuer = m_issuer->text().trimmed();
    if (!issuer.isEmpty()) {
        const QUrl u(issuer);
        if (!u.isValid() || (u.scheme() != QLatin1String("https") && u.scheme() != QLatin1String("http")) || u.host().isEmpty()) {
            setMessage(tr("The OIDC issuer must be an http(s) URL."));
            return;
        }
        if (m_audience->text().trimmed().isEmpty()) {
            setMessage(tr("An OIDC issuer needs an audience."));
            return;
        }
    }
    QDialog::accept();
}

} // namespace confab::console
