//! Test helpers (feature `testing`), for this crate's tests and those of the crates above it: a store on
//! a temporary SQLite file, and a store on a fresh PostgreSQL database.
//!
//! PostgreSQL comes from `TENANTRY_TEST_PG_URL` (a superuser URL, as `scripts/pg.sh` exports it). When it
//! is unset the helpers panic with a message saying how to run the suite: a test that silently skips
//! half of its backends would hide exactly the bugs this suite exists to find.

// Test helpers: a panic is a failed run with its message, which is what these unwraps want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::{Backend, Store};
use std::path::{Path, PathBuf};

/// The environment variable holding a PostgreSQL superuser URL.
pub const PG_URL_VAR: &str = "TENANTRY_TEST_PG_URL";

/// The PostgreSQL superuser URL, if one is configured.
pub fn try_pg_admin_url() -> Option<String> {
    std::env::var(PG_URL_VAR)
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// The PostgreSQL superuser URL; panics with instructions when it is not set.
pub fn pg_admin_url() -> String {
    try_pg_admin_url().unwrap_or_else(|| {
        panic!(
            "{PG_URL_VAR} is not set, and every store test also runs on PostgreSQL. \
             Run the tests with `scripts/test.sh` (e.g. `scripts/test.sh -p tenantry-store`), which starts \
             a throwaway PostgreSQL, or start one yourself with `source scripts/pg.sh && pg_start`."
        )
    })
}

/// A directory under the system temp dir, removed (with its contents) when dropped.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> std::io::Result<TempDir> {
        let dir = std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir)?;
        Ok(TempDir(dir))
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A store for a test, with whatever keeps its database alive (the temporary directory of a SQLite file).
#[derive(Debug)]
pub struct TestStore {
    pub store: Store,
    _dir: Option<TempDir>,
}

impl TestStore {
    pub fn backend(&self) -> Backend {
        self.store.backend()
    }
    /// Opens another store on the same database (another "instance").
    pub async fn open_again(&self) -> Store {
        Store::open(self.store.url())
            .await
            .expect("reopen the test database")
    }
}

impl std::ops::Deref for TestStore {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

/// A store on a new SQLite file in a temporary directory.
pub async fn sqlite() -> TestStore {
    let dir = TempDir::new("tenantry-test").expect("create a temporary directory");
    let store = Store::open_sqlite_file(&dir.path().join("tenantry.db"))
        .await
        .expect("open a SQLite store");
    TestStore {
        store,
        _dir: Some(dir),
    }
}

/// Replaces the database name (the URL's path) of a PostgreSQL URL, keeping user, host and parameters.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let root = match base[authority_start..].find('/') {
        Some(i) => &base[..authority_start + i],
        None => base,
    };
    format!("{root}/{database}{query}")
}

/// Creates a database with a unique name through the superuser URL and returns a URL for it.
pub async fn fresh_pg_database(admin_url: &str) -> Result<String, sqlx::Error> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::AnyConnection::connect(admin_url).await?;
    // The name is ours (letters and digits): safe to put in the statement, which takes no parameters.
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await?;
    admin.close().await?;
    Ok(with_database(admin_url, &name))
}

/// A store on a fresh PostgreSQL database; panics with instructions when PostgreSQL is not configured.
pub async fn postgres() -> TestStore {
    let url = fresh_pg_database(&pg_admin_url())
        .await
        .expect("create a fresh PostgreSQL database");
    let store = Store::open(&url).await.expect("open a PostgreSQL store");
    TestStore { store, _dir: None }
}

/// One store per backend: SQLite, then PostgreSQL (which must be configured: see [`pg_admin_url`]).
pub async fn both() -> Vec<TestStore> {
    let pg_url = pg_admin_url();
    let sqlite = sqlite().await;
    let url = fresh_pg_database(&pg_url)
        .await
        .expect("create a fresh PostgreSQL database");
    let pg = TestStore {
        store: Store::open(&url).await.expect("open a PostgreSQL store"),
        _dir: None,
    };
    vec![sqlite, pg]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            with_database("postgres://tenantry@127.0.0.1:5432/postgres", "t_1"),
            "postgres://tenantry@127.0.0.1:5432/t_1"
        );
        assert_eq!(
            with_database("postgres://u:p@h/postgres?sslmode=disable", "t_1"),
            "postgres://u:p@h/t_1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "t_1"), "postgres://u@h/t_1");
    }
}
