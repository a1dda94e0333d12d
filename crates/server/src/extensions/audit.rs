//! Audit-log queries, in the style of Azure's activity log (`eventTimestamp`, `caller`,
//! `operationName`), answered from the events every write records in its own transaction.
//!
//! - `GET /providers/Microsoft.Subscription/auditEvents` — the token tenant's events; Global
//!   Administrators and Global Readers.
//! - `GET /subscriptions/{id}/providers/Microsoft.Subscription/auditEvents` — one subscription's events;
//!   whoever holds `Microsoft.Insights/eventtypes/values/read` there (Reader and up, the classic
//!   administrators), as Azure's activity log asks.
//!
//! The query string is read as every ARM list reads it (`arm::query`), with ARM's refusals. `$filter`:
//! conditions joined by `and`, each one of `eventTimestamp ge|le '<RFC 3339>'`, `caller eq '<name>'`,
//! `operationName eq '<operation>'` or `startswith(operationName,'<prefix>')`. `$top`: at most 1000
//! (default 100). Newest first. A full page carries a `nextLink` whose `$skiptoken` says where it stopped
//! (`AuditCursor`): following them reads the whole log, each event once, however many are written
//! meanwhile.
//!
//! - `GET /providers/Microsoft.Subscription/auditCheckpoint` — the audit chain's tip signed with the
//!   token signing key (`tenantry_service::audit_chain`). Any caller with an ARM token may read it: it
//!   tells how many events the deployment's log holds and the last one's hash, nothing of what they
//!   say, and an auditor must be able to take one without being an administrator.

use crate::app::AppState;
use crate::arm::path::parse_subscription_id;
use crate::arm::query::{Query, parse_filter, unsupported_filter};
use crate::auth::ArmCaller;
use crate::errors::{ArmError, format_timestamp};
use crate::odata::{Condition, Op};
use crate::urls;
use axum::extract::{Path, RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use tenantry_domain::TenantId;
use tenantry_domain::audit::{
    AuditCursor, AuditEvent, AuditFilter, MAX_AUDIT_LIMIT, OperationMatch,
};
use tenantry_domain::rules::reads;
use tenantry_service::audit_chain::AuditCheckpoint;
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
        .route(
            "/providers/Microsoft.Subscription/auditCheckpoint",
            get(checkpoint),
        )
}

fn parse_time(v: &str, filter: &str) -> Result<i64, ArmError> {
    OffsetDateTime::parse(v, &Rfc3339)
        .map(|t| t.unix_timestamp())
        .map_err(|_| {
            ArmError::bad_request(
                "UnsupportedQuery",
                format!("The filter '{filter}' is not supported: '{v}' is not an RFC 3339 time."),
            )
        })
}

/// Narrows `q` by one condition of the `$filter` (`filter`, for the refusal of anything else).
fn apply_condition(q: &mut AuditFilter, c: Condition, filter: &str) -> Result<(), ArmError> {
    let is = |property: &str, name: &str| property.eq_ignore_ascii_case(name);
    match c {
        Condition::Compare {
            property,
            op: Op::Ge,
            value,
        } if is(&property, "eventTimestamp") => q.since = Some(parse_time(&value, filter)?),
        Condition::Compare {
            property,
            op: Op::Le,
            value,
        } if is(&property, "eventTimestamp") => q.until = Some(parse_time(&value, filter)?),
        Condition::Compare {
            property,
            op: Op::Eq,
            value,
        } if is(&property, "caller") => q.actor = Some(value),
        Condition::Compare {
            property,
            op: Op::Eq,
            value,
        } if is(&property, "operationName") => q.operation = Some(OperationMatch::Exact(value)),
        Condition::StartsWith { property, value } if is(&property, "operationName") => {
            q.operation = Some(OperationMatch::Prefix(value))
        }
        _ => return Err(unsupported_filter(filter)),
    }
    Ok(())
}

fn parse_query(raw: Option<&str>) -> Result<AuditFilter, ArmError> {
    let query = Query::parse(raw);
    let mut q = AuditFilter::default();
    if let Some(text) = query.filter() {
        for c in parse_filter(text)? {
            apply_condition(&mut q, c, text)?;
        }
    }
    if let Some(n) = query.top()? {
        let n = u32::try_from(n)
            .ok()
            .filter(|n| *n <= MAX_AUDIT_LIMIT)
            .ok_or_else(|| {
                ArmError::bad_request(
                    "InvalidTopValue",
                    format!("The value '{n}' of the query parameter '$top' is more than {MAX_AUDIT_LIMIT}, the most events one query returns."),
                )
            })?;
        q.limit = Some(n);
    }
    if let Some(token) = query.get("$skiptoken") {
        q.after = Some(AuditCursor::parse(token).ok_or_else(|| {
            ArmError::bad_request(
                "InvalidSkipToken",
                format!(
                    "The skip token '{token}' is not valid: use the nextLink of the previous page."
                ),
            )
        })?);
    }
    Ok(q)
}

/// The link to the page after `last`: the same query, `$skiptoken` where this page stopped.
fn next_link(state: &AppState, path: &str, raw: Option<&str>, last: &AuditEvent) -> String {
    let query = Query::parse(raw);
    let mut pairs: Vec<(&str, &str)> = vec![("api-version", query.api_version())];
    if let Some(f) = query.filter() {
        pairs.push(("$filter", f));
    }
    let top = query.get("$top");
    if let Some(t) = top {
        pairs.push(("$top", t));
    }
    let token = AuditCursor::after(last).encode();
    pairs.push(("$skiptoken", &token));
    urls::with_query(&format!("{}{path}", state.base_url), &pairs)
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

async fn answer(
    state: &AppState,
    scope: &str,
    q: AuditFilter,
    raw: Option<&str>,
) -> Result<Json<Value>, ArmError> {
    let events = state.svc.audit_events(&q).await?;
    let value: Vec<Value> = events.iter().map(|e| event_json(scope, e)).collect();
    let mut body = json!({ "value": value });
    if let Some(last) = events.last().filter(|_| q.is_full(&events)) {
        let path = format!("{scope}/providers/Microsoft.Subscription/auditEvents");
        body["nextLink"] = Value::String(next_link(state, &path, raw, last));
    }
    Ok(Json(body))
}

async fn tenant_events(
    State(state): State<AppState>,
    ArmCaller(caller): ArmCaller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ArmError> {
    let tenant = TenantId(caller.tenant);
    let mut q = parse_query(raw.as_deref())?;
    state.svc.read(|w| {
        reads::require_tenant_admin_read(w, &caller.actor, tenant, "read the directory's audit log")
    })?;
    q.tenant = Some(tenant);
    answer(&state, "", q, raw.as_deref()).await
}

async fn subscription_events(
    State(state): State<AppState>,
    ArmCaller(caller): ArmCaller,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ArmError> {
    let sub = parse_subscription_id(&id)?;
    let mut q = parse_query(raw.as_deref())?;
    state
        .svc
        .read(|w| reads::require_subscription_audit_read(w, &caller.actor, sub))?;
    q.subscription = Some(sub);
    answer(&state, &format!("/subscriptions/{sub}"), q, raw.as_deref()).await
}

/// The chain's tip now, signed. The caller's identity only proves a valid token (module docs).
async fn checkpoint(
    State(state): State<AppState>,
    ArmCaller(_caller): ArmCaller,
) -> Result<Json<AuditCheckpoint>, ArmError> {
    Ok(Json(state.signin.audit_checkpoint().await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(filter: &str) -> Result<AuditFilter, ArmError> {
        parse_query(Some(&format!("$filter={}", urls::encode(filter))))
    }

    fn code(e: ArmError) -> String {
        e.body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
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
        let q = parse_query(Some("api-version=2024-01-01&%24top=5")).unwrap();
        assert_eq!(q.limit, Some(5));
    }

    #[test]
    fn refuses_as_every_arm_list_refuses() {
        for bad in [
            "eventTimestamp gt '2026-11-27T08:00:00Z'",
            "eventTimestamp ge 'yesterday'",
            "caller eq alice",
            "caller eq 'a' or caller eq 'b'",
            "startswith(caller,'a')",
            "caller ne 'alice'",
        ] {
            assert_eq!(code(parse(bad).unwrap_err()), "UnsupportedQuery", "{bad}");
        }
        for top in ["0", "-1", "1001"] {
            let e = parse_query(Some(&format!("$top={top}"))).unwrap_err();
            assert_eq!(code(e), "InvalidTopValue", "{top}");
        }
        for token in ["x", "12.notanid", "%00", ".0193"] {
            let e = parse_query(Some(&format!("$skiptoken={token}"))).unwrap_err();
            assert_eq!(code(e), "InvalidSkipToken", "{token}");
        }
    }
}
