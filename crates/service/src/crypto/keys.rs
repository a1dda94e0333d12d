//! Token signing keys: RSA-2048 generation, PKCS#8 PEM export, JWKs with
//! RFC 7638 thumbprint `kid`s, AES-256-GCM encryption at rest, RS256 signing
//! and verification.
//!
//! Signing does not go through `jsonwebtoken::encode`: with the aws-lc backend,
//! jsonwebtoken 11 keeps only the DER bytes in an `EncodingKey` and re-parses
//! (and re-validates) the RSA private key on *every* signature, which costs
//! several times the RSA operation itself. [`TokenSigner`] parses the key once
//! into an aws-lc `RsaKeyPair`, pre-encodes the header, and produces the exact
//! compact JWS that `jsonwebtoken::encode` would (RSASSA-PKCS1-v1_5 is
//! deterministic, a test checks the signatures are byte-identical).
//! Verification (`signin::verify`) uses jsonwebtoken's `decode`, which needs
//! its process-wide crypto provider: see [`install_jwt_crypto_provider`].

use std::fmt;
use std::sync::{Arc, Once};

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::digest;
use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::Serialize;
use serde_json::{Value, json};

use super::CryptoError;

const PEM_PKCS8_BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
const PEM_PKCS8_END: &str = "-----END PRIVATE KEY-----";
const PEM_PKCS1_BEGIN: &str = "-----BEGIN RSA PRIVATE KEY-----";
const PEM_PKCS1_END: &str = "-----END RSA PRIVATE KEY-----";

/// Installs jsonwebtoken's aws-lc-rs crypto provider as the process default,
/// once. Safe to call any number of times from any thread.
///
/// jsonwebtoken 11 picks its provider from crate features only when exactly
/// one of `aws_lc_rs` / `rust_crypto` is enabled; if feature unification ever
/// enables both, every sign/verify panics unless a provider was installed.
/// Installing explicitly removes that trap. If some other code installed a
/// provider first, theirs is kept (the install is first-wins).
pub fn install_jwt_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER
            .install_default()
            .is_err()
        {
            tracing::debug!("jsonwebtoken crypto provider was already installed; keeping it");
        }
    });
}

// ---------------------------------------------------------------------------
// Signing keys
// ---------------------------------------------------------------------------

/// An RS256 token signing key.
///
/// `private_pkcs8_pem` is secret: store it only sealed with a
/// [`KeyEncryptionKey`] (see [`SigningKey::seal`]). `Debug` redacts it.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey {
    /// Key id: the RFC 7638 JWK thumbprint (SHA-256, base64url) for keys we
    /// generate.
    pub kid: String,
    /// Unencrypted PKCS#8 private key, PEM (`-----BEGIN PRIVATE KEY-----`).
    pub private_pkcs8_pem: String,
    /// The public JWK as published in the JWKS.
    pub public_jwk: Value,
    /// Creation time, unix seconds.
    pub created: i64,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("private_pkcs8_pem", &"[redacted]")
            .field("public_jwk", &self.public_jwk)
            .field("created", &self.created)
            .finish()
    }
}

impl SigningKey {
    /// Generates a new RSA-2048 key (aws-lc), created at `now` (unix seconds).
    pub fn generate(now: i64) -> Result<SigningKey, CryptoError> {
        let pair =
            RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| CryptoError::KeyGeneration)?;
        Self::from_key_pair(&pair, now)
    }

    /// Rebuilds a signing key from a private key PEM, either PKCS#8
    /// (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`), e.g. from a
    /// world file. The PEM is normalised to PKCS#8 and `kid` / `public_jwk`
    /// are derived from the key.
    pub fn from_private_pem(pem: &str, created: i64) -> Result<SigningKey, CryptoError> {
        let pair = parse_private_pem(pem)?;
        Self::from_key_pair(&pair, created)
    }

    fn from_key_pair(pair: &RsaKeyPair, created: i64) -> Result<SigningKey, CryptoError> {
        let der = pair
            .as_der()
            .map_err(|_| CryptoError::InvalidKey("private key could not be exported as PKCS#8"))?;
        let private_pkcs8_pem = pem_encode(PEM_PKCS8_BEGIN, PEM_PKCS8_END, der.as_ref());
        let (n, e) = public_components_b64(pair);
        let kid = rfc7638_thumbprint(&n, &e);
        let public_jwk = json!({
            "kty": "RSA",
            "use": "sig",
            "kid": kid,
            "n": n,
            "e": e,
            "alg": "RS256",
        });
        Ok(SigningKey {
            kid,
            private_pkcs8_pem,
            public_jwk,
            created,
        })
    }

    /// The private key PEM encrypted with `kek` (for storage).
    pub fn seal(&self, kek: &KeyEncryptionKey) -> String {
        kek.seal(self.private_pkcs8_pem.as_bytes())
    }

    /// Inverse of [`SigningKey::seal`]: decrypts and rebuilds the key.
    pub fn open(
        kek: &KeyEncryptionKey,
        sealed: &str,
        created: i64,
    ) -> Result<SigningKey, CryptoError> {
        let pem = kek.open(sealed)?;
        let pem = std::str::from_utf8(&pem)
            .map_err(|_| CryptoError::InvalidKey("decrypted key is not PEM text"))?;
        Self::from_private_pem(pem, created)
    }
}

/// The JWKS document (`{"keys":[...]}`) publishing the given keys' public JWKs.
pub fn jwks(keys: &[&SigningKey]) -> Value {
    json!({ "keys": keys.iter().map(|k| k.public_jwk.clone()).collect::<Vec<_>>() })
}

/// base64url (no pad) of the unsigned big-endian modulus and exponent.
fn public_components_b64(pair: &RsaKeyPair) -> (String, String) {
    // aws-lc gives both without leading zero bytes, as JWK (RFC 7518 §6.3.1)
    // requires.
    let c = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public_key());
    (URL_SAFE_NO_PAD.encode(&c.n), URL_SAFE_NO_PAD.encode(&c.e))
}

/// RFC 7638 JWK thumbprint of an RSA key: SHA-256 over the required members
/// in lexicographic order with no whitespace. base64url values need no JSON
/// escaping, so the canonical form can be formatted directly.
fn rfc7638_thumbprint(n_b64: &str, e_b64: &str) -> String {
    let canonical = format!(r#"{{"e":"{e_b64}","kty":"RSA","n":"{n_b64}"}}"#);
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, canonical.as_bytes()))
}

/// PEM with 64-character base64 lines (RFC 7468).
fn pem_encode(begin: &str, end: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = String::with_capacity(begin.len() + end.len() + b64.len() + b64.len() / 64 + 4);
    out.push_str(begin);
    out.push('\n');
    for line in b64.as_bytes().chunks(64) {
        // base64 output is ASCII, so any byte split is a char boundary.
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(end);
    out.push('\n');
    out
}

/// The DER between `begin` and `end` markers, if both are present.
fn pem_body(pem: &str, begin: &str, end: &str) -> Option<Result<Vec<u8>, CryptoError>> {
    let start = pem.find(begin)? + begin.len();
    let stop = start + pem[start..].find(end)?;
    let b64: String = pem[start..stop]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    Some(
        STANDARD
            .decode(b64)
            .map_err(|_| CryptoError::InvalidKey("private key PEM has invalid base64")),
    )
}

fn parse_private_pem(pem: &str) -> Result<RsaKeyPair, CryptoError> {
    if let Some(der) = pem_body(pem, PEM_PKCS8_BEGIN, PEM_PKCS8_END) {
        RsaKeyPair::from_pkcs8(&der?).map_err(|_| {
            CryptoError::InvalidKey("PKCS#8 data is not an acceptable RSA private key")
        })
    } else if let Some(der) = pem_body(pem, PEM_PKCS1_BEGIN, PEM_PKCS1_END) {
        RsaKeyPair::from_der(&der?).map_err(|_| {
            CryptoError::InvalidKey("PKCS#1 data is not an acceptable RSA private key")
        })
    } else {
        Err(CryptoError::InvalidKey(
            "expected a PEM RSA private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)",
        ))
    }
}

// ---------------------------------------------------------------------------
// Encryption at rest
// ---------------------------------------------------------------------------

/// Version tag of the sealed format; also bound as AES-GCM associated data so
/// a value cannot be reinterpreted under another format version.
const SEAL_V1: &str = "v1";
const SEAL_AAD_V1: &[u8] = b"tenantry-kek-v1";
const GCM_TAG_LEN: usize = 16;

/// A 256-bit key-encryption key for private key material at rest
/// (AES-256-GCM). `Debug` is redacted and the bytes are wiped on drop
/// (best effort: copies the compiler made earlier are out of reach).
#[derive(Clone)]
pub struct KeyEncryptionKey([u8; 32]);

impl fmt::Debug for KeyEncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyEncryptionKey([redacted])")
    }
}

impl Drop for KeyEncryptionKey {
    fn drop(&mut self) {
        self.0 = [0u8; 32];
        // Keep the zeroing store from being optimised away as a dead store.
        std::hint::black_box(&self.0);
    }
}

impl KeyEncryptionKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// A fresh random key.
    pub fn generate() -> Self {
        let mut k = [0u8; 32];
        rand::fill(&mut k[..]);
        Self(k)
    }

    /// Parses a key given as base64url (no padding, 43 chars) or standard
    /// base64 (44 chars), e.g. from an environment variable.
    pub fn from_base64(s: &str) -> Result<Self, CryptoError> {
        let s = s.trim();
        let bytes = URL_SAFE_NO_PAD
            .decode(s)
            .or_else(|_| STANDARD.decode(s))
            .map_err(|_| CryptoError::InvalidKey("key-encryption key is not base64"))?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| CryptoError::InvalidKey("key-encryption key must be 32 bytes"))?;
        Ok(Self(bytes))
    }

    /// The key as base64url without padding (for writing a generated key to
    /// a config file; treat the output as a secret).
    pub fn to_base64(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    fn aead_key(&self) -> LessSafeKey {
        // Cannot fail: the key length matches AES-256 by construction.
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &self.0).expect("32-byte AES-256 key"))
    }

    /// Encrypts `plaintext`: `v1.<base64url(nonce || ciphertext || tag)>`.
    ///
    /// The 96-bit nonce is random per call. That is safe for far more
    /// messages than a KEK will ever seal (the birthday bound is ~2^32
    /// messages per key), and needs no counter state to persist.
    pub fn seal(&self, plaintext: &[u8]) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::fill(&mut nonce[..]);
        let mut buf = Vec::with_capacity(NONCE_LEN + plaintext.len() + GCM_TAG_LEN);
        buf.extend_from_slice(&nonce);
        buf.extend_from_slice(plaintext);
        let mut body = buf.split_off(NONCE_LEN);
        self.aead_key()
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(SEAL_AAD_V1),
                &mut body,
            )
            // AES-GCM only refuses inputs over ~64 GiB.
            .expect("AES-256-GCM seal");
        buf.extend_from_slice(&body);
        let mut out = String::with_capacity(SEAL_V1.len() + 1 + buf.len().div_ceil(3) * 4);
        out.push_str(SEAL_V1);
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(&buf, &mut out);
        out
    }

    /// Decrypts a value produced by [`KeyEncryptionKey::seal`]. Fails with
    /// [`CryptoError::Open`] for a wrong key or any modification.
    pub fn open(&self, sealed: &str) -> Result<Vec<u8>, CryptoError> {
        let b64 = sealed
            .strip_prefix(SEAL_V1)
            .and_then(|r| r.strip_prefix('.'))
            .ok_or(CryptoError::SealedFormat)?;
        let mut buf = URL_SAFE_NO_PAD
            .decode(b64)
            .map_err(|_| CryptoError::SealedFormat)?;
        if buf.len() < NONCE_LEN + GCM_TAG_LEN {
            return Err(CryptoError::SealedFormat);
        }
        let mut body = buf.split_off(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = buf.try_into().map_err(|_| CryptoError::SealedFormat)?;
        let plain_len = self
            .aead_key()
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(SEAL_AAD_V1),
                &mut body,
            )
            .map_err(|_| CryptoError::Open)?
            .len();
        body.truncate(plain_len);
        Ok(body)
    }
}

// ---------------------------------------------------------------------------
// Signing
// ---------------------------------------------------------------------------

/// Signs RS256 JWTs with one key. Build once per key and share (cheap to
/// clone): the key is parsed at construction, never per token.
#[derive(Clone)]
pub struct TokenSigner {
    kid: Arc<str>,
    key_pair: Arc<RsaKeyPair>,
    /// base64url of `{"typ":"JWT","alg":"RS256","kid":"..."}` (the member
    /// order Entra uses), encoded once.
    header_b64: Arc<str>,
}

impl fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSigner")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl TokenSigner {
    /// Parses `key`'s private key once. Fails if the PEM is bad or does not
    /// match the key's published JWK (tokens would not verify).
    pub fn new(key: &SigningKey) -> Result<TokenSigner, CryptoError> {
        install_jwt_crypto_provider();
        let pair = parse_private_pem(&key.private_pkcs8_pem)?;
        let (n, e) = public_components_b64(&pair);
        if key.public_jwk.get("n").and_then(Value::as_str) != Some(n.as_str())
            || key.public_jwk.get("e").and_then(Value::as_str) != Some(e.as_str())
        {
            return Err(CryptoError::InvalidKey(
                "public JWK does not match the private key",
            ));
        }
        let header = json!({ "typ": "JWT", "alg": "RS256", "kid": key.kid });
        let header_json =
            serde_json::to_vec(&header).map_err(|_| CryptoError::ClaimsSerialization)?;
        Ok(TokenSigner {
            kid: key.kid.as_str().into(),
            key_pair: Arc::new(pair),
            header_b64: URL_SAFE_NO_PAD.encode(header_json).into(),
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Serializes `claims` (must be a JSON object) and returns the compact
    /// RS256 JWT `header.payload.signature`.
    pub fn sign<T: Serialize + ?Sized>(&self, claims: &T) -> Result<String, CryptoError> {
        let payload = serde_json::to_vec(claims).map_err(|_| CryptoError::ClaimsSerialization)?;
        // RFC 7519 §7.2: the claims set must be a JSON object.
        if payload.first() != Some(&b'{') {
            return Err(CryptoError::ClaimsSerialization);
        }
        let sig_len = self.key_pair.public_modulus_len();
        let mut token = String::with_capacity(
            self.header_b64.len() + 2 + (payload.len() + sig_len).div_ceil(3) * 4 + 4,
        );
        token.push_str(&self.header_b64);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&payload, &mut token);

        let mut sig = vec![0u8; sig_len];
        self.key_pair
            .sign(
                &RSA_PKCS1_SHA256,
                // aws-lc ignores the RNG for PKCS#1 v1.5 (deterministic).
                &aws_lc_rs::rand::SystemRandom::new(),
                token.as_bytes(),
                &mut sig,
            )
            .map_err(|_| CryptoError::Signing)?;
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&sig, &mut token);
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;
    use std::time::{SystemTime, UNIX_EPOCH};

    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    use serde::Deserialize;

    use super::*;

    fn now() -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    }

    /// RSA generation takes a while; share two keys across tests.
    fn key_a() -> &'static SigningKey {
        static K: OnceLock<SigningKey> = OnceLock::new();
        K.get_or_init(|| SigningKey::generate(now()).unwrap())
    }
    fn key_b() -> &'static SigningKey {
        static K: OnceLock<SigningKey> = OnceLock::new();
        K.get_or_init(|| SigningKey::generate(now()).unwrap())
    }

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Claims {
        sub: String,
        aud: String,
        iss: String,
        exp: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        nbf: Option<i64>,
    }

    fn claims(exp_in: i64) -> Claims {
        Claims {
            sub: "user-1".into(),
            aud: "api://tenantry".into(),
            iss: "https://login.example/tid/v2.0".into(),
            exp: now() + exp_in,
            nbf: None,
        }
    }

    #[test]
    fn generated_key_shape() {
        let k = key_a();
        let jwk = &k.public_jwk;
        assert_eq!(jwk["kty"], "RSA");
        assert_eq!(jwk["use"], "sig");
        assert_eq!(jwk["alg"], "RS256");
        assert_eq!(jwk["kid"], k.kid.as_str());
        assert_eq!(jwk["e"], "AQAB");
        let n = URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap();
        assert_eq!(n.len(), 256);
        assert!(n[0] & 0x80 != 0, "2048-bit modulus has its top bit set");
        // kid is the RFC 7638 thumbprint: 32 bytes of SHA-256.
        assert_eq!(URL_SAFE_NO_PAD.decode(&k.kid).unwrap().len(), 32);
        assert_eq!(
            k.kid,
            rfc7638_thumbprint(jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap())
        );
        assert_ne!(key_a().kid, key_b().kid);
        // PEM layout: markers and 64-char lines.
        let pem = &k.private_pkcs8_pem;
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(pem.ends_with("-----END PRIVATE KEY-----\n"));
        let lines: Vec<&str> = pem.lines().collect();
        for l in &lines[1..lines.len() - 2] {
            assert_eq!(l.len(), 64);
        }
        assert!(lines[lines.len() - 2].len() <= 64);
        // Debug never shows the private key.
        assert!(!format!("{k:?}").contains(&lines[1][..20]));
    }

    #[test]
    fn rfc7638_thumbprint_known_answer() {
        // The example key from RFC 7638 §3.1.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        assert_eq!(
            rfc7638_thumbprint(n, "AQAB"),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn pem_round_trips_into_jsonwebtoken_and_back() {
        let k = key_a();
        EncodingKey::from_rsa_pem(k.private_pkcs8_pem.as_bytes()).unwrap();
        let again = SigningKey::from_private_pem(&k.private_pkcs8_pem, k.created).unwrap();
        assert_eq!(&again, k);
        assert!(matches!(
            SigningKey::from_private_pem("not a pem", 0),
            Err(CryptoError::InvalidKey(_))
        ));
        let broken = k.private_pkcs8_pem.replace('A', "B");
        assert!(SigningKey::from_private_pem(&broken, 0).is_err());
    }

    #[test]
    fn seal_open_roundtrip_tamper_and_wrong_key() {
        let kek = KeyEncryptionKey::generate();
        let sealed = kek.seal(b"top secret");
        assert!(sealed.starts_with("v1."));
        assert_eq!(kek.open(&sealed).unwrap(), b"top secret");
        // Fresh nonce per seal.
        assert_ne!(kek.seal(b"top secret"), sealed);
        // Empty plaintext works too.
        assert_eq!(kek.open(&kek.seal(b"")).unwrap(), b"");

        // Flip one bit in each region: nonce, ciphertext, tag.
        let raw = URL_SAFE_NO_PAD.decode(&sealed[3..]).unwrap();
        for i in [0, NONCE_LEN, raw.len() - 1] {
            let mut t = raw.clone();
            t[i] ^= 1;
            let t = format!("v1.{}", URL_SAFE_NO_PAD.encode(&t));
            assert!(matches!(kek.open(&t), Err(CryptoError::Open)));
        }
        let other = KeyEncryptionKey::generate();
        assert!(matches!(other.open(&sealed), Err(CryptoError::Open)));

        for bad in ["", "v1", "v1.", "v2.AAAA", "v1.!!!", "v1.AAAA"] {
            assert!(
                matches!(kek.open(bad), Err(CryptoError::SealedFormat)),
                "{bad}"
            );
        }

        let restored = KeyEncryptionKey::from_base64(&kek.to_base64()).unwrap();
        assert_eq!(restored.open(&sealed).unwrap(), b"top secret");
        assert!(KeyEncryptionKey::from_base64("AAAA").is_err());
        assert_eq!(format!("{kek:?}"), "KeyEncryptionKey([redacted])");
        let fixed = KeyEncryptionKey::from_bytes([7u8; 32]);
        assert_eq!(fixed.open(&fixed.seal(b"x")).unwrap(), b"x");
    }

    #[test]
    fn signing_key_seal_open() {
        let kek = KeyEncryptionKey::generate();
        let sealed = key_a().seal(&kek);
        assert!(!sealed.contains("PRIVATE"));
        let k = SigningKey::open(&kek, &sealed, key_a().created).unwrap();
        assert_eq!(&k, key_a());
        assert!(SigningKey::open(&KeyEncryptionKey::generate(), &sealed, 0).is_err());
    }

    /// The claims of `token` if its RS256 signature verifies with the JWKS key its `kid` names
    /// (jsonwebtoken's own verifier: what a relying party would run).
    fn verify_with_jwks<T: serde::de::DeserializeOwned>(token: &str, doc: &Value) -> Option<T> {
        let kid = jsonwebtoken::decode_header(token).ok()?.kid?;
        let jwk = doc["keys"]
            .as_array()?
            .iter()
            .find(|k| k["kid"] == kid.as_str())?;
        let key =
            jsonwebtoken::DecodingKey::from_rsa_components(jwk["n"].as_str()?, jwk["e"].as_str()?)
                .ok()?;
        let mut v = jsonwebtoken::Validation::new(Algorithm::RS256);
        v.validate_aud = false;
        jsonwebtoken::decode::<T>(token, &key, &v)
            .ok()
            .map(|d| d.claims)
    }

    #[test]
    fn sign_verify_roundtrip_with_jwks() {
        let k = key_a();
        let signer = TokenSigner::new(k).unwrap();
        assert_eq!(signer.kid(), k.kid);
        let c = claims(3600);
        let token = signer.sign(&c).unwrap();

        let doc = jwks(&[key_a(), key_b()]);
        assert_eq!(doc["keys"].as_array().unwrap().len(), 2);
        assert_eq!(verify_with_jwks::<Claims>(&token, &doc), Some(c));
        // Untyped claims work too.
        let v: Value = verify_with_jwks(&token, &doc).unwrap();
        assert_eq!(v["sub"], "user-1");
        // Signed by B but claiming A's kid: the signature does not verify.
        let mut forged = key_b().clone();
        forged.kid = key_a().kid.clone();
        let t = TokenSigner::new(&forged)
            .unwrap()
            .sign(&claims(60))
            .unwrap();
        assert_eq!(verify_with_jwks::<Value>(&t, &doc), None);
    }

    #[test]
    fn header_has_typ_alg_and_jwks_kid() {
        let signer = TokenSigner::new(key_a()).unwrap();
        let token = signer.sign(&claims(60)).unwrap();
        let raw_header = URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap();
        let h: Value = serde_json::from_slice(&raw_header).unwrap();
        assert_eq!(h["typ"], "JWT");
        assert_eq!(h["alg"], "RS256");
        assert_eq!(h["kid"], key_a().kid.as_str());
        let doc = jwks(&[key_a()]);
        assert_eq!(doc["keys"][0]["kid"], h["kid"]);
        let parsed = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(parsed.alg, Algorithm::RS256);
        assert_eq!(parsed.kid.as_deref(), Some(key_a().kid.as_str()));
    }

    #[test]
    fn signature_is_identical_to_jsonwebtoken() {
        // PKCS#1 v1.5 is deterministic, so our fast path must produce exactly
        // what jsonwebtoken's own signer produces for the same message.
        let k = key_a();
        let token = TokenSigner::new(k).unwrap().sign(&claims(60)).unwrap();
        let (message, sig) = token.rsplit_once('.').unwrap();
        let ek = EncodingKey::from_rsa_pem(k.private_pkcs8_pem.as_bytes()).unwrap();
        install_jwt_crypto_provider();
        let theirs = jsonwebtoken::crypto::sign(message.as_bytes(), &ek, Algorithm::RS256).unwrap();
        assert_eq!(sig, theirs);
    }

    #[test]
    fn signer_rejects_mismatched_jwk() {
        let mut k = key_a().clone();
        k.public_jwk = key_b().public_jwk.clone();
        assert!(matches!(
            TokenSigner::new(&k),
            Err(CryptoError::InvalidKey(_))
        ));
    }

    #[test]
    fn signer_rejects_non_object_claims() {
        let signer = TokenSigner::new(key_a()).unwrap();
        assert!(matches!(
            signer.sign(&[1, 2, 3]),
            Err(CryptoError::ClaimsSerialization)
        ));
        assert!(matches!(
            signer.sign("str"),
            Err(CryptoError::ClaimsSerialization)
        ));
    }

    #[test]
    fn provider_install_is_idempotent() {
        install_jwt_crypto_provider();
        install_jwt_crypto_provider();
        std::thread::spawn(install_jwt_crypto_provider)
            .join()
            .unwrap();
    }

    /// `cargo test -p tenantry-service --release crypto::keys::tests::sign_throughput -- --ignored --nocapture`
    #[test]
    #[ignore = "timing only; run by hand"]
    fn sign_throughput() {
        let k = key_a();
        let signer = TokenSigner::new(k).unwrap();
        let c = claims(3600);
        let n = 2000;
        let t0 = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(signer.sign(&c).unwrap());
        }
        let ours = n as f64 / t0.elapsed().as_secs_f64();

        let ek = EncodingKey::from_rsa_pem(k.private_pkcs8_pem.as_bytes()).unwrap();
        let mut h = Header::new(Algorithm::RS256);
        h.kid = Some(k.kid.clone());
        let t0 = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(jsonwebtoken::encode(&h, &c, &ek).unwrap());
        }
        let theirs = n as f64 / t0.elapsed().as_secs_f64();
        println!("TokenSigner::sign {ours:.0}/s, jsonwebtoken::encode {theirs:.0}/s");
    }
}
