//! The Microsoft Graph face (`/v1.0/...`): users, me, organization, domains, directory roles,
//! invitations (and their redemption), `directoryObjects/getByIds` and service principals.
//!
//! Every handler works in the tenant of the caller's token, never in one named by the request, so a
//! caller sees only its own directory. Handlers translate wire shapes; the rules (who may read, create,
//! invite, assign roles) are the domain's.

pub mod applications;
pub mod directory_objects;
pub mod directory_roles;
pub mod domains;
pub mod invitations;
pub mod me;
pub mod odata;
pub mod organization;
pub mod service_principals;
pub mod users;

use crate::app::AppState;
use crate::auth::{Caller, GraphCaller};
use crate::errors::GraphError;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use tenantry_domain::rules::reads;
use tenantry_domain::{Actor, DomainError, TenantId, World};

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
}

impl Directory {
    /// `GET /v1.0/{set}`: every object of the directory (`all`, in a stable order), after the caller is
    /// allowed to enumerate it, then `$filter` on the `filterable` properties, `$select`, `$top` and paging.
    pub fn collection(
        &self,
        state: &AppState,
        set: &str,
        params: &std::collections::HashMap<String, String>,
        filterable: &[&str],
        all: impl FnOnce(&World, TenantId) -> Vec<serde_json::Value>,
    ) -> Result<serde_json::Value, GraphError> {
        let query = odata::Query::parse(params, filterable)?;
        let items = self.read(state, reads::require_directory_enumeration, |w| {
            Ok(all(w, self.tenant))
        })?;
        Ok(query.collection(
            items,
            &context(state, set),
            &format!("{}/v1.0/{set}", state.base_url),
        ))
    }
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

/// The object id in a Graph path (`/users/{id}`, `/directoryRoles/{id}`): exactly a GUID.
pub fn parse_object_id(key: &str) -> Option<tenantry_domain::ObjectId> {
    key.parse().ok()
}
