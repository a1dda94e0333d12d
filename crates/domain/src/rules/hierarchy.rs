//! Management groups: the tenant's hierarchy above its subscriptions, as Azure keeps it. The tenant root
//! group always exists (id = the tenant id) and can be renamed but never moved or deleted; other groups
//! are created under the root or another group, at most six levels deep and 10,000 to a directory; a
//! group with children cannot be deleted; subscriptions are placed under one group each (the root
//! unless placed elsewhere).
//!
//! Who may, as in Azure: any principal of the tenant may create a group under the root (the hierarchy
//! setting `requireAuthorizationForGroupCreation` is off by default); every other write needs
//! `Microsoft.Management/managementGroups/write` on the group; a move needs it on the child and on the
//! old and the new parent, the root excepted; placing a subscription needs Owner's rights on it.

use super::*;
use crate::action::names;
use crate::audit::AuditEvent;
use crate::mutation::{Change, Mutation};
use crate::world::{MAX_MANAGEMENT_GROUP_DEPTH, MAX_MANAGEMENT_GROUPS, PrincipalRef};
use std::borrow::Cow;

/// How ARM names a group as a scope and as a resource id.
pub const GROUP_ID_PREFIX: &str = "/providers/Microsoft.Management/managementGroups/";

/// A group's ARM id.
pub fn group_id(name: &str) -> String {
    format!("{GROUP_ID_PREFIX}{name}")
}

/// A group's name from its ARM id or from the bare name (clients send either as a parent).
pub fn group_name_of(id_or_name: &str) -> &str {
    let s = id_or_name.trim();
    match s.get(..GROUP_ID_PREFIX.len()) {
        Some(p) if p.eq_ignore_ascii_case(GROUP_ID_PREFIX) => {
            s[GROUP_ID_PREFIX.len()..].trim_matches('/')
        }
        _ => s,
    }
}

/// Longest id and display name Azure takes.
const MAX_NAME_LEN: usize = 90;

pub fn management_group_not_found(name: &str) -> DomainError {
    DomainError::not_found(
        "ManagementGroupNotFound",
        format!("The management group '{name}' could not be found."),
    )
    .with_arg("name", name.to_string())
    .with_remedy("Check the group's id (not its display name); list the groups you can see with GET /providers/Microsoft.Management/managementGroups.")
}

fn parent_not_found(name: &str) -> DomainError {
    DomainError::invalid(
        "ParentManagementGroupNotFound",
        format!("The parent management group '{name}' could not be found."),
    )
    .with_arg("name", name.to_string())
    .with_remedy(
        "Name an existing group of the directory as the parent, or none for the tenant root group.",
    )
}

/// The directory a management-group request is about: the one the caller signed in to. A caller
/// without one (a personal account in the consumer realm) has no hierarchy to act on.
pub fn caller_tenant(world: &World, actor: &Actor) -> Result<TenantId, DomainError> {
    match actor.tenant() {
        Some(t) => require_tenant(world, t).map(|p| p.tenant.id),
        None => Err(DomainError::forbidden(
            "AuthorizationFailed",
            format!(
                "'{}' is not signed in to a directory: management groups belong to one.",
                actor.display()
            ),
        )
        .with_arg("principal", actor.display().to_string())
        .with_variant("caller-tenant")
        .with_remedy("Sign in to the directory whose hierarchy you want to manage.")),
    }
}

/// Whether the caller may perform `action` on management group `name` of `tenant`: the operator, or a
/// principal of the tenant whom a role assignment at the group, above it or at the root scope grants it
/// (itself or through a group it is in).
pub fn group_access(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    name: &str,
    action: &str,
) -> bool {
    if actor.is_operator() {
        return true;
    }
    let (Some(t), Some(object), Some(part)) =
        (actor.tenant(), actor.object_id(), world.tenant(tenant))
    else {
        return false;
    };
    t == tenant
        && is_present_in(world, actor, tenant)
        && world
            .group_grants(part, object, &crate::action::Action::new(action), name)
            .next()
            .is_some()
}

fn require_group_access(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    name: &str,
    action: &str,
) -> Result<(), DomainError> {
    if group_access(world, actor, tenant, name, action) {
        Ok(())
    } else {
        Err(authorization_failed(actor, action, &group_id(name)))
    }
}

/// A present principal of `tenant` (a member, a redeemed guest, a service principal) signed in there.
fn is_present_in(world: &World, actor: &Actor, tenant: TenantId) -> bool {
    match (actor.tenant(), actor.object_id()) {
        (Some(t), Some(o)) if t == tenant => world
            .principal(tenant, o)
            .is_some_and(|p: PrincipalRef<'_>| p.is_present()),
        _ => actor.is_operator(),
    }
}

/// Whether the caller sees management group `name`: everyone in the directory sees the root, as in
/// Azure; other groups need read access on them.
pub fn may_read_group(world: &World, actor: &Actor, tenant: TenantId, name: &str) -> bool {
    let Some(part) = world.tenant(tenant) else {
        return false;
    };
    (part.is_root_group(name) && is_present_in(world, actor, tenant))
        || group_access(world, actor, tenant, name, names::MANAGEMENT_GROUP_READ)
}

fn require_group<'w>(
    part: &'w TenantPart,
    name: &str,
) -> Result<Cow<'w, ManagementGroup>, DomainError> {
    part.management_group(name)
        .ok_or_else(|| management_group_not_found(name))
}

/// The group `name` of `tenant`, when the caller may see it; one who may not is refused `action` on it
/// whether it exists or not (a missing group is reported only to whoever could see it).
fn visible_group<'w>(
    world: &'w World,
    actor: &Actor,
    tenant: TenantId,
    name: &str,
    action: &str,
) -> Result<(&'w TenantPart, ManagementGroup), DomainError> {
    let part = require_tenant(world, tenant)?;
    if !may_read_group(world, actor, tenant, name) {
        return Err(authorization_failed(actor, action, &group_id(name)));
    }
    Ok((part, require_group(part, name)?.into_owned()))
}

fn validate_name(name: &str) -> Result<(), DomainError> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.()".contains(c));
    if name.is_empty() || name.len() > MAX_NAME_LEN || !ok_chars || name.ends_with('.') {
        return Err(DomainError::invalid(
            "InvalidManagementGroupId",
            format!("'{name}' is not a valid management group id: it takes 1 to {MAX_NAME_LEN} letters, digits, hyphens, underscores, periods and parentheses, and cannot end with a period."),
        )
        .with_arg("name", name.to_string())
        .with_arg("max_name_len", MAX_NAME_LEN.to_string())
        .with_remedy("Choose an id like 'platform' or 'corp-prod'; the display name may hold any text."));
    }
    Ok(())
}

fn validate_display_name(display_name: &str) -> Result<(), DomainError> {
    if display_name.trim().is_empty() || display_name.chars().count() > MAX_NAME_LEN {
        return Err(DomainError::invalid(
            "InvalidManagementGroupDisplayName",
            format!(
                "A management group's display name takes 1 to {MAX_NAME_LEN} characters; '{display_name}' does not fit."
            ),
        )
        .with_arg("max_name_len", MAX_NAME_LEN.to_string())
        .with_arg("display_name", display_name.to_string()));
    }
    Ok(())
}

fn group_event(
    actor: &Actor,
    now: Timestamp,
    operation: &str,
    tenant: TenantId,
    name: &str,
) -> AuditEvent {
    AuditEvent::new(actor, now, operation, group_id(name)).tenant(tenant)
}

/// What a PUT or a PATCH of a group asks for: absent fields stay as they are (a new group takes its id
/// as display name and the root as parent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManagementGroupWrite {
    pub display_name: Option<String>,
    /// The new parent's name or ARM id; `Some("")` means the root.
    pub parent: Option<String>,
}

/// Creates the group, or updates it when it exists (ARM's PUT). Returns whether it was created.
pub fn put_management_group(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    name: &str,
    write: ManagementGroupWrite,
    now: Timestamp,
) -> Result<(Change, bool), DomainError> {
    let part = require_tenant(world, tenant)?;
    if part.management_group(name).is_some() {
        return update_management_group(world, actor, tenant, name, write, now).map(|c| (c, false));
    }
    let name = name.trim();
    validate_name(name)?;
    let display_name = write.display_name.unwrap_or_else(|| name.to_string());
    validate_display_name(&display_name)?;
    let parent = resolve_parent(part, write.parent.as_deref())?;
    let under = parent.clone().unwrap_or_else(|| part.root_group_name());
    if !may_create_group_under(world, actor, tenant, parent.as_deref()) {
        // Refused at the parent; under the root, at the root only when the settings ask for write there.
        let at_parent = parent.is_some()
            || super::hierarchy_settings::requires_authorization_for_group_creation(part);
        let at = if at_parent { &under } else { name };
        return Err(authorization_failed(
            actor,
            names::MANAGEMENT_GROUP_WRITE,
            &group_id(at),
        ));
    }
    if part.management_group_count() >= MAX_MANAGEMENT_GROUPS {
        return Err(DomainError::conflict(
            "ManagementGroupLimitExceeded",
            format!("The directory already holds {MAX_MANAGEMENT_GROUPS} management groups, the most Azure supports."),
        )
        .with_arg("max_management_groups", MAX_MANAGEMENT_GROUPS.to_string())
        .with_remedy("Delete groups that are no longer needed, or group subscriptions in fewer, larger groups."));
    }
    if part.group_depth(&under) + 1 > MAX_MANAGEMENT_GROUP_DEPTH {
        return Err(depth_exceeded(name, &under));
    }
    let g = ManagementGroup {
        tenant,
        name: name.to_string(),
        display_name,
        parent,
        updated: now,
        updated_by: actor_ref(actor),
    };
    let mut change = Change::new();
    change.audit(
        group_event(actor, now, names::MANAGEMENT_GROUP_WRITE, tenant, name).details(
            serde_json::json!({"displayName": g.display_name, "parent": group_id(&under), "created": true}),
        ),
    );
    change.push(Mutation::PutManagementGroup(g));
    // As in Azure, whoever creates a group becomes its Owner.
    if let Some(p) = actor.object_id().and_then(|o| world.principal(tenant, o)) {
        change.push(Mutation::PutManagementGroupAssignment(
            ManagementGroupRoleAssignment {
                id: RoleAssignmentId::new(),
                tenant,
                management_group: name.to_string(),
                principal: p.id(),
                principal_type: p.principal_type(),
                role_definition: crate::roles::OWNER,
                created: now,
            },
        ));
    }
    Ok((change, true))
}

/// Whether the caller may create a group under `parent` (`None`: the root): under the root anyone of
/// the directory may, as in Azure, unless the hierarchy settings require authorization for group
/// creation (then write on the root group); elsewhere, write on the parent.
pub fn may_create_group_under(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    parent: Option<&str>,
) -> bool {
    let Some(part) = world.tenant(tenant) else {
        return false;
    };
    match parent {
        Some(p) if !part.is_root_group(p) => {
            group_access(world, actor, tenant, p, names::MANAGEMENT_GROUP_WRITE)
        }
        _ if super::hierarchy_settings::requires_authorization_for_group_creation(part) => {
            group_access(
                world,
                actor,
                tenant,
                &part.root_group_name(),
                names::MANAGEMENT_GROUP_WRITE,
            )
        }
        _ => is_present_in(world, actor, tenant),
    }
}

/// ARM's `updatedBy`: the caller's object id (the operator's name when it has none).
pub(crate) fn actor_ref(actor: &Actor) -> String {
    actor
        .object_id()
        .map(|o| o.to_string())
        .unwrap_or_else(|| actor.display())
}

fn depth_exceeded(name: &str, under: &str) -> DomainError {
    DomainError::invalid(
        "ManagementGroupDepthLimitExceeded",
        format!("Placing '{name}' under '{under}' would make the hierarchy deeper than {MAX_MANAGEMENT_GROUP_DEPTH} levels below the tenant root group, the most Azure supports."),
    )
    .with_arg("name", name.to_string())
    .with_arg("under", under.to_string())
    .with_arg("max_management_group_depth", MAX_MANAGEMENT_GROUP_DEPTH.to_string())
    .with_remedy("Choose a parent nearer the root, or flatten the groups below.")
}

/// The stored form of a parent named by id or name: `None` for the root.
fn resolve_parent(part: &TenantPart, parent: Option<&str>) -> Result<Option<String>, DomainError> {
    let Some(p) = parent.map(group_name_of).filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    if part.is_root_group(p) {
        return Ok(None);
    }
    part.management_group(p)
        .map(|g| Some(g.name.clone()))
        .ok_or_else(|| parent_not_found(p))
}

/// Renames a group and/or moves it under another parent (ARM's PATCH).
pub fn update_management_group(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    name: &str,
    write: ManagementGroupWrite,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let (part, current) = visible_group(world, actor, tenant, name, names::MANAGEMENT_GROUP_WRITE)?;
    require_group_access(
        world,
        actor,
        tenant,
        &current.name,
        names::MANAGEMENT_GROUP_WRITE,
    )?;
    let mut g = current.clone();
    if let Some(d) = write.display_name {
        validate_display_name(&d)?;
        g.display_name = d;
    }
    let root = part.root_group_name();
    if let Some(p) = write.parent.as_deref() {
        let new_parent = resolve_parent(part, Some(p))?;
        if part.is_root_group(&current.name) {
            if new_parent.is_some() {
                return Err(root_fixed("moved"));
            }
        } else if new_parent.as_deref().map(str::to_lowercase)
            != current.parent.as_deref().map(str::to_lowercase)
        {
            let to = new_parent.clone().unwrap_or_else(|| root.clone());
            if part.is_group_within(&to, &current.name) {
                return Err(DomainError::invalid(
                    "ManagementGroupCycle",
                    format!(
                        "'{}' cannot move under '{to}', which is itself or lies below it.",
                        current.name
                    ),
                )
                .with_arg("group", current.name.to_string())
                .with_arg("to", to.to_string())
                .with_remedy("Choose a parent outside the group's own subtree."));
            }
            if part.group_depth(&to) + 1 + part.group_height(&current.name)
                > MAX_MANAGEMENT_GROUP_DEPTH
            {
                return Err(depth_exceeded(&current.name, &to));
            }
            // A move needs write on the new and the old parent too, the root excepted.
            let from = current.parent.clone().unwrap_or_else(|| root.clone());
            for p in [&to, &from] {
                if !part.is_root_group(p) {
                    require_group_access(world, actor, tenant, p, names::MANAGEMENT_GROUP_WRITE)?;
                }
            }
            // What moves: the group, the groups below it and their subscriptions.
            let moved: Vec<String> = part
                .all_management_groups()
                .iter()
                .filter(|x| part.is_group_within(&x.name, &current.name))
                .map(|x| x.name.clone())
                .collect();
            let subscriptions: Vec<SubscriptionId> = moved
                .iter()
                .flat_map(|x| part.subscriptions_placed_under(x))
                .collect();
            super::group_roles::require_roles_stay_above(
                world,
                part,
                &subscriptions,
                &moved,
                |home| {
                    moved.iter().any(|m| m.eq_ignore_ascii_case(home))
                        || part.is_group_within(&to, home)
                },
            )?;
            g.parent = new_parent;
        }
    }
    if g == current {
        return Ok(Change::new());
    }
    // The root keeps no parent and is stored under its own id once renamed.
    g.updated = now;
    g.updated_by = actor_ref(actor);
    let mut change = Change::new();
    change.audit(
        group_event(actor, now, names::MANAGEMENT_GROUP_WRITE, tenant, &g.name).details(
            serde_json::json!({
                "displayName": g.display_name,
                "parent": group_id(&g.parent.clone().unwrap_or_else(|| root.clone())),
                "previousParent": group_id(&current.parent.clone().unwrap_or_else(|| root.clone())),
            }),
        ),
    );
    if part.is_root_group(&g.name) {
        g.parent = None;
    }
    change.push(Mutation::PutManagementGroup(g));
    Ok(change)
}

fn root_fixed(what: &str) -> DomainError {
    DomainError::invalid(
        "RootManagementGroupImmutable",
        format!("The tenant root group cannot be {what}: every group and subscription of the directory folds up to it."),
    )
    .with_arg("what", what.to_string())
    .with_remedy("Its display name can change; move or delete the groups below it instead.")
}

/// Deletes a group that has no child groups and no subscriptions.
pub fn delete_management_group(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    name: &str,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let (part, g) = visible_group(world, actor, tenant, name, names::MANAGEMENT_GROUP_DELETE)?;
    if part.is_root_group(&g.name) {
        return Err(root_fixed("deleted"));
    }
    require_group_access(
        world,
        actor,
        tenant,
        &g.name,
        names::MANAGEMENT_GROUP_DELETE,
    )?;
    if super::hierarchy_settings::landing_group(part)
        .is_some_and(|d| d.eq_ignore_ascii_case(&g.name))
    {
        return Err(super::hierarchy_settings::default_group_in_use(&g.name));
    }
    // A custom role at home in the group would be left defined nowhere, its assignments granting
    // nothing: the roles go (or move their home) first.
    if let Some(role) = part.custom_roles.values().find(|d| {
        d.home_group()
            .is_some_and(|h| h.eq_ignore_ascii_case(&g.name))
    }) {
        return Err(DomainError::conflict(
            "ManagementGroupHasRoleDefinitions",
            format!(
                "The management group '{}' is where the custom role '{}' is defined: deleting it would leave the role defined nowhere.",
                g.name, role.name
            ),
        )
        .with_arg("group", g.name.to_string())
        .with_arg("role", role.name.to_string())
        .with_remedy("Delete the custom roles defined at the group first, or name another group in their assignable scopes."));
    }
    let groups = part.child_groups(&g.name).len();
    let subscriptions = part.subscriptions_placed_under(&g.name).len();
    if groups + subscriptions > 0 {
        return Err(DomainError::conflict(
            "ManagementGroupHasChildren",
            format!("The management group '{}' still has {groups} child group(s) and {subscriptions} subscription(s).", g.name),
        )
        .with_arg("group", g.name.to_string())
        .with_arg("groups", groups.to_string())
        .with_arg("subscriptions", subscriptions.to_string())
        .with_remedy("Move or delete its child groups and move its subscriptions to another group first."));
    }
    let mut change = Change::new();
    change.audit(
        group_event(actor, now, names::MANAGEMENT_GROUP_DELETE, tenant, &g.name)
            .details(serde_json::json!({"displayName": g.display_name})),
    );
    let held: Vec<RoleAssignmentId> = part
        .all_group_assignments()
        .filter(|a| a.management_group.eq_ignore_ascii_case(&g.name))
        .map(|a| a.id)
        .collect();
    if !held.is_empty() {
        change.push(Mutation::DeleteManagementGroupAssignments { tenant, ids: held });
    }
    change.push(Mutation::DeleteManagementGroup {
        tenant,
        name: g.name,
    });
    Ok(change)
}

/// Places a subscription of the tenant under `group` (`PUT …/managementGroups/{group}/subscriptions/{id}`).
pub fn move_subscription(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    group: &str,
    subscription: SubscriptionId,
    now: Timestamp,
) -> Result<Change, DomainError> {
    place(world, actor, tenant, subscription, Some(group), now)
}

/// Takes a subscription out of `group`, back under the root
/// (`DELETE …/managementGroups/{group}/subscriptions/{id}`).
pub fn remove_subscription(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    group: &str,
    subscription: SubscriptionId,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let part = require_tenant(world, tenant)?;
    let g = require_group(part, group)?.into_owned();
    let here = part.subscription_parent(subscription);
    if world
        .subscription(subscription)
        .is_none_or(|s| s.subscription.tenant != tenant)
        || !here.eq_ignore_ascii_case(&g.name)
    {
        return Err(DomainError::not_found(
            "SubscriptionNotUnderManagementGroup",
            format!(
                "The subscription '{subscription}' is not under the management group '{}'.",
                g.name
            ),
        )
        .with_arg("subscription", subscription.to_string())
        .with_arg("group", g.name.to_string()));
    }
    place(world, actor, tenant, subscription, None, now)
}

/// Whether the caller may take a subscription of `tenant` from where it is to another group (what
/// [`move_subscription`] asks before the destination): Owner's rights on the subscription, which must be
/// writable, and write on the group it is under, the root excepted.
pub fn may_move_subscription(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    subscription: SubscriptionId,
) -> bool {
    let scope = Scope::subscription(subscription);
    let Some(part) = world.tenant(tenant) else {
        return false;
    };
    let from = part.subscription_parent(subscription);
    require_subscription_owner(world, actor, &scope).is_ok()
        && (part.is_root_group(&from)
            || group_access(world, actor, tenant, &from, names::MANAGEMENT_GROUP_WRITE))
}

/// Owner's rights on the subscription, which moving it asks first: management-group write and
/// role-assignment write there.
fn require_subscription_owner(
    world: &World,
    actor: &Actor,
    scope: &Scope,
) -> Result<(), DomainError> {
    authorize(
        world,
        actor,
        names::MANAGEMENT_GROUP_SUBSCRIPTION_WRITE,
        scope,
    )?;
    authorize(world, actor, names::ROLE_ASSIGNMENT_WRITE, scope)
}

fn not_under(subscription: SubscriptionId, group: &str) -> DomainError {
    DomainError::not_found(
        "SubscriptionNotUnderManagementGroup",
        format!("The subscription '{subscription}' is not under the management group '{group}'."),
    )
    .with_arg("subscription", subscription.to_string())
    .with_arg("group", group.to_string())
}

fn place(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    subscription: SubscriptionId,
    group: Option<&str>,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let part = require_tenant(world, tenant)?;
    require_subscription_owner(world, actor, &Scope::subscription(subscription))?;
    let sub = require_subscription(world, subscription)?;
    if sub.subscription.tenant != tenant {
        return Err(DomainError::invalid(
            "SubscriptionNotInDirectory",
            format!("The subscription '{subscription}' trusts another directory: only the directory's own subscriptions join its hierarchy."),
        )
        .with_arg("subscription", subscription.to_string())
        .with_remedy("Sign in to the directory the subscription trusts, or change its directory first."));
    }
    let root = part.root_group_name();
    let to = match group {
        Some(g) => {
            visible_group(world, actor, tenant, g, names::MANAGEMENT_GROUP_WRITE)?
                .1
                .name
        }
        None => root.clone(),
    };
    let from = part.subscription_parent(subscription);
    if from.eq_ignore_ascii_case(&to) {
        return Ok(Change::new());
    }
    for g in [&to, &from] {
        if !part.is_root_group(g) {
            require_group_access(world, actor, tenant, g, names::MANAGEMENT_GROUP_WRITE)?;
        }
    }
    super::group_roles::require_roles_stay_above(world, part, &[subscription], &[], |home| {
        part.is_group_within(&to, home)
    })?;
    Ok(placement(part, actor, subscription, &from, &to, now))
}

/// Places the subscription an alias creates under `group` (its `managementGroupId`, an id or a bare
/// name), checked as a move there is: the caller must see the group and may write it (the root
/// excepted). The caller is the new subscription's Owner, and it has no old group to leave.
pub fn place_new_subscription(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    subscription: SubscriptionId,
    group: &str,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let (part, to) = visible_group(
        world,
        actor,
        tenant,
        group_name_of(group),
        names::MANAGEMENT_GROUP_WRITE,
    )?;
    if part.is_root_group(&to.name) {
        return Ok(Change::new());
    }
    require_group_access(
        world,
        actor,
        tenant,
        &to.name,
        names::MANAGEMENT_GROUP_WRITE,
    )?;
    Ok(placement(
        part,
        actor,
        subscription,
        &part.root_group_name(),
        &to.name,
        now,
    ))
}

/// The move of a subscription from group `from` to group `to`, once allowed.
fn placement(
    part: &TenantPart,
    actor: &Actor,
    subscription: SubscriptionId,
    from: &str,
    to: &str,
    now: Timestamp,
) -> Change {
    let tenant = part.tenant.id;
    let parent = (!part.is_root_group(to)).then(|| to.to_string());
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(
            actor,
            now,
            names::MANAGEMENT_GROUP_SUBSCRIPTION_WRITE,
            Scope::subscription(subscription).as_str(),
        )
        .tenant(tenant)
        .subscription(subscription)
        .details(serde_json::json!({"from": group_id(from), "to": group_id(to)})),
    );
    change.push(Mutation::PlaceSubscription {
        tenant,
        subscription,
        parent,
    });
    change
}

// ----- reads -----

/// A group as ARM shows it: with its parent, its path from the root and, when asked, its children.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupView {
    pub group: ManagementGroup,
    /// `None` for the root.
    pub parent: Option<ManagementGroup>,
    /// From the root down to the parent (empty for the root).
    pub path: Vec<ManagementGroup>,
    /// Present when children were asked for (`$expand=children`).
    pub children: Option<Vec<ChildView>>,
}

/// A child in a group's tree: a group (with its own children when asked recursively) or a subscription.
#[derive(Debug, Clone, PartialEq)]
pub enum ChildView {
    Group {
        group: ManagementGroup,
        children: Option<Vec<ChildView>>,
    },
    Subscription {
        id: SubscriptionId,
        display_name: String,
    },
}

/// The groups of the caller's directory it may see, the root first.
pub fn list_management_groups(
    world: &World,
    actor: &Actor,
) -> Result<Vec<ManagementGroup>, DomainError> {
    let tenant = caller_tenant(world, actor)?;
    let part = require_tenant(world, tenant)?;
    Ok(part
        .all_management_groups()
        .into_iter()
        .filter(|g| may_read_group(world, actor, tenant, &g.name))
        .map(Cow::into_owned)
        .collect())
}

/// One group of the caller's directory; `expand` adds its children, `recurse` their children in turn.
pub fn get_management_group(
    world: &World,
    actor: &Actor,
    name: &str,
    expand: bool,
    recurse: bool,
) -> Result<GroupView, DomainError> {
    let tenant = caller_tenant(world, actor)?;
    let (part, group) = visible_group(world, actor, tenant, name, names::MANAGEMENT_GROUP_READ)?;
    view(world, actor, part, &group.name, expand, recurse)
}

/// A group as just written, for the answer to the PUT that wrote it: whoever creates a group under
/// the root may not read it yet (Azure makes the creator its Owner through an assignment at the
/// group's scope, which tenantry does not hold yet), yet the answer must show what was made.
pub fn written_management_group(
    world: &World,
    actor: &Actor,
    name: &str,
) -> Result<GroupView, DomainError> {
    let tenant = caller_tenant(world, actor)?;
    let part = require_tenant(world, tenant)?;
    view(world, actor, part, name, false, false)
}

fn view(
    world: &World,
    actor: &Actor,
    part: &TenantPart,
    name: &str,
    expand: bool,
    recurse: bool,
) -> Result<GroupView, DomainError> {
    let group = require_group(part, name)?.into_owned();
    let mut path: Vec<ManagementGroup> = part
        .group_ancestors(&group.name)
        .iter()
        .filter_map(|a| part.management_group(a).map(Cow::into_owned))
        .collect();
    path.reverse();
    let parent = path.last().cloned();
    let children = expand.then(|| children_of(world, actor, part, &group.name, recurse));
    Ok(GroupView {
        group,
        parent,
        path,
        children,
    })
}

fn children_of(
    world: &World,
    actor: &Actor,
    part: &TenantPart,
    name: &str,
    recurse: bool,
) -> Vec<ChildView> {
    let tenant = part.tenant.id;
    let mut out: Vec<ChildView> = part
        .child_groups(name)
        .into_iter()
        .filter(|g| may_read_group(world, actor, tenant, &g.name))
        .map(|g| ChildView::Group {
            group: g.clone(),
            children: recurse.then(|| children_of(world, actor, part, &g.name, true)),
        })
        .collect();
    for s in world.subscriptions_under_group(tenant, name) {
        let readable = world.authorize(
            actor,
            &crate::action::Action::new(names::SUBSCRIPTION_READ),
            &Scope::subscription(s),
        );
        if let (true, Some(sp)) = (readable, world.subscription(s)) {
            out.push(ChildView::Subscription {
                id: s,
                display_name: sp.subscription.display_name.clone(),
            });
        }
    }
    out
}

/// The subscriptions directly under a group the caller may see, with their display names.
pub fn subscriptions_under(
    world: &World,
    actor: &Actor,
    name: &str,
) -> Result<(ManagementGroup, Vec<(SubscriptionId, String)>), DomainError> {
    let view = get_management_group(world, actor, name, true, false)?;
    let subs = view
        .children
        .unwrap_or_default()
        .into_iter()
        .filter_map(|c| match c {
            ChildView::Subscription { id, display_name } => Some((id, display_name)),
            ChildView::Group { .. } => None,
        })
        .collect();
    Ok((view.group, subs))
}

/// One subscription directly under a group, with its display name, if the caller may see it there.
pub fn subscription_under(
    world: &World,
    actor: &Actor,
    name: &str,
    subscription: SubscriptionId,
) -> Result<(ManagementGroup, String), DomainError> {
    let (group, subs) = subscriptions_under(world, actor, name)?;
    match subs.into_iter().find(|(s, _)| *s == subscription) {
        Some((_, display_name)) => Ok((group, display_name)),
        None => Err(not_under(subscription, &group.name)),
    }
}
