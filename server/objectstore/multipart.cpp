#include "objectstore/multipart.h"

#include <QStringList>

#include <algorithm>

namespace confab::objectstore
{

PartPlan PartPlan::forSize(qint64 size, qint64 configuredPartBytes)
{
    PartPlan p;
    p.size = std::max<qint64>(0, size);
    const qint64 needed = (p.size + kMaxParts - 1) / kMaxParts;
    p.partBytes = std::max<qint64>({ 1, configuredPartBytes, needed });
    return p;
}

int PartPlan::count() const
{
    if (size <= 0)
        return 1; // an empty object is one empty part
    return int((size + partBytes - 1) / partBytes);
}

qint64 PartPlan::offset(int partNumber) const
{
    return qint64(partNumber - 1) * partBytes;
}

qint64 PartPlan::length(int partNumber) const
{
    if (partNumber < 1 || partNumber > count())
        return 0;
    return std::min(partBytes, size - offset(partNumber));
}

QString encodeUploadId(const QString &storeUploadId, const PartPlan &plan)
{
    return QStringLiteral("%1~%2~%3")
        .arg(storeUploadId, QString::number(plan.size), QString::number(plan.partBytes));
}

Expected<DecodedUploadId> decodeUploadId(const QString &uploadId)
{
    const auto bad = [] { return Error::notFound(QStringLiteral("no such upload")); };
    const qsizetype second = uploadId.lastIndexOf(u'~');
    const qsizetype first = second > 0 ? uploadId.lastIndexOf(u'~', second - 1) : -1;
    if (first <= 0 || uploadId.size() > 2048)
        return bad();
    bool sizeOk = false;
    bool partOk = false;
    DecodedUploadId d;
    d.storeUploadId = uploadId.left(first);
    d.plan.size = uploadId.mid(first + 1, second - first - 1).toLongLong(&sizeOk);
    d.plan.partBytes = uploadId.mid(second + 1).toLongLong(&partOk);
    if (!sizeOk || !partOk || d.plan.size < 0 || d.plan.size > (qint64(1) << 50)
        || d.plan.partBytes < 1 || d.plan.count() > kMaxParts)
        return bad();
    return d;
}

} // namespace confab::objectstore
