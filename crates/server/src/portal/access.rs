//! Access control (IAM) at subscription and resource-group scope: the role assignments that apply here,
//! add and remove, and "check access" (what a principal may do here and which grant says so).

use super::pages::*;
use super::session::{CsrfForm, Ctx, Flash, SignedIn};
use super::subscriptions::act_for_subscription;
use super::{FormRefusal, PortalResult, parse_id, paths};
use axum::extract::Path;
use serde::Deserialize;
use tenantry_service::domain::action::names;
use tenantry_service::domain::rules::access::RoleAssignmentWrite;
use tenantry_service::domain::rules::reads;
use tenantry_service::domain::scope::validate_resource_group_name;
use tenantry_service::domain::*;

/// What "check access" asks about, in words, with the operation that stands for it.
const CHECKS: [(&str, &str); 4] = [
    ("Read resources and settings", names::RESOURCE_GROUP_READ),
    ("Create and change resources", names::RESOURCE_GROUP_WRITE),
    ("Read who has access", names::ROLE_ASSIGNMENT_READ),
    (
        "Grant and remove access (role assignments)",
        names::ROLE_ASSIGNMENT_WRITE,
    ),
];

struct Where {
    sub: SubscriptionId,
    scope: Scope,
    group: Option<String>,
    base: String,
}

/// Where a page or form of the path acts, from the path's parsed id and validated group name.
fn where_(sub: &str, rg: Option<&str>) -> Result<Where, super::PortalError> {
    let id: SubscriptionId = parse_id(sub, "subscription id")?;
    Ok(match rg {
        None => Where {
            sub: id,
            scope: Scope::subscription(id),
            group: None,
            base: paths::subscription(id, "access"),
        },
        Some(g) => {
            validate_resource_group_name(g)?;
            Where {
                sub: id,
                scope: Scope::resource_group(id, g),
                group: Some(g.to_string()),
                base: paths::resource_group_access(id, g),
            }
        }
    })
}

fn scope_words(scope: &Scope) -> String {
    if scope.relative().is_empty() {
        "This subscription".into()
    } else {
        scope.relative().to_string()
    }
}

fn page_for(
    w: &World,
    actor: &Actor,
    at: &Where,
    check: Option<CheckResult>,
) -> Result<Access, DomainError> {
    let a = reads::access_control(w, actor, &at.scope)?;
    let s = a.subscription;
    let assignments = a
        .assignments
        .iter()
        .map(|v| AssignmentRow {
            id: v.assignment.id.to_string(),
            principal: v
                .principal
                .map(|p| principal_label(w, p))
                .unwrap_or_else(|| v.assignment.principal.to_string()),
            principal_type: v
                .principal
                .map(|p| p.principal_type().as_str().to_string())
                .unwrap_or_else(|| "Unknown".into()),
            role: v.role.clone(),
            scope: scope_words(&v.assignment.scope),
            inherited: v.inherited,
            reach: None,
        })
        .collect();
    let roles = role_choices(&a.roles);
    let principals = principal_choices(w, &a.principals);
    let scope_label = match &at.group {
        Some(g) => format!("resource group {g}"),
        None => format!("subscription {}", s.display_name),
    };
    Ok(Access {
        chrome: Chrome::bare(),
        tabs: subscription_tabs_for(w, actor, at.sub, "access"),
        id: at.sub.to_string(),
        name: s.display_name.clone(),
        scope: at.scope.to_string(),
        scope_label,
        base: at.base.clone(),
        group: at.group.clone(),
        assignments,
        from_groups: super::group_access::assignment_rows(
            w,
            &reads::inherited_group_assignments(w, actor, at.sub),
        ),
        roles,
        principals,
        check,
        can_write: a.may_write,
        read_only: w
            .subscription(at.sub)
            .is_some_and(|p| reads::subscription_actions(w, actor, p).read_only),
    })
}

/// The roles a form offers, by name, Reader picked.
pub(super) fn role_choices(roles: &[&RoleDefinition]) -> Vec<Choice> {
    let mut roles: Vec<Choice> = roles
        .iter()
        .map(|d| Choice {
            value: d.id.to_string(),
            label: if d.is_custom() {
                format!("{} (custom)", d.name)
            } else {
                d.name.clone()
            },
            selected: d.name == "Reader",
        })
        .collect();
    roles.sort_by(|a, b| a.label.cmp(&b.label));
    roles
}

/// The principals a picker offers, by name.
pub(super) fn principal_choices(w: &World, principals: &[world::PrincipalRef]) -> Vec<Choice> {
    let mut principals: Vec<Choice> = principals
        .iter()
        .map(|p| Choice {
            value: p.id().to_string(),
            label: principal_label(w, *p),
            selected: false,
        })
        .collect();
    principals.sort_by_key(|x| x.label.to_lowercase());
    principals
}

async fn show(mut ctx: Ctx, actor: Actor, at: Where, check: Option<CheckResult>) -> PortalResult {
    let actor = act_for_subscription(&mut ctx, at.sub, actor);
    match ctx.state.svc.read(|w| page_for(w, &actor, &at, check)) {
        Ok(mut page) => {
            page.chrome = ctx.chrome("home", &at.base);
            ctx.render(&page).await
        }
        Err(e) => ctx.error_page(e).await,
    }
}

pub async fn sub_page(
    SignedIn { ctx, actor, .. }: SignedIn,
    Path(sub): Path<String>,
) -> PortalResult {
    show(ctx, actor, where_(&sub, None)?, None).await
}

pub async fn rg_page(
    SignedIn { ctx, actor, .. }: SignedIn,
    Path((sub, rg)): Path<(String, String)>,
) -> PortalResult {
    show(ctx, actor, where_(&sub, Some(&rg))?, None).await
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    principal: String,
    #[serde(default)]
    principal_name: String,
    #[serde(default)]
    role: String,
}

impl AddForm {
    /// The form's refusal: next to who gets the role or to the role, with both kept.
    pub(super) fn refusal(&self) -> FormRefusal<'_> {
        FormRefusal {
            failed: super::i18n::key("failed-assign-the-role"),
            fields: &[
                (
                    "principal_name",
                    &[
                        "PrincipalRequired",
                        "PrincipalNotFound",
                        "UnmatchedPrincipalType",
                        "InvalidCharacter",
                    ],
                ),
                ("role", &["RoleRequired", "RoleDefinitionDoesNotExist"]),
            ],
            typed: vec![
                ("principal", self.principal.clone()),
                ("principal_name", self.principal_name.clone()),
                ("role", self.role.clone()),
            ],
        }
    }

    /// The principal the form names (see [`named`]).
    pub(super) fn principal(&self) -> &str {
        named(&self.principal, &self.principal_name)
    }

    /// The role the form picked.
    pub(super) fn role(&self) -> Result<RoleDefinitionId, DomainError> {
        self.role.trim().parse().map_err(|_| {
            DomainError::invalid("RoleRequired", "Choose a role.")
                .with_variant("role")
                .with_remedy("Pick one of the roles in the list.")
        })
    }
}

/// The principal a form names: typed (UPN, email, client id, object id, group name) over picked from
/// the list.
fn named<'f>(picked: &'f str, typed: &'f str) -> &'f str {
    if typed.trim().is_empty() {
        picked
    } else {
        typed
    }
}

async fn add(mut ctx: Ctx, actor: Actor, at: Where, f: AddForm) -> PortalResult {
    let actor = act_for_subscription(&mut ctx, at.sub, actor);
    let resolved = ctx.state.svc.read(|w| {
        let principal = reads::assignable_principal(w, &actor, &at.scope, f.principal())?;
        Ok::<_, DomainError>((principal, f.role()?))
    });
    let (principal, role) = match resolved {
        Ok(v) => v,
        Err(e) => {
            ctx.refuse_form(&f.refusal(), &e);
            return ctx.redirect(&at.base).await;
        }
    };
    let result = ctx
        .state
        .svc
        .create_role_assignment(
            &actor,
            RoleAssignmentWrite {
                id: RoleAssignmentId::new(),
                scope: at.scope.clone(),
                role_definition: role,
                principal,
                description: None,
                principal_type: None,
            },
        )
        .await;
    let base = at.base.clone();
    let names = ctx.state.svc.read(|w| {
        (
            reads::assignment_principal(w, at.sub, principal)
                .map(|p| principal_label(w, p))
                .unwrap_or_default(),
            reads::role_name(w, at.sub, role).unwrap_or_default(),
        )
    });
    let lang = ctx.lang;
    ctx.done_form(result, &base, f.refusal(), |_| {
        Flash::ok(
            lang.t("role-assigned-title"),
            lang.t_args(
                "role-assigned-message",
                &[("principal", names.0), ("role", names.1)],
            ),
        )
    })
    .await
}

pub async fn sub_add(
    SignedIn { ctx, actor, .. }: SignedIn,
    Path(sub): Path<String>,
    CsrfForm(f): CsrfForm<AddForm>,
) -> PortalResult {
    add(ctx, actor, where_(&sub, None)?, f).await
}

pub async fn rg_add(
    SignedIn { ctx, actor, .. }: SignedIn,
    Path((sub, rg)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<AddForm>,
) -> PortalResult {
    add(ctx, actor, where_(&sub, Some(&rg))?, f).await
}

#[derive(Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    assignment: String,
}

async fn remove(mut ctx: Ctx, actor: Actor, at: Where, f: RemoveForm) -> PortalResult {
    let actor = act_for_subscription(&mut ctx, at.sub, actor);
    let id: RoleAssignmentId = parse_id(&f.assignment, "role assignment id")?;
    let result = ctx
        .state
        .svc
        .delete_role_assignment(&actor, at.sub, id)
        .await;
    let lang = ctx.lang;
    ctx.done(
        super::i18n::key("failed-remove-the-role-assignment"),
        result,
        &at.base,
        |r| match r {
            Some(_) => Flash::ok(
                lang.t("role-removed-here-title"),
                lang.t("role-removed-here-message"),
            ),
            None => Flash::ok(
                lang.t("role-already-gone-title"),
                lang.t("role-already-gone-message"),
            ),
        },
    )
    .await
}

pub async fn sub_remove(
    SignedIn { ctx, actor, .. }: SignedIn,
    Path(sub): Path<String>,
    CsrfForm(f): CsrfForm<RemoveForm>,
) -> PortalResult {
    remove(ctx, actor, where_(&sub, None)?, f).await
}

pub async fn rg_remove(
    SignedIn { ctx, actor, .. }: SignedIn,
    Path((sub, rg)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<RemoveForm>,
) -> PortalResult {
    remove(ctx, actor, where_(&sub, Some(&rg))?, f).await
}

#[derive(Deserialize)]
pub struct CheckForm {
    #[serde(default)]
    principal: String,
    #[serde(default)]
    principal_name: String,
}

impl CheckForm {
    /// The form's refusal: next to whose access, with what was typed or picked kept.
    pub(super) fn refusal(&self) -> FormRefusal<'_> {
        FormRefusal {
            failed: super::i18n::key("failed-check-access"),
            fields: &[(
                "check-name",
                &[
                    "PrincipalRequired",
                    "PrincipalNotFound",
                    "UnmatchedPrincipalType",
                    "InvalidCharacter",
                ],
            )],
            typed: vec![
                ("check-principal", self.principal.clone()),
                ("check-name", self.principal_name.clone()),
            ],
        }
    }

    /// The principal whose access is asked about (see [`named`]).
    pub(super) fn principal(&self) -> &str {
        named(&self.principal, &self.principal_name)
    }
}

async fn check(mut ctx: Ctx, actor: Actor, at: Where, f: CheckForm) -> PortalResult {
    let actor = act_for_subscription(&mut ctx, at.sub, actor);
    let actions: Vec<&str> = CHECKS.iter().map(|(_, action)| *action).collect();
    let result = ctx.state.svc.read(|w| -> Result<CheckResult, DomainError> {
        let c = reads::check_access(w, &actor, &at.scope, f.principal(), &actions)?;
        Ok(check_result(w, &CHECKS, c))
    });
    match result {
        Ok(c) => show(ctx, actor, at, Some(c)).await,
        Err(e) => {
            ctx.refuse_form(&f.refusal(), &e);
            let base = at.base.clone();
            ctx.redirect(&base).await
        }
    }
}

/// A check's answer as the page shows it: each action of `checks` in words, with the grants that allow it.
pub(super) fn check_result(
    w: &World,
    checks: &[(&str, &str)],
    c: reads::AccessCheck<'_, '_>,
) -> CheckResult {
    let rows = checks
        .iter()
        .zip(&c.actions)
        .map(|((label, _), (_, grants))| CheckRow {
            action: label.to_string(),
            allowed: !grants.is_empty(),
            grants: grants.iter().map(|g| g.describe()).collect(),
        })
        .collect();
    let permissions = c
        .permissions
        .iter()
        .map(|p| {
            let mut line = format!(
                "Actions: {}",
                if p.actions.is_empty() {
                    "none".into()
                } else {
                    p.actions.join(", ")
                }
            );
            if !p.not_actions.is_empty() {
                line.push_str(&format!(" — except: {}", p.not_actions.join(", ")));
            }
            line
        })
        .collect();
    CheckResult {
        principal: principal_label(w, c.principal),
        rows,
        permissions,
    }
}

pub async fn sub_check(
    SignedIn { ctx, actor, .. }: SignedIn,
    Path(sub): Path<String>,
    CsrfForm(f): CsrfForm<CheckForm>,
) -> PortalResult {
    check(ctx, actor, where_(&sub, None)?, f).await
}

pub async fn rg_check(
    SignedIn { ctx, actor, .. }: SignedIn,
    Path((sub, rg)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<CheckForm>,
) -> PortalResult {
    check(ctx, actor, where_(&sub, Some(&rg))?, f).await
}
