//! Resource groups: PUT (201 new, 200 update), GET, HEAD (204/404), PATCH (tags, managedBy), DELETE (202 and a
//! `Location` to poll), and the list with `$filter` on tags and `$top` paging.

use super::query::{Query, page_by_id, parse_filter, unsupported_filter};
use super::{ArmResult, Req, method_not_allowed, operations, wire};
use crate::errors::ArmError;
use crate::odata::{Condition, Op};
use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use tenantry_domain::rules::reads;
use tenantry_domain::rules::resources::{ResourceGroupPatch, ResourceGroupWrite};
use tenantry_domain::{ErrorKind, SubscriptionId};

pub async fn handle(req: &Req, sub: SubscriptionId, name: &str) -> ArmResult {
    match req.method {
        Method::GET => get(req, sub, name),
        Method::HEAD => Ok(head(req, sub, name)),
        Method::PUT => put(req, sub, name).await,
        Method::PATCH => patch(req, sub, name).await,
        Method::DELETE => delete(req, sub, name).await,
        ref m => Err(method_not_allowed(m)),
    }
}

fn render(req: &Req, sub: SubscriptionId, name: &str) -> Result<Value, ArmError> {
    Ok(req
        .st
        .svc
        .read(|w| reads::get_resource_group(w, req.actor(), sub, name).map(wire::resource_group))?)
}

fn get(req: &Req, sub: SubscriptionId, name: &str) -> ArmResult {
    Ok(wire::ok(&render(req, sub, name)?))
}

/// `az group exists`: 204 when it exists, 404 when not, no body either way.
fn head(req: &Req, sub: SubscriptionId, name: &str) -> axum::response::Response {
    let found = req
        .st
        .svc
        .read(|w| reads::get_resource_group(w, req.actor(), sub, name).map(|_| ()));
    match found {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) if e.kind == ErrorKind::NotFound => StatusCode::NOT_FOUND.into_response(),
        Err(e) => ArmError::from(e).status.into_response(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupBody {
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    tags: Option<BTreeMap<String, String>>,
    #[serde(default)]
    managed_by: Option<String>,
}

async fn put(req: &Req, sub: SubscriptionId, name: &str) -> ArmResult {
    let b: GroupBody = wire::body(&req.body)?;
    let write = ResourceGroupWrite {
        location: b.location.unwrap_or_default(),
        tags: b.tags,
        managed_by: b.managed_by,
    };
    let created = req
        .st
        .svc
        .put_resource_group(req.actor(), sub, name, write)
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(wire::json(status, &render(req, sub, name)?))
}

/// ARM's `ResourceGroupPatchable`: the tags (the whole new set) and `managedBy` (`null` clears it);
/// what the body leaves out stays, and the name and location cannot change.
async fn patch(req: &Req, sub: SubscriptionId, name: &str) -> ArmResult {
    let b: serde_json::Map<String, Value> = wire::body(&req.body)?;
    let tags = match b.get("tags") {
        None | Some(Value::Null) => None,
        Some(t) => Some(serde_json::from_value(t.clone()).map_err(ArmError::invalid_json)?),
    };
    let managed_by = match b.get("managedBy") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::String(m)) => Some(Some(m.clone())),
        Some(_) => return Err(ArmError::invalid_json("managedBy must be a string")),
    };
    req.st
        .svc
        .update_resource_group(
            req.actor(),
            sub,
            name,
            ResourceGroupPatch { tags, managed_by },
        )
        .await?;
    get(req, sub, name)
}

/// Deleted within the request (its resources and role assignments with it); answered as ARM's
/// long-running operation so that clients poll once and finish.
async fn delete(req: &Req, sub: SubscriptionId, name: &str) -> ArmResult {
    req.st
        .svc
        .delete_resource_group(req.actor(), sub, name)
        .await?;
    let job = format!(
        "RESOURCEGROUPDELETIONJOB-{}",
        name.to_ascii_uppercase().replace('"', "")
    );
    Ok(operations::accepted(req, sub, &job))
}

/// `GET /subscriptions/{id}/resourcegroups[?$filter=tagName eq 'a' and tagValue eq 'b'][&$top=n]`.
pub fn list(req: &Req, sub: SubscriptionId) -> ArmResult {
    let tag = tag_filter(&req.query)?;
    let groups: Vec<Value> = req.st.svc.read(|w| {
        reads::list_resource_groups(w, req.actor(), sub).map(|gs| {
            gs.into_iter()
                .filter(|g| tag.matches(&g.tags))
                .map(wire::resource_group)
                .collect()
        })
    })?;
    let (items, next) = page_by_id(groups, &req.query, req.base_url(), &req.path)?;
    Ok(wire::list(items, next))
}

/// A filter on tags: `tagName eq 'x'`, optionally with `tagValue eq 'y'`.
#[derive(Default)]
pub struct TagFilter {
    name: Option<String>,
    value: Option<String>,
}

impl TagFilter {
    pub fn matches(&self, tags: &BTreeMap<String, String>) -> bool {
        let Some(n) = &self.name else { return true };
        tags.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case(n) && self.value.as_ref().is_none_or(|want| v == want)
        })
    }
}

pub fn tag_filter(q: &Query) -> Result<TagFilter, ArmError> {
    match q.filter() {
        None => Ok(TagFilter::default()),
        Some(text) => TagFilter::from_clauses(parse_filter(text)?, text),
    }
}

impl TagFilter {
    /// From parsed clauses; `text` is the whole filter, for the refusal of anything else.
    pub fn from_clauses(clauses: Vec<Condition>, text: &str) -> Result<Self, ArmError> {
        let mut f = TagFilter::default();
        for clause in clauses {
            match clause {
                Condition::Compare {
                    property,
                    op: Op::Eq,
                    value,
                } if property.eq_ignore_ascii_case("tagName") => f.name = Some(value),
                Condition::Compare {
                    property,
                    op: Op::Eq,
                    value,
                } if property.eq_ignore_ascii_case("tagValue") => f.value = Some(value),
                _ => return Err(unsupported_filter(text)),
            }
        }
        if f.value.is_some() && f.name.is_none() {
            return Err(unsupported_filter(text));
        }
        Ok(f)
    }
}
