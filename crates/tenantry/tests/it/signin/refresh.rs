//! Refresh tokens: rotation across instances, a replay revokes the family, and redemption at every
//! tenant the account is in.

use super::*;

#[tokio::test]
async fn refresh_tokens_rotate_across_instances_and_reuse_revokes_the_family() {
    for store in both().await {
        let a = server(&store).await;
        let b_svc = Service::open(store.open_again().await).await.unwrap();
        let _follow = b_svc.spawn_follower();
        let b = TestServer::behind(b_svc, &a).await;
        let keys = jwks(&b, "common").await;

        let first = az_sign_in(&a, "organizations", ERIN).await;
        let rt1 = first.str("refresh_token").to_string();
        // The other instance knows the keys: it verifies the first instance's token.
        let subs = "/subscriptions?api-version=2022-12-01";
        assert_eq!(
            get_resp(&b, subs, Some(first.str("access_token")))
                .await
                .status,
            200
        );

        // Redeemed at the other instance, for another tenant (where erin is a guest) and another
        // resource (Graph): a new refresh token each time.
        let second = refresh_grant(&b, CONTOSO, &rt1, GRAPH_SCOPES).await;
        assert_eq!(second.status, 200, "{}", second.text);
        let rt2 = second.str("refresh_token").to_string();
        assert_ne!(rt1, rt2);
        let at = verify(
            &keys,
            second.str("access_token"),
            Some("https://graph.microsoft.com"),
        );
        assert_eq!(at["tid"], CONTOSO);
        assert_eq!(
            verify(&keys, second.str("id_token"), Some(AZ))["tid"],
            CONTOSO
        );
        // A refusal that is not about the token leaves it usable: erin is nobody at `consumers`.
        refresh_grant(&a, "consumers", &rt2, USER_SCOPES)
            .await
            .entra_error(400, "invalid_grant", 50020);
        let third = refresh_grant(&a, ALICEDEFAULT, &rt2, USER_SCOPES).await;
        assert_eq!(third.status, 200, "{}", third.text);
        let rt3 = third.str("refresh_token").to_string();

        // rt1 again: a replay. Refused, and every token of the family with it.
        refresh_grant(&a, ALICEDEFAULT, &rt1, USER_SCOPES)
            .await
            .entra_error(400, "invalid_grant", 70000);
        refresh_grant(&b, ALICEDEFAULT, &rt3, USER_SCOPES)
            .await
            .entra_error(400, "invalid_grant", 70000);
        refresh_grant(&a, ALICEDEFAULT, "not-a-refresh-token", USER_SCOPES)
            .await
            .entra_error(400, "invalid_grant", 70000);

        // Another login is another family, untouched; after 90 idle days it has expired.
        let other = az_sign_in(&a, ALICEDEFAULT, ERIN).await;
        let rt = other.str("refresh_token").to_string();
        a.svc.advance_clock(91 * 24 * 3600);
        refresh_grant(&a, ALICEDEFAULT, &rt, USER_SCOPES)
            .await
            .entra_error(400, "invalid_grant", 70008);
    }
}

#[tokio::test]
async fn a_refresh_token_follows_its_identity_to_every_tenant_it_is_present_in() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    // Alice signs in at `consumers` and refreshes for the directory where she is a guest.
    let r = az_sign_in(&srv, "consumers", ALICE).await;
    let r = refresh_grant(&srv, ALICEDEFAULT, r.str("refresh_token"), ARM_DEFAULT).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let at = payload(r.str("access_token"));
    assert_eq!(
        (at["tid"].as_str(), at["idp"].as_str()),
        (Some(ALICEDEFAULT), Some("live.com"))
    );
    // …but not for one where she is not present; the token survives that refusal.
    let rt = r.str("refresh_token").to_string();
    refresh_grant(&srv, CONTOSO, &rt, ARM_DEFAULT)
        .await
        .entra_error(400, "invalid_grant", 50020);
    // A registered app cannot redeem the Azure CLI's refresh token.
    let r = token(
        &srv,
        CONTOSO,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", SPA),
            ("refresh_token", &rt),
            ("scope", ARM_DEFAULT),
        ],
    )
    .await;
    r.entra_error(400, "invalid_grant", 70000);
    assert_eq!(
        refresh_grant(&srv, "common", &rt, ARM_DEFAULT).await.status,
        200
    );
}
