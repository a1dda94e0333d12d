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

/// `GET /subscriptions/{id}/tagNames` (`az tag list`); writes of predefined names are refused.
pub fn tag_names(req: &Req, sub: SubscriptionId, name: Option<&str>) -> ArmResult {
    match (&req.method, name) {
        (&Method::GET, None) => {
            let names = req.st.svc.read(|w| tags::tag_names(w, req.actor(), sub))?;
            let items = names.iter().map(|n| tag_details(sub, n)).collect();
            Ok(wire::list(items, None))
        }
        (&Method::PUT | &Method::DELETE, Some(_)) => {
            let verb = if req.method == Method::PUT {
                "write"
            } else {
                "delete"
            };
            Err(req
                .st
                .svc
                .read(|w| tags::predefined_tag_names(w, req.actor(), sub, verb))
                .into())
        }
        (m, _) => Err(method_not_allowed(m)),
    }
}

/// ARM's `TagDetails`.
fn tag_details(sub: SubscriptionId, n: &TagNameUse) -> Value {
    let name_id = format!("/subscriptions/{sub}/tagNames/{}", n.name);
    let values: Vec<Value> = n
        .values
        .iter()
        .map(|(v, count)| {
            json!({
                "id": format!("{name_id}/tagValues/{v}"),
                "tagValue": v,
                "count": { "type": "Total", "value": count },
            })
        })
        .collect();
    json!({
        "id": name_id,
        "tagName": n.name,
        "count": { "type": "Total", "value": n.count },
        "values": values,
    })
}
