#include "auth/apikey.h"

#include "auth/crypto.h"
#include "confab/ids.h"

namespace confab::auth {

namespace {

constexpr QByteArrayView kPrefix("ck_");
constexpr qsizetype kMaxKeyIdLength = 64;
constexpr qsizetype kMinSecretLength = 16;
constexpr qsizetype kMaxSecretLength = 128;

bool isAlnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool isBase64Url(char c)
{
    return isAlnum(c) || c == '-' || c == '_';
}

AuthError malformed(const QString &what)
{
    return {Failure::Malformed, QStringLiteral("API key is malformed: %1").arg(what)};
}

} // namespace

ApiKeyParts generateApiKey()
{
    return {newUlid(), randomToken(32)};
}

QByteArray formatApiKey(const ApiKeyParts &p)
{
    return kPrefix.toByteArray() + p.keyId + '_' + p.secret;
}

AuthResult<ApiKeyParts> parseApiKey(QByteArrayView presented)
{
    if (!looksLikeApiKey(presented))
        return malformed(QStringLiteral("no ck_ prefix"));
    const QByteArrayView rest = presented.sliced(kPrefix.size());
    const qsizetype sep = rest.indexOf('_');
    if (sep <= 0)
        return malformed(QStringLiteral("no key id"));
    const QByteArrayView keyId = rest.first(sep);
    const QByteArrayView secret = rest.sliced(sep + 1);
    if (keyId.size() > kMaxKeyIdLength)
        return malformed(QStringLiteral("key id too long"));
    for (char c : keyId) {
        if (!isAlnum(c))
            return malformed(QStringLiteral("bad character in key id"));
    }
    if (secret.size() < kMinSecretLength || secret.size() > kMaxSecretLength)
        return malformed(QStringLiteral("secret has the wrong length"));
    for (char c : secret) {
        if (!isBase64Url(c))
            return malformed(QStringLiteral("bad character in secret"));
    }
    return ApiKeyParts{keyId.toByteArray(), secret.toByteArray()};
}

QByteArray hashApiKeySecret(QByteArrayView secret)
{
    return sha256Hex(secret);
}

bool apiKeySecretMatches(QByteArrayView secret, QByteArrayView storedHash)
{
    return constantTimeEquals(hashApiKeySecret(secret), storedHash);
}

bool looksLikeApiKey(QByteArrayView presented)
{
    return presented.startsWith(kPrefix);
}

} // namespace confab::auth
