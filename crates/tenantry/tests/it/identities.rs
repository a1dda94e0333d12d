//! Managed identities over ARM on both databases: user-assigned identities (PUT, GET, lists by group and
//! by subscription, DELETE) with the spec's shapes at the api-versions the clients send, role assignments
//! to their principals, system-assigned identities on any resource, and the Azure CLI's `az identity`.

use crate::arm::{Arm, authz, make_ci_owner, new_id, role_definition_id, sub_path, with_version};
use crate::support::*;
use reqwest::Method;
use serde_json::{Value, json};

const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";
/// The api-versions clients send: the SDKs' stable one, what the pinned `az identity` sends (recorded
/// with `--debug`), and the version of the spec in the reference.
const CLI_VERSION: &str = "2023-01-31";
const AZ_VERSION: &str = "2025-05-31-preview";
const SPEC_VERSION: &str = "2026-05-31";

fn identity_path(group: &str, name: &str) -> String {
    sub_path(&format!(
        "/resourceGroups/{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}"
    ))
}

fn at(path: &str, version: &str) -> String {
    format!("{path}?api-version={version}")
}

async fn role_assignments_of(arm: &Arm<'_>, token: &str, principal: &str) -> Vec<Value> {
    let r = arm
        .get(
            &format!(
                "{}?$filter=principalId%20eq%20'{principal}'",
                authz("", "roleAssignments")
            ),
            token,
        )
        .await
        .expect(200);
    r.values().clone()
}

#[tokio::test]
async fn user_assigned_identities_are_resources_with_a_service_principal() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let arm = Arm { srv: &srv };
        let app = arm.app().await;
        let erin = arm.erin().await;
        let alice = arm.alice().await;
        let path = identity_path("rg1", "id-web");

        // Created by the Contributor application, as `az identity create` sends it.
        let created = arm
            .put(
                &at(&path, CLI_VERSION),
                &app,
                json!({"location": "West Europe", "tags": {"env": "prod"}}),
            )
            .await
            .expect(201);
        let b = &created.body;
        assert_eq!(b["id"], path);
        assert_eq!(b["name"], "id-web");
        assert_eq!(
            b["type"],
            "Microsoft.ManagedIdentity/userAssignedIdentities"
        );
        assert_eq!(b["location"], "westeurope");
        assert_eq!(b["tags"], json!({"env": "prod"}));
        assert_eq!(b["properties"]["tenantId"], ALICEDEFAULT);
        let principal = b["properties"]["principalId"].as_str().unwrap().to_string();
        let client = b["properties"]["clientId"].as_str().unwrap().to_string();
        assert!(principal.parse::<uuid::Uuid>().is_ok() && client.parse::<uuid::Uuid>().is_ok());
        assert_ne!(principal, client);

        // A second PUT keeps the principal; GET at the spec's version shows the same.
        let again = arm
            .put(
                &at(&path, CLI_VERSION),
                &app,
                json!({"location": "westeurope"}),
            )
            .await
            .expect(200);
        assert_eq!(again.body["properties"]["principalId"], principal.as_str());
        assert_eq!(again.body["tags"], json!({}));
        for version in [AZ_VERSION, SPEC_VERSION] {
            let shown = arm.get(&at(&path, version), &erin).await.expect(200);
            assert_eq!(shown.body["properties"]["clientId"], client.as_str());
        }

        // A PATCH changes the tags it names (`az identity update`).
        let patched = arm
            .call(
                Method::PATCH,
                &at(&path, AZ_VERSION),
                Some(&app),
                Some(&json!({"tags": {"env": "test"}}).to_string()),
            )
            .await
            .expect(200);
        assert_eq!(patched.body["tags"], json!({"env": "test"}));
        assert_eq!(
            patched.body["properties"]["principalId"],
            principal.as_str()
        );

        // Lists by group and by subscription.
        arm.put(
            &at(&identity_path("rg1", "id-job"), CLI_VERSION),
            &app,
            json!({"location": "westeurope"}),
        )
        .await
        .expect(201);
        let in_group = arm
            .get(
                &sub_path("/resourceGroups/rg1/providers/Microsoft.ManagedIdentity/userAssignedIdentities"),
                &erin,
            )
            .await
            .expect(200);
        let mut names = in_group.names();
        names.sort();
        assert_eq!(names, ["id-job", "id-web"]);
        assert!(
            in_group
                .values()
                .iter()
                .all(|v| v["properties"]["principalId"].is_string()),
            "{}",
            in_group.body
        );
        let in_sub = arm
            .get(
                &sub_path("/providers/Microsoft.ManagedIdentity/userAssignedIdentities"),
                &app,
            )
            .await
            .expect(200);
        assert_eq!(in_sub.values().len(), 2, "{}", in_sub.body);

        // In Graph, a service principal of the directory of type ManagedIdentity, and no application.
        let graph = user_token(
            &srv,
            ALICEDEFAULT,
            "alice@outlook.com",
            "Alice-2017!",
            GRAPH,
        )
        .await;
        let (status, sp) = get(
            &srv,
            &format!("/v1.0/servicePrincipals/{principal}"),
            &graph,
        )
        .await;
        assert_eq!(status.as_u16(), 200, "{sp}");
        assert_eq!(sp["servicePrincipalType"], "ManagedIdentity");
        assert_eq!(sp["appId"], client.as_str());
        assert_eq!(sp["alternativeNames"], json!(["isExplicit=True", path]));
        let (_, apps) = get(&srv, "/v1.0/applications", &graph).await;
        let apps = apps["value"].as_array().unwrap();
        assert!(
            apps.iter().all(|a| a["appId"] != client.as_str()),
            "{apps:?}"
        );
        let (status, _) = get(&srv, &format!("/v1.0/applications/{principal}"), &graph).await;
        assert_eq!(status.as_u16(), 404);
        // Nor is it deleted as a service principal: it goes with its resource.
        let (status, e) = call(
            &srv,
            reqwest::Method::DELETE,
            &format!("/v1.0/servicePrincipals/{principal}"),
            Some(&graph),
            None,
        )
        .await;
        assert_eq!(status.as_u16(), 409, "{e}");
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap()
                .contains("deleted with its resource"),
            "{e}"
        );

        // A Reader reads but may not create, in Azure's words.
        let refused = arm
            .put(
                &at(&identity_path("rg1", "id-erin"), CLI_VERSION),
                &erin,
                json!({"location": "westeurope"}),
            )
            .await
            .refused(403, "AuthorizationFailed");
        assert!(
            refused
                .message()
                .contains("'Microsoft.ManagedIdentity/userAssignedIdentities/write'"),
            "{}",
            refused.body
        );
        arm.put(
            &at(&identity_path("rg1", "x"), CLI_VERSION),
            &app,
            json!({"location": "westeurope"}),
        )
        .await
        .refused(400, "InvalidResourceName");
        arm.put(
            &at(&identity_path("rg1", "id-noloc"), CLI_VERSION),
            &app,
            json!({}),
        )
        .await
        .refused(400, "LocationRequired");

        // A role assigned to its principal, as `az role assignment create --assignee-object-id
        // --assignee-principal-type ServicePrincipal` sends it (Owners assign roles).
        let ra = authz(
            "/resourceGroups/rg1",
            &format!("roleAssignments/{}", new_id()),
        );
        let assigned = arm
            .put(
                &ra,
                &alice,
                json!({"properties": {"roleDefinitionId": role_definition_id(CONTRIBUTOR), "principalId": principal, "principalType": "ServicePrincipal"}}),
            )
            .await
            .expect(201);
        assert_eq!(
            assigned.body["properties"]["principalType"],
            "ServicePrincipal"
        );
        assert_eq!(role_assignments_of(&arm, &alice, &principal).await.len(), 1);

        // Deleting it takes the principal and the assignment; a second delete finds nothing.
        arm.delete(&at(&path, CLI_VERSION), &app).await.expect(200);
        arm.get(&at(&path, CLI_VERSION), &app)
            .await
            .refused(404, "ResourceNotFound");
        assert!(
            role_assignments_of(&arm, &alice, &principal)
                .await
                .is_empty()
        );
        arm.delete(&at(&path, CLI_VERSION), &app).await.expect(204);
        let svc = &srv.svc;
        let gone: tenantry_service::domain::ObjectId = principal.parse().unwrap();
        assert!(svc.read(|w| w.application(gone).is_none()));
        // Its principal can no longer be assigned a role.
        arm.put(
            &authz("", &format!("roleAssignments/{}", new_id())),
            &alice,
            json!({"properties": {"roleDefinitionId": role_definition_id(READER), "principalId": principal, "principalType": "ServicePrincipal"}}),
        )
        .await
        .refused(400, "PrincipalNotFound");
        assert_memory_matches_database(svc).await;
    }
}

#[tokio::test]
async fn a_system_assigned_identity_comes_and_goes_with_its_resource() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let arm = Arm { srv: &srv };
        let app = arm.app().await;
        let alice = arm.alice().await;
        let user = identity_path("rg1", "id-web");
        let created = arm
            .put(
                &at(&user, CLI_VERSION),
                &app,
                json!({"location": "westeurope"}),
            )
            .await
            .expect(201);
        let user_principal = created.body["properties"]["principalId"].clone();
        let user_client = created.body["properties"]["clientId"].clone();

        let site = sub_path("/resourceGroups/rg1/providers/Microsoft.Web/sites/web1");
        let r = arm
            .put(
                &site,
                &app,
                json!({"location": "westeurope", "identity": {"type": "SystemAssigned"}, "properties": {}}),
            )
            .await
            .expect(201);
        let identity = &r.body["identity"];
        assert_eq!(identity["type"], "SystemAssigned");
        assert_eq!(identity["tenantId"], ALICEDEFAULT);
        let system = identity["principalId"].as_str().unwrap().to_string();

        // Both kinds: the system principal stays, each user-assigned identity shows its ids.
        let r = arm
            .put(
                &site,
                &app,
                json!({"location": "westeurope", "identity": {"type": "SystemAssigned, UserAssigned", "userAssignedIdentities": {user.clone(): {}}}}),
            )
            .await
            .expect(200);
        let identity = &r.body["identity"];
        assert_eq!(identity["type"], "SystemAssigned, UserAssigned");
        assert_eq!(identity["principalId"], system.as_str());
        assert_eq!(
            identity["userAssignedIdentities"][&user],
            json!({"principalId": user_principal, "clientId": user_client})
        );
        let shown = arm.get(&site, &app).await.expect(200);
        assert_eq!(shown.body["identity"], r.body["identity"]);
        arm.put(
            &site,
            &app,
            json!({"location": "westeurope", "identity": {"type": "Bogus"}}),
        )
        .await
        .refused(400, "InvalidIdentityType");

        // Its principal holds a role until the identity is switched off.
        arm.put(
            &authz("", &format!("roleAssignments/{}", new_id())),
            &alice,
            json!({"properties": {"roleDefinitionId": role_definition_id(READER), "principalId": system, "principalType": "ServicePrincipal"}}),
        )
        .await
        .expect(201);
        let r = arm
            .put(
                &site,
                &app,
                json!({"location": "westeurope", "identity": {"type": "None"}}),
            )
            .await
            .expect(200);
        assert!(r.body.get("identity").is_none(), "{}", r.body);
        assert!(role_assignments_of(&arm, &alice, &system).await.is_empty());

        // Enabled again, then the resource group deleted: both principals go.
        let r = arm
            .put(
                &site,
                &app,
                json!({"location": "westeurope", "identity": {"type": "SystemAssigned"}}),
            )
            .await
            .expect(200);
        let again = r.body["identity"]["principalId"]
            .as_str()
            .unwrap()
            .to_string();
        assert_ne!(again, system);
        let deleted = arm
            .call(
                Method::DELETE,
                &with_version(&sub_path("/resourcegroups/rg1")),
                Some(&alice),
                None,
            )
            .await;
        assert!(deleted.status.is_success(), "{}", deleted.body);
        let svc = &srv.svc;
        for p in [again.as_str(), user_principal.as_str().unwrap()] {
            let id: tenantry_service::domain::ObjectId = p.parse().unwrap();
            assert!(svc.read(|w| w.application(id).is_none()), "{p} remains");
        }
        assert_memory_matches_database(svc).await;
    }
}

/// `az identity create/show/list/delete` and `az role assignment create --assignee-object-id
/// --assignee-principal-type ServicePrincipal`, as the pinned Azure CLI sends them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_cli_manages_identities() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        make_ci_owner(&srv.svc).await;
        run_az_script(&srv, "identity_cli.py", &[]);
        assert_memory_matches_database(&srv.svc).await;
    }
}

/// The article's directory change with identities: the preview lists them, the change re-creates them in
/// the destination with new ids, and their role assignments follow.
#[tokio::test]
async fn a_change_of_directory_re_creates_the_identities_in_the_destination() {
    const API: &str = "api-version=2024-08-01-preview";
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let arm = Arm { srv: &srv };
        let app = arm.app().await;
        let alice = arm.alice().await;
        let admin = user_token(
            &srv,
            CONTOSO,
            "admin@contoso.onmicrosoft.com",
            "Contoso-Admin-1!",
            ARM,
        )
        .await;
        // Step 1 of the article: alice links contoso, whose Global Administrator approves.
        let link = format!(
            "/subscriptions/{PAYG}/providers/Microsoft.Subscription/directoryLinkRequests/{CONTOSO}?{API}"
        );
        let (s, req) = call(&srv, Method::PUT, &link, Some(&alice), Some(json!({}))).await;
        assert_eq!(s.as_u16(), 201, "{req}");
        let approve = format!(
            "/providers/Microsoft.Subscription/directoryLinkRequests/{}/approve?{API}",
            req["name"].as_str().unwrap()
        );
        let (s, done) = call(&srv, Method::POST, &approve, Some(&admin), Some(json!({}))).await;
        assert_eq!(s.as_u16(), 200, "{done}");

        let path = identity_path("rg1", "id-web");
        let created = arm
            .put(
                &at(&path, AZ_VERSION),
                &app,
                json!({"location": "westeurope"}),
            )
            .await
            .expect(201);
        let old = created.body["properties"]["principalId"]
            .as_str()
            .unwrap()
            .to_string();
        arm.put(
            &authz("", &format!("roleAssignments/{}", new_id())),
            &alice,
            json!({"properties": {"roleDefinitionId": role_definition_id(READER), "principalId": old, "principalType": "ServicePrincipal"}}),
        )
        .await
        .expect(201);

        let change = |suffix: &str| {
            format!(
                "/subscriptions/{PAYG}/providers/Microsoft.Subscription/changeTenantRequest/default{suffix}?{API}"
            )
        };
        let to_contoso = json!({"properties": {"destinationTenantId": CONTOSO}});
        let (s, preview) = call(
            &srv,
            Method::POST,
            &change("/preview"),
            Some(&alice),
            Some(to_contoso.clone()),
        )
        .await;
        assert_eq!(s.as_u16(), 200, "{preview}");
        let listed = &preview["properties"]["managedIdentities"];
        assert_eq!(listed.as_array().map(Vec::len), Some(1), "{preview}");
        assert_eq!(listed[0]["resource"], path.as_str());
        assert_eq!(listed[0]["oldPrincipalId"], old.as_str());
        let (s, changed) = call(
            &srv,
            Method::PUT,
            &change(""),
            Some(&alice),
            Some(to_contoso),
        )
        .await;
        assert_eq!(s.as_u16(), 200, "{changed}");

        // alice, now at contoso, sees the identity with a principal of contoso holding the role.
        let alice_c = arm.user(CONTOSO, "alice@outlook.com", "Alice-2017!").await;
        let shown = arm.get(&at(&path, AZ_VERSION), &alice_c).await.expect(200);
        assert_eq!(shown.body["properties"]["tenantId"], CONTOSO);
        let new = shown.body["properties"]["principalId"]
            .as_str()
            .unwrap()
            .to_string();
        assert_ne!(new, old);
        let held = role_assignments_of(&arm, &alice_c, &new).await;
        assert_eq!(held.len(), 1, "{held:?}");
        assert_eq!(held[0]["properties"]["principalType"], "ServicePrincipal");
        assert!(role_assignments_of(&arm, &alice_c, &old).await.is_empty());
        assert_memory_matches_database(&srv.svc).await;
    }
}
