//! How cost grows with the world: 10k, 100k and 1M role assignments (with 1k, 10k and 100k users), each
//! figure printed next to its goal, on SQLite and — when TENANTRY_TEST_PG_URL is set, as
//! `scripts/pg.sh` exports it — PostgreSQL (a fresh database per run, dropped afterwards).
//!
//! The world: one tenant, its users, ten groups, and subscriptions of ten resource groups and 4,000
//! role assignments each (250 of them at 1M), spread over the subscription's scope and its groups'
//! scopes, four built-in roles, a few to groups. The `tenantry` binary of this build (release, under
//! `cargo bench`) runs as a process, as an operator runs it:
//! - `world apply`: wall time, rows/s (assignments and users), CPU time, peak RSS (the child's
//!   `ru_maxrss`, from `wait4`);
//! - `serve` on that data: time from start until `/readyz` answers 200, and the steady RSS (`VmRSS`)
//!   a few seconds after;
//! - `world export`: time and size of the file.
//!
//! Bytes per user and per assignment come from differences of steady RSS between sizes: a world with
//! the users alone (SQLite) gives the users' share, the full world's growth beyond it the assignments'.
//!
//! Run: `source scripts/pg.sh && pg_start && cargo bench -p tenantry --bench scale; pg_stop`
//! (`-- 10k`, `-- 100k` or `-- 1m` runs one size; `-- sqlite` or `-- postgres` one database).

// A bench: a panic is a failed run with its message, which is what these unwraps want.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// A bench is built with every dependency of its package, normal and dev, and uses a few of them:
// `unused_crate_dependencies` holds on the library, the binary and the test binaries instead.
#![allow(unused_crate_dependencies)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Role assignments of a subscription at the larger sizes, as in the measured world.
const PER_SUBSCRIPTION: usize = 4_000;
const RESOURCE_GROUPS: usize = 10;
const GROUPS: usize = 10;
const ROLES: [&str; 4] = [
    "Owner",
    "Contributor",
    "Reader",
    "User Access Administrator",
];
/// How long `serve` runs after it is ready before its resident set is read.
const SETTLE: Duration = Duration::from_secs(3);

/// One size of world.
#[derive(Clone, Copy)]
struct Size {
    label: &'static str,
    assignments: usize,
    users: usize,
}

const SIZES: [Size; 3] = [
    Size {
        label: "10k",
        assignments: 10_000,
        users: 1_000,
    },
    Size {
        label: "100k",
        assignments: 100_000,
        users: 10_000,
    },
    Size {
        label: "1m",
        assignments: 1_000_000,
        users: 100_000,
    },
];

impl Size {
    /// Enough for the assignments, at most 4,000 each (Azure's limit per subscription).
    fn subscriptions(&self) -> usize {
        self.assignments.div_ceil(PER_SUBSCRIPTION)
    }
}

/// Writes the world file of `size` to `path` (without role assignments when `with_assignments` is
/// false: the users' share of memory); returns how many assignment rows it holds.
fn write_world(path: &Path, size: Size, hash: &str, with_assignments: bool) -> usize {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(
        w,
        "[[personal_accounts]]\nemail = \"owner@example.com\"\npassword_hash = \"{hash}\"\n\n[[tenants]]\nname = \"scale\"\n"
    )
    .unwrap();
    for i in 0..size.users {
        writeln!(
            w,
            "  [[tenants.users]]\n  user_name = \"u{i}\"\n  password_hash = \"{hash}\"\n"
        )
        .unwrap();
    }
    // Ten groups of 100 members each.
    for g in 0..GROUPS {
        write!(
            w,
            "  [[tenants.groups]]\n  display_name = \"g{g}\"\n  members = ["
        )
        .unwrap();
        for m in 0..100.min(size.users) {
            write!(
                w,
                "\"u{}@scale.onmicrosoft.com\", ",
                (g * 100 + m) % size.users
            )
            .unwrap();
        }
        writeln!(w, "]\n").unwrap();
    }
    let subscriptions = size.subscriptions();
    let per = size.assignments / subscriptions;
    // Each (principal, role, scope) once: scopes cycle fastest, then roles, then users.
    let combos = (RESOURCE_GROUPS + 1) * ROLES.len();
    let users_per_subscription = per.div_ceil(combos);
    let mut rows = 0;
    for s in 0..subscriptions {
        writeln!(
            w,
            "[[subscriptions]]\ndisplay_name = \"s{s}\"\nid = \"5ca1e000-0000-4000-8000-{s:012}\"\ntenant = \"scale\"\nservice_admin = \"owner@example.com\"\n"
        )
        .unwrap();
        let groups = |w: &mut std::io::BufWriter<std::fs::File>| {
            for g in 0..RESOURCE_GROUPS {
                writeln!(
                    w,
                    "  [[subscriptions.resource_groups]]\n  name = \"rg{g}\"\n  location = \"westeurope\"\n"
                )
                .unwrap();
            }
        };
        if !with_assignments {
            groups(&mut w);
            continue;
        }
        // The subscription's own keys come before its tables (the resource groups).
        writeln!(w, "role_assignments = [").unwrap();
        for k in 0..per {
            let scope = k % (RESOURCE_GROUPS + 1);
            let role = ROLES[(k / (RESOURCE_GROUPS + 1)) % ROLES.len()];
            let scope = if scope == 0 {
                String::new()
            } else {
                format!(", scope = \"resourceGroups/rg{}\"", scope - 1)
            };
            // The first assignments of each subscription go to the groups.
            let principal = if k < GROUPS {
                format!("group:g{}", k % GROUPS)
            } else {
                let u = (s * users_per_subscription + k / combos) % size.users;
                format!("u{u}@scale.onmicrosoft.com")
            };
            writeln!(
                w,
                "  {{ principal = \"{principal}\", role = \"{role}\"{scope} }},"
            )
            .unwrap();
            rows += 1;
        }
        writeln!(w, "]\n").unwrap();
        groups(&mut w);
    }
    w.flush().unwrap();
    rows
}

/// A database of one run: the data directory (which holds the SQLite file, the CA and the key), and a
/// PostgreSQL URL when on PostgreSQL.
struct Db {
    data: PathBuf,
    url: Option<String>,
}

impl Db {
    async fn fresh(dir: &Path, name: &str, pg_admin: Option<&str>) -> Db {
        let data = dir.join(name);
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data).unwrap();
        let url = match pg_admin {
            Some(admin) => Some(
                tenantry_store::testing::fresh_pg_database(admin)
                    .await
                    .unwrap(),
            ),
            None => None,
        };
        Db { data, url }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_tenantry"));
        c.args(args).arg("--data").arg(&self.data);
        if let Some(url) = &self.url {
            c.arg("--database-url").arg(url);
        }
        c.env("TENANTRY_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        c
    }

    /// Removes the data directory and drops the PostgreSQL database: a 1M world is large.
    async fn remove(self, pg_admin: Option<&str>) {
        let _ = std::fs::remove_dir_all(&self.data);
        if let (Some(url), Some(admin)) = (self.url, pg_admin) {
            use sqlx::Connection;
            let name = url
                .rsplit('/')
                .next()
                .unwrap()
                .split('?')
                .next()
                .unwrap()
                .to_string();
            let mut c = sqlx::AnyConnection::connect(admin).await.unwrap();
            // The name is ours (letters and digits), made by fresh_pg_database.
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut c)
            .await
            .unwrap();
        }
    }
}

/// A finished child process: its wall time and peak resident set.
struct Finished {
    secs: f64,
    /// User and system CPU time: on a loaded machine, what the work cost beside how long it waited.
    cpu_secs: f64,
    peak_rss_mb: f64,
    stderr: String,
}

/// Runs `c` to its end, waiting with `wait4` for its resource usage; panics if it fails.
// The child is waited for, with wait4 rather than `Child::wait` (which cannot return the rusage).
#[allow(clippy::zombie_processes)]
fn run_measured(mut c: Command) -> Finished {
    let started = Instant::now();
    let child = c.stderr(Stdio::piped()).spawn().unwrap();
    let pid = child.id() as libc::pid_t;
    let mut stderr = child.stderr.unwrap();
    // Read standard error on a thread, so a chatty child never blocks on a full pipe.
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value of a plain C struct that wait4 fills in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, not yet waited for; both pointers are to live locals.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(r, pid, "wait4: {}", std::io::Error::last_os_error());
    let stderr = reader.join().unwrap();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{c:?} failed ({status}): {stderr}"
    );
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Finished {
        secs,
        cpu_secs: tv(usage.ru_utime) + tv(usage.ru_stime),
        // ru_maxrss is in KiB on Linux.
        peak_rss_mb: usage.ru_maxrss as f64 * 1024.0 / 1e6,
        stderr,
    }
}

/// The resident set of process `pid` now (`VmRSS`), in MB.
fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb * 1024.0 / 1e6)
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Starts `serve` on `db`, waits until `/readyz` answers 200 and then [`SETTLE`]; the seconds until
/// ready and the steady resident set, in MB. The server is stopped before returning.
async fn serve(db: &Db) -> (f64, f64) {
    let port = free_port();
    let mut c = db.command(&["serve", "--listen", &format!("127.0.0.1:{port}")]);
    c.stderr(Stdio::null());
    let started = Instant::now();
    let mut child = c.spawn().unwrap();
    // The server makes its CA on first start: trust any certificate rather than wait for the file.
    let client = reqwest::Client::builder()
        .tls_danger_accept_invalid_certs(true)
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let url = format!("https://127.0.0.1:{port}/readyz");
    let ready = loop {
        if let Ok(r) = client.get(&url).send().await
            && r.status() == reqwest::StatusCode::OK
        {
            break started.elapsed().as_secs_f64();
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("serve exited before it was ready: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "serve not ready after 10 minutes"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    tokio::time::sleep(SETTLE).await;
    let rss = rss_mb(child.id());
    // SAFETY: sending SIGTERM to our own child, which has not been waited for yet.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let _ = child.wait();
    (ready, rss)
}

/// One printed figure.
struct Row {
    backend: &'static str,
    size: &'static str,
    figure: String,
    value: String,
    goal: String,
    /// `None`: no goal at this size.
    met: Option<bool>,
}

#[derive(Default)]
struct Table {
    rows: Vec<Row>,
}

impl Table {
    fn push(
        &mut self,
        backend: &'static str,
        size: Size,
        figure: &str,
        value: String,
        goal: &str,
        met: Option<bool>,
    ) {
        let row = Row {
            backend,
            size: size.label,
            figure: figure.to_string(),
            value,
            goal: goal.to_string(),
            met,
        };
        // Printed as they come too, so a long run shows where it is.
        eprintln!(
            "  {:<8} {:<5} {:<36} {:>16}",
            row.backend, row.size, row.figure, row.value
        );
        self.rows.push(row);
    }

    fn print(&self) {
        println!(
            "\n{:<8} {:<5} {:<36} {:>16}  {:<22} ",
            "database", "size", "figure", "value", "goal"
        );
        println!("{}", "-".repeat(96));
        for r in &self.rows {
            let verdict = match r.met {
                Some(true) => "met",
                Some(false) => "MISSED",
                None => "",
            };
            println!(
                "{:<8} {:<5} {:<36} {:>16}  {:<22} {verdict}",
                r.backend, r.size, r.figure, r.value, r.goal
            );
        }
    }
}

/// What one size measured on one database, for the growth figures.
struct Measured {
    size: Size,
    steady_rss_mb: f64,
}

/// Goals of the issue, at 1M assignments (the smaller sizes are shown against them for the trend).
const GOAL_ROWS_PER_SEC: f64 = 100_000.0;
const GOAL_APPLY_PEAK_MB: f64 = 1_500.0;
const GOAL_READY_SECS: f64 = 2.0;
const GOAL_STEADY_MB: f64 = 300.0;
const GOAL_EXPORT_SECS: f64 = 10.0;

async fn measure(
    table: &mut Table,
    backend: &'static str,
    size: Size,
    file: &Path,
    rows: usize,
    dir: &Path,
    pg_admin: Option<&str>,
) -> Measured {
    let at_1m = size.assignments >= 1_000_000;
    let goal = |ok: bool| at_1m.then_some(ok);
    let db = Db::fresh(dir, "db", pg_admin).await;
    let mut row = |figure: &str, value: String, goal: &str, met: Option<bool>| {
        table.push(backend, size, figure, value, goal, met)
    };

    let apply = run_measured(db.command(&["world", "apply", file.to_str().unwrap()]));
    // Rows as the issue counts them: the assignments and the users.
    let rate = (rows + size.users) as f64 / apply.secs;
    row(
        "world apply: time",
        format!("{:.2} s", apply.secs),
        "",
        None,
    );
    row(
        "world apply: rows/s (assignments+users)",
        format!("{rate:.0}"),
        "≥ 100,000 at 1M",
        goal(rate >= GOAL_ROWS_PER_SEC),
    );
    row(
        "world apply: CPU time (user+system)",
        format!("{:.2} s", apply.cpu_secs),
        "",
        None,
    );
    row(
        "world apply: peak RSS",
        format!("{:.0} MB", apply.peak_rss_mb),
        "≤ 1,500 MB at 1M",
        goal(apply.peak_rss_mb <= GOAL_APPLY_PEAK_MB),
    );
    if let Some(summary) = apply.stderr.lines().last() {
        eprintln!("           ({summary})");
    }

    let (ready, steady) = serve(&db).await;
    row(
        "serve: ready (/readyz 200)",
        format!("{ready:.2} s"),
        "≤ 2 s at 1M",
        goal(ready <= GOAL_READY_SECS),
    );
    row(
        "serve: steady RSS",
        format!("{steady:.0} MB"),
        "≤ 300 MB at 1M",
        goal(steady <= GOAL_STEADY_MB),
    );

    // Serving figures at this size (authorization checks, a change of directory) go here, on `db`.

    let exported = dir.join("export.toml");
    let export = run_measured(db.command(&["world", "export", "-o", exported.to_str().unwrap()]));
    let bytes = std::fs::metadata(&exported).map(|m| m.len()).unwrap_or(0);
    let _ = std::fs::remove_file(&exported);
    row(
        "world export: time",
        format!("{:.2} s", export.secs),
        "≤ 10 s at 1M",
        goal(export.secs <= GOAL_EXPORT_SECS),
    );
    row(
        "world export: size",
        format!("{:.1} MB", bytes as f64 / 1e6),
        "",
        None,
    );
    row(
        "world export: peak RSS",
        format!("{:.0} MB", export.peak_rss_mb),
        "",
        None,
    );
    db.remove(pg_admin).await;
    Measured {
        size,
        steady_rss_mb: steady,
    }
}

/// The load average now, to print beside the figures: this machine is shared.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let sizes: Vec<Size> = SIZES
        .into_iter()
        .filter(|s| {
            !args.iter().any(|a| SIZES.iter().any(|x| x.label == a))
                || args.contains(&s.label.into())
        })
        .collect();
    let pg = tenantry_store::testing::try_pg_admin_url();
    let mut backends: Vec<(&'static str, Option<&str>)> = vec![("sqlite", None)];
    match pg.as_deref() {
        Some(url) => backends.push(("postgres", Some(url))),
        None => println!(
            "postgres: skipped (set TENANTRY_TEST_PG_URL, e.g. `source scripts/pg.sh && pg_start`)"
        ),
    }
    if args.iter().any(|a| a == "sqlite" || a == "postgres") {
        backends.retain(|(b, _)| args.iter().any(|a| a == b));
    }
    let hash = tenantry_service::crypto::passwords::hash_password("Bench-Password-1!");
    let dir = tenantry_store::testing::TempDir::new("tenantry-scale").unwrap();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "scale: {cpus} CPUs, load average at start {}; binary {}",
        load(),
        env!("CARGO_BIN_EXE_tenantry")
    );

    let mut table = Table::default();
    let mut users_only: Vec<Measured> = Vec::new();
    let mut full: Vec<(&'static str, Measured)> = Vec::new();
    for size in &sizes {
        let file = dir.path().join(format!("world-{}.toml", size.label));
        let t = Instant::now();
        let rows = write_world(&file, *size, &hash, true);
        eprintln!(
            "{}: {rows} assignments, {} users, a world file of {:.0} MB written in {:.1} s (load {})",
            size.label,
            size.users,
            std::fs::metadata(&file).unwrap().len() as f64 / 1e6,
            t.elapsed().as_secs_f64(),
            load()
        );
        for (backend, pg) in &backends {
            let m = measure(&mut table, backend, *size, &file, rows, dir.path(), *pg).await;
            full.push((backend, m));
        }
        let _ = std::fs::remove_file(&file);
        // The users alone (and the subscriptions, groups and resource groups), on SQLite: memory does
        // not depend on the database.
        let file = dir.path().join(format!("users-{}.toml", size.label));
        write_world(&file, *size, &hash, false);
        let db = Db::fresh(dir.path(), "users", None).await;
        run_measured(db.command(&["world", "apply", file.to_str().unwrap()]));
        let (_, steady) = serve(&db).await;
        db.remove(None).await;
        let _ = std::fs::remove_file(&file);
        table.push(
            "sqlite",
            *size,
            "serve: steady RSS without assignments",
            format!("{steady:.0} MB"),
            "",
            None,
        );
        users_only.push(Measured {
            size: *size,
            steady_rss_mb: steady,
        });
    }

    // Growth: between consecutive sizes, what one more user and one more assignment cost in memory.
    for pair in users_only.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let per_user =
            (b.steady_rss_mb - a.steady_rss_mb) * 1e6 / (b.size.users - a.size.users) as f64;
        table.push(
            "sqlite",
            b.size,
            &format!("bytes per user (from {})", a.size.label),
            format!("{per_user:.0} B"),
            "",
            None,
        );
        for backend in backends.iter().map(|(b, _)| *b) {
            let of = |s: &str| {
                full.iter()
                    .find(|(x, m)| *x == backend && m.size.label == s)
                    .map(|(_, m)| m.steady_rss_mb)
            };
            let Some((fa, fb)) = of(a.size.label).zip(of(b.size.label)) else {
                continue;
            };
            let assignments = (fb - fa) - (b.steady_rss_mb - a.steady_rss_mb);
            let per = assignments * 1e6 / (b.size.assignments - a.size.assignments) as f64;
            table.push(
                backend,
                b.size,
                &format!("bytes per assignment (from {})", a.size.label),
                format!("{per:.0} B"),
                "",
                None,
            );
        }
    }
    table.print();
    println!("load average at the end: {}", load());
}
