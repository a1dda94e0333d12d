//! Federated identity credentials over Microsoft Graph, on SQLite and PostgreSQL, with real tokens:
//! `/applications/{id}/federatedIdentityCredentials` (create with Entra's defaults, list with `$filter`,
//! get by id or name, `PATCH`, `DELETE`), Entra's limits and refusals in Graph's shape, who may (Global
//! Administrators; members read), other tenants who see nothing; and the Azure CLI's
//! `ad app federated-credential` commands.

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const GITHUB: &str = "https://token.actions.githubusercontent.com";

fn credentials(app: &str) -> String {
    format!("/v1.0/applications/{app}/federatedIdentityCredentials")
}

fn body(name: &str, subject: &str) -> Value {
    json!({"name": name, "issuer": GITHUB, "subject": subject})
}

/// The refusal's status, code and message.
fn refusal(answer: &(StatusCode, Value)) -> (StatusCode, String, String) {
    let e = &answer.1["error"];
    (
        answer.0,
        e["code"].as_str().unwrap_or_default().to_string(),
        e["message"].as_str().unwrap_or_default().to_string(),
    )
}

#[tokio::test]
async fn graph_federated_identity_credentials_of_an_application() {
    for store in both().await {
        let srv = TestServer::demo(&store).await;
        let admin = contoso(&srv, "admin", "Contoso-Admin-1!").await;
        let megan = contoso(&srv, "megan", "Megan-Contoso-1!").await;
        let (s, app) = call(
            &srv,
            Method::POST,
            "/v1.0/applications",
            Some(&admin),
            Some(json!({"displayName": "pipeline"})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{app}");
        let app = app["id"].as_str().unwrap().to_string();
        let path = credentials(&app);

        // Created as az sends it: the default audience, Graph's shape and context.
        let (s, main) = call(
            &srv,
            Method::POST,
            &path,
            Some(&admin),
            Some(json!({
                "name": "main-branch", "issuer": GITHUB,
                "subject": "repo:contoso/app:ref:refs/heads/main", "description": "deploys main",
            })),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{main}");
        assert_eq!(main["audiences"], json!(["api://AzureADTokenExchange"]));
        assert_eq!(main["issuer"], GITHUB);
        assert_eq!(main["description"], "deploys main");
        assert!(
            main["@odata.context"].as_str().unwrap().ends_with(&format!(
                "/v1.0/$metadata#applications('{app}')/federatedIdentityCredentials/$entity"
            )),
            "{main}"
        );
        let id = main["id"].as_str().unwrap().to_string();

        // A member reads them; only Global Administrators write.
        let (s, list) = get(&srv, &path, &megan).await;
        assert_eq!(s, StatusCode::OK, "{list}");
        assert_eq!(list["value"].as_array().unwrap().len(), 1);
        assert!(
            list["@odata.context"].as_str().unwrap().ends_with(&format!(
                "#applications('{app}')/federatedIdentityCredentials"
            )),
            "{list}"
        );
        let denied = call(
            &srv,
            Method::POST,
            &path,
            Some(&megan),
            Some(body("megans", "s")),
        )
        .await;
        assert_eq!(
            (denied.0, refusal(&denied).1.as_str()),
            (StatusCode::FORBIDDEN, "Authorization_RequestDenied")
        );

        // Entra's refusals, in Graph's shape.
        let dup = call(
            &srv,
            Method::POST,
            &path,
            Some(&admin),
            Some(body("again", "repo:contoso/app:ref:refs/heads/main")),
        )
        .await;
        let (s, code, message) = refusal(&dup);
        assert_eq!(
            (s, code.as_str()),
            (StatusCode::BAD_REQUEST, "Request_BadRequest")
        );
        assert!(
            message.starts_with(
                "The combination of issuer and subject must be unique for the application."
            ),
            "{message}"
        );
        for (bad, says) in [
            (
                body("x", "s"),
                "Federated Identity Credential name 'x' is invalid.",
            ),
            (
                json!({"name": "insecure", "issuer": "http://ci.example", "subject": "s"}),
                "is not an https URL",
            ),
            (
                json!({"name": "two-audiences", "issuer": GITHUB, "subject": "s", "audiences": ["a", "b"]}),
                "Federated identity credentials must have exactly one audience.",
            ),
        ] {
            let r = call(&srv, Method::POST, &path, Some(&admin), Some(bad)).await;
            let (s, code, message) = refusal(&r);
            assert_eq!(
                (s, code.as_str()),
                (StatusCode::BAD_REQUEST, "Request_BadRequest")
            );
            assert!(message.contains(says), "{message}");
        }
        for n in 1..20 {
            let (s, e) = call(
                &srv,
                Method::POST,
                &path,
                Some(&admin),
                Some(body(&format!("env-{n}"), &format!("env:{n}"))),
            )
            .await;
            assert_eq!(s, StatusCode::CREATED, "{e}");
        }
        let full = call(
            &srv,
            Method::POST,
            &path,
            Some(&admin),
            Some(body("env-20", "env:20")),
        )
        .await;
        let (s, _, message) = refusal(&full);
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(
            message.contains("20 federated identity credentials"),
            "{message}"
        );

        // $filter as az and scripts send it; by id or by name.
        let (_, found) = get(&srv, &format!("{path}?$filter=name eq 'env-7'"), &admin).await;
        assert_eq!(found["value"][0]["subject"], "env:7", "{found}");
        let (_, found) = get(
            &srv,
            &format!("{path}?$filter=subject eq 'repo:contoso/app:ref:refs/heads/main'"),
            &admin,
        )
        .await;
        assert_eq!(found["value"][0]["id"], id.as_str(), "{found}");
        for key in [id.as_str(), "main-branch", "MAIN-BRANCH"] {
            let (s, one) = get(&srv, &format!("{path}/{key}"), &megan).await;
            assert_eq!(s, StatusCode::OK, "{one}");
            assert_eq!(one["id"], id.as_str());
        }

        // PATCH: 204, the name stays; null clears the description.
        let (s, e) = call(
            &srv,
            Method::PATCH,
            &format!("{path}/main-branch"),
            Some(&admin),
            Some(json!({"subject": "repo:contoso/app:environment:prod", "description": null})),
        )
        .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
        let (_, one) = get(&srv, &format!("{path}/{id}"), &admin).await;
        assert_eq!(one["subject"], "repo:contoso/app:environment:prod");
        assert_eq!(one["description"], Value::Null);
        assert_eq!(one["name"], "main-branch");
        let renamed = call(
            &srv,
            Method::PATCH,
            &format!("{path}/{id}"),
            Some(&admin),
            Some(json!({"name": "other-name"})),
        )
        .await;
        assert_eq!(refusal(&renamed).0, StatusCode::BAD_REQUEST);

        // DELETE, then it is gone.
        let (s, _) = call(
            &srv,
            Method::DELETE,
            &format!("{path}/{id}"),
            Some(&admin),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        for method in [Method::GET, Method::DELETE] {
            let gone = call(&srv, method, &format!("{path}/{id}"), Some(&admin), None).await;
            assert_eq!(
                (gone.0, refusal(&gone).1.as_str()),
                (StatusCode::NOT_FOUND, "Request_ResourceNotFound")
            );
        }
        let (_, list) = get(&srv, &path, &admin).await;
        assert_eq!(list["value"].as_array().unwrap().len(), 19);

        // Another directory's application is not there for contoso, nor is a missing one.
        let erin = user_token(
            &srv,
            ALICEDEFAULT,
            "erin@alicedefault.onmicrosoft.com",
            "Erin-Default-1!",
            GRAPH,
        )
        .await;
        let nothing = "0b5e0002-0000-4000-8000-00000000dead";
        for app in [app.as_str(), nothing] {
            let r = get(&srv, &credentials(app), &erin).await;
            assert_eq!(
                (r.0, refusal(&r).1.as_str()),
                (StatusCode::NOT_FOUND, "Request_ResourceNotFound"),
                "{app}"
            );
        }
    }
}

/// `az ad app federated-credential create/list/show/update/delete` as the demo's "ci" application,
/// made a Global Administrator of alicedefault.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_cli_federated_credential_commands() {
    let (_store, srv) =
        demo_with_ci(&[tenantry_service::domain::DirectoryRole::GlobalAdministrator]).await;
    let alicedefault = tenant_id(&srv.svc, "alicedefault");
    run_az_script(&srv, "federated_cli.py", &[]);
    let kept = srv.svc.read(|w| {
        let t = w.tenant(alicedefault).unwrap();
        let app = t
            .applications
            .values()
            .find(|a| a.display_name == "pipeline")
            .expect("az made pipeline");
        app.federated_credentials
            .iter()
            .map(|c| (c.name.clone(), c.subject.clone()))
            .collect::<Vec<_>>()
    });
    assert_eq!(
        kept,
        vec![(
            "pull-requests".to_string(),
            "repo:contoso/app:pull_request".to_string()
        )]
    );
}

/// The keys of an external issuer, here a tenantry tenant (tenantry is itself an OpenID issuer, served
/// over HTTPS with a certificate of its own CA): discovered and cached, a token verified by signature,
/// issuer and lifetime, and an unknown `kid` refreshing the keys once however many requests carry it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_external_issuers_keys_verify_its_tokens_and_refresh_once_per_minute() {
    use tenantry_service::crypto::{SigningKey, TokenSigner};
    use tenantry_service::federation::{FederationError, IssuerKeys};

    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    let (_, discovery) = call(
        &srv,
        Method::GET,
        &format!("/{CONTOSO}/v2.0/.well-known/openid-configuration"),
        None,
        None,
    )
    .await;
    let issuer = discovery["issuer"].as_str().unwrap().to_string();
    let ca = std::fs::read(&srv.ca_path).unwrap();
    let now = srv.svc.now();
    let claims = |sub: &str, exp: i64| {
        json!({
            "iss": issuer, "sub": sub, "aud": "api://AzureADTokenExchange",
            "exp": exp, "nbf": now - 10, "iat": now - 10,
        })
    };
    let token = srv
        .signin
        .sign(&claims("system:serviceaccount:default:deployer", now + 600))
        .await
        .unwrap();

    // Without the issuer's CA, the issuer cannot be reached: nothing is trusted by accident.
    let untrusting = IssuerKeys::new();
    let e = untrusting.verify(&token, &issuer, now).await.unwrap_err();
    assert!(
        matches!(e, FederationError::IssuerUnavailable { .. }),
        "{e}"
    );

    let keys = IssuerKeys::new();
    keys.trust_ca_pem(&ca).unwrap();
    let ok = keys.verify(&token, &issuer, now).await.unwrap();
    assert_eq!(ok.sub, "system:serviceaccount:default:deployer");
    assert_eq!(ok.aud, vec!["api://AzureADTokenExchange"]);
    assert_eq!(keys.fetches(&issuer), 1);
    // Cached: verified again without a fetch.
    keys.verify(&token, &issuer, now + 1).await.unwrap();
    assert_eq!(keys.fetches(&issuer), 1);

    // Signed by another key under the same kid.
    let kid = srv.signin.ensure_signing_key().await.unwrap();
    let mut other = SigningKey::generate(now).unwrap();
    other.kid = kid;
    let forged = TokenSigner::new(&other)
        .unwrap()
        .sign(&claims("system:serviceaccount:default:deployer", now + 600))
        .unwrap();
    assert_eq!(
        keys.verify(&forged, &issuer, now).await.unwrap_err(),
        FederationError::BadSignature
    );
    // Expired (beyond the allowed skew), not yet valid, or of another issuer.
    let expired = srv.signin.sign(&claims("s", now - 120)).await.unwrap();
    assert_eq!(
        keys.verify(&expired, &issuer, now).await.unwrap_err(),
        FederationError::Expired(now - 120)
    );
    let skewed = srv.signin.sign(&claims("s", now - 30)).await.unwrap();
    assert!(
        keys.verify(&skewed, &issuer, now).await.is_ok(),
        "within the skew"
    );
    let early = srv
        .signin
        .sign(&json!({"iss": issuer, "sub": "s", "exp": now + 7200, "nbf": now + 3600}))
        .await
        .unwrap();
    assert_eq!(
        keys.verify(&early, &issuer, now).await.unwrap_err(),
        FederationError::NotYetValid(now + 3600)
    );
    let foreign = srv
        .signin
        .sign(&json!({"iss": "https://elsewhere.example", "sub": "s", "exp": now + 600}))
        .await
        .unwrap();
    assert!(matches!(
        keys.verify(&foreign, &issuer, now).await.unwrap_err(),
        FederationError::WrongIssuer { .. }
    ));
    assert_eq!(keys.fetches(&issuer), 1, "none of these fetched again");

    // The issuer rotates its key: 100 requests at once with the new kid cause one fetch, and all verify.
    srv.signin.rotate_keys().await.unwrap();
    let rotated = srv
        .signin
        .sign(&claims("after-rotation", now + 600))
        .await
        .unwrap();
    let keys = std::sync::Arc::new(keys);
    let later = now + 61;
    let all: Vec<_> = (0..100)
        .map(|_| {
            let (keys, rotated, issuer) = (keys.clone(), rotated.clone(), issuer.clone());
            tokio::spawn(async move { keys.verify(&rotated, &issuer, later).await })
        })
        .collect();
    for task in all {
        assert_eq!(task.await.unwrap().unwrap().sub, "after-rotation");
    }
    assert_eq!(keys.fetches(&issuer), 2);

    // A kid the issuer does not publish: one fetch per minute at most, however often it comes.
    use base64::Engine as _;
    let b64 = |v: Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string().as_bytes())
    };
    let unknown = format!(
        "{}.{}.c2lnbmF0dXJl",
        b64(json!({"alg": "RS256", "kid": "not-published"})),
        b64(claims("s", now + 600))
    );
    for at in [later + 1, later + 30, later + 59] {
        assert!(matches!(
            keys.verify(&unknown, &issuer, at).await.unwrap_err(),
            FederationError::UnknownKey { .. }
        ));
    }
    assert_eq!(
        keys.fetches(&issuer),
        2,
        "within the minute of the last fetch"
    );
    let _ = keys.verify(&unknown, &issuer, later + 61).await;
    assert_eq!(keys.fetches(&issuer), 3, "a minute later, one more");
    // An unsupported algorithm is refused before any fetch.
    let hs = format!(
        "{}.{}.c2ln",
        b64(json!({"alg": "HS256", "kid": "x"})),
        b64(claims("s", now + 600))
    );
    assert!(matches!(
        keys.verify(&hs, &issuer, later + 200).await.unwrap_err(),
        FederationError::UnsupportedAlgorithm(_)
    ));
    assert_eq!(keys.fetches(&issuer), 3);
}

/// What the token endpoint will call for a federated client assertion: only an issuer that a federated
/// credential of the client names is contacted, then the verified claims are matched, each refusal with
/// its AADSTS code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_federated_assertion_is_verified_then_matched_with_entras_refusals() {
    use tenantry_service::domain::rules::federated::NewFederatedCredential;
    use tenantry_service::domain::{Actor, TenantId};

    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    let srv = &srv;
    let svc = &srv.svc;
    svc.issuer_keys()
        .trust_ca_pem(&std::fs::read(&srv.ca_path).unwrap())
        .unwrap();
    let tenant: TenantId = CONTOSO.parse().unwrap();
    let issuer = format!("{}/{CONTOSO}/v2.0", srv.base_url);
    let (_, discovery) = call(
        srv,
        Method::GET,
        &format!("/{CONTOSO}/v2.0/.well-known/openid-configuration"),
        None,
        None,
    )
    .await;
    assert_eq!(discovery["issuer"], issuer.as_str());
    let app = move |name: &'static str| async move {
        srv.svc
            .register_application(&Actor::Operator, tenant, name)
            .await
            .unwrap()
    };
    let (pipeline, bare) = (app("pipeline").await, app("bare").await);
    let trusted = svc
        .add_federated_credential(
            &Actor::Operator,
            tenant,
            pipeline,
            NewFederatedCredential {
                name: "deployer".into(),
                issuer: issuer.clone(),
                subject: "system:serviceaccount:default:deployer".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let application = move |id| svc.read(|w| w.tenant(tenant).unwrap().applications[&id].clone());
    let now = svc.now();
    let assertion = move |iss: &str, sub: &str, aud: &str, exp: i64| {
        let claims = json!({"iss": iss, "sub": sub, "aud": aud, "exp": exp, "nbf": now - 5});
        async move { srv.signin.sign(&claims).await.unwrap() }
    };
    const EXCHANGE: &str = "api://AzureADTokenExchange";
    const DEPLOYER: &str = "system:serviceaccount:default:deployer";

    let ok = assertion(&issuer, DEPLOYER, EXCHANGE, now + 600).await;
    let matched = svc
        .verify_federated_assertion(&application(pipeline), &ok)
        .await
        .unwrap();
    assert_eq!(matched.id, trusted.id);

    let refused = move |app_id, token: String| async move {
        let e = svc
            .verify_federated_assertion(&application(app_id), &token)
            .await
            .unwrap_err();
        (e.code.number(), e.error_description())
    };
    let (n, text) = refused(bare, ok.clone()).await;
    assert_eq!(n, 70021, "{text}");
    assert!(
        text.contains(&format!("Assertion Issuer: '{issuer}'")),
        "{text}"
    );
    let elsewhere = assertion("https://elsewhere.example", DEPLOYER, EXCHANGE, now + 600).await;
    assert_eq!(refused(pipeline, elsewhere).await.0, 700211);
    assert_eq!(
        svc.issuer_keys().fetches("https://elsewhere.example"),
        0,
        "an issuer no credential names is never contacted"
    );
    let (n, text) = refused(
        pipeline,
        assertion(&issuer, "someone-else", EXCHANGE, now + 600).await,
    )
    .await;
    assert_eq!(n, 700213, "{text}");
    assert!(text.contains("'someone-else'"), "{text}");
    assert_eq!(
        refused(
            pipeline,
            assertion(&issuer, DEPLOYER, "api://other", now + 600).await
        )
        .await
        .0,
        700212
    );
    assert_eq!(
        refused(
            pipeline,
            assertion(&issuer, DEPLOYER, EXCHANGE, now - 600).await
        )
        .await
        .0,
        700024
    );
    assert_eq!(refused(pipeline, "not-a-jwt".to_string()).await.0, 50027);
    assert_eq!(svc.issuer_keys().fetches(&issuer), 1);
}

/// A pipeline signs in without a secret, with the real clients: azure-identity's
/// `WorkloadIdentityCredential` (a token file, as on Kubernetes and in CI) and `ClientAssertionCredential`,
/// and `az login --federated-token`. The external issuer is a tenantry tenant (Contoso), whose tokens the
/// application "pipeline" of Alice's directory trusts for one subject; the application reads the
/// subscription. A token for another subject is refused with AADSTS700213.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_clients_sign_in_with_a_federated_token() {
    use tenantry_service::domain::rules::access::RoleAssignmentWrite;
    use tenantry_service::domain::rules::federated::NewFederatedCredential;
    use tenantry_service::domain::{
        Actor, RoleAssignmentId, Scope, SubscriptionId, TenantId, roles,
    };

    let python = required_tool("TENANTRY_TEST_PYTHON");
    let store = tenantry_store::testing::sqlite().await;
    let srv = TestServer::demo(&store).await;
    let svc = &srv.svc;
    svc.issuer_keys()
        .trust_ca_pem(&std::fs::read(&srv.ca_path).unwrap())
        .unwrap();
    let tenant: TenantId = ALICEDEFAULT.parse().unwrap();
    let issuer = format!("{}/{CONTOSO}/v2.0", srv.base_url);
    const SUBJECT: &str = "repo:contoso/app:ref:refs/heads/main";
    let pipeline = svc
        .register_application(&Actor::Operator, tenant, "pipeline")
        .await
        .unwrap();
    svc.add_federated_credential(
        &Actor::Operator,
        tenant,
        pipeline,
        NewFederatedCredential {
            name: "main-branch".into(),
            issuer: issuer.clone(),
            subject: SUBJECT.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let sub: SubscriptionId = PAYG.parse().unwrap();
    svc.create_role_assignment(
        &Actor::Operator,
        RoleAssignmentWrite {
            id: RoleAssignmentId::new(),
            scope: Scope::subscription(sub),
            role_definition: roles::READER,
            principal: pipeline,
            principal_type: None,
            description: None,
        },
    )
    .await
    .unwrap();
    let client_id = svc
        .read(|w| w.tenant(tenant).unwrap().applications[&pipeline].client_id)
        .to_string();
    // What the CI's issuer would hand the job: a token about the job's subject, for Entra's exchange.
    let now = svc.now();
    let token = |subject: &str| {
        let claims = json!({
            "iss": issuer, "sub": subject, "aud": "api://AzureADTokenExchange",
            "iat": now, "nbf": now - 5, "exp": now + 3600,
        });
        let signin = &srv.signin;
        async move { signin.sign(&claims).await.unwrap() }
    };
    let (good, other) = (
        token(SUBJECT).await,
        token("repo:contoso/app:pull_request").await,
    );
    let dir = tenantry_store::testing::TempDir::new("tenantry-federated").unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, &good).unwrap();
    let script = repo_root().join("crates/tenantry/tests/py/federated_sign_in.py");
    let file = file.to_str().unwrap().to_string();
    let env = [
        ("TENANTRY_PIPELINE_CLIENT_ID", client_id.as_str()),
        ("AZURE_FEDERATED_TOKEN_FILE", file.as_str()),
        ("TENANTRY_FEDERATED_TOKEN", good.as_str()),
        ("TENANTRY_OTHER_SUBJECT_TOKEN", other.as_str()),
    ];
    let srv = &srv;
    tokio::task::block_in_place(|| {
        run_client(&python, &[script.to_str().unwrap()], srv, &env);
        run_az_script(srv, "federated_login.py", &env);
    });
    // The issuer's keys were fetched once for all of it.
    assert_eq!(srv.svc.issuer_keys().fetches(&issuer), 1);
}
