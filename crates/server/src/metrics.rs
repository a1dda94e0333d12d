//! What the server counts: every request by face, route template, method and status, with its latency,
//! and the authorization decisions the faces answered.
//!
//! The `metrics` facade has one recorder per process; until one is installed every count here is a
//! no-op.
//!
//! Labels never carry what a caller chose: the route is the matched route's template (`MatchedPath`:
//! `/subscriptions/{id}/{*rest}`, never the id), `unmatched` when no route matched, and the method is
//! one of HTTP's own or `other`, so the number of series stays bounded.

use crate::edge::Face;
use axum::extract::{MatchedPath, Request};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// Requests answered, by `face`, `route`, `method` and `status`.
pub const HTTP_REQUESTS: &str = "tenantry_http_requests_total";
/// Seconds from a request's arrival to its answer's headers, by `face`, `route` and `method`.
pub const HTTP_REQUEST_DURATION: &str = "tenantry_http_request_duration_seconds";
/// Authorization decisions on requests by a caller with a verified bearer token, by `decision`:
/// `denied` when the answer is 403, `allowed` when it succeeded.
pub const AUTHZ_DECISIONS: &str = "tenantry_authz_decisions_total";

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

    /// Records the request, answered with `status`.
    pub fn finish(self, status: StatusCode) {
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
}
