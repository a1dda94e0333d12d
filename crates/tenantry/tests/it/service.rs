//! The article through the service, on SQLite and PostgreSQL: every write lands with its audit event,
//! the in-memory world always equals the database, and a refusal writes nothing.

use crate::support::*;
use tenantry_service::domain::action::{Action, names};
use tenantry_service::domain::audit::{AuditFilter, OperationMatch};
use tenantry_service::domain::rules::access::RoleAssignmentWrite;
use tenantry_service::domain::rules::change_directory::Initiated;
use tenantry_service::domain::*;

#[tokio::test]
async fn the_article_end_to_end_on_both_databases() {
    for store in both().await {
        let svc = demo_service(&store).await;
        assert_memory_matches_database(&svc).await;
        let sub = payg(&svc);
        let contoso = tenant_id(&svc, "contoso");
        let rg1 = Scope::resource_group(sub, "rg1");

        // Step 1: use existing directory. Alice (service administrator) asks, the Contoso admin approves.
        let alice = signed_in(&svc, "alice@outlook.com", "alicedefault");
        let before = audit_count(&svc).await;
        let request = svc
            .request_link(&alice, sub, contoso)
            .await
            .expect("alice may ask");
        let admin = signed_in(&svc, "admin@contoso.onmicrosoft.com", "contoso");
        svc.approve_link(&admin, contoso, request)
            .await
            .expect("the global admin approves");
        assert_eq!(
            audit_count(&svc).await,
            before + 2,
            "one audit event per write"
        );
        let alice_in_contoso = signed_in(&svc, "alice@outlook.com", "contoso");
        assert_eq!(
            alice_in_contoso.tenant(),
            Some(contoso),
            "contoso appears in alice's directories"
        );

        // Step 2: change directory. The preview lists the co-admin AND the role-assignment user.
        let plan = svc
            .preview_change_directory(&alice, sub, contoso, &[])
            .expect("preview");
        assert!(plan.blockers.is_empty(), "{:?}", plan.blockers);
        let removed_admins: Vec<&str> = plan
            .removed_co_admins
            .iter()
            .map(|(_, e)| e.as_str())
            .collect();
        assert_eq!(removed_admins, ["dave@outlook.com"]);
        let removed: Vec<&str> = plan
            .removed_assignments
            .iter()
            .map(|a| a.principal_name.as_str())
            .collect();
        assert!(
            removed.contains(&"erin@alicedefault.onmicrosoft.com"),
            "{removed:?}"
        );
        assert!(removed.contains(&"ci"), "{removed:?}");
        let erin = signed_in(&svc, "erin@alicedefault.onmicrosoft.com", "alicedefault");
        let dave = signed_in(&svc, "dave@outlook.com", "alicedefault");
        let read = Action::new(names::RESOURCE_GROUP_READ);
        assert!(svc.read(|w| w.authorize(&erin, &read, &rg1)));
        assert!(svc.read(|w| w.authorize(&dave, &read, &rg1)));

        let done = svc
            .change_directory(&alice, sub, contoso, None, vec![])
            .await
            .expect("apply");
        assert!(matches!(done, Initiated::Completed(_)));
        assert_memory_matches_database(&svc).await;
        assert!(
            !svc.read(|w| w.authorize(&erin, &read, &rg1)),
            "erin lost access at once"
        );
        assert!(
            !svc.read(|w| w.authorize(&dave, &read, &rg1)),
            "dave lost access at once"
        );
        assert!(
            svc.read(|w| w.authorize(&alice_in_contoso, &read, &rg1)),
            "the service administrator keeps access"
        );
        assert!(
            svc.read(|w| tenantry_service::domain::rules::invariants::violations(w).is_empty())
        );

        // Step 3: add a Contoso user as co-administrator: she sees the subscription; another user does not.
        svc.add_co_admin(
            &alice_in_contoso,
            sub,
            "megan@contoso.onmicrosoft.com",
            None,
        )
        .await
        .expect("add co-admin");
        let megan = signed_in(&svc, "megan@contoso.onmicrosoft.com", "contoso");
        let lee = signed_in(&svc, "lee@contoso.onmicrosoft.com", "contoso");
        let write = Action::new(names::RESOURCE_GROUP_WRITE);
        let rg2 = Scope::resource_group(sub, "rg2");
        assert!(svc.read(|w| w.authorize(&megan, &write, &rg2)));
        assert!(!svc.read(|w| w.authorize(&lee, &read, &Scope::subscription(sub))));
        assert!(svc.read(|w| w.has_any_access(megan.object_id().unwrap(), sub)));
        assert!(!svc.read(|w| w.has_any_access(lee.object_id().unwrap(), sub)));
        assert_memory_matches_database(&svc).await;

        // The audit log holds the change of directory with what it removed.
        let events = svc
            .audit_events(&AuditFilter {
                subscription: Some(sub),
                operation: Some(OperationMatch::Prefix(
                    "Microsoft.Subscription/changeTenantRequest".into(),
                )),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(
            events[0].details["removedCoAdministrators"],
            serde_json::json!(["dave@outlook.com"])
        );
        assert_eq!(events[0].details["removedRoleAssignmentCount"], 2);
    }
}

#[tokio::test]
async fn a_refusal_writes_nothing() {
    for store in both().await {
        let svc = demo_service(&store).await;
        let sub = payg(&svc);
        let revision = svc.revision();
        let events = audit_count(&svc).await;
        let dave = signed_in(&svc, "dave@outlook.com", "alicedefault");
        let contoso = tenant_id(&svc, "contoso");
        // A co-administrator cannot link a directory nor change it.
        let e = svc.request_link(&dave, sub, contoso).await.unwrap_err();
        assert_eq!(e.as_domain().unwrap().code, "NotServiceAdministrator");
        let e = svc
            .change_directory(&dave, sub, contoso, None, vec![])
            .await
            .unwrap_err();
        assert_eq!(
            e.as_domain().unwrap().code,
            "NotServiceOrAccountAdministrator"
        );
        // A principal absent from the trusted tenant cannot be assigned a role.
        let lee = object_of(&svc, "lee@contoso.onmicrosoft.com", "contoso");
        let alice = signed_in(&svc, "alice@outlook.com", "alicedefault");
        let e = svc
            .create_role_assignment(
                &alice,
                RoleAssignmentWrite {
                    id: RoleAssignmentId::new(),
                    scope: Scope::subscription(sub),
                    role_definition: roles::READER,
                    principal: lee,
                    description: None,
                    principal_type: None,
                },
            )
            .await
            .unwrap_err();
        assert_eq!(e.as_domain().unwrap().code, "PrincipalNotFound");
        assert_eq!(svc.revision(), revision, "no revision was spent");
        assert_eq!(
            audit_count(&svc).await,
            events,
            "no audit event was written"
        );
        assert_eq!(store.store.revision().await.unwrap(), revision);
        assert_memory_matches_database(&svc).await;
    }
}

#[tokio::test]
async fn an_idempotent_request_writes_nothing() {
    for store in both().await {
        let svc = demo_service(&store).await;
        let revision = svc.revision();
        assert_eq!(
            svc.apply_world(&demo_world(), &mut |_, _| {})
                .await
                .unwrap(),
            0
        );
        assert_eq!(svc.revision(), revision);
        let sub = payg(&svc);
        let alice = signed_in(&svc, "alice@outlook.com", "alicedefault");
        let erin = object_of(&svc, "erin@alicedefault.onmicrosoft.com", "alicedefault");
        let req = || RoleAssignmentWrite {
            id: RoleAssignmentId(uuid::Uuid::from_u128(7)),
            scope: Scope::subscription(sub),
            role_definition: roles::READER,
            principal: erin,
            description: None,
            principal_type: None,
        };
        svc.create_role_assignment(&alice, req()).await.unwrap();
        let after_first = svc.revision();
        svc.create_role_assignment(&alice, req()).await.unwrap();
        assert_eq!(
            svc.revision(),
            after_first,
            "the same PUT again changes nothing"
        );
    }
}
