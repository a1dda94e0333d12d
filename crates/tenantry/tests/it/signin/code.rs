//! The authorization code flow: the authorize pages, PKCE, confidential and public clients, the
//! account-type picker, single sign-on with the portal, and the v1 form.

use super::*;

fn authorize_path(
    tenant: &str,
    client: &str,
    redirect: &str,
    challenge: Option<&str>,
    extra: &str,
) -> String {
    authorize_path_for(tenant, client, redirect, USER_SCOPES, challenge, extra)
}

/// The authorize page's path for `scope`.
pub(super) fn authorize_path_for(
    tenant: &str,
    client: &str,
    redirect: &str,
    scope: &str,
    challenge: Option<&str>,
    extra: &str,
) -> String {
    let mut p = format!(
        "/{tenant}/oauth2/v2.0/authorize?client_id={client}&response_type=code&redirect_uri={}&scope={}&state=st-1&nonce=n-1{extra}",
        encode(redirect),
        encode(scope),
    );
    if let Some(c) = challenge {
        p.push_str(&format!("&code_challenge={c}&code_challenge_method=S256"));
    }
    p
}

/// Signs in on the authorize pages (email, then password); the last answer.
async fn sign_in_steps(
    b: &mut Browser,
    path: &str,
    (user, pw): (&str, &str),
) -> (StatusCode, String, String) {
    let (status, _, page) = b.get(path).await;
    assert_eq!(status, 200, "{page}");
    let (_, _, page) = b
        .submit(path, &page, &[("step", "email"), ("username", user)])
        .await;
    assert!(page.contains(r#"name="password""#), "{page}");
    b.submit(
        path,
        &page,
        &[("step", "password"), ("username", user), ("password", pw)],
    )
    .await
}

/// Signs in on the authorize pages and returns the redirect's location.
pub(super) async fn sign_in_on_page(b: &mut Browser, path: &str, who: (&str, &str)) -> String {
    let (status, location, page) = sign_in_steps(b, path, who).await;
    assert_eq!(status, 302, "{page}");
    location
}

/// Opens the authorize page in a browser that is signed in already: single sign-on answers at once.
async fn code_without_asking(b: &mut Browser, path: &str) -> String {
    let (status, location, page) = b.get(path).await;
    assert_eq!(status, 302, "signed in already, so no page: {page}");
    assert!(location.contains("code="), "{location}");
    location
}

#[tokio::test]
async fn authorization_code_with_pkce_for_a_public_client() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let keys = jwks(&srv, "common").await;
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-and-some-more-entropy";
    let challenge = sha256_b64url(verifier);
    let redirect = "http://localhost:8400/";
    let path = authorize_path("organizations", AZ, redirect, Some(&challenge), "");
    let mut b = Browser::new(&srv);
    let location = sign_in_on_page(&mut b, &path, ERIN).await;
    assert!(location.starts_with(redirect), "{location}");
    let q = query_of(&location);
    assert_eq!(q["state"], "st-1");
    let code = q["code"].clone();

    let redeem = |verifier: &'static str, code: String| {
        let srv = &srv;
        async move {
            token(
                srv,
                "organizations",
                &[
                    ("grant_type", "authorization_code"),
                    ("client_id", AZ),
                    ("code", &code),
                    ("redirect_uri", redirect),
                    ("code_verifier", verifier),
                    ("scope", USER_SCOPES),
                ],
            )
            .await
        }
    };
    let r = redeem(verifier, code.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let id = verify(&keys, r.str("id_token"), Some(AZ));
    assert_eq!(
        (id["nonce"].as_str(), id["tid"].as_str()),
        (Some("n-1"), Some(ALICEDEFAULT))
    );
    verify(
        &keys,
        r.str("access_token"),
        Some("https://management.core.windows.net/"),
    );
    assert!(r.body["refresh_token"].is_string());
    // A code works once.
    redeem(verifier, code)
        .await
        .entra_error(400, "invalid_grant", 70000);

    // A wrong verifier fails (and uses the code up).
    let location = code_without_asking(&mut b, &path).await;
    let code = query_of(&location)["code"].clone();
    redeem(
        "a-wrong-verifier-that-is-long-enough-to-be-a-verifier-0000",
        code.clone(),
    )
    .await
    .entra_error(400, "invalid_grant", 501481);
    redeem(verifier, code)
        .await
        .entra_error(400, "invalid_grant", 70000);

    // Codes expire after ten minutes.
    let location = code_without_asking(&mut b, &path).await;
    srv.svc.advance_clock(601);
    redeem(verifier, query_of(&location)["code"].clone())
        .await
        .entra_error(400, "invalid_grant", 70008);

    // A public client without PKCE is sent back with an error.
    let (status, location, _) = b
        .get(&authorize_path("organizations", AZ, redirect, None, ""))
        .await;
    assert_eq!(status, 302);
    let q = query_of(&location);
    assert_eq!(
        (q["error"].as_str(), q["state"].as_str()),
        ("invalid_request", "st-1")
    );
    assert!(
        q["error_description"].starts_with("AADSTS9002325"),
        "{}",
        q["error_description"]
    );
}

#[tokio::test]
async fn authorize_refuses_unknown_redirects_and_forged_forms() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let mut b = Browser::new(&srv);
    let challenge = sha256_b64url("verifier-verifier-verifier-verifier-verifier-00");
    // Registered apps: exact match only; the error is shown, never redirected.
    for redirect in [
        "https://app.example/callback/",
        "https://evil.example/callback",
        "https://app.example/callback?x=1",
    ] {
        let (status, location, page) = b
            .get(&authorize_path(
                CONTOSO,
                WEB,
                redirect,
                Some(&challenge),
                "",
            ))
            .await;
        assert_eq!(status, 400, "{redirect}");
        assert!(location.is_empty());
        assert!(page.contains("AADSTS50011"), "{page}");
    }
    // First-party public clients: the loopback interface only.
    let (status, _, page) = b
        .get(&authorize_path(
            "common",
            AZ,
            "https://evil.example/",
            Some(&challenge),
            "",
        ))
        .await;
    assert_eq!(status, 400);
    assert!(page.contains("AADSTS50011"));
    let (status, _, page) = b
        .get(&authorize_path(
            "common",
            "d0000000-0000-4000-8000-000000000000",
            "http://localhost/",
            Some(&challenge),
            "",
        ))
        .await;
    assert_eq!(status, 400);
    assert!(page.contains("AADSTS700016"), "{page}");
    let (status, _, _) = b
        .get(&authorize_path(
            "nosuch.example",
            AZ,
            "http://localhost/",
            Some(&challenge),
            "",
        ))
        .await;
    assert_eq!(status, 400);

    // A form posted without the page's cookie token is not a sign-in.
    let path = authorize_path(CONTOSO, WEB, WEB_REDIRECT, Some(&challenge), "");
    b.get(&path).await;
    let (status, _, page) = b
        .post(
            &path,
            &[
                ("csrf", "forged-token-forged-token"),
                ("step", "password"),
                ("username", "admin@contoso.onmicrosoft.com"),
                ("password", "Contoso-Admin-1!"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("expired"), "{page}");

    // Wrong password: shown on the page.
    let (_, _, page) = b.get(&path).await;
    let (status, _, page) = b
        .submit(
            &path,
            &page,
            &[
                ("step", "password"),
                ("username", ADMIN.0),
                ("password", "wrong"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("AADSTS50126"), "{page}");
}

#[tokio::test]
async fn authorization_code_for_a_confidential_app_and_the_account_type_picker() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let mut b = Browser::new(&srv);
    // A web app at its tenant: no PKCE needed, its secret at the token endpoint; form_post answer.
    let path = authorize_path(CONTOSO, WEB, WEB_REDIRECT, None, "&response_mode=form_post");
    let (status, _, page) = sign_in_steps(&mut b, &path, ADMIN).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!(r#"action="{WEB_REDIRECT}""#)),
        "{page}"
    );
    let at = page.find(r#"name="code" value=""#).expect("code field") + 19;
    let code = page[at..].split('"').next().unwrap().to_string();
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", WEB),
        ("code", code.as_str()),
        ("redirect_uri", "https://app.example/other"),
        ("scope", USER_SCOPES),
        ("client_secret", WEB_SECRET),
    ];
    // The redirect URI must be the code's.
    token(&srv, CONTOSO, &form)
        .await
        .entra_error(400, "invalid_grant", 50011);

    // The dual email at `common`: the page asks which account, then signs in that one.
    let lee = "lee@contoso.onmicrosoft.com";
    let challenge = sha256_b64url("verifier-verifier-verifier-verifier-verifier-00");
    let path = authorize_path(
        "common",
        AZ,
        "http://127.0.0.1:5000/cb",
        Some(&challenge),
        "",
    );
    for (kind, pw, tid) in [
        ("personal", "Lee-Personal-1!", CONSUMERS),
        ("organizational", "Lee-Contoso-1!", CONTOSO),
    ] {
        // A browser of its own: the first sign-in would otherwise answer the second (single sign-on).
        let mut b = Browser::new(&srv);
        let (_, _, page) = b.get(&path).await;
        let (_, _, page) = b
            .submit(&path, &page, &[("step", "email"), ("username", lee)])
            .await;
        assert!(
            page.contains("Work or school account") && page.contains("Personal account"),
            "{page}"
        );
        let (_, _, page) = b
            .submit(
                &path,
                &page,
                &[("step", "kind"), ("username", lee), ("account_type", kind)],
            )
            .await;
        assert!(page.contains(r#"name="password""#), "{page}");
        let (status, location, page) = b
            .submit(
                &path,
                &page,
                &[
                    ("step", "password"),
                    ("username", lee),
                    ("account_type", kind),
                    ("password", pw),
                ],
            )
            .await;
        assert_eq!(status, 302, "{page}");
        let r = redeem_for_az(&srv, "common", &location, "http://127.0.0.1:5000/cb").await;
        assert_eq!(r.status, 200, "{kind}: {}", r.text);
        assert_eq!(payload(r.str("access_token"))["tid"], tid, "{kind}");
    }
}

/// Redeems the code in a redirect's `location` for the Azure CLI's client id, with the tests' PKCE
/// verifier.
async fn redeem_for_az(srv: &TestServer, tenant: &str, location: &str, redirect: &str) -> Resp {
    token(
        srv,
        tenant,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", AZ),
            ("code", &query_of(location)["code"]),
            ("redirect_uri", redirect),
            (
                "code_verifier",
                "verifier-verifier-verifier-verifier-verifier-00",
            ),
            ("scope", USER_SCOPES),
        ],
    )
    .await
}

#[tokio::test]
async fn the_portal_and_authorize_share_one_sign_in() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let challenge = sha256_b64url("verifier-verifier-verifier-verifier-verifier-00");
    let at = |tenant: &str, extra: &str| {
        authorize_path(
            tenant,
            AZ,
            "http://localhost:8400/",
            Some(&challenge),
            extra,
        )
    };
    let erin = "erin@alicedefault.onmicrosoft.com";

    // Nobody signed in: `prompt=none` goes back to the client, which must ask.
    let mut b = Browser::new(&srv);
    let (status, location, _) = b.get(&at("organizations", "&prompt=none")).await;
    assert_eq!(status, 302);
    assert_eq!(query_of(&location)["error"], "login_required");

    // Signed in to the portal: the authorize request answers with a code, no page.
    b.sign_in_to_portal(erin, "Erin-Default-1!").await;
    let location = code_without_asking(&mut b, &at("organizations", "")).await;
    let r = redeem_for_az(&srv, "organizations", &location, "http://localhost:8400/").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(payload(r.str("id_token"))["preferred_username"], erin);
    code_without_asking(&mut b, &at("organizations", "&prompt=none")).await;
    code_without_asking(&mut b, &at("organizations", &format!("&login_hint={erin}"))).await;

    // Asked to sign in again, or for another account: the page, never a code.
    let (status, _, page) = b.get(&at("organizations", "&prompt=login")).await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"name="username""#), "{page}");
    let (status, _, page) = b
        .get(&at(
            "organizations",
            "&login_hint=admin@contoso.onmicrosoft.com",
        ))
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("admin@contoso.onmicrosoft.com") && page.contains(r#"name="password""#));
    // An authority Erin cannot sign in at (`consumers` takes personal accounts only): the page says who
    // is signed in and why that account cannot go on.
    let (status, _, page) = b.get(&at("consumers", "")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("You are signed in as") && page.contains("AADSTS50020"),
        "{page}"
    );
    let (status, location, _) = b.get(&at("consumers", "&prompt=none")).await;
    assert_eq!(status, 302);
    assert_eq!(query_of(&location)["error"], "interaction_required");

    // Logging out at the authority ends the portal session too.
    let (status, _, _) = b.get("/common/oauth2/v2.0/logout").await;
    assert_eq!(status, 200);
    let (status, location, _) = b.get("/").await;
    assert_eq!((status.as_u16(), location.as_str()), (303, "/signin"));
    let (status, _, _) = b.get(&at("organizations", "")).await;
    assert_eq!(status, 200, "asked again");

    // Signing in on the authorize page signs in to the portal as well.
    let mut b = Browser::new(&srv);
    sign_in_on_page(&mut b, &at("organizations", ""), ERIN).await;
    let (status, _, page) = b.get("/").await;
    assert_eq!(status, 200, "the portal's dashboard, signed in");
    assert!(page.contains(erin), "{page}");
}

/// The v1 authorize endpoint (`resource=` instead of `scope=`), as older clients call it: the same
/// pages, a code redeemed at the v1 token endpoint for that resource.
#[tokio::test]
async fn v1_authorize_with_a_resource() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let challenge = sha256_b64url("verifier-verifier-verifier-verifier-verifier-00");
    let path = format!(
        "/{ALICEDEFAULT}/oauth2/authorize?client_id={AZ}&response_type=code&redirect_uri={}&resource={}&state=v1&code_challenge={challenge}&code_challenge_method=S256",
        encode("http://localhost:8400/"),
        encode("https://management.core.windows.net/"),
    );
    let mut b = Browser::new(&srv);
    let location = sign_in_on_page(&mut b, &path, ERIN).await;
    let q = query_of(&location);
    assert_eq!(q["state"], "v1");
    let r = post_form(
        &srv,
        &format!("/{ALICEDEFAULT}/oauth2/token"),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", AZ),
            ("code", &q["code"]),
            ("redirect_uri", "http://localhost:8400/"),
            (
                "code_verifier",
                "verifier-verifier-verifier-verifier-verifier-00",
            ),
            ("resource", "https://management.core.windows.net/"),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let keys = jwks(&srv, "common").await;
    let access = verify(
        &keys,
        r.str("access_token"),
        Some("https://management.core.windows.net/"),
    );
    assert_eq!(access["upn"], "erin@alicedefault.onmicrosoft.com");
    assert!(r.body["id_token"].is_string(), "{}", r.text);
}
