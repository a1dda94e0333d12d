//! `/v1.0/organization`: the caller's tenant, with its verified domains.

use super::{Directory, context, entity};
use crate::app::AppState;
use crate::auth::GraphCaller;
use crate::errors::{GraphError, format_timestamp};
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use tenantry_domain::rules::reads;
use tenantry_domain::{Tenant, TenantOrigin};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1.0/organization", get(list))
        .route("/v1.0/organization/{id}", get(show))
}

pub fn organization_json(t: &Tenant) -> Value {
    let verified: Vec<Value> = reads::domains(t)
        .into_iter()
        .map(|d| {
            json!({"name": d.name, "isDefault": d.is_default, "isInitial": d.is_initial, "type": "Managed",
                   "capabilities": "Email, OfficeCommunicationsOnline"})
        })
        .collect();
    json!({
        "id": t.id,
        "displayName": t.display_name,
        "tenantType": "AAD",
        "createdDateTime": format_timestamp(t.created),
        "verifiedDomains": verified,
        "businessPhones": [],
        "city": null,
        "country": null,
        "countryLetterCode": null,
        "postalCode": null,
        "preferredLanguage": null,
        "state": null,
        "street": null,
        "technicalNotificationMails": [],
        "onPremisesSyncEnabled": null,
        // An Office 365 tenant shows the plan that made it one; a directory made in Azure has none.
        "assignedPlans": if t.origin == TenantOrigin::Office365 {
            json!([{"service": "exchange", "capabilityStatus": "Enabled"}])
        } else {
            json!([])
        },
    })
}

fn organization(state: &AppState, dir: &Directory) -> Result<Value, GraphError> {
    dir.read(state, reads::require_directory_read, |w| {
        reads::directory(w, dir.tenant)
            .map(organization_json)
            .ok_or_else(|| GraphError::not_found("The directory of the token no longer exists."))
    })
}

async fn list(
    State(state): State<AppState>,
    caller: GraphCaller,
) -> Result<Json<Value>, GraphError> {
    let dir = Directory::of(caller);
    let org = organization(&state, &dir)?;
    Ok(Json(
        json!({"@odata.context": context(&state, "organization"), "value": [org]}),
    ))
}

async fn show(
    State(state): State<AppState>,
    caller: GraphCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let dir = Directory::of(caller);
    let org = organization(&state, &dir)?;
    // Another tenant's organization is as absent as a wrong id: the caller sees only its own.
    if !id.eq_ignore_ascii_case(&dir.tenant.to_string()) {
        return Err(super::not_found(&id));
    }
    Ok(Json(entity(&state, "organization", org)))
}
