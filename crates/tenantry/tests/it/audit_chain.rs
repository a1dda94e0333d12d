//! The audit log's hash chain end to end: two instances writing at once on one database make one sound
//! chain; the signed checkpoint an outsider takes over HTTP verifies with the published keys and proves
//! the history later; `tenantry audit verify | checkpoint | export` as an operator runs them.

use crate::cli::tenantry;
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

/// An outside party's view: the checkpoint at the ARM face needs a token (any), verifies with the
/// JWKS the server publishes, and still proves the chain after more writes.
#[tokio::test]
async fn a_checkpoint_taken_over_https_verifies_with_the_published_keys() {
    for store in both().await {
        let b = store.backend();
        let srv = TestServer::demo(&store).await;
        let path = "/providers/Microsoft.Subscription/auditCheckpoint?api-version=2024-01-01";
        let anonymous = srv.client.get(srv.url(path)).send().await.unwrap();
        assert_eq!(anonymous.status(), 401, "{b:?}");
        let token = app_token(&srv, ALICEDEFAULT, CI_CLIENT, CI_SECRET, ARM).await;
        let (status, checkpoint) = get(&srv, path, &token).await;
        assert_eq!(status, 200, "{b:?}: {checkpoint}");
        let count = checkpoint["count"].as_i64().unwrap();
        assert!(count > 0, "{b:?}: {checkpoint}");

        // Checked as an outsider would: the JWS against the published JWKS, by jsonwebtoken.
        let jwks: jsonwebtoken::jwk::JwkSet = srv
            .client
            .get(srv.url(&format!("/{ALICEDEFAULT}/discovery/v2.0/keys")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let jws = checkpoint["signature"].as_str().unwrap();
        let kid = jsonwebtoken::decode_header(jws).unwrap().kid.unwrap();
        let key = jsonwebtoken::DecodingKey::from_jwk(jwks.find(&kid).unwrap()).unwrap();
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        v.required_spec_claims.clear();
        v.validate_exp = false;
        v.validate_aud = false;
        let signed = jsonwebtoken::decode::<Value>(jws, &key, &v).unwrap().claims;
        assert_eq!(signed["count"], checkpoint["count"]);
        assert_eq!(signed["tipHash"], checkpoint["tipHash"]);
        assert_eq!(signed["time"], checkpoint["time"]);

        // Later, after more writes, the chain still passes through it.
        let alice = signed_in(&srv.svc, "alice@outlook.com", "alicedefault");
        srv.svc
            .put_resource_group(&alice, payg(&srv.svc), "later", group())
            .await
            .unwrap();
        let tip = srv
            .svc
            .open_audit_checkpoint(&checkpoint.to_string())
            .await
            .unwrap();
        assert_eq!(tip.count, count);
        let now = srv.svc.verify_audit_chain(Some(tip)).await.unwrap();
        assert_eq!(now.map(|t| t.count), Ok(count + 1), "{b:?}");
        // A checkpoint whose fields were edited is refused: the signature covers them.
        let mut edited = checkpoint.clone();
        edited["count"] = Value::from(count - 1);
        let e = srv
            .svc
            .open_audit_checkpoint(&edited.to_string())
            .await
            .unwrap_err();
        assert!(e.to_string().contains("count differs"), "{e}");
    }
}

/// The operator's commands on the embedded database: verify says ok, export writes the chain line by
/// line, a checkpoint is proved; after an event is changed by SQL, verify names it and fails.
#[tokio::test]
async fn audit_verify_checkpoint_and_export_as_an_operator_runs_them() {
    let (dir, data) = crate::cli::demo_data_directory();
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

    // A checkpoint, proved by verify.
    let checkpoint = dir.path().join("checkpoint.json");
    let out = audit(&["checkpoint", "--output", checkpoint.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&checkpoint).unwrap()).unwrap();
    assert_eq!(saved["count"], n as i64);
    let out = audit(&["verify", "--checkpoint", checkpoint.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("extends the checkpoint")
    );

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
    for args in [
        &["verify"][..],
        &["verify", "--checkpoint", checkpoint.to_str().unwrap()][..],
    ] {
        let out = audit(args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("the audit chain is broken")
                && err.contains(&victim)
                && err.contains("#3"),
            "{args:?}: {err}"
        );
    }
}
