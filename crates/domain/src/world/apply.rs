//! Applying changes in memory: each [`Mutation`] the rules produced, once the store has written it,
//! to the partition it touches and to the world's indexes. A change of group memberships updates the
//! tenant's transitive membership index for the principals it affects (`world/groups.rs`), so the next
//! authorization sees it.

use super::*;
use crate::mutation::{Change, Mutation};

impl World {
    /// Applies a change the rules produced (after the store has written it).
    pub fn apply(&mut self, change: &Change) {
        for m in &change.mutations {
            self.apply_mutation(m);
        }
    }

    pub fn apply_mutation(&mut self, m: &Mutation) {
        use Mutation::*;
        match m {
            PutAccount(a) => self.replace_account(a.id, Some(a.clone())),
            DeleteAccount(id) => self.replace_account(*id, None),
            PutTenant(t) => {
                let mut part = self
                    .tenants
                    .remove(&t.id)
                    .unwrap_or_else(|| TenantPart::new(t.clone()));
                self.unindex_tenant(&part);
                part.tenant = t.clone();
                self.index_tenant(&part);
                self.tenants.insert(t.id, part);
            }
            PutUser(u) => {
                let old = self
                    .tenants
                    .get_mut(&u.tenant)
                    .and_then(|p| p.users.insert(u.id, u.clone()));
                if let Some(old) = old {
                    self.unindex_user(&old);
                }
                if self.tenants.contains_key(&u.tenant) {
                    self.index_user(u, None);
                }
            }
            DeleteUser { tenant, user } => {
                let old = self.tenants.get_mut(tenant).and_then(|p| {
                    p.remove_principal(*user);
                    p.users.remove(user)
                });
                if let Some(old) = old {
                    self.unindex_user(&old);
                }
            }
            PutApplication(a) => {
                if let Some(p) = self.tenants.get_mut(&a.tenant) {
                    if let Some(old) = p.applications.insert(a.id, a.clone()) {
                        self.unindex_application(&old);
                    }
                    self.index_application(a);
                }
            }
            DeleteApplication { tenant, app } => {
                if let Some(old) = self.tenants.get_mut(tenant).and_then(|p| {
                    p.remove_principal(*app);
                    p.applications.remove(app)
                }) {
                    self.unindex_application(&old);
                }
            }
            AddDirectoryRoleMember {
                tenant,
                role,
                principal,
            } => {
                if let Some(p) = self.tenants.get_mut(tenant) {
                    p.role_members.insert((*role, *principal));
                }
            }
            RemoveDirectoryRoleMember {
                tenant,
                role,
                principal,
            } => {
                if let Some(p) = self.tenants.get_mut(tenant) {
                    p.role_members.remove(&(*role, *principal));
                }
            }
            PutGroup(g) => {
                if let Some(p) = self.tenants.get_mut(&g.tenant) {
                    p.put_group(g.clone());
                    self.object_tenant.insert(g.id, g.tenant);
                }
            }
            DeleteGroup { tenant, group } => {
                if let Some(p) = self.tenants.get_mut(tenant)
                    && p.remove_group(*group).is_some()
                {
                    self.object_tenant.remove(group);
                }
            }
            AddGroupMembers {
                tenant,
                group,
                members,
            } => {
                if let Some(p) = self.tenants.get_mut(tenant) {
                    p.add_group_members(*group, members);
                }
            }
            RemoveGroupMembers {
                tenant,
                group,
                members,
            } => {
                if let Some(p) = self.tenants.get_mut(tenant) {
                    p.remove_group_members(*group, members);
                }
            }
            PutManagementGroup(g) => {
                if let Some(p) = self.tenants.get_mut(&g.tenant) {
                    p.put_management_group(g.clone());
                }
            }
            DeleteManagementGroup { tenant, name } => {
                if let Some(p) = self.tenants.get_mut(tenant) {
                    p.remove_management_group(name);
                }
            }
            PlaceSubscription {
                tenant,
                subscription,
                parent,
            } => {
                if let Some(p) = self.tenants.get_mut(tenant) {
                    p.place_subscription(*subscription, parent.clone());
                }
            }
            PutManagementGroupAssignment(a) => {
                if let Some(p) = self.tenants.get_mut(&a.tenant) {
                    p.put_group_assignment(a.clone());
                }
            }
            DeleteManagementGroupAssignments { tenant, ids } => {
                if let Some(p) = self.tenants.get_mut(tenant) {
                    p.remove_group_assignments(ids);
                }
            }
            PutHierarchySettings(h) => {
                if let Some(p) = self.tenants.get_mut(&h.tenant) {
                    p.hierarchy_settings = Some(h.clone());
                }
            }
            DeleteHierarchySettings { tenant } => {
                if let Some(p) = self.tenants.get_mut(tenant) {
                    p.hierarchy_settings = None;
                }
            }
            AddGroupOwner {
                tenant,
                group,
                owner,
            } => {
                if let Some(p) = self.tenants.get_mut(tenant) {
                    p.group_owners.insert((*group, *owner));
                }
            }
            RemoveGroupOwner {
                tenant,
                group,
                owner,
            } => {
                if let Some(p) = self.tenants.get_mut(tenant) {
                    p.group_owners.remove(&(*group, *owner));
                }
            }
            PutInvitation(i) => {
                if let Some(p) = self.tenants.get_mut(&i.tenant) {
                    p.invitations.insert(i.id, i.clone());
                }
            }
            PutLinkRequest(r) => {
                if let Some(p) = self.tenants.get_mut(&r.tenant) {
                    p.link_requests.insert(r.id, r.clone());
                }
            }
            PutSubscriptionAlias(a) => {
                if let Some(p) = self.tenants.get_mut(&a.tenant) {
                    p.aliases.insert(a.name.to_lowercase(), a.clone());
                }
            }
            DeleteSubscriptionAlias { tenant, name } => {
                if let Some(p) = self.tenants.get_mut(tenant) {
                    p.aliases.remove(&name.to_lowercase());
                }
            }
            PutSubscription(s) => {
                let part = match self.subscriptions.remove(&s.id) {
                    Some(mut part) => {
                        if let Some(set) = self
                            .subscriptions_by_tenant
                            .get_mut(&part.subscription.tenant)
                        {
                            set.remove(&s.id);
                        }
                        part.subscription = s.clone();
                        part
                    }
                    None => SubscriptionPart::new(s.clone()),
                };
                self.subscriptions_by_tenant
                    .entry(s.tenant)
                    .or_default()
                    .insert(s.id);
                self.subscriptions.insert(s.id, part);
            }
            PutResourceGroup(g) => {
                if let Some(p) = self.subscriptions.get_mut(&g.subscription) {
                    p.resource_groups.insert(g.name.to_lowercase(), g.clone());
                }
            }
            DeleteResourceGroup { subscription, name } => {
                if let Some(p) = self.subscriptions.get_mut(subscription) {
                    p.resource_groups.remove(&name.to_lowercase());
                }
            }
            PutResource(r) => {
                if let Some(p) = self.subscriptions.get_mut(&r.scope.subscription_id()) {
                    p.resources.insert(r.scope.key().to_string(), r.clone());
                }
            }
            DeleteResources {
                subscription,
                scopes,
            } => {
                if let Some(p) = self.subscriptions.get_mut(subscription) {
                    for s in scopes {
                        p.resources.remove(&s.to_lowercase());
                    }
                }
            }
            PutRoleDefinition(d) => {
                if let Some(p) = d.subscription.and_then(|s| self.subscriptions.get_mut(&s)) {
                    p.put_custom_role(d.clone());
                } else if let Some(p) = d.tenant.and_then(|t| self.tenants.get_mut(&t)) {
                    p.put_custom_role(d.clone());
                }
            }
            DeleteManagementGroupRoleDefinitions { tenant, ids } => {
                if let Some(p) = self.tenants.get_mut(tenant) {
                    for id in ids {
                        p.remove_custom_role(*id);
                    }
                }
            }
            DeleteRoleDefinitions { subscription, ids } => {
                if let Some(p) = self.subscriptions.get_mut(subscription) {
                    for id in ids {
                        p.remove_custom_role(*id);
                    }
                }
            }
            InsertRoleAssignments {
                subscription,
                assignments,
            } => {
                if let Some(p) = self.subscriptions.get_mut(subscription) {
                    for a in assignments {
                        p.insert_assignment(a.clone());
                    }
                }
            }
            DeleteRoleAssignments { subscription, ids } => {
                if let Some(p) = self.subscriptions.get_mut(subscription) {
                    for id in ids {
                        p.remove_assignment(*id);
                    }
                }
            }
            ClearRoleAssignments { subscription } => {
                if let Some(p) = self.subscriptions.get_mut(subscription) {
                    p.clear_assignments();
                }
            }
            PutChangeRequest(r) => {
                if let Some(p) = self.subscriptions.get_mut(&r.subscription) {
                    p.change_request = Some(r.clone());
                }
            }
            DeleteChangeRequest(s) => {
                if let Some(p) = self.subscriptions.get_mut(s) {
                    p.change_request = None;
                }
            }
        }
    }
}
