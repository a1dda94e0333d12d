//! The revision counter and the change feed: which partitions each revision touched.

use crate::batch::{Op, Table};
use crate::codec::{Cols, Value, id};
use crate::error::StoreResult;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use tenantry_domain::Partition;

pub(crate) static CHANGES: Table = Table {
    name: "changes",
    columns: &["rev", "kind", "id"],
    key_len: 3,
};

/// Takes the next revision. As the first statement of a write transaction it takes the row lock
/// (PostgreSQL) or the database write lock (SQLite), so writers of every process queue here, and each
/// commits with a revision one above the previous commit.
pub(crate) async fn next_revision(conn: &mut AnyConnection) -> StoreResult<i64> {
    let rev: i64 =
        sqlx::query_scalar("UPDATE revision SET rev = rev + 1 WHERE id = 1 RETURNING rev")
            .fetch_one(&mut *conn)
            .await?;
    Ok(rev)
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

/// Every (revision, partition) after `rev`, oldest first.
pub(crate) async fn since(
    conn: &mut AnyConnection,
    rev: i64,
) -> StoreResult<Vec<(i64, Partition)>> {
    let rows =
        sqlx::query("SELECT rev, kind, id FROM changes WHERE rev > $1 ORDER BY rev, kind, id")
            .bind(rev)
            .fetch_all(&mut *conn)
            .await?;
    rows.iter().map(decode).collect()
}
