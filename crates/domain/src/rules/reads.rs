//! What ARM's reads show, and to whom. Writes are refused by the rules that make them; reads are decided
//! here, so that every face (ARM, portal, CLI) shows the same things to the same caller:
//!
//! - a subscription is visible to a caller signed in to its trusted tenant who holds any access in it
//!   (a role assignment anywhere in it, or a classic administrator role), as in `GET /subscriptions`;
//! - a list shows what the caller may read: a Reader on one resource group sees that group only;
//! - a read of one thing is authorized with Azure's action name first (`AuthorizationFailed`), and only
//!   then told apart from a missing one (`ResourceGroupNotFound`, …), so refusals leak no existence.

use super::*;
use crate::action::{Action, names};
use crate::rules::admins::{self, ClassicAdministrator, CoAdminCandidate, classic_administrators};
use crate::rules::resources::resource_group_not_found;
use crate::scope::validate_resource_group_name;

/// Whether `actor` sees the subscription in `GET /subscriptions`.
pub fn subscription_visible(world: &World, actor: &Actor, part: &SubscriptionPart) -> bool {
    match actor {
        Actor::Operator => true,
        Actor::User { tenant, object, .. } | Actor::Application { tenant, object, .. } => {
            part.subscription.tenant == *tenant
                && world.has_any_access(*object, part.subscription.id)
        }
        Actor::Personal { .. } => false,
    }
}

/// The subscriptions the caller sees, by id (a stable order for lists and paging).
pub fn visible_subscriptions<'w>(world: &'w World, actor: &Actor) -> Vec<&'w SubscriptionPart> {
    let mut v: Vec<&SubscriptionPart> = match actor.tenant() {
        Some(t) => world.subscriptions_of_tenant(t).collect(),
        None if actor.is_operator() => world.subscriptions().collect(),
        None => vec![],
    };
    v.retain(|p| subscription_visible(world, actor, p));
    v.sort_by_key(|p| p.subscription.id);
    v
}

/// One subscription: `SubscriptionNotFound` when it does not exist or the caller may not see it (a caller
/// of another tenant learns nothing about it).
pub fn get_subscription<'w>(
    world: &'w World,
    actor: &Actor,
    id: SubscriptionId,
) -> Result<&'w SubscriptionPart, DomainError> {
    world
        .subscription(id)
        .filter(|p| subscription_visible(world, actor, p))
        .ok_or_else(|| subscription_not_found(id))
}

/// Every tenant where the caller's identity is present (member or redeemed guest), whatever tenant its
/// token is for: how the Azure CLI finds the directories of a user. An application has its own tenant.
pub fn tenants_of_caller<'w>(world: &'w World, actor: &Actor) -> Vec<&'w TenantPart> {
    let ids: Vec<TenantId> = match actor {
        Actor::Operator => world.tenants().map(|t| t.tenant.id).collect(),
        Actor::Application { tenant, .. } => vec![*tenant],
        Actor::User { identity, .. } => tenants_of(world, *identity),
        Actor::Personal { account, .. } => {
            tenants_of(world, Identity::Personal { account: *account })
        }
    };
    let mut v: Vec<&TenantPart> = ids.into_iter().filter_map(|t| world.tenant(t)).collect();
    v.sort_by_key(|t| t.tenant.id);
    v.dedup_by_key(|t| t.tenant.id);
    v
}

fn tenants_of(world: &World, identity: Identity) -> Vec<TenantId> {
    world
        .tenants_of_identity(identity)
        .into_iter()
        .map(|(t, _)| t)
        .collect()
}

/// Whether the caller holds access at `scope`, above it or below it.
fn touches(world: &World, actor: &Actor, scope: &Scope) -> bool {
    match actor {
        Actor::Operator => true,
        Actor::User { tenant, object, .. } | Actor::Application { tenant, object, .. } => world
            .subscription(scope.subscription_id())
            .is_some_and(|p| {
                p.subscription.tenant == *tenant && world.has_access_touching(*object, scope)
            }),
        Actor::Personal { .. } => false,
    }
}

fn can(world: &World, actor: &Actor, action: &str, scope: &Scope) -> bool {
    world.authorize(actor, &Action::new(action), scope)
}

/// The resource groups the caller may see: all of them with read access on the subscription, otherwise
/// those where it holds access at, above or below the group. Refused when it holds none at all.
pub fn list_resource_groups<'w>(
    world: &'w World,
    actor: &Actor,
    subscription: SubscriptionId,
) -> Result<Vec<&'w ResourceGroup>, DomainError> {
    let part = require_subscription(world, subscription)?;
    let sub_scope = Scope::subscription(subscription);
    if can(world, actor, names::RESOURCE_GROUP_READ, &sub_scope) {
        return Ok(part.resource_groups.values().collect());
    }
    if !touches(world, actor, &sub_scope) {
        return Err(authorization_failed(
            actor,
            names::RESOURCE_GROUP_READ,
            sub_scope.as_str(),
        ));
    }
    Ok(part
        .resource_groups
        .values()
        .filter(|g| touches(world, actor, &Scope::resource_group(subscription, &g.name)))
        .collect())
}

/// One resource group: authorized first, then looked up.
pub fn get_resource_group<'w>(
    world: &'w World,
    actor: &Actor,
    subscription: SubscriptionId,
    name: &str,
) -> Result<&'w ResourceGroup, DomainError> {
    let part = require_subscription(world, subscription)?;
    validate_resource_group_name(name)?;
    let scope = Scope::resource_group(subscription, name);
    authorize(world, actor, names::RESOURCE_GROUP_READ, &scope)?;
    part.resource_group(name)
        .ok_or_else(|| resource_group_not_found(name))
}

/// Resources of the subscription, or of one group, that the caller may read.
pub fn list_resources<'w>(
    world: &'w World,
    actor: &Actor,
    subscription: SubscriptionId,
    group: Option<&str>,
) -> Result<Vec<&'w Resource>, DomainError> {
    let part = require_subscription(world, subscription)?;
    let within = match group {
        Some(g) => {
            validate_resource_group_name(g)?;
            Scope::resource_group(subscription, g)
        }
        None => Scope::subscription(subscription),
    };
    if !touches(world, actor, &within) {
        return Err(authorization_failed(
            actor,
            "Microsoft.Resources/subscriptions/resources/read",
            within.as_str(),
        ));
    }
    if let Some(g) = group
        && part.resource_group(g).is_none()
    {
        return Err(resource_group_not_found(g));
    }
    Ok(part
        .resources
        .values()
        .filter(|r| within.contains(&r.scope) && may_read_resource(world, actor, &r.scope))
        .collect())
}

fn may_read_resource(world: &World, actor: &Actor, scope: &Scope) -> bool {
    scope
        .resource_type()
        .is_some_and(|(ty, _)| can(world, actor, &names::resource_action(&ty, "read"), scope))
}

/// One resource: authorized with `{type}/read`, then looked up (its group first).
pub fn get_resource<'w>(
    world: &'w World,
    actor: &Actor,
    scope: &Scope,
) -> Result<&'w Resource, DomainError> {
    let part = require_subscription(world, scope.subscription_id())?;
    let (ty, name) = scope.resource_type().ok_or_else(|| not_a_resource(scope))?;
    authorize(world, actor, &names::resource_action(&ty, "read"), scope)?;
    let group = scope.resource_group_name().unwrap_or_default();
    if part.resource_group(group).is_none() {
        return Err(resource_group_not_found(group));
    }
    part.resources
        .get(scope.key())
        .ok_or_else(|| resource_not_found(&ty, &name, group))
}

fn not_a_resource(scope: &Scope) -> DomainError {
    DomainError::invalid(
        "InvalidResourceId",
        format!("'{scope}' is not a resource id."),
    )
}

pub fn resource_not_found(ty: &str, name: &str, group: &str) -> DomainError {
    DomainError::not_found(
        "ResourceNotFound",
        format!("The Resource '{ty}/{name}' under resource group '{group}' was not found."),
    )
}

/// Which role definitions a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleDefinitionQuery {
    /// `roleName eq '…'` (case-insensitive, as Azure compares it).
    pub role_name: Option<String>,
    /// `type eq 'CustomRole'` / `'BuiltInRole'`.
    pub custom: Option<bool>,
}

/// The role definitions usable at `scope`: the built-in ones and the subscription's custom roles.
pub fn list_role_definitions<'w>(
    world: &'w World,
    actor: &Actor,
    scope: &Scope,
    query: &RoleDefinitionQuery,
) -> Result<Vec<&'w RoleDefinition>, DomainError> {
    require_subscription(world, scope.subscription_id())?;
    require_read(world, actor, names::ROLE_DEFINITION_READ, scope)?;
    Ok(world
        .role_definitions(scope.subscription_id())
        .into_iter()
        .filter(|d| {
            query
                .role_name
                .as_deref()
                .is_none_or(|n| d.name.eq_ignore_ascii_case(n.trim()))
                && query.custom.is_none_or(|c| d.is_custom() == c)
        })
        .collect())
}

/// One role definition by id, as seen from a subscription.
pub fn get_role_definition<'w>(
    world: &'w World,
    actor: &Actor,
    scope: &Scope,
    id: RoleDefinitionId,
) -> Result<&'w RoleDefinition, DomainError> {
    require_subscription(world, scope.subscription_id())?;
    require_read(world, actor, names::ROLE_DEFINITION_READ, scope)?;
    world
        .role_definition(scope.subscription_id(), id)
        .ok_or_else(|| crate::rules::access::role_definition_not_found(&id.to_string()))
}

/// One role definition by id without a scope (`/providers/Microsoft.Authorization/roleDefinitions/{id}`):
/// a built-in role, or a custom role of a subscription the caller sees.
pub fn get_role_definition_anywhere<'w>(
    world: &'w World,
    actor: &Actor,
    id: RoleDefinitionId,
) -> Result<&'w RoleDefinition, DomainError> {
    if let Some(d) = world.built_in_roles().iter().find(|d| d.id == id) {
        return Ok(d);
    }
    visible_subscriptions(world, actor)
        .into_iter()
        .find_map(|p| p.custom_roles.get(&id))
        .ok_or_else(|| crate::rules::access::role_definition_not_found(&id.to_string()))
}

/// Refuses with `AuthorizationFailed` unless the caller may perform `action` at `scope`, or holds access
/// below it (a Reader on one group may list what applies to that group from the subscription).
fn require_read(
    world: &World,
    actor: &Actor,
    action: &str,
    scope: &Scope,
) -> Result<(), DomainError> {
    if can(world, actor, action, scope) || touches(world, actor, scope) {
        Ok(())
    } else {
        Err(authorization_failed(actor, action, scope.as_str()))
    }
}

/// Which role assignments a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleAssignmentQuery {
    /// `atScope()`: assignments at the scope or above it, not below.
    pub at_scope: bool,
    /// `principalId eq '…'` or `assignedTo('…')`.
    pub principal: Option<ObjectId>,
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
    let part = require_subscription(world, scope.subscription_id())?;
    let read = Action::new(names::ROLE_ASSIGNMENT_READ);
    let whole = role_assignment_read_access(world, actor, scope)?;
    let applies = |a: &RoleAssignment| {
        a.scope.contains(scope) || (!query.at_scope && scope.contains(&a.scope))
    };
    let mut items: Vec<&RoleAssignment> = match query.principal {
        Some(p) => part.assignments_of(p).filter(|a| applies(a)).collect(),
        None => part.assignments.values().filter(|a| applies(a)).collect(),
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
    require_subscription(world, scope.subscription_id())?;
    if can(world, actor, names::ROLE_ASSIGNMENT_READ, scope) {
        Ok(true)
    } else if touches(world, actor, scope) {
        Ok(false)
    } else {
        Err(authorization_failed(
            actor,
            names::ROLE_ASSIGNMENT_READ,
            scope.as_str(),
        ))
    }
}

/// One role assignment of the subscription by id.
pub fn get_role_assignment<'w>(
    world: &'w World,
    actor: &Actor,
    subscription: SubscriptionId,
    id: RoleAssignmentId,
) -> Result<&'w RoleAssignment, DomainError> {
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
}

/// The caller's own effective permissions at `scope` (ARM's `permissions` API): anyone signed in to the
/// subscription's tenant may ask what they themselves may do; the scope must exist.
pub fn permissions(
    world: &World,
    actor: &Actor,
    scope: &Scope,
) -> Result<Vec<Permission>, DomainError> {
    let part = require_subscription(world, scope.subscription_id())?;
    let same_tenant = actor.is_operator() || actor.tenant() == Some(part.subscription.tenant);
    if !same_tenant {
        return Err(authorization_failed(
            actor,
            names::PERMISSIONS_READ,
            scope.as_str(),
        ));
    }
    crate::rules::access::require_scope_exists(world, scope)?;
    Ok(match actor {
        Actor::Operator => vec![Permission {
            actions: vec!["*".into()],
            ..Default::default()
        }],
        _ => actor
            .object_id()
            .map(|o| world.effective_permissions(o, scope))
            .unwrap_or_default(),
    })
}

/// The classic administrators of a subscription (authorized with `classicAdministrators/read`).
pub fn list_classic_administrators(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
) -> Result<Vec<ClassicAdministrator>, DomainError> {
    let part = require_subscription(world, subscription)?;
    authorize(
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
        candidates: admins::co_admin_candidates(world, actor, sub),
    })
}
