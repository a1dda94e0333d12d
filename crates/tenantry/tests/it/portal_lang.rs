//! The portal in Dutch and English: the language follows the browser's `Accept-Language` until the
//! person picks one with the footer's switch, which a cookie remembers; the APIs stay English.

use crate::support::*;
use reqwest::StatusCode;
use std::collections::BTreeMap;

/// A browser that sends an `Accept-Language` and keeps every cookie the server sets (the session's
/// and the language's).
struct Reader<'a> {
    srv: &'a TestServer,
    http: reqwest::Client,
    accept_language: &'static str,
    cookies: BTreeMap<String, String>,
    /// The `Set-Cookie` values of the last answer.
    set_cookies: Vec<String>,
}

impl<'a> Reader<'a> {
    fn new(srv: &'a TestServer, accept_language: &'static str) -> Reader<'a> {
        Reader {
            srv,
            http: client_without_redirects(srv),
            accept_language,
            cookies: BTreeMap::new(),
            set_cookies: Vec::new(),
        }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> (StatusCode, String, String) {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let r = req
            .header("accept-language", self.accept_language)
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        self.set_cookies.clear();
        for v in r.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap().to_string();
            let pair = v.split(';').next().unwrap();
            let (k, val) = pair.split_once('=').unwrap();
            self.cookies.insert(k.to_string(), val.to_string());
            self.set_cookies.push(v);
        }
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string())
            .unwrap_or_default();
        // Askama writes an apostrophe as `&#39;` ("Directory&#39;s"): compared as a reader sees it.
        let status = r.status();
        let body = r.text().await.unwrap().replace("&#39;", "'");
        (status, location, body)
    }

    async fn get(&mut self, path: &str) -> (StatusCode, String, String) {
        let req = self.http.get(self.srv.url(path));
        self.send(req).await
    }

    async fn submit(
        &mut self,
        path: &str,
        page: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String, String) {
        let csrf = csrf_of(page);
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        let req = self.http.post(self.srv.url(path)).form(&form);
        self.send(req).await
    }

    async fn sign_in(&mut self, email: &str, password: &str) {
        let (_, _, page) = self.get("/signin").await;
        let (status, _, _) = self.submit("/signin", &page, &[("email", email)]).await;
        assert_eq!(status, 303);
        let (_, _, page) = self.get("/signin/password").await;
        let (status, location, page) = self
            .submit("/signin/password", &page, &[("password", password)])
            .await;
        assert_eq!(status, 303, "{page}");
        assert_eq!(location, "/", "signed in");
    }
}

#[tokio::test]
async fn portal_speaks_dutch_from_accept_language_and_remembers_the_footer_switch() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let mut b = Reader::new(&srv, "nl-NL,nl;q=0.9,en;q=0.8");

        // The sign-in pages already speak Dutch.
        let (_, _, page) = b.get("/signin").await;
        assert!(page.contains("<html lang=\"nl\">"), "{page}");
        assert!(
            page.contains("Aanmelden") && page.contains("Volgende"),
            "{page}"
        );
        b.sign_in("alice@outlook.com", "Alice-2017!").await;

        // The dashboard, in Dutch: greeting, headings, table headers, navigation, footer.
        let (status, _, page) = b.get("/").await;
        assert_eq!(status, 200);
        assert!(page.contains("<html lang=\"nl\">"), "{page}");
        for words in [
            "Welkom, ",
            "Mijn abonnementen",
            "Mijn directory's",
            "Afmelden",
            "Beheergroepen",
            "Taal",
        ] {
            assert!(page.contains(words), "{words}: {page}");
        }
        assert!(!page.contains("My subscriptions"), "{page}");

        // A refusal's page keeps the Dutch frame.
        let (status, _, page) = b
            .get(&format!("/portal/subscriptions/{}", uuid::Uuid::new_v4()))
            .await;
        assert!(status.is_client_error(), "{status}");
        assert!(page.contains("<html lang=\"nl\">"), "{page}");
        assert!(
            page.contains("Naar het dashboard") && page.contains("Directory's"),
            "{page}"
        );

        // The footer's switch: English, remembered for a year, whatever the browser asks for.
        let (_, _, page) = b.get("/").await;
        assert!(page.contains("name=\"lang\" value=\"en\""), "{page}");
        let (status, location, _) = b
            .submit(
                "/language",
                &page,
                &[("lang", "en"), ("back", "/directories")],
            )
            .await;
        assert_eq!(status, 303);
        assert_eq!(location, "/directories");
        let set = b
            .set_cookies
            .iter()
            .find(|c| c.starts_with("lang="))
            .unwrap();
        for attribute in [
            "lang=en",
            "Max-Age=31536000",
            "SameSite=Lax",
            "Secure",
            "Path=/",
        ] {
            assert!(set.contains(attribute), "{attribute}: {set}");
        }
        let (_, _, page) = b.get("/directories").await;
        assert!(page.contains("<html lang=\"en\">"), "{page}");
        assert!(
            page.contains("Your directories") && page.contains("Sign out"),
            "{page}"
        );
        let (_, _, page) = b.get("/").await;
        assert!(
            page.contains("My subscriptions") && page.contains("Welcome, "),
            "{page}"
        );

        // And back to Dutch.
        let (status, _, _) = b
            .submit("/language", &page, &[("lang", "nl"), ("back", "/")])
            .await;
        assert_eq!(status, 303);
        let (_, _, page) = b.get("/").await;
        assert!(page.contains("Mijn abonnementen"), "{page}");

        // A forged switch (no CSRF token) changes nothing.
        let forged = b.http.post(srv.url("/language")).form(&[("lang", "en")]);
        let (status, _, _) = b.send(forged).await;
        assert_eq!(status, 403);
        assert_eq!(b.cookies.get("lang").map(String::as_str), Some("nl"));

        // The APIs stay English whatever the language (here: the portal's error code in the markup).
        let (_, _, page) = b
            .get(&format!("/portal/subscriptions/{}", uuid::Uuid::new_v4()))
            .await;
        assert!(page.contains("data-code=\""), "{page}");
    }
}

#[tokio::test]
async fn portal_stays_english_without_a_preference() {
    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    for accept in ["", "de-DE,fr;q=0.8", "en-GB"] {
        let mut b = Reader::new(&srv, accept);
        let (_, _, page) = b.get("/signin").await;
        assert!(page.contains("<html lang=\"en\">"), "{accept}: {page}");
        assert!(page.contains("Email or user name"), "{page}");
    }
}
