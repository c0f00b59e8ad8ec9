#pragma once

#include "auth/failure.h"

#include <QByteArray>
#include <QByteArrayView>

// An app's API key: "ck_<keyId>_<secret>". The key id (a ULID, so it has no '_') finds the
// row; only a SHA-256 of the secret is stored, so a database leak does not leak keys.
namespace confab::auth {

struct ApiKeyParts {
    QByteArray keyId;
    QByteArray secret;
};

// A new key id (ULID) and a 32-byte random secret (base64url).
[[nodiscard]] ApiKeyParts generateApiKey();
[[nodiscard]] QByteArray formatApiKey(const ApiKeyParts &p);
// Malformed unless it is "ck_", a key id of [0-9A-Za-z], '_', and a base64url secret.
[[nodiscard]] AuthResult<ApiKeyParts> parseApiKey(QByteArrayView presented);
// Lower-case hex SHA-256 of the secret: what the database stores.
[[nodiscard]] QByteArray hashApiKeySecret(QByteArrayView secret);
// Compares hashes in constant time.
[[nodiscard]] bool apiKeySecretMatches(QByteArrayView secret, QByteArrayView storedHash);
// True if the credential is meant as an API key (starts with "ck_"), even if malformed.
[[nodiscard]] bool looksLikeApiKey(QByteArrayView presented);

} // namespace confab::auth
