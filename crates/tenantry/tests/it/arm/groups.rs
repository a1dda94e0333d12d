//! Role assignments to groups over ARM, on both databases: created with `principalType: Group` (a type
//! that is not the principal's refused as ARM refuses it), listed with `principalId eq` (that principal)
//! and `assignedTo()` (it and every group it is in, transitively), alone and with `atScope()`; the
//! `permissions` of a member with the grant and the path; a member creates what an outsider may not,
//! and a membership removed is enforced on the next request. The groups are made through the service
//! (the demo world has none).

use super::*;
use tenantry_service::domain::rules::access::RoleAssignmentWrite;
use tenantry_service::domain::rules::groups::NewGroup;

/// Engineering ⊃ Platform ⊃ erin in alicedefault; gina, a member of the directory in no group, Reader on
/// rg1 like erin; and a group of contoso.
struct Teams {
    engineering: String,
    platform: String,
    erin: String,
    gina: String,
    contoso_group: String,
}

const GINA: (&str, &str) = ("gina@alicedefault.onmicrosoft.com", "Gina-Default-1!");

async fn teams(svc: &Service) -> Teams {
    let op = Actor::Operator;
    let t = tenant_id(svc, "alicedefault");
    let erin = object_of(svc, "erin@alicedefault.onmicrosoft.com", "alicedefault");
    let platform = svc
        .create_group(
            &op,
            t,
            NewGroup {
                members: vec![erin],
                ..NewGroup::named("Platform")
            },
        )
        .await
        .unwrap();
    let engineering = svc
        .create_group(
            &op,
            t,
            NewGroup {
                members: vec![platform],
                ..NewGroup::named("Engineering")
            },
        )
        .await
        .unwrap();
    let gina = svc
        .create_user(
            &op,
            t,
            "gina",
            "Gina",
            Default::default(),
            GINA.1,
            None,
            true,
        )
        .await
        .unwrap();
    svc.create_role_assignment(
        &op,
        RoleAssignmentWrite {
            id: RoleAssignmentId::new(),
            scope: Scope::resource_group(SUB.parse().unwrap(), "rg1"),
            role_definition: roles::READER,
            principal: gina,
            principal_type: None,
            description: None,
        },
    )
    .await
    .unwrap();
    let contoso_group = svc
        .create_group(&op, tenant_id(svc, "contoso"), NewGroup::named("Sales"))
        .await
        .unwrap();
    Teams {
        engineering: engineering.to_string(),
        platform: platform.to_string(),
        erin: erin.to_string(),
        gina: gina.to_string(),
        contoso_group: contoso_group.to_string(),
    }
}

fn assignment_body(principal: &str, role: &str, principal_type: Option<&str>) -> Value {
    let mut props = json!({"roleDefinitionId": role_definition_id(role), "principalId": principal});
    if let Some(t) = principal_type {
        props["principalType"] = json!(t);
    }
    json!({ "properties": props })
}

/// The (principalId, scope) pairs of a list, sorted.
fn pairs(r: &Resp) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = r
        .values()
        .iter()
        .map(|a| {
            (
                a["properties"]["principalId"].as_str().unwrap().to_string(),
                a["properties"]["scope"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn sorted(mut v: Vec<(String, String)>) -> Vec<(String, String)> {
    v.sort();
    v
}

fn filtered(scope_rest: &str, filter: &str) -> String {
    authz(
        scope_rest,
        &format!(
            "roleAssignments?$filter={}",
            filter.replace(' ', "%20").replace('\'', "%27")
        ),
    )
}

#[tokio::test]
async fn role_assignments_to_groups_are_created_filtered_and_enforced() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let arm = Arm { srv: &srv };
        let tm = teams(&srv.svc).await;
        let alice = arm.alice().await;
        let erin = arm.erin().await;
        let gina = arm.user(ALICEDEFAULT, GINA.0, GINA.1).await;
        const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";

        // Created with the group's type; the answer says it.
        let id = new_id();
        let path = authz("", &format!("roleAssignments/{id}"));
        let created = arm
            .put(
                &path,
                &alice,
                assignment_body(&tm.engineering, CONTRIBUTOR, Some("Group")),
            )
            .await
            .expect(201);
        assert_eq!(created.body["properties"]["principalType"], "Group");
        assert_eq!(created.body["properties"]["principalId"], tm.engineering);
        let got = arm.get(&path, &alice).await.expect(200);
        assert_eq!(got.body, created.body);

        // A type that is not the principal's is refused in ARM's words; so is a group of another
        // directory, a type ARM does not know, and the same assignment again under another id.
        let refusals = [
            (
                &tm.platform,
                READER,
                Some("User"),
                400,
                "UnmatchedPrincipalType",
            ),
            (
                &tm.erin,
                READER,
                Some("Group"),
                400,
                "UnmatchedPrincipalType",
            ),
            (
                &tm.contoso_group,
                READER,
                Some("Group"),
                400,
                "PrincipalNotFound",
            ),
            (
                &tm.platform,
                READER,
                Some("Team"),
                400,
                "InvalidRequestContent",
            ),
            (
                &tm.engineering,
                CONTRIBUTOR,
                None,
                409,
                "RoleAssignmentExists",
            ),
        ];
        for (principal, role, declared, status, code) in refusals {
            let r = arm
                .put(
                    &authz("", &format!("roleAssignments/{}", new_id())),
                    &alice,
                    assignment_body(principal, role, declared),
                )
                .await
                .refused(status, code);
            if principal == &tm.platform && declared == Some("User") {
                let simple = tm.platform.replace('-', "");
                assert!(
                    r.message().starts_with(&format!(
                        "The PrincipalId '{simple}' has type 'Group' , which is different from specified PrincipalType 'User'."
                    )),
                    "{}",
                    r.message()
                );
            }
        }

        // A member of Platform (in Engineering) creates a resource group; gina, in no group, may not.
        let team_rg = sub_path("/resourcegroups/team-rg");
        arm.put(&team_rg, &erin, json!({"location": "westeurope"}))
            .await
            .expect(201);
        arm.put(
            &sub_path("/resourcegroups/gina-rg"),
            &gina,
            json!({"location": "westeurope"}),
        )
        .await
        .refused(403, "AuthorizationFailed");

        // principalId eq: exactly that principal; assignedTo(): it and its groups, transitively.
        let sub = sub_path("");
        let rg1 = sub_path("/resourceGroups/rg1");
        let erin_own = (tm.erin.clone(), rg1.clone());
        let through_groups = (tm.engineering.clone(), sub.clone());
        for (scope_rest, filter, expected) in [
            (
                "",
                format!("principalId eq '{}'", tm.erin),
                vec![erin_own.clone()],
            ),
            (
                "",
                format!("assignedTo('{}')", tm.erin),
                vec![erin_own.clone(), through_groups.clone()],
            ),
            // What `az role assignment list --assignee … --include-groups` sends.
            (
                "",
                format!("atScope() and assignedTo('{}')", tm.erin),
                vec![through_groups.clone()],
            ),
            (
                "/resourceGroups/rg1",
                format!("atScope() and assignedTo('{}')", tm.erin),
                vec![erin_own.clone(), through_groups.clone()],
            ),
            (
                "",
                format!("assignedTo('{}')", tm.platform),
                vec![through_groups.clone()],
            ),
            ("", format!("principalId eq '{}'", tm.platform), vec![]),
            (
                "",
                format!("principalId eq '{}'", tm.engineering),
                vec![through_groups.clone()],
            ),
            (
                "",
                format!("assignedTo('{}')", tm.gina),
                vec![(tm.gina.clone(), rg1.clone())],
            ),
        ] {
            for caller in [&alice, &erin] {
                let r = arm
                    .get(&filtered(scope_rest, &filter), caller)
                    .await
                    .expect(200);
                assert_eq!(
                    pairs(&r),
                    sorted(expected.clone()),
                    "{filter} at '{scope_rest}'"
                );
            }
        }

        // The permissions of a member say which grant they come from, with the path.
        let perms = arm
            .get(&authz("/resourcegroups/rg1", "permissions"), &erin)
            .await
            .expect(200);
        let blocks = perms.values();
        assert_eq!(blocks.len(), 2, "{}", perms.body);
        assert_eq!(blocks[0]["actions"], json!(["*/read"]));
        assert_eq!(blocks[0]["grantedBy"]["type"], "RoleAssignment");
        assert_eq!(blocks[0]["grantedBy"]["roleDefinitionName"], "Reader");
        assert_eq!(blocks[0]["grantedBy"]["through"], json!([]));
        assert_eq!(blocks[1]["actions"], json!(["*"]));
        let by = &blocks[1]["grantedBy"];
        assert_eq!(by["roleDefinitionName"], "Contributor");
        assert_eq!(by["roleDefinitionId"], role_definition_id(CONTRIBUTOR));
        assert_eq!(by["scope"], sub);
        assert_eq!(
            by["roleAssignmentId"],
            format!("{sub}/providers/Microsoft.Authorization/roleAssignments/{id}")
        );
        assert_eq!(
            by["through"],
            json!([
                {"principalId": tm.engineering, "principalType": "Group", "displayName": "Engineering"},
                {"principalId": tm.platform, "principalType": "Group", "displayName": "Platform"},
            ])
        );
        let said = by["description"].as_str().unwrap();
        assert!(
            said.ends_with("through group Engineering, member of Platform"),
            "{said}"
        );
        // Classic administrators hold everything, and say so.
        let perms = arm
            .get(&authz("/resourcegroups/rg1", "permissions"), &alice)
            .await
            .expect(200);
        assert_eq!(
            perms.values()[0]["grantedBy"]["type"],
            "ServiceAdministrator"
        );

        // Out of Platform, erin loses what Engineering holds on her next request, and the lists say so.
        let t = tenant_id(&srv.svc, "alicedefault");
        srv.svc
            .remove_group_member(
                &Actor::Operator,
                t,
                tm.platform.parse().unwrap(),
                tm.erin.parse().unwrap(),
            )
            .await
            .unwrap();
        arm.put(
            &sub_path("/resourcegroups/later-rg"),
            &erin,
            json!({"location": "westeurope"}),
        )
        .await
        .refused(403, "AuthorizationFailed");
        let perms = arm
            .get(&authz("/resourcegroups/rg1", "permissions"), &erin)
            .await
            .expect(200);
        assert_eq!(perms.values().len(), 1, "{}", perms.body);
        let r = arm
            .get(&filtered("", &format!("assignedTo('{}')", tm.erin)), &alice)
            .await
            .expect(200);
        assert_eq!(pairs(&r), vec![erin_own.clone()]);

        // Deleting the group takes its assignment with it (Azure would leave it orphaned).
        srv.svc
            .delete_group(&Actor::Operator, t, tm.engineering.parse().unwrap())
            .await
            .unwrap();
        arm.get(&path, &alice)
            .await
            .refused(404, "RoleAssignmentNotFound");
        assert_memory_matches_database(&srv.svc).await;
    }
}
