//! Subscriptions: the subscription row with its classic administrators, its change-of-directory
//! request, and the assembly of a whole subscription partition (groups, resources, custom roles and
//! role assignments come from `resources` and `access`).

use crate::access::{self, AssignmentRuns};
use crate::batch::{Op, Table, select};
use crate::codec::{Cols, Value, id, json, opt_id};
use crate::error::{StoreError, StoreResult};
use crate::load::{Progress, Tally};
use crate::resources;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;
use tenantry_domain::world::SubscriptionPart;
use tenantry_domain::{
    ChangeTenantRequest, RequestStatus, RoleAssignment, Subscription, SubscriptionId,
    SubscriptionState,
};

pub(crate) static SUBSCRIPTIONS: Table = Table {
    name: "subscriptions",
    columns: &[
        "id",
        "display_name",
        "state",
        "tenant_id",
        "account_admin",
        "service_admin",
        "co_admins",
        "created",
        "tags",
        "tag_names",
    ],
    key_len: 1,
};

pub(crate) static CHANGE_REQUESTS: Table = Table {
    name: "change_requests",
    columns: &[
        "subscription_id",
        "source_tenant_id",
        "destination_tenant_id",
        "destination_owner",
        "principal_map",
        "initiator",
        "status",
        "created",
        "expires",
    ],
    key_len: 1,
};

/// The subscription row, co-administrators included (at most 200: one JSON column suffices).
pub(crate) fn put(s: &Subscription) -> StoreResult<Op> {
    Ok(Op::upsert(
        &SUBSCRIPTIONS,
        vec![
            id(s.id),
            Value::from(&s.display_name),
            Value::from(s.state.as_str()),
            id(s.tenant),
            json(&s.account_admin)?,
            json(&s.service_admin)?,
            json(&s.co_admins)?,
            Value::from(s.created),
            json(&s.tags)?,
            json(&s.tag_names)?,
        ],
    ))
}

fn decode(row: &AnyRow) -> StoreResult<Subscription> {
    let c = Cols::new(row, SUBSCRIPTIONS.name);
    Ok(Subscription {
        id: c.id("id")?,
        display_name: c.text("display_name")?,
        state: c.parsed("state", SubscriptionState::parse)?,
        tenant: c.id("tenant_id")?,
        account_admin: c.json("account_admin")?,
        service_admin: c.json("service_admin")?,
        co_admins: c.json("co_admins")?,
        tags: c.json("tags")?,
        tag_names: c.json("tag_names")?,
        created: c.int("created")?,
    })
}

pub(crate) fn put_change_request(r: &ChangeTenantRequest) -> StoreResult<Op> {
    Ok(Op::upsert(
        &CHANGE_REQUESTS,
        vec![
            id(r.subscription),
            id(r.source),
            id(r.destination),
            opt_id(r.destination_owner),
            json(&r.principal_map)?,
            json(&r.initiator)?,
            Value::from(r.status.as_str()),
            Value::from(r.created),
            Value::from(r.expires),
        ],
    ))
}

pub(crate) fn delete_change_request(subscription: SubscriptionId) -> Op {
    Op::DeleteIn {
        table: CHANGE_REQUESTS.name,
        fixed: vec![],
        column: "subscription_id",
        keys: vec![id(subscription)],
    }
}

fn decode_change_request(row: &AnyRow) -> StoreResult<ChangeTenantRequest> {
    let c = Cols::new(row, CHANGE_REQUESTS.name);
    Ok(ChangeTenantRequest {
        subscription: c.id("subscription_id")?,
        source: c.id("source_tenant_id")?,
        destination: c.id("destination_tenant_id")?,
        destination_owner: c.opt_id("destination_owner")?,
        principal_map: c.json("principal_map")?,
        initiator: c.json("initiator")?,
        status: c.parsed("status", RequestStatus::parse)?,
        created: c.int("created")?,
        expires: c.int("expires")?,
    })
}

fn part_of<'p>(
    parts: &'p mut BTreeMap<SubscriptionId, SubscriptionPart>,
    subscription: SubscriptionId,
    what: &str,
) -> StoreResult<&'p mut SubscriptionPart> {
    parts.get_mut(&subscription).ok_or_else(|| {
        StoreError::Corrupt(format!(
            "{what} of subscription {subscription}, which has no row"
        ))
    })
}

/// Every subscription partition, or the one of `only` (absent when the subscription is gone). Their
/// role assignments come from `beside` when a reader of their own reads them
/// ([`access::read_role_assignments_beside`]), else from `conn`.
pub(crate) async fn load_parts(
    conn: &mut AnyConnection,
    only: Option<SubscriptionId>,
    beside: Option<AssignmentRuns>,
    progress: Progress<'_>,
) -> StoreResult<BTreeMap<SubscriptionId, SubscriptionPart>> {
    let by_sub = |col: &'static str| only.map(|s| (col, id(s)));
    let mut parts = BTreeMap::new();
    for row in select(conn, &SUBSCRIPTIONS, by_sub("id")).await? {
        let s = decode(&row)?;
        parts.insert(s.id, SubscriptionPart::new(s));
    }
    for g in resources::load_groups(conn, only).await? {
        part_of(&mut parts, g.subscription, "a resource group")?
            .resource_groups
            .insert(g.name.to_lowercase(), g);
    }
    for r in resources::load_resources(conn, only).await? {
        part_of(&mut parts, r.scope.subscription_id(), "a resource")?
            .resources
            .insert(r.scope.key().to_string(), r);
    }
    for (sub, d) in access::load_role_definitions(conn, only).await? {
        part_of(&mut parts, sub, "a custom role")?.put_custom_role(d);
    }
    let mut assignments = Tally::new("role assignments", progress);
    let mut put = |sub, list: Vec<RoleAssignment>| {
        let part = part_of(&mut parts, sub, "a role assignment")?;
        part.reserve_assignments(list.len());
        for a in list {
            part.insert_assignment(a);
            assignments.row();
        }
        Ok(())
    };
    match beside {
        Some(mut runs) => {
            while let Some((sub, list)) = runs.next().await? {
                put(sub, list)?;
            }
        }
        None => access::each_role_assignment(conn, only, put).await?,
    }
    assignments.done();
    for row in select(conn, &CHANGE_REQUESTS, by_sub("subscription_id")).await? {
        let r = decode_change_request(&row)?;
        let sub = r.subscription;
        part_of(&mut parts, sub, "a change request")?.change_request = Some(r);
    }
    Ok(parts)
}
