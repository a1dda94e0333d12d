//! A tenant's hierarchy of management groups: the tenant root group (always there, id = the tenant id),
//! the groups below it, and the subscriptions placed under them. Read by the hierarchy rules
//! (`rules/hierarchy.rs`) and the invariants.

use super::*;
use std::borrow::Cow;

/// The root group's display name until it is renamed, as Azure shows it.
pub const ROOT_GROUP_DISPLAY_NAME: &str = "Tenant Root Group";
/// Levels of groups below the root, as in Azure (the root and the subscriptions not counted).
pub const MAX_MANAGEMENT_GROUP_DEPTH: usize = 6;
/// Management groups in one directory, as in Azure.
pub const MAX_MANAGEMENT_GROUPS: usize = 10_000;

fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

impl TenantPart {
    /// The tenant root group's name: the tenant id.
    pub fn root_group_name(&self) -> String {
        self.tenant.id.to_string()
    }

    /// Compares with the tenant id written into a buffer on the stack: authorization asks this for
    /// each assignment at a group, and must not allocate.
    pub fn is_root_group(&self, name: &str) -> bool {
        let name = name.trim();
        // A GUID is 36 characters: most names are not, and need no comparing.
        if name.len() != 36 {
            return false;
        }
        let mut buf = uuid::Uuid::encode_buffer();
        name.eq_ignore_ascii_case(self.tenant.id.0.hyphenated().encode_lower(&mut buf))
    }

    /// A stored group (not the root) by name in any case, looked up without allocating when the name is
    /// already spelled as its key, as the rules store names.
    fn stored_group(&self, name: &str) -> Option<&ManagementGroup> {
        if let Some(g) = self.management_groups.get(name) {
            return Some(g);
        }
        let spelled_as_key =
            name.trim().len() == name.len() && !name.chars().any(char::is_uppercase);
        if spelled_as_key {
            None
        } else {
            self.management_groups.get(&key(name))
        }
    }

    /// A management group by name (any case), the root group included.
    pub fn management_group(&self, name: &str) -> Option<Cow<'_, ManagementGroup>> {
        if let Some(g) = self.management_groups.get(&key(name)) {
            return Some(Cow::Borrowed(g));
        }
        self.is_root_group(name).then(|| {
            Cow::Owned(ManagementGroup {
                tenant: self.tenant.id,
                name: self.root_group_name(),
                display_name: ROOT_GROUP_DISPLAY_NAME.into(),
                parent: None,
                updated: self.tenant.created,
                updated_by: String::new(),
            })
        })
    }

    /// Every management group, the root first, then the others by name.
    pub fn all_management_groups(&self) -> Vec<Cow<'_, ManagementGroup>> {
        let root = self.root_group_name();
        let mut v: Vec<Cow<'_, ManagementGroup>> =
            self.management_group(&root).into_iter().collect();
        v.extend(
            self.management_groups
                .values()
                .filter(|g| !self.is_root_group(&g.name))
                .map(Cow::Borrowed),
        );
        v
    }

    /// Groups other than the root (what the 10,000 limit counts).
    pub fn management_group_count(&self) -> usize {
        self.management_groups
            .values()
            .filter(|g| !self.is_root_group(&g.name))
            .count()
    }

    /// The parent of a group: `None` for the root, the root's name for a group without a stored parent.
    pub fn parent_group(&self, name: &str) -> Option<String> {
        if self.is_root_group(name) {
            return None;
        }
        let g = self.management_groups.get(&key(name))?;
        Some(g.parent.clone().unwrap_or_else(|| self.root_group_name()))
    }

    /// The group a subscription of this tenant is under (the root unless placed elsewhere).
    pub fn subscription_parent(&self, subscription: SubscriptionId) -> String {
        self.subscription_parents
            .get(&subscription)
            .cloned()
            .unwrap_or_else(|| self.root_group_name())
    }

    /// The groups directly under `name`, by name.
    pub fn child_groups(&self, name: &str) -> Vec<&ManagementGroup> {
        let root = self.is_root_group(name);
        self.management_groups
            .values()
            .filter(|g| !self.is_root_group(&g.name))
            .filter(|g| match &g.parent {
                None => root,
                Some(p) => p.eq_ignore_ascii_case(name.trim()),
            })
            .collect()
    }

    /// The subscriptions placed directly under a group other than the root (the root's are the tenant's
    /// others: see `World::subscriptions_under_group`).
    pub fn subscriptions_placed_under(&self, name: &str) -> Vec<SubscriptionId> {
        self.subscription_parents
            .iter()
            .filter(|(_, p)| p.eq_ignore_ascii_case(name.trim()))
            .map(|(s, _)| *s)
            .collect()
    }

    /// The group's ancestors, nearest first, ending with the root (empty for the root). Stops at a
    /// cycle or a missing parent, which the rules never write.
    pub fn group_ancestors(&self, name: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut at = name.to_string();
        while let Some(p) = self.parent_group(&at) {
            if out.iter().any(|a| a.eq_ignore_ascii_case(&p)) || out.len() > MAX_MANAGEMENT_GROUPS {
                break;
            }
            out.push(p.clone());
            at = p;
        }
        out
    }

    /// Levels below the root: 0 for the root, 1 for a group directly under it.
    pub fn group_depth(&self, name: &str) -> usize {
        self.group_ancestors(name).len()
    }

    /// How many levels of groups hang below `name` (0 when it has no child groups).
    pub fn group_height(&self, name: &str) -> usize {
        self.child_groups(name)
            .iter()
            .map(|c| 1 + self.group_height(&c.name))
            .max()
            .unwrap_or(0)
    }

    /// Whether `name` is `of` or one of its descendants. Walks up the stored parents by reference (the
    /// authorization of every request inherited from a group asks it, so it allocates nothing), as far
    /// as [`TenantPart::group_ancestors`] would: to the root, a missing parent, or around a cycle, which
    /// the rules never write.
    pub fn is_group_within(&self, name: &str, of: &str) -> bool {
        let of = of.trim();
        let mut at = name.trim();
        for _ in 0..=MAX_MANAGEMENT_GROUPS + 1 {
            if at.eq_ignore_ascii_case(of) {
                return true;
            }
            if self.is_root_group(at) {
                return false;
            }
            match self.stored_group(at) {
                None => return false,
                // Stored without a parent: directly under the root.
                Some(g) => match g.parent.as_deref() {
                    None => return self.is_root_group(of),
                    Some(p) => at = p.trim(),
                },
            }
        }
        false
    }
}

impl TenantPart {
    /// The stored management groups by lowercase name (the root group only once renamed).
    pub fn management_groups(&self) -> &BTreeMap<String, ManagementGroup> {
        &self.management_groups
    }

    /// Each subscription placed under a group other than the root, with that group's name.
    pub fn subscription_parents(&self) -> &BTreeMap<SubscriptionId, String> {
        &self.subscription_parents
    }

    /// Whether anyone holds a role assignment at a management group or the root scope.
    pub fn holds_group_assignments(&self) -> bool {
        !self.group_assignments.is_empty()
    }

    /// Adds or replaces a management group (a new parent moves it, and everything below it).
    pub fn put_management_group(&mut self, g: ManagementGroup) {
        let name = g.name.clone();
        self.management_groups.insert(key(&name), g);
        self.reindex_groups(&name);
    }

    pub fn remove_management_group(&mut self, name: &str) {
        if self.management_groups.remove(&key(name)).is_some() {
            self.reindex_groups(name);
        }
    }

    /// Places a subscription under a group, or with `None` under the root group.
    pub fn place_subscription(&mut self, subscription: SubscriptionId, parent: Option<String>) {
        match parent {
            Some(g) => self.subscription_parents.insert(subscription, g),
            None => self.subscription_parents.remove(&subscription),
        };
        self.reindex_placement(subscription);
    }

    /// Files a role assignment at a group under its principal, keeping the list sorted by id.
    pub fn put_group_assignment(&mut self, a: ManagementGroupRoleAssignment) {
        let holder = a.principal;
        let list = self.group_assignments.entry(a.principal).or_default();
        list.retain(|x| x.id != a.id);
        let at = list.partition_point(|x| x.id < a.id);
        list.insert(at, a);
        self.reindex_holder(holder);
    }

    pub fn remove_group_assignments(&mut self, ids: &[RoleAssignmentId]) {
        let mut touched = Vec::new();
        self.group_assignments.retain(|holder, list| {
            let before = list.len();
            list.retain(|a| !ids.contains(&a.id));
            if list.len() != before {
                touched.push(*holder);
            }
            !list.is_empty()
        });
        for h in touched {
            self.reindex_holder(h);
        }
    }

    /// Every role assignment at a management group or the root scope.
    pub fn all_group_assignments(&self) -> impl Iterator<Item = &ManagementGroupRoleAssignment> {
        self.group_assignments.values().flatten()
    }

    /// The assignments held by `principal` at management groups and the root scope.
    pub fn group_assignments_of(&self, principal: ObjectId) -> &[ManagementGroupRoleAssignment] {
        self.group_assignments
            .get(&principal)
            .map_or(&[], Vec::as_slice)
    }

    /// Whether an assignment at `at` (a group's name or the root scope) applies to group `name`: at the
    /// root scope, at the group itself or at one of its ancestors.
    pub fn assignment_reaches_group(&self, at: &str, name: &str) -> bool {
        at == ROOT_SCOPE || self.is_group_within(name, at)
    }

    /// Whether an assignment at `at` applies to a subscription of this tenant, as
    /// [`TenantPart::assignment_reaches_group`] from the group it is under.
    pub fn assignment_reaches_subscription(&self, at: &str, subscription: SubscriptionId) -> bool {
        at == ROOT_SCOPE
            || match self.subscription_parents.get(&subscription) {
                Some(parent) => self.is_group_within(parent, at),
                None => self.is_root_group(at),
            }
    }
}

impl World {
    /// The subscriptions of `tenant` directly under a management group (for the root: those placed
    /// nowhere else).
    pub fn subscriptions_under_group(&self, tenant: TenantId, name: &str) -> Vec<SubscriptionId> {
        let Some(part) = self.tenant(tenant) else {
            return Vec::new();
        };
        if part.is_root_group(name) {
            return self
                .subscriptions_of_tenant(tenant)
                .map(|s| s.subscription.id)
                .filter(|s| !part.subscription_parents.contains_key(s))
                .collect();
        }
        part.subscriptions_placed_under(name)
    }
}
