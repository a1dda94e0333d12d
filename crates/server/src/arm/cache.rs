//! Rendered bodies of big lists, kept for the current revision of the world. A subscription's 4,000 role
//! assignments render to ~3 MB; every caller who may read assignments at the listed scope gets the same
//! text (the domain says when: `whole`), so it is rendered once per revision and shared (`Bytes` clones
//! are reference counts), and gzip-compressed once for the clients that accept it (the Azure CLI and
//! the SDKs do: ~3 MB become ~0.2 MB). Any write moves the revision on and empties the cache; nothing here
//! is needed by another instance, which keeps its own.

use axum::body::Bytes;
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

/// At most this many bodies per revision (distinct paths and queries).
const MAX_ENTRIES: usize = 64;

#[derive(Clone, Default)]
pub struct ArmCache {
    inner: Arc<Mutex<Entries>>,
}

#[derive(Default)]
struct Entries {
    revision: i64,
    bodies: HashMap<String, Rendered>,
}

/// A rendered body, and its gzip form once a client asked for it.
#[derive(Clone)]
pub struct Rendered {
    pub plain: Bytes,
    gzip: Arc<OnceLock<Bytes>>,
}

impl Rendered {
    pub fn new(plain: Bytes) -> Self {
        Rendered {
            plain,
            gzip: Arc::default(),
        }
    }

    /// The body gzip-compressed (fast level: JSON shrinks about tenfold even so), made once.
    pub fn gzip(&self) -> Bytes {
        self.gzip
            .get_or_init(|| {
                let mut e = flate2::write::GzEncoder::new(
                    Vec::with_capacity(self.plain.len() / 8),
                    flate2::Compression::fast(),
                );
                // Writing to memory cannot fail.
                let _ = e.write_all(&self.plain);
                Bytes::from(e.finish().unwrap_or_default())
            })
            .clone()
    }
}

impl ArmCache {
    /// The body rendered for `key` at exactly `revision`.
    pub fn get(&self, revision: i64, key: &str) -> Option<Rendered> {
        let e = self.inner.lock().ok()?;
        (e.revision == revision)
            .then(|| e.bodies.get(key).cloned())
            .flatten()
    }

    /// Keeps `body` for `key` at `revision`; a newer revision drops everything older.
    pub fn put(&self, revision: i64, key: String, body: Rendered) {
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

    fn body(s: &'static str) -> Rendered {
        Rendered::new(Bytes::from_static(s.as_bytes()))
    }

    #[test]
    fn keeps_bodies_of_the_latest_revision_only() {
        let c = ArmCache::default();
        c.put(1, "a".into(), body("one"));
        assert_eq!(c.get(1, "a").map(|r| r.plain).as_deref(), Some(&b"one"[..]));
        assert!(c.get(2, "a").is_none());
        c.put(2, "b".into(), body("two"));
        assert!(c.get(1, "a").is_none());
        c.put(1, "a".into(), body("stale"));
        assert!(c.get(1, "a").is_none(), "an older revision is not kept");
        assert_eq!(c.get(2, "b").map(|r| r.plain).as_deref(), Some(&b"two"[..]));
    }

    #[test]
    fn the_gzip_form_decompresses_to_the_body_and_is_made_once() {
        use std::io::Read;
        let r = Rendered::new(Bytes::from("{\"value\":[]}".repeat(1000)));
        let gz = r.gzip();
        assert!(gz.len() < r.plain.len() / 10);
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, r.plain);
        assert_eq!(
            r.clone().gzip().as_ptr(),
            gz.as_ptr(),
            "shared, not made again"
        );
    }
}
