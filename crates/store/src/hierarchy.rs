//! A tenant's management groups and the subscriptions placed under them: rows of the tenant partition
//! (`TenantPart::management_groups` and `subscription_parents`).

use crate::batch::{Op, Table, select};
use crate::codec::{Cols, Value, id};
use crate::directory::tenant_filter;
use crate::error::StoreResult;
use sqlx::AnyConnection;
use tenantry_domain::{ManagementGroup, SubscriptionId, TenantId};

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
