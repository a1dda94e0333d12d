//! A browser for the server's pages: it follows no redirect and keeps the portal's session cookie (the
//! single sign-on session of `/authorize` too); and the URL pieces the authorize tests need.

use super::TestServer;
use reqwest::StatusCode;
use std::collections::{BTreeMap, HashMap};
use tenantry_server::portal::session::COOKIE_NAME;

pub struct Browser {
    http: reqwest::Client,
    base: String,
    cookie: Option<String>,
    /// The other cookies the server set (the language's), by name.
    others: BTreeMap<String, String>,
    /// The `Accept-Language` sent with every request, if any.
    language: Option<String>,
    /// The headers of the last answer.
    pub headers: reqwest::header::HeaderMap,
}

impl Browser {
    pub fn new(srv: &TestServer) -> Browser {
        Browser {
            http: client_without_redirects(srv),
            base: srv.base_url.clone(),
            cookie: None,
            others: BTreeMap::new(),
            language: None,
            headers: Default::default(),
        }
    }

    /// The same browser asking for pages in `languages` (an `Accept-Language` value).
    pub fn speaking(mut self, languages: &str) -> Browser {
        self.language = Some(languages.into());
        self
    }

    /// Sends the request with the cookies it keeps; returns the status, the `Location` (empty when
    /// there is none) and the body.
    pub async fn send(&mut self, req: reqwest::RequestBuilder) -> (StatusCode, String, String) {
        let cookies: Vec<String> = self
            .cookie
            .iter()
            .cloned()
            .chain(self.others.iter().map(|(k, v)| format!("{k}={v}")))
            .collect();
        let req = if cookies.is_empty() {
            req
        } else {
            req.header("cookie", cookies.join("; "))
        };
        let req = match &self.language {
            Some(l) => req.header("accept-language", l),
            None => req,
        };
        let r = req.send().await.unwrap();
        for v in r.headers().get_all("set-cookie") {
            let pair = v.to_str().unwrap().split(';').next().unwrap().to_string();
            if pair.starts_with(&format!("{COOKIE_NAME}=")) {
                self.cookie = Some(pair);
            } else if let Some((name, value)) = pair.split_once('=') {
                self.others.insert(name.to_string(), value.to_string());
            }
        }
        self.headers = r.headers().clone();
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string())
            .unwrap_or_default();
        (r.status(), location, r.text().await.unwrap())
    }

    pub async fn get(&mut self, path: &str) -> (StatusCode, String, String) {
        let req = self.http.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    pub async fn post(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, String) {
        let req = self.http.post(format!("{}{path}", self.base)).form(form);
        self.send(req).await
    }

    /// Submits the form of `page` (the page just shown): `fields` with the page's CSRF token.
    pub async fn submit(
        &mut self,
        path: &str,
        page: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String, String) {
        let csrf = csrf_of(page);
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        self.post(path, &form).await
    }

    /// The session cookie (`name=value`), once the server has set one.
    pub fn cookie(&self) -> Option<&str> {
        self.cookie.as_deref()
    }

    /// The value of another cookie the server set (`lang`).
    pub fn cookie_named(&self, name: &str) -> Option<&str> {
        self.others.get(name).map(String::as_str)
    }

    /// The `Set-Cookie` values of the last answer.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }

    /// A request for `path` the caller builds further (a form without its CSRF token, say), to [`send`].
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base))
    }

    /// Signs in on the portal's own pages (email, then password).
    pub async fn sign_in_to_portal(&mut self, email: &str, password: &str) {
        let (_, _, page) = self.get("/signin").await;
        let (status, _, _) = self.submit("/signin", &page, &[("email", email)]).await;
        assert_eq!(status, 303);
        let (_, _, page) = self.get("/signin/password").await;
        let (status, location, page) = self
            .submit("/signin/password", &page, &[("password", password)])
            .await;
        assert_eq!(status, 303, "{page}");
        assert_ne!(location, "/signin/password", "signed in");
    }
}

/// A client that trusts the server's CA and follows no redirect.
pub fn client_without_redirects(srv: &TestServer) -> reqwest::Client {
    let ca = std::fs::read(&srv.ca_path).expect("the server's CA");
    reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&ca).unwrap()])
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A page's text as a reader sees it: askama's escapes of quotes and apostrophes undone.
pub fn as_read(page: &str) -> String {
    page.replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#x22;", "\"")
}

/// The value of the hidden `csrf` input of a page.
#[track_caller]
pub fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf\"")
        .unwrap_or_else(|| panic!("a form: {html}"));
    let tag_end = at + html[at..].find('>').unwrap();
    let tag_start = html[..at].rfind('<').unwrap();
    let tag = &html[tag_start..tag_end];
    let v = tag.find("value=\"").unwrap() + 7;
    tag[v..v + tag[v..].find('"').unwrap()].to_string()
}

/// Percent-encodes a query component (RFC 3986 unreserved characters stay).
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The query parameters of a URL (a redirect's `Location`), decoded.
pub fn query_of(location: &str) -> HashMap<String, String> {
    let query = location.split_once('?').map(|(_, q)| q).unwrap_or_default();
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), decode(v)))
        .collect()
}

/// Percent- and `+`-decoding of a query component.
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}
