//! A subscription's role assignments with the indexes authorization reads, kept compact: a million
//! assignments are most of a large world's memory (`benches/memory.rs`).
//!
//! The assignments live in one array. The index by id is a hash table of positions in it (four bytes
//! an entry: the key is read from the assignment itself); the index by principal, the hot path of
//! authorization, is a table of slots holding the principal and the position of its first assignment
//! (see [`FirstPositions`]). The assignments of one principal are chained through a parallel array of
//! links: the next position, and what a check needs to pass over an assignment without reading it (see
//! [`Link`]), so that a check reads one slot, the principal's links and only the assignments that may
//! grant it. Each distinct scope is kept once, shared by the assignments at it.

use super::GroupFilter;
use crate::ids::{IdHashing, ObjectId, RoleAssignmentId, RoleDefinitionId};
use crate::model::{PrincipalType, RoleAssignment};
use crate::scope::{Scope, ScopeLevel, contains_key};
use hashbrown::HashTable;
use std::collections::HashSet;
use std::hash::BuildHasher;

/// The end of a principal's chain.
const END: u32 = u32::MAX;

/// An assignment's place in its principal's chain, where its scope reaches and its role: what a check
/// needs to decide on most assignments without reading them. At a million assignments each read of an
/// assignment is a cache miss: a holder of forty assignments in a subscription made a check read them
/// all, and an allowed check read the one that allowed it (`benches/authz.rs`, its scale figure).
#[derive(Clone, Copy)]
struct Link {
    next: u32,
    /// [`AT_SUBSCRIPTION`] (contains every scope of the subscription); for a scope in a resource group,
    /// the group's index in [`Assignments::groups`] plus one, shifted left once, with [`DEEPER`] for a
    /// scope below the group itself (a resource: compared in full); else [`ELSEWHERE`].
    reach: u32,
    /// The role's index in [`Assignments::roles`].
    role: u32,
}

const AT_SUBSCRIPTION: u32 = 0;
/// The bit of [`Link::reach`] of a scope below its resource group (a resource in it).
const DEEPER: u32 = 1;
/// The reach of a scope of another subscription, which no rule writes: compared in full.
const ELSEWHERE: u32 = u32::MAX;
/// A reach no link has: what a check of a scope in a group without assignments looks for.
const NOWHERE: u32 = u32::MAX - 1;

/// A subscription's role assignments, read like a map from id to assignment. Changed only through its
/// subscription (`SubscriptionPart::insert_assignment`, `remove_assignment`), which keeps the indexes.
#[derive(Clone, Default)]
pub struct Assignments {
    all: Vec<RoleAssignment>,
    /// For each position in `all`: the position of the same principal's next assignment (or `END`),
    /// and the reach of its scope.
    links: Vec<Link>,
    /// Positions by the assignment's id.
    by_id: HashTable<u32>,
    /// The position of the first assignment of each principal.
    by_principal: FirstPositions,
    /// Every scope an assignment is at, once: the value its assignments share.
    scopes: HashSet<Scope>,
    /// Which groups may hold an assignment here (see `GroupFilter`).
    pub(super) group_holders: GroupFilter,
    /// The resource groups the assignments' scopes are in, each once (by its key, lowercase), and
    /// their index (see [`Link::reach`]). A group stays until the next `compact`. Hashed as ids are
    /// (a check hashes its scope's group each time): the names come from this subscription's own
    /// assignments, so names chosen to collide could slow only the checks of the subscription whose
    /// access their writer already administers.
    groups: std::collections::HashMap<Box<str>, u32, IdHashing>,
    /// The roles the assignments name, each once (see [`Link::role`]); kept as `groups` is.
    roles: Vec<RoleDefinitionId>,
    role_index: crate::ids::IdMap<RoleDefinitionId, u32>,
    hashing: IdHashing,
}

impl std::fmt::Debug for Assignments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl PartialEq for Assignments {
    /// Equal when they hold the same assignments, whatever their order.
    fn eq(&self, o: &Self) -> bool {
        self.len() == o.len() && self.all.iter().all(|a| o.get(&a.id) == Some(a))
    }
}

impl std::ops::Index<&RoleAssignmentId> for Assignments {
    type Output = RoleAssignment;
    /// The assignment with this id; panics when there is none, as a map's index does.
    fn index(&self, id: &RoleAssignmentId) -> &RoleAssignment {
        match self.get(id) {
            Some(a) => a,
            None => panic!("no role assignment {id} in the subscription"),
        }
    }
}

impl<'a> IntoIterator for &'a Assignments {
    type Item = (&'a RoleAssignmentId, &'a RoleAssignment);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, RoleAssignment>,
        fn(&'a RoleAssignment) -> (&'a RoleAssignmentId, &'a RoleAssignment),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.all.iter().map(|a| (&a.id, a))
    }
}

impl Assignments {
    pub fn len(&self) -> usize {
        self.all.len()
    }
    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }
    pub fn get(&self, id: &RoleAssignmentId) -> Option<&RoleAssignment> {
        self.position(id).map(|i| &self.all[i as usize])
    }
    pub fn contains_key(&self, id: &RoleAssignmentId) -> bool {
        self.position(id).is_some()
    }
    /// The assignments, in no particular order.
    pub fn values(&self) -> std::slice::Iter<'_, RoleAssignment> {
        self.all.iter()
    }
    pub fn keys(&self) -> impl Iterator<Item = &RoleAssignmentId> {
        self.all.iter().map(|a| &a.id)
    }
    pub fn iter(&self) -> <&Self as IntoIterator>::IntoIter {
        self.into_iter()
    }

    /// The assignments of one principal (the hot path of authorization: it allocates nothing).
    pub(crate) fn of(&self, principal: ObjectId) -> Chain<'_> {
        let first = self
            .by_principal
            .find(self.hashing.hash_one(principal), principal)
            .map_or(END, |slot| self.by_principal.position(slot));
        Chain {
            of: self,
            at: first,
        }
    }

    /// Whether an assignment of `principal` at `scope` or above it has a role that passes `grants`:
    /// the check of authorization. It reads the principal's slot and links, and reads an assignment
    /// only when its scope is below a resource group and the link cannot tell whether it contains
    /// `scope`.
    pub(crate) fn any_containing(
        &self,
        principal: ObjectId,
        scope: &Scope,
        mut grants: impl FnMut(RoleDefinitionId) -> bool,
    ) -> bool {
        let Some(slot) = self
            .by_principal
            .find(self.hashing.hash_one(principal), principal)
        else {
            return false;
        };
        // An assignment at the group of `scope` contains it; one below that group may.
        let (exact, deeper) = match scope.resource_group_key().and_then(|g| self.groups.get(g)) {
            Some(i) => ((i + 1) << 1, (i + 1) << 1 | DEEPER),
            None => (NOWHERE, NOWHERE),
        };
        let mut at = self.by_principal.position(slot);
        while at != END {
            let link = self.links[at as usize];
            let contains = link.reach == AT_SUBSCRIPTION
                || link.reach == exact
                || ((link.reach == deeper || link.reach == ELSEWHERE)
                    && contains_key(self.all[at as usize].scope.key(), scope.key()));
            if contains && grants(self.roles[link.role as usize]) {
                return true;
            }
            at = link.next;
        }
        false
    }

    /// The link of `a`, ahead of `next`: its group and its role indexed when they are new here.
    fn link(&mut self, a: &RoleAssignment, next: u32) -> Link {
        let (scope, role) = (&a.scope, a.role_definition);
        let reach = match (scope.level(), scope.resource_group_key()) {
            // A scope of another subscription (which no rule writes) is compared in full.
            _ if scope.subscription_id() != a.subscription => ELSEWHERE,
            (ScopeLevel::Subscription, _) => AT_SUBSCRIPTION,
            (_, None) => ELSEWHERE,
            (level, Some(g)) => {
                let i = index_of(&mut self.groups, g.into());
                let deeper = if level == ScopeLevel::ResourceGroup {
                    0
                } else {
                    DEEPER
                };
                (i + 1) << 1 | deeper
            }
        };
        let index = index_of(&mut self.role_index, role);
        if index as usize == self.roles.len() {
            self.roles.push(role);
        }
        Link {
            next,
            reach,
            role: index,
        }
    }

    fn position(&self, id: &RoleAssignmentId) -> Option<u32> {
        self.by_id
            .find(self.hashing.hash_one(id), |i| {
                self.all[*i as usize].id == *id
            })
            .copied()
    }

    /// Room for `more` assignments, when a load knows how many are coming.
    pub(super) fn reserve(&mut self, more: usize) {
        let hashing = self.hashing;
        let all = &self.all;
        self.by_id
            .reserve(more, |i| hashing.hash_one(all[*i as usize].id));
        // Not the table by principal: how many principals hold the assignments is not known, and
        // room for one per assignment took 107 kB for a subscription of 4,000 held by a hundred (26 MB
        // at a million, given back only in part). It grows by doubling, rehashing from its slots.
        self.all.reserve(more);
        self.links.reserve(more);
    }

    /// Adds `a`, replacing the assignment with the same id.
    pub(super) fn insert(&mut self, mut a: RoleAssignment) {
        let Ok(at) = u32::try_from(self.all.len()) else {
            // Four billion assignments in one subscription would not fit in memory long before.
            panic!("more role assignments in one subscription than positions");
        };
        // One probe of the index by id finds a replaced assignment or the new one's slot: a load
        // inserts a million, none of them replacing another.
        let hashing = self.hashing;
        let all = &self.all;
        match self.by_id.entry(
            hashing.hash_one(a.id),
            |i| all[*i as usize].id == a.id,
            |i| hashing.hash_one(all[*i as usize].id),
        ) {
            hashbrown::hash_table::Entry::Vacant(slot) => {
                slot.insert(at);
            }
            hashbrown::hash_table::Entry::Occupied(_) => {
                self.remove(&a.id);
                return self.insert(a);
            }
        }
        match self.scopes.get(&a.scope) {
            Some(shared) => a.scope = shared.clone(),
            None => {
                self.scopes.insert(a.scope.clone());
            }
        }
        if a.principal_type == PrincipalType::Group {
            self.group_holders.add(a.principal, a.scope.key());
        }
        // Chained in front of the principal's others.
        let hash = hashing.hash_one(a.principal);
        let next = match self.by_principal.find(hash, a.principal) {
            Some(slot) => {
                let next = self.by_principal.position(slot);
                self.by_principal.set_position(slot, at);
                next
            }
            None => {
                self.by_principal
                    .insert(hash, a.principal, at, |p| hashing.hash_one(p));
                END
            }
        };
        let link = self.link(&a, next);
        self.all.push(a);
        self.links.push(link);
    }

    /// Removes the assignment with this id, and returns it.
    pub(super) fn remove(&mut self, id: &RoleAssignmentId) -> Option<RoleAssignment> {
        let hashing = self.hashing;
        let at = self
            .by_id
            .find_entry(hashing.hash_one(id), |i| self.all[*i as usize].id == *id)
            .ok()?
            .remove()
            .0;
        self.unchain(at);
        // The last assignment moves into the hole: what pointed at it points at its new place.
        let last = (self.all.len() - 1) as u32;
        if at != last {
            let moved = &self.all[last as usize];
            let (moved_id, moved_principal) = (moved.id, moved.principal);
            if let Some(i) = self
                .by_id
                .find_mut(hashing.hash_one(moved_id), |i| *i == last)
            {
                *i = at;
            }
            let first = self
                .by_principal
                .find(hashing.hash_one(moved_principal), moved_principal);
            match first {
                Some(slot) if self.by_principal.position(slot) == last => {
                    self.by_principal.set_position(slot, at)
                }
                Some(slot) => {
                    let mut p = self.by_principal.position(slot);
                    while self.links[p as usize].next != last {
                        p = self.links[p as usize].next;
                    }
                    self.links[p as usize].next = at;
                }
                None => {}
            }
        }
        let a = self.all.swap_remove(at as usize);
        self.links.swap_remove(at as usize);
        if a.principal_type == PrincipalType::Group {
            self.group_holders.remove();
        }
        // The scope goes with its last assignment (one holder here, one in `a`).
        if self.scopes.get(&a.scope).is_some_and(|s| s.holders() <= 2) {
            self.scopes.remove(&a.scope);
        }
        Some(a)
    }

    /// Takes the assignment at `at` out of its principal's chain.
    fn unchain(&mut self, at: u32) {
        let hashing = self.hashing;
        let principal = self.all[at as usize].principal;
        let after = self.links[at as usize].next;
        let Some(slot) = self
            .by_principal
            .find(hashing.hash_one(principal), principal)
        else {
            return;
        };
        let first = self.by_principal.position(slot);
        if first == at {
            if after == END {
                self.by_principal.remove(slot, |p| hashing.hash_one(p));
            } else {
                self.by_principal.set_position(slot, after);
            }
            return;
        }
        let mut p = first;
        while self.links[p as usize].next != at {
            p = self.links[p as usize].next;
        }
        self.links[p as usize].next = after;
    }

    /// Gives back what growing left unused, and forgets the group filter's removed assignments: after a
    /// partition is loaded.
    pub(super) fn compact(&mut self) {
        let hashing = self.hashing;
        self.all.shrink_to_fit();
        self.links.shrink_to_fit();
        let all = &self.all;
        self.by_id
            .shrink_to_fit(|i| hashing.hash_one(all[*i as usize].id));
        self.by_principal.shrink_to_fit(|p| hashing.hash_one(p));
        self.scopes.shrink_to_fit();
        self.group_holders = GroupFilter::default();
        for a in &self.all {
            if a.principal_type == PrincipalType::Group {
                self.group_holders.add(a.principal, a.scope.key());
            }
        }
        // The groups and roles still named, indexed again: those of removed assignments go.
        self.groups = Default::default();
        self.roles = Vec::new();
        self.role_index = Default::default();
        let all = std::mem::take(&mut self.all);
        for (at, a) in all.iter().enumerate() {
            self.links[at] = self.link(a, self.links[at].next);
        }
        self.all = all;
        self.groups.shrink_to_fit();
        self.roles.shrink_to_fit();
        self.role_index.shrink_to_fit();
    }
}

/// `key`'s index in `index`: the next one when it is new there.
fn index_of<K: std::hash::Hash + Eq>(
    index: &mut std::collections::HashMap<K, u32, IdHashing>,
    key: K,
) -> u32 {
    let fresh = index.len() as u32;
    *index.entry(key).or_insert(fresh)
}

/// The position of each principal's first assignment: an open-addressed table (linear probing) whose
/// slots hold the principal and the position. A lookup reads the slots from the hash's home onwards and
/// compares the principals there: it reads no assignment to learn whether a principal holds one here,
/// nor which chain is whose. A slot is twenty bytes, one per principal holding assignments in the
/// subscription (not per assignment). It replaced a table of eight-byte slots keeping part of the
/// principal's hash, which confirmed a chain by reading its first assignment: a cache miss on every
/// allowed check at a million assignments, half of a check's time (`benches/authz.rs`, its scale
/// figure). hashbrown's table, before it, read its control bytes, then the position, then the
/// assignment.
#[derive(Clone, Default)]
struct FirstPositions {
    slots: Vec<Slot>,
    len: usize,
}

#[derive(Clone, Copy)]
struct Slot {
    principal: ObjectId,
    /// `END` in an empty slot.
    position: u32,
}

impl Slot {
    const EMPTY: Slot = Slot {
        principal: ObjectId(uuid::Uuid::nil()),
        position: END,
    };
    fn is_empty(&self) -> bool {
        self.position == END
    }
}

impl FirstPositions {
    /// Where a hash's probe starts: its high half scaled to the table (no power of two needed).
    fn home(&self, hash: u64) -> usize {
        (((hash >> 32) * self.slots.len() as u64) >> 32) as usize
    }

    /// The slot of `principal`, whose hash is `hash`.
    fn find(&self, hash: u64, principal: ObjectId) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let mut i = self.home(hash);
        loop {
            let e = &self.slots[i];
            if e.is_empty() {
                return None;
            }
            if e.principal == principal {
                return Some(i);
            }
            i += 1;
            if i == self.slots.len() {
                i = 0;
            }
        }
    }

    fn position(&self, slot: usize) -> u32 {
        self.slots[slot].position
    }

    fn set_position(&mut self, slot: usize, position: u32) {
        self.slots[slot].position = position;
    }

    /// Adds an entry (its principal has none yet). `hash_of` gives a principal's hash, for a rebuild.
    fn insert(
        &mut self,
        hash: u64,
        principal: ObjectId,
        position: u32,
        hash_of: impl Fn(ObjectId) -> u64,
    ) {
        // At most three quarters full, so that a probe for an absent principal stays short.
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.rebuild((self.len + 1) * 2, &hash_of);
        }
        self.place(
            Slot {
                principal,
                position,
            },
            hash,
        );
        self.len += 1;
    }

    fn place(&mut self, entry: Slot, hash: u64) {
        let mut i = self.home(hash);
        while !self.slots[i].is_empty() {
            i += 1;
            if i == self.slots.len() {
                i = 0;
            }
        }
        self.slots[i] = entry;
    }

    /// Empties `slot`, moving back the entries after it that their probes would no longer reach.
    fn remove(&mut self, slot: usize, hash_of: impl Fn(ObjectId) -> u64) {
        let n = self.slots.len();
        self.slots[slot] = Slot::EMPTY;
        self.len -= 1;
        let mut hole = slot;
        let mut j = slot;
        loop {
            j = if j + 1 == n { 0 } else { j + 1 };
            let e = self.slots[j];
            if e.is_empty() {
                return;
            }
            let home = self.home(hash_of(e.principal));
            // The entry stays when its home lies cyclically after the hole, up to where it is.
            let stays = if hole <= j {
                hole < home && home <= j
            } else {
                hole < home || home <= j
            };
            if !stays {
                self.slots[hole] = e;
                self.slots[j] = Slot::EMPTY;
                hole = j;
            }
        }
    }

    /// A table of `capacity` slots (at least one more than the entries) holding the same entries.
    fn rebuild(&mut self, capacity: usize, hash_of: &impl Fn(ObjectId) -> u64) {
        let old = std::mem::replace(
            &mut self.slots,
            vec![Slot::EMPTY; capacity.max(self.len + 1)],
        );
        for e in old.into_iter().filter(|e| !e.is_empty()) {
            self.place(e, hash_of(e.principal));
        }
    }

    /// A table filled to about 60%: what a loaded subscription keeps.
    fn shrink_to_fit(&mut self, hash_of: impl Fn(ObjectId) -> u64) {
        let fit = self.len * 5 / 3 + 1;
        if fit < self.slots.len() {
            self.rebuild(fit, &hash_of);
        }
    }
}

/// The assignments of one principal in a subscription, following its chain.
pub(crate) struct Chain<'a> {
    of: &'a Assignments,
    at: u32,
}

impl<'a> Iterator for Chain<'a> {
    type Item = &'a RoleAssignment;
    fn next(&mut self) -> Option<&'a RoleAssignment> {
        if self.at == END {
            return None;
        }
        let i = self.at as usize;
        self.at = self.of.links[i].next;
        Some(&self.of.all[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::SubscriptionId;
    use crate::roles;

    /// A scope of the subscription: `rg{n}` for n below 5, the subscription at 5, a storage account in
    /// `rg{n - 6}` (a resource group of another case) above it.
    fn scope(sub: SubscriptionId, n: usize) -> Scope {
        match n {
            0..5 => Scope::resource_group(sub, &format!("rg{n}")),
            5 => Scope::subscription(sub),
            _ => Scope::resource(
                sub,
                &format!("RG{}", n - 6),
                "Microsoft.Storage",
                "storageAccounts/a",
            )
            .unwrap_or_else(|e| panic!("{e:?}")),
        }
    }

    fn assignment(sub: SubscriptionId, principal: ObjectId, n: usize) -> RoleAssignment {
        RoleAssignment {
            id: RoleAssignmentId::new(),
            subscription: sub,
            scope: scope(sub, n),
            principal,
            principal_type: PrincipalType::User,
            role_definition: roles::READER,
            description: None,
            created: 0,
            created_by: None,
        }
    }

    /// What the indexes answer equals what a scan of the assignments says, through inserts, replacements
    /// and removals in every position.
    #[test]
    fn the_indexes_follow_every_insert_replacement_and_removal() {
        follow_the_indexes(7, 3000);
    }

    /// The same with many principals, so that the table by principal grows, wraps around and moves
    /// entries back when one goes.
    #[test]
    fn the_index_by_principal_follows_many_principals() {
        follow_the_indexes(300, 4000);
    }

    fn follow_the_indexes(principal_count: usize, steps: usize) {
        let sub = SubscriptionId::new();
        let principals: Vec<ObjectId> = (0..principal_count).map(|_| ObjectId::new()).collect();
        let checks: Vec<Scope> = (0..9).map(|n| scope(sub, n)).collect();
        let roles = [roles::READER, roles::OWNER, roles::CONTRIBUTOR];
        let mut set = Assignments::default();
        let mut ids = Vec::new();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut draw = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for step in 0..steps {
            // Mostly inserts until half the steps are done, mostly removals after.
            let kind = if principal_count <= 10 || step < steps / 2 {
                draw(4)
            } else {
                [2, 2, 0, 3][draw(4)]
            };
            match kind {
                0 | 1 => {
                    let mut a = assignment(sub, principals[draw(principal_count)], draw(9));
                    a.role_definition = roles[draw(3)];
                    ids.push(a.id);
                    set.insert(a);
                }
                2 if !ids.is_empty() => {
                    let id = ids.swap_remove(draw(ids.len()));
                    let Some(gone) = set.remove(&id) else {
                        panic!("step {step}: {id} was there")
                    };
                    assert_eq!(gone.id, id);
                    assert!(set.remove(&id).is_none());
                }
                _ if !ids.is_empty() => {
                    // The same id again, for another principal at another scope: a replacement.
                    let id = ids[draw(ids.len())];
                    let mut a = assignment(sub, principals[draw(principal_count)], draw(9));
                    a.role_definition = roles[draw(3)];
                    a.id = id;
                    set.insert(a.clone());
                    assert_eq!(set.get(&id), Some(&a));
                }
                _ => {}
            }
            assert_eq!(set.len(), ids.len());
            for id in &ids {
                assert_eq!(set.get(id).map(|a| a.id), Some(*id));
            }
            if step % 500 == 0 {
                set.compact();
            }
            // A full comparison now and then with many principals: it is a scan per principal.
            if principal_count > 10 && step % 97 != 0 && step + 1 != steps {
                continue;
            }
            for p in &principals {
                let mut chained: Vec<RoleAssignmentId> = set.of(*p).map(|a| a.id).collect();
                let mut scanned: Vec<RoleAssignmentId> = set
                    .values()
                    .filter(|a| a.principal == *p)
                    .map(|a| a.id)
                    .collect();
                chained.sort();
                scanned.sort();
                assert_eq!(chained, scanned, "step {step}");
            }
            // A check finds a role of the principal's assignments that contain the scope it checks,
            // and no other: the links pass over none that they should read, and the scopes they decide
            // on without reading are the ones a comparison of the texts says contain it.
            for p in principals.iter().take(20) {
                for check in &checks {
                    for role in roles {
                        let granted = set.any_containing(*p, check, |r| r == role);
                        let scanned = set.values().any(|a| {
                            a.principal == *p
                                && a.scope.contains(check)
                                && a.role_definition == role
                        });
                        assert_eq!(granted, scanned, "step {step}, {check}, {role}");
                    }
                }
            }
            // One shared scope per distinct scope in use, and no other.
            let in_use: HashSet<&str> = set.values().map(|a| a.scope.key()).collect();
            assert_eq!(set.scopes.len(), in_use.len(), "step {step}");
        }
    }

    #[test]
    fn assignments_at_one_scope_share_its_text() {
        let sub = SubscriptionId::new();
        let mut set = Assignments::default();
        for _ in 0..3 {
            set.insert(assignment(sub, ObjectId::new(), 1));
        }
        let mut scopes = set.values().map(|a| &a.scope);
        let Some(first) = scopes.next() else {
            panic!("three assignments")
        };
        assert!(scopes.all(|s| s.holders() == first.holders() && s == first));
        assert_eq!(first.holders(), 4, "three assignments and the set");
    }

    /// Two principals whose probes start at the same slot: a check of the second, whose probe passes
    /// the first's slot, finds its own assignments and not the first's.
    #[test]
    fn a_check_tells_apart_principals_whose_probes_meet() {
        let sub = SubscriptionId::new();
        let first = ObjectId::new();
        for _ in 0..10_000 {
            let id = ObjectId::new();
            // The first holds the group, the second the subscription, so that neither's assignment
            // reaches the other's check.
            let mut set = Assignments::default();
            set.insert(assignment(sub, first, 1));
            set.insert(assignment(sub, id, 5));
            let home = |p: ObjectId| set.by_principal.home(set.hashing.hash_one(p));
            if home(first) != home(id) {
                continue;
            }
            let at_group = scope(sub, 1);
            assert!(set.any_containing(id, &at_group, |_| true));
            assert!(!set.any_containing(id, &scope(sub, 6), |_| false));
            assert!(set.any_containing(first, &at_group, |_| true));
            assert!(!set.any_containing(first, &scope(sub, 2), |_| true));
            assert!(!set.any_containing(first, &scope(sub, 5), |_| true));
            assert!(!set.any_containing(ObjectId::new(), &at_group, |_| true));
            return;
        }
        panic!("no two principals whose probes start at the same slot");
    }
}
