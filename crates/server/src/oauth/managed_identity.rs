//! The managed-identity token endpoints, in the two forms azure-identity and msal speak:
//!
//! - App Service: `GET /msi/token?resource=…&api-version=2019-08-01[&client_id|object_id|mi_res_id]`
//!   with `X-IDENTITY-HEADER: <secret>` (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`);
//! - IMDS: `GET /msi/{secret}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=…
//!   [&client_id|object_id|msi_res_id]` with `Metadata: true`: the clients send no secret on this form,
//!   so it is in the host they are given (`AZURE_POD_IDENTITY_AUTHORITY_HOST`).
//!
//! Handlers only translate: the query to a [`ManagedIdentityRequest`], the answer to each form's body.

use crate::app::AppState;
use crate::errors::{AppServiceIdentityError, ImdsError};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use tenantry_domain::signin::managed_identity::{IdentityEndpointRefusal, IdentitySelector};
use tenantry_service::signin::managed_identity::ManagedIdentityRequest;

/// The path as logs may show it: an IMDS-form path with its endpoint secret replaced.
pub(crate) fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    match path
        .strip_prefix("/msi/")
        .and_then(|rest| rest.split_once('/'))
    {
        Some((_secret, tail)) => format!("/msi/{{secret}}/{tail}").into(),
        None => path.into(),
    }
}

/// The query of either form (each reads its own resource-id parameter).
#[derive(Deserialize, Default)]
pub struct TokenQuery {
    resource: Option<String>,
    #[serde(rename = "api-version")]
    api_version: Option<String>,
    client_id: Option<String>,
    object_id: Option<String>,
    /// App Service.
    mi_res_id: Option<String>,
    /// IMDS.
    msi_res_id: Option<String>,
}

impl TokenQuery {
    fn selector(&self, resource_id: Option<&String>) -> Option<IdentitySelector> {
        let some = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        some(&self.client_id)
            .map(IdentitySelector::ClientId)
            .or_else(|| some(&self.object_id).map(IdentitySelector::ObjectId))
            .or_else(|| {
                resource_id
                    .filter(|s| !s.trim().is_empty())
                    .cloned()
                    .map(IdentitySelector::ResourceId)
            })
    }

    fn has_api_version(&self) -> bool {
        self.api_version.as_deref().is_some_and(|v| !v.is_empty())
    }
}

fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(
        CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    response
}

/// The App Service form.
pub async fn app_service_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<TokenQuery>, QueryRejection>,
) -> Response {
    // Every field is optional text: a query that does not read is one that names nothing.
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let secret = headers
        .get("x-identity-header")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if secret.is_some() && !q.has_api_version() {
        return no_store(
            AppServiceIdentityError::from(IdentityEndpointRefusal::MissingParameter("api-version"))
                .into_response(),
        );
    }
    let req = ManagedIdentityRequest {
        secret,
        resource: q.resource.clone(),
        selector: q.selector(q.mi_res_id.as_ref()),
    };
    no_store(match state.signin.managed_identity_token(req).await {
        Ok(t) => Json(json!({
            "access_token": t.access_token,
            // App Service sends its times as strings of epoch seconds.
            "expires_on": t.expires_on.to_string(),
            "not_before": t.not_before.to_string(),
            "resource": t.resource,
            "token_type": "Bearer",
            "client_id": t.client_id,
        }))
        .into_response(),
        Err(e) => AppServiceIdentityError::from(e).into_response(),
    })
}

/// The IMDS form, its secret in the path.
pub async fn imds_token(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    headers: HeaderMap,
    query: Result<Query<TokenQuery>, QueryRejection>,
) -> Response {
    // Every field is optional text: a query that does not read is one that names nothing.
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let metadata = headers
        .get("metadata")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "true");
    let refused = if !metadata {
        Some(IdentityEndpointRefusal::MissingMetadataHeader)
    } else if !q.has_api_version() {
        Some(IdentityEndpointRefusal::MissingParameter("api-version"))
    } else {
        None
    };
    if let Some(r) = refused {
        return no_store(ImdsError::from(r).into_response());
    }
    let req = ManagedIdentityRequest {
        secret: Some(secret),
        resource: q.resource.clone(),
        selector: q.selector(q.msi_res_id.as_ref()),
    };
    no_store(match state.signin.managed_identity_token(req).await {
        Ok(t) => Json(json!({
            "access_token": t.access_token,
            "refresh_token": "",
            // IMDS sends every number as a string.
            "expires_in": t.expires_in.to_string(),
            "expires_on": t.expires_on.to_string(),
            "ext_expires_in": t.expires_in.to_string(),
            "not_before": t.not_before.to_string(),
            "resource": t.resource,
            "token_type": "Bearer",
            "client_id": t.client_id,
        }))
        .into_response(),
        Err(e) => ImdsError::from(e).into_response(),
    })
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn logs_never_show_an_endpoint_secret() {
        assert_eq!(
            loggable_path("/msi/tmi_s3cret/metadata/identity/oauth2/token"),
            "/msi/{secret}/metadata/identity/oauth2/token"
        );
        assert_eq!(loggable_path("/msi/token"), "/msi/token");
        assert_eq!(
            loggable_path("/common/oauth2/token"),
            "/common/oauth2/token"
        );
    }
}
