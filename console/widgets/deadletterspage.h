#pragma once

#include <QStringList>
#include <QWidget>

class QLabel;
class QMessageBox;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace confab::console
{

class DeadLettersModel;

// Dead letters with retry and discard for the selected rows. Discard asks first, saying
// what it means, in a window-modal box that does not block the event loop.
class DeadLettersPage : public QWidget
{
    Q_OBJECT

public:
    explicit DeadLettersPage(QWidget *parent = nullptr);

    [[nodiscard]] DeadLettersModel *model() const { return m_model; }
    [[nodiscard]] QTableView *view() const { return m_view; }
    [[nodiscard]] QStringList selectedIds() const;
    // While a retry or discard runs its buttons are disabled.
    void setBusy(bool busy);

    void retrySelected();
    void discardSelected();

Q_SIGNALS:
    void retryRequested(const QStringList &ids);
    void discardRequested(const QStringList &ids);
    void refreshRequested();

private:
    void updateButtons();

    DeadLettersModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
    QPushButton *m_retry;
    QPushButton *m_discard;
    QPushButton *m_refresh;
    QLabel *m_empty;
    bool m_busy = false;
};

} // namespace confab::console
