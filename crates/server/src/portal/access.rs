//! Access control (IAM) at subscription and resource-group scope: the role assignments that apply here,
//! add and remove, and "check access" (what a principal may do here and which grant says so).

use super::pages::*;
use super::session::{CsrfForm, Ctx, Flash};
use super::subscriptions::act_for_subscription;
use super::{PortalResult, parse_id, tenant_name};
use crate::signed_in;
use axum::extract::Path;
use serde::Deserialize;
use tenantry_service::domain::action::{Action, names};
use tenantry_service::domain::rules::access::RoleAssignmentWrite;
use tenantry_service::domain::rules::reads;
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

fn where_(sub: &str, rg: Option<&str>) -> Result<Where, super::PortalError> {
    let id: SubscriptionId = parse_id(sub, "subscription id")?;
    Ok(match rg {
        None => Where {
            sub: id,
            scope: Scope::subscription(id),
            group: None,
            base: format!("/portal/subscriptions/{id}/access"),
        },
        Some(g) => Where {
            sub: id,
            scope: Scope::resource_group(id, g),
            group: Some(g.to_string()),
            base: format!("/portal/subscriptions/{id}/resourceGroups/{g}/access"),
        },
    })
}

fn principal_label(w: &World, tenant: TenantId, o: ObjectId) -> (String, String) {
    match w.principal(tenant, o) {
        Some(p) => {
            let name = match p {
                world::PrincipalRef::User(u) => format!(
                    "{} ({})",
                    u.display_name,
                    u.identity()
                        .and_then(|i| w.identity_email(i))
                        .unwrap_or_else(|| u.upn().to_string())
                ),
                world::PrincipalRef::ServicePrincipal(a) => {
                    format!("{} (application {})", a.display_name, a.client_id)
                }
            };
            (name, p.principal_type().as_str().to_string())
        }
        None => (o.to_string(), "Unknown".into()),
    }
}

fn page_for(
    w: &World,
    actor: &Actor,
    at: &Where,
    check: Option<CheckResult>,
) -> Result<Access, DomainError> {
    let part = reads::get_subscription(w, actor, at.sub)?;
    if let Some(g) = &at.group {
        reads::get_resource_group(w, actor, at.sub, g)?;
    }
    let s = &part.subscription;
    let list = reads::list_role_assignments(w, actor, &at.scope, &Default::default())?;
    let assignments = list
        .items
        .iter()
        .map(|a| {
            let (principal, principal_type) = principal_label(w, s.tenant, a.principal);
            AssignmentRow {
                id: a.id.to_string(),
                principal,
                principal_type,
                role: w
                    .role_definition(s.id, a.role_definition)
                    .map(|d| d.name.clone())
                    .unwrap_or_default(),
                scope: if a.scope.relative().is_empty() {
                    "This subscription".into()
                } else {
                    a.scope.relative().to_string()
                },
                inherited: a.scope != at.scope && a.scope.contains(&at.scope),
            }
        })
        .collect();
    let mut roles: Vec<Choice> = w
        .role_definitions(s.id)
        .into_iter()
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
    let principals = if reads::require_directory_enumeration(w, actor, s.tenant).is_ok() {
        let t = w.tenant(s.tenant).expect("trusted tenant exists");
        let mut v: Vec<Choice> = t
            .users
            .values()
            .filter(|u| u.is_present())
            .map(|u| Choice {
                value: u.id.to_string(),
                label: principal_label(w, s.tenant, u.id).0,
                selected: false,
            })
            .chain(t.applications.values().map(|a| Choice {
                value: a.id.to_string(),
                label: principal_label(w, s.tenant, a.id).0,
                selected: false,
            }))
            .collect();
        v.sort_by_key(|x| x.label.to_lowercase());
        v
    } else {
        vec![]
    };
    let scope_label = match &at.group {
        Some(g) => format!("resource group {g}"),
        None => format!("subscription {}", s.display_name),
    };
    let _ = tenant_name;
    Ok(Access {
        chrome: Chrome::bare(),
        tabs: subscription_tabs(&at.sub.to_string(), "access"),
        id: at.sub.to_string(),
        name: s.display_name.clone(),
        scope: at.scope.to_string(),
        scope_label,
        base: at.base.clone(),
        group: at.group.clone(),
        assignments,
        roles,
        principals,
        check,
        can_write: w.authorize(actor, &Action::new(names::ROLE_ASSIGNMENT_WRITE), &at.scope),
    })
}

async fn show(mut ctx: Ctx, at: Where, check: Option<CheckResult>) -> PortalResult {
    let actor = signed_in!(ctx, at.base);
    let actor = act_for_subscription(&mut ctx, at.sub, actor);
    match ctx.state.svc.read(|w| page_for(w, &actor, &at, check)) {
        Ok(mut page) => {
            page.chrome = ctx.chrome("home", &at.base);
            ctx.render(&page).await
        }
        Err(e) => ctx.error_page(e).await,
    }
}

pub async fn sub_page(ctx: Ctx, Path(sub): Path<String>) -> PortalResult {
    show(ctx, where_(&sub, None)?, None).await
}

pub async fn rg_page(ctx: Ctx, Path((sub, rg)): Path<(String, String)>) -> PortalResult {
    show(ctx, where_(&sub, Some(&rg))?, None).await
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

/// A principal of `tenant` picked from the list (object id) or typed (UPN, email, client id, object id).
fn resolve_principal(
    w: &World,
    tenant: TenantId,
    picked: &str,
    typed: &str,
) -> Result<ObjectId, DomainError> {
    let key = if typed.trim().is_empty() {
        picked.trim()
    } else {
        typed.trim()
    };
    if key.is_empty() {
        return Err(DomainError::invalid("PrincipalRequired", "Say who the role is for.")
            .with_remedy("Pick a user or application of the directory, or type a user principal name, an email or an application's client id."));
    }
    w.find_principal(tenant, key).filter(|p| p.is_present()).map(|p| p.id()).ok_or_else(|| {
        DomainError::invalid(
            "PrincipalNotFound",
            format!("No user, redeemed guest or application of the directory {} is named '{key}'.", tenant_name(w, tenant)),
        )
        .with_remedy("Check the name, or invite the person to the directory first (Directory → Guests and invitations).")
    })
}

async fn add(mut ctx: Ctx, at: Where, f: AddForm) -> PortalResult {
    let actor = signed_in!(ctx, at.base);
    let actor = act_for_subscription(&mut ctx, at.sub, actor);
    let resolved = ctx.state.svc.read(|w| {
        let tenant = w
            .subscription(at.sub)
            .map(|s| s.subscription.tenant)
            .ok_or_else(|| {
                DomainError::not_found(
                    "SubscriptionNotFound",
                    "The subscription could not be found.",
                )
            })?;
        let principal = resolve_principal(w, tenant, &f.principal, &f.principal_name)?;
        let role: RoleDefinitionId = f.role.trim().parse().map_err(|_| {
            DomainError::invalid("RoleRequired", "Choose a role.")
                .with_remedy("Pick one of the roles in the list.")
        })?;
        Ok::<_, DomainError>((principal, role))
    });
    let (principal, role) = match resolved {
        Ok(v) => v,
        Err(e) => {
            ctx.flash_error(&e);
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
            },
        )
        .await;
    let base = at.base.clone();
    let names = ctx.state.svc.read(|w| {
        let t = w.subscription(at.sub).map(|s| s.subscription.tenant);
        (
            t.map(|t| principal_label(w, t, principal).0)
                .unwrap_or_default(),
            w.role_definition(at.sub, role)
                .map(|d| d.name.clone())
                .unwrap_or_default(),
        )
    });
    ctx.done(result, &base, |_| {
        Flash::ok(
            "Role assigned",
            format!("{} now has the role {} here.", names.0, names.1),
        )
    })
    .await
}

pub async fn sub_add(
    ctx: Ctx,
    Path(sub): Path<String>,
    CsrfForm(f): CsrfForm<AddForm>,
) -> PortalResult {
    add(ctx, where_(&sub, None)?, f).await
}

pub async fn rg_add(
    ctx: Ctx,
    Path((sub, rg)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<AddForm>,
) -> PortalResult {
    add(ctx, where_(&sub, Some(&rg))?, f).await
}

#[derive(Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    assignment: String,
}

async fn remove(mut ctx: Ctx, at: Where, f: RemoveForm) -> PortalResult {
    let actor = signed_in!(ctx, at.base);
    let actor = act_for_subscription(&mut ctx, at.sub, actor);
    let id: RoleAssignmentId = parse_id(&f.assignment, "role assignment id")?;
    let result = ctx
        .state
        .svc
        .delete_role_assignment(&actor, at.sub, id)
        .await;
    ctx.done(result, &at.base, |r| match r {
        Some(_) => Flash::ok(
            "Role assignment removed",
            "The role assignment was removed.",
        ),
        None => Flash::ok(
            "Nothing to remove",
            "That role assignment was already gone.",
        ),
    })
    .await
}

pub async fn sub_remove(
    ctx: Ctx,
    Path(sub): Path<String>,
    CsrfForm(f): CsrfForm<RemoveForm>,
) -> PortalResult {
    remove(ctx, where_(&sub, None)?, f).await
}

pub async fn rg_remove(
    ctx: Ctx,
    Path((sub, rg)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<RemoveForm>,
) -> PortalResult {
    remove(ctx, where_(&sub, Some(&rg))?, f).await
}

#[derive(Deserialize)]
pub struct CheckForm {
    #[serde(default)]
    principal: String,
    #[serde(default)]
    principal_name: String,
}

async fn check(mut ctx: Ctx, at: Where, f: CheckForm) -> PortalResult {
    let actor = signed_in!(ctx, at.base);
    let actor = act_for_subscription(&mut ctx, at.sub, actor);
    let result = ctx.state.svc.read(|w| -> Result<CheckResult, DomainError> {
        rules::authorize(w, &actor, names::ROLE_ASSIGNMENT_READ, &at.scope)?;
        let tenant = w
            .subscription(at.sub)
            .map(|s| s.subscription.tenant)
            .expect("authorized");
        let principal = resolve_principal(w, tenant, &f.principal, &f.principal_name)?;
        let rows = CHECKS
            .iter()
            .map(|(label, action)| {
                let grants = w.explain_access(principal, &Action::new(action), &at.scope);
                CheckRow {
                    action: label.to_string(),
                    allowed: !grants.is_empty(),
                    grants: grants.iter().map(|g| g.describe()).collect(),
                }
            })
            .collect();
        let permissions = w
            .effective_permissions(principal, &at.scope)
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
        Ok(CheckResult {
            principal: principal_label(w, tenant, principal).0,
            rows,
            permissions,
        })
    });
    match result {
        Ok(c) => show(ctx, at, Some(c)).await,
        Err(e) => {
            ctx.flash_error(&e);
            let base = at.base.clone();
            ctx.redirect(&base).await
        }
    }
}

pub async fn sub_check(
    ctx: Ctx,
    Path(sub): Path<String>,
    CsrfForm(f): CsrfForm<CheckForm>,
) -> PortalResult {
    check(ctx, where_(&sub, None)?, f).await
}

pub async fn rg_check(
    ctx: Ctx,
    Path((sub, rg)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<CheckForm>,
) -> PortalResult {
    check(ctx, where_(&sub, Some(&rg))?, f).await
}
