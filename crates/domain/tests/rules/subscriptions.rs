//! A subscription's lifecycle: created through an alias by whom the directory allows, renamed, cancelled
//! (read-only while Disabled) and enabled again.

use crate::fixtures::*;
use tenantry_domain::action::names;
use tenantry_domain::rules::access::{self, RoleAssignmentWrite};
use tenantry_domain::rules::admins;
use tenantry_domain::rules::hierarchy;
use tenantry_domain::rules::reads;
use tenantry_domain::rules::resources::{self, ResourceGroupWrite};
use tenantry_domain::rules::subscriptions::{self as lifecycle, AliasOutcome, NewAlias};
use tenantry_domain::*;

fn alias(name: &str, display_name: &str) -> NewAlias {
    NewAlias {
        name: name.into(),
        display_name: Some(display_name.into()),
        ..Default::default()
    }
}

fn group_write() -> ResourceGroupWrite {
    ResourceGroupWrite {
        location: "westeurope".into(),
        tags: None,
        managed_by: None,
    }
}

impl Fx {
    /// The code of the refusal to create `req` as `actor`.
    fn alias_refused(&self, actor: &Actor, req: NewAlias) -> String {
        code(lifecycle::create_alias(&self.world, actor, req, self.now))
    }
    fn create_alias(&mut self, actor: &Actor, req: NewAlias) -> AliasOutcome {
        let now = self.now;
        self.ok_with(|fx| lifecycle::create_alias(&fx.world, actor, req, now))
    }
}

#[test]
fn a_global_administrator_creates_a_subscription_through_an_alias_and_owns_it() {
    let mut fx = Fx::article();
    let alice = fx.alice_home();
    let tenant = fx.alicedefault;
    fx.ok_with(|fx| {
        hierarchy::put_management_group(
            &fx.world,
            &alice,
            tenant,
            "platform",
            Default::default(),
            fx.now,
        )
    });
    let req = NewAlias {
        workload: Some("devtest".into()),
        billing_scope: Some("/billingAccounts/1/enrollmentAccounts/2".into()),
        management_group: Some("Platform".into()),
        ..alias("sandbox", "Sandbox")
    };
    let (change, out) = lifecycle::create_alias(&fx.world, &alice, req.clone(), fx.now).unwrap();
    assert!(out.created);
    // The subscription is placed under the group the alias names, as a move there is recorded.
    let operations: Vec<&str> = change.audit.iter().map(|e| e.operation.as_str()).collect();
    assert_eq!(
        operations,
        [
            names::MANAGEMENT_GROUP_SUBSCRIPTION_WRITE,
            lifecycle::actions::ALIAS_WRITE
        ]
    );
    apply(&mut fx.world, &change);
    assert_eq!(
        fx.world
            .tenant(tenant)
            .unwrap()
            .subscription_parent(out.alias.subscription),
        "platform"
    );
    let a = &out.alias;
    assert_eq!(
        (
            a.workload,
            a.billing_scope.as_deref(),
            a.management_group.as_deref()
        ),
        (
            Workload::DevTest,
            Some("/billingAccounts/1/enrollmentAccounts/2"),
            Some("Platform")
        )
    );
    let part = fx.world.subscription(a.subscription).unwrap();
    let sub = &part.subscription;
    assert_eq!(
        (
            sub.display_name.as_str(),
            sub.state,
            sub.tenant,
            sub.service_admin
        ),
        (
            "Sandbox",
            SubscriptionState::Enabled,
            fx.alicedefault,
            fx.alice
        )
    );
    assert!(lifecycle::owns(&fx.world, &alice, part));
    assert!(
        part.assignments
            .values()
            .any(|x| x.role_definition == roles::OWNER && Some(x.principal) == alice.object_id())
    );
    // A replayed PUT answers the alias as it is and writes nothing.
    let (again, out2) = lifecycle::create_alias(&fx.world, &alice, req, fx.now).unwrap();
    assert!(!out2.created && again.mutations.is_empty());
    assert_eq!(out2.alias, out.alias);
    assert_eq!(
        lifecycle::list_aliases(&fx.world, &alice)
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        ["sandbox"]
    );
}

#[test]
fn only_global_administrators_and_subscription_owners_may_create_subscriptions() {
    let mut fx = Fx::article();
    let erin = fx.member(fx.erin);
    // erin is a Reader on a group: not enough.
    let e = refusal(lifecycle::create_alias(
        &fx.world,
        &erin,
        alias("e1", "Erin's"),
        fx.now,
    ));
    assert_eq!(e.code, "SubscriptionCreationNotAllowed");
    assert_eq!(e.kind, ErrorKind::Forbidden);
    // A Contributor of a subscription does not own it either.
    fx.assign(fx.sub_scope(), roles::CONTRIBUTOR, fx.erin);
    assert_eq!(
        fx.alias_refused(&erin, alias("e1", "Erin's")),
        "SubscriptionCreationNotAllowed"
    );
    fx.assign(fx.sub_scope(), roles::OWNER, fx.erin);
    let out = fx.create_alias(&erin, alias("e1", "Erin's"));
    assert_eq!(
        fx.world
            .subscription(out.alias.subscription)
            .unwrap()
            .subscription
            .service_admin,
        org(&fx.world, fx.erin)
    );
    // A service principal that owns a subscription may too; it cannot be a classic administrator, so
    // the new subscription's is the account administrator of the one it owns.
    let ci = application(&fx.world, fx.app);
    assert_eq!(
        fx.alias_refused(&ci, alias("ci1", "CI")),
        "SubscriptionCreationNotAllowed"
    );
    fx.assign(fx.sub_scope(), roles::OWNER, fx.app);
    let out = fx.create_alias(&ci, alias("ci1", "CI"));
    let part = fx.world.subscription(out.alias.subscription).unwrap();
    assert_eq!(part.subscription.account_admin, fx.alice);
    assert!(part.assignments.values().any(|a| a.principal == fx.app
        && a.principal_type == PrincipalType::ServicePrincipal
        && a.role_definition == roles::OWNER));
    // Another directory's administrator creates in its own directory, never in this one.
    let fab = fx.member(fx.fabrikam_admin);
    let out = fx.create_alias(&fab, alias("fab", "Fabrikam Prod"));
    assert_eq!(
        fx.world
            .subscription(out.alias.subscription)
            .unwrap()
            .subscription
            .tenant,
        fx.fabrikam
    );
    // A personal account signed in to no directory cannot create one.
    let bob = personal(&fx.world, fx.bob);
    assert_eq!(
        fx.alias_refused(&bob, alias("b", "B")),
        "SubscriptionCreationNotAllowed"
    );
}

#[test]
fn a_tenant_policy_blocks_new_subscriptions_except_for_the_exempted() {
    let mut fx = Fx::article();
    let alice = fx.alice_home();
    let alice_obj = alice.object_id().unwrap();
    fx.policy(fx.alicedefault, false, true, vec![]);
    let e = refusal(lifecycle::create_alias(
        &fx.world,
        &alice,
        alias("x", "X"),
        fx.now,
    ));
    assert_eq!(
        (e.code.as_str(), e.kind),
        ("SubscriptionCreationBlocked", ErrorKind::Forbidden)
    );
    // The policy leaves aliases for existing subscriptions alone: nothing enters the directory.
    let out = fx.create_alias(
        &alice,
        NewAlias {
            name: "payg".into(),
            subscription: Some(fx.sub),
            ..Default::default()
        },
    );
    assert_eq!(out.alias.subscription, fx.sub);
    fx.policy(fx.alicedefault, false, true, vec![alice_obj]);
    fx.create_alias(&alice, alias("x", "X"));
}

#[test]
fn alias_requests_are_checked() {
    let fx = Fx::article();
    let alice = fx.alice_home();
    let try_ = |req: NewAlias| fx.alias_refused(&alice, req);
    assert_eq!(try_(alias("a/b", "X")), "InvalidAliasName");
    assert_eq!(try_(alias("", "X")), "InvalidAliasName");
    assert_eq!(try_(alias("a", "")), "InvalidDisplayName");
    assert_eq!(try_(alias("a", &"x".repeat(65))), "InvalidDisplayName");
    assert_eq!(
        try_(NewAlias {
            workload: Some("Staging".into()),
            ..alias("a", "X")
        }),
        "InvalidWorkload"
    );
    // Only the caller's own directory: another one named is refused, its own is fine.
    assert_eq!(
        try_(NewAlias {
            tenant: Some(fx.contoso.to_string()),
            ..alias("a", "X")
        }),
        "SubscriptionTenantNotSupported"
    );
    assert!(
        lifecycle::create_alias(
            &fx.world,
            &alice,
            NewAlias {
                tenant: Some(fx.alicedefault.to_string()),
                ..alias("a", "X")
            },
            fx.now
        )
        .is_ok()
    );
    // An alias for a subscription the caller does not own.
    let erin = fx.member(fx.erin);
    let e = refusal(lifecycle::create_alias(
        &fx.world,
        &erin,
        NewAlias {
            name: "payg".into(),
            subscription: Some(fx.sub),
            ..Default::default()
        },
        fx.now,
    ));
    assert_eq!(e.code, "AuthorizationFailed");
}

#[test]
fn deleting_an_alias_keeps_its_subscription() {
    let mut fx = Fx::article();
    let alice = fx.alice_home();
    let out = fx.create_alias(&alice, alias("sandbox", "Sandbox"));
    // Someone who may not see it is told it is not there.
    let fab = fx.member(fx.fabrikam_admin);
    assert_eq!(
        code(lifecycle::get_alias(&fx.world, &fab, "sandbox")),
        "AliasNotFound"
    );
    assert!(
        lifecycle::delete_alias(&fx.world, &fab, "sandbox", fx.now)
            .unwrap()
            .is_none()
    );
    let erin = fx.member(fx.erin);
    assert!(lifecycle::get_alias(&fx.world, &erin, "SANDBOX").is_err());
    fx.ok_with(|fx| {
        lifecycle::delete_alias(&fx.world, &alice, "SANDBOX", fx.now).map(|o| o.expect("exists"))
    });
    assert!(lifecycle::get_alias(&fx.world, &alice, "sandbox").is_err());
    assert!(fx.world.subscription(out.alias.subscription).is_some());
    assert!(
        lifecycle::delete_alias(&fx.world, &alice, "sandbox", fx.now)
            .unwrap()
            .is_none()
    );
}

#[test]
fn a_cancelled_subscription_is_read_only_until_enabled() {
    let mut fx = Fx::article();
    let alice = fx.alice_home();
    let erin = fx.member(fx.erin);
    // A Reader and a Contributor may not cancel; the Owner may.
    fx.assign(fx.sub_scope(), roles::CONTRIBUTOR, fx.erin);
    let e = refusal(lifecycle::cancel_subscription(
        &fx.world, &erin, fx.sub, fx.now,
    ));
    assert_eq!(e.code, "AuthorizationFailed");
    assert!(e.message.contains(lifecycle::actions::CANCEL));
    let change = fx.ok(|fx| lifecycle::cancel_subscription(&fx.world, &alice, fx.sub, fx.now));
    assert_eq!(change.audit[0].operation, lifecycle::actions::CANCEL);
    assert_eq!(fx.subscription().state, SubscriptionState::Disabled);
    assert_eq!(
        code(lifecycle::cancel_subscription(
            &fx.world, &alice, fx.sub, fx.now
        )),
        "SubscriptionAlreadyCanceled"
    );

    // Reads go on.
    assert!(reads::get_subscription(&fx.world, &erin, fx.sub).is_ok());
    assert!(reads::get_resource(&fx.world, &erin, &fx.storage).is_ok());
    // Every write is refused as ARM refuses it, whoever asks and whatever it is.
    let e = refusal(resources::put_resource_group(
        &fx.world,
        &erin,
        fx.sub,
        "rg2",
        group_write(),
        fx.now,
    ));
    assert_eq!(
        (e.code.as_str(), e.kind),
        ("ReadOnlyDisabledSubscription", ErrorKind::Conflict)
    );
    assert_eq!(
        e.full_message(),
        format!(
            "The subscription '{}' is disabled and therefore marked as read only. You cannot perform any write actions on this subscription until it is re-enabled.",
            fx.sub
        )
    );
    assert_eq!(
        code(resources::delete_resource(
            &fx.world,
            &alice,
            &fx.storage,
            fx.now
        )),
        "ReadOnlyDisabledSubscription"
    );
    assert_eq!(
        code(access::create_role_assignment(
            &fx.world,
            &alice,
            RoleAssignmentWrite {
                id: RoleAssignmentId::new(),
                scope: fx.sub_scope(),
                role_definition: roles::READER,
                principal: fx.erin,
                principal_type: None,
                description: None,
            },
            fx.now
        )),
        "ReadOnlyDisabledSubscription"
    );
    assert_eq!(
        code(admins::add_co_admin(
            &fx.world,
            &alice,
            fx.sub,
            "bob@outlook.com",
            None,
            fx.now
        )),
        "ReadOnlyDisabledSubscription"
    );
    assert_eq!(
        code(lifecycle::rename_subscription(
            &fx.world, &alice, fx.sub, "New", fx.now
        )),
        "ReadOnlyDisabledSubscription"
    );
    // A caller with no access learns nothing from the refusal.
    let sam = fx.member(fx.sam);
    assert_eq!(
        code(resources::put_resource_group(
            &fx.world,
            &sam,
            fx.sub,
            "rg2",
            group_write(),
            fx.now
        )),
        "AuthorizationFailed"
    );

    // The operator, who builds worlds from files (a Disabled subscription with what it holds), may.
    fx.ok_with(|fx| {
        resources::put_resource_group(
            &fx.world,
            &Actor::Operator,
            fx.sub,
            "ops",
            group_write(),
            fx.now,
        )
    });
    assert_eq!(
        code(lifecycle::enable_subscription(
            &fx.world, &erin, fx.sub, fx.now
        )),
        "AuthorizationFailed"
    );
    fx.ok(|fx| lifecycle::enable_subscription(&fx.world, &alice, fx.sub, fx.now));
    assert_eq!(fx.subscription().state, SubscriptionState::Enabled);
    assert_eq!(
        code(lifecycle::enable_subscription(
            &fx.world, &alice, fx.sub, fx.now
        )),
        "SubscriptionNotDisabled"
    );
    fx.ok_with(|fx| {
        resources::put_resource_group(&fx.world, &erin, fx.sub, "rg2", group_write(), fx.now)
    });
}

#[test]
fn owners_and_the_account_administrator_rename_a_subscription() {
    let mut fx = Fx::article();
    let erin = fx.member(fx.erin);
    assert_eq!(
        code(lifecycle::rename_subscription(
            &fx.world, &erin, fx.sub, "Mine", fx.now
        )),
        "AuthorizationFailed"
    );
    fx.assign(fx.sub_scope(), roles::OWNER, fx.erin);
    let change = fx
        .ok(|fx| lifecycle::rename_subscription(&fx.world, &erin, fx.sub, " Production ", fx.now));
    assert_eq!(
        change.audit[0].details["displayName"]["before"],
        "Pay-As-You-Go"
    );
    assert_eq!(fx.subscription().display_name, "Production");
    assert_eq!(
        code(lifecycle::rename_subscription(
            &fx.world, &erin, fx.sub, "a\nb", fx.now
        )),
        "InvalidCharacter"
    );
    // The account administrator, wherever she signed in.
    let alice = personal(&fx.world, fx.alice);
    fx.ok(|fx| lifecycle::rename_subscription(&fx.world, &alice, fx.sub, "Back", fx.now));
    assert_eq!(fx.subscription().display_name, "Back");
}
