#include "support/testca.h"

#include <QFile>
#include <QProcess>

namespace confab::test {

TestCa::TestCa(const QString &name)
{
    if (!m_dir.isValid()) {
        m_error = "cannot create a temporary directory";
        return;
    }
    run({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
         QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
         QStringLiteral("-keyout"), path(QStringLiteral("ca.key")), QStringLiteral("-out"), caFile(),
         QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=") + name});
}

TestCa::Pair TestCa::issue(const QString &name, const QString &serialHex, KeyType type)
{
    if (!isValid())
        return {};
    const QString key = path(name + QStringLiteral(".key"));
    const QString csr = path(name + QStringLiteral(".csr"));
    const QString leaf = path(name + QStringLiteral(".leaf.pem"));
    const QString ext = path(name + QStringLiteral(".ext"));
    const QString chain = path(name + QStringLiteral(".pem"));
    {
        QFile f(ext);
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write("subjectAltName = IP:127.0.0.1, DNS:localhost\n"
                "basicConstraints = CA:FALSE\n"
                "keyUsage = digitalSignature, keyEncipherment\n"
                "extendedKeyUsage = serverAuth\n");
    }
    const bool keyMade = type == KeyType::Ec
        ? run({QStringLiteral("ecparam"), QStringLiteral("-name"), QStringLiteral("prime256v1"),
               QStringLiteral("-genkey"), QStringLiteral("-noout"), QStringLiteral("-out"), key})
        : run({QStringLiteral("genrsa"), QStringLiteral("-out"), key, QStringLiteral("2048")});
    if (!keyMade
        || !run({QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-key"), key,
                 QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-out"), csr})
        || !run({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), csr,
                 QStringLiteral("-CA"), caFile(), QStringLiteral("-CAkey"), path(QStringLiteral("ca.key")),
                 QStringLiteral("-set_serial"), QStringLiteral("0x") + serialHex, QStringLiteral("-days"),
                 QStringLiteral("2"), QStringLiteral("-extfile"), ext, QStringLiteral("-out"), leaf}))
        return {};
    QFile l(leaf), ca(caFile()), out(chain);
    if (!l.open(QIODevice::ReadOnly) || !ca.open(QIODevice::ReadOnly) || !out.open(QIODevice::WriteOnly)) {
        m_error = "cannot write " + chain.toUtf8();
        return {};
    }
    out.write(l.readAll() + ca.readAll());
    QByteArray serial;
    for (qsizetype i = 0; i + 1 < serialHex.size(); i += 2) {
        if (!serial.isEmpty())
            serial += ':';
        serial += serialHex.mid(i, 2).toLower().toLatin1();
    }
    return Pair{chain, key, serial};
}

bool TestCa::run(const QStringList &args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("openssl"), args);
    if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        m_error = "openssl " + args.join(u' ').toUtf8() + " failed: " + p.readAll();
        return false;
    }
    return true;
}

} // namespace confab::test
