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
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use sqlx::postgres::{PgArguments, Postgres};
use sqlx::{AnyConnection, PgConnection};
use std::collections::HashMap;
use std::fmt::Write as _;

/// The connection a write runs on: the portable one, or a native PostgreSQL one, which a bulk write
/// (a world file's) takes so that its long runs of rows go in with `COPY` ([`Writer`]).
pub(crate) enum Conn<'c> {
    Any(&'c mut AnyConnection),
    Pg(&'c mut PgConnection),
}

impl Conn<'_> {
    /// The same connection, borrowed again.
    pub(crate) fn reborrow(&mut self) -> Conn<'_> {
        match self {
            Conn::Any(c) => Conn::Any(c),
            Conn::Pg(c) => Conn::Pg(c),
        }
    }

    /// Runs `sql` (built from fixed names only, see the module's note) with `args` bound in order.
    pub(crate) async fn execute(
        &mut self,
        sql: String,
        args: impl IntoIterator<Item = Value>,
        persistent: bool,
    ) -> StoreResult<()> {
        match self {
            Conn::Any(c) => {
                bind_all(sqlx::query(AssertSqlSafe(sql)), args)
                    .persistent(persistent)
                    .execute(&mut **c)
                    .await?;
            }
            Conn::Pg(c) => {
                bind_pg(sqlx::query(AssertSqlSafe(sql)), args)
                    .persistent(persistent)
                    .execute(&mut **c)
                    .await?;
            }
        }
        Ok(())
    }

    /// The first row of `sql` as an integer and a text (`RETURNING` of the revision row).
    pub(crate) async fn fetch_int_text(&mut self, sql: &'static str) -> StoreResult<(i64, String)> {
        Ok(match self {
            Conn::Any(c) => sqlx::query_as(sql).fetch_one(&mut **c).await?,
            Conn::Pg(c) => sqlx::query_as(sql).fetch_one(&mut **c).await?,
        })
    }
}

/// [`bind_all`] for a native PostgreSQL statement: the same values as the same types.
fn bind_pg<'q>(
    mut q: sqlx::query::Query<'q, Postgres, PgArguments>,
    values: impl IntoIterator<Item = Value>,
) -> sqlx::query::Query<'q, Postgres, PgArguments> {
    for v in values {
        q = match v {
            Value::Text(s) => q.bind(s),
            Value::Int(i) => q.bind(i),
            Value::NullText => q.bind(None::<String>),
            Value::NullInt => q.bind(None::<i64>),
        };
    }
    q
}

/// Rows in `COPY`'s text format: tab-separated columns, one row a line, `\N` for NULL, and the
/// backslash, tab, newline and carriage return of a text escaped.
fn copy_text(rows: &[Vec<Value>], out: &mut Vec<u8>) {
    for row in rows {
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                out.push(b'\t');
            }
            match v {
                Value::Text(s) => {
                    for b in s.bytes() {
                        match b {
                            b'\\' => out.extend_from_slice(b"\\\\"),
                            b'\t' => out.extend_from_slice(b"\\t"),
                            b'\n' => out.extend_from_slice(b"\\n"),
                            b'\r' => out.extend_from_slice(b"\\r"),
                            b => out.push(b),
                        }
                    }
                }
                Value::Int(n) => {
                    let _ = std::io::Write::write_fmt(out, format_args!("{n}"));
                }
                Value::NullText | Value::NullInt => out.extend_from_slice(b"\\N"),
            }
        }
        out.push(b'\n');
    }
}

/// How many rows a native PostgreSQL writer gathers for one `COPY`: enough that the statements around
/// it (the staging table's `INSERT ... SELECT`, its `TRUNCATE`) weigh nothing, few enough that a piece
/// in memory stays small.
const COPY_ROWS: usize = 20_000;
/// Runs shorter than this are inserted with statements: a `COPY` and its staging cost three round
/// trips.
const COPY_MIN_ROWS: usize = 64;

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
        sql.push_str(&self.conflict_sql(mode));
        sql
    }

    /// What an insert in `mode` does with a row whose key exists: `""` or ` ON CONFLICT ...`.
    fn conflict_sql(&self, mode: Mode) -> String {
        let key = self.columns[..self.key_len].join(", ");
        let rest = &self.columns[self.key_len..];
        match mode {
            Mode::Insert => String::new(),
            Mode::Ignore => format!(" ON CONFLICT ({key}) DO NOTHING"),
            Mode::Upsert if rest.is_empty() => format!(" ON CONFLICT ({key}) DO NOTHING"),
            Mode::Upsert => {
                let set: Vec<String> = rest.iter().map(|c| format!("{c} = excluded.{c}")).collect();
                format!(" ON CONFLICT ({key}) DO UPDATE SET {}", set.join(", "))
            }
        }
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
    conn: Conn<'c>,
    max_binds: usize,
    ph: Placeholders,
    pending: Option<Rows>,
    /// The SQL of full statements, by table, mode and row count: built once per run.
    sql: HashMap<(&'static str, Mode, usize), String>,
    /// Rows written so far (the pending ones not yet).
    written: usize,
    /// Staging tables made in this transaction (native PostgreSQL), by the table they feed.
    staged: Vec<&'static str>,
}

impl<'c> Writer<'c> {
    pub(crate) fn on(conn: Conn<'c>, backend: Backend) -> Self {
        Self {
            conn,
            max_binds: max_binds(backend),
            ph: Placeholders::of(backend),
            pending: None,
            sql: HashMap::new(),
            written: 0,
            staged: Vec::new(),
        }
    }

    /// How many rows of `table` wait before they are written.
    fn rows_per_flush(&self, table: &Table) -> usize {
        match self.conn {
            Conn::Pg(_) => COPY_ROWS,
            Conn::Any(_) => rows_per_statement(table, self.max_binds),
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
                    && rows.values.len() >= self.rows_per_flush(rows.table)
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
                    self.conn.reborrow(),
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
                self.conn.execute(sql.to_string(), args, true).await
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
        if let Conn::Pg(conn) = &mut self.conn
            && rows.len() >= COPY_MIN_ROWS
        {
            let n = rows.len();
            copy_rows(conn, table, mode, &rows, &mut self.staged).await?;
            self.written += n;
            return Ok(());
        }
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
            self.conn
                .execute(sql, chunk.into_iter().flatten(), persistent)
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

/// Writes `rows` of `table` with `COPY`. A duplicate key must fail in [`Mode::Insert`], as the
/// statement would, and `COPY` straight into the table does that. In the other modes the rows are
/// first copied straight in too, under a savepoint: a bulk write's rows are new, and PostgreSQL's
/// `ON CONFLICT` costs about 2.5 times a plain insert (12.7 s against 5.1 s for a million role
/// assignments, measured). Only when a key exists already does it go back to the savepoint and copy
/// into a staging table of the same columns (made once per transaction, dropped at its end), from
/// which the statement's `ON CONFLICT` writes them.
async fn copy_rows(
    conn: &mut PgConnection,
    table: &'static Table,
    mode: Mode,
    rows: &[Vec<Value>],
    staged: &mut Vec<&'static str>,
) -> StoreResult<()> {
    let columns = table.columns.join(", ");
    if mode == Mode::Insert {
        return copy_in(conn, table.name, &columns, rows).await;
    }
    sqlx::query("SAVEPOINT copy_rows")
        .execute(&mut *conn)
        .await?;
    match copy_in(conn, table.name, &columns, rows).await {
        Ok(()) => {
            sqlx::query("RELEASE SAVEPOINT copy_rows")
                .execute(&mut *conn)
                .await?;
            return Ok(());
        }
        Err(e) if is_unique_violation(&e) => {
            sqlx::query("ROLLBACK TO SAVEPOINT copy_rows")
                .execute(&mut *conn)
                .await?;
        }
        Err(e) => return Err(e),
    }
    let stage = format!("copy_{}", table.name);
    if !staged.contains(&table.name) {
        // Dropped with the transaction, so a later write of this connection makes it afresh.
        let sql = format!(
            "CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP",
            table.name
        );
        sqlx::query(AssertSqlSafe(sql)).execute(&mut *conn).await?;
        staged.push(table.name);
    }
    copy_in(conn, &stage, &columns, rows).await?;
    let sql = format!(
        "INSERT INTO {} ({columns}) SELECT {columns} FROM {stage}{}",
        table.name,
        table.conflict_sql(mode)
    );
    sqlx::query(AssertSqlSafe(sql)).execute(&mut *conn).await?;
    sqlx::query(AssertSqlSafe(format!("TRUNCATE {stage}")))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// How many rows go in one `CopyData` message. The server parses a message once it has all of it: with
/// a run's rows in one message it waited while they were formatted, and the writer waited while it
/// parsed them; sent as they are formatted, the server parses one part while the next is formatted.
/// `world apply` of the scale bench's world at 1M on PostgreSQL (1,106,790 rows), fresh databases,
/// builds run in turns: one message per run 7.2–9.2 s (120–154k rows/s); 4,000 rows a message
/// 8.2–8.7 s; 1,000 rows 6.3–7.4 s (149–175k rows/s); 250 rows 6.9–7.3 s.
const COPY_CHUNK_ROWS: usize = 1_000;

/// `COPY table (columns) FROM STDIN` of rows in the text format, formatted and sent
/// [`COPY_CHUNK_ROWS`] at a time.
async fn copy_in(
    conn: &mut PgConnection,
    table: &str,
    columns: &str,
    rows: &[Vec<Value>],
) -> StoreResult<()> {
    let mut copy = conn
        .copy_in_raw(&format!("COPY {table} ({columns}) FROM STDIN"))
        .await?;
    let mut data = Vec::with_capacity(COPY_CHUNK_ROWS.min(rows.len()) * 160);
    for chunk in rows.chunks(COPY_CHUNK_ROWS) {
        data.clear();
        copy_text(chunk, &mut data);
        copy.send(data.as_slice()).await?;
    }
    copy.finish().await?;
    Ok(())
}

/// A unique violation, as the store reports it.
fn is_unique_violation(e: &crate::StoreError) -> bool {
    matches!(e, crate::StoreError::Conflict(_))
}

async fn delete_in(
    mut conn: Conn<'_>,
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
        conn.execute(sql, args, persistent).await?;
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
