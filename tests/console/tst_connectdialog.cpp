// The connect dialog's CA file (docs/tls.md): only for wss:// URLs, checked before the dialog
// closes, saved with the profile and shown again when the profile is picked.
#include "core/profilestore.h"
#include "support/testca.h"
#include "widgets/connectdialog.h"

#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace confab::console;

namespace
{

QString message(const ConnectDialog &dialog)
{
    for (const QLabel *label : dialog.findChildren<QLabel *>()) {
        if (label->accessibleName() == QLatin1String("Connection dialog message"))
            return label->text();
    }
    return {};
}

void fill(ConnectDialog &dialog, const QString &url, const QString &caFile)
{
    dialog.findChild<QLineEdit *>(QStringLiteral("urlEdit"))->setText(url);
    dialog.findChild<QLineEdit *>(QStringLiteral("tokenEdit"))->setText(QStringLiteral("admin-secret"));
    dialog.findChild<QLineEdit *>(QStringLiteral("caFileEdit"))->setText(caFile);
}

} // namespace

class tst_ConnectDialog : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<confab::test::TestCa> m_ca;

private Q_SLOTS:
    void initTestCase()
    {
        m_ca = std::make_unique<confab::test::TestCa>();
        QVERIFY2(m_ca->isValid(), m_ca->error().constData());
    }

    // First start: the URL is prefilled, and no label shows its mnemonic ampersand (a label
    // without a buddy shows "&Profile:" as typed).
    void firstStartPolish()
    {
        QSettings settings(m_dir.filePath(QStringLiteral("first.ini")), QSettings::IniFormat);
        ProfileStore profiles(&settings);
        ConnectDialog dialog(&profiles);
        dialog.show();
        QCOMPARE(dialog.findChild<QLineEdit *>(QStringLiteral("urlEdit"))->text(),
            QStringLiteral("ws://127.0.0.1:8081/admin/ws"));
        int labelled = 0;
        for (const QLabel *label : dialog.findChildren<QLabel *>()) {
            if (!label->text().contains(QLatin1Char('&')))
                continue;
            ++labelled;
            QVERIFY2(label->buddy() != nullptr, qPrintable(label->text()));
        }
        QCOMPARE(labelled, 5); // profile, name, URL, token, CA file
    }

    void caFileIsCheckedBeforeClosing()
    {
        QSettings settings(m_dir.filePath(QStringLiteral("a.ini")), QSettings::IniFormat);
        ProfileStore profiles(&settings);
        ConnectDialog dialog(&profiles);
        dialog.findChild<QCheckBox *>(QStringLiteral("saveCheck"))->setChecked(false);

        // A CA file with a ws:// URL: refused, the dialog stays
        fill(dialog, QStringLiteral("ws://127.0.0.1:8081/admin/ws"), m_ca->caFile());
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        QVERIFY2(message(dialog).contains(QLatin1String("wss://")), qPrintable(message(dialog)));

        // A CA file that cannot be read: refused with the reason
        fill(dialog, QStringLiteral("wss://127.0.0.1:8081/admin/ws"), m_dir.filePath(QStringLiteral("none.pem")));
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        QVERIFY2(message(dialog).contains(QLatin1String("cannot read the CA file")), qPrintable(message(dialog)));

        // A readable CA file without a certificate
        fill(dialog, QStringLiteral("wss://127.0.0.1:8081/admin/ws"), m_ca->path(QStringLiteral("ca.key")));
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        QVERIFY2(message(dialog).contains(QLatin1String("holds no PEM certificate")), qPrintable(message(dialog)));

        // The CA's certificate: accepted, and handed to the caller
        fill(dialog, QStringLiteral("wss://127.0.0.1:8081/admin/ws"), m_ca->caFile());
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.caFile(), m_ca->caFile());
    }

    void caFileIsSavedAndShownAgain()
    {
        QSettings settings(m_dir.filePath(QStringLiteral("b.ini")), QSettings::IniFormat);
        ProfileStore profiles(&settings);
        QVERIFY(profiles.saveProfile(
            { QStringLiteral("private"), QUrl(QStringLiteral("wss://10.0.0.5:8081/admin/ws")), m_ca->caFile() }));
        profiles.setLastProfile(QStringLiteral("private"));
        ConnectDialog dialog(&profiles);
        QCOMPARE(dialog.findChild<QLineEdit *>(QStringLiteral("caFileEdit"))->text(), m_ca->caFile());
        QCOMPARE(dialog.caFile(), m_ca->caFile());
    }
};

QTEST_MAIN(tst_ConnectDialog)
#include "tst_connectdialog.moc"
