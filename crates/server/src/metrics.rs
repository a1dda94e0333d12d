//! `GET /metrics` in Prometheus' text format, and what the server counts: every request by face, route
//! template, method and status, with its latency, and the authorization decisions the faces answered.
//!
//! The `metrics` facade has one recorder per process; [`install`] sets it (Prometheus' exporter) when
//! the operator asks for metrics, and until then every count is a no-op. Two ways to scrape:
//! `--metrics-listen ADDR` serves `/metrics` alone over plain HTTP on its own address (the operator's
//! network), and `--metrics-token TOKEN` serves it on the main listener to requests that carry
//! `Authorization: Bearer TOKEN` (401 otherwise). With neither, `/metrics` is 404.
//!
//! Labels never carry what a caller chose: the route is the matched route's template (`MatchedPath`:
//! `/subscriptions/{id}/{*rest}`, never the id), `unmatched` when no route matched, and the method is
//! one of HTTP's own or `other`, so the number of series stays bounded.

use crate::app::AppState;
use crate::edge::Face;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;
use tenantry_service::Service;
use tenantry_service::crypto::secrets;

/// Requests answered, by `face`, `route`, `method` and `status`.
pub const HTTP_REQUESTS: &str = "tenantry_http_requests_total";
/// Seconds from a request's arrival to its answer's headers, by `face`, `route` and `method`.
pub const HTTP_REQUEST_DURATION: &str = "tenantry_http_request_duration_seconds";
/// Authorization decisions on requests by a caller with a verified bearer token, by `decision`:
/// `denied` when the answer is 403, `allowed` when it succeeded.
pub const AUTHZ_DECISIONS: &str = "tenantry_authz_decisions_total";

/// Latency buckets, in seconds: a millisecond (a cached read) to ten seconds (a stuck database).
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The Prometheus text format's content type.
const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

static RECORDER: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process's recorder (once; later calls return the same handle) and describes the
/// metrics.
pub fn install() -> anyhow::Result<PrometheusHandle> {
    if let Some(handle) = RECORDER.get() {
        return Ok(handle.clone());
    }
    // Histograms with buckets (Prometheus' `histogram_quantile` aggregates them across instances),
    // not the exporter's default summaries.
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)?
        .install_recorder()?;
    let handle = RECORDER.get_or_init(|| handle).clone();
    describe();
    tenantry_service::metrics::describe();
    Ok(handle)
}

/// The `# HELP` lines of the server's metrics (once a recorder is installed).
pub fn describe() {
    use metrics::{Unit, describe_counter, describe_histogram};
    describe_counter!(
        HTTP_REQUESTS,
        "Requests answered, by face, route template, method and status."
    );
    describe_histogram!(
        HTTP_REQUEST_DURATION,
        Unit::Seconds,
        "Request latency, by face, route template and method."
    );
    describe_counter!(
        AUTHZ_DECISIONS,
        "Authorization decisions on requests with a verified bearer token (allowed, denied)."
    );
}

/// Where `/metrics` is served: on its own plain-HTTP address, and/or on the main listener behind a
/// token. Neither: no recorder is installed and nothing is counted.
#[derive(Clone, Default)]
pub struct MetricsConfig {
    /// `--metrics-listen`.
    pub listen: Option<SocketAddr>,
    /// `--metrics-token`.
    pub token: Option<String>,
}

impl MetricsConfig {
    fn wanted(&self) -> bool {
        self.listen.is_some() || self.token.as_deref().is_some_and(|t| !t.is_empty())
    }
}

/// Installs the recorder and starts the separate listener as `cfg` asks; the exporter the main
/// listener serves `/metrics` with (behind the token), or `None` when metrics are off.
pub async fn start(cfg: &MetricsConfig, svc: &Service) -> anyhow::Result<Option<Exporter>> {
    if !cfg.wanted() {
        return Ok(None);
    }
    let exporter = Exporter::new(install()?, cfg.token.clone());
    if let Some(addr) = cfg.listen {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| anyhow::anyhow!("--metrics-listen {addr}: {e}"))?;
        let app = separate_router(svc.clone(), exporter.clone());
        println!("metrics are served at http://{addr}/metrics");
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    Ok(Some(exporter))
}

/// What `/metrics` renders, and the token the main listener asks for.
#[derive(Clone)]
pub struct Exporter {
    handle: PrometheusHandle,
    process: metrics_process::Collector,
    /// `--metrics-token`: `/metrics` on the main listener only with it. `None`: not served there.
    token: Option<Arc<str>>,
}

impl Exporter {
    /// The exporter of the installed recorder; `token` opens `/metrics` on the main listener.
    pub fn new(handle: PrometheusHandle, token: Option<String>) -> Self {
        let process = metrics_process::Collector::default();
        process.describe();
        Self {
            handle,
            process,
            token: token.filter(|t| !t.is_empty()).map(Arc::from),
        }
    }

    /// Whether `headers` carry `Authorization: Bearer <the token>`, compared in constant time (over
    /// the hashes, so that not even the length is told).
    fn admits(&self, headers: &HeaderMap) -> bool {
        let Some(token) = &self.token else {
            return false;
        };
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim())
            .unwrap_or_default();
        secrets::constant_time_eq(
            secrets::hash_client_secret(presented).as_bytes(),
            secrets::hash_client_secret(token).as_bytes(),
        )
    }

    /// The metrics now, gauges refreshed, in Prometheus' text format.
    async fn render(&self, svc: &Service) -> Response {
        svc.observe_gauges().await;
        self.process.collect();
        self.handle.run_upkeep();
        ([(header::CONTENT_TYPE, TEXT_FORMAT)], self.handle.render()).into_response()
    }
}

/// `GET /metrics` on the main listener: 404 unless `--metrics-token` is set, 401 without the token.
pub async fn scrape(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(exporter) = state.metrics.as_ref().filter(|e| e.token.is_some()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !exporter.admits(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response();
    }
    exporter.render(&state.svc).await
}

/// `/metrics` alone, for `--metrics-listen` (plain HTTP, no token: the address is the operator's).
pub fn separate_router(svc: Service, exporter: Exporter) -> Router {
    Router::new().route(
        "/metrics",
        get(move || async move { exporter.render(&svc).await }),
    )
}

/// What the layers inside the router learn about a request for its metrics: the matched route's
/// template, whether it is one of tenantry's extensions, whether a bearer token was verified.
#[derive(Default)]
struct Learned {
    route: OnceLock<String>,
    extension: AtomicBool,
    caller: AtomicBool,
}

/// Shared by the outermost middleware (which records) and the layers inside the router (which learn).
#[derive(Clone, Default)]
pub struct RouteOf(Arc<Learned>);

/// Layer on every route (after routing, so `MatchedPath` is known): notes the route's template.
pub async fn note_route(req: Request, next: Next) -> Response {
    if let (Some(matched), Some(of)) = (
        req.extensions().get::<MatchedPath>(),
        req.extensions().get::<RouteOf>(),
    ) {
        let _ = of.0.route.set(matched.as_str().to_string());
    }
    next.run(req).await
}

/// Route layer on tenantry's extensions: their requests are counted as face `extensions`.
pub async fn note_extension(req: Request, next: Next) -> Response {
    if let Some(of) = req.extensions().get::<RouteOf>() {
        of.0.extension.store(true, Ordering::Relaxed);
    }
    next.run(req).await
}

/// Notes that the request's bearer token was verified (its answer is then an authorization decision).
pub fn note_caller(extensions: &axum::http::Extensions) {
    if let Some(of) = extensions.get::<RouteOf>() {
        of.0.caller.store(true, Ordering::Relaxed);
    }
}

/// One request being answered: what its metrics need, taken before it runs.
pub struct Observed {
    started: Instant,
    face: &'static str,
    method: &'static str,
    of: RouteOf,
}

impl Observed {
    /// Starts observing `req` (of `face`), letting the layers inside the router note its route.
    pub fn start(req: &mut Request, face: Face) -> Self {
        let of = RouteOf::default();
        req.extensions_mut().insert(of.clone());
        Self {
            started: Instant::now(),
            face: face_label(req.uri().path(), face),
            method: method_label(req.method()),
            of,
        }
    }

    /// Records the request, answered with `status` (nothing to do while no recorder is installed).
    pub fn finish(self, status: StatusCode) {
        if RECORDER.get().is_none() {
            return;
        }
        let learned = &self.of.0;
        let face = if learned.extension.load(Ordering::Relaxed) {
            "extensions"
        } else {
            self.face
        };
        let route = learned
            .route
            .get()
            .cloned()
            .unwrap_or_else(|| "unmatched".to_string());
        metrics::histogram!(
            HTTP_REQUEST_DURATION,
            "face" => face, "route" => route.clone(), "method" => self.method
        )
        .record(self.started.elapsed());
        metrics::counter!(
            HTTP_REQUESTS,
            "face" => face, "route" => route, "method" => self.method,
            "status" => status.as_str().to_string()
        )
        .increment(1);
        if learned.caller.load(Ordering::Relaxed) {
            let decision = if status == StatusCode::FORBIDDEN {
                Some("denied")
            } else if status.is_success() {
                Some("allowed")
            } else {
                None
            };
            if let Some(decision) = decision {
                metrics::counter!(AUTHZ_DECISIONS, "decision" => decision).increment(1);
            }
        }
    }
}

/// The `face` label: the path's face, `other` for the operator's endpoints (`/healthz`, `/readyz`,
/// `/metrics`); tenantry's extensions are told by their routes ([`note_extension`]).
fn face_label(path: &str, face: Face) -> &'static str {
    if matches!(path, "/healthz" | "/readyz" | "/metrics") {
        return "other";
    }
    match face {
        Face::Entra => "entra",
        Face::Arm => "arm",
        Face::Graph => "graph",
        Face::Portal => "portal",
    }
}

/// The `method` label: HTTP's own methods by name, anything else `other` (a client picks the method).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_from_a_fixed_set() {
        assert_eq!(face_label("/healthz", Face::Portal), "other");
        assert_eq!(face_label("/metrics", Face::Portal), "other");
        assert_eq!(face_label("/subscriptions", Face::Arm), "arm");
        assert_eq!(face_label("/v1.0/me", Face::Graph), "graph");
        assert_eq!(method_label(&Method::GET), "GET");
        let odd = Method::from_bytes(b"BREW").unwrap();
        assert_eq!(method_label(&odd), "other");
    }

    #[test]
    fn the_main_listener_admits_only_the_operators_bearer_token() {
        let exporter = Exporter::new(
            PrometheusBuilder::new().build_recorder().handle(),
            Some("s3cret".into()),
        );
        let with = |value: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::AUTHORIZATION, value.parse().unwrap());
            h
        };
        assert!(exporter.admits(&with("Bearer s3cret")));
        assert!(exporter.admits(&with("bearer  s3cret ")));
        assert!(!exporter.admits(&with("Bearer s3cre")));
        assert!(!exporter.admits(&with("Basic s3cret")));
        assert!(!exporter.admits(&HeaderMap::new()));
        let tokenless = Exporter::new(PrometheusBuilder::new().build_recorder().handle(), None);
        assert!(!tokenless.admits(&with("Bearer ")));
    }
}
