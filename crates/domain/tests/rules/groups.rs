//! Security groups: who may manage them (as in Entra), members and owners, nesting without cycles,
//! role assignments that grant every transitive member with the path that explains it, directory roles
//! through role-assignable groups, deleting a group with everything that names it, and groups in a
//! change of directory. Every change goes through `fixtures::apply`, which checks the invariants (the
//! groups' among them) and the audit event.

use crate::fixtures::*;
use tenantry_domain::action::names;
use tenantry_domain::authz::Grant;
use tenantry_domain::rules::admins::{self, NewSubscription};
use tenantry_domain::rules::change_directory::{self, Approval};
use tenantry_domain::rules::groups::{self, GroupUpdate, NewGroup};
use tenantry_domain::rules::{directory, guests};
use tenantry_domain::world::PrincipalRef;
use tenantry_domain::*;

/// alicedefault's Global Administrator (Alice's guest object), signed in there.
fn alice_ga(fx: &Fx) -> Actor {
    fx.alice_home()
}

fn create(fx: &Fx, actor: &Actor, tenant: TenantId, req: NewGroup) -> Result<Change, DomainError> {
    groups::create_group(&fx.world, actor, tenant, req, fx.now).map(|(c, _)| c)
}

fn add(
    fx: &Fx,
    actor: &Actor,
    group: ObjectId,
    members: &[ObjectId],
) -> Result<Change, DomainError> {
    let tenant = fx.world.tenant_of_object(group).unwrap();
    groups::add_group_members(&fx.world, actor, tenant, group, members, fx.now)
}

fn remove(
    fx: &Fx,
    actor: &Actor,
    group: ObjectId,
    member: ObjectId,
) -> Result<Change, DomainError> {
    let tenant = fx.world.tenant_of_object(group).unwrap();
    groups::remove_group_members(&fx.world, actor, tenant, group, &[member], fx.now)
}

fn part(fx: &Fx, tenant: TenantId) -> &world::TenantPart {
    fx.world.tenant(tenant).unwrap()
}

#[test]
fn global_user_and_groups_administrators_create_groups_and_others_may_not() {
    let mut fx = Fx::article();
    let c = fx.contoso;
    let groups_admin = fx.user(c, "groupsadmin", None);
    fx.grant_directory_role(c, DirectoryRole::GroupsAdministrator, groups_admin);
    for (i, who) in [fx.contoso_admin, fx.contoso_useradmin, groups_admin]
        .into_iter()
        .enumerate()
    {
        let actor = fx.member(who);
        let change = fx.ok(|fx| create(fx, &actor, c, NewGroup::named(format!("Team {i}"))));
        assert_eq!(
            change.audit[0].operation,
            "microsoft.directory/groups/create"
        );
        assert_eq!(change.audit[0].tenant, Some(c));
    }
    let carol = fx.member(fx.carol);
    let e = refusal(create(&fx, &carol, c, NewGroup::named("Mine")));
    assert_eq!(e.code, "Authorization_RequestDenied");
    assert!(e.message.contains("Groups Administrator"), "{e}");
    // Another tenant's Global Administrator, signed in there, cannot reach Contoso.
    let fabrikam_admin = fx.member(fx.fabrikam_admin);
    assert_eq!(
        code(create(&fx, &fabrikam_admin, c, NewGroup::named("Theirs"))),
        "Authorization_RequestDenied"
    );
}

#[test]
fn only_global_administrators_create_role_assignable_groups() {
    let mut fx = Fx::article();
    let c = fx.contoso;
    let req = || NewGroup {
        role_assignable: true,
        ..NewGroup::named("Helpdesk")
    };
    let useradmin = fx.member(fx.contoso_useradmin);
    assert_eq!(
        code(create(&fx, &useradmin, c, req())),
        "Authorization_RequestDenied"
    );
    let admin = fx.member(fx.contoso_admin);
    fx.ok(|fx| create(fx, &admin, c, req()));
    let not_secure = NewGroup {
        security_enabled: false,
        role_assignable: true,
        ..NewGroup::named("Insecure")
    };
    assert_eq!(
        code(create(&fx, &admin, c, not_secure)),
        "RoleAssignableGroupMustBeSecurityEnabled"
    );
}

#[test]
fn names_are_unique_nicknames_default_to_a_slug_and_bad_ones_are_refused() {
    let mut fx = Fx::article();
    let c = fx.contoso;
    let platform = fx.group(c, "Platform Team", &[]);
    let g = part(&fx, c).group(platform).unwrap().clone();
    assert_eq!(g.mail_nickname, "platform-team");
    assert!(g.security_enabled && !g.role_assignable);
    let op = Actor::Operator;
    assert_eq!(
        code(create(&fx, &op, c, NewGroup::named("platform team"))),
        "GroupNameTaken"
    );
    // Another tenant may use the name.
    fx.group(fx.fabrikam, "Platform Team", &[]);
    for (req, expected) in [
        (NewGroup::named("  "), "InvalidGroupName"),
        (
            NewGroup {
                mail_nickname: Some("has space".into()),
                ..NewGroup::named("Ops")
            },
            "InvalidMailNickname",
        ),
        (
            NewGroup {
                id: Some(fx.carol),
                ..NewGroup::named("Ops")
            },
            "ObjectExists",
        ),
    ] {
        assert_eq!(code(create(&fx, &op, c, req)), expected);
    }
}

#[test]
fn members_are_present_users_guests_service_principals_and_groups_of_the_tenant() {
    let mut fx = Fx::article();
    let t = fx.alicedefault;
    let alice_guest = fx.world.presence(fx.alice, t).unwrap();
    let inner = fx.group(t, "Inner", &[]);
    let outer = fx.group(t, "Outer", &[]);
    let ga = alice_ga(&fx);
    let change = fx.ok(|fx| {
        add(
            fx,
            &ga,
            outer,
            &[fx.erin, alice_guest, fx.app, inner, fx.erin],
        )
    });
    // One mutation for the whole batch, each member once.
    assert_eq!(change.mutations.len(), 1);
    let Mutation::AddGroupMembers { members, .. } = &change.mutations[0] else {
        panic!("{change:?}")
    };
    assert_eq!(members, &vec![fx.erin, alice_guest, fx.app, inner]);
    assert_eq!(
        change.audit[0].operation,
        "microsoft.directory/groups/members/add"
    );
    let p = part(&fx, t);
    assert_eq!(p.members_of(outer).count(), 4);
    for m in [fx.erin, alice_guest, fx.app, inner] {
        assert_eq!(p.groups_of(m), &[outer]);
    }

    // A pending guest, another tenant's user, an unknown id, and a member twice: refused.
    let (_, pending) = fx.ok_with(|fx| {
        guests::invite(&fx.world, &Actor::Operator, t, "bob@outlook.com", fx.now)
            .map(|(c, i, g)| (c, (i, g)))
    });
    assert_eq!(code(add(&fx, &ga, outer, &[pending])), "GuestNotRedeemed");
    assert_eq!(
        code(add(&fx, &ga, outer, &[fx.carol])),
        "Request_ResourceNotFound"
    );
    assert_eq!(
        code(add(&fx, &ga, outer, &[ObjectId::new()])),
        "Request_ResourceNotFound"
    );
    assert_eq!(code(add(&fx, &ga, outer, &[fx.erin])), "Request_BadRequest");
    assert_eq!(code(add(&fx, &ga, outer, &[])), "MembersRequired");
    // Refused as a whole: the good member of a refused batch is not added.
    let sam_like = fx.user(t, "sam", None);
    assert_eq!(
        code(add(&fx, &ga, outer, &[sam_like, pending])),
        "GuestNotRedeemed"
    );
    assert!(!part(&fx, t).is_group_member(outer, sam_like));

    fx.ok(|fx| remove(fx, &ga, outer, inner));
    assert!(part(&fx, t).groups_of(inner).is_empty());
    assert_eq!(
        code(remove(&fx, &ga, outer, inner)),
        "Request_ResourceNotFound"
    );
}

#[test]
fn a_cycle_is_refused_with_its_path_and_a_group_cannot_contain_itself() {
    let mut fx = Fx::article();
    let t = fx.alicedefault;
    let a = fx.group(t, "A", &[]);
    let b = fx.group(t, "B", &[]);
    let c = fx.group(t, "C", &[fx.erin]);
    fx.add_members(t, b, &[c]);
    fx.add_members(t, a, &[b]);
    // Nesting to any depth: erin is in C, B and A.
    let mut expected = vec![a, b, c];
    expected.sort();
    assert_eq!(part(&fx, t).groups_of(fx.erin), expected.as_slice());

    let op = Actor::Operator;
    let e = refusal(add(&fx, &op, c, &[a]));
    assert_eq!(e.code, "GroupMembershipCycle");
    assert!(e.message.contains("C → B → A → C"), "{e}");
    assert!(e.remedy.is_some());
    let e = refusal(add(&fx, &op, b, &[b]));
    assert_eq!(e.code, "GroupMembershipCycle");
    assert!(e.message.contains("itself"), "{e}");
    // Beside the cycle, a diamond is fine: erin reaches A twice.
    let d = fx.group(t, "D", &[fx.erin]);
    fx.add_members(t, a, &[d]);
    assert_eq!(part(&fx, t).groups_of(fx.erin).len(), 4);
}

#[test]
fn a_role_assignable_group_contains_no_groups() {
    let mut fx = Fx::article();
    let t = fx.alicedefault;
    let admins = fx.role_assignable_group(t, "Admins");
    let other = fx.group(t, "Other", &[]);
    let e = refusal(add(&fx, &Actor::Operator, admins, &[other]));
    assert_eq!(e.code, "RoleAssignableGroupCannotContainGroups");
    fx.add_members(t, admins, &[fx.erin, fx.app]);
    // It may itself be a member of another group.
    fx.add_members(t, other, &[admins]);
}

#[test]
fn owners_manage_their_own_group_and_nobody_else_does() {
    let mut fx = Fx::article();
    let c = fx.contoso;
    let carol = fx.member(fx.carol);
    let pat = fx.user(c, "pat", None);
    let req = NewGroup {
        owners: vec![fx.carol],
        ..NewGroup::named("Carol's")
    };
    let mine = fx.ok_with(|fx| groups::create_group(&fx.world, &Actor::Operator, c, req, fx.now));
    let theirs = fx.group(c, "Theirs", &[]);
    assert!(groups::may_manage_group(&fx.world, &carol, c, mine));
    assert!(!groups::may_manage_group(&fx.world, &carol, c, theirs));

    fx.ok(|fx| add(fx, &carol, mine, &[pat]));
    fx.ok(|fx| {
        groups::update_group(
            &fx.world,
            &carol,
            c,
            mine,
            GroupUpdate {
                description: Some(Some("Carol's team".into())),
                ..Default::default()
            },
            fx.now,
        )
    });
    fx.ok(|fx| groups::add_group_owner(&fx.world, &carol, c, mine, pat, fx.now));
    assert_eq!(part(&fx, c).owners_of(mine).count(), 2);
    assert_eq!(
        part(&fx, c)
            .owned_groups(pat)
            .map(|g| g.id)
            .collect::<Vec<_>>(),
        vec![mine]
    );
    // Owners are users and service principals; not groups, not twice.
    assert_eq!(
        code(groups::add_group_owner(
            &fx.world, &carol, c, mine, theirs, fx.now
        )),
        "GroupCannotOwnGroup"
    );
    assert_eq!(
        code(groups::add_group_owner(
            &fx.world, &carol, c, mine, pat, fx.now
        )),
        "Request_BadRequest"
    );

    // Not the other group, whether it exists or not: the refusal comes first and says nothing of it.
    assert_eq!(
        code(add(&fx, &carol, theirs, &[pat])),
        "Authorization_RequestDenied"
    );
    let ghost = ObjectId::new();
    assert_eq!(
        code(groups::delete_group(&fx.world, &carol, c, ghost, fx.now)),
        "Authorization_RequestDenied"
    );
    let admin = fx.member(fx.contoso_admin);
    assert_eq!(
        code(groups::delete_group(&fx.world, &admin, c, ghost, fx.now)),
        "Request_ResourceNotFound"
    );
    // Nor can an owner create groups.
    assert_eq!(
        code(create(&fx, &carol, c, NewGroup::named("New"))),
        "Authorization_RequestDenied"
    );

    // An owner who is removed loses the group; the owner deletes what it owns.
    let pat_actor = fx.member(pat);
    fx.ok(|fx| groups::remove_group_owner(&fx.world, &carol, c, mine, fx.carol, fx.now));
    assert!(!groups::may_manage_group(&fx.world, &carol, c, mine));
    assert_eq!(
        code(groups::remove_group_owner(
            &fx.world, &pat_actor, c, mine, fx.carol, fx.now
        )),
        "Request_ResourceNotFound"
    );
    fx.ok(|fx| groups::delete_group(&fx.world, &pat_actor, c, mine, fx.now));
    assert!(part(&fx, c).group(mine).is_none());
}

#[test]
fn role_assignable_groups_are_managed_by_global_administrators_and_their_owners_only() {
    let mut fx = Fx::article();
    let c = fx.contoso;
    let helpdesk = fx.role_assignable_group(c, "Helpdesk");
    fx.ok(|fx| groups::add_group_owner(&fx.world, &Actor::Operator, c, helpdesk, fx.carol, fx.now));
    let useradmin = fx.member(fx.contoso_useradmin);
    let pat = fx.user(c, "pat", None);
    let e = refusal(add(&fx, &useradmin, helpdesk, &[pat]));
    assert_eq!(e.code, "Authorization_RequestDenied");
    assert!(e.message.contains("Global Administrator"), "{e}");
    let carol = fx.member(fx.carol);
    fx.ok(|fx| add(fx, &carol, helpdesk, &[pat]));
    let admin = fx.member(fx.contoso_admin);
    fx.ok(|fx| remove(fx, &admin, helpdesk, pat));
}

#[test]
fn updates_change_properties_but_never_whether_the_group_holds_roles() {
    let mut fx = Fx::article();
    let c = fx.contoso;
    let g = fx.group(c, "Platform", &[]);
    fx.group(c, "Data", &[]);
    let admin = fx.member(fx.contoso_admin);
    let update =
        |fx: &Fx, upd: GroupUpdate| groups::update_group(&fx.world, &admin, c, g, upd, fx.now);
    let change = fx.ok(|fx| {
        update(
            fx,
            GroupUpdate {
                display_name: Some("Platform Engineering".into()),
                mail_nickname: Some("plateng".into()),
                ..Default::default()
            },
        )
    });
    assert_eq!(
        change.audit[0].operation,
        "microsoft.directory/groups/update"
    );
    let p = part(&fx, c);
    assert_eq!(
        p.group_by_name("platform engineering").map(|x| x.id),
        Some(g)
    );
    assert!(p.group_by_name("Platform").is_none());
    assert_eq!(p.group(g).unwrap().mail_nickname, "plateng");
    // The same values again write nothing.
    let same = update(
        &fx,
        GroupUpdate {
            display_name: Some("Platform Engineering".into()),
            role_assignable: Some(false),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(same.mutations.is_empty() && same.audit.is_empty());
    let to = |name: &str| GroupUpdate {
        display_name: Some(name.into()),
        ..Default::default()
    };
    assert_eq!(code(update(&fx, to("DATA"))), "GroupNameTaken");
    assert_eq!(
        code(update(
            &fx,
            GroupUpdate {
                role_assignable: Some(true),
                ..Default::default()
            }
        )),
        "RoleAssignableIsReadOnly"
    );
}

/// Platform holds Contributor on rg1; Engineering is a member of Platform; erin of Engineering.
fn platform(fx: &mut Fx) -> (ObjectId, ObjectId, RoleAssignmentId) {
    let t = fx.alicedefault;
    let engineering = fx.group(t, "Engineering", &[fx.erin]);
    let platform = fx.group(t, "Platform", &[engineering]);
    let rg1 = fx.rg("rg1");
    let a = fx.assign(rg1, roles::CONTRIBUTOR, platform);
    (platform, engineering, a)
}

#[test]
fn a_role_assignment_to_a_group_grants_every_transitive_member_and_explains_the_path() {
    let mut fx = Fx::article();
    let (platform, engineering, assignment) = platform(&mut fx);
    let a = &fx.world.subscription(fx.sub).unwrap().assignments[&assignment];
    assert_eq!(a.principal_type, PrincipalType::Group);
    let erin = fx.member(fx.erin);
    assert!(fx.can(&erin, STORAGE_WRITE, &fx.storage));
    assert!(fx.can(&erin, names::RESOURCE_GROUP_WRITE, &fx.rg("rg1")));
    assert!(!fx.can(&erin, names::ROLE_ASSIGNMENT_WRITE, &fx.rg("rg1")));
    assert!(!fx.can(&erin, names::RESOURCE_GROUP_WRITE, &fx.sub_scope()));

    let grants = fx
        .world
        .explain_access(fx.erin, &action(STORAGE_WRITE), &fx.storage);
    assert_eq!(grants.len(), 1, "{grants:?}");
    let Grant::RoleAssignment {
        assignment: id,
        role_name,
        through,
        ..
    } = &grants[0]
    else {
        panic!("{grants:?}")
    };
    assert_eq!((*id, role_name.as_str()), (assignment, "Contributor"));
    let path: Vec<(ObjectId, &str)> = through
        .iter()
        .map(|g| (g.id, g.display_name.as_str()))
        .collect();
    assert_eq!(
        path,
        vec![(platform, "Platform"), (engineering, "Engineering")]
    );
    assert!(
        grants[0]
            .describe()
            .ends_with("through group Platform, member of Engineering"),
        "{}",
        grants[0].describe()
    );
    assert_eq!(
        fx.world
            .authorize_principal(fx.erin, &action(STORAGE_WRITE), &fx.storage),
        Some(grants[0].clone())
    );
    // Erin's own Reader assignment comes before the group's.
    let reads = fx
        .world
        .explain_access(fx.erin, &action(STORAGE_READ), &fx.storage);
    assert_eq!(reads.len(), 2);
    assert!(matches!(&reads[0], Grant::RoleAssignment { through, .. } if through.is_empty()));
    // What the group grants is in the permissions and makes the subscription visible.
    let perms = fx.world.effective_permissions(fx.erin, &fx.storage);
    assert!(perms.iter().any(|p| p.actions == vec!["*".to_string()]));
    let sam_like = fx.user(fx.alicedefault, "newcomer", None);
    assert!(!fx.world.has_any_access(sam_like, fx.sub));
    fx.add_members(fx.alicedefault, platform, &[sam_like]);
    assert!(fx.world.has_any_access(sam_like, fx.sub));
    let grants = fx
        .world
        .explain_access(sam_like, &action(STORAGE_WRITE), &fx.storage);
    assert!(
        grants[0].describe().ends_with("through group Platform"),
        "{}",
        grants[0].describe()
    );
}

#[test]
fn a_membership_change_takes_effect_at_once() {
    let mut fx = Fx::article();
    let (platform, engineering, _) = platform(&mut fx);
    let t = fx.alicedefault;
    let erin = fx.member(fx.erin);
    let op = Actor::Operator;
    fx.ok(|fx| remove(fx, &op, platform, engineering));
    assert!(!fx.can(&erin, STORAGE_WRITE, &fx.storage));
    fx.add_members(t, platform, &[engineering]);
    assert!(fx.can(&erin, STORAGE_WRITE, &fx.storage));
    fx.ok(|fx| remove(fx, &op, engineering, fx.erin));
    assert!(!fx.can(&erin, STORAGE_WRITE, &fx.storage));
    // A service principal in the group is granted too, and its token's tenant still counts.
    fx.add_members(t, engineering, &[fx.app]);
    let app = application(&fx.world, fx.app);
    assert!(fx.can(&app, STORAGE_WRITE, &fx.storage));
    let carol = fx.member(fx.carol);
    assert!(!fx.can(&carol, STORAGE_WRITE, &fx.storage));
}

#[test]
fn deleting_a_group_removes_its_assignments_everywhere_its_memberships_roles_and_exemption() {
    let mut fx = Fx::article();
    let t = fx.alicedefault;
    let (platform, engineering, in_payg) = platform(&mut fx);
    let other = fx.ok_with(|fx| {
        admins::create_subscription(
            &fx.world,
            &Actor::Operator,
            NewSubscription {
                id: None,
                display_name: "Second".into(),
                tenant: t,
                service_admin: fx.alice,
                account_admin: None,
            },
            fx.now,
        )
    });
    let in_other = fx.assign(Scope::subscription(other), roles::READER, engineering);
    let umbrella = fx.group(t, "Umbrella", &[engineering]);
    fx.ok(|fx| {
        groups::add_group_owner(&fx.world, &Actor::Operator, t, engineering, fx.erin, fx.now)
    });
    let admins_group = fx.role_assignable_group(t, "Admins");
    fx.policy(t, true, false, vec![engineering]);

    let ga = alice_ga(&fx);
    let change = fx.ok(|fx| groups::delete_group(&fx.world, &ga, t, engineering, fx.now));
    let e = &change.audit[0];
    assert_eq!(e.operation, "microsoft.directory/groups/delete");
    assert_eq!(e.details["removedRoleAssignmentCount"], 1);
    assert_eq!(
        e.details["removedRoleAssignments"][0]["roleAssignment"],
        serde_json::json!(in_other)
    );
    assert_eq!(
        e.details["memberOf"],
        serde_json::json!(["Platform", "Umbrella"])
    );
    let p = part(&fx, t);
    assert!(p.group(engineering).is_none());
    assert!(p.groups_of(fx.erin).is_empty());
    assert_eq!(p.members_of(platform).count(), 0);
    assert_eq!(p.members_of(umbrella).count(), 0);
    assert_eq!(p.owned_groups(fx.erin).count(), 0);
    assert!(p.tenant.policy.exempted.is_empty());
    assert!(
        !fx.world
            .subscription(other)
            .unwrap()
            .assignments
            .contains_key(&in_other)
    );
    assert!(
        fx.world
            .subscription(fx.sub)
            .unwrap()
            .assignments
            .contains_key(&in_payg)
    );

    // A group's directory roles go with it; the last Global Administrator holder stays.
    fx.grant_directory_role(t, DirectoryRole::UserAdministrator, admins_group);
    fx.ok(|fx| groups::delete_group(&fx.world, &ga, t, admins_group, fx.now));
    assert!(
        part(&fx, t)
            .role_members
            .iter()
            .all(|(_, o)| *o != admins_group)
    );
    let c = fx.contoso;
    let only = fx.role_assignable_group(c, "Only admins");
    fx.grant_directory_role(c, DirectoryRole::GlobalAdministrator, only);
    fx.ok(|fx| {
        directory::remove_directory_role_member(
            &fx.world,
            &Actor::Operator,
            c,
            DirectoryRole::GlobalAdministrator,
            fx.contoso_admin,
            fx.now,
        )
    });
    assert_eq!(
        code(groups::delete_group(
            &fx.world,
            &Actor::Operator,
            c,
            only,
            fx.now
        )),
        "LastGlobalAdministrator"
    );
}

#[test]
fn deleting_a_user_or_a_group_updates_what_was_nested_below() {
    let mut fx = Fx::article();
    let t = fx.alicedefault;
    let (platform, engineering, _) = platform(&mut fx);
    let team = fx.group(t, "Team", &[fx.erin]);
    fx.add_members(t, engineering, &[team]);
    fx.ok(|fx| groups::add_group_owner(&fx.world, &Actor::Operator, t, team, fx.erin, fx.now));
    let erin = fx.member(fx.erin);
    fx.ok(|fx| groups::delete_group(&fx.world, &Actor::Operator, t, engineering, fx.now));
    // erin was in Platform through Engineering twice over; now through nothing.
    assert!(!part(&fx, t).groups_of(fx.erin).contains(&platform));
    assert!(!fx.can(&erin, STORAGE_WRITE, &fx.storage));
    let change =
        fx.ok(|fx| directory::delete_user(&fx.world, &Actor::Operator, t, fx.erin, fx.now));
    assert_eq!(
        change.audit[0].details["memberOf"],
        serde_json::json!([team])
    );
    assert_eq!(
        change.audit[0].details["ownerOf"],
        serde_json::json!([team])
    );
    let p = part(&fx, t);
    assert_eq!(p.members_of(team).count(), 0);
    assert_eq!(p.owners_of(team).count(), 0);
}

#[test]
fn directory_roles_of_a_role_assignable_group_apply_to_its_members() {
    let mut fx = Fx::article();
    let c = fx.contoso;
    let plain = fx.group(c, "Plain", &[]);
    let e = refusal(directory::add_directory_role_member(
        &fx.world,
        &Actor::Operator,
        c,
        DirectoryRole::UserAdministrator,
        plain,
        fx.now,
    ));
    assert_eq!(e.code, "GroupNotRoleAssignable");
    let helpdesk = fx.role_assignable_group(c, "Helpdesk");
    fx.grant_directory_role(c, DirectoryRole::UserAdministrator, helpdesk);
    let carol = fx.member(fx.carol);
    let new_user = |fx: &Fx| {
        directory::create_user(
            &fx.world,
            &carol,
            c,
            directory::NewUser {
                given_name: None,
                surname: None,
                id: None,
                user_name: "hired".into(),
                display_name: String::new(),
                mail: None,
                password_hash: "$argon2id$x".into(),
                enabled: true,
            },
            fx.now,
        )
        .map(|(c, _)| c)
    };
    assert_eq!(code(new_user(&fx)), "Authorization_RequestDenied");
    fx.add_members(c, helpdesk, &[fx.carol]);
    assert!(part(&fx, c).holds_role(fx.carol, DirectoryRole::UserAdministrator));
    assert_eq!(
        part(&fx, c).effective_roles_of(fx.carol),
        vec![DirectoryRole::UserAdministrator]
    );
    assert!(
        part(&fx, c).roles_of(fx.carol).is_empty(),
        "not its own role"
    );
    fx.ok(new_user);
    fx.ok(|fx| remove(fx, &Actor::Operator, helpdesk, fx.carol));
    assert!(!part(&fx, c).holds_role(fx.carol, DirectoryRole::UserAdministrator));
}

#[test]
fn groups_are_principals_by_object_id_and_by_name() {
    let mut fx = Fx::article();
    let t = fx.alicedefault;
    let g = fx.group(t, "Platform", &[]);
    for key in [
        g.to_string(),
        "group:Platform".into(),
        "GROUP:platform".into(),
        "Platform".into(),
    ] {
        let p = fx
            .world
            .find_principal(t, &key)
            .unwrap_or_else(|| panic!("{key}"));
        assert!(matches!(p, PrincipalRef::Group(x) if x.id == g), "{key}");
        assert_eq!(p.principal_type(), PrincipalType::Group);
        assert!(p.is_present());
    }
    assert!(fx.world.find_principal(t, "group:Nothing").is_none());
    // A user's name wins over a group's, and `group:` names only groups.
    let upn = "erin@alicedefault.onmicrosoft.com";
    fx.group(t, upn, &[]);
    assert!(matches!(
        fx.world.find_principal(t, upn),
        Some(PrincipalRef::User(_))
    ));
    assert!(matches!(
        fx.world.find_principal(t, &format!("group:{upn}")),
        Some(PrincipalRef::Group(_))
    ));
    assert!(
        fx.world
            .find_principal(fx.contoso, "group:Platform")
            .is_none()
    );
}

#[test]
fn a_change_of_directory_lists_group_assignments_with_their_reach_and_maps_groups_to_groups() {
    let mut fx = Fx::article();
    let (platform, _, _) = platform(&mut fx);
    let t = fx.alicedefault;
    fx.add_members(t, platform, &[fx.app]);
    let c = fx.contoso;
    let ops = fx.group(c, "Ops", &[fx.carol]);
    let plan = change_directory::plan(
        &fx.world,
        &Actor::Operator,
        fx.sub,
        c,
        &[PrincipalMapEntry {
            from: "group:Platform".into(),
            to: "Ops".into(),
        }],
        Approval::Initiator,
        fx.now,
    )
    .unwrap();
    assert!(plan.blockers.is_empty(), "{:?}", plan.blockers);
    let removed = plan
        .removed_assignments
        .iter()
        .find(|a| a.assignment.principal == platform)
        .unwrap();
    assert_eq!(removed.principal_name, "Platform");
    // erin (through Engineering) and the application.
    assert_eq!(removed.group_reach, Some(2));
    assert!(
        plan.removed_assignments
            .iter()
            .filter(|a| a.assignment.principal != platform)
            .all(|a| a.group_reach.is_none())
    );
    assert_eq!(plan.regranted_assignments.len(), 1);
    let regranted = &plan.regranted_assignments[0];
    assert_eq!(regranted.assignment.principal, ops);
    assert_eq!(regranted.assignment.principal_type, PrincipalType::Group);
    assert_eq!(regranted.group_reach, Some(1));
    let change =
        change_directory::apply_plan(&fx.world, &Actor::Operator, &plan, None, fx.now).unwrap();
    apply(&mut fx.world, &change);
    let carol = fx.member(fx.carol);
    assert!(fx.can(&carol, STORAGE_WRITE, &fx.storage));
    let erin_elsewhere = fx.member(fx.erin);
    assert!(!fx.can(&erin_elsewhere, STORAGE_WRITE, &fx.storage));
}

#[test]
fn a_group_exempted_from_the_policy_exempts_its_members() {
    let mut fx = Fx::article();
    let t = fx.alicedefault;
    let movers = fx.group(t, "Movers", &[]);
    fx.policy(t, true, false, vec![movers]);
    let alice = fx.alice_home();
    let blocked = |fx: &Fx| {
        change_directory::plan(
            &fx.world,
            &alice,
            fx.sub,
            fx.contoso,
            &[],
            Approval::Initiator,
            fx.now,
        )
        .unwrap()
        .blockers
        .iter()
        .any(|b| b.code == change_directory::codes::LEAVING_BLOCKED)
    };
    assert!(blocked(&fx));
    let alice_guest = fx.world.presence(fx.alice, t).unwrap();
    fx.add_members(t, movers, &[alice_guest]);
    assert!(!blocked(&fx));
}

#[test]
fn a_group_cannot_be_the_destination_owner_of_a_change_of_directory() {
    let mut fx = Fx::article();
    let ops = fx.group(fx.contoso, "Ops", &[fx.contoso_admin]);
    let alice = fx.alice_home();
    let e = refusal(change_directory::initiate(
        &fx.world,
        &alice,
        fx.sub,
        fx.contoso,
        Some(ops),
        vec![],
        fx.now,
    ));
    assert_eq!(e.code, "DestinationOwnerNotFound");
}
