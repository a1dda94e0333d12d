//! Throttling as ARM, Graph and Entra do it, on both databases: ARM's `x-ms-ratelimit-remaining-*`
//! headers count down per principal and scope; an empty bucket is a 429 with `Retry-After` and ARM's
//! body (the principal's, then the whole tenant's); Graph's and the token endpoint's 429s in their own
//! formats; nothing of it when throttling is off. Then the real clients: azure-identity and
//! azure-mgmt-resource meet a 429 and succeed by waiting as `Retry-After` says.

use crate::support::*;
use reqwest::Method;
use tenantry_server::throttle::{Limit, ThrottleSettings};

const SUBSCRIPTION_READS: &str = "x-ms-ratelimit-remaining-subscription-reads";
const SUBSCRIPTION_WRITES: &str = "x-ms-ratelimit-remaining-subscription-writes";
const TENANT_READS: &str = "x-ms-ratelimit-remaining-tenant-reads";

/// One request every 4 seconds after the burst: nothing refills while a test takes its few steps.
const SLOW: f64 = 0.25;

/// The demo world, served throttled as `settings` say.
async fn demo(store: &TestStore, settings: ThrottleSettings) -> TestServer {
    TestServer::throttled(demo_service(store).await, settings).await
}

fn groups() -> String {
    format!("/subscriptions/{PAYG}/resourcegroups?api-version=2022-04-01")
}

fn remaining(r: &Resp, header: &str) -> Option<u32> {
    r.headers.get(header)?.to_str().ok()?.parse().ok()
}

/// The object id a token names (its `oid` claim).
fn oid(token: &str) -> String {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    claims["oid"].as_str().unwrap().to_string()
}

#[track_caller]
fn retry_after(r: &Resp) -> u64 {
    r.headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no Retry-After on {} {}", r.status, r.text))
}

#[track_caller]
fn throttled(r: &Resp) -> u64 {
    assert_eq!(r.status.as_u16(), 429, "{}", r.text);
    let wait = retry_after(r);
    assert!((1..=4).contains(&wait), "Retry-After: {wait}");
    wait
}

#[tokio::test]
async fn arm_counts_down_per_principal_and_refuses_with_retry_after() {
    for store in both().await {
        let srv = demo(
            &store,
            ThrottleSettings {
                arm_reads: Limit::new(3, SLOW),
                arm_writes: Limit::new(2, SLOW),
                arm_tenant_reads: Limit::new(4, SLOW),
                ..Default::default()
            },
        )
        .await;
        let app = app_token(&srv, ALICEDEFAULT, CI_CLIENT, CI_SECRET, ARM).await;
        let alice = user_token(&srv, ALICEDEFAULT, "alice@outlook.com", "Alice-2017!", ARM).await;

        // The application's reads of the subscription count down from its burst of 3.
        let mut left = vec![];
        for _ in 0..3 {
            let r = send(&srv, Method::GET, &groups(), Some(&app), None).await;
            assert_eq!(r.status.as_u16(), 200, "{}", r.text);
            left.push(remaining(&r, SUBSCRIPTION_READS).expect("the reads header"));
        }
        assert_eq!(left, [2, 1, 0]);
        let r = send(&srv, Method::GET, &groups(), Some(&app), None).await;
        let wait = throttled(&r);
        assert_eq!(remaining(&r, SUBSCRIPTION_READS), Some(0));
        assert_eq!(r.body["error"]["code"], "SubscriptionRequestsThrottled");
        let message = r.body["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!(
                "Number of 'read' requests for subscription '{PAYG}' actor '{}' exceeded.",
                oid(&app)
            )) && message.contains(&format!("try again after '{wait}' seconds")),
            "{message}"
        );

        // Writes have their own bucket, tenant-level paths their own scope and header.
        let put = send(
            &srv,
            Method::PUT,
            &format!("/subscriptions/{PAYG}/resourcegroups/throttled?api-version=2022-04-01"),
            Some(&app),
            Some(r#"{"location":"westeurope"}"#),
        )
        .await;
        assert!(put.status.is_success(), "{}", put.text);
        assert_eq!(remaining(&put, SUBSCRIPTION_WRITES), Some(1));
        assert_eq!(remaining(&put, SUBSCRIPTION_READS), None);
        let subs = send(
            &srv,
            Method::GET,
            "/subscriptions?api-version=2022-12-01",
            Some(&app),
            None,
        )
        .await;
        assert_eq!(subs.status.as_u16(), 200, "{}", subs.text);
        // Its own bucket for the tenant's scope holds 2 more; the tenant's is empty (4 reads).
        assert_eq!(remaining(&subs, TENANT_READS), Some(0));
        assert_eq!(remaining(&subs, SUBSCRIPTION_READS), None);

        // Another principal of the same tenant: its own bucket is full, the tenant's is empty.
        let r = send(&srv, Method::GET, &groups(), Some(&alice), None).await;
        throttled(&r);
        assert_eq!(r.body["error"]["code"], "TooManyRequests", "{}", r.text);

        // After the wait it says, the application is served again.
        tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
        let r = send(&srv, Method::GET, &groups(), Some(&app), None).await;
        assert_eq!(r.status.as_u16(), 200, "{}", r.text);
        assert_eq!(remaining(&r, SUBSCRIPTION_READS), Some(0));
    }
}

#[tokio::test]
async fn tenant_level_paths_are_refused_as_the_tenants_requests() {
    let store = tenantry_store::testing::sqlite().await;
    let srv = demo(
        &store,
        ThrottleSettings {
            arm_reads: Limit::new(1, SLOW),
            ..Default::default()
        },
    )
    .await;
    let app = app_token(&srv, ALICEDEFAULT, CI_CLIENT, CI_SECRET, ARM).await;
    let tenants = "/tenants?api-version=2022-12-01";
    let r = send(&srv, Method::GET, tenants, Some(&app), None).await;
    assert_eq!(remaining(&r, TENANT_READS), Some(0), "{}", r.text);
    let r = send(&srv, Method::GET, tenants, Some(&app), None).await;
    throttled(&r);
    assert_eq!(r.body["error"]["code"], "TenantRequestsThrottled");
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!(
                "Number of 'read' requests for tenant '{ALICEDEFAULT}' actor '{}' exceeded.",
                oid(&app)
            )),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn graph_and_the_token_endpoint_answer_429_in_their_formats() {
    for store in both().await {
        let srv = demo(
            &store,
            ThrottleSettings {
                graph: Limit::new(2, SLOW),
                token: Limit::new(3, SLOW),
                ..Default::default()
            },
        )
        .await;
        // The confidential client's bucket: 3 tokens, then Entra's 429.
        let graph = app_token(&srv, ALICEDEFAULT, CI_CLIENT, CI_SECRET, GRAPH).await;
        for _ in 0..2 {
            app_token(&srv, ALICEDEFAULT, CI_CLIENT, CI_SECRET, ARM).await;
        }
        let scope = format!("{ARM}/.default");
        let r = client_credentials_grant(&srv, ALICEDEFAULT, CI_CLIENT, CI_SECRET, &scope).await;
        throttled(&r);
        assert_eq!(r.body["error"], "temporarily_unavailable", "{}", r.text);
        assert_eq!(r.body["error_codes"][0], 90055, "{}", r.text);
        assert!(r.str("error_description").starts_with("AADSTS90055: "));
        assert_eq!(r.headers["cache-control"], "no-store, no-cache");

        // A public client is counted per address, apart from the confidential one.
        let user = "alice@outlook.com";
        for _ in 0..3 {
            user_token(&srv, ALICEDEFAULT, user, "Alice-2017!", GRAPH).await;
        }
        let r = password_grant(&srv, ALICEDEFAULT, user, "Alice-2017!", &scope).await;
        throttled(&r);

        // Graph: 2 requests, then its odata error.
        for _ in 0..2 {
            let r = send(&srv, Method::GET, "/v1.0/users", Some(&graph), None).await;
            assert_ne!(r.status.as_u16(), 429, "{}", r.text);
        }
        let r = send(&srv, Method::GET, "/v1.0/users", Some(&graph), None).await;
        throttled(&r);
        assert_eq!(r.body["error"]["code"], "TooManyRequests", "{}", r.text);
        assert!(r.body["error"]["innerError"]["request-id"].is_string());
        assert!(r.headers.get("request-id").is_some());
    }
}

#[tokio::test]
async fn without_throttling_answers_carry_no_limits() {
    let store = tenantry_store::testing::sqlite().await;
    let srv = demo(
        &store,
        ThrottleSettings {
            enabled: false,
            arm_reads: Limit::new(1, SLOW),
            ..Default::default()
        },
    )
    .await;
    let app = app_token(&srv, ALICEDEFAULT, CI_CLIENT, CI_SECRET, ARM).await;
    for _ in 0..3 {
        let r = send(&srv, Method::GET, &groups(), Some(&app), None).await;
        assert_eq!(r.status.as_u16(), 200, "{}", r.text);
        assert!(
            !r.headers
                .keys()
                .any(|h| h.as_str().starts_with("x-ms-ratelimit")),
            "{:?}",
            r.headers
        );
    }
}

/// `tenantry serve` takes its limits from `--throttle-*`, and `--throttle off` lifts them.
#[tokio::test]
async fn serve_takes_its_limits_from_its_flags() {
    for (args, limited) in [
        (&["--throttle-arm-reads", "1/0.25"][..], true),
        (
            &["--throttle-arm-reads", "1/0.25", "--throttle", "off"][..],
            false,
        ),
    ] {
        let served = crate::cli::Served::start(args).await;
        let token = &ci_arm_token(&served.client, &served.base).await;
        let mut answers = vec![];
        for _ in 0..2 {
            let r = served
                .client
                .get(format!("{}{}", served.base, groups()))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            let left = r
                .headers()
                .get(SUBSCRIPTION_READS)
                .map(|v| v.to_str().unwrap().to_string());
            answers.push((r.status().as_u16(), left));
        }
        served.stop();
        if limited {
            assert_eq!(answers, [(200, Some("0".into())), (429, Some("0".into()))]);
        } else {
            assert_eq!(answers, [(200, None), (200, None)]);
        }
    }
}

/// Two instances on one PostgreSQL database: what a caller spent at one is charged at the other within
/// the exchange interval (a second), so the limit holds across instances within one interval's requests.
#[tokio::test]
async fn two_instances_on_postgresql_drain_a_callers_bucket_together() {
    let store = tenantry_store::testing::postgres().await;
    let settings = ThrottleSettings {
        arm_reads: Limit::new(4, SLOW),
        ..Default::default()
    };
    let a = demo(&store, settings.clone()).await;
    let svc = tenantry_service::Service::open(store.open_again().await)
        .await
        .unwrap();
    let _follower = svc.spawn_follower();
    let b = TestServer::throttled_behind(svc, &a, settings).await;
    let app = app_token(&a, ALICEDEFAULT, CI_CLIENT, CI_SECRET, ARM).await;
    for _ in 0..4 {
        let r = send(&a, Method::GET, &groups(), Some(&app), None).await;
        assert_eq!(r.status.as_u16(), 200, "{}", r.text);
    }
    // Two exchange intervals: one for the first instance to write, one for the second to read.
    tokio::time::sleep(
        2 * tenantry_server::throttle::EXCHANGE_EVERY + std::time::Duration::from_millis(300),
    )
    .await;
    let r = send(&b, Method::GET, &groups(), Some(&app), None).await;
    throttled(&r);
    assert_eq!(r.body["error"]["code"], "SubscriptionRequestsThrottled");
    // And the first is empty too: its own use, not charged again from the table.
    let r = send(&a, Method::GET, &groups(), Some(&app), None).await;
    throttled(&r);
}

/// azure-identity and azure-mgmt-resource against a server that lets through 2 requests and then one
/// every 2 seconds: the SDKs meet 429s, wait as `Retry-After` says, and every call returns normally.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_sdks_wait_out_a_429_and_succeed() {
    let python = required_tool("TENANTRY_TEST_PYTHON");
    let store = tenantry_store::testing::sqlite().await;
    let srv = demo(
        &store,
        ThrottleSettings {
            arm_reads: Limit::new(2, 0.5),
            token: Limit::new(1, 0.5),
            ..Default::default()
        },
    )
    .await;
    let script = repo_root().join("crates/tenantry/tests/py/throttling.py");
    let srv_ref = &srv;
    tokio::task::block_in_place(|| run_client(&python, &[script.to_str().unwrap()], srv_ref, &[]));
}
