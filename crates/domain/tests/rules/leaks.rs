//! Refusals leak nothing (issue 10): a caller who may not learn of a subscription, a directory, an
//! invitation or a request gets the same refusal whether it exists or not (ARM's `AuthorizationFailed`,
//! naming only the caller, the action and the scope it asked for), and no name or address of it; those
//! who may learn of it still get the details that help.

use crate::fixtures::*;
use tenantry_domain::rules::access::{RoleAssignmentWrite, RoleDefinitionWrite};
use tenantry_domain::rules::change_directory::{self, Initiated};
use tenantry_domain::rules::directory::{self, NewApplication, NewUser};
use tenantry_domain::rules::reads::{self, RoleAssignmentQuery, RoleDefinitionQuery};
use tenantry_domain::rules::resources::{self, ResourceGroupWrite, ResourceWrite};
use tenantry_domain::rules::{access, admins, guests};
use tenantry_domain::*;

/// What the article's world names that nobody outside it may read in a refusal.
const HIDDEN: [&str; 6] = [
    "Pay-As-You-Go",
    "alice@outlook.com",
    "dave@outlook.com",
    "Default Directory",
    "erin",
    "Log Reader",
];

/// The article's world with a change of directory waiting for Contoso and a request to link Contoso.
fn waiting_world() -> Fx {
    let mut fx = Fx::article();
    let alice = fx.alice_home();
    let initiated = fx.ok_with(|fx| {
        change_directory::initiate(&fx.world, &alice, fx.sub, fx.contoso, None, vec![], fx.now)
    });
    assert!(matches!(initiated, Initiated::Waiting(_)));
    fx.ok_with(|fx| guests::request_link(&fx.world, &alice, fx.sub, fx.contoso, fx.now));
    fx
}

/// The request of [`waiting_world`] to link Contoso.
fn link_request(fx: &Fx) -> RequestId {
    let requests = &fx.world.tenant(fx.contoso).expect("Contoso").link_requests;
    *requests.keys().next().expect("a request to link Contoso")
}

/// Fabrikam's administrator, a member without a role there, an application of Fabrikam, and a personal
/// account signed in to the consumer realm: none holds anything in the subscription.
fn outsiders(fx: &mut Fx) -> Vec<Actor> {
    let app = fx.ok_with(|fx| {
        directory::create_application(
            &fx.world,
            &Actor::Operator,
            fx.fabrikam,
            NewApplication {
                id: None,
                object_id: None,
                client_id: None,
                display_name: "fabrikam-app".into(),
                secret_hashes: vec![],
                certificates: vec![],
                redirect_uris: vec![],
                group_membership_claims: Default::default(),
            },
            fx.now,
        )
    });
    vec![
        fx.member(fx.fabrikam_admin),
        fx.member(fx.sam),
        application(&fx.world, app),
        personal(&fx.world, fx.bob),
    ]
}

/// The refusal, with `id` written as `{id}`.
fn refusal_without(r: Result<(), DomainError>, id: &str) -> (ErrorKind, String, String) {
    let e = refusal(r);
    let text = e.full_message().replace(id, "{id}");
    (e.kind, e.code, text)
}

/// A rule of a subscription, as a caller asks it for the subscription `sub`.
type SubscriptionRule = fn(&Fx, &Actor, SubscriptionId) -> Result<(), DomainError>;

/// The resource group the reads ask about.
fn at(sub: SubscriptionId) -> Scope {
    Scope::resource_group(sub, "rg1")
}

fn subscription_rules() -> Vec<(&'static str, SubscriptionRule)> {
    vec![
        ("add a co-administrator", |fx, a, s| {
            admins::add_co_admin(&fx.world, a, s, "carol@contoso.com", None, fx.now).map(|_| ())
        }),
        ("remove a co-administrator", |fx, a, s| {
            admins::remove_co_admin(&fx.world, a, s, "dave@outlook.com", fx.now).map(|_| ())
        }),
        ("change the service administrator", |fx, a, s| {
            admins::change_service_admin(&fx.world, a, s, "bob@outlook.com", None, fx.now)
                .map(|_| ())
        }),
        ("preview a change of directory", |fx, a, s| {
            change_directory::plan(
                &fx.world,
                a,
                s,
                fx.fabrikam,
                &[],
                change_directory::Approval::Initiator,
                fx.now,
            )
            .map(|_| ())
        }),
        ("change the directory", |fx, a, s| {
            change_directory::initiate(&fx.world, a, s, fx.fabrikam, None, vec![], fx.now)
                .map(|_| ())
        }),
        ("name a destination and its owner", |fx, a, s| {
            change_directory::named_destination(
                &fx.world,
                a,
                s,
                "contoso.onmicrosoft.com",
                Some("carol@contoso.com"),
            )
            .map(|_| ())
        }),
        ("accept a change of directory", |fx, a, s| {
            change_directory::accept(&fx.world, a, s, fx.now).map(|_| ())
        }),
        ("cancel a change of directory", |fx, a, s| {
            change_directory::cancel(&fx.world, a, s, fx.now).map(|_| ())
        }),
        ("read a change of directory", |fx, a, s| {
            reads::require_change_request_read(&fx.world, a, s)
        }),
        ("ask to link a directory", |fx, a, s| {
            guests::request_link(&fx.world, a, s, fx.fabrikam, fx.now).map(|_| ())
        }),
        ("name the directory to link", |fx, a, s| {
            guests::link_target(
                &fx.world,
                a,
                s,
                guests::link_actions::WRITE,
                "fabrikam.onmicrosoft.com",
            )
            .map(|_| ())
        }),
        ("withdraw a request to link", |fx, a, s| {
            guests::withdraw_link(&fx.world, a, s, "contoso.onmicrosoft.com", fx.now).map(|_| ())
        }),
        ("create a resource group", |fx, a, s| {
            resources::put_resource_group(
                &fx.world,
                a,
                s,
                "rg2",
                ResourceGroupWrite {
                    location: "westeurope".into(),
                    tags: None,
                    managed_by: None,
                },
                fx.now,
            )
            .map(|_| ())
        }),
        ("tag a resource group", |fx, a, s| {
            resources::update_resource_group(
                &fx.world,
                a,
                s,
                "rg1",
                resources::ResourceGroupPatch {
                    tags: Some(Default::default()),
                    managed_by: None,
                },
                fx.now,
            )
            .map(|_| ())
        }),
        ("tag a subscription", |fx, a, s| {
            tenantry_domain::rules::tags::set_tags(
                &fx.world,
                a,
                &Scope::subscription(s),
                tenantry_domain::tags::TagsOperation::Merge,
                Default::default(),
                fx.now,
            )
            .map(|_| ())
        }),
        ("read a subscription's tags", |fx, a, s| {
            tenantry_domain::rules::tags::get_tags(&fx.world, a, &Scope::subscription(s))
                .map(|_| ())
        }),
        ("list a subscription's tag names", |fx, a, s| {
            tenantry_domain::rules::tags::tag_names(&fx.world, a, s).map(|_| ())
        }),
        ("delete a resource group", |fx, a, s| {
            resources::delete_resource_group(&fx.world, a, s, "rg1", fx.now).map(|_| ())
        }),
        ("put a resource", |fx, a, s| {
            let scope = Scope::resource(s, "rg1", "Microsoft.Storage", "storageAccounts/st1")?;
            resources::put_resource(
                &fx.world,
                a,
                &scope,
                ResourceWrite {
                    identity: None,
                    location: None,
                    kind: None,
                    tags: Default::default(),
                    properties: serde_json::json!({}),
                },
                fx.now,
            )
            .map(|_| ())
        }),
        ("delete a resource", |fx, a, s| {
            let scope = Scope::resource(s, "rg1", "Microsoft.Storage", "storageAccounts/st1")?;
            resources::delete_resource(&fx.world, a, &scope, fx.now).map(|_| ())
        }),
        ("register a provider", |fx, a, s| {
            resources::register_provider(&fx.world, a, s, "Microsoft.Compute")
        }),
        ("assign a role", |fx, a, s| {
            access::create_role_assignment(
                &fx.world,
                a,
                RoleAssignmentWrite {
                    id: RoleAssignmentId::new(),
                    scope: Scope::subscription(s),
                    role_definition: roles::OWNER,
                    principal: fx.sam,
                    description: None,
                    principal_type: None,
                },
                fx.now,
            )
            .map(|_| ())
        }),
        ("remove a role assignment", |fx, a, s| {
            access::delete_role_assignment(&fx.world, a, s, fx.erin_reader, fx.now).map(|_| ())
        }),
        ("write a custom role", |fx, a, s| {
            access::put_role_definition(
                &fx.world,
                a,
                RoleDefinitionWrite {
                    id: fx.log_reader,
                    subscription: s,
                    name: "Log Reader".into(),
                    description: String::new(),
                    permissions: vec![Permission {
                        actions: vec!["*".into()],
                        ..Default::default()
                    }],
                    assignable_scopes: vec![],
                },
                fx.now,
            )
            .map(|_| ())
        }),
        ("delete a custom role", |fx, a, s| {
            access::delete_role_definition(&fx.world, a, s, fx.log_reader, fx.now).map(|_| ())
        }),
        ("see the subscription", |fx, a, s| {
            reads::subscription_summary(&fx.world, a, s, fx.now).map(|_| ())
        }),
        ("list resource groups", |fx, a, s| {
            reads::list_resource_groups(&fx.world, a, s).map(|_| ())
        }),
        ("read a resource group", |fx, a, s| {
            reads::get_resource_group(&fx.world, a, s, "rg1").map(|_| ())
        }),
        ("list resources", |fx, a, s| {
            reads::list_resources(&fx.world, a, s, Some("rg1")).map(|_| ())
        }),
        ("read a resource", |fx, a, s| {
            let scope = Scope::resource(s, "rg1", "Microsoft.Storage", "storageAccounts/st1")?;
            reads::get_resource(&fx.world, a, &scope).map(|_| ())
        }),
        ("list role definitions", |fx, a, s| {
            reads::list_role_definitions(&fx.world, a, &at(s), &RoleDefinitionQuery::default())
                .map(|_| ())
        }),
        ("read a role definition", |fx, a, s| {
            reads::get_role_definition(&fx.world, a, &at(s), fx.log_reader).map(|_| ())
        }),
        ("list role assignments", |fx, a, s| {
            reads::list_role_assignments(&fx.world, a, &at(s), &RoleAssignmentQuery::default())
                .map(|_| ())
        }),
        ("read a role assignment", |fx, a, s| {
            reads::get_role_assignment(&fx.world, a, s, fx.erin_reader).map(|_| ())
        }),
        ("read one's permissions", |fx, a, s| {
            reads::permissions(&fx.world, a, &at(s)).map(|_| ())
        }),
        ("list classic administrators", |fx, a, s| {
            reads::list_classic_administrators(&fx.world, a, s).map(|_| ())
        }),
        ("read the audit log", |fx, a, s| {
            reads::require_subscription_audit_read(&fx.world, a, s)
        }),
        ("name a principal to assign", |fx, a, s| {
            reads::assignable_principal(&fx.world, a, &at(s), "erin@alicedefault.onmicrosoft.com")
                .map(|_| ())
        }),
        ("check access", |fx, a, s| {
            reads::check_access(
                &fx.world,
                a,
                &at(s),
                "erin@alicedefault.onmicrosoft.com",
                &["*/read"],
            )
            .map(|_| ())
        }),
    ]
}

#[test]
fn every_rule_refuses_an_outsider_the_same_way_whether_the_subscription_exists_or_not() {
    let mut fx = waiting_world();
    let outsiders = outsiders(&mut fx);
    let before = fx.world.clone();
    let missing = SubscriptionId::new();
    for actor in outsiders {
        for (what, rule) in subscription_rules() {
            let existing = refusal_without(rule(&fx, &actor, fx.sub), &fx.sub.to_string());
            let absent = refusal_without(rule(&fx, &actor, missing), &missing.to_string());
            assert_eq!(
                existing,
                absent,
                "{what} as {}: an outsider tells the existing subscription from a missing one",
                actor.display()
            );
            for hidden in HIDDEN {
                assert!(
                    !existing.2.contains(hidden),
                    "{what} as {} names '{hidden}': {}",
                    actor.display(),
                    existing.2
                );
            }
        }
    }
    assert!(fx.world == before, "a refusal changes nothing");
}

#[test]
fn only_the_operator_is_told_that_a_subscription_does_not_exist() {
    let fx = waiting_world();
    let missing = SubscriptionId::new();
    for (what, rule) in subscription_rules() {
        let e = refusal(rule(&fx, &Actor::Operator, missing));
        assert_eq!(e.kind, ErrorKind::NotFound, "{what}: {e}");
    }
    for actor in [fx.member(fx.fabrikam_admin), personal(&fx.world, fx.bob)] {
        for (what, rule) in subscription_rules() {
            let e = refusal(rule(&fx, &actor, missing));
            // The subscription itself is "not found" to whoever does not see it, as ARM's
            // `GET /subscriptions/{id}` answers, whether it exists or not.
            let expected = if what == "see the subscription" {
                (ErrorKind::NotFound, "SubscriptionNotFound")
            } else {
                (ErrorKind::Forbidden, "AuthorizationFailed")
            };
            assert_eq!((e.kind, e.code.as_str()), expected, "{what}: {e}");
        }
    }
}

#[test]
fn who_may_learn_of_the_subscription_still_gets_the_details_that_help() {
    let mut fx = waiting_world();
    // Dave, a co-administrator, reads the administrators: he is told who the account administrator is.
    let e = refusal(admins::change_service_admin(
        &fx.world,
        &fx.dave_home(),
        fx.sub,
        "bob@outlook.com",
        None,
        fx.now,
    ));
    assert_eq!(e.code, "NotAccountAdministrator");
    assert!(
        e.message.contains("alice@outlook.com") && e.message.contains("Pay-As-You-Go"),
        "{e}"
    );
    // Erin, a Reader of one group, sees the subscription but not its administrators: the refusal names
    // the subscription and what to do, without their addresses.
    let erin = fx.member(fx.erin);
    for e in [
        refusal(admins::change_service_admin(
            &fx.world,
            &erin,
            fx.sub,
            "bob@outlook.com",
            None,
            fx.now,
        )),
        refusal(admins::add_co_admin(
            &fx.world,
            &erin,
            fx.sub,
            "bob@outlook.com",
            None,
            fx.now,
        )),
        refusal(guests::request_link(
            &fx.world,
            &erin,
            fx.sub,
            fx.fabrikam,
            fx.now,
        )),
        refusal(change_directory::plan(
            &fx.world,
            &erin,
            fx.sub,
            fx.fabrikam,
            &[],
            change_directory::Approval::Initiator,
            fx.now,
        )),
    ] {
        assert!(e.full_message().contains("Pay-As-You-Go"), "{e}");
        assert!(e.remedy.is_some(), "{e}");
        assert!(!e.full_message().contains("alice@outlook.com"), "{e}");
    }
    // The service administrator signed in to another directory is still the subscription's own: told
    // which directory to sign in to.
    fx.guest(fx.fabrikam, fx.alice);
    let alice_elsewhere = fx.as_user(fx.fabrikam, fx.alice);
    let e = refusal(admins::add_co_admin(
        &fx.world,
        &alice_elsewhere,
        fx.sub,
        "bob@outlook.com",
        None,
        fx.now,
    ));
    assert!(e.full_message().contains("Pay-As-You-Go"), "{e}");
    // Contoso's Global Administrator, for whom the change waits, reads it and may accept it.
    let admin = fx.member(fx.contoso_admin);
    assert!(reads::require_change_request_read(&fx.world, &admin, fx.sub).is_ok());
    fx.ok_with(|fx| change_directory::accept(&fx.world, &admin, fx.sub, fx.now));
    assert_eq!(fx.subscription().tenant, fx.contoso);
}

#[test]
fn a_directory_s_rules_refuse_an_outsider_the_same_way_whether_it_exists_or_not() {
    let mut fx = waiting_world();
    let request = link_request(&fx);
    let (invitation, _) = fx.ok_with(|fx| {
        guests::invite(
            &fx.world,
            &Actor::Operator,
            fx.contoso,
            "zoe@example.com",
            fx.now,
        )
        .map(|(c, i, g)| (c, (i, g)))
    });
    let missing_tenant = TenantId::new();
    type DirectoryRule = fn(&Fx, &Actor, TenantId, RequestId, RequestId) -> Result<(), DomainError>;
    let rules: Vec<(&str, DirectoryRule)> = vec![
        ("create a user", |fx, a, t, _, _| {
            directory::create_user(
                &fx.world,
                a,
                t,
                NewUser {
                    given_name: None,
                    surname: None,
                    id: None,
                    user_name: "probe".into(),
                    display_name: String::new(),
                    mail: None,
                    password_hash: "$argon2id$test".into(),
                    enabled: true,
                },
                fx.now,
            )
            .map(|_| ())
        }),
        ("invite a guest", |fx, a, t, _, _| {
            guests::invite(&fx.world, a, t, "probe@example.com", fx.now).map(|_| ())
        }),
        ("assign a directory role", |fx, a, t, _, _| {
            directory::add_directory_role_member(
                &fx.world,
                a,
                t,
                DirectoryRole::GlobalAdministrator,
                fx.carol,
                fx.now,
            )
            .map(|_| ())
        }),
        ("set the policy", |fx, a, t, _, _| {
            directory::set_policy(&fx.world, a, t, Default::default(), fx.now).map(|_| ())
        }),
        ("read the directory", |fx, a, t, _, _| {
            reads::directory_overview(&fx.world, a, t, fx.now).map(|_| ())
        }),
        ("list its people", |fx, a, t, _, _| {
            reads::directory_people(&fx.world, a, t).map(|_| ())
        }),
        ("list a role's members", |fx, a, t, _, _| {
            reads::role_members(&fx.world, a, t, DirectoryRole::GlobalAdministrator).map(|_| ())
        }),
        ("name exempted principals", |fx, a, t, _, _| {
            reads::exempted_principals(&fx.world, a, t, ["carol@contoso.com"]).map(|_| ())
        }),
        ("approve a link", |fx, a, t, r, _| {
            guests::approve_link(&fx.world, a, t, r, fx.now).map(|_| ())
        }),
        ("decline a link", |fx, a, t, r, _| {
            guests::decline_link(&fx.world, a, t, r, fx.now).map(|_| ())
        }),
        ("cancel a link", |fx, a, t, r, _| {
            guests::cancel_link(&fx.world, a, t, r, fx.now).map(|_| ())
        }),
        ("read a link request", |fx, a, t, r, _| {
            reads::read_link_request(&fx.world, a, t, r, fx.now).map(|_| ())
        }),
        ("redeem an invitation", |fx, a, t, _, i| {
            guests::redeem(&fx.world, a, t, i, fx.now).map(|_| ())
        }),
    ];
    let outsiders = [fx.member(fx.fabrikam_admin), personal(&fx.world, fx.bob)];
    let ids =
        |t: TenantId, r: RequestId, i: RequestId| [t.to_string(), r.to_string(), i.to_string()];
    for actor in &outsiders {
        for (what, rule) in &rules {
            // The directory, the request and the invitation exist; then the request and invitation are
            // missing; then the directory too.
            let cases = [
                (fx.contoso, request, invitation),
                (fx.contoso, RequestId::new(), RequestId::new()),
                (missing_tenant, request, invitation),
            ];
            let answers: Vec<(ErrorKind, String, String)> = cases
                .iter()
                .map(|&(t, r, i)| {
                    let e = refusal(rule(&fx, actor, t, r, i));
                    let mut text = e.full_message();
                    for (n, id) in ids(t, r, i).iter().enumerate() {
                        text = text.replace(id.as_str(), &format!("{{{n}}}"));
                    }
                    (e.kind, e.code, text)
                })
                .collect();
            assert!(
                answers.iter().all(|a| *a == answers[0]),
                "{what} as {}: {answers:#?}",
                actor.display()
            );
            for hidden in [
                "Contoso",
                "zoe@example.com",
                "alice@outlook.com",
                "Pay-As-You-Go",
            ] {
                assert!(
                    !answers[0].2.contains(hidden),
                    "{what} as {} names '{hidden}': {}",
                    actor.display(),
                    answers[0].2
                );
            }
        }
    }
}

#[test]
fn the_requester_sees_a_directory_it_is_not_in_by_its_domain() {
    let fx = waiting_world();
    let request = link_request(&fx);
    let seen =
        reads::read_link_request(&fx.world, &fx.alice_home(), fx.contoso, request, fx.now).unwrap();
    assert_eq!(seen.directory, "contoso.onmicrosoft.com");
    let admin = fx.member(fx.contoso_admin);
    let seen = reads::read_link_request(&fx.world, &admin, fx.contoso, request, fx.now).unwrap();
    assert_eq!(seen.directory, "Contoso");
}
