//! Custom roles at home in a management group: made there (or at a subscription naming the group),
//! listed at the group and below, assignable there, inherited from the group, refused as Azure refuses
//! them, counted against the directory's 5,000, and left behind by a change of directory.

use crate::fixtures::*;
use tenantry_domain::action::names;
use tenantry_domain::rules::access::{self, RoleAssignmentWrite, RoleDefinitionWrite};
use tenantry_domain::rules::change_directory::{self, Approval};
use tenantry_domain::rules::group_roles::{self, GroupRoleDefinitionWrite};
use tenantry_domain::rules::hierarchy::{self, ManagementGroupWrite, group_id};
use tenantry_domain::rules::hierarchy_access::{self, GroupAssignmentWrite};
use tenantry_domain::rules::reads::{self, RoleDefinitionQuery};
use tenantry_domain::*;

/// Alice, Global Administrator of her default directory, elevated to User Access Administrator at the
/// root scope, with groups `platform` > `prod` and `other` under the root, and the subscription under
/// `prod`.
fn hierarchy_fx() -> (Fx, Actor) {
    let mut fx = Fx::article();
    let (t, alice) = (fx.alicedefault, fx.alice_home());
    fx.ok(|fx| hierarchy_access::elevate_access(&fx.world, &alice, fx.now));
    for (name, parent) in [("platform", ""), ("prod", "platform"), ("other", "")] {
        let write = ManagementGroupWrite {
            display_name: None,
            parent: Some(parent.into()),
        };
        fx.ok_with(|fx| hierarchy::put_management_group(&fx.world, &alice, t, name, write, fx.now));
    }
    fx.ok(|fx| hierarchy::move_subscription(&fx.world, &alice, t, "prod", fx.sub, fx.now));
    (fx, alice)
}

fn storage_reader(scopes: &[&str]) -> GroupRoleDefinitionWrite {
    GroupRoleDefinitionWrite {
        id: RoleDefinitionId::new(),
        tenant: None,
        at_group: None,
        name: "Storage Reader".into(),
        description: "Reads storage accounts below the group.".into(),
        permissions: vec![Permission {
            actions: vec![
                STORAGE_READ.into(),
                names::SUBSCRIPTION_READ.into(),
                names::RESOURCE_GROUP_READ.into(),
            ],
            ..Default::default()
        }],
        assignable_scopes: scopes.iter().map(|s| s.to_string()).collect(),
    }
}

fn at_group(
    fx: &mut Fx,
    actor: &Actor,
    group: &str,
    role: RoleDefinitionId,
    who: ObjectId,
) -> RoleAssignmentId {
    let write = GroupAssignmentWrite {
        id: RoleAssignmentId::new(),
        group: group.into(),
        principal: who,
        role,
    };
    let t = fx.alicedefault;
    fx.ok_with(|fx| hierarchy_access::assign_at_group(&fx.world, actor, t, write, fx.now))
        .0
        .id
}

#[test]
fn a_custom_role_at_a_group_is_listed_below_it_assignable_there_and_inherited() {
    let (mut fx, alice) = hierarchy_fx();
    let t = fx.alicedefault;
    let (change, role) = group_roles::put_group_role_definition(
        &fx.world,
        &alice,
        storage_reader(&[&group_id("platform")]),
        fx.now,
    )
    .unwrap();
    assert_eq!(change.audit[0].operation, names::ROLE_DEFINITION_WRITE);
    assert_eq!(change.audit[0].tenant, Some(t));
    apply(&mut fx.world, &change);
    assert_eq!((role.tenant, role.subscription), (Some(t), None));
    assert_eq!(role.home_group(), Some("platform"));
    assert_eq!(role.role_type(), "CustomRole");

    // Listed at its group, below it, and in the subscription under it; not at a sibling.
    let custom = RoleDefinitionQuery {
        custom: Some(true),
        ..Default::default()
    };
    let names_at = |fx: &Fx, group: &str| -> Vec<String> {
        group_roles::list_group_role_definitions(&fx.world, &alice, group, &custom)
            .unwrap()
            .iter()
            .map(|d| d.name.clone())
            .collect()
    };
    assert_eq!(names_at(&fx, "platform"), ["Storage Reader"]);
    assert_eq!(names_at(&fx, "prod"), ["Storage Reader"]);
    assert!(names_at(&fx, "other").is_empty());
    let in_sub = reads::list_role_definitions(&fx.world, &alice, &fx.sub_scope(), &custom).unwrap();
    assert!(in_sub.iter().any(|d| d.id == role.id), "{in_sub:?}");

    // Assigned at the group, it reaches the subscription's storage, and says from where.
    let storage = fx.storage.clone();
    let gina_id = new_user(&mut fx.world, t, "gina", None);
    let gina = fx.member(gina_id);
    assert!(!fx.can(&gina, STORAGE_READ, &storage));
    let at_platform = at_group(&mut fx, &alice, "platform", role.id, gina_id);
    assert!(fx.can(&gina, STORAGE_READ, &storage));
    assert!(!fx.can(&gina, STORAGE_WRITE, &storage));
    let grants = fx
        .world
        .explain_access(gina_id, &action(STORAGE_READ), &storage);
    assert!(
        grants
            .iter()
            .any(|g| g.describe() == "Storage Reader at management group platform"),
        "{grants:?}"
    );
    let granted = fx.world.granted_permissions(gina_id, &fx.sub_scope());
    assert!(
        granted
            .iter()
            .any(|g| g.permission.actions.contains(&STORAGE_READ.to_string()))
    );

    // Not assignable at a group its home does not reach.
    let write = GroupAssignmentWrite {
        id: RoleAssignmentId::new(),
        group: "other".into(),
        principal: gina_id,
        role: role.id,
    };
    let r = hierarchy_access::assign_at_group(&fx.world, &alice, t, write, fx.now);
    assert_eq!(code(r), "RoleAssignmentNotAllowedAtScope");

    // Assignable in the subscription below it, by its owner.
    let in_rg = RoleAssignmentWrite {
        id: RoleAssignmentId::new(),
        scope: fx.rg("rg1"),
        role_definition: role.id,
        principal: fx.erin,
        principal_type: None,
        description: None,
    };
    let put = fx.ok_with(|fx| access::create_role_assignment(&fx.world, &alice, in_rg, fx.now));
    assert!(put.created);

    // Deleting it while assigned is refused; once unassigned it goes, with an audit event.
    let r = group_roles::delete_group_role_definition(&fx.world, &alice, t, role.id, fx.now);
    assert_eq!(code(r), "RoleDefinitionHasAssignments");
    fx.ok(|fx| {
        hierarchy_access::remove_group_assignment(&fx.world, &alice, t, at_platform, fx.now)
    });
    let id = put.assignment.id;
    let sub = fx.sub;
    fx.ok_with(|fx| {
        access::delete_role_assignment(&fx.world, &alice, sub, id, fx.now).map(|o| o.unwrap())
    });
    assert!(!fx.can(&gina, STORAGE_READ, &storage));
    // Deleted from the subscription's scope, as `az role definition delete` does.
    let (change, gone) = access::delete_role_definition(&fx.world, &alice, sub, role.id, fx.now)
        .unwrap()
        .unwrap();
    assert_eq!(change.audit[0].operation, names::ROLE_DEFINITION_DELETE);
    assert_eq!(gone.id, role.id);
    apply(&mut fx.world, &change);
    assert!(fx.world.tenant(t).unwrap().custom_roles.is_empty());
}

#[test]
fn assignable_scopes_name_one_group_of_the_directory_and_never_the_root() {
    let (mut fx, alice) = hierarchy_fx();
    let put = |fx: &Fx, actor: &Actor, w: GroupRoleDefinitionWrite| {
        group_roles::put_group_role_definition(&fx.world, actor, w, fx.now)
    };
    let two = storage_reader(&[&group_id("platform"), &group_id("other")]);
    assert_eq!(code(put(&fx, &alice, two)), "InvalidAssignableScope");
    let root = storage_reader(&["/", &group_id("platform")]);
    assert_eq!(code(put(&fx, &alice, root)), "InvalidAssignableScope");
    let contoso_sub = fx
        .world
        .subscriptions_of_tenant(fx.contoso)
        .next()
        .map(|p| p.subscription.id);
    if let Some(other) = contoso_sub {
        let elsewhere =
            storage_reader(&[&group_id("platform"), &format!("/subscriptions/{other}")]);
        assert_eq!(code(put(&fx, &alice, elsewhere)), "InvalidAssignableScope");
    }
    let missing = storage_reader(&[&group_id("nowhere")]);
    assert_eq!(code(put(&fx, &alice, missing)), "ManagementGroupNotFound");
    // A member without write access at the group is refused there.
    let erin = fx.member(fx.erin);
    let r = put(&fx, &erin, storage_reader(&[&group_id("platform")]));
    assert_eq!(code(r), "AuthorizationFailed");
    // A subscription's custom role holds the name in the directory.
    fx.custom_role("Storage Reader", &[STORAGE_READ], &[]);
    let r = put(&fx, &alice, storage_reader(&[&group_id("platform")]));
    assert_eq!(code(r), "RoleDefinitionWithSameNameExists");
    // Made at a subscription with the group beside it, the role is the directory's, at the group.
    let mut w = storage_reader(&[]);
    w.name = "Platform Reader".into();
    let sub_write = RoleDefinitionWrite {
        id: w.id,
        subscription: fx.sub,
        name: w.name.clone(),
        description: w.description.clone(),
        permissions: w.permissions.clone(),
        assignable_scopes: vec![format!("/subscriptions/{}", fx.sub), group_id("Platform")],
    };
    let d = fx.ok_with(|fx| access::put_role_definition(&fx.world, &alice, sub_write, fx.now));
    assert_eq!((d.tenant, d.subscription), (Some(fx.alicedefault), None));
    assert_eq!(d.home_group(), Some("platform"));
    assert!(
        !fx.world
            .subscription(fx.sub)
            .unwrap()
            .custom_roles
            .contains_key(&d.id)
    );
}

#[test]
fn the_limit_of_custom_roles_counts_both_kinds() {
    let (mut fx, alice) = hierarchy_fx();
    let t = fx.alicedefault;
    let mut change = Change::new();
    let made: usize = fx
        .world
        .subscriptions_of_tenant(t)
        .map(|p| p.custom_roles.len())
        .sum();
    for i in made..MAX_CUSTOM_ROLES_PER_TENANT - 1 {
        change.push(Mutation::PutRoleDefinition(RoleDefinition {
            id: RoleDefinitionId::new(),
            subscription: Some(fx.sub),
            tenant: None,
            name: format!("role {i}"),
            description: String::new(),
            permissions: vec![Permission {
                actions: vec!["*/read".into()],
                ..Default::default()
            }],
            assignable_scopes: vec![format!("/subscriptions/{}", fx.sub)],
            created: fx.now,
        }));
    }
    fx.world.apply(&change);
    // The 5,000th is a group's; then neither kind may be made.
    fx.ok_with(|fx| {
        group_roles::put_group_role_definition(
            &fx.world,
            &alice,
            storage_reader(&[&group_id("platform")]),
            fx.now,
        )
    });
    let mut w = storage_reader(&[&group_id("platform")]);
    w.name = "One too many".into();
    let r = group_roles::put_group_role_definition(&fx.world, &alice, w, fx.now);
    assert_eq!(code(r), "RoleDefinitionLimitExceeded");
    let sub_write = RoleDefinitionWrite {
        id: RoleDefinitionId::new(),
        subscription: fx.sub,
        name: "Also too many".into(),
        description: String::new(),
        permissions: vec![Permission {
            actions: vec!["*/read".into()],
            ..Default::default()
        }],
        assignable_scopes: vec![],
    };
    let r = access::put_role_definition(&fx.world, &Actor::Operator, sub_write, fx.now);
    assert_eq!(code(r), "RoleDefinitionLimitExceeded");
    assert_eq!(fx.world.tenant(t).unwrap().custom_roles.len(), 1);
}

#[test]
fn a_change_of_directory_drops_assignments_that_name_a_role_of_the_sources_groups() {
    let (mut fx, alice) = hierarchy_fx();
    let role = fx.ok_with(|fx| {
        group_roles::put_group_role_definition(
            &fx.world,
            &alice,
            storage_reader(&[&group_id("platform")]),
            fx.now,
        )
    });
    let in_sub = RoleAssignmentWrite {
        id: RoleAssignmentId::new(),
        scope: fx.sub_scope(),
        role_definition: role.id,
        principal: fx.erin,
        principal_type: None,
        description: None,
    };
    let put = fx.ok_with(|fx| access::create_role_assignment(&fx.world, &alice, in_sub, fx.now));
    // Even mapped to a principal of the destination, the assignment is not re-granted: its role stays
    // with the source.
    let map = [PrincipalMapEntry {
        from: fx.erin.to_string(),
        to: fx.contoso_admin.to_string(),
    }];
    let plan = change_directory::plan(
        &fx.world,
        &Actor::Operator,
        fx.sub,
        fx.contoso,
        &map,
        Approval::Initiator,
        fx.now,
    )
    .unwrap();
    let losing: Vec<(RoleAssignmentId, &str)> = plan
        .assignments_losing_role
        .iter()
        .map(|a| (a.assignment.id, a.role_name.as_str()))
        .collect();
    assert_eq!(losing, [(put.assignment.id, "Storage Reader")]);
    assert!(
        plan.removed_assignments
            .iter()
            .any(|a| a.assignment.id == put.assignment.id)
    );
    assert!(
        plan.regranted_assignments
            .iter()
            .all(|a| a.assignment.role_definition != role.id)
    );
    let change =
        change_directory::apply_plan(&fx.world, &Actor::Operator, &plan, None, fx.now).unwrap();
    apply(&mut fx.world, &change);
    let part = fx.world.subscription(fx.sub).unwrap();
    assert_eq!(part.subscription.tenant, fx.contoso);
    assert!(
        part.assignments
            .values()
            .all(|a| a.role_definition != role.id)
    );
    // The role stays at home in the source's group.
    assert!(
        fx.world
            .tenant(fx.alicedefault)
            .unwrap()
            .custom_roles
            .contains_key(&role.id)
    );
}

#[test]
fn a_move_that_would_leave_assignments_below_their_roles_home_is_refused() {
    let (mut fx, alice) = hierarchy_fx();
    let t = fx.alicedefault;
    // The role lives at prod (under platform), and is assigned in the subscription under prod.
    let (change, role) = group_roles::put_group_role_definition(
        &fx.world,
        &alice,
        storage_reader(&[&group_id("prod")]),
        fx.now,
    )
    .unwrap();
    apply(&mut fx.world, &change);
    let in_rg = RoleAssignmentWrite {
        id: RoleAssignmentId::new(),
        scope: fx.rg("rg1"),
        role_definition: role.id,
        principal: fx.erin,
        principal_type: None,
        description: None,
    };
    let put = fx.ok_with(|fx| access::create_role_assignment(&fx.world, &alice, in_rg, fx.now));
    // Moving the subscription out from under prod would cut the assignment from its role.
    let sub = fx.sub;
    let r = hierarchy::move_subscription(&fx.world, &alice, t, "other", sub, fx.now);
    assert_eq!(code(r), "RoleDefinitionScopeBreak");
    // So would moving prod's parent? No: prod moves along with what is under it.
    let write = ManagementGroupWrite {
        display_name: None,
        parent: Some("other".into()),
    };
    fx.ok(|fx| hierarchy::update_management_group(&fx.world, &alice, t, "prod", write, fx.now));
    // A role at platform, assigned at prod, is cut when prod leaves platform.
    let (change, outer) = group_roles::put_group_role_definition(
        &fx.world,
        &alice,
        GroupRoleDefinitionWrite {
            name: "Outer Reader".into(),
            ..storage_reader(&[&group_id("platform")])
        },
        fx.now,
    )
    .unwrap();
    apply(&mut fx.world, &change);
    let back = ManagementGroupWrite {
        display_name: None,
        parent: Some("platform".into()),
    };
    fx.ok(|fx| hierarchy::update_management_group(&fx.world, &alice, t, "prod", back, fx.now));
    let gina = new_user(&mut fx.world, t, "gina", None);
    at_group(&mut fx, &alice, "prod", outer.id, gina);
    let away = ManagementGroupWrite {
        display_name: None,
        parent: Some("other".into()),
    };
    let r = hierarchy::update_management_group(&fx.world, &alice, t, "prod", away, fx.now);
    assert_eq!(code(r), "RoleDefinitionScopeBreak");
    // Once the assignment in the subscription is gone, the subscription moves freely out of prod
    // (nothing in it uses the role any more).
    let id = put.assignment.id;
    fx.ok_with(|fx| {
        access::delete_role_assignment(&fx.world, &alice, sub, id, fx.now).map(|o| o.unwrap())
    });
    fx.ok(|fx| hierarchy::move_subscription(&fx.world, &alice, t, "other", sub, fx.now));
}

#[test]
fn a_group_where_a_custom_role_is_defined_is_not_deleted_until_the_role_goes() {
    let (mut fx, alice) = hierarchy_fx();
    let t = fx.alicedefault;
    let (change, role) = group_roles::put_group_role_definition(
        &fx.world,
        &alice,
        storage_reader(&[&group_id("other")]),
        fx.now,
    )
    .unwrap();
    apply(&mut fx.world, &change);
    let r = hierarchy::delete_management_group(&fx.world, &alice, t, "other", fx.now);
    assert_eq!(code(r), "ManagementGroupHasRoleDefinitions");
    fx.ok(|fx| {
        group_roles::delete_group_role_definition(&fx.world, &alice, t, role.id, fx.now)
            .map(|o| o.map(|(c, _)| c).unwrap_or_default())
    });
    fx.ok(|fx| hierarchy::delete_management_group(&fx.world, &alice, t, "other", fx.now));
}
