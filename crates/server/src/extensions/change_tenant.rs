//! `Microsoft.Subscription/changeTenantRequest`: changing a subscription's directory, with a preview that
//! lists everything the change removes and everything that blocks it.
//!
//! - `POST …/changeTenantRequest/default/preview` → 200 with the impact (also when blocked).
//! - `PUT …/changeTenantRequest/default` → 200 `Completed` when applied at once, 201 `Initiated` when it
//!   waits for a principal of the destination to accept; 403/409 with every blocker in `error.details`.
//! - `GET` shows it, `DELETE` cancels a waiting one, `POST …/default/accept` applies a waiting one.

use super::{bad_json, time_or_null};
use crate::app::AppState;
use crate::arm::path::parse_subscription_id;
use crate::arm::wire::{role_assignment_id, role_definition_id};
use crate::auth::ArmCaller;
use crate::errors::ArmError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use tenantry_domain::rules::change_directory::{
    self, AssignmentImpact, ChangeDirectoryPlan, Initiated,
};
use tenantry_domain::rules::reads;
use tenantry_domain::{
    ChangeTenantRequest, DomainError, ObjectId, PrincipalMapEntry, RequestStatus, SubscriptionId,
    TenantId, Timestamp, World,
};

const BASE: &str =
    "/subscriptions/{id}/providers/Microsoft.Subscription/changeTenantRequest/default";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(&format!("{BASE}/preview"), post(preview))
        .route(BASE, put(initiate).get(show).delete(cancel))
        .route(&format!("{BASE}/accept"), post(accept))
}

#[derive(Deserialize)]
struct Body {
    properties: Properties,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Properties {
    destination_tenant_id: String,
    destination_owner_id: Option<String>,
    /// `{"<old principal id, UPN or email>": "<destination principal id, UPN or email>"}`.
    #[serde(default)]
    principal_map: BTreeMap<String, String>,
}

/// The request of a body, with names resolved in the world.
struct Request {
    destination: TenantId,
    owner: Option<ObjectId>,
    map: Vec<PrincipalMapEntry>,
}

/// The body's names, resolved by the domain once the caller may learn of the subscription.
fn parse_body(
    state: &AppState,
    caller: &crate::auth::Caller,
    subscription: SubscriptionId,
    body: Result<Json<Body>, JsonRejection>,
) -> Result<Request, ArmError> {
    let Json(Body { properties: p }) = body.map_err(bad_json)?;
    state.svc.read(|w| {
        let (destination, owner) = change_directory::named_destination(
            w,
            &caller.actor,
            subscription,
            &p.destination_tenant_id,
            p.destination_owner_id.as_deref(),
        )?;
        let map = p
            .principal_map
            .into_iter()
            .map(|(from, to)| PrincipalMapEntry { from, to })
            .collect();
        Ok(Request {
            destination,
            owner,
            map,
        })
    })
}

fn resource_id(subscription: SubscriptionId) -> String {
    format!(
        "/subscriptions/{subscription}/providers/Microsoft.Subscription/changeTenantRequest/default"
    )
}

fn blocker_json(b: &DomainError) -> Value {
    json!({"code": b.code, "message": b.full_message(), "remedy": b.remedy})
}

fn assignment_json(subscription: SubscriptionId, a: &AssignmentImpact) -> Value {
    let ra = &a.assignment;
    json!({
        "id": role_assignment_id(&ra.scope, ra.id),
        "principalId": ra.principal,
        "principalName": a.principal_name,
        "principalType": ra.principal_type.as_str(),
        "roleDefinitionId": role_definition_id(Some(subscription), ra.role_definition),
        "roleDefinitionName": a.role_name,
        "scope": ra.scope.as_str(),
    })
}

/// What the change removes, keeps and re-grants, as the preview (and a completed change) shows it.
fn impact_json(plan: &ChangeDirectoryPlan) -> Value {
    let sub = plan.subscription;
    let emails = |list: &[(tenantry_domain::Identity, String)]| -> Vec<Value> {
        list.iter()
            .map(|(_, e)| json!({"emailAddress": e}))
            .collect()
    };
    let roles = |list: &[tenantry_domain::RoleDefinition]| -> Vec<Value> {
        list.iter()
            .map(|d| json!({"id": role_definition_id(Some(sub), d.id), "roleName": d.name}))
            .collect()
    };
    json!({
        "subscriptionId": sub,
        "sourceTenantId": plan.source,
        "destinationTenantId": plan.destination,
        "blockers": plan.blockers.iter().map(blocker_json).collect::<Vec<_>>(),
        "removedCoAdministrators": emails(&plan.removed_co_admins),
        "removedRoleAssignments": plan.removed_assignments.iter().map(|a| assignment_json(sub, a)).collect::<Vec<_>>(),
        "removedCustomRoleDefinitions": roles(&plan.removed_custom_roles),
        "retainedAdministrators": plan.retained_admins.iter()
            .map(|(_, e, role)| json!({"emailAddress": e, "role": role}))
            .collect::<Vec<_>>(),
        "regrantedCoAdministrators": emails(&plan.regranted_co_admins),
        "regrantedRoleAssignments": plan.regranted_assignments.iter().map(|a| assignment_json(sub, a)).collect::<Vec<_>>(),
        "keptCustomRoleDefinitions": roles(&plan.kept_custom_roles),
        // Assignments naming a custom role of the source's management groups: they stop applying (the
        // role stays with the source) and are not re-granted.
        "roleAssignmentsLosingRole": plan.assignments_losing_role.iter().map(|a| assignment_json(sub, a)).collect::<Vec<_>>(),
        // Assignments at the source's management groups above the subscription, which stop reaching it.
        "inheritedRoleAssignmentsLost": plan.inherited_assignments_lost.iter().map(|l| json!({
            "roleAssignmentId": l.assignment.id,
            "principalId": l.assignment.principal,
            "principalName": l.principal_name,
            "roleDefinitionName": l.role_name,
            "managementGroup": l.management_group,
        })).collect::<Vec<_>>(),
        // Each re-created in the destination with new ids (Azure would break them).
        "managedIdentities": plan.managed_identities,
        // Left as they are: these applications' certificates and federated credentials stay in the source.
        "applicationCredentialsKept": plan.kept_credentials,
    })
}

/// `Initiated` while it waits (until it expires), otherwise how it ended.
fn status_of(r: &ChangeTenantRequest, now: Timestamp) -> &'static str {
    match r.status {
        RequestStatus::Pending if r.expires <= now => "Expired",
        RequestStatus::Pending => "Initiated",
        other => other.as_str(),
    }
}

fn request_json(world: &World, r: &ChangeTenantRequest, now: Timestamp) -> Value {
    let waiting = r.status == RequestStatus::Pending;
    let map: BTreeMap<&str, &str> = r
        .principal_map
        .iter()
        .map(|e| (e.from.as_str(), e.to.as_str()))
        .collect();
    json!({
        "id": resource_id(r.subscription),
        "name": "default",
        "type": "Microsoft.Subscription/changeTenantRequest",
        "properties": {
            "subscriptionId": r.subscription,
            "sourceTenantId": r.source,
            "destinationTenantId": r.destination,
            "destinationOwnerId": r.destination_owner,
            "principalMap": map,
            "initiator": world.identity_email(r.initiator),
            "status": status_of(r, now),
            "createdOn": time_or_null(Some(r.created)),
            "expiresOn": time_or_null(waiting.then_some(r.expires)),
        }
    })
}

/// The request as stored now, with the impact of the plan that completed it merged into its properties.
fn completed_json(
    state: &AppState,
    subscription: SubscriptionId,
    plan: &ChangeDirectoryPlan,
) -> Value {
    let now = state.svc.now();
    let mut body = state.svc.read(|w| {
        w.subscription(subscription)
            .and_then(|s| s.change_request.as_ref())
            .map(|r| request_json(w, r, now))
            .unwrap_or_else(|| json!({"properties": {}}))
    });
    if let (Some(props), Value::Object(impact)) =
        (body["properties"].as_object_mut(), impact_json(plan))
    {
        for (k, v) in impact {
            props.entry(k).or_insert(v);
        }
    }
    body
}

async fn preview(
    State(state): State<AppState>,
    ArmCaller(caller): ArmCaller,
    Path(id): Path<String>,
    body: Result<Json<Body>, JsonRejection>,
) -> Result<Json<Value>, ArmError> {
    let sub = parse_subscription_id(&id)?;
    let req = parse_body(&state, &caller, sub, body)?;
    let plan = state
        .svc
        .preview_change_directory(&caller.actor, sub, req.destination, &req.map)?;
    Ok(Json(json!({
        "id": format!("{}/preview", resource_id(sub)),
        "type": "Microsoft.Subscription/changeTenantRequest/preview",
        "properties": impact_json(&plan),
    })))
}

async fn initiate(
    State(state): State<AppState>,
    ArmCaller(caller): ArmCaller,
    Path(id): Path<String>,
    body: Result<Json<Body>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ArmError> {
    let sub = parse_subscription_id(&id)?;
    let req = parse_body(&state, &caller, sub, body)?;
    let done = state
        .svc
        .change_directory(&caller.actor, sub, req.destination, req.owner, req.map)
        .await?;
    Ok(match done {
        Initiated::Completed(plan) => (StatusCode::OK, Json(completed_json(&state, sub, &plan))),
        Initiated::Waiting(r) => {
            let now = state.svc.now();
            let body = state.svc.read(|w| request_json(w, &r, now));
            (StatusCode::CREATED, Json(body))
        }
    })
}

async fn show(
    State(state): State<AppState>,
    ArmCaller(caller): ArmCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ArmError> {
    let sub = parse_subscription_id(&id)?;
    let now = state.svc.now();
    state.svc.read(|w| {
        reads::require_change_request_read(w, &caller.actor, sub)?;
        w.subscription(sub)
            .and_then(|s| s.change_request.as_ref())
            .map(|r| Json(request_json(w, r, now)))
            .ok_or_else(|| {
                ArmError::not_found(
                    "ChangeRequestNotFound",
                    format!("The subscription '{sub}' has no change of directory request."),
                )
            })
    })
}

async fn cancel(
    State(state): State<AppState>,
    ArmCaller(caller): ArmCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ArmError> {
    let sub = parse_subscription_id(&id)?;
    state
        .svc
        .cancel_change_directory(&caller.actor, sub)
        .await?;
    let now = state.svc.now();
    Ok(Json(state.svc.read(|w| {
        w.subscription(sub)
            .and_then(|s| s.change_request.as_ref())
            .map(|r| request_json(w, r, now))
            .unwrap_or(Value::Null)
    })))
}

async fn accept(
    State(state): State<AppState>,
    ArmCaller(caller): ArmCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ArmError> {
    let sub = parse_subscription_id(&id)?;
    let plan = state
        .svc
        .accept_change_directory(&caller.actor, sub)
        .await?;
    Ok(Json(completed_json(&state, sub, &plan)))
}
