//! A database outage under load: `tenantry serve` on a PostgreSQL cluster of its own (scripts/pg.sh),
//! which is stopped for ten seconds and started again while clients read, get tokens and write. Reads
//! and client-credential tokens come from memory and keep answering 200; writes fail fast with 503 and
//! `Retry-After`; `/readyz` says the database is unavailable; writes succeed again within a second of
//! the database's return, without a restart.
//!
//! It needs PostgreSQL's server binaries (initdb, pg_ctl) and skips, saying so, when they are missing:
//! `.ci/run` installs them. It never touches the shared cluster of TENANTRY_TEST_PG_URL.

use crate::cli::{client_trusting_ca_of, collect_lines, first_answer, free_port, tenantry};
use crate::support::*;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `--db-timeout` of the server under test.
const DB_TIMEOUT: Duration = Duration::from_secs(2);
/// How long the database is stopped.
const OUTAGE: Duration = Duration::from_secs(10);
/// What a read or a token may take, whatever the database does (generous: two busy cores).
const MEMORY_BOUND: Duration = Duration::from_millis(1500);
/// Writes succeed again at most this long after the database accepts connections.
const RESUME_WITHIN: Duration = Duration::from_secs(1);

/// Whether PostgreSQL's server binaries are here (as scripts/pg.sh looks for them).
fn postgres_installed() -> bool {
    let on_path = std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths)
            .any(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
    });
    let debian = std::fs::read_dir("/usr/lib/postgresql").is_ok_and(|dirs| {
        dirs.flatten()
            .any(|d| d.path().join("bin/initdb").is_file() && d.path().join("bin/pg_ctl").is_file())
    });
    on_path || debian
}

/// A throwaway cluster of this test's own, removed when dropped.
struct Cluster {
    dir: String,
    port: String,
    url: String,
}

fn pg_sh(args: &[&str]) -> std::process::Output {
    let out = Command::new("bash")
        .arg(repo_root().join("scripts/pg.sh"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "scripts/pg.sh {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

impl Cluster {
    fn start() -> Cluster {
        let out = pg_sh(&["start"]);
        // `export NAME=VALUE` lines (values quoted with printf %q: ours have nothing to quote).
        let exported = |name: &str| {
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .find_map(|l| {
                    l.strip_prefix(&format!("export {name}="))
                        .map(str::to_string)
                })
                .unwrap_or_else(|| panic!("pg.sh start printed no {name}"))
        };
        Cluster {
            dir: exported("TENANTRY_PG_DIR"),
            port: exported("TENANTRY_PG_PORT"),
            url: exported("TENANTRY_TEST_PG_URL"),
        }
    }

    fn pause(&self) {
        pg_sh(&["pause", &self.dir]);
    }

    fn resume(&self) {
        pg_sh(&["resume", &self.dir, &self.port]);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(repo_root().join("scripts/pg.sh"))
            .args(["stop", &self.dir])
            .output();
    }
}

/// The server process, killed when dropped (a failed assertion must not leave it running).
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Read,
    Token,
    Write,
    Ready,
    /// `/metrics` on the main listener, behind the operator's token.
    Metrics,
}

const METRICS_TOKEN: &str = "outage-metrics-token";

/// One answer the load got, timed from the start of the run.
#[derive(Debug)]
struct Answer {
    kind: Kind,
    sent: Duration,
    took: Duration,
    status: u16,
    retry_after: Option<String>,
    body: String,
}

impl Answer {
    fn answered(&self) -> Duration {
        self.sent + self.took
    }
}

/// When the database went away and came back, from the start of the run.
struct Timeline {
    stopping: Duration,
    stopped: Duration,
    starting: Duration,
    started: Duration,
}

impl Timeline {
    /// Sent after the database had stopped, answered before it was started again.
    fn during(&self, a: &Answer) -> bool {
        a.sent >= self.stopped && a.answered() <= self.starting
    }
    fn before(&self, a: &Answer) -> bool {
        a.answered() <= self.stopping
    }
    fn resumed(&self, a: &Answer) -> bool {
        a.sent >= self.started + RESUME_WITHIN
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_outage_fails_writes_fast_keeps_reads_and_tokens_and_heals() {
    if !postgres_installed() {
        // Straight to standard error: the harness would hide an eprintln! of a test that passes.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED outage::a_database_outage_fails_writes_fast_keeps_reads_and_tokens_and_heals: \
             no PostgreSQL server binaries (initdb, pg_ctl); scripts/test.sh installs them"
        );
        return;
    }
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let cluster = Cluster::start();
    let dir = tenantry_store::testing::TempDir::new("tenantry-outage").unwrap();
    let port = free_port();
    let mut server = Server(
        tenantry()
            .arg("serve")
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .arg("--data")
            .arg(dir.path())
            .args(["--database-url", &cluster.url])
            .args(["--db-timeout", &DB_TIMEOUT.as_secs_f64().to_string()])
            .args(["--metrics-token", METRICS_TOKEN])
            .arg("--world")
            .arg(repo_root().join("worlds/demo.toml"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let logs = collect_lines(server.0.stderr.take().unwrap());
    let client = client_trusting_ca_of(dir.path()).await;
    let base = format!("https://localhost:{port}");
    let ready = first_answer(&client, &format!("{base}/readyz"))
        .await
        .expect("the server answered");
    assert_eq!(ready.status(), 200);

    let token_url = format!("{base}/{ALICEDEFAULT}/oauth2/v2.0/token");
    let token_form = [
        ("grant_type", "client_credentials"),
        ("client_id", CI_CLIENT),
        ("client_secret", CI_SECRET),
        ("scope", "https://management.azure.com/.default"),
    ];
    let bearer = ci_arm_token(&client, &base).await;

    let t0 = Instant::now();
    let answers: Arc<Mutex<Vec<Answer>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut load = vec![];
    for kind in [
        Kind::Read,
        Kind::Read,
        Kind::Token,
        Kind::Write,
        Kind::Ready,
        Kind::Metrics,
    ] {
        let (client, base, bearer) = (client.clone(), base.clone(), bearer.clone());
        let (answers, stop, token_url) = (answers.clone(), stop.clone(), token_url.clone());
        load.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let request = match kind {
                    Kind::Read => client
                        .get(format!(
                            "{base}/subscriptions/{PAYG}/resourcegroups?api-version=2021-04-01"
                        ))
                        .bearer_auth(&bearer),
                    Kind::Token => client.post(&token_url).form(&token_form),
                    Kind::Write => client
                        .put(format!(
                            "{base}/subscriptions/{PAYG}/resourcegroups/outage-{n}?api-version=2021-04-01"
                        ))
                        .bearer_auth(&bearer)
                        .json(&serde_json::json!({"location": "westeurope"})),
                    Kind::Ready => client.get(format!("{base}/readyz")),
                    Kind::Metrics => client
                        .get(format!("{base}/metrics"))
                        .bearer_auth(METRICS_TOKEN),
                };
                let sent = t0.elapsed();
                let r = request
                    .timeout(Duration::from_secs(30))
                    .send()
                    .await
                    .expect("every request is answered");
                let status = r.status().as_u16();
                let retry_after = r
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                let body = r.text().await.unwrap_or_default();
                answers.lock().unwrap().push(Answer {
                    kind,
                    sent,
                    took: t0.elapsed() - sent,
                    status,
                    retry_after,
                    body,
                });
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }));
    }

    tokio::time::sleep(Duration::from_secs(2)).await;
    let stopping = t0.elapsed();
    tokio::task::block_in_place(|| cluster.pause());
    let stopped = t0.elapsed();
    tokio::time::sleep(OUTAGE).await;
    let starting = t0.elapsed();
    tokio::task::block_in_place(|| cluster.resume());
    let started = t0.elapsed();
    tokio::time::sleep(Duration::from_secs(4)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for task in load {
        task.await.unwrap();
    }
    let timeline = Timeline {
        stopping,
        stopped,
        starting,
        started,
    };
    let answers = std::mem::take(&mut *answers.lock().unwrap());
    drop(server);
    let logs = logs.join().unwrap().join("\n");

    let report = |a: &Answer| {
        format!(
            "{:?} sent at {:.2}s (database stopped {:.2}–{:.2}s, started {:.2}–{:.2}s) took {:.2}s: {} {:?} {}\nserver log:\n{logs}",
            a.kind,
            a.sent.as_secs_f64(),
            timeline.stopping.as_secs_f64(),
            timeline.stopped.as_secs_f64(),
            timeline.starting.as_secs_f64(),
            timeline.started.as_secs_f64(),
            a.took.as_secs_f64(),
            a.status,
            a.retry_after,
            a.body
        )
    };
    let count = |kind: Kind, f: &dyn Fn(&Answer) -> bool| {
        answers.iter().filter(|a| a.kind == kind && f(a)).count()
    };
    // What happened, for the test's output: answers by kind and status, and the slowest of each kind.
    for kind in [
        Kind::Read,
        Kind::Token,
        Kind::Write,
        Kind::Ready,
        Kind::Metrics,
    ] {
        let mut statuses = std::collections::BTreeMap::new();
        for a in answers.iter().filter(|a| a.kind == kind) {
            *statuses.entry(a.status).or_insert(0) += 1;
        }
        let slowest = answers
            .iter()
            .filter(|a| a.kind == kind)
            .map(|a| a.took)
            .max()
            .unwrap_or_default();
        eprintln!(
            "outage: {kind:?}: {statuses:?}, slowest {:.2}s",
            slowest.as_secs_f64()
        );
    }
    let first_after = answers
        .iter()
        .filter(|a| a.kind == Kind::Write && a.sent >= timeline.started && a.status == 201)
        .map(|a| a.sent.saturating_sub(timeline.started))
        .min();
    eprintln!(
        "outage: first write that succeeded after the database started: {first_after:?} later"
    );
    for a in &answers {
        match a.kind {
            // From memory: the database's absence changes nothing.
            Kind::Read | Kind::Token => {
                assert_eq!(a.status, 200, "{}", report(a));
                assert!(a.took <= MEMORY_BOUND, "{}", report(a));
            }
            Kind::Write => {
                // Never longer than the database timeout, whatever the database does.
                assert!(
                    a.took <= DB_TIMEOUT + Duration::from_secs(1),
                    "{}",
                    report(a)
                );
                if timeline.during(a) {
                    assert_eq!(a.status, 503, "{}", report(a));
                    assert!(a.retry_after.is_some(), "{}", report(a));
                    assert!(a.body.contains("\"ServiceUnavailable\""), "{}", report(a));
                } else if timeline.before(a) || timeline.resumed(a) {
                    assert_eq!(a.status, 201, "{}", report(a));
                } else {
                    // Sent as the database went or came: it made it, or it was refused in time.
                    assert!(matches!(a.status, 201 | 503), "{}", report(a));
                }
            }
            // The metrics say it too, from memory.
            Kind::Metrics => {
                assert_eq!(a.status, 200, "{}", report(a));
                if timeline.during(a) {
                    assert!(
                        a.body.contains("\ntenantry_database_available 0\n"),
                        "{}",
                        report(a)
                    );
                } else if timeline.before(a) || timeline.resumed(a) {
                    assert!(
                        a.body.contains("\ntenantry_database_available 1\n"),
                        "{}",
                        report(a)
                    );
                }
            }
            Kind::Ready => {
                if timeline.during(a) {
                    assert_eq!(a.status, 503, "{}", report(a));
                    assert!(
                        a.body.contains("\"database\":\"unavailable\""),
                        "{}",
                        report(a)
                    );
                } else if timeline.before(a) || timeline.resumed(a) {
                    assert_eq!(a.status, 200, "{}", report(a));
                }
                assert!(
                    a.took <= DB_TIMEOUT + Duration::from_secs(1),
                    "{}",
                    report(a)
                );
            }
        }
    }
    // The outage is logged when it starts, not once per refused request.
    assert!(
        logs.contains("database unavailable: writes are refused"),
        "{logs}"
    );
    assert!(!logs.contains("response failed"), "{logs}");
    // The load did run through each phase.
    for (kind, phase, at_least) in [
        (Kind::Write, "before", 3),
        (Kind::Write, "during", 3),
        (Kind::Write, "after", 3),
        (Kind::Ready, "during", 3),
        (Kind::Ready, "after", 3),
        (Kind::Metrics, "during", 3),
        (Kind::Metrics, "after", 3),
        (Kind::Read, "during", 10),
        (Kind::Token, "during", 10),
    ] {
        let n = count(kind, &|a| match phase {
            "before" => timeline.before(a),
            "during" => timeline.during(a),
            _ => timeline.resumed(a),
        });
        assert!(
            n >= at_least,
            "{n} {kind:?} answers {phase} the outage\nserver log:\n{logs}"
        );
    }
}
