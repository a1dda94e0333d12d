//! Where the key-encryption key comes from: `TENANTRY_KEY_ENCRYPTION_KEY` (base64; what several
//! instances on one PostgreSQL database must share), or else the file `key-encryption-key` in the data
//! directory, created on first start readable by its owner only.

use crate::ServiceError;
use crate::crypto::KeyEncryptionKey;
use crate::files::create_new_file;
use std::path::Path;
use std::sync::OnceLock;

pub const KEK_ENV: &str = "TENANTRY_KEY_ENCRYPTION_KEY";
pub const KEK_FILE: &str = "key-encryption-key";

/// The key-encryption key from the environment, or from (created when missing) `data_dir/key-encryption-key`.
pub fn key_encryption_key(data_dir: &Path) -> Result<KeyEncryptionKey, ServiceError> {
    if let Some(k) = from_env()? {
        return Ok(k);
    }
    let path = data_dir.join(KEK_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => KeyEncryptionKey::from_base64(&text)
            .map_err(|e| ServiceError::Internal(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(&path),
        Err(e) => Err(ServiceError::Internal(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

/// For servers built without a data directory (tests, benchmarks): the environment's key, else one
/// random key for the whole process, so that instances in one process share their signing keys.
pub fn process_key_encryption_key() -> KeyEncryptionKey {
    static KEY: OnceLock<KeyEncryptionKey> = OnceLock::new();
    KEY.get_or_init(|| {
        from_env()
            .ok()
            .flatten()
            .unwrap_or_else(KeyEncryptionKey::generate)
    })
    .clone()
}

fn from_env() -> Result<Option<KeyEncryptionKey>, ServiceError> {
    match std::env::var(KEK_ENV) {
        Ok(v) if !v.trim().is_empty() => KeyEncryptionKey::from_base64(&v)
            .map(Some)
            .map_err(|e| ServiceError::Internal(format!("{KEK_ENV}: {e}"))),
        _ => Ok(None),
    }
}

/// Writes a new key readable by its owner only; two instances starting at once cannot both win.
fn create(path: &Path) -> Result<KeyEncryptionKey, ServiceError> {
    let key = KeyEncryptionKey::generate();
    let written = create_new_file(path, format!("{}\n", key.to_base64()).as_bytes(), true);
    match written {
        Ok(()) => Ok(key),
        // Someone else created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            key_encryption_key(path.parent().unwrap_or_else(|| Path::new(".")))
        }
        Err(e) => Err(ServiceError::Internal(format!(
            "cannot create {}: {e}",
            path.display()
        ))),
    }
}
