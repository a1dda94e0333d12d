//! A directory's groups, their members and owners, and what a principal is a member of: who may read
//! them, as in Entra.
//!
//! - whoever may list the directory's users ([`require_directory_enumeration`]: its members and
//!   applications, a guest with a directory role) lists its groups, their members and owners, and
//!   anyone's memberships; a guest without a role may not, as it may not list users;
//! - anyone present in the directory, guests included, reads a group it knows the id of, as it reads a
//!   user by id;
//! - every principal reads its own memberships and the groups it owns (Graph's `/me/memberOf`, the
//!   overage path of the `groups` claim), and a group's owners and managers read its members and owners
//!   (they manage them).
//!
//! Who may read is decided before anything is looked up, so that a refusal says nothing of whether the
//! object exists.

use crate::rules::directory::user_not_found;
use crate::rules::groups::may_manage_group;
use crate::rules::reads::{require_directory_enumeration, require_directory_read};
use crate::rules::*;
use crate::world::PrincipalRef;

/// Entra checks at most this many groups in one `checkMemberGroups`.
pub const MAX_CHECKED_GROUPS: usize = 20;

/// Every group of the directory, by id.
pub fn groups<'w>(
    world: &'w World,
    actor: &Actor,
    tenant: TenantId,
) -> Result<Vec<&'w Group>, DomainError> {
    require_directory_enumeration(world, actor, tenant)?;
    Ok(super::directory::by_id(world, tenant, |p| &p.groups))
}

/// A group by id, for anyone present in the directory.
pub fn group<'w>(
    world: &'w World,
    actor: &Actor,
    tenant: TenantId,
    group: ObjectId,
) -> Result<&'w Group, DomainError> {
    require_directory_read(world, actor, tenant)?;
    find_group(world, tenant, group)
}

fn find_group(world: &World, tenant: TenantId, group: ObjectId) -> Result<&Group, DomainError> {
    world
        .tenant(tenant)
        .and_then(|p| p.group(group))
        .ok_or_else(|| user_not_found(group))
}

/// The part of the directory, once the caller may read `group`'s members and owners: whoever manages
/// it (its owners, guests included), or may list the directory's users.
fn require_group_listing<'w>(
    world: &'w World,
    actor: &Actor,
    tenant: TenantId,
    group: ObjectId,
) -> Result<&'w TenantPart, DomainError> {
    if !may_manage_group(world, actor, tenant, group) {
        require_directory_enumeration(world, actor, tenant)?;
    }
    find_group(world, tenant, group)?;
    require_tenant(world, tenant)
}

/// The principals related to a group that a face lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupRelation {
    /// Its direct members (users, service principals, groups).
    Members,
    Owners,
    /// Everything in it, directly or through nested groups (the nested groups too).
    TransitiveMembers,
}

/// A group's members, owners or transitive members, by id.
pub fn group_related<'w>(
    world: &'w World,
    actor: &Actor,
    tenant: TenantId,
    group: ObjectId,
    relation: GroupRelation,
) -> Result<Vec<PrincipalRef<'w>>, DomainError> {
    let part = require_group_listing(world, actor, tenant, group)?;
    let ids: Vec<ObjectId> = match relation {
        GroupRelation::Members => part.members_of(group).collect(),
        GroupRelation::Owners => part.owners_of(group).collect(),
        GroupRelation::TransitiveMembers => part.transitive_members(group).into_iter().collect(),
    };
    Ok(ids
        .into_iter()
        .filter_map(|o| world.principal(tenant, o))
        .collect())
}

/// What a principal is a member of, as Graph's `memberOf` lists it: groups, and the directory roles
/// it holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Membership<'w> {
    Group(&'w Group),
    Role(DirectoryRole),
}

impl Membership<'_> {
    /// Its object id: a group's, or a role's template id (a directory role's id here).
    pub fn id(&self) -> String {
        match self {
            Membership::Group(g) => g.id.to_string(),
            Membership::Role(r) => r.template_id().to_string(),
        }
    }
}

/// Whose memberships a face asks for: an object of the directory, and the kind it must be (a path
/// `/users/{id}` names a user: a group's id there names nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Whose {
    pub object: ObjectId,
    pub kind: Option<PrincipalType>,
}

/// The part of the directory, once the caller may read the memberships of `whose`: its own, or
/// anyone's for whoever may list the directory's users.
fn require_membership_read<'w>(
    world: &'w World,
    actor: &Actor,
    tenant: TenantId,
    whose: Whose,
) -> Result<&'w TenantPart, DomainError> {
    let own = actor.tenant() == Some(tenant) && actor.object_id() == Some(whose.object);
    if own {
        require_directory_read(world, actor, tenant)?;
    } else {
        require_directory_enumeration(world, actor, tenant)?;
    }
    world
        .principal(tenant, whose.object)
        .filter(|p| whose.kind.is_none_or(|k| p.principal_type() == k))
        .ok_or_else(|| user_not_found(whose.object))?;
    require_tenant(world, tenant)
}

/// The groups `whose` is in and the directory roles it holds: directly (`memberOf`), or also through
/// nested groups and role-assignable groups (`transitiveMemberOf`). Groups by id, then roles.
pub fn member_of<'w>(
    world: &'w World,
    actor: &Actor,
    tenant: TenantId,
    whose: Whose,
    transitive: bool,
) -> Result<Vec<Membership<'w>>, DomainError> {
    let part = require_membership_read(world, actor, tenant, whose)?;
    let object = whose.object;
    let (groups, roles) = if transitive {
        (part.groups_of(object), part.effective_roles_of(object))
    } else {
        (part.direct_groups_of(object), part.roles_of(object))
    };
    Ok(groups
        .iter()
        .filter_map(|g| part.group(*g))
        .map(Membership::Group)
        .chain(roles.into_iter().map(Membership::Role))
        .collect())
}

/// What the member actions look among: groups (Graph's `getMemberGroups`, `checkMemberGroups`), or
/// groups and directory roles (`getMemberObjects`, `checkMemberObjects`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Among {
    Groups,
    Objects,
}

/// `getMemberGroups` and `getMemberObjects`: the ids of every group `whose` is in, directly or through
/// nesting (only security groups when `security_only`), and for [`Among::Objects`] of the directory
/// roles it holds, itself or through a group.
pub fn member_ids(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    whose: Whose,
    among: Among,
    security_only: bool,
) -> Result<Vec<String>, DomainError> {
    Ok(member_of(world, actor, tenant, whose, true)?
        .into_iter()
        .filter(|m| match m {
            Membership::Group(g) => g.security_enabled || !security_only,
            Membership::Role(_) => among == Among::Objects,
        })
        .map(|m| m.id())
        .collect())
}

/// `checkMemberGroups` and `checkMemberObjects`: which of `ids` name what [`member_ids`] finds, in the
/// order asked, each once, as the caller wrote them (ids compare without regard to case). At most
/// [`MAX_CHECKED_GROUPS`] groups are checked at a time, as in Entra.
pub fn check_member_ids(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    whose: Whose,
    among: Among,
    ids: &[String],
) -> Result<Vec<String>, DomainError> {
    if among == Among::Groups && ids.len() > MAX_CHECKED_GROUPS {
        return Err(DomainError::invalid(
            "TooManyGroupIds",
            format!(
                "checkMemberGroups checks at most {MAX_CHECKED_GROUPS} groups at a time; {} were asked.",
                ids.len()
            ),
        )
        .with_remedy("Split the ids into several requests, or list the groups with getMemberGroups."));
    }
    let found = member_ids(world, actor, tenant, whose, among, false)?;
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        let id = crate::rules::names::typed(id);
        let known = found.iter().any(|m| m.eq_ignore_ascii_case(id));
        if known && !out.iter().any(|o| o.eq_ignore_ascii_case(id)) {
            out.push(id.to_string());
        }
    }
    Ok(out)
}

/// The groups `whose` owns (Graph's `ownedObjects`: tenantry's applications have no owners), by id;
/// read as memberships are.
pub fn owned_groups<'w>(
    world: &'w World,
    actor: &Actor,
    tenant: TenantId,
    whose: Whose,
) -> Result<Vec<&'w Group>, DomainError> {
    let part = require_membership_read(world, actor, tenant, whose)?;
    Ok(part.owned_groups(whose.object).collect())
}
