//! The audit log's hash chain end to end: two instances writing at once on one database make one sound
//! chain; `tenantry audit verify | export` as an operator runs them.

use crate::cli::{run, tenantry};
use crate::support::*;
use serde_json::Value;
use tenantry_service::Service;
use tenantry_service::domain::rules::resources::ResourceGroupWrite;

fn group() -> ResourceGroupWrite {
    ResourceGroupWrite {
        location: "westeurope".into(),
        tags: None,
        managed_by: None,
    }
}

/// Two instances on one database, each writing 25 changes while the other does: the chain holds
/// every event, in commit order, and verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_writing_at_once_make_one_sound_chain() {
    for store in both().await {
        let b = store.backend();
        let one = demo_service(&store).await;
        let other = Service::open(store.open_again().await).await.unwrap();
        let sub = payg(&one);
        let alice = signed_in(&one, "alice@outlook.com", "alicedefault");
        let writes = |svc: Service, prefix: &'static str| {
            let alice = alice.clone();
            tokio::spawn(async move {
                for i in 0..25 {
                    svc.put_resource_group(&alice, sub, &format!("{prefix}-{i}"), group())
                        .await
                        .unwrap();
                }
            })
        };
        let (x, y) = tokio::join!(writes(one.clone(), "a"), writes(other.clone(), "b"));
        x.unwrap();
        y.unwrap();
        let tip = other
            .verify_audit_chain(None)
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("{b:?}: {e}"));
        let events = one
            .audit_events(&tenantry_store::AuditFilter {
                limit: Some(1000),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(tip.count as usize, events.len(), "{b:?}");
        assert!(tip.count >= 50, "{b:?}");
    }
}

/// The operator's commands on the embedded database: verify says ok, export writes the chain line by
/// line; after an event is changed by SQL, verify names it and fails.
#[tokio::test]
async fn audit_verify_and_export_as_an_operator_runs_them() {
    let dir = tenantry_store::testing::TempDir::new("tenantry-cli").unwrap();
    let data = dir.path().join("data");
    run(tenantry()
        .args(["world", "apply"])
        .arg(repo_root().join("worlds/demo.toml"))
        .arg("--data")
        .arg(&data));
    let audit = |args: &[&str]| {
        tenantry()
            .arg("audit")
            .args(args)
            .arg("--data")
            .arg(&data)
            .output()
            .unwrap()
    };
    let out = audit(&["verify"]);
    assert!(out.status.success());
    let said = String::from_utf8(out.stdout).unwrap();
    let n: usize = said
        .strip_prefix("ok: ")
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{said}"));
    assert!(n > 5 && said.contains(" events, tip "), "{said}");

    // Export: every event, in chain order, each linked to the one before.
    let out = audit(&["export", "--format", "jsonl"]);
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), n);
    for (i, pair) in lines.windows(2).enumerate() {
        assert_eq!(pair[0]["seq"], i as i64 + 1);
        assert_eq!(pair[1]["prevHash"], pair[0]["hash"]);
    }
    assert!(said.contains(lines[n - 1]["hash"].as_str().unwrap()));
    let out = audit(&["export", "--since", "2000-01-01T00:00:00Z", "--until", "1h"]);
    assert!(out.status.success());
    assert!(out.stdout.is_empty(), "nothing is older than an hour");

    // Someone with access to the file changes an event.
    let victim = lines[2]["id"].as_str().unwrap().to_string();
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=rw", data.join("tenantry.db").display());
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    sqlx::query("UPDATE audit_events SET actor = 'somebody else' WHERE id = $1")
        .bind(&victim)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let out = audit(&["verify"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the audit chain is broken") && err.contains(&victim) && err.contains("#3"),
        "{err}"
    );
}
