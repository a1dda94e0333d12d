//! `Microsoft.Subscription/identityEndpointSecrets`: what `tenantry identity env` and `revoke` do, for
//! whoever may write the resource (`{type}/write` at its scope), over ARM. Azure's platform hands these
//! secrets to its compute silently; tenantry's processes run anywhere, so someone hands them over.
//!
//! - `POST /subscriptions/{id}/providers/Microsoft.Subscription/identityEndpointSecrets` with
//!   `{"resourceId": …}`: a new secret (shown once) and the environment variables of both forms;
//! - `POST …/identityEndpointSecrets/revoke` with `{"resourceId": …}`: every secret of the resource goes.

use super::bad_json;
use crate::app::AppState;
use crate::auth::ArmCaller;
use crate::errors::ArmError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tenantry_domain::rules::identity_endpoint::resource_in_subscription;
use tenantry_domain::{Scope, SubscriptionId};
use tenantry_service::signin::managed_identity::endpoint_environment;

const SECRETS: &str =
    "/subscriptions/{subscription}/providers/Microsoft.Subscription/identityEndpointSecrets";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(SECRETS, post(issue))
        .route(&format!("{SECRETS}/revoke"), post(revoke))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SecretBody {
    resource_id: String,
}

/// The resource the body names, in the path's subscription.
fn named_resource(
    subscription: SubscriptionId,
    body: Result<Json<SecretBody>, JsonRejection>,
) -> Result<Scope, ArmError> {
    let Json(body) = body.map_err(bad_json)?;
    Ok(resource_in_subscription(subscription, &body.resource_id)?)
}

async fn issue(
    State(state): State<AppState>,
    ArmCaller(caller): ArmCaller,
    Path(subscription): Path<SubscriptionId>,
    body: Result<Json<SecretBody>, JsonRejection>,
) -> Result<Json<Value>, ArmError> {
    let scope = named_resource(subscription, body)?;
    let secret = state
        .svc
        .issue_identity_endpoint_secret(&caller.actor, &scope)
        .await?;
    let environment: Map<String, Value> = endpoint_environment(&state.base_url, &secret)
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::String(v)))
        .collect();
    Ok(Json(json!({
        "resourceId": scope.as_str(),
        "secret": secret,
        "environment": environment,
    })))
}

async fn revoke(
    State(state): State<AppState>,
    ArmCaller(caller): ArmCaller,
    Path(subscription): Path<SubscriptionId>,
    body: Result<Json<SecretBody>, JsonRejection>,
) -> Result<Json<Value>, ArmError> {
    let scope = named_resource(subscription, body)?;
    let revoked = state
        .svc
        .revoke_identity_endpoint_secrets(&caller.actor, &scope)
        .await?;
    Ok(Json(
        json!({ "resourceId": scope.as_str(), "revoked": revoked }),
    ))
}
