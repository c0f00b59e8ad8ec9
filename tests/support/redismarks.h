#pragma once

// Redis state that FlushWorker::recover() leaves behind, for tests that send through the accept
// script without running a flush worker. Header-only: include it from a test that links
// confab_schema (through confab_segments or confab_server).

#include "redis/keyslot.h"
#include "schema/pending.h"

#include <QByteArray>
#include <QList>

namespace confab::test
{

// One MSET of every slot's recovered marker (the accept script refuses on a slot without it).
// One Redis only: on a cluster MSET may not cross slots.
inline QList<QByteArray> markAllRecoveredCommand()
{
    QList<QByteArray> args;
    args.reserve(1 + 2 * redis::kSlotCount);
    args.append(QByteArrayLiteral("MSET"));
    for (int s = 0; s < redis::kSlotCount; ++s) {
        args.append(schema::recoveredKey(s));
        args.append(QByteArrayLiteral("1"));
    }
    return args;
}

} // namespace confab::test
