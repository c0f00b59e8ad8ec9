#pragma once

// What the storage workers (segments::FlushWorker, retention::RetentionWorker) work on. Every
// pointer outlives the worker; metrics is optional.

namespace confab::redis
{
class Client;
}
namespace confab::store
{
class Database;
}
namespace confab::objectstore
{
class ObjectStore;
}
namespace confab::metrics
{
class Metrics;
}

namespace confab::segments
{

struct StorageDeps {
    redis::Client *redis = nullptr;
    store::Database *db = nullptr;
    objectstore::ObjectStore *store = nullptr;
    metrics::Metrics *metrics = nullptr; // optional
};

} // namespace confab::segments
