//! Audit-log queries, in the style of Azure's activity log (`eventTimestamp`, `caller`,
//! `operationName`), answered from the events every write records in its own transaction.
//!
//! - `GET /providers/Microsoft.Subscription/auditEvents` — the token tenant's events; Global
//!   Administrators and Global Readers.
//! - `GET /subscriptions/{id}/providers/Microsoft.Subscription/auditEvents` — one subscription's events;
//!   whoever holds `Microsoft.Insights/eventtypes/values/read` there (Reader and up, the classic
//!   administrators), as Azure's activity log asks.
//!
//! `$filter`: clauses joined by `and`: `eventTimestamp ge|le '<RFC 3339>'`, `caller eq '<name>'`,
//! `operationName eq '<operation>'` or `startswith(operationName,'<prefix>')`. `$top`: at most 1000
//! (default 100). Newest first.

use crate::app::AppState;
use crate::arm::path::parse_subscription_id;
use crate::auth::ArmCaller;
use crate::errors::{ArmError, format_timestamp};
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use tenantry_domain::TenantId;
use tenantry_domain::audit::{AuditEvent, AuditFilter, MAX_AUDIT_LIMIT, OperationMatch};
use tenantry_domain::rules::visibility;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/providers/Microsoft.Subscription/auditEvents",
            get(tenant_events),
        )
        .route(
            "/subscriptions/{id}/providers/Microsoft.Subscription/auditEvents",
            get(subscription_events),
        )
}

fn invalid_filter(why: impl std::fmt::Display) -> ArmError {
    ArmError::bad_request("InvalidFilter", format!("The $filter is not valid: {why}."))
}

fn parse_time(v: &str) -> Result<i64, ArmError> {
    OffsetDateTime::parse(v, &Rfc3339)
        .map(|t| t.unix_timestamp())
        .map_err(|_| invalid_filter(format!("'{v}' is not an RFC 3339 time")))
}

/// `'value'` without its quotes (a doubled quote inside stands for one).
fn literal(v: &str) -> Result<String, ArmError> {
    let v = v.trim();
    v.strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .map(|s| s.replace("''", "'"))
        .ok_or_else(|| invalid_filter(format!("expected a quoted value, found {v}")))
}

fn apply_clause(q: &mut AuditFilter, clause: &str) -> Result<(), ArmError> {
    let clause = clause.trim();
    let lower = clause.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("startswith(operationname,") {
        let value = &clause[clause.len() - rest.len()..];
        let value = value
            .trim_end()
            .strip_suffix(')')
            .ok_or_else(|| invalid_filter(clause))?;
        q.operation = Some(OperationMatch::Prefix(literal(value)?));
        return Ok(());
    }
    let mut parts = clause.splitn(3, char::is_whitespace);
    let (field, op, value) = match (parts.next(), parts.next(), parts.next()) {
        (Some(f), Some(o), Some(v)) => (f, o.to_ascii_lowercase(), literal(v)?),
        _ => return Err(invalid_filter(clause)),
    };
    match (field.to_ascii_lowercase().as_str(), op.as_str()) {
        ("eventtimestamp", "ge") => q.since = Some(parse_time(&value)?),
        ("eventtimestamp", "le") => q.until = Some(parse_time(&value)?),
        ("caller", "eq") => q.actor = Some(value),
        ("operationname", "eq") => q.operation = Some(OperationMatch::Exact(value)),
        _ => return Err(invalid_filter(format!("'{clause}' is not supported"))),
    }
    Ok(())
}

/// Splits on ` and ` outside quotes.
fn clauses(filter: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let words: Vec<&str> = filter.split(' ').collect();
    for w in words {
        if !quoted && w.eq_ignore_ascii_case("and") {
            out.push(String::new());
            continue;
        }
        quoted ^= w.matches('\'').count() % 2 == 1;
        let last = out.last_mut().expect("one clause");
        if !last.is_empty() {
            last.push(' ');
        }
        last.push_str(w);
    }
    out.retain(|c| !c.trim().is_empty());
    out
}

fn parse_query(params: &HashMap<String, String>) -> Result<AuditFilter, ArmError> {
    let get = |n: &str| {
        params
            .iter()
            .find(|(k, _)| k.trim_start_matches('$').eq_ignore_ascii_case(n))
            .map(|(_, v)| v.as_str())
    };
    let mut q = AuditFilter::default();
    if let Some(f) = get("filter") {
        for c in clauses(f) {
            apply_clause(&mut q, &c)?;
        }
    }
    if let Some(top) = get("top") {
        let n: u32 = top
            .trim()
            .parse()
            .ok()
            .filter(|n| (1..=MAX_AUDIT_LIMIT).contains(n))
            .ok_or_else(|| {
                ArmError::bad_request(
                    "InvalidTop",
                    format!("$top must be between 1 and {MAX_AUDIT_LIMIT}."),
                )
            })?;
        q.limit = Some(n);
    }
    Ok(q)
}

fn event_json(scope: &str, e: &AuditEvent) -> Value {
    json!({
        "id": format!("{scope}/providers/Microsoft.Subscription/auditEvents/{}", e.id),
        "eventDataId": e.id,
        "eventTimestamp": format_timestamp(e.time),
        "caller": e.actor,
        "callerObjectId": e.actor_id,
        "operationName": {"value": e.operation, "localizedValue": e.operation},
        "tenantId": e.tenant,
        "subscriptionId": e.subscription,
        "resourceId": e.target,
        "status": {"value": "Succeeded", "localizedValue": "Succeeded"},
        "properties": e.details,
    })
}

async fn answer(state: &AppState, scope: &str, q: AuditFilter) -> Result<Json<Value>, ArmError> {
    let events = state.svc.audit_events(&q).await?;
    let value: Vec<Value> = events.iter().map(|e| event_json(scope, e)).collect();
    Ok(Json(json!({"value": value})))
}

async fn tenant_events(
    State(state): State<AppState>,
    ArmCaller(caller): ArmCaller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ArmError> {
    let tenant = TenantId(caller.tenant);
    let mut q = parse_query(&params)?;
    state.svc.read(|w| {
        visibility::require_tenant_admin_read(
            w,
            &caller.actor,
            tenant,
            "read the directory's audit log",
        )
    })?;
    q.tenant = Some(tenant);
    answer(&state, "", q).await
}

async fn subscription_events(
    State(state): State<AppState>,
    ArmCaller(caller): ArmCaller,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ArmError> {
    let sub = parse_subscription_id(&id)?;
    let mut q = parse_query(&params)?;
    state
        .svc
        .read(|w| visibility::require_subscription_audit_read(w, &caller.actor, sub))?;
    q.subscription = Some(sub);
    answer(&state, &format!("/subscriptions/{sub}"), q).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(filter: &str) -> Result<AuditFilter, ArmError> {
        parse_query(&HashMap::from([(
            "$filter".to_string(),
            filter.to_string(),
        )]))
    }

    #[test]
    fn reads_activity_log_filters() {
        let q = parse(
            "eventTimestamp ge '2026-11-27T08:00:00Z' and eventTimestamp le '2026-11-27T09:00:00Z' and caller eq 'Alice@Outlook.com'",
        )
        .unwrap();
        assert_eq!(q.since, Some(1_795_766_400));
        assert_eq!(q.until, Some(1_795_770_000));
        assert_eq!(q.actor.as_deref(), Some("Alice@Outlook.com"));
        let q = parse("startswith(operationName,'Microsoft.Subscription/')").unwrap();
        assert_eq!(
            q.operation,
            Some(OperationMatch::Prefix("Microsoft.Subscription/".into()))
        );
        let q = parse("operationName eq 'a and b'").unwrap();
        assert_eq!(q.operation, Some(OperationMatch::Exact("a and b".into())));
    }

    #[test]
    fn refuses_what_it_cannot_answer() {
        assert!(parse("eventTimestamp gt '2026-11-27T08:00:00Z'").is_err());
        assert!(parse("eventTimestamp ge 'yesterday'").is_err());
        assert!(parse("caller eq alice").is_err());
        assert!(parse_query(&HashMap::from([("$top".into(), "0".into())])).is_err());
    }
}
