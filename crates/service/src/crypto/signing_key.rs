//! Token signing keys: RSA-2048 generation, PKCS#8 PEM export and import, and the public JWKs with
//! RFC 7638 thumbprint `kid`s that the JWKS publishes. At rest a key is sealed with a
//! [`KeyEncryptionKey`]; tokens are signed with it by [`super::jws::TokenSigner`].

use std::fmt;

use aws_lc_rs::digest;
use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair as _, RsaKeyPair, RsaPublicKeyComponents};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use super::CryptoError;
use super::key_encryption::KeyEncryptionKey;

const PEM_PKCS8_BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
const PEM_PKCS8_END: &str = "-----END PRIVATE KEY-----";
const PEM_PKCS1_BEGIN: &str = "-----BEGIN RSA PRIVATE KEY-----";
const PEM_PKCS1_END: &str = "-----END RSA PRIVATE KEY-----";

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
pub(super) fn public_components_b64(pair: &RsaKeyPair) -> (String, String) {
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

pub(super) fn parse_private_pem(pem: &str) -> Result<RsaKeyPair, CryptoError> {
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

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::OnceLock;
    use std::time::{SystemTime, UNIX_EPOCH};

    use jsonwebtoken::EncodingKey;

    use super::*;

    pub(crate) fn now() -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    }

    /// RSA generation takes a while; share two keys across tests.
    pub(crate) fn key_a() -> &'static SigningKey {
        static K: OnceLock<SigningKey> = OnceLock::new();
        K.get_or_init(|| SigningKey::generate(now()).unwrap())
    }
    pub(crate) fn key_b() -> &'static SigningKey {
        static K: OnceLock<SigningKey> = OnceLock::new();
        K.get_or_init(|| SigningKey::generate(now()).unwrap())
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
    fn signing_key_seal_open() {
        let kek = KeyEncryptionKey::generate();
        let sealed = key_a().seal(&kek);
        assert!(!sealed.contains("PRIVATE"));
        let k = SigningKey::open(&kek, &sealed, key_a().created).unwrap();
        assert_eq!(&k, key_a());
        assert!(SigningKey::open(&KeyEncryptionKey::generate(), &sealed, 0).is_err());
    }
}
