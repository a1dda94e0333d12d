//! User password hashing: Argon2id (argon2 0.6 defaults: m = 19456 KiB, t = 2,
//! p = 1, the OWASP minimum) stored as PHC strings (`$argon2id$v=19$m=...`).
//!
//! Each hash costs ~19 MiB of RAM and tens of milliseconds of CPU: sign-ins verify on the
//! bounded thread pool of `signin::hashing`, never on the async runtime.

use std::sync::OnceLock;

use argon2::password_hash::PasswordHasher as _;
use argon2::{ARGON2ID_IDENT, Argon2, Params, PasswordHash};

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
#[allow(clippy::expect_used)]
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
/// This is CPU-heavy and blocking: async code runs it off the runtime.
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
}
