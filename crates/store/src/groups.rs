//! Groups of a tenant: the group rows, their direct members and their owners (one row per membership,
//! so a change to a big group writes only what changes). Transitive membership is the domain's, derived
//! in memory when the tenant partition is loaded.

use crate::batch::{Op, Table, select};
use crate::codec::{Cols, Value, id};
use crate::directory::{self, tenant_filter};
use crate::error::StoreResult;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use tenantry_domain::{Group, ObjectId, TenantId};

pub(crate) static GROUPS: Table = Table {
    name: "groups",
    columns: &[
        "id",
        "tenant_id",
        "display_name",
        "name_key",
        "description",
        "mail_nickname",
        "security_enabled",
        "role_assignable",
        "created",
    ],
    key_len: 1,
};

pub(crate) static GROUP_MEMBERS: Table = Table {
    name: "group_members",
    columns: &["tenant_id", "group_id", "member_id"],
    key_len: 3,
};

pub(crate) static GROUP_OWNERS: Table = Table {
    name: "group_owners",
    columns: &["tenant_id", "group_id", "owner_id"],
    key_len: 3,
};

pub(crate) fn put_group(g: &Group) -> Op {
    Op::upsert(
        &GROUPS,
        vec![
            id(g.id),
            id(g.tenant),
            Value::from(&g.display_name),
            Value::from(g.display_name.trim().to_lowercase()),
            Value::from(g.description.clone()),
            Value::from(&g.mail_nickname),
            Value::from(g.security_enabled),
            Value::from(g.role_assignable),
            Value::from(g.created),
        ],
    )
}

/// The group with its members and owners, and, as for any principal that goes, its memberships in
/// other groups and its directory roles (as `TenantPart::remove_group` does in memory).
pub(crate) fn delete_group(tenant: TenantId, group: ObjectId) -> Vec<Op> {
    let mut ops = vec![
        Op::Exec {
            sql: "DELETE FROM group_members WHERE tenant_id = $1 AND group_id = $2",
            args: vec![id(tenant), id(group)],
        },
        Op::Exec {
            sql: "DELETE FROM group_owners WHERE tenant_id = $1 AND group_id = $2",
            args: vec![id(tenant), id(group)],
        },
    ];
    ops.extend(directory::delete_principal(GROUPS.name, tenant, group));
    ops
}

/// One row per new member: the batch writer puts them in multi-row statements. A row that exists is
/// kept, as the world keeps a member added twice once.
pub(crate) fn add_members(tenant: TenantId, group: ObjectId, members: &[ObjectId]) -> Vec<Op> {
    members
        .iter()
        .map(|m| Op::ignore(&GROUP_MEMBERS, vec![id(tenant), id(group), id(*m)]))
        .collect()
}

pub(crate) fn remove_members(tenant: TenantId, group: ObjectId, members: &[ObjectId]) -> Op {
    Op::DeleteIn {
        table: GROUP_MEMBERS.name,
        fixed: vec![("tenant_id", id(tenant)), ("group_id", id(group))],
        column: "member_id",
        keys: members.iter().map(|m| id(*m)).collect(),
    }
}

pub(crate) fn add_owner(tenant: TenantId, group: ObjectId, owner: ObjectId) -> Op {
    Op::ignore(&GROUP_OWNERS, vec![id(tenant), id(group), id(owner)])
}

pub(crate) fn remove_owner(tenant: TenantId, group: ObjectId, owner: ObjectId) -> Op {
    Op::Exec {
        sql: "DELETE FROM group_owners WHERE tenant_id = $1 AND group_id = $2 AND owner_id = $3",
        args: vec![id(tenant), id(group), id(owner)],
    }
}

fn decode_group(row: &AnyRow) -> StoreResult<Group> {
    let c = Cols::new(row, GROUPS.name);
    Ok(Group {
        id: c.id("id")?,
        tenant: c.id("tenant_id")?,
        display_name: c.text("display_name")?,
        description: c.opt_text("description")?,
        mail_nickname: c.text("mail_nickname")?,
        security_enabled: c.flag("security_enabled")?,
        role_assignable: c.flag("role_assignable")?,
        created: c.int("created")?,
    })
}

pub(crate) async fn load_groups(
    conn: &mut AnyConnection,
    only: Option<TenantId>,
) -> StoreResult<Vec<Group>> {
    let rows = select(conn, &GROUPS, tenant_filter(only)).await?;
    rows.iter().map(decode_group).collect()
}

/// (tenant, group, member or owner) rows of `table` (members or owners).
async fn load_pairs(
    conn: &mut AnyConnection,
    table: &'static Table,
    only: Option<TenantId>,
) -> StoreResult<Vec<(TenantId, ObjectId, ObjectId)>> {
    let rows = select(conn, table, tenant_filter(only)).await?;
    rows.iter()
        .map(|row| {
            let c = Cols::new(row, table.name);
            Ok((
                c.id(table.columns[0])?,
                c.id(table.columns[1])?,
                c.id(table.columns[2])?,
            ))
        })
        .collect()
}

pub(crate) async fn load_members(
    conn: &mut AnyConnection,
    only: Option<TenantId>,
) -> StoreResult<Vec<(TenantId, ObjectId, ObjectId)>> {
    load_pairs(conn, &GROUP_MEMBERS, only).await
}

pub(crate) async fn load_owners(
    conn: &mut AnyConnection,
    only: Option<TenantId>,
) -> StoreResult<Vec<(TenantId, ObjectId, ObjectId)>> {
    load_pairs(conn, &GROUP_OWNERS, only).await
}
