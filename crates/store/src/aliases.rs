//! Subscription aliases: part of their tenant's partition (an alias is the tenant's name for a
//! subscription, kept when the subscription moves or the alias's subscription is gone).

use crate::batch::{Op, Table, select};
use crate::codec::{Cols, Value, id, opt_id};
use crate::directory::tenant_filter;
use crate::error::StoreResult;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use tenantry_domain::{SubscriptionAlias, TenantId, Workload};

pub(crate) static ALIASES: Table = Table {
    name: "subscription_aliases",
    columns: &[
        "tenant_id",
        "name_key",
        "name",
        "subscription_id",
        "workload",
        "billing_scope",
        "management_group_id",
        "created_by",
        "created",
    ],
    key_len: 2,
};

pub(crate) fn put(a: &SubscriptionAlias) -> Op {
    Op::upsert(
        &ALIASES,
        vec![
            id(a.tenant),
            Value::from(a.name.to_lowercase()),
            Value::from(&a.name),
            id(a.subscription),
            Value::from(a.workload.as_str()),
            Value::from(a.billing_scope.as_deref()),
            Value::from(a.management_group.as_deref()),
            opt_id(a.created_by),
            Value::from(a.created),
        ],
    )
}

pub(crate) fn delete(tenant: TenantId, name: &str) -> Op {
    Op::DeleteIn {
        table: ALIASES.name,
        fixed: vec![("tenant_id", id(tenant))],
        column: "name_key",
        keys: vec![Value::from(name.to_lowercase())],
    }
}

fn decode(row: &AnyRow) -> StoreResult<SubscriptionAlias> {
    let c = Cols::new(row, ALIASES.name);
    Ok(SubscriptionAlias {
        tenant: c.id("tenant_id")?,
        name: c.text("name")?,
        subscription: c.id("subscription_id")?,
        workload: c.parsed("workload", Workload::parse)?,
        billing_scope: c.opt_text("billing_scope")?,
        management_group: c.opt_text("management_group_id")?,
        created_by: c.opt_id("created_by")?,
        created: c.int("created")?,
    })
}

pub(crate) async fn load(
    conn: &mut AnyConnection,
    only: Option<TenantId>,
) -> StoreResult<Vec<SubscriptionAlias>> {
    let rows = select(conn, &ALIASES, tenant_filter(only)).await?;
    rows.iter().map(decode).collect()
}
