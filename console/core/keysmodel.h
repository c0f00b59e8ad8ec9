#pragma once

#include "core/keyedtablemodel.h"

#include <QJsonObject>

namespace confab::console
{

// One API key as GET /admin/apps/{app_id}/keys lists it (never its secret).
struct KeyRow {
    QString keyId;
    QString label;
    qint64 createdMs = 0;
    qint64 lastUsedMs = 0; // 0: the server does not say
    qint64 expiresMs = 0;  // 0: no expiry (not rotated)
};

// The keys of one app.
class KeysModel : public KeyedTableModel<KeyRow>
{
    Q_OBJECT

public:
    enum Column { LabelColumn, IdColumn, CreatedColumn, LastUsedColumn, ExpiresColumn, ColumnCount };

    explicit KeysModel(QObject *parent = nullptr);

    // The answer of GET /admin/apps/{app_id}/keys.
    void setKeys(const QJsonObject &listAnswer);
    void clear();

    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QVariant headerData(
        int section, Qt::Orientation orientation, int role) const override;

protected:
    [[nodiscard]] QString keyOf(const KeyRow &row) const override { return row.keyId; }
};

} // namespace confab::console
