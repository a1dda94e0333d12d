//! `Microsoft.Subscription`'s lifecycle APIs (api-versions 2021-10-01 and 2020-09-01, as
//! azure-mgmt-subscription and `az rest` call them):
//!
//! - `PUT /providers/Microsoft.Subscription/aliases/{name}`: creates a subscription in the token's
//!   directory (or, with `properties.subscriptionId`, names an existing one). Long-running in ARM: the
//!   answer is 201 with `provisioningState: Succeeded` (the SDK's poller reads the state from the body
//!   and stops there), 200 when the alias exists already. `resellerId`, `subscriptionOwnerId` and
//!   `tags` are not kept.
//! - `GET …/aliases/{name}`, `GET …/aliases`, `DELETE …/aliases/{name}` (200, or 204 when absent; the
//!   subscription stays).
//! - `POST /subscriptions/{id}/providers/Microsoft.Subscription/rename|cancel|enable` → 200
//!   `{"subscriptionId"}`.

use crate::app::AppState;
use crate::arm::path::parse_subscription_id;
use crate::arm::wire;
use crate::auth::ArmCaller;
use crate::errors::{ArmError, format_timestamp};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use tenantry_domain::rules::subscriptions::{self as lifecycle, NewAlias};
use tenantry_domain::{SubscriptionAlias, SubscriptionId, World};

const ALIASES: &str = "/providers/Microsoft.Subscription/aliases";
const SUBSCRIPTION: &str = "/subscriptions/{id}/providers/Microsoft.Subscription";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(ALIASES, get(list))
        .route(
            &format!("{ALIASES}/{{name}}"),
            get(show).put(create).delete(delete),
        )
        .route(&format!("{SUBSCRIPTION}/rename"), post(rename))
        .route(&format!("{SUBSCRIPTION}/cancel"), post(cancel))
        .route(&format!("{SUBSCRIPTION}/enable"), post(enable))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct AliasBody {
    #[serde(default)]
    properties: AliasProperties,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct AliasProperties {
    display_name: Option<String>,
    workload: Option<String>,
    billing_scope: Option<String>,
    subscription_id: Option<String>,
    #[serde(default)]
    additional_properties: AdditionalProperties,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct AdditionalProperties {
    management_group_id: Option<String>,
    subscription_tenant_id: Option<String>,
}

fn alias_json(world: &World, a: &SubscriptionAlias) -> Value {
    let display_name = world
        .subscription(a.subscription)
        .map(|p| p.subscription.display_name.clone());
    json!({
        "id": format!("{ALIASES}/{}", a.name),
        "name": a.name,
        "type": "Microsoft.Subscription/aliases",
        "properties": {
            "subscriptionId": a.subscription,
            "displayName": display_name,
            "provisioningState": "Succeeded",
            "acceptOwnershipState": "Completed",
            "billingScope": a.billing_scope,
            "workload": a.workload.as_str(),
            "managementGroupId": a.management_group,
            "subscriptionOwnerId": a.created_by,
            "createdTime": format_timestamp(a.created),
        },
        "systemData": {
            "createdBy": a.created_by,
            "createdAt": format_timestamp(a.created),
        },
    })
}

async fn list(State(st): State<AppState>, ArmCaller(caller): ArmCaller) -> Response {
    let items = st.svc.read(|w| {
        lifecycle::list_aliases(w, &caller.actor)
            .into_iter()
            .map(|a| alias_json(w, a))
            .collect()
    });
    wire::list(items, None)
}

async fn show(
    State(st): State<AppState>,
    ArmCaller(caller): ArmCaller,
    Path(name): Path<String>,
) -> Result<Response, ArmError> {
    let body = st
        .svc
        .read(|w| lifecycle::get_alias(w, &caller.actor, &name).map(|a| alias_json(w, a)))?;
    Ok(wire::ok(&body))
}

async fn create(
    State(st): State<AppState>,
    ArmCaller(caller): ArmCaller,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Response, ArmError> {
    let AliasBody { properties: p } = wire::body(&body)?;
    let subscription = p
        .subscription_id
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_subscription_id(s.trim()))
        .transpose()?;
    let req = NewAlias {
        name,
        display_name: p.display_name,
        workload: p.workload,
        billing_scope: p.billing_scope,
        management_group: p.additional_properties.management_group_id,
        subscription,
        new_id: None,
        tenant: p.additional_properties.subscription_tenant_id,
    };
    let out = st.svc.create_alias(&caller.actor, req).await?;
    let status = if out.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let body = st.svc.read(|w| alias_json(w, &out.alias));
    Ok(wire::json(status, &body))
}

async fn delete(
    State(st): State<AppState>,
    ArmCaller(caller): ArmCaller,
    Path(name): Path<String>,
) -> Result<Response, ArmError> {
    let found = st.svc.delete_alias(&caller.actor, &name).await?;
    Ok(wire::empty(if found {
        StatusCode::OK
    } else {
        StatusCode::NO_CONTENT
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RenameBody {
    subscription_name: String,
}

fn done(sub: SubscriptionId) -> Response {
    wire::ok(&json!({ "subscriptionId": sub }))
}

async fn rename(
    State(st): State<AppState>,
    ArmCaller(caller): ArmCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ArmError> {
    let sub = parse_subscription_id(&id)?;
    let RenameBody { subscription_name } = wire::body(&body)?;
    st.svc
        .rename_subscription(&caller.actor, sub, &subscription_name)
        .await?;
    Ok(done(sub))
}

async fn cancel(
    State(st): State<AppState>,
    ArmCaller(caller): ArmCaller,
    Path(id): Path<String>,
) -> Result<Response, ArmError> {
    let sub = parse_subscription_id(&id)?;
    st.svc.cancel_subscription(&caller.actor, sub).await?;
    Ok(done(sub))
}

async fn enable(
    State(st): State<AppState>,
    ArmCaller(caller): ArmCaller,
    Path(id): Path<String>,
) -> Result<Response, ArmError> {
    let sub = parse_subscription_id(&id)?;
    st.svc.enable_subscription(&caller.actor, sub).await?;
    Ok(done(sub))
}
