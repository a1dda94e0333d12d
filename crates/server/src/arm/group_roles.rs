//! Role definitions at a management group's scope
//! (`/providers/Microsoft.Management/managementGroups/{g}/providers/Microsoft.Authorization/roleDefinitions[/{id}]`):
//! the built-in roles and the directory's custom roles at home in the group or above it (list with
//! `$filter`, get), and the custom roles made (PUT, 201) and deleted (DELETE: 200 with the role, 204
//! when there was none) there, as ARM answers. Each role is named by its id without a scope, as the
//! assignments at groups name theirs: the Azure CLI finds a group's assignments of a role by comparing
//! the two.

use super::authorization::{DefinitionBody, definition_query};
use super::path::parse_role_definition_id;
use super::query::page;
use super::{ArmResult, Req, method_not_allowed, wire};
use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use serde_json::Value;
use tenantry_domain::RoleDefinitionId;
use tenantry_domain::rules::group_roles::{self, GroupRoleDefinitionWrite};

pub async fn role_definitions(req: &Req, group: &str, id: Option<&str>) -> ArmResult {
    let id = id.map(parse_role_definition_id).transpose()?;
    match (&req.method, id) {
        (&Method::GET | &Method::HEAD, None) => {
            let q = definition_query(req)?;
            let items: Vec<Value> = req.st.svc.read(|w| {
                group_roles::list_group_role_definitions(w, req.actor(), group, &q).map(|ds| {
                    ds.into_iter()
                        .map(|d| wire::role_definition(d, None))
                        .collect()
                })
            })?;
            let (items, next) = page(items, &req.query, req.base_url(), &req.path)?;
            Ok(wire::list(items, next))
        }
        (&Method::GET | &Method::HEAD, Some(id)) => {
            let body = req.st.svc.read(|w| {
                group_roles::get_group_role_definition(w, req.actor(), group, id)
                    .map(|d| wire::role_definition(d, None))
            })?;
            Ok(wire::ok(&body))
        }
        (&Method::PUT, Some(id)) => put(req, Some(group), id, wire::body(&req.body)?).await,
        (&Method::DELETE, Some(id)) => match req
            .st
            .svc
            .delete_role_definition_at_group(req.actor(), group, id)
            .await?
        {
            Some(d) => Ok(wire::ok(&wire::role_definition(&d, None))),
            None => Ok(StatusCode::NO_CONTENT.into_response()),
        },
        (m, _) => Err(method_not_allowed(m)),
    }
}

/// A PUT of a custom role at a group's scope (`group`), or without a scope naming a group in its
/// assignable scopes (`None`): 201 with the role.
pub(super) async fn put(
    req: &Req,
    group: Option<&str>,
    id: RoleDefinitionId,
    b: DefinitionBody,
) -> ArmResult {
    let p = b.properties;
    let write = GroupRoleDefinitionWrite {
        id,
        tenant: None,
        at_group: group.map(str::to_string),
        permissions: p.permissions(),
        name: p.role_name,
        description: p.description.unwrap_or_default(),
        assignable_scopes: p.assignable_scopes,
    };
    let def = req
        .st
        .svc
        .put_group_role_definition(req.actor(), write)
        .await?;
    Ok(wire::json(
        StatusCode::CREATED,
        &wire::role_definition(&def, None),
    ))
}
