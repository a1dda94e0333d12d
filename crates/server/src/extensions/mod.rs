//! tenantry's extensions, in ARM's style (`Microsoft.Subscription` provider, ARM errors, ARM tokens):
//! what Azure lacks or never shipped as an API.
//!
//! | path | what |
//! |---|---|
//! | `POST /subscriptions/{id}/providers/Microsoft.Subscription/changeTenantRequest/default/preview` | the exact impact and blockers of a change of directory |
//! | `PUT\|GET\|DELETE …/changeTenantRequest/default`, `POST …/default/accept` | change the directory (at once or by acceptance), show it, cancel it, accept it |
//! | `PUT\|GET /providers/Microsoft.Subscription/policies/default` | the token tenant's subscription policy |
//! | `PUT\|GET\|DELETE /subscriptions/{id}/providers/Microsoft.Subscription/directoryLinkRequests/{tenantId}` | "use existing directory": ask, show, withdraw |
//! | `GET /providers/Microsoft.Subscription/directoryLinkRequests[/{requestId}]`, `POST …/{requestId}/approve\|decline` | the target tenant's Global Administrator decides |
//! | `GET /providers/Microsoft.Subscription/auditEvents`, `GET /subscriptions/{id}/providers/Microsoft.Subscription/auditEvents` | audit log of a tenant, of a subscription |
//! | `GET /providers/Microsoft.Subscription/auditCheckpoint` | the audit chain's tip, signed (`audit::checkpoint`) |
//! | `POST /subscriptions/{id}/providers/Microsoft.Subscription/identityEndpointSecrets[/revoke]` | a managed-identity endpoint secret for a resource (whoever may write it), or revoke them |
//! | `GET /openapi.json` | the OpenAPI 3.1 document of everything tenantry serves |
//!
//! Handlers translate; the rules are the domain's (`rules::change_directory`, `rules::guests`,
//! `rules::directory::set_policy`, `rules::identity_endpoint`, `rules::reads`).

pub mod audit;
pub mod change_tenant;
pub mod identity_endpoint;
pub mod link_requests;
pub mod openapi;
pub mod policies;

use crate::app::AppState;
use crate::errors::{ArmError, format_timestamp};
use axum::Router;
use axum::extract::rejection::JsonRejection;
use serde_json::Value;
use tenantry_domain::rules;
use tenantry_domain::{ObjectId, TenantId, Timestamp, World};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(change_tenant::routes())
        .merge(policies::routes())
        .merge(link_requests::routes())
        .merge(audit::routes())
        .merge(identity_endpoint::routes())
        .merge(openapi::routes())
}

/// The words of our extension paths, in the case the routes are written in.
const PATH_WORDS: [&str; 19] = [
    "subscriptions",
    "providers",
    "Microsoft.Subscription",
    "aliases",
    "rename",
    "cancel",
    "enable",
    "changeTenantRequest",
    "default",
    "preview",
    "accept",
    "policies",
    "directoryLinkRequests",
    "approve",
    "decline",
    "auditEvents",
    "auditCheckpoint",
    "identityEndpointSecrets",
    "revoke",
];

/// ARM matches provider namespaces, resource types and the fixed words of a path whatever their case
/// (`…/providers/microsoft.subscription/changetenantrequest/default` is the same request as
/// `…/providers/Microsoft.Subscription/changeTenantRequest/default`); the router does not. So a path
/// under `providers/Microsoft.Subscription` in any case is given the routes' case before routing.
/// Other paths are left alone (`None`).
pub fn canonical_path(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').collect();
    let ours = segments.windows(2).any(|w| {
        w[0].eq_ignore_ascii_case("providers")
            && w[1].eq_ignore_ascii_case("Microsoft.Subscription")
    });
    if !ours {
        return None;
    }
    let canonical: Vec<&str> = segments
        .iter()
        .map(|s| {
            PATH_WORDS
                .iter()
                .find(|w| w.eq_ignore_ascii_case(s))
                .copied()
                .unwrap_or(s)
        })
        .collect();
    let canonical = canonical.join("/");
    (canonical != path).then_some(canonical)
}

/// A tenant named by GUID or by one of its domains.
pub fn find_tenant(world: &World, key: &str) -> Result<TenantId, ArmError> {
    Ok(rules::require_tenant_by_key(world, key)?.tenant.id)
}

/// A principal of `tenant` named by object id, UPN or email.
pub fn find_principal(world: &World, tenant: TenantId, key: &str) -> Result<ObjectId, ArmError> {
    world
        .find_principal(tenant, key)
        .map(|p| p.id())
        .ok_or_else(|| {
            ArmError::bad_request(
                "PrincipalNotFound",
                format!("The principal '{key}' does not exist in the directory '{tenant}'."),
            )
        })
}

/// ARM's answer to a body that is not the JSON it expects.
pub fn bad_json(e: JsonRejection) -> ArmError {
    if let Some(too_large) = crate::edge::too_large(&e) {
        return too_large.arm();
    }
    ArmError::invalid_json(e.body_text())
}

/// RFC 3339, or `null` when there is no time to show.
pub fn time_or_null(t: Option<Timestamp>) -> Value {
    t.map(|t| Value::String(format_timestamp(t)))
        .unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::canonical_path;

    #[test]
    fn extension_paths_match_whatever_their_case() {
        assert_eq!(
            canonical_path(
                "/SUBSCRIPTIONS/5b5c0000-0000-4000-8000-000000000001/providers/microsoft.subscription/changetenantrequest/default/PREVIEW"
            )
            .as_deref(),
            Some(
                "/subscriptions/5b5c0000-0000-4000-8000-000000000001/providers/Microsoft.Subscription/changeTenantRequest/default/preview"
            )
        );
        assert_eq!(
            canonical_path("/providers/MICROSOFT.SUBSCRIPTION/Policies/Default").as_deref(),
            Some("/providers/Microsoft.Subscription/policies/default")
        );
        // Already canonical, or not ours: untouched.
        assert_eq!(
            canonical_path("/providers/Microsoft.Subscription/policies/default"),
            None
        );
        assert_eq!(
            canonical_path("/subscriptions/x/resourcegroups/Default"),
            None
        );
    }
}
