//! The Entra-compatible face (`login.microsoftonline.com`'s paths): discovery documents, the token
//! endpoint, the authorize page, the published keys, user-realm discovery and logout, in the v2.0 and
//! v1 forms. Handlers translate wire shapes to the sign-in service and back; the rules are there.

mod authorize;
mod discovery;
mod managed_identity;
mod page;
pub(crate) mod token;

use crate::app::AppState;
use crate::errors::EntraError;
use axum::Router;
use axum::routing::get;
use tenantry_domain::signin::temporarily_unavailable;
use tenantry_service::signin::SignInFailure;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery::openid_configuration_v2),
        )
        .route(
            "/{tenant}/.well-known/openid-configuration",
            get(discovery::openid_configuration_v1),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(discovery::keys))
        .route("/{tenant}/discovery/keys", get(discovery::keys))
        .route("/common/userrealm/{username}", get(discovery::user_realm))
        .route(
            "/{tenant}/oauth2/v2.0/token",
            axum::routing::post(token::token_v2),
        )
        .route(
            "/{tenant}/oauth2/token",
            axum::routing::post(token::token_v1),
        )
        .route(
            "/{tenant}/oauth2/v2.0/devicecode",
            axum::routing::post(token::device_code),
        )
        .route(
            "/{tenant}/oauth2/devicecode",
            axum::routing::post(token::device_code),
        )
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(authorize::show).post(authorize::submit),
        )
        // The v1 form (`resource=` instead of `scope=`): the same pages and rules.
        .route(
            "/{tenant}/oauth2/authorize",
            get(authorize::show).post(authorize::submit),
        )
        .route(
            "/{tenant}/oauth2/v2.0/logout",
            get(authorize::logout).post(authorize::logout),
        )
        .route("/{tenant}/oauth2/logout", get(authorize::logout))
        // Managed identities' local token services (`tenantry identity env` prints the variables).
        .route("/msi/token", get(managed_identity::app_service_token))
        .route(
            "/msi/{secret}/metadata/identity/oauth2/token",
            get(managed_identity::imds_token),
        )
}

pub(crate) use managed_identity::loggable_path;

/// A sign-in failure in Entra's format: a refusal as it is, anything else as a transient error (logged
/// here, without the request's secrets, which never reach this point).
pub(crate) fn entra_error(failure: SignInFailure) -> EntraError {
    match failure {
        SignInFailure::Refused(e) => EntraError::new(e),
        // The database out of reach is logged once per outage by the service.
        SignInFailure::Internal(e) if e.is_unavailable() => {
            EntraError::new(temporarily_unavailable())
        }
        SignInFailure::Internal(e) => {
            tracing::error!(error = %e, "sign-in failed");
            EntraError::new(temporarily_unavailable())
        }
    }
}

/// The client's address, when the server was started with connection info (per-address lockout);
/// behind a trusted reverse proxy, the address it forwarded (`crate::client_addr`).
pub(crate) struct ClientAddr(pub Option<std::net::IpAddr>);

impl axum::extract::FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(crate::client_addr::client_ip(
            parts,
            &state.trusted_proxies,
        )))
    }
}
