//! `POST /{tenant}/oauth2/v2.0/token` and its v1 form `/{tenant}/oauth2/token` (`resource=`): the form,
//! the Basic credentials and a client assertion translated into a typed [`TokenRequest`] (its [`Grant`] carries what the
//! grant requires, so a request missing one is refused here); the answer as Entra gives it, never
//! cached. Fields the clients add and tenantry ignores (`client_info`, `claims`, `x-client-*` headers,
//! `X-AnchorMailbox`…) are simply not read.

use super::{ClientAddr, entra_error};
use crate::app::AppState;
use crate::errors::EntraError;
use crate::throttle::TokenCaller;
use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, PRAGMA};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde::Deserialize;
use tenantry_domain::signin::{
    DEVICE_CODE_GRANT, SignInError, check_assertion_type, malformed_request, missing_parameter,
    required, unsupported_grant_type,
};
use tenantry_service::signin::{ClientCredential, Grant, Protocol, TokenRequest};

/// The form fields tenantry reads.
#[derive(Deserialize, Default)]
pub struct TokenForm {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    client_assertion_type: Option<String>,
    client_assertion: Option<String>,
    scope: Option<String>,
    resource: Option<String>,
    username: Option<String>,
    password: Option<String>,
    refresh_token: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    device_code: Option<String>,
}

pub async fn token_v2(
    state: State<AppState>,
    tenant: Path<String>,
    client: ClientAddr,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Response {
    token(state, tenant, client, headers, form, Protocol::V2).await
}

pub async fn token_v1(
    state: State<AppState>,
    tenant: Path<String>,
    client: ClientAddr,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Response {
    token(state, tenant, client, headers, form, Protocol::V1).await
}

/// The form of a device authorization request.
#[derive(Deserialize, Default)]
pub struct DeviceCodeForm {
    client_id: Option<String>,
    /// A confidential client's (or `Authorization: Basic`), or its client assertion.
    client_secret: Option<String>,
    client_assertion_type: Option<String>,
    client_assertion: Option<String>,
    scope: Option<String>,
    /// v1.
    resource: Option<String>,
}

/// `POST /{tenant}/oauth2/v2.0/devicecode` (and v1 `/{tenant}/oauth2/devicecode` with `resource=`): a
/// device code to poll with and the user code to type at the verification page.
pub async fn device_code(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    form: Result<Form<DeviceCodeForm>, FormRejection>,
) -> Response {
    let result = match form {
        Ok(Form(f)) => match client_credentials(
            f.client_id,
            Proofs {
                secret: f.client_secret,
                assertion_type: f.client_assertion_type,
                assertion: f.client_assertion,
            },
            &headers,
        ) {
            Ok((client_id, credential)) => {
                let scope = f.scope.or_else(|| {
                    f.resource
                        .as_deref()
                        .map(tenantry_domain::signin::user_scope_for_resource)
                });
                state
                    .signin
                    .start_device_flow(
                        &tenant,
                        client_id.as_deref(),
                        credential.as_ref(),
                        scope.as_deref(),
                    )
                    .await
                    .map_err(entra_error)
            }
            Err(e) => Err(EntraError::new(e)),
        },
        Err(e) => Err(unreadable(&e)),
    };
    let mut response = match result {
        Ok(answer) => Json(answer).into_response(),
        Err(e) => e.into_response(),
    };
    response.headers_mut().insert(
        CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    response
}

async fn token(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    client: ClientAddr,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, FormRejection>,
    protocol: Protocol,
) -> Response {
    let request = match form {
        Ok(Form(form)) => to_request(tenant, form, &headers, protocol).map_err(EntraError::new),
        Err(e) => Err(unreadable(&e)),
    };
    let result = match request {
        Ok(mut req) => {
            req.client_address = client.0;
            match charge(&state, &req) {
                Ok(()) => state.signin.token(req).await.map_err(entra_error),
                Err(refused) => Err(refused),
            }
        }
        Err(e) => Err(e),
    };
    let mut response = match result {
        Ok(tokens) => Json(tokens).into_response(),
        Err(e) => e.into_response(),
    };
    // Tokens and refusals alike must never sit in a cache (RFC 6749 §5.1).
    let h = response.headers_mut();
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    h.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// Takes the request from its client's bucket: a confidential client's id, or for a grant without a
/// client credential (whose client id anyone can send) the client id at the caller's address.
fn charge(state: &AppState, req: &TokenRequest) -> Result<(), EntraError> {
    let Some(throttle) = &state.throttle else {
        return Ok(());
    };
    let caller = match req.client_credential {
        Some(_) => TokenCaller::Confidential(req.client_id.clone()),
        None => TokenCaller::Public(req.client_id.clone(), req.client_address),
    };
    throttle
        .charge_token(&caller)
        .map_err(|refused| refused.entra())
}

/// A form the endpoint could not read: too large for the server (413, as every face says it), or not
/// a form at all.
fn unreadable(e: &FormRejection) -> EntraError {
    match crate::edge::form_too_large(e) {
        Some(too_large) => too_large.entra(),
        None => EntraError::new(malformed_request(
            "The body must be application/x-www-form-urlencoded.",
        )),
    }
}

/// The typed request: the grant and its required fields first, then the client.
pub(crate) fn to_request(
    authority: String,
    mut form: TokenForm,
    headers: &HeaderMap,
    protocol: Protocol,
) -> Result<TokenRequest, SignInError> {
    let grant = grant(&mut form)?;
    let proofs = Proofs {
        secret: form.client_secret.take(),
        assertion_type: form.client_assertion_type.take(),
        assertion: form.client_assertion.take(),
    };
    let (client_id, client_credential) =
        client_credentials(form.client_id.take(), proofs, headers)?;
    Ok(TokenRequest {
        authority,
        protocol,
        grant,
        client_id: required(client_id, "client_id")?,
        client_credential,
        scope: form.scope,
        resource: form.resource,
        client_address: None,
    })
}

/// The grant the form names, with the fields that grant requires.
fn grant(form: &mut TokenForm) -> Result<Grant, SignInError> {
    let grant_type = required(form.grant_type.take(), "grant_type")?;
    Ok(match grant_type.as_str() {
        "client_credentials" => Grant::ClientCredentials,
        "password" => Grant::Password {
            username: required(form.username.take(), "username")?,
            password: required(form.password.take(), "password")?,
        },
        "refresh_token" => Grant::RefreshToken {
            refresh_token: required(form.refresh_token.take(), "refresh_token")?,
        },
        "authorization_code" => Grant::AuthorizationCode {
            code: required(form.code.take(), "code")?,
            redirect_uri: form.redirect_uri.take(),
            code_verifier: form.code_verifier.take(),
        },
        DEVICE_CODE_GRANT => Grant::DeviceCode {
            device_code: required(form.device_code.take(), "device_code")?,
        },
        // Entra's v1 device grant carries the device code as `code`.
        "device_code" => Grant::DeviceCode {
            device_code: required(form.device_code.take().or(form.code.take()), "device_code")?,
        },
        other => return Err(unsupported_grant_type(other)),
    })
}

/// What a client may send to prove itself: a secret, or a client assertion with its type.
struct Proofs {
    secret: Option<String>,
    assertion_type: Option<String>,
    assertion: Option<String>,
}

/// The client's id and credential: a secret from `Authorization: Basic` (client_secret_basic) or the
/// body (client_secret_post), or a client assertion (private_key_jwt, RFC 7523). Basic and the body's
/// `client_id` must name the same client (the header's secret is used); a secret and an assertion at
/// once are refused.
fn client_credentials(
    client_id: Option<String>,
    proofs: Proofs,
    headers: &HeaderMap,
) -> Result<(Option<String>, Option<ClientCredential>), SignInError> {
    let assertion = match (proofs.assertion_type, proofs.assertion) {
        (None, None) => None,
        (Some(kind), assertion) => {
            check_assertion_type(&kind)?;
            Some(ClientCredential::Assertion(required(
                assertion,
                "client_assertion",
            )?))
        }
        (None, Some(_)) => return Err(missing_parameter("client_assertion_type")),
    };
    let (client_id, secret) = match basic_credentials(headers)? {
        None => (client_id, proofs.secret),
        Some((id, secret)) => {
            if client_id.as_deref().is_some_and(|f| f != id) {
                return Err(malformed_request(
                    "The client_id in the body differs from the one in the Authorization header.",
                ));
            }
            (Some(id), Some(secret))
        }
    };
    let credential = match (secret, assertion) {
        (Some(_), Some(_)) => {
            return Err(malformed_request(
                "Send either a client secret or a client assertion, not both.",
            ));
        }
        (Some(s), None) => Some(ClientCredential::Secret(s)),
        (None, a) => a,
    };
    Ok((client_id, credential))
}

/// RFC 6749 §2.3.1: `Basic base64(urlencode(client_id) ":" urlencode(client_secret))`.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, SignInError> {
    let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    let Some((scheme, encoded)) = value.trim().split_once(' ') else {
        return Ok(None);
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
    }
    let bad = || malformed_request("The Authorization header is not valid Basic credentials.");
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| bad())?;
    let text = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = text.split_once(':').ok_or_else(bad)?;
    let (id, secret) = (form_decode(id), form_decode(secret));
    if id.is_empty() {
        return Err(missing_parameter("client_id"));
    }
    Ok(Some((id, secret)))
}

/// `application/x-www-form-urlencoded` decoding of one value (`+` is a space).
fn form_decode(s: &str) -> String {
    let spaced = s.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenantry_domain::signin::EntraCode;

    fn form(grant_type: &str) -> TokenForm {
        TokenForm {
            grant_type: Some(grant_type.into()),
            ..Default::default()
        }
    }

    #[test]
    fn each_grant_requires_its_own_fields() {
        let e = grant(&mut TokenForm::default()).err().unwrap();
        assert_eq!(e.code, EntraCode::MissingParameter);
        let e = grant(&mut TokenForm {
            username: Some("lee".into()),
            ..form("password")
        })
        .err()
        .unwrap();
        assert_eq!(e.code, EntraCode::MissingParameter);
        assert!(e.message.contains("'password'"), "{e}");
        let e = grant(&mut form("jwt-bearer")).err().unwrap();
        assert_eq!(e.code, EntraCode::UnsupportedGrantType);
        let v1_device = grant(&mut TokenForm {
            code: Some("dc".into()),
            ..form("device_code")
        });
        assert!(matches!(v1_device, Ok(Grant::DeviceCode { device_code }) if device_code == "dc"));
        assert!(matches!(
            grant(&mut form("client_credentials")),
            Ok(Grant::ClientCredentials)
        ));
    }

    #[test]
    fn basic_credentials_are_url_decoded() {
        let mut h = HeaderMap::new();
        let raw = base64::engine::general_purpose::STANDARD.encode("my%20app:s%3Acret+x");
        h.insert(AUTHORIZATION, format!("Basic {raw}").parse().unwrap());
        let (id, secret) = basic_credentials(&h).unwrap().unwrap();
        assert_eq!(id, "my app");
        assert_eq!(secret, "s:cret x");
        h.insert(AUTHORIZATION, "Bearer x".parse().unwrap());
        assert!(basic_credentials(&h).unwrap().is_none());
        h.insert(AUTHORIZATION, "Basic !!!".parse().unwrap());
        assert!(basic_credentials(&h).is_err());
    }
}
