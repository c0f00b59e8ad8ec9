#include "confab/error.h"

namespace confab {

QByteArray errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::BadRequest: return QByteArrayLiteral("bad_request");
    case ErrorCode::Unauthorized: return QByteArrayLiteral("unauthorized");
    case ErrorCode::Forbidden: return QByteArrayLiteral("forbidden");
    case ErrorCode::NotMember: return QByteArrayLiteral("not_member");
    case ErrorCode::NotFound: return QByteArrayLiteral("not_found");
    case ErrorCode::Conflict: return QByteArrayLiteral("conflict");
    case ErrorCode::PayloadTooLarge: return QByteArrayLiteral("payload_too_large");
    case ErrorCode::RateLimited: return QByteArrayLiteral("rate_limited");
    case ErrorCode::Unavailable: return QByteArrayLiteral("unavailable");
    case ErrorCode::Internal: return QByteArrayLiteral("internal");
    }
    return QByteArrayLiteral("internal");
}

int errorHttpStatus(ErrorCode code)
{
    switch (code) {
    case ErrorCode::BadRequest: return 400;
    case ErrorCode::Unauthorized: return 401;
    case ErrorCode::Forbidden: return 403;
    case ErrorCode::NotMember: return 403;
    case ErrorCode::NotFound: return 404;
    case ErrorCode::Conflict: return 409;
    case ErrorCode::PayloadTooLarge: return 413;
    case ErrorCode::RateLimited: return 429;
    case ErrorCode::Unavailable: return 503;
    case ErrorCode::Internal: return 500;
    }
    return 500;
}

} // namespace confab
