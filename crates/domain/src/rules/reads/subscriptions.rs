//! Subscriptions, their resource groups and resources, and a change of their directory: who sees which.

use super::{can, touches};
use crate::action::{Action, names};
use crate::rules::resources::resource_group_not_found;
use crate::rules::*;
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

/// The action that lets a caller read a subscription's change-of-directory request (Reader's `*/read`).
pub const CHANGE_REQUEST_READ: &str = "Microsoft.Subscription/changeTenantRequest/read";

/// Reading a subscription's change-of-directory request: whoever may read the subscription's access, and
/// whoever may accept the waiting request (they are in the destination, so hold nothing in it yet).
pub fn require_change_request_read(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
) -> Result<(), DomainError> {
    let part = require_subscription(world, subscription)?;
    let scope = Scope::subscription(subscription);
    if world.authorize(actor, &Action::new(CHANGE_REQUEST_READ), &scope) {
        return Ok(());
    }
    let may_accept = part
        .change_request
        .as_ref()
        .is_some_and(|r| match r.destination_owner {
            Some(owner) => {
                actor.tenant() == Some(r.destination) && actor.object_id() == Some(owner)
            }
            None => holds_directory_role(world, actor, r.destination, DIRECTORY_ADMINISTRATORS),
        });
    if may_accept {
        Ok(())
    } else {
        Err(authorization_failed(
            actor,
            CHANGE_REQUEST_READ,
            scope.as_str(),
        ))
    }
}
