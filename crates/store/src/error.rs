//! The store's one error type. Unique-constraint violations become [`StoreError::Conflict`] on both
//! backends, so callers can answer 409 without knowing which database they run on.

use sqlx::error::ErrorKind;

#[derive(thiserror::Error, Debug)]
pub enum StoreError {
    /// Anything the database or the driver reported (syntax, foreign keys, ...) but an outage.
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    /// The database could not be reached within the store's timeout, or dropped the connection (it is
    /// stopped, restarting or cut off): worth retrying in a moment, unlike [`StoreError::Database`].
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
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
            _ if is_outage(&e) => StoreError::Unavailable(e),
            _ => StoreError::Database(e),
        }
    }
}

/// Whether an error says the database is out of reach rather than that a statement failed: no
/// connection within the pool's acquire timeout, a connection lost or refused, or PostgreSQL shutting
/// down or not yet accepting connections (SQLSTATE class 08, connection exceptions, and 57P01–57P03,
/// operator intervention: shutdown, crash, cannot connect now).
fn is_outage(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03")),
        _ => false,
    }
}

impl StoreError {
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict(_))
    }

    /// The database is out of reach for now (see [`StoreError::Unavailable`]).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outage_is_told_apart_from_a_failed_statement() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(StoreError::from(sqlx::Error::Io(refused)).is_unavailable());
        assert!(StoreError::from(sqlx::Error::PoolTimedOut).is_unavailable());
        assert!(!StoreError::from(sqlx::Error::RowNotFound).is_unavailable());
        assert!(!StoreError::from(sqlx::Error::PoolClosed).is_unavailable());
    }
}
