//! Management groups: the tenant root group, groups created, renamed, moved and deleted within Azure's
//! limits, subscriptions placed under them, and who may do each.

use crate::fixtures::*;
use tenantry_domain::action::names;
use tenantry_domain::roles;
use tenantry_domain::rules::hierarchy::{self, ChildView, ManagementGroupWrite};
use tenantry_domain::rules::hierarchy_access::{self, GroupAssignmentWrite};
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
pub(crate) fn create(fx: &mut Fx, actor: &Actor, tenant: TenantId, name: &str, parent: &str) {
    let created = fx.ok_with(|fx| {
        hierarchy::put_management_group(&fx.world, actor, tenant, name, under(parent), fx.now)
    });
    assert!(created, "{name} existed");
}

/// Alice, a (guest) Global Administrator of her default directory, elevated to User Access
/// Administrator at the root scope.
pub(crate) fn alice_admin(fx: &mut Fx) -> Actor {
    let alice = fx.alice_home();
    let change = fx.ok(|fx| hierarchy_access::elevate_access(&fx.world, &alice, fx.now));
    assert_eq!(
        change.audit[0].operation,
        "Microsoft.Authorization/elevateAccess/action"
    );
    alice
}

/// Assigns `role` at `group` as `actor`; returns the assignment's id.
#[track_caller]
pub(crate) fn assign(
    fx: &mut Fx,
    actor: &Actor,
    tenant: TenantId,
    group: &str,
    principal: ObjectId,
    role: RoleDefinitionId,
) -> RoleAssignmentId {
    let write = GroupAssignmentWrite {
        id: RoleAssignmentId::new(),
        group: group.into(),
        principal,
        role,
    };
    let (a, made) =
        fx.ok_with(|fx| hierarchy_access::assign_at_group(&fx.world, actor, tenant, write, fx.now));
    assert!(made);
    a.id
}

fn parent_of(fx: &Fx, tenant: TenantId, name: &str) -> Option<String> {
    fx.world.tenant(tenant).unwrap().parent_group(name)
}

#[test]
fn every_tenant_has_a_root_group_named_by_its_id_without_a_row() {
    let fx = Fx::article();
    let t = fx.world.tenant(fx.alicedefault).unwrap();
    assert!(t.management_groups().is_empty());
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
    // She owns what she made, so she may create below it, not below a group someone else made.
    assert_eq!(
        fx.world.tenant(t).unwrap().group_assignments_of(fx.erin)[0].role_definition,
        roles::OWNER
    );
    create(&mut fx, &erin, t, "sub-team", "team");
    let admin = alice_admin(&mut fx);
    create(&mut fx, &admin, t, "platform", "");
    let r = hierarchy::put_management_group(&fx.world, &erin, t, "x", under("platform"), fx.now);
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
    let (t, admin) = (fx.alicedefault, alice_admin(&mut fx));
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
    let (t, admin) = (fx.alicedefault, alice_admin(&mut fx));
    let root = t.to_string();
    create(&mut fx, &admin, t, "platform", "");
    // Elevated access assigns roles only: renaming the root takes Owner there, which it can grant.
    let alice_there = fx.world.presence(fx.alice, t).unwrap();
    assign(&mut fx, &admin, t, &root, alice_there, roles::OWNER);
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
    let (t, admin) = (fx.alicedefault, alice_admin(&mut fx));
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
    assert!(fx.world.tenant(t).unwrap().management_groups().is_empty());
    let r = hierarchy::delete_management_group(&fx.world, &admin, t, "platform", fx.now);
    assert_eq!(code(r), "ManagementGroupNotFound");
}

#[test]
fn placing_a_subscription_takes_owner_on_it_and_write_on_the_groups_it_leaves_and_joins() {
    let mut fx = Fx::article();
    let (t, admin) = (fx.alicedefault, alice_admin(&mut fx));
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

#[test]
fn only_a_global_administrator_elevates_and_only_once() {
    let mut fx = Fx::article();
    let erin = fx.member(fx.erin);
    let r = hierarchy_access::elevate_access(&fx.world, &erin, fx.now);
    assert_eq!(code(r), "Authorization_RequestDenied");
    let alice = alice_admin(&mut fx);
    let again = hierarchy_access::elevate_access(&fx.world, &alice, fx.now).unwrap();
    assert!(again.mutations.is_empty());
    // Elevated, she may manage access on the subscription too (User Access Administrator at '/').
    assert!(fx.can(&alice, names::ROLE_ASSIGNMENT_WRITE, &fx.sub_scope()));
}

#[test]
fn an_assignment_at_a_group_reaches_every_subscription_and_resource_below_and_says_so() {
    let mut fx = Fx::article();
    let (t, admin) = (fx.alicedefault, alice_admin(&mut fx));
    create(&mut fx, &admin, t, "platform", "");
    create(&mut fx, &admin, t, "prod", "platform");
    // erin reads rg1 only (the fixture's Reader there).
    let erin = fx.member(fx.erin);
    let (storage, sub) = (fx.storage.clone(), fx.sub_scope());
    assert!(!fx.can(&erin, names::SUBSCRIPTION_READ, &sub));
    let erin_id = fx.erin;
    let id = assign(&mut fx, &admin, t, "platform", erin_id, roles::READER);
    // Not yet: the subscription is under the root.
    assert!(!fx.can(&erin, names::SUBSCRIPTION_READ, &sub));
    fx.ok(|fx| hierarchy::move_subscription(&fx.world, &admin, t, "prod", fx.sub, fx.now));
    assert!(fx.can(&erin, names::SUBSCRIPTION_READ, &sub));
    assert!(fx.can(&erin, names::RESOURCE_GROUP_READ, &fx.rg("rg1")));
    assert!(!fx.can(&erin, STORAGE_WRITE, &storage));
    let grants = fx
        .world
        .explain_access(fx.erin, &action(names::SUBSCRIPTION_READ), &sub);
    assert!(
        grants
            .iter()
            .any(|g| g.describe() == "Reader at management group platform"),
        "{grants:?}"
    );
    // The permissions API lists Reader's blocks with the group they come from.
    let granted = fx.world.granted_permissions(fx.erin, &sub);
    assert!(
        granted
            .iter()
            .any(|g| g.grant.describe() == "Reader at management group platform"),
        "{granted:?}"
    );
    // She reads the groups below it, not the root's other children.
    assert!(hierarchy::may_read_group(&fx.world, &erin, t, "prod"));
    // The change-directory preview lists it as lost, with its group.
    let plan = tenantry_domain::rules::change_directory::plan(
        &fx.world,
        &fx.alice_home(),
        fx.sub,
        fx.contoso,
        &[],
        tenantry_domain::rules::change_directory::Approval::Initiator,
        fx.now,
    )
    .unwrap();
    let lost: Vec<(&str, &str)> = plan
        .inherited_assignments_lost
        .iter()
        .map(|l| (l.role_name.as_str(), l.management_group.as_str()))
        .collect();
    assert!(lost.contains(&("Reader", "platform")), "{lost:?}");
    assert!(
        lost.contains(&("User Access Administrator", "/")),
        "{lost:?}"
    );
    // A second identical assignment is refused; removing it ends the access.
    let again = GroupAssignmentWrite {
        id: RoleAssignmentId::new(),
        group: "platform".into(),
        principal: fx.erin,
        role: roles::READER,
    };
    let r = hierarchy_access::assign_at_group(&fx.world, &admin, t, again, fx.now);
    assert_eq!(code(r), "RoleAssignmentExists");
    let r = hierarchy_access::remove_group_assignment(&fx.world, &erin, t, id, fx.now);
    assert_eq!(code(r), "AuthorizationFailed");
    fx.ok(|fx| hierarchy_access::remove_group_assignment(&fx.world, &admin, t, id, fx.now));
    assert!(!fx.can(&erin, names::SUBSCRIPTION_READ, &sub));
}

#[test]
fn an_assignment_to_a_security_group_at_a_management_group_reaches_its_members() {
    let mut fx = Fx::article();
    let (t, admin) = (fx.alicedefault, alice_admin(&mut fx));
    create(&mut fx, &admin, t, "platform", "");
    fx.ok(|fx| hierarchy::move_subscription(&fx.world, &admin, t, "platform", fx.sub, fx.now));
    let team = fx.group(t, "Team", &[fx.erin]);
    assign(&mut fx, &admin, t, "platform", team, roles::CONTRIBUTOR);
    let erin = fx.member(fx.erin);
    assert!(fx.can(&erin, STORAGE_WRITE, &fx.storage.clone()));
    let grants = fx
        .world
        .explain_access(fx.erin, &action(STORAGE_WRITE), &fx.storage);
    assert!(
        grants
            .iter()
            .any(|g| g.describe() == "Contributor at management group platform through group Team"),
        "{grants:?}"
    );
    // Deleting the group takes its assignment at the management group along.
    fx.ok(|fx| {
        tenantry_domain::rules::groups::delete_group(&fx.world, &Actor::Operator, t, team, fx.now)
    });
    assert!(
        fx.world
            .tenant(t)
            .unwrap()
            .group_assignments_of(team)
            .is_empty()
    );
    assert!(!fx.can(&erin, STORAGE_WRITE, &fx.storage.clone()));
}

#[test]
fn moving_a_group_moves_the_access_inherited_through_it() {
    let mut fx = Fx::article();
    let (t, admin) = (fx.alicedefault, alice_admin(&mut fx));
    create(&mut fx, &admin, t, "platform", "");
    create(&mut fx, &admin, t, "prod", "platform");
    create(&mut fx, &admin, t, "sandbox", "");
    fx.ok(|fx| hierarchy::move_subscription(&fx.world, &admin, t, "prod", fx.sub, fx.now));
    let erin = fx.member(fx.erin);
    let sub = fx.sub_scope();
    let erin_id = fx.erin;
    assign(&mut fx, &admin, t, "platform", erin_id, roles::READER);
    let reads = |fx: &Fx| {
        let allowed = fx.can(&erin, names::SUBSCRIPTION_READ, &sub);
        // The check every request makes and the explanation agree.
        let explained = !fx
            .world
            .explain_access(fx.erin, &action(names::SUBSCRIPTION_READ), &sub)
            .is_empty();
        assert_eq!(allowed, explained);
        allowed
    };
    assert!(reads(&fx));
    // prod (with the subscription) moves out from under platform: the access inherited from it ends.
    fx.ok_with(|fx| {
        hierarchy::put_management_group(&fx.world, &admin, t, "prod", under("sandbox"), fx.now)
    });
    assert!(!reads(&fx));
    // And comes back with it.
    fx.ok_with(|fx| {
        hierarchy::put_management_group(&fx.world, &admin, t, "prod", under("platform"), fx.now)
    });
    assert!(reads(&fx));
    // The subscription moves to the root: nothing above it is platform any more.
    let root = t.to_string();
    fx.ok(|fx| hierarchy::move_subscription(&fx.world, &admin, t, &root, fx.sub, fx.now));
    assert!(!reads(&fx));
    // A group deleted and made again elsewhere under the same name keeps nothing of its old place.
    create(&mut fx, &admin, t, "temp", "platform");
    fx.ok(|fx| hierarchy::delete_management_group(&fx.world, &admin, t, "temp", fx.now));
    create(&mut fx, &admin, t, "temp", "sandbox");
    fx.ok(|fx| hierarchy::move_subscription(&fx.world, &admin, t, "temp", fx.sub, fx.now));
    assert!(!reads(&fx));
}
