//! `/v1.0/servicePrincipals`: the applications of the caller's tenant, as service principals. The Azure
//! CLI looks an `--assignee` that is not a UPN up here with
//! `$filter=servicePrincipalNames/any(c:c eq '…')`; scripts use `appId eq '…'`.

use super::odata::Answers;
use super::{Collection, Set, list_set, show_one};
use crate::app::AppState;
use axum::Router;
use serde_json::{Value, json};
use tenantry_domain::ManagedIdentityKind;
use tenantry_domain::rules::reads;
use tenantry_domain::{Application, TenantId, World};

/// `GET /v1.0/servicePrincipals`: the applications' and managed identities' service principals of the
/// directory, for whoever may list its objects.
pub static SERVICE_PRINCIPALS: Set = Set {
    collection: Collection {
        context: "servicePrincipals",
        answers: Answers {
            resource: "ServicePrincipal",
            filterable: &["servicePrincipalNames", "appId", "displayName", "id"],
            sortable: &["displayName"],
            sorts_only_when_advanced: true,
        },
    },
    list: |w, actor, tenant| {
        super::applications::listed(
            w,
            actor,
            tenant,
            reads::service_principals,
            service_principal_json,
        )
    },
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/v1.0/servicePrincipals",
            list_set(&SERVICE_PRINCIPALS).post(super::applications::create_service_principal),
        )
        .route(
            "/v1.0/servicePrincipals/$count",
            list_set(&SERVICE_PRINCIPALS),
        )
        .route("/v1.0/servicePrincipals/{id}", one())
        // `servicePrincipals(appId='…')`: the key is what follows `appId=`.
        .route("/v1.0/servicePrincipals(appId={id}", one())
}

/// `GET`, `PATCH` and `DELETE` of one service principal: an application's goes with its application
/// (tenantry holds no application without one); a managed identity's is refused (it goes with its
/// resource).
fn one() -> axum::routing::MethodRouter<AppState> {
    super::applications::writes(show_one("servicePrincipals", |w, _, tenant, key| {
        find(w, tenant, key).map(service_principal_json)
    }))
}

/// A service principal of the directory by its object id, or by `'{appId}')`.
pub(super) fn find<'w>(w: &'w World, tenant: TenantId, key: &str) -> Option<&'w Application> {
    match super::applications::app_id_of(key) {
        Some(client_id) => reads::application_by_client_id(w, tenant, client_id),
        None => reads::service_principal(w, tenant, super::parse_object_id(key)?),
    }
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
        // The application's credentials: tenantry keeps one set for both objects.
        "passwordCredentials": a.secrets.iter().map(super::applications::password_json).collect::<Vec<_>>(),
        "keyCredentials": a.certificates.iter().map(super::applications::key_json).collect::<Vec<_>>(),
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
