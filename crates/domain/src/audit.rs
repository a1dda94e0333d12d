//! Audit events: who did what, where, and how it went. Written in the same transaction as the change.
//! Read back through [`AuditFilter`], which every reader builds (ARM's audit query, the portal's activity
//! log, the command line) and the store turns into SQL.

use crate::ids::*;
use crate::model::Timestamp;
use crate::rules::reads::AuditReadable;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// UUIDv7: events sort by time.
    pub id: uuid::Uuid,
    pub time: Timestamp,
    /// Who: an email, UPN, client id, or `operator` for the command line.
    pub actor: String,
    /// The actor's object id, when it has one.
    pub actor_id: Option<String>,
    pub tenant: Option<TenantId>,
    pub subscription: Option<SubscriptionId>,
    /// What, in Azure's operation style (`Microsoft.Authorization/roleAssignments/write`) or tenantry's.
    pub operation: String,
    /// On what: a scope, an object id, an email.
    pub target: String,
    /// Anything else worth keeping (never a secret).
    pub details: serde_json::Value,
}

impl AuditEvent {
    pub fn new(
        actor: &crate::actor::Actor,
        now: Timestamp,
        operation: &str,
        target: impl Into<String>,
    ) -> Self {
        Self {
            id: uuid::Uuid::now_v7(),
            time: now,
            actor: actor.display(),
            actor_id: actor.object_id().map(|o| o.to_string()),
            tenant: None,
            subscription: None,
            operation: operation.into(),
            target: target.into(),
            details: serde_json::Value::Null,
        }
    }
    pub fn tenant(mut self, t: TenantId) -> Self {
        self.tenant = Some(t);
        self
    }
    pub fn subscription(mut self, s: SubscriptionId) -> Self {
        self.subscription = Some(s);
        self
    }
    pub fn details(mut self, d: serde_json::Value) -> Self {
        self.details = d;
        self
    }
}

/// What to read from the audit log, newest first. Every field narrows the result; the default reads the
/// newest [`DEFAULT_AUDIT_LIMIT`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub tenant: Option<TenantId>,
    pub subscription: Option<SubscriptionId>,
    /// Exact, case-insensitive.
    pub actor: Option<String>,
    pub operation: Option<OperationMatch>,
    /// Unix seconds, inclusive.
    pub since: Option<Timestamp>,
    /// Unix seconds, inclusive.
    pub until: Option<Timestamp>,
    /// At most this many events: [`DEFAULT_AUDIT_LIMIT`] when unset, never more than [`MAX_AUDIT_LIMIT`].
    pub limit: Option<u32>,
    /// Only what one may read (the portal's activity log): events of any of these subscriptions or
    /// tenants, or by any of these actors. Applied before the limit, so the newest readable events come
    /// back however many others there are.
    pub readable_by: Option<AuditReadable>,
}

/// How an event's operation must match, case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperationMatch {
    /// The whole operation (`Microsoft.Authorization/roleAssignments/write`).
    Exact(String),
    /// Its beginning (`Microsoft.Authorization/` finds every RBAC write).
    Prefix(String),
}

pub const DEFAULT_AUDIT_LIMIT: u32 = 100;
pub const MAX_AUDIT_LIMIT: u32 = 1000;

impl AuditFilter {
    /// The number of events to read: the limit asked for, within 1 ..= [`MAX_AUDIT_LIMIT`].
    pub fn effective_limit(&self) -> u32 {
        self.limit
            .unwrap_or(DEFAULT_AUDIT_LIMIT)
            .clamp(1, MAX_AUDIT_LIMIT)
    }
}
