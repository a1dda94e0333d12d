//! Management groups over ARM, on SQLite and PostgreSQL, with real tokens: the tenant root group every
//! member sees, groups created by a member under the root and by a Global Administrator below, the tree
//! with `$expand=children&$recurse=true`, a subscription moved in and out, the refusals (a group with
//! children, the root, write elsewhere than under the root), and the Azure CLI's `account
//! management-group` commands.

use crate::arm::{Arm, make_ci_owner};

const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
use crate::support::*;
use reqwest::Method;
use serde_json::{Value, json};

const V: &str = "api-version=2021-04-01";

pub(crate) fn mg(name: &str) -> String {
    format!("/providers/Microsoft.Management/managementGroups/{name}")
}

pub(crate) async fn call(
    arm: &Arm<'_>,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Resp {
    let sep = if path.contains('?') { '&' } else { '?' };
    let body = body.map(|b| b.to_string());
    arm.call(
        method,
        &format!("{path}{sep}{V}"),
        Some(token),
        body.as_deref(),
    )
    .await
}

async fn subscriptions_under(arm: &Arm<'_>, token: &str, group: &str) -> Resp {
    let path = format!("{}/subscriptions", mg(group));
    call(arm, Method::GET, &path, token, None).await.expect(200)
}

fn create(display_name: &str, parent: &str) -> Value {
    json!({"properties": {"displayName": display_name, "details": {"parent": {"id": parent}}}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn management_groups_over_arm() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let arm = Arm { srv: &srv };
        let (alice, erin) = (arm.alice().await, arm.erin().await);
        let megan = arm
            .user(CONTOSO, "megan@contoso.onmicrosoft.com", "Megan-Contoso-1!")
            .await;
        let root = mg(ALICEDEFAULT);

        // Every member sees the tenant root group, named by the tenant id.
        let r = call(&arm, Method::GET, &mg(""), &erin, None)
            .await
            .expect(200);
        assert_eq!(r.values().len(), 1, "{}", r.body);
        let only = &r.values()[0];
        assert_eq!(only["id"], root.as_str());
        assert_eq!(only["properties"]["displayName"], "Tenant Root Group");
        assert_eq!(only["properties"]["tenantId"], ALICEDEFAULT);

        // erin creates a group under the root, and owns it (as in Azure); alice may not create below it.
        let r = call(
            &arm,
            Method::PUT,
            &mg("platform"),
            &erin,
            Some(create("Platform", &root)),
        )
        .await
        .expect(200);
        assert_eq!(r.body["name"], "platform");
        assert_eq!(r.body["type"], "Microsoft.Management/managementGroups");
        assert_eq!(
            r.body["properties"]["details"]["parent"]["id"],
            root.as_str()
        );
        let prod = || Some(create("Prod", &mg("platform")));
        call(&arm, Method::PUT, &mg("prod"), &alice, prod())
            .await
            .refused(403, "AuthorizationFailed");
        // A Global Administrator elevates (erin may not), then grants herself Owner at the root group.
        let elevate = "/providers/Microsoft.Authorization/elevateAccess";
        call(&arm, Method::POST, elevate, &erin, None)
            .await
            .refused(403, "Authorization_RequestDenied");
        call(&arm, Method::POST, elevate, &alice, None)
            .await
            .expect(200);
        let alice_id = object_of(&srv.svc, "alice@outlook.com", "alicedefault").to_string();
        let owner_at_root = format!(
            "{root}/providers/Microsoft.Authorization/roleAssignments/{}",
            uuid::Uuid::new_v4()
        );
        let body = json!({"properties": {
            "roleDefinitionId": format!("/providers/Microsoft.Authorization/roleDefinitions/{OWNER}"),
            "principalId": alice_id,
        }});
        let r = call(
            &arm,
            Method::PUT,
            &owner_at_root,
            &alice,
            Some(body.clone()),
        )
        .await
        .expect(201);
        assert_eq!(r.body["properties"]["scope"], root.as_str());
        call(&arm, Method::PUT, &owner_at_root, &alice, Some(body))
            .await
            .expect(200);
        let r = call(
            &arm,
            Method::GET,
            &format!("{root}/providers/Microsoft.Authorization/roleAssignments"),
            &alice,
            None,
        )
        .await
        .expect(200);
        let scopes: Vec<&str> = r
            .values()
            .iter()
            .map(|a| a["properties"]["scope"].as_str().unwrap())
            .collect();
        assert_eq!(scopes.len(), 2, "{scopes:?}");
        assert!(
            scopes.contains(&"/") && scopes.contains(&root.as_str()),
            "{scopes:?}"
        );
        // Owner at the root reaches every group: alice creates below erin's, and places the
        // subscription (hers) there.
        call(&arm, Method::PUT, &mg("prod"), &alice, prod())
            .await
            .expect(200);
        let placed = format!("{}/subscriptions/{PAYG}", mg("prod"));
        let r = call(&arm, Method::PUT, &placed, &alice, None)
            .await
            .expect(200);
        assert_eq!(r.body["properties"]["parent"]["id"], mg("prod").as_str());
        // erin owns platform, above prod: Owner of the subscription now, through it. Someone of
        // another directory is not.
        call(&arm, Method::PUT, &placed, &erin, None)
            .await
            .expect(200);
        // Check access says where it comes from.
        let permissions =
            format!("/subscriptions/{PAYG}/providers/Microsoft.Authorization/permissions");
        let r = call(&arm, Method::GET, &permissions, &erin, None)
            .await
            .expect(200);
        let said: Vec<&str> = r
            .values()
            .iter()
            .filter_map(|p| p["grantedBy"]["description"].as_str())
            .collect();
        assert!(
            said.contains(&"Owner at management group Platform"),
            "{said:?}"
        );
        call(&arm, Method::PUT, &placed, &megan, None)
            .await
            .refused(403, "AuthorizationFailed");

        // The tree, from the root down.
        let r = call(
            &arm,
            Method::GET,
            &format!("{root}?$expand=children&$recurse=true"),
            &alice,
            None,
        )
        .await
        .expect(200);
        let platform = &r.body["properties"]["children"][0];
        assert_eq!(platform["name"], "platform", "{}", r.body);
        let prod = &platform["children"][0];
        assert_eq!(prod["displayName"], "Prod");
        assert_eq!(prod["children"][0]["type"], "/subscriptions");
        assert_eq!(prod["children"][0]["id"], format!("/subscriptions/{PAYG}"));
        let r = call(&arm, Method::GET, &mg("prod"), &alice, None)
            .await
            .expect(200);
        let path: Vec<&str> = r.body["properties"]["details"]["path"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(path, [ALICEDEFAULT, "platform", "prod"]);
        assert_eq!(
            r.body["properties"]["children"],
            Value::Null,
            "children only when asked"
        );
        let r = subscriptions_under(&arm, &alice, "prod").await;
        assert_eq!(r.names(), [PAYG]);

        // Refusals.
        call(&arm, Method::DELETE, &mg("platform"), &alice, None)
            .await
            .refused(409, "ManagementGroupHasChildren");
        call(&arm, Method::DELETE, &root, &alice, None)
            .await
            .refused(400, "RootManagementGroupImmutable");
        call(&arm, Method::GET, &mg("nowhere"), &alice, None)
            .await
            .refused(404, "ManagementGroupNotFound");
        // erin owns platform, so she sees prod below it; another directory sees no such group.
        call(&arm, Method::GET, &mg("prod"), &erin, None)
            .await
            .expect(200);
        call(&arm, Method::GET, &mg("prod"), &megan, None)
            .await
            .refused(403, "AuthorizationFailed");

        // PATCH renames and moves; the subscription goes back to the root; empty groups go (204).
        let r = call(
            &arm,
            Method::PATCH,
            &mg("prod"),
            &alice,
            Some(json!({"displayName": "Production", "parentGroupId": root})),
        )
        .await
        .expect(200);
        assert_eq!(r.body["properties"]["displayName"], "Production");
        assert_eq!(
            r.body["properties"]["details"]["parent"]["id"],
            root.as_str()
        );
        call(&arm, Method::DELETE, &placed, &alice, None)
            .await
            .expect(200);
        let r = subscriptions_under(&arm, &alice, "prod").await;
        assert!(r.values().is_empty());
        call(&arm, Method::DELETE, &mg("prod"), &alice, None)
            .await
            .expect(204);
        call(&arm, Method::DELETE, &mg("platform"), &megan, None)
            .await
            .refused(403, "AuthorizationFailed");
        call(&arm, Method::DELETE, &mg("platform"), &erin, None)
            .await
            .expect(204);
        assert_memory_matches_database(&srv.svc).await;
    }
}

/// `az account management-group create/list/show/update/delete` and `subscription add/remove`, then
/// `az role assignment create/list/delete --scope` a group (user, group and service principal) and the
/// removal of the elevated assignment at `/`, signed in as "ci" (made Global Administrator and Owner of
/// the subscription).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_cli_management_group_commands() {
    for store in both().await {
        let srv = ci_admin_and_owner(&store).await;
        run_az_script(&srv, "management_groups_cli.py", &[]);
        assert_memory_matches_database(&srv.svc).await;
    }
}

/// azure-mgmt-managementgroups: create and nest, the tree with `expand=children, recurse=True`, a
/// subscription moved in and out, update and delete, signed in as "ci" (made Global Administrator and
/// Owner of the subscription).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_mgmt_managementgroups_drives_the_hierarchy() {
    let python = required_tool("TENANTRY_TEST_PYTHON");
    for store in both().await {
        let srv = ci_admin_and_owner(&store).await;
        let script = repo_root().join("crates/tenantry/tests/py/management_groups_sdk.py");
        tokio::task::block_in_place(|| run_client(&python, &[script.to_str().unwrap()], &srv, &[]));
        assert_memory_matches_database(&srv.svc).await;
    }
}

/// The demo, with its "ci" application made Global Administrator of alicedefault and Owner of the
/// subscription: who the client scripts sign in as.
pub(crate) async fn ci_admin_and_owner(store: &TestStore) -> TestServer {
    let srv = TestServer::demo(store).await;
    ci_with_directory_roles(
        &srv,
        &[tenantry_service::domain::DirectoryRole::GlobalAdministrator],
    )
    .await;
    make_ci_owner(&srv.svc).await;
    srv
}
