//! The portal in Dutch and English: the language follows the browser's `Accept-Language` until the
//! person picks one with the footer's switch, which a cookie remembers; the APIs stay English.

use crate::support::*;
use reqwest::StatusCode;

/// A browser asking for `languages`, with every page read as a person reads it (apostrophes unescaped).
struct Reader(Browser);

impl Reader {
    fn new(srv: &TestServer, languages: &str) -> Reader {
        Reader(Browser::new(srv).speaking(languages))
    }

    async fn get(&mut self, path: &str) -> (StatusCode, String, String) {
        let (status, location, page) = self.0.get(path).await;
        (status, location, as_read(&page))
    }

    async fn submit(
        &mut self,
        path: &str,
        page: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String, String) {
        self.0.submit(path, page, fields).await
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
        b.0.sign_in_to_portal("alice@outlook.com", "Alice-2017!")
            .await;

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
        let set_cookies = b.0.set_cookies();
        let set = set_cookies.iter().find(|c| c.starts_with("lang=")).unwrap();
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
        let forged =
            b.0.request(reqwest::Method::POST, "/language")
                .form(&[("lang", "en")]);
        let (status, _, _) = b.0.send(forged).await;
        assert_eq!(status, 403);
        assert_eq!(b.0.cookie_named("lang"), Some("nl"));

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
