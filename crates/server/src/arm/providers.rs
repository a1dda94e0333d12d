//! Resource providers: tenantry serves Microsoft.Resources, Microsoft.Authorization and
//! Microsoft.Subscription, always registered. Generic resources of other namespaces are kept as given
//! without a provider behind them, as an emulator needs.

use super::{ArmResult, Req, wire};
use crate::app::AppState;
use crate::auth::ArmCaller;
use crate::errors::ArmError;
use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};
use tenantry_domain::SubscriptionId;
use tenantry_domain::rules::reads;

const PROVIDERS: &[(&str, &[&str])] = &[
    (
        "Microsoft.Resources",
        &[
            "subscriptions",
            "resourceGroups",
            "resources",
            "tenants",
            "operationresults",
        ],
    ),
    (
        "Microsoft.Authorization",
        &[
            "roleAssignments",
            "roleDefinitions",
            "classicAdministrators",
            "permissions",
        ],
    ),
    (
        "Microsoft.Subscription",
        &["changeTenantRequest", "policies"],
    ),
];

fn provider(sub: Option<SubscriptionId>, namespace: &str, types: &[&str]) -> Value {
    let id = match sub {
        Some(s) => format!("/subscriptions/{s}/providers/{namespace}"),
        None => format!("/providers/{namespace}"),
    };
    json!({
        "id": id,
        "namespace": namespace,
        "registrationState": "Registered",
        "registrationPolicy": "RegistrationFree",
        "resourceTypes": types.iter().map(|t| json!({
            "resourceType": t,
            "locations": [],
            "apiVersions": ["2022-12-01", "2022-04-01"],
        })).collect::<Vec<_>>(),
    })
}

/// `GET /providers`.
pub async fn list_root(State(_st): State<AppState>, ArmCaller(_caller): ArmCaller) -> Response {
    wire::list(all(None), None)
}

fn all(sub: Option<SubscriptionId>) -> Vec<Value> {
    PROVIDERS
        .iter()
        .map(|(ns, types)| provider(sub, ns, types))
        .collect()
}

/// `…/providers` (all) or `…/providers/{namespace}` (one), at a subscription or at the root.
pub fn list(req: &Req, sub: Option<SubscriptionId>, namespace: Option<&str>) -> ArmResult {
    if let Some(s) = sub {
        req.st
            .svc
            .read(|w| reads::get_subscription(w, req.actor(), s).map(|_| ()))?;
    }
    let Some(ns) = namespace else {
        return Ok(wire::list(all(sub), None));
    };
    PROVIDERS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(ns))
        .map(|(n, types)| wire::ok(&provider(sub, n, types)))
        .ok_or_else(|| {
            ArmError::not_found(
                "NoRegisteredProviderFound",
                format!("The resource provider '{ns}' is not served by tenantry."),
            )
        })
}
