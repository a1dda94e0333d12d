//! Discovery: the OpenID configuration (v2.0 and v1), the published signing keys, and MSAL's user-realm
//! lookup (contract §3.1, §3.2).

use super::entra_error;
use crate::app::AppState;
use crate::errors::EntraError;
use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};
use tenantry_domain::CONSUMERS_TENANT;
use tenantry_domain::signin::{self, Authority, UserRealm, parse_authority};
use tenantry_service::signin::SignInFailure;

/// The authority of a path segment; unknown tenants answer Entra's 400 AADSTS90002.
pub(crate) fn authority(state: &AppState, segment: &str) -> Result<Authority, EntraError> {
    state
        .svc
        .read(|w| parse_authority(w, segment))
        .map_err(EntraError::new)
}

/// The `{tenant}` segment of the URLs we hand out: the tenant's GUID (whatever name it was asked by),
/// the consumer realm's GUID, or `common` / `organizations` as Entra does. MSAL takes this segment of the
/// token endpoint as the account's realm.
fn url_segment(authority: Authority) -> String {
    match authority {
        Authority::Consumers => CONSUMERS_TENANT.to_string(),
        a => a.segment(),
    }
}

/// The issuer: the tenant's, or Entra's literal `{tenantid}` template for the multi-tenant authorities.
fn issuer_segment(authority: Authority) -> String {
    match authority {
        Authority::Common | Authority::Organizations => "{tenantid}".into(),
        a => url_segment(a),
    }
}

pub async fn openid_configuration_v2(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
) -> Result<Json<Value>, EntraError> {
    let a = authority(&state, &tenant)?;
    let base = state.signin.base_url();
    let t = format!("{base}/{}", url_segment(a));
    let region = matches!(a, Authority::Tenant(_)).then_some("WW");
    Ok(Json(json!({
        "token_endpoint": format!("{t}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic", "private_key_jwt"],
        "jwks_uri": format!("{t}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("{base}/{}/v2.0", issuer_segment(a)),
        "request_uri_parameter_supported": false,
        // Entra serves userinfo from Graph (`https://graph.microsoft.com/oidc/userinfo`): here Graph's
        // face is this server.
        "userinfo_endpoint": format!("{base}/oidc/userinfo"),
        "authorization_endpoint": format!("{t}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{t}/oauth2/v2.0/devicecode"),
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": [
            "authorization_code", "client_credentials", "password", "refresh_token",
            "urn:ietf:params:oauth:grant-type:device_code"
        ],
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{t}/oauth2/v2.0/logout"),
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "nbf", "nonce", "preferred_username", "name", "tid",
            "oid", "ver", "idp", "email"
        ],
        "tenant_region_scope": region,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    })))
}

/// The v1 document: the v1 endpoints, and the issuer of the access tokens (`{base}/{tid}/`).
pub async fn openid_configuration_v1(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
) -> Result<Json<Value>, EntraError> {
    let a = authority(&state, &tenant)?;
    let base = state.signin.base_url();
    let t = format!("{base}/{}", url_segment(a));
    Ok(Json(json!({
        "token_endpoint": format!("{t}/oauth2/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic", "private_key_jwt"],
        "jwks_uri": format!("{t}/discovery/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code"],
        "scopes_supported": ["openid"],
        "issuer": format!("{base}/{}/", issuer_segment(a)),
        "userinfo_endpoint": format!("{base}/oidc/userinfo"),
        "authorization_endpoint": format!("{t}/oauth2/authorize"),
        "device_authorization_endpoint": format!("{t}/oauth2/devicecode"),
        "end_session_endpoint": format!("{t}/oauth2/logout"),
        "http_logout_supported": true,
        "cloud_instance_name": "microsoftonline.com",
        "msgraph_host": "graph.microsoft.com",
    })))
}

/// The published signing keys (the active one and those still in their overlap).
pub async fn keys(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
) -> Result<Json<Value>, EntraError> {
    authority(&state, &tenant)?;
    state
        .signin
        .jwks()
        .await
        .map(Json)
        .map_err(|e| entra_error(SignInFailure::Internal(e)))
}

/// MSAL asks this before a password grant (on port 443 of the authority's host). The answer is the
/// domain's, never the account's (the domain's rule `signin::user_realm`): `Managed` makes MSAL go on
/// with the plain password grant, and so does Entra's `Unknown`.
pub async fn user_realm(
    State(state): State<AppState>,
    Path(username): Path<String>,
) -> Json<Value> {
    let realm = state.svc.read(|w| signin::user_realm(w, &username));
    Json(match realm {
        UserRealm::Managed { domain_name } => json!({
            "ver": "1.0",
            "account_type": "Managed",
            "domain_name": domain_name,
            "cloud_instance_name": "microsoftonline.com",
            "cloud_audience_urn": "urn:federation:MicrosoftOnline",
        }),
        UserRealm::Unknown => json!({
            "ver": "1.0",
            "account_type": "Unknown",
            "cloud_instance_name": "microsoftonline.com",
        }),
    })
}
