//! The token signing keys: stored in the database sealed with the key-encryption key, shared by every
//! instance, held parsed in memory. RS256 signing is the hot path, so the parsed [`TokenSigner`] is kept
//! and reused; an instance looks again at the database every few seconds (cheap: a handful of rows) and
//! at once when a token names a key it does not know, which is how a rotation made elsewhere arrives.
//!
//! Once a key is loaded, no request waits for that look: it runs in the background while requests sign
//! and verify with the keys in memory, so tokens keep being issued while the database is out of reach;
//! after a failed look the next one waits, longer each time (up to [`RETRY_AFTER_MAX`]).

use crate::ServiceError;
use crate::crypto::{KeyEncryptionKey, SigningKey, TokenSigner};
use jsonwebtoken::DecodingKey;
use parking_lot::RwLock;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tenantry_domain::signin::ACCESS_TOKEN_LIFETIME;
use tenantry_store::Store;
use tenantry_store::signin::StoredSigningKey;

/// How long an instance trusts its copy of the key set before looking at the database again.
const RELOAD_AFTER: Duration = Duration::from_secs(10);
/// A token naming an unknown key triggers a reload, but not more often than this (a flood of forged
/// kids must not become a flood of queries).
const UNKNOWN_KID_RELOAD_EVERY: Duration = Duration::from_secs(1);
/// After a failed reload, the first wait before the next attempt; it doubles up to [`RETRY_AFTER_MAX`].
const RETRY_AFTER_MIN: Duration = Duration::from_secs(1);
const RETRY_AFTER_MAX: Duration = Duration::from_secs(30);
/// The active key is published "forever"; a retired one until its last tokens expired.
const NEVER: i64 = i64::MAX;

/// How long a retired key stays published: its last tokens' lifetime, plus the time other instances may
/// still sign with it before they notice the rotation, plus clock skew, with room to spare.
pub fn retired_key_overlap() -> i64 {
    2 * ACCESS_TOKEN_LIFETIME
}

/// The parsed key set at one moment.
struct Keys {
    signer: Option<TokenSigner>,
    verifiers: HashMap<String, Arc<DecodingKey>>,
    /// Public JWKs, active first.
    jwks: Vec<Value>,
    loaded: Instant,
}

impl Keys {
    fn empty() -> Self {
        Self {
            signer: None,
            verifiers: HashMap::new(),
            jwks: vec![],
            loaded: Instant::now() - RELOAD_AFTER * 2,
        }
    }
}

pub(crate) struct KeyRing {
    kek: KeyEncryptionKey,
    keys: RwLock<Arc<Keys>>,
    /// One reload at a time per instance; the others wait and then use its result.
    reloading: tokio::sync::Mutex<()>,
    /// A background reload is under way (requests do not start another).
    refreshing: AtomicBool,
    /// After failed reloads: no new attempt before `not_before`.
    backoff: parking_lot::Mutex<Backoff>,
}

#[derive(Default)]
struct Backoff {
    not_before: Option<Instant>,
    wait: Duration,
}

impl KeyRing {
    pub(crate) fn new(kek: KeyEncryptionKey) -> Self {
        Self {
            kek,
            keys: RwLock::new(Arc::new(Keys::empty())),
            reloading: tokio::sync::Mutex::new(()),
            refreshing: AtomicBool::new(false),
            backoff: parking_lot::Mutex::new(Backoff::default()),
        }
    }

    fn current(&self) -> Arc<Keys> {
        self.keys.read().clone()
    }

    /// The signer of the active key, generating the very first key when the database has none. Only
    /// the first call waits for the database; later ones sign with the loaded key and refresh it in the
    /// background when it is due.
    pub(crate) async fn signer(
        self: &Arc<Self>,
        store: &Store,
        now: i64,
    ) -> Result<TokenSigner, ServiceError> {
        let keys = self.current();
        if let Some(s) = &keys.signer {
            if keys.loaded.elapsed() >= RELOAD_AFTER {
                self.refresh_in_background(store, now);
            }
            return Ok(s.clone());
        }
        let keys = self.reload(store, now, true).await?;
        keys.signer
            .clone()
            .ok_or_else(|| ServiceError::Internal("no active signing key".into()))
    }

    /// The verification key for `kid`, looking at the database once more when it is unknown here.
    /// A known key is used at once (and the set refreshed in the background when due); an unknown one
    /// waits for a reload, unless the database failed moments ago.
    pub(crate) async fn verifier(
        self: &Arc<Self>,
        store: &Store,
        now: i64,
        kid: &str,
    ) -> Result<Option<Arc<DecodingKey>>, ServiceError> {
        let keys = self.current();
        if let Some(k) = keys.verifiers.get(kid) {
            if keys.loaded.elapsed() >= RELOAD_AFTER * 6 {
                self.refresh_in_background(store, now);
            }
            return Ok(Some(k.clone()));
        }
        if keys.loaded.elapsed() >= UNKNOWN_KID_RELOAD_EVERY && !self.backing_off() {
            let keys = self.reload(store, now, false).await?;
            return Ok(keys.verifiers.get(kid).cloned());
        }
        Ok(None)
    }

    /// The published public keys (`{"keys":[...]}`).
    pub(crate) async fn jwks(
        self: &Arc<Self>,
        store: &Store,
        now: i64,
    ) -> Result<Value, ServiceError> {
        let mut keys = self.current();
        if keys.signer.is_none() {
            keys = self.reload(store, now, true).await?;
        } else if keys.loaded.elapsed() >= RELOAD_AFTER {
            self.refresh_in_background(store, now);
        }
        Ok(serde_json::json!({ "keys": keys.jwks }))
    }

    /// Whether a reload failed moments ago (then requests use the keys in memory).
    fn backing_off(&self) -> bool {
        self.backoff
            .lock()
            .not_before
            .is_some_and(|t| Instant::now() < t)
    }

    /// Starts a reload that no request waits for, unless one is under way or a failed one is too
    /// recent.
    fn refresh_in_background(self: &Arc<Self>, store: &Store, now: i64) {
        if self.backing_off() || self.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let (ring, store) = (self.clone(), store.clone());
        tokio::spawn(async move {
            if let Err(e) = ring.reload(&store, now, true).await {
                tracing::warn!(error = %e, "could not reload the token signing keys; signing with the loaded ones");
            }
            ring.refreshing.store(false, Ordering::Release);
        });
    }

    /// Adds a new active key; the previous ones stay published for the overlap. Returns the new kid.
    pub(crate) async fn rotate(&self, store: &Store, now: i64) -> Result<String, ServiceError> {
        let key = generate(now).await?;
        let stored = self.seal(&key, NEVER);
        store
            .activate_signing_key(&stored, now, now + retired_key_overlap())
            .await?;
        self.reload(store, now, false).await?;
        Ok(key.kid)
    }

    fn seal(&self, key: &SigningKey, not_after: i64) -> StoredSigningKey {
        StoredSigningKey {
            kid: key.kid.clone(),
            sealed_private_key: key.seal(&self.kek),
            public_jwk: key.public_jwk.to_string(),
            created: key.created,
            not_after,
            retired: 0,
        }
    }

    /// Reads the published keys again (after waiting for a reload already under way, whose result is
    /// then used as is). With `create`, an empty database gets its first key.
    async fn reload(
        &self,
        store: &Store,
        now: i64,
        create: bool,
    ) -> Result<Arc<Keys>, ServiceError> {
        let started = Instant::now();
        let _one = self.reloading.lock().await;
        let keys = self.current();
        if keys.loaded >= started && (keys.signer.is_some() || !create) {
            return Ok(keys);
        }
        let rows = match self.read_rows(store, now, create).await {
            Ok(rows) => {
                *self.backoff.lock() = Backoff::default();
                rows
            }
            Err(e) => {
                let mut backoff = self.backoff.lock();
                backoff.wait = (backoff.wait * 2).clamp(RETRY_AFTER_MIN, RETRY_AFTER_MAX);
                backoff.not_before = Some(Instant::now() + backoff.wait);
                return Err(e);
            }
        };
        let fresh = Arc::new(self.parse(&rows, &keys)?);
        *self.keys.write() = fresh.clone();
        Ok(fresh)
    }

    /// The published keys' rows; with `create`, an empty database gets its first key.
    async fn read_rows(
        &self,
        store: &Store,
        now: i64,
        create: bool,
    ) -> Result<Vec<StoredSigningKey>, ServiceError> {
        let mut rows = store.published_signing_keys(now).await?;
        if create && !rows.iter().any(|r| r.retired == 0) {
            let key = generate(now).await?;
            store
                .insert_first_signing_key(&self.seal(&key, NEVER))
                .await?;
            rows = store.published_signing_keys(now).await?;
        }
        Ok(rows)
    }

    /// Builds the key set from rows, reusing the parsed signer when the active key did not change.
    fn parse(&self, rows: &[StoredSigningKey], previous: &Keys) -> Result<Keys, ServiceError> {
        let mut keys = Keys {
            signer: None,
            verifiers: HashMap::new(),
            jwks: Vec::with_capacity(rows.len()),
            loaded: Instant::now(),
        };
        for row in rows {
            let jwk: Value = serde_json::from_str(&row.public_jwk).map_err(|_| {
                ServiceError::Internal(format!("signing key {} has a corrupt JWK", row.kid))
            })?;
            if row.retired == 0 && keys.signer.is_none() {
                keys.signer = Some(match &previous.signer {
                    Some(s) if s.kid() == row.kid => s.clone(),
                    _ => self.open(row)?,
                });
            }
            if let Some(k) = decoding_key(&jwk) {
                keys.verifiers.insert(row.kid.clone(), Arc::new(k));
            }
            keys.jwks.push(jwk);
        }
        Ok(keys)
    }

    fn open(&self, row: &StoredSigningKey) -> Result<TokenSigner, ServiceError> {
        let key = SigningKey::open(&self.kek, &row.sealed_private_key, row.created).map_err(|e| {
            ServiceError::Internal(format!(
                "cannot open signing key {}: {e}. The key-encryption key (TENANTRY_KEY_ENCRYPTION_KEY, or the file \
                 key-encryption-key in the data directory) must be the same on every instance and across restarts",
                row.kid
            ))
        })?;
        TokenSigner::new(&key).map_err(|e| ServiceError::Internal(format!("signing key: {e}")))
    }
}

/// RSA key generation takes tens of milliseconds: off the async executor.
async fn generate(now: i64) -> Result<SigningKey, ServiceError> {
    tokio::task::spawn_blocking(move || SigningKey::generate(now))
        .await
        .map_err(|e| ServiceError::Internal(format!("key generation failed: {e}")))?
        .map_err(|e| ServiceError::Internal(format!("key generation failed: {e}")))
}

/// The verification key of a public JWK.
pub(crate) fn decoding_key(jwk: &Value) -> Option<DecodingKey> {
    let n = jwk.get("n")?.as_str()?;
    let e = jwk.get("e")?.as_str()?;
    DecodingKey::from_rsa_components(n, e).ok()
}

/// A signing key as the operator sees it (`tenantry keys list`): never its private part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKeyInfo {
    pub kid: String,
    pub created: i64,
    pub state: SigningKeyState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningKeyState {
    /// Signs new tokens.
    Active,
    /// Retired, still published so that the tokens it signed verify until then.
    Published { until: i64 },
    /// Retired and past its tokens' lifetime.
    Expired,
}

impl crate::Service {
    /// Every signing key, newest first, with its state at the service's clock.
    pub async fn signing_keys(&self) -> Result<Vec<SigningKeyInfo>, ServiceError> {
        let now = self.now();
        Ok(self
            .store()
            .all_signing_keys()
            .await?
            .into_iter()
            .map(|k| SigningKeyInfo {
                state: match (k.retired, k.not_after > now) {
                    (0, _) => SigningKeyState::Active,
                    (_, true) => SigningKeyState::Published { until: k.not_after },
                    (_, false) => SigningKeyState::Expired,
                },
                kid: k.kid,
                created: k.created,
            })
            .collect())
    }
}
