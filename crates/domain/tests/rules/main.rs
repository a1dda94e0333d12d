//! The domain's rules, proved: the invariants of DESIGN.md, the article's flows, Azure's RBAC semantics,
//! and property tests over random sequences of operations by many actors.

// The library's dependency, not used by the tests themselves.
use serde as _;

mod fixtures;

#[test]
fn the_article_world_builds_and_is_sound() {
    let fx = fixtures::Fx::article();
    assert!(tenantry_domain::rules::invariants::violations(&fx.world).is_empty());
}

mod admins;
mod authz;
mod change_directory;
mod directory;
mod fuzz;
mod invariants;
mod link;
mod names;
mod people;
mod props;
mod reads;
mod resources;
