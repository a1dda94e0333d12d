//! `/v1.0/applications`: register an application, list and show them, and `addPassword` (what
//! `az ad app create` and `az ad sp create-for-rbac` call). As in Entra, an application object and its
//! service principal have different ids (`/applications/{id}` takes the application object's); the
//! service principal exists with the application, so `POST /servicePrincipals` for an application
//! answers with it. The rules (who may, how many secrets) are the domain's.

use super::odata::Answers;
use super::service_principals::service_principal_json;
use super::{
    Collection, Directory, Set, bad_json, entity, invalid_property, list_set, not_found, show_one,
};
use crate::app::AppState;
use crate::auth::GraphCaller;
use crate::errors::{GraphError, format_timestamp};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use serde::Deserialize;
use serde_json::{Value, json};
use tenantry_domain::certificates::ApplicationCertificate;
use tenantry_domain::rules::applications::{ApplicationUpdate, KeptCertificate, SIGN_IN_AUDIENCE};
use tenantry_domain::rules::reads;
use tenantry_domain::{
    Actor, Application, ClientSecret, DomainError, GroupMembershipClaims, ObjectId, RequestId,
    TenantId, World,
};
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
        .route("/v1.0/applications/{id}", one())
        // `applications(appId='…')`: the key is what follows `appId=`, quotes and parenthesis included.
        .route("/v1.0/applications(appId={id}", one())
        .route("/v1.0/applications/{id}/addPassword", post(add_password))
        .route("/v1.0/applications/{id}/addKey", post(add_key))
        .route("/v1.0/applications/{id}/removeKey", post(remove_key))
        .route("/v1.0/servicePrincipals/{id}/addKey", post(add_key))
        .route("/v1.0/servicePrincipals/{id}/removeKey", post(remove_key))
        .route(
            "/v1.0/applications/{id}/removePassword",
            post(remove_password),
        )
        .route(
            "/v1.0/servicePrincipals/{id}/addPassword",
            post(add_password),
        )
        .route(
            "/v1.0/servicePrincipals/{id}/removePassword",
            post(remove_password),
        )
}

/// `PATCH` and `DELETE` of one application, by the path of either of its objects ([`Addressed`]).
pub(super) fn writes(
    read: axum::routing::MethodRouter<AppState>,
) -> axum::routing::MethodRouter<AppState> {
    read.patch(update).delete(delete)
}

/// `GET`, `PATCH` and `DELETE` of one application.
fn one() -> axum::routing::MethodRouter<AppState> {
    writes(show_one("applications", |w, _, tenant, key| {
        find(w, tenant, key).map(application_json)
    }))
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

pub(super) fn password_json(s: &ClientSecret) -> Value {
    json!({
        "keyId": s.id,
        "displayName": null,
        "hint": s.hint,
        "endDateTime": s.expires.map(format_timestamp),
        "startDateTime": s.start.map(format_timestamp),
        "customKeyIdentifier": null,
        "secretText": null,
    })
}

/// A certificate as Graph's `keyCredential` (its `key` is not given back, as Entra's list does not).
pub(super) fn key_json(c: &ApplicationCertificate) -> Value {
    json!({
        "keyId": c.key_id,
        "displayName": c.display_name,
        "type": "AsymmetricX509Cert",
        "usage": "Verify",
        "key": null,
        "customKeyIdentifier": c.thumbprint(),
        "startDateTime": format_timestamp(c.start),
        "endDateTime": format_timestamp(c.end),
    })
}

pub fn application_json(a: &Application) -> Value {
    json!({
        "id": a.object_id,
        "appId": a.client_id,
        "displayName": a.display_name,
        "signInAudience": SIGN_IN_AUDIENCE,
        "identifierUris": [],
        "groupMembershipClaims": a.group_membership_claims.as_str(),
        "keyCredentials": a.certificates.iter().map(key_json).collect::<Vec<_>>(),
        "passwordCredentials": a.secrets.iter().map(password_json).collect::<Vec<_>>(),
        "web": {"redirectUris": a.redirect_uris},
        "spa": {"redirectUris": []},
        "publicClient": {"redirectUris": []},
        "createdDateTime": format_timestamp(a.created),
    })
}

/// An application of the directory by the key of its path: the application object's id, or
/// `'{appId}')` from `applications(appId='…')`.
pub(super) fn find<'w>(w: &'w World, tenant: TenantId, key: &str) -> Option<&'w Application> {
    match app_id_of(key) {
        Some(client_id) => reads::application_by_app_id(w, tenant, client_id),
        None => reads::application(w, tenant, super::parse_object_id(key)?),
    }
}

/// The appId of a `(appId='…')` key (the router leaves the quotes and the closing parenthesis in it;
/// a client may percent-encode the quotes).
pub(super) fn app_id_of(key: &str) -> Option<uuid::Uuid> {
    let inner = key.strip_suffix(')')?;
    let inner = inner.trim_matches('\'');
    inner.parse().ok()
}

/// The service principal id of the application a path names, or Graph's 404.
/// The application a write's path names: `/applications/{id}` by its application object (or
/// `(appId='…')`), `/servicePrincipals/{id}` by its service principal. Tenantry holds one object
/// behind both, with one set of credentials, so `az ad sp credential reset` and `az ad app credential
/// reset` change the same secrets and certificates.
pub(super) struct Addressed {
    key: String,
    by_principal: bool,
}

impl FromRequestParts<AppState> for Addressed {
    type Rejection = GraphError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, GraphError> {
        let Path(key) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| super::malformed(e.status(), e.body_text()))?;
        Ok(Self {
            key,
            by_principal: parts.uri.path().starts_with("/v1.0/servicePrincipals"),
        })
    }
}

impl Addressed {
    /// Its service principal's id (the key the rules take), or Graph's 404.
    fn principal(&self, state: &AppState, tenant: TenantId) -> Result<ObjectId, GraphError> {
        state
            .svc
            .read(|w| {
                if self.by_principal {
                    super::service_principals::find(w, tenant, &self.key)
                } else {
                    find(w, tenant, &self.key)
                }
                .map(|a| a.id)
            })
            .ok_or_else(|| not_found(&self.key))
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RedirectUris {
    redirect_uris: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyCredential {
    key_id: Option<uuid::Uuid>,
    key: Option<String>,
}

/// What `PATCH /applications/{id}` takes; other properties are ignored, as they were at creation.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApplicationPatch {
    display_name: Option<String>,
    web: Option<RedirectUris>,
    spa: Option<RedirectUris>,
    public_client: Option<RedirectUris>,
    key_credentials: Option<Vec<KeyCredential>>,
    group_membership_claims: Option<String>,
    sign_in_audience: Option<String>,
}

/// `PATCH /applications/{id}`: 204 with no body, as Graph answers. Tenantry keeps one list of
/// redirect URIs (matched exactly in the code flow): `web`, `spa` and `publicClient` each set it, and
/// a request that sends several sets it to all of them.
async fn update(
    State(state): State<AppState>,
    caller: GraphCaller,
    target: Addressed,
    body: Result<Json<ApplicationPatch>, JsonRejection>,
) -> Result<StatusCode, GraphError> {
    let dir = Directory::of(caller);
    let Json(req) = body.map_err(bad_json)?;
    let app = target.principal(&state, dir.tenant)?;
    let uris: Vec<Vec<String>> = [req.web, req.spa, req.public_client]
        .into_iter()
        .filter_map(|r| r.and_then(|r| r.redirect_uris))
        .collect();
    let group_membership_claims = req
        .group_membership_claims
        .map(|g| {
            GroupMembershipClaims::parse(&g)
                .ok_or_else(|| invalid_property("groupMembershipClaims", "Application"))
        })
        .transpose()?;
    let certificates = req.key_credentials.map(|keys| {
        keys.into_iter()
            .map(|k| match (k.key, k.key_id) {
                (None, Some(key_id)) => Ok(KeptCertificate::Existing(key_id)),
                (key, key_id) => certificate_of(key, key_id).map(KeptCertificate::New),
            })
            .collect::<Result<Vec<_>, DomainError>>()
    });
    let update = ApplicationUpdate {
        display_name: req.display_name,
        redirect_uris: (!uris.is_empty()).then(|| uris.concat()),
        group_membership_claims,
        sign_in_audience: req.sign_in_audience,
        certificates: certificates.transpose()?,
    };
    state
        .svc
        .update_application(&dir.actor, dir.tenant, app, update)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /applications/{id}`: the application with its service principal and what names it.
async fn delete(
    State(state): State<AppState>,
    caller: GraphCaller,
    target: Addressed,
) -> Result<StatusCode, GraphError> {
    let dir = Directory::of(caller);
    let app = target.principal(&state, dir.tenant)?;
    state
        .svc
        .delete_application(&dir.actor, dir.tenant, app)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The certificate a `keyCredential` carries (`key`: base64 DER); its key id is the one given, or
/// its own.
fn certificate_of(
    key: Option<String>,
    key_id: Option<uuid::Uuid>,
) -> Result<ApplicationCertificate, DomainError> {
    // The Azure CLI sends PEM's base64 with its line breaks. A key that is not base64 is no
    // certificate: the domain's refusal says so.
    let der = key
        .map(|k| k.split_whitespace().collect::<String>())
        .and_then(|k| base64::engine::general_purpose::STANDARD.decode(k).ok())
        .unwrap_or_default();
    let c = ApplicationCertificate::from_der(key_id.unwrap_or_else(uuid::Uuid::new_v4), der)?;
    Ok(if key_id.is_some() {
        c
    } else {
        c.with_own_key_id()
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AddKey {
    key_credential: Option<KeyCredential>,
    proof: Option<String>,
}

/// `POST /applications/{id}/addKey {keyCredential, proof}`: the key credential added, as Graph answers.
async fn add_key(
    State(state): State<AppState>,
    caller: GraphCaller,
    target: Addressed,
    body: Result<Json<AddKey>, JsonRejection>,
) -> Result<Json<Value>, GraphError> {
    let dir = Directory::of(caller);
    let Json(req) = body.map_err(bad_json)?;
    let key = req
        .key_credential
        .ok_or_else(|| invalid_property("keyCredential", "Application"))?;
    let proof = req
        .proof
        .ok_or_else(|| invalid_property("proof", "Application"))?;
    let certificate = certificate_of(key.key, key.key_id)?;
    let mut answer = key_json(&certificate);
    let app = target.principal(&state, dir.tenant)?;
    state
        .svc
        .add_application_key(&dir.actor, dir.tenant, app, certificate, &proof)
        .await?;
    answer["@odata.context"] = json!(format!(
        "{}/v1.0/$metadata#microsoft.graph.keyCredential",
        state.base_url
    ));
    Ok(Json(answer))
}

/// `POST /applications/{id}/removeKey {keyId, proof}`: 204.
async fn remove_key(
    State(state): State<AppState>,
    caller: GraphCaller,
    target: Addressed,
    body: Result<Json<Removal>, JsonRejection>,
) -> Result<StatusCode, GraphError> {
    let dir = Directory::of(caller);
    let Json(req) = body.map_err(bad_json)?;
    let key_id = req.key_id()?;
    let proof = req
        .proof
        .ok_or_else(|| invalid_property("proof", "Application"))?;
    let app = target.principal(&state, dir.tenant)?;
    state
        .svc
        .remove_application_key(&dir.actor, dir.tenant, app, key_id, &proof)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The body of `removePassword {keyId}` and `removeKey {keyId, proof}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Removal {
    key_id: Option<String>,
    proof: Option<String>,
}

impl Removal {
    fn key_id(&self) -> Result<uuid::Uuid, GraphError> {
        self.key_id
            .as_deref()
            .and_then(|k| k.parse().ok())
            .ok_or_else(|| invalid_property("keyId", "Application"))
    }
}

/// `POST /applications/{id}/removePassword {keyId}`: 204, as Graph answers.
async fn remove_password(
    State(state): State<AppState>,
    caller: GraphCaller,
    target: Addressed,
    body: Result<Json<Removal>, JsonRejection>,
) -> Result<StatusCode, GraphError> {
    let dir = Directory::of(caller);
    let Json(req) = body.map_err(bad_json)?;
    let key_id = req.key_id()?;
    let app = target.principal(&state, dir.tenant)?;
    state
        .svc
        .remove_application_secret(&dir.actor, dir.tenant, app, RequestId(key_id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
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
    // `id` is its service principal's: the answer shows the application object.
    let app = state
        .svc
        .read(|w| reads::service_principal(w, dir.tenant, id).map(application_json))
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
    target: Addressed,
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
    let app = target.principal(&state, dir.tenant)?;
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
