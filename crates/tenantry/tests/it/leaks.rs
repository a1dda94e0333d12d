//! Refusals leak nothing (issue 10). Callers of another tenant — a member (Global Administrator of its own
//! tenant, service administrator of its own subscription), a guest, an application and a personal account
//! with no subscription — walk every route against the objects of a tenant they are not in, and against
//! objects that do not exist: every operation of the OpenAPI document (ARM, the extensions, Graph, the
//! redeem URL) and every page and form of the portal (`portal::PAGES`, the table its router is made
//! from). No display name, email, UPN or object id of the foreign tenant appears in any answer (unless the
//! caller sent it), and an existing object and a missing one get the same answer.
//!
//! The walk knows how to fill every path parameter and every form; a route whose parameter or form it does
//! not know fails the test, so that a new route is not skipped. Sign-in routes are left to the sign-in
//! tests: they name no object of a tenant (`/signout` would also end the walking session).

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use tenantry_service::Service;
use tenantry_service::domain::*;

/// The tenant the callers are not in ("vicorp"), a second one it is linked to and moving to, and the
/// callers' own tenant ("mallory"). Every name of the first two is unusual, so that finding one in an
/// answer means it leaked.
const WORLD: &str = r#"
[[personal_accounts]]
email = "zara.quill@outlook.com"
password = "Zara-Quill-2017!"
display_name = "Zara Quillfeather"

[[personal_accounts]]
email = "zeke.marrow@outlook.com"
password = "Zeke-Marrow-2017!"
display_name = "Zeke Marrowby"

[[personal_accounts]]
email = "zelda.thorn@outlook.com"
password = "Zelda-Thorn-2017!"
display_name = "Zelda Thornquist"

[[personal_accounts]]
email = "mona.guest@outlook.com"
password = "Mona-Guest-2017!"
display_name = "Mona"

[[personal_accounts]]
email = "nobody.at.all@outlook.com"
password = "Nobody-2017!"
display_name = "Nobody"

[[tenants]]
name = "vicorp"
display_name = "Quiverfen Holdings"
id = "d1c70000-0000-4000-8000-000000000001"

  [[tenants.users]]
  user_name = "oswin"
  password = "Oswin-Quiverfen-1!"
  display_name = "Oswin Brackenridge"
  id = "d1c70b00-0000-4000-8000-000000000001"
  directory_roles = ["Global Administrator"]

  [[tenants.users]]
  user_name = "valerie"
  password = "Valerie-Quiverfen-1!"
  display_name = "Valerie Thistlewood"
  mail = "valerie.thistlewood@quiverfen.example"
  id = "d1c70b00-0000-4000-8000-000000000002"

  [[tenants.guests]]
  email = "zelda.thorn@outlook.com"

  [[tenants.applications]]
  display_name = "Quiverfen Payroll"
  client_id = "d1c7a000-0000-4000-8000-000000000001"
  client_secret = "quiverfen-payroll-secret-1"
    [[tenants.applications.federated_credentials]]
    name = "quiverfen-deploy"
    id = "d1c7a0f0-0000-4000-8000-000000000001"
    issuer = "https://ci.quiverfen.example"
    subject = "repo:quiverfen/payroll:ref:refs/heads/main"
    description = "Quiverfen's payroll pipeline"

  [[tenants.groups]]
  display_name = "Quiverfen Treasurers"
  id = "d1c70900-0000-4000-8000-000000000001"
  description = "Quiverfen treasury staff"
  members = ["valerie@vicorp.onmicrosoft.com"]
  owners = ["oswin@vicorp.onmicrosoft.com"]

  [[tenants.groups]]
  display_name = "Quiverfen Stewards"
  id = "d1c7f000-0000-4000-8000-000000000002"
  members = ["zelda.thorn@outlook.com"]

  [[tenants.groups]]
  display_name = "Quiverfen Wardens"
  id = "d1c7f000-0000-4000-8000-000000000001"
  description = "Keepers of the Quiverfen gates"
  mail_nickname = "quiverfen-wardens"
  members = ["valerie@vicorp.onmicrosoft.com", "d1c7a000-0000-4000-8000-000000000001", "group:Quiverfen Stewards"]
  owners = ["oswin@vicorp.onmicrosoft.com"]

[[tenants]]
name = "vicorptwo"
display_name = "Brindlemoor Trust"
id = "d1c70000-0000-4000-8000-000000000002"

  [[tenants.users]]
  user_name = "ysolde"
  password = "Ysolde-Brindlemoor-1!"
  display_name = "Ysolde Fennimore"
  id = "d1c70b00-0000-4000-8000-000000000003"
  directory_roles = ["Global Administrator"]

[[tenants]]
name = "mallory"
display_name = "Mallory Corp"
id = "bad00000-0000-4000-8000-000000000001"

  [[tenants.users]]
  user_name = "mal"
  password = "Mallory-Admin-1!"
  display_name = "Mal"
  id = "bad00b00-0000-4000-8000-000000000001"
  directory_roles = ["Global Administrator"]

  [[tenants.guests]]
  email = "mona.guest@outlook.com"

  [[tenants.applications]]
  display_name = "mal-app"
  client_id = "bad0a000-0000-4000-8000-000000000001"
  client_secret = "mal-app-secret-1"

[[subscriptions]]
display_name = "Quiverfen Production"
id = "d1c7c000-0000-4000-8000-000000000001"
tenant = "vicorp"
service_admin = "zara.quill@outlook.com"
account_admin = "zeke.marrow@outlook.com"
co_admins = ["valerie@vicorp.onmicrosoft.com"]
tag_names = { qtag = ["qvalue"] }

  [[subscriptions.resource_groups]]
  name = "qrg"
  location = "westeurope"

    [[subscriptions.resource_groups.resources]]
    type = "Microsoft.Storage/storageAccounts"
    name = "qstore"

  [[subscriptions.identities]]
  name = "qidentity"
  resource_group = "qrg"

  [[subscriptions.role_definitions]]
  name = "Quiverfen Auditor"
  id = "d1c7d000-0000-4000-8000-000000000001"
  actions = ["Microsoft.Resources/subscriptions/resourceGroups/read"]

  [[subscriptions.role_assignments]]
  principal = "valerie@vicorp.onmicrosoft.com"
  role = "Reader"
  scope = "resourceGroups/qrg"
  id = "d1c7e000-0000-4000-8000-000000000001"

  [[subscriptions.role_assignments]]
  principal = "d1c7a000-0000-4000-8000-000000000001"
  role = "Quiverfen Auditor"
  scope = ""
  id = "d1c7e000-0000-4000-8000-000000000002"

  [[subscriptions.role_assignments]]
  principal = "group:Quiverfen Treasurers"
  role = "Reader"
  scope = ""
  id = "d1c7e000-0000-4000-8000-000000000003"

[[subscriptions]]
display_name = "Mallory Sub"
id = "bad0c000-0000-4000-8000-000000000001"
tenant = "mallory"
service_admin = "mal@mallory.onmicrosoft.com"
"#;

const VICORP: &str = "d1c70000-0000-4000-8000-000000000001";
const VICORPTWO: &str = "d1c70000-0000-4000-8000-000000000002";
const MALLORY: &str = "bad00000-0000-4000-8000-000000000001";
const MAL: &str = "bad00b00-0000-4000-8000-000000000001";
const VSUB: &str = "d1c7c000-0000-4000-8000-000000000001";
const VALERIE: &str = "d1c70b00-0000-4000-8000-000000000002";
const OSWIN: &str = "d1c70b00-0000-4000-8000-000000000001";
/// The alias of a subscription of vicorp.
const VALIAS: &str = "quiverfen-vault";
/// A group of vicorp, with valerie, the payroll application and another group in it, and oswin its owner.
const WARDENS: &str = "d1c7f000-0000-4000-8000-000000000001";
const VALERIE_UPN: &str = "valerie@vicorp.onmicrosoft.com";
const YSOLDE: &str = "d1c70b00-0000-4000-8000-000000000003";
const TREASURERS: &str = "d1c70900-0000-4000-8000-000000000001";
const PAYROLL_CLIENT: &str = "d1c7a000-0000-4000-8000-000000000001";
/// The payroll application's federated identity credential.
const PAYROLL_CREDENTIAL: &str = "d1c7a0f0-0000-4000-8000-000000000001";
const AUDITOR_ROLE: &str = "d1c7d000-0000-4000-8000-000000000001";
const VALERIE_READER: &str = "d1c7e000-0000-4000-8000-000000000001";
const OWNER_ROLE: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
/// Ids that name nothing.
const NOSUB: &str = "0b5e0000-0000-4000-8000-00000000dead";
const NOTENANT: &str = "0b5e0001-0000-4000-8000-00000000dead";
const NOTHING: &str = "0b5e0002-0000-4000-8000-00000000dead";

/// The foreign world as the callers meet it, with the ids made at run time.
struct Foreign {
    svc: Service,
    invitation: String,
    link_request: String,
    app_object: String,
    /// The payroll application's application object (the portal's page names it).
    app_registration: String,
    /// Every display name, email, UPN and object id of the foreign tenants, their subscription and the
    /// people around it.
    secrets: Vec<String>,
}

/// The world, plus what only the service makes: an invitation waiting in vicorp, the service
/// administrator's request to link vicorptwo, and a change of directory to vicorptwo waiting there.
async fn foreign_world(store: &TestStore) -> Foreign {
    let svc = Service::open(store.store.clone()).await.expect("service");
    svc.apply_world(WORLD, &mut |_, _| {}).await.expect("world");
    let vicorp: TenantId = VICORP.parse().unwrap();
    let two: TenantId = VICORPTWO.parse().unwrap();
    let sub: SubscriptionId = VSUB.parse().unwrap();
    let (invitation, _) = svc
        .invite(
            &Actor::Operator,
            vicorp,
            "yolanda.invitee@quiverfen.example",
        )
        .await
        .expect("invite");
    let sa = signed_in(&svc, "zara.quill@outlook.com", "vicorp");
    let link_request = svc.request_link(&sa, sub, two).await.expect("link request");
    let waiting = svc
        .change_directory(&sa, sub, two, None, vec![])
        .await
        .expect("change request");
    assert!(matches!(
        waiting,
        rules::change_directory::Initiated::Waiting(_)
    ));
    // A subscription Oswin (vicorp's Global Administrator) asked for through an alias.
    let oswin = Actor::User {
        tenant: vicorp,
        object: OSWIN.parse().unwrap(),
        identity: Identity::Organizational {
            tenant: vicorp,
            user: OSWIN.parse().unwrap(),
        },
        name: "oswin".into(),
    };
    svc.create_alias(
        &oswin,
        rules::subscriptions::NewAlias {
            name: VALIAS.into(),
            display_name: Some("Quiverfen Vault".into()),
            ..Default::default()
        },
    )
    .await
    .expect("alias");
    let (secrets, app_object) = svc.read(|w| {
        let mut s = BTreeSet::new();
        for t in [vicorp, two] {
            let part = w.tenant(t).unwrap();
            s.insert(part.tenant.display_name.clone());
            s.insert(t.to_string());
            for u in part.users.values() {
                s.insert(u.display_name.clone());
                s.insert(u.upn().to_string());
                s.insert(u.id.to_string());
                s.extend(u.mail().map(str::to_string));
                if let Some(i) = u.identity() {
                    s.extend(w.identity_emails(i));
                }
            }
            for a in part.applications.values() {
                s.insert(a.display_name.clone());
                s.insert(a.client_id.to_string());
                s.insert(a.id.to_string());
                s.extend(a.object_id.map(|o| o.to_string()));
                for c in &a.federated_credentials {
                    s.insert(c.id.to_string());
                    s.insert(c.name.clone());
                    s.insert(c.issuer.clone());
                    s.insert(c.subject.clone());
                    s.extend(c.description.clone());
                }
            }
            for g in part.groups.values() {
                s.insert(g.display_name.clone());
                s.insert(g.id.to_string());
                s.insert(g.mail_nickname.clone());
                s.extend(g.description.clone());
            }
            for i in part.invitations.values() {
                s.insert(i.email.clone());
                s.insert(i.id.to_string());
            }
            s.extend(part.link_requests.keys().map(|k| k.to_string()));
            for a in part.aliases.values() {
                s.insert(a.name.clone());
                s.insert(a.subscription.to_string());
                s.extend(
                    w.subscription(a.subscription)
                        .map(|p| p.subscription.display_name.clone()),
                );
            }
        }
        let p = w.subscription(sub).unwrap();
        s.insert(p.subscription.display_name.clone());
        s.insert(sub.to_string());
        for identity in [p.subscription.service_admin, p.subscription.account_admin] {
            s.extend(w.identity_emails(identity));
            if let Identity::Personal { account } = identity {
                s.insert(w.account(account).unwrap().display_name.clone());
                s.insert(account.to_string());
            }
        }
        for d in p.custom_roles.values() {
            s.insert(d.name.clone());
            s.insert(d.id.to_string());
        }
        s.extend(p.assignments.keys().map(|k| k.to_string()));
        let app = w
            .application_by_client_id(PAYROLL_CLIENT.parse().unwrap())
            .unwrap();
        let registration = app.object_id.unwrap().to_string();
        (s.into_iter().collect(), (app.id.to_string(), registration))
    });
    let (app_object, app_registration) = app_object;
    Foreign {
        svc,
        invitation: invitation.to_string(),
        link_request: link_request.to_string(),
        app_object,
        app_registration,
        secrets,
    }
}

/// Which objects a request names: the foreign ones, a missing one inside the foreign subscription or
/// tenant, or a missing subscription or tenant altogether.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    Existing,
    MissingLeaf,
    Missing,
}

const VARIANTS: [Variant; 3] = [Variant::Existing, Variant::MissingLeaf, Variant::Missing];

impl Variant {
    /// The container (subscription or tenant): missing only in `Missing`.
    fn container<'a>(self, existing: &'a str, missing: &'a str) -> &'a str {
        if self == Variant::Missing {
            missing
        } else {
            existing
        }
    }
    /// The object inside it: missing only in `MissingLeaf`.
    fn leaf<'a>(self, existing: &'a str, missing: &'a str) -> &'a str {
        if self == Variant::MissingLeaf {
            missing
        } else {
            existing
        }
    }
}

/// One request of the walk: what was sent (for the leak check and for telling the variants apart).
struct Probe {
    method: Method,
    path: String,
    body: Option<String>,
    /// The values put in for the parameters, to compare answers without them.
    values: Vec<(String, String)>,
}

impl Probe {
    fn sent(&self) -> String {
        format!("{} {}", self.path, self.body.as_deref().unwrap_or_default())
    }
}

/// A value for an OpenAPI path parameter, or `None` for an operation the walk leaves out.
fn api_value(f: &Foreign, path: &str, param: &str, v: Variant) -> Option<String> {
    let in_set = |set: &str| path.starts_with(&format!("/v1.0/{set}/"));
    Some(
        match param {
            "subscriptionId" => v.container(VSUB, NOSUB),
            "tenantId" if path.starts_with("/redeem") => v.container(VICORP, NOTENANT),
            "tenantId" => v.container(VICORPTWO, NOTENANT),
            "invitationId" => v.leaf(&f.invitation, NOTHING),
            "requestId" => v.leaf(&f.link_request, NOTHING),
            "resourceGroupName" => v.leaf("qrg", "norg"),
            "namespace" => "Microsoft.Storage",
            "type" => "storageAccounts",
            "name" if path.contains("classicAdministrators") => {
                v.leaf(VALERIE_UPN, "nobody.here@example.com")
            }
            "name" => v.leaf("qstore", "nostore"),
            "resourceName" => v.leaf("qidentity", "noidentity"),
            "tagName" => v.leaf("qtag", "notag"),
            "tagValue" => v.leaf("qvalue", "novalue"),
            "resourceProviderNamespace" => "Microsoft.Compute",
            "operationId" => "eyJqb2JJZCI6InByb2JlIn0",
            "scope" => {
                return Some(format!(
                    "subscriptions/{}/resourceGroups/{}",
                    v.container(VSUB, NOSUB),
                    v.leaf("qrg", "norg")
                ));
            }
            "roleDefinitionId" => v.leaf(AUDITOR_ROLE, NOTHING),
            "roleAssignmentName" => v.leaf(VALERIE_READER, NOTHING),
            "memberId" => v.leaf(VALERIE, NOTHING),
            "ownerId" => v.leaf(OSWIN, NOTHING),
            "credentialId" => v.leaf(PAYROLL_CREDENTIAL, NOTHING),
            "aliasName" => v.leaf(VALIAS, "no-such-alias"),
            "id" if in_set("groups") => v.leaf(WARDENS, NOTHING),
            "id" if in_set("users") || in_set("directoryObjects") => v.leaf(VALERIE, NOTHING),
            "id" if in_set("organization") => v.leaf(VICORP, NOTENANT),
            "id" if in_set("domains") => v.leaf("vicorp.onmicrosoft.com", "nosuch.onmicrosoft.com"),
            "id" if in_set("directoryRoles") => GLOBAL_ADMINISTRATOR,
            "id" if in_set("invitations") => v.leaf(&f.invitation, NOTHING),
            "id" if in_set("servicePrincipals") || in_set("applications") => {
                v.leaf(&f.app_object, NOTHING)
            }
            // A managed-identity endpoint secret: the walk holds none (a wrong one must reveal nothing).
            "secret" => v.leaf("tmi_probe", "tmi_missing"),
            // The sign-in routes ({tenant}, {username}) name no object of a tenant.
            "tenant" | "username" => return None,
            other => panic!(
                "the leak walk has no value for {{{other}}} in {path}: add one, so the route is walked"
            ),
        }
        .to_string(),
    )
}

/// The bodies an operation is sent with (none for a read).
fn api_bodies(f: &Foreign, path: &str, method: &str, v: Variant) -> Vec<Option<Value>> {
    let sub = v.container(VSUB, NOSUB);
    let body = |b: Value| vec![Some(b)];
    match method {
        "get" | "head" | "delete" => vec![None],
        _ if path.contains("changeTenantRequest/default") && !path.ends_with("/accept") => body(
            json!({"properties": {"destinationTenantId": VICORPTWO, "destinationOwnerId": v.leaf(YSOLDE, NOTHING)}}),
        ),
        _ if path.contains("classicAdministrators") => ["CoAdministrator", "ServiceAdministrator"]
            .iter()
            .map(|role| {
                Some(
                    json!({"properties": {"emailAddress": "mona.guest@outlook.com", "role": role}}),
                )
            })
            .collect(),
        _ if path.contains("roleAssignments") => body(json!({"properties": {
            "roleDefinitionId": format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{OWNER_ROLE}"),
            "principalId": MAL,
        }})),
        _ if path.contains("roleDefinitions") => body(json!({"properties": {
            "roleName": "Mallory Role",
            "permissions": [{"actions": ["*"]}],
            "assignableScopes": [format!("/subscriptions/{sub}")],
        }})),
        // The foreign storage account (the answers are compared with the body's names as they are).
        _ if path.contains("identityEndpointSecrets") => body(json!({"resourceId": format!(
            "/subscriptions/{sub}/resourceGroups/qrg/providers/Microsoft.Storage/storageAccounts/qstore"
        )})),
        _ if path.ends_with("policies/default") => {
            body(json!({"blockSubscriptionsLeavingTenant": false}))
        }
        _ if path.contains("/providers/{namespace}/") => {
            body(json!({"location": "westeurope", "properties": {}}))
        }
        "patch" if path.contains("resourcegroups") => body(json!({"tags": {"probe": "1"}})),
        _ if path.contains("resourcegroups/") => body(json!({"location": "westeurope"})),
        "patch" => body(json!({"displayName": "Mallory was here"})),
        _ if path == "/v1.0/users" => body(json!({
            "accountEnabled": true, "displayName": "probe", "mailNickname": "probe",
            "userPrincipalName": "probe@vicorp.onmicrosoft.com",
            "passwordProfile": {"password": "Probe-Pass-1!"},
        })),
        // Into the caller's own tenant: it names no foreign object.
        _ if path == "/v1.0/invitations" => body(json!({
            "invitedUserEmailAddress": "probe.invitee@example.com",
            "inviteRedirectUrl": "https://example.com",
        })),
        _ if path.ends_with("/$ref") => body(json!({
            "@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{}", v.leaf(VALERIE, NOTHING)),
        })),
        _ if path.ends_with("getByIds") => body(json!({
            "ids": [v.leaf(VALERIE, NOTHING), v.leaf(&f.app_object, NOTHING), v.container(VICORP, NOTENANT), v.leaf(WARDENS, NOTHING)],
        })),
        // Into the caller's own tenant, with a foreign member: nothing is made.
        _ if path == "/v1.0/groups" => body(json!({
            "displayName": "probe group", "mailNickname": "probe-group", "mailEnabled": false, "securityEnabled": true,
            "members@odata.bind": [format!("https://graph.microsoft.com/v1.0/directoryObjects/{}", v.leaf(VALERIE, NOTHING))],
        })),
        _ if path.ends_with("/checkMemberGroups") => {
            body(json!({"groupIds": [v.leaf(WARDENS, NOTHING)]}))
        }
        _ if path.ends_with("/checkMemberObjects") => {
            body(json!({"ids": [v.leaf(WARDENS, NOTHING), GLOBAL_ADMINISTRATOR]}))
        }
        _ if path.ends_with("MemberGroups") || path.ends_with("MemberObjects") => {
            body(json!({"securityEnabledOnly": false}))
        }
        _ if path == "/v1.0/servicePrincipals" => {
            body(json!({"appId": v.leaf(PAYROLL_CLIENT, NOTHING)}))
        }
        _ if path == "/v1.0/applications" => body(json!({"displayName": "probe"})),
        // Into the foreign application, which the caller's directory does not hold: nothing is made.
        _ if path.ends_with("/federatedIdentityCredentials") => body(json!({
            "name": "probe-credential", "issuer": "https://probe.example", "subject": "probe",
        })),
        _ if path.ends_with("/addPassword") => {
            body(json!({"passwordCredential": {"displayName": "probe"}}))
        }
        _ => vec![None],
    }
}

/// A route's path with a value in each `{parameter}`, and which value went where; `None` when `value`
/// has none for one of them.
fn fill(
    path: &str,
    value: impl Fn(&str) -> Option<String>,
) -> Option<(String, Vec<(String, String)>)> {
    let mut concrete = String::new();
    let mut values = Vec::new();
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            concrete.push('/');
        }
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => {
                let value = value(param)?;
                values.push((format!("{{{param}}}"), value.clone()));
                concrete.push_str(&value);
            }
            None => concrete.push_str(segment),
        }
    }
    Some((concrete, values))
}

/// The requests of one OpenAPI operation in one variant, or nothing for the sign-in routes.
fn api_probes(f: &Foreign, path: &str, method: &str, v: Variant) -> Vec<Probe> {
    let Some((mut concrete, values)) = fill(path, |param| api_value(f, path, param, v)) else {
        return vec![];
    };
    if !(concrete.starts_with("/v1.0") || concrete.starts_with("/redeem")) {
        concrete.push_str("?api-version=2022-12-01");
    }
    let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    api_bodies(f, path, method.as_str().to_lowercase().as_str(), v)
        .into_iter()
        .map(|body| Probe {
            method: method.clone(),
            path: concrete.clone(),
            body: body.map(|b| b.to_string()),
            values: values.clone(),
        })
        .collect()
}

/// What two answers must share: the status, and for a refusal its code and message (the whole page for
/// HTML) once the values put in for the parameters are taken out. Request ids and dates are left out.
fn comparable(probe: &Probe, status: StatusCode, text: &str) -> String {
    if status.is_success() {
        return status.to_string();
    }
    let json: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let text = match (&json["error"], &json["error_description"]) {
        (Value::Object(e), _) => format!("{} {}", e["code"], e["message"]),
        (Value::String(code), description) => format!("{code} {description}"),
        _ => text.to_string(),
    };
    let mut values = probe.values.clone();
    // Ids and names that travel elsewhere than in their parameter (a body, the subscription of a scope).
    for (name, list) in [
        ("{subscription}", [VSUB, NOSUB].as_slice()),
        ("{tenant}", &[VICORP, VICORPTWO, NOTENANT]),
        (
            "{object}",
            &[VALERIE, OSWIN, YSOLDE, PAYROLL_CLIENT, WARDENS, NOTHING],
        ),
    ] {
        values.extend(list.iter().map(|v| (name.to_string(), v.to_string())));
    }
    format!("{status} {}", without_values(&text, &values))
}

/// `text` with each value replaced by the name of the parameter it was put in for (the shortest values,
/// such as a form's `on`, are parts of words too and stay).
fn without_values(text: &str, values: &[(String, String)]) -> String {
    let mut values: Vec<(String, String)> = values
        .iter()
        .filter(|(_, v)| v.len() >= 3)
        .cloned()
        .collect();
    values.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
    let mut text = text.to_string();
    for (name, value) in values {
        text = text.replace(&value, &name);
    }
    text
}

/// The foreign names and ids in an answer that the request did not carry.
fn leaked(secrets: &[String], sent: &str, answer: &str) -> Vec<String> {
    let sent = sent.to_lowercase();
    let answer = answer.to_lowercase();
    secrets
        .iter()
        .filter(|s| {
            let s = s.to_lowercase();
            !s.is_empty() && !sent.contains(&s) && answer.contains(&s)
        })
        .cloned()
        .collect()
}

/// What a walk found: how many requests it sent, and each problem seen.
#[derive(Default)]
struct Walk {
    sent: usize,
    problems: Vec<String>,
}

impl Walk {
    /// A problem when `answer` shows foreign names or ids that `probe` did not carry.
    fn leaks(&mut self, f: &Foreign, probe: &Probe, who: &str, v: Variant, answer: &str) {
        let found = leaked(&f.secrets, &probe.sent(), answer);
        if !found.is_empty() {
            self.problems.push(format!(
                "{} {} as {who} ({v:?}) shows {found:?}: {answer}",
                probe.method, probe.path
            ));
        }
    }

    /// A problem when the answers to one request about existing and missing objects differ.
    fn same_answers(&mut self, what: &str, who: &str, answers: &[(Variant, String, String)]) {
        if answers.iter().any(|(_, _, k)| *k != answers[0].2) {
            self.problems.push(format!(
                "{what} as {who}: the answers differ between existing and missing objects:\n{}",
                answers
                    .iter()
                    .map(|(v, sent, k)| format!("    {v:?} {sent}\n      → {k}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
    }

    /// The walk sent at least `least` requests, found nothing, and the foreign tenants are as `before`.
    fn finish(self, f: &Foreign, before: &str, least: usize) {
        assert!(
            self.sent >= least,
            "the walk sent {} requests, fewer than {least}",
            self.sent
        );
        assert!(
            self.problems.is_empty(),
            "{} problems:\n{}",
            self.problems.len(),
            self.problems.join("\n")
        );
        assert_eq!(
            foreign_state(&f.svc),
            before,
            "the foreign tenants are unchanged"
        );
    }
}

/// A caller of another tenant, with its tokens.
struct ApiCaller {
    name: &'static str,
    arm: String,
    graph: String,
}

async fn api_callers(srv: &TestServer) -> Vec<ApiCaller> {
    let user = |tenant: &'static str, who: &'static str, password: &'static str| async move {
        (
            user_token(srv, tenant, who, password, ARM).await,
            user_token(srv, tenant, who, password, GRAPH).await,
        )
    };
    let (arm, graph) = user(MALLORY, "mal@mallory.onmicrosoft.com", "Mallory-Admin-1!").await;
    let member = ApiCaller {
        name: "a member of another tenant",
        arm,
        graph,
    };
    let (arm, graph) = user(MALLORY, "mona.guest@outlook.com", "Mona-Guest-2017!").await;
    let guest = ApiCaller {
        name: "a guest of another tenant",
        arm,
        graph,
    };
    let app = |resource| {
        app_token(
            srv,
            MALLORY,
            "bad0a000-0000-4000-8000-000000000001",
            "mal-app-secret-1",
            resource,
        )
    };
    let application = ApiCaller {
        name: "an application of another tenant",
        arm: app(ARM).await,
        graph: app(GRAPH).await,
    };
    let (arm, graph) = user("consumers", "nobody.at.all@outlook.com", "Nobody-2017!").await;
    let personal = ApiCaller {
        name: "a personal account with no subscription",
        arm,
        graph,
    };
    vec![member, guest, application, personal]
}

/// What the foreign tenants and their subscription hold, to prove that nothing of them changed.
fn foreign_state(svc: &Service) -> String {
    svc.read(|w| {
        let t = |id: &str| format!("{:?}", w.tenant(id.parse().unwrap()));
        let s = format!("{:?}", w.subscription(VSUB.parse().unwrap()));
        format!("{}{}{s}", t(VICORP), t(VICORPTWO))
    })
}

#[tokio::test]
async fn apis_answer_other_tenants_without_leaking_anything() {
    for store in both().await {
        let f = foreign_world(&store).await;
        let before = foreign_state(&f.svc);
        let srv = TestServer::start_on(f.svc.clone(), 0).await;
        let callers = api_callers(&srv).await;
        let doc = srv
            .client
            .get(srv.url("/openapi.json"))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap();
        let mut walk = Walk::default();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                for caller in &callers {
                    let token = if path.starts_with("/v1.0/") {
                        &caller.graph
                    } else {
                        &caller.arm
                    };
                    let probes: Vec<(Variant, Vec<Probe>)> = VARIANTS
                        .iter()
                        .map(|v| (*v, api_probes(&f, path, method, *v)))
                        .collect();
                    // One comparison per body the operation is sent with.
                    for i in 0..probes[0].1.len() {
                        let mut answers: Vec<(Variant, String, String)> = Vec::new();
                        let mut sent_before = BTreeSet::new();
                        for (v, list) in &probes {
                            let probe = &list[i];
                            // A request that names no foreign object is sent once.
                            if !sent_before.insert(probe.sent()) {
                                continue;
                            }
                            walk.sent += 1;
                            // Graph's requests as advanced queries, so that the `$count`
                            // segments count rather than refuse.
                            let headers: &[(&str, &str)] = if probe.path.starts_with("/v1.0/") {
                                &[("ConsistencyLevel", "eventual")]
                            } else {
                                &[]
                            };
                            let r = send_with(
                                &srv,
                                probe.method.clone(),
                                &probe.path,
                                Some(token),
                                probe.body.as_deref(),
                                headers,
                            )
                            .await;
                            assert!(
                                !r.status.is_server_error(),
                                "{} {} as {}: {} {}",
                                probe.method,
                                probe.path,
                                caller.name,
                                r.status,
                                r.text
                            );
                            let location = r
                                .headers
                                .get("location")
                                .and_then(|l| l.to_str().ok())
                                .unwrap_or_default();
                            let shown = format!("{} {location} {}", r.status, r.text);
                            walk.leaks(&f, probe, caller.name, *v, &shown);
                            answers.push((*v, probe.sent(), comparable(probe, r.status, &r.text)));
                        }
                        walk.same_answers(&format!("{method} {path}"), caller.name, &answers);
                    }
                }
            }
        }
        walk.finish(&f, &before, 300);
    }
}

/// A value for a portal path parameter.
fn page_value(f: &Foreign, path: &str, param: &str, v: Variant) -> String {
    match param {
        "tenant" => v.container(VICORP, NOTENANT),
        "sub" => v.container(VSUB, NOSUB),
        "rg" => v.leaf("qrg", "norg"),
        "user" => v.leaf(VALERIE, NOTHING),
        "group" => v.leaf(TREASURERS, NOTHING),
        "app" => v.leaf(&f.app_registration, NOTHING),
        "request" => v.leaf(&f.link_request, NOTHING),
        "invitation" => v.leaf(&f.invitation, NOTHING),
        // Management groups are looked up in the caller's own directory: vicorp's root group (its id)
        // stands for one of another tenant.
        "mg" => v.leaf(VICORP, "nomg"),
        other => panic!(
            "the leak walk has no value for {{{other}}} in the portal's {path}: add one, so the page is walked"
        ),
    }
    .to_string()
}

/// The fields a portal form is sent with, naming foreign objects where the form names any.
fn form_fields(path: &str, v: Variant) -> Vec<(&'static str, String)> {
    let s = |x: &str| x.to_string();
    match path {
        "/switch-directory" => vec![
            ("tenant", s(v.container(VICORP, NOTENANT))),
            ("back", s("/")),
        ],
        // The language switch names no object: it only sets the caller's own cookie.
        "/language" => vec![("lang", s("nl")), ("back", s("/"))],
        "/directories/use-existing" => vec![
            ("subscription", s(v.container(VSUB, NOSUB))),
            ("directory", s(v.leaf(VICORPTWO, NOTENANT))),
            ("ready", s("on")),
        ],
        "/portal/subscriptions/{sub}/change-directory"
        | "/portal/subscriptions/{sub}/change-directory/confirm" => {
            vec![("destination", s(MALLORY)), ("map", s(""))]
        }
        "/portal/subscriptions/{sub}/administrators/add"
        | "/portal/subscriptions/{sub}/administrators/service-admin" => {
            vec![("email", s("mona.guest@outlook.com"))]
        }
        "/portal/subscriptions/{sub}/administrators/remove" => {
            vec![("email", s(v.leaf(VALERIE_UPN, "nobody.here@example.com")))]
        }
        "/portal/subscriptions/{sub}/access"
        | "/portal/subscriptions/{sub}/resourceGroups/{rg}/access" => vec![
            ("principal_name", s("mal@mallory.onmicrosoft.com")),
            ("role", s(OWNER_ROLE)),
        ],
        "/portal/subscriptions/{sub}/access/remove"
        | "/portal/subscriptions/{sub}/resourceGroups/{rg}/access/remove" => {
            vec![("assignment", s(v.leaf(VALERIE_READER, NOTHING)))]
        }
        "/portal/subscriptions/{sub}/access/check"
        | "/portal/subscriptions/{sub}/resourceGroups/{rg}/access/check" => vec![(
            "principal_name",
            s(v.leaf(VALERIE_UPN, "nobody@vicorp.onmicrosoft.com")),
        )],
        "/directories/{tenant}/users" => vec![
            ("user_name", s("probe")),
            ("display_name", s("Probe")),
            ("password", s("Probe-Pass-1!")),
        ],
        "/directories/{tenant}/users/{user}/enabled" => vec![("enabled", s("false"))],
        "/directories/{tenant}/users/{user}/password" => vec![("password", s("Probe-Pass-1!"))],
        "/directories/{tenant}/users/{user}/roles"
        | "/directories/{tenant}/users/{user}/roles/remove" => {
            vec![("role", s(GLOBAL_ADMINISTRATOR))]
        }
        "/directories/{tenant}/groups" => vec![("display_name", s("Probe Group"))],
        "/directories/{tenant}/groups/{group}" => vec![
            ("display_name", s("Probe Group")),
            ("mail_nickname", s("probe")),
        ],
        "/directories/{tenant}/groups/{group}/members"
        | "/directories/{tenant}/groups/{group}/owners" => vec![(
            "principal",
            s(v.leaf(VALERIE_UPN, "nobody@vicorp.onmicrosoft.com")),
        )],
        "/directories/{tenant}/groups/{group}/members/remove"
        | "/directories/{tenant}/groups/{group}/owners/remove" => {
            vec![("principal", s(v.leaf(VALERIE, NOTHING)))]
        }
        "/directories/{tenant}/groups/{group}/roles"
        | "/directories/{tenant}/groups/{group}/roles/remove" => {
            vec![("role", s(GLOBAL_ADMINISTRATOR))]
        }
        "/directories/{tenant}/applications/{app}/federated-credentials/remove" => {
            vec![("key_id", s(v.leaf(PAYROLL_CREDENTIAL, NOTHING)))]
        }
        // The payroll application's secret and certificate key ids are made at run time and never
        // shown to these callers: any id stands for them (the rule refuses before looking).
        "/directories/{tenant}/applications/{app}/secrets/remove"
        | "/directories/{tenant}/applications/{app}/certificates/remove" => {
            vec![("key_id", s(NOTHING))]
        }
        "/directories/{tenant}/guests" => vec![("email", s("probe.invitee@example.com"))],
        "/directories/{tenant}/policy" => vec![(
            "exempted",
            s(v.leaf(VALERIE_UPN, "nobody@vicorp.onmicrosoft.com")),
        )],
        "/activity" => vec![
            ("tenant", s(v.container(VICORP, NOTENANT))),
            ("subscription", s(v.container(VSUB, NOSUB))),
        ],
        "/support" => vec![
            ("subject", s("probe")),
            ("description", s("probe")),
            ("severity", s("C")),
            ("subscription", s(v.container(VSUB, NOSUB))),
        ],
        "/hierarchy/groups" | "/hierarchy/groups/{mg}" => vec![
            ("name", s("probe-mg")),
            ("display_name", s("Probe")),
            ("parent", s(v.leaf(VICORP, NOTHING))),
        ],
        "/hierarchy/subscriptions/{sub}/move" => vec![("parent", s(v.leaf(VICORP, NOTHING)))],
        "/hierarchy/groups/{mg}/access" => vec![
            ("principal_name", s("mal@mallory.onmicrosoft.com")),
            ("role", s(OWNER_ROLE)),
        ],
        "/hierarchy/groups/{mg}/access/remove" => {
            vec![("assignment", s(v.leaf(VALERIE_READER, NOTHING)))]
        }
        "/hierarchy/groups/{mg}/access/check" => vec![(
            "principal_name",
            s(v.leaf(VALERIE_UPN, "nobody@vicorp.onmicrosoft.com")),
        )],
        // Sent without a name, so that no subscription is made in the caller's own directory.
        "/hierarchy/subscriptions" => vec![
            ("display_name", s("")),
            ("management_group", s(v.leaf(VICORP, NOTHING))),
        ],
        "/portal/subscriptions/{sub}/rename" => vec![("display_name", s("Probe"))],
        "/portal/subscriptions/{sub}/tags" => vec![
            ("scope", s("resourceGroups/qrg")),
            ("name", s("probe")),
            ("value", s("probe")),
        ],
        // Forms that name nothing but the object in their path, or nothing foreign at all (a new
        // directory is sent without a name, so that none is made).
        "/directories/new"
        | "/directories/{tenant}/link-requests/{request}/approve"
        | "/directories/{tenant}/link-requests/{request}/decline"
        | "/directories/{tenant}/link-requests/{request}/cancel"
        | "/directories/{tenant}/incoming/{sub}/accept"
        | "/directories/{tenant}/groups/{group}/delete"
        | "/redeem/{tenant}/{invitation}/accept"
        | "/portal/subscriptions/{sub}/change-directory/cancel"
        | "/portal/subscriptions/{sub}/cancel"
        | "/portal/subscriptions/{sub}/enable"
        | "/hierarchy/groups/{mg}/delete"
        | "/hierarchy/elevate"
        | "/hierarchy/elevate/remove" => vec![],
        other => panic!("the leak walk does not know the portal form {other}: add its fields"),
    }
}

/// Sign-in pages take no object of a tenant (the sign-in tests cover them); `/signout` would end the
/// walking session.
const SIGN_IN_PAGES: [&str; 8] = [
    "/signin",
    "/signin/account-type",
    "/signin/password",
    "/signout",
    "/signed-out",
    "/devicelogin",
    "/devicelogin/approve",
    "/devicelogin/decline",
];

/// A caller of another tenant in the portal.
struct PortalCaller {
    name: &'static str,
    browser: Browser,
    csrf: String,
}

async fn portal_callers(srv: &TestServer) -> Vec<PortalCaller> {
    let mut out = Vec::new();
    for (name, email, password) in [
        (
            "a member of another tenant",
            "mal@mallory.onmicrosoft.com",
            "Mallory-Admin-1!",
        ),
        (
            "a guest of another tenant",
            "mona.guest@outlook.com",
            "Mona-Guest-2017!",
        ),
        (
            "a personal account with no subscription",
            "nobody.at.all@outlook.com",
            "Nobody-2017!",
        ),
    ] {
        let mut browser = Browser::new(srv);
        browser.sign_in_to_portal(email, password).await;
        let (_, _, home) = browser.get("/").await;
        let csrf = csrf_of(&home);
        out.push(PortalCaller {
            name,
            browser,
            csrf,
        });
    }
    out
}

#[tokio::test]
async fn portal_pages_answer_other_tenants_without_leaking_anything() {
    for store in both().await {
        let f = foreign_world(&store).await;
        let before = foreign_state(&f.svc);
        let srv = TestServer::start_on(f.svc.clone(), 0).await;
        let mut callers = portal_callers(&srv).await;
        let mut walk = Walk::default();
        for (path, methods) in tenantry_server::portal::PAGES {
            if SIGN_IN_PAGES.contains(path) {
                continue;
            }
            for method in *methods {
                for caller in &mut callers {
                    let mut answers: Vec<(Variant, String, String)> = Vec::new();
                    let mut sent_before = BTreeSet::new();
                    for v in VARIANTS {
                        let (concrete, mut values) =
                            fill(path, |param| Some(page_value(&f, path, param, v)))
                                .expect("every portal parameter has a value");
                        let fields = if *method == "post" {
                            form_fields(path, v)
                        } else {
                            vec![]
                        };
                        for (name, value) in &fields {
                            values.push((format!("{{{name}}}"), value.clone()));
                        }
                        let probe = Probe {
                            method: Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                            path: concrete.clone(),
                            body: Some(format!("{fields:?}")),
                            values,
                        };
                        if !sent_before.insert(probe.sent()) {
                            continue;
                        }
                        walk.sent += 1;
                        let (status, location, mut text) = if *method == "post" {
                            let mut form = vec![("csrf", caller.csrf.as_str())];
                            form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
                            caller.browser.post(&concrete, &form).await
                        } else {
                            caller.browser.get(&concrete).await
                        };
                        assert!(
                            !status.is_server_error(),
                            "{method} {concrete} as {}: {status} {text}",
                            caller.name
                        );
                        // A form's refusal is on the page it sends the browser back to.
                        let mut shown = format!("{status} {location}");
                        if status.is_redirection() && location.starts_with('/') {
                            let (then, _, page) = caller.browser.get(&location).await;
                            shown.push_str(&format!(" → {then}"));
                            text.push_str(&page);
                        }
                        walk.leaks(&f, &probe, caller.name, v, &format!("{shown} {text}"));
                        let key = format!(
                            "{} {}",
                            without_values(&shown, &probe.values),
                            without_values(&page_text(&text), &probe.values)
                        );
                        answers.push((v, probe.sent(), key));
                    }
                    walk.same_answers(&format!("{method} {path}"), caller.name, &answers);
                }
            }
        }
        walk.finish(&f, &before, 100);
    }
}

/// The text of a page's main part, without markup (what a person reads there).
fn page_text(html: &str) -> String {
    let main = html.find("<main").map(|i| &html[i..]).unwrap_or(html);
    let main = main.find("</main>").map(|i| &main[..i]).unwrap_or(main);
    let mut out = String::new();
    let mut in_tag = false;
    for c in main.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Issue 10, point 2: whether an email is nobody's or a work account of another directory, adding it as
/// a co-administrator gets one answer, word for word (but for the email), from ARM and from the portal.
#[tokio::test]
async fn adding_a_co_administrator_answers_the_same_for_unknown_and_foreign_accounts() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let alice = user_token(&srv, ALICEDEFAULT, "alice@outlook.com", "Alice-2017!", ARM).await;
        // megan is a member of Contoso, not present in alicedefault; nobody is nobody.
        let (foreign, unknown) = (
            "megan@contoso.onmicrosoft.com",
            "nobody.anywhere@example.com",
        );
        let mut answers = Vec::new();
        for email in [foreign, unknown] {
            let r = send(
                &srv,
                Method::PUT,
                &format!("/subscriptions/{PAYG}/providers/Microsoft.Authorization/classicAdministrators/{email}?api-version=2015-07-01"),
                Some(&alice),
                Some(&json!({"properties": {"emailAddress": email, "role": "CoAdministrator"}}).to_string()),
            )
            .await;
            assert_eq!(
                r.body["error"]["code"], "PrincipalNotInDirectory",
                "{}",
                r.text
            );
            answers.push((r.status, r.text.replace(email, "{email}")));
        }
        assert_eq!(answers[0], answers[1]);

        let mut b = Browser::new(&srv);
        b.sign_in_to_portal("alice@outlook.com", "Alice-2017!")
            .await;
        let page = format!("/portal/subscriptions/{PAYG}/administrators");
        let mut shown = Vec::new();
        for email in [foreign, unknown] {
            let (_, _, form) = b.get(&page).await;
            let (status, to, _) = b
                .submit(&format!("{page}/add"), &form, &[("email", email)])
                .await;
            assert_eq!((status.as_u16(), to.as_str()), (303, page.as_str()));
            let (_, _, back) = b.get(&page).await;
            let flash = page_text(&back[back.find("class=\"flash").expect("a flash")..]);
            let flash = flash[..flash.find("Administrators").unwrap_or(flash.len())].to_string();
            assert!(back.contains("flash flash-error"), "{flash}");
            shown.push(flash.replace(email, "{email}"));
        }
        assert_eq!(shown[0], shown[1]);
    }
}

/// The redeem page of an invitation shows whom it invites, and to which directory, only to that person:
/// before signing in every link shows the same page, and anyone else signed in is told what a link
/// that names nothing tells.
#[tokio::test]
async fn the_redeem_page_shows_an_invitation_to_its_invitee_only() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let admin = user_token(
            &srv,
            CONTOSO,
            "admin@contoso.onmicrosoft.com",
            "Contoso-Admin-1!",
            GRAPH,
        )
        .await;
        let (s, inv) = call(
            &srv,
            Method::POST,
            "/v1.0/invitations",
            Some(&admin),
            Some(json!({"invitedUserEmailAddress": "dave@outlook.com", "inviteRedirectUrl": "https://example.com"})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{inv}");
        let path = inv["inviteRedeemUrl"]
            .as_str()
            .unwrap()
            .strip_prefix(&srv.base_url)
            .unwrap()
            .to_string();
        let id = inv["id"].as_str().unwrap();
        let bogus = path.replace(id, NOTHING);
        let shows_invitation =
            |page: &str| page.contains("dave@outlook.com") || page.contains("Contoso");

        // Not signed in: one page for every link, naming nothing.
        let mut b = Browser::new(&srv);
        let (s, _, page) = b.get(&path).await;
        let (t, _, other) = b.get(&bogus).await;
        assert_eq!((s, t), (StatusCode::OK, StatusCode::OK));
        assert!(!shows_invitation(&page), "{page}");
        assert_eq!(page_text(&page), page_text(&other).replace(NOTHING, id));

        // Someone else signed in: what a link to nothing answers.
        b.sign_in_to_portal("alice@outlook.com", "Alice-2017!")
            .await;
        let (s, _, page) = b.get(&path).await;
        let (t, _, other) = b.get(&bogus).await;
        assert_eq!((s, t), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
        assert!(!shows_invitation(&page), "{page}");
        assert_eq!(page_text(&page), page_text(&other).replace(NOTHING, id));

        // The invitee: the invitation, whole.
        let mut dave = Browser::new(&srv);
        dave.sign_in_to_portal("dave@outlook.com", "Dave-2017!")
            .await;
        let (s, _, page) = dave.get(&path).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            page.contains(r#"<dd id="invited-email">dave@outlook.com</dd>"#)
                && page.contains("Contoso"),
            "{page}"
        );
    }
}
