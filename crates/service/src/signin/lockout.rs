//! Smart lockout, shared by every instance through the `sign_in_failures` table: failed password
//! sign-ins are counted per account (its sign-in name) and per client address; at the domain's threshold
//! the key is locked, and each failure after a lock expired locks it again for twice as long. A success
//! forgets the account's failures, never the address's (one good account must not launder a spray).

use super::SignIn;
use crate::ServiceError;
use std::net::IpAddr;
use tenantry_domain::signin::{LOCKOUT_FORGET_AFTER, lockout_seconds};

/// The counter key of an account: its sign-in name, lowercased (both identities of a dual email share
/// it: the attacker guesses one name).
pub(crate) fn account_key(username: &str) -> String {
    format!("user:{}", username.trim().to_lowercase())
}

/// The counter key of a client address. IPv6 clients are counted per /64, what one host usually holds.
pub fn client_key(addr: IpAddr) -> String {
    match addr {
        IpAddr::V4(v4) => format!("addr:{v4}"),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("addr:{v4}"),
            None => {
                let s = v6.segments();
                format!("addr:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The counters one password attempt touches.
pub(crate) struct Attempt {
    account: String,
    address: Option<String>,
}

impl Attempt {
    pub(crate) fn new(username: &str, addr: Option<IpAddr>) -> Self {
        Self {
            account: account_key(username),
            address: addr.map(client_key),
        }
    }

    fn keys(&self) -> Vec<&str> {
        std::iter::once(self.account.as_str())
            .chain(self.address.as_deref())
            .collect()
    }
}

/// What the counters said before the password was checked.
pub(crate) struct LockState {
    pub(crate) locked: bool,
    /// The account has failures to forget after a success (most sign-ins have none: no write then).
    account_failed_before: bool,
}

impl SignIn {
    /// Whether the account or the address is locked now.
    pub(crate) async fn lock_state(&self, attempt: &Attempt) -> Result<LockState, ServiceError> {
        let counters = self
            .service()
            .store()
            .sign_in_counters(&attempt.keys())
            .await?;
        let now = self.service().now();
        Ok(LockState {
            locked: counters.iter().any(|(_, c)| c.locked_until > now),
            account_failed_before: counters.iter().any(|(k, _)| *k == attempt.account),
        })
    }

    /// Counts a failure on every key of the attempt, locking those that reached the threshold.
    pub(crate) async fn record_failure(&self, attempt: &Attempt) -> Result<(), ServiceError> {
        let now = self.service().now();
        let store = self.service().store();
        for key in attempt.keys() {
            let count = store
                .record_sign_in_failure(key, now, now - LOCKOUT_FORGET_AFTER)
                .await?;
            if let Some(seconds) = lockout_seconds(count.failures) {
                store.lock_sign_in(key, now + seconds).await?;
                crate::metrics::lockout();
                tracing::warn!(
                    failures = count.failures,
                    seconds,
                    kind = key.split(':').next().unwrap_or_default(),
                    "sign-in locked after repeated failures"
                );
            }
        }
        Ok(())
    }

    /// A success forgets the account's failures.
    pub(crate) async fn record_success(
        &self,
        attempt: &Attempt,
        before: &LockState,
    ) -> Result<(), ServiceError> {
        if !before.account_failed_before {
            return Ok(());
        }
        Ok(self
            .service()
            .store()
            .clear_sign_in_failures(&attempt.account)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(account_key(" Alice@Outlook.com "), "user:alice@outlook.com");
        assert_eq!(client_key("10.1.2.3".parse().unwrap()), "addr:10.1.2.3");
        assert_eq!(
            client_key("::ffff:10.1.2.3".parse().unwrap()),
            "addr:10.1.2.3"
        );
        assert_eq!(
            client_key("2001:db8:1:2:3:4:5:6".parse().unwrap()),
            "addr:2001:db8:1:2::/64"
        );
    }
}
