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
    /// Only events older than this one: where the previous page stopped.
    pub after: Option<AuditCursor>,
}

/// Where a page of events (newest first) stopped: the next page holds the events that come after it in
/// that order. Events of one second are told apart by their ids (UUIDv7, in the order they were made),
/// so a page never skips nor repeats an event, however many are written meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditCursor {
    pub time: Timestamp,
    pub id: uuid::Uuid,
}

impl AuditCursor {
    /// The cursor after `e`.
    pub fn after(e: &AuditEvent) -> Self {
        Self {
            time: e.time,
            id: e.id,
        }
    }

    /// As text, safe in a URL and on a command line: `<unix seconds>.<id without hyphens>`.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.time, self.id.simple())
    }

    /// The cursor [`AuditCursor::encode`] wrote, or `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let (time, id) = text.trim().split_once('.')?;
        Some(Self {
            time: time.parse().ok()?,
            id: uuid::Uuid::try_parse(id).ok()?,
        })
    }
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

    /// Whether `page`, read with this filter, may have more after it: it is full.
    pub fn is_full(&self, page: &[AuditEvent]) -> bool {
        page.len() >= self.effective_limit() as usize
    }
}
