//! The commands of a subscription's lifecycle the faces call (ARM's `Microsoft.Subscription` aliases,
//! rename, cancel and enable): each runs a rule of `domain::rules::subscriptions` through
//! [`Service::execute`].

use crate::{Service, ServiceError};
use tenantry_domain::rules::subscriptions::{self as lifecycle, AliasOutcome, NewAlias};
use tenantry_domain::*;

impl Service {
    /// Creates a subscription through an alias (or an alias for an existing one); a replayed request
    /// answers the alias as it is.
    pub async fn create_alias(
        &self,
        actor: &Actor,
        req: NewAlias,
    ) -> Result<AliasOutcome, ServiceError> {
        self.run(|w, now| lifecycle::create_alias(w, actor, req, now))
            .await
    }

    /// Deletes an alias (its subscription stays). Returns whether there was one.
    pub async fn delete_alias(&self, actor: &Actor, name: &str) -> Result<bool, ServiceError> {
        self.run(|w, now| {
            lifecycle::delete_alias(w, actor, name, now).map(|found| match found {
                Some((change, ())) => (change, true),
                None => (Change::new(), false),
            })
        })
        .await
    }

    pub async fn rename_subscription(
        &self,
        actor: &Actor,
        subscription: SubscriptionId,
        display_name: &str,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            lifecycle::rename_subscription(w, actor, subscription, display_name, now)
                .map(|c| (c, ()))
        })
        .await
    }

    pub async fn cancel_subscription(
        &self,
        actor: &Actor,
        subscription: SubscriptionId,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            lifecycle::cancel_subscription(w, actor, subscription, now).map(|c| (c, ()))
        })
        .await
    }

    pub async fn enable_subscription(
        &self,
        actor: &Actor,
        subscription: SubscriptionId,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            lifecycle::enable_subscription(w, actor, subscription, now).map(|c| (c, ()))
        })
        .await
    }
}
