//! Members by UPN, without a second copy of every UPN: an entry holds the user's place and the hash of
//! the lowercase UPN, and a lookup compares the UPN kept in the user itself. At 100k users the copies
//! (a `String` key and its text) were about 50 bytes per user.

use crate::ids::{ObjectId, TenantId};
use hashbrown::HashTable;
use std::hash::{BuildHasher, RandomState};

/// Where a user is kept: its tenant and object id.
pub(super) type Place = (TenantId, ObjectId);

#[derive(Clone, Copy)]
struct Entry {
    /// The hash of the lowercase UPN, kept so that growing the table needs no user.
    hash: u64,
    place: Place,
}

#[derive(Clone, Default)]
pub(super) struct UpnIndex {
    table: HashTable<Entry>,
    /// Random keys, so that no one can choose UPNs that collide.
    hashing: RandomState,
}

impl std::fmt::Debug for UpnIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UpnIndex({} members)", self.table.len())
    }
}

impl UpnIndex {
    /// The member whose UPN, lowercase, is `key` (already lowercase); `upn_of` reads a user's UPN.
    pub(super) fn get<'a>(
        &self,
        key: &str,
        upn_of: impl Fn(Place) -> Option<&'a str>,
    ) -> Option<Place> {
        let hash = self.hashing.hash_one(key);
        self.table
            .find(hash, |e| e.hash == hash && same(upn_of(e.place), key))
            .map(|e| e.place)
    }

    /// Indexes `place` under `upn`; a member indexed under the same UPN before is replaced (the last
    /// indexed wins, as a map keyed by UPN did).
    pub(super) fn insert<'a>(
        &mut self,
        upn: &str,
        place: Place,
        upn_of: impl Fn(Place) -> Option<&'a str>,
    ) {
        let key = upn.to_lowercase();
        let hash = self.hashing.hash_one(key.as_str());
        let entry = Entry { hash, place };
        match self.table.entry(
            hash,
            |e| e.hash == hash && (e.place == place || same(upn_of(e.place), &key)),
            |e| e.hash,
        ) {
            hashbrown::hash_table::Entry::Occupied(mut o) => *o.get_mut() = entry,
            hashbrown::hash_table::Entry::Vacant(v) => {
                v.insert(entry);
            }
        }
    }

    /// Forgets `place` under `upn`, if it is the member indexed there.
    pub(super) fn remove(&mut self, upn: &str, place: Place) {
        let hash = self.hashing.hash_one(upn.to_lowercase().as_str());
        if let Ok(o) = self
            .table
            .find_entry(hash, |e| e.hash == hash && e.place == place)
        {
            o.remove();
        }
    }
}

/// Whether a user's UPN, lowercase, is `key`.
fn same(upn: Option<&str>, key: &str) -> bool {
    upn.is_some_and(|u| u.to_lowercase() == key)
}
