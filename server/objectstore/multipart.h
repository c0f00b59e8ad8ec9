#pragma once

#include "confab/expected.h"

#include <QString>

#include <optional>

namespace confab::objectstore
{

// S3's ceiling on the parts of one upload.
inline constexpr int kMaxParts = 10000;

// How an upload of `size` bytes is cut into parts: part n (from 1) holds the bytes
// [(n-1) * partBytes, min(n * partBytes, size)). partBytes grows beyond the configured value
// when size would otherwise need more than kMaxParts parts.
struct PartPlan {
    qint64 size = 0;
    qint64 partBytes = 1;

    [[nodiscard]] static PartPlan forSize(qint64 size, qint64 configuredPartBytes);
    [[nodiscard]] int count() const;
    [[nodiscard]] qint64 offset(int partNumber) const;
    [[nodiscard]] qint64 length(int partNumber) const; // 0 outside 1..count()
};

// The upload id a client sees: the store's own id with the plan it was created for, so that a
// later request (list the parts, complete) knows the plan without server-side state:
// "<store id>~<size>~<part bytes>". The numbers are checked again against the limits when read
// back, and the completed object's size against the plan, so a client editing them gains
// nothing. The store id may hold any character but '~' is split from the right.
[[nodiscard]] QString encodeUploadId(const QString &storeUploadId, const PartPlan &plan);
struct DecodedUploadId {
    QString storeUploadId;
    PartPlan plan;
};
// NotFound when the text is not one encodeUploadId() could have made.
[[nodiscard]] Expected<DecodedUploadId> decodeUploadId(const QString &uploadId);

} // namespace confab::objectstore
