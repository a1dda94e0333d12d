//! ARM's wire shapes: the JSON of each kind of object, request bodies, and responses. Rendering only;
//! what to show was decided by the domain.

use crate::errors::{ArmError, format_timestamp};
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::fmt::Write;
use tenantry_domain::rules::identities::{IdentityView, ResourceView};
use tenantry_domain::*;

pub const AUTHZ: &str = "/providers/Microsoft.Authorization";

/// A JSON response with ARM's content type.
pub fn json(status: StatusCode, body: &Value) -> Response {
    raw_json(status, body.to_string())
}

/// A JSON response from text already rendered.
pub fn raw_json(status: StatusCode, body: impl Into<Body>) -> Response {
    let body: Body = body.into();
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

/// A JSON body already gzip-compressed (the client said it accepts gzip).
pub fn gzip_json(status: StatusCode, gzipped: Bytes) -> Response {
    let mut r = raw_json(status, gzipped);
    let h = r.headers_mut();
    h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    r
}

pub fn ok(body: &Value) -> Response {
    json(StatusCode::OK, body)
}

pub fn empty(status: StatusCode) -> Response {
    status.into_response()
}

/// `{"value":[…]}` with `nextLink` when there is more.
pub fn list(items: Vec<Value>, next_link: Option<String>) -> Response {
    let mut body = json!({ "value": items });
    if let Some(n) = next_link {
        body["nextLink"] = Value::String(n);
    }
    ok(&body)
}

/// Parses a JSON request body; anything unreadable is ARM's `InvalidRequestContent`, never a 5xx.
pub fn body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ArmError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ArmError::invalid_json("the request body is empty"));
    }
    serde_json::from_slice(bytes).map_err(ArmError::invalid_json)
}

fn time(t: Timestamp) -> String {
    format_timestamp(t)
}

fn tags(t: &BTreeMap<String, String>) -> Value {
    Value::Object(
        t.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

pub fn subscription(s: &Subscription) -> Value {
    json!({
        "id": format!("/subscriptions/{}", s.id),
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": s.id,
        "tenantId": s.tenant,
        "displayName": s.display_name,
        "state": s.state.as_str(),
        "tags": tags(&s.tags),
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off",
        },
    })
}

pub fn tenant(t: &Tenant) -> Value {
    let domains: Vec<&str> = t.all_domains().collect();
    json!({
        "id": format!("/tenants/{}", t.id),
        "tenantId": t.id,
        "countryCode": "US",
        "displayName": t.display_name,
        "domains": domains,
        "tenantCategory": "Home",
        "defaultDomain": t.initial_domain,
        "tenantType": "AAD",
    })
}

pub fn resource_group(g: &ResourceGroup) -> Value {
    let mut v = json!({
        "id": Scope::resource_group(g.subscription, &g.name).as_str(),
        "name": g.name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": g.location,
        "tags": tags(&g.tags),
        "properties": {"provisioningState": "Succeeded"},
    });
    if let Some(m) = &g.managed_by {
        v["managedBy"] = Value::String(m.clone());
    }
    v
}

/// A resource as ARM shows it. A user-assigned identity's `properties` carry its principal's ids
/// (`tenantId`, `principalId`, `clientId`); a resource with an `identity` block shows each principal.
pub fn resource(view: ResourceView<'_>) -> Value {
    let r = view.resource;
    let (ty, name) = r.scope.resource_type().unwrap_or_default();
    let mut v = Map::new();
    v.insert("id".into(), r.scope.as_str().into());
    v.insert("name".into(), name.into());
    v.insert("type".into(), ty.into());
    if let Some(l) = &r.location {
        v.insert("location".into(), l.as_str().into());
    }
    if let Some(k) = &r.kind {
        v.insert("kind".into(), k.as_str().into());
    }
    v.insert("tags".into(), tags(&r.tags));
    let mut properties = r.properties.clone();
    if let (Some(p), Value::Object(m)) = (&view.own_principal, &mut properties) {
        m.insert("tenantId".into(), json!(p.tenant_id));
        m.insert("principalId".into(), json!(p.principal_id));
        m.insert("clientId".into(), json!(p.client_id));
    }
    v.insert("properties".into(), properties);
    if let Some(i) = &view.identity {
        v.insert("identity".into(), identity(i));
    }
    Value::Object(v)
}

/// ARM's `identity` block: `principalId`/`tenantId` of the system-assigned identity, and each
/// user-assigned identity by resource id with its `principalId`/`clientId`.
fn identity(i: &IdentityView) -> Value {
    let mut v = Map::new();
    v.insert("type".into(), i.type_name.into());
    if let Some(p) = &i.system_assigned {
        v.insert("principalId".into(), json!(p.principal_id));
        v.insert("tenantId".into(), json!(p.tenant_id));
    }
    if !i.user_assigned.is_empty() {
        let users: Map<String, Value> = i
            .user_assigned
            .iter()
            .map(|(scope, p)| {
                let ids = match p {
                    Some(p) => json!({"principalId": p.principal_id, "clientId": p.client_id}),
                    None => json!({}),
                };
                (scope.as_str().to_string(), ids)
            })
            .collect();
        v.insert("userAssignedIdentities".into(), Value::Object(users));
    }
    Value::Object(v)
}

/// A role definition's id as seen from `subscription` (`/subscriptions/{s}/providers/…/{guid}`), or at
/// the root when there is no subscription: assignments carry exactly this string.
pub fn role_definition_id(subscription: Option<SubscriptionId>, id: RoleDefinitionId) -> String {
    match subscription {
        Some(s) => format!("/subscriptions/{s}{AUTHZ}/roleDefinitions/{id}"),
        None => format!("{AUTHZ}/roleDefinitions/{id}"),
    }
}

/// A role assignment's id: `{scope}/providers/Microsoft.Authorization/roleAssignments/{guid}`.
pub fn role_assignment_id(scope: &Scope, id: RoleAssignmentId) -> String {
    format!("{scope}{AUTHZ}/roleAssignments/{id}")
}

pub fn permission(p: &Permission) -> Value {
    json!({
        "actions": p.actions,
        "notActions": p.not_actions,
        "dataActions": p.data_actions,
        "notDataActions": p.not_data_actions,
    })
}

/// A permission block of the `permissions` API with `grantedBy`: the classic administrator role or the
/// role assignment it comes from, and for a group's assignment the groups from the one assigned down to
/// the caller's own (`through`), with the sentence check access shows.
pub fn granted_permission(p: &authz::GrantedPermission, subscription: SubscriptionId) -> Value {
    let mut v = permission(&p.permission);
    let granted_by = match &p.grant {
        authz::Grant::Operator => json!({"type": "Operator"}),
        authz::Grant::ServiceAdministrator => json!({"type": "ServiceAdministrator"}),
        authz::Grant::CoAdministrator => json!({"type": "CoAdministrator"}),
        authz::Grant::RoleAssignment {
            assignment,
            role_definition,
            role_name,
            scope,
            through,
        } => json!({
            "type": "RoleAssignment",
            "roleAssignmentId": format!("{scope}{AUTHZ}/roleAssignments/{assignment}"),
            "roleDefinitionId": role_definition_id(Some(subscription), *role_definition),
            "roleDefinitionName": role_name,
            "scope": scope,
            "through": through
                .iter()
                .map(|g| json!({"principalId": g.id, "principalType": "Group", "displayName": g.display_name}))
                .collect::<Vec<_>>(),
        }),
        authz::Grant::ManagementGroupAssignment {
            assignment,
            role_definition,
            role_name,
            management_group,
            through,
            ..
        } => {
            let scope = if management_group == tenantry_domain::ROOT_SCOPE {
                String::new()
            } else {
                tenantry_domain::rules::hierarchy::group_id(management_group)
            };
            json!({
                "type": "RoleAssignment",
                "roleAssignmentId": format!("{scope}{AUTHZ}/roleAssignments/{assignment}"),
                "roleDefinitionId": role_definition_id(None, *role_definition),
                "roleDefinitionName": role_name,
                "scope": if scope.is_empty() { "/".to_string() } else { scope },
                "through": through
                    .iter()
                    .map(|g| json!({"principalId": g.id, "principalType": "Group", "displayName": g.display_name}))
                    .collect::<Vec<_>>(),
            })
        }
    };
    v["grantedBy"] = granted_by;
    v["grantedBy"]["description"] = Value::String(p.grant.describe());
    v
}

pub fn role_definition(d: &RoleDefinition, seen_from: Option<SubscriptionId>) -> Value {
    json!({
        "id": role_definition_id(seen_from, d.id),
        "name": d.id,
        "type": "Microsoft.Authorization/roleDefinitions",
        "properties": {
            "roleName": d.name,
            "type": d.role_type(),
            "description": d.description,
            "assignableScopes": d.assignable_scopes,
            "permissions": d.permissions.iter().map(permission).collect::<Vec<_>>(),
            "createdOn": time(d.created),
            "updatedOn": time(d.created),
            "createdBy": Value::Null,
            "updatedBy": Value::Null,
        },
    })
}

/// A classic administrator; its name is its email, which `PUT`/`DELETE` address it by.
pub fn classic_admin(subscription: SubscriptionId, email: &str, role: &str) -> Value {
    json!({
        "id": format!("/subscriptions/{subscription}{AUTHZ}/classicAdministrators/{email}"),
        "name": email,
        "type": "Microsoft.Authorization/classicAdministrators",
        "properties": {"emailAddress": email, "role": role},
    })
}

/// Role assignments are the one list that gets big (4,000 in a subscription, ~3 MB): rendered straight
/// into one pre-sized string, with no intermediate JSON tree, no copies of the scopes, and ids and
/// times written without the formatting machinery.
pub fn role_assignments(items: &[&RoleAssignment], next_link: Option<&str>) -> String {
    let mut out = String::with_capacity(64 + items.len() * 900);
    let mut times = TimeMemo::default();
    out.push_str("{\"value\":[");
    for (i, a) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_role_assignment(&mut out, a, &mut times);
    }
    out.push(']');
    if let Some(n) = next_link {
        out.push_str(",\"nextLink\":");
        push_str(&mut out, n);
    }
    out.push('}');
    out
}

pub fn role_assignment(a: &RoleAssignment) -> String {
    let mut out = String::with_capacity(900);
    push_role_assignment(&mut out, a, &mut TimeMemo::default());
    out
}

/// The last timestamp formatted: assignments made together share it.
#[derive(Default)]
struct TimeMemo(Option<(Timestamp, String)>);

impl TimeMemo {
    fn get(&mut self, t: Timestamp) -> &str {
        if self.0.as_ref().is_some_and(|(at, _)| *at != t) {
            self.0 = None;
        }
        &self.0.get_or_insert_with(|| (t, time(t))).1
    }
}

fn push_uuid(out: &mut String, id: uuid::Uuid) {
    let mut buf = uuid::Uuid::encode_buffer();
    out.push_str(id.hyphenated().encode_lower(&mut buf));
}

fn push_role_assignment(out: &mut String, a: &RoleAssignment, times: &mut TimeMemo) {
    let scope = a.scope.as_str();
    out.push_str("{\"id\":\"");
    escape_into(out, scope);
    out.push_str(AUTHZ);
    out.push_str("/roleAssignments/");
    push_uuid(out, a.id.0);
    out.push_str("\",\"name\":\"");
    push_uuid(out, a.id.0);
    out.push_str("\",\"type\":\"Microsoft.Authorization/roleAssignments\",\"properties\":{\"roleDefinitionId\":\"/subscriptions/");
    push_uuid(out, a.subscription.0);
    out.push_str(AUTHZ);
    out.push_str("/roleDefinitions/");
    push_uuid(out, a.role_definition.0);
    out.push_str("\",\"principalId\":\"");
    push_uuid(out, a.principal.0);
    out.push_str("\",\"principalType\":\"");
    out.push_str(a.principal_type.as_str());
    out.push_str("\",\"scope\":");
    push_str(out, scope);
    let created = times.get(a.created);
    out.push_str(",\"condition\":null,\"conditionVersion\":null,\"createdOn\":\"");
    out.push_str(created);
    out.push_str("\",\"updatedOn\":\"");
    out.push_str(created);
    out.push_str("\",\"createdBy\":");
    push_opt_id(out, a.created_by);
    out.push_str(",\"updatedBy\":");
    push_opt_id(out, a.created_by);
    out.push_str(",\"delegatedManagedIdentityResourceId\":null,\"description\":");
    push_opt(out, a.description.as_deref());
    out.push_str("}}");
}

/// An object id as a JSON string, or `null`.
fn push_opt_id(out: &mut String, id: Option<ObjectId>) {
    match id {
        Some(id) => {
            out.push('"');
            push_uuid(out, id.0);
            out.push('"');
        }
        None => out.push_str("null"),
    }
}

fn push_opt(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => push_str(out, s),
        None => out.push_str("null"),
    }
}

/// A JSON string literal.
pub fn push_str(out: &mut String, s: &str) {
    out.push('"');
    escape_into(out, s);
    out.push('"');
}

fn escape_into(out: &mut String, s: &str) {
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_assignments_render_as_valid_json_even_with_odd_names() {
        let sub: SubscriptionId = "5b5c0000-0000-4000-8000-000000000001".parse().unwrap();
        let scope = Scope::parse(&format!(
            "/subscriptions/{sub}/resourceGroups/rg1/providers/Microsoft.Web/sites/a\"b\\c"
        ))
        .unwrap();
        let a = RoleAssignment {
            id: RoleAssignmentId::new(),
            subscription: sub,
            scope,
            principal: ObjectId::new(),
            principal_type: PrincipalType::User,
            role_definition: tenantry_domain::roles::READER,
            description: Some("line\nbreak".into()),
            created: 0,
            created_by: None,
        };
        let text = role_assignments(&[&a, &a], Some("https://x/?a=b"));
        let v: Value = serde_json::from_str(&text).unwrap();
        let item = &v["value"][1];
        assert_eq!(
            item["properties"]["scope"].as_str().unwrap(),
            a.scope.as_str()
        );
        assert!(item["id"].as_str().unwrap().ends_with(&a.id.to_string()));
        assert_eq!(
            item["properties"]["roleDefinitionId"],
            role_definition_id(Some(sub), a.role_definition)
        );
        assert_eq!(item["properties"]["description"], "line\nbreak");
        assert_eq!(v["nextLink"], "https://x/?a=b");
    }
}
