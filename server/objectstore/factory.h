#pragma once

#include "objectstore/objectstore.h"

#include "confab/config.h"

#include <memory>

class QNetworkAccessManager;

namespace confab::objectstore
{

// The store the [s3] section names: endpoint file:///dir gives a LocalDirStore on that
// directory, http(s)://... an S3Store on `bucket` (nam must outlive it). Anything else, or a
// missing bucket, is BadRequest.
[[nodiscard]] confab::Expected<std::unique_ptr<ObjectStore>> createObjectStore(
    const confab::Config::S3 &cfg, QNetworkAccessManager *nam);

} // namespace confab::objectstore
