//! Federated identity credentials: who may add, change and remove them, Entra's limits and uniqueness
//! rules, their audit events, and which credential an external token matches.

use crate::fixtures::*;
use tenantry_domain::rules::directory;
use tenantry_domain::rules::federated::{self, FederatedCredentialPatch, NewFederatedCredential};
use tenantry_domain::signin::EntraCode;
use tenantry_domain::*;

const GITHUB: &str = "https://token.actions.githubusercontent.com";

fn app_of(fx: &mut Fx, admin: &Actor) -> ObjectId {
    let t = fx.contoso;
    fx.ok_with(|fx| {
        directory::create_application(
            &fx.world,
            admin,
            t,
            directory::NewApplication {
                id: None,
                object_id: None,
                client_id: None,
                display_name: "pipeline".into(),
                secret_hashes: vec![],
                certificates: vec![],
                redirect_uris: vec![],
                group_membership_claims: Default::default(),
            },
            fx.now,
        )
    })
}

fn cred(name: &str, subject: &str) -> NewFederatedCredential {
    NewFederatedCredential {
        name: name.into(),
        issuer: GITHUB.into(),
        subject: subject.into(),
        ..Default::default()
    }
}

/// Adds a credential to an application of contoso, which must succeed.
fn added(
    fx: &mut Fx,
    who: &Actor,
    app: ObjectId,
    c: NewFederatedCredential,
) -> FederatedCredential {
    let t = fx.contoso;
    fx.ok_with(|fx| federated::add_federated_credential(&fx.world, who, t, app, c, fx.now))
}

fn creds(fx: &Fx, app: ObjectId) -> Vec<FederatedCredential> {
    fx.world.tenant(fx.contoso).unwrap().applications[&app]
        .federated_credentials
        .clone()
}

#[test]
fn global_administrators_add_credentials_with_entras_defaults_up_to_twenty() {
    let mut fx = Fx::article();
    let admin = fx.member(fx.contoso_admin);
    let useradmin = fx.member(fx.contoso_useradmin);
    let carol = fx.member(fx.carol);
    let t = fx.contoso;
    let app = app_of(&mut fx, &admin);
    for who in [&useradmin, &carol] {
        assert_eq!(
            code(federated::add_federated_credential(
                &fx.world,
                who,
                t,
                app,
                cred("main", "repo:contoso/app:ref:refs/heads/main"),
                fx.now
            )),
            "Authorization_RequestDenied"
        );
    }
    let main = added(
        &mut fx,
        &admin,
        app,
        cred("main", "repo:contoso/app:ref:refs/heads/main"),
    );
    assert_eq!(main.audiences, vec!["api://AzureADTokenExchange"]);
    assert_eq!(creds(&fx, app), vec![main.clone()]);
    // The operator (a world file) may too.
    added(
        &mut fx,
        &Actor::Operator,
        app,
        cred("pull-requests", "repo:contoso/app:pull_request"),
    );
    for n in 2..federated::MAX_FEDERATED_CREDENTIALS {
        let c = cred(
            &format!("env-{n}"),
            &format!("repo:contoso/app:environment:{n}"),
        );
        added(&mut fx, &admin, app, c);
    }
    let e = refusal(federated::add_federated_credential(
        &fx.world,
        &admin,
        t,
        app,
        cred("one-more", "repo:contoso/app:environment:x"),
        fx.now,
    ));
    assert_eq!(e.code, "TooManyFederatedCredentials");
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert!(e.message.contains("20"), "{}", e.message);
    assert_eq!(
        code(federated::add_federated_credential(
            &fx.world,
            &admin,
            t,
            ObjectId::new(),
            cred("x-1", "s"),
            fx.now
        )),
        "ApplicationNotFound"
    );
}

#[test]
fn names_and_issuer_subject_pairs_are_unique_and_every_field_is_checked() {
    let mut fx = Fx::article();
    let admin = fx.member(fx.contoso_admin);
    let t = fx.contoso;
    let app = app_of(&mut fx, &admin);
    let add = |fx: &Fx, c: NewFederatedCredential| {
        federated::add_federated_credential(&fx.world, &admin, t, app, c, fx.now)
    };
    added(
        &mut fx,
        &admin,
        app,
        cred("main", "repo:contoso/app:ref:refs/heads/main"),
    );
    assert_eq!(
        code(add(&fx, cred("MAIN", "other"))),
        "FederatedCredentialNameExists"
    );
    let e = refusal(add(
        &fx,
        cred("again", "repo:contoso/app:ref:refs/heads/main"),
    ));
    assert_eq!(e.code, "FederatedCredentialExists");
    assert!(
        e.message.starts_with(
            "The combination of issuer and subject must be unique for the application."
        ),
        "{}",
        e.message
    );
    // The same subject of another issuer is another trust.
    let gitlab = NewFederatedCredential {
        issuer: "https://gitlab.example.com".into(),
        ..cred("gitlab", "repo:contoso/app:ref:refs/heads/main")
    };
    added(&mut fx, &admin, app, gitlab);
    let bad = [
        (cred("-x-", "s"), "InvalidFederatedCredentialName"),
        (cred("ok-name", ""), "Request_BadRequest"),
        (
            NewFederatedCredential {
                issuer: "http://insecure.example".into(),
                ..cred("insecure", "s")
            },
            "InvalidFederatedCredentialIssuer",
        ),
        (
            NewFederatedCredential {
                audiences: Some(vec![]),
                ..cred("no-aud", "s")
            },
            "Request_BadRequest",
        ),
        (
            NewFederatedCredential {
                audiences: Some(vec!["a".into(), "b".into()]),
                ..cred("two-aud", "s")
            },
            "Request_BadRequest",
        ),
        (cred("ctl", "a\u{0}b"), "InvalidCharacter"),
        (cred("long", &"s".repeat(601)), "Request_BadRequest"),
    ];
    for (c, expected) in bad {
        assert_eq!(code(add(&fx, c.clone())), expected, "{c:?}");
    }
    assert_eq!(creds(&fx, app).len(), 2, "nothing refused was kept");
}

#[test]
fn updates_keep_the_name_and_deletes_remove_with_audit_events() {
    let mut fx = Fx::article();
    let admin = fx.member(fx.contoso_admin);
    let useradmin = fx.member(fx.contoso_useradmin);
    let t = fx.contoso;
    let app = app_of(&mut fx, &admin);
    let main = added(
        &mut fx,
        &admin,
        app,
        cred("main", "repo:contoso/app:ref:refs/heads/main"),
    );
    added(
        &mut fx,
        &admin,
        app,
        cred("pull-requests", "repo:contoso/app:pull_request"),
    );
    let patch = |subject: &str| FederatedCredentialPatch {
        subject: Some(subject.into()),
        description: Some(Some("deploys main".into())),
        ..Default::default()
    };
    assert_eq!(
        code(federated::update_federated_credential(
            &fx.world,
            &useradmin,
            t,
            app,
            "main",
            patch("x"),
            fx.now
        )),
        "Authorization_RequestDenied"
    );
    assert_eq!(
        code(federated::update_federated_credential(
            &fx.world,
            &admin,
            t,
            app,
            "main",
            patch("repo:contoso/app:pull_request"),
            fx.now
        )),
        "FederatedCredentialExists",
        "an update cannot make a second trust of the same tokens"
    );
    assert_eq!(
        code(federated::update_federated_credential(
            &fx.world,
            &admin,
            t,
            app,
            "main",
            FederatedCredentialPatch {
                name: Some("renamed".into()),
                ..Default::default()
            },
            fx.now
        )),
        "Request_BadRequest"
    );
    // By id or by name (in any case).
    let change = fx.ok(|fx| {
        federated::update_federated_credential(
            &fx.world,
            &admin,
            t,
            app,
            &main.id.to_string(),
            patch("repo:contoso/app:environment:prod"),
            fx.now,
        )
    });
    assert_eq!(
        change.audit[0].operation,
        "microsoft.directory/applications/federatedIdentityCredentials/update"
    );
    let now = &creds(&fx, app)[0];
    assert_eq!(
        (now.id, now.name.as_str(), now.subject.as_str()),
        (main.id, "main", "repo:contoso/app:environment:prod")
    );
    assert_eq!(now.description.as_deref(), Some("deploys main"));
    assert_eq!(
        code(federated::remove_federated_credential(
            &fx.world, &admin, t, app, "nothing", fx.now
        )),
        "Request_ResourceNotFound"
    );
    let change = fx
        .ok(|fx| federated::remove_federated_credential(&fx.world, &admin, t, app, "MAIN", fx.now));
    assert_eq!(
        change.audit[0].operation,
        "microsoft.directory/applications/federatedIdentityCredentials/delete"
    );
    assert_eq!(change.audit[0].details["name"], "main");
    let left: Vec<String> = creds(&fx, app).into_iter().map(|c| c.name).collect();
    assert_eq!(left, vec!["pull-requests"]);
}

#[test]
fn an_external_token_matches_by_issuer_audience_and_subject_exactly() {
    let mut fx = Fx::article();
    let admin = fx.member(fx.contoso_admin);
    let t = fx.contoso;
    let app = app_of(&mut fx, &admin);
    let aud = vec!["api://AzureADTokenExchange".to_string()];
    let application = fx.world.tenant(t).unwrap().applications[&app].clone();
    let e = federated::match_federated_credential(&application, GITHUB, "s", &aud).unwrap_err();
    assert_eq!(e.code, EntraCode::NoFederatedCredential);
    assert!(
        e.error_description().starts_with(
            "AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'https://token.actions.githubusercontent.com'. Assertion Subject: 's'."
        ),
        "{}",
        e.error_description()
    );
    let main = added(
        &mut fx,
        &admin,
        app,
        cred("main", "repo:contoso/app:ref:refs/heads/main"),
    );
    let application = fx.world.tenant(t).unwrap().applications[&app].clone();
    let found = federated::match_federated_credential(
        &application,
        GITHUB,
        "repo:contoso/app:ref:refs/heads/main",
        &aud,
    )
    .unwrap();
    assert_eq!(found.id, main.id);
    let refused = |iss: &str, sub: &str, aud: &[String]| {
        let e = federated::match_federated_credential(&application, iss, sub, aud).unwrap_err();
        (e.code.number(), e.error.as_str(), e.message)
    };
    let (n, error, message) = refused(
        "https://token.actions.githubusercontent.com/",
        "repo:contoso/app:ref:refs/heads/main",
        &aud,
    );
    assert_eq!((n, error), (700211, "invalid_client"));
    assert!(message.contains("'https://token.actions.githubusercontent.com/'"));
    let (n, _, message) = refused(
        GITHUB,
        "repo:contoso/app:ref:refs/heads/main",
        &["api://other".to_string()],
    );
    assert_eq!(n, 700212);
    assert!(message.contains("'api://other'"));
    let (n, _, message) = refused(GITHUB, "repo:Contoso/app:ref:refs/heads/main", &aud);
    assert_eq!(n, 700213, "subjects compare case-sensitively, as in Entra");
    assert!(message.contains("case-sensitive"));
}
