//! Files tenantry keeps in its data directory: the one way to create a file that may hold a secret
//! (the key-encryption key, the local CA's and the server's private keys).

use std::fs;
use std::io::{self, Write as _};
use std::path::Path;

/// The mode of a file only its owner may read and write.
#[cfg(unix)]
const OWNER_ONLY: u32 = 0o600;

/// Creates `path`, which must not exist yet (`AlreadyExists` otherwise, so two processes racing to
/// create it cannot both win), writes `contents` and flushes them to disk. With `owner_only` the file
/// gets mode 0600 before any byte is written, whatever the umask (on Unix).
pub fn create_new_file(path: &Path, contents: &[u8], owner_only: bool) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if owner_only {
            options.mode(OWNER_ONLY);
        }
        let file = options.open(path)?;
        if owner_only {
            // The umask can only remove bits; set the exact mode anyway.
            file.set_permissions(fs::Permissions::from_mode(OWNER_ONLY))?;
        }
        finish(file, contents)
    }
    #[cfg(not(unix))]
    {
        let _ = owner_only;
        finish(options.open(path)?, contents)
    }
}

fn finish(mut file: fs::File, contents: &[u8]) -> io::Result<()> {
    file.write_all(contents)?;
    // On disk before anyone renames it into place or relies on it after a crash.
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_once_and_owner_only_when_asked() {
        let dir = std::env::temp_dir().join(format!(
            "tenantry-files-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4()
        ));
        fs::create_dir_all(&dir).unwrap();
        let secret = dir.join("secret");
        create_new_file(&secret, b"s3cret\n", true).unwrap();
        assert_eq!(fs::read(&secret).unwrap(), b"s3cret\n");
        let again = create_new_file(&secret, b"other", true).unwrap_err();
        assert_eq!(again.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&secret).unwrap(), b"s3cret\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&secret), 0o600);
            let public = dir.join("public");
            create_new_file(&public, b"x", false).unwrap();
            assert_ne!(mode(&public), 0o600);
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}
