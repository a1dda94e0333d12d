//! End-to-end figures through the service (rule → store → memory), printed, on SQLite and — when
//! TENANTRY_TEST_PG_URL is set, as `scripts/pg.sh` exports it — PostgreSQL:
//! - world apply of 100k role assignments (rows/s, goal ≥ 10,000);
//! - a change of directory removing a subscription's 4,000 role assignments (goal ≤ 50 ms);
//! - adding a member to a group of 10,000 that holds a role, until the member is authorized by it (goal
//!   ≤ 10 ms on SQLite), and until another instance on the same database authorizes it too;
//! - world apply of 20k groups with 1M memberships (rows/s, goal ≥ 20,000);
//! - moving a subscription between two management groups with 4,000 role assignments each (goal ≤ 20
//!   ms).
//!
//! Run: `source scripts/pg.sh && pg_start && cargo bench -p tenantry --bench core; pg_stop`
//! (`-- assignments`, `-- members`, `-- groups` or `-- move` runs one kind of figure).

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

/// The users `u0`…`u999` of a directory entry, with the same password.
fn users(hash: &str) -> String {
    (0..USERS)
        .map(|i| {
            format!("  [[tenants.users]]\n  user_name = \"u{i}\"\n  password_hash = \"{hash}\"\n\n")
        })
        .collect()
}

/// 25 subscriptions × 4,000 assignments (4 roles × 1,000 users): 100k rows.
fn world(hash: &str) -> String {
    let mut w = format!(
        "[[personal_accounts]]\nemail = \"owner@example.com\"\npassword_hash = \"{hash}\"\n\n[[tenants]]\nname = \"source\"\n\n"
    );
    w.push_str(&users(hash));
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

const TEAM: usize = 10_000;
const JOINERS: usize = 20;

/// A directory "team" of 10,020 members, the group "Big" of the first 10,000, Contributor on a
/// subscription.
fn team_world(hash: &str) -> String {
    let mut w = format!(
        "[[personal_accounts]]\nemail = \"owner@example.com\"\npassword_hash = \"{hash}\"\n\n[[tenants]]\nname = \"team\"\n\n"
    );
    for i in 0..TEAM + JOINERS {
        w.push_str(&format!(
            "  [[tenants.users]]\n  user_name = \"u{i}\"\n  password_hash = \"{hash}\"\n\n"
        ));
    }
    w.push_str("  [[tenants.groups]]\n  display_name = \"Big\"\n  members = [\n");
    for i in 0..TEAM {
        w.push_str(&format!("    \"u{i}@team.onmicrosoft.com\",\n"));
    }
    w.push_str("  ]\n\n[[subscriptions]]\ndisplay_name = \"Team\"\ntenant = \"team\"\nservice_admin = \"owner@example.com\"\nrole_assignments = [\n  { principal = \"group:Big\", role = \"Contributor\" },\n]\n");
    w
}

/// Adds members to the group of 10,000 one at a time, each timed until the service authorizes the new
/// member through the group; and, with a second instance following the database, until it does too.
async fn run_members(label: &str, a: Service, b: Service, text: &str) {
    use tenantry_service::domain::action::{Action, names};
    use tenantry_service::domain::signin::{Authority, subject};
    use tenantry_service::domain::{Identity, Scope};
    a.apply_world(text, &mut |_, _| {}).await.expect("apply");
    b.sync().await.expect("sync");
    let _follower = b.spawn_follower();
    let (tenant, group, sub) = a.read(|w| {
        let t = w.find_tenant("team").unwrap();
        let sub = w.subscriptions().next().unwrap().subscription.id;
        (t.tenant.id, t.group_by_name("Big").unwrap().id, sub)
    });
    let write = Action::new(names::RESOURCE_GROUP_WRITE);
    let scope = Scope::subscription(sub);
    let (mut here, mut there) = (Vec::new(), Vec::new());
    for i in TEAM..TEAM + JOINERS {
        let actor = a.read(|w| {
            let u = w
                .member_by_upn(&format!("u{i}@team.onmicrosoft.com"))
                .unwrap();
            let identity = Identity::Organizational { tenant, user: u.id };
            subject(w, identity, Authority::Tenant(tenant))
                .unwrap()
                .actor()
        });
        assert!(!a.read(|w| w.authorize(&actor, &write, &scope)));
        let t = Instant::now();
        a.add_group_member(&Actor::Operator, tenant, group, actor.object_id().unwrap())
            .await
            .expect("add member");
        assert!(a.read(|w| w.authorize(&actor, &write, &scope)));
        here.push(t.elapsed().as_secs_f64() * 1000.0);
        while !b.read(|w| w.authorize(&actor, &write, &scope)) {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        there.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let summary = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        format!(
            "median {:.1} ms, max {:.1} ms",
            v[v.len() / 2],
            v[v.len() - 1]
        )
    };
    println!(
        "{label}: a member added to a group of {TEAM} and authorized through it: {} ({JOINERS} members; goal ≤ 10 ms on SQLite); on a second instance following the database: {}",
        summary(&mut here),
        summary(&mut there)
    );
}

const GROUPS: usize = 20_000;
const GROUP_USERS: usize = 50_000;
/// Members of each group that are users; the first 16,000 groups also hold one nested group.
const USERS_PER_GROUP: usize = 50;
const NESTED_STRIDE: usize = 4_000;

/// A directory "big" of 50,000 members and 20,000 groups of 50 of them each, the first 16,000 groups
/// holding one more group each (nesting five deep): about a million memberships.
fn groups_world(hash: &str) -> (String, usize) {
    let mut w = String::from("[[tenants]]\nname = \"big\"\n\n");
    for i in 0..GROUP_USERS {
        w.push_str(&format!(
            "  [[tenants.users]]\n  user_name = \"u{i}\"\n  password_hash = \"{hash}\"\n\n"
        ));
    }
    let mut memberships = 0;
    let mut next: u64 = 0x9e37_79b9_7f4a_7c15;
    for g in 0..GROUPS {
        w.push_str(&format!(
            "  [[tenants.groups]]\n  display_name = \"g{g}\"\n  members = ["
        ));
        next ^= next << 13;
        next ^= next >> 7;
        next ^= next << 17;
        let start = (next % GROUP_USERS as u64) as usize;
        for m in 0..USERS_PER_GROUP {
            // Distinct within the group: a stride through the users from a random start.
            let u = (start + m * 997) % GROUP_USERS;
            w.push_str(&format!("\"u{u}@big.onmicrosoft.com\", "));
            memberships += 1;
        }
        if g + NESTED_STRIDE < GROUPS {
            w.push_str(&format!("\"group:g{}\"", g + NESTED_STRIDE));
            memberships += 1;
        }
        w.push_str("]\n\n");
    }
    (w, memberships)
}

/// The CPU time this process has used, all threads (the database driver's included), in seconds, where
/// Linux says (`/proc/self/stat`): on a shared machine, what the work cost beside how long it waited.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis):
    // utime and stime are the 12th and 13th, in clock ticks (100 per second on Linux).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

async fn run_groups(label: &str, svc: Service, text: &str, memberships: usize) {
    let rows = memberships + GROUPS + GROUP_USERS;
    let cpu = cpu_seconds();
    let t = Instant::now();
    let writes = svc.apply_world(text, &mut |_, _| {}).await.expect("apply");
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu.zip(cpu_seconds()).map(|(a, b)| b - a);
    let held = svc.read(|w| {
        w.find_tenant("big")
            .map(|t| t.group_members.len())
            .unwrap_or(0)
    });
    assert_eq!(held, memberships);
    let busy = cpu
        .map(|c| format!(", {c:.1} s of CPU in this process"))
        .unwrap_or_default();
    println!(
        "{label}: world apply of {GROUPS} groups with {memberships} memberships (+{GROUP_USERS} users, {writes} mutations): {secs:.1} s{busy}, {:.0} rows/s ({:.0} group and membership rows/s; goal ≥ 20,000)",
        rows as f64 / secs,
        (memberships + GROUPS) as f64 / secs
    );
}

/// A directory "h" of 1,000 members and an administrator (Owner at the tenant root group), two
/// management groups "left" and "right" under the root, each with seven groups below it, and a
/// subscription under "left". Azure allows 500 role assignments at a group: each side holds 4,000 (4
/// roles × 1,000 users), 500 at each of its eight groups.
const SIDES: [&str; 2] = ["left", "right"];
const GROUPS_PER_SIDE: usize = 8;

fn move_world(hash: &str) -> String {
    let mut w = format!(
        "[[personal_accounts]]\nemail = \"owner@example.com\"\npassword_hash = \"{hash}\"\n\n[[tenants]]\nname = \"h\"\n\n  [[tenants.users]]\n  user_name = \"admin\"\n  password_hash = \"{hash}\"\n\n"
    );
    w.push_str(&users(hash));
    w.push_str("  [[tenants.management_groups]]\n  name = \"left\"\n  subscriptions = [\"Moved\"]\n\n  [[tenants.management_groups]]\n  name = \"right\"\n\n");
    for side in SIDES {
        for k in 1..GROUPS_PER_SIDE {
            w.push_str(&format!("  [[tenants.management_groups]]\n  name = \"{side}-{k}\"\n  parent = \"{side}\"\n\n"));
        }
    }
    w.push_str("[[subscriptions]]\ndisplay_name = \"Moved\"\ntenant = \"h\"\nservice_admin = \"owner@example.com\"\n\n");
    w.push_str("[[management_group_role_assignments]]\ntenant = \"h\"\nmanagement_group = \"\"\nprincipal = \"admin@h.onmicrosoft.com\"\nrole = \"Owner\"\n\n");
    for side in SIDES {
        for i in 0..USERS {
            // 125 users (500 assignments) at each group of the side.
            let k = i / (USERS / GROUPS_PER_SIDE);
            let group = if k == 0 {
                side.to_string()
            } else {
                format!("{side}-{k}")
            };
            for role in ROLES {
                w.push_str(&format!("[[management_group_role_assignments]]\ntenant = \"h\"\nmanagement_group = \"{group}\"\nprincipal = \"u{i}@h.onmicrosoft.com\"\nrole = \"{role}\"\n\n"));
            }
        }
    }
    w
}

/// Moves the subscription from one group to the other and back, each move timed alone end to end (the
/// rule, the transaction, memory), as the administrator signed in to the directory; checks that the
/// inherited access followed it.
async fn run_move(label: &str, svc: Service, text: &str) {
    use tenantry_service::domain::action::{Action, names};
    use tenantry_service::domain::signin::{Authority, subject};
    use tenantry_service::domain::{Identity, Scope};
    svc.apply_world(text, &mut |_, _| {}).await.expect("apply");
    let (admin, sub) = svc.read(|w| {
        let t = w.find_tenant("h").unwrap();
        let tenant = t.tenant.id;
        let u = w.member_by_upn("admin@h.onmicrosoft.com").unwrap();
        let identity = Identity::Organizational { tenant, user: u.id };
        let admin = subject(w, identity, Authority::Tenant(tenant))
            .unwrap()
            .actor();
        (admin, w.subscriptions().next().unwrap().subscription.id)
    });
    let held = svc.read(|w| {
        w.find_tenant("h")
            .map(|t| t.all_group_assignments().count())
            .unwrap_or(0)
    });
    assert_eq!(held, 2 * USERS * ROLES.len() + 1);
    let read = Action::new(names::RESOURCE_GROUP_WRITE);
    let scope = Scope::subscription(sub);
    let mut times = Vec::new();
    for to in ["right", "left", "right", "left", "right"] {
        let t = Instant::now();
        svc.move_subscription_to_group(&admin, to, sub)
            .await
            .expect("move");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        let under = svc.read(|w| {
            let t = w.find_tenant("h").unwrap();
            t.subscription_parent(sub)
        });
        assert_eq!(under, to);
        // The admin's Owner at the root reaches it wherever it goes.
        assert!(svc.read(|w| w.authorize(&admin, &read, &scope)));
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{label}: moving a subscription between management groups with {} role assignments each side ({GROUPS_PER_SIDE} groups of 500): median {:.1} ms (of {}; goal ≤ 20 ms)",
        USERS * ROLES.len(),
        times[times.len() / 2],
        times
            .iter()
            .map(|t| format!("{t:.1}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// A fresh store of the backend `like` is on: a new SQLite file, or a new PostgreSQL database.
async fn fresh(dir: &tenantry_store::testing::TempDir, name: &str, pg: Option<&str>) -> Store {
    match pg {
        None => Store::open_sqlite_file(&dir.path().join(format!("{name}.db")))
            .await
            .unwrap(),
        Some(admin) => {
            let url = tenantry_store::testing::fresh_pg_database(admin)
                .await
                .unwrap();
            Store::open(&url).await.unwrap()
        }
    }
}

#[tokio::main]
async fn main() {
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let run_it = |kind: &str| wanted.is_empty() || wanted.iter().any(|w| w == kind);
    let hash = tenantry_service::crypto::passwords::hash_password("Bench-Password-1!");
    let dir = tenantry_store::testing::TempDir::new("tenantry-bench").unwrap();
    let pg = tenantry_store::testing::try_pg_admin_url();
    if pg.is_none() {
        println!(
            "postgres: skipped (set TENANTRY_TEST_PG_URL, e.g. `source scripts/pg.sh && pg_start`)"
        );
    }
    let backends: Vec<(&str, Option<&str>)> = std::iter::once(("sqlite", None))
        .chain(pg.as_deref().map(|url| ("postgres", Some(url))))
        .collect();
    if run_it("assignments") {
        let text = world(&hash);
        for (label, pg) in &backends {
            run(label, fresh(&dir, "assignments", *pg).await, &text).await;
        }
    }
    if run_it("members") {
        let text = team_world(&hash);
        for (label, pg) in &backends {
            let store = fresh(&dir, "members", *pg).await;
            let again = Store::open(store.url()).await.unwrap();
            let a = Service::open(store).await.expect("open");
            let b = Service::open(again).await.expect("open a second instance");
            run_members(label, a, b, &text).await;
        }
    }
    if run_it("move") {
        let text = move_world(&hash);
        for (label, pg) in &backends {
            let svc = Service::open(fresh(&dir, "move", *pg).await)
                .await
                .expect("open");
            run_move(label, svc, &text).await;
        }
    }
    if run_it("groups") {
        let t = Instant::now();
        let (text, memberships) = groups_world(&hash);
        eprintln!(
            "groups: a world file of {} MB written in {:.1} s",
            text.len() / 1_000_000,
            t.elapsed().as_secs_f64()
        );
        for (label, pg) in &backends {
            let svc = Service::open(fresh(&dir, "groups", *pg).await)
                .await
                .expect("open");
            run_groups(label, svc, &text, memberships).await;
        }
    }
}
