//! An invitation's redeem URL opened in a browser (`GET /redeem/{tenant}/{invitation}`, the
//! `inviteRedeemUrl` Graph hands out; Graph answers a `POST` to it with the invitee's token). Not
//! signed in: a way to sign in that comes back here, and nothing of the invitation. Signed in as the
//! invitee: what the invitation is, and a button that accepts, as a form post carrying the session's CSRF
//! token (a GET never changes anything). Who may see it and redeem it is the domain's
//! (`rules::reads::invitation`, `rules::guests::redeem`).

use super::i18n::key;
use super::pages::Chrome;
use super::session::{CsrfForm, Ctx, Flash, SignedIn};
use super::signin::Empty;
use super::{PortalResult, parse_id};
use crate::urls;
use askama::Template;
use axum::extract::Path;
use tenantry_service::ServiceError;
use tenantry_service::domain::rules::reads;
use tenantry_service::domain::*;

/// What the person can do next with the invitation.
pub enum Next {
    /// Sign in first (the link comes back here).
    SignIn(String),
    /// Accept: the form posts here.
    Accept(String),
    /// Nothing: it was redeemed.
    Used,
}

/// What the page shows of the invitation: only to the person it was sent to (and to who may list the
/// directory's guests), once signed in (`reads::invitation`).
struct Shown {
    directory: String,
    email: String,
    status: String,
}

#[derive(Template)]
#[template(path = "portal/redeem.html")]
struct Redeem {
    chrome: Chrome,
    shown: Option<Shown>,
    signed_in_as: Option<String>,
    next: Next,
    /// The same URL, for scripts that redeem with a token.
    redeem_url: String,
}

/// Not signed in: the same page for every link, which invites the visitor to sign in (it tells nothing of
/// the invitation, nor whether there is one). Signed in: the invitation, to the invitee; a refusal that
/// says no more than "no such invitation" to anyone else.
pub async fn page(
    mut ctx: Ctx,
    Path((tenant, invitation)): Path<(String, String)>,
) -> PortalResult {
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let i: RequestId = parse_id(&invitation, "invitation id")?;
    let here = urls::invitation_redeem(t, i);
    let redeem_url = format!("{}{here}", ctx.state.base_url);
    let lang = ctx.lang;
    let page = match (ctx.identity(), ctx.actor()) {
        (Some(identity), Some(actor)) => {
            let shown = ctx.state.svc.read(|w| {
                reads::invitation(w, identity, t, i).map(|(directory, inv)| Redeem {
                    chrome: Chrome::bare(),
                    shown: Some(Shown {
                        directory: format!(
                            "{} ({})",
                            directory.display_name, directory.initial_domain
                        ),
                        email: inv.email.clone(),
                        status: lang.t(match inv.status {
                            RequestStatus::Pending => key("request-pending"),
                            RequestStatus::Completed => key("request-completed"),
                            RequestStatus::Declined => key("link-status-declined"),
                            RequestStatus::Cancelled => key("link-status-cancelled"),
                            RequestStatus::Expired => key("link-status-expired"),
                        }),
                    }),
                    signed_in_as: Some(actor.display()),
                    next: match inv.status {
                        RequestStatus::Pending => Next::Accept(format!("{here}/accept")),
                        _ => Next::Used,
                    },
                    redeem_url: redeem_url.clone(),
                })
            });
            match shown {
                Ok(page) => page,
                Err(e) => return ctx.error_page(e).await,
            }
        }
        _ => Redeem {
            chrome: Chrome::bare(),
            shown: None,
            signed_in_as: None,
            next: Next::SignIn(urls::sign_in(&here)),
            redeem_url,
        },
    };
    let mut page = page;
    page.chrome = ctx.chrome("directories", &here);
    ctx.render(&page).await
}

/// The signed-in person accepts: redeemed as them, then at work in that directory.
pub async fn accept(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path((tenant, invitation)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PortalResult {
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let i: RequestId = parse_id(&invitation, "invitation id")?;
    let here = urls::invitation_redeem(t, i);
    match ctx.state.svc.redeem(&actor, t, i).await {
        Ok(()) => {
            ctx.act_in(t);
            let name = ctx.state.svc.read(|w| rules::reads::directory_name(w, t));
            let lang = ctx.lang;
            ctx.flash_ok(
                lang.t("invitation-accepted-title"),
                lang.t_args("invitation-accepted-message", &[("directory", name)]),
            );
            ctx.redirect("/").await
        }
        Err(ServiceError::Domain(e)) => {
            ctx.flash(Flash::form_error(
                ctx.lang,
                super::i18n::key("failed-accept-the-invitation"),
                None,
                &e,
            ));
            ctx.redirect(&here).await
        }
        Err(e) => Err(e.into()),
    }
}
