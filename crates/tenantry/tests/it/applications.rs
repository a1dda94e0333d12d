//! The application lifecycle over Graph, on SQLite and PostgreSQL: an application object and its service
//! principal have different ids, both addressable by `(appId='…')`; `PATCH` changes an application,
//! `removePassword` takes a secret away, `keyCredentials` sent back with `key: null` are kept, and
//! `DELETE` (of the application or its service principal) takes its role assignments, directory roles
//! and group memberships with it, listed in one audit event.

use crate::graph::contoso_admin;
use crate::signin::certificates::TestCertificate;
use crate::support::*;
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Registers an application in contoso: (application object id, appId, service principal id).
async fn register(srv: &TestServer, admin: &str, name: &str) -> (String, String, String) {
    let (s, app) = call(
        srv,
        Method::POST,
        "/v1.0/applications",
        Some(admin),
        Some(json!({"displayName": name})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{app}");
    let (id, app_id) = (app["id"].as_str().unwrap(), app["appId"].as_str().unwrap());
    let (s, sp) = call(
        srv,
        Method::POST,
        "/v1.0/servicePrincipals",
        Some(admin),
        Some(json!({"appId": app_id})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{sp}");
    (
        id.to_string(),
        app_id.to_string(),
        sp["id"].as_str().unwrap().to_string(),
    )
}

/// A certificate as Graph's `key` of a `keyCredential`: base64 DER.
fn der(c: &TestCertificate) -> String {
    base64::engine::general_purpose::STANDARD.encode(&c.read.der)
}

/// Gives the application `id` this one certificate, with `PATCH keyCredentials`.
async fn with_certificate(srv: &TestServer, admin: &str, id: &str, c: &TestCertificate) {
    let (s, e) = patch(
        srv,
        &format!("/v1.0/applications/{id}"),
        admin,
        json!({"keyCredentials": [{"type": "AsymmetricX509Cert", "usage": "Verify", "key": der(c)}]}),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
}

async fn patch(srv: &TestServer, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    call(srv, Method::PATCH, path, Some(token), Some(body)).await
}

#[tokio::test]
async fn an_application_and_its_service_principal_have_their_own_ids_and_change() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let admin = contoso_admin(&srv).await;
        let (id, app_id, sp) = register(&srv, &admin, "web-app").await;
        assert_ne!(id, sp, "as in Entra");

        // Each is addressed by its own id and by appId; neither answers to the other's id.
        for path in [
            format!("/v1.0/applications/{id}"),
            format!("/v1.0/applications(appId='{app_id}')"),
        ] {
            let (s, a) = get(&srv, &path, &admin).await;
            assert_eq!(s, StatusCode::OK, "{path}: {a}");
            assert_eq!(a["id"], id.as_str());
        }
        for path in [
            format!("/v1.0/servicePrincipals/{sp}"),
            format!("/v1.0/servicePrincipals(appId='{app_id}')"),
        ] {
            let (s, p) = get(&srv, &path, &admin).await;
            assert_eq!(s, StatusCode::OK, "{path}: {p}");
            assert_eq!(p["id"], sp.as_str());
        }
        let (s, _) = get(&srv, &format!("/v1.0/applications/{sp}"), &admin).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // PATCH: the name, redirect URIs and group claims change; 204 without a body, as Graph.
        let (s, e) = patch(
            &srv,
            &format!("/v1.0/applications/{id}"),
            &admin,
            json!({
                "displayName": "web-app-2",
                "web": {"redirectUris": ["https://app.contoso.com/signin"]},
                "groupMembershipClaims": "SecurityGroup",
                "signInAudience": "AzureADMyOrg",
            }),
        )
        .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
        let (_, a) = get(&srv, &format!("/v1.0/applications/{id}"), &admin).await;
        assert_eq!(a["displayName"], "web-app-2");
        assert_eq!(
            a["web"]["redirectUris"],
            json!(["https://app.contoso.com/signin"])
        );
        assert_eq!(a["groupMembershipClaims"], "SecurityGroup");
        let (_, p) = get(&srv, &format!("/v1.0/servicePrincipals/{sp}"), &admin).await;
        assert_eq!(p["displayName"], "web-app-2", "one object behind both");
        // By appId too.
        let (s, e) = patch(
            &srv,
            &format!("/v1.0/applications(appId='{app_id}')"),
            &admin,
            json!({"displayName": "web-app-3"}),
        )
        .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
        // Refusals, in Graph's words: an audience tenantry does not hold; a redirect URI over http;
        // someone who is no administrator.
        let (s, e) = patch(
            &srv,
            &format!("/v1.0/applications/{id}"),
            &admin,
            json!({"signInAudience": "AzureADMultipleOrgs"}),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
        assert_eq!(e["error"]["code"], "Request_BadRequest");
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap()
                .contains("AzureADMyOrg"),
            "{e}"
        );
        let (s, e) = patch(
            &srv,
            &format!("/v1.0/applications/{id}"),
            &admin,
            json!({"web": {"redirectUris": ["http://app.contoso.com/"]}}),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
        let megan = user_token(
            &srv,
            CONTOSO,
            "megan@contoso.onmicrosoft.com",
            "Megan-Contoso-1!",
            GRAPH,
        )
        .await;
        let (s, e) = patch(
            &srv,
            &format!("/v1.0/applications/{id}"),
            &megan,
            json!({"displayName": "mine"}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        let (_, a) = get(&srv, &format!("/v1.0/applications/{id}"), &admin).await;
        assert_eq!(a["displayName"], "web-app-3");
        assert_memory_matches_database(&srv.svc).await;
    }
}

#[tokio::test]
async fn secrets_are_removed_and_certificates_sent_back_without_their_key_are_kept() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let admin = contoso_admin(&srv).await;
        let (id, app_id, _) = register(&srv, &admin, "worker").await;
        let mut secrets = Vec::new();
        for _ in 0..2 {
            let (s, p) = call(
                &srv,
                Method::POST,
                &format!("/v1.0/applications/{id}/addPassword"),
                Some(&admin),
                Some(json!({})),
            )
            .await;
            assert_eq!(s, StatusCode::OK, "{p}");
            secrets.push((
                p["keyId"].as_str().unwrap().to_string(),
                p["secretText"].as_str().unwrap().to_string(),
            ));
        }
        let (s, e) = call(
            &srv,
            Method::POST,
            &format!("/v1.0/applications/{id}/removePassword"),
            Some(&admin),
            Some(json!({"keyId": secrets[0].0})),
        )
        .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
        let (_, a) = get(&srv, &format!("/v1.0/applications/{id}"), &admin).await;
        let left: Vec<&str> = a["passwordCredentials"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["keyId"].as_str().unwrap())
            .collect();
        assert_eq!(left, [secrets[1].0.as_str()]);
        // The removed secret signs in no more; the other does.
        let scope = format!("{GRAPH}/.default");
        let gone = client_credentials_grant(&srv, CONTOSO, &app_id, &secrets[0].1, &scope).await;
        assert_eq!(gone.status, 401, "{:?}", gone.body);
        let kept = client_credentials_grant(&srv, CONTOSO, &app_id, &secrets[1].1, &scope).await;
        assert!(kept.access_token().is_ok());
        // An unknown key id is Graph's 404.
        let (s, e) = call(
            &srv,
            Method::POST,
            &format!("/v1.0/applications/{id}/removePassword"),
            Some(&admin),
            Some(json!({"keyId": secrets[0].0})),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{e}");

        // keyCredentials: a certificate is added by its key, then the list sent back with `key: null`
        // (what `az ad app credential reset --append` does) keeps it beside a new one.
        let (first, second) = (
            TestCertificate::new("first"),
            TestCertificate::new("second"),
        );
        with_certificate(&srv, &admin, &id, &first).await;
        let (_, a) = get(&srv, &format!("/v1.0/applications/{id}"), &admin).await;
        let mut keys = a["keyCredentials"].as_array().unwrap().clone();
        assert_eq!(keys.len(), 1, "{a}");
        assert_eq!(keys[0]["displayName"], "CN=first");
        keys.push(json!({"type": "AsymmetricX509Cert", "usage": "Verify", "key": der(&second)}));
        let (s, e) = patch(
            &srv,
            &format!("/v1.0/applications/{id}"),
            &admin,
            json!({"keyCredentials": keys}),
        )
        .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
        let (_, a) = get(&srv, &format!("/v1.0/applications/{id}"), &admin).await;
        let names: Vec<&str> = a["keyCredentials"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["displayName"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["CN=first", "CN=second"]);
        // A key id the application does not have, without a key, is refused; so is a key that is no
        // certificate. Nothing changed.
        for bad in [
            json!({"keyId": "00000000-0000-4000-8000-000000000000", "key": null}),
            json!({"key": "bm90IGEgY2VydGlmaWNhdGU="}),
        ] {
            let (s, e) = patch(
                &srv,
                &format!("/v1.0/applications/{id}"),
                &admin,
                json!({"keyCredentials": [bad]}),
            )
            .await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
        }
        // The empty list removes them all.
        let (s, _) = patch(
            &srv,
            &format!("/v1.0/applications/{id}"),
            &admin,
            json!({"keyCredentials": []}),
        )
        .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (_, a) = get(&srv, &format!("/v1.0/applications/{id}"), &admin).await;
        assert_eq!(a["keyCredentials"], json!([]));
        assert_memory_matches_database(&srv.svc).await;
    }
}

/// Deleting the demo's "ci" application (by its application object, or by its service principal) takes
/// its Contributor assignment, its directory role and its group membership with it, in one change.
#[tokio::test]
async fn deleting_an_application_takes_what_names_it() {
    for store in both().await {
        for by_principal in [false, true] {
            let srv = TestServer::demo(&store).await;
            let ci = ci_with_directory_roles(
                &srv,
                &[tenantry_service::domain::DirectoryRole::UserAdministrator],
            )
            .await;
            let alice = user_token(
                &srv,
                ALICEDEFAULT,
                "alice@outlook.com",
                "Alice-2017!",
                GRAPH,
            )
            .await;
            let (s, g) = call(
                &srv,
                Method::POST,
                "/v1.0/groups",
                Some(&alice),
                Some(json!({
                    "displayName": format!("deployers-{by_principal}"), "mailNickname": format!("deployers-{by_principal}"),
                    "securityEnabled": true, "mailEnabled": false,
                })),
            )
            .await;
            assert_eq!(s, StatusCode::CREATED, "{g}");
            let group = g["id"].as_str().unwrap();
            let (s, e) = call(
                &srv,
                Method::POST,
                &format!("/v1.0/groups/{group}/members/$ref"),
                Some(&alice),
                Some(json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{ci}")})),
            )
            .await;
            assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
            let sub = payg(&srv.svc);
            let assignments = |srv: &TestServer| {
                srv.svc
                    .read(|w| w.subscription(sub).unwrap().assignments_of(ci).count())
            };
            assert_eq!(assignments(&srv), 1);
            let (_, app) = get(
                &srv,
                &format!("/v1.0/applications(appId='{CI_CLIENT}')"),
                &alice,
            )
            .await;
            let object = app["id"].as_str().unwrap().to_string();
            assert_ne!(object, ci.to_string());

            let path = if by_principal {
                format!("/v1.0/servicePrincipals/{ci}")
            } else {
                format!("/v1.0/applications/{object}")
            };
            let (s, e) = call(&srv, Method::DELETE, &path, Some(&alice), None).await;
            assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
            for gone in [
                format!("/v1.0/applications/{object}"),
                format!("/v1.0/servicePrincipals/{ci}"),
                format!("/v1.0/servicePrincipals(appId='{CI_CLIENT}')"),
            ] {
                let (s, _) = get(&srv, &gone, &alice).await;
                assert_eq!(s, StatusCode::NOT_FOUND, "{gone}");
            }
            assert_eq!(assignments(&srv), 0);
            let (_, members) = get(&srv, &format!("/v1.0/groups/{group}/members"), &alice).await;
            assert_eq!(members["value"], json!([]), "{members}");
            let scope = format!("{ARM}/.default");
            let r =
                client_credentials_grant(&srv, ALICEDEFAULT, CI_CLIENT, CI_SECRET, &scope).await;
            assert_ne!(r.status, 200, "a deleted application signs in no more");
            // One event lists what went.
            let events = srv
                .svc
                .audit_events(&tenantry_store::AuditFilter {
                    limit: Some(1000),
                    ..Default::default()
                })
                .await
                .unwrap();
            let deleted = events
                .iter()
                .find(|e| e.operation == "microsoft.directory/applications/delete")
                .expect("an audit event");
            assert_eq!(deleted.target, CI_CLIENT);
            assert_eq!(
                deleted.details["roleAssignments"].as_array().unwrap().len(),
                1
            );
            assert_eq!(
                deleted.details["directoryRoles"],
                json!(["UserAdministrator"]),
                "{}",
                deleted.details
            );
            assert_eq!(deleted.details["memberOf"], json!([group]));
            assert_eq!(deleted.details["applicationObjectId"], object.as_str());
            // Again: nothing to delete.
            let (s, _) = call(&srv, Method::DELETE, &path, Some(&alice), None).await;
            assert_eq!(s, StatusCode::NOT_FOUND);
            assert_memory_matches_database(&srv.svc).await;
        }
    }
}

/// `addKey`/`removeKey` with Entra's proof of possession: a JWT signed by a current certificate of the
/// application, `aud` Azure AD Graph's id, `iss` the application object's id, at most ten minutes long.
#[tokio::test]
async fn keys_are_rolled_with_a_proof_of_possession() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let admin = contoso_admin(&srv).await;
        let (id, _, sp) = register(&srv, &admin, "roller").await;
        let (first, second, stranger) = (
            TestCertificate::new("first"),
            TestCertificate::new("second"),
            TestCertificate::new("stranger"),
        );
        with_certificate(&srv, &admin, &id, &first).await;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let proof = |by: &TestCertificate, claims: Value| {
            let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
            h.x5t = Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(by.read.sha1));
            by.sign(h, &claims)
        };
        let claims = |iss: &str, lifetime: i64| json!({"aud": "00000002-0000-0000-c000-000000000000", "iss": iss, "nbf": now, "exp": now + lifetime});
        let add_key = |proof: String| {
            let body = json!({
                "keyCredential": {"type": "AsymmetricX509Cert", "usage": "Verify", "key": der(&second)},
                "proof": proof,
            });
            let path = format!("/v1.0/applications/{id}/addKey");
            let admin = admin.clone();
            let srv = &srv;
            async move { call(srv, Method::POST, &path, Some(&admin), Some(body)).await }
        };
        // Refused: signed by a certificate the application does not have; another audience; the appId
        // as issuer; valid for an hour.
        let mut wrong_aud = claims(&id, 600);
        wrong_aud["aud"] = json!("https://graph.microsoft.com");
        for bad in [
            proof(&stranger, claims(&id, 600)),
            proof(&first, wrong_aud),
            proof(&first, claims("not-the-object-id", 600)),
            proof(&first, claims(&id, 3600)),
        ] {
            let (s, e) = add_key(bad).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
            assert!(
                e["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("proof of possession"),
                "{e}"
            );
        }
        // Signed by its certificate: the new one is added and shown.
        let (s, added) = add_key(proof(&first, claims(&id, 600))).await;
        assert_eq!(s, StatusCode::OK, "{added}");
        assert_eq!(added["displayName"], "CN=second");
        let (_, a) = get(&srv, &format!("/v1.0/applications/{id}"), &admin).await;
        let keys = a["keyCredentials"].as_array().unwrap().clone();
        assert_eq!(keys.len(), 2, "{a}");
        // removeKey, through the service principal (iss its id), signed by the new certificate.
        let (s, e) = call(
            &srv,
            Method::POST,
            &format!("/v1.0/servicePrincipals/{sp}/removeKey"),
            Some(&admin),
            Some(json!({"keyId": keys[0]["keyId"], "proof": proof(&second, claims(&sp, 600))})),
        )
        .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
        let (_, a) = get(&srv, &format!("/v1.0/applications/{id}"), &admin).await;
        let names: Vec<&str> = a["keyCredentials"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["displayName"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["CN=second"]);
        assert_memory_matches_database(&srv.svc).await;
    }
}

/// The Azure CLI's application lifecycle (`az ad app update/delete`, `az ad app credential
/// reset/list/delete` with secrets and certificates, `az ad sp credential reset`, `az ad sp delete`) as
/// the "ci" application, made Global Administrator first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_cli_application_lifecycle() {
    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    ci_with_directory_roles(
        &srv,
        &[tenantry_service::domain::DirectoryRole::GlobalAdministrator],
    )
    .await;
    run_az_script(&srv, "app_lifecycle_cli.py", &[]);
    assert_memory_matches_database(&srv.svc).await;
}
