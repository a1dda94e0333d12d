//! A subscription: overview, the Change directory wizard (pick → review everything that goes → confirm
//! → result) and the Administrators tab. Pages act as a token for the subscription's directory when the
//! person is present there, as the Azure portal does when it opens a subscription.

use super::i18n::{Lang, key};
use super::pages::*;
use super::session::{CsrfForm, Ctx, Flash, SignedIn};
use super::{FormRefusal, PortalResult, parse_id, paths};
use axum::extract::Path;
use serde::Deserialize;
use tenantry_service::domain::ManagedIdentityKind;
use tenantry_service::domain::rules::admins::ClassicRole;
use tenantry_service::domain::rules::change_directory::{self, ChangeDirectoryPlan, Initiated};
use tenantry_service::domain::rules::names::typed;
use tenantry_service::domain::rules::{AccountType, reads};
use tenantry_service::domain::*;

/// The actor for a subscription's pages: in its directory when present there.
pub(crate) fn act_for_subscription(ctx: &mut Ctx, sub: SubscriptionId, fallback: Actor) -> Actor {
    let t = ctx.state.svc.read(|w| reads::trusted_directory(w, sub));
    t.and_then(|t| ctx.act_in(t)).unwrap_or(fallback)
}

/// What the caller holds in the subscription, in sentences (roles and scopes stay as Azure names them).
fn grant_lines(held: &reads::HeldAccess, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    let classic = if held.roles.contains(ClassicRole::ServiceAdministrator) {
        Some(key("grant-service-admin"))
    } else if held.roles.contains(ClassicRole::CoAdministrator) {
        Some(key("grant-co-admin"))
    } else {
        None
    };
    if let Some(k) = classic {
        out.push(lang.t(k));
    }
    if held.roles.contains(ClassicRole::AccountAdministrator) {
        out.push(lang.t("grant-account-admin"));
    }
    for a in &held.assignments {
        let at = if a.scope.relative().is_empty() {
            lang.t("grant-at-subscription")
        } else {
            a.scope.relative().to_string()
        };
        let role = a.role.name.clone();
        out.push(match a.through {
            None => lang.t_args("grant-role", &[("role", role), ("scope", at)]),
            Some(g) => lang.t_args(
                "grant-role-through-group",
                &[
                    ("role", role),
                    ("group", g.display_name.clone()),
                    ("scope", at),
                ],
            ),
        });
    }
    out
}

pub async fn overview(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path(sub): Path<String>,
) -> PortalResult {
    let id: SubscriptionId = parse_id(&sub, "subscription id")?;
    let here = paths::subscription(id, "");
    let actor = act_for_subscription(&mut ctx, id, actor);
    let now = ctx.now();
    let lang = ctx.lang;
    let shown = ctx
        .state
        .svc
        .read(|w| -> Result<SubscriptionOverview, DomainError> {
            let o = reads::subscription_summary(w, &actor, id, now)?;
            let s = o.subscription;
            let can = w
                .subscription(id)
                .map(|p| reads::subscription_actions(w, &actor, p));
            let may = |f: fn(&reads::SubscriptionActions) -> bool| can.as_ref().is_some_and(f);
            let sub_scope = Scope::subscription(id);
            Ok(SubscriptionOverview {
                chrome: Chrome::bare(),
                tabs: subscription_tabs_for(w, &actor, id, "overview"),
                id: id.to_string(),
                name: s.display_name.clone(),
                state: super::dashboard::state_words(s.state, lang),
                directory: directory_label(o.directory),
                directory_id: s.tenant.to_string(),
                service_admin: o.service_admin,
                account_admin: o.account_admin,
                co_admin_count: s.co_admins.len(),
                assignment_count: o.assignments,
                groups: o
                    .groups
                    .iter()
                    .map(|g| GroupRow {
                        name: g.name.clone(),
                        location: g.location.clone(),
                        href: paths::resource_group_access(id, &g.name),
                        resources_href: paths::resource_group_resources(id, &g.name),
                        tags: tags_line(&g.tags),
                    })
                    .collect(),
                my_access: grant_lines(&o.held, lang),
                pending_change: o.pending_change.as_ref().map(|p| pending_words(p, lang)),
                read_only: may(|a| a.read_only),
                may_rename: may(|a| a.may_rename),
                may_cancel: may(|a| a.may_cancel),
                may_enable: may(|a| a.may_enable),
                tags: vec![TagsBox::new(
                    id,
                    &sub_scope,
                    "tags-subscription".into(),
                    s.display_name.clone(),
                    &s.tags,
                    may(|a| a.may_tag),
                )],
                tag_names: tenantry_service::domain::rules::tags::tag_names(w, &actor, id)
                    .ok()
                    .map(|names| names.iter().map(TagNameRow::new).collect()),
            })
        });
    ctx.show("home", &here, shown).await
}

/// A change that waits for acceptance, in a sentence.
fn pending_words(p: &reads::PendingChange, lang: Lang) -> String {
    let args = [
        ("directory", p.destination.clone()),
        ("until", lang.date_time(p.expires)),
    ];
    match &p.acceptor {
        Some(who) => lang.t_args(
            "pending-change-by",
            &[args[0].clone(), args[1].clone(), ("acceptor", who.clone())],
        ),
        None => lang.t_args("pending-change-any", &args),
    }
}

pub async fn change_pick(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path(sub): Path<String>,
) -> PortalResult {
    let id: SubscriptionId = parse_id(&sub, "subscription id")?;
    let here = paths::subscription(id, "change-directory");
    let actor = act_for_subscription(&mut ctx, id, actor);
    let now = ctx.now();
    let lang = ctx.lang;
    let shown = ctx.state.svc.read(|w| -> Result<ChangePick, DomainError> {
        let c = reads::directory_choices(w, &actor, id, now)?;
        let mut destinations: Vec<Choice> = c
            .destinations
            .iter()
            .map(|t| Choice {
                value: t.id.to_string(),
                label: directory_label(t),
                selected: false,
            })
            .collect();
        destinations.sort_by(|a, b| a.label.cmp(&b.label));
        Ok(ChangePick {
            chrome: Chrome::bare(),
            tabs: subscription_tabs(id, "change", true),
            id: id.to_string(),
            name: c.subscription.display_name.clone(),
            current: directory_label(c.current),
            current_domain: c.current.initial_domain.clone(),
            destinations,
            pending: c.pending_change.as_ref().map(|p| pending_words(p, lang)),
        })
    });
    ctx.show("home", &here, shown).await
}

#[derive(Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    destination: String,
    /// A directory named by domain or name instead (one the person is not present in).
    #[serde(default)]
    destination_domain: String,
    /// One `old = new` per line.
    #[serde(default)]
    map: String,
}

/// `old = new` entries, one per line (or separated by `;`, as the review page carries them).
fn parse_map(text: &str) -> Result<Vec<PrincipalMapEntry>, DomainError> {
    text.split(['\n', ';'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            l.split_once('=')
                .map(|(from, to)| PrincipalMapEntry { from: from.trim().into(), to: to.trim().into() })
                .filter(|e| !e.from.is_empty() && !e.to.is_empty())
                .ok_or_else(|| {
                    DomainError::invalid("InvalidPrincipalMap", format!("The line '{l}' of the principal map is not 'old = new'."))
                        .with_arg("line", l.to_string())
                        .with_remedy("Write one mapping per line: an old principal's email, UPN, object id or group:NAME, '=', and a principal (or group:NAME) of the new directory.")
                })
        })
        .collect()
}

fn assignment_rows(
    items: &[tenantry_service::domain::rules::change_directory::AssignmentImpact],
    lang: Lang,
) -> Vec<AssignmentRow> {
    items
        .iter()
        .map(|a| AssignmentRow {
            id: a.assignment.id.to_string(),
            principal: a.principal_name.clone(),
            principal_type: a.assignment.principal_type.as_str().into(),
            role: a.role_name.clone(),
            scope: if a.assignment.scope.relative().is_empty() {
                lang.t("scope-this-subscription")
            } else {
                a.assignment.scope.relative().to_string()
            },
            inherited: false,
            reach: a.group_reach,
        })
        .collect()
}

fn identity_kind(i: &Identity, lang: Lang) -> String {
    lang.t(match i {
        Identity::Personal { .. } => key("kind-personal-account"),
        Identity::Organizational { .. } => key("kind-work-account"),
    })
}

/// People by name, with the email beside it and which kind of account each is.
fn person_rows(w: &World, people: &[(Identity, String)], lang: Lang) -> Vec<PersonRow> {
    people
        .iter()
        .map(|(i, e)| PersonRow {
            name: person_label(w, *i, e),
            email: e.clone(),
            detail: identity_kind(i, lang),
        })
        .collect()
}

/// How a list names a person: the display name ([`reads::PersonName::label`]), else the email.
fn person_label(w: &World, identity: Identity, email: &str) -> String {
    reads::person_name(w, identity).map_or_else(|| email.to_string(), |p| p.label())
}

fn role_rows(roles: &[RoleDefinition]) -> Vec<RoleRow> {
    roles
        .iter()
        .map(|d| RoleRow {
            name: d.name.clone(),
            actions: d
                .permissions
                .iter()
                .flat_map(|p| p.actions.iter().cloned())
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect()
}

fn review_page(
    w: &World,
    actor: &Actor,
    plan: &ChangeDirectoryPlan,
    map_text: &str,
    now: Timestamp,
    lang: Lang,
) -> ChangeReview {
    use change_directory::ReviewStep;
    let name = reads::subscription_name(w, plan.subscription).unwrap_or_default();
    let step = plan.review_step();
    let link_request = (step == ReviewStep::Request)
        .then(|| {
            change_directory::waiting_link_request(
                w,
                actor,
                plan.subscription,
                plan.destination,
                now,
            )
        })
        .flatten()
        .map(|r| LinkNote {
            href: paths::link_request(plan.destination, r.id),
            expires: lang.date_time(r.expires),
        });
    ChangeReview {
        chrome: Chrome::bare(),
        tabs: subscription_tabs(plan.subscription, "change", true),
        id: plan.subscription.to_string(),
        name,
        source: reads::directory_name(w, plan.source),
        destination: reads::directory_name(w, plan.destination),
        destination_id: plan.destination.to_string(),
        // One line, so that it travels unchanged in a hidden field.
        map_text: map_text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; "),
        blockers: if matches!(step, ReviewStep::Blocked | ReviewStep::AlreadyRequested) {
            plan.blockers
                .iter()
                .map(|b| Flash::error(lang, b))
                .collect()
        } else {
            Vec::new()
        },
        can_apply: step == ReviewStep::Apply,
        can_request: step == ReviewStep::Request,
        already_requested: step == ReviewStep::AlreadyRequested,
        checked_on_acceptance: plan
            .checked_on_acceptance()
            .map(|c| Flash::error(lang, c))
            .collect(),
        link_request,
        removed_co_admins: person_rows(w, &plan.removed_co_admins, lang),
        removed_assignments: assignment_rows(&plan.removed_assignments, lang),
        identities: plan
            .managed_identities
            .iter()
            .map(|m| IdentityRow {
                resource: m.resource.to_string(),
                kind: match m.kind {
                    ManagedIdentityKind::UserAssigned => key("identity-user-assigned"),
                    ManagedIdentityKind::SystemAssigned => key("identity-system-assigned"),
                },
            })
            .collect(),
        kept_credentials: plan
            .kept_credentials
            .iter()
            .map(|c| CredentialsRow {
                name: c.display_name.clone(),
                client_id: c.application_id.to_string(),
                certificates: c.certificates,
                federated_credentials: c.federated_credentials,
            })
            .collect(),
        group_held: plan
            .removed_assignments
            .iter()
            .filter(|a| a.group_reach.is_some())
            .count(),
        removed_custom_roles: role_rows(&plan.removed_custom_roles),
        retained: plan
            .retained_admins
            .iter()
            .map(|(i, e, role)| PersonRow {
                name: person_label(w, *i, e),
                email: e.clone(),
                detail: classic_role_name(lang, *role),
            })
            .collect(),
        regranted_assignments: assignment_rows(&plan.regranted_assignments, lang),
        regranted_co_admins: person_rows(w, &plan.regranted_co_admins, lang),
    }
}

pub async fn change_review(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path(sub): Path<String>,
    CsrfForm(f): CsrfForm<ChangeForm>,
) -> PortalResult {
    let id: SubscriptionId = parse_id(&sub, "subscription id")?;
    let back = paths::subscription(id, "change-directory");
    let actor = act_for_subscription(&mut ctx, id, actor);
    // A directory typed by domain or name wins over the one picked from the list.
    let named = typed(&f.destination_domain);
    let key = if named.is_empty() {
        typed(&f.destination)
    } else {
        named
    };
    let destination = if key.is_empty() {
        Err(DomainError::invalid(
            "DestinationRequired",
            "Choose the directory the subscription should trust.",
        )
        .with_remedy("Pick one of your directories, or type the domain of another one."))
    } else {
        ctx.state
            .svc
            .read(|w| change_directory::named_destination(w, &actor, id, key, None))
            .map(|(destination, _)| destination)
    };
    // A refusal about the directory sits next to the field that named it.
    let destination_field = if named.is_empty() && !f.destination.is_empty() {
        "destination"
    } else {
        "destination_domain"
    };
    let fields = [
        (destination_field, DESTINATION_CODES),
        (
            "map",
            &[
                "InvalidPrincipalMap",
                "PrincipalMapSourceNotFound",
                "PrincipalMapTargetNotFound",
            ][..],
        ),
    ];
    let form = FormRefusal {
        failed: super::i18n::key("failed-review-the-change-of-directory"),
        fields: &fields,
        typed: vec![
            ("destination", f.destination.clone()),
            ("destination_domain", f.destination_domain.clone()),
            ("map", f.map.clone()),
        ],
    };
    let destination = match destination {
        Ok(d) => d,
        Err(e) => {
            ctx.refuse_form(&form, &e);
            return ctx.redirect(&back).await;
        }
    };
    let map = match parse_map(&f.map) {
        Ok(m) => m,
        Err(e) => {
            ctx.refuse_form(&form, &e);
            return ctx.redirect(&back).await;
        }
    };
    match ctx
        .state
        .svc
        .preview_change_directory(&actor, id, destination, &map)
    {
        Ok(plan) => {
            let now = ctx.now();
            let lang = ctx.lang;
            let mut page = ctx
                .state
                .svc
                .read(|w| review_page(w, &actor, &plan, &f.map, now, lang));
            page.chrome = ctx.chrome("home", &back);
            ctx.render(&page).await
        }
        Err(e) => ctx.form_failed(e, &back, form).await,
    }
}

/// Refusals about the directory a change of directory names.
const DESTINATION_CODES: &[&str] = &[
    "DestinationRequired",
    "TenantNotFound",
    "SameDirectory",
    "SubscriptionEnteringBlocked",
    "InvalidCharacter",
];

pub async fn change_apply(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path(sub): Path<String>,
    CsrfForm(f): CsrfForm<ChangeForm>,
) -> PortalResult {
    let id: SubscriptionId = parse_id(&sub, "subscription id")?;
    let back = paths::subscription(id, "change-directory");
    let actor = act_for_subscription(&mut ctx, id, actor);
    let destination: TenantId = parse_id(&f.destination, "directory id")?;
    let map = match parse_map(&f.map) {
        Ok(m) => m,
        Err(e) => {
            ctx.flash_error(&e);
            return ctx.redirect(&back).await;
        }
    };
    let result = ctx
        .state
        .svc
        .change_directory(&actor, id, destination, None, map)
        .await;
    let outcome = match result {
        Ok(o) => o,
        Err(e) => {
            let form = FormRefusal::titled(super::i18n::key("failed-change-the-directory"));
            return ctx.form_failed(e, &back, form).await;
        }
    };
    let lang = ctx.lang;
    let page = ctx.state.svc.read(|w| {
        let name = reads::subscription_name(w, id).unwrap_or_default();
        let base = ChangeResult {
            chrome: Chrome::bare(),
            tabs: subscription_tabs(id, "change", true),
            id: id.to_string(),
            name,
            destination: reads::directory_name(w, destination),
            destination_id: destination.to_string(),
            completed: false,
            removed_co_admins: Vec::new(),
            removed_assignments: Vec::new(),
            removed_custom_roles: Vec::new(),
            regranted_co_admins: Vec::new(),
            regranted_assignments: Vec::new(),
            switched: false,
            expires: String::new(),
        };
        match &outcome {
            Initiated::Completed(plan) => ChangeResult {
                completed: true,
                removed_co_admins: person_rows(w, &plan.removed_co_admins, lang),
                removed_assignments: assignment_rows(&plan.removed_assignments, lang),
                removed_custom_roles: role_rows(&plan.removed_custom_roles),
                regranted_co_admins: person_rows(w, &plan.regranted_co_admins, lang),
                regranted_assignments: assignment_rows(&plan.regranted_assignments, lang),
                ..base
            },
            Initiated::Waiting(r) => ChangeResult {
                expires: lang.date_time(r.expires),
                ..base
            },
        }
    });
    let mut page = page;
    // The subscription now trusts the destination, and the initiator is present there: work there,
    // so that the top bar and the footer name the directory the subscription is in.
    if page.completed {
        page.switched = ctx.act_in(destination).is_some();
    }
    page.chrome = ctx.chrome("home", &back);
    ctx.render(&page).await
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn change_cancel(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path(sub): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PortalResult {
    let id: SubscriptionId = parse_id(&sub, "subscription id")?;
    let back = paths::subscription(id, "change-directory");
    let actor = act_for_subscription(&mut ctx, id, actor);
    let result = ctx.state.svc.cancel_change_directory(&actor, id).await;
    let lang = ctx.lang;
    ctx.done(
        super::i18n::key("failed-cancel-the-change-of-directory"),
        result,
        &back,
        |_| {
            Flash::ok(
                lang.t("change-request-cancelled-title"),
                lang.t("change-request-cancelled-message"),
            )
        },
    )
    .await
}

pub async fn admins(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path(sub): Path<String>,
) -> PortalResult {
    let id: SubscriptionId = parse_id(&sub, "subscription id")?;
    let here = paths::subscription(id, "administrators");
    let actor = act_for_subscription(&mut ctx, id, actor);
    let lang = ctx.lang;
    let shown = ctx
        .state
        .svc
        .read(|w| -> Result<Administrators, DomainError> {
            let a = reads::classic_administration(w, &actor, id)?;
            let mut users: Vec<Choice> = a
                .candidates
                .into_iter()
                .map(|c| Choice {
                    label: format!("{} ({})", c.display_name, c.email),
                    value: c.email,
                    selected: false,
                })
                .collect();
            users.sort_by_key(|x| x.label.to_lowercase());
            Ok(Administrators {
                chrome: Chrome::bare(),
                tabs: subscription_tabs_for(w, &actor, id, "administrators"),
                id: id.to_string(),
                name: a.subscription.display_name.clone(),
                directory: reads::directory_name(w, a.subscription.tenant),
                domain: reads::directory_domain(w, a.subscription.tenant),
                admins: a
                    .administrators
                    .into_iter()
                    .map(|a| AdminRow {
                        name: person_label(w, a.identity, &a.email),
                        removable: a.roles.contains(ClassicRole::CoAdministrator),
                        role: a
                            .roles
                            .iter()
                            .map(|r| classic_role_name(lang, r))
                            .collect::<Vec<_>>()
                            .join(", "),
                        email: a.email,
                    })
                    .collect(),
                users,
                can_manage: a.may_manage && !a.read_only,
                is_account_admin: a.may_change_service_admin,
                read_only: a.read_only,
            })
        });
    ctx.show("home", &here, shown).await
}

#[derive(Deserialize)]
pub struct AdminForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    account_type: String,
}

/// A classic administrator role in the person's language (Azure's Dutch portal says "Servicebeheerder").
fn classic_role_name(lang: Lang, role: ClassicRole) -> String {
    lang.t(match role {
        ClassicRole::ServiceAdministrator => "classic-role-service-administrator",
        ClassicRole::AccountAdministrator => "classic-role-account-administrator",
        ClassicRole::CoAdministrator => "classic-role-co-administrator",
    })
}

/// Refusals about the person a classic administrator form names.
const PERSON_CODES: &[&str] = &[
    "EmailRequired",
    "AccountNotFound",
    "AlreadyServiceAdministrator",
    "CoAdministratorExists",
    "PrincipalNotInDirectory",
    "ServiceAdministratorTypeNotAllowed",
    "InvalidCharacter",
];
/// Refusals about which account an email means.
const ACCOUNT_TYPE_CODES: &[&str] = &["AmbiguousAccount"];

fn account_type(s: &str) -> Option<AccountType> {
    AccountType::parse(s)
}

pub async fn add_co_admin(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path(sub): Path<String>,
    CsrfForm(f): CsrfForm<AdminForm>,
) -> PortalResult {
    let id: SubscriptionId = parse_id(&sub, "subscription id")?;
    let back = paths::subscription(id, "administrators");
    let actor = act_for_subscription(&mut ctx, id, actor);
    let email = if typed(&f.email).is_empty() {
        typed(&f.user).to_string()
    } else {
        typed(&f.email).to_string()
    };
    let form = FormRefusal {
        failed: super::i18n::key("failed-add-the-co-administrator"),
        fields: &[
            ("co-admin-email", PERSON_CODES),
            ("co-admin-type", ACCOUNT_TYPE_CODES),
        ],
        typed: vec![
            ("user", f.user.clone()),
            ("co-admin-email", f.email.clone()),
            ("co-admin-type", f.account_type.clone()),
        ],
    };
    if email.is_empty() {
        ctx.refuse_form(
            &form,
            &DomainError::invalid("EmailRequired", "Say who should become a co-administrator.")
                .with_variant("add-co-admin")
                .with_remedy("Pick a user of the directory, or type the email of a work or school account or of a personal account."),
        );
        return ctx.redirect(&back).await;
    }
    let result = ctx
        .state
        .svc
        .add_co_admin(&actor, id, &email, account_type(&f.account_type))
        .await;
    let lang = ctx.lang;
    ctx.done_form(result, &back, form, |_| {
        Flash::ok(
            lang.t("co-admin-added-title"),
            lang.t_args("co-admin-added-message", &[("email", email)]),
        )
    })
    .await
}

pub async fn remove_co_admin(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path(sub): Path<String>,
    CsrfForm(f): CsrfForm<AdminForm>,
) -> PortalResult {
    let id: SubscriptionId = parse_id(&sub, "subscription id")?;
    let back = paths::subscription(id, "administrators");
    let actor = act_for_subscription(&mut ctx, id, actor);
    let email = typed(&f.email).to_string();
    let result = ctx.state.svc.remove_co_admin(&actor, id, &email).await;
    let lang = ctx.lang;
    ctx.done(
        super::i18n::key("failed-remove-the-co-administrator"),
        result,
        &back,
        |_| {
            Flash::ok(
                lang.t("co-admin-removed-title"),
                lang.t_args("co-admin-removed-message", &[("email", email)]),
            )
        },
    )
    .await
}

pub async fn change_service_admin(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path(sub): Path<String>,
    CsrfForm(f): CsrfForm<AdminForm>,
) -> PortalResult {
    let id: SubscriptionId = parse_id(&sub, "subscription id")?;
    let back = paths::subscription(id, "administrators");
    let actor = act_for_subscription(&mut ctx, id, actor);
    let email = typed(&f.email).to_string();
    let form = FormRefusal {
        failed: super::i18n::key("failed-change-the-service-administrator"),
        fields: &[("sa-email", PERSON_CODES), ("sa-type", ACCOUNT_TYPE_CODES)],
        typed: vec![
            ("sa-email", f.email.clone()),
            ("sa-type", f.account_type.clone()),
        ],
    };
    let result = ctx
        .state
        .svc
        .change_service_admin(&actor, id, &email, account_type(&f.account_type))
        .await;
    let lang = ctx.lang;
    ctx.done_form(result, &back, form, |_| {
        Flash::ok(
            lang.t("service-admin-changed-title"),
            lang.t_args("service-admin-changed-message", &[("email", email)]),
        )
    })
    .await
}
