//! `/v1.0/directoryRoles`: the activated directory roles of the caller's tenant and their members, with
//! `$ref` to add (`POST …/members/$ref`) and remove (`DELETE …/members/{id}/$ref`) a member.
//!
//! A role's `id` is its role template id: tenantry keeps no separate role objects, and Graph also
//! addresses roles as `roleTemplateId={id}`, which is accepted too.

use super::directory_objects::principal_json;
use super::{
    DIRECTORY_OBJECTS, Directory, ListRequest, bad_json, collection_routes, context, entity,
};
use crate::app::AppState;
use crate::auth::GraphCaller;
use crate::errors::GraphError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use tenantry_domain::DirectoryRole;
use tenantry_domain::rules::reads;

pub fn routes() -> Router<AppState> {
    let router = Router::new()
        .route("/v1.0/directoryRoles", get(list))
        .route("/v1.0/directoryRoles/{id}", get(show));
    collection_routes(
        router,
        "/v1.0/directoryRoles/{id}/members",
        get(members),
        true,
    )
    .route("/v1.0/directoryRoles/{id}/members/$ref", post(add_member))
    .route(
        "/v1.0/directoryRoles/{id}/members/{member}/$ref",
        delete(remove_member),
    )
}

pub fn role_json(role: DirectoryRole) -> Value {
    json!({
        "id": role.template_id(),
        "deletedDateTime": null,
        "description": role.description(),
        "displayName": role.display_name(),
        "roleTemplateId": role.template_id(),
    })
}

/// A role named in a path: its template id, `roleTemplateId=…`, or (leniently) its display name.
fn parse_role(key: &str) -> Result<DirectoryRole, GraphError> {
    let key = tenantry_domain::rules::names::typed(key);
    let key = key.strip_prefix("roleTemplateId=").unwrap_or(key);
    DirectoryRole::parse(key.trim_matches('\'')).ok_or_else(|| super::not_found(key))
}

async fn list(
    State(state): State<AppState>,
    caller: GraphCaller,
) -> Result<Json<Value>, GraphError> {
    let dir = Directory::of(caller);
    let value = dir.read(&state, reads::require_directory_read, |w| {
        Ok(reads::activated_roles(w, dir.tenant)
            .into_iter()
            .map(role_json)
            .collect::<Vec<Value>>())
    })?;
    Ok(Json(
        json!({"@odata.context": context(&state, "directoryRoles"), "value": value}),
    ))
}

async fn show(
    State(state): State<AppState>,
    caller: GraphCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let dir = Directory::of(caller);
    let role = parse_role(&id)?;
    dir.read(&state, reads::require_directory_read, |_| Ok(()))?;
    Ok(Json(entity(&state, "directoryRoles", role_json(role))))
}

async fn members(
    State(state): State<AppState>,
    caller: GraphCaller,
    Path(id): Path<String>,
    req: ListRequest,
) -> Result<Response, GraphError> {
    let role = parse_role(&id)?;
    Directory::of(caller).list(&state, &req, &DIRECTORY_OBJECTS, |w, actor, tenant| {
        Ok(reads::role_members(w, actor, tenant, role)?
            .into_iter()
            .map(principal_json)
            .collect())
    })
}

async fn add_member(
    State(state): State<AppState>,
    caller: GraphCaller,
    Path(id): Path<String>,
    body: Result<Json<super::Reference>, JsonRejection>,
) -> Result<StatusCode, GraphError> {
    let dir = Directory::of(caller);
    let role = parse_role(&id)?;
    let Json(r) = body.map_err(bad_json)?;
    let principal = super::referenced_object(&r.odata_id)?;
    state
        .svc
        .add_directory_role_member(&dir.actor, dir.tenant, role, principal)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove_member(
    State(state): State<AppState>,
    caller: GraphCaller,
    Path((id, member)): Path<(String, String)>,
) -> Result<StatusCode, GraphError> {
    let dir = Directory::of(caller);
    let role = parse_role(&id)?;
    let principal = super::parse_object_id(&member).ok_or_else(|| super::not_found(&member))?;
    state
        .svc
        .remove_directory_role_member(&dir.actor, dir.tenant, role, principal)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
