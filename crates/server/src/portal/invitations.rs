//! An invitation's redeem URL opened in a browser (`GET /redeem/{tenant}/{invitation}`, the
//! `inviteRedeemUrl` Graph hands out; Graph answers a `POST` to it with the invitee's token). Not
//! signed in: what the invitation is, and a way to sign in that comes back here. Signed in: a button
//! that accepts, as a form post carrying the session's CSRF token (a GET never changes anything). The
//! rule that only the invitee may redeem is the domain's (`rules::guests::redeem`).

use super::pages::Chrome;
use super::session::{CsrfForm, Ctx, SignedIn};
use super::signin::Empty;
use super::{PortalResult, parse_id};
use crate::urls;
use askama::Template;
use axum::extract::Path;
use tenantry_service::ServiceError;
use tenantry_service::domain::rules::guests::require_invitation;
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

#[derive(Template)]
#[template(path = "portal/redeem.html")]
struct Redeem {
    chrome: Chrome,
    directory: String,
    email: String,
    status: String,
    signed_in_as: Option<String>,
    next: Next,
    /// The same URL, for scripts that redeem with a token.
    redeem_url: String,
}

pub async fn page(
    mut ctx: Ctx,
    Path((tenant, invitation)): Path<(String, String)>,
) -> PortalResult {
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let i: RequestId = parse_id(&invitation, "invitation id")?;
    let here = urls::invitation_redeem(t, i);
    let actor = ctx.actor();
    let shown = ctx.state.svc.read(|w| {
        let (part, inv) = require_invitation(w, t, i)?;
        let next = match (inv.status, &actor) {
            (RequestStatus::Pending, None) => Next::SignIn(urls::sign_in(&here)),
            (RequestStatus::Pending, Some(_)) => Next::Accept(format!("{here}/accept")),
            _ => Next::Used,
        };
        Ok(Redeem {
            chrome: Chrome::bare(),
            directory: format!(
                "{} ({})",
                part.tenant.display_name, part.tenant.initial_domain
            ),
            email: inv.email.clone(),
            status: inv.status.as_str().into(),
            signed_in_as: actor.as_ref().map(Actor::display),
            next,
            redeem_url: format!("{}{here}", ctx.state.base_url),
        })
    });
    match shown {
        Ok(mut page) => {
            page.chrome = ctx.chrome("directories", &here);
            ctx.render(&page).await
        }
        Err(e) => ctx.error_page(e).await,
    }
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
            ctx.flash_ok(
                "Invitation accepted",
                format!("You are now a guest of {name} and working in it."),
            );
            ctx.redirect("/").await
        }
        Err(ServiceError::Domain(e)) => {
            ctx.flash_error(&e);
            ctx.redirect(&here).await
        }
        Err(e) => Err(e.into()),
    }
}
