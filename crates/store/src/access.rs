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

/// Assignments read a subscription at a time: one row per subscription carrying its assignments as a
/// JSON array of arrays (SQLite's `json_group_array`, PostgreSQL's `json_agg`). A million assignments
/// then cross the driver as a few hundred rows: row by row, each was a hop between the SQLite driver's
/// thread and ours and a copy of every column, two thirds of the time a load took.
fn packed_assignments_sql(postgres: bool, filtered: bool) -> String {
    let (array, agg, text) = if postgres {
        ("json_build_array", "json_agg", "::text")
    } else {
        ("json_array", "json_group_array", "")
    };
    let filter = if filtered {
        " WHERE subscription_id = $1"
    } else {
        ""
    };
    format!(
        "SELECT subscription_id, {agg}({array}(id, scope, principal_id, principal_type, role_definition_id, description, created, created_by)){text} AS assignments \
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

/// Every role assignment (or those of `only`), handed to `each` a subscription at a time.
pub(crate) async fn each_role_assignment(
    conn: &mut AnyConnection,
    only: Option<SubscriptionId>,
    mut each: impl FnMut(SubscriptionId, Vec<RoleAssignment>) -> StoreResult<()>,
) -> StoreResult<()> {
    let postgres = conn.backend_name().eq_ignore_ascii_case("postgresql");
    let sql = packed_assignments_sql(postgres, only.is_some());
    let mut decoder = AssignmentDecoder::default();
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
