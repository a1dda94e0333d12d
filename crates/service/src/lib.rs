//! tenantry's service layer: commands and queries over the world, authorized by the domain's rules,
//! each write persisted with its audit event in one transaction.

pub mod audit_chain;
pub mod commands;
pub mod core;
pub mod crypto;
pub mod error;
pub mod federation;
pub mod files;
#[cfg(test)]
mod fuzz;
pub mod groups;
pub mod hierarchy;
pub mod metrics;
mod outage;
pub mod sessions;
pub mod signin;
pub mod subscriptions;
pub mod support;
pub mod world;
pub mod world_file;

pub use crate::core::Service;
pub use error::ServiceError;
pub use tenantry_domain as domain;
pub use tenantry_store as store;
