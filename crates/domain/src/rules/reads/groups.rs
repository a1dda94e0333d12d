//! A directory's security groups: who may read them, as in Entra, and what Graph and the portal show.
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
//! object exists. The portal's pages read the list with member counts and one group with its members
//! (direct, and transitive with the path that makes them members), owners, nested groups, directory
//! roles, role assignments and what the caller may do with it. Who may change a group is decided by
//! `rules::groups` (the rules that judge the change); these reads only ask them.

use super::directory::{directory_name, require_directory_enumeration};
use crate::action::{Action, names};
use crate::rules::directory::user_not_found;
use crate::rules::groups::{may_manage_group, require_group_manager};
use crate::rules::reads::require_directory_read;
use crate::rules::*;
use crate::world::PrincipalRef;
use std::collections::{HashMap, VecDeque};

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
        .with_arg("max_checked_groups", MAX_CHECKED_GROUPS.to_string())
        .with_arg("count", ids.len().to_string())
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

// ----- the portal's pages -----

/// A group as the directory's list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupSummary<'w> {
    pub group: &'w Group,
    /// Its direct members (users, service principals and groups).
    pub members: usize,
    /// The groups among them.
    pub nested_groups: usize,
    /// The users and service principals it reaches, directly or through nested groups: who holds what
    /// it is granted.
    pub reach: usize,
    /// The directory roles it holds (a role-assignable group only).
    pub roles: Vec<DirectoryRole>,
}

/// A directory's groups, by display name, for whoever may list its objects (guests without a directory
/// role may not, as for users), with what the caller may create.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryGroups<'w> {
    pub tenant: &'w Tenant,
    pub groups: Vec<GroupSummary<'w>>,
    /// The caller may create groups (a Global, User or Groups Administrator).
    pub may_create: bool,
    /// The caller may create groups that can hold directory roles (a Global Administrator).
    pub may_create_role_assignable: bool,
}

pub fn directory_groups<'w>(
    world: &'w World,
    actor: &Actor,
    tenant: TenantId,
) -> Result<DirectoryGroups<'w>, DomainError> {
    require_directory_enumeration(world, actor, tenant)?;
    let part = require_tenant(world, tenant)?;
    let mut groups: Vec<GroupSummary> = part
        .groups
        .values()
        .map(|g| {
            let members: Vec<ObjectId> = part.members_of(g.id).collect();
            GroupSummary {
                group: g,
                nested_groups: members.iter().filter(|m| part.group(**m).is_some()).count(),
                members: members.len(),
                reach: part.reach(g.id),
                roles: part.roles_of(g.id),
            }
        })
        .collect();
    groups.sort_by_cached_key(|s| (s.group.display_name.to_lowercase(), s.group.id));
    Ok(DirectoryGroups {
        tenant: &part.tenant,
        groups,
        may_create: holds_directory_role(world, actor, tenant, GROUP_MANAGERS),
        may_create_role_assignable: holds_directory_role(
            world,
            actor,
            tenant,
            DIRECTORY_ADMINISTRATORS,
        ),
    })
}

/// A member of a group through nested groups, with how.
#[derive(Debug, Clone, PartialEq)]
pub struct TransitiveMember<'w> {
    pub principal: PrincipalRef<'w>,
    /// The groups from the group itself down to the one the principal is directly in, by the fewest
    /// steps: `[Platform, Engineering]` for a member of Engineering, which is in Platform.
    pub path: Vec<&'w Group>,
}

/// A role assignment held by a group, in a subscription that trusts its directory.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupAssignment<'w> {
    pub subscription: &'w Subscription,
    pub assignment: &'w RoleAssignment,
    pub role: String,
}

/// One group of a directory, with what the caller may do with it.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryGroup<'w> {
    pub tenant: &'w Tenant,
    pub group: &'w Group,
    /// Direct members, by name.
    pub members: Vec<PrincipalRef<'w>>,
    /// Members through nested groups (not direct members), by name, each with its path.
    pub transitive: Vec<TransitiveMember<'w>>,
    /// The users and service principals it reaches, directly or not.
    pub reach: usize,
    pub owners: Vec<PrincipalRef<'w>>,
    /// The groups it is directly a member of, by name.
    pub member_of: Vec<&'w Group>,
    /// The directory roles it holds.
    pub roles: Vec<DirectoryRole>,
    /// The roles it could be given (none unless it is role-assignable and the caller may assign roles).
    pub addable_roles: Vec<DirectoryRole>,
    /// Its role assignments in the subscriptions that trust the directory: every one for whoever may
    /// delete the group (deleting it removes them all), else those the caller may read.
    pub assignments: Vec<GroupAssignment<'w>>,
    /// The caller may change it, its members and owners, and delete it (its managers and owners).
    pub may_manage: bool,
    /// The caller may give and take its directory roles (a Global Administrator, for a role-assignable
    /// group).
    pub may_assign_roles: bool,
}

fn group_not_found(world: &World, tenant: TenantId, group: ObjectId) -> DomainError {
    DomainError::not_found(
        "Request_ResourceNotFound",
        format!(
            "The group '{group}' does not exist in {}.",
            directory_name(world, tenant)
        ),
    )
    .with_arg("group", group.to_string())
    .with_arg("directory", directory_name(world, tenant).to_string())
    .with_variant("group-not-found")
    .with_remedy("Open the directory's Groups page and pick the group from the list.")
}

/// How principals are ordered on a page: by name, then id.
fn by_name(p: &PrincipalRef) -> (String, ObjectId) {
    let name = match p {
        PrincipalRef::User(u) => u.display_name.to_lowercase(),
        PrincipalRef::ServicePrincipal(a) => a.display_name.to_lowercase(),
        PrincipalRef::Group(g) => g.display_name.to_lowercase(),
    };
    (name, p.id())
}

/// Everything reached below `group` through nested groups, each with the group it was first reached
/// from (breadth first, so by the fewest steps): one walk for the whole list.
fn reached_from(part: &TenantPart, group: ObjectId) -> HashMap<ObjectId, ObjectId> {
    let mut from: HashMap<ObjectId, ObjectId> = HashMap::new();
    let mut queue = VecDeque::from([group]);
    while let Some(g) = queue.pop_front() {
        for m in part.members_of(g) {
            if m == group || from.contains_key(&m) {
                continue;
            }
            from.insert(m, g);
            if part.group(m).is_some() {
                queue.push_back(m);
            }
        }
    }
    from
}

pub fn directory_group<'w>(
    world: &'w World,
    actor: &Actor,
    tenant: TenantId,
    group: ObjectId,
) -> Result<DirectoryGroup<'w>, DomainError> {
    require_directory_enumeration(world, actor, tenant)?;
    let part = require_tenant(world, tenant)?;
    let g = part
        .group(group)
        .ok_or_else(|| group_not_found(world, tenant, group))?;
    let principal = |o: ObjectId| world.principal(tenant, o);
    let mut members: Vec<PrincipalRef> = part.members_of(group).filter_map(principal).collect();
    members.sort_by_cached_key(by_name);

    let from = reached_from(part, group);
    let mut transitive: Vec<TransitiveMember> = from
        .iter()
        .filter(|(_, via)| **via != group)
        .filter_map(|(m, via)| {
            let mut path = vec![part.group(*via)?];
            let mut at = *via;
            while let Some(up) = from.get(&at) {
                path.push(part.group(*up)?);
                at = *up;
            }
            path.reverse();
            Some(TransitiveMember {
                principal: principal(*m)?,
                path,
            })
        })
        .collect();
    transitive.sort_by_cached_key(|t| by_name(&t.principal));
    let reach = from.keys().filter(|m| part.group(**m).is_none()).count();

    let mut owners: Vec<PrincipalRef> = part.owners_of(group).filter_map(principal).collect();
    owners.sort_by_cached_key(by_name);
    let mut member_of: Vec<&Group> = part
        .direct_groups_of(group)
        .iter()
        .filter_map(|p| part.group(*p))
        .collect();
    member_of.sort_by_cached_key(|x| (x.display_name.to_lowercase(), x.id));

    let may_manage = may_manage_group(world, actor, tenant, group);
    let may_assign_roles =
        g.role_assignable && holds_directory_role(world, actor, tenant, DIRECTORY_ADMINISTRATORS);
    let roles = part.roles_of(group);
    let read = Action::new(names::ROLE_ASSIGNMENT_READ);
    let mut assignments: Vec<GroupAssignment> = world
        .subscriptions_of_tenant(tenant)
        .flat_map(|s| {
            s.assignments_of(group).map(move |a| GroupAssignment {
                subscription: &s.subscription,
                assignment: a,
                role: world
                    .role_definition(s.subscription.id, a.role_definition)
                    .map(|d| d.name.clone())
                    .unwrap_or_default(),
            })
        })
        .filter(|a| may_manage || world.authorize(actor, &read, &a.assignment.scope))
        .collect();
    assignments.sort_by_cached_key(|a| {
        (
            a.subscription.display_name.to_lowercase(),
            a.assignment.scope.key().to_string(),
            a.role.clone(),
            a.assignment.id,
        )
    });
    Ok(DirectoryGroup {
        tenant: &part.tenant,
        group: g,
        members,
        transitive,
        reach,
        owners,
        member_of,
        addable_roles: if may_assign_roles {
            DirectoryRole::ALL
                .into_iter()
                .filter(|r| !roles.contains(r))
                .collect()
        } else {
            vec![]
        },
        roles,
        assignments,
        may_manage,
        may_assign_roles,
    })
}

/// A principal of the directory to add to a group as a member or an owner, named by user principal
/// name, email, object id, an application's client id or a group's name (`group:NAME` or the bare
/// name). Resolved only for whoever may change the group: anyone else gets the refusal of the change
/// itself, and learns nothing of which names the directory holds. Whether the principal may join (a
/// redeemed guest, no cycle, no group as owner) is the change's rule to say.
pub fn group_principal_named(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    group: ObjectId,
    key: &str,
    as_owner: bool,
) -> Result<ObjectId, DomainError> {
    let what = if as_owner {
        "add owners to groups"
    } else {
        "add members to groups"
    };
    require_group_manager(world, actor, tenant, group, what)?;
    let key = crate::rules::names::typed(key);
    let role = if as_owner { "an owner" } else { "a member" };
    if key.is_empty() {
        return Err(DomainError::invalid(
            "PrincipalRequired",
            format!("Say who should become {role}."),
        )
        .with_arg("role", role.to_string())
        .with_variant("group-principal-named")
        .with_remedy(
            "Type a user principal name, an email, an application's client id or a group's name.",
        ));
    }
    world
        .find_principal(tenant, key)
        .map(|p| p.id())
        .ok_or_else(|| {
            DomainError::invalid(
                "PrincipalNotFound",
                format!(
                    "No user, guest, application or group of the directory {} is named '{key}'.",
                    directory_name(world, tenant)
                ),
            )
            .with_arg("directory", directory_name(world, tenant).to_string())
            .with_arg("name", key.to_string())
            .with_variant("group-principal-named")
            .with_remedy("Check the name, or invite the person to the directory first (Guests and invitations).")
        })
}
