//! The hierarchy of the caller's directory as the portal shows it: the tenant root group, the groups
//! below it and the subscriptions under each, as far as the caller may read them
//! ([`hierarchy::get_management_group`]), with what the caller may do to each, decided by the rules
//! that will judge the request (`rules::hierarchy`, `rules::subscriptions`).

use crate::action::names;
use crate::rules::hierarchy::{self, ChildView};
use crate::rules::subscriptions::may_create_subscription;
use crate::rules::*;

/// The caller's directory's hierarchy.
#[derive(Debug, Clone, PartialEq)]
pub struct Hierarchy<'w> {
    pub tenant: &'w Tenant,
    pub root: GroupNode,
    /// Where the caller may create a group or place a subscription or a group: the root (when the
    /// caller may create there) and the groups it may write, the root first.
    pub parents: Vec<ManagementGroup>,
    /// The caller may create subscriptions in the directory (the alias rule's question).
    pub may_create_subscription: bool,
}

/// A group in the tree, with its children the caller may read.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupNode {
    pub group: ManagementGroup,
    pub is_root: bool,
    /// The caller may rename it (and, for a group other than the root, move it).
    pub may_write: bool,
    /// The caller may delete it (the root never; one with children is refused by the rule, which says so).
    pub may_delete: bool,
    /// Where it may move: the parents the caller may write outside its own subtree (empty for the root).
    pub move_to: Vec<ManagementGroup>,
    pub groups: Vec<GroupNode>,
    pub subscriptions: Vec<PlacedSubscription>,
}

/// A subscription under a group.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedSubscription {
    pub id: SubscriptionId,
    pub display_name: String,
    pub state: SubscriptionState,
    /// The caller may move it to another group.
    pub may_move: bool,
}

pub fn hierarchy<'w>(world: &'w World, actor: &Actor) -> Result<Hierarchy<'w>, DomainError> {
    let tenant = hierarchy::caller_tenant(world, actor)?;
    let part = require_tenant(world, tenant)?;
    let root = hierarchy::get_management_group(world, actor, &part.root_group_name(), true, true)?;
    let parents: Vec<ManagementGroup> = part
        .all_management_groups()
        .into_iter()
        .filter(|g| {
            let parent = (!part.is_root_group(&g.name)).then_some(g.name.as_str());
            hierarchy::may_read_group(world, actor, tenant, &g.name)
                && hierarchy::may_create_group_under(world, actor, tenant, parent)
        })
        .map(|g| g.into_owned())
        .collect();
    let root = node(
        world,
        actor,
        part,
        &parents,
        root.group,
        root.children.unwrap_or_default(),
    );
    Ok(Hierarchy {
        tenant: &part.tenant,
        root,
        parents,
        may_create_subscription: may_create_subscription(world, actor, tenant),
    })
}

fn node(
    world: &World,
    actor: &Actor,
    part: &TenantPart,
    parents: &[ManagementGroup],
    group: ManagementGroup,
    children: Vec<ChildView>,
) -> GroupNode {
    let tenant = part.tenant.id;
    let is_root = part.is_root_group(&group.name);
    let may_write = hierarchy::group_access(
        world,
        actor,
        tenant,
        &group.name,
        names::MANAGEMENT_GROUP_WRITE,
    );
    let may_delete = !is_root
        && hierarchy::group_access(
            world,
            actor,
            tenant,
            &group.name,
            names::MANAGEMENT_GROUP_DELETE,
        );
    let move_to = if is_root || !may_write {
        vec![]
    } else {
        parents
            .iter()
            .filter(|p| !part.is_group_within(&p.name, &group.name))
            .cloned()
            .collect()
    };
    let mut groups = Vec::new();
    let mut subscriptions = Vec::new();
    for c in children {
        match c {
            ChildView::Group { group, children } => groups.push(node(
                world,
                actor,
                part,
                parents,
                group,
                children.unwrap_or_default(),
            )),
            ChildView::Subscription { id, display_name } => {
                subscriptions.push(PlacedSubscription {
                    id,
                    display_name,
                    state: world
                        .subscription(id)
                        .map_or(SubscriptionState::Enabled, |p| p.subscription.state),
                    may_move: hierarchy::may_move_subscription(world, actor, tenant, id),
                })
            }
        }
    }
    groups.sort_by_key(|g| g.group.display_name.to_lowercase());
    subscriptions.sort_by_key(|s| s.display_name.to_lowercase());
    GroupNode {
        group,
        is_root,
        may_write,
        may_delete,
        move_to,
        groups,
        subscriptions,
    }
}
