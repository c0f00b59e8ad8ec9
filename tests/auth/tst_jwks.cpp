#include "auth/jwks.h"
#include "auth/jwt.h"
#include "auth/oidcprovider.h"

#include <QCoro/QCoroTask>
#include <QDateTime>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QTcpServer>
#include <QTest>

using namespace confab::auth;
using confab::test::OidcProvider;

class TestJwks : public QObject
{
    Q_OBJECT

private:
    // Runs one lookup to completion (QCoro::waitFor needs a default-constructible result).
    AuthResult<PublicKey> lookup(JwksCache &cache, const QString &issuer, const QString &kid)
    {
        auto result = std::make_shared<std::optional<AuthResult<PublicKey>>>();
        QCoro::connect(cache.key(issuer, kid), this,
                       [result](const AuthResult<PublicKey> &r) { *result = r; });
        if (!QTest::qWaitFor([&] { return result->has_value(); }, 10000))
            return AuthError{Failure::Missing, QStringLiteral("lookup did not finish")};
        return **result;
    }

    QNetworkAccessManager m_nam;

private Q_SLOTS:
    void initTestCase()
    {
        m_nam.setProxy(QNetworkProxy::NoProxy);
    }

    void discoveryThenFetchThenVerify()
    {
        // GIVEN a provider with an RSA and an EC key, and a cold cache
        OidcProvider provider;
        QVERIFY(provider.start());
        const QString rsaKid = provider.addRsaKey();
        const QString ecKid = provider.addEcKey();
        JwksCache cache(&m_nam);

        // WHEN a token of the provider is checked end to end
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const QByteArray token = provider.sign(
            rsaKid, {{QStringLiteral("iss"), provider.issuer()},
                     {QStringLiteral("aud"), QStringLiteral("app")},
                     {QStringLiteral("sub"), QStringLiteral("u1")},
                     {QStringLiteral("exp"), now / 1000 + 300}});
        const auto jwt = parseJwt(token);
        QVERIFY(jwt);
        const auto key = lookup(cache, jwt->issuer(), jwt->kid());

        // THEN discovery and the JWKS were fetched once each, and the token verifies
        QVERIFY2(key, key ? "" : qPrintable(key.error().message));
        QCOMPARE(key->kid(), rsaKid);
        QVERIFY(verifySignature(*jwt, *key));
        QVERIFY(checkClaims(jwt->claims, {provider.issuer(), QStringLiteral("app"), now}));
        QCOMPARE(provider.requests(), 2);
        QCOMPARE(provider.jwksRequests(), 1);
        QCOMPARE(cache.fetchCount(), 1u);

        // AND the EC key came with the same fetch (cache hit, nothing fetched)
        const auto ec = lookup(cache, provider.issuer(), ecKid);
        QVERIFY(ec);
        QCOMPARE(ec->kid(), ecKid);
        QVERIFY(lookup(cache, provider.issuer(), rsaKid));
        QCOMPARE(provider.requests(), 2);
        QCOMPARE(cache.fetchCount(), 1u);
    }

    void rotatedInKeyAcceptedAfterRefetch()
    {
        OidcProvider provider;
        QVERIFY(provider.start());
        const QString oldKid = provider.addRsaKey();
        JwksCache cache(&m_nam);
        cache.setRefetchInterval(0);
        QVERIFY(lookup(cache, provider.issuer(), oldKid));

        // WHEN the provider rotates: a new key in, the old one out
        const QString newKid = provider.addEcKey();
        provider.removeKey(oldKid);

        // THEN the new kid triggers one JWKS refetch (no new discovery) and is accepted
        const auto fresh = lookup(cache, provider.issuer(), newKid);
        QVERIFY2(fresh, fresh ? "" : qPrintable(fresh.error().message));
        QCOMPARE(provider.jwksRequests(), 2);
        QCOMPARE(provider.requests(), 3);
        QCOMPARE(cache.fetchCount(), 2u);

        // AND the removed key is gone with that refetch; asking again refetches, then UnknownKey
        const auto old = lookup(cache, provider.issuer(), oldKid);
        QVERIFY(!old);
        QCOMPARE(old.error().reason, Failure::UnknownKey);
        QCOMPARE(cache.fetchCount(), 3u);
    }

    void unknownKidRefetchIsRateLimited()
    {
        OidcProvider provider;
        QVERIFY(provider.start());
        const QString kid = provider.addRsaKey();
        JwksCache cache(&m_nam);
        cache.setRefetchInterval(1500);
        QVERIFY(lookup(cache, provider.issuer(), kid));
        QCOMPARE(cache.fetchCount(), 1u);

        // WHEN unknown kids arrive within the interval THEN none causes a fetch
        for (const QString &bogus : {QStringLiteral("nope-1"), QStringLiteral("nope-2")}) {
            const auto r = lookup(cache, provider.issuer(), bogus);
            QVERIFY(!r);
            QCOMPARE(r.error().reason, Failure::UnknownKey);
        }
        QCOMPARE(cache.fetchCount(), 1u);

        // WHEN a key is rotated in, lookups fail until the interval has passed, and then
        // exactly one refetch brings it in, however many lookups were made meanwhile
        const QString rotated = provider.addRsaKey();
        int attempts = 0;
        QTRY_VERIFY_WITH_TIMEOUT((++attempts, lookup(cache, provider.issuer(), rotated).has_value()), 10000);
        QVERIFY(attempts > 1);
        QCOMPARE(cache.fetchCount(), 2u);
        QCOMPARE(provider.jwksRequests(), 2);
    }

    void keysAreScopedToTheirIssuer()
    {
        // GIVEN two providers, A with two keys, B with one
        OidcProvider a(QStringLiteral("a"));
        OidcProvider b(QStringLiteral("b"));
        QVERIFY(a.start());
        QVERIFY(b.start());
        const QString kidA = a.addRsaKey();
        a.addEcKey();
        const QString kidB = b.addRsaKey();
        JwksCache cache(&m_nam);
        cache.setRefetchInterval(0);
        QVERIFY(lookup(cache, a.issuer(), kidA));
        QVERIFY(lookup(cache, b.issuer(), kidB));

        // THEN a token claiming issuer B cannot use A's cached key, nor the reverse
        const auto crossed = lookup(cache, b.issuer(), kidA);
        QVERIFY(!crossed);
        QCOMPARE(crossed.error().reason, Failure::UnknownKey);
        QVERIFY(!lookup(cache, a.issuer(), kidB));

        // AND an empty kid picks the key only when the issuer has just one
        const auto ambiguous = lookup(cache, a.issuer(), QString());
        QVERIFY(!ambiguous);
        QCOMPARE(ambiguous.error().reason, Failure::UnknownKey);
        const auto single = lookup(cache, b.issuer(), QString());
        QVERIFY(single);
        QCOMPARE(single->kid(), kidB);
    }

    void providerDown()
    {
        OidcProvider provider;
        QVERIFY(provider.start());
        const QString kid = provider.addRsaKey();
        const QString issuer = provider.issuer();
        provider.stop();
        JwksCache cache(&m_nam);
        cache.setRefetchInterval(0);

        // WHEN the provider is down on a cold cache THEN JwksUnavailable
        const auto cold = lookup(cache, issuer, kid);
        QVERIFY(!cold);
        QCOMPARE(cold.error().reason, Failure::JwksUnavailable);

        // WHEN it comes back THEN keys are fetched
        QVERIFY(provider.start());
        QCOMPARE(provider.issuer(), issuer);
        QVERIFY(lookup(cache, issuer, kid));

        // WHEN it goes down again THEN cached keys still work, unknown ones are unavailable
        provider.stop();
        QVERIFY(lookup(cache, issuer, kid));
        const auto unknown = lookup(cache, issuer, QStringLiteral("other"));
        QVERIFY(!unknown);
        QCOMPARE(unknown.error().reason, Failure::JwksUnavailable);
    }

    void failedFetchesAreRateLimitedToo()
    {
        OidcProvider provider;
        QVERIFY(provider.start());
        const QString issuer = provider.issuer();
        provider.stop();
        JwksCache cache(&m_nam);
        QCOMPARE(lookup(cache, issuer, QStringLiteral("k")).error().reason, Failure::JwksUnavailable);
        QVERIFY(provider.start());
        provider.addRsaKey();
        // Within the interval the outage is remembered rather than retried.
        QCOMPARE(lookup(cache, issuer, QStringLiteral("k")).error().reason, Failure::JwksUnavailable);
        QCOMPARE(provider.requests(), 0);
    }

    void unresponsiveProviderTimesOut()
    {
        // GIVEN a server that accepts connections and never answers
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        const QString issuer = QStringLiteral("http://127.0.0.1:%1/realms/x").arg(silent.serverPort());
        JwksCache cache(&m_nam);
        cache.setRequestTimeout(300);

        QElapsedTimer timer;
        timer.start();
        const auto r = lookup(cache, issuer, QStringLiteral("k"));
        QVERIFY(!r);
        QCOMPARE(r.error().reason, Failure::JwksUnavailable);
        QVERIFY(timer.elapsed() < 4000);
    }

    void cacheDestroyedDuringFetch()
    {
        // GIVEN lookups waiting on a provider that never answers
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        const QString issuer = QStringLiteral("http://127.0.0.1:%1/realms/x").arg(silent.serverPort());
        auto cache = std::make_unique<JwksCache>(&m_nam);
        cache->setRequestTimeout(200);
        auto first = std::make_shared<std::optional<AuthResult<PublicKey>>>();
        auto second = std::make_shared<std::optional<AuthResult<PublicKey>>>();
        QCoro::connect(cache->key(issuer, QStringLiteral("k")), this,
                       [first](const AuthResult<PublicKey> &r) { *first = r; });
        QCoro::connect(cache->key(issuer, QStringLiteral("k")), this,
                       [second](const AuthResult<PublicKey> &r) { *second = r; });

        // WHEN the cache goes away before the request times out
        cache.reset();

        // THEN both lookups end as unavailable, touching nothing of the dead cache
        QTRY_VERIFY(first->has_value() && second->has_value());
        QCOMPARE((*first)->error().reason, Failure::JwksUnavailable);
        QCOMPARE((*second)->error().reason, Failure::JwksUnavailable);
    }

    void badIssuersRefused_data()
    {
        QTest::addColumn<QString>("issuer");
        QTest::addRow("empty") << QString();
        QTest::addRow("not a URL") << QStringLiteral("confab");
        QTest::addRow("ftp") << QStringLiteral("ftp://127.0.0.1/realms/x");
        QTest::addRow("query") << QStringLiteral("http://127.0.0.1:1/realms/x?a=b");
    }

    void badIssuersRefused()
    {
        QFETCH(QString, issuer);
        JwksCache cache(&m_nam);
        const auto r = lookup(cache, issuer, QStringLiteral("k"));
        QVERIFY(!r);
        QCOMPARE(r.error().reason, Failure::JwksUnavailable);
        QCOMPARE(cache.fetchCount(), 0u);
    }

    void discoveryMustNameTheSameIssuer()
    {
        // GIVEN an issuer spelled with a trailing slash, which the provider does not use
        OidcProvider provider;
        QVERIFY(provider.start());
        const QString kid = provider.addRsaKey();
        JwksCache cache(&m_nam);
        const auto r = lookup(cache, provider.issuer() + QLatin1Char('/'), kid);
        QVERIFY(!r);
        QCOMPARE(r.error().reason, Failure::JwksUnavailable);
        QCOMPARE(provider.jwksRequests(), 0);
    }

    void concurrentLookupsShareOneFetch()
    {
        OidcProvider provider;
        QVERIFY(provider.start());
        const QString rsaKid = provider.addRsaKey();
        const QString ecKid = provider.addEcKey();
        JwksCache cache(&m_nam);
        cache.setRefetchInterval(0);

        // WHEN five lookups start before any fetch completes
        const QStringList kids{rsaKid, ecKid, rsaKid, QStringLiteral("missing"), ecKid};
        QList<std::optional<AuthResult<PublicKey>>> results(kids.size());
        for (qsizetype i = 0; i < kids.size(); ++i) {
            QCoro::connect(cache.key(provider.issuer(), kids.at(i)), this,
                           [&results, i](const AuthResult<PublicKey> &r) { results[i] = r; });
        }
        QCOMPARE(provider.requests(), 0);
        QTRY_VERIFY(std::all_of(results.begin(), results.end(), [](const auto &r) { return r.has_value(); }));

        // THEN one discovery and one JWKS fetch served them all
        QCOMPARE(provider.requests(), 2);
        QCOMPARE(cache.fetchCount(), 1u);
        for (qsizetype i = 0; i < kids.size(); ++i) {
            const bool shouldFind = kids.at(i) != QLatin1String("missing");
            QCOMPARE(results.at(i)->has_value(), shouldFind);
            if (shouldFind)
                QCOMPARE(results.at(i)->value().kid(), kids.at(i));
            else
                QCOMPARE(results.at(i)->error().reason, Failure::UnknownKey);
        }
    }
};

QTEST_GUILESS_MAIN(TestJwks)
#include "tst_jwks.moc"
