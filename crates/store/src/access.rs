//! Azure RBAC rows: custom role definitions (built-in roles are code, never stored) and role
//! assignments, the one table that sees bulk writes (a change of directory moves 100k of them).

use crate::batch::{Op, Table, select, select_each_of};
use crate::codec::{Cols, Value, bind_all, id, json, opt_id};
use crate::error::{StoreError, StoreResult};
use sqlx::AnyConnection;
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use std::borrow::Cow;
use tenantry_domain::{
    PrincipalType, RoleAssignment, RoleAssignmentId, RoleDefinition, RoleDefinitionId, Scope,
    SubscriptionId, TenantId,
};

pub(crate) static ROLE_DEFINITIONS: Table = Table {
    name: "role_definitions",
    columns: &[
        "subscription_id",
        "id",
        "name",
        "description",
        "permissions",
        "assignable_scopes",
        "created",
    ],
    key_len: 2,
};

/// Custom roles at home in a management group: rows of the tenant partition.
pub(crate) static GROUP_ROLE_DEFINITIONS: Table = Table {
    name: "management_group_role_definitions",
    columns: &[
        "tenant_id",
        "id",
        "name",
        "description",
        "permissions",
        "assignable_scopes",
        "created",
    ],
    key_len: 2,
};

pub(crate) static ROLE_ASSIGNMENTS: Table = Table {
    name: "role_assignments",
    columns: &[
        "subscription_id",
        "id",
        "scope",
        "principal_id",
        "principal_type",
        "role_definition_id",
        "description",
        "created",
        "created_by",
    ],
    key_len: 2,
};

fn sub_filter(only: Option<SubscriptionId>) -> Option<(&'static str, Value)> {
    only.map(|s| ("subscription_id", id(s)))
}

/// A custom role, a subscription's or a directory's; `None` for a built-in one, which the world
/// ignores too (built-ins live in code).
pub(crate) fn put_role_definition(d: &RoleDefinition) -> StoreResult<Option<Op>> {
    let (table, home) = match (d.subscription, d.tenant) {
        (Some(s), _) => (&ROLE_DEFINITIONS, id(s)),
        (None, Some(t)) => (&GROUP_ROLE_DEFINITIONS, id(t)),
        (None, None) => return Ok(None),
    };
    Ok(Some(Op::upsert(
        table,
        vec![
            home,
            id(d.id),
            Value::from(&d.name),
            Value::from(&d.description),
            json(&d.permissions)?,
            json(&d.assignable_scopes)?,
            Value::from(d.created),
        ],
    )))
}

pub(crate) fn delete_role_definitions(
    subscription: SubscriptionId,
    ids: &[RoleDefinitionId],
) -> Op {
    Op::DeleteIn {
        table: ROLE_DEFINITIONS.name,
        fixed: vec![("subscription_id", id(subscription))],
        column: "id",
        keys: ids.iter().map(|d| id(*d)).collect(),
    }
}

pub(crate) fn delete_group_role_definitions(tenant: TenantId, ids: &[RoleDefinitionId]) -> Op {
    Op::DeleteIn {
        table: GROUP_ROLE_DEFINITIONS.name,
        fixed: vec![("tenant_id", id(tenant))],
        column: "id",
        keys: ids.iter().map(|d| id(*d)).collect(),
    }
}

pub(crate) async fn load_group_role_definitions(
    conn: &mut AnyConnection,
    only: Option<TenantId>,
) -> StoreResult<Vec<RoleDefinition>> {
    let rows = select(
        conn,
        &GROUP_ROLE_DEFINITIONS,
        crate::directory::tenant_filter(only),
    )
    .await?;
    rows.iter()
        .map(|row| {
            let c = Cols::new(row, GROUP_ROLE_DEFINITIONS.name);
            Ok(RoleDefinition {
                id: c.id("id")?,
                subscription: None,
                tenant: Some(c.id("tenant_id")?),
                name: c.text("name")?,
                description: c.text("description")?,
                permissions: c.json("permissions")?,
                assignable_scopes: c.json("assignable_scopes")?,
                created: c.int("created")?,
            })
        })
        .collect()
}

fn decode_role_definition(row: &AnyRow) -> StoreResult<(SubscriptionId, RoleDefinition)> {
    let c = Cols::new(row, ROLE_DEFINITIONS.name);
    let subscription: SubscriptionId = c.id("subscription_id")?;
    Ok((
        subscription,
        RoleDefinition {
            id: c.id("id")?,
            subscription: Some(subscription),
            tenant: None,
            name: c.text("name")?,
            description: c.text("description")?,
            permissions: c.json("permissions")?,
            assignable_scopes: c.json("assignable_scopes")?,
            created: c.int("created")?,
        },
    ))
}

pub(crate) async fn load_role_definitions(
    conn: &mut AnyConnection,
    only: Option<SubscriptionId>,
) -> StoreResult<Vec<(SubscriptionId, RoleDefinition)>> {
    let rows = select(conn, &ROLE_DEFINITIONS, sub_filter(only)).await?;
    rows.iter().map(decode_role_definition).collect()
}

/// One row per assignment; the batch writer merges them into multi-row statements. Written as an
/// upsert because the world's `insert_assignment` replaces an assignment with the same id.
pub(crate) fn put_role_assignment(subscription: SubscriptionId, a: &RoleAssignment) -> Op {
    Op::upsert(
        &ROLE_ASSIGNMENTS,
        vec![
            // The mutation's subscription, which is the partition the world puts it in.
            id(subscription),
            id(a.id),
            Value::from(a.scope.as_str()),
            id(a.principal),
            Value::from(a.principal_type.as_str()),
            id(a.role_definition),
            Value::from(a.description.clone()),
            Value::from(a.created),
            opt_id(a.created_by),
        ],
    )
}

pub(crate) fn delete_role_assignments(
    subscription: SubscriptionId,
    ids: &[RoleAssignmentId],
) -> Op {
    Op::DeleteIn {
        table: ROLE_ASSIGNMENTS.name,
        fixed: vec![("subscription_id", id(subscription))],
        column: "id",
        keys: ids.iter().map(|a| id(*a)).collect(),
    }
}

/// Every assignment of a subscription: the primary key's prefix, read in order.
pub(crate) fn clear_role_assignments(subscription: SubscriptionId) -> Op {
    Op::Exec {
        sql: "DELETE FROM role_assignments WHERE subscription_id = $1",
        args: vec![id(subscription)],
    }
}

/// The columns of an assignment, in the order of [`Packed`].
const ASSIGNMENT_COLUMNS: &str =
    "id, scope, principal_id, principal_type, role_definition_id, description, created, created_by";

/// Assignments read a subscription at a time on SQLite: one row per subscription carrying its
/// assignments as a JSON array of arrays (`json_group_array`). A million assignments then cross the
/// driver as a few hundred rows: row by row, each was a hop between the SQLite driver's thread and
/// ours and a copy of every column, two thirds of the time a load took.
fn packed_assignments_sql(filtered: bool) -> String {
    let filter = if filtered {
        " WHERE subscription_id = $1"
    } else {
        ""
    };
    format!(
        "SELECT subscription_id, json_group_array(json_array({ASSIGNMENT_COLUMNS})) AS assignments \
         FROM role_assignments{filter} GROUP BY subscription_id"
    )
}

/// One assignment of a packed row, in the order of [`packed_assignments_sql`]'s array.
#[derive(serde::Deserialize)]
struct Packed<'a>(
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    Option<String>,
    i64,
    #[serde(borrow)] Option<Cow<'a, str>>,
);

/// Decodes packed assignments, keeping each distinct scope text parsed once: a million assignments
/// name a few thousand scopes, and the world shares them anyway.
#[derive(Default)]
struct AssignmentDecoder {
    scopes: std::collections::HashMap<String, Scope>,
}

impl AssignmentDecoder {
    fn decode(
        &mut self,
        subscription: SubscriptionId,
        p: Packed<'_>,
    ) -> StoreResult<RoleAssignment> {
        let guid = |what: &str, s: &str| {
            uuid::Uuid::parse_str(s).map_err(|e| {
                StoreError::Corrupt(format!(
                    "{}.{what}: '{s}' is not a GUID: {e}",
                    ROLE_ASSIGNMENTS.name
                ))
            })
        };
        let scope = match self.scopes.get(p.1.as_ref()) {
            Some(s) => s.clone(),
            None => {
                let s = Scope::parse(&p.1).map_err(|e| {
                    StoreError::Corrupt(format!("{}.scope: {}", ROLE_ASSIGNMENTS.name, e.message))
                })?;
                self.scopes.insert(p.1.into_owned(), s.clone());
                s
            }
        };
        Ok(RoleAssignment {
            id: guid("id", &p.0)?.into(),
            subscription,
            scope,
            principal: guid("principal_id", &p.2)?.into(),
            principal_type: PrincipalType::parse(&p.3).ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "{}.principal_type: unknown value '{}'",
                    ROLE_ASSIGNMENTS.name, p.3
                ))
            })?,
            role_definition: guid("role_definition_id", &p.4)?.into(),
            description: p.5,
            created: p.6,
            created_by: p
                .7
                .map(|c| guid("created_by", &c))
                .transpose()?
                .map(Into::into),
        })
    }
}

/// Every role assignment (or those of `only`), handed to `each` a subscription at a time (on
/// PostgreSQL a subscription's may come in more than one hand).
pub(crate) async fn each_role_assignment(
    conn: &mut AnyConnection,
    only: Option<SubscriptionId>,
    mut each: impl FnMut(SubscriptionId, Vec<RoleAssignment>) -> StoreResult<()>,
) -> StoreResult<()> {
    let mut decoder = AssignmentDecoder::default();
    if conn.backend_name().eq_ignore_ascii_case("postgresql") {
        return each_role_assignment_row(conn, only, &mut decoder, each).await;
    }
    let sql = packed_assignments_sql(only.is_some());
    // Built from fixed names only; the filter's value is bound.
    let query = bind_all(sqlx::query(AssertSqlSafe(sql)), only.map(id));
    select_each_of(conn, query, |row| {
        let c = Cols::new(row, ROLE_ASSIGNMENTS.name);
        let subscription: SubscriptionId = c.id("subscription_id")?;
        let packed: Vec<Packed<'_>> = serde_json::from_str(c.str("assignments")?)
            .map_err(|e| c.corrupt("assignments", format!("bad JSON: {e}")))?;
        let assignments = packed
            .into_iter()
            .map(|p| decoder.decode(subscription, p))
            .collect::<StoreResult<Vec<_>>>()?;
        each(subscription, assignments)
    })
    .await
}

/// PostgreSQL's way: a row per assignment, as the table holds them (mostly a subscription's together;
/// ordering them cost the server an index scan, 0.4 s a million). Its driver runs in our task (no
/// hop between threads per row), and its `json_agg` cost the server five times what the plain rows
/// do (4.7 s against 0.9 s for a million). The fixed-format columns come joined into one text (the
/// driver's cost is per column: a million rows of nine columns took it a second), split on spaces:
/// ids, type and time hold none, and the scope, which may, comes last.
fn joined_assignments_sql(filtered: bool) -> String {
    let filter = if filtered {
        " WHERE subscription_id = $1"
    } else {
        ""
    };
    format!(
        "SELECT subscription_id, concat_ws(' ', id, principal_id, principal_type, role_definition_id, created, coalesce(created_by, '-'), scope) AS joined, description \
         FROM role_assignments{filter}"
    )
}

/// One row of [`joined_assignments_sql`], whichever driver read it.
fn joined_assignment(
    decoder: &mut AssignmentDecoder,
    subscription: &str,
    joined: &str,
    description: Option<String>,
) -> StoreResult<(SubscriptionId, RoleAssignment)> {
    let corrupt = |col: &str, why: String| crate::codec::corrupt(ROLE_ASSIGNMENTS.name, col, why);
    let subscription: SubscriptionId = uuid::Uuid::parse_str(subscription)
        .map_err(|e| corrupt("subscription_id", format!("'{subscription}': {e}")))?
        .into();
    let mut parts = joined.splitn(7, ' ');
    let mut next = |what: &str| {
        parts
            .next()
            .ok_or_else(|| corrupt("joined", format!("no {what} in '{joined}'")))
    };
    let (id, principal, principal_type, role) = (
        next("id")?,
        next("principal_id")?,
        next("principal_type")?,
        next("role_definition_id")?,
    );
    let created = next("created")?;
    let created: i64 = created
        .parse()
        .map_err(|e| corrupt("created", format!("'{created}': {e}")))?;
    let created_by = Some(next("created_by")?).filter(|b| *b != "-");
    let scope = next("scope")?;
    let a = decoder.decode(
        subscription,
        Packed(
            Cow::Borrowed(id),
            Cow::Borrowed(scope),
            Cow::Borrowed(principal),
            Cow::Borrowed(principal_type),
            Cow::Borrowed(role),
            description,
            created,
            created_by.map(Cow::Borrowed),
        ),
    )?;
    Ok((subscription, a))
}

/// Gathers rows that come mostly a subscription at a time into one list per run of a subscription.
#[derive(Default)]
struct Runs {
    current: Option<(SubscriptionId, Vec<RoleAssignment>)>,
}

impl Runs {
    /// Adds `a`; returns the run it ended, if it began another.
    fn push(
        &mut self,
        subscription: SubscriptionId,
        a: RoleAssignment,
    ) -> Option<(SubscriptionId, Vec<RoleAssignment>)> {
        match &mut self.current {
            Some((s, list)) if *s == subscription => {
                list.push(a);
                None
            }
            _ => self.current.replace((subscription, vec![a])),
        }
    }

    fn finish(self) -> Option<(SubscriptionId, Vec<RoleAssignment>)> {
        self.current
    }
}

/// PostgreSQL's rows ([`joined_assignments_sql`]) on the portable connection: a subscription's reload,
/// and a load inside a write transaction (a start-up reads them with [`read_role_assignments_beside`]).
async fn each_role_assignment_row(
    conn: &mut AnyConnection,
    only: Option<SubscriptionId>,
    decoder: &mut AssignmentDecoder,
    mut each: impl FnMut(SubscriptionId, Vec<RoleAssignment>) -> StoreResult<()>,
) -> StoreResult<()> {
    let sql = joined_assignments_sql(only.is_some());
    // Built from fixed names only; the filter's value is bound.
    let query = bind_all(sqlx::query(AssertSqlSafe(sql)), only.map(id));
    let mut runs = Runs::default();
    select_each_of(conn, query, |row| {
        let c = Cols::new(row, ROLE_ASSIGNMENTS.name);
        let (subscription, a) = joined_assignment(
            decoder,
            c.str("subscription_id")?,
            c.str("joined")?,
            c.opt_text("description")?,
        )?;
        match runs.push(subscription, a) {
            Some((s, list)) => each(s, list),
            None => Ok(()),
        }
    })
    .await?;
    match runs.finish() {
        Some((s, list)) => each(s, list),
        None => Ok(()),
    }
}

/// How many runs (a subscription's assignments, up to 4,000) [`read_role_assignments_beside`] decodes
/// ahead of the load. Measured at 1M assignments (`benches/load.rs`, warm): 4 runs ahead loaded in
/// 1.10–1.24 s with 229–233 MB resident, 64 in 1.02–1.13 s with 262 MB, 1,000 in 1.02–1.08 s with
/// 292–357 MB: decoded runs waiting in the channel are memory the allocator keeps after the load,
/// for a gain within the noise.
const READ_AHEAD: usize = 4;

/// What the reader of [`read_role_assignments_beside`] says.
enum Said {
    /// A run of a subscription's assignments (a subscription's may come in more than one).
    Run(SubscriptionId, Vec<RoleAssignment>),
    /// That was the last.
    End,
    /// The read failed; nothing follows.
    Failed(StoreError),
}

/// The receiving end of [`read_role_assignments_beside`].
pub(crate) struct AssignmentRuns(tokio::sync::mpsc::Receiver<Said>);

impl AssignmentRuns {
    /// The next run, `None` after the last. A reader that stopped without saying so (its task
    /// panicked or was cancelled) is an error: the assignments it did not hand over are not absent.
    pub(crate) async fn next(
        &mut self,
    ) -> StoreResult<Option<(SubscriptionId, Vec<RoleAssignment>)>> {
        match self.0.recv().await {
            Some(Said::Run(s, list)) => Ok(Some((s, list))),
            Some(Said::End) => Ok(None),
            Some(Said::Failed(e)) => Err(e),
            None => Err(StoreError::Database(sqlx::Error::WorkerCrashed)),
        }
    }
}

/// Every role assignment on PostgreSQL, read and decoded by a task of its own on a connection of the
/// native pool, in the snapshot `snapshot` that the load's transaction exported
/// (`pg_export_snapshot()`; it must stay open until the last run is received). At start-up the rows
/// of a million assignments are most of the load: the native driver hands rows over without copying
/// each column (the portable one's copies were a tenth of the load's CPU time), and they are decoded
/// on one core while the load builds the indexes on the other (1.40 s → 1.02–1.24 s for a million
/// assignments and 100k users, `benches/load.rs`).
pub(crate) fn read_role_assignments_beside(pg: &sqlx::PgPool, snapshot: String) -> AssignmentRuns {
    let (tx, rx) = tokio::sync::mpsc::channel(READ_AHEAD);
    let pg = pg.clone();
    tokio::spawn(async move {
        let said = match read_role_assignments_pg(&pg, &snapshot, &tx).await {
            Ok(()) => Said::End,
            Err(e) => Said::Failed(e),
        };
        // Nobody listens any more only when the load failed or was dropped already.
        let _ = tx.send(said).await;
    });
    AssignmentRuns(rx)
}

async fn read_role_assignments_pg(
    pg: &sqlx::PgPool,
    snapshot: &str,
    out: &tokio::sync::mpsc::Sender<Said>,
) -> StoreResult<()> {
    use futures_util::TryStreamExt as _;
    use sqlx::Row as _;
    // PostgreSQL names snapshots with hexadecimal digits and dashes; anything else is not one of its
    // answers, and is refused rather than formatted into a statement.
    if snapshot.is_empty() || !snapshot.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(StoreError::Database(sqlx::Error::Protocol(format!(
            "pg_export_snapshot() answered '{snapshot}', not a snapshot's name"
        ))));
    }
    let mut tx = pg.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    // Checked above: hexadecimal digits and dashes only.
    sqlx::query(AssertSqlSafe(format!(
        "SET TRANSACTION SNAPSHOT '{snapshot}'"
    )))
    .execute(&mut *tx)
    .await?;
    let mut decoder = AssignmentDecoder::default();
    let mut runs = Runs::default();
    let sql = joined_assignments_sql(false);
    let mut rows = sqlx::query(AssertSqlSafe(sql)).fetch(&mut *tx);
    let corrupt = |col: &str, e: sqlx::Error| crate::codec::corrupt(ROLE_ASSIGNMENTS.name, col, e);
    while let Some(row) = rows.try_next().await? {
        let subscription: &str = row.try_get(0).map_err(|e| corrupt("subscription_id", e))?;
        let joined: &str = row.try_get(1).map_err(|e| corrupt("joined", e))?;
        let description: Option<&str> = row.try_get(2).map_err(|e| corrupt("description", e))?;
        let (subscription, a) = joined_assignment(
            &mut decoder,
            subscription,
            joined,
            description.map(str::to_owned),
        )?;
        if let Some((s, list)) = runs.push(subscription, a)
            && out.send(Said::Run(s, list)).await.is_err()
        {
            return Ok(()); // the load stopped listening
        }
    }
    drop(rows);
    if let Some((s, list)) = runs.finish() {
        let _ = out.send(Said::Run(s, list)).await;
    }
    tx.rollback().await?;
    Ok(())
}
