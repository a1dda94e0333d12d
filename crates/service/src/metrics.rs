//! What the service counts, through the `metrics` facade: tokens issued by grant, token refusals by
//! AADSTS code, sign-in lockouts, the latency of the write transaction and of the change-feed poll,
//! and, when scraped, the world's revision, how far this instance is behind the change feed and the
//! database pool's connections. With no recorder installed (no `--metrics-*` setting, most tests)
//! every call here is a no-op. The domain counts nothing: it is pure.

use crate::Service;
use crate::signin::SignInFailure;
use crate::signin::{Grant, TokenResponse};
use std::time::{Duration, Instant};

/// Tokens issued, by `grant`: the token endpoint's `grant_type`, or `managed_identity`.
pub const TOKENS_ISSUED: &str = "tenantry_tokens_issued_total";
/// Token requests refused, by `code` (Entra's AADSTS code, e.g. `AADSTS7000215`).
pub const TOKEN_REFUSALS: &str = "tenantry_token_refusals_total";
/// Accounts or client addresses locked after repeated failed passwords (smart lockout).
pub const SIGNIN_LOCKOUTS: &str = "tenantry_signin_lockouts_total";
/// Database time, by `query`: `write` (a command's transaction, from taking the revision row to the
/// commit) and `change_feed` (one poll of the changes other instances committed).
pub const DB_QUERY_DURATION: &str = "tenantry_db_query_duration_seconds";
/// The revision of the world this instance holds in memory.
pub const WORLD_REVISION: &str = "tenantry_world_revision";
/// How many revisions other instances committed that this one does not hold yet (-1: the database
/// did not answer).
pub const CHANGE_FEED_LAG: &str = "tenantry_change_feed_lag_revisions";
/// 1 while the database answers, 0 during an outage (writes answer 503, reads and client-credential
/// tokens go on from memory).
pub const DATABASE_AVAILABLE: &str = "tenantry_database_available";
/// The database pool's connections, by `state`: `open` and `idle`.
pub const DB_POOL_CONNECTIONS: &str = "tenantry_db_pool_connections";

/// How long a scrape waits for the database's revision before it reports the lag as unknown.
const LAG_WITHIN: Duration = Duration::from_secs(1);

/// The `# HELP` lines of the service's metrics (once the recorder is installed).
pub fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        TOKENS_ISSUED,
        "Tokens issued by the token endpoint, by grant type."
    );
    describe_counter!(TOKEN_REFUSALS, "Token requests refused, by AADSTS code.");
    describe_counter!(
        SIGNIN_LOCKOUTS,
        "Accounts or client addresses locked after repeated failed sign-ins."
    );
    describe_histogram!(
        DB_QUERY_DURATION,
        Unit::Seconds,
        "Database time of a command's write transaction (write) and of a change-feed poll (change_feed)."
    );
    describe_gauge!(WORLD_REVISION, "Revision of the world held in memory.");
    describe_gauge!(
        CHANGE_FEED_LAG,
        "Revisions committed by other instances not yet held in memory (-1: database unreachable)."
    );
    describe_gauge!(
        DATABASE_AVAILABLE,
        "1 while the database answers, 0 during an outage (writes refused with 503)."
    );
    describe_gauge!(
        DB_POOL_CONNECTIONS,
        "Database pool connections, by state (open, idle)."
    );
}

/// The `grant` label of a token request: its `grant_type`, short.
pub(crate) fn grant_label(grant: &Grant) -> &'static str {
    match grant {
        Grant::ClientCredentials => "client_credentials",
        Grant::Password { .. } => "password",
        Grant::RefreshToken { .. } => "refresh_token",
        Grant::AuthorizationCode { .. } => "authorization_code",
        Grant::DeviceCode { .. } => "device_code",
    }
}

/// Counts a token issued for `grant` (a token endpoint's grant type, or `managed_identity`).
pub(crate) fn token_issued(grant: &'static str) {
    metrics::counter!(TOKENS_ISSUED, "grant" => grant).increment(1);
}

/// Counts one answer of the token endpoint: a token issued for `grant`, or a refusal by its AADSTS
/// code (a failure underneath, not the caller's, is neither).
pub(crate) fn token_answer(grant: &'static str, answer: &Result<TokenResponse, SignInFailure>) {
    match answer {
        Ok(_) => token_issued(grant),
        Err(SignInFailure::Refused(e)) => {
            metrics::counter!(TOKEN_REFUSALS, "code" => e.code.to_string()).increment(1)
        }
        Err(SignInFailure::Internal(_)) => {}
    }
}

/// Counts an account or an address locked by smart lockout.
pub(crate) fn lockout() {
    metrics::counter!(SIGNIN_LOCKOUTS).increment(1);
}

/// Records the database time of `query` that started at `started`.
pub(crate) fn db_query(query: &'static str, started: Instant) {
    metrics::histogram!(DB_QUERY_DURATION, "query" => query).record(started.elapsed());
}

impl Service {
    /// Sets the gauges a scrape reports: the world's revision, the change feed's lag (one query of
    /// the database's revision, bounded) and the pool's connections.
    pub async fn observe_gauges(&self) {
        let held = self.revision();
        metrics::gauge!(WORLD_REVISION).set(held as f64);
        // During an outage the scrape does not wait on the database: the lag is unknown.
        let lag = if self.database_unavailable() {
            -1
        } else {
            match tokio::time::timeout(LAG_WITHIN, self.store().revision()).await {
                Ok(Ok(committed)) => (committed - self.revision()).max(0),
                _ => -1,
            }
        };
        metrics::gauge!(CHANGE_FEED_LAG).set(lag as f64);
        let available = if self.database_unavailable() {
            0.0
        } else {
            1.0
        };
        metrics::gauge!(DATABASE_AVAILABLE).set(available);
        let (open, idle) = self.store().pool_connections();
        metrics::gauge!(DB_POOL_CONNECTIONS, "state" => "open").set(f64::from(open));
        metrics::gauge!(DB_POOL_CONNECTIONS, "state" => "idle").set(idle as f64);
    }
}
