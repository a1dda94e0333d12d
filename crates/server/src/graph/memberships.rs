//! What a principal is a member of, and what it owns: `memberOf` and `transitiveMemberOf` (groups and
//! directory roles, typed), `ownedObjects` (the groups it owns), and the actions `checkMemberGroups`,
//! `getMemberGroups`, `checkMemberObjects` and `getMemberObjects`, on `/users/{id or UPN}`, `/groups/{id}`,
//! `/servicePrincipals/{id}`, `/me` and `/directoryObjects/{id}`. The actions are routed by their short
//! name and by their qualified one (`microsoft.graph.getMemberGroups`), as Graph accepts both.
//!
//! `az ad group member check` calls `checkMemberGroups` on `/directoryObjects/{id}`, `az ad user
//! get-member-groups` calls `getMemberGroups`, and `az ad signed-in-user list-owned-objects` lists
//! `/me/ownedObjects`. Who may read whose memberships is the domain's (`rules::reads::groups`).

use super::directory_objects::principal_json;
use super::directory_roles::role_json;
use super::{
    DIRECTORY_OBJECTS, Directory, ListRequest, bad_json, collection_routes, context, not_found,
};
use crate::app::AppState;
use crate::auth::GraphCaller;
use crate::errors::GraphError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{MethodRouter, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tenantry_domain::rules::reads::{self, Among, Membership, Whose};
use tenantry_domain::world::PrincipalRef;
use tenantry_domain::{Actor, PrincipalType, TenantId, World};

/// Whose memberships a path names.
#[derive(Clone, Copy)]
enum Subject {
    /// `/me`: the signed-in user.
    Me,
    /// `/users/{id or user principal name}`.
    User,
    Group,
    ServicePrincipal,
    /// `/directoryObjects/{id}`: any kind.
    Object,
}

/// The lists of a subject.
#[derive(Clone, Copy)]
pub enum Listing {
    MemberOf,
    TransitiveMemberOf,
    OwnedObjects,
}

impl Listing {
    fn segment(self) -> &'static str {
        match self {
            Listing::MemberOf => "memberOf",
            Listing::TransitiveMemberOf => "transitiveMemberOf",
            Listing::OwnedObjects => "ownedObjects",
        }
    }

    /// What it lists, as the OpenAPI document says.
    pub fn summary(self) -> &'static str {
        match self {
            Listing::MemberOf => "Groups and directory roles it is directly a member of",
            Listing::TransitiveMemberOf => {
                "Groups and directory roles it is a member of, directly or through groups"
            }
            Listing::OwnedObjects => "The groups it owns",
        }
    }
}

/// The actions of a subject.
#[derive(Clone, Copy)]
pub enum Action {
    CheckMemberGroups,
    GetMemberGroups,
    CheckMemberObjects,
    GetMemberObjects,
}

impl Action {
    const ALL: [Action; 4] = [
        Action::CheckMemberGroups,
        Action::GetMemberGroups,
        Action::CheckMemberObjects,
        Action::GetMemberObjects,
    ];

    /// Its short name; it is also served by its qualified name, `microsoft.graph.{name}`.
    pub fn name(self) -> &'static str {
        match self {
            Action::CheckMemberGroups => "checkMemberGroups",
            Action::GetMemberGroups => "getMemberGroups",
            Action::CheckMemberObjects => "checkMemberObjects",
            Action::GetMemberObjects => "getMemberObjects",
        }
    }

    /// What it answers, as the OpenAPI document says.
    pub fn summary(self) -> &'static str {
        match self {
            Action::CheckMemberGroups => {
                "Which of these groups (at most 20) it is in, directly or through nesting"
            }
            Action::GetMemberGroups => "Every group it is in, directly or through nesting",
            Action::CheckMemberObjects => "Which of these groups and directory roles it is in",
            Action::GetMemberObjects => {
                "Every group and directory role it is in, directly or through groups"
            }
        }
    }
}

/// The subjects, their base path, and the lists they have (each has the four actions).
const SUBJECTS: [(Subject, &str, &[Listing]); 5] = [
    (Subject::Me, "/v1.0/me", &ALL_LISTS),
    (Subject::User, "/v1.0/users/{id}", &ALL_LISTS),
    (
        Subject::Group,
        "/v1.0/groups/{id}",
        &[Listing::MemberOf, Listing::TransitiveMemberOf],
    ),
    (
        Subject::ServicePrincipal,
        "/v1.0/servicePrincipals/{id}",
        &ALL_LISTS,
    ),
    (Subject::Object, "/v1.0/directoryObjects/{id}", &[]),
];

const ALL_LISTS: [Listing; 3] = [
    Listing::MemberOf,
    Listing::TransitiveMemberOf,
    Listing::OwnedObjects,
];

/// Every list served, by path: what [`routes`] serves and the OpenAPI document lists.
pub fn lists() -> Vec<(String, Listing)> {
    SUBJECTS
        .iter()
        .flat_map(|(_, base, lists)| {
            lists
                .iter()
                .map(move |l| (format!("{base}/{}", l.segment()), *l))
        })
        .collect()
}

/// Every action served, by path with its short name (each is also served by its qualified name).
pub fn actions() -> Vec<(String, Action)> {
    SUBJECTS
        .iter()
        .flat_map(|(_, base, _)| Action::ALL.map(|a| (format!("{base}/{}", a.name()), a)))
        .collect()
}

pub fn routes() -> Router<AppState> {
    let mut router = Router::new();
    for (subject, base, lists) in SUBJECTS {
        for list in lists {
            let handler = match subject {
                Subject::Me => me_list(*list),
                _ => keyed_list(subject, *list),
            };
            router =
                collection_routes(router, &format!("{base}/{}", list.segment()), handler, true);
        }
        for action in Action::ALL {
            let handler = match subject {
                Subject::Me => me_action(action),
                _ => keyed_action(subject, action),
            };
            for name in [
                action.name().to_string(),
                format!("microsoft.graph.{}", action.name()),
            ] {
                router = router.route(&format!("{base}/{name}"), handler.clone());
            }
        }
    }
    router
}

fn keyed_list(subject: Subject, list: Listing) -> MethodRouter<AppState> {
    get(
        move |State(state): State<AppState>,
              caller: GraphCaller,
              Path(key): Path<String>,
              req: ListRequest| async move {
            listing(subject, Some(key), list, state, caller, req)
        },
    )
}

fn me_list(list: Listing) -> MethodRouter<AppState> {
    get(
        move |State(state): State<AppState>, caller: GraphCaller, req: ListRequest| async move {
            listing(Subject::Me, None, list, state, caller, req)
        },
    )
}

fn keyed_action(subject: Subject, action: Action) -> MethodRouter<AppState> {
    post(
        move |State(state): State<AppState>,
              caller: GraphCaller,
              Path(key): Path<String>,
              body: Result<Json<ActionBody>, JsonRejection>| async move {
            act(subject, Some(key), action, state, caller, body)
        },
    )
}

fn me_action(action: Action) -> MethodRouter<AppState> {
    post(
        move |State(state): State<AppState>,
              caller: GraphCaller,
              body: Result<Json<ActionBody>, JsonRejection>| async move {
            act(Subject::Me, None, action, state, caller, body)
        },
    )
}

/// The object a path names, and of which kind it must be; `None` for `/me` as a personal account,
/// which is in no directory's groups.
fn whose(
    w: &World,
    actor: &Actor,
    tenant: TenantId,
    subject: Subject,
    key: Option<&str>,
) -> Result<Option<Whose>, GraphError> {
    let key = key.unwrap_or_default();
    let by_id = |kind| {
        super::parse_object_id(key)
            .map(|object| Some(Whose { object, kind }))
            .ok_or_else(|| not_found(key))
    };
    let user = |object| Whose {
        object,
        kind: Some(PrincipalType::User),
    };
    match subject {
        Subject::Me => Ok(super::me::me_object(actor)?.map(user)),
        Subject::User => {
            // A user path may name its user principal name: read as `/users/{key}` is read.
            reads::require_directory_read(w, actor, tenant)?;
            let found = reads::user_named(w, tenant, key).ok_or_else(|| not_found(key))?;
            Ok(Some(user(found.id)))
        }
        Subject::Group => by_id(Some(PrincipalType::Group)),
        Subject::ServicePrincipal => by_id(Some(PrincipalType::ServicePrincipal)),
        Subject::Object => by_id(None),
    }
}

/// A membership as Graph lists it: a group, or a directory role, typed.
fn membership_json(m: Membership<'_>) -> Value {
    match m {
        Membership::Group(g) => principal_json(PrincipalRef::Group(g)),
        Membership::Role(r) => {
            let mut v = role_json(r);
            v["@odata.type"] = json!("#microsoft.graph.directoryRole");
            v
        }
    }
}

fn listing(
    subject: Subject,
    key: Option<String>,
    list: Listing,
    state: AppState,
    caller: GraphCaller,
    req: ListRequest,
) -> Result<Response, GraphError> {
    Directory::of(caller).list(&state, &req, &DIRECTORY_OBJECTS, |w, actor, tenant| {
        let Some(whose) = whose(w, actor, tenant, subject, key.as_deref())? else {
            return Ok(vec![]);
        };
        Ok(match list {
            Listing::MemberOf | Listing::TransitiveMemberOf => {
                let transitive = matches!(list, Listing::TransitiveMemberOf);
                reads::member_of(w, actor, tenant, whose, transitive)?
                    .into_iter()
                    .map(membership_json)
                    .collect()
            }
            Listing::OwnedObjects => reads::owned_groups(w, actor, tenant, whose)?
                .into_iter()
                .map(|g| principal_json(PrincipalRef::Group(g)))
                .collect(),
        })
    })
}

/// The body of the four actions; each reads its own property.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ActionBody {
    #[serde(default)]
    group_ids: Vec<String>,
    #[serde(default)]
    ids: Vec<String>,
    #[serde(default)]
    security_enabled_only: Option<bool>,
}

fn act(
    subject: Subject,
    key: Option<String>,
    action: Action,
    state: AppState,
    caller: GraphCaller,
    body: Result<Json<ActionBody>, JsonRejection>,
) -> Result<Json<Value>, GraphError> {
    let dir = Directory::of(caller);
    let Json(body) = body.map_err(bad_json)?;
    let security_only = body.security_enabled_only.unwrap_or(false);
    let value = state.svc.read(|w| {
        let (actor, tenant) = (&dir.actor, dir.tenant);
        let Some(whose) = whose(w, actor, tenant, subject, key.as_deref())? else {
            return Ok::<_, GraphError>(vec![]);
        };
        Ok(match action {
            Action::CheckMemberGroups => {
                reads::check_member_ids(w, actor, tenant, whose, Among::Groups, &body.group_ids)?
            }
            Action::CheckMemberObjects => {
                reads::check_member_ids(w, actor, tenant, whose, Among::Objects, &body.ids)?
            }
            Action::GetMemberGroups => {
                reads::member_ids(w, actor, tenant, whose, Among::Groups, security_only)?
            }
            Action::GetMemberObjects => {
                reads::member_ids(w, actor, tenant, whose, Among::Objects, security_only)?
            }
        })
    })?;
    Ok(Json(json!({
        "@odata.context": context(&state, "Collection(Edm.String)"),
        "value": value,
    })))
}
