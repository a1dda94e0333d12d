//! `POST /providers/Microsoft.Management/getEntities`: the management groups and subscriptions of the
//! caller's directory it may see, each with its parent, the chain of groups above it, what the caller
//! may do with it and how much lies below (counting only what the caller sees), narrowed as the
//! portal, the SDK and the CLI ask: by kind (`$view`), to a group and what is below it (`groupName`), by
//! name (`$filter`), and around one entity (`$search`).

use super::hierarchy::{group_access, may_move_subscription, may_read_group};
use super::*;
use crate::action::names;
use std::collections::HashMap;

/// What the caller may do with an entity, as ARM's `permissions` says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EntityPermission {
    NoAccess,
    View,
    Edit,
    Delete,
}

impl EntityPermission {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityPermission::NoAccess => "noaccess",
            EntityPermission::View => "view",
            EntityPermission::Edit => "edit",
            EntityPermission::Delete => "delete",
        }
    }
}

/// A group or a subscription.
#[derive(Debug, Clone, PartialEq)]
pub enum EntityKind {
    Group(ManagementGroup),
    Subscription {
        id: SubscriptionId,
        display_name: String,
    },
}

/// One entity as getEntities answers it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    pub kind: EntityKind,
    /// The groups above it, from the root down to its parent (empty for the root).
    pub parents: Vec<ManagementGroup>,
    pub permissions: EntityPermission,
    /// Groups and subscriptions directly below that the caller sees (0 for a subscription).
    pub children: usize,
    pub child_groups: usize,
    /// Everything below that the caller sees.
    pub descendants: usize,
}

impl Entity {
    /// The group's name or the subscription's id.
    pub fn name(&self) -> String {
        match &self.kind {
            EntityKind::Group(g) => g.name.clone(),
            EntityKind::Subscription { id, .. } => id.to_string(),
        }
    }
    pub fn display_name(&self) -> &str {
        match &self.kind {
            EntityKind::Group(g) => &g.display_name,
            EntityKind::Subscription { display_name, .. } => display_name,
        }
    }
    pub fn parent(&self) -> Option<&ManagementGroup> {
        self.parents.last()
    }
    fn is_group(&self) -> bool {
        matches!(self.kind, EntityKind::Group(_))
    }
}

/// `$view`: which kinds to answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EntityViewKind {
    #[default]
    FullHierarchy,
    GroupsOnly,
    SubscriptionsOnly,
}

/// `$filter`: on the name (equal, or containing) or the display name (containing), without case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntityFilter {
    NameEquals(String),
    NameContains(String),
    DisplayNameContains(String),
}

/// `$search`, around the entity `$filter=name eq '…'` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntitySearch {
    /// The groups the entity could move under, by the caller's rights.
    AllowedParents,
    /// The entities that could move under the group, by the caller's rights.
    AllowedChildren,
    /// The group's parent and its first level of children.
    ParentAndFirstLevelChildren,
    /// The group only.
    ParentOnly,
    /// The group's first level of children.
    ChildrenOnly,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntityQuery {
    pub view: EntityViewKind,
    /// `groupName`: the group and what is below it.
    pub group: Option<String>,
    pub filter: Option<EntityFilter>,
    pub search: Option<EntitySearch>,
}

/// The entities of the caller's directory it may see, the root first, then groups before
/// subscriptions, each by name, narrowed by `query`.
pub fn entities(
    world: &World,
    actor: &Actor,
    query: &EntityQuery,
) -> Result<Vec<Entity>, DomainError> {
    let tenant = super::hierarchy::caller_tenant(world, actor)?;
    let part = require_tenant(world, tenant)?;
    let all = visible(world, actor, part);
    let named = |name: &str| {
        all.iter()
            .find(|e| e.name().eq_ignore_ascii_case(name.trim()))
    };
    let mut out: Vec<Entity> = match (query.search, &query.filter) {
        (None, _) => all.clone(),
        (Some(search), Some(EntityFilter::NameEquals(name))) => {
            let Some(target) = named(name) else {
                return Ok(Vec::new());
            };
            around(world, actor, part, &all, target, search)
        }
        (Some(_), _) => {
            return Err(DomainError::invalid(
                "InvalidEntitySearch",
                "$search names what to look around: it needs $filter=name eq '{entity}'.",
            )
            .with_remedy("Add $filter=name eq '<group or subscription id>'."));
        }
    };
    if let Some(group) = &query.group {
        out.retain(|e| {
            e.name().eq_ignore_ascii_case(group.trim())
                || e.parents
                    .iter()
                    .any(|p| p.name.eq_ignore_ascii_case(group.trim()))
        });
    }
    if query.search.is_none()
        && let Some(f) = &query.filter
    {
        out.retain(|e| matches(e, f));
    }
    out.retain(|e| match query.view {
        EntityViewKind::FullHierarchy => true,
        EntityViewKind::GroupsOnly => e.is_group(),
        EntityViewKind::SubscriptionsOnly => !e.is_group(),
    });
    Ok(out)
}

fn matches(e: &Entity, f: &EntityFilter) -> bool {
    let has = |hay: &str, needle: &str| hay.to_lowercase().contains(&needle.to_lowercase());
    match f {
        EntityFilter::NameEquals(n) => e.name().eq_ignore_ascii_case(n.trim()),
        EntityFilter::NameContains(n) => has(&e.name(), n),
        EntityFilter::DisplayNameContains(n) => has(e.display_name(), n),
    }
}

/// The entities around `target` that `search` asks for.
fn around(
    world: &World,
    actor: &Actor,
    part: &TenantPart,
    all: &[Entity],
    target: &Entity,
    search: EntitySearch,
) -> Vec<Entity> {
    let tenant = part.tenant.id;
    let name = target.name();
    let child_of = |e: &Entity| {
        e.parent()
            .is_some_and(|p| p.name.eq_ignore_ascii_case(&name))
    };
    let writable = |g: &str| {
        part.is_root_group(g)
            || group_access(world, actor, tenant, g, names::MANAGEMENT_GROUP_WRITE)
    };
    match search {
        EntitySearch::ParentOnly => vec![target.clone()],
        EntitySearch::ChildrenOnly => all.iter().filter(|e| child_of(e)).cloned().collect(),
        EntitySearch::ParentAndFirstLevelChildren => all
            .iter()
            .filter(|e| e.name().eq_ignore_ascii_case(&name) || child_of(e))
            .cloned()
            .collect(),
        EntitySearch::AllowedParents => all
            .iter()
            .filter(|e| match &e.kind {
                EntityKind::Group(g) => {
                    writable(&g.name)
                        && match &target.kind {
                            // Not into its own subtree.
                            EntityKind::Group(t) => !part.is_group_within(&g.name, &t.name),
                            EntityKind::Subscription { .. } => true,
                        }
                }
                EntityKind::Subscription { .. } => false,
            })
            .cloned()
            .collect(),
        EntitySearch::AllowedChildren => {
            let EntityKind::Group(t) = &target.kind else {
                return Vec::new();
            };
            if !writable(&t.name) {
                return Vec::new();
            }
            all.iter()
                .filter(|e| match &e.kind {
                    EntityKind::Group(g) => {
                        !part.is_root_group(&g.name)
                            && !part.is_group_within(&t.name, &g.name)
                            && group_access(
                                world,
                                actor,
                                tenant,
                                &g.name,
                                names::MANAGEMENT_GROUP_WRITE,
                            )
                    }
                    EntityKind::Subscription { id, .. } => {
                        may_move_subscription(world, actor, tenant, *id)
                    }
                })
                .cloned()
                .collect()
        }
    }
}

/// Every group and subscription the caller sees, with its counts.
fn visible(world: &World, actor: &Actor, part: &TenantPart) -> Vec<Entity> {
    let tenant = part.tenant.id;
    let chain = |parent: Option<String>| -> Vec<ManagementGroup> {
        let Some(p) = parent else {
            return Vec::new();
        };
        let mut names = vec![p.clone()];
        names.extend(part.group_ancestors(&p));
        names
            .iter()
            .rev()
            .filter_map(|n| part.management_group(n).map(std::borrow::Cow::into_owned))
            .collect()
    };
    let mut out: Vec<Entity> = Vec::new();
    for g in part.all_management_groups() {
        if !may_read_group(world, actor, tenant, &g.name) {
            continue;
        }
        let permissions = if group_access(
            world,
            actor,
            tenant,
            &g.name,
            names::MANAGEMENT_GROUP_DELETE,
        ) {
            EntityPermission::Delete
        } else if group_access(world, actor, tenant, &g.name, names::MANAGEMENT_GROUP_WRITE) {
            EntityPermission::Edit
        } else {
            EntityPermission::View
        };
        out.push(Entity {
            parents: chain(part.parent_group(&g.name)),
            kind: EntityKind::Group(g.into_owned()),
            permissions,
            children: 0,
            child_groups: 0,
            descendants: 0,
        });
    }
    let mut subscriptions: Vec<&SubscriptionPart> = world.subscriptions_of_tenant(tenant).collect();
    subscriptions.sort_by_key(|s| s.subscription.id);
    for s in subscriptions {
        let id = s.subscription.id;
        let scope = Scope::subscription(id);
        if !world.authorize(actor, &Action::new(names::SUBSCRIPTION_READ), &scope) {
            continue;
        }
        let permissions = if may_move_subscription(world, actor, tenant, id) {
            EntityPermission::Edit
        } else {
            EntityPermission::View
        };
        out.push(Entity {
            parents: chain(Some(part.subscription_parent(id))),
            kind: EntityKind::Subscription {
                id,
                display_name: s.subscription.display_name.clone(),
            },
            permissions,
            children: 0,
            child_groups: 0,
            descendants: 0,
        });
    }
    // Counted once per entity up its chain, not per pair.
    let mut counts: HashMap<String, (usize, usize, usize)> = HashMap::new();
    for e in &out {
        if let Some(p) = e.parent() {
            let c = counts.entry(p.name.to_lowercase()).or_default();
            c.0 += 1;
            c.1 += usize::from(e.is_group());
        }
        for a in &e.parents {
            counts.entry(a.name.to_lowercase()).or_default().2 += 1;
        }
    }
    for e in &mut out {
        if let EntityKind::Group(g) = &e.kind
            && let Some((children, child_groups, descendants)) = counts.get(&g.name.to_lowercase())
        {
            (e.children, e.child_groups, e.descendants) = (*children, *child_groups, *descendants);
        }
    }
    out
}
