#pragma once

#include <Qt>

namespace confab::console
{

// Roles shared by the console's models. Views sort by SortRole so numbers sort as numbers.
enum ModelRole {
    SortRole = Qt::UserRole + 1,
    KeyRole, // the row's identity: node id, "app/convo", dead letter id
    BehindRole, // StreamsModel: bool, the stream falls behind
    AppIdRole = Qt::UserRole + 20, // streams, dead letters, apps: the row's app id (copyable)
};

} // namespace confab::console
