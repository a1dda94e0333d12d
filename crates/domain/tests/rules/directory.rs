//! Directories: users, directory roles, the subscription policy, and the isolation between tenants.

use crate::fixtures::*;
use tenantry_domain::rules::directory::{self, UserUpdate};
use tenantry_domain::rules::{admins, guests};
use tenantry_domain::*;

#[test]
fn global_and_user_administrators_create_users() {
    let mut fx = Fx::article();
    for (who, name) in [(fx.contoso_admin, "one"), (fx.contoso_useradmin, "two")] {
        let actor = fx.member(who);
        let id = fx.ok_with(|fx| {
            directory::create_user(&fx.world, &actor, fx.contoso, user_request(name), fx.now)
        });
        let u = fx.world.user(id).unwrap();
        assert_eq!(u.upn(), format!("{name}@contoso.onmicrosoft.com"));
        assert!(u.is_member());
    }
}

#[test]
fn ordinary_members_and_guests_cannot_create_users() {
    let mut fx = Fx::article();
    let r = directory::create_user(
        &fx.world,
        &fx.member(fx.carol),
        fx.contoso,
        user_request("x"),
        fx.now,
    );
    assert_eq!(code(r), "Authorization_RequestDenied");
    let dave = fx.dave_home();
    let r = directory::create_user(&fx.world, &dave, fx.alicedefault, user_request("x"), fx.now);
    assert_eq!(code(r), "Authorization_RequestDenied");
    let ci = application(&fx.world, fx.app);
    let r = directory::create_user(&fx.world, &ci, fx.alicedefault, user_request("x"), fx.now);
    assert_eq!(code(r), "Authorization_RequestDenied");
    // An application holding User Administrator may.
    fx.grant_directory_role(fx.alicedefault, DirectoryRole::UserAdministrator, fx.app);
    fx.ok_with(|fx| {
        directory::create_user(&fx.world, &ci, fx.alicedefault, user_request("x"), fx.now)
    });
}

#[test]
fn a_user_principal_name_must_be_on_a_domain_of_the_tenant() {
    let mut fx = Fx::article();
    let admin = fx.member(fx.contoso_admin);
    let e = refusal(directory::create_user(
        &fx.world,
        &admin,
        fx.contoso,
        user_request("x@fabrikam.com"),
        fx.now,
    ));
    assert_eq!(e.code, "InvalidUserPrincipalName");
    assert!(e.remedy.unwrap().contains("contoso.com"));
    let r = directory::create_user(
        &fx.world,
        &admin,
        fx.contoso,
        user_request("x@alicedefault.onmicrosoft.com"),
        fx.now,
    );
    assert_eq!(code(r), "InvalidUserPrincipalName");
    let r = directory::create_user(&fx.world, &admin, fx.contoso, user_request("x y"), fx.now);
    assert_eq!(code(r), "InvalidEmail");
    // The custom domain and the initial domain both work.
    fx.ok_with(|fx| {
        directory::create_user(
            &fx.world,
            &admin,
            fx.contoso,
            user_request("x@CONTOSO.com"),
            fx.now,
        )
    });
    fx.ok_with(|fx| {
        directory::create_user(
            &fx.world,
            &admin,
            fx.contoso,
            user_request("x@contoso.onmicrosoft.com"),
            fx.now,
        )
    });
}

#[test]
fn a_user_principal_name_is_unique() {
    let fx = Fx::article();
    let r = directory::create_user(
        &fx.world,
        &fx.member(fx.contoso_admin),
        fx.contoso,
        user_request("Carol@contoso.com"),
        fx.now,
    );
    assert_eq!(code(r), "Request_BadRequest");
}

#[test]
fn the_last_global_administrator_cannot_be_removed() {
    let mut fx = Fx::article();
    let admin = fx.member(fx.contoso_admin);
    let e = refusal(directory::remove_directory_role_member(
        &fx.world,
        &admin,
        fx.contoso,
        DirectoryRole::GlobalAdministrator,
        fx.contoso_admin,
        fx.now,
    ));
    assert_eq!(e.code, "LastGlobalAdministrator");
    assert!(e.remedy.is_some());
    // With a second one, the first may step down.
    fx.grant_directory_role(fx.contoso, DirectoryRole::GlobalAdministrator, fx.carol);
    fx.ok(|fx| {
        directory::remove_directory_role_member(
            &fx.world,
            &admin,
            fx.contoso,
            DirectoryRole::GlobalAdministrator,
            fx.contoso_admin,
            fx.now,
        )
    });
    // And now carol is the last one.
    let r = directory::remove_directory_role_member(
        &fx.world,
        &fx.member(fx.carol),
        fx.contoso,
        DirectoryRole::GlobalAdministrator,
        fx.carol,
        fx.now,
    );
    assert_eq!(code(r), "LastGlobalAdministrator");
}

#[test]
fn the_last_global_administrator_cannot_be_deleted() {
    let mut fx = Fx::article();
    let r = directory::delete_user(
        &fx.world,
        &fx.member(fx.contoso_useradmin),
        fx.contoso,
        fx.contoso_admin,
        fx.now,
    );
    assert_eq!(code(r), "LastGlobalAdministrator");
    let r = directory::delete_user(
        &fx.world,
        &Actor::Operator,
        fx.contoso,
        fx.contoso_admin,
        fx.now,
    );
    assert_eq!(code(r), "LastGlobalAdministrator");
    fx.grant_directory_role(fx.contoso, DirectoryRole::GlobalAdministrator, fx.carol);
    let useradmin = fx.member(fx.contoso_useradmin);
    fx.ok(|fx| directory::delete_user(&fx.world, &useradmin, fx.contoso, fx.contoso_admin, fx.now));
    assert!(fx.world.user(fx.contoso_admin).is_none());
    assert_eq!(
        fx.world
            .tenant(fx.contoso)
            .unwrap()
            .role_holders(DirectoryRole::GlobalAdministrator)
            .collect::<Vec<_>>(),
        vec![fx.carol]
    );
}

#[test]
fn deleting_a_user_removes_their_role_assignments_and_co_administrator_roles() {
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
    let extra = fx.assign(fx.storage.clone(), roles::CONTRIBUTOR, fx.erin);
    let erin = org(&fx.world, fx.erin);
    let erin_reader = fx.erin_reader;
    let change = fx.ok(|fx| {
        directory::delete_user(
            &fx.world,
            &fx.alice_home(),
            fx.alicedefault,
            fx.erin,
            fx.now,
        )
    });
    assert_eq!(change.audit.len(), 1);
    let s = fx.world.subscription(fx.sub).unwrap();
    assert!(!s.subscription.co_admins.contains(&erin));
    assert!(!s.assignments.contains_key(&erin_reader));
    assert!(!s.assignments.contains_key(&extra));
    assert!(s.subscription.co_admins.contains(&fx.dave));
}

#[test]
fn deleting_a_guest_removes_the_co_administrator_role_it_carried() {
    let mut fx = Fx::article();
    let dave_object = fx.world.presence(fx.dave, fx.alicedefault).unwrap();
    fx.assign(fx.rg("rg1"), roles::READER, dave_object);
    fx.ok(|fx| {
        directory::delete_user(
            &fx.world,
            &fx.alice_home(),
            fx.alicedefault,
            dave_object,
            fx.now,
        )
    });
    let s = fx.world.subscription(fx.sub).unwrap();
    assert!(s.subscription.co_admins.is_empty());
    assert!(s.assignments_of(dave_object).next().is_none());
    assert!(fx.world.presence(fx.dave, fx.alicedefault).is_none());
}

#[test]
fn deleting_a_member_removes_their_co_administrator_roles_where_they_are_guests() {
    let mut fx = Fx::article();
    let carol = org(&fx.world, fx.carol);
    fx.guest(fx.alicedefault, carol);
    fx.ok_with(|fx| {
        admins::add_co_admin(
            &fx.world,
            &fx.alice_home(),
            fx.sub,
            "carol@contoso.com",
            None,
            fx.now,
        )
    });
    let admin = fx.member(fx.contoso_admin);
    fx.ok(|fx| directory::delete_user(&fx.world, &admin, fx.contoso, fx.carol, fx.now));
    assert!(!fx.subscription().co_admins.contains(&carol));
}

#[test]
fn deleting_an_exempted_user_removes_the_exemption() {
    let mut fx = Fx::article();
    let erin = fx.erin;
    fx.policy(fx.alicedefault, true, false, vec![erin]);
    fx.ok(|fx| directory::delete_user(&fx.world, &fx.alice_home(), fx.alicedefault, erin, fx.now));
    let policy = &fx.world.tenant(fx.alicedefault).unwrap().tenant.policy;
    assert!(policy.exempted.is_empty());
    assert!(policy.block_subscriptions_leaving);
}

#[test]
fn a_policy_exempts_only_principals_of_its_tenant() {
    let fx = Fx::article();
    let r = directory::set_policy(
        &fx.world,
        &fx.member(fx.contoso_admin),
        fx.contoso,
        SubscriptionPolicy {
            block_subscriptions_leaving: true,
            block_subscriptions_entering: true,
            exempted: vec![fx.erin],
        },
        fx.now,
    );
    assert_eq!(code(r), "InvalidExemptedPrincipal");
}

#[test]
fn a_global_administrator_of_one_tenant_cannot_administer_another() {
    let fx = Fx::article();
    let contoso_admin = fx.member(fx.contoso_admin);
    let t = fx.alicedefault;
    let denied = "Authorization_RequestDenied";
    assert_eq!(
        code(directory::create_user(
            &fx.world,
            &contoso_admin,
            t,
            user_request("x"),
            fx.now
        )),
        denied
    );
    assert_eq!(
        code(guests::invite(
            &fx.world,
            &contoso_admin,
            t,
            "x@example.com",
            fx.now
        )),
        denied
    );
    assert_eq!(
        code(directory::set_policy(
            &fx.world,
            &contoso_admin,
            t,
            SubscriptionPolicy::default(),
            fx.now
        )),
        denied
    );
    assert_eq!(
        code(directory::add_directory_role_member(
            &fx.world,
            &contoso_admin,
            t,
            DirectoryRole::GlobalAdministrator,
            fx.erin,
            fx.now
        )),
        denied
    );
    let alice_guest = fx.world.presence(fx.alice, t).unwrap();
    assert_eq!(
        code(directory::remove_directory_role_member(
            &fx.world,
            &contoso_admin,
            t,
            DirectoryRole::GlobalAdministrator,
            alice_guest,
            fx.now
        )),
        denied
    );
    assert_eq!(
        code(directory::delete_user(
            &fx.world,
            &contoso_admin,
            t,
            fx.erin,
            fx.now
        )),
        denied
    );
    assert_eq!(
        code(directory::update_user(
            &fx.world,
            &contoso_admin,
            t,
            fx.erin,
            UserUpdate {
                enabled: Some(false),
                ..Default::default()
            },
            fx.now
        )),
        denied
    );
    assert_eq!(
        code(directory::add_domain(
            &fx.world,
            &contoso_admin,
            t,
            "alice.example",
            fx.now
        )),
        denied
    );
    assert_eq!(
        code(directory::create_application(
            &fx.world,
            &contoso_admin,
            t,
            directory::NewApplication {
                id: None,
                object_id: None,
                client_id: None,
                display_name: "x".into(),
                secret_hashes: vec![],
                certificates: vec![],
                redirect_uris: vec![],
                group_membership_claims: Default::default(),
            },
            fx.now
        )),
        denied
    );
}

#[test]
fn a_guest_global_administrator_acts_only_through_a_token_of_that_tenant() {
    let mut fx = Fx::article();
    // Alice is Global Administrator of alicedefault; signed in to Contoso (as a plain guest) she is not.
    fx.guest(fx.contoso, fx.alice);
    let in_contoso = fx.as_user(fx.contoso, fx.alice);
    for t in [fx.contoso, fx.alicedefault] {
        let r = directory::create_user(&fx.world, &in_contoso, t, user_request("x"), fx.now);
        assert_eq!(code(r), "Authorization_RequestDenied");
    }
    let r = directory::create_user(
        &fx.world,
        &personal(&fx.world, fx.alice),
        fx.alicedefault,
        user_request("x"),
        fx.now,
    );
    assert_eq!(code(r), "Authorization_RequestDenied");
    let home = fx.alice_home();
    fx.ok_with(|fx| {
        directory::create_user(&fx.world, &home, fx.alicedefault, user_request("x"), fx.now)
    });
}

#[test]
fn users_change_their_own_name_but_not_their_state() {
    let mut fx = Fx::article();
    let carol = fx.member(fx.carol);
    fx.ok(|fx| {
        directory::update_user(
            &fx.world,
            &carol,
            fx.contoso,
            fx.carol,
            UserUpdate {
                display_name: Some("Carol C.".into()),
                ..Default::default()
            },
            fx.now,
        )
    });
    assert_eq!(fx.world.user(fx.carol).unwrap().display_name, "Carol C.");
    let r = directory::update_user(
        &fx.world,
        &carol,
        fx.contoso,
        fx.carol,
        UserUpdate {
            enabled: Some(false),
            ..Default::default()
        },
        fx.now,
    );
    assert_eq!(code(r), "Authorization_RequestDenied");
    let r = directory::update_user(
        &fx.world,
        &carol,
        fx.contoso,
        fx.contoso_admin,
        UserUpdate {
            display_name: Some("Mallory".into()),
            ..Default::default()
        },
        fx.now,
    );
    assert_eq!(code(r), "Authorization_RequestDenied");
}

#[test]
fn only_global_administrators_assign_directory_roles() {
    let fx = Fx::article();
    let r = directory::add_directory_role_member(
        &fx.world,
        &fx.member(fx.contoso_useradmin),
        fx.contoso,
        DirectoryRole::GlobalAdministrator,
        fx.contoso_useradmin,
        fx.now,
    );
    assert_eq!(code(r), "Authorization_RequestDenied");
    let r = directory::add_directory_role_member(
        &fx.world,
        &fx.member(fx.contoso_admin),
        fx.contoso,
        DirectoryRole::GlobalAdministrator,
        fx.erin,
        fx.now,
    );
    assert_eq!(code(r), "Request_ResourceNotFound");
}

#[test]
fn tenant_names_and_domains_are_unique() {
    let fx = Fx::article();
    let r = directory::create_tenant(
        &fx.world,
        &Actor::Operator,
        directory::NewTenant {
            id: None,
            name: "Contoso".into(),
            display_name: String::new(),
            origin: TenantOrigin::Azure,
            domain_suffix: "onmicrosoft.com".into(),
            domains: vec![],
        },
        fx.now,
    );
    assert_eq!(code(r), "TenantNameTaken");
    let r = directory::add_domain(
        &fx.world,
        &fx.member(fx.fabrikam_admin),
        fx.fabrikam,
        "contoso.com",
        fx.now,
    );
    assert_eq!(code(r), "DomainTaken");
}

#[test]
fn whoever_creates_a_directory_becomes_its_guest_global_administrator() {
    let mut fx = Fx::article();
    let dave = fx.dave_home();
    let t = fx.ok_with(|fx| {
        directory::create_tenant(
            &fx.world,
            &dave,
            directory::NewTenant {
                id: None,
                name: "daveco".into(),
                display_name: "Dave Co".into(),
                origin: TenantOrigin::Azure,
                domain_suffix: "onmicrosoft.com".into(),
                domains: vec![],
            },
            fx.now,
        )
    });
    let g = fx.world.presence(fx.dave, t).expect("dave is present");
    assert!(
        fx.world
            .tenant(t)
            .unwrap()
            .has_role(g, DirectoryRole::GlobalAdministrator)
    );
}

#[test]
fn application_secrets_are_added_by_global_administrators_up_to_a_limit() {
    let mut fx = Fx::article();
    let admin = fx.member(fx.contoso_admin);
    let useradmin = fx.member(fx.contoso_useradmin);
    let t = fx.contoso;
    let app = fx.register_app(t, "deploy-bot");
    let secret = |n: usize| ClientSecret {
        id: RequestId::new(),
        hint: format!("s{n}"),
        hash: format!("sha256$h{n}"),
        start: None,
        expires: None,
    };
    assert_eq!(
        code(directory::add_client_secret(
            &fx.world,
            &useradmin,
            t,
            app,
            secret(0),
            fx.now
        )),
        "Authorization_RequestDenied",
        "a User Administrator does not manage applications"
    );
    for n in 0..directory::MAX_CLIENT_SECRETS {
        fx.ok(|fx| directory::add_client_secret(&fx.world, &admin, t, app, secret(n), fx.now));
    }
    let kept = &fx.world.tenant(t).unwrap().applications[&app].secrets;
    assert_eq!(kept.len(), directory::MAX_CLIENT_SECRETS);
    assert_eq!(kept[0].hint, "s0");
    assert_eq!(
        code(directory::add_client_secret(
            &fx.world,
            &admin,
            t,
            app,
            secret(99),
            fx.now
        )),
        "TooManySecrets"
    );
    assert_eq!(
        code(directory::add_client_secret(
            &fx.world,
            &admin,
            t,
            ObjectId::new(),
            secret(1),
            fx.now
        )),
        "ApplicationNotFound"
    );
}
