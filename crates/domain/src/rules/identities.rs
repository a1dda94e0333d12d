//! Managed identities. A user-assigned identity is a resource of its own
//! (`Microsoft.ManagedIdentity/userAssignedIdentities`); a system-assigned one is declared in any other
//! resource's `identity` block. Either is a service principal of the subscription's directory
//! (`servicePrincipalType: ManagedIdentity`) that lives and dies with its resource: removing the resource,
//! or its system-assigned identity, removes the principal and every role assignment to it in the same
//! change, and the audit event lists them.

use super::names::{require_name, typed};
use super::*;
use crate::action::names;
use crate::audit::AuditEvent;
use crate::mutation::{Change, Mutation};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The resource type of user-assigned identities.
pub const USER_ASSIGNED_IDENTITY_TYPE: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";

/// What assigning a user-assigned identity to a resource takes, on the identity (as in Azure).
pub const ASSIGN_IDENTITY_ACTION: &str =
    "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action";

/// How world files name a user-assigned identity as a principal: `identity:RG/NAME`, in the
/// subscription of the role assignment that names it.
pub const IDENTITY_PREFIX: &str = "identity:";

/// The resource group and name in `identity:RG/NAME` (the prefix in any case), or `None` for another
/// kind of key.
pub fn identity_key(key: &str) -> Option<(&str, &str)> {
    let key = typed(key);
    key.get(..IDENTITY_PREFIX.len())
        .filter(|p| p.eq_ignore_ascii_case(IDENTITY_PREFIX))
        .and_then(|_| key[IDENTITY_PREFIX.len()..].split_once('/'))
        .map(|(g, n)| (typed(g), typed(n)))
}

/// A user-assigned identity's resource id from its group and name.
pub fn identity_scope(
    subscription: SubscriptionId,
    group: &str,
    name: &str,
) -> Result<Scope, DomainError> {
    Scope::resource(
        subscription,
        group,
        "Microsoft.ManagedIdentity",
        &format!("userAssignedIdentities/{name}"),
    )
}

/// Whether `scope` is a user-assigned identity's resource id.
pub fn is_user_assigned_identity(scope: &Scope) -> bool {
    scope
        .resource_type()
        .is_some_and(|(t, _)| t.eq_ignore_ascii_case(USER_ASSIGNED_IDENTITY_TYPE))
}

/// Azure's rule for identity names: 3 to 128 characters, letters, digits, hyphens and underscores,
/// starting with a letter or a digit.
pub fn validate_identity_name(name: &str) -> Result<(), DomainError> {
    let ok = (3..=128).contains(&name.chars().count())
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "InvalidResourceName",
            format!("The resource name '{name}' is invalid for a user-assigned identity."),
        )
        .with_arg("name", name.to_string())
        .with_remedy(
            "An identity's name has 3 to 128 letters, digits, hyphens or underscores, and starts with a letter or a digit.",
        ))
    }
}

fn identity_not_found(resource: &str) -> DomainError {
    DomainError::invalid(
        "InvalidIdentityResourceId",
        format!(
            "The user-assigned identity '{resource}' does not exist in a subscription of this resource's directory."
        ),
    )
    .with_arg("resource", resource.to_string())
    .with_remedy("Create the identity first (az identity create), then assign it by its resource id.")
}

/// A resource's `identity` block as the wire gives it: the type and the resource ids of its
/// user-assigned identities.
#[derive(Debug, Clone, Default)]
pub struct IdentityWrite {
    pub type_name: String,
    pub user_assigned: Vec<String>,
    /// The ids of a new system-assigned principal, when a world file names them; made otherwise.
    pub principal_id: Option<ObjectId>,
    pub client_id: Option<uuid::Uuid>,
}

/// What an `identity` block asks for, each user-assigned identity checked: it exists in a subscription
/// that trusts `tenant`, and the caller may assign it.
pub(crate) fn requested_identity(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    req: &IdentityWrite,
) -> Result<ResourceIdentity, DomainError> {
    let mut system_assigned = false;
    let mut user = false;
    for word in typed(&req.type_name).split(',').map(str::trim) {
        if word.eq_ignore_ascii_case("SystemAssigned") {
            system_assigned = true;
        } else if word.eq_ignore_ascii_case("UserAssigned") {
            user = true;
        } else if !word.eq_ignore_ascii_case("None") {
            return Err(DomainError::invalid(
                "InvalidIdentityType",
                format!("The identity type '{}' is not supported.", req.type_name),
            )
            .with_arg("type", req.type_name.to_string())
            .with_variant("type")
            .with_remedy(
                "Use 'SystemAssigned', 'UserAssigned', 'SystemAssigned, UserAssigned' or 'None'.",
            ));
        }
    }
    if user == req.user_assigned.is_empty() {
        return Err(DomainError::invalid(
            "InvalidIdentityType",
            "userAssignedIdentities must be given exactly when the identity type includes 'UserAssigned'.",
        )
        .with_variant("user-assigned")
        .with_remedy(
            "Name each user-assigned identity by its resource id in userAssignedIdentities, with type 'UserAssigned'.",
        ));
    }
    let mut user_assigned: Vec<Scope> = Vec::new();
    for id in &req.user_assigned {
        let scope = Scope::parse(id).map_err(|_| identity_not_found(id))?;
        if !is_user_assigned_identity(&scope) {
            return Err(identity_not_found(id));
        }
        authorize(world, actor, ASSIGN_IDENTITY_ACTION, &scope)?;
        let known = world
            .subscription(scope.subscription_id())
            .filter(|s| s.subscription.tenant == tenant)
            .and_then(|s| s.resources.get(scope.key()));
        let Some(r) = known else {
            return Err(identity_not_found(id));
        };
        if !user_assigned.iter().any(|s| s == &r.scope) {
            user_assigned.push(r.scope.clone());
        }
    }
    Ok(ResourceIdentity {
        system_assigned,
        user_assigned,
        endpoint_secrets: Vec::new(),
    })
}

/// A new managed identity's service principal in `tenant`.
fn new_principal(
    tenant: TenantId,
    resource: &Scope,
    kind: ManagedIdentityKind,
    ids: (Option<ObjectId>, Option<uuid::Uuid>),
    now: Timestamp,
) -> Application {
    let name = resource.resource_type().map(|(_, n)| n).unwrap_or_default();
    Application {
        id: ids.0.unwrap_or_default(),
        object_id: None,
        tenant,
        client_id: ids.1.unwrap_or_else(uuid::Uuid::new_v4),
        display_name: name,
        secrets: Vec::new(),
        certificates: Vec::new(),
        redirect_uris: Vec::new(),
        group_membership_claims: GroupMembershipClaims::None,
        federated_credentials: Vec::new(),
        managed_identity: Some(ManagedIdentityOf {
            resource: resource.clone(),
            kind,
        }),
        created: now,
    }
}

/// Ids a world file gives a new identity's principal must be nobody's yet.
fn require_free_ids(
    world: &World,
    principal_id: Option<ObjectId>,
    client_id: Option<uuid::Uuid>,
) -> Result<(), DomainError> {
    if let Some(id) = principal_id
        && world.tenant_of_object(id).is_some()
    {
        return Err(DomainError::conflict(
            "PrincipalIdTaken",
            format!("The object id '{id}' is already an object of a directory."),
        )
        .with_arg("id", id.to_string())
        .with_remedy("Give the identity another principal id, or none to have one made."));
    }
    if let Some(c) = client_id
        && world.application_by_client_id(c).is_some()
    {
        return Err(DomainError::conflict(
            "ClientIdTaken",
            format!("The client id '{c}' is already an application's."),
        )
        .with_arg("client_id", c.to_string())
        .with_remedy("Give the identity another client id, or none to have one made."));
    }
    Ok(())
}

/// Removes a managed identity's service principal and every role assignment to it (in the
/// subscriptions of its directory); returns what the audit event says of it.
pub(crate) fn remove_principal(
    world: &World,
    principal: &Application,
    change: &mut Change,
) -> Value {
    remove_principal_except(world, principal, None, change)
}

/// As [`remove_principal`], leaving the assignments of the subscription `except` to the caller (a
/// change of directory removes them all already).
pub(crate) fn remove_principal_except(
    world: &World,
    principal: &Application,
    except: Option<SubscriptionId>,
    change: &mut Change,
) -> Value {
    let mut removed: Vec<RoleAssignmentId> = Vec::new();
    for s in world
        .subscriptions_of_tenant(principal.tenant)
        .filter(|s| Some(s.subscription.id) != except)
    {
        let ids: Vec<RoleAssignmentId> = s.assignments_of(principal.id).map(|a| a.id).collect();
        if !ids.is_empty() {
            removed.extend(&ids);
            change.push(Mutation::DeleteRoleAssignments {
                subscription: s.subscription.id,
                ids,
            });
        }
    }
    change.push(Mutation::DeleteApplication {
        tenant: principal.tenant,
        app: principal.id,
    });
    json!({
        "principalId": principal.id,
        "clientId": principal.client_id,
        "resource": principal.managed_identity.as_ref().map(|m| m.resource.as_str()),
        "roleAssignments": removed,
    })
}

/// The managed identities of the resources in `scopes` (about to be deleted), removed with their role
/// assignments.
pub(crate) fn remove_principals_of<'a>(
    world: &World,
    scopes: impl IntoIterator<Item = &'a Scope>,
    change: &mut Change,
) -> Vec<Value> {
    scopes
        .into_iter()
        .filter_map(|s| world.managed_identity(s))
        .map(|p| remove_principal(world, p, change))
        .collect()
}

/// A user-assigned identity as a PUT or a world file states it.
pub struct UserAssignedIdentityWrite {
    pub location: Option<String>,
    pub tags: BTreeMap<String, String>,
    /// Kept as given, less the read-only ids (`principalId`, `clientId`, `tenantId`), which are the
    /// service principal's.
    pub properties: Value,
    /// The service principal's object id and client id, when a world file names them.
    pub principal_id: Option<ObjectId>,
    pub client_id: Option<uuid::Uuid>,
}

const READ_ONLY_PROPERTIES: [&str; 3] = ["principalId", "clientId", "tenantId"];

/// Creates or updates a user-assigned identity: the resource and, when it is new, its service principal
/// in the subscription's directory. Returns whether it was created.
pub fn put_user_assigned_identity(
    world: &World,
    actor: &Actor,
    scope: &Scope,
    req: UserAssignedIdentityWrite,
    now: Timestamp,
) -> Result<(Change, bool), DomainError> {
    let action = names::resource_action(USER_ASSIGNED_IDENTITY_TYPE, "write");
    let s = authorized_subscription(world, actor, &action, scope)?;
    let (_, name) = scope.resource_type().unwrap_or_default();
    if !is_user_assigned_identity(scope)
        || scope
            .parent()
            .is_none_or(|p| p.level() != crate::scope::ScopeLevel::ResourceGroup)
    {
        return Err(DomainError::invalid(
            "InvalidResourceId",
            format!("'{scope}' is not a user-assigned identity's id."),
        )
        .with_arg("scope", scope.to_string())
        .with_variant("put-user-assigned-identity"));
    }
    validate_identity_name(&name)?;
    require_name("location", req.location.as_deref().unwrap_or_default())?;
    let tags = crate::tags::validated(req.tags)?;
    let group_name = scope.resource_group_name().unwrap_or_default();
    let group = s
        .resource_group(group_name)
        .ok_or_else(|| super::resources::resource_group_not_found(group_name))?;
    let existing = s.resources.get(scope.key());
    let location = match (&req.location, existing) {
        (Some(l), _) if !l.trim().is_empty() => l.trim().to_lowercase().replace(' ', ""),
        (_, Some(r)) => r.location.clone().unwrap_or_else(|| group.location.clone()),
        _ => {
            return Err(DomainError::invalid(
                "LocationRequired",
                "The location property is required for this definition.",
            ));
        }
    };
    if let Some(r) = existing
        && r.location.as_deref().is_some_and(|l| l != location)
    {
        return Err(DomainError::conflict(
            "InvalidResourceLocation",
            format!(
                "The resource '{name}' already exists in location '{}' in resource group '{}'. A resource with the same name cannot be created in location '{location}'.",
                r.location.as_deref().unwrap_or_default(),
                group.name
            ),
        )
        .with_arg("name", name.to_string())
        .with_arg("existing_location", r.location.as_deref().unwrap_or_default().to_string())
        .with_arg("resource_group", group.name.to_string())
        .with_arg("location", location.to_string())
        .with_remedy("Delete the identity first, or keep its location."));
    }
    let mut properties = match req.properties {
        Value::Object(m) => m,
        _ => Default::default(),
    };
    for p in READ_ONLY_PROPERTIES {
        properties.remove(p);
    }
    let resource = Resource {
        scope: existing
            .map(|r| r.scope.clone())
            .unwrap_or_else(|| scope.clone()),
        location: Some(location),
        kind: None,
        tags,
        properties: Value::Object(properties),
        identity: None,
        created: existing.map(|r| r.created).unwrap_or(now),
    };
    let mut change = Change::new();
    let mut details = json!({});
    let current = world.managed_identity(&resource.scope);
    let principal = match current {
        Some(p) => p.clone(),
        None => {
            let tenant = s.subscription.tenant;
            require_free_ids(world, req.principal_id, req.client_id)?;
            let p = new_principal(
                tenant,
                &resource.scope,
                ManagedIdentityKind::UserAssigned,
                (req.principal_id, req.client_id),
                now,
            );
            change.push(Mutation::PutApplication(p.clone()));
            p
        }
    };
    if let Some(d) = details.as_object_mut() {
        d.insert("principalId".into(), json!(principal.id));
        d.insert("clientId".into(), json!(principal.client_id));
        d.insert("tenantId".into(), json!(principal.tenant));
    }
    change.push(Mutation::PutResource(resource));
    change.audit(
        AuditEvent::new(actor, now, &action, scope.to_string())
            .subscription(scope.subscription_id())
            .details(details),
    );
    Ok((change, current.is_none()))
}

/// The system-assigned identity side of a generic resource's PUT: creates its service principal when the
/// resource asks for one it lacks, and removes it (with its role assignments) when it no longer asks.
/// Returns the identity to store with the resource and what the audit event says.
pub(crate) fn put_system_assigned(
    world: &World,
    scope: &Scope,
    tenant: TenantId,
    requested: ResourceIdentity,
    ids: (Option<ObjectId>, Option<uuid::Uuid>),
    change: &mut Change,
    now: Timestamp,
) -> Result<(Option<ResourceIdentity>, Value), DomainError> {
    let mut requested = requested;
    // A new `identity` block keeps the endpoint secrets already issued (they go only with the block).
    if requested.endpoint_secrets.is_empty() {
        requested.endpoint_secrets = world
            .subscription(scope.subscription_id())
            .and_then(|s| s.resources.get(scope.key()))
            .and_then(|r| r.identity.as_ref())
            .map(|i| i.endpoint_secrets.clone())
            .unwrap_or_default();
    }
    let current = world.managed_identity(scope);
    let mut details = json!({ "type": requested.type_name() });
    match (requested.system_assigned, current) {
        (true, None) => {
            require_free_ids(world, ids.0, ids.1)?;
            let p = new_principal(tenant, scope, ManagedIdentityKind::SystemAssigned, ids, now);
            details["principalId"] = json!(p.id);
            change.push(Mutation::PutApplication(p));
        }
        (true, Some(p)) => details["principalId"] = json!(p.id),
        (false, Some(p)) => details["removed"] = remove_principal(world, p, change),
        (false, None) => {}
    }
    let identity = (!requested.is_none()).then_some(requested);
    Ok((identity, details))
}

/// What a resource's identities look like to a reader: each principal with its directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalView {
    pub principal_id: ObjectId,
    pub client_id: uuid::Uuid,
    pub tenant_id: TenantId,
}

impl PrincipalView {
    fn of(a: &Application) -> Self {
        Self {
            principal_id: a.id,
            client_id: a.client_id,
            tenant_id: a.tenant,
        }
    }
}

/// A resource with the principals of its identities, as ARM shows it.
#[derive(Debug, Clone)]
pub struct ResourceView<'w> {
    pub resource: &'w Resource,
    /// For a user-assigned identity: the principal it is.
    pub own_principal: Option<PrincipalView>,
    /// The `identity` block: its type, the system-assigned principal, and each user-assigned identity
    /// with its principal (absent when the identity has been deleted since).
    pub identity: Option<IdentityView>,
}

#[derive(Debug, Clone)]
pub struct IdentityView {
    pub type_name: &'static str,
    pub system_assigned: Option<PrincipalView>,
    pub user_assigned: Vec<(Scope, Option<PrincipalView>)>,
}

/// How a resource reads, with its identities' principals.
pub fn resource_view<'w>(world: &'w World, resource: &'w Resource) -> ResourceView<'w> {
    let principal = world
        .managed_identity(&resource.scope)
        .map(PrincipalView::of);
    let own = is_user_assigned_identity(&resource.scope);
    ResourceView {
        resource,
        own_principal: principal.clone().filter(|_| own),
        identity: resource.identity.as_ref().map(|i| IdentityView {
            type_name: i.type_name(),
            system_assigned: principal.filter(|_| !own && i.system_assigned),
            user_assigned: i
                .user_assigned
                .iter()
                .map(|s| (s.clone(), world.managed_identity(s).map(PrincipalView::of)))
                .collect(),
        }),
    }
}
