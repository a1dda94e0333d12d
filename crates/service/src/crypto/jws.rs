//! RS256 JWS: signing tokens with a [`SigningKey`], and the jsonwebtoken crypto provider.
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

use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde_json::{Value, json};

use super::CryptoError;
use super::signing_key::{SigningKey, parse_private_pem, public_components_b64};

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
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    use serde::Deserialize;

    use super::super::signing_key::jwks;
    use super::super::signing_key::tests::{key_a, key_b, now};
    use super::*;

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

    /// `cargo test -p tenantry-service --release crypto::jws::tests::sign_throughput -- --ignored --nocapture`
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
