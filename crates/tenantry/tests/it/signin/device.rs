//! The device authorization grant: the verification page, and the real msal and Azure CLI polling
//! while a person approves.

use super::*;

/// Starts a device flow; returns (device_code, user_code).
async fn start_device_flow(srv: &TestServer, tenant: &str, client: &str) -> (String, String) {
    start_device_flow_for(srv, tenant, client, USER_SCOPES).await
}

/// Starts a device flow for `scope`; returns (device_code, user_code).
pub(super) async fn start_device_flow_for(
    srv: &TestServer,
    tenant: &str,
    client: &str,
    scope: &str,
) -> (String, String) {
    let r = post_form(
        srv,
        &format!("/{tenant}/oauth2/v2.0/devicecode"),
        &[("client_id", client), ("scope", scope)],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["verification_uri"],
        format!("{}/devicelogin", srv.base_url)
    );
    assert_eq!(
        (r.body["expires_in"].as_i64(), r.body["interval"].as_i64()),
        (Some(900), Some(5))
    );
    let user_code = r.str("user_code").to_string();
    assert!(r.str("message").contains(&user_code));
    (r.str("device_code").to_string(), user_code)
}

async fn poll(srv: &TestServer, tenant: &str, device_code: &str) -> Resp {
    token(
        srv,
        tenant,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", AZ),
            ("device_code", device_code),
        ],
    )
    .await
}

/// On the verification page: types `typed`, then continues (or cancels); returns the last page.
pub(super) async fn verify_device(b: &mut Browser, typed: &str, approve: bool) -> String {
    let (status, _, page) = b.get("/devicelogin").await;
    assert_eq!(status, 200, "{page}");
    let (_, _, page) = b.submit("/devicelogin", &page, &[("code", typed)]).await;
    if !page.contains(r#"id="confirm-code""#) {
        return page;
    }
    let code = typed.replace('-', "").to_uppercase();
    let action = if approve {
        "/devicelogin/approve"
    } else {
        "/devicelogin/decline"
    };
    let (status, _, page) = b.submit(action, &page, &[("code", &code)]).await;
    assert_eq!(status, 200, "{page}");
    page
}

#[tokio::test]
async fn device_code_flow_signs_in_whoever_approves_on_the_verification_page() {
    for store in both().await {
        let srv = server(&store).await;
        let keys = jwks(&srv, "common").await;
        let (device_code, user_code) = start_device_flow(&srv, "organizations", AZ).await;
        assert_eq!(user_code.len(), 9);
        poll(&srv, "organizations", &device_code).await.entra_error(
            400,
            "authorization_pending",
            70016,
        );

        // The verification page needs a signed-in person; it then names the app and the account.
        let mut b = Browser::new(&srv);
        let (status, location, _) = b.get("/devicelogin").await;
        assert_eq!((status.as_u16(), location.as_str()), (303, "/signin"));
        b.sign_in_to_portal("erin@alicedefault.onmicrosoft.com", "Erin-Default-1!")
            .await;
        // Typed in lower case with a dash: the same code.
        let typed = format!("{}-{}", &user_code[..4], &user_code[4..]).to_lowercase();
        let (_, _, page) = b.get("/devicelogin").await;
        let (_, _, confirm) = b.submit("/devicelogin", &page, &[("code", &typed)]).await;
        assert!(
            confirm.contains("Microsoft Azure CLI")
                && confirm.contains("erin@alicedefault.onmicrosoft.com"),
            "{confirm}"
        );
        let done = verify_device(&mut b, &typed, true).await;
        assert!(
            done.contains("You have signed in to Microsoft Azure CLI"),
            "{done}"
        );

        let r = poll(&srv, "organizations", &device_code).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let id = verify(&keys, r.str("id_token"), Some(AZ));
        assert_eq!(
            (id["preferred_username"].as_str(), id["tid"].as_str()),
            (
                Some("erin@alicedefault.onmicrosoft.com"),
                Some(ALICEDEFAULT)
            )
        );
        verify(
            &keys,
            r.str("access_token"),
            Some("https://management.core.windows.net/"),
        );
        assert!(r.body["refresh_token"].is_string());
        // Once only.
        poll(&srv, "organizations", &device_code)
            .await
            .entra_error(400, "invalid_grant", 70000);

        // Declined: the device is told so.
        let (device_code, user_code) = start_device_flow(&srv, "organizations", AZ).await;
        let done = verify_device(&mut b, &user_code, false).await;
        assert!(done.contains("Sign-in cancelled"), "{done}");
        poll(&srv, "organizations", &device_code).await.entra_error(
            400,
            "authorization_declined",
            70000,
        );

        // An account that cannot sign in where the device asked: refused on the page, still waiting.
        let (device_code, user_code) = start_device_flow(&srv, "consumers", AZ).await;
        let page = verify_device(&mut b, &user_code, true).await;
        assert!(page.contains("AADSTS50020"), "{page}");
        poll(&srv, "consumers", &device_code).await.entra_error(
            400,
            "authorization_pending",
            70016,
        );

        // A code that is not one, and codes that expired.
        let page = verify_device(&mut b, "NOPE", true).await;
        assert!(page.contains("AADSTS70019"), "{page}");
        let (device_code, user_code) = start_device_flow(&srv, "organizations", AZ).await;
        srv.svc.advance_clock(901);
        let page = verify_device(&mut b, &user_code, true).await;
        assert!(page.contains("AADSTS70019"), "{page}");
        poll(&srv, "organizations", &device_code)
            .await
            .entra_error(400, "expired_token", 70020);

        // Unknown clients and missing scopes are refused when the flow starts.
        post_form(
            &srv,
            "/organizations/oauth2/v2.0/devicecode",
            &[
                ("client_id", "d0000000-0000-4000-8000-000000000000"),
                ("scope", USER_SCOPES),
            ],
        )
        .await
        .entra_error(400, "unauthorized_client", 700016);
        post_form(
            &srv,
            "/organizations/oauth2/v2.0/devicecode",
            &[("client_id", AZ)],
        )
        .await
        .entra_error(400, "invalid_request", 900144);
    }
}

/// A confidential client (an application with secrets) proves itself in the device flow as the code
/// and password grants require: at the device authorization request and at the poll. A public one
/// (no secrets, like the Azure CLI) needs nothing.
#[tokio::test]
async fn a_confidential_client_authenticates_in_the_device_flow() {
    for store in both().await {
        let srv = server(&store).await;
        let start = format!("/{CONTOSO}/oauth2/v2.0/devicecode");
        let asks = [("client_id", WEB), ("scope", USER_SCOPES)];
        post_form(&srv, &start, &asks)
            .await
            .entra_error(401, "invalid_client", 7000218);
        let wrong = [asks[0], asks[1], ("client_secret", "wrong")];
        post_form(&srv, &start, &wrong)
            .await
            .entra_error(401, "invalid_client", 7000215);
        // With its secret, in the body or as Basic credentials (client_secret_basic).
        let r = post_form(
            &srv,
            &start,
            &[asks[0], asks[1], ("client_secret", WEB_SECRET)],
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let basic = srv
            .client
            .post(srv.url(&start))
            .basic_auth(WEB, Some(WEB_SECRET))
            .form(&[("scope", USER_SCOPES)])
            .send()
            .await
            .unwrap();
        let basic = Resp::from(basic).await;
        assert_eq!(basic.status, 200, "{}", basic.text);
        let (device_code, user_code) = (basic.str("device_code"), basic.str("user_code"));

        let mut b = Browser::new(&srv);
        b.sign_in_to_portal(ADMIN.0, ADMIN.1).await;
        let done = verify_device(&mut b, user_code, true).await;
        assert!(done.contains("You have signed in to web"), "{done}");

        // Polling without the secret is refused, and leaves the approved code to the real client.
        let poll = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", WEB),
            ("device_code", device_code),
        ];
        token(&srv, CONTOSO, &poll)
            .await
            .entra_error(401, "invalid_client", 7000218);
        let mut with_secret = poll.to_vec();
        with_secret.push(("client_secret", WEB_SECRET));
        let r = token(&srv, CONTOSO, &with_secret).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let at = payload(r.str("access_token"));
        assert_eq!(
            (at["appid"].as_str(), at["appidacr"].as_str()),
            (Some(WEB), Some("1"))
        );

        // A registered public client (no secrets) starts and polls without one.
        let r = post_form(&srv, &start, &[("client_id", SPA), ("scope", USER_SCOPES)]).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let spa_poll = [
            poll[0],
            ("client_id", SPA),
            ("device_code", r.str("device_code")),
        ];
        token(&srv, CONTOSO, &spa_poll)
            .await
            .entra_error(400, "authorization_pending", 70016);
    }
}

/// Runs a client that prints the user code it was given as a first JSON line (`user_code`), then polls;
/// approves that code as Erin on the verification page; returns the client's second JSON line, once it
/// exited successfully. (The groups tests sign erin in to the Azure CLI with it too.)
pub(crate) async fn approve_while_client_polls(
    srv: &TestServer,
    client: std::process::Command,
) -> Value {
    approve_while_app_polls(srv, client, "Microsoft Azure CLI").await
}

/// As [`approve_while_client_polls`], for the application named `app_name` on the verification page.
pub(super) async fn approve_while_app_polls(
    srv: &TestServer,
    mut client: std::process::Command,
    app_name: &str,
) -> Value {
    use std::io::BufRead;
    let mut child = client
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run the client");
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next_json = |what: &str| -> Value {
        let line = tokio::task::block_in_place(|| lines.next())
            .unwrap_or_else(|| panic!("the client printed no {what}"))
            .unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    };
    let shown = next_json("code");
    let user_code = shown["user_code"]
        .as_str()
        .unwrap_or_else(|| panic!("{shown}"))
        .to_string();

    let mut b = Browser::new(srv);
    b.sign_in_to_portal("erin@alicedefault.onmicrosoft.com", "Erin-Default-1!")
        .await;
    let done = verify_device(&mut b, &user_code, true).await;
    assert!(
        done.contains(&format!("You have signed in to {app_name}")),
        "{done}"
    );

    let result = next_json("result");
    let status = tokio::task::block_in_place(|| child.wait()).unwrap();
    assert!(status.success(), "{result}");
    result
}

/// msal's own device flow: the script polls while this test approves on the verification page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn msal_device_flow_gets_tokens_once_the_person_approves() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let mut msal = std::process::Command::new(required_tool("TENANTRY_TEST_PYTHON"));
    msal.arg(repo_root().join("crates/tenantry/tests/py/device_flow.py"))
        .env("REQUESTS_CA_BUNDLE", &srv.ca_path)
        .env("TENANTRY_AUTHORITY", &srv.base_url)
        .env("TENANTRY_CLIENT_ID", AZ)
        .env("TENANTRY_SCOPES", ARM_DEFAULT);
    let result = approve_while_client_polls(&srv, msal).await;
    assert_eq!(result["refresh_token"], true);
    assert_eq!(
        result["id_token_claims"]["preferred_username"],
        "erin@alicedefault.onmicrosoft.com"
    );
    let keys = jwks(&srv, "common").await;
    verify(
        &keys,
        result["access_token"].as_str().unwrap(),
        Some("https://management.azure.com"),
    );
}

/// `az login --use-device-code` with the real Azure CLI: az shows the code, the person approves on the
/// verification page, az completes its login and uses it (`account show`, `ad signed-in-user show`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_cli_logs_in_with_a_device_code() {
    let az = required_tool("TENANTRY_TEST_AZ");
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let config = tenantry_store::testing::TempDir::new("tenantry-az-device").unwrap();
    let mut cli = std::process::Command::new(std::path::Path::new(&az).with_file_name("python"));
    cli.arg(repo_root().join("crates/tenantry/tests/az/device_login.py"))
        .env("TENANTRY_TEST_AZ", &az)
        .env("TENANTRY_URL", &srv.base_url)
        .env("REQUESTS_CA_BUNDLE", &srv.ca_path)
        .env("AZURE_CONFIG_DIR", config.path());
    let result = approve_while_client_polls(&srv, cli).await;
    assert_eq!(
        result["account"]["user"]["name"], "erin@alicedefault.onmicrosoft.com",
        "{result}"
    );
    assert_eq!(result["account"]["tenantId"], ALICEDEFAULT);
    assert_eq!(
        result["me"]["userPrincipalName"],
        "erin@alicedefault.onmicrosoft.com"
    );
}
