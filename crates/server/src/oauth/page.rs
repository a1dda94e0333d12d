//! The authorize flow's error and message pages and its redirects back to the client (the sign-in pages
//! themselves are the portal's, see `portal::authorize_pages`). Every value from outside is HTML-escaped;
//! no script is needed except the auto-submit of `form_post`.

use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, LOCATION, X_FRAME_OPTIONS};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use tenantry_domain::signin::SignInError;
use tenantry_service::signin::{Redirect, ResponseMode};

/// RFC 3986 unreserved characters stay; everything else is encoded.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn encode(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

fn layout(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – tenantry</title>
<style>body{{font-family:system-ui,sans-serif;background:#f2f2f2;margin:0}}main{{max-width:26rem;margin:4rem auto;background:#fff;padding:2rem 2.5rem;box-shadow:0 2px 6px rgba(0,0,0,.2)}}
label{{display:block;margin:1rem 0 .25rem}}input[type=email],input[type=password],input[type=text]{{width:100%;padding:.5rem;box-sizing:border-box}}
button{{margin-top:1.25rem;padding:.5rem 1.5rem;background:#0067b8;color:#fff;border:0;cursor:pointer}}.choice{{display:block;width:100%;text-align:left;background:#fff;color:#000;border:1px solid #8a8886;padding:1rem}}
.error{{color:#a80000;margin:.75rem 0}}.app{{color:#605e5c}}</style></head>
<body><main>{body}</main></body></html>"#
    )
}

fn hidden(name: &str, value: &str) -> String {
    format!(
        r#"<input type="hidden" name="{name}" value="{}">"#,
        escape(value)
    )
}

fn error_block(error: Option<&SignInError>) -> String {
    error
        .map(|e| {
            format!(
                r#"<p class="error" role="alert">{}</p>"#,
                escape(&e.error_description())
            )
        })
        .unwrap_or_default()
}

/// A page for errors that cannot be sent back to the client (its identity or redirect URI is wrong).
pub fn error_page(error: &SignInError) -> Response {
    let body = format!(
        "<h1>Sorry, but we’re having trouble signing you in.</h1>{}",
        error_block(Some(error))
    );
    page(StatusCode::BAD_REQUEST, layout("Sign-in error", &body))
}

pub fn message_page(title: &str, message: &str) -> String {
    layout(
        title,
        &format!("<h1>{}</h1><p>{}</p>", escape(title), escape(message)),
    )
}

/// An HTML response that is never cached, never framed and runs no script.
pub fn page(status: StatusCode, html: String) -> Response {
    let mut r = (status, Html(html)).into_response();
    let h = r.headers_mut();
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // A sign-in page must never be framed (clickjacking); CSP for browsers that know it, XFO for the rest.
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'",
        ),
    );
    r
}

/// Sends the client its parameters (`code` or `error`), with its `state`, the way it asked.
pub fn redirect(to: &Redirect, params: &[(&str, &str)]) -> Response {
    let mut all: Vec<(&str, &str)> = params.to_vec();
    if let Some(state) = &to.state {
        all.push(("state", state));
    }
    match to.mode {
        ResponseMode::FormPost => form_post(&to.uri, &all),
        ResponseMode::Query | ResponseMode::Fragment => {
            let joined: Vec<String> = all
                .iter()
                .map(|(k, v)| format!("{k}={}", encode(v)))
                .collect();
            let sep = match to.mode {
                ResponseMode::Fragment => "#",
                _ if to.uri.contains('?') => "&",
                _ => "?",
            };
            let location = match joined.is_empty() {
                true => to.uri.clone(),
                false => format!("{}{sep}{}", to.uri, joined.join("&")),
            };
            let mut r = StatusCode::FOUND.into_response();
            if let Ok(v) = HeaderValue::from_str(&location) {
                r.headers_mut().insert(LOCATION, v);
            }
            r.headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
    }
}

pub fn redirect_error(to: &Redirect, e: &SignInError) -> Response {
    redirect(
        to,
        &[
            ("error", e.error.as_str()),
            ("error_description", &e.error_description()),
        ],
    )
}

/// `response_mode=form_post`: a page whose form posts the parameters to the client at once.
fn form_post(uri: &str, params: &[(&str, &str)]) -> Response {
    let fields: String = params.iter().map(|(k, v)| hidden(k, v)).collect();
    let html = format!(
        r#"<!doctype html><html><head><title>Working…</title></head><body onload="document.forms[0].submit()">
<form method="post" action="{}">{fields}<noscript><button type="submit">Continue</button></noscript></form></body></html>"#,
        escape(uri)
    );
    let mut r = Html(html).into_response();
    r.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_encodes() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(encode("a b/c?d=e&f"), "a%20b%2Fc%3Fd%3De%26f");
    }

    #[test]
    fn redirects_carry_state() {
        let to = Redirect {
            uri: "http://localhost:8400/cb?x=1".into(),
            mode: ResponseMode::Query,
            state: Some("s 1".into()),
        };
        let r = redirect(&to, &[("code", "abc")]);
        assert_eq!(r.status(), StatusCode::FOUND);
        assert_eq!(
            r.headers()[LOCATION],
            "http://localhost:8400/cb?x=1&code=abc&state=s%201"
        );
    }
}
