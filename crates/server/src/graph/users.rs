//! `/v1.0/users`: list (with `$filter`, `$select`, `$top`, paging), get by id or UPN, create, update,
//! delete. Passwords are hashed by the service; the wire never shows them.

use super::odata::Answers;
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
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tenantry_domain::rules::reads;
use tenantry_domain::{GuestState, ObjectId, User, UserKind};
use tenantry_service::commands::{UserEdit, UserNames};

/// The properties `$filter` may name on users (what `az ad user list --filter/--upn/--display-name` use).
pub const FILTERABLE: &[&str] = &[
    "userPrincipalName",
    "mail",
    "displayName",
    "id",
    "userType",
    "accountEnabled",
];

/// `GET /v1.0/users`: every user of the directory, for whoever may list them.
pub static USERS: Set = Set {
    collection: Collection {
        context: "users",
        answers: Answers {
            resource: "User",
            filterable: FILTERABLE,
            sortable: &["displayName", "userPrincipalName"],
            sorts_only_when_advanced: false,
        },
    },
    list: |w, actor, tenant| {
        reads::require_directory_enumeration(w, actor, tenant)?;
        Ok(reads::users(w, tenant).into_iter().map(user_json).collect())
    },
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1.0/users", list_set(&USERS).post(create))
        .route("/v1.0/users/$count", list_set(&USERS))
        .route(
            "/v1.0/users/{id}",
            show_one("users", |w, _, tenant, key| {
                reads::user_named(w, tenant, key).map(user_json)
            })
            .patch(update)
            .delete(remove),
        )
}

/// A user as Graph shows it. Properties tenantry does not keep are present and null, as Graph sends them.
pub fn user_json(u: &User) -> Value {
    let (user_type, external_state, creation_type) = match &u.kind {
        UserKind::Member { .. } => ("Member", Value::Null, Value::Null),
        UserKind::Guest { state, .. } => (
            "Guest",
            json!(match state {
                GuestState::PendingAcceptance => "PendingAcceptance",
                GuestState::Accepted => "Accepted",
            }),
            json!("Invitation"),
        ),
    };
    json!({
        "id": u.id,
        "businessPhones": [],
        "displayName": u.display_name,
        "givenName": u.given_name,
        "jobTitle": null,
        "mail": u.mail(),
        "mailNickname": mail_nickname(u.upn()),
        "mobilePhone": null,
        "officeLocation": null,
        "preferredLanguage": null,
        "surname": u.surname,
        "userPrincipalName": u.upn(),
        "accountEnabled": u.enabled,
        "userType": user_type,
        "createdDateTime": format_timestamp(u.created),
        "creationType": creation_type,
        "externalUserState": external_state,
    })
}

/// `alice` for `alice@contoso.com`, `alice_outlook.com#EXT#` for a guest, as Entra derives them.
fn mail_nickname(upn: &str) -> &str {
    upn.split('@').next().unwrap_or(upn)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PasswordProfile {
    password: Option<String>,
    #[allow(dead_code)] // accepted as az sends it; tenantry has no forced change at sign-in
    force_change_password_next_sign_in: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewUser {
    user_principal_name: Option<String>,
    display_name: Option<String>,
    given_name: Option<String>,
    surname: Option<String>,
    mail: Option<String>,
    account_enabled: Option<bool>,
    password_profile: Option<PasswordProfile>,
}

fn missing_property(name: &str) -> GraphError {
    invalid_property(name, "User")
}

async fn create(
    State(state): State<AppState>,
    caller: GraphCaller,
    body: Result<Json<NewUser>, JsonRejection>,
) -> Result<Response, GraphError> {
    let dir = Directory::of(caller);
    let Json(req) = body.map_err(bad_json)?;
    let upn = req
        .user_principal_name
        .ok_or_else(|| missing_property("userPrincipalName"))?;
    let password = req
        .password_profile
        .and_then(|p| p.password)
        .ok_or_else(|| missing_property("passwordProfile"))?;
    let display_name = req
        .display_name
        .ok_or_else(|| missing_property("displayName"))?;
    let id = state
        .svc
        .create_user(
            &dir.actor,
            dir.tenant,
            &upn,
            &display_name,
            UserNames {
                given_name: req.given_name,
                surname: req.surname,
            },
            &password,
            req.mail,
            req.account_enabled.unwrap_or(true),
        )
        .await?;
    let user = state
        .svc
        .read(|w| reads::user(w, dir.tenant, id).map(user_json));
    let user = user.ok_or_else(|| not_found(&id.to_string()))?;
    Ok((StatusCode::CREATED, Json(entity(&state, "users", user))).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserPatch {
    display_name: Option<String>,
    /// `null` clears a name; absent keeps it.
    #[serde(default, deserialize_with = "super::present")]
    given_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::present")]
    surname: Option<Option<String>>,
    account_enabled: Option<bool>,
    /// `null` clears the mail; absent keeps it.
    #[serde(default, deserialize_with = "super::present")]
    mail: Option<Option<String>>,
    password_profile: Option<PasswordProfile>,
}

/// The object id of a user named in the path, or 404.
fn resolve(state: &AppState, dir: &Directory, key: &str) -> Result<ObjectId, GraphError> {
    dir.read(state, reads::require_directory_read, |w| {
        reads::user_named(w, dir.tenant, key)
            .map(|u| u.id)
            .ok_or_else(|| not_found(key))
    })
}

async fn update(
    State(state): State<AppState>,
    caller: GraphCaller,
    Path(key): Path<String>,
    body: Result<Json<UserPatch>, JsonRejection>,
) -> Result<StatusCode, GraphError> {
    let dir = Directory::of(caller);
    let Json(patch) = body.map_err(bad_json)?;
    let id = resolve(&state, &dir, &key)?;
    state
        .svc
        .update_user(
            &dir.actor,
            dir.tenant,
            id,
            UserEdit {
                display_name: patch.display_name,
                given_name: patch.given_name,
                surname: patch.surname,
                enabled: patch.account_enabled,
                mail: patch.mail,
                password: patch.password_profile.and_then(|p| p.password),
            },
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove(
    State(state): State<AppState>,
    caller: GraphCaller,
    Path(key): Path<String>,
) -> Result<StatusCode, GraphError> {
    let dir = Directory::of(caller);
    let id = resolve(&state, &dir, &key)?;
    state.svc.delete_user(&dir.actor, dir.tenant, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
