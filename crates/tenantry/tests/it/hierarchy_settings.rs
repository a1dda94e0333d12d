//! The hierarchy settings of a directory over ARM, on SQLite and PostgreSQL, with real tokens: who may
//! read and change them (Owner at the tenant root group, which a Global Administrator reaches only by
//! elevating and assigning it), `requireAuthorizationForGroupCreation` keeping members from creating
//! groups under the root, `defaultManagementGroup` (answered as the group's full id) where a new
//! subscription lands, and the Azure CLI's `account management-group hierarchy-settings` commands and
//! azure-mgmt-managementgroups' `hierarchy_settings` operations.

use crate::arm::Arm;
use crate::management_groups::{call, mg};
use crate::support::*;
use reqwest::Method;
use serde_json::json;

const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";

fn settings() -> String {
    format!("{}/settings/default", mg(CONTOSO))
}

/// Assigns Owner at the tenant root group of `tenant` to `principal`, as `token` (elevated).
pub(crate) async fn owner_at_root(
    arm: &Arm<'_>,
    tenant: &str,
    token: &str,
    principal: tenantry_service::domain::ObjectId,
) {
    let path = format!(
        "{}/providers/Microsoft.Authorization/roleAssignments/{}",
        mg(tenant),
        uuid::Uuid::new_v4()
    );
    let body = json!({"properties": {
        "roleDefinitionId": format!("/providers/Microsoft.Authorization/roleDefinitions/{OWNER}"),
        "principalId": principal.to_string(),
    }});
    call(arm, Method::PUT, &path, token, Some(body))
        .await
        .expect(201);
}

/// A PUT of a group under the root.
async fn create_group(arm: &Arm<'_>, name: &str, token: &str) -> Resp {
    let body = json!({"properties": {"displayName": name}});
    call(arm, Method::PUT, &mg(name), token, Some(body)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hierarchy_settings_over_arm() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let arm = Arm { srv: &srv };
        let admin = arm
            .user(CONTOSO, "admin@contoso.onmicrosoft.com", "Contoso-Admin-1!")
            .await;
        let megan = arm
            .user(CONTOSO, "megan@contoso.onmicrosoft.com", "Megan-Contoso-1!")
            .await;
        let list = format!("{}/settings", mg(CONTOSO));

        // By default any member creates groups under the root; nobody holds the settings.
        create_group(&arm, "megans", &megan).await.expect(200);
        for token in [&megan, &admin] {
            call(&arm, Method::GET, &settings(), token, None)
                .await
                .refused(403, "AuthorizationFailed");
            call(
                &arm,
                Method::PUT,
                &settings(),
                token,
                Some(json!({"properties": {}})),
            )
            .await
            .refused(403, "AuthorizationFailed");
        }
        // Elevated, the Global Administrator is User Access Administrator at `/`, which does not
        // change settings; it assigns itself Owner at the root group, which does.
        call(
            &arm,
            Method::POST,
            "/providers/Microsoft.Authorization/elevateAccess",
            &admin,
            None,
        )
        .await
        .expect(200);
        call(
            &arm,
            Method::PUT,
            &settings(),
            &admin,
            Some(json!({"properties": {}})),
        )
        .await
        .refused(403, "AuthorizationFailed");
        let admin_id = object_of(&srv.svc, "admin@contoso.onmicrosoft.com", "contoso");
        owner_at_root(&arm, CONTOSO, &admin, admin_id).await;
        call(&arm, Method::GET, &settings(), &admin, None)
            .await
            .refused(404, "HierarchySettingsNotFound");
        let r = call(&arm, Method::GET, &list, &admin, None)
            .await
            .expect(200);
        assert!(r.values().is_empty(), "{}", r.body);

        // The settings: a default group (named bare, answered as its full id) and creation under the
        // root only for whoever may write there.
        create_group(&arm, "landing", &admin).await.expect(200);
        let r = call(
            &arm,
            Method::PUT,
            &settings(),
            &admin,
            Some(json!({"properties": {
                "requireAuthorizationForGroupCreation": true,
                "defaultManagementGroup": "landing",
            }})),
        )
        .await
        .expect(200);
        assert_eq!(r.body["id"], settings());
        assert_eq!(r.body["name"], "default");
        assert_eq!(
            r.body["type"],
            "Microsoft.Management/managementGroups/settings"
        );
        let p = &r.body["properties"];
        assert_eq!(p["tenantId"], CONTOSO);
        assert_eq!(p["requireAuthorizationForGroupCreation"], true);
        assert_eq!(p["defaultManagementGroup"], mg("landing").as_str());
        let r = call(&arm, Method::GET, &list, &admin, None)
            .await
            .expect(200);
        assert_eq!(r.names(), ["default"]);
        create_group(&arm, "megans-second", &megan)
            .await
            .refused(403, "AuthorizationFailed");
        create_group(&arm, "admins", &admin).await.expect(200);
        // The settings live at the root only; the default group must exist, and cannot go.
        let elsewhere = format!("{}/settings/default", mg("landing"));
        call(&arm, Method::GET, &elsewhere, &admin, None)
            .await
            .refused(400, "HierarchySettingsOnlyAtRoot");
        call(
            &arm,
            Method::PATCH,
            &settings(),
            &admin,
            Some(json!({"properties": {"defaultManagementGroup": mg("nowhere")}})),
        )
        .await
        .refused(400, "DefaultManagementGroupNotFound");
        call(&arm, Method::DELETE, &mg("landing"), &admin, None)
            .await
            .refused(409, "ManagementGroupIsDefault");

        // A new subscription without a group lands under the default group.
        let alias = "/providers/Microsoft.Subscription/aliases/landed?api-version=2021-10-01";
        let r = arm
            .call(
                Method::PUT,
                alias,
                Some(&admin),
                Some(
                    &json!({"properties": {"displayName": "Landed", "workload": "Production"}})
                        .to_string(),
                ),
            )
            .await
            .expect(201);
        let landed = r.body["properties"]["subscriptionId"]
            .as_str()
            .unwrap()
            .to_string();
        let r = call(
            &arm,
            Method::GET,
            &format!("{}/subscriptions", mg("landing")),
            &admin,
            None,
        )
        .await
        .expect(200);
        assert_eq!(r.names(), [landed.as_str()]);

        // PATCH changes what it names only.
        let r = call(
            &arm,
            Method::PATCH,
            &settings(),
            &admin,
            Some(json!({"properties": {"requireAuthorizationForGroupCreation": false}})),
        )
        .await
        .expect(200);
        assert_eq!(
            r.body["properties"]["requireAuthorizationForGroupCreation"],
            false
        );
        assert_eq!(
            r.body["properties"]["defaultManagementGroup"],
            mg("landing").as_str()
        );
        create_group(&arm, "megans-second", &megan)
            .await
            .expect(200);
        // A member may not delete them; the owner returns them to the defaults (200, as ARM).
        call(&arm, Method::DELETE, &settings(), &megan, None)
            .await
            .refused(403, "AuthorizationFailed");
        call(&arm, Method::DELETE, &settings(), &admin, None)
            .await
            .expect(200);
        call(&arm, Method::GET, &settings(), &admin, None)
            .await
            .refused(404, "HierarchySettingsNotFound");
        assert_memory_matches_database(&srv.svc).await;
    }
}

/// `az account management-group hierarchy-settings create/list/update/delete`, signed in as "ci" (made
/// Global Administrator and Owner of the subscription), which elevates and assigns itself Owner at the
/// root group first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_cli_hierarchy_settings_commands() {
    for store in both().await {
        let srv = crate::management_groups::ci_admin_and_owner(&store).await;
        run_az_script(&srv, "hierarchy_settings_cli.py", &[]);
        assert_memory_matches_database(&srv.svc).await;
    }
}

/// azure-mgmt-managementgroups' `hierarchy_settings`: `create_or_update`, `get`, `list`, `update`,
/// `delete`, signed in as "ci", elevated and made Owner at the root group here first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_mgmt_managementgroups_hierarchy_settings() {
    let python = required_tool("TENANTRY_TEST_PYTHON");
    for store in both().await {
        let srv = ci_owner_at_root(&store).await;
        let script = repo_root().join("crates/tenantry/tests/py/hierarchy_settings_sdk.py");
        tokio::task::block_in_place(|| run_client(&python, &[script.to_str().unwrap()], &srv, &[]));
        assert_memory_matches_database(&srv.svc).await;
    }
}

/// The demo, with "ci" made Global Administrator and Owner of the subscription, elevated and assigned
/// Owner at the tenant root group: who the client scripts sign in as.
pub(crate) async fn ci_owner_at_root(store: &TestStore) -> TestServer {
    let srv = crate::management_groups::ci_admin_and_owner(store).await;
    let arm = Arm { srv: &srv };
    let ci = arm.app().await;
    elevate(&arm, &ci).await;
    let ci_id = object_of(&srv.svc, CI_CLIENT, "alicedefault");
    owner_at_root(&arm, ALICEDEFAULT, &ci, ci_id).await;
    srv
}

/// `POST …/elevateAccess` as `token`.
pub(crate) async fn elevate(arm: &Arm<'_>, token: &str) {
    call(
        arm,
        Method::POST,
        "/providers/Microsoft.Authorization/elevateAccess",
        token,
        None,
    )
    .await
    .expect(200);
}

/// The world file's forms for the rest of the hierarchy, applied to the demo on both databases: the root
/// group's name, the settings and elevated access at `/` are stored as written, a second apply writes
/// nothing, and export writes them back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn world_files_write_the_root_group_the_settings_and_elevated_access() {
    const HIERARCHY: &str = r#"
[[tenants]]
name = "alicedefault"
root_group_display_name = "Alice's root"

  [[tenants.management_groups]]
  name = "landing"

  [tenants.hierarchy_settings]
  require_authorization_for_group_creation = true
  default_management_group = "landing"

[[management_group_role_assignments]]
tenant = "alicedefault"
scope = "/"
principal = "alice@outlook.com"
role = "User Access Administrator"
"#;
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let written = srv
            .svc
            .apply_world(HIERARCHY, &mut |_, _| {})
            .await
            .unwrap();
        assert!(written > 0);
        assert_memory_matches_database(&srv.svc).await;
        let again = srv
            .svc
            .apply_world(HIERARCHY, &mut |_, _| {})
            .await
            .unwrap();
        assert_eq!(again, 0, "a second apply changes nothing");
        let arm = Arm { srv: &srv };
        let alice = arm.alice().await;
        let r = call(&arm, Method::GET, &mg(ALICEDEFAULT), &alice, None)
            .await
            .expect(200);
        assert_eq!(r.body["properties"]["displayName"], "Alice's root");
        // A subscription a later file makes lands where the file says, not in the default group.
        let placed = r#"
[[tenants]]
name = "alicedefault"

  [[tenants.management_groups]]
  name = "elsewhere"
  subscriptions = ["Filed"]

[[subscriptions]]
display_name = "Filed"
tenant = "alicedefault"
service_admin = "alice@outlook.com"
"#;
        srv.svc.apply_world(placed, &mut |_, _| {}).await.unwrap();
        let r = call(
            &arm,
            Method::GET,
            &format!("{}/subscriptions", mg("elsewhere")),
            &alice,
            None,
        )
        .await
        .expect(200);
        assert_eq!(r.values().len(), 1, "{}", r.body);
        let exported = srv.svc.export_world();
        for form in [
            "root_group_display_name = \"Alice's root\"\n",
            "  [tenants.hierarchy_settings]\n  require_authorization_for_group_creation = true\n  default_management_group = \"landing\"\n",
            "tenant = \"alicedefault\"\nscope = \"/\"\nprincipal = \"alice@outlook.com\"\nrole = \"User Access Administrator\"\n",
        ] {
            assert!(exported.contains(form), "{form} in:\n{exported}");
        }
    }
}
