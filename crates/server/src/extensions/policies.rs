//! `Microsoft.Subscription/policies/default` at tenant scope (api-version 2021-10-01), and the list form
//! `Microsoft.Subscription/policies` holding it: whether subscriptions may leave or enter the token's
//! tenant (entering includes new ones, created through aliases), and who is exempted. Azure's request body is flat
//! (`PutTenantPolicyRequestProperties`); a body wrapped in `properties` is accepted too. Fields left out
//! keep their current values. Reading: anyone present in the tenant; writing: Global Administrators.

use super::{bad_json, find_principal};
use crate::app::AppState;
use crate::auth::ArmCaller;
use crate::errors::ArmError;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tenantry_domain::rules::reads;
use tenantry_domain::{SubscriptionPolicy, TenantId, World};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/providers/Microsoft.Subscription/policies/default",
            get(show).put(update),
        )
        .route("/providers/Microsoft.Subscription/policies", get(list))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PolicyFields {
    block_subscriptions_leaving_tenant: Option<bool>,
    block_subscriptions_into_tenant: Option<bool>,
    /// Object ids (or UPNs / emails) of principals of the tenant.
    exempted_principals: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct PolicyBody {
    properties: Option<PolicyFields>,
    #[serde(flatten)]
    flat: PolicyFields,
}

fn policy_json(world: &World, tenant: TenantId) -> Value {
    let p = world
        .tenant(tenant)
        .map(|t| t.tenant.policy.clone())
        .unwrap_or_default();
    json!({
        "id": "/providers/Microsoft.Subscription/policies/default",
        "name": "default",
        "type": "Microsoft.Subscription/policies",
        "properties": {
            "policyId": tenant,
            "blockSubscriptionsLeavingTenant": p.block_subscriptions_leaving,
            "blockSubscriptionsIntoTenant": p.block_subscriptions_entering,
            "exemptedPrincipals": p.exempted,
        }
    })
}

fn token_tenant(caller: &crate::auth::Caller) -> TenantId {
    TenantId(caller.tenant)
}

/// The token tenant's policy, for anyone present in the tenant.
fn readable_policy(state: &AppState, caller: &crate::auth::Caller) -> Result<Value, ArmError> {
    let tenant = token_tenant(caller);
    state.svc.read(|w| {
        reads::require_directory_read(w, &caller.actor, tenant)?;
        Ok(policy_json(w, tenant))
    })
}

async fn show(
    State(state): State<AppState>,
    ArmCaller(caller): ArmCaller,
) -> Result<Json<Value>, ArmError> {
    readable_policy(&state, &caller).map(Json)
}

/// `GET /providers/Microsoft.Subscription/policies`: the list form, whose one item is `default`.
async fn list(
    State(state): State<AppState>,
    ArmCaller(caller): ArmCaller,
) -> Result<Json<Value>, ArmError> {
    let policy = readable_policy(&state, &caller)?;
    Ok(Json(json!({ "value": [policy] })))
}

/// The new policy: the current one with the fields the body gives.
fn merged(
    world: &World,
    tenant: TenantId,
    f: PolicyFields,
) -> Result<SubscriptionPolicy, ArmError> {
    let mut p = world
        .tenant(tenant)
        .map(|t| t.tenant.policy.clone())
        .unwrap_or_default();
    if let Some(b) = f.block_subscriptions_leaving_tenant {
        p.block_subscriptions_leaving = b;
    }
    if let Some(b) = f.block_subscriptions_into_tenant {
        p.block_subscriptions_entering = b;
    }
    if let Some(list) = f.exempted_principals {
        p.exempted = list
            .iter()
            .map(|k| find_principal(world, tenant, k))
            .collect::<Result<_, _>>()?;
    }
    Ok(p)
}

async fn update(
    State(state): State<AppState>,
    ArmCaller(caller): ArmCaller,
    body: Result<Json<PolicyBody>, JsonRejection>,
) -> Result<Json<Value>, ArmError> {
    let tenant = token_tenant(&caller);
    let Json(body) = body.map_err(bad_json)?;
    let fields = body.properties.unwrap_or(body.flat);
    let policy = state.svc.read(|w| merged(w, tenant, fields))?;
    state.svc.set_policy(&caller.actor, tenant, policy).await?;
    Ok(Json(state.svc.read(|w| policy_json(w, tenant))))
}
