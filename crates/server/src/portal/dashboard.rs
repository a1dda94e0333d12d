//! The dashboard (my subscriptions with their directory, my directories, what waits for me) and the
//! directory switcher.

use super::pages::*;
use super::session::{CsrfForm, Ctx, actor_for};
use super::signin::safe_return;
use super::{PortalResult, tenant_name};
use crate::signed_in;
use serde::Deserialize;
use tenantry_service::domain::rules::{reads, visibility};
use tenantry_service::domain::*;

/// The subscriptions an identity sees, in every directory where it is present (as a token for each).
pub(crate) fn my_subscriptions(w: &World, identity: Identity) -> Vec<SubscriptionRow> {
    let mut rows = Vec::new();
    for (t, object) in w.tenants_of_identity(identity) {
        let actor = actor_for(w, identity, Some(t));
        for part in reads::visible_subscriptions(w, &actor) {
            let s = &part.subscription;
            let mut roles: Vec<String> = Vec::new();
            if s.service_admin == identity {
                roles.push("Service administrator".into());
            }
            if s.account_admin == identity {
                roles.push("Account administrator".into());
            }
            if s.co_admins.contains(&identity) {
                roles.push("Co-administrator".into());
            }
            for a in part.assignments_of(object) {
                if let Some(d) = w.role_definition(s.id, a.role_definition) {
                    let at = if a.scope.relative().is_empty() {
                        String::new()
                    } else {
                        format!(" on {}", a.scope.relative())
                    };
                    roles.push(format!("{}{at}", d.name));
                }
            }
            rows.push(SubscriptionRow {
                id: s.id.to_string(),
                name: s.display_name.clone(),
                directory: tenant_name(w, s.tenant),
                directory_domain: w
                    .tenant(s.tenant)
                    .map(|t| t.tenant.initial_domain.clone())
                    .unwrap_or_default(),
                state: s.state.as_str().into(),
                my_roles: roles.join(", "),
            });
        }
    }
    rows.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(a.id.cmp(&b.id))
    });
    rows.dedup_by(|a, b| a.id == b.id);
    rows
}

pub(crate) fn my_directories(
    w: &World,
    identity: Identity,
    acting: Option<TenantId>,
) -> Vec<DirectoryRow> {
    let mut rows: Vec<DirectoryRow> = w
        .tenants_of_identity(identity)
        .into_iter()
        .filter_map(|(t, object)| {
            let part = w.tenant(t)?;
            let member = matches!(identity, Identity::Organizational { tenant, .. } if tenant == t);
            let roles: Vec<&str> = part
                .roles_of(object)
                .iter()
                .map(|r| r.display_name())
                .collect();
            Some(DirectoryRow {
                id: t.to_string(),
                name: part.tenant.display_name.clone(),
                domain: part.tenant.initial_domain.clone(),
                origin: match part.tenant.origin {
                    TenantOrigin::Azure => "Azure".into(),
                    TenantOrigin::Office365 => "Office 365".into(),
                },
                membership: if member {
                    "Member".into()
                } else {
                    "Guest".into()
                },
                roles: if roles.is_empty() {
                    "None".into()
                } else {
                    roles.join(", ")
                },
                acting: Some(t) == acting,
            })
        })
        .collect();
    rows.sort_by_key(|x| x.name.to_lowercase());
    rows
}

/// Directory link requests waiting for a Global Administrator the identity is.
pub(crate) fn link_requests_for(
    w: &World,
    identity: Identity,
    now: Timestamp,
) -> Vec<LinkRequestRow> {
    let mut rows = Vec::new();
    for (t, _) in w.tenants_of_identity(identity) {
        let actor = actor_for(w, identity, Some(t));
        if visibility::require_tenant_admin_read(w, &actor, t, "read directory link requests")
            .is_err()
        {
            continue;
        }
        let Some(part) = w.tenant(t) else { continue };
        for r in part.link_requests.values() {
            if r.status != RequestStatus::Pending || r.expires <= now {
                continue;
            }
            rows.push(LinkRequestRow {
                href: format!("/directories/{t}/link-requests/{}", r.id),
                directory: part.tenant.display_name.clone(),
                requester: w.identity_email(r.requester).unwrap_or_default(),
                subscription: w
                    .subscription(r.subscription)
                    .map(|s| s.subscription.display_name.clone())
                    .unwrap_or_default(),
            });
        }
    }
    rows
}

/// Invitations sent to one of the identity's emails, not yet redeemed.
fn invitations_for(w: &World, identity: Identity) -> Vec<InvitationRow> {
    let emails = w.identity_emails(identity);
    let mut rows = Vec::new();
    for part in w.tenants() {
        for i in part.invitations.values() {
            if i.status == RequestStatus::Pending
                && emails.iter().any(|e| e.eq_ignore_ascii_case(&i.email))
            {
                rows.push(InvitationRow {
                    href: crate::urls::invitation_redeem(part.tenant.id, i.id),
                    directory: part.tenant.display_name.clone(),
                    email: i.email.clone(),
                });
            }
        }
    }
    rows
}

pub async fn home(mut ctx: Ctx) -> PortalResult {
    let actor = signed_in!(ctx, "/");
    let identity = ctx.identity().expect("signed in");
    let now = ctx.now();
    let acting = actor.tenant();
    let (name, subscriptions, directories, link_requests, invitations) = ctx.state.svc.read(|w| {
        (
            w.identity_email(identity).unwrap_or_default(),
            my_subscriptions(w, identity),
            my_directories(w, identity, acting),
            link_requests_for(w, identity, now),
            invitations_for(w, identity),
        )
    });
    let page = Dashboard {
        chrome: ctx.chrome("home", "/"),
        name,
        subscriptions,
        directories,
        link_requests,
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

pub async fn switch_directory(mut ctx: Ctx, CsrfForm(f): CsrfForm<SwitchForm>) -> PortalResult {
    let _ = signed_in!(ctx, "/");
    let back = safe_return(&f.back).unwrap_or_else(|| "/".into());
    match f.tenant.trim().parse::<TenantId>().ok().and_then(|t| ctx.act_in(t).map(|_| t)) {
        Some(t) => {
            let name = ctx.state.svc.read(|w| tenant_name(w, t));
            ctx.flash_ok("Directory switched", format!("You are now working in {name}."));
        }
        None => ctx.flash_error(
            &DomainError::forbidden("NotInDirectory", "You are not a member or guest of that directory.")
                .with_remedy("Pick one of the directories in the list, or ask that directory's administrator to invite you."),
        ),
    }
    ctx.redirect(&back).await
}
