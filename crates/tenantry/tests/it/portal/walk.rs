//! Every page of the portal on the demo world, in English and in Dutch, checked with axe-core at desktop
//! width (1280 px) and at phone widths (390 px, and 360 px, the narrowest common phone): the sign-in
//! pages, then every page
//! reached by following links as Alice (a personal account with a subscription) and as Contoso's Global
//! Administrator (the directory pages). At phone widths, nothing scrolls sideways but inside a table's
//! own scroll container.

use super::*;

/// Every page is checked at each of these widths.
const WIDTHS: [u32; 3] = [DESKTOP, PHONE, 360];

/// Links are followed to this many distinct pages per person, enough for every kind of page.
const MOST_PAGES: usize = 60;

/// A page's kind: its path with the ids and names in it replaced by `*`, so that twenty users' pages
/// count as one page (the query is left out: it filters, it does not make another page).
fn kind_of(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let mut out = Vec::new();
    let mut named = false;
    for seg in path.split('/') {
        let id = uuid::Uuid::parse_str(seg).is_ok();
        out.push(if id || named { "*" } else { seg });
        // A collection's next segment names one of its members.
        named = matches!(
            seg,
            "resourceGroups" | "users" | "groups" | "applications" | "link-requests" | "incoming"
        );
    }
    out.join("/")
}

/// The portal pages a link of the page shown leads to.
async fn links(b: &Browser) -> Vec<String> {
    let hrefs = b
        .client
        .execute(
            "return [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))",
            vec![],
        )
        .await
        .expect("links");
    hrefs
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|h| h.as_str())
        .map(|h| h.split('#').next().unwrap_or_default().to_string())
        .filter(|h| h.starts_with('/') && !h.starts_with("//") && !h.starts_with("/static/"))
        .collect()
}

/// The pages a person signed in reaches from the dashboard, one of each kind, in the order found.
async fn crawl(b: &Browser) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut pages = Vec::new();
    let mut queue = std::collections::VecDeque::from([String::from("/")]);
    while let Some(page) = queue.pop_front() {
        if pages.len() >= MOST_PAGES || !seen.insert(kind_of(&page)) {
            continue;
        }
        b.goto(&page).await;
        b.find("main").await;
        if b.path().await.starts_with("/signin") {
            continue;
        }
        pages.push(page);
        queue.extend(links(b).await);
    }
    pages
}

/// What fails on the page shown at the window's width: axe-core's serious and critical violations
/// and, narrower than a desktop, a page wider than the window.
async fn problems(b: &Browser, width: u32) -> Vec<String> {
    let mut found = b.axe_violations().await;
    if width < DESKTOP {
        found.extend(b.sideways_scroll().await);
    }
    found.extend(repeated_labels(b).await);
    found
}

/// Form labels that say the same as another on the page: a person (or a screen reader's list of
/// controls) cannot tell those fields apart.
async fn repeated_labels(b: &Browser) -> Vec<String> {
    let labels = b
        .client
        .execute(
            "return [...document.querySelectorAll('label')].map(l => l.textContent.trim().replace(/\\s+/g, ' '))",
            vec![],
        )
        .await
        .expect("labels");
    let mut seen = std::collections::HashSet::new();
    labels
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|l| l.as_str().map(str::to_string))
        .filter(|l| !seen.insert(l.to_lowercase()))
        .map(|l| format!("two fields are labelled '{l}'"))
        .collect()
}

/// Checks `pages` at every width; the failures, page by page.
async fn check(b: &Browser, pages: &[String], failures: &mut Vec<String>) {
    for width in WIDTHS {
        b.resize(width).await;
        for page in pages {
            b.goto(page).await;
            b.find("main").await;
            for p in problems(b, width).await {
                failures.push(format!("{page} at {width} px: {p}"));
            }
            if width == PHONE && page == "/" {
                b.snapshot("70-dashboard-phone").await;
            }
        }
    }
    b.resize(DESKTOP).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_every_page_passes_axe_at_desktop_and_phone_width() {
    let store = tenantry_store::testing::sqlite().await;
    let server = TestServer::demo(&store).await;
    let b = Browser::open(&server).await;
    let mut failures = Vec::new();
    let mut walked = Vec::new();

    // Signed out: the sign-in pages and the device-code page.
    for width in WIDTHS {
        b.resize(width).await;
        b.goto("/signin").await;
        b.find("#email").await;
        let mut here = vec![("/signin".to_string(), problems(&b, width).await)];
        b.fill("#email", ALICE.0).await;
        b.click("#next").await;
        b.find("#password").await;
        here.push(("/signin/password".into(), problems(&b, width).await));
        b.goto("/devicelogin").await;
        b.find("main").await;
        here.push(("/devicelogin".into(), problems(&b, width).await));
        for (page, found) in here {
            if width == DESKTOP {
                walked.push(page.clone());
            }
            for p in found {
                failures.push(format!("{page} at {width} px: {p}"));
            }
        }
    }
    b.resize(DESKTOP).await;

    // Each person in English, then in Dutch (its longer words must not make a page scroll sideways
    // either): the footer's switch on the sign-in page chooses the language.
    for (lang, (email, password)) in [("en", ALICE), ("en", ADMIN), ("nl", ALICE), ("nl", ADMIN)] {
        b.goto("/signin").await;
        // The switch offers only the other language: present unless the page speaks `lang` already.
        if !b.text(&format!("#language-{lang}")).await.is_empty() {
            b.click(&format!("#language-{lang}")).await;
            b.find(&format!("html[lang=\"{lang}\"]")).await;
        }
        b.sign_in(email, password, None).await;
        let pages = crawl(&b).await;
        check(&b, &pages, &mut failures).await;
        walked.extend(pages);
        // The page of a subscription that does not exist (the error page).
        let missing = format!("/portal/subscriptions/{}", uuid::Uuid::nil());
        check(&b, std::slice::from_ref(&missing), &mut failures).await;
        walked.push(missing);
        b.sign_out().await;
        walked.push("/signed-out".into());
        check(&b, &["/signed-out".to_string()], &mut failures).await;
    }

    eprintln!("pages walked: {walked:#?}");
    assert!(
        walked.len() > 20,
        "the walk reached only {walked:?}: links were not followed"
    );
    assert!(
        walked
            .iter()
            .any(|p| kind_of(p) == "/hierarchy/groups/*/access"),
        "the walk did not reach a management group's access control: {walked:?}"
    );
    assert!(
        failures.is_empty(),
        "{} problems on the {} pages walked:\n{}",
        failures.len(),
        walked.len(),
        failures.join("\n")
    );
    b.close().await;
}
