//! The audit log: who may read which events.

use super::directory::require_tenant_admin_read;
use crate::rules::*;

/// The action that lets a caller read a subscription's audit log: Azure's activity log read, which
/// Reader (`*/read`) and every broader role grant, as do the classic administrators.
pub const AUDIT_LOG_READ: &str = "Microsoft.Insights/eventtypes/values/read";

/// Reading one subscription's audit log.
pub fn require_subscription_audit_read(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
) -> Result<(), DomainError> {
    authorized_subscription(
        world,
        actor,
        AUDIT_LOG_READ,
        &Scope::subscription(subscription),
    )?;
    Ok(())
}

/// The audit events a person may read across every directory they are present in: those of the
/// subscriptions whose activity log they may read there, those of the directories they administer (or
/// read as Global Reader), and their own actions (by any of their sign-in names).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditReadable {
    pub subscriptions: Vec<SubscriptionId>,
    pub tenants: Vec<TenantId>,
    pub actors: Vec<String>,
}

pub fn audit_readable(world: &World, identity: Identity) -> AuditReadable {
    let mut readable = AuditReadable {
        actors: world.identity_emails(identity),
        ..Default::default()
    };
    for (t, _) in world.tenants_of_identity(identity) {
        let Ok(actor) =
            crate::signin::subject(world, identity, crate::signin::Authority::Tenant(t))
                .map(|s| s.actor())
        else {
            continue;
        };
        if require_tenant_admin_read(world, &actor, t, "read the audit log").is_ok() {
            readable.tenants.push(t);
        }
        for s in world.subscriptions_of_tenant(t) {
            let id = s.subscription.id;
            if require_subscription_audit_read(world, &actor, id).is_ok()
                && !readable.subscriptions.contains(&id)
            {
                readable.subscriptions.push(id);
            }
        }
    }
    readable
}
