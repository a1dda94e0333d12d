//! What each face shows, and to whom. Writes are refused by the rules that make them; reads are decided
//! here, so that every face (ARM, Graph, portal, CLI) shows the same things to the same caller. By what is
//! read: [`subscriptions`] (subscriptions, resource groups, resources, a change of directory),
//! [`identities`] (resources with their managed identities), [`applications`] (app registrations and
//! their credentials), [`access`] (role definitions and assignments, permissions, classic administrators), [`directory`]
//! (a directory's objects), [`groups`] (groups, their members and owners, memberships), [`hierarchy`] (management groups and the
//! subscriptions under them), [`hierarchy_access`] (access control at management groups), [`people`] (a person across
//! directories: where they are present, what they see, what waits for them) and [`audit`] (the audit log).
//!
//! - a subscription is visible to a caller signed in to its trusted tenant who holds any access in it
//!   (a role assignment anywhere in it, or a classic administrator role), as in `GET /subscriptions`;
//! - a list shows what the caller may read: a Reader on one resource group sees that group only;
//! - a read of one thing is authorized with Azure's action name first (`AuthorizationFailed`), and only
//!   then told apart from a missing one (`ResourceGroupNotFound`, …), so refusals leak no existence;
//! - a caller only ever reads the directory of its token: the faces pass that tenant, never one named in
//!   a request, so one tenant's users can never read another's.

pub mod access;
pub mod applications;
pub mod audit;
pub mod directory;
pub mod groups;
pub mod hierarchy;
pub mod hierarchy_access;
pub mod identities;
pub mod people;
pub mod subscriptions;

pub use access::*;
pub use applications::*;
pub use audit::*;
pub use directory::*;
pub use groups::*;
pub use hierarchy::{GroupNode, Hierarchy, PlacedSubscription, hierarchy};
pub use hierarchy_access::*;
pub use identities::*;
pub use people::*;
pub use subscriptions::*;

use super::*;
use crate::action::Action;

/// Whether the caller holds access at `scope`, above it or below it.
pub(crate) fn touches(world: &World, actor: &Actor, scope: &Scope) -> bool {
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

/// Refuses with `AuthorizationFailed` unless the caller may perform `action` at `scope`, or holds access
/// below it (a Reader on one group may list what applies to that group from the subscription). A missing
/// subscription is refused the same way (only the operator may read there, and is told it is missing).
fn require_read(
    world: &World,
    actor: &Actor,
    action: &str,
    scope: &Scope,
) -> Result<(), DomainError> {
    if can(world, actor, action, scope) || touches(world, actor, scope) {
        require_subscription(world, scope.subscription_id()).map(|_| ())
    } else {
        Err(authorization_failed(actor, action, scope.as_str()))
    }
}
