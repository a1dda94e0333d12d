//! B2B invitations: `POST /v1.0/invitations` (Global or User Administrators) answers with a tenantry
//! `inviteRedeemUrl`. That URL redeems:
//! - `POST` with the invitee's own bearer token (any audience tenantry issues: Graph or ARM, from the
//!   `consumers` authority for a personal account, or `organizations`/a tenant for a work account);
//! - `GET` in a browser shows a plain page that sends the invitee to sign in, then accepts with a
//!   CSRF-protected `POST …/accept`.

use super::users::entity;
use super::{Directory, bad_json};
use crate::app::AppState;
use crate::auth::{ArmCaller, Caller, GraphCaller};
use crate::errors::GraphError;
use crate::portal::session::{CsrfForm, Ctx};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
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
        .route("/redeem/{tenant}/{invitation}", get(page).post(redeem))
        .route("/redeem/{tenant}/{invitation}/accept", post(accept))
}

/// Where the invitee redeems: on tenantry itself, never on Microsoft's site.
pub fn redeem_url(base_url: &str, tenant: TenantId, invitation: RequestId) -> String {
    format!("{base_url}/redeem/{tenant}/{invitation}")
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
    let id: RequestId = id.trim().parse().ok()?;
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

/// The invitation and its tenant's display name, for the browser pages.
fn invitation_for_page(
    state: &AppState,
    tenant: &str,
    invitation: &str,
) -> Option<(Invitation, String)> {
    let (t, _) = parse_path(tenant, invitation).ok()?;
    state.svc.read(|w| {
        let inv = find_invitation(w, t, invitation)?;
        let name = w.tenant(t)?.tenant.display_name.clone();
        Some((inv, name))
    })
}

fn not_found_page() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(html_page(
            "Invitation not found",
            "<p>This invitation does not exist.</p>",
        )),
    )
        .into_response()
}

/// The page a browser opens from the invitation. Not signed in: a link to sign in (the portal's sign-in
/// pages, the same that `/{tenant}/oauth2/v2.0/authorize` shows), which comes back here. Signed in: a
/// button that accepts, as a POST carrying the session's CSRF token (GET never changes anything).
/// Plain HTML with everything escaped; the portal restyles it.
async fn page(
    State(state): State<AppState>,
    Path((tenant, invitation)): Path<(String, String)>,
    ctx: Ctx,
) -> Response {
    let Some((inv, tenant_name)) = invitation_for_page(&state, &tenant, &invitation) else {
        return ctx.finish(not_found_page()).await;
    };
    let here = format!("/redeem/{}/{}", inv.tenant, inv.id);
    let intro = format!(
        "<p><b>{}</b> is invited to the directory <b>{}</b>.</p>",
        escape(&inv.email),
        escape(&tenant_name)
    );
    let body = match (inv.status, ctx.identity()) {
        (RequestStatus::Completed, _) => format!(
            "<p>The invitation for <b>{}</b> to <b>{}</b> has been accepted.</p><p><a href=\"/\">Go to the portal</a></p>",
            escape(&inv.email),
            escape(&tenant_name)
        ),
        (_, None) => format!(
            "{intro}<p><a id=\"sign-in\" href=\"/signin?return_to={}\">Sign in as {} to accept</a></p>\
             <p>Scripts accept with <code>POST {}</code> and the invitee's own bearer token.</p>",
            super::odata::encode_component(&here),
            escape(&inv.email),
            escape(&redeem_url(&state.base_url, inv.tenant, inv.id)),
        ),
        (_, Some(identity)) => {
            let who = state
                .svc
                .read(|w| w.identity_email(identity))
                .unwrap_or_default();
            format!(
                "{intro}<p>You are signed in as <b>{}</b>.</p>\
                 <form method=\"post\" action=\"{}/accept\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
                 <button id=\"accept\" type=\"submit\">Accept the invitation</button></form>",
                escape(&who),
                escape(&here),
                escape(&ctx.session.data.csrf),
            )
        }
    };
    ctx.finish(Html(html_page("Accept the invitation", &body)).into_response())
        .await
}

#[derive(Deserialize)]
struct AcceptForm {}

/// The browser's acceptance: the signed-in person redeems (the domain checks it is the invitee).
async fn accept(
    State(state): State<AppState>,
    Path((tenant, invitation)): Path<(String, String)>,
    ctx: Ctx,
    CsrfForm(AcceptForm {}): CsrfForm<AcceptForm>,
) -> Response {
    let Some((inv, tenant_name)) = invitation_for_page(&state, &tenant, &invitation) else {
        return ctx.finish(not_found_page()).await;
    };
    let Some(actor) = ctx.actor() else {
        let to = format!(
            "/signin?return_to={}",
            super::odata::encode_component(&format!("/redeem/{}/{}", inv.tenant, inv.id))
        );
        return ctx
            .finish(axum::response::Redirect::to(&to).into_response())
            .await;
    };
    let (status, body) = match state.svc.redeem(&actor, inv.tenant, inv.id).await {
        Ok(()) => (
            StatusCode::OK,
            format!(
                "<p>Welcome to <b>{}</b>: the directory is now in your list.</p><p><a href=\"/\">Go to the portal</a></p>",
                escape(&tenant_name)
            ),
        ),
        Err(e) => {
            let e = GraphError::from(e);
            (e.status, format!("<p>{}</p>", escape(&e.message)))
        }
    };
    ctx.finish((status, Html(html_page("Accept the invitation", &body))).into_response())
        .await
}

fn html_page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} - tenantry</title></head>\
         <body><h1>{}</h1>{}</body></html>",
        escape(title),
        escape(title),
        body
    )
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
