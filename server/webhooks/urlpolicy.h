#pragma once

#include "confab/expected.h"

#include <QFuture>
#include <QHostAddress>
#include <QHostInfo>
#include <QList>
#include <QUrl>

namespace confab::webhooks {

// Where webhooks may go (PROTOCOL.md section 9): https:// to a public address, unless
// [webhooks] allow_private. A server-side request forgery guard: an app's operator must not
// make confabd call its own admin listener, the metadata service or the office network.

// True for an address on the public Internet: not loopback, private (RFC 1918, unique local),
// carrier-grade NAT, link-local, multicast, documentation, benchmark or reserved ranges. An
// IPv4-mapped or NAT64 IPv6 address is judged by the IPv4 address it carries.
[[nodiscard]] bool isPublicAddress(const QHostAddress &address);

// The URL's shape: absolute http(s) with a host, no user info, no fragment, at most 2000
// characters; https only, and a literal address or "localhost" public, unless allowPrivate.
// BadRequest says what is wrong.
[[nodiscard]] Status checkUrl(const QUrl &url, bool allowPrivate);

// What a host name resolved to: BadRequest when it resolved to nothing, or (unless
// allowPrivate) to any address that is not public.
[[nodiscard]] Status checkResolved(const QString &host, const QList<QHostAddress> &addresses, bool allowPrivate);

// QHostInfo::lookupHost as a future, for co_await. The future always gets its result (the
// callback's context is the application, not the caller, so it is never cancelled under a
// waiting coroutine); callers check that they still exist when it resumes.
[[nodiscard]] QFuture<QHostInfo> lookup(const QString &host);

} // namespace confab::webhooks
