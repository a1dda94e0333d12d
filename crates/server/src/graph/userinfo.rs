//! OpenID Connect's userinfo endpoint, served where Entra serves it: on Microsoft Graph, at
//! `/oidc/userinfo` (the discovery documents' `userinfo_endpoint`). GET or POST with the access token
//! for Graph that came with the id token: the same pairwise `sub` as that id token (the token's own),
//! the person's name, given name and surname when known, and their email when `email` was granted.
//! Refusals are Graph's, with the `WWW-Authenticate` challenge of RFC 6750.

use crate::app::AppState;
use crate::auth::verify_graph;
use crate::errors::GraphError;
use axum::Router;
use axum::extract::State;
use axum::http::header::WWW_AUTHENTICATE;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use serde_json::{Map, Value};
use tenantry_domain::signin;

pub fn routes() -> Router<AppState> {
    Router::new().route("/oidc/userinfo", get(userinfo).post(userinfo))
}

/// Graph's own application id, which its challenges name as the `client_id` to get a token for.
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

async fn userinfo(State(state): State<AppState>, request: Request<axum::body::Body>) -> Response {
    let (mut parts, _) = request.into_parts();
    match answer(&state, &mut parts).await {
        Ok(claims) => Json(Value::Object(claims)).into_response(),
        Err(e) => challenged(&state, e),
    }
}

async fn answer(state: &AppState, parts: &mut Parts) -> Result<Map<String, Value>, GraphError> {
    let verified = verify_graph(parts, state).await?;
    let scp = verified.claims.scp.as_deref();
    let info = state
        .svc
        .read(|w| signin::userinfo(w, &verified.actor, scp))?;
    let mut out = Map::new();
    out.insert("sub".into(), verified.claims.sub.clone().into());
    out.insert("name".into(), info.name.into());
    // Claims without a value are left out (OpenID Connect Core §5.3.2); there is no `picture`.
    for (claim, value) in [
        ("given_name", info.given_name),
        ("family_name", info.family_name),
        ("email", info.email),
    ] {
        if let Some(v) = value {
            out.insert(claim.into(), v.into());
        }
    }
    Ok(out)
}

/// A refusal with its challenge: `invalid_token` for a missing or bad token (401), `insufficient_scope`
/// for a token without `openid` (403).
fn challenged(state: &AppState, e: GraphError) -> Response {
    let error = match e.status {
        StatusCode::UNAUTHORIZED => Some("invalid_token"),
        StatusCode::FORBIDDEN => Some("insufficient_scope"),
        _ => None,
    };
    let challenge = format!(
        "Bearer realm=\"\", authorization_uri=\"{}/common/oauth2/authorize\", client_id=\"{GRAPH_APP_ID}\"{}",
        state.base_url.trim_end_matches('/'),
        error.map_or(String::new(), |e| format!(", error=\"{e}\""))
    );
    let mut r = e.into_response();
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        r.headers_mut().insert(WWW_AUTHENTICATE, v);
    }
    r
}
