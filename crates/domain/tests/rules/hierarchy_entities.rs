//! getEntities: only what the caller may see of the hierarchy, with the chain above each entity and
//! counts of what the caller sees below, narrowed by kind, group, name and search.

use crate::fixtures::*;
use tenantry_domain::rules::hierarchy::{self, ManagementGroupWrite};
use tenantry_domain::rules::hierarchy_entities::{
    self, EntityFilter, EntityPermission, EntityQuery, EntitySearch, EntityViewKind,
};
use tenantry_domain::*;

#[track_caller]
fn create(fx: &mut Fx, actor: &Actor, name: &str, parent: &str) {
    let tenant = fx.alicedefault;
    let write = ManagementGroupWrite {
        display_name: None,
        parent: Some(parent.into()),
    };
    fx.ok_with(|fx| hierarchy::put_management_group(&fx.world, actor, tenant, name, write, fx.now));
}

fn names(fx: &Fx, actor: &Actor, query: EntityQuery) -> Vec<String> {
    hierarchy_entities::entities(&fx.world, actor, &query)
        .unwrap()
        .iter()
        .map(|e| e.name())
        .collect()
}

#[test]
fn each_caller_sees_what_it_may_read_with_the_chain_above_and_counts_below() {
    let mut fx = Fx::article();
    let root = fx.alicedefault.to_string();
    let (erin, dave) = (fx.member(fx.erin), fx.dave_home());
    create(&mut fx, &erin, "platform", "");
    create(&mut fx, &erin, "prod", "platform");
    // dave is in the directory but holds nothing at the groups.
    let seen = names(&fx, &dave, EntityQuery::default());
    assert!(
        seen.contains(&root) && !seen.contains(&"platform".to_string()),
        "{seen:?}"
    );

    let all = hierarchy_entities::entities(&fx.world, &erin, &EntityQuery::default()).unwrap();
    let platform = all.iter().find(|e| e.name() == "platform").unwrap();
    assert_eq!(platform.permissions, EntityPermission::Delete);
    assert_eq!((platform.children, platform.child_groups), (1, 1));
    let prod = all.iter().find(|e| e.name() == "prod").unwrap();
    let chain: Vec<&str> = prod.parents.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(chain, [root.as_str(), "platform"]);

    let groups = EntityQuery {
        view: EntityViewKind::GroupsOnly,
        group: Some("platform".into()),
        ..Default::default()
    };
    assert_eq!(names(&fx, &erin, groups), ["platform", "prod"]);
    let children = EntityQuery {
        filter: Some(EntityFilter::NameEquals("PLATFORM".into())),
        search: Some(EntitySearch::ChildrenOnly),
        ..Default::default()
    };
    assert_eq!(names(&fx, &erin, children), ["prod"]);
    // Never under itself: prod's allowed parents are the root and platform, not prod.
    let parents = EntityQuery {
        filter: Some(EntityFilter::NameEquals("prod".into())),
        search: Some(EntitySearch::AllowedParents),
        ..Default::default()
    };
    assert_eq!(names(&fx, &erin, parents), [root.as_str(), "platform"]);
    let no_target = EntityQuery {
        search: Some(EntitySearch::ChildrenOnly),
        ..Default::default()
    };
    assert_eq!(
        code(hierarchy_entities::entities(&fx.world, &erin, &no_target)),
        "InvalidEntitySearch"
    );
}
