//! `/v1.0/domains`: the caller's tenant's domains (all verified and managed in tenantry).

use super::{Directory, context, entity};
use crate::app::AppState;
use crate::auth::GraphCaller;
use crate::errors::GraphError;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use tenantry_domain::rules::reads;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1.0/domains", get(list))
        .route("/v1.0/domains/{name}", get(show))
}

fn domain_json(name: &str, is_default: bool, is_initial: bool) -> Value {
    json!({
        "id": name,
        "authenticationType": "Managed",
        "availabilityStatus": null,
        "isAdminManaged": true,
        "isDefault": is_default,
        "isInitial": is_initial,
        "isRoot": true,
        "isVerified": true,
        "supportedServices": if is_initial { json!(["Email", "OfficeCommunicationsOnline"]) } else { json!(["Email"]) },
        "passwordNotificationWindowInDays": null,
        "passwordValidityPeriodInDays": null,
        "state": null,
    })
}

fn domains(state: &AppState, dir: &Directory) -> Result<Vec<Value>, GraphError> {
    dir.read(state, reads::require_directory_read, |w| {
        Ok(reads::directory(w, dir.tenant)
            .map(|t| {
                reads::domains(t)
                    .into_iter()
                    .map(|d| domain_json(d.name, d.is_default, d.is_initial))
                    .collect()
            })
            .unwrap_or_default())
    })
}

async fn list(
    State(state): State<AppState>,
    caller: GraphCaller,
) -> Result<Json<Value>, GraphError> {
    let dir = Directory::of(caller);
    let value = domains(&state, &dir)?;
    Ok(Json(
        json!({"@odata.context": context(&state, "domains"), "value": value}),
    ))
}

async fn show(
    State(state): State<AppState>,
    caller: GraphCaller,
    Path(name): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let dir = Directory::of(caller);
    let found = domains(&state, &dir)?.into_iter().find(|d| {
        d["id"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(&name))
    });
    match found {
        Some(d) => Ok(Json(entity(&state, "domains", d))),
        None => Err(GraphError::not_found(format!(
            "Resource '{name}' does not exist or one of its queried reference-property objects are not present."
        ))),
    }
}
