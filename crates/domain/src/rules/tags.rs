//! The Tags API (`{scope}/providers/Microsoft.Resources/tags/default`) on subscriptions, resource
//! groups and resources, and the subscription's summary of tag names (`/subscriptions/{id}/tagNames`).
//! Who may tag, as in Azure: write on `Microsoft.Resources/tags` at the scope (Tag Contributor), or
//! write on the tagged thing itself (Contributor, Owner).

use super::reads::subscriptions::{list_resource_groups, list_resources, resource_not_found};
use super::resources::resource_group_not_found;
use super::*;
use crate::action::names;
use crate::audit::AuditEvent;
use crate::mutation::{Change, Mutation};
use crate::scope::ScopeLevel;
use crate::tags::{self, Tags, TagsOperation};
use std::collections::BTreeMap;

/// What a scope's tags belong to, found after the caller was authorized there.
enum Tagged<'w> {
    Subscription(&'w Subscription),
    ResourceGroup(&'w ResourceGroup),
    Resource(&'w Resource),
}

impl<'w> Tagged<'w> {
    fn tags(&self) -> &'w Tags {
        match self {
            Tagged::Subscription(s) => &s.tags,
            Tagged::ResourceGroup(g) => &g.tags,
            Tagged::Resource(r) => &r.tags,
        }
    }

    /// The mutation that writes the same thing with other tags.
    fn with_tags(&self, tags: Tags) -> Mutation {
        match self {
            Tagged::Subscription(s) => Mutation::PutSubscription(Subscription {
                tags,
                ..(*s).clone()
            }),
            Tagged::ResourceGroup(g) => Mutation::PutResourceGroup(ResourceGroup {
                tags,
                ..(*g).clone()
            }),
            Tagged::Resource(r) => Mutation::PutResource(Resource {
                tags,
                ..(*r).clone()
            }),
        }
    }
}

/// The action on the tagged thing itself that also lets a caller read or write its tags.
fn own_action(scope: &Scope, verb: &str) -> String {
    match scope.level() {
        ScopeLevel::Subscription => format!("Microsoft.Resources/subscriptions/{verb}"),
        ScopeLevel::ResourceGroup => {
            format!("Microsoft.Resources/subscriptions/resourceGroups/{verb}")
        }
        ScopeLevel::Resource => names::resource_action(
            &scope.resource_type().map(|t| t.0).unwrap_or_default(),
            verb,
        ),
    }
}

/// Authorizes `tags_action` or the scope's own `verb`, then finds what the scope names.
fn tagged<'w>(
    world: &'w World,
    actor: &Actor,
    scope: &Scope,
    tags_action: &str,
    verb: &str,
) -> Result<Tagged<'w>, DomainError> {
    if !world.authorize(actor, &Action::new(tags_action), scope)
        && !world.authorize(actor, &Action::new(&own_action(scope, verb)), scope)
    {
        return Err(authorization_failed(actor, tags_action, scope.as_str()));
    }
    let part = require_subscription(world, scope.subscription_id())?;
    // Tags are written like the things they are on: not under a Disabled subscription.
    if verb == "write" {
        super::subscriptions::require_writable(actor, &part.subscription)?;
    }
    let group = scope.resource_group_name().unwrap_or_default();
    match scope.level() {
        ScopeLevel::Subscription => Ok(Tagged::Subscription(&part.subscription)),
        ScopeLevel::ResourceGroup => part
            .resource_group(group)
            .map(Tagged::ResourceGroup)
            .ok_or_else(|| resource_group_not_found(group)),
        ScopeLevel::Resource => {
            if part.resource_group(group).is_none() {
                return Err(resource_group_not_found(group));
            }
            part.resources
                .get(scope.key())
                .map(Tagged::Resource)
                .ok_or_else(|| {
                    let (ty, name) = scope.resource_type().unwrap_or_default();
                    resource_not_found(&ty, &name, group)
                })
        }
    }
}

/// The tags at a scope (`GET …/tags/default`).
pub fn get_tags<'w>(
    world: &'w World,
    actor: &Actor,
    scope: &Scope,
) -> Result<&'w Tags, DomainError> {
    tagged(world, actor, scope, names::TAGS_READ, "read").map(|t| t.tags())
}

/// Whether the caller may add, change and remove the tags at a scope (what [`set_tags`] asks first).
pub fn may_write_tags(world: &World, actor: &Actor, scope: &Scope) -> bool {
    tagged(world, actor, scope, names::TAGS_WRITE, "write").is_ok()
}

/// Sets the tags at a scope: `PUT …/tags/default` replaces them, `PATCH` merges, replaces or deletes
/// as its `operation` says, `DELETE` is a replace with none. Returns the change and the tags after it.
pub fn set_tags(
    world: &World,
    actor: &Actor,
    scope: &Scope,
    operation: TagsOperation,
    given: Tags,
    now: Timestamp,
) -> Result<(Change, Tags), DomainError> {
    let t = tagged(world, actor, scope, names::TAGS_WRITE, "write")?;
    let next = tags::apply(t.tags(), operation, given)?;
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(actor, now, names::TAGS_WRITE, scope.to_string())
            .subscription(scope.subscription_id())
            .details(serde_json::json!({ "operation": operation.as_str(), "tags": next })),
    );
    change.push(t.with_tags(next.clone()));
    Ok((change, next))
}

/// Removes every tag at a scope (`DELETE …/tags/default`).
pub fn delete_tags(
    world: &World,
    actor: &Actor,
    scope: &Scope,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let t = tagged(world, actor, scope, names::TAGS_DELETE, "write")?;
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(actor, now, names::TAGS_DELETE, scope.to_string())
            .subscription(scope.subscription_id()),
    );
    change.push(t.with_tags(Tags::new()));
    Ok(change)
}

/// One tag name of a subscription with how many tagged things use it, and its values with theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagNameUse {
    /// The case it was first met in (subscription, then groups, then resources, each in order).
    pub name: String,
    pub count: usize,
    /// Each value with its count, in the order of their first use.
    pub values: Vec<(String, usize)>,
}

/// `GET /subscriptions/{id}/tagNames`: the tag names of the subscription, its groups and its resources
/// that the caller may read, with their counts, names compared case-insensitively.
pub fn tag_names(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
) -> Result<Vec<TagNameUse>, DomainError> {
    let part = authorized_subscription(
        world,
        actor,
        names::TAG_NAMES_READ,
        &Scope::subscription(subscription),
    )?;
    let groups = list_resource_groups(world, actor, subscription)?;
    let resources = list_resources(world, actor, subscription, None)?;
    let all = std::iter::once(&part.subscription.tags)
        .chain(groups.iter().map(|g| &g.tags))
        .chain(resources.iter().map(|r| &r.tags));
    let mut by_name: BTreeMap<String, TagNameUse> = BTreeMap::new();
    for tags in all {
        for (name, value) in tags {
            let entry = by_name
                .entry(name.to_lowercase())
                .or_insert_with(|| TagNameUse {
                    name: name.clone(),
                    count: 0,
                    values: vec![],
                });
            entry.count += 1;
            match entry.values.iter_mut().find(|(v, _)| v == value) {
                Some((_, n)) => *n += 1,
                None => entry.values.push((value.clone(), 1)),
            }
        }
    }
    Ok(by_name.into_values().collect())
}

/// `PUT`/`DELETE /subscriptions/{id}/tagNames/{name}[/tagValues/{value}]` (`az tag create --name`,
/// `az tag add-value`): Azure keeps a list of predefined tag names beside the tags in use; tenantry keeps
/// only the tags in use, so these are refused, after the caller's right to ask is checked: the
/// refusal is the one to answer.
pub fn predefined_tag_names(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    verb: &str,
) -> DomainError {
    if let Err(e) = authorized_subscription(
        world,
        actor,
        &format!("Microsoft.Resources/subscriptions/tagNames/{verb}"),
        &Scope::subscription(subscription),
    ) {
        return e;
    }
    DomainError::invalid(
        "PredefinedTagsNotSupported",
        "tenantry keeps the tags in use, not a list of predefined tag names.",
    )
    .with_remedy(
        "Tag the subscription, a resource group or a resource instead (az tag create --resource-id \
         ID --tags name=value); its tag names are then listed by az tag list.",
    )
}
