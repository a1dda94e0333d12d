//! `/v1.0/groups`: security groups (create, list, get, `PATCH`, `DELETE`), their members and owners
//! (list; add with `POST …/$ref`, remove with `DELETE …/{id}/$ref`) and their transitive members. What
//! `az ad group` and `az ad group member|owner` call.
//!
//! tenantry's groups are security groups: Microsoft 365 groups (`groupTypes: ["Unified"]`), dynamic
//! groups and mail-enabled groups do not exist here, and a body asking for one is refused as Entra
//! refuses a property it does not take. Who may create, change, delete and list is the domain's
//! (`rules::groups`, `rules::reads::groups`).

use super::directory_objects::principal_json;
use super::odata::Answers;
use super::{
    Collection, DIRECTORY_OBJECTS, Directory, ListRequest, Reference, Set, bad_json,
    collection_routes, entity, invalid_property, list_set, not_found, referenced_object, show_one,
};
use crate::app::AppState;
use crate::auth::GraphCaller;
use crate::errors::{GraphError, format_timestamp};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tenantry_domain::rules::groups::{GroupUpdate, NewGroup};
use tenantry_domain::rules::reads::{self, GroupRelation};
use tenantry_domain::{Group, ObjectId};

/// `GET /v1.0/groups`: for whoever may list the directory's users.
pub static GROUPS: Set = Set {
    collection: Collection {
        context: "groups",
        answers: Answers {
            resource: "Group",
            filterable: &[
                "id",
                "displayName",
                "mailNickname",
                "securityEnabled",
                "mailEnabled",
                "isAssignableToRole",
            ],
            sortable: &["displayName"],
            sorts_only_when_advanced: false,
        },
    },
    list: |w, actor, tenant| {
        Ok(reads::groups(w, actor, tenant)?
            .into_iter()
            .map(group_json)
            .collect())
    },
};

pub fn routes() -> Router<AppState> {
    let router = Router::new()
        .route("/v1.0/groups", list_set(&GROUPS).post(create))
        .route("/v1.0/groups/$count", list_set(&GROUPS))
        .route(
            "/v1.0/groups/{id}",
            show_one("groups", |w, actor, tenant, key| {
                let group = super::parse_object_id(key)?;
                reads::group(w, actor, tenant, group).ok().map(group_json)
            })
            .patch(update)
            .delete(remove),
        )
        .route(
            "/v1.0/groups/{id}/members/$ref",
            post(|s, c, p, b| add_ref(Link::Member, s, c, p, b)),
        )
        .route(
            "/v1.0/groups/{id}/owners/$ref",
            post(|s, c, p, b| add_ref(Link::Owner, s, c, p, b)),
        )
        .route(
            "/v1.0/groups/{id}/members/{member}/$ref",
            delete(|s, c, p| remove_ref(Link::Member, s, c, p)),
        )
        .route(
            "/v1.0/groups/{id}/owners/{owner}/$ref",
            delete(|s, c, p| remove_ref(Link::Owner, s, c, p)),
        );
    [
        ("members", GroupRelation::Members),
        ("owners", GroupRelation::Owners),
        ("transitiveMembers", GroupRelation::TransitiveMembers),
    ]
    .into_iter()
    .fold(router, |r, (segment, relation)| {
        collection_routes(
            r,
            &format!("/v1.0/groups/{{id}}/{segment}"),
            related(relation),
            true,
        )
    })
}

/// A group as Graph shows it (its default properties). Properties tenantry does not keep are present
/// and null or empty, as Graph sends them for a security group.
pub fn group_json(g: &Group) -> Value {
    json!({
        "id": g.id,
        "deletedDateTime": null,
        "classification": null,
        "createdDateTime": format_timestamp(g.created),
        "creationOptions": [],
        "description": g.description,
        "displayName": g.display_name,
        "expirationDateTime": null,
        "groupTypes": [],
        "isAssignableToRole": g.role_assignable,
        "mail": null,
        "mailEnabled": false,
        "mailNickname": g.mail_nickname,
        "membershipRule": null,
        "membershipRuleProcessingState": null,
        "onPremisesSyncEnabled": null,
        "preferredDataLocation": null,
        "preferredLanguage": null,
        "proxyAddresses": [],
        "renewedDateTime": format_timestamp(g.created),
        "resourceBehaviorOptions": [],
        "resourceProvisioningOptions": [],
        "securityEnabled": g.security_enabled,
        "securityIdentifier": security_identifier(g.id),
        "theme": null,
        "visibility": null,
    })
}

/// Entra's SID of a cloud group: `S-1-12-1-` and the object id's 16 bytes (in Microsoft's GUID byte
/// order) as four little-endian 32-bit numbers.
fn security_identifier(id: ObjectId) -> String {
    let bytes = id.0.to_bytes_le();
    let parts: Vec<String> = bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]).to_string())
        .collect();
    format!("S-1-12-1-{}", parts.join("-"))
}

/// The group named in a path: exactly a GUID (anything else names no group).
fn group_id(key: &str) -> Result<ObjectId, GraphError> {
    super::parse_object_id(key).ok_or_else(|| not_found(key))
}

/// `GET /v1.0/groups/{id}/{members|owners|transitiveMembers}`: directory objects of every kind, each
/// with its `@odata.type`.
fn related(relation: GroupRelation) -> MethodRouter<AppState> {
    get(
        move |State(state): State<AppState>,
              caller: GraphCaller,
              Path(id): Path<String>,
              req: ListRequest| async move {
            let group = group_id(&id)?;
            Directory::of(caller).list(&state, &req, &DIRECTORY_OBJECTS, |w, actor, tenant| {
                Ok(reads::group_related(w, actor, tenant, group, relation)?
                    .into_iter()
                    .map(principal_json)
                    .collect())
            })
        },
    )
}

/// The objects a request names by reference (`members@odata.bind`, `owners@odata.bind`).
fn bound(refs: &[String]) -> Result<Vec<ObjectId>, GraphError> {
    refs.iter().map(|r| referenced_object(r)).collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewGroupBody {
    display_name: Option<String>,
    description: Option<String>,
    mail_nickname: Option<String>,
    mail_enabled: Option<bool>,
    security_enabled: Option<bool>,
    is_assignable_to_role: Option<bool>,
    #[serde(default)]
    group_types: Vec<String>,
    #[serde(rename = "members@odata.bind", default)]
    members: Vec<String>,
    #[serde(rename = "owners@odata.bind", default)]
    owners: Vec<String>,
}

/// Refuses what makes a group other than a security group: tenantry keeps no other kind.
fn security_group_only(
    mail_enabled: Option<bool>,
    security_enabled: Option<bool>,
    group_types: Option<&[String]>,
) -> Result<(), GraphError> {
    if mail_enabled == Some(true) {
        return Err(invalid_property("mailEnabled", "Group"));
    }
    if security_enabled == Some(false) {
        return Err(invalid_property("securityEnabled", "Group"));
    }
    if group_types.is_some_and(|t| !t.is_empty()) {
        return Err(invalid_property("groupTypes", "Group"));
    }
    Ok(())
}

/// `POST /v1.0/groups` (as `az ad group create` sends it), with its first members and owners bound.
async fn create(
    State(state): State<AppState>,
    caller: GraphCaller,
    body: Result<Json<NewGroupBody>, JsonRejection>,
) -> Result<Response, GraphError> {
    let dir = Directory::of(caller);
    let Json(req) = body.map_err(bad_json)?;
    security_group_only(
        req.mail_enabled,
        req.security_enabled,
        Some(&req.group_types),
    )?;
    let display_name = req
        .display_name
        .ok_or_else(|| invalid_property("displayName", "Group"))?;
    let new = NewGroup {
        description: req.description,
        mail_nickname: req.mail_nickname,
        role_assignable: req.is_assignable_to_role.unwrap_or(false),
        members: bound(&req.members)?,
        owners: bound(&req.owners)?,
        ..NewGroup::named(display_name)
    };
    let id = state.svc.create_group(&dir.actor, dir.tenant, new).await?;
    let group = state
        .svc
        .read(|w| w.tenant(dir.tenant)?.group(id).map(group_json))
        .ok_or_else(|| not_found(&id.to_string()))?;
    Ok((StatusCode::CREATED, Json(entity(&state, "groups", group))).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupPatch {
    display_name: Option<String>,
    /// `null` clears the description; absent keeps it.
    #[serde(default, deserialize_with = "super::present")]
    description: Option<Option<String>>,
    mail_nickname: Option<String>,
    mail_enabled: Option<bool>,
    security_enabled: Option<bool>,
    is_assignable_to_role: Option<bool>,
    group_types: Option<Vec<String>>,
}

async fn update(
    State(state): State<AppState>,
    caller: GraphCaller,
    Path(id): Path<String>,
    body: Result<Json<GroupPatch>, JsonRejection>,
) -> Result<StatusCode, GraphError> {
    let dir = Directory::of(caller);
    let group = group_id(&id)?;
    let Json(patch) = body.map_err(bad_json)?;
    security_group_only(
        patch.mail_enabled,
        patch.security_enabled,
        patch.group_types.as_deref(),
    )?;
    let update = GroupUpdate {
        display_name: patch.display_name,
        description: patch.description,
        mail_nickname: patch.mail_nickname,
        security_enabled: patch.security_enabled,
        role_assignable: patch.is_assignable_to_role,
    };
    state
        .svc
        .update_group(&dir.actor, dir.tenant, group, update)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove(
    State(state): State<AppState>,
    caller: GraphCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, GraphError> {
    let dir = Directory::of(caller);
    let group = group_id(&id)?;
    state
        .svc
        .delete_group(&dir.actor, dir.tenant, group)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which relation of a group a `$ref` adds to or removes from.
#[derive(Clone, Copy)]
enum Link {
    Member,
    Owner,
}

/// `POST /v1.0/groups/{id}/{members|owners}/$ref` with `{"@odata.id": "…/directoryObjects/{id}"}`.
async fn add_ref(
    link: Link,
    State(state): State<AppState>,
    caller: GraphCaller,
    Path(id): Path<String>,
    body: Result<Json<Reference>, JsonRejection>,
) -> Result<StatusCode, GraphError> {
    let group = group_id(&id)?;
    let Json(r) = body.map_err(bad_json)?;
    let object = referenced_object(&r.odata_id)?;
    relink(&state, caller, link, true, group, object).await
}

/// `DELETE /v1.0/groups/{id}/{members|owners}/{object}/$ref`.
async fn remove_ref(
    link: Link,
    State(state): State<AppState>,
    caller: GraphCaller,
    Path((id, object)): Path<(String, String)>,
) -> Result<StatusCode, GraphError> {
    let group = group_id(&id)?;
    let object = super::parse_object_id(&object).ok_or_else(|| not_found(&object))?;
    relink(&state, caller, link, false, group, object).await
}

/// Adds `object` to the group's members or owners, or removes it.
async fn relink(
    state: &AppState,
    caller: GraphCaller,
    link: Link,
    add: bool,
    group: ObjectId,
    object: ObjectId,
) -> Result<StatusCode, GraphError> {
    let dir = Directory::of(caller);
    let (svc, actor, tenant) = (&state.svc, &dir.actor, dir.tenant);
    match (link, add) {
        (Link::Member, true) => svc.add_group_member(actor, tenant, group, object).await,
        (Link::Member, false) => svc.remove_group_member(actor, tenant, group, object).await,
        (Link::Owner, true) => svc.add_group_owner(actor, tenant, group, object).await,
        (Link::Owner, false) => svc.remove_group_owner(actor, tenant, group, object).await,
    }?;
    Ok(StatusCode::NO_CONTENT)
}
