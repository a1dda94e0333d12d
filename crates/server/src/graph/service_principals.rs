//! `/v1.0/servicePrincipals`: the applications of the caller's tenant, as service principals. The Azure
//! CLI looks an `--assignee` that is not a UPN up here with
//! `$filter=servicePrincipalNames/any(c:c eq '…')`; scripts use `appId eq '…'`.

use super::Directory;
use super::users::entity;
use crate::app::AppState;
use crate::auth::GraphCaller;
use crate::errors::GraphError;
use axum::extract::{Path, Query as QueryParams, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use tenantry_domain::rules::reads;
use tenantry_domain::{Application, ManagedIdentityKind, TenantId, World};

const FILTERABLE: &[&str] = &["servicePrincipalNames", "appId", "displayName", "id"];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/v1.0/servicePrincipals",
            get(list).post(super::applications::create_service_principal),
        )
        .route("/v1.0/servicePrincipals/{id}", get(show))
}

pub fn service_principal_json(a: &Application) -> Value {
    let mut v = json!({
        "id": a.id,
        "appId": a.client_id,
        "displayName": a.display_name,
        "servicePrincipalNames": [a.client_id.to_string()],
        "servicePrincipalType": a.service_principal_type(),
        "accountEnabled": true,
        "appOwnerOrganizationId": a.tenant,
        "replyUrls": a.redirect_uris,
    });
    // Entra names a managed identity's resource this way (explicit: a user-assigned identity).
    if let Some(m) = &a.managed_identity {
        let explicit = m.kind == ManagedIdentityKind::UserAssigned;
        v["alternativeNames"] = json!([
            if explicit {
                "isExplicit=True"
            } else {
                "isExplicit=False"
            },
            m.resource.as_str(),
        ]);
    }
    v
}

fn all(world: &World, tenant: TenantId) -> Vec<Value> {
    reads::service_principals(world, tenant)
        .into_iter()
        .map(service_principal_json)
        .collect()
}

async fn list(
    State(state): State<AppState>,
    caller: GraphCaller,
    QueryParams(params): QueryParams<HashMap<String, String>>,
) -> Result<Json<Value>, GraphError> {
    let dir = Directory::of(caller);
    dir.collection(&state, "servicePrincipals", &params, FILTERABLE, all)
        .map(Json)
}

async fn show(
    State(state): State<AppState>,
    caller: GraphCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let dir = Directory::of(caller);
    let sp = dir.read(&state, reads::require_directory_read, |w| {
        super::parse_object_id(&id)
            .and_then(|oid| reads::service_principal(w, dir.tenant, oid))
            .map(service_principal_json)
            .ok_or_else(|| super::users::user_not_found(&id))
    })?;
    Ok(Json(entity(&state, "servicePrincipals", sp)))
}
