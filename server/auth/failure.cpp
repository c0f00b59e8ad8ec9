#include "auth/failure.h"

namespace confab::auth {

QByteArray failureReason(Failure f)
{
    switch (f) {
    case Failure::Missing: return QByteArrayLiteral("missing");
    case Failure::Malformed: return QByteArrayLiteral("malformed");
    case Failure::UnsupportedAlgorithm: return QByteArrayLiteral("unsupported_algorithm");
    case Failure::BadSignature: return QByteArrayLiteral("bad_signature");
    case Failure::Expired: return QByteArrayLiteral("expired");
    case Failure::NotYetValid: return QByteArrayLiteral("not_yet_valid");
    case Failure::WrongIssuer: return QByteArrayLiteral("wrong_issuer");
    case Failure::WrongAudience: return QByteArrayLiteral("wrong_audience");
    case Failure::UnknownKey: return QByteArrayLiteral("unknown_key");
    case Failure::JwksUnavailable: return QByteArrayLiteral("jwks_unavailable");
    case Failure::UnknownApp: return QByteArrayLiteral("unknown_app");
    case Failure::Revoked: return QByteArrayLiteral("revoked");
    case Failure::UnknownCredential: return QByteArrayLiteral("unknown_credential");
    }
    return QByteArrayLiteral("unknown");
}

} // namespace confab::auth
