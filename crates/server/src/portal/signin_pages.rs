//! The sign-in pages, one template per step (email, account-type picker, password), shown by the
//! portal's `/signin` and by `/{tenant}/oauth2/v2.0/authorize` alike, so that any OpenID Connect
//! client's users see the portal's sign-in. The two differ only in [`StepForm`]: where the form posts,
//! the fields it carries besides what the person types, the refusal of the last attempt, and the way
//! back to the first step.

use super::pages::Chrome;
use super::session::Flash;
use askama::Template;
use tenantry_service::domain::signin::AccountKind;

/// What differs between the portal's sign-in and the authorize flow's on one page.
#[derive(Debug, Clone, Default)]
pub struct StepForm {
    /// Where the form posts (`/signin/…`, or the authorize URL with its query).
    pub action: String,
    /// Fields the flow needs back (the authorize flow's `step`, `username`, `account_type`).
    pub hidden: Vec<(&'static str, String)>,
    /// The refusal of the last attempt, shown above the form (the portal shows its messages in the
    /// frame instead).
    pub error: Option<String>,
    /// "Use another account": back to the first step.
    pub restart: Option<String>,
}

/// Step 1: the email.
#[derive(Template)]
#[template(path = "portal/signin_email.html")]
pub struct EmailStep {
    pub chrome: Chrome,
    pub form: StepForm,
    /// The input's name and id: the portal's `email`, the authorize flow's `username`.
    pub field: &'static str,
    pub email: String,
    /// The application the person signs in to (authorize); `None` is the portal itself.
    pub client_name: Option<String>,
    pub notice: Option<Flash>,
}

/// Step 2, when the email is both a personal and a work account: which one.
#[derive(Template)]
#[template(path = "portal/signin_picker.html")]
pub struct PickerStep {
    pub chrome: Chrome,
    pub form: StepForm,
    pub email: String,
}

/// Step 3: the password, for the account type picked, if any.
#[derive(Template)]
#[template(path = "portal/signin_password.html")]
pub struct PasswordStep {
    pub chrome: Chrome,
    pub form: StepForm,
    pub email: String,
    /// The account type picked, as a catalogue key ([`account_label`]).
    pub account_label: Option<&'static str>,
}

/// How the picker names an account type (its catalogue key).
pub fn account_label(kind: Option<AccountKind>) -> Option<&'static str> {
    kind.map(|k| match k {
        AccountKind::Organizational => super::i18n::key("account-work"),
        AccountKind::Personal => super::i18n::key("account-personal"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_carry_their_flows_fields_escaped() {
        let form = StepForm {
            action: "/t/oauth2/v2.0/authorize?a=1&b=2".into(),
            hidden: vec![("step", "email".into())],
            ..Default::default()
        };
        let html = EmailStep {
            chrome: Chrome {
                csrf: "tok".into(),
                ..Chrome::bare()
            },
            form,
            field: "username",
            email: "x@y.z".into(),
            client_name: Some("<App>".into()),
            notice: None,
        }
        .render()
        .unwrap();
        assert!(html.contains(r#"name="step" value="email""#), "{html}");
        assert!(html.contains(r#"name="username""#) && html.contains("x@y.z"));
        assert!(html.contains(r#"name="csrf" value="tok""#));
        assert!(!html.contains("<App>"), "escaped");
        let html = PickerStep {
            chrome: Chrome::bare(),
            form: StepForm::default(),
            email: "lee@contoso.com".into(),
        }
        .render()
        .unwrap();
        assert!(html.contains(r#"value="organizational""#) && html.contains(r#"value="personal""#));
        let html = PasswordStep {
            chrome: Chrome::bare(),
            form: StepForm {
                hidden: vec![("account_type", "personal".into())],
                error: Some("AADSTS50126: Error validating credentials.".into()),
                ..Default::default()
            },
            email: "lee@contoso.com".into(),
            account_label: account_label(Some(AccountKind::Personal)),
        }
        .render()
        .unwrap();
        assert!(html.contains("AADSTS50126") && html.contains("Personal account"));
        assert!(html.contains(r#"name="account_type" value="personal""#));
        assert!(!html.contains("Use another account"));
    }
}
