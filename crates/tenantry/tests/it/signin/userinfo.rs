//! OpenID Connect userinfo, where Entra serves it (Graph's `/oidc/userinfo`, advertised by discovery):
//! a Graph token granted `openid` gets the id token's pairwise `sub`, the name, given name, surname and,
//! with `email`, the email; refusals are Graph's with RFC 6750's challenge. Users' `givenName` and
//! `surname` through Graph and the world file. Over HTTP on both databases, and with a real relying
//! party (msal signs in, requests reads discovery and calls userinfo).

use super::*;
use tenantry_service::commands::UserEdit;

/// Erin, with a given name, a surname and a mail.
async fn erin_named(svc: &Service) -> ObjectId {
    let erin = object_of(svc, ERIN.0, "alicedefault");
    svc.update_user(
        &Actor::Operator,
        ALICEDEFAULT.parse().unwrap(),
        erin,
        UserEdit {
            given_name: Some(Some("Erin".into())),
            surname: Some(Some("Hale".into())),
            mail: Some(Some("erin.hale@alicedefault.example".into())),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    erin
}

/// Erin's tokens for `scope` with the Azure CLI's client id: (access token, id token's claims).
async fn erin_tokens(srv: &TestServer, scope: &str) -> (String, Option<Value>) {
    let r = password_grant(srv, ALICEDEFAULT, ERIN.0, ERIN.1, scope).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let keys = jwks(srv, ALICEDEFAULT).await;
    let id = r
        .body
        .get("id_token")
        .and_then(Value::as_str)
        .map(|t| verify(&keys, t, Some(AZ)));
    (r.str("access_token").to_string(), id)
}

#[track_caller]
fn challenge(r: &Resp, error: &str) -> String {
    let c = r.headers["www-authenticate"].to_str().unwrap().to_string();
    assert!(c.starts_with("Bearer "), "{c}");
    assert!(c.contains(&format!("error=\"{error}\"")), "{c}");
    assert!(
        c.contains("client_id=\"00000003-0000-0000-c000-000000000000\""),
        "{c}"
    );
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn userinfo_answers_graph_tokens_granted_openid_on_both_databases() {
    for store in both().await {
        let srv = server(&store).await;
        erin_named(&srv.svc).await;
        let endpoint = format!("{}/oidc/userinfo", srv.base_url);
        for doc in [
            format!("/{ALICEDEFAULT}/v2.0/.well-known/openid-configuration"),
            format!("/{ALICEDEFAULT}/.well-known/openid-configuration"),
            "/common/v2.0/.well-known/openid-configuration".to_string(),
        ] {
            let r = get_resp(&srv, &doc, None).await;
            assert_eq!(r.body["userinfo_endpoint"], endpoint.as_str(), "{doc}");
        }

        // GET and POST: the id token's `sub`, the names, the email (granted).
        let (token, id) = erin_tokens(&srv, "User.Read openid profile email").await;
        let id = id.expect("an id token");
        for method in [Method::GET, Method::POST] {
            let r = send(&srv, method.clone(), "/oidc/userinfo", Some(&token), None).await;
            assert_eq!(r.status, 200, "{method}: {}", r.text);
            assert_eq!(
                r.body,
                serde_json::json!({
                    "sub": id["sub"],
                    "name": "Erin",
                    "given_name": "Erin",
                    "family_name": "Hale",
                    "email": "erin.hale@alicedefault.example",
                }),
                "{method}"
            );
        }
        // Without `email`, no email (and no picture ever).
        let (token, _) = erin_tokens(&srv, "User.Read openid").await;
        let r = send(&srv, Method::GET, "/oidc/userinfo", Some(&token), None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.body.get("email").is_none() && r.body.get("picture").is_none());
        let lee = password_grant(
            &srv,
            CONTOSO,
            "lee@contoso.onmicrosoft.com",
            "Lee-Contoso-1!",
            "openid email",
        )
        .await;
        let r = send(
            &srv,
            Method::GET,
            "/oidc/userinfo",
            Some(lee.str("access_token")),
            None,
        )
        .await;
        // Lee has no mail and no names: his name and `sub` only.
        let keys: Vec<&String> = r.body.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["name", "sub"], "{}", r.text);
        assert_eq!(r.body["name"], "Lee Gu");

        // Refusals as Graph sends them, with the challenge.
        let r = send(&srv, Method::GET, "/oidc/userinfo", None, None).await;
        assert_eq!(
            (r.status.as_u16(), r.body["error"]["code"].as_str()),
            (401, Some("InvalidAuthenticationToken"))
        );
        challenge(&r, "invalid_token");
        let (arm, _) = erin_tokens(&srv, "https://management.azure.com/.default openid").await;
        let r = send(&srv, Method::GET, "/oidc/userinfo", Some(&arm), None).await;
        assert_eq!(r.status, 401, "a token for another audience: {}", r.text);
        challenge(&r, "invalid_token");
        let (no_openid, _) = erin_tokens(&srv, "User.Read").await;
        let app = app_token(&srv, ALICEDEFAULT, CI_CLIENT, CI_SECRET, GRAPH).await;
        for token in [no_openid, app] {
            let r = send(&srv, Method::GET, "/oidc/userinfo", Some(&token), None).await;
            assert_eq!(
                (r.status.as_u16(), r.body["error"]["code"].as_str()),
                (403, Some("Authorization_RequestDenied")),
                "{}",
                r.text
            );
            assert!(
                r.body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("'openid'")
            );
            challenge(&r, "insufficient_scope");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_have_given_names_and_surnames_on_both_databases() {
    for store in both().await {
        let srv = server(&store).await;
        let admin = user_token(&srv, CONTOSO, ADMIN.0, ADMIN.1, GRAPH).await;
        let (status, created) = call(
            &srv,
            Method::POST,
            "/v1.0/users",
            Some(&admin),
            Some(serde_json::json!({
                "userPrincipalName": "nestor@contoso.onmicrosoft.com",
                "displayName": "Nestor Wilke",
                "givenName": "Nestor",
                "surname": "Wilke",
                "passwordProfile": {"password": "Nestor-Contoso-1!"},
            })),
        )
        .await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(
            (created["givenName"].as_str(), created["surname"].as_str()),
            (Some("Nestor"), Some("Wilke"))
        );
        let path = "/v1.0/users/nestor@contoso.onmicrosoft.com";
        let (_, selected) = get(&srv, &format!("{path}?$select=givenName,surname"), &admin).await;
        assert_eq!(selected["givenName"], "Nestor");
        assert_eq!(selected["surname"], "Wilke");
        assert!(selected.get("displayName").is_none(), "{selected}");

        // PATCH: `null` clears, absent keeps; a control character is refused.
        let (status, _) = call(
            &srv,
            Method::PATCH,
            path,
            Some(&admin),
            Some(serde_json::json!({"surname": null, "givenName": "Nes"})),
        )
        .await;
        assert_eq!(status, 204);
        let (status, refused) = call(
            &srv,
            Method::PATCH,
            path,
            Some(&admin),
            Some(serde_json::json!({"givenName": "Ne\ns"})),
        )
        .await;
        assert_eq!(status, 400, "{refused}");

        // Kept in the database, and in the world file's export, which applies again as it is.
        let again = Service::open(store.store.clone()).await.unwrap();
        let nestor = object_of(&again, "nestor@contoso.onmicrosoft.com", "contoso");
        again.read(|w| {
            let u = w.user(nestor).unwrap();
            assert_eq!(
                (u.given_name.as_deref(), u.surname.as_deref()),
                (Some("Nes"), None)
            );
        });
        let exported = again.export_world();
        assert!(exported.contains("given_name = \"Nes\""), "{exported}");
        let revision = again.revision();
        again
            .apply_world(&exported, &mut |_, _| {})
            .await
            .expect("the export applies");
        assert_eq!(again.revision(), revision, "and changes nothing");
    }
}

/// A real relying party: msal signs Erin in (device flow) and validates the id token; the client
/// finds userinfo in discovery and calls it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_openid_connect_client_reads_userinfo_on_both_databases() {
    for store in both().await {
        let srv = server(&store).await;
        erin_named(&srv.svc).await;
        let mut client = std::process::Command::new(required_tool("TENANTRY_TEST_PYTHON"));
        client
            .arg(repo_root().join("crates/tenantry/tests/py/userinfo.py"))
            .env("REQUESTS_CA_BUNDLE", &srv.ca_path)
            .env("TENANTRY_AUTHORITY", &srv.base_url)
            .env("TENANTRY_CLIENT_ID", AZ);
        let result = device::approve_while_client_polls(&srv, client).await;
        assert_eq!(
            result["userinfo_endpoint"],
            format!("{}/oidc/userinfo", srv.base_url)
        );
        let sub = &result["id_token_claims"]["sub"];
        for method in ["get", "post"] {
            let info = &result[method];
            assert_eq!(&info["sub"], sub, "{method}: the id token's sub");
            assert_eq!(info["given_name"], "Erin");
            assert_eq!(info["family_name"], "Hale");
            assert_eq!(info["email"], "erin.hale@alicedefault.example");
        }
        assert_eq!(result["without_token"]["status"], 401);
        assert!(
            result["without_token"]["www_authenticate"]
                .as_str()
                .unwrap()
                .contains("invalid_token")
        );
    }
}
