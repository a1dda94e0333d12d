//! Resource providers: tenantry serves Microsoft.Resources, Microsoft.Authorization and
//! Microsoft.Subscription. Generic resources of every other namespace are kept as given, without a
//! provider behind them, as an emulator needs; so every provider is registered, and registering one
//! (`az provider register`, Terraform at start) succeeds for whoever may (`rules::resources`).

use super::{ArmResult, Req, wire};
use crate::app::AppState;
use crate::auth::ArmCaller;
use crate::errors::ArmError;
use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};
use tenantry_domain::SubscriptionId;
use tenantry_domain::rules::{reads, resources};

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
    ("Microsoft.Management", &["managementGroups"]),
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
    Ok(wire::ok(&one(sub, ns)?))
}

/// A provider by namespace: its resource types when tenantry serves it, none otherwise.
fn one(sub: Option<SubscriptionId>, ns: &str) -> Result<Value, ArmError> {
    if let Some((n, types)) = PROVIDERS.iter().find(|(n, _)| n.eq_ignore_ascii_case(ns)) {
        return Ok(provider(sub, n, types));
    }
    resources::validate_provider_namespace(ns)?;
    Ok(provider(sub, ns, &[]))
}

/// `POST …/providers/{namespace}/register`, and `unregister` (refused: see `rules::resources`).
pub fn registration(req: &Req, sub: SubscriptionId, namespace: &str, register: bool) -> ArmResult {
    req.st.svc.read(|w| match register {
        true => resources::register_provider(w, req.actor(), sub, namespace),
        false => resources::unregister_provider(w, req.actor(), sub, namespace),
    })?;
    Ok(wire::ok(&one(Some(sub), namespace)?))
}
