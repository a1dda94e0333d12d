//! Whether the database is out of reach, as this instance last saw it. While it is, writes are answered
//! "unavailable" at once instead of each waiting out the connection timeout, and the follower probes
//! the database until it answers again; reads keep coming from the world in memory.

use parking_lot::Mutex;
use std::time::{Duration, Instant};

/// A write tries the database itself (rather than failing fast) when the last failure is older than
/// this: the follower, which probes more often than that during an outage, keeps it fresh, so a stale
/// mark (no follower running) never stops writes for good.
const TRUST_FAILURE_FOR: Duration = Duration::from_secs(2);

#[derive(Default)]
pub(crate) struct Outage {
    state: Mutex<Option<Down>>,
}

#[derive(Clone, Copy)]
struct Down {
    since: Instant,
    last_failure: Instant,
}

impl Outage {
    /// The database could not be reached (logged once per outage, when it starts).
    pub(crate) fn failed(&self, error: &dyn std::fmt::Display) {
        let now = Instant::now();
        let mut state = self.state.lock();
        match state.as_mut() {
            Some(down) => down.last_failure = now,
            None => {
                tracing::warn!(%error, "database unavailable: writes are refused until it answers again");
                *state = Some(Down {
                    since: now,
                    last_failure: now,
                });
            }
        }
    }

    /// The database answered (logged when that ends an outage).
    pub(crate) fn answered(&self) {
        if let Some(down) = self.state.lock().take() {
            tracing::info!(
                seconds = down.since.elapsed().as_secs_f64(),
                "database available again"
            );
        }
    }

    pub(crate) fn is_down(&self) -> bool {
        self.state.lock().is_some()
    }

    /// Why a write is refused without trying, when the database failed moments ago.
    pub(crate) fn refusal(&self) -> Option<String> {
        let down = (*self.state.lock())?;
        (down.last_failure.elapsed() < TRUST_FAILURE_FOR).then(|| {
            format!(
                "the database has been out of reach for {:.1} s",
                down.since.elapsed().as_secs_f64()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_refuses_writes_until_the_database_answers() {
        let outage = Outage::default();
        assert!(!outage.is_down());
        assert_eq!(outage.refusal(), None);
        outage.failed(&"connection refused");
        assert!(outage.is_down());
        assert!(outage.refusal().is_some());
        outage.answered();
        assert!(!outage.is_down());
        assert_eq!(outage.refusal(), None);
    }
}
