//! Audit events: who did what, where, and how it went. Written in the same transaction as the change.

use crate::ids::*;
use crate::model::Timestamp;
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
