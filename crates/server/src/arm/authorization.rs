//! Microsoft.Authorization at any scope: role definitions (list with `$filter`, get, custom roles PUT
//! and DELETE), role assignments (create, get, delete, list with `atScope()`, `principalId eq`,
//! `assignedTo()`), and the caller's permissions.

use super::cache::Rendered;
use super::path::{parse_role_assignment_id, parse_role_definition_id};
use super::query::{page, parse_filter, unsupported_filter};
use super::{ArmResult, Req, method_not_allowed, wire};
use crate::errors::ArmError;
use crate::odata::{Condition, Op};
use axum::body::Bytes;
use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::Value;
use tenantry_domain::rules::access::{RoleAssignmentWrite, RoleDefinitionWrite};
use tenantry_domain::rules::reads::{self, RoleAssignmentQuery, RoleDefinitionQuery};
use tenantry_domain::*;

// ----- role definitions -----

/// `{scope}/providers/Microsoft.Authorization/roleDefinitions[/{id}]`; `scope` is `None` for the
/// root form `/providers/Microsoft.Authorization/roleDefinitions/{id}`.
pub async fn role_definitions(req: &Req, scope: Option<&Scope>, id: Option<&str>) -> ArmResult {
    match (&req.method, id) {
        (&Method::GET | &Method::HEAD, None) => list_definitions(req, scope),
        (&Method::GET | &Method::HEAD, Some(id)) => get_definition(req, scope, id),
        (&Method::PUT, Some(id)) => put_definition(req, scope, id).await,
        (&Method::DELETE, Some(id)) => delete_definition(req, scope, id).await,
        (m, _) => Err(method_not_allowed(m)),
    }
}

pub(super) fn definition_query(req: &Req) -> Result<RoleDefinitionQuery, ArmError> {
    let mut q = RoleDefinitionQuery::default();
    let Some(text) = req.query.filter() else {
        return Ok(q);
    };
    for clause in parse_filter(text)? {
        match clause {
            Condition::Compare {
                property,
                op: Op::Eq,
                value,
            } if property.eq_ignore_ascii_case("roleName") => q.role_name = Some(value),
            Condition::Compare {
                property,
                op: Op::Eq,
                value,
            } if property.eq_ignore_ascii_case("type") => {
                q.custom = Some(value.eq_ignore_ascii_case("CustomRole"))
            }
            // The CLI adds these to scope its lists; every role here is visible at and below.
            Condition::Call { name, arg: None }
                if name.eq_ignore_ascii_case("atScopeAndBelow")
                    || name.eq_ignore_ascii_case("atScope") => {}
            _ => return Err(unsupported_filter(text)),
        }
    }
    Ok(q)
}

fn list_definitions(req: &Req, scope: Option<&Scope>) -> ArmResult {
    let q = definition_query(req)?;
    let items: Vec<Value> = match scope {
        Some(scope) => req.st.svc.read(|w| {
            reads::list_role_definitions(w, req.actor(), scope, &q).map(|ds| {
                ds.into_iter()
                    .map(|d| wire::role_definition(d, Some(scope.subscription_id())))
                    .collect()
            })
        })?,
        // At the root: the built-in roles, with root ids.
        None => req.st.svc.read(|w| {
            w.built_in_roles()
                .iter()
                .filter(|d| {
                    q.role_name
                        .as_deref()
                        .is_none_or(|n| d.name.eq_ignore_ascii_case(n))
                        && q.custom != Some(true)
                })
                .map(|d| wire::role_definition(d, None))
                .collect()
        }),
    };
    let (items, next) = page(items, &req.query, req.base_url(), &req.path)?;
    Ok(wire::list(items, next))
}

fn get_definition(req: &Req, scope: Option<&Scope>, id: &str) -> ArmResult {
    let id = parse_role_definition_id(id)?;
    let body = req.st.svc.read(|w| match scope {
        Some(s) => reads::get_role_definition(w, req.actor(), s, id)
            .map(|d| wire::role_definition(d, Some(s.subscription_id()))),
        None => reads::get_role_definition_anywhere(w, req.actor(), id)
            .map(|d| wire::role_definition(d, d.subscription)),
    })?;
    Ok(wire::ok(&body))
}

#[derive(Deserialize)]
pub(super) struct DefinitionBody {
    pub(super) properties: DefinitionProps,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct DefinitionProps {
    pub(super) role_name: String,
    #[serde(default)]
    pub(super) description: Option<String>,
    #[serde(default)]
    permissions: Vec<PermissionBody>,
    #[serde(default)]
    pub(super) assignable_scopes: Vec<String>,
}

impl DefinitionProps {
    /// The permission blocks as the domain takes them.
    pub(super) fn permissions(&self) -> Vec<Permission> {
        self.permissions
            .iter()
            .map(|p| Permission {
                actions: p.actions.clone(),
                not_actions: p.not_actions.clone(),
                data_actions: p.data_actions.clone(),
                not_data_actions: p.not_data_actions.clone(),
            })
            .collect()
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct PermissionBody {
    actions: Vec<String>,
    not_actions: Vec<String>,
    data_actions: Vec<String>,
    not_data_actions: Vec<String>,
}

/// The subscription a custom role belongs to: the path's, or (at the root) its first assignable scope's.
fn definition_subscription(
    scope: Option<&Scope>,
    props: &DefinitionProps,
) -> Result<SubscriptionId, ArmError> {
    if let Some(s) = scope {
        return Ok(s.subscription_id());
    }
    let first = props.assignable_scopes.first().ok_or_else(|| {
        ArmError::bad_request(
            "InvalidAssignableScope",
            "A custom role needs at least one assignable scope.",
        )
    })?;
    Ok(Scope::parse(first)?.subscription_id())
}

async fn put_definition(req: &Req, scope: Option<&Scope>, id: &str) -> ArmResult {
    let id = parse_role_definition_id(id)?;
    let b: DefinitionBody = wire::body(&req.body)?;
    let names_group = || {
        b.properties
            .assignable_scopes
            .iter()
            .any(|a| management_group_of_scope(a).is_some())
    };
    if scope.is_none() && names_group() {
        // Without a scope, a role naming a management group is the caller's directory's.
        return super::group_roles::put(req, None, id, b).await;
    }
    let subscription = definition_subscription(scope, &b.properties)?;
    let p = b.properties;
    let write = RoleDefinitionWrite {
        id,
        subscription,
        permissions: p.permissions(),
        name: p.role_name,
        description: p.description.unwrap_or_default(),
        assignable_scopes: p.assignable_scopes,
    };
    let def = req.st.svc.put_role_definition(req.actor(), write).await?;
    let seen_from = scope.map(|s| s.subscription_id()).or(def.subscription);
    Ok(wire::json(
        StatusCode::CREATED,
        &wire::role_definition(&def, seen_from),
    ))
}

/// 200 with the deleted role, 204 when there was none.
async fn delete_definition(req: &Req, scope: Option<&Scope>, id: &str) -> ArmResult {
    let id = parse_role_definition_id(id)?;
    let subscription = match scope {
        Some(s) => s.subscription_id(),
        None => req
            .st
            .svc
            .read(|w| {
                reads::get_role_definition_anywhere(w, req.actor(), id).map(|d| d.subscription)
            })?
            .ok_or_else(|| {
                ArmError::from(tenantry_domain::rules::access::role_definition_not_found(
                    &id.to_string(),
                ))
            })?,
    };
    match req
        .st
        .svc
        .delete_role_definition(req.actor(), subscription, id)
        .await?
    {
        Some(d) => Ok(wire::ok(&wire::role_definition(&d, Some(subscription)))),
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

// ----- role assignments -----

pub async fn role_assignments(req: &Req, scope: &Scope, name: Option<&str>) -> ArmResult {
    match (&req.method, name) {
        (&Method::GET | &Method::HEAD, None) => list_assignments(req, scope),
        (&Method::GET | &Method::HEAD, Some(id)) => get_assignment(req, scope, id),
        (&Method::PUT, Some(id)) => create_assignment(req, scope, id).await,
        (&Method::DELETE, Some(id)) => delete_assignment(req, scope, id).await,
        (m, _) => Err(method_not_allowed(m)),
    }
}

pub(super) fn principal_id(s: &str) -> Result<ObjectId, ArmError> {
    s.parse().map_err(|_| {
        ArmError::bad_request(
            "InvalidPrincipalId",
            format!("The principal ID '{s}' is not valid. The principal ID must be a GUID."),
        )
    })
}

fn assignment_query(req: &Req) -> Result<RoleAssignmentQuery, ArmError> {
    let mut q = RoleAssignmentQuery::default();
    let Some(text) = req.query.filter() else {
        return Ok(q);
    };
    for clause in parse_filter(text)? {
        match clause {
            Condition::Call { name, arg: None } if name.eq_ignore_ascii_case("atScope") => {
                q.at_scope = true
            }
            Condition::Call {
                name,
                arg: Some(id),
            } if name.eq_ignore_ascii_case("assignedTo") => {
                q.assigned_to = Some(principal_id(&id)?)
            }
            Condition::Compare {
                property,
                op: Op::Eq,
                value,
            } if property.eq_ignore_ascii_case("principalId") => {
                q.principal = Some(principal_id(&value)?)
            }
            _ => return Err(unsupported_filter(text)),
        }
    }
    Ok(q)
}

/// The one big list: rendered straight to text while the world is read (no tree, no clones), and
/// shared by every caller who may read at the scope until the world changes (cache.rs).
fn list_assignments(req: &Req, scope: &Scope) -> ArmResult {
    let q = assignment_query(req)?;
    let key = format!("{}?{}", req.path, req.query.raw());
    let (body, cached) = req.st.svc.read(|w| {
        // Read under the world's lock, the revision is never newer than the world rendered.
        let revision = req.st.svc.revision();
        let whole = reads::role_assignment_read_access(w, req.actor(), scope)?;
        if whole && let Some(hit) = req.st.arm.get(revision, &key) {
            return Ok((hit.plain.clone(), Some(hit)));
        }
        let list = reads::list_role_assignments(w, req.actor(), scope, &q)?;
        let (items, next) = page(list.items, &req.query, req.base_url(), &req.path)?;
        let body = Bytes::from(wire::role_assignments(&items, next.as_deref()));
        if list.whole {
            let rendered = Rendered::new(body.clone());
            req.st.arm.put(revision, key.clone(), rendered.clone());
            return Ok((body, Some(rendered)));
        }
        Ok::<_, ArmError>((body, None))
    })?;
    match cached {
        // Compressed outside the world's lock, once per revision.
        Some(rendered) if req.accepts_gzip => Ok(wire::gzip_json(StatusCode::OK, rendered.gzip())),
        _ => Ok(wire::raw_json(StatusCode::OK, body)),
    }
}

fn get_assignment(req: &Req, scope: &Scope, id: &str) -> ArmResult {
    let id = parse_role_assignment_id(id)?;
    let text = req.st.svc.read(|w| {
        reads::get_role_assignment(w, req.actor(), scope.subscription_id(), id)
            .map(wire::role_assignment)
    })?;
    Ok(wire::raw_json(StatusCode::OK, text))
}

#[derive(Deserialize)]
pub(super) struct AssignmentBody {
    pub(super) properties: AssignmentProps,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AssignmentProps {
    pub(super) role_definition_id: String,
    pub(super) principal_id: String,
    /// `User`, `Group`, `ServicePrincipal`, … as the client declares it; optional, as in ARM.
    #[serde(default)]
    principal_type: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// The GUID at the end of a role definition id, whichever form the client sent.
pub(super) fn role_definition_of(id: &str) -> Result<RoleDefinitionId, ArmError> {
    parse_role_definition_id(id.trim_end_matches('/').rsplit('/').next().unwrap_or(id))
}

/// ARM's principal types; an unknown one is unreadable content, as an unknown enum value is in ARM.
fn principal_type(s: &str) -> Result<PrincipalType, ArmError> {
    PrincipalType::parse(s).ok_or_else(|| {
        ArmError::invalid_json(format!(
            "the principalType '{s}' is not one of User, Group, ServicePrincipal, ForeignGroup, Device"
        ))
    })
}

/// 201 when created; 200 when the same assignment already had this id (PUT is idempotent).
async fn create_assignment(req: &Req, scope: &Scope, id: &str) -> ArmResult {
    let id = parse_role_assignment_id(id)?;
    let b: AssignmentBody = wire::body(&req.body)?;
    let write = RoleAssignmentWrite {
        id,
        scope: scope.clone(),
        role_definition: role_definition_of(&b.properties.role_definition_id)?,
        principal: principal_id(&b.properties.principal_id)?,
        principal_type: b
            .properties
            .principal_type
            .as_deref()
            .map(principal_type)
            .transpose()?,
        description: b.properties.description,
    };
    let put = req
        .st
        .svc
        .create_role_assignment(req.actor(), write)
        .await?;
    let status = if put.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(wire::raw_json(
        status,
        wire::role_assignment(&put.assignment),
    ))
}

/// 200 with the deleted assignment, 204 when there was none.
async fn delete_assignment(req: &Req, scope: &Scope, id: &str) -> ArmResult {
    let id = parse_role_assignment_id(id)?;
    match req
        .st
        .svc
        .delete_role_assignment(req.actor(), scope.subscription_id(), id)
        .await?
    {
        Some(a) => Ok(wire::raw_json(StatusCode::OK, wire::role_assignment(&a))),
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

// ----- permissions -----

/// What the caller may do at a group or resource: `{"value":[{"actions","notActions",…}]}`, each block
/// with the grant it comes from (`grantedBy`, tenantry's addition: through which groups, for a group's).
pub fn permissions(req: &Req, scope: &Scope) -> ArmResult {
    let items: Vec<Value> = req.st.svc.read(|w| {
        reads::permissions(w, req.actor(), scope).map(|ps| {
            ps.iter()
                .map(|p| wire::granted_permission(p, scope.subscription_id()))
                .collect()
        })
    })?;
    Ok(wire::list(items, None))
}
