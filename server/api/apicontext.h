#pragma once

#include "access/authenticator.h"
#include "confab/config.h"
#include "http/request.h"
#include "http/response.h"

#include <QCoro/QCoroTask>
#include <QJsonObject>

namespace confab::access {
class AppDirectory;
}
namespace confab::messaging {
class MessageService;
} // namespace confab::messaging
namespace confab::segments {
class HistoryStore;
}
namespace confab::store {
class ApiKeyRepository;
class AppDataRepository;
class AppRepository;
class ConversationRepository;
class Database;
} // namespace confab::store
namespace confab::redis {
class Client;
}
namespace confab::objectstore {
class ObjectStore;
}

namespace confab::store {
struct Conversation;
}

namespace confab::api {

// What the REST handlers use; every pointer outlives the routes (owned by the Node).
struct ApiDeps {
    const Config *config = nullptr;
    store::Database *db = nullptr;
    store::AppRepository *apps = nullptr;
    store::ApiKeyRepository *keys = nullptr;
    store::ConversationRepository *conversations = nullptr;
    access::AppDirectory *appDirectory = nullptr;
    access::Authenticator *authenticator = nullptr;
    messaging::MessageService *messages = nullptr;
    segments::HistoryStore *history = nullptr;
    redis::Client *redis = nullptr;
    objectstore::ObjectStore *objects = nullptr;
    store::AppDataRepository *appData = nullptr;
};

// Parses a JSON object body; an empty body is an empty object when allowEmpty.
[[nodiscard]] Expected<QJsonObject> jsonBody(const http::Request &req, bool allowEmpty = false);
[[nodiscard]] http::Response jsonResponse(int status, const QJsonObject &o);
// A JSON number that is a whole number in [min, max] (checked as a double first, so huge
// values never reach an undefined double-to-integer conversion).
[[nodiscard]] bool isWholeNumber(const QJsonValue &v, qint64 min, qint64 max);

// The conversation, if the caller may see it (the app: any of its own; a user: as member);
// NotFound alike for a missing one and one the caller may not see (docs/security.md).
QCoro::Task<Expected<store::Conversation>> visibleConversation(
    ApiDeps deps, access::Identity id, QString convoId);

} // namespace confab::api
