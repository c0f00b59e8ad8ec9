#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace confab::console
{

class AdminClient;
class MembersModel;
class MessagesModel;

// The conversation inspector: an app and a conversation id give its kind, title, members with
// their delivered and read watermarks, and its flush state (conversation.inspect); "Read
// messages" shows the newest page and "Older" pages backwards (conversation.messages, tail and
// segments as one). Reading is an audited action: the server logs it with the operator name.
class ConversationPage : public QWidget
{
    Q_OBJECT

public:
    explicit ConversationPage(AdminClient *client, QWidget *parent = nullptr);

    [[nodiscard]] MembersModel *membersModel() const { return m_members; }
    [[nodiscard]] MessagesModel *messagesModel() const { return m_messages; }
    [[nodiscard]] QString infoText() const;
    [[nodiscard]] QString flushText() const;
    [[nodiscard]] QString statusText() const;
    void setKnownApps(const QStringList &appIds);
    void setConversation(const QString &appId, const QString &convoId);
    // Forgets the shown conversation (the console disconnected).
    void clear();

    void inspect();
    void readMessages();
    void readOlder();

Q_SIGNALS:
    void inspectFinished();
    void messagesFinished();

private:
    void showInfo();
    void updateButtons();
    void requestMessages(qint64 beforeSeq);

    AdminClient *m_client;
    MembersModel *m_members;
    MessagesModel *m_messages;
    QComboBox *m_app;
    QLineEdit *m_convo;
    QPushButton *m_inspect;
    QLabel *m_info;
    QLabel *m_flush;
    QTableView *m_membersView;
    QTableView *m_messagesView;
    QPushButton *m_read;
    QPushButton *m_older;
    QLabel *m_status;
    bool m_busy = false;
};

} // namespace confab::console
