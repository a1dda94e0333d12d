//! Subscriptions, their resource groups and resources, and a change of their directory: who sees which.

use super::{
    HeldAccess, can, directories_of, directory_name, held_access, list_role_assignments, touches,
};
use crate::action::{Action, names};
use crate::rules::admins::ClassicRoles;
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

/// Whether a refusal may tell the caller about the subscription (its name, its directory, its
/// administrators' addresses when they may read those, [`may_read_administrators`]): the operator, whoever
/// sees it ([`subscription_visible`]), the people it names as classic administrators wherever they signed
/// in (it is theirs), and whoever may accept its waiting change of directory. Everyone else is refused
/// with `AuthorizationFailed` alone, the answer for a subscription that does not exist.
pub fn knows_subscription(world: &World, actor: &Actor, part: &SubscriptionPart) -> bool {
    actor.is_operator()
        || subscription_visible(world, actor, part)
        || actor
            .identity()
            .is_some_and(|i| !ClassicRoles::of(&part.subscription, i).is_empty())
        || part.change_request.as_ref().is_some_and(|r| {
            r.status == RequestStatus::Pending
                && crate::rules::change_directory::may_accept(world, actor, r)
        })
}

/// The subscription a request names, for a caller who may learn of it ([`knows_subscription`]); for
/// anyone else `AuthorizationFailed` for `action` at the subscription, whether it exists or not. Only the
/// operator is told that a subscription does not exist.
pub fn known_subscription<'w>(
    world: &'w World,
    actor: &Actor,
    id: SubscriptionId,
    action: &str,
) -> Result<&'w SubscriptionPart, DomainError> {
    match world.subscription(id) {
        Some(part) if knows_subscription(world, actor, part) => Ok(part),
        None if actor.is_operator() => Err(subscription_not_found(id)),
        _ => Err(authorization_failed(
            actor,
            action,
            Scope::subscription(id).as_str(),
        )),
    }
}

/// Whether the caller may read who administers the subscription (their addresses, in a list or a
/// refusal's remedy): whoever may read its classic administrators, and those administrators themselves.
pub fn may_read_administrators(world: &World, actor: &Actor, sub: &Subscription) -> bool {
    can(
        world,
        actor,
        names::CLASSIC_ADMIN_READ,
        &Scope::subscription(sub.id),
    ) || actor
        .identity()
        .is_some_and(|i| !ClassicRoles::of(sub, i).is_empty())
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
    let sub_scope = Scope::subscription(subscription);
    let whole = can(world, actor, names::RESOURCE_GROUP_READ, &sub_scope);
    if !whole && !touches(world, actor, &sub_scope) {
        return Err(authorization_failed(
            actor,
            names::RESOURCE_GROUP_READ,
            sub_scope.as_str(),
        ));
    }
    let part = require_subscription(world, subscription)?;
    if whole {
        return Ok(part.resource_groups.values().collect());
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
    validate_resource_group_name(name)?;
    let scope = Scope::resource_group(subscription, name);
    let part = authorized_subscription(world, actor, names::RESOURCE_GROUP_READ, &scope)?;
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
    let part = require_subscription(world, subscription)?;
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
    let (ty, name) = scope.resource_type().ok_or_else(|| not_a_resource(scope))?;
    let part = authorized_subscription(world, actor, &names::resource_action(&ty, "read"), scope)?;
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
    .with_arg("scope", scope.to_string())
    .with_variant("put-resource")
}

pub fn resource_not_found(ty: &str, name: &str, group: &str) -> DomainError {
    DomainError::not_found(
        "ResourceNotFound",
        format!("The Resource '{ty}/{name}' under resource group '{group}' was not found."),
    )
    .with_arg("type", ty.to_string())
    .with_arg("name", name.to_string())
    .with_arg("group", group.to_string())
    .with_variant("resource-not-found")
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
    let scope = Scope::subscription(subscription);
    if world.authorize(actor, &Action::new(CHANGE_REQUEST_READ), &scope) {
        return require_subscription(world, subscription).map(|_| ());
    }
    let may_accept = world
        .subscription(subscription)
        .and_then(|p| p.change_request.as_ref())
        .is_some_and(|r| crate::rules::change_directory::may_accept(world, actor, r));
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

/// The directory a subscription trusts.
pub fn trusted_directory(world: &World, subscription: SubscriptionId) -> Option<TenantId> {
    world
        .subscription(subscription)
        .map(|p| p.subscription.tenant)
}

/// A subscription's display name.
pub fn subscription_name(world: &World, subscription: SubscriptionId) -> Option<String> {
    world
        .subscription(subscription)
        .map(|p| p.subscription.display_name.clone())
}

/// A subscription the caller sees ([`get_subscription`]), with the directory it trusts.
fn seen_with_directory<'w>(
    world: &'w World,
    actor: &Actor,
    id: SubscriptionId,
) -> Result<(&'w SubscriptionPart, &'w Tenant), DomainError> {
    let part = get_subscription(world, actor, id)?;
    Ok((
        part,
        &require_tenant(world, part.subscription.tenant)?.tenant,
    ))
}

/// A change of directory that waits for acceptance, as a subscription's pages mention it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingChange {
    pub destination: String,
    /// Who must accept it, when one principal was named (else any Global Administrator there).
    pub acceptor: Option<String>,
    pub expires: Timestamp,
}

/// The subscription's change of directory that waits (pending, not expired), if any.
pub fn pending_change(
    world: &World,
    part: &SubscriptionPart,
    now: Timestamp,
) -> Option<PendingChange> {
    let r = part.change_request.as_ref()?;
    (r.status == RequestStatus::Pending && r.expires > now).then(|| PendingChange {
        destination: directory_name(world, r.destination),
        acceptor: r
            .destination_owner
            .and_then(|o| world.principal(r.destination, o).map(|p| p.name())),
        expires: r.expires,
    })
}

/// A subscription's overview, for a caller who sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct SubscriptionSummary<'w> {
    pub subscription: &'w Subscription,
    pub directory: &'w Tenant,
    pub service_admin: String,
    pub account_admin: String,
    /// The resource groups the caller may see.
    pub groups: Vec<&'w ResourceGroup>,
    /// The role assignments at the subscription the caller may read.
    pub assignments: usize,
    /// What the caller holds there.
    pub held: HeldAccess<'w>,
    pub pending_change: Option<PendingChange>,
}

pub fn subscription_summary<'w>(
    world: &'w World,
    actor: &Actor,
    id: SubscriptionId,
    now: Timestamp,
) -> Result<SubscriptionSummary<'w>, DomainError> {
    let (part, directory) = seen_with_directory(world, actor, id)?;
    let s = &part.subscription;
    Ok(SubscriptionSummary {
        subscription: s,
        directory,
        service_admin: world.identity_email(s.service_admin).unwrap_or_default(),
        account_admin: world.identity_email(s.account_admin).unwrap_or_default(),
        groups: list_resource_groups(world, actor, id).unwrap_or_default(),
        assignments: list_role_assignments(
            world,
            actor,
            &Scope::subscription(id),
            &Default::default(),
        )
        .map(|l| l.items.len())
        .unwrap_or(0),
        held: held_access(world, part, actor.identity(), actor.object_id()),
        pending_change: pending_change(world, part, now),
    })
}

/// Where a subscription's directory could change to, as the caller sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryChoices<'w> {
    pub subscription: &'w Subscription,
    pub current: &'w Tenant,
    /// The other directories the caller is present in.
    pub destinations: Vec<&'w Tenant>,
    pub pending_change: Option<PendingChange>,
}

pub fn directory_choices<'w>(
    world: &'w World,
    actor: &Actor,
    id: SubscriptionId,
    now: Timestamp,
) -> Result<DirectoryChoices<'w>, DomainError> {
    let (part, current) = seen_with_directory(world, actor, id)?;
    let s = &part.subscription;
    Ok(DirectoryChoices {
        subscription: s,
        current,
        destinations: actor
            .identity()
            .map(|i| directories_of(world, i))
            .unwrap_or_default()
            .into_iter()
            .map(|d| d.tenant)
            .filter(|t| t.id != s.tenant)
            .collect(),
        pending_change: pending_change(world, part, now),
    })
}

/// What the caller may do with a subscription's lifecycle and tags, decided by the rules that will
/// judge the request, so that a page offers only the forms that can succeed: a Disabled subscription
/// is read-only (no rename, no tags; only enabling it again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubscriptionActions {
    pub state: SubscriptionState,
    /// Every write under it is refused until it is enabled.
    pub read_only: bool,
    pub may_rename: bool,
    pub may_cancel: bool,
    pub may_enable: bool,
    /// The caller may add, change and remove the subscription's own tags.
    pub may_tag: bool,
}

pub fn subscription_actions(
    world: &World,
    actor: &Actor,
    part: &SubscriptionPart,
) -> SubscriptionActions {
    let s = &part.subscription;
    let runs = crate::rules::subscriptions::may_run_lifecycle(world, actor, part);
    let read_only = crate::rules::subscriptions::require_writable(actor, s).is_err();
    let disabled = s.state == SubscriptionState::Disabled;
    SubscriptionActions {
        state: s.state,
        read_only,
        may_rename: runs && !read_only,
        may_cancel: runs && !disabled,
        may_enable: runs && disabled,
        may_tag: crate::rules::tags::may_write_tags(world, actor, &Scope::subscription(s.id)),
    }
}
