//! The domain's rules, proved: the invariants of DESIGN.md, the article's flows, Azure's RBAC semantics,
//! and property tests over random sequences of operations by many actors.

// Test code: a panic is a failed run with its message, which is what these unwraps want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// The library's dependency, not used by the tests themselves.
use serde as _;
use {aws_lc_rs as _, hashbrown as _, x509_parser as _};

mod fixtures;

#[test]
fn the_article_world_builds_and_is_sound() {
    let fx = fixtures::Fx::article();
    assert!(tenantry_domain::rules::invariants::violations(&fx.world).is_empty());
}

mod admins;
mod applications;
mod authz;
mod bulk;
mod certificates;
mod change_directory;
mod directory;
mod federated;
mod fuzz;
mod group_claims;
mod group_grants;
mod group_roles;
mod groups;
mod hierarchy;
mod hierarchy_entities;
mod hierarchy_reads;
mod hierarchy_settings;
mod identities;
mod identity_endpoint;
mod invariants;
mod leaks;
mod link;
mod names;
mod people;
mod props;
mod reads;
mod resources;
mod subscriptions;
mod tags;
