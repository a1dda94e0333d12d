//! The authorize flow's answers besides its sign-in steps: the page for an error that cannot go back to
//! the client, the page after logout, and the redirects back to the client (query, fragment or
//! `form_post`). Pages are the portal's askama templates (`portal::signin_pages` for the steps); URLs
//! are built by `crate::urls`.

use crate::portal::i18n::Lang;
use crate::portal::pages::{Chrome, ErrorPage, SignedOut};
use crate::portal::refusals;
use crate::portal::session::Flash;
use crate::urls;
use askama::Template;
use axum::http::header::{CONTENT_SECURITY_POLICY, LOCATION};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use tenantry_domain::signin::SignInError;
use tenantry_service::signin::{Redirect, ResponseMode};

/// A page for errors that cannot be sent back to the client (its identity or redirect URI is wrong).
pub fn error_page(error: &SignInError) -> Response {
    let status = StatusCode::BAD_REQUEST;
    // In the language of the request being answered.
    let lang = Lang::current();
    let page = ErrorPage {
        chrome: Chrome::bare(),
        title: lang.t("signin-trouble"),
        code: Some(error.code.to_string()),
        message: refusals::sign_in_description(lang, error),
        remedy: None,
        details: vec![],
        status: status.as_u16(),
    };
    let mut r = crate::portal::html(&page);
    *r.status_mut() = status;
    r
}

/// The page after logout when the client named no (known) place to go back to.
pub fn signed_out_page() -> Response {
    let chrome = Chrome::bare();
    let notice = Flash::ok(
        chrome.t("signed-out-logout-title"),
        chrome.t("signed-out-logout-message"),
    );
    crate::portal::html(&SignedOut {
        chrome,
        notice: Some(notice),
    })
}

/// Sends the client its parameters (`code` or `error`), with its `state`, the way it asked.
pub fn redirect(to: &Redirect, params: &[(&str, &str)]) -> Response {
    let mut all: Vec<(&str, &str)> = params.to_vec();
    if let Some(state) = &to.state {
        all.push(("state", state));
    }
    let location = match to.mode {
        ResponseMode::FormPost => return form_post(&to.uri, &all),
        ResponseMode::Query => urls::with_query(&to.uri, &all),
        ResponseMode::Fragment => urls::with_fragment(&to.uri, &all),
    };
    // Never stored (a code is in its URL): `Cache-Control` is the edge's, as on every redirect.
    let mut r = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        r.headers_mut().insert(LOCATION, v);
    }
    r
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

/// The one script tenantry sends: the `form_post` page submits its form at once. The template writes
/// this text, so the page's script and the hash in its policy are always the same.
const FORM_POST_SCRIPT: &str = "document.forms[0].submit()";

/// The `form_post` page's policy: that script alone (by its hash), its form may post anywhere (the
/// client's redirect URI), never framed.
static FORM_POST_CSP: std::sync::LazyLock<HeaderValue> =
    std::sync::LazyLock::new(|| {
        // CSP hashes are standard base64 with padding; the helper gives the URL-safe, unpadded form.
        let mut hash: String = tenantry_service::crypto::secrets::sha256_b64url(FORM_POST_SCRIPT)
            .chars()
            .map(|c| match c {
                '-' => '+',
                '_' => '/',
                c => c,
            })
            .collect();
        while !hash.len().is_multiple_of(4) {
            hash.push('=');
        }
        HeaderValue::from_str(&format!(
        "default-src 'none'; script-src 'sha256-{hash}'; frame-ancestors 'none'; base-uri 'none'"
    ))
    .unwrap_or(HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"))
    });

/// `response_mode=form_post`: a page whose form posts the parameters to the client at once (its one
/// script; the portal's pages have none).
#[derive(Template)]
#[template(path = "portal/authorize_form_post.html")]
struct FormPost<'a> {
    action: &'a str,
    script: &'a str,
    fields: &'a [(&'a str, &'a str)],
}

fn form_post(uri: &str, params: &[(&str, &str)]) -> Response {
    let page = FormPost {
        action: uri,
        script: FORM_POST_SCRIPT,
        fields: params,
    };
    let mut r = match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "form_post template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    };
    // Its own policy, which the edge keeps; the other headers are the edge's.
    r.headers_mut()
        .insert(CONTENT_SECURITY_POLICY, FORM_POST_CSP.clone());
    r
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn form_post_escapes_what_it_posts() {
        let html = FormPost {
            action: "https://app.example/cb?a=1&b=\"2\"",
            script: FORM_POST_SCRIPT,
            fields: &[("code", "<c>")],
        }
        .render()
        .unwrap();
        assert!(!html.contains("<c>") && !html.contains("b=\"2\""), "{html}");
        assert!(html.contains(r#"name="code""#));
    }
}
