//! Authorized ARM reads per second over HTTPS, RS256 token verification included, printed against the
//! goal (≥ 15,000/s, p99 ≤ 5 ms with 64 concurrent keep-alive connections on 2 cores):
//! - `GET …/roleAssignments` of a subscription holding 4,000 assignments (the whole list, ~3.3 MB);
//! - the same, gzip-compressed (compressed once per revision, as the Azure CLI and the SDKs accept it);
//! - the same list filtered to one principal (`$filter=principalId eq '…'`), the request cost alone.
//!
//! On SQLite, and on PostgreSQL when TENANTRY_TEST_PG_URL is set (as `scripts/pg.sh` exports it).
//! Run: `source scripts/pg.sh && pg_start && cargo bench -p tenantry --bench arm_reads; pg_stop`
//! Optional: TENANTRY_BENCH_SECONDS (default 8) per measurement; TENANTRY_BENCH_ONLY=all|gzip|one runs one
//! of the measurements (to profile it alone).

// A bench: a panic is a failed run with its message, which is what these unwraps want.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// A bench is built with every dependency of its package, normal and dev, and uses a few of them:
// `unused_crate_dependencies` holds on the library, the binary and the test binaries instead.
#![allow(unused_crate_dependencies)]

/// The allocator of the `tenantry` binary, so the server measured here is the one that ships.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tenantry_service::Service;
use tenantry_service::domain::*;
use tenantry_store::Store;

#[path = "shared/wrk.rs"]
mod wrk;
use wrk::{Figures, measure_with_wrk};

const SUB: &str = "5b5c0000-0000-4000-8000-000000000001";
const TENANT: &str = "a11ce000-0000-4000-8000-000000000002";
const CI_CLIENT: &str = "c1000000-0000-4000-8000-000000000001";
const CONNECTIONS: usize = 64;
const ASSIGNMENTS: usize = 4000;

fn demo_world() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../worlds/demo.toml");
    std::fs::read_to_string(path).expect("worlds/demo.toml")
}

/// How many users hold the extra assignments (four each, as in a busy subscription).
const USERS: usize = 1000;

/// The demo world with its subscription filled to 4,000 assignments: 1,000 more users of its tenant,
/// each Reader on four groups, written in one change as a world apply would.
async fn prepare(store: Store) -> Service {
    let svc = Service::open(store).await.expect("open");
    svc.apply_world(&demo_world(), &mut |_, _| {})
        .await
        .expect("demo world");
    let sub: SubscriptionId = SUB.parse().unwrap();
    let tenant: TenantId = TENANT.parse().unwrap();
    let existing = svc.read(|w| w.subscription(sub).unwrap().assignments.len());
    let now = svc.now();
    let users: Vec<User> = (0..USERS)
        .map(|i| User {
            given_name: None,
            surname: None,
            id: ObjectId::new(),
            tenant,
            display_name: format!("Bench {i}"),
            enabled: true,
            kind: UserKind::Member {
                upn: format!("bench{i}@alicedefault.onmicrosoft.com"),
                mail: None,
                password_hash: "$argon2id$unused".into(),
            },
            created: now,
        })
        .collect();
    let assignments: Vec<RoleAssignment> = (existing..ASSIGNMENTS)
        .map(|i| RoleAssignment {
            id: RoleAssignmentId::new(),
            subscription: sub,
            scope: Scope::resource_group(sub, &format!("group-{i:05}")),
            principal: users[i % USERS].id,
            principal_type: PrincipalType::User,
            role_definition: roles::READER,
            description: None,
            created: now,
            created_by: None,
        })
        .collect();
    svc.execute(|_| {
        let mut c = Change::new();
        c.audit(
            audit::AuditEvent::new(
                &Actor::Operator,
                now,
                "Microsoft.Authorization/roleAssignments/write",
                SUB,
            )
            .subscription(sub),
        );
        for u in users {
            c.push(Mutation::PutUser(u));
        }
        c.push(Mutation::InsertRoleAssignments {
            subscription: sub,
            assignments,
        });
        Ok((c, ()))
    })
    .await
    .expect("fill assignments");
    svc
}

/// Rendering alone: the domain's list and the wire text, as the handler does on a cache miss.
fn render_cost(svc: &Service) {
    let sub: SubscriptionId = SUB.parse().unwrap();
    let scope = Scope::subscription(sub);
    let query = rules::reads::RoleAssignmentQuery::default();
    let rounds = 50;
    let t = Instant::now();
    let mut bytes = 0;
    for _ in 0..rounds {
        bytes = svc.read(|w| {
            let list =
                rules::reads::list_role_assignments(w, &Actor::Operator, &scope, &query).unwrap();
            tenantry_server::arm::wire::role_assignments(&list.items, None).len()
        });
    }
    println!(
        "rendering 4,000 role assignments ({:.1} MB): {:.2} ms (done once per revision of the world, then shared)",
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64() * 1e3 / rounds as f64
    );
}

/// Serves `svc` on its own 2-thread runtime (the server's share of the machine), returning the base URL
/// and the CA to trust.
fn serve(svc: Service) -> (String, String, tenantry_store::testing::TempDir) {
    let dir = tenantry_store::testing::TempDir::new("tenantry-bench-arm").unwrap();
    let material = tenantry_server::tls::ensure_local_ca(dir.path(), &[]).unwrap();
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    listener.set_nonblocking(true).unwrap();
    let base_url = tenantry_server::app::base_url_for(listener.local_addr().unwrap());
    let state = tenantry_server::AppState::new(svc, base_url.clone());
    let ca = material.ca_cert_pem.clone();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let config = tenantry_server::tls::rustls_config(&material)
                .await
                .unwrap();
            let handle = axum_server::Handle::new();
            let server = tenantry_server::tls::server_on(listener, config)
                .unwrap()
                .handle(handle.clone());
            let app = tenantry_server::router(state);
            tokio::spawn(async move {
                let _ = server.serve(app.into_make_service()).await;
            });
            handle.listening().await;
            ready_tx.send(()).unwrap();
            std::future::pending::<()>().await;
        });
    });
    ready_rx.recv().unwrap();
    (base_url, ca, dir)
}

fn client(ca: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(ca.as_bytes()).unwrap()])
        .http1_only()
        .pool_max_idle_per_host(CONNECTIONS)
        .build()
        .unwrap()
}

async fn app_token(client: &reqwest::Client, base: &str) -> String {
    let r: serde_json::Value = client
        .post(format!("{base}/{TENANT}/oauth2/v2.0/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CI_CLIENT),
            ("client_secret", "ci-secret-1"),
            ("scope", "https://management.azure.com/.default"),
        ])
        .send()
        .await
        .expect("token endpoint")
        .json()
        .await
        .expect("token JSON");
    r["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token: {r}"))
        .to_string()
}

/// 64 tasks, each on its own keep-alive connection, GET `url` in a loop for `seconds`.
async fn measure(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    gzip: bool,
    seconds: f64,
) -> Figures {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (client, url, token, stop) = (
                client.clone(),
                url.to_string(),
                token.to_string(),
                stop.clone(),
            );
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(4096);
                let mut bytes = 0;
                while !stop.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    let mut request = client.get(&url).bearer_auth(&token);
                    if gzip {
                        // Counted as sent: the client's cost of inflating is not the server's.
                        request = request.header("accept-encoding", "gzip");
                    }
                    let r = request.send().await.expect("GET");
                    assert!(r.status().is_success(), "{}", r.status());
                    bytes += r.bytes().await.expect("body").len();
                    latencies.push(t.elapsed());
                }
                (latencies, bytes)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    let mut bytes = 0;
    for t in tasks {
        let (l, b) = t.await.unwrap();
        all.extend(l);
        bytes += b;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    Figures {
        requests: all.len(),
        bytes,
        seconds: elapsed,
        p50: pct(0.50),
        p99: pct(0.99),
    }
}

fn report(label: &str, what: &str, f: &Figures) {
    let rate = f.requests as f64 / f.seconds;
    let verdict = if rate >= 15_000.0 && f.p99 <= Duration::from_millis(5) {
        "meets the goal"
    } else {
        "below the goal"
    };
    let volume = match f.bytes {
        0 => String::new(),
        b => format!(", {:.1} MB/s", b as f64 / f.seconds / 1e6),
    };
    println!(
        "{label}: {what}: {rate:.0} req/s{volume}, p50 {:.2} ms, p99 {:.2} ms over {} requests \
         ({CONNECTIONS} keep-alive connections; goal ≥ 15,000/s, p99 ≤ 5 ms: {verdict})",
        f.p50.as_secs_f64() * 1e3,
        f.p99.as_secs_f64() * 1e3,
        f.requests,
    );
}

async fn run(label: &str, store: Store, seconds: f64) {
    let svc = prepare(store).await;
    let erin = svc.read(|w| {
        w.member_by_upn("erin@alicedefault.onmicrosoft.com")
            .unwrap()
            .id
    });
    render_cost(&svc);
    let (base, ca, _dir) = serve(svc);
    let client = client(&ca);
    let token = app_token(&client, &base).await;
    let list = format!(
        "{base}/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01"
    );
    let one = format!("{list}&$filter=principalId%20eq%20'{erin}'");
    // (what, url, gzip, the TENANTRY_BENCH_ONLY value that picks it)
    let cases = [
        (
            "GET role assignments, all 4,000",
            list.as_str(),
            false,
            "all",
        ),
        (
            "GET role assignments, all 4,000, gzip (what az and the SDKs accept)",
            list.as_str(),
            true,
            "gzip",
        ),
        (
            "GET role assignments, filtered to one principal",
            one.as_str(),
            false,
            "one",
        ),
    ];
    let only = std::env::var("TENANTRY_BENCH_ONLY").unwrap_or_default();
    for (what, url, gzip, key) in cases {
        if !only.is_empty() && only != key {
            continue;
        }
        measure(&client, url, &token, gzip, 1.0).await; // warm up: connections, caches
        report(
            label,
            what,
            &measure(&client, url, &token, gzip, seconds).await,
        );
        let load = tokio::task::block_in_place(|| {
            measure_with_wrk(url, &token, gzip, CONNECTIONS, seconds)
        });
        match load {
            Some(f) => report(label, &format!("{what}, load from wrk"), &f),
            None => println!(
                "{label}: {what}: wrk is not installed, no figure without the in-process client"
            ),
        }
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let seconds: f64 = std::env::var("TENANTRY_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8.0);
    let dir = tenantry_store::testing::TempDir::new("tenantry-bench-arm-db").unwrap();
    let sqlite = Store::open_sqlite_file(&dir.path().join("bench.db"))
        .await
        .unwrap();
    run("sqlite", sqlite, seconds).await;
    match tenantry_store::testing::try_pg_admin_url() {
        Some(admin) => {
            let url = tenantry_store::testing::fresh_pg_database(&admin)
                .await
                .unwrap();
            run("postgres", Store::open(&url).await.unwrap(), seconds).await;
        }
        None => println!("postgres: skipped (TENANTRY_TEST_PG_URL is not set; see scripts/pg.sh)"),
    }
}
