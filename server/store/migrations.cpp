#include "store/migrations.h"

#include "store/logging.h"
#include "store/sql.h"

namespace confab::store {

namespace {

// pg_advisory_xact_lock key shared by every node migrating the same database ("Confab").
constexpr qint64 kMigrationLockKey = 0x436f6e666162;

// New migrations go at the end, one entry each; docs/schema.md describes them.
const QList<Migration> kMigrations = {
    {1, "apps, api keys, conversations, members", R"sql(
CREATE TABLE apps (
    id            text PRIMARY KEY,
    name          text NOT NULL,
    oidc_issuer   text,
    oidc_audience text,
    limits        jsonb NOT NULL DEFAULT '{}',
    token_secret  bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX apps_by_oidc_issuer ON apps (oidc_issuer) WHERE oidc_issuer IS NOT NULL;

CREATE TABLE api_keys (
    id          text PRIMARY KEY,
    app_id      text NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    label       text NOT NULL DEFAULT '',
    secret_hash text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX api_keys_by_app ON api_keys (app_id);

CREATE TABLE conversations (
    app_id     text NOT NULL,
    id         text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('direct', 'group')),
    title      text NOT NULL DEFAULT '',
    owner_id   text NOT NULL DEFAULT '',
    direct_key text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (app_id, id),
    UNIQUE (app_id, direct_key),
    CHECK ((kind = 'direct') = (direct_key IS NOT NULL))
);

CREATE TABLE members (
    app_id    text NOT NULL,
    convo_id  text NOT NULL,
    user_id   text NOT NULL,
    joined_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (app_id, convo_id, user_id),
    FOREIGN KEY (app_id, convo_id) REFERENCES conversations (app_id, id) ON DELETE CASCADE
);
CREATE INDEX members_by_user ON members (app_id, user_id);
)sql"},
    {2, "segment index, flush watermarks, dead letters", R"sql(
CREATE TABLE segments (
    app_id      text NOT NULL,
    segment_key text NOT NULL,
    bytes       bigint NOT NULL,
    blocks      integer NOT NULL,
    first_ts    bigint NOT NULL,
    last_ts     bigint NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (segment_key)
);
CREATE INDEX segments_by_app_time ON segments (app_id, last_ts);

CREATE TABLE segment_blocks (
    app_id      text NOT NULL,
    convo_id    text NOT NULL,
    first_seq   bigint NOT NULL,
    last_seq    bigint NOT NULL,
    first_ts    bigint NOT NULL,
    last_ts     bigint NOT NULL,
    segment_key text NOT NULL REFERENCES segments (segment_key) ON DELETE CASCADE,
    byte_offset bigint NOT NULL,
    byte_length bigint NOT NULL,
    PRIMARY KEY (app_id, convo_id, first_seq),
    CHECK (first_seq >= 1 AND last_seq >= first_seq)
);
CREATE INDEX segment_blocks_by_last_seq ON segment_blocks (app_id, convo_id, last_seq);
CREATE INDEX segment_blocks_by_segment ON segment_blocks (segment_key);

CREATE TABLE flush_state (
    app_id      text NOT NULL,
    convo_id    text NOT NULL,
    flushed_seq bigint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (app_id, convo_id)
);

CREATE TABLE dead_letters (
    id              text PRIMARY KEY,
    kind            text NOT NULL,
    app_id          text NOT NULL,
    convo_id        text NOT NULL,
    first_seq       bigint NOT NULL,
    last_seq        bigint NOT NULL,
    attempts        integer NOT NULL,
    error           text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_attempt_at timestamptz NOT NULL DEFAULT now(),
    resolved_at     timestamptz
);
CREATE UNIQUE INDEX dead_letters_open ON dead_letters (kind, app_id, convo_id) WHERE resolved_at IS NULL;
)sql"},
    {3, "per-app policy", R"sql(
ALTER TABLE apps ADD COLUMN policy jsonb NOT NULL DEFAULT '{}';
)sql"},
    {4, "webhooks: per-app endpoint and secrets, pending deliveries", R"sql(
ALTER TABLE apps ADD COLUMN webhook_url text;
ALTER TABLE apps ADD COLUMN webhook_events text[];
ALTER TABLE apps ADD COLUMN webhook_secret text;
ALTER TABLE apps ADD COLUMN webhook_old_secret text;
ALTER TABLE apps ADD COLUMN webhook_old_secret_until timestamptz;

CREATE TABLE webhook_deliveries (
    seq          bigserial PRIMARY KEY,
    id           text NOT NULL UNIQUE,
    app_id       text NOT NULL,
    type         text NOT NULL,
    user_id      text NOT NULL DEFAULT '',
    convo_id     text NOT NULL,
    data         jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    retry_from   timestamptz NOT NULL DEFAULT now(),
    coalescing   boolean NOT NULL DEFAULT false,
    due_at       timestamptz NOT NULL DEFAULT now(),
    attempts     integer NOT NULL DEFAULT 0,
    lease_until  timestamptz,
    leased_by    text,
    last_error   text NOT NULL DEFAULT '',
    dead         boolean NOT NULL DEFAULT false
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (due_at) WHERE NOT dead;
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (app_id, user_id, convo_id, seq) WHERE NOT dead;
CREATE UNIQUE INDEX webhook_deliveries_coalescing ON webhook_deliveries (app_id, user_id, convo_id) WHERE coalescing;
CREATE INDEX webhook_deliveries_dead ON webhook_deliveries (app_id, convo_id) WHERE dead;
)sql"},
};

Status applyOne(QSqlDatabase &db, const Migration &m)
{
    const QString what = QStringLiteral("applying schema migration %1 (%2)")
                             .arg(m.version)
                             .arg(QLatin1String(m.name));
    sql::Transaction tx(db);
    if (Status s = tx.begin(what); !s)
        return s;
    // Migrations may legitimately outlast the per-connection statement timeout.
    if (Status s = sql::execDirect(db, QStringLiteral("SET LOCAL statement_timeout = 0"), what); !s)
        return s;
    if (auto q = sql::exec(db, QStringLiteral("SELECT pg_advisory_xact_lock(:key)"),
                           {{"key", kMigrationLockKey}}, what);
        !q)
        return q.error();
    // The bookkeeping table is the migrator's own, so it exists before migration 1 runs; it
    // is created under the lock because concurrent CREATE TABLE IF NOT EXISTS can collide.
    if (Status s = sql::execDirect(db, QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                                      " version integer PRIMARY KEY,"
                                                      " name text NOT NULL DEFAULT '',"
                                                      " applied_at timestamptz NOT NULL DEFAULT now())"),
                                   what);
        !s)
        return s;
    auto applied = sql::exec(db, QStringLiteral("SELECT 1 FROM schema_migrations WHERE version = :v"),
                             {{"v", m.version}}, what);
    if (!applied)
        return applied.error();
    if (applied->next())
        return tx.commit(what);

    if (Status s = sql::execDirect(db, QString::fromUtf8(m.sql), what); !s)
        return s;
    if (auto q = sql::exec(db, QStringLiteral("INSERT INTO schema_migrations (version, name) VALUES (:v, :n)"),
                           {{"v", m.version}, {"n", QString::fromUtf8(m.name)}}, what);
        !q)
        return q.error();
    if (Status s = tx.commit(what); !s)
        return s;
    qCInfo(lcStore) << "applied schema migration" << m.version << m.name;
    return Ok{};
}

} // namespace

const QList<Migration> &migrations()
{
    return kMigrations;
}

Status refuseNewerSchema(QSqlDatabase &db)
{
    const QString what = QStringLiteral("reading the schema version");
    auto exists = sql::exec(
        db, QStringLiteral("SELECT to_regclass('schema_migrations') IS NOT NULL"), {}, what);
    if (!exists)
        return exists.error();
    if (!exists->next() || !exists->value(0).toBool())
        return Ok {};
    auto newest = sql::exec(
        db, QStringLiteral("SELECT coalesce(max(version), 0) FROM schema_migrations"), {}, what);
    if (!newest)
        return newest.error();
    const int found = newest->next() ? newest->value(0).toInt() : 0;
    const int known = kMigrations.last().version;
    if (found <= known)
        return Ok {};
    return Error::conflict(QStringLiteral(
        "the database schema is at version %1, newer than the %2 this confabd knows: "
        "a newer confabd migrated it; run that version (or a later one)")
                               .arg(found)
                               .arg(known));
}

Status applyMigrations(QSqlDatabase &db)
{
    // An older binary on a newer schema could write rows the newer code misreads: refuse.
    if (Status s = refuseNewerSchema(db); !s)
        return s;
    for (const Migration &m : kMigrations) {
        if (Status s = applyOne(db, m); !s)
            return s;
    }
    return Ok{};
}

} // namespace confab::store
