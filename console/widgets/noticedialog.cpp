#include "widgets/noticedialog.h"

#include "core/adminclient.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QVBoxLayout>

namespace confab::console
{

NoticeDialog::NoticeDialog(AdminClient *client, const QStringList &appIds, QWidget *parent)
    : QDialog(parent)
    , m_client(client)
{
    setObjectName(QStringLiteral("noticeDialog"));
    setWindowTitle(tr("Send notice"));
    m_scope = new QComboBox(this);
    m_scope->setObjectName(QStringLiteral("noticeScopeBox"));
    m_scope->setAccessibleName(tr("Send to"));
    m_scope->addItem(tr("Every app"), QString());
    for (const QString &id : appIds)
        m_scope->addItem(tr("App %1").arg(id), id);
    m_code = new QLineEdit(QStringLiteral("operator"), this);
    m_code->setObjectName(QStringLiteral("noticeCodeEdit"));
    m_code->setAccessibleName(tr("Code"));
    m_code->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[a-z][a-z0-9_]{0,63}")), m_code));
    m_code->setToolTip(tr("What clients may act on: a-z, 0-9 and _"));
    m_message = new QPlainTextEdit(this);
    m_message->setObjectName(QStringLiteral("noticeMessageEdit"));
    m_message->setAccessibleName(tr("Message"));
    m_message->setPlaceholderText(tr("What every session is told, e.g. “Maintenance at 22:00 UTC”"));
    m_count = new QLabel(this);
    m_result = new QLabel(this);
    m_result->setObjectName(QStringLiteral("noticeResult"));
    m_result->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("Send &to:"), m_scope);
    form->addRow(tr("&Code:"), m_code);
    form->addRow(tr("&Message:"), m_message);
    form->addRow(QString(), m_count);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_send = buttons->addButton(tr("&Send…"), QDialogButtonBox::AcceptRole);
    m_send->setObjectName(QStringLiteral("noticeSendButton"));
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_send, &QPushButton::clicked, this, &NoticeDialog::send);
    // AcceptRole would close the dialog at once: send() closes it once the server accepted.
    disconnect(buttons, &QDialogButtonBox::accepted, this, nullptr);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_result);
    layout->addWidget(buttons);

    connect(m_message, &QPlainTextEdit::textChanged, this, &NoticeDialog::updateButtons);
    connect(m_code, &QLineEdit::textChanged, this, &NoticeDialog::updateButtons);
    updateButtons();
}

void NoticeDialog::setScope(const QString &appId)
{
    const int i = m_scope->findData(appId);
    if (i >= 0)
        m_scope->setCurrentIndex(i);
}

void NoticeDialog::setMessage(const QString &code, const QString &message)
{
    m_code->setText(code);
    m_message->setPlainText(message);
}

QString NoticeDialog::scopeText() const
{
    return m_scope->currentText();
}

QString NoticeDialog::resultText() const
{
    return m_result->text();
}

void NoticeDialog::send()
{
    const QString message = m_message->toPlainText().trimmed();
    if (message.isEmpty() || message.size() > kMaxChars || m_busy)
        return;
    const QString appId = m_scope->currentData().toString();
    const QString code = m_code->text();
    const QString scope = appId.isEmpty() ? tr("every session of every app") : tr("every session of app %1").arg(appId);
    auto *box = new QMessageBox(QMessageBox::Question, tr("Send notice"), tr("Send this notice to %1?").arg(scope),
        QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("noticeConfirmation"));
    box->setInformativeText(message.left(200));
    QPushButton *yes = box->addButton(tr("Send"), QMessageBox::AcceptRole);
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowModality(Qt::WindowModal);
    connect(box, &QMessageBox::buttonClicked, this, [this, yes, appId, code, message, scope](QAbstractButton *b) {
        if (b != yes)
            return;
        m_busy = true;
        updateButtons();
        AdminReply *reply = m_client->sendNotice(appId, code, message);
        connect(reply, &AdminReply::finished, this, [this, reply, scope] {
            m_busy = false;
            updateButtons();
            if (reply->isOk()) {
                const QString result = tr("Notice sent to %1 (%n node(s) reached).", nullptr,
                    reply->response().value(QLatin1String("nodes_reached")).toInt())
                                           .arg(scope);
                m_result->setText(result);
                Q_EMIT sent(result);
                accept();
            } else {
                m_result->setText(tr("Sending failed: %1").arg(reply->error().message));
            }
        });
    });
    box->open();
}

void NoticeDialog::updateButtons()
{
    const int n = int(m_message->toPlainText().trimmed().size());
    m_count->setText(tr("%1 of %2 characters").arg(n).arg(kMaxChars));
    m_send->setEnabled(!m_busy && n > 0 && n <= kMaxChars && m_code->hasAcceptableInput());
}

} // namespace confab::console
