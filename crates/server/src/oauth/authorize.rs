//! `GET/POST /{tenant}/oauth2/v2.0/authorize`: the request is validated by the sign-in service on every
//! step (the query travels in the form's action, so no server-side state is kept between pages); the
//! pages ask for the email, the account type when the email is both a personal and a work account, and
//! the password; success redirects to the client with a single-use code. And logout.

use super::page::{self, PageContext};
use super::{ClientAddr, discovery};
use crate::app::AppState;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tenantry_domain::signin::{AccountKind, SignInError, candidates, malformed_request};
use tenantry_service::crypto::{constant_time_eq, random_token};
use tenantry_service::signin::{
    Authorization, AuthorizeError, AuthorizeRequest, PasswordSignIn, Redirect, SignInFailure,
};

/// The fields the pages post.
#[derive(Deserialize, Default)]
pub struct SubmitForm {
    csrf: Option<String>,
    step: Option<String>,
    username: Option<String>,
    account_type: Option<String>,
    password: Option<String>,
}

/// One page view: the validated request, where forms post, the CSRF token and whether to set it.
struct View {
    authz: Authorization,
    action: String,
    csrf: String,
    new_cookie: bool,
}

impl View {
    fn ctx(&self) -> PageContext<'_> {
        PageContext {
            action: &self.action,
            csrf: &self.csrf,
            client_name: &self.authz.client_name,
        }
    }

    fn show(&self, html: String) -> Response {
        let cookie = self.new_cookie.then_some(self.csrf.as_str());
        page::page(StatusCode::OK, html, cookie)
    }
}

/// Validates the query; an error is a page or a redirect back to the client.
async fn view(
    state: &AppState,
    tenant: String,
    query: Result<Query<AuthorizeRequest>, QueryRejection>,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
) -> Result<View, Response> {
    let Ok(Query(mut req)) = query else {
        return Err(page::error_page(&malformed_request(
            "The query string could not be read.",
        )));
    };
    req.authority = tenant;
    let authz = match state.signin.validate_authorize(&req).await {
        Ok(a) => a,
        Err(AuthorizeError::Page(e)) => return Err(page::error_page(&e)),
        Err(AuthorizeError::Redirect(to, e)) => return Err(page::redirect_error(&to, &e)),
    };
    let (csrf, new_cookie) = match page::csrf_cookie(headers) {
        Some(c) if c.len() >= 16 => (c, false),
        _ => (random_token(16), true),
    };
    Ok(View {
        authz,
        action: uri.to_string(),
        csrf,
        new_cookie,
    })
}

pub async fn show(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    query: Result<Query<AuthorizeRequest>, QueryRejection>,
) -> Response {
    let v = match view(&state, tenant, query, &uri, &headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    match v.authz.login_hint.clone().filter(|h| !h.is_empty()) {
        Some(hint) => after_email(&state, &v, &hint),
        None => v.show(page::email_page(&v.ctx(), None, None)),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    client: ClientAddr,
    query: Result<Query<AuthorizeRequest>, QueryRejection>,
    form: Result<Form<SubmitForm>, FormRejection>,
) -> Response {
    let v = match view(&state, tenant, query, &uri, &headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let form = form.map(|Form(f)| f).unwrap_or_default();
    // The form must carry the token of the cookie its page set: a form posted from elsewhere
    // (login CSRF) does not know it.
    let csrf_ok = !v.new_cookie
        && form
            .csrf
            .as_deref()
            .is_some_and(|f| constant_time_eq(f.as_bytes(), v.csrf.as_bytes()));
    if !csrf_ok {
        let e = SignInError::new(
            "invalid_request",
            90014,
            "The sign-in page expired. Enter your email again.",
        );
        return v.show(page::email_page(&v.ctx(), None, Some(&e)));
    }
    let username = form.username.clone().unwrap_or_default();
    match form.step.as_deref() {
        Some("email") if !username.is_empty() => after_email(&state, &v, &username),
        Some("kind") | Some("password") if !username.is_empty() => {
            let kind = account_kind(form.account_type.as_deref());
            match form.password.as_deref().filter(|p| !p.is_empty()) {
                Some(password) => sign_in(&state, &v, &username, kind, password, client).await,
                None => v.show(page::password_page(
                    &v.ctx(),
                    &username,
                    form.account_type.as_deref(),
                    None,
                )),
            }
        }
        _ => v.show(page::email_page(&v.ctx(), None, None)),
    }
}

fn account_kind(raw: Option<&str>) -> Option<AccountKind> {
    match raw {
        Some("organizational") => Some(AccountKind::Organizational),
        Some("personal") => Some(AccountKind::Personal),
        _ => None,
    }
}

/// After the email: the account-type picker when the email names two accounts here, else the password.
/// Nothing else is said about the email before the password (no account enumeration on this page).
fn after_email(state: &AppState, v: &View, username: &str) -> Response {
    let dual = state
        .svc
        .read(|w| candidates(w, v.authz.authority, username))
        .is_err_and(|e| e.code == 50001);
    if dual {
        v.show(page::picker_page(&v.ctx(), username))
    } else {
        v.show(page::password_page(&v.ctx(), username, None, None))
    }
}

async fn sign_in(
    state: &AppState,
    v: &View,
    username: &str,
    kind: Option<AccountKind>,
    password: &str,
    client: ClientAddr,
) -> Response {
    let attempt = PasswordSignIn {
        authority: v.authz.authority,
        username,
        password,
        kind,
        client: client.0,
    };
    let kind_field = kind.map(|k| match k {
        AccountKind::Organizational => "organizational",
        AccountKind::Personal => "personal",
    });
    let subject = match state.signin.check_password(attempt).await {
        Ok(s) => s,
        Err(SignInFailure::Refused(e)) if e.code == 50001 => {
            return v.show(page::picker_page(&v.ctx(), username));
        }
        Err(SignInFailure::Refused(e)) => {
            return v.show(page::password_page(
                &v.ctx(),
                username,
                kind_field,
                Some(&e),
            ));
        }
        Err(failure) => return super::entra_error(failure).into_response(),
    };
    match state.signin.issue_code(&v.authz, &subject).await {
        Ok(code) => page::redirect(&v.authz.redirect, &[("code", &code)]),
        Err(SignInFailure::Refused(e)) => page::redirect_error(&v.authz.redirect, &e),
        Err(failure) => super::entra_error(failure).into_response(),
    }
}

#[derive(Deserialize, Default)]
pub struct LogoutQuery {
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
}

/// Logout: tenantry keeps no sign-in session for these pages, so there is nothing to end but the page's
/// cookie; the browser goes back to the client when its URI is one tenantry knows.
pub async fn logout(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    query: Result<Query<LogoutQuery>, QueryRejection>,
) -> Response {
    if let Err(e) = discovery::authority(&state, &tenant) {
        return e.into_response();
    }
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let mut response = match q.post_logout_redirect_uri {
        Some(uri) if state.signin.logout_redirect_allowed(&uri) => {
            let to = Redirect {
                uri,
                mode: tenantry_service::signin::ResponseMode::Query,
                state: q.state,
            };
            page::redirect(&to, &[])
        }
        _ => page::page(
            StatusCode::OK,
            page::message_page(
                "You signed out of your account",
                "It's a good idea to close all browser windows.",
            ),
            None,
        ),
    };
    if let Ok(v) = format!(
        "{}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0",
        page::CSRF_COOKIE
    )
    .parse()
    {
        response
            .headers_mut()
            .append(axum::http::header::SET_COOKIE, v);
    }
    response
}
