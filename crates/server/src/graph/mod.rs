//! The Microsoft Graph face (`/v1.0/...`): users, me, organization, domains, directory roles,
//! invitations (and their redemption), `directoryObjects/getByIds`, applications and service
//! principals, security groups with their members and owners, and memberships (`memberOf`,
//! `transitiveMemberOf`, `ownedObjects`, `checkMemberGroups` and its kin).
//!
//! Every handler works in the tenant of the caller's token, never in one named by the request, so a
//! caller sees only its own directory. Handlers translate wire shapes; the rules (who may read, create,
//! invite, assign roles, manage groups) are the domain's.
//!
//! Every collection is answered by [`Directory::list`] (the query options of [`odata`], read before the
//! world; the `$count` segment and OData casts of [`View`], routed by [`collection_routes`]), and every
//! top-level set (`/users`, `/groups`, `/applications`, `/servicePrincipals`) by [`list_set`] from its
//! [`Set`].

pub mod applications;
pub mod directory_objects;
pub mod directory_roles;
pub mod domains;
pub mod federated_credentials;
pub mod groups;
pub mod invitations;
pub mod me;
pub mod memberships;
pub mod odata;
pub mod organization;
pub mod service_principals;
pub mod userinfo;
pub mod users;

use crate::app::AppState;
use crate::auth::{Caller, GraphCaller};
use crate::errors::{EdgeRefusal, GraphError};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, Path, Query as QueryParams, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use tenantry_domain::rules::reads;
use tenantry_domain::{Actor, DomainError, ObjectId, TenantId, World};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(users::routes())
        .merge(me::routes())
        .merge(organization::routes())
        .merge(domains::routes())
        .merge(directory_roles::routes())
        .merge(invitations::routes())
        .merge(directory_objects::routes())
        .merge(service_principals::routes())
        .merge(applications::routes())
        .merge(federated_credentials::routes())
        .merge(groups::routes())
        .merge(memberships::routes())
        .merge(userinfo::routes())
}

/// The caller and the one directory it may see: the tenant of its token.
pub struct Directory {
    pub actor: Actor,
    pub tenant: TenantId,
    pub caller: Caller,
}

impl Directory {
    pub fn of(GraphCaller(caller): GraphCaller) -> Self {
        Self {
            actor: caller.actor.clone(),
            tenant: TenantId(caller.tenant),
            caller,
        }
    }

    /// Runs a read rule against the current world, then builds the answer from the same snapshot.
    pub fn read<T>(
        &self,
        state: &AppState,
        rule: impl FnOnce(&World, &Actor, TenantId) -> Result<(), DomainError>,
        answer: impl FnOnce(&World) -> Result<T, GraphError>,
    ) -> Result<T, GraphError> {
        state.svc.read(|w| {
            rule(w, &self.actor, self.tenant)?;
            answer(w)
        })
    }

    /// A collection: the query options are read first (a refusal of them names nothing of the
    /// directory), then `items` lists what the caller may see, in a stable order, from one snapshot of
    /// the world (its read rule refuses otherwise); then cast (`…/microsoft.graph.user`), filtered,
    /// sorted, counted, paged and projected, or only counted (`…/$count`, a number as text).
    pub fn list(
        &self,
        state: &AppState,
        req: &ListRequest,
        collection: &Collection,
        items: impl FnOnce(&World, &Actor, TenantId) -> Result<Vec<Value>, GraphError>,
    ) -> Result<Response, GraphError> {
        let context_of = req.view.cast.map_or(collection.context, |c| c.set);
        self.list_in(state, req, &collection.answers, context_of, items)
    }

    /// [`Directory::list`] of a collection whose `@odata.context` is made per request (one object's
    /// collection: `applications('{id}')/federatedIdentityCredentials`).
    pub fn list_in(
        &self,
        state: &AppState,
        req: &ListRequest,
        answers: &odata::Answers,
        context_of: &str,
        items: impl FnOnce(&World, &Actor, TenantId) -> Result<Vec<Value>, GraphError>,
    ) -> Result<Response, GraphError> {
        if req.view.count && !req.eventual {
            // Entra's answer to the `$count` segment without the header.
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                "Request_BadRequest",
                "$count is not currently supported.",
            ));
        }
        let query = odata::Query::parse(&req.params, answers, req.eventual)?;
        let mut items = state.svc.read(|w| items(w, &self.actor, self.tenant))?;
        if let Some(cast) = req.view.cast {
            let typed = format!("#microsoft.graph.{}", cast.name);
            items.retain(|i| i["@odata.type"] == typed.as_str());
        }
        if req.view.count {
            let n = items.iter().filter(|i| query.matches(i)).count();
            return Ok(([(CONTENT_TYPE, "text/plain")], n.to_string()).into_response());
        }
        Ok(Json(query.collection(
            items,
            &context(state, context_of),
            &format!("{}{}", state.base_url, req.path),
        ))
        .into_response())
    }

    /// One object of the directory, for anyone present in it: `find` looks it up by `key` (a 404 when
    /// it finds nothing); `$select` applies, and the answer carries the `@odata.context` of `set`.
    pub fn show(
        &self,
        state: &AppState,
        set: &str,
        key: &str,
        params: &HashMap<String, String>,
        find: impl FnOnce(&World) -> Option<Value>,
    ) -> Result<Json<Value>, GraphError> {
        let select = odata::select(params);
        let found = self.read(state, reads::require_directory_read, |w| {
            find(w).ok_or_else(|| not_found(key))
        })?;
        Ok(Json(entity(
            state,
            set,
            odata::project(found, select.as_deref()),
        )))
    }
}

/// What a collection request asks: its query options, whether it carries `ConsistencyLevel: eventual`,
/// its path (the next page's link repeats it) and the view its path names.
pub struct ListRequest {
    params: HashMap<String, String>,
    eventual: bool,
    path: String,
    view: View,
}

/// A type a collection of directory objects may be cast to (`…/members/microsoft.graph.user`), and
/// the set whose `@odata.context` the cast collection carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cast {
    pub name: &'static str,
    pub set: &'static str,
}

/// The casts of Graph's collections of directory objects that tenantry holds.
pub const CASTS: [Cast; 4] = [
    Cast {
        name: "user",
        set: "users",
    },
    Cast {
        name: "group",
        set: "groups",
    },
    Cast {
        name: "servicePrincipal",
        set: "servicePrincipals",
    },
    Cast {
        name: "directoryRole",
        set: "directoryRoles",
    },
];

/// What the end of a collection's path asks: the items of one type only (an OData cast), and only
/// their number (the `$count` segment).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct View {
    pub cast: Option<Cast>,
    pub count: bool,
}

impl View {
    /// The view a path's last segments name (`…/microsoft.graph.group/$count`).
    fn of(path: &str) -> View {
        let (rest, count) = match path.strip_suffix("/$count") {
            Some(rest) => (rest, true),
            None => (path, false),
        };
        let last = rest.rsplit('/').next().unwrap_or_default();
        let cast = last
            .strip_prefix("microsoft.graph.")
            .and_then(|name| CASTS.into_iter().find(|c| c.name == name));
        View { cast, count }
    }

    /// The suffixes of a collection's path: itself, `$count`, and with `casts` each cast and its count.
    fn suffixes(casts: bool) -> Vec<String> {
        let mut out = vec![String::new(), "/$count".to_string()];
        if casts {
            for c in CASTS {
                out.push(format!("/microsoft.graph.{}", c.name));
                out.push(format!("/microsoft.graph.{}/$count", c.name));
            }
        }
        out
    }
}

/// Routes the collection at `path` to `list`, with its `$count` segment and, for collections of
/// directory objects of several types (`casts`), each cast.
pub fn collection_routes(
    router: Router<AppState>,
    path: &str,
    list: MethodRouter<AppState>,
    casts: bool,
) -> Router<AppState> {
    View::suffixes(casts).into_iter().fold(router, |r, suffix| {
        r.route(&format!("{path}{suffix}"), list.clone())
    })
}

impl FromRequestParts<AppState> for ListRequest {
    type Rejection = GraphError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, GraphError> {
        let QueryParams(params) =
            QueryParams::<HashMap<String, String>>::from_request_parts(parts, state)
                .await
                .map_err(|e| malformed(e.status(), e.body_text()))?;
        let eventual = parts
            .headers
            .get("consistencylevel")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("eventual"));
        let path = parts.uri.path().to_string();
        Ok(Self {
            params,
            eventual,
            view: View::of(&path),
            path,
        })
    }
}

/// A collection of directory objects: its `@odata.context` (`users`, `directoryObjects`, …) and what
/// its query options may name.
pub struct Collection {
    pub context: &'static str,
    pub answers: odata::Answers,
}

/// The collections of mixed directory objects (a group's members, a user's groups): their common
/// properties.
pub const DIRECTORY_OBJECTS: Collection = Collection {
    context: "directoryObjects",
    answers: odata::Answers {
        resource: "DirectoryObject",
        filterable: &["id", "displayName"],
        sortable: &["displayName"],
        sorts_only_when_advanced: false,
    },
};

/// A top-level set of the directory: the collection, and every object in it that the caller may see
/// (its read rule refuses otherwise), as Graph shows them, in a stable order.
pub struct Set {
    pub collection: Collection,
    pub list: fn(&World, &Actor, TenantId) -> Result<Vec<Value>, DomainError>,
}

/// How a set finds one object by the key in its path (an object id; also a user principal name for
/// users): `None` when the directory holds no such object.
pub type Find = fn(&World, &Actor, TenantId, &str) -> Option<Value>;

/// `GET /v1.0/{set}/{id}`: one object, for anyone present in the directory ([`Directory::show`]).
pub fn show_one(set: &'static str, find: Find) -> MethodRouter<AppState> {
    get(
        move |State(state): State<AppState>,
              caller: GraphCaller,
              Path(key): Path<String>,
              QueryParams(params): QueryParams<HashMap<String, String>>| async move {
            let dir = Directory::of(caller);
            dir.show(&state, set, &key, &params, |w| {
                find(w, &dir.actor, dir.tenant, &key)
            })
        },
    )
}

/// `GET /v1.0/{set}`.
pub fn list_set(set: &'static Set) -> MethodRouter<AppState> {
    get(
        move |State(state): State<AppState>, caller: GraphCaller, req: ListRequest| async move {
            Directory::of(caller).list(&state, &req, &set.collection, |w, actor, tenant| {
                Ok((set.list)(w, actor, tenant)?)
            })
        },
    )
}

/// Graph's answer to a request the framework could not read (its query, its path).
pub fn malformed(status: StatusCode, detail: String) -> GraphError {
    EdgeRefusal::Malformed { status, detail }.graph()
}

/// Graph's 404 for an object the directory does not hold (or the caller may not see).
pub fn not_found(key: &str) -> GraphError {
    GraphError::not_found(format!(
        "Resource '{key}' does not exist or one of its queried reference-property objects are not present."
    ))
}

/// `https://host/v1.0/$metadata#users`, the `@odata.context` of a collection or entity.
pub fn context(state: &AppState, what: &str) -> String {
    format!("{}/v1.0/$metadata#{what}", state.base_url)
}

/// Adds `@odata.context` to a single object.
pub fn entity(state: &AppState, set: &str, mut value: Value) -> Value {
    if let Value::Object(map) = &mut value {
        map.insert(
            "@odata.context".into(),
            json!(context(state, &format!("{set}/$entity"))),
        );
    }
    value
}

/// Graph's answer to a body that is not the JSON it expects.
pub fn bad_json(e: JsonRejection) -> GraphError {
    if let Some(too_large) = crate::edge::too_large(&e) {
        return too_large.graph();
    }
    GraphError::bad_request(format!(
        "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format. ({})",
        e.body_text()
    ))
}

/// Entra's refusal of a property of a body that is missing or has a value it does not take.
pub fn invalid_property(name: &str, resource: &str) -> GraphError {
    GraphError::new(
        axum::http::StatusCode::BAD_REQUEST,
        "Request_BadRequest",
        format!("Invalid value specified for property '{name}' of resource '{resource}'."),
    )
}

/// Tells a property sent as `null` (`Some(None)`) from one not sent at all (`None`), for `PATCH`.
pub fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    <Option<String> as serde::Deserialize>::deserialize(d).map(Some)
}

/// The object id in a Graph path (`/users/{id}`, `/directoryRoles/{id}`): exactly a GUID.
pub fn parse_object_id(key: &str) -> Option<ObjectId> {
    key.parse().ok()
}

/// The body of `POST …/$ref`: the object to add, by reference.
#[derive(serde::Deserialize)]
pub struct Reference {
    #[serde(rename = "@odata.id")]
    pub odata_id: String,
}

/// The object id at the end of a reference (`https://graph.microsoft.com/v1.0/directoryObjects/{id}`,
/// on any host, or `…/users/{id}`), as `$ref` bodies and `members@odata.bind` carry them.
pub fn referenced_object(odata_id: &str) -> Result<ObjectId, GraphError> {
    odata_id
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .and_then(parse_object_id)
        .ok_or_else(|| {
            GraphError::bad_request(format!(
                "Invalid object identifier '{odata_id}': expected …/directoryObjects/{{id}}."
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_collection_s_path_names_its_view() {
        let cast = |name| CASTS.into_iter().find(|c| c.name == name);
        let view = |path: &str| View::of(path);
        assert_eq!(view("/v1.0/groups"), View::default());
        assert_eq!(
            view("/v1.0/groups/$count"),
            View {
                cast: None,
                count: true
            }
        );
        assert_eq!(
            view("/v1.0/me/transitiveMemberOf/microsoft.graph.group"),
            View {
                cast: cast("group"),
                count: false
            }
        );
        assert_eq!(
            view("/v1.0/groups/x/members/microsoft.graph.servicePrincipal/$count"),
            View {
                cast: cast("servicePrincipal"),
                count: true
            }
        );
        // Only the types tenantry holds are casts; every suffix routed is read back as its view.
        assert_eq!(
            view("/v1.0/groups/x/members/microsoft.graph.device").cast,
            None
        );
        for suffix in View::suffixes(true) {
            let v = view(&format!("/v1.0/groups/x/members{suffix}"));
            assert_eq!(v.count, suffix.ends_with("/$count"), "{suffix}");
            assert_eq!(
                v.cast.is_some(),
                suffix.contains("microsoft.graph."),
                "{suffix}"
            );
        }
    }
}
