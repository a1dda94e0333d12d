//! Signing keys: rotation keeps old keys published until their tokens expire; `tenantry keys
//! rotate`.

use super::*;

#[tokio::test]
async fn rotated_keys_stay_published_until_their_tokens_expire() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let old = ci_grant(&srv, ALICEDEFAULT, ARM_DEFAULT)
        .await
        .str("access_token")
        .to_string();
    let old_kid = jsonwebtoken::decode_header(&old).unwrap().kid.unwrap();
    // The stored key is sealed: its private half is not in the database in clear.
    let stored = srv.svc.store().all_signing_keys().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(stored[0].sealed_private_key.starts_with("v1."));
    assert!(!stored[0].sealed_private_key.contains("PRIVATE KEY"));

    let new_kid = srv.signin.rotate_keys().await.unwrap();
    assert_ne!(new_kid, old_kid);
    let keys = jwks(&srv, "common").await;
    let kids: Vec<&str> = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(
        kids,
        [new_kid.as_str(), old_kid.as_str()],
        "the active key first, the old one still there"
    );
    let new = ci_grant(&srv, ALICEDEFAULT, ARM_DEFAULT)
        .await
        .str("access_token")
        .to_string();
    assert_eq!(
        jsonwebtoken::decode_header(&new).unwrap().kid.unwrap(),
        new_kid
    );
    verify(&keys, &old, None);
    verify(&keys, &new, None);
    let subs = "/subscriptions?api-version=2022-12-01";
    assert_eq!(get_resp(&srv, subs, Some(&old)).await.status, 200);
    // Two hours on, the old key (and any token it signed) is gone; the new one signs on.
    srv.svc.advance_clock(2 * 3600 + 1);
    let new_again = ci_grant(&srv, ALICEDEFAULT, ARM_DEFAULT).await;
    let keys = reload_jwks(&srv).await;
    assert_eq!(keys["keys"].as_array().unwrap().len(), 1);
    assert_eq!(
        get_resp(&srv, subs, Some(new_again.str("access_token")))
            .await
            .status,
        200
    );
}

/// The server re-reads the keys at most every few seconds; this asks a fresh instance instead.
async fn reload_jwks(srv: &TestServer) -> Value {
    let signin = tenantry_service::signin::SignIn::new(
        srv.svc.clone(),
        &srv.base_url,
        tenantry_service::signin::process_key_encryption_key(),
    );
    signin.jwks().await.unwrap()
}

#[test]
fn tenantry_keys_rotate_keeps_the_old_key_published_and_the_kek_private() {
    let dir = tenantry_store::testing::TempDir::new("tenantry-keys").unwrap();
    // `--data` belongs to the subcommand, so it goes after the words.
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tenantry"))
            .env("TENANTRY_LOG", "warn,sqlx=error")
            .env_remove("TENANTRY_DATABASE_URL")
            .env_remove("TENANTRY_KEY_ENCRYPTION_KEY")
            .args(args)
            .arg("--data")
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let first = run(&["keys", "rotate"]);
    let second = run(&["keys", "rotate"]);
    assert!(first.contains("new active signing key") && second.contains("new active signing key"));
    let list = run(&["keys", "list"]);
    assert_eq!(
        list.lines().filter(|l| l.ends_with("active")).count(),
        1,
        "{list}"
    );
    assert_eq!(
        list.lines()
            .filter(|l| l.contains("retired, published until"))
            .count(),
        1,
        "{list}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("key-encryption-key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
