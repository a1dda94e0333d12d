//! A subscription's resources with their managed identities, as the portal shows them: each resource
//! with its system-assigned principal and the user-assigned identities assigned to it, and the
//! user-assigned identities themselves (`Microsoft.ManagedIdentity/userAssignedIdentities`) with their
//! principal and client ids. What the caller sees is what it may read of the resources
//! ([`list_resources`]), so a Reader of one resource group sees that group's only.

use super::subscriptions::{get_subscription, list_resources};
use crate::rules::identities::{ResourceView, is_user_assigned_identity, resource_view};
use crate::rules::*;

#[derive(Debug, Clone)]
pub struct SubscriptionIdentities<'w> {
    pub subscription: &'w Subscription,
    /// The resources that are not user-assigned identities, by resource id, with their identities.
    pub resources: Vec<ResourceView<'w>>,
    /// The user-assigned identities, by resource id, each with its own principal.
    pub identities: Vec<ResourceView<'w>>,
}

/// The resources of the subscription (or of one of its resource groups) that the caller may read, with
/// their identities.
pub fn subscription_identities<'w>(
    world: &'w World,
    actor: &Actor,
    subscription: SubscriptionId,
    group: Option<&str>,
) -> Result<SubscriptionIdentities<'w>, DomainError> {
    let part = get_subscription(world, actor, subscription)?;
    let mut all = list_resources(world, actor, subscription, group)?;
    all.sort_by(|a, b| a.scope.key().cmp(b.scope.key()));
    let (identities, resources): (Vec<&Resource>, Vec<&Resource>) = all
        .into_iter()
        .partition(|r| is_user_assigned_identity(&r.scope));
    let view = |rs: Vec<&'w Resource>| -> Vec<ResourceView<'w>> {
        rs.into_iter().map(|r| resource_view(world, r)).collect()
    };
    Ok(SubscriptionIdentities {
        subscription: &part.subscription,
        resources: view(resources),
        identities: view(identities),
    })
}
