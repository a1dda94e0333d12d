//! What a caller sees of its directory's hierarchy in one list, on SQLite and PostgreSQL:
//! `POST /providers/Microsoft.Management/getEntities` (only what the caller may see, with its parents,
//! counts and permissions; `$view`, `groupName`, `$filter`, `$search`, `$top` and `nextLink`), with
//! `az account management-group entities list` and azure-mgmt-managementgroups' `entities.list`.

use crate::arm::Arm;
use crate::hierarchy_settings::{ci_owner_at_root, elevate, owner_at_root};
use crate::management_groups::{call, mg};
use crate::support::*;
use reqwest::Method;
use serde_json::{Value, json};

const ENTITIES: &str = "/providers/Microsoft.Management/getEntities";

/// A PUT of group `name` under `parent`.
async fn create(arm: &Arm<'_>, token: &str, name: &str, display_name: &str, parent: &str) {
    let body = json!({"properties": {"displayName": display_name, "details": {"parent": {"id": mg(parent)}}}});
    call(arm, Method::PUT, &mg(name), token, Some(body))
        .await
        .expect(200);
}

/// getEntities with `query`; the names it answers and the body.
async fn entities(arm: &Arm<'_>, token: &str, query: &str) -> (Vec<String>, Value) {
    let path = if query.is_empty() {
        ENTITIES.to_string()
    } else {
        format!("{ENTITIES}?{query}")
    };
    let r = call(arm, Method::POST, &path, token, None)
        .await
        .expect(200);
    (r.names(), r.body)
}

/// alice (Owner at the root group) builds platform > prod, places the subscription in prod; erin, a
/// member, makes a group of her own.
async fn hierarchy(srv: &TestServer) -> (String, String) {
    let arm = Arm { srv };
    let (alice, erin) = (arm.alice().await, arm.erin().await);
    elevate(&arm, &alice).await;
    let alice_id = object_of(&srv.svc, "alice@outlook.com", "alicedefault");
    owner_at_root(&arm, ALICEDEFAULT, &alice, alice_id).await;
    create(&arm, &alice, "platform", "Platform", ALICEDEFAULT).await;
    create(&arm, &alice, "prod", "Production", "platform").await;
    create(&arm, &erin, "erins", "Erin's", ALICEDEFAULT).await;
    let placed = format!("{}/subscriptions/{PAYG}", mg("prod"));
    call(&arm, Method::PUT, &placed, &alice, None)
        .await
        .expect(200);
    (alice, erin)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_entities_answers_what_the_caller_may_see() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let arm = Arm { srv: &srv };
        let (alice, erin) = hierarchy(&srv).await;

        let (names, body) = entities(&arm, &alice, "").await;
        assert_eq!(names, [ALICEDEFAULT, "erins", "platform", "prod", PAYG]);
        assert_eq!(body["count"], 5);
        let by_name = |n: &str| {
            body["value"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["name"] == n)
                .unwrap()["properties"]
                .clone()
        };
        let root = by_name(ALICEDEFAULT);
        assert_eq!(root["parent"], Value::Null);
        assert_eq!(
            (
                &root["numberOfDescendants"],
                &root["numberOfChildren"],
                &root["numberOfChildGroups"]
            ),
            (&json!(4), &json!(2), &json!(2))
        );
        let sub = by_name(PAYG);
        assert_eq!(sub["parent"]["id"], mg("prod").as_str());
        assert_eq!(
            sub["parentNameChain"],
            json!([ALICEDEFAULT, "platform", "prod"])
        );
        assert_eq!(
            sub["parentDisplayNameChain"],
            json!(["Tenant Root Group", "Platform", "Production"])
        );
        assert_eq!(by_name("platform")["permissions"], "delete");
        assert_eq!(sub["tenantId"], ALICEDEFAULT);

        // erin sees the root and her own group, not alice's.
        let (names, _) = entities(&arm, &erin, "").await;
        assert!(names.contains(&"erins".to_string()), "{names:?}");
        assert!(!names.contains(&"platform".to_string()), "{names:?}");

        // Narrowed.
        let (names, _) = entities(&arm, &alice, "$view=GroupsOnly").await;
        assert_eq!(names, [ALICEDEFAULT, "erins", "platform", "prod"]);
        let (names, _) = entities(&arm, &alice, "$view=SubscriptionsOnly").await;
        assert_eq!(names, [PAYG]);
        let (names, _) = entities(&arm, &alice, "groupName=platform").await;
        assert_eq!(names, ["platform", "prod", PAYG]);
        let (names, _) = entities(&arm, &alice, "$filter=contains(displayName,'produc')").await;
        assert_eq!(names, ["prod"]);
        let (names, _) = entities(&arm, &alice, "$filter=name eq 'PLATFORM'").await;
        assert_eq!(names, ["platform"]);
        let (names, _) = entities(
            &arm,
            &alice,
            "$search=ChildrenOnly&$filter=name eq 'platform'",
        )
        .await;
        assert_eq!(names, ["prod"]);
        let (names, _) = entities(
            &arm,
            &alice,
            "$search=AllowedParents&$filter=name eq 'platform'",
        )
        .await;
        assert_eq!(names, [ALICEDEFAULT, "erins"]);
        call(
            &arm,
            Method::POST,
            &format!("{ENTITIES}?$search=Sideways"),
            &alice,
            None,
        )
        .await
        .refused(400, "InvalidQueryParameterValue");

        // Paged: $top with a nextLink that keeps the other parameters, followed with GET as the SDKs do.
        let (names, body) = entities(&arm, &alice, "$view=GroupsOnly&$top=3").await;
        assert_eq!(names, [ALICEDEFAULT, "erins", "platform"]);
        let next = body["nextLink"].as_str().unwrap();
        let rest = next.strip_prefix(srv.base_url.as_str()).unwrap();
        let r = arm
            .call(Method::GET, rest, Some(&alice), None)
            .await
            .expect(200);
        assert_eq!(r.names(), ["prod"]);
        assert!(r.body.get("nextLink").is_none(), "{}", r.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn descendants_come_in_pages() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let arm = Arm { srv: &srv };
        let (alice, _) = hierarchy(&srv).await;
        let below = format!("{}/descendants", mg("platform"));
        let r = call(&arm, Method::GET, &below, &alice, None)
            .await
            .expect(200);
        assert_eq!(r.names(), ["prod", PAYG]);
        assert!(r.body.get("nextLink").is_none(), "{}", r.body);
        // One to a page: the nextLink keeps $top and says where the next starts.
        let r = call(&arm, Method::GET, &format!("{below}?$top=1"), &alice, None)
            .await
            .expect(200);
        assert_eq!(r.names(), ["prod"]);
        let next = r.body["nextLink"].as_str().unwrap();
        let r = arm
            .call(
                Method::GET,
                next.strip_prefix(srv.base_url.as_str()).unwrap(),
                Some(&alice),
                None,
            )
            .await
            .expect(200);
        assert_eq!(r.names(), [PAYG]);
        assert_eq!(
            r.body["value"][0]["properties"]["parent"]["id"],
            mg("prod").as_str()
        );
        assert!(r.body.get("nextLink").is_none(), "{}", r.body);
    }
}

/// `az account management-group entities list` and azure-mgmt-managementgroups' `entities.list`
/// (paged by `top`), signed in as "ci" (Global Administrator, elevated and Owner at the root group).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_list_entities() {
    let python = required_tool("TENANTRY_TEST_PYTHON");
    for store in both().await {
        let srv = ci_owner_at_root(&store).await;
        run_az_script(&srv, "hierarchy_entities_cli.py", &[]);
        let script = repo_root().join("crates/tenantry/tests/py/hierarchy_entities_sdk.py");
        tokio::task::block_in_place(|| run_client(&python, &[script.to_str().unwrap()], &srv, &[]));
        assert_memory_matches_database(&srv.svc).await;
    }
}
