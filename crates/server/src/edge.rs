//! What every answer passes through on its way out, whichever face made it: the security headers, and
//! the refusals that axum makes before a handler runs (no route, a wrong method, a body too large or of
//! the wrong media type, input an extractor could not read), which it words in plain text or not at
//! all. Those become the face's own error: ARM's under ARM paths, Graph's under `/v1.0`, Entra's under
//! the sign-in paths, a portal page elsewhere. The words are `errors::EdgeRefusal`'s.

use crate::errors::EdgeRefusal;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The most a request body may hold: axum's default, named so that the refusal can say it. ARM's
/// biggest documents (role definitions, generic resources) are a few kilobytes.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// A JSON body refused for its size, which handlers that word their own JSON errors answer 413 too.
pub fn too_large(e: &axum::extract::rejection::JsonRejection) -> Option<EdgeRefusal> {
    too_large_status(e.status())
}

/// A form refused for its size (the sign-in endpoints word their own refusals of forms).
pub fn form_too_large(e: &axum::extract::rejection::FormRejection) -> Option<EdgeRefusal> {
    too_large_status(e.status())
}

fn too_large_status(status: StatusCode) -> Option<EdgeRefusal> {
    (status == StatusCode::PAYLOAD_TOO_LARGE).then_some(EdgeRefusal::TooLarge {
        limit_bytes: BODY_LIMIT,
    })
}

/// Which interface a path belongs to; each answers in its own format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// The Entra-compatible sign-in: `/{tenant}/oauth2/…`, `/{tenant}/v2.0/…`, discovery, user realm.
    Entra,
    /// Azure Resource Manager and tenantry's extensions in its style.
    Arm,
    /// Microsoft Graph (`/v1.0`, `/beta`).
    Graph,
    /// Everything else is the portal's.
    Portal,
}

/// The face of `path` (percent-encoded, as in the request line). ARM matches its words whatever their
/// case, so the first segment is compared so too.
pub fn face_of(path: &str) -> Face {
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    let first = segments.next().unwrap_or("");
    let second = segments.next().unwrap_or("");
    let is = |s: &str, words: &[&str]| words.iter().any(|w| w.eq_ignore_ascii_case(s));
    if is(first, &["v1.0", "beta"]) {
        Face::Graph
    } else if is(
        first,
        &["subscriptions", "providers", "tenants", "metadata"],
    ) {
        Face::Arm
    } else if is(
        second,
        &["oauth2", "v2.0", "discovery", ".well-known", "userrealm"],
    ) {
        Face::Entra
    } else {
        Face::Portal
    }
}

/// The middleware: runs the request, then gives a refusal without a format its face's format, and
/// every answer its security headers.
pub async fn answer(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    let mut res = next.run(req).await;
    if needs_format(&res) {
        let status = res.status();
        let detail = read_detail(std::mem::replace(res.body_mut(), Body::empty())).await;
        let refusal = refusal_for(status, &method, &path, detail);
        let headers = std::mem::take(res.headers_mut());
        res = in_format(face_of(&path), &refusal);
        keep_allow(&headers, res.headers_mut());
    }
    let status = res.status();
    secure(status, res.headers_mut());
    res
}

/// A refusal that no face has put in a format: an error status with no body, or plain text.
fn needs_format(res: &Response) -> bool {
    if !(res.status().is_client_error() || res.status().is_server_error()) {
        return false;
    }
    let formatted = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            let ct = ct.to_ascii_lowercase();
            ct.starts_with("application/json") || ct.starts_with("text/html")
        });
    !formatted
}

/// What the plain-text refusal said (axum's extractors say which field failed), cut to a line.
async fn read_detail(body: Body) -> String {
    const MOST: usize = 300;
    let bytes = axum::body::to_bytes(body, 16 * 1024)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MOST)
        .collect();
    line.trim().to_string()
}

fn refusal_for(status: StatusCode, method: &Method, path: &str, detail: String) -> EdgeRefusal {
    match status {
        StatusCode::NOT_FOUND => EdgeRefusal::NoRoute {
            segment: unknown_segment(path),
        },
        StatusCode::METHOD_NOT_ALLOWED => EdgeRefusal::MethodNotAllowed {
            method: method.to_string(),
        },
        StatusCode::PAYLOAD_TOO_LARGE => EdgeRefusal::TooLarge {
            limit_bytes: BODY_LIMIT,
        },
        StatusCode::UNSUPPORTED_MEDIA_TYPE => EdgeRefusal::UnsupportedMediaType,
        s if s.is_server_error() => EdgeRefusal::Failed,
        s => EdgeRefusal::Malformed {
            status: s,
            detail: if detail.is_empty() {
                "the request is malformed.".into()
            } else {
                detail
            },
        },
    }
}

/// The segment a refusal names: under Graph the entity set after the version (Graph's wording), else
/// the whole path.
fn unknown_segment(path: &str) -> String {
    let segment = match face_of(path) {
        Face::Graph => path
            .split('/')
            .filter(|s| !s.is_empty())
            .nth(1)
            .unwrap_or(""),
        _ => path,
    };
    segment.chars().take(200).collect()
}

fn in_format(face: Face, refusal: &EdgeRefusal) -> Response {
    match face {
        Face::Arm => refusal.arm().into_response(),
        Face::Graph => refusal.graph().into_response(),
        Face::Entra => refusal.entra().into_response(),
        Face::Portal => crate::portal::PortalError::Edge(refusal.clone()).page(),
    }
}

/// A 405 says which methods the route has (RFC 9110 §15.5.6).
fn keep_allow(from: &HeaderMap, to: &mut HeaderMap) {
    if let Some(allow) = from.get(header::ALLOW) {
        to.insert(header::ALLOW, allow.clone());
    }
}

/// The headers every answer carries, and those of every HTML page and every redirect between pages
/// unless its handler set its own (the `form_post` page allows its one script). This is the one place
/// they are set: pages and redirects leave them to it. HTTPS is always on, so HSTS is always sent.
fn secure(status: StatusCode, h: &mut HeaderMap) {
    h.entry(header::STRICT_TRANSPORT_SECURITY)
        .or_insert(HeaderValue::from_static("max-age=31536000"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("text/html"));
    // A redirect is never stored, and hands the next page no referrer, as a page would not.
    if !html && !status.is_redirection() {
        return;
    }
    // No script at all; styles and images only from this origin; never framed. No form-action: the
    // authorize pages post to themselves and redirect to clients.
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
        ));
    h.entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("no-referrer"));
    h.entry(header::X_FRAME_OPTIONS)
        .or_insert(HeaderValue::from_static("DENY"));
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_path_has_its_face() {
        assert_eq!(face_of("/v1.0/users"), Face::Graph);
        assert_eq!(face_of("/subscriptions/x/resourcegroups"), Face::Arm);
        assert_eq!(face_of("/SUBSCRIPTIONS"), Face::Arm);
        assert_eq!(
            face_of("/providers/Microsoft.Subscription/policies/default"),
            Face::Arm
        );
        assert_eq!(face_of("/tenants"), Face::Arm);
        assert_eq!(face_of("/contoso.com/oauth2/v2.0/token"), Face::Entra);
        assert_eq!(
            face_of("/common/v2.0/.well-known/openid-configuration"),
            Face::Entra
        );
        assert_eq!(face_of("/common/userrealm/a@b.c"), Face::Entra);
        assert_eq!(face_of("/organizations/discovery/v2.0/keys"), Face::Entra);
        assert_eq!(face_of("/"), Face::Portal);
        assert_eq!(face_of("/directories/x/users"), Face::Portal);
        assert_eq!(face_of("/nothing"), Face::Portal);
    }

    #[test]
    fn pages_and_redirects_get_every_header_other_answers_the_common_ones() {
        let with = |status: StatusCode, content_type: Option<&'static str>| {
            let mut h = HeaderMap::new();
            if let Some(ct) = content_type {
                h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
            }
            secure(status, &mut h);
            h
        };
        for h in [
            with(StatusCode::OK, Some("text/html; charset=utf-8")),
            with(StatusCode::SEE_OTHER, None),
            with(StatusCode::FOUND, None),
        ] {
            assert!(
                h[header::CONTENT_SECURITY_POLICY]
                    .to_str()
                    .unwrap()
                    .contains("frame-ancestors 'none'")
            );
            assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
            assert_eq!(h[header::CACHE_CONTROL], "no-store");
            assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        }
        let json = with(StatusCode::OK, Some("application/json"));
        assert!(json.get(header::STRICT_TRANSPORT_SECURITY).is_some());
        assert_eq!(json[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(json.get(header::CONTENT_SECURITY_POLICY).is_none());
        // A handler's own policy stays (the `form_post` page's script hash).
        let mut own = HeaderMap::new();
        own.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        own.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
        secure(StatusCode::OK, &mut own);
        assert_eq!(
            own[header::CONTENT_SECURITY_POLICY],
            "default-src 'none'; frame-ancestors 'none'"
        );
    }

    #[test]
    fn graph_names_the_entity_set() {
        assert_eq!(unknown_segment("/v1.0/widgets/1"), "widgets");
        assert_eq!(unknown_segment("/nothing/here"), "/nothing/here");
    }
}
