//! Opening a database: which backend a URL names, the connection pool with SQLite's settings, and the
//! embedded migrations (the binary carries them: a deployed server has no migrations folder).

use crate::error::{StoreError, StoreResult};
use sqlx::SqlSafeStr;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyConnection, AnyPool};
use std::time::Duration;

/// Which database a store runs on. The SQL is the same for both; only connection settings, the
/// snapshot level of reads and change notifications differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> StoreResult<Backend> {
        let scheme = url
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            _ => Err(StoreError::Database(sqlx::Error::Configuration(
                format!(
                    "unsupported database URL scheme '{scheme}': use sqlite://PATH?mode=rwc or postgres://..."
                )
                .into(),
            ))),
        }
    }
}

/// Enough for concurrent readers; writers queue on the revision row anyway.
const MAX_CONNECTIONS: u32 = 10;
/// How long a SQLite writer waits for another one (the write lock) before failing.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request waits for a database connection (connecting included) before it is answered
/// "unavailable" (`--db-timeout`): a stopped database must not hold requests for the pool's default
/// 30 s.
pub const DEFAULT_DB_TIMEOUT: Duration = Duration::from_secs(3);
/// PostgreSQL cancels a statement that runs longer than this many database timeouts. A safety net
/// against a statement that never returns, not the outage bound: a writer may legitimately wait that
/// long for another instance's write (the revision row lock), and the world loads in a few statements.
const STATEMENT_TIMEOUTS: u32 = 10;

/// Every migration, in order. A new file in `migrations/` must be added here (a test checks it).
pub(crate) const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "initial", include_str!("../migrations/0001_initial.sql")),
    (
        2,
        "changes_pruned",
        include_str!("../migrations/0002_changes_pruned.sql"),
    ),
    (
        3,
        "device_codes",
        include_str!("../migrations/0003_device_codes.sql"),
    ),
    (4, "groups", include_str!("../migrations/0004_groups.sql")),
    (
        5,
        "group_membership_claims",
        include_str!("../migrations/0005_group_membership_claims.sql"),
    ),
    (
        6,
        "managed_identities",
        include_str!("../migrations/0006_managed_identities.sql"),
    ),
    (
        7,
        "application_certificates",
        include_str!("../migrations/0007_application_certificates.sql"),
    ),
    (
        8,
        "federated_credentials",
        include_str!("../migrations/0008_federated_credentials.sql"),
    ),
    (
        10,
        "application_object_ids",
        include_str!("../migrations/0010_application_object_ids.sql"),
    ),
    (
        11,
        "management_groups",
        include_str!("../migrations/0011_management_groups.sql"),
    ),
    (12, "tags", include_str!("../migrations/0012_tags.sql")),
    (
        13,
        "subscription_aliases",
        include_str!("../migrations/0013_subscription_aliases.sql"),
    ),
    (
        14,
        "user_names",
        include_str!("../migrations/0014_user_names.sql"),
    ),
    (
        15,
        "management_group_role_assignments",
        include_str!("../migrations/0015_management_group_role_assignments.sql"),
    ),
    (
        16,
        "management_group_role_definitions",
        include_str!("../migrations/0016_management_group_role_definitions.sql"),
    ),
    (
        17,
        "hierarchy_settings",
        include_str!("../migrations/0017_hierarchy_settings.sql"),
    ),
    (
        18,
        "predefined_tag_names",
        include_str!("../migrations/0018_predefined_tag_names.sql"),
    ),
    (
        19,
        "audit_chain",
        include_str!("../migrations/0019_audit_chain.sql"),
    ),
    (
        20,
        "throttle_usage",
        include_str!("../migrations/0020_throttle_usage.sql"),
    ),
    (
        21,
        "role_assignments_without_rowid",
        include_str!("../migrations/0021_role_assignments_without_rowid.sql"),
    ),
];

/// The migrations that change SQLite alone (a storage layout PostgreSQL has no word for). PostgreSQL
/// records their versions with [`NOTHING_TO_DO`] in place of their text, so both backends number their
/// schema the same.
const SQLITE_ONLY: &[i64] = &[21];
/// A migration's body where it has nothing to change.
const NOTHING_TO_DO: &str = "SELECT 1";

/// The pool: `timeout` bounds every wait for a connection, so requests fail fast while the database is
/// out of reach, and the pool reconnects by itself when it is back (each connection is checked before
/// use, so none broken by the outage is handed out).
pub(crate) async fn pool(url: &str, backend: Backend, timeout: Duration) -> StoreResult<AnyPool> {
    sqlx::any::install_default_drivers();
    let options = AnyPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .acquire_timeout(timeout)
        .test_before_acquire(true);
    let options = match backend {
        Backend::Sqlite => options.after_connect(|conn, _meta| Box::pin(sqlite_settings(conn))),
        Backend::Postgres => options.after_connect(move |conn, _meta| {
            Box::pin(postgres_settings(conn, timeout * STATEMENT_TIMEOUTS))
        }),
    };
    Ok(options.connect(url).await?)
}

/// The native PostgreSQL pool beside the portable one ([`crate::Store::pg_pool`]): a couple of
/// connections with the same statement timeout, connected when first used.
pub(crate) fn pg_pool(url: &str, timeout: Duration) -> StoreResult<sqlx::PgPool> {
    let options: sqlx::postgres::PgConnectOptions = url.parse()?;
    let statement = timeout * STATEMENT_TIMEOUTS;
    Ok(sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(timeout)
        .test_before_acquire(true)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                let set = format!("SET statement_timeout = {}", statement.as_millis());
                // A number we format ourselves: nothing from outside reaches this statement.
                sqlx::query(sqlx::AssertSqlSafe(set))
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            })
        })
        .connect_lazy_with(options))
}

/// Per-connection PostgreSQL settings: the statement timeout (see [`STATEMENT_TIMEOUTS`]).
async fn postgres_settings(
    conn: &mut AnyConnection,
    statement: Duration,
) -> Result<(), sqlx::Error> {
    let set = format!("SET statement_timeout = {}", statement.as_millis());
    // A number we format ourselves: nothing from outside reaches this statement.
    sqlx::query(sqlx::AssertSqlSafe(set))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Per-connection SQLite settings. WAL lets readers run beside the writer; synchronous=FULL makes a
/// commit durable when it returns; the busy timeout lets writers of several processes queue instead of
/// failing; foreign keys are off by default in SQLite.
async fn sqlite_settings(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    let busy = format!("PRAGMA busy_timeout = {}", SQLITE_BUSY_TIMEOUT.as_millis());
    // A number we format ourselves: nothing from outside reaches this statement.
    sqlx::query(sqlx::AssertSqlSafe(busy))
        .execute(&mut *conn)
        .await?;
    for pragma in [
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = FULL",
        "PRAGMA foreign_keys = ON",
    ] {
        sqlx::query(pragma).execute(&mut *conn).await?;
    }
    set_sqlite_cache(conn, SQLITE_CACHE).await
}

/// SQLite's page cache per connection, in KiB: 32 MiB (default 2 MiB), allocated as used. Bulk writes
/// touch index pages all over the role assignment table, and re-reading them from the file is what
/// makes them slow.
pub(crate) const SQLITE_CACHE: u32 = 32 * 1024;
/// The page cache while a connection reads whole tables once (SQLite's default).
pub(crate) const SQLITE_SCAN_CACHE: u32 = 2 * 1024;
/// The page cache of a bulk write ([`crate::WriteTx::bulk`]): 256 MiB, allocated as used (a million
/// role assignments and a hundred thousand users take about 400 MB with their indexes; most are
/// appended and never touched again, so what stays hot is far less).
pub(crate) const SQLITE_BULK_CACHE: u32 = 256 * 1024;

/// The statement that sets a connection's page cache to `kib` KiB.
pub(crate) fn sqlite_cache_pragma(kib: u32) -> String {
    format!("PRAGMA cache_size = -{kib}")
}

/// Sets the connection's page cache to `kib` KiB (shrinking it frees the pages over).
pub(crate) async fn set_sqlite_cache(
    conn: &mut AnyConnection,
    kib: u32,
) -> Result<(), sqlx::Error> {
    // A number of ours: nothing from outside reaches this statement.
    sqlx::query(sqlx::AssertSqlSafe(sqlite_cache_pragma(kib)))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The migrations as `backend` runs them (see [`SQLITE_ONLY`]).
pub(crate) fn migrator(backend: Backend) -> Migrator {
    Migrator::with_migrations(
        MIGRATIONS
            .iter()
            .map(|(version, description, sql)| {
                let sql = match backend {
                    Backend::Postgres if SQLITE_ONLY.contains(version) => NOTHING_TO_DO,
                    _ => sql,
                };
                Migration::new(
                    *version,
                    (*description).into(),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

pub(crate) async fn migrate(pool: &AnyPool, backend: Backend) -> StoreResult<()> {
    // On PostgreSQL the migrator takes an advisory lock, so instances starting together migrate once.
    // SQLite has no such lock: two processes opening a new file at once both see a migration missing,
    // and the second to get the write lock fails on what the first created. Running again then finds
    // it applied, so a failure is retried before it counts.
    let mut attempts = 0;
    loop {
        match migrator(backend).run(pool).await {
            Ok(()) => return Ok(()),
            Err(_) if attempts < 3 => {
                attempts += 1;
                tokio::time::sleep(std::time::Duration::from_millis(50 * attempts)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// `sqlite://PATH?mode=rwc` for a file path, escaping what the URL parser would take for syntax.
pub(crate) fn sqlite_url(path: &std::path::Path) -> String {
    sqlite_url_with_mode(path, "rwc")
}

/// `sqlite://PATH?mode=MODE` (`ro`, `rw`, `rwc`), the path escaped as [`sqlite_url`] does.
pub(crate) fn sqlite_url_with_mode(path: &std::path::Path, mode: &str) -> String {
    let mut encoded = String::new();
    for ch in path.to_string_lossy().chars() {
        match ch {
            '%' => encoded.push_str("%25"),
            '?' => encoded.push_str("%3F"),
            '#' => encoded.push_str("%23"),
            ' ' => encoded.push_str("%20"),
            c => encoded.push(c),
        }
    }
    format!("sqlite://{encoded}?mode={mode}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_by_scheme() {
        assert_eq!(Backend::from_url("sqlite://x.db").unwrap(), Backend::Sqlite);
        assert_eq!(
            Backend::from_url("postgres://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert!(Backend::from_url("mysql://u@h/db").is_err());
    }

    #[test]
    fn sqlite_urls_escape_url_syntax() {
        assert_eq!(
            sqlite_url(std::path::Path::new("/tmp/a b?#%.db")),
            "sqlite:///tmp/a%20b%3F%23%25.db?mode=rwc"
        );
    }

    const OLD_DB: &str = "old.db";

    /// A SQLite database in a new directory (kept while the value lives) with the migrations before
    /// `version` applied: a database as an older tenantry left it.
    async fn sqlite_before(version: i64) -> (crate::testing::TempDir, AnyPool) {
        let dir = crate::testing::TempDir::new("tenantry-migrate").unwrap();
        let url = sqlite_url(&dir.path().join(OLD_DB));
        let pool = pool(&url, Backend::Sqlite, DEFAULT_DB_TIMEOUT)
            .await
            .unwrap();
        let before: Vec<_> = migrator(Backend::Sqlite)
            .iter()
            .filter(|m| m.version < version)
            .cloned()
            .collect();
        Migrator::with_migrations(before).run(&pool).await.unwrap();
        (dir, pool)
    }

    /// A database made before application objects had their own ids: migration 0010 gives every
    /// application the id it shared with its service principal (the addresses clients hold stay valid),
    /// and a managed identity none.
    #[tokio::test]
    async fn applications_registered_before_0010_keep_their_shared_id() {
        let (_dir, pool) = sqlite_before(10).await;
        for sql in [
            "INSERT INTO tenants VALUES ('t', 'contoso', 'contoso', 'Contoso', 'azure', 'contoso.onmicrosoft.com', '[]', '{}', 0)",
            "INSERT INTO applications (id, tenant_id, client_id, display_name, secrets, redirect_uris, created) VALUES ('app', 't', 'c1', 'ci', '[]', '[]', 0)",
            "INSERT INTO applications (id, tenant_id, client_id, display_name, secrets, redirect_uris, created, managed_identity) VALUES ('mi', 't', 'c2', 'id', '[]', '[]', 0, '{}')",
        ] {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        migrate(&pool, Backend::Sqlite).await.unwrap();
        let rows: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT id, object_id FROM applications ORDER BY id")
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(
            rows,
            [
                ("app".to_string(), Some("app".to_string())),
                ("mi".to_string(), None)
            ]
        );
    }

    /// A database made before 0021 keeps its role assignments, now in a table without a rowid.
    #[tokio::test]
    async fn role_assignments_made_before_0021_are_kept_by_their_key() {
        let (_dir, pool) = sqlite_before(21).await;
        for (sub, id) in [("s2", "b"), ("s1", "a"), ("s2", "a")] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO role_assignments VALUES ('{sub}', '{id}', '/subscriptions/{sub}', 'p', \
                 'User', 'r', NULL, 7, 'c')"
            )))
            .execute(&pool)
            .await
            .unwrap();
        }
        migrate(&pool, Backend::Sqlite).await.unwrap();
        let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT subscription_id, id, scope, created FROM role_assignments ORDER BY 1, 2",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(
            rows,
            [
                ("s1".into(), "a".into(), "/subscriptions/s1".into(), 7),
                ("s2".into(), "a".into(), "/subscriptions/s2".into(), 7),
                ("s2".into(), "b".into(), "/subscriptions/s2".into(), 7),
            ]
        );
        let rowid = sqlx::query("SELECT rowid FROM role_assignments")
            .fetch_all(&pool)
            .await;
        assert!(rowid.is_err(), "the table still has a rowid");
        // The key still refuses a second row of the same id in a subscription.
        let again = sqlx::query(
            "INSERT INTO role_assignments VALUES ('s1', 'a', '/', 'p', 'User', 'r', NULL, 7, NULL)",
        )
        .execute(&pool)
        .await;
        assert!(again.is_err());
    }

    /// Events written before the chain existed are chained by the first open after migration 0019,
    /// oldest first, and the chain then grows from them.
    #[tokio::test]
    async fn events_written_before_0019_are_chained_in_their_order() {
        let (dir, pool) = sqlite_before(19).await;
        let path = dir.path().join(OLD_DB);
        for (id, time) in [("b", 2), ("a", 1), ("c", 2)] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO audit_events (id, time, actor, actor_key, operation, target, details) \
                 VALUES ('{id}', {time}, 'operator', 'operator', 'tenantry/test', 't', 'null')"
            )))
            .execute(&pool)
            .await
            .unwrap();
        }
        pool.close().await;
        let store = crate::Store::open_sqlite_file(&path).await.unwrap();
        let links = store
            .audit_chain_page(crate::ChainRange::after(0))
            .await
            .unwrap();
        let order: Vec<(i64, &str)> = links
            .iter()
            .map(|l| (l.seq, l.record.id.as_str()))
            .collect();
        assert_eq!(order, [(1, "a"), (2, "b"), (3, "c")]);
        let tip = store.verify_audit_chain(None).await.unwrap().unwrap();
        assert_eq!(tip.count, 3);
        // Opening again changes nothing.
        store.close().await;
        let store = crate::Store::open_sqlite_file(&path).await.unwrap();
        assert_eq!(store.verify_audit_chain(None).await.unwrap(), Ok(tip));
    }

    #[test]
    fn every_migration_file_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let embedded: Vec<String> = MIGRATIONS
            .iter()
            .map(|(v, d, _)| format!("{v:04}_{d}.sql"))
            .collect();
        assert_eq!(files, embedded);
    }
}
