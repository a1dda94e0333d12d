//! Sign-in figures, printed against the goals (an in-process HTTPS server on SQLite; the load generator
//! runs in the same process and shares the same cores, so the figures are a lower bound):
//! - peak memory (VmHWM) under 200 concurrent password sign-ins (goal ≤ 200 MiB);
//! - client_credentials tokens/s over keep-alive HTTPS with RS256 (goal ≥ 2,500/s per core);
//! - password sign-ins/s against the raw Argon2id verification rate at the same parameters, on as
//!   many threads as cores (goal ≥ 90 %);
//! - client_credentials with a client assertion (certificate credential, RS256, reused as msal reuses
//!   it) against the same with a client secret, side by side (goal ≥ 80 % of the secret rate);
//! - client_credentials with a federated token (workload identity federation: an external issuer's
//!   token, here one of tenantry's own tenants, its keys discovered once and cached) against the same
//!   with a client secret (goal: the same ≥ 80 %), and how often the issuer's keys were fetched (goal: at
//!   most once per issuer per minute).
//!
//! Run: `cargo bench -p tenantry --bench signin` (release). `BENCH_SECONDS` sets each round's length;
//! each figure and its reference rate are the best of three alternating rounds.

// A bench: a panic is a failed run with its message, which is what these unwraps want.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// A bench is built with every dependency of its package, normal and dev, and uses a few of them:
// `unused_crate_dependencies` holds on the library, the binary and the test binaries instead.
#![allow(unused_crate_dependencies)]

/// The allocator of the `tenantry` binary, so the server measured here is the one that ships.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tenantry_service::Service;
use tenantry_service::crypto::{SigningKey, TokenSigner, hash_password, verify_password};

const TENANT: &str = "b0000000-0000-4000-8000-000000000001";
const CLIENT: &str = "c1000000-0000-4000-8000-000000000001";
const SECRET: &str = "bench-secret-1";
const AZ: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
const USER: &str = "bench@bench.onmicrosoft.com";
const PASSWORD: &str = "Bench-Password-1!";
const SCOPE: &str = "https://management.azure.com/.default";
const USER_SCOPE: &str =
    "https://management.core.windows.net//.default offline_access openid profile";

fn world(hash: &str, certificate_pem: &str, base: &str) -> String {
    let certificate = certificate_pem.trim_end().replace('\n', "\\n");
    format!(
        r#"[[tenants]]
name = "bench"
id = "{TENANT}"

  [[tenants.users]]
  user_name = "bench"
  password_hash = "{hash}"

  [[tenants.applications]]
  display_name = "bench"
  client_id = "{CLIENT}"
  client_secret = "{SECRET}"

  [[tenants.applications]]
  display_name = "bench-certificate"
  client_id = "{CERT_CLIENT}"
  certificates = ["{certificate}"]

  [[tenants.applications]]
  display_name = "bench-federated"
  client_id = "{FED_CLIENT}"
    [[tenants.applications.federated_credentials]]
    name = "bench-job"
    issuer = "{base}/{TENANT}/v2.0"
    subject = "{FED_SUBJECT}"
"#
    )
}

/// The application that signs in with a federated token, and the subject its credential trusts.
const FED_CLIENT: &str = "c1000000-0000-4000-8000-000000000003";
const FED_SUBJECT: &str = "repo:bench/app:ref:refs/heads/main";

/// The application that signs in with a certificate.
const CERT_CLIENT: &str = "c1000000-0000-4000-8000-000000000002";

/// A certificate (RSA 2048) and a client assertion signed with its key for `base`'s token endpoint,
/// valid for ten minutes: msal signs one and reuses it, and so does the load here.
fn certificate_and_assertion(base: &str) -> (String, String) {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
    let cert = rcgen::CertificateParams::new(vec![])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let pem = cert.pem();
    let read = tenantry_service::domain::ApplicationCertificate::from_pem(uuid::Uuid::nil(), &pem)
        .unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.x5t = Some(base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        read.sha1,
    ));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = serde_json::json!({
        "aud": format!("{base}/{TENANT}/oauth2/v2.0/token"), "iss": CERT_CLIENT, "sub": CERT_CLIENT,
        "jti": "bench", "nbf": now, "iat": now, "exp": now + 600,
    });
    tenantry_service::crypto::install_jwt_crypto_provider();
    let signing = jsonwebtoken::EncodingKey::from_rsa_pem(key.serialize_pem().as_bytes()).unwrap();
    (
        pem,
        jsonwebtoken::encode(&header, &claims, &signing).unwrap(),
    )
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Rounds per figure (best of).
const ROUNDS: usize = 3;

fn seconds() -> Duration {
    let s = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3.0);
    Duration::from_secs_f64(s)
}

/// Peak resident set of this process so far (`VmHWM`), in MiB.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The server, in this process, on a free port; and a keep-alive client trusting its CA.
struct Server {
    base: String,
    client: reqwest::Client,
    state: tenantry_server::AppState,
    _dir: tenantry_store::testing::TempDir,
}

async fn start(svc: Service, listener: std::net::TcpListener) -> Server {
    let dir = tenantry_store::testing::TempDir::new("tenantry-bench-signin").unwrap();
    let material = tenantry_server::tls::ensure_local_ca(dir.path(), &[]).unwrap();
    let config = tenantry_server::tls::rustls_config(&material)
        .await
        .unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = tenantry_server::app::base_url_for(listener.local_addr().unwrap());
    let state = tenantry_server::AppState::new(svc, base.clone());
    state.signin.ensure_signing_key().await.unwrap();
    // The federated issuer is this server: its keys are fetched over HTTPS from its own CA.
    state
        .svc
        .issuer_keys()
        .trust_ca_pem(material.ca_cert_pem.as_bytes())
        .unwrap();
    let app = tenantry_server::router(state.clone());
    let server = tenantry_server::tls::server_on(listener, config).unwrap();
    tokio::spawn(async move {
        let _ = server
            .serve(app.into_make_service_with_connect_info::<std::net::SocketAddr>())
            .await;
    });
    let cert = reqwest::Certificate::from_pem(material.ca_cert_pem.as_bytes()).unwrap();
    let client = reqwest::Client::builder()
        .tls_certs_only([cert])
        .pool_max_idle_per_host(256)
        .build()
        .unwrap();
    Server {
        base,
        client,
        state,
        _dir: dir,
    }
}

impl Server {
    async fn token(&self, form: &[(&str, &str)]) -> bool {
        let url = format!("{}/{TENANT}/oauth2/v2.0/token", self.base);
        match self.client.post(url).form(form).send().await {
            Ok(r) => {
                let ok = r.status().is_success();
                let _ = r.bytes().await;
                ok
            }
            Err(_) => false,
        }
    }
}

const APP_FORM: [(&str, &str); 4] = [
    ("grant_type", "client_credentials"),
    ("client_id", CLIENT),
    ("client_secret", SECRET),
    ("scope", SCOPE),
];
const USER_FORM: [(&str, &str); 5] = [
    ("grant_type", "password"),
    ("client_id", AZ),
    ("username", USER),
    ("password", PASSWORD),
    ("scope", USER_SCOPE),
];

/// Requests per second with `concurrency` requests in flight for `for_how_long`.
async fn throughput(
    server: &Arc<Server>,
    form: &'static [(&'static str, &'static str)],
    concurrency: usize,
    for_how_long: Duration,
) -> (f64, u64) {
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (server, done, failed, stop) =
                (server.clone(), done.clone(), failed.clone(), stop.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    match server.token(form).await {
                        true => done.fetch_add(1, Ordering::Relaxed),
                        false => failed.fetch_add(1, Ordering::Relaxed),
                    };
                }
            })
        })
        .collect();
    tokio::time::sleep(for_how_long).await;
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        let _ = w.await;
    }
    let secs = start.elapsed().as_secs_f64();
    (
        done.load(Ordering::Relaxed) as f64 / secs,
        failed.load(Ordering::Relaxed),
    )
}

/// Argon2id verifications per second on `threads` threads (the same parameters as stored hashes).
fn raw_argon2_rate(hash: &str, threads: usize, for_how_long: Duration) -> f64 {
    let count = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            let count = count.clone();
            s.spawn(move || {
                while start.elapsed() < for_how_long {
                    assert!(verify_password(PASSWORD, hash));
                    count.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    count.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

/// RS256 signatures per second on one thread with the held key (the ceiling of token issuance).
fn raw_rs256_rate(for_how_long: Duration) -> f64 {
    let key = SigningKey::generate(0).unwrap();
    let signer = TokenSigner::new(&key).unwrap();
    let claims = serde_json::json!({
        "aud": "https://management.azure.com", "iss": "https://127.0.0.1/x/", "iat": 1, "nbf": 1,
        "exp": 3601, "appid": CLIENT, "idtyp": "app", "oid": CLIENT, "sub": CLIENT, "tid": TENANT,
        "ver": "1.0", "uti": "abcdefghijklmnop", "roles": [],
    });
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < for_how_long {
        signer.sign(&claims).unwrap();
        n += 1;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

async fn run() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let cores = cores();
    let secs = seconds();
    let hash = hash_password(PASSWORD);
    let store = tenantry_store::testing::sqlite().await;
    let svc = Service::open(store.store.clone()).await.unwrap();
    // The server's base URL is known once it listens; the world (with the certificate) goes in first,
    // so the assertion names the base of a listener bound beforehand.
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let base = tenantry_server::app::base_url_for(listener.local_addr().unwrap());
    let (certificate, assertion) = certificate_and_assertion(&base);
    svc.apply_world(&world(&hash, &certificate, &base), &mut |_, _| {})
        .await
        .unwrap();
    let server = Arc::new(start(svc, listener).await);
    // A bench form lives for the whole run.
    let assertion_form: &'static [(&'static str, &'static str)] = Box::leak(Box::new([
        ("grant_type", "client_credentials"),
        ("client_id", CERT_CLIENT),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", Box::leak(assertion.into_boxed_str())),
        ("scope", SCOPE),
    ]));
    // What a CI job holds: its issuer's token about the job, for Entra's token exchange.
    let issuer = format!("{base}/{TENANT}/v2.0");
    let now = server.state.svc.now();
    let federated = server
        .state
        .signin
        .sign(&serde_json::json!({
            "iss": issuer, "sub": FED_SUBJECT, "aud": "api://AzureADTokenExchange",
            "iat": now, "nbf": now, "exp": now + 3600,
        }))
        .await
        .unwrap();
    let federated_form: &'static [(&'static str, &'static str)] = Box::leak(Box::new([
        ("grant_type", "client_credentials"),
        ("client_id", FED_CLIENT),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", Box::leak(federated.into_boxed_str())),
        ("scope", SCOPE),
    ]));
    assert!(server.token(&APP_FORM).await, "client credentials work");
    assert!(server.token(federated_form).await, "federated tokens work");
    assert!(server.token(assertion_form).await, "client assertions work");
    assert!(server.token(&USER_FORM).await, "password sign-in works");
    println!(
        "tenantry sign-in benchmark: {cores} cores, best of {ROUNDS} alternating rounds of {:.0} s, SQLite, HTTPS keep-alive, load generator in-process",
        secs.as_secs_f64()
    );

    // 1. Memory first, so the peak is that of the burst and not of a later phase.
    let before = peak_rss_mib();
    let burst: Vec<_> = (0..200)
        .map(|_| {
            let server = server.clone();
            tokio::spawn(async move { server.token(&USER_FORM).await })
        })
        .collect();
    let t = Instant::now();
    let mut ok = 0;
    for b in burst {
        ok += usize::from(b.await.unwrap_or(false));
    }
    let peak = peak_rss_mib();
    println!(
        "peak RSS under 200 concurrent password sign-ins: {peak:.1} MiB (before the burst {before:.1} MiB; {ok}/200 succeeded in {:.1} s) — goal ≤ 200 MiB: {}",
        t.elapsed().as_secs_f64(),
        verdict(peak <= 200.0)
    );

    // The machine is shared: each figure and its reference rate are the best of ROUNDS rounds,
    // measured alternately, so that a burst of outside load does not decide the ratio.
    // 2. Client credentials over keep-alive HTTPS. The ceiling: every token is one RSA-2048 signature.
    let (mut cc, mut rs256, mut cc_failed) = (0.0f64, 0.0f64, 0);
    for _ in 0..ROUNDS {
        rs256 = rs256.max(raw_rs256_rate(Duration::from_secs(1)));
        let (rate, failed) = throughput(&server, &APP_FORM, 4 * cores, secs).await;
        cc = cc.max(rate);
        cc_failed += failed;
    }
    println!(
        "client_credentials: {cc:.0} tokens/s on {cores} cores = {:.0}/s per core ({cc_failed} failed), {:.0} % of the raw RS256 ceiling here ({rs256:.0} signatures/s on one core) — goal ≥ 2,500/s per core: {}",
        cc / cores as f64,
        100.0 * cc / (rs256 * cores as f64),
        verdict(cc / cores as f64 >= 2500.0)
    );

    // 3. Password sign-ins against raw Argon2id on as many threads as cores.
    let (mut pw, mut raw, mut pw_failed) = (0.0f64, 0.0f64, 0);
    for _ in 0..ROUNDS {
        raw = raw.max(raw_argon2_rate(&hash, cores, secs));
        let (rate, failed) = throughput(&server, &USER_FORM, 4 * cores, secs).await;
        pw = pw.max(rate);
        pw_failed += failed;
    }
    println!(
        "password sign-ins: {pw:.1}/s vs raw Argon2id (m=19456 KiB, t=2, p=1) {raw:.1}/s on {cores} threads = {:.0} % ({pw_failed} failed) — goal ≥ 90 %: {}",
        100.0 * pw / raw,
        verdict(pw >= 0.9 * raw)
    );

    // 4. Client assertions (certificate) against client secrets, alternating, same concurrency.
    let (mut with_cert, mut with_secret, mut cert_failed) = (0.0f64, 0.0f64, 0);
    for _ in 0..ROUNDS {
        let (rate, _) = throughput(&server, &APP_FORM, 4 * cores, secs).await;
        with_secret = with_secret.max(rate);
        let (rate, failed) = throughput(&server, assertion_form, 4 * cores, secs).await;
        with_cert = with_cert.max(rate);
        cert_failed += failed;
    }
    println!(
        "client assertion (certificate, RS256): {with_cert:.0} tokens/s vs client secret {with_secret:.0} tokens/s = {:.0} % ({cert_failed} failed) — goal ≥ 80 %: {}",
        100.0 * with_cert / with_secret,
        verdict(with_cert >= 0.8 * with_secret)
    );

    // 5. Federated tokens against client secrets, alternating, same concurrency; the issuer's keys
    //    were fetched by the first federated sign-in and are cached since.
    let (mut with_fed, mut with_secret, mut fed_failed) = (0.0f64, 0.0f64, 0);
    let started = Instant::now();
    for _ in 0..ROUNDS {
        let (rate, _) = throughput(&server, &APP_FORM, 4 * cores, secs).await;
        with_secret = with_secret.max(rate);
        let (rate, failed) = throughput(&server, federated_form, 4 * cores, secs).await;
        with_fed = with_fed.max(rate);
        fed_failed += failed;
    }
    let fetches = server.state.svc.issuer_keys().fetches(&issuer);
    let minutes = (started.elapsed().as_secs_f64() / 60.0).ceil().max(1.0);
    println!(
        "client assertion (federated token, cached issuer keys): {with_fed:.0} tokens/s vs client secret {with_secret:.0} tokens/s = {:.0} % ({fed_failed} failed) — goal ≥ 80 %: {}; the issuer's keys fetched {fetches} time(s) in the whole run — goal ≤ 1 per minute: {}",
        100.0 * with_fed / with_secret,
        verdict(with_fed >= 0.8 * with_secret),
        verdict(fetches as f64 <= minutes + 1.0)
    );
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT met" }
}

fn main() {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores())
        .enable_all()
        .build()
        .unwrap()
        .block_on(run());
}
