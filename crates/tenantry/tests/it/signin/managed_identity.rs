//! Managed identities' tokens over HTTPS on both databases: an endpoint secret issued for a resource
//! (as `tenantry identity env` issues it), the App Service form (`X-IDENTITY-HEADER`) and the IMDS form
//! (the secret in the host's path, `Metadata: true`), the identity each request selects, each refusal
//! in its form's shape, tokens that authorize as the identity's service principal, revocation, and
//! azure-identity's `ManagedIdentityCredential` and `DefaultAzureCredential` driving azure-mgmt-resource.

use super::{jwks, verify};
use crate::arm::{Arm, authz, make_ci_owner, new_id, role_definition_id, sub_path};
use crate::support::*;
use reqwest::StatusCode;
use serde_json::json;
use tenantry_service::domain::{Actor, Scope};

const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";
const ARM_SLASH: &str = "https://management.azure.com/";

fn identity_path(name: &str) -> String {
    sub_path(&format!(
        "/resourceGroups/rg1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}"
    ))
}

fn site_path(name: &str) -> String {
    sub_path(&format!(
        "/resourceGroups/rg1/providers/Microsoft.Web/sites/{name}"
    ))
}

/// What the tests need: two user-assigned identities, a site with a system-assigned identity and `id-a`,
/// and a site with both user-assigned identities and no system-assigned one.
struct Setup {
    /// (principal id, client id) of the site's system-assigned identity, id-a and id-b.
    system: (String, String),
    a: (String, String),
    b: (String, String),
}

async fn setup(srv: &TestServer) -> Setup {
    let arm = Arm { srv };
    let app = arm.app().await;
    let mut user = vec![];
    for name in ["id-a", "id-b"] {
        let r = arm
            .put(
                &format!("{}?api-version=2023-01-31", identity_path(name)),
                &app,
                json!({"location": "westeurope"}),
            )
            .await
            .expect(201);
        let p = &r.body["properties"];
        user.push((
            p["principalId"].as_str().unwrap().to_string(),
            p["clientId"].as_str().unwrap().to_string(),
        ));
    }
    let r = arm
        .put(
            &site_path("site1"),
            &app,
            json!({"location": "westeurope", "identity": {"type": "SystemAssigned, UserAssigned", "userAssignedIdentities": {identity_path("id-a"): {}}}}),
        )
        .await
        .expect(201);
    let system = (
        r.body["identity"]["principalId"]
            .as_str()
            .unwrap()
            .to_string(),
        srv.svc.read(|w| {
            let scope = Scope::parse(&site_path("site1")).unwrap();
            w.managed_identity(&scope).unwrap().client_id.to_string()
        }),
    );
    arm.put(
        &site_path("site2"),
        &app,
        json!({"location": "westeurope", "identity": {"type": "UserAssigned", "userAssignedIdentities": {identity_path("id-a"): {}, identity_path("id-b"): {}}}}),
    )
    .await
    .expect(201);
    Setup {
        system,
        a: user[0].clone(),
        b: user[1].clone(),
    }
}

/// Gives each principal `role` on rg1, through ARM as the demo's "ci" application (made Owner first).
async fn grant_on_rg1(srv: &TestServer, grants: &[(&str, &str)]) {
    make_ci_owner(&srv.svc).await;
    let arm = Arm { srv };
    let app = arm.app().await;
    for (principal, role) in grants {
        arm.put(
            &authz(
                "/resourceGroups/rg1",
                &format!("roleAssignments/{}", new_id()),
            ),
            &app,
            json!({"properties": {"roleDefinitionId": role_definition_id(role), "principalId": principal, "principalType": "ServicePrincipal"}}),
        )
        .await
        .expect(201);
    }
}

async fn issue(srv: &TestServer, resource: &str) -> String {
    srv.svc
        .issue_identity_endpoint_secret(&Actor::Operator, &Scope::parse(resource).unwrap())
        .await
        .unwrap()
}

/// The App Service form: `GET /msi/token?…` with `X-IDENTITY-HEADER`.
async fn app_service(srv: &TestServer, secret: Option<&str>, query: &str) -> Resp {
    let mut req = srv.client.get(srv.url(&format!("/msi/token?{query}")));
    if let Some(s) = secret {
        req = req.header("X-IDENTITY-HEADER", s);
    }
    Resp::from(req.header("Metadata", "true").send().await.unwrap()).await
}

/// The IMDS form: the secret in the path, `Metadata: true` unless told otherwise.
async fn imds(srv: &TestServer, secret: &str, query: &str, metadata: bool) -> Resp {
    let mut req = srv.client.get(srv.url(&format!(
        "/msi/{secret}/metadata/identity/oauth2/token?{query}"
    )));
    if metadata {
        req = req.header("Metadata", "true");
    }
    Resp::from(req.send().await.unwrap()).await
}

#[tokio::test]
async fn a_process_with_an_endpoint_secret_gets_its_resources_identities_tokens() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let s = setup(&srv).await;
        let keys = jwks(&srv, ALICEDEFAULT).await;
        let site1 = site_path("site1");
        let before = audit_count(&srv.svc).await;
        let secret = issue(&srv, &site1).await;
        assert!(secret.starts_with("tmi_") && secret.len() > 40, "{secret}");
        assert_eq!(
            audit_count(&srv.svc).await,
            before + 1,
            "issuing is audited"
        );
        assert_memory_matches_database(&srv.svc).await;
        // Only a hash is kept, and ARM does not show it.
        let held = srv.svc.read(|w| {
            let scope = Scope::parse(&site1).unwrap();
            w.subscription(scope.subscription_id()).unwrap().resources[scope.key()]
                .identity
                .clone()
                .unwrap()
        });
        assert_eq!(held.endpoint_secrets.len(), 1);
        assert!(!held.endpoint_secrets[0].hash.contains(&secret));
        let shown = Arm { srv: &srv }
            .get(&site1, &Arm { srv: &srv }.app().await)
            .await
            .expect(200);
        assert!(!shown.text.contains("secret"), "{}", shown.text);

        // App Service, no selector: the system-assigned identity.
        let q = format!("resource={}&api-version=2019-08-01", encode(ARM_SLASH));
        let r = app_service(&srv, Some(&secret), &q).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.str("token_type"), "Bearer");
        assert_eq!(r.str("resource"), ARM_SLASH);
        assert_eq!(r.str("client_id"), s.system.1);
        let expires_on: i64 = r
            .str("expires_on")
            .parse()
            .expect("epoch seconds as a string");
        let claims = verify(&keys, r.str("access_token"), Some(ARM_SLASH));
        assert_eq!(claims["exp"], expires_on);
        assert_eq!(claims["idtyp"], "app");
        assert_eq!(claims["appid"], s.system.1.as_str());
        assert_eq!(claims["oid"], s.system.0.as_str());
        assert_eq!(claims["sub"], s.system.0.as_str());
        assert_eq!(claims["tid"], ALICEDEFAULT);
        assert_eq!(claims["xms_mirid"], site1.as_str());
        assert_eq!(r.headers["cache-control"], "no-store, no-cache");

        // Selecting the user-assigned one by client id, object id or resource id; no trailing slash.
        for sel in [
            format!("client_id={}", s.a.1),
            format!("object_id={}", s.a.0),
            format!("mi_res_id={}", encode(&identity_path("id-a"))),
        ] {
            let q = format!("resource={}&api-version=2019-08-01&{sel}", encode(ARM));
            let r = app_service(&srv, Some(&secret), &q).await;
            assert_eq!(r.status, 200, "{sel}: {}", r.text);
            assert_eq!(r.str("client_id"), s.a.1);
            assert_eq!(r.str("resource"), ARM);
            let claims = verify(&keys, r.str("access_token"), Some(ARM));
            assert_eq!(claims["oid"], s.a.0.as_str());
            assert_eq!(claims["xms_mirid"], identity_path("id-a").as_str());
        }

        // App Service refusals: an identity not assigned here (404), no resource (400), a wrong or
        // missing secret (401, saying nothing of what exists).
        let q = format!(
            "resource={}&api-version=2019-08-01&client_id={}",
            encode(ARM),
            s.b.1
        );
        let r = app_service(&srv, Some(&secret), &q).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
        assert_eq!(r.body["statusCode"], 404);
        assert!(
            r.str("message").contains("Identity not found"),
            "{}",
            r.text
        );
        let r = app_service(&srv, Some(&secret), "api-version=2019-08-01").await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert!(r.str("message").contains("resource"), "{}", r.text);
        let q = format!("resource={}&api-version=2019-08-01", encode(ARM));
        for wrong in [None, Some("tmi_wrong"), Some("")] {
            let r = app_service(&srv, wrong, &q).await;
            assert_eq!(r.status, 401, "{wrong:?}: {}", r.text);
            assert!(!r.text.contains("site1") && !r.text.contains("access_token"));
        }

        // IMDS: `expires_in` as a string, the same identities, `msi_res_id`.
        let q = format!("api-version=2018-02-01&resource={}", encode(ARM));
        let r = imds(&srv, &secret, &q, true).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let expires_in: i64 = r.str("expires_in").parse().unwrap();
        assert!((3500..3600).contains(&expires_in), "{expires_in}");
        assert_eq!(r.str("client_id"), s.system.1);
        let claims = verify(&keys, r.str("access_token"), Some(ARM));
        assert_eq!(claims["xms_mirid"], site1.as_str());
        let q2 = format!("{q}&msi_res_id={}", encode(&identity_path("id-a")));
        let r = imds(&srv, &secret, &q2, true).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.str("client_id"), s.a.1);
        // Graph as the audience too.
        let r = imds(
            &srv,
            &secret,
            &format!("api-version=2018-02-01&resource={}", encode(GRAPH)),
            true,
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        verify(&keys, r.str("access_token"), Some(GRAPH));

        // IMDS refusals: no Metadata header, a wrong secret, an identity not assigned here.
        let r = imds(&srv, &secret, &q, false).await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert_eq!(r.str("error"), "bad_request_102");
        let r = imds(&srv, "tmi_wrong", &q, true).await;
        assert_eq!(r.status, 401, "{}", r.text);
        assert!(!r.text.contains("site1"));
        let r = imds(&srv, &secret, &format!("{q}&client_id={}", s.b.1), true).await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert_eq!(r.str("error"), "invalid_request");

        // Several user-assigned identities and no selector: Azure's refusal; with one, its token.
        let secret2 = issue(&srv, &site_path("site2")).await;
        let r = imds(&srv, &secret2, &q, true).await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert!(
            r.str("error_description")
                .contains("Multiple user assigned identities")
        );
        let r = app_service(
            &srv,
            Some(&secret2),
            &format!("resource={}&api-version=2019-08-01", encode(ARM)),
        )
        .await;
        assert_eq!(r.status, 400, "{}", r.text);
        let r = imds(&srv, &secret2, &format!("{q}&client_id={}", s.b.1), true).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.str("client_id"), s.b.1);

        // A resource without identities gets no secret; one that does not exist neither.
        let arm = Arm { srv: &srv };
        let app = arm.app().await;
        arm.put(&site_path("plain"), &app, json!({"location": "westeurope"}))
            .await
            .expect(201);
        for r in [site_path("plain"), site_path("missing")] {
            let e = srv
                .svc
                .issue_identity_endpoint_secret(&Actor::Operator, &Scope::parse(&r).unwrap())
                .await
                .unwrap_err();
            assert!(e.to_string().contains(&r), "{e}");
        }

        // A second PUT of the site keeps its secrets; revoking removes them; the old one is refused.
        arm.put(
            &site1,
            &app,
            json!({"location": "westeurope", "identity": {"type": "SystemAssigned, UserAssigned", "userAssignedIdentities": {identity_path("id-a"): {}}}, "tags": {"k": "v"}}),
        )
        .await
        .expect(200);
        assert_eq!(imds(&srv, &secret, &q, true).await.status, 200);
        let n = srv
            .svc
            .revoke_identity_endpoint_secrets(&Actor::Operator, &Scope::parse(&site1).unwrap())
            .await
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(imds(&srv, &secret, &q, true).await.status, 401);
        // Switching the identities off takes the secrets with them.
        arm.put(
            &site_path("site2"),
            &app,
            json!({"location": "westeurope", "identity": {"type": "None"}}),
        )
        .await
        .expect(200);
        assert_eq!(imds(&srv, &secret2, &q, true).await.status, 401);
        assert_memory_matches_database(&srv.svc).await;
    }
}

#[tokio::test]
async fn managed_identity_tokens_authorize_as_the_identitys_service_principal() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let s = setup(&srv).await;
        let arm = Arm { srv: &srv };
        // The system-assigned identity is Contributor on rg1, id-a only Reader there.
        grant_on_rg1(&srv, &[(&s.system.0, CONTRIBUTOR), (&s.a.0, READER)]).await;
        let secret = issue(&srv, &site_path("site1")).await;
        let q = format!("resource={}&api-version=2019-08-01", encode(ARM));
        let system = app_service(&srv, Some(&secret), &q).await;
        let system = system.str("access_token").to_string();
        let reader = app_service(&srv, Some(&secret), &format!("{q}&client_id={}", s.a.1)).await;
        let reader = reader.str("access_token").to_string();
        let made = sub_path("/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/made");
        arm.put(&made, &system, json!({"location": "westeurope"}))
            .await
            .expect(201);
        let refused = arm
            .put(
                &sub_path("/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/nope"),
                &reader,
                json!({"location": "westeurope"}),
            )
            .await
            .expect(403);
        assert_eq!(refused.body["error"]["code"], "AuthorizationFailed");
        arm.get(&made, &reader).await.expect(200);
    }
}

/// azure-identity's ManagedIdentityCredential (both forms, and `client_id=` for a user-assigned
/// identity) and DefaultAzureCredential, unmodified, driving azure-mgmt-resource.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_identity_managed_identity_credentials_drive_arm() {
    let python = required_tool("TENANTRY_TEST_PYTHON");
    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    let s = setup(&srv).await;
    grant_on_rg1(&srv, &[(&s.system.0, CONTRIBUTOR), (&s.a.0, CONTRIBUTOR)]).await;
    let secret = issue(&srv, &site_path("site1")).await;
    let script = repo_root().join("crates/tenantry/tests/py/managed_identity.py");
    let endpoint = srv.url("/msi/token");
    let host = srv.url(&format!("/msi/{secret}"));
    let srv_ref = &srv;
    tokio::task::block_in_place(|| {
        run_client(
            &python,
            &[script.to_str().unwrap()],
            srv_ref,
            &[
                ("TENANTRY_MI_ENDPOINT", &endpoint),
                ("TENANTRY_MI_SECRET", &secret),
                ("TENANTRY_MI_HOST", &host),
                ("TENANTRY_MI_SYSTEM_CLIENT_ID", &s.system.1),
                ("TENANTRY_MI_USER_CLIENT_ID", &s.a.1),
            ],
        )
    });
}

/// `az login --identity` (the pinned CLI uses msal's managed identity client, which reads the same
/// variables), in both forms, as the system-assigned and a user-assigned identity.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn az_login_identity_signs_in_without_a_secret() {
    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    let s = setup(&srv).await;
    grant_on_rg1(&srv, &[(&s.system.0, READER), (&s.a.0, READER)]).await;
    let secret = issue(&srv, &site_path("site1")).await;
    let endpoint = srv.url("/msi/token");
    let host = srv.url(&format!("/msi/{secret}"));
    run_az_script(
        &srv,
        "managed_identity_login.py",
        &[
            ("TENANTRY_MI_ENDPOINT", &endpoint),
            ("TENANTRY_MI_SECRET", &secret),
            ("TENANTRY_MI_HOST", &host),
            ("TENANTRY_MI_USER_CLIENT_ID", &s.a.1),
        ],
    );
}

/// Two instances on one database: a secret issued through one (as `tenantry identity env` does, from
/// another process) is honoured by the other within a second, and so is its revocation.
#[tokio::test]
async fn a_secret_issued_elsewhere_is_honoured_within_a_second_and_so_is_its_revocation() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let _follower = srv.svc.spawn_follower();
        setup(&srv).await;
        let operator = tenantry_service::Service::open(store.open_again().await)
            .await
            .expect("second instance");
        let site1 = Scope::parse(&site_path("site1")).unwrap();
        let secret = operator
            .issue_identity_endpoint_secret(&Actor::Operator, &site1)
            .await
            .unwrap();
        let q = format!("api-version=2018-02-01&resource={}", encode(ARM));
        let mut status = StatusCode::UNAUTHORIZED;
        for _ in 0..20 {
            status = imds(&srv, &secret, &q, true).await.status;
            if status == 200 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(status, 200, "the issued secret is honoured within a second");
        operator
            .revoke_identity_endpoint_secrets(&Actor::Operator, &site1)
            .await
            .unwrap();
        for _ in 0..20 {
            status = imds(&srv, &secret, &q, true).await.status;
            if status == 401 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(status, 401, "the revocation is honoured within a second");
    }
}

/// A POST to `Microsoft.Subscription/identityEndpointSecrets[/revoke]`.
async fn post_secrets(arm: &Arm<'_>, path: &str, token: &str, body: &serde_json::Value) -> Resp {
    arm.call(
        reqwest::Method::POST,
        &format!("{path}?api-version=2024-01-01"),
        Some(token),
        Some(&body.to_string()),
    )
    .await
}

/// Over ARM, whoever may write the resource issues and revokes its endpoint secrets
/// (`Microsoft.Subscription/identityEndpointSecrets`); a reader may not; a resource of another
/// subscription than the path's is refused.
#[tokio::test]
async fn whoever_may_write_the_resource_issues_its_endpoint_secret_over_arm() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let s = setup(&srv).await;
        let arm = Arm { srv: &srv };
        let app = arm.app().await;
        let erin = arm.erin().await;
        let secrets = sub_path("/providers/Microsoft.Subscription/identityEndpointSecrets");
        let site1 = site_path("site1");
        let body = json!({ "resourceId": site1 });

        // erin reads rg1 only.
        let r = post_secrets(&arm, &secrets, &erin, &body).await;
        assert_eq!(r.status, 403, "{}", r.text);
        assert_eq!(r.body["error"]["code"], "AuthorizationFailed");

        // ci is Contributor on the subscription.
        let r = post_secrets(&arm, &secrets, &app, &body).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let secret = r.str("secret").to_string();
        let env = &r.body["environment"];
        assert_eq!(env["IDENTITY_HEADER"], secret.as_str());
        assert_eq!(env["IDENTITY_ENDPOINT"], srv.url("/msi/token"));
        assert_eq!(
            env["AZURE_POD_IDENTITY_AUTHORITY_HOST"],
            srv.url(&format!("/msi/{secret}"))
        );
        let q = format!("resource={}&api-version=2019-08-01", encode(ARM));
        let t = app_service(&srv, Some(&secret), &q).await;
        assert_eq!(t.status, 200, "{}", t.text);
        assert_eq!(t.str("client_id"), s.system.1);

        // Another subscription's resource id, or not a resource, is refused.
        for other in [
            format!(
                "/subscriptions/{}/resourceGroups/rg1/providers/Microsoft.Web/sites/site1",
                new_id()
            ),
            sub_path("/resourceGroups/rg1"),
        ] {
            let r = post_secrets(&arm, &secrets, &app, &json!({ "resourceId": other })).await;
            assert_eq!(r.status, 400, "{}", r.text);
            assert_eq!(r.body["error"]["code"], "InvalidResourceId");
        }

        let r = post_secrets(&arm, &format!("{secrets}/revoke"), &app, &body).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["revoked"], 1);
        assert_eq!(app_service(&srv, Some(&secret), &q).await.status, 401);
    }
}

/// A change of directory re-creates the identities in the destination: the resource's endpoint secret
/// stays good, and its tokens are now those of the new principals, in the new directory.
#[tokio::test]
async fn after_a_change_of_directory_the_secret_gets_the_new_principals_tokens() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let s = setup(&srv).await;
        let secret = issue(&srv, &site_path("site1")).await;
        let contoso = tenant_id(&srv.svc, "contoso");
        srv.svc
            .change_directory(&Actor::Operator, payg(&srv.svc), contoso, None, vec![])
            .await
            .unwrap();
        let q = format!("resource={}&api-version=2019-08-01", encode(ARM));
        let r = app_service(&srv, Some(&secret), &q).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_ne!(r.str("client_id"), s.system.1, "a new principal");
        let keys = jwks(&srv, CONTOSO).await;
        let claims = verify(&keys, r.str("access_token"), Some(ARM));
        assert_eq!(claims["tid"], CONTOSO);
        assert_eq!(claims["appid"], r.str("client_id"));
        assert_eq!(claims["xms_mirid"], site_path("site1").as_str());
    }
}
