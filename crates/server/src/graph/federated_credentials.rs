//! `/v1.0/applications/{id}/federatedIdentityCredentials`: an application's federated identity
//! credentials (create, list, get by id or name, update, delete), what `az ad app federated-credential`
//! calls. Shapes as Graph's; the rules (who may, Entra's limits, names and uniqueness) are the domain's.

use super::odata::Answers;
use super::{Directory, ListRequest, bad_json, context, not_found, present};
use crate::app::AppState;
use crate::auth::GraphCaller;
use crate::errors::GraphError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tenantry_domain::rules::federated::{self, FederatedCredentialPatch};
use tenantry_domain::rules::reads;
use tenantry_domain::{Application, FederatedCredential, ObjectId, World};

/// What `$filter` and `$orderby` may name, as Graph's collection.
const ANSWERS: Answers = Answers {
    resource: "FederatedIdentityCredential",
    filterable: &["name", "subject", "issuer", "id"],
    sortable: &[],
    sorts_only_when_advanced: false,
};

pub fn routes() -> Router<AppState> {
    let list = get(list).post(create);
    Router::new()
        .route(
            "/v1.0/applications/{id}/federatedIdentityCredentials",
            list.clone(),
        )
        .route(
            "/v1.0/applications/{id}/federatedIdentityCredentials/$count",
            list,
        )
        .route(
            "/v1.0/applications/{id}/federatedIdentityCredentials/{credentialId}",
            get(show).patch(update).delete(remove),
        )
}

pub fn credential_json(c: &FederatedCredential) -> Value {
    json!({
        "id": c.id,
        "name": c.name,
        "issuer": c.issuer,
        "subject": c.subject,
        "description": c.description,
        "audiences": c.audiences,
    })
}

/// The application the path names, in the caller's directory.
fn application<'w>(
    w: &'w World,
    dir: &Directory,
    key: &str,
) -> Result<&'w Application, GraphError> {
    super::parse_object_id(key)
        .and_then(|id| reads::application(w, dir.tenant, id))
        .ok_or_else(|| not_found(key))
}

/// The `@odata.context` of the application's collection (`…#applications('{id}')/federatedIdentityCredentials`).
fn context_of(app: &str) -> String {
    format!("applications('{app}')/federatedIdentityCredentials")
}

async fn list(
    State(state): State<AppState>,
    caller: GraphCaller,
    Path(app): Path<String>,
    req: ListRequest,
) -> Result<Response, GraphError> {
    let dir = Directory::of(caller);
    dir.list_in(
        &state,
        &req,
        &ANSWERS,
        &context_of(&app),
        |w, actor, tenant| {
            reads::require_directory_read(w, actor, tenant)?;
            Ok(application(w, &dir, &app)?
                .federated_credentials
                .iter()
                .map(credential_json)
                .collect())
        },
    )
}

async fn show(
    State(state): State<AppState>,
    caller: GraphCaller,
    Path((app, key)): Path<(String, String)>,
) -> Result<Json<Value>, GraphError> {
    let dir = Directory::of(caller);
    let mut found = dir.read(&state, reads::require_directory_read, |w| {
        let a = application(w, &dir, &app)?;
        federated::credential(a, &key)
            .map(credential_json)
            .ok_or_else(|| not_found(&key))
    })?;
    found["@odata.context"] = json!(context(&state, &format!("{}/$entity", context_of(&app))));
    Ok(Json(found))
}

/// The application's object id, for a write: the rules decide who may.
fn app_id(state: &AppState, dir: &Directory, app: &str) -> Result<ObjectId, GraphError> {
    state.svc.read(|w| application(w, dir, app).map(|a| a.id))
}

async fn create(
    State(state): State<AppState>,
    caller: GraphCaller,
    Path(app): Path<String>,
    body: Result<Json<CredentialBody>, JsonRejection>,
) -> Result<Response, GraphError> {
    let dir = Directory::of(caller);
    let Json(req) = body.map_err(bad_json)?;
    let id = app_id(&state, &dir, &app)?;
    let added = state
        .svc
        .add_federated_credential(&dir.actor, dir.tenant, id, req.into_patch().into_new())
        .await?;
    let mut answer = credential_json(&added);
    answer["@odata.context"] = json!(context(&state, &format!("{}/$entity", context_of(&app))));
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// Graph's body of a credential, to create one (what is missing is refused by the domain's rules) or
/// to change one (only what is sent changes; `description: null` clears it).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CredentialBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    audiences: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    description: Option<Option<String>>,
}

impl CredentialBody {
    fn into_patch(self) -> FederatedCredentialPatch {
        FederatedCredentialPatch {
            name: self.name,
            issuer: self.issuer,
            subject: self.subject,
            audiences: self.audiences,
            description: self.description,
        }
    }
}

async fn update(
    State(state): State<AppState>,
    caller: GraphCaller,
    Path((app, key)): Path<(String, String)>,
    body: Result<Json<CredentialBody>, JsonRejection>,
) -> Result<StatusCode, GraphError> {
    let dir = Directory::of(caller);
    let Json(req) = body.map_err(bad_json)?;
    let id = app_id(&state, &dir, &app)?;
    state
        .svc
        .update_federated_credential(&dir.actor, dir.tenant, id, &key, req.into_patch())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove(
    State(state): State<AppState>,
    caller: GraphCaller,
    Path((app, key)): Path<(String, String)>,
) -> Result<StatusCode, GraphError> {
    let dir = Directory::of(caller);
    let id = app_id(&state, &dir, &app)?;
    state
        .svc
        .remove_federated_credential(&dir.actor, dir.tenant, id, &key)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
