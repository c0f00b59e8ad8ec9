#pragma once

#include <QDialog>
#include <QHash>
#include <QJsonObject>

class QLabel;
class QLineEdit;
class QSpinBox;

namespace confab::console
{

struct AppRow;

// Create or edit an app: name, OIDC issuer and audience, and each per-app limit with the
// default it has when left empty (docs/protocol.md section 10).
class AppDialog : public QDialog
{
    Q_OBJECT

public:
    // row null: a new app.
    explicit AppDialog(const AppRow *row, QWidget *parent = nullptr);

    // The body of POST /admin/apps or PATCH /admin/apps/{id}: every field, limits that are set.
    [[nodiscard]] QJsonObject fields() const;
    [[nodiscard]] QString appId() const { return m_appId; }
    void setMessage(const QString &text);

    // The per-app limits and their [limits] defaults, in the order the form shows them.
    [[nodiscard]] static QList<QPair<QString, qint64>> limitDefaults();

    void accept() override;

private:
    QString m_appId;
    QLineEdit *m_name;
    QLineEdit *m_issuer;
    QLineEdit *m_audience;
    QHash<QString, QLineEdit *> m_limits;
    QLabel *m_message;
};

} // namespace confab::console
