//! Tenants: the tenant row with its domains and policy, and the assembly of a whole tenant partition
//! (the tenant and what lives in it, read by `directory` and `groups`).

use crate::batch::{Op, Table, select};
use crate::codec::{Cols, Value, id, json};
use crate::error::{StoreError, StoreResult};
use crate::load::{Progress, Tally};
use crate::{aliases, directory, groups, hierarchy};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, BTreeSet};
use tenantry_domain::world::TenantPart;
use tenantry_domain::{Tenant, TenantId, TenantOrigin};

pub(crate) static TENANTS: Table = Table {
    name: "tenants",
    columns: &[
        "id",
        "name",
        "name_key",
        "display_name",
        "origin",
        "initial_domain",
        "domains",
        "policy",
        "created",
    ],
    key_len: 1,
};

/// Every domain (lowercase) and its tenant: the primary key makes a domain belong to one tenant.
pub(crate) static TENANT_DOMAINS: Table = Table {
    name: "tenant_domains",
    columns: &["domain_key", "tenant_id"],
    key_len: 1,
};

/// The tenant row, then its domain rows replaced as a whole.
pub(crate) fn put(t: &Tenant) -> StoreResult<Vec<Op>> {
    let mut ops = vec![
        Op::upsert(
            &TENANTS,
            vec![
                id(t.id),
                Value::from(&t.name),
                Value::from(t.name.to_lowercase()),
                Value::from(&t.display_name),
                Value::from(t.origin.as_str()),
                Value::from(&t.initial_domain),
                json(&t.domains)?,
                json(&t.policy)?,
                Value::from(t.created),
            ],
        ),
        Op::Exec {
            sql: "DELETE FROM tenant_domains WHERE tenant_id = $1",
            args: vec![id(t.id)],
        },
    ];
    // A tenant may list its initial domain again, or one domain in two cases: one row each.
    let keys: BTreeSet<String> = t.all_domains().map(|d| d.to_lowercase()).collect();
    ops.extend(
        keys.into_iter()
            .map(|k| Op::insert(&TENANT_DOMAINS, vec![Value::from(k), id(t.id)])),
    );
    Ok(ops)
}

fn decode(row: &AnyRow) -> StoreResult<Tenant> {
    let c = Cols::new(row, TENANTS.name);
    Ok(Tenant {
        id: c.id("id")?,
        name: c.text("name")?,
        display_name: c.text("display_name")?,
        origin: c.parsed("origin", TenantOrigin::parse)?,
        initial_domain: c.text("initial_domain")?,
        domains: c.json("domains")?,
        policy: c.json("policy")?,
        created: c.int("created")?,
    })
}

fn part_of<'p>(
    parts: &'p mut BTreeMap<TenantId, TenantPart>,
    tenant: TenantId,
    what: &str,
) -> StoreResult<&'p mut TenantPart> {
    parts
        .get_mut(&tenant)
        .ok_or_else(|| StoreError::Corrupt(format!("{what} of tenant {tenant}, which has no row")))
}

/// Every tenant partition, or the one of `only` (absent when the tenant is gone).
pub(crate) async fn load_parts(
    conn: &mut AnyConnection,
    only: Option<TenantId>,
    progress: Progress<'_>,
) -> StoreResult<BTreeMap<TenantId, TenantPart>> {
    let mut parts = BTreeMap::new();
    for row in select(conn, &TENANTS, only.map(|t| ("id", id(t)))).await? {
        let t = decode(&row)?;
        parts.insert(t.id, TenantPart::new(t));
    }
    let mut users = Tally::new("users", progress);
    directory::each_user(conn, only, |u| {
        part_of(&mut parts, u.tenant, "a user")?
            .users
            .insert(u.id, u);
        users.row();
        Ok(())
    })
    .await?;
    users.done();
    for a in directory::load_applications(conn, only).await? {
        part_of(&mut parts, a.tenant, "an application")?
            .applications
            .insert(a.id, a);
    }
    for g in groups::load_groups(conn, only).await? {
        part_of(&mut parts, g.tenant, "a group")?
            .groups
            .insert(g.id, g);
    }
    for (tenant, group, member) in groups::load_members(conn, only).await? {
        part_of(&mut parts, tenant, "a group member")?
            .group_members
            .insert((group, member));
    }
    for (tenant, group, owner) in groups::load_owners(conn, only).await? {
        part_of(&mut parts, tenant, "a group owner")?
            .group_owners
            .insert((group, owner));
    }
    for (tenant, role, principal) in directory::load_role_members(conn, only).await? {
        part_of(&mut parts, tenant, "a directory role member")?
            .role_members
            .insert((role, principal));
    }
    for i in directory::load_invitations(conn, only).await? {
        part_of(&mut parts, i.tenant, "an invitation")?
            .invitations
            .insert(i.id, i);
    }
    for r in directory::load_link_requests(conn, only).await? {
        part_of(&mut parts, r.tenant, "a directory link request")?
            .link_requests
            .insert(r.id, r);
    }
    for a in aliases::load(conn, only).await? {
        part_of(&mut parts, a.tenant, "a subscription alias")?
            .aliases
            .insert(a.name.to_lowercase(), a);
    }
    for g in hierarchy::load_groups(conn, only).await? {
        part_of(&mut parts, g.tenant, "a management group")?.put_management_group(g);
    }
    for (tenant, subscription, group) in hierarchy::load_placements(conn, only).await? {
        part_of(&mut parts, tenant, "a subscription's management group")?
            .place_subscription(subscription, Some(group));
    }
    for a in hierarchy::load_assignments(conn, only).await? {
        part_of(
            &mut parts,
            a.tenant,
            "a role assignment at a management group",
        )?
        .put_group_assignment(a);
    }
    for d in crate::access::load_group_role_definitions(conn, only).await? {
        let tenant = d.tenant.unwrap_or_default();
        part_of(&mut parts, tenant, "a custom role of a management group")?.put_custom_role(d);
    }
    for h in hierarchy::load_settings(conn, only).await? {
        let tenant = h.tenant;
        part_of(&mut parts, tenant, "hierarchy settings")?.hierarchy_settings = Some(h);
    }
    Ok(parts)
}
