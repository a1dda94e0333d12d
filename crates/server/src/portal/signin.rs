//! Signing in to the portal: email → (when the email is both a personal and a work account) the
//! account-type picker → password → in. The password is checked by the sign-in service (lockout, bounded
//! Argon2); this module only walks the pages. `/{tenant}/oauth2/v2.0/authorize` shows the same pages
//! ([`super::signin_pages`]) and shares the session: signed in here is signed in there.

use super::PortalResult;
use super::i18n::Lang;
use super::pages::*;
use super::session::{CsrfForm, Ctx, Flash, SignInProgress};
use super::signin_pages::{EmailStep, PasswordStep, PickerStep, StepForm, account_label};
use axum::extract::Query;
use serde::Deserialize;
use tenantry_service::domain::signin::{
    AccountKind, Authority, EntraCode, SignInError, temporarily_unavailable, unknown_user,
};
use tenantry_service::domain::*;
use tenantry_service::signin::{PasswordSignIn, SignInFailure};

/// A path on this origin that is safe to go back to after signing in (no open redirect, no loop). It
/// goes into a `Location` header, which carries ASCII only: other characters are percent-encoded (as a
/// browser sends them).
pub fn safe_return(path: &str) -> Option<String> {
    let signing = ["/signin", "/signout", "/signed-out"].iter().any(|p| {
        path == *p || path.starts_with(&format!("{p}/")) || path.starts_with(&format!("{p}?"))
    });
    if signing { None } else { local_path(path) }
}

/// `path` when it is a path on this origin (not `//host`, no control characters or backslashes), in
/// ASCII; the sign-in pages included (the language switch comes back to them).
pub fn local_path(path: &str) -> Option<String> {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && path.len() <= 4096
        && !path.chars().any(|c| c.is_control() || c == '\\');
    ok.then(|| crate::urls::ascii_path(path))
}

/// Checks a password with the sign-in service (lockout, one bounded Argon2id hash per attempt, the
/// domain's rules for which account the name means). The portal never verifies a password itself.
async fn check_password(
    ctx: &Ctx,
    kind: Option<AccountKind>,
    email: &str,
    password: &str,
) -> Result<Identity, SignInError> {
    let attempt = PasswordSignIn {
        authority: Authority::Common,
        username: email,
        password,
        kind,
        client: ctx.client_ip,
    };
    ctx.state
        .signin
        .check_password(attempt)
        .await
        .map(|subject| subject.identity)
        .map_err(refusal)
}

/// What a page says of a sign-in service failure: its refusal, or (logged here, without secrets) that
/// the service could not complete the request.
pub(crate) fn refusal(failure: SignInFailure) -> SignInError {
    match failure {
        SignInFailure::Refused(e) => e,
        // The database out of reach is logged once per outage by the service.
        SignInFailure::Internal(e) if e.is_unavailable() => temporarily_unavailable(),
        SignInFailure::Internal(e) => {
            tracing::error!(error = %e, "sign-in failed on our side");
            temporarily_unavailable()
        }
    }
}

#[derive(Deserialize)]
pub struct SignInQuery {
    return_to: Option<String>,
}

pub async fn email_page(mut ctx: Ctx, Query(q): Query<SignInQuery>) -> PortalResult {
    if let Some(r) = q.return_to.as_deref().and_then(safe_return) {
        ctx.session.data.return_to = Some(r);
    }
    if ctx.identity().is_some() {
        let to = ctx
            .session
            .data
            .return_to
            .take()
            .unwrap_or_else(|| "/".into());
        return ctx.redirect(&to).await;
    }
    let email = ctx
        .session
        .data
        .signin
        .as_ref()
        .map(|s| s.email.clone())
        .unwrap_or_default();
    let notice = ctx.session.data.notice.clone();
    let page = EmailStep {
        chrome: ctx.chrome("signin", "/signin"),
        form: step_form("/signin", false),
        field: "email",
        email,
        client_name: None,
        notice,
    };
    ctx.render(&page).await
}

/// A step's form on the portal's own pages: it posts to `action`; after the first step, the person may
/// start again with another account.
fn step_form(action: &str, restart: bool) -> StepForm {
    StepForm {
        action: action.into(),
        restart: restart.then(|| "/signin".into()),
        ..Default::default()
    }
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

pub async fn email_submit(mut ctx: Ctx, CsrfForm(f): CsrfForm<EmailForm>) -> PortalResult {
    let email = f.email.trim().to_string();
    if email.is_empty() {
        ctx.flash_error(
            &DomainError::invalid("EmailRequired", "Enter the email or user name of your account.")
                .with_variant("email-submit")
                .with_remedy("A work account looks like name@contoso.onmicrosoft.com; a personal account is the email you signed up with."),
        );
        return ctx.redirect("/signin").await;
    }
    let (known, dual) = ctx.state.svc.read(|w| {
        let m = w.email_matches(&email);
        (!m.is_empty(), m.is_dual())
    });
    // Said before a password is asked for, as Entra's sign-in page does; the email stays typed.
    let unknown = (!known).then(|| unknown_user(&email));
    ctx.session.data.signin = Some(SignInProgress {
        email,
        dual,
        account_type: None,
    });
    if let Some(e) = unknown {
        ctx.flash(sign_in_refused(ctx.lang, &e, Some("email")));
        return ctx.redirect("/signin").await;
    }
    if dual {
        ctx.redirect("/signin/account-type").await
    } else {
        ctx.redirect("/signin/password").await
    }
}

pub async fn picker_page(mut ctx: Ctx) -> PortalResult {
    let Some(p) = ctx.session.data.signin.clone() else {
        return ctx.redirect("/signin").await;
    };
    let page = PickerStep {
        chrome: ctx.chrome("signin", "/signin/account-type"),
        form: step_form("/signin/account-type", true),
        email: p.email,
    };
    ctx.render(&page).await
}

#[derive(Deserialize)]
pub struct PickerForm {
    #[serde(default)]
    account_type: String,
}

pub async fn picker_submit(mut ctx: Ctx, CsrfForm(f): CsrfForm<PickerForm>) -> PortalResult {
    let Some(p) = ctx.session.data.signin.as_mut() else {
        return ctx.redirect("/signin").await;
    };
    match AccountKind::from_name(&f.account_type) {
        Some(kind) => {
            p.account_type = Some(kind.name().into());
            ctx.redirect("/signin/password").await
        }
        None => {
            ctx.flash_error(
                &DomainError::invalid("AccountTypeRequired", "Choose which account you mean.")
                    .with_remedy("Pick 'Work or school account' or 'Personal account'."),
            );
            ctx.redirect("/signin/account-type").await
        }
    }
}

/// The account type picked, if any.
fn picked(p: &SignInProgress) -> Option<AccountKind> {
    p.account_type.as_deref().and_then(AccountKind::from_name)
}

pub async fn password_page(mut ctx: Ctx) -> PortalResult {
    let Some(p) = ctx.session.data.signin.clone() else {
        return ctx.redirect("/signin").await;
    };
    if p.dual && p.account_type.is_none() {
        return ctx.redirect("/signin/account-type").await;
    }
    let page = PasswordStep {
        chrome: ctx.chrome("signin", "/signin/password"),
        form: step_form("/signin/password", true),
        account_label: account_label(picked(&p)),
        email: p.email,
    };
    ctx.render(&page).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

pub async fn password_submit(mut ctx: Ctx, CsrfForm(f): CsrfForm<PasswordForm>) -> PortalResult {
    let Some(p) = ctx.session.data.signin.clone() else {
        return ctx.redirect("/signin").await;
    };
    match check_password(&ctx, picked(&p), &p.email, &f.password).await {
        Ok(identity) => {
            let return_to = ctx.session.data.return_to.take();
            ctx.sign_in(identity);
            let to = return_to.unwrap_or_else(|| "/".into());
            ctx.redirect(&to).await
        }
        Err(e) => {
            ctx.flash(sign_in_refused(ctx.lang, &e, None));
            ctx.redirect("/signin/password").await
        }
    }
}

/// A sign-in refusal as the portal shows it, in the person's language: what failed, what to do, and
/// Entra's code as secondary detail; next to `field` when it is about one.
fn sign_in_refused(lang: Lang, e: &SignInError, field: Option<&str>) -> Flash {
    Flash {
        is_error: true,
        title: lang.t("signin-failed"),
        message: super::refusals::sign_in_message(lang, e),
        remedy: Some(remedy_for(lang, e)),
        details: vec![],
        field: field.map(String::from),
        code: Some(e.code.to_string()),
    }
}

fn remedy_for(lang: Lang, e: &SignInError) -> String {
    match e.code {
        EntraCode::InvalidCredentials => lang.t("signin-remedy-password"),
        EntraCode::LockedOut => lang.t("signin-remedy-locked-out"),
        EntraCode::UserDisabled => lang.t("signin-remedy-disabled"),
        EntraCode::UnknownUser => lang.t("signin-remedy-unknown"),
        _ => lang.t("signin-remedy-other"),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn sign_out(mut ctx: Ctx, CsrfForm(_): CsrfForm<Empty>) -> PortalResult {
    ctx.sign_out();
    ctx.redirect("/signed-out").await
}

pub async fn signed_out(mut ctx: Ctx) -> PortalResult {
    if ctx.identity().is_some() {
        return ctx.redirect("/").await;
    }
    let notice = ctx.session.data.notice.clone();
    let page = SignedOut {
        chrome: ctx.chrome("signin", "/signed-out"),
        notice,
    };
    ctx.render(&page).await
}
