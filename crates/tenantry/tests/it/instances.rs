//! Several instances on one database agree: a change made through one is enforced by the others within a
//! second, and writes through different instances serialise without losing each other's changes.

use crate::support::*;
use std::time::Duration;
use tenantry_service::Service;
use tenantry_service::domain::action::{Action, names};
use tenantry_service::domain::rules::access::RoleAssignmentWrite;
use tenantry_service::domain::*;

/// The demo world through one instance, and a second instance on the same database that follows the
/// first's changes (its follower task's handle, kept for the test's length).
async fn following(store: &TestStore) -> (Service, Service, tokio::task::JoinHandle<()>) {
    let a = demo_service(store).await;
    let b = Service::open(store.open_again().await)
        .await
        .expect("second instance");
    let follower = b.spawn_follower();
    (a, b, follower)
}

#[tokio::test]
async fn a_change_through_one_instance_is_enforced_by_another_within_a_second() {
    for store in both().await {
        let (a, b, _follower) = following(&store).await;
        let sub = payg(&a);
        let alice = signed_in(&a, "alice@outlook.com", "alicedefault");
        let erin = signed_in(&a, "erin@alicedefault.onmicrosoft.com", "alicedefault");
        let write = Action::new(names::RESOURCE_GROUP_WRITE);
        let scope = Scope::subscription(sub);
        assert!(!b.read(|w| w.authorize(&erin, &write, &scope)));

        let granted = a
            .create_role_assignment(
                &alice,
                RoleAssignmentWrite {
                    id: RoleAssignmentId::new(),
                    scope: scope.clone(),
                    role_definition: roles::CONTRIBUTOR,
                    principal: erin.object_id().unwrap(),
                    description: None,
                    principal_type: None,
                },
            )
            .await
            .unwrap();
        assert!(
            eventually(Duration::from_secs(1), || b
                .read(|w| w.authorize(&erin, &write, &scope)))
            .await,
            "{:?}: instance B enforces the grant within a second",
            store.backend()
        );

        a.delete_role_assignment(&alice, sub, granted.assignment.id)
            .await
            .unwrap();
        assert!(
            eventually(Duration::from_secs(1), || !b
                .read(|w| w.authorize(&erin, &write, &scope)))
            .await,
            "{:?}: instance B enforces the removal within a second",
            store.backend()
        );
    }
}

/// A managed identity made through one instance is known to another within a second (its principal, by
/// its resource), and so is its deletion.
#[tokio::test]
async fn a_managed_identity_made_through_one_instance_is_known_to_another_within_a_second() {
    use tenantry_service::domain::rules::resources::ResourceWrite;
    for store in both().await {
        let (a, b, _follower) = following(&store).await;
        let alice = signed_in(&a, "alice@outlook.com", "alicedefault");
        let scope = Scope::resource(
            payg(&a),
            "rg1",
            "Microsoft.ManagedIdentity",
            "userAssignedIdentities/id-web",
        )
        .unwrap();
        let write = ResourceWrite {
            identity: None,
            location: Some("westeurope".into()),
            kind: None,
            tags: Default::default(),
            properties: serde_json::json!({}),
        };
        a.put_resource(&alice, &scope, write).await.unwrap();
        let principal = a
            .read(|w| w.managed_identity(&scope).map(|p| p.id))
            .unwrap();
        assert!(
            eventually(Duration::from_secs(1), || b
                .read(|w| w.managed_identity(&scope).map(|p| p.id))
                == Some(principal))
            .await,
            "{:?}: instance B knows the identity within a second",
            store.backend()
        );
        a.delete_resource(&alice, &scope).await.unwrap();
        assert!(
            eventually(Duration::from_secs(1), || b
                .read(|w| w.application(principal).is_none()))
            .await,
            "{:?}: instance B forgets it within a second",
            store.backend()
        );
    }
}

/// A group membership is a change like any other: what it grants or takes away is enforced by another
/// instance within a second, never after a cache expires (Azure's tokens carry stale groups for an hour).
#[tokio::test]
async fn a_membership_change_through_one_instance_is_enforced_by_another_within_a_second() {
    use tenantry_service::domain::rules::groups::NewGroup;
    for store in both().await {
        let (a, b, _follower) = following(&store).await;
        let sub = payg(&a);
        let t = tenant_id(&a, "alicedefault");
        let alice = signed_in(&a, "alice@outlook.com", "alicedefault");
        let erin = signed_in(&a, "erin@alicedefault.onmicrosoft.com", "alicedefault");
        let erin_id = erin.object_id().unwrap();
        let platform = a
            .create_group(&alice, t, NewGroup::named("Platform"))
            .await
            .unwrap();
        let engineering = a
            .create_group(&alice, t, NewGroup::named("Engineering"))
            .await
            .unwrap();
        a.add_group_member(&alice, t, platform, engineering)
            .await
            .unwrap();
        a.create_role_assignment(
            &alice,
            RoleAssignmentWrite {
                id: RoleAssignmentId::new(),
                scope: Scope::subscription(sub),
                role_definition: roles::CONTRIBUTOR,
                principal: platform,
                description: None,
                principal_type: None,
            },
        )
        .await
        .unwrap();
        let write = Action::new(names::RESOURCE_GROUP_WRITE);
        let scope = Scope::subscription(sub);
        let on_b = |allowed: bool| {
            let (b, erin, write, scope) = (&b, &erin, &write, &scope);
            move || b.read(|w| w.authorize(erin, write, scope)) == allowed
        };
        let second = Duration::from_secs(1);
        assert!(on_b(false)());

        a.add_group_member(&alice, t, engineering, erin_id)
            .await
            .unwrap();
        assert!(
            a.read(|w| w.authorize(&erin, &write, &scope)),
            "at once on A"
        );
        assert!(
            eventually(second, on_b(true)).await,
            "{:?}: B enforces a membership (through nesting) within a second",
            store.backend()
        );
        a.remove_group_member(&alice, t, platform, engineering)
            .await
            .unwrap();
        assert!(
            eventually(second, on_b(false)).await,
            "{:?}: B enforces the removal within a second",
            store.backend()
        );
        a.add_group_member(&alice, t, platform, engineering)
            .await
            .unwrap();
        assert!(eventually(second, on_b(true)).await);
        // Deleting the group takes its assignment with it, on every instance.
        a.delete_group(&alice, t, platform).await.unwrap();
        assert!(
            eventually(second, on_b(false)).await,
            "{:?}: B enforces the deletion within a second",
            store.backend()
        );
        assert!(b.read(|w| {
            w.subscription(sub)
                .unwrap()
                .assignments
                .values()
                .all(|x| x.principal != platform)
        }));
        b.sync().await.unwrap();
        assert_memory_matches_database(&b).await;
        assert_memory_matches_database(&a).await;
    }
}

#[tokio::test]
async fn writes_through_two_instances_serialise_and_both_land() {
    for store in both().await {
        let a = demo_service(&store).await;
        let b = Service::open(store.open_again().await)
            .await
            .expect("second instance");
        // No follower on B: its write path must catch up by itself.
        let sub = payg(&a);
        let alice = signed_in(&a, "alice@outlook.com", "alicedefault");
        let (ra, rb) = tokio::join!(
            a.put_resource_group(
                &alice,
                sub,
                "from-a",
                tenantry_service::domain::rules::resources::ResourceGroupWrite {
                    location: "westeurope".into(),
                    tags: None,
                    managed_by: None
                }
            ),
            b.put_resource_group(
                &alice,
                sub,
                "from-b",
                tenantry_service::domain::rules::resources::ResourceGroupWrite {
                    location: "westeurope".into(),
                    tags: None,
                    managed_by: None
                }
            ),
        );
        ra.unwrap();
        rb.unwrap();
        // Both instances now hold both groups, as does the database.
        b.sync().await.unwrap();
        a.sync().await.unwrap();
        for svc in [&a, &b] {
            assert!(svc.read(|w| {
                w.subscription(sub)
                    .unwrap()
                    .resource_group("from-a")
                    .is_some()
                    && w.subscription(sub)
                        .unwrap()
                        .resource_group("from-b")
                        .is_some()
            }));
            assert_memory_matches_database(svc).await;
        }
        // A rule decided on B sees A's state: a duplicate across instances is refused.
        let erin = object_of(&a, "erin@alicedefault.onmicrosoft.com", "alicedefault");
        let req = || RoleAssignmentWrite {
            id: RoleAssignmentId::new(),
            scope: Scope::subscription(sub),
            role_definition: roles::OWNER,
            principal: erin,
            description: None,
            principal_type: None,
        };
        a.create_role_assignment(&alice, req()).await.unwrap();
        let e = b.create_role_assignment(&alice, req()).await.unwrap_err();
        assert_eq!(e.as_domain().unwrap().code, "RoleAssignmentExists");
    }
}

fn group() -> rules::resources::ResourceGroupWrite {
    rules::resources::ResourceGroupWrite {
        location: "westeurope".into(),
        tags: None,
        managed_by: None,
    }
}

/// The change feed is trimmed as writes go on; an instance left further behind than the feed reaches
/// reloads the whole world, before its next write and when it follows, and agrees with the others.
#[tokio::test]
async fn an_instance_behind_a_trimmed_change_feed_reloads_everything() {
    use tenantry_store::ChangeRetention;
    let short = ChangeRetention { kept: 4, every: 2 };
    for store in both().await {
        let a = Service::open(store.store.clone().with_change_retention(short))
            .await
            .unwrap();
        a.apply_world(&demo_world(), &mut |_, _| {}).await.unwrap();
        // B knows the world as it is now, then hears nothing (no follower).
        let b = Service::open(store.open_again().await.with_change_retention(short))
            .await
            .unwrap();
        let c = Service::open(store.open_again().await.with_change_retention(short))
            .await
            .unwrap();
        let sub = payg(&a);
        let alice = signed_in(&a, "alice@outlook.com", "alicedefault");
        let erin = signed_in(&a, "erin@alicedefault.onmicrosoft.com", "alicedefault");
        let scope = Scope::resource_group(sub, "trimmed");
        // Ten writes through A: the feed no longer reaches back to what B and C know.
        for i in 0..10 {
            a.put_resource_group(&alice, sub, &format!("group-{i}"), group())
                .await
                .unwrap();
        }
        let granted = a
            .create_role_assignment(
                &alice,
                RoleAssignmentWrite {
                    id: RoleAssignmentId::new(),
                    scope: Scope::subscription(sub),
                    role_definition: roles::CONTRIBUTOR,
                    principal: erin.object_id().unwrap(),
                    description: None,
                    principal_type: None,
                },
            )
            .await
            .unwrap();
        let pruned = b.store().changes_since(b.revision()).await;
        assert!(
            matches!(pruned, Err(tenantry_store::StoreError::ChangesPruned(_))),
            "{:?}: the feed was trimmed past B ({pruned:?})",
            store.backend()
        );
        // B writes: it catches up first, so its rule sees A's grant and its world equals A's after.
        b.put_resource_group(&erin, sub, "trimmed", group())
            .await
            .expect("erin is Contributor, granted through A");
        let write = Action::new(names::RESOURCE_GROUP_WRITE);
        assert!(b.read(|w| w.authorize(&erin, &write, &scope)));
        assert!(b.read(|w| {
            w.subscription(sub)
                .unwrap()
                .assignments
                .contains_key(&granted.assignment.id)
        }));
        // C follows: a full reload too.
        assert!(c.sync().await.unwrap());
        assert_eq!(c.revision(), b.revision());
        for i in 0..10 {
            let group = format!("group-{i}");
            assert!(c.read(|w| {
                w.subscription(sub)
                    .unwrap()
                    .resource_groups
                    .contains_key(group.as_str())
            }));
        }
        assert!(c.read(|w| {
            w.subscription(sub)
                .unwrap()
                .resource_groups
                .contains_key("trimmed")
        }));
    }
}
