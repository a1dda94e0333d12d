//! The revision counter and the change feed: which partitions each revision touched.

use crate::batch::{Op, Table};
use crate::codec::{Cols, Value, id};
use crate::connect::Backend;
use crate::error::StoreResult;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use tenantry_domain::Partition;
use tenantry_domain::audit_chain::ChainTip;

pub(crate) static CHANGES: Table = Table {
    name: "changes",
    columns: &["rev", "kind", "id"],
    key_len: 3,
};

/// What a write learns as it takes its revision: the revision, and the audit chain's tip, which is
/// kept on the same row (`None` while the chain is not begun: [`crate::audit_chain`] begins it).
pub(crate) struct Begun {
    pub(crate) revision: i64,
    pub(crate) tip: Option<ChainTip>,
}

/// Takes the next revision and reads the chain's tip. As the first statement of a write transaction
/// it takes the row lock (PostgreSQL) or the database write lock (SQLite), so writers of every process
/// queue here, and each commits with a revision one above the previous commit.
const NEXT_REVISION_SQL: &str =
    "UPDATE revision SET rev = rev + 1 WHERE id = 1 RETURNING rev, audit_count, audit_tip";
/// [`NEXT_REVISION_SQL`] on PostgreSQL, which also notifies the other instances' listeners on
/// [`crate::listen::CHANNEL`]: PostgreSQL delivers a notification when its transaction commits and
/// drops it if it rolls back, wherever in the transaction it was sent, so one statement does what took
/// two round trips.
const NEXT_REVISION_PG_SQL: &str = "WITH r AS (UPDATE revision SET rev = rev + 1 WHERE id = 1 \
     RETURNING rev, audit_count, audit_tip) \
     SELECT r.rev, r.audit_count, r.audit_tip FROM r, pg_notify('tenantry_changes', r.rev::text) AS n";

pub(crate) async fn next_revision(
    conn: &mut AnyConnection,
    backend: Backend,
) -> StoreResult<Begun> {
    let sql = match backend {
        Backend::Sqlite => NEXT_REVISION_SQL,
        Backend::Postgres => NEXT_REVISION_PG_SQL,
    };
    let (rev, count, tip): (i64, i64, String) = sqlx::query_as(sql).fetch_one(&mut *conn).await?;
    begun(rev, count, &tip)
}

/// [`next_revision`] on a native PostgreSQL connection (a bulk write's).
pub(crate) async fn next_revision_pg(conn: &mut sqlx::PgConnection) -> StoreResult<Begun> {
    let (rev, count, tip): (i64, i64, String) = sqlx::query_as(NEXT_REVISION_PG_SQL)
        .fetch_one(&mut *conn)
        .await?;
    begun(rev, count, &tip)
}

fn begun(revision: i64, count: i64, tip: &str) -> StoreResult<Begun> {
    Ok(Begun {
        revision,
        tip: match count {
            -1 => None,
            _ => Some(crate::audit_chain::tip_from(count, tip)?),
        },
    })
}

pub(crate) async fn current_revision(conn: &mut AnyConnection) -> StoreResult<i64> {
    let rev: i64 = sqlx::query_scalar("SELECT rev FROM revision WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    Ok(rev)
}

/// A partition touched at `rev` (once, however often `apply` names it).
pub(crate) fn record(rev: i64, p: Partition) -> Op {
    Op::ignore(
        &CHANGES,
        vec![Value::from(rev), Value::from(p.kind()), id(p.id())],
    )
}

fn decode(row: &AnyRow) -> StoreResult<(i64, Partition)> {
    let c = Cols::new(row, CHANGES.name);
    let rev = c.int("rev")?;
    let kind = c.text("kind")?;
    let p = Partition::from_parts(&kind, c.uuid("id")?)
        .ok_or_else(|| c.corrupt("kind", format!("unknown partition kind '{kind}'")))?;
    Ok((rev, p))
}

/// How long the change feed is kept, in revisions, and how often it is trimmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeRetention {
    /// Revisions kept: an instance at most this far behind catches up from the feed.
    pub kept: i64,
    /// The write whose revision is a multiple of this trims the feed (one delete per that many writes).
    pub every: i64,
}

impl Default for ChangeRetention {
    /// 100,000 revisions (a few MB): instances follow within a second, so only one cut off from the
    /// database for that many writes reloads everything.
    fn default() -> Self {
        ChangeRetention {
            kept: 100_000,
            every: 1_000,
        }
    }
}

impl ChangeRetention {
    /// The revision through which the write at `rev` trims the feed, if it is the one to do so.
    pub(crate) fn trim_through(&self, rev: i64) -> Option<i64> {
        (self.every > 0 && rev % self.every == 0 && rev > self.kept).then(|| rev - self.kept)
    }
}

/// Deletes the feed's rows through `through` and records that it did, in the writer's transaction.
pub(crate) async fn prune(mut conn: crate::batch::Conn<'_>, through: i64) -> StoreResult<()> {
    conn.execute(
        "DELETE FROM changes WHERE rev <= $1".into(),
        [Value::from(through)],
        true,
    )
    .await?;
    conn.execute(
        "UPDATE revision SET pruned_through = $1 WHERE id = 1 AND pruned_through < $1".into(),
        [Value::from(through)],
        true,
    )
    .await?;
    Ok(())
}

/// Every (revision, partition) after `rev`, oldest first; [`StoreError::ChangesPruned`] when some of
/// them were trimmed away.
///
/// [`StoreError::ChangesPruned`]: crate::StoreError::ChangesPruned
pub(crate) async fn since(
    conn: &mut AnyConnection,
    rev: i64,
) -> StoreResult<Vec<(i64, Partition)>> {
    let pruned: i64 = sqlx::query_scalar("SELECT pruned_through FROM revision WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    if rev < pruned {
        return Err(crate::StoreError::ChangesPruned(pruned));
    }
    let rows =
        sqlx::query("SELECT rev, kind, id FROM changes WHERE rev > $1 ORDER BY rev, kind, id")
            .bind(rev)
            .fetch_all(&mut *conn)
            .await?;
    rows.iter().map(decode).collect()
}

#[cfg(test)]
mod tests {
    use super::{ChangeRetention, NEXT_REVISION_PG_SQL};

    #[test]
    fn the_revision_notifies_the_channel_listeners_wait_on() {
        let channel = format!("pg_notify('{}',", crate::listen::CHANNEL);
        assert!(NEXT_REVISION_PG_SQL.contains(&channel));
    }

    #[test]
    fn every_nth_write_trims_what_is_older_than_the_kept_revisions() {
        let r = ChangeRetention {
            kept: 100,
            every: 10,
        };
        assert_eq!(r.trim_through(90), None, "nothing is old enough yet");
        assert_eq!(r.trim_through(100), None);
        assert_eq!(r.trim_through(111), None, "not this write's turn");
        assert_eq!(r.trim_through(110), Some(10));
        assert_eq!(r.trim_through(1000), Some(900));
        let never = ChangeRetention { kept: 0, every: 0 };
        assert_eq!(never.trim_through(1000), None);
    }
}
