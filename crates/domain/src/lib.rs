//! tenantry's domain: the world of tenants, subscriptions and access, and the rules that keep it sound.
//! Pure types and functions: no I/O, no clock (callers pass `now`), so every rule is testable alone.

// The crate itself with `fuzzing` is a dev-dependency of the integration tests (`tests/rules`), and
// proptest is theirs too; the unit tests use neither.
#[cfg(test)]
use {proptest as _, rcgen as _, tenantry_domain as _};

pub mod action;
pub mod actor;
pub mod audit;
pub mod audit_chain;
pub mod authz;
pub mod certificates;
pub mod error;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod ids;
pub mod model;
pub mod mutation;
pub mod roles;
pub mod rules;
pub mod scope;
pub mod signin;
pub mod tags;
pub mod timestamps;
pub mod world;

pub use actor::Actor;
pub use certificates::ApplicationCertificate;
pub use error::{DomainError, DomainResult, ErrorKind};
pub use ids::*;
pub use model::*;
pub use mutation::{Change, Mutation, Partition};
pub use scope::Scope;
pub use world::World;
