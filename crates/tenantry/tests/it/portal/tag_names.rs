//! A subscription's tag names on its overview: the predefined ones beside those in
//! use, with their counts, in a small table; absent for whoever may not list them. In Chromium (with a
//! screenshot and the accessibility checks) and over HTTP on both databases.

use super::*;
use tenantry_service::domain::Scope;
use tenantry_service::domain::tags;

const ERIN: (&str, &str) = ("erin@alicedefault.onmicrosoft.com", "Erin-Default-1!");

async fn tag_names_server(store: &TestStore) -> TestServer {
    let svc = demo_service(store).await;
    // Alice (Owner) tags rg1 env = prod, and predefines env with two values, and costcenter.
    let (alice, sub) = (signed_in(&svc, ALICE.0, "alicedefault"), payg(&svc));
    let rg1 = Scope::parse_relative(sub, "resourceGroups/rg1").unwrap();
    let env_prod = tags::Tags::from([("env".to_string(), "prod".to_string())]);
    svc.set_tags(&alice, &rg1, tags::TagsOperation::Merge, env_prod)
        .await
        .unwrap();
    for name in ["env", "costcenter"] {
        svc.create_tag_name(&alice, sub, name).await.unwrap();
    }
    for value in ["prod", "dev"] {
        svc.create_tag_value(&alice, sub, "env", value)
            .await
            .unwrap();
    }
    TestServer::start_on(svc, 0).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_shows_a_subscriptions_tag_names() {
    let store = tenantry_store::testing::sqlite().await;
    let server = tag_names_server(&store).await;
    let sub = payg(&server.svc);
    let b = Browser::open(&server).await;
    b.sign_in(ALICE.0, ALICE.1, None).await;
    b.goto(&format!("/portal/subscriptions/{sub}")).await;
    let table = b.text("#tag-names").await;
    assert!(table.contains("costcenter"), "{table}");
    assert!(table.contains("prod (1), dev (0)"), "{table}");
    b.scroll_to("#h-tag-names").await;
    b.screen("77a-subscription-tag-names").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tag_names_on_the_overview_on_both_databases() {
    for store in both().await {
        let server = tag_names_server(&store).await;
        let sub = payg(&server.svc);
        let mut alice = Portal::sign_in(&server, ALICE.0, ALICE.1).await;
        let (status, html) = alice.get(&format!("/portal/subscriptions/{sub}")).await;
        assert_eq!(status, 200);
        assert!(html.contains("id=\"tag-names\""), "{html}");
        assert!(
            html.contains("<td>env</td><td>1</td><td>prod (1), dev (0)</td>"),
            "{html}"
        );
        assert!(html.contains("<td>costcenter</td><td>0</td>"), "{html}");
        // erin reads rg1 only: she may not list the subscription's tag names, so no table.
        let mut erin = Portal::sign_in(&server, ERIN.0, ERIN.1).await;
        let (status, html) = erin.get(&format!("/portal/subscriptions/{sub}")).await;
        assert_eq!(status, 200);
        assert!(!html.contains("id=\"tag-names\""));
    }
}
