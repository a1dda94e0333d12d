//! Access control at management-group scope as the portal shows it: the assignments that apply at a
//! group (at it, inherited from the groups above, from the tenant root group and the root scope `/`),
//! where each comes from, whether the caller may remove it, the roles and principals a new one may
//! name, "check access" at a group, the assignments a subscription inherits from its groups, and a
//! Global Administrator's elevated access. Who may see and do what is asked of the rules that judge the
//! requests (`rules::hierarchy`, `rules::hierarchy_access`).

use super::access::{AccessCheck, pickable_principals, present_principal};
use crate::action::{Action, names};
use crate::rules::hierarchy::{self, caller_tenant, group_access, may_read_group};
use crate::rules::hierarchy_access::{
    elevated_assignment, inherited_by_subscription, list_group_assignments,
    may_remove_group_assignment,
};
use crate::rules::*;
use crate::world::PrincipalRef;

/// Where an assignment that applies at a group or a subscription is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignmentOrigin {
    /// At the management group shown.
    Here,
    /// At a management group above.
    Group { name: String, display_name: String },
    /// At the tenant root group (inherited by everything in the directory).
    TenantRootGroup { name: String },
    /// At the root scope `/`: a Global Administrator's elevated access.
    RootScope,
}

/// An assignment at a management group (or `/`) as an access control page lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupAssignmentView<'w> {
    pub assignment: ManagementGroupRoleAssignment,
    /// Its principal in the directory (`None` when it is gone).
    pub principal: Option<PrincipalRef<'w>>,
    pub role: String,
    pub origin: AssignmentOrigin,
    /// The caller may open the access control of the group it is made at (never for `/`).
    pub may_open: bool,
    /// The caller may remove it here (only one made at the group shown).
    pub may_remove: bool,
}

/// Access control at a management group.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupAccessControl<'w> {
    pub group: ManagementGroup,
    pub is_root: bool,
    /// At the group first, then from the nearest group above to the root scope.
    pub assignments: Vec<GroupAssignmentView<'w>>,
    /// The roles an assignment at a group may name: the built-in ones.
    pub roles: Vec<&'w RoleDefinition>,
    /// Present users, service principals (managed identities among them) and groups of the directory;
    /// empty when the caller may not list them.
    pub principals: Vec<PrincipalRef<'w>>,
    /// The caller may assign roles at the group.
    pub may_write: bool,
}

/// The access control of group `name` of the caller's directory, for whoever may see the group (as
/// ARM lists its role assignments); anyone else is refused whether it exists or not.
pub fn group_access_control<'w>(
    world: &'w World,
    actor: &Actor,
    name: &str,
) -> Result<GroupAccessControl<'w>, DomainError> {
    let listed = list_group_assignments(world, actor, name)?;
    let tenant = caller_tenant(world, actor)?;
    let part = require_tenant(world, tenant)?;
    let group = part
        .management_group(name)
        .ok_or_else(|| hierarchy::management_group_not_found(name))?
        .into_owned();
    let mut assignments: Vec<(usize, GroupAssignmentView<'w>)> = listed
        .into_iter()
        .map(|a| {
            let here = a.management_group.eq_ignore_ascii_case(&group.name);
            let view = assignment_view(world, actor, part, a, Some(&group.name));
            let may_remove = here && view.may_remove;
            (
                distance(part, &view.assignment.management_group, &group.name),
                GroupAssignmentView { may_remove, ..view },
            )
        })
        .collect();
    assignments.sort_by(|(da, a), (db, b)| da.cmp(db).then_with(|| a.role.cmp(&b.role)));
    Ok(GroupAccessControl {
        is_root: part.is_root_group(&group.name),
        may_write: group_access(
            world,
            actor,
            tenant,
            &group.name,
            names::ROLE_ASSIGNMENT_WRITE,
        ),
        assignments: assignments.into_iter().map(|(_, v)| v).collect(),
        roles: world.built_in_roles().iter().collect(),
        principals: pickable_principals(world, actor, tenant),
        group,
    })
}

/// How many levels above `from` group `at` is (the root scope above them all), for ordering.
fn distance(part: &TenantPart, at: &str, from: &str) -> usize {
    if at == ROOT_SCOPE {
        return usize::MAX;
    }
    let mut n = 0;
    let mut g = part.management_group(from).map(|g| g.into_owned());
    while let Some(x) = g {
        if x.name.eq_ignore_ascii_case(at) {
            return n;
        }
        n += 1;
        g = match &x.parent {
            Some(p) => part.management_group(p).map(|g| g.into_owned()),
            None if !part.is_root_group(&x.name) => part
                .management_group(&part.root_group_name())
                .map(|g| g.into_owned()),
            None => None,
        };
    }
    n
}

fn assignment_view<'w>(
    world: &'w World,
    actor: &Actor,
    part: &TenantPart,
    a: ManagementGroupRoleAssignment,
    shown: Option<&str>,
) -> GroupAssignmentView<'w> {
    let tenant = part.tenant.id;
    let origin = if a.management_group == ROOT_SCOPE {
        AssignmentOrigin::RootScope
    } else if shown.is_some_and(|s| s.eq_ignore_ascii_case(&a.management_group)) {
        AssignmentOrigin::Here
    } else if part.is_root_group(&a.management_group) {
        AssignmentOrigin::TenantRootGroup {
            name: part.root_group_name(),
        }
    } else {
        AssignmentOrigin::Group {
            name: a.management_group.clone(),
            display_name: part
                .management_group(&a.management_group)
                .map_or_else(|| a.management_group.clone(), |g| g.display_name.clone()),
        }
    };
    GroupAssignmentView {
        principal: world.principal(tenant, a.principal),
        role: world
            .built_in_roles()
            .iter()
            .find(|r| r.id == a.role_definition)
            .map(|r| r.name.clone())
            .unwrap_or_default(),
        may_open: a.management_group != ROOT_SCOPE
            && may_read_group(world, actor, tenant, &a.management_group),
        may_remove: may_remove_group_assignment(world, actor, tenant, &a),
        origin,
        assignment: a,
    }
}

/// The assignments a subscription inherits from the management groups above it and the root scope,
/// for whoever may read the role assignments at the subscription (as its own are listed); none for
/// anyone else.
pub fn inherited_group_assignments<'w>(
    world: &'w World,
    actor: &Actor,
    subscription: SubscriptionId,
) -> Vec<GroupAssignmentView<'w>> {
    let scope = Scope::subscription(subscription);
    let (Some(p), true) = (
        world.subscription(subscription),
        world.authorize(actor, &Action::new(names::ROLE_ASSIGNMENT_READ), &scope),
    ) else {
        return vec![];
    };
    let Some(part) = world.tenant(p.subscription.tenant) else {
        return vec![];
    };
    let start = part.subscription_parent(subscription);
    let mut v: Vec<(usize, GroupAssignmentView<'w>)> =
        inherited_by_subscription(world, subscription)
            .into_iter()
            .map(|a| {
                let d = distance(part, &a.management_group, &start);
                let view = assignment_view(world, actor, part, a, None);
                (
                    d,
                    GroupAssignmentView {
                        may_remove: false,
                        ..view
                    },
                )
            })
            .collect();
    v.sort_by(|(da, a), (db, b)| da.cmp(db).then_with(|| a.role.cmp(&b.role)));
    v.into_iter().map(|(_, v)| v).collect()
}

/// A principal of the caller's directory an assignment at group `name` could name (see
/// [`present_principal`]), for whoever may see the group's assignments.
pub fn group_assignable_principal(
    world: &World,
    actor: &Actor,
    name: &str,
    key: &str,
) -> Result<ObjectId, DomainError> {
    list_group_assignments(world, actor, name)?;
    present_principal(world, caller_tenant(world, actor)?, key)
}

/// "Check access" at group `name`: for each action, the assignments at the group or above it that let
/// the principal perform it (its own, then through its groups), and the permissions of the roles that
/// reach it there. For whoever may see the group's assignments.
pub fn check_access_at_group<'w, 'a>(
    world: &'w World,
    actor: &Actor,
    name: &str,
    principal: &str,
    actions: &[&'a str],
) -> Result<AccessCheck<'w, 'a>, DomainError> {
    let object = group_assignable_principal(world, actor, name, principal)?;
    let tenant = caller_tenant(world, actor)?;
    let part = require_tenant(world, tenant)?;
    let group = part
        .management_group(name)
        .ok_or_else(|| hierarchy::management_group_not_found(name))?
        .name
        .clone();
    let principal = world
        .principal(tenant, object)
        .ok_or_else(|| crate::rules::access::principal_not_found(object, tenant))?;
    let holders: Vec<ObjectId> = std::iter::once(object)
        .chain(part.groups_of(object).iter().copied())
        .collect();
    let permissions = holders
        .iter()
        .flat_map(|h| part.group_assignments_of(*h))
        .filter(|a| part.assignment_reaches_group(&a.management_group, &group))
        .filter_map(|a| {
            world
                .built_in_roles()
                .iter()
                .find(|r| r.id == a.role_definition)
        })
        .flat_map(|r| r.permissions.iter().cloned())
        .collect();
    Ok(AccessCheck {
        principal,
        actions: actions
            .iter()
            .map(|a| {
                let action = Action::new(a);
                (
                    *a,
                    world.group_grants(part, object, &action, &group).collect(),
                )
            })
            .collect(),
        permissions,
    })
}

/// A Global Administrator's elevated access (User Access Administrator at the root scope `/`), shown
/// to the directory's Global Administrators and to whoever holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elevation {
    pub elevated: bool,
    /// The caller may elevate (the rule's question: a Global Administrator of the directory).
    pub may_elevate: bool,
}

pub fn elevation(world: &World, actor: &Actor) -> Option<Elevation> {
    let tenant = caller_tenant(world, actor).ok()?;
    let principal = actor.object_id()?;
    let elevated = elevated_assignment(world, tenant, principal).is_some();
    let may_elevate = holds_directory_role(world, actor, tenant, DIRECTORY_ADMINISTRATORS);
    (elevated || may_elevate).then_some(Elevation {
        elevated,
        may_elevate,
    })
}
