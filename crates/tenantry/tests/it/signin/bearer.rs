//! The bearer extractors of ARM and Graph: each accepts its own audience; a token dies with its
//! account.

use super::*;

#[tokio::test]
async fn arm_and_graph_accept_their_audiences_and_refuse_everything_else() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let subs = "/subscriptions?api-version=2022-12-01";
    for scope in [
        ARM_DEFAULT,
        AZ_ARM,
        &format!("{}/.default", srv.base_url),
        &format!("{}//.default", srv.base_url),
    ] {
        let t = ci_grant(&srv, ALICEDEFAULT, scope).await;
        let r = get_resp(&srv, subs, Some(t.str("access_token"))).await;
        assert_eq!(r.status, 200, "{scope}: {}", r.text);
    }
    let www = |r: &Resp| r.headers["www-authenticate"].to_str().unwrap().to_string();
    let r = get_resp(&srv, subs, None).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["error"]["code"], "AuthenticationFailed");
    assert!(
        www(&r).starts_with("Bearer authorization_uri="),
        "{}",
        www(&r)
    );

    let graph = ci_grant(&srv, ALICEDEFAULT, "https://graph.microsoft.com/.default").await;
    let graph = graph.str("access_token").to_string();
    let r = get_resp(&srv, subs, Some(&graph)).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.body["error"]["code"],
        "InvalidAuthenticationTokenAudience"
    );

    let arm = ci_grant(&srv, ALICEDEFAULT, ARM_DEFAULT)
        .await
        .str("access_token")
        .to_string();
    // A changed payload breaks the signature.
    let mut parts: Vec<String> = arm.split('.').map(String::from).collect();
    let mut claims = payload(&arm);
    claims["oid"] = Value::String(ObjectId::new().to_string());
    parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
    for bad in [parts.join("."), "not-a-jwt".to_string(), format!("{arm}x")] {
        let r = get_resp(&srv, subs, Some(&bad)).await;
        assert_eq!(r.status, 401);
        assert_eq!(
            r.body["error"]["code"], "InvalidAuthenticationToken",
            "{}",
            r.text
        );
    }

    // Graph: its own audiences, its own error shape.
    assert_eq!(
        get_resp(&srv, "/v1.0/organization", Some(&graph))
            .await
            .status,
        200
    );
    for bearer in [None, Some(arm.as_str())] {
        let r = get_resp(&srv, "/v1.0/organization", bearer).await;
        assert_eq!(r.status, 401, "{}", r.text);
        assert_eq!(r.body["error"]["code"], "InvalidAuthenticationToken");
    }

    // An hour later (and past the five minutes of skew) the token has expired.
    srv.svc.advance_clock(3600 + 301);
    let r = get_resp(&srv, subs, Some(&arm)).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["error"]["code"], "ExpiredAuthenticationToken");
}

#[tokio::test]
async fn a_token_whose_account_was_disabled_or_deleted_is_refused() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let r = az_sign_in(&srv, ALICEDEFAULT, ERIN).await;
    let erin = r.str("access_token").to_string();
    let subs = "/subscriptions?api-version=2022-12-01";
    assert_eq!(get_resp(&srv, subs, Some(&erin)).await.status, 200);
    let tenant = TenantId(ALICEDEFAULT.parse().unwrap());
    let oid = object_of(
        &srv.svc,
        "erin@alicedefault.onmicrosoft.com",
        "alicedefault",
    );
    srv.svc
        .update_user(
            &Actor::Operator,
            tenant,
            oid,
            tenantry_service::commands::UserEdit {
                enabled: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = get_resp(&srv, subs, Some(&erin)).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["error"]["code"], "InvalidAuthenticationToken");

    let app = ci_grant(&srv, ALICEDEFAULT, ARM_DEFAULT)
        .await
        .str("access_token")
        .to_string();
    let app_oid = object_of(&srv.svc, CI, "alicedefault");
    srv.svc
        .execute(|w| {
            let mut change = tenantry_service::domain::Change::new();
            assert!(w.application(app_oid).is_some());
            change.push(tenantry_service::domain::Mutation::DeleteApplication {
                tenant,
                app: app_oid,
            });
            Ok((change, ()))
        })
        .await
        .unwrap();
    assert_eq!(get_resp(&srv, subs, Some(&app)).await.status, 401);
}
