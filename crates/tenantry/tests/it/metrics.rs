//! `GET /metrics` as an operator's Prometheus scrapes it, after a known workload, on both databases.
//! The `metrics` facade has one recorder per process, so each server here is a `tenantry serve`
//! process of its own: no other test's requests move its counters.

use crate::cli::{Served, free_port};
use crate::support::*;
use std::collections::BTreeMap;
use tenantry_service::domain::signin::LOCKOUT_THRESHOLD;

/// The operator's scrape token of these tests.
const SCRAPE_TOKEN: &str = "scrape-token-0b1e-metrics";
/// Client-credentials tokens the workload asks for.
const TOKENS: usize = 5;
/// ARM reads by the application (each allowed).
const ARM_READS: usize = 4;

/// One sample of the text format: name, labels, value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// The samples of a scrape (comment lines skipped). Label values here never hold `"`, `,` or `}`
/// (the test asserts they are templates and fixed words), which keeps the parser short.
fn parse(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').unwrap();
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => {
                    let inner = rest.strip_suffix('}').unwrap();
                    let labels = inner
                        .split("\",")
                        .filter(|p| !p.is_empty())
                        .map(|pair| {
                            let (k, v) = pair.split_once('=').unwrap();
                            (k.to_string(), v.trim_matches('"').to_string())
                        })
                        .collect();
                    (name.to_string(), labels)
                }
                None => (series.to_string(), BTreeMap::new()),
            };
            Sample {
                name,
                labels,
                value: value.parse().unwrap_or_else(|e| panic!("{line}: {e}")),
            }
        })
        .collect()
}

/// The sum of the samples named `name` whose labels include `with`.
fn sum(samples: &[Sample], name: &str, with: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|s| s.name == name)
        .filter(|s| {
            with.iter()
                .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
        .sum()
}

/// GET `/metrics` on the separate listener.
async fn scrape(port: u16) -> Vec<Sample> {
    let r = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
    parse(&r.text().await.unwrap())
}

/// What moved between two scrapes.
struct Moved<'a> {
    before: &'a [Sample],
    after: &'a [Sample],
}

impl Moved<'_> {
    fn by(&self, name: &str, with: &[(&str, &str)]) -> f64 {
        sum(self.after, name, with) - sum(self.before, name, with)
    }
}

#[tokio::test]
async fn metrics_count_a_known_workload_on_both_databases() {
    let pg = fresh_pg_database(&pg_admin_url()).await.unwrap();
    for database in [None, Some(pg)] {
        let port = free_port();
        let listen = format!("127.0.0.1:{port}");
        let mut args = vec!["--metrics-listen", &listen, "--metrics-token", SCRAPE_TOKEN];
        if let Some(url) = &database {
            args.extend(["--database-url", url.as_str()]);
        }
        let served = Served::start(&args).await;
        count_a_known_workload(&served, port).await;
        served.stop();
    }
}

async fn count_a_known_workload(served: &Served, port: u16) {
    let (client, base) = (&served.client, &served.base);
    let token_url = format!("{base}/{ALICEDEFAULT}/oauth2/v2.0/token");
    let before = scrape(port).await;

    // Tokens: client credentials, a wrong secret (AADSTS7000215), a user's password.
    let client_credentials = |secret: &'static str| {
        client
            .post(&token_url)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", CI_CLIENT),
                ("client_secret", secret),
                ("scope", "https://management.azure.com/.default"),
            ])
            .send()
    };
    let erins_password = |password: &'static str| {
        client
            .post(&token_url)
            .form(&[
                ("grant_type", "password"),
                ("client_id", AZ_CLI),
                ("username", "erin@alicedefault.onmicrosoft.com"),
                ("password", password),
                ("scope", "https://management.azure.com/.default"),
            ])
            .send()
    };
    let mut app = String::new();
    for _ in 0..TOKENS {
        let r = client_credentials(CI_SECRET).await.unwrap();
        assert_eq!(r.status(), 200);
        let body: serde_json::Value = r.json().await.unwrap();
        app = body["access_token"].as_str().unwrap().to_string();
    }
    let r = client_credentials("wrong-secret").await.unwrap();
    assert_eq!(r.status(), 401);
    let r = erins_password("Erin-Default-1!").await.unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    let erin = body["access_token"].as_str().unwrap().to_string();

    // ARM: reads the application may make, one write, and a read Erin (Reader of rg1 only) may not.
    let arm = |path: String, token: &str| {
        client
            .get(format!("{base}{path}?api-version=2022-12-01"))
            .bearer_auth(token)
            .send()
    };
    let reads = [
        format!("/subscriptions/{PAYG}"),
        format!("/subscriptions/{PAYG}/resourcegroups"),
        format!("/subscriptions/{PAYG}/resourcegroups/rg1"),
        format!("/subscriptions/{PAYG}/resourcegroups/rg1"),
    ];
    assert_eq!(reads.len(), ARM_READS);
    for path in reads {
        let r = arm(path.clone(), &app).await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
    let r = client
        .put(format!(
            "{base}/subscriptions/{PAYG}/resourcegroups/metered?api-version=2022-12-01"
        ))
        .bearer_auth(&app)
        .json(&serde_json::json!({"location": "westeurope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = arm(
        format!("/subscriptions/{PAYG}/resourcegroups/metered"),
        &erin,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 403);

    // The main listener: 401 without the operator's token (or with another), the same text with it.
    let main = format!("{base}/metrics");
    let r = client.get(&main).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = client
        .get(&main)
        .bearer_auth("not-the-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = client
        .get(&main)
        .bearer_auth(SCRAPE_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("tenantry_http_requests_total")
    );

    // Smart lockout: the tenth wrong password in a row locks the account and this client's address.
    for _ in 0..LOCKOUT_THRESHOLD {
        let r = erins_password("Not-Erins-Password-7!").await.unwrap();
        assert_eq!(r.status(), 400);
    }

    let after = scrape(port).await;
    let moved = Moved {
        before: &before,
        after: &after,
    };
    let tokens = "tenantry_tokens_issued_total";
    assert_eq!(
        moved.by(tokens, &[("grant", "client_credentials")]),
        TOKENS as f64
    );
    assert_eq!(moved.by(tokens, &[("grant", "password")]), 1.0);
    let refusals = "tenantry_token_refusals_total";
    assert_eq!(moved.by(refusals, &[("code", "AADSTS7000215")]), 1.0);
    assert_eq!(
        moved.by(refusals, &[("code", "AADSTS50126")]),
        LOCKOUT_THRESHOLD as f64
    );
    assert_eq!(
        moved.by(refusals, &[]),
        (LOCKOUT_THRESHOLD + 1) as f64,
        "no other refusal"
    );
    assert_eq!(
        moved.by("tenantry_signin_lockouts_total", &[]),
        2.0,
        "the account and the address"
    );

    let requests = "tenantry_http_requests_total";
    let token_route = [
        ("face", "entra"),
        ("route", "/{tenant}/oauth2/v2.0/token"),
        ("method", "POST"),
    ];
    let token_requests = (TOKENS + 2 + LOCKOUT_THRESHOLD as usize) as f64;
    assert_eq!(moved.by(requests, &token_route), token_requests);
    let arm_gets = [("face", "arm"), ("method", "GET")];
    assert_eq!(
        moved.by(requests, &[arm_gets[0], arm_gets[1], ("status", "200")]),
        ARM_READS as f64
    );
    assert_eq!(
        moved.by(requests, &[arm_gets[0], arm_gets[1], ("status", "403")]),
        1.0
    );
    assert_eq!(
        moved.by(
            requests,
            &[("face", "arm"), ("method", "PUT"), ("status", "201")]
        ),
        1.0
    );
    // Reads below a subscription are one series: the route is the template, not the path.
    let below = [
        ("route", "/subscriptions/{id}/{*rest}"),
        ("method", "GET"),
        ("status", "200"),
    ];
    assert_eq!(
        moved.by(requests, &below),
        (ARM_READS - 1) as f64,
        "{:?}",
        series(&after, requests)
    );
    assert_eq!(
        moved.by(
            requests,
            &[("face", "other"), ("route", "/metrics"), ("status", "401")]
        ),
        2.0
    );

    let decisions = "tenantry_authz_decisions_total";
    assert_eq!(
        moved.by(decisions, &[("decision", "allowed")]),
        (ARM_READS + 1) as f64
    );
    assert_eq!(moved.by(decisions, &[("decision", "denied")]), 1.0);

    // Histograms: buckets, a sum and a count per series.
    let latency = "tenantry_http_request_duration_seconds";
    assert_eq!(
        moved.by(&format!("{latency}_count"), &token_route),
        token_requests
    );
    assert!(sum(&after, &format!("{latency}_bucket"), &[("le", "+Inf")]) > 0.0);
    assert!(sum(&after, &format!("{latency}_sum"), &[]) > 0.0);
    let db = "tenantry_db_query_duration_seconds";
    assert!(moved.by(&format!("{db}_count"), &[("query", "write")]) >= 1.0);
    assert!(sum(&after, &format!("{db}_bucket"), &[("query", "change_feed")]) > 0.0);

    // Gauges: the world's revision, the change feed's lag, the pool, the process.
    assert!(sum(&after, "tenantry_world_revision", &[]) > 0.0);
    assert_eq!(sum(&after, "tenantry_change_feed_lag_revisions", &[]), 0.0);
    assert_eq!(sum(&after, "tenantry_database_available", &[]), 1.0);
    assert!(sum(&after, "tenantry_db_pool_connections", &[("state", "open")]) >= 1.0);
    assert!(sum(&after, "process_resident_memory_bytes", &[]) > 0.0);
    assert!(sum(&after, "process_open_fds", &[]) > 0.0);
    assert!(after.iter().any(|s| s.name == "process_cpu_seconds_total"));

    // No id, name or raw path in a label: routes are templates, `unmatched` or the operator's own.
    for s in &after {
        for (k, v) in &s.labels {
            for id in [PAYG, ALICEDEFAULT, CI_CLIENT, "metered", "rg1", "erin"] {
                assert!(!v.contains(id), "{k}={v} in {}", s.name);
            }
            if k == "route" {
                assert!(v == "unmatched" || v.starts_with('/'), "{v}");
            }
        }
    }
}

/// `tenantry serve --metrics-listen ADDR` answers `/metrics` there over plain HTTP; without
/// `--metrics-token` the main listener does not serve it (404), and a server with neither setting
/// counts nothing and serves no metrics.
#[tokio::test]
async fn serve_with_metrics_listen_answers_there_only() {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let served = Served::start(&["--metrics-listen", &listen]).await;
    let samples = scrape(port).await;
    assert!(
        samples
            .iter()
            .any(|s| s.name == "tenantry_http_requests_total"),
        "the start's health checks are counted"
    );
    let r = served
        .client
        .get(format!("{}/metrics", served.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    served.stop();

    let served = Served::start(&[]).await;
    let r = served
        .client
        .get(format!("{}/metrics", served.base))
        .bearer_auth(SCRAPE_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    served.stop();
}

/// The label sets of `name`, for a failure's message.
fn series(samples: &[Sample], name: &str) -> Vec<String> {
    samples
        .iter()
        .filter(|s| s.name == name)
        .map(|s| format!("{:?} {}", s.labels, s.value))
        .collect()
}
