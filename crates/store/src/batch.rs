//! Writes as data, executed in as few statements as the backends allow.
//!
//! Each mutation becomes a list of [`Op`]s. Consecutive row writes to the same table become multi-row
//! `INSERT ... VALUES (...), (...)` statements, and key deletes become `DELETE ... WHERE k IN (...)`, both
//! cut into chunks that stay under the bind-parameter limits (SQLite 32,766, PostgreSQL 65,535). A
//! [`Writer`] takes the ops as they come and holds at most one statement's rows: a million-row change
//! is written without its rows ever being in memory all at once.
//!
//! All SQL built here comes from the `&'static str` table and column names below, never from data, which
//! is why wrapping it in `AssertSqlSafe` is sound: values always travel as bind parameters.

use crate::Backend;
use crate::codec::{Value, bind_all};
use crate::error::StoreResult;
use sqlx::AnyConnection;
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use std::collections::HashMap;
use std::fmt::Write as _;

/// The most parameters one statement binds on each backend: as many as both allow (SQLite's 32,766 is
/// below PostgreSQL's 65,535), so a 100k-row write is a handful of statements.
///
/// SQLite's statements number their parameters with plain `?` (see [`Placeholders`]): sqlx's SQLite
/// driver asks `sqlite3_bind_parameter_name` for every parameter, which for `$n` names scans the
/// statement's list of names (binding k of them costs O(k²): at 32,766 per statement a 100k-row insert
/// took a minute), and for `?` finds no name at once.
pub(crate) fn max_binds(_backend: Backend) -> usize {
    32_766
}

/// How a statement names its parameters: PostgreSQL's `$1, $2…`, or SQLite's anonymous `?`, bound in
/// order (the same order the `$n` would give).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placeholders {
    Numbered,
    Anonymous,
}

impl Placeholders {
    pub(crate) fn of(backend: Backend) -> Self {
        match backend {
            Backend::Postgres => Placeholders::Numbered,
            Backend::Sqlite => Placeholders::Anonymous,
        }
    }

    /// Writes the `n`th (1-based) parameter.
    fn write(self, sql: &mut String, n: usize) {
        match self {
            Placeholders::Numbered => {
                let _ = write!(sql, "${n}");
            }
            Placeholders::Anonymous => sql.push('?'),
        }
    }
}

/// A table as the writers see it. The key columns come first in `columns`.
#[derive(Debug)]
pub(crate) struct Table {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    /// How many leading columns form the primary key (the `ON CONFLICT` target).
    pub key_len: usize,
}

impl Table {
    /// `SELECT <columns> FROM <table>`, optionally `WHERE <filter> = $1`.
    pub(crate) fn select_sql(&self, filter: Option<&str>) -> String {
        let mut sql = format!("SELECT {} FROM {}", self.columns.join(", "), self.name);
        if let Some(col) = filter {
            let _ = write!(sql, " WHERE {col} = $1");
        }
        sql
    }

    fn insert_sql(&self, rows: usize, mode: Mode, ph: Placeholders) -> String {
        let width = self.columns.len();
        let mut sql = format!(
            "INSERT INTO {} ({}) VALUES ",
            self.name,
            self.columns.join(", ")
        );
        for r in 0..rows {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..width {
                if c > 0 {
                    sql.push_str(", ");
                }
                ph.write(&mut sql, r * width + c + 1);
            }
            sql.push(')');
        }
        let key = self.columns[..self.key_len].join(", ");
        let rest = &self.columns[self.key_len..];
        match mode {
            Mode::Insert => {}
            Mode::Ignore => {
                let _ = write!(sql, " ON CONFLICT ({key}) DO NOTHING");
            }
            Mode::Upsert if rest.is_empty() => {
                let _ = write!(sql, " ON CONFLICT ({key}) DO NOTHING");
            }
            Mode::Upsert => {
                let set: Vec<String> = rest.iter().map(|c| format!("{c} = excluded.{c}")).collect();
                let _ = write!(sql, " ON CONFLICT ({key}) DO UPDATE SET {}", set.join(", "));
            }
        }
        sql
    }
}

/// What to do when a row's key exists already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Mode {
    /// Fail: a unique violation, reported as a conflict.
    Insert,
    /// Keep the existing row.
    Ignore,
    /// Replace the existing row (`Put*` mutations).
    Upsert,
}

#[derive(Debug)]
pub(crate) enum Op {
    /// One row for `table`; consecutive rows with the same table and mode are written together.
    Row {
        table: &'static Table,
        mode: Mode,
        values: Vec<Value>,
    },
    /// `DELETE FROM table WHERE fixed... AND column IN (keys)`, chunked.
    DeleteIn {
        table: &'static str,
        fixed: Vec<(&'static str, Value)>,
        column: &'static str,
        keys: Vec<Value>,
    },
    /// A fixed statement with its parameters.
    Exec { sql: &'static str, args: Vec<Value> },
}

impl Op {
    pub(crate) fn upsert(table: &'static Table, values: Vec<Value>) -> Op {
        Op::Row {
            table,
            mode: Mode::Upsert,
            values,
        }
    }
    pub(crate) fn ignore(table: &'static Table, values: Vec<Value>) -> Op {
        Op::Row {
            table,
            mode: Mode::Ignore,
            values,
        }
    }
    pub(crate) fn insert(table: &'static Table, values: Vec<Value>) -> Op {
        Op::Row {
            table,
            mode: Mode::Insert,
            values,
        }
    }
}

/// Writes ops in order as they are pushed: runs of rows for one table become multi-row statements, each
/// written as soon as it is full, so at most one statement's rows wait in memory.
pub(crate) struct Writer<'c> {
    conn: &'c mut AnyConnection,
    max_binds: usize,
    ph: Placeholders,
    pending: Option<Rows>,
    /// The SQL of full statements, by table, mode and row count: built once per run.
    sql: HashMap<(&'static str, Mode, usize), String>,
    /// Rows written so far (the pending ones not yet).
    written: usize,
}

impl<'c> Writer<'c> {
    pub(crate) fn new(conn: &'c mut AnyConnection, backend: Backend) -> Self {
        Self {
            conn,
            max_binds: max_binds(backend),
            ph: Placeholders::of(backend),
            pending: None,
            sql: HashMap::new(),
            written: 0,
        }
    }

    /// Rows written to the database so far.
    pub(crate) fn written(&self) -> usize {
        self.written
    }

    pub(crate) async fn push(&mut self, op: Op) -> StoreResult<()> {
        match op {
            Op::Row {
                table,
                mode,
                values,
            } => {
                if let Some(rows) = &mut self.pending
                    && rows.table.name == table.name
                    && rows.mode == mode
                {
                    rows.values.push(values);
                } else {
                    self.flush().await?;
                    self.pending = Some(Rows {
                        table,
                        mode,
                        values: vec![values],
                    });
                }
                if let Some(rows) = &self.pending
                    && rows.values.len() >= rows_per_statement(rows.table, self.max_binds)
                {
                    self.flush().await?;
                }
                Ok(())
            }
            Op::DeleteIn {
                table,
                fixed,
                column,
                keys,
            } => {
                self.flush().await?;
                delete_in(
                    self.conn,
                    table,
                    fixed,
                    column,
                    keys,
                    self.max_binds,
                    self.ph,
                )
                .await
            }
            Op::Exec { sql, args } => {
                self.flush().await?;
                bind_all(sqlx::query(sql), args)
                    .execute(&mut *self.conn)
                    .await?;
                Ok(())
            }
        }
    }

    /// Writes the rows still pending.
    pub(crate) async fn finish(mut self) -> StoreResult<()> {
        self.flush().await
    }

    async fn flush(&mut self) -> StoreResult<()> {
        let Some(rows) = self.pending.take() else {
            return Ok(());
        };
        let table = rows.table;
        let mode = rows.mode;
        let rows = match mode {
            Mode::Insert => rows.values,
            // Within one statement only: PostgreSQL refuses an `ON CONFLICT DO UPDATE` that touches one
            // row twice, and a later statement overwrites an earlier one's row as sequential writes
            // would.
            Mode::Ignore | Mode::Upsert => last_per_key(rows.values, table.key_len),
        };
        let per_statement = rows_per_statement(table, self.max_binds);
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Vec<Value>> = rows.by_ref().take(per_statement).collect();
            let n = chunk.len();
            // Keep the shapes that recur (one row, a full chunk) prepared: parsing a VALUES list of
            // thousands of parameters costs PostgreSQL as much as running it. A remainder chunk's shape
            // is one-off and would only evict useful entries from the statement cache.
            let persistent = n == 1 || n == per_statement;
            let sql = if persistent {
                self.sql
                    .entry((table.name, mode, n))
                    .or_insert_with(|| table.insert_sql(n, mode, self.ph))
                    .clone()
            } else {
                table.insert_sql(n, mode, self.ph)
            };
            bind_all(sqlx::query(AssertSqlSafe(sql)), chunk.into_iter().flatten())
                .persistent(persistent)
                .execute(&mut *self.conn)
                .await?;
            self.written += n;
        }
        Ok(())
    }
}

fn rows_per_statement(table: &Table, max_binds: usize) -> usize {
    (max_binds / table.columns.len()).max(1)
}

/// A run of rows for one table, written with multi-row statements.
struct Rows {
    table: &'static Table,
    mode: Mode,
    values: Vec<Vec<Value>>,
}

/// Keeps the last row of each key, in order. PostgreSQL refuses an `ON CONFLICT DO UPDATE` that touches
/// one row twice; sequential writes would have kept the last one, so that is what we keep.
fn last_per_key(rows: Vec<Vec<Value>>, key_len: usize) -> Vec<Vec<Value>> {
    if rows.len() < 2 {
        return rows;
    }
    let mut last: HashMap<&[Value], usize> = HashMap::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        last.insert(&r[..key_len.min(r.len())], i);
    }
    if last.len() == rows.len() {
        return rows;
    }
    let keep: Vec<bool> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| last.get(&r[..key_len.min(r.len())]) == Some(&i))
        .collect();
    rows.into_iter()
        .zip(keep)
        .filter_map(|(r, k)| k.then_some(r))
        .collect()
}

async fn delete_in(
    conn: &mut AnyConnection,
    table: &'static str,
    fixed: Vec<(&'static str, Value)>,
    column: &'static str,
    keys: Vec<Value>,
    max_binds: usize,
    ph: Placeholders,
) -> StoreResult<()> {
    let per_statement = max_binds.saturating_sub(fixed.len()).max(1);
    let mut full_sql: Option<String> = None;
    let mut keys = keys.into_iter().peekable();
    while keys.peek().is_some() {
        let chunk: Vec<Value> = keys.by_ref().take(per_statement).collect();
        let n = chunk.len();
        let sql = if n == per_statement {
            full_sql
                .get_or_insert_with(|| delete_sql(table, &fixed, column, n, ph))
                .clone()
        } else {
            delete_sql(table, &fixed, column, n, ph)
        };
        // Only small deletes stay prepared. PostgreSQL plans a prepared statement generically after
        // five runs, and the generic plan of a long `IN` list was measured several times slower than
        // the custom plan an unprepared statement always gets.
        let persistent = (n == 1 || n == per_statement) && n + fixed.len() <= 1000;
        let args = fixed.iter().map(|(_, v)| v.clone()).chain(chunk);
        bind_all(sqlx::query(AssertSqlSafe(sql)), args)
            .persistent(persistent)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

fn delete_sql(
    table: &str,
    fixed: &[(&'static str, Value)],
    column: &str,
    keys: usize,
    ph: Placeholders,
) -> String {
    let mut sql = format!("DELETE FROM {table} WHERE ");
    for (i, (col, _)) in fixed.iter().enumerate() {
        let _ = write!(sql, "{col} = ");
        ph.write(&mut sql, i + 1);
        sql.push_str(" AND ");
    }
    let _ = write!(sql, "{column} IN (");
    for k in 0..keys {
        if k > 0 {
            sql.push_str(", ");
        }
        ph.write(&mut sql, fixed.len() + k + 1);
    }
    sql.push(')');
    sql
}

/// Reads the rows of `table` as [`select`] does, handing each to `each` as it arrives: a million rows
/// never sit in memory together, only what `each` keeps of them.
pub(crate) async fn select_each(
    conn: &mut AnyConnection,
    table: &Table,
    filter: Option<(&str, Value)>,
    each: impl FnMut(&AnyRow) -> StoreResult<()>,
) -> StoreResult<()> {
    let (col, value) = match filter {
        Some((c, v)) => (Some(c), Some(v)),
        None => (None, None),
    };
    let sql = table.select_sql(col);
    select_each_of(conn, bind_all(sqlx::query(AssertSqlSafe(sql)), value), each).await
}

/// The rows of `query`, handed to `each` as they arrive.
pub(crate) async fn select_each_of<'q>(
    conn: &mut AnyConnection,
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    mut each: impl FnMut(&AnyRow) -> StoreResult<()>,
) -> StoreResult<()> {
    use futures_util::TryStreamExt as _;
    let mut rows = query.fetch(&mut *conn);
    while let Some(row) = rows.try_next().await? {
        each(&row)?;
    }
    Ok(())
}

/// Reads every row of `table`, or those whose `filter` column equals the value.
pub(crate) async fn select(
    conn: &mut AnyConnection,
    table: &Table,
    filter: Option<(&str, Value)>,
) -> StoreResult<Vec<AnyRow>> {
    let (col, value) = match filter {
        Some((c, v)) => (Some(c), Some(v)),
        None => (None, None),
    };
    let sql = table.select_sql(col);
    let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), value)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    static T: Table = Table {
        name: "t",
        columns: &["a", "b", "c"],
        key_len: 2,
    };

    #[test]
    fn insert_sql_numbers_every_row() {
        assert_eq!(
            T.insert_sql(2, Mode::Upsert, Placeholders::Numbered),
            "INSERT INTO t (a, b, c) VALUES ($1, $2, $3), ($4, $5, $6) ON CONFLICT (a, b) DO UPDATE SET c = excluded.c"
        );
        assert_eq!(
            T.insert_sql(1, Mode::Ignore, Placeholders::Numbered),
            "INSERT INTO t (a, b, c) VALUES ($1, $2, $3) ON CONFLICT (a, b) DO NOTHING"
        );
        assert_eq!(
            T.insert_sql(1, Mode::Insert, Placeholders::Numbered),
            "INSERT INTO t (a, b, c) VALUES ($1, $2, $3)"
        );
        assert_eq!(
            T.insert_sql(2, Mode::Insert, Placeholders::Anonymous),
            "INSERT INTO t (a, b, c) VALUES (?, ?, ?), (?, ?, ?)"
        );
    }

    #[test]
    fn delete_sql_puts_fixed_columns_first() {
        assert_eq!(
            delete_sql(
                "t",
                &[("s", Value::Int(1))],
                "id",
                3,
                Placeholders::Numbered
            ),
            "DELETE FROM t WHERE s = $1 AND id IN ($2, $3, $4)"
        );
        assert_eq!(
            delete_sql(
                "t",
                &[("s", Value::Int(1))],
                "id",
                2,
                Placeholders::Anonymous
            ),
            "DELETE FROM t WHERE s = ? AND id IN (?, ?)"
        );
    }

    #[test]
    fn select_sql_filters_by_one_column() {
        assert_eq!(T.select_sql(None), "SELECT a, b, c FROM t");
        assert_eq!(
            T.select_sql(Some("b")),
            "SELECT a, b, c FROM t WHERE b = $1"
        );
    }

    #[test]
    fn last_row_per_key_wins_and_order_is_kept() {
        let row = |a: i64, b: i64, c: i64| vec![Value::Int(a), Value::Int(b), Value::Int(c)];
        let rows = vec![row(1, 1, 1), row(2, 2, 2), row(1, 1, 3), row(3, 3, 3)];
        assert_eq!(
            last_per_key(rows, 2),
            vec![row(2, 2, 2), row(1, 1, 3), row(3, 3, 3)]
        );
    }
}
