#include "widgets/conversationpage.h"

#include "core/adminclient.h"
#include "core/format.h"
#include "core/membersmodel.h"
#include "core/messagesmodel.h"
#include "core/roles.h"

#include <QComboBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace confab::console
{

namespace
{
constexpr int kPageSize = 50;

QTableView *makeTable(QAbstractItemModel *model, const QString &name, const QString &accessible, QWidget *parent)
{
    auto *proxy = new QSortFilterProxyModel(parent);
    proxy->setSourceModel(model);
    proxy->setSortRole(SortRole);
    auto *view = new QTableView(parent);
    view->setObjectName(name);
    view->setAccessibleName(accessible);
    view->setModel(proxy);
    view->setSortingEnabled(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setAlternatingRowColors(true);
    view->verticalHeader()->hide();
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    view->horizontalHeader()->setStretchLastSection(true);
    return view;
}
} // namespace

ConversationPage::ConversationPage(AdminClient *client, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
{
    setObjectName(QStringLiteral("conversationPage"));
    m_members = new MembersModel(this);
    m_messages = new MessagesModel(this);

    m_app = new QComboBox(this);
    m_app->setObjectName(QStringLiteral("conversationAppBox"));
    m_app->setEditable(true);
    m_app->setMinimumContentsLength(30);
    m_app->setAccessibleName(tr("App"));
    m_convo = new QLineEdit(this);
    m_convo->setObjectName(QStringLiteral("conversationIdEdit"));
    m_convo->setPlaceholderText(tr("conversation id"));
    m_convo->setAccessibleName(tr("Conversation id"));
    m_inspect = new QPushButton(QIcon(QStringLiteral(":/icons/refresh.svg")), tr("&Inspect"), this);
    m_inspect->setObjectName(QStringLiteral("inspectButton"));
    m_inspect->setDefault(true);

    m_info = new QLabel(tr("Choose an app and a conversation."), this);
    m_info->setObjectName(QStringLiteral("conversationInfo"));
    m_info->setWordWrap(true);
    m_info->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_flush = new QLabel(this);
    m_flush->setObjectName(QStringLiteral("conversationFlush"));
    m_flush->setWordWrap(true);

    m_membersView = makeTable(m_members, QStringLiteral("membersView"), tr("Members"), this);
    m_membersView->sortByColumn(MembersModel::UserColumn, Qt::AscendingOrder);
    m_messagesView = makeTable(m_messages, QStringLiteral("messagesView"), tr("Messages"), this);
    m_messagesView->sortByColumn(MessagesModel::SeqColumn, Qt::AscendingOrder);

    m_read = new QPushButton(tr("&Read messages"), this);
    m_read->setObjectName(QStringLiteral("readMessagesButton"));
    m_read->setToolTip(tr("Show the newest messages; the server logs this read with your operator name"));
    m_older = new QPushButton(tr("&Older"), this);
    m_older->setObjectName(QStringLiteral("olderButton"));
    m_older->setToolTip(tr("Show the page before the oldest message shown"));
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("conversationStatus"));
    m_status->setWordWrap(true);

    auto *find = new QHBoxLayout;
    find->addWidget(new QLabel(tr("App:"), this));
    find->addWidget(m_app, 2);
    find->addWidget(new QLabel(tr("Conversation:"), this));
    find->addWidget(m_convo, 1);
    find->addWidget(m_inspect);

    auto *membersBox = new QGroupBox(tr("Members and watermarks"), this);
    auto *membersLayout = new QVBoxLayout(membersBox);
    membersLayout->addWidget(m_membersView);
    auto *messagesBox = new QGroupBox(tr("Messages"), this);
    auto *messagesLayout = new QVBoxLayout(messagesBox);
    auto *messagesBar = new QHBoxLayout;
    messagesBar->addWidget(m_read);
    messagesBar->addWidget(m_older);
    messagesBar->addStretch(1);
    messagesLayout->addLayout(messagesBar);
    messagesLayout->addWidget(m_messagesView);
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(membersBox);
    split->addWidget(messagesBox);
    split->setStretchFactor(1, 2);
    split->setSizes({ 440, 660 });

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(find);
    layout->addWidget(m_info);
    layout->addWidget(m_flush);
    layout->addWidget(split, 1);
    layout->addWidget(m_status);

    connect(m_inspect, &QPushButton::clicked, this, &ConversationPage::inspect);
    connect(m_convo, &QLineEdit::returnPressed, this, &ConversationPage::inspect);
    connect(m_convo, &QLineEdit::textChanged, this, &ConversationPage::updateButtons);
    connect(m_app, &QComboBox::currentTextChanged, this, &ConversationPage::updateButtons);
    connect(m_read, &QPushButton::clicked, this, &ConversationPage::readMessages);
    connect(m_older, &QPushButton::clicked, this, &ConversationPage::readOlder);
    updateButtons();
}

QString ConversationPage::infoText() const
{
    return m_info->text();
}

QString ConversationPage::flushText() const
{
    return m_flush->text();
}

QString ConversationPage::statusText() const
{
    return m_status->text();
}

void ConversationPage::setKnownApps(const QStringList &appIds)
{
    for (const QString &id : appIds) {
        if (m_app->findText(id) < 0)
            m_app->addItem(id);
    }
}

void ConversationPage::setConversation(const QString &appId, const QString &convoId)
{
    m_app->setCurrentText(appId);
    m_convo->setText(convoId);
}

void ConversationPage::clear()
{
    m_members->clear();
    m_messages->clear();
    m_status->clear();
    showInfo();
    updateButtons();
}

void ConversationPage::inspect()
{
    const QString app = m_app->currentText().trimmed();
    const QString convo = m_convo->text().trimmed();
    if (app.isEmpty() || convo.isEmpty() || m_busy)
        return;
    m_busy = true;
    updateButtons();
    if (m_members->info().convoId != convo || m_members->info().appId != app)
        m_messages->clear();
    AdminReply *reply = m_client->inspectConversation(app, convo);
    connect(reply, &AdminReply::finished, this, [this, reply] {
        m_busy = false;
        if (reply->isOk()) {
            m_members->setConversation(reply->response());
            m_status->clear();
        } else {
            m_members->clear();
            m_messages->clear();
            m_status->setText(tr("Inspection failed: %1").arg(reply->error().message));
        }
        showInfo();
        updateButtons();
        Q_EMIT inspectFinished();
    });
}

void ConversationPage::showInfo()
{
    const ConversationInfo &i = m_members->info();
    if (i.convoId.isEmpty()) {
        m_info->setText(tr("Choose an app and a conversation."));
        m_flush->clear();
        return;
    }
    const QLocale locale;
    const QString kind = i.kind == QLatin1String("direct") ? tr("direct") : tr("group");
    m_info->setText(tr("%1 conversation “%2”, owner %3, created %4; last seq_no %5; %n member(s).", nullptr, i.membersTotal)
                        .arg(kind, i.title.isEmpty() ? tr("untitled") : i.title, i.ownerId.isEmpty() ? tr("none") : i.ownerId,
                            Format::dateTime(i.createdMs), locale.toString(i.lastSeq)));
    const QString oldest = i.oldestUnflushedMs < 0 ? tr("nothing waits")
                                                   : tr("the oldest waits for %1").arg(Format::duration(i.oldestUnflushedMs));
    m_flush->setText(tr("Flushed through seq_no %1; %2 unflushed; %3 entries in the Redis tail; %4.")
                         .arg(locale.toString(i.flushedSeq), locale.toString(i.unflushed), locale.toString(i.streamDepth), oldest));
}

void ConversationPage::readMessages()
{
    requestMessages(0);
}

void ConversationPage::readOlder()
{
    if (m_messages->nextBeforeSeq() > 0)
        requestMessages(m_messages->nextBeforeSeq());
}

void ConversationPage::requestMessages(qint64 beforeSeq)
{
    const ConversationInfo &i = m_members->info();
    if (i.convoId.isEmpty() || m_busy)
        return;
    m_busy = true;
    updateButtons();
    AdminReply *reply = m_client->conversationMessages(i.appId, i.convoId, beforeSeq, kPageSize);
    connect(reply, &AdminReply::finished, this, [this, reply, beforeSeq] {
        m_busy = false;
        if (reply->isOk()) {
            if (beforeSeq > 0) {
                m_messages->prependOlder(reply->response());
                m_messagesView->scrollToTop();
            } else {
                m_messages->setLatest(reply->response());
                m_messagesView->scrollToBottom();
            }
            m_status->setText(tr("%n message(s) shown; this read is logged on the server as %1.", nullptr,
                                  m_messages->rowCount())
                                  .arg(m_client->operatorName()));
        } else {
            m_status->setText(tr("Reading messages failed: %1").arg(reply->error().message));
        }
        updateButtons();
        Q_EMIT messagesFinished();
    });
}

void ConversationPage::updateButtons()
{
    m_inspect->setEnabled(!m_busy && !m_app->currentText().trimmed().isEmpty() && !m_convo->text().trimmed().isEmpty());
    m_read->setEnabled(!m_busy && !m_members->info().convoId.isEmpty());
    m_older->setEnabled(!m_busy && m_messages->nextBeforeSeq() > 0);
}

} // namespace confab::console
