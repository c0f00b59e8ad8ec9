#pragma once

#include "confab/expected.h"

#include <QByteArray>
#include <QString>

namespace confab::auth {

// Why a credential was refused. Every kind maps to `unauthorized` on the wire except
// JwksUnavailable, which callers may report as `unavailable`; the label feeds
// confab_auth_failures_total{reason}.
enum class Failure {
    Missing,
    Malformed,
    UnsupportedAlgorithm,
    BadSignature,
    Expired,
    NotYetValid,
    WrongIssuer,
    WrongAudience,
    UnknownKey,
    JwksUnavailable,
    UnknownApp,
    Revoked,
    UnknownCredential,
};

// Stable snake_case label ("bad_signature", "jwks_unavailable", ...).
[[nodiscard]] QByteArray failureReason(Failure f);

// The message says what was wrong, never the token or secret itself.
struct AuthError {
    Failure reason = Failure::Malformed;
    QString message;
};

template<typename T>
using AuthResult = confab::Expected<T, AuthError>;

} // namespace confab::auth
