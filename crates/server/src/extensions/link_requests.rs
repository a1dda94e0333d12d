//! Directory link requests: the article's "use existing directory", as an API.
//!
//! 1. The service administrator, signed in to the subscription's directory, asks to add a tenant:
//!    `PUT /subscriptions/{id}/providers/Microsoft.Subscription/directoryLinkRequests/{tenantId}` → 201
//!    `{status: "Pending"}`. `GET` on the same path shows the latest request, `DELETE` withdraws it.
//! 2. A Global Administrator of that tenant, signed in to it, lists what waits
//!    (`GET /providers/Microsoft.Subscription/directoryLinkRequests`) and decides
//!    (`POST /providers/Microsoft.Subscription/directoryLinkRequests/{requestId}/approve|decline`).
//!    Approving makes the service administrator a redeemed guest of the tenant.

use super::{find_tenant, time_or_null};
use crate::app::AppState;
use crate::arm::path::parse_subscription_id;
use crate::auth::ArmCaller;
use crate::errors::ArmError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{Value, json};
use tenantry_domain::rules::{authorize, guests, reads};
use tenantry_domain::{
    DirectoryLinkRequest, RequestId, RequestStatus, Scope, SubscriptionId, TenantId, Timestamp,
    World,
};

const TENANT_BASE: &str = "/providers/Microsoft.Subscription/directoryLinkRequests";
const SUBSCRIPTION_PATH: &str =
    "/subscriptions/{id}/providers/Microsoft.Subscription/directoryLinkRequests/{tenant}";

/// Reading a subscription's link requests: whoever may read the subscription (Reader's `*/read`).
pub const LINK_REQUEST_READ: &str = "Microsoft.Subscription/directoryLinkRequests/read";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(SUBSCRIPTION_PATH, put(request).get(latest).delete(withdraw))
        .route(TENANT_BASE, get(list))
        .route(&format!("{TENANT_BASE}/{{request}}"), get(show))
        .route(&format!("{TENANT_BASE}/{{request}}/approve"), post(approve))
        .route(&format!("{TENANT_BASE}/{{request}}/decline"), post(decline))
}

/// `Expired` once a pending request outlived its time.
fn status_of(r: &DirectoryLinkRequest, now: Timestamp) -> &'static str {
    match r.status {
        RequestStatus::Pending if r.expires <= now => RequestStatus::Expired.as_str(),
        s => s.as_str(),
    }
}

fn request_json(world: &World, r: &DirectoryLinkRequest, now: Timestamp) -> Value {
    let tenant = world.tenant(r.tenant).map(|t| &t.tenant);
    let subscription = world.subscription(r.subscription).map(|s| &s.subscription);
    json!({
        "id": format!("{TENANT_BASE}/{}", r.id),
        "name": r.id,
        "type": "Microsoft.Subscription/directoryLinkRequests",
        "properties": {
            "status": status_of(r, now),
            "subscriptionId": r.subscription,
            "subscriptionDisplayName": subscription.map(|s| s.display_name.clone()),
            "tenantId": r.tenant,
            "tenantDisplayName": tenant.map(|t| t.display_name.clone()),
            "requester": world.identity_email(r.requester),
            "createdOn": time_or_null(Some(r.created)),
            "expiresOn": time_or_null(Some(r.expires)),
            "decidedBy": r.decided_by,
        }
    })
}

fn request_not_found(id: &str) -> ArmError {
    ArmError::not_found(
        "LinkRequestNotFound",
        format!("The directory link request '{id}' does not exist."),
    )
}

fn find(world: &World, tenant: TenantId, id: RequestId) -> Option<&DirectoryLinkRequest> {
    world.tenant(tenant)?.link_requests.get(&id)
}

/// The newest request of `subscription` to link `tenant`.
fn newest(
    world: &World,
    subscription: SubscriptionId,
    tenant: TenantId,
) -> Option<&DirectoryLinkRequest> {
    world
        .tenant(tenant)?
        .link_requests
        .values()
        .filter(|r| r.subscription == subscription)
        .max_by_key(|r| (r.created, r.id))
}

fn parse_request_id(raw: &str) -> Result<RequestId, ArmError> {
    raw.parse().map_err(|_| request_not_found(raw))
}

async fn request(
    State(state): State<AppState>,
    ArmCaller(caller): ArmCaller,
    Path((id, tenant)): Path<(String, String)>,
) -> Result<(StatusCode, Json<Value>), ArmError> {
    let sub = parse_subscription_id(&id)?;
    let tenant = state.svc.read(|w| {
        guests::link_target(w, &caller.actor, sub, guests::link_actions::WRITE, &tenant)
    })?;
    let rid = state.svc.request_link(&caller.actor, sub, tenant).await?;
    let now = state.svc.now();
    let body = state
        .svc
        .read(|w| find(w, tenant, rid).map(|r| request_json(w, r, now)));
    Ok((StatusCode::CREATED, Json(body.unwrap_or(Value::Null))))
}

/// The subscription side reads with the subscription's access (the service administrator holds it).
fn require_subscription_read(
    world: &World,
    caller: &crate::auth::Caller,
    sub: SubscriptionId,
) -> Result<(), ArmError> {
    authorize(
        world,
        &caller.actor,
        LINK_REQUEST_READ,
        &Scope::subscription(sub),
    )?;
    Ok(())
}

async fn latest(
    State(state): State<AppState>,
    ArmCaller(caller): ArmCaller,
    Path((id, tenant)): Path<(String, String)>,
) -> Result<Json<Value>, ArmError> {
    let sub = parse_subscription_id(&id)?;
    let now = state.svc.now();
    state.svc.read(|w| {
        require_subscription_read(w, &caller, sub)?;
        let tenant = find_tenant(w, &tenant)?;
        newest(w, sub, tenant)
            .map(|r| Json(request_json(w, r, now)))
            .ok_or_else(|| request_not_found(&tenant.to_string()))
    })
}

/// The requester withdraws the pending request (the domain records it as cancelled).
async fn withdraw(
    State(state): State<AppState>,
    ArmCaller(caller): ArmCaller,
    Path((id, tenant)): Path<(String, String)>,
) -> Result<Json<Value>, ArmError> {
    let sub = parse_subscription_id(&id)?;
    let (tenant, rid) = state.svc.withdraw_link(&caller.actor, sub, &tenant).await?;
    decided(&state, tenant, rid)
}

/// Pending requests to link the caller's tenant (Global Administrators and Global Readers).
async fn list(
    State(state): State<AppState>,
    ArmCaller(caller): ArmCaller,
) -> Result<Json<Value>, ArmError> {
    let tenant = TenantId(caller.tenant);
    let now = state.svc.now();
    state.svc.read(|w| {
        reads::require_tenant_admin_read(w, &caller.actor, tenant, "read directory link requests")?;
        let value: Vec<Value> = w
            .tenant(tenant)
            .map(|t| {
                t.link_requests
                    .values()
                    .filter(|r| status_of(r, now) == "Pending")
                    .map(|r| request_json(w, r, now))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Json(json!({"value": value})))
    })
}

async fn show(
    State(state): State<AppState>,
    ArmCaller(caller): ArmCaller,
    Path(request): Path<String>,
) -> Result<Json<Value>, ArmError> {
    let tenant = TenantId(caller.tenant);
    let rid = parse_request_id(&request)?;
    let now = state.svc.now();
    state.svc.read(|w| {
        reads::require_tenant_admin_read(w, &caller.actor, tenant, "read directory link requests")?;
        find(w, tenant, rid)
            .map(|r| Json(request_json(w, r, now)))
            .ok_or_else(|| request_not_found(&request))
    })
}

fn decided(state: &AppState, tenant: TenantId, rid: RequestId) -> Result<Json<Value>, ArmError> {
    let now = state.svc.now();
    state
        .svc
        .read(|w| find(w, tenant, rid).map(|r| Json(request_json(w, r, now))))
        .ok_or_else(|| request_not_found(&rid.to_string()))
}

async fn approve(
    State(state): State<AppState>,
    ArmCaller(caller): ArmCaller,
    Path(request): Path<String>,
) -> Result<Json<Value>, ArmError> {
    let tenant = TenantId(caller.tenant);
    let rid = parse_request_id(&request)?;
    state.svc.approve_link(&caller.actor, tenant, rid).await?;
    decided(&state, tenant, rid)
}

async fn decline(
    State(state): State<AppState>,
    ArmCaller(caller): ArmCaller,
    Path(request): Path<String>,
) -> Result<Json<Value>, ArmError> {
    let tenant = TenantId(caller.tenant);
    let rid = parse_request_id(&request)?;
    state.svc.decline_link(&caller.actor, tenant, rid).await?;
    decided(&state, tenant, rid)
}
