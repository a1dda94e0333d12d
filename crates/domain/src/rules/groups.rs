//! Security groups of a tenant: creating, changing and deleting them, their members and their owners.
//!
//! Who may do what, as in Entra: Global, User and Groups Administrators manage every group, and a
//! group's owners manage their own (its properties, members and owners, deleting it). A role-assignable
//! group (`isAssignableToRole`) may hold directory roles, so only Global Administrators create one, only
//! they and its owners manage it, and it cannot contain groups (as Entra requires). Members are present
//! users (members and redeemed guests), service principals and other groups of the same tenant, nested
//! to any depth but never in a cycle; owners are present users and service principals.
//!
//! Deleting a group removes its role assignments in every subscription that trusts the tenant, in the
//! same transaction, and lists them in the audit event. Azure leaves such assignments behind, orphaned
//! ("Identity not found" in the portal), granting nothing but cluttering every list and every review;
//! tenantry removes them, as it does for a deleted user.

use super::directory::{last_global_admin, user_not_found};
use super::*;
use crate::audit::AuditEvent;
use crate::mutation::{Change, Mutation};
use crate::world::PrincipalRef;

/// Entra's limits on a group's names.
pub const MAX_DISPLAY_NAME_CHARS: usize = 256;
pub const MAX_MAIL_NICKNAME_CHARS: usize = 64;
/// Characters Entra refuses in a `mailNickname` (besides spaces and anything outside ASCII).
const MAIL_NICKNAME_FORBIDDEN: &str = "@()\\[]\";:<>,";

/// The audit operations of this module, in Entra's style.
pub mod operations {
    pub const CREATE: &str = "microsoft.directory/groups/create";
    pub const UPDATE: &str = "microsoft.directory/groups/update";
    pub const DELETE: &str = "microsoft.directory/groups/delete";
    pub const ADD_MEMBERS: &str = "microsoft.directory/groups/members/add";
    pub const REMOVE_MEMBERS: &str = "microsoft.directory/groups/members/remove";
    pub const ADD_OWNER: &str = "microsoft.directory/groups/owners/add";
    pub const REMOVE_OWNER: &str = "microsoft.directory/groups/owners/remove";
}

/// An audit event lists at most this many ids of one kind, so a huge change stays a modest row.
const AUDIT_CAP: usize = 1000;

/// The audit event of a change to the group `g`.
fn event(
    actor: &Actor,
    now: Timestamp,
    operation: &str,
    g: &Group,
    details: serde_json::Value,
) -> AuditEvent {
    AuditEvent::new(actor, now, operation, g.display_name.clone())
        .tenant(g.tenant)
        .details(details)
}

/// The members a change adds or removes, as its audit event lists them.
fn member_details(group: ObjectId, members: &[ObjectId]) -> serde_json::Value {
    serde_json::json!({
        "id": group,
        "memberCount": members.len(),
        "members": members.iter().take(AUDIT_CAP).collect::<Vec<_>>(),
    })
}

/// The default `mailNickname` of a group: its display name in lowercase ASCII letters and digits, other
/// characters as single hyphens (`Platform Team` → `platform-team`); `group` when nothing is left.
pub fn mail_nickname_of(display_name: &str) -> String {
    let mut slug = String::with_capacity(display_name.len());
    for c in display_name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let mut slug: String = slug
        .trim_end_matches('-')
        .chars()
        .take(MAX_MAIL_NICKNAME_CHARS)
        .collect();
    while slug.ends_with('-') {
        slug.pop();
    }
    if slug.is_empty() {
        "group".into()
    } else {
        slug
    }
}

pub fn validate_group_name(name: &str) -> Result<(), DomainError> {
    super::names::require_name("displayName", name)?;
    let name = super::names::typed(name);
    if name.is_empty() || name.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(DomainError::invalid(
            "InvalidGroupName",
            format!(
                "'{name}' cannot be a group's display name: use 1 to {MAX_DISPLAY_NAME_CHARS} characters."
            ),
        )
        .with_arg("name", name.to_string())
        .with_arg("max_display_name_chars", MAX_DISPLAY_NAME_CHARS.to_string()));
    }
    Ok(())
}

pub fn validate_mail_nickname(nickname: &str) -> Result<(), DomainError> {
    let ok = !nickname.is_empty()
        && nickname.chars().count() <= MAX_MAIL_NICKNAME_CHARS
        && nickname
            .chars()
            .all(|c| c.is_ascii_graphic() && !MAIL_NICKNAME_FORBIDDEN.contains(c));
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "InvalidMailNickname",
            format!(
                "'{nickname}' cannot be a mailNickname: use 1 to {MAX_MAIL_NICKNAME_CHARS} ASCII characters, without spaces nor any of {MAIL_NICKNAME_FORBIDDEN}."
            ),
        )
        .with_arg("nickname", nickname.to_string())
        .with_arg("max_mail_nickname_chars", MAX_MAIL_NICKNAME_CHARS.to_string())
        .with_arg("mail_nickname_forbidden", MAIL_NICKNAME_FORBIDDEN.to_string()))
    }
}

/// A description as stored: none when blank; line breaks and tabs kept, other control characters refused.
fn group_description(d: Option<String>) -> Result<Option<String>, DomainError> {
    if let Some(text) = &d {
        super::names::require_text("description", text)?;
    }
    Ok(d.filter(|d| !d.trim().is_empty()))
}

fn require_group(part: &TenantPart, group: ObjectId) -> Result<&Group, DomainError> {
    part.group(group).ok_or_else(|| user_not_found(group))
}

/// The directory roles that manage `group`: Global Administrators alone for a role-assignable group.
fn managers_of(part: &TenantPart, group: ObjectId) -> &'static [DirectoryRole] {
    if part.group(group).is_some_and(|g| g.role_assignable) {
        DIRECTORY_ADMINISTRATORS
    } else {
        GROUP_MANAGERS
    }
}

/// Whether the caller, signed in to `tenant`, is a present owner of `group`.
fn is_owner(world: &World, actor: &Actor, part: &TenantPart, group: ObjectId) -> bool {
    let tenant = part.tenant.id;
    match (actor.tenant(), actor.object_id()) {
        (Some(t), Some(o)) => {
            t == tenant
                && part.is_group_owner(group, o)
                && world.principal(tenant, o).is_some_and(|p| p.is_present())
        }
        _ => false,
    }
}

/// Whether the caller may change `group` (its properties, members and owners) and delete it: what a face
/// asks before offering to.
pub fn may_manage_group(world: &World, actor: &Actor, tenant: TenantId, group: ObjectId) -> bool {
    let Some(part) = world.tenant(tenant) else {
        return false;
    };
    holds_directory_role(world, actor, tenant, managers_of(part, group))
        || is_owner(world, actor, part, group)
}

/// Refuses unless the caller may manage `group`. Decided before looking the tenant or the group up, so
/// a caller who may not learns nothing of whether they exist: the refusal names the directory as
/// [`directory_label`](crate::rules::reads::directory_label) does (by id to whoever is not in it), and
/// the roles that manage a role-assignable group only to the directory's own people.
pub(crate) fn require_group_manager(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    group: ObjectId,
    what: &str,
) -> Result<(), DomainError> {
    if may_manage_group(world, actor, tenant, group) {
        return Ok(());
    }
    let managers = match world.tenant(tenant) {
        Some(part) if actor.tenant() == Some(tenant) => managers_of(part, group),
        _ => GROUP_MANAGERS,
    };
    let roles: Vec<&str> = managers.iter().map(|r| r.display_name()).collect();
    let tname = crate::rules::reads::directory_label(world, actor, tenant);
    Err(DomainError::forbidden(
        "Authorization_RequestDenied",
        format!(
            "Insufficient privileges to {what}: '{}' is neither an owner of the group nor a {} of the directory '{tname}'.",
            actor.display(),
            roles.join(" or ")
        ),
    )
    .with_arg("what", what.to_string())
    .with_arg("principal", actor.display().to_string())
    .with_arg("roles", roles.join(" or ").to_string())
    .with_arg("directory", tname.to_string())
    .with_variant("require-group-manager")
    .with_remedy(format!(
        "Ask an owner of the group, or a {} of '{tname}', to make the change.",
        roles.join(" or ")
    )))
}

fn name_taken(name: &str) -> DomainError {
    DomainError::conflict(
        "GroupNameTaken",
        format!("The directory has a group named '{name}' already."),
    )
    .with_arg("name", name.to_string())
    .with_remedy(
        "Choose another display name: groups are named by it in world files and principal maps.",
    )
}

/// A present principal of `tenant` that may be a member (`as_owner` false) or an owner of a group.
fn group_principal(
    world: &World,
    tenant: TenantId,
    object: ObjectId,
    as_owner: bool,
) -> Result<PrincipalRef<'_>, DomainError> {
    let p = world
        .principal(tenant, object)
        .ok_or_else(|| user_not_found(object))?;
    if !p.is_present() {
        return Err(DomainError::conflict(
            "GuestNotRedeemed",
            format!(
                "'{}' has not redeemed the invitation yet: only present guests join groups.",
                p.name()
            ),
        )
        .with_arg("principal", p.name().to_string())
        .with_variant("group-principal")
        .with_remedy("Wait for the invitation to be redeemed, then add the guest."));
    }
    if as_owner && let PrincipalRef::Group(g) = p {
        return Err(DomainError::invalid(
            "GroupCannotOwnGroup",
            format!(
                "The group '{}' cannot own a group: owners are users and service principals.",
                g.display_name
            ),
        )
        .with_arg("group", g.display_name.to_string())
        .with_remedy("Name one of its members as owner instead."));
    }
    Ok(p)
}

/// The refusal for `member` joining `group` when `group` is already in `member`: it names the cycle.
fn cycle(part: &TenantPart, group: &Group, member: &Group) -> DomainError {
    if group.id == member.id {
        return DomainError::conflict(
            "GroupMembershipCycle",
            format!(
                "The group '{}' cannot be a member of itself.",
                group.display_name
            ),
        )
        .with_arg("group", group.display_name.to_string())
        .with_variant("itself");
    }
    let name = |id: &ObjectId| {
        part.group(*id)
            .map(|g| g.display_name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    // From `member` down to the group `group` is directly in; the cycle reads upwards from `group`.
    let path = part
        .membership_path(member.id, group.id)
        .unwrap_or_else(|| vec![member.id]);
    let mut names = vec![group.display_name.clone()];
    names.extend(path.iter().rev().map(name));
    names.push(group.display_name.clone());
    DomainError::conflict(
        "GroupMembershipCycle",
        format!(
            "'{}' cannot become a member of '{}': '{}' is in '{}' already, so the groups would contain each other in a cycle: {} (each a member of the next).",
            member.display_name,
            group.display_name,
            group.display_name,
            member.display_name,
            names.join(" → ")
        ),
    )
    .with_arg("member", member.display_name.to_string())
    .with_arg("group", group.display_name.to_string())
    .with_arg("cycle", names.join(" → ").to_string())
    .with_variant("each-other")
    .with_remedy("Remove one of these memberships first, or add the members of the group rather than the group itself.")
}

/// The members to add to `group`, each once, in the order given; refused when one is not a present
/// principal of the tenant, is a member already, or is a group the group cannot contain.
fn new_members(
    world: &World,
    part: &TenantPart,
    group: &Group,
    members: &[ObjectId],
) -> Result<Vec<ObjectId>, DomainError> {
    if members.is_empty() {
        return Err(
            DomainError::invalid("MembersRequired", "Name at least one member to add.")
                .with_variant("new-members"),
        );
    }
    let mut out: Vec<ObjectId> = Vec::with_capacity(members.len());
    let mut seen = std::collections::HashSet::with_capacity(members.len());
    for m in members {
        if !seen.insert(*m) {
            continue;
        }
        let p = group_principal(world, part.tenant.id, *m, false)?;
        if part.is_group_member(group.id, *m) {
            return Err(DomainError::conflict(
                "Request_BadRequest",
                format!(
                    "One or more added object references already exist for the following modified properties: 'members' ({} in {}).",
                    p.name(),
                    group.display_name
                ),
            )
            .with_arg("principal", p.name().to_string())
            .with_arg("group", group.display_name.to_string())
            .with_variant("new-members"));
        }
        if let PrincipalRef::Group(inner) = p {
            if group.role_assignable {
                return Err(DomainError::invalid(
                    "RoleAssignableGroupCannotContainGroups",
                    format!(
                        "The group '{}' can hold directory roles, so it cannot contain groups ('{}' is one).",
                        group.display_name, inner.display_name
                    ),
                )
                .with_arg("group", group.display_name.to_string())
                .with_arg("inner", inner.display_name.to_string())
                .with_remedy("Add the members of that group instead, as Entra requires."));
            }
            if inner.id == group.id || part.groups_of(group.id).contains(&inner.id) {
                return Err(cycle(part, group, inner));
            }
        }
        out.push(*m);
    }
    Ok(out)
}

/// A new group. `members` and `owners` are added in the same change (Graph's `members@odata.bind`).
#[derive(Debug, Clone, Default)]
pub struct NewGroup {
    pub id: Option<ObjectId>,
    pub display_name: String,
    pub description: Option<String>,
    /// A slug of the display name when absent.
    pub mail_nickname: Option<String>,
    pub security_enabled: bool,
    pub role_assignable: bool,
    pub members: Vec<ObjectId>,
    pub owners: Vec<ObjectId>,
}

impl NewGroup {
    /// A security group with this display name and nothing else.
    pub fn named(display_name: impl Into<String>) -> Self {
        Self {
            display_name: display_name.into(),
            security_enabled: true,
            ..Default::default()
        }
    }
}

/// Creates a group: Global, User and Groups Administrators; a role-assignable one, Global Administrators.
pub fn create_group(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    req: NewGroup,
    now: Timestamp,
) -> Result<(Change, ObjectId), DomainError> {
    // Who may, first: a caller who may not learns nothing of whether the tenant exists.
    if req.role_assignable {
        require_directory_role(
            world,
            actor,
            tenant,
            DIRECTORY_ADMINISTRATORS,
            "create groups that can hold directory roles",
        )?;
    } else {
        require_directory_role(world, actor, tenant, GROUP_MANAGERS, "create groups")?;
    }
    let part = require_tenant(world, tenant)?;
    validate_group_name(&req.display_name)?;
    let display_name = super::names::typed(&req.display_name).to_string();
    if part.group_by_name(&display_name).is_some() {
        return Err(name_taken(&display_name));
    }
    let mail_nickname = match req.mail_nickname.as_deref().map(str::trim) {
        Some(n) => {
            validate_mail_nickname(n)?;
            n.to_string()
        }
        None => mail_nickname_of(&display_name),
    };
    if req.role_assignable && !req.security_enabled {
        return Err(role_assignable_needs_security());
    }
    let id = req.id.unwrap_or_default();
    if world.tenant_of_object(id).is_some() {
        return Err(DomainError::conflict(
            "ObjectExists",
            format!("The id '{id}' is taken by another object of a directory."),
        )
        .with_arg("id", id.to_string())
        .with_variant("create-group"));
    }
    let group = Group {
        id,
        tenant,
        display_name,
        description: group_description(req.description)?,
        mail_nickname,
        security_enabled: req.security_enabled,
        role_assignable: req.role_assignable,
        created: now,
    };
    let mut change = Change::new();
    change.push(Mutation::PutGroup(group.clone()));
    let mut owners: Vec<ObjectId> = Vec::with_capacity(req.owners.len());
    for o in &req.owners {
        group_principal(world, tenant, *o, true)?;
        if !owners.contains(o) {
            owners.push(*o);
            change.push(Mutation::AddGroupOwner {
                tenant,
                group: id,
                owner: *o,
            });
        }
    }
    let members = if req.members.is_empty() {
        vec![]
    } else {
        new_members(world, part, &group, &req.members)?
    };
    if !members.is_empty() {
        change.push(Mutation::AddGroupMembers {
            tenant,
            group: id,
            members: members.clone(),
        });
    }
    let mut details = member_details(id, &members);
    details["mailNickname"] = group.mail_nickname.clone().into();
    details["securityEnabled"] = group.security_enabled.into();
    details["isAssignableToRole"] = group.role_assignable.into();
    details["owners"] = serde_json::json!(owners);
    change.audit(event(actor, now, operations::CREATE, &group, details));
    Ok((change, id))
}

fn role_assignable_needs_security() -> DomainError {
    DomainError::invalid(
        "RoleAssignableGroupMustBeSecurityEnabled",
        "A group that can hold directory roles must be security-enabled.",
    )
}

/// Changes to a group's properties; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct GroupUpdate {
    pub display_name: Option<String>,
    /// `Some(None)` clears it.
    pub description: Option<Option<String>>,
    pub mail_nickname: Option<String>,
    pub security_enabled: Option<bool>,
    /// Only the current value is accepted: the flag is set at creation (a request may repeat it).
    pub role_assignable: Option<bool>,
}

/// Changes a group's properties: its managers and owners. Nothing is written when nothing changes.
pub fn update_group(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    group: ObjectId,
    upd: GroupUpdate,
    now: Timestamp,
) -> Result<Change, DomainError> {
    require_group_manager(world, actor, tenant, group, "update groups")?;
    let part = require_tenant(world, tenant)?;
    let current = require_group(part, group)?;
    if upd
        .role_assignable
        .is_some_and(|r| r != current.role_assignable)
    {
        return Err(DomainError::invalid(
            "RoleAssignableIsReadOnly",
            format!(
                "Whether the group '{}' can hold directory roles (isAssignableToRole) was set when it was created and cannot change.",
                current.display_name
            ),
        )
        .with_arg("group", current.display_name.to_string())
        .with_remedy("Create a new group with the setting needed and move the members to it."));
    }
    let mut g = current.clone();
    if let Some(n) = &upd.display_name {
        validate_group_name(n)?;
        let n = super::names::typed(n);
        if part.group_by_name(n).is_some_and(|other| other.id != group) {
            return Err(name_taken(n));
        }
        g.display_name = n.to_string();
    }
    if let Some(d) = upd.description {
        g.description = group_description(d)?;
    }
    if let Some(n) = &upd.mail_nickname {
        let n = n.trim();
        validate_mail_nickname(n)?;
        g.mail_nickname = n.to_string();
    }
    if let Some(s) = upd.security_enabled {
        if g.role_assignable && !s {
            return Err(role_assignable_needs_security());
        }
        g.security_enabled = s;
    }
    let mut change = Change::new();
    if g == *current {
        return Ok(change);
    }
    let details = serde_json::json!({
        "id": group,
        "displayName": g.display_name,
        "description": g.description,
        "mailNickname": g.mail_nickname,
        "securityEnabled": g.security_enabled,
    });
    change.audit(event(actor, now, operations::UPDATE, &g, details));
    change.push(Mutation::PutGroup(g));
    Ok(change)
}

/// Deletes a group with its memberships (its members', and its own in other groups), its owners, its
/// directory roles and its role assignments in every subscription that trusts the tenant (see the
/// module's comment), all in one change whose audit event lists them. Refused while it is the last
/// holder of Global Administrator.
pub fn delete_group(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    group: ObjectId,
    now: Timestamp,
) -> Result<Change, DomainError> {
    require_group_manager(world, actor, tenant, group, "delete groups")?;
    let part = require_tenant(world, tenant)?;
    let g = require_group(part, group)?;
    if part.has_role(group, DirectoryRole::GlobalAdministrator)
        && part
            .role_holders(DirectoryRole::GlobalAdministrator)
            .count()
            == 1
    {
        return Err(last_global_admin(&part.tenant));
    }
    let mut change = Change::new();
    let mut removed = Vec::new();
    let mut subscriptions: Vec<&crate::world::SubscriptionPart> =
        world.subscriptions_of_tenant(tenant).collect();
    subscriptions.sort_by_key(|s| s.subscription.id);
    for s in subscriptions {
        let mut held: Vec<&RoleAssignment> = s.assignments_of(group).collect();
        if held.is_empty() {
            continue;
        }
        held.sort_by_key(|a| a.id);
        for a in &held {
            removed.push(serde_json::json!({
                "subscription": s.subscription.id,
                "roleAssignment": a.id,
                "role": world.role_definition(s.subscription.id, a.role_definition).map(|d| d.name.clone()),
                "scope": a.scope.to_string(),
            }));
        }
        change.push(Mutation::DeleteRoleAssignments {
            subscription: s.subscription.id,
            ids: held.iter().map(|a| a.id).collect(),
        });
    }
    // Nor may the subscription policy exempt a group that is gone.
    if part.tenant.policy.exempted.contains(&group) {
        let mut t = part.tenant.clone();
        t.policy.exempted.retain(|o| *o != group);
        change.push(Mutation::PutTenant(t));
    }
    change.push(Mutation::DeleteGroup { tenant, group });
    let members: Vec<ObjectId> = part.members_of(group).collect();
    let member_of: Vec<&str> = part
        .direct_groups_of(group)
        .iter()
        .filter_map(|p| part.group(*p).map(|x| x.display_name.as_str()))
        .collect();
    let roles: Vec<&str> = part
        .roles_of(group)
        .into_iter()
        .map(|r| r.display_name())
        .collect();
    let mut details = member_details(group, &members);
    details["memberOf"] = serde_json::json!(member_of);
    details["owners"] = serde_json::json!(part.owners_of(group).collect::<Vec<_>>());
    details["directoryRoles"] = serde_json::json!(roles);
    details["removedRoleAssignmentCount"] = removed.len().into();
    details["removedRoleAssignments"] =
        serde_json::json!(removed.into_iter().take(AUDIT_CAP).collect::<Vec<_>>());
    change.audit(event(actor, now, operations::DELETE, g, details));
    Ok(change)
}

/// Adds members to a group in one change (one row each, however big the group): present users,
/// service principals and groups of the tenant. Refused as a whole when one of them cannot join.
pub fn add_group_members(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    group: ObjectId,
    members: &[ObjectId],
    now: Timestamp,
) -> Result<Change, DomainError> {
    change_members(world, actor, tenant, group, members, Membership::Add, now)
}

/// Removes direct members from a group; refused as a whole when one of them is not a direct member.
pub fn remove_group_members(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    group: ObjectId,
    members: &[ObjectId],
    now: Timestamp,
) -> Result<Change, DomainError> {
    change_members(
        world,
        actor,
        tenant,
        group,
        members,
        Membership::Remove,
        now,
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Membership {
    Add,
    Remove,
}

/// Adding or removing members: who may, which group, which members, and the change with its event.
fn change_members(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    group: ObjectId,
    members: &[ObjectId],
    how: Membership,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let what = match how {
        Membership::Add => "add members to groups",
        Membership::Remove => "remove members from groups",
    };
    require_group_manager(world, actor, tenant, group, what)?;
    let part = require_tenant(world, tenant)?;
    let g = require_group(part, group)?;
    let members = match how {
        Membership::Add => new_members(world, part, g, members)?,
        Membership::Remove => gone_members(part, g, members)?,
    };
    let (operation, mutation) = match how {
        Membership::Add => (
            operations::ADD_MEMBERS,
            Mutation::AddGroupMembers {
                tenant,
                group,
                members: members.clone(),
            },
        ),
        Membership::Remove => (
            operations::REMOVE_MEMBERS,
            Mutation::RemoveGroupMembers {
                tenant,
                group,
                members: members.clone(),
            },
        ),
    };
    let mut change = Change::new();
    change.audit(event(
        actor,
        now,
        operation,
        g,
        member_details(group, &members),
    ));
    change.push(mutation);
    Ok(change)
}

/// The direct members to remove, each once; refused when one is not a direct member.
fn gone_members(
    part: &TenantPart,
    group: &Group,
    members: &[ObjectId],
) -> Result<Vec<ObjectId>, DomainError> {
    let mut gone: Vec<ObjectId> = Vec::with_capacity(members.len());
    for m in members {
        if !part.is_group_member(group.id, *m) {
            return Err(DomainError::not_found(
                "Request_ResourceNotFound",
                format!(
                    "'{m}' is not a direct member of the group '{}'.",
                    group.display_name
                ),
            )
            .with_arg("member", m.to_string())
            .with_arg("group", group.display_name.to_string())
            .with_variant("gone-members"));
        }
        if !gone.contains(m) {
            gone.push(*m);
        }
    }
    if gone.is_empty() {
        return Err(
            DomainError::invalid("MembersRequired", "Name at least one member to remove.")
                .with_variant("gone-members"),
        );
    }
    Ok(gone)
}

/// Makes a present user or service principal an owner of a group.
pub fn add_group_owner(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    group: ObjectId,
    owner: ObjectId,
    now: Timestamp,
) -> Result<Change, DomainError> {
    require_group_manager(world, actor, tenant, group, "add owners to groups")?;
    let part = require_tenant(world, tenant)?;
    let g = require_group(part, group)?;
    let p = group_principal(world, tenant, owner, true)?;
    if part.is_group_owner(group, owner) {
        return Err(DomainError::conflict(
            "Request_BadRequest",
            format!(
                "One or more added object references already exist for the following modified properties: 'owners' ({} of {}).",
                p.name(),
                g.display_name
            ),
        )
        .with_arg("principal", p.name().to_string())
        .with_arg("group", g.display_name.to_string())
        .with_variant("add-group-owner"));
    }
    let mut change = Change::new();
    change.audit(event(
        actor,
        now,
        operations::ADD_OWNER,
        g,
        serde_json::json!({"id": group, "owner": owner, "ownerName": p.name()}),
    ));
    change.push(Mutation::AddGroupOwner {
        tenant,
        group,
        owner,
    });
    Ok(change)
}

/// Removes an owner of a group (a group may be left without owners: its managers still manage it).
pub fn remove_group_owner(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    group: ObjectId,
    owner: ObjectId,
    now: Timestamp,
) -> Result<Change, DomainError> {
    require_group_manager(world, actor, tenant, group, "remove owners from groups")?;
    let part = require_tenant(world, tenant)?;
    let g = require_group(part, group)?;
    if !part.is_group_owner(group, owner) {
        return Err(DomainError::not_found(
            "Request_ResourceNotFound",
            format!(
                "'{owner}' is not an owner of the group '{}'.",
                g.display_name
            ),
        )
        .with_arg("owner", owner.to_string())
        .with_arg("group", g.display_name.to_string())
        .with_variant("remove-group-owner"));
    }
    let mut change = Change::new();
    change.audit(event(
        actor,
        now,
        operations::REMOVE_OWNER,
        g,
        serde_json::json!({"id": group, "owner": owner}),
    ));
    change.push(Mutation::RemoveGroupOwner {
        tenant,
        group,
        owner,
    });
    Ok(change)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nicknames_are_slugs_of_the_display_name() {
        assert_eq!(mail_nickname_of("Platform"), "platform");
        assert_eq!(
            mail_nickname_of("  Platform Team (EU) "),
            "platform-team-eu"
        );
        assert_eq!(mail_nickname_of("Équipe"), "quipe");
        assert_eq!(mail_nickname_of("***"), "group");
        assert_eq!(
            mail_nickname_of(&"a".repeat(100)).len(),
            MAX_MAIL_NICKNAME_CHARS
        );
        for name in ["Platform", "Platform Team (EU)", "x-y", "***"] {
            assert!(validate_mail_nickname(&mail_nickname_of(name)).is_ok());
        }
    }

    #[test]
    fn nicknames_refuse_what_entra_refuses() {
        for bad in ["", "has space", "a@b", "(x)", "é", &"a".repeat(65)] {
            assert!(validate_mail_nickname(bad).is_err(), "{bad:?}");
        }
        assert!(validate_group_name("  ").is_err());
        assert!(validate_group_name(&"x".repeat(257)).is_err());
        assert!(validate_group_name("Platform").is_ok());
    }
}
