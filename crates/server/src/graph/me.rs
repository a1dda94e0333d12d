//! `/v1.0/me`: the signed-in user. Entra refuses it for application tokens with 400, and the Azure CLI
//! prints that message as is.

use super::users::{entity, user_json, user_not_found};
use super::{Directory, odata::Query};
use crate::app::AppState;
use crate::auth::GraphCaller;
use crate::errors::{GraphError, format_timestamp};
use axum::extract::{Query as QueryParams, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use tenantry_domain::rules::reads;
use tenantry_domain::{Actor, PersonalAccount};

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1.0/me", get(me))
}

async fn me(
    State(state): State<AppState>,
    caller: GraphCaller,
    QueryParams(params): QueryParams<HashMap<String, String>>,
) -> Result<Json<Value>, GraphError> {
    let dir = Directory::of(caller);
    let query = Query::parse(&params, &[])?;
    let user = match &dir.actor {
        Actor::Application { .. } => {
            return Err(GraphError::bad_request(
                "/me request is only valid with delegated authentication flow.",
            ));
        }
        Actor::Personal { account, .. } => state
            .svc
            .read(|w| reads::personal_account(w, *account).map(personal_json))
            .ok_or_else(|| user_not_found(&account.to_string()))?,
        Actor::User { object, .. } => state
            .svc
            .read(|w| reads::user(w, dir.tenant, *object).map(user_json))
            .ok_or_else(|| user_not_found(&object.to_string()))?,
        Actor::Operator => return Err(GraphError::bad_request("The operator has no /me.")),
    };
    Ok(Json(entity(&state, "users", query.project(user))))
}

/// A personal account signed in to the consumer realm, in the user shape.
fn personal_json(a: &PersonalAccount) -> Value {
    json!({
        "id": a.id.0,
        "businessPhones": [],
        "displayName": a.display_name,
        "givenName": null,
        "jobTitle": null,
        "mail": a.email,
        "mobilePhone": null,
        "officeLocation": null,
        "preferredLanguage": null,
        "surname": null,
        "userPrincipalName": a.email,
        "accountEnabled": a.enabled,
        "userType": "Member",
        "createdDateTime": format_timestamp(a.created),
    })
}
