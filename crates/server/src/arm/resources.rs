//! Generic resources under a group, of any provider and nesting: PUT (201/200), GET, HEAD, DELETE, and
//! lists (subscription, group, one type under a parent). Properties are kept exactly as given.

use super::query::{page_by_id, parse_filter};
use super::resource_groups::TagFilter;
use super::{ArmResult, Req, method_not_allowed, wire};
use crate::errors::ArmError;
use crate::odata::{Condition, Op};
use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use tenantry_domain::rules::identities::{self, IdentityWrite};
use tenantry_domain::rules::reads;
use tenantry_domain::rules::resources::{ResourcePatch, ResourceWrite};
use tenantry_domain::scope::ScopeLevel;
use tenantry_domain::{ErrorKind, Resource, Scope, SubscriptionId, World};

pub async fn handle(req: &Req, scope: &Scope) -> ArmResult {
    match req.method {
        Method::GET => get(req, scope),
        Method::HEAD => Ok(match get(req, scope) {
            Ok(_) => StatusCode::NO_CONTENT.into_response(),
            Err(e) => e.status.into_response(),
        }),
        Method::PUT => put(req, scope).await,
        Method::PATCH => patch(req, scope).await,
        Method::DELETE => delete(req, scope).await,
        ref m => Err(method_not_allowed(m)),
    }
}

fn get(req: &Req, scope: &Scope) -> ArmResult {
    let body = req
        .st
        .svc
        .read(|w| reads::get_resource(w, req.actor(), scope).map(|r| view(w, r)))?;
    Ok(wire::ok(&body))
}

/// A resource on the wire, with its identities' principals.
fn view(w: &World, r: &Resource) -> Value {
    wire::resource(identities::resource_view(w, r))
}

/// ARM's `identity` block: `type` and, for user-assigned identities, their resource ids as keys (the
/// values are `{}` on the way in).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IdentityBody {
    #[serde(rename = "type", default)]
    type_name: Option<String>,
    #[serde(default)]
    user_assigned_identities: Option<BTreeMap<String, Value>>,
}

#[derive(Deserialize)]
struct ResourceBody {
    #[serde(default)]
    identity: Option<IdentityBody>,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    tags: Option<BTreeMap<String, String>>,
    #[serde(default)]
    properties: Option<Value>,
}

async fn put(req: &Req, scope: &Scope) -> ArmResult {
    let b: ResourceBody = wire::body(&req.body)?;
    let write = ResourceWrite {
        identity: b.identity.map(identity_write),
        location: b.location,
        kind: b.kind,
        tags: b.tags.unwrap_or_default(),
        properties: b
            .properties
            .unwrap_or_else(|| Value::Object(Default::default())),
    };
    let created = req.st.svc.put_resource(req.actor(), scope, write).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let body = req
        .st
        .svc
        .read(|w| reads::get_resource(w, req.actor(), scope).map(|r| view(w, r)))?;
    Ok(wire::json(status, &body))
}

/// The wire's identity block as the rules take it.
fn identity_write(i: IdentityBody) -> IdentityWrite {
    IdentityWrite {
        type_name: i.type_name.unwrap_or_else(|| "None".into()),
        user_assigned: i
            .user_assigned_identities
            .map(|m| m.into_keys().collect())
            .unwrap_or_default(),
        ..Default::default()
    }
}

/// ARM's PATCH (`az identity update`): what the body names changes, the rest stays; 200 with the result.
async fn patch(req: &Req, scope: &Scope) -> ArmResult {
    let b: ResourceBody = wire::body(&req.body)?;
    let patch = ResourcePatch {
        location: b.location,
        tags: b.tags,
        properties: b.properties,
        identity: b.identity.map(identity_write),
    };
    req.st
        .svc
        .update_resource(req.actor(), scope, patch)
        .await?;
    get(req, scope)
}

/// 200 when deleted (with what lay beneath), 204 when there was nothing to delete, as ARM answers.
async fn delete(req: &Req, scope: &Scope) -> ArmResult {
    match req.st.svc.delete_resource(req.actor(), scope).await {
        Ok(()) => Ok(StatusCode::OK.into_response()),
        Err(tenantry_service::ServiceError::Domain(e))
            if e.kind == ErrorKind::NotFound && e.code == "ResourceNotFound" =>
        {
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `…/resources` of the subscription or a group, with `$filter` on its type, group, name, location or
/// tags, in pages of `$top` (`nextLink`).
pub fn list(
    req: &Req,
    sub: SubscriptionId,
    group: Option<&str>,
    only: Option<(&Scope, &str)>,
) -> ArmResult {
    let filter = resource_filter(req)?;
    let items: Vec<Value> = req.st.svc.read(|w| {
        reads::list_resources(w, req.actor(), sub, group).map(|rs| {
            rs.into_iter()
                .filter(|r| only.is_none_or(|(parent, ty)| is_child(r, parent, ty)))
                .filter(|r| filter.matches(r))
                .map(|r| view(w, r))
                .collect()
        })
    })?;
    let (items, next) = page_by_id(items, &req.query, req.base_url(), &req.path)?;
    Ok(wire::list(items, next))
}

/// `…/providers/{ns}/{type}`: the resources of one type directly under a group or a resource.
pub fn list_collection(req: &Req, parent: &Scope, resource_type: &str) -> ArmResult {
    let group = parent.resource_group_name().map(str::to_string);
    list(
        req,
        parent.subscription_id(),
        group.as_deref(),
        Some((parent, resource_type)),
    )
}

/// Directly under `parent`, of type `ty`; under a subscription, the top-level resources of that type
/// in every group (`/subscriptions/{s}/providers/{ns}/{type}`).
fn is_child(r: &Resource, parent: &Scope, ty: &str) -> bool {
    let under = match parent.level() {
        ScopeLevel::Subscription => r
            .scope
            .parent()
            .is_some_and(|p| p.level() == ScopeLevel::ResourceGroup),
        _ => r.scope.parent().is_some_and(|p| &p == parent),
    };
    under && type_is(r, ty)
}

fn type_is(r: &Resource, ty: &str) -> bool {
    r.scope
        .resource_type()
        .is_some_and(|(t, _)| t.eq_ignore_ascii_case(ty))
}

/// What `$filter` on a resource list may say, as ARM documents it for `Resources_List`: `resourceType`,
/// `resourceGroup`, `name` and `location` with `eq` (case-insensitive, as `az resource list -g … --resource-type …`
/// sends them), and the tag clauses.
#[derive(Default)]
struct ResourceFilter {
    resource_type: Option<String>,
    resource_group: Option<String>,
    name: Option<String>,
    location: Option<String>,
    tags: TagFilter,
}

impl ResourceFilter {
    fn matches(&self, r: &Resource) -> bool {
        let same = |want: &Option<String>, have: Option<&str>| {
            want.as_deref()
                .is_none_or(|w| have.is_some_and(|h| h.eq_ignore_ascii_case(w)))
        };
        let name = r.scope.resource_type().map(|(_, n)| n);
        self.resource_type.as_deref().is_none_or(|t| type_is(r, t))
            && same(&self.resource_group, r.scope.resource_group_name())
            && same(&self.name, name.as_deref())
            && same(&self.location, r.location.as_deref())
            && self.tags.matches(&r.tags)
    }
}

fn resource_filter(req: &Req) -> Result<ResourceFilter, ArmError> {
    let Some(text) = req.query.filter() else {
        return Ok(ResourceFilter::default());
    };
    let mut f = ResourceFilter::default();
    let mut tags = Vec::new();
    for clause in parse_filter(text)? {
        match clause {
            Condition::Compare {
                property,
                op: Op::Eq,
                value,
            } if ["resourceType", "resourceGroup", "name", "location"]
                .iter()
                .any(|p| property.eq_ignore_ascii_case(p)) =>
            {
                let slot = match property.to_ascii_lowercase().as_str() {
                    "resourcetype" => &mut f.resource_type,
                    "resourcegroup" => &mut f.resource_group,
                    "name" => &mut f.name,
                    _ => &mut f.location,
                };
                *slot = Some(value);
            }
            other => tags.push(other),
        }
    }
    f.tags = TagFilter::from_clauses(tags, text)?;
    Ok(f)
}
