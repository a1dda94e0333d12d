//! The portal's pages for workload identities: a directory's applications with their client secrets
//! (hints only), certificates (expired ones marked) and federated credentials, removed by whoever the
//! rules let; a subscription's resources with their system- and user-assigned identities. In Chromium
//! (with screenshots and the accessibility checks of every screen) and over HTTP on both databases.

use super::*;
use crate::signin::certificates::TestCertificate;
use tenantry_service::domain::{ObjectId, Scope};

/// The deployer application of alicedefault: a current and an expired certificate, a federated
/// credential; Pay-As-You-Go gets a user-assigned identity and a web site with both kinds of identity.
fn workloads_world(current: &TestCertificate, expired: &TestCertificate) -> String {
    let pem = |c: &TestCertificate| c.cert_pem.trim_end().replace('\n', "\\n");
    format!(
        r#"
[[tenants]]
name = "alicedefault"

  [[tenants.applications]]
  display_name = "deployer"
  client_id = "c4000000-0000-4000-8000-000000000004"
  client_secret = "deployer-secret-1"
  certificates = ["{}", "{}"]
    [[tenants.applications.federated_credentials]]
    name = "main-branch"
    issuer = "https://token.actions.githubusercontent.com"
    subject = "repo:contoso/app:ref:refs/heads/main"

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
    identity = {{ type = "SystemAssigned, UserAssigned", user_assigned = ["identity:rg1/id-web"] }}

  [[subscriptions.identities]]
  name = "id-web"
  resource_group = "rg1"
"#,
        pem(current),
        pem(expired)
    )
}

/// The demo world with the workloads above.
async fn workloads_server(store: &TestStore) -> (TestServer, TestCertificate, TestCertificate) {
    let current = TestCertificate::new("deployer-2026");
    let expired = TestCertificate::valid_between("deployer-2020", 2020, 2021);
    let svc = demo_service(store).await;
    svc.apply_world(&workloads_world(&current, &expired), &mut |_, _| {})
        .await
        .expect("add the workloads");
    (TestServer::start_on(svc, 0).await, current, expired)
}

/// The deployer's application object id and service principal id.
fn deployer(svc: &tenantry_service::Service) -> (String, ObjectId) {
    svc.read(|w| {
        let a = w
            .application_by_client_id("c4000000-0000-4000-8000-000000000004".parse().unwrap())
            .unwrap();
        (a.object_id.unwrap().to_string(), a.id)
    })
}

/// The principals of the web site's system-assigned identity and of id-web.
fn principals(svc: &tenantry_service::Service) -> (String, String, String) {
    let sub = payg(svc);
    svc.read(|w| {
        let at = |rel: &str| {
            Scope::parse(&format!(
                "/subscriptions/{sub}/resourceGroups/rg1/providers/{rel}"
            ))
            .unwrap()
        };
        let site = w.managed_identity(&at("Microsoft.Web/sites/web1")).unwrap();
        let id = w
            .managed_identity(&at(
                "Microsoft.ManagedIdentity/userAssignedIdentities/id-web",
            ))
            .unwrap();
        (
            site.id.to_string(),
            id.id.to_string(),
            id.client_id.to_string(),
        )
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_workload_identities() {
    const ERIN: (&str, &str) = ("erin@alicedefault.onmicrosoft.com", "Erin-Default-1!");
    let store = tenantry_store::testing::sqlite().await;
    let (server, current, expired) = workloads_server(&store).await;
    let svc = &server.svc;
    let alicedefault = tenant_id(svc, "alicedefault");
    let (object, _) = deployer(svc);
    let sub = payg(svc);

    let b = Browser::open(&server).await;
    b.sign_in(ALICE.0, ALICE.1, None).await;
    // From the directory's tabs to its applications, then to one of them.
    b.goto(&format!("/directories/{alicedefault}")).await;
    b.click("nav.tabs a[href$='/applications']").await;
    b.expect_h1("Applications of Default Directory").await;
    let list = b.text("#applications").await;
    assert!(list.contains("deployer") && list.contains("c4000000-0000-4000-8000-000000000004"));
    assert!(list.contains("ci"), "{list}");
    b.screen("70-applications").await;
    b.click(&format!("#applications a[href$='{object}']")).await;
    b.expect_h1("deployer").await;
    assert_eq!(
        b.text("#app-client-id").await,
        "c4000000-0000-4000-8000-000000000004"
    );
    // Secrets by their hint, never the value; both certificates with their thumbprints and subjects,
    // the expired one marked; the federated credential with its issuer, subject and audience.
    let secrets = b.text("#secrets").await;
    assert!(secrets.contains("dep…"), "{secrets}");
    assert!(!b.text("body").await.contains("deployer-secret-1"));
    let certificates = b.text("#certificates").await;
    for c in [&current, &expired] {
        assert!(
            certificates.contains(&c.read.thumbprint()),
            "{certificates}"
        );
    }
    assert!(certificates.contains("CN=deployer-2026") && certificates.contains("CN=deployer-2020"));
    let rows = b
        .client
        .find_all(Locator::Css("#certificates tbody tr"))
        .await
        .unwrap();
    let mut marked = Vec::new();
    for r in rows {
        let t = r.text().await.unwrap();
        marked.push((t.contains("deployer-2020"), t.contains("Expired")));
    }
    marked.sort();
    assert_eq!(
        marked,
        [(false, false), (true, true)],
        "only the expired one is marked"
    );
    let federated = b.text("#federated").await;
    for want in [
        "main-branch",
        "https://token.actions.githubusercontent.com",
        "repo:contoso/app:ref:refs/heads/main",
        "api://AzureADTokenExchange",
    ] {
        assert!(federated.contains(want), "{federated}");
    }
    b.scroll_to("#h-secrets").await;
    b.screen("71-application-credentials").await;

    // Removed with the keyboard: the button takes the focus and Enter sends its form.
    let remove = b
        .find("#federated button[aria-label='Remove the federated credential main-branch']")
        .await;
    remove.send_keys("\u{E007}").await.unwrap();
    b.expect_text("Federated credential removed").await;
    b.find("#no-federated").await;
    svc.read(|w| {
        let a = w
            .application_by_client_id("c4000000-0000-4000-8000-000000000004".parse().unwrap())
            .unwrap();
        assert!(a.federated_credentials.is_empty());
    });
    b.click(&format!(
        "#certificates button[aria-label='Remove the certificate {}']",
        expired.read.thumbprint()
    ))
    .await;
    b.expect_text("Certificate removed").await;
    assert!(!b.text("#certificates").await.contains("deployer-2020"));
    b.screen("72-credentials-removed").await;

    // The subscription's resources: the site's system-assigned principal, id-web by name linked to
    // the identity's row, and the identity with its principal and client ids.
    let (site, id_web, id_web_client) = principals(svc);
    b.goto(&format!("/portal/subscriptions/{sub}")).await;
    b.click("nav.tabs a[href$='/resources']").await;
    b.expect_h1("Resources of Pay-As-You-Go").await;
    let resources = b.text("#resources").await;
    assert!(
        resources.contains("web1") && resources.contains(&site),
        "{resources}"
    );
    assert!(
        resources.contains("SystemAssigned, UserAssigned"),
        "{resources}"
    );
    let identities = b.text("#identities").await;
    for want in ["id-web", &id_web, &id_web_client, "web1"] {
        assert!(identities.contains(want), "{identities}");
    }
    b.screen("73-resource-identities").await;
    b.click("#resources a[href^='#identity-']").await;
    assert!(b.path().await.ends_with("/resources"));
    let focused: Value = b
        .client
        .execute("return location.hash", vec![])
        .await
        .unwrap();
    assert_eq!(focused, "#identity-0");
    // A resource group's page lists the same.
    b.goto(&format!("/portal/subscriptions/{sub}")).await;
    b.click("a[href$='/resourceGroups/rg1/resources']").await;
    b.expect_h1("Resources of rg1").await;
    b.sign_out().await;

    // Erin, a member without a directory role, reads the application but is offered no removal.
    b.sign_in(ERIN.0, ERIN.1, None).await;
    b.goto(&format!(
        "/directories/{alicedefault}/applications/{object}"
    ))
    .await;
    b.expect_h1("deployer").await;
    b.find("#read-only").await;
    assert!(
        b.client
            .find_all(Locator::Css("main form button"))
            .await
            .unwrap()
            .is_empty(),
        "no removal is offered to her"
    );
    b.screen("74-application-read-only").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_workload_identities_on_both_databases() {
    use tenantry_service::domain::rules::applications;
    for store in both().await {
        let (server, current, _) = workloads_server(&store).await;
        let svc = &server.svc;
        let alicedefault = tenant_id(svc, "alicedefault");
        let (object, sp) = deployer(svc);
        let page = format!("/directories/{alicedefault}/applications/{object}");
        let mut alice = Portal::sign_in(&server, ALICE.0, ALICE.1).await;
        let (status, html) = alice
            .get(&format!("/directories/{alicedefault}/applications"))
            .await;
        assert_eq!(status, 200);
        assert!(
            html.contains(&format!("href=\"{page}\"")),
            "the list links to the page"
        );
        let (status, html) = alice.get(&page).await;
        assert_eq!(status, 200);
        assert!(html.contains(&current.read.thumbprint()));
        assert!(
            !html.contains("deployer-secret-1"),
            "never a secret's value"
        );
        let secrets = |svc: &tenantry_service::Service| {
            svc.read(|w| {
                let a = w.tenant(alicedefault).unwrap().applications.get(&sp);
                a.unwrap().secrets.iter().map(|s| s.id).collect::<Vec<_>>()
            })
        };
        let secret = secrets(svc)[0];
        assert!(html.contains(&secret.to_string()));

        // Erin may not remove it: the page says what the rule says.
        let erin_actor = signed_in(svc, "erin@alicedefault.onmicrosoft.com", "alicedefault");
        let rule = svc.read(|w| {
            applications::remove_client_secret(w, &erin_actor, alicedefault, sp, secret, 0)
                .unwrap_err()
        });
        let mut erin = Portal::sign_in(
            &server,
            "erin@alicedefault.onmicrosoft.com",
            "Erin-Default-1!",
        )
        .await;
        let (_, html) = erin.get(&page).await;
        assert!(html.contains("id=\"read-only\""));
        let html = erin
            .submit(
                &format!("{page}/secrets/remove"),
                &[("key_id", &secret.to_string())],
            )
            .await;
        assert_eq!(
            flash_words(&html),
            format!("{} {}", rule.message, rule.remedy.unwrap())
        );

        // Alice removes it: gone, also for a service opened afresh on the database.
        let html = alice
            .submit(
                &format!("{page}/secrets/remove"),
                &[("key_id", &secret.to_string())],
            )
            .await;
        assert!(html.contains("Secret removed"), "{}", flash_words(&html));
        assert!(html.contains("id=\"no-secrets\""));
        let again = tenantry_service::Service::open(store.store.clone())
            .await
            .unwrap();
        assert!(secrets(&again).is_empty());

        // A missing application, and a guest without a role: the rules' refusals as pages.
        let (status, html) = alice
            .get(&format!(
                "/directories/{alicedefault}/applications/0badc0de-0000-4000-8000-000000000001"
            ))
            .await;
        assert_eq!(
            (status, page_code(&html).as_deref()),
            (404, Some("ApplicationNotFound"))
        );
        let mut dave = Portal::sign_in(&server, DAVE.0, DAVE.1).await;
        let (status, html) = dave.get(&page).await;
        assert_eq!(
            (status, page_code(&html).as_deref()),
            (403, Some("Authorization_RequestDenied"))
        );
        assert!(!html.contains("deployer"));

        // The subscription's resources with their identities.
        let (site, id_web, id_web_client) = principals(svc);
        let (status, html) = alice
            .get(&format!("/portal/subscriptions/{}/resources", payg(svc)))
            .await;
        assert_eq!(status, 200);
        for want in [&site, &id_web, &id_web_client] {
            assert!(html.contains(want.as_str()), "{want}");
        }
        assert!(html.contains("href=\"#identity-0\""));
    }
}
