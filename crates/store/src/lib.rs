//! tenantry's storage: the world's partitions, the change feed and the audit log, on SQLite (embedded,
//! the default) or PostgreSQL (several instances), through one code path over sqlx's `Any` driver and
//! one set of portable migrations.
//!
//! Writes go through a [`WriteTx`]: its first statement increments the revision row, which serialises
//! writers across processes and instances; [`WriteTx::apply`] writes a domain [`Change`] (every mutation,
//! one change-feed row per touched partition, every audit event) in that same transaction. Readers load
//! the whole [`World`] once and then reload only the partitions the change feed names.

// This crate with `testing`, for the integration tests and the bench; the unit tests use `crate::`.
#[cfg(test)]
use tenantry_store as _;

mod access;
mod accounts;
mod aliases;
pub mod audit;
mod audit_chain;
pub mod backup;
mod batch;
mod changes;
mod codec;
mod connect;
mod directory;
mod error;
mod groups;
mod hierarchy;
mod listen;
mod load;
mod mutations;
mod resources;
pub mod sessions;
pub mod signin;
mod subscriptions;
pub mod support;
mod tenants;
#[cfg(feature = "testing")]
pub mod testing;
pub mod throttle;

pub use audit::AuditFilter;
pub use audit_chain::{CHAIN_PAGE, ChainRange};
pub use changes::ChangeRetention;
pub use connect::{Backend, DEFAULT_DB_TIMEOUT};
pub use error::{StoreError, StoreResult};
pub use listen::ChangeListener;
pub use load::Progress as LoadProgress;
pub use mutations::rows as mutation_rows;

use sqlx::AnyPool;
use sqlx::any::Any;
use sqlx::{AnyConnection, Transaction};
use std::sync::Arc;
use tenantry_domain::audit::AuditEvent;
use tenantry_domain::audit_chain::{ChainTip, StoredLink};
use tenantry_domain::{Change, Partition, World};

/// A handle on the database; cheap to clone (the pool is shared).
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    /// On PostgreSQL, native connections beside the portable ones: what only the native driver does
    /// (`COPY`) runs on them. Connected when first used.
    pg: Option<sqlx::PgPool>,
    url: Arc<str>,
    backend: Backend,
    retention: ChangeRetention,
    /// How long any wait for the database lasts before it counts as unavailable.
    timeout: std::time::Duration,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the URL: it may carry a password.
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens `sqlite://PATH?mode=rwc` or `postgres://...` and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        Self::open_with_timeout(url, DEFAULT_DB_TIMEOUT).await
    }

    /// As [`Store::open`], waiting at most `timeout` for a connection ([`StoreError::Unavailable`]
    /// after that).
    pub async fn open_with_timeout(
        url: &str,
        timeout: std::time::Duration,
    ) -> Result<Store, StoreError> {
        let backend = Backend::from_url(url)?;
        let pool = connect::pool(url, backend, timeout).await?;
        connect::migrate(&pool, backend).await?;
        audit_chain::chain_existing(&pool).await?;
        let pg = match backend {
            Backend::Postgres => Some(connect::pg_pool(url, timeout)?),
            Backend::Sqlite => None,
        };
        Ok(Store {
            pool,
            pg,
            url: url.into(),
            backend,
            retention: ChangeRetention::default(),
            timeout,
        })
    }

    /// How long a wait for the database lasts before it counts as unavailable.
    pub fn timeout(&self) -> std::time::Duration {
        self.timeout
    }

    /// The same store, keeping the change feed as `retention` says (tests use a short one).
    pub fn with_change_retention(mut self, retention: ChangeRetention) -> Store {
        self.retention = retention;
        self
    }

    /// Opens (creating it when missing) a SQLite file: WAL, synchronous=FULL, busy timeout 10 s,
    /// foreign keys on.
    pub async fn open_sqlite_file(path: &std::path::Path) -> Result<Store, StoreError> {
        Self::open_sqlite_file_with_timeout(path, DEFAULT_DB_TIMEOUT).await
    }

    /// As [`Store::open_sqlite_file`], with [`Store::open_with_timeout`]'s `timeout`.
    pub async fn open_sqlite_file_with_timeout(
        path: &std::path::Path,
        timeout: std::time::Duration,
    ) -> Result<Store, StoreError> {
        // An absolute path, so that no part of it is read as a URL host.
        let path = std::path::absolute(path).map_err(|e| {
            StoreError::Database(sqlx::Error::Configuration(
                format!("bad database path '{}': {e}", path.display()).into(),
            ))
        })?;
        Self::open_with_timeout(&connect::sqlite_url(&path), timeout).await
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL the store was opened with (it may contain a password: do not log it).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The connection pool now: connections open, and how many of them are idle (the metrics).
    pub fn pool_connections(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    /// Closes every connection (waits for those in use to come back).
    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(pg) = &self.pg {
            pg.close().await;
        }
    }

    /// A read-only transaction that sees one snapshot: WAL gives SQLite that from its first read; on
    /// PostgreSQL it takes REPEATABLE READ (READ COMMITTED would take a new snapshot per statement).
    async fn snapshot(&self) -> StoreResult<Transaction<'static, Any>> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// The whole world and the revision it reflects, read from one snapshot.
    pub async fn load_world(&self) -> Result<(World, i64), StoreError> {
        self.load_world_reporting(&mut |_, _| {}).await
    }

    /// [`Store::load_world`], telling `progress` how far it is (see [`LoadProgress`]).
    pub async fn load_world_reporting(
        &self,
        progress: LoadProgress<'_>,
    ) -> Result<(World, i64), StoreError> {
        let mut tx = self.snapshot().await?;
        let revision = changes::current_revision(&mut tx).await?;
        // The load reads each table once from end to end: a page cache helps it nothing, and the
        // 32 MiB of it a connection may hold for writes (`connect.rs`) would stay filled with what it
        // read, idle in the pool.
        let sqlite = self.backend == Backend::Sqlite;
        if sqlite {
            connect::set_sqlite_cache(&mut tx, connect::SQLITE_SCAN_CACHE).await?;
        }
        // On PostgreSQL the role assignments are read beside the rest, in the same snapshot.
        let beside = match &self.pg {
            Some(pg) => {
                let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
                    .fetch_one(&mut *tx)
                    .await?;
                Some(access::read_role_assignments_beside(pg, snapshot))
            }
            None => None,
        };
        let world = load::world(&mut tx, beside, progress).await;
        if sqlite {
            // Back to the writers' cache whether the load succeeded or not: the connection goes back
            // to the pool.
            connect::set_sqlite_cache(&mut tx, connect::SQLITE_CACHE).await?;
        }
        let world = world?;
        tx.rollback().await?;
        Ok((world, revision))
    }

    /// Replaces partition `p` of `world` with what the database holds now (removes it when gone).
    pub async fn reload_partition(
        &self,
        p: Partition,
        world: &mut World,
    ) -> Result<(), StoreError> {
        let mut tx = self.snapshot().await?;
        load::partition(&mut tx, p, world).await?;
        tx.rollback().await?;
        Ok(())
    }

    /// The revision of the last committed write (0 for a new database).
    pub async fn revision(&self) -> Result<i64, StoreError> {
        let mut conn = self.pool.acquire().await?;
        changes::current_revision(&mut conn).await
    }

    /// Whether the database answers now, on a connection of its own: a refused connection fails at
    /// once, where the pool would keep retrying for its whole timeout. For probing during an outage.
    pub async fn probe(&self) -> Result<(), StoreError> {
        use sqlx::Connection;
        let attempt = async {
            let mut conn = AnyConnection::connect(&self.url).await?;
            changes::current_revision(&mut conn).await?;
            // A failed close leaves nothing behind that matters: the server ends the session anyway.
            let _ = conn.close().await;
            Ok(())
        };
        match tokio::time::timeout(self.timeout, attempt).await {
            Ok(r) => r,
            Err(_) => Err(StoreError::Unavailable(sqlx::Error::PoolTimedOut)),
        }
    }

    /// Every (revision, partition) committed after `rev`, oldest first; [`StoreError::ChangesPruned`]
    /// when the feed no longer reaches back to `rev` (then reload with [`Store::load_world`]).
    pub async fn changes_since(&self, rev: i64) -> Result<Vec<(i64, Partition)>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        changes::since(&mut conn, rev).await
    }

    /// Starts a write: waits until every other writer (of any process) has committed or rolled back.
    pub async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        let mut tx = self.pool.begin().await?;
        let begun = changes::next_revision(&mut tx, self.backend).await?;
        Ok(WriteTx {
            tx: Tx::Any(tx),
            pool: self.pool.clone(),
            revision: begun.revision,
            tip: begun.tip,
            backend: self.backend,
            retention: self.retention,
            bulk: false,
        })
    }

    /// [`Store::begin_write`] for a bulk change (a world file's, a million rows): on PostgreSQL the
    /// transaction runs on a native connection, whose long runs of rows go in with `COPY`; on SQLite
    /// the connection gets a page cache large enough for what a million rows touch, so pages are
    /// written once at commit rather than spilled to the WAL and read back as the statements go.
    /// [`WriteTx::commit`] gives the SQLite connection its usual cache back; a write that is dropped
    /// keeps the larger setting on its pooled connection (allocated as used; only the command line
    /// applies world files).
    pub async fn begin_bulk_write(&self) -> Result<WriteTx, StoreError> {
        if let Some(pg) = &self.pg {
            let mut tx = pg.begin().await?;
            let begun = changes::next_revision_pg(&mut tx).await?;
            return Ok(WriteTx {
                tx: Tx::Pg(tx),
                pool: self.pool.clone(),
                revision: begun.revision,
                tip: begun.tip,
                backend: self.backend,
                retention: self.retention,
                bulk: true,
            });
        }
        // No native pool: SQLite.
        let mut tx = self.begin_write().await?;
        tx.writing()
            .execute(
                connect::sqlite_cache_pragma(connect::SQLITE_BULK_CACHE),
                [],
                false,
            )
            .await?;
        tx.bulk = true;
        Ok(tx)
    }

    /// Audit events matching the filter, newest first.
    pub async fn audit_events(&self, f: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        audit::query(&mut conn, f).await
    }

    /// Up to [`CHAIN_PAGE`] events of the audit chain in `range`, in chain order, with their stored
    /// hashes (to verify or export the chain a page at a time).
    pub async fn audit_chain_page(&self, range: ChainRange) -> Result<Vec<StoredLink>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        audit_chain::page(&mut conn, range).await
    }

    /// The audit chain's tip as the last write recorded it.
    pub async fn audit_chain_tip(&self) -> Result<ChainTip, StoreError> {
        let mut conn = self.pool.acquire().await?;
        audit_chain::recorded_tip(&mut conn).await
    }

    /// The oldest audit event outside the chain (id, time): none is, unless written around tenantry.
    pub async fn audit_unchained_event(&self) -> Result<Option<(String, i64)>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        audit_chain::unchained(&mut conn).await
    }

    /// On PostgreSQL, a listener woken by every committed write (of any instance); `None` on SQLite,
    /// where instances share a file and poll the revision instead.
    pub async fn listen(&self) -> Result<Option<ChangeListener>, StoreError> {
        match self.backend {
            Backend::Postgres => Ok(Some(ChangeListener::connect(&self.url).await?)),
            Backend::Sqlite => Ok(None),
        }
    }
}

/// A write in progress. Dropping it without [`WriteTx::commit`] rolls everything back, the revision
/// included.
pub struct WriteTx {
    tx: Tx,
    /// For what a write on a native connection reads ([`WriteTx::changes_since`] and the reloads).
    pool: AnyPool,
    revision: i64,
    /// The audit chain's tip as this write leaves it so far (read as it began).
    tip: Option<tenantry_domain::audit_chain::ChainTip>,
    backend: Backend,
    retention: ChangeRetention,
    /// Begun by [`Store::begin_bulk_write`].
    bulk: bool,
}

/// A write's transaction: on the portable connection, or on a native PostgreSQL one (a bulk write).
enum Tx {
    Any(Transaction<'static, Any>),
    Pg(Transaction<'static, sqlx::Postgres>),
}

impl WriteTx {
    /// The revision this write commits as.
    pub fn revision(&self) -> i64 {
        self.revision
    }

    fn writing(&mut self) -> batch::Conn<'_> {
        match &mut self.tx {
            Tx::Any(tx) => batch::Conn::Any(tx),
            Tx::Pg(tx) => batch::Conn::Pg(tx),
        }
    }

    /// What others committed after `rev`, seen from inside this transaction (to catch up before
    /// running a rule); [`StoreError::ChangesPruned`] as for [`Store::changes_since`].
    ///
    /// A write on a native connection reads through the pool instead: it holds the revision row's
    /// lock, so no other write commits meanwhile, and what the pool sees is what it would see.
    pub async fn changes_since(&mut self, rev: i64) -> Result<Vec<(i64, Partition)>, StoreError> {
        match &mut self.tx {
            Tx::Any(tx) => changes::since(tx, rev).await,
            Tx::Pg(_) => changes::since(&mut *self.pool.acquire().await?, rev).await,
        }
    }

    /// The whole world as this transaction sees it (when the change feed no longer reaches back).
    pub async fn load_world(&mut self) -> Result<World, StoreError> {
        match &mut self.tx {
            Tx::Any(tx) => load::world(tx, None, &mut |_, _| {}).await,
            Tx::Pg(_) => load::world(&mut *self.pool.acquire().await?, None, &mut |_, _| {}).await,
        }
    }

    /// Reloads a partition from inside this transaction.
    pub async fn reload_partition(
        &mut self,
        p: Partition,
        world: &mut World,
    ) -> Result<(), StoreError> {
        match &mut self.tx {
            Tx::Any(tx) => load::partition(tx, p, world).await,
            Tx::Pg(_) => load::partition(&mut *self.pool.acquire().await?, p, world).await,
        }
    }

    /// Writes a change: every mutation in order, a change-feed row for each partition it touches, and
    /// its audit events at the audit chain's tip. After an error the transaction must be dropped
    /// (PostgreSQL has aborted it).
    pub async fn apply(&mut self, change: &Change) -> Result<(), StoreError> {
        self.apply_reporting(change, &mut |_, _| {}).await
    }

    /// [`WriteTx::apply`], calling `progress(written, total)` as rows reach the database: the
    /// mutations' entities and the audit events, of `total` (about one row each).
    ///
    /// Rows are written as the mutations are turned into them, a statement at a time: a change of a
    /// million rows never has them all in memory.
    pub async fn apply_reporting(
        &mut self,
        change: &Change,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<(), StoreError> {
        let total =
            change.mutations.iter().map(mutations::rows).sum::<usize>() + change.audit.len();
        let (backend, revision) = (self.backend, self.revision);
        let mut writer = batch::Writer::on(self.writing(), backend);
        let mut ops = Vec::new();
        let mut reported = 0;
        for m in &change.mutations {
            mutations::ops(m, &mut ops)?;
            for op in ops.drain(..) {
                writer.push(op).await?;
            }
            if writer.written() != reported {
                reported = writer.written();
                progress(reported.min(total), total);
            }
        }
        for p in change.partitions() {
            writer.push(changes::record(revision, p)).await?;
        }
        writer.finish().await?;
        let written = change.mutations.iter().map(mutations::rows).sum::<usize>();
        let mut tip = self.tip;
        audit_chain::append(
            self.writing(),
            &mut tip,
            &change.audit,
            backend,
            &mut |events| progress((written + events).min(total), total),
        )
        .await?;
        self.tip = tip;
        if let Some(through) = self.retention.trim_through(self.revision) {
            changes::prune(self.writing(), through).await?;
        }
        progress(total, total);
        Ok(())
    }

    pub async fn commit(mut self) -> Result<(), StoreError> {
        if self.bulk && self.backend == Backend::Sqlite {
            // Before the commit, which writes the dirty pages whatever the setting: once clean, the
            // pages beyond the usual size are freed.
            self.writing()
                .execute(
                    connect::sqlite_cache_pragma(connect::SQLITE_CACHE),
                    [],
                    false,
                )
                .await?;
        }
        match self.tx {
            Tx::Any(tx) => tx.commit().await?,
            Tx::Pg(tx) => tx.commit().await?,
        }
        Ok(())
    }
}
