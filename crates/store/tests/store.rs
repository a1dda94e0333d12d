//! The store's suite. Every test runs on SQLite (a temporary file) and on PostgreSQL (a fresh database
//! from TENANTRY_TEST_PG_URL; run through `scripts/test.sh`). One test binary on purpose: each extra
//! `tests/*.rs` file is another link step and another gigabyte of target.

// Test code: a panic is a failed run with its message, which is what these unwraps want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// The library's dependencies, not used by the tests themselves.
use {futures_util as _, serde as _, sqlx as _, thiserror as _};

use std::collections::BTreeMap;
use std::time::Duration;
use tenantry_domain::audit::{AuditEvent, OperationMatch};
use tenantry_domain::rules::access::{RoleAssignmentWrite, RoleDefinitionWrite};
use tenantry_domain::rules::admins::NewSubscription;
use tenantry_domain::rules::change_directory::{self, Initiated};
use tenantry_domain::rules::directory::{
    self, NewApplication, NewPersonalAccount, NewTenant, NewUser,
};
use tenantry_domain::rules::federated::{self, NewFederatedCredential};
use tenantry_domain::rules::groups::{self, GroupUpdate, NewGroup};
use tenantry_domain::rules::identities::IdentityWrite;
use tenantry_domain::rules::reads::AuditReadable;
use tenantry_domain::rules::resources::{ResourceGroupWrite, ResourceWrite};
use tenantry_domain::rules::{access, admins, guests, resources};
use tenantry_domain::*;
use tenantry_store::testing::{self, TestStore};
use tenantry_store::{AuditFilter, Backend, Store, StoreError};

#[path = "store/audit_chain.rs"]
mod audit_chain;

const OP: Actor = Actor::Operator;
const T0: Timestamp = 1_700_000_000;

/// A world kept in memory and, change by change, in the store: both must always agree.
struct Mirror {
    store: Store,
    world: World,
    now: Timestamp,
}

impl Mirror {
    fn new(store: &Store) -> Self {
        Self {
            store: store.clone(),
            world: World::new(),
            now: T0,
        }
    }

    fn tick(&mut self) -> Timestamp {
        self.now += 60;
        self.now
    }

    /// Writes a change through the store, then applies it in memory. Returns its revision.
    async fn write(&mut self, change: &Change) -> i64 {
        let mut tx = self.store.begin_write().await.expect("begin_write");
        let rev = tx.revision();
        tx.apply(change).await.expect("apply");
        tx.commit().await.expect("commit");
        self.world.apply(change);
        rev
    }

    /// Runs a rule against the in-memory world and writes what it decided.
    async fn run<T>(
        &mut self,
        rule: impl FnOnce(&World, Timestamp) -> Result<(Change, T), DomainError>,
    ) -> T {
        let now = self.tick();
        let (change, value) =
            rule(&self.world, now).unwrap_or_else(|e| panic!("rule refused: {e:?}"));
        self.write(&change).await;
        value
    }

    async fn run0(&mut self, rule: impl FnOnce(&World, Timestamp) -> Result<Change, DomainError>) {
        self.run(|w, now| rule(w, now).map(|c| (c, ()))).await
    }

    async fn assert_loads_equal(&self, what: &str) {
        let (loaded, rev) = self.store.load_world().await.expect("load_world");
        assert_eq!(
            rev,
            self.store.revision().await.unwrap(),
            "{what}: load_world's revision"
        );
        assert_worlds_equal(
            &loaded,
            &self.world,
            &format!("{what} ({:?})", self.store.backend()),
        );
    }
}

/// Equality with a readable failure: the first partition that differs.
fn assert_worlds_equal(loaded: &World, expected: &World, what: &str) {
    let sorted = |w: &World| {
        let mut p = w.partitions();
        p.sort();
        p
    };
    assert_eq!(sorted(loaded), sorted(expected), "{what}: partitions");
    for a in expected.accounts() {
        assert_eq!(loaded.account(a.id), Some(a), "{what}: account {}", a.email);
    }
    for t in expected.tenants() {
        assert_eq!(
            loaded.tenant(t.tenant.id),
            Some(t),
            "{what}: tenant {}",
            t.tenant.name
        );
    }
    for s in expected.subscriptions() {
        let id = s.subscription.id;
        assert!(
            loaded.subscription(id) == Some(s),
            "{what}: subscription {id}"
        );
    }
    assert!(loaded == expected, "{what}: worlds differ");
}

struct Ids {
    alice: AccountId,
    dave: AccountId,
    contoso: TenantId,
    alicedefault: TenantId,
    contoso_admin: ObjectId,
    bob: ObjectId,
    erin: ObjectId,
    ci_app: ObjectId,
    sub: SubscriptionId,
    sub2: SubscriptionId,
    custom_role: RoleDefinitionId,
}

fn personal(id: AccountId, email: &str) -> Actor {
    Actor::Personal {
        account: id,
        email: email.into(),
    }
}

/// The article's world, built with the domain's rules: personal accounts, an Office 365 tenant and a
/// default directory, members, guests (invited and linked), an application, directory roles, a policy,
/// subscriptions with co-administrators, groups, resources, a custom role and assignments, a directory
/// link request and a change-of-directory request waiting for acceptance.
async fn build_rich_world(m: &mut Mirror) -> Ids {
    let alice = m
        .run(|w, now| {
            directory::create_personal_account(
                w,
                &OP,
                NewPersonalAccount {
                    id: None,
                    email: "Alice@Outlook.com".into(),
                    display_name: "Alice".into(),
                    password_hash: "$argon2id$alice".into(),
                },
                now,
            )
        })
        .await;
    let dave = m
        .run(|w, now| {
            directory::create_personal_account(
                w,
                &OP,
                NewPersonalAccount {
                    id: None,
                    email: "dave@outlook.com".into(),
                    display_name: String::new(),
                    password_hash: "$argon2id$dave".into(),
                },
                now,
            )
        })
        .await;
    let contoso = m
        .run(|w, now| {
            directory::create_tenant(
                w,
                &OP,
                NewTenant {
                    id: None,
                    name: "contoso".into(),
                    display_name: "Contoso".into(),
                    origin: TenantOrigin::Office365,
                    domain_suffix: "onmicrosoft.com".into(),
                    domains: vec!["contoso.com".into()],
                },
                now,
            )
        })
        .await;
    // A person creating a directory joins it as a guest Global Administrator.
    let alicedefault = m
        .run(|w, now| {
            directory::create_tenant(
                w,
                &personal(alice, "Alice@Outlook.com"),
                azure_tenant("alicedefault"),
                now,
            )
        })
        .await;
    let contoso_admin = m
        .run(|w, now| {
            directory::create_user(
                w,
                &OP,
                contoso,
                NewUser {
                    given_name: None,
                    surname: None,
                    id: None,
                    user_name: "admin@contoso.com".into(),
                    display_name: "Contoso Admin".into(),
                    mail: Some("Admin@Contoso.com".into()),
                    password_hash: "$argon2id$admin".into(),
                    enabled: true,
                },
                now,
            )
        })
        .await;
    let bob = m
        .run(|w, now| {
            directory::create_user(
                w,
                &OP,
                contoso,
                NewUser {
                    given_name: None,
                    surname: None,
                    id: None,
                    user_name: "bob".into(),
                    display_name: String::new(),
                    mail: None,
                    password_hash: "$argon2id$bob".into(),
                    enabled: false,
                },
                now,
            )
        })
        .await;
    let erin = m
        .run(|w, now| {
            directory::create_user(
                w,
                &OP,
                alicedefault,
                NewUser {
                    given_name: None,
                    surname: None,
                    id: None,
                    user_name: "erin".into(),
                    display_name: "Erin".into(),
                    mail: Some("erin@example.org".into()),
                    password_hash: "$argon2id$erin".into(),
                    enabled: true,
                },
                now,
            )
        })
        .await;
    for (tenant, role, who) in [
        (contoso, DirectoryRole::GlobalAdministrator, contoso_admin),
        (contoso, DirectoryRole::GlobalReader, bob),
        (alicedefault, DirectoryRole::UserAdministrator, erin),
    ] {
        m.run0(|w, now| directory::add_directory_role_member(w, &OP, tenant, role, who, now))
            .await;
    }
    let ci_app = m
        .run(|w, now| {
            directory::create_application(
                w,
                &OP,
                alicedefault,
                NewApplication {
                    id: None,
                    object_id: None,
                    client_id: None,
                    display_name: "ci".into(),
                    secret_hashes: vec![("ci-".into(), "$argon2id$secret".into())],
                    certificates: vec![],
                    redirect_uris: vec![
                        "https://app.example.org/callback".into(),
                        "http://localhost:8400".into(),
                    ],
                    // Stored and loaded like every other property (migration 0005).
                    group_membership_claims: GroupMembershipClaims::SecurityGroup,
                },
                now,
            )
        })
        .await;
    // A public certificate (client assertions): stored as key id and DER, read back whole (0007).
    let certificate = ApplicationCertificate::from_pem(
        uuid::Uuid::from_u128(7),
        include_str!("ci-certificate.pem"),
    )
    .unwrap();
    m.run0(|w, now| directory::add_certificate(w, &OP, alicedefault, ci_app, certificate, now))
        .await;
    // Its federated identity credentials, one with every property (migration 0008).
    for (name, subject, audiences, description) in [
        (
            "main-branch",
            "repo:contoso/app:ref:refs/heads/main",
            None,
            None,
        ),
        (
            "environment-prod",
            "repo:contoso/app:environment:prod",
            Some(vec!["api://custom-exchange".to_string()]),
            Some("deploys to production".to_string()),
        ),
    ] {
        m.run(|w, now| {
            federated::add_federated_credential(
                w,
                &OP,
                alicedefault,
                ci_app,
                NewFederatedCredential {
                    id: None,
                    name: name.into(),
                    issuer: "https://token.actions.githubusercontent.com".into(),
                    subject: subject.into(),
                    audiences,
                    description,
                },
                now,
            )
        })
        .await;
    }
    m.run0(|w, now| {
        directory::set_policy(
            w,
            &OP,
            contoso,
            SubscriptionPolicy {
                block_subscriptions_leaving: true,
                block_subscriptions_entering: false,
                exempted: vec![contoso_admin],
            },
            now,
        )
    })
    .await;
    m.run0(|w, now| directory::add_domain(w, &OP, contoso, "Fabrikam.example", now))
        .await;

    // Guests: dave invited to contoso and redeemed; another invitation left pending.
    let (dave_invitation, _) = m
        .run(|w, now| {
            guests::invite(w, &OP, contoso, "dave@outlook.com", now).map(|(c, i, g)| (c, (i, g)))
        })
        .await;
    m.run0(|w, now| {
        guests::redeem(
            w,
            &personal(dave, "dave@outlook.com"),
            contoso,
            dave_invitation,
            now,
        )
    })
    .await;
    m.run(|w, now| {
        guests::invite(w, &OP, contoso, "pending@example.net", now).map(|(c, i, g)| (c, (i, g)))
    })
    .await;

    // Subscriptions with classic administrators.
    let sub = m
        .run(|w, now| {
            admins::create_subscription(
                w,
                &OP,
                NewSubscription {
                    id: None,
                    display_name: "Pay-As-You-Go".into(),
                    tenant: alicedefault,
                    service_admin: Identity::Personal { account: alice },
                    account_admin: None,
                },
                now,
            )
        })
        .await;
    m.run(|w, now| admins::add_co_admin(w, &OP, sub, "dave@outlook.com", None, now))
        .await;
    m.run(|w, now| {
        admins::add_co_admin(w, &OP, sub, "erin@alicedefault.onmicrosoft.com", None, now)
    })
    .await;
    let sub2 = m
        .run(|w, now| {
            admins::create_subscription(
                w,
                &OP,
                NewSubscription {
                    id: None,
                    display_name: "Second".into(),
                    tenant: alicedefault,
                    service_admin: Identity::Personal { account: alice },
                    account_admin: Some(Identity::Organizational {
                        tenant: alicedefault,
                        user: erin,
                    }),
                },
                now,
            )
        })
        .await;

    // Tags on the subscription (the Tags API), beside those of groups and resources below.
    m.run(|w, now| {
        tenantry_domain::rules::tags::set_tags(
            w,
            &OP,
            &Scope::subscription(sub),
            tenantry_domain::tags::TagsOperation::Replace,
            BTreeMap::from([("costcenter".into(), "42".into())]),
            now,
        )
    })
    .await;

    // Resources, a custom role and assignments.
    m.run(|w, now| {
        resources::put_resource_group(
            w,
            &OP,
            sub,
            "RG-One",
            ResourceGroupWrite {
                location: "West Europe".into(),
                tags: Some(BTreeMap::from([("env".into(), "test".into())])),
                managed_by: Some("someone".into()),
            },
            now,
        )
    })
    .await;
    m.run(|w, now| {
        resources::put_resource_group(
            w,
            &OP,
            sub,
            "rg2",
            ResourceGroupWrite {
                location: "northeurope".into(),
                tags: None,
                managed_by: None,
            },
            now,
        )
    })
    .await;
    let vnet =
        Scope::resource(sub, "RG-One", "Microsoft.Network", "virtualNetworks/vnet1").unwrap();
    let subnet = Scope::resource(
        sub,
        "RG-One",
        "Microsoft.Network",
        "virtualNetworks/vnet1/subnets/Default",
    )
    .unwrap();
    for (scope, props) in [
        (
            &vnet,
            serde_json::json!({"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "n": 1.5}),
        ),
        (
            &subnet,
            serde_json::json!({"addressPrefix": "10.0.1.0/24", "ok": true, "none": null}),
        ),
    ] {
        m.run(|w, now| {
            resources::put_resource(
                w,
                &OP,
                scope,
                ResourceWrite {
                    identity: None,
                    location: Some("West Europe".into()),
                    kind: Some("v2".into()),
                    tags: BTreeMap::from([("owner".into(), "ops".into())]),
                    properties: props,
                },
                now,
            )
        })
        .await;
    }
    let custom_role = RoleDefinitionId::new();
    m.run(|w, now| {
        access::put_role_definition(
            w,
            &OP,
            RoleDefinitionWrite {
                id: custom_role,
                subscription: sub,
                name: "Log Reader".into(),
                description: "Reads groups".into(),
                permissions: vec![Permission {
                    actions: vec!["Microsoft.Resources/subscriptions/resourceGroups/read".into()],
                    not_actions: vec![
                        "Microsoft.Resources/subscriptions/resourceGroups/delete".into(),
                    ],
                    data_actions: vec![],
                    not_data_actions: vec![],
                }],
                assignable_scopes: vec![],
            },
            now,
        )
    })
    .await;
    for (principal, role, scope, description) in [
        (
            erin,
            roles::READER,
            Scope::resource_group(sub, "RG-One"),
            Some("reads"),
        ),
        (erin, custom_role, Scope::subscription(sub), None),
        (
            ci_app,
            roles::CONTRIBUTOR,
            Scope::resource_group(sub, "rg2"),
            None,
        ),
        (ci_app, roles::READER, subnet.clone(), Some("subnet")),
    ] {
        m.run(|w, now| {
            access::create_role_assignment(
                w,
                &OP,
                RoleAssignmentWrite {
                    id: RoleAssignmentId::new(),
                    scope,
                    role_definition: role,
                    principal,
                    description: description.map(String::from),
                    principal_type: None,
                },
                now,
            )
        })
        .await;
    }

    // "Use existing directory": alice asks to join contoso (pending).
    m.run(|w, now| guests::request_link(w, &OP, sub, contoso, now))
        .await;
    // A change of directory waiting for acceptance: alice, signed in to the subscription's directory, is
    // not present in contoso yet.
    let alice_identity = Identity::Personal { account: alice };
    let alice_there = Actor::User {
        tenant: alicedefault,
        object: m.world.presence(alice_identity, alicedefault).unwrap(),
        identity: alice_identity,
        name: "Alice@Outlook.com".into(),
    };
    let initiated = m
        .run(|w, now| change_directory::initiate(w, &alice_there, sub2, contoso, None, vec![], now))
        .await;
    assert!(matches!(initiated, Initiated::Waiting(_)));

    Ids {
        alice,
        dave,
        contoso,
        alicedefault,
        contoso_admin,
        bob,
        erin,
        ci_app,
        sub,
        sub2,
        custom_role,
    }
}

/// The rich world's waiting link request, approved: alice becomes a guest of contoso.
async fn approve_contoso_link(m: &mut Mirror, ids: &Ids) {
    let link = m
        .world
        .tenant(ids.contoso)
        .unwrap()
        .link_requests
        .keys()
        .next()
        .copied()
        .unwrap();
    m.run0(|w, now| guests::approve_link(w, &OP, ids.contoso, link, now))
        .await;
}

#[tokio::test]
async fn every_mutation_round_trips() {
    for db in testing::both().await {
        let mut m = Mirror::new(&db);
        let ids = build_rich_world(&mut m).await;
        m.assert_loads_equal("rich world").await;

        // The link approved: alice becomes a guest of contoso.
        approve_contoso_link(&mut m, &ids).await;
        // The operator moves the first subscription to contoso, mapping erin to bob: every assignment
        // and co-administrator of the old directory goes, erin's are re-granted to bob.
        let done = m
            .run(|w, now| {
                change_directory::initiate(
                    w,
                    &OP,
                    ids.sub,
                    ids.contoso,
                    None,
                    vec![PrincipalMapEntry {
                        from: ids.erin.to_string(),
                        to: "bob@contoso.onmicrosoft.com".into(),
                    }],
                    now,
                )
            })
            .await;
        assert!(matches!(done, Initiated::Completed(_)));
        let moved = m.world.subscription(ids.sub).unwrap();
        assert_eq!(moved.subscription.tenant, ids.contoso);
        assert!(moved.assignments.values().all(|a| a.principal == ids.bob));
        assert!(!moved.assignments.is_empty());
        m.assert_loads_equal("after a change of directory").await;

        // The waiting request, accepted by the operator.
        m.run(|w, now| change_directory::accept(w, &OP, ids.sub2, now))
            .await;
        m.assert_loads_equal("after acceptance").await;
    }
}

/// Management groups, the renamed root and placed subscriptions load back as written; a subscription
/// that changes directory loses its place in the old hierarchy.
#[tokio::test]
async fn management_groups_round_trip() {
    use tenantry_domain::rules::hierarchy::{self, ManagementGroupWrite};
    use tenantry_domain::rules::hierarchy_access;
    for db in testing::both().await {
        let mut m = Mirror::new(&db);
        let ids = build_rich_world(&mut m).await;
        let t = ids.alicedefault;
        let write = |name: Option<&str>, parent: &str| ManagementGroupWrite {
            display_name: name.map(String::from),
            parent: Some(parent.into()),
        };
        for (name, parent) in [("Platform", ""), ("prod", "platform"), ("corp", "")] {
            m.run(|w, now| {
                hierarchy::put_management_group(w, &OP, t, name, write(None, parent), now)
            })
            .await;
        }
        let root = t.to_string();
        m.run(|w, now| {
            hierarchy::put_management_group(w, &OP, t, &root, write(Some("Alice's root"), ""), now)
        })
        .await;
        m.run0(|w, now| hierarchy::move_subscription(w, &OP, t, "prod", ids.sub, now))
            .await;
        // Role assignments at a group and at the root scope load back; a principal that goes takes
        // its own along.
        let (reader, _) = m
            .run(|w, now| {
                let write = hierarchy_access::GroupAssignmentWrite {
                    id: RoleAssignmentId::new(),
                    group: "platform".into(),
                    principal: ids.erin,
                    role: roles::READER,
                };
                hierarchy_access::assign_at_group(w, &OP, t, write, now)
            })
            .await;
        m.write(&one(Mutation::PutManagementGroupAssignment(
            ManagementGroupRoleAssignment {
                id: RoleAssignmentId::new(),
                tenant: t,
                management_group: ROOT_SCOPE.into(),
                principal: ids.ci_app,
                principal_type: PrincipalType::ServicePrincipal,
                role_definition: roles::USER_ACCESS_ADMINISTRATOR,
                created: T0,
            },
        )))
        .await;
        assert!(m.world.is_allowed(
            ids.erin,
            &tenantry_domain::action::Action::new("Microsoft.Resources/subscriptions/read"),
            &Scope::subscription(ids.sub)
        ));
        m.assert_loads_equal("management groups").await;
        m.run0(|w, now| hierarchy_access::remove_group_assignment(w, &OP, t, reader.id, now))
            .await;
        m.write(&one(Mutation::DeleteApplication {
            tenant: t,
            app: ids.ci_app,
        }))
        .await;
        assert!(
            m.world
                .tenant(t)
                .unwrap()
                .all_group_assignments()
                .next()
                .is_none()
        );
        let (loaded, _) = db.load_world().await.unwrap();
        let part = loaded.tenant(t).unwrap();
        assert_eq!(part.subscription_parent(ids.sub), "prod");
        assert_eq!(part.parent_group("PROD").as_deref(), Some("Platform"));
        assert_eq!(
            part.management_group(&root).unwrap().display_name,
            "Alice's root"
        );

        m.run0(|w, now| {
            hierarchy::update_management_group(
                w,
                &OP,
                t,
                "prod",
                write(Some("Production"), "corp"),
                now,
            )
        })
        .await;
        m.run0(|w, now| hierarchy::delete_management_group(w, &OP, t, "platform", now))
            .await;
        m.assert_loads_equal("after a move and a delete").await;

        // The link approved, the subscription moves to contoso and leaves alicedefault's hierarchy.
        approve_contoso_link(&mut m, &ids).await;
        m.run(|w, now| change_directory::initiate(w, &OP, ids.sub, ids.contoso, None, vec![], now))
            .await;
        assert!(m.world.tenant(t).unwrap().subscription_parents().is_empty());
        m.assert_loads_equal("after a change of directory").await;
    }
}

/// Custom roles at home in a management group load back with their tenant, and go when deleted.
#[tokio::test]
async fn custom_roles_of_management_groups_round_trip() {
    use tenantry_domain::rules::group_roles::{self, GroupRoleDefinitionWrite};
    use tenantry_domain::rules::hierarchy::{self, ManagementGroupWrite, group_id};
    use tenantry_domain::rules::hierarchy_access;
    for db in testing::both().await {
        let mut m = Mirror::new(&db);
        let ids = build_rich_world(&mut m).await;
        let t = ids.alicedefault;
        m.run(|w, now| {
            let write = ManagementGroupWrite {
                display_name: None,
                parent: Some(String::new()),
            };
            hierarchy::put_management_group(w, &OP, t, "platform", write, now)
        })
        .await;
        let role = m
            .run(|w, now| {
                let write = GroupRoleDefinitionWrite {
                    id: RoleDefinitionId::new(),
                    tenant: Some(t),
                    at_group: Some("platform".into()),
                    name: "Platform Reader".into(),
                    description: "Reads what is below the platform group.".into(),
                    permissions: vec![Permission {
                        actions: vec!["*/read".into()],
                        ..Default::default()
                    }],
                    assignable_scopes: vec![
                        group_id("platform"),
                        format!("/subscriptions/{}", ids.sub),
                    ],
                };
                group_roles::put_group_role_definition(w, &OP, write, now)
            })
            .await;
        let (at_group, _) = m
            .run(|w, now| {
                let write = hierarchy_access::GroupAssignmentWrite {
                    id: RoleAssignmentId::new(),
                    group: "platform".into(),
                    principal: ids.erin,
                    role: role.id,
                };
                hierarchy_access::assign_at_group(w, &OP, t, write, now)
            })
            .await;
        m.assert_loads_equal("a custom role of a management group")
            .await;
        let (loaded, _) = db.load_world().await.unwrap();
        let d = &loaded.tenant(t).unwrap().custom_roles[&role.id];
        assert_eq!((d.tenant, d.subscription), (Some(t), None));
        assert_eq!(d.home_group(), Some("platform"));
        m.run0(|w, now| hierarchy_access::remove_group_assignment(w, &OP, t, at_group.id, now))
            .await;
        m.run(|w, now| {
            group_roles::delete_group_role_definition(w, &OP, t, role.id, now).map(|o| o.unwrap())
        })
        .await;
        m.assert_loads_equal("the custom role deleted").await;
        let (loaded, _) = db.load_world().await.unwrap();
        assert!(loaded.tenant(t).unwrap().custom_roles.is_empty());
    }
}

#[tokio::test]
async fn deletes_round_trip() {
    for db in testing::both().await {
        let mut m = Mirror::new(&db);
        let ids = build_rich_world(&mut m).await;

        // A resource, then a whole group with what lies beneath (resources and assignments).
        let subnet = m
            .world
            .subscription(ids.sub)
            .unwrap()
            .resources
            .values()
            .find(|r| r.scope.as_str().ends_with("/Default"))
            .unwrap()
            .scope
            .clone();
        m.run0(|w, now| resources::delete_resource(w, &OP, &subnet, now))
            .await;
        m.run0(|w, now| resources::delete_resource_group(w, &OP, ids.sub, "rg-one", now))
            .await;
        let part = m.world.subscription(ids.sub).unwrap();
        assert!(part.resources.is_empty() && part.resource_group("RG-One").is_none());

        // An assignment, then the custom role once nothing uses it.
        let using_custom: Vec<RoleAssignmentId> = part
            .assignments
            .values()
            .filter(|a| a.role_definition == ids.custom_role)
            .map(|a| a.id)
            .collect();
        assert_eq!(using_custom.len(), 1);
        m.run(|w, now| {
            access::delete_role_assignment(w, &OP, ids.sub, using_custom[0], now)
                .map(|r| r.expect("exists"))
        })
        .await;
        m.run(|w, now| {
            access::delete_role_definition(w, &OP, ids.sub, ids.custom_role, now)
                .map(|r| r.expect("exists"))
        })
        .await;

        // A user who holds a directory role, is a co-administrator and has an assignment (her others went
        // with the group and the custom role): the rule deletes all three with her.
        m.run(|w, now| {
            access::create_role_assignment(
                w,
                &OP,
                RoleAssignmentWrite {
                    id: RoleAssignmentId::new(),
                    scope: Scope::subscription(ids.sub),
                    role_definition: roles::OWNER,
                    principal: ids.erin,
                    description: None,
                    principal_type: None,
                },
                now,
            )
        })
        .await;
        m.run0(|w, now| directory::delete_user(w, &OP, ids.alicedefault, ids.erin, now))
            .await;
        assert!(m.world.user(ids.erin).is_none());
        m.run0(|w, now| {
            directory::remove_directory_role_member(
                w,
                &OP,
                ids.contoso,
                DirectoryRole::GlobalReader,
                ids.bob,
                now,
            )
        })
        .await;
        m.run0(|w, now| admins::remove_co_admin(w, &OP, ids.sub, "dave@outlook.com", now))
            .await;
        m.assert_loads_equal("after rule deletes").await;

        // Mutations no rule makes yet: deleting an application (with its directory roles), a change
        // request and an account.
        let mut raw = Change::new();
        raw.push(Mutation::AddDirectoryRoleMember {
            tenant: ids.alicedefault,
            role: DirectoryRole::GlobalReader,
            principal: ids.ci_app,
        });
        raw.push(Mutation::DeleteApplication {
            tenant: ids.alicedefault,
            app: ids.ci_app,
        });
        raw.push(Mutation::DeleteChangeRequest(ids.sub2));
        raw.push(Mutation::DeleteAccount(ids.dave));
        m.write(&raw).await;
        assert!(m.world.application(ids.ci_app).is_none());
        assert!(m.world.account(ids.dave).is_none());
        m.assert_loads_equal("after raw deletes").await;
    }
}

#[tokio::test]
async fn subscription_aliases_and_states_round_trip() {
    use tenantry_domain::rules::hierarchy;
    use tenantry_domain::rules::subscriptions::{self as lifecycle, NewAlias};
    for db in testing::both().await {
        let mut m = Mirror::new(&db);
        let ids = build_rich_world(&mut m).await;
        let admin = Actor::User {
            tenant: ids.contoso,
            object: ids.contoso_admin,
            identity: Identity::Organizational {
                tenant: ids.contoso,
                user: ids.contoso_admin,
            },
            name: "admin@contoso.onmicrosoft.com".into(),
        };
        // The alias places its subscription under Platform, which the admin creates (and so owns).
        m.run(|w, now| {
            hierarchy::put_management_group(
                w,
                &admin,
                ids.contoso,
                "Platform",
                Default::default(),
                now,
            )
        })
        .await;
        let out = m
            .run(|w, now| {
                lifecycle::create_alias(
                    w,
                    &admin,
                    NewAlias {
                        name: "Sandbox".into(),
                        display_name: Some("Sandbox".into()),
                        workload: Some("DevTest".into()),
                        billing_scope: Some("/billingAccounts/x".into()),
                        management_group: Some("Platform".into()),
                        ..Default::default()
                    },
                    now,
                )
            })
            .await;
        m.run0(|w, now| lifecycle::cancel_subscription(w, &admin, out.alias.subscription, now))
            .await;
        m.assert_loads_equal("an alias and a cancelled subscription")
            .await;
        m.run0(|w, now| lifecycle::enable_subscription(w, &admin, out.alias.subscription, now))
            .await;
        m.run(|w, now| {
            lifecycle::delete_alias(w, &admin, "sandbox", now).map(|r| r.expect("exists"))
        })
        .await;
        assert!(m.world.tenant(ids.contoso).unwrap().aliases.is_empty());
        m.assert_loads_equal("the alias deleted, the subscription enabled")
            .await;
    }
}

/// The groups of alicedefault in the rich world: Platform (erin, the ci application and Engineering,
/// with erin as owner), Engineering (empty), and the role-assignable Admins (erin) holding User
/// Administrator; Platform holds Reader on the first subscription. Returns (Platform, Engineering, Admins).
async fn build_groups(m: &mut Mirror, ids: &Ids) -> (ObjectId, ObjectId, ObjectId) {
    let t = ids.alicedefault;
    let engineering = m
        .run(|w, now| groups::create_group(w, &OP, t, NewGroup::named("Engineering"), now))
        .await;
    let platform = m
        .run(|w, now| {
            let req = NewGroup {
                description: Some("Platform team".into()),
                members: vec![ids.erin, ids.ci_app, engineering],
                owners: vec![ids.erin],
                ..NewGroup::named("Platform")
            };
            groups::create_group(w, &OP, t, req, now)
        })
        .await;
    let admins = m
        .run(|w, now| {
            let req = NewGroup {
                role_assignable: true,
                members: vec![ids.erin],
                ..NewGroup::named("Admins")
            };
            groups::create_group(w, &OP, t, req, now)
        })
        .await;
    m.run0(|w, now| {
        directory::add_directory_role_member(
            w,
            &OP,
            t,
            DirectoryRole::UserAdministrator,
            admins,
            now,
        )
    })
    .await;
    m.run(|w, now| {
        access::create_role_assignment(
            w,
            &OP,
            RoleAssignmentWrite {
                id: RoleAssignmentId::new(),
                scope: Scope::subscription(ids.sub),
                role_definition: roles::READER,
                principal: platform,
                description: None,
                principal_type: None,
            },
            now,
        )
    })
    .await;
    (platform, engineering, admins)
}

#[tokio::test]
async fn groups_round_trip_with_their_members_owners_roles_and_assignments() {
    for db in testing::both().await {
        let mut m = Mirror::new(&db);
        let ids = build_rich_world(&mut m).await;
        let t = ids.alicedefault;
        let (platform, engineering, admins) = build_groups(&mut m, &ids).await;
        m.assert_loads_equal("groups").await;
        let (loaded, _) = db.load_world().await.unwrap();
        let part = loaded.tenant(t).unwrap();
        assert_eq!(part.group_by_name("platform").map(|g| g.id), Some(platform));
        assert_eq!(
            part.groups_of(ids.erin).len(),
            2,
            "the index is built on load"
        );
        assert!(part.holds_role(ids.erin, DirectoryRole::UserAdministrator));
        assert!(loaded.is_allowed(
            ids.ci_app,
            &action::Action::new(action::names::RESOURCE_GROUP_READ),
            &Scope::subscription(ids.sub)
        ));

        // Memberships change one row at a time, and a follower reloading the tenant sees them.
        let (mut follower, at) = db.load_world().await.unwrap();
        let users: Vec<ObjectId> = m.world.tenant(t).unwrap().users.keys().copied().collect();
        m.run0(|w, now| groups::add_group_members(w, &OP, t, engineering, &users, now))
            .await;
        m.run0(|w, now| groups::remove_group_members(w, &OP, t, platform, &[ids.ci_app], now))
            .await;
        m.run0(|w, now| groups::remove_group_owner(w, &OP, t, platform, ids.erin, now))
            .await;
        m.run0(|w, now| groups::add_group_owner(w, &OP, t, engineering, ids.erin, now))
            .await;
        m.run0(|w, now| {
            let upd = GroupUpdate {
                display_name: Some("Platform Team".into()),
                description: Some(None),
                ..Default::default()
            };
            groups::update_group(w, &OP, t, platform, upd, now)
        })
        .await;
        let feed = db.changes_since(at).await.unwrap();
        assert!(
            feed.iter().all(|(_, p)| *p == Partition::Tenant(t)),
            "{feed:?}"
        );
        db.reload_partition(Partition::Tenant(t), &mut follower)
            .await
            .unwrap();
        assert_worlds_equal(&follower, &m.world, "follower");
        assert_eq!(
            follower.tenant(t).unwrap().groups_of(ids.ci_app),
            m.world.tenant(t).unwrap().groups_of(ids.ci_app)
        );
        m.assert_loads_equal("after membership changes").await;

        // Deleting a user, an application and a group takes their memberships, ownerships, roles and
        // the group's role assignments along.
        m.run0(|w, now| directory::delete_user(w, &OP, t, ids.erin, now))
            .await;
        m.write(&one(Mutation::DeleteApplication {
            tenant: t,
            app: ids.ci_app,
        }))
        .await;
        m.run0(|w, now| groups::delete_group(w, &OP, t, platform, now))
            .await;
        m.run0(|w, now| groups::delete_group(w, &OP, t, admins, now))
            .await;
        let part = m.world.tenant(t).unwrap();
        assert!(part.group_owners.is_empty() && part.groups.len() == 1);
        assert!(
            m.world
                .subscription(ids.sub)
                .unwrap()
                .assignments
                .values()
                .all(|a| a.principal != platform)
        );
        m.assert_loads_equal("after deletes").await;

        // A display name is unique in the tenant: the database says so too.
        let mut twin = m
            .world
            .tenant(t)
            .unwrap()
            .group(engineering)
            .unwrap()
            .clone();
        twin.id = ObjectId::new();
        twin.display_name = "ENGINEERING".into();
        expect_conflict(
            try_write(&db, &one(Mutation::PutGroup(twin))).await,
            "a group name taken",
            db.backend(),
        );
        m.assert_loads_equal("after a conflict").await;
    }
}

/// Managed identities: a user-assigned identity and a resource with a system-assigned one and the
/// user-assigned one round-trip (the principals with their resource, the resources with their identity
/// block); a role assignment to an identity, and deleting what holds identities, round-trip too.
#[tokio::test]
async fn managed_identities_round_trip_with_their_principals_and_assignments() {
    for db in testing::both().await {
        let mut m = Mirror::new(&db);
        let ids = build_rich_world(&mut m).await;
        let sub = ids.sub;
        let identity = Scope::resource(
            sub,
            "RG-One",
            "Microsoft.ManagedIdentity",
            "userAssignedIdentities/id-web",
        )
        .unwrap();
        let site = Scope::resource(sub, "RG-One", "Microsoft.Web", "sites/web1").unwrap();
        let write = |identity: Option<IdentityWrite>| ResourceWrite {
            identity,
            location: Some("westeurope".into()),
            kind: None,
            tags: BTreeMap::new(),
            properties: serde_json::json!({}),
        };
        m.run(|w, now| resources::put_resource(w, &OP, &identity, write(None), now))
            .await;
        let both = IdentityWrite {
            type_name: "SystemAssigned, UserAssigned".into(),
            user_assigned: vec![identity.to_string()],
            ..Default::default()
        };
        m.run(|w, now| resources::put_resource(w, &OP, &site, write(Some(both)), now))
            .await;
        let user = m.world.managed_identity(&identity).unwrap().clone();
        let system = m.world.managed_identity(&site).unwrap().clone();
        let assignment = m
            .run(|w, now| {
                access::create_role_assignment(
                    w,
                    &OP,
                    RoleAssignmentWrite {
                        id: RoleAssignmentId::new(),
                        scope: Scope::subscription(sub),
                        role_definition: roles::READER,
                        principal: user.id,
                        principal_type: None,
                        description: None,
                    },
                    now,
                )
            })
            .await
            .assignment;
        assert_eq!(assignment.principal_type, PrincipalType::ServicePrincipal);
        m.assert_loads_equal("identities").await;
        let (loaded, _) = db.load_world().await.unwrap();
        assert_eq!(loaded.managed_identity(&identity), Some(&user));
        assert_eq!(loaded.managed_identity(&site), Some(&system));
        let r = &loaded.subscription(sub).unwrap().resources[site.key()];
        assert_eq!(
            r.identity.as_ref().map(|i| i.type_name()),
            Some("SystemAssigned, UserAssigned")
        );
        assert_eq!(
            loaded
                .application(user.id)
                .unwrap()
                .service_principal_type(),
            "ManagedIdentity"
        );

        // The site's system-assigned identity switched off, then the user-assigned identity deleted:
        // each takes its principal and the principal's assignments.
        let only_user = IdentityWrite {
            type_name: "UserAssigned".into(),
            user_assigned: vec![identity.to_string()],
            ..Default::default()
        };
        m.run(|w, now| resources::put_resource(w, &OP, &site, write(Some(only_user)), now))
            .await;
        m.run0(|w, now| resources::delete_resource(w, &OP, &identity, now))
            .await;
        assert!(m.world.application(user.id).is_none());
        assert!(m.world.application(system.id).is_none());
        m.assert_loads_equal("identities deleted").await;
        let (loaded, _) = db.load_world().await.unwrap();
        assert!(
            !loaded
                .subscription(sub)
                .unwrap()
                .assignments
                .contains_key(&assignment.id)
        );
    }
}

/// A member added to a group of 10,000 is one row: the big group is written once, in batches.
#[tokio::test]
async fn a_big_group_is_written_in_batches_and_grows_by_one_row() {
    for db in testing::both().await {
        let mut m = Mirror::new(&db);
        let ids = build_rich_world(&mut m).await;
        let t = ids.alicedefault;
        let (platform, _, _) = build_groups(&mut m, &ids).await;
        let many: Vec<ObjectId> = (0..10_000).map(|_| ObjectId::new()).collect();
        m.write(&one(Mutation::AddGroupMembers {
            tenant: t,
            group: platform,
            members: many.clone(),
        }))
        .await;
        let one_more = one(Mutation::AddGroupMembers {
            tenant: t,
            group: platform,
            members: vec![ids.contoso_admin],
        });
        m.write(&one_more).await;
        assert_eq!(
            m.world.tenant(t).unwrap().members_of(platform).count(),
            10_000 + 4
        );
        m.write(&one(Mutation::RemoveGroupMembers {
            tenant: t,
            group: platform,
            members: many[..5_000].to_vec(),
        }))
        .await;
        m.assert_loads_equal("a big group").await;
    }
}

#[tokio::test]
async fn revisions_and_the_change_feed_bring_another_world_up_to_date() {
    for db in testing::both().await {
        assert_eq!(db.revision().await.unwrap(), 0);
        let mut m = Mirror::new(&db);
        let ids = build_rich_world(&mut m).await;
        let (mut follower, at) = db.load_world().await.unwrap();
        assert_eq!(at, db.revision().await.unwrap());

        // Each write takes the next revision.
        let before = db.revision().await.unwrap();
        m.run0(|w, now| directory::add_domain(w, &OP, ids.alicedefault, "alice.example", now))
            .await;
        assert_eq!(db.revision().await.unwrap(), before + 1);
        let mut account_change = Change::new();
        account_change.push(Mutation::DeleteAccount(ids.dave));
        let rev_delete = m.write(&account_change).await;
        assert_eq!(rev_delete, before + 2);
        // One write touching two partitions: a row in each of the feed.
        let group = ResourceGroup {
            subscription: ids.sub2,
            name: "late".into(),
            location: "eastus".into(),
            tags: BTreeMap::new(),
            managed_by: None,
            created: m.tick(),
        };
        let mut two = Change::new();
        two.push(Mutation::PutResourceGroup(group));
        two.push(Mutation::AddDirectoryRoleMember {
            tenant: ids.contoso,
            role: DirectoryRole::UserAdministrator,
            principal: ids.contoso_admin,
        });
        assert_eq!(m.write(&two).await, before + 3);

        let feed = db.changes_since(at).await.unwrap();
        assert_eq!(
            feed,
            vec![
                (before + 1, Partition::Tenant(ids.alicedefault)),
                (before + 2, Partition::Account(ids.dave)),
                (before + 3, Partition::Subscription(ids.sub2)),
                (before + 3, Partition::Tenant(ids.contoso)),
            ]
        );
        assert_eq!(db.changes_since(before + 3).await.unwrap(), vec![]);
        assert!(follower != m.world);
        for (_, p) in &feed {
            db.reload_partition(*p, &mut follower).await.unwrap();
        }
        assert_worlds_equal(&follower, &m.world, "follower");
        // The partition is gone from the follower too, and its indexes with it.
        assert!(follower.account_by_email("dave@outlook.com").is_none());
        assert!(follower.tenant_by_domain("alice.example").is_some());

        // Inside a write transaction: the same feed and reload.
        let mut tx = db.begin_write().await.unwrap();
        assert_eq!(tx.revision(), before + 4);
        assert_eq!(tx.changes_since(before + 2).await.unwrap().len(), 2);
        let mut fresh = World::new();
        tx.reload_partition(Partition::Subscription(ids.sub2), &mut fresh)
            .await
            .unwrap();
        assert_eq!(fresh.subscription(ids.sub2), m.world.subscription(ids.sub2));
    }
}

#[tokio::test]
async fn a_dropped_write_leaves_nothing() {
    for db in testing::both().await {
        let mut m = Mirror::new(&db);
        let ids = build_rich_world(&mut m).await;
        let rev = db.revision().await.unwrap();
        let audit_before = db.audit_events(&AuditFilter::default()).await.unwrap();
        {
            let now = m.tick();
            let (change, _) = directory::create_tenant(
                &m.world,
                &OP,
                NewTenant {
                    id: None,
                    name: "ghost".into(),
                    display_name: String::new(),
                    origin: TenantOrigin::Azure,
                    domain_suffix: "onmicrosoft.com".into(),
                    domains: vec!["ghost.example".into()],
                },
                now,
            )
            .unwrap();
            let mut tx = db.begin_write().await.unwrap();
            assert_eq!(tx.revision(), rev + 1);
            tx.apply(&change).await.unwrap();
            let mut big = Change::new();
            big.push(Mutation::InsertRoleAssignments {
                subscription: ids.sub,
                assignments: many_assignments(ids.sub, 5000),
            });
            tx.apply(&big).await.unwrap();
            // Dropped here without commit.
        }
        assert_eq!(db.revision().await.unwrap(), rev);
        assert_eq!(db.changes_since(rev).await.unwrap(), vec![]);
        assert_eq!(
            db.audit_events(&AuditFilter::default()).await.unwrap(),
            audit_before
        );
        m.assert_loads_equal("after a dropped write").await;
        // The next write takes the revision the dropped one had.
        let mut tx = db.begin_write().await.unwrap();
        assert_eq!(tx.revision(), rev + 1);
        tx.apply(&Change::new()).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(db.revision().await.unwrap(), rev + 1);
    }
}

/// A bulk write (a world file's: `COPY` on PostgreSQL, a large page cache on SQLite) writes what a
/// write does, texts that `COPY` must escape included, keeps the audit chain sound, and leaves
/// nothing when dropped.
#[tokio::test]
async fn a_bulk_write_writes_what_a_write_does_or_nothing() {
    for db in testing::both().await {
        let mut m = Mirror::new(&db);
        let ids = build_rich_world(&mut m).await;
        let rev = db.revision().await.unwrap();
        let mut assignments = many_assignments(ids.sub, 3000);
        for (a, d) in assignments.iter_mut().zip([
            "tab\there",
            "line\nbreak\r",
            "back\\slash \\N",
            "quote ' \" and , comma",
        ]) {
            a.description = Some(d.into());
        }
        let mut big = Change::new();
        big.push(Mutation::InsertRoleAssignments {
            subscription: ids.sub,
            assignments: assignments.clone(),
        });
        big.audit(AuditEvent::new(&OP, T0, "bulk", "/subscriptions/x"));
        {
            let mut tx = db.begin_bulk_write().await.unwrap();
            assert_eq!(tx.revision(), rev + 1);
            // Catching up from inside it sees what was committed before.
            assert_eq!(
                tx.changes_since(rev - 1).await.unwrap(),
                db.changes_since(rev - 1).await.unwrap()
            );
            assert_eq!(tx.changes_since(rev).await.unwrap(), vec![]);
            tx.apply(&big).await.unwrap();
            // Dropped here without commit.
        }
        assert_eq!(db.revision().await.unwrap(), rev);
        m.assert_loads_equal("after a dropped bulk write").await;

        let mut tx = db.begin_bulk_write().await.unwrap();
        assert_eq!(tx.revision(), rev + 1);
        tx.apply(&big).await.unwrap();
        // Written again (a later piece of the same change): the rows are put, not refused, also when
        // the key that exists comes in the first of several parts of the `COPY`.
        let mut again = Change::new();
        again.push(Mutation::InsertRoleAssignments {
            subscription: ids.sub,
            assignments: assignments[..2500].to_vec(),
        });
        tx.apply(&again).await.unwrap();
        tx.commit().await.unwrap();
        m.world.apply(&big);
        assert_eq!(db.revision().await.unwrap(), rev + 1);
        m.assert_loads_equal("after a bulk write").await;
        assert!(db.verify_audit_chain(None).await.unwrap().is_ok());
        // And the next ordinary write follows it.
        m.run(|w, now| directory::create_tenant(w, &OP, azure_tenant("after"), now))
            .await;
        m.assert_loads_equal("after the next write").await;
        assert!(db.verify_audit_chain(None).await.unwrap().is_ok());
    }
}

/// A tenant of Azure's making, without custom domains.
fn azure_tenant(name: &str) -> NewTenant {
    NewTenant {
        id: None,
        name: name.into(),
        display_name: String::new(),
        origin: TenantOrigin::Azure,
        domain_suffix: "onmicrosoft.com".into(),
        domains: vec![],
    }
}

fn many_assignments(sub: SubscriptionId, n: usize) -> Vec<RoleAssignment> {
    let principal = ObjectId::new();
    (0..n)
        .map(|i| RoleAssignment {
            id: RoleAssignmentId::new(),
            subscription: sub,
            scope: Scope::resource_group(sub, &format!("rg{}", i % 50)),
            principal,
            principal_type: PrincipalType::User,
            role_definition: roles::READER,
            description: None,
            created: T0,
            created_by: None,
        })
        .collect()
}

/// Writes one change in its own transaction, returning the store's verdict.
async fn try_write(store: &Store, change: &Change) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    tx.apply(change).await?;
    tx.commit().await
}

fn expect_conflict(result: Result<(), StoreError>, what: &str, backend: Backend) {
    match result {
        Err(StoreError::Conflict(msg)) => assert!(!msg.is_empty()),
        other => panic!("{what} on {backend:?}: expected a conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn unique_violations_are_conflicts() {
    for db in testing::both().await {
        let b = db.backend();
        let mut m = Mirror::new(&db);
        let ids = build_rich_world(&mut m).await;
        let rev = db.revision().await.unwrap();
        let w = &m.world;

        let mut account = w.account(ids.alice).unwrap().clone();
        account.id = AccountId::new();
        account.email = "ALICE@outlook.com".into();
        expect_conflict(
            try_write(&db, &one(Mutation::PutAccount(account))).await,
            "an email taken",
            b,
        );

        let mut tenant = w.tenant(ids.contoso).unwrap().tenant.clone();
        tenant.id = TenantId::new();
        tenant.initial_domain = "other.onmicrosoft.com".into();
        tenant.domains = vec![];
        tenant.name = "Contoso".into();
        expect_conflict(
            try_write(&db, &one(Mutation::PutTenant(tenant.clone()))).await,
            "a tenant name taken",
            b,
        );
        tenant.name = "other".into();
        tenant.domains = vec!["CONTOSO.com".into()];
        expect_conflict(
            try_write(&db, &one(Mutation::PutTenant(tenant))).await,
            "a domain taken",
            b,
        );

        let mut user = w.user(ids.bob).unwrap().clone();
        user.id = ObjectId::new();
        if let UserKind::Member { upn, .. } = &mut user.kind {
            *upn = "BOB@contoso.onmicrosoft.com".into();
        }
        expect_conflict(
            try_write(&db, &one(Mutation::PutUser(user))).await,
            "a member UPN taken",
            b,
        );

        let mut app = w.application(ids.ci_app).unwrap().clone();
        app.id = ObjectId::new();
        expect_conflict(
            try_write(&db, &one(Mutation::PutApplication(app))).await,
            "a client id taken",
            b,
        );

        let event = db.audit_events(&AuditFilter::default()).await.unwrap()[0].clone();
        let mut again = Change::new();
        again.audit(event);
        expect_conflict(
            try_write(&db, &again).await,
            "an audit event written twice",
            b,
        );

        // None of the refused writes left anything.
        assert_eq!(db.revision().await.unwrap(), rev);
        m.assert_loads_equal("after conflicts").await;
    }
}

fn one(m: Mutation) -> Change {
    let mut c = Change::new();
    c.push(m);
    c
}

fn event(
    time: Timestamp,
    actor: &str,
    operation: &str,
    tenant: Option<TenantId>,
    subscription: Option<SubscriptionId>,
) -> AuditEvent {
    let mut e = AuditEvent::new(&OP, time, operation, "target");
    e.actor = actor.into();
    e.tenant = tenant;
    e.subscription = subscription;
    e.details = serde_json::json!({"time": time});
    e
}

#[tokio::test]
async fn audit_events_filter_and_order() {
    for db in testing::both().await {
        let b = db.backend();
        let t1 = TenantId::new();
        let t2 = TenantId::new();
        let s1 = SubscriptionId::new();
        let mut change = Change::new();
        for i in 0..30i64 {
            let (actor, op, tenant, sub) = match i % 3 {
                0 => (
                    "Alice@Outlook.com",
                    "Microsoft.Authorization/roleAssignments/write",
                    Some(t1),
                    Some(s1),
                ),
                1 => (
                    "bob@contoso.com",
                    "microsoft.directory/users/create",
                    Some(t2),
                    None,
                ),
                _ => ("operator", "tenantry/tenants/write", None, None),
            };
            change.audit(event(T0 + i, actor, op, tenant, sub));
        }
        try_write(&db, &change).await.unwrap();
        let query = |f: AuditFilter| {
            let db = db.store.clone();
            async move { db.audit_events(&f).await.unwrap() }
        };

        let all = query(AuditFilter::default()).await;
        assert_eq!(all.len(), 30, "{b:?}");
        assert!(
            all.windows(2).all(|w| w[0].time > w[1].time),
            "newest first on {b:?}"
        );
        assert_eq!(all[0].details, serde_json::json!({"time": T0 + 29}));
        let by_tenant = query(AuditFilter {
            tenant: Some(t1),
            ..Default::default()
        })
        .await;
        assert_eq!(by_tenant.len(), 10);
        assert!(
            by_tenant
                .iter()
                .all(|e| e.tenant == Some(t1) && e.subscription == Some(s1))
        );
        let by_sub = query(AuditFilter {
            subscription: Some(s1),
            ..Default::default()
        })
        .await;
        assert_eq!(by_sub, by_tenant);
        let by_actor = query(AuditFilter {
            actor: Some("alice@OUTLOOK.com".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(by_actor, by_tenant, "actor is case-insensitive on {b:?}");
        let by_op = query(AuditFilter {
            operation: Some(OperationMatch::Prefix("MICROSOFT.directory/".into())),
            ..Default::default()
        })
        .await;
        assert_eq!(by_op.len(), 10, "operation prefix on {b:?}");
        assert!(by_op.iter().all(|e| e.actor == "bob@contoso.com"));
        let exact = |op: &str| {
            query(AuditFilter {
                operation: Some(OperationMatch::Exact(op.into())),
                ..Default::default()
            })
        };
        assert_eq!(
            exact("MICROSOFT.directory/users/CREATE").await,
            by_op,
            "exact operation on {b:?}"
        );
        assert!(exact("microsoft.directory/users").await.is_empty());
        let wildcard = query(AuditFilter {
            operation: Some(OperationMatch::Prefix("%".into())),
            ..Default::default()
        })
        .await;
        assert!(wildcard.is_empty(), "no LIKE wildcards on {b:?}");
        let window = query(AuditFilter {
            since: Some(T0 + 10),
            until: Some(T0 + 19),
            ..Default::default()
        })
        .await;
        assert_eq!(window.len(), 10);
        assert!(window.iter().all(|e| (T0 + 10..=T0 + 19).contains(&e.time)));
        let limited = query(AuditFilter {
            limit: Some(4),
            ..Default::default()
        })
        .await;
        assert_eq!(limited, all[..4].to_vec());
        let combined = query(AuditFilter {
            tenant: Some(t2),
            since: Some(T0 + 20),
            limit: Some(2),
            ..Default::default()
        })
        .await;
        assert_eq!(
            combined.iter().map(|e| e.time).collect::<Vec<_>>(),
            vec![T0 + 28, T0 + 25]
        );
        assert!(
            query(AuditFilter {
                tenant: Some(TenantId::new()),
                ..Default::default()
            })
            .await
            .is_empty()
        );
    }
}

/// Reading page after page from where the last one stopped gives every event once, in order, also when
/// many share a second and others are written between the pages.
#[tokio::test]
async fn audit_events_page_by_cursor_without_gaps_or_repeats() {
    use tenantry_domain::audit::AuditCursor;
    for db in testing::both().await {
        let b = db.backend();
        let t = TenantId::new();
        let mut change = Change::new();
        // 40 events in the same second, then 25 in the seconds before it.
        for _ in 0..40 {
            change.audit(event(T0 + 100, "a", "x/write", Some(t), None));
        }
        for i in 0..25 {
            change.audit(event(T0 + i, "a", "x/write", Some(t), None));
        }
        try_write(&db, &change).await.unwrap();
        let filter = AuditFilter {
            tenant: Some(t),
            limit: Some(7),
            ..Default::default()
        };
        let all = db
            .store
            .audit_events(&AuditFilter {
                limit: Some(1000),
                ..filter.clone()
            })
            .await
            .unwrap();
        assert_eq!(all.len(), 65);
        let mut read = Vec::new();
        let mut f = filter.clone();
        loop {
            let page = db.store.audit_events(&f).await.unwrap();
            read.extend(page.iter().cloned());
            if !f.is_full(&page) {
                break;
            }
            // A newer event written between pages does not shift what comes next.
            let mut newer = Change::new();
            newer.audit(event(T0 + 500, "a", "x/write", Some(t), None));
            try_write(&db, &newer).await.unwrap();
            let cursor = AuditCursor::after(page.last().unwrap());
            f.after = AuditCursor::parse(&cursor.encode());
            assert_eq!(f.after, Some(cursor));
        }
        assert_eq!(read, all, "pages on {b:?}");
    }
}

/// A reader's events are found however many newer ones they may not read.
#[tokio::test]
async fn readable_events_come_back_past_many_unreadable_ones() {
    for db in testing::both().await {
        let mine = SubscriptionId::new();
        let admin_of = TenantId::new();
        let elsewhere = TenantId::new();
        let mut change = Change::new();
        change.audit(event(T0, "someone", "a/write", None, Some(mine)));
        change.audit(event(T0 + 1, "someone", "b/write", Some(admin_of), None));
        change.audit(event(T0 + 2, "Dave@Outlook.com", "c/write", None, None));
        // Newer than all of them: 1,500 events of a directory the reader has nothing to do with.
        for i in 0..1500 {
            change.audit(event(
                T0 + 10 + i,
                "other",
                "x/write",
                Some(elsewhere),
                None,
            ));
        }
        try_write(&db, &change).await.unwrap();
        let readable = AuditReadable {
            subscriptions: vec![mine],
            tenants: vec![admin_of],
            actors: vec!["dave@outlook.com".into()],
        };
        let found = db
            .audit_events(&AuditFilter {
                readable_by: Some(readable.clone()),
                limit: Some(200),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            found.iter().map(|e| e.time).collect::<Vec<_>>(),
            vec![T0 + 2, T0 + 1, T0],
            "{:?}",
            db.backend()
        );
        // Other filters narrow what is readable.
        let by_sub = db
            .audit_events(&AuditFilter {
                readable_by: Some(readable),
                subscription: Some(mine),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(by_sub.len(), 1);
        let nothing = db
            .audit_events(&AuditFilter {
                readable_by: Some(AuditReadable::default()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(nothing.is_empty());
    }
}

#[tokio::test]
async fn a_write_wakes_other_instances_on_postgres() {
    let db: TestStore = testing::postgres().await;
    let other = db.open_again().await;
    let mut listener = other.listen().await.unwrap().expect("PostgreSQL listens");

    // A rolled-back write notifies nobody.
    {
        let mut tx = db.begin_write().await.unwrap();
        tx.apply(&one(Mutation::DeleteAccount(AccountId::new())))
            .await
            .unwrap();
    }
    assert!(
        tokio::time::timeout(Duration::from_millis(300), listener.recv())
            .await
            .is_err(),
        "no notification for a rollback"
    );

    let mut tx = db.begin_write().await.unwrap();
    tx.apply(&one(Mutation::DeleteAccount(AccountId::new())))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), listener.recv())
        .await
        .expect("woken within 10 s")
        .unwrap();
    assert_eq!(other.changes_since(0).await.unwrap().len(), 1);

    // SQLite has no listener: instances poll the revision.
    let lite = testing::sqlite().await;
    assert!(lite.listen().await.unwrap().is_none());
}

#[tokio::test]
async fn concurrent_writers_are_serialised() {
    for db in testing::both().await {
        let b = db.backend();
        let other = db.open_again().await;
        let mut first = db.begin_write().await.unwrap();
        assert_eq!(first.revision(), 1);
        let second = tokio::spawn(async move {
            let mut tx = other.begin_write().await.unwrap();
            let rev = tx.revision();
            tx.apply(&one(Mutation::DeleteAccount(AccountId::new())))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            rev
        });
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(!second.is_finished(), "the second writer waits on {b:?}");
        first
            .apply(&one(Mutation::DeleteAccount(AccountId::new())))
            .await
            .unwrap();
        first.commit().await.unwrap();
        let rev = tokio::time::timeout(Duration::from_secs(10), second)
            .await
            .expect("the second writer proceeds")
            .unwrap();
        assert_eq!(rev, 2, "{b:?}");
        assert_eq!(db.revision().await.unwrap(), 2);
        let revs: Vec<i64> = db
            .changes_since(0)
            .await
            .unwrap()
            .iter()
            .map(|(r, _)| *r)
            .collect();
        assert_eq!(revs, vec![1, 2]);
    }
}

#[tokio::test]
async fn bulk_assignments_round_trip() {
    for db in testing::both().await {
        let mut m = Mirror::new(&db);
        let ids = build_rich_world(&mut m).await;
        let assignments = many_assignments(ids.sub, 12_000);
        let ids_to_delete: Vec<RoleAssignmentId> =
            assignments.iter().step_by(2).map(|a| a.id).collect();
        m.write(&one(Mutation::InsertRoleAssignments {
            subscription: ids.sub,
            assignments,
        }))
        .await;
        m.write(&one(Mutation::DeleteRoleAssignments {
            subscription: ids.sub,
            ids: ids_to_delete,
        }))
        .await;
        assert!(m.world.subscription(ids.sub).unwrap().assignments.len() > 6000);
        m.assert_loads_equal("after bulk writes").await;
        m.write(&one(Mutation::ClearRoleAssignments {
            subscription: ids.sub,
        }))
        .await;
        assert!(
            m.world
                .subscription(ids.sub)
                .unwrap()
                .assignments
                .is_empty()
        );
        m.assert_loads_equal("after clearing the subscription's assignments")
            .await;
    }
}

/// Assignments are read a subscription at a time, packed in JSON by the database: whatever text they
/// hold (quotes, backslashes, line breaks, other scripts, a resource's scope), and their creator and
/// time, come back exactly.
#[tokio::test]
async fn assignments_with_any_text_round_trip_through_the_packed_read() {
    for db in testing::both().await {
        let mut m = Mirror::new(&db);
        let ids = build_rich_world(&mut m).await;
        let mut assignments = many_assignments(ids.sub, 3);
        assignments[0].description =
            Some("a \"quoted\" \\ back\nslash, ünïcode 名前 ✓ '' ;--".into());
        assignments[0].created_by = Some(ObjectId::new());
        assignments[1].scope = Scope::parse(&format!(
            "/subscriptions/{}/resourceGroups/RG-Ä(1)/providers/Microsoft.Storage/storageAccounts/acct1",
            ids.sub
        ))
        .unwrap();
        assignments[1].created = i64::MAX / 2;
        assignments[2].description = Some(String::new());
        m.write(&one(Mutation::InsertRoleAssignments {
            subscription: ids.sub,
            assignments,
        }))
        .await;
        m.assert_loads_equal("assignments with any text").await;
    }
}

/// Users are read a tenant at a time on SQLite, packed in JSON by the database: whatever text their
/// names hold, a member without a mail or names, and a guest not yet redeemed (no home), come back
/// exactly, on both databases.
#[tokio::test]
async fn users_with_any_text_round_trip_through_the_packed_read() {
    for db in testing::both().await {
        let mut m = Mirror::new(&db);
        let ids = build_rich_world(&mut m).await;
        let Some(mut bob) = m.world.user(ids.bob).cloned() else {
            panic!("bob is in the rich world")
        };
        bob.display_name = "Bob \"the\" \\ builder\nünïcode 名前 ✓ '' ;--".into();
        bob.given_name = Some("Bób\t".into());
        bob.surname = Some(String::new());
        if let UserKind::Member { mail, .. } = &mut bob.kind {
            *mail = None;
        }
        let guest = User {
            id: ObjectId::new(),
            tenant: ids.contoso,
            display_name: "Pending \"guest\"".into(),
            enabled: false,
            given_name: None,
            surname: None,
            kind: UserKind::Guest {
                email: "pending@example.com".into(),
                upn: "pending_example.com#EXT#@contoso.onmicrosoft.com".into(),
                home: None,
                state: GuestState::PendingAcceptance,
            },
            created: i64::MAX / 2,
        };
        let mut change = one(Mutation::PutUser(bob));
        change.push(Mutation::PutUser(guest));
        m.write(&change).await;
        m.assert_loads_equal("users with any text").await;
    }
}

/// Instances started together on a new SQLite file: each finds the schema it needs (only one of them
/// creates it), none fails.
#[tokio::test]
async fn instances_opening_a_new_sqlite_file_together_all_succeed() {
    for round in 0..5 {
        let dir = tenantry_store::testing::TempDir::new("tenantry-race").unwrap();
        let path = dir.path().join(format!("race-{round}.db"));
        let opens = (0..4).map(|_| {
            let path = path.clone();
            async move { Store::open_sqlite_file(&path).await }
        });
        let stores = join_all(opens).await;
        for s in stores {
            let s = s.expect("every instance opens the new file");
            assert_eq!(s.revision().await.unwrap(), 0);
        }
    }
}

/// Runs the futures at once on this runtime (each on a task of its own) and collects their results.
async fn join_all<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

/// An assignment's text columns come back as written, spaces and all, whichever way the database
/// hands them over (PostgreSQL joins the short ones into one text).
#[tokio::test]
async fn assignments_load_with_spaces_in_their_scope_and_description() {
    for db in testing::both().await {
        let mut m = Mirror::new(&db);
        let ids = build_rich_world(&mut m).await;
        let scope = Scope::parse(&format!(
            "/subscriptions/{}/resourceGroups/rg/providers/Microsoft.Web/sites/a site  with spaces ",
            ids.sub
        ))
        .unwrap();
        let mut assignments = many_assignments(ids.sub, 3);
        assignments[0].scope = scope;
        assignments[0].description = Some(" two  spaces - and a dash ".into());
        assignments[1].created_by = Some(ObjectId::new());
        let mut change = Change::new();
        change.push(Mutation::InsertRoleAssignments {
            subscription: ids.sub,
            assignments,
        });
        m.write(&change).await;
        m.assert_loads_equal("assignments with spaces").await;
    }
}

/// A load sees every table as of one revision, while another instance writes: on PostgreSQL the role
/// assignments are read on a connection of their own, in the load's exported snapshot.
#[tokio::test]
async fn a_load_reads_one_revision_while_writes_land() {
    const EACH: usize = 2;
    const WRITES: usize = 300;
    for db in testing::both().await {
        let b = db.backend();
        let mut m = Mirror::new(&db);
        let ids = build_rich_world(&mut m).await;
        let (base_revision, base_count) = (
            db.revision().await.unwrap(),
            m.world.subscription(ids.sub).unwrap().assignments.len(),
        );
        let other = db.open_again().await;
        let sub = ids.sub;
        let writer = tokio::spawn(async move {
            for _ in 0..WRITES {
                try_write(
                    &other,
                    &one(Mutation::InsertRoleAssignments {
                        subscription: sub,
                        assignments: many_assignments(sub, EACH),
                    }),
                )
                .await
                .unwrap();
            }
        });
        let mut loads = 0;
        let mut revisions = std::collections::BTreeSet::new();
        while !writer.is_finished() || loads == 0 {
            let (world, revision) = db.load_world().await.unwrap();
            let written = usize::try_from(revision - base_revision).unwrap();
            assert_eq!(
                world.subscription(sub).unwrap().assignments.len(),
                base_count + EACH * written,
                "{b:?}: the load of revision {revision} holds the assignments of that revision"
            );
            revisions.insert(revision);
            loads += 1;
        }
        writer.await.unwrap();
        assert!(
            revisions.len() > 2,
            "{b:?}: loads saw the writes land ({revisions:?})"
        );
    }
}
