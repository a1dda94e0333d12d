//! Cross-instance wake-ups on PostgreSQL: each write transaction notifies `tenantry_changes` (delivered
//! at commit) as it takes its revision (`changes::next_revision`); other instances wait on a listener,
//! then read the change feed.

use crate::error::StoreResult;
use sqlx::postgres::PgListener;

pub(crate) const CHANNEL: &str = "tenantry_changes";

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
