//! The `groups` and `wids` claims, decoded from the tokens of every grant that issues them: an id token
//! names the groups its client asks for (`groupMembershipClaims`), an access token those the
//! application it is for asks for (none for Microsoft's resources), nested groups included; `wids` names
//! the directory roles held through a role-assignable group; above 200 groups the tokens point to Graph's
//! `getMemberObjects` instead (Entra's overage). Claims follow the world at issue: a refresh after a
//! membership change says so. And msal receives them.

use super::*;

/// "pipeline": a confidential application that asks for security groups; "desk": a public one that asks
/// for all groups.
const PIPELINE: &str = "c4000000-0000-4000-8000-000000000004";
const PIPELINE_SECRET: &str = "pipeline-secret-1";
const PIPELINE_REDIRECT: &str = "https://pipeline.example/callback";
const DESK: &str = "c5000000-0000-4000-8000-000000000005";
/// Platform (erin, pipeline) in Engineering; Helpdesk, role-assignable, holds User Administrator (erin);
/// Newsletter is no security group (erin).
const PLATFORM: &str = "9a000000-0000-4000-8000-000000000001";
const ENGINEERING: &str = "9a000000-0000-4000-8000-000000000002";
const HELPDESK: &str = "9a000000-0000-4000-8000-000000000003";
const NEWSLETTER: &str = "9a000000-0000-4000-8000-000000000004";
const USER_ADMINISTRATOR: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";

fn groups_world() -> String {
    format!(
        r#"
[[tenants]]
name = "alicedefault"

  [[tenants.applications]]
  display_name = "pipeline"
  client_id = "{PIPELINE}"
  client_secret = "{PIPELINE_SECRET}"
  redirect_uris = ["{PIPELINE_REDIRECT}"]
  group_membership_claims = "SecurityGroup"

  [[tenants.applications]]
  display_name = "desk"
  client_id = "{DESK}"
  group_membership_claims = "All"

  [[tenants.groups]]
  display_name = "Platform"
  id = "{PLATFORM}"
  members = ["erin@alicedefault.onmicrosoft.com", "{PIPELINE}"]

  [[tenants.groups]]
  display_name = "Engineering"
  id = "{ENGINEERING}"
  members = ["group:Platform"]

  [[tenants.groups]]
  display_name = "Helpdesk"
  id = "{HELPDESK}"
  role_assignable = true
  members = ["erin@alicedefault.onmicrosoft.com"]
  directory_roles = ["User Administrator"]

  [[tenants.groups]]
  display_name = "Newsletter"
  id = "{NEWSLETTER}"
  security_enabled = false
  members = ["erin@alicedefault.onmicrosoft.com"]
"#
    )
}

async fn groups_server(store: &TestStore) -> TestServer {
    let svc = service(store).await;
    svc.apply_world(&groups_world(), &mut |_, _| {})
        .await
        .expect("apply the groups");
    TestServer::start_on(svc, 0).await
}

fn pipeline_scope() -> String {
    format!("{PIPELINE}/.default openid offline_access profile")
}

/// The security groups of erin, and all of them.
fn security() -> Value {
    json_ids(&[PLATFORM, ENGINEERING, HELPDESK])
}
fn all_groups() -> Value {
    json_ids(&[PLATFORM, ENGINEERING, HELPDESK, NEWSLETTER])
}
fn json_ids(ids: &[&str]) -> Value {
    let mut v: Vec<&str> = ids.to_vec();
    v.sort();
    serde_json::json!(v)
}

/// A token request of erin's with a client and its secret (when it has one).
async fn grant(srv: &TestServer, form: &[(&str, &str)]) -> Resp {
    let r = token(srv, ALICEDEFAULT, form).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r
}

async fn pipeline_password(srv: &TestServer, scope: &str) -> Resp {
    grant(
        srv,
        &[
            ("grant_type", "password"),
            ("client_id", PIPELINE),
            ("client_secret", PIPELINE_SECRET),
            ("username", ERIN.0),
            ("password", ERIN.1),
            ("scope", scope),
        ],
    )
    .await
}

async fn pipeline_refresh(srv: &TestServer, refresh: &str) -> Resp {
    grant(
        srv,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", PIPELINE),
            ("client_secret", PIPELINE_SECRET),
            ("refresh_token", refresh),
            ("scope", &pipeline_scope()),
        ],
    )
    .await
}

/// The access and id tokens of a response, signatures checked.
fn decoded(keys: &Value, r: &Resp, aud: &str, client: &str) -> (Value, Value) {
    (
        verify(keys, r.str("access_token"), Some(aud)),
        verify(keys, r.str("id_token"), Some(client)),
    )
}

#[tokio::test]
async fn every_user_grant_carries_the_groups_the_application_asks_for() {
    for store in both().await {
        let srv = groups_server(&store).await;
        let keys = jwks(&srv, ALICEDEFAULT).await;
        let wids = serde_json::json!([USER_ADMINISTRATOR]);

        // Password, for the pipeline's own API: both tokens name erin's security groups, nested ones
        // included, and the role she holds through Helpdesk.
        let r = pipeline_password(&srv, &pipeline_scope()).await;
        let (access, id) = decoded(&keys, &r, PIPELINE, PIPELINE);
        assert_eq!(access["groups"], security(), "{access}");
        assert_eq!(access["wids"], wids);
        assert_eq!(id["groups"], security(), "{id}");
        assert_eq!(id["wids"], wids);
        for t in [&access, &id] {
            assert!(t.get("_claim_names").is_none() && t.get("hasgroups").is_none());
        }
        let refresh = r.str("refresh_token").to_string();

        // For ARM, which asks for no groups, the access token names none (its `wids` stay, as
        // Entra's do); the pipeline's id token still does.
        let r = pipeline_password(&srv, &format!("{ARM_DEFAULT} openid")).await;
        let (access, id) = decoded(&keys, &r, "https://management.azure.com", PIPELINE);
        assert!(access.get("groups").is_none(), "{access}");
        assert_eq!(access["wids"], wids);
        assert_eq!(id["groups"], security());

        // The Azure CLI asks for none in its id token; the desk's API asks for all in its access token.
        let r = password_grant(
            &srv,
            ALICEDEFAULT,
            ERIN.0,
            ERIN.1,
            &format!("{DESK}/.default openid profile"),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let (access, id) = decoded(&keys, &r, DESK, AZ);
        assert_eq!(access["groups"], all_groups(), "{access}");
        assert!(
            id.get("groups").is_none() && id.get("wids").is_none(),
            "{id}"
        );

        // Authorization code, redeemed by the confidential pipeline.
        let path = super::code::authorize_path_for(
            ALICEDEFAULT,
            PIPELINE,
            PIPELINE_REDIRECT,
            &pipeline_scope(),
            None,
            "",
        );
        let mut b = Browser::new(&srv);
        let location = super::code::sign_in_on_page(&mut b, &path, ERIN).await;
        let code = query_of(&location)["code"].clone();
        let r = grant(
            &srv,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", PIPELINE),
                ("client_secret", PIPELINE_SECRET),
                ("code", &code),
                ("redirect_uri", PIPELINE_REDIRECT),
                ("scope", &pipeline_scope()),
            ],
        )
        .await;
        let (access, id) = decoded(&keys, &r, PIPELINE, PIPELINE);
        assert_eq!(
            (&access["groups"], &id["groups"]),
            (&security(), &security())
        );

        // Device code, with the public desk, which asks for all groups.
        let desk_scope = format!("{DESK}/.default openid offline_access profile");
        let (device_code, user_code) =
            super::device::start_device_flow_for(&srv, "organizations", DESK, &desk_scope).await;
        let mut b = Browser::new(&srv);
        b.sign_in_to_portal(ERIN.0, ERIN.1).await;
        let done = super::device::verify_device(&mut b, &user_code, true).await;
        assert!(done.contains("You have signed in to desk"), "{done}");
        let r = token(
            &srv,
            "organizations",
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", DESK),
                ("device_code", &device_code),
            ],
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let (access, id) = decoded(&keys, &r, DESK, DESK);
        assert_eq!(
            (&access["groups"], &id["groups"]),
            (&all_groups(), &all_groups())
        );
        assert_eq!(id["wids"], wids);

        // Refresh: the claims are those of the world at the refresh. Out of Platform, erin is in
        // neither it nor Engineering (reached through it).
        let r = pipeline_refresh(&srv, &refresh).await;
        let (access, _) = decoded(&keys, &r, PIPELINE, PIPELINE);
        assert_eq!(access["groups"], security());
        let refresh = r.str("refresh_token").to_string();
        let svc = &srv.svc;
        let t = tenant_id(svc, "alicedefault");
        let erin = object_of(svc, ERIN.0, "alicedefault");
        svc.remove_group_member(&Actor::Operator, t, PLATFORM.parse().unwrap(), erin)
            .await
            .unwrap();
        let r = pipeline_refresh(&srv, &refresh).await;
        let (access, id) = decoded(&keys, &r, PIPELINE, PIPELINE);
        assert_eq!(access["groups"], json_ids(&[HELPDESK]));
        assert_eq!(id["groups"], json_ids(&[HELPDESK]));
    }
}

#[tokio::test]
async fn client_credentials_carry_the_applications_own_groups_and_roles() {
    for store in both().await {
        let srv = groups_server(&store).await;
        let keys = jwks(&srv, ALICEDEFAULT).await;
        // For its own API, which asks for security groups: Platform and Engineering above it.
        let r = client_credentials_grant(
            &srv,
            ALICEDEFAULT,
            PIPELINE,
            PIPELINE_SECRET,
            &format!("api://{PIPELINE}/.default"),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let c = verify(
            &keys,
            r.str("access_token"),
            Some(&format!("api://{PIPELINE}")),
        );
        assert_eq!(c["idtyp"], "app");
        assert_eq!(c["groups"], json_ids(&[PLATFORM, ENGINEERING]), "{c}");
        assert!(c.get("wids").is_none());
        // For ARM, none.
        let r =
            client_credentials_grant(&srv, ALICEDEFAULT, PIPELINE, PIPELINE_SECRET, ARM_DEFAULT)
                .await;
        let c = verify(
            &keys,
            r.str("access_token"),
            Some("https://management.azure.com"),
        );
        assert!(c.get("groups").is_none(), "{c}");

        // A directory role held through a role-assignable group is in the application's `wids` and
        // `roles`, as one held itself.
        let svc = &srv.svc;
        let t = tenant_id(svc, "alicedefault");
        let pipeline = object_of(svc, PIPELINE, "alicedefault");
        svc.add_group_member(&Actor::Operator, t, HELPDESK.parse().unwrap(), pipeline)
            .await
            .unwrap();
        let r =
            client_credentials_grant(&srv, ALICEDEFAULT, PIPELINE, PIPELINE_SECRET, ARM_DEFAULT)
                .await;
        let c = verify(
            &keys,
            r.str("access_token"),
            Some("https://management.azure.com"),
        );
        assert_eq!(c["wids"], serde_json::json!([USER_ADMINISTRATOR]));
        assert_eq!(c["roles"], serde_json::json!(["User Administrator"]));
    }
}

#[tokio::test]
async fn above_200_groups_the_tokens_point_to_graph_instead() {
    for store in both().await {
        let srv = groups_server(&store).await;
        let keys = jwks(&srv, ALICEDEFAULT).await;
        // 198 more security groups of erin and the pipeline: erin is in 201 (Platform, Engineering and
        // Helpdesk among them), the pipeline in 200.
        let mut more = String::from("[[tenants]]\nname = \"alicedefault\"\n");
        for i in 0..198 {
            more.push_str(&format!(
                "\n  [[tenants.groups]]\n  display_name = \"team-{i:03}\"\n  members = [\"{}\", \"{PIPELINE}\"]\n",
                ERIN.0
            ));
        }
        srv.svc
            .apply_world(&more, &mut |_, _| {})
            .await
            .expect("apply the teams");
        let erin = object_of(&srv.svc, ERIN.0, "alicedefault");
        let pipeline = object_of(&srv.svc, PIPELINE, "alicedefault");

        let r = pipeline_password(&srv, &pipeline_scope()).await;
        let (access, id) = decoded(&keys, &r, PIPELINE, PIPELINE);
        let endpoint = format!("{}/v1.0/users/{erin}/getMemberObjects", srv.base_url);
        for t in [&access, &id] {
            assert!(t.get("groups").is_none(), "{t}");
            assert_eq!(t["_claim_names"], serde_json::json!({"groups": "src1"}));
            assert_eq!(
                t["_claim_sources"],
                serde_json::json!({"src1": {"endpoint": endpoint}})
            );
        }

        // The pipeline is in exactly 200: named; one more and it points to Graph too.
        let app_token = || async {
            let r = client_credentials_grant(
                &srv,
                ALICEDEFAULT,
                PIPELINE,
                PIPELINE_SECRET,
                &format!("{PIPELINE}/.default"),
            )
            .await;
            verify(&keys, r.str("access_token"), Some(PIPELINE))
        };
        let c = app_token().await;
        assert_eq!(c["groups"].as_array().map(Vec::len), Some(200), "{c}");
        let t = tenant_id(&srv.svc, "alicedefault");
        srv.svc
            .add_group_member(&Actor::Operator, t, HELPDESK.parse().unwrap(), pipeline)
            .await
            .unwrap();
        let c = app_token().await;
        assert!(c.get("groups").is_none(), "{c}");
        assert_eq!(
            c["_claim_sources"]["src1"]["endpoint"],
            format!(
                "{}/v1.0/servicePrincipals/{pipeline}/getMemberObjects",
                srv.base_url
            )
        );
    }
}

/// msal's own device flow with the desk: the groups arrive in the id token msal decodes, and in the
/// access token for the desk's API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn msal_receives_the_groups_claim() {
    let store = sqlite_store().await;
    let srv = groups_server(&store).await;
    let mut msal = std::process::Command::new(required_tool("TENANTRY_TEST_PYTHON"));
    msal.arg(repo_root().join("crates/tenantry/tests/py/device_flow.py"))
        .env("REQUESTS_CA_BUNDLE", &srv.ca_path)
        .env("TENANTRY_AUTHORITY", &srv.base_url)
        .env("TENANTRY_CLIENT_ID", DESK)
        .env("TENANTRY_SCOPES", format!("{DESK}/.default"));
    let result = super::device::approve_while_app_polls(&srv, msal, "desk").await;
    assert_eq!(
        result["id_token_claims"]["groups"],
        all_groups(),
        "{result}"
    );
    assert_eq!(
        result["id_token_claims"]["wids"],
        serde_json::json!([USER_ADMINISTRATOR])
    );
    let keys = jwks(&srv, "common").await;
    let access = verify(&keys, result["access_token"].as_str().unwrap(), Some(DESK));
    assert_eq!(access["groups"], all_groups());
}
