//! B2B invitations: `POST /v1.0/invitations` (Global or User Administrators) answers with a tenantry
//! `inviteRedeemUrl`. A `POST` to that URL with the invitee's own bearer token (any audience tenantry
//! issues: Graph or ARM, from the `consumers` authority for a personal account, or `organizations`/a
//! tenant for a work account) redeems; opened in a browser, the same URL is the portal's page
//! (`portal::invitations`).

use super::{Directory, bad_json, entity};
use crate::app::AppState;
use crate::auth::{ArmCaller, Caller, GraphCaller};
use crate::errors::GraphError;
use crate::urls;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tenantry_domain::rules::reads;
use tenantry_domain::{Invitation, RequestId, RequestStatus, TenantId, World};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1.0/invitations", post(create))
        .route("/v1.0/invitations/{id}", get(show))
        .route("/redeem/{tenant}/{invitation}", post(redeem))
}

/// Where the invitee redeems: on tenantry itself, never on Microsoft's site.
pub fn redeem_url(base_url: &str, tenant: TenantId, invitation: RequestId) -> String {
    format!("{base_url}{}", urls::invitation_redeem(tenant, invitation))
}

fn invitation_json(
    base_url: &str,
    inv: &Invitation,
    redirect: Option<&str>,
    display_name: Option<&str>,
) -> Value {
    json!({
        "id": inv.id,
        "inviteRedeemUrl": redeem_url(base_url, inv.tenant, inv.id),
        "inviteRedirectUrl": redirect,
        "invitedUserDisplayName": display_name,
        "invitedUserEmailAddress": inv.email,
        "invitedUserType": "Guest",
        "sendInvitationMessage": false,
        "resetRedemption": false,
        "status": match inv.status {
            RequestStatus::Pending => "PendingAcceptance",
            RequestStatus::Completed => "Completed",
            _ => "Error",
        },
        "invitedUser": {"id": inv.guest},
        "invitedUserMessageInfo": {"messageLanguage": null, "ccRecipients": [], "customizedMessageBody": null},
    })
}

fn find_invitation(world: &World, tenant: TenantId, id: &str) -> Option<Invitation> {
    let id: RequestId = id.parse().ok()?;
    world.tenant(tenant)?.invitations.get(&id).cloned()
}

fn invitation_not_found(id: &str) -> GraphError {
    GraphError::not_found(format!("The invitation '{id}' does not exist."))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewInvitation {
    invited_user_email_address: Option<String>,
    invite_redirect_url: Option<String>,
    invited_user_display_name: Option<String>,
}

fn missing(name: &str) -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        format!("The property '{name}' is required for an invitation."),
    )
}

async fn create(
    State(state): State<AppState>,
    caller: GraphCaller,
    body: Result<Json<NewInvitation>, JsonRejection>,
) -> Result<Response, GraphError> {
    let dir = Directory::of(caller);
    let Json(req) = body.map_err(bad_json)?;
    let email = req
        .invited_user_email_address
        .ok_or_else(|| missing("invitedUserEmailAddress"))?;
    let redirect = req
        .invite_redirect_url
        .ok_or_else(|| missing("inviteRedirectUrl"))?;
    let (id, _guest) = state
        .svc
        .invite_named(
            &dir.actor,
            dir.tenant,
            &email,
            req.invited_user_display_name.as_deref(),
        )
        .await?;
    let inv = state
        .svc
        .read(|w| find_invitation(w, dir.tenant, &id.to_string()))
        .ok_or_else(|| invitation_not_found(&id.to_string()))?;
    let body = invitation_json(
        &state.base_url,
        &inv,
        Some(&redirect),
        req.invited_user_display_name.as_deref(),
    );
    Ok((
        StatusCode::CREATED,
        Json(entity(&state, "invitations", body)),
    )
        .into_response())
}

async fn show(
    State(state): State<AppState>,
    caller: GraphCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let dir = Directory::of(caller);
    let inv = dir.read(&state, reads::require_directory_read, |w| {
        find_invitation(w, dir.tenant, &id).ok_or_else(|| invitation_not_found(&id))
    })?;
    Ok(Json(entity(
        &state,
        "invitations",
        invitation_json(&state.base_url, &inv, None, None),
    )))
}

type GraphRejection = <GraphCaller as FromRequestParts<AppState>>::Rejection;
type ArmRejection = <ArmCaller as FromRequestParts<AppState>>::Rejection;

/// The invitee's own token, whichever of tenantry's audiences it was issued for.
fn invitee(
    graph: Result<GraphCaller, GraphRejection>,
    arm: Result<ArmCaller, ArmRejection>,
) -> Result<Caller, GraphRejection> {
    match (graph, arm) {
        (Ok(GraphCaller(c)), _) | (_, Ok(ArmCaller(c))) => Ok(c),
        (Err(e), Err(_)) => Err(e),
    }
}

fn parse_path(tenant: &str, invitation: &str) -> Result<(TenantId, RequestId), GraphError> {
    match (tenant.parse(), invitation.parse()) {
        (Ok(t), Ok(i)) => Ok((t, i)),
        _ => Err(invitation_not_found(invitation)),
    }
}

/// `POST {inviteRedeemUrl}` with the invitee's bearer token: the guest becomes present in the tenant.
async fn redeem(
    State(state): State<AppState>,
    Path((tenant, invitation)): Path<(String, String)>,
    graph: Result<GraphCaller, GraphRejection>,
    arm: Result<ArmCaller, ArmRejection>,
) -> Result<Response, Response> {
    let caller = invitee(graph, arm).map_err(IntoResponse::into_response)?;
    let (tenant, id) = parse_path(&tenant, &invitation).map_err(IntoResponse::into_response)?;
    state
        .svc
        .redeem(&caller.actor, tenant, id)
        .await
        .map_err(|e| GraphError::from(e).into_response())?;
    let inv = state
        .svc
        .read(|w| find_invitation(w, tenant, &invitation))
        .ok_or_else(|| invitation_not_found(&invitation).into_response())?;
    let mut body = invitation_json(&state.base_url, &inv, None, None);
    body["tenantId"] = json!(tenant);
    Ok(Json(body).into_response())
}
