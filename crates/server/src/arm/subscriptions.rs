//! `GET /subscriptions`, `GET /subscriptions/{id}` and its locations.

use super::{ArmResult, Req, wire};
use crate::app::AppState;
use crate::auth::ArmCaller;
use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};
use tenantry_domain::SubscriptionId;
use tenantry_domain::rules::reads;

/// The subscriptions of the token's tenant where the caller holds any access.
pub async fn list(State(st): State<AppState>, ArmCaller(caller): ArmCaller) -> Response {
    let items: Vec<Value> = st.svc.read(|w| {
        reads::visible_subscriptions(w, &caller.actor)
            .into_iter()
            .map(|p| wire::subscription(&p.subscription))
            .collect()
    });
    wire::list(items, None)
}

pub fn get(req: &Req, sub: SubscriptionId) -> ArmResult {
    let body = req.st.svc.read(|w| {
        reads::get_subscription(w, req.actor(), sub).map(|p| wire::subscription(&p.subscription))
    })?;
    Ok(wire::ok(&body))
}

/// Regions a resource group may be created in. tenantry keeps no capacity, so any location name is
/// accepted on writes; this list is what `az account list-locations` shows.
pub(super) const LOCATIONS: &[(&str, &str, &str)] = &[
    ("westeurope", "West Europe", "Europe"),
    ("northeurope", "North Europe", "Europe"),
    ("eastus", "East US", "US"),
    ("westus", "West US", "US"),
    ("uksouth", "UK South", "UK"),
];

pub fn locations(req: &Req, sub: SubscriptionId) -> ArmResult {
    req.st
        .svc
        .read(|w| reads::get_subscription(w, req.actor(), sub).map(|_| ()))?;
    let items = LOCATIONS
        .iter()
        .map(|(name, display, geo)| {
            json!({
                "id": format!("/subscriptions/{sub}/locations/{name}"),
                "name": name,
                "type": "Region",
                "displayName": display,
                "regionalDisplayName": format!("({geo}) {display}"),
                "metadata": {"regionType": "Physical", "regionCategory": "Recommended", "geographyGroup": geo},
            })
        })
        .collect();
    Ok(wire::list(items, None))
}
