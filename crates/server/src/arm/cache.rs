//! Rendered bodies of big lists, kept for the current revision of the world. A subscription's 4,000 role
//! assignments render to ~3 MB; every caller who may read assignments at the listed scope gets the same
//! text (the domain says when: `whole`), so it is rendered once per revision and shared (`Bytes` clones
//! are reference counts). Any write moves the revision on and empties the cache; nothing here is needed
//! by another instance, which keeps its own.

use axum::body::Bytes;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// At most this many bodies per revision (distinct paths and queries).
const MAX_ENTRIES: usize = 64;

#[derive(Clone, Default)]
pub struct ArmCache {
    inner: Arc<Mutex<Entries>>,
}

#[derive(Default)]
struct Entries {
    revision: i64,
    bodies: HashMap<String, Bytes>,
}

impl ArmCache {
    /// The body rendered for `key` at exactly `revision`.
    pub fn get(&self, revision: i64, key: &str) -> Option<Bytes> {
        let e = self.inner.lock().ok()?;
        (e.revision == revision)
            .then(|| e.bodies.get(key).cloned())
            .flatten()
    }

    /// Keeps `body` for `key` at `revision`; a newer revision drops everything older.
    pub fn put(&self, revision: i64, key: String, body: Bytes) {
        let Ok(mut e) = self.inner.lock() else { return };
        if revision > e.revision {
            e.revision = revision;
            e.bodies.clear();
        }
        if revision == e.revision && e.bodies.len() < MAX_ENTRIES {
            e.bodies.insert(key, body);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_bodies_of_the_latest_revision_only() {
        let c = ArmCache::default();
        c.put(1, "a".into(), Bytes::from_static(b"one"));
        assert_eq!(c.get(1, "a").as_deref(), Some(&b"one"[..]));
        assert_eq!(c.get(2, "a"), None);
        c.put(2, "b".into(), Bytes::from_static(b"two"));
        assert_eq!(c.get(1, "a"), None);
        c.put(1, "a".into(), Bytes::from_static(b"stale"));
        assert_eq!(c.get(1, "a"), None, "an older revision is not kept");
        assert_eq!(c.get(2, "b").as_deref(), Some(&b"two"[..]));
    }
}
