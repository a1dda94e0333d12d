//! User password hashing: Argon2id (argon2 0.6 defaults: m = 19456 KiB, t = 2,
//! p = 1, the OWASP minimum) stored as PHC strings (`$argon2id$v=19$m=...`).
//!
//! Each hash costs ~19 MiB of RAM and tens of milliseconds of CPU, so the async
//! [`PasswordVerifier`] bounds how many run at once: a flood of sign-ins queues
//! instead of exhausting memory or starving the tokio runtime.

use std::sync::{Arc, OnceLock};

use argon2::password_hash::PasswordHasher as _;
use argon2::{ARGON2ID_IDENT, Argon2, Params, PasswordHash};
use tokio::sync::Semaphore;

use super::CryptoError;

/// Upper bounds on the cost parameters we are willing to run when verifying a
/// stored hash. argon2 takes the parameters from the hash itself, so a hostile
/// or corrupt world file could otherwise ask for gigabytes of memory per
/// attempt. The bounds are far above the defaults we produce.
const MAX_M_COST_KIB: u32 = 256 * 1024;
const MAX_T_COST: u32 = 16;
const MAX_P_COST: u32 = 8;

/// Hashes `pw` with Argon2id, default parameters and a fresh random 16-byte
/// salt, returning the PHC string.
///
/// # Panics
/// Only if the operating system's random number generator fails, which leaves
/// nothing sensible to do (no salt means no safe hash).
pub fn hash_password(pw: &str) -> String {
    Argon2::default()
        .hash_password(pw.as_bytes())
        .expect("argon2id hashing with default parameters failed (OS RNG failure?)")
        .to_string()
}

/// Parses a PHC string, accepting only Argon2id with sane cost parameters and
/// both salt and hash present.
fn parse_argon2id(phc: &str) -> Option<PasswordHash> {
    let hash = PasswordHash::new(phc).ok()?;
    if hash.algorithm != ARGON2ID_IDENT || hash.salt.is_none() || hash.hash.is_none() {
        return None;
    }
    let params = Params::try_from(&hash).ok()?;
    if params.m_cost() > MAX_M_COST_KIB
        || params.t_cost() > MAX_T_COST
        || params.p_cost() > MAX_P_COST
    {
        return None;
    }
    Some(hash)
}

/// True when `s` is an `$argon2id$...` PHC string that parses (and whose cost
/// parameters we would agree to verify against). Used to tell hashed from
/// plaintext passwords in world files.
pub fn is_password_hash(s: &str) -> bool {
    parse_argon2id(s).is_some()
}

/// Checks `pw` against a stored Argon2id PHC string.
///
/// Returns false for a wrong password and for a malformed/unsupported hash;
/// never panics. The final output comparison inside argon2 is constant time.
/// This is CPU-heavy and blocking: async code should use [`PasswordVerifier`].
pub fn verify_password(pw: &str, phc: &str) -> bool {
    use argon2::PasswordVerifier as _;
    match parse_argon2id(phc) {
        // The verifier re-derives with the parameters embedded in `hash`.
        Some(hash) => Argon2::default()
            .verify_password(pw.as_bytes(), &hash)
            .is_ok(),
        None => false,
    }
}

/// A valid Argon2id hash (default parameters) of a random password nobody
/// knows, computed once per process. Verifying against it costs the same as
/// verifying a real user's password, which hides whether a user exists.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&crate::crypto::secrets::random_token(32)))
}

/// Verifies passwords off the async runtime with bounded concurrency.
///
/// Cheap to clone: clones share the same semaphore.
#[derive(Clone, Debug)]
pub struct PasswordVerifier {
    permits: Arc<Semaphore>,
}

impl Default for PasswordVerifier {
    /// One concurrent hash per CPU: more would only add memory, not throughput.
    fn default() -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::new(cpus)
    }
}

impl PasswordVerifier {
    /// At most `max_concurrent` (at least 1) Argon2 computations run at once.
    pub fn new(max_concurrent: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
        }
    }

    /// How many more hashes could start right now (for metrics and tests).
    pub fn available_permits(&self) -> usize {
        self.permits.available_permits()
    }

    /// Runs `f` on the blocking pool while holding a permit. The permit moves
    /// into the blocking task, so it stays held until the hash really finishes
    /// even if the caller's future is dropped (client disconnect): memory stays
    /// bounded by the permit count whatever callers do.
    async fn run<R: Send + 'static>(&self, f: impl FnOnce() -> R + Send + 'static) -> Option<R> {
        let permit = self.permits.clone().acquire_owned().await.ok()?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            f()
        })
        .await
        .ok()
    }

    /// Checks `pw` against the stored PHC string `phc`.
    ///
    /// A malformed stored hash still costs one dummy hash before returning
    /// false, so every failure path takes about the same time.
    pub async fn verify(&self, pw: String, phc: String) -> bool {
        self.run(move || {
            if is_password_hash(&phc) {
                verify_password(&pw, &phc)
            } else {
                let _ = verify_password(&pw, dummy_hash());
                false
            }
        })
        .await
        .unwrap_or(false)
    }

    /// For a sign-in naming a user that does not exist: spends one hash
    /// against [`dummy_hash`] and returns false, so the response time does not
    /// reveal whether the user exists.
    pub async fn verify_unknown_user(&self, pw: String) -> bool {
        self.run(move || {
            let _ = verify_password(&pw, dummy_hash());
            false
        })
        .await;
        false
    }

    /// Convenience for the sign-in path: `Some(hash)` verifies, `None` (user
    /// unknown or has no password) spends a dummy hash and returns false.
    pub async fn verify_or_dummy(&self, pw: String, phc: Option<String>) -> bool {
        match phc {
            Some(phc) => self.verify(pw, phc).await,
            None => self.verify_unknown_user(pw).await,
        }
    }

    /// Hashes a new password under the same concurrency bound (user creation
    /// and password changes compete with sign-ins for the same memory).
    ///
    /// Fails only if the blocking task panicked (OS RNG failure) or the
    /// runtime is shutting down.
    pub async fn hash(&self, pw: String) -> Result<String, CryptoError> {
        self.run(move || hash_password(&pw))
            .await
            .ok_or(CryptoError::PasswordHashing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verify_roundtrip_and_wrong_password() {
        let h = hash_password("correct horse battery staple");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(is_password_hash(&h));
        assert!(verify_password("correct horse battery staple", &h));
        assert!(!verify_password("correct horse battery stapler", &h));
        assert!(!verify_password("", &h));
    }

    #[test]
    fn salts_differ() {
        assert_ne!(hash_password("pw"), hash_password("pw"));
    }

    #[test]
    fn malformed_hashes_are_false_not_panics() {
        let good = hash_password("pw");
        let bad = [
            "",
            "plaintext",
            "$argon2id$",
            "$argon2id$v=19$m=19456,t=2,p=1$",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ",
            "$argon2id$v=19$m=19456,t=2,p=1$!!!$!!!",
            "$argon2id$v=19$m=1,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
            // Cost far beyond what we accept: rejected before hashing.
            "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
            "$bcrypt$whatever",
            "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
        ];
        for b in bad {
            assert!(!verify_password("pw", b), "accepted {b:?}");
            assert!(!is_password_hash(b), "is_password_hash({b:?})");
        }
        // A truncated output is still a well-formed PHC string (outputs may be
        // 10..=64 bytes) but can never verify.
        assert!(!verify_password("pw", &good[..good.len() - 4]));
    }

    #[test]
    fn other_argon2_variants_are_not_accepted() {
        let h = hash_password("pw").replacen("$argon2id$", "$argon2i$", 1);
        assert!(!is_password_hash(&h));
        assert!(!verify_password("pw", &h));
    }

    #[test]
    fn dummy_hash_is_a_real_hash() {
        assert!(is_password_hash(dummy_hash()));
        assert_eq!(dummy_hash(), dummy_hash());
        assert!(!verify_password("", dummy_hash()));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn async_verifier_bounds_and_verifies() {
        let v = PasswordVerifier::new(1);
        let h = v.hash("s3cret".to_owned()).await.unwrap();
        assert!(v.verify("s3cret".into(), h.clone()).await);
        assert!(!v.verify("nope".into(), h.clone()).await);
        assert!(!v.verify("s3cret".into(), "garbage".into()).await);
        assert!(!v.verify_unknown_user("s3cret".into()).await);
        assert!(v.verify_or_dummy("s3cret".into(), Some(h)).await);
        assert!(!v.verify_or_dummy("s3cret".into(), None).await);
        assert_eq!(v.available_permits(), 1);
        assert!(PasswordVerifier::default().available_permits() >= 1);
    }
}
