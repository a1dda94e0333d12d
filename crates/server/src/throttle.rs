//! Throttling as ARM, Graph and Entra do it: token buckets (GCRA, `governor`) per caller, so that one
//! runaway script slows itself down without slowing everyone else.
//!
//! - ARM: a bucket per principal (the token's tenant and object id) and scope (the subscription the
//!   path names, else the tenant), one for reads (GET, HEAD) and one for writes (PUT, PATCH, POST,
//!   DELETE); and a bucket per tenant for all its principals together. Every answer to a verified
//!   caller says how many requests remain (`x-ms-ratelimit-remaining-subscription-reads`,
//!   `…-tenant-writes`, …); an empty bucket is a 429 with `Retry-After`.
//! - Graph: a bucket per principal.
//! - The token endpoint: a bucket per confidential client id, and per client id and source address
//!   for the grants without a client credential (anyone can name a public client's id).
//!
//! Callers are charged after their token is verified (`auth.rs`), never by verifying it again. Keys not
//! used for a while are dropped (`spawn_housekeeping`). Instances on one PostgreSQL database tell each
//! other every second what they charged, and charge it too (`spawn_exchange`).

use crate::errors::{Throttled, ThrottledBucket};
use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;
use uuid::Uuid;

/// A bucket's size: `burst` requests at once, refilled at `per_second` (written `250/25`; `3/0.5` is a
/// request every two seconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    pub burst: u32,
    pub per_second: f64,
}

impl Limit {
    pub const fn new(burst: u32, per_second: f64) -> Self {
        Self { burst, per_second }
    }

    fn quota(self) -> Quota {
        // `FromStr` and the defaults refuse zero and non-finite rates; these fallbacks only keep the
        // arithmetic total.
        let burst = NonZeroU32::new(self.burst).unwrap_or(NonZeroU32::MIN);
        let period = Duration::try_from_secs_f64(1.0 / self.per_second)
            .ok()
            .filter(|p| !p.is_zero())
            .unwrap_or(Duration::from_nanos(1));
        Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(burst))
            .allow_burst(burst)
    }
}

impl FromStr for Limit {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("'{s}' is not BURST/PER_SECOND (e.g. 250/25, or 3/0.5)");
        let (burst, rate) = s.split_once('/').ok_or_else(bad)?;
        let burst: u32 = burst.trim().parse().map_err(|_| bad())?;
        let per_second: f64 = rate.trim().parse().map_err(|_| bad())?;
        if burst == 0 || !per_second.is_finite() || per_second <= 0.0 {
            return Err(format!("'{s}': the burst and the rate must be above zero"));
        }
        Ok(Self { burst, per_second })
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.burst, self.per_second)
    }
}

/// What an operator sets (`--throttle-*`). The defaults are Azure's current token buckets for ARM
/// (reads: 250 at once, 25 a second; writes: 200 at once, 10 a second, per principal and scope; 15
/// times that for a whole tenant): generous enough that no interactive use or SDK meets them.
#[derive(Debug, Clone, PartialEq)]
pub struct ThrottleSettings {
    /// `--throttle off`: no buckets and no `x-ms-ratelimit-*` headers.
    pub enabled: bool,
    pub arm_reads: Limit,
    pub arm_writes: Limit,
    pub arm_tenant_reads: Limit,
    pub arm_tenant_writes: Limit,
    pub graph: Limit,
    pub token: Limit,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            arm_reads: Limit::new(250, 25.0),
            arm_writes: Limit::new(200, 10.0),
            arm_tenant_reads: Limit::new(3750, 375.0),
            arm_tenant_writes: Limit::new(3000, 150.0),
            // Graph's identity limits are per app and tenant in the thousands per 10 s.
            graph: Limit::new(500, 50.0),
            // A client that asks for a token 20 times a second does not cache them.
            token: Limit::new(200, 20.0),
        }
    }
}

/// Reads or writes, which ARM counts apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    Read,
    Write,
}

impl Operation {
    pub fn of(method: &Method) -> Self {
        if method == Method::GET || method == Method::HEAD {
            Operation::Read
        } else {
            Operation::Write
        }
    }

    /// As ARM's messages say it.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Read => "read",
            Operation::Write => "write",
        }
    }
}

/// What an ARM request's limit is scoped to: the subscription its path names, else the tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArmScope {
    Subscription(Uuid),
    Tenant,
}

impl ArmScope {
    /// `/subscriptions/{id}…` is subscription-scoped (the list `/subscriptions` is not). An id that
    /// is not a GUID names no subscription; its requests share the nil id's bucket.
    pub fn of(path: &str) -> Self {
        let mut segments = path.trim_start_matches('/').split('/');
        match (segments.next(), segments.next()) {
            (Some(first), Some(id))
                if first.eq_ignore_ascii_case("subscriptions") && !id.is_empty() =>
            {
                ArmScope::Subscription(id.parse().unwrap_or_default())
            }
            _ => ArmScope::Tenant,
        }
    }

    /// The header that says how many requests of `op` remain in this scope.
    fn remaining_header(self, op: Operation) -> HeaderName {
        HeaderName::from_static(match (self, op) {
            (ArmScope::Subscription(_), Operation::Read) => {
                "x-ms-ratelimit-remaining-subscription-reads"
            }
            (ArmScope::Subscription(_), Operation::Write) => {
                "x-ms-ratelimit-remaining-subscription-writes"
            }
            (ArmScope::Tenant, Operation::Read) => "x-ms-ratelimit-remaining-tenant-reads",
            (ArmScope::Tenant, Operation::Write) => "x-ms-ratelimit-remaining-tenant-writes",
        })
    }
}

/// A verified caller: its token's tenant (`tid`) and object id (`oid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Principal {
    pub tenant: Uuid,
    pub object: Uuid,
}

/// Whom the token endpoint charges.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TokenCaller {
    /// A client that sent a secret or an assertion.
    Confidential(String),
    /// A grant without a client credential, from this address (when known).
    Public(String, Option<IpAddr>),
}

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock, StateInformationMiddleware>;

fn keyed<K: Hash + Eq + Clone>(limit: Limit) -> Keyed<K> {
    RateLimiter::dashmap(limit.quota()).with_middleware::<StateInformationMiddleware>()
}

/// This instance's buckets.
pub struct Throttle {
    settings: ThrottleSettings,
    arm_reads: Keyed<(Principal, ArmScope)>,
    arm_writes: Keyed<(Principal, ArmScope)>,
    arm_tenant_reads: Keyed<Uuid>,
    arm_tenant_writes: Keyed<Uuid>,
    graph: Keyed<Principal>,
    token: Keyed<TokenCaller>,
    /// Set once usage is exchanged with other instances (`spawn_exchange`): then what this instance charges
    /// is counted in `used` until the next interval publishes it.
    sharing: AtomicBool,
    used: Mutex<HashMap<Bucket, u32>>,
}

/// One caller's bucket, by limiter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Bucket {
    ArmReads(Principal, ArmScope),
    ArmWrites(Principal, ArmScope),
    ArmTenantReads(Uuid),
    ArmTenantWrites(Uuid),
    Graph(Principal),
    Token(TokenCaller),
}

impl Bucket {
    /// As instances write it to each other: `kind|fields…`, the free text (a client id) last.
    pub(crate) fn name(&self) -> String {
        let scope = |s: &ArmScope| match s {
            ArmScope::Subscription(id) => id.to_string(),
            ArmScope::Tenant => "-".into(),
        };
        match self {
            Bucket::ArmReads(p, s) => format!("ar|{}|{}|{}", p.tenant, p.object, scope(s)),
            Bucket::ArmWrites(p, s) => format!("aw|{}|{}|{}", p.tenant, p.object, scope(s)),
            Bucket::ArmTenantReads(t) => format!("tr|{t}"),
            Bucket::ArmTenantWrites(t) => format!("tw|{t}"),
            Bucket::Graph(p) => format!("g|{}|{}", p.tenant, p.object),
            Bucket::Token(TokenCaller::Confidential(c)) => format!("tc|{c}"),
            Bucket::Token(TokenCaller::Public(c, ip)) => match ip {
                Some(ip) => format!("tp|{ip}|{c}"),
                None => format!("tp|-|{c}"),
            },
        }
    }

    /// [`Bucket::name`] read back; `None` for a name this version does not know.
    pub(crate) fn parse(name: &str) -> Option<Bucket> {
        let (kind, rest) = name.split_once('|')?;
        let principal = |t: &str, o: &str| -> Option<Principal> {
            Some(Principal {
                tenant: t.parse().ok()?,
                object: o.parse().ok()?,
            })
        };
        let scope = |s: &str| -> Option<ArmScope> {
            if s == "-" {
                Some(ArmScope::Tenant)
            } else {
                s.parse().ok().map(ArmScope::Subscription)
            }
        };
        let three = || -> Option<(Principal, ArmScope)> {
            let mut f = rest.splitn(3, '|');
            let (t, o, s) = (f.next()?, f.next()?, f.next()?);
            Some((principal(t, o)?, scope(s)?))
        };
        Some(match kind {
            "ar" => three().map(|(p, s)| Bucket::ArmReads(p, s))?,
            "aw" => three().map(|(p, s)| Bucket::ArmWrites(p, s))?,
            "tr" => Bucket::ArmTenantReads(rest.parse().ok()?),
            "tw" => Bucket::ArmTenantWrites(rest.parse().ok()?),
            "g" => {
                let (t, o) = rest.split_once('|')?;
                Bucket::Graph(principal(t, o)?)
            }
            "tc" => Bucket::Token(TokenCaller::Confidential(rest.to_string())),
            "tp" => {
                let (ip, client) = rest.split_once('|')?;
                let ip = if ip == "-" {
                    None
                } else {
                    Some(ip.parse().ok()?)
                };
                Bucket::Token(TokenCaller::Public(client.to_string(), ip))
            }
            _ => return None,
        })
    }
}

impl Default for Throttle {
    fn default() -> Self {
        Self::new(ThrottleSettings::default())
    }
}

impl fmt::Debug for Throttle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Throttle")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// The map behind `m`, even if a thread panicked holding it (counts are never left half-written).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Whole seconds to wait, at least one: the Azure SDKs read `Retry-After: 0` as "no advice".
fn whole_seconds(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

impl Throttle {
    pub fn new(settings: ThrottleSettings) -> Self {
        Self {
            arm_reads: keyed(settings.arm_reads),
            arm_writes: keyed(settings.arm_writes),
            arm_tenant_reads: keyed(settings.arm_tenant_reads),
            arm_tenant_writes: keyed(settings.arm_tenant_writes),
            graph: keyed(settings.graph),
            token: keyed(settings.token),
            settings,
            sharing: AtomicBool::new(false),
            used: Mutex::new(HashMap::new()),
        }
    }

    pub fn settings(&self) -> &ThrottleSettings {
        &self.settings
    }

    /// Takes `n` requests from `key`'s bucket: what remains, or how long until they are there (or
    /// `None` when `n` is more than the bucket holds).
    fn take_n<K: Hash + Eq + Clone>(
        limiter: &Keyed<K>,
        key: &K,
        n: NonZeroU32,
    ) -> Result<u32, Option<u64>> {
        match limiter.check_key_n(key, n) {
            Ok(Ok(snapshot)) => Ok(snapshot.remaining_burst_capacity()),
            Ok(Err(not_until)) => Err(Some(whole_seconds(
                not_until.wait_time_from(DefaultClock::default().now()),
            ))),
            Err(_) => Err(None),
        }
    }

    /// Takes `n` requests from `bucket`.
    fn take_from(&self, bucket: &Bucket, n: NonZeroU32) -> Result<u32, Option<u64>> {
        match bucket {
            Bucket::ArmReads(p, s) => Self::take_n(&self.arm_reads, &(*p, *s), n),
            Bucket::ArmWrites(p, s) => Self::take_n(&self.arm_writes, &(*p, *s), n),
            Bucket::ArmTenantReads(t) => Self::take_n(&self.arm_tenant_reads, t, n),
            Bucket::ArmTenantWrites(t) => Self::take_n(&self.arm_tenant_writes, t, n),
            Bucket::Graph(p) => Self::take_n(&self.graph, p, n),
            Bucket::Token(c) => Self::take_n(&self.token, c, n),
        }
    }

    /// Takes one request from `bucket` for a caller of this instance: what remains, or how long until
    /// one is there. Counted for the other instances when usage is exchanged.
    fn take(&self, bucket: Bucket) -> Result<u32, u64> {
        let left = self
            .take_from(&bucket, NonZeroU32::MIN)
            .map_err(|wait| wait.unwrap_or(1))?;
        if self.sharing.load(Ordering::Relaxed) {
            *lock(&self.used).entry(bucket).or_default() += 1;
        }
        Ok(left)
    }

    /// Charges what another instance let through to `bucket` here too, as far as the bucket holds
    /// (what is beyond it is spent anyway).
    pub(crate) fn charge_elsewhere(&self, bucket: &Bucket, used: u32) {
        let (mut left, mut step) = (used, used);
        while let Some(k) = NonZeroU32::new(step.min(left)) {
            match self.take_from(bucket, k) {
                Ok(_) => left -= k.get(),
                Err(_) => step /= 2,
            }
        }
    }

    /// What this instance charged since the last call, and counting it from now on.
    pub(crate) fn take_used(&self) -> HashMap<Bucket, u32> {
        self.sharing.store(true, Ordering::Relaxed);
        std::mem::take(&mut *lock(&self.used))
    }

    /// Charges an ARM request of `principal` to `path` with `method`: the header that says what
    /// remains, or the refusal.
    pub fn charge_arm(
        &self,
        principal: Principal,
        method: &Method,
        path: &str,
    ) -> Result<Remaining, Throttled> {
        let op = Operation::of(method);
        let scope = ArmScope::of(path);
        let header = scope.remaining_header(op);
        let (own, tenant) = match op {
            Operation::Read => (
                Bucket::ArmReads(principal, scope),
                Bucket::ArmTenantReads(principal.tenant),
            ),
            Operation::Write => (
                Bucket::ArmWrites(principal, scope),
                Bucket::ArmTenantWrites(principal.tenant),
            ),
        };
        let refused = |bucket, retry_after| Throttled {
            bucket,
            operation: op,
            retry_after,
            remaining: Some(Remaining {
                header: header.clone(),
                count: 0,
            }),
        };
        let mine = self.take(own).map_err(|retry_after| {
            let bucket = match scope {
                ArmScope::Subscription(subscription) => ThrottledBucket::Subscription {
                    subscription,
                    actor: principal.object,
                },
                ArmScope::Tenant => ThrottledBucket::Tenant {
                    tenant: principal.tenant,
                    actor: principal.object,
                },
            };
            refused(bucket, retry_after)
        })?;
        let all = self.take(tenant).map_err(|retry_after| {
            refused(
                ThrottledBucket::Directory {
                    tenant: principal.tenant,
                },
                retry_after,
            )
        })?;
        Ok(Remaining {
            header,
            count: mine.min(all),
        })
    }

    /// Charges a Graph request of `principal`.
    pub fn charge_graph(&self, principal: Principal, method: &Method) -> Result<(), Throttled> {
        self.take(Bucket::Graph(principal))
            .map(|_| ())
            .map_err(|retry_after| Throttled {
                bucket: ThrottledBucket::Graph,
                operation: Operation::of(method),
                retry_after,
                remaining: None,
            })
    }

    /// Charges a token request.
    pub fn charge_token(&self, caller: &TokenCaller) -> Result<(), Throttled> {
        self.take(Bucket::Token(caller.clone()))
            .map(|_| ())
            .map_err(|retry_after| Throttled {
                bucket: ThrottledBucket::Token,
                operation: Operation::Write,
                retry_after,
                remaining: None,
            })
    }

    /// Forgets the buckets that are full again (a caller not seen for a while): memory stays in
    /// proportion to the callers of the last minutes, not of the process's life.
    pub fn forget_idle(&self) {
        macro_rules! forget {
            ($($limiter:ident),*) => {$(
                self.$limiter.retain_recent();
                self.$limiter.shrink_to_fit();
            )*};
        }
        forget!(
            arm_reads,
            arm_writes,
            arm_tenant_reads,
            arm_tenant_writes,
            graph,
            token
        );
    }

    /// [`Throttle::forget_idle`] every minute.
    pub fn spawn_housekeeping(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let throttle = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(60)).await;
                throttle.forget_idle();
            }
        })
    }
}

/// How often instances exchange what they charged: a caller's limit holds across instances within
/// what it could send in one interval.
pub const EXCHANGE_EVERY: Duration = Duration::from_secs(1);

/// How long what an instance wrote stays for the others to read.
const USAGE_KEPT_MS: i64 = 10_000;

impl Throttle {
    /// Every [`EXCHANGE_EVERY`], writes what this instance charged to `store` (one statement) and
    /// charges here what the other instances wrote: the buckets of several instances on one database
    /// drain together.
    pub fn spawn_exchange(
        self: &Arc<Self>,
        store: tenantry_service::store::Store,
    ) -> tokio::task::JoinHandle<()> {
        let throttle = self.clone();
        let instance = Uuid::new_v4().to_string();
        throttle.take_used();
        tokio::spawn(async move {
            // The latest interval read from each other instance (its own clock).
            let mut seen: HashMap<String, i64> = HashMap::new();
            loop {
                tokio::time::sleep(EXCHANGE_EVERY).await;
                let now = unix_ms();
                let used: Vec<(String, i64)> = throttle
                    .take_used()
                    .into_iter()
                    .map(|(bucket, n)| (bucket.name(), i64::from(n)))
                    .collect();
                if let Err(e) = store
                    .publish_throttle_usage(&instance, now, &used, now - USAGE_KEPT_MS)
                    .await
                {
                    tracing::warn!(error = %e, "could not publish request usage to other instances");
                }
                match store
                    .throttle_usage_since(&instance, now - USAGE_KEPT_MS)
                    .await
                {
                    Ok(rows) => {
                        let mut latest = seen.clone();
                        for row in rows {
                            if row.at <= seen.get(&row.instance).copied().unwrap_or(i64::MIN) {
                                continue;
                            }
                            if let Some(bucket) = Bucket::parse(&row.bucket) {
                                throttle.charge_elsewhere(
                                    &bucket,
                                    u32::try_from(row.used).unwrap_or(u32::MAX),
                                );
                            }
                            let l = latest.entry(row.instance).or_insert(i64::MIN);
                            *l = (*l).max(row.at);
                        }
                        seen = latest;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "could not read other instances' request usage")
                    }
                }
            }
        })
    }
}

fn unix_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// How many requests remain, and the header that says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remaining {
    pub header: HeaderName,
    pub count: u32,
}

/// Where the ARM caller's extractor leaves what remains, for [`remaining_headers`] to put on the answer
/// (a handler's answer, or a refusal, carries it alike).
#[derive(Clone, Default)]
struct Slot(Arc<OnceLock<Remaining>>);

/// Leaves `remaining` for the answer to this request.
pub fn record(parts: &Parts, remaining: Remaining) {
    if let Some(slot) = parts.extensions.get::<Slot>() {
        let _ = slot.0.set(remaining);
    }
}

/// The layer that gives every answer to a charged request its `x-ms-ratelimit-remaining-*` header.
pub async fn remaining_headers(mut req: Request, next: Next) -> Response {
    let slot = Slot::default();
    req.extensions_mut().insert(slot.clone());
    let mut response = next.run(req).await;
    if let Some(r) = slot.0.get() {
        response
            .headers_mut()
            .insert(r.header.clone(), HeaderValue::from(r.count));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_as_burst_over_rate() {
        assert_eq!("250/25".parse(), Ok(Limit::new(250, 25.0)));
        assert_eq!("3/0.5".parse(), Ok(Limit::new(3, 0.5)));
        assert!("0/1".parse::<Limit>().is_err());
        assert!("3/0".parse::<Limit>().is_err());
        assert!("3".parse::<Limit>().is_err());
    }

    #[test]
    fn the_scope_is_the_subscription_the_path_names() {
        let sub: Uuid = "6e3c4a41-2bd3-4a52-9a3d-7f1f7c0d1c11".parse().unwrap();
        assert_eq!(
            ArmScope::of(&format!("/subscriptions/{sub}/resourcegroups")),
            ArmScope::Subscription(sub)
        );
        assert_eq!(
            ArmScope::of(&format!("/SUBSCRIPTIONS/{sub}")),
            ArmScope::Subscription(sub)
        );
        assert_eq!(ArmScope::of("/subscriptions"), ArmScope::Tenant);
        assert_eq!(ArmScope::of("/tenants"), ArmScope::Tenant);
    }

    #[test]
    fn an_empty_bucket_refuses_until_it_refills() {
        let throttle = Throttle::new(ThrottleSettings {
            arm_reads: Limit::new(2, 0.5),
            ..Default::default()
        });
        let who = Principal {
            tenant: Uuid::new_v4(),
            object: Uuid::new_v4(),
        };
        let get = |path: &str| throttle.charge_arm(who, &Method::GET, path);
        assert_eq!(get("/subscriptions").map(|r| r.count), Ok(1));
        assert_eq!(get("/subscriptions").map(|r| r.count), Ok(0));
        let refused = get("/subscriptions").unwrap_err();
        assert_eq!(refused.retry_after, 2);
        // Another scope, another bucket; writes are counted apart.
        assert!(get("/subscriptions/6e3c4a41-2bd3-4a52-9a3d-7f1f7c0d1c11").is_ok());
        assert!(
            throttle
                .charge_arm(who, &Method::PUT, "/subscriptions")
                .is_ok()
        );
    }

    #[test]
    fn bucket_names_read_back() {
        let p = Principal {
            tenant: Uuid::new_v4(),
            object: Uuid::new_v4(),
        };
        for b in [
            Bucket::ArmReads(p, ArmScope::Subscription(Uuid::new_v4())),
            Bucket::ArmWrites(p, ArmScope::Tenant),
            Bucket::ArmTenantReads(p.tenant),
            Bucket::ArmTenantWrites(p.tenant),
            Bucket::Graph(p),
            Bucket::Token(TokenCaller::Confidential("a|b".into())),
            Bucket::Token(TokenCaller::Public(
                "c|d".into(),
                Some("::1".parse().unwrap()),
            )),
            Bucket::Token(TokenCaller::Public("e".into(), None)),
        ] {
            assert_eq!(Bucket::parse(&b.name()), Some(b));
        }
        assert_eq!(Bucket::parse("zz|1"), None);
    }

    #[test]
    fn use_elsewhere_drains_the_bucket_as_far_as_it_holds() {
        let throttle = Throttle::new(ThrottleSettings {
            graph: Limit::new(5, SLOW_FOR_TESTS),
            ..Default::default()
        });
        let p = Principal {
            tenant: Uuid::new_v4(),
            object: Uuid::new_v4(),
        };
        throttle.charge_elsewhere(&Bucket::Graph(p), 3);
        assert!(throttle.charge_graph(p, &Method::GET).is_ok());
        assert!(throttle.charge_graph(p, &Method::GET).is_ok());
        assert!(throttle.charge_graph(p, &Method::GET).is_err());
        // More than it holds: it is simply empty.
        let q = Principal {
            object: Uuid::new_v4(),
            ..p
        };
        throttle.charge_elsewhere(&Bucket::Graph(q), 7);
        assert!(throttle.charge_graph(q, &Method::GET).is_err());
    }

    const SLOW_FOR_TESTS: f64 = 0.1;

    #[test]
    fn waits_are_whole_seconds_of_at_least_one() {
        assert_eq!(whole_seconds(Duration::ZERO), 1);
        assert_eq!(whole_seconds(Duration::from_millis(200)), 1);
        assert_eq!(whole_seconds(Duration::from_secs(2)), 2);
        assert_eq!(whole_seconds(Duration::from_millis(2100)), 3);
    }
}
