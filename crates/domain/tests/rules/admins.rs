//! Classic administrators: co-administrators are managed by the service administrator and co-administrators;
//! the service administrator is changed by the account administrator only, with Azure's account-type matrix.

use crate::fixtures::*;
use tenantry_domain::rules::AccountType;
use tenantry_domain::rules::admins::{self, NewSubscription};
use tenantry_domain::*;

#[test]
fn the_service_administrator_adds_and_removes_co_administrators() {
    let mut fx = Fx::article();
    fx.ok_with(|fx| {
        admins::add_co_admin(
            &fx.world,
            &fx.alice_home(),
            fx.sub,
            "bob@outlook.com",
            None,
            fx.now,
        )
    });
    assert!(fx.subscription().co_admins.contains(&fx.bob));
    fx.ok(|fx| {
        admins::remove_co_admin(
            &fx.world,
            &fx.alice_home(),
            fx.sub,
            "bob@outlook.com",
            fx.now,
        )
    });
    assert!(!fx.subscription().co_admins.contains(&fx.bob));
    // Bob's guest object stays; he just has no access any more.
    let bob = fx.as_user(fx.alicedefault, fx.bob);
    assert!(!fx.owns(&bob));
}

#[test]
fn a_co_administrator_adds_and_removes_co_administrators() {
    let mut fx = Fx::article();
    fx.ok_with(|fx| {
        admins::add_co_admin(
            &fx.world,
            &fx.dave_home(),
            fx.sub,
            "bob@outlook.com",
            None,
            fx.now,
        )
    });
    assert!(fx.subscription().co_admins.contains(&fx.bob));
    // A co-administrator may even remove themselves.
    fx.ok(|fx| {
        admins::remove_co_admin(
            &fx.world,
            &fx.dave_home(),
            fx.sub,
            "dave@outlook.com",
            fx.now,
        )
    });
    assert_eq!(fx.subscription().co_admins, vec![fx.bob]);
}

#[test]
fn a_member_without_a_classic_role_cannot_manage_co_administrators() {
    let fx = Fx::article();
    let erin = fx.member(fx.erin);
    let r = admins::add_co_admin(&fx.world, &erin, fx.sub, "bob@outlook.com", None, fx.now);
    assert_eq!(code(r), "AuthorizationFailed");
    let r = admins::remove_co_admin(&fx.world, &erin, fx.sub, "dave@outlook.com", fx.now);
    assert_eq!(code(r), "AuthorizationFailed");
}

#[test]
fn an_owner_by_role_assignment_cannot_manage_co_administrators() {
    let mut fx = Fx::article();
    fx.assign(fx.sub_scope(), roles::OWNER, fx.erin);
    let erin = fx.member(fx.erin);
    assert!(fx.owns(&erin));
    let r = admins::add_co_admin(&fx.world, &erin, fx.sub, "bob@outlook.com", None, fx.now);
    assert_eq!(code(r), "AuthorizationFailed");
}

#[test]
fn the_service_administrator_signed_in_to_another_directory_cannot_manage_co_administrators() {
    let mut fx = Fx::article();
    fx.guest(fx.contoso, fx.alice);
    let alice_in_contoso = fx.as_user(fx.contoso, fx.alice);
    let r = admins::add_co_admin(
        &fx.world,
        &alice_in_contoso,
        fx.sub,
        "bob@outlook.com",
        None,
        fx.now,
    );
    assert_eq!(code(r), "AuthorizationFailed");
    let alice_consumer = personal(&fx.world, fx.alice);
    let r = admins::add_co_admin(
        &fx.world,
        &alice_consumer,
        fx.sub,
        "bob@outlook.com",
        None,
        fx.now,
    );
    assert_eq!(code(r), "AuthorizationFailed");
}

#[test]
fn removing_someone_who_is_not_a_co_administrator_is_not_found() {
    let fx = Fx::article();
    let r = admins::remove_co_admin(
        &fx.world,
        &fx.alice_home(),
        fx.sub,
        "bob@outlook.com",
        fx.now,
    );
    assert_eq!(code(r), "CoAdministratorNotFound");
}

#[test]
fn an_unknown_email_cannot_be_a_co_administrator() {
    let fx = Fx::article();
    let r = admins::add_co_admin(
        &fx.world,
        &fx.alice_home(),
        fx.sub,
        "nobody@nowhere.example",
        None,
        fx.now,
    );
    assert_eq!(code(r), "PrincipalNotInDirectory");
}

#[test]
fn an_email_that_is_both_personal_and_organizational_must_be_disambiguated() {
    let mut fx = Fx::article();
    // The 2016 overlap: a personal account with a work address.
    let pat_personal = fx.personal_account("pat@contoso.com");
    let pat_org = fx.user(fx.contoso, "pat@contoso.com", None);
    let e = refusal(admins::add_co_admin(
        &fx.world,
        &fx.alice_home(),
        fx.sub,
        "pat@contoso.com",
        None,
        fx.now,
    ));
    assert_eq!(e.code, "AmbiguousAccount");
    assert!(e.remedy.is_some());
    let identity = fx.ok_with(|fx| {
        admins::add_co_admin(
            &fx.world,
            &fx.alice_home(),
            fx.sub,
            "pat@contoso.com",
            Some(AccountType::Personal),
            fx.now,
        )
    });
    assert_eq!(identity, pat_personal);
    // The organizational one is not present in alicedefault.
    let r = admins::add_co_admin(
        &fx.world,
        &fx.alice_home(),
        fx.sub,
        "pat@contoso.com",
        Some(AccountType::Organizational),
        fx.now,
    );
    assert_eq!(code(r), "PrincipalNotInDirectory");
    let _ = pat_org;
}

#[test]
fn only_the_account_administrator_changes_the_service_administrator() {
    let fx = Fx::article();
    let r = admins::change_service_admin(
        &fx.world,
        &fx.dave_home(),
        fx.sub,
        "dave@outlook.com",
        None,
        fx.now,
    );
    assert_eq!(code(r), "NotAccountAdministrator");
    let r = admins::change_service_admin(
        &fx.world,
        &fx.member(fx.erin),
        fx.sub,
        "bob@outlook.com",
        None,
        fx.now,
    );
    assert_eq!(code(r), "NotAccountAdministrator");
    // Another directory's administrator may not learn of the subscription: ARM's refusal, naming only
    // the caller, the action and the scope, as for a subscription that does not exist.
    let e = refusal(admins::change_service_admin(
        &fx.world,
        &fx.member(fx.contoso_admin),
        fx.sub,
        "bob@outlook.com",
        None,
        fx.now,
    ));
    assert_eq!(e.code, "AuthorizationFailed");
    assert!(
        !e.full_message().contains("Pay-As-You-Go") && !e.full_message().contains("alice@"),
        "{e}"
    );
}

#[test]
fn the_account_administrator_makes_another_personal_account_service_administrator() {
    let mut fx = Fx::article();
    fx.ok(|fx| {
        admins::change_service_admin(
            &fx.world,
            &fx.alice_home(),
            fx.sub,
            "bob@outlook.com",
            None,
            fx.now,
        )
    });
    let sub = fx.subscription();
    assert_eq!(sub.service_admin, fx.bob);
    assert_eq!(sub.account_admin, fx.alice);
    // Bob became a guest so that he can sign in; Alice lost the service administrator's access.
    let bob = fx.as_user(fx.alicedefault, fx.bob);
    assert!(fx.owns(&bob));
    assert!(!fx.owns(&fx.alice_home()));
    // Alice, still account administrator, can take it back; Bob cannot change it.
    let r = admins::change_service_admin(&fx.world, &bob, fx.sub, "dave@outlook.com", None, fx.now);
    assert_eq!(code(r), "NotAccountAdministrator");
    fx.ok(|fx| {
        admins::change_service_admin(
            &fx.world,
            &fx.alice_home(),
            fx.sub,
            "alice@outlook.com",
            None,
            fx.now,
        )
    });
    assert_eq!(fx.subscription().service_admin, fx.alice);
}

#[test]
fn a_personal_account_administrator_cannot_name_an_organizational_service_administrator() {
    let fx = Fx::article();
    let e = refusal(admins::change_service_admin(
        &fx.world,
        &fx.alice_home(),
        fx.sub,
        "erin@alicedefault.onmicrosoft.com",
        None,
        fx.now,
    ));
    assert_eq!(e.code, "ServiceAdministratorTypeNotAllowed");
    assert_eq!(e.kind, ErrorKind::Forbidden);
}

/// A subscription the operator makes in alicedefault, erin its service administrator.
pub(crate) fn erin_subscription(fx: &mut Fx) -> SubscriptionId {
    let erin = org(&fx.world, fx.erin);
    fx.ok_with(|fx| {
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
    })
}

#[test]
fn an_organizational_account_administrator_names_members_or_guests_of_the_directory_or_personal_accounts()
 {
    let mut fx = Fx::article();
    let sub = erin_subscription(&mut fx);
    let frank = fx.user(fx.alicedefault, "frank", None);
    let erin = fx.member(fx.erin);
    // A member of the same directory: yes.
    fx.ok(|fx| {
        admins::change_service_admin(
            &fx.world,
            &erin,
            sub,
            "frank@alicedefault.onmicrosoft.com",
            None,
            fx.now,
        )
    });
    assert_eq!(
        fx.world
            .subscription(sub)
            .unwrap()
            .subscription
            .service_admin,
        org(&fx.world, frank)
    );
    // A user of another directory without presence: no.
    let r = admins::change_service_admin(&fx.world, &erin, sub, "carol@contoso.com", None, fx.now);
    assert_eq!(code(r), "PrincipalNotInDirectory");
    // ... unless present there as a guest.
    let carol = org(&fx.world, fx.carol);
    fx.guest(fx.alicedefault, carol);
    fx.ok(|fx| {
        admins::change_service_admin(&fx.world, &erin, sub, "carol@contoso.com", None, fx.now)
    });
    // A personal account: yes.
    fx.ok(|fx| {
        admins::change_service_admin(&fx.world, &erin, sub, "bob@outlook.com", None, fx.now)
    });
    assert_eq!(
        fx.world
            .subscription(sub)
            .unwrap()
            .subscription
            .service_admin,
        fx.bob
    );
}

#[test]
fn classic_administrators_are_listed_as_azure_lists_them() {
    let mut fx = Fx::article();
    let list = admins::classic_administrators(&fx.world, fx.subscription());
    let roles: Vec<(&str, String)> = list
        .iter()
        .map(|a| (a.email.as_str(), a.roles.to_string()))
        .collect();
    assert_eq!(
        roles,
        vec![
            (
                "alice@outlook.com",
                "ServiceAdministrator;AccountAdministrator".to_string()
            ),
            ("dave@outlook.com", "CoAdministrator".to_string()),
        ]
    );
    fx.ok(|fx| {
        admins::change_service_admin(
            &fx.world,
            &fx.alice_home(),
            fx.sub,
            "bob@outlook.com",
            None,
            fx.now,
        )
    });
    let list = admins::classic_administrators(&fx.world, fx.subscription());
    let roles: Vec<(&str, String)> = list
        .iter()
        .map(|a| (a.email.as_str(), a.roles.to_string()))
        .collect();
    assert_eq!(
        roles,
        vec![
            ("bob@outlook.com", "ServiceAdministrator".to_string()),
            ("alice@outlook.com", "AccountAdministrator".to_string()),
            ("dave@outlook.com", "CoAdministrator".to_string()),
        ]
    );
}

#[test]
fn only_the_operator_creates_subscriptions() {
    let fx = Fx::article();
    let r = admins::create_subscription(
        &fx.world,
        &fx.alice_home(),
        NewSubscription {
            id: None,
            display_name: "Another".into(),
            tenant: fx.alicedefault,
            service_admin: fx.alice,
            account_admin: None,
        },
        fx.now,
    );
    assert_eq!(code(r), "OperatorOnly");
}

#[test]
fn classic_roles_are_a_set_with_azure_s_wire_form() {
    let fx = Fx::article();
    let sub = fx.subscription();
    let alice = admins::ClassicRoles::of(sub, fx.alice);
    assert_eq!(
        alice.to_string(),
        "ServiceAdministrator;AccountAdministrator"
    );
    assert!(alice.contains(admins::ClassicRole::AccountAdministrator));
    assert!(alice.manages());
    let dave = admins::ClassicRoles::of(sub, fx.dave);
    assert_eq!(
        dave.iter().map(|r| r.display_name()).collect::<Vec<_>>(),
        ["Co-administrator"]
    );
    let erin = admins::ClassicRoles::of(sub, org(&fx.world, fx.erin));
    assert!(erin.is_empty() && !erin.manages());
    assert_eq!(erin.to_string(), "");
}

/// What a face offers is what the rule then decides: `may_manage` says yes exactly when adding a
/// co-administrator is allowed, whatever the directory the caller signed in to.
#[test]
fn may_manage_is_the_rule_that_judges_co_administrator_changes() {
    let mut fx = Fx::article();
    fx.guest(fx.contoso, fx.alice);
    fx.guest(fx.contoso, fx.dave);
    let callers = [
        ("alice at home", fx.alice_home(), true),
        ("dave at home", fx.dave_home(), true),
        ("alice in contoso", fx.as_user(fx.contoso, fx.alice), false),
        ("dave in contoso", fx.as_user(fx.contoso, fx.dave), false),
        (
            "alice as a personal account",
            personal(&fx.world, fx.alice),
            false,
        ),
        ("erin", fx.member(fx.erin), false),
        ("the application", application(&fx.world, fx.app), false),
        ("the operator", Actor::Operator, true),
    ];
    let sub = fx.subscription().clone();
    for (who, actor, expected) in callers {
        assert_eq!(admins::may_manage(&actor, &sub), expected, "{who}");
        let r = admins::add_co_admin(&fx.world, &actor, fx.sub, "bob@outlook.com", None, fx.now);
        assert_eq!(r.is_ok(), expected, "{who}: {:?}", r.err());
        if !expected {
            assert_eq!(code(r), "AuthorizationFailed", "{who}");
        }
    }
    assert!(admins::may_change_service_admin(&fx.alice_home(), &sub));
    assert!(!admins::may_change_service_admin(&fx.dave_home(), &sub));
}

#[test]
fn co_administrator_candidates_are_people_of_the_directory_without_a_classic_role() {
    let fx = Fx::article();
    let sub = fx.subscription();
    // Alice (a guest Global Administrator) lists the directory: Erin is the only one left to add.
    let offered = admins::co_admin_candidates(&fx.world, &fx.alice_home(), sub);
    let emails: Vec<&str> = offered.iter().map(|c| c.email.as_str()).collect();
    assert_eq!(emails, ["erin@alicedefault.onmicrosoft.com"]);
    // Dave, a guest without a directory role, may not list the directory's users: nothing is offered.
    assert!(admins::co_admin_candidates(&fx.world, &fx.dave_home(), sub).is_empty());
}

#[test]
fn a_co_administrator_unknown_or_of_another_directory_gets_one_answer() {
    let fx = Fx::article();
    // Adding a co-administrator, and (the same lookup) naming a service administrator.
    type Naming = fn(&World, &Actor, SubscriptionId, &str, Timestamp) -> Result<(), DomainError>;
    let rules: [Naming; 2] = [
        |w, a, s, email, now| admins::add_co_admin(w, a, s, email, None, now).map(|_| ()),
        |w, a, s, email, now| admins::change_service_admin(w, a, s, email, None, now).map(|_| ()),
    ];
    for rule in rules {
        let answer = |email: &str| {
            let e = refusal(rule(&fx.world, &fx.alice_home(), fx.sub, email, fx.now));
            let text = e.full_message().replace(email, "{email}");
            (e.kind, e.code, text)
        };
        // carol is a member of Contoso, not present in alicedefault; nobody is nobody.
        let foreign = answer("carol@contoso.com");
        assert_eq!(foreign, answer("nobody@nowhere.example"));
        assert_eq!(foreign.1, "PrincipalNotInDirectory");
        assert!(!foreign.2.contains("Contoso"), "{}", foreign.2);
    }
}
