#pragma once

#include <QByteArray>
#include <QString>

namespace confab {

// The error codes of PROTOCOL.md section 7. Their wire names and HTTP statuses are fixed.
enum class ErrorCode {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotMember,
    NotFound,
    Conflict,
    PayloadTooLarge,
    RateLimited,
    Unavailable,
    Internal,
};

[[nodiscard]] QByteArray errorCodeName(ErrorCode code);
[[nodiscard]] int errorHttpStatus(ErrorCode code);

// A failure as a value: what went wrong (a section 7 code) and what was being done.
struct Error {
    ErrorCode code = ErrorCode::Internal;
    QString message;
    qint64 retryAfterMs = -1; // only for RateLimited

    [[nodiscard]] static Error badRequest(const QString &m) { return {ErrorCode::BadRequest, m}; }
    [[nodiscard]] static Error unauthorized(const QString &m) { return {ErrorCode::Unauthorized, m}; }
    [[nodiscard]] static Error forbidden(const QString &m) { return {ErrorCode::Forbidden, m}; }
    [[nodiscard]] static Error notMember(const QString &m) { return {ErrorCode::NotMember, m}; }
    [[nodiscard]] static Error notFound(const QString &m) { return {ErrorCode::NotFound, m}; }
    [[nodiscard]] static Error conflict(const QString &m) { return {ErrorCode::Conflict, m}; }
    [[nodiscard]] static Error tooLarge(const QString &m) { return {ErrorCode::PayloadTooLarge, m}; }
    [[nodiscard]] static Error unavailable(const QString &m) { return {ErrorCode::Unavailable, m}; }
    [[nodiscard]] static Error internal(const QString &m) { return {ErrorCode::Internal, m}; }
    [[nodiscard]] static Error rateLimited(const QString &m, qint64 retryAfter)
    {
        return {ErrorCode::RateLimited, m, retryAfter};
    }
};

} // namespace confab
