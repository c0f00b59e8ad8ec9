#include "core/appsmodel.h"

#include "core/format.h"
#include "core/roles.h"

#include <QJsonArray>
#include <QLocale>

namespace confab::console
{

AppsModel::AppsModel(QObject *parent)
    : KeyedTableModel<AppRow>(parent)
{
}

void AppsModel::setApps(const QJsonObject &listAnswer)
{
    QList<AppRow> rows;
    const QJsonArray apps = listAnswer.value(QLatin1String("apps")).toArray();
    for (const QJsonValue &v : apps) {
        const QJsonObject o = v.toObject();
        AppRow r;
        r.appId = o.value(QLatin1String("app_id")).toString();
        if (r.appId.isEmpty())
            continue;
        r.name = o.value(QLatin1String("name")).toString();
        r.oidcIssuer = o.value(QLatin1String("oidc_issuer")).toString();
        r.oidcAudience = o.value(QLatin1String("oidc_audience")).toString();
        r.limits = o.value(QLatin1String("limits")).toObject();
        r.createdMs = qint64(o.value(QLatin1String("created_ms")).toDouble());
        if (const AppRow *old = row(r.appId)) {
            r.connections = old->connections;
            r.ingestPerS = old->ingestPerS;
            r.deadLetters = old->deadLetters;
        }
        rows.append(r);
    }
    mergeAndNotify(rows);
}

void AppsModel::setStats(const QList<AppStats> &apps)
{
    if (apps.isEmpty())
        return; // a server without the addition: keep what the list said
    QHash<QString, const AppStats *> byId;
    for (const AppStats &a : apps)
        byId.insert(a.appId, &a);
    QList<AppRow> rows;
    for (const AppRow &old : std::as_const(m_rows)) {
        const AppStats *a = byId.take(old.appId);
        if (!a)
            continue; // deleted (the frame lists every app)
        AppRow r = old;
        r.name = a->name;
        r.connections = a->connections;
        r.ingestPerS = a->ingestPerS;
        r.deadLetters = a->deadLetters;
        rows.append(r);
    }
    for (const AppStats &a : apps) {
        if (!byId.contains(a.appId))
            continue;
        rows.append(AppRow { a.appId, a.name, {}, {}, {}, 0, a.connections, a.ingestPerS, a.deadLetters });
    }
    mergeAndNotify(rows);
}

void AppsModel::clear()
{
    clearRows();
    if (!m_names.isEmpty()) {
        m_names.clear();
        Q_EMIT namesChanged();
    }
}

void AppsModel::mergeAndNotify(const QList<AppRow> &rows)
{
    mergeRows(rows);
    QHash<QString, QString> names;
    for (const AppRow &r : rows)
        names.insert(r.appId, r.name);
    if (names != m_names) {
        m_names = names;
        Q_EMIT namesChanged();
    }
}

QString AppsModel::nameOf(const QString &appId) const
{
    const QString n = m_names.value(appId);
    return n.isEmpty() ? appId : n;
}

const AppRow *AppsModel::row(const QString &appId) const
{
    for (const AppRow &r : m_rows)
        if (r.appId == appId)
            return &r;
    return nullptr;
}

QString AppsModel::limitsText(const QJsonObject &limits)
{
    if (limits.isEmpty())
        return tr("defaults");
    QStringList parts;
    for (auto it = limits.begin(); it != limits.end(); ++it)
        parts.append(QStringLiteral("%1 %2").arg(it.key(), QLocale().toString(qint64(it.value().toDouble()))));
    return parts.join(QStringLiteral(", "));
}

int AppsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AppsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const AppRow &a = m_rows.at(index.row());
    const QLocale locale;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return a.name;
        case IdColumn:
            return a.appId;
        case IssuerColumn:
            return a.oidcIssuer.isEmpty() ? tr("none") : a.oidcIssuer;
        case AudienceColumn:
            return a.oidcAudience;
        case LimitsColumn:
            return limitsText(a.limits);
        case ConnectionsColumn:
            return locale.toString(a.connections);
        case IngestColumn:
            return Format::rate(a.ingestPerS);
        case DeadLettersColumn:
            return locale.toString(a.deadLetters);
        default:
            return {};
        }
    case SortRole:
        switch (index.column()) {
        case ConnectionsColumn:
            return a.connections;
        case IngestColumn:
            return a.ingestPerS;
        case DeadLettersColumn:
            return a.deadLetters;
        default:
            return data(index, Qt::DisplayRole);
        }
    case KeyRole:
    case AppIdRole:
        return a.appId;
    case Qt::ToolTipRole:
        if (index.column() == NameColumn)
            return tr("App id: %1").arg(a.appId);
        if (index.column() == LimitsColumn)
            return limitsText(a.limits);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() >= ConnectionsColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant AppsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Name");
    case IdColumn:
        return tr("App id");
    case IssuerColumn:
        return tr("OIDC issuer");
    case AudienceColumn:
        return tr("OIDC audience");
    case LimitsColumn:
        return tr("Limits");
    case ConnectionsColumn:
        return tr("Connections");
    case IngestColumn:
        return tr("Ingest");
    case DeadLettersColumn:
        return tr("Dead letters");
    default:
        return {};
    }
}

} // namespace confab::console
