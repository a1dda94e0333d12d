//! Nothing is written before the input is valid: an id in a path or a name in a body with a control
//! character (`%0A`, `%0D`, `%00`) is refused by every face in its own format, with a 4xx, and the
//! world's revision does not move. Each form and write is then sent clean, to show that it would have
//! written: the refusal is the control character's.

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const BAD: [&str; 3] = ["%0A", "%0D", "%00"];
const ALICE: (&str, &str) = ("alice@outlook.com", "Alice-2017!");
const ERIN: &str = "erin@alicedefault.onmicrosoft.com";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";
const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
/// Ids nothing has: a link request and an invitation.
const NO_REQUEST: &str = "0badc0de-0000-4000-8000-00000000000a";
const NO_INVITATION: &str = "0badc0de-0000-4000-8000-00000000000b";

/// The demo world's ids the paths name.
struct Ids {
    erin: String,
    erin_on_rg1: String,
    ci_on_sub: String,
}

fn ids(srv: &TestServer) -> Ids {
    let erin = object_of(&srv.svc, ERIN, "alicedefault");
    let ci = object_of(&srv.svc, CI_CLIENT, "alicedefault");
    let sub = payg(&srv.svc);
    srv.svc.read(|w| {
        let s = w.subscription(sub).expect("Pay-As-You-Go");
        let of = |p| {
            s.assignments_of(p)
                .next()
                .map(|a| a.id.to_string())
                .expect("an assignment")
        };
        Ids {
            erin: erin.to_string(),
            erin_on_rg1: of(erin),
            ci_on_sub: of(ci),
        }
    })
}

/// `template` with each `{…}` placeholder filled, and the variants with one of them followed by a
/// control character.
fn variants(template: &str, fill: &[(&str, &str)]) -> (String, Vec<String>) {
    let clean = fill
        .iter()
        .fold(template.to_string(), |p, (k, v)| p.replace(k, v));
    let mut bad = Vec::new();
    for (k, _) in fill.iter().filter(|(k, _)| template.contains(k)) {
        for c in BAD {
            let marked = template.replace(k, &format!("{k}{c}"));
            bad.push(fill.iter().fold(marked, |p, (k, v)| p.replace(k, v)));
        }
    }
    (clean, bad)
}

/// Every portal form whose path names an id or a group: its path, its fields (`name=value&…`, the
/// values as they are), and whether it writes when sent clean, in an order in which each clean one can.
const PORTAL_FORMS: &str = "
/directories/{T}/users                                       | user_name=zed&password=Zed-Pass-1!x&display_name=Zed  | writes
/directories/{T}/users/{U}/roles                             | role={USER_ADMINISTRATOR}                             | writes
/directories/{T}/users/{U}/roles/remove                      | role={USER_ADMINISTRATOR}                             | writes
/directories/{T}/users/{U}/enabled                           | enabled=true                                          | writes
/directories/{T}/users/{U}/password                          | password=Erin-New-Pass-1!                             | writes
/directories/{T}/guests                                      | email=newguest@example.com                            | writes
/directories/{T}/policy                                      | block_entering=on                                     | writes
/portal/subscriptions/{S}/administrators/add                 | email={ERIN}                                          | writes
/portal/subscriptions/{S}/administrators/remove              | email={ERIN}                                          | writes
/portal/subscriptions/{S}/access                             | principal_name={ERIN}&role={CONTRIBUTOR}              | writes
/portal/subscriptions/{S}/resourceGroups/{G}/access          | principal_name={CI}&role={READER}                     | writes
/portal/subscriptions/{S}/resourceGroups/{G}/access/remove   | assignment={ERIN_ON_RG1}                              | writes
/portal/subscriptions/{S}/access/remove                      | assignment={CI_ON_SUB}                                | writes
/portal/subscriptions/{S}/access/check                       | principal_name={ERIN}                                 | reads
/portal/subscriptions/{S}/resourceGroups/{G}/access/check    | principal_name={ERIN}                                 | reads
/portal/subscriptions/{S}/change-directory                   | destination={CONTOSO}                                 | reads
/portal/subscriptions/{S}/change-directory/confirm           | destination={CONTOSO}                                 | writes
/portal/subscriptions/{S}/change-directory/cancel            |                                                       | writes
/directories/{T}/incoming/{S}/accept                         |                                                       | reads
/directories/{T}/link-requests/{R}/approve                   |                                                       | reads
/directories/{T}/link-requests/{R}/decline                   |                                                       | reads
/directories/{T}/link-requests/{R}/cancel                    |                                                       | reads
/redeem/{T}/{I}/accept                                       |                                                       | reads
/portal/subscriptions/{S}/administrators/service-admin       | email=dave@outlook.com                                | writes
";

/// A row of [`PORTAL_FORMS`].
struct Form {
    path: String,
    fields: Vec<(String, String)>,
    writes: bool,
}

/// The rows of [`PORTAL_FORMS`], their field values filled in.
fn table(text: &str, ids: &Ids) -> Vec<Form> {
    let values = [
        ("{USER_ADMINISTRATOR}", USER_ADMINISTRATOR),
        ("{ERIN}", ERIN),
        ("{CONTRIBUTOR}", CONTRIBUTOR),
        ("{READER}", READER),
        ("{CI}", CI_CLIENT),
        ("{CONTOSO}", CONTOSO),
        ("{ERIN_ON_RG1}", ids.erin_on_rg1.as_str()),
        ("{CI_ON_SUB}", ids.ci_on_sub.as_str()),
    ];
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let fields = cells[1]
                .split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| {
                    let v = values
                        .iter()
                        .fold(v.to_string(), |v, (k, x)| v.replace(k, x));
                    (k.to_string(), v)
                })
                .collect();
            Form {
                path: cells[0].to_string(),
                fields,
                writes: cells[2] == "writes",
            }
        })
        .collect()
}

/// A refusal of the portal: a 4xx page, or a form sent back (303) to a page that shows the error.
async fn assert_portal_refused(
    b: &mut Browser,
    what: &str,
    (status, location, page): (StatusCode, String, String),
) {
    if status == StatusCode::SEE_OTHER {
        assert!(
            !location.chars().any(char::is_control) && location.starts_with('/'),
            "{what}: {location:?}"
        );
        let (_, _, shown) = b.get(&location).await;
        // At the top of the page, or next to the field it is about.
        assert!(
            shown.contains("flash flash-error") || shown.contains("class=\"field-error\""),
            "{what}: no refusal shown at {location}: {shown}"
        );
    } else {
        assert!(status.is_client_error(), "{what}: {status} {page}");
        assert!(page.contains("<h1>"), "{what}: not a portal page: {page}");
    }
}

/// Every portal form whose path names an id or a group, sent with a control character after each of
/// them, then clean; every page of those paths, likewise.
#[tokio::test]
async fn portal_paths_with_control_characters_write_nothing() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let ids = ids(&srv);
        let mut b = Browser::new(&srv);
        b.sign_in_to_portal(ALICE.0, ALICE.1).await;
        let (_, _, home) = b.get("/").await;
        let fill = [
            ("{S}", PAYG),
            ("{T}", ALICEDEFAULT),
            ("{U}", ids.erin.as_str()),
            ("{G}", "rg1"),
            ("{R}", NO_REQUEST),
            ("{I}", NO_INVITATION),
        ];
        let forms = table(PORTAL_FORMS, &ids);
        for f in &forms {
            let form: Vec<(&str, &str)> = f
                .fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let form = &form;
            let (clean, bad) = variants(&f.path, &fill);
            for path in bad {
                let before = srv.svc.revision();
                let (status, _, page) = b.submit(&path, &home, form).await;
                assert!(status.is_client_error(), "{path}: {status} {page}");
                assert!(page.contains("<h1>"), "{path}: not a portal page: {page}");
                assert_eq!(srv.svc.revision(), before, "{path} wrote");
            }
            let before = srv.svc.revision();
            let (status, location, page) = b.submit(&clean, &home, form).await;
            assert!(!status.is_server_error(), "{clean}: {status} {page}");
            if f.writes {
                assert!(
                    status == StatusCode::SEE_OTHER || status == StatusCode::OK,
                    "{clean}: {status} {page}"
                );
                assert!(
                    srv.svc.revision() > before,
                    "{clean} should have written (to {location})"
                );
            }
        }
        for template in [
            "/portal/subscriptions/{S}",
            "/portal/subscriptions/{S}/administrators",
            "/portal/subscriptions/{S}/access",
            "/portal/subscriptions/{S}/change-directory",
            "/portal/subscriptions/{S}/resourceGroups/{G}/access",
            "/directories/{T}",
            "/directories/{T}/users",
            "/directories/{T}/users/{U}",
            "/directories/{T}/guests",
            "/directories/{T}/policy",
            "/directories/{T}/link-requests/{R}",
            "/redeem/{T}/{I}",
        ] {
            let (clean, bad) = variants(template, &fill);
            for path in bad {
                let (status, _, page) = b.get(&path).await;
                assert!(status.is_client_error(), "{path}: {status} {page}");
            }
            let (status, _, page) = b.get(&clean).await;
            assert!(!status.is_server_error(), "{clean}: {status} {page}");
        }
    }
}

/// Names typed into portal forms with a control character, around or inside them: refused with the
/// form's error, nothing written.
#[tokio::test]
async fn portal_names_with_control_characters_write_nothing() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let mut b = Browser::new(&srv);
        b.sign_in_to_portal(ALICE.0, ALICE.1).await;
        let (_, _, home) = b.get("/").await;
        let users = format!("/directories/{ALICEDEFAULT}/users");
        let guests = format!("/directories/{ALICEDEFAULT}/guests");
        let add = format!("/portal/subscriptions/{PAYG}/administrators/add");
        let access = format!("/portal/subscriptions/{PAYG}/access");
        let change = format!("/portal/subscriptions/{PAYG}/change-directory/confirm");
        for c in ["\n", "\r", "\0"] {
            let around = |s: &str| format!("{s}{c}");
            let inside = |s: &str| format!("{}{c}{}", &s[..2], &s[2..]);
            let placements: [&dyn Fn(&str) -> String; 2] = [&around, &inside];
            for name in placements {
                let cases: Vec<(&str, Vec<(&str, String)>)> = vec![
                    (
                        "/directories/new",
                        vec![("name", name("zedco")), ("display_name", "Zed".into())],
                    ),
                    (
                        "/directories/new",
                        vec![("name", "zedco".into()), ("display_name", name("Zed Co"))],
                    ),
                    (
                        &users,
                        vec![
                            ("user_name", name("zed")),
                            ("password", "Zed-Pass-1!x".into()),
                        ],
                    ),
                    (
                        &users,
                        vec![
                            ("user_name", "zed".into()),
                            ("display_name", name("Zed")),
                            ("password", "Zed-Pass-1!x".into()),
                        ],
                    ),
                    (
                        &users,
                        vec![
                            ("user_name", "zed".into()),
                            ("mail", name("zed@example.com")),
                            ("password", "Zed-Pass-1!x".into()),
                        ],
                    ),
                    (&guests, vec![("email", name("guest@example.com"))]),
                    (
                        &guests,
                        vec![
                            ("email", "guest@example.com".into()),
                            ("display_name", name("Guest")),
                        ],
                    ),
                    (&add, vec![("email", name(ERIN))]),
                    (
                        &access,
                        vec![("principal_name", name(ERIN)), ("role", READER.into())],
                    ),
                    (
                        &change,
                        vec![
                            ("destination", CONTOSO.into()),
                            ("map", format!("dave@outlook.com = {}", name(ERIN))),
                        ],
                    ),
                    (
                        "/support",
                        vec![
                            ("subject", name("Help me")),
                            ("description", "It broke.".into()),
                            ("severity", "C".into()),
                        ],
                    ),
                ];
                for (path, form) in cases {
                    let form: Vec<(&str, &str)> =
                        form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    let before = srv.svc.revision();
                    let support = srv
                        .svc
                        .my_support_requests(&signed_in(&srv.svc, ALICE.0, "alicedefault"))
                        .await
                        .unwrap()
                        .len();
                    let answer = b.submit(path, &home, &form).await;
                    let what = format!("{path} {form:?}");
                    assert_portal_refused(&mut b, &what, answer).await;
                    assert_eq!(srv.svc.revision(), before, "{what} wrote");
                    let after = srv
                        .svc
                        .my_support_requests(&signed_in(&srv.svc, ALICE.0, "alicedefault"))
                        .await
                        .unwrap()
                        .len();
                    assert_eq!(after, support, "{what} filed a request");
                }
            }
        }
        // The same forms, clean, write.
        let before = srv.svc.revision();
        let (status, _, _) = b
            .submit(
                "/directories/new",
                &home,
                &[("name", "zedco"), ("display_name", "Zed Co")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(srv.svc.revision() > before);
    }
}

/// An ARM, extension or Graph call: the caller's token, method, path, body.
struct Call {
    token: String,
    method: Method,
    path: String,
    body: Option<Value>,
}

impl Call {
    /// Sends the call: whether it wrote, its status and body, and the call in words.
    async fn send(&self, srv: &TestServer) -> (bool, StatusCode, Value, String) {
        let before = srv.svc.revision();
        let (status, body) = crate::support::call(
            srv,
            self.method.clone(),
            &self.path,
            Some(&self.token),
            self.body.clone(),
        )
        .await;
        let what = format!(
            "{} {} {}",
            self.method,
            self.path,
            self.body.clone().unwrap_or_default()
        );
        (srv.svc.revision() != before, status, body, what)
    }
}

/// Sends `call`: refused with a 4xx in the face's JSON error format, nothing written.
async fn assert_api_refused(srv: &TestServer, call: &Call) {
    let (wrote, status, body, what) = call.send(srv).await;
    assert!(status.is_client_error(), "{what}: {status} {body}");
    assert!(
        body["error"]["code"].is_string(),
        "{what}: not the face's error: {body}"
    );
    assert!(!wrote, "{what} wrote");
}

/// Sends `call` clean: it writes.
async fn assert_api_writes(srv: &TestServer, call: &Call) {
    let (wrote, status, body, what) = call.send(srv).await;
    assert!(status.is_success(), "{what}: {status} {body}");
    assert!(wrote, "{what} did not write");
}

/// ARM, extension and Graph writes with a control character after an id of their path, or in a name of
/// their body.
#[tokio::test]
async fn api_writes_with_control_characters_write_nothing() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let ids = ids(&srv);
        let arm = user_token(&srv, ALICEDEFAULT, ALICE.0, ALICE.1, ARM).await;
        let graph = user_token(&srv, ALICEDEFAULT, ALICE.0, ALICE.1, GRAPH).await;
        let new_assignment = "0badc0de-0000-4000-8000-0000000000a1";
        let new_role = "0badc0de-0000-4000-8000-0000000000a2";
        let fill = [
            ("{S}", PAYG),
            ("{T}", CONTOSO),
            ("{U}", ids.erin.as_str()),
            ("{G}", "rg1"),
            ("{N}", "site1"),
            ("{A}", new_assignment),
            ("{D}", new_role),
            ("{R}", USER_ADMINISTRATOR),
        ];
        let api = "api-version=2022-04-01";
        let role_definition = json!({"properties": {"roleName": "Site Reader", "permissions": [{"actions": ["Microsoft.Web/sites/read"]}], "assignableScopes": [format!("/subscriptions/{PAYG}")]}});
        let assignment = json!({"properties": {"roleDefinitionId": format!("/subscriptions/{PAYG}/providers/Microsoft.Authorization/roleDefinitions/{CONTRIBUTOR}"), "principalId": ids.erin}});
        // (token, method, path template, body), in an order in which each clean call writes.
        let writes: Vec<(&str, Method, String, Option<Value>)> = vec![
            (
                &arm,
                Method::PUT,
                format!("/subscriptions/{{S}}/resourcegroups/new{{G}}?{api}"),
                Some(json!({"location": "westeurope", "tags": {"env": "test"}})),
            ),
            (
                &arm,
                Method::PATCH,
                format!("/subscriptions/{{S}}/resourcegroups/{{G}}?{api}"),
                Some(json!({"tags": {"env": "prod"}})),
            ),
            (
                &arm,
                Method::PUT,
                format!(
                    "/subscriptions/{{S}}/resourceGroups/{{G}}/providers/Microsoft.Web/sites/{{N}}?{api}"
                ),
                Some(json!({"location": "westeurope", "kind": "app"})),
            ),
            (
                &arm,
                Method::DELETE,
                format!(
                    "/subscriptions/{{S}}/resourceGroups/{{G}}/providers/Microsoft.Web/sites/{{N}}?{api}"
                ),
                None,
            ),
            (
                &arm,
                Method::PUT,
                format!(
                    "/subscriptions/{{S}}/providers/Microsoft.Authorization/roleDefinitions/{{D}}?{api}"
                ),
                Some(role_definition.clone()),
            ),
            (
                &arm,
                Method::PUT,
                format!(
                    "/subscriptions/{{S}}/resourceGroups/{{G}}/providers/Microsoft.Authorization/roleAssignments/{{A}}?{api}"
                ),
                Some(assignment.clone()),
            ),
            (
                &arm,
                Method::DELETE,
                format!(
                    "/subscriptions/{{S}}/resourceGroups/{{G}}/providers/Microsoft.Authorization/roleAssignments/{{A}}?{api}"
                ),
                None,
            ),
            (
                &arm,
                Method::DELETE,
                format!(
                    "/subscriptions/{{S}}/providers/Microsoft.Authorization/roleDefinitions/{{D}}?{api}"
                ),
                None,
            ),
            (
                &arm,
                Method::PUT,
                format!(
                    "/subscriptions/{{S}}/providers/Microsoft.Subscription/directoryLinkRequests/{{T}}?{api}"
                ),
                None,
            ),
            (
                &arm,
                Method::DELETE,
                format!("/subscriptions/{{S}}/resourcegroups/{{G}}?{api}"),
                None,
            ),
            (
                &graph,
                Method::PATCH,
                "/v1.0/users/{U}".to_string(),
                Some(json!({"displayName": "Erin B."})),
            ),
            (
                &graph,
                Method::POST,
                "/v1.0/directoryRoles/roleTemplateId={R}/members/$ref".to_string(),
                Some(
                    json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{}", ids.erin)}),
                ),
            ),
            (
                &graph,
                Method::DELETE,
                "/v1.0/directoryRoles/roleTemplateId={R}/members/{U}/$ref".to_string(),
                None,
            ),
        ];
        for (token, method, template, body) in &writes {
            let (clean, bad) = variants(template, &fill);
            for path in bad {
                let call = Call {
                    token: token.to_string(),
                    method: method.clone(),
                    path,
                    body: body.clone(),
                };
                assert_api_refused(&srv, &call).await;
            }
            let call = Call {
                token: token.to_string(),
                method: method.clone(),
                path: clean,
                body: body.clone(),
            };
            assert_api_writes(&srv, &call).await;
        }

        // Names in bodies.
        let rg = format!("/subscriptions/{PAYG}/resourcegroups/names?{api}");
        let site = format!(
            "/subscriptions/{PAYG}/resourceGroups/names/providers/Microsoft.Web/sites/s1?{api}"
        );
        let role = format!(
            "/subscriptions/{PAYG}/providers/Microsoft.Authorization/roleDefinitions/{new_role}?{api}"
        );
        let assign = format!(
            "/subscriptions/{PAYG}/providers/Microsoft.Authorization/roleAssignments/{new_assignment}?{api}"
        );
        let change = format!(
            "/subscriptions/{PAYG}/providers/Microsoft.Subscription/changeTenantRequest/default?{api}"
        );
        let policy = format!("/providers/Microsoft.Subscription/policies/default?{api}");
        assert_api_writes(
            &srv,
            &Call {
                token: arm.clone(),
                method: Method::PUT,
                path: rg.clone(),
                body: Some(json!({"location": "westeurope"})),
            },
        )
        .await;
        for c in ["\n", "\r", "\0"] {
            let n = |s: &str| format!("{s}{c}x");
            let bodies: Vec<(&str, &str, String, Value)> = vec![
                (
                    &arm,
                    "PUT",
                    rg.clone(),
                    json!({"location": n("westeurope")}),
                ),
                (
                    &arm,
                    "PUT",
                    rg.clone(),
                    json!({"location": "westeurope", "tags": {n("env"): "prod"}}),
                ),
                (
                    &arm,
                    "PATCH",
                    rg.clone(),
                    json!({"tags": {"env": n("prod")}}),
                ),
                (
                    &arm,
                    "PUT",
                    site.clone(),
                    json!({"location": n("westeurope")}),
                ),
                (
                    &arm,
                    "PUT",
                    site.clone(),
                    json!({"location": "westeurope", "kind": n("app")}),
                ),
                (
                    &arm,
                    "PUT",
                    site.clone(),
                    json!({"location": "westeurope", "tags": {"a": n("b")}}),
                ),
                (
                    &arm,
                    "PUT",
                    role.clone(),
                    json!({"properties": {"roleName": n("Site Reader"), "permissions": [{"actions": ["*/read"]}]}}),
                ),
                (
                    &arm,
                    "PUT",
                    role.clone(),
                    json!({"properties": {"roleName": "Site Reader", "permissions": [{"actions": [n("*/read")]}]}}),
                ),
                (
                    &arm,
                    "PUT",
                    role.clone(),
                    json!({"properties": {"roleName": "Site Reader", "description": "\u{0}", "permissions": [{"actions": ["*/read"]}]}}),
                ),
                (
                    &arm,
                    "PUT",
                    assign.clone(),
                    json!({"properties": {"roleDefinitionId": format!("/subscriptions/{PAYG}/providers/Microsoft.Authorization/roleDefinitions/{READER}"), "principalId": format!("{}{c}", ids.erin)}}),
                ),
                (
                    &arm,
                    "PUT",
                    assign.clone(),
                    json!({"properties": {"roleDefinitionId": format!("/subscriptions/{PAYG}/providers/Microsoft.Authorization/roleDefinitions/{READER}{c}"), "principalId": ids.erin}}),
                ),
                (
                    &arm,
                    "PUT",
                    assign.clone(),
                    json!({"properties": {"roleDefinitionId": format!("/subscriptions/{PAYG}/providers/Microsoft.Authorization/roleDefinitions/{READER}"), "principalId": ids.erin, "description": "\u{0}"}}),
                ),
                (
                    &arm,
                    "PUT",
                    change.clone(),
                    json!({"properties": {"destinationTenantId": format!("{CONTOSO}{c}")}}),
                ),
                (
                    &arm,
                    "PUT",
                    change.clone(),
                    json!({"properties": {"destinationTenantId": CONTOSO, "principalMap": {"dave@outlook.com": n(ERIN)}}}),
                ),
                (
                    &arm,
                    "PUT",
                    policy.clone(),
                    json!({"exemptedPrincipals": [format!("{ERIN}{c}")]}),
                ),
                (
                    &graph,
                    "POST",
                    "/v1.0/users".to_string(),
                    json!({"userPrincipalName": n("zed@alicedefault.onmicrosoft.com"), "displayName": "Zed", "passwordProfile": {"password": "Zed-Pass-1!x"}}),
                ),
                (
                    &graph,
                    "POST",
                    "/v1.0/users".to_string(),
                    json!({"userPrincipalName": "zed@alicedefault.onmicrosoft.com", "displayName": n("Zed"), "passwordProfile": {"password": "Zed-Pass-1!x"}}),
                ),
                (
                    &graph,
                    "POST",
                    "/v1.0/users".to_string(),
                    json!({"userPrincipalName": "zed@alicedefault.onmicrosoft.com", "displayName": "Zed", "mail": n("zed@example.com"), "passwordProfile": {"password": "Zed-Pass-1!x"}}),
                ),
                (
                    &graph,
                    "PATCH",
                    format!("/v1.0/users/{ERIN}"),
                    json!({"displayName": n("Erin")}),
                ),
                (
                    &graph,
                    "POST",
                    "/v1.0/invitations".to_string(),
                    json!({"invitedUserEmailAddress": n("guest@example.com"), "inviteRedirectUrl": "https://example.com"}),
                ),
                (
                    &graph,
                    "POST",
                    "/v1.0/invitations".to_string(),
                    json!({"invitedUserEmailAddress": "guest@example.com", "invitedUserDisplayName": n("Guest"), "inviteRedirectUrl": "https://example.com"}),
                ),
                (
                    &graph,
                    "POST",
                    "/v1.0/applications".to_string(),
                    json!({"displayName": n("app")}),
                ),
                (
                    &graph,
                    "POST",
                    "/v1.0/groups".to_string(),
                    json!({"displayName": n("Platform"), "mailEnabled": false, "securityEnabled": true}),
                ),
                (
                    &graph,
                    "POST",
                    "/v1.0/groups".to_string(),
                    json!({"displayName": "Platform", "mailNickname": n("platform")}),
                ),
                (
                    &graph,
                    "POST",
                    "/v1.0/groups".to_string(),
                    json!({"displayName": "Platform", "description": "\u{0}"}),
                ),
                (
                    &graph,
                    "POST",
                    "/v1.0/groups".to_string(),
                    json!({"displayName": "Platform", "members@odata.bind": [format!("https://graph.microsoft.com/v1.0/directoryObjects/{}{c}", ids.erin)]}),
                ),
            ];
            for (token, method, path, body) in bodies {
                let call = Call {
                    token: token.to_string(),
                    method: method.parse().unwrap(),
                    path,
                    body: Some(body),
                };
                assert_api_refused(&srv, &call).await;
            }
        }
        let (clean, bad) = variants("/v1.0/users/{U}", &fill);
        for path in bad {
            assert_api_refused(
                &srv,
                &Call {
                    token: graph.clone(),
                    method: Method::DELETE,
                    path,
                    body: None,
                },
            )
            .await;
        }
        assert_api_writes(
            &srv,
            &Call {
                token: graph.clone(),
                method: Method::DELETE,
                path: clean,
                body: None,
            },
        )
        .await;
    }
}
