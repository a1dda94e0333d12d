//! Who is calling. The authentication layer builds an actor from a token or a portal session; the rules
//! decide what it may do.

use crate::ids::*;
use crate::model::Identity;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Actor {
    /// The operator at the command line or through a world file: may do anything; audited as `operator`.
    Operator,
    /// A user signed in to a tenant (member or guest object of that tenant).
    User {
        tenant: TenantId,
        object: ObjectId,
        identity: Identity,
        /// UPN or email, for messages and the audit log.
        name: String,
    },
    /// A personal account signed in to the consumer realm (no tenant object).
    Personal { account: AccountId, email: String },
    /// An application signed in with its client credentials.
    Application {
        tenant: TenantId,
        object: ObjectId,
        client_id: uuid::Uuid,
        name: String,
    },
}

impl Actor {
    pub fn display(&self) -> String {
        match self {
            Actor::Operator => "operator".into(),
            Actor::User { name, .. } => name.clone(),
            Actor::Personal { email, .. } => email.clone(),
            Actor::Application { client_id, .. } => client_id.to_string(),
        }
    }
    /// The object id in the token's tenant.
    pub fn object_id(&self) -> Option<ObjectId> {
        match self {
            Actor::User { object, .. } | Actor::Application { object, .. } => Some(*object),
            _ => None,
        }
    }
    /// The tenant the caller signed in to.
    pub fn tenant(&self) -> Option<TenantId> {
        match self {
            Actor::User { tenant, .. } | Actor::Application { tenant, .. } => Some(*tenant),
            _ => None,
        }
    }
    /// The person behind the call, wherever they signed in.
    pub fn identity(&self) -> Option<Identity> {
        match self {
            Actor::User { identity, .. } => Some(*identity),
            Actor::Personal { account, .. } => Some(Identity::Personal { account: *account }),
            _ => None,
        }
    }
    pub fn is_operator(&self) -> bool {
        matches!(self, Actor::Operator)
    }
}
