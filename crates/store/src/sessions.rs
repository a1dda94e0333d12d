//! Portal sessions: one row per browser session, keyed by the hash of its random id (the id itself is
//! only ever in the browser's cookie). Every instance reads and writes these, so a session started on one
//! instance is valid on all of them and ends everywhere when it is deleted.

use crate::Store;
use crate::error::StoreResult;
use sqlx::Row;

/// A session as stored. `identity` is empty while nobody is signed in (a sign-in in progress).
#[derive(Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub id_hash: String,
    pub identity: String,
    pub created: i64,
    pub expires: i64,
    /// The portal's JSON state (CSRF token, active directory, messages); never a password.
    pub data: String,
}

impl std::fmt::Debug for SessionRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the data: it carries the CSRF token.
        f.debug_struct("SessionRow")
            .field("identity", &self.identity)
            .field("created", &self.created)
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

impl Store {
    pub async fn insert_session(&self, s: &SessionRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, identity, created, expires, data) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&s.id_hash)
        .bind(&s.identity)
        .bind(s.created)
        .bind(s.expires)
        .bind(&s.data)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The live session with this id hash (`None` when unknown or expired at `now`).
    pub async fn session(&self, id_hash: &str, now: i64) -> StoreResult<Option<SessionRow>> {
        let row = sqlx::query(
            "SELECT id_hash, identity, created, expires, data FROM sessions WHERE id_hash = $1 AND expires > $2",
        )
        .bind(id_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(SessionRow {
                id_hash: r.try_get("id_hash")?,
                identity: r.try_get("identity")?,
                created: r.try_get("created")?,
                expires: r.try_get("expires")?,
                data: r.try_get("data")?,
            })
        })
        .transpose()
    }

    /// Replaces a session's data and expiry; false when the session is gone (signed out elsewhere).
    pub async fn update_session(
        &self,
        id_hash: &str,
        data: &str,
        expires: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE sessions SET data = $1, expires = $2 WHERE id_hash = $3")
            .bind(data)
            .bind(expires)
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Housekeeping: removes sessions that expired before `now`.
    pub async fn delete_expired_sessions(&self, now: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
