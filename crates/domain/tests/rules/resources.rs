//! Resource groups and resources: cascading deletes, Azure's naming rules, and their refusals.

use crate::fixtures::*;
use tenantry_domain::rules::resources::{self, ResourceGroupWrite, ResourceWrite};
use tenantry_domain::*;

fn group_write(location: &str) -> ResourceGroupWrite {
    ResourceGroupWrite {
        location: location.into(),
        tags: None,
        managed_by: None,
    }
}

fn resource_write() -> ResourceWrite {
    ResourceWrite {
        identity: None,
        location: Some("West Europe".into()),
        kind: None,
        tags: Default::default(),
        properties: serde_json::json!({"sku": "Standard_LRS"}),
    }
}

#[test]
fn deleting_a_resource_group_removes_its_resources_and_the_assignments_at_or_under_it() {
    let mut fx = Fx::article();
    let rg2 = fx.put_group("rg2");
    let st2 = fx.put_storage("rg2", "st2");
    let at_resource = fx.assign(fx.storage.clone(), roles::CONTRIBUTOR, fx.erin);
    let elsewhere = fx.assign(rg2.clone(), roles::READER, fx.erin);
    let at_sub = fx.app_log_reader;
    let erin_reader = fx.erin_reader;
    let change = fx.ok(|fx| {
        resources::delete_resource_group(&fx.world, &fx.alice_home(), fx.sub, "RG1", fx.now)
    });
    assert_eq!(change.audit.len(), 1);
    let s = fx.world.subscription(fx.sub).unwrap();
    assert!(s.resource_group("rg1").is_none());
    assert!(!s.resources.contains_key(fx.storage.key()));
    assert!(s.resources.contains_key(st2.key()));
    assert!(!s.assignments.contains_key(&erin_reader));
    assert!(!s.assignments.contains_key(&at_resource));
    assert!(s.assignments.contains_key(&elsewhere));
    assert!(s.assignments.contains_key(&at_sub));
    // erin lost access there at once.
    assert!(!fx.can(
        &fx.member(fx.erin),
        tenantry_domain::action::names::RESOURCE_GROUP_READ,
        &fx.rg("rg1")
    ));
}

#[test]
fn deleting_a_resource_removes_its_nested_resources_and_their_assignments() {
    let mut fx = Fx::article();
    let vnet = Scope::resource(fx.sub, "rg1", "Microsoft.Network", "virtualNetworks/v1").unwrap();
    let subnet = Scope::resource(
        fx.sub,
        "rg1",
        "Microsoft.Network",
        "virtualNetworks/v1/subnets/s1",
    )
    .unwrap();
    for s in [&vnet, &subnet] {
        fx.ok_with(|fx| {
            resources::put_resource(&fx.world, &Actor::Operator, s, resource_write(), fx.now)
        });
    }
    let on_subnet = fx.assign(subnet.clone(), roles::READER, fx.erin);
    let on_storage = fx.assign(fx.storage.clone(), roles::READER, fx.app);
    fx.ok(|fx| resources::delete_resource(&fx.world, &fx.alice_home(), &vnet, fx.now));
    let s = fx.world.subscription(fx.sub).unwrap();
    assert!(!s.resources.contains_key(vnet.key()));
    assert!(!s.resources.contains_key(subnet.key()));
    assert!(!s.assignments.contains_key(&on_subnet));
    assert!(s.assignments.contains_key(&on_storage));
    assert!(s.resources.contains_key(fx.storage.key()));
    let r = resources::delete_resource(&fx.world, &fx.alice_home(), &vnet, fx.now);
    assert_eq!(code(r), "ResourceNotFound");
}

#[test]
fn resource_group_names_follow_azure_rules() {
    let fx = Fx::article();
    for bad in [
        "bad name",
        "ends.with.period.",
        "",
        &"x".repeat(91),
        "slash/no",
        "star*",
    ] {
        let r = resources::put_resource_group(
            &fx.world,
            &fx.alice_home(),
            fx.sub,
            bad,
            group_write("westeurope"),
            fx.now,
        );
        assert_eq!(code(r), "InvalidResourceGroup", "{bad:?}");
    }
    let mut fx = fx;
    for good in ["rg-1_(x).y", &"x".repeat(90), "Ünïcode"] {
        let created = fx.ok_with(|fx| {
            resources::put_resource_group(
                &fx.world,
                &fx.alice_home(),
                fx.sub,
                good,
                group_write("westeurope"),
                fx.now,
            )
        });
        assert!(created, "{good}");
    }
}

#[test]
fn a_resource_group_needs_a_location() {
    let fx = Fx::article();
    let r = resources::put_resource_group(
        &fx.world,
        &fx.alice_home(),
        fx.sub,
        "rg9",
        group_write("  "),
        fx.now,
    );
    assert_eq!(code(r), "LocationRequired");
}

#[test]
fn a_resource_in_a_missing_group_is_refused_with_resource_group_not_found() {
    let fx = Fx::article();
    let scope =
        Scope::resource(fx.sub, "nowhere", "Microsoft.Storage", "storageAccounts/x").unwrap();
    let r = resources::put_resource(
        &fx.world,
        &fx.alice_home(),
        &scope,
        resource_write(),
        fx.now,
    );
    assert_eq!(code(r), "ResourceGroupNotFound");
    let r =
        resources::delete_resource_group(&fx.world, &fx.alice_home(), fx.sub, "nowhere", fx.now);
    assert_eq!(code(r), "ResourceGroupNotFound");
}

#[test]
fn a_nested_resource_needs_its_parent() {
    let fx = Fx::article();
    let subnet = Scope::resource(
        fx.sub,
        "rg1",
        "Microsoft.Network",
        "virtualNetworks/v9/subnets/s1",
    )
    .unwrap();
    let r = resources::put_resource(
        &fx.world,
        &fx.alice_home(),
        &subnet,
        resource_write(),
        fx.now,
    );
    assert_eq!(code(r), "ParentResourceNotFound");
}

#[test]
fn a_resource_group_cannot_change_location() {
    let mut fx = Fx::article();
    let r = resources::put_resource_group(
        &fx.world,
        &fx.alice_home(),
        fx.sub,
        "rg1",
        group_write("eastus"),
        fx.now,
    );
    assert_eq!(code(r), "InvalidResourceGroupLocation");
    // The same location, written differently, is an update, and the first name's case stays.
    let created = fx.ok_with(|fx| {
        resources::put_resource_group(
            &fx.world,
            &fx.alice_home(),
            fx.sub,
            "RG1",
            group_write("WestEurope"),
            fx.now,
        )
    });
    assert!(!created);
    let g = fx.resource_group("rg1");
    assert_eq!(g.name, "rg1");
    assert_eq!(g.location, "westeurope");
}

#[test]
fn readers_cannot_create_or_delete_groups_and_resources() {
    let fx = Fx::article();
    let erin = fx.member(fx.erin);
    let r = resources::put_resource_group(
        &fx.world,
        &erin,
        fx.sub,
        "rg9",
        group_write("westeurope"),
        fx.now,
    );
    assert_eq!(code(r), "AuthorizationFailed");
    let r = resources::delete_resource_group(&fx.world, &erin, fx.sub, "rg1", fx.now);
    assert_eq!(code(r), "AuthorizationFailed");
    let r = resources::put_resource(&fx.world, &erin, &fx.storage, resource_write(), fx.now);
    assert_eq!(code(r), "AuthorizationFailed");
    let r = resources::delete_resource(&fx.world, &erin, &fx.storage, fx.now);
    assert_eq!(code(r), "AuthorizationFailed");
}

#[test]
fn a_contributor_of_a_group_manages_its_resources_but_not_other_groups() {
    let mut fx = Fx::article();
    fx.put_group("rg2");
    fx.assign(fx.rg("rg1"), roles::CONTRIBUTOR, fx.erin);
    let erin = fx.member(fx.erin);
    let st9 = Scope::resource(fx.sub, "rg1", "Microsoft.Storage", "storageAccounts/st9").unwrap();
    let created =
        fx.ok_with(|fx| resources::put_resource(&fx.world, &erin, &st9, resource_write(), fx.now));
    assert!(created);
    let r = fx
        .world
        .subscription(fx.sub)
        .unwrap()
        .resources
        .get(st9.key())
        .unwrap();
    assert_eq!(r.location.as_deref(), Some("westeurope"));
    let other = Scope::resource(fx.sub, "rg2", "Microsoft.Storage", "storageAccounts/st9").unwrap();
    let r = resources::put_resource(&fx.world, &erin, &other, resource_write(), fx.now);
    assert_eq!(code(r), "AuthorizationFailed");
    let r = resources::put_resource_group(
        &fx.world,
        &erin,
        fx.sub,
        "rg3",
        group_write("westeurope"),
        fx.now,
    );
    assert_eq!(code(r), "AuthorizationFailed");
}

fn patch(tags: std::collections::BTreeMap<String, String>) -> resources::ResourceGroupPatch {
    resources::ResourceGroupPatch {
        tags: Some(tags),
        managed_by: None,
    }
}

#[test]
fn tags_of_a_group_are_replaced_by_its_owner() {
    let mut fx = Fx::article();
    let tags: std::collections::BTreeMap<String, String> =
        [("env".to_string(), "prod".to_string())].into();
    let t = tags.clone();
    fx.ok(|fx| {
        resources::update_resource_group(
            &fx.world,
            &fx.dave_home(),
            fx.sub,
            "rg1",
            patch(t),
            fx.now,
        )
    });
    assert_eq!(fx.resource_group("rg1").tags, tags);
    let r = resources::update_resource_group(
        &fx.world,
        &fx.member(fx.erin),
        fx.sub,
        "rg1",
        patch(tags),
        fx.now,
    );
    assert_eq!(code(r), "AuthorizationFailed");
}

#[test]
fn microsoft_resources_types_with_a_meaning_are_refused_not_stored() {
    let mut fx = Fx::article();
    for ty in ["tags/default", "deployments/d1", "deploymentScripts/s1"] {
        let scope = Scope::resource(fx.sub, "rg1", "Microsoft.Resources", ty).unwrap();
        let r = resources::put_resource(
            &fx.world,
            &fx.alice_home(),
            &scope,
            resource_write(),
            fx.now,
        );
        assert_eq!(code(r), "UnsupportedResourceType", "{ty}");
        let s = fx.world.subscription(fx.sub).unwrap();
        assert!(!s.resources.contains_key(scope.key()), "{ty}");
    }
    // A template spec is only a document: stored like any other type.
    let spec = Scope::resource(fx.sub, "rg1", "microsoft.resources", "templateSpecs/t1").unwrap();
    let created = fx.ok_with(|fx| {
        resources::put_resource(&fx.world, &fx.alice_home(), &spec, resource_write(), fx.now)
    });
    assert!(created);
}
