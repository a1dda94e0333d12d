//! The service's errors: a rule's refusal, or a failure underneath it.

use tenantry_domain::DomainError;
use tenantry_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A rule refused: the message says why and what to do.
    #[error("{0}")]
    Domain(#[from] DomainError),
    /// The database failed (a lost connection, corrupt data). A unique key that refuses a write is not
    /// this but a [`DomainError::concurrent_write`] refusal (see the `From<StoreError>`).
    #[error("storage: {0}")]
    Store(StoreError),
    /// The database is out of reach for now (stopped, restarting, cut off): nothing was written, and the
    /// same request may succeed in a moment. Faces answer 503 with `Retry-After`.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A world file could not be applied.
    #[error("{0}")]
    WorldFile(#[from] crate::world_file::WorldFileError),
    /// Something that is not the caller's fault and not the database's.
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for ServiceError {
    /// A unique key refusing a write is a refusal like a rule's (a concurrent writer took the name first),
    /// worded by the domain: the database's own message, which names tables and constraints, goes to the
    /// log and never to a client.
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(detail) => {
                tracing::warn!(%detail, "a unique key refused a write made at the same time as another");
                ServiceError::Domain(DomainError::concurrent_write())
            }
            StoreError::Unavailable(e) => ServiceError::Unavailable(e.to_string()),
            other => ServiceError::Store(other),
        }
    }
}

impl ServiceError {
    pub fn as_domain(&self) -> Option<&DomainError> {
        match self {
            ServiceError::Domain(e) => Some(e),
            _ => None,
        }
    }

    /// The database was out of reach: worth retrying shortly (503 with `Retry-After`), not a defect.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, ServiceError::Unavailable(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unique_key_refusal_is_worded_without_the_database() {
        let raw = "UNIQUE constraint failed: tenants.name_key";
        let e = ServiceError::from(StoreError::Conflict(raw.into()));
        let refusal = e.as_domain().expect("a refusal, not a failure");
        assert_eq!(refusal.kind, tenantry_domain::ErrorKind::Conflict);
        assert_eq!(refusal.code, "Conflict");
        assert!(!refusal.full_message().contains("UNIQUE"), "{refusal}");
        assert!(!e.to_string().contains("tenants"), "{e}");
        let other = ServiceError::from(StoreError::Corrupt("bad GUID".into()));
        assert!(other.as_domain().is_none());
    }
}
