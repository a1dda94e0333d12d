//! The authorization code flow: validating an `/authorize` request (exact redirect URI, PKCE S256 for
//! public clients), issuing a single-use code once the person signed in, and redeeming it at the token
//! endpoint with the verifier.

use super::clients::Client;
use super::grants::{TokenRequest, TokenResponse};
use super::{SignIn, SignInFailure};
use crate::crypto::{random_token, sha256_b64url, verify_pkce_s256};
use serde::{Deserialize, Serialize};
use tenantry_domain::signin::{
    self, AUTH_CODE_LIFETIME, Authority, SignInError, Subject, code_redirect_mismatch, disabled,
    expired_grant, identity_enabled, invalid_grant, is_loopback_redirect, login_required,
    malformed_request, missing_parameter, parse_authority, parse_scope, pkce_mismatch,
    pkce_required, redirect_mismatch, subject, unsupported_response_type,
};
use tenantry_domain::{CONSUMERS_TENANT, Identity, TenantId};
use tenantry_store::signin::CodeRedemption;

/// Random bytes in an authorization code (256 bits).
const CODE_BYTES: usize = 32;

/// The query of an `/authorize` request.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuthorizeRequest {
    #[serde(skip)]
    pub authority: String,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub response_type: Option<String>,
    pub response_mode: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub prompt: Option<String>,
    pub login_hint: Option<String>,
    /// The v1 endpoint's `resource` (instead of `scope`): its `.default`, with an id token.
    pub resource: Option<String>,
}

impl AuthorizeRequest {
    /// The scope asked for: `scope=`, or for the v1 endpoint `resource=` (`user_scope_for_resource`).
    fn scope_text(&self) -> String {
        match (&self.scope, &self.resource) {
            (Some(scope), _) => scope.clone(),
            (None, Some(resource)) if !resource.is_empty() => {
                signin::user_scope_for_resource(resource)
            }
            (None, _) => String::new(),
        }
    }
}

/// How the answer travels back to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    Query,
    Fragment,
    FormPost,
}

/// Where and how to send the client its code or its error.
#[derive(Debug, Clone)]
pub struct Redirect {
    pub uri: String,
    pub mode: ResponseMode,
    pub state: Option<String>,
}

/// A validated `/authorize` request, waiting for the person to sign in.
#[derive(Debug, Clone)]
pub struct Authorization {
    pub authority: Authority,
    /// The application's name, to show on the page.
    pub client_name: String,
    pub redirect: Redirect,
    pub login_hint: Option<String>,
    /// OpenID Connect's `prompt`: `login`/`select_account` ask again, `none` must not ask at all.
    pub prompt: Option<String>,
    client: Client,
    scope: String,
    nonce: Option<String>,
    code_challenge: Option<String>,
}

/// Why an `/authorize` request cannot go on.
#[derive(Debug)]
pub enum AuthorizeError {
    /// Shown on the page: the client or its redirect URI is not to be trusted with a redirect.
    Page(SignInError),
    /// Sent back to the client's redirect URI (`error`, `error_description`, `state`).
    Redirect(Redirect, SignInError),
}

/// What an `/authorize` request does with the account already signed in in this browser (single
/// sign-on with the portal).
#[derive(Debug)]
pub enum SessionUse {
    /// Go on as the signed-in account, without asking.
    Continue(Subject),
    /// Show the sign-in page; with the reason when the signed-in account cannot be used here.
    Ask(Option<SignInError>),
    /// `prompt=none` and no usable account is signed in: back to the client with this error.
    Refuse(SignInError),
}

/// What a code stands for (stored as JSON under the code's hash).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct CodeData {
    client_id: String,
    redirect_uri: String,
    identity: Identity,
    /// The token's tenant (the consumer realm for personal accounts there).
    tenant: uuid::Uuid,
    scope: String,
    nonce: Option<String>,
    code_challenge: Option<String>,
}

/// What the token endpoint was given to redeem a code.
pub(crate) struct Redemption<'a> {
    pub code: &'a str,
    pub redirect_uri: Option<&'a str>,
    pub code_verifier: Option<&'a str>,
}

impl SignIn {
    /// Checks an `/authorize` request: client and redirect URI first (only then may errors be redirected).
    pub async fn validate_authorize(
        &self,
        req: &AuthorizeRequest,
    ) -> Result<Authorization, AuthorizeError> {
        let page = AuthorizeError::Page;
        let authority = self
            .service()
            .read(|w| parse_authority(w, &req.authority))
            .map_err(page)?;
        // No secret at /authorize: confidential clients prove themselves at the token endpoint.
        let client = self
            .flow_client(
                req.client_id.as_deref().unwrap_or_default(),
                None,
                &req.authority,
            )
            .await
            .map_err(page)?;
        let redirect_uri = req
            .redirect_uri
            .clone()
            .filter(|u| !u.is_empty())
            .ok_or_else(|| page(missing_parameter("redirect_uri")))?;
        if !redirect_allowed(&client, &redirect_uri) {
            return Err(page(redirect_mismatch(&redirect_uri, &client.id_string())));
        }
        let redirect = Redirect {
            uri: redirect_uri,
            mode: response_mode(req.response_mode.as_deref()),
            state: req.state.clone(),
        };
        let back = |e: SignInError| AuthorizeError::Redirect(redirect.clone(), e);
        check_flow(req, &client).map_err(back)?;
        Ok(Authorization {
            authority,
            client_name: self.client_name(&client),
            login_hint: req.login_hint.clone().filter(|h| !h.is_empty()),
            prompt: req.prompt.clone(),
            scope: req.scope_text(),
            nonce: req.nonce.clone(),
            code_challenge: req.code_challenge.clone(),
            redirect,
            client,
        })
    }

    pub(crate) fn client_name(&self, client: &Client) -> String {
        match client {
            Client::FirstParty { id } => signin::first_party_client(*id).unwrap_or("").to_string(),
            Client::Registered { app, .. } => app.display_name.clone(),
        }
    }

    /// Issues a code for a person who signed in for `authz`.
    pub async fn issue_code(
        &self,
        authz: &Authorization,
        subject: &Subject,
    ) -> Result<String, SignInFailure> {
        authz.client.allows_tenant(subject.tenant)?;
        let data = CodeData {
            client_id: authz.client.id_string(),
            redirect_uri: authz.redirect.uri.clone(),
            identity: subject.identity,
            tenant: subject.tenant,
            scope: authz.scope.clone(),
            nonce: authz.nonce.clone(),
            code_challenge: authz.code_challenge.clone(),
        };
        let json = serde_json::to_string(&data)
            .map_err(|e| crate::ServiceError::Internal(format!("code data: {e}")))?;
        let code = random_token(CODE_BYTES);
        let expires = self.service().now() + AUTH_CODE_LIFETIME;
        self.service()
            .store()
            .insert_auth_code(&sha256_b64url(&code), &json, expires)
            .await?;
        Ok(code)
    }

    /// `grant_type=authorization_code`. The code is used up by this call whatever follows: a wrong
    /// verifier cannot be retried against the same code.
    pub(crate) async fn code_grant(
        &self,
        req: &TokenRequest,
        redemption: Redemption<'_>,
    ) -> Result<TokenResponse, SignInFailure> {
        let client = self.requesting_client(req).await?;
        let now = self.service().now();
        let data = match self
            .service()
            .store()
            .redeem_auth_code(&sha256_b64url(redemption.code), now)
            .await?
        {
            CodeRedemption::Redeemed(json) => serde_json::from_str::<CodeData>(&json)
                .map_err(|e| crate::ServiceError::Internal(format!("code data: {e}")))?,
            CodeRedemption::Expired => return Err(expired_grant("authorization code").into()),
            CodeRedemption::Replayed | CodeRedemption::Unknown => {
                return Err(invalid_grant("code").into());
            }
        };
        check_redemption(&data, &client, &redemption)?;
        let subject = self.grant_subject(data.identity, data.tenant)?;
        let scope_text = req.scope.clone().unwrap_or_else(|| data.scope.clone());
        let scope = parse_scope(&scope_text)?;
        self.user_tokens(&subject, &client, &scope, None, data.nonce.clone())
            .await
    }

    /// The subject of a grant made earlier (a code, an approved device code) for `identity` in the
    /// token tenant `tenant`, if the account may still sign in there.
    pub(crate) fn grant_subject(
        &self,
        identity: Identity,
        tenant: uuid::Uuid,
    ) -> Result<Subject, SignInFailure> {
        let authority = if tenant == CONSUMERS_TENANT {
            Authority::Consumers
        } else {
            Authority::Tenant(TenantId(tenant))
        };
        self.service().read(|w| {
            if !identity_enabled(w, identity) {
                let name = w.identity_email(identity).unwrap_or_default();
                return Err(disabled(&name).into());
            }
            subject(w, identity, authority).map_err(SignInFailure::from)
        })
    }
}

/// The token request must come from the code's client, name its redirect URI, and prove PKCE.
fn check_redemption(
    data: &CodeData,
    client: &Client,
    redemption: &Redemption<'_>,
) -> Result<(), SignInError> {
    if data.client_id != client.id_string() {
        return Err(invalid_grant("code"));
    }
    if redemption.redirect_uri != Some(data.redirect_uri.as_str()) {
        return Err(code_redirect_mismatch());
    }
    match (&data.code_challenge, redemption.code_verifier) {
        (Some(challenge), Some(verifier)) if verify_pkce_s256(verifier, challenge) => Ok(()),
        (Some(_), Some(_)) => Err(pkce_mismatch()),
        (Some(_), None) => Err(missing_parameter("code_verifier")),
        (None, _) if client.is_public() => Err(pkce_required()),
        (None, _) => Ok(()),
    }
}

/// Registered applications: exact match with a registered URI. First-party public clients: the loopback
/// interface on any port (RFC 8252 §7.3), as Entra allows them.
fn redirect_allowed(client: &Client, uri: &str) -> bool {
    match client {
        Client::FirstParty { .. } => is_loopback_redirect(uri),
        Client::Registered { app, .. } => app.redirect_uris.iter().any(|r| r == uri),
    }
}

fn response_mode(raw: Option<&str>) -> ResponseMode {
    match raw {
        Some("fragment") => ResponseMode::Fragment,
        Some("form_post") => ResponseMode::FormPost,
        _ => ResponseMode::Query,
    }
}

/// The flow's own checks, answered by redirect: `code` only, a valid scope, PKCE S256 (required of
/// public clients), no silent sign-in (there is no session to be silent with).
fn check_flow(req: &AuthorizeRequest, client: &Client) -> Result<(), SignInError> {
    match req.response_type.as_deref() {
        Some("code") => {}
        None => return Err(missing_parameter("response_type")),
        Some(other) => return Err(unsupported_response_type(other)),
    }
    parse_scope(&req.scope_text())?;
    match (&req.code_challenge, req.code_challenge_method.as_deref()) {
        (Some(_), Some("S256")) => {}
        (Some(_), _) => {
            return Err(malformed_request(
                "The code_challenge_method must be 'S256'.",
            ));
        }
        (None, _) if client.is_public() => return Err(pkce_required()),
        (None, _) => {}
    }
    Ok(())
}

impl SignIn {
    /// Single sign-on: whether the account signed in in this browser (`signed_in`) answers `authz`
    /// without asking. It does unless the request asks to sign in again (`prompt=login` or
    /// `select_account`), names another account (`login_hint`), or the account cannot sign in at the
    /// request's authority (not present in that tenant, disabled). With `prompt=none` nothing is ever
    /// asked: the client gets `login_required` or `interaction_required` instead.
    pub fn use_session(&self, authz: &Authorization, signed_in: Option<Identity>) -> SessionUse {
        let prompt = authz.prompt.as_deref();
        let ask_again = matches!(prompt, Some("login") | Some("select_account"));
        let silent = prompt == Some("none");
        let found = signed_in.filter(|_| !ask_again).map(|identity| {
            self.service().read(|w| {
                let name = w.identity_email(identity).unwrap_or_default();
                if authz
                    .login_hint
                    .as_deref()
                    .is_some_and(|hint| !hint.trim().eq_ignore_ascii_case(&name))
                {
                    return Err(None);
                }
                if !identity_enabled(w, identity) {
                    return Err(Some(disabled(&name)));
                }
                subject(w, identity, authz.authority)
                    .map_err(|e| Some(signed_in_elsewhere(&name, e)))
            })
        });
        match (found, silent) {
            (Some(Ok(s)), _) => SessionUse::Continue(s),
            (None, true) | (Some(Err(None)), true) => SessionUse::Refuse(login_required()),
            (Some(Err(Some(e))), true) => SessionUse::Refuse(e.needs_interaction()),
            (None, false) => SessionUse::Ask(None),
            (Some(Err(e)), false) => SessionUse::Ask(e),
        }
    }
}

/// Why the account signed in in this browser cannot be used for the request, and what to do.
fn signed_in_elsewhere(name: &str, e: SignInError) -> SignInError {
    SignInError {
        message: format!(
            "You are signed in as {name}, but that account cannot sign in here: {} Sign in with another account.",
            e.message
        ),
        ..e
    }
    .with_arg("signed_in_as", name)
}

impl SignIn {
    /// Where logout may send the browser: a redirect URI some application registered, or the loopback
    /// interface (native clients). Anything else would make logout an open redirector.
    pub fn logout_redirect_allowed(&self, uri: &str) -> bool {
        is_loopback_redirect(uri)
            || self.service().read(|w| {
                w.tenants()
                    .flat_map(|t| t.applications.values())
                    .any(|a| a.redirect_uris.iter().any(|r| r == uri))
            })
    }
}
