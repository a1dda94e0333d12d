//! The client credentials grant: Entra-shaped application tokens, and every refusal.

use super::*;

/// A token request's form fields.
type Form<'a> = &'a [(&'a str, &'a str)];

#[tokio::test]
async fn client_credentials_issue_entra_shaped_tokens_that_verify_against_the_jwks() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let keys = jwks(&srv, ALICEDEFAULT).await;

    let r = ci_grant(&srv, ALICEDEFAULT, ARM_DEFAULT).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.headers["cache-control"], "no-store, no-cache");
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["expires_in"], 3599, "an integer (contract P1)");
    assert_eq!(r.body["ext_expires_in"], 3599);
    assert_eq!(r.body["scope"], ARM_DEFAULT);
    assert!(r.body.get("refresh_token").is_none() && r.body.get("id_token").is_none());
    let c = verify(
        &keys,
        r.str("access_token"),
        Some("https://management.azure.com"),
    );
    let oid = object_of(&srv.svc, CI, "alicedefault").to_string();
    assert_eq!(c["iss"], format!("{}/{ALICEDEFAULT}/", srv.base_url));
    assert_eq!(c["tid"], ALICEDEFAULT);
    assert_eq!(c["oid"], oid.as_str());
    assert_eq!(c["sub"], oid.as_str());
    assert_eq!(c["appid"], CI);
    assert_eq!(c["azp"], CI);
    assert_eq!(c["idtyp"], "app");
    assert_eq!(c["ver"], "1.0");
    assert_eq!(c["roles"], serde_json::json!(["User Administrator"]));
    assert!(c.get("scp").is_none() && c.get("upn").is_none());
    assert_eq!(
        c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(),
        3600
    );
    assert_eq!(c["nbf"], c["iat"]);

    // az's resource keeps its trailing slash: `…windows.net//.default` is `…windows.net/`.
    let r = ci_grant(&srv, ALICEDEFAULT, AZ_ARM).await;
    verify(
        &keys,
        r.str("access_token"),
        Some("https://management.core.windows.net/"),
    );
    // Any resource, named by URL or by app id.
    let r = ci_grant(
        &srv,
        "alicedefault.onmicrosoft.com",
        "api://anything/.default",
    )
    .await;
    verify(&keys, r.str("access_token"), Some("api://anything"));

    // HTTP Basic (client_secret_basic), credentials URL-encoded as RFC 6749 says.
    let r = srv
        .client
        .post(srv.url(&format!("/{ALICEDEFAULT}/oauth2/v2.0/token")))
        .basic_auth(CI, Some(CI_SECRET))
        .form(&[("grant_type", "client_credentials"), ("scope", ARM_DEFAULT)])
        .send()
        .await
        .unwrap();
    let r = Resp::from(r).await;
    assert_eq!(r.status, 200, "{}", r.text);
    verify(
        &keys,
        r.str("access_token"),
        Some("https://management.azure.com"),
    );

    // The v1 endpoint takes `resource=`.
    let r = post_form(
        &srv,
        &format!("/{ALICEDEFAULT}/oauth2/token"),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CI),
            ("client_secret", CI_SECRET),
            ("resource", "https://management.core.windows.net/"),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["expires_in"], 3599);
    assert_eq!(r.body["resource"], "https://management.core.windows.net/");
    verify(
        &keys,
        r.str("access_token"),
        Some("https://management.core.windows.net/"),
    );
}

#[tokio::test]
async fn client_credentials_refusals_are_entras() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    #[rustfmt::skip]
    let refusals = [
        (ALICEDEFAULT, CI, "wrong-secret", ARM_DEFAULT, 401, "invalid_client", 7000215),
        (ALICEDEFAULT, "c9999999-0000-4000-8000-000000000000", CI_SECRET, ARM_DEFAULT, 400, "unauthorized_client", 700016),
        // The app lives in alicedefault, not contoso.
        (CONTOSO, CI, CI_SECRET, ARM_DEFAULT, 400, "unauthorized_client", 700016),
        (ALICEDEFAULT, OLD_APP, "old-secret-1", ARM_DEFAULT, 401, "invalid_client", 7000222),
        // An application signs in to its own tenant only.
        ("organizations", CI, CI_SECRET, ARM_DEFAULT, 400, "invalid_request", 50194),
        ("common", CI, CI_SECRET, ARM_DEFAULT, 400, "invalid_request", 50194),
        ("consumers", CI, CI_SECRET, ARM_DEFAULT, 400, "invalid_request", 50194),
        (ALICEDEFAULT, CI, CI_SECRET, "https://management.azure.com/user_impersonation", 400, "invalid_scope", 70011),
        (ALICEDEFAULT, CI, CI_SECRET, "https://a.example/.default https://b.example/.default", 400, "invalid_scope", 70011),
        ("nosuchtenant.example", CI, CI_SECRET, ARM_DEFAULT, 400, "invalid_request", 90002),
    ];
    for (tenant, client, secret, scope, status, error, code) in refusals {
        client_credentials_grant(&srv, tenant, client, secret, scope)
            .await
            .entra_error(status, error, code);
    }
    // Fields missing, or a grant tenantry does not serve.
    #[rustfmt::skip]
    let forms: [(Form, u16, &str, u32); 5] = [
        (&[("grant_type", "client_credentials"), ("client_id", CI), ("client_secret", CI_SECRET)], 400, "invalid_request", 900144),
        (&[("grant_type", "client_credentials"), ("client_id", CI), ("scope", ARM_DEFAULT)], 401, "invalid_client", 7000218),
        (&[("client_id", CI)], 400, "invalid_request", 900144),
        (&[("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")], 400, "unsupported_grant_type", 70003),
        (&[("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("client_id", AZ)], 400, "invalid_request", 900144),
    ];
    for (form, status, error, code) in forms {
        token(&srv, ALICEDEFAULT, form)
            .await
            .entra_error(status, error, code);
    }
    let r = srv
        .client
        .post(srv.url(&format!("/{ALICEDEFAULT}/oauth2/v2.0/token")))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    Resp::from(r)
        .await
        .entra_error(400, "invalid_request", 9002313);
}
