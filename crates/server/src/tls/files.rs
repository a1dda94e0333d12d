//! The files of the local CA in the data directory, and how they are read and written.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use tenantry_service::files::create_new_file;

use super::TlsError;

pub(super) const CA_CERT_FILE: &str = "ca.pem";
pub(super) const CA_KEY_FILE: &str = "ca-key.pem";
pub(super) const LEAF_CHAIN_FILE: &str = "server.pem";
pub(super) const LEAF_KEY_FILE: &str = "server-key.pem";
pub(super) const LEAF_RECORD_FILE: &str = "server-names.txt";

/// Where each file lives in the data directory.
pub(super) struct Paths {
    pub(super) ca_cert: PathBuf,
    pub(super) ca_key: PathBuf,
    pub(super) leaf_chain: PathBuf,
    pub(super) leaf_key: PathBuf,
    pub(super) leaf_record: PathBuf,
}

impl Paths {
    pub(super) fn new(dir: &Path) -> Self {
        Self {
            ca_cert: dir.join(CA_CERT_FILE),
            ca_key: dir.join(CA_KEY_FILE),
            leaf_chain: dir.join(LEAF_CHAIN_FILE),
            leaf_key: dir.join(LEAF_KEY_FILE),
            leaf_record: dir.join(LEAF_RECORD_FILE),
        }
    }
}

pub(super) fn io_error(action: &'static str, path: &Path, error: io::Error) -> TlsError {
    TlsError::Io {
        action,
        path: path.to_owned(),
        error,
    }
}

/// The file's contents, or `None` if it does not exist.
pub(super) fn read_optional(path: &Path) -> Result<Option<String>, TlsError> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(io_error("read", path, error)),
    }
}

pub(super) fn remove_if_exists(path: &Path) -> Result<(), TlsError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(io_error("remove", path, error)),
    }
}

/// Writes through a temporary file and a rename, so readers (and a crash)
/// see either the old or the new contents, never a truncated file. Private
/// files get mode 0600 before any secret is written to them.
pub(super) fn write_atomic(path: &Path, contents: &str, private: bool) -> Result<(), TlsError> {
    let mut tmp_name = path.file_name().unwrap_or_default().to_owned();
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let result = write_new_file(&tmp, contents, private).and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(|error| io_error("write", path, error))
}

/// A file of its own for `write_atomic`; a leftover from a crashed run could have the wrong mode, so it
/// goes first.
fn write_new_file(path: &Path, contents: &str, private: bool) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
        _ => {}
    }
    create_new_file(path, contents.as_bytes(), private)
}
