//! Managed identities: user-assigned identities as resources backed by a service principal of the
//! subscription's directory, system-assigned identities created and removed with their resource, role
//! assignments to them, and everything that goes when they go (listed in the audit event).

use crate::fixtures::*;
use tenantry_domain::rules::identities::{self, IdentityWrite, UserAssignedIdentityWrite};
use tenantry_domain::rules::reads;
use tenantry_domain::rules::resources::{self, ResourceWrite};
use tenantry_domain::*;

fn identity_scope(fx: &Fx, group: &str, name: &str) -> Scope {
    Scope::resource(
        fx.sub,
        group,
        "Microsoft.ManagedIdentity",
        &format!("userAssignedIdentities/{name}"),
    )
    .unwrap()
}

fn identity_write() -> ResourceWrite {
    ResourceWrite {
        identity: None,
        location: Some("westeurope".into()),
        kind: None,
        tags: [("env".to_string(), "prod".to_string())].into(),
        properties: serde_json::json!({"principalId": "ignored", "isolationScope": "None"}),
    }
}

fn storage_write(identity: Option<IdentityWrite>) -> ResourceWrite {
    ResourceWrite {
        identity,
        location: Some("westeurope".into()),
        kind: Some("StorageV2".into()),
        tags: Default::default(),
        properties: serde_json::json!({}),
    }
}

fn with_type(type_name: &str, user_assigned: &[&Scope]) -> Option<IdentityWrite> {
    Some(IdentityWrite {
        type_name: type_name.into(),
        user_assigned: user_assigned.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    })
}

/// erin, Contributor on rg1.
fn contributor(fx: &mut Fx) -> Actor {
    fx.assign(fx.rg("rg1"), roles::CONTRIBUTOR, fx.erin);
    fx.member(fx.erin)
}

/// The managed identity's service principal acting with a token of its own (what the token endpoints of
/// the next step issue).
fn acting_as(fx: &Fx, principal: ObjectId) -> Actor {
    application(&fx.world, principal)
}

#[test]
fn a_contributor_creates_a_user_assigned_identity_backed_by_a_service_principal_of_the_directory() {
    let mut fx = Fx::article();
    let erin = contributor(&mut fx);
    let scope = identity_scope(&fx, "rg1", "id-web");
    let (change, created) =
        resources::put_resource(&fx.world, &erin, &scope, identity_write(), fx.now).unwrap();
    assert!(created);
    apply(&mut fx.world, &change);
    let p = fx
        .world
        .managed_identity(&scope)
        .expect("a principal")
        .clone();
    assert_eq!(p.tenant, fx.alicedefault);
    assert_eq!(p.service_principal_type(), "ManagedIdentity");
    assert_eq!(p.display_name, "id-web");
    assert!(p.secrets.is_empty());
    assert_eq!(
        p.managed_identity,
        Some(ManagedIdentityOf {
            resource: scope.clone(),
            kind: ManagedIdentityKind::UserAssigned
        })
    );
    // The audit event says which principal was made.
    let event = &change.audit[0];
    assert_eq!(
        event.operation,
        "Microsoft.ManagedIdentity/userAssignedIdentities/write"
    );
    assert_eq!(event.details["principalId"], serde_json::json!(p.id));
    assert_eq!(event.details["clientId"], serde_json::json!(p.client_id));
    // It reads with the principal's ids; the ids a client sent are not kept.
    let r = reads::get_resource(&fx.world, &erin, &scope).unwrap();
    assert_eq!(r.properties, serde_json::json!({"isolationScope": "None"}));
    let view = identities::resource_view(&fx.world, r);
    let own = view.own_principal.expect("its principal");
    assert_eq!(own.principal_id, p.id);
    assert_eq!(own.client_id, p.client_id);
    assert_eq!(own.tenant_id, fx.alicedefault);
    // A second PUT updates tags and keeps the principal.
    let mut again = identity_write();
    again.tags = Default::default();
    let (change, created) =
        resources::put_resource(&fx.world, &erin, &scope, again, fx.now + 1).unwrap();
    assert!(!created);
    apply(&mut fx.world, &change);
    assert_eq!(fx.world.managed_identity(&scope).unwrap().id, p.id);
    let s = fx.world.subscription(fx.sub).unwrap();
    assert!(s.resources[scope.key()].tags.is_empty());
}

#[test]
fn a_reader_reads_identities_but_may_not_create_or_delete_them() {
    let mut fx = Fx::article();
    let scope = identity_scope(&fx, "rg1", "id-web");
    fx.ok_with(|fx| {
        resources::put_resource(
            &fx.world,
            &fx.alice_home(),
            &scope,
            identity_write(),
            fx.now,
        )
    });
    // erin is Reader on rg1.
    let erin = fx.member(fx.erin);
    assert!(reads::get_resource(&fx.world, &erin, &scope).is_ok());
    let listed = reads::list_resources(&fx.world, &erin, fx.sub, Some("rg1")).unwrap();
    assert!(listed.iter().any(|r| r.scope == scope));
    let other = identity_scope(&fx, "rg1", "id-other");
    let r = resources::put_resource(&fx.world, &erin, &other, identity_write(), fx.now);
    let e = refusal(r);
    assert_eq!(e.code, "AuthorizationFailed");
    assert!(
        e.message
            .contains("Microsoft.ManagedIdentity/userAssignedIdentities/write")
    );
    assert_eq!(
        code(resources::delete_resource(&fx.world, &erin, &scope, fx.now)),
        "AuthorizationFailed"
    );
    assert!(fx.world.managed_identity(&other).is_none());
}

#[test]
fn identity_names_follow_azure_and_a_location_is_required() {
    let mut fx = Fx::article();
    for bad in ["ab", "-starts-with-hyphen", "has.dot", &"x".repeat(129)] {
        let scope = identity_scope(&fx, "rg1", bad);
        let r = resources::put_resource(
            &fx.world,
            &Actor::Operator,
            &scope,
            identity_write(),
            fx.now,
        );
        assert_eq!(code(r), "InvalidResourceName", "{bad}");
    }
    let scope = identity_scope(&fx, "rg1", "ok_name-1");
    let mut w = identity_write();
    w.location = None;
    let r = resources::put_resource(&fx.world, &Actor::Operator, &scope, w, fx.now);
    assert_eq!(code(r), "LocationRequired");
    let missing_group = identity_scope(&fx, "nope", "id-web");
    let r = resources::put_resource(
        &fx.world,
        &Actor::Operator,
        &missing_group,
        identity_write(),
        fx.now,
    );
    assert_eq!(code(r), "ResourceGroupNotFound");
    fx.ok_with(|fx| {
        resources::put_resource(
            &fx.world,
            &Actor::Operator,
            &scope,
            identity_write(),
            fx.now,
        )
    });
    let mut moved = identity_write();
    moved.location = Some("eastus".into());
    let r = resources::put_resource(&fx.world, &Actor::Operator, &scope, moved, fx.now);
    assert_eq!(code(r), "InvalidResourceLocation");
}

#[test]
fn a_role_assigned_to_an_identity_lets_it_act_and_deleting_it_takes_the_principal_and_its_assignments()
 {
    let mut fx = Fx::article();
    let erin = contributor(&mut fx);
    let scope = identity_scope(&fx, "rg1", "id-web");
    fx.ok_with(|fx| resources::put_resource(&fx.world, &erin, &scope, identity_write(), fx.now));
    let principal = fx.world.managed_identity(&scope).unwrap().id;
    let mi = acting_as(&fx, principal);
    assert!(!fx.can(&mi, STORAGE_WRITE, &fx.storage));
    // As `az role assignment create --assignee-object-id … --assignee-principal-type ServicePrincipal`.
    let on_storage = fx.assign(fx.storage.clone(), roles::CONTRIBUTOR, principal);
    let on_sub = fx.assign(fx.sub_scope(), roles::READER, principal);
    let a = &fx.world.subscription(fx.sub).unwrap().assignments[&on_storage];
    assert_eq!(a.principal_type, PrincipalType::ServicePrincipal);
    let mi = acting_as(&fx, principal);
    assert!(fx.can(&mi, STORAGE_WRITE, &fx.storage));
    assert!(fx.can(&mi, STORAGE_READ, &fx.rg("rg1")));
    assert!(!fx.can(&mi, STORAGE_WRITE, &fx.rg("rg1")));

    let change = fx.ok(|fx| resources::delete_resource(&fx.world, &erin, &scope, fx.now));
    assert!(fx.world.application(principal).is_none());
    assert!(fx.world.managed_identity(&scope).is_none());
    let s = fx.world.subscription(fx.sub).unwrap();
    assert!(!s.resources.contains_key(scope.key()));
    assert!(!s.assignments.contains_key(&on_storage));
    assert!(!s.assignments.contains_key(&on_sub));
    // One event, listing the principal and its assignments.
    assert_eq!(change.audit.len(), 1);
    let gone = &change.audit[0].details["managedIdentities"][0];
    assert_eq!(gone["principalId"], serde_json::json!(principal));
    let listed: Vec<RoleAssignmentId> =
        serde_json::from_value(gone["roleAssignments"].clone()).unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.contains(&on_storage) && listed.contains(&on_sub));
}

#[test]
fn a_system_assigned_identity_lives_and_dies_with_its_resource() {
    let mut fx = Fx::article();
    let erin = contributor(&mut fx);
    let web = Scope::resource(fx.sub, "rg1", "Microsoft.Web", "sites/web1").unwrap();
    let change = fx.ok(|fx| {
        resources::put_resource(
            &fx.world,
            &erin,
            &web,
            storage_write(with_type("SystemAssigned", &[])),
            fx.now,
        )
        .map(|(c, _)| c)
    });
    let p = fx
        .world
        .managed_identity(&web)
        .expect("a principal")
        .clone();
    assert_eq!(
        p.managed_identity.as_ref().unwrap().kind,
        ManagedIdentityKind::SystemAssigned
    );
    assert_eq!(p.tenant, fx.alicedefault);
    assert_eq!(
        change.audit[0].details["identity"]["principalId"],
        serde_json::json!(p.id)
    );
    let r = reads::get_resource(&fx.world, &erin, &web).unwrap();
    let view = identities::resource_view(&fx.world, r);
    let id = view.identity.expect("an identity block");
    assert_eq!(id.type_name, "SystemAssigned");
    assert_eq!(id.system_assigned.unwrap().principal_id, p.id);
    assert!(view.own_principal.is_none());

    // A PUT without an identity block keeps it, and the same principal.
    fx.ok_with(|fx| resources::put_resource(&fx.world, &erin, &web, storage_write(None), fx.now));
    assert_eq!(fx.world.managed_identity(&web).unwrap().id, p.id);

    // Type None removes the principal and its assignments.
    let held = fx.assign(fx.storage.clone(), roles::READER, p.id);
    let change = fx.ok(|fx| {
        resources::put_resource(
            &fx.world,
            &erin,
            &web,
            storage_write(with_type("None", &[])),
            fx.now,
        )
        .map(|(c, _)| c)
    });
    assert!(fx.world.application(p.id).is_none());
    let s = fx.world.subscription(fx.sub).unwrap();
    assert!(!s.assignments.contains_key(&held));
    assert!(s.resources[web.key()].identity.is_none());
    let removed = &change.audit[0].details["identity"]["removed"];
    assert_eq!(removed["principalId"], serde_json::json!(p.id));
    assert_eq!(removed["roleAssignments"], serde_json::json!([held]));

    // Enabled again: a new principal; deleting the resource takes it.
    fx.ok_with(|fx| {
        resources::put_resource(
            &fx.world,
            &erin,
            &web,
            storage_write(with_type("systemassigned", &[])),
            fx.now,
        )
    });
    let again = fx.world.managed_identity(&web).unwrap().id;
    assert_ne!(again, p.id);
    let change = fx.ok(|fx| resources::delete_resource(&fx.world, &erin, &web, fx.now));
    assert!(fx.world.application(again).is_none());
    assert_eq!(
        change.audit[0].details["managedIdentities"][0]["principalId"],
        serde_json::json!(again)
    );
}

#[test]
fn system_and_user_assigned_together_show_each_principal() {
    let mut fx = Fx::article();
    let id = identity_scope(&fx, "rg1", "id-web");
    fx.ok_with(|fx| {
        resources::put_resource(&fx.world, &Actor::Operator, &id, identity_write(), fx.now)
    });
    let user = fx.world.managed_identity(&id).unwrap().clone();
    let web = Scope::resource(fx.sub, "rg1", "Microsoft.Web", "sites/web1").unwrap();
    fx.ok_with(|fx| {
        resources::put_resource(
            &fx.world,
            &fx.alice_home(),
            &web,
            storage_write(with_type("SystemAssigned, UserAssigned", &[&id])),
            fx.now,
        )
    });
    let system = fx.world.managed_identity(&web).unwrap().id;
    let r = reads::get_resource(&fx.world, &fx.alice_home(), &web).unwrap();
    let view = identities::resource_view(&fx.world, r).identity.unwrap();
    assert_eq!(view.type_name, "SystemAssigned, UserAssigned");
    assert_eq!(view.system_assigned.unwrap().principal_id, system);
    assert_eq!(view.user_assigned.len(), 1);
    let (s, p) = &view.user_assigned[0];
    assert_eq!(s, &id);
    let p = p.clone().unwrap();
    assert_eq!((p.principal_id, p.client_id), (user.id, user.client_id));

    // Only UserAssigned now: the system-assigned principal goes, the user-assigned one stays.
    fx.ok_with(|fx| {
        resources::put_resource(
            &fx.world,
            &fx.alice_home(),
            &web,
            storage_write(with_type("UserAssigned", &[&id])),
            fx.now,
        )
    });
    assert!(fx.world.application(system).is_none());
    assert!(fx.world.application(user.id).is_some());
}

#[test]
fn an_identity_block_is_refused_when_it_names_nothing_assignable() {
    let mut fx = Fx::article();
    let web = Scope::resource(fx.sub, "rg1", "Microsoft.Web", "sites/web1").unwrap();
    let put = |fx: &Fx, actor: &Actor, identity| {
        resources::put_resource(&fx.world, actor, &web, storage_write(identity), fx.now)
    };
    let op = Actor::Operator;
    assert_eq!(
        code(put(&fx, &op, with_type("Magic", &[]))),
        "InvalidIdentityType"
    );
    assert_eq!(
        code(put(&fx, &op, with_type("UserAssigned", &[]))),
        "InvalidIdentityType"
    );
    let missing = identity_scope(&fx, "rg1", "id-missing");
    assert_eq!(
        code(put(&fx, &op, with_type("UserAssigned", &[&missing]))),
        "InvalidIdentityResourceId"
    );
    // The storage account is no identity.
    let storage = fx.storage.clone();
    assert_eq!(
        code(put(&fx, &op, with_type("UserAssigned", &[&storage]))),
        "InvalidIdentityResourceId"
    );
    // Assigning takes …/assign/action on the identity: erin, Contributor on rg2 only, lacks it on rg1.
    let id = identity_scope(&fx, "rg1", "id-web");
    fx.ok_with(|fx| resources::put_resource(&fx.world, &op, &id, identity_write(), fx.now));
    fx.put_group("rg2");
    fx.assign(fx.rg("rg2"), roles::CONTRIBUTOR, fx.erin);
    let web2 = Scope::resource(fx.sub, "rg2", "Microsoft.Web", "sites/web2").unwrap();
    let erin = fx.member(fx.erin);
    let e = refusal(resources::put_resource(
        &fx.world,
        &erin,
        &web2,
        storage_write(with_type("UserAssigned", &[&id])),
        fx.now,
    ));
    assert_eq!(e.code, "AuthorizationFailed");
    assert!(e.message.contains(identities::ASSIGN_IDENTITY_ACTION));
    assert!(fx.world.managed_identity(&web2).is_none());
}

#[test]
fn deleting_a_resource_group_takes_the_identities_in_it_with_their_assignments() {
    let mut fx = Fx::article();
    fx.put_group("rg2");
    let id = identity_scope(&fx, "rg2", "id-job");
    fx.ok_with(|fx| {
        resources::put_resource(&fx.world, &Actor::Operator, &id, identity_write(), fx.now)
    });
    let web = Scope::resource(fx.sub, "rg2", "Microsoft.Web", "sites/web2").unwrap();
    fx.ok_with(|fx| {
        resources::put_resource(
            &fx.world,
            &Actor::Operator,
            &web,
            storage_write(with_type("SystemAssigned", &[])),
            fx.now,
        )
    });
    let user = fx.world.managed_identity(&id).unwrap().id;
    let system = fx.world.managed_identity(&web).unwrap().id;
    // An assignment elsewhere (rg1) goes too: the principal is gone.
    let held = fx.assign(fx.rg("rg1"), roles::READER, user);
    let change = fx.ok(|fx| {
        resources::delete_resource_group(&fx.world, &fx.alice_home(), fx.sub, "rg2", fx.now)
    });
    assert!(fx.world.application(user).is_none());
    assert!(fx.world.application(system).is_none());
    assert!(
        !fx.world
            .subscription(fx.sub)
            .unwrap()
            .assignments
            .contains_key(&held)
    );
    let gone = change.audit[0].details["managedIdentities"]
        .as_array()
        .unwrap();
    assert_eq!(gone.len(), 2);
}

#[test]
fn a_world_file_may_name_the_principal_and_client_ids_once() {
    let mut fx = Fx::article();
    let id = identity_scope(&fx, "rg1", "id-web");
    let principal = ObjectId("7d000000-0000-4000-8000-000000000001".parse().unwrap());
    let client: uuid::Uuid = "7c000000-0000-4000-8000-000000000001".parse().unwrap();
    let write = |principal_id, client_id| UserAssignedIdentityWrite {
        location: Some("West Europe".into()),
        tags: Default::default(),
        properties: serde_json::json!({}),
        principal_id,
        client_id,
    };
    fx.ok_with(|fx| {
        identities::put_user_assigned_identity(
            &fx.world,
            &Actor::Operator,
            &id,
            write(Some(principal), Some(client)),
            fx.now,
        )
    });
    let p = fx.world.managed_identity(&id).unwrap();
    assert_eq!((p.id, p.client_id), (principal, client));
    let s = fx.world.subscription(fx.sub).unwrap();
    assert_eq!(
        s.resources[id.key()].location.as_deref(),
        Some("westeurope")
    );
    let other = identity_scope(&fx, "rg1", "id-other");
    let r = identities::put_user_assigned_identity(
        &fx.world,
        &Actor::Operator,
        &other,
        write(Some(principal), None),
        fx.now,
    );
    assert_eq!(code(r), "PrincipalIdTaken");
    let r = identities::put_user_assigned_identity(
        &fx.world,
        &Actor::Operator,
        &other,
        write(None, Some(client)),
        fx.now,
    );
    assert_eq!(code(r), "ClientIdTaken");
}

#[test]
fn a_patch_changes_what_it_names_and_keeps_the_rest() {
    use tenantry_domain::rules::resources::ResourcePatch;
    let mut fx = Fx::article();
    let erin = contributor(&mut fx);
    let id = identity_scope(&fx, "rg1", "id-web");
    fx.ok_with(|fx| resources::put_resource(&fx.world, &erin, &id, identity_write(), fx.now));
    let principal = fx.world.managed_identity(&id).unwrap().id;
    let tags = Some([("env".to_string(), "test".to_string())].into());
    fx.ok(|fx| {
        let patch = ResourcePatch {
            tags: tags.clone(),
            ..Default::default()
        };
        resources::update_resource(&fx.world, &erin, &id, patch, fx.now)
    });
    let s = fx.world.subscription(fx.sub).unwrap();
    assert_eq!(Some(s.resources[id.key()].tags.clone()), tags);
    assert_eq!(
        s.resources[id.key()].location.as_deref(),
        Some("westeurope")
    );
    assert_eq!(fx.world.managed_identity(&id).unwrap().id, principal);
    // A system-assigned identity switched on by a PATCH of the storage account.
    let storage = fx.storage.clone();
    fx.ok(|fx| {
        let patch = ResourcePatch {
            identity: with_type("SystemAssigned", &[]),
            ..Default::default()
        };
        resources::update_resource(&fx.world, &erin, &storage, patch, fx.now)
    });
    assert!(fx.world.managed_identity(&storage).is_some());
    let s = fx.world.subscription(fx.sub).unwrap();
    assert_eq!(
        s.resources[storage.key()].kind.as_deref(),
        Some("StorageV2")
    );
    // Nothing to patch; a Reader may not.
    let missing = identity_scope(&fx, "rg1", "id-missing");
    let r =
        resources::update_resource(&fx.world, &erin, &missing, ResourcePatch::default(), fx.now);
    assert_eq!(code(r), "ResourceNotFound");
    fx.assign(fx.rg("rg1"), roles::READER, fx.app);
    let reader = application(&fx.world, fx.app);
    let r = resources::update_resource(&fx.world, &reader, &id, ResourcePatch::default(), fx.now);
    assert_eq!(code(r), "AuthorizationFailed");
}
