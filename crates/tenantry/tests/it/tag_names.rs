//! A subscription's predefined tag names over HTTPS on both databases: created (201, then 200),
//! given values, listed by `tagNames` beside the names in use with Azure's counts, refused while in
//! use, deleted (200, then 204), kept in the database. Then the real clients: the Azure CLI's `az tag
//! create --name`, `add-value`, `remove-value`, `delete --name` and `list`, and azure-mgmt-resource's
//! `tags` operations.

use crate::arm::{Arm, sub_path};
use crate::support::*;
use serde_json::{Value, json};

fn entry<'v>(names: &'v [Value], name: &str) -> Option<&'v Value> {
    names.iter().find(|n| {
        n["tagName"]
            .as_str()
            .unwrap_or_default()
            .eq_ignore_ascii_case(name)
    })
}

/// Each value of a `TagDetails` with its count.
fn values(details: &Value) -> Vec<(String, i64)> {
    details["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["tagValue"].as_str().unwrap().to_string(),
                v["count"]["value"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn predefined_tag_names_are_created_listed_and_deleted_as_in_azure() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let arm = Arm { srv: &srv };
        let (alice, app) = (arm.alice().await, arm.app().await);
        let env = sub_path("/tagNames/Env");
        let created = arm.put(&env, &app, json!({})).await.expect(201);
        assert_eq!(
            created.body,
            json!({"id": env, "tagName": "Env", "count": {"type": "Total", "value": 0}, "values": []})
        );
        // The name is case-insensitive: a second PUT in another case finds the first.
        let again = arm
            .put(&sub_path("/tagNames/ENV"), &alice, json!({}))
            .await
            .expect(200);
        assert_eq!(again.body["tagName"], "Env");
        let prod = arm
            .put(&sub_path("/tagNames/env/tagValues/prod"), &app, json!({}))
            .await
            .expect(201);
        assert_eq!(prod.body["tagValue"], "prod");
        assert_eq!(prod.body["count"], json!({"type": "Total", "value": 0}));
        assert!(
            prod.body["id"]
                .as_str()
                .unwrap()
                .ends_with("/tagValues/prod")
        );
        arm.put(&sub_path("/tagNames/env/tagValues/prod"), &app, json!({}))
            .await
            .expect(200);
        arm.put(&sub_path("/tagNames/env/tagValues/dev"), &app, json!({}))
            .await
            .expect(201);

        // Listed beside the names in use, nothing using it yet: count 0.
        let listed = arm.get(&sub_path("/tagNames"), &alice).await.expect(200);
        let e = entry(listed.values(), "env").expect("the predefined name is listed");
        assert_eq!(e["count"], json!({"type": "Total", "value": 0}));
        assert_eq!(values(e), [("prod".to_string(), 0), ("dev".to_string(), 0)]);
        // Once used, Azure's counts.
        arm.put(
            &sub_path("/resourceGroups/rg1/providers/Microsoft.Resources/tags/default"),
            &app,
            json!({"properties": {"tags": {"ENV": "prod"}}}),
        )
        .await
        .expect(200);
        let listed = arm.get(&sub_path("/tagNames"), &alice).await.expect(200);
        let e = entry(listed.values(), "env").unwrap();
        assert_eq!(e["tagName"], "Env", "the predefined case");
        assert_eq!(e["count"]["value"], 1);
        assert_eq!(values(e), [("prod".to_string(), 1), ("dev".to_string(), 0)]);

        // In use: refused with Azure's words.
        let r = arm
            .delete(&sub_path("/tagNames/env/tagValues/prod"), &app)
            .await
            .refused(409, "PredefinedTagValueInUse");
        assert!(
            r.message()
                .contains("It is associated to one or more resources"),
            "{}",
            r.body
        );
        let r = arm
            .delete(&env, &app)
            .await
            .refused(409, "PredefinedTagNameInUse");
        assert!(
            r.message().starts_with(
                "The tag name 'Env' cannot be deleted. It is associated to one or more resources."
            ),
            "{}",
            r.body
        );
        // Azure's rules and not-found.
        for (name, code) in [
            ("a%3Fb", "InvalidTagNameCharacters"),
            ("azure-owned", "ReservedTagName"),
        ] {
            arm.put(&sub_path(&format!("/tagNames/{name}")), &app, json!({}))
                .await
                .refused(400, code);
        }
        arm.put(
            &sub_path(&format!("/tagNames/env/tagValues/{}", "v".repeat(257))),
            &app,
            json!({}),
        )
        .await
        .refused(400, "InvalidTagValueLength");
        arm.put(&sub_path("/tagNames/nope/tagValues/x"), &app, json!({}))
            .await
            .refused(404, "PredefinedTagNameNotFound");
        // erin reads rg1 only; megan is of another directory.
        let erin = arm.erin().await;
        arm.put(&sub_path("/tagNames/team"), &erin, json!({}))
            .await
            .refused(403, "AuthorizationFailed");
        arm.delete(&sub_path("/tagNames/env/tagValues/dev"), &erin)
            .await
            .refused(403, "AuthorizationFailed");

        // Kept in the database: the world loaded from it holds them.
        assert_memory_matches_database(&srv.svc).await;

        // Deleted: the unused value, then (untagged, the last value gone) the name; again is 204.
        arm.delete(&sub_path("/tagNames/env/tagValues/dev"), &app)
            .await
            .expect(200);
        arm.delete(&sub_path("/tagNames/env/tagValues/dev"), &app)
            .await
            .expect(204);
        arm.delete(
            &sub_path("/resourceGroups/rg1/providers/Microsoft.Resources/tags/default"),
            &app,
        )
        .await
        .expect(200);
        arm.delete(&env, &app)
            .await
            .refused(409, "PredefinedTagNameHasValues");
        arm.delete(&sub_path("/tagNames/env/tagValues/prod"), &app)
            .await
            .expect(200);
        arm.delete(&env, &app).await.expect(200);
        arm.delete(&env, &app).await.expect(204);
        let listed = arm.get(&sub_path("/tagNames"), &alice).await.expect(200);
        assert!(entry(listed.values(), "env").is_none(), "{}", listed.body);
        assert_memory_matches_database(&srv.svc).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_cli_predefined_tag_names() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        run_az_script(&srv, "tag_names_cli.py", &[]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_predefined_tag_names() {
    let python = required_tool("TENANTRY_TEST_PYTHON");
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let script = repo_root().join("crates/tenantry/tests/py/tag_names_sdk.py");
        tokio::task::block_in_place(|| run_client(&python, &[script.to_str().unwrap()], &srv, &[]));
    }
}
