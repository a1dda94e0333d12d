//! Access control at management-group scope in the portal: a group's Owner adds and removes an
//! assignment with the keyboard and checks access there; a member without rights sees the rule's
//! refusal; another tenant's user sees nothing of the group; a subscription lists what it inherits
//! from its groups, with links to them; a Global Administrator elevates and removes the elevation. In
//! Chromium (screenshots, axe at desktop and phone width) and over HTTP on both databases.

use super::*;
use tenantry_service::domain::rules::hierarchy::ManagementGroupWrite;
use tenantry_service::domain::rules::hierarchy_access::{self, GroupAssignmentWrite};
use tenantry_service::domain::{ObjectId, ROOT_SCOPE, RoleAssignmentId, roles};

const ERIN: (&str, &str) = ("erin@alicedefault.onmicrosoft.com", "Erin-Default-1!");

/// Alice's Platform group (she made it, so she is its Owner), with Pay-As-You-Go under it.
async fn platform_server(store: &TestStore) -> TestServer {
    let svc = demo_service(store).await;
    let alice = signed_in(&svc, ALICE.0, "alicedefault");
    svc.put_management_group(
        &alice,
        "platform",
        ManagementGroupWrite {
            display_name: Some("Platform".into()),
            parent: None,
        },
    )
    .await
    .expect("Alice makes Platform");
    let sub = payg(&svc);
    svc.move_subscription_to_group(&alice, "platform", sub)
        .await
        .expect("Pay-As-You-Go under Platform");
    TestServer::start_on(svc, 0).await
}

/// The assignments at group `name` (not inherited ones).
fn at_group(svc: &tenantry_service::Service, name: &str) -> Vec<(ObjectId, String)> {
    let t = tenant_id(svc, "alicedefault");
    svc.read(|w| {
        w.tenant(t)
            .unwrap()
            .all_group_assignments()
            .filter(|a| a.management_group.eq_ignore_ascii_case(name))
            .map(|a| {
                let role = w
                    .built_in_roles()
                    .iter()
                    .find(|r| r.id == a.role_definition)
                    .unwrap();
                (a.principal, role.name.clone())
            })
            .collect()
    })
}

fn elevated(svc: &tenantry_service::Service, email: &str) -> bool {
    let t = tenant_id(svc, "alicedefault");
    let who = object_of(svc, email, "alicedefault");
    svc.read(|w| hierarchy_access::elevated_assignment(w, t, who).is_some())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_access_control_at_management_groups() {
    let store = tenantry_store::testing::sqlite().await;
    let server = platform_server(&store).await;
    let svc = &server.svc;
    let sub = payg(svc);
    let erin = object_of(svc, ERIN.0, "alicedefault");

    let b = Browser::open(&server).await;
    b.sign_in(ALICE.0, ALICE.1, None).await;
    b.goto("/hierarchy").await;
    b.click("#hierarchy li[data-group='platform'] a.access-link")
        .await;
    b.expect_h1("Access control (IAM): management group Platform")
        .await;
    let list = b.text("#role-assignments").await;
    assert!(
        list.contains("Owner") && list.contains("This management group"),
        "{list}"
    );

    // Reader for Erin, with the keyboard: her name typed, Enter sends the form (Reader is picked).
    b.find("#principal_name")
        .await
        .send_keys(&format!("{}\u{E007}", ERIN.0))
        .await
        .unwrap();
    b.expect_text("Role assigned").await;
    b.expect_text("at this management group and everything under it")
        .await;
    assert!(at_group(svc, "platform").contains(&(erin, "Reader".to_string())));
    let list = b
        .text_when("#role-assignments", |t| t.contains("Erin"))
        .await;
    assert!(list.contains("Reader"), "{list}");
    b.screen("82-management-group-access").await;

    // Check access: Erin may read Platform, by her Reader there, and may not grant access.
    b.fill("#check-name", ERIN.0).await;
    b.click("#check-access").await;
    // The answer is a new page: wait for it rather than read the form's.
    let result = b
        .text_when("#check-result", |t| t.contains("management group"))
        .await;
    assert!(
        result.contains("Reader at management group Platform"),
        "{result}"
    );
    assert!(result.contains("No"), "{result}");
    b.scroll_to("#check-result").await;
    b.screen("83-management-group-check-access").await;

    // The subscription under Platform lists Erin's Reader as inherited from it, with a link there.
    b.goto(&format!("/portal/subscriptions/{sub}/access")).await;
    let list = b
        .text_when("#role-assignments", |t| t.contains("Erin"))
        .await;
    assert!(
        list.lines().any(|l| l.contains("Erin")
            && l.contains("Reader")
            && l.contains("inherited from management group Platform")),
        "{list}"
    );
    b.scroll_to("#h-assignments").await;
    b.screen("84-subscription-access-inherited").await;
    b.click("#role-assignments tr.from-group a[href='/hierarchy/groups/platform/access']")
        .await;
    b.expect_h1("management group Platform").await;

    // Removed again, with the keyboard.
    b.find(&format!(
        "button[aria-label='Remove Reader of Erin ({})']",
        ERIN.0
    ))
    .await
    .send_keys("\u{E007}")
    .await
    .unwrap();
    b.expect_text("Role assignment removed").await;
    assert!(!at_group(svc, "platform").iter().any(|(p, _)| *p == erin));
    assert!(!b.text("#role-assignments").await.contains("Erin"));

    // Alice, Global Administrator of her directory, elevates: the root scope shows on every group,
    // then she gives it up.
    b.goto("/hierarchy").await;
    assert!(b.text("#elevation-state").await.contains("not elevated"));
    b.click("#elevate-access").await;
    b.expect_text("Access elevated").await;
    assert!(elevated(svc, ALICE.0));
    b.text_when("#elevation-state", |t| t.contains("You are elevated"))
        .await;
    b.scroll_to("#h-elevation").await;
    b.screen("85-elevated-access").await;
    b.goto("/hierarchy/groups/platform/access").await;
    let list = b.text("#role-assignments").await;
    assert!(
        list.contains("User Access Administrator") && list.contains("root scope (elevated)"),
        "{list}"
    );
    b.goto("/hierarchy").await;
    b.click("#remove-elevation").await;
    b.expect_text("Elevated access removed").await;
    assert!(!elevated(svc, ALICE.0));
    // Erin may read Platform again, to see her refusal below.
    let alice = signed_in(svc, ALICE.0, "alicedefault");
    svc.assign_at_management_group(
        &alice,
        GroupAssignmentWrite {
            id: RoleAssignmentId::new(),
            group: "platform".into(),
            principal: erin,
            role: roles::READER,
        },
    )
    .await
    .unwrap();
    b.sign_out().await;

    // Erin, a Reader of Platform: she sees its access control, and the rule's refusal when she assigns.
    b.sign_in(ERIN.0, ERIN.1, None).await;
    b.goto("/hierarchy/groups/platform/access").await;
    b.expect_h1("management group Platform").await;
    b.find("#may-not-assign").await;
    assert!(
        b.client
            .find_all(Locator::Css("#role-assignments button"))
            .await
            .unwrap()
            .is_empty(),
        "no Remove offered to a Reader"
    );
    b.fill("#principal_name", ERIN.0).await;
    b.select("#role", "Owner").await;
    b.click("#add-assignment").await;
    let refused = b.text_when(".flash-error", |t| !t.is_empty()).await;
    assert!(
        refused.contains("AuthorizationFailed") || refused.contains("does not have authorization"),
        "{refused}"
    );
    assert_eq!(at_group(svc, "platform").len(), 2, "nothing was assigned");
    b.screen("86-management-group-access-refused").await;
    b.sign_out().await;

    // Contoso's administrator, of another tenant: nothing of Platform.
    b.sign_in(ADMIN.0, ADMIN.1, None).await;
    b.goto("/hierarchy/groups/platform/access").await;
    b.expect_h1("You may not do this").await;
    let page = b.text("main").await;
    assert!(
        !page.contains("Platform") && !page.contains("Erin") && !page.contains("Alice"),
        "{page}"
    );
    b.goto("/hierarchy").await;
    assert!(!b.text("#hierarchy").await.contains("Platform"));
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_group_access_on_both_databases() {
    for store in both().await {
        let server = platform_server(&store).await;
        let svc = &server.svc;
        let sub = payg(svc);
        let erin = object_of(svc, ERIN.0, "alicedefault");
        let mut alice = Portal::sign_in(&server, ALICE.0, ALICE.1).await;
        let (status, html) = alice.get("/hierarchy/groups/platform/access").await;
        assert_eq!(status, 200);
        assert!(html.contains("This management group"));

        let reader = roles::READER.to_string();
        let html = alice
            .submit(
                "/hierarchy/groups/platform/access",
                &[("principal_name", ERIN.0), ("role", &reader)],
            )
            .await;
        assert!(html.contains("Role assigned"), "{}", flash_words(&html));
        // The subscription under Platform shows it, inherited, with a link to the group.
        let (_, html) = alice
            .get(&format!("/portal/subscriptions/{sub}/access"))
            .await;
        let html = unescaped(&html);
        assert!(
            html.contains("inherited from management group Platform")
                && html.contains("href=\"/hierarchy/groups/platform/access\""),
            "{html}"
        );

        // Erin may not assign at Platform: the rule's refusal, word for word.
        let mut erin_portal = Portal::sign_in(&server, ERIN.0, ERIN.1).await;
        let erin_actor = signed_in(svc, ERIN.0, "alicedefault");
        let t = tenant_id(svc, "alicedefault");
        let owner = roles::OWNER.to_string();
        let rule = svc.read(|w| {
            hierarchy_access::assign_at_group(
                w,
                &erin_actor,
                t,
                GroupAssignmentWrite {
                    id: RoleAssignmentId::new(),
                    group: "platform".into(),
                    principal: erin,
                    role: roles::OWNER,
                },
                0,
            )
            .unwrap_err()
        });
        let html = erin_portal
            .submit(
                "/hierarchy/groups/platform/access",
                &[("principal_name", ERIN.0), ("role", &owner)],
            )
            .await;
        assert!(
            flash_words(&html).starts_with(&rule.message),
            "{}",
            flash_words(&html)
        );

        // Another tenant's user: refused, whether the group exists or not, and the same way.
        let mut admin = Portal::sign_in(&server, ADMIN.0, ADMIN.1).await;
        let (status, there) = admin.get("/hierarchy/groups/platform/access").await;
        let (_, missing) = admin.get("/hierarchy/groups/nowhere/access").await;
        assert_eq!(
            (status, page_code(&there).as_deref()),
            (403, Some("AuthorizationFailed"))
        );
        assert_eq!(page_code(&missing).as_deref(), Some("AuthorizationFailed"));
        assert!(!there.contains("Platform") && !there.contains("erin@"));

        // Elevated, then removed; written on the database.
        let html = alice.submit("/hierarchy/elevate", &[]).await;
        assert!(html.contains("Access elevated"), "{}", flash_words(&html));
        let again = tenantry_service::Service::open(store.store.clone())
            .await
            .unwrap();
        assert!(elevated(&again, ALICE.0));
        assert!(at_group(&again, "platform").contains(&(erin, "Reader".to_string())));
        let html = alice.submit("/hierarchy/elevate/remove", &[]).await;
        assert!(
            html.contains("Elevated access removed"),
            "{}",
            flash_words(&html)
        );
        let again = tenantry_service::Service::open(store.store.clone())
            .await
            .unwrap();
        assert!(!elevated(&again, ALICE.0));
        assert!(!again.read(|w| {
            w.tenant(t)
                .unwrap()
                .all_group_assignments()
                .any(|a| a.management_group == ROOT_SCOPE)
        }));
        // Removed from the group by its Owner.
        let id = again.read(|w| {
            w.tenant(t)
                .unwrap()
                .all_group_assignments()
                .find(|a| a.principal == erin)
                .unwrap()
                .id
        });
        let html = alice
            .submit(
                "/hierarchy/groups/platform/access/remove",
                &[("assignment", &id.to_string())],
            )
            .await;
        assert!(
            html.contains("Role assignment removed"),
            "{}",
            flash_words(&html)
        );
        assert!(!at_group(svc, "platform").iter().any(|(p, _)| *p == erin));
    }
}
