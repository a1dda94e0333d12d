//! `/v1.0/applications`: register an application, list and show them, and `addPassword` (what
//! `az ad app create` and `az ad sp create-for-rbac` call). In tenantry an application and its service
//! principal are one object, so both have the same `id`; `POST /servicePrincipals` for an application
//! answers with that service principal. The rules (who may, how many secrets) are the domain's.

use super::odata::Answers;
use super::service_principals::service_principal_json;
use super::{
    Collection, Directory, Set, bad_json, entity, invalid_property, list_set, not_found, show_one,
};
use crate::app::AppState;
use crate::auth::GraphCaller;
use crate::errors::{GraphError, format_timestamp};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tenantry_domain::rules::reads;
use tenantry_domain::{Actor, Application, ClientSecret, DomainError, TenantId, World};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// `GET /v1.0/applications`: for whoever may list the directory's objects.
pub static APPLICATIONS: Set = Set {
    collection: Collection {
        context: "applications",
        answers: Answers {
            resource: "Application",
            filterable: &["appId", "displayName", "id"],
            sortable: &["displayName"],
            sorts_only_when_advanced: true,
        },
    },
    list: |w, actor, tenant| listed(w, actor, tenant, reads::applications, application_json),
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1.0/applications", list_set(&APPLICATIONS).post(create))
        .route("/v1.0/applications/$count", list_set(&APPLICATIONS))
        .route(
            "/v1.0/applications/{id}",
            show_one("applications", |w, _, tenant, key| {
                find(w, tenant, key).map(application_json)
            }),
        )
        .route("/v1.0/applications/{id}/addPassword", post(add_password))
}

/// The directory's applications, each as `json` shows it, for whoever may list the directory's objects:
/// `/applications` and `/servicePrincipals` list the same objects.
pub(super) fn listed(
    w: &World,
    actor: &Actor,
    tenant: TenantId,
    all: for<'w> fn(&'w World, TenantId) -> Vec<&'w Application>,
    json: fn(&Application) -> Value,
) -> Result<Vec<Value>, DomainError> {
    reads::require_directory_enumeration(w, actor, tenant)?;
    Ok(all(w, tenant).into_iter().map(json).collect())
}

fn password_json(s: &ClientSecret) -> Value {
    json!({
        "keyId": s.id,
        "displayName": null,
        "hint": s.hint,
        "endDateTime": s.expires.map(format_timestamp),
        "startDateTime": null,
        "customKeyIdentifier": null,
        "secretText": null,
    })
}

pub fn application_json(a: &Application) -> Value {
    json!({
        "id": a.id,
        "appId": a.client_id,
        "displayName": a.display_name,
        "signInAudience": "AzureADMyOrg",
        "identifierUris": [],
        "keyCredentials": [],
        "passwordCredentials": a.secrets.iter().map(password_json).collect::<Vec<_>>(),
        "web": {"redirectUris": a.redirect_uris},
        "createdDateTime": format_timestamp(a.created),
    })
}

fn find<'w>(w: &'w World, tenant: TenantId, key: &str) -> Option<&'w Application> {
    reads::application(w, tenant, super::parse_object_id(key)?)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewApplication {
    display_name: Option<String>,
}

async fn create(
    State(state): State<AppState>,
    caller: GraphCaller,
    body: Result<Json<NewApplication>, JsonRejection>,
) -> Result<Response, GraphError> {
    let dir = Directory::of(caller);
    let Json(req) = body.map_err(bad_json)?;
    let name = req
        .display_name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| invalid_property("displayName", "Application"))?;
    let id = state
        .svc
        .register_application(&dir.actor, dir.tenant, name.trim())
        .await?;
    let app = state
        .svc
        .read(|w| find(w, dir.tenant, &id.to_string()).map(application_json))
        .ok_or_else(|| not_found(&id.to_string()))?;
    Ok((
        StatusCode::CREATED,
        Json(entity(&state, "applications", app)),
    )
        .into_response())
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct AddPassword {
    #[serde(default)]
    password_credential: Option<PasswordCredential>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PasswordCredential {
    display_name: Option<String>,
    end_date_time: Option<String>,
}

/// `POST /applications/{id}/addPassword`: the secret is made here and shown in this answer only.
async fn add_password(
    State(state): State<AppState>,
    caller: GraphCaller,
    Path(id): Path<String>,
    body: Result<Json<AddPassword>, JsonRejection>,
) -> Result<Json<Value>, GraphError> {
    let dir = Directory::of(caller);
    let Json(req) = body.map_err(bad_json)?;
    let cred = req.password_credential.unwrap_or_default();
    let expires = cred
        .end_date_time
        .as_deref()
        .map(|t| {
            OffsetDateTime::parse(t, &Rfc3339)
                .map(|t| t.unix_timestamp())
                .map_err(|_| {
                    GraphError::bad_request(format!(
                        "Invalid value specified for property 'endDateTime': '{t}' is not an ISO 8601 time."
                    ))
                })
        })
        .transpose()?;
    let app = state
        .svc
        .read(|w| find(w, dir.tenant, &id).map(|a| a.id))
        .ok_or_else(|| not_found(&id))?;
    let (text, kept) = state
        .svc
        .add_application_secret(&dir.actor, dir.tenant, app, expires)
        .await?;
    let mut answer = password_json(&kept);
    answer["secretText"] = json!(text);
    answer["displayName"] = json!(cred.display_name);
    answer["@odata.context"] = json!(format!(
        "{}/v1.0/$metadata#microsoft.graph.passwordCredential",
        state.base_url
    ));
    Ok(Json(answer))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct NewServicePrincipal {
    app_id: Option<String>,
}

/// `POST /servicePrincipals {appId}`: the service principal of an application of the caller's tenant
/// (it exists with the application).
pub(super) async fn create_service_principal(
    State(state): State<AppState>,
    caller: GraphCaller,
    body: Result<Json<NewServicePrincipal>, JsonRejection>,
) -> Result<Response, GraphError> {
    let dir = Directory::of(caller);
    let Json(req) = body.map_err(bad_json)?;
    let app_id = req.app_id.unwrap_or_default();
    let sp = dir.read(&state, reads::require_directory_read, |w| {
        app_id
            .parse::<uuid::Uuid>()
            .ok()
            .and_then(|cid| reads::application_by_client_id(w, dir.tenant, cid))
            .map(service_principal_json)
            .ok_or_else(|| {
                GraphError::bad_request(format!(
                    "The appId '{app_id}' of the service principal does not reference a valid application object."
                ))
            })
    })?;
    Ok((
        StatusCode::CREATED,
        Json(entity(&state, "servicePrincipals", sp)),
    )
        .into_response())
}
