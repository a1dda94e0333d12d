//! Audit events: written in the transaction of the change they describe, read back newest first.

use crate::batch::{Op, Table};
use crate::codec::{Cols, Value, bind_all, id, id_text, json_text};
use crate::error::StoreResult;
use sqlx::AnyConnection;
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use tenantry_domain::audit::AuditEvent;
use tenantry_domain::audit_chain::{AuditRecord, ChainHash};

pub(crate) static AUDIT_EVENTS: Table = Table {
    name: "audit_events",
    columns: &[
        "id",
        "time",
        "actor",
        "actor_key",
        "actor_id",
        "tenant_id",
        "subscription_id",
        "operation",
        "target",
        "details",
        "seq",
        "prev_hash",
        "hash",
    ],
    key_len: 1,
};

pub use tenantry_domain::audit::AuditFilter;
use tenantry_domain::audit::OperationMatch;

/// An event's columns as they are stored: what its hash covers ([`tenantry_domain::audit_chain`]).
pub(crate) fn record(e: &AuditEvent) -> StoreResult<AuditRecord> {
    Ok(AuditRecord {
        id: id_text(e.id),
        time: e.time,
        actor: e.actor.clone(),
        actor_key: e.actor.to_lowercase(),
        actor_id: e.actor_id.clone(),
        tenant_id: e.tenant.map(id_text),
        subscription_id: e.subscription.map(id_text),
        operation: e.operation.clone(),
        target: e.target.clone(),
        details: json_text(&e.details)?,
    })
}

/// A new event at its place in the chain; an event id is written once (a unique violation means it was
/// written already).
pub(crate) fn insert(r: &AuditRecord, seq: i64, prev: &ChainHash, hash: &ChainHash) -> Op {
    Op::insert(
        &AUDIT_EVENTS,
        vec![
            Value::from(&r.id),
            Value::from(r.time),
            Value::from(&r.actor),
            Value::from(&r.actor_key),
            Value::from(r.actor_id.clone()),
            Value::from(r.tenant_id.clone()),
            Value::from(r.subscription_id.clone()),
            Value::from(&r.operation),
            Value::from(&r.target),
            Value::from(&r.details),
            Value::from(seq),
            Value::from(prev.to_hex()),
            Value::from(hash.to_hex()),
        ],
    )
}

/// An event's stored columns, as read back (for its hash).
pub(crate) fn decode_record(row: &AnyRow) -> StoreResult<AuditRecord> {
    let c = Cols::new(row, AUDIT_EVENTS.name);
    Ok(AuditRecord {
        id: c.text("id")?,
        time: c.int("time")?,
        actor: c.text("actor")?,
        actor_key: c.text("actor_key")?,
        actor_id: c.opt_text("actor_id")?,
        tenant_id: c.opt_text("tenant_id")?,
        subscription_id: c.opt_text("subscription_id")?,
        operation: c.text("operation")?,
        target: c.text("target")?,
        details: c.text("details")?,
    })
}

fn decode(row: &AnyRow) -> StoreResult<AuditEvent> {
    let c = Cols::new(row, AUDIT_EVENTS.name);
    Ok(AuditEvent {
        id: c.uuid("id")?,
        time: c.int("time")?,
        actor: c.text("actor")?,
        actor_id: c.opt_text("actor_id")?,
        tenant: c.opt_id("tenant_id")?,
        subscription: c.opt_id("subscription_id")?,
        operation: c.text("operation")?,
        target: c.text("target")?,
        details: c.json("details")?,
    })
}

/// Conditions and their parameters, numbered as they are added.
#[derive(Default)]
struct Where {
    conditions: Vec<String>,
    args: Vec<Value>,
}

impl Where {
    /// Adds a parameter and returns its placeholder.
    fn param(&mut self, v: Value) -> String {
        self.args.push(v);
        format!("${}", self.args.len())
    }
    fn add(&mut self, condition: String) {
        self.conditions.push(condition);
    }
}

/// The query for a filter: conditions only for the fields that are set, every value a parameter.
fn query_for(f: &AuditFilter) -> (String, Vec<Value>) {
    let mut w = Where::default();
    if let Some(t) = f.tenant {
        let p = w.param(id(t));
        w.add(format!("tenant_id = {p}"));
    }
    if let Some(s) = f.subscription {
        let p = w.param(id(s));
        w.add(format!("subscription_id = {p}"));
    }
    if let Some(a) = &f.actor {
        let p = w.param(Value::from(a.trim().to_lowercase()));
        w.add(format!("actor_key = {p}"));
    }
    match &f.operation {
        Some(OperationMatch::Exact(op)) => {
            let p = w.param(Value::from(op.to_lowercase()));
            w.add(format!("lower(operation) = {p}"));
        }
        // A prefix without LIKE, whose wildcards and case rules differ between the backends (and `%` or
        // `_` in the prefix would match anything); `substr`, `length` and `lower` mean the same on both.
        Some(OperationMatch::Prefix(op)) => {
            let p = w.param(Value::from(op.to_lowercase()));
            w.add(format!("lower(substr(operation, 1, length({p}))) = {p}"));
        }
        None => {}
    }
    if let Some(since) = f.since {
        let p = w.param(Value::from(since));
        w.add(format!("time >= {p}"));
    }
    if let Some(until) = f.until {
        let p = w.param(Value::from(until));
        w.add(format!("time <= {p}"));
    }
    if let Some(r) = &f.readable_by {
        let mut any = Vec::new();
        let mut list = |w: &mut Where, column: &str, values: Vec<Value>| {
            if !values.is_empty() {
                let params: Vec<String> = values.into_iter().map(|v| w.param(v)).collect();
                any.push(format!("{column} IN ({})", params.join(", ")));
            }
        };
        list(
            &mut w,
            "subscription_id",
            r.subscriptions.iter().map(|s| id(*s)).collect(),
        );
        list(
            &mut w,
            "tenant_id",
            r.tenants.iter().map(|t| id(*t)).collect(),
        );
        list(
            &mut w,
            "actor_key",
            r.actors
                .iter()
                .map(|a| Value::from(a.trim().to_lowercase()))
                .collect(),
        );
        // Nothing readable: no event.
        w.add(match any.is_empty() {
            true => "1 = 0".to_string(),
            false => format!("({})", any.join(" OR ")),
        });
    }
    if let Some(c) = f.after {
        let t = w.param(Value::from(c.time));
        let i = w.param(id(c.id));
        // The order below, continued: older seconds, or the same second's earlier ids.
        w.add(format!("(time < {t} OR (time = {t} AND id < {i}))"));
    }
    let limit = f.effective_limit();
    let mut sql = format!(
        "SELECT {} FROM audit_events",
        AUDIT_EVENTS.columns.join(", ")
    );
    if !w.conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&w.conditions.join(" AND "));
    }
    let p = w.param(Value::from(i64::from(limit)));
    // UUIDv7 ids order the events of one second as they were made.
    sql.push_str(&format!(" ORDER BY time DESC, id DESC LIMIT {p}"));
    (sql, w.args)
}

pub(crate) async fn query(
    conn: &mut AnyConnection,
    filter: &AuditFilter,
) -> StoreResult<Vec<AuditEvent>> {
    let (sql, args) = query_for(filter);
    // Built from fixed fragments only; every value is a bind parameter.
    let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), args)
        .persistent(false)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(decode).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenantry_domain::rules::reads::AuditReadable;
    use tenantry_domain::{SubscriptionId, TenantId};

    #[test]
    fn default_filter_reads_the_newest_hundred() {
        let (sql, args) = query_for(&AuditFilter::default());
        assert!(sql.ends_with("FROM audit_events ORDER BY time DESC, id DESC LIMIT $1"));
        assert_eq!(args, vec![Value::Int(100)]);
    }

    #[test]
    fn readable_events_are_one_condition_of_parameters() {
        let s = SubscriptionId(uuid::Uuid::nil());
        let f = AuditFilter {
            readable_by: Some(AuditReadable {
                subscriptions: vec![s, s],
                tenants: vec![],
                actors: vec![" Dave@Outlook.com".into()],
            }),
            ..Default::default()
        };
        let (sql, args) = query_for(&f);
        assert!(
            sql.contains("WHERE (subscription_id IN ($1, $2) OR actor_key IN ($3))"),
            "{sql}"
        );
        assert_eq!(args[2], Value::from("dave@outlook.com"));
        let nobody = AuditFilter {
            readable_by: Some(AuditReadable::default()),
            ..Default::default()
        };
        assert!(query_for(&nobody).0.contains("WHERE 1 = 0"));
    }

    #[test]
    fn every_field_is_a_parameter() {
        let f = AuditFilter {
            tenant: Some(TenantId(uuid::Uuid::nil())),
            actor: Some(" Alice@Outlook.com ".into()),
            operation: Some(OperationMatch::Prefix("Microsoft.Authorization/".into())),
            since: Some(10),
            limit: Some(5000),
            ..Default::default()
        };
        let (sql, args) = query_for(&f);
        assert!(sql.contains(
            "WHERE tenant_id = $1 AND actor_key = $2 AND lower(substr(operation, 1, length($3))) = $3 AND time >= $4"
        ));
        assert!(sql.ends_with("LIMIT $5"));
        assert_eq!(args[1], Value::from("alice@outlook.com"));
        assert_eq!(args[2], Value::from("microsoft.authorization/"));
        assert_eq!(args[4], Value::Int(1000));
    }
}
