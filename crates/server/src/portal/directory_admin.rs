//! A directory's pages for its people and administrators: overview (with the requests that wait for its
//! Global Administrators), users (create, disable, reset password, directory roles), guests and
//! invitations (invite; the redeem page is `super::invitations`), and the subscription policy. Opening a directory's pages makes
//! it the directory the person acts in.

use super::dashboard::link_requests_for;
use super::pages::*;
use super::session::{CsrfForm, Ctx, Flash};
use super::{PortalResult, parse_id, tenant_name};
use crate::signed_in;
use axum::extract::Path;
use serde::Deserialize;
use tenantry_service::domain::rules::{
    DIRECTORY_ADMINISTRATORS, USER_MANAGERS, holds_directory_role, reads, visibility,
};
use tenantry_service::domain::*;

fn not_present(w: &World, t: TenantId) -> DomainError {
    DomainError::forbidden(
        "NotInDirectory",
        format!("You are not a member or a guest of the directory {}.", tenant_name(w, t)),
    )
    .with_remedy("Switch to one of your directories, or ask a Global Administrator of that directory to invite you.")
}

/// The actor in the directory of the page, or the refusal to show.
fn enter(ctx: &mut Ctx, t: TenantId) -> Result<Actor, DomainError> {
    match ctx.act_in(t) {
        Some(a) => Ok(a),
        None => Err(ctx.state.svc.read(|w| not_present(w, t))),
    }
}

fn user_row(w: &World, part: &world::TenantPart, u: &User) -> UserRow {
    let roles: Vec<&str> = part
        .roles_of(u.id)
        .iter()
        .map(|r| r.display_name())
        .collect();
    UserRow {
        id: u.id.to_string(),
        name: u.display_name.clone(),
        upn: u.upn().to_string(),
        kind: match &u.kind {
            UserKind::Member { .. } => "Member".into(),
            UserKind::Guest {
                state: GuestState::Accepted,
                home,
                ..
            } => match home {
                Some(Identity::Personal { .. }) => "Guest (personal account)".into(),
                _ => "Guest (work account)".into(),
            },
            UserKind::Guest { .. } => "Guest (invitation pending)".into(),
        },
        enabled: u.enabled,
        roles: if roles.is_empty() {
            "None".into()
        } else {
            roles.join(", ")
        },
    }
    .with_mail(w, u)
}

impl UserRow {
    fn with_mail(mut self, _w: &World, u: &User) -> Self {
        if let Some(m) = u.mail()
            && !m.eq_ignore_ascii_case(u.upn())
        {
            self.upn = format!("{} ({m})", self.upn);
        }
        self
    }
}

pub async fn overview(mut ctx: Ctx, Path(tenant): Path<String>) -> PortalResult {
    let here = format!("/directories/{tenant}");
    let _ = signed_in!(ctx, here);
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let actor = match enter(&mut ctx, t) {
        Ok(a) => a,
        Err(e) => return ctx.error_page(e).await,
    };
    let identity = ctx.identity().expect("signed in");
    let now = ctx.now();
    let shown = ctx
        .state
        .svc
        .read(|w| -> Result<DirectoryOverview, DomainError> {
            visibility::require_directory_read(w, &actor, t)?;
            let part = w.tenant(t).ok_or_else(|| not_present(w, t))?;
            let object = actor.object_id().expect("signed in to a directory");
            let roles: Vec<&str> = part
                .roles_of(object)
                .iter()
                .map(|r| r.display_name())
                .collect();
            let is_admin = holds_directory_role(w, &actor, t, DIRECTORY_ADMINISTRATORS);
            let incoming = if is_admin {
                w.subscriptions()
                    .filter_map(|s| {
                        let r = s.change_request.as_ref()?;
                        (r.destination == t
                            && r.status == RequestStatus::Pending
                            && r.expires > now)
                            .then(|| IncomingRow {
                                subscription: s.subscription.display_name.clone(),
                                subscription_id: s.subscription.id.to_string(),
                                source: tenant_name(w, r.source),
                                initiator: w.identity_email(r.initiator).unwrap_or_default(),
                                expires: when(r.expires),
                            })
                    })
                    .collect()
            } else {
                vec![]
            };
            Ok(DirectoryOverview {
                chrome: Chrome::bare(),
                tabs: directory_tabs(&tenant, "overview"),
                id: t.to_string(),
                name: part.tenant.display_name.clone(),
                domains: part.tenant.all_domains().collect::<Vec<_>>().join(", "),
                origin: match part.tenant.origin {
                    TenantOrigin::Azure => "Azure".into(),
                    TenantOrigin::Office365 => "Office 365".into(),
                },
                my_roles: if roles.is_empty() {
                    "None".into()
                } else {
                    roles.join(", ")
                },
                user_count: part.users.values().filter(|u| u.is_member()).count(),
                guest_count: part.users.values().filter(|u| !u.is_member()).count(),
                subscription_count: reads::visible_subscriptions(w, &actor).len(),
                link_requests: link_requests_for(w, identity, now)
                    .into_iter()
                    .filter(|r| r.href.starts_with(&format!("/directories/{t}/")))
                    .collect(),
                incoming,
                is_admin,
            })
        });
    ctx.show("directories", &here, shown).await
}

pub async fn users(mut ctx: Ctx, Path(tenant): Path<String>) -> PortalResult {
    let here = format!("/directories/{tenant}/users");
    let _ = signed_in!(ctx, here);
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let actor = match enter(&mut ctx, t) {
        Ok(a) => a,
        Err(e) => return ctx.error_page(e).await,
    };
    let shown = ctx.state.svc.read(|w| -> Result<Users, DomainError> {
        visibility::require_directory_enumeration(w, &actor, t)?;
        let part = w.tenant(t).ok_or_else(|| not_present(w, t))?;
        let mut users: Vec<UserRow> = part
            .users
            .values()
            .filter(|u| u.is_member())
            .map(|u| user_row(w, part, u))
            .collect();
        users.sort_by_key(|x| x.name.to_lowercase());
        Ok(Users {
            chrome: Chrome::bare(),
            tabs: directory_tabs(&tenant, "users"),
            id: t.to_string(),
            name: part.tenant.display_name.clone(),
            domain: part.tenant.initial_domain.clone(),
            users,
            can_manage: holds_directory_role(w, &actor, t, USER_MANAGERS),
        })
    });
    ctx.show("directories", &here, shown).await
}

#[derive(Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    user_name: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    mail: String,
}

pub async fn create_user(
    mut ctx: Ctx,
    Path(tenant): Path<String>,
    CsrfForm(f): CsrfForm<NewUserForm>,
) -> PortalResult {
    let back = format!("/directories/{tenant}/users");
    let actor = signed_in!(ctx, back);
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let actor = ctx.act_in(t).unwrap_or(actor);
    let mail = Some(f.mail.trim().to_string()).filter(|m| !m.is_empty());
    let result = ctx
        .state
        .svc
        .create_user(
            &actor,
            t,
            f.user_name.trim(),
            f.display_name.trim(),
            &f.password,
            mail,
            true,
        )
        .await;
    let name = f.user_name.trim().to_string();
    ctx.done(result, &back, |_| {
        Flash::ok(
            "User created",
            format!("{name} can now sign in with the password you set."),
        )
    })
    .await
}

pub async fn user_page(mut ctx: Ctx, Path((tenant, user)): Path<(String, String)>) -> PortalResult {
    let here = format!("/directories/{tenant}/users/{user}");
    let _ = signed_in!(ctx, here);
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let uid: ObjectId = parse_id(&user, "user id")?;
    let actor = match enter(&mut ctx, t) {
        Ok(a) => a,
        Err(e) => return ctx.error_page(e).await,
    };
    let shown = ctx.state.svc.read(|w| -> Result<UserPage, DomainError> {
        visibility::require_directory_read(w, &actor, t)?;
        let part = w.tenant(t).ok_or_else(|| not_present(w, t))?;
        let u = part.users.get(&uid).ok_or_else(|| {
            DomainError::not_found(
                "Request_ResourceNotFound",
                format!(
                    "The user '{uid}' does not exist in {}.",
                    part.tenant.display_name
                ),
            )
        })?;
        let held = part.roles_of(uid);
        Ok(UserPage {
            chrome: Chrome::bare(),
            tabs: directory_tabs(&tenant, "users"),
            tenant_id: t.to_string(),
            directory: part.tenant.display_name.clone(),
            user: user_row(w, part, u),
            is_member: u.is_member(),
            roles: held
                .iter()
                .map(|r| (r.template_id().to_string(), r.display_name().to_string()))
                .collect(),
            addable_roles: DirectoryRole::ALL
                .iter()
                .filter(|r| !held.contains(r))
                .map(|r| Choice {
                    value: r.template_id().into(),
                    label: r.display_name().into(),
                    selected: false,
                })
                .collect(),
            can_manage: holds_directory_role(w, &actor, t, USER_MANAGERS),
            can_assign_roles: holds_directory_role(w, &actor, t, DIRECTORY_ADMINISTRATORS),
        })
    });
    ctx.show("directories", &here, shown).await
}

#[derive(Deserialize)]
pub struct EnabledForm {
    #[serde(default)]
    enabled: String,
}

pub async fn set_enabled(
    mut ctx: Ctx,
    Path((tenant, user)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<EnabledForm>,
) -> PortalResult {
    let back = format!("/directories/{tenant}/users/{user}");
    let actor = signed_in!(ctx, back);
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let uid: ObjectId = parse_id(&user, "user id")?;
    let actor = ctx.act_in(t).unwrap_or(actor);
    let enabled = f.enabled == "true";
    let result = ctx
        .state
        .svc
        .update_user(&actor, t, uid, None, Some(enabled), None, None)
        .await;
    ctx.done(result, &back, |_| {
        if enabled {
            Flash::ok("User enabled", "The user can sign in again.")
        } else {
            Flash::ok(
                "User disabled",
                "The user can no longer sign in; their portal sessions have ended.",
            )
        }
    })
    .await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

pub async fn reset_password(
    mut ctx: Ctx,
    Path((tenant, user)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<PasswordForm>,
) -> PortalResult {
    let back = format!("/directories/{tenant}/users/{user}");
    let actor = signed_in!(ctx, back);
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let uid: ObjectId = parse_id(&user, "user id")?;
    let actor = ctx.act_in(t).unwrap_or(actor);
    let result = ctx
        .state
        .svc
        .update_user(&actor, t, uid, None, None, None, Some(f.password))
        .await;
    ctx.done(result, &back, |_| {
        Flash::ok(
            "Password reset",
            "Give the user the new password; their portal sessions have ended.",
        )
    })
    .await
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

async fn role_change(
    mut ctx: Ctx,
    tenant: String,
    user: String,
    f: RoleForm,
    add: bool,
) -> PortalResult {
    let back = format!("/directories/{tenant}/users/{user}");
    let actor = signed_in!(ctx, back);
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let uid: ObjectId = parse_id(&user, "user id")?;
    let actor = ctx.act_in(t).unwrap_or(actor);
    let Some(role) = DirectoryRole::parse(&f.role) else {
        ctx.flash_error(
            &DomainError::invalid("RoleRequired", "Choose a directory role.")
                .with_remedy("Pick one of the roles in the list."),
        );
        return ctx.redirect(&back).await;
    };
    let result = if add {
        ctx.state
            .svc
            .add_directory_role_member(&actor, t, role, uid)
            .await
    } else {
        ctx.state
            .svc
            .remove_directory_role_member(&actor, t, role, uid)
            .await
    };
    ctx.done(result, &back, |_| {
        if add {
            Flash::ok(
                "Role added",
                format!("The user is now a {}.", role.display_name()),
            )
        } else {
            Flash::ok(
                "Role removed",
                format!("The user is no longer a {}.", role.display_name()),
            )
        }
    })
    .await
}

pub async fn add_role(
    ctx: Ctx,
    Path((tenant, user)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<RoleForm>,
) -> PortalResult {
    role_change(ctx, tenant, user, f, true).await
}

pub async fn remove_role(
    ctx: Ctx,
    Path((tenant, user)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<RoleForm>,
) -> PortalResult {
    role_change(ctx, tenant, user, f, false).await
}

pub async fn guests(mut ctx: Ctx, Path(tenant): Path<String>) -> PortalResult {
    let here = format!("/directories/{tenant}/guests");
    let _ = signed_in!(ctx, here);
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let actor = match enter(&mut ctx, t) {
        Ok(a) => a,
        Err(e) => return ctx.error_page(e).await,
    };
    let shown = ctx.state.svc.read(|w| -> Result<Guests, DomainError> {
        visibility::require_directory_enumeration(w, &actor, t)?;
        let part = w.tenant(t).ok_or_else(|| not_present(w, t))?;
        let mut guests: Vec<GuestRow> = part
            .users
            .values()
            .filter(|u| !u.is_member())
            .map(|u| {
                let inv = part
                    .invitations
                    .values()
                    .find(|i| i.guest == u.id && i.status == RequestStatus::Pending);
                GuestRow {
                    name: u.display_name.clone(),
                    email: u.mail().unwrap_or_default().to_string(),
                    state: if u.is_present() {
                        "Accepted".into()
                    } else {
                        "Pending acceptance".into()
                    },
                    invitation_href: inv.map(|i| crate::urls::invitation_redeem(t, i.id)),
                }
            })
            .collect();
        guests.sort_by_key(|x| x.email.to_lowercase());
        Ok(Guests {
            chrome: Chrome::bare(),
            tabs: directory_tabs(&tenant, "guests"),
            id: t.to_string(),
            name: part.tenant.display_name.clone(),
            guests,
            can_invite: holds_directory_role(w, &actor, t, USER_MANAGERS),
        })
    });
    ctx.show("directories", &here, shown).await
}

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
}

pub async fn invite(
    mut ctx: Ctx,
    Path(tenant): Path<String>,
    CsrfForm(f): CsrfForm<InviteForm>,
) -> PortalResult {
    let back = format!("/directories/{tenant}/guests");
    let actor = signed_in!(ctx, back);
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let actor = ctx.act_in(t).unwrap_or(actor);
    let email = f.email.trim().to_string();
    let name = Some(f.display_name.trim()).filter(|n| !n.is_empty());
    let result = ctx.state.svc.invite_named(&actor, t, &email, name).await;
    let base = ctx.state.base_url.clone();
    ctx.done(result, &back, |(inv, _)| {
        Flash::ok(
            "Invitation created",
            format!(
                "Send {email} this link to accept: {base}{}",
                crate::urls::invitation_redeem(t, inv)
            ),
        )
    })
    .await
}

pub async fn policy(mut ctx: Ctx, Path(tenant): Path<String>) -> PortalResult {
    let here = format!("/directories/{tenant}/policy");
    let _ = signed_in!(ctx, here);
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let actor = match enter(&mut ctx, t) {
        Ok(a) => a,
        Err(e) => return ctx.error_page(e).await,
    };
    let shown = ctx.state.svc.read(|w| -> Result<Policy, DomainError> {
        visibility::require_directory_read(w, &actor, t)?;
        let part = w.tenant(t).ok_or_else(|| not_present(w, t))?;
        let p = &part.tenant.policy;
        Ok(Policy {
            chrome: Chrome::bare(),
            tabs: directory_tabs(&tenant, "policy"),
            id: t.to_string(),
            name: part.tenant.display_name.clone(),
            block_leaving: p.block_subscriptions_leaving,
            block_entering: p.block_subscriptions_entering,
            exempted: p
                .exempted
                .iter()
                .map(|o| {
                    w.principal(t, *o)
                        .map(|p| p.name())
                        .unwrap_or_else(|| o.to_string())
                })
                .collect::<Vec<_>>()
                .join("\n"),
            can_manage: holds_directory_role(w, &actor, t, DIRECTORY_ADMINISTRATORS),
        })
    });
    ctx.show("directories", &here, shown).await
}

#[derive(Deserialize)]
pub struct PolicyForm {
    #[serde(default)]
    block_leaving: Option<String>,
    #[serde(default)]
    block_entering: Option<String>,
    #[serde(default)]
    exempted: String,
}

pub async fn set_policy(
    mut ctx: Ctx,
    Path(tenant): Path<String>,
    CsrfForm(f): CsrfForm<PolicyForm>,
) -> PortalResult {
    let back = format!("/directories/{tenant}/policy");
    let actor = signed_in!(ctx, back);
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let actor = ctx.act_in(t).unwrap_or(actor);
    let exempted = ctx.state.svc.read(|w| {
        f.exempted
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|k| {
                w.find_principal(t, k).map(|p| p.id()).ok_or_else(|| {
                    DomainError::invalid("InvalidExemptedPrincipal", format!("No user or application of {} is named '{k}'.", tenant_name(w, t)))
                        .with_remedy("Write one user principal name, email or object id of this directory per line.")
                })
            })
            .collect::<Result<Vec<ObjectId>, DomainError>>()
    });
    let exempted = match exempted {
        Ok(v) => v,
        Err(e) => {
            ctx.flash_error(&e);
            return ctx.redirect(&back).await;
        }
    };
    let policy = SubscriptionPolicy {
        block_subscriptions_leaving: f.block_leaving.is_some(),
        block_subscriptions_entering: f.block_entering.is_some(),
        exempted,
    };
    let result = ctx.state.svc.set_policy(&actor, t, policy).await;
    ctx.done(result, &back, |_| {
        Flash::ok(
            "Policy saved",
            "The subscription policy of this directory was saved.",
        )
    })
    .await
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn accept_incoming(
    mut ctx: Ctx,
    Path((tenant, sub)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PortalResult {
    let back = format!("/directories/{tenant}");
    let actor = signed_in!(ctx, back);
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let s: SubscriptionId = parse_id(&sub, "subscription id")?;
    let actor = ctx.act_in(t).unwrap_or(actor);
    let result = ctx.state.svc.accept_change_directory(&actor, s).await;
    ctx.done(result, &back, |plan| {
        Flash::ok(
            "Subscription moved in",
            format!(
                "The subscription now trusts this directory. {} co-administrators and {} role assignments of the old directory were removed.",
                plan.removed_co_admins.len(),
                plan.removed_assignments.len()
            ),
        )
    })
    .await
}
