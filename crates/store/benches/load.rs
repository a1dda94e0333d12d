//! How long loading the whole world takes, on an existing database: the start-up of `tenantry serve`
//! without the server around it. Give the database as an SQLite file or a PostgreSQL URL:
//!
//!   cargo bench -p tenantry-store --bench load -- tenantry-data/tenantry.db postgres://…/db
//!
//! Goal: ≤ 2 s at 1M role assignments and 100k users (issue 16's world), on either database.

// A bench: a panic is a failed run with its message, which is what these unwraps want.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// A bench is built with every dependency of its package, normal and dev, and uses a few of them:
// `unused_crate_dependencies` holds on the library, the binary and the test binaries instead.
#![allow(unused_crate_dependencies)]

use std::time::Instant;
use tenantry_store::Store;

/// The resident set in MB, where Linux says (`/proc/self/statm`, in 4 KiB pages).
fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |pages| pages * 4096.0 / 1e6)
}

/// CPU seconds of the whole process (user and system), where Linux says.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

#[tokio::main]
async fn main() {
    let targets: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    for target in targets {
        let store = if target.starts_with("postgres") {
            Store::open(&target).await.expect("open PostgreSQL")
        } else {
            Store::open_sqlite_file(std::path::Path::new(&target))
                .await
                .expect("open SQLite")
        };
        for round in 0..3 {
            let cpu = cpu_seconds();
            let t = Instant::now();
            let (world, _) = store
                .load_world_reporting(&mut |phase, rows| {
                    eprintln!("  {:.2} s: {phase} {rows}", t.elapsed().as_secs_f64())
                })
                .await
                .expect("load");
            let secs = t.elapsed().as_secs_f64();
            let cpu = cpu.zip(cpu_seconds()).map(|(a, b)| b - a).unwrap_or(0.0);
            let assignments: usize = world.subscriptions().map(|s| s.assignments.len()).sum();
            let users: usize = world.tenants().map(|t| t.users.len()).sum();
            println!(
                "load {target} (round {round}): {assignments} assignments, {users} users in {secs:.2} s ({cpu:.2} s of CPU; goal ≤ 2 s); resident set {:.0} MB with the world",
                rss_mb()
            );
            drop(world);
        }
    }
}
