//! Authorization checks per second on one core, at 100k and 1M role assignments, with latency
//! percentiles. Prints its figures; run with `cargo bench -p tenantry-domain --bench authz`.

// A bench is built with every dependency of its package, normal and dev, and uses a few of them:
// `unused_crate_dependencies` holds on the library, the binary and the test binaries instead.
#![allow(unused_crate_dependencies)]

use std::time::Instant;
use tenantry_domain::action::Action;
use tenantry_domain::world::{SubscriptionPart, TenantPart};
use tenantry_domain::*;

const PER_SUBSCRIPTION: usize = 4000;
const GROUPS_PER_SUBSCRIPTION: usize = 20;

/// A tiny deterministic generator (no dependency needed for a benchmark).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct Bench {
    world: World,
    users: Vec<ObjectId>,
    subscriptions: Vec<SubscriptionId>,
}

fn build(assignments: usize) -> Bench {
    let mut rng = Rng(0x9e3779b97f4a7c15);
    let mut world = World::new();
    let tenant_id = TenantId::new();
    let tenant = Tenant {
        id: tenant_id,
        name: "bench".into(),
        display_name: "Bench".into(),
        origin: TenantOrigin::Azure,
        initial_domain: "bench.onmicrosoft.com".into(),
        domains: vec![],
        policy: SubscriptionPolicy::default(),
        created: 0,
    };
    let mut part = TenantPart::new(tenant);
    // About three assignments per user, as in a busy directory.
    let user_count = (assignments / 3).max(1);
    let mut users = Vec::with_capacity(user_count);
    for i in 0..user_count {
        let id = ObjectId::new();
        part.users.insert(
            id,
            User {
                id,
                tenant: tenant_id,
                display_name: format!("u{i}"),
                enabled: true,
                kind: UserKind::Member {
                    upn: format!("u{i}@bench.onmicrosoft.com"),
                    mail: None,
                    password_hash: String::new(),
                },
                created: 0,
            },
        );
        users.push(id);
    }
    let owner = Identity::Organizational {
        tenant: tenant_id,
        user: users[0],
    };
    world.replace_tenant(tenant_id, Some(part));
    let roles = [
        roles::OWNER,
        roles::CONTRIBUTOR,
        roles::READER,
        roles::USER_ACCESS_ADMINISTRATOR,
    ];
    let mut subscriptions = Vec::new();
    let mut made = 0;
    while made < assignments {
        let sid = SubscriptionId::new();
        let mut sp = SubscriptionPart::new(Subscription {
            id: sid,
            display_name: format!("s{}", subscriptions.len()),
            state: SubscriptionState::Enabled,
            tenant: tenant_id,
            account_admin: owner,
            service_admin: owner,
            co_admins: vec![],
            created: 0,
        });
        for g in 0..GROUPS_PER_SUBSCRIPTION {
            let name = format!("rg{g}");
            sp.resource_groups.insert(
                name.clone(),
                ResourceGroup {
                    subscription: sid,
                    name,
                    location: "westeurope".into(),
                    tags: Default::default(),
                    managed_by: None,
                    created: 0,
                },
            );
        }
        for _ in 0..PER_SUBSCRIPTION.min(assignments - made) {
            let scope = if rng.below(4) == 0 {
                Scope::subscription(sid)
            } else {
                Scope::resource_group(sid, &format!("rg{}", rng.below(GROUPS_PER_SUBSCRIPTION)))
            };
            sp.insert_assignment(RoleAssignment {
                id: RoleAssignmentId::new(),
                subscription: sid,
                scope,
                principal: users[1 + rng.below(users.len() - 1)],
                principal_type: PrincipalType::User,
                role_definition: roles[rng.below(roles.len())],
                description: None,
                created: 0,
                created_by: None,
            });
            made += 1;
        }
        world.replace_subscription(sid, Some(sp));
        subscriptions.push(sid);
    }
    Bench {
        world,
        users,
        subscriptions,
    }
}

fn run(label: &str, assignments: usize) {
    let t = Instant::now();
    let b = build(assignments);
    eprintln!(
        "{label}: built {assignments} assignments in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    let actions = [
        Action::new("Microsoft.Resources/subscriptions/resourceGroups/read"),
        Action::new("Microsoft.Resources/subscriptions/resourceGroups/write"),
        Action::new("Microsoft.Authorization/roleAssignments/write"),
        Action::new("Microsoft.Storage/storageAccounts/listKeys/action"),
    ];
    // Pre-build the queries so that only the checks are timed.
    let mut rng = Rng(42);
    let queries: Vec<(ObjectId, Scope, usize)> = (0..200_000)
        .map(|_| {
            let sid = b.subscriptions[rng.below(b.subscriptions.len())];
            let scope =
                Scope::resource_group(sid, &format!("rg{}", rng.below(GROUPS_PER_SUBSCRIPTION)));
            (
                b.users[1 + rng.below(b.users.len() - 1)],
                scope,
                rng.below(actions.len()),
            )
        })
        .collect();
    let rounds = 10;
    let mut allowed = 0usize;
    let start = Instant::now();
    for _ in 0..rounds {
        for (p, s, a) in &queries {
            if b.world.is_allowed(*p, &actions[*a], s) {
                allowed += 1;
            }
        }
    }
    let elapsed = start.elapsed();
    let checks = queries.len() * rounds;
    let per_sec = checks as f64 / elapsed.as_secs_f64();
    // Latency of single checks.
    let mut lat: Vec<u64> = queries
        .iter()
        .map(|(p, s, a)| {
            let t = Instant::now();
            std::hint::black_box(b.world.is_allowed(*p, &actions[*a], s));
            t.elapsed().as_nanos() as u64
        })
        .collect();
    lat.sort_unstable();
    let pct = |q: f64| lat[((lat.len() as f64 * q) as usize).min(lat.len() - 1)];
    println!(
        "authz {label}: {assignments} assignments, {:.0} checks/s on one core ({:.1}% allowed); latency p50 {} ns, p99 {} ns, p99.9 {} ns, max {} ns",
        per_sec,
        100.0 * allowed as f64 / checks as f64,
        pct(0.50),
        pct(0.99),
        pct(0.999),
        lat[lat.len() - 1]
    );
}

fn main() {
    run("100k", 100_000);
    run("1M", 1_000_000);
}
