//! Endpoint secrets: what lets a process act as a resource's managed identities at the token endpoints
//! (App Service's `IDENTITY_ENDPOINT` + `IDENTITY_HEADER`, or IMDS through
//! `AZURE_POD_IDENTITY_AUTHORITY_HOST`). One is issued for a resource that has identities, by whoever may
//! write that resource; it is kept, hashed, in the resource's identity block, so it goes when the
//! resource or its identities go. Issuing and revoking are audited.

use super::*;
use crate::action::names::resource_action;
use crate::audit::AuditEvent;
use crate::mutation::{Change, Mutation};
use serde_json::json;

/// The audit operations (tenantry's own: Azure's platform issues these secrets silently).
pub const ISSUE_ENDPOINT_SECRET: &str = "tenantry/managedIdentityEndpointSecrets/issue";
pub const REVOKE_ENDPOINT_SECRETS: &str = "tenantry/managedIdentityEndpointSecrets/revoke";

fn resource_not_found(scope: &Scope) -> DomainError {
    DomainError::not_found(
        "ResourceNotFound",
        format!("The resource '{scope}' was not found."),
    )
    .with_arg("scope", scope.to_string())
    .with_variant("require-scope-exists")
    .with_remedy("Name an existing resource by its full resource id.")
}

fn no_identity(scope: &Scope) -> DomainError {
    DomainError::invalid(
        "ResourceHasNoIdentity",
        format!("The resource '{scope}' has no managed identity to act as."),
    )
    .with_arg("scope", scope.to_string())
    .with_remedy(
        "Give it one first: PUT it with identity {type: SystemAssigned} or assign a user-assigned identity.",
    )
}

/// The resource a request names by id, in the subscription its path names.
pub fn resource_in_subscription(
    subscription: SubscriptionId,
    resource_id: &str,
) -> Result<Scope, DomainError> {
    let bad = || {
        DomainError::invalid(
            "InvalidResourceId",
            format!(
                "'{resource_id}' is not the id of a resource in subscription '{subscription}'."
            ),
        )
        .with_arg("resource_id", resource_id.to_string())
        .with_arg("subscription", subscription.to_string())
        .with_variant("resource-in-subscription")
        .with_remedy(
            "Name the resource by its full id: /subscriptions/{id}/resourceGroups/{group}/providers/{namespace}/{type}/{name}.",
        )
    };
    let scope = Scope::parse(resource_id).map_err(|_| bad())?;
    if scope.subscription_id() != subscription || scope.resource_type().is_none() {
        return Err(bad());
    }
    Ok(scope)
}

/// The resource, once the caller may write it (the operator may).
fn writable<'w>(
    world: &'w World,
    actor: &Actor,
    scope: &Scope,
) -> Result<&'w Resource, DomainError> {
    let rtype = scope
        .resource_type()
        .map(|(t, _)| t.to_string())
        .ok_or_else(|| resource_not_found(scope))?;
    let s = authorized_subscription(world, actor, &resource_action(&rtype, "write"), scope)?;
    s.resources
        .get(scope.key())
        .ok_or_else(|| resource_not_found(scope))
}

/// Adds `secret` to the resource's endpoint secrets.
pub fn issue_endpoint_secret(
    world: &World,
    actor: &Actor,
    scope: &Scope,
    secret: IdentityEndpointSecret,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let existing = writable(world, actor, scope)?;
    let mut resource = existing.clone();
    let identity = resource
        .identity
        .as_mut()
        .filter(|i| !i.is_none())
        .ok_or_else(|| no_identity(scope))?;
    let id = secret.id;
    identity.endpoint_secrets.push(secret);
    let mut change = Change::new();
    change.push(Mutation::PutResource(resource));
    change.audit(
        AuditEvent::new(
            actor,
            now,
            ISSUE_ENDPOINT_SECRET,
            existing.scope.to_string(),
        )
        .subscription(scope.subscription_id())
        .details(json!({ "secretId": id })),
    );
    Ok(change)
}

/// Removes every endpoint secret of the resource; returns how many there were.
pub fn revoke_endpoint_secrets(
    world: &World,
    actor: &Actor,
    scope: &Scope,
    now: Timestamp,
) -> Result<(Change, usize), DomainError> {
    let existing = writable(world, actor, scope)?;
    let mut resource = existing.clone();
    let mut change = Change::new();
    let Some(identity) = resource.identity.as_mut() else {
        return Ok((change, 0));
    };
    let revoked: Vec<_> = identity.endpoint_secrets.drain(..).map(|s| s.id).collect();
    if revoked.is_empty() {
        return Ok((change, 0));
    }
    change.push(Mutation::PutResource(resource));
    change.audit(
        AuditEvent::new(
            actor,
            now,
            REVOKE_ENDPOINT_SECRETS,
            existing.scope.to_string(),
        )
        .subscription(scope.subscription_id())
        .details(json!({ "secretIds": revoked })),
    );
    Ok((change, revoked.len()))
}
