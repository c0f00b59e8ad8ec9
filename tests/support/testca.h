#pragma once

#include <QByteArray>
#include <QString>
#include <QTemporaryDir>

namespace confab::test {

// A throwaway certificate authority for TLS tests, made at test time with the openssl CLI in a
// temporary directory, and the server certificates it signs (for 127.0.0.1 and localhost).
class TestCa
{
public:
    struct Pair {
        QString cert; // PEM chain: the leaf, then the CA
        QString key; // PEM private key
        QByteArray serial; // as QSslCertificate::serialNumber() shows it, e.g. "10:01"
    };
    enum class KeyType { Ec, Rsa };

    // Creates the CA; error() says why when it could not.
    explicit TestCa(const QString &name = QStringLiteral("Confab Test CA"));
    [[nodiscard]] bool isValid() const { return m_error.isEmpty(); }
    [[nodiscard]] const QByteArray &error() const { return m_error; }
    // The CA certificate alone, what a client is told to trust.
    [[nodiscard]] QString caFile() const { return m_dir.filePath(QStringLiteral("ca.pem")); }
    [[nodiscard]] QString path(const QString &file) const { return m_dir.filePath(file); }

    // A server certificate with serial (two hex digits per byte, e.g. "1001") and a new key,
    // written to <name>.pem and <name>.key; an empty Pair and error() on failure.
    Pair issue(const QString &name, const QString &serialHex, KeyType type = KeyType::Ec);

private:
    bool run(const QStringList &args);

    QTemporaryDir m_dir;
    QByteArray m_error;
};

} // namespace confab::test
