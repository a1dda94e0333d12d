//! A rolling restart as an operator does one: two instances on one PostgreSQL database behind a load
//! balancer that sends traffic only to instances whose `/readyz` says ready, clients signing in, reading
//! and writing all along, and each instance stopped with SIGTERM and started again in turn. No client
//! sees an error, even though the balancer never tries another instance when one refuses a connection
//! (a plain TCP balancer, kube-proxy): `--shutdown-delay` keeps a stopping instance serving, unready,
//! until the balancer has noticed. Without the delay such a balancer's clients get errors (and even one
//! that retries refused connections lets through the rare request that reached the listen queue as the
//! instance stopped listening: 1 in about 150 rounds here).

use crate::cli::tenantry;
use crate::support::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

struct Backend {
    base: String,
    ready: AtomicBool,
    served: AtomicUsize,
}

struct Balancer {
    backends: Vec<Backend>,
    next: AtomicUsize,
    /// A new connection per request, as nginx's default to its upstreams.
    client: reqwest::Client,
}

impl Balancer {
    /// The next ready backend in turn, waiting (up to 10 s) while none is.
    async fn pick(&self) -> Option<usize> {
        for _ in 0..200 {
            for _ in 0..self.backends.len() {
                let i = self.next.fetch_add(1, Ordering::Relaxed) % self.backends.len();
                if self.backends[i].ready.load(Ordering::Acquire) {
                    return Some(i);
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }
}

async fn forward(
    axum::extract::State(lb): axum::extract::State<Arc<Balancer>>,
    request: axum::extract::Request,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    // One try, as a TCP balancer or kube-proxy makes it: whatever goes wrong reaches the client.
    let Some(i) = lb.pick().await else {
        return (axum::http::StatusCode::BAD_GATEWAY, "no instance").into_response();
    };
    let backend = &lb.backends[i];
    let mut out = lb
        .client
        .request(parts.method.clone(), format!("{}{path}", backend.base))
        .body(body);
    for (name, value) in &parts.headers {
        if name != axum::http::header::HOST && name != axum::http::header::CONTENT_LENGTH {
            out = out.header(name, value);
        }
    }
    let r = match out.send().await {
        Ok(r) => r,
        Err(e) => return (axum::http::StatusCode::BAD_GATEWAY, format!("{e:?}")).into_response(),
    };
    backend.served.fetch_add(1, Ordering::Relaxed);
    let status = r.status();
    let headers = r.headers().clone();
    let bytes = r.bytes().await.unwrap_or_default();
    let mut answer = (status, bytes).into_response();
    for (name, value) in &headers {
        if name != axum::http::header::TRANSFER_ENCODING
            && name != axum::http::header::CONNECTION
            && name != axum::http::header::CONTENT_LENGTH
        {
            answer.headers_mut().insert(name, value.clone());
        }
    }
    answer
}

/// One `tenantry serve` on PostgreSQL, sharing the data directory (its CA) and the key-encryption key.
fn spawn_instance(
    url: &str,
    data: &std::path::Path,
    port: u16,
    kek: &str,
    world: bool,
    args: &[&str],
) -> std::process::Child {
    let mut c = tenantry();
    c.arg("serve")
        .args([
            "--database-url",
            url,
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .args([
            "--public-url",
            "https://tenantry.test",
            "--drain-timeout",
            "20",
        ])
        .args(args)
        .arg("--data")
        .arg(data)
        .env("TENANTRY_KEY_ENCRYPTION_KEY", kek)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if world {
        c.arg("--world").arg(repo_root().join("worlds/demo.toml"));
    }
    c.spawn().unwrap()
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

async fn until(what: &str, mut cond: impl FnMut() -> bool) {
    assert!(
        eventually(Duration::from_secs(120), &mut cond).await,
        "{what}"
    );
}

#[tokio::test]
async fn a_rolling_restart_with_a_shutdown_delay_behind_a_balancer_that_does_not_retry_sends_no_error()
 {
    // The balancer checks every 100 ms: a second is ten of its checks. Limits are not what this
    // tests: the clients here write as fast as they are answered.
    rolling_restart(&["--shutdown-delay", "1", "--throttle", "off"]).await;
}

async fn rolling_restart(args: &[&str]) {
    use base64::Engine;
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let url = fresh_pg_database(&pg_admin_url()).await.unwrap();
    let dir = tenantry_store::testing::TempDir::new("tenantry-rolling").unwrap();
    let data = dir.path().to_path_buf();
    let key: Vec<u8> = [
        uuid::Uuid::new_v4().into_bytes(),
        uuid::Uuid::new_v4().into_bytes(),
    ]
    .concat();
    let kek = base64::engine::general_purpose::STANDARD.encode(key);
    let ports = [free_port(), free_port()];

    let mut children = vec![spawn_instance(&url, &data, ports[0], &kek, true, args)];
    let ca = data.join("ca.pem");
    until("the first instance made the CA", || ca.exists()).await;
    let cert = reqwest::Certificate::from_pem(&std::fs::read(&ca).unwrap()).unwrap();
    let lb = Arc::new(Balancer {
        backends: ports
            .iter()
            .map(|p| Backend {
                base: format!("https://localhost:{p}"),
                ready: AtomicBool::new(false),
                served: AtomicUsize::new(0),
            })
            .collect(),
        next: AtomicUsize::new(0),
        client: reqwest::Client::builder()
            .tls_certs_only([cert])
            .pool_max_idle_per_host(0)
            .build()
            .unwrap(),
    });
    // The balancer's health check: /readyz of each instance, every 100 ms.
    let checking = {
        let lb = lb.clone();
        tokio::spawn(async move {
            loop {
                for b in &lb.backends {
                    let ok = lb
                        .client
                        .get(format!("{}/readyz", b.base))
                        .timeout(Duration::from_secs(1))
                        .send()
                        .await
                        .is_ok_and(|r| r.status() == 200);
                    b.ready.store(ok, Ordering::Release);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    until("the first instance is ready", || {
        lb.backends[0].ready.load(Ordering::Acquire)
    })
    .await;
    children.push(spawn_instance(&url, &data, ports[1], &kek, false, args));
    until("the second instance is ready", || {
        lb.backends[1].ready.load(Ordering::Acquire)
    })
    .await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let front = format!("http://{}", listener.local_addr().unwrap());
    let balancing = {
        let app = axum::Router::new().fallback(forward).with_state(lb.clone());
        tokio::spawn(async move { axum::serve(listener, app).await })
    };

    // Clients: each signs in (client credentials), then lists and creates resource groups, signing in
    // again every tenth round; every answer must be a success.
    let stop = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let answered = Arc::new(AtomicUsize::new(0));
    let mut clients = Vec::new();
    for c in 0..3 {
        let (front, stop, failures, answered) = (
            front.clone(),
            stop.clone(),
            failures.clone(),
            answered.clone(),
        );
        clients.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut token = String::new();
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let check = |what: String, r: Result<reqwest::Response, reqwest::Error>| match r {
                    Ok(r) if r.status().is_success() => Some(r),
                    Ok(r) => {
                        failures.lock().unwrap().push(format!("{what}: {}", r.status()));
                        None
                    }
                    Err(e) => {
                        failures.lock().unwrap().push(format!("{what}: {e}"));
                        None
                    }
                };
                if i % 10 == 0 {
                    let r = http
                        .post(format!("{front}/{ALICEDEFAULT}/oauth2/v2.0/token"))
                        .form(&[
                            ("grant_type", "client_credentials"),
                            ("client_id", CI_CLIENT),
                            ("client_secret", CI_SECRET),
                            ("scope", "https://management.azure.com/.default"),
                        ])
                        .send()
                        .await;
                    if let Some(r) = check(format!("token {c}/{i}"), r) {
                        let body: serde_json::Value = r.json().await.unwrap();
                        token = body["access_token"].as_str().unwrap().to_string();
                    }
                }
                let r = http
                    .get(format!(
                        "{front}/subscriptions/{PAYG}/resourcegroups?api-version=2021-04-01"
                    ))
                    .bearer_auth(&token)
                    .send()
                    .await;
                check(format!("list {c}/{i}"), r);
                let r = http
                    .put(format!(
                        "{front}/subscriptions/{PAYG}/resourcegroups/roll-{c}-{i}?api-version=2021-04-01"
                    ))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({"location": "westeurope"}))
                    .send()
                    .await;
                check(format!("create roll-{c}-{i}"), r);
                answered.fetch_add(1, Ordering::Relaxed);
                i += 1;
            }
            i
        }));
    }

    let rounds = |n: usize| {
        let answered = answered.clone();
        async move {
            let from = answered.load(Ordering::Relaxed);
            until("the clients went on", || {
                answered.load(Ordering::Relaxed) >= from + n
            })
            .await;
        }
    };
    rounds(10).await;
    for (i, port) in ports.iter().enumerate() {
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &children[i].id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = tokio::task::spawn_blocking({
            let mut child = std::mem::replace(
                &mut children[i],
                std::process::Command::new("true").spawn().unwrap(),
            );
            move || child.wait().unwrap()
        })
        .await
        .unwrap();
        assert!(status.success(), "instance {i} stopped cleanly: {status:?}");
        // While it is away the other instance serves everything.
        let other = &lb.backends[1 - i].served;
        let before = other.load(Ordering::Relaxed);
        rounds(10).await;
        assert!(other.load(Ordering::Relaxed) >= before + 10);
        children[i] = spawn_instance(&url, &data, *port, &kek, false, args);
        until("the restarted instance is ready", || {
            lb.backends[i].ready.load(Ordering::Acquire)
        })
        .await;
        let served = lb.backends[i].served.load(Ordering::Relaxed);
        rounds(10).await;
        assert!(
            lb.backends[i].served.load(Ordering::Relaxed) > served,
            "the restarted instance takes traffic again"
        );
    }
    stop.store(true, Ordering::Relaxed);
    let mut rounds_done = 0;
    for c in clients {
        rounds_done += c.await.unwrap();
    }
    checking.abort();
    balancing.abort();
    for mut child in children {
        let _ = child.kill();
        let _ = child.wait();
    }
    let failures = failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {rounds_done} rounds saw errors: {failures:#?}",
        failures.len()
    );
    assert!(rounds_done >= 50);
}
