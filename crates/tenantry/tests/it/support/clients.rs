//! The real clients (the Python SDKs, msal, the Azure CLI), installed by the test command.

use super::{
    ALICEDEFAULT, CI_CLIENT, CI_SECRET, PAYG, TestServer, TestStore, object_of, repo_root,
    tenant_id,
};
use tenantry_service::domain::{Actor, DirectoryRole, ObjectId};

/// The path of a tool the test command installs; a test that needs it fails (not skips) without it.
pub fn required_tool(var: &str) -> String {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!(
            "{var} is not set: run the tests with scripts/test.sh, which installs the Python clients and the Azure CLI into virtualenvs and exports {var}"
        ),
    }
}

/// Runs a client script against the server; its output is shown when it fails.
pub fn run_client(program: &str, args: &[&str], srv: &TestServer, extra: &[(&str, &str)]) {
    let mut cmd = std::process::Command::new(program);
    cmd.args(args)
        .env("TENANTRY_URL", &srv.base_url)
        .env("REQUESTS_CA_BUNDLE", &srv.ca_path)
        .env("TENANTRY_TENANT", ALICEDEFAULT)
        .env("TENANTRY_SUBSCRIPTION", PAYG)
        .env("TENANTRY_CLIENT_ID", CI_CLIENT)
        .env("TENANTRY_CLIENT_SECRET", CI_SECRET)
        .env("AZURE_CORE_COLLECT_TELEMETRY", "false")
        .env("PYTHONUNBUFFERED", "1");
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{program} {args:?} failed:\n{text}");
    println!("{text}");
}

/// Runs a driver script of tests/az with the Azure CLI's own interpreter (it sits beside `az` in its
/// virtualenv), a fresh az configuration directory, and `extra` in the environment.
pub fn run_az_script(srv: &TestServer, script: &str, extra: &[(&str, &str)]) {
    let az = required_tool("TENANTRY_TEST_AZ");
    let config = tenantry_store::testing::TempDir::new("tenantry-az").unwrap();
    let path = repo_root().join("crates/tenantry/tests/az").join(script);
    let python = std::path::Path::new(&az).with_file_name("python");
    let mut env = vec![
        ("TENANTRY_TEST_AZ", az.as_str()),
        ("AZURE_CONFIG_DIR", config.path().to_str().unwrap()),
    ];
    env.extend_from_slice(extra);
    tokio::task::block_in_place(|| {
        run_client(
            python.to_str().unwrap(),
            &[path.to_str().unwrap()],
            srv,
            &env,
        )
    });
}

/// Gives the demo's "ci" application these directory roles in alicedefault (as the operator), for the
/// az scripts that sign in as it; returns its object id.
pub async fn ci_with_directory_roles(srv: &TestServer, roles: &[DirectoryRole]) -> ObjectId {
    let alicedefault = tenant_id(&srv.svc, "alicedefault");
    let ci = object_of(&srv.svc, CI_CLIENT, "alicedefault");
    for role in roles {
        srv.svc
            .add_directory_role_member(&Actor::Operator, alicedefault, *role, ci)
            .await
            .unwrap_or_else(|e| panic!("ci becomes {}: {e}", role.display_name()));
    }
    ci
}

/// The demo world on SQLite, served, with "ci" holding `roles` in alicedefault: where the az scripts
/// that sign in as it run. The store lives as long as the server is used.
pub async fn demo_with_ci(roles: &[DirectoryRole]) -> (TestStore, TestServer) {
    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    ci_with_directory_roles(&srv, roles).await;
    (store, srv)
}
