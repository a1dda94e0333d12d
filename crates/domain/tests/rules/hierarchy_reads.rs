//! What the portal's access control at management groups reads: the assignments that apply at a group
//! with where each comes from and who may remove it, check access at a group, what a subscription
//! inherits from its groups, and a Global Administrator's elevated access.

use super::hierarchy::{alice_admin, assign, create};
use crate::fixtures::*;
use tenantry_domain::action::names;
use tenantry_domain::roles;
use tenantry_domain::rules::reads::{self, AssignmentOrigin, Elevation};
use tenantry_domain::rules::{hierarchy, hierarchy_access};
use tenantry_domain::*;

/// Platform with Prod under it, Pay-As-You-Go under Prod; erin Reader at Platform, ci Reader at the
/// tenant root group; Alice elevated.
fn platform(fx: &mut Fx) -> Actor {
    let (t, admin) = (fx.alicedefault, alice_admin(fx));
    create(fx, &admin, t, "platform", "");
    create(fx, &admin, t, "prod", "platform");
    fx.ok(|fx| hierarchy::move_subscription(&fx.world, &admin, t, "prod", fx.sub, fx.now));
    let (erin, app) = (fx.erin, fx.app);
    assign(fx, &admin, t, "platform", erin, roles::READER);
    assign(fx, &admin, t, &t.to_string(), app, roles::READER);
    admin
}

#[test]
fn a_group_lists_its_assignments_then_those_from_above_each_with_its_origin() {
    let mut fx = Fx::article();
    let admin = platform(&mut fx);
    let at = |fx: &Fx, who: &Actor, name: &str| {
        reads::group_access_control(&fx.world, who, name)
            .unwrap()
            .assignments
            .iter()
            .map(|v| (v.role.clone(), v.origin.clone(), v.may_remove))
            .collect::<Vec<_>>()
    };
    let root = fx.alicedefault.to_string();
    // Alice made both groups, so she is Owner of each (as in Azure); the nearest first.
    let platform = AssignmentOrigin::Group {
        name: "platform".into(),
        display_name: "platform".into(),
    };
    assert_eq!(
        at(&fx, &admin, "prod"),
        vec![
            ("Owner".to_string(), AssignmentOrigin::Here, true),
            ("Owner".to_string(), platform.clone(), false),
            ("Reader".to_string(), platform, false),
            (
                "Reader".to_string(),
                AssignmentOrigin::TenantRootGroup { name: root.clone() },
                false
            ),
            (
                "User Access Administrator".to_string(),
                AssignmentOrigin::RootScope,
                false
            ),
        ]
    );
    // At Platform, its own comes first and may be removed by whoever may delete assignments there.
    let own = at(&fx, &admin, "platform");
    assert!(
        own.contains(&("Reader".to_string(), AssignmentOrigin::Here, true)),
        "{own:?}"
    );
    assert!(
        own[..2]
            .iter()
            .all(|(_, o, _)| *o == AssignmentOrigin::Here)
    );
    let erin = fx.member(fx.erin);
    let seen = reads::group_access_control(&fx.world, &erin, "platform").unwrap();
    assert!(!seen.may_write);
    assert!(seen.assignments.iter().all(|v| !v.may_remove));
    // The root group's page: ci's Reader is made there.
    assert!(
        at(&fx, &admin, &root)
            .iter()
            .any(|(_, o, _)| *o == AssignmentOrigin::Here)
    );
    // Only built-in roles are offered, as the rule accepts only those.
    assert!(seen.roles.iter().all(|r| !r.is_custom()));
}

#[test]
fn another_tenants_user_learns_nothing_of_a_group() {
    let mut fx = Fx::article();
    platform(&mut fx);
    let outsider = fx.member(fx.contoso_admin);
    let there = reads::group_access_control(&fx.world, &outsider, "platform").unwrap_err();
    let missing = reads::group_access_control(&fx.world, &outsider, "nowhere").unwrap_err();
    assert_eq!(there.code, "AuthorizationFailed");
    assert_eq!(
        there.message.replace("platform", "nowhere"),
        missing.message
    );
    let check = reads::check_access_at_group(
        &fx.world,
        &outsider,
        "platform",
        "erin@alicedefault.onmicrosoft.com",
        &[names::MANAGEMENT_GROUP_READ],
    );
    assert_eq!(code(check), "AuthorizationFailed");
    assert!(reads::inherited_group_assignments(&fx.world, &outsider, fx.sub).is_empty());
}

#[test]
fn check_access_at_a_group_names_the_assignment_that_grants_it() {
    let mut fx = Fx::article();
    let admin = platform(&mut fx);
    let erin = fx.erin.to_string();
    let c = reads::check_access_at_group(
        &fx.world,
        &admin,
        "prod",
        &erin,
        &[names::MANAGEMENT_GROUP_READ, names::ROLE_ASSIGNMENT_WRITE],
    )
    .unwrap();
    let read: Vec<String> = c.actions[0].1.iter().map(|g| g.describe()).collect();
    assert_eq!(
        read,
        vec!["Reader at management group platform".to_string()]
    );
    assert!(c.actions[1].1.is_empty());
    assert!(
        c.permissions
            .iter()
            .any(|p| p.actions == vec!["*/read".to_string()])
    );
}

#[test]
fn a_subscription_lists_what_it_inherits_from_its_groups() {
    let mut fx = Fx::article();
    let admin = platform(&mut fx);
    let from: Vec<(String, AssignmentOrigin, bool)> =
        reads::inherited_group_assignments(&fx.world, &admin, fx.sub)
            .into_iter()
            .map(|v| (v.role, v.origin, v.may_open))
            .collect();
    // Nearest first: Alice's Owner at Prod and at Platform, erin's Reader at Platform, ci's at the
    // root group, Alice's elevation.
    let origins: Vec<&str> = from
        .iter()
        .map(|(_, o, _)| match o {
            AssignmentOrigin::Group { name, .. } => name.as_str(),
            AssignmentOrigin::TenantRootGroup { .. } => "root group",
            AssignmentOrigin::RootScope => "/",
            AssignmentOrigin::Here => "here",
        })
        .collect();
    assert_eq!(
        origins,
        ["prod", "platform", "platform", "root group", "/"],
        "{from:?}"
    );
    assert!(from.contains(&(
        "Reader".to_string(),
        AssignmentOrigin::Group {
            name: "platform".into(),
            display_name: "platform".into()
        },
        true
    )));
    assert!(!from[4].2, "the root scope has no page");
}

#[test]
fn a_global_administrator_sees_and_gives_up_the_elevation() {
    let mut fx = Fx::article();
    let erin = fx.member(fx.erin);
    assert_eq!(reads::elevation(&fx.world, &erin), None);
    let alice = fx.alice_home();
    assert_eq!(
        reads::elevation(&fx.world, &alice),
        Some(Elevation {
            elevated: false,
            may_elevate: true
        })
    );
    let alice = alice_admin(&mut fx);
    assert_eq!(
        reads::elevation(&fx.world, &alice).map(|e| e.elevated),
        Some(true)
    );
    // Erin has nothing to give up.
    let nothing = hierarchy_access::remove_elevated_access(&fx.world, &erin, fx.now).unwrap();
    assert!(nothing.mutations.is_empty());
    fx.ok(|fx| hierarchy_access::remove_elevated_access(&fx.world, &alice, fx.now));
    assert_eq!(
        reads::elevation(&fx.world, &alice).map(|e| e.elevated),
        Some(false)
    );
    let t = fx.alicedefault;
    let alice_id = alice.object_id().unwrap();
    assert!(hierarchy_access::elevated_assignment(&fx.world, t, alice_id).is_none());
}
