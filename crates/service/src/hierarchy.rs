//! The commands on management groups the faces call (ARM's `Microsoft.Management/managementGroups`):
//! each runs a rule of `domain::rules::hierarchy` in the directory the caller signed in to, through
//! [`Service::execute`], so the hierarchy and its audit event are written in one transaction.

use crate::{Service, ServiceError};
use tenantry_domain::rules::hierarchy::{self, GroupView, ManagementGroupWrite};
use tenantry_domain::rules::hierarchy_access::{self, GroupAssignmentWrite};
use tenantry_domain::rules::hierarchy_settings::{self, HierarchySettingsWrite};
use tenantry_domain::*;

/// The signature of the rules that move a subscription into or out of a group.
type PlaceRule =
    fn(&World, &Actor, TenantId, &str, SubscriptionId, Timestamp) -> Result<Change, DomainError>;

impl Service {
    /// Creates the group, or updates it when it exists (ARM's PUT). Returns the group as written
    /// (see [`hierarchy::written_management_group`]).
    pub async fn put_management_group(
        &self,
        actor: &Actor,
        name: &str,
        write: ManagementGroupWrite,
    ) -> Result<GroupView, ServiceError> {
        self.run(|w, now| {
            let tenant = hierarchy::caller_tenant(w, actor)?;
            hierarchy::put_management_group(w, actor, tenant, name, write, now)
        })
        .await?;
        Ok(self.read(|w| hierarchy::written_management_group(w, actor, name))?)
    }

    /// Renames and/or moves a group (ARM's PATCH); nothing is written when nothing changes.
    pub async fn update_management_group(
        &self,
        actor: &Actor,
        name: &str,
        write: ManagementGroupWrite,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            let tenant = hierarchy::caller_tenant(w, actor)?;
            hierarchy::update_management_group(w, actor, tenant, name, write, now).map(|c| (c, ()))
        })
        .await
    }

    pub async fn delete_management_group(
        &self,
        actor: &Actor,
        name: &str,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            let tenant = hierarchy::caller_tenant(w, actor)?;
            hierarchy::delete_management_group(w, actor, tenant, name, now).map(|c| (c, ()))
        })
        .await
    }

    /// Places a subscription under a group of the caller's directory.
    pub async fn move_subscription_to_group(
        &self,
        actor: &Actor,
        group: &str,
        subscription: SubscriptionId,
    ) -> Result<(), ServiceError> {
        self.place(actor, group, subscription, hierarchy::move_subscription)
            .await
    }

    /// Takes a subscription out of a group, back under the tenant root group.
    pub async fn remove_subscription_from_group(
        &self,
        actor: &Actor,
        group: &str,
        subscription: SubscriptionId,
    ) -> Result<(), ServiceError> {
        self.place(actor, group, subscription, hierarchy::remove_subscription)
            .await
    }

    async fn place(
        &self,
        actor: &Actor,
        group: &str,
        subscription: SubscriptionId,
        rule: PlaceRule,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            let tenant = hierarchy::caller_tenant(w, actor)?;
            rule(w, actor, tenant, group, subscription, now).map(|c| (c, ()))
        })
        .await
    }

    /// A Global Administrator becomes User Access Administrator at the root scope `/`.
    pub async fn elevate_access(&self, actor: &Actor) -> Result<(), ServiceError> {
        self.run(|w, now| hierarchy_access::elevate_access(w, actor, now).map(|c| (c, ())))
            .await
    }

    /// Gives up the caller's elevated access at the root scope `/`.
    pub async fn remove_elevated_access(&self, actor: &Actor) -> Result<(), ServiceError> {
        self.run(|w, now| hierarchy_access::remove_elevated_access(w, actor, now).map(|c| (c, ())))
            .await
    }

    /// Assigns a role at a management group of the caller's directory; returns the assignment and
    /// whether it was made.
    pub async fn assign_at_management_group(
        &self,
        actor: &Actor,
        write: GroupAssignmentWrite,
    ) -> Result<(ManagementGroupRoleAssignment, bool), ServiceError> {
        self.run(|w, now| {
            let tenant = hierarchy::caller_tenant(w, actor)?;
            hierarchy_access::assign_at_group(w, actor, tenant, write, now)
        })
        .await
    }

    pub async fn remove_management_group_assignment(
        &self,
        actor: &Actor,
        id: RoleAssignmentId,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            let tenant = hierarchy::caller_tenant(w, actor)?;
            hierarchy_access::remove_group_assignment(w, actor, tenant, id, now).map(|c| (c, ()))
        })
        .await
    }

    /// Writes the hierarchy settings of the caller's directory (`replace`: PUT; else PATCH) and returns
    /// them as written.
    pub async fn put_hierarchy_settings(
        &self,
        actor: &Actor,
        group: &str,
        write: HierarchySettingsWrite,
        replace: bool,
    ) -> Result<Option<HierarchySettings>, ServiceError> {
        self.run(|w, now| {
            let tenant = hierarchy::caller_tenant(w, actor)?;
            hierarchy_settings::put_hierarchy_settings(w, actor, tenant, group, write, replace, now)
                .map(|c| (c, ()))
        })
        .await?;
        Ok(self.read(|w| hierarchy_settings::hierarchy_settings(w, actor, group))?)
    }

    pub async fn delete_hierarchy_settings(
        &self,
        actor: &Actor,
        group: &str,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            let tenant = hierarchy::caller_tenant(w, actor)?;
            hierarchy_settings::delete_hierarchy_settings(w, actor, tenant, group, now)
                .map(|c| (c, ()))
        })
        .await
    }
}
