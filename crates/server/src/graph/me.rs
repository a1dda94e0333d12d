//! `/v1.0/me`: the signed-in user. Entra refuses it for application tokens with 400, and the Azure CLI
//! prints that message as is. Its memberships and owned groups (`/me/memberOf`, …) are in
//! `memberships`.

use super::users::user_json;
use super::{Directory, entity, not_found, odata};
use crate::app::AppState;
use crate::auth::GraphCaller;
use crate::errors::{GraphError, format_timestamp};
use axum::extract::{Query as QueryParams, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use tenantry_domain::rules::reads;
use tenantry_domain::{Actor, ObjectId, PersonalAccount};

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1.0/me", get(me))
}

/// Who `/me` is in the token's directory: the signed-in user's object there, or `None` for a personal
/// account signed in to the consumer realm (it is no directory's object). Refused for an application
/// and for the operator, as Entra refuses `/me` without a signed-in user.
pub fn me_object(actor: &Actor) -> Result<Option<ObjectId>, GraphError> {
    match actor {
        Actor::Application { .. } => Err(GraphError::bad_request(
            "/me request is only valid with delegated authentication flow.",
        )),
        Actor::Operator => Err(GraphError::bad_request("The operator has no /me.")),
        Actor::Personal { .. } => Ok(None),
        Actor::User { object, .. } => Ok(Some(*object)),
    }
}

async fn me(
    State(state): State<AppState>,
    caller: GraphCaller,
    QueryParams(params): QueryParams<HashMap<String, String>>,
) -> Result<Json<Value>, GraphError> {
    let dir = Directory::of(caller);
    let user = match (me_object(&dir.actor)?, &dir.actor) {
        (Some(object), _) => state
            .svc
            .read(|w| reads::user(w, dir.tenant, object).map(user_json))
            .ok_or_else(|| not_found(&object.to_string()))?,
        (None, Actor::Personal { account, .. }) => state
            .svc
            .read(|w| reads::personal_account(w, *account).map(personal_json))
            .ok_or_else(|| not_found(&account.to_string()))?,
        (None, _) => return Err(not_found("me")),
    };
    let user = odata::project(user, odata::select(&params).as_deref());
    Ok(Json(entity(&state, "users", user)))
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
