//! The store's one error type. Unique-constraint violations become [`StoreError::Conflict`] on both
//! backends, so callers can answer 409 without knowing which database they run on.

use sqlx::error::ErrorKind;

#[derive(thiserror::Error, Debug)]
pub enum StoreError {
    /// Anything the database or the driver reported (connection, syntax, foreign keys, ...).
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A row that cannot be decoded into the domain's types (bad GUID, bad JSON, unknown enum value).
    #[error("corrupt data in the database: {0}")]
    Corrupt(String),
    /// A unique constraint refused the write (an email, a name, a domain or a key that exists already).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The change feed no longer holds every revision after the one asked for (it was trimmed through
    /// the revision given): the caller must reload the whole world.
    #[error("the change feed was trimmed through revision {0}; reload the whole world")]
    ChangesPruned(i64),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) if db.kind() == ErrorKind::UniqueViolation => {
                StoreError::Conflict(db.message().to_string())
            }
            _ => StoreError::Database(e),
        }
    }
}

impl StoreError {
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict(_))
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
