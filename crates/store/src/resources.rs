//! Resource groups and generic resources of a subscription, keyed by lowercase name and scope as ARM
//! compares them.

use crate::batch::{Op, Table, select};
use crate::codec::{Cols, Value, id, json, opt_json};
use crate::error::StoreResult;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use tenantry_domain::{Resource, ResourceGroup, SubscriptionId};

pub(crate) static RESOURCE_GROUPS: Table = Table {
    name: "resource_groups",
    columns: &[
        "subscription_id",
        "name_key",
        "name",
        "location",
        "tags",
        "managed_by",
        "created",
    ],
    key_len: 2,
};

pub(crate) static RESOURCES: Table = Table {
    name: "resources",
    columns: &[
        "subscription_id",
        "scope_key",
        "scope",
        "location",
        "kind",
        "tags",
        "properties",
        "created",
        "identity",
    ],
    key_len: 2,
};

fn sub_filter(only: Option<SubscriptionId>) -> Option<(&'static str, Value)> {
    only.map(|s| ("subscription_id", id(s)))
}

pub(crate) fn put_group(g: &ResourceGroup) -> StoreResult<Op> {
    Ok(Op::upsert(
        &RESOURCE_GROUPS,
        vec![
            id(g.subscription),
            // The world keys groups by `to_lowercase`; so does the primary key.
            Value::from(g.name.to_lowercase()),
            Value::from(&g.name),
            Value::from(&g.location),
            json(&g.tags)?,
            Value::from(g.managed_by.clone()),
            Value::from(g.created),
        ],
    ))
}

/// The group row only: the rules list its resources and assignments in their own mutations.
pub(crate) fn delete_group(subscription: SubscriptionId, name: &str) -> Op {
    Op::DeleteIn {
        table: RESOURCE_GROUPS.name,
        fixed: vec![("subscription_id", id(subscription))],
        column: "name_key",
        keys: vec![Value::from(name.to_lowercase())],
    }
}

fn decode_group(row: &AnyRow) -> StoreResult<ResourceGroup> {
    let c = Cols::new(row, RESOURCE_GROUPS.name);
    Ok(ResourceGroup {
        subscription: c.id("subscription_id")?,
        name: c.text("name")?,
        location: c.text("location")?,
        tags: c.json("tags")?,
        managed_by: c.opt_text("managed_by")?,
        created: c.int("created")?,
    })
}

pub(crate) async fn load_groups(
    conn: &mut AnyConnection,
    only: Option<SubscriptionId>,
) -> StoreResult<Vec<ResourceGroup>> {
    let rows = select(conn, &RESOURCE_GROUPS, sub_filter(only)).await?;
    rows.iter().map(decode_group).collect()
}

pub(crate) fn put_resource(r: &Resource) -> StoreResult<Op> {
    Ok(Op::upsert(
        &RESOURCES,
        vec![
            id(r.scope.subscription_id()),
            Value::from(r.scope.key()),
            Value::from(r.scope.as_str()),
            Value::from(r.location.clone()),
            Value::from(r.kind.clone()),
            json(&r.tags)?,
            json(&r.properties)?,
            Value::from(r.created),
            opt_json(r.identity.as_ref())?,
        ],
    ))
}

pub(crate) fn delete_resources(subscription: SubscriptionId, scopes: &[String]) -> Op {
    Op::DeleteIn {
        table: RESOURCES.name,
        fixed: vec![("subscription_id", id(subscription))],
        column: "scope_key",
        // The world removes `to_lowercase` keys: a caller may pass scopes in any case.
        keys: scopes
            .iter()
            .map(|s| Value::from(s.to_lowercase()))
            .collect(),
    }
}

fn decode_resource(row: &AnyRow) -> StoreResult<Resource> {
    let c = Cols::new(row, RESOURCES.name);
    Ok(Resource {
        scope: c.scope("scope")?,
        location: c.opt_text("location")?,
        kind: c.opt_text("kind")?,
        tags: c.json("tags")?,
        properties: c.json("properties")?,
        identity: c.opt_json("identity")?,
        created: c.int("created")?,
    })
}

pub(crate) async fn load_resources(
    conn: &mut AnyConnection,
    only: Option<SubscriptionId>,
) -> StoreResult<Vec<Resource>> {
    let rows = select(conn, &RESOURCES, sub_filter(only)).await?;
    rows.iter().map(decode_resource).collect()
}
