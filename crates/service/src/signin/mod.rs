//! The sign-in service: Entra-compatible tokens. Which account a username names and where it may sign
//! in are the domain's rules (`tenantry_domain::signin`); this module adds what needs I/O or secrets:
//! the signing keys (sealed in the database, parsed once in memory), password checks under a bound on
//! concurrent Argon2 hashes, smart lockout shared by every instance, rotating refresh tokens and
//! authorization codes.

pub mod claims;
mod clients;
mod code;
mod device;
mod grants;
mod hashing;
mod kek;
mod keyring;
pub use keyring::{SigningKeyInfo, SigningKeyState};
mod lockout;
pub mod managed_identity;
mod password;
mod refresh;
mod verify;

pub use claims::{AccessClaims, IdClaims};
pub use clients::ClientCredential;
pub use code::{
    Authorization, AuthorizeError, AuthorizeRequest, Redirect, ResponseMode, SessionUse,
};
pub use device::{DeviceAuthorization, DeviceRequest};
pub use grants::{Grant, Protocol, TokenRequest, TokenResponse};
pub use kek::{KEK_ENV, KEK_FILE, key_encryption_key, process_key_encryption_key};
pub use lockout::client_key as lockout_address_key;
pub use password::PasswordSignIn;
pub use verify::{Audience, CLOCK_SKEW, Rejection, Verified};

use crate::crypto::KeyEncryptionKey;
use crate::{Service, ServiceError};
use hashing::HashPool;
use keyring::KeyRing;
pub(crate) use keyring::decoding_key;
use std::sync::Arc;
use tenantry_domain::signin::SignInError;

/// A refusal in Entra's terms, or a failure that is not the caller's.
#[derive(Debug)]
pub enum SignInFailure {
    Refused(SignInError),
    Internal(ServiceError),
}

impl From<SignInError> for SignInFailure {
    fn from(e: SignInError) -> Self {
        SignInFailure::Refused(e)
    }
}

impl From<ServiceError> for SignInFailure {
    fn from(e: ServiceError) -> Self {
        SignInFailure::Internal(e)
    }
}

impl From<tenantry_store::StoreError> for SignInFailure {
    fn from(e: tenantry_store::StoreError) -> Self {
        SignInFailure::Internal(e.into())
    }
}

/// The sign-in service of one instance. Cheap to clone.
#[derive(Clone)]
pub struct SignIn {
    inner: Arc<Inner>,
}

struct Inner {
    svc: Service,
    /// The public base URL, without a trailing slash: issuers and audiences are built on it.
    base_url: String,
    keys: Arc<KeyRing>,
    passwords: HashPool,
    verified_tokens: verify::VerifiedTokens,
}

impl SignIn {
    /// The sign-in service on `svc`, reachable at `base_url`, opening signing keys with `kek`; passwords
    /// are verified on one thread per core.
    pub fn new(svc: Service, base_url: &str, kek: KeyEncryptionKey) -> Self {
        Self::build(svc, base_url, kek, HashPool::per_core())
    }

    /// As [`SignIn::new`], with `threads` password hashing threads: at most that many Argon2id hashes
    /// (19 MiB each) run at once, whatever the load.
    pub fn with_hash_threads(
        svc: Service,
        base_url: &str,
        kek: KeyEncryptionKey,
        threads: usize,
    ) -> Self {
        Self::build(svc, base_url, kek, HashPool::new(threads))
    }

    fn build(svc: Service, base_url: &str, kek: KeyEncryptionKey, passwords: HashPool) -> Self {
        Self {
            inner: Arc::new(Inner {
                svc,
                base_url: base_url.trim_end_matches('/').to_string(),
                keys: Arc::new(KeyRing::new(kek)),
                passwords,
                verified_tokens: verify::VerifiedTokens::default(),
            }),
        }
    }

    pub fn service(&self) -> &Service {
        &self.inner.svc
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    fn keys(&self) -> &Arc<KeyRing> {
        &self.inner.keys
    }

    fn verified_tokens(&self) -> &verify::VerifiedTokens {
        &self.inner.verified_tokens
    }

    fn passwords(&self) -> &HashPool {
        &self.inner.passwords
    }

    /// The Argon2id verifications this instance has done (passwords, and client secrets stored as
    /// Argon2id). Every password attempt costs one, whether its account exists or not: tests count
    /// them rather than time them.
    pub fn password_verifications(&self) -> u64 {
        self.passwords().verifications()
    }

    /// The published signing keys as a JWKS document; the first call on an empty database creates the
    /// first key.
    pub async fn jwks(&self) -> Result<serde_json::Value, ServiceError> {
        let svc = self.service();
        self.keys().jwks(svc.store(), svc.now()).await
    }

    /// Makes sure a signing key exists and is loaded (at start, so the first request does not wait).
    pub async fn ensure_signing_key(&self) -> Result<String, ServiceError> {
        let svc = self.service();
        Ok(self
            .keys()
            .signer(svc.store(), svc.now())
            .await?
            .kid()
            .to_string())
    }

    /// Adds a new active signing key; the old ones stay published until their tokens expired.
    pub async fn rotate_keys(&self) -> Result<String, ServiceError> {
        let svc = self.service();
        self.keys().rotate(svc.store(), svc.now()).await
    }

    /// Signs claims with the active key.
    pub async fn sign<T: serde::Serialize>(&self, claims: &T) -> Result<String, ServiceError> {
        let svc = self.service();
        let signer = self.keys().signer(svc.store(), svc.now()).await?;
        signer
            .sign(claims)
            .map_err(|e| ServiceError::Internal(format!("token signing failed: {e}")))
    }
}

/// How often expired refresh tokens and codes are deleted, and how long after expiry they are kept
/// (a replayed expired token is then still recognised as such for a day).
const HOUSEKEEPING_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);
const KEEP_EXPIRED_FOR: i64 = 24 * 3600;

impl SignIn {
    /// Deletes long-expired refresh tokens and authorization codes every hour, until the process ends.
    /// Any instance may run it; the deletes are idempotent.
    pub fn spawn_housekeeping(&self) -> tokio::task::JoinHandle<()> {
        let signin = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(HOUSEKEEPING_EVERY).await;
                let svc = signin.service();
                let before = svc.now() - KEEP_EXPIRED_FOR;
                match svc.store().delete_expired_sign_in_rows(before).await {
                    Ok(n) if n > 0 => tracing::info!(deleted = n, "expired sign-in rows deleted"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "could not delete expired sign-in rows"),
                }
            }
        })
    }
}
