//! A directory link request seen by each person it concerns: the requester sees where it stands, who can
//! approve it, until when, and cancels it; her dashboard and Directories page list it while it waits.
//! A Global Administrator of the directory sees the decision; once decided, each sees what happened.

use crate::support::*;

fn has(page: &str, id: &str) -> bool {
    page.contains(&format!("id=\"{id}\""))
}

#[tokio::test]
async fn the_requester_sees_her_request_and_cancels_it_the_approver_decides() {
    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    let sub = payg(&srv.svc);
    let contoso = tenant_id(&srv.svc, "contoso");
    let alice = signed_in(&srv.svc, "alice@outlook.com", "alicedefault");
    let first = srv.svc.request_link(&alice, sub, contoso).await.unwrap();
    let page_of = |r| format!("/directories/{contoso}/link-requests/{r}");

    let mut b = Browser::new(&srv);
    b.sign_in_to_portal("alice@outlook.com", "Alice-2017!")
        .await;
    let (status, _, page) = b.get(&page_of(first)).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Your request to use contoso.onmicrosoft.com"),
        "{page}"
    );
    assert!(page.contains("Waiting for approval"));
    assert!(page.contains("A Global Administrator of contoso.onmicrosoft.com"));
    assert!(has(&page, "link-expires") && has(&page, "cancel-request"));
    assert!(
        page.contains(&srv.url(&page_of(first))),
        "the address to send"
    );
    assert!(
        !has(&page, "continue") && !has(&page, "decline") && !page.contains("Your decision"),
        "the requester is not offered the decision"
    );
    for listed in ["/", "/directories"] {
        let (_, _, page) = b.get(listed).await;
        assert!(has(&page, "my-requests"), "{listed}");
        assert!(page.contains(&page_of(first)), "{listed}");
    }

    // She cancels it: nothing waits any more, and the page says what happened.
    let (_, _, page) = b.get(&page_of(first)).await;
    let (status, location, _) = b
        .submit(&format!("{}/cancel", page_of(first)), &page, &[])
        .await;
    assert_eq!(status, 303);
    let (_, _, page) = b.get(&location).await;
    assert!(page.contains("Request cancelled"), "{page}");
    assert!(page.contains("Cancelled") && has(&page, "link-closed"));
    assert!(!has(&page, "cancel-request"));
    let (_, _, page) = b.get("/").await;
    assert!(!has(&page, "my-requests"));

    // A new request: Contoso's Global Administrator sees the decision, not the requester's view.
    let second = srv.svc.request_link(&alice, sub, contoso).await.unwrap();
    let mut admin = Browser::new(&srv);
    admin
        .sign_in_to_portal("admin@contoso.onmicrosoft.com", "Contoso-Admin-1!")
        .await;
    let (_, _, page) = admin.get(&page_of(second)).await;
    assert!(
        page.contains("Your decision") && has(&page, "continue"),
        "{page}"
    );
    assert!(!has(&page, "cancel-request") && !page.contains("Your request"));
    // Someone else cannot cancel it for her.
    let (status, _, _) = admin
        .submit(&format!("{}/cancel", page_of(second)), &page, &[])
        .await;
    assert_eq!(status, 303);
    let (_, _, page) = admin.get(&page_of(second)).await;
    assert!(page.contains("Waiting for approval") || has(&page, "continue"));
    assert!(
        srv.svc
            .read(|w| w.tenant(contoso).unwrap().link_requests[&second].status
                == tenantry_service::domain::model::RequestStatus::Pending),
        "a Global Administrator's cancel is not the requester's: it stays waiting"
    );
    let (status, _, _) = admin
        .submit(&format!("{}/approve", page_of(second)), &page, &[])
        .await;
    assert_eq!(status, 303);
    let (_, _, page) = admin.get(&page_of(second)).await;
    assert!(
        page.contains("Approved") && has(&page, "sign-out-now"),
        "{page}"
    );
    assert!(!has(&page, "continue"), "not the question again");

    // The requester now reads what happened.
    let (_, _, page) = b.get(&page_of(second)).await;
    assert!(
        page.contains("What happened") && page.contains("Approved"),
        "{page}"
    );
    assert!(has(&page, "link-done") && !has(&page, "cancel-request"));
}
