//! The Tags API at any scope (`{scope}/providers/Microsoft.Resources/tags/default`: GET, PUT, PATCH,
//! DELETE) and the subscription's tag names (`/subscriptions/{id}/tagNames`), as ARM shapes them.

use super::{ArmResult, Req, method_not_allowed, wire};
use axum::http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use tenantry_domain::rules::tags::{self, TagNameUse};
use tenantry_domain::tags::{Tags, TagsOperation};
use tenantry_domain::{Scope, SubscriptionId};

pub async fn handle(req: &Req, scope: &Scope) -> ArmResult {
    match req.method {
        Method::GET => {
            let tags = req
                .st
                .svc
                .read(|w| tags::get_tags(w, req.actor(), scope).cloned())?;
            Ok(wire::ok(&view(scope, &tags)))
        }
        Method::PUT => {
            let b: TagsBody = wire::body(&req.body)?;
            set(req, scope, TagsOperation::Replace, b.properties.tags).await
        }
        Method::PATCH => {
            let b: TagsPatchBody = wire::body(&req.body)?;
            let operation = TagsOperation::parse(b.operation.as_deref().unwrap_or_default())?;
            set(req, scope, operation, b.properties.tags).await
        }
        Method::DELETE => {
            req.st.svc.delete_tags(req.actor(), scope).await?;
            Ok(wire::empty(StatusCode::OK))
        }
        ref m => Err(method_not_allowed(m)),
    }
}

async fn set(req: &Req, scope: &Scope, operation: TagsOperation, given: Tags) -> ArmResult {
    let tags = req
        .st
        .svc
        .set_tags(req.actor(), scope, operation, given)
        .await?;
    Ok(wire::ok(&view(scope, &tags)))
}

/// ARM's `Tags`: `{"tags": {…}}`, the tags absent meaning none.
#[derive(Deserialize, Default)]
struct TagsProperties {
    #[serde(default)]
    tags: Tags,
}

/// `TagsResource`, what PUT takes.
#[derive(Deserialize)]
struct TagsBody {
    #[serde(default)]
    properties: TagsProperties,
}

/// `TagsPatchResource`, what PATCH takes.
#[derive(Deserialize)]
struct TagsPatchBody {
    #[serde(default)]
    operation: Option<String>,
    #[serde(default)]
    properties: TagsProperties,
}

/// `TagsResource` as ARM answers it.
fn view(scope: &Scope, tags: &Tags) -> Value {
    json!({
        "id": format!("{scope}/providers/Microsoft.Resources/tags/default"),
        "name": "default",
        "type": "Microsoft.Resources/tags",
        "properties": { "tags": tags },
    })
}

/// `/subscriptions/{id}/tagNames[/{name}[/tagValues/{value}]]`: `GET` lists the names in use and the
/// predefined ones (`az tag list`); `PUT` creates a predefined name or value (`az tag create --name`,
/// `az tag add-value`), 201 when created and 200 when it was there; `DELETE` removes one (`az tag
/// delete --name`, `az tag remove-value`), 200 when it was there and 204 when not.
pub async fn tag_names(
    req: &Req,
    sub: SubscriptionId,
    name: Option<&str>,
    value: Option<&str>,
) -> ArmResult {
    let svc = &req.st.svc;
    match (&req.method, name, value) {
        (&Method::GET, None, None) => {
            let names = svc.read(|w| tags::tag_names(w, req.actor(), sub))?;
            let items = names.iter().map(|n| tag_details(sub, n)).collect();
            Ok(wire::list(items, None))
        }
        (&Method::PUT, Some(name), None) => {
            let p = svc.create_tag_name(req.actor(), sub, name).await?;
            Ok(wire::json(
                created_or_ok(p.created),
                &tag_details(sub, &p.view),
            ))
        }
        (&Method::PUT, Some(name), Some(value)) => {
            let p = svc.create_tag_value(req.actor(), sub, name, value).await?;
            let (value, count) = &p.view;
            let body = tag_value(&name_id(sub, name), value, *count);
            Ok(wire::json(created_or_ok(p.created), &body))
        }
        (&Method::DELETE, Some(name), value) => {
            let was_there = svc
                .delete_predefined_tag(req.actor(), sub, name, value)
                .await?;
            Ok(wire::empty(if was_there {
                StatusCode::OK
            } else {
                StatusCode::NO_CONTENT
            }))
        }
        (m, _, _) => Err(method_not_allowed(m)),
    }
}

fn created_or_ok(created: bool) -> StatusCode {
    if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}

fn name_id(sub: SubscriptionId, name: &str) -> String {
    format!("/subscriptions/{sub}/tagNames/{name}")
}

/// ARM's `TagValue`.
fn tag_value(name_id: &str, value: &str, count: usize) -> Value {
    json!({
        "id": format!("{name_id}/tagValues/{value}"),
        "tagValue": value,
        "count": { "type": "Total", "value": count },
    })
}

/// ARM's `TagDetails`.
fn tag_details(sub: SubscriptionId, n: &TagNameUse) -> Value {
    let id = name_id(sub, &n.name);
    let values: Vec<Value> = n
        .values
        .iter()
        .map(|(v, count)| tag_value(&id, v, *count))
        .collect();
    json!({
        "id": id,
        "tagName": n.name,
        "count": { "type": "Total", "value": n.count },
        "values": values,
    })
}
