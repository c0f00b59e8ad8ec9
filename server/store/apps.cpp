#include "store/apps.h"

#include "confab/ids.h"
#include "store/database.h"
#include "store/sql.h"

#include <QJsonDocument>

namespace confab::store {

namespace {

// The table's columns and statements, in one place.
const QString kColumns = QStringLiteral("id, name, oidc_issuer, oidc_audience, CAST(limits AS text), token_secret, ")
    + sql::msOf("created_at") + QStringLiteral(", CAST(policy AS text)")
    + QStringLiteral(", webhook_url, array_to_string(webhook_events, ','), webhook_secret, webhook_old_secret, ")
    + sql::msOf("webhook_old_secret_until");

QString selectWhere(const char *condition)
{
    return QStringLiteral("SELECT %1 FROM apps WHERE %2 ORDER BY created_at, id")
        .arg(kColumns, QLatin1String(condition));
}

App fromRow(const QSqlQuery &q)
{
    App a;
    a.id = q.value(0).toString();
    a.name = q.value(1).toString();
    a.oidcIssuer = q.value(2).toString();
    a.oidcAudience = q.value(3).toString();
    a.limits = QJsonDocument::fromJson(q.value(4).toString().toUtf8()).object();
    a.tokenSecret = q.value(5).toByteArray();
    a.createdMs = q.value(6).toLongLong();
    a.policy = QJsonDocument::fromJson(q.value(7).toString().toUtf8()).object();
    a.webhook.url = q.value(8).toString();
    const QString events = q.value(9).toString();
    if (!events.isEmpty())
        a.webhook.events = events.split(QLatin1Char(','));
    a.webhook.secret = q.value(10).toString();
    a.webhook.oldSecret = q.value(11).toString();
    a.webhook.oldSecretUntilMs = q.value(12).toLongLong();
    return a;
}

QString jsonText(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

Expected<QList<App>> all(QSqlQuery q)
{
    QList<App> apps;
    while (q.next())
        apps.append(fromRow(q));
    return apps;
}

Expected<App> one(QSqlQuery q, const QString &appId)
{
    if (!q.next())
        return Error::notFound(QStringLiteral("no app '%1'").arg(appId));
    return fromRow(q);
}

Expected<App> insertApp(QSqlDatabase &db, App app)
{
    if (app.id.isEmpty())
        app.id = QStringLiteral("app_") + QString::fromLatin1(newUlid()).toLower();
    if (app.tokenSecret.isEmpty())
        app.tokenSecret = QByteArray::fromBase64(randomToken(32), QByteArray::Base64UrlEncoding);
    const QString what = QStringLiteral("creating app '%1'").arg(app.id);
    static const QString stmt =
        QStringLiteral("INSERT INTO apps (id, name, oidc_issuer, oidc_audience, limits, token_secret, policy)"
                       " VALUES (:id, :name, :issuer, :audience, CAST(:limits AS jsonb), :secret, CAST(:policy AS jsonb))"
                       " RETURNING ")
        + kColumns;
    QSqlError error;
    auto q = sql::exec(db, stmt,
                       {{"id", app.id},
                        {"name", app.name},
                        {"issuer", sql::nullIfEmpty(app.oidcIssuer)},
                        {"audience", sql::nullIfEmpty(app.oidcAudience)},
                        {"limits", jsonText(app.limits)},
                        {"secret", app.tokenSecret},
                        {"policy", jsonText(app.policy)}},
                       what, &error);
    if (!q && sql::isUniqueViolation(error))
        return Error::conflict(QStringLiteral("an app '%1' already exists").arg(app.id));
    if (!q)
        return q.error();
    return one(std::move(*q), app.id);
}

Expected<App> updateApp(QSqlDatabase &db, const QString &appId, const AppPatch &patch)
{
    const QString what = QStringLiteral("updating app '%1'").arg(appId);
    // Only the fixed column names below ever reach the SQL text; values are bound.
    QStringList sets;
    if (patch.name)
        sets << QStringLiteral("name = :name");
    if (patch.oidcIssuer)
        sets << QStringLiteral("oidc_issuer = :issuer");
    if (patch.oidcAudience)
        sets << QStringLiteral("oidc_audience = :audience");
    if (patch.limits)
        sets << QStringLiteral("limits = CAST(:limits AS jsonb)");
    if (patch.policy)
        sets << QStringLiteral("policy = CAST(:policy AS jsonb)");
    if (patch.webhook && patch.webhook->remove)
        sets << QStringLiteral("webhook_url = NULL, webhook_events = NULL");
    else if (patch.webhook)
        sets << QStringLiteral("webhook_url = :hook_url,"
                               " webhook_events = ARRAY(SELECT json_array_elements_text(CAST(:hook_events AS json))),"
                               " webhook_secret = COALESCE(webhook_secret, :hook_secret)");
    if (sets.isEmpty()) {
        auto q = sql::exec(db, selectWhere("id = :id"), {{"id", appId}}, what);
        if (!q)
            return q.error();
        return one(std::move(*q), appId);
    }
    const QString stmt = QStringLiteral("UPDATE apps SET %1 WHERE id = :id RETURNING %2")
                             .arg(sets.join(QStringLiteral(", ")), kColumns);
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.prepare(stmt))
        return sql::toError(q.lastError(), what, db);
    sql::bind(q, "id", appId);
    if (patch.name)
        sql::bind(q, "name", *patch.name);
    if (patch.oidcIssuer)
        sql::bind(q, "issuer", sql::nullIfEmpty(*patch.oidcIssuer));
    if (patch.oidcAudience)
        sql::bind(q, "audience", sql::nullIfEmpty(*patch.oidcAudience));
    if (patch.limits)
        sql::bind(q, "limits", jsonText(*patch.limits));
    if (patch.policy)
        sql::bind(q, "policy", jsonText(*patch.policy));
    if (patch.webhook && !patch.webhook->remove) {
        sql::bind(q, "hook_url", patch.webhook->url);
        sql::bind(q, "hook_events", sql::jsonList(patch.webhook->events));
        sql::bind(q, "hook_secret", patch.newWebhookSecret);
    }
    if (!q.exec())
        return sql::toError(q.lastError(), what, db);
    return one(std::move(q), appId);
}

} // namespace

AppRepository::AppRepository(Database *db) : m_db(db) { }

QFuture<Expected<App>> AppRepository::create(App app)
{
    return m_db->run<App>([app = std::move(app)](QSqlDatabase &db) { return insertApp(db, app); });
}

QFuture<Expected<App>> AppRepository::update(QString appId, AppPatch patch)
{
    return m_db->run<App>([appId = std::move(appId), patch = std::move(patch)](QSqlDatabase &db) {
        return updateApp(db, appId, patch);
    });
}

QFuture<Expected<App>> AppRepository::get(QString appId)
{
    return m_db->run<App>([appId = std::move(appId)](QSqlDatabase &db) -> Expected<App> {
        static const QString stmt = selectWhere("id = :id");
        auto q = sql::exec(db, stmt, {{"id", appId}}, QStringLiteral("reading app '%1'").arg(appId));
        if (!q)
            return q.error();
        return one(std::move(*q), appId);
    });
}

QFuture<Expected<QList<App>>> AppRepository::list()
{
    return m_db->run<QList<App>>([](QSqlDatabase &db) -> Expected<QList<App>> {
        static const QString stmt = selectWhere("true");
        auto q = sql::exec(db, stmt, {}, QStringLiteral("listing apps"));
        if (!q)
            return q.error();
        return all(std::move(*q));
    });
}

QFuture<Expected<QList<App>>> AppRepository::findByIssuer(QString issuer)
{
    return m_db->run<QList<App>>([issuer = std::move(issuer)](QSqlDatabase &db) -> Expected<QList<App>> {
        static const QString stmt = selectWhere("oidc_issuer = :issuer");
        auto q = sql::exec(db, stmt, {{"issuer", issuer}},
                           QStringLiteral("finding apps of OIDC issuer '%1'").arg(issuer));
        if (!q)
            return q.error();
        return all(std::move(*q));
    });
}

QFuture<Expected<App>> AppRepository::rotateWebhookSecret(QString appId, QString newSecret, qint64 graceMs)
{
    return m_db->run<App>([=](QSqlDatabase &db) -> Expected<App> {
        static const QString stmt
            = QStringLiteral("UPDATE apps SET"
                             " webhook_old_secret = CASE WHEN CAST(:grace AS bigint) > 0 THEN webhook_secret END,"
                             " webhook_old_secret_until = CASE WHEN CAST(:grace2 AS bigint) > 0 AND webhook_secret IS NOT NULL"
                             " THEN now() + CAST(:grace3 AS bigint) * interval '1 millisecond' END,"
                             " webhook_secret = :secret WHERE id = :id RETURNING ")
            + kColumns;
        auto q = sql::exec(db, stmt,
                           {{"grace", graceMs}, {"grace2", graceMs}, {"grace3", graceMs}, {"secret", newSecret}, {"id", appId}},
                           QStringLiteral("rotating the webhook secret of app '%1'").arg(appId));
        if (!q)
            return q.error();
        return one(std::move(*q), appId);
    });
}

} // namespace confab::store
