#pragma once

// Private to confab_auth: the OpenSSL side of PublicKey.

#include "auth/jwt.h"

#include <openssl/evp.h>

namespace confab::auth {

class PublicKey::Private
{
public:
    enum class Type { Rsa, P256 };

    Private() = default;
    // Copies share the OpenSSL key, each holding its own reference.
    Private(const Private &other)
        : pkey(other.pkey), type(other.type), kid(other.kid), alg(other.alg)
    {
        if (pkey)
            EVP_PKEY_up_ref(pkey);
    }
    Private &operator=(const Private &) = delete;
    ~Private();

    // Key size and curve requirements, and the point check for EC keys.
    [[nodiscard]] Expected<Ok, QString> check() const;

    EVP_PKEY *pkey = nullptr;
    Type type = Type::Rsa;
    QString kid;
    QString alg;
};

} // namespace confab::auth
