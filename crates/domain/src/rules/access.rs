//! Azure RBAC writes: custom role definitions and role assignments.

use super::names::{require_name, require_names, require_text};
use super::*;
use crate::action::names;
use crate::audit::AuditEvent;
use crate::mutation::{Change, Mutation};
use crate::scope::ScopeLevel;

pub fn role_definition_not_found(id: &str) -> DomainError {
    DomainError::not_found(
        "RoleDefinitionDoesNotExist",
        format!("The specified role definition with ID '{id}' does not exist."),
    )
    .with_arg("id", id.to_string())
    .with_variant("role-definition-not-found")
}

/// Checks that a scope names something that exists: the subscription, a group, a resource.
pub fn require_scope_exists(world: &World, scope: &Scope) -> Result<(), DomainError> {
    let s = require_subscription(world, scope.subscription_id())?;
    match scope.level() {
        ScopeLevel::Subscription => Ok(()),
        ScopeLevel::ResourceGroup => {
            let name = scope.resource_group_name().unwrap_or_default();
            s.resource_group(name)
                .map(|_| ())
                .ok_or_else(|| crate::rules::resources::resource_group_not_found(name))
        }
        ScopeLevel::Resource => {
            let name = scope.resource_group_name().unwrap_or_default();
            s.resource_group(name)
                .ok_or_else(|| crate::rules::resources::resource_group_not_found(name))?;
            if s.resources.contains_key(scope.key()) {
                Ok(())
            } else {
                Err(DomainError::not_found(
                    "ResourceNotFound",
                    format!("The resource '{scope}' was not found."),
                )
                .with_arg("scope", scope.to_string())
                .with_variant("require-scope-exists"))
            }
        }
    }
}

/// Whether a role may be assigned at `scope`: one of its assignable scopes contains it, a management
/// group's when the scope's subscription is under that group.
fn assignable_at(world: &World, role: &RoleDefinition, scope: &Scope) -> bool {
    let tenant = world
        .subscription(scope.subscription_id())
        .and_then(|p| world.tenant(p.subscription.tenant));
    role.assignable_scopes
        .iter()
        .any(|a| match management_group_of_scope(a) {
            Some(g) => tenant.is_some_and(|t| {
                role.tenant == Some(t.tenant.id)
                    && t.assignment_reaches_subscription(g, scope.subscription_id())
            }),
            None => crate::scope::contains_key(&a.to_lowercase(), scope.key()),
        })
}

pub struct RoleAssignmentWrite {
    pub id: RoleAssignmentId,
    pub scope: Scope,
    pub role_definition: RoleDefinitionId,
    pub principal: ObjectId,
    /// The principal's type as the client declared it (ARM's `principalType`); `None` when it did not
    /// say. A declared type that is not the principal's is refused, as ARM refuses it.
    pub principal_type: Option<PrincipalType>,
    pub description: Option<String>,
}

/// A role assignment as a PUT left it.
#[derive(Debug, Clone, PartialEq)]
pub struct AssignmentPut {
    pub assignment: RoleAssignment,
    /// True when the PUT created it (ARM answers 201); false when the same assignment already had this
    /// id (PUT is idempotent: nothing is written, ARM answers 200).
    pub created: bool,
}

/// Creates a role assignment. The principal must be present in the subscription's trusted tenant; a
/// duplicate (principal, role, scope) is `RoleAssignmentExists`; at most 4,000 per subscription.
/// Returns the change (empty when the same assignment exists under the same id) and whether it created.
pub fn create_role_assignment(
    world: &World,
    actor: &Actor,
    req: RoleAssignmentWrite,
    now: Timestamp,
) -> Result<(Change, AssignmentPut), DomainError> {
    let put = decide_role_assignment(world, actor, req, now)?;
    let mut change = Change::new();
    if !put.created {
        return Ok((change, put));
    }
    let a = &put.assignment;
    // The subscription, the role and the principal were all found by the decision just made.
    let tenant = world
        .subscription(a.subscription)
        .map(|s| s.subscription.tenant);
    let role = world
        .role_definition(a.subscription, a.role_definition)
        .map(|r| r.name.to_string())
        .unwrap_or_default();
    let principal_name = tenant
        .and_then(|t| world.principal(t, a.principal))
        .map(|p| p.name())
        .unwrap_or_default();
    let mut event = AuditEvent::new(actor, now, names::ROLE_ASSIGNMENT_WRITE, a.scope.to_string())
        .subscription(a.subscription)
        .details(serde_json::json!({
            "roleAssignment": a.id, "principalId": a.principal, "principalName": principal_name, "role": role,
        }));
    if let Some(t) = tenant {
        event = event.tenant(t);
    }
    change.audit(event);
    change.push(inserted(a.clone()));
    Ok((change, put))
}

/// What [`create_role_assignment`] decides, without the change that tells it: the assignment to
/// create (`created`), or the same one that exists under this id. For a bulk writer (a world file)
/// that records the assignments it creates in one audit event rather than one each.
pub fn decide_role_assignment(
    world: &World,
    actor: &Actor,
    req: RoleAssignmentWrite,
    now: Timestamp,
) -> Result<AssignmentPut, DomainError> {
    let s = authorized_subscription(world, actor, names::ROLE_ASSIGNMENT_WRITE, &req.scope)?;
    require_text(
        "description",
        req.description.as_deref().unwrap_or_default(),
    )?;
    require_scope_exists(world, &req.scope)?;
    let sub = &s.subscription;
    let role = world
        .role_definition(sub.id, req.role_definition)
        .ok_or_else(|| role_definition_not_found(&req.role_definition.to_string()))?;
    if !assignable_at(world, role, &req.scope) {
        return Err(DomainError::forbidden(
            "RoleAssignmentNotAllowedAtScope",
            format!(
                "The role '{}' is not assignable at scope '{}'.",
                role.name, req.scope
            ),
        )
        .with_arg("role", role.name.to_string())
        .with_arg("scope", req.scope.to_string())
        .with_variant("create-role-assignment")
        .with_remedy(
            "Add the scope to the role's assignable scopes, or assign it at one of them.",
        ));
    }
    let principal = world
        .principal(sub.tenant, req.principal)
        .filter(|p| p.is_present())
        .ok_or_else(|| principal_not_found(req.principal, sub.tenant))?;
    if let Some(declared) = req.principal_type
        && declared != principal.principal_type()
    {
        return Err(unmatched_principal_type(
            req.principal,
            principal.principal_type(),
            declared,
        ));
    }
    if let Some(existing) = s.assignments.get(&req.id) {
        if existing.principal == req.principal
            && existing.role_definition == req.role_definition
            && existing.scope == req.scope
        {
            return Ok(AssignmentPut {
                assignment: existing.clone(),
                created: false,
            });
        }
        return Err(DomainError::conflict(
            "RoleAssignmentUpdateNotPermitted",
            "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
        )
        .with_variant("create-role-assignment"));
    }
    if s.assignments_of(req.principal)
        .any(|a| a.role_definition == req.role_definition && a.scope == req.scope)
    {
        return Err(DomainError::conflict(
            "RoleAssignmentExists",
            "The role assignment already exists.",
        )
        .with_variant("create-role-assignment"));
    }
    if s.assignments.len() >= MAX_ROLE_ASSIGNMENTS_PER_SUBSCRIPTION {
        return Err(DomainError::conflict(
            "RoleAssignmentLimitExceeded",
            format!("No more role assignments can be created: the subscription has reached its limit of {MAX_ROLE_ASSIGNMENTS_PER_SUBSCRIPTION}."),
        )
        .with_arg("max_role_assignments_per_subscription", MAX_ROLE_ASSIGNMENTS_PER_SUBSCRIPTION.to_string())
        .with_variant("create-role-assignment")
        .with_remedy("Remove redundant role assignments, or assign roles at a broader scope."));
    }
    let assignment = RoleAssignment {
        id: req.id,
        subscription: sub.id,
        scope: req.scope.clone(),
        principal: req.principal,
        principal_type: principal.principal_type(),
        role_definition: req.role_definition,
        description: req.description,
        created: now,
        created_by: actor.object_id(),
    };
    Ok(AssignmentPut {
        assignment,
        created: true,
    })
}

/// The mutation that writes a new assignment.
fn inserted(a: RoleAssignment) -> Mutation {
    Mutation::InsertRoleAssignments {
        subscription: a.subscription,
        assignments: vec![a],
    }
}

/// Role assignments a bulk writer (a world file) creates in one subscription: each decided by
/// [`decide_role_assignment`], the rule ARM's PUT runs, and written by [`BulkAssignments::create`]'s
/// change; the whole set told by one audit event ([`BulkAssignments::told`]) once the last is planned.
///
/// Why one event and not one each: a world file is one operator action. A million assignments told
/// one event each made half the rows a large apply wrote, each a link of the audit hash chain, while
/// an auditor asks what the action did where. The event keeps a single assignment's operation (so
/// filters by operation or subscription find it), names the subscription, counts what was created of
/// each role at each scope, and names the file's digest; every assignment keeps its `created` time,
/// the event's, so "which action created assignment X" is answered by the event of its subscription
/// at that time.
#[derive(Debug, Default)]
pub struct BulkAssignments {
    count: usize,
    roles: std::collections::HashMap<RoleDefinitionId, usize>,
    scopes: std::collections::HashMap<Scope, usize>,
}

impl BulkAssignments {
    /// The change that writes `put` (as [`decide_role_assignment`] decided it), counted for the
    /// event; nothing when the assignment already existed as asked.
    pub fn create(&mut self, put: AssignmentPut) -> Change {
        let mut change = Change::new();
        if !put.created {
            return change;
        }
        let a = put.assignment;
        self.count += 1;
        *self.roles.entry(a.role_definition).or_default() += 1;
        *self.scopes.entry(a.scope.clone()).or_default() += 1;
        change.push(inserted(a));
        change
    }

    /// The one audit event for what was created in `subscription`: empty when nothing was.
    /// `world_file` is the file's digest (`sha256:…`).
    pub fn told(
        self,
        world: &World,
        actor: &Actor,
        subscription: SubscriptionId,
        world_file: Option<&str>,
        now: Timestamp,
    ) -> Change {
        let mut change = Change::new();
        if self.count == 0 {
            return change;
        }
        let by_role: serde_json::Map<String, serde_json::Value> = self
            .roles
            .iter()
            .map(|(id, n)| {
                let name = world
                    .role_definition(subscription, *id)
                    .map_or_else(|| id.to_string(), |r| r.name.to_string());
                (name, serde_json::Value::from(*n))
            })
            .collect();
        let mut scopes: Vec<(String, usize)> = self
            .scopes
            .iter()
            .map(|(s, n)| (s.to_string(), *n))
            .collect();
        scopes.sort();
        let by_scope: serde_json::Map<String, serde_json::Value> = scopes
            .into_iter()
            .map(|(s, n)| (s, serde_json::Value::from(n)))
            .collect();
        let mut event = AuditEvent::new(
            actor,
            now,
            names::ROLE_ASSIGNMENT_WRITE,
            Scope::subscription(subscription).to_string(),
        )
        .subscription(subscription)
        .details(serde_json::json!({
            "worldFile": world_file,
            "roleAssignmentsCreated": self.count,
            "byRole": by_role,
            "byScope": by_scope,
        }));
        if let Some(part) = world.subscription(subscription) {
            event = event.tenant(part.subscription.tenant);
        }
        change.audit(event);
        change
    }
}

pub fn principal_not_found(principal: ObjectId, tenant: TenantId) -> DomainError {
    DomainError::invalid(
        "PrincipalNotFound",
        format!("Principal {} does not exist in the directory {tenant}. Check that you have the correct principal ID.", principal.0.simple()),
    )
    .with_arg("principal", principal.0.simple().to_string())
    .with_arg("tenant", tenant.to_string())
    .with_variant("principal-not-found")
    .with_remedy("Use the object id of a member, a redeemed guest or a service principal of the subscription's directory.")
}

/// ARM's refusal of a `principalType` that is not the principal's, in ARM's words.
pub fn unmatched_principal_type(
    principal: ObjectId,
    actual: PrincipalType,
    declared: PrincipalType,
) -> DomainError {
    DomainError::invalid(
        "UnmatchedPrincipalType",
        format!(
            "The PrincipalId '{}' has type '{}' , which is different from specified PrincipalType '{}'.",
            principal.0.simple(),
            actual.as_str(),
            declared.as_str()
        ),
    )
    .with_arg("principal", principal.0.simple().to_string())
    .with_arg("actual", actual.as_str().to_string())
    .with_arg("declared", declared.as_str().to_string())
    .with_remedy("Give the principal's own type as principalType, or leave principalType out.")
}

/// Deletes a role assignment; `Ok(None)` when there is none with that id (ARM answers 204).
pub fn delete_role_assignment(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    id: RoleAssignmentId,
    now: Timestamp,
) -> Result<Option<(Change, RoleAssignment)>, DomainError> {
    // Whoever holds no access in the subscription is refused there, whether the assignment exists or
    // not: its scope stays unknown to them.
    let sub_scope = Scope::subscription(subscription);
    if !crate::rules::reads::touches(world, actor, &sub_scope) {
        return Err(authorization_failed(
            actor,
            names::ROLE_ASSIGNMENT_DELETE,
            sub_scope.as_str(),
        ));
    }
    let s = require_subscription(world, subscription)?;
    let Some(a) = s.assignments.get(&id) else {
        authorize(
            world,
            actor,
            names::ROLE_ASSIGNMENT_DELETE,
            &Scope::subscription(subscription),
        )?;
        return Ok(None);
    };
    authorize(world, actor, names::ROLE_ASSIGNMENT_DELETE, &a.scope)?;
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(
            actor,
            now,
            names::ROLE_ASSIGNMENT_DELETE,
            a.scope.to_string(),
        )
        .subscription(subscription)
        .tenant(s.subscription.tenant)
        .details(serde_json::json!({
            "roleAssignment": id, "principalId": a.principal,
        })),
    );
    change.push(Mutation::DeleteRoleAssignments {
        subscription,
        ids: vec![id],
    });
    Ok(Some((change, a.clone())))
}

pub struct RoleDefinitionWrite {
    pub id: RoleDefinitionId,
    pub subscription: SubscriptionId,
    pub name: String,
    pub description: String,
    pub permissions: Vec<Permission>,
    /// Absolute scopes; empty means the subscription.
    pub assignable_scopes: Vec<String>,
}

/// A custom role is deleted only once no assignment names it, as Azure refuses.
pub(crate) fn role_has_assignments() -> DomainError {
    DomainError::conflict(
        "RoleDefinitionHasAssignments",
        "There are existing role assignments referencing this role.",
    )
    .with_remedy("Delete those role assignments first.")
}

/// Refused when the directory holds 5,000 custom roles already, both kinds counted, as in Azure.
pub(crate) fn require_room_for_custom_role(
    world: &World,
    tenant: TenantId,
) -> Result<(), DomainError> {
    let count = world
        .subscriptions_of_tenant(tenant)
        .map(|p| p.custom_roles.len())
        .sum::<usize>()
        + world.tenant(tenant).map_or(0, |t| t.custom_roles.len());
    if count >= MAX_CUSTOM_ROLES_PER_TENANT {
        return Err(DomainError::conflict(
            "RoleDefinitionLimitExceeded",
            format!(
                "The directory has reached its limit of {MAX_CUSTOM_ROLES_PER_TENANT} custom roles."
            ),
        )
        .with_arg(
            "max_custom_roles_per_tenant",
            MAX_CUSTOM_ROLES_PER_TENANT.to_string(),
        ));
    }
    Ok(())
}

/// Checks a custom role's name, description and actions; returns the name trimmed.
pub(crate) fn check_definition(
    name: &str,
    description: &str,
    permissions: &[Permission],
) -> Result<String, DomainError> {
    require_name("roleName", name)?;
    let name = name.trim();
    require_text("description", description)?;
    for p in permissions {
        require_names(
            "actions",
            [
                &p.actions,
                &p.not_actions,
                &p.data_actions,
                &p.not_data_actions,
            ]
            .into_iter()
            .flatten()
            .map(String::as_str),
        )?;
    }
    if name.is_empty() {
        return Err(DomainError::invalid(
            "InvalidRoleDefinition",
            "A role definition needs a roleName.",
        )
        .with_variant("name"));
    }
    if permissions
        .iter()
        .all(|p| p.actions.is_empty() && p.data_actions.is_empty())
    {
        return Err(DomainError::invalid(
            "InvalidRoleDefinition",
            "A role definition needs at least one action.",
        )
        .with_variant("actions"));
    }
    Ok(name.to_string())
}

/// Creates or updates a custom role in a subscription; one whose assignable scopes name a management
/// group is the directory's, at home in that group (`group_roles.rs`).
pub fn put_role_definition(
    world: &World,
    actor: &Actor,
    req: RoleDefinitionWrite,
    now: Timestamp,
) -> Result<(Change, RoleDefinition), DomainError> {
    if req
        .assignable_scopes
        .iter()
        .any(|a| management_group_of_scope(a).is_some())
    {
        let tenant = require_subscription(world, req.subscription)?
            .subscription
            .tenant;
        return super::group_roles::put_group_role_definition(
            world,
            actor,
            super::group_roles::GroupRoleDefinitionWrite {
                id: req.id,
                tenant: Some(tenant),
                at_group: None,
                name: req.name,
                description: req.description,
                permissions: req.permissions,
                assignable_scopes: req.assignable_scopes,
            },
            now,
        );
    }
    let sub_scope = Scope::subscription(req.subscription);
    let s = authorized_subscription(world, actor, names::ROLE_DEFINITION_WRITE, &sub_scope)?;
    if world.built_in_roles().iter().any(|r| r.id == req.id) {
        return Err(DomainError::forbidden(
            "RoleDefinitionUpdateNotPermitted",
            "Built-in roles cannot be changed.",
        )
        .with_variant("put-role-definition"));
    }
    let name = check_definition(&req.name, &req.description, &req.permissions)?;
    let name = name.as_str();
    if world
        .role_definitions(req.subscription)
        .iter()
        .any(|r| r.name.eq_ignore_ascii_case(name) && r.id != req.id)
    {
        return Err(DomainError::conflict(
            "RoleDefinitionWithSameNameExists",
            format!(
                "A role definition cannot be updated with a name that already exists: '{name}'."
            ),
        )
        .with_arg("name", name.to_string()));
    }
    let mut scopes = Vec::new();
    for a in if req.assignable_scopes.is_empty() {
        vec![sub_scope.to_string()]
    } else {
        req.assignable_scopes.clone()
    } {
        let parsed = Scope::parse(&a)?;
        if parsed.subscription_id() != req.subscription {
            return Err(DomainError::invalid(
                "InvalidAssignableScope",
                format!(
                    "The assignable scope '{a}' is outside the subscription '{}'.",
                    req.subscription
                ),
            )
            .with_arg("scope", a.to_string())
            .with_arg("subscription", req.subscription.to_string()));
        }
        scopes.push(parsed.to_string());
    }
    let existing = s.custom_roles.get(&req.id);
    if existing.is_none() {
        require_room_for_custom_role(world, s.subscription.tenant)?;
    }
    let def = RoleDefinition {
        id: req.id,
        subscription: Some(req.subscription),
        tenant: None,
        name: name.to_string(),
        description: req.description,
        permissions: req.permissions,
        assignable_scopes: scopes,
        created: existing.map(|e| e.created).unwrap_or(now),
    };
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(actor, now, names::ROLE_DEFINITION_WRITE, def.id.to_string())
            .subscription(req.subscription)
            .tenant(s.subscription.tenant)
            .details(serde_json::json!({"roleName": def.name})),
    );
    change.push(Mutation::PutRoleDefinition(def.clone()));
    Ok((change, def))
}

/// Deletes a custom role; refused while assignments use it. `Ok(None)` when it does not exist.
pub fn delete_role_definition(
    world: &World,
    actor: &Actor,
    subscription: SubscriptionId,
    id: RoleDefinitionId,
    now: Timestamp,
) -> Result<Option<(Change, RoleDefinition)>, DomainError> {
    let s = authorized_subscription(
        world,
        actor,
        names::ROLE_DEFINITION_DELETE,
        &Scope::subscription(subscription),
    )?;
    if world.built_in_roles().iter().any(|r| r.id == id) {
        return Err(DomainError::forbidden(
            "RoleDefinitionUpdateNotPermitted",
            "Built-in roles cannot be deleted.",
        )
        .with_variant("delete-role-definition"));
    }
    let Some(def) = s.custom_roles.get(&id) else {
        // A role of the directory's management groups that reaches the subscription is deleted from
        // there too, as Azure does, authorized at its home group.
        let reaches = world
            .role_definitions(subscription)
            .iter()
            .any(|d| d.id == id && d.tenant.is_some());
        if reaches {
            return super::group_roles::delete_group_role_definition(
                world,
                actor,
                s.subscription.tenant,
                id,
                now,
            );
        }
        return Ok(None);
    };
    if s.assignments.values().any(|a| a.role_definition == id) {
        return Err(role_has_assignments());
    }
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(actor, now, names::ROLE_DEFINITION_DELETE, id.to_string())
            .subscription(subscription)
            .tenant(s.subscription.tenant)
            .details(serde_json::json!({"roleName": def.name})),
    );
    change.push(Mutation::DeleteRoleDefinitions {
        subscription,
        ids: vec![id],
    });
    Ok(Some((change, def.clone())))
}
