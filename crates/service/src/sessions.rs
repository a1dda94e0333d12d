//! Portal sessions, kept in the database so that every instance knows every session. The portal reaches
//! them through these calls (never the store): what a session holds is the portal's, how long it lives
//! and when old ones go is decided here.

use crate::{Service, ServiceError};
pub use tenantry_store::sessions::SessionRow;

impl Service {
    /// The live session with this id hash (`None` when unknown or expired).
    pub async fn session(&self, id_hash: &str) -> Result<Option<SessionRow>, ServiceError> {
        Ok(self.store().session(id_hash, self.now()).await?)
    }

    /// Keeps a new session. Each sign-in is also when sessions that expired are deleted; failing to, the
    /// new session is kept all the same (the next sign-in tries again).
    pub async fn start_session(&self, session: &SessionRow) -> Result<(), ServiceError> {
        if !session.identity.is_empty()
            && let Err(e) = self.store().delete_expired_sessions(self.now()).await
        {
            tracing::warn!(error = %e, "could not delete expired sessions");
        }
        Ok(self.store().insert_session(session).await?)
    }

    /// Replaces a session's data and expiry; `false` when the session is gone (ended elsewhere).
    pub async fn update_session(
        &self,
        id_hash: &str,
        data: &str,
        expires: i64,
    ) -> Result<bool, ServiceError> {
        Ok(self.store().update_session(id_hash, data, expires).await?)
    }

    /// Ends a session: its cookie opens nothing any more, on any instance.
    pub async fn end_session(&self, id_hash: &str) -> Result<(), ServiceError> {
        Ok(self.store().delete_session(id_hash).await?)
    }
}
