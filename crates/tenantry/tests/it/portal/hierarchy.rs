//! The portal's hierarchy (management groups and the subscriptions under them), a subscription's
//! lifecycle (create, rename, cancel with its confirmation, enable again; nothing written while it is
//! Disabled) and tags on subscriptions, resource groups and resources. In Chromium (with screenshots and
//! the accessibility checks of every screen) and over HTTP on both databases.

use super::*;
use tenantry_service::domain::rules::{hierarchy, subscriptions};
use tenantry_service::domain::tags;
use tenantry_service::domain::{Scope, SubscriptionId, SubscriptionState};

const ERIN: (&str, &str) = ("erin@alicedefault.onmicrosoft.com", "Erin-Default-1!");

/// A web site in rg1 of Pay-As-You-Go, tagged.
const WEB_SITE: &str = r#"
[[subscriptions]]
display_name = "Pay-As-You-Go"
id = "5b5c0000-0000-4000-8000-000000000001"
tenant = "alicedefault"
service_admin = "alice@outlook.com"
account_admin = "alice@outlook.com"

  [[subscriptions.resource_groups]]
  name = "rg1"
  location = "westeurope"

    [[subscriptions.resource_groups.resources]]
    type = "Microsoft.Web/sites"
    name = "web1"
    location = "westeurope"
    tags = { env = "test" }
"#;

async fn hierarchy_server(store: &TestStore) -> TestServer {
    let svc = demo_service(store).await;
    svc.apply_world(WEB_SITE, &mut |_, _| {})
        .await
        .expect("add the web site");
    TestServer::start_on(svc, 0).await
}

/// The management group a subscription is under.
fn parent_of(svc: &tenantry_service::Service, sub: SubscriptionId) -> String {
    svc.read(|w| {
        let t = w.subscription(sub).unwrap().subscription.tenant;
        w.tenant(t).unwrap().subscription_parent(sub)
    })
}

fn state_of(svc: &tenantry_service::Service, sub: SubscriptionId) -> SubscriptionState {
    svc.read(|w| w.subscription(sub).unwrap().subscription.state)
}

fn subscription_tags(svc: &tenantry_service::Service, sub: SubscriptionId) -> tags::Tags {
    svc.read(|w| w.subscription(sub).unwrap().subscription.tags.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_hierarchy_lifecycle_and_tags() {
    let store = tenantry_store::testing::sqlite().await;
    let server = hierarchy_server(&store).await;
    let svc = &server.svc;
    let sub = payg(svc);

    let b = Browser::open(&server).await;
    b.sign_in(ALICE.0, ALICE.1, None).await;
    b.click("nav.mainnav a[href='/hierarchy']").await;
    b.expect_h1("Management groups of Default Directory").await;
    let tree = b.text("#hierarchy").await;
    assert!(
        tree.contains("Tenant Root Group") && tree.contains("Pay-As-You-Go"),
        "{tree}"
    );

    // Two groups, one in the other.
    for (id, name, parent) in [
        ("platform", "Platform", "Tenant Root Group"),
        ("corp", "Corp", "Platform"),
    ] {
        b.fill("#mg-name", id).await;
        b.fill("#mg-display-name", name).await;
        b.select("#mg-parent", parent).await;
        b.click("#create-mg").await;
        b.expect_text("Management group created").await;
    }
    b.find("#hierarchy li[data-group='platform'] li[data-group='corp']")
        .await;

    // Pay-As-You-Go moves under Corp, with the keyboard: the select takes the focus, then its button.
    b.select(&format!("#move-{sub}"), "Corp").await;
    b.find(&format!("#sub-{sub} button"))
        .await
        .send_keys("\u{E007}")
        .await
        .unwrap();
    b.expect_text("Subscription moved").await;
    assert_eq!(parent_of(svc, sub), "corp");
    let corp = b
        .text_when("#hierarchy li[data-group='corp']", |t| {
            t.contains("Pay-As-You-Go")
        })
        .await;
    assert!(corp.contains(&sub.to_string()), "{corp}");

    // A subscription created under Platform, as a Dev/Test workload.
    b.fill("#sub-display-name", "Sandbox").await;
    b.select("#sub-workload", "Dev/Test").await;
    b.select("#sub-group", "Platform").await;
    b.click("#create-subscription").await;
    b.expect_text("Subscription created").await;
    b.expect_text("under the management group you picked").await;
    let sandbox = svc.read(|w| {
        w.subscriptions()
            .find(|s| s.subscription.display_name == "Sandbox")
            .map(|s| s.subscription.id)
            .expect("the new subscription")
    });
    assert_eq!(parent_of(svc, sandbox), "platform");
    b.text_when("#hierarchy li[data-group='platform']", |t| {
        t.contains("Sandbox")
    })
    .await;
    b.screen("75-hierarchy").await;

    // Platform cannot go while it holds Corp and Sandbox: the rule's refusal, with what to do.
    let platform = b
        .find("#hierarchy li[data-group='platform'] > details")
        .await;
    platform
        .find(Locator::Css("summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.click("button[aria-label='Delete the management group Platform']")
        .await;
    b.expect_text("still has 1 child group(s) and 1 subscription(s)")
        .await;
    b.expect_text("Move or delete its child groups").await;
    b.screen("76-management-group-delete-refused").await;
    // Renamed instead: its id stays.
    b.find("#hierarchy li[data-group='platform'] > details summary")
        .await
        .click()
        .await
        .unwrap();
    let rename = b
        .find("#hierarchy li[data-group='platform'] > details input[name='display_name']")
        .await;
    rename.clear().await.unwrap();
    rename.send_keys("Platform team\u{E007}").await.unwrap();
    b.expect_text("Management group renamed").await;
    b.text_when("#hierarchy li[data-group='platform']", |t| {
        t.contains("Platform team")
    })
    .await;

    // The subscription's tags: one added, one refused next to its field for its characters.
    b.click(&format!("#sub-{sub} a")).await;
    b.expect_h1("Pay-As-You-Go").await;
    b.fill("#tags-subscription-name", "env").await;
    b.fill("#tags-subscription-value", "prod").await;
    b.click("#tags-subscription button[type='submit']:not([aria-label])")
        .await;
    b.expect_text("Tag saved").await;
    assert_eq!(
        subscription_tags(svc, sub).get("env").map(String::as_str),
        Some("prod")
    );
    b.fill("#tags-subscription-name", "cost/center").await;
    b.fill("#tags-subscription-value", "42").await;
    b.click("#tags-subscription button[type='submit']:not([aria-label])")
        .await;
    let refused = b
        .text_when("#tags-subscription-error", |t| !t.is_empty())
        .await;
    assert!(refused.contains("reserved characters"), "{refused}");
    assert_eq!(
        b.text(".flash-error").await,
        "",
        "the refusal is next to the field, not at the top"
    );
    b.scroll_to("#h-tags").await;
    b.screen("77-subscription-tags").await;

    // The resource group's and the web site's tags, on the group's resources page.
    b.click("a[href$='/resourceGroups/rg1/resources']").await;
    b.expect_h1("Resources of rg1").await;
    assert!(b.text("#resources").await.contains("env: test"));
    b.fill("#tags-0-name", "owner").await;
    b.fill("#tags-0-value", "alice").await;
    b.click("#tags-0 button[type='submit']:not([aria-label])")
        .await;
    b.expect_text("Tag saved").await;
    b.click("#tags-1 button[aria-label='Remove the tag env of web1 (Microsoft.Web/sites)']")
        .await;
    b.expect_text("Tag removed").await;
    assert!(b.text("#resources").await.contains("None"));
    b.scroll_to("#h-tags").await;
    b.screen("78-resource-tags").await;

    // Cancelled, after a confirmation that says it becomes read-only.
    b.goto(&format!("/portal/subscriptions/{sub}")).await;
    b.click("#cancel-subscription").await;
    b.expect_h1("Cancel Pay-As-You-Go").await;
    b.expect_text("becomes read-only").await;
    b.screen("79-cancel-confirmation").await;
    b.click("#confirm-cancel").await;
    b.expect_text("Subscription cancelled").await;
    assert_eq!(state_of(svc, sub), SubscriptionState::Disabled);
    assert_eq!(b.text("#sub-state").await, "Disabled");
    b.find("#read-only-subscription").await;
    b.find("#enable-subscription").await;
    for gone in [
        "#rename-subscription",
        "#cancel-subscription",
        "#tags-subscription-name",
    ] {
        assert!(
            b.client
                .find_all(Locator::Css(gone))
                .await
                .unwrap()
                .is_empty(),
            "{gone} is not offered on a Disabled subscription"
        );
    }
    b.screen("80-subscription-disabled").await;
    // No write form on its other pages either.
    b.click("nav.tabs a[href$='/access']").await;
    b.expect_h1("Access control").await;
    b.find("#read-only-subscription").await;
    assert!(
        b.client
            .find_all(Locator::Css("#principal_name, #principal-name"))
            .await
            .unwrap()
            .is_empty()
    );
    b.click("nav.tabs a[href$='/administrators']").await;
    b.expect_h1("Administrators of Pay-As-You-Go").await;
    b.find("#read-only-subscription").await;
    assert!(
        b.client
            .find_all(Locator::Css("#add-co-admin, #change-sa"))
            .await
            .unwrap()
            .is_empty()
    );
    b.goto(&format!(
        "/portal/subscriptions/{sub}/resourceGroups/rg1/resources"
    ))
    .await;
    b.find("#read-only-subscription").await;
    assert!(
        b.client
            .find_all(Locator::Css("#tags-0-name"))
            .await
            .unwrap()
            .is_empty()
    );
    // Enabled again.
    b.goto(&format!("/portal/subscriptions/{sub}")).await;
    b.click("#enable-subscription").await;
    b.expect_text("Subscription enabled").await;
    assert_eq!(b.text("#sub-state").await, "Enabled");
    assert_eq!(state_of(svc, sub), SubscriptionState::Enabled);
    b.sign_out().await;

    // Erin, a member with Reader on rg1: the root only, no subscription to create.
    b.sign_in(ERIN.0, ERIN.1, None).await;
    b.goto("/hierarchy").await;
    b.expect_h1("Management groups of Default Directory").await;
    let tree = b.text("#hierarchy").await;
    assert!(tree.contains("Tenant Root Group"), "{tree}");
    assert!(
        !tree.contains("Platform") && !tree.contains("Pay-As-You-Go"),
        "{tree}"
    );
    b.find("#may-not-create-subscription").await;
    b.screen("81-hierarchy-member").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_hierarchy_on_both_databases() {
    for store in both().await {
        let server = hierarchy_server(&store).await;
        let svc = &server.svc;
        let sub = payg(svc);
        let alicedefault = tenant_id(svc, "alicedefault");
        let mut alice = Portal::sign_in(&server, ALICE.0, ALICE.1).await;
        let (status, html) = alice.get("/hierarchy").await;
        assert_eq!(status, 200);
        assert!(html.contains("Tenant Root Group") && html.contains(&format!("id=\"sub-{sub}\"")));

        let html = alice
            .submit(
                "/hierarchy/groups",
                &[
                    ("name", "platform"),
                    ("display_name", "Platform"),
                    ("parent", &alicedefault.to_string()),
                ],
            )
            .await;
        assert!(
            html.contains("Management group created"),
            "{}",
            flash_words(&html)
        );
        let html = alice
            .submit(
                &format!("/hierarchy/subscriptions/{sub}/move"),
                &[("parent", "platform")],
            )
            .await;
        assert!(
            html.contains("Subscription moved"),
            "{}",
            flash_words(&html)
        );

        // Deleting a group with a subscription: the rule's refusal, word for word.
        let alice_actor = signed_in(svc, ALICE.0, "alicedefault");
        let rule = svc.read(|w| {
            hierarchy::delete_management_group(w, &alice_actor, alicedefault, "platform", 0)
                .unwrap_err()
        });
        let html = alice.submit("/hierarchy/groups/platform/delete", &[]).await;
        assert_eq!(
            flash_words(&html),
            format!("{} {}", rule.message, rule.remedy.unwrap())
        );

        // Tags: one saved; one too long refused next to its form with the rule's words.
        let html = alice
            .submit(
                &format!("/portal/subscriptions/{sub}/tags"),
                &[("scope", ""), ("name", "env"), ("value", "prod")],
            )
            .await;
        assert!(html.contains("Tag saved"), "{}", flash_words(&html));
        let long = "v".repeat(tags::MAX_TAG_VALUE_CHARS + 1);
        let rule =
            tags::validated(tags::Tags::from([("env".to_string(), long.clone())])).unwrap_err();
        let html = alice
            .submit(
                &format!("/portal/subscriptions/{sub}/tags"),
                &[("scope", ""), ("name", "env"), ("value", &long)],
            )
            .await;
        assert!(html.contains("id=\"tags-subscription-error\""));
        assert!(unescaped(&html).contains(&rule.message), "{}", rule.message);
        let html = alice
            .submit(
                &format!("/portal/subscriptions/{sub}/tags"),
                &[
                    (
                        "scope",
                        "resourceGroups/rg1/providers/Microsoft.Web/sites/web1",
                    ),
                    ("name", "tier"),
                    ("value", "gold"),
                ],
            )
            .await;
        assert!(
            html.contains("Tag saved") && html.contains("tier: gold"),
            "{}",
            flash_words(&html)
        );

        // Cancelled: read-only, no tag form; a tag sent anyway is refused by the rule.
        let (status, html) = alice
            .get(&format!("/portal/subscriptions/{sub}/cancel"))
            .await;
        assert_eq!(status, 200);
        assert!(html.contains("becomes read-only"));
        let html = alice
            .submit(&format!("/portal/subscriptions/{sub}/cancel"), &[])
            .await;
        assert!(
            html.contains("Subscription cancelled")
                && html.contains("id=\"read-only-subscription\"")
        );
        assert!(!html.contains("id=\"tags-subscription-name\""));
        let html = alice
            .submit(
                &format!("/portal/subscriptions/{sub}/tags"),
                &[("scope", ""), ("name", "team"), ("value", "a")],
            )
            .await;
        assert_eq!(
            flash_words(&html),
            subscriptions::read_only_disabled(sub).message
        );
        // What was written is on the database: a service opened afresh reads it.
        let again = tenantry_service::Service::open(store.store.clone())
            .await
            .unwrap();
        assert_eq!(parent_of(&again, sub), "platform");
        assert_eq!(state_of(&again, sub), SubscriptionState::Disabled);
        assert_eq!(
            subscription_tags(&again, sub)
                .get("env")
                .map(String::as_str),
            Some("prod")
        );
        let site = Scope::parse(&format!(
            "/subscriptions/{sub}/resourceGroups/rg1/providers/Microsoft.Web/sites/web1"
        ))
        .unwrap();
        again.read(|w| {
            let r = &w.subscription(sub).unwrap().resources[site.key()];
            assert_eq!(r.tags.get("tier").map(String::as_str), Some("gold"));
        });
        let html = alice
            .submit(&format!("/portal/subscriptions/{sub}/enable"), &[])
            .await;
        assert!(
            html.contains("Subscription enabled"),
            "{}",
            flash_words(&html)
        );

        // Erin may not cancel it: the rule's refusal as the confirmation page.
        let mut erin = Portal::sign_in(&server, ERIN.0, ERIN.1).await;
        let (status, html) = erin
            .get(&format!("/portal/subscriptions/{sub}/cancel"))
            .await;
        assert_eq!(
            (status, page_code(&html).as_deref()),
            (403, Some("AuthorizationFailed"))
        );
    }
}
