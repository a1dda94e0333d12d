//! What each face reads, and to whom (rules/reads/): the visibility Azure gives.

use crate::fixtures::*;
use tenantry_domain::action::names;
use tenantry_domain::rules::groups;
use tenantry_domain::rules::reads::{self, RoleAssignmentQuery, RoleDefinitionQuery};
use tenantry_domain::*;

#[test]
fn subscriptions_are_visible_to_callers_with_access_in_the_trusted_tenant() {
    let fx = Fx::article();
    let erin = fx.member(fx.erin);
    let app = application(&fx.world, fx.app);
    for actor in [fx.alice_home(), fx.dave_home(), erin, app] {
        let subs = reads::visible_subscriptions(&fx.world, &actor);
        assert_eq!(subs.len(), 1, "{actor:?}");
        assert!(reads::get_subscription(&fx.world, &actor, fx.sub).is_ok());
    }
    // Signed in elsewhere, or with no access at all: nothing, and the subscription "does not exist".
    let carol = fx.member(fx.carol);
    let alice_consumer = personal(&fx.world, fx.alice);
    for actor in [carol, alice_consumer] {
        assert!(reads::visible_subscriptions(&fx.world, &actor).is_empty());
        assert_eq!(
            code(reads::get_subscription(&fx.world, &actor, fx.sub)),
            "SubscriptionNotFound"
        );
    }
}

#[test]
fn tenants_are_those_where_the_identity_is_present_whatever_the_token() {
    let mut fx = Fx::article();
    fx.guest(fx.contoso, fx.alice);
    let tenants = |actor: &Actor| -> Vec<TenantId> {
        reads::tenants_of_caller(&fx.world, actor)
            .iter()
            .map(|t| t.tenant.id)
            .collect()
    };
    let mut both = vec![fx.contoso, fx.alicedefault];
    both.sort();
    assert_eq!(tenants(&fx.alice_home()), both);
    assert_eq!(tenants(&personal(&fx.world, fx.alice)), both);
    assert_eq!(tenants(&fx.member(fx.erin)), vec![fx.alicedefault]);
    assert_eq!(
        tenants(&application(&fx.world, fx.app)),
        vec![fx.alicedefault]
    );
}

#[test]
fn a_reader_of_one_group_lists_that_group_only_and_is_refused_the_others() {
    let mut fx = Fx::article();
    fx.put_group("rg2");
    let erin = fx.member(fx.erin);
    let groups = reads::list_resource_groups(&fx.world, &erin, fx.sub).unwrap();
    assert_eq!(
        groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(),
        ["rg1"]
    );
    assert!(reads::get_resource_group(&fx.world, &erin, fx.sub, "rg1").is_ok());
    let refused = refusal(reads::get_resource_group(&fx.world, &erin, fx.sub, "rg2"));
    assert_eq!(refused.code, "AuthorizationFailed");
    // Missing groups are told apart only for those who may read there.
    assert_eq!(
        code(reads::get_resource_group(&fx.world, &erin, fx.sub, "nope")),
        "AuthorizationFailed"
    );
    assert_eq!(
        code(reads::get_resource_group(
            &fx.world,
            &fx.alice_home(),
            fx.sub,
            "nope"
        )),
        "ResourceGroupNotFound"
    );
    let all = reads::list_resource_groups(&fx.world, &fx.alice_home(), fx.sub).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        code(reads::list_resource_groups(
            &fx.world,
            &fx.member(fx.carol),
            fx.sub
        )),
        "AuthorizationFailed"
    );
}

#[test]
fn resources_are_listed_where_the_caller_may_read_them() {
    let mut fx = Fx::article();
    fx.put_group("rg2");
    fx.put_storage("rg2", "st2");
    let erin = fx.member(fx.erin);
    let mine = reads::list_resources(&fx.world, &erin, fx.sub, None).unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].scope, fx.storage);
    assert!(reads::get_resource(&fx.world, &erin, &fx.storage).is_ok());
    assert_eq!(
        code(reads::list_resources(&fx.world, &erin, fx.sub, Some("rg2"))),
        "AuthorizationFailed"
    );
    let all = reads::list_resources(&fx.world, &fx.alice_home(), fx.sub, None).unwrap();
    assert_eq!(all.len(), 2);
    let missing =
        Scope::resource(fx.sub, "rg1", "Microsoft.Storage", "storageAccounts/none").unwrap();
    assert_eq!(
        code(reads::get_resource(&fx.world, &erin, &missing)),
        "ResourceNotFound"
    );
}

#[test]
fn role_assignment_lists_follow_scope_filters_and_read_access() {
    let mut fx = Fx::article();
    let alice = fx.alice_home();
    let sub_list = |fx: &Fx, q: &RoleAssignmentQuery| {
        reads::list_role_assignments(&fx.world, &fx.alice_home(), &fx.sub_scope(), q)
            .unwrap()
            .items
            .len()
    };
    assert_eq!(sub_list(&fx, &RoleAssignmentQuery::default()), 2);
    // atScope() at the subscription leaves out erin's assignment on rg1; at rg1 it includes the
    // application's on the subscription above.
    let at_scope = RoleAssignmentQuery {
        at_scope: true,
        principal: None,
        assigned_to: None,
    };
    assert_eq!(sub_list(&fx, &at_scope), 1);
    let at_rg1 = reads::list_role_assignments(&fx.world, &alice, &fx.rg("rg1"), &at_scope).unwrap();
    assert_eq!(at_rg1.items.len(), 2);
    assert!(at_rg1.whole, "alice may read every assignment at rg1");
    let for_erin = RoleAssignmentQuery {
        at_scope: false,
        principal: Some(fx.erin),
        assigned_to: None,
    };
    assert_eq!(sub_list(&fx, &for_erin), 1);
    // erin reads what applies to her group, not the rest of the subscription.
    fx.put_group("rg2");
    let frank = fx.user(fx.alicedefault, "frank", None);
    fx.assign(fx.rg("rg2"), roles::READER, frank);
    let erin = fx.member(fx.erin);
    let seen = reads::list_role_assignments(
        &fx.world,
        &erin,
        &fx.sub_scope(),
        &RoleAssignmentQuery::default(),
    )
    .unwrap();
    assert_eq!(seen.items.len(), 1, "her own, not those elsewhere");
    assert!(!seen.whole);
    let at_her_group = reads::list_role_assignments(
        &fx.world,
        &erin,
        &fx.rg("rg1"),
        &RoleAssignmentQuery::default(),
    )
    .unwrap();
    assert_eq!(
        at_her_group.items.len(),
        2,
        "at her group: hers and the application's inherited from above"
    );
    assert_eq!(
        code(
            reads::list_role_assignments(
                &fx.world,
                &fx.member(fx.carol),
                &fx.sub_scope(),
                &RoleAssignmentQuery::default()
            )
            .map(|l| l.items.len())
        ),
        "AuthorizationFailed"
    );
}

#[test]
fn role_definitions_filter_by_name_and_type() {
    let fx = Fx::article();
    let owner = RoleDefinitionQuery {
        role_name: Some("owner".into()),
        custom: None,
    };
    let found =
        reads::list_role_definitions(&fx.world, &fx.alice_home(), &fx.sub_scope(), &owner).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, roles::OWNER);
    let custom = RoleDefinitionQuery {
        role_name: None,
        custom: Some(true),
    };
    let found =
        reads::list_role_definitions(&fx.world, &fx.member(fx.erin), &fx.sub_scope(), &custom)
            .unwrap();
    assert_eq!(
        found.len(),
        1,
        "erin reads the roles that apply to her group"
    );
    assert_eq!(found[0].id, fx.log_reader);
    assert!(
        reads::get_role_definition_anywhere(&fx.world, &fx.alice_home(), fx.log_reader).is_ok()
    );
    assert_eq!(
        code(reads::get_role_definition_anywhere(
            &fx.world,
            &fx.member(fx.carol),
            fx.log_reader
        )),
        "RoleDefinitionDoesNotExist"
    );
}

#[test]
fn permissions_and_classic_administrators() {
    let fx = Fx::article();
    let erin = fx.member(fx.erin);
    let perms = reads::permissions(&fx.world, &erin, &fx.rg("rg1")).unwrap();
    assert_eq!(perms[0].permission.actions, ["*/read"]);
    assert!(
        matches!(&perms[0].grant, authz::Grant::RoleAssignment { role_name, through, .. } if role_name == "Reader" && through.is_empty()),
        "{:?}",
        perms[0].grant
    );
    assert!(
        reads::permissions(&fx.world, &erin, &fx.sub_scope())
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        code(reads::permissions(
            &fx.world,
            &fx.member(fx.carol),
            &fx.rg("rg1")
        )),
        "AuthorizationFailed"
    );
    let admins = reads::list_classic_administrators(&fx.world, &fx.alice_home(), fx.sub).unwrap();
    assert_eq!(
        admins[0].roles.to_string(),
        "ServiceAdministrator;AccountAdministrator"
    );
    assert_eq!(admins[1].roles.to_string(), "CoAdministrator");
    assert_eq!(
        code(reads::list_classic_administrators(&fx.world, &erin, fx.sub)),
        "AuthorizationFailed"
    );
}

#[test]
fn the_administrators_page_shows_what_the_rules_allow() {
    let mut fx = Fx::article();
    let alice = reads::classic_administration(&fx.world, &fx.alice_home(), fx.sub).unwrap();
    assert_eq!(alice.administrators.len(), 2);
    assert!(alice.may_manage && alice.may_change_service_admin);
    assert_eq!(alice.candidates.len(), 1);
    let dave = reads::classic_administration(&fx.world, &fx.dave_home(), fx.sub).unwrap();
    assert!(dave.may_manage && !dave.may_change_service_admin);
    // Signed in to another directory, the service administrator is refused as ARM refuses her.
    fx.guest(fx.contoso, fx.alice);
    let elsewhere = fx.as_user(fx.contoso, fx.alice);
    assert_eq!(
        code(reads::classic_administration(&fx.world, &elsewhere, fx.sub)),
        "AuthorizationFailed"
    );
}

#[test]
fn a_subscription_s_overview_and_where_its_directory_could_go() {
    let mut fx = Fx::article();
    let o = reads::subscription_summary(&fx.world, &fx.alice_home(), fx.sub, fx.now).unwrap();
    assert_eq!(
        (o.service_admin.as_str(), o.directory.id, o.groups.len()),
        ("alice@outlook.com", fx.alicedefault, 1)
    );
    assert_eq!(
        o.held.roles.to_string(),
        "ServiceAdministrator;AccountAdministrator"
    );
    assert_eq!(
        o.assignments, 2,
        "erin's Reader on rg1 and the application's Log Reader"
    );
    assert!(o.pending_change.is_none());
    let erin = reads::subscription_summary(&fx.world, &fx.member(fx.erin), fx.sub, fx.now).unwrap();
    assert_eq!(erin.held.assignments.len(), 1);
    assert_eq!(
        code(reads::subscription_summary(
            &fx.world,
            &fx.member(fx.carol),
            fx.sub,
            fx.now
        )),
        "SubscriptionNotFound"
    );

    let choices = reads::directory_choices(&fx.world, &fx.alice_home(), fx.sub, fx.now).unwrap();
    assert!(
        choices.destinations.is_empty(),
        "Alice is in her default directory only"
    );
    fx.guest(fx.contoso, fx.alice);
    let choices = reads::directory_choices(&fx.world, &fx.alice_home(), fx.sub, fx.now).unwrap();
    let ids: Vec<TenantId> = choices.destinations.iter().map(|t| t.id).collect();
    assert_eq!(
        (choices.current.id, ids),
        (fx.alicedefault, vec![fx.contoso])
    );
}

#[test]
fn access_control_shows_what_the_caller_may_read_and_check_access_explains_grants() {
    let fx = Fx::article();
    let alice = reads::access_control(&fx.world, &fx.alice_home(), &fx.sub_scope()).unwrap();
    assert!(alice.may_write);
    let roles: Vec<&str> = alice.assignments.iter().map(|a| a.role.as_str()).collect();
    assert_eq!(roles.len(), 2);
    assert!(roles.contains(&"Reader") && roles.contains(&"Log Reader"));
    assert!(alice.assignments.iter().all(|a| !a.inherited));
    assert!(alice.roles.iter().any(|d| d.name == "Log Reader"));
    assert!(
        alice.principals.iter().any(|p| p.id() == fx.app),
        "applications can be picked too"
    );
    // Erin, Reader on rg1: reads there, the subscription's assignment inherited; may not assign.
    let erin = reads::access_control(&fx.world, &fx.member(fx.erin), &fx.rg("rg1")).unwrap();
    assert!(!erin.may_write);
    let inherited: Vec<(&str, bool)> = erin
        .assignments
        .iter()
        .map(|a| (a.role.as_str(), a.inherited))
        .collect();
    assert!(inherited.contains(&("Log Reader", true)) && inherited.contains(&("Reader", false)));
    assert_eq!(
        code(reads::access_control(
            &fx.world,
            &fx.member(fx.carol),
            &fx.sub_scope()
        )),
        "SubscriptionNotFound"
    );

    let actions = [names::RESOURCE_GROUP_READ, names::RESOURCE_GROUP_WRITE];
    let check = reads::check_access(
        &fx.world,
        &fx.alice_home(),
        &fx.rg("rg1"),
        "erin@alicedefault.onmicrosoft.com",
        &actions,
    )
    .unwrap();
    assert_eq!(check.principal.id(), fx.erin);
    assert_eq!(check.actions[0].1.len(), 1, "Reader on rg1 reads it");
    assert!(check.actions[1].1.is_empty(), "and writes nothing");
    assert_eq!(check.permissions[0].actions, ["*/read"]);
    assert_eq!(
        code(reads::check_access(
            &fx.world,
            &fx.alice_home(),
            &fx.rg("rg1"),
            " ",
            &actions
        )),
        "PrincipalRequired"
    );
    assert_eq!(
        code(reads::check_access(
            &fx.world,
            &fx.alice_home(),
            &fx.rg("rg1"),
            "nobody@example.com",
            &actions
        )),
        "PrincipalNotFound"
    );
    assert_eq!(
        code(reads::check_access(
            &fx.world,
            &fx.member(fx.carol),
            &fx.rg("rg1"),
            "erin@alicedefault.onmicrosoft.com",
            &actions
        )),
        "AuthorizationFailed"
    );
}

#[test]
fn directory_pages_follow_the_directory_roles() {
    let mut fx = Fx::article();
    let admin = fx.member(fx.contoso_admin);
    let o = reads::directory_overview(&fx.world, &admin, fx.contoso, fx.now).unwrap();
    assert!(o.administers);
    assert_eq!(o.roles, [DirectoryRole::GlobalAdministrator]);
    assert_eq!((o.members, o.guests), (3, 0));
    let carol = fx.member(fx.carol);
    let o = reads::directory_overview(&fx.world, &carol, fx.contoso, fx.now).unwrap();
    assert!(!o.administers && o.roles.is_empty());
    assert_eq!(
        code(reads::directory_overview(
            &fx.world,
            &carol,
            fx.fabrikam,
            fx.now
        )),
        "Authorization_RequestDenied"
    );

    let useradmin = fx.member(fx.contoso_useradmin);
    let people = reads::directory_people(&fx.world, &useradmin, fx.contoso).unwrap();
    assert!(people.may_manage);
    assert_eq!((people.members.len(), people.guests.len()), (3, 0));
    assert!(
        !reads::directory_people(&fx.world, &carol, fx.contoso)
            .unwrap()
            .may_manage
    );
    let detail = reads::directory_user(&fx.world, &useradmin, fx.contoso, fx.carol).unwrap();
    assert!(detail.may_manage && !detail.may_assign_roles);
    assert_eq!(detail.addable_roles.len(), DirectoryRole::ALL.len());
    assert_eq!(
        code(reads::directory_user(
            &fx.world, &useradmin, fx.contoso, fx.erin
        )),
        "Request_ResourceNotFound"
    );

    // A guest without a role reads single objects, not the lists.
    fx.guest(fx.contoso, fx.bob);
    let bob = fx.as_user(fx.contoso, fx.bob);
    assert_eq!(
        code(reads::directory_people(&fx.world, &bob, fx.contoso)),
        "Authorization_RequestDenied"
    );
    assert!(reads::directory_policy(&fx.world, &bob, fx.contoso).is_ok());
    let guests = reads::directory_people(&fx.world, &useradmin, fx.contoso)
        .unwrap()
        .guests;
    assert_eq!(guests.len(), 1);
    assert!(guests[0].pending_invitation.is_none(), "redeemed");

    let exempted = reads::exempted_principals(
        &fx.world,
        &admin,
        fx.contoso,
        ["carol@contoso.com", "admin@contoso.onmicrosoft.com"],
    )
    .unwrap();
    assert_eq!(exempted, [fx.carol, fx.contoso_admin]);
    assert_eq!(
        code(reads::exempted_principals(
            &fx.world,
            &admin,
            fx.contoso,
            ["nobody"]
        )),
        "InvalidExemptedPrincipal"
    );
    // Names are looked up for who may change the policy only: anyone else learns nothing of them.
    let e = refusal(reads::exempted_principals(
        &fx.world,
        &bob,
        fx.contoso,
        ["nobody"],
    ));
    assert_eq!(e.code, "Authorization_RequestDenied");
    let policy = reads::directory_policy(&fx.world, &admin, fx.contoso).unwrap();
    assert!(policy.may_manage && policy.exempted.is_empty());
}

#[test]
fn a_directory_s_objects_as_graph_reads_them() {
    let fx = Fx::article();
    let w = &fx.world;
    assert_eq!(
        reads::activated_roles(w, fx.contoso),
        [
            DirectoryRole::GlobalAdministrator,
            DirectoryRole::UserAdministrator
        ]
    );
    assert_eq!(
        reads::activated_roles(w, fx.alicedefault),
        [DirectoryRole::GlobalAdministrator]
    );
    let admin = fx.member(fx.contoso_admin);
    let holders: Vec<ObjectId> =
        reads::role_members(w, &admin, fx.contoso, DirectoryRole::UserAdministrator)
            .unwrap()
            .iter()
            .map(|p| p.id())
            .collect();
    assert_eq!(holders, [fx.contoso_useradmin]);
    let by_upn = reads::user_named(w, fx.contoso, "ADMIN@contoso.onmicrosoft.com").unwrap();
    assert_eq!(by_upn.id, fx.contoso_admin);
    assert_eq!(
        reads::user_named(w, fx.contoso, &fx.carol.to_string()).map(|u| u.id),
        Some(fx.carol)
    );
    assert!(reads::user_named(w, fx.contoso, &fx.erin.to_string()).is_none());
    let users = reads::users(w, fx.contoso);
    assert!(
        users.windows(2).all(|p| p[0].id < p[1].id),
        "in a stable order"
    );
    assert_eq!(reads::applications(w, fx.alicedefault).len(), 1);
    // `fx.app` is the service principal's id; the application object has its own.
    let principal = reads::service_principal(w, fx.alicedefault, fx.app).unwrap();
    let object = principal.object_id.unwrap();
    assert_ne!(object, fx.app);
    assert!(reads::application(w, fx.alicedefault, fx.app).is_none());
    let app = reads::application(w, fx.alicedefault, object).unwrap();
    assert_eq!(app.id, fx.app);
    assert!(reads::application(w, fx.contoso, object).is_none());
    assert!(reads::application_by_client_id(w, fx.alicedefault, app.client_id).is_some());
    assert!(reads::application_by_client_id(w, fx.contoso, app.client_id).is_none());
    let contoso = reads::directory(w, fx.contoso).unwrap();
    let domains: Vec<(&str, bool)> = reads::domains(contoso)
        .iter()
        .map(|d| (d.name, d.is_default))
        .collect();
    assert_eq!(
        domains,
        [("contoso.onmicrosoft.com", true), ("contoso.com", false)]
    );
}

#[test]
fn a_guest_lists_a_directory_role_s_members_only_as_it_lists_users() {
    let mut fx = Fx::article();
    fx.guest(fx.contoso, fx.bob);
    let bob = fx.as_user(fx.contoso, fx.bob);
    let users = refusal(reads::directory_people(&fx.world, &bob, fx.contoso));
    let members = refusal(reads::role_members(
        &fx.world,
        &bob,
        fx.contoso,
        DirectoryRole::GlobalAdministrator,
    ));
    assert_eq!((members.kind, &members.code), (users.kind, &users.code));
    // A directory role lets a guest enumerate, members too.
    let guest = fx.world.presence(fx.bob, fx.contoso).unwrap();
    fx.grant_directory_role(fx.contoso, DirectoryRole::GlobalReader, guest);
    let bob = fx.as_user(fx.contoso, fx.bob);
    let holders = reads::role_members(
        &fx.world,
        &bob,
        fx.contoso,
        DirectoryRole::GlobalAdministrator,
    )
    .unwrap();
    assert_eq!(
        holders.iter().map(|p| p.id()).collect::<Vec<_>>(),
        [fx.contoso_admin]
    );
    let carol = fx.member(fx.carol);
    assert!(
        reads::role_members(
            &fx.world,
            &carol,
            fx.contoso,
            DirectoryRole::GlobalAdministrator
        )
        .is_ok()
    );
}

/// Contoso's Platform ⊃ Engineering ⊃ Backend, with carol in Engineering and the User Administrator in
/// Backend: (platform, engineering, backend).
fn nested_groups(fx: &mut Fx) -> (ObjectId, ObjectId, ObjectId) {
    let c = fx.contoso;
    let backend = fx.group(c, "Backend", &[fx.contoso_useradmin]);
    let engineering = fx.group(c, "Engineering", &[fx.carol, backend]);
    let platform = fx.group(c, "Platform", &[engineering]);
    (platform, engineering, backend)
}

#[test]
fn groups_are_listed_by_name_with_their_counts_and_what_the_caller_may_create() {
    let mut fx = Fx::article();
    let c = fx.contoso;
    nested_groups(&mut fx);
    let carol = reads::directory_groups(&fx.world, &fx.member(fx.carol), c).unwrap();
    let rows: Vec<(&str, usize, usize, usize)> = carol
        .groups
        .iter()
        .map(|s| {
            (
                s.group.display_name.as_str(),
                s.members,
                s.nested_groups,
                s.reach,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("Backend", 1, 0, 1),
            ("Engineering", 2, 1, 2),
            ("Platform", 1, 1, 2)
        ]
    );
    assert!(!carol.may_create && !carol.may_create_role_assignable);
    let useradmin =
        reads::directory_groups(&fx.world, &fx.member(fx.contoso_useradmin), c).unwrap();
    assert!(useradmin.may_create && !useradmin.may_create_role_assignable);
    let admin = reads::directory_groups(&fx.world, &fx.member(fx.contoso_admin), c).unwrap();
    assert!(admin.may_create && admin.may_create_role_assignable);

    // A guest without a directory role lists no groups, as no users; another tenant's people neither.
    fx.guest(c, fx.bob);
    let bob = fx.as_user(c, fx.bob);
    assert_eq!(
        code(reads::directory_groups(&fx.world, &bob, c)),
        "Authorization_RequestDenied"
    );
    let e = refusal(reads::directory_groups(
        &fx.world,
        &fx.member(fx.fabrikam_admin),
        c,
    ));
    assert!(!e.message.contains("Contoso"), "{e}");
}

#[test]
fn a_group_page_shows_members_through_nested_groups_with_their_path() {
    let mut fx = Fx::article();
    let c = fx.contoso;
    let (platform, engineering, backend) = nested_groups(&mut fx);
    let d = reads::directory_group(&fx.world, &fx.member(fx.carol), c, platform).unwrap();
    assert_eq!(
        d.members.iter().map(|p| p.id()).collect::<Vec<_>>(),
        [engineering]
    );
    let paths: Vec<(ObjectId, Vec<&str>)> = d
        .transitive
        .iter()
        .map(|t| {
            (
                t.principal.id(),
                t.path.iter().map(|g| g.display_name.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        paths,
        [
            (backend, vec!["Platform", "Engineering"]),
            (fx.carol, vec!["Platform", "Engineering"]),
            (
                fx.contoso_useradmin,
                vec!["Platform", "Engineering", "Backend"]
            ),
        ],
        "by name, each by the fewest steps"
    );
    assert_eq!(d.reach, 2);
    assert!(d.member_of.is_empty());
    assert!(!d.may_manage && !d.may_assign_roles && d.addable_roles.is_empty());
    let e = reads::directory_group(&fx.world, &fx.member(fx.carol), c, engineering).unwrap();
    assert_eq!(
        e.member_of.iter().map(|g| g.id).collect::<Vec<_>>(),
        [platform]
    );
    // Its managers may change it; an owner may change their own group.
    let ua = reads::directory_group(&fx.world, &fx.member(fx.contoso_useradmin), c, platform);
    assert!(ua.unwrap().may_manage);
    fx.ok(|fx| groups::add_group_owner(&fx.world, &Actor::Operator, c, backend, fx.carol, fx.now));
    let own = reads::directory_group(&fx.world, &fx.member(fx.carol), c, backend).unwrap();
    assert!(own.may_manage);
    assert_eq!(
        own.owners.iter().map(|p| p.id()).collect::<Vec<_>>(),
        [fx.carol]
    );
    assert_eq!(
        code(reads::directory_group(
            &fx.world,
            &fx.member(fx.carol),
            c,
            ObjectId::new()
        )),
        "Request_ResourceNotFound"
    );

    // Directory roles: only a role-assignable group holds them, and only a Global Administrator gives them.
    let helpdesk = fx.role_assignable_group(c, "Helpdesk");
    let admin = fx.member(fx.contoso_admin);
    let h = reads::directory_group(&fx.world, &admin, c, helpdesk).unwrap();
    assert!(h.may_assign_roles && h.addable_roles.len() == DirectoryRole::ALL.len());
    let p = reads::directory_group(&fx.world, &admin, c, platform).unwrap();
    assert!(!p.may_assign_roles && p.addable_roles.is_empty());
    let ua = reads::directory_group(&fx.world, &fx.member(fx.contoso_useradmin), c, helpdesk);
    assert!(
        !ua.unwrap().may_manage,
        "a role-assignable group is for Global Administrators and its owners"
    );
}

#[test]
fn a_group_page_lists_its_role_assignments_to_who_may_read_them_and_all_to_who_may_delete_it() {
    let mut fx = Fx::article();
    let t = fx.alicedefault;
    let ops = fx.group(t, "Ops", &[fx.erin]);
    let frank = fx.user(t, "frank", None);
    fx.assign(fx.sub_scope(), roles::CONTRIBUTOR, ops);
    let alice = reads::directory_group(&fx.world, &fx.alice_home(), t, ops).unwrap();
    assert!(alice.may_manage);
    let roles: Vec<&str> = alice.assignments.iter().map(|a| a.role.as_str()).collect();
    assert_eq!(roles, ["Contributor"]);
    let frank = reads::directory_group(&fx.world, &fx.member(frank), t, ops).unwrap();
    assert!(
        frank.assignments.is_empty(),
        "frank may read no role assignment of the subscription"
    );
    // Erin holds the role through the group, and the page of her subscription says so.
    let part = fx.world.subscription(fx.sub).unwrap();
    let held = reads::held_access(&fx.world, part, None, Some(fx.erin));
    let through: Vec<(&str, Option<&str>)> = held
        .assignments
        .iter()
        .map(|a| {
            (
                a.role.name.as_str(),
                a.through.map(|g| g.display_name.as_str()),
            )
        })
        .collect();
    assert!(
        through.contains(&("Contributor", Some("Ops"))),
        "{through:?}"
    );
    assert!(through.contains(&("Reader", None)), "{through:?}");
    // Access control offers the group to assign to.
    let a = reads::access_control(&fx.world, &fx.alice_home(), &fx.sub_scope()).unwrap();
    assert!(a.principals.iter().any(|p| p.id() == ops));
    assert_eq!(
        reads::assignable_principal(&fx.world, &fx.alice_home(), &fx.sub_scope(), "group:ops")
            .unwrap(),
        ops
    );
}

#[test]
fn members_and_owners_are_named_only_for_who_may_change_the_group() {
    let mut fx = Fx::article();
    let c = fx.contoso;
    let (platform, _, backend) = nested_groups(&mut fx);
    let admin = fx.member(fx.contoso_admin);
    let named = |actor: &Actor, key: &str| {
        reads::group_principal_named(&fx.world, actor, c, platform, key, false)
    };
    assert_eq!(named(&admin, "carol@contoso.com").unwrap(), fx.carol);
    assert_eq!(named(&admin, "group:backend").unwrap(), backend);
    assert_eq!(named(&admin, " Backend ").unwrap(), backend);
    assert_eq!(
        code(named(&admin, "nobody@contoso.com")),
        "PrincipalNotFound"
    );
    assert_eq!(code(named(&admin, " ")), "PrincipalRequired");
    // Whoever may not change the group gets the change's own refusal, whatever the name.
    let carol = fx.member(fx.carol);
    let rule = refusal(groups::add_group_members(
        &fx.world,
        &carol,
        c,
        platform,
        &[fx.carol],
        fx.now,
    ));
    for key in ["carol@contoso.com", "nobody@contoso.com"] {
        assert_eq!(refusal(named(&carol, key)), rule);
    }
    // Another tenant's administrator: one answer for an existing group, a missing group and a missing
    // directory (but for the ids), naming nothing of Contoso.
    let outsider = fx.member(fx.fabrikam_admin);
    let missing_tenant = TenantId::new();
    let answers: Vec<String> = [
        (c, platform),
        (c, ObjectId::new()),
        (missing_tenant, platform),
    ]
    .into_iter()
    .map(|(t, g)| {
        let e = refusal(reads::group_principal_named(
            &fx.world,
            &outsider,
            t,
            g,
            "carol@contoso.com",
            true,
        ));
        assert_eq!(e.code, "Authorization_RequestDenied");
        format!("{} {:?}", e.message, e.remedy).replace(&t.to_string(), "{tenant}")
    })
    .collect();
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0], answers[2]);
    assert!(!answers[0].contains("Contoso"), "{}", answers[0]);
}

#[test]
fn groups_and_memberships_are_read_as_entra_lets_them() {
    use tenantry_domain::rules::groups;
    use tenantry_domain::rules::reads::{Among, GroupRelation, Membership, Whose};
    let mut fx = Fx::article();
    let t = fx.alicedefault;
    let inner = fx.group(t, "Inner", &[fx.erin]);
    let outer = fx.group(t, "Outer", &[inner]);
    let readers = fx.role_assignable_group(t, "Readers");
    fx.grant_directory_role(t, DirectoryRole::GlobalReader, readers);
    fx.add_members(t, readers, &[fx.erin]);
    let dave_id = fx.world.presence(fx.dave, t).unwrap();
    let now = fx.now;
    fx.ok(|fx| groups::add_group_owner(&fx.world, &Actor::Operator, t, inner, dave_id, now));
    let w = &fx.world;
    let whose = |object| Whose { object, kind: None };
    let (erin, dave) = (fx.member(fx.erin), fx.dave_home());
    let ids = |v: Vec<tenantry_domain::world::PrincipalRef>| {
        let mut ids: Vec<ObjectId> = v.iter().map(|p| p.id()).collect();
        ids.sort();
        ids
    };
    let sorted = |mut v: Vec<ObjectId>| {
        v.sort();
        v
    };

    // A member lists groups and their members; a guest without a role reads a group by id only, and
    // the members of the group it owns.
    assert_eq!(reads::groups(w, &erin, t).unwrap().len(), 3);
    assert_eq!(
        code(reads::groups(w, &dave, t)),
        "Authorization_RequestDenied"
    );
    assert_eq!(
        reads::group(w, &dave, t, outer).unwrap().display_name,
        "Outer"
    );
    let members = |actor: &Actor, g, r| reads::group_related(w, actor, t, g, r);
    assert_eq!(
        code(members(&dave, outer, GroupRelation::Members)),
        "Authorization_RequestDenied"
    );
    assert_eq!(
        ids(members(&dave, inner, GroupRelation::Members).unwrap()),
        [fx.erin]
    );
    assert_eq!(
        ids(members(&erin, outer, GroupRelation::TransitiveMembers).unwrap()),
        sorted(vec![inner, fx.erin])
    );
    assert_eq!(
        ids(members(&erin, inner, GroupRelation::Owners).unwrap()),
        [dave_id]
    );
    // Another directory's caller: refused before anything is looked up.
    let contoso_admin = fx.member(fx.contoso_admin);
    let missing = ObjectId::new();
    for g in [outer, missing] {
        assert_eq!(
            code(reads::group(w, &contoso_admin, t, g)),
            "Authorization_RequestDenied"
        );
    }
    assert_eq!(
        code(reads::group(w, &erin, t, missing)),
        "Request_ResourceNotFound"
    );

    // memberOf: direct groups and roles; transitive: through nesting and role-assignable groups.
    let ids_of = |m: Vec<Membership>| {
        let mut v: Vec<String> = m.iter().map(|m| m.id()).collect();
        v.sort();
        v
    };
    let strings = |v: &[ObjectId]| {
        let mut s: Vec<String> = v.iter().map(|o| o.to_string()).collect();
        s.sort();
        s
    };
    let direct = reads::member_of(w, &erin, t, whose(fx.erin), false).unwrap();
    assert_eq!(ids_of(direct), strings(&[inner, readers]));
    let through = reads::member_of(
        w,
        &erin,
        t,
        Whose {
            object: fx.erin,
            kind: Some(PrincipalType::User),
        },
        true,
    )
    .unwrap();
    let mut expected = strings(&[inner, outer, readers]);
    expected.push(DirectoryRole::GlobalReader.template_id().to_string());
    expected.sort();
    assert_eq!(ids_of(through), expected);
    assert_eq!(
        code(reads::member_of(
            w,
            &erin,
            t,
            Whose {
                object: inner,
                kind: Some(PrincipalType::User)
            },
            false
        )),
        "Request_ResourceNotFound",
        "a group is not a user"
    );
    // A guest reads its own memberships, not another's.
    assert!(
        reads::member_of(w, &dave, t, whose(dave_id), true)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        code(reads::member_of(w, &dave, t, whose(fx.erin), true)),
        "Authorization_RequestDenied"
    );
    assert_eq!(
        reads::owned_groups(w, &dave, t, whose(dave_id))
            .unwrap()
            .iter()
            .map(|g| g.id)
            .collect::<Vec<_>>(),
        [inner]
    );

    // The actions.
    let mut groups_of_erin =
        reads::member_ids(w, &erin, t, whose(fx.erin), Among::Groups, true).unwrap();
    groups_of_erin.sort();
    assert_eq!(groups_of_erin, strings(&[inner, outer, readers]));
    let asked = [missing.to_string(), outer.to_string().to_uppercase()];
    assert_eq!(
        reads::check_member_ids(w, &erin, t, whose(fx.erin), Among::Groups, &asked).unwrap(),
        [outer.to_string().to_uppercase()]
    );
    let too_many = vec![outer.to_string(); reads::MAX_CHECKED_GROUPS + 1];
    assert_eq!(
        code(reads::check_member_ids(
            w,
            &erin,
            t,
            whose(fx.erin),
            Among::Groups,
            &too_many
        )),
        "TooManyGroupIds"
    );
    let role = DirectoryRole::GlobalReader.template_id().to_string();
    assert!(
        reads::member_ids(w, &erin, t, whose(fx.erin), Among::Objects, false)
            .unwrap()
            .contains(&role)
    );
    assert_eq!(
        reads::check_member_ids(
            w,
            &erin,
            t,
            whose(fx.erin),
            Among::Objects,
            &[role.clone(), missing.to_string()]
        )
        .unwrap(),
        [role]
    );
}
