//! Tags over HTTPS on both databases: the Tags API at the subscription, a group and a resource, PATCH of
//! groups and resources, the tag names of a subscription, and the resource lists filtered by type and
//! tag and paged with `$top` and `nextLink`. Then the real clients: the Azure CLI's `az tag`, `az group
//! update`, `az resource tag` and `az resource list --tag`, and azure-mgmt-resource.

use crate::arm::{Arm, sub_path, with_version};
use crate::support::*;
use reqwest::Method;
use serde_json::{Value, json};

const TAGS: &str = "/providers/Microsoft.Resources/tags/default";
const ST1: &str = "/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/st1";

impl Arm<'_> {
    async fn patch(&self, path: &str, token: &str, body: Value) -> Resp {
        self.call(
            Method::PATCH,
            &with_version(path),
            Some(token),
            Some(&body.to_string()),
        )
        .await
    }

    /// Every item of a list, following its `nextLink`s; also returns how many pages it took.
    async fn all_pages(&self, path: &str, token: &str) -> (Vec<Value>, usize) {
        let mut items = vec![];
        let mut next = Some(with_version(path));
        let mut pages = 0;
        while let Some(p) = next {
            let r = self
                .call(Method::GET, &p, Some(token), None)
                .await
                .expect(200);
            items.extend(r.values().iter().cloned());
            next = r.body["nextLink"]
                .as_str()
                .map(|n| n.strip_prefix(&self.srv.base_url).unwrap_or(n).to_string());
            pages += 1;
            assert!(pages < 100, "a nextLink loop");
        }
        (items, pages)
    }
}

fn tags_body(tags: Value) -> Value {
    json!({ "properties": { "tags": tags } })
}

fn patch_body(operation: &str, tags: Value) -> Value {
    json!({ "operation": operation, "properties": { "tags": tags } })
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["id"].as_str().unwrap_or_default().to_lowercase())
        .collect()
}

#[tokio::test]
async fn the_tags_api_at_a_subscription_a_group_and_a_resource() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let arm = Arm { srv: &srv };
        let (alice, app) = (arm.alice().await, arm.app().await);
        arm.put(
            &sub_path(ST1),
            &app,
            json!({"location": "westeurope", "properties": {"a": 1}}),
        )
        .await
        .expect(201);
        for at in ["", "/resourceGroups/rg1", ST1] {
            let path = sub_path(&format!("{at}{TAGS}"));
            let put = arm
                .put(
                    &path,
                    &alice,
                    tags_body(json!({"Env": "prod", "team": "a"})),
                )
                .await
                .expect(200);
            assert_eq!(put.body["id"], sub_path(&format!("{at}{TAGS}")));
            assert_eq!(put.body["name"], "default");
            assert_eq!(put.body["type"], "Microsoft.Resources/tags");
            let merged = arm
                .patch(
                    &path,
                    &app,
                    patch_body("Merge", json!({"ENV": "dev", "cost": "42"})),
                )
                .await
                .expect(200);
            assert_eq!(
                merged.body["properties"]["tags"],
                json!({"Env": "dev", "cost": "42", "team": "a"}),
                "{at}: names are case-insensitive and keep their case"
            );
            arm.patch(&path, &app, patch_body("Delete", json!({"team": ""})))
                .await
                .expect(200);
            let got = arm.get(&path, &alice).await.expect(200);
            assert_eq!(
                got.body["properties"]["tags"],
                json!({"Env": "dev", "cost": "42"})
            );
            // The tagged thing shows them.
            let own = arm.get(&sub_path(at), &alice).await.expect(200);
            assert_eq!(
                own.body["tags"],
                json!({"Env": "dev", "cost": "42"}),
                "{at}"
            );
            let replaced = arm
                .patch(&path, &app, patch_body("replace", json!({"only": "this"})))
                .await
                .expect(200);
            assert_eq!(replaced.body["properties"]["tags"], json!({"only": "this"}));
            arm.delete(&path, &app).await.expect(200);
            let gone = arm.get(&path, &alice).await.expect(200);
            assert_eq!(gone.body["properties"]["tags"], json!({}));
        }
        // Tagging left the resource's properties alone.
        let st = arm.get(&sub_path(ST1), &alice).await.expect(200);
        assert_eq!(st.body["properties"], json!({"a": 1}));

        // Azure's limits, with its codes.
        let rg1 = sub_path(&format!("/resourceGroups/rg1{TAGS}"));
        for (tags, code) in [
            (json!({"a/b": "x"}), "InvalidTagNameCharacters"),
            (json!({"a%b": "x"}), "InvalidTagNameCharacters"),
            (json!({ ("x".repeat(513)): "x" }), "InvalidTagName"),
            (json!({"a": "v".repeat(257)}), "InvalidTagValueLength"),
        ] {
            arm.put(&rg1, &alice, tags_body(tags))
                .await
                .refused(400, code);
        }
        let many: serde_json::Map<String, Value> =
            (0..51).map(|i| (format!("t{i}"), json!("v"))).collect();
        arm.put(&rg1, &alice, tags_body(Value::Object(many)))
            .await
            .refused(400, "InvalidTagsCount");
        arm.patch(&rg1, &alice, patch_body("Upsert", json!({"a": "b"})))
            .await
            .refused(400, "InvalidTagsOperation");
        arm.put(
            &sub_path(&format!("/resourceGroups/nope{TAGS}")),
            &alice,
            tags_body(json!({"a": "b"})),
        )
        .await
        .refused(404, "ResourceGroupNotFound");

        // erin reads rg1 (Reader) but may not tag it; megan, of another directory, learns nothing.
        arm.put(&rg1, &alice, tags_body(json!({"secret": "s3"})))
            .await
            .expect(200);
        let erin = arm.erin().await;
        let seen = arm.get(&rg1, &erin).await.expect(200);
        assert_eq!(seen.body["properties"]["tags"], json!({"secret": "s3"}));
        arm.patch(&rg1, &erin, patch_body("Merge", json!({"a": "b"})))
            .await
            .refused(403, "AuthorizationFailed");
        arm.delete(&rg1, &erin)
            .await
            .refused(403, "AuthorizationFailed");
        let megan = arm
            .user(CONTOSO, "megan@contoso.onmicrosoft.com", "Megan-Contoso-1!")
            .await;
        for path in [rg1.clone(), sub_path("/tagNames")] {
            let r = arm.get(&path, &megan).await;
            assert!(r.status.is_client_error(), "{path}: {}", r.body);
            assert!(!r.body.to_string().contains("s3"), "{}", r.body);
        }
        assert_memory_matches_database(&srv.svc).await;
    }
}

#[tokio::test]
async fn patch_of_a_group_and_of_a_resource_answers_the_updated_object() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let arm = Arm { srv: &srv };
        let app = arm.app().await;
        let rg1 = sub_path("/resourceGroups/rg1");
        let patched = arm
            .patch(
                &rg1,
                &app,
                json!({"tags": {"env": "prod"}, "managedBy": "/subscriptions/x"}),
            )
            .await
            .expect(200);
        assert_eq!(patched.body["tags"], json!({"env": "prod"}));
        assert_eq!(patched.body["managedBy"], "/subscriptions/x");
        assert_eq!(patched.body["location"], "westeurope");
        let again = arm
            .patch(&rg1, &app, json!({"managedBy": null}))
            .await
            .expect(200);
        assert_eq!(
            again.body["tags"],
            json!({"env": "prod"}),
            "what is left out stays"
        );
        assert!(again.body.get("managedBy").is_none(), "{}", again.body);
        arm.patch(&rg1, &app, json!({"tags": {"a?": "b"}}))
            .await
            .refused(400, "InvalidTagNameCharacters");

        arm.put(
            &sub_path(ST1),
            &app,
            json!({"location": "westeurope", "tags": {"a": "1"},
                   "properties": {"encryption": {"keySource": "Microsoft.Storage", "requireInfrastructureEncryption": false}, "tier": "Hot"}}),
        )
        .await
        .expect(201);
        let r = arm
            .patch(
                &sub_path(ST1),
                &app,
                json!({"tags": {"b": "2"}, "properties": {"encryption": {"requireInfrastructureEncryption": true}, "tier": null}}),
            )
            .await
            .expect(200);
        assert_eq!(r.body["tags"], json!({"b": "2"}), "PATCH replaces the tags");
        assert_eq!(
            r.body["properties"],
            json!({"encryption": {"keySource": "Microsoft.Storage", "requireInfrastructureEncryption": true}})
        );
        assert_eq!(r.body["location"], "westeurope");
        let erin = arm.erin().await;
        arm.patch(&sub_path(ST1), &erin, json!({"tags": {}}))
            .await
            .refused(403, "AuthorizationFailed");
        assert_memory_matches_database(&srv.svc).await;
    }
}

#[tokio::test]
async fn lists_filter_by_type_and_tag_and_page_with_next_links() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let arm = Arm { srv: &srv };
        let (alice, app) = (arm.alice().await, arm.app().await);
        for i in 0..5 {
            let env = if i % 2 == 0 { "prod" } else { "dev" };
            arm.put(
                &sub_path(&format!("/resourceGroups/g{i}")),
                &app,
                json!({"location": "westeurope", "tags": {"Env": env}}),
            )
            .await
            .expect(201);
            for (ty, name) in [
                ("Microsoft.Storage/storageAccounts", format!("st{i}")),
                ("Microsoft.Web/sites", format!("web{i}")),
            ] {
                arm.put(
                    &sub_path(&format!("/resourceGroups/g{i}/providers/{ty}/{name}")),
                    &app,
                    json!({"location": "westeurope", "tags": {"env": env, "n": i.to_string()}}),
                )
                .await
                .expect(201);
            }
        }
        // Resource groups by tag name and value, and by name alone; resources of the subscription and of
        // a group, by type and by tag.
        let names = |n: &[&str]| -> Vec<String> { n.iter().map(|s| s.to_string()).collect() };
        let web = |i: &[u8]| -> Vec<String> { i.iter().map(|i| format!("web{i}")).collect() };
        let st_and_web = |i: &[u8]| -> Vec<String> {
            let mut v: Vec<String> = i.iter().map(|i| format!("st{i}")).collect();
            v.extend(web(i));
            v
        };
        for (list, filter, want) in [
            (
                "/resourcegroups",
                "tagName eq 'env' and tagValue eq 'prod'",
                names(&["g0", "g2", "g4"]),
            ),
            (
                "/resourcegroups",
                "tagName eq 'ENV'",
                names(&["g0", "g1", "g2", "g3", "g4"]),
            ),
            (
                "/resources",
                "resourceType eq 'Microsoft.Web/sites'",
                web(&[0, 1, 2, 3, 4]),
            ),
            (
                "/resources",
                "tagName eq 'env' and tagValue eq 'dev'",
                st_and_web(&[1, 3]),
            ),
            (
                "/resourceGroups/g1/resources",
                "resourceType eq 'Microsoft.Web/sites'",
                web(&[1]),
            ),
            (
                "/resources",
                "resourceGroup eq 'G2' and tagName eq 'n'",
                st_and_web(&[2]),
            ),
        ] {
            let path = sub_path(&format!("{list}?$filter={}", filter.replace(' ', "%20")));
            let mut got = arm.get(&path, &alice).await.expect(200).names();
            got.sort();
            let mut want = want;
            want.sort();
            assert_eq!(got, want, "{list} {filter}");
        }

        // Paging: every item once, in as many pages as $top says, the filter kept on each page.
        let (all, _) = arm.all_pages(&sub_path("/resources"), &alice).await;
        assert_eq!(all.len(), 10);
        let (paged, pages) = arm.all_pages(&sub_path("/resources?$top=3"), &alice).await;
        assert_eq!((ids(&paged), pages), (ids(&all), 4));
        let filtered =
            "/resources?$top=2&$filter=tagName%20eq%20'env'%20and%20tagValue%20eq%20'prod'";
        let (prod_items, pages) = arm.all_pages(&sub_path(filtered), &alice).await;
        assert_eq!((prod_items.len(), pages), (6, 3));
        assert!(prod_items.iter().all(|r| r["tags"]["env"] == "prod"));
        let (groups, pages) = arm
            .all_pages(&sub_path("/resourcegroups?$top=2"), &alice)
            .await;
        assert_eq!((groups.len(), pages), (6, 3), "rg1 and g0..g4");

        // A page stays right when an item before it goes between requests.
        let first = arm
            .get(&sub_path("/resourceGroups/g0/resources?$top=1"), &alice)
            .await
            .expect(200);
        let next = first.body["nextLink"].as_str().unwrap().to_string();
        assert!(!next.contains("skiptoken=1"), "the token is opaque: {next}");
        arm.delete(
            &sub_path("/resourceGroups/g0/providers/Microsoft.Storage/storageAccounts/st0"),
            &app,
        )
        .await
        .expect(200);
        let next = next.strip_prefix(&srv.base_url).unwrap().to_string();
        let second = arm
            .call(Method::GET, &next, Some(&alice), None)
            .await
            .expect(200);
        assert_eq!(second.names(), ["web0"]);
        arm.get(&sub_path("/resources?$top=2&$skiptoken=%25%25"), &alice)
            .await
            .refused(400, "InvalidSkipToken");

        // Tag names with their counts, as ARM sums them.
        arm.put(&sub_path(TAGS), &alice, tags_body(json!({"ENV": "prod"})))
            .await
            .expect(200);
        let names = arm.get(&sub_path("/tagNames"), &alice).await.expect(200);
        let env = names
            .values()
            .iter()
            .find(|n| n["tagName"].as_str().unwrap().eq_ignore_ascii_case("env"))
            .unwrap();
        // 1 subscription + 5 groups + 9 resources (st0 went).
        assert_eq!(env["count"], json!({"type": "Total", "value": 15}));
        let values: Vec<(&str, i64)> = env["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["tagValue"].as_str().unwrap(),
                    v["count"]["value"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(values, [("prod", 9), ("dev", 6)]);
        assert!(
            env["id"]
                .as_str()
                .unwrap()
                .starts_with(&sub_path("/tagNames/"))
        );
        // A name in use becomes predefined too, answered with its counts (tag_names.rs tests the rest).
        let predefined = arm
            .put(&sub_path("/tagNames/env"), &alice, json!({}))
            .await
            .expect(201);
        assert_eq!(predefined.body["count"], env["count"]);
        let erin = arm.erin().await;
        arm.get(&sub_path("/tagNames"), &erin)
            .await
            .refused(403, "AuthorizationFailed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_cli_tags() {
    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    run_az_script(&srv, "tags_cli.py", &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_tags_and_paging() {
    let python = required_tool("TENANTRY_TEST_PYTHON");
    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    let script = repo_root().join("crates/tenantry/tests/py/tags_sdk.py");
    let srv_ref = &srv;
    tokio::task::block_in_place(|| run_client(&python, &[script.to_str().unwrap()], srv_ref, &[]));
}
