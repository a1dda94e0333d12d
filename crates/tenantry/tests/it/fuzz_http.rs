//! Thousands of generated requests across every face, on loopback: ARM and the extensions, Graph, the
//! Entra endpoints (token, authorize, device code, discovery, user realm, logout) and the portal (pages
//! and forms, with a signed-in session and its CSRF token), by callers of several tenants (users, guests
//! and applications of alicedefault and contoso, and nobody). Paths come from the real route templates
//! with segments spoiled (control characters, other scripts, huge, `..`, percent-encoding); methods,
//! query strings and bodies (JSON of the wrong types, broken JSON, forms) are drawn at random.
//!
//! Every answer: no 5xx and no dropped connection; a refusal in its face's format (ARM's and Graph's
//! JSON errors, Entra's `error`, a portal page); a redirect to a sendable `Location`; and no display
//! name or email of a tenant the caller is not in, unless the request named it itself. After all of
//! them: no panic was recorded, the world keeps its invariants, and memory equals the database.
//!
//! `TENANTRY_FUZZ_CASES` sets how many requests each database gets (default 2,000).

use crate::support::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::sync::{Mutex, Once};
use tenantry_domain::fuzzing::{cases, hostile, json_of};
use tenantry_server::edge::{Face, face_of};
use tenantry_service::domain::{Identity, TenantId, World};

/// Panics of the servers this test runs (on its runtime's threads, outside a test's own code), recorded
/// for the end of the test.
static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The name of this test's runtime threads: the other tests of this binary run beside it, and a panic
/// hook sees the whole process, so a panic counts only on these threads.
const THREADS: &str = "fuzz-http-server";

fn record_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let ours = std::thread::current().name() == Some(THREADS);
            let in_a_test = info.location().is_some_and(|l| l.file().contains("tests/"));
            if ours
                && !in_a_test
                && let Ok(mut p) = PANICS.lock()
            {
                p.push(info.to_string());
            }
            previous(info);
        }));
    });
}

/// Who sends a request: a token for ARM and one for Graph, or a portal session, or nothing.
struct Caller {
    who: &'static str,
    arm: Option<String>,
    graph: Option<String>,
    /// The portal session's cookie and CSRF token.
    session: Option<(String, String)>,
    /// The person behind the tokens or the session.
    identity: Option<Identity>,
    /// An application's tenant.
    tenant: Option<TenantId>,
}

/// The demo world's two tenants and what they are called and hold: display names, domains, members.
/// (Not the personal accounts, guests in both; nor a subscription's name and the addresses of its
/// administrators, which refusals of subscription operations name to callers without access: that is
/// point 1 of issue 10, tested by walking every route.)
const TENANTS: [(&str, &[&str]); 2] = [
    (
        ALICEDEFAULT,
        &[
            "Default Directory",
            "alicedefault.onmicrosoft.com",
            "erin@alicedefault.onmicrosoft.com",
        ],
    ),
    (
        CONTOSO,
        &[
            "Contoso",
            "Contoso Admin",
            "admin@contoso.onmicrosoft.com",
            "Megan Bowen",
            "megan@contoso.onmicrosoft.com",
            "megan@contoso.com",
            "Lee Gu",
            "lee@contoso.onmicrosoft.com",
            "lee@contoso.com",
            "fuzz-contoso-app",
        ],
    ),
];

impl Caller {
    fn nobody() -> Caller {
        Caller {
            who: "nobody",
            arm: None,
            graph: None,
            session: None,
            identity: None,
            tenant: None,
        }
    }

    /// The names of the demo's tenants the caller is not in now, save those its own directories share
    /// (the requests may have made it a guest there, or made it a directory named after another).
    fn foreign(&self, w: &World) -> Vec<&'static str> {
        let present: Vec<TenantId> = match (self.identity, self.tenant) {
            (Some(i), _) => w
                .tenants_of_identity(i)
                .into_iter()
                .map(|(t, _)| t)
                .collect(),
            (None, Some(t)) => vec![t],
            _ => vec![],
        };
        let mut own: Vec<String> = self
            .identity
            .map(|i| w.identity_emails(i))
            .unwrap_or_default();
        for t in present.iter().filter_map(|t| w.tenant(*t)) {
            own.push(t.tenant.display_name.clone());
            own.extend(t.tenant.all_domains().map(str::to_string));
        }
        let own = own.join("\n").to_lowercase();
        TENANTS
            .iter()
            .filter(|(t, _)| !present.iter().any(|p| p.to_string() == *t))
            .flat_map(|(_, names)| names.iter().copied())
            .filter(|n| !own.contains(&n.to_lowercase()))
            .collect()
    }
}

/// The people who call: who, the tenant of their tokens, their email and password.
const PEOPLE: [(&str, &str, &str, &str); 5] = [
    (
        "erin (member of alicedefault)",
        ALICEDEFAULT,
        "erin@alicedefault.onmicrosoft.com",
        "Erin-Default-1!",
    ),
    (
        "alice (guest of alicedefault)",
        ALICEDEFAULT,
        "alice@outlook.com",
        "Alice-2017!",
    ),
    (
        "dave (guest of alicedefault)",
        ALICEDEFAULT,
        "dave@outlook.com",
        "Dave-2017!",
    ),
    (
        "admin (of contoso)",
        CONTOSO,
        "admin@contoso.onmicrosoft.com",
        "Contoso-Admin-1!",
    ),
    (
        "megan (member of contoso)",
        CONTOSO,
        "megan@contoso.onmicrosoft.com",
        "Megan-Contoso-1!",
    ),
];

async fn callers(srv: &TestServer) -> Vec<Caller> {
    let mut out = vec![Caller::nobody()];
    // An application of contoso beside the demo's "ci" of alicedefault.
    let contoso_admin = signed_in(&srv.svc, "admin@contoso.onmicrosoft.com", "contoso");
    let contoso = tenant_id(&srv.svc, "contoso");
    let app = srv
        .svc
        .create_application(&contoso_admin, contoso, "fuzz-contoso-app", vec![])
        .await
        .expect("an application of contoso");
    let app_id = app.client_id.to_string();
    let apps = [
        (
            "ci (application of alicedefault)",
            ALICEDEFAULT,
            CI_CLIENT,
            CI_SECRET,
        ),
        (
            "fuzz-contoso-app (application of contoso)",
            CONTOSO,
            &app_id,
            &app.client_secret,
        ),
    ];
    for (who, tenant, id, secret) in apps {
        out.push(Caller {
            who,
            arm: Some(app_token(srv, tenant, id, secret, ARM).await),
            graph: Some(app_token(srv, tenant, id, secret, GRAPH).await),
            tenant: tenant.parse().ok(),
            ..Caller::nobody()
        });
    }
    let person = |email: &str, tenant: &str| signed_in(&srv.svc, email, tenant).identity();
    for (who, tenant, email, password) in PEOPLE {
        out.push(Caller {
            who,
            arm: Some(user_token(srv, tenant, email, password, ARM).await),
            graph: Some(user_token(srv, tenant, email, password, GRAPH).await),
            identity: person(email, tenant),
            ..Caller::nobody()
        });
    }
    // Portal sessions: alice's (service administrator of Pay-As-You-Go) and megan's (of contoso).
    let sessions = [
        ("alice's portal session", PEOPLE[1]),
        ("megan's portal session", PEOPLE[4]),
    ];
    for (who, (_, tenant, email, password)) in sessions {
        let mut b = Browser::new(srv);
        b.sign_in_to_portal(email, password).await;
        let (_, _, home) = b.get("/").await;
        out.push(Caller {
            who,
            session: Some((b.cookie().unwrap_or_default().to_string(), csrf_of(&home))),
            identity: person(email, tenant),
            ..Caller::nobody()
        });
    }
    out
}

/// Route templates of every face: the methods they take (the first is the usual one) and the path.
const ROUTES: &str = "
GET                       | /subscriptions
GET                       | /subscriptions/{S}
GET                       | /subscriptions/{S}/locations
GET                       | /subscriptions/{S}/providers
POST                      | /subscriptions/{S}/providers/Microsoft.Web/register
GET                       | /subscriptions/{S}/resourcegroups
PUT PATCH GET DELETE HEAD | /subscriptions/{S}/resourcegroups/{G}
GET                       | /subscriptions/{S}/resourceGroups/{G}/resources
PUT GET DELETE HEAD       | /subscriptions/{S}/resourceGroups/{G}/providers/Microsoft.Web/sites/{N}
GET                       | /subscriptions/{S}/resourceGroups/{G}/providers/Microsoft.Web/sites
PUT GET DELETE            | /subscriptions/{S}/providers/Microsoft.Authorization/roleAssignments/{X}
GET                       | /subscriptions/{S}/resourceGroups/{G}/providers/Microsoft.Authorization/roleAssignments
PUT GET DELETE            | /subscriptions/{S}/providers/Microsoft.Authorization/roleDefinitions/{X}
GET                       | /subscriptions/{S}/providers/Microsoft.Authorization/permissions
PUT GET DELETE            | /subscriptions/{S}/providers/Microsoft.Authorization/classicAdministrators/{E}
GET                       | /subscriptions/{S}/providers/Microsoft.Authorization/classicAdministrators
GET                       | /subscriptions/{S}/operationresults/{X}
GET                       | /tenants
GET                       | /providers
GET                       | /providers/Microsoft.Authorization/roleDefinitions/{X}
GET                       | /metadata/endpoints
POST                      | /subscriptions/{S}/providers/Microsoft.Subscription/changeTenantRequest/default/preview
PUT GET DELETE            | /subscriptions/{S}/providers/Microsoft.Subscription/changeTenantRequest/default
POST                      | /subscriptions/{S}/providers/Microsoft.Subscription/changeTenantRequest/default/accept
PUT GET                   | /providers/Microsoft.Subscription/policies/default
PUT GET DELETE            | /subscriptions/{S}/providers/Microsoft.Subscription/directoryLinkRequests/{T}
GET                       | /providers/Microsoft.Subscription/directoryLinkRequests
GET                       | /providers/Microsoft.Subscription/directoryLinkRequests/{X}
POST                      | /providers/Microsoft.Subscription/directoryLinkRequests/{X}/approve
POST                      | /providers/Microsoft.Subscription/directoryLinkRequests/{X}/decline
GET                       | /providers/Microsoft.Subscription/auditEvents
GET                       | /subscriptions/{S}/providers/Microsoft.Subscription/auditEvents
GET                       | /providers/Microsoft.Subscription/auditCheckpoint
GET                       | /openapi.json
GET POST                  | /v1.0/users
GET PATCH DELETE          | /v1.0/users/{U}
GET                       | /v1.0/me
GET                       | /v1.0/organization
GET                       | /v1.0/organization/{T}
GET                       | /v1.0/domains
GET                       | /v1.0/domains/{D}
GET                       | /v1.0/directoryRoles
GET                       | /v1.0/directoryRoles/{R}
GET                       | /v1.0/directoryRoles/{R}/members
POST                      | /v1.0/directoryRoles/{R}/members/$ref
DELETE                    | /v1.0/directoryRoles/{R}/members/{U}/$ref
POST                      | /v1.0/invitations
GET                       | /v1.0/invitations/{X}
POST GET                  | /redeem/{T}/{X}
POST                      | /v1.0/directoryObjects/getByIds
GET                       | /v1.0/directoryObjects/{U}
GET POST                  | /v1.0/servicePrincipals
GET PATCH DELETE          | /v1.0/servicePrincipals/{X}
GET PATCH DELETE          | /v1.0/servicePrincipals(appId='{X}')
POST                      | /v1.0/servicePrincipals/{X}/addPassword
POST                      | /v1.0/servicePrincipals/{X}/removePassword
GET POST                  | /v1.0/applications
GET PATCH DELETE          | /v1.0/applications/{X}
GET PATCH DELETE          | /v1.0/applications(appId='{X}')
POST                      | /v1.0/applications/{X}/addPassword
POST                      | /v1.0/applications/{X}/removePassword
POST                      | /v1.0/applications/{X}/addKey
POST                      | /v1.0/applications/{X}/removeKey
GET POST                  | /v1.0/groups
GET PATCH DELETE          | /v1.0/groups/{X}
GET                       | /v1.0/groups/{X}/members
GET                       | /v1.0/groups/{X}/owners
GET                       | /v1.0/groups/{X}/transitiveMembers
POST                      | /v1.0/groups/{X}/members/$ref
DELETE                    | /v1.0/groups/{X}/members/{U}/$ref
POST                      | /v1.0/groups/{X}/owners/$ref
DELETE                    | /v1.0/groups/{X}/owners/{U}/$ref
GET                       | /v1.0/users/{U}/memberOf
GET                       | /v1.0/users/{U}/transitiveMemberOf
GET                       | /v1.0/me/ownedObjects
POST                      | /v1.0/me/getMemberGroups
POST                      | /v1.0/users/{U}/checkMemberGroups
POST                      | /v1.0/directoryObjects/{X}/microsoft.graph.checkMemberObjects
POST                      | /v1.0/servicePrincipals/{X}/getMemberObjects
GET                       | /{T}/v2.0/.well-known/openid-configuration
GET                       | /{T}/.well-known/openid-configuration
GET                       | /{T}/discovery/v2.0/keys
GET                       | /common/userrealm/{E}
POST                      | /{T}/oauth2/v2.0/token
POST                      | /{T}/oauth2/token
POST                      | /{T}/oauth2/v2.0/devicecode
GET POST                  | /{T}/oauth2/v2.0/authorize
GET POST                  | /{T}/oauth2/authorize
GET POST                  | /{T}/oauth2/v2.0/logout
GET                       | /
GET POST                  | /signin
GET POST                  | /signin/account-type
GET POST                  | /signin/password
GET POST                  | /devicelogin
POST                      | /devicelogin/approve
GET                       | /signed-out
POST                      | /switch-directory
GET                       | /directories
GET POST                  | /directories/new
GET POST                  | /directories/use-existing
GET                       | /directories/{T}/link-requests/{X}
POST                      | /directories/{T}/link-requests/{X}/approve
GET                       | /directories/{T}
GET POST                  | /directories/{T}/users
GET                       | /directories/{T}/users/{U}
POST                      | /directories/{T}/users/{U}/enabled
POST                      | /directories/{T}/users/{U}/password
POST                      | /directories/{T}/users/{U}/roles
POST                      | /directories/{T}/users/{U}/roles/remove
GET POST                  | /directories/{T}/groups
GET POST                  | /directories/{T}/groups/{X}
POST                      | /directories/{T}/groups/{X}/delete
POST                      | /directories/{T}/groups/{X}/members
POST                      | /directories/{T}/groups/{X}/members/remove
POST                      | /directories/{T}/groups/{X}/owners
POST                      | /directories/{T}/groups/{X}/owners/remove
POST                      | /directories/{T}/groups/{X}/roles
GET POST                  | /directories/{T}/guests
GET POST                  | /directories/{T}/policy
POST                      | /directories/{T}/incoming/{S}/accept
POST                      | /redeem/{T}/{X}/accept
GET                       | /portal/subscriptions/{S}
GET POST                  | /portal/subscriptions/{S}/change-directory
POST                      | /portal/subscriptions/{S}/change-directory/confirm
POST                      | /portal/subscriptions/{S}/change-directory/cancel
GET                       | /portal/subscriptions/{S}/administrators
POST                      | /portal/subscriptions/{S}/administrators/add
POST                      | /portal/subscriptions/{S}/administrators/remove
POST                      | /portal/subscriptions/{S}/administrators/service-admin
GET POST                  | /portal/subscriptions/{S}/access
POST                      | /portal/subscriptions/{S}/access/remove
POST                      | /portal/subscriptions/{S}/access/check
GET POST                  | /portal/subscriptions/{S}/resourceGroups/{G}/access
POST                      | /portal/subscriptions/{S}/resourceGroups/{G}/access/check
GET POST                  | /activity
GET POST                  | /support
GET                       | /static/portal.css
GET                       | /healthz
";

/// The rows of [`ROUTES`]: methods and path.
fn routes() -> &'static [(&'static str, &'static str)] {
    static ROWS: std::sync::OnceLock<Vec<(&str, &str)>> = std::sync::OnceLock::new();
    ROWS.get_or_init(|| {
        ROUTES
            .lines()
            .filter_map(|l| l.split_once(" | "))
            .map(|(methods, path)| (methods.trim(), path.trim()))
            .collect()
    })
}

/// What each placeholder of a template stands for: the demo world's names and ids mostly.
const PLACES: &[(&str, &[&str])] = &[
    ("{S}", &[PAYG, "5b5c0000-0000-4000-8000-0000000000ff"]),
    (
        "{T}",
        &[
            ALICEDEFAULT,
            CONTOSO,
            "common",
            "organizations",
            "consumers",
            "contoso.com",
            "alicedefault.onmicrosoft.com",
        ],
    ),
    ("{G}", &["rg1", "RG1", "fuzz-rg"]),
    ("{N}", &["site1", "site2"]),
    (
        "{X}",
        &[
            "0badc0de-0000-4000-8000-000000000001",
            CI_CLIENT,
            "acdd72a7-3385-48ef-bd42-f606fba81ae7",
        ],
    ),
    (
        "{E}",
        &[
            "dave@outlook.com",
            "alice@outlook.com",
            "megan@contoso.onmicrosoft.com",
            "erin@alicedefault.onmicrosoft.com",
            "nobody@example.com",
        ],
    ),
    (
        "{U}",
        &[
            "erin@alicedefault.onmicrosoft.com",
            "megan@contoso.onmicrosoft.com",
            "lee@contoso.onmicrosoft.com",
            "0badc0de-0000-4000-8000-000000000001",
        ],
    ),
    (
        "{D}",
        &["contoso.com", "alicedefault.onmicrosoft.com", "example.com"],
    ),
    (
        "{R}",
        &[
            "62e90394-69f5-4237-9190-012177145e10",
            "fe930be7-5e62-47db-91af-98c3a49a38b1",
            "roleTemplateId=62e90394-69f5-4237-9190-012177145e10",
            "Global Administrator",
        ],
    ),
];

/// The names of query parameters, JSON properties and form fields the faces read.
const KEYS: &str = "
api-version $filter $top $select $skiptoken $orderby scope client_id client_secret response_type
redirect_uri state nonce prompt login_hint response_mode code_challenge code_challenge_method
resource grant_type username password refresh_token code code_verifier device_code
post_logout_redirect_uri location tags properties kind managedBy displayName userPrincipalName
mail accountEnabled passwordProfile invitedUserEmailAddress inviteRedirectUrl
invitedUserDisplayName roleName description permissions actions assignableScopes principalId
roleDefinitionId destinationTenantId destinationOwnerId principalMap exemptedPrincipals
blockSubscriptionsLeavingTenant @odata.id ids types emailAddress role accountType email
mailNickname mailEnabled securityEnabled isAssignableToRole groupTypes members@odata.bind
owners@odata.bind groupIds securityEnabledOnly $count
user_name display_name name tenant back destination destination_domain map principal
principal_name assignment subject severity subscription enabled exempted block_leaving directory
ready since actor mail_nickname role_assignable
";

/// One of [`KEYS`].
fn key() -> impl Strategy<Value = String> {
    prop::sample::select(KEYS.split_whitespace().collect::<Vec<_>>()).prop_map(str::to_string)
}

/// A value as a client, a typo or an attacker sends it: the demo world's names and ids, the grammar's
/// words, or hostile text.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            PAYG, ALICEDEFAULT, CONTOSO, CI_CLIENT, AZ_CLI, "rg1", "westeurope", "2022-09-01",
            "client_credentials", "password", "refresh_token", "authorization_code",
            "urn:ietf:params:oauth:grant-type:device_code", "code", "https://management.azure.com/.default",
            "openid profile offline_access", "http://localhost:8400", "S256", "none", "login", "form_post",
            "dave@outlook.com", "megan@contoso.onmicrosoft.com", "Contributor", "CoAdministrator",
            "displayName eq 'x'", "startswith(displayName,'M')", "atScope()", "assignedTo('x')", "5", "0",
            "-1", "true", "on", "securityEnabled eq true", "id in ('x')", "displayName desc",
        ]).prop_map(str::to_string),
        2 => hostile(),
    ]
}

/// A JSON value of any type, the faces' property names as keys.
fn json_value() -> impl Strategy<Value = Value> {
    json_of(key().boxed(), value().boxed())
}

/// A body: nothing, JSON (of the right and the wrong shapes), broken JSON, a form, or bytes.
#[derive(Debug, Clone)]
enum Body {
    None,
    Json(Value),
    Broken(String),
    Form(Vec<(String, String)>),
    Bytes(Vec<u8>),
}

fn body() -> impl Strategy<Value = Body> {
    let pairs = prop::collection::vec((key(), value()), 0..6);
    prop_oneof![
        2 => Just(Body::None),
        3 => json_value().prop_map(Body::Json),
        1 => (json_value(), any::<prop::sample::Index>()).prop_map(|(v, cut)| {
            let text = v.to_string();
            Body::Broken(text.chars().take(cut.index(text.chars().count() + 1)).collect::<String>() + "{,")
        }),
        3 => pairs.prop_map(Body::Form),
        1 => prop::collection::vec(any::<u8>(), 0..256).prop_map(Body::Bytes),
    ]
}

/// How a path segment is spoiled.
#[derive(Debug, Clone)]
enum Spoil {
    /// An escape after it: a control character, a slash, a percent sign, a bidi override, overlong
    /// or invalid UTF-8.
    After(&'static str),
    /// Something else instead: hostile text (escaped), `..`, a huge segment.
    Instead(String),
}

fn spoil() -> impl Strategy<Value = Option<Spoil>> {
    let escapes: Vec<&str> = "%0A %0D %00 %09 %2F %25 %E2%80%AE %C0%AF %FF"
        .split(' ')
        .collect();
    prop::option::weighted(
        0.35,
        prop_oneof![
            prop::sample::select(escapes).prop_map(Spoil::After),
            hostile().prop_map(|h| Spoil::Instead(encode(&h))),
            Just(Spoil::Instead("..".to_string())),
            Just(Spoil::Instead("%2E%2E".to_string())),
            "[a-z]{2000,5000}".prop_map(Spoil::Instead),
        ],
    )
}

/// One generated request, before its caller's credentials are added.
#[derive(Debug, Clone)]
struct Generated {
    route: usize,
    method: Option<Method>,
    places: Vec<prop::sample::Index>,
    spoiled: Option<(prop::sample::Index, Spoil)>,
    query: Vec<(String, String)>,
    body: Body,
    caller: prop::sample::Index,
    /// Whether the caller is one the face serves (a token for the APIs, a session for the portal).
    suited: bool,
    /// Which credential to present: the face's own, the other audience's, a forged one, or none.
    credential: u8,
    csrf: bool,
}

fn generated() -> impl Strategy<Value = Generated> {
    (
        0..routes().len(),
        prop::option::weighted(
            0.15,
            prop::sample::select(vec![
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
                Method::HEAD,
                Method::OPTIONS,
            ]),
        ),
        prop::collection::vec(any::<prop::sample::Index>(), PLACES.len()),
        (any::<prop::sample::Index>(), spoil()).prop_map(|(at, s)| s.map(|s| (at, s))),
        prop::collection::vec((key(), value()), 0..5),
        body(),
        (any::<prop::sample::Index>(), prop::bool::weighted(0.85)),
        0..10u8,
        prop::bool::weighted(0.9),
    )
        .prop_map(
            |(route, method, places, spoiled, query, body, (caller, suited), credential, csrf)| {
                Generated {
                    route,
                    method,
                    places,
                    spoiled,
                    query,
                    body,
                    caller,
                    suited,
                    credential,
                    csrf,
                }
            },
        )
}

/// A request ready to send, and the text of everything it says (its names may come back).
struct Request {
    method: Method,
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    said: String,
}

impl Generated {
    /// The caller: mostly one the route's face serves, else anyone.
    fn caller_of<'c>(&self, callers: &'c [Caller]) -> &'c Caller {
        let face = face_of(routes()[self.route].1);
        let suited: Vec<&Caller> = callers
            .iter()
            .filter(|c| match face {
                Face::Portal => c.session.is_some(),
                Face::Arm | Face::Graph => c.arm.is_some(),
                Face::Entra => true,
            })
            .collect();
        if self.suited && !suited.is_empty() {
            suited[self.caller.index(suited.len())]
        } else {
            &callers[self.caller.index(callers.len())]
        }
    }

    fn request(&self, caller: &Caller) -> Request {
        let (methods, template) = routes()[self.route];
        let method = self.method.clone().unwrap_or_else(|| {
            methods
                .split(' ')
                .next()
                .unwrap_or("GET")
                .parse()
                .unwrap_or(Method::GET)
        });
        let mut path = template.to_string();
        for (i, (key, values)) in PLACES.iter().enumerate() {
            let pick = &self.places[i];
            path = path.replace(key, &encode(values[pick.index(values.len())]));
        }
        if let Some((at, spoiled)) = &self.spoiled {
            let mut segments: Vec<String> = path.split('/').map(str::to_string).collect();
            let i = 1 + at.index(segments.len().max(2) - 1);
            if let Some(s) = segments.get_mut(i) {
                *s = match spoiled {
                    Spoil::After(escape) => format!("{s}{escape}"),
                    Spoil::Instead(other) => other.clone(),
                };
            }
            path = segments.join("/");
        }
        let face = face_of(&path);
        let mut headers = Vec::new();
        let mut query = self.query.clone();
        let token = match face {
            Face::Graph => caller.graph.as_ref().or(caller.arm.as_ref()),
            _ => caller.arm.as_ref().or(caller.graph.as_ref()),
        };
        let other = match face {
            Face::Graph => caller.arm.as_ref(),
            _ => caller.graph.as_ref(),
        };
        match (self.credential, token) {
            (0..=6, Some(t)) => headers.push(("authorization", format!("Bearer {t}"))),
            (7, _) => {
                if let Some(t) = other {
                    headers.push(("authorization", format!("Bearer {t}")));
                }
            }
            (8, _) => headers.push((
                "authorization",
                "Bearer eyJhbGciOiJub25lIn0.e30.".to_string(),
            )),
            _ => {}
        }
        let mut body = self.body.clone();
        if let Some((cookie, csrf)) = &caller.session {
            headers.push(("cookie", cookie.clone()));
            if self.csrf {
                match &mut body {
                    Body::Form(pairs) => pairs.push(("csrf".into(), csrf.clone())),
                    _ => body = Body::Form(vec![("csrf".into(), csrf.clone())]),
                }
                if method == Method::GET {
                    query.push(("csrf".into(), csrf.clone()));
                }
            }
        }
        let (content_type, bytes) = match &body {
            Body::None => (None, None),
            Body::Json(v) => (Some("application/json"), Some(v.to_string().into_bytes())),
            Body::Broken(t) => (Some("application/json"), Some(t.clone().into_bytes())),
            Body::Form(pairs) => (
                Some("application/x-www-form-urlencoded"),
                Some(
                    pairs
                        .iter()
                        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
                        .collect::<Vec<_>>()
                        .join("&")
                        .into_bytes(),
                ),
            ),
            Body::Bytes(b) => (Some("text/plain"), Some(b.clone())),
        };
        if let Some(ct) = content_type {
            headers.push(("content-type", ct.to_string()));
        }
        let query: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        let path = if query.is_empty() {
            path
        } else {
            format!("{path}?{}", query.join("&"))
        };
        // As the client sends it: `..` and `%2E%2E` segments resolved (RFC 3986 §5.2.4).
        let path = reqwest::Url::parse(&format!("https://h{path}"))
            .map(|u| match u.query() {
                Some(q) => format!("{}?{q}", u.path()),
                None => u.path().to_string(),
            })
            .unwrap_or(path);
        let said = format!(
            "{} {}",
            decode_lossy(&path),
            bytes
                .as_deref()
                .map(|b| decode_lossy(&String::from_utf8_lossy(b)))
                .unwrap_or_default()
        );
        Request {
            method,
            path,
            headers,
            body: bytes,
            said,
        }
    }
}

/// Percent- and `+`-decoding that never fails, for comparing what came back with what was sent.
fn decode_lossy(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What is wrong with an answer, if anything.
fn problems(
    req: &Request,
    caller: &Caller,
    foreign: &[&str],
    status: StatusCode,
    headers: &HeaderMap,
    text: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    if status.is_server_error() {
        out.push(format!("answered {status}"));
    }
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if status.is_redirection() {
        let location = headers
            .get("location")
            .map(|l| l.as_bytes().to_vec())
            .unwrap_or_default();
        if location.is_empty() || location.iter().any(|b| b.is_ascii_control()) {
            out.push(format!(
                "a redirect to {:?}",
                String::from_utf8_lossy(&location)
            ));
        }
    }
    if !(status.is_client_error() || status.is_server_error()) || req.method == Method::HEAD {
        return out;
    }
    let path = req.path.split('?').next().unwrap_or_default();
    let json: Option<Value> = serde_json::from_str(text).ok();
    let html = content_type.starts_with("text/html") && text.contains("<h1>");
    let in_format = match face_of(path) {
        Face::Arm => json
            .as_ref()
            .is_some_and(|b| b["error"]["code"].is_string() && b["error"]["message"].is_string()),
        Face::Graph => json.as_ref().is_some_and(|b| {
            b["error"]["code"].is_string() && b["error"]["innerError"].is_object()
        }),
        // The authorize page and logout are pages: they refuse as pages when they cannot redirect.
        Face::Entra => {
            json.as_ref()
                .is_some_and(|b| b["error"].is_string() && b["error_description"].is_string())
                || html
        }
        Face::Portal => {
            html || path.starts_with("/redeem/")
                && json
                    .as_ref()
                    .is_some_and(|b| b["error"]["code"].is_string())
        }
    };
    if !in_format {
        out.push(format!(
            "a refusal not in its face's format ({content_type}): {}",
            text.chars().take(300).collect::<String>()
        ));
    }
    let said = req.said.to_lowercase();
    let body = text.to_lowercase();
    for name in foreign {
        let name = name.to_lowercase();
        if body.contains(&name) && !said.contains(&name) {
            out.push(format!("a refusal to {} names {name:?}", caller.who));
        }
    }
    out
}

async fn send(
    http: &reqwest::Client,
    srv: &TestServer,
    req: &Request,
) -> Result<(StatusCode, HeaderMap, String), String> {
    let mut rb = http.request(req.method.clone(), srv.url(&req.path));
    for (k, v) in &req.headers {
        rb = rb.header(*k, v);
    }
    if let Some(b) = &req.body {
        rb = rb.body(b.clone());
    }
    let r = rb.send().await.map_err(|e| format!("no answer: {e:?}"))?;
    let (status, headers) = (r.status(), r.headers().clone());
    let text = r
        .text()
        .await
        .map_err(|e| format!("the answer broke off: {e:?}"))?;
    Ok((status, headers, text))
}

#[test]
fn generated_requests_across_every_face_find_no_5xx_panic_or_leak() {
    record_panics();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(THREADS)
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(generated_requests());
    let panics = PANICS.lock().map(|p| p.clone()).unwrap_or_default();
    assert!(
        panics.is_empty(),
        "the server panicked:\n{}",
        panics.join("\n")
    );
}

async fn generated_requests() {
    let count = cases(2000) as usize;
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let callers = callers(&srv).await;
        let http = client_without_redirects(&srv);
        let mut runner = TestRunner::default();
        let strategy = generated();
        let mut failures = Vec::new();
        for _ in 0..count {
            let g = strategy.new_tree(&mut runner).expect("a request").current();
            let caller = g.caller_of(&callers);
            let req = g.request(caller);
            let found = match send(&http, &srv, &req).await {
                Ok((status, headers, text)) => {
                    let foreign = srv.svc.read(|w| caller.foreign(w));
                    problems(&req, caller, &foreign, status, &headers, &text)
                }
                Err(e) => vec![e],
            };
            for p in found {
                failures.push(format!(
                    "{} {} as {}: {p}",
                    req.method,
                    req.path.chars().take(300).collect::<String>(),
                    caller.who
                ));
            }
        }
        failures.sort();
        failures.dedup();
        assert!(
            failures.is_empty(),
            "{:?}: {} of {count} requests went wrong:\n{}",
            store.backend(),
            failures.len(),
            failures
                .iter()
                .take(40)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
        let violations = srv
            .svc
            .read(tenantry_service::domain::rules::invariants::violations);
        assert!(violations.is_empty(), "{violations:?}");
        assert_memory_matches_database(&srv.svc).await;
    }
}
