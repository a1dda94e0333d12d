//! A directory's pages for its people and administrators: overview (with the requests that wait for its
//! Global Administrators), users (create, disable, reset password, directory roles), guests and
//! invitations (invite; the redeem page is `super::invitations`), and the subscription policy (its
//! groups are `super::groups`). Opening a directory's pages makes
//! it the directory the person acts in.

use super::dashboard::link_requests_for;
use super::dashboard::{origin_words, role_words};
use super::i18n::{Lang, key};
use super::pages::*;
use super::session::{CsrfForm, Flash, SignedIn};
use super::{FormRefusal, PortalResult, parse_id, paths};
use axum::extract::Path;
use serde::Deserialize;
use tenantry_service::commands::UserEdit;
use tenantry_service::domain::rules::names::typed;
use tenantry_service::domain::rules::reads;
use tenantry_service::domain::*;

fn user_row(u: &reads::DirectoryUser, lang: Lang) -> UserRow {
    let user = u.user;
    let upn = match user.mail() {
        Some(m) if !m.eq_ignore_ascii_case(user.upn()) => format!("{} ({m})", user.upn()),
        _ => user.upn().to_string(),
    };
    UserRow {
        id: user.id.to_string(),
        name: user.display_name.clone(),
        upn,
        kind: match &user.kind {
            UserKind::Member { .. } => lang.t("user-kind-member"),
            UserKind::Guest {
                state: GuestState::Accepted,
                home,
                ..
            } => match home {
                Some(Identity::Personal { .. }) => lang.t("user-kind-guest-personal"),
                _ => lang.t("user-kind-guest-work"),
            },
            UserKind::Guest { .. } => lang.t("user-kind-guest-pending"),
        },
        enabled: user.enabled,
        roles: role_words(&u.roles, lang),
    }
}

pub async fn overview(
    SignedIn { ctx, identity, .. }: SignedIn,
    Path(tenant): Path<String>,
) -> PortalResult {
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let here = paths::directory(t, "");
    let now = ctx.now();
    let lang = ctx.lang;
    ctx.directory_page(
        identity,
        t,
        &here,
        |w, actor| -> Result<DirectoryOverview, DomainError> {
            let o = reads::directory_overview(w, actor, t, now)?;
            Ok(DirectoryOverview {
                chrome: Chrome::bare(),
                tabs: directory_tabs(t, "overview"),
                id: t.to_string(),
                name: o.tenant.display_name.clone(),
                domains: o.tenant.all_domains().collect::<Vec<_>>().join(", "),
                origin: origin_words(o.tenant.origin),
                my_roles: role_words(&o.roles, lang),
                user_count: o.members,
                guest_count: o.guests,
                subscription_count: o.subscriptions,
                link_requests: link_requests_for(w, identity, now)
                    .into_iter()
                    .filter(|r| r.href.starts_with(&format!("{}/", paths::directory(t, ""))))
                    .collect(),
                incoming: o
                    .incoming
                    .into_iter()
                    .map(|c| IncomingRow {
                        subscription: c.subscription.display_name.clone(),
                        subscription_id: c.subscription.id.to_string(),
                        source: c.source,
                        initiator: c.initiator,
                        expires: lang.date_time(c.request.expires),
                    })
                    .collect(),
                is_admin: o.administers,
            })
        },
    )
    .await
}

pub async fn users(
    SignedIn { ctx, identity, .. }: SignedIn,
    Path(tenant): Path<String>,
) -> PortalResult {
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let here = paths::directory(t, "users");
    let lang = ctx.lang;
    ctx.directory_page(
        identity,
        t,
        &here,
        |w, actor| -> Result<Users, DomainError> {
            let m = reads::directory_people(w, actor, t)?;
            let mut users: Vec<UserRow> = m.members.iter().map(|u| user_row(u, lang)).collect();
            users.sort_by_key(|x| x.name.to_lowercase());
            Ok(Users {
                chrome: Chrome::bare(),
                tabs: directory_tabs(t, "users"),
                id: t.to_string(),
                name: m.tenant.display_name.clone(),
                domain: m.tenant.initial_domain.clone(),
                users,
                can_manage: m.may_manage,
            })
        },
    )
    .await
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
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path(tenant): Path<String>,
    CsrfForm(f): CsrfForm<NewUserForm>,
) -> PortalResult {
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let back = paths::directory(t, "users");
    let actor = ctx.act_in(t).unwrap_or(actor);
    let mail = Some(typed(&f.mail).to_string()).filter(|m| !m.is_empty());
    let result = ctx
        .state
        .svc
        .create_user(
            &actor,
            t,
            typed(&f.user_name),
            typed(&f.display_name),
            Default::default(),
            &f.password,
            mail,
            true,
        )
        .await;
    let name = typed(&f.user_name).to_string();
    let lang = ctx.lang;
    // The password is not kept: it is typed again.
    let form = FormRefusal {
        failed: super::i18n::key("failed-create-the-user"),
        fields: &[
            ("user_name", &["InvalidUserPrincipalName", "ObjectExists"]),
            ("display_name", &["InvalidCharacter"]),
            ("mail", &["InvalidEmail"]),
            ("new-password", &["PasswordTooShort"]),
        ],
        typed: vec![
            ("user_name", f.user_name.clone()),
            ("display_name", f.display_name.clone()),
            ("mail", f.mail.clone()),
        ],
    };
    ctx.done_form(result, &back, form, |_| {
        Flash::ok(
            lang.t("user-created-title"),
            lang.t_args("user-created-message", &[("name", name)]),
        )
    })
    .await
}

pub async fn user_page(
    SignedIn { ctx, identity, .. }: SignedIn,
    Path((tenant, user)): Path<(String, String)>,
) -> PortalResult {
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let uid: ObjectId = parse_id(&user, "user id")?;
    let here = paths::user(t, uid);
    let lang = ctx.lang;
    ctx.directory_page(
        identity,
        t,
        &here,
        |w, actor| -> Result<UserPage, DomainError> {
            let d = reads::directory_user(w, actor, t, uid)?;
            Ok(UserPage {
                chrome: Chrome::bare(),
                tabs: directory_tabs(t, "users"),
                tenant_id: t.to_string(),
                directory: d.tenant.display_name.clone(),
                user: user_row(&d.user, lang),
                is_member: d.user.user.is_member(),
                roles: DirectoryRoles::new(
                    format!("{here}/roles"),
                    &d.user.roles,
                    &d.addable_roles,
                    d.may_assign_roles,
                ),
                can_manage: d.may_manage,
            })
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct EnabledForm {
    #[serde(default)]
    enabled: String,
}

pub async fn set_enabled(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path((tenant, user)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<EnabledForm>,
) -> PortalResult {
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let uid: ObjectId = parse_id(&user, "user id")?;
    let back = paths::user(t, uid);
    let actor = ctx.act_in(t).unwrap_or(actor);
    let enabled = f.enabled == "true";
    let result = ctx
        .state
        .svc
        .update_user(
            &actor,
            t,
            uid,
            UserEdit {
                enabled: Some(enabled),
                ..Default::default()
            },
        )
        .await;
    let lang = ctx.lang;
    ctx.done(
        super::i18n::key("failed-change-whether-the-user-can-sign-in"),
        result,
        &back,
        |_| {
            if enabled {
                Flash::ok(lang.t("user-enabled-title"), lang.t("user-enabled-message"))
            } else {
                Flash::ok(
                    lang.t("user-disabled-title"),
                    lang.t("user-disabled-message"),
                )
            }
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

pub async fn reset_password(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path((tenant, user)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<PasswordForm>,
) -> PortalResult {
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let uid: ObjectId = parse_id(&user, "user id")?;
    let back = paths::user(t, uid);
    let actor = ctx.act_in(t).unwrap_or(actor);
    let result = ctx
        .state
        .svc
        .update_user(
            &actor,
            t,
            uid,
            UserEdit {
                password: Some(f.password),
                ..Default::default()
            },
        )
        .await;
    let lang = ctx.lang;
    ctx.done(
        super::i18n::key("failed-reset-the-password"),
        result,
        &back,
        |_| {
            Flash::ok(
                lang.t("password-reset-title"),
                lang.t("password-reset-message"),
            )
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

/// Gives (`add`) or takes a directory role of `principal` (a user, or a role-assignable group: `what`
/// says which), then back to its page.
pub(crate) async fn role_change(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    t: TenantId,
    principal: ObjectId,
    back: String,
    what: &str,
    f: RoleForm,
    add: bool,
) -> PortalResult {
    let actor = ctx.act_in(t).unwrap_or(actor);
    let Some(role) = DirectoryRole::parse(&f.role) else {
        ctx.refuse_form(
            &FormRefusal::titled(super::i18n::key("failed-change-the-directory-role")),
            &DomainError::invalid("RoleRequired", "Choose a directory role.")
                .with_variant("role-change")
                .with_remedy("Pick one of the roles in the list."),
        );
        return ctx.redirect(&back).await;
    };
    let result = if add {
        ctx.state
            .svc
            .add_directory_role_member(&actor, t, role, principal)
            .await
    } else {
        ctx.state
            .svc
            .remove_directory_role_member(&actor, t, role, principal)
            .await
    };
    let lang = ctx.lang;
    let args = [
        ("what", what.to_string()),
        ("role", role.display_name().to_string()),
    ];
    ctx.done(
        super::i18n::key("failed-change-the-directory-role"),
        result,
        &back,
        |_| {
            if add {
                Flash::ok(
                    lang.t("role-added-title"),
                    lang.t_args("role-added-message", &args),
                )
            } else {
                Flash::ok(
                    lang.t("role-removed-title"),
                    lang.t_args("role-removed-message", &args),
                )
            }
        },
    )
    .await
}

pub async fn add_role(
    signed: SignedIn,
    Path((tenant, user)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<RoleForm>,
) -> PortalResult {
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let uid: ObjectId = parse_id(&user, "user id")?;
    role_change(signed, t, uid, paths::user(t, uid), "user", f, true).await
}

pub async fn remove_role(
    signed: SignedIn,
    Path((tenant, user)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<RoleForm>,
) -> PortalResult {
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let uid: ObjectId = parse_id(&user, "user id")?;
    role_change(signed, t, uid, paths::user(t, uid), "user", f, false).await
}

pub async fn guests(
    SignedIn { ctx, identity, .. }: SignedIn,
    Path(tenant): Path<String>,
) -> PortalResult {
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let here = paths::directory(t, "guests");
    let lang = ctx.lang;
    ctx.directory_page(
        identity,
        t,
        &here,
        |w, actor| -> Result<Guests, DomainError> {
            let g = reads::directory_people(w, actor, t)?;
            let mut guests: Vec<GuestRow> = g
                .guests
                .iter()
                .map(|guest| GuestRow {
                    name: guest.user.display_name.clone(),
                    email: guest.user.mail().unwrap_or_default().to_string(),
                    state: lang.t(if guest.user.is_present() {
                        key("guest-state-accepted")
                    } else {
                        key("guest-state-pending")
                    }),
                    invitation_href: guest
                        .pending_invitation
                        .map(|i| crate::urls::invitation_redeem(t, i.id)),
                })
                .collect();
            guests.sort_by_key(|x| x.email.to_lowercase());
            Ok(Guests {
                chrome: Chrome::bare(),
                tabs: directory_tabs(t, "guests"),
                id: t.to_string(),
                name: g.tenant.display_name.clone(),
                guests,
                can_invite: g.may_manage,
            })
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
}

pub async fn invite(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path(tenant): Path<String>,
    CsrfForm(f): CsrfForm<InviteForm>,
) -> PortalResult {
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let back = paths::directory(t, "guests");
    let actor = ctx.act_in(t).unwrap_or(actor);
    let email = typed(&f.email).to_string();
    let name = Some(typed(&f.display_name)).filter(|n| !n.is_empty());
    let result = ctx.state.svc.invite_named(&actor, t, &email, name).await;
    let base = ctx.state.base_url.clone();
    let form = FormRefusal {
        failed: super::i18n::key("failed-invite-the-guest"),
        fields: &[
            ("invite-email", &["InvalidEmail", "InvitedUserIsMember"]),
            ("invite-name", &["InvalidCharacter"]),
        ],
        typed: vec![
            ("invite-email", f.email.clone()),
            ("invite-name", f.display_name.clone()),
        ],
    };
    let lang = ctx.lang;
    ctx.done_form(result, &back, form, |(inv, _)| {
        Flash::ok(
            lang.t("invitation-created-title"),
            lang.t_args(
                "invitation-created-message",
                &[
                    ("email", email),
                    (
                        "link",
                        format!("{base}{}", crate::urls::invitation_redeem(t, inv)),
                    ),
                ],
            ),
        )
    })
    .await
}

pub async fn policy(
    SignedIn { ctx, identity, .. }: SignedIn,
    Path(tenant): Path<String>,
) -> PortalResult {
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let here = paths::directory(t, "policy");
    ctx.directory_page(
        identity,
        t,
        &here,
        |w, actor| -> Result<Policy, DomainError> {
            let p = reads::directory_policy(w, actor, t)?;
            Ok(Policy {
                chrome: Chrome::bare(),
                tabs: directory_tabs(t, "policy"),
                id: t.to_string(),
                name: p.tenant.display_name.clone(),
                block_leaving: p.policy.block_subscriptions_leaving,
                block_entering: p.policy.block_subscriptions_entering,
                exempted: p.exempted.join("\n"),
                can_manage: p.may_manage,
            })
        },
    )
    .await
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
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path(tenant): Path<String>,
    CsrfForm(f): CsrfForm<PolicyForm>,
) -> PortalResult {
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let back = paths::directory(t, "policy");
    let actor = ctx.act_in(t).unwrap_or(actor);
    let names = f.exempted.lines().map(str::trim).filter(|l| !l.is_empty());
    let exempted = ctx
        .state
        .svc
        .read(|w| reads::exempted_principals(w, &actor, t, names));
    let form = FormRefusal {
        failed: super::i18n::key("failed-save-the-policy"),
        fields: &[(
            "exempted",
            &[
                "InvalidExemptedPrincipal",
                "PrincipalNotFound",
                "InvalidCharacter",
            ],
        )],
        typed: vec![
            ("block_leaving", f.block_leaving.clone().unwrap_or_default()),
            (
                "block_entering",
                f.block_entering.clone().unwrap_or_default(),
            ),
            ("exempted", f.exempted.clone()),
        ],
    };
    let exempted = match exempted {
        Ok(v) => v,
        Err(e) => {
            ctx.refuse_form(&form, &e);
            return ctx.redirect(&back).await;
        }
    };
    let policy = SubscriptionPolicy {
        block_subscriptions_leaving: f.block_leaving.is_some(),
        block_subscriptions_entering: f.block_entering.is_some(),
        exempted,
    };
    let result = ctx.state.svc.set_policy(&actor, t, policy).await;
    let lang = ctx.lang;
    ctx.done_form(result, &back, form, |_| {
        Flash::ok(lang.t("policy-saved-title"), lang.t("policy-saved-message"))
    })
    .await
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn accept_incoming(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path((tenant, sub)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PortalResult {
    let t: TenantId = parse_id(&tenant, "directory id")?;
    let back = paths::directory(t, "");
    let s: SubscriptionId = parse_id(&sub, "subscription id")?;
    let actor = ctx.act_in(t).unwrap_or(actor);
    let result = ctx.state.svc.accept_change_directory(&actor, s).await;
    let lang = ctx.lang;
    ctx.done(
        super::i18n::key("failed-move-the-subscription-in"),
        result,
        &back,
        |plan| {
            Flash::ok(
                lang.t("moved-in-title"),
                lang.t_args(
                    "moved-in-message",
                    &[
                        (
                            "co_admins",
                            lang.number(plan.removed_co_admins.len() as i64),
                        ),
                        (
                            "assignments",
                            lang.number(plan.removed_assignments.len() as i64),
                        ),
                    ],
                ),
            )
        },
    )
    .await
}
