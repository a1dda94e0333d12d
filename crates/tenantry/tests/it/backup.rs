//! Backups as an operator takes them: `tenantry backup` while the server takes writes, `tenantry
//! restore` into an empty data directory, and a server on the restored directory that has every write
//! committed before the backup began. PostgreSQL's procedure (`pg_dump`/`pg_restore`, the README's) is
//! run against the real server too.

use crate::cli::{Served, run, tenantry};
use crate::support::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The key ids a server publishes.
async fn published_keys(served: &Served) -> Vec<String> {
    let jwks: serde_json::Value = served
        .client
        .get(format!(
            "{}/{ALICEDEFAULT}/discovery/v2.0/keys",
            served.base
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kids: Vec<String> = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect();
    assert!(!kids.is_empty());
    kids
}

/// The names of Pay-As-You-Go's resource groups, as the ci application lists them.
async fn resource_groups(served: &Served, token: &str) -> Vec<String> {
    let body: serde_json::Value = served
        .client
        .get(format!(
            "{}/subscriptions/{PAYG}/resourcegroups?api-version=2021-04-01",
            served.base
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["value"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_string())
        .collect()
}

/// A backup taken while a client keeps creating resource groups holds every group whose creation was
/// answered before the backup began and none asked for after it ended; restored into an empty
/// directory with the key-encryption key beside it, a server on it signs tokens with the same keys and
/// serves those groups. Restoring over a directory that is not empty, overwriting a file with a backup
/// and backing up PostgreSQL with this command are refused.
#[tokio::test]
async fn a_backup_under_write_load_restores_every_committed_write() {
    let dir = tenantry_store::testing::TempDir::new("tenantry-backup").unwrap();
    let data = dir.path().join("data");
    let served = Served::start_in(&data, Some(&repo_root().join("worlds/demo.toml")), &[]).await;
    let token = ci_arm_token(&served.client, &served.base).await;
    let keys_before = published_keys(&served).await;

    // A client writing as fast as it is answered, numbering its groups.
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(std::sync::Mutex::new(
        Vec::<(usize, std::time::Instant)>::new(),
    ));
    let writer = {
        let (client, base, token) = (served.client.clone(), served.base.clone(), token.clone());
        let (stop, answered) = (stop.clone(), answered.clone());
        tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let r = client
                    .put(format!(
                        "{base}/subscriptions/{PAYG}/resourcegroups/load-{i}?api-version=2021-04-01"
                    ))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({"location": "westeurope"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201, "load-{i}");
                answered
                    .lock()
                    .unwrap()
                    .push((i, std::time::Instant::now()));
                i += 1;
            }
            i
        })
    };
    let _ = eventually(Duration::from_secs(60), || {
        answered.lock().unwrap().len() >= 20
    })
    .await;
    let backup = dir.path().join("tenantry.backup");
    let began = std::time::Instant::now();
    let said = {
        let (data, backup) = (data.clone(), backup.clone());
        tokio::task::spawn_blocking(move || {
            run(tenantry()
                .arg("backup")
                .arg(&backup)
                .arg("--data")
                .arg(&data))
        })
        .await
        .unwrap()
    };
    let ended = std::time::Instant::now();
    assert!(said.contains("backed up through revision"), "{said}");
    let _ = eventually(Duration::from_secs(60), || {
        answered
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, t)| *t > ended)
            .count()
            >= 5
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    let written = writer.await.unwrap();
    served.stop();
    let answered = answered.lock().unwrap().clone();
    let before: Vec<usize> = answered
        .iter()
        .filter(|(_, t)| *t < began)
        .map(|(i, _)| *i)
        .collect();
    // A request asked after the backup ended was answered after it, and with one client writing one
    // at a time, every group numbered past the first one answered after the end was asked after it.
    let first_after = answered
        .iter()
        .find(|(_, t)| *t > ended)
        .map(|(i, _)| *i + 1)
        .expect("writes went on after the backup");
    assert!(before.len() >= 20 && first_after < written);

    // Not over a file, not for PostgreSQL, not into a directory in use.
    let again = tenantry()
        .arg("backup")
        .arg(&backup)
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    let pg = tenantry()
        .arg("backup")
        .arg(dir.path().join("pg.backup"))
        .args(["--database-url", "postgres://nobody@127.0.0.1:1/none"])
        .output()
        .unwrap();
    assert!(!pg.status.success());
    assert!(String::from_utf8_lossy(&pg.stderr).contains("pg_dump"));
    let over = tenantry()
        .arg("restore")
        .arg(&backup)
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    assert!(!over.status.success());
    assert!(String::from_utf8_lossy(&over.stderr).contains("not empty"));
    let garbage = dir.path().join("garbage");
    std::fs::write(&garbage, b"not a database at all").unwrap();
    let restored_garbage = dir.path().join("from-garbage");
    let refused = tenantry()
        .arg("restore")
        .arg(&garbage)
        .arg("--data")
        .arg(&restored_garbage)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        std::fs::read_dir(&restored_garbage)
            .map(|mut d| d.next().is_none())
            .unwrap_or(true),
        "a refused restore leaves nothing behind"
    );

    let restored = dir.path().join("restored");
    let said = run(tenantry()
        .arg("restore")
        .arg(&backup)
        .arg("--data")
        .arg(&restored));
    assert!(said.contains("key-encryption key"), "{said}");
    // The key-encryption key travels apart from the backup: the operator puts it back.
    assert!(
        !said.contains(&std::fs::read_to_string(data.join("key-encryption-key")).unwrap()),
        "the key is never printed"
    );
    std::fs::copy(
        data.join("key-encryption-key"),
        restored.join("key-encryption-key"),
    )
    .unwrap();
    let back = Served::start_in(&restored, None, &[]).await;
    // The same signing key, opened with the same key-encryption key.
    assert_eq!(published_keys(&back).await, keys_before);
    let groups = resource_groups(&back, &ci_arm_token(&back.client, &back.base).await).await;
    for i in before {
        assert!(
            groups.contains(&format!("load-{i}")),
            "load-{i} was answered before the backup"
        );
    }
    for i in first_after..written {
        assert!(
            !groups.contains(&format!("load-{i}")),
            "load-{i} was asked after the backup"
        );
    }
    back.stop();
}

/// A PostgreSQL client program (`pg_dump`, `pg_restore`): on the PATH, or where Debian installs the
/// newest server's.
fn pg_program(name: &str) -> std::path::PathBuf {
    let on_path = std::process::Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if on_path {
        return name.into();
    }
    let mut found: Vec<std::path::PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|v| v.path().join("bin").join(name))
        .filter(|p| p.exists())
        .collect();
    found.sort();
    found
        .pop()
        .unwrap_or_else(|| panic!("{name} is needed: install PostgreSQL's client programs"))
}

/// Runs a PostgreSQL client program, which must succeed.
fn run_pg(command: &mut std::process::Command) {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The README's procedure for PostgreSQL, run against the real server: `pg_dump --format=custom` of a
/// database in use, `pg_restore --no-owner` into a new empty database; an instance on the copy holds
/// the same world, the same audit log and revision, and takes the next write.
#[tokio::test]
async fn postgres_backs_up_with_pg_dump_and_restores_with_pg_restore() {
    let admin = pg_admin_url();
    let source = fresh_pg_database(&admin).await.unwrap();
    let store = tenantry_store::Store::open(&source).await.unwrap();
    let svc = tenantry_service::Service::open(store.clone())
        .await
        .unwrap();
    svc.apply_world(&demo_world(), &mut |_, _| {})
        .await
        .unwrap();
    let alice = signed_in(&svc, "alice@outlook.com", "alicedefault");
    let group = || tenantry_service::domain::rules::resources::ResourceGroupWrite {
        location: "westeurope".into(),
        tags: None,
        managed_by: None,
    };
    for i in 0..5 {
        svc.put_resource_group(&alice, payg(&svc), &format!("before-{i}"), group())
            .await
            .unwrap();
    }
    let dir = tenantry_store::testing::TempDir::new("tenantry-pg-backup").unwrap();
    let dump = dir.path().join("tenantry.dump");
    run_pg(
        std::process::Command::new(pg_program("pg_dump"))
            .args(["--format=custom", "--file"])
            .arg(&dump)
            .arg(&source),
    );
    // Writes after the dump are not in it.
    svc.put_resource_group(&alice, payg(&svc), "after", group())
        .await
        .unwrap();

    let target = fresh_pg_database(&admin).await.unwrap();
    run_pg(
        std::process::Command::new(pg_program("pg_restore"))
            .args(["--no-owner", "--exit-on-error", "--dbname"])
            .arg(&target)
            .arg(&dump),
    );
    let copy = tenantry_service::Service::open(tenantry_store::Store::open(&target).await.unwrap())
        .await
        .unwrap();
    assert_eq!(copy.revision(), svc.revision() - 1);
    let has = |s: &tenantry_service::Service, name: &str| {
        let sub = payg(s);
        s.read(|w| w.subscription(sub).unwrap().resource_group(name).is_some())
    };
    for i in 0..5 {
        assert!(has(&copy, &format!("before-{i}")));
    }
    assert!(!has(&copy, "after"));
    assert_eq!(audit_count(&copy).await, audit_count(&svc).await - 1);
    let chain = copy.store().verify_audit_chain(None).await.unwrap();
    assert!(chain.is_ok(), "the copy's audit chain verifies: {chain:?}");
    // The copy goes on from where the dump was taken.
    copy.put_resource_group(&alice, payg(&copy), "on-the-copy", group())
        .await
        .unwrap();
    assert_eq!(copy.revision(), svc.revision());
}
