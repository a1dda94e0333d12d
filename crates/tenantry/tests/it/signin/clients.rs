//! The real Python clients: azure-identity and msal against tenantry.

use super::*;

/// Runs a script of tests/py with the server's CA trusted; returns its JSON output.
pub(super) fn run_python(script: &str, srv: &TestServer, env: &[(&str, &str)]) -> Value {
    let path = repo_root().join("crates/tenantry/tests/py").join(script);
    let out = std::process::Command::new(required_tool("TENANTRY_TEST_PYTHON"))
        .arg(&path)
        .env("REQUESTS_CA_BUNDLE", &srv.ca_path)
        .env("TENANTRY_AUTHORITY", &srv.base_url)
        .env_remove("AZURE_AUTHORITY_HOST")
        .envs(env.iter().copied())
        .output()
        .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{script} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("{script} printed no JSON ({e}): {stdout}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_identity_client_secret_credential_gets_arm_and_graph_tokens() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let out = run_python(
        "client_secret.py",
        &srv,
        &[
            ("TENANTRY_TENANT", ALICEDEFAULT),
            ("TENANTRY_CLIENT_ID", CI),
            ("TENANTRY_CLIENT_SECRET", CI_SECRET),
            (
                "TENANTRY_SCOPES",
                &format!("{ARM_DEFAULT} https://graph.microsoft.com/.default"),
            ),
        ],
    );
    let keys = jwks(&srv, ALICEDEFAULT).await;
    let tokens = out["tokens"].as_array().expect("tokens");
    let arm = verify(
        &keys,
        tokens[0]["token"].as_str().unwrap(),
        Some("https://management.azure.com"),
    );
    assert_eq!(
        (arm["appid"].as_str(), arm["tid"].as_str()),
        (Some(CI), Some(ALICEDEFAULT))
    );
    verify(
        &keys,
        tokens[1]["token"].as_str().unwrap(),
        Some("https://graph.microsoft.com"),
    );
    let subs = "/subscriptions?api-version=2022-12-01";
    assert_eq!(
        get_resp(&srv, subs, tokens[0]["token"].as_str())
            .await
            .status,
        200
    );

    // A wrong secret: the client reports Entra's AADSTS7000215.
    let out = std::process::Command::new(required_tool("TENANTRY_TEST_PYTHON"))
        .arg(repo_root().join("crates/tenantry/tests/py/client_secret.py"))
        .env("REQUESTS_CA_BUNDLE", &srv.ca_path)
        .env("TENANTRY_AUTHORITY", &srv.base_url)
        .env("TENANTRY_TENANT", ALICEDEFAULT)
        .env("TENANTRY_CLIENT_ID", CI)
        .env("TENANTRY_CLIENT_SECRET", "wrong")
        .env("TENANTRY_SCOPES", ARM_DEFAULT)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("AADSTS7000215"));
}

/// The one test that binds port 443: msal's user-realm lookup ignores the authority's port (contract
/// §1.4), so the password flows need the server there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn username_password_flows_of_azure_identity_and_msal_on_port_443() {
    let store = sqlite_store().await;
    let srv = TestServer::start_on(service(&store).await, 443).await;
    assert_eq!(srv.base_url, "https://127.0.0.1");
    let out = run_python(
        "username_password.py",
        &srv,
        &[
            ("TENANTRY_TENANT", ALICEDEFAULT),
            ("TENANTRY_CLIENT_ID", AZ),
            ("TENANTRY_USERNAME", "erin@alicedefault.onmicrosoft.com"),
            ("TENANTRY_PASSWORD", "Erin-Default-1!"),
            (
                "TENANTRY_SCOPES",
                &format!("{ARM_DEFAULT} https://graph.microsoft.com/.default"),
            ),
            ("TENANTRY_OTHER_TENANT", CONTOSO),
        ],
    );
    let keys = jwks(&srv, "common").await;
    let erin = object_of(
        &srv.svc,
        "erin@alicedefault.onmicrosoft.com",
        "alicedefault",
    )
    .to_string();
    let identity = out["identity"].as_array().expect("identity tokens");
    let arm = verify(
        &keys,
        identity[0]["token"].as_str().unwrap(),
        Some("https://management.azure.com"),
    );
    assert_eq!(
        (arm["oid"].as_str(), arm["tid"].as_str()),
        (Some(erin.as_str()), Some(ALICEDEFAULT))
    );
    // The second scope came from the refresh token.
    verify(
        &keys,
        identity[1]["token"].as_str().unwrap(),
        Some("https://graph.microsoft.com"),
    );

    // az's way: `organizations`, then a silent refresh for another tenant where erin is a guest.
    let az = &out["az"];
    let first = verify(
        &keys,
        az["organizations"].as_str().unwrap(),
        Some("https://management.core.windows.net/"),
    );
    assert_eq!(first["tid"], ALICEDEFAULT);
    assert_eq!(az["id_token_claims"]["tid"], ALICEDEFAULT);
    assert_eq!(
        az["id_token_claims"]["preferred_username"],
        "erin@alicedefault.onmicrosoft.com"
    );
    let other = verify(&keys, az["other_tenant"].as_str().unwrap(), None);
    assert_eq!(other["tid"], CONTOSO);
    assert_eq!(
        az["accounts"],
        serde_json::json!([format!("{erin}.{ALICEDEFAULT}")])
    );

    // The Azure CLI itself: `az login -u -p` on this port, then `az ad signed-in-user show`, which is
    // Graph's `/me` with the Graph token az gets by refresh.
    run_az_script(
        &srv,
        "graph_signed_in_user.py",
        &[
            ("TENANTRY_USERNAME", "erin@alicedefault.onmicrosoft.com"),
            ("TENANTRY_PASSWORD", "Erin-Default-1!"),
            ("TENANTRY_USER_OID", &erin),
        ],
    );
}
