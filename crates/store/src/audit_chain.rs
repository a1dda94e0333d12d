//! The audit log's hash chain on disk: appending events at the tip (kept on the revision row, whose
//! lock every writer holds, so the chain follows commit order across instances), chaining the events
//! written before the chain existed, and reading it back in position order to verify or export it.
//! The encoding and the checks are the domain's ([`tenantry_domain::audit_chain`]).

use crate::audit::{self, AUDIT_EVENTS};
use crate::batch::{self, Conn};
use crate::codec::{Cols, Value, bind_all};
use crate::connect::Backend;
use crate::error::{StoreError, StoreResult};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe};
use tenantry_domain::audit::AuditEvent;
use tenantry_domain::audit_chain::{
    ChainBreak, ChainHash, ChainTip, ChainWalk, EventRef, StoredLink,
};

/// How many events one read of the chain returns.
pub const CHAIN_PAGE: u32 = 1000;

pub(crate) fn tip_from(count: i64, tip: &str) -> StoreResult<ChainTip> {
    let hash = match count {
        0 => ChainHash::GENESIS,
        _ => ChainHash::parse_hex(tip).ok_or_else(|| {
            StoreError::Corrupt(format!("revision.audit_tip: '{tip}' is not a hash"))
        })?,
    };
    Ok(ChainTip { count, hash })
}

/// Takes the revision row's lock (a no-op update: a writer holds it already, as its first statement)
/// and returns the chain's tip, chaining first the events written before the chain existed.
const LOCK_TIP_SQL: &str =
    "UPDATE revision SET audit_count = audit_count WHERE id = 1 RETURNING audit_count, audit_tip";

async fn lock_tip(conn: &mut AnyConnection) -> StoreResult<ChainTip> {
    let (count, tip): (i64, String) = sqlx::query_as(LOCK_TIP_SQL).fetch_one(&mut *conn).await?;
    match count {
        -1 => chain_unchained(conn).await,
        _ => tip_from(count, &tip),
    }
}

async fn set_tip(conn: &mut Conn<'_>, tip: ChainTip) -> StoreResult<()> {
    conn.execute(
        "UPDATE revision SET audit_count = $1, audit_tip = $2 WHERE id = 1".into(),
        [Value::from(tip.count), Value::from(tip.hash.to_hex())],
        true,
    )
    .await
}

/// [`lock_tip`] on either connection. A bulk write's native connection finds the chain begun: the
/// store chained the events of before the chain when it opened ([`chain_existing`]).
async fn lock_tip_on(conn: &mut Conn<'_>) -> StoreResult<ChainTip> {
    match conn {
        Conn::Any(c) => lock_tip(c).await,
        Conn::Pg(_) => {
            let (count, tip) = conn.fetch_int_text(LOCK_TIP_SQL).await?;
            match count {
                -1 => Err(StoreError::Corrupt(
                    "the audit chain was not begun when the store opened".into(),
                )),
                _ => tip_from(count, &tip),
            }
        }
    }
}

/// Appends `events`, in order, at the chain's tip, calling `progress(events written)` as they reach
/// the database. Runs inside a write transaction, which read the tip as it began (`known`, updated
/// here); without it, the tip is read (and the chain begun) first.
pub(crate) async fn append(
    mut conn: Conn<'_>,
    known: &mut Option<ChainTip>,
    events: &[AuditEvent],
    backend: Backend,
    progress: &mut (dyn FnMut(usize) + Send),
) -> StoreResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let mut tip = match *known {
        Some(tip) => tip,
        None => lock_tip_on(&mut conn).await?,
    };
    let mut writer = batch::Writer::on(conn.reborrow(), backend);
    let mut reported = 0;
    for e in events {
        let record = audit::record(e)?;
        let (seq, prev, hash) = tip.append(&record);
        writer
            .push(audit::insert(&record, seq, &prev, &hash))
            .await?;
        if writer.written() != reported {
            reported = writer.written();
            progress(reported);
        }
    }
    writer.finish().await?;
    set_tip(&mut conn, tip).await?;
    *known = Some(tip);
    Ok(())
}

/// Chains the events that have no position yet (those written before migration 0019), oldest first
/// (by time, then by id: UUIDv7 ids order one second's events as they were made), after an empty chain.
/// Runs with the revision row locked and the tip at -1.
async fn chain_unchained(conn: &mut AnyConnection) -> StoreResult<ChainTip> {
    let mut tip = ChainTip::EMPTY;
    let select = format!(
        "SELECT {} FROM audit_events WHERE seq IS NULL ORDER BY time, id LIMIT {CHAIN_PAGE}",
        AUDIT_EVENTS.columns.join(", ")
    );
    loop {
        // Built from fixed names and a constant.
        let rows = sqlx::query(AssertSqlSafe(select.clone()))
            .fetch_all(&mut *conn)
            .await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            let record = audit::decode_record(row)?;
            let (seq, prev, hash) = tip.append(&record);
            sqlx::query(
                "UPDATE audit_events SET seq = $1, prev_hash = $2, hash = $3 WHERE id = $4",
            )
            .bind(seq)
            .bind(prev.to_hex())
            .bind(hash.to_hex())
            .bind(record.id)
            .execute(&mut *conn)
            .await?;
        }
    }
    set_tip(&mut Conn::Any(conn), tip).await?;
    Ok(tip)
}

/// Chains the events written before the chain existed, once (the first store to open the database
/// after migration 0019 does it; the others find it done).
pub(crate) async fn chain_existing(pool: &sqlx::AnyPool) -> StoreResult<()> {
    let count: i64 = sqlx::query_scalar("SELECT audit_count FROM revision WHERE id = 1")
        .fetch_one(pool)
        .await?;
    if count >= 0 {
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    lock_tip(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// The tip recorded on the revision row (without waiting for writers).
pub(crate) async fn recorded_tip(conn: &mut AnyConnection) -> StoreResult<ChainTip> {
    let (count, tip): (i64, String) =
        sqlx::query_as("SELECT audit_count, audit_tip FROM revision WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?;
    tip_from(count.max(0), &tip)
}

fn decode_link(row: &AnyRow) -> StoreResult<StoredLink> {
    let c = Cols::new(row, AUDIT_EVENTS.name);
    Ok(StoredLink {
        seq: c.int("seq")?,
        // A missing hash is reported by the walk, not refused here.
        prev_hash: c.opt_text("prev_hash")?.unwrap_or_default(),
        hash: c.opt_text("hash")?.unwrap_or_default(),
        record: audit::decode_record(row)?,
    })
}

/// Which part of the chain to read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChainRange {
    /// Events after this position (0: from the first).
    pub after: i64,
    /// Unix seconds, inclusive.
    pub since: Option<i64>,
    /// Unix seconds, inclusive.
    pub until: Option<i64>,
}

/// Up to [`CHAIN_PAGE`] chained events of `range`, in position order.
pub(crate) async fn page(
    conn: &mut AnyConnection,
    range: ChainRange,
) -> StoreResult<Vec<StoredLink>> {
    let mut args = vec![Value::from(range.after)];
    let mut sql = format!(
        "SELECT {} FROM audit_events WHERE seq > $1",
        AUDIT_EVENTS.columns.join(", ")
    );
    if let Some(since) = range.since {
        args.push(Value::from(since));
        sql.push_str(&format!(" AND time >= ${}", args.len()));
    }
    if let Some(until) = range.until {
        args.push(Value::from(until));
        sql.push_str(&format!(" AND time <= ${}", args.len()));
    }
    sql.push_str(&format!(" ORDER BY seq LIMIT {CHAIN_PAGE}"));
    // Built from fixed fragments only; every value is a bind parameter.
    let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), args)
        .persistent(false)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(decode_link).collect()
}

/// The oldest event without a position, if any: written outside the chain.
pub(crate) async fn unchained(conn: &mut AnyConnection) -> StoreResult<Option<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT id, time FROM audit_events WHERE seq IS NULL ORDER BY time, id LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?)
}

impl crate::Store {
    /// Walks the whole audit chain, a page at a time, oldest first: `Ok(Err(break))` names the first
    /// event changed, removed or inserted; `Ok(Ok(tip))` is the sound chain's tip. With a checkpoint,
    /// the chain must also pass through it (its count and hash).
    pub async fn verify_audit_chain(
        &self,
        checkpoint: Option<ChainTip>,
    ) -> StoreResult<Result<ChainTip, ChainBreak>> {
        let mut walk = ChainWalk::new(checkpoint);
        let recorded = loop {
            let links = self
                .audit_chain_page(ChainRange::after(walk.tip().count))
                .await?;
            for link in &links {
                if let Err(b) = walk.step(link) {
                    return Ok(Err(b));
                }
            }
            if links.len() >= CHAIN_PAGE as usize {
                continue;
            }
            // The tip the writers recorded, then one more look: events committed meanwhile are walked
            // too, so a busy server's verification ends on a tip it has reached.
            let recorded = self.audit_chain_tip().await?;
            let more = self
                .audit_chain_page(ChainRange::after(walk.tip().count))
                .await?;
            if more.is_empty() {
                break recorded;
            }
            for link in &more {
                if let Err(b) = walk.step(link) {
                    return Ok(Err(b));
                }
            }
        };
        if walk.tip().count > recorded.count {
            // Chained beyond what any write recorded: the first of those was inserted.
            let first = self
                .audit_chain_page(ChainRange::after(recorded.count))
                .await?;
            if let Some(l) = first.first() {
                return Ok(Err(ChainBreak::Inserted(EventRef {
                    id: l.record.id.clone(),
                    time: l.record.time,
                    seq: l.seq,
                })));
            }
        }
        if let Err(b) = walk.finish(recorded) {
            return Ok(Err(b));
        }
        if let Some((id, time)) = self.audit_unchained_event().await? {
            return Ok(Err(ChainBreak::Inserted(EventRef { id, time, seq: 0 })));
        }
        Ok(Ok(walk.tip()))
    }
}

impl ChainRange {
    /// Every event after position `after`.
    pub fn after(after: i64) -> Self {
        Self {
            after,
            ..Default::default()
        }
    }
}
