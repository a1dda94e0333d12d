//! Sign-in over HTTPS as Entra's clients see it: discovery, every grant and every refusal in Entra's
//! format, tokens checked against the published JWKS by an independent library (jsonwebtoken), the
//! bearer extractors of ARM and Graph, rotation of refresh tokens and of signing keys across instances,
//! smart lockout on both databases, the authorize pages with PKCE, and the real Python clients
//! (azure-identity and msal, from the virtualenv `scripts/test.sh` prepares).

use crate::support::*;
use base64::Engine as _;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use std::collections::HashMap;
use tenantry_service::Service;
use tenantry_service::crypto::{hash_client_secret, sha256_b64url};
use tenantry_service::domain::{Actor, ObjectId, TenantId};

const ALICEDEFAULT: &str = "a11ce000-0000-4000-8000-000000000002";
const CONTOSO: &str = "c0a70500-0000-4000-8000-000000000001";
const CONSUMERS: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";
const CI: &str = "c1000000-0000-4000-8000-000000000001";
const CI_SECRET: &str = "ci-secret-1";
const OLD_APP: &str = "c1000000-0000-4000-8000-00000000000e";
const WEB: &str = "c2000000-0000-4000-8000-000000000002";
const WEB_SECRET: &str = "web-secret-1";
const WEB_REDIRECT: &str = "https://app.example/callback";
const SPA: &str = "c3000000-0000-4000-8000-000000000003";
const SPA_REDIRECT: &str = "https://spa.example/callback";
/// The Azure CLI's client id: a first-party public client, as azure-identity and az use it.
const AZ: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
const ARM: &str = "https://management.azure.com/.default";
const AZ_ARM: &str = "https://management.core.windows.net//.default";
const USER_SCOPES: &str =
    "https://management.core.windows.net//.default offline_access openid profile";
const GRAPH: &str = "https://graph.microsoft.com/.default offline_access openid profile";

/// The sign-in world: the demo's people, plus a dual identity (a personal account whose email is a
/// member's UPN), a disabled member, a personal account in no directory, a guest from another tenant,
/// a web app and a public app with redirect URIs, and an app whose only secret expired.
fn world() -> String {
    format!(
        r#"
[[personal_accounts]]
email = "alice@outlook.com"
password = "Alice-2017!"
display_name = "Alice"

[[personal_accounts]]
email = "nobody@outlook.com"
password = "Nobody-2017!"

[[personal_accounts]]
email = "lee@contoso.onmicrosoft.com"
password = "Lee-Personal-1!"
display_name = "Lee (personal)"

[[tenants]]
name = "alicedefault"
display_name = "Default Directory"
id = "{ALICEDEFAULT}"

  [[tenants.guests]]
  email = "alice@outlook.com"
  directory_roles = ["Global Administrator"]

  [[tenants.guests]]
  email = "lee@contoso.onmicrosoft.com"
  account_type = "personal"

  [[tenants.users]]
  user_name = "erin"
  password = "Erin-Default-1!"
  display_name = "Erin"

  [[tenants.users]]
  user_name = "frank"
  password = "Frank-Default-1!"
  enabled = false

  [[tenants.applications]]
  display_name = "ci"
  client_id = "{CI}"
  client_secret = "{CI_SECRET}"
  directory_roles = ["User Administrator"]

  [[tenants.applications]]
  display_name = "old"
  client_id = "{OLD_APP}"

    [[tenants.applications.secrets]]
    hash = "{old_hash}"
    hint = "old"
    expires = 1000

[[tenants]]
name = "contoso"
display_name = "Contoso"
id = "{CONTOSO}"
domains = ["contoso.com"]

  [[tenants.users]]
  user_name = "admin"
  password = "Contoso-Admin-1!"
  display_name = "Contoso Admin"
  directory_roles = ["Global Administrator"]

  [[tenants.users]]
  user_name = "lee"
  password = "Lee-Contoso-1!"
  display_name = "Lee Gu"

  [[tenants.guests]]
  email = "erin@alicedefault.onmicrosoft.com"

  [[tenants.applications]]
  display_name = "web"
  client_id = "{WEB}"
  client_secret = "{WEB_SECRET}"
  redirect_uris = ["{WEB_REDIRECT}"]

  [[tenants.applications]]
  display_name = "spa"
  client_id = "{SPA}"
  redirect_uris = ["{SPA_REDIRECT}"]
"#,
        old_hash = hash_client_secret("old-secret-1"),
    )
}

async fn service(store: &TestStore) -> Service {
    let svc = Service::open(store.store.clone()).await.expect("open");
    svc.apply_world(&world(), &mut |_, _| {})
        .await
        .expect("apply the sign-in world");
    svc
}

async fn server(store: &TestStore) -> TestServer {
    TestServer::start_on(service(store).await, 0).await
}

/// A response: status, headers and JSON body (Null when not JSON).
struct Resp {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
    text: String,
}

impl Resp {
    async fn from(r: reqwest::Response) -> Resp {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
            text,
        }
    }

    fn str(&self, key: &str) -> &str {
        self.body[key]
            .as_str()
            .unwrap_or_else(|| panic!("no {key} in {}", self.text))
    }

    /// An Entra error with this status, OAuth error and AADSTS code, in Entra's complete format.
    #[track_caller]
    fn entra_error(&self, status: u16, error: &str, code: u32) -> &Self {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(self.body["error"], error, "{}", self.text);
        assert_eq!(
            self.body["error_codes"],
            serde_json::json!([code]),
            "{}",
            self.text
        );
        let description = self.str("error_description");
        assert!(
            description.starts_with(&format!("AADSTS{code}: ")),
            "{description}"
        );
        assert!(description.contains("Trace ID: "), "{description}");
        for k in ["timestamp", "trace_id", "correlation_id"] {
            assert!(self.body[k].is_string(), "{k} missing: {}", self.text);
        }
        self
    }
}

async fn post_form(srv: &TestServer, path: &str, form: &[(&str, &str)]) -> Resp {
    let r = srv
        .client
        .post(srv.url(path))
        .header("X-AnchorMailbox", "upn:someone@example.com")
        .header("x-client-SKU", "MSAL.Python")
        .header("client-request-id", "2f7b2d2e-0000-4000-8000-000000000000")
        .form(form)
        .send()
        .await
        .expect("POST");
    Resp::from(r).await
}

async fn token(srv: &TestServer, tenant: &str, form: &[(&str, &str)]) -> Resp {
    // Every real client adds client_info=1; az also sends `claims`. Both are ignored.
    let mut all = form.to_vec();
    all.push(("client_info", "1"));
    all.push((
        "claims",
        r#"{"access_token": {"xms_cc": {"values": ["CP1"]}}}"#,
    ));
    post_form(srv, &format!("/{tenant}/oauth2/v2.0/token"), &all).await
}

async fn app_token(srv: &TestServer, tenant: &str, scope: &str) -> Resp {
    token(
        srv,
        tenant,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CI),
            ("client_secret", CI_SECRET),
            ("scope", scope),
        ],
    )
    .await
}

async fn password(srv: &TestServer, tenant: &str, user: &str, pw: &str, scope: &str) -> Resp {
    token(
        srv,
        tenant,
        &[
            ("grant_type", "password"),
            ("client_id", AZ),
            ("username", user),
            ("password", pw),
            ("scope", scope),
        ],
    )
    .await
}

async fn refresh(srv: &TestServer, tenant: &str, rt: &str, scope: &str) -> Resp {
    token(
        srv,
        tenant,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", AZ),
            ("refresh_token", rt),
            ("scope", scope),
        ],
    )
    .await
}

async fn get(srv: &TestServer, path: &str, bearer: Option<&str>) -> Resp {
    let mut req = srv.client.get(srv.url(path));
    if let Some(t) = bearer {
        req = req.bearer_auth(t);
    }
    Resp::from(req.send().await.expect("GET")).await
}

async fn jwks(srv: &TestServer, tenant: &str) -> Value {
    let r = get(srv, &format!("/{tenant}/discovery/v2.0/keys"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

/// The claims of `jwt`, its RS256 signature checked by jsonwebtoken against the JWKS key its `kid`
/// names (not by tenantry's verifier); `aud` checked when given, `exp` against the wall clock.
#[track_caller]
fn verify(keys: &Value, jwt: &str, aud: Option<&str>) -> Value {
    let header = jsonwebtoken::decode_header(jwt).expect("a JWT header");
    assert_eq!(header.alg, Algorithm::RS256);
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    let kid = header.kid.expect("kid");
    let jwk = keys["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .unwrap_or_else(|| panic!("kid {kid} is not in the JWKS"));
    let jwk: Jwk = serde_json::from_value(jwk.clone()).expect("a JWK");
    let key = DecodingKey::from_jwk(&jwk).expect("decoding key");
    let mut v = Validation::new(Algorithm::RS256);
    match aud {
        Some(a) => v.set_audience(&[a]),
        None => v.validate_aud = false,
    }
    jsonwebtoken::decode::<Value>(jwt, &key, &v)
        .unwrap_or_else(|e| panic!("signature check failed: {e}"))
        .claims
}

/// The claims without any check (for tokens whose signature we already checked or mean to break).
fn payload(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).expect("payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

fn sqlite_store() -> impl std::future::Future<Output = TestStore> {
    tenantry_store::testing::sqlite()
}

// ----- discovery -----

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
        let r = get(
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
        let v1 = get(
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
    get(
        &srv,
        "/nosuchtenant.example/v2.0/.well-known/openid-configuration",
        None,
    )
    .await
    .entra_error(400, "invalid_request", 90002);
    get(
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
        assert_eq!(get(&srv, path, None).await.body, keys, "{path}");
    }
}

#[tokio::test]
async fn user_realm_answers_managed_or_404_and_logout_redirects_only_to_known_uris() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let r = get(
        &srv,
        "/common/userrealm/erin@alicedefault.onmicrosoft.com?api-version=1.0",
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["account_type"], "Managed");
    assert_eq!(r.body["domain_name"], "alicedefault.onmicrosoft.com");
    assert_eq!(
        r.body["cloud_audience_urn"],
        "urn:federation:MicrosoftOnline"
    );
    let r = get(
        &srv,
        "/common/userrealm/alice@outlook.com?api-version=1.0",
        None,
    )
    .await;
    assert_eq!(r.body["account_type"], "Managed");
    let r = get(
        &srv,
        "/common/userrealm/nobody@nowhere.example?api-version=1.0",
        None,
    )
    .await;
    assert_eq!(r.status, 404);

    let no_redirect = reqwest_no_redirects(&srv);
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
        get(&srv, "/nosuch.example/oauth2/v2.0/logout", None)
            .await
            .status,
        400
    );
}

// ----- client credentials -----

#[tokio::test]
async fn client_credentials_issue_entra_shaped_tokens_that_verify_against_the_jwks() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let keys = jwks(&srv, ALICEDEFAULT).await;

    let r = app_token(&srv, ALICEDEFAULT, ARM).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.headers["cache-control"], "no-store, no-cache");
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["expires_in"], 3599, "an integer (contract P1)");
    assert_eq!(r.body["ext_expires_in"], 3599);
    assert_eq!(r.body["scope"], ARM);
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
    let r = app_token(&srv, ALICEDEFAULT, AZ_ARM).await;
    verify(
        &keys,
        r.str("access_token"),
        Some("https://management.core.windows.net/"),
    );
    // Any resource, named by URL or by app id.
    let r = app_token(
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
        .form(&[("grant_type", "client_credentials"), ("scope", ARM)])
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
    let cc = |id: &'static str, secret: &'static str, scope: &'static str| {
        vec![
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
            ("scope", scope),
        ]
    };
    token(&srv, ALICEDEFAULT, &cc(CI, "wrong-secret", ARM))
        .await
        .entra_error(401, "invalid_client", 7000215);
    token(
        &srv,
        ALICEDEFAULT,
        &cc("c9999999-0000-4000-8000-000000000000", CI_SECRET, ARM),
    )
    .await
    .entra_error(400, "unauthorized_client", 700016);
    // The app lives in alicedefault, not contoso.
    token(&srv, CONTOSO, &cc(CI, CI_SECRET, ARM))
        .await
        .entra_error(400, "unauthorized_client", 700016);
    token(&srv, ALICEDEFAULT, &cc(OLD_APP, "old-secret-1", ARM))
        .await
        .entra_error(401, "invalid_client", 7000222);
    for authority in ["organizations", "common", "consumers"] {
        token(&srv, authority, &cc(CI, CI_SECRET, ARM))
            .await
            .entra_error(400, "invalid_request", 50194);
    }
    token(
        &srv,
        ALICEDEFAULT,
        &cc(
            CI,
            CI_SECRET,
            "https://management.azure.com/user_impersonation",
        ),
    )
    .await
    .entra_error(400, "invalid_scope", 70011);
    token(
        &srv,
        ALICEDEFAULT,
        &cc(
            CI,
            CI_SECRET,
            "https://a.example/.default https://b.example/.default",
        ),
    )
    .await
    .entra_error(400, "invalid_scope", 70011);
    token(
        &srv,
        ALICEDEFAULT,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CI),
            ("client_secret", CI_SECRET),
        ],
    )
    .await
    .entra_error(400, "invalid_request", 900144);
    token(
        &srv,
        ALICEDEFAULT,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CI),
            ("scope", ARM),
        ],
    )
    .await
    .entra_error(401, "invalid_client", 7000218);
    token(&srv, ALICEDEFAULT, &[("client_id", CI)])
        .await
        .entra_error(400, "invalid_request", 900144);
    token(
        &srv,
        ALICEDEFAULT,
        &[("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")],
    )
    .await
    .entra_error(400, "unsupported_grant_type", 70003);
    token(
        &srv,
        ALICEDEFAULT,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", AZ),
        ],
    )
    .await
    .entra_error(400, "invalid_request", 900144);
    token(&srv, "nosuchtenant.example", &cc(CI, CI_SECRET, ARM))
        .await
        .entra_error(400, "invalid_request", 90002);
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

// ----- the bearer extractors -----

#[tokio::test]
async fn arm_and_graph_accept_their_audiences_and_refuse_everything_else() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let subs = "/subscriptions?api-version=2022-12-01";
    for scope in [
        ARM,
        AZ_ARM,
        &format!("{}/.default", srv.base_url),
        &format!("{}//.default", srv.base_url),
    ] {
        let t = app_token(&srv, ALICEDEFAULT, scope).await;
        let r = get(&srv, subs, Some(t.str("access_token"))).await;
        assert_eq!(r.status, 200, "{scope}: {}", r.text);
    }
    let www = |r: &Resp| r.headers["www-authenticate"].to_str().unwrap().to_string();
    let r = get(&srv, subs, None).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["error"]["code"], "AuthenticationFailed");
    assert!(
        www(&r).starts_with("Bearer authorization_uri="),
        "{}",
        www(&r)
    );

    let graph = app_token(&srv, ALICEDEFAULT, "https://graph.microsoft.com/.default").await;
    let graph = graph.str("access_token").to_string();
    let r = get(&srv, subs, Some(&graph)).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.body["error"]["code"],
        "InvalidAuthenticationTokenAudience"
    );

    let arm = app_token(&srv, ALICEDEFAULT, ARM)
        .await
        .str("access_token")
        .to_string();
    // A changed payload breaks the signature.
    let mut parts: Vec<String> = arm.split('.').map(String::from).collect();
    let mut claims = payload(&arm);
    claims["oid"] = Value::String(ObjectId::new().to_string());
    parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
    for bad in [parts.join("."), "not-a-jwt".to_string(), format!("{arm}x")] {
        let r = get(&srv, subs, Some(&bad)).await;
        assert_eq!(r.status, 401);
        assert_eq!(
            r.body["error"]["code"], "InvalidAuthenticationToken",
            "{}",
            r.text
        );
    }

    // Graph: its own audiences, its own error shape.
    assert_eq!(
        get(&srv, "/v1.0/organization", Some(&graph)).await.status,
        200
    );
    for bearer in [None, Some(arm.as_str())] {
        let r = get(&srv, "/v1.0/organization", bearer).await;
        assert_eq!(r.status, 401, "{}", r.text);
        assert_eq!(r.body["error"]["code"], "InvalidAuthenticationToken");
    }

    // An hour later (and past the five minutes of skew) the token has expired.
    srv.svc.advance_clock(3600 + 301);
    let r = get(&srv, subs, Some(&arm)).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["error"]["code"], "ExpiredAuthenticationToken");
}

#[tokio::test]
async fn a_token_whose_account_was_disabled_or_deleted_is_refused() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let r = password(
        &srv,
        ALICEDEFAULT,
        "erin@alicedefault.onmicrosoft.com",
        "Erin-Default-1!",
        USER_SCOPES,
    )
    .await;
    let erin = r.str("access_token").to_string();
    let subs = "/subscriptions?api-version=2022-12-01";
    assert_eq!(get(&srv, subs, Some(&erin)).await.status, 200);
    let tenant = TenantId(ALICEDEFAULT.parse().unwrap());
    let oid = object_of(
        &srv.svc,
        "erin@alicedefault.onmicrosoft.com",
        "alicedefault",
    );
    srv.svc
        .update_user(&Actor::Operator, tenant, oid, None, Some(false), None, None)
        .await
        .unwrap();
    let r = get(&srv, subs, Some(&erin)).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["error"]["code"], "InvalidAuthenticationToken");

    let app = app_token(&srv, ALICEDEFAULT, ARM)
        .await
        .str("access_token")
        .to_string();
    let app_oid = object_of(&srv.svc, CI, "alicedefault");
    srv.svc
        .execute(|w| {
            let mut change = tenantry_service::domain::Change::new();
            assert!(w.application(app_oid).is_some());
            change.push(tenantry_service::domain::Mutation::DeleteApplication {
                tenant,
                app: app_oid,
            });
            Ok((change, ()))
        })
        .await
        .unwrap();
    assert_eq!(get(&srv, subs, Some(&app)).await.status, 401);
}

// ----- password grant -----

#[tokio::test]
async fn password_grant_serves_members_guests_and_personal_accounts() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let keys = jwks(&srv, "common").await;
    let base = srv.base_url.clone();

    // A member at its tenant.
    let r = password(
        &srv,
        ALICEDEFAULT,
        "erin@alicedefault.onmicrosoft.com",
        "Erin-Default-1!",
        USER_SCOPES,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["expires_in"], 3599);
    assert_eq!(r.body["scope"], AZ_ARM);
    assert!(
        r.body["refresh_token"]
            .as_str()
            .is_some_and(|t| t.len() >= 43)
    );
    let erin = object_of(
        &srv.svc,
        "erin@alicedefault.onmicrosoft.com",
        "alicedefault",
    )
    .to_string();
    let at = verify(
        &keys,
        r.str("access_token"),
        Some("https://management.core.windows.net/"),
    );
    assert_eq!(at["iss"], format!("{base}/{ALICEDEFAULT}/"));
    assert_eq!(
        (at["tid"].as_str(), at["oid"].as_str()),
        (Some(ALICEDEFAULT), Some(erin.as_str()))
    );
    assert_eq!(at["idtyp"], "user");
    assert_eq!(at["upn"], "erin@alicedefault.onmicrosoft.com");
    assert_eq!(at["unique_name"], "erin@alicedefault.onmicrosoft.com");
    assert_eq!(at["name"], "Erin");
    assert_eq!(at["scp"], "user_impersonation");
    assert_eq!(
        (at["appid"].as_str(), at["ver"].as_str()),
        (Some(AZ), Some("1.0"))
    );
    assert!(at.get("idp").is_none(), "members have no idp");
    let id = verify(&keys, r.str("id_token"), Some(AZ));
    assert_eq!(id["iss"], format!("{base}/{ALICEDEFAULT}/v2.0"));
    assert_eq!(
        (id["tid"].as_str(), id["oid"].as_str()),
        (Some(ALICEDEFAULT), Some(erin.as_str()))
    );
    assert_eq!(
        id["preferred_username"],
        "erin@alicedefault.onmicrosoft.com"
    );
    assert_eq!(
        (id["name"].as_str(), id["ver"].as_str()),
        (Some("Erin"), Some("2.0"))
    );
    assert!(id["sub"].is_string() && id["exp"].is_i64() && id["nbf"].is_i64());
    let info = client_info(r.str("client_info"));
    assert_eq!(
        (info["uid"].as_str(), info["utid"].as_str()),
        (Some(erin.as_str()), Some(ALICEDEFAULT))
    );

    // A personal account as a guest of a tenant: that tenant's object, `idp` live.com, home in
    // client_info.
    let r = password(
        &srv,
        ALICEDEFAULT,
        "alice@outlook.com",
        "Alice-2017!",
        USER_SCOPES,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let at = verify(&keys, r.str("access_token"), None);
    let guest = object_of(&srv.svc, "alice@outlook.com", "alicedefault").to_string();
    assert_eq!(
        (at["tid"].as_str(), at["oid"].as_str()),
        (Some(ALICEDEFAULT), Some(guest.as_str()))
    );
    assert_eq!(at["idp"], "live.com");
    assert_eq!(at["upn"], "alice@outlook.com");
    let id = verify(&keys, r.str("id_token"), Some(AZ));
    assert_eq!(id["idp"], "live.com");
    let alice_home = client_info(r.str("client_info"));
    assert_eq!(alice_home["utid"], CONSUMERS);

    // The same person at `consumers`: the consumer realm; at `organizations`: her first directory.
    let r = password(
        &srv,
        "consumers",
        "alice@outlook.com",
        "Alice-2017!",
        USER_SCOPES,
    )
    .await;
    let at = verify(&keys, r.str("access_token"), None);
    assert_eq!(at["tid"], CONSUMERS);
    assert_eq!(at["oid"], alice_home["uid"]);
    assert_eq!(client_info(r.str("client_info")), alice_home);
    let r = password(
        &srv,
        "organizations",
        "alice@outlook.com",
        "Alice-2017!",
        USER_SCOPES,
    )
    .await;
    assert_eq!(
        verify(&keys, r.str("access_token"), None)["tid"],
        ALICEDEFAULT
    );
    // `common` takes either kind; a member goes to its home tenant.
    let r = password(
        &srv,
        "common",
        "alice@outlook.com",
        "Alice-2017!",
        USER_SCOPES,
    )
    .await;
    assert_eq!(verify(&keys, r.str("access_token"), None)["tid"], CONSUMERS);
    let r = password(
        &srv,
        "organizations",
        "erin@alicedefault.onmicrosoft.com",
        "Erin-Default-1!",
        USER_SCOPES,
    )
    .await;
    assert_eq!(
        verify(&keys, r.str("access_token"), None)["tid"],
        ALICEDEFAULT
    );

    // Another tenant's member as a guest: idp is its home tenant's issuer.
    let r = password(
        &srv,
        "contoso.com",
        "erin@alicedefault.onmicrosoft.com",
        "Erin-Default-1!",
        USER_SCOPES,
    )
    .await;
    let at = verify(&keys, r.str("access_token"), None);
    assert_eq!(at["tid"], CONTOSO);
    assert_eq!(
        at["idp"],
        format!("https://sts.windows.net/{ALICEDEFAULT}/")
    );

    // Graph scopes: the token is for Graph, with the scopes asked.
    let r = password(
        &srv,
        ALICEDEFAULT,
        "erin@alicedefault.onmicrosoft.com",
        "Erin-Default-1!",
        "User.Read openid",
    )
    .await;
    let at = verify(
        &keys,
        r.str("access_token"),
        Some("https://graph.microsoft.com"),
    );
    assert_eq!(at["scp"], "User.Read");
    assert!(
        r.body.get("refresh_token").is_none(),
        "no offline_access, no refresh token"
    );

    // A Global Administrator's token lists the role in `wids`.
    let r = password(
        &srv,
        CONTOSO,
        "admin@contoso.onmicrosoft.com",
        "Contoso-Admin-1!",
        USER_SCOPES,
    )
    .await;
    let at = verify(&keys, r.str("access_token"), None);
    assert_eq!(
        at["wids"],
        serde_json::json!(["62e90394-69f5-4237-9190-012177145e10"])
    );
}

#[tokio::test]
async fn password_grant_refusals_are_entras() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    password(
        &srv,
        ALICEDEFAULT,
        "erin@alicedefault.onmicrosoft.com",
        "wrong",
        USER_SCOPES,
    )
    .await
    .entra_error(400, "invalid_grant", 50126);
    password(
        &srv,
        ALICEDEFAULT,
        "ghost@alicedefault.onmicrosoft.com",
        "Ghost-1!",
        USER_SCOPES,
    )
    .await
    .entra_error(400, "invalid_grant", 50034);
    password(
        &srv,
        ALICEDEFAULT,
        "frank@alicedefault.onmicrosoft.com",
        "Frank-Default-1!",
        USER_SCOPES,
    )
    .await
    .entra_error(400, "invalid_grant", 50057);
    // Admin of contoso is nobody in alicedefault; said only with the right password.
    password(
        &srv,
        ALICEDEFAULT,
        "admin@contoso.onmicrosoft.com",
        "Contoso-Admin-1!",
        USER_SCOPES,
    )
    .await
    .entra_error(400, "invalid_grant", 50020);
    password(
        &srv,
        ALICEDEFAULT,
        "admin@contoso.onmicrosoft.com",
        "wrong",
        USER_SCOPES,
    )
    .await
    .entra_error(400, "invalid_grant", 50126);
    // A personal account in no directory cannot use `organizations`, nor a work-only tenant.
    password(
        &srv,
        "organizations",
        "nobody@outlook.com",
        "Nobody-2017!",
        USER_SCOPES,
    )
    .await
    .entra_error(400, "invalid_grant", 50020);
    // `consumers` is for personal accounts only.
    password(
        &srv,
        "consumers",
        "erin@alicedefault.onmicrosoft.com",
        "Erin-Default-1!",
        USER_SCOPES,
    )
    .await
    .entra_error(400, "invalid_grant", 50034);
    // Unknown public client, missing fields.
    let mut form = vec![
        ("grant_type", "password"),
        ("client_id", "d0000000-0000-4000-8000-000000000000"),
        ("username", "erin@alicedefault.onmicrosoft.com"),
        ("password", "Erin-Default-1!"),
        ("scope", USER_SCOPES),
    ];
    token(&srv, ALICEDEFAULT, &form)
        .await
        .entra_error(400, "unauthorized_client", 700016);
    form[1].1 = AZ;
    form.retain(|(k, _)| *k != "password");
    token(&srv, ALICEDEFAULT, &form)
        .await
        .entra_error(400, "invalid_request", 900144);
    // A registered confidential app must prove itself.
    let web = [
        ("grant_type", "password"),
        ("client_id", WEB),
        ("username", "admin@contoso.onmicrosoft.com"),
        ("password", "Contoso-Admin-1!"),
        ("scope", USER_SCOPES),
    ];
    token(&srv, CONTOSO, &web)
        .await
        .entra_error(401, "invalid_client", 7000218);
    let mut with_secret = web.to_vec();
    with_secret.push(("client_secret", WEB_SECRET));
    let r = token(&srv, CONTOSO, &with_secret).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(payload(r.str("access_token"))["appidacr"], "1");
}

#[tokio::test]
async fn the_dual_identity_email_at_each_authority() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let lee = "lee@contoso.onmicrosoft.com";
    // Both a personal account and a work account: `common` cannot tell which.
    let r = password(&srv, "common", lee, "Lee-Contoso-1!", USER_SCOPES).await;
    r.entra_error(400, "invalid_request", 50001);
    let message = r.str("error_description");
    assert!(
        message.contains("organizations") && message.contains("consumers"),
        "{message}"
    );
    // `organizations` and the work tenant mean the work account (with its password)…
    for authority in ["organizations", CONTOSO, "contoso.com"] {
        let r = password(&srv, authority, lee, "Lee-Contoso-1!", USER_SCOPES).await;
        assert_eq!(r.status, 200, "{authority}: {}", r.text);
        let at = payload(r.str("access_token"));
        assert_eq!(at["tid"], CONTOSO);
        assert!(at.get("idp").is_none());
        password(&srv, authority, lee, "Lee-Personal-1!", USER_SCOPES)
            .await
            .entra_error(400, "invalid_grant", 50126);
    }
    // …`consumers` and the tenant where the personal account is a guest mean the personal one.
    for (authority, tid) in [("consumers", CONSUMERS), (ALICEDEFAULT, ALICEDEFAULT)] {
        let r = password(&srv, authority, lee, "Lee-Personal-1!", USER_SCOPES).await;
        assert_eq!(r.status, 200, "{authority}: {}", r.text);
        let at = payload(r.str("access_token"));
        assert_eq!(at["tid"], tid);
        assert_eq!(client_info(r.str("client_info"))["utid"], CONSUMERS);
    }
}

// ----- refresh tokens -----

#[tokio::test]
async fn refresh_tokens_rotate_across_instances_and_reuse_revokes_the_family() {
    for store in both().await {
        let a = server(&store).await;
        let b_svc = Service::open(store.open_again().await).await.unwrap();
        let _follow = b_svc.spawn_follower();
        let b = TestServer::behind(b_svc, &a).await;
        let keys = jwks(&b, "common").await;

        let first = password(
            &a,
            "organizations",
            "erin@alicedefault.onmicrosoft.com",
            "Erin-Default-1!",
            USER_SCOPES,
        )
        .await;
        let rt1 = first.str("refresh_token").to_string();
        // The other instance knows the keys: it verifies the first instance's token.
        let subs = "/subscriptions?api-version=2022-12-01";
        assert_eq!(
            get(&b, subs, Some(first.str("access_token"))).await.status,
            200
        );

        // Redeemed at the other instance, for another tenant (where erin is a guest) and another
        // resource (Graph): a new refresh token each time.
        let second = refresh(&b, CONTOSO, &rt1, GRAPH).await;
        assert_eq!(second.status, 200, "{}", second.text);
        let rt2 = second.str("refresh_token").to_string();
        assert_ne!(rt1, rt2);
        let at = verify(
            &keys,
            second.str("access_token"),
            Some("https://graph.microsoft.com"),
        );
        assert_eq!(at["tid"], CONTOSO);
        assert_eq!(
            verify(&keys, second.str("id_token"), Some(AZ))["tid"],
            CONTOSO
        );
        // A refusal that is not about the token leaves it usable: erin is nobody at `consumers`.
        refresh(&a, "consumers", &rt2, USER_SCOPES)
            .await
            .entra_error(400, "invalid_grant", 50020);
        let third = refresh(&a, ALICEDEFAULT, &rt2, USER_SCOPES).await;
        assert_eq!(third.status, 200, "{}", third.text);
        let rt3 = third.str("refresh_token").to_string();

        // rt1 again: a replay. Refused, and every token of the family with it.
        refresh(&a, ALICEDEFAULT, &rt1, USER_SCOPES)
            .await
            .entra_error(400, "invalid_grant", 70000);
        refresh(&b, ALICEDEFAULT, &rt3, USER_SCOPES)
            .await
            .entra_error(400, "invalid_grant", 70000);
        refresh(&a, ALICEDEFAULT, "not-a-refresh-token", USER_SCOPES)
            .await
            .entra_error(400, "invalid_grant", 70000);

        // Another login is another family, untouched; after 90 idle days it has expired.
        let other = password(
            &a,
            ALICEDEFAULT,
            "erin@alicedefault.onmicrosoft.com",
            "Erin-Default-1!",
            USER_SCOPES,
        )
        .await;
        let rt = other.str("refresh_token").to_string();
        a.svc.advance_clock(91 * 24 * 3600);
        refresh(&a, ALICEDEFAULT, &rt, USER_SCOPES)
            .await
            .entra_error(400, "invalid_grant", 70008);
    }
}

#[tokio::test]
async fn a_refresh_token_follows_its_identity_to_every_tenant_it_is_present_in() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    // Alice signs in at `consumers` and refreshes for the directory where she is a guest.
    let r = password(
        &srv,
        "consumers",
        "alice@outlook.com",
        "Alice-2017!",
        USER_SCOPES,
    )
    .await;
    let r = refresh(&srv, ALICEDEFAULT, r.str("refresh_token"), ARM).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let at = payload(r.str("access_token"));
    assert_eq!(
        (at["tid"].as_str(), at["idp"].as_str()),
        (Some(ALICEDEFAULT), Some("live.com"))
    );
    // …but not for one where she is not present; the token survives that refusal.
    let rt = r.str("refresh_token").to_string();
    refresh(&srv, CONTOSO, &rt, ARM)
        .await
        .entra_error(400, "invalid_grant", 50020);
    // A registered app cannot redeem the Azure CLI's refresh token.
    let r = token(
        &srv,
        CONTOSO,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", SPA),
            ("refresh_token", &rt),
            ("scope", ARM),
        ],
    )
    .await;
    r.entra_error(400, "invalid_grant", 70000);
    assert_eq!(refresh(&srv, "common", &rt, ARM).await.status, 200);
}

// ----- smart lockout -----

#[tokio::test]
async fn lockout_after_ten_failures_expires_and_doubles_on_both_databases() {
    for store in both().await {
        let srv = server(&store).await;
        let b =
            TestServer::behind(Service::open(store.open_again().await).await.unwrap(), &srv).await;
        let erin = "erin@alicedefault.onmicrosoft.com";
        for _ in 0..10 {
            password(&srv, ALICEDEFAULT, erin, "wrong", USER_SCOPES)
                .await
                .entra_error(400, "invalid_grant", 50126);
        }
        // Locked, even with the right password, on every instance (the lock is in the database).
        password(&srv, ALICEDEFAULT, erin, "Erin-Default-1!", USER_SCOPES)
            .await
            .entra_error(400, "invalid_grant", 50053);
        password(&b, "organizations", erin, "Erin-Default-1!", USER_SCOPES)
            .await
            .entra_error(400, "invalid_grant", 50053);
        srv.svc.advance_clock(61);
        // After 60 s: one more failure locks again, for twice as long.
        password(&srv, ALICEDEFAULT, erin, "wrong", USER_SCOPES)
            .await
            .entra_error(400, "invalid_grant", 50126);
        srv.svc.advance_clock(61);
        password(&srv, ALICEDEFAULT, erin, "Erin-Default-1!", USER_SCOPES)
            .await
            .entra_error(400, "invalid_grant", 50053);
        srv.svc.advance_clock(60);
        let ok = password(&srv, ALICEDEFAULT, erin, "Erin-Default-1!", USER_SCOPES).await;
        assert_eq!(ok.status, 200, "{}", ok.text);
    }
}

#[tokio::test]
async fn nine_failures_lock_nothing_and_a_success_forgets_them() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let erin = "erin@alicedefault.onmicrosoft.com";
    for _ in 0..9 {
        password(&srv, ALICEDEFAULT, erin, "wrong", USER_SCOPES)
            .await
            .entra_error(400, "invalid_grant", 50126);
    }
    assert_eq!(
        password(&srv, ALICEDEFAULT, erin, "Erin-Default-1!", USER_SCOPES)
            .await
            .status,
        200
    );
    // The account starts again from zero (the address does not: see the spray test).
    let now = srv.svc.now();
    let next = srv
        .svc
        .store()
        .record_sign_in_failure("user:erin@alicedefault.onmicrosoft.com", now, now - 86400)
        .await
        .unwrap();
    assert_eq!(next.failures, 1);
}

#[tokio::test]
async fn lockout_per_client_address_stops_a_spray_across_names() {
    for store in both().await {
        let srv = server(&store).await;
        // Ten names, one wrong password each, from one address.
        for i in 0..10 {
            let user = format!("user{i}@alicedefault.onmicrosoft.com");
            password(&srv, ALICEDEFAULT, &user, "Spring2024!", USER_SCOPES)
                .await
                .entra_error(400, "invalid_grant", 50034);
        }
        // The address is locked: even a right password of an untouched account waits.
        password(
            &srv,
            CONTOSO,
            "admin@contoso.onmicrosoft.com",
            "Contoso-Admin-1!",
            USER_SCOPES,
        )
        .await
        .entra_error(400, "invalid_grant", 50053);
        srv.svc.advance_clock(61);
        let r = password(
            &srv,
            CONTOSO,
            "admin@contoso.onmicrosoft.com",
            "Contoso-Admin-1!",
            USER_SCOPES,
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
}

/// Behind a reverse proxy the operator declared, each client's failures count against the address the
/// proxy forwarded, not against the proxy; without the declaration, a forwarded address is ignored.
#[tokio::test]
async fn lockout_per_address_behind_a_trusted_proxy_counts_each_client() {
    let store = sqlite_store().await;
    let srv = TestServer::behind_proxy(service(&store).await, &["127.0.0.0/8"]).await;
    let attempt = |from: &'static str, user: String, pw: &'static str| {
        let srv = &srv;
        async move {
            let r = srv
                .client
                .post(srv.url(&format!("/{ALICEDEFAULT}/oauth2/v2.0/token")))
                .header("x-forwarded-for", from)
                .form(&[
                    ("grant_type", "password"),
                    ("client_id", AZ),
                    ("username", user.as_str()),
                    ("password", pw),
                    ("scope", USER_SCOPES),
                ])
                .send()
                .await
                .unwrap();
            Resp::from(r).await
        }
    };
    for i in 0..10 {
        attempt(
            "203.0.113.7",
            format!("user{i}@alicedefault.onmicrosoft.com"),
            "Spring2024!",
        )
        .await
        .entra_error(400, "invalid_grant", 50034);
    }
    // The sprayer is locked out...
    attempt(
        "203.0.113.7",
        "erin@alicedefault.onmicrosoft.com".into(),
        "Erin-Default-1!",
    )
    .await
    .entra_error(400, "invalid_grant", 50053);
    // ...another client behind the same proxy is not.
    let r = attempt(
        "198.51.100.20",
        "erin@alicedefault.onmicrosoft.com".into(),
        "Erin-Default-1!",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // No proxy declared: the header is the client's own claim and changes nothing.
    let store = sqlite_store().await;
    let direct = server(&store).await;
    for i in 0..10 {
        let r = direct
            .client
            .post(direct.url(&format!("/{ALICEDEFAULT}/oauth2/v2.0/token")))
            .header("x-forwarded-for", format!("203.0.113.{i}"))
            .form(&[
                ("grant_type", "password"),
                ("client_id", AZ),
                ("username", &format!("user{i}@alicedefault.onmicrosoft.com")),
                ("password", "Spring2024!"),
                ("scope", USER_SCOPES),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
    }
    password(
        &direct,
        ALICEDEFAULT,
        "erin@alicedefault.onmicrosoft.com",
        "Erin-Default-1!",
        USER_SCOPES,
    )
    .await
    .entra_error(400, "invalid_grant", 50053);
}

// ----- authorization code + PKCE -----

fn reqwest_no_redirects(srv: &TestServer) -> reqwest::Client {
    let ca = std::fs::read(&srv.ca_path).expect("the server's CA");
    reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&ca).unwrap()])
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn query_of(location: &str) -> HashMap<String, String> {
    let query = location.split_once('?').map(|(_, q)| q).unwrap_or_default();
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), decode(v)))
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// A browser: follows no redirect, keeps the authorize page's cookie.
struct Browser {
    http: reqwest::Client,
    base: String,
    cookie: Option<String>,
}

impl Browser {
    fn new(srv: &TestServer) -> Browser {
        Browser {
            http: reqwest_no_redirects(srv),
            base: srv.base_url.clone(),
            cookie: None,
        }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> (u16, String, String) {
        let req = match &self.cookie {
            Some(c) => req.header("cookie", c),
            None => req,
        };
        let r = req.send().await.unwrap();
        if let Some(c) = r.headers().get("set-cookie") {
            self.cookie = Some(c.to_str().unwrap().split(';').next().unwrap().to_string());
        }
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string())
            .unwrap_or_default();
        (status, location, r.text().await.unwrap())
    }

    async fn open(&mut self, path: &str) -> (u16, String, String) {
        let req = self.http.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> (u16, String, String) {
        let req = self.http.post(format!("{}{path}", self.base)).form(form);
        self.send(req).await
    }

    /// The CSRF token of the page just shown.
    fn csrf(page: &str) -> String {
        let at = page.find(r#"name="csrf" value=""#).expect("a csrf field") + 19;
        page[at..].split('"').next().unwrap().to_string()
    }
}

fn authorize_path(
    tenant: &str,
    client: &str,
    redirect: &str,
    challenge: Option<&str>,
    extra: &str,
) -> String {
    let mut p = format!(
        "/{tenant}/oauth2/v2.0/authorize?client_id={client}&response_type=code&redirect_uri={}&scope={}&state=st-1&nonce=n-1{extra}",
        encode(redirect),
        encode(USER_SCOPES),
    );
    if let Some(c) = challenge {
        p.push_str(&format!("&code_challenge={c}&code_challenge_method=S256"));
    }
    p
}

/// Signs in on the authorize pages (email, then password) and returns the redirect's location.
async fn sign_in_on_page(b: &mut Browser, path: &str, user: &str, pw: &str) -> String {
    let (status, _, page) = b.open(path).await;
    assert_eq!(status, 200, "{page}");
    let (_, _, page) = b
        .post(
            path,
            &[
                ("csrf", &Browser::csrf(&page)),
                ("step", "email"),
                ("username", user),
            ],
        )
        .await;
    assert!(page.contains(r#"name="password""#), "{page}");
    let (status, location, page) = b
        .post(
            path,
            &[
                ("csrf", &Browser::csrf(&page)),
                ("step", "password"),
                ("username", user),
                ("password", pw),
            ],
        )
        .await;
    assert_eq!(status, 302, "{page}");
    location
}

/// Opens the authorize page in a browser that is signed in already: single sign-on answers at once.
async fn code_without_asking(b: &mut Browser, path: &str) -> String {
    let (status, location, page) = b.open(path).await;
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
    let location = sign_in_on_page(
        &mut b,
        &path,
        "erin@alicedefault.onmicrosoft.com",
        "Erin-Default-1!",
    )
    .await;
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
        .open(&authorize_path("organizations", AZ, redirect, None, ""))
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
            .open(&authorize_path(
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
        .open(&authorize_path(
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
        .open(&authorize_path(
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
        .open(&authorize_path(
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
    b.open(&path).await;
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
    let (_, _, page) = b.open(&path).await;
    let (status, _, page) = b
        .post(
            &path,
            &[
                ("csrf", &Browser::csrf(&page)),
                ("step", "password"),
                ("username", "admin@contoso.onmicrosoft.com"),
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
    let (_, _, page) = b.open(&path).await;
    let (_, _, page) = b
        .post(
            &path,
            &[
                ("csrf", &Browser::csrf(&page)),
                ("step", "email"),
                ("username", "admin@contoso.onmicrosoft.com"),
            ],
        )
        .await;
    let (status, _, page) = b
        .post(
            &path,
            &[
                ("csrf", &Browser::csrf(&page)),
                ("step", "password"),
                ("username", "admin@contoso.onmicrosoft.com"),
                ("password", "Contoso-Admin-1!"),
            ],
        )
        .await;
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
        let (_, _, page) = b.open(&path).await;
        let (_, _, page) = b
            .post(
                &path,
                &[
                    ("csrf", &Browser::csrf(&page)),
                    ("step", "email"),
                    ("username", lee),
                ],
            )
            .await;
        assert!(
            page.contains("Work or school account") && page.contains("Personal account"),
            "{page}"
        );
        let (_, _, page) = b
            .post(
                &path,
                &[
                    ("csrf", &Browser::csrf(&page)),
                    ("step", "kind"),
                    ("username", lee),
                    ("account_type", kind),
                ],
            )
            .await;
        assert!(page.contains(r#"name="password""#), "{page}");
        let (status, location, page) = b
            .post(
                &path,
                &[
                    ("csrf", &Browser::csrf(&page)),
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

/// Signs in on the portal's own pages (email, then password).
async fn sign_in_to_portal(b: &mut Browser, email: &str, password: &str) {
    let (_, _, page) = b.open("/signin").await;
    let (status, _, _) = b
        .post(
            "/signin",
            &[("csrf", &Browser::csrf(&page)), ("email", email)],
        )
        .await;
    assert_eq!(status, 303);
    let (_, _, page) = b.open("/signin/password").await;
    let (status, location, page) = b
        .post(
            "/signin/password",
            &[("csrf", &Browser::csrf(&page)), ("password", password)],
        )
        .await;
    assert_eq!(status, 303, "{page}");
    assert_ne!(location, "/signin/password", "signed in");
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
    let (status, location, _) = b.open(&at("organizations", "&prompt=none")).await;
    assert_eq!(status, 302);
    assert_eq!(query_of(&location)["error"], "login_required");

    // Signed in to the portal: the authorize request answers with a code, no page.
    sign_in_to_portal(&mut b, erin, "Erin-Default-1!").await;
    let location = code_without_asking(&mut b, &at("organizations", "")).await;
    let r = redeem_for_az(&srv, "organizations", &location, "http://localhost:8400/").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(payload(r.str("id_token"))["preferred_username"], erin);
    code_without_asking(&mut b, &at("organizations", "&prompt=none")).await;
    code_without_asking(&mut b, &at("organizations", &format!("&login_hint={erin}"))).await;

    // Asked to sign in again, or for another account: the page, never a code.
    let (status, _, page) = b.open(&at("organizations", "&prompt=login")).await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"name="username""#), "{page}");
    let (status, _, page) = b
        .open(&at(
            "organizations",
            "&login_hint=admin@contoso.onmicrosoft.com",
        ))
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("admin@contoso.onmicrosoft.com") && page.contains(r#"name="password""#));
    // An authority Erin cannot sign in at (`consumers` takes personal accounts only): the page says who
    // is signed in and why that account cannot go on.
    let (status, _, page) = b.open(&at("consumers", "")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("You are signed in as") && page.contains("AADSTS50020"),
        "{page}"
    );
    let (status, location, _) = b.open(&at("consumers", "&prompt=none")).await;
    assert_eq!(status, 302);
    assert_eq!(query_of(&location)["error"], "interaction_required");

    // Logging out at the authority ends the portal session too.
    let (status, _, _) = b.open("/common/oauth2/v2.0/logout").await;
    assert_eq!(status, 200);
    let (status, location, _) = b.open("/").await;
    assert_eq!((status, location.as_str()), (303, "/signin"));
    let (status, _, _) = b.open(&at("organizations", "")).await;
    assert_eq!(status, 200, "asked again");

    // Signing in on the authorize page signs in to the portal as well.
    let mut b = Browser::new(&srv);
    sign_in_on_page(&mut b, &at("organizations", ""), erin, "Erin-Default-1!").await;
    let (status, _, page) = b.open("/").await;
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
    let location = sign_in_on_page(
        &mut b,
        &path,
        "erin@alicedefault.onmicrosoft.com",
        "Erin-Default-1!",
    )
    .await;
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

// ----- the device authorization grant -----

/// Starts a device flow; returns (device_code, user_code).
async fn start_device_flow(srv: &TestServer, tenant: &str, client: &str) -> (String, String) {
    let r = post_form(
        srv,
        &format!("/{tenant}/oauth2/v2.0/devicecode"),
        &[("client_id", client), ("scope", USER_SCOPES)],
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
async fn verify_device(b: &mut Browser, typed: &str, approve: bool) -> String {
    let (status, _, page) = b.open("/devicelogin").await;
    assert_eq!(status, 200, "{page}");
    let (_, _, page) = b
        .post(
            "/devicelogin",
            &[("csrf", &Browser::csrf(&page)), ("code", typed)],
        )
        .await;
    if !page.contains(r#"id="confirm-code""#) {
        return page;
    }
    let code = typed.replace('-', "").to_uppercase();
    let action = if approve {
        "/devicelogin/approve"
    } else {
        "/devicelogin/decline"
    };
    let (status, _, page) = b
        .post(action, &[("csrf", &Browser::csrf(&page)), ("code", &code)])
        .await;
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
        let (status, location, _) = b.open("/devicelogin").await;
        assert_eq!((status, location.as_str()), (303, "/signin"));
        sign_in_to_portal(
            &mut b,
            "erin@alicedefault.onmicrosoft.com",
            "Erin-Default-1!",
        )
        .await;
        // Typed in lower case with a dash: the same code.
        let typed = format!("{}-{}", &user_code[..4], &user_code[4..]).to_lowercase();
        let (_, _, page) = b.open("/devicelogin").await;
        let (_, _, confirm) = b
            .post(
                "/devicelogin",
                &[("csrf", &Browser::csrf(&page)), ("code", &typed)],
            )
            .await;
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

/// Runs a client that prints the user code it was given as a first JSON line (`user_code`), then polls;
/// approves that code as Erin on the verification page; returns the client's second JSON line, once it
/// exited successfully.
async fn approve_while_client_polls(srv: &TestServer, mut client: std::process::Command) -> Value {
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
    sign_in_to_portal(
        &mut b,
        "erin@alicedefault.onmicrosoft.com",
        "Erin-Default-1!",
    )
    .await;
    let done = verify_device(&mut b, &user_code, true).await;
    assert!(
        done.contains("You have signed in to Microsoft Azure CLI"),
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
    let mut msal = std::process::Command::new(python());
    msal.arg(repo_root().join("crates/tenantry/tests/py/device_flow.py"))
        .env("REQUESTS_CA_BUNDLE", &srv.ca_path)
        .env("TENANTRY_AUTHORITY", &srv.base_url)
        .env("TENANTRY_CLIENT_ID", AZ)
        .env("TENANTRY_SCOPES", ARM);
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
    let az = crate::arm::required_tool("TENANTRY_TEST_AZ");
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

// ----- signing keys -----

#[tokio::test]
async fn rotated_keys_stay_published_until_their_tokens_expire() {
    let store = sqlite_store().await;
    let srv = server(&store).await;
    let old = app_token(&srv, ALICEDEFAULT, ARM)
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
    let new = app_token(&srv, ALICEDEFAULT, ARM)
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
    assert_eq!(get(&srv, subs, Some(&old)).await.status, 200);
    // Two hours on, the old key (and any token it signed) is gone; the new one signs on.
    srv.svc.advance_clock(2 * 3600 + 1);
    let new_again = app_token(&srv, ALICEDEFAULT, ARM).await;
    let keys = reload_jwks(&srv).await;
    assert_eq!(keys["keys"].as_array().unwrap().len(), 1);
    assert_eq!(
        get(&srv, subs, Some(new_again.str("access_token")))
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

// ----- the real clients -----

fn python() -> String {
    match std::env::var("TENANTRY_TEST_PYTHON") {
        Ok(p) if !p.is_empty() => p,
        _ => panic!(
            "TENANTRY_TEST_PYTHON is not set: run the tests with scripts/test.sh (e.g. `scripts/test.sh -p tenantry -- signin`), \
             which installs msal and azure-identity into a virtualenv and exports it"
        ),
    }
}

/// Runs a script of tests/py with the server's CA trusted; returns its JSON output.
fn run_python(script: &str, srv: &TestServer, env: &[(&str, &str)]) -> Value {
    let path = repo_root().join("crates/tenantry/tests/py").join(script);
    let out = std::process::Command::new(python())
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
                &format!("{ARM} https://graph.microsoft.com/.default"),
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
        get(&srv, subs, tokens[0]["token"].as_str()).await.status,
        200
    );

    // A wrong secret: the client reports Entra's AADSTS7000215.
    let out = std::process::Command::new(python())
        .arg(repo_root().join("crates/tenantry/tests/py/client_secret.py"))
        .env("REQUESTS_CA_BUNDLE", &srv.ca_path)
        .env("TENANTRY_AUTHORITY", &srv.base_url)
        .env("TENANTRY_TENANT", ALICEDEFAULT)
        .env("TENANTRY_CLIENT_ID", CI)
        .env("TENANTRY_CLIENT_SECRET", "wrong")
        .env("TENANTRY_SCOPES", ARM)
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
                &format!("{ARM} https://graph.microsoft.com/.default"),
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
    crate::arm::run_az_script(
        &srv,
        "graph_signed_in_user.py",
        &[
            ("TENANTRY_USERNAME", "erin@alicedefault.onmicrosoft.com"),
            ("TENANTRY_PASSWORD", "Erin-Default-1!"),
            ("TENANTRY_USER_OID", &erin),
        ],
    );
}

fn client_info(b64: &str) -> Value {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(b64)
        .expect("client_info is base64url");
    serde_json::from_slice(&bytes).expect("client_info is JSON")
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
