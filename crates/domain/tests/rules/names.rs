//! Every rule that takes a name refuses one with a control character in it (around it or inside), for
//! whoever asks: the operator here, whom nothing else stops, so the refusal is the name's. Refusals
//! are `Invalid`, and never carry the control character back (they go into pages, JSON and logs).

use crate::fixtures::*;
use std::collections::BTreeMap;
use tenantry_domain::rules::access::{self, RoleAssignmentWrite, RoleDefinitionWrite};
use tenantry_domain::rules::admins::{self, NewSubscription};
use tenantry_domain::rules::change_directory::{self, Approval};
use tenantry_domain::rules::directory::{self, NewApplication, NewTenant, NewUser, UserUpdate};
use tenantry_domain::rules::{guests, resources};
use tenantry_domain::*;

const CONTROLS: [char; 5] = ['\n', '\r', '\0', '\t', '\u{7f}'];

/// `name` with `c` after it and inside it.
fn spoiled(name: &str, c: char) -> [String; 2] {
    [
        format!("{name}{c}"),
        format!("{}{c}{}", &name[..1], &name[1..]),
    ]
}

#[track_caller]
fn refused<T: std::fmt::Debug>(what: &str, r: Result<T, DomainError>) {
    let e = refusal(r);
    assert_eq!(e.kind, ErrorKind::Invalid, "{what}: {e}");
    assert!(
        !e.full_message().chars().any(char::is_control),
        "{what}: {e:?}"
    );
}

fn tenant(name: &str, display_name: &str, domains: Vec<String>) -> NewTenant {
    NewTenant {
        id: None,
        name: name.into(),
        display_name: display_name.into(),
        origin: TenantOrigin::Azure,
        domain_suffix: "onmicrosoft.com".into(),
        domains,
    }
}

fn user(user_name: &str, display_name: &str, mail: Option<String>) -> NewUser {
    NewUser {
        given_name: None,
        surname: None,
        id: None,
        user_name: user_name.into(),
        display_name: display_name.into(),
        mail,
        password_hash: "$argon2id$test".into(),
        enabled: true,
    }
}

fn tags(k: &str, v: &str) -> BTreeMap<String, String> {
    BTreeMap::from([(k.to_string(), v.to_string())])
}

fn role(name: &str, description: &str, action: &str, sub: SubscriptionId) -> RoleDefinitionWrite {
    RoleDefinitionWrite {
        id: RoleDefinitionId::new(),
        subscription: sub,
        name: name.into(),
        description: description.into(),
        permissions: vec![Permission {
            actions: vec![action.into()],
            not_actions: vec![],
            data_actions: vec![],
            not_data_actions: vec![],
        }],
        assignable_scopes: vec![],
    }
}

#[test]
fn directory_rules_refuse_names_with_control_characters() {
    let fx = Fx::article();
    let (w, op, now) = (&fx.world, &Actor::Operator, fx.now);
    for c in CONTROLS {
        for bad in spoiled("newco", c) {
            refused(
                &bad,
                directory::create_tenant(w, op, tenant(&bad, "", vec![]), now),
            );
            refused(
                &bad,
                directory::create_tenant(w, op, tenant("newco", &bad, vec![]), now),
            );
            let domain = format!("{bad}.com");
            refused(
                &bad,
                directory::create_tenant(w, op, tenant("newco", "", vec![domain.clone()]), now),
            );
            refused(&bad, directory::add_domain(w, op, fx.contoso, &domain, now));
        }
        for bad in spoiled("zed", c) {
            let email = format!("{bad}@example.com");
            let account = |email: &str, name: &str| directory::NewPersonalAccount {
                id: None,
                email: email.into(),
                display_name: name.into(),
                password_hash: "$argon2id$test".into(),
            };
            refused(
                &bad,
                directory::create_personal_account(w, op, account(&email, ""), now),
            );
            refused(
                &bad,
                directory::create_personal_account(w, op, account("zed@example.com", &bad), now),
            );
            refused(
                &bad,
                directory::create_user(w, op, fx.contoso, user(&bad, "", None), now),
            );
            refused(
                &bad,
                directory::create_user(w, op, fx.contoso, user("zed", &bad, None), now),
            );
            refused(
                &bad,
                directory::create_user(
                    w,
                    op,
                    fx.contoso,
                    user("zed", "", Some(email.clone())),
                    now,
                ),
            );
            let rename = UserUpdate {
                display_name: Some(bad.clone()),
                ..Default::default()
            };
            refused(
                &bad,
                directory::update_user(w, op, fx.contoso, fx.carol, rename, now),
            );
            let remail = UserUpdate {
                mail: Some(Some(email.clone())),
                ..Default::default()
            };
            refused(
                &bad,
                directory::update_user(w, op, fx.contoso, fx.carol, remail, now),
            );
            let app = |name: &str, uri: &str| NewApplication {
                id: None,
                object_id: None,
                client_id: None,
                display_name: name.into(),
                secret_hashes: vec![],
                certificates: vec![],
                redirect_uris: vec![uri.into()],
                group_membership_claims: Default::default(),
            };
            refused(
                &bad,
                directory::create_application(
                    w,
                    op,
                    fx.contoso,
                    app(&bad, "https://localhost/cb"),
                    now,
                ),
            );
            let uri = format!("https://localhost/{bad}");
            refused(
                &bad,
                directory::create_application(w, op, fx.contoso, app("app", &uri), now),
            );
            refused(
                &bad,
                guests::invite_named(w, op, fx.contoso, &email, None, now),
            );
            refused(
                &bad,
                guests::invite_named(w, op, fx.contoso, "zed@example.com", Some(&bad), now),
            );
            let sub = NewSubscription {
                id: None,
                display_name: bad.clone(),
                tenant: fx.alicedefault,
                service_admin: fx.alice,
                account_admin: None,
            };
            refused(&bad, admins::create_subscription(w, op, sub, now));
        }
    }
}

#[test]
fn resource_and_access_rules_refuse_names_with_control_characters() {
    let fx = Fx::article();
    let (w, op, now, sub) = (&fx.world, &Actor::Operator, fx.now, fx.sub);
    let group =
        |location: &str, tags: Option<BTreeMap<String, String>>, managed_by: Option<String>| {
            resources::ResourceGroupWrite {
                location: location.into(),
                tags,
                managed_by,
            }
        };
    let resource =
        |location: &str, kind: &str, tags: BTreeMap<String, String>| resources::ResourceWrite {
            identity: None,
            location: Some(location.into()),
            kind: Some(kind.into()),
            tags,
            properties: serde_json::json!({}),
        };
    for c in CONTROLS {
        for bad in spoiled("west", c) {
            let put_group =
                |name: &str, write| resources::put_resource_group(w, op, sub, name, write, now);
            refused(&bad, put_group(&bad, group("westeurope", None, None)));
            refused(&bad, put_group("rg9", group(&bad, None, None)));
            refused(
                &bad,
                put_group("rg9", group("westeurope", Some(tags(&bad, "v")), None)),
            );
            refused(
                &bad,
                put_group("rg9", group("westeurope", Some(tags("k", &bad)), None)),
            );
            refused(
                &bad,
                put_group("rg9", group("westeurope", None, Some(bad.clone()))),
            );
            refused(
                &bad,
                resources::update_resource_group(
                    w,
                    op,
                    sub,
                    "rg1",
                    resources::ResourceGroupPatch {
                        tags: Some(tags("k", &bad)),
                        managed_by: None,
                    },
                    now,
                ),
            );
            let id = format!(
                "/subscriptions/{sub}/resourceGroups/rg1/providers/Microsoft.Web/sites/{bad}"
            );
            refused(&bad, Scope::parse(&id));
            let site = Scope::parse(&format!(
                "/subscriptions/{sub}/resourceGroups/rg1/providers/Microsoft.Web/sites/s1"
            ))
            .unwrap();
            refused(
                &bad,
                resources::put_resource(w, op, &site, resource(&bad, "app", BTreeMap::new()), now),
            );
            refused(
                &bad,
                resources::put_resource(
                    w,
                    op,
                    &site,
                    resource("westeurope", &bad, BTreeMap::new()),
                    now,
                ),
            );
            refused(
                &bad,
                resources::put_resource(
                    w,
                    op,
                    &site,
                    resource("westeurope", "app", tags(&bad, "v")),
                    now,
                ),
            );
            refused(
                &bad,
                access::put_role_definition(w, op, role(&bad, "", "*/read", sub), now),
            );
            refused(
                &bad,
                access::put_role_definition(
                    w,
                    op,
                    role("Site Reader", "", &format!("{bad}/read"), sub),
                    now,
                ),
            );
            let assignment = RoleAssignmentWrite {
                id: RoleAssignmentId::new(),
                scope: fx.sub_scope(),
                role_definition: roles::CONTRIBUTOR,
                principal: fx.erin,
                description: Some(format!("nul\0{bad}")),
                principal_type: None,
            };
            refused(&bad, access::create_role_assignment(w, op, assignment, now));
            let map = [PrincipalMapEntry {
                from: "dave@outlook.com".into(),
                to: bad.clone(),
            }];
            let plan =
                change_directory::plan(w, op, sub, fx.contoso, &map, Approval::Initiator, now)
                    .unwrap();
            assert!(
                codes(&plan.refusal().expect("blocked")).contains(&"InvalidCharacter".to_string()),
                "{bad:?}"
            );
        }
    }
    // A description is text of several lines: line breaks and tabs are welcome there.
    let described = role(
        "Site Reader",
        "Reads sites.\r\n\tAnd nothing else.",
        "Microsoft.Web/sites/read",
        sub,
    );
    assert!(access::put_role_definition(w, op, described, now).is_ok());
}
