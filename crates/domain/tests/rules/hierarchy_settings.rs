//! Hierarchy settings: kept at the tenant root group, changed only with write access there, and what
//! they change: who may create a group under the root, and where a new subscription lands.

use crate::admins::erin_subscription;
use crate::fixtures::*;
use tenantry_domain::roles;
use tenantry_domain::rules::hierarchy::{self, ManagementGroupWrite};
use tenantry_domain::rules::hierarchy_access::{self, GroupAssignmentWrite};
use tenantry_domain::rules::hierarchy_settings::{self, HierarchySettingsWrite};
use tenantry_domain::rules::invariants::violations;
use tenantry_domain::*;

fn write(require: Option<bool>, default_group: Option<&str>) -> HierarchySettingsWrite {
    HierarchySettingsWrite {
        require_authorization_for_group_creation: require,
        default_management_group: default_group.map(Into::into),
    }
}

/// Writes the settings of `tenant` as `actor` (PUT when `replace`, else PATCH).
#[track_caller]
fn put(fx: &mut Fx, actor: &Actor, tenant: TenantId, w: HierarchySettingsWrite, replace: bool) {
    let root = tenant.to_string();
    fx.ok(|fx| {
        hierarchy_settings::put_hierarchy_settings(
            &fx.world, actor, tenant, &root, w, replace, fx.now,
        )
    });
}

/// Creating a group under the root as `actor`, not applied (for refusals).
fn try_create(
    fx: &Fx,
    actor: &Actor,
    tenant: TenantId,
    name: &str,
) -> Result<(Change, bool), DomainError> {
    hierarchy::put_management_group(
        &fx.world,
        actor,
        tenant,
        name,
        ManagementGroupWrite::default(),
        fx.now,
    )
}

/// Creates a group under the root as `actor`.
#[track_caller]
fn create_group(fx: &mut Fx, actor: &Actor, tenant: TenantId, name: &str) {
    fx.ok_with(|fx| try_create(fx, actor, tenant, name));
}

#[test]
fn only_write_at_the_root_group_changes_the_settings_and_a_global_administrator_needs_to_elevate_first()
 {
    let mut fx = Fx::article();
    let t = fx.alicedefault;
    let root = t.to_string();
    // alice is a Global Administrator of her default directory; erin a member.
    let (alice, erin) = (fx.alice_home(), fx.member(fx.erin));
    for actor in [&alice, &erin] {
        let r = hierarchy_settings::put_hierarchy_settings(
            &fx.world,
            actor,
            t,
            &root,
            write(Some(true), None),
            true,
            fx.now,
        );
        assert_eq!(code(r), "AuthorizationFailed");
        assert_eq!(
            code(hierarchy_settings::hierarchy_settings(
                &fx.world, actor, &root
            )),
            "AuthorizationFailed"
        );
    }
    // Elevated, User Access Administrator at `/` grants roles but does not change settings.
    fx.ok(|fx| hierarchy_access::elevate_access(&fx.world, &alice, fx.now));
    let r = hierarchy_settings::put_hierarchy_settings(
        &fx.world,
        &alice,
        t,
        &root,
        write(Some(true), None),
        true,
        fx.now,
    );
    assert_eq!(code(r), "AuthorizationFailed");
    let owner_at_root = GroupAssignmentWrite {
        id: RoleAssignmentId::new(),
        group: root.clone(),
        principal: alice.object_id().unwrap(),
        role: roles::OWNER,
    };
    fx.ok_with(|fx| hierarchy_access::assign_at_group(&fx.world, &alice, t, owner_at_root, fx.now));
    assert_eq!(
        hierarchy_settings::hierarchy_settings(&fx.world, &alice, &root).unwrap(),
        None
    );
    put(&mut fx, &alice, t, write(Some(true), None), true);
    let h = hierarchy_settings::hierarchy_settings(&fx.world, &alice, &root)
        .unwrap()
        .unwrap();
    assert!(h.require_authorization_for_group_creation);
    assert_eq!(h.default_management_group, None);

    // At a group other than the root there are none.
    create_group(&mut fx, &alice, t, "platform");
    let r = hierarchy_settings::hierarchy_settings(&fx.world, &alice, "platform");
    assert_eq!(code(r), "HierarchySettingsOnlyAtRoot");
}

#[test]
fn requiring_authorization_keeps_members_from_creating_groups_under_the_root() {
    let mut fx = Fx::article();
    let t = fx.alicedefault;
    let erin = fx.member(fx.erin);
    let op = Actor::Operator;
    create_group(&mut fx, &erin, t, "erins");
    put(&mut fx, &op, t, write(Some(true), None), true);
    assert_eq!(
        code(try_create(&fx, &erin, t, "erins-second")),
        "AuthorizationFailed"
    );
    // Below a group she owns she still may.
    let below = hierarchy::put_management_group(
        &fx.world,
        &erin,
        t,
        "erins-child",
        ManagementGroupWrite {
            display_name: None,
            parent: Some("erins".into()),
        },
        fx.now,
    );
    assert!(below.is_ok(), "{below:?}");
    // A PATCH that names the other value keeps this one; a PUT without it returns it to off.
    put(&mut fx, &op, t, write(None, Some("erins")), false);
    assert_eq!(
        code(try_create(&fx, &erin, t, "erins-second")),
        "AuthorizationFailed"
    );
    put(&mut fx, &op, t, write(None, Some("erins")), true);
    create_group(&mut fx, &erin, t, "erins-second");
}

#[test]
fn new_subscriptions_land_under_the_default_group_which_cannot_be_deleted() {
    let mut fx = Fx::article();
    let t = fx.alicedefault;
    let op = Actor::Operator;
    create_group(&mut fx, &op, t, "landing");
    let r = hierarchy_settings::put_hierarchy_settings(
        &fx.world,
        &op,
        t,
        &t.to_string(),
        write(None, Some("nowhere")),
        true,
        fx.now,
    );
    assert_eq!(code(r), "DefaultManagementGroupNotFound");
    // Named by its full id, kept by name.
    put(
        &mut fx,
        &op,
        t,
        write(
            None,
            Some("/providers/Microsoft.Management/managementGroups/landing"),
        ),
        true,
    );
    let id = erin_subscription(&mut fx);
    assert_eq!(fx.world.subscriptions_under_group(t, "landing"), vec![id]);
    let r = hierarchy::delete_management_group(&fx.world, &op, t, "landing", fx.now);
    assert_eq!(code(r), "ManagementGroupIsDefault");
    assert!(violations(&fx.world).is_empty());
    // Without settings, new ones land under the root again.
    fx.ok(|fx| {
        hierarchy_settings::delete_hierarchy_settings(&fx.world, &op, t, &t.to_string(), fx.now)
    });
    let id = erin_subscription(&mut fx);
    assert!(
        fx.world
            .subscriptions_under_group(t, &t.to_string())
            .contains(&id)
    );
}
