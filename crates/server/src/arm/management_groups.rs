//! `Microsoft.Management/managementGroups` (api-versions 2021-04-01 and 2023-04-01, which answer alike
//! here): list, get (with `$expand=children` and `$recurse=true`), PUT (create or update, answered 200
//! with the group: the SDKs' long-running poller ends on it), PATCH, DELETE (204: deleted within the
//! request; never 200, which the SDKs reject), and the subscriptions under a group (GET, PUT to move one
//! in, DELETE to return it to the root). Requests act on the directory the caller signed in to.

use super::{ArmResult, Req, method_not_allowed, path, wire};
use crate::errors::ArmError;
use axum::http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use tenantry_domain::rules::hierarchy::{
    self, ChildView, GroupView, ManagementGroupWrite, group_id, group_name_of,
};
use tenantry_domain::rules::hierarchy_access::{self, GroupAssignmentWrite};
use tenantry_domain::timestamps::format_timestamp;
use tenantry_domain::{ManagementGroup, ManagementGroupRoleAssignment, ROOT_SCOPE, SubscriptionId};

const GROUP_TYPE: &str = "Microsoft.Management/managementGroups";

/// `/providers/Microsoft.Management/{rest…}`: `rest` is what follows the namespace.
pub async fn route(req: &Req, rest: &[&str]) -> ArmResult {
    let is = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    match rest {
        [mg] if is(mg, "managementGroups") => only_get(req, list),
        [e] if is(e, "getEntities") => super::hierarchy_entities::get_entities(req),
        [mg, name] if is(mg, "managementGroups") => group(req, name).await,
        [mg, name, subs] if is(mg, "managementGroups") && is(subs, "subscriptions") => {
            only_get(req, |r| subscriptions(r, name))
        }
        [mg, name, d] if is(mg, "managementGroups") && is(d, "descendants") => {
            only_get(req, |r| descendants(r, name))
        }
        [mg, name, s] if is(mg, "managementGroups") && is(s, "settings") => {
            super::hierarchy_settings::list(req, name)
        }
        [mg, name, s, d] if is(mg, "managementGroups") && is(s, "settings") && is(d, "default") => {
            super::hierarchy_settings::default(req, name).await
        }
        [mg, name, subs, id] if is(mg, "managementGroups") && is(subs, "subscriptions") => {
            subscription(req, name, id).await
        }
        [mg, name, p, ns, rd, id @ ..]
            if is(mg, "managementGroups")
                && is(p, "providers")
                && is(ns, "Microsoft.Authorization")
                && is(rd, "roleDefinitions")
                && id.len() <= 1 =>
        {
            super::group_roles::role_definitions(req, name, id.first().copied()).await
        }
        [mg, name, p, ns, ra, id @ ..]
            if is(mg, "managementGroups")
                && is(p, "providers")
                && is(ns, "Microsoft.Authorization")
                && is(ra, "roleAssignments")
                && id.len() <= 1 =>
        {
            assignments(req, Some(name), id.first().copied()).await
        }
        _ => Err(path::unknown_path(&req.path)),
    }
}

fn only_get(req: &Req, f: impl FnOnce(&Req) -> ArmResult) -> ArmResult {
    if req.method == Method::GET {
        f(req)
    } else {
        Err(method_not_allowed(&req.method))
    }
}

fn info(g: &ManagementGroup) -> Value {
    json!({
        "id": group_id(&g.name),
        "type": GROUP_TYPE,
        "name": g.name,
        "properties": {"tenantId": g.tenant, "displayName": g.display_name},
    })
}

fn path_element(g: &ManagementGroup) -> Value {
    json!({"name": g.name, "displayName": g.display_name})
}

fn child(c: &ChildView) -> Value {
    match c {
        ChildView::Group { group, children } => {
            let mut v = json!({
                "type": GROUP_TYPE,
                "id": group_id(&group.name),
                "name": group.name,
                "displayName": group.display_name,
            });
            if let Some(cs) = children {
                v["children"] = cs.iter().map(child).collect();
            }
            v
        }
        ChildView::Subscription { id, display_name } => json!({
            "type": "/subscriptions",
            "id": format!("/subscriptions/{id}"),
            "name": id,
            "displayName": display_name,
        }),
    }
}

fn full(view: &GroupView) -> Value {
    let g = &view.group;
    let mut v = info(g);
    v["properties"]["details"] = json!({
        "version": 1,
        "updatedTime": format_timestamp(g.updated),
        "updatedBy": g.updated_by,
        "parent": view.parent.as_ref().map(|p| json!({
            "id": group_id(&p.name),
            "name": p.name,
            "displayName": p.display_name,
        })),
        "path": view.path.iter().chain(std::iter::once(g)).map(path_element).collect::<Vec<_>>(),
    });
    v["properties"]["children"] = match &view.children {
        Some(cs) => cs.iter().map(child).collect(),
        None => Value::Null,
    };
    v
}

fn list(req: &Req) -> ArmResult {
    let groups = req
        .st
        .svc
        .read(|w| hierarchy::list_management_groups(w, req.actor()))?;
    Ok(wire::list(groups.iter().map(info).collect(), None))
}

fn render(req: &Req, name: &str) -> Result<Value, ArmError> {
    let expand = req.query.get("$expand").is_some_and(|e| {
        e.split(',')
            .any(|x| x.trim().eq_ignore_ascii_case("children"))
    });
    let recurse = req
        .query
        .get("$recurse")
        .is_some_and(|r| r.eq_ignore_ascii_case("true"));
    let view = req.st.svc.read(|w| {
        hierarchy::get_management_group(w, req.actor(), name, expand, expand && recurse)
    })?;
    Ok(full(&view))
}

/// `…/managementGroups/{id}/descendants`: every group and subscription below the group, each with its
/// parent, depth first, paged by `$top` and `$skiptoken` with `nextLink` (what azure-mgmt-managementgroups'
/// `get_descendants` pages through).
fn descendants(req: &Req, name: &str) -> ArmResult {
    let view = req
        .st
        .svc
        .read(|w| hierarchy::get_management_group(w, req.actor(), name, true, true))?;
    let mut out = Vec::new();
    flatten(
        &view.group.name,
        view.children.as_deref().unwrap_or(&[]),
        &mut out,
    );
    let (out, next) = super::query::page(out, &req.query, req.base_url(), &req.path)?;
    Ok(wire::list(out, next))
}

/// The descendants below `parent`, depth first, each as a child entry that names its parent instead of
/// holding its children.
fn flatten(parent: &str, children: &[ChildView], out: &mut Vec<Value>) {
    for c in children {
        let entry = child(c);
        out.push(json!({
            "id": entry["id"],
            "type": entry["type"],
            "name": entry["name"],
            "properties": {"displayName": entry["displayName"], "parent": {"id": group_id(parent)}},
        }));
        if let ChildView::Group {
            group,
            children: Some(cs),
        } = c
        {
            flatten(&group.name, cs, out);
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    #[serde(default)]
    properties: CreateProperties,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct CreateProperties {
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    details: Option<CreateDetails>,
}

#[derive(Deserialize, Default)]
struct CreateDetails {
    #[serde(default)]
    parent: Option<ParentRef>,
}

#[derive(Deserialize, Default)]
struct ParentRef {
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PatchBody {
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    parent_group_id: Option<String>,
}

async fn group(req: &Req, name: &str) -> ArmResult {
    match req.method {
        Method::GET => Ok(wire::ok(&render(req, name)?)),
        Method::PUT => {
            let b: CreateBody = wire::body(&req.body)?;
            let write = ManagementGroupWrite {
                display_name: b.properties.display_name,
                parent: b
                    .properties
                    .details
                    .and_then(|d| d.parent)
                    .and_then(|p| p.id)
                    .map(|id| group_name_of(&id).to_string()),
            };
            let view = req
                .st
                .svc
                .put_management_group(req.actor(), name, write)
                .await?;
            Ok(wire::ok(&full(&view)))
        }
        Method::PATCH => {
            let b: PatchBody = wire::body(&req.body)?;
            let write = ManagementGroupWrite {
                display_name: b.display_name,
                parent: b.parent_group_id.map(|id| group_name_of(&id).to_string()),
            };
            req.st
                .svc
                .update_management_group(req.actor(), name, write)
                .await?;
            Ok(wire::ok(&render(req, name)?))
        }
        Method::DELETE => {
            req.st
                .svc
                .delete_management_group(req.actor(), name)
                .await?;
            Ok(wire::empty(StatusCode::NO_CONTENT))
        }
        ref m => Err(method_not_allowed(m)),
    }
}

fn subscription_under(group: &ManagementGroup, id: SubscriptionId, display_name: &str) -> Value {
    json!({
        "id": format!("{}/subscriptions/{id}", group_id(&group.name)),
        "type": "Microsoft.Management/managementGroups/subscriptions",
        "name": id,
        "properties": {
            "tenant": group.tenant,
            "displayName": display_name,
            "parent": {"id": group_id(&group.name)},
            "state": "Active",
        },
    })
}

fn subscriptions(req: &Req, name: &str) -> ArmResult {
    let (group, subs) = req
        .st
        .svc
        .read(|w| hierarchy::subscriptions_under(w, req.actor(), name))?;
    Ok(wire::list(
        subs.iter()
            .map(|(id, n)| subscription_under(&group, *id, n))
            .collect(),
        None,
    ))
}

fn render_subscription(req: &Req, name: &str, id: SubscriptionId) -> Result<Value, ArmError> {
    let (group, display_name) = req
        .st
        .svc
        .read(|w| hierarchy::subscription_under(w, req.actor(), name, id))?;
    Ok(subscription_under(&group, id, &display_name))
}

async fn subscription(req: &Req, name: &str, id: &str) -> ArmResult {
    let id = path::parse_subscription_id(id)?;
    match req.method {
        Method::GET => Ok(wire::ok(&render_subscription(req, name, id)?)),
        Method::PUT => {
            req.st
                .svc
                .move_subscription_to_group(req.actor(), name, id)
                .await?;
            Ok(wire::ok(&render_subscription(req, name, id)?))
        }
        Method::DELETE => {
            req.st
                .svc
                .remove_subscription_from_group(req.actor(), name, id)
                .await?;
            Ok(wire::empty(StatusCode::OK))
        }
        ref m => Err(method_not_allowed(m)),
    }
}

fn assignment(a: &ManagementGroupRoleAssignment) -> Value {
    let scope = if a.management_group == ROOT_SCOPE {
        ROOT_SCOPE.to_string()
    } else {
        group_id(&a.management_group)
    };
    let prefix = if a.management_group == ROOT_SCOPE {
        ""
    } else {
        scope.as_str()
    };
    json!({
        "id": format!("{prefix}/providers/Microsoft.Authorization/roleAssignments/{}", a.id),
        "type": "Microsoft.Authorization/roleAssignments",
        "name": a.id,
        "properties": {
            "roleDefinitionId": format!("/providers/Microsoft.Authorization/roleDefinitions/{}", a.role_definition),
            "principalId": a.principal,
            "principalType": a.principal_type.as_str(),
            "scope": scope,
            "createdOn": format_timestamp(a.created),
            "updatedOn": format_timestamp(a.created),
        },
    })
}

/// Role assignments at a group (`Some(name)`) or at the root scope `/` (`None`, the elevated ones):
/// those that apply there (at a group: at it, above it, at the root scope), one by id, a new one at a
/// group (201; 200 for the same PUT again; at `/` only `elevateAccess` makes one), and removal (200
/// with what was removed), as ARM answers.
pub async fn assignments(req: &Req, group: Option<&str>, id: Option<&str>) -> ArmResult {
    let id = id.map(path::parse_role_assignment_id).transpose()?;
    let one = |id| {
        req.st.svc.read(|w| match group {
            Some(name) => hierarchy_access::get_group_assignment(w, req.actor(), name, id),
            None => hierarchy_access::get_root_scope_assignment(w, req.actor(), id),
        })
    };
    match (&req.method, id, group) {
        (&Method::GET, None, _) => {
            let list = req.st.svc.read(|w| match group {
                Some(name) => hierarchy_access::list_group_assignments(w, req.actor(), name),
                None => hierarchy_access::list_root_scope_assignments(w, req.actor()),
            })?;
            Ok(wire::list(list.iter().map(assignment).collect(), None))
        }
        (&Method::GET, Some(id), _) => Ok(wire::ok(&assignment(&one(id)?))),
        (&Method::PUT, Some(id), Some(name)) => {
            let b: super::authorization::AssignmentBody = wire::body(&req.body)?;
            let write = GroupAssignmentWrite {
                id,
                group: name.to_string(),
                principal: super::authorization::principal_id(&b.properties.principal_id)?,
                role: super::authorization::role_definition_of(&b.properties.role_definition_id)?,
            };
            let (a, made) = req
                .st
                .svc
                .assign_at_management_group(req.actor(), write)
                .await?;
            let status = if made {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok(wire::json(status, &assignment(&a)))
        }
        (&Method::DELETE, Some(id), _) => {
            let a = one(id)?;
            req.st
                .svc
                .remove_management_group_assignment(req.actor(), id)
                .await?;
            Ok(wire::ok(&assignment(&a)))
        }
        (m, _, _) => Err(method_not_allowed(m)),
    }
}

/// `POST /providers/Microsoft.Authorization/elevateAccess`: 200 with no body, as ARM answers.
pub async fn elevate_access(req: &Req) -> ArmResult {
    if req.method != Method::POST {
        return Err(method_not_allowed(&req.method));
    }
    req.st.svc.elevate_access(req.actor()).await?;
    Ok(wire::empty(StatusCode::OK))
}
