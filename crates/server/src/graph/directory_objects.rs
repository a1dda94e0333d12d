//! Directory objects of any kind: `POST /v1.0/directoryObjects/getByIds` (how `az role assignment list`
//! names principals) and `GET /v1.0/directoryObjects/{id}`.

use super::groups::group_json;
use super::service_principals::service_principal_json;
use super::users::user_json;
use super::{Directory, bad_json, context, show_one};
use crate::app::AppState;
use crate::auth::GraphCaller;
use crate::errors::GraphError;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tenantry_domain::rules::reads;
use tenantry_domain::world::PrincipalRef;
use tenantry_domain::{ObjectId, TenantId, World};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1.0/directoryObjects/getByIds", post(get_by_ids))
        .route(
            "/v1.0/directoryObjects/{id}",
            show_one("directoryObjects", |w, _, tenant, key| {
                directory_object_json(w, tenant, super::parse_object_id(key)?)
            }),
        )
}

/// A user, service principal or group, typed with `@odata.type` as Graph does in collections of
/// directory objects.
pub fn principal_json(p: PrincipalRef<'_>) -> Value {
    let (kind, mut value) = match p {
        PrincipalRef::User(u) => ("user", user_json(u)),
        PrincipalRef::ServicePrincipal(a) => ("servicePrincipal", service_principal_json(a)),
        PrincipalRef::Group(g) => ("group", group_json(g)),
    };
    value["@odata.type"] = json!(format!("#microsoft.graph.{kind}"));
    value
}

/// The user, service principal or group `id` of `tenant`, typed.
pub fn directory_object_json(world: &World, tenant: TenantId, id: ObjectId) -> Option<Value> {
    reads::directory_object(world, tenant, id).map(principal_json)
}

#[derive(Deserialize)]
struct ByIds {
    ids: Vec<String>,
    /// `user`, `group`, `servicePrincipal`, …; absent means every type.
    #[serde(default)]
    types: Vec<String>,
}

fn type_wanted(types: &[String], value: &Value) -> bool {
    let kind = value["@odata.type"]
        .as_str()
        .unwrap_or_default()
        .trim_start_matches("#microsoft.graph.");
    types.is_empty() || types.iter().any(|t| t.eq_ignore_ascii_case(kind))
}

/// Unknown ids are left out, as Graph does: the answer lists what exists, in the order asked.
async fn get_by_ids(
    State(state): State<AppState>,
    caller: GraphCaller,
    body: Result<Json<ByIds>, JsonRejection>,
) -> Result<Json<Value>, GraphError> {
    let dir = Directory::of(caller);
    let Json(req) = body.map_err(bad_json)?;
    if req.ids.len() > 1000 {
        return Err(GraphError::bad_request(
            "Too many ids: getByIds accepts at most 1000.",
        ));
    }
    let value = dir.read(&state, reads::require_directory_read, |w| {
        Ok(req
            .ids
            .iter()
            .filter_map(|id| super::parse_object_id(id))
            .filter_map(|id| directory_object_json(w, dir.tenant, id))
            .filter(|v| type_wanted(&req.types, v))
            .collect::<Vec<Value>>())
    })?;
    Ok(Json(json!({
        "@odata.context": context(&state, "directoryObjects"),
        "value": value,
    })))
}
