//! Sign-in over HTTPS as Entra's clients see it, one file per flow: discovery, client credentials,
//! the password grant, refresh tokens, smart lockout, the authorize pages with PKCE and single sign-on,
//! the device code, certificate credentials (client assertions), signing keys, the bearer extractors of
//! ARM and Graph, managed identities' token endpoints, and the real Python clients
//! (azure-identity and msal, from the virtualenv `scripts/test.sh` prepares). Every refusal is checked in
//! Entra's format; tokens are checked against the published JWKS by an independent library
//! (jsonwebtoken).

mod bearer;
pub(crate) mod certificates;
mod client_credentials;
mod clients;
mod code;
pub(crate) mod device;
mod discovery;
mod groups;
mod keys;
mod lockout;
mod managed_identity;
mod password;
mod refresh;
mod userinfo;

use crate::support::*;
use base64::Engine as _;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tenantry_service::Service;
use tenantry_service::crypto::{hash_client_secret, sha256_b64url};
use tenantry_service::domain::{Actor, ObjectId, TenantId};

/// The "ci" application of alicedefault, as in the demo world.
const CI: &str = CI_CLIENT;
/// An application whose only secret expired.
const OLD_APP: &str = "c1000000-0000-4000-8000-00000000000e";
/// A web application of contoso (confidential, with a redirect URI) and a public one (a SPA).
const WEB: &str = "c2000000-0000-4000-8000-000000000002";
const WEB_SECRET: &str = "web-secret-1";
const WEB_REDIRECT: &str = "https://app.example/callback";
const SPA: &str = "c3000000-0000-4000-8000-000000000003";
const SPA_REDIRECT: &str = "https://spa.example/callback";
/// The Azure CLI's client id: a first-party public client, as azure-identity and az use it.
const AZ: &str = AZ_CLI;
const ARM_DEFAULT: &str = "https://management.azure.com/.default";
const AZ_ARM: &str = "https://management.core.windows.net//.default";
const USER_SCOPES: &str =
    "https://management.core.windows.net//.default offline_access openid profile";
const GRAPH_SCOPES: &str = "https://graph.microsoft.com/.default offline_access openid profile";

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

/// People of the sign-in world: (sign-in name, password).
const ERIN: (&str, &str) = ("erin@alicedefault.onmicrosoft.com", "Erin-Default-1!");
const ALICE: (&str, &str) = ("alice@outlook.com", "Alice-2017!");
const ADMIN: (&str, &str) = ("admin@contoso.onmicrosoft.com", "Contoso-Admin-1!");

/// The password grant as az asks for it: its client id, ARM's scope, an id and a refresh token.
async fn az_sign_in(srv: &TestServer, authority: &str, who: (&str, &str)) -> Resp {
    password_grant(srv, authority, who.0, who.1, USER_SCOPES).await
}

/// The client credentials grant of the "ci" application, for `scope`.
async fn ci_grant(srv: &TestServer, tenant: &str, scope: &str) -> Resp {
    client_credentials_grant(srv, tenant, CI, CI_SECRET, scope).await
}

/// A GET, with a bearer token when given.
async fn get_resp(srv: &TestServer, path: &str, bearer: Option<&str>) -> Resp {
    send(srv, Method::GET, path, bearer, None).await
}

impl Resp {
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

async fn jwks(srv: &TestServer, tenant: &str) -> Value {
    let r = get_resp(srv, &format!("/{tenant}/discovery/v2.0/keys"), None).await;
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

/// The `client_info` of a token response, decoded.
fn client_info(b64: &str) -> Value {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(b64)
        .expect("client_info is base64url");
    serde_json::from_slice(&bytes).expect("client_info is JSON")
}
