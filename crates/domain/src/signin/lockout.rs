//! Smart lockout's schedule; the counters live in the database (the service's `signin::lockout`).

/// Smart lockout: failures before an account or address is locked, the first lock, and its cap.
pub const LOCKOUT_THRESHOLD: i64 = 10;
pub const LOCKOUT_FIRST_SECONDS: i64 = 60;
pub const LOCKOUT_MAX_SECONDS: i64 = 3600;
/// A counter with no failure for this long starts again.
pub const LOCKOUT_FORGET_AFTER: i64 = 24 * 3600;

/// How long to lock after the `failures`-th failure in a row: nothing below the threshold, then 60 s,
/// doubling with each failure after a lock expired (each such failure is a new lockout), capped.
pub fn lockout_seconds(failures: i64) -> Option<i64> {
    if failures < LOCKOUT_THRESHOLD {
        return None;
    }
    let doublings = (failures - LOCKOUT_THRESHOLD).min(16) as u32;
    Some((LOCKOUT_FIRST_SECONDS << doublings).min(LOCKOUT_MAX_SECONDS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockout_doubles_and_caps() {
        assert_eq!(lockout_seconds(9), None);
        assert_eq!(lockout_seconds(10), Some(60));
        assert_eq!(lockout_seconds(11), Some(120));
        assert_eq!(lockout_seconds(12), Some(240));
        assert_eq!(lockout_seconds(100), Some(LOCKOUT_MAX_SECONDS));
    }
}
