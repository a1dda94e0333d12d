//! End-to-end figures through the service (rule → store → memory), printed, on SQLite and — when
//! TENANTRY_TEST_PG_URL is set, as `scripts/pg.sh` exports it — PostgreSQL:
//! - world apply of 100k role assignments (rows/s, goal ≥ 10,000);
//! - a change of directory removing a subscription's 4,000 role assignments (goal ≤ 50 ms).
//!
//! Run: `source scripts/pg.sh && pg_start && cargo bench -p tenantry --bench core; pg_stop`

// A bench: a panic is a failed run with its message, which is what these unwraps want.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// A bench is built with every dependency of its package, normal and dev, and uses a few of them:
// `unused_crate_dependencies` holds on the library, the binary and the test binaries instead.
#![allow(unused_crate_dependencies)]

/// The allocator of the `tenantry` binary, so the server measured here is the one that ships.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Instant;
use tenantry_service::Service;
use tenantry_service::domain::Actor;
use tenantry_store::Store;

const USERS: usize = 1000;
const SUBSCRIPTIONS: usize = 25;
const ROLES: [&str; 4] = [
    "Owner",
    "Contributor",
    "Reader",
    "User Access Administrator",
];

/// 25 subscriptions × 4,000 assignments (4 roles × 1,000 users): 100k rows.
fn world(hash: &str) -> String {
    let mut w = format!(
        "[[personal_accounts]]\nemail = \"owner@example.com\"\npassword_hash = \"{hash}\"\n\n[[tenants]]\nname = \"source\"\n\n"
    );
    for i in 0..USERS {
        w.push_str(&format!(
            "  [[tenants.users]]\n  user_name = \"u{i}\"\n  password_hash = \"{hash}\"\n\n"
        ));
    }
    w.push_str("[[tenants]]\nname = \"destination\"\n\n");
    for s in 0..SUBSCRIPTIONS {
        w.push_str(&format!("[[subscriptions]]\ndisplay_name = \"s{s}\"\nid = \"5b5c0000-0000-4000-8000-{s:012}\"\ntenant = \"source\"\nservice_admin = \"owner@example.com\"\n\n"));
        for i in 0..USERS {
            for role in ROLES {
                w.push_str(&format!("  [[subscriptions.role_assignments]]\n  principal = \"u{i}@source.onmicrosoft.com\"\n  role = \"{role}\"\n  scope = \"\"\n\n"));
            }
        }
    }
    w
}

async fn run(label: &str, store: Store, text: &str) {
    let svc = Service::open(store).await.expect("open");
    let rows = SUBSCRIPTIONS * USERS * ROLES.len();
    let t = Instant::now();
    svc.apply_world(text, &mut |_, _| {}).await.expect("apply");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{label}: world apply of {rows} role assignments (+{USERS} users): {secs:.2} s, {:.0} assignment rows/s",
        rows as f64 / secs
    );

    // Three subscriptions, one after the other: each change is measured alone, end to end.
    let destination = svc.read(|w| w.find_tenant("destination").unwrap().tenant.id);
    let mut times = Vec::new();
    for s in 0..3 {
        let sub = format!("5b5c0000-0000-4000-8000-{s:012}").parse().unwrap();
        let t = Instant::now();
        svc.change_directory(&Actor::Operator, sub, destination, None, vec![])
            .await
            .expect("change directory");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{label}: change of directory removing 4000 role assignments: median {:.1} ms (of {:.1}, {:.1}, {:.1}; goal ≤ 50 ms)",
        times[1], times[0], times[1], times[2]
    );
}

#[tokio::main]
async fn main() {
    let hash = tenantry_service::crypto::passwords::hash_password("Bench-Password-1!");
    let text = world(&hash);
    let dir = tenantry_store::testing::TempDir::new("tenantry-bench").unwrap();
    run(
        "sqlite",
        Store::open_sqlite_file(&dir.path().join("bench.db"))
            .await
            .unwrap(),
        &text,
    )
    .await;
    match tenantry_store::testing::try_pg_admin_url() {
        Some(admin) => {
            let url = tenantry_store::testing::fresh_pg_database(&admin)
                .await
                .unwrap();
            run("postgres", Store::open(&url).await.unwrap(), &text).await;
        }
        None => println!(
            "postgres: skipped (set TENANTRY_TEST_PG_URL, e.g. `source scripts/pg.sh && pg_start`)"
        ),
    }
}
