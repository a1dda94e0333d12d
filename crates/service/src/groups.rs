//! The commands on security groups the faces call (Graph's `/groups`, the portal, the CLI): each runs a
//! rule of `domain::rules::groups` through [`Service::execute`], so the group, its memberships and its
//! audit event are written in one transaction and the tenant's membership index is updated in memory
//! before the command returns; other instances follow through the change feed.

use crate::{Service, ServiceError};
use tenantry_domain::rules::groups::{self, GroupUpdate, NewGroup};
use tenantry_domain::*;

/// The signature of the rules that add or remove members.
type MembersRule =
    fn(&World, &Actor, TenantId, ObjectId, &[ObjectId], Timestamp) -> Result<Change, DomainError>;

impl Service {
    /// Creates a group (with its first members and owners, if the request names them).
    pub async fn create_group(
        &self,
        actor: &Actor,
        tenant: TenantId,
        req: NewGroup,
    ) -> Result<ObjectId, ServiceError> {
        self.run(|w, now| groups::create_group(w, actor, tenant, req, now))
            .await
    }

    /// Changes a group's properties; nothing is written when nothing changes.
    pub async fn update_group(
        &self,
        actor: &Actor,
        tenant: TenantId,
        group: ObjectId,
        upd: GroupUpdate,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| groups::update_group(w, actor, tenant, group, upd, now).map(|c| (c, ())))
            .await
    }

    /// Deletes a group with its memberships, directory roles and role assignments in every subscription
    /// that trusts the tenant.
    pub async fn delete_group(
        &self,
        actor: &Actor,
        tenant: TenantId,
        group: ObjectId,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| groups::delete_group(w, actor, tenant, group, now).map(|c| (c, ())))
            .await
    }

    /// Adds members (users, service principals, groups) in one write.
    pub async fn add_group_members(
        &self,
        actor: &Actor,
        tenant: TenantId,
        group: ObjectId,
        members: &[ObjectId],
    ) -> Result<(), ServiceError> {
        self.members(groups::add_group_members, actor, tenant, group, members)
            .await
    }

    pub async fn add_group_member(
        &self,
        actor: &Actor,
        tenant: TenantId,
        group: ObjectId,
        member: ObjectId,
    ) -> Result<(), ServiceError> {
        self.add_group_members(actor, tenant, group, &[member])
            .await
    }

    /// Removes direct members in one write.
    pub async fn remove_group_members(
        &self,
        actor: &Actor,
        tenant: TenantId,
        group: ObjectId,
        members: &[ObjectId],
    ) -> Result<(), ServiceError> {
        self.members(groups::remove_group_members, actor, tenant, group, members)
            .await
    }

    pub async fn remove_group_member(
        &self,
        actor: &Actor,
        tenant: TenantId,
        group: ObjectId,
        member: ObjectId,
    ) -> Result<(), ServiceError> {
        self.remove_group_members(actor, tenant, group, &[member])
            .await
    }

    /// Runs a rule on a group's members (adding or removing them).
    async fn members(
        &self,
        rule: MembersRule,
        actor: &Actor,
        tenant: TenantId,
        group: ObjectId,
        members: &[ObjectId],
    ) -> Result<(), ServiceError> {
        self.run(|w, now| rule(w, actor, tenant, group, members, now).map(|c| (c, ())))
            .await
    }

    pub async fn add_group_owner(
        &self,
        actor: &Actor,
        tenant: TenantId,
        group: ObjectId,
        owner: ObjectId,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            groups::add_group_owner(w, actor, tenant, group, owner, now).map(|c| (c, ()))
        })
        .await
    }

    pub async fn remove_group_owner(
        &self,
        actor: &Actor,
        tenant: TenantId,
        group: ObjectId,
        owner: ObjectId,
    ) -> Result<(), ServiceError> {
        self.run(|w, now| {
            groups::remove_group_owner(w, actor, tenant, group, owner, now).map(|c| (c, ()))
        })
        .await
    }
}
