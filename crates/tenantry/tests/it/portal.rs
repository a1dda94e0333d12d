//! The portal in real headless Chromium (Debian's `chromium` and `chromium-driver`, driven with
//! fantoccini over WebDriver): the article's three steps end to end on the demo world, the refusals with
//! their remedies, the dual-identity picker, CSRF rejection, and accessibility checks on every screen
//! (basic ones, and axe-core at desktop and at phone width; `walk` checks every page the same way). Each
//! screen is saved to docs/screenshots/ (listed in docs/portal.md).
//!
//! chromedriver is started per test on a free port (`TENANTRY_CHROMEDRIVER` names the binary, default
//! /usr/bin/chromedriver; `TENANTRY_WEBDRIVER_URL` uses a running one instead). Browsers run one at a
//! time: two cores do not run several Chromiums well. `TENANTRY_AXE` names axe-core's `axe.min.js`
//! (scripts/test.sh installs it).

mod group_access;
mod hierarchy;
mod tag_names;
mod walk;
mod workloads;

use crate::support::*;
use fantoccini::{Client, ClientBuilder, Locator};
use reqwest::Method;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The widths the pages are checked at: a desktop's, and a phone's (issue 14).
const DESKTOP: u32 = 1280;
const PHONE: u32 = 390;

static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Browser {
    client: Client,
    base: String,
    driver: Option<Child>,
    _profile: tenantry_store::testing::TempDir,
    _one: tokio::sync::MutexGuard<'static, ()>,
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(mut d) = self.driver.take() {
            let _ = d.kill();
            let _ = d.wait();
        }
    }
}

fn chromedriver() -> PathBuf {
    let path =
        std::env::var("TENANTRY_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let path = PathBuf::from(path);
    assert!(
        path.exists() && PathBuf::from("/usr/bin/chromium").exists(),
        "the browser tests need Debian's chromium and chromium-driver ({} is missing): run scripts/test.sh, which installs them",
        path.display()
    );
    path
}

/// axe-core's `axe.min.js`, which scripts/test.sh installs (pinned) and names in `TENANTRY_AXE`.
fn axe_source() -> &'static str {
    static AXE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    AXE.get_or_init(|| {
        let path = std::env::var("TENANTRY_AXE").unwrap_or_default();
        assert!(
            !path.is_empty(),
            "the browser tests check every page with axe-core: TENANTRY_AXE must name its axe.min.js (scripts/test.sh installs it into target/axe and sets it)"
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("TENANTRY_AXE={path}: {e} (scripts/test.sh installs axe-core there)")
        })
    })
}

async fn start_driver() -> (String, Option<Child>) {
    if let Ok(url) = std::env::var("TENANTRY_WEBDRIVER_URL") {
        return (url, None);
    }
    let bin = chromedriver();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let start = std::time::Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (format!("http://127.0.0.1:{port}"), Some(child))
}

impl Browser {
    async fn open(server: &TestServer) -> Browser {
        // Every screen is checked with axe-core: without it, fail now rather than half-way.
        axe_source();
        let one = ONE_BROWSER.lock().await;
        let (url, driver) = start_driver().await;
        let profile = tenantry_store::testing::TempDir::new("tenantry-chromium").unwrap();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--ignore-certificate-errors", "--window-size=1280,1000", "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&url)
            .await
            .expect("a WebDriver session with headless Chromium");
        Browser {
            client,
            base: server.base_url.clone(),
            driver,
            _profile: profile,
            _one: one,
        }
    }

    async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .expect("navigate");
    }

    async fn path(&self) -> String {
        let u = self.client.current_url().await.unwrap();
        match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        }
    }

    /// Waits for the element. A look-up that lands while the page is navigating (after a form post)
    /// fails with "aborted by navigation" rather than "not found"; fantoccini's own wait gives up on
    /// that, so this one asks again until the deadline.
    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            match self.client.find(Locator::Css(css)).await {
                Ok(e) => return e,
                Err(e) if std::time::Instant::now() >= deadline => panic!(
                    "no element '{css}' on {}: {e}\n{}",
                    self.path().await,
                    self.text("body").await
                ),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    async fn fill(&self, css: &str, value: &str) {
        let e = self.find(css).await;
        e.clear().await.unwrap();
        e.send_keys(value).await.unwrap();
    }

    async fn select(&self, css: &str, label_contains: &str) {
        let e = self.find(css).await;
        let options = e.find_all(Locator::Css("option")).await.unwrap();
        for o in options {
            if o.text().await.unwrap().contains(label_contains) {
                o.click().await.unwrap();
                return;
            }
        }
        panic!("no option containing '{label_contains}' in {css}");
    }

    async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap();
    }

    async fn text(&self, css: &str) -> String {
        match self.client.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// The text of `css` once `ready` holds for it (a page that a click replaces shows the old text first).
    async fn text_when(&self, css: &str, ready: impl Fn(&str) -> bool) -> String {
        let start = std::time::Instant::now();
        loop {
            let text = self.text(css).await;
            if !text.is_empty() && ready(&text) {
                return text;
            }
            if start.elapsed() > Duration::from_secs(15) {
                panic!(
                    "'{css}' on {} never showed what the test waits for:\n{text}",
                    self.path().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for a heading that contains `want`: right after a click the old page may still be shown.
    async fn expect_h1(&self, want: &str) {
        self.text_when("h1", |h1| h1.contains(want)).await;
    }

    /// Waits for `needle` anywhere on the page.
    async fn expect_text(&self, needle: &str) {
        self.text_when("body", |body| body.contains(needle)).await;
    }

    /// Scrolls the element to the top of the window (what a screenshot of a long page should show).
    async fn scroll_to(&self, css: &str) {
        self.find(css).await;
        self.client
            .execute(
                "document.querySelector(arguments[0]).scrollIntoView({block: 'start'})",
                vec![json!(css)],
            )
            .await
            .expect("scroll");
    }

    /// Saves the screen as NAME.png (see below for where) and checks its accessibility: the basic
    /// checks below, then axe-core at desktop width and, with the page not scrolling sideways, at phone
    /// width.
    async fn screen(&self, name: &str) {
        self.checked_screen(name, false).await;
    }

    /// [`Browser::screen`], saving the phone width's screen too, as NAME-phone.png: the main steps of
    /// the article are shown at both widths.
    async fn screen_both(&self, name: &str) {
        self.checked_screen(name, true).await;
    }

    async fn checked_screen(&self, name: &str, phone_too: bool) {
        self.check_accessibility().await;
        self.assert_axe_clean().await;
        self.resize(PHONE).await;
        let mut phone = self.axe_violations().await;
        phone.extend(self.sideways_scroll().await);
        if phone_too && phone.is_empty() {
            self.reveal_refusal().await;
            self.snapshot(&format!("{name}-phone")).await;
        }
        self.resize(DESKTOP).await;
        assert!(
            phone.is_empty(),
            "at {PHONE} px, {}:\n  {}",
            self.path().await,
            phone.join("\n  ")
        );
        self.reveal_refusal().await;
        self.snapshot(name).await;
    }

    /// Scrolls a refused field, when the page has one, to the middle of the window, so that a screenshot
    /// shows the refusal next to its field rather than the top of a long page.
    async fn reveal_refusal(&self) {
        self.client
            .execute(
                "const f = document.querySelector('[aria-invalid=\"true\"]'); \
                 if (f) f.scrollIntoView({block: 'center'}); return null",
                vec![],
            )
            .await
            .expect("scroll to the refused field");
    }

    /// Saves the window as NAME.png, in docs/screenshots when TENANTRY_SCREENSHOTS says so.
    async fn snapshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        // docs/screenshots is refreshed on purpose (TENANTRY_SCREENSHOTS=docs/screenshots); ordinary runs
        // keep theirs under target/ so that running the tests leaves the work tree as it was.
        let dir = match std::env::var("TENANTRY_SCREENSHOTS") {
            Ok(d) if !d.is_empty() => repo_root().join(d),
            _ => repo_root().join("target/screenshots"),
        };
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// Every visible form control has a label; one h1, first; heading levels never skip; landmarks.
    async fn check_accessibility(&self) {
        let report: Value = self
            .client
            .execute(
                r##"
                const problems = [];
                for (const el of document.querySelectorAll('input, select, textarea')) {
                  if (el.type === 'hidden') continue;
                  const labelled = (el.id && document.querySelector('label[for="' + el.id + '"]'))
                    || el.closest('label') || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
                  if (!labelled) problems.push('unlabelled ' + el.tagName + ' ' + (el.name || el.id));
                }
                const hs = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => +h.tagName[1]);
                if (hs.length === 0 || hs[0] !== 1) problems.push('the first heading is not h1: ' + hs.join(','));
                if (hs.filter(l => l === 1).length !== 1) problems.push('not exactly one h1: ' + hs.join(','));
                for (let i = 1; i < hs.length; i++) if (hs[i] > hs[i - 1] + 1) problems.push('heading level skips: ' + hs.join(','));
                if (!document.querySelector('main')) problems.push('no main landmark');
                for (const el of document.querySelectorAll('[tabindex]')) {
                  if (el.tabIndex > 0) problems.push('a positive tabindex breaks the keyboard order');
                }
                if (!document.querySelector('a.skip-link[href="#main"]')) problems.push('no skip link');
                if (!document.documentElement.lang) problems.push('no lang');
                for (const b of document.querySelectorAll('button, a')) {
                  if (!(b.textContent.trim() || b.getAttribute('aria-label'))) problems.push('a control without a name');
                }
                return problems;
                "##,
                vec![],
            )
            .await
            .expect("accessibility script");
        let problems = report.as_array().cloned().unwrap_or_default();
        assert!(
            problems.is_empty(),
            "accessibility problems on {}: {problems:?}",
            self.path().await
        );
    }

    /// axe-core's serious and critical violations of WCAG 2 A and AA on the page shown, one line each
    /// (rule, impact, what it means, then every element: its selector and what fails there). axe is
    /// injected into the page when it is not there yet (each navigation starts without it).
    async fn axe_violations(&self) -> Vec<String> {
        let loaded = self
            .client
            .execute("return typeof window.axe === 'object'", vec![])
            .await
            .expect("ask for axe");
        if loaded != Value::Bool(true) {
            let script = format!("{}\nreturn typeof window.axe;", axe_source());
            let kind = self
                .client
                .execute(&script, vec![])
                .await
                .expect("inject axe-core");
            assert_eq!(
                kind,
                "object",
                "axe-core did not load into {}",
                self.path().await
            );
        }
        let report = self
            .client
            .execute_async(
                r##"
                const done = arguments[arguments.length - 1];
                axe.run(document, {
                  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']},
                  resultTypes: ['violations'],
                }).then(r => done(r.violations
                  .filter(v => v.impact === 'serious' || v.impact === 'critical')
                  .map(v => v.id + ' (' + v.impact + '): ' + v.help + v.nodes
                    .map(n => '\n    ' + n.target.join(' ') + ': '
                      + (n.failureSummary || '').replace(/\s*\n\s*/g, ' ')).join(''))))
                 .catch(e => done(['axe failed: ' + e]));
                "##,
                vec![],
            )
            .await
            .expect("axe.run");
        report
            .as_array()
            .unwrap_or_else(|| panic!("axe's answer: {report}"))
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Fails on any serious or critical axe-core violation of the page shown.
    async fn assert_axe_clean(&self) {
        let violations = self.axe_violations().await;
        assert!(
            violations.is_empty(),
            "axe-core on {} ({} px wide):\n  {}",
            self.path().await,
            self.width().await,
            violations.join("\n  ")
        );
    }

    /// When the page is wider than the window (it scrolls sideways): how wide, and the first elements
    /// that stick out (those inside a table's own scroll container do not count).
    async fn sideways_scroll(&self) -> Option<String> {
        let wide = self
            .client
            .execute(
                r##"
                const doc = document.documentElement;
                if (doc.scrollWidth <= window.innerWidth) return null;
                const culprits = [...document.querySelectorAll('body *')]
                  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                    && !e.closest('.table-scroll'))
                  .slice(0, 5)
                  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                    + (typeof e.className === 'string' && e.className.trim()
                      ? '.' + e.className.trim().split(/\s+/).join('.') : '')
                    + ' (' + Math.round(e.getBoundingClientRect().right) + ' px)');
                return 'the page scrolls sideways: ' + doc.scrollWidth + ' px wide in a window of '
                  + window.innerWidth + ' px; ' + culprits.join(', ');
                "##,
                vec![],
            )
            .await
            .expect("page width");
        wide.as_str().map(str::to_string)
    }

    /// Makes the window `width` CSS pixels wide (the page lays itself out again).
    async fn resize(&self, width: u32) {
        self.client
            .set_window_size(width, 1000)
            .await
            .expect("resize the window");
        let inner = self.width().await;
        assert!(
            (inner - i64::from(width)).abs() <= 16,
            "the window is {inner} px wide, not {width}"
        );
    }

    /// The window's inner width in CSS pixels.
    async fn width(&self) -> i64 {
        self.client
            .execute("return window.innerWidth", vec![])
            .await
            .expect("window width")
            .as_i64()
            .unwrap_or_default()
    }

    async fn sign_in(&self, email: &str, password: &str, account_type: Option<&str>) {
        self.goto("/signin").await;
        self.type_credentials_with(email, password, account_type)
            .await;
        self.find("#signed-in-as").await;
    }

    /// Types the email and the password on the sign-in page shown (wherever it was reached from).
    async fn type_credentials(&self, email: &str, password: &str) {
        self.type_credentials_with(email, password, None).await;
    }

    async fn type_credentials_with(&self, email: &str, password: &str, account_type: Option<&str>) {
        self.fill("#email", email).await;
        self.click("#next").await;
        if let Some(t) = account_type {
            self.find("#picker-email").await;
            self.click(&format!("#type-{t}")).await;
            self.click("#continue").await;
        }
        self.fill("#password", password).await;
        self.click("#sign-in").await;
    }

    async fn sign_out(&self) {
        self.click("#sign-out").await;
        self.find("#sign-in-again").await;
    }

    async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

const ALICE: (&str, &str) = ("alice@outlook.com", "Alice-2017!");
const ADMIN: (&str, &str) = ("admin@contoso.onmicrosoft.com", "Contoso-Admin-1!");
const MEGAN: (&str, &str) = ("megan@contoso.onmicrosoft.com", "Megan-Contoso-1!");
const LEE: (&str, &str) = ("lee@contoso.onmicrosoft.com", "Lee-Contoso-1!");
const DAVE: (&str, &str) = ("dave@outlook.com", "Dave-2017!");

/// The session cookie a response sets (`name=value`).
fn cookie_of(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get("set-cookie")
        .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_string())
}

/// The CSRF token of a page's forms.
fn csrf_in(html: &str) -> String {
    let at =
        html.find("name=\"csrf\" value=\"").expect("a csrf field") + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_string()
}

/// A page's markup with askama's escapes undone, to find a message in it as a person reads it.
fn unescaped(html: &str) -> String {
    html.replace("&#39;", "'")
        .replace("&#34;", "\"")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
}

/// What a page's first message says, as ARM and Graph word a refusal: its message, then its remedy.
fn flash_words(html: &str) -> String {
    let html = unescaped(html);
    let between = |from: &str, at: usize| -> Option<(usize, String)> {
        let start = html[at..].find(from)? + at + from.len();
        let end = html[start..].find("</p>")? + start;
        Some((end, html[start..end].to_string()))
    };
    let (end, message) = between("<p class=\"flash-message\">", 0).expect("a message");
    match between("<strong>What to do:</strong> ", end) {
        Some((_, remedy)) => format!("{message} {remedy}"),
        None => message,
    }
}

/// An ARM or Graph refusal: its status (403) and code checked, its words returned.
#[track_caller]
fn refused(status: reqwest::StatusCode, body: &Value, code: &str) -> String {
    assert_eq!(
        (status.as_u16(), body["error"]["code"].as_str()),
        (403, Some(code)),
        "{body}"
    );
    body["error"]["message"].as_str().unwrap().to_string()
}

/// The refusal code an error page carries (`data-code`), as ARM and Graph send it.
fn page_code(html: &str) -> Option<String> {
    let at = html.find("data-code=\"")? + "data-code=\"".len();
    html[at..].split('"').next().map(str::to_string)
}

/// The portal over plain HTTPS, without a browser: the session cookie and the CSRF token carried by
/// hand, redirects not followed (each answer is looked at as it comes).
struct Portal<'a> {
    server: &'a TestServer,
    http: reqwest::Client,
    /// The session cookie (`name=value`), once the server gave one.
    cookie: Option<String>,
    csrf: String,
}

impl<'a> Portal<'a> {
    /// A client that trusts the server's CA and does not follow redirects.
    fn client(server: &TestServer) -> reqwest::Client {
        let ca = std::fs::read(&server.ca_path).unwrap();
        reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(&ca).unwrap()])
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// A browser without a session yet.
    fn anonymous(server: &'a TestServer) -> Portal<'a> {
        Portal {
            server,
            http: Self::client(server),
            cookie: None,
            csrf: String::new(),
        }
    }

    /// Signs in with the portal's forms (an email that is one account only).
    async fn sign_in(server: &'a TestServer, email: &str, password: &str) -> Portal<'a> {
        let mut p = Self::anonymous(server);
        assert_eq!(p.log_in(email, password).await, "/", "{email} signed in");
        let (status, _) = p.get("/").await;
        assert_eq!(status, 200);
        p
    }

    /// The sign-in pages, from the email to the password; where the portal then sends the browser.
    async fn log_in(&mut self, email: &str, password: &str) -> String {
        self.get("/signin").await;
        let r = self.post("/signin", &[("email", email)]).await;
        assert_eq!(r.headers()["location"], "/signin/password");
        let before = self.cookie.clone();
        let r = self
            .post("/signin/password", &[("password", password)])
            .await;
        assert_ne!(self.cookie, before, "signing in gives a new session id");
        r.headers()["location"].to_str().unwrap().to_string()
    }

    /// Sends a request with the session cookie, and keeps the cookie the answer sets.
    async fn send(&mut self, request: reqwest::RequestBuilder) -> reqwest::Response {
        let request = match &self.cookie {
            Some(c) => request.header("cookie", c),
            None => request,
        };
        let r = request.send().await.unwrap();
        if let Some(c) = cookie_of(&r) {
            self.cookie = Some(c);
        }
        r
    }

    /// A page: its status and markup (the CSRF token of its forms is kept for the next post).
    async fn get(&mut self, path: &str) -> (u16, String) {
        let r = self.send(self.http.get(self.server.url(path))).await;
        let status = r.status().as_u16();
        let html = r.text().await.unwrap();
        if html.contains("name=\"csrf\" value=\"") {
            self.csrf = csrf_in(&html);
        }
        (status, html)
    }

    /// A form, with the session's CSRF token.
    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let mut fields = vec![("csrf", self.csrf.clone())];
        fields.extend(form.iter().map(|(k, v)| (*k, v.to_string())));
        let request = self.http.post(self.server.url(path)).form(&fields);
        self.send(request).await
    }

    /// Posts a form and reads the page it leads to (where its message is shown).
    async fn submit(&mut self, path: &str, form: &[(&str, &str)]) -> String {
        let r = self.post(path, form).await;
        assert_eq!(r.status(), 303, "{path} answers with a redirect");
        let to = r.headers()["location"].to_str().unwrap().to_string();
        self.get(&to).await.1
    }
}

/// The article's three steps, from sign-in to a co-administrator's first sign-in, with the refusals on
/// the way and a screenshot of each screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_article_end_to_end() {
    let store = tenantry_store::testing::sqlite().await;
    let server = TestServer::demo(&store).await;
    let sub = payg(&server.svc);
    let b = Browser::open(&server).await;

    // Sign in: the email page, then the password page.
    b.goto("/").await;
    assert!(
        b.path().await.starts_with("/signin"),
        "the dashboard asks to sign in first"
    );
    b.screen_both("01-sign-in").await;
    // By keyboard only: the field has the focus, Enter sends the form.
    let focused = b.client.active_element().await.unwrap();
    assert_eq!(focused.attr("id").await.unwrap().as_deref(), Some("email"));
    focused
        .send_keys(&format!("{}\u{E007}", ALICE.0))
        .await
        .unwrap();
    b.find("#password").await;
    b.screen("02-password").await;
    let focused = b.client.active_element().await.unwrap();
    assert_eq!(
        focused.attr("id").await.unwrap().as_deref(),
        Some("password")
    );
    focused
        .send_keys(&format!("{}\u{E007}", ALICE.1))
        .await
        .unwrap();
    b.find("#subscriptions").await;
    b.expect_h1("Welcome, Alice").await;
    assert!(
        b.text("#signed-in-email")
            .await
            .contains("alice@outlook.com")
    );
    assert_eq!(b.text("#signed-in-as").await, "Alice alice@outlook.com");
    let subs = b.text("#subscriptions").await;
    assert!(
        subs.contains("Pay-As-You-Go") && subs.contains("Default Directory"),
        "{subs}"
    );
    assert!(
        !b.text("#directories").await.contains("Contoso"),
        "Contoso is not Alice's directory yet"
    );
    b.screen_both("03-dashboard").await;

    // Step 1: use existing directory. Refused first without "I am ready to be signed out".
    b.goto("/directories").await;
    b.screen("04-directories").await;
    b.click("#add-directory").await;
    b.find("#use-existing").await;
    b.screen("05-add-directory").await;
    b.click("#use-existing").await;
    b.fill("#directory", "contoso.onmicrosoft.com").await;
    b.screen_both("06-use-existing").await;
    b.click("#complete").await;
    b.expect_text("Tick 'I am ready to be signed out now'")
        .await;
    b.screen_both("07-refused-not-ready").await;
    b.fill("#directory", "contoso.onmicrosoft.com").await;
    b.click("#ready").await;
    b.click("#complete").await;
    b.find("#signed-out-notice").await;
    // Named as Alice typed it: the directory's display name is for its own people.
    assert!(
        b.text("#signed-out-notice")
            .await
            .contains("Global Administrator of contoso.onmicrosoft.com")
    );
    b.screen("08-signed-out-for-approval").await;

    // A user of Contoso who is not a Global Administrator is refused, with the remedy.
    b.click("#sign-in-again").await;
    b.find("#signin-notice").await;
    b.type_credentials(MEGAN.0, MEGAN.1).await;
    b.find("#error-message").await;
    b.expect_text("is not a Global Administrator or Global Reader of the directory 'Contoso'")
        .await;
    b.expect_text("What to do:").await;
    b.screen("09-refused-not-global-admin").await;
    let approval = b.path().await;
    assert!(approval.contains("/link-requests/"), "{approval}");
    b.sign_out().await;

    // Alice, back in the meantime, sees where her request stands, not the decision.
    b.goto(&approval).await;
    b.type_credentials(ALICE.0, ALICE.1).await;
    b.find("#link-approver").await;
    b.expect_h1("Your request to use contoso.onmicrosoft.com")
        .await;
    assert_eq!(b.text("#link-status").await, "Waiting for approval");
    b.find("#cancel-request").await;
    b.screen("09b-requester-waits").await;
    b.goto("/").await;
    assert!(
        b.text("#my-requests")
            .await
            .contains("contoso.onmicrosoft.com")
    );
    b.sign_out().await;

    // The Global Administrator of Contoso signs in and lands on the confirmation page.
    b.goto(&approval).await;
    assert!(b.path().await.starts_with("/signin"));
    b.type_credentials(ADMIN.0, ADMIN.1).await;
    b.find("#link-requester").await;
    assert_eq!(
        b.text("#link-requester").await,
        "Alice (alice@outlook.com)",
        "by name, with the email beside it"
    );
    assert!(b.text("#link-directory").await.contains("Contoso"));
    b.screen_both("10-approve-directory").await;
    b.click("#continue").await;
    b.find("#sign-out-now").await;
    assert_eq!(b.text("#link-status").await, "Approved");
    b.screen("11-sign-out-now").await;
    b.click("#sign-out-now").await;
    b.find("#signed-out-notice").await;
    assert!(
        b.text("#signed-out-notice")
            .await
            .contains("alice@outlook.com")
    );

    // The service administrator signs in again and sees the directory.
    b.click("#sign-in-again").await;
    b.type_credentials(ALICE.0, ALICE.1).await;
    b.find("#directories").await;
    assert!(
        b.text("#directories").await.contains("Contoso"),
        "{}",
        b.text("#directories").await
    );

    // Step 2: change the directory. The review lists every co-administrator AND role assignment.
    b.goto(&format!("/portal/subscriptions/{sub}")).await;
    b.find("#sub-directory").await;
    assert!(b.text("#sub-directory").await.contains("Default Directory"));
    // The service administrator is offered the change of directory.
    assert!(b.text("nav.tabs").await.contains("Change directory"));
    b.screen("12-subscription").await;
    b.goto(&format!("/portal/subscriptions/{sub}/access")).await;
    b.find("#role-assignments").await;
    b.screen("13-access-control").await;
    b.fill("#check-name", "c1000000-0000-4000-8000-000000000001")
        .await;
    b.click("#check-access").await;
    b.find("#check-result").await;
    let check = b.text("#check-result").await;
    assert!(check.contains("role 'Contributor' assigned at"), "{check}");
    b.screen("14-check-access").await;
    b.goto(&format!("/portal/subscriptions/{sub}/administrators"))
        .await;
    b.find("#administrators").await;
    assert!(b.text("#administrators").await.contains("dave@outlook.com"));
    b.screen("15-administrators-before").await;
    b.goto(&format!("/portal/subscriptions/{sub}/change-directory"))
        .await;
    b.select("#destination", "Contoso").await;
    b.fill(
        "#map",
        "erin@alicedefault.onmicrosoft.com = admin@contoso.onmicrosoft.com",
    )
    .await;
    b.screen_both("16-change-directory").await;
    b.click("#review").await;
    b.find("#removed-assignments").await;
    assert!(
        b.text("#removed-co-admins")
            .await
            .contains("dave@outlook.com")
    );
    let removed = b.text("#removed-assignments").await;
    assert!(
        removed.contains("erin@alicedefault.onmicrosoft.com"),
        "{removed}"
    );
    assert!(
        removed.contains("ServicePrincipal") && removed.contains("Contributor"),
        "the ci application: {removed}"
    );
    b.expect_text("Re-granted in Contoso through the principal map")
        .await;
    b.expect_text("admin@contoso.onmicrosoft.com — Reader on resourceGroups/rg1")
        .await;
    b.screen_both("17-review-change").await;
    b.find("#confirm-change").await;
    assert_eq!(
        b.text("#confirm-change").await,
        "Change the directory of Pay-As-You-Go to Contoso",
        "the button says what it does"
    );
    b.click("#confirm-change").await;
    b.find("#change-done").await;
    // What was removed and re-granted, by name; and Alice now works in Contoso.
    assert!(
        b.text("#removed-co-admins")
            .await
            .contains("Dave (dave@outlook.com)")
    );
    assert!(
        b.text("#removed-assignments")
            .await
            .contains("erin@alicedefault.onmicrosoft.com")
    );
    assert!(
        b.text("#regranted")
            .await
            .contains("admin@contoso.onmicrosoft.com: Reader on resourceGroups/rg1")
    );
    assert!(
        b.text("#change-done")
            .await
            .contains("You are now working in Contoso")
    );
    assert_eq!(b.text("#working-in").await, "Contoso");
    b.screen_both("18-directory-changed").await;
    assert_eq!(
        server
            .svc
            .read(|w| w.subscription(sub).unwrap().subscription.tenant),
        tenant_id(&server.svc, "contoso")
    );

    // Step 3: add megan as co-administrator.
    b.click("#go-administrators").await;
    b.find("#co-admin-email").await;
    b.fill("#co-admin-email", MEGAN.0).await;
    b.click("#add-co-admin").await;
    b.expect_text("Co-administrator added").await;
    assert!(b.text("#administrators").await.contains(MEGAN.0));
    b.screen("19-co-administrator-added").await;

    // Access control at resource-group scope: add a role assignment, then remove it.
    b.goto(&format!(
        "/portal/subscriptions/{sub}/resourceGroups/rg1/access"
    ))
    .await;
    b.select("#role", "Reader").await;
    b.fill("#principal_name", MEGAN.0).await;
    b.click("#add-assignment").await;
    b.expect_text("Role assigned").await;
    assert!(b.text("#role-assignments").await.contains("Megan Bowen"));
    b.screen("24-resource-group-access").await;
    b.click("#role-assignments button[aria-label^='Remove Reader of Megan']")
        .await;
    b.expect_text("Role assignment removed").await;

    // Activity log and support.
    b.goto("/activity").await;
    b.find("#events").await;
    assert!(
        b.text("#events")
            .await
            .contains("Microsoft.Subscription/changeTenantRequest/action")
    );
    b.screen("20-activity-log").await;
    b.fill("#f-actor", ADMIN.0).await;
    b.click("#apply-filter").await;
    // The filtered page replaces the unfiltered one: wait for it rather than read the old one.
    let by_admin = b
        .text_when("#events", |t| !t.contains("changeTenantRequest"))
        .await;
    assert!(
        by_admin.contains("tenantry/directoryLinkRequests/approve"),
        "{by_admin}"
    );
    assert!(!by_admin.contains("changeTenantRequest"), "{by_admin}");
    b.goto("/support").await;
    b.fill("#subject", "Key vault after the move").await;
    b.fill("#description", "Which tenant id does my key vault use now?")
        .await;
    b.click("#send-request").await;
    b.expect_text("Support request sent").await;
    assert!(
        b.text("#support-requests")
            .await
            .contains("Key vault after the move")
    );
    b.screen("21-support").await;
    let all = server
        .svc
        .all_support_requests(&tenantry_service::domain::Actor::Operator)
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].requester_name, "alice@outlook.com");
    b.sign_out().await;

    // Megan's first sign-in shows the subscription; Lee sees none.
    b.sign_in(MEGAN.0, MEGAN.1, None).await;
    b.find("#subscriptions").await;
    assert!(b.text("#subscriptions").await.contains("Pay-As-You-Go"));
    b.screen("22-co-administrator-first-sign-in").await;
    // A co-administrator may not change the service administrator: the page says who may, and offers
    // no form for it.
    b.goto(&format!("/portal/subscriptions/{sub}/administrators"))
        .await;
    b.expect_text("Only the account administrator can change the service administrator.")
        .await;
    assert!(
        b.client.find(Locator::Css("#sa-email")).await.is_err()
            && b.client.find(Locator::Css("#change-sa")).await.is_err(),
        "no form for what she may not do"
    );
    // Nor is a co-administrator offered the change of directory, which only the administrators start.
    let tabs = b.text("nav.tabs").await;
    assert!(
        tabs.contains("Administrators") && !tabs.contains("Change directory"),
        "{tabs}"
    );
    b.sign_out().await;
    b.sign_in(LEE.0, LEE.1, None).await;
    b.find("#no-subscriptions").await;
    b.screen("23-no-subscriptions").await;
    b.sign_out().await;

    // A co-administrator cannot add a directory: the page says why and what to do.
    b.sign_in(DAVE.0, DAVE.1, None).await;
    b.goto("/directories/use-existing").await;
    b.find("#not-service-admin").await;
    b.sign_out().await;
    b.close().await;
}

/// The article's journey in Dutch, chosen with the footer's switch before signing in and remembered
/// through every sign-out: each page in Dutch, axe-core clean and not scrolling sideways at 1280 and 390
/// px, the main steps saved at both widths (nl-*.png), and the API still in English.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_article_in_dutch() {
    let store = tenantry_store::testing::sqlite().await;
    let server = TestServer::demo(&store).await;
    let sub = payg(&server.svc);
    let b = Browser::open(&server).await;

    b.goto("/").await;
    b.find("#language-nl").await;
    b.click("#language-nl").await;
    b.expect_h1("Aanmelden").await;
    let lang = b
        .client
        .execute("return document.documentElement.lang", vec![])
        .await
        .unwrap();
    assert_eq!(lang, json!("nl"));
    b.screen_both("nl-01-sign-in").await;
    b.sign_in(ALICE.0, ALICE.1, None).await;
    b.expect_h1("Welkom, Alice").await;
    b.screen_both("nl-03-dashboard").await;

    // Step 1 in Dutch: refused first, next to the box, with what was typed kept.
    b.goto("/directories/use-existing").await;
    b.expect_h1("Bestaande directory gebruiken").await;
    b.fill("#directory", "contoso.onmicrosoft.com").await;
    b.screen_both("nl-06-use-existing").await;
    b.click("#complete").await;
    b.find("#ready-error").await;
    let refusal = b.text("#ready-error").await;
    assert!(
        !refusal.contains("Could not") && !refusal.contains("Tick"),
        "the refusal is in Dutch: {refusal}"
    );
    assert_eq!(
        b.find("#directory")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("contoso.onmicrosoft.com")
    );
    b.screen_both("nl-07-refused-not-ready").await;
    b.click("#ready").await;
    b.click("#complete").await;
    b.expect_h1("U bent afgemeld").await;

    // The Global Administrator approves, in Dutch too: the language is the browser's, not the account's.
    b.click("#sign-in-again").await;
    b.type_credentials(ADMIN.0, ADMIN.1).await;
    b.expect_h1("De directory Contoso met Azure gebruiken?")
        .await;
    b.screen_both("nl-10-approve-directory").await;
    b.click("#continue").await;
    b.find("#sign-out-now").await;
    b.click("#sign-out-now").await;
    b.find("#signed-out-notice").await;

    // Step 2 in Dutch: pick, review, change.
    b.click("#sign-in-again").await;
    b.type_credentials(ALICE.0, ALICE.1).await;
    b.find("#directories").await;
    b.goto(&format!("/portal/subscriptions/{sub}/change-directory"))
        .await;
    b.expect_h1("De directory van Pay-As-You-Go wijzigen").await;
    b.select("#destination", "Contoso").await;
    b.screen_both("nl-16-change-directory").await;
    b.click("#review").await;
    b.find("#removed-assignments").await;
    b.expect_h1("Controleren: Pay-As-You-Go verplaatsen van Default Directory naar Contoso")
        .await;
    b.screen_both("nl-17-review-change").await;
    let confirm = b.text("#confirm-change").await;
    assert!(
        confirm.contains("Pay-As-You-Go")
            && confirm.contains("Contoso")
            && !confirm.contains("Change"),
        "the button says what it does, in Dutch: {confirm}"
    );
    b.click("#confirm-change").await;
    b.find("#change-done").await;
    b.expect_h1("Pay-As-You-Go vertrouwt nu Contoso").await;
    b.screen_both("nl-18-directory-changed").await;

    // Back to English with the same switch, remembered on the next page. The switch reloads the page
    // it was clicked on: that page in English must have loaded before the next navigation, or it lands
    // after it (as it did once on a loaded machine, leaving the browser on the change-directory form).
    b.click("#language-en").await;
    b.find("html[lang='en']").await;
    b.goto("/").await;
    b.find("#subscriptions").await;
    b.expect_h1("Welcome, Alice").await;
    b.close().await;

    // The API is not the portal: ARM answers a Dutch-speaking client in English.
    let token = user_token(&server, CONTOSO, ALICE.0, ALICE.1, ARM).await;
    let email = "nobody.anywhere@example.com";
    let r = send_with(
        &server,
        Method::PUT,
        &format!("/subscriptions/{sub}/providers/Microsoft.Authorization/classicAdministrators/{email}?api-version=2015-07-01"),
        Some(&token),
        Some(&json!({"properties": {"emailAddress": email, "role": "CoAdministrator"}}).to_string()),
        &[("accept-language", "nl-NL")],
    )
    .await;
    let message = r.body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(!message.is_empty(), "{}", r.text);
    assert!(
        !message.contains(" niet ") && !message.contains(" het "),
        "ARM stays English: {message}"
    );
}

/// An email that is both a personal and a work account gets the account-type picker; each choice signs
/// in to its own account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_dual_identity_picker() {
    let store = tenantry_store::testing::sqlite().await;
    let svc = demo_service(&store).await;
    svc.apply_world(
        r#"
[[personal_accounts]]
email = "lee@contoso.com"
password = "Lee-Personal-1!"
display_name = "Lee (personal)"

[[personal_accounts]]
email = "megan@contoso.com"
password = "Megan-Personal-1!"
display_name = "Megan (personal)"

[[subscriptions]]
display_name = "Trial"
tenant = "alicedefault"
service_admin = { email = "megan@contoso.com", account_type = "personal" }
"#,
        &mut |_, _| {},
    )
    .await
    .expect("dual accounts");
    let server = TestServer::start_on(svc, 0).await;
    let b = Browser::open(&server).await;
    b.goto("/signin").await;
    b.fill("#email", "lee@contoso.com").await;
    b.click("#next").await;
    b.find("#picker-email").await;
    b.expect_h1("Which account").await;
    b.screen("30-account-type-picker").await;
    b.click("#type-personal").await;
    b.click("#continue").await;
    b.find("#account-type").await;
    assert_eq!(b.text("#account-type").await, "Personal account");
    b.fill("#password", "Lee-Personal-1!").await;
    b.click("#sign-in").await;
    b.find("#signed-in-as").await;
    // Every page says which of the two accounts is signed in.
    assert!(
        b.text("#signed-in-as")
            .await
            .starts_with("Lee (personal) (personal account)"),
        "{}",
        b.text("#signed-in-as").await
    );
    b.expect_text("Signed in as lee@contoso.com, your personal account")
        .await;
    assert!(
        !b.text("#directories").await.contains("Contoso"),
        "the personal account is in no directory"
    );
    b.sign_out().await;
    b.sign_in("lee@contoso.com", "Lee-Contoso-1!", Some("work"))
        .await;
    b.find("#directories").await;
    assert!(
        b.text("#signed-in-as")
            .await
            .contains("(work or school account)")
    );
    assert!(
        b.text("#directories").await.contains("Contoso"),
        "the work account is a member of Contoso"
    );
    b.sign_out().await;
    // The wrong password for the chosen account is refused with what to do.
    b.goto("/signin").await;
    b.fill("#email", "lee@contoso.com").await;
    b.click("#next").await;
    b.click("#type-work").await;
    b.click("#continue").await;
    b.fill("#password", "Lee-Personal-1!").await;
    b.click("#sign-in").await;
    b.expect_text("Sign-in failed").await;
    b.expect_text("What to do:").await;
    b.screen("31-sign-in-failed").await;

    // A service administrator whose email is both kinds of account cannot use an existing directory:
    // the refusal says why (and that the email is a member of Contoso too) and what to do.
    b.sign_in("megan@contoso.com", "Megan-Personal-1!", Some("personal"))
        .await;
    b.goto("/directories/use-existing").await;
    b.select("#subscription", "Trial").await;
    b.fill("#directory", "contoso.onmicrosoft.com").await;
    b.click("#ready").await;
    b.click("#complete").await;
    b.expect_text("is both a personal (Microsoft) account and a work or school account")
        .await;
    b.expect_text(
        "Temporarily make another personal account the subscription's service administrator",
    )
    .await;
    b.expect_text("is a member of 'Contoso'").await;
    b.screen("32-refused-dual-service-admin").await;
    b.sign_out().await;
    b.close().await;
}

/// A client application's redirect URI on the loopback interface: answers every request with a page
/// saying the client got its answer (the test reads the code from the browser's address).
async fn loopback_client() -> String {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut conn, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = conn.read(&mut buf).await;
                let page = "<!doctype html><html lang=en><title>Client</title><main><h1>The client has its answer</h1></main>";
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
                    page.len()
                );
                let _ = conn.write_all(response.as_bytes()).await;
            });
        }
    });
    format!("http://127.0.0.1:{port}/callback")
}

/// Any OpenID Connect client signs its users in through the portal's sign-in page, and the browser's
/// portal session is the single sign-on session: signed in once, the next authorize request answers at
/// once; signed out of the portal, it asks again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_is_the_sign_in_page_of_authorize() {
    let store = tenantry_store::testing::sqlite().await;
    let server = TestServer::start_on(demo_service(&store).await, 0).await;
    let redirect = loopback_client().await;
    let authorize = format!(
        "/organizations/oauth2/v2.0/authorize?client_id=04b07795-8ddb-461a-bbee-02f9e1bf7b46&response_type=code&redirect_uri={}&scope=openid%20profile%20offline_access&state=s1&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
        redirect.replace(':', "%3A").replace('/', "%2F")
    );
    let b = Browser::open(&server).await;
    let answered = |b: &Browser| {
        let b = b.client.clone();
        async move {
            for _ in 0..100 {
                let u = b.current_url().await.unwrap();
                if u.path() == "/callback" {
                    return u.query().unwrap_or_default().to_string();
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            panic!("the client never got its answer");
        }
    };

    b.goto(&authorize).await;
    b.expect_text("to continue to").await;
    b.expect_h1("Sign in").await;
    b.screen("25-authorize-sign-in").await;
    b.fill("#username", "erin@alicedefault.onmicrosoft.com")
        .await;
    b.click("#next").await;
    b.fill("#password", "Erin-Default-1!").await;
    b.click("#sign-in").await;
    let query = answered(&b).await;
    assert!(
        query.contains("code=") && query.contains("state=s1"),
        "{query}"
    );

    // Signed in there is signed in to the portal.
    b.goto("/").await;
    b.find("#signed-in-as").await;
    // And the next authorize request needs no page.
    b.goto(&authorize).await;
    assert!(answered(&b).await.contains("code="));
    // A device flow (`az login --use-device-code`): the code is typed on the verification page.
    let flow: Value = server
        .client
        .post(server.url("/organizations/oauth2/v2.0/devicecode"))
        .form(&[
            ("client_id", "04b07795-8ddb-461a-bbee-02f9e1bf7b46"),
            (
                "scope",
                "https://management.azure.com/.default openid offline_access",
            ),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user_code = flow["user_code"].as_str().unwrap();
    b.goto("/devicelogin").await;
    b.fill("#user-code", user_code).await;
    b.screen("26-device-code").await;
    b.click("#next").await;
    b.find("#confirm-code").await;
    b.expect_h1("Microsoft Azure CLI").await;
    assert_eq!(
        b.text("#confirm-account").await,
        "erin@alicedefault.onmicrosoft.com"
    );
    b.screen("27-device-code-confirm").await;
    b.click("#continue").await;
    b.find("#device-done").await;
    b.expect_h1("You have signed in").await;

    // Signed out of the portal, the authorize page asks again.
    b.goto("/").await;
    b.sign_out().await;
    b.goto(&authorize).await;
    b.find("#username").await;
    b.close().await;
}

/// A form posted without the session's CSRF token, or with a wrong one, is refused with a 403 page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_csrf_is_refused() {
    let store = tenantry_store::testing::sqlite().await;
    let server = TestServer::demo(&store).await;
    // Without a session or token: 403 with the page that says what to do.
    let r = server
        .client
        .post(server.url("/signin"))
        .form(&[("email", ALICE.0)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let cookies = r.headers().get_all("set-cookie").iter().count();
    assert_eq!(cookies, 0, "a refused form starts no session");
    assert!(r.text().await.unwrap().contains("Request refused (403)"));
    // The session cookie is Secure, HttpOnly, SameSite and host-only.
    let r = server
        .client
        .get(server.url("/signin"))
        .send()
        .await
        .unwrap();
    let cookie = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    for part in [
        "__Host-tenantry=",
        "Secure",
        "HttpOnly",
        "SameSite=Lax",
        "Path=/",
    ] {
        assert!(cookie.contains(part), "{cookie}");
    }
    assert!(r.headers().get("content-security-policy").is_some());

    let b = Browser::open(&server).await;
    b.sign_in(ALICE.0, ALICE.1, None).await;
    b.goto("/support").await;
    b.fill("#subject", "forged").await;
    b.fill("#description", "forged").await;
    b.client
        .execute("document.querySelector('form[action=\"/support\"] input[name=csrf]').value = 'wrong'; document.querySelector('form[action=\"/support\"]').submit();", vec![])
        .await
        .unwrap();
    b.expect_text("Request refused (403)").await;
    b.screen("40-csrf-refused").await;
    b.goto("/support").await;
    b.client
        .execute("const f = document.querySelector('form[action=\"/support\"]'); f.querySelector('input[name=csrf]').remove(); f.querySelector('#subject').value = 'x'; f.querySelector('#description').value = 'x'; f.submit();", vec![])
        .await
        .unwrap();
    b.expect_text("Request refused (403)").await;
    let kept = server
        .svc
        .all_support_requests(&tenantry_service::domain::Actor::Operator)
        .await
        .unwrap();
    assert!(kept.is_empty(), "no forged request was kept");
    b.close().await;
}

/// The directory pages for administrators: create a directory, users (create, block sign-in, reset
/// password, directory roles), guests and invitations with the redeem page, the subscription policy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_directory_administration() {
    let store = tenantry_store::testing::sqlite().await;
    let server = TestServer::demo(&store).await;
    let contoso = tenant_id(&server.svc, "contoso");
    let b = Browser::open(&server).await;

    // "Create new": Alice makes a directory and becomes its Global Administrator.
    b.sign_in(ALICE.0, ALICE.1, None).await;
    b.goto("/directories/new").await;
    b.fill("#name", "alicelabs").await;
    b.fill("#display_name", "Alice Labs").await;
    b.click("#create-directory").await;
    b.expect_text("Directory created").await;
    b.expect_h1("Alice Labs").await;
    b.expect_text("Global Administrator").await;
    b.screen("50-directory-created").await;
    b.sign_out().await;

    // Contoso's Global Administrator manages its users.
    b.sign_in(ADMIN.0, ADMIN.1, None).await;
    b.goto(&format!("/directories/{contoso}")).await;
    b.find("#h-overview").await;
    b.screen("51-directory-overview").await;
    b.goto(&format!("/directories/{contoso}/users")).await;
    b.find("#users").await;
    b.fill("#user_name", "nestor").await;
    b.fill("#display_name", "Nestor Wilke").await;
    b.fill("#new-password", "Nestor-Contoso-1!").await;
    b.screen("52-users").await;
    b.click("#create-user").await;
    b.expect_text("User created").await;
    assert!(
        b.text("#users")
            .await
            .contains("nestor@contoso.onmicrosoft.com")
    );
    b.goto(&format!(
        "/directories/{contoso}/users/{}",
        object_of(&server.svc, "nestor@contoso.onmicrosoft.com", "contoso")
    ))
    .await;
    b.find("#user-enabled").await;
    b.select("#add-role", "User Administrator").await;
    b.click("#add-role-button").await;
    b.expect_text("Role added").await;
    b.click("#disable-user").await;
    b.expect_text("User disabled").await;
    assert_eq!(b.text("#user-enabled").await, "Disabled");
    b.fill("#reset-password", "Nestor-Contoso-2!").await;
    b.click("#reset").await;
    b.expect_text("Password reset").await;
    b.screen("53-user").await;
    b.fill("#reset-password", "short").await;
    b.client
        .execute(
            "document.querySelector('#reset-password').removeAttribute('minlength')",
            vec![],
        )
        .await
        .unwrap();
    b.click("#reset").await;
    b.expect_text("at least 8 characters").await;

    // Guests: invite Dave; the policy page.
    b.goto(&format!("/directories/{contoso}/guests")).await;
    b.fill("#invite-email", ALICE.0).await;
    b.click("#invite").await;
    b.expect_text("Invitation created").await;
    b.fill("#invite-email", DAVE.0).await;
    b.fill("#invite-name", "Dave from Outlook").await;
    b.click("#invite").await;
    b.expect_text("Invitation created").await;
    assert!(b.text("#guests").await.contains("Pending acceptance"));
    assert!(
        b.text("#guests").await.contains("Dave from Outlook"),
        "named by the inviter"
    );
    b.screen("54-guests").await;
    b.goto(&format!("/directories/{contoso}/policy")).await;
    b.click("#block_entering").await;
    b.fill("#exempted", ADMIN.0).await;
    b.click("#save-policy").await;
    b.expect_text("Policy saved").await;
    b.screen("55-policy").await;
    let policy = server
        .svc
        .read(|w| w.tenant(contoso).unwrap().tenant.policy.clone());
    assert!(policy.block_subscriptions_entering && !policy.block_subscriptions_leaving);
    assert_eq!(policy.exempted.len(), 1);
    b.sign_out().await;

    // Dave finds the invitation on his dashboard and redeems it.
    b.sign_in(DAVE.0, DAVE.1, None).await;
    b.expect_text("Invitations waiting for you").await;
    b.click("#h-invitations + ul a").await;
    b.find("#accept-invitation").await;
    b.screen("56-redeem-invitation").await;
    b.click("#accept-invitation").await;
    b.expect_text("Invitation accepted").await;
    assert!(b.text("#directories").await.contains("Contoso"));
    // A guest without a role cannot list Contoso's users: refused, with what to do.
    b.goto(&format!("/directories/{contoso}/users")).await;
    b.expect_text("guests of the directory cannot list its users")
        .await;
    b.expect_text("What to do:").await;
    b.sign_out().await;

    // Alice joins Contoso too, but Contoso's policy blocks subscriptions entering it: the review says
    // so, with the remedy, and offers no way to apply.
    b.sign_in(ALICE.0, ALICE.1, None).await;
    b.click("#h-invitations + ul a").await;
    b.click("#accept-invitation").await;
    b.expect_text("Invitation accepted").await;
    let sub = payg(&server.svc);
    b.goto(&format!("/portal/subscriptions/{sub}/change-directory"))
        .await;
    b.select("#destination", "Contoso").await;
    b.click("#review").await;
    b.find("#blockers").await;
    b.expect_text("does not allow subscriptions to enter it")
        .await;
    assert!(
        b.client
            .find(Locator::Css("#confirm-change"))
            .await
            .is_err(),
        "no Change button while blocked"
    );
    assert!(
        b.text("#removed-co-admins")
            .await
            .contains("dave@outlook.com"),
        "the review still lists what would go"
    );
    b.screen("57-review-blocked").await;
    b.sign_out().await;
    b.close().await;
}

/// The session cookie only ever carries a random id; the session ends when the password changes and on
/// sign-out (the old cookie then opens nothing).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_session_is_bound_to_the_sign_in() {
    let store = tenantry_store::testing::sqlite().await;
    let server = TestServer::demo(&store).await;
    let http = Portal::client(&server);
    // Sign in as Erin: email, then password, carrying the cookie and the token by hand.
    let r = http.get(server.url("/signin")).send().await.unwrap();
    let anon = cookie_of(&r).expect("a session for the sign-in");
    let csrf = csrf_in(&r.text().await.unwrap());
    let r = http
        .post(server.url("/signin"))
        .header("cookie", &anon)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "erin@alicedefault.onmicrosoft.com"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/signin/password");
    let r = http
        .post(server.url("/signin/password"))
        .header("cookie", &anon)
        .form(&[("csrf", csrf.as_str()), ("password", "Erin-Default-1!")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/");
    let signed_in = cookie_of(&r).expect("signing in gives a new session id");
    assert_ne!(signed_in, anon, "no session fixation");
    let page = http
        .get(server.url("/"))
        .header("cookie", &signed_in)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("erin@alicedefault.onmicrosoft.com")
    );
    let old = http
        .get(server.url("/"))
        .header("cookie", &anon)
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 303, "the pre-sign-in session is gone");

    // A password reset ends the session.
    let erin = object_of(
        &server.svc,
        "erin@alicedefault.onmicrosoft.com",
        "alicedefault",
    );
    let t = tenant_id(&server.svc, "alicedefault");
    server
        .svc
        .update_user(
            &tenantry_service::domain::Actor::Operator,
            t,
            erin,
            tenantry_service::commands::UserEdit {
                password: Some("Erin-Default-2!".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let after = http
        .get(server.url("/"))
        .header("cookie", &signed_in)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 303);
    assert_eq!(after.headers()["location"], "/signin");

    // Sign in again, sign out: the old cookie opens nothing.
    let r = http.get(server.url("/signin")).send().await.unwrap();
    let anon = cookie_of(&r).unwrap();
    let csrf = csrf_in(&r.text().await.unwrap());
    http.post(server.url("/signin"))
        .header("cookie", &anon)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "erin@alicedefault.onmicrosoft.com"),
        ])
        .send()
        .await
        .unwrap();
    let r = http
        .post(server.url("/signin/password"))
        .header("cookie", &anon)
        .form(&[("csrf", csrf.as_str()), ("password", "Erin-Default-2!")])
        .send()
        .await
        .unwrap();
    let signed_in = cookie_of(&r).unwrap();
    let home = http
        .get(server.url("/"))
        .header("cookie", &signed_in)
        .send()
        .await
        .unwrap();
    let csrf = csrf_in(&home.text().await.unwrap());
    let out = http
        .post(server.url("/signout"))
        .header("cookie", &signed_in)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.headers()["location"], "/signed-out");
    let again = http
        .get(server.url("/"))
        .header("cookie", &signed_in)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 303, "signed out means signed out");
}

/// A service administrator who is not present in the new directory can still ask: the change waits
/// until a Global Administrator of that directory accepts it on the directory's overview page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_change_waits_for_acceptance() {
    let store = tenantry_store::testing::sqlite().await;
    let server = TestServer::demo(&store).await;
    let sub = payg(&server.svc);
    let contoso = tenant_id(&server.svc, "contoso");
    // A web app with a system-assigned identity, and the "ci" application signing in with a federated
    // credential: the review says the identity is re-created and the credential stays.
    use tenantry_service::domain::{Actor, Scope};
    let web = Scope::parse(&format!(
        "/subscriptions/{sub}/resourceGroups/rg1/providers/Microsoft.Web/sites/shop"
    ))
    .unwrap();
    server
        .svc
        .put_resource(
            &Actor::Operator,
            &web,
            tenantry_service::domain::rules::resources::ResourceWrite {
                location: Some("westeurope".into()),
                kind: None,
                tags: Default::default(),
                properties: json!({}),
                identity: Some(tenantry_service::domain::rules::identities::IdentityWrite {
                    type_name: "SystemAssigned".into(),
                    user_assigned: vec![],
                    principal_id: None,
                    client_id: None,
                }),
            },
        )
        .await
        .unwrap();
    let alicedefault = tenant_id(&server.svc, "alicedefault");
    server
        .svc
        .add_federated_credential(
            &Actor::Operator,
            alicedefault,
            object_of(&server.svc, CI_CLIENT, "alicedefault"),
            tenantry_service::domain::rules::federated::NewFederatedCredential {
                name: "main-branch".into(),
                issuer: "https://token.actions.githubusercontent.com".into(),
                subject: "repo:alice/app:ref:refs/heads/main".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let b = Browser::open(&server).await;
    b.sign_in(ALICE.0, ALICE.1, None).await;
    b.goto(&format!("/portal/subscriptions/{sub}/change-directory"))
        .await;
    b.find("#no-destinations").await;
    b.fill("#destination_domain", "contoso.onmicrosoft.com")
        .await;
    b.click("#review").await;
    // Not a refusal beside a button: how the change goes, and the one action that can succeed.
    b.find("#request-how").await;
    assert!(
        b.client
            .find_all(Locator::Css("#blockers"))
            .await
            .unwrap()
            .is_empty(),
        "no blocker is shown beside the request"
    );
    b.expect_text("You are not a member or guest of Contoso")
        .await;
    b.expect_text("accept it within 7 days").await;
    assert_eq!(
        b.text("#confirm-request").await,
        "Request moving Pay-As-You-Go to Contoso"
    );
    assert!(
        b.text("#moved-identities")
            .await
            .contains("/providers/Microsoft.Web/sites/shop"),
        "the review lists the web app's identity"
    );
    let kept = b.text("#kept-credentials").await;
    assert!(kept.contains(CI_CLIENT), "{kept}");
    b.screen("58-review-needs-acceptance").await;
    b.click("#confirm-request").await;
    b.expect_h1("The change waits for acceptance").await;
    b.screen("59-change-waiting").await;
    b.goto(&format!("/portal/subscriptions/{sub}")).await;
    b.expect_text("is waiting for acceptance").await;
    b.sign_out().await;

    b.sign_in(ADMIN.0, ADMIN.1, None).await;
    b.goto(&format!("/directories/{contoso}")).await;
    b.expect_text("Pay-As-You-Go").await;
    b.screen("60-accept-incoming").await;
    b.click("button[aria-label='Accept Pay-As-You-Go']").await;
    b.expect_text("Subscription moved in").await;
    assert_eq!(
        server
            .svc
            .read(|w| w.subscription(sub).unwrap().subscription.tenant),
        contoso
    );
    b.sign_out().await;
    b.close().await;
}

/// Support requests and portal sessions on both databases: kept with their audit event, each requester
/// sees their own, the operator sees all; sessions are stored hashed, updated, expired and deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_storage_on_both_databases() {
    use tenantry_service::domain::Actor;
    use tenantry_service::sessions::SessionRow;
    for store in both().await {
        let svc = demo_service(&store).await;
        let alice = signed_in(&svc, ALICE.0, "alicedefault");
        let erin = signed_in(&svc, "erin@alicedefault.onmicrosoft.com", "alicedefault");
        let sub = payg(&svc);
        let filed = svc
            .file_support_request(
                &alice,
                "Move to Contoso",
                "What happens to my key vault?",
                "B",
                Some(sub),
            )
            .await
            .unwrap();
        assert_eq!(filed.row.status, "Open");
        // Erin is Reader on a resource group only, which lets her see the subscription too.
        svc.file_support_request(
            &erin,
            "Access",
            "I cannot create a resource group.",
            "C",
            None,
        )
        .await
        .unwrap();
        let refused = svc
            .file_support_request(&alice, " ", "", "Z", None)
            .await
            .unwrap_err();
        let e = refused.as_domain().expect("a refusal");
        assert_eq!(e.code, "InvalidSubject");
        assert_eq!(
            e.details.len(),
            2,
            "every problem of the form is named: {e:?}"
        );
        let mine = svc.my_support_requests(&alice).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].row.subject, "Move to Contoso");
        assert_eq!(mine[0].row.subscription, Some(sub));
        assert!(
            svc.all_support_requests(&alice).await.is_err(),
            "only the operator lists all"
        );
        let all = svc.all_support_requests(&Actor::Operator).await.unwrap();
        assert_eq!(all.len(), 2);
        let audit = svc
            .audit_events(&tenantry_service::domain::audit::AuditFilter {
                operation: Some(tenantry_service::domain::audit::OperationMatch::Prefix(
                    "Microsoft.Support/".into(),
                )),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(audit.len(), 2, "each request has its audit event");

        // Sessions, through the service: live until they expire, updated, ended; signing in deletes
        // the expired ones.
        let now = svc.now();
        let row = |id: &str, identity: &str, expires: i64| SessionRow {
            id_hash: id.into(),
            identity: identity.into(),
            created: now,
            expires,
            data: "{}".into(),
        };
        let anonymous = row("hash-of-a-random-id", "", now + 100);
        svc.start_session(&anonymous).await.unwrap();
        assert_eq!(
            svc.session("hash-of-a-random-id").await.unwrap(),
            Some(anonymous.clone())
        );
        assert!(
            svc.update_session("hash-of-a-random-id", "{\"a\":1}", now + 200)
                .await
                .unwrap()
        );
        let kept = svc.session("hash-of-a-random-id").await.unwrap().unwrap();
        assert_eq!((kept.data.as_str(), kept.expires), ("{\"a\":1}", now + 200));
        svc.advance_clock(200);
        assert_eq!(
            svc.session("hash-of-a-random-id").await.unwrap(),
            None,
            "expired"
        );
        let signed_in = row("hash-of-another-id", "{\"Personal\":{}}", now + 1000);
        svc.start_session(&signed_in).await.unwrap();
        assert!(
            !svc.update_session("hash-of-a-random-id", "{}", now + 400)
                .await
                .unwrap(),
            "a sign-in deleted the expired session"
        );
        svc.end_session("hash-of-another-id").await.unwrap();
        assert_eq!(svc.session("hash-of-another-id").await.unwrap(), None);
    }
}

/// `tenantry support list` shows the operator every request, as a table or as JSON lines.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn support_list_command() {
    let dir = tenantry_store::testing::TempDir::new("tenantry-support").unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    {
        let store = tenantry_service::store::Store::open_sqlite_file(&data.join("tenantry.db"))
            .await
            .unwrap();
        let svc = tenantry_service::Service::open(store.clone())
            .await
            .unwrap();
        svc.apply_world(&demo_world(), &mut |_, _| {})
            .await
            .unwrap();
        let alice = signed_in(&svc, ALICE.0, "alicedefault");
        svc.file_support_request(
            &alice,
            "Move to Contoso",
            "What happens to my key vault?",
            "A",
            None,
        )
        .await
        .unwrap();
        store.close().await;
    }
    let run = |json: bool| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_tenantry"));
        c.args(["support", "list", "--data"])
            .arg(&data)
            .env_remove("TENANTRY_DATABASE_URL");
        if json {
            c.arg("--json");
        }
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let table = run(false);
    assert!(
        table.contains("Move to Contoso")
            && table.contains("alice@outlook.com")
            && table.contains("severity A"),
        "{table}"
    );
    let line: Value = serde_json::from_str(run(true).lines().next().unwrap()).unwrap();
    assert_eq!(line["requester"], "alice@outlook.com");
    assert_eq!(line["description"], "What happens to my key vault?");
}

/// The same case refused by the same rule on every face: a co-administrator signed in to another
/// directory (his guest object in the subscription's directory is disabled) may neither read nor change
/// the classic administrators, through ARM or the portal; a guest without a role may not list the
/// directory's users, through Graph or the portal; a member without a role may not create users.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_face_refuses_the_same_case_with_the_same_rule() {
    use reqwest::Method;
    use tenantry_service::domain::Actor;
    for store in both().await {
        let server = TestServer::demo(&store).await;
        let svc = &server.svc;
        let (contoso, alicedefault) = (tenant_id(svc, "contoso"), tenant_id(svc, "alicedefault"));
        let dave = svc.read(|w| {
            let a = w.account_by_email(DAVE.0).unwrap();
            Actor::Personal {
                account: a.id,
                email: a.email.clone(),
            }
        });
        let (invitation, _) = svc.invite(&Actor::Operator, contoso, DAVE.0).await.unwrap();
        svc.redeem(&dave, contoso, invitation).await.unwrap();
        let dave_there = object_of(svc, DAVE.0, "alicedefault");
        svc.update_user(
            &Actor::Operator,
            alicedefault,
            dave_there,
            tenantry_service::commands::UserEdit {
                enabled: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();

        // ARM, with a token for Contoso.
        let token = user_token(&server, CONTOSO, DAVE.0, DAVE.1, ARM).await;
        let admins = format!(
            "/subscriptions/{PAYG}/providers/Microsoft.Authorization/classicAdministrators"
        );
        let (status, body) = call(
            &server,
            Method::GET,
            &format!("{admins}?api-version=2015-07-01"),
            Some(&token),
            None,
        )
        .await;
        refused(status, &body, "AuthorizationFailed");
        let (status, body) = call(
            &server,
            Method::PUT,
            &format!("{admins}/erin@alicedefault.onmicrosoft.com?api-version=2015-07-01"),
            Some(&token),
            Some(json!({"properties": {"emailAddress": "erin@alicedefault.onmicrosoft.com", "role": "CoAdministrator"}})),
        )
        .await;
        let arm_refusal = refused(status, &body, "AuthorizationFailed");

        // The portal, acting in Contoso (Dave cannot act in the subscription's directory any more).
        let mut portal = Portal::sign_in(&server, DAVE.0, DAVE.1).await;
        let page = format!("/portal/subscriptions/{PAYG}/administrators");
        let (status, html) = portal.get(&page).await;
        assert_eq!(
            (status, page_code(&html).as_deref()),
            (403, Some("AuthorizationFailed"))
        );
        let html = portal
            .submit(
                &format!("{page}/add"),
                &[("email", "erin@alicedefault.onmicrosoft.com")],
            )
            .await;
        assert_eq!(
            flash_words(&html),
            arm_refusal,
            "the portal says what ARM says"
        );
        let co_admins = svc.read(|w| {
            w.subscription(payg(svc))
                .unwrap()
                .subscription
                .co_admins
                .len()
        });
        assert_eq!(co_admins, 1, "nobody was added");

        // Graph and the portal: a guest without a directory role lists no users.
        let token = user_token(&server, CONTOSO, DAVE.0, DAVE.1, GRAPH).await;
        let (status, body) = call(&server, Method::GET, "/v1.0/users", Some(&token), None).await;
        refused(status, &body, "Authorization_RequestDenied");
        let (status, html) = portal.get(&format!("/directories/{contoso}/users")).await;
        assert_eq!(
            (status, page_code(&html).as_deref()),
            (403, Some("Authorization_RequestDenied"))
        );

        // A member without a role creates no user, with the same words on both faces.
        let token = user_token(&server, CONTOSO, MEGAN.0, MEGAN.1, GRAPH).await;
        let (status, body) = call(
            &server,
            Method::POST,
            "/v1.0/users",
            Some(&token),
            Some(
                json!({"userPrincipalName": "nina@contoso.onmicrosoft.com", "displayName": "Nina",
                        "passwordProfile": {"password": "Nina-Contoso-1!"}}),
            ),
        )
        .await;
        let graph_refusal = refused(status, &body, "Authorization_RequestDenied");
        let mut megan = Portal::sign_in(&server, MEGAN.0, MEGAN.1).await;
        let html = megan
            .submit(
                &format!("/directories/{contoso}/users"),
                &[
                    ("user_name", "nina"),
                    ("display_name", "Nina"),
                    ("password", "Nina-Contoso-1!"),
                ],
            )
            .await;
        assert_eq!(
            flash_words(&html),
            graph_refusal,
            "the portal says what Graph says"
        );
    }
}

/// Every page needs someone signed in: a page sends the browser to sign in and, once signed in, back to
/// where it was going; a form posted without a signed-in session is refused as the forged form it may
/// be, and starts no session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_need_someone_signed_in_and_come_back_after_sign_in() {
    let store = tenantry_store::testing::sqlite().await;
    let server = TestServer::demo(&store).await;
    let page = format!("/portal/subscriptions/{}/administrators", payg(&server.svc));

    let mut browser = Portal::anonymous(&server);
    let r = browser.send(browser.http.get(server.url(&page))).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/signin");
    assert!(
        browser.cookie.is_some(),
        "the way back is kept in a session"
    );
    assert_eq!(
        browser.log_in(ALICE.0, ALICE.1).await,
        page,
        "back where it was going"
    );
    let (status, html) = browser.get(&page).await;
    assert_eq!(status, 200);
    assert!(html.contains("Administrators of Pay-As-You-Go"));

    // A refusal is a page of its own; the person stays signed in.
    let contoso = tenant_id(&server.svc, "contoso");
    let (status, html) = browser.get(&format!("/directories/{contoso}")).await;
    assert_eq!(
        (status, page_code(&html).as_deref()),
        (403, Some("NotInDirectory"))
    );
    let (status, _) = browser.get("/").await;
    assert_eq!(status, 200, "still signed in");

    // A form without a signed-in session: refused, and no session is started for it.
    let mut stranger = Portal::anonymous(&server);
    let r = stranger
        .post(
            "/support",
            &[("subject", "forged"), ("description", "forged")],
        )
        .await;
    assert_eq!(r.status(), 403);
    assert!(
        stranger.cookie.is_none(),
        "a refused form starts no session"
    );
    assert!(r.text().await.unwrap().contains("Request refused (403)"));
}

/// Security groups in the portal (issue 11): a directory's Groups page and a group's page (members
/// direct and through nested groups with the path, owners, nesting, a refused cycle, a role-assignable
/// group with a directory role), access control assigning roles to groups, check access naming the
/// path, the change-directory review listing group-held assignments with the members they reach and
/// mapping a group to a group of the destination, deleting a group with what goes, and the pages of an
/// owner and of a member without a role.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_groups() {
    use tenantry_service::domain::Actor;
    use tenantry_service::domain::rules::groups::NewGroup;
    let store = tenantry_store::testing::sqlite().await;
    let server = TestServer::demo(&store).await;
    let svc = &server.svc;
    let sub = payg(svc);
    let (contoso, alicedefault) = (tenant_id(svc, "contoso"), tenant_id(svc, "alicedefault"));
    // Alice is a guest of Contoso (so that the subscription can move there at once); Contoso has a group
    // of its own, owned by Megan, with Lee in it.
    let alice_personal = svc.read(|w| {
        let a = w.account_by_email(ALICE.0).unwrap();
        Actor::Personal {
            account: a.id,
            email: a.email.clone(),
        }
    });
    let (invitation, _) = svc
        .invite(&Actor::Operator, contoso, ALICE.0)
        .await
        .unwrap();
    svc.redeem(&alice_personal, contoso, invitation)
        .await
        .unwrap();
    let contoso_engineers = svc
        .create_group(
            &Actor::Operator,
            contoso,
            NewGroup {
                members: vec![object_of(svc, LEE.0, "contoso")],
                owners: vec![object_of(svc, MEGAN.0, "contoso")],
                ..NewGroup::named("Contoso Engineers")
            },
        )
        .await
        .unwrap();

    let b = Browser::open(&server).await;
    b.sign_in(ALICE.0, ALICE.1, None).await;
    let groups = format!("/directories/{alicedefault}/groups");
    b.goto(&groups).await;
    b.find("#no-groups").await;

    // Engineering: Erin and Dave (a guest, by his email).
    b.fill("#group-name", "Engineering").await;
    b.fill("#group-description", "Everyone who builds").await;
    b.click("#create-group").await;
    b.expect_text("Group created").await;
    b.expect_h1("Engineering").await;
    let engineering = object_of(svc, "group:Engineering", "alicedefault");
    assert_eq!(b.path().await, format!("{groups}/{engineering}"));
    b.fill("#add-member", "erin@alicedefault.onmicrosoft.com")
        .await;
    b.click("#add-member-button").await;
    b.expect_text("Member added").await;
    b.fill("#add-member", DAVE.0).await;
    b.click("#add-member-button").await;
    b.expect_text("dave@outlook.com is now a member of Engineering")
        .await;

    // Platform: the ci application (by client id) and Engineering (by name); Erin owns it.
    b.goto(&groups).await;
    b.fill("#group-name", "Platform").await;
    b.fill("#group-nickname", "platform-team").await;
    b.click("#create-group").await;
    b.expect_text("Group created").await;
    b.fill("#add-member", "c1000000-0000-4000-8000-000000000001")
        .await;
    b.click("#add-member-button").await;
    b.expect_text("Member added").await;
    b.fill("#add-member", "Engineering").await;
    b.click("#add-member-button").await;
    b.expect_text("Engineering is now a member of Platform")
        .await;
    b.fill("#add-owner", "erin@alicedefault.onmicrosoft.com")
        .await;
    b.click("#add-owner-button").await;
    b.expect_text("Owner added").await;
    assert!(b.text("#members").await.contains("ci"));
    assert!(b.text("#nested-groups").await.contains("Engineering"));
    let through = b.text("#transitive-members").await;
    assert!(
        through.contains("Erin") && through.contains("Platform → Engineering"),
        "{through}"
    );
    assert!(through.contains("dave@outlook.com"), "{through}");
    assert_eq!(b.text("#group-reach").await, "3");
    assert!(b.text("#owners").await.contains("Erin"));
    b.scroll_to("#h-members").await;
    b.screen("62-group").await;
    let platform = object_of(svc, "group:Platform", "alicedefault");

    // A cycle is refused with the rule's words and what to do.
    b.goto(&format!("{groups}/{engineering}")).await;
    assert!(b.text("#member-of").await.contains("Platform"));
    b.fill("#add-member", "group:Platform").await;
    b.click("#add-member-button").await;
    b.expect_text(
        "the groups would contain each other in a cycle: Engineering → Platform → Engineering",
    )
    .await;
    b.expect_text("What to do:").await;
    b.screen("63-group-cycle-refused").await;

    // A role-assignable group holds a directory role, and contains no group.
    b.goto(&groups).await;
    b.fill("#group-name", "Helpdesk").await;
    b.click("#group-role-assignable").await;
    b.click("#create-group").await;
    b.expect_text("Group created").await;
    b.fill("#add-member", "Engineering").await;
    b.click("#add-member-button").await;
    b.expect_text("so it cannot contain groups").await;
    b.fill("#add-member", "erin@alicedefault.onmicrosoft.com")
        .await;
    b.click("#add-member-button").await;
    b.expect_text("Member added").await;
    b.select("#add-role", "User Administrator").await;
    b.click("#add-role-button").await;
    b.expect_text("The group is now a User Administrator").await;
    assert!(
        b.text("#directory-roles")
            .await
            .contains("User Administrator")
    );
    b.scroll_to("#h-group-roles").await;
    b.screen("64-role-assignable-group").await;
    b.goto(&groups).await;
    let list = b.text("#groups").await;
    assert!(
        list.contains("Helpdesk role-assignable") && list.contains("Everyone who builds"),
        "{list}"
    );
    b.screen("61-groups").await;

    // Access control: Contributor to Platform, picked from the list; Reader on rg1 to Engineering, typed.
    b.goto(&format!("/portal/subscriptions/{sub}/access")).await;
    b.select("#role", "Contributor").await;
    b.select("#principal", "Platform (group)").await;
    b.click("#add-assignment").await;
    b.expect_text("Platform (group) now has the role Contributor here")
        .await;
    let assignments = b.text("#role-assignments").await;
    assert!(
        assignments.contains("Platform (group) Group Contributor"),
        "{assignments}"
    );
    b.screen("65-access-control-group").await;
    b.goto(&format!(
        "/portal/subscriptions/{sub}/resourceGroups/rg1/access"
    ))
    .await;
    b.select("#role", "Reader").await;
    b.fill("#principal_name", "group:Engineering").await;
    b.click("#add-assignment").await;
    b.expect_text("Engineering (group) now has the role Reader here")
        .await;
    // Check access: Erin may change resources through Platform, as a member of Engineering.
    b.goto(&format!("/portal/subscriptions/{sub}/access")).await;
    b.fill("#check-name", "erin@alicedefault.onmicrosoft.com")
        .await;
    b.click("#check-access").await;
    b.find("#check-result").await;
    let check = b.text("#check-result").await;
    assert!(
        check.contains(&format!(
            "role 'Contributor' assigned at '/subscriptions/{sub}' through group Platform, member of Engineering"
        )),
        "{check}"
    );
    b.screen("66-check-access-through-group").await;

    // What deleting Engineering would remove, before it is deleted.
    b.goto(&format!("{groups}/{engineering}")).await;
    let goes = b.text("#delete-consequences").await;
    assert!(
        goes.contains("its members (2): the 2 people and applications in it")
            && goes.contains("its membership in Platform")
            && goes.contains("Reader on resourceGroups/rg1 of Pay-As-You-Go"),
        "{goes}"
    );
    b.scroll_to("#delete-group").await;
    b.screen("67-group-delete").await;

    // The review of a change of directory lists the group-held assignments with the members they
    // reach, and maps Platform to a group of Contoso.
    b.goto(&format!("/portal/subscriptions/{sub}/change-directory"))
        .await;
    b.select("#destination", "Contoso").await;
    b.fill("#map", "group:Platform = group:Contoso Engineers")
        .await;
    b.click("#review").await;
    b.find("#removed-assignments").await;
    assert!(
        b.text("#group-held")
            .await
            .starts_with("2 of them are held by groups")
    );
    let removed = b.text("#removed-assignments").await;
    assert!(
        removed.contains("Platform Group Contributor This subscription 3 members of the group")
            && removed
                .contains("Engineering Group Reader resourceGroups/rg1 2 members of the group"),
        "{removed}"
    );
    b.expect_text(
        "Contoso Engineers — Contributor on This subscription (a group: 1 member holds it)",
    )
    .await;
    b.screen("68-review-group-assignments").await;

    // Delete Engineering: its memberships and its role assignment go with it.
    b.goto(&format!("{groups}/{engineering}")).await;
    b.click("#delete-group-button").await;
    b.expect_text("Engineering is gone").await;
    assert_eq!(b.path().await, groups);
    assert!(!b.text("#groups").await.contains("Engineering"));
    svc.read(|w| {
        let part = w.tenant(alicedefault).unwrap();
        assert!(part.group(engineering).is_none());
        assert!(!part.is_group_member(platform, engineering));
        assert_eq!(
            w.subscription(sub)
                .unwrap()
                .assignments_of(engineering)
                .count(),
            0
        );
    });

    // Move the subscription: Contoso Engineers holds Contributor in Contoso.
    b.goto(&format!("/portal/subscriptions/{sub}/change-directory"))
        .await;
    b.select("#destination", "Contoso").await;
    b.fill("#map", "group:Platform = group:Contoso Engineers")
        .await;
    b.click("#review").await;
    b.click("#confirm-change").await;
    b.find("#change-done").await;
    svc.read(|w| {
        let part = w.subscription(sub).unwrap();
        assert_eq!(part.subscription.tenant, contoso);
        let held: Vec<_> = part.assignments_of(contoso_engineers).collect();
        assert_eq!(held.len(), 1);
        assert_eq!(held[0].principal_type.as_str(), "Group");
    });
    b.sign_out().await;

    // Megan owns Contoso Engineers without a directory role: she may not create groups, but manages
    // hers and sees every role assignment that deleting it would remove.
    b.sign_in(MEGAN.0, MEGAN.1, None).await;
    b.goto(&format!("/directories/{contoso}/groups")).await;
    b.find("#may-not-create").await;
    b.goto(&format!(
        "/directories/{contoso}/groups/{contoso_engineers}"
    ))
    .await;
    b.find("#add-member").await;
    assert!(b.text("#group-assignments").await.contains("Contributor"));
    b.sign_out().await;

    // Lee, a member of the group, reads it and changes nothing; his dashboard says how he holds the role.
    b.sign_in(LEE.0, LEE.1, None).await;
    let subs = b.text("#subscriptions").await;
    assert!(
        subs.contains("Contributor (through group Contoso Engineers)"),
        "{subs}"
    );
    b.goto(&format!(
        "/directories/{contoso}/groups/{contoso_engineers}"
    ))
    .await;
    b.find("#read-only").await;
    assert!(
        b.client.find(Locator::Css("#add-member")).await.is_err(),
        "no form for someone who may not use it"
    );
    b.screen("69-group-read-only").await;
    b.sign_out().await;
    b.close().await;
}

/// The groups pages over HTTP on both databases: an administrator creates and nests groups and the
/// change is kept (a fresh service on the same database reads it); a refusal shows the rule's own
/// words (a cycle, a member without a role creating a group); a missing group is a 404 page; a deleted
/// group is gone with its memberships.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_groups_on_both_databases() {
    use tenantry_service::domain::rules::groups::{self, NewGroup};
    for store in both().await {
        let server = TestServer::demo(&store).await;
        let svc = &server.svc;
        let contoso = tenant_id(svc, "contoso");
        let list = format!("/directories/{contoso}/groups");
        let mut admin = Portal::sign_in(&server, ADMIN.0, ADMIN.1).await;
        let (status, html) = admin.get(&list).await;
        assert_eq!(status, 200);
        assert!(html.contains("No groups yet."));

        let r = admin
            .post(
                &list,
                &[
                    ("display_name", "Platform"),
                    ("description", "Platform team"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let platform = object_of(svc, "group:Platform", "contoso");
        let page = format!("{list}/{platform}");
        assert_eq!(r.headers()["location"], page.as_str());
        let html = admin
            .submit(&format!("{page}/members"), &[("principal", MEGAN.0)])
            .await;
        assert!(html.contains("Member added"), "{}", flash_words(&html));
        admin.post(&list, &[("display_name", "Engineering")]).await;
        let engineering = object_of(svc, "group:Engineering", "contoso");
        admin
            .submit(
                &format!("{list}/{engineering}/members"),
                &[("principal", LEE.0)],
            )
            .await;
        admin
            .submit(
                &format!("{page}/members"),
                &[("principal", "group:Engineering")],
            )
            .await;

        // A cycle: the page says what the rule says.
        let actor = signed_in(svc, ADMIN.0, "contoso");
        let rule = svc.read(|w| {
            groups::add_group_members(w, &actor, contoso, engineering, &[platform], 0).unwrap_err()
        });
        let html = admin
            .submit(
                &format!("{list}/{engineering}/members"),
                &[("principal", "Platform")],
            )
            .await;
        assert_eq!(
            flash_words(&html),
            format!("{} {}", rule.message, rule.remedy.clone().unwrap())
        );

        // Kept in the database: a service opened afresh on it reads the nesting.
        let again = tenantry_service::Service::open(store.store.clone())
            .await
            .unwrap();
        let lee = object_of(&again, LEE.0, "contoso");
        again.read(|w| {
            let part = w.tenant(contoso).unwrap();
            let mut of = part.groups_of(lee).to_vec();
            of.sort();
            let mut want = vec![platform, engineering];
            want.sort();
            assert_eq!(of, want, "Lee is in Engineering, and so in Platform");
        });
        let (status, html) = admin.get(&page).await;
        assert_eq!(status, 200);
        assert!(unescaped(&html).contains("Platform → Engineering"));

        // A member without a role creates no group: the rule's words, as Graph would send them.
        let megan_actor = signed_in(svc, MEGAN.0, "contoso");
        let rule = svc
            .create_group(&megan_actor, contoso, NewGroup::named("Mine"))
            .await
            .unwrap_err();
        let rule = rule.as_domain().unwrap().clone();
        let mut megan = Portal::sign_in(&server, MEGAN.0, MEGAN.1).await;
        let (_, html) = megan.get(&list).await;
        assert!(html.contains("id=\"may-not-create\""));
        let html = megan.submit(&list, &[("display_name", "Mine")]).await;
        assert_eq!(
            flash_words(&html),
            format!("{} {}", rule.message, rule.remedy.unwrap())
        );
        let (status, html) = megan
            .get(&format!("{list}/0badc0de-0000-4000-8000-000000000001"))
            .await;
        assert_eq!(
            (status, page_code(&html).as_deref()),
            (404, Some("Request_ResourceNotFound"))
        );

        // Deleting Platform: back to the list, where it is gone, and Lee is in Engineering only.
        let r = admin.post(&format!("{page}/delete"), &[]).await;
        assert_eq!(r.headers()["location"], list.as_str());
        let (_, html) = admin.get(&list).await;
        assert!(unescaped(&html).contains("Platform is gone"));
        svc.read(|w| {
            let part = w.tenant(contoso).unwrap();
            assert!(part.group(platform).is_none());
            assert_eq!(part.groups_of(lee), [engineering]);
        });
    }
}
