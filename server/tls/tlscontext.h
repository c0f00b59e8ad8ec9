#pragma once

#include "confab/expected.h"

#include <QSslConfiguration>
#include <QString>

namespace confab::tls
{

// The server side of TLS on confabd's listeners ([tls] in PROTOCOL.md section 1): the PEM
// certificate chain (leaf first) and its private key, read from files and checked with OpenSSL
// to belong together, as a configuration for QSslServer: TLS 1.2 or later, no client
// certificates. The error says which file and what is wrong with it, in one line.
// Reads both files on every call: SIGHUP calls it again to pick up a renewed pair.
[[nodiscard]] Expected<QSslConfiguration> loadServerConfiguration(
    const QString &certPath, const QString &keyPath);

// "CN=example.org, serial 01:a3:..., expires 2027-03-01T00:00:00Z" for the logs.
[[nodiscard]] QString describeCertificate(const QSslConfiguration &configuration);

} // namespace confab::tls
