//! Role assignments at management groups and at the root scope: inherited by every group,
//! subscription, resource group and resource below (`authz.rs` reads them). A Global Administrator
//! elevates to User Access Administrator at the root scope `/`, as Azure's `elevateAccess` does; from
//! there access at any group can be granted. At most 500 assignments per group, as in Azure.

use super::hierarchy::{group_access, group_id, management_group_not_found};
use super::*;
use crate::action::names;
use crate::audit::AuditEvent;
use crate::mutation::{Change, Mutation};
use crate::roles;

/// Role assignments one management group holds at most, as in Azure.
pub const MAX_ASSIGNMENTS_PER_GROUP: usize = 500;

/// `POST /providers/Microsoft.Authorization/elevateAccess`: a Global Administrator of the caller's
/// directory becomes User Access Administrator at the root scope (nothing changes if already so).
pub fn elevate_access(world: &World, actor: &Actor, now: Timestamp) -> Result<Change, DomainError> {
    let tenant = super::hierarchy::caller_tenant(world, actor)?;
    require_directory_role(
        world,
        actor,
        tenant,
        DIRECTORY_ADMINISTRATORS,
        "elevate access to the root scope",
    )?;
    let Some(principal) = actor.object_id() else {
        return Ok(Change::new());
    };
    elevation(
        world,
        actor,
        tenant,
        principal,
        RoleAssignmentId::new(),
        now,
    )
}

/// The operator records that a Global Administrator of `tenant` holds elevated access (a world file's
/// assignment at `/`): the User Access Administrator assignment at the root scope its own
/// `elevateAccess` makes, with the id the file gives.
pub fn record_elevated_access(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    principal: ObjectId,
    id: RoleAssignmentId,
    now: Timestamp,
) -> Result<Change, DomainError> {
    super::directory::require_operator(actor, "record elevated access")?;
    let part = require_tenant(world, tenant)?;
    if !DIRECTORY_ADMINISTRATORS
        .iter()
        .any(|r| part.has_role(principal, *r))
    {
        return Err(DomainError::invalid(
            "ElevationNotAllowed",
            format!("{principal} is no Global Administrator of the directory: only they hold access at the root scope '/'."),
        )
        .with_arg("principal", principal.to_string())
        .with_remedy("Make the principal a Global Administrator, or assign a role at the tenant root group instead."));
    }
    elevation(world, actor, tenant, principal, id, now)
}

/// User Access Administrator at the root scope for `principal` (nothing when it holds it already).
fn elevation(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    principal: ObjectId,
    id: RoleAssignmentId,
    now: Timestamp,
) -> Result<Change, DomainError> {
    require_tenant(world, tenant)?;
    if elevated_assignment(world, tenant, principal).is_some() {
        return Ok(Change::new());
    }
    let principal_type = world
        .principal(tenant, principal)
        .map_or(PrincipalType::User, |p| p.principal_type());
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(
            actor,
            now,
            "Microsoft.Authorization/elevateAccess/action",
            ROOT_SCOPE,
        )
        .tenant(tenant),
    );
    change.push(Mutation::PutManagementGroupAssignment(
        ManagementGroupRoleAssignment {
            id,
            tenant,
            management_group: ROOT_SCOPE.into(),
            principal,
            principal_type,
            role_definition: roles::USER_ACCESS_ADMINISTRATOR,
            created: now,
        },
    ));
    Ok(change)
}

/// The elevated access of `principal` in `tenant` (User Access Administrator at the root scope `/`).
pub fn elevated_assignment(
    world: &World,
    tenant: TenantId,
    principal: ObjectId,
) -> Option<&ManagementGroupRoleAssignment> {
    world
        .tenant(tenant)?
        .group_assignments_of(principal)
        .iter()
        .find(|a| {
            a.management_group == ROOT_SCOPE
                && a.role_definition == roles::USER_ACCESS_ADMINISTRATOR
        })
}

/// Gives up the caller's elevated access (Azure removes the assignment at `/`); nothing changes when
/// the caller holds none.
pub fn remove_elevated_access(
    world: &World,
    actor: &Actor,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let tenant = super::hierarchy::caller_tenant(world, actor)?;
    match actor
        .object_id()
        .and_then(|p| elevated_assignment(world, tenant, p))
    {
        Some(a) => remove_group_assignment(world, actor, tenant, a.id, now),
        None => Ok(Change::new()),
    }
}

/// What an assignment at a management group asks for; `id` as the client chose it (ARM's PUT).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupAssignmentWrite {
    pub id: RoleAssignmentId,
    pub group: String,
    pub principal: ObjectId,
    pub role: RoleDefinitionId,
}

/// Assigns a built-in role, or a custom role at home in this group or one above it, to a principal of
/// the tenant at a management group. Returns the
/// assignment, and whether it was made (the same PUT again changes nothing).
pub fn assign_at_group(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    write: GroupAssignmentWrite,
    now: Timestamp,
) -> Result<(Change, (ManagementGroupRoleAssignment, bool)), DomainError> {
    let GroupAssignmentWrite {
        id,
        group,
        principal,
        role,
    } = write;
    let group = group.as_str();
    let part = require_tenant(world, tenant)?;
    let g = part
        .management_group(group)
        .ok_or_else(|| management_group_not_found(group))?
        .into_owned();
    if !group_access(world, actor, tenant, &g.name, names::ROLE_ASSIGNMENT_WRITE) {
        return Err(authorization_failed(
            actor,
            names::ROLE_ASSIGNMENT_WRITE,
            &group_id(&g.name),
        ));
    }
    let p = world.principal(tenant, principal).ok_or_else(|| {
        DomainError::invalid(
            "PrincipalNotFound",
            format!("Principal {principal} does not exist in the directory {tenant}."),
        )
        .with_arg("principal", principal.to_string())
        .with_arg("tenant", tenant.to_string())
        .with_variant("assign-at-group")
    })?;
    let def = world.group_role_definition(part, role).ok_or_else(|| {
        DomainError::invalid(
            "RoleDefinitionDoesNotExist",
            format!(
                "The role definition '{role}' is neither a built-in role nor a custom role of the directory's management groups."
            ),
        )
        .with_arg("role", role.to_string())
        .with_variant("assign-at-group")
    })?;
    if let Some(home) = def.home_group()
        && !part.assignment_reaches_group(home, &g.name)
    {
        return Err(DomainError::forbidden(
            "RoleAssignmentNotAllowedAtScope",
            format!(
                "The role '{}' is not assignable at scope '{}'.",
                def.name,
                group_id(&g.name)
            ),
        )
        .with_arg("role", def.name.to_string())
        .with_arg("scope", group_id(&g.name).to_string())
        .with_variant("assign-at-group")
        .with_remedy("Assign it at its management group or below, or name a group above this one in its assignable scopes."));
    }
    if def.is_custom() && def.permissions.iter().any(|p| !p.data_actions.is_empty()) {
        return Err(DomainError::invalid(
            "InvalidCreateRoleAssignmentRequest",
            "Role assignments to Management Groups can not be made to custom role definitions with DataActions",
        ));
    }
    let at_group: Vec<&ManagementGroupRoleAssignment> = part
        .all_group_assignments()
        .filter(|a| a.management_group.eq_ignore_ascii_case(&g.name))
        .collect();
    if let Some(a) = at_group
        .iter()
        .find(|a| a.principal == principal && a.role_definition == role)
    {
        if a.id == id {
            return Ok((Change::new(), ((*a).clone(), false)));
        }
        return Err(DomainError::conflict(
            "RoleAssignmentExists",
            format!("The role assignment already exists (id {}).", a.id),
        )
        .with_arg("id", a.id.to_string())
        .with_variant("assign-at-group"));
    }
    if at_group.len() >= MAX_ASSIGNMENTS_PER_GROUP {
        return Err(DomainError::conflict(
            "RoleAssignmentLimitExceeded",
            format!("The management group '{}' holds {MAX_ASSIGNMENTS_PER_GROUP} role assignments, the most Azure allows.", g.name),
        )
        .with_arg("group", g.name.to_string())
        .with_arg("max_assignments_per_group", MAX_ASSIGNMENTS_PER_GROUP.to_string())
        .with_variant("assign-at-group")
        .with_remedy("Assign roles to groups instead of to each person, or remove assignments no longer needed."));
    }
    if part.all_group_assignments().any(|a| a.id == id) {
        return Err(DomainError::conflict(
            "RoleAssignmentUpdateNotPermitted",
            format!(
                "The role assignment '{id}' exists with other content; role assignments cannot be updated."
            ),
        )
        .with_arg("id", id.to_string())
        .with_variant("assign-at-group"));
    }
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(
            actor,
            now,
            names::ROLE_ASSIGNMENT_WRITE,
            format!(
                "{}/providers/Microsoft.Authorization/roleAssignments/{id}",
                group_id(&g.name)
            ),
        )
        .tenant(tenant)
        .details(serde_json::json!({"principal": principal, "roleDefinition": role})),
    );
    let a = ManagementGroupRoleAssignment {
        id,
        tenant,
        management_group: g.name,
        principal,
        principal_type: p.principal_type(),
        role_definition: role,
        created: now,
    };
    change.push(Mutation::PutManagementGroupAssignment(a.clone()));
    Ok((change, (a, true)))
}

/// Removes a role assignment at a management group (or the root scope).
pub fn remove_group_assignment(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    id: RoleAssignmentId,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let part = require_tenant(world, tenant)?;
    let a = part
        .all_group_assignments()
        .find(|a| a.id == id)
        .ok_or_else(|| assignment_not_found(id))?;
    if !may_remove_group_assignment(world, actor, tenant, a) {
        return Err(authorization_failed(
            actor,
            names::ROLE_ASSIGNMENT_DELETE,
            &group_id(&a.management_group),
        ));
    }
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(actor, now, names::ROLE_ASSIGNMENT_DELETE, id.to_string())
            .tenant(tenant)
            .details(serde_json::json!({"managementGroup": a.management_group, "principal": a.principal})),
    );
    change.push(Mutation::DeleteManagementGroupAssignments {
        tenant,
        ids: vec![id],
    });
    Ok(change)
}

/// Whether the caller may remove assignment `a` of `tenant` (the rule's question, asked by the pages
/// that offer it too).
pub fn may_remove_group_assignment(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    a: &ManagementGroupRoleAssignment,
) -> bool {
    if a.management_group == ROOT_SCOPE {
        // Elevated access is given up by its holder, or removed by the operator.
        actor.is_operator() || actor.object_id() == Some(a.principal)
    } else {
        group_access(
            world,
            actor,
            tenant,
            &a.management_group,
            names::ROLE_ASSIGNMENT_DELETE,
        )
    }
}

/// The assignments at management groups above a subscription (and at the root scope) of its
/// directory: what stops applying when it changes directory.
pub fn inherited_by_subscription(
    world: &World,
    subscription: SubscriptionId,
) -> Vec<ManagementGroupRoleAssignment> {
    let Some(sub) = world.subscription(subscription) else {
        return vec![];
    };
    let Some(part) = world.tenant(sub.subscription.tenant) else {
        return vec![];
    };
    let start = part.subscription_parent(subscription);
    part.all_group_assignments()
        .filter(|a| part.assignment_reaches_group(&a.management_group, &start))
        .cloned()
        .collect()
}

/// The assignments that apply at a group the caller may see: at it, above it and at the root scope.
pub fn list_group_assignments(
    world: &World,
    actor: &Actor,
    name: &str,
) -> Result<Vec<ManagementGroupRoleAssignment>, DomainError> {
    let view = super::hierarchy::get_management_group(world, actor, name, false, false)?;
    let part = require_tenant(world, view.group.tenant)?;
    Ok(part
        .all_group_assignments()
        .filter(|a| part.assignment_reaches_group(&a.management_group, &view.group.name))
        .cloned()
        .collect())
}

/// One assignment of the caller's directory at a management group it may see.
pub fn get_group_assignment(
    world: &World,
    actor: &Actor,
    name: &str,
    id: RoleAssignmentId,
) -> Result<ManagementGroupRoleAssignment, DomainError> {
    list_group_assignments(world, actor, name)?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or_else(|| assignment_not_found(id))
}

/// The assignments at the root scope `/` of the caller's directory (the elevated ones): what any member
/// who sees the tenant root group sees there, as ARM lists them at `/`.
pub fn list_root_scope_assignments(
    world: &World,
    actor: &Actor,
) -> Result<Vec<ManagementGroupRoleAssignment>, DomainError> {
    let tenant = super::hierarchy::caller_tenant(world, actor)?;
    let root = require_tenant(world, tenant)?.root_group_name();
    Ok(list_group_assignments(world, actor, &root)?
        .into_iter()
        .filter(|a| a.management_group == ROOT_SCOPE)
        .collect())
}

/// One assignment at the root scope `/` of the caller's directory.
pub fn get_root_scope_assignment(
    world: &World,
    actor: &Actor,
    id: RoleAssignmentId,
) -> Result<ManagementGroupRoleAssignment, DomainError> {
    list_root_scope_assignments(world, actor)?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or_else(|| assignment_not_found(id))
}

fn assignment_not_found(id: RoleAssignmentId) -> DomainError {
    DomainError::not_found(
        "RoleAssignmentNotFound",
        format!("The role assignment '{id}' is not found."),
    )
    .with_arg("id", id.to_string())
}
