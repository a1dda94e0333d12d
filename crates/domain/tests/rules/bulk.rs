//! A bulk writer (a world file): its role assignments and users decided one by one by the rules ARM's PUT
//! and Graph's POST run, and told by one audit event per subscription and per tenant.

use crate::fixtures::*;
use tenantry_domain::rules::access::{self, BulkAssignments, RoleAssignmentWrite};
use tenantry_domain::rules::directory::{self, BulkUsers};
use tenantry_domain::rules::invariants::violations;
use tenantry_domain::*;

const FILE: &str = "sha256:0123";

/// Applies a change a bulk writer makes (a piece without its event) and checks the invariants.
fn apply_piece(world: &mut World, change: &Change) {
    world.apply(change);
    let v = violations(world);
    assert!(v.is_empty(), "invariants broken: {v:#?}");
}

#[test]
fn a_bulk_writer_tells_what_it_created_in_one_event_per_tenant_and_per_subscription() {
    let mut fx = Fx::article();
    let op = Actor::Operator;
    let tenant = fx.alicedefault;

    let mut users = BulkUsers::default();
    let mut created = Vec::new();
    for name in ["uma", "victor"] {
        let user = directory::decide_user(&fx.world, &op, tenant, user_request(name), NOW).unwrap();
        created.push(user.id);
        let change = users.create(user);
        assert!(change.audit.is_empty(), "one event for all, not one each");
        apply_piece(&mut fx.world, &change);
    }
    let told = users.told(&fx.world, &op, tenant, Some(FILE), NOW);
    apply(&mut fx.world, &told);
    let [event] = told.audit.as_slice() else {
        panic!("one event for the tenant's users: {told:?}")
    };
    assert_eq!(event.operation, "microsoft.directory/users/create");
    assert_eq!(event.tenant, Some(tenant));
    assert_eq!(event.actor, "operator");
    assert_eq!(
        event.target,
        fx.world.tenant(tenant).unwrap().tenant.initial_domain
    );
    assert_eq!(event.details["usersCreated"], 2);
    assert_eq!(event.details["worldFile"], FILE);
    for id in &created {
        assert!(
            fx.world.principal(tenant, *id).is_some(),
            "user {id} written"
        );
    }

    let mut assignments = BulkAssignments::default();
    let rg1 = fx.rg("rg1");
    let asked = [
        (fx.sub_scope(), roles::READER, created[0]),
        (rg1.clone(), roles::READER, created[1]),
        (rg1.clone(), roles::CONTRIBUTOR, created[0]),
    ];
    let mut first = None;
    for (scope, role, principal) in asked {
        let req = assignment_request(scope.clone(), role, principal);
        let id = req.id;
        let put = access::decide_role_assignment(&fx.world, &op, req, NOW).unwrap();
        assert!(put.created);
        first.get_or_insert(RoleAssignmentWrite {
            id,
            ..assignment_request(scope, role, principal)
        });
        let change = assignments.create(put);
        assert!(change.audit.is_empty(), "one event for all, not one each");
        apply_piece(&mut fx.world, &change);
    }
    // The same assignment asked again (as a file applied twice asks it): nothing written, not counted.
    let again = access::decide_role_assignment(&fx.world, &op, first.unwrap(), NOW).unwrap();
    assert!(!again.created);
    assert!(assignments.create(again).mutations.is_empty());

    let told = assignments.told(&fx.world, &op, fx.sub, Some(FILE), NOW);
    apply(&mut fx.world, &told);
    let [event] = told.audit.as_slice() else {
        panic!("one event for the subscription's assignments: {told:?}")
    };
    assert_eq!(
        event.operation,
        "Microsoft.Authorization/roleAssignments/write"
    );
    assert_eq!(event.subscription, Some(fx.sub));
    assert_eq!(event.tenant, Some(tenant));
    assert_eq!(event.target, fx.sub_scope().to_string());
    assert_eq!(event.details["roleAssignmentsCreated"], 3);
    assert_eq!(
        event.details["byRole"],
        serde_json::json!({"Reader": 2, "Contributor": 1})
    );
    assert_eq!(
        event.details["byScope"],
        serde_json::json!({fx.sub_scope().to_string(): 1, rg1.to_string(): 2})
    );
    assert_eq!(event.details["worldFile"], FILE);
    let held = fx
        .world
        .subscription(fx.sub)
        .unwrap()
        .assignments
        .values()
        .filter(|a| created.contains(&a.principal))
        .count();
    assert_eq!(held, 3);

    // Nothing created: nothing told.
    let none = BulkAssignments::default().told(&fx.world, &op, fx.sub, Some(FILE), NOW);
    assert!(none.audit.is_empty() && none.mutations.is_empty());
    assert!(
        BulkUsers::default()
            .told(&fx.world, &op, tenant, None, NOW)
            .audit
            .is_empty()
    );
}
