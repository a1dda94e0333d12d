//! "Associate an Office 365 tenant to an Azure subscription" (2017), end to end over HTTPS with real
//! tokens, on SQLite and PostgreSQL: every step of the article through the Graph, extension and ARM APIs,
//! and every refusal of its prerequisites with its error body.

use crate::graph::invite;
use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const API: &str = "api-version=2024-08-01-preview";
const ALICE: (&str, &str) = ("alice@outlook.com", "Alice-2017!");
const DAVE: (&str, &str) = ("dave@outlook.com", "Dave-2017!");
const ERIN: (&str, &str) = ("erin@alicedefault.onmicrosoft.com", "Erin-Default-1!");
const ADMIN: (&str, &str) = ("admin@contoso.onmicrosoft.com", "Contoso-Admin-1!");
const MEGAN: (&str, &str) = ("megan@contoso.onmicrosoft.com", "Megan-Contoso-1!");
const LEE: (&str, &str) = ("lee@contoso.onmicrosoft.com", "Lee-Contoso-1!");

async fn arm_token(srv: &TestServer, tenant: &str, who: (&str, &str)) -> String {
    user_token(srv, tenant, who.0, who.1, ARM).await
}

fn change_path(suffix: &str) -> String {
    format!(
        "/subscriptions/{PAYG}/providers/Microsoft.Subscription/changeTenantRequest/default{suffix}?{API}"
    )
}

fn link_path(tenant: &str) -> String {
    format!(
        "/subscriptions/{PAYG}/providers/Microsoft.Subscription/directoryLinkRequests/{tenant}?{API}"
    )
}

fn to_contoso() -> Value {
    json!({"properties": {"destinationTenantId": CONTOSO}})
}

async fn post(srv: &TestServer, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    call(srv, Method::POST, path, Some(token), Some(body)).await
}

async fn put(srv: &TestServer, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    call(srv, Method::PUT, path, Some(token), Some(body)).await
}

/// The `field` of every item of a JSON array.
fn pluck<'a>(list: &'a Value, field: &str) -> Vec<&'a str> {
    list.as_array()
        .map(|a| a.iter().filter_map(|v| v[field].as_str()).collect())
        .unwrap_or_default()
}

/// The subscription ids `GET /subscriptions` shows to the token.
async fn listed(srv: &TestServer, token: &str) -> Vec<String> {
    let (s, page) = get(srv, "/subscriptions?api-version=2022-12-01", token).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    pluck(&page["value"], "subscriptionId")
        .into_iter()
        .map(String::from)
        .collect()
}

async fn can_read_rg1(srv: &TestServer, token: &str) -> StatusCode {
    get(
        srv,
        &format!("/subscriptions/{PAYG}/resourcegroups/rg1?api-version=2024-11-01"),
        token,
    )
    .await
    .0
}

/// The error code of a refusal, checking it is ARM's format.
fn code(body: &Value) -> &str {
    body["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("an ARM error body: {body}"))
}

fn detail_codes(body: &Value) -> Vec<&str> {
    pluck(&body["error"]["details"], "code")
}

#[tokio::test]
async fn the_article_over_http() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let alice = arm_token(&srv, ALICEDEFAULT, ALICE).await;
        let dave = arm_token(&srv, ALICEDEFAULT, DAVE).await;
        let erin = arm_token(&srv, ALICEDEFAULT, ERIN).await;
        let admin = arm_token(&srv, CONTOSO, ADMIN).await;
        let megan = arm_token(&srv, CONTOSO, MEGAN).await;

        // Step 1: use existing directory. A co-administrator may not; the service administrator asks.
        let (s, e) = put(&srv, &link_path(CONTOSO), &dave, json!({})).await;
        assert_eq!(
            (s, code(&e)),
            (StatusCode::FORBIDDEN, "NotServiceAdministrator"),
            "{e}"
        );
        let (s, req) = put(&srv, &link_path(CONTOSO), &alice, json!({})).await;
        assert_eq!(s, StatusCode::CREATED, "{req}");
        assert_eq!(req["properties"]["status"], "Pending");
        let request = req["name"].as_str().unwrap().to_string();
        let (_, latest) = get(&srv, &link_path("contoso.onmicrosoft.com"), &alice).await;
        assert_eq!(
            latest["name"],
            request.as_str(),
            "the tenant may be named by a domain"
        );

        // A member of contoso who is not a Global Administrator can neither list nor approve.
        let pending = format!("/providers/Microsoft.Subscription/directoryLinkRequests?{API}");
        let (s, e) = get(&srv, &pending, &megan).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        let approve = format!(
            "/providers/Microsoft.Subscription/directoryLinkRequests/{request}/approve?{API}"
        );
        let (s, e) = post(&srv, &approve, &megan, json!({})).await;
        assert_eq!(
            (s, code(&e)),
            (StatusCode::FORBIDDEN, "ApproverNotGlobalAdministrator"),
            "{e}"
        );
        // The Global Administrator sees it and approves: contoso appears in alice's directories.
        let (_, list) = get(&srv, &pending, &admin).await;
        assert_eq!(pluck(&list["value"], "name"), [request.as_str()]);
        assert_eq!(
            list["value"][0]["properties"]["requester"],
            "alice@outlook.com"
        );
        let (s, done) = post(&srv, &approve, &admin, json!({})).await;
        assert_eq!(s, StatusCode::OK, "{done}");
        assert_eq!(done["properties"]["status"], "Completed");
        let (_, tenants) = get(&srv, "/tenants?api-version=2022-12-01", &alice).await;
        assert!(
            pluck(&tenants["value"], "tenantId").contains(&CONTOSO),
            "{tenants}"
        );

        // Step 2: change the directory. The preview lists the co-admin AND the role-assignment user AND
        // the application, and who keeps access.
        let (s, preview) = post(&srv, &change_path("/preview"), &alice, to_contoso()).await;
        assert_eq!(s, StatusCode::OK, "{preview}");
        let p = &preview["properties"];
        assert_eq!(p["blockers"], json!([]), "{p}");
        assert_eq!(p["sourceTenantId"], ALICEDEFAULT);
        assert_eq!(
            pluck(&p["removedCoAdministrators"], "emailAddress"),
            ["dave@outlook.com"]
        );
        let mut removed = pluck(&p["removedRoleAssignments"], "principalName");
        removed.sort();
        assert_eq!(removed, ["ci", "erin@alicedefault.onmicrosoft.com"]);
        let erin_ra = p["removedRoleAssignments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["principalType"] == "User")
            .unwrap();
        assert_eq!(erin_ra["roleDefinitionName"], "Reader");
        assert_eq!(
            erin_ra["scope"],
            format!("/subscriptions/{PAYG}/resourceGroups/rg1")
        );
        assert_eq!(
            erin_ra["roleDefinitionId"],
            format!(
                "/subscriptions/{PAYG}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"
            )
        );
        assert_eq!(
            p["retainedAdministrators"],
            json!([{"emailAddress": "alice@outlook.com", "role": "ServiceAdministrator"}])
        );
        assert_eq!(can_read_rg1(&srv, &erin).await, StatusCode::OK);
        assert_eq!(can_read_rg1(&srv, &dave).await, StatusCode::OK);
        // The co-administrator may not change it.
        let (s, e) = put(&srv, &change_path(""), &dave, to_contoso()).await;
        assert_eq!(
            (s, code(&e)),
            (StatusCode::FORBIDDEN, "NotServiceOrAccountAdministrator"),
            "{e}"
        );

        let (s, changed) = put(&srv, &change_path(""), &alice, to_contoso()).await;
        assert_eq!(s, StatusCode::OK, "{changed}");
        assert_eq!(changed["name"], "default");
        assert_eq!(
            changed["type"],
            "Microsoft.Subscription/changeTenantRequest"
        );
        assert_eq!(changed["properties"]["status"], "Completed");
        assert_eq!(changed["properties"]["destinationTenantId"], CONTOSO);

        // Both lose access at once, with the tokens they already hold.
        for (who, token) in [("dave", &dave), ("erin", &erin)] {
            assert!(
                listed(&srv, token).await.is_empty(),
                "{who} no longer sees the subscription"
            );
            let s = can_read_rg1(&srv, token).await;
            assert!(
                s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND,
                "{who}: {s}"
            );
        }
        let alice_c = arm_token(&srv, CONTOSO, ALICE).await;
        assert_eq!(
            listed(&srv, &alice_c).await,
            [PAYG],
            "the service administrator keeps access"
        );

        // Step 3: the service administrator adds megan (contoso) as co-administrator.
        let lee = arm_token(&srv, CONTOSO, LEE).await;
        assert!(listed(&srv, &megan).await.is_empty());
        let (s, added) = put(&srv,
            &format!("/subscriptions/{PAYG}/providers/Microsoft.Authorization/classicAdministrators/megan@contoso.onmicrosoft.com?api-version=2015-07-01"),
            &alice_c,
            json!({"properties": {"emailAddress": "megan@contoso.onmicrosoft.com", "role": "CoAdministrator"}})).await;
        assert!(s.is_success(), "{s} {added}");
        assert_eq!(
            listed(&srv, &megan).await,
            [PAYG],
            "megan sees the subscription"
        );
        let (s, rg) = put(
            &srv,
            &format!("/subscriptions/{PAYG}/resourcegroups/rg2?api-version=2024-11-01"),
            &megan,
            json!({"location": "westeurope"}),
        )
        .await;
        assert_eq!(
            s,
            StatusCode::CREATED,
            "megan creates a resource group: {rg}"
        );
        assert!(listed(&srv, &lee).await.is_empty(), "lee sees nothing");
        let (s, e) = put(
            &srv,
            &format!("/subscriptions/{PAYG}/resourcegroups/rg3?api-version=2024-11-01"),
            &lee,
            json!({"location": "westeurope"}),
        )
        .await;
        assert!(
            s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND,
            "{s} {e}"
        );

        // The audit log tells the story: the subscription's to whoever reads it, the tenant's to its admins.
        let (s, events) = get(&srv, &format!("/subscriptions/{PAYG}/providers/Microsoft.Subscription/auditEvents?$filter=operationName%20eq%20'Microsoft.Subscription/changeTenantRequest/action'"), &alice_c).await;
        assert_eq!(s, StatusCode::OK, "{events}");
        let change = &events["value"][0];
        assert_eq!(change["caller"], "alice@outlook.com");
        assert_eq!(
            change["properties"]["removedCoAdministrators"],
            json!(["dave@outlook.com"])
        );
        assert_eq!(change["properties"]["removedRoleAssignmentCount"], 2);
        // Two at a time, following nextLink: the same events as one page, each once.
        let whole = format!("/subscriptions/{PAYG}/providers/Microsoft.Subscription/auditEvents");
        let (_, one_page) = get(&srv, &whole, &alice_c).await;
        assert!(one_page.get("nextLink").is_none(), "{one_page}");
        let ids = |v: &Value| pluck(&v["value"], "eventDataId").join(" ");
        let mut paged = Vec::new();
        let mut next = Some(format!("{whole}?api-version=2022-12-01&$top=2"));
        while let Some(path) = next {
            let (s, page) = get(&srv, &path, &alice_c).await;
            assert_eq!(s, StatusCode::OK, "{page}");
            assert!(page["value"].as_array().unwrap().len() <= 2);
            paged.push(ids(&page));
            next = page["nextLink"].as_str().map(|l| {
                l.strip_prefix(&srv.base_url)
                    .unwrap_or_else(|| panic!("{l}"))
                    .to_string()
            });
        }
        assert!(paged.len() > 1, "{paged:?}");
        assert_eq!(
            paged
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
            ids(&one_page)
        );
        let (s, e) = get(&srv, &format!("{whole}?$skiptoken=yesterday"), &alice_c).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
        assert_eq!(e["error"]["code"], "InvalidSkipToken");
        let (s, _) = get(
            &srv,
            &format!("/subscriptions/{PAYG}/providers/Microsoft.Subscription/auditEvents"),
            &lee,
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, events) = get(&srv, "/providers/Microsoft.Subscription/auditEvents?$filter=startswith(operationName,'tenantry/directoryLinkRequests')", &admin).await;
        assert_eq!(s, StatusCode::OK, "{events}");
        assert!(
            pluck(&events["value"], "caller").contains(&"admin@contoso.onmicrosoft.com"),
            "{events}"
        );
        let (s, e) = get(
            &srv,
            "/providers/Microsoft.Subscription/auditEvents",
            &megan,
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        assert_memory_matches_database(&srv.svc).await;
    }
}

#[tokio::test]
async fn invitation_then_change_with_a_principal_map() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        // The Office 365 tenant's global admin invites the service administrator, who redeems with her
        // personal-account token.
        let admin_graph = user_token(&srv, CONTOSO, ADMIN.0, ADMIN.1, GRAPH).await;
        let (s, inv) = invite(&srv, &admin_graph, "alice@outlook.com").await;
        assert_eq!(s, StatusCode::CREATED, "{inv}");
        let alice_personal = user_token(&srv, "consumers", ALICE.0, ALICE.1, GRAPH).await;
        let (s, done) = call(
            &srv,
            Method::POST,
            inv["inviteRedeemUrl"].as_str().unwrap(),
            Some(&alice_personal),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{done}");

        // The principal map re-grants erin's Reader role to megan, and dave's co-administrator role to lee.
        let alice = arm_token(&srv, ALICEDEFAULT, ALICE).await;
        let body = json!({"properties": {"destinationTenantId": CONTOSO, "principalMap": {
            ERIN.0: MEGAN.0, DAVE.0: "lee@contoso.com"}}});
        let (s, preview) = post(&srv, &change_path("/preview"), &alice, body.clone()).await;
        assert_eq!(s, StatusCode::OK, "{preview}");
        let p = &preview["properties"];
        assert_eq!(p["blockers"], json!([]));
        assert_eq!(
            pluck(&p["regrantedRoleAssignments"], "principalName"),
            [MEGAN.0]
        );
        assert_eq!(
            p["regrantedRoleAssignments"][0]["roleDefinitionName"],
            "Reader"
        );
        assert_eq!(
            pluck(&p["regrantedCoAdministrators"], "emailAddress"),
            [LEE.0]
        );
        let (s, changed) = put(&srv, &change_path(""), &alice, body).await;
        assert_eq!(s, StatusCode::OK, "{changed}");
        assert_eq!(changed["properties"]["status"], "Completed");
        assert_eq!(changed["properties"]["principalMap"][ERIN.0], MEGAN.0);

        let megan = arm_token(&srv, CONTOSO, MEGAN).await;
        assert_eq!(
            can_read_rg1(&srv, &megan).await,
            StatusCode::OK,
            "megan reads rg1 as erin did"
        );
        let (s, _) = put(
            &srv,
            &format!("/subscriptions/{PAYG}/resourcegroups/rg1?api-version=2024-11-01"),
            &megan,
            json!({"location": "westeurope"}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "but only reads");
        let lee = arm_token(&srv, CONTOSO, LEE).await;
        assert_eq!(
            listed(&srv, &lee).await,
            [PAYG],
            "lee is co-administrator in dave's place"
        );
        assert_memory_matches_database(&srv.svc).await;
    }
}

#[tokio::test]
async fn a_change_waits_for_acceptance_when_the_initiator_is_absent() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let alice = arm_token(&srv, ALICEDEFAULT, ALICE).await;
        // alice is not in contoso: the preview says so and what to do, and PUT makes a waiting request.
        let (_, preview) = post(&srv, &change_path("/preview"), &alice, to_contoso()).await;
        let blockers = &preview["properties"]["blockers"];
        assert_eq!(
            pluck(blockers, "code"),
            ["InitiatorNotInDestination"],
            "{preview}"
        );
        assert!(blockers[0]["remedy"].as_str().unwrap().contains("accept"));
        let (s, waiting) = put(&srv, &change_path(""), &alice, to_contoso()).await;
        assert_eq!(s, StatusCode::CREATED, "{waiting}");
        assert_eq!(waiting["properties"]["status"], "Initiated");
        assert!(
            waiting["properties"]["expiresOn"]
                .as_str()
                .unwrap()
                .ends_with('Z')
        );
        let (s, again) = put(&srv, &change_path(""), &alice, to_contoso()).await;
        assert_eq!(s, StatusCode::CONFLICT, "{again}");
        assert!(
            detail_codes(&again).contains(&"ChangeRequestPending"),
            "one request at a time: {again}"
        );

        // Someone of the destination who is not its Global Administrator may not accept, and learns
        // nothing of the subscription (ARM's refusal alone); its admin sees the request and accepts:
        // the change completes.
        let megan = arm_token(&srv, CONTOSO, MEGAN).await;
        let (s, e) = post(&srv, &change_path("/accept"), &megan, json!({})).await;
        assert_eq!(
            (s, code(&e)),
            (StatusCode::FORBIDDEN, "AuthorizationFailed"),
            "{e}"
        );
        assert!(!e.to_string().contains("Pay-As-You-Go"), "{e}");
        let admin = arm_token(&srv, CONTOSO, ADMIN).await;
        let (s, shown) = get(&srv, &change_path(""), &admin).await;
        assert_eq!(s, StatusCode::OK, "{shown}");
        assert_eq!(shown["properties"]["status"], "Initiated");
        let (s, accepted) = post(&srv, &change_path("/accept"), &admin, json!({})).await;
        assert_eq!(s, StatusCode::OK, "{accepted}");
        assert_eq!(accepted["properties"]["status"], "Completed");
        assert_eq!(
            pluck(
                &accepted["properties"]["removedCoAdministrators"],
                "emailAddress"
            ),
            ["dave@outlook.com"]
        );
        let alice_c = arm_token(&srv, CONTOSO, ALICE).await;
        assert_eq!(listed(&srv, &alice_c).await, [PAYG]);
        let (s, e) = post(&srv, &change_path("/accept"), &alice_c, json!({})).await;
        assert_eq!(
            (s, code(&e)),
            (StatusCode::NOT_FOUND, "ChangeRequestNotFound"),
            "{e}"
        );
        // The Global Administrator holds nothing in it once nothing waits for them.
        let (s, e) = post(&srv, &change_path("/accept"), &admin, json!({})).await;
        assert_eq!(
            (s, code(&e)),
            (StatusCode::FORBIDDEN, "AuthorizationFailed"),
            "{e}"
        );
    }
}

#[tokio::test]
async fn a_waiting_change_can_be_cancelled() {
    let store = both().await.remove(0);
    let srv = TestServer::demo(&store).await;
    let alice = arm_token(&srv, ALICEDEFAULT, ALICE).await;
    let (s, _) = put(&srv, &change_path(""), &alice, to_contoso()).await;
    assert_eq!(s, StatusCode::CREATED);
    let erin = arm_token(&srv, ALICEDEFAULT, ERIN).await;
    let (s, e) = call(&srv, Method::DELETE, &change_path(""), Some(&erin), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    let (s, cancelled) = call(&srv, Method::DELETE, &change_path(""), Some(&alice), None).await;
    assert_eq!(s, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["properties"]["status"], "Cancelled");
    let (s, _) = post(&srv, &change_path("/accept"), &alice, json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "nothing waits any more");
    // Nor does anything wait for the destination's administrator, who learns nothing of it.
    let admin = arm_token(&srv, CONTOSO, ADMIN).await;
    let (s, _) = post(&srv, &change_path("/accept"), &admin, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn policies_block_subscriptions_entering_and_leaving() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let policy = "/providers/Microsoft.Subscription/policies/default?api-version=2021-10-01";
        let admin = arm_token(&srv, CONTOSO, ADMIN).await;
        let megan = arm_token(&srv, CONTOSO, MEGAN).await;
        let (s, e) = put(
            &srv,
            policy,
            &megan,
            json!({"blockSubscriptionsIntoTenant": true}),
        )
        .await;
        assert_eq!(
            (s, code(&e)),
            (StatusCode::FORBIDDEN, "Authorization_RequestDenied"),
            "only Global Administrators: {e}"
        );
        let (s, p) = put(
            &srv,
            policy,
            &admin,
            json!({"blockSubscriptionsIntoTenant": true}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{p}");
        assert_eq!(p["properties"]["blockSubscriptionsIntoTenant"], true);
        assert_eq!(p["properties"]["blockSubscriptionsLeavingTenant"], false);
        let (_, shown) = get(&srv, policy, &megan).await;
        assert_eq!(shown["properties"]["policyId"], CONTOSO);
        assert_eq!(shown["properties"]["blockSubscriptionsIntoTenant"], true);

        // Link contoso first (so that only the policy stands in the way), then try to move in.
        let alice = arm_token(&srv, ALICEDEFAULT, ALICE).await;
        let (_, req) = put(&srv, &link_path(CONTOSO), &alice, json!({})).await;
        let approve = format!(
            "/providers/Microsoft.Subscription/directoryLinkRequests/{}/approve",
            req["name"].as_str().unwrap()
        );
        let (s, _) = post(&srv, &approve, &admin, json!({})).await;
        assert_eq!(s, StatusCode::OK);
        let (_, preview) = post(&srv, &change_path("/preview"), &alice, to_contoso()).await;
        assert_eq!(
            pluck(&preview["properties"]["blockers"], "code"),
            ["SubscriptionEnteringBlocked"]
        );
        let (s, e) = put(&srv, &change_path(""), &alice, to_contoso()).await;
        assert_eq!(
            (s, code(&e)),
            (StatusCode::FORBIDDEN, "SubscriptionEnteringBlocked"),
            "{e}"
        );
        assert_eq!(detail_codes(&e), ["SubscriptionEnteringBlocked"]);

        // Lift it; now alicedefault (whose Global Administrator alice is) blocks leaving.
        let (s, _) = put(
            &srv,
            policy,
            &admin,
            json!({"properties": {"blockSubscriptionsIntoTenant": false}}),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = put(
            &srv,
            policy,
            &alice,
            json!({"blockSubscriptionsLeavingTenant": true}),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let (s, e) = put(&srv, &change_path(""), &alice, to_contoso()).await;
        assert_eq!(
            (s, code(&e)),
            (StatusCode::FORBIDDEN, "SubscriptionLeavingBlocked"),
            "{e}"
        );
        // Exempting alice (by her guest UPN in alicedefault) lets her move it.
        let (s, p) = put(
            &srv,
            policy,
            &alice,
            json!({"exemptedPrincipals": ["alice@outlook.com"]}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{p}");
        assert_eq!(
            p["properties"]["exemptedPrincipals"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        let (s, done) = put(&srv, &change_path(""), &alice, to_contoso()).await;
        assert_eq!(s, StatusCode::OK, "{done}");
        assert_eq!(done["properties"]["status"], "Completed");
    }
}

/// The article's prerequisites about the service administrator's email, on a world made for them:
/// - "Pay-As-You-Go" as in the demo;
/// - "Dual": its service administrator pat@contoso.com is a personal account AND the mail of a contoso member;
/// - "Member": its service administrator sam@fabrikam.onmicrosoft.com is also the mail of a contoso member.
const PREREQUISITES_WORLD: &str = r#"
[[personal_accounts]]
email = "pat@contoso.com"
password = "Pat-Personal-1!"

[[tenants]]
name = "patdefault"
  [[tenants.guests]]
  email = "pat@contoso.com"
  account_type = "personal"
  directory_roles = ["Global Administrator"]

[[tenants]]
name = "fabrikam"
  [[tenants.users]]
  user_name = "sam"
  password = "Sam-Fabrikam-1!"
  directory_roles = ["Global Administrator"]

[[tenants]]
name = "contoso"
display_name = "Contoso"
id = "c0a70500-0000-4000-8000-000000000001"
origin = "office365"
domains = ["contoso.com"]
  [[tenants.users]]
  user_name = "pat"
  password = "Pat-Contoso-1!"
  mail = "pat@contoso.com"
  [[tenants.users]]
  user_name = "samc"
  password = "Sam-Contoso-1!"
  mail = "sam@fabrikam.onmicrosoft.com"

[[subscriptions]]
display_name = "Dual"
id = "5b5c0000-0000-4000-8000-000000000002"
tenant = "patdefault"
service_admin = { email = "pat@contoso.com", account_type = "personal" }

[[subscriptions]]
display_name = "Member"
id = "5b5c0000-0000-4000-8000-000000000003"
tenant = "fabrikam"
service_admin = "sam@fabrikam.onmicrosoft.com"
"#;

#[tokio::test]
async fn the_service_administrators_email_must_not_be_in_the_target() {
    for store in both().await {
        let svc = demo_service(&store).await;
        svc.apply_world(PREREQUISITES_WORLD, &mut |_, _| {})
            .await
            .expect("the prerequisites world applies");
        let srv = TestServer::start_on(svc, 0).await;
        let link = |sub: &str| {
            format!(
                "/subscriptions/{sub}/providers/Microsoft.Subscription/directoryLinkRequests/{CONTOSO}"
            )
        };

        // The email is a contoso member's: 409 with the remedy.
        let fabrikam = srv
            .svc
            .read(|w| w.find_tenant("fabrikam").unwrap().tenant.id.to_string());
        let sam = arm_token(
            &srv,
            &fabrikam,
            ("sam@fabrikam.onmicrosoft.com", "Sam-Fabrikam-1!"),
        )
        .await;
        let (s, e) = put(
            &srv,
            &link("5b5c0000-0000-4000-8000-000000000003"),
            &sam,
            json!({}),
        )
        .await;
        assert_eq!(
            (s, code(&e)),
            (StatusCode::CONFLICT, "ServiceAdministratorIsMember"),
            "{e}"
        );
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap()
                .contains("personal account"),
            "the remedy is in the message: {e}"
        );

        // The email is both a personal and a work account: 409, both problems listed.
        let patdefault = srv
            .svc
            .read(|w| w.find_tenant("patdefault").unwrap().tenant.id.to_string());
        let pat = arm_token(&srv, &patdefault, ("pat@contoso.com", "Pat-Personal-1!")).await;
        let (s, e) = put(
            &srv,
            &link("5b5c0000-0000-4000-8000-000000000002"),
            &pat,
            json!({}),
        )
        .await;
        assert_eq!(
            (s, code(&e)),
            (StatusCode::CONFLICT, "AmbiguousAccount"),
            "{e}"
        );
        assert_eq!(detail_codes(&e), ["ServiceAdministratorIsMember"], "{e}");
        // The change-of-directory preview says the same about the dual email.
        let preview = format!(
            "/subscriptions/5b5c0000-0000-4000-8000-000000000002/providers/Microsoft.Subscription/changeTenantRequest/default/preview?{API}"
        );
        let (s, p) = post(&srv, &preview, &pat, to_contoso()).await;
        assert_eq!(s, StatusCode::OK, "{p}");
        let blockers = pluck(&p["properties"]["blockers"], "code");
        assert!(
            blockers.contains(&"ServiceAdministratorEmailAmbiguous")
                && blockers.contains(&"ServiceAdministratorIsMemberOfDestination"),
            "{blockers:?}"
        );
        let (s, e) = put(&srv, &preview.replace("/preview", ""), &pat, to_contoso()).await;
        assert_eq!(s, StatusCode::CONFLICT, "{e}");
        assert!(detail_codes(&e).contains(&"ServiceAdministratorEmailAmbiguous"));
        assert_memory_matches_database(&srv.svc).await;
    }
}
