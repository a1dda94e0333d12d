//! Each invariant of DESIGN.md, and the rule that refuses what would break it.

use crate::fixtures::*;
use tenantry_domain::rules::access::{self, RoleAssignmentWrite};
use tenantry_domain::rules::admins::{self, NewSubscription};
use tenantry_domain::rules::change_directory;
use tenantry_domain::rules::directory;
use tenantry_domain::rules::invariants::violations;
use tenantry_domain::*;

// ----- a subscription trusts exactly one tenant -----

#[test]
fn a_subscription_cannot_be_created_in_a_directory_that_does_not_exist() {
    let fx = Fx::article();
    let r = admins::create_subscription(
        &fx.world,
        &Actor::Operator,
        NewSubscription {
            id: None,
            display_name: "Orphan".into(),
            tenant: TenantId::new(),
            service_admin: fx.alice,
            account_admin: None,
        },
        fx.now,
    );
    assert_eq!(code(r), "TenantNotFound");
}

#[test]
fn a_subscription_cannot_move_to_a_directory_that_does_not_exist() {
    let fx = Fx::article();
    let r = change_directory::initiate(
        &fx.world,
        &Actor::Operator,
        fx.sub,
        TenantId::new(),
        None,
        vec![],
        fx.now,
    );
    assert_eq!(code(r), "TenantNotFound");
    assert_eq!(fx.subscription().tenant, fx.alicedefault);
}

// ----- exactly one service administrator -----

#[test]
fn the_service_administrator_cannot_be_removed_as_a_co_administrator() {
    let fx = Fx::article();
    let r = admins::remove_co_admin(
        &fx.world,
        &fx.alice_home(),
        fx.sub,
        "alice@outlook.com",
        fx.now,
    );
    assert_eq!(code(r), "CannotRemoveServiceAdministrator");
}

#[test]
fn the_service_administrator_cannot_be_deleted_from_the_directory() {
    let mut fx = Fx::article();
    // Another Global Administrator, so that the last-administrator rule is not what refuses.
    fx.grant_directory_role(fx.alicedefault, DirectoryRole::GlobalAdministrator, fx.erin);
    let alice_guest = fx.world.presence(fx.alice, fx.alicedefault).unwrap();
    let r = directory::delete_user(
        &fx.world,
        &fx.member(fx.erin),
        fx.alicedefault,
        alice_guest,
        fx.now,
    );
    assert_eq!(code(r), "UserIsServiceAdministrator");
}

#[test]
fn a_co_administrator_made_service_administrator_leaves_the_co_administrators() {
    let mut fx = Fx::article();
    fx.ok(|fx| {
        admins::change_service_admin(
            &fx.world,
            &Actor::Operator,
            fx.sub,
            "dave@outlook.com",
            None,
            fx.now,
        )
    });
    let sub = fx.subscription();
    assert_eq!(sub.service_admin, fx.dave);
    assert!(!sub.co_admins.contains(&fx.dave));
}

#[test]
fn a_service_administrator_cannot_also_be_a_co_administrator() {
    let fx = Fx::article();
    let r = admins::add_co_admin(
        &fx.world,
        &fx.dave_home(),
        fx.sub,
        "alice@outlook.com",
        None,
        fx.now,
    );
    assert_eq!(code(r), "AlreadyServiceAdministrator");
}

// ----- at most 200 co-administrators, each present -----

#[test]
fn the_201st_co_administrator_is_refused_with_co_administrator_limit_exceeded() {
    let mut fx = Fx::article();
    // Dave is the first; 199 more make 200.
    for i in 1..200 {
        let email = format!("coadmin{i}@outlook.com");
        fx.personal_account(&email);
        let (change, _) =
            admins::add_co_admin(&fx.world, &fx.alice_home(), fx.sub, &email, None, fx.now)
                .unwrap();
        fx.world.apply(&change);
    }
    assert_eq!(fx.subscription().co_admins.len(), 200);
    assert!(violations(&fx.world).is_empty());
    fx.personal_account("one-too-many@outlook.com");
    let e = refusal(admins::add_co_admin(
        &fx.world,
        &fx.alice_home(),
        fx.sub,
        "one-too-many@outlook.com",
        None,
        fx.now,
    ));
    assert_eq!(e.code, "CoAdministratorLimitExceeded");
    assert!(e.remedy.is_some());
    // Even the operator cannot exceed it.
    let r = admins::add_co_admin(
        &fx.world,
        &Actor::Operator,
        fx.sub,
        "one-too-many@outlook.com",
        None,
        fx.now,
    );
    assert_eq!(code(r), "CoAdministratorLimitExceeded");
}

#[test]
fn a_co_administrator_is_not_added_twice() {
    let fx = Fx::article();
    let r = admins::add_co_admin(
        &fx.world,
        &fx.alice_home(),
        fx.sub,
        "DAVE@outlook.com",
        None,
        fx.now,
    );
    assert_eq!(code(r), "CoAdministratorExists");
}

#[test]
fn an_organizational_co_administrator_absent_from_the_trusted_directory_is_refused() {
    let fx = Fx::article();
    // carol is a member of Contoso, not present in alicedefault.
    let e = refusal(admins::add_co_admin(
        &fx.world,
        &fx.alice_home(),
        fx.sub,
        "carol@contoso.com",
        None,
        fx.now,
    ));
    assert_eq!(e.code, "PrincipalNotInDirectory");
    assert!(e.remedy.unwrap().contains("Invite"));
}

#[test]
fn an_organizational_co_administrator_is_accepted_once_a_redeemed_guest() {
    let mut fx = Fx::article();
    let carol = org(&fx.world, fx.carol);
    fx.guest(fx.alicedefault, carol);
    let identity = fx.ok_with(|fx| {
        admins::add_co_admin(
            &fx.world,
            &fx.alice_home(),
            fx.sub,
            "carol@contoso.com",
            None,
            fx.now,
        )
    });
    assert_eq!(identity, carol);
    // She signs in to the subscription's directory and has full access.
    let carol_there = fx.as_user(fx.alicedefault, carol);
    assert!(fx.owns(&carol_there));
    // Signed in to her own directory she does not see it.
    assert!(!fx.owns(&fx.member(fx.carol)));
}

#[test]
fn a_member_of_the_trusted_directory_can_be_a_co_administrator() {
    let mut fx = Fx::article();
    fx.ok_with(|fx| {
        admins::add_co_admin(
            &fx.world,
            &fx.alice_home(),
            fx.sub,
            "erin@alicedefault.onmicrosoft.com",
            None,
            fx.now,
        )
    });
    assert!(fx.owns(&fx.member(fx.erin)));
}

#[test]
fn a_personal_co_administrator_becomes_a_redeemed_guest_of_the_trusted_directory() {
    let mut fx = Fx::article();
    assert!(fx.world.presence(fx.bob, fx.alicedefault).is_none());
    let change = fx.ok(|fx| {
        admins::add_co_admin(
            &fx.world,
            &fx.alice_home(),
            fx.sub,
            "bob@outlook.com",
            None,
            fx.now,
        )
        .map(|(c, _)| c)
    });
    // One change: the guest object and the co-administrator role together.
    assert!(
        change
            .mutations
            .iter()
            .any(|m| matches!(m, Mutation::PutUser(_)))
    );
    assert!(
        change
            .mutations
            .iter()
            .any(|m| matches!(m, Mutation::PutSubscription(_)))
    );
    let guest = fx
        .world
        .presence(fx.bob, fx.alicedefault)
        .expect("bob is a guest now");
    let u = fx.world.user(guest).unwrap();
    assert!(!u.is_member());
    assert!(u.is_present());
    assert_eq!(u.identity(), Some(fx.bob));
    assert!(u.upn().contains("#EXT#@alicedefault.onmicrosoft.com"));
    assert!(fx.subscription().co_admins.contains(&fx.bob));
    assert!(fx.owns(&fx.as_user(fx.alicedefault, fx.bob)));
}

// ----- every role assignment's principal is present in the trusted tenant -----

#[test]
fn a_role_assignment_for_a_pending_guest_is_refused_with_principal_not_found() {
    let mut fx = Fx::article();
    let (_, pending) = fx.ok_with(|fx| {
        tenantry_domain::rules::guests::invite(
            &fx.world,
            &fx.alice_home(),
            fx.alicedefault,
            "someone@example.com",
            fx.now,
        )
        .map(|(c, i, g)| (c, (i, g)))
    });
    let r = access::create_role_assignment(
        &fx.world,
        &fx.alice_home(),
        assignment_request(fx.sub_scope(), roles::READER, pending),
        fx.now,
    );
    assert_eq!(code(r), "PrincipalNotFound");
}

#[test]
fn a_role_assignment_for_another_tenants_user_is_refused_with_principal_not_found() {
    let fx = Fx::article();
    let r = access::create_role_assignment(
        &fx.world,
        &fx.alice_home(),
        assignment_request(fx.sub_scope(), roles::READER, fx.carol),
        fx.now,
    );
    assert_eq!(code(r), "PrincipalNotFound");
    // Nor another tenant's application.
    let r = access::create_role_assignment(
        &fx.world,
        &Actor::Operator,
        assignment_request(fx.sub_scope(), roles::READER, fx.contoso_admin),
        fx.now,
    );
    assert_eq!(code(r), "PrincipalNotFound");
}

#[test]
fn a_role_assignment_for_an_unknown_id_is_refused_with_principal_not_found() {
    let fx = Fx::article();
    let r = access::create_role_assignment(
        &fx.world,
        &Actor::Operator,
        assignment_request(fx.sub_scope(), roles::READER, ObjectId::new()),
        fx.now,
    );
    assert_eq!(code(r), "PrincipalNotFound");
}

#[test]
fn a_duplicate_role_assignment_is_refused_with_role_assignment_exists() {
    let fx = Fx::article();
    // erin is Reader on rg1 already; another id for the same (principal, role, scope).
    let r = access::create_role_assignment(
        &fx.world,
        &fx.alice_home(),
        assignment_request(
            Scope::parse(&fx.rg("RG1").to_string()).unwrap(),
            roles::READER,
            fx.erin,
        ),
        fx.now,
    );
    assert_eq!(code(r), "RoleAssignmentExists");
}

#[test]
fn the_same_role_assignment_under_the_same_id_is_idempotent() {
    let fx = Fx::article();
    let (change, a) = access::create_role_assignment(
        &fx.world,
        &fx.alice_home(),
        RoleAssignmentWrite {
            id: fx.erin_reader,
            scope: fx.rg("rg1"),
            role_definition: roles::READER,
            principal: fx.erin,
            description: None,
            principal_type: None,
        },
        fx.now,
    )
    .unwrap();
    assert!(change.mutations.is_empty());
    assert!(change.audit.is_empty());
    assert_eq!(a.assignment.id, fx.erin_reader);
    assert!(!a.created, "found as asked, not created");
}

#[test]
fn a_role_assignment_id_cannot_be_reused_for_other_content() {
    let fx = Fx::article();
    let r = access::create_role_assignment(
        &fx.world,
        &fx.alice_home(),
        RoleAssignmentWrite {
            id: fx.erin_reader,
            scope: fx.rg("rg1"),
            role_definition: roles::CONTRIBUTOR,
            principal: fx.erin,
            description: None,
            principal_type: None,
        },
        fx.now,
    );
    assert_eq!(code(r), "RoleAssignmentUpdateNotPermitted");
}

#[test]
fn the_4001st_role_assignment_is_refused_with_role_assignment_limit_exceeded() {
    let mut fx = Fx::article();
    let roles = [
        roles::OWNER,
        roles::CONTRIBUTOR,
        roles::READER,
        roles::USER_ACCESS_ADMINISTRATOR,
        roles::RBAC_ADMINISTRATOR,
    ];
    let mut scopes = vec![fx.sub_scope(), fx.rg("rg1"), fx.storage.clone()];
    scopes.push(fx.put_group("rg2"));
    let users: Vec<ObjectId> = (0..201)
        .map(|i| fx.user(fx.alicedefault, &format!("user{i}"), None))
        .collect();
    let mut last = None;
    'fill: for u in &users {
        for r in roles {
            for s in &scopes {
                if fx.world.subscription(fx.sub).unwrap().assignments.len()
                    == MAX_ROLE_ASSIGNMENTS_PER_SUBSCRIPTION
                {
                    break 'fill;
                }
                let (change, a) = access::create_role_assignment(
                    &fx.world,
                    &Actor::Operator,
                    assignment_request(s.clone(), r, *u),
                    fx.now,
                )
                .unwrap();
                assert!(a.created);
                fx.world.apply(&change);
                last = Some(a.assignment);
            }
        }
    }
    assert_eq!(
        fx.world.subscription(fx.sub).unwrap().assignments.len(),
        4000
    );
    assert!(violations(&fx.world).is_empty());
    let e = refusal(access::create_role_assignment(
        &fx.world,
        &fx.alice_home(),
        assignment_request(fx.sub_scope(), roles::READER, *users.last().unwrap()),
        fx.now,
    ));
    assert_eq!(e.code, "RoleAssignmentLimitExceeded");
    assert!(e.remedy.is_some());
    // Writing an existing assignment again is still idempotent at the limit.
    let last = last.unwrap();
    let (change, _) = access::create_role_assignment(
        &fx.world,
        &fx.alice_home(),
        RoleAssignmentWrite {
            id: last.id,
            scope: last.scope.clone(),
            role_definition: last.role_definition,
            principal: last.principal,
            description: None,
            principal_type: None,
        },
        fx.now,
    )
    .unwrap();
    assert!(change.mutations.is_empty());
    // After one is deleted there is room again.
    fx.ok(|fx| {
        access::delete_role_assignment(&fx.world, &fx.alice_home(), fx.sub, last.id, fx.now)
            .map(|r| r.unwrap().0)
    });
    fx.ok_with(|fx| {
        access::create_role_assignment(
            &fx.world,
            &fx.alice_home(),
            assignment_request(fx.sub_scope(), roles::READER, *users.last().unwrap()),
            fx.now,
        )
    });
}

#[test]
fn a_role_assignment_at_a_scope_that_does_not_exist_is_refused() {
    let fx = Fx::article();
    let r = access::create_role_assignment(
        &fx.world,
        &Actor::Operator,
        assignment_request(fx.rg("nowhere"), roles::READER, fx.erin),
        fx.now,
    );
    assert_eq!(code(r), "ResourceGroupNotFound");
    let missing =
        Scope::resource(fx.sub, "rg1", "Microsoft.Storage", "storageAccounts/none").unwrap();
    let r = access::create_role_assignment(
        &fx.world,
        &Actor::Operator,
        assignment_request(missing, roles::READER, fx.erin),
        fx.now,
    );
    assert_eq!(code(r), "ResourceNotFound");
}

#[test]
fn a_role_assignment_with_a_role_that_does_not_exist_is_refused() {
    let fx = Fx::article();
    let r = access::create_role_assignment(
        &fx.world,
        &Actor::Operator,
        assignment_request(fx.sub_scope(), RoleDefinitionId::new(), fx.erin),
        fx.now,
    );
    assert_eq!(code(r), "RoleDefinitionDoesNotExist");
}

#[test]
fn a_custom_role_in_use_cannot_be_deleted() {
    let mut fx = Fx::article();
    let r =
        access::delete_role_definition(&fx.world, &fx.alice_home(), fx.sub, fx.log_reader, fx.now);
    assert_eq!(code(r), "RoleDefinitionHasAssignments");
    fx.ok(|fx| {
        access::delete_role_assignment(
            &fx.world,
            &fx.alice_home(),
            fx.sub,
            fx.app_log_reader,
            fx.now,
        )
        .map(|r| r.unwrap().0)
    });
    fx.ok(|fx| {
        access::delete_role_definition(&fx.world, &fx.alice_home(), fx.sub, fx.log_reader, fx.now)
            .map(|r| r.unwrap().0)
    });
    assert!(
        fx.world
            .subscription(fx.sub)
            .unwrap()
            .custom_roles
            .is_empty()
    );
}

#[test]
fn built_in_roles_cannot_be_changed_or_deleted() {
    let fx = Fx::article();
    let r =
        access::delete_role_definition(&fx.world, &Actor::Operator, fx.sub, roles::OWNER, fx.now);
    assert_eq!(code(r), "RoleDefinitionUpdateNotPermitted");
    let r = access::put_role_definition(
        &fx.world,
        &Actor::Operator,
        access::RoleDefinitionWrite {
            id: roles::READER,
            subscription: fx.sub,
            name: "Reader".into(),
            description: String::new(),
            permissions: vec![Permission {
                actions: vec!["*".into()],
                ..Default::default()
            }],
            assignable_scopes: vec![],
        },
        fx.now,
    );
    assert_eq!(code(r), "RoleDefinitionUpdateNotPermitted");
}

// ----- one tenant's administrators cannot change another's objects -----

#[test]
fn no_rule_lets_a_global_administrator_write_into_a_subscription_of_another_directory() {
    let fx = Fx::article();
    let contoso_admin = fx.member(fx.contoso_admin);
    let r = access::create_role_assignment(
        &fx.world,
        &contoso_admin,
        assignment_request(fx.sub_scope(), roles::OWNER, fx.erin),
        fx.now,
    );
    assert_eq!(code(r), "AuthorizationFailed");
    let r = admins::add_co_admin(
        &fx.world,
        &contoso_admin,
        fx.sub,
        "bob@outlook.com",
        None,
        fx.now,
    );
    assert_eq!(code(r), "AuthorizationFailed");
    let r = tenantry_domain::rules::resources::delete_resource_group(
        &fx.world,
        &contoso_admin,
        fx.sub,
        "rg1",
        fx.now,
    );
    assert_eq!(code(r), "AuthorizationFailed");
}

// ----- predefined tag names -----

#[test]
fn predefined_tag_names_outside_the_rules_are_a_violation() {
    let mut fx = Fx::article();
    assert!(violations(&fx.world).is_empty());
    let mut sub = fx.subscription().clone();
    // Two entries for one name, and a reserved prefix: no rule writes either.
    sub.tag_names = [("Env", vec![]), ("env", vec![]), ("azure-x", vec![])]
        .into_iter()
        .map(|(k, v): (&str, Vec<String>)| (k.to_string(), v))
        .collect();
    let mut change = Change::new();
    change.push(Mutation::PutSubscription(sub));
    fx.world.apply(&change);
    let v = violations(&fx.world);
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(v[0].contains("predefined tag names"), "{v:?}");
}
