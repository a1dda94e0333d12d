//! The password grant: members, guests and personal accounts at every authority, the dual identity,
//! and every refusal.

use super::*;

#[tokio::test]
async fn password_grant_serves_members_guests_and_personal_accounts() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let keys = jwks(&srv, "common").await;
    let base = srv.base_url.clone();

    // A member at its tenant.
    let r = az_sign_in(&srv, ALICEDEFAULT, ERIN).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["expires_in"], 3599);
    assert_eq!(r.body["scope"], AZ_ARM);
    assert!(
        r.body["refresh_token"]
            .as_str()
            .is_some_and(|t| t.len() >= 43)
    );
    let erin = object_of(
        &srv.svc,
        "erin@alicedefault.onmicrosoft.com",
        "alicedefault",
    )
    .to_string();
    let at = verify(
        &keys,
        r.str("access_token"),
        Some("https://management.core.windows.net/"),
    );
    assert_eq!(at["iss"], format!("{base}/{ALICEDEFAULT}/"));
    assert_eq!(
        (at["tid"].as_str(), at["oid"].as_str()),
        (Some(ALICEDEFAULT), Some(erin.as_str()))
    );
    assert_eq!(at["idtyp"], "user");
    assert_eq!(at["upn"], "erin@alicedefault.onmicrosoft.com");
    assert_eq!(at["unique_name"], "erin@alicedefault.onmicrosoft.com");
    assert_eq!(at["name"], "Erin");
    assert_eq!(at["scp"], "user_impersonation");
    assert_eq!(
        (at["appid"].as_str(), at["ver"].as_str()),
        (Some(AZ), Some("1.0"))
    );
    assert!(at.get("idp").is_none(), "members have no idp");
    let id = verify(&keys, r.str("id_token"), Some(AZ));
    assert_eq!(id["iss"], format!("{base}/{ALICEDEFAULT}/v2.0"));
    assert_eq!(
        (id["tid"].as_str(), id["oid"].as_str()),
        (Some(ALICEDEFAULT), Some(erin.as_str()))
    );
    assert_eq!(
        id["preferred_username"],
        "erin@alicedefault.onmicrosoft.com"
    );
    assert_eq!(
        (id["name"].as_str(), id["ver"].as_str()),
        (Some("Erin"), Some("2.0"))
    );
    assert!(id["sub"].is_string() && id["exp"].is_i64() && id["nbf"].is_i64());
    let info = client_info(r.str("client_info"));
    assert_eq!(
        (info["uid"].as_str(), info["utid"].as_str()),
        (Some(erin.as_str()), Some(ALICEDEFAULT))
    );

    // A personal account as a guest of a tenant: that tenant's object, `idp` live.com, home in
    // client_info.
    let r = az_sign_in(&srv, ALICEDEFAULT, ALICE).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let at = verify(&keys, r.str("access_token"), None);
    let guest = object_of(&srv.svc, "alice@outlook.com", "alicedefault").to_string();
    assert_eq!(
        (at["tid"].as_str(), at["oid"].as_str()),
        (Some(ALICEDEFAULT), Some(guest.as_str()))
    );
    assert_eq!(at["idp"], "live.com");
    assert_eq!(at["upn"], "alice@outlook.com");
    let id = verify(&keys, r.str("id_token"), Some(AZ));
    assert_eq!(id["idp"], "live.com");
    let alice_home = client_info(r.str("client_info"));
    assert_eq!(alice_home["utid"], CONSUMERS);

    // The same person at `consumers`: the consumer realm; at `organizations`: her first directory.
    let r = az_sign_in(&srv, "consumers", ALICE).await;
    let at = verify(&keys, r.str("access_token"), None);
    assert_eq!(at["tid"], CONSUMERS);
    assert_eq!(at["oid"], alice_home["uid"]);
    assert_eq!(client_info(r.str("client_info")), alice_home);
    let r = az_sign_in(&srv, "organizations", ALICE).await;
    assert_eq!(
        verify(&keys, r.str("access_token"), None)["tid"],
        ALICEDEFAULT
    );
    // `common` takes either kind; a member goes to its home tenant.
    let r = az_sign_in(&srv, "common", ALICE).await;
    assert_eq!(verify(&keys, r.str("access_token"), None)["tid"], CONSUMERS);
    let r = az_sign_in(&srv, "organizations", ERIN).await;
    assert_eq!(
        verify(&keys, r.str("access_token"), None)["tid"],
        ALICEDEFAULT
    );

    // Another tenant's member as a guest: idp is its home tenant's issuer.
    let r = az_sign_in(&srv, "contoso.com", ERIN).await;
    let at = verify(&keys, r.str("access_token"), None);
    assert_eq!(at["tid"], CONTOSO);
    assert_eq!(
        at["idp"],
        format!("https://sts.windows.net/{ALICEDEFAULT}/")
    );

    // Graph scopes: the token is for Graph, with the scopes asked.
    let r = password_grant(
        &srv,
        ALICEDEFAULT,
        "erin@alicedefault.onmicrosoft.com",
        "Erin-Default-1!",
        "User.Read openid",
    )
    .await;
    let at = verify(
        &keys,
        r.str("access_token"),
        Some("https://graph.microsoft.com"),
    );
    // A token for Graph names the OpenID Connect scopes granted with it, as Entra's do (userinfo).
    assert_eq!(at["scp"], "User.Read openid");
    assert!(
        r.body.get("refresh_token").is_none(),
        "no offline_access, no refresh token"
    );

    // A Global Administrator's token lists the role in `wids`.
    let r = az_sign_in(&srv, CONTOSO, ADMIN).await;
    let at = verify(&keys, r.str("access_token"), None);
    assert_eq!(
        at["wids"],
        serde_json::json!(["62e90394-69f5-4237-9190-012177145e10"])
    );
}

#[tokio::test]
async fn password_grant_refusals_are_entras() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let refusals = [
        (ALICEDEFAULT, (ERIN.0, "wrong"), 50126),
        (
            ALICEDEFAULT,
            ("ghost@alicedefault.onmicrosoft.com", "Ghost-1!"),
            50034,
        ),
        (
            ALICEDEFAULT,
            ("frank@alicedefault.onmicrosoft.com", "Frank-Default-1!"),
            50057,
        ),
        // Admin of contoso is nobody in alicedefault; said only with the right password.
        (ALICEDEFAULT, ADMIN, 50020),
        (ALICEDEFAULT, (ADMIN.0, "wrong"), 50126),
        // A personal account in no directory cannot use `organizations`, nor a work-only tenant.
        (
            "organizations",
            ("nobody@outlook.com", "Nobody-2017!"),
            50020,
        ),
        // `consumers` is for personal accounts only.
        ("consumers", ERIN, 50034),
    ];
    for (authority, who, code) in refusals {
        az_sign_in(&srv, authority, who)
            .await
            .entra_error(400, "invalid_grant", code);
    }
    // Unknown public client, missing fields.
    let mut form = vec![
        ("grant_type", "password"),
        ("client_id", "d0000000-0000-4000-8000-000000000000"),
        ("username", "erin@alicedefault.onmicrosoft.com"),
        ("password", "Erin-Default-1!"),
        ("scope", USER_SCOPES),
    ];
    token(&srv, ALICEDEFAULT, &form)
        .await
        .entra_error(400, "unauthorized_client", 700016);
    form[1].1 = AZ;
    form.retain(|(k, _)| *k != "password");
    token(&srv, ALICEDEFAULT, &form)
        .await
        .entra_error(400, "invalid_request", 900144);
    // A registered confidential app must prove itself.
    let web = [
        ("grant_type", "password"),
        ("client_id", WEB),
        ("username", "admin@contoso.onmicrosoft.com"),
        ("password", "Contoso-Admin-1!"),
        ("scope", USER_SCOPES),
    ];
    token(&srv, CONTOSO, &web)
        .await
        .entra_error(401, "invalid_client", 7000218);
    let mut with_secret = web.to_vec();
    with_secret.push(("client_secret", WEB_SECRET));
    let r = token(&srv, CONTOSO, &with_secret).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(payload(r.str("access_token"))["appidacr"], "1");
}

#[tokio::test]
async fn the_dual_identity_email_at_each_authority() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let lee = "lee@contoso.onmicrosoft.com";
    // Both a personal account and a work account: `common` cannot tell which.
    let r = password_grant(&srv, "common", lee, "Lee-Contoso-1!", USER_SCOPES).await;
    r.entra_error(400, "invalid_request", 50001);
    let message = r.str("error_description");
    assert!(
        message.contains("organizations") && message.contains("consumers"),
        "{message}"
    );
    // `organizations` and the work tenant mean the work account (with its password)…
    for authority in ["organizations", CONTOSO, "contoso.com"] {
        let r = password_grant(&srv, authority, lee, "Lee-Contoso-1!", USER_SCOPES).await;
        assert_eq!(r.status, 200, "{authority}: {}", r.text);
        let at = payload(r.str("access_token"));
        assert_eq!(at["tid"], CONTOSO);
        assert!(at.get("idp").is_none());
        password_grant(&srv, authority, lee, "Lee-Personal-1!", USER_SCOPES)
            .await
            .entra_error(400, "invalid_grant", 50126);
    }
    // …`consumers` and the tenant where the personal account is a guest mean the personal one.
    for (authority, tid) in [("consumers", CONSUMERS), (ALICEDEFAULT, ALICEDEFAULT)] {
        let r = password_grant(&srv, authority, lee, "Lee-Personal-1!", USER_SCOPES).await;
        assert_eq!(r.status, 200, "{authority}: {}", r.text);
        let at = payload(r.str("access_token"));
        assert_eq!(at["tid"], tid);
        assert_eq!(client_info(r.str("client_info"))["utid"], CONSUMERS);
    }
}

/// Every password attempt costs exactly one Argon2id verification, whether the name is an account
/// here or not (an unknown one is verified against a dummy hash): the answer's time does not tell
/// which. Counted, not timed.
#[tokio::test]
async fn an_unknown_name_costs_one_hash_verification_like_a_known_one() {
    for store in both().await {
        let srv = server(&store).await;
        let cases: [(&str, &str, &str, u16, Option<u32>); 7] = [
            (ALICEDEFAULT, ERIN.0, "wrong", 400, Some(50126)),
            (ALICEDEFAULT, ERIN.0, ERIN.1, 200, None),
            (
                ALICEDEFAULT,
                "nobody@alicedefault.onmicrosoft.com",
                "wrong",
                400,
                Some(50034),
            ),
            (
                "organizations",
                "nobody@nowhere.example",
                "wrong",
                400,
                Some(50034),
            ),
            // A work account at `consumers` names no account there.
            ("consumers", ERIN.0, ERIN.1, 400, Some(50034)),
            // A personal account in no directory, asked for at a tenant.
            (CONTOSO, "nobody@outlook.com", "wrong", 400, Some(50126)),
            // A personal account, a guest of the tenant: its own password.
            (ALICEDEFAULT, ALICE.0, "wrong", 400, Some(50126)),
        ];
        for (authority, user, password, status, code) in cases {
            let before = srv.signin.password_verifications();
            let r = password_grant(&srv, authority, user, password, USER_SCOPES).await;
            assert_eq!(r.status, status, "{user} at {authority}: {}", r.text);
            if let Some(code) = code {
                assert_eq!(r.body["error_codes"][0], code, "{user} at {authority}");
            }
            assert_eq!(
                srv.signin.password_verifications() - before,
                1,
                "{user} at {authority}"
            );
        }
    }
}
