//! Custom roles at home in a management group: made at the group (or at a subscription with the group
//! in its assignable scopes), listed at the group and every scope below it, assignable there, and
//! inherited from assignments at the group. Azure takes one management group in a custom role's
//! assignable scopes, beside subscriptions and resource groups of the same directory, and never `/`.

use super::access::{
    check_definition, require_room_for_custom_role, role_definition_not_found, role_has_assignments,
};
use super::hierarchy::{caller_tenant, group_access, group_id, management_group_not_found};
use super::reads::RoleDefinitionQuery;
use super::*;
use crate::action::names;
use crate::audit::AuditEvent;
use crate::mutation::{Change, Mutation};

/// A custom role of a directory, as a PUT asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRoleDefinitionWrite {
    pub id: RoleDefinitionId,
    /// The directory: `None` for the caller's own (the operator names one).
    pub tenant: Option<TenantId>,
    /// The group whose scope the PUT was addressed to, if it was one: then assignable scopes left
    /// empty mean that group.
    pub at_group: Option<String>,
    pub name: String,
    pub description: String,
    pub permissions: Vec<Permission>,
    pub assignable_scopes: Vec<String>,
}

/// The one management group among a custom role's assignable scopes, with the others checked: `/` is
/// refused, as are a second group and scopes of another directory's subscriptions.
fn home_group_of(
    world: &World,
    tenant: &TenantPart,
    scopes: &[String],
) -> Result<(String, Vec<String>), DomainError> {
    let mut group: Option<String> = None;
    let mut out = Vec::with_capacity(scopes.len());
    for a in scopes {
        if a.trim() == ROOT_SCOPE {
            return Err(DomainError::invalid(
                "InvalidAssignableScope",
                "The root scope '/' cannot be an assignable scope of a custom role.",
            )
            .with_variant("root")
            .with_remedy("Name the tenant root group, or a management group below it."));
        }
        if let Some(g) = management_group_of_scope(a) {
            if group.is_some() {
                return Err(DomainError::invalid(
                    "InvalidAssignableScope",
                    "A custom role can name only one management group in its assignable scopes.",
                )
                .with_variant("one-group")
                .with_remedy("Name the one group above all the scopes the role is for."));
            }
            let found = tenant
                .management_group(g)
                .ok_or_else(|| management_group_not_found(g))?;
            out.push(group_id(&found.name));
            group = Some(found.name.clone());
            continue;
        }
        let parsed = Scope::parse(a)?;
        let in_tenant = world
            .subscription(parsed.subscription_id())
            .is_some_and(|p| p.subscription.tenant == tenant.tenant.id);
        if !in_tenant {
            return Err(DomainError::invalid(
                "InvalidAssignableScope",
                format!(
                    "The assignable scope '{a}' is not in the directory '{}'.",
                    tenant.tenant.id
                ),
            )
            .with_arg("scope", a.to_string())
            .with_arg("directory", tenant.tenant.id.to_string())
            .with_variant("other-directory"));
        }
        out.push(parsed.to_string());
    }
    let group = group.ok_or_else(|| {
        DomainError::invalid(
            "InvalidAssignableScope",
            "A custom role made at a management group names it in its assignable scopes.",
        )
        .with_variant("no-group")
    })?;
    Ok((group, out))
}

/// Creates or updates a custom role at home in a management group of the directory.
pub fn put_group_role_definition(
    world: &World,
    actor: &Actor,
    req: GroupRoleDefinitionWrite,
    now: Timestamp,
) -> Result<(Change, RoleDefinition), DomainError> {
    let tenant = match req.tenant {
        Some(t) => t,
        None => caller_tenant(world, actor)?,
    };
    let part = require_tenant(world, tenant)?;
    if let Some(g) = &req.at_group {
        part.management_group(g)
            .ok_or_else(|| management_group_not_found(g))?;
    }
    let scopes = match (&req.at_group, req.assignable_scopes.is_empty()) {
        (Some(g), true) => vec![group_id(g)],
        _ => req.assignable_scopes.clone(),
    };
    let (group, scopes) = home_group_of(world, part, &scopes)?;
    if !group_access(world, actor, tenant, &group, names::ROLE_DEFINITION_WRITE) {
        return Err(authorization_failed(
            actor,
            names::ROLE_DEFINITION_WRITE,
            &group_id(&group),
        ));
    }
    if world.built_in_roles().iter().any(|r| r.id == req.id) {
        return Err(DomainError::forbidden(
            "RoleDefinitionUpdateNotPermitted",
            "Built-in roles cannot be changed.",
        )
        .with_variant("put-role-definition"));
    }
    if let Some(s) = world
        .subscriptions()
        .find(|p| p.custom_roles.contains_key(&req.id))
    {
        return Err(DomainError::conflict(
            "RoleDefinitionUpdateNotPermitted",
            format!(
                "The role definition '{}' belongs to the subscription '{}': its home cannot move to a management group.",
                req.id, s.subscription.id
            ),
        )
        .with_arg("role_definition", req.id.to_string())
        .with_arg("subscription", s.subscription.id.to_string())
        .with_variant("put-group-role-definition")
        .with_remedy("Make a new role at the management group, with a new id."));
    }
    let name = check_definition(&req.name, &req.description, &req.permissions)?;
    let taken = world
        .built_in_roles()
        .iter()
        .chain(part.custom_roles.values())
        .chain(
            world
                .subscriptions_of_tenant(tenant)
                .flat_map(|p| p.custom_roles.values()),
        )
        .any(|r| r.name.eq_ignore_ascii_case(&name) && r.id != req.id);
    if taken {
        return Err(DomainError::conflict(
            "RoleDefinitionWithSameNameExists",
            format!(
                "A role definition cannot be updated with a name that already exists: '{name}'."
            ),
        )
        .with_arg("name", name.to_string()));
    }
    let existing = part.custom_roles.get(&req.id);
    if existing.is_none() {
        require_room_for_custom_role(world, tenant)?;
    }
    let def = RoleDefinition {
        id: req.id,
        subscription: None,
        tenant: Some(tenant),
        name,
        description: req.description,
        permissions: req.permissions,
        assignable_scopes: scopes,
        created: existing.map_or(now, |e| e.created),
    };
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(actor, now, names::ROLE_DEFINITION_WRITE, def.id.to_string())
            .tenant(tenant)
            .details(serde_json::json!({"roleName": def.name, "managementGroup": group})),
    );
    change.push(Mutation::PutRoleDefinition(def.clone()));
    Ok((change, def))
}

/// Whether any assignment names the role: at a group of the directory, or in one of its
/// subscriptions.
fn in_use(world: &World, tenant: &TenantPart, id: RoleDefinitionId) -> bool {
    tenant
        .all_group_assignments()
        .any(|a| a.role_definition == id)
        || world
            .subscriptions_of_tenant(tenant.tenant.id)
            .any(|p| p.assignments.values().any(|a| a.role_definition == id))
}

/// Deletes a custom role of the directory, authorized at its home group; refused while assignments
/// name it. `Ok(None)` when the directory has no such role.
pub fn delete_group_role_definition(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    id: RoleDefinitionId,
    now: Timestamp,
) -> Result<Option<(Change, RoleDefinition)>, DomainError> {
    let part = require_tenant(world, tenant)?;
    if world.built_in_roles().iter().any(|r| r.id == id) {
        return Err(DomainError::forbidden(
            "RoleDefinitionUpdateNotPermitted",
            "Built-in roles cannot be deleted.",
        )
        .with_variant("delete-role-definition"));
    }
    let Some(def) = part.custom_roles.get(&id) else {
        return Ok(None);
    };
    let group = def.home_group().unwrap_or_default();
    if !group_access(world, actor, tenant, group, names::ROLE_DEFINITION_DELETE) {
        return Err(authorization_failed(
            actor,
            names::ROLE_DEFINITION_DELETE,
            &group_id(group),
        ));
    }
    if in_use(world, part, id) {
        return Err(role_has_assignments());
    }
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(actor, now, names::ROLE_DEFINITION_DELETE, id.to_string())
            .tenant(tenant)
            .details(serde_json::json!({"roleName": def.name, "managementGroup": group})),
    );
    change.push(Mutation::DeleteManagementGroupRoleDefinitions {
        tenant,
        ids: vec![id],
    });
    Ok(Some((change, def.clone())))
}

/// `DELETE` at a management group's scope: a custom role of the caller's directory.
pub fn delete_role_definition_at_group(
    world: &World,
    actor: &Actor,
    group: &str,
    id: RoleDefinitionId,
    now: Timestamp,
) -> Result<Option<(Change, RoleDefinition)>, DomainError> {
    let tenant = caller_tenant(world, actor)?;
    require_tenant(world, tenant)?
        .management_group(group)
        .ok_or_else(|| management_group_not_found(group))?;
    delete_group_role_definition(world, actor, tenant, id, now)
}

/// The role definitions usable at a management group the caller may see: the built-in ones and the
/// directory's custom roles at home in it or in a group above it.
pub fn list_group_role_definitions<'w>(
    world: &'w World,
    actor: &Actor,
    group: &str,
    query: &RoleDefinitionQuery,
) -> Result<Vec<&'w RoleDefinition>, DomainError> {
    let view = super::hierarchy::get_management_group(world, actor, group, false, false)?;
    let part = require_tenant(world, view.group.tenant)?;
    let name = view.group.name;
    let reaching = part.custom_roles.values().filter(|d| {
        d.home_group()
            .is_some_and(|h| part.assignment_reaches_group(h, &name))
    });
    Ok(world
        .built_in_roles()
        .iter()
        .chain(reaching)
        .filter(|d| query.matches(d))
        .collect())
}

/// One role definition as seen from a management group the caller may see.
pub fn get_group_role_definition<'w>(
    world: &'w World,
    actor: &Actor,
    group: &str,
    id: RoleDefinitionId,
) -> Result<&'w RoleDefinition, DomainError> {
    list_group_role_definitions(world, actor, group, &RoleDefinitionQuery::default())?
        .into_iter()
        .find(|d| d.id == id)
        .ok_or_else(|| role_definition_not_found(&id.to_string()))
}

/// Refuses a move that would leave a role assignment below the custom role it uses: an assignment in
/// one of `subscriptions`, or at one of `groups`, that names a role at home in a management group must
/// stay at or below that group, where the role is defined. `still_below(home)` says whether the moved
/// things will still be at or below `home` after the move. Azure asks the same (its "breaking the role
/// definition and assignment hierarchy path"); refusing keeps the assignment from silently granting
/// nothing. The remedy names the ways out Azure gives.
pub(crate) fn require_roles_stay_above(
    world: &World,
    tenant: &TenantPart,
    subscriptions: &[SubscriptionId],
    groups: &[String],
    still_below: impl Fn(&str) -> bool,
) -> Result<(), DomainError> {
    // An assignment in a subscription also stays valid where the role names its scope outright.
    let cut = |(role, at): (RoleDefinitionId, Option<&Scope>)| {
        let d = tenant.custom_roles.get(&role)?;
        let home = d.home_group()?;
        let named = at.is_some_and(|at| {
            d.assignable_scopes.iter().any(|s| {
                management_group_of_scope(s).is_none()
                    && crate::scope::contains_key(&s.to_lowercase(), at.key())
            })
        });
        (!still_below(home) && !named).then_some((d, home))
    };
    let in_subscriptions = subscriptions
        .iter()
        .filter_map(|s| world.subscription(*s))
        .flat_map(|p| {
            p.assignments
                .values()
                .map(|a| (a.role_definition, Some(&a.scope)))
        });
    let at_groups = tenant
        .all_group_assignments()
        .filter(|a| {
            groups
                .iter()
                .any(|g| g.eq_ignore_ascii_case(&a.management_group))
        })
        .map(|a| (a.role_definition, None));
    match in_subscriptions.chain(at_groups).find_map(cut) {
        None => Ok(()),
        Some((role, home)) => Err(DomainError::invalid(
            "RoleDefinitionScopeBreak",
            format!(
                "The move would take role assignments of the custom role '{}' out from under the management group '{home}', where the role is defined: they would grant nothing.",
                role.name
            ),
        )
        .with_arg("role", role.name.to_string())
        .with_arg("home", home.to_string())
        .with_remedy(
            "Remove those role assignments first, add the destination to the role's assignable scopes, or move within that management group.",
        )),
    }
}
