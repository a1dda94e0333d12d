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

/// Hashing for the maps that authorization reads on every request, keyed by ids (the tenants and
/// subscriptions of the world, a subscription's assignments by principal, a tenant's transitive
/// memberships). Ids are random (UUIDv4) or end in 62 random bits (UUIDv7), so a multiply-and-rotate
/// of their two words, keyed per process, spreads them evenly at a fraction of SipHash's cost: a check
/// through groups makes one lookup per group of the principal, and SipHash was half of it
/// (`benches/authz.rs`).
#[derive(Debug, Clone, Copy)]
pub struct IdHashing {
    seed: u64,
}

impl Default for IdHashing {
    fn default() -> Self {
        static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
        let seed = *SEED.get_or_init(|| {
            use std::hash::BuildHasher;
            // The standard library's random keys, so that no one can choose ids that collide.
            std::collections::hash_map::RandomState::new().hash_one(0x5eed_u64)
        });
        Self { seed }
    }
}

impl std::hash::BuildHasher for IdHashing {
    type Hasher = IdHasher;
    fn build_hasher(&self) -> IdHasher {
        IdHasher(self.seed)
    }
}

/// The hasher of [`IdHashing`].
#[derive(Debug, Clone, Copy)]
pub struct IdHasher(u64);

impl IdHasher {
    fn add(&mut self, word: u64) {
        // FxHash's step: enough for keys whose words are random already.
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map keyed by ids, hashed with [`IdHashing`].
pub type IdMap<K, V> = std::collections::HashMap<K, V, IdHashing>;
