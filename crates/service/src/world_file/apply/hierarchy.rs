//! Management groups of tenants, after the subscriptions they may hold. A group may name as parent a
//! group listed further down: groups are created parents first, whatever their order in the file. A
//! group that exists must have the parent and display name the file states; a subscription the file
//! places under a group must be under the root or already there. The tenant root group takes the
//! display name the file gives it, and the hierarchy settings are written once the groups exist.

use super::*;
use tenantry_domain::rules::hierarchy::{self, ManagementGroupWrite};
use tenantry_domain::rules::hierarchy_access::{self, GroupAssignmentWrite};
use tenantry_domain::rules::hierarchy_settings::{self, HierarchySettingsWrite};

impl Planner<'_> {
    pub(super) fn management_groups(&mut self) -> Result<(), WorldFileError> {
        let file = self.file;
        for (i, t) in file.tenants.iter().enumerate() {
            let tenant = self.tenants[i].id;
            let entry = |j: usize, g: &Located<ManagementGroupEntry>| {
                at(
                    g,
                    format!("tenants[{i}].management_groups[{j}] (name {:?})", g.name),
                )
            };
            if let Some(d) = &t.root_group_display_name {
                let at = at(
                    &self.file.tenants[i],
                    format!("tenants[{i}].root_group_display_name"),
                );
                self.rename_root(tenant, d, &at)?;
            }
            // Parents first: each pass places the groups whose parent is there; a pass that places
            // none leaves groups whose parent is nowhere (or a cycle).
            let mut pending: Vec<usize> = (0..t.management_groups.len()).collect();
            while !pending.is_empty() {
                let before = pending.len();
                let mut later = Vec::new();
                for j in pending {
                    let g = &t.management_groups[j];
                    let parent = g.parent.as_deref().map(str::trim).unwrap_or_default();
                    let part = planned_tenant(&self.w, tenant)?;
                    if parent.is_empty() || part.management_group(parent).is_some() {
                        self.management_group(tenant, g, &entry(j, g))?;
                        self.tick();
                    } else {
                        later.push(j);
                    }
                }
                if later.len() == before {
                    let g = &t.management_groups[later[0]];
                    return Err(entry(later[0], g).err(format!(
                        "parent {:?} is no management group of the tenant (nor one the file creates, outside a cycle)",
                        g.parent.as_deref().unwrap_or_default()
                    )));
                }
                pending = later;
            }
            for (j, g) in t.management_groups.iter().enumerate() {
                for s in &g.subscriptions {
                    let at = at(
                        s,
                        format!(
                            "tenants[{i}].management_groups[{j}].subscriptions ({:?})",
                            s.value
                        ),
                    );
                    self.place_subscription(tenant, &g.name, &s.value, &at)?;
                }
            }
            if let Some(h) = &t.hierarchy_settings {
                let at = at(h, format!("tenants[{i}].hierarchy_settings"));
                let write = HierarchySettingsWrite {
                    require_authorization_for_group_creation: Some(
                        h.require_authorization_for_group_creation,
                    ),
                    default_management_group: h.default_management_group.clone(),
                };
                let root = tenant.to_string();
                let change = hierarchy_settings::put_hierarchy_settings(
                    &self.w, OP, tenant, &root, write, true, self.now,
                )
                .map_err(|x| at.domain(x))?;
                self.commit(change);
                self.tick();
            }
        }
        Ok(())
    }

    /// The tenant root group takes the display name the file states (a rename, as ARM's PATCH).
    fn rename_root(
        &mut self,
        tenant: TenantId,
        display_name: &str,
        at: &At,
    ) -> Result<(), WorldFileError> {
        let write = ManagementGroupWrite {
            display_name: Some(display_name.to_string()),
            parent: None,
        };
        let root = tenant.to_string();
        let change =
            hierarchy::update_management_group(&self.w, OP, tenant, &root, write, self.now)
                .map_err(|x| at.domain(x))?;
        self.commit(change);
        Ok(())
    }

    fn management_group(
        &mut self,
        tenant: TenantId,
        e: &ManagementGroupEntry,
        at: &At,
    ) -> Result<(), WorldFileError> {
        let part = planned_tenant(&self.w, tenant)?;
        if part.is_root_group(&e.name) {
            return Err(at.err("the tenant root group always exists and is not listed"));
        }
        let parent = e.parent.as_deref().map(str::trim).unwrap_or_default();
        if let Some(g) = part.management_group(&e.name) {
            let current = part.parent_group(&g.name).unwrap_or_default();
            let stated = if parent.is_empty() {
                part.root_group_name()
            } else {
                parent.to_string()
            };
            if !current.eq_ignore_ascii_case(&stated) {
                return Err(at.err(differs("parent", current, stated)));
            }
            if let Some(d) = &e.display_name
                && *d != g.display_name
            {
                return Err(at.err(differs("display_name", &g.display_name, d)));
            }
            return Ok(());
        }
        let write = ManagementGroupWrite {
            display_name: e.display_name.clone(),
            parent: Some(parent.to_string()),
        };
        let (change, _) =
            hierarchy::put_management_group(&self.w, OP, tenant, &e.name, write, self.now)
                .map_err(|x| at.domain(x))?;
        self.commit(change);
        Ok(())
    }

    fn place_subscription(
        &mut self,
        tenant: TenantId,
        group: &str,
        key: &str,
        at: &At,
    ) -> Result<(), WorldFileError> {
        let key = typed(key);
        let mut matches: Vec<SubscriptionId> = self
            .w
            .subscriptions_of_tenant(tenant)
            .filter(|s| {
                s.subscription.id.to_string().eq_ignore_ascii_case(key)
                    || s.subscription.display_name == key
            })
            .map(|s| s.subscription.id)
            .collect();
        let subscription = match (matches.pop(), matches.is_empty()) {
            (Some(s), true) => s,
            (Some(_), false) => {
                return Err(at.err(format!(
                    "more than one subscription of the tenant is named {key:?}: give its id"
                )));
            }
            (None, _) => {
                return Err(at.err(format!(
                    "no subscription trusting the tenant has the id or display name {key:?}"
                )));
            }
        };
        let part = planned_tenant(&self.w, tenant)?;
        let here = part.subscription_parent(subscription);
        if here.eq_ignore_ascii_case(group) {
            return Ok(());
        }
        if !part.is_root_group(&here) {
            return Err(at.err(format!(
                "the subscription is under the management group {here:?} already"
            )));
        }
        let change =
            hierarchy::move_subscription(&self.w, OP, tenant, group, subscription, self.now)
                .map_err(|x| at.domain(x))?;
        self.commit(change);
        Ok(())
    }

    /// `[[management_group_role_assignments]]`, after every group exists; one that exists is skipped.
    pub(super) fn management_group_assignments(&mut self) -> Result<(), WorldFileError> {
        let file = self.file;
        for (i, e) in file.management_group_role_assignments.iter().enumerate() {
            let at = at(
                e,
                format!(
                    "management_group_role_assignments[{i}] (principal {:?}, role {:?})",
                    e.principal, e.role
                ),
            );
            let part = self.w.find_tenant(typed(&e.tenant)).ok_or_else(|| {
                at.err(format!(
                    "no directory is named {:?} (in the file or the world)",
                    e.tenant
                ))
            })?;
            let tenant = part.tenant.id;
            let root_scope = match e.scope.as_deref().map(typed) {
                None => false,
                Some(ROOT_SCOPE) if typed(&e.management_group).is_empty() => true,
                Some(other) => {
                    return Err(at.err(format!(
                        "scope {other:?}: only \"/\" (the root scope, instead of a management_group) is written here"
                    )));
                }
            };
            let group = match typed(&e.management_group) {
                "" => part.root_group_name(),
                g => g.to_string(),
            };
            let role = self
                .w
                .built_in_roles()
                .iter()
                .chain(part.custom_roles.values())
                .find(|r| r.name.eq_ignore_ascii_case(typed(&e.role)))
                .map(|r| r.id)
                .ok_or_else(|| {
                    at.err(format!(
                        "no built-in role nor custom role of the tenant is named {:?}",
                        e.role
                    ))
                })?;
            let principal = self
                .principal(tenant, &e.principal)
                .map_err(|m| at.err(format!("principal: {m}")))?;
            if root_scope {
                if role != tenantry_domain::roles::USER_ACCESS_ADMINISTRATOR {
                    return Err(at.err(
                        "at the root scope \"/\" only \"User Access Administrator\" is held (a Global Administrator's elevated access)",
                    ));
                }
                let id = e.id.unwrap_or_else(RoleAssignmentId::new);
                let change = hierarchy_access::record_elevated_access(
                    &self.w, OP, tenant, principal, id, self.now,
                )
                .map_err(|x| at.domain(x))?;
                self.commit(change);
                self.tick();
                continue;
            }
            let part = planned_tenant(&self.w, tenant)?;
            let exists = part.group_assignments_of(principal).iter().any(|a| {
                a.role_definition == role && a.management_group.eq_ignore_ascii_case(&group)
            });
            if !exists {
                let write = GroupAssignmentWrite {
                    id: e.id.unwrap_or_else(RoleAssignmentId::new),
                    group,
                    principal,
                    role,
                };
                let (change, _) =
                    hierarchy_access::assign_at_group(&self.w, OP, tenant, write, self.now)
                        .map_err(|x| at.domain(x))?;
                self.commit(change);
            }
            self.tick();
        }
        Ok(())
    }
}
