//! Several instances on one database agree: a change made through one is enforced by the others within a
//! second, and writes through different instances serialise without losing each other's changes.

use crate::support::*;
use std::time::Duration;
use tenantry_service::Service;
use tenantry_service::domain::action::{Action, names};
use tenantry_service::domain::rules::access::RoleAssignmentWrite;
use tenantry_service::domain::*;

#[tokio::test]
async fn a_change_through_one_instance_is_enforced_by_another_within_a_second() {
    for store in both().await {
        let a = demo_service(&store).await;
        let b = Service::open(store.open_again().await)
            .await
            .expect("second instance");
        let _follower = b.spawn_follower();
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

        a.delete_role_assignment(&alice, sub, granted.id)
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
        };
        a.create_role_assignment(&alice, req()).await.unwrap();
        let e = b.create_role_assignment(&alice, req()).await.unwrap_err();
        assert_eq!(e.as_domain().unwrap().code, "RoleAssignmentExists");
    }
}
