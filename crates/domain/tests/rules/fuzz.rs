//! Fuzzing as tests: the domain's parsers of outside input — ARM scopes (resource ids), ids, names, the
//! sign-in's `scope` parameter, authority segments and user codes — given arbitrary and hostile text
//! (control characters, other scripts, `..`, `%`, huge segments). None panics; each returns a value or a
//! refusal, and what it returns is what it promised (a scope re-parses to itself, an accepted name has
//! no control character).
//!
//! `TENANTRY_FUZZ_CASES` sets the cases per property (a few hundred by default, seconds in CI; the
//! README's "Tests" says how to run many more).

use crate::fixtures::Fx;
use proptest::prelude::*;
use tenantry_domain::fuzzing::{config, hostile};
use tenantry_domain::rules::directory::{validate_domain, validate_email, validate_tenant_name};
use tenantry_domain::rules::names;
use tenantry_domain::scope::{ScopeLevel, validate_resource_group_name};
use tenantry_domain::signin::{normalize_user_code, parse_authority, parse_scope};
use tenantry_domain::*;

const SUB: &str = "5b5c0000-0000-4000-8000-000000000001";

/// One path segment as a client, a typo or an attacker writes it.
fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z0-9._()-]{1,12}",
        3 => hostile(),
    ]
}

/// A path made of ARM's words and hostile segments: mostly a scope's shape (subscription, group,
/// provider, types and names), else words in any order.
fn arm_path() -> impl Strategy<Value = String> {
    let shaped = (
        segment(),
        segment(),
        prop::collection::vec(segment(), 0..6),
        0..3usize,
    )
        .prop_map(|(group, namespace, rest, depth)| {
            let mut p = format!("/subscriptions/{SUB}");
            if depth > 0 {
                p.push_str(&format!("/resourceGroups/{group}"));
            }
            if depth > 1 {
                p.push_str(&format!("/providers/{namespace}/{}", rest.join("/")));
            }
            p
        });
    let word = prop_oneof![
        Just("subscriptions".to_string()),
        Just("resourceGroups".to_string()),
        Just("providers".to_string()),
        Just(SUB.to_string()),
        segment(),
    ];
    let jumbled = (prop::collection::vec(word, 0..12), any::<bool>())
        .prop_map(|(words, slash)| format!("/{}{}", words.join("/"), if slash { "/" } else { "" }));
    prop_oneof![3 => shaped, 1 => jumbled]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn scopes_parse_or_refuse_and_reparse_to_themselves(text in prop_oneof![arm_path(), any::<String>()]) {
        if let Ok(scope) = Scope::parse(&text) {
            prop_assert!(!scope.as_str().chars().any(char::is_control), "{scope:?}");
            let reparsed = Scope::parse(scope.as_str());
            prop_assert_eq!(reparsed.as_ref(), Ok(&scope));
            let relative = Scope::parse_relative(scope.subscription_id(), scope.relative());
            prop_assert_eq!(relative.as_ref(), Ok(&scope));
            match scope.level() {
                ScopeLevel::Subscription => prop_assert!(scope.parent().is_none()),
                ScopeLevel::ResourceGroup => {
                    let g = scope.resource_group_name().unwrap_or_default();
                    prop_assert!(validate_resource_group_name(g).is_ok());
                }
                ScopeLevel::Resource => {
                    prop_assert!(scope.resource_type().is_some());
                    let parent = scope.parent();
                    prop_assert!(parent.is_some_and(|p| p.contains(&scope)));
                }
            }
        }
    }

    #[test]
    fn ids_are_exactly_guids(text in prop_oneof![segment(), "[0-9a-f-]{30,40}[\\x00-\\x20]?"]) {
        if let Ok(id) = text.parse::<SubscriptionId>() {
            prop_assert!(!text.chars().any(|c| c.is_whitespace() || c.is_control()), "{text:?}");
            prop_assert_eq!(id.to_string().parse::<SubscriptionId>(), Ok(id));
        }
    }

    #[test]
    fn names_accept_exactly_what_has_no_control_character(text in prop_oneof![segment(), any::<String>()]) {
        prop_assert_eq!(names::require_name("displayName", &text).is_ok(), !text.chars().any(char::is_control));
        let shown = names::shown(&text);
        prop_assert!(!shown.chars().any(char::is_control));
        prop_assert!(shown.chars().count() <= 81);
        let _ = names::require_text("description", &text);
        for accepted in [
            validate_email(&text).is_ok(),
            validate_domain(&text).is_ok(),
            validate_tenant_name(&text).is_ok(),
            validate_resource_group_name(&text).is_ok(),
        ] {
            prop_assert!(!accepted || !text.chars().any(char::is_control), "{text:?}");
        }
    }

    #[test]
    fn sign_in_parameters_parse_or_refuse(text in prop_oneof![segment(), any::<String>(), "(https://[a-z.]{1,12}/{0,2}[a-zA-Z./]{0,12} ?){0,4}"]) {
        if let Ok(scope) = parse_scope(&text) {
            prop_assert!(!scope.resource.is_empty());
        }
        if let Some(code) = normalize_user_code(&text) {
            prop_assert_eq!(code.len(), 9);
        }
        let fx = Fx::article();
        let _ = parse_authority(&fx.world, &text);
        let _ = fx.world.find_tenant(&text);
        let _ = fx.world.email_matches(&text);
    }

    #[test]
    fn client_assertions_and_certificates_parse_or_refuse(
        parts in prop::collection::vec(prop_oneof![segment(), "[A-Za-z0-9_=-]{0,40}", any::<String>()], 0..5),
        json_parts in ("[ -~]{0,60}", "[ -~]{0,80}"),
        pem in prop_oneof![any::<String>(), "-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\\n ]{0,80}-----END CERTIFICATE-----"],
    ) {
        use base64::Engine as _;
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let shaped = format!("{}.{}.{}", b64(&json_parts.0), b64(&json_parts.1), parts.first().cloned().unwrap_or_default());
        let fx = Fx::article();
        let app = ApplicationCertificate::from_pem(uuid::Uuid::nil(), &pem);
        prop_assert!(app.is_err() || pem.contains("BEGIN CERTIFICATE"));
        for jwt in [parts.join("."), shaped] {
            if let Ok(a) = signin::ClientAssertion::parse(&jwt) {
                prop_assert!(jwt.trim().starts_with(a.signed));
                let _ = a.check_claims(uuid::Uuid::nil(), |aud| signin::token_endpoint_segment("https://h", aud).is_some(), fx.now);
                if let Some(app) = fx.world.tenant(fx.contoso).and_then(|t| t.applications.values().next()) {
                    let _ = a.certificate(app, fx.now);
                }
            }
        }
    }
}
