//! The dashboard (my subscriptions with their directory, my directories, what waits for me) and the
//! directory switcher.

use super::PortalResult;
use super::i18n::{Lang, key};
use super::pages::*;
use super::session::{CsrfForm, SignedIn};
use super::signin::safe_return;
use serde::Deserialize;
use tenantry_service::domain::rules::reads;
use tenantry_service::domain::*;

/// The subscriptions an identity sees, in every directory where it is present (as a token for each).
pub(crate) fn my_subscriptions(w: &World, identity: Identity, lang: Lang) -> Vec<SubscriptionRow> {
    reads::subscriptions_of(w, identity)
        .iter()
        .map(|p| subscription_row(p, lang))
        .collect()
}

pub(crate) fn subscription_row(p: &reads::PersonsSubscription, lang: Lang) -> SubscriptionRow {
    SubscriptionRow {
        id: p.subscription.id.to_string(),
        name: p.subscription.display_name.clone(),
        directory: p.directory.display_name.clone(),
        directory_domain: p.directory.initial_domain.clone(),
        state: state_words(p.subscription.state, lang),
        my_roles: held_words(&p.held, lang).join(", "),
    }
}

/// A subscription's state as the portal shows it (the APIs keep `Enabled`, `Disabled`, …).
pub(crate) fn state_words(state: SubscriptionState, lang: Lang) -> String {
    lang.t(match state {
        SubscriptionState::Enabled => key("state-enabled"),
        SubscriptionState::Warned => key("state-warned"),
        SubscriptionState::PastDue => key("state-past-due"),
        SubscriptionState::Disabled => key("state-disabled"),
        SubscriptionState::Deleted => key("state-deleted"),
    })
}

/// What a person holds in a subscription, in words: classic roles, then roles with where they apply
/// (role names stay English, as in Azure's portal in any language).
fn held_words(held: &reads::HeldAccess, lang: Lang) -> Vec<String> {
    held.roles
        .iter()
        .map(|r| r.display_name().to_string())
        .chain(held.assignments.iter().map(|a| {
            let mut words = a.role.name.clone();
            if !a.scope.relative().is_empty() {
                words = lang.t_args(
                    "held-role-on",
                    &[("role", words), ("scope", a.scope.relative().to_string())],
                );
            }
            if let Some(g) = a.through {
                words = lang.t_args(
                    "held-through-group",
                    &[("access", words), ("group", g.display_name.clone())],
                );
            }
            words
        }))
        .collect()
}

pub(crate) fn my_directories(
    w: &World,
    identity: Identity,
    acting: Option<TenantId>,
    lang: Lang,
) -> Vec<DirectoryRow> {
    let mut rows: Vec<DirectoryRow> = reads::directories_of(w, identity)
        .into_iter()
        .map(|d| DirectoryRow {
            id: d.tenant.id.to_string(),
            name: d.tenant.display_name.clone(),
            domain: d.tenant.initial_domain.clone(),
            origin: origin_words(d.tenant.origin),
            membership: lang.t(if d.member {
                key("membership-member")
            } else {
                key("membership-guest")
            }),
            roles: role_words(&d.roles, lang),
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
pub(crate) fn role_words(roles: &[DirectoryRole], lang: Lang) -> String {
    if roles.is_empty() {
        lang.t("roles-none")
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
            requester: r.requester.with_email(),
            subscription: r.subscription,
        })
        .collect()
}

/// The identity's own link requests still waiting for a decision.
pub(crate) fn my_requests_for(
    w: &World,
    identity: Identity,
    now: Timestamp,
    lang: Lang,
) -> Vec<MyRequestRow> {
    reads::link_requests_asked_by(w, identity, now)
        .into_iter()
        .map(|(r, directory)| MyRequestRow {
            href: super::paths::link_request(r.directory.id, r.request.id),
            directory,
            subscription: r.subscription,
            expires: lang.date_time(r.request.expires),
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
    let lang = ctx.lang;
    let acting = actor.tenant();
    let (name, subscriptions, directories, link_requests, my_requests, invitations) =
        ctx.state.svc.read(|w| {
            (
                reads::person_name(w, identity),
                my_subscriptions(w, identity, lang),
                my_directories(w, identity, acting, lang),
                link_requests_for(w, identity, now),
                my_requests_for(w, identity, now, lang),
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
            let lang = ctx.lang;
            ctx.flash_ok(
                lang.t("switched-title"),
                lang.t_args("switched-message", &[("directory", name)]),
            );
        }
        None => ctx.flash_error(
            &DomainError::forbidden("NotInDirectory", "You are not a member or guest of that directory.")
                .with_variant("switch-directory")
                .with_remedy("Pick one of the directories in the list, or ask that directory's administrator to invite you."),
        ),
    }
    ctx.redirect(&back).await
}
