//! Smart lockout: per account and per client address (behind a declared proxy too), on both
//! databases.

use super::*;

#[tokio::test]
async fn lockout_after_ten_failures_expires_and_doubles_on_both_databases() {
    for store in both().await {
        let srv = server(&store).await;
        let b =
            TestServer::behind(Service::open(store.open_again().await).await.unwrap(), &srv).await;
        let erin = "erin@alicedefault.onmicrosoft.com";
        for _ in 0..10 {
            password_grant(&srv, ALICEDEFAULT, erin, "wrong", USER_SCOPES)
                .await
                .entra_error(400, "invalid_grant", 50126);
        }
        // Locked, even with the right password, on every instance (the lock is in the database).
        password_grant(&srv, ALICEDEFAULT, erin, "Erin-Default-1!", USER_SCOPES)
            .await
            .entra_error(400, "invalid_grant", 50053);
        password_grant(&b, "organizations", erin, "Erin-Default-1!", USER_SCOPES)
            .await
            .entra_error(400, "invalid_grant", 50053);
        srv.svc.advance_clock(61);
        // After 60 s: one more failure locks again, for twice as long.
        password_grant(&srv, ALICEDEFAULT, erin, "wrong", USER_SCOPES)
            .await
            .entra_error(400, "invalid_grant", 50126);
        srv.svc.advance_clock(61);
        password_grant(&srv, ALICEDEFAULT, erin, "Erin-Default-1!", USER_SCOPES)
            .await
            .entra_error(400, "invalid_grant", 50053);
        srv.svc.advance_clock(60);
        let ok = password_grant(&srv, ALICEDEFAULT, erin, "Erin-Default-1!", USER_SCOPES).await;
        assert_eq!(ok.status, 200, "{}", ok.text);
    }
}

#[tokio::test]
async fn nine_failures_lock_nothing_and_a_success_forgets_them() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let erin = "erin@alicedefault.onmicrosoft.com";
    for _ in 0..9 {
        password_grant(&srv, ALICEDEFAULT, erin, "wrong", USER_SCOPES)
            .await
            .entra_error(400, "invalid_grant", 50126);
    }
    assert_eq!(
        password_grant(&srv, ALICEDEFAULT, erin, "Erin-Default-1!", USER_SCOPES)
            .await
            .status,
        200
    );
    // The account starts again from zero (the address does not: see the spray test).
    let now = srv.svc.now();
    let next = srv
        .svc
        .store()
        .record_sign_in_failure("user:erin@alicedefault.onmicrosoft.com", now, now - 86400)
        .await
        .unwrap();
    assert_eq!(next.failures, 1);
}

/// Ten failures from one address lock it: ten names that are no account, or unknown names and wrong
/// passwords of a known account alike (which reaches no threshold of its own).
#[tokio::test]
async fn lockout_per_client_address_stops_a_spray_across_names() {
    for mixed in [false, true] {
        for store in both().await {
            let srv = server(&store).await;
            for i in 0..10 {
                if mixed && i % 2 == 1 {
                    password_grant(&srv, ALICEDEFAULT, ERIN.0, "Spring2024!", USER_SCOPES)
                        .await
                        .entra_error(400, "invalid_grant", 50126);
                    continue;
                }
                let user = format!("user{i}@alicedefault.onmicrosoft.com");
                password_grant(&srv, ALICEDEFAULT, &user, "Spring2024!", USER_SCOPES)
                    .await
                    .entra_error(400, "invalid_grant", 50034);
            }
            // The address is locked: even a right password of an untouched account waits.
            az_sign_in(&srv, CONTOSO, ADMIN)
                .await
                .entra_error(400, "invalid_grant", 50053);
            srv.svc.advance_clock(61);
            let r = az_sign_in(&srv, CONTOSO, ADMIN).await;
            assert_eq!(r.status, 200, "{}", r.text);
        }
    }
}

/// Behind a reverse proxy the operator declared, each client's failures count against the address the
/// proxy forwarded, not against the proxy; without the declaration, a forwarded address is ignored.
#[tokio::test]
async fn lockout_per_address_behind_a_trusted_proxy_counts_each_client() {
    let store = sqlite_store().await;
    let srv = TestServer::behind_proxy(service(&store).await, &["127.0.0.0/8"]).await;
    let attempt = |from: &'static str, user: String, pw: &'static str| {
        let srv = &srv;
        async move {
            let r = srv
                .client
                .post(srv.url(&format!("/{ALICEDEFAULT}/oauth2/v2.0/token")))
                .header("x-forwarded-for", from)
                .form(&[
                    ("grant_type", "password"),
                    ("client_id", AZ),
                    ("username", user.as_str()),
                    ("password", pw),
                    ("scope", USER_SCOPES),
                ])
                .send()
                .await
                .unwrap();
            Resp::from(r).await
        }
    };
    for i in 0..10 {
        attempt(
            "203.0.113.7",
            format!("user{i}@alicedefault.onmicrosoft.com"),
            "Spring2024!",
        )
        .await
        .entra_error(400, "invalid_grant", 50034);
    }
    // The sprayer is locked out...
    attempt(
        "203.0.113.7",
        "erin@alicedefault.onmicrosoft.com".into(),
        "Erin-Default-1!",
    )
    .await
    .entra_error(400, "invalid_grant", 50053);
    // ...another client behind the same proxy is not.
    let r = attempt(
        "198.51.100.20",
        "erin@alicedefault.onmicrosoft.com".into(),
        "Erin-Default-1!",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // No proxy declared: the header is the client's own claim and changes nothing.
    let store = sqlite_store().await;
    let direct = server(&store).await;
    for i in 0..10 {
        let r = direct
            .client
            .post(direct.url(&format!("/{ALICEDEFAULT}/oauth2/v2.0/token")))
            .header("x-forwarded-for", format!("203.0.113.{i}"))
            .form(&[
                ("grant_type", "password"),
                ("client_id", AZ),
                ("username", &format!("user{i}@alicedefault.onmicrosoft.com")),
                ("password", "Spring2024!"),
                ("scope", USER_SCOPES),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
    }
    az_sign_in(&direct, ALICEDEFAULT, ERIN)
        .await
        .entra_error(400, "invalid_grant", 50053);
}
