#pragma once

#include <QJsonObject>
#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;

namespace confab::console
{

class AdminRest;
class AppsModel;

// The apps of the deployment: settings and live figures; create, edit, delete (after a
// confirmation naming what goes with it), and each app's API keys.
class AppsPage : public QWidget
{
    Q_OBJECT

public:
    AppsPage(AdminRest *rest, QWidget *parent = nullptr);

    [[nodiscard]] AppsModel *model() const { return m_model; }
    [[nodiscard]] QTableView *view() const { return m_view; }
    [[nodiscard]] QString messageText() const;
    [[nodiscard]] QString selectedAppId() const;
    void selectApp(const QString &appId);

    void refresh();
    void createApp(const QJsonObject &fields);
    void updateApp(const QString &appId, const QJsonObject &fields);
    // Asks the server what the app holds, then asks the user (confirmation names it all).
    void askDelete(const QString &appId);
    void deleteApp(const QString &appId);
    // What the delete confirmation says for a GET /admin/apps/{id} answer.
    [[nodiscard]] static QString deleteQuestion(const QString &name, const QJsonObject &app);
    void showKeys(const QString &appId);

Q_SIGNALS:
    // For tests: the confirmation dialog opened (it is modal; the test answers it).
    void deleteConfirmationShown(const QString &text);

private:
    void showAppDialog(const QString &appId);
    void updateButtons();
    void setMessage(const QString &text);

    AdminRest *m_rest;
    AppsModel *m_model;
    QTableView *m_view;
    QLabel *m_message;
    QPushButton *m_edit;
    QPushButton *m_delete;
    QPushButton *m_keys;
};

} // namespace confab::console
