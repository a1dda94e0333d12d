//! The key-encryption key: AES-256-GCM sealing of private key material at rest (the signing keys in
//! the database), so a copy of the database alone reveals no key.

use std::fmt;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

use super::CryptoError;

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

    // Cannot fail: the key length matches AES-256 by construction.
    #[allow(clippy::expect_used)]
    fn aead_key(&self) -> LessSafeKey {
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &self.0).expect("32-byte AES-256 key"))
    }

    /// Encrypts `plaintext`: `v1.<base64url(nonce || ciphertext || tag)>`.
    ///
    /// The 96-bit nonce is random per call. That is safe for far more
    /// messages than a KEK will ever seal (the birthday bound is ~2^32
    /// messages per key), and needs no counter state to persist.
    // AES-GCM refuses only inputs over ~64 GiB; what tenantry seals is a signing key.
    #[allow(clippy::expect_used)]
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
