//! `GET/POST /{tenant}/oauth2/v2.0/authorize`: the request is validated by the sign-in service on every
//! step (the query travels in the form's action, so no server-side state is kept between pages). The
//! pages are the portal's sign-in pages, and the browser's portal session is the single sign-on session:
//! someone signed in to the portal is sent back to the client at once (unless the request says
//! otherwise, see [`SignIn::use_session`]), and signing in here signs in to the portal too. Success
//! redirects to the client with a single-use code. And logout, which ends that session.
//!
//! [`SignIn::use_session`]: tenantry_service::signin::SignIn::use_session

use super::discovery;
use super::page;
use crate::app::AppState;
use crate::portal::pages::Chrome;
use crate::portal::session::Ctx;
use crate::portal::signin_pages::{EmailStep, PasswordStep, PickerStep, StepForm, account_label};
use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, OriginalUri, Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tenantry_domain::signin::{
    AccountKind, EntraCode, SignInError, Subject, candidates, malformed_request,
    sign_in_page_expired,
};
use tenantry_service::crypto::constant_time_eq;
use tenantry_service::signin::{
    Authorization, AuthorizeError, AuthorizeRequest, PasswordSignIn, Redirect, SessionUse,
    SignInFailure,
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

/// One page view: the validated request, where forms post, and the browser's portal session (its
/// CSRF token ties a form to its page; its identity is the single sign-on).
struct View {
    authz: Authorization,
    action: String,
    ctx: Ctx,
}

impl View {
    /// Shows a sign-in step and saves the session.
    async fn show(self, page: &impl Template) -> Response {
        crate::portal::html(page)
    }

    /// The frame of a step: no navigation, the session's CSRF token for the form, the person's
    /// language (the footer's switch comes back to this step's address).
    fn chrome(&self) -> Chrome {
        Chrome {
            csrf: self.ctx.session.data.csrf.clone(),
            here: self.action.clone(),
            lang: self.ctx.lang,
            ..Chrome::bare()
        }
    }

    /// A step's form: it posts back here with the flow's fields.
    fn form(&self, hidden: Vec<(&'static str, String)>, error: Option<&SignInError>) -> StepForm {
        StepForm {
            action: self.action.clone(),
            hidden,
            error: error.map(|e| crate::portal::refusals::sign_in_description(self.ctx.lang, e)),
            restart: None,
        }
    }

    async fn email(self, hint: Option<&str>, error: Option<&SignInError>) -> Response {
        let page = EmailStep {
            chrome: self.chrome(),
            form: self.form(vec![("step", "email".into())], error),
            field: "username",
            email: hint.unwrap_or_default().to_string(),
            client_name: Some(self.authz.client_name.clone()),
            notice: None,
        };
        self.show(&page).await
    }

    async fn picker(self, username: &str) -> Response {
        let hidden = vec![("step", "kind".into()), ("username", username.to_string())];
        let page = PickerStep {
            chrome: self.chrome(),
            form: self.form(hidden, None),
            email: username.to_string(),
        };
        self.show(&page).await
    }

    async fn password(
        self,
        username: &str,
        kind: Option<AccountKind>,
        error: Option<&SignInError>,
    ) -> Response {
        let mut hidden = vec![("step", "password".into())];
        hidden.extend(kind.map(|k| ("account_type", k.name().to_string())));
        let page = PasswordStep {
            chrome: self.chrome(),
            form: self.form(hidden, error),
            email: username.to_string(),
            account_label: account_label(kind),
        };
        self.show(&page).await
    }

    /// Sends the client a code for `subject`, or the reason it cannot have one.
    async fn issue_code(self, state: &AppState, subject: &Subject) -> Response {
        match state.signin.issue_code(&self.authz, subject).await {
            Ok(code) => page::redirect(&self.authz.redirect, &[("code", &code)]),
            Err(SignInFailure::Refused(e)) => page::redirect_error(&self.authz.redirect, &e),
            Err(failure) => super::entra_error(failure).into_response(),
        }
    }
}

/// Validates the query; an error is a page or a redirect back to the client.
async fn view(
    state: &AppState,
    tenant: String,
    query: Result<Query<AuthorizeRequest>, QueryRejection>,
    uri: &axum::http::Uri,
    ctx: Ctx,
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
    Ok(View {
        authz,
        action: uri.to_string(),
        ctx,
    })
}

pub async fn show(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    OriginalUri(uri): OriginalUri,
    ctx: Ctx,
    query: Result<Query<AuthorizeRequest>, QueryRejection>,
) -> Response {
    let v = match view(&state, tenant, query, &uri, ctx).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    match state.signin.use_session(&v.authz, v.ctx.identity()) {
        SessionUse::Continue(subject) => v.issue_code(&state, &subject).await,
        SessionUse::Refuse(e) => page::redirect_error(&v.authz.redirect, &e),
        SessionUse::Ask(error) => match (v.authz.login_hint.clone(), error) {
            (Some(hint), None) => after_email(&state, v, &hint).await,
            (hint, error) => v.email(hint.as_deref(), error.as_ref()).await,
        },
    }
}

pub async fn submit(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    OriginalUri(uri): OriginalUri,
    ctx: Ctx,
    query: Result<Query<AuthorizeRequest>, QueryRejection>,
    form: Result<Form<SubmitForm>, FormRejection>,
) -> Response {
    let v = match view(&state, tenant, query, &uri, ctx).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let form = form.map(|Form(f)| f).unwrap_or_default();
    // The form must carry the session's token, which only the page this server showed knows: a form
    // posted from elsewhere (login CSRF) does not.
    let expected = &v.ctx.session.data.csrf;
    let csrf_ok = !expected.is_empty()
        && form
            .csrf
            .as_deref()
            .is_some_and(|f| constant_time_eq(f.as_bytes(), expected.as_bytes()));
    if !csrf_ok {
        return v.email(None, Some(&sign_in_page_expired())).await;
    }
    let username = form.username.clone().unwrap_or_default();
    match form.step.as_deref() {
        Some("email") if !username.is_empty() => after_email(&state, v, &username).await,
        Some("kind") | Some("password") if !username.is_empty() => {
            let kind = form
                .account_type
                .as_deref()
                .and_then(AccountKind::from_name);
            match form.password.as_deref().filter(|p| !p.is_empty()) {
                Some(password) => sign_in(&state, v, &username, kind, password).await,
                None => v.password(&username, kind, None).await,
            }
        }
        _ => v.email(None, None).await,
    }
}

/// After the email: the account-type picker when the email names two accounts here, else the password.
/// Nothing else is said about the email before the password (no account enumeration on this page).
async fn after_email(state: &AppState, v: View, username: &str) -> Response {
    let dual = state
        .svc
        .read(|w| candidates(w, v.authz.authority, username))
        .is_err_and(|e| e.code == EntraCode::AmbiguousAccount);
    if dual {
        v.picker(username).await
    } else {
        v.password(username, None, None).await
    }
}

async fn sign_in(
    state: &AppState,
    mut v: View,
    username: &str,
    kind: Option<AccountKind>,
    password: &str,
) -> Response {
    let attempt = PasswordSignIn {
        authority: v.authz.authority,
        username,
        password,
        kind,
        client: v.ctx.client_ip,
    };
    match state.signin.check_password(attempt).await {
        Ok(subject) => {
            // Signed in here is signed in to the portal: the next /authorize (any client) and the
            // portal's pages need no password until the session ends.
            v.ctx.sign_in(subject.identity);
            v.issue_code(state, &subject).await
        }
        Err(SignInFailure::Refused(e)) if e.code == EntraCode::AmbiguousAccount => {
            v.picker(username).await
        }
        Err(SignInFailure::Refused(e)) => v.password(username, kind, Some(&e)).await,
        Err(failure) => super::entra_error(failure).into_response(),
    }
}

#[derive(Deserialize, Default)]
pub struct LogoutQuery {
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
}

/// Logout: ends the browser's sign-in session (the portal's, shared with `/authorize`), then goes back
/// to the client when its URI is one tenantry knows.
pub async fn logout(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    mut ctx: Ctx,
    query: Result<Query<LogoutQuery>, QueryRejection>,
) -> Response {
    if let Err(e) = discovery::authority(&state, &tenant) {
        return e.into_response();
    }
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let response = match q.post_logout_redirect_uri {
        Some(uri) if state.signin.logout_redirect_allowed(&uri) => {
            let to = Redirect {
                uri,
                mode: tenantry_service::signin::ResponseMode::Query,
                state: q.state,
            };
            page::redirect(&to, &[])
        }
        _ => page::signed_out_page(),
    };
    ctx.sign_out();
    response
}
