//! A crash in the middle of a large change of directory leaves the complete old state: the process is
//! killed (SIGKILL) while its transaction is written but not committed, on both databases.

use crate::support::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use tenantry_service::domain::SubscriptionId;
use tenantry_store::Store;

const USERS: usize = 1000;
const SUB: &str = "5b5c0000-0000-4000-8000-00000000c4a5";

/// A world whose subscription holds the maximum of 4,000 role assignments (4 roles × 1,000 users).
fn large_world() -> String {
    let hash = tenantry_service::crypto::passwords::hash_password("Crash-Test-1!");
    let mut w =
        String::from("[[personal_accounts]]\nemail = \"owner@example.com\"\npassword_hash = \"");
    w.push_str(&hash);
    w.push_str("\"\n\n[[tenants]]\nname = \"source\"\n\n");
    for i in 0..USERS {
        w.push_str(&format!(
            "  [[tenants.users]]\n  user_name = \"u{i}\"\n  password_hash = \"{hash}\"\n\n"
        ));
    }
    w.push_str("[[tenants]]\nname = \"destination\"\n\n");
    w.push_str(&format!("[[subscriptions]]\ndisplay_name = \"Big\"\nid = \"{SUB}\"\ntenant = \"source\"\nservice_admin = \"owner@example.com\"\n\n"));
    for i in 0..USERS {
        for role in [
            "Owner",
            "Contributor",
            "Reader",
            "User Access Administrator",
        ] {
            w.push_str(&format!("  [[subscriptions.role_assignments]]\n  principal = \"u{i}@source.onmicrosoft.com\"\n  role = \"{role}\"\n  scope = \"\"\n\n"));
        }
    }
    w
}

fn tenantry(_db_args: &[String]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tenantry"));
    c.env_remove("TENANTRY_FAULT_PAUSE_BEFORE_COMMIT_MS")
        .env("TENANTRY_LOG", "warn,sqlx=error");
    c
}

async fn open(db_args: &[String], dir: &std::path::Path) -> Store {
    match db_args.iter().position(|a| a == "--database-url") {
        Some(i) => Store::open(&db_args[i + 1]).await.unwrap(),
        None => Store::open_sqlite_file(&dir.join("tenantry.db"))
            .await
            .unwrap(),
    }
}

#[tokio::test]
async fn killed_during_a_large_change_of_directory_keeps_the_old_state() {
    let dir = tenantry_store::testing::TempDir::new("tenantry-crash").unwrap();
    let world = dir.path().join("large.toml");
    std::fs::write(&world, large_world()).unwrap();
    let pg = fresh_pg_database(&pg_admin_url()).await.unwrap();
    let sqlite_dir = dir.path().join("sqlite");
    let backends: Vec<Vec<String>> = vec![
        vec!["--data".into(), sqlite_dir.display().to_string()],
        vec![
            "--data".into(),
            dir.path().join("pgdata").display().to_string(),
            "--database-url".into(),
            pg,
        ],
    ];
    let sub: SubscriptionId = SUB.parse().unwrap();
    for db in backends {
        let status = tenantry(&db)
            .args(["world", "apply"])
            .arg(&world)
            .args(&db)
            .status()
            .unwrap();
        assert!(status.success(), "world apply");
        let data_dir = std::path::PathBuf::from(&db[1]);
        let store = open(&db, &data_dir).await;
        let (before, revision) = store.load_world().await.unwrap();
        assert_eq!(before.subscription(sub).unwrap().assignments.len(), 4000);
        store.close().await;

        // Start the change, wait until its transaction is written, then kill the process.
        let mut child = tenantry(&db)
            .args(["change-directory", SUB, "destination"])
            .args(&db)
            .env("TENANTRY_FAULT_PAUSE_BEFORE_COMMIT_MS", "60000")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut paused = false;
        for line in BufReader::new(stderr).lines() {
            if line.unwrap().contains("pausing") {
                paused = true;
                break;
            }
        }
        assert!(paused, "the change reached its commit point");
        child.kill().unwrap(); // SIGKILL: no chance to clean up
        child.wait().unwrap();

        let store = open(&db, &data_dir).await;
        let (after, after_revision) = store.load_world().await.unwrap();
        assert_eq!(after_revision, revision, "nothing was committed");
        assert!(after == before, "the complete old state is there");
        assert_eq!(
            after.subscription(sub).unwrap().subscription.tenant,
            before.subscription(sub).unwrap().subscription.tenant
        );
        store.close().await;

        // And the same change completes when nothing kills it.
        let status = tenantry(&db)
            .args(["change-directory", SUB, "destination"])
            .args(&db)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        let store = open(&db, &data_dir).await;
        let (done, _) = store.load_world().await.unwrap();
        let moved = done.subscription(sub).unwrap();
        assert_eq!(
            done.tenant(moved.subscription.tenant).unwrap().tenant.name,
            "destination"
        );
        assert!(moved.assignments.is_empty());
        store.close().await;
    }
}
