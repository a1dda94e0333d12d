//! Who is calling ARM or Graph: the `Authorization: Bearer` token verified against tenantry's published
//! signing keys (by the sign-in service), turned into the domain's `Actor` as the world is now.
//!
//! Handlers take [`ArmCaller`] or [`GraphCaller`] as an extractor; a request without a valid token never
//! reaches them and gets the face's own 401.

use crate::app::AppState;
use crate::errors::{ArmError, GraphError};
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use tenantry_service::signin::{Audience, Rejection, Verified};

/// A verified caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: tenantry_domain::Actor,
    /// The token's tenant (`tid`); the consumer realm's id for personal accounts signed in there.
    pub tenant: uuid::Uuid,
}

impl Caller {
    fn from_verified(v: Verified) -> Caller {
        Caller {
            // The verifier parsed `tid` as a GUID before accepting the token.
            tenant: v.claims.tid.parse().unwrap_or_default(),
            actor: v.actor,
        }
    }
}

/// A caller of ARM (audiences `https://management.azure.com`, `https://management.core.windows.net/`
/// and the server's base URL).
#[derive(Debug, Clone)]
pub struct ArmCaller(pub Caller);

/// A caller of Microsoft Graph (audiences `https://graph.microsoft.com` and the server's base URL).
#[derive(Debug, Clone)]
pub struct GraphCaller(pub Caller);

/// The bearer token of a request, if it carries one.
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Names the verified caller (its token's tenant and object id, never the token) on the request's span,
/// so the request's log line says who asked (`request_id::span` declares the fields); its answer is
/// then an authorization decision for the metrics.
fn record_caller(parts: &Parts, v: &Verified) {
    crate::metrics::note_caller(&parts.extensions);
    let span = tracing::Span::current();
    span.record("tenant", v.claims.tid.as_str());
    span.record("object_id", v.claims.oid.as_str());
}

/// Whom the throttle charges: the verified token's tenant and object id (both GUIDs once verified).
fn principal(v: &Verified) -> crate::throttle::Principal {
    crate::throttle::Principal {
        tenant: v.claims.tid.parse().unwrap_or_default(),
        object: v.claims.oid.parse().unwrap_or_default(),
    }
}

impl FromRequestParts<AppState> for ArmCaller {
    type Rejection = ArmError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ArmError> {
        let authorization_uri = format!("{}/common", state.base_url.trim_end_matches('/'));
        let unauthorized =
            |code: &str, message: String| ArmError::unauthorized(code, message, &authorization_uri);
        let Some(token) = bearer(parts) else {
            return Err(unauthorized(
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is missing.".into(),
            ));
        };
        match state.signin.verify_access_token(token, Audience::Arm).await {
            Ok(v) => {
                record_caller(parts, &v);
                if let Some(throttle) = &state.throttle {
                    match throttle.charge_arm(principal(&v), &parts.method, parts.uri.path()) {
                        Ok(remaining) => crate::throttle::record(parts, remaining),
                        Err(refused) => {
                            if let Some(remaining) = refused.remaining.clone() {
                                crate::throttle::record(parts, remaining);
                            }
                            return Err(refused.arm());
                        }
                    }
                }
                Ok(ArmCaller(Caller::from_verified(v)))
            }
            Err(Rejection::Unavailable(e)) => {
                tracing::error!(error = %e, "cannot verify tokens: signing keys unavailable");
                Err(ArmError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "ServiceUnavailable",
                    "The service is temporarily unable to verify tokens. Try again shortly.",
                ))
            }
            Err(Rejection::Audience(aud)) => Err(unauthorized(
                "InvalidAuthenticationTokenAudience",
                format!(
                    "The access token has been obtained for wrong audience or resource '{aud}'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'."
                ),
            )),
            Err(Rejection::Expired { .. }) => Err(unauthorized(
                "ExpiredAuthenticationToken",
                "The access token expiry UTC time is earlier than current UTC time.".into(),
            )),
            Err(Rejection::PrincipalGone) => Err(unauthorized(
                "InvalidAuthenticationToken",
                "The access token is invalid: its principal no longer exists, is disabled, or is no longer present in the tenant."
                    .into(),
            )),
            Err(Rejection::Invalid(why)) => Err(unauthorized(
                "InvalidAuthenticationToken",
                format!("The access token is invalid: {why}."),
            )),
        }
    }
}

impl FromRequestParts<AppState> for GraphCaller {
    type Rejection = GraphError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, GraphError> {
        Ok(GraphCaller(Caller::from_verified(
            verify_graph(parts, state).await?,
        )))
    }
}

/// The bearer token of a request to Microsoft Graph, verified; Graph's 401 otherwise. Userinfo reads
/// the token's own claims (`sub`, `scp`), so it takes them from here rather than from [`GraphCaller`].
pub(crate) async fn verify_graph(parts: &Parts, state: &AppState) -> Result<Verified, GraphError> {
    let unauthorized = |message: String| {
        GraphError::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        )
    };
    let Some(token) = bearer(parts) else {
        return Err(unauthorized("Access token is empty.".into()));
    };
    match state.signin.verify_access_token(token, Audience::Graph).await {
            Ok(v) => {
                record_caller(parts, &v);
                if let Some(throttle) = &state.throttle {
                    throttle
                        .charge_graph(principal(&v), &parts.method)
                        .map_err(|refused| refused.graph())?;
                }
                Ok(v)
            }
            Err(Rejection::Unavailable(e)) => {
                tracing::error!(error = %e, "cannot verify tokens: signing keys unavailable");
                Err(GraphError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "serviceNotAvailable",
                    "The service is temporarily unable to verify tokens. Try again shortly.",
                ))
            }
            Err(Rejection::Audience(aud)) => Err(unauthorized(format!(
                "Access token validation failure. Invalid audience '{aud}'."
            ))),
            Err(Rejection::Expired { .. }) => Err(unauthorized(
                "Lifetime validation failed, the token is expired.".into(),
            )),
            Err(Rejection::PrincipalGone) => Err(unauthorized(
                "Access token validation failure: the principal no longer exists, is disabled, or is no longer present in the tenant."
                    .into(),
            )),
            Err(Rejection::Invalid(why)) => Err(unauthorized(format!(
                "Access token validation failure: {why}."
            ))),
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(auth: Option<&str>) -> Parts {
        let mut b = Request::builder().uri("/subscriptions");
        if let Some(a) = auth {
            b = b.header(AUTHORIZATION, a);
        }
        b.body(()).unwrap().into_parts().0
    }

    #[test]
    fn bearer_tokens_are_found() {
        assert_eq!(bearer(&parts(Some("Bearer abc"))), Some("abc"));
        assert_eq!(bearer(&parts(Some("bearer  abc "))), Some("abc"));
        assert_eq!(bearer(&parts(Some("Basic abc"))), None);
        assert_eq!(bearer(&parts(Some("Bearer "))), None);
        assert_eq!(bearer(&parts(None)), None);
    }
}
