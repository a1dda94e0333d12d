//! Online backups of the embedded database. `VACUUM INTO` writes a consistent copy from one read
//! snapshot while writers go on (WAL: readers do not block them); the copy is compact and carries no
//! WAL to replay. SQLite's page-by-page backup API would also work, but restarts whenever another
//! connection writes, so under steady load it may never finish; VACUUM INTO holds one snapshot instead.
//! PostgreSQL has `pg_dump` for this (the README gives the procedure).

use crate::connect::Backend;
use crate::error::{StoreError, StoreResult};
use crate::{Store, changes};
use std::path::Path;

/// What a backup holds: the revision of the last write in it, and its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupSummary {
    pub revision: i64,
    pub audit_events: i64,
    pub bytes: u64,
}

impl Store {
    /// Writes a consistent copy of the embedded database to `dest`, which must not exist yet. The
    /// copy is written beside `dest` and renamed into place when complete, so a failed backup leaves
    /// nothing that looks like one.
    pub async fn backup_into(&self, dest: &Path) -> StoreResult<BackupSummary> {
        if self.backend != Backend::Sqlite {
            return Err(configuration(
                "tenantry backup copies the embedded SQLite database; back up PostgreSQL with pg_dump",
            ));
        }
        if dest.exists() {
            return Err(configuration(format!(
                "{} exists already: a backup never overwrites a file",
                dest.display()
            )));
        }
        let partial = dest.with_extension("partial");
        let _ = std::fs::remove_file(&partial);
        let mut conn = self.pool.acquire().await?;
        // VACUUM cannot run inside a transaction, so what the copy holds is read from the copy itself.
        let copied = sqlx::query("VACUUM INTO ?")
            .bind(partial.to_string_lossy().into_owned())
            .execute(&mut *conn)
            .await;
        drop(conn);
        if let Err(e) = copied {
            let _ = std::fs::remove_file(&partial);
            return Err(e.into());
        }
        let summary = match summary_of(&partial).await {
            Ok(s) => s,
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
        };
        sync_file(&partial)?;
        std::fs::rename(&partial, dest)
            .map_err(|e| configuration(format!("cannot write {}: {e}", dest.display())))?;
        Ok(summary)
    }
}

/// Reads a database file's revision, audit event count and size, without changing it.
pub async fn summary_of(path: &Path) -> StoreResult<BackupSummary> {
    // An absolute path, so that no part of it is read as a URL host.
    let absolute = std::path::absolute(path)
        .map_err(|e| configuration(format!("bad path '{}': {e}", path.display())))?;
    let url = crate::connect::sqlite_url_with_mode(&absolute, "ro");
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await?;
    let check: String = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_one(&mut conn)
        .await?;
    if check != "ok" {
        return Err(StoreError::Corrupt(format!(
            "{} is damaged: {check}",
            path.display()
        )));
    }
    let revision = changes::current_revision(&mut conn).await?;
    let audit_events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
        .fetch_one(&mut conn)
        .await?;
    sqlx::Connection::close(conn).await?;
    let bytes = std::fs::metadata(path)
        .map_err(|e| configuration(format!("{}: {e}", path.display())))?
        .len();
    Ok(BackupSummary {
        revision,
        audit_events,
        bytes,
    })
}

fn sync_file(path: &Path) -> StoreResult<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| configuration(format!("cannot sync {}: {e}", path.display())))
}

fn configuration(message: impl Into<String>) -> StoreError {
    StoreError::Database(sqlx::Error::Configuration(message.into().into()))
}

/// Puts a backup in place as the database file `dest` (which must not exist): copies it, checks the
/// copy, brings its schema up to date (a backup taken by an older tenantry) and loads its world once,
/// so that a backup that cannot serve is refused here rather than at start-up. On any failure nothing
/// is left at `dest`.
pub async fn restore_into(backup: &Path, dest: &Path) -> StoreResult<BackupSummary> {
    if dest.exists() {
        return Err(configuration(format!(
            "{} exists already: restore into an empty data directory",
            dest.display()
        )));
    }
    let result = async {
        summary_of(backup).await?;
        std::fs::copy(backup, dest).map_err(|e| {
            configuration(format!(
                "cannot copy {} to {}: {e}",
                backup.display(),
                dest.display()
            ))
        })?;
        let store = Store::open_sqlite_file(dest).await?;
        let loaded = store.load_world().await.map(|_| ());
        store.close().await;
        loaded?;
        sync_file(dest)?;
        summary_of(dest).await
    }
    .await;
    if result.is_err() {
        for suffix in ["", "-wal", "-shm"] {
            let mut name = dest.as_os_str().to_owned();
            name.push(suffix);
            let _ = std::fs::remove_file(std::path::PathBuf::from(name));
        }
    }
    result
}
