//! The portal's sign-in pages for `/{tenant}/oauth2/v2.0/authorize`, with the authorize flow's own form
//! fields (`csrf`, `step`, `username`, `account_type`, `password`) and action, so that any OpenID Connect
//! client's users see the same sign-in as the portal's. Each function returns the page's HTML; the
//! caller sends it (its Content-Security-Policy must allow `style-src 'self'` for /static/portal.css).

use super::pages::Chrome;
use askama::Template;
use tenantry_service::domain::signin::SignInError;

#[derive(Template)]
#[template(path = "portal/authorize_email.html")]
struct Email<'a> {
    chrome: Chrome,
    action: &'a str,
    csrf: &'a str,
    client_name: &'a str,
    hint: &'a str,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/authorize_picker.html")]
struct Picker<'a> {
    chrome: Chrome,
    action: &'a str,
    csrf: &'a str,
    username: &'a str,
}

#[derive(Template)]
#[template(path = "portal/authorize_password.html")]
struct Password<'a> {
    chrome: Chrome,
    action: &'a str,
    csrf: &'a str,
    username: &'a str,
    account_type: Option<&'a str>,
    account_label: Option<&'static str>,
    error: Option<String>,
}

fn render(t: &impl Template) -> String {
    t.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "sign-in template failed");
        "<!doctype html><title>Sign in</title><p>The sign-in page could not be shown.</p>".into()
    })
}

/// Step 1: the email. `action` is where the form posts (the authorize URL with its query).
pub fn email(
    action: &str,
    csrf: &str,
    client_name: &str,
    hint: Option<&str>,
    error: Option<&SignInError>,
) -> String {
    render(&Email {
        chrome: Chrome::bare(),
        action,
        csrf,
        client_name,
        hint: hint.unwrap_or_default(),
        error: error.map(|e| e.error_description()),
    })
}

/// Step 2, when the email is both a personal and a work account: the account-type picker.
pub fn picker(action: &str, csrf: &str, username: &str) -> String {
    render(&Picker {
        chrome: Chrome::bare(),
        action,
        csrf,
        username,
    })
}

/// Step 3: the password (`account_type` as picked, if any).
pub fn password(
    action: &str,
    csrf: &str,
    username: &str,
    account_type: Option<&str>,
    error: Option<&SignInError>,
) -> String {
    render(&Password {
        chrome: Chrome::bare(),
        action,
        csrf,
        username,
        account_type,
        account_label: match account_type {
            Some("organizational") => Some("Work or school account"),
            Some("personal") => Some("Personal account"),
            _ => None,
        },
        error: error.map(|e| e.error_description()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_carry_the_authorize_fields_escaped() {
        let html = email(
            "/t/oauth2/v2.0/authorize?a=1&b=2",
            "tok",
            "<App>",
            Some("x@y.z"),
            None,
        );
        assert!(html.contains(r#"name="step" value="email""#));
        assert!(html.contains("tok") && html.contains("x@y.z"));
        assert!(!html.contains("<App>"), "escaped");
        let html = picker("/a", "tok", "lee@contoso.com");
        assert!(html.contains(r#"value="organizational""#) && html.contains(r#"value="personal""#));
        let e = tenantry_service::domain::signin::wrong_password();
        let html = password("/a", "tok", "lee@contoso.com", Some("personal"), Some(&e));
        assert!(html.contains("AADSTS50126") && html.contains("Personal account"));
        assert!(html.contains(r#"name="account_type" value="personal""#));
    }
}
