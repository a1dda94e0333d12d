//! A request id for every request, echoed in the headers each face's clients know from Azure, carried
//! by the error bodies that name one (Graph's `innerError`, Entra's `trace_id`), and logged once per
//! request with what was asked, the answer's status, its latency and, when a bearer token was
//! verified, the caller's tenant and object id (`auth.rs` records them on the request's span).
//!
//! - ARM: `x-ms-request-id` (ours), `x-ms-correlation-request-id` (the client's if it sent one, else
//!   ours) and `x-ms-client-request-id` echoed as sent.
//! - Graph: `request-id` (ours) and `client-request-id` (the client's if it sent one, else ours).
//! - Entra and the rest: `x-ms-request-id` (ours); Entra echoes the client's `client-request-id`.

use crate::edge::{Face, face_of};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Duration;

/// The log target of the one line per request, so it can be filtered on its own.
pub const LOG_TARGET: &str = "tenantry::request";

/// The most characters of a client's own id that are kept: Azure's ids are GUIDs (36).
const CLIENT_ID_MOST: usize = 128;

/// The ids of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestIds {
    /// This server's id for the request: a fresh UUID.
    pub request: String,
    /// The client's own id for it, when it sent one in its face's header.
    pub client: Option<String>,
    /// What ties the request to others of the same operation: the client's correlation id (ARM's
    /// `x-ms-correlation-request-id`, Entra's `client-request-id`) when it sent one, else ours.
    pub correlation: String,
}

tokio::task_local! {
    static CURRENT: RequestIds;
}

impl RequestIds {
    /// Fresh ids, for a request that carries none of its own.
    pub fn fresh() -> Self {
        let request = uuid::Uuid::new_v4().to_string();
        Self {
            correlation: request.clone(),
            request,
            client: None,
        }
    }

    /// The ids of a request to `face` with these headers.
    pub fn of(face: Face, headers: &HeaderMap) -> Self {
        let mut ids = Self::fresh();
        let sent = |name: &str| client_id(headers, name);
        match face {
            Face::Arm => {
                ids.client = sent("x-ms-client-request-id");
                if let Some(c) = sent("x-ms-correlation-request-id") {
                    ids.correlation = c;
                }
            }
            Face::Graph => ids.client = sent("client-request-id"),
            Face::Entra => {
                ids.client = sent("client-request-id");
                if let Some(c) = &ids.client {
                    ids.correlation = c.clone();
                }
            }
            Face::Portal => {}
        }
        ids
    }

    /// The headers an answer of `face` carries, as Azure's services name them.
    pub fn headers(&self, face: Face) -> Vec<(HeaderName, String)> {
        let h = HeaderName::from_static;
        let mut out = Vec::with_capacity(3);
        match face {
            Face::Arm => {
                out.push((h("x-ms-request-id"), self.request.clone()));
                out.push((h("x-ms-correlation-request-id"), self.correlation.clone()));
                if let Some(c) = &self.client {
                    out.push((h("x-ms-client-request-id"), c.clone()));
                }
            }
            Face::Graph => {
                out.push((h("request-id"), self.request.clone()));
                out.push((h("client-request-id"), self.graph_client().to_string()));
            }
            Face::Entra => {
                out.push((h("x-ms-request-id"), self.request.clone()));
                if let Some(c) = &self.client {
                    out.push((h("client-request-id"), c.clone()));
                }
            }
            Face::Portal => out.push((h("x-ms-request-id"), self.request.clone())),
        }
        out
    }

    /// Graph's `client-request-id`: the client's, else the request id (as Graph answers).
    pub fn graph_client(&self) -> &str {
        self.client.as_deref().unwrap_or(&self.request)
    }
}

/// The client's own id in header `name`, if it is one we can echo and log: short, and only letters,
/// digits and `-_.:{}` (a GUID, braced or not, or a client's own token). Anything else is not echoed,
/// so a header cannot smuggle text into an answer or a log line.
fn client_id(headers: &HeaderMap, name: &str) -> Option<String> {
    let value = headers.get(name)?.to_str().ok()?.trim();
    let fits = !value.is_empty()
        && value.len() <= CLIENT_ID_MOST
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:{}".contains(c));
    fits.then(|| value.to_string())
}

/// The ids of the request being answered; fresh ones outside a request (a unit test, a task spawned
/// off a request).
pub fn current() -> RequestIds {
    CURRENT
        .try_with(Clone::clone)
        .unwrap_or_else(|_| RequestIds::fresh())
}

/// The middleware, outermost: gives the request its ids (for [`current`], and as an extension for
/// [`span`]), answers with them in its face's headers, and counts it (`metrics`).
pub async fn middleware(mut req: Request, next: Next) -> Response {
    let face = face_of(req.uri().path());
    let ids = RequestIds::of(face, req.headers());
    req.extensions_mut().insert(ids.clone());
    let observed = crate::metrics::Observed::start(&mut req, face);
    let mut res = CURRENT.scope(ids.clone(), next.run(req)).await;
    observed.finish(res.status());
    for (name, value) in ids.headers(face) {
        // The values are UUIDs or a client's id checked by `client_id`: always valid header values.
        if let Ok(v) = HeaderValue::from_str(&value) {
            res.headers_mut().insert(name, v);
        }
    }
    res
}

/// The span of a request (`TraceLayer`'s): its id, method and route; the caller's tenant and object id
/// once a bearer token is verified. Never the query (authorize redirects and logouts carry state and
/// codes there), never headers (bearer tokens, Basic credentials), never bodies (passwords, secrets,
/// refresh tokens), and never the endpoint secret in a managed-identity path.
pub fn span<B>(req: &axum::http::Request<B>) -> tracing::Span {
    let path = req.uri().path();
    let canonical = crate::app::canonical_path(path);
    let route = crate::oauth::loggable_path(canonical.as_deref().unwrap_or(path));
    let request_id = req
        .extensions()
        .get::<RequestIds>()
        .map_or_else(|| current().request, |ids| ids.request.clone());
    tracing::info_span!(
        target: LOG_TARGET,
        "request",
        request_id = %request_id,
        method = %req.method(),
        route = %route,
        tenant = tracing::field::Empty,
        object_id = tracing::field::Empty,
    )
}

/// The one line per request, in its span: the answer's status and how long it took.
pub fn log_answer<B>(res: &axum::http::Response<B>, latency: Duration, _span: &tracing::Span) {
    let latency_ms = (latency.as_secs_f64() * 1_000_000.0).round() / 1000.0;
    tracing::info!(
        target: LOG_TARGET,
        status = res.status().as_u16(),
        latency_ms,
        "answered"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    /// The headers `face` answers a request that sent `sent` with, `{id}` standing for the request's
    /// own (fresh) id.
    fn answers(face: Face, sent: &[(&'static str, &str)]) -> Vec<(String, String)> {
        let ids = RequestIds::of(face, &headers(sent));
        assert!(uuid::Uuid::parse_str(&ids.request).is_ok(), "{ids:?}");
        ids.headers(face)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.replace(&ids.request, "{id}")))
            .collect()
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn arm_answers_its_request_and_correlation_ids_and_echoes_the_clients() {
        let sent = [
            ("x-ms-client-request-id", "client-1"),
            ("x-ms-correlation-request-id", "corr-1"),
            ("client-request-id", "graphs-header"),
        ];
        assert_eq!(
            answers(Face::Arm, &sent),
            pairs(&[
                ("x-ms-request-id", "{id}"),
                ("x-ms-correlation-request-id", "corr-1"),
                ("x-ms-client-request-id", "client-1"),
            ])
        );
        assert_eq!(
            answers(Face::Arm, &[]),
            pairs(&[
                ("x-ms-request-id", "{id}"),
                ("x-ms-correlation-request-id", "{id}"),
            ])
        );
    }

    #[test]
    fn graph_answers_request_id_and_the_clients_id_or_its_own() {
        let guid = "0b1e0000-0000-4000-8000-000000000001";
        assert_eq!(
            answers(Face::Graph, &[("client-request-id", guid)]),
            pairs(&[("request-id", "{id}"), ("client-request-id", guid)])
        );
        assert_eq!(
            answers(Face::Graph, &[("x-ms-client-request-id", "arms-header")]),
            pairs(&[("request-id", "{id}"), ("client-request-id", "{id}")])
        );
    }

    #[test]
    fn the_token_endpoint_and_the_portal_answer_x_ms_request_id() {
        assert_eq!(
            answers(Face::Entra, &[("client-request-id", "msal-1")]),
            pairs(&[("x-ms-request-id", "{id}"), ("client-request-id", "msal-1")])
        );
        let ids = RequestIds::of(Face::Entra, &headers(&[("client-request-id", "msal-1")]));
        assert_eq!(ids.correlation, "msal-1");
        assert_eq!(
            answers(Face::Portal, &[("client-request-id", "x")]),
            pairs(&[("x-ms-request-id", "{id}")])
        );
    }

    #[test]
    fn a_clients_id_that_could_smuggle_text_is_not_echoed() {
        for bad in [
            "a b",
            "a\"b",
            &"a".repeat(CLIENT_ID_MOST + 1),
            "",
            "x=1&y=2",
        ] {
            let ids = RequestIds::of(Face::Graph, &headers(&[("client-request-id", bad)]));
            assert_eq!(ids.client, None, "{bad:?}");
        }
    }

    #[tokio::test]
    async fn current_is_the_requests_ids_inside_it() {
        let ids = RequestIds::of(Face::Graph, &headers(&[("client-request-id", "c-1")]));
        let inside = CURRENT.scope(ids.clone(), async { current() }).await;
        assert_eq!(inside, ids);
        assert_ne!(current(), ids);
    }
}
