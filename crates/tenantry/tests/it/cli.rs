//! The `tenantry` command as a newcomer uses it: world files in and out, HTTPS with a local CA.

use crate::support::*;
use std::process::{Command, Stdio};
use std::time::Duration;

pub(crate) fn tenantry() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tenantry"));
    c.env("TENANTRY_LOG", "warn,sqlx=error")
        .env_remove("TENANTRY_DATABASE_URL")
        .env_remove("TENANTRY_DATA");
    c
}

pub(crate) fn run(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{c:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap() + &String::from_utf8_lossy(&out.stderr)
}

#[test]
fn world_files_apply_once_and_round_trip_exactly() {
    let dir = tenantry_store::testing::TempDir::new("tenantry-cli").unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    let demo = repo_root().join("worlds/demo.toml");
    let first = run(tenantry()
        .args(["world", "apply"])
        .arg(&demo)
        .arg("--data")
        .arg(&a));
    assert!(first.contains("applied"), "{first}");
    let second = run(tenantry()
        .args(["world", "apply"])
        .arg(&demo)
        .arg("--data")
        .arg(&a));
    assert!(second.contains("nothing to do"), "{second}");

    let exported = dir.path().join("export.toml");
    run(tenantry()
        .args(["world", "export", "-o"])
        .arg(&exported)
        .arg("--data")
        .arg(&a));
    run(tenantry()
        .args(["world", "apply"])
        .arg(&exported)
        .arg("--data")
        .arg(&b));
    let again = run(tenantry().args(["world", "export", "--data"]).arg(&b));
    assert_eq!(
        std::fs::read_to_string(&exported).unwrap(),
        again,
        "export, apply into an empty database, export: the same file"
    );
    assert!(
        again.contains("password_hash = \"$argon2id$"),
        "export writes hashes, never passwords"
    );
    assert!(!again.contains("Alice-2017!"));
}

#[test]
fn a_broken_world_file_names_its_line_and_changes_nothing() {
    let dir = tenantry_store::testing::TempDir::new("tenantry-cli").unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(
        &file,
        "[[tenants]]\nname = \"fine\"\n\n[[subscriptions]]\ndisplay_name = \"S\"\ntenant = \"nowhere\"\nservice_admin = \"x@example.com\"\n",
    )
    .unwrap();
    let out = tenantry()
        .args(["world", "apply"])
        .arg(&file)
        .arg("--data")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 4") && err.contains("subscriptions[0]"),
        "{err}"
    );
    let export = run(tenantry()
        .args(["world", "export", "--data"])
        .arg(dir.path()));
    assert!(
        !export.contains("fine"),
        "all or nothing: the valid tenant before the error was not created"
    );
}

#[test]
fn every_command_has_help() {
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["world", "apply", "--help"],
        &["world", "export", "--help"],
        &["audit", "--help"],
        &["change-directory", "--help"],
        &["backup", "--help"],
        &["restore", "--help"],
    ] {
        let out = run(tenantry().args(args));
        assert!(out.contains("Usage"), "{args:?}: {out}");
    }
}

/// A data directory with the demo world applied by `tenantry world apply` (and the temporary
/// directory that holds it, removed when dropped).
pub(crate) fn demo_data_directory() -> (tenantry_store::testing::TempDir, std::path::PathBuf) {
    let dir = tenantry_store::testing::TempDir::new("tenantry-cli").unwrap();
    let data = dir.path().join("data");
    run(tenantry()
        .args(["world", "apply"])
        .arg(repo_root().join("worlds/demo.toml"))
        .arg("--data")
        .arg(&data));
    (dir, data)
}

/// `tenantry serve` of the demo world on a free port, with `args`, logging at `info` to a pipe: once it
/// answers over HTTPS, with a client that trusts its CA only.
pub(crate) struct Served {
    child: std::process::Child,
    _dir: Option<tenantry_store::testing::TempDir>,
    pub(crate) base: String,
    pub(crate) client: reqwest::Client,
    logs: std::thread::JoinHandle<Vec<String>>,
}

impl Served {
    pub(crate) async fn start(args: &[&str]) -> Served {
        let dir = tenantry_store::testing::TempDir::new("tenantry-serve").unwrap();
        let demo = repo_root().join("worlds/demo.toml");
        let mut served = Served::start_in(dir.path(), Some(&demo), args).await;
        served._dir = Some(dir);
        served
    }

    /// `tenantry serve --data data` (applying `world` first when given), with `args`.
    pub(crate) async fn start_in(
        data: &std::path::Path,
        world: Option<&std::path::Path>,
        args: &[&str],
    ) -> Served {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let port = free_port();
        let mut command = tenantry();
        command
            .arg("serve")
            .args(args)
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data")
            .arg(data);
        if let Some(world) = world {
            command.arg("--world").arg(world);
        }
        let mut child = command
            .env("TENANTRY_LOG", "info,sqlx=error")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let logs = collect_lines(child.stderr.take().unwrap());
        let client = client_trusting_ca_of(data).await;
        let base = format!("https://localhost:{port}");
        let up = first_answer(&client, &format!("{base}/healthz")).await;
        assert!(up.is_some(), "the server answered");
        Served {
            child,
            _dir: None,
            base,
            client,
            logs,
        }
    }

    /// Stops the server; the lines it wrote to standard error.
    pub(crate) fn stop(mut self) -> Vec<String> {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        self.logs.join().unwrap()
    }
}

/// A client that trusts only the CA a starting server writes into `data_dir`, once it is there.
pub(crate) async fn client_trusting_ca_of(data_dir: &std::path::Path) -> reqwest::Client {
    let ca = data_dir.join("ca.pem");
    let ok = eventually(Duration::from_secs(120), || ca.exists()).await;
    assert!(ok, "the server wrote its CA");
    let cert = reqwest::Certificate::from_pem(&std::fs::read(&ca).unwrap()).unwrap();
    reqwest::Client::builder()
        .tls_certs_only([cert])
        .build()
        .unwrap()
}

/// The first answer to GET `url` of a server that is starting (within a minute).
pub(crate) async fn first_answer(client: &reqwest::Client, url: &str) -> Option<reqwest::Response> {
    for _ in 0..600 {
        if let Ok(r) = client.get(url).send().await {
            return Some(r);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

/// Every line `reader` gives until it closes (a child's standard error, read while it runs so that it
/// never blocks on a full pipe).
pub(crate) fn collect_lines(
    reader: impl std::io::Read + Send + 'static,
) -> std::thread::JoinHandle<Vec<String>> {
    use std::io::BufRead;
    std::thread::spawn(move || {
        std::io::BufReader::new(reader)
            .lines()
            .map_while(Result::ok)
            .collect()
    })
}

#[tokio::test]
async fn serve_answers_over_https_with_its_own_ca() {
    let served = Served::start(&[]).await;
    let r = served
        .client
        .get(format!("{}/healthz", served.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-ms-request-id"));
    assert_eq!(r.text().await.unwrap(), "ok");
    // Text logs, written to a pipe rather than a terminal, carry no colour codes.
    let logs = served.stop().join("\n");
    assert!(logs.contains("token signing key ready"), "{logs}");
    assert!(logs.contains("route=/healthz"), "{logs}");
    assert!(!logs.contains('\u{1b}'), "no ANSI escape codes: {logs:?}");
}

/// `tenantry serve --log-format json`: each request is answered with its ids in the headers its face's
/// clients know from Azure (and Graph's and Entra's error bodies name the same ids), and logged as one
/// JSON object with its id, method, route, status, latency and the caller's tenant and object id;
/// every line on standard error is a JSON object, and none holds a secret, a token, a password or a
/// query string.
#[tokio::test]
async fn serve_logs_json_lines_with_each_requests_ids_and_no_secret() {
    let served = Served::start(&["--log-format", "json"]).await;
    let (client, base) = (&served.client, &served.base);
    let header = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    // The request id `r` answers in header `id` (a fresh UUID), once it echoes each of `echoes`.
    let request_id = |r: &reqwest::Response, id: &str, echoes: &[(&str, &str)]| {
        let v = header(r, id);
        let fresh = v
            .as_deref()
            .is_some_and(|v| uuid::Uuid::parse_str(v).is_ok());
        assert!(fresh, "{id}: {:?}", r.headers());
        for (name, value) in echoes {
            assert_eq!(header(r, name).as_deref(), Some(*value), "{name}");
        }
        v
    };

    // The token endpoint: x-ms-request-id, and the client's client-request-id echoed.
    let token_for = |scope: &'static str| {
        client
            .post(format!("{base}/{ALICEDEFAULT}/oauth2/v2.0/token"))
            .header("client-request-id", "0b1e0000-0000-4000-8000-00000000c0de")
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", CI_CLIENT),
                ("client_secret", CI_SECRET),
                ("scope", scope),
            ])
            .send()
    };
    let r = token_for("https://management.azure.com/.default")
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let token_request = request_id(
        &r,
        "x-ms-request-id",
        &[("client-request-id", "0b1e0000-0000-4000-8000-00000000c0de")],
    );
    let body: serde_json::Value = r.json().await.unwrap();
    let arm_token = body["access_token"].as_str().unwrap().to_string();
    let r = token_for("https://graph.microsoft.com/.default")
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    let graph_token = body["access_token"].as_str().unwrap().to_string();

    // A refused password: Entra's trace id is the request id, its correlation id the client's.
    let password = "Not-Erins-Password-7!";
    let r = client
        .post(format!("{base}/{ALICEDEFAULT}/oauth2/v2.0/token"))
        .header("client-request-id", "msal-correlation-1")
        .form(&[
            ("grant_type", "password"),
            ("client_id", AZ_CLI),
            ("username", "erin@alicedefault.onmicrosoft.com"),
            ("password", password),
            (
                "scope",
                "https://management.azure.com/.default offline_access",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let refused_request = header(&r, "x-ms-request-id");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["trace_id"].as_str(),
        refused_request.as_deref(),
        "{body}"
    );
    assert_eq!(body["correlation_id"], "msal-correlation-1", "{body}");

    // ARM: its own request id, the client's correlation id, the client's request id echoed.
    let query_secret = "query-value-never-logged";
    let r = client
        .get(format!(
            "{base}/subscriptions?api-version=2022-12-01&probe={query_secret}"
        ))
        .bearer_auth(&arm_token)
        .header("x-ms-client-request-id", "arm-client-1")
        .header("x-ms-correlation-request-id", "arm-correlation-1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let arm_request = request_id(
        &r,
        "x-ms-request-id",
        &[
            ("x-ms-correlation-request-id", "arm-correlation-1"),
            ("x-ms-client-request-id", "arm-client-1"),
        ],
    );
    // Without the client's ids, the correlation id is the request id.
    let r = client
        .get(format!("{base}/subscriptions?api-version=2022-12-01"))
        .bearer_auth(&arm_token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(&r, "x-ms-correlation-request-id"),
        header(&r, "x-ms-request-id")
    );
    assert!(header(&r, "x-ms-client-request-id").is_none());

    // Graph: request-id and client-request-id, the same in an error's innerError.
    let r = client
        .get(format!(
            "{base}/v1.0/users/0b1e0000-0000-4000-8000-00000000dead"
        ))
        .bearer_auth(&graph_token)
        .header("client-request-id", "graph-client-1")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    let graph_request = request_id(&r, "request-id", &[("client-request-id", "graph-client-1")]);
    let body: serde_json::Value = r.json().await.unwrap();
    let inner = &body["error"]["innerError"];
    assert_eq!(
        inner["request-id"].as_str(),
        graph_request.as_deref(),
        "{body}"
    );
    assert_eq!(inner["client-request-id"], "graph-client-1", "{body}");
    // Refused before any handler (no token): the same ids, the client's being the request's own.
    let r = client.get(format!("{base}/v1.0/me")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let unauthenticated = header(&r, "request-id");
    assert_eq!(header(&r, "client-request-id"), unauthenticated);
    let body: serde_json::Value = r.json().await.unwrap();
    let inner = &body["error"]["innerError"];
    assert_eq!(
        inner["request-id"].as_str(),
        unauthenticated.as_deref(),
        "{body}"
    );
    assert_eq!(
        inner["client-request-id"].as_str(),
        unauthenticated.as_deref(),
        "{body}"
    );

    let lines = served.stop();
    let whole = lines.join("\n");
    for secret in [
        CI_SECRET,
        password,
        &arm_token,
        &graph_token,
        query_secret,
        "api-version",
        "Bearer",
    ] {
        assert!(!whole.contains(secret), "the logs hold {secret:?}: {whole}");
    }
    let events: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    for e in &events {
        assert!(e.is_object(), "{e}");
        for field in ["timestamp", "level", "target"] {
            assert!(e.get(field).is_some(), "no {field}: {e}");
        }
    }
    // One line per request, with its id as the answer's header gave it.
    let line_of = |id: &Option<String>| {
        let id = id.as_deref().unwrap();
        let found: Vec<&serde_json::Value> = events
            .iter()
            .filter(|e| e["target"] == "tenantry::request" && e["span"]["request_id"] == id)
            .collect();
        assert_eq!(found.len(), 1, "one line for request {id}: {whole}");
        found[0].clone()
    };
    let token_line = line_of(&token_request);
    assert_eq!(token_line["level"], "INFO");
    assert_eq!(token_line["status"], 200);
    assert_eq!(token_line["span"]["method"], "POST");
    assert_eq!(
        token_line["span"]["route"],
        format!("/{ALICEDEFAULT}/oauth2/v2.0/token")
    );
    assert!(token_line["latency_ms"].as_f64().is_some(), "{token_line}");
    assert_eq!(line_of(&refused_request)["status"], 400);
    let arm_line = line_of(&arm_request);
    assert_eq!(arm_line["status"], 200);
    assert_eq!(arm_line["span"]["method"], "GET");
    assert_eq!(arm_line["span"]["route"], "/subscriptions");
    assert!(arm_line["latency_ms"].as_f64().is_some(), "{arm_line}");
    // The caller: the application's service principal in the tenant its token names.
    assert_eq!(arm_line["span"]["tenant"], ALICEDEFAULT, "{arm_line}");
    let object_id = arm_line["span"]["object_id"].as_str().unwrap_or_default();
    assert!(uuid::Uuid::parse_str(object_id).is_ok(), "{arm_line}");
    let graph_line = line_of(&graph_request);
    assert_eq!(graph_line["span"]["tenant"], ALICEDEFAULT, "{graph_line}");
    assert_eq!(graph_line["span"]["object_id"], object_id, "{graph_line}");
    assert_eq!(
        graph_line["span"]["route"],
        "/v1.0/users/0b1e0000-0000-4000-8000-00000000dead"
    );
    let unauthenticated_line = line_of(&unauthenticated);
    assert_eq!(unauthenticated_line["status"], 401);
    assert!(unauthenticated_line["span"].get("tenant").is_none());
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `tenantry identity env` issues an endpoint secret for a resource with identities and prints both
/// forms' variables for the server's public URL; `revoke` takes every secret of the resource back; a
/// resource without identities gets none. Both are audited.
#[test]
fn identity_env_prints_both_forms_and_revoke_takes_them_back() {
    let dir = tenantry_store::testing::TempDir::new("tenantry-cli").unwrap();
    let data = dir.path().join("data");
    let world = dir.path().join("world.toml");
    let demo = std::fs::read_to_string(repo_root().join("worlds/demo.toml")).unwrap();
    std::fs::write(
        &world,
        format!(
            "{demo}\n  [[subscriptions.identities]]\n  name = \"id-web\"\n  resource_group = \"rg1\"\n\n  [[subscriptions.resource_groups]]\n  name = \"rg-web\"\n  location = \"westeurope\"\n\n    [[subscriptions.resource_groups.resources]]\n    type = \"Microsoft.Web/sites\"\n    name = \"site1\"\n    location = \"westeurope\"\n    identity = {{ type = \"SystemAssigned, UserAssigned\", user_assigned = [\"identity:rg1/id-web\"] }}\n\n    [[subscriptions.resource_groups.resources]]\n    type = \"Microsoft.Web/sites\"\n    name = \"plain\"\n    location = \"westeurope\"\n"
        ),
    )
    .unwrap();
    run(tenantry()
        .args(["world", "apply"])
        .arg(&world)
        .arg("--data")
        .arg(&data));
    let site =
        format!("/subscriptions/{PAYG}/resourceGroups/rg-web/providers/Microsoft.Web/sites/site1");
    let out = run(tenantry()
        .args([
            "identity",
            "env",
            &site,
            "--public-url",
            "https://tenantry.example:8443/",
        ])
        .arg("--data")
        .arg(&data));
    let var = |name: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(&format!("export {name}='")))
            .and_then(|v| v.strip_suffix('\''))
            .unwrap_or_else(|| panic!("no {name} in {out}"))
            .to_string()
    };
    let secret = var("IDENTITY_HEADER");
    assert!(secret.starts_with("tmi_"), "{out}");
    assert_eq!(
        var("IDENTITY_ENDPOINT"),
        "https://tenantry.example:8443/msi/token"
    );
    assert_eq!(
        var("AZURE_POD_IDENTITY_AUTHORITY_HOST"),
        format!("https://tenantry.example:8443/msi/{secret}")
    );
    let audit = run(tenantry()
        .args([
            "audit",
            "--operation",
            "tenantry/managedIdentityEndpointSecrets",
        ])
        .arg("--data")
        .arg(&data));
    assert!(audit.contains("issue") && audit.contains(&site), "{audit}");
    assert!(
        !audit.contains(&secret),
        "the audit log never holds the secret"
    );
    // The secret is not part of the world: applying the file again changes nothing, exports omit it.
    let again = run(tenantry()
        .args(["world", "apply"])
        .arg(&world)
        .arg("--data")
        .arg(&data));
    assert!(again.contains("nothing to do"), "{again}");
    let exported = run(tenantry().args(["world", "export", "--data"]).arg(&data));
    let hash = tenantry_service::crypto::hash_client_secret(&secret);
    assert!(
        exported.contains("site1") && !exported.contains(&hash),
        "{exported}"
    );
    let revoked = run(tenantry()
        .args(["identity", "revoke", &site])
        .arg("--data")
        .arg(&data));
    assert!(revoked.contains("revoked 1"), "{revoked}");

    let plain =
        format!("/subscriptions/{PAYG}/resourceGroups/rg-web/providers/Microsoft.Web/sites/plain");
    let out = tenantry()
        .args(["identity", "env", &plain])
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("has no managed identity"), "{err}");
}

/// `tenantry audit` stops at its limit and prints where it stopped; `--after` that cursor reads on from
/// there, so an operator reads the whole log in parts, each event once, as `--all` reads it at once.
#[test]
fn audit_reads_on_from_where_it_stopped() {
    let (_dir, data) = demo_data_directory();
    let audit = |args: &[&str]| {
        let out = tenantry()
            .arg("audit")
            .args(args)
            .args(["--json", "--data"])
            .arg(&data)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}");
        let lines: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        (lines, String::from_utf8(out.stderr).unwrap())
    };
    let (all, quiet) = audit(&["--all"]);
    assert!(all.len() > 5, "{all:?}");
    assert!(!quiet.contains("--after"), "{quiet}");
    let (first, said) = audit(&["--limit", "5"]);
    assert_eq!(first, all[..5]);
    let cursor = said
        .split_whitespace()
        .skip_while(|w| *w != "--after")
        .nth(1)
        .unwrap_or_else(|| panic!("no cursor in {said:?}"));
    let (rest, _) = audit(&["--all", "--after", cursor]);
    assert_eq!(rest, all[5..]);
    // Times as RFC 3339, durations ago, or unix seconds.
    assert_eq!(audit(&["--all", "--since", "2000-01-01T00:00:00Z"]).0, all);
    assert_eq!(audit(&["--all", "--since", "1h"]).0, all);
    assert_eq!(audit(&["--all", "--since", "946684800"]).0, all);
    assert!(
        audit(&["--all", "--until", "2000-01-01T00:00:00+01:00"])
            .0
            .is_empty()
    );
    assert!(audit(&["--all", "--until", "2d"]).0.is_empty());
    let vague = tenantry()
        .args(["audit", "--since", "yesterday", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!vague.status.success());
    assert!(String::from_utf8_lossy(&vague.stderr).contains("not a time"));
    let bad = tenantry()
        .args(["audit", "--after", "yesterday", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a cursor"));
}

/// On SIGTERM, `tenantry serve` stops taking connections, lets the request in flight finish (a write
/// held open before its commit by the test-only fault switch) and exits 0; `/readyz` answered 200
/// with what it checked before, `/healthz` only says it is alive.
#[tokio::test]
async fn serve_drains_requests_in_flight_on_sigterm_and_exits_cleanly() {
    use std::io::BufRead;
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let dir = tenantry_store::testing::TempDir::new("tenantry-serve").unwrap();
    let port = free_port();
    let mut child = tenantry()
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data"])
        .arg(dir.path())
        .arg("--world")
        .arg(repo_root().join("worlds/demo.toml"))
        .args(["--drain-timeout", "20"])
        .env("TENANTRY_FAULT_PAUSE_BEFORE_COMMIT_MS", "3000")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Each write announces its pause on standard error.
    let (paused_tx, paused_rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if line.contains("pausing") {
                let _ = paused_tx.send(());
            }
        }
    });
    let client = client_trusting_ca_of(dir.path()).await;
    let base = format!("https://localhost:{port}");
    let ready = first_answer(&client, &format!("{base}/readyz"))
        .await
        .expect("the server answered");
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready", "{body}");
    assert_eq!(body["database"], "reachable", "{body}");
    assert_eq!(body["behind"], 0, "{body}");

    let token: serde_json::Value = client
        .post(format!("{base}/{ALICEDEFAULT}/oauth2/v2.0/token"))
        .form(&[
            ("grant_type", "password"),
            ("client_id", AZ_CLI),
            ("username", "alice@outlook.com"),
            ("password", "Alice-2017!"),
            ("scope", "https://management.azure.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = token["access_token"].as_str().expect("a token").to_string();
    while paused_rx.try_recv().is_ok() {}
    // A write, held before its commit; SIGTERM arrives while it is in flight.
    let put = {
        let (client, base) = (client.clone(), base.clone());
        tokio::spawn(async move {
            client
                .put(format!(
                    "{base}/subscriptions/{PAYG}/resourcegroups/drained?api-version=2021-04-01"
                ))
                .bearer_auth(bearer)
                .json(&serde_json::json!({"location": "westeurope"}))
                .send()
                .await
        })
    };
    tokio::task::spawn_blocking(move || paused_rx.recv_timeout(Duration::from_secs(60)))
        .await
        .unwrap()
        .expect("the write paused before its commit");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let answer = put
        .await
        .unwrap()
        .expect("the request in flight was answered");
    assert_eq!(answer.status(), 201, "the write in flight finished");
    // The process exits by itself, cleanly, and takes no new connection meanwhile.
    let exited = eventually(Duration::from_secs(30), || {
        matches!(child.try_wait(), Ok(Some(_)))
    })
    .await;
    assert!(exited, "the server exited after draining");
    assert!(child.wait().unwrap().success(), "exit status 0");
    let fresh = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    assert!(fresh.get(format!("{base}/healthz")).send().await.is_err());
}
