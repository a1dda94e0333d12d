//! What authorization asks of a tenant's hierarchy, derived from its groups, placements and
//! assignments at groups and kept beside them: each name a number (a slot), each slot's line up to the
//! root group, the slot each placed subscription is under, and each holder's assignments with the slot
//! they were made at. An inherited check is then a few comparisons of integers, not a walk up the
//! groups by name (measured in `benches/authz.rs` `hierarchy`: the walk by name gave 0.55 M checks/s,
//! most of it comparing names and looking groups up by name).
//!
//! Never stored. The setters of `TenantPart` (`world/hierarchy.rs`) keep it: placements and
//! assignments are filed as they change; the lines are worked out again, on the next check that needs
//! them, after a group is added, moved or removed (so loading 10,000 groups one by one stays linear).

use super::*;
use std::sync::OnceLock;

/// The root group's slot.
const ROOT_SLOT: u32 = 0;
/// The line of a subscription placed nowhere: the root group alone.
static ROOT_LINE: [u32; 1] = [ROOT_SLOT];

/// Where an assignment at a group was made, resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    /// The root scope `/`: everything in the tenant.
    RootScope,
    /// A group's slot (the root group's is [`ROOT_SLOT`]).
    Group(u32),
}

#[derive(Debug, Clone)]
pub(crate) struct HierarchyIndex {
    /// The slot of each name met (groups, where subscriptions are placed and where assignments are
    /// made), by lowercase name; not the root group's, which is [`ROOT_SLOT`].
    slots: HashMap<String, u32>,
    /// Each slot's name (the root's is empty: it is told by the tenant id).
    names: Vec<String>,
    /// For each slot, the slots from it up to the root group, nearest first: the names
    /// [`TenantPart::is_group_within`] visits. Worked out when first needed after a change of groups.
    lines: OnceLock<Vec<Vec<u32>>>,
    /// The slot of the group each placed subscription is under.
    placed: IdMap<SubscriptionId, u32>,
    /// Each holder's assignments at groups, in the order of its list, with where they were made.
    held: IdMap<ObjectId, Vec<(Reach, RoleDefinitionId)>>,
}

impl Default for HierarchyIndex {
    fn default() -> Self {
        Self {
            slots: HashMap::new(),
            names: vec![String::new()],
            lines: OnceLock::new(),
            placed: IdMap::default(),
            held: IdMap::default(),
        }
    }
}

/// Whether an assignment made at `reach` applies below the slots of `line`.
pub(crate) fn reaches(line: &[u32], reach: Reach) -> bool {
    match reach {
        Reach::RootScope => true,
        Reach::Group(slot) => line.contains(&slot),
    }
}

fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

impl TenantPart {
    /// The line of slots above a subscription: the group it is under, up to the root group.
    pub(crate) fn line_above(&self, subscription: SubscriptionId) -> &[u32] {
        let Some(slot) = self.hierarchy.placed.get(&subscription) else {
            return &ROOT_LINE;
        };
        self.hierarchy
            .lines
            .get_or_init(|| self.work_out_lines())
            .get(*slot as usize)
            .map_or(&[], Vec::as_slice)
    }

    /// A holder's assignments at groups and the root scope, resolved.
    pub(crate) fn held_at_groups(&self, holder: ObjectId) -> &[(Reach, RoleDefinitionId)] {
        self.hierarchy.held.get(&holder).map_or(&[], Vec::as_slice)
    }

    /// The slot of a name, giving it one when it has none yet.
    fn slot(&mut self, name: &str) -> u32 {
        let k = key(name);
        if self.is_root_group(&k) {
            return ROOT_SLOT;
        }
        if let Some(s) = self.hierarchy.slots.get(&k) {
            return *s;
        }
        let ix = &mut self.hierarchy;
        let slot = ix.names.len() as u32;
        ix.names.push(k.clone());
        ix.slots.insert(k, slot);
        // A name that was no slot's has no line yet.
        ix.lines = OnceLock::new();
        slot
    }

    /// Every slot's line, walking up the stored groups as [`TenantPart::is_group_within`] does: to the
    /// root group, to a name that is no stored group, or around a cycle (which the rules never write).
    /// A name without a slot ends the walk: no placement nor assignment names it.
    fn work_out_lines(&self) -> Vec<Vec<u32>> {
        let ix = &self.hierarchy;
        let slot_of = |name: &str| -> Option<u32> {
            if self.is_root_group(name) {
                Some(ROOT_SLOT)
            } else {
                ix.slots.get(&key(name)).copied()
            }
        };
        (0..ix.names.len() as u32)
            .map(|start| {
                let mut line = vec![start];
                let mut at = start;
                while at != ROOT_SLOT && line.len() <= MAX_MANAGEMENT_GROUPS {
                    let parent = match self.management_groups.get(&ix.names[at as usize]) {
                        None => break,
                        // Stored without a parent: directly under the root.
                        Some(g) => g.parent.as_deref().map_or(Some(ROOT_SLOT), slot_of),
                    };
                    match parent {
                        Some(p) if !line.contains(&p) => {
                            line.push(p);
                            at = p;
                        }
                        _ => break,
                    }
                }
                line
            })
            .collect()
    }

    /// Files every group, placement and assignment anew: after loading.
    pub(crate) fn rebuild_hierarchy(&mut self) {
        self.hierarchy = HierarchyIndex::default();
        let names: Vec<String> = self.management_groups.keys().cloned().collect();
        for name in names {
            self.slot(&name);
        }
        let placed: Vec<SubscriptionId> = self.subscription_parents.keys().copied().collect();
        for s in placed {
            self.reindex_placement(s);
        }
        let holders: Vec<ObjectId> = self.group_assignments.keys().copied().collect();
        for h in holders {
            self.reindex_holder(h);
        }
    }

    /// After a group is added, moved or removed: its name gets a slot, and every line is worked out
    /// again when next needed.
    pub(super) fn reindex_groups(&mut self, name: &str) {
        self.slot(name);
        self.hierarchy.lines = OnceLock::new();
    }

    /// Re-reads one holder's assignments at groups into the index.
    pub(super) fn reindex_holder(&mut self, holder: ObjectId) {
        let made_at: Vec<(String, RoleDefinitionId)> = self
            .group_assignments
            .get(&holder)
            .map(|list| {
                list.iter()
                    .map(|a| (a.management_group.clone(), a.role_definition))
                    .collect()
            })
            .unwrap_or_default();
        if made_at.is_empty() {
            self.hierarchy.held.remove(&holder);
            return;
        }
        let resolved = made_at
            .into_iter()
            .map(|(at, role)| {
                let reach = if at == ROOT_SCOPE {
                    Reach::RootScope
                } else {
                    Reach::Group(self.slot(&at))
                };
                (reach, role)
            })
            .collect();
        self.hierarchy.held.insert(holder, resolved);
    }

    /// Files where a subscription is placed.
    pub(super) fn reindex_placement(&mut self, subscription: SubscriptionId) {
        match self.subscription_parents.get(&subscription).cloned() {
            Some(g) => {
                let slot = self.slot(&g);
                self.hierarchy.placed.insert(subscription, slot);
            }
            None => {
                self.hierarchy.placed.remove(&subscription);
            }
        }
    }

    /// Whether the index says what the data says (checked with the invariants): each placed
    /// subscription's line names the groups a walk up from its parent meets, and each assignment at a
    /// group is filed under its holder at the slot of its group's name. Linear in the data.
    pub fn hierarchy_index_agrees(&self) -> bool {
        let ix = &self.hierarchy;
        let root = key(&self.root_group_name());
        let name_of = |slot: &u32| match ix.names.get(*slot as usize) {
            _ if *slot == ROOT_SLOT => root.as_str(),
            Some(n) => n.as_str(),
            None => "",
        };
        let slots_agree = ix
            .slots
            .iter()
            .all(|(k, s)| ix.names.get(*s as usize) == Some(k));
        let placements_agree = self.subscription_parents.iter().all(|(s, parent)| {
            let walked = std::iter::once(key(parent))
                .chain(self.group_ancestors(parent).into_iter().map(|a| key(&a)));
            self.line_above(*s).iter().map(name_of).eq(walked)
        });
        let assignments_agree = self.group_assignments.iter().all(|(h, list)| {
            let held = self.held_at_groups(*h);
            held.len() == list.len()
                && held.iter().zip(list).all(|((at, role), a)| {
                    *role == a.role_definition
                        && match at {
                            Reach::RootScope => a.management_group == ROOT_SCOPE,
                            Reach::Group(slot) => name_of(slot) == key(&a.management_group),
                        }
                })
        });
        slots_agree
            && placements_agree
            && assignments_agree
            && ix.placed.len() == self.subscription_parents.len()
            && ix.held.len() == self.group_assignments.len()
    }
}
