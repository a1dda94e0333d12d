//! The authorization engine: may principal P perform action A at scope S? Decided from the role
//! assignments at S and its ancestors and from the classic administrators of S's subscription, with the
//! grant that decided. Lookups go through the per-principal index of each subscription, so a check costs a
//! few hash lookups whatever the number of assignments.

use crate::action::Action;
use crate::actor::Actor;
use crate::ids::*;
use crate::model::*;
use crate::scope::Scope;
use crate::world::{SubscriptionPart, World};
use serde::Serialize;

/// Why access was granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Grant {
    /// The operator (command line, world file) may do anything.
    Operator,
    /// The subscription's service administrator: full access, like Owner at subscription scope.
    ServiceAdministrator,
    /// A co-administrator: full access, like Owner at subscription scope.
    CoAdministrator,
    /// A role assignment at the scope or above it.
    #[serde(rename_all = "camelCase")]
    RoleAssignment {
        assignment: RoleAssignmentId,
        role_definition: RoleDefinitionId,
        role_name: String,
        scope: String,
    },
}

impl Grant {
    pub fn describe(&self) -> String {
        match self {
            Grant::Operator => "the operator".into(),
            Grant::ServiceAdministrator => "service administrator of the subscription".into(),
            Grant::CoAdministrator => "co-administrator of the subscription".into(),
            Grant::RoleAssignment {
                role_name, scope, ..
            } => format!("role '{role_name}' assigned at '{scope}'"),
        }
    }
}

/// The classic administrator role an identity holds in a subscription.
pub fn classic_role(sub: &Subscription, identity: Identity) -> Option<Grant> {
    if sub.service_admin == identity {
        Some(Grant::ServiceAdministrator)
    } else if sub.co_admins.contains(&identity) {
        Some(Grant::CoAdministrator)
    } else {
        None
    }
}

impl World {
    /// Whether `principal` (an object of the subscription's tenant) may perform `action` at `scope`: the
    /// hot path of every ARM call, so it allocates nothing.
    pub fn is_allowed(&self, principal: ObjectId, action: &Action, scope: &Scope) -> bool {
        let Some(part) = self.subscription(scope.subscription_id()) else {
            return false;
        };
        part.assignments_of(principal).any(|a| {
            a.scope.contains(scope)
                && self
                    .compiled_role(part, a.role_definition)
                    .is_some_and(|r| r.grants(action))
        }) || self.classic_grant(part, principal).is_some()
    }

    /// The grant that lets `principal` perform `action` at `scope`, for explanations.
    pub fn authorize_principal(
        &self,
        principal: ObjectId,
        action: &Action,
        scope: &Scope,
    ) -> Option<Grant> {
        let part = self.subscription(scope.subscription_id())?;
        if let Some(grant) = self.classic_grant(part, principal) {
            return Some(grant);
        }
        self.assignment_grants(part, principal, action, scope)
            .next()
    }

    /// Every grant that lets `principal` perform `action` at `scope` ("check access").
    pub fn explain_access(
        &self,
        principal: ObjectId,
        action: &Action,
        scope: &Scope,
    ) -> Vec<Grant> {
        let Some(part) = self.subscription(scope.subscription_id()) else {
            return vec![];
        };
        let mut grants: Vec<Grant> = self.classic_grant(part, principal).into_iter().collect();
        grants.extend(self.assignment_grants(part, principal, action, scope));
        grants
    }

    /// For a caller: its token must be for the subscription's tenant, as in Azure.
    pub fn authorize(&self, actor: &Actor, action: &Action, scope: &Scope) -> bool {
        match actor {
            Actor::Operator => true,
            Actor::User { tenant, object, .. } | Actor::Application { tenant, object, .. } => self
                .subscription(scope.subscription_id())
                .is_some_and(|part| {
                    part.subscription.tenant == *tenant && self.is_allowed(*object, action, scope)
                }),
            Actor::Personal { .. } => false,
        }
    }

    fn classic_grant(&self, part: &SubscriptionPart, principal: ObjectId) -> Option<Grant> {
        let user = self
            .tenant(part.subscription.tenant)?
            .users
            .get(&principal)?;
        if !user.is_present() || !user.enabled {
            return None;
        }
        classic_role(&part.subscription, user.identity()?)
    }

    fn assignment_grants<'a>(
        &'a self,
        part: &'a SubscriptionPart,
        principal: ObjectId,
        action: &'a Action,
        scope: &'a Scope,
    ) -> impl Iterator<Item = Grant> + 'a {
        part.assignments_of(principal).filter_map(move |a| {
            if !a.scope.contains(scope) {
                return None;
            }
            let role = self.compiled_role(part, a.role_definition)?;
            if !role.grants(action) {
                return None;
            }
            let name = self
                .role_definition(part.subscription.id, a.role_definition)
                .map(|d| d.name.clone())
                .unwrap_or_default();
            Some(Grant::RoleAssignment {
                assignment: a.id,
                role_definition: a.role_definition,
                role_name: name,
                scope: a.scope.to_string(),
            })
        })
    }

    /// Whether the principal holds any access in the subscription (an assignment anywhere in it, or a
    /// classic administrator role): what makes a subscription appear in `GET /subscriptions`.
    pub fn has_any_access(&self, principal: ObjectId, subscription: SubscriptionId) -> bool {
        let Some(part) = self.subscription(subscription) else {
            return false;
        };
        self.classic_grant(part, principal).is_some()
            || part.assignments_of(principal).next().is_some()
    }

    /// Whether the principal holds access at `scope`, above it or below it (what makes a resource group
    /// appear in a list for a Reader of one of its resources, as in Azure).
    pub fn has_access_touching(&self, principal: ObjectId, scope: &Scope) -> bool {
        let Some(part) = self.subscription(scope.subscription_id()) else {
            return false;
        };
        self.classic_grant(part, principal).is_some()
            || part
                .assignments_of(principal)
                .any(|a| a.scope.contains(scope) || scope.contains(&a.scope))
    }

    /// The permission blocks that apply to the principal at `scope` (the ARM `permissions` API): classic
    /// administrators get `*`.
    pub fn effective_permissions(&self, principal: ObjectId, scope: &Scope) -> Vec<Permission> {
        let Some(part) = self.subscription(scope.subscription_id()) else {
            return vec![];
        };
        if self.classic_grant(part, principal).is_some() {
            return vec![Permission {
                actions: vec!["*".into()],
                ..Default::default()
            }];
        }
        part.assignments_of(principal)
            .filter(|a| a.scope.contains(scope))
            .filter_map(|a| self.role_definition(part.subscription.id, a.role_definition))
            .flat_map(|d| d.permissions.iter().cloned())
            .collect()
    }
}
