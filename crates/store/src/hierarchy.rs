//! A tenant's management groups, the subscriptions placed under them and its hierarchy settings: rows
//! of the tenant partition (`TenantPart::management_groups`, `subscription_parents` and
//! `hierarchy_settings`).

use crate::batch::{Op, Table, select};
use crate::codec::{Cols, Value, id};
use crate::directory::tenant_filter;
use crate::error::StoreResult;
use sqlx::AnyConnection;
use tenantry_domain::{
    HierarchySettings, ManagementGroup, ManagementGroupRoleAssignment, PrincipalType,
    RoleAssignmentId, SubscriptionId, TenantId,
};

pub(crate) static MANAGEMENT_GROUPS: Table = Table {
    name: "management_groups",
    columns: &[
        "tenant_id",
        "name_key",
        "name",
        "display_name",
        "parent",
        "updated",
        "updated_by",
    ],
    key_len: 2,
};

pub(crate) static PLACEMENTS: Table = Table {
    name: "management_group_subscriptions",
    columns: &["tenant_id", "subscription_id", "management_group"],
    key_len: 2,
};

pub(crate) static GROUP_ASSIGNMENTS: Table = Table {
    name: "management_group_role_assignments",
    columns: &[
        "tenant_id",
        "id",
        "management_group",
        "principal_id",
        "principal_type",
        "role_definition_id",
        "created",
    ],
    key_len: 2,
};

pub(crate) fn put_assignment(a: &ManagementGroupRoleAssignment) -> Op {
    Op::upsert(
        &GROUP_ASSIGNMENTS,
        vec![
            id(a.tenant),
            id(a.id),
            Value::from(&a.management_group),
            id(a.principal),
            Value::from(a.principal_type.as_str()),
            id(a.role_definition),
            Value::from(a.created),
        ],
    )
}

pub(crate) fn delete_assignments(tenant: TenantId, ids: &[RoleAssignmentId]) -> Op {
    Op::DeleteIn {
        table: GROUP_ASSIGNMENTS.name,
        fixed: vec![("tenant_id", id(tenant))],
        column: "id",
        keys: ids.iter().map(|i| id(*i)).collect(),
    }
}

pub(crate) async fn load_assignments(
    conn: &mut AnyConnection,
    only: Option<TenantId>,
) -> StoreResult<Vec<ManagementGroupRoleAssignment>> {
    let rows = select(conn, &GROUP_ASSIGNMENTS, tenant_filter(only)).await?;
    rows.iter()
        .map(|row| {
            let c = Cols::new(row, GROUP_ASSIGNMENTS.name);
            Ok(ManagementGroupRoleAssignment {
                tenant: c.id("tenant_id")?,
                id: c.id("id")?,
                management_group: c.text("management_group")?,
                principal: c.id("principal_id")?,
                principal_type: c.parsed("principal_type", PrincipalType::parse)?,
                role_definition: c.id("role_definition_id")?,
                created: c.int("created")?,
            })
        })
        .collect()
}

fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

pub(crate) fn put_group(g: &ManagementGroup) -> Op {
    Op::upsert(
        &MANAGEMENT_GROUPS,
        vec![
            id(g.tenant),
            Value::from(name_key(&g.name)),
            Value::from(&g.name),
            Value::from(&g.display_name),
            Value::from(g.parent.clone()),
            Value::from(g.updated),
            Value::from(&g.updated_by),
        ],
    )
}

pub(crate) fn delete_group(tenant: TenantId, name: &str) -> Op {
    Op::Exec {
        sql: "DELETE FROM management_groups WHERE tenant_id = $1 AND name_key = $2",
        args: vec![id(tenant), Value::from(name_key(name))],
    }
}

/// Under a group: one row; under the root: none.
pub(crate) fn place(tenant: TenantId, subscription: SubscriptionId, parent: Option<&str>) -> Op {
    match parent {
        Some(g) => Op::upsert(
            &PLACEMENTS,
            vec![id(tenant), id(subscription), Value::from(g)],
        ),
        None => Op::Exec {
            sql: "DELETE FROM management_group_subscriptions WHERE tenant_id = $1 AND subscription_id = $2",
            args: vec![id(tenant), id(subscription)],
        },
    }
}

pub(crate) async fn load_groups(
    conn: &mut AnyConnection,
    only: Option<TenantId>,
) -> StoreResult<Vec<ManagementGroup>> {
    let rows = select(conn, &MANAGEMENT_GROUPS, tenant_filter(only)).await?;
    rows.iter()
        .map(|row| {
            let c = Cols::new(row, MANAGEMENT_GROUPS.name);
            Ok(ManagementGroup {
                tenant: c.id("tenant_id")?,
                name: c.text("name")?,
                display_name: c.text("display_name")?,
                parent: c.opt_text("parent")?,
                updated: c.int("updated")?,
                updated_by: c.text("updated_by")?,
            })
        })
        .collect()
}

pub(crate) async fn load_placements(
    conn: &mut AnyConnection,
    only: Option<TenantId>,
) -> StoreResult<Vec<(TenantId, SubscriptionId, String)>> {
    let rows = select(conn, &PLACEMENTS, tenant_filter(only)).await?;
    rows.iter()
        .map(|row| {
            let c = Cols::new(row, PLACEMENTS.name);
            Ok((
                c.id("tenant_id")?,
                c.id("subscription_id")?,
                c.text("management_group")?,
            ))
        })
        .collect()
}

pub(crate) static SETTINGS: Table = Table {
    name: "hierarchy_settings",
    columns: &[
        "tenant_id",
        "require_authorization_for_group_creation",
        "default_management_group",
        "updated",
        "updated_by",
    ],
    key_len: 1,
};

pub(crate) fn put_settings(h: &HierarchySettings) -> Op {
    Op::upsert(
        &SETTINGS,
        vec![
            id(h.tenant),
            Value::from(h.require_authorization_for_group_creation),
            Value::from(h.default_management_group.clone()),
            Value::from(h.updated),
            Value::from(&h.updated_by),
        ],
    )
}

pub(crate) fn delete_settings(tenant: TenantId) -> Op {
    Op::Exec {
        sql: "DELETE FROM hierarchy_settings WHERE tenant_id = $1",
        args: vec![id(tenant)],
    }
}

pub(crate) async fn load_settings(
    conn: &mut AnyConnection,
    only: Option<TenantId>,
) -> StoreResult<Vec<HierarchySettings>> {
    let rows = select(conn, &SETTINGS, tenant_filter(only)).await?;
    rows.iter()
        .map(|row| {
            let c = Cols::new(row, SETTINGS.name);
            Ok(HierarchySettings {
                tenant: c.id("tenant_id")?,
                require_authorization_for_group_creation: c
                    .flag("require_authorization_for_group_creation")?,
                default_management_group: c.opt_text("default_management_group")?,
                updated: c.int("updated")?,
                updated_by: c.text("updated_by")?,
            })
        })
        .collect()
}
