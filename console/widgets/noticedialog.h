#pragma once

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace confab::console
{

class AdminClient;

// "Send notice…": a system.notice to every session of one app or of every app, on every node
// (notice.send). Sending asks first, naming the scope (objectName "noticeConfirmation").
class NoticeDialog : public QDialog
{
    Q_OBJECT

public:
    static constexpr int kMaxChars = 1000; // the server's limit

    NoticeDialog(AdminClient *client, const QStringList &appIds, QWidget *parent = nullptr);

    // Empty: every app.
    void setScope(const QString &appId);
    void setMessage(const QString &code, const QString &message);
    [[nodiscard]] QString scopeText() const;
    [[nodiscard]] QString resultText() const;

    // Asks for confirmation, then sends; the dialog closes once the server accepted it.
    void send();

Q_SIGNALS:
    void sent(const QString &result);

private:
    void updateButtons();

    AdminClient *m_client;
    QComboBox *m_scope;
    QLineEdit *m_code;
    QPlainTextEdit *m_message;
    QLabel *m_count;
    QLabel *m_result;
    QPushButton *m_send;
    bool m_busy = false;
};

} // namespace confab::console
