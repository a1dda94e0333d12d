//! Bytes per role assignment and per user in memory, at the world shapes (1k users with 10k
//! assignments, 10k with 100k, 100k with 1M; 10 resource groups per subscription, 4,000 assignments per
//! subscription at its resource groups), built the way the store loads a world: each row's scope parsed
//! from its text, each partition filled and then handed to the world's `replace_*`. A counting
//! allocator measures the live heap after each step; the process's resident set is printed beside it.
//! Run with `cargo bench -p tenantry-domain --bench memory` (`-- 1M` for one size).

// A bench is built with every dependency of its package, normal and dev, and uses a few of them:
// `unused_crate_dependencies` holds on the library, the binary and the test binaries instead.
#![allow(unused_crate_dependencies)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use tenantry_domain::world::TenantPart;
use tenantry_domain::*;

mod shared;
use shared::{Rng, subscription, tenant, user};

/// The system allocator, counting the bytes live.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` with the same arguments; the counter is a side effect.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: as the caller promised of `layout`.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` with this `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: as the caller promised of `layout`.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` with this `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// The resident set in MB, where Linux says (`/proc/self/statm`, in 4 KiB pages).
fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |pages| pages * 4096.0 / 1e6)
}

const PER_SUBSCRIPTION: usize = 4000;
const GROUPS_PER_SUBSCRIPTION: usize = 10;
/// An Argon2id hash's length, as world files carry them.
const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0123456789abcdefghijklmnopqrstuvwxyzABCDE";

/// One size: `users` users, then `assignments` assignments in subscriptions of 4,000.
fn run(label: &str, users: usize, assignments: usize) {
    let base = live();
    let rss_base = rss_mb();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut world = World::new();
    let tenant_id = TenantId::new();
    let mut part = TenantPart::new(tenant(tenant_id, "scale"));
    let t = Instant::now();
    let mut ids = Vec::with_capacity(users);
    for i in 0..users {
        let u = user(tenant_id, "scale.onmicrosoft.com", i, HASH);
        ids.push(u.id);
        part.users.insert(u.id, u);
    }
    world.replace_tenant(tenant_id, Some(part));
    // The ids kept by the bench are not the world's.
    let ids_bytes = ids.capacity() * std::mem::size_of::<ObjectId>();
    let after_users = live();
    let per_user = (after_users - base - ids_bytes) as f64 / users as f64;
    let owner = Identity::Organizational {
        tenant: tenant_id,
        user: ids[0],
    };
    let roles = [
        roles::OWNER,
        roles::CONTRIBUTOR,
        roles::READER,
        roles::USER_ACCESS_ADMINISTRATOR,
    ];
    let mut made = 0;
    let mut n = 0;
    while made < assignments {
        let (sid, mut sp) = subscription(tenant_id, owner, n, GROUPS_PER_SUBSCRIPTION);
        for _ in 0..PER_SUBSCRIPTION.min(assignments - made) {
            // As a row: the scope's text parsed, the creator's id.
            let text = format!(
                "/subscriptions/{sid}/resourceGroups/rg{}",
                rng.below(GROUPS_PER_SUBSCRIPTION)
            );
            let Ok(scope) = Scope::parse(&text) else {
                panic!("a valid scope: {text}")
            };
            sp.insert_assignment(RoleAssignment {
                id: RoleAssignmentId::new(),
                subscription: sid,
                scope,
                principal: ids[rng.below(users)],
                principal_type: PrincipalType::User,
                role_definition: roles[rng.below(roles.len())],
                description: None,
                created: 1_700_000_000,
                created_by: None,
            });
            made += 1;
        }
        world.replace_subscription(sid, Some(sp));
        n += 1;
    }
    let built = t.elapsed().as_secs_f64();
    let per_assignment = (live() - after_users) as f64 / assignments as f64;
    let total_mb = (live() - base - ids_bytes) as f64 / 1e6;
    println!(
        "memory {label}: {users} users, {assignments} assignments in {n} subscriptions: {per_user:.0} bytes per user, {per_assignment:.0} bytes per assignment (heap, indexes included), {total_mb:.0} MB in all, resident set +{:.0} MB; built in {built:.2} s (goal: ≤ 300 MB resident at 1M assignments and 100k users)",
        rss_mb() - rss_base
    );
    std::hint::black_box(&world);
}

/// Runs every size, or those named on the command line (`-- 10k 100k 1M`).
fn main() {
    let run_it = shared::wanted;
    for (label, users, assignments) in [
        ("10k", 1_000, 10_000),
        ("100k", 10_000, 100_000),
        ("1M", 100_000, 1_000_000),
    ] {
        if run_it(label) {
            run(label, users, assignments);
        }
    }
}
