#pragma once

#include <QDialog>
#include <QPointer>

class QLabel;
class QPushButton;
class QTableView;

namespace confab::console
{

class AdminRest;
class KeysModel;

// The API keys of one app: list, issue, rotate with a grace period, revoke. A new key's secret
// is shown once (NewKeyDialog), with a copy button; the server cannot show it again.
class KeysDialog : public QDialog
{
    Q_OBJECT

public:
    KeysDialog(AdminRest *rest, const QString &appId, const QString &appName, QWidget *parent = nullptr);

    [[nodiscard]] KeysModel *model() const { return m_model; }
    [[nodiscard]] QTableView *view() const { return m_view; }
    [[nodiscard]] QString messageText() const;

    void refresh();
    void issue(const QString &label);
    void rotateSelected(qint64 graceS);
    void revokeSelected();

Q_SIGNALS:
    // The secret of a key just issued or rotated in (for tests; the dialog shows it).
    void keyShown(const QString &keyId, const QString &apiKey);

private:
    void askIssue();
    void askRotate();
    void askRevoke();
    void showNewKey(const QJsonObject &answer);
    [[nodiscard]] QString selectedKeyId() const;
    void updateButtons();

    AdminRest *m_rest;
    QString m_appId;
    KeysModel *m_model;
    QTableView *m_view;
    QLabel *m_message;
    QPushButton *m_rotate;
    QPushButton *m_revoke;
};

// Shows a new API key once: read-only, selectable, a copy button, and the warning.
class NewKeyDialog : public QDialog
{
    Q_OBJECT

public:
    NewKeyDialog(const QString &keyId, const QString &apiKey, QWidget *parent = nullptr);
};

} // namespace confab::console
