//! Cryptography for tenantry: password hashing, client secrets, token signing
//! keys (generation, encryption at rest, JWKS) and RS256 JWT signing.
//!
//! Everything here runs on aws-lc-rs (RSA, AES-GCM, SHA-256, and jsonwebtoken's
//! `aws_lc_rs` backend) plus argon2 for passwords. The jsonwebtoken crypto
//! provider is installed by this module itself (see [`jws::install_jwt_crypto_provider`]),
//! so callers cannot forget it.

pub mod assertions;
pub mod jws;
pub mod key_encryption;
pub mod passwords;
pub mod secrets;
pub mod signing_key;

pub use assertions::verify_assertion_signature;
pub use jws::{TokenSigner, install_jwt_crypto_provider};
pub use key_encryption::KeyEncryptionKey;
pub use passwords::{dummy_hash, hash_password, is_password_hash, verify_password};
pub use secrets::{
    CLIENT_SECRET_PREFIX, constant_time_eq, generate_client_secret, hash_client_secret,
    random_token, sha256_b64url, verify_client_secret, verify_pkce_s256,
};
pub use signing_key::{SigningKey, jwks};

/// Errors from the crypto module.
///
/// Messages describe what failed, never the material involved: no key bytes,
/// secrets, passwords or token contents end up in error text (they are logged
/// and may be returned to clients).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// RSA key generation failed inside aws-lc.
    #[error("RSA key generation failed")]
    KeyGeneration,
    /// Key material could not be parsed or exported.
    #[error("invalid key material: {0}")]
    InvalidKey(&'static str),
    /// A sealed (encrypted at rest) value is not in the `v1.<base64url>` format.
    #[error("sealed value is malformed")]
    SealedFormat,
    /// AES-GCM sealing failed (should not happen with a valid key).
    #[error("encryption failed")]
    Seal,
    /// AES-GCM authentication failed: wrong key-encryption key or tampered data.
    #[error("decryption failed: wrong key or tampered data")]
    Open,
    /// Claims could not be serialized to JSON.
    #[error("token claims could not be serialized")]
    ClaimsSerialization,
    /// RSA signing failed inside aws-lc.
    #[error("token signing failed")]
    Signing,
}
