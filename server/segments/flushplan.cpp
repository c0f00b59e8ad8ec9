#include "segments/flushplan.h"

#include <algorithm>

namespace confab::segments
{

FlushPick planFlush(const QList<PendingStream> &streams, const FlushPolicy &policy,
    qint64 nowMs, qint64 recordBytes, qint64 growth)
{
    qint64 waiting = 0;
    bool old = false;
    bool retrying = false;
    for (const PendingStream &s : streams) {
        waiting += s.waiting;
        old = old || s.sinceMs <= nowMs - policy.maxAgeMs;
        retrying = retrying || s.retrying;
    }
    const int accumulate = std::max(1, policy.accumulate);
    const bool full = (waiting + growth) * recordBytes >= accumulate * policy.maxBytes;
    if (!old && !retrying && !full)
        return {};

    FlushPick out;
    out.convos.reserve(streams.size());
    const auto take = [&out](const PendingStream &s) {
        out.convos.append(s.convoId);
        out.waiting += s.waiting;
    };
    QList<const PendingStream *> rest;
    for (const PendingStream &s : streams) {
        if (accumulate == 1 || s.retrying || s.sinceMs <= nowMs - policy.maxAgeMs / 2)
            take(s);
        else
            rest.append(&s);
    }
    // Oldest first: the pending set's score is right whichever node flushed last, where the
    // waiting counts of conversations another node flushed are this node's stale guess.
    std::sort(rest.begin(), rest.end(), [](const PendingStream *a, const PendingStream *b) {
        return a->sinceMs != b->sinceMs ? a->sinceMs < b->sinceMs : a->waiting > b->waiting;
    });
    for (const PendingStream *s : rest) {
        if (out.waiting * recordBytes >= policy.maxBytes)
            break;
        take(*s);
    }
    return out;
}

qint64 nextScanMs(const QList<AppOutlook> &apps, qint64 retryAtMs, const FlushPolicy &policy,
    qint64 nowMs, qint64 tickMs, qint64 maxGapMs)
{
    if (maxGapMs <= 0)
        return nowMs;
    qint64 at = std::min(nowMs + maxGapMs, retryAtMs);
    const qint64 threshold = std::max(1, policy.accumulate) * policy.maxBytes;
    for (const AppOutlook &a : apps) {
        if (a.oldestSinceMs != std::numeric_limits<qint64>::max())
            at = std::min(at, a.oldestSinceMs + policy.maxAgeMs);
        if (a.growth <= 0)
            continue;
        const qint64 bytes = std::max<qint64>(1, a.recordBytes);
        // Ticks from now until planFlush would find it due: (waiting + growth * (k + 1)) * bytes
        // reaches the threshold.
        const qint64 missing = (threshold + bytes - 1) / bytes - a.waiting - a.growth;
        const qint64 ticks = missing <= 0 ? 0 : (missing + a.growth - 1) / a.growth;
        at = std::min(at, nowMs + ticks * tickMs);
    }
    return at;
}

TailReads planTailReads(qsizetype conversations, qint64 roundBytes, qint64 callBytes,
    qint64 aheadBytes, qsizetype maxWindow)
{
    TailReads reads;
    reads.share = std::clamp<qint64>(
        roundBytes / std::max<qsizetype>(conversations, 1), 1, std::max<qint64>(callBytes, 1));
    reads.window = qsizetype(
        std::clamp<qint64>(aheadBytes / reads.share, 1, std::max<qsizetype>(maxWindow, 1)));
    return reads;
}

} // namespace confab::segments
