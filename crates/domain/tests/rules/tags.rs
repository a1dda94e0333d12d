//! The Tags API at each scope, who may use it, and the subscription's tag names summary.

use crate::fixtures::*;
use std::collections::BTreeMap;
use tenantry_domain::rules::resources::{self, ResourceGroupPatch, ResourcePatch};
use tenantry_domain::rules::tags::{self, TagNameUse};
use tenantry_domain::tags::TagsOperation::{self, *};
use tenantry_domain::*;

fn t(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn set(fx: &mut Fx, actor: &Actor, scope: &Scope, op: TagsOperation, given: &[(&str, &str)]) {
    let given = t(given);
    let actor = actor.clone();
    fx.ok(|fx| tags::set_tags(&fx.world, &actor, scope, op, given, fx.now).map(|(c, _)| c));
}

fn tags_at(fx: &Fx, scope: &Scope) -> BTreeMap<String, String> {
    tags::get_tags(&fx.world, &Actor::Operator, scope)
        .unwrap()
        .clone()
}

#[test]
fn the_tags_api_sets_tags_of_a_subscription_a_group_and_a_resource() {
    let mut fx = Fx::article();
    let alice = fx.alice_home();
    let (sub, rg, st) = (fx.sub_scope(), fx.rg("rg1"), fx.storage.clone());
    for scope in [&sub, &rg, &st] {
        set(
            &mut fx,
            &alice,
            scope,
            Replace,
            &[("Env", "prod"), ("team", "a")],
        );
        set(
            &mut fx,
            &alice,
            scope,
            Merge,
            &[("ENV", "dev"), ("cost", "42")],
        );
        assert_eq!(
            tags_at(&fx, scope),
            t(&[("Env", "dev"), ("cost", "42"), ("team", "a")]),
            "{scope}"
        );
        set(
            &mut fx,
            &alice,
            scope,
            Delete,
            &[("team", ""), ("cost", "other")],
        );
        assert_eq!(tags_at(&fx, scope), t(&[("Env", "dev"), ("cost", "42")]));
        fx.ok(|fx| tags::delete_tags(&fx.world, &alice, scope, fx.now));
        assert!(tags_at(&fx, scope).is_empty());
    }
    set(&mut fx, &alice, &sub, Replace, &[("costcenter", "42")]);
    assert_eq!(fx.subscription().tags, t(&[("costcenter", "42")]));
}

#[test]
fn tagging_keeps_everything_else_and_is_audited() {
    let mut fx = Fx::article();
    let before = fx.world.subscription(fx.sub).unwrap().resources[fx.storage.key()].clone();
    let alice = fx.alice_home();
    let st = fx.storage.clone();
    let change = fx.ok(|fx| {
        tags::set_tags(&fx.world, &alice, &st, Merge, t(&[("a", "b")]), fx.now).map(|(c, _)| c)
    });
    assert_eq!(change.audit[0].operation, "Microsoft.Resources/tags/write");
    let after = &fx.world.subscription(fx.sub).unwrap().resources[fx.storage.key()];
    assert_eq!(after.properties, before.properties);
    assert_eq!(after.location, before.location);
    assert_eq!(after.tags, t(&[("a", "b")]));
}

#[test]
fn a_tag_contributor_tags_what_it_may_not_change_and_a_reader_may_not_tag() {
    let mut fx = Fx::article();
    let tagger = fx.user(fx.alicedefault, "tagger", None);
    let rg1 = fx.rg("rg1");
    fx.assign(rg1.clone(), roles::TAG_CONTRIBUTOR, tagger);
    let tagger = fx.member(tagger);
    let st = fx.storage.clone();
    set(&mut fx, &tagger, &st, Merge, &[("owner", "tagger")]);
    set(&mut fx, &tagger, &rg1, Merge, &[("owner", "tagger")]);
    assert_eq!(tags_at(&fx, &st), t(&[("owner", "tagger")]));
    // Tagging is all it may do there.
    let patch = ResourcePatch {
        tags: Some(t(&[("x", "y")])),
        ..Default::default()
    };
    let r = resources::update_resource(&fx.world, &tagger, &st, patch, fx.now);
    assert_eq!(code(r), "AuthorizationFailed");
    let sub = fx.sub_scope();
    let r = tags::set_tags(&fx.world, &tagger, &sub, Merge, t(&[("a", "b")]), fx.now);
    assert_eq!(code(r), "AuthorizationFailed", "outside its scope");
    // erin reads rg1 but may not tag it.
    let erin = fx.member(fx.erin);
    let r = tags::set_tags(&fx.world, &erin, &rg1, Merge, t(&[("a", "b")]), fx.now);
    assert_eq!(code(r), "AuthorizationFailed");
    assert_eq!(
        tags::get_tags(&fx.world, &erin, &rg1).unwrap(),
        &t(&[("owner", "tagger")])
    );
    let r = tags::delete_tags(&fx.world, &erin, &rg1, fx.now);
    assert_eq!(code(r), "AuthorizationFailed");
}

#[test]
fn refusals_say_which_limit_and_leak_nothing() {
    let fx = Fx::article();
    let alice = fx.alice_home();
    let rg1 = fx.rg("rg1");
    let r = tags::set_tags(&fx.world, &alice, &rg1, Merge, t(&[("a/b", "x")]), fx.now);
    assert_eq!(code(r), "InvalidTagNameCharacters");
    let many: BTreeMap<String, String> = (0..51).map(|i| (format!("t{i}"), "v".into())).collect();
    let r = tags::set_tags(&fx.world, &alice, &rg1, Replace, many, fx.now);
    assert_eq!(code(r), "InvalidTagsCount");
    let missing = fx.rg("nope");
    let r = tags::set_tags(&fx.world, &alice, &missing, Merge, t(&[("a", "b")]), fx.now);
    assert_eq!(code(r), "ResourceGroupNotFound");
    // Someone of another directory learns nothing about the group.
    let fabrikam_admin = fx.member(fx.fabrikam_admin);
    let r = tags::set_tags(
        &fx.world,
        &fabrikam_admin,
        &missing,
        Merge,
        t(&[("a", "b")]),
        fx.now,
    );
    assert_eq!(code(r), "AuthorizationFailed");
    let r = tags::get_tags(&fx.world, &fabrikam_admin, &rg1);
    assert_eq!(code(r), "AuthorizationFailed");
}

#[test]
fn patching_a_group_changes_its_tags_and_managed_by_only() {
    let mut fx = Fx::article();
    let alice = fx.alice_home();
    let patch = ResourceGroupPatch {
        tags: Some(t(&[("env", "prod")])),
        managed_by: Some(Some("/subscriptions/x/resourceGroups/other".into())),
    };
    fx.ok(|fx| resources::update_resource_group(&fx.world, &alice, fx.sub, "RG1", patch, fx.now));
    let g = fx.resource_group("rg1").clone();
    assert_eq!(g.tags, t(&[("env", "prod")]));
    assert_eq!(
        g.managed_by.as_deref(),
        Some("/subscriptions/x/resourceGroups/other")
    );
    let only_managed_by = ResourceGroupPatch {
        tags: None,
        managed_by: Some(None),
    };
    fx.ok(|fx| {
        resources::update_resource_group(&fx.world, &alice, fx.sub, "rg1", only_managed_by, fx.now)
    });
    let g = fx.resource_group("rg1");
    assert_eq!(g.tags, t(&[("env", "prod")]), "tags left out stay");
    assert_eq!(g.managed_by, None);
    let bad = ResourceGroupPatch {
        tags: Some(t(&[("a", &"v".repeat(257))])),
        managed_by: None,
    };
    let r = resources::update_resource_group(&fx.world, &alice, fx.sub, "rg1", bad, fx.now);
    assert_eq!(code(r), "InvalidTagValueLength");
}

#[test]
fn patching_a_resource_merges_its_properties_at_every_depth() {
    let mut fx = Fx::article();
    let alice = fx.alice_home();
    let st = fx.storage.clone();
    let base = serde_json::json!({"a": {"b": 1, "c": 2}, "d": 3});
    let seed = resources::ResourcePatch {
        properties: Some(base),
        ..Default::default()
    };
    fx.ok(|fx| resources::update_resource(&fx.world, &alice, &st, seed, fx.now));
    let patch = resources::ResourcePatch {
        properties: Some(serde_json::json!({"a": {"c": null, "e": 5}, "d": 4})),
        tags: Some(t(&[("k", "v")])),
        ..Default::default()
    };
    fx.ok(|fx| resources::update_resource(&fx.world, &alice, &st, patch, fx.now));
    let r = &fx.world.subscription(fx.sub).unwrap().resources[st.key()];
    assert_eq!(r.properties["a"], serde_json::json!({"b": 1, "e": 5}));
    assert_eq!(r.properties["d"], 4);
    assert_eq!(r.tags, t(&[("k", "v")]));
}

#[test]
fn tag_names_count_what_the_caller_may_read() {
    let mut fx = Fx::article();
    let alice = fx.alice_home();
    fx.put_group("rg2");
    let st2 = fx.put_storage("rg2", "st2");
    let (sub, rg1, rg2, st) = (
        fx.sub_scope(),
        fx.rg("rg1"),
        fx.rg("rg2"),
        fx.storage.clone(),
    );
    set(&mut fx, &alice, &sub, Replace, &[("Env", "prod")]);
    set(
        &mut fx,
        &alice,
        &rg1,
        Replace,
        &[("env", "prod"), ("team", "a")],
    );
    set(&mut fx, &alice, &rg2, Replace, &[("ENV", "dev")]);
    set(&mut fx, &alice, &st, Replace, &[("env", "dev")]);
    set(&mut fx, &alice, &st2, Replace, &[("other", "")]);
    let names = tags::tag_names(&fx.world, &alice, fx.sub).unwrap();
    assert_eq!(
        names,
        vec![
            TagNameUse {
                name: "Env".into(),
                count: 4,
                values: vec![("prod".into(), 2), ("dev".into(), 2)],
            },
            TagNameUse {
                name: "other".into(),
                count: 1,
                values: vec![("".into(), 1)],
            },
            TagNameUse {
                name: "team".into(),
                count: 1,
                values: vec![("a".into(), 1)],
            },
        ]
    );
    // erin reads rg1 only: she may not list the subscription's tag names.
    let erin = fx.member(fx.erin);
    assert_eq!(
        code(tags::tag_names(&fx.world, &erin, fx.sub)),
        "AuthorizationFailed"
    );
}

fn predefined(fx: &Fx) -> BTreeMap<String, Vec<String>> {
    fx.subscription().tag_names.clone()
}

#[test]
fn predefined_tag_names_and_values_are_created_once_and_listed_beside_those_in_use() {
    let mut fx = Fx::article();
    let alice = fx.alice_home();
    let created = fx.ok_with(|fx| tags::create_tag_name(&fx.world, &alice, fx.sub, "Env", fx.now));
    assert!(created.created);
    assert_eq!(
        created.view,
        TagNameUse {
            name: "Env".into(),
            count: 0,
            values: vec![],
        },
        "a new name counts 0"
    );
    // Names compare case-insensitively: the second PUT finds the first and changes nothing.
    let (change, again) = tags::create_tag_name(&fx.world, &alice, fx.sub, "ENV", fx.now).unwrap();
    assert!(!again.created && change.mutations.is_empty() && change.audit.is_empty());
    assert_eq!(again.view.name, "Env");
    let v =
        fx.ok_with(|fx| tags::create_tag_value(&fx.world, &alice, fx.sub, "env", "prod", fx.now));
    assert_eq!((v.view, v.created), (("prod".to_string(), 0), true));
    fx.ok_with(|fx| tags::create_tag_value(&fx.world, &alice, fx.sub, "env", "dev", fx.now));
    let (_, same) =
        tags::create_tag_value(&fx.world, &alice, fx.sub, "env", "prod", fx.now).unwrap();
    assert!(!same.created);
    fx.ok_with(|fx| tags::create_tag_value(&fx.world, &alice, fx.sub, "env", "Prod", fx.now));
    assert_eq!(
        predefined(&fx),
        BTreeMap::from([(
            "Env".to_string(),
            vec!["prod".into(), "dev".into(), "Prod".into()]
        )]),
        "values are case-sensitive, in the order added"
    );
    // Once in use, the counts are those of tagNames.
    let rg1 = fx.rg("rg1");
    let in_use = [("env", "prod"), ("team", "a")];
    set(&mut fx, &alice, &rg1, Replace, &in_use);
    let names = tags::tag_names(&fx.world, &alice, fx.sub).unwrap();
    assert_eq!(
        names,
        vec![
            TagNameUse {
                name: "Env".into(),
                count: 1,
                values: vec![("prod".into(), 1), ("dev".into(), 0), ("Prod".into(), 0)],
            },
            TagNameUse {
                name: "team".into(),
                count: 1,
                values: vec![("a".into(), 1)],
            },
        ]
    );
    let (_, view) = tags::create_tag_name(&fx.world, &alice, fx.sub, "env", fx.now).unwrap();
    assert_eq!(view.view, names[0]);
    let (_, value) =
        tags::create_tag_value(&fx.world, &alice, fx.sub, "env", "prod", fx.now).unwrap();
    assert_eq!(value.view, ("prod".to_string(), 1));
}

#[test]
fn a_predefined_name_or_value_in_use_is_not_deleted() {
    let mut fx = Fx::article();
    let alice = fx.alice_home();
    fx.ok_with(|fx| tags::create_tag_name(&fx.world, &alice, fx.sub, "env", fx.now));
    for v in ["prod", "dev"] {
        fx.ok_with(|fx| tags::create_tag_value(&fx.world, &alice, fx.sub, "env", v, fx.now));
    }
    let st = fx.storage.clone();
    set(&mut fx, &alice, &st, Replace, &[("ENV", "prod")]);
    let e = refusal(tags::delete_tag_value(
        &fx.world, &alice, fx.sub, "env", "prod", fx.now,
    ));
    assert_eq!(e.code, "PredefinedTagValueInUse");
    assert!(
        e.message.contains(
            "It is associated to one or more resources. Tag name 'env' and tag value 'prod'"
        ),
        "{}",
        e.message
    );
    let e = refusal(tags::delete_tag_name(
        &fx.world, &alice, fx.sub, "Env", fx.now,
    ));
    assert_eq!(e.code, "PredefinedTagNameInUse");
    assert_eq!(
        e.message,
        "The tag name 'env' cannot be deleted. It is associated to one or more resources."
    );
    // An unused value goes; one absent answers that there was none.
    let deleted =
        fx.ok_with(|fx| tags::delete_tag_value(&fx.world, &alice, fx.sub, "env", "dev", fx.now));
    assert!(deleted);
    let (change, again) =
        tags::delete_tag_value(&fx.world, &alice, fx.sub, "env", "dev", fx.now).unwrap();
    assert!(!again && change.mutations.is_empty());
    // Untagged, the name keeps its last value until that value goes, as Azure asks.
    set(&mut fx, &alice, &st, Replace, &[]);
    let e = refusal(tags::delete_tag_name(
        &fx.world, &alice, fx.sub, "env", fx.now,
    ));
    assert_eq!(e.code, "PredefinedTagNameHasValues");
    fx.ok_with(|fx| tags::delete_tag_value(&fx.world, &alice, fx.sub, "env", "prod", fx.now));
    let change =
        fx.ok(|fx| tags::delete_tag_name(&fx.world, &alice, fx.sub, "ENV", fx.now).map(|(c, _)| c));
    assert_eq!(change.audit[0].operation, "Microsoft.Resources/tags/delete");
    assert!(predefined(&fx).is_empty());
    let (_, there) = tags::delete_tag_name(&fx.world, &alice, fx.sub, "env", fx.now).unwrap();
    assert!(!there, "a name that is not there: 204");
    // A value of a name that is not predefined: Azure's not found.
    let r = tags::create_tag_value(&fx.world, &alice, fx.sub, "nope", "x", fx.now);
    assert_eq!(code(r), "PredefinedTagNameNotFound");
    let r = tags::delete_tag_value(&fx.world, &alice, fx.sub, "nope", "x", fx.now);
    assert_eq!(code(r), "PredefinedTagNameNotFound");
}

#[test]
fn predefined_names_follow_the_tag_rules_and_who_may_write_tags() {
    let mut fx = Fx::article();
    let alice = fx.alice_home();
    for (name, expected) in [
        ("a/b", "InvalidTagNameCharacters"),
        ("microsoftOwned", "ReservedTagName"),
        ("Azure-env", "ReservedTagName"),
        ("", "InvalidTagName"),
    ] {
        let r = tags::create_tag_name(&fx.world, &alice, fx.sub, name, fx.now);
        assert_eq!(code(r), expected, "{name}");
    }
    let long = "n".repeat(513);
    assert_eq!(
        code(tags::create_tag_name(
            &fx.world, &alice, fx.sub, &long, fx.now
        )),
        "InvalidTagName"
    );
    fx.ok_with(|fx| tags::create_tag_name(&fx.world, &alice, fx.sub, "env", fx.now));
    let r = tags::create_tag_value(&fx.world, &alice, fx.sub, "env", &"v".repeat(257), fx.now);
    assert_eq!(code(r), "InvalidTagValueLength");

    // A Tag Contributor at the subscription may; one at a group, a Reader and another directory may not.
    let sub_tagger = fx.user(fx.alicedefault, "subtagger", None);
    let rg_tagger = fx.user(fx.alicedefault, "rgtagger", None);
    let sub = fx.sub_scope();
    let rg1 = fx.rg("rg1");
    fx.assign(sub, roles::TAG_CONTRIBUTOR, sub_tagger);
    fx.assign(rg1, roles::TAG_CONTRIBUTOR, rg_tagger);
    let sub_tagger = fx.member(sub_tagger);
    let change = fx.ok(|fx| {
        tags::create_tag_value(&fx.world, &sub_tagger, fx.sub, "env", "prod", fx.now)
            .map(|(c, _)| c)
    });
    assert_eq!(change.audit[0].operation, "Microsoft.Resources/tags/write");
    assert!(
        change.audit[0]
            .target
            .ends_with("/tagNames/env/tagValues/prod"),
        "{:?}",
        change.audit[0]
    );
    for actor in [
        fx.member(rg_tagger),
        fx.member(fx.erin),
        fx.member(fx.fabrikam_admin),
    ] {
        let r = tags::create_tag_name(&fx.world, &actor, fx.sub, "team", fx.now);
        assert_eq!(code(r), "AuthorizationFailed", "{}", actor.display());
        let r = tags::delete_tag_value(&fx.world, &actor, fx.sub, "env", "prod", fx.now);
        assert_eq!(code(r), "AuthorizationFailed", "{}", actor.display());
        let r = tags::delete_tag_name(&fx.world, &actor, fx.sub, "env", fx.now);
        assert_eq!(code(r), "AuthorizationFailed", "{}", actor.display());
    }
    assert_eq!(
        predefined(&fx),
        BTreeMap::from([("env".to_string(), vec!["prod".to_string()])])
    );
}
