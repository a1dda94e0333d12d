//! Certificate credentials: an application signs in with a client assertion (RFC 7523) signed by the
//! private key of a certificate it has, wherever a confidential client authenticates (client
//! credentials, password, refresh), on SQLite and PostgreSQL; each refusal in Entra's codes; and the
//! real clients (azure-identity's CertificateCredential, msal's client certificate, `az login
//! --service-principal --certificate`).

use super::*;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use jsonwebtoken::{EncodingKey, Header};
use serde_json::json;
use tenantry_service::domain::ApplicationCertificate;

/// An application of alicedefault whose only credential is a certificate.
const DEPLOYER: &str = "c4000000-0000-4000-8000-000000000004";

/// A self-signed RSA certificate and its private key.
pub(crate) struct TestCertificate {
    pub key_pem: String,
    pub cert_pem: String,
    pub read: ApplicationCertificate,
}

impl TestCertificate {
    pub fn new(cn: &str) -> Self {
        Self::made(cn, |_| {})
    }

    /// A certificate valid from the first to the second year's first of January only (an expired one,
    /// for the portal's mark).
    pub fn valid_between(cn: &str, from: i32, to: i32) -> Self {
        Self::made(cn, |params| {
            params.not_before = rcgen::date_time_ymd(from, 1, 1);
            params.not_after = rcgen::date_time_ymd(to, 1, 1);
        })
    }

    fn made(cn: &str, adjust: impl FnOnce(&mut rcgen::CertificateParams)) -> Self {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("an RSA key");
        let mut params = rcgen::CertificateParams::new(vec![]).expect("params");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, cn);
        adjust(&mut params);
        let cert_pem = params.self_signed(&key).expect("a certificate").pem();
        let read = ApplicationCertificate::from_pem(uuid::Uuid::nil(), &cert_pem).expect("read");
        Self {
            key_pem: key.serialize_pem(),
            cert_pem,
            read,
        }
    }

    /// A client assertion signed with this certificate's key: `header` as given, `claims` as given.
    pub fn sign(&self, header: Header, claims: &Value) -> String {
        tenantry_service::crypto::install_jwt_crypto_provider();
        let key = EncodingKey::from_rsa_pem(self.key_pem.as_bytes()).expect("the key");
        jsonwebtoken::encode(&header, claims, &key).expect("sign")
    }
}

/// The world addition: the deployer application with this certificate.
pub(crate) fn deployer_world(cert: &TestCertificate) -> String {
    format!(
        r#"
[[tenants]]
name = "alicedefault"

  [[tenants.applications]]
  display_name = "deployer"
  client_id = "{DEPLOYER}"
  certificates = ["{}"]
"#,
        cert.cert_pem.trim_end().replace('\n', "\\n")
    )
}

async fn deployer_server(store: &TestStore, cert: &TestCertificate) -> TestServer {
    let svc = service(store).await;
    svc.apply_world(&deployer_world(cert), &mut |_, _| {})
        .await
        .expect("add the deployer");
    TestServer::start_on(svc, 0).await
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

/// The claims msal signs: the token endpoint, the client id twice, ten minutes.
fn claims(srv: &TestServer, aud_tenant: &str) -> Value {
    let now = now();
    json!({
        "aud": format!("{}/{aud_tenant}/oauth2/v2.0/token", srv.base_url),
        "iss": DEPLOYER,
        "sub": DEPLOYER,
        "jti": uuid::Uuid::new_v4().to_string(),
        "nbf": now,
        "iat": now,
        "exp": now + 600,
    })
}

/// RS256 with `x5t`, padded as msal pads it.
fn rs256(cert: &TestCertificate) -> Header {
    let mut h = Header::new(jsonwebtoken::Algorithm::RS256);
    h.x5t = Some(URL_SAFE.encode(cert.read.sha1));
    h
}

async fn with_assertion(srv: &TestServer, tenant: &str, form: &[(&str, &str)], jwt: &str) -> Resp {
    let mut all = form.to_vec();
    all.push(("client_assertion_type", JWT_BEARER));
    all.push(("client_assertion", jwt));
    token(srv, tenant, &all).await
}

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The deployer's client credentials request for ARM, without its credential.
const APP_FORM: [(&str, &str); 3] = [
    ("grant_type", "client_credentials"),
    ("client_id", DEPLOYER),
    ("scope", ARM_DEFAULT),
];

async fn app_token(srv: &TestServer, jwt: &str) -> Resp {
    with_assertion(srv, ALICEDEFAULT, &APP_FORM, jwt).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_credentials_with_a_certificate_on_sqlite_and_postgres() {
    let cert = TestCertificate::new("deployer");
    for store in tenantry_store::testing::both().await {
        let srv = deployer_server(&store, &cert).await;
        let keys = jwks(&srv, ALICEDEFAULT).await;

        // RS256 with x5t (padded): a token for the application; the same assertion again is
        // accepted, as msal reuses one for several resources.
        let jwt = cert.sign(rs256(&cert), &claims(&srv, ALICEDEFAULT));
        for _ in 0..2 {
            let r = app_token(&srv, &jwt).await;
            assert_eq!(r.status, 200, "{}", r.text);
            let at = verify(
                &keys,
                r.str("access_token"),
                Some("https://management.azure.com"),
            );
            assert_eq!(
                (at["appid"].as_str(), at["tid"].as_str()),
                (Some(DEPLOYER), Some(ALICEDEFAULT))
            );
            assert_eq!(at["appidacr"], "2", "a certificate, as Entra says");
        }

        // PS256 with x5t#S256, the audience written with the tenant's domain, on the v1 endpoint
        // with its v1 audience.
        let mut h = Header::new(jsonwebtoken::Algorithm::PS256);
        h.x5t_s256 = Some(URL_SAFE.encode(cert.read.sha256));
        let mut c = claims(&srv, "alicedefault.onmicrosoft.com");
        c["aud"] = json!(format!("{}/{ALICEDEFAULT}/oauth2/token", srv.base_url));
        let v1 = post_form(
            &srv,
            &format!("/{ALICEDEFAULT}/oauth2/token"),
            &[
                ("grant_type", "client_credentials"),
                ("client_id", DEPLOYER),
                ("resource", "https://management.azure.com/"),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", &cert.sign(h, &c)),
            ],
        )
        .await;
        assert_eq!(v1.status, 200, "{}", v1.text);
        let mut h = Header::new(jsonwebtoken::Algorithm::PS256);
        h.x5t_s256 = Some(URL_SAFE_NO_PAD.encode(cert.read.sha256));
        let r = app_token(
            &srv,
            &cert.sign(h, &claims(&srv, "alicedefault.onmicrosoft.com")),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);

        // Only x5c, with the line breaks msal puts in it.
        let der = STANDARD.encode(&cert.read.der);
        let broken: Vec<&str> = der
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        let mut h = Header::new(jsonwebtoken::Algorithm::RS256);
        h.x5c = Some(vec![broken.join("\n")]);
        let r = app_token(&srv, &cert.sign(h, &claims(&srv, ALICEDEFAULT))).await;
        assert_eq!(r.status, 200, "{}", r.text);

        refusals(&srv, &cert).await;
    }
}

/// Each way an assertion can be wrong, with Entra's code and a description that says what to fix.
async fn refusals(srv: &TestServer, cert: &TestCertificate) {
    let refused = |r: &Resp, code: u32, says: &str| {
        r.entra_error(401, "invalid_client", code);
        assert!(r.str("error_description").contains(says), "{}", r.text);
    };
    // A certificate the application does not have.
    let other = TestCertificate::new("other");
    let r = app_token(srv, &other.sign(rs256(&other), &claims(srv, ALICEDEFAULT))).await;
    refused(&r, 700027, "is not registered on application");
    // The application's certificate named, another key's signature.
    let r = app_token(srv, &other.sign(rs256(cert), &claims(srv, ALICEDEFAULT))).await;
    refused(&r, 700027, "invalid signature");
    // Expired, not yet valid, valid for a day.
    let mut c = claims(srv, ALICEDEFAULT);
    c["exp"] = json!(now() - 900);
    c["nbf"] = json!(now() - 1500);
    let r = app_token(srv, &cert.sign(rs256(cert), &c)).await;
    refused(&r, 700024, "It has expired");
    let mut c = claims(srv, ALICEDEFAULT);
    c["nbf"] = json!(now() + 3600);
    c["exp"] = json!(now() + 3900);
    let r = app_token(srv, &cert.sign(rs256(cert), &c)).await;
    refused(&r, 700024, "not valid yet");
    let mut c = claims(srv, ALICEDEFAULT);
    c["exp"] = json!(now() + 86_400);
    let r = app_token(srv, &cert.sign(rs256(cert), &c)).await;
    refused(&r, 700024, "lifetime is longer");
    // Another audience: another tenant's endpoint, or the authorize endpoint.
    let r = app_token(srv, &cert.sign(rs256(cert), &claims(srv, CONTOSO))).await;
    refused(&r, 700023, "audience claim does not match");
    let mut c = claims(srv, ALICEDEFAULT);
    c["aud"] = json!(format!(
        "{}/{ALICEDEFAULT}/oauth2/v2.0/authorize",
        srv.base_url
    ));
    let r = app_token(srv, &cert.sign(rs256(cert), &c)).await;
    refused(&r, 700023, "token endpoint");
    // Another client as issuer.
    let mut c = claims(srv, ALICEDEFAULT);
    c["iss"] = json!(CI);
    let r = app_token(srv, &cert.sign(rs256(cert), &c)).await;
    refused(&r, 700021, "must both be the client id");
    // Not a JWT; HS256.
    refused(&app_token(srv, "not-a-jwt").await, 50027, "three parts");
    let h = Header::new(jsonwebtoken::Algorithm::HS256);
    let hs = jsonwebtoken::encode(
        &h,
        &claims(srv, ALICEDEFAULT),
        &EncodingKey::from_secret(b"k"),
    )
    .unwrap();
    refused(&app_token(srv, &hs).await, 50027, "RS256 or PS256");
    // Another assertion type; a secret and an assertion at once.
    let jwt = cert.sign(rs256(cert), &claims(srv, ALICEDEFAULT));
    let saml = [
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
        ),
        ("client_assertion", &jwt),
    ];
    let r = token(srv, ALICEDEFAULT, &[&APP_FORM[..], &saml].concat()).await;
    r.entra_error(400, "invalid_request", 9002313);
    let with_secret = [&APP_FORM[..], &[("client_secret", "x")]].concat();
    let r = with_assertion(srv, ALICEDEFAULT, &with_secret, &jwt).await;
    r.entra_error(400, "invalid_request", 9002313);
    // No credential at all.
    let r = token(srv, ALICEDEFAULT, &APP_FORM).await;
    r.entra_error(401, "invalid_client", 7000218);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_grants_of_a_confidential_client_accept_a_certificate() {
    let cert = TestCertificate::new("deployer");
    for store in tenantry_store::testing::both().await {
        let srv = deployer_server(&store, &cert).await;
        let jwt = cert.sign(rs256(&cert), &claims(&srv, ALICEDEFAULT));
        // The password grant: a confidential client proves itself with its certificate.
        let r = with_assertion(
            &srv,
            ALICEDEFAULT,
            &[
                ("grant_type", "password"),
                ("client_id", DEPLOYER),
                ("username", ERIN.0),
                ("password", ERIN.1),
                ("scope", USER_SCOPES),
            ],
            &jwt,
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let refresh = r.str("refresh_token").to_string();
        // Without it, the same grant is refused: the client has a credential to present.
        let refresh_form = [
            ("grant_type", "refresh_token"),
            ("client_id", DEPLOYER),
            ("refresh_token", &refresh),
            ("scope", USER_SCOPES),
        ];
        let r = token(&srv, ALICEDEFAULT, &refresh_form).await;
        r.entra_error(401, "invalid_client", 7000218);
        // The refresh grant with the same assertion (reused, as msal does).
        let r = with_assertion(&srv, ALICEDEFAULT, &refresh_form, &jwt).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let at = payload(r.str("access_token"));
        assert_eq!(
            (at["appid"].as_str(), at["appidacr"].as_str()),
            (Some(DEPLOYER), Some("2"))
        );

        // The device flow's start: the confidential client proves itself with its assertion too.
        let start = format!("/{ALICEDEFAULT}/oauth2/v2.0/devicecode");
        let asks = [("client_id", DEPLOYER), ("scope", USER_SCOPES)];
        post_form(&srv, &start, &asks)
            .await
            .entra_error(401, "invalid_client", 7000218);
        let proved = [
            asks[0],
            asks[1],
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", &jwt),
        ];
        let r = post_form(&srv, &start, &proved).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(!r.str("user_code").is_empty());

        // Removed from the application (Graph's removeKey), the certificate signs nothing more; added
        // again (addKey), it does.
        let tenant = tenant_id(&srv.svc, "alicedefault");
        let (app, stored) = srv.svc.read(|w| {
            let a = w
                .application_by_client_id(DEPLOYER.parse().unwrap())
                .unwrap();
            (a.id, a.certificates[0].clone())
        });
        srv.svc
            .remove_application_certificate(&Actor::Operator, tenant, app, stored.key_id)
            .await
            .unwrap();
        let r = app_token(&srv, &jwt).await;
        r.entra_error(401, "invalid_client", 700027);
        srv.svc
            .add_application_certificate(&Actor::Operator, tenant, app, stored)
            .await
            .unwrap();
        assert_eq!(app_token(&srv, &jwt).await.status, 200);
    }
}

/// The real clients sign in with the certificate: azure-identity's CertificateCredential (RS256 with
/// `x5t`, and with its chain in `x5c`), msal by thumbprint and by public certificate (PS256 with
/// `x5t#S256`), and `az login --service-principal --certificate`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_identity_msal_and_az_sign_in_with_a_certificate() {
    let cert = TestCertificate::new("deployer");
    let store = sqlite_store().await;
    let srv = deployer_server(&store, &cert).await;
    let dir = tenantry_store::testing::TempDir::new("tenantry-cert").unwrap();
    let path = dir.path().join("deployer.pem");
    std::fs::write(&path, format!("{}{}", cert.key_pem, cert.cert_pem)).unwrap();
    let path = path.to_str().unwrap();
    let out = super::clients::run_python(
        "client_certificate.py",
        &srv,
        &[
            ("TENANTRY_TENANT", ALICEDEFAULT),
            ("TENANTRY_CLIENT_ID", DEPLOYER),
            ("TENANTRY_CERTIFICATE_PATH", path),
            ("TENANTRY_THUMBPRINT", &cert.read.thumbprint()),
            (
                "TENANTRY_SCOPES",
                &format!("{ARM_DEFAULT} https://graph.microsoft.com/.default"),
            ),
        ],
    );
    let keys = jwks(&srv, ALICEDEFAULT).await;
    for client in [
        "identity",
        "identity_chain",
        "msal_thumbprint",
        "msal_certificate",
    ] {
        let tokens = out[client]
            .as_array()
            .unwrap_or_else(|| panic!("{client}: {out}"));
        let arm = verify(
            &keys,
            tokens[0].as_str().unwrap(),
            Some("https://management.azure.com"),
        );
        assert_eq!(arm["appid"], DEPLOYER, "{client}");
        verify(
            &keys,
            tokens[1].as_str().unwrap(),
            Some("https://graph.microsoft.com"),
        );
    }
    run_az_script(
        &srv,
        "certificate_login.py",
        &[
            ("TENANTRY_CERT_CLIENT_ID", DEPLOYER),
            ("TENANTRY_CERTIFICATE_PATH", path),
        ],
    );
}
