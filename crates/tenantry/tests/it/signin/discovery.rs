//! Discovery: the OpenID configurations, the keys, user realm, and where logout may go back to.

use super::*;

#[tokio::test]
async fn discovery_documents_name_the_tenant_as_entra_does() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let base = &srv.base_url;
    for (segment, realm, issuer) in [
        (ALICEDEFAULT, ALICEDEFAULT, ALICEDEFAULT),
        ("contoso.com", CONTOSO, CONTOSO),
        ("contoso.onmicrosoft.com", CONTOSO, CONTOSO),
        ("organizations", "organizations", "{tenantid}"),
        ("common", "common", "{tenantid}"),
        ("consumers", CONSUMERS, CONSUMERS),
    ] {
        let r = get_resp(
            &srv,
            &format!("/{segment}/v2.0/.well-known/openid-configuration"),
            None,
        )
        .await;
        assert_eq!(r.status, 200, "{segment}: {}", r.text);
        assert!(
            r.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        assert_eq!(
            r.str("token_endpoint"),
            format!("{base}/{realm}/oauth2/v2.0/token")
        );
        assert_eq!(
            r.str("authorization_endpoint"),
            format!("{base}/{realm}/oauth2/v2.0/authorize")
        );
        assert_eq!(
            r.str("jwks_uri"),
            format!("{base}/{realm}/discovery/v2.0/keys")
        );
        assert_eq!(r.str("issuer"), format!("{base}/{issuer}/v2.0"));
        let v1 = get_resp(
            &srv,
            &format!("/{segment}/.well-known/openid-configuration"),
            None,
        )
        .await;
        assert_eq!(
            v1.str("token_endpoint"),
            format!("{base}/{realm}/oauth2/token")
        );
        assert_eq!(v1.str("issuer"), format!("{base}/{issuer}/"));
        assert_eq!(
            v1.str("authorization_endpoint"),
            format!("{base}/{realm}/oauth2/authorize")
        );
    }
    get_resp(
        &srv,
        "/nosuchtenant.example/v2.0/.well-known/openid-configuration",
        None,
    )
    .await
    .entra_error(400, "invalid_request", 90002);
    get_resp(
        &srv,
        "/b0000000-0000-4000-8000-000000000000/discovery/v2.0/keys",
        None,
    )
    .await
    .entra_error(400, "invalid_request", 90002);

    // One active key, published with its kid under every form of the keys URL.
    let keys = jwks(&srv, ALICEDEFAULT).await;
    let list = keys["keys"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["kty"], "RSA");
    assert_eq!(list[0]["use"], "sig");
    assert!(list[0]["kid"].as_str().is_some_and(|k| k.len() == 43));
    assert!(list[0].get("d").is_none(), "never the private key");
    for path in [
        "/common/discovery/keys",
        "/common/discovery/v2.0/keys",
        "/contoso.com/discovery/keys",
    ] {
        assert_eq!(get_resp(&srv, path, None).await.body, keys, "{path}");
    }
}

/// User realm answers by the domain alone: `Managed` for a domain of some tenant, Entra's `Unknown`
/// for anything else, and the same body for an existing and an unknown user of a domain (no account
/// enumeration). Never `Federated` (msal would start WS-Trust), never a 404.
#[tokio::test]
async fn user_realm_answers_by_the_domain_alone() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let realm = |name: &str| {
        let path = format!("/common/userrealm/{name}?api-version=1.0");
        let srv = &srv;
        async move {
            let r = get_resp(srv, &path, None).await;
            assert_eq!(r.status, 200, "{path}: {}", r.text);
            r.body
        }
    };
    let managed = realm("erin@alicedefault.onmicrosoft.com").await;
    assert_eq!(
        managed,
        serde_json::json!({
            "ver": "1.0",
            "account_type": "Managed",
            "domain_name": "alicedefault.onmicrosoft.com",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_audience_urn": "urn:federation:MicrosoftOnline",
        })
    );
    // An unknown user of a tenant's domain, and a name in another case: the same answer.
    for name in [
        "nobody@alicedefault.onmicrosoft.com",
        "Frank@AliceDefault.onmicrosoft.com",
    ] {
        assert_eq!(realm(name).await, managed, "{name}");
    }
    // A custom domain is a tenant's domain too, whoever asks about it.
    let custom = realm("nobody@contoso.com").await;
    assert_eq!(custom["account_type"], "Managed");
    assert_eq!(custom["domain_name"], "contoso.com");
    assert_eq!(realm("admin@contoso.com").await, custom);

    // A domain of no tenant: Entra's `Unknown`, whether an account here has that email or not.
    let unknown = realm("nobody@nowhere.example").await;
    assert_eq!(
        unknown,
        serde_json::json!({
            "ver": "1.0",
            "account_type": "Unknown",
            "cloud_instance_name": "microsoftonline.com",
        })
    );
    for name in ["alice@outlook.com", "zed@outlook.com", "no-domain-at-all"] {
        assert_eq!(realm(name).await, unknown, "{name}");
    }
}

#[tokio::test]
async fn logout_redirects_only_to_known_uris() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let no_redirect = client_without_redirects(&srv);
    let to = format!(
        "/{CONTOSO}/oauth2/v2.0/logout?post_logout_redirect_uri={}&state=s1",
        encode(WEB_REDIRECT)
    );
    let r = no_redirect.get(srv.url(&to)).send().await.unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(r.headers()["location"], format!("{WEB_REDIRECT}?state=s1"));
    let evil = format!(
        "/{CONTOSO}/oauth2/v2.0/logout?post_logout_redirect_uri={}",
        encode("https://evil.example/")
    );
    let r = no_redirect.get(srv.url(&evil)).send().await.unwrap();
    assert_eq!(
        r.status(),
        200,
        "an unknown URI gets a page, not a redirect"
    );
    assert_eq!(
        get_resp(&srv, "/nosuch.example/oauth2/v2.0/logout", None)
            .await
            .status,
        400
    );
}
