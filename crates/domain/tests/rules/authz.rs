//! Azure RBAC semantics: built-in roles at subscription, resource group and resource scope, inheritance
//! downward only, notActions that subtract without denying, classic administrators, and the token's tenant.

use crate::fixtures::*;
use tenantry_domain::action::names;
use tenantry_domain::authz::Grant;
use tenantry_domain::rules::admins::{self, NewSubscription};
use tenantry_domain::*;

/// A member of alicedefault with one role at one scope, signed in there.
fn holder(fx: &mut Fx, name: &str, role: RoleDefinitionId, scope: Scope) -> Actor {
    let u = fx.user(fx.alicedefault, name, None);
    fx.assign(scope, role, u);
    fx.member(u)
}

/// rg1 (with st1) and rg2 (with st2).
fn two_groups(fx: &mut Fx) -> (Scope, Scope, Scope, Scope) {
    let rg2 = fx.put_group("rg2");
    let st2 = fx.put_storage("rg2", "st2");
    (fx.rg("rg1"), fx.storage.clone(), rg2, st2)
}

#[test]
fn owner_at_a_resource_group_does_everything_there_and_below_but_nothing_above_or_beside() {
    let mut fx = Fx::article();
    let (rg1, st1, rg2, st2) = two_groups(&mut fx);
    let o = holder(&mut fx, "owner", roles::OWNER, rg1.clone());
    for a in [
        names::RESOURCE_GROUP_WRITE,
        names::RESOURCE_GROUP_DELETE,
        names::ROLE_ASSIGNMENT_WRITE,
    ] {
        assert!(fx.can(&o, a, &rg1), "{a}");
    }
    for a in [
        STORAGE_WRITE,
        STORAGE_DELETE,
        names::ROLE_ASSIGNMENT_WRITE,
        names::ROLE_ASSIGNMENT_DELETE,
    ] {
        assert!(fx.can(&o, a, &st1), "{a}");
    }
    assert!(!fx.can(&o, names::RESOURCE_GROUP_READ, &fx.sub_scope()));
    assert!(!fx.can(&o, names::ROLE_ASSIGNMENT_WRITE, &fx.sub_scope()));
    assert!(!fx.can(&o, names::RESOURCE_GROUP_READ, &rg2));
    assert!(!fx.can(&o, STORAGE_READ, &st2));
}

#[test]
fn owner_at_the_subscription_reaches_every_group_and_resource() {
    let mut fx = Fx::article();
    let (rg1, st1, rg2, st2) = two_groups(&mut fx);
    let scope = fx.sub_scope();
    let o = holder(&mut fx, "owner", roles::OWNER, scope);
    for s in [fx.sub_scope(), rg1, st1, rg2, st2] {
        assert!(fx.can(&o, names::ROLE_ASSIGNMENT_WRITE, &s), "{s}");
        assert!(
            fx.can(&o, "Microsoft.Compute/virtualMachines/write", &s),
            "{s}"
        );
    }
}

#[test]
fn contributor_manages_resources_but_not_access() {
    let mut fx = Fx::article();
    let (rg1, st1, rg2, _) = two_groups(&mut fx);
    let c = holder(&mut fx, "contributor", roles::CONTRIBUTOR, rg1.clone());
    assert!(fx.can(&c, names::RESOURCE_GROUP_WRITE, &rg1));
    assert!(fx.can(&c, STORAGE_WRITE, &st1));
    assert!(fx.can(&c, STORAGE_DELETE, &st1));
    assert!(fx.can(&c, names::ROLE_ASSIGNMENT_READ, &rg1));
    assert!(!fx.can(&c, names::ROLE_ASSIGNMENT_WRITE, &rg1));
    assert!(!fx.can(&c, names::ROLE_ASSIGNMENT_DELETE, &st1));
    assert!(!fx.can(&c, names::ROLE_DEFINITION_WRITE, &rg1));
    assert!(!fx.can(&c, "Microsoft.Authorization/elevateAccess/Action", &rg1));
    assert!(!fx.can(&c, STORAGE_WRITE, &rg2));
}

#[test]
fn contributor_cannot_create_a_role_assignment_through_the_rule() {
    let mut fx = Fx::article();
    let scope = fx.sub_scope();
    let c = holder(&mut fx, "contributor", roles::CONTRIBUTOR, scope);
    let r = tenantry_domain::rules::access::create_role_assignment(
        &fx.world,
        &c,
        tenantry_domain::rules::access::RoleAssignmentWrite {
            id: RoleAssignmentId::new(),
            scope: fx.rg("rg1"),
            role_definition: roles::OWNER,
            principal: fx.erin,
            description: None,
            principal_type: None,
        },
        fx.now,
    );
    let e = refusal(r);
    assert_eq!(e.code, "AuthorizationFailed");
    assert!(e.message.contains(names::ROLE_ASSIGNMENT_WRITE));
}

#[test]
fn reader_only_reads() {
    let mut fx = Fx::article();
    let (rg1, st1, _, _) = two_groups(&mut fx);
    let scope = fx.sub_scope();
    let r = holder(&mut fx, "reader", roles::READER, scope);
    for s in [fx.sub_scope(), rg1.clone(), st1.clone()] {
        assert!(fx.can(&r, names::RESOURCE_GROUP_READ, &s));
        assert!(fx.can(&r, STORAGE_READ, &s));
        assert!(fx.can(&r, names::ROLE_ASSIGNMENT_READ, &s));
        assert!(!fx.can(&r, STORAGE_WRITE, &s));
        assert!(!fx.can(&r, STORAGE_DELETE, &s));
        assert!(!fx.can(&r, names::RESOURCE_GROUP_WRITE, &s));
        assert!(!fx.can(&r, names::ROLE_ASSIGNMENT_WRITE, &s));
        assert!(!fx.can(&r, "Microsoft.Storage/storageAccounts/listKeys/action", &s));
    }
}

#[test]
fn user_access_administrator_manages_access_and_reads_but_does_not_write_resources() {
    let mut fx = Fx::article();
    let (rg1, st1, _, _) = two_groups(&mut fx);
    let u = holder(
        &mut fx,
        "uaa",
        roles::USER_ACCESS_ADMINISTRATOR,
        rg1.clone(),
    );
    assert!(fx.can(&u, names::ROLE_ASSIGNMENT_WRITE, &rg1));
    assert!(fx.can(&u, names::ROLE_ASSIGNMENT_DELETE, &st1));
    assert!(fx.can(&u, names::ROLE_DEFINITION_WRITE, &rg1));
    assert!(fx.can(&u, STORAGE_READ, &st1));
    assert!(fx.can(&u, "Microsoft.Support/supportTickets/write", &rg1));
    assert!(!fx.can(&u, STORAGE_WRITE, &st1));
    assert!(!fx.can(&u, names::RESOURCE_GROUP_DELETE, &rg1));
    assert!(!fx.can(&u, names::ROLE_ASSIGNMENT_WRITE, &fx.sub_scope()));
}

#[test]
fn an_assignment_at_a_resource_reaches_neither_its_group_nor_its_siblings() {
    let mut fx = Fx::article();
    let sibling = fx.put_storage("rg1", "st1b");
    let scope = fx.storage.clone();
    let o = holder(&mut fx, "owner", roles::OWNER, scope);
    assert!(fx.can(&o, STORAGE_DELETE, &fx.storage));
    assert!(!fx.can(&o, STORAGE_READ, &sibling));
    assert!(!fx.can(&o, names::RESOURCE_GROUP_READ, &fx.rg("rg1")));
    // A group whose name starts like another's is not inside it.
    fx.put_group("rg10");
    let scope = fx.rg("rg1");
    let o1 = holder(&mut fx, "owner1", roles::OWNER, scope);
    assert!(!fx.can(&o1, names::RESOURCE_GROUP_READ, &fx.rg("rg10")));
}

#[test]
fn scopes_and_actions_compare_case_insensitively() {
    let mut fx = Fx::article();
    let scope = fx.rg("rg1");
    let r = holder(&mut fx, "reader", roles::READER, scope);
    assert!(fx.can(&r, "microsoft.storage/STORAGEACCOUNTS/READ", &fx.storage));
    let upper = Scope::parse(
        &fx.storage
            .to_string()
            .to_uppercase()
            .replace("SUBSCRIPTIONS", "subscriptions"),
    )
    .unwrap();
    assert!(fx.can(&r, STORAGE_READ, &upper));
}

#[test]
fn not_actions_are_not_denies_reader_plus_a_custom_role_that_writes_may_write() {
    let mut fx = Fx::article();
    let writer = fx.custom_role("Storage Writer", &[STORAGE_WRITE], &[]);
    let u = fx.user(fx.alicedefault, "mixed", None);
    fx.assign(fx.rg("rg1"), roles::READER, u);
    let actor = fx.member(u);
    assert!(!fx.can(&actor, STORAGE_WRITE, &fx.storage));
    fx.assign(fx.storage.clone(), writer, u);
    assert!(fx.can(&actor, STORAGE_WRITE, &fx.storage));
    assert!(fx.can(&actor, STORAGE_READ, &fx.storage));
    assert!(!fx.can(&actor, STORAGE_DELETE, &fx.storage));
}

#[test]
fn contributor_plus_user_access_administrator_may_write_role_assignments() {
    let mut fx = Fx::article();
    let u = fx.user(fx.alicedefault, "both", None);
    fx.assign(fx.sub_scope(), roles::CONTRIBUTOR, u);
    fx.assign(fx.rg("rg1"), roles::USER_ACCESS_ADMINISTRATOR, u);
    let actor = fx.member(u);
    // Contributor's notAction on Microsoft.Authorization/*/Write does not deny what the other role grants.
    assert!(fx.can(&actor, names::ROLE_ASSIGNMENT_WRITE, &fx.rg("rg1")));
    assert!(!fx.can(&actor, names::ROLE_ASSIGNMENT_WRITE, &fx.sub_scope()));
    let grants = fx
        .world
        .explain_access(u, &action(names::ROLE_ASSIGNMENT_WRITE), &fx.rg("rg1"));
    assert_eq!(grants.len(), 1);
    assert!(
        matches!(&grants[0], Grant::RoleAssignment { role_name, .. } if role_name == "User Access Administrator")
    );
}

#[test]
fn a_not_action_subtracts_from_its_own_permission_block() {
    let mut fx = Fx::article();
    let role = fx.custom_role("All but storage", &["*"], &["Microsoft.Storage/*"]);
    let u = fx.user(fx.alicedefault, "nostorage", None);
    fx.assign(fx.sub_scope(), role, u);
    let actor = fx.member(u);
    assert!(!fx.can(&actor, STORAGE_READ, &fx.storage));
    assert!(fx.can(&actor, names::RESOURCE_GROUP_WRITE, &fx.rg("rg1")));
}

#[test]
fn classic_administrators_have_full_access_in_their_subscription_only() {
    let mut fx = Fx::article();
    let erin = org(&fx.world, fx.erin);
    let other = fx.ok_with(|fx| {
        admins::create_subscription(
            &fx.world,
            &Actor::Operator,
            NewSubscription {
                id: None,
                display_name: "Erin's".into(),
                tenant: fx.alicedefault,
                service_admin: erin,
                account_admin: None,
            },
            fx.now,
        )
    });
    let other_scope = Scope::subscription(other);
    let alice = fx.alice_home();
    let dave = fx.dave_home();
    for (who, grant) in [
        (&alice, Grant::ServiceAdministrator),
        (&dave, Grant::CoAdministrator),
    ] {
        for a in [
            names::ROLE_ASSIGNMENT_WRITE,
            names::CLASSIC_ADMIN_WRITE,
            STORAGE_DELETE,
            "Microsoft.Anything/at/all",
        ] {
            assert!(fx.can(who, a, &fx.storage), "{a}");
            assert!(!fx.can(who, a, &other_scope), "{a}");
        }
        let object = who.object_id().unwrap();
        assert_eq!(
            fx.world
                .explain_access(object, &owner_action(), &fx.sub_scope()),
            vec![grant.clone()]
        );
        assert!(fx.world.has_any_access(object, fx.sub));
        assert!(!fx.world.has_any_access(object, other));
        assert_eq!(
            fx.world.effective_permissions(object, &fx.storage)[0].actions,
            vec!["*".to_string()]
        );
    }
    let erin_actor = fx.member(fx.erin);
    assert!(fx.can(&erin_actor, names::ROLE_ASSIGNMENT_WRITE, &other_scope));
    assert!(!fx.can(&erin_actor, names::ROLE_ASSIGNMENT_WRITE, &fx.sub_scope()));
}

#[test]
fn a_token_for_another_tenant_gets_nothing_in_the_subscription() {
    let mut fx = Fx::article();
    // Alice and Dave also guests of Contoso; erin also a guest of Contoso with Reader in alicedefault.
    fx.guest(fx.contoso, fx.alice);
    fx.guest(fx.contoso, fx.dave);
    let erin = org(&fx.world, fx.erin);
    fx.guest(fx.contoso, erin);
    let everything = [
        names::RESOURCE_GROUP_READ,
        STORAGE_READ,
        names::ROLE_ASSIGNMENT_WRITE,
        names::SUBSCRIPTION_READ,
    ];
    for identity in [fx.alice, fx.dave, erin] {
        let there = fx.as_user(fx.contoso, identity);
        for a in everything {
            for s in [fx.sub_scope(), fx.rg("rg1"), fx.storage.clone()] {
                assert!(!fx.can(&there, a, &s), "{identity:?} {a} {s}");
            }
        }
    }
    // Even with the object id of a present principal, a token of Contoso is refused (Azure: wrong issuer).
    let alice_object = fx.world.presence(fx.alice, fx.alicedefault).unwrap();
    let forged = Actor::User {
        tenant: fx.contoso,
        object: alice_object,
        identity: fx.alice,
        name: "alice@outlook.com".into(),
    };
    assert!(!fx.owns(&forged));
    // The Global Administrator of Contoso has nothing here either.
    assert!(!fx.can(
        &fx.member(fx.contoso_admin),
        names::SUBSCRIPTION_READ,
        &fx.sub_scope()
    ));
    // And a personal account signed in to the consumer realm has nothing anywhere.
    assert!(!fx.can(
        &personal(&fx.world, fx.alice),
        names::SUBSCRIPTION_READ,
        &fx.sub_scope()
    ));
    // The operator has everything.
    assert!(fx.owns(&Actor::Operator));
}

#[test]
fn an_application_is_authorized_by_its_assignments() {
    let fx = Fx::article();
    let ci = application(&fx.world, fx.app);
    assert!(fx.can(&ci, names::RESOURCE_GROUP_READ, &fx.rg("rg1")));
    assert!(!fx.can(&ci, STORAGE_READ, &fx.storage));
    assert!(!fx.can(&ci, names::RESOURCE_GROUP_WRITE, &fx.rg("rg1")));
}

#[test]
fn explain_access_lists_every_grant() {
    let mut fx = Fx::article();
    let alice_object = fx.world.presence(fx.alice, fx.alicedefault).unwrap();
    let owner = fx.assign(fx.sub_scope(), roles::OWNER, alice_object);
    let grants = fx.world.explain_access(
        alice_object,
        &action(names::RESOURCE_GROUP_READ),
        &fx.rg("rg1"),
    );
    assert_eq!(grants.len(), 2);
    assert_eq!(grants[0], Grant::ServiceAdministrator);
    assert!(
        matches!(&grants[1], Grant::RoleAssignment { assignment, role_name, scope, .. }
        if *assignment == owner && role_name == "Owner" && *scope == fx.sub_scope().to_string())
    );
    // erin: Reader on rg1 and Log Reader on the subscription both grant reading rg1.
    fx.assign(fx.sub_scope(), fx.log_reader, fx.erin);
    let mut names_: Vec<String> = fx
        .world
        .explain_access(fx.erin, &action(names::RESOURCE_GROUP_READ), &fx.rg("rg1"))
        .iter()
        .map(|g| match g {
            Grant::RoleAssignment { role_name, .. } => role_name.clone(),
            other => other.describe(),
        })
        .collect();
    names_.sort();
    assert_eq!(names_, vec!["Log Reader".to_string(), "Reader".to_string()]);
    // Only the Reader grants reading the storage account; nothing grants writing it.
    assert_eq!(
        fx.world
            .explain_access(fx.erin, &action(STORAGE_READ), &fx.storage)
            .len(),
        1
    );
    assert!(
        fx.world
            .explain_access(fx.erin, &action(STORAGE_WRITE), &fx.storage)
            .is_empty()
    );
    let described = Grant::CoAdministrator.describe();
    assert!(described.contains("co-administrator"));
}

#[test]
fn a_disabled_guest_loses_the_classic_role_it_holds() {
    let mut fx = Fx::article();
    let dave_object = fx.world.presence(fx.dave, fx.alicedefault).unwrap();
    let dave = fx.dave_home();
    fx.ok(|fx| {
        tenantry_domain::rules::directory::update_user(
            &fx.world,
            &fx.alice_home(),
            fx.alicedefault,
            dave_object,
            tenantry_domain::rules::directory::UserUpdate {
                enabled: Some(false),
                ..Default::default()
            },
            fx.now,
        )
    });
    assert!(!fx.owns(&dave));
}

#[test]
fn access_touching_a_scope_makes_parents_visible_without_granting_them() {
    let mut fx = Fx::article();
    let scope = fx.storage.clone();
    let r = holder(&mut fx, "reader", roles::READER, scope);
    let object = r.object_id().unwrap();
    assert!(fx.world.has_access_touching(object, &fx.rg("rg1")));
    assert!(fx.world.has_any_access(object, fx.sub));
    assert!(!fx.can(&r, names::RESOURCE_GROUP_READ, &fx.rg("rg1")));
}
