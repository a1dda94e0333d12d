//! Access control (IAM) at a management group: the role assignments at the group and those inherited
//! from above (each with where it comes from), adding and removing one, and "check access" there. What
//! is shown and offered is the domain's read (`rules::reads::hierarchy_access`); every write is the
//! rule ARM's role assignments at management groups run.

use super::access::{AddForm, CheckForm, check_result, principal_choices, role_choices};
use super::pages::*;
use super::session::{CsrfForm, Ctx, Flash, SignedIn};
use super::{PortalResult, parse_id, paths};
use axum::extract::Path;
use serde::Deserialize;
use tenantry_service::domain::action::names;
use tenantry_service::domain::rules::hierarchy::group_id;
use tenantry_service::domain::rules::hierarchy_access::GroupAssignmentWrite;
use tenantry_service::domain::rules::reads::{self, AssignmentOrigin, GroupAssignmentView};
use tenantry_service::domain::*;

/// What "check access" asks about at a group, in words, with the operation that stands for it.
const CHECKS: [(&str, &str); 4] = [
    (
        "Read the group and what is under it",
        names::MANAGEMENT_GROUP_READ,
    ),
    (
        "Change the group (rename, move, create groups under it)",
        names::MANAGEMENT_GROUP_WRITE,
    ),
    ("Read who has access", names::ROLE_ASSIGNMENT_READ),
    (
        "Grant and remove access (role assignments)",
        names::ROLE_ASSIGNMENT_WRITE,
    ),
];

/// Assignments at management groups as a list shows them, with where each is made in words.
pub(super) fn assignment_rows(
    w: &World,
    views: &[GroupAssignmentView],
) -> Vec<ManagementGroupAssignmentRow> {
    views
        .iter()
        .map(|v| {
            let a = &v.assignment;
            ManagementGroupAssignmentRow {
                id: a.id.to_string(),
                principal: v
                    .principal
                    .map(|p| principal_label(w, p))
                    .unwrap_or_else(|| a.principal.to_string()),
                principal_type: a.principal_type.as_str().to_string(),
                role: v.role.clone(),
                origin: match &v.origin {
                    AssignmentOrigin::Here => "This management group".into(),
                    AssignmentOrigin::Group { display_name, .. } => {
                        format!("inherited from management group {display_name}")
                    }
                    AssignmentOrigin::TenantRootGroup { .. } => {
                        "inherited from the tenant root group".into()
                    }
                    AssignmentOrigin::RootScope => "root scope (elevated)".into(),
                },
                // The group shown links to nothing: the person is on its page.
                href: (v.may_open && v.origin != AssignmentOrigin::Here)
                    .then(|| paths::management_group_access(&a.management_group)),
                inherited: v.origin != AssignmentOrigin::Here,
                may_remove: v.may_remove,
            }
        })
        .collect()
}

fn tabs(name: &str) -> Vec<Tab> {
    vec![
        Tab {
            href: "/hierarchy".into(),
            label: super::i18n::key("tab-hierarchy"),
            current: false,
        },
        Tab {
            href: paths::management_group_access(name),
            label: super::i18n::key("tab-access"),
            current: true,
        },
    ]
}

fn page_for(
    w: &World,
    actor: &Actor,
    name: &str,
    check: Option<CheckResult>,
) -> Result<GroupAccess, DomainError> {
    let a = reads::group_access_control(w, actor, name)?;
    Ok(GroupAccess {
        chrome: Chrome::bare(),
        tabs: tabs(&a.group.name),
        scope: group_id(&a.group.name),
        base: paths::management_group_access(&a.group.name),
        display_name: a.group.display_name.clone(),
        is_root: a.is_root,
        assignments: assignment_rows(w, &a.assignments),
        roles: role_choices(&a.roles),
        principals: principal_choices(w, &a.principals),
        check,
        can_write: a.may_write,
    })
}

async fn show(mut ctx: Ctx, actor: Actor, name: &str, check: Option<CheckResult>) -> PortalResult {
    match ctx.state.svc.read(|w| page_for(w, &actor, name, check)) {
        Ok(mut page) => {
            page.chrome = ctx.chrome("hierarchy", &page.base);
            ctx.render(&page).await
        }
        Err(e) => ctx.error_page(e).await,
    }
}

pub async fn page(SignedIn { ctx, actor, .. }: SignedIn, Path(mg): Path<String>) -> PortalResult {
    show(ctx, actor, &mg, None).await
}

pub async fn add(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path(mg): Path<String>,
    CsrfForm(f): CsrfForm<AddForm>,
) -> PortalResult {
    let base = paths::management_group_access(&mg);
    let resolved = ctx.state.svc.read(|w| {
        let principal = reads::group_assignable_principal(w, &actor, &mg, f.principal())?;
        Ok::<_, DomainError>((principal, f.role()?))
    });
    let (principal, role) = match resolved {
        Ok(v) => v,
        Err(e) => {
            ctx.refuse_form(&f.refusal(), &e);
            return ctx.redirect(&base).await;
        }
    };
    let result = ctx
        .state
        .svc
        .assign_at_management_group(
            &actor,
            GroupAssignmentWrite {
                id: RoleAssignmentId::new(),
                group: mg.clone(),
                principal,
                role,
            },
        )
        .await;
    let names = ctx.state.svc.read(|w| {
        let principal = actor
            .tenant()
            .and_then(|t| w.principal(t, principal))
            .map(|p| principal_label(w, p))
            .unwrap_or_default();
        let role = w
            .built_in_roles()
            .iter()
            .find(|r| r.id == role)
            .map(|r| r.name.clone())
            .unwrap_or_default();
        (principal, role)
    });
    let lang = ctx.lang;
    ctx.done_form(result, &base, f.refusal(), |_| {
        Flash::ok(
            lang.t("mg-role-assigned-title"),
            lang.t_args(
                "mg-role-assigned-message",
                &[("principal", names.0), ("role", names.1)],
            ),
        )
    })
    .await
}

#[derive(Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    assignment: String,
}

pub async fn remove(
    SignedIn { ctx, actor, .. }: SignedIn,
    Path(mg): Path<String>,
    CsrfForm(f): CsrfForm<RemoveForm>,
) -> PortalResult {
    let id: RoleAssignmentId = parse_id(&f.assignment, "role assignment id")?;
    let result = ctx
        .state
        .svc
        .remove_management_group_assignment(&actor, id)
        .await;
    let lang = ctx.lang;
    ctx.done(
        super::i18n::key("failed-remove-the-role-assignment"),
        result,
        &paths::management_group_access(&mg),
        |_| {
            Flash::ok(
                lang.t("mg-role-removed-title"),
                lang.t("mg-role-removed-message"),
            )
        },
    )
    .await
}

pub async fn check(
    SignedIn { mut ctx, actor, .. }: SignedIn,
    Path(mg): Path<String>,
    CsrfForm(f): CsrfForm<CheckForm>,
) -> PortalResult {
    let actions: Vec<&str> = CHECKS.iter().map(|(_, action)| *action).collect();
    let result = ctx.state.svc.read(|w| -> Result<CheckResult, DomainError> {
        let c = reads::check_access_at_group(w, &actor, &mg, f.principal(), &actions)?;
        Ok(check_result(w, &CHECKS, c))
    });
    match result {
        Ok(c) => show(ctx, actor, &mg, Some(c)).await,
        Err(e) => {
            ctx.refuse_form(&f.refusal(), &e);
            ctx.redirect(&paths::management_group_access(&mg)).await
        }
    }
}
