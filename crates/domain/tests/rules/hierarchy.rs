//! Management groups: the tenant root group, groups created, renamed, moved and deleted within Azure's
//! limits, subscriptions placed under them, and who may do each.

use crate::fixtures::*;
use tenantry_domain::action::names;
use tenantry_domain::rules::hierarchy::{self, ChildView, ManagementGroupWrite};
use tenantry_domain::world::{MAX_MANAGEMENT_GROUP_DEPTH, ROOT_GROUP_DISPLAY_NAME};
use tenantry_domain::*;

fn under(parent: &str) -> ManagementGroupWrite {
    ManagementGroupWrite {
        display_name: None,
        parent: Some(parent.into()),
    }
}

/// Creates `name` under `parent` ("" = the root) as `actor`.
#[track_caller]
fn create(fx: &mut Fx, actor: &Actor, tenant: TenantId, name: &str, parent: &str) {
    let created = fx.ok_with(|fx| {
        hierarchy::put_management_group(&fx.world, actor, tenant, name, under(parent), fx.now)
    });
    assert!(created, "{name} existed");
}

fn alice_admin(fx: &Fx) -> Actor {
    // Alice is a (guest) Global Administrator of her default directory.
    fx.alice_home()
}

fn parent_of(fx: &Fx, tenant: TenantId, name: &str) -> Option<String> {
    fx.world.tenant(tenant).unwrap().parent_group(name)
}

#[test]
fn every_tenant_has_a_root_group_named_by_its_id_without_a_row() {
    let fx = Fx::article();
    let t = fx.world.tenant(fx.alicedefault).unwrap();
    assert!(t.management_groups.is_empty());
    let root = t.management_group(&fx.alicedefault.to_string()).unwrap();
    assert_eq!(root.display_name, ROOT_GROUP_DISPLAY_NAME);
    assert_eq!(root.parent, None);
    // Every member sees it, and the subscription under it.
    let erin = fx.member(fx.erin);
    let groups = hierarchy::list_management_groups(&fx.world, &erin).unwrap();
    assert_eq!(groups.len(), 1);
    let view = hierarchy::get_management_group(
        &fx.world,
        &fx.alice_home(),
        &fx.alicedefault.to_string(),
        true,
        false,
    )
    .unwrap();
    assert!(
        matches!(view.children.as_deref(), Some([ChildView::Subscription { id, .. }]) if *id == fx.sub)
    );
    assert_eq!(t.subscription_parent(fx.sub), fx.alicedefault.to_string());
}

#[test]
fn any_member_creates_a_group_under_the_root_but_not_under_another_group() {
    let mut fx = Fx::article();
    let erin = fx.member(fx.erin);
    let t = fx.alicedefault;
    let change = hierarchy::put_management_group(&fx.world, &erin, t, "team", under(""), fx.now)
        .unwrap()
        .0;
    assert_eq!(change.audit[0].operation, names::MANAGEMENT_GROUP_WRITE);
    assert_eq!(
        change.audit[0].target,
        "/providers/Microsoft.Management/managementGroups/team"
    );
    apply(&mut fx.world, &change);
    assert_eq!(parent_of(&fx, t, "team"), Some(t.to_string()));
    assert_eq!(
        fx.world
            .tenant(t)
            .unwrap()
            .management_group("TEAM")
            .unwrap()
            .display_name,
        "team"
    );
    // Under another group it takes write there, which no grant gives erin.
    let r = hierarchy::put_management_group(&fx.world, &erin, t, "sub-team", under("team"), fx.now);
    assert_eq!(code(r), "AuthorizationFailed");
    // A personal account outside any directory has no hierarchy.
    let alice_personal = personal(&fx.world, fx.alice);
    assert_eq!(
        code(hierarchy::list_management_groups(
            &fx.world,
            &alice_personal
        )),
        "AuthorizationFailed"
    );
    // Someone of another directory cannot create in this one.
    let sam = fx.member(fx.sam);
    let r = hierarchy::put_management_group(&fx.world, &sam, t, "x", under(""), fx.now);
    assert_eq!(code(r), "AuthorizationFailed");
}

#[test]
fn groups_nest_at_most_six_levels_below_the_root_and_never_in_a_cycle() {
    let mut fx = Fx::article();
    let (t, admin) = (fx.alicedefault, alice_admin(&fx));
    let mut parent = String::new();
    for level in 1..=MAX_MANAGEMENT_GROUP_DEPTH {
        let name = format!("l{level}");
        create(&mut fx, &admin, t, &name, &parent);
        parent = format!("/providers/Microsoft.Management/managementGroups/{name}");
    }
    assert_eq!(fx.world.tenant(t).unwrap().group_depth("l6"), 6);
    let r = hierarchy::put_management_group(&fx.world, &admin, t, "l7", under("l6"), fx.now);
    assert_eq!(code(r), "ManagementGroupDepthLimitExceeded");
    // l2 (with four levels below it) cannot go under l1's sibling at depth 2.
    create(&mut fx, &admin, t, "side", "l1");
    let r = hierarchy::update_management_group(&fx.world, &admin, t, "l2", under("side"), fx.now);
    assert_eq!(code(r), "ManagementGroupDepthLimitExceeded");
    // Nor under itself or what lies below it.
    for below in ["l2", "l4"] {
        let r =
            hierarchy::update_management_group(&fx.world, &admin, t, "l2", under(below), fx.now);
        assert_eq!(code(r), "ManagementGroupCycle", "{below}");
    }
    // l5 (one level below it) may move under the root.
    fx.ok(|fx| hierarchy::update_management_group(&fx.world, &admin, t, "l5", under(""), fx.now));
    assert_eq!(parent_of(&fx, t, "l5"), Some(t.to_string()));
    assert_eq!(fx.world.tenant(t).unwrap().group_depth("l6"), 2);
    let r = hierarchy::put_management_group(&fx.world, &admin, t, "x", under("nowhere"), fx.now);
    assert_eq!(code(r), "ParentManagementGroupNotFound");
    let r = hierarchy::put_management_group(&fx.world, &admin, t, "bad/name", under(""), fx.now);
    assert_eq!(code(r), "InvalidManagementGroupId");
}

#[test]
fn the_root_can_be_renamed_but_not_moved_or_deleted() {
    let mut fx = Fx::article();
    let (t, admin) = (fx.alicedefault, alice_admin(&fx));
    let root = t.to_string();
    create(&mut fx, &admin, t, "platform", "");
    let rename = ManagementGroupWrite {
        display_name: Some("Alice's root".into()),
        parent: None,
    };
    let created = fx.ok_with(|fx| {
        hierarchy::put_management_group(&fx.world, &admin, t, &root, rename.clone(), fx.now)
    });
    assert!(!created);
    let part = fx.world.tenant(t).unwrap();
    assert_eq!(
        part.management_group(&root).unwrap().display_name,
        "Alice's root"
    );
    assert_eq!(part.management_group_count(), 1, "the root is not counted");
    let r =
        hierarchy::update_management_group(&fx.world, &admin, t, &root, under("platform"), fx.now);
    assert_eq!(code(r), "RootManagementGroupImmutable");
    let r = hierarchy::delete_management_group(&fx.world, &admin, t, &root, fx.now);
    assert_eq!(code(r), "RootManagementGroupImmutable");
    // A member may read it but not rename it.
    let erin = fx.member(fx.erin);
    let r = hierarchy::update_management_group(&fx.world, &erin, t, &root, rename, fx.now);
    assert_eq!(code(r), "AuthorizationFailed");
}

#[test]
fn a_group_with_children_is_not_deleted_and_an_empty_one_is() {
    let mut fx = Fx::article();
    let (t, admin) = (fx.alicedefault, alice_admin(&fx));
    create(&mut fx, &admin, t, "platform", "");
    create(&mut fx, &admin, t, "prod", "platform");
    let r = hierarchy::delete_management_group(&fx.world, &admin, t, "platform", fx.now);
    assert_eq!(code(r), "ManagementGroupHasChildren");
    fx.ok(|fx| hierarchy::move_subscription(&fx.world, &admin, t, "prod", fx.sub, fx.now));
    let r = hierarchy::delete_management_group(&fx.world, &admin, t, "prod", fx.now);
    assert_eq!(code(r), "ManagementGroupHasChildren");
    fx.ok(|fx| hierarchy::remove_subscription(&fx.world, &admin, t, "prod", fx.sub, fx.now));
    let change =
        fx.ok(|fx| hierarchy::delete_management_group(&fx.world, &admin, t, "prod", fx.now));
    assert_eq!(change.audit[0].operation, names::MANAGEMENT_GROUP_DELETE);
    fx.ok(|fx| hierarchy::delete_management_group(&fx.world, &admin, t, "platform", fx.now));
    assert!(fx.world.tenant(t).unwrap().management_groups.is_empty());
    let r = hierarchy::delete_management_group(&fx.world, &admin, t, "platform", fx.now);
    assert_eq!(code(r), "ManagementGroupNotFound");
}

#[test]
fn placing_a_subscription_takes_owner_on_it_and_write_on_the_groups_it_leaves_and_joins() {
    let mut fx = Fx::article();
    let (t, admin) = (fx.alicedefault, alice_admin(&fx));
    create(&mut fx, &admin, t, "platform", "");
    // erin reads rg1 only; dave is a co-administrator (Owner's rights) but no Global Administrator.
    let erin = fx.member(fx.erin);
    let r = hierarchy::move_subscription(&fx.world, &erin, t, "platform", fx.sub, fx.now);
    assert_eq!(code(r), "AuthorizationFailed");
    let dave = fx.dave_home();
    let r = hierarchy::move_subscription(&fx.world, &dave, t, "platform", fx.sub, fx.now);
    assert_eq!(code(r), "AuthorizationFailed", "no write on the group");
    let change =
        fx.ok(|fx| hierarchy::move_subscription(&fx.world, &admin, t, "platform", fx.sub, fx.now));
    assert_eq!(
        change.audit[0].operation,
        names::MANAGEMENT_GROUP_SUBSCRIPTION_WRITE
    );
    assert_eq!(change.audit[0].subscription, Some(fx.sub));
    let part = fx.world.tenant(t).unwrap();
    assert_eq!(part.subscription_parent(fx.sub), "platform");
    assert!(
        fx.world
            .subscriptions_under_group(t, &t.to_string())
            .is_empty()
    );
    // Placing it where it is changes nothing.
    let again =
        hierarchy::move_subscription(&fx.world, &admin, t, "platform", fx.sub, fx.now).unwrap();
    assert!(again.mutations.is_empty());
    // Another directory's hierarchy does not take it.
    let contoso_admin = fx.member(fx.contoso_admin);
    let r = hierarchy::move_subscription(
        &fx.world,
        &contoso_admin,
        fx.contoso,
        &fx.contoso.to_string(),
        fx.sub,
        fx.now,
    );
    assert_eq!(code(r), "AuthorizationFailed");
    let r = hierarchy::move_subscription(
        &fx.world,
        &Actor::Operator,
        fx.contoso,
        &fx.contoso.to_string(),
        fx.sub,
        fx.now,
    );
    assert_eq!(code(r), "SubscriptionNotInDirectory");
    // Removing it from a group it is not under is refused.
    let r = hierarchy::remove_subscription(&fx.world, &admin, t, &t.to_string(), fx.sub, fx.now);
    assert_eq!(code(r), "SubscriptionNotUnderManagementGroup");
}
