#pragma once

#include "core/keyedtablemodel.h"
#include "core/stats.h"

#include <QJsonObject>

namespace confab::console
{

// One app as the apps page shows it: its settings (GET /admin/apps) and its live figures
// (the stats frame's "apps", docs/protocol.md).
struct AppRow {
    QString appId;
    QString name;
    QString oidcIssuer;
    QString oidcAudience;
    QJsonObject limits; // overrides only; a missing key means the node's [limits] default
    qint64 createdMs = 0;
    qint64 connections = 0;
    double ingestPerS = 0;
    qint64 deadLetters = 0;
};

// The apps of the deployment. Settings come from REST answers, figures from every stats frame;
// rows merge by app id (never reset), so selection and sorting survive.
class AppsModel : public KeyedTableModel<AppRow>
{
    Q_OBJECT

public:
    enum Column {
        NameColumn,
        IdColumn,
        IssuerColumn,
        AudienceColumn,
        LimitsColumn,
        ConnectionsColumn,
        IngestColumn,
        DeadLettersColumn,
        ColumnCount
    };

    explicit AppsModel(QObject *parent = nullptr);

    // The "apps" array of GET /admin/apps; keeps the figures already known.
    void setApps(const QJsonObject &listAnswer);
    // Figures of a stats frame; an app the frame names that the list lacks is added by name.
    void setStats(const QList<AppStats> &apps);
    void clear();

    // The app's name, or its id when unknown.
    [[nodiscard]] QString nameOf(const QString &appId) const;
    [[nodiscard]] const AppRow *row(const QString &appId) const;

    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QVariant headerData(
        int section, Qt::Orientation orientation, int role) const override;

    // "user_msgs_per_min 120, app_msgs_per_s 50" or "defaults".
    [[nodiscard]] static QString limitsText(const QJsonObject &limits);

Q_SIGNALS:
    // Names changed (an app added, renamed or gone): views showing app names refresh.
    void namesChanged();

protected:
    [[nodiscard]] QString keyOf(const AppRow &row) const override { return row.appId; }

private:
    void mergeAndNotify(const QList<AppRow> &rows);
    QHash<QString, QString> m_names;
};

} // namespace confab::console
