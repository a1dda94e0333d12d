//! The ARM face: `/subscriptions…`, `/tenants`, `/providers…`, `/metadata/endpoints`. ARM paths are a
//! grammar (scopes nest, extension resources hang off any scope), so everything under `/subscriptions/`
//! goes through one dispatcher that parses the path (path.rs) and calls the handler of what it names.
//! Handlers translate only: parse the wire shape, call the domain's read rules or the service's commands
//! (which authorize with Azure's action names), render.

mod authorization;
pub mod cache;
mod classic_admins;
mod group_roles;
mod hierarchy_entities;
mod hierarchy_settings;
mod management_groups;
mod metadata;
mod operations;
pub mod path;
mod providers;
pub mod query;
mod resource_groups;
mod resources;
mod subscription_lifecycle;
mod subscriptions;
mod tags;
mod tenants;
pub mod wire;

use crate::app::AppState;
use crate::auth::{ArmCaller, Caller};
use crate::errors::ArmError;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use path::{AuthzKind, Target};
use query::Query;
use tenantry_domain::Actor;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/metadata/endpoints", get(metadata::endpoints))
        .route("/subscriptions", get(subscriptions::list))
        .route("/subscriptions/", get(subscriptions::list))
        // The router allows one parameter per level, so the subscription level is `{id}` here as in
        // the extension routes (`/subscriptions/{id}/providers/Microsoft.Subscription/…`), whose static
        // segments then win over this catch-all.
        .route("/subscriptions/{id}", any(dispatch))
        .route("/subscriptions/{id}/{*rest}", any(dispatch))
        .route("/tenants", get(tenants::list))
        .route("/providers", get(providers::list_root))
        .route("/providers/{*rest}", any(dispatch_root))
        .merge(subscription_lifecycle::routes())
}

/// One ARM request, as the handlers see it.
pub(crate) struct Req {
    pub st: AppState,
    pub caller: Caller,
    pub method: Method,
    pub query: Query,
    /// The request path as sent (for `nextLink`).
    pub path: String,
    pub body: Bytes,
    /// The client takes `Content-Encoding: gzip` (big cached lists are sent so).
    pub accepts_gzip: bool,
}

impl Req {
    pub fn actor(&self) -> &Actor {
        &self.caller.actor
    }
    pub fn base_url(&self) -> &str {
        &self.st.base_url
    }
}

type ArmResult = Result<Response, ArmError>;

/// Whether `Accept-Encoding` names gzip (without `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(axum::http::header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            name.eq_ignore_ascii_case("gzip") && !refused
        })
}

fn into_response(r: ArmResult) -> Response {
    r.unwrap_or_else(IntoResponse::into_response)
}

async fn dispatch(
    State(st): State<AppState>,
    ArmCaller(caller): ArmCaller,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = Req {
        st,
        caller,
        method,
        query: Query::parse(uri.query()),
        path: uri.path().to_string(),
        body,
        accepts_gzip: accepts_gzip(&headers),
    };
    into_response(route(req).await)
}

async fn route(req: Req) -> ArmResult {
    let parsed = path::parse(&req.path)?;
    let sub = parsed.subscription;
    match parsed.target {
        Target::Subscription => only_get(&req, |r| subscriptions::get(r, sub)),
        Target::Locations => only_get(&req, |r| subscriptions::locations(r, sub)),
        Target::Providers(ns) => only_get(&req, |r| providers::list(r, Some(sub), ns.as_deref())),
        Target::ProviderRegistration {
            namespace,
            register,
        } if req.method == Method::POST => providers::registration(&req, sub, &namespace, register),
        Target::ProviderRegistration { .. } => Err(method_not_allowed(&req.method)),
        Target::ResourceGroups => only_get(&req, |r| resource_groups::list(r, sub)),
        Target::ResourceGroup(name) => resource_groups::handle(&req, sub, &name).await,
        Target::Resources(group) => {
            only_get(&req, |r| resources::list(r, sub, group.as_deref(), None))
        }
        Target::OperationResult(id) => only_get(&req, |r| operations::result(r, sub, &id)),
        Target::Resource(scope) => resources::handle(&req, &scope).await,
        Target::ResourceCollection {
            parent,
            resource_type,
        } => only_get(&req, |r| {
            resources::list_collection(r, &parent, &resource_type)
        }),
        Target::Authorization { scope, kind, name } => match kind {
            AuthzKind::RoleDefinitions => {
                authorization::role_definitions(&req, Some(&scope), name.as_deref()).await
            }
            AuthzKind::RoleAssignments => {
                authorization::role_assignments(&req, &scope, name.as_deref()).await
            }
            AuthzKind::Permissions if name.is_none() => {
                only_get(&req, |r| authorization::permissions(r, &scope))
            }
            AuthzKind::ClassicAdministrators => {
                classic_admins::handle(&req, &scope, name.as_deref()).await
            }
            AuthzKind::Permissions => Err(path::unknown_path(&req.path)),
        },
        Target::Tags(scope) => tags::handle(&req, &scope).await,
        Target::TagNames { name, value } => {
            tags::tag_names(&req, sub, name.as_deref(), value.as_deref()).await
        }
    }
}

/// `/providers/…`: the provider list, and role definitions addressed without a scope.
async fn dispatch_root(
    State(st): State<AppState>,
    ArmCaller(caller): ArmCaller,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = Req {
        st,
        caller,
        method,
        query: Query::parse(uri.query()),
        path: uri.path().to_string(),
        body,
        accepts_gzip: accepts_gzip(&headers),
    };
    into_response(route_root(req).await)
}

async fn route_root(req: Req) -> ArmResult {
    let segs = path::segments(&req.path);
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    let is = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    match s.as_slice() {
        [_, ns] => only_get(&req, |r| providers::list(r, None, Some(ns))),
        [_, ns, rest @ ..] if is(ns, "Microsoft.Management") && !rest.is_empty() => {
            management_groups::route(&req, rest).await
        }
        [_, ns, e] if is(ns, "Microsoft.Authorization") && is(e, "elevateAccess") => {
            management_groups::elevate_access(&req).await
        }
        [_, ns, ra, id @ ..]
            if is(ns, "Microsoft.Authorization") && is(ra, "roleAssignments") && id.len() <= 1 =>
        {
            management_groups::assignments(&req, None, id.first().copied()).await
        }
        [_, ns, rd] if is(ns, "Microsoft.Authorization") && is(rd, "roleDefinitions") => {
            authorization::role_definitions(&req, None, None).await
        }
        [_, ns, rd, id] if is(ns, "Microsoft.Authorization") && is(rd, "roleDefinitions") => {
            authorization::role_definitions(&req, None, Some(id)).await
        }
        _ => Err(path::unknown_path(&req.path)),
    }
}

/// Runs a read for GET (and HEAD, whose body the server drops); other methods are refused.
fn only_get(req: &Req, f: impl FnOnce(&Req) -> ArmResult) -> ArmResult {
    if req.method == Method::GET || req.method == Method::HEAD {
        f(req)
    } else {
        Err(method_not_allowed(&req.method))
    }
}

pub(crate) fn method_not_allowed(method: &Method) -> ArmError {
    ArmError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        format!("The requested resource does not support http method '{method}'."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The extension APIs (change of directory, tenant policies) register specific routes beside the
    /// catch-alls here: the router must accept both, and prefer theirs.
    #[test]
    fn catch_alls_leave_room_for_specific_routes() {
        let _router: Router<AppState> = routes()
            .route(
                "/subscriptions/{id}/providers/Microsoft.Subscription/changeTenantRequest/default",
                get(|| async { "ok" }),
            )
            .route(
                "/providers/Microsoft.Subscription/policies/default",
                get(|| async { "ok" }),
            );
    }
}
