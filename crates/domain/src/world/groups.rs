//! Groups in a tenant's part: their direct members and owners, and the index of transitive membership
//! (every principal → every group it is in, directly or through nesting). The index is computed when the
//! partition is loaded and updated by each mutation for the principals it affects, so authorization looks
//! a principal's groups up instead of walking the nesting on every request.

use super::*;
use std::collections::HashSet;
use std::fmt;

/// What follows from a tenant's groups and memberships; never stored.
#[derive(Clone, Default)]
pub(crate) struct Memberships {
    /// Member → the groups it is directly in, sorted.
    parents: IdMap<ObjectId, Vec<ObjectId>>,
    /// Principal (user, service principal or group) → every group it is in, directly or through
    /// nesting: sorted, each once. Absent when it is in none.
    transitive: IdMap<ObjectId, Box<[ObjectId]>>,
    /// Lowercase display name → group.
    by_name: HashMap<String, ObjectId>,
}

impl fmt::Debug for Memberships {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A summary: the full index of a big tenant would drown whatever printed it.
        f.debug_struct("Memberships")
            .field("members", &self.parents.len())
            .field("indexed", &self.transitive.len())
            .finish()
    }
}

/// The bounds of every (group, x) pair of one group in a `BTreeSet<(ObjectId, ObjectId)>`.
fn pairs_of(group: ObjectId) -> std::ops::RangeInclusive<(ObjectId, ObjectId)> {
    (group, ObjectId(uuid::Uuid::nil()))..=(group, ObjectId(uuid::Uuid::max()))
}

fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

impl TenantPart {
    pub fn group(&self, id: ObjectId) -> Option<&Group> {
        self.groups.get(&id)
    }

    /// A group by display name (case-insensitive).
    pub fn group_by_name(&self, name: &str) -> Option<&Group> {
        self.memberships
            .by_name
            .get(&name_key(name))
            .and_then(|id| self.groups.get(id))
    }

    /// The direct members of a group, by object id.
    pub fn members_of(&self, group: ObjectId) -> impl Iterator<Item = ObjectId> + '_ {
        self.group_members.range(pairs_of(group)).map(|(_, m)| *m)
    }

    /// The owners of a group, by object id.
    pub fn owners_of(&self, group: ObjectId) -> impl Iterator<Item = ObjectId> + '_ {
        self.group_owners.range(pairs_of(group)).map(|(_, o)| *o)
    }

    pub fn is_group_member(&self, group: ObjectId, member: ObjectId) -> bool {
        self.group_members.contains(&(group, member))
    }

    pub fn is_group_owner(&self, group: ObjectId, owner: ObjectId) -> bool {
        self.group_owners.contains(&(group, owner))
    }

    /// The groups a principal is directly a member of, sorted by id.
    pub fn direct_groups_of(&self, principal: ObjectId) -> &[ObjectId] {
        self.memberships
            .parents
            .get(&principal)
            .map_or(&[], Vec::as_slice)
    }

    /// Every group a principal is in, directly or through nested groups, sorted by id: from the index,
    /// without allocating.
    pub fn groups_of(&self, principal: ObjectId) -> &[ObjectId] {
        self.memberships
            .transitive
            .get(&principal)
            .map_or(&[], |g| g)
    }

    /// The groups a principal owns.
    pub fn owned_groups(&self, owner: ObjectId) -> impl Iterator<Item = &Group> {
        self.group_owners
            .iter()
            .filter(move |(_, o)| *o == owner)
            .filter_map(|(g, _)| self.groups.get(g))
    }

    /// Every member of a group, directly or through nested groups (the nested groups included).
    pub fn transitive_members(&self, group: ObjectId) -> BTreeSet<ObjectId> {
        let mut seen = BTreeSet::new();
        let mut queue = vec![group];
        while let Some(g) = queue.pop() {
            for m in self.members_of(g) {
                if seen.insert(m) && self.groups.contains_key(&m) {
                    queue.push(m);
                }
            }
        }
        seen
    }

    /// How many users and service principals a group reaches, directly or through nested groups: who
    /// holds what the group is granted.
    pub fn reach(&self, group: ObjectId) -> usize {
        self.transitive_members(group)
            .iter()
            .filter(|m| !self.groups.contains_key(m))
            .count()
    }

    /// How `principal` is in `group`: the groups from `group` down to the one the principal is directly
    /// in (`[group]` for a direct member), by the fewest steps; `None` when it is not in it.
    pub fn membership_path(&self, group: ObjectId, principal: ObjectId) -> Option<Vec<ObjectId>> {
        // Upwards from the principal, breadth first: `below[g]` is the group through which g was reached
        // (`None` for the principal's own groups).
        let mut below: HashMap<ObjectId, Option<ObjectId>> = HashMap::new();
        let mut frontier: Vec<ObjectId> = Vec::new();
        for g in self.direct_groups_of(principal) {
            below.insert(*g, None);
            frontier.push(*g);
        }
        while !frontier.is_empty() && !below.contains_key(&group) {
            let mut next = Vec::new();
            for g in frontier {
                for p in self.direct_groups_of(g) {
                    if !below.contains_key(p) {
                        below.insert(*p, Some(g));
                        next.push(*p);
                    }
                }
            }
            frontier = next;
        }
        let mut path = vec![group];
        let mut at = *below.get(&group)?;
        while let Some(g) = at {
            path.push(g);
            at = below.get(&g).copied().flatten();
        }
        Some(path)
    }

    /// Whether `object` holds `role`: itself, or through a group it is in (only role-assignable groups
    /// hold directory roles, and those contain no groups, so that is a group it is directly in).
    pub fn holds_role(&self, object: ObjectId, role: DirectoryRole) -> bool {
        self.has_role(object, role)
            || self
                .groups_of(object)
                .iter()
                .any(|g| self.has_role(*g, role))
    }

    /// The directory roles `object` holds, itself or through its groups, each once.
    pub fn effective_roles_of(&self, object: ObjectId) -> Vec<DirectoryRole> {
        DirectoryRole::ALL
            .into_iter()
            .filter(|r| self.holds_role(object, *r))
            .collect()
    }

    // ----- changes, as `World::apply_mutation` makes them -----

    pub(crate) fn put_group(&mut self, g: Group) {
        let by_name = &mut self.memberships.by_name;
        if let Some(old) = self.groups.get(&g.id) {
            let old_key = name_key(&old.display_name);
            if by_name.get(&old_key) == Some(&g.id) {
                by_name.remove(&old_key);
            }
        }
        by_name.insert(name_key(&g.display_name), g.id);
        self.groups.insert(g.id, g);
    }

    pub(crate) fn add_group_members(&mut self, group: ObjectId, members: &[ObjectId]) {
        let mut affected = Vec::new();
        for m in members {
            if self.group_members.insert((group, *m)) {
                let list = self.memberships.parents.entry(*m).or_default();
                if let Err(at) = list.binary_search(&group) {
                    list.insert(at, group);
                }
                affected.push(*m);
            }
        }
        self.refresh_below(affected);
    }

    pub(crate) fn remove_group_members(&mut self, group: ObjectId, members: &[ObjectId]) {
        let mut affected = Vec::new();
        for m in members {
            if self.group_members.remove(&(group, *m)) {
                self.unlink(group, *m);
                affected.push(*m);
            }
        }
        self.refresh_below(affected);
    }

    /// Removes a group with its members, owners, memberships in other groups and directory roles.
    pub(crate) fn remove_group(&mut self, group: ObjectId) -> Option<Group> {
        // Whoever was in the group, directly or not, loses it and what lies above it.
        let below: Vec<ObjectId> = self.transitive_members(group).into_iter().collect();
        let members: Vec<ObjectId> = self.members_of(group).collect();
        for m in members {
            self.group_members.remove(&(group, m));
            self.unlink(group, m);
        }
        let owners: Vec<ObjectId> = self.owners_of(group).collect();
        for o in owners {
            self.group_owners.remove(&(group, o));
        }
        self.remove_principal(group);
        self.refresh(&below);
        let g = self.groups.remove(&group)?;
        let key = name_key(&g.display_name);
        if self.memberships.by_name.get(&key) == Some(&group) {
            self.memberships.by_name.remove(&key);
        }
        Some(g)
    }

    /// Removes what names a principal that goes (a user, an application, a group): its memberships in
    /// groups, its ownerships and its directory roles.
    pub(crate) fn remove_principal(&mut self, object: ObjectId) {
        let groups = self.memberships.parents.remove(&object).unwrap_or_default();
        for g in groups {
            self.group_members.remove(&(g, object));
        }
        self.group_owners.retain(|(_, o)| *o != object);
        self.role_members.retain(|(_, o)| *o != object);
        // Its role assignments at management groups go with it (they live in this partition).
        if self.group_assignments.remove(&object).is_some() {
            self.reindex_holder(object);
        }
        let below: Vec<ObjectId> = if self.groups.contains_key(&object) {
            self.transitive_members(object).into_iter().collect()
        } else {
            vec![]
        };
        self.memberships.transitive.remove(&object);
        self.refresh(&below);
    }

    /// Recomputes the index and the names from the data (after loading, or data put in directly).
    pub(crate) fn rebuild_memberships(&mut self) {
        let mut m = Memberships::default();
        for (g, member) in &self.group_members {
            // The set is ordered by group, so each list comes out sorted.
            m.parents.entry(*member).or_default().push(*g);
        }
        for g in self.groups.values() {
            m.by_name.insert(name_key(&g.display_name), g.id);
        }
        let all: Vec<ObjectId> = m.parents.keys().copied().collect();
        self.memberships = m;
        self.refresh(&all);
    }

    fn unlink(&mut self, group: ObjectId, member: ObjectId) {
        if let Some(list) = self.memberships.parents.get_mut(&member) {
            list.retain(|g| *g != group);
            if list.is_empty() {
                self.memberships.parents.remove(&member);
            }
        }
    }

    /// Recomputes the index for `changed` and everything nested below them: the only principals whose
    /// groups a change of these memberships can alter.
    fn refresh_below(&mut self, changed: Vec<ObjectId>) {
        let mut affected: BTreeSet<ObjectId> = BTreeSet::new();
        for m in changed {
            affected.insert(m);
            if self.groups.contains_key(&m) {
                affected.extend(self.transitive_members(m));
            }
        }
        let affected: Vec<ObjectId> = affected.into_iter().collect();
        self.refresh(&affected);
    }

    /// Recomputes the transitive groups of `affected`, which must hold every principal whose groups
    /// changed; the others' entries stay valid and are reused. Iterative (no recursion, however deep the
    /// nesting), each group's set computed once.
    fn refresh(&mut self, affected: &[ObjectId]) {
        let m = &mut self.memberships;
        for x in affected {
            m.transitive.remove(x);
        }
        let pending: HashSet<ObjectId> = affected.iter().copied().collect();
        let mut done: HashSet<ObjectId> = HashSet::with_capacity(affected.len());
        let no_parents: Vec<ObjectId> = Vec::new();
        for start in affected {
            let mut stack = vec![(*start, false)];
            let mut on_path: HashSet<ObjectId> = HashSet::new();
            while let Some((n, expanded)) = stack.pop() {
                if done.contains(&n) {
                    continue;
                }
                let parents = m.parents.get(&n).unwrap_or(&no_parents);
                if !expanded {
                    // A node met again on its own path is a cycle, which the rules never make: its
                    // sets are cut there rather than looping.
                    if !on_path.insert(n) {
                        continue;
                    }
                    stack.push((n, true));
                    for p in parents {
                        if pending.contains(p) && !done.contains(p) && !on_path.contains(p) {
                            stack.push((*p, false));
                        }
                    }
                } else {
                    on_path.remove(&n);
                    let mut set: Vec<ObjectId> = Vec::with_capacity(parents.len() * 2);
                    for p in parents {
                        set.push(*p);
                        if let Some(up) = m.transitive.get(p) {
                            set.extend_from_slice(up);
                        }
                    }
                    set.sort_unstable();
                    set.dedup();
                    if !set.is_empty() {
                        m.transitive.insert(n, set.into_boxed_slice());
                    }
                    done.insert(n);
                }
            }
        }
    }
}
