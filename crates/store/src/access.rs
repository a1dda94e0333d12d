//! Azure RBAC rows: custom role definitions (built-in roles are code, never stored) and role
//! assignments, the one table that sees bulk writes (a change of directory moves 100k of them).

use crate::batch::{Op, Table, select};
use crate::codec::{Cols, Value, id, json};
use crate::error::StoreResult;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use tenantry_domain::{
    PrincipalType, RoleAssignment, RoleAssignmentId, RoleDefinition, RoleDefinitionId,
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
            Value::from(a.created_by.clone()),
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

fn decode_role_assignment(row: &AnyRow) -> StoreResult<RoleAssignment> {
    let c = Cols::new(row, ROLE_ASSIGNMENTS.name);
    Ok(RoleAssignment {
        id: c.id("id")?,
        subscription: c.id("subscription_id")?,
        scope: c.scope("scope")?,
        principal: c.id("principal_id")?,
        principal_type: c.parsed("principal_type", PrincipalType::parse)?,
        role_definition: c.id("role_definition_id")?,
        description: c.opt_text("description")?,
        created: c.int("created")?,
        created_by: c.opt_text("created_by")?,
    })
}

pub(crate) async fn load_role_assignments(
    conn: &mut AnyConnection,
    only: Option<SubscriptionId>,
) -> StoreResult<Vec<RoleAssignment>> {
    let rows = select(conn, &ROLE_ASSIGNMENTS, sub_filter(only)).await?;
    rows.iter().map(decode_role_assignment).collect()
}
