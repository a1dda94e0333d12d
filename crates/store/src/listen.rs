//! Cross-instance wake-ups on PostgreSQL: each write transaction notifies `tenantry_changes` (delivered
//! at commit); other instances wait on a listener, then read the change feed.

use crate::error::StoreResult;
use sqlx::postgres::PgListener;

pub(crate) const CHANNEL: &str = "tenantry_changes";

/// Sends the notification inside the write transaction: PostgreSQL delivers it only if, and when, the
/// transaction commits. `pg_notify` returns `void`, which the `Any` driver cannot decode, so the call
/// sits in a FROM clause and the statement returns nothing decodable.
pub(crate) const NOTIFY_SQL: &str =
    "SELECT 1 AS notified FROM pg_notify('tenantry_changes', $1) AS n";

/// Wakes when another instance (or this one) committed a write.
pub struct ChangeListener {
    inner: PgListener,
}

impl ChangeListener {
    pub(crate) async fn connect(url: &str) -> StoreResult<Self> {
        let mut inner = PgListener::connect(url).await?;
        inner.listen(CHANNEL).await?;
        Ok(Self { inner })
    }

    /// Returns when a notification arrives, or when the connection was lost and has been re-established:
    /// notifications sent meanwhile are gone, so the caller must read the change feed either way (which
    /// is what it does after a wake-up anyway).
    pub async fn recv(&mut self) -> StoreResult<()> {
        // `Some`: a notification; `None`: the connection dropped (it reconnects on the next call).
        self.inner.try_recv().await?;
        Ok(())
    }
}
