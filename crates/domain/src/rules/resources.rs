//! Resource groups and generic resources. Deleting either takes with it what lies beneath: resources and
//! the role assignments at those scopes.

use super::identities::{self, IdentityWrite};
use super::names::require_name;
use super::*;
use crate::action::names;
use crate::audit::AuditEvent;
use crate::mutation::{Change, Mutation};
use crate::scope::validate_resource_group_name;
use crate::tags;
use std::collections::BTreeMap;

pub fn resource_group_not_found(name: &str) -> DomainError {
    DomainError::not_found(
        "ResourceGroupNotFound",
        format!("Resource group '{name}' could not be found."),
    )
    .with_arg("name", name.to_string())
}

pub struct ResourceGroupWrite {
    pub location: String,
    pub tags: Option<BTreeMap<String, String>>,
    pub managed_by: Option<String>,
}

/// Creates or updates a group (ARM's PUT). Returns whether it was created. A group's location cannot change.
pub fn put_resource_group(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    name: &str,
    req: ResourceGroupWrite,
    now: Timestamp,
) -> Result<(Change, bool), DomainError> {
    validate_resource_group_name(name)?;
    let scope = Scope::resource_group(subscription, name);
    authorized_subscription(world, actor, names::RESOURCE_GROUP_WRITE, &scope)?;
    require_name("location", &req.location)?;
    let tags = req.tags.map(tags::validated).transpose()?;
    require_name("managedBy", req.managed_by.as_deref().unwrap_or_default())?;
    if req.location.trim().is_empty() {
        return Err(DomainError::invalid(
            "LocationRequired",
            "The location property is required for this definition.",
        ));
    }
    let existing = world
        .subscription(subscription)
        .and_then(|s| s.resource_group(name));
    if let Some(g) = existing
        && !g.location.eq_ignore_ascii_case(req.location.trim())
    {
        return Err(DomainError::conflict(
            "InvalidResourceGroupLocation",
            format!(
                "Invalid resource group location '{}'. The Resource group already exists in location '{}'.",
                req.location, g.location
            ),
        )
        .with_arg("location", req.location.to_string())
        .with_arg("existing_location", g.location.to_string()));
    }
    let group = ResourceGroup {
        subscription,
        // The first name given keeps its case, as in ARM.
        name: existing
            .map(|g| g.name.clone())
            .unwrap_or_else(|| name.to_string()),
        location: existing
            .map(|g| g.location.clone())
            .unwrap_or_else(|| req.location.trim().to_lowercase().replace(' ', "")),
        tags: tags
            .or_else(|| existing.map(|g| g.tags.clone()))
            .unwrap_or_default(),
        managed_by: req
            .managed_by
            .or_else(|| existing.and_then(|g| g.managed_by.clone())),
        created: existing.map(|g| g.created).unwrap_or(now),
    };
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(actor, now, names::RESOURCE_GROUP_WRITE, scope.to_string())
            .subscription(subscription),
    );
    change.push(Mutation::PutResourceGroup(group));
    Ok((change, existing.is_none()))
}

/// What ARM's PATCH of a resource group changes (`ResourceGroupPatchable`); what it leaves out stays.
#[derive(Debug, Clone, Default)]
pub struct ResourceGroupPatch {
    /// The whole new set of tags, when given.
    pub tags: Option<BTreeMap<String, String>>,
    /// `Some(None)` clears it (`"managedBy": null`); `None` leaves it.
    pub managed_by: Option<Option<String>>,
}

/// Updates a group (ARM's PATCH): its tags and `managedBy`; its name and location cannot change.
pub fn update_resource_group(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    name: &str,
    patch: ResourceGroupPatch,
    now: Timestamp,
) -> Result<Change, DomainError> {
    validate_resource_group_name(name)?;
    let scope = Scope::resource_group(subscription, name);
    let s = authorized_subscription(world, actor, names::RESOURCE_GROUP_WRITE, &scope)?;
    let mut g = s
        .resource_group(name)
        .cloned()
        .ok_or_else(|| resource_group_not_found(name))?;
    if let Some(tags) = patch.tags {
        g.tags = tags::validated(tags)?;
    }
    if let Some(managed_by) = patch.managed_by {
        require_name("managedBy", managed_by.as_deref().unwrap_or_default())?;
        g.managed_by = managed_by.filter(|m| !m.trim().is_empty());
    }
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(actor, now, names::RESOURCE_GROUP_WRITE, scope.to_string())
            .subscription(subscription),
    );
    change.push(Mutation::PutResourceGroup(g));
    Ok(change)
}

/// Deletes a group, its resources and every role assignment at or under it.
pub fn delete_resource_group(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    name: &str,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let scope = Scope::resource_group(subscription, name);
    let s = authorized_subscription(world, actor, names::RESOURCE_GROUP_DELETE, &scope)?;
    let g = s
        .resource_group(name)
        .ok_or_else(|| resource_group_not_found(name))?;
    let mut change = Change::new();
    let identities = remove_beneath(world, s, &scope, &mut change);
    change.push(Mutation::DeleteResourceGroup {
        subscription,
        name: g.name.clone(),
    });
    change.audit(
        AuditEvent::new(actor, now, names::RESOURCE_GROUP_DELETE, scope.to_string())
            .subscription(subscription)
            .details(identities_removed(identities)),
    );
    Ok(change)
}

/// What a deletion's audit event says of the managed identities it removed (nothing when none).
fn identities_removed(identities: Vec<serde_json::Value>) -> serde_json::Value {
    if identities.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::json!({ "managedIdentities": identities })
    }
}

/// Resources and assignments at or under `scope`, and the managed identities of those resources with
/// every role assignment to them. Returns what the audit event says of the identities.
fn remove_beneath(
    world: &World,
    s: &SubscriptionPart,
    scope: &Scope,
    change: &mut Change,
) -> Vec<serde_json::Value> {
    let beneath: Vec<&Resource> = s
        .resources
        .values()
        .filter(|r| scope.contains(&r.scope))
        .collect();
    let identities =
        identities::remove_principals_of(world, beneath.iter().map(|r| &r.scope), change);
    let resources: Vec<String> = beneath.iter().map(|r| r.scope.key().to_string()).collect();
    if !resources.is_empty() {
        change.push(Mutation::DeleteResources {
            subscription: s.subscription.id,
            scopes: resources,
        });
    }
    let assignments: Vec<RoleAssignmentId> = s
        .assignments
        .values()
        .filter(|a| scope.contains(&a.scope))
        .map(|a| a.id)
        .collect();
    if !assignments.is_empty() {
        change.push(Mutation::DeleteRoleAssignments {
            subscription: s.subscription.id,
            ids: assignments,
        });
    }
    identities
}

pub struct ResourceWrite {
    pub location: Option<String>,
    pub kind: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub properties: serde_json::Value,
    /// The `identity` block, when given; absent keeps the resource's identities as they are.
    pub identity: Option<IdentityWrite>,
}

/// Resource types of `Microsoft.Resources` that are only documents, which tenantry stores like any other
/// type. The others mean more than their document (the Tags API sets its parent's tags, a deployment
/// deploys a template, a deployment script runs one): storing them would answer success for something
/// that did not happen.
const STORED_RESOURCES_TYPES: [&str; 2] = ["templateSpecs", "templateSpecs/versions"];

/// Refuses a type whose meaning tenantry does not implement, rather than storing it as if it were done.
pub fn require_generic(resource_type: &str) -> Result<(), DomainError> {
    let Some((namespace, ty)) = resource_type.split_once('/') else {
        return Ok(());
    };
    if !namespace.eq_ignore_ascii_case("Microsoft.Resources")
        || STORED_RESOURCES_TYPES
            .iter()
            .any(|t| t.eq_ignore_ascii_case(ty))
    {
        return Ok(());
    }
    Err(DomainError::invalid(
        "UnsupportedResourceType",
        format!(
            "tenantry does not implement the resource type '{resource_type}': Azure gives it a meaning beyond \
             storing its document, so it is not stored as a generic resource."
        ),
    )
    .with_arg("resource_type", resource_type.to_string())
    .with_remedy(
        "To tag a subscription, a resource group or a resource, use the Tags API \
         ({scope}/providers/Microsoft.Resources/tags/default) or send the tags in its own PUT or PATCH. \
         Resources of other providers are stored whatever their type.",
    ))
}

/// Creates or replaces a resource of any type under an existing group. Returns whether it was created.
pub fn put_resource(
    world: &World,
    actor: &Actor,
    scope: &Scope,
    req: ResourceWrite,
    now: Timestamp,
) -> Result<(Change, bool), DomainError> {
    let (rtype, _) = scope.resource_type().ok_or_else(|| {
        DomainError::invalid(
            "InvalidResourceId",
            format!("'{scope}' is not a resource id."),
        )
        .with_arg("scope", scope.to_string())
        .with_variant("put-resource")
    })?;
    if rtype.eq_ignore_ascii_case(identities::USER_ASSIGNED_IDENTITY_TYPE) {
        return identities::put_user_assigned_identity(
            world,
            actor,
            scope,
            identities::UserAssignedIdentityWrite {
                location: req.location,
                tags: req.tags,
                properties: req.properties,
                principal_id: None,
                client_id: None,
            },
            now,
        );
    }
    let s = authorized_subscription(
        world,
        actor,
        &names::resource_action(&rtype, "write"),
        scope,
    )?;
    require_generic(&rtype)?;
    require_name("location", req.location.as_deref().unwrap_or_default())?;
    require_name("kind", req.kind.as_deref().unwrap_or_default())?;
    let tags = tags::validated(req.tags)?;
    let group = scope.resource_group_name().unwrap_or_default();
    if s.resource_group(group).is_none() {
        return Err(resource_group_not_found(group));
    }
    if let Some(parent) = scope
        .parent()
        .filter(|p| p.level() == crate::scope::ScopeLevel::Resource)
        && !s.resources.contains_key(parent.key())
    {
        return Err(DomainError::not_found(
            "ParentResourceNotFound",
            format!(
                "Can not perform requested operation on nested resource. Parent resource '{parent}' not found."
            ),
        )
        .with_arg("parent", parent.to_string()));
    }
    let existing = s.resources.get(scope.key());
    let requested = match &req.identity {
        Some(i) => Some(identities::requested_identity(
            world,
            actor,
            s.subscription.tenant,
            i,
        )?),
        None => existing.and_then(|r| r.identity.clone()),
    };
    let resource_scope = existing
        .map(|r| r.scope.clone())
        .unwrap_or_else(|| scope.clone());
    let mut change = Change::new();
    let ids = req
        .identity
        .as_ref()
        .map_or((None, None), |i| (i.principal_id, i.client_id));
    let (identity, identity_details) = identities::put_system_assigned(
        world,
        &resource_scope,
        s.subscription.tenant,
        requested.unwrap_or_default(),
        ids,
        &mut change,
        now,
    )?;
    let resource = Resource {
        scope: resource_scope,
        location: req.location.map(|l| l.to_lowercase().replace(' ', "")),
        kind: req.kind,
        tags,
        properties: req.properties,
        identity,
        created: existing.map(|r| r.created).unwrap_or(now),
    };
    let mut event = AuditEvent::new(
        actor,
        now,
        &names::resource_action(&rtype, "write"),
        scope.to_string(),
    )
    .subscription(scope.subscription_id());
    if resource.identity.is_some() || identity_details.get("removed").is_some() {
        event = event.details(serde_json::json!({ "identity": identity_details }));
    }
    change.audit(event);
    change.push(Mutation::PutResource(resource));
    Ok((change, existing.is_none()))
}

/// What ARM's PATCH of a resource changes; what it leaves out stays as it is.
#[derive(Debug, Clone, Default)]
pub struct ResourcePatch {
    pub location: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
    /// Merged into the resource's properties as a JSON merge patch (RFC 7396): objects merge key by
    /// key at every depth, `null` removes a key, anything else replaces.
    pub properties: Option<serde_json::Value>,
    pub identity: Option<IdentityWrite>,
}

/// Updates an existing resource (ARM's PATCH, `az identity update`): the PUT of the resource as it is
/// with the patch laid over it, so every rule of a PUT holds.
pub fn update_resource(
    world: &World,
    actor: &Actor,
    scope: &Scope,
    patch: ResourcePatch,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let current = super::reads::get_resource(world, actor, scope)?;
    let mut properties = current.properties.clone();
    if let Some(p) = patch.properties {
        merge_patch(&mut properties, p);
    }
    let write = ResourceWrite {
        location: patch.location.or_else(|| current.location.clone()),
        kind: current.kind.clone(),
        tags: patch.tags.unwrap_or_else(|| current.tags.clone()),
        properties,
        identity: patch.identity,
    };
    put_resource(world, actor, scope, write, now).map(|(change, _)| change)
}

/// RFC 7396: `patch` laid over `target`.
fn merge_patch(target: &mut serde_json::Value, patch: serde_json::Value) {
    let serde_json::Value::Object(patch) = patch else {
        *target = patch;
        return;
    };
    if !target.is_object() {
        *target = serde_json::Value::Object(Default::default());
    }
    if let serde_json::Value::Object(into) = target {
        for (k, v) in patch {
            if v.is_null() {
                into.remove(&k);
            } else {
                merge_patch(into.entry(k).or_insert(serde_json::Value::Null), v);
            }
        }
    }
}

pub fn delete_resource(
    world: &World,
    actor: &Actor,
    scope: &Scope,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let (rtype, _) = scope.resource_type().ok_or_else(|| {
        DomainError::invalid(
            "InvalidResourceId",
            format!("'{scope}' is not a resource id."),
        )
        .with_arg("scope", scope.to_string())
        .with_variant("put-resource")
    })?;
    let s = authorized_subscription(
        world,
        actor,
        &names::resource_action(&rtype, "delete"),
        scope,
    )?;
    if !s.resources.contains_key(scope.key()) {
        return Err(DomainError::not_found(
            "ResourceNotFound",
            format!(
                "The Resource '{rtype}/{}' under resource group '{}' was not found.",
                scope.resource_type().map(|t| t.1).unwrap_or_default(),
                scope.resource_group_name().unwrap_or_default()
            ),
        )
        .with_arg("type", rtype.to_string())
        .with_arg(
            "name",
            scope
                .resource_type()
                .map(|t| t.1)
                .unwrap_or_default()
                .to_string(),
        )
        .with_arg(
            "resource_group",
            scope.resource_group_name().unwrap_or_default().to_string(),
        )
        .with_variant("delete-resource"));
    }
    let mut change = Change::new();
    let identities = remove_beneath(world, s, scope, &mut change);
    change.audit(
        AuditEvent::new(
            actor,
            now,
            &names::resource_action(&rtype, "delete"),
            scope.to_string(),
        )
        .subscription(scope.subscription_id())
        .details(identities_removed(identities)),
    );
    Ok(change)
}

// ----- resource providers -----

/// A resource provider namespace as ARM writes them: dotted words of letters and digits
/// (`Microsoft.Compute`, `Dynatrace.Observability`).
pub fn validate_provider_namespace(namespace: &str) -> Result<(), DomainError> {
    let words: Vec<&str> = namespace.split('.').collect();
    let ok = namespace.len() <= 100
        && words.len() >= 2
        && words
            .iter()
            .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric()))
        && words[0].starts_with(|c: char| c.is_ascii_alphabetic());
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "InvalidResourceNamespace",
            format!("The resource namespace '{namespace}' is invalid."),
        )
        .with_arg("namespace", namespace.to_string())
        .with_remedy("A namespace is dotted words of letters and digits, like Microsoft.Compute."))
    }
}

/// Registers a resource provider for a subscription (`POST …/providers/{namespace}/register`, what
/// `az provider register` and Terraform send). tenantry keeps resources of every namespace, so every
/// provider is registered already: the call checks that the caller may register providers there
/// (`{namespace}/register/action`, which Owners and Contributors hold through `*`) and changes nothing.
pub fn register_provider(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    namespace: &str,
) -> Result<(), DomainError> {
    validate_provider_namespace(namespace)?;
    authorized_subscription(
        world,
        actor,
        &format!("{namespace}/register/action"),
        &Scope::subscription(subscription),
    )?;
    Ok(())
}

/// Unregistering a provider (`POST …/providers/{namespace}/unregister`) is refused, after the caller's
/// right to ask is checked: tenantry keeps resources of every namespace, so every provider stays
/// registered.
pub fn unregister_provider(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    namespace: &str,
) -> Result<(), DomainError> {
    validate_provider_namespace(namespace)?;
    authorized_subscription(
        world,
        actor,
        &format!("{namespace}/unregister/action"),
        &Scope::subscription(subscription),
    )?;
    Err(DomainError::conflict(
        "ProviderUnregistrationNotSupported",
        format!("tenantry keeps every resource provider registered; '{namespace}' cannot be unregistered."),
    )
    .with_arg("namespace", namespace.to_string())
    .with_remedy("Nothing to do: resources of any namespace are kept whether or not their provider is registered."))
}

/// The resource types stored in a subscription (`Microsoft.Storage/storageAccounts`,
/// `Microsoft.Network/virtualNetworks/subnets`), as its provider list names them so that clients can
/// resolve an api-version for what is there. For a caller who may see the subscription.
pub fn stored_resource_types(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
) -> Result<std::collections::BTreeSet<String>, DomainError> {
    let part = super::reads::get_subscription(world, actor, subscription)?;
    Ok(part
        .resources
        .values()
        .filter_map(|r| r.scope.resource_type().map(|(t, _)| t))
        .collect())
}
