//! Who has access: role definitions and assignments, effective permissions, classic administrators.

use super::directory::{directory_name, require_directory_enumeration};
use super::subscriptions::{get_resource_group, get_subscription, visible_subscriptions};
use super::{can, require_read, touches};
use crate::action::{Action, names};
use crate::authz::{Grant, GrantedPermission};
use crate::rules::access::principal_not_found;
use crate::rules::admins::{self, ClassicAdministrator, CoAdminCandidate, classic_administrators};
use crate::rules::*;
use crate::world::PrincipalRef;

/// Which role definitions a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleDefinitionQuery {
    /// `roleName eq '…'` (case-insensitive, as Azure compares it).
    pub role_name: Option<String>,
    /// `type eq 'CustomRole'` / `'BuiltInRole'`.
    pub custom: Option<bool>,
}

impl RoleDefinitionQuery {
    /// Whether a role definition is one the list shows.
    pub fn matches(&self, d: &RoleDefinition) -> bool {
        self.role_name
            .as_deref()
            .is_none_or(|n| d.name.eq_ignore_ascii_case(crate::rules::names::typed(n)))
            && self.custom.is_none_or(|c| d.is_custom() == c)
    }
}

/// The role definitions usable at `scope`: the built-in ones, the subscription's custom roles and
/// those at home in a management group above it.
pub fn list_role_definitions<'w>(
    world: &'w World,
    actor: &Actor,
    scope: &Scope,
    query: &RoleDefinitionQuery,
) -> Result<Vec<&'w RoleDefinition>, DomainError> {
    require_read(world, actor, names::ROLE_DEFINITION_READ, scope)?;
    Ok(world
        .role_definitions(scope.subscription_id())
        .into_iter()
        .filter(|d| query.matches(d))
        .collect())
}

/// One role definition by id, as seen from a subscription.
pub fn get_role_definition<'w>(
    world: &'w World,
    actor: &Actor,
    scope: &Scope,
    id: RoleDefinitionId,
) -> Result<&'w RoleDefinition, DomainError> {
    require_read(world, actor, names::ROLE_DEFINITION_READ, scope)?;
    world
        .role_definition(scope.subscription_id(), id)
        .ok_or_else(|| crate::rules::access::role_definition_not_found(&id.to_string()))
}

/// One role definition by id without a scope (`/providers/Microsoft.Authorization/roleDefinitions/{id}`):
/// a built-in role, a custom role of a subscription the caller sees, or one of its directory's
/// management groups.
pub fn get_role_definition_anywhere<'w>(
    world: &'w World,
    actor: &Actor,
    id: RoleDefinitionId,
) -> Result<&'w RoleDefinition, DomainError> {
    if let Some(d) = world.built_in_roles().iter().find(|d| d.id == id) {
        return Ok(d);
    }
    let of_directory = actor
        .tenant()
        .and_then(|t| world.tenant(t)?.custom_roles.get(&id));
    of_directory
        .or_else(|| {
            visible_subscriptions(world, actor)
                .into_iter()
                .find_map(|p| p.custom_roles.get(&id))
        })
        .ok_or_else(|| crate::rules::access::role_definition_not_found(&id.to_string()))
}

/// Which role assignments a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleAssignmentQuery {
    /// `atScope()`: assignments at the scope or above it, not below.
    pub at_scope: bool,
    /// `principalId eq '…'`: the assignments of exactly this principal.
    pub principal: Option<ObjectId>,
    /// `assignedTo('…')`: the assignments that reach this principal, its own and those of every group it
    /// is in, directly or through nesting (as Azure answers it).
    pub assigned_to: Option<ObjectId>,
}

/// A list of role assignments, with whether the caller may read assignments at the listed scope itself:
/// then the list is the same for every such caller, which lets a face cache what it renders.
pub struct RoleAssignmentList<'w> {
    pub items: Vec<&'w RoleAssignment>,
    pub whole: bool,
}

/// Role assignments that apply at `scope` (at it, above it and, unless `atScope()`, below it), those the
/// caller may read. Sorted by scope then id, so pages are stable.
pub fn list_role_assignments<'w>(
    world: &'w World,
    actor: &Actor,
    scope: &Scope,
    query: &RoleAssignmentQuery,
) -> Result<RoleAssignmentList<'w>, DomainError> {
    let whole = role_assignment_read_access(world, actor, scope)?;
    let part = require_subscription(world, scope.subscription_id())?;
    let read = Action::new(names::ROLE_ASSIGNMENT_READ);
    let applies = |a: &RoleAssignment| {
        a.scope.contains(scope) || (!query.at_scope && scope.contains(&a.scope))
    };
    let named = |a: &RoleAssignment| query.principal.is_none_or(|p| a.principal == p);
    let mut items: Vec<&RoleAssignment> = match (query.assigned_to, query.principal) {
        (Some(p), _) => world
            .assignments_reaching(part, p)
            .filter(|a| applies(a) && named(a))
            .collect(),
        (None, Some(p)) => part.assignments_of(p).filter(|a| applies(a)).collect(),
        (None, None) => part.assignments.values().filter(|a| applies(a)).collect(),
    };
    // Who may read assignments at the listed scope reads all that apply there, inherited ones included
    // (Azure's access control blade); others read those at scopes where they may read assignments.
    if !whole {
        items.retain(|a| world.authorize(actor, &read, &a.scope));
    }
    items.sort_unstable_by(|a, b| a.scope.key().cmp(b.scope.key()).then(a.id.cmp(&b.id)));
    Ok(RoleAssignmentList { items, whole })
}

/// Whether the caller may read role assignments at `scope` itself (`true`: it reads every one that
/// applies there, and its list is everyone's) or only below it (`false`); refused with no access there.
pub fn role_assignment_read_access(
    world: &World,
    actor: &Actor,
    scope: &Scope,
) -> Result<bool, DomainError> {
    let whole = if can(world, actor, names::ROLE_ASSIGNMENT_READ, scope) {
        true
    } else if touches(world, actor, scope) {
        false
    } else {
        return Err(authorization_failed(
            actor,
            names::ROLE_ASSIGNMENT_READ,
            scope.as_str(),
        ));
    };
    require_subscription(world, scope.subscription_id())?;
    Ok(whole)
}

/// One role assignment of the subscription by id. A caller with no access anywhere in the subscription
/// is refused at the subscription, whether the assignment exists or not (its scope stays unknown).
pub fn get_role_assignment<'w>(
    world: &'w World,
    actor: &Actor,
    subscription: SubscriptionId,
    id: RoleAssignmentId,
) -> Result<&'w RoleAssignment, DomainError> {
    let sub_scope = Scope::subscription(subscription);
    if !touches(world, actor, &sub_scope) {
        return Err(authorization_failed(
            actor,
            names::ROLE_ASSIGNMENT_READ,
            sub_scope.as_str(),
        ));
    }
    let part = require_subscription(world, subscription)?;
    match part.assignments.get(&id) {
        Some(a) => {
            authorize(world, actor, names::ROLE_ASSIGNMENT_READ, &a.scope)?;
            Ok(a)
        }
        None => {
            authorize(
                world,
                actor,
                names::ROLE_ASSIGNMENT_READ,
                &Scope::subscription(subscription),
            )?;
            Err(role_assignment_not_found(id))
        }
    }
}

pub fn role_assignment_not_found(id: RoleAssignmentId) -> DomainError {
    DomainError::not_found(
        "RoleAssignmentNotFound",
        format!("The role assignment '{id}' is not found."),
    )
    .with_arg("id", id.to_string())
}

/// The caller's own effective permissions at `scope` (ARM's `permissions` API), each with the grant it
/// comes from (through which groups, for a group's): anyone signed in to the subscription's tenant may
/// ask what they themselves may do; the scope must exist.
pub fn permissions(
    world: &World,
    actor: &Actor,
    scope: &Scope,
) -> Result<Vec<GrantedPermission>, DomainError> {
    let same_tenant = actor.is_operator()
        || world
            .subscription(scope.subscription_id())
            .is_some_and(|p| actor.tenant() == Some(p.subscription.tenant));
    if !same_tenant {
        return Err(authorization_failed(
            actor,
            names::PERMISSIONS_READ,
            scope.as_str(),
        ));
    }
    crate::rules::access::require_scope_exists(world, scope)?;
    Ok(match actor {
        Actor::Operator => vec![GrantedPermission {
            permission: Permission {
                actions: vec!["*".into()],
                ..Default::default()
            },
            grant: Grant::Operator,
        }],
        _ => actor
            .object_id()
            .map(|o| world.granted_permissions(o, scope))
            .unwrap_or_default(),
    })
}

/// The classic administrators of a subscription (authorized with `classicAdministrators/read`).
pub fn list_classic_administrators(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
) -> Result<Vec<ClassicAdministrator>, DomainError> {
    let part = authorized_subscription(
        world,
        actor,
        names::CLASSIC_ADMIN_READ,
        &Scope::subscription(subscription),
    )?;
    Ok(classic_administrators(world, &part.subscription))
}

/// What a subscription's administrators page shows the caller: the list (read as ARM reads it) and what
/// the caller may do with it, decided by the rules that will judge the request.
#[derive(Debug, Clone)]
pub struct ClassicAdministration<'w> {
    pub subscription: &'w Subscription,
    pub administrators: Vec<ClassicAdministrator>,
    /// The caller may add and remove co-administrators.
    pub may_manage: bool,
    /// The caller may name another service administrator.
    pub may_change_service_admin: bool,
    /// The subscription is Disabled: no administrator can be added, removed or changed.
    pub read_only: bool,
    /// People of the directory the caller could make co-administrators.
    pub candidates: Vec<CoAdminCandidate>,
}

pub fn classic_administration<'w>(
    world: &'w World,
    actor: &Actor,
    subscription: SubscriptionId,
) -> Result<ClassicAdministration<'w>, DomainError> {
    let administrators = list_classic_administrators(world, actor, subscription)?;
    let sub = &require_subscription(world, subscription)?.subscription;
    Ok(ClassicAdministration {
        subscription: sub,
        administrators,
        may_manage: admins::may_manage(actor, sub),
        may_change_service_admin: admins::may_change_service_admin(actor, sub),
        // A Disabled subscription refuses both (`subscriptions::require_writable`).
        read_only: crate::rules::subscriptions::require_writable(actor, sub).is_err(),
        candidates: admins::co_admin_candidates(world, actor, sub),
    })
}

/// A role assignment as an access control page lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct AssignmentView<'w> {
    pub assignment: &'w RoleAssignment,
    /// Its principal in the subscription's directory (`None` when it is gone).
    pub principal: Option<PrincipalRef<'w>>,
    pub role: String,
    /// Assigned above the listed scope, and so inherited there.
    pub inherited: bool,
}

/// Access control at a subscription or resource group: the role assignments that apply there (those the
/// caller may read), the roles that could be assigned, the principals the caller may pick from, and
/// whether the caller may assign at all.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessControl<'w> {
    pub subscription: &'w Subscription,
    pub assignments: Vec<AssignmentView<'w>>,
    pub roles: Vec<&'w RoleDefinition>,
    /// Present users, service principals and groups of the directory; empty when the caller may not
    /// list them.
    pub principals: Vec<PrincipalRef<'w>>,
    pub may_write: bool,
}

pub fn access_control<'w>(
    world: &'w World,
    actor: &Actor,
    scope: &Scope,
) -> Result<AccessControl<'w>, DomainError> {
    let id = scope.subscription_id();
    let part = get_subscription(world, actor, id)?;
    if let Some(g) = scope.resource_group_name() {
        get_resource_group(world, actor, id, g)?;
    }
    let s = &part.subscription;
    let assignments = list_role_assignments(world, actor, scope, &Default::default())?
        .items
        .into_iter()
        .map(|a| AssignmentView {
            assignment: a,
            principal: world.principal(s.tenant, a.principal),
            role: world
                .role_definition(s.id, a.role_definition)
                .map(|d| d.name.clone())
                .unwrap_or_default(),
            inherited: a.scope != *scope && a.scope.contains(scope),
        })
        .collect();
    Ok(AccessControl {
        subscription: s,
        assignments,
        roles: world.role_definitions(s.id),
        principals: pickable_principals(world, actor, s.tenant),
        // `authorize`, not `can`: a Disabled subscription refuses the write to whoever may make it.
        may_write: authorize(world, actor, names::ROLE_ASSIGNMENT_WRITE, scope).is_ok(),
    })
}

/// The principals of `tenant` a role could be assigned to, for a picker: its present users, its service
/// principals (managed identities among them) and its groups; none when the caller may not list them.
pub fn pickable_principals<'w>(
    world: &'w World,
    actor: &Actor,
    tenant: TenantId,
) -> Vec<PrincipalRef<'w>> {
    match (
        require_directory_enumeration(world, actor, tenant),
        world.tenant(tenant),
    ) {
        (Ok(()), Some(t)) => t
            .users
            .values()
            .filter(|u| u.is_present())
            .map(PrincipalRef::User)
            .chain(t.applications.values().map(PrincipalRef::ServicePrincipal))
            .chain(t.groups.values().map(PrincipalRef::Group))
            .collect(),
        _ => vec![],
    }
}

/// A principal of the subscription's directory that a role could be assigned to at `scope`, named by
/// object id, user principal name, email, an application's client id or a group's name (`group:NAME`, or
/// the bare name): present (a member, a redeemed guest, a service principal or a group). Only for a
/// caller who may read the role assignments there: anyone else learns nothing of the directory's
/// principals.
pub fn assignable_principal(
    world: &World,
    actor: &Actor,
    scope: &Scope,
    key: &str,
) -> Result<ObjectId, DomainError> {
    require_read(world, actor, names::ROLE_ASSIGNMENT_READ, scope)?;
    let tenant = require_subscription(world, scope.subscription_id())?
        .subscription
        .tenant;
    present_principal(world, tenant, key)
}

/// A present principal of `tenant` (a member, a redeemed guest, a service principal or a group) named
/// by object id, user principal name, email, an application's client id or a group's name.
pub fn present_principal(
    world: &World,
    tenant: TenantId,
    key: &str,
) -> Result<ObjectId, DomainError> {
    let key = crate::rules::names::typed(key);
    if key.is_empty() {
        return Err(DomainError::invalid("PrincipalRequired", "Say who the role is for.")
            .with_variant("present-principal")
            .with_remedy("Pick a user, application or group of the directory, or type a user principal name, an email, an application's client id or a group's name."));
    }
    world
        .find_principal(tenant, key)
        .filter(|p| p.is_present())
        .map(|p| p.id())
        .ok_or_else(|| {
            DomainError::invalid(
                "PrincipalNotFound",
                format!(
                    "No user, redeemed guest, application or group of the directory {} is named '{key}'.",
                    directory_name(world, tenant)
                ),
            )
            .with_arg("directory", directory_name(world, tenant).to_string())
            .with_arg("name", key.to_string())
            .with_variant("present-principal")
            .with_remedy("Check the name, or invite the person to the directory first (Directory → Guests and invitations).")
        })
}

/// "Check access": for each action, the grants that let the principal perform it at the scope, and the
/// permissions that apply to it there. For whoever may read the role assignments there.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessCheck<'w, 'a> {
    pub principal: PrincipalRef<'w>,
    pub actions: Vec<(&'a str, Vec<Grant>)>,
    pub permissions: Vec<Permission>,
}

pub fn check_access<'w, 'a>(
    world: &'w World,
    actor: &Actor,
    scope: &Scope,
    principal: &str,
    actions: &[&'a str],
) -> Result<AccessCheck<'w, 'a>, DomainError> {
    authorize(world, actor, names::ROLE_ASSIGNMENT_READ, scope)?;
    let id = scope.subscription_id();
    let object = assignable_principal(world, actor, scope, principal)?;
    let tenant = require_subscription(world, id)?.subscription.tenant;
    let principal = world
        .principal(tenant, object)
        .ok_or_else(|| principal_not_found(object, tenant))?;
    Ok(AccessCheck {
        principal,
        actions: actions
            .iter()
            .map(|a| (*a, world.explain_access(object, &Action::new(a), scope)))
            .collect(),
        permissions: world.effective_permissions(object, scope),
    })
}

/// A principal of the subscription's directory by object id.
pub fn assignment_principal(
    world: &World,
    subscription: SubscriptionId,
    object: ObjectId,
) -> Option<PrincipalRef<'_>> {
    world.principal(
        world.subscription(subscription)?.subscription.tenant,
        object,
    )
}

/// The name of a role definition usable in the subscription.
pub fn role_name(
    world: &World,
    subscription: SubscriptionId,
    id: RoleDefinitionId,
) -> Option<String> {
    world
        .role_definition(subscription, id)
        .map(|d| d.name.clone())
}
