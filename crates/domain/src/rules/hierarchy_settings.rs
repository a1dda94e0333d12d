//! A tenant's hierarchy settings, as Azure keeps them at the tenant root group
//! (`…/managementGroups/{tenantId}/settings/default`): `requireAuthorizationForGroupCreation` (on: creating
//! a group directly under the root needs `Microsoft.Management/managementGroups/write` there) and
//! `defaultManagementGroup` (where new subscriptions land instead of the root: those an alias makes
//! without a group, those made any other way, and those that arrive by a change of directory).
//!
//! Who may, as in Azure: reading needs `…/settings/read` and changing `…/settings/write` (or `delete`)
//! at the root group, which an Owner or Contributor assigned there holds; a Global Administrator holds
//! nothing there until elevated (`elevateAccess`), and then may assign itself such a role.

use super::hierarchy::{group_access, group_id, group_name_of, management_group_not_found};
use super::*;
use crate::action::names;
use crate::audit::AuditEvent;
use crate::mutation::{Change, Mutation};

/// What a PUT or PATCH of the settings names; `None` leaves a value as it is (PATCH) or at its default
/// (PUT).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HierarchySettingsWrite {
    pub require_authorization_for_group_creation: Option<bool>,
    /// A group's name or ARM id; the root's means the root (no default group).
    pub default_management_group: Option<String>,
}

/// Whether creating a group directly under the root needs write access on the root group.
pub fn requires_authorization_for_group_creation(part: &TenantPart) -> bool {
    part.hierarchy_settings
        .as_ref()
        .is_some_and(|h| h.require_authorization_for_group_creation)
}

/// The group new subscriptions of the tenant land under, when the settings name one other than the
/// root (`None`: the root).
pub fn landing_group(part: &TenantPart) -> Option<&str> {
    part.hierarchy_settings
        .as_ref()
        .and_then(|h| h.default_management_group.as_deref())
        .filter(|g| !part.is_root_group(g))
}

/// Places a subscription that has just joined `tenant` (made there or arrived by a change of
/// directory) under the tenant's default group; nothing when that is the root. Nobody's rights are
/// asked: the directory's settings decide where its new subscriptions land.
pub fn land_new_subscription(
    world: &World,
    tenant: TenantId,
    subscription: SubscriptionId,
) -> Option<Mutation> {
    let part = world.tenant(tenant)?;
    let group = landing_group(part)?;
    Some(Mutation::PlaceSubscription {
        tenant,
        subscription,
        parent: Some(group.to_string()),
    })
}

/// The settings' ARM id: below the tenant root group.
pub fn settings_id(tenant: TenantId) -> String {
    format!("{}/settings/default", group_id(&tenant.to_string()))
}

/// The settings of the caller's directory as `group` names it (it must be the tenant root group), when
/// the caller may read them; `None` while none are written.
pub fn hierarchy_settings(
    world: &World,
    actor: &Actor,
    group: &str,
) -> Result<Option<HierarchySettings>, DomainError> {
    let tenant = super::hierarchy::caller_tenant(world, actor)?;
    let part = settings_group(world, actor, tenant, group, names::HIERARCHY_SETTINGS_READ)?;
    Ok(part.hierarchy_settings.clone())
}

/// The settings of the caller's directory (`GET …/settings/default`); refused as not found while none
/// are written, as ARM answers for a resource that does not exist.
pub fn get_hierarchy_settings(
    world: &World,
    actor: &Actor,
    group: &str,
) -> Result<HierarchySettings, DomainError> {
    hierarchy_settings(world, actor, group)?.ok_or_else(|| {
        DomainError::not_found(
            "HierarchySettingsNotFound",
            "The directory has no hierarchy settings: it has Azure's defaults (any member may create groups under the root; new subscriptions land under the root).",
        )
        .with_remedy("Create them with PUT …/managementGroups/{tenantId}/settings/default.")
    })
}

/// The tenant part when `group` is the tenant root group of `tenant` and the caller may do `action` on
/// its settings.
fn settings_group<'w>(
    world: &'w World,
    actor: &Actor,
    tenant: TenantId,
    group: &str,
    action: &str,
) -> Result<&'w TenantPart, DomainError> {
    let part = require_tenant(world, tenant)?;
    let group = group.trim();
    if !part.is_root_group(group) {
        if !super::hierarchy::may_read_group(world, actor, tenant, group) {
            return Err(authorization_failed(actor, action, &group_id(group)));
        }
        if part.management_group(group).is_none() {
            return Err(management_group_not_found(group));
        }
        return Err(DomainError::invalid(
            "HierarchySettingsOnlyAtRoot",
            format!("Hierarchy settings are kept at the tenant root group only, not at '{group}'."),
        )
        .with_arg("group", group.to_string())
        .with_arg("tenant_id", part.tenant.id.to_string())
        .with_remedy(format!(
            "Use /providers/Microsoft.Management/managementGroups/{}/settings/default.",
            part.tenant.id
        )));
    }
    if !group_access(world, actor, tenant, group, action) {
        return Err(authorization_failed(
            actor,
            action,
            &settings_id(part.tenant.id),
        ));
    }
    Ok(part)
}

/// Writes the settings (`replace`: ARM's PUT, what the write leaves out takes its default; else
/// PATCH, what it leaves out stays). The default group must be a group of the directory.
pub fn put_hierarchy_settings(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    group: &str,
    write: HierarchySettingsWrite,
    replace: bool,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let part = settings_group(world, actor, tenant, group, names::HIERARCHY_SETTINGS_WRITE)?;
    let current = part.hierarchy_settings.clone();
    let kept = current.as_ref().filter(|_| !replace);
    let require = write
        .require_authorization_for_group_creation
        .or(kept.map(|h| h.require_authorization_for_group_creation))
        .unwrap_or(false);
    let default_group = match write.default_management_group.as_deref().map(str::trim) {
        Some(g) if !g.is_empty() => {
            let name = group_name_of(g);
            let found = part.management_group(name).ok_or_else(|| {
                DomainError::invalid(
                    "DefaultManagementGroupNotFound",
                    format!("The management group '{name}' could not be found: new subscriptions cannot land there."),
                )
                .with_arg("name", name.to_string())
                .with_remedy("Name an existing group of the directory (its id, not its display name), or the tenant root group.")
            })?;
            (!part.is_root_group(&found.name)).then(|| found.name.clone())
        }
        Some(_) => None,
        None => kept.and_then(|h| h.default_management_group.clone()),
    };
    let settings = HierarchySettings {
        tenant,
        require_authorization_for_group_creation: require,
        default_management_group: default_group,
        updated: now,
        updated_by: super::hierarchy::actor_ref(actor),
    };
    let unchanged = current.as_ref().is_some_and(|c| {
        c.require_authorization_for_group_creation
            == settings.require_authorization_for_group_creation
            && c.default_management_group == settings.default_management_group
    });
    if unchanged {
        return Ok(Change::new());
    }
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(actor, now, names::HIERARCHY_SETTINGS_WRITE, settings_id(tenant))
            .tenant(tenant)
            .details(serde_json::json!({
                "requireAuthorizationForGroupCreation": settings.require_authorization_for_group_creation,
                "defaultManagementGroup": settings.default_management_group.as_deref().map(group_id),
            })),
    );
    change.push(Mutation::PutHierarchySettings(settings));
    Ok(change)
}

/// Returns the settings to Azure's defaults (nothing to do when none are written).
pub fn delete_hierarchy_settings(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    group: &str,
    now: Timestamp,
) -> Result<Change, DomainError> {
    let part = settings_group(
        world,
        actor,
        tenant,
        group,
        names::HIERARCHY_SETTINGS_DELETE,
    )?;
    if part.hierarchy_settings.is_none() {
        return Ok(Change::new());
    }
    let mut change = Change::new();
    change.audit(
        AuditEvent::new(
            actor,
            now,
            names::HIERARCHY_SETTINGS_DELETE,
            settings_id(tenant),
        )
        .tenant(tenant),
    );
    change.push(Mutation::DeleteHierarchySettings { tenant });
    Ok(change)
}

/// The refusal to delete the group new subscriptions land under.
pub fn default_group_in_use(name: &str) -> DomainError {
    DomainError::conflict(
        "ManagementGroupIsDefault",
        format!("The management group '{name}' is where new subscriptions of the directory land (the hierarchy settings' defaultManagementGroup)."),
    )
    .with_arg("name", name.to_string())
    .with_remedy("Point defaultManagementGroup of the hierarchy settings at another group, or delete the settings, first.")
}
