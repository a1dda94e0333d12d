//! A subscription's lifecycle over ARM, on both databases: created through an alias by a Global
//! Administrator (a member without a subscription may not; the tenant policy may block it), the alias
//! read, listed, replayed and deleted (the subscription stays); rename, cancel (every write then refused
//! with `ReadOnlyDisabledSubscription`, reads still answered) and enable; the tenant policies' list form;
//! resource providers listing their types with api-versions. Then the real clients:
//! azure-mgmt-subscription, and the Azure CLI (`az rest` for aliases, `az resource` without
//! `--api-version`).

use crate::arm::{Arm, make_ci_owner, sub_path};
use crate::support::*;
use reqwest::Method;
use serde_json::{Value, json};
use tenantry_service::domain::{Actor, RoleAssignmentId, Scope};

const ALIASES: &str = "/providers/Microsoft.Subscription/aliases";
const V2021: &str = "api-version=2021-10-01";
const V2020: &str = "api-version=2020-09-01";

fn alias_path(name: &str, version: &str) -> String {
    format!("{ALIASES}/{name}?{version}")
}

fn lifecycle_path(sub: &str, verb: &str) -> String {
    format!("/subscriptions/{sub}/providers/Microsoft.Subscription/{verb}?{V2021}")
}

fn alias_body(display_name: &str) -> String {
    json!({"properties": {
        "displayName": display_name,
        "workload": "DevTest",
        "billingScope": "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2",
        "additionalProperties": {"managementGroupId": "Platform"},
    }})
    .to_string()
}

/// `PUT …/aliases/{name}` (api-version 2021-10-01) asking for a DevTest subscription.
async fn put_alias(arm: &Arm<'_>, name: &str, token: &str, display_name: &str) -> Resp {
    arm.call(
        Method::PUT,
        &alias_path(name, V2021),
        Some(token),
        Some(&alias_body(display_name)),
    )
    .await
}

async fn contoso_admin(arm: &Arm<'_>) -> String {
    arm.user(CONTOSO, "admin@contoso.onmicrosoft.com", "Contoso-Admin-1!")
        .await
}

async fn megan(arm: &Arm<'_>) -> String {
    arm.user(CONTOSO, "megan@contoso.onmicrosoft.com", "Megan-Contoso-1!")
        .await
}

#[tokio::test]
async fn aliases_create_subscriptions_for_whom_the_directory_allows() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let arm = Arm { srv: &srv };
        let admin = contoso_admin(&arm).await;
        let megan = megan(&arm).await;

        // A member who owns no subscription may not.
        put_alias(&arm, "megans", &megan, "Megan's")
            .await
            .refused(403, "SubscriptionCreationNotAllowed");
        // The aliases below place their subscription under the group "Platform".
        arm.put(&mg("Platform"), &admin, json!({"properties": {}}))
            .await
            .expect(200);

        // The Global Administrator creates one (201, done at once), owns it and sees it.
        let r = put_alias(&arm, "contoso-prod", &admin, "Contoso Prod")
            .await
            .expect(201);
        let p = &r.body["properties"];
        assert_eq!(r.body["id"], format!("{ALIASES}/contoso-prod"));
        assert_eq!(r.body["type"], "Microsoft.Subscription/aliases");
        assert_eq!(p["provisioningState"], "Succeeded", "{}", r.body);
        assert_eq!(
            (&p["workload"], &p["displayName"], &p["managementGroupId"]),
            (
                &json!("DevTest"),
                &json!("Contoso Prod"),
                &json!("Platform")
            )
        );
        let sub = p["subscriptionId"].as_str().unwrap().to_string();
        let s = arm
            .get(
                &format!("/subscriptions/{sub}?api-version=2022-12-01"),
                &admin,
            )
            .await
            .expect(200);
        assert_eq!(
            (
                &s.body["displayName"],
                &s.body["state"],
                &s.body["tenantId"]
            ),
            (&json!("Contoso Prod"), &json!("Enabled"), &json!(CONTOSO))
        );
        let owners = arm
            .get(
                &format!(
                    "/subscriptions/{sub}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01"
                ),
                &admin,
            )
            .await
            .expect(200);
        assert!(
            owners
                .values()
                .iter()
                .any(|a| a["properties"]["roleDefinitionId"]
                    .as_str()
                    .unwrap()
                    .ends_with("8e3af657-a8ff-443c-a75c-2fe8c4bcb635")),
            "{}",
            owners.body
        );

        // A replayed PUT (any case of the provider, the older api-version) answers the same alias.
        let again = arm
            .call(
                Method::PUT,
                &format!("/providers/microsoft.subscription/ALIASES/contoso-prod?{V2020}"),
                Some(&admin),
                Some(&alias_body("Contoso Prod")),
            )
            .await
            .expect(200);
        assert_eq!(again.body["properties"]["subscriptionId"], sub.as_str());
        let list = arm
            .get(&format!("{ALIASES}?{V2021}"), &admin)
            .await
            .expect(200);
        assert_eq!(list.names(), ["contoso-prod"]);
        // Another directory's member sees none of it.
        let alice = arm.alice().await;
        assert!(
            arm.get(&format!("{ALIASES}?{V2021}"), &alice)
                .await
                .expect(200)
                .values()
                .is_empty()
        );
        arm.get(&alias_path("contoso-prod", V2021), &alice)
            .await
            .refused(404, "AliasNotFound");
        arm.call(
            Method::PUT,
            &alias_path("bad", V2021),
            Some(&admin),
            Some(r#"{"properties": {"displayName": "X", "workload": "Staging"}}"#),
        )
        .await
        .refused(400, "InvalidWorkload");
        let elsewhere = json!({"properties": {"displayName": "X",
            "additionalProperties": {"subscriptionTenantId": ALICEDEFAULT}}});
        arm.call(
            Method::PUT,
            &alias_path("elsewhere", V2021),
            Some(&admin),
            Some(&elsewhere.to_string()),
        )
        .await
        .refused(400, "SubscriptionTenantNotSupported");

        // Deleting the alias leaves the subscription.
        arm.delete(&alias_path("contoso-prod", V2021), &admin)
            .await
            .expect(200);
        arm.get(&alias_path("contoso-prod", V2021), &admin)
            .await
            .refused(404, "AliasNotFound");
        arm.delete(&alias_path("contoso-prod", V2021), &admin)
            .await
            .expect(204);
        arm.get(
            &format!("/subscriptions/{sub}?api-version=2022-12-01"),
            &admin,
        )
        .await
        .expect(200);

        // The tenant policy, in its list form too, blocks new subscriptions but for the exempted.
        arm.put(
            "/providers/Microsoft.Subscription/policies/default?api-version=2021-10-01",
            &admin,
            json!({"blockSubscriptionsIntoTenant": true}),
        )
        .await
        .expect(200);
        let policies = arm
            .get(
                "/providers/Microsoft.Subscription/policies?api-version=2021-10-01",
                &admin,
            )
            .await
            .expect(200);
        assert_eq!(policies.names(), ["default"]);
        assert_eq!(
            policies.values()[0]["properties"]["blockSubscriptionsIntoTenant"],
            true
        );
        put_alias(&arm, "second", &admin, "Second")
            .await
            .refused(403, "SubscriptionCreationBlocked");
        arm.put(
            "/providers/Microsoft.Subscription/policies/default?api-version=2021-10-01",
            &admin,
            json!({"exemptedPrincipals": ["admin@contoso.onmicrosoft.com"]}),
        )
        .await
        .expect(200);
        put_alias(&arm, "second", &admin, "Second")
            .await
            .expect(201);
        assert_memory_matches_database(&srv.svc).await;
    }
}

const MG_VERSION: &str = "api-version=2021-04-01";

fn mg(name: &str) -> String {
    format!("/providers/Microsoft.Management/managementGroups/{name}?{MG_VERSION}")
}

/// The management group a subscription is directly under, as ARM lists the group's subscriptions.
async fn group_of(arm: &Arm<'_>, token: &str, group: &str, sub: &str) -> Resp {
    arm.get(
        &format!("/providers/Microsoft.Management/managementGroups/{group}/subscriptions/{sub}?{MG_VERSION}"),
        token,
    )
    .await
}

/// An alias with `managementGroupId` places its new subscription under that group (named by its ARM id
/// or its name), with the rule of a move there: a group that does not exist, or that the caller may
/// not write, is refused as ARM refuses it, and no subscription is made.
#[tokio::test]
async fn an_alias_places_its_new_subscription_under_its_management_group() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let arm = Arm { srv: &srv };
        // erin owns a subscription, so she may create some, but writes no management group.
        let erin_owner = tenantry_service::domain::rules::access::RoleAssignmentWrite {
            id: RoleAssignmentId::new(),
            scope: Scope::subscription(payg(&srv.svc)),
            role_definition: tenantry_service::domain::roles::OWNER,
            principal: object_of(
                &srv.svc,
                "erin@alicedefault.onmicrosoft.com",
                "alicedefault",
            ),
            description: None,
            principal_type: None,
        };
        srv.svc
            .create_role_assignment(&Actor::Operator, erin_owner)
            .await
            .unwrap();
        let (alice, erin) = (arm.alice().await, arm.erin().await);
        arm.put(
            &mg("platform"),
            &alice,
            json!({"properties": {"displayName": "Platform"}}),
        )
        .await
        .expect(200);
        let put = |name: &'static str, token: String, group: String| {
            let arm = &arm;
            async move {
                let body = json!({"properties": {"displayName": name,
                    "additionalProperties": {"managementGroupId": group}}});
                arm.call(
                    Method::PUT,
                    &alias_path(name, V2021),
                    Some(&token),
                    Some(&body.to_string()),
                )
                .await
            }
        };

        // By the group's ARM id, and by its name in another case.
        let by_id = "/providers/Microsoft.Management/managementGroups/platform".to_string();
        for (name, group) in [("by-id", by_id), ("by-name", "Platform".to_string())] {
            let r = put(name, alice.clone(), group.clone()).await.expect(201);
            assert_eq!(r.body["properties"]["managementGroupId"], group.as_str());
            let sub = r.body["properties"]["subscriptionId"]
                .as_str()
                .unwrap()
                .to_string();
            let placed = group_of(&arm, &alice, "platform", &sub).await.expect(200);
            assert_eq!(
                placed.body["properties"]["parent"]["id"],
                "/providers/Microsoft.Management/managementGroups/platform"
            );
        }
        // The tenant root group is where a subscription goes anyway.
        let r = put("at-root", alice.clone(), ALICEDEFAULT.to_string())
            .await
            .expect(201);
        let sub = r.body["properties"]["subscriptionId"]
            .as_str()
            .unwrap()
            .to_string();
        group_of(&arm, &alice, ALICEDEFAULT, &sub).await.expect(200);

        // Refused, and nothing made: a group that does not exist (alice holds nothing at the root, so it
        // is refused as any group she may not write: its absence is not revealed), a group erin may not
        // write.
        put("nowhere", alice.clone(), "nowhere".into())
            .await
            .refused(403, "AuthorizationFailed");
        put("erins", erin.clone(), "platform".into())
            .await
            .refused(403, "AuthorizationFailed");
        for (name, token) in [("nowhere", &alice), ("erins", &erin)] {
            arm.get(&alias_path(name, V2021), token)
                .await
                .refused(404, "AliasNotFound");
        }
        let made = srv.svc.read(|w| {
            w.subscriptions()
                .filter(|s| ["nowhere", "erins"].contains(&s.subscription.display_name.as_str()))
                .count()
        });
        assert_eq!(made, 0, "a refused alias makes no subscription");
        // Without a group, erin creates hers (under the root).
        arm.call(
            Method::PUT,
            &alias_path("erins", V2021),
            Some(&erin),
            Some(&json!({"properties": {"displayName": "Erin's"}}).to_string()),
        )
        .await
        .expect(201);
        assert_memory_matches_database(&srv.svc).await;
    }
}

#[tokio::test]
async fn a_cancelled_subscription_is_read_only_until_enabled() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let arm = Arm { srv: &srv };
        let alice = arm.alice().await;
        let erin = arm.erin().await;
        let post = |path: String, token: String, body: Option<&'static str>| {
            let arm = &arm;
            async move { arm.call(Method::POST, &path, Some(&token), body).await }
        };

        // erin reads rg1; she may not cancel.
        post(lifecycle_path(PAYG, "cancel"), erin.clone(), None)
            .await
            .refused(403, "AuthorizationFailed");
        let r = post(lifecycle_path(PAYG, "cancel"), alice.clone(), None)
            .await
            .expect(200);
        assert_eq!(r.body, json!({"subscriptionId": PAYG}));
        let s = arm
            .get(
                &format!("/subscriptions/{PAYG}?api-version=2022-12-01"),
                &erin,
            )
            .await
            .expect(200);
        assert_eq!(s.body["state"], "Disabled");

        // Reads go on; writes are refused as ARM refuses them.
        arm.get(&sub_path("/resourcegroups/rg1"), &erin)
            .await
            .expect(200);
        let r = arm
            .put(
                &sub_path("/resourcegroups/rg9"),
                &alice,
                json!({"location": "westeurope"}),
            )
            .await
            .refused(409, "ReadOnlyDisabledSubscription");
        assert_eq!(
            r.message(),
            format!(
                "The subscription '{PAYG}' is disabled and therefore marked as read only. You cannot perform any write actions on this subscription until it is re-enabled."
            )
        );
        post(
            lifecycle_path(PAYG, "rename"),
            alice.clone(),
            Some(r#"{"subscriptionName": "Renamed"}"#),
        )
        .await
        .refused(409, "ReadOnlyDisabledSubscription");
        post(lifecycle_path(PAYG, "cancel"), alice.clone(), None)
            .await
            .refused(409, "SubscriptionAlreadyCanceled");

        post(lifecycle_path(PAYG, "enable"), alice.clone(), None)
            .await
            .expect(200);
        arm.put(
            &sub_path("/resourcegroups/rg9"),
            &alice,
            json!({"location": "westeurope"}),
        )
        .await
        .expect(201);
        let r = arm
            .call(
                Method::POST,
                &format!("/subscriptions/{PAYG}/providers/Microsoft.Subscription/rename?{V2020}"),
                Some(&alice),
                Some(r#"{"subscriptionName": "Renamed"}"#),
            )
            .await
            .expect(200);
        assert_eq!(r.body["subscriptionId"], PAYG);
        let s = arm
            .get(
                &format!("/subscriptions/{PAYG}?api-version=2022-12-01"),
                &alice,
            )
            .await
            .expect(200);
        assert_eq!(
            (&s.body["displayName"], &s.body["state"]),
            (&json!("Renamed"), &json!("Enabled"))
        );
        post(lifecycle_path(PAYG, "rename"), alice.clone(), Some("{}"))
            .await
            .refused(400, "InvalidRequestContent");
        assert_memory_matches_database(&srv.svc).await;
    }
}

/// The `resourceTypes` entry of `ty` in a provider.
fn resource_type<'v>(provider: &'v Value, ty: &str) -> &'v Value {
    provider["resourceTypes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["resourceType"] == ty)
        .unwrap_or_else(|| panic!("no {ty} in {provider}"))
}

#[tokio::test]
async fn providers_list_their_resource_types_with_api_versions() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let arm = Arm { srv: &srv };
        let alice = arm.alice().await;
        let storage = arm
            .get(&sub_path("/providers/microsoft.storage"), &alice)
            .await
            .expect(200);
        assert_eq!(storage.body["namespace"], "Microsoft.Storage");
        let accounts = resource_type(&storage.body, "storageAccounts");
        assert_eq!(accounts["apiVersions"][0], "2023-05-01");
        assert!(!accounts["locations"].as_array().unwrap().is_empty());
        let root = arm
            .get(
                "/providers/Microsoft.Subscription?api-version=2022-12-01",
                &alice,
            )
            .await
            .expect(200);
        assert_eq!(
            resource_type(&root.body, "aliases")["apiVersions"],
            json!(["2021-10-01", "2020-09-01"])
        );

        // A type of a provider tenantry knows nothing of is listed once one is stored.
        let widgets = sub_path("/providers/Contoso.Widgets");
        assert!(
            arm.get(&widgets, &alice).await.expect(200).body["resourceTypes"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        arm.put(
            &sub_path("/resourceGroups/rg1/providers/Contoso.Widgets/widgets/w1/gears/g1"),
            &alice,
            json!({"location": "westeurope", "properties": {}}),
        )
        .await
        .refused(404, "ParentResourceNotFound");
        arm.put(
            &sub_path("/resourceGroups/rg1/providers/Contoso.Widgets/widgets/w1"),
            &alice,
            json!({"location": "westeurope", "properties": {"teeth": 12}}),
        )
        .await
        .expect(201);
        let p = arm.get(&widgets, &alice).await.expect(200);
        assert!(
            !resource_type(&p.body, "widgets")["apiVersions"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        let all = arm.get(&sub_path("/providers"), &alice).await.expect(200);
        let namespaces: Vec<&str> = all
            .values()
            .iter()
            .map(|p| p["namespace"].as_str().unwrap())
            .collect();
        assert!(
            namespaces.contains(&"Contoso.Widgets") && namespaces.contains(&"Microsoft.Storage"),
            "{namespaces:?}"
        );
        // Who may not read the subscription learns nothing of what is stored there.
        let megan = megan(&arm).await;
        arm.get(&widgets, &megan)
            .await
            .refused(404, "SubscriptionNotFound");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_mgmt_subscription_drives_the_lifecycle() {
    let python = required_tool("TENANTRY_TEST_PYTHON");
    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    make_ci_owner(&srv.svc).await;
    // The script's alias places its subscription under "Platform": ci creates that group, so it owns
    // it (as in Azure, a group's creator is its Owner) and may place subscriptions under it.
    let arm = Arm { srv: &srv };
    arm.put(&mg("Platform"), &arm.app().await, json!({"properties": {}}))
        .await
        .expect(200);
    let script = repo_root().join("crates/tenantry/tests/py/subscription_lifecycle.py");
    let srv_ref = &srv;
    tokio::task::block_in_place(|| run_client(&python, &[script.to_str().unwrap()], srv_ref, &[]));
    assert_memory_matches_database(&srv.svc).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_cli_drives_aliases_and_resources_without_api_versions() {
    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    make_ci_owner(&srv.svc).await;
    run_az_script(&srv, "subscription_lifecycle_cli.py", &[]);
}
