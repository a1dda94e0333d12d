//! The HTTPS origin: one router serves the Entra-compatible sign-in, ARM, Graph and the portal (their
//! paths do not overlap), over TLS with a local CA generated on first start.

use crate::client_addr::TrustedProxies;
use crate::tls;
use axum::Router;
use axum::routing::get;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tenantry_service::Service;
use tenantry_service::crypto::KeyEncryptionKey;
use tenantry_service::signin::SignIn;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub svc: Service,
    /// The public base URL (`https://127.0.0.1:8443`): absolute URLs we return use it.
    pub base_url: String,
    /// The sign-in service: tokens, signing keys, verification of bearer tokens.
    pub signin: SignIn,
    /// What the ARM face renders once per revision of the world (big lists).
    pub arm: crate::arm::cache::ArmCache,
    /// Reverse proxies whose `X-Forwarded-For` names the client (per-address lockout).
    pub trusted_proxies: Arc<TrustedProxies>,
    /// Set once the process is asked to stop: `/readyz` says so while requests in flight finish.
    pub draining: Arc<AtomicBool>,
    /// What `/metrics` renders, when the operator asked for metrics.
    pub metrics: Option<crate::metrics::Exporter>,
    /// The callers' request buckets (`throttle`); `None` with `--throttle off`, and in a state made
    /// by [`AppState::new`] until [`AppState::with_throttle`].
    pub throttle: Option<Arc<crate::throttle::Throttle>>,
}

impl AppState {
    /// State for `svc` at `base_url`, with signing keys sealed by the process's key-encryption key
    /// (`TENANTRY_KEY_ENCRYPTION_KEY`, else one random key per process): what tests and benchmarks use.
    pub fn new(svc: Service, base_url: impl Into<String>) -> Self {
        Self::with_kek(
            svc,
            base_url,
            tenantry_service::signin::process_key_encryption_key(),
        )
    }

    /// State whose signing keys are sealed with `kek`.
    pub fn with_kek(svc: Service, base_url: impl Into<String>, kek: KeyEncryptionKey) -> Self {
        let base_url = base_url.into();
        let signin = SignIn::new(svc.clone(), &base_url, kek);
        Self {
            svc,
            base_url,
            signin,
            arm: Default::default(),
            trusted_proxies: Default::default(),
            draining: Default::default(),
            metrics: None,
            // Limits are an operator's setting: `serve` applies them (`with_throttle`).
            throttle: None,
        }
    }

    /// The same state, believing `X-Forwarded-For` from these proxies.
    pub fn with_trusted_proxies(mut self, trusted: TrustedProxies) -> Self {
        self.trusted_proxies = Arc::new(trusted);
        self
    }

    /// The same state, throttling callers as `settings` say (not at all when they are disabled).
    pub fn with_throttle(mut self, settings: crate::throttle::ThrottleSettings) -> Self {
        self.throttle = settings
            .enabled
            .then(|| Arc::new(crate::throttle::Throttle::new(settings)));
        self
    }
}

pub struct ServeConfig {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// Extra DNS names or addresses for the server certificate.
    pub extra_names: Vec<String>,
    /// Overrides the base URL derived from `listen`.
    pub public_url: Option<String>,
    /// Reverse proxies (addresses or networks) whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<String>,
    /// How long requests in flight may take to finish once the process is asked to stop.
    pub drain_timeout: Duration,
    /// How long, once asked to stop, the server goes on taking new requests while `/readyz` says it
    /// is stopping, so that a load balancer polling it stops sending traffic first (0: stop at once).
    pub shutdown_delay: Duration,
    /// Where `/metrics` is served, if anywhere.
    pub metrics: crate::metrics::MetricsConfig,
    /// Request limits per caller (`--throttle-*`).
    pub throttle: crate::throttle::ThrottleSettings,
}

pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(crate::metrics::scrape))
        .merge(crate::oauth::routes())
        .merge(crate::arm::routes())
        .merge(crate::graph::routes())
        .merge(crate::portal::routes())
        .merge(
            crate::extensions::routes()
                .route_layer(axum::middleware::from_fn(crate::metrics::note_extension)),
        )
        // Each request's route template, for its metrics (here, after routing, it is known).
        .layer(axum::middleware::from_fn(crate::metrics::note_route))
        // The portal's session is saved after whichever handler used it (portal pages, `/authorize`,
        // the invitation pages), so that none can forget to.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::portal::session::save_sessions,
        ))
        // What remains of the caller's bucket, on the answers to the requests it was charged for.
        .layer(axum::middleware::from_fn(
            crate::throttle::remaining_headers,
        ))
        .with_state(state);
    // Paths are put in the routes' case before routing (ARM ignores the case of provider paths); a
    // layer on the routes themselves would run after routing, so the routes sit behind this one.
    let canonical = tower::ServiceBuilder::new()
        .map_request(canonical_request::<axum::body::Body>)
        .service(routes);
    Router::new()
        .fallback_service(canonical)
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::edge::BODY_LIMIT,
        ))
        .layer(axum::middleware::from_fn(crate::edge::answer))
        // The request's language for every page answering it, the edge's refusal pages included.
        .layer(axum::middleware::from_fn(
            crate::portal::i18n::in_request_language,
        ))
        // Outside the edge, so that every answer, the edge's refusals too, is logged with its final
        // status, and carries the request's ids.
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(crate::request_id::span)
                .on_response(crate::request_id::log_answer)
                .on_failure(log_failure),
        )
        .layer(axum::middleware::from_fn(crate::request_id::middleware))
}

/// tower-http's failure line (an error) for a 5xx answer, but not for 503: a database out of reach or an
/// instance stopping is no defect, the service logs it once, and a line per refused request would flood
/// the log during an outage (each request still has its `tenantry::request` line).
fn log_failure(
    class: tower_http::classify::ServerErrorsFailureClass,
    latency: Duration,
    _span: &tracing::Span,
) {
    use tower_http::classify::ServerErrorsFailureClass as Class;
    if matches!(class, Class::StatusCode(s) if s == axum::http::StatusCode::SERVICE_UNAVAILABLE) {
        return;
    }
    tracing::error!(
        classification = %class,
        latency = %format_args!("{} ms", latency.as_millis()),
        "response failed"
    );
}

/// The path as the routes are written: repeated slashes as one (clients join a base URL that ends in
/// `/` with a path that starts with one: the Azure CLI asks for `//{tenant}/v2.0/.well-known/…` and
/// `//metadata/endpoints`, which Entra and ARM answer), and the extensions' provider paths in their
/// case (`extensions::canonical_path`). `None` when it is already so.
pub fn canonical_path(path: &str) -> Option<String> {
    let collapsed = path.contains("//").then(|| {
        let mut out = String::with_capacity(path.len());
        for c in path.chars() {
            if !(c == '/' && out.ends_with('/')) {
                out.push(c);
            }
        }
        out
    });
    let single = collapsed.as_deref().unwrap_or(path);
    crate::extensions::canonical_path(single).or(collapsed)
}

/// [`canonical_path`] applied to a request (its query kept).
fn canonical_request<B>(mut req: axum::http::Request<B>) -> axum::http::Request<B> {
    let Some(path) = canonical_path(req.uri().path()) else {
        return req;
    };
    let path_and_query = match req.uri().query() {
        Some(q) => format!("{path}?{q}"),
        None => path,
    };
    let mut parts = req.uri().clone().into_parts();
    if let Ok(pq) = path_and_query.parse() {
        parts.path_and_query = Some(pq);
        if let Ok(uri) = axum::http::Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
    }
    req
}

/// How long `/readyz` waits for the database before it says it is not ready (or the database timeout,
/// `--db-timeout`, when that is shorter).
const READY_WITHIN: Duration = Duration::from_secs(2);

/// `/readyz`: 200 when this instance can serve (the database answers, the world in memory holds every
/// committed write, not stopping), else 503 with what is wrong; a load balancer sends traffic only to
/// ready instances. `/healthz` only says the process is alive.
async fn readyz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (axum::http::StatusCode, axum::Json<serde_json::Value>) {
    let r = state.svc.readiness(READY_WITHIN).await;
    let draining = state.draining.load(Ordering::Acquire);
    let ready = r.is_ready() && !draining;
    let status = if ready {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::SERVICE_UNAVAILABLE
    };
    let body = serde_json::json!({
        "status": if ready { "ready" } else { "not ready" },
        "database": if r.database { "reachable" } else { "unavailable" },
        "revision": r.revision,
        "behind": r.behind,
        "stopping": draining,
    });
    (status, axum::Json(body))
}

/// Resolves when the process is asked to stop: SIGTERM (service managers, container runtimes) or
/// Ctrl-C.
async fn stop_requested() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// The base URL clients should use for `listen`.
pub fn base_url_for(listen: SocketAddr) -> String {
    let host = if listen.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else if listen.is_ipv6() {
        format!("[{}]", listen.ip())
    } else {
        listen.ip().to_string()
    };
    if listen.port() == 443 {
        format!("https://{host}")
    } else {
        format!("https://{host}:{}", listen.port())
    }
}

/// Serves until the process is stopped.
pub async fn serve(svc: Service, cfg: ServeConfig) -> anyhow::Result<()> {
    let material = tls::ensure_local_ca(&cfg.data_dir, &cfg.extra_names)?;
    let rustls = tls::rustls_config(&material).await?;
    let base_url = cfg
        .public_url
        .clone()
        .unwrap_or_else(|| base_url_for(cfg.listen));
    let kek = tenantry_service::signin::key_encryption_key(&cfg.data_dir)?;
    let _follower = svc.spawn_follower();
    let trusted = TrustedProxies::parse(&cfg.trusted_proxies)
        .map_err(|e| anyhow::anyhow!("--trusted-proxy: {e}"))?;
    let mut state = AppState::with_kek(svc, base_url.clone(), kek)
        .with_trusted_proxies(trusted)
        .with_throttle(cfg.throttle.clone());
    state.metrics = crate::metrics::start(&cfg.metrics, &state.svc).await?;
    let _forget_idle_callers = state.throttle.as_ref().map(|t| t.spawn_housekeeping());
    // Instances on one PostgreSQL database drain each caller's buckets together.
    let postgres = state.svc.store().backend() == tenantry_service::store::Backend::Postgres;
    let _exchange_usage = (state.throttle.as_ref())
        .filter(|_| postgres)
        .map(|t| t.spawn_exchange(state.svc.store().clone()));
    let kid = state.signin.ensure_signing_key().await?;
    tracing::info!(kid, "token signing key ready");
    let _housekeeping = state.signin.spawn_housekeeping();
    let draining = state.draining.clone();
    let app = router(state);
    let handle = axum_server::Handle::new();
    // Asked to stop: no new connections, `/readyz` says so, and requests in flight get up to the
    // drain timeout to finish before the process exits (0).
    let stopper = handle.clone();
    let drain = cfg.drain_timeout;
    let delay = cfg.shutdown_delay;
    tokio::spawn(async move {
        stop_requested().await;
        draining.store(true, Ordering::Release);
        if !delay.is_zero() {
            tracing::info!(
                seconds = delay.as_secs_f64(),
                "stopping: /readyz says so, still serving while load balancers notice"
            );
            tokio::time::sleep(delay).await;
        }
        tracing::info!(
            seconds = drain.as_secs_f64(),
            "stopping: finishing requests in flight"
        );
        stopper.graceful_shutdown(Some(drain));
    });
    println!("tenantry is listening on {base_url}");
    println!("{}", tls::trust_hint(&material));
    axum_server::bind(cfg.listen)
        .handle(handle)
        .acceptor(tls::acceptor(rustls))
        .serve(app.into_make_service_with_connect_info::<SocketAddr>())
        .await?;
    tracing::info!("stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::canonical_path;

    #[test]
    fn repeated_slashes_are_one() {
        assert_eq!(
            canonical_path("//contoso.com/v2.0/.well-known/openid-configuration").as_deref(),
            Some("/contoso.com/v2.0/.well-known/openid-configuration")
        );
        assert_eq!(
            canonical_path("//metadata/endpoints").as_deref(),
            Some("/metadata/endpoints")
        );
        assert_eq!(
            canonical_path("//providers/microsoft.subscription/policies/default").as_deref(),
            Some("/providers/Microsoft.Subscription/policies/default")
        );
        assert_eq!(canonical_path("/subscriptions"), None);
    }
}
