//! Role assignments to groups as ARM sees them: a declared principal type must be the principal's,
//! `assignedTo()` lists the assignments of every group the principal is in while `principalId eq` lists
//! its own, and the permissions say which grant they come from (with the path through groups).

use crate::fixtures::*;
use tenantry_domain::authz::Grant;
use tenantry_domain::rules::access::{self, RoleAssignmentWrite};
use tenantry_domain::rules::groups;
use tenantry_domain::rules::reads::{self, RoleAssignmentQuery};
use tenantry_domain::*;

/// Engineering ⊃ Platform ⊃ erin; Engineering is Contributor on the subscription.
struct Teams {
    fx: Fx,
    engineering: ObjectId,
    platform: ObjectId,
    contributor: RoleAssignmentId,
}

fn teams() -> Teams {
    let mut fx = Fx::article();
    let t = fx.alicedefault;
    let platform = fx.group(t, "Platform", &[fx.erin]);
    let engineering = fx.group(t, "Engineering", &[platform]);
    let contributor = fx.assign(fx.sub_scope(), roles::CONTRIBUTOR, engineering);
    Teams {
        fx,
        engineering,
        platform,
        contributor,
    }
}

/// Alice assigns `role` on rg1 to `principal`, declaring its type or not.
fn write(
    fx: &Fx,
    principal: ObjectId,
    role: RoleDefinitionId,
    declared: Option<PrincipalType>,
) -> Result<Change, DomainError> {
    access::create_role_assignment(
        &fx.world,
        &fx.alice_home(),
        RoleAssignmentWrite {
            id: RoleAssignmentId::new(),
            scope: fx.rg("rg1"),
            role_definition: role,
            principal,
            principal_type: declared,
            description: None,
        },
        fx.now,
    )
    .map(|(c, _)| c)
}

#[test]
fn a_declared_principal_type_must_be_the_principals() {
    let mut tm = teams();
    let platform = tm.platform;
    let e = refusal(write(
        &tm.fx,
        platform,
        roles::READER,
        Some(PrincipalType::User),
    ));
    assert_eq!(e.code, "UnmatchedPrincipalType");
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert!(
        e.message.starts_with(&format!(
            "The PrincipalId '{}' has type 'Group' , which is different from specified PrincipalType 'User'.",
            platform.0.simple()
        )),
        "{}",
        e.message
    );
    let erin = tm.fx.erin;
    assert_eq!(
        code(write(
            &tm.fx,
            erin,
            roles::READER,
            Some(PrincipalType::ServicePrincipal)
        )),
        "UnmatchedPrincipalType"
    );
    // Authorization comes first: an outsider learns nothing of the principal's type.
    let outsider = tm.fx.member(tm.fx.carol);
    assert_eq!(
        code(access::create_role_assignment(
            &tm.fx.world,
            &outsider,
            RoleAssignmentWrite {
                id: RoleAssignmentId::new(),
                scope: tm.fx.rg("rg1"),
                role_definition: roles::READER,
                principal: platform,
                principal_type: Some(PrincipalType::User),
                description: None,
            },
            tm.fx.now,
        )),
        "AuthorizationFailed"
    );
    // The right type, or none at all, is accepted; the assignment carries the principal's own type.
    let change = tm
        .fx
        .ok(|fx| write(fx, platform, roles::READER, Some(PrincipalType::Group)));
    let made = change.mutations.iter().find_map(|m| match m {
        Mutation::InsertRoleAssignments { assignments, .. } => assignments.first().cloned(),
        _ => None,
    });
    assert_eq!(made.map(|a| a.principal_type), Some(PrincipalType::Group));
    tm.fx.ok(|fx| write(fx, erin, roles::CONTRIBUTOR, None));
}

fn listed(fx: &Fx, scope: &Scope, q: &RoleAssignmentQuery) -> Vec<(ObjectId, String)> {
    reads::list_role_assignments(&fx.world, &fx.alice_home(), scope, q)
        .unwrap()
        .items
        .iter()
        .map(|a| (a.principal, a.scope.to_string()))
        .collect()
}

#[test]
fn assigned_to_reaches_every_group_of_the_principal_and_principal_id_only_itself() {
    let tm = teams();
    let fx = &tm.fx;
    let sub = fx.sub_scope().to_string();
    let rg1 = fx.rg("rg1").to_string();
    let exactly = |p| RoleAssignmentQuery {
        principal: Some(p),
        ..Default::default()
    };
    let assigned_to = |p| RoleAssignmentQuery {
        assigned_to: Some(p),
        ..Default::default()
    };
    assert_eq!(
        listed(fx, &fx.sub_scope(), &exactly(fx.erin)),
        [(fx.erin, rg1.clone())]
    );
    // Erin's own Reader on rg1, and Engineering's Contributor, which reaches her through Platform.
    let mut reaching = listed(fx, &fx.sub_scope(), &assigned_to(fx.erin));
    reaching.sort();
    let mut expected = vec![(fx.erin, rg1.clone()), (tm.engineering, sub.clone())];
    expected.sort();
    assert_eq!(reaching, expected);
    // A group is reached by the groups it is in, and names its own.
    assert_eq!(
        listed(fx, &fx.sub_scope(), &assigned_to(tm.platform)),
        [(tm.engineering, sub.clone())]
    );
    assert_eq!(
        listed(fx, &fx.sub_scope(), &exactly(tm.engineering)),
        [(tm.engineering, sub.clone())]
    );
    assert!(listed(fx, &fx.sub_scope(), &exactly(tm.platform)).is_empty());
    // `atScope() and assignedTo()` at the subscription, as `az role assignment list --assignee
    // --include-groups` asks: only what is at the subscription or above.
    let at_sub = RoleAssignmentQuery {
        at_scope: true,
        ..assigned_to(fx.erin)
    };
    assert_eq!(
        listed(fx, &fx.sub_scope(), &at_sub),
        [(tm.engineering, sub.clone())]
    );
    // At rg1 both apply; the application's own Log Reader does not reach Erin.
    let mut at_rg1 = listed(fx, &fx.rg("rg1"), &at_sub);
    at_rg1.sort();
    assert_eq!(at_rg1, expected);
    // Both filters: the principal's own among what reaches it.
    let both = RoleAssignmentQuery {
        principal: Some(tm.engineering),
        ..assigned_to(fx.erin)
    };
    assert_eq!(
        listed(fx, &fx.sub_scope(), &both),
        [(tm.engineering, sub.clone())]
    );
    // An unknown principal is in no group and holds nothing.
    assert!(listed(fx, &fx.sub_scope(), &assigned_to(ObjectId::default())).is_empty());
}

#[test]
fn permissions_say_which_grant_they_come_from_with_the_path_through_groups() {
    let mut tm = teams();
    let erin = tm.fx.member(tm.fx.erin);
    let perms = reads::permissions(&tm.fx.world, &erin, &tm.fx.storage).unwrap();
    assert_eq!(perms.len(), 2, "{perms:?}");
    // Her own Reader first, then the group's Contributor with the path.
    assert_eq!(perms[0].permission.actions, ["*/read"]);
    assert!(matches!(&perms[0].grant, Grant::RoleAssignment { through, .. } if through.is_empty()));
    assert_eq!(perms[1].permission.actions, ["*"]);
    match &perms[1].grant {
        Grant::RoleAssignment {
            assignment,
            role_name,
            through,
            ..
        } => {
            assert_eq!(*assignment, tm.contributor);
            assert_eq!(role_name, "Contributor");
            let path: Vec<ObjectId> = through.iter().map(|g| g.id).collect();
            assert_eq!(path, [tm.engineering, tm.platform]);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        perms[1]
            .grant
            .describe()
            .ends_with("through group Engineering, member of Platform"),
        "{}",
        perms[1].grant.describe()
    );
    // The same blocks as the permissions without their grants.
    let plain: Vec<Permission> = perms.iter().map(|p| p.permission.clone()).collect();
    assert_eq!(
        plain,
        tm.fx
            .world
            .effective_permissions(tm.fx.erin, &tm.fx.storage)
    );
    // Out of the group, the group's grant is gone on the next read.
    let (t, platform, who) = (tm.fx.alicedefault, tm.platform, tm.fx.erin);
    tm.fx.ok(|fx| {
        groups::remove_group_members(&fx.world, &Actor::Operator, t, platform, &[who], fx.now)
    });
    let perms = reads::permissions(&tm.fx.world, &erin, &tm.fx.storage).unwrap();
    assert_eq!(perms.len(), 1);
    // Classic administrators hold everything, and say so.
    let alice = reads::permissions(&tm.fx.world, &tm.fx.alice_home(), &tm.fx.storage).unwrap();
    assert_eq!(alice.len(), 1);
    assert_eq!(alice[0].grant, Grant::ServiceAdministrator);
    assert_eq!(alice[0].permission.actions, ["*"]);
}
