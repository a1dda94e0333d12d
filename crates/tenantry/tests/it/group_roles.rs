//! Custom roles at home in a management group over HTTP, on SQLite and PostgreSQL: the Azure CLI's
//! `role definition create/list/delete` with the group as assignable scope, `role assignment create
//! --scope` the group with the custom role, and a principal so assigned acting in a subscription below;
//! the change-of-directory preview of a subscription whose assignments name such a role.

use crate::management_groups::ci_admin_and_owner;
use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_cli_custom_roles_at_management_groups() {
    for store in both().await {
        let srv = ci_admin_and_owner(&store).await;
        run_az_script(&srv, "group_roles_cli.py", &[]);
        assert_memory_matches_database(&srv.svc).await;
    }
}

/// The change-of-directory preview lists the subscription's assignments that name a custom role of the
/// source's management groups (they stop applying, as in Azure) beside the inherited ones it loses; the
/// role stays with the source (the domain's tests apply the change).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_of_directory_preview_lists_assignments_of_a_groups_custom_role() {
    use tenantry_service::domain::rules::access::{self, RoleAssignmentWrite};
    use tenantry_service::domain::rules::group_roles::{self, GroupRoleDefinitionWrite};
    use tenantry_service::domain::rules::hierarchy::{self, ManagementGroupWrite, group_id};
    use tenantry_service::domain::rules::hierarchy_access::{self, GroupAssignmentWrite};
    use tenantry_service::domain::*;
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let svc = &srv.svc;
        let t = tenant_id(svc, "alicedefault");
        let payg: SubscriptionId = PAYG.parse().unwrap();
        let erin = object_of(svc, "erin@alicedefault.onmicrosoft.com", "alicedefault");
        let op = Actor::Operator;
        let role = svc
            .execute(|w| {
                let now = svc.now();
                let mut change = Change::new();
                let mut w = w.clone();
                let mut step = |w: &mut World, c: Change| {
                    w.apply(&c);
                    change.extend(c);
                };
                let write = ManagementGroupWrite {
                    display_name: Some("Platform".into()),
                    parent: Some(String::new()),
                };
                let (c, _) = hierarchy::put_management_group(&w, &op, t, "platform", write, now)?;
                step(&mut w, c);
                let c = hierarchy::move_subscription(&w, &op, t, "platform", payg, now)?;
                step(&mut w, c);
                let (c, role) = group_roles::put_group_role_definition(
                    &w,
                    &op,
                    GroupRoleDefinitionWrite {
                        id: RoleDefinitionId::new(),
                        tenant: Some(t),
                        at_group: None,
                        name: "Platform Reader".into(),
                        description: String::new(),
                        permissions: vec![Permission {
                            actions: vec!["*/read".into()],
                            ..Default::default()
                        }],
                        assignable_scopes: vec![group_id("platform")],
                    },
                    now,
                )?;
                step(&mut w, c);
                let in_sub = RoleAssignmentWrite {
                    id: RoleAssignmentId::new(),
                    scope: Scope::subscription(payg),
                    role_definition: role.id,
                    principal: erin,
                    principal_type: None,
                    description: None,
                };
                let (c, _) = access::create_role_assignment(&w, &op, in_sub, now)?;
                step(&mut w, c);
                let at_group = GroupAssignmentWrite {
                    id: RoleAssignmentId::new(),
                    group: "platform".into(),
                    principal: erin,
                    role: role.id,
                };
                let (c, _) = hierarchy_access::assign_at_group(&w, &op, t, at_group, now)?;
                step(&mut w, c);
                Ok((change, role))
            })
            .await
            .unwrap();
        let arm = crate::arm::Arm { srv: &srv };
        let alice = arm.alice().await;
        let preview = format!(
            "/subscriptions/{PAYG}/providers/Microsoft.Subscription/changeTenantRequest/default/preview?api-version=2024-08-01-preview"
        );
        let body = serde_json::json!({"properties": {"destinationTenantId": CONTOSO}}).to_string();
        let r = arm
            .call(reqwest::Method::POST, &preview, Some(&alice), Some(&body))
            .await
            .expect(200);
        let p = &r.body["properties"];
        let losing = p["roleAssignmentsLosingRole"].as_array().unwrap();
        assert_eq!(losing.len(), 1, "{p}");
        assert_eq!(losing[0]["roleDefinitionName"], "Platform Reader", "{p}");
        assert_eq!(losing[0]["principalId"], erin.to_string(), "{p}");
        let inherited = p["inheritedRoleAssignmentsLost"].as_array().unwrap();
        assert!(
            inherited
                .iter()
                .any(|l| l["roleDefinitionName"] == "Platform Reader"
                    && l["managementGroup"] == "Platform"),
            "{p}"
        );
        // The role stays in alicedefault.
        assert!(svc.read(|w| w.tenant(t).unwrap().custom_roles.contains_key(&role.id)));
        assert_memory_matches_database(svc).await;
    }
}
