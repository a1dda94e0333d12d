//! The keys of external OpenID Connect issuers, for federated client assertions (workload identity
//! federation): given an issuer URL, its discovery document (`{issuer}/.well-known/openid-configuration`)
//! names its `jwks_uri`, whose keys verify the issuer's tokens.
//!
//! Keys are cached per issuer. A token whose `kid` is not cached refreshes them, at most once per issuer
//! per [`REFRESH_INTERVAL`] however many requests carry it: concurrent callers wait for the one fetch
//! under way (single flight) and then use what it found. Fetches are HTTPS only, bounded in size and
//! time, and trust the system's roots (which honour `SSL_CERT_FILE`) plus the CA certificates the
//! operator names, so a private issuer can be used.
//!
//! The token endpoint calls [`IssuerKeys::verify`] with the issuer of a federated credential of the
//! client; the domain's `match_federated_credential` then says which credential the verified claims
//! match.

use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use parking_lot::RwLock;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tenantry_domain::rules::federated::match_federated_credential;
use tenantry_domain::signin::refusals::{self, EntraCode, SignInError};
use tenantry_domain::{Application, FederatedCredential, Timestamp};

/// An unknown `kid` refreshes an issuer's keys at most this often (seconds).
pub const REFRESH_INTERVAL: Timestamp = 60;
/// Clock skew allowed on `exp` and `nbf` (seconds).
pub const CLOCK_SKEW: Timestamp = 60;
/// The most a discovery document or a key set may weigh.
const MAX_DOCUMENT_BYTES: usize = 256 * 1024;
/// Entra keeps the first 100 keys of an issuer; so does tenantry.
const MAX_KEYS: usize = 100;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// The signing algorithms accepted from external issuers (Entra documents RS256; ES256 is common).
const ALGORITHMS: [Algorithm; 2] = [Algorithm::RS256, Algorithm::ES256];

/// Why an external token was not verified: what the token endpoint turns into Entra's refusal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FederationError {
    #[error("the assertion is not a well-formed JWT: {0}")]
    Malformed(String),
    #[error("the assertion is signed with {0}; RS256 and ES256 are accepted")]
    UnsupportedAlgorithm(String),
    #[error("the issuer '{issuer}' could not be reached or answered wrongly: {detail}")]
    IssuerUnavailable { issuer: String, detail: String },
    #[error("the issuer '{issuer}' publishes no key '{kid}'")]
    UnknownKey { issuer: String, kid: String },
    #[error("the assertion's signature does not verify with the issuer's key")]
    BadSignature,
    #[error("the assertion expired at {0}")]
    Expired(Timestamp),
    #[error("the assertion is not valid before {0}")]
    NotYetValid(Timestamp),
    #[error("the assertion was issued by '{found}', not '{expected}'")]
    WrongIssuer { expected: String, found: String },
}

/// The claims of a verified external token that the match with a federated credential needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedAssertion {
    pub iss: String,
    pub sub: String,
    pub aud: Vec<String>,
    pub exp: Timestamp,
}

/// `aud`: a string or an array of them (RFC 7519 §4.1.3).
#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    #[serde(default)]
    aud: Option<Audience>,
    exp: Timestamp,
    #[serde(default)]
    nbf: Option<Timestamp>,
}

/// An issuer's keys as last fetched.
#[derive(Default)]
struct Keys {
    by_kid: HashMap<String, Arc<DecodingKey>>,
    /// Kept for a token without `kid`, when the issuer has exactly one key.
    only: Option<Arc<DecodingKey>>,
}

/// One issuer's cache: the keys (read without waiting), and the fetch lock that makes refreshes single
/// flight.
#[derive(Default)]
struct Issuer {
    keys: RwLock<Keys>,
    /// When the last fetch was tried (the service's clock, seconds), succeeded or not.
    fetch: tokio::sync::Mutex<Option<Timestamp>>,
    /// Bumped when a fetch ends, so that callers that waited for it do not start another.
    generation: AtomicU64,
    /// How many fetches were made (discovery and key set), for tests and metrics.
    fetches: AtomicU64,
}

/// The keys of every external issuer tenantry has verified a token of, and the HTTPS client that fetches
/// them.
pub struct IssuerKeys {
    http: RwLock<reqwest::Client>,
    issuers: RwLock<HashMap<String, Arc<Issuer>>>,
}

impl Default for IssuerKeys {
    fn default() -> Self {
        Self::new()
    }
}

fn client(extra_roots: &[reqwest::Certificate]) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .https_only(true)
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .redirect(reqwest::redirect::Policy::limited(3))
        .tls_certs_merge(extra_roots.iter().cloned())
        .build()
        .map_err(|e| e.to_string())
}

impl IssuerKeys {
    /// Trusting the system's roots only.
    pub fn new() -> Self {
        // The builder fails only when the TLS backend cannot start, which the server could not either.
        let http = client(&[]).unwrap_or_else(|_| reqwest::Client::new());
        Self {
            http: RwLock::new(http),
            issuers: RwLock::new(HashMap::new()),
        }
    }

    /// Trusts the CA certificates of a PEM bundle too (the operator's private issuers), beside the
    /// system's roots.
    pub fn trust_ca_pem(&self, pem: &[u8]) -> Result<(), String> {
        let certs = reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|e| format!("not a PEM bundle of certificates: {e}"))?;
        if certs.is_empty() {
            return Err("the file holds no certificate".into());
        }
        *self.http.write() = client(&certs)?;
        Ok(())
    }

    /// How many times the keys of `issuer` were fetched.
    pub fn fetches(&self, issuer: &str) -> u64 {
        self.issuers
            .read()
            .get(issuer)
            .map_or(0, |i| i.fetches.load(Ordering::Relaxed))
    }

    fn issuer(&self, issuer: &str) -> Arc<Issuer> {
        if let Some(i) = self.issuers.read().get(issuer) {
            return i.clone();
        }
        self.issuers
            .write()
            .entry(issuer.to_string())
            .or_default()
            .clone()
    }

    /// Verifies `token` as issued by `issuer` at `now`: its signature with the issuer's key named by its
    /// `kid` (RS256 or ES256), its `iss`, and its `exp`/`nbf` within [`CLOCK_SKEW`]. Its audience is
    /// the federated credential's to check.
    pub async fn verify(
        &self,
        token: &str,
        issuer: &str,
        now: Timestamp,
    ) -> Result<VerifiedAssertion, FederationError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| FederationError::Malformed(e.to_string()))?;
        if !ALGORITHMS.contains(&header.alg) {
            return Err(FederationError::UnsupportedAlgorithm(format!(
                "{:?}",
                header.alg
            )));
        }
        let key = self.key(issuer, header.kid.as_deref(), now).await?;
        let mut validation = Validation::new(header.alg);
        // Times are checked below against the service's clock; the audience by the credential.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims = HashSet::from(["exp".into(), "iss".into(), "sub".into()]);
        let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidSignature => FederationError::BadSignature,
                _ => FederationError::Malformed(e.to_string()),
            })?
            .claims;
        if claims.iss != issuer {
            return Err(FederationError::WrongIssuer {
                expected: issuer.to_string(),
                found: claims.iss,
            });
        }
        if claims.exp + CLOCK_SKEW <= now {
            return Err(FederationError::Expired(claims.exp));
        }
        if let Some(nbf) = claims.nbf
            && nbf - CLOCK_SKEW > now
        {
            return Err(FederationError::NotYetValid(nbf));
        }
        Ok(VerifiedAssertion {
            iss: claims.iss,
            sub: claims.sub,
            aud: audiences(claims.aud),
            exp: claims.exp,
        })
    }

    /// The key `kid` of `issuer`: from the cache, else after the one refresh allowed now.
    async fn key(
        &self,
        issuer: &str,
        kid: Option<&str>,
        now: Timestamp,
    ) -> Result<Arc<DecodingKey>, FederationError> {
        let entry = self.issuer(issuer);
        let cached = |keys: &Keys| match kid {
            Some(k) => keys.by_kid.get(k).cloned(),
            None => keys.only.clone(),
        };
        if let Some(k) = cached(&entry.keys.read()) {
            return Ok(k);
        }
        let seen = entry.generation.load(Ordering::Acquire);
        let mut last = entry.fetch.lock().await;
        // Another caller fetched while this one waited, or one fetched less than a minute ago: use what
        // it found rather than fetching again.
        let fresh = entry.generation.load(Ordering::Acquire) != seen
            || last.is_some_and(|t| now - t < REFRESH_INTERVAL && now >= t);
        if !fresh {
            *last = Some(now);
            entry.fetches.fetch_add(1, Ordering::Relaxed);
            let http = self.http.read().clone();
            let fetched = fetch_keys(&http, issuer).await;
            entry.generation.fetch_add(1, Ordering::Release);
            // A failed fetch keeps the keys known so far.
            *entry.keys.write() = fetched?;
        }
        drop(last);
        cached(&entry.keys.read()).ok_or_else(|| FederationError::UnknownKey {
            issuer: issuer.to_string(),
            kid: kid.unwrap_or("(none)").to_string(),
        })
    }
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
}

/// GETs `url` as JSON, refusing more than [`MAX_DOCUMENT_BYTES`].
async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
) -> Result<T, String> {
    let mut r = http
        .get(url)
        .send()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    if !r.status().is_success() {
        return Err(format!("{url} answered {}", r.status()));
    }
    if r.content_length()
        .is_some_and(|n| n > MAX_DOCUMENT_BYTES as u64)
    {
        return Err(format!("{url} is larger than {MAX_DOCUMENT_BYTES} bytes"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = r.chunk().await.map_err(|e| format!("{url}: {e}"))? {
        if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
            return Err(format!("{url} is larger than {MAX_DOCUMENT_BYTES} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|e| format!("{url} is not the JSON expected: {e}"))
}

/// The issuer's keys: its discovery document, which must name the same issuer, then its key set.
async fn fetch_keys(http: &reqwest::Client, issuer: &str) -> Result<Keys, FederationError> {
    let unavailable = |detail: String| FederationError::IssuerUnavailable {
        issuer: issuer.to_string(),
        detail,
    };
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let discovery: Discovery = get_json(http, &url).await.map_err(unavailable)?;
    if discovery.issuer != issuer {
        return Err(unavailable(format!(
            "its discovery document names the issuer '{}'",
            discovery.issuer
        )));
    }
    let set: JwkSet = get_json(http, &discovery.jwks_uri)
        .await
        .map_err(unavailable)?;
    let usable: Vec<(Option<String>, Arc<DecodingKey>)> = set
        .keys
        .iter()
        .take(MAX_KEYS)
        .filter(|k| is_signing_key(k))
        .filter_map(|k| {
            let key = DecodingKey::from_jwk(k).ok()?;
            Some((k.common.key_id.clone(), Arc::new(key)))
        })
        .collect();
    let only = match usable.as_slice() {
        [(_, key)] => Some(key.clone()),
        _ => None,
    };
    Ok(Keys {
        by_kid: usable
            .into_iter()
            .filter_map(|(kid, key)| Some((kid?, key)))
            .collect(),
        only,
    })
}

/// A key published for signatures (not for encryption).
fn is_signing_key(k: &Jwk) -> bool {
    !matches!(
        k.common.public_key_use,
        Some(jsonwebtoken::jwk::PublicKeyUse::Encryption)
    )
}

impl FederationError {
    /// Entra's refusal of the token request that presented the assertion.
    pub fn refusal(&self) -> SignInError {
        let code = match self {
            FederationError::Malformed(_) | FederationError::UnsupportedAlgorithm(_) => {
                EntraCode::InvalidAssertion
            }
            FederationError::IssuerUnavailable { .. } => EntraCode::IssuerMetadataUnavailable,
            FederationError::UnknownKey { .. } | FederationError::BadSignature => {
                EntraCode::InvalidAssertionSignature
            }
            FederationError::Expired(_) | FederationError::NotYetValid(_) => {
                EntraCode::AssertionOutOfTime
            }
            FederationError::WrongIssuer { .. } => EntraCode::FederatedIssuerMismatch,
        };
        SignInError::new(
            code,
            format!("{} ({self}).", code.description().trim_end_matches('.')),
        )
    }
}

/// The claims of an assertion that say whose it claims to be (`iss`, `sub`, `aud`), read before its
/// signature is checked: which issuer's keys to fetch (once a federated credential of the client names
/// that issuer), and what a refusal names.
pub fn unverified_claims(token: &str) -> Result<(String, String, Vec<String>), FederationError> {
    use base64::Engine as _;
    let payload = token
        .split('.')
        .nth(1)
        .ok_or_else(|| FederationError::Malformed("it has no payload".into()))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| FederationError::Malformed("its payload is not base64url".into()))?;
    #[derive(Deserialize)]
    struct Unverified {
        iss: String,
        #[serde(default)]
        sub: String,
        #[serde(default)]
        aud: Option<Audience>,
    }
    let u = serde_json::from_slice::<Unverified>(&bytes)
        .map_err(|_| FederationError::Malformed("its payload names no issuer".into()))?;
    Ok((u.iss, u.sub, audiences(u.aud)))
}

fn audiences(aud: Option<Audience>) -> Vec<String> {
    match aud {
        None => vec![],
        Some(Audience::One(a)) => vec![a],
        Some(Audience::Many(a)) => a,
    }
}

impl crate::Service {
    /// A federated client assertion of `app`: verified with the keys of its issuer, if and only if a
    /// federated credential of `app` names that issuer (no other issuer is ever contacted), then matched
    /// with that credential's subject and audience. The credential it matched, or Entra's refusal.
    pub async fn verify_federated_assertion(
        &self,
        app: &Application,
        assertion: &str,
    ) -> Result<FederatedCredential, SignInError> {
        let (iss, sub, aud) = unverified_claims(assertion).map_err(|e| e.refusal())?;
        if !app.federated_credentials.iter().any(|c| c.issuer == iss) {
            // Refused as the match refuses it, without contacting an issuer the client does not trust.
            return Err(match_federated_credential(app, &iss, &sub, &aud)
                .map_or_else(|e| e, |_| refusals::federated_issuer_mismatch(&iss)));
        }
        let verified = self
            .issuer_keys()
            .verify(assertion, &iss, self.now())
            .await
            .map_err(|e| e.refusal())?;
        match_federated_credential(app, &verified.iss, &verified.sub, &verified.aud).cloned()
    }
}

#[cfg(test)]
impl IssuerKeys {
    /// Puts `set` in the cache of `issuer` as fetched at `at`, for tests that need no HTTPS issuer.
    fn cache(&self, issuer: &str, set: &JwkSet, at: Timestamp) {
        let entry = self.issuer(issuer);
        let keys = set
            .keys
            .iter()
            .map(|k| {
                let kid = k.common.key_id.clone().unwrap_or_default();
                (kid, Arc::new(DecodingKey::from_jwk(k).unwrap()))
            })
            .collect();
        *entry.keys.write() = Keys {
            by_kid: keys,
            only: None,
        };
        *entry.fetch.try_lock().unwrap() = Some(at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
    use base64::Engine as _;
    use serde_json::json;

    const ISSUER: &str = "https://issuer.example";

    /// An ES256 key: its encoding key and its public JWK.
    fn es256(kid: &str) -> (jsonwebtoken::EncodingKey, Jwk) {
        crate::crypto::install_jwt_crypto_provider();
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        let der = pair.to_pkcs8v1().unwrap();
        // The uncompressed point: 0x04, x, y.
        let point = pair.public_key().as_ref().to_vec();
        let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        let jwk = json!({"kty": "EC", "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..]),
            "kid": kid, "use": "sig", "alg": "ES256"});
        (
            jsonwebtoken::EncodingKey::from_ec_der(der.as_ref()),
            serde_json::from_value(jwk).unwrap(),
        )
    }

    fn sign(key: &jsonwebtoken::EncodingKey, kid: &str, claims: serde_json::Value) -> String {
        let mut header = jsonwebtoken::Header::new(Algorithm::ES256);
        header.kid = Some(kid.into());
        jsonwebtoken::encode(&header, &claims, key).unwrap()
    }

    #[tokio::test]
    async fn es256_tokens_verify_with_the_issuers_ec_key() {
        let (key, jwk) = es256("ec-1");
        let (other, _) = es256("ec-1");
        let keys = IssuerKeys::new();
        let now = 1_700_000_000;
        keys.cache(ISSUER, &JwkSet { keys: vec![jwk] }, now);
        let claims = json!({"iss": ISSUER, "sub": "workload", "aud": ["api://AzureADTokenExchange"], "exp": now + 300});
        let ok = keys
            .verify(&sign(&key, "ec-1", claims.clone()), ISSUER, now)
            .await
            .unwrap();
        assert_eq!(
            (ok.sub.as_str(), ok.aud.as_slice()),
            ("workload", &["api://AzureADTokenExchange".to_string()][..])
        );
        assert_eq!(
            keys.verify(&sign(&other, "ec-1", claims), ISSUER, now)
                .await
                .unwrap_err(),
            FederationError::BadSignature
        );
        assert_eq!(keys.fetches(ISSUER), 0, "all from the cache");
    }

    #[test]
    fn unverified_claims_name_the_issuer_to_ask() {
        let b64 = |v: serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        let token = format!(
            "{}.{}.sig",
            b64(json!({"alg": "RS256"})),
            b64(json!({"iss": ISSUER, "sub": "s", "aud": "a"}))
        );
        assert_eq!(
            unverified_claims(&token).unwrap(),
            (ISSUER.to_string(), "s".to_string(), vec!["a".to_string()])
        );
        for bad in [
            "",
            "abc",
            "a.!!!.c",
            &format!("a.{}.c", b64(json!({"sub": "s"}))),
        ] {
            assert!(matches!(
                unverified_claims(bad),
                Err(FederationError::Malformed(_))
            ));
        }
    }
}
