//! Identifiers. Every id we mint is a UUIDv7 (time-ordered keys write far less index than random ones);
//! on the wire they keep Azure's lowercase GUID format.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.hyphenated())
            }
        }

        /// Exactly a GUID: nothing around it (an id in a path with a line break or a space after it is
        /// not an id, and must not be taken for one). Callers that read what a person typed trim first.
        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }
    };
}

id_type!(
    /// A tenant (directory).
    TenantId
);
id_type!(
    /// A personal (Microsoft) account in the consumer realm.
    AccountId
);
id_type!(
    /// A directory object inside one tenant: a member user, a guest user, a service principal or a group.
    /// Role assignments and directory roles name principals by this id, as Azure does.
    ObjectId
);
id_type!(
    /// A subscription.
    SubscriptionId
);
id_type!(
    /// A role definition (built-in ids are Azure's well-known GUIDs).
    RoleDefinitionId
);
id_type!(
    /// A role assignment (its `name` on the wire).
    RoleAssignmentId
);
id_type!(
    /// A request: directory link, invitation, change of directory, support request.
    RequestId
);

/// The consumer realm: personal accounts sign in there (`consumers`).
pub const CONSUMERS_TENANT: Uuid = uuid::uuid!("9188040d-6c67-4c5b-b112-36a304b66dad");
