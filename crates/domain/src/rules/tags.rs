//! The Tags API (`{scope}/providers/Microsoft.Resources/tags/default`) on subscriptions, resource
//! groups and resources, the subscription's summary of tag names (`/subscriptions/{id}/tagNames`)
//! and its predefined tag names and values.
//! Who may tag, as in Azure: write on `Microsoft.Resources/tags` at the scope (Tag Contributor), or
//! write on the tagged thing itself (Contributor, Owner).

use super::reads::subscriptions::{list_resource_groups, list_resources, resource_not_found};
use super::resources::resource_group_not_found;
use super::*;
use crate::action::names;
use crate::audit::AuditEvent;
use crate::mutation::{Change, Mutation};
use crate::rules::names::shown;
use crate::scope::ScopeLevel;
use crate::tags::{self, TagNames, Tags, TagsOperation};
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
    /// The case it was first met in (predefined names, then the subscription, its groups and its
    /// resources, each in order).
    pub name: String,
    /// How many tagged things carry it: 0 for a predefined name nothing uses yet.
    pub count: usize,
    /// Each value with its count, predefined values first, then in the order of their first use.
    pub values: Vec<(String, usize)>,
}

/// The summary of `tagNames`: the predefined names and values with the tags in use, names compared
/// case-insensitively, values as written.
fn summary<'t>(predefined: &TagNames, in_use: impl Iterator<Item = &'t Tags>) -> Vec<TagNameUse> {
    let mut by_name: BTreeMap<String, TagNameUse> = predefined
        .iter()
        .map(|(name, values)| {
            let values = values.iter().map(|v| (v.clone(), 0)).collect();
            let entry = TagNameUse {
                name: name.clone(),
                count: 0,
                values,
            };
            (name.to_lowercase(), entry)
        })
        .collect();
    for tags in in_use {
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
    by_name.into_values().collect()
}

/// `GET /subscriptions/{id}/tagNames`: the subscription's predefined tag names and the tag names of
/// the subscription, its groups and its resources that the caller may read, with their counts.
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
    let in_use = std::iter::once(&part.subscription.tags)
        .chain(groups.iter().map(|g| &g.tags))
        .chain(resources.iter().map(|r| &r.tags));
    Ok(summary(&part.subscription.tag_names, in_use))
}

/// Every tag set in a subscription, whoever may read it: what decides whether a predefined name or
/// value is in use.
fn all_tags(part: &SubscriptionPart) -> impl Iterator<Item = &Tags> {
    std::iter::once(&part.subscription.tags)
        .chain(part.resource_groups.values().map(|g| &g.tags))
        .chain(part.resources.values().map(|r| &r.tags))
}

/// The subscription whose predefined tag names the caller may change with `action`: write or
/// delete on `Microsoft.Resources/tags` at the subscription (Tag Contributor, Contributor, Owner).
fn predefined_part<'w>(
    world: &'w World,
    actor: &Actor,
    subscription: SubscriptionId,
    action: &str,
) -> Result<&'w SubscriptionPart, DomainError> {
    authorized_subscription(world, actor, action, &Scope::subscription(subscription))
}

/// A predefined name of that subscription (its case as kept, and its values), for changing its values.
fn predefined_name<'w>(
    world: &'w World,
    actor: &Actor,
    subscription: SubscriptionId,
    action: &str,
    name: &str,
) -> Result<(&'w SubscriptionPart, &'w String, &'w Vec<String>), DomainError> {
    let part = predefined_part(world, actor, subscription, action)?;
    let (key, values) = tags::find_name(&part.subscription.tag_names, name)
        .ok_or_else(|| predefined_name_not_found(name))?;
    Ok((part, key, values))
}

fn predefined_name_not_found(name: &str) -> DomainError {
    DomainError::not_found(
        "PredefinedTagNameNotFound",
        format!("Predefined tag name '{}' could not be found.", shown(name)),
    )
    .with_arg("name", shown(name).to_string())
    .with_remedy("Create the tag name first (az tag create --name NAME).")
}

/// The change that gives the subscription other predefined tag names, audited as `action`.
fn with_tag_names(
    actor: &Actor,
    now: Timestamp,
    action: &str,
    part: &SubscriptionPart,
    target: String,
    tag_names: TagNames,
) -> Change {
    let mut change = Change::new();
    change.audit(AuditEvent::new(actor, now, action, target).subscription(part.subscription.id));
    change.push(Mutation::PutSubscription(Subscription {
        tag_names,
        ..part.subscription.clone()
    }));
    change
}

fn name_target(subscription: SubscriptionId, name: &str) -> String {
    format!("/subscriptions/{subscription}/tagNames/{name}")
}

/// What a `PUT` of a predefined name or value answers: the name (or value) with its count as
/// `tagNames` gives it, and whether it was created (201) or already there (200).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Predefined<T> {
    pub view: T,
    pub created: bool,
}

/// `PUT /subscriptions/{id}/tagNames/{name}` (`az tag create --name`): adds a predefined tag name;
/// one already there in any case is kept as it is.
pub fn create_tag_name(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    name: &str,
    now: Timestamp,
) -> Result<(Change, Predefined<TagNameUse>), DomainError> {
    let part = predefined_part(world, actor, subscription, names::TAGS_WRITE)?;
    tags::require_predefined_name(name)?;
    let (change, next, created) = match tags::find_name(&part.subscription.tag_names, name) {
        Some(_) => (Change::new(), part.subscription.tag_names.clone(), false),
        None => {
            let mut next = part.subscription.tag_names.clone();
            next.insert(name.to_string(), vec![]);
            let target = name_target(subscription, name);
            let change = with_tag_names(actor, now, names::TAGS_WRITE, part, target, next.clone());
            (change, next, true)
        }
    };
    let view = summary(&next, all_tags(part))
        .into_iter()
        .find(|n| n.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| predefined_name_not_found(name))?;
    Ok((change, Predefined { view, created }))
}

/// `PUT /subscriptions/{id}/tagNames/{name}/tagValues/{value}` (`az tag add-value`): adds a value to
/// a predefined name. Answers the value with its count.
pub fn create_tag_value(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    name: &str,
    value: &str,
    now: Timestamp,
) -> Result<(Change, Predefined<(String, usize)>), DomainError> {
    let (part, key, values) = predefined_name(world, actor, subscription, names::TAGS_WRITE, name)?;
    tags::require_predefined_value(value)?;
    let created = !values.contains(&value.to_string());
    let mut next = part.subscription.tag_names.clone();
    let change = if created {
        next.entry(key.clone()).or_default().push(value.to_string());
        let target = format!("{}/tagValues/{value}", name_target(subscription, key));
        with_tag_names(actor, now, names::TAGS_WRITE, part, target, next.clone())
    } else {
        Change::new()
    };
    let count = all_tags(part)
        .filter(|t| tags::find(t, key).is_some_and(|(_, v)| v == value))
        .count();
    let view = (value.to_string(), count);
    Ok((change, Predefined { view, created }))
}

/// `DELETE /subscriptions/{id}/tagNames/{name}` (`az tag delete --name`): removes a predefined name,
/// as Azure does only once nothing is tagged with it and its predefined values are gone. Returns
/// whether there was one (200) or not (204).
pub fn delete_tag_name(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    name: &str,
    now: Timestamp,
) -> Result<(Change, bool), DomainError> {
    let part = predefined_part(world, actor, subscription, names::TAGS_DELETE)?;
    let Some((key, values)) = tags::find_name(&part.subscription.tag_names, name) else {
        return Ok((Change::new(), false));
    };
    if all_tags(part).any(|t| tags::find(t, key).is_some()) {
        return Err(DomainError::conflict(
            "PredefinedTagNameInUse",
            format!(
                "The tag name '{}' cannot be deleted. It is associated to one or more resources.",
                shown(key)
            ),
        )
        .with_arg("name", shown(key).to_string())
        .with_remedy(
            "Remove the tag from the subscription, its resource groups and its resources first \
             (az resource list --tag NAME finds the resources).",
        ));
    }
    if !values.is_empty() {
        return Err(DomainError::conflict(
            "PredefinedTagNameHasValues",
            format!(
                "The tag name '{}' cannot be deleted. It has {} predefined values.",
                shown(key),
                values.len()
            ),
        )
        .with_arg("name", shown(key).to_string())
        .with_arg("count", values.len().to_string())
        .with_remedy(
            "Delete its predefined values first (az tag remove-value --name NAME --value VALUE).",
        ));
    }
    let mut next = part.subscription.tag_names.clone();
    next.remove(key);
    let target = name_target(subscription, key);
    Ok((
        with_tag_names(actor, now, names::TAGS_DELETE, part, target, next),
        true,
    ))
}

/// `DELETE /subscriptions/{id}/tagNames/{name}/tagValues/{value}` (`az tag remove-value`): removes a
/// predefined value no tagged thing uses. Returns whether there was one (200) or not (204).
pub fn delete_tag_value(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    name: &str,
    value: &str,
    now: Timestamp,
) -> Result<(Change, bool), DomainError> {
    let (part, key, values) =
        predefined_name(world, actor, subscription, names::TAGS_DELETE, name)?;
    if !values.iter().any(|v| v == value) {
        return Ok((Change::new(), false));
    }
    if all_tags(part).any(|t| tags::find(t, key).is_some_and(|(_, v)| v == value)) {
        return Err(DomainError::conflict(
            "PredefinedTagValueInUse",
            format!(
                "The tag cannot be deleted. It is associated to one or more resources. Tag name '{}' and tag value '{}'.",
                shown(key),
                shown(value)
            ),
        )
        .with_arg("name", shown(key).to_string())
        .with_arg("value", shown(value).to_string())
        .with_remedy("Remove or change the tag on what carries this value first."));
    }
    let mut next = part.subscription.tag_names.clone();
    next.entry(key.clone()).or_default().retain(|v| v != value);
    let target = format!("{}/tagValues/{value}", name_target(subscription, key));
    Ok((
        with_tag_names(actor, now, names::TAGS_DELETE, part, target, next),
        true,
    ))
}
