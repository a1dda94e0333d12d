//! The ARM face over HTTPS, with real tokens from the token endpoint: every endpoint, every error body,
//! who sees what (a Reader on one group, a co-administrator, an application, a user of another tenant),
//! enforcement with Azure's wording, the long-running delete, classic administrators, and bad input that
//! must never earn a 5xx. Then the real clients: the Python SDKs and the Azure CLI.

mod groups;

use crate::support::*;
use reqwest::Method;
use serde_json::{Value, json};
use tenantry_service::Service;
use tenantry_service::domain::*;

const SUB: &str = PAYG;
const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

/// ARM's side of a response: its error body, its lists.
impl Resp {
    pub(crate) fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
    pub(crate) fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or("")
    }
    #[track_caller]
    pub(crate) fn expect(self, status: u16) -> Self {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        self
    }
    #[track_caller]
    pub(crate) fn refused(self, status: u16, code: &str) -> Self {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        assert_eq!(self.code(), code, "{}", self.body);
        assert!(!self.message().is_empty(), "{}", self.body);
        self
    }
    pub(crate) fn values(&self) -> &Vec<Value> {
        self.body["value"].as_array().expect("a list")
    }
    pub(crate) fn names(&self) -> Vec<String> {
        self.values()
            .iter()
            .map(|v| v["name"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

/// Tokens from the token endpoint, and ARM calls with them.
pub struct Arm<'a> {
    pub srv: &'a TestServer,
}

impl Arm<'_> {
    /// The demo's "ci" application (Contributor on the subscription).
    pub async fn app(&self) -> String {
        app_token(self.srv, ALICEDEFAULT, CI_CLIENT, CI_SECRET, ARM).await
    }

    /// A user signed in with a password at `tenant` (as azure-identity does, with the CLI's client id).
    pub async fn user(&self, tenant: &str, username: &str, password: &str) -> String {
        user_token(self.srv, tenant, username, password, ARM).await
    }

    pub(crate) async fn alice(&self) -> String {
        self.user(ALICEDEFAULT, "alice@outlook.com", "Alice-2017!")
            .await
    }
    async fn dave(&self) -> String {
        self.user(ALICEDEFAULT, "dave@outlook.com", "Dave-2017!")
            .await
    }
    pub(crate) async fn erin(&self) -> String {
        self.user(
            ALICEDEFAULT,
            "erin@alicedefault.onmicrosoft.com",
            "Erin-Default-1!",
        )
        .await
    }
    async fn megan(&self) -> String {
        self.user(CONTOSO, "megan@contoso.onmicrosoft.com", "Megan-Contoso-1!")
            .await
    }

    /// Any call, which must never earn a 5xx.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> Resp {
        let r = send(self.srv, method, path, token, body).await;
        assert!(
            !r.status.is_server_error(),
            "a 5xx for {path}: {} {}",
            r.status,
            r.body
        );
        r
    }

    pub(crate) async fn get(&self, path: &str, token: &str) -> Resp {
        self.call(Method::GET, &with_version(path), Some(token), None)
            .await
    }
    pub(crate) async fn put(&self, path: &str, token: &str, body: Value) -> Resp {
        self.call(
            Method::PUT,
            &with_version(path),
            Some(token),
            Some(&body.to_string()),
        )
        .await
    }
    pub(crate) async fn delete(&self, path: &str, token: &str) -> Resp {
        self.call(Method::DELETE, &with_version(path), Some(token), None)
            .await
    }
}

pub(crate) fn with_version(path: &str) -> String {
    if path.contains("api-version=") {
        path.to_string()
    } else if path.contains('?') {
        format!("{path}&api-version=2022-04-01")
    } else {
        format!("{path}?api-version=2022-04-01")
    }
}

pub(crate) fn sub_path(rest: &str) -> String {
    format!("/subscriptions/{SUB}{rest}")
}

pub(crate) fn authz(scope_rest: &str, what: &str) -> String {
    sub_path(&format!(
        "{scope_rest}/providers/Microsoft.Authorization/{what}"
    ))
}

pub(crate) fn role_definition_id(guid: &str) -> String {
    format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{guid}")
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Azure's refusal, word for word.
fn authorization_failed(client: &str, oid: &str, action: &str, scope: &str) -> String {
    format!(
        "The client '{client}' with object id '{oid}' does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials."
    )
}

fn ci_object(svc: &Service) -> String {
    object_of(svc, CI_CLIENT, "alicedefault").to_string()
}

#[tokio::test]
async fn cloud_metadata_for_az_cloud_register() {
    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    let arm = Arm { srv: &srv };
    for path in [
        "/metadata/endpoints?api-version=2022-09-01",
        "//metadata/endpoints?api-version=2022-09-01",
    ] {
        let r = arm.call(Method::GET, path, None, None).await.expect(200);
        let base = format!("{}/", srv.base_url);
        assert_eq!(r.body["authentication"]["loginEndpoint"], base);
        assert_eq!(r.body["resourceManager"], base);
        assert_eq!(r.body["microsoftGraphResourceId"], base);
        assert_eq!(
            r.body["authentication"]["audiences"],
            json!([
                "https://management.core.windows.net/",
                "https://management.azure.com/"
            ])
        );
        assert_eq!(r.body["suffixes"], json!({}));
        assert!(r.body["name"].is_string());
    }
}

#[tokio::test]
async fn calls_without_a_valid_token_get_401_with_a_challenge() {
    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    let arm = Arm { srv: &srv };
    for token in [None, Some("not-a-token"), Some("a.b.c")] {
        for path in [
            "/subscriptions?api-version=2022-12-01".to_string(),
            "/tenants?api-version=2022-12-01".to_string(),
            with_version(&sub_path("/resourcegroups")),
        ] {
            let r = arm.call(Method::GET, &path, token, None).await;
            assert_eq!(r.status, 401, "{path} {}", r.body);
            assert!(r.code().contains("Authentication"), "{}", r.body);
            let challenge = r.headers["www-authenticate"].to_str().unwrap();
            assert!(
                challenge.starts_with("Bearer authorization_uri="),
                "{challenge}"
            );
        }
    }
}

#[tokio::test]
async fn subscriptions_and_tenants_show_what_the_caller_may_see() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let arm = Arm { srv: &srv };
        let app = arm.app().await;
        let erin = arm.erin().await;
        let megan = arm.megan().await;

        let r = arm
            .get("/subscriptions?api-version=2022-12-01", &app)
            .await
            .expect(200);
        let s = &r.values()[0];
        assert_eq!(r.values().len(), 1);
        assert_eq!(s["id"], format!("/subscriptions/{SUB}"));
        assert_eq!(s["subscriptionId"], SUB);
        assert_eq!(s["displayName"], "Pay-As-You-Go");
        assert_eq!(s["state"], "Enabled");
        assert_eq!(s["tenantId"], ALICEDEFAULT);
        assert_eq!(s["authorizationSource"], "RoleBased");
        assert_eq!(s["managedByTenants"], json!([]));
        assert!(s["subscriptionPolicies"].is_object());
        let one = arm.get(&sub_path(""), &erin).await.expect(200);
        assert_eq!(&one.body, s, "a Reader of one group sees the subscription");
        arm.get(&sub_path("/locations"), &erin).await.expect(200);

        // Another tenant's user sees nothing, and the subscription "does not exist" for them.
        let none = arm.get("/subscriptions", &megan).await.expect(200);
        assert!(none.values().is_empty());
        arm.get(&sub_path(""), &megan)
            .await
            .refused(404, "SubscriptionNotFound");
        arm.get(
            "/subscriptions/5b5c0000-0000-4000-8000-0000000000ff?api-version=1",
            &app,
        )
        .await
        .refused(404, "SubscriptionNotFound");

        let t = arm
            .get("/tenants?api-version=2022-12-01", &app)
            .await
            .expect(200);
        assert_eq!(t.values().len(), 1);
        let tenant = &t.values()[0];
        assert_eq!(tenant["id"], format!("/tenants/{ALICEDEFAULT}"));
        assert_eq!(tenant["tenantId"], ALICEDEFAULT);
        assert_eq!(tenant["tenantCategory"], "Home");
        assert_eq!(tenant["tenantType"], "AAD");
        assert_eq!(tenant["defaultDomain"], "alicedefault.onmicrosoft.com");
        assert_eq!(tenant["displayName"], "Default Directory");
        assert!(tenant["countryCode"].is_string());
        assert_eq!(tenant["domains"], json!(["alicedefault.onmicrosoft.com"]));
        let t = arm.get("/tenants", &megan).await.expect(200);
        assert_eq!(t.values()[0]["tenantId"], CONTOSO);

        let p = arm.get("/providers", &app).await.expect(200);
        let namespaces: Vec<&str> = p
            .values()
            .iter()
            .map(|v| v["namespace"].as_str().unwrap())
            .collect();
        assert!(namespaces.contains(&"Microsoft.Authorization"));
        let p = arm.get(&sub_path("/providers"), &app).await.expect(200);
        assert!(
            p.values()
                .iter()
                .all(|v| v["registrationState"] == "Registered")
        );
        arm.get(&sub_path("/providers/Microsoft.Resources"), &app)
            .await
            .expect(200);

        // Any provider is registered (tenantry keeps resources of every namespace); registering one
        // needs `{namespace}/register/action` (Contributor through `*`, not a Reader of a group).
        let compute = arm
            .get(&sub_path("/providers/Microsoft.Compute"), &app)
            .await
            .expect(200);
        assert_eq!(
            (
                &compute.body["namespace"],
                &compute.body["registrationState"]
            ),
            (&json!("Microsoft.Compute"), &json!("Registered"))
        );
        arm.get(&sub_path("/providers/not_a_namespace"), &app)
            .await
            .refused(400, "InvalidResourceNamespace");
        let post = |path: &'static str, token: String| {
            let arm = &arm;
            async move {
                arm.call(
                    Method::POST,
                    &with_version(&sub_path(path)),
                    Some(&token),
                    None,
                )
                .await
            }
        };
        let registered = post("/providers/Microsoft.Compute/register", app.clone())
            .await
            .expect(200);
        assert_eq!(registered.body["registrationState"], "Registered");
        let erin = arm.erin().await;
        let refused = post("/providers/Microsoft.Compute/register", erin)
            .await
            .refused(403, "AuthorizationFailed");
        assert!(
            refused.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("'Microsoft.Compute/register/action'"),
            "{}",
            refused.body
        );
        post("/providers/Microsoft.Compute/unregister", app.clone())
            .await
            .refused(409, "ProviderUnregistrationNotSupported");
        arm.get(&sub_path("/providers/Microsoft.Compute/register"), &app)
            .await
            .refused(405, "MethodNotAllowed");
    }
}

#[tokio::test]
async fn tenants_list_every_directory_of_the_identity_whatever_the_token() {
    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    let arm = Arm { srv: &srv };
    // Alice becomes a guest of contoso; a token for either tenant lists both.
    let svc = &srv.svc;
    let admin = signed_in(svc, "admin@contoso.onmicrosoft.com", "contoso");
    let (invitation, _) = svc
        .invite(&admin, tenant_id(svc, "contoso"), "alice@outlook.com")
        .await
        .unwrap();
    let alice_consumer = svc.read(|w| Actor::Personal {
        account: w.account_by_email("alice@outlook.com").unwrap().id,
        email: "alice@outlook.com".into(),
    });
    svc.redeem(&alice_consumer, tenant_id(svc, "contoso"), invitation)
        .await
        .unwrap();
    for tenant in [ALICEDEFAULT, CONTOSO] {
        let token = arm.user(tenant, "alice@outlook.com", "Alice-2017!").await;
        let r = arm.get("/tenants", &token).await.expect(200);
        let mut ids: Vec<&str> = r
            .values()
            .iter()
            .map(|v| v["tenantId"].as_str().unwrap())
            .collect();
        ids.sort();
        assert_eq!(ids, [ALICEDEFAULT, CONTOSO]);
    }
}

#[tokio::test]
async fn resource_groups_create_read_tag_list_and_delete_as_a_long_running_operation() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let arm = Arm { srv: &srv };
        let app = arm.app().await;
        let rg2 = sub_path("/resourcegroups/rg2");

        let r = arm
            .put(
                &rg2,
                &app,
                json!({"location": "West Europe", "tags": {"env": "dev"}}),
            )
            .await
            .expect(201);
        assert_eq!(r.body["id"], sub_path("/resourceGroups/rg2"));
        assert_eq!(r.body["name"], "rg2");
        assert_eq!(r.body["type"], "Microsoft.Resources/resourceGroups");
        assert_eq!(r.body["location"], "westeurope");
        assert_eq!(r.body["tags"], json!({"env": "dev"}));
        assert_eq!(r.body["properties"]["provisioningState"], "Succeeded");
        arm.put(&rg2, &app, json!({"location": "westeurope"}))
            .await
            .expect(200);
        arm.put(&rg2, &app, json!({"location": "eastus"}))
            .await
            .refused(409, "InvalidResourceGroupLocation");
        arm.get(&sub_path("/resourceGroups/RG2"), &app)
            .await
            .expect(200);
        let head = arm
            .call(Method::HEAD, &with_version(&rg2), Some(&app), None)
            .await;
        assert_eq!(head.status, 204);
        let head = arm
            .call(
                Method::HEAD,
                &with_version(&sub_path("/resourcegroups/nope")),
                Some(&app),
                None,
            )
            .await;
        assert_eq!(head.status, 404);
        let patched = arm
            .call(
                Method::PATCH,
                &with_version(&rg2),
                Some(&app),
                Some(r#"{"tags":{"env":"prod","team":"a"}}"#),
            )
            .await
            .expect(200);
        assert_eq!(patched.body["tags"], json!({"env": "prod", "team": "a"}));

        for n in 3..6 {
            arm.put(
                &sub_path(&format!("/resourcegroups/rg{n}")),
                &app,
                json!({"location": "westeurope"}),
            )
            .await
            .expect(201);
        }
        let all = arm
            .get(&sub_path("/resourcegroups"), &app)
            .await
            .expect(200);
        assert_eq!(all.names(), ["rg1", "rg2", "rg3", "rg4", "rg5"]);
        let tagged = arm
            .get(
                &sub_path(
                    "/resourcegroups?$filter=tagName%20eq%20'env'%20and%20tagValue%20eq%20'prod'",
                ),
                &app,
            )
            .await
            .expect(200);
        assert_eq!(tagged.names(), ["rg2"]);
        // $top pages, and nextLink leads to the rest.
        let mut seen = vec![];
        let mut next = Some(with_version(&sub_path("/resourcegroups?$top=2")));
        while let Some(url) = next {
            let page = arm
                .call(Method::GET, &url, Some(&app), None)
                .await
                .expect(200);
            assert!(page.values().len() <= 2);
            seen.extend(page.names());
            next = page.body["nextLink"].as_str().map(str::to_string);
            if let Some(n) = &next {
                assert!(n.starts_with(&srv.base_url), "{n}");
            }
        }
        assert_eq!(seen, all.names());

        // DELETE: 202, Location to poll with Retry-After: 1; the poll answers 200 at once.
        let d = arm.delete(&rg2, &app).await.expect(202);
        assert_eq!(d.headers["retry-after"], "1");
        let location = d.headers["location"].to_str().unwrap().to_string();
        assert!(
            location.starts_with(&format!(
                "{}/subscriptions/{SUB}/operationresults/",
                srv.base_url
            )),
            "{location}"
        );
        assert!(location.contains("api-version="), "{location}");
        arm.call(Method::GET, &location, Some(&app), None)
            .await
            .expect(200);
        arm.get(&rg2, &app)
            .await
            .refused(404, "ResourceGroupNotFound");
        arm.delete(&rg2, &app)
            .await
            .refused(404, "ResourceGroupNotFound");
        assert_memory_matches_database(&srv.svc).await;
    }
}

#[tokio::test]
async fn a_reader_of_one_group_sees_the_subscription_and_that_group_only() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let arm = Arm { srv: &srv };
        let app = arm.app().await;
        let erin = arm.erin().await;
        arm.put(
            &sub_path("/resourcegroups/rg2"),
            &app,
            json!({"location": "westeurope"}),
        )
        .await
        .expect(201);
        let list = arm
            .get(&sub_path("/resourcegroups"), &erin)
            .await
            .expect(200);
        assert_eq!(list.names(), ["rg1"]);
        arm.get(&sub_path("/resourcegroups/rg1"), &erin)
            .await
            .expect(200);
        let erin_oid = object_of(
            &srv.svc,
            "erin@alicedefault.onmicrosoft.com",
            "alicedefault",
        );
        let refused = arm
            .get(&sub_path("/resourcegroups/rg2"), &erin)
            .await
            .refused(403, "AuthorizationFailed");
        assert_eq!(
            refused.message(),
            authorization_failed(
                "erin@alicedefault.onmicrosoft.com",
                &erin_oid.to_string(),
                "Microsoft.Resources/subscriptions/resourceGroups/read",
                &sub_path("/resourceGroups/rg2")
            )
        );
        arm.put(
            &sub_path("/resourcegroups/rg1"),
            &erin,
            json!({"location": "westeurope"}),
        )
        .await
        .refused(403, "AuthorizationFailed");
        arm.delete(&sub_path("/resourcegroups/rg1"), &erin)
            .await
            .refused(403, "AuthorizationFailed");
        // Her role assignments: her own, and at her group what applies there; never the list an
        // application that may read them all was just given for the same URL.
        let everyone = arm
            .get(&authz("", "roleAssignments"), &app)
            .await
            .expect(200);
        assert_eq!(everyone.values().len(), 2);
        let mine = arm
            .get(&authz("", "roleAssignments"), &erin)
            .await
            .expect(200);
        assert_eq!(mine.values().len(), 1);
        let at_rg1 = arm
            .get(&authz("/resourceGroups/rg1", "roleAssignments"), &erin)
            .await
            .expect(200);
        assert_eq!(at_rg1.values().len(), 2, "hers and the app's inherited");
        // A co-administrator sees everything.
        let dave = arm.dave().await;
        let list = arm
            .get(&sub_path("/resourcegroups"), &dave)
            .await
            .expect(200);
        assert_eq!(list.names(), ["rg1", "rg2"]);
    }
}

#[tokio::test]
async fn generic_resources_of_any_type_and_depth() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let arm = Arm { srv: &srv };
        let app = arm.app().await;
        let erin = arm.erin().await;
        let st = sub_path("/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/st1");
        let props = json!({"supportsHttpsTrafficOnly": true, "nested": {"a": [1, 2, {"b": null}]}});
        let r = arm
            .put(
                &st,
                &app,
                json!({"location": "West Europe", "kind": "StorageV2", "tags": {"x": "y"}, "properties": props}),
            )
            .await
            .expect(201);
        assert_eq!(r.body["id"], st);
        assert_eq!(r.body["name"], "st1");
        assert_eq!(r.body["type"], "Microsoft.Storage/storageAccounts");
        assert_eq!(r.body["location"], "westeurope");
        assert_eq!(r.body["properties"], props, "properties kept as given");
        arm.put(
            &st,
            &app,
            json!({"location": "westeurope", "properties": props}),
        )
        .await
        .expect(200);
        let vnet = sub_path("/resourcegroups/rg1/providers/Microsoft.Network/virtualNetworks/v1");
        arm.put(
            &format!("{vnet}/subnets/s1"),
            &app,
            json!({"properties": {}}),
        )
        .await
        .refused(404, "ParentResourceNotFound");
        arm.put(&vnet, &app, json!({"location": "westeurope"}))
            .await
            .expect(201);
        let subnet = arm
            .put(
                &format!("{vnet}/subnets/s1"),
                &app,
                json!({"properties": {"addressPrefix": "10.0.0.0/24"}}),
            )
            .await
            .expect(201);
        assert_eq!(
            subnet.body["type"],
            "Microsoft.Network/virtualNetworks/subnets"
        );
        let subnets = arm.get(&format!("{vnet}/subnets"), &app).await.expect(200);
        assert_eq!(subnets.names(), ["s1"]);
        let accounts = arm
            .get(
                &sub_path("/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts"),
                &app,
            )
            .await
            .expect(200);
        assert_eq!(accounts.names(), ["st1"]);
        let in_group = arm
            .get(&sub_path("/resourcegroups/rg1/resources"), &erin)
            .await
            .expect(200);
        assert_eq!(
            in_group.values().len(),
            3,
            "a Reader of the group reads its resources"
        );
        let in_sub = arm
            .get(
                &sub_path(
                    "/resources?$filter=resourceType%20eq%20'Microsoft.Storage/storageAccounts'",
                ),
                &app,
            )
            .await
            .expect(200);
        assert_eq!(in_sub.names(), ["st1"]);
        arm.get(&st, &erin).await.expect(200);
        arm.put(&st, &erin, json!({"location": "westeurope"}))
            .await
            .refused(403, "AuthorizationFailed");
        arm.get(
            &sub_path("/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/none"),
            &app,
        )
        .await
        .refused(404, "ResourceNotFound");
        arm.get(
            &sub_path("/resourceGroups/nope/providers/Microsoft.Storage/storageAccounts/st1"),
            &app,
        )
        .await
        .refused(404, "ResourceGroupNotFound");
        arm.delete(&vnet, &app).await.expect(200);
        arm.get(&format!("{vnet}/subnets/s1"), &app)
            .await
            .refused(404, "ResourceNotFound");
        arm.delete(&vnet, &app).await.expect(204);
    }
}

#[tokio::test]
async fn role_definitions_list_filter_get_and_custom_roles() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let arm = Arm { srv: &srv };
        let alice = arm.alice().await;
        let app = arm.app().await;
        let owner = arm
            .get(
                &authz("", "roleDefinitions?$filter=roleName%20eq%20'Owner'"),
                &app,
            )
            .await
            .expect(200);
        assert_eq!(owner.values().len(), 1, "exactly one match");
        let o = &owner.values()[0];
        assert_eq!(o["id"], role_definition_id(OWNER));
        assert_eq!(o["name"], OWNER);
        assert_eq!(o["type"], "Microsoft.Authorization/roleDefinitions");
        assert_eq!(o["properties"]["roleName"], "Owner");
        assert_eq!(o["properties"]["type"], "BuiltInRole");
        assert_eq!(o["properties"]["permissions"][0]["actions"], json!(["*"]));
        let all = arm
            .get(&authz("", "roleDefinitions"), &app)
            .await
            .expect(200);
        assert!(all.values().len() >= 4);
        assert!(all.values().iter().all(|d| {
            d["id"]
                .as_str()
                .unwrap()
                .starts_with(&format!("/subscriptions/{SUB}/"))
        }),);
        let by_id = arm
            .get(&authz("", &format!("roleDefinitions/{READER}")), &app)
            .await
            .expect(200);
        assert_eq!(by_id.body["properties"]["roleName"], "Reader");
        let root = arm
            .get(
                &format!("/providers/Microsoft.Authorization/roleDefinitions/{READER}"),
                &app,
            )
            .await
            .expect(200);
        assert_eq!(root.body["properties"]["roleName"], "Reader");
        arm.get(&authz("", "roleDefinitions/not-a-guid"), &app)
            .await
            .refused(400, "InvalidRoleDefinitionId");
        arm.get(&authz("", &format!("roleDefinitions/{}", new_id())), &app)
            .await
            .refused(404, "RoleDefinitionDoesNotExist");

        // Custom roles: the Contributor app may not write them; the service administrator may.
        let id = new_id();
        let role = json!({"properties": {
            "roleName": "Group Reader", "description": "Reads groups.", "type": "CustomRole",
            "permissions": [{"actions": ["Microsoft.Resources/subscriptions/resourceGroups/read"], "notActions": []}],
            "assignableScopes": [format!("/subscriptions/{SUB}")],
        }});
        arm.put(
            &authz("", &format!("roleDefinitions/{id}")),
            &app,
            role.clone(),
        )
        .await
        .refused(403, "AuthorizationFailed");
        let created = arm
            .put(
                &authz("", &format!("roleDefinitions/{id}")),
                &alice,
                role.clone(),
            )
            .await
            .expect(201);
        assert_eq!(created.body["id"], role_definition_id(&id));
        assert_eq!(created.body["properties"]["type"], "CustomRole");
        let custom = arm
            .get(
                &authz("", "roleDefinitions?$filter=type%20eq%20'CustomRole'"),
                &app,
            )
            .await
            .expect(200);
        assert_eq!(custom.names(), std::slice::from_ref(&id));
        let dup = json!({"properties": {"roleName": "Owner", "permissions": [{"actions": ["*"]}]}});
        arm.put(
            &authz("", &format!("roleDefinitions/{}", new_id())),
            &alice,
            dup,
        )
        .await
        .refused(409, "RoleDefinitionWithSameNameExists");
        arm.delete(&authz("", &format!("roleDefinitions/{id}")), &alice)
            .await
            .expect(200);
        arm.delete(&authz("", &format!("roleDefinitions/{id}")), &alice)
            .await
            .expect(204);
    }
}

#[tokio::test]
async fn role_assignments_create_list_filter_get_and_delete() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let arm = Arm { srv: &srv };
        let alice = arm.alice().await;
        let app = arm.app().await;
        let erin_oid = object_of(
            &srv.svc,
            "erin@alicedefault.onmicrosoft.com",
            "alicedefault",
        )
        .to_string();
        let megan_oid = object_of(&srv.svc, "megan@contoso.onmicrosoft.com", "contoso").to_string();

        let before = arm
            .get(&authz("", "roleAssignments"), &alice)
            .await
            .expect(200);
        assert_eq!(before.values().len(), 2);
        let id = new_id();
        let path = authz("", &format!("roleAssignments/{id}"));
        let body = |principal: &str, role: &str| json!({"properties": {"roleDefinitionId": role_definition_id(role), "principalId": principal, "principalType": "User", "description": "ops"}});
        // The Contributor app may not write role assignments, in Azure's words.
        let refused = arm
            .put(&path, &app, body(&erin_oid, OWNER))
            .await
            .refused(403, "AuthorizationFailed");
        assert_eq!(
            refused.message(),
            authorization_failed(
                CI_CLIENT,
                &ci_object(&srv.svc),
                "Microsoft.Authorization/roleAssignments/write",
                &sub_path("")
            )
        );
        let created = arm
            .put(&path, &alice, body(&erin_oid, OWNER))
            .await
            .expect(201);
        let a = &created.body;
        assert_eq!(
            a["id"],
            format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments/{id}")
        );
        assert_eq!(a["name"], id);
        assert_eq!(a["type"], "Microsoft.Authorization/roleAssignments");
        assert_eq!(a["properties"]["scope"], sub_path(""));
        assert_eq!(
            a["properties"]["roleDefinitionId"],
            role_definition_id(OWNER)
        );
        assert_eq!(a["properties"]["principalId"], erin_oid);
        assert_eq!(a["properties"]["principalType"], "User");
        assert_eq!(a["properties"]["description"], "ops");
        assert!(a["properties"]["createdOn"].is_string());
        assert!(a["properties"]["updatedOn"].is_string());
        assert!(a["properties"]["createdBy"].is_string());
        arm.put(&path, &alice, body(&erin_oid, OWNER))
            .await
            .expect(200);
        arm.put(
            &authz("", &format!("roleAssignments/{}", new_id())),
            &alice,
            body(&erin_oid, OWNER),
        )
        .await
        .refused(409, "RoleAssignmentExists");
        arm.put(
            &authz("", &format!("roleAssignments/{}", new_id())),
            &alice,
            body(&megan_oid, READER),
        )
        .await
        .refused(400, "PrincipalNotFound");
        arm.put(
            &authz("", "roleAssignments/not-a-guid"),
            &alice,
            body(&erin_oid, READER),
        )
        .await
        .refused(400, "InvalidRoleAssignmentId");
        arm.put(
            &authz("", &format!("roleAssignments/{}", new_id())),
            &alice,
            json!({"properties": {"principalId": erin_oid}}),
        )
        .await
        .refused(400, "InvalidRequestContent");

        // roleDefinitionId is byte-identical to the listed definition's id.
        let defs = arm
            .get(&authz("", "roleDefinitions"), &alice)
            .await
            .expect(200);
        let def_ids: Vec<&str> = defs
            .values()
            .iter()
            .map(|d| d["id"].as_str().unwrap())
            .collect();
        let all = arm
            .get(&authz("", "roleAssignments"), &alice)
            .await
            .expect(200);
        assert_eq!(
            all.values().len(),
            3,
            "a write shows in the same list at once"
        );
        for item in all.values() {
            assert!(def_ids.contains(&item["properties"]["roleDefinitionId"].as_str().unwrap()));
            assert!(item["properties"]["scope"].is_string());
        }
        let got = arm.get(&path, &alice).await.expect(200);
        assert_eq!(&got.body, a);
        let full_id = arm.get(a["id"].as_str().unwrap(), &alice).await.expect(200);
        assert_eq!(&full_id.body, a);
        let mine = arm
            .get(
                &authz(
                    "",
                    &format!("roleAssignments?$filter=principalId%20eq%20'{erin_oid}'"),
                ),
                &alice,
            )
            .await
            .expect(200);
        assert_eq!(
            mine.values().len(),
            2,
            "Reader on rg1 and Owner on the subscription"
        );
        let assigned = arm
            .get(
                &authz(
                    "",
                    &format!("roleAssignments?$filter=assignedTo('{erin_oid}')"),
                ),
                &alice,
            )
            .await
            .expect(200);
        assert_eq!(assigned.values().len(), 2);
        // atScope() at the subscription leaves out the one on rg1; at rg1 it keeps those above.
        let at_sub = arm
            .get(&authz("", "roleAssignments?$filter=atScope()"), &alice)
            .await
            .expect(200);
        assert_eq!(at_sub.values().len(), 2);
        let at_rg1 = arm
            .get(
                &authz("/resourceGroups/rg1", "roleAssignments?$filter=atScope()"),
                &alice,
            )
            .await
            .expect(200);
        assert_eq!(at_rg1.values().len(), 3);
        let both_filters = arm
            .get(
                &authz(
                    "/resourceGroups/rg1",
                    &format!("roleAssignments?$filter=atScope()%20and%20assignedTo('{erin_oid}')"),
                ),
                &alice,
            )
            .await
            .expect(200);
        assert_eq!(both_filters.values().len(), 2);
        arm.get(&authz("", "roleAssignments?$filter=whatever"), &alice)
            .await
            .refused(400, "UnsupportedQuery");

        // At a resource.
        let st = "/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/st1";
        arm.put(&sub_path(st), &app, json!({"location": "westeurope"}))
            .await
            .expect(201);
        let rid = new_id();
        let at_resource = arm
            .put(
                &authz(st, &format!("roleAssignments/{rid}")),
                &alice,
                body(&erin_oid, READER),
            )
            .await
            .expect(201);
        assert_eq!(at_resource.body["properties"]["scope"], sub_path(st));
        let listed = arm
            .get(&authz(st, "roleAssignments"), &alice)
            .await
            .expect(200);
        assert_eq!(
            listed.values().len(),
            4,
            "three above and one at the resource"
        );

        let deleted = arm.delete(&path, &alice).await.expect(200);
        assert_eq!(&deleted.body, a);
        let again = arm.delete(&path, &alice).await;
        assert_eq!(again.status, 204);
        arm.get(&path, &alice)
            .await
            .refused(404, "RoleAssignmentNotFound");
        assert_memory_matches_database(&srv.svc).await;
    }
}

/// Fills the subscription up to `total` role assignments in one write (the HTTP path would take minutes):
/// the application as Reader on as many (nonexistent, which storage allows) resource groups.
pub async fn fill_assignments(svc: &Service, total: usize) {
    let sub: SubscriptionId = SUB.parse().unwrap();
    let app = object_of(svc, CI_CLIENT, "alicedefault");
    let existing = svc.read(|w| w.subscription(sub).unwrap().assignments.len());
    let now = svc.now();
    let assignments: Vec<RoleAssignment> = (existing..total)
        .map(|i| RoleAssignment {
            id: RoleAssignmentId::new(),
            subscription: sub,
            scope: Scope::resource_group(sub, &format!("bulk-{i:05}")),
            principal: app,
            principal_type: PrincipalType::ServicePrincipal,
            role_definition: roles::READER,
            description: None,
            created: now,
            created_by: None,
        })
        .collect();
    svc.execute(|_| {
        let mut c = Change::new();
        c.audit(
            tenantry_service::domain::audit::AuditEvent::new(
                &Actor::Operator,
                now,
                "Microsoft.Authorization/roleAssignments/write",
                format!("/subscriptions/{SUB}"),
            )
            .subscription(sub),
        );
        c.push(Mutation::InsertRoleAssignments {
            subscription: sub,
            assignments,
        });
        Ok((c, ()))
    })
    .await
    .expect("bulk assignments");
}

#[tokio::test]
async fn role_assignment_limit_and_a_big_list() {
    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    fill_assignments(&srv.svc, MAX_ROLE_ASSIGNMENTS_PER_SUBSCRIPTION).await;
    let arm = Arm { srv: &srv };
    let alice = arm.alice().await;
    let erin_oid = object_of(
        &srv.svc,
        "erin@alicedefault.onmicrosoft.com",
        "alicedefault",
    )
    .to_string();
    let body = json!({"properties": {"roleDefinitionId": role_definition_id(OWNER), "principalId": erin_oid}});
    arm.put(
        &authz("", &format!("roleAssignments/{}", new_id())),
        &alice,
        body,
    )
    .await
    .refused(409, "RoleAssignmentLimitExceeded");
    let all = arm
        .get(&authz("", "roleAssignments"), &alice)
        .await
        .expect(200);
    assert_eq!(all.values().len(), MAX_ROLE_ASSIGNMENTS_PER_SUBSCRIPTION);

    // A client that accepts gzip (the Azure CLI and the SDKs do) gets the same list compressed.
    let r = srv
        .client
        .get(srv.url(&with_version(&authz("", "roleAssignments"))))
        .bearer_auth(&alice)
        .header("accept-encoding", "gzip, deflate")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let compressed = r.bytes().await.unwrap();
    let mut plain = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&compressed[..]),
        &mut plain,
    )
    .unwrap();
    let unzipped: Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(unzipped, all.body);
    assert!(
        compressed.len() * 5 < plain.len(),
        "{} of {}",
        compressed.len(),
        plain.len()
    );
}

#[tokio::test]
async fn permissions_of_the_caller_at_a_group_and_a_resource() {
    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    let arm = Arm { srv: &srv };
    let app = arm.app().await;
    let erin = arm.erin().await;
    let megan = arm.megan().await;
    let r = arm
        .get(&authz("/resourcegroups/rg1", "permissions"), &erin)
        .await
        .expect(200);
    // ARM's permission block, and tenantry's `grantedBy`: the grant it comes from.
    let mut blocks = r.body["value"].clone();
    let granted_by = blocks[0]
        .as_object_mut()
        .and_then(|b| b.remove("grantedBy"))
        .expect("grantedBy");
    assert_eq!(
        blocks,
        json!([{"actions": ["*/read"], "notActions": [], "dataActions": [], "notDataActions": []}])
    );
    assert_eq!(granted_by["roleDefinitionName"], "Reader");
    assert_eq!(granted_by["scope"], sub_path("/resourceGroups/rg1"));
    let st = "/resourceGroups/rg1/providers/Microsoft.Web/sites/w1";
    arm.put(&sub_path(st), &app, json!({"location": "westeurope"}))
        .await
        .expect(201);
    let r = arm.get(&authz(st, "permissions"), &app).await.expect(200);
    assert_eq!(r.values()[0]["actions"], json!(["*"]));
    assert!(
        r.values()[0]["notActions"]
            .as_array()
            .unwrap()
            .contains(&json!("Microsoft.Authorization/*/Write"))
    );
    arm.get(&authz("/resourcegroups/nope", "permissions"), &app)
        .await
        .refused(404, "ResourceGroupNotFound");
    arm.get(&authz("/resourcegroups/rg1", "permissions"), &megan)
        .await
        .refused(403, "AuthorizationFailed");
}

#[tokio::test]
async fn classic_administrators_list_add_remove_and_change_with_refusals() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let arm = Arm { srv: &srv };
        let alice = arm.alice().await;
        let dave = arm.dave().await;
        let erin = arm.erin().await;
        let app = arm.app().await;
        let admins = |token: String| {
            let arm = &arm;
            async move {
                arm.get(
                    &authz("", "classicAdministrators?api-version=2015-07-01"),
                    &token,
                )
                .await
            }
        };
        let list = admins(alice.clone()).await.expect(200);
        let first = &list.values()[0];
        assert_eq!(first["properties"]["emailAddress"], "alice@outlook.com");
        assert_eq!(
            first["properties"]["role"],
            "ServiceAdministrator;AccountAdministrator"
        );
        assert_eq!(
            first["type"],
            "Microsoft.Authorization/classicAdministrators"
        );
        assert_eq!(
            first["id"],
            sub_path("/providers/Microsoft.Authorization/classicAdministrators/alice@outlook.com")
        );
        assert_eq!(list.values()[1]["properties"]["role"], "CoAdministrator");
        admins(erin.clone())
            .await
            .refused(403, "AuthorizationFailed");

        let erin_admin = authz(
            "",
            "classicAdministrators/erin@alicedefault.onmicrosoft.com",
        );
        let co = json!({"properties": {"emailAddress": "erin@alicedefault.onmicrosoft.com", "role": "CoAdministrator"}});
        arm.put(&erin_admin, &app, co.clone())
            .await
            .refused(403, "AuthorizationFailed");
        arm.put(&erin_admin, &erin, co.clone())
            .await
            .refused(403, "AuthorizationFailed");
        let added = arm.put(&erin_admin, &alice, co.clone()).await.expect(201);
        assert_eq!(added.body["properties"]["role"], "CoAdministrator");
        arm.put(&erin_admin, &alice, co.clone())
            .await
            .refused(409, "CoAdministratorExists");
        // Now erin, a co-administrator, sees every group.
        arm.put(
            &sub_path("/resourcegroups/rg2"),
            &alice,
            json!({"location": "westeurope"}),
        )
        .await
        .expect(201);
        let groups = arm
            .get(&sub_path("/resourcegroups"), &erin)
            .await
            .expect(200);
        assert_eq!(groups.names(), ["rg1", "rg2"]);
        let megan = json!({"properties": {"emailAddress": "megan@contoso.onmicrosoft.com", "role": "CoAdministrator"}});
        arm.put(
            &authz("", "classicAdministrators/megan@contoso.onmicrosoft.com"),
            &alice,
            megan,
        )
        .await
        .refused(409, "PrincipalNotInDirectory");
        arm.put(
            &erin_admin,
            &alice,
            json!({"properties": {"role": "Owner"}}),
        )
        .await
        .refused(400, "InvalidClassicAdministratorRole");
        arm.delete(&erin_admin, &alice).await.expect(200);
        arm.delete(&erin_admin, &alice)
            .await
            .refused(404, "CoAdministratorNotFound");

        // Only the account administrator changes the service administrator.
        let sa = json!({"properties": {"emailAddress": "dave@outlook.com", "role": "ServiceAdministrator"}});
        let dave_admin = authz("", "classicAdministrators/dave@outlook.com");
        arm.put(&dave_admin, &dave, sa.clone())
            .await
            .refused(403, "NotAccountAdministrator");
        let changed = arm.put(&dave_admin, &alice, sa).await.expect(200);
        assert_eq!(
            changed.body["properties"]["emailAddress"],
            "dave@outlook.com"
        );
        let list = admins(dave.clone()).await.expect(200);
        let roles: Vec<(&str, &str)> = list
            .values()
            .iter()
            .map(|v| {
                (
                    v["properties"]["emailAddress"].as_str().unwrap(),
                    v["properties"]["role"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            roles,
            [
                ("dave@outlook.com", "ServiceAdministrator"),
                ("alice@outlook.com", "AccountAdministrator")
            ]
        );
    }
}

#[tokio::test]
async fn another_tenants_token_sees_nothing_and_changes_nothing() {
    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    let arm = Arm { srv: &srv };
    let megan = arm.megan().await;
    let before = audit_count(&srv.svc).await;
    arm.get(&sub_path("/resourcegroups"), &megan)
        .await
        .refused(403, "AuthorizationFailed");
    arm.get(&sub_path("/resourcegroups/rg1"), &megan)
        .await
        .refused(403, "AuthorizationFailed");
    arm.get(&authz("", "roleAssignments"), &megan)
        .await
        .refused(403, "AuthorizationFailed");
    arm.get(&authz("", "roleDefinitions"), &megan)
        .await
        .refused(403, "AuthorizationFailed");
    arm.get(&sub_path("/resources"), &megan)
        .await
        .refused(403, "AuthorizationFailed");
    arm.put(
        &sub_path("/resourcegroups/x"),
        &megan,
        json!({"location": "westeurope"}),
    )
    .await
    .refused(403, "AuthorizationFailed");
    arm.delete(&sub_path("/resourcegroups/rg1"), &megan)
        .await
        .refused(403, "AuthorizationFailed");
    assert_eq!(
        audit_count(&srv.svc).await,
        before,
        "refusals write nothing"
    );
}

#[tokio::test]
async fn bad_input_gets_arm_errors_never_a_5xx() {
    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    let arm = Arm { srv: &srv };
    let app = arm.app().await;
    let rg = sub_path("/resourcegroups/rgx");
    let put = |path: String, body: &'static str| {
        let arm = &arm;
        let app = app.clone();
        async move {
            arm.call(Method::PUT, &with_version(&path), Some(&app), Some(body))
                .await
        }
    };
    put(rg.clone(), "")
        .await
        .refused(400, "InvalidRequestContent");
    put(rg.clone(), "{")
        .await
        .refused(400, "InvalidRequestContent");
    put(rg.clone(), "[1,2]")
        .await
        .refused(400, "InvalidRequestContent");
    put(rg.clone(), r#"{"location": 5}"#)
        .await
        .refused(400, "InvalidRequestContent");
    put(
        rg.clone(),
        r#"{"location": "westeurope", "tags": {"a": 1}}"#,
    )
    .await
    .refused(400, "InvalidRequestContent");
    put(rg.clone(), "{}").await.refused(400, "LocationRequired");
    put(rg.clone(), r#"{"location": ""}"#)
        .await
        .refused(400, "LocationRequired");
    put(
        sub_path("/resourcegroups/bad."),
        r#"{"location":"westeurope"}"#,
    )
    .await
    .refused(400, "InvalidResourceGroup");
    put(
        sub_path(&format!("/resourcegroups/{}", "a".repeat(91))),
        r#"{"location":"westeurope"}"#,
    )
    .await
    .refused(400, "InvalidResourceGroup");
    put(
        sub_path("/resourcegroups/a%20b"),
        r#"{"location":"westeurope"}"#,
    )
    .await
    .refused(400, "InvalidResourceGroup");
    let huge = format!(
        "/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/{}",
        "x".repeat(5000)
    );
    let r = put(sub_path(&huge), r#"{"location":"westeurope"}"#).await;
    assert!(
        r.status.is_client_error() || r.status.is_success(),
        "{}",
        r.status
    );
    put(
        sub_path("/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/st1"),
        "nope",
    )
    .await
    .refused(400, "InvalidRequestContent");
    arm.get("/subscriptions/not-a-guid", &app)
        .await
        .refused(400, "InvalidSubscriptionId");
    arm.get("/subscriptions/not-a-guid/resourcegroups", &app)
        .await
        .refused(400, "InvalidSubscriptionId");
    arm.get(&authz("", "roleAssignments/x-y-z"), &app)
        .await
        .refused(400, "InvalidRoleAssignmentId");
    arm.get(
        &authz("", "roleAssignments?$filter=principalId%20eq%20'nope'"),
        &app,
    )
    .await
    .refused(400, "InvalidPrincipalId");
    arm.get(&sub_path("/resourcegroups?$top=abc"), &app)
        .await
        .refused(400, "InvalidTopValue");
    arm.get(&sub_path("/resourcegroups?$filter=(((("), &app)
        .await
        .refused(400, "UnsupportedQuery");
    arm.get(&sub_path("/nothing/here/at/all"), &app)
        .await
        .refused(400, "InvalidResourceType");
    arm.get(
        &sub_path("/resourcegroups/rg1/providers/Microsoft.Authorization/permissions/x"),
        &app,
    )
    .await
    .refused(400, "InvalidResourceType");
    let r = arm
        .call(
            Method::POST,
            &with_version(&sub_path("/resourcegroups")),
            Some(&app),
            Some("{}"),
        )
        .await;
    assert_eq!(r.status, 405);
    // api-versions are never refused, present or not.
    arm.call(Method::GET, &sub_path("/resourcegroups"), Some(&app), None)
        .await
        .expect(200);
    arm.call(
        Method::GET,
        &sub_path("/resourcegroups?api-version=1999-01-01-nonsense"),
        Some(&app),
        None,
    )
    .await
    .expect(200);
    let r = arm
        .call(
            Method::GET,
            &with_version("/subscriptions/%ZZ/resourcegroups"),
            Some(&app),
            None,
        )
        .await;
    assert!(r.status.is_client_error());
}

// ----- the real clients -----

/// The clients sign in as the "ci" application, which is Contributor: to drive role assignments too, it
/// is made Owner first (what a Contributor may not do is proved by the HTTP tests above).
pub(crate) async fn make_ci_owner(svc: &Service) {
    let sub: SubscriptionId = SUB.parse().unwrap();
    let write = tenantry_service::domain::rules::access::RoleAssignmentWrite {
        id: RoleAssignmentId::new(),
        scope: Scope::subscription(sub),
        role_definition: roles::OWNER,
        principal: object_of(svc, CI_CLIENT, "alicedefault"),
        description: Some("the client tests assign roles".into()),
        principal_type: None,
    };
    svc.create_role_assignment(&Actor::Operator, write)
        .await
        .expect("ci becomes Owner");
}

/// For the groups part of the client tests: the group Builders (Erin and the "builder" application),
/// and an "outsider" application that reads rg1 and is in no group.
struct Builders {
    group: ObjectId,
    builder: tenantry_service::commands::NewApplicationSecret,
    outsider: tenantry_service::commands::NewApplicationSecret,
}

async fn builders(svc: &Service, erin: ObjectId) -> Builders {
    let op = Actor::Operator;
    let t = tenant_id(svc, "alicedefault");
    let builder = svc
        .create_application(&op, t, "builder", vec![])
        .await
        .unwrap();
    let outsider = svc
        .create_application(&op, t, "outsider", vec![])
        .await
        .unwrap();
    let group = svc
        .create_group(
            &op,
            t,
            tenantry_service::domain::rules::groups::NewGroup {
                members: vec![erin, builder.object_id],
                ..tenantry_service::domain::rules::groups::NewGroup::named("Builders")
            },
        )
        .await
        .unwrap();
    svc.create_role_assignment(
        &op,
        tenantry_service::domain::rules::access::RoleAssignmentWrite {
            id: RoleAssignmentId::new(),
            scope: Scope::resource_group(SUB.parse().unwrap(), "rg1"),
            role_definition: roles::READER,
            principal: outsider.object_id,
            principal_type: None,
            description: None,
        },
    )
    .await
    .unwrap();
    Builders {
        group,
        builder,
        outsider,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdks_drive_arm() {
    let python = required_tool("TENANTRY_TEST_PYTHON");
    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    make_ci_owner(&srv.svc).await;
    let erin = object_of(
        &srv.svc,
        "erin@alicedefault.onmicrosoft.com",
        "alicedefault",
    );
    let Builders {
        group,
        builder,
        outsider,
    } = builders(&srv.svc, erin).await;
    let script = repo_root().join("crates/tenantry/tests/py/arm_sdk.py");
    let (erin, group, member) = (
        erin.to_string(),
        group.to_string(),
        builder.object_id.to_string(),
    );
    let (builder_id, outsider_id) = (
        builder.client_id.to_string(),
        outsider.client_id.to_string(),
    );
    let srv_ref = &srv;
    tokio::task::block_in_place(|| {
        run_client(
            &python,
            &[script.to_str().unwrap()],
            srv_ref,
            &[
                ("TENANTRY_ERIN_OID", &erin),
                ("TENANTRY_GROUP_OID", &group),
                ("TENANTRY_MEMBER_OID", &member),
                ("TENANTRY_MEMBER_CLIENT_ID", &builder_id),
                ("TENANTRY_MEMBER_SECRET", &builder.client_secret),
                ("TENANTRY_OUTSIDER_CLIENT_ID", &outsider_id),
                ("TENANTRY_OUTSIDER_SECRET", &outsider.client_secret),
            ],
        )
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_cli_drives_arm() {
    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    make_ci_owner(&srv.svc).await;
    let svc = &srv.svc;
    let erin = object_of(svc, "erin@alicedefault.onmicrosoft.com", "alicedefault");
    let Builders {
        group,
        builder,
        outsider,
    } = builders(svc, erin).await;
    let (erin, group) = (erin.to_string(), group.to_string());
    let (builder_id, outsider_id) = (
        builder.client_id.to_string(),
        outsider.client_id.to_string(),
    );
    run_az_script(
        &srv,
        "arm_cli.py",
        &[
            ("TENANTRY_ERIN_OID", &erin),
            ("TENANTRY_GROUP_OID", &group),
            ("TENANTRY_MEMBER_CLIENT_ID", &builder_id),
            ("TENANTRY_MEMBER_SECRET", &builder.client_secret),
            ("TENANTRY_OUTSIDER_CLIENT_ID", &outsider_id),
            ("TENANTRY_OUTSIDER_SECRET", &outsider.client_secret),
        ],
    );
}
