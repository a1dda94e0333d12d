//! The service core: the world in memory, kept equal to the database, and the one write path every
//! command goes through.
//!
//! A write takes the database's revision row first (which serialises writers across processes and
//! instances), catches the in-memory world up with whatever other instances committed, runs the rule
//! against the current world, writes the rule's mutations with their audit events in that same
//! transaction, commits, and applies the mutations in memory. Readers never wait for the database.
//! Other instances follow through the `changes` feed (woken by LISTEN/NOTIFY on PostgreSQL, polled
//! otherwise), reloading only the partitions that changed.

use crate::error::ServiceError;
use parking_lot::RwLock;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tenantry_domain::{Change, Partition, Timestamp, World};
use tenantry_store::{Store, StoreError};
use tokio::sync::Mutex;

/// What a plan run by [`Service::execute_in_pieces`] hands out.
pub(crate) enum Step {
    /// The next piece of the change, in order.
    Piece(Change),
    /// How far the planning is (done, total), for a progress display.
    Progress(usize, usize),
}

/// About how many rows a piece writes: its mutations' entities and its audit events.
fn tx_rows(change: &Change) -> usize {
    change
        .mutations
        .iter()
        .map(tenantry_store::mutation_rows)
        .sum::<usize>()
        + change.audit.len()
}

/// How often an instance looks for changes made by others when nothing woke it.
const FOLLOW_INTERVAL: Duration = Duration::from_millis(250);
/// While the database is out of reach the follower probes it less often, doubling its wait up to this:
/// short enough that writes resume within a second of the database's return.
const FOLLOW_BACKOFF_MAX: Duration = Duration::from_millis(500);

#[derive(Clone)]
pub struct Service {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    world: RwLock<World>,
    /// The database revision the in-memory world reflects.
    revision: AtomicI64,
    /// One writer per instance at a time (the database serialises instances).
    write_lock: Mutex<()>,
    /// Seconds added to the wall clock: lets tests reach expiry times.
    clock_offset: AtomicI64,
    /// External issuers' keys, for federated client assertions.
    issuer_keys: crate::federation::IssuerKeys,
    /// Whether the database is out of reach, as last seen.
    outage: crate::outage::Outage,
}

impl Service {
    /// Loads the whole world from the store.
    pub async fn open(store: Store) -> Result<Self, ServiceError> {
        Self::open_reporting(store, &mut |_, _| {}).await
    }

    /// [`Service::open`], telling `progress` how far the load is (phase, rows read in it).
    pub async fn open_reporting(
        store: Store,
        progress: tenantry_store::LoadProgress<'_>,
    ) -> Result<Self, ServiceError> {
        let (world, revision) = store.load_world_reporting(progress).await?;
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                world: RwLock::new(world),
                revision: AtomicI64::new(revision),
                write_lock: Mutex::new(()),
                clock_offset: AtomicI64::new(0),
                issuer_keys: crate::federation::IssuerKeys::new(),
                outage: crate::outage::Outage::default(),
            }),
        })
    }

    /// External OpenID Connect issuers' keys (federated credentials), cached per issuer.
    pub fn issuer_keys(&self) -> &crate::federation::IssuerKeys {
        &self.inner.issuer_keys
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Unix seconds, as the rules see time.
    pub fn now(&self) -> Timestamp {
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        wall + self.inner.clock_offset.load(Ordering::Relaxed)
    }

    /// Moves this instance's clock (tests of expiry and lockout).
    pub fn advance_clock(&self, seconds: i64) {
        self.inner
            .clock_offset
            .fetch_add(seconds, Ordering::Relaxed);
    }

    /// Reads the current world. Keep the closure short: writers wait for it.
    pub fn read<R>(&self, f: impl FnOnce(&World) -> R) -> R {
        f(&self.inner.world.read())
    }

    /// The revision the in-memory world reflects.
    pub fn revision(&self) -> i64 {
        self.inner.revision.load(Ordering::Acquire)
    }

    /// Runs a rule and writes what it decided, atomically with its audit events. A refusal writes nothing.
    /// An empty change (the request asked for what already is) writes nothing either.
    pub async fn execute<T>(
        &self,
        rule: impl FnOnce(&World) -> Result<(Change, T), ServiceError>,
    ) -> Result<T, ServiceError> {
        let (_writer, mut tx, started) = self.begin_write(false).await?;
        let (change, value) = rule(&self.inner.world.read())?;
        if change.mutations.is_empty() && change.audit.is_empty() {
            return Ok(value); // dropping the transaction rolls the revision back
        }
        self.seen(tx.apply(&change).await)?;
        let revision = tx.revision();
        pause_before_commit().await;
        self.seen(tx.commit().await)?;
        crate::metrics::db_query("write", started);
        self.inner.world.write().apply(&change);
        self.inner.revision.store(revision, Ordering::Release);
        Ok(value)
    }

    /// [`Service::execute`] for a change too large to hold at once (a world file's): `plan` runs on a
    /// thread of its own with a copy of the world and hands the change out in pieces as it makes them
    /// (`step(Step::Piece(…))`), each written in the one transaction while the next is planned, and
    /// returns the world with the whole change applied, which replaces this instance's world once
    /// committed. A refusal (or a failed write) rolls everything back: all or nothing as `execute`.
    /// `progress` gets the plan's [`Step::Progress`]; `written(rows)` follows the writes.
    pub(crate) async fn execute_in_pieces<T: Send + 'static>(
        &self,
        plan: impl FnOnce(World, &mut dyn FnMut(Step)) -> Result<(World, T), ServiceError>
        + Send
        + 'static,
        progress: &mut (dyn FnMut(usize, usize) + Send),
        written: &mut (dyn FnMut(usize) + Send),
    ) -> Result<T, ServiceError> {
        let (_writer, mut tx, started) = self.begin_write(true).await?;
        let world = self.inner.world.read().clone();
        // Two pieces in flight: one being written, the next planned.
        let (send, mut receive) = tokio::sync::mpsc::channel::<Step>(2);
        let planner = std::thread::Builder::new()
            .name("plan".into())
            .spawn(move || {
                plan(world, &mut |step| match step {
                    // Progress is for a display: the planner never waits for room for it (with the
                    // writer busy on a piece, it would stop planning the next one).
                    Step::Progress(done, total) if done < total => {
                        let _ = send.try_send(step);
                    }
                    // A closed channel means the writes failed: the rest of the plan goes nowhere.
                    step => {
                        let _ = send.blocking_send(step);
                    }
                })
            })
            .map_err(|e| ServiceError::Internal(format!("cannot start planning: {e}")))?;
        let (mut rows, mut changed, mut failed) = (0, false, None);
        while let Some(step) = receive.recv().await {
            match step {
                Step::Progress(done, total) => progress(done, total),
                Step::Piece(change) => {
                    changed |= !change.mutations.is_empty() || !change.audit.is_empty();
                    let result = tx
                        .apply_reporting(&change, &mut |done, _| written(rows + done))
                        .await;
                    match result {
                        Ok(()) => rows += tx_rows(&change),
                        Err(e) => {
                            failed = Some(e);
                            break;
                        }
                    }
                }
            }
        }
        drop(receive);
        // The channel is closed: the planner has returned or is about to.
        let planned = planner
            .join()
            .map_err(|_| ServiceError::Internal("the planning of the change panicked".into()))?;
        if let Some(e) = failed {
            return self.seen(Err(e));
        }
        let (world, value) = planned?;
        if !changed {
            return Ok(value); // dropping the transaction rolls the revision back
        }
        let revision = tx.revision();
        pause_before_commit().await;
        self.seen(tx.commit().await)?;
        crate::metrics::db_query("write", started);
        self.replace(world, revision);
        Ok(value)
    }

    /// Takes the write lock, begins the write transaction and catches up with what other instances
    /// committed before it: what a rule then reads is the database's latest. `bulk`: for a change of
    /// up to millions of rows ([`tenantry_store::Store::begin_bulk_write`]).
    async fn begin_write(
        &self,
        bulk: bool,
    ) -> Result<
        (
            tokio::sync::MutexGuard<'_, ()>,
            tenantry_store::WriteTx,
            std::time::Instant,
        ),
        ServiceError,
    > {
        let writer = self.writer().await?;
        if let Some(reason) = self.inner.outage.refusal() {
            return Err(ServiceError::Unavailable(reason));
        }
        let started = std::time::Instant::now();
        let mut tx = self.seen(if bulk {
            self.inner.store.begin_bulk_write().await
        } else {
            self.inner.store.begin_write().await
        })?;
        let known = self.revision();
        if tx.revision() - 1 > known {
            match tx.changes_since(known).await {
                Ok(changes) => {
                    let mut fresh = World::new();
                    let partitions = distinct(changes.iter().map(|(_, p)| *p));
                    for p in &partitions {
                        tx.reload_partition(*p, &mut fresh).await?;
                    }
                    self.adopt(&partitions, &mut fresh, tx.revision() - 1);
                }
                Err(StoreError::ChangesPruned(_)) => {
                    let world = tx.load_world().await?;
                    self.replace(world, tx.revision() - 1);
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok((writer, tx, started))
    }

    /// The write lock, waited for at most the database timeout while the database is out of reach (the
    /// writer holding it fails within that bound too, so waiting longer only queues more failures).
    async fn writer(&self) -> Result<tokio::sync::MutexGuard<'_, ()>, ServiceError> {
        let lock = self.inner.write_lock.lock();
        tokio::pin!(lock);
        match tokio::time::timeout(self.inner.store.timeout(), &mut lock).await {
            Ok(guard) => Ok(guard),
            Err(_) if self.inner.outage.is_down() => Err(ServiceError::Unavailable(
                "writes are waiting for the database to come back".into(),
            )),
            Err(_) => Ok(lock.await),
        }
    }

    /// A store call's result, noting whether the database answered (a refusal by a constraint is an
    /// answer too).
    fn seen<T>(&self, r: Result<T, StoreError>) -> Result<T, ServiceError> {
        match &r {
            Err(e) if e.is_unavailable() => self.inner.outage.failed(e),
            _ => self.inner.outage.answered(),
        }
        Ok(r?)
    }

    /// Whether this instance last found the database out of reach.
    pub fn database_unavailable(&self) -> bool {
        self.inner.outage.is_down()
    }

    fn replace(&self, world: World, revision: i64) {
        *self.inner.world.write() = world;
        self.inner.revision.store(revision, Ordering::Release);
    }

    fn adopt(&self, partitions: &[Partition], fresh: &mut World, revision: i64) {
        let mut world = self.inner.world.write();
        for p in partitions {
            world.adopt(*p, fresh);
        }
        self.inner.revision.store(revision, Ordering::Release);
    }

    /// Brings the in-memory world up to what other instances committed. Returns whether anything changed.
    pub async fn sync(&self) -> Result<bool, ServiceError> {
        let started = std::time::Instant::now();
        let committed = self.seen(self.inner.store.revision().await)?;
        crate::metrics::db_query("change_feed", started);
        if committed <= self.revision() {
            return Ok(false);
        }
        let _writer = self.writer().await?;
        let known = self.revision();
        let changes = match self.inner.store.changes_since(known).await {
            Ok(changes) => changes,
            // Too far behind for the feed: everything, from one snapshot.
            Err(StoreError::ChangesPruned(_)) => {
                let (world, revision) = self.seen(self.inner.store.load_world().await)?;
                self.replace(world, revision);
                return Ok(true);
            }
            Err(e) => return self.seen(Err(e)),
        };
        let Some(latest) = changes.iter().map(|(r, _)| *r).max() else {
            return Ok(false);
        };
        let partitions = distinct(changes.iter().map(|(_, p)| *p));
        let mut fresh = World::new();
        for p in &partitions {
            self.seen(self.inner.store.reload_partition(*p, &mut fresh).await)?;
        }
        self.adopt(&partitions, &mut fresh, latest);
        Ok(true)
    }

    /// Whether this instance can serve what it is asked, for `/readyz`: the database answers within
    /// `within`, and the world in memory has caught up with every write committed (by any instance)
    /// when asked. Tries to catch up first, so a moment's lag behind another instance is not a refusal.
    pub async fn readiness(&self, within: Duration) -> Readiness {
        // During an outage the follower probes the database; asking again here would only make the
        // load balancer wait.
        if self.inner.outage.is_down() {
            return Readiness {
                database: false,
                revision: self.revision(),
                behind: None,
            };
        }
        // One bound for the whole check, no longer than the database timeout.
        let deadline = tokio::time::Instant::now() + within.min(self.inner.store.timeout());
        let reachable = tokio::time::timeout_at(deadline, self.sync()).await;
        let database = matches!(reachable, Ok(Ok(_)));
        let committed = if database {
            match tokio::time::timeout_at(deadline, self.inner.store.revision()).await {
                Ok(Ok(r)) => Some(r),
                _ => None,
            }
        } else {
            None
        };
        Readiness {
            database,
            revision: self.revision(),
            behind: committed.map(|c| (c - self.revision()).max(0)),
        }
    }

    /// Follows other instances until the process ends: woken by PostgreSQL notifications, and polled.
    pub fn spawn_follower(&self) -> tokio::task::JoinHandle<()> {
        let svc = self.clone();
        tokio::spawn(async move {
            let mut listener = svc.inner.store.listen().await.ok().flatten();
            let mut backoff = FOLLOW_INTERVAL;
            loop {
                if svc.inner.outage.is_down() {
                    // Out of reach: probe on a connection of its own (a refused one fails at once)
                    // rather than through the pool, which would wait out its whole timeout.
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(FOLLOW_BACKOFF_MAX);
                    match svc.inner.store.probe().await {
                        Ok(()) => svc.inner.outage.answered(),
                        Err(e) => {
                            svc.inner.outage.failed(&e);
                            continue;
                        }
                    }
                } else {
                    backoff = FOLLOW_INTERVAL;
                    // A notification wakes us at once; the poll catches what was committed before
                    // the listener was connected, or a notification lost with a dropped connection.
                    match listener.as_mut() {
                        Some(l) => {
                            let _ = tokio::time::timeout(FOLLOW_INTERVAL, l.recv()).await;
                        }
                        None => tokio::time::sleep(FOLLOW_INTERVAL).await,
                    }
                }
                match svc.sync().await {
                    Ok(_) => {}
                    // Logged once, when the outage started (`Outage::failed`).
                    Err(e) if e.is_unavailable() => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "could not follow changes from the database");
                        tokio::time::sleep(FOLLOW_INTERVAL).await;
                    }
                }
            }
        })
    }
}

/// A fault-injection point for the crash tests: with `TENANTRY_FAULT_PAUSE_BEFORE_COMMIT_MS` set, every
/// write announces itself on standard error and waits that long with its transaction open, so a test can
/// kill the process in the middle of it. Compiled only into test builds (feature `fault-injection`).
#[cfg(feature = "fault-injection")]
async fn pause_before_commit() {
    static PAUSE: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
    let pause = PAUSE.get_or_init(|| {
        std::env::var("TENANTRY_FAULT_PAUSE_BEFORE_COMMIT_MS")
            .ok()
            .and_then(|v| v.parse().ok())
    });
    if let Some(ms) = pause {
        eprintln!("tenantry: transaction written, pausing {ms} ms before commit");
        tokio::time::sleep(Duration::from_millis(*ms)).await;
    }
}

/// Without the feature (every build but the tests'), there is nothing to wait for.
#[cfg(not(feature = "fault-injection"))]
async fn pause_before_commit() {}

/// What `/readyz` reports ([`Service::readiness`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Readiness {
    /// The database answered in time.
    pub database: bool,
    /// The revision the world in memory reflects.
    pub revision: i64,
    /// How many revisions others committed that memory does not hold yet (`None`: unknown).
    pub behind: Option<i64>,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.database && self.behind == Some(0)
    }
}

fn distinct(partitions: impl Iterator<Item = Partition>) -> Vec<Partition> {
    let mut v: Vec<Partition> = partitions.collect();
    v.sort();
    v.dedup();
    v
}
