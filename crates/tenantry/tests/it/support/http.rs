//! HTTP calls to a test server and what came back.

use super::TestServer;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// A response: status, headers, the body as text and as JSON (`Null` when empty; a string when it is
/// not JSON).
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    pub async fn from(r: reqwest::Response) -> Resp {
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap_or_default();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.clone()))
        };
        Resp {
            status,
            headers,
            body,
            text,
        }
    }

    /// A string field of the JSON body, which must be there.
    #[track_caller]
    pub fn str(&self, key: &str) -> &str {
        self.body[key]
            .as_str()
            .unwrap_or_else(|| panic!("no {key} in {}", self.text))
    }
}

/// `path` on the server, or as it is when it is already a URL (a `nextLink`, a redeem URL).
fn url(srv: &TestServer, path: &str) -> String {
    if path.starts_with("https://") {
        path.to_string()
    } else {
        srv.url(path)
    }
}

/// Sends a request, with a bearer token and a JSON body when given.
pub async fn send(
    srv: &TestServer,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Resp {
    send_with(srv, method, path, token, body, &[]).await
}

/// [`send`] with further headers.
pub async fn send_with(
    srv: &TestServer,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> Resp {
    let mut req = srv.client.request(method, url(srv, path));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    Resp::from(req.send().await.expect("request sent")).await
}

/// Sends a request and returns its status and JSON body (`Value::Null` when there is none).
pub async fn call(
    srv: &TestServer,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let body = body.map(|b| b.to_string());
    let r = send(srv, method, path, token, body.as_deref()).await;
    (r.status, r.body)
}

pub async fn get(srv: &TestServer, path: &str, token: &str) -> (StatusCode, Value) {
    call(srv, Method::GET, path, Some(token), None).await
}

/// Posts a form as the Python clients do (their extra headers included, which tenantry ignores).
pub async fn post_form(srv: &TestServer, path: &str, form: &[(&str, &str)]) -> Resp {
    let r = srv
        .client
        .post(srv.url(path))
        .header("X-AnchorMailbox", "upn:someone@example.com")
        .header("x-client-SKU", "MSAL.Python")
        .header("client-request-id", "2f7b2d2e-0000-4000-8000-000000000000")
        .form(form)
        .send()
        .await
        .expect("POST");
    Resp::from(r).await
}
