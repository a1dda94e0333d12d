//! Cryptography for tenantry: password hashing, client secrets, token signing
//! keys (generation, encryption at rest, JWKS) and RS256 JWT signing/verification.
//!
//! Everything here runs on aws-lc-rs (RSA, AES-GCM, SHA-256, and jsonwebtoken's
//! `aws_lc_rs` backend) plus argon2 for passwords. The jsonwebtoken crypto
//! provider is installed by this module itself (see [`keys::install_jwt_crypto_provider`]),
//! so callers cannot forget it.

pub mod keys;
pub mod passwords;
pub mod secrets;

pub use keys::{
    DEFAULT_LEEWAY_SECS, KeyEncryptionKey, SigningKey, TokenSigner, TokenVerifier,
    install_jwt_crypto_provider, jwks,
};
pub use passwords::{
    PasswordVerifier, dummy_hash, hash_password, is_password_hash, verify_password,
};
pub use secrets::{
    CLIENT_SECRET_PREFIX, constant_time_eq, generate_client_secret, hash_client_secret,
    random_token, sha256_b64url, verify_client_secret, verify_pkce_s256,
};

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
    /// Hashing a new password failed (blocking task panicked or runtime
    /// shutting down).
    #[error("password hashing failed")]
    PasswordHashing,
    /// Claims could not be serialized to JSON.
    #[error("token claims could not be serialized")]
    ClaimsSerialization,
    /// RSA signing failed inside aws-lc.
    #[error("token signing failed")]
    Signing,
    /// The token is not a well-formed compact JWS/JWT.
    #[error("token is malformed")]
    TokenMalformed,
    /// The token's header has no `kid`.
    #[error("token header has no key id")]
    TokenMissingKid,
    /// No verification key has the token's `kid`.
    #[error("token was signed with an unknown key")]
    TokenUnknownKid,
    /// The header's `alg` is not RS256.
    #[error("token algorithm is not allowed (only RS256)")]
    TokenAlgorithm,
    /// The signature does not verify.
    #[error("token signature is invalid")]
    TokenSignature,
    /// `exp` is in the past (beyond the leeway).
    #[error("token has expired")]
    TokenExpired,
    /// `nbf` is in the future (beyond the leeway).
    #[error("token is not yet valid")]
    TokenNotYetValid,
    /// `aud` is not one of the accepted audiences.
    #[error("token audience is not accepted")]
    TokenAudience,
    /// `iss` is not one of the accepted issuers.
    #[error("token issuer is not accepted")]
    TokenIssuer,
    /// A required registered claim (`exp`, `aud`, `iss`, ...) is missing or
    /// has the wrong type. Holds the claim's name only.
    #[error("token claim `{0}` is missing or invalid")]
    TokenClaim(String),
    /// The claims are valid JSON but do not match the requested type.
    #[error("token claims do not have the expected shape")]
    TokenClaims,
}
