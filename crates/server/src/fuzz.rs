//! Fuzzing as tests: the faces' parsers of outside input, given arbitrary and hostile text — the OData
//! `$filter` grammar and the query options of ARM and Graph, ARM paths, the token endpoint's form and
//! Basic credentials, the portal's return paths — and the portal's forms, posted in this process to the
//! whole router with a signed-in session and its CSRF token. None panics; parsers return a value or a
//! refusal; a form is answered with a page or a redirect, never a 5xx.
//!
//! `TENANTRY_FUZZ_CASES` sets the cases per property (a few hundred by default, seconds in CI; the
//! README's "Tests" says how to run many more).

use crate::arm::{path, query};
use crate::graph::odata::Query as GraphQuery;
use crate::odata::Filter;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use tenantry_service::domain::fuzzing::{config, hostile};
use tenantry_service::signin::Protocol;
use tower::ServiceExt as _;

/// A `$filter` built from the grammar's words, values and punctuation in any order.
fn filter_text() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("eq".to_string()),
        Just("ne".to_string()),
        Just("and".to_string()),
        Just("or".to_string()),
        Just("startswith(".to_string()),
        Just("/any(x:x eq ".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just(",".to_string()),
        Just("'".to_string()),
        Just("''".to_string()),
        Just("true".to_string()),
        Just("null".to_string()),
        Just("in".to_string()),
        "[a-zA-Z]{1,10}",
        "'[^']{0,10}'",
        hostile(),
    ];
    prop_oneof![
        3 => prop::collection::vec(token, 0..12).prop_map(|t| t.join(" ")),
        1 => hostile(),
    ]
}

/// Query options of ARM and Graph, with their names in either spelling.
fn query_options() -> impl Strategy<Value = HashMap<String, String>> {
    let name = prop_oneof![
        Just("$filter".to_string()),
        Just("filter".to_string()),
        Just("$top".to_string()),
        Just("$select".to_string()),
        Just("$skiptoken".to_string()),
        Just("$orderby".to_string()),
        Just("$count".to_string()),
        Just("api-version".to_string()),
        hostile(),
    ];
    let value = prop_oneof![
        filter_text(),
        "-?[0-9]{1,25}",
        Just("true".to_string()),
        Just("displayName desc".to_string()),
        hostile(),
    ];
    prop::collection::hash_map(name, value, 0..5)
}

/// An ARM path: its words and hostile segments.
fn arm_path() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        Just("subscriptions".to_string()),
        Just("5b5c0000-0000-4000-8000-000000000001".to_string()),
        Just("resourceGroups".to_string()),
        Just("providers".to_string()),
        Just("Microsoft.Authorization".to_string()),
        Just("roleAssignments".to_string()),
        Just("classicAdministrators".to_string()),
        Just("Microsoft.Web".to_string()),
        Just("%2F".to_string()),
        Just("%0A".to_string()),
        hostile(),
    ];
    prop::collection::vec(word, 0..12).prop_map(|w| format!("/{}", w.join("/")))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn filters_parse_or_refuse_and_print_back_as_themselves(text in filter_text()) {
        if let Ok(filter) = Filter::parse(&text) {
            for c in filter.conditions() {
                let printed = c.to_string();
                let again = Filter::parse(&printed).map(|f| f.groups().to_vec());
                prop_assert_eq!(again, Ok(vec![vec![c.clone()]]), "{}", printed);
            }
        }
    }

    #[test]
    fn graph_and_arm_query_options_parse_or_refuse(options in query_options()) {
        let items = || (0..7).map(|i| json!({"id": i.to_string(), "displayName": format!("n{i}"), "userType": "Member"})).collect::<Vec<Value>>();
        if let Ok(q) = GraphQuery::parse(&options, &crate::graph::users::USERS.collection.answers, true) {
            let page = q.collection(items(), "https://h/v1.0/$metadata#users", "https://h/v1.0/users");
            prop_assert!(page["value"].as_array().is_some_and(|v| v.len() <= q.top));
        }
        let raw: Vec<String> = options.iter().map(|(k, v)| format!("{}={}", crate::urls::encode(k), crate::urls::encode(v))).collect();
        let q = query::Query::parse(Some(&raw.join("&")));
        if let Some(f) = q.filter() {
            let _ = query::parse_filter(f);
        }
        if let Ok((page, next)) = query::page(items(), &q, "https://h", "/p") {
            prop_assert!(page.len() <= 7);
            prop_assert!(next.is_none_or(|n| HeaderValue::from_str(&n).is_ok()));
        }
    }

    #[test]
    fn arm_paths_parse_or_refuse(path in prop_oneof![arm_path(), hostile()]) {
        match path::parse(&path) {
            Ok(parsed) => prop_assert!(path::segments(&path).len() >= 2, "{parsed:?}"),
            Err(e) => prop_assert!(e.status.is_client_error(), "{path:?}: {e:?}"),
        }
        let _ = crate::edge::face_of(&path);
        if let Some(canonical) = crate::app::canonical_path(&path) {
            prop_assert!(!canonical.contains("//"));
        }
    }

    #[test]
    fn token_forms_become_a_typed_request_or_an_entra_refusal(
        fields in prop::collection::hash_map(
            prop_oneof![
                Just("grant_type"), Just("client_id"), Just("client_secret"), Just("scope"),
                Just("resource"), Just("username"), Just("password"), Just("refresh_token"),
                Just("code"), Just("redirect_uri"), Just("code_verifier"), Just("device_code"),
                Just("client_assertion_type"), Just("client_assertion"),
            ],
            prop_oneof![
                Just("client_credentials".to_string()), Just("password".to_string()),
                Just("refresh_token".to_string()), Just("authorization_code".to_string()),
                Just("device_code".to_string()),
                Just(tenantry_domain::signin::DEVICE_CODE_GRANT.to_string()),
                Just(tenantry_domain::signin::JWT_BEARER_ASSERTION.to_string()),
                hostile(),
            ],
            0..8,
        ),
        basic in prop::option::of(prop_oneof![
            hostile(),
            (hostile(), hostile()).prop_map(|(id, secret)| {
                use base64::Engine as _;
                format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}")))
            }),
        ]),
        tenant in hostile(),
    ) {
        let form = serde_json::from_value(json!(fields));
        prop_assert!(form.is_ok(), "{fields:?}");
        let mut headers = HeaderMap::new();
        if let Some(value) = basic.and_then(|b| HeaderValue::from_str(&b).ok()) {
            headers.insert(header::AUTHORIZATION, value);
        }
        let form = form.unwrap_or_else(|_| unreachable!());
        match crate::oauth::token::to_request(tenant.clone(), form, &headers, Protocol::V2) {
            Ok(request) => {
                prop_assert_eq!(request.authority, tenant);
                prop_assert!(fields.contains_key("grant_type"));
            }
            Err(e) => prop_assert!(!e.error_description().is_empty()),
        }
    }

    #[test]
    fn return_paths_are_local_and_sendable(path in prop_oneof![hostile(), "/[a-z/]{0,10}[\\x00-\\x1f]?[a-z?=&]{0,10}"]) {
        if let Some(to) = crate::portal::signin::safe_return(&path) {
            prop_assert!(to.starts_with('/') && !to.starts_with("//"));
            prop_assert!(HeaderValue::from_str(&to).is_ok(), "{to:?}");
        }
    }
}

// ----- the portal's forms, posted to the router in this process -----

const DEMO: &str = include_str!("../../../worlds/demo.toml");
const ERIN: &str = "erin@alicedefault.onmicrosoft.com";

/// The router on the demo world, and the cookie and CSRF token of Alice's signed-in session.
struct Portal {
    runtime: tokio::runtime::Runtime,
    app: axum::Router,
    svc: tenantry_service::Service,
    session: Mutex<(String, String)>,
    erin: String,
    _dir: TempDir,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Portal {
    fn get() -> &'static Portal {
        static PORTAL: OnceLock<Portal> = OnceLock::new();
        PORTAL.get_or_init(|| {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("a runtime");
            let dir = std::env::temp_dir().join(format!("tenantry-fuzz-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&dir).expect("a temporary directory");
            let (app, svc) = runtime.block_on(async {
                let store = tenantry_service::store::Store::open_sqlite_file(&dir.join("t.db"))
                    .await
                    .expect("a store");
                let svc = tenantry_service::Service::open(store)
                    .await
                    .expect("the service");
                svc.apply_world(DEMO, &mut |_, _| {})
                    .await
                    .expect("the demo world");
                let state = crate::AppState::new(svc.clone(), "https://127.0.0.1:8443");
                (crate::router(state), svc)
            });
            let erin = svc.read(|w| {
                let t = w.find_tenant("alicedefault").map(|t| t.tenant.id);
                t.and_then(|t| w.find_principal(t, ERIN))
                    .map(|p| p.id().to_string())
            });
            let portal = Portal {
                runtime,
                app,
                svc,
                session: Mutex::new((String::new(), String::new())),
                erin: erin.expect("erin"),
                _dir: TempDir(dir),
            };
            portal.sign_in("alice@outlook.com", "Alice-2017!");
            portal
        })
    }

    /// Sends a request with the session's cookie; keeps the cookie it sets. Status, headers, body.
    fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> (StatusCode, HeaderMap, String) {
        let cookie = self.session.lock().map(|s| s.0.clone()).unwrap_or_default();
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, cookie);
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        let req = req
            .body(Body::from(body.unwrap_or_default()))
            .expect("a request");
        self.runtime.block_on(async {
            let r = self
                .app
                .clone()
                .oneshot(req)
                .await
                .unwrap_or_else(|e| match e {});
            let (status, headers) = (r.status(), r.headers().clone());
            let bytes = axum::body::to_bytes(r.into_body(), usize::MAX)
                .await
                .unwrap_or_default();
            if let Some(set) = headers
                .get(header::SET_COOKIE)
                .and_then(|v| v.to_str().ok())
                && let (Some(pair), Ok(mut s)) = (set.split(';').next(), self.session.lock())
            {
                s.0 = pair.to_string();
            }
            (
                status,
                headers,
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
    }

    /// Gets a page and keeps its CSRF token.
    fn page(&self, path: &str) -> String {
        let (_, _, html) = self.send("GET", path, None);
        if let Some(token) = html
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            && let Ok(mut s) = self.session.lock()
        {
            s.1 = token.to_string();
        }
        html
    }

    fn csrf(&self) -> String {
        self.session.lock().map(|s| s.1.clone()).unwrap_or_default()
    }

    fn sign_in(&self, email: &str, password: &str) {
        self.page("/signin");
        let form = |pairs: &[(&str, &str)]| crate::urls::query_string(pairs);
        self.send(
            "POST",
            "/signin",
            Some(form(&[("csrf", &self.csrf()), ("email", email)])),
        );
        self.page("/signin/password");
        let (status, _, _) = self.send(
            "POST",
            "/signin/password",
            Some(form(&[("csrf", &self.csrf()), ("password", password)])),
        );
        assert_eq!(status, StatusCode::SEE_OTHER, "signed in");
        let (home, _, _) = self.send("GET", "/", None);
        assert_eq!(home, StatusCode::OK, "{email} is signed in");
        self.page("/");
    }
}

/// The portal's forms: where they post (ids filled in) and the fields they read.
const FORMS: [(&str, &[&str]); 43] = [
    ("/switch-directory", &["tenant", "back"]),
    ("/directories/new", &["name", "display_name"]),
    (
        "/directories/use-existing",
        &["subscription", "directory", "ready"],
    ),
    ("/directories/{T}/link-requests/{R}/approve", &[]),
    ("/directories/{T}/link-requests/{R}/decline", &[]),
    (
        "/directories/{T}/users",
        &["user_name", "display_name", "password", "mail"],
    ),
    ("/directories/{T}/users/{U}/enabled", &["enabled"]),
    ("/directories/{T}/users/{U}/password", &["password"]),
    ("/directories/{T}/users/{U}/roles", &["role"]),
    ("/directories/{T}/users/{U}/roles/remove", &["role"]),
    ("/directories/{T}/guests", &["email", "display_name"]),
    (
        "/directories/{T}/policy",
        &["block_leaving", "block_entering", "exempted"],
    ),
    ("/directories/{T}/incoming/{S}/accept", &[]),
    ("/redeem/{T}/{R}/accept", &[]),
    (
        "/portal/subscriptions/{S}/change-directory",
        &["destination", "destination_domain", "map"],
    ),
    (
        "/portal/subscriptions/{S}/change-directory/confirm",
        &["destination", "map"],
    ),
    ("/portal/subscriptions/{S}/change-directory/cancel", &[]),
    (
        "/portal/subscriptions/{S}/administrators/add",
        &["email", "user", "account_type"],
    ),
    (
        "/portal/subscriptions/{S}/administrators/remove",
        &["email"],
    ),
    (
        "/portal/subscriptions/{S}/access",
        &["principal", "principal_name", "role"],
    ),
    ("/portal/subscriptions/{S}/access/remove", &["assignment"]),
    (
        "/portal/subscriptions/{S}/access/check",
        &["principal", "principal_name"],
    ),
    (
        "/portal/subscriptions/{S}/resourceGroups/{G}/access",
        &["principal", "principal_name", "role"],
    ),
    (
        "/portal/subscriptions/{S}/resourceGroups/{G}/access/check",
        &["principal", "principal_name"],
    ),
    (
        "/portal/subscriptions/{S}/resourceGroups/{G}/access/remove",
        &["assignment"],
    ),
    (
        "/portal/subscriptions/{S}/administrators/service-admin",
        &["email", "account_type"],
    ),
    ("/hierarchy/groups", &["name", "display_name", "parent"]),
    ("/hierarchy/groups/{T}", &["display_name", "parent"]),
    ("/hierarchy/groups/{T}/delete", &[]),
    (
        "/hierarchy/groups/{T}/access",
        &["principal", "principal_name", "role"],
    ),
    ("/hierarchy/groups/{T}/access/remove", &["assignment"]),
    (
        "/hierarchy/groups/{T}/access/check",
        &["principal", "principal_name"],
    ),
    ("/hierarchy/elevate", &[]),
    ("/hierarchy/elevate/remove", &[]),
    (
        "/hierarchy/subscriptions",
        &["display_name", "workload", "management_group"],
    ),
    ("/hierarchy/subscriptions/{S}/move", &["parent"]),
    ("/portal/subscriptions/{S}/rename", &["display_name"]),
    ("/portal/subscriptions/{S}/cancel", &[]),
    ("/portal/subscriptions/{S}/enable", &[]),
    (
        "/portal/subscriptions/{S}/tags",
        &["scope", "name", "value", "remove"],
    ),
    ("/devicelogin", &["code"]),
    ("/activity", &["tenant", "subscription", "actor", "since"]),
    (
        "/support",
        &["subject", "description", "severity", "subscription"],
    ),
];

/// A value for a form field: a plausible one (an id, a name of the demo world) or a hostile one.
fn field_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(ERIN.to_string()),
        Just("dave@outlook.com".to_string()),
        Just("a11ce000-0000-4000-8000-000000000002".to_string()),
        Just("c0a70500-0000-4000-8000-000000000001".to_string()),
        Just("acdd72a7-3385-48ef-bd42-f606fba81ae7".to_string()),
        Just("contoso.com".to_string()),
        Just("on".to_string()),
        hostile(),
    ]
}

/// A form post: which form, a path segment to spoil (or none), its fields, and whether to send a body
/// that is not a form at all.
fn form_post() -> impl Strategy<Value = (usize, Option<String>, Vec<String>, Option<Vec<u8>>)> {
    (
        0..FORMS.len(),
        prop::option::weighted(0.3, hostile()),
        prop::collection::vec(field_value(), 4),
        prop::option::weighted(0.1, prop::collection::vec(any::<u8>(), 0..64)),
    )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn portal_forms_answer_with_a_page_or_a_redirect(
        (form, spoiled, values, garbage) in form_post()
    ) {
        let portal = Portal::get();
        let (template, fields) = FORMS[form];
        let mut path = template
            .replace("{S}", "5b5c0000-0000-4000-8000-000000000001")
            .replace("{T}", "a11ce000-0000-4000-8000-000000000002")
            .replace("{U}", &portal.erin)
            .replace("{G}", "rg1")
            .replace("{R}", "0badc0de-0000-4000-8000-000000000001");
        if let Some(s) = &spoiled
            && let Some(at) = path.rfind('/')
        {
            path = format!("{}/{}", &path[..at], crate::urls::encode(s));
        }
        let csrf = portal.csrf();
        let mut pairs: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        pairs.extend(fields.iter().copied().zip(values.iter().map(String::as_str)));
        let body = match &garbage {
            Some(bytes) => format!("csrf={csrf}&{}", String::from_utf8_lossy(bytes)),
            None => crate::urls::query_string(&pairs),
        };
        let (status, headers, page) = portal.send("POST", &path, Some(body));
        prop_assert!(!status.is_server_error(), "{path} {pairs:?}: {status} {page}");
        if status.is_redirection() {
            let to = headers.get(header::LOCATION).and_then(|l| l.to_str().ok()).unwrap_or_default();
            prop_assert!(to.starts_with('/') && !to.chars().any(char::is_control), "{path}: {to:?}");
        } else {
            let html = headers.get(header::CONTENT_TYPE).is_some_and(|c| c.as_bytes().starts_with(b"text/html"));
            prop_assert!(html, "{path}: {status} {headers:?}");
        }
        let sound = portal.svc.read(tenantry_domain::rules::invariants::violations);
        prop_assert!(sound.is_empty(), "{path} {pairs:?}: {sound:?}");
        // Signed out by a form (a password reset of the session's own account): sign in again.
        let (home, _, _) = portal.send("GET", "/", None);
        if home.is_redirection() {
            portal.sign_in("alice@outlook.com", "Alice-2017!");
        }
    }
}
