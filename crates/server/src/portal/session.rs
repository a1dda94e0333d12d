//! Portal sessions and CSRF protection.
//!
//! - The browser holds a random 256-bit session id in a `__Host-` cookie (`Secure; HttpOnly;
//!   SameSite=Lax; Path=/`); the database holds only its SHA-256, so a leaked table opens no session.
//! - A session is bound to the sign-in that made it: to the identity and to a fingerprint of that
//!   identity's credential at the time. A password reset, a disabled or deleted account ends it.
//! - Signing in replaces the session (a new id: no fixation); signing out deletes it.
//! - Every form carries the session's synchroniser token, compared in constant time ([`CsrfForm`]).
//!   SameSite=Lax (not Strict) because `/authorize` is reached by a top-level navigation from another site.
//! - A handler takes the session with [`Ctx`] (or [`SignedIn`], which also needs someone signed in) and
//!   never saves it: the session layer ([`save_sessions`]) does, with the cookie, when the request ends,
//!   whatever the handler returned. A forged form (refused for its CSRF token) saves nothing.

use crate::app::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Form, FromRequest, FromRequestParts, Request, State};
use axum::http::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use tenantry_service::crypto::secrets::{constant_time_eq, random_token, sha256_b64url};
use tenantry_service::domain::rules::reads;
use tenantry_service::domain::signin;
use tenantry_service::domain::*;
use tenantry_service::sessions::SessionRow;

use super::PortalError;
use super::i18n::Lang;
use super::refusals;

pub const COOKIE_NAME: &str = "__Host-tenantry";
/// A signed-in session lasts a working day at most.
pub const SIGNED_IN_LIFETIME: i64 = 8 * 3600;
/// A session without a sign-in (a sign-in in progress) lasts an hour.
pub const ANONYMOUS_LIFETIME: i64 = 3600;

/// A message shown once, on the next page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Flash {
    pub is_error: bool,
    pub title: String,
    pub message: String,
    pub remedy: Option<String>,
    pub details: Vec<String>,
    /// The form field a refusal is about: shown next to that field instead of at the top of the page.
    #[serde(default)]
    pub field: Option<String>,
    /// A refusal's code (Entra's AADSTS…): secondary detail, for a support request, under the message.
    #[serde(default)]
    pub code: Option<String>,
}

impl Flash {
    pub fn ok(title: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            is_error: false,
            title: title.into(),
            message: message.into(),
            remedy: None,
            details: vec![],
            field: None,
            code: None,
        }
    }
    /// A rule's refusal in the person's language (`lang`): its title says what kind of failure it is, so
    /// that a person knows at a glance whether to fix the form, ask someone for access, or wait; the
    /// message and the remedy below it say the rest.
    pub fn error(lang: Lang, e: &DomainError) -> Self {
        use tenantry_service::domain::ErrorKind;
        let title = match e.kind {
            ErrorKind::Invalid => lang.t("refused-title-invalid"),
            ErrorKind::Forbidden => lang.t("refused-title-forbidden"),
            ErrorKind::NotFound => lang.t("refused-title-not-found"),
            ErrorKind::Conflict => lang.t("refused-title-conflict"),
        };
        Self {
            is_error: true,
            title,
            message: refusals::message(lang, e),
            remedy: refusals::remedy(lang, e),
            details: refusals::details(lang, e),
            field: None,
            code: None,
        }
    }

    /// A refusal of a form whose title says what failed (`failed`, a catalogue key such as
    /// `failed-add-the-co-administrator`: "Could not add the co-administrator"), next to the field it is
    /// about when there is one.
    pub fn form_error(lang: Lang, failed: &str, field: Option<&str>, e: &DomainError) -> Self {
        Self {
            title: lang.t(failed),
            field: field.map(Into::into),
            ..Self::error(lang, e)
        }
    }
}

/// A sign-in in progress: the email typed, and which account it means when it is both.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq, Eq)]
pub struct SignInProgress {
    pub email: String,
    pub dual: bool,
    /// `organizational` or `personal`, once picked.
    pub account_type: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct SessionData {
    pub csrf: String,
    pub identity: Option<Identity>,
    /// The directory the person acts in (the switcher); `None` until chosen.
    pub tenant: Option<TenantId>,
    /// Fingerprint of the credential the identity signed in with.
    pub credential: Option<String>,
    pub signed_in_at: i64,
    pub flash: Vec<Flash>,
    pub signin: Option<SignInProgress>,
    /// Where to go after signing in (a path on this origin).
    pub return_to: Option<String>,
    /// A note for the sign-in page ("sign in as a Global Administrator of Contoso").
    pub notice: Option<Flash>,
    /// What the signed-out page and the next sign-in should say and where it should lead, set by a flow
    /// that signs the person out on purpose ("use existing directory").
    pub after_sign_out: Option<Flash>,
    pub after_sign_out_return: Option<String>,
    /// What was typed in a refused form, by field id, to fill the form in again on the page the
    /// refusal leads back to (taken by that page, like the messages; never a secret).
    #[serde(default)]
    pub kept: Vec<(String, String)>,
}

pub struct Session {
    pub id_hash: String,
    /// The raw id, when the browser still has to be given it.
    new_id: Option<String>,
    pub data: SessionData,
    saved: String,
    pub expires: i64,
    stored: bool,
}

impl Session {
    /// What a [`Ctx`] holds once it has handed its session to the layer.
    fn handed_over() -> Self {
        Session {
            id_hash: String::new(),
            new_id: None,
            data: SessionData::default(),
            saved: String::new(),
            expires: 0,
            stored: true,
        }
    }

    fn fresh(now: i64, data: SessionData, lifetime: i64) -> Self {
        let id = random_token(32);
        let mut data = data;
        data.csrf = random_token(32);
        Session {
            id_hash: sha256_b64url(&id),
            new_id: Some(id),
            data,
            saved: String::new(),
            expires: now + lifetime,
            stored: false,
        }
    }
}

/// The CSRF token the session expects, left for [`CsrfForm`] by the [`Ctx`] extractor.
#[derive(Clone)]
struct ExpectedCsrf(String);

/// Everything a portal handler needs: the service and the browser's session. Dropped (when the handler is
/// done, or an extractor after it refused), it hands the session to the session layer, which saves it.
pub struct Ctx {
    pub state: AppState,
    /// The browser's address (per-address sign-in lockout), when the server knows it.
    pub client_ip: Option<std::net::IpAddr>,
    pub session: Session,
    /// The language the person reads (`lang` cookie, else `Accept-Language`; see `super::i18n`).
    pub lang: super::i18n::Lang,
    /// Old session rows to delete when the response goes out (sign-in, sign-out).
    retired: Vec<String>,
    slot: SessionSlot,
}

/// A session on its way from the handler to the session layer.
struct Handoff {
    session: Session,
    retired: Vec<String>,
}

/// Where the session layer waits for the request's session: one per request, shared with the [`Ctx`]
/// extracted from it.
#[derive(Clone, Default)]
struct SessionSlot(Arc<Mutex<Option<Handoff>>>);

impl SessionSlot {
    fn put(&self, handoff: Handoff) {
        // A poisoned lock only means another holder panicked; the slot's content is still whole.
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(handoff);
    }
    fn take(&self) -> Option<Handoff> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

impl Drop for Ctx {
    fn drop(&mut self) {
        self.slot.put(Handoff {
            session: std::mem::replace(&mut self.session, Session::handed_over()),
            retired: std::mem::take(&mut self.retired),
        });
    }
}

/// Marks a response after which nothing of the session is saved: a refused forged form must not even
/// start a session.
#[derive(Clone, Copy)]
pub(crate) struct SaveNothing;

/// The session layer (on every route: the portal's pages, `/authorize`, the invitation pages): after the
/// handler, saves the session the request used and gives the browser its cookie. A request that never
/// asked for its session leaves the slot empty and costs nothing more.
pub async fn save_sessions(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let slot = SessionSlot::default();
    req.extensions_mut().insert(slot.clone());
    let response = next.run(req).await;
    match slot.take() {
        Some(handoff) if response.extensions().get::<SaveNothing>().is_none() => {
            handoff.save(&state, response).await
        }
        _ => response,
    }
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    cookie_named(headers, COOKIE_NAME).map(str::to_string)
}

/// The value of the request's cookie `name` (the session's, the language's).
pub(crate) fn cookie_named<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The fingerprint of an identity's current credential, `None` when it cannot sign in any more.
pub fn credential_fingerprint(world: &World, identity: Identity) -> Option<String> {
    match signin::credentials(world, identity) {
        Some((hash, true)) => Some(sha256_b64url(hash)),
        _ => None,
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = PortalError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(slot) = parts.extensions.get::<SessionSlot>().cloned() else {
            return Err(PortalError::Internal(
                "this route is not behind the session layer".into(),
            ));
        };
        let now = state.svc.now();
        let mut retired = Vec::new();
        let mut ended = None;
        let loaded = match cookie_value(&parts.headers) {
            Some(id) if id.len() <= 128 => {
                let hash = sha256_b64url(&id);
                state.svc.session(&hash).await?
            }
            _ => None,
        };
        let session = match loaded.and_then(|row| {
            let data: SessionData = serde_json::from_str(&row.data).ok()?;
            Some((row, data))
        }) {
            Some((row, data)) => {
                // Bound to the sign-in: the same identity with the same credential, still enabled.
                let valid = match data.identity {
                    None => true,
                    Some(identity) => {
                        let fp = state.svc.read(|w| credential_fingerprint(w, identity));
                        fp.is_some() && fp == data.credential
                    }
                };
                if valid {
                    Session {
                        id_hash: row.id_hash,
                        new_id: None,
                        saved: row.data,
                        data,
                        expires: row.expires,
                        stored: true,
                    }
                } else {
                    retired.push(row.id_hash);
                    let lang = super::i18n::Lang::of_request(&parts.headers);
                    ended = Some(Flash {
                        is_error: true,
                        title: lang.t("signed-out-ended-title"),
                        message: lang.t("signed-out-ended-message"),
                        remedy: Some(lang.t("signed-out-ended-remedy")),
                        details: vec![],
                        field: None,
                        code: None,
                    });
                    Session::fresh(now, SessionData::default(), ANONYMOUS_LIFETIME)
                }
            }
            None => Session::fresh(now, SessionData::default(), ANONYMOUS_LIFETIME),
        };
        parts
            .extensions
            .insert(ExpectedCsrf(session.data.csrf.clone()));
        let client_ip = crate::client_addr::client_ip(parts, &state.trusted_proxies);
        let mut ctx = Ctx {
            state: state.clone(),
            client_ip,
            session,
            lang: super::i18n::Lang::of_request(&parts.headers),
            retired,
            slot,
        };
        if let Some(f) = ended {
            ctx.session.data.notice = Some(f);
        }
        Ok(ctx)
    }
}

impl Ctx {
    pub fn now(&self) -> i64 {
        self.state.svc.now()
    }

    pub fn identity(&self) -> Option<Identity> {
        self.session.data.identity
    }

    pub fn flash(&mut self, f: Flash) {
        self.session.data.flash.push(f);
    }

    pub fn flash_ok(&mut self, title: impl Into<String>, message: impl Into<String>) {
        self.flash(Flash::ok(title, message));
    }

    pub fn flash_error(&mut self, e: &DomainError) {
        self.flash(Flash::error(self.lang, e));
    }

    /// Starts a new signed-in session for `identity` (a new id; the old row goes).
    pub fn sign_in(&mut self, identity: Identity) {
        let now = self.now();
        let credential = self.state.svc.read(|w| credential_fingerprint(w, identity));
        let old = std::mem::take(&mut self.session.data);
        if self.session.stored {
            self.retired.push(self.session.id_hash.clone());
        }
        self.session = Session::fresh(
            now,
            SessionData {
                identity: Some(identity),
                credential,
                signed_in_at: now,
                flash: old.flash,
                ..Default::default()
            },
            SIGNED_IN_LIFETIME,
        );
    }

    /// Ends the session and starts an empty one (for the signed-out page and the next sign-in).
    pub fn sign_out(&mut self) {
        let now = self.now();
        if self.session.stored {
            self.retired.push(self.session.id_hash.clone());
        }
        let old = std::mem::take(&mut self.session.data);
        self.session = Session::fresh(
            now,
            SessionData {
                notice: old.after_sign_out,
                return_to: old.after_sign_out_return,
                ..Default::default()
            },
            ANONYMOUS_LIFETIME,
        );
    }

    /// The actor the person is in the directory they act in (like a token for that tenant).
    pub fn actor(&self) -> Option<Actor> {
        let identity = self.identity()?;
        let tenant = self.session.data.tenant;
        Some(
            self.state
                .svc
                .read(|w| reads::acting_actor(w, identity, tenant)),
        )
    }

    /// The actor in `tenant`, making it the directory the person acts in; `None` when not present there.
    pub fn act_in(&mut self, tenant: TenantId) -> Option<Actor> {
        let identity = self.identity()?;
        self.enter(identity, tenant).ok()
    }

    /// [`Ctx::act_in`], or the refusal a page of that directory shows.
    pub fn enter(&mut self, identity: Identity, tenant: TenantId) -> Result<Actor, DomainError> {
        let actor = self
            .state
            .svc
            .read(|w| reads::require_actor_in(w, identity, tenant))?;
        self.session.data.tenant = Some(tenant);
        Ok(actor)
    }
}

impl Handoff {
    /// Deletes the retired rows, writes the session if it changed, and gives the browser a new cookie.
    async fn save(self, state: &AppState, mut response: Response) -> Response {
        let Handoff { session, retired } = self;
        let svc = &state.svc;
        let now = svc.now();
        for old in retired {
            if let Err(e) = svc.end_session(&old).await {
                tracing::warn!(error = %e, "could not delete a session");
            }
        }
        let data = serde_json::to_string(&session.data).unwrap_or_default();
        let result = if !session.stored {
            svc.start_session(&SessionRow {
                id_hash: session.id_hash.clone(),
                identity: session
                    .data
                    .identity
                    .and_then(|i| serde_json::to_string(&i).ok())
                    .unwrap_or_default(),
                created: now,
                expires: session.expires,
                data,
            })
            .await
        } else if data != session.saved {
            svc.update_session(&session.id_hash, &data, session.expires)
                .await
                .map(|_| ())
        } else {
            Ok(())
        };
        if let Err(e) = result {
            tracing::error!(error = %e, "could not save a portal session");
            return PortalError::Internal("could not save the session".into()).page();
        }
        if let Some(id) = &session.new_id {
            let max_age = (session.expires - now).max(0);
            let cookie = format!(
                "{COOKIE_NAME}={id}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age={max_age}"
            );
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(SET_COOKIE, v);
            }
        }
        response
    }
}

/// A portal request from someone signed in: the session, who they are, and the actor they are in the
/// directory they act in. With nobody signed in, a page (GET) sends the browser to sign in and back
/// here; a form is refused as one that did not come from this session (no page of a session without a
/// sign-in has these forms), as its CSRF token would be.
pub struct SignedIn {
    pub ctx: Ctx,
    pub actor: Actor,
    pub identity: Identity,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let mut ctx = Ctx::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if let (Some(identity), Some(actor)) = (ctx.identity(), ctx.actor()) {
            return Ok(SignedIn {
                ctx,
                actor,
                identity,
            });
        }
        if parts.method != Method::GET && parts.method != Method::HEAD {
            return Err(PortalError::Csrf.into_response());
        }
        ctx.session.data.return_to = parts
            .uri
            .path_and_query()
            .and_then(|p| super::signin::safe_return(p.as_str()));
        Err(Redirect::to("/signin").into_response())
    }
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// A form whose `csrf` field must equal the session's token (compared in constant time); a handler that
/// takes one cannot run without it. Refused with a 403 page otherwise.
pub struct CsrfForm<T>(pub T);

/// Forms are small: a bigger body is refused before parsing.
const MAX_FORM: usize = 64 * 1024;

fn form_request(bytes: Bytes) -> Request {
    let mut r = Request::new(Body::from(bytes));
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    *r.method_mut() = axum::http::Method::POST;
    r
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = PortalError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let expected = req.extensions().get::<ExpectedCsrf>().cloned();
        let bytes = axum::body::to_bytes(req.into_body(), MAX_FORM)
            .await
            .map_err(|_| PortalError::Invalid("The form is too large.".into()))?;
        let Form(given) = Form::<CsrfOnly>::from_request(form_request(bytes.clone()), state)
            .await
            .map_err(|_| PortalError::Csrf)?;
        match expected {
            Some(ExpectedCsrf(token))
                if !token.is_empty()
                    && constant_time_eq(token.as_bytes(), given.csrf.as_bytes()) => {}
            _ => return Err(PortalError::Csrf),
        }
        let Form(value) = Form::<T>::from_request(form_request(bytes), state)
            .await
            .map_err(|e| PortalError::Invalid(format!("The form could not be read: {e}")))?;
        Ok(CsrfForm(value))
    }
}
