#include "tls/tlscontext.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace confab::tls
{

namespace
{

struct BioFree {
    void operator()(BIO *b) const { BIO_free(b); }
};
struct KeyFree {
    void operator()(EVP_PKEY *k) const { EVP_PKEY_free(k); }
};
struct X509Free {
    void operator()(X509 *x) const { X509_free(x); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using PKey = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

// A passphrase callback that has none: an encrypted key fails instead of OpenSSL asking on
// the terminal of a daemon.
int noPassphrase(char *, int, int, void *)
{
    return 0;
}

QString openSslError()
{
    const unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0)
        return QStringLiteral("no PEM data");
    char text[256];
    ERR_error_string_n(e, text, sizeof text);
    return QString::fromLatin1(text);
}

Expected<QByteArray> readFile(const char *key, const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error::badRequest(
            QStringLiteral("[tls] %1: cannot read %2: %3").arg(QLatin1String(key), path, f.errorString()));
    return f.readAll();
}

Bio memoryBio(const QByteArray &bytes)
{
    return Bio(BIO_new_mem_buf(bytes.constData(), int(bytes.size())));
}

} // namespace

Expected<QSslConfiguration> loadServerConfiguration(const QString &certPath, const QString &keyPath)
{
    if (!QSslSocket::supportsSsl())
        return Error::badRequest(QStringLiteral("[tls]: this Qt has no TLS backend (install Qt's OpenSSL plugin)"));
    const auto certPem = readFile("cert", certPath);
    if (!certPem)
        return certPem.error();
    const auto keyPem = readFile("key", keyPath);
    if (!keyPem)
        return keyPem.error();

    const QList<QSslCertificate> chain = QSslCertificate::fromData(*certPem, QSsl::Pem);
    Cert leaf(PEM_read_bio_X509(memoryBio(*certPem).get(), nullptr, noPassphrase, nullptr));
    if (chain.isEmpty() || !leaf) {
        const QString why = openSslError();
        return Error::badRequest(
            QStringLiteral("[tls] cert: %1 holds no PEM certificate (%2)").arg(certPath, why));
    }
    PKey key(PEM_read_bio_PrivateKey(memoryBio(*keyPem).get(), nullptr, noPassphrase, nullptr));
    if (!key) {
        const QString why = openSslError();
        return Error::badRequest(
            QStringLiteral("[tls] key: %1 holds no unencrypted PEM private key (%2)").arg(keyPath, why));
    }
    if (X509_check_private_key(leaf.get(), key.get()) != 1) {
        ERR_clear_error();
        return Error::badRequest(QStringLiteral("[tls] key: %1 is not the private key of the certificate in %2")
                                     .arg(keyPath, certPath));
    }

    QSsl::KeyAlgorithm algorithm;
    switch (EVP_PKEY_get_base_id(key.get())) {
    case EVP_PKEY_RSA: algorithm = QSsl::Rsa; break;
    case EVP_PKEY_EC: algorithm = QSsl::Ec; break;
    default:
        return Error::badRequest(
            QStringLiteral("[tls] key: %1 is neither an RSA nor an EC key").arg(keyPath));
    }
    // Qt parses one PEM form per algorithm reliably: hand it unencrypted PKCS#8, whatever the
    // file held (PKCS#1 "RSA PRIVATE KEY", SEC1 "EC PRIVATE KEY" or PKCS#8).
    Bio out(BIO_new(BIO_s_mem()));
    if (!out || PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return Error::internal(QStringLiteral("[tls] key: re-encoding %1: %2").arg(keyPath, openSslError()));
    char *data = nullptr;
    const long length = BIO_get_mem_data(out.get(), &data);
    const QByteArray pkcs8(data, qsizetype(length));
    const QSslKey qtKey(pkcs8, algorithm, QSsl::Pem, QSsl::PrivateKey);
    OPENSSL_cleanse(data, size_t(length));
    if (qtKey.isNull())
        return Error::badRequest(QStringLiteral("[tls] key: Qt cannot use the key in %1").arg(keyPath));

    QSslConfiguration c = QSslConfiguration::defaultConfiguration();
    c.setLocalCertificateChain(chain);
    c.setPrivateKey(qtKey);
    c.setProtocol(QSsl::TlsV1_2OrLater);
    c.setPeerVerifyMode(QSslSocket::VerifyNone); // clients authenticate with tokens, not certificates
    return c;
}

QString describeCertificate(const QSslConfiguration &configuration)
{
    const QSslCertificate leaf = configuration.localCertificate();
    if (leaf.isNull())
        return QStringLiteral("no certificate");
    const QStringList cn = leaf.subjectInfo(QSslCertificate::CommonName);
    return QStringLiteral("CN=%1, serial %2, expires %3")
        .arg(cn.isEmpty() ? QStringLiteral("-") : cn.join(u','),
             QString::fromLatin1(leaf.serialNumber()),
             leaf.expiryDate().toUTC().toString(Qt::ISODate));
}

} // namespace confab::tls
