//! The dashboard (my subscriptions with their directory, my directories, what waits for me) and the
//! directory switcher.

use super::PortalResult;
use super::pages::*;
use super::session::{CsrfForm, SignedIn};
use super::signin::safe_return;
use serde::Deserialize;
use tenantry_service::domain::rules::reads;
use tenantry_service::domain::*;

/// The subscriptions an identity sees, in every directory where it is present (as a token for each).
pub(crate) fn my_subscriptions(w: &World, identity: Identity) -> Vec<SubscriptionRow> {
    reads::subscriptions_of(w, identity)
        .iter()
        .map(subscription_row)
        .collect()
}

pub(crate) fn subscription_row(p: &reads::PersonsSubscription) -> SubscriptionRow {
    SubscriptionRow {
        id: p.subscription.id.to_string(),
        name: p.subscription.display_name.clone(),
        directory: p.directory.display_name.clone(),
        directory_domain: p.directory.initial_domain.clone(),
        state: p.subscription.state.as_str().into(),
        my_roles: held_words(&p.held).join(", "),
    }
}

/// What a person holds in a subscription, in words: classic roles, then roles with where they apply.
fn held_words(held: &reads::HeldAccess) -> Vec<String> {
    held.roles
        .iter()
        .map(|r| r.display_name().to_string())
        .chain(held.assignments.iter().map(|a| {
            let mut words = a.role.name.clone();
            if !a.scope.relative().is_empty() {
                words.push_str(&format!(" on {}", a.scope.relative()));
            }
            if let Some(g) = a.through {
                words.push_str(&format!(" (through group {})", g.display_name));
            }
            words
        }))
        .collect()
}

pub(crate) fn my_directories(
    w: &World,
    identity: Identity,
    acting: Option<TenantId>,
) -> Vec<DirectoryRow> {
    let mut rows: Vec<DirectoryRow> = reads::directories_of(w, identity)
        .into_iter()
        .map(|d| DirectoryRow {
            id: d.tenant.id.to_string(),
            name: d.tenant.display_name.clone(),
            domain: d.tenant.initial_domain.clone(),
            origin: origin_words(d.tenant.origin),
            membership: if d.member {
                "Member".into()
            } else {
                "Guest".into()
            },
            roles: role_words(&d.roles),
            acting: Some(d.tenant.id) == acting,
        })
        .collect();
    rows.sort_by_key(|x| x.name.to_lowercase());
    rows
}

/// `Azure` or `Office 365`.
pub(crate) fn origin_words(origin: TenantOrigin) -> String {
    match origin {
        TenantOrigin::Azure => "Azure".into(),
        TenantOrigin::Office365 => "Office 365".into(),
    }
}

/// Directory roles in words, `None` when there are none.
pub(crate) fn role_words(roles: &[DirectoryRole]) -> String {
    if roles.is_empty() {
        "None".into()
    } else {
        roles
            .iter()
            .map(|r| r.display_name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Directory link requests waiting for a Global Administrator the identity is.
pub(crate) fn link_requests_for(
    w: &World,
    identity: Identity,
    now: Timestamp,
) -> Vec<LinkRequestRow> {
    reads::link_requests_awaiting(w, identity, now)
        .into_iter()
        .map(|r| LinkRequestRow {
            href: super::paths::link_request(r.directory.id, r.request.id),
            directory: r.directory.display_name.clone(),
            requester: r.requester,
            subscription: r.subscription,
        })
        .collect()
}

/// The identity's own link requests still waiting for a decision.
pub(crate) fn my_requests_for(w: &World, identity: Identity, now: Timestamp) -> Vec<MyRequestRow> {
    reads::link_requests_asked_by(w, identity, now)
        .into_iter()
        .map(|(r, directory)| MyRequestRow {
            href: super::paths::link_request(r.directory.id, r.request.id),
            directory,
            subscription: r.subscription,
            expires: when(r.request.expires),
        })
        .collect()
}

/// Invitations sent to one of the identity's emails, not yet redeemed.
fn invitations_for(w: &World, identity: Identity) -> Vec<InvitationRow> {
    reads::invitations_for(w, identity)
        .into_iter()
        .map(|(t, i)| InvitationRow {
            href: crate::urls::invitation_redeem(t.id, i.id),
            directory: t.display_name.clone(),
            email: i.email.clone(),
        })
        .collect()
}

pub async fn home(
    SignedIn {
        mut ctx,
        actor,
        identity,
    }: SignedIn,
) -> PortalResult {
    let now = ctx.now();
    let acting = actor.tenant();
    let (name, subscriptions, directories, link_requests, my_requests, invitations) =
        ctx.state.svc.read(|w| {
            (
                reads::person_name(w, identity),
                my_subscriptions(w, identity),
                my_directories(w, identity, acting),
                link_requests_for(w, identity, now),
                my_requests_for(w, identity, now),
                invitations_for(w, identity),
            )
        });
    let page = Dashboard {
        chrome: ctx.chrome("home", "/"),
        name,
        subscriptions,
        directories,
        link_requests,
        my_requests,
        invitations,
    };
    ctx.render(&page).await
}

#[derive(Deserialize)]
pub struct SwitchForm {
    #[serde(default)]
    tenant: String,
    #[serde(default)]
    back: String,
}

pub async fn switch_directory(
    SignedIn { mut ctx, .. }: SignedIn,
    CsrfForm(f): CsrfForm<SwitchForm>,
) -> PortalResult {
    let back = safe_return(&f.back).unwrap_or_else(|| "/".into());
    match f.tenant.trim().parse::<TenantId>().ok().and_then(|t| ctx.act_in(t).map(|_| t)) {
        Some(t) => {
            let name = ctx.state.svc.read(|w| reads::directory_name(w, t));
            ctx.flash_ok("Directory switched", format!("You are now working in {name}."));
        }
        None => ctx.flash_error(
            &DomainError::forbidden("NotInDirectory", "You are not a member or guest of that directory.").with_variant("switch-directory")
                .with_remedy("Pick one of the directories in the list, or ask that directory's administrator to invite you."),
        ),
    }
    ctx.redirect(&back).await
}
