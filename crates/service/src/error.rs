//! The service's errors: a rule's refusal, or a failure underneath it.

use tenantry_domain::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A rule refused: the message says why and what to do.
    #[error("{0}")]
    Domain(#[from] DomainError),
    /// The database failed or refused (a unique key, a lost connection).
    #[error("storage: {0}")]
    Store(#[from] tenantry_store::StoreError),
    /// A world file could not be applied.
    #[error("{0}")]
    WorldFile(#[from] crate::world_file::WorldFileError),
    /// Something that is not the caller's fault and not the database's.
    #[error("{0}")]
    Internal(String),
}

impl ServiceError {
    pub fn as_domain(&self) -> Option<&DomainError> {
        match self {
            ServiceError::Domain(e) => Some(e),
            _ => None,
        }
    }
}
