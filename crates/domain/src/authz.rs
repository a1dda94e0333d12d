//! The authorization engine: may principal P perform action A at scope S? Decided from the role
//! assignments at S and its ancestors (to P, or to a group P is in, directly or through nesting) and from
//! the classic administrators of S's subscription, with the grant that decided. Lookups go through the
//! per-principal index of each subscription and the tenant's index of transitive membership, so a check
//! costs a few hash lookups per group of P whatever the number of assignments, and never walks the nesting.

use crate::action::Action;
use crate::actor::Actor;
use crate::ids::*;
use crate::model::*;
use crate::scope::Scope;
use crate::world::{ScopePrefixes, SubscriptionPart, TenantPart, World};
use serde::Serialize;

/// A group on the way from a role assignment to the principal it grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupRef {
    pub id: ObjectId,
    pub display_name: String,
}

/// Why access was granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Grant {
    /// The operator (command line, world file) may do anything.
    Operator,
    /// The subscription's service administrator: full access, like Owner at subscription scope.
    ServiceAdministrator,
    /// A co-administrator: full access, like Owner at subscription scope.
    CoAdministrator,
    /// A role assignment at the scope or above it.
    #[serde(rename_all = "camelCase")]
    RoleAssignment {
        assignment: RoleAssignmentId,
        role_definition: RoleDefinitionId,
        role_name: String,
        scope: String,
        /// Empty when the assignment names the principal itself; otherwise the groups from the one the
        /// assignment names down to the one the principal is directly a member of.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        through: Vec<GroupRef>,
    },
    /// A role assignment at a management group above the scope (or at the root scope `/`).
    #[serde(rename_all = "camelCase")]
    ManagementGroupAssignment {
        assignment: RoleAssignmentId,
        role_definition: RoleDefinitionId,
        role_name: String,
        /// The group's name, or `/`.
        management_group: String,
        display_name: String,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        through: Vec<GroupRef>,
    },
}

impl Grant {
    pub fn describe(&self) -> String {
        match self {
            Grant::Operator => "the operator".into(),
            Grant::ServiceAdministrator => "service administrator of the subscription".into(),
            Grant::CoAdministrator => "co-administrator of the subscription".into(),
            Grant::RoleAssignment {
                role_name,
                scope,
                through,
                ..
            } => {
                let mut words = format!("role '{role_name}' assigned at '{scope}'");
                through_words(&mut words, through);
                words
            }
            Grant::ManagementGroupAssignment {
                role_name,
                management_group,
                display_name,
                through,
                ..
            } => {
                let mut words = if management_group == ROOT_SCOPE {
                    format!("{role_name} at the root scope '/'")
                } else {
                    format!("{role_name} at management group {display_name}")
                };
                through_words(&mut words, through);
                words
            }
        }
    }
}

/// "through group Platform, member of Engineering, which is in Backend": the group that holds the
/// assignment, then from the principal's own group upwards.
fn through_words(words: &mut String, through: &[GroupRef]) {
    if let Some((holder, below)) = through.split_first() {
        words.push_str(&format!(" through group {}", holder.display_name));
        let mut up = below.iter().rev();
        if let Some(own) = up.next() {
            words.push_str(&format!(", member of {}", own.display_name));
        }
        for g in up {
            words.push_str(&format!(", which is in {}", g.display_name));
        }
    }
}

/// The classic administrator role an identity holds in a subscription.
pub fn classic_role(sub: &Subscription, identity: Identity) -> Option<Grant> {
    if sub.service_admin == identity {
        Some(Grant::ServiceAdministrator)
    } else if sub.co_admins.contains(&identity) {
        Some(Grant::CoAdministrator)
    } else {
        None
    }
}

impl World {
    /// Whether `principal` (an object of the subscription's tenant) may perform `action` at `scope`: the
    /// hot path of every ARM call, so it allocates nothing.
    pub fn is_allowed(&self, principal: ObjectId, action: &Action, scope: &Scope) -> bool {
        let Some(part) = self.subscription(scope.subscription_id()) else {
            return false;
        };
        let grants = |holder: ObjectId| {
            part.assignments.any_containing(holder, scope, |role| {
                self.compiled_role(part, role)
                    .is_some_and(|r| r.grants(action))
            })
        };
        if grants(principal) {
            return true;
        }
        let groups = self.assigned_groups(part, principal);
        if !groups.is_empty() {
            let at = ScopePrefixes::of(scope.key());
            if groups
                .iter()
                .any(|g| part.may_hold_assignment(*g, &at) && grants(*g))
            {
                return true;
            }
        }
        if self.inherits(part, principal, action) {
            return true;
        }
        self.may_be_classic(&part.subscription, principal)
            && self.classic_grant(part, principal).is_some()
    }

    /// Whether `principal` (an object of the subscription's tenant) may be one of its classic
    /// administrators, told without reading the principal's user object (a cache miss among a hundred
    /// thousand): a member is known by its own object id, and a guest (of a personal account, or of
    /// another tenant) by the index of guests by the identity they stand for, which holds few entries.
    fn may_be_classic(&self, sub: &Subscription, principal: ObjectId) -> bool {
        std::iter::once(&sub.service_admin)
            .chain(&sub.co_admins)
            .any(|i| match i {
                Identity::Organizational { tenant, user } if *tenant == sub.tenant => {
                    *user == principal
                }
                _ => self
                    .guests_by_identity(*i)
                    .contains(&(sub.tenant, principal)),
            })
    }

    /// Whether an assignment at a management group above the subscription (or at the root scope)
    /// grants `action` to `principal` or one of its groups: what [`World::group_grants`] finds, asked
    /// without building the grant nor any name, so it allocates nothing. Free for a directory without
    /// any.
    fn inherits(&self, part: &SubscriptionPart, principal: ObjectId, action: &Action) -> bool {
        let Some(t) = self.tenant(part.subscription.tenant) else {
            return false;
        };
        if !t.holds_group_assignments() {
            return false;
        }
        let held = || {
            std::iter::once(principal)
                .chain(t.groups_of(principal).iter().copied())
                .flat_map(|holder| t.held_at_groups(holder))
        };
        // The line above the subscription (from the index: `world/hierarchy_index.rs`) is a few
        // numbers; an assignment's reach is told before its role.
        let line = t.line_above(part.subscription.id);
        held().any(|(at, role)| {
            crate::world::reaches(line, *at)
                && self
                    .compiled_group_role(t, *role)
                    .is_some_and(|r| r.grants(action))
        })
    }

    /// The assignments at management groups (or the root scope) reaching group `name` of `tenant` —
    /// at it or above it — that grant `action` to `principal` or one of its groups, the principal's own
    /// first.
    pub fn group_grants<'a>(
        &'a self,
        tenant: &'a TenantPart,
        principal: ObjectId,
        action: &'a Action,
        name: &'a str,
    ) -> impl Iterator<Item = Grant> + 'a {
        let holders = std::iter::once(principal).chain(
            tenant
                .groups_of(principal)
                .iter()
                .copied()
                .filter(|g| !tenant.group_assignments_of(*g).is_empty()),
        );
        holders.flat_map(move |holder| {
            tenant
                .group_assignments_of(holder)
                .iter()
                .filter(move |a| tenant.assignment_reaches_group(&a.management_group, name))
                .filter_map(move |a| {
                    let role = self.compiled_group_role(tenant, a.role_definition)?;
                    if !role.grants(action) {
                        return None;
                    }
                    let role_name = self
                        .group_role_definition(tenant, a.role_definition)
                        .map(|r| r.name.clone())
                        .unwrap_or_default();
                    Some(group_grant(tenant, a, role_name, holder, principal))
                })
        })
    }

    /// The grant that lets `principal` perform `action` at `scope`, for explanations: the first that
    /// [`World::explain_access`] lists.
    pub fn authorize_principal(
        &self,
        principal: ObjectId,
        action: &Action,
        scope: &Scope,
    ) -> Option<Grant> {
        self.explain_access(principal, action, scope)
            .into_iter()
            .next()
    }

    /// Every grant that lets `principal` perform `action` at `scope` ("check access"): its classic
    /// administrator role, its own role assignments, then those of its groups, by the shortest path.
    pub fn explain_access(
        &self,
        principal: ObjectId,
        action: &Action,
        scope: &Scope,
    ) -> Vec<Grant> {
        let Some(part) = self.subscription(scope.subscription_id()) else {
            return vec![];
        };
        let mut grants: Vec<Grant> = self.classic_grant(part, principal).into_iter().collect();
        grants.extend(self.assignment_grants(part, principal, action, scope, &[]));
        let Some(tenant) = self.tenant(part.subscription.tenant) else {
            return grants;
        };
        let start = tenant.subscription_parent(part.subscription.id);
        let inherited: Vec<Grant> = self
            .group_grants(tenant, principal, action, &start)
            .collect();
        let groups = self.assigned_groups(part, principal);
        if groups.is_empty() {
            grants.extend(inherited);
            return grants;
        }
        let mut through_groups: Vec<Grant> = Vec::new();
        for g in groups {
            if part.assignments_of(*g).next().is_none() {
                continue;
            }
            let path = group_path(tenant, *g, principal);
            through_groups.extend(self.assignment_grants(part, *g, action, scope, &path));
        }
        through_groups.sort_by_cached_key(shortest_path_first);
        grants.extend(through_groups);
        grants.extend(inherited);
        grants
    }

    /// For a caller: its token must be for the subscription's tenant, as in Azure.
    pub fn authorize(&self, actor: &Actor, action: &Action, scope: &Scope) -> bool {
        match actor {
            Actor::Operator => true,
            Actor::User { tenant, object, .. } | Actor::Application { tenant, object, .. } => self
                .subscription(scope.subscription_id())
                .is_some_and(|part| {
                    part.subscription.tenant == *tenant && self.is_allowed(*object, action, scope)
                }),
            Actor::Personal { .. } => false,
        }
    }

    fn classic_grant(&self, part: &SubscriptionPart, principal: ObjectId) -> Option<Grant> {
        let user = self
            .tenant(part.subscription.tenant)?
            .users
            .get(&principal)?;
        if !user.is_present() || !user.enabled {
            return None;
        }
        classic_role(&part.subscription, user.identity()?)
    }

    /// The groups of the subscription's tenant that `principal` is in, or none at all when no role
    /// assignment of the subscription names a group (then there is nothing to look up).
    fn assigned_groups<'a>(
        &'a self,
        part: &SubscriptionPart,
        principal: ObjectId,
    ) -> &'a [ObjectId] {
        if !part.has_group_assignments() {
            return &[];
        }
        self.groups_of(part.subscription.tenant, principal)
    }

    /// The role assignments of `holder` (the principal, or one of its groups reached by `through`)
    /// that grant `action` at `scope`.
    fn assignment_grants<'a>(
        &'a self,
        part: &'a SubscriptionPart,
        holder: ObjectId,
        action: &'a Action,
        scope: &'a Scope,
        through: &'a [GroupRef],
    ) -> impl Iterator<Item = Grant> + 'a {
        part.assignments_of(holder).filter_map(move |a| {
            if !a.scope.contains(scope) {
                return None;
            }
            let role = self.compiled_role(part, a.role_definition)?;
            if !role.grants(action) {
                return None;
            }
            let name = self
                .role_definition(part.subscription.id, a.role_definition)
                .map(|d| d.name.clone())
                .unwrap_or_default();
            Some(Grant::RoleAssignment {
                assignment: a.id,
                role_definition: a.role_definition,
                role_name: name,
                scope: a.scope.to_string(),
                through: through.to_vec(),
            })
        })
    }

    /// The role assignments that reach `principal` in the subscription: its own and its groups'.
    pub fn assignments_reaching<'a>(
        &'a self,
        part: &'a SubscriptionPart,
        principal: ObjectId,
    ) -> impl Iterator<Item = &'a RoleAssignment> + 'a {
        part.assignments_of(principal).chain(
            self.assigned_groups(part, principal)
                .iter()
                .flat_map(|g| part.assignments_of(*g)),
        )
    }

    /// Whether the principal holds any access in the subscription (an assignment anywhere in it, to it
    /// or to one of its groups, or a classic administrator role): what makes a subscription appear in
    /// `GET /subscriptions`.
    pub fn has_any_access(&self, principal: ObjectId, subscription: SubscriptionId) -> bool {
        let Some(part) = self.subscription(subscription) else {
            return false;
        };
        self.classic_grant(part, principal).is_some()
            || self.assignments_reaching(part, principal).next().is_some()
            || self.inherits(
                part,
                principal,
                &Action::new(crate::action::names::SUBSCRIPTION_READ),
            )
    }

    /// Whether the principal holds access at `scope`, above it or below it (what makes a resource group
    /// appear in a list for a Reader of one of its resources, as in Azure).
    pub fn has_access_touching(&self, principal: ObjectId, scope: &Scope) -> bool {
        let Some(part) = self.subscription(scope.subscription_id()) else {
            return false;
        };
        self.classic_grant(part, principal).is_some()
            || self
                .assignments_reaching(part, principal)
                .any(|a| a.scope.contains(scope) || scope.contains(&a.scope))
    }

    /// The permission blocks that apply to the principal at `scope` (the ARM `permissions` API), from
    /// its own assignments and its groups': classic administrators get `*`.
    pub fn effective_permissions(&self, principal: ObjectId, scope: &Scope) -> Vec<Permission> {
        self.granted_permissions(principal, scope)
            .into_iter()
            .map(|g| g.permission)
            .collect()
    }

    /// [`World::effective_permissions`], each block with the grant it comes from: a classic
    /// administrator role, or a role assignment (to the principal, or to a group it is in, with the
    /// path). The principal's own grants first, then its groups' by the shortest path.
    pub fn granted_permissions(
        &self,
        principal: ObjectId,
        scope: &Scope,
    ) -> Vec<GrantedPermission> {
        let Some(part) = self.subscription(scope.subscription_id()) else {
            return vec![];
        };
        if let Some(grant) = self.classic_grant(part, principal) {
            return vec![GrantedPermission {
                permission: Permission {
                    actions: vec!["*".into()],
                    ..Default::default()
                },
                grant,
            }];
        }
        let tenant = self.tenant(part.subscription.tenant);
        let mut own: Vec<GrantedPermission> = Vec::new();
        let mut through_groups: Vec<GrantedPermission> = Vec::new();
        let holders = std::iter::once(principal).chain(
            self.assigned_groups(part, principal)
                .iter()
                .copied()
                .filter(|g| part.assignments_of(*g).next().is_some()),
        );
        for holder in holders {
            let path = match (holder == principal, tenant) {
                (false, Some(t)) => group_path(t, holder, principal),
                _ => vec![],
            };
            let out = if path.is_empty() {
                &mut own
            } else {
                &mut through_groups
            };
            for a in part
                .assignments_of(holder)
                .filter(|a| a.scope.contains(scope))
            {
                let Some(d) = self.role_definition(part.subscription.id, a.role_definition) else {
                    continue;
                };
                let grant = Grant::RoleAssignment {
                    assignment: a.id,
                    role_definition: a.role_definition,
                    role_name: d.name.clone(),
                    scope: a.scope.to_string(),
                    through: path.clone(),
                };
                out.extend(d.permissions.iter().map(|p| GrantedPermission {
                    permission: p.clone(),
                    grant: grant.clone(),
                }));
            }
        }
        through_groups.sort_by_cached_key(|g| shortest_path_first(&g.grant));
        own.extend(through_groups);
        if let Some(t) = tenant {
            own.extend(self.inherited_permissions(t, part, principal));
        }
        own
    }

    /// The permission blocks of the roles assigned at management groups above the subscription (and
    /// at the root scope) to `principal` or its groups, each with its grant.
    fn inherited_permissions(
        &self,
        tenant: &TenantPart,
        part: &SubscriptionPart,
        principal: ObjectId,
    ) -> Vec<GrantedPermission> {
        if !tenant.holds_group_assignments() {
            return vec![];
        }
        let start = tenant.subscription_parent(part.subscription.id);
        let mut out = Vec::new();
        for holder in std::iter::once(principal).chain(tenant.groups_of(principal).iter().copied())
        {
            for a in tenant.group_assignments_of(holder) {
                if !tenant.assignment_reaches_group(&a.management_group, &start) {
                    continue;
                }
                let Some(d) = self.group_role_definition(tenant, a.role_definition) else {
                    continue;
                };
                let grant = group_grant(tenant, a, d.name.clone(), holder, principal);
                out.extend(d.permissions.iter().map(|p| GrantedPermission {
                    permission: p.clone(),
                    grant: grant.clone(),
                }));
            }
        }
        out
    }
}

/// A permission block with the grant it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantedPermission {
    pub permission: Permission,
    pub grant: Grant,
}

/// The groups from `group` (which holds an assignment) down to the one `principal` is directly in, by
/// the fewest steps, with their names: the path a grant through groups shows.
fn group_path(tenant: &TenantPart, group: ObjectId, principal: ObjectId) -> Vec<GroupRef> {
    tenant
        .membership_path(group, principal)
        .unwrap_or_else(|| vec![group])
        .into_iter()
        .map(|id| GroupRef {
            id,
            display_name: tenant
                .group(id)
                .map(|x| x.display_name.clone())
                .unwrap_or_else(|| id.to_string()),
        })
        .collect()
}

/// The grant of an assignment at a management group held by `holder` (the principal or one of its
/// groups).
fn group_grant(
    tenant: &TenantPart,
    a: &ManagementGroupRoleAssignment,
    role_name: String,
    holder: ObjectId,
    principal: ObjectId,
) -> Grant {
    Grant::ManagementGroupAssignment {
        assignment: a.id,
        role_definition: a.role_definition,
        role_name,
        management_group: a.management_group.clone(),
        display_name: tenant
            .management_group(&a.management_group)
            .map_or_else(|| a.management_group.clone(), |g| g.display_name.clone()),
        through: if holder == principal {
            vec![]
        } else {
            group_path(tenant, holder, principal)
        },
    }
}

/// How grants through groups are ordered: the shortest path first, then by the groups' names.
fn shortest_path_first(grant: &Grant) -> (usize, Vec<String>) {
    match grant {
        Grant::RoleAssignment { through, .. } => (
            through.len(),
            through
                .iter()
                .map(|g| g.display_name.to_lowercase())
                .collect(),
        ),
        _ => (0, vec![]),
    }
}
