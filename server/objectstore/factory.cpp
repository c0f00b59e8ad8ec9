#include "objectstore/factory.h"

#include "objectstore/localstore.h"
#include "objectstore/s3store.h"

namespace confab::objectstore
{

Expected<std::unique_ptr<ObjectStore>> createObjectStore(
    const Config::S3 &cfg, QNetworkAccessManager *nam)
{
    const QUrl url(cfg.endpoint, QUrl::StrictMode);
    if (!url.isValid())
        return Error::badRequest(QStringLiteral("[s3] endpoint '%1' is not a valid URL: %2")
                                     .arg(cfg.endpoint, url.errorString()));
    const QString scheme = url.scheme();
    if (scheme == QLatin1String("file")) {
        const QString dir = url.toLocalFile();
        if (dir.isEmpty() || !dir.startsWith(QLatin1Char('/')))
            return Error::badRequest(
                QStringLiteral("[s3] endpoint '%1' must name an absolute directory")
                    .arg(cfg.endpoint));
        return std::unique_ptr<ObjectStore>(std::make_unique<LocalDirStore>(dir));
    }
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        return Error::badRequest(
            QStringLiteral("[s3] endpoint '%1': the scheme must be http, https or file")
                .arg(cfg.endpoint));
    if (cfg.bucket.isEmpty())
        return Error::badRequest(QStringLiteral("[s3] bucket is empty"));
    if (!nam)
        return Error::internal(QStringLiteral("an S3 store needs a QNetworkAccessManager"));
    S3Options options;
    options.endpoint = url;
    options.region = cfg.region.isEmpty() ? QStringLiteral("us-east-1") : cfg.region;
    options.bucket = cfg.bucket;
    options.accessKey = cfg.accessKey;
    options.secretKey = cfg.secretKey;
    return std::unique_ptr<ObjectStore>(std::make_unique<S3Store>(options, nam));
}

} // namespace confab::objectstore
