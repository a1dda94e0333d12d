//! Authorization checks per second on one core, at 100k and 1M role assignments, with groups (100k
//! assignments of which half to groups, 20k groups nested up to depth 5, 100k users in about ten groups
//! each), and with a hierarchy of management groups (1,000 in six levels above 1,000 subscriptions,
//! assignments at groups inherited below), with latency percentiles. Prints its figures next to the
//! goals; run with `cargo bench -p tenantry-domain --bench authz`.

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

fn tenant(id: TenantId) -> Tenant {
    Tenant {
        id,
        name: "bench".into(),
        display_name: "Bench".into(),
        origin: TenantOrigin::Azure,
        initial_domain: "bench.onmicrosoft.com".into(),
        domains: vec![],
        policy: SubscriptionPolicy::default(),
        created: 0,
    }
}

fn user(tenant: TenantId, i: usize) -> User {
    User {
        given_name: None,
        surname: None,
        id: ObjectId::new(),
        tenant,
        display_name: format!("u{i}"),
        enabled: true,
        kind: UserKind::Member {
            upn: format!("u{i}@bench.onmicrosoft.com"),
            mail: None,
            password_hash: String::new(),
        },
        created: 0,
    }
}

/// A subscription of `tenant` with its resource groups (`rg0`, `rg1`, …).
fn subscription(tenant: TenantId, owner: Identity, n: usize) -> (SubscriptionId, SubscriptionPart) {
    let sid = SubscriptionId::new();
    let mut sp = SubscriptionPart::new(Subscription {
        id: sid,
        display_name: format!("s{n}"),
        state: SubscriptionState::Enabled,
        tenant,
        account_admin: owner,
        service_admin: owner,
        co_admins: vec![],
        tags: Default::default(),
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
    (sid, sp)
}

/// A built-in role for `principal` at the subscription (one in four) or one of its resource groups.
fn assignment(
    sid: SubscriptionId,
    rng: &mut Rng,
    principal: ObjectId,
    principal_type: PrincipalType,
) -> RoleAssignment {
    let roles = [
        roles::OWNER,
        roles::CONTRIBUTOR,
        roles::READER,
        roles::USER_ACCESS_ADMINISTRATOR,
    ];
    let scope = if rng.below(4) == 0 {
        Scope::subscription(sid)
    } else {
        Scope::resource_group(sid, &format!("rg{}", rng.below(GROUPS_PER_SUBSCRIPTION)))
    };
    RoleAssignment {
        id: RoleAssignmentId::new(),
        subscription: sid,
        scope,
        principal,
        principal_type,
        role_definition: roles[rng.below(roles.len())],
        description: None,
        created: 0,
        created_by: None,
    }
}

fn build(assignments: usize) -> Bench {
    let mut rng = Rng(0x9e3779b97f4a7c15);
    let mut world = World::new();
    let tenant_id = TenantId::new();
    let mut part = TenantPart::new(tenant(tenant_id));
    // About three assignments per user, as in a busy directory.
    let user_count = (assignments / 3).max(1);
    let mut users = Vec::with_capacity(user_count);
    for i in 0..user_count {
        let u = user(tenant_id, i);
        users.push(u.id);
        part.users.insert(u.id, u);
    }
    let owner = Identity::Organizational {
        tenant: tenant_id,
        user: users[0],
    };
    world.replace_tenant(tenant_id, Some(part));
    let mut subscriptions = Vec::new();
    let mut made = 0;
    while made < assignments {
        let (sid, mut sp) = subscription(tenant_id, owner, subscriptions.len());
        for _ in 0..PER_SUBSCRIPTION.min(assignments - made) {
            let principal = users[1 + rng.below(users.len() - 1)];
            sp.insert_assignment(assignment(sid, &mut rng, principal, PrincipalType::User));
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

fn actions() -> [Action; 4] {
    [
        Action::new("Microsoft.Resources/subscriptions/resourceGroups/read"),
        Action::new("Microsoft.Resources/subscriptions/resourceGroups/write"),
        Action::new("Microsoft.Authorization/roleAssignments/write"),
        Action::new("Microsoft.Storage/storageAccounts/listKeys/action"),
    ]
}

/// The CPU time of the calling thread in seconds, where Linux says (`/proc/thread-self/stat`: utime and
/// stime, the 12th and 13th fields after the command name, in ticks of 1/100 s).
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// 200,000 checks of random principals at random resource groups: their rate over ten rounds on one
/// core, then the latency of each alone.
fn measure(
    label: &str,
    what: &str,
    world: &World,
    principals: &[ObjectId],
    subs: &[SubscriptionId],
    goal: &str,
) {
    let actions = actions();
    // Pre-build the queries so that only the checks are timed.
    let mut rng = Rng(42);
    let queries: Vec<(ObjectId, Scope, usize)> = (0..200_000)
        .map(|_| {
            let sid = subs[rng.below(subs.len())];
            let scope =
                Scope::resource_group(sid, &format!("rg{}", rng.below(GROUPS_PER_SUBSCRIPTION)));
            (
                principals[rng.below(principals.len())],
                scope,
                rng.below(actions.len()),
            )
        })
        .collect();
    let rounds = 10;
    let mut allowed = 0usize;
    let cpu = thread_cpu_seconds();
    let start = Instant::now();
    for _ in 0..rounds {
        for (p, s, a) in &queries {
            if world.is_allowed(*p, &actions[*a], s) {
                allowed += 1;
            }
        }
    }
    let elapsed = start.elapsed();
    let cpu = cpu.zip(thread_cpu_seconds()).map(|(a, b)| b - a);
    let checks = queries.len() * rounds;
    let per_sec = checks as f64 / elapsed.as_secs_f64();
    // On a machine shared with other work the thread is descheduled now and then: the rate per second
    // of its own CPU time is what one core does.
    let per_cpu_sec = cpu
        .filter(|c| *c > 0.0)
        .map(|c| {
            format!(
                ", {:.0} per second of this thread's CPU time",
                checks as f64 / c
            )
        })
        .unwrap_or_default();
    // Latency of single checks.
    let mut lat: Vec<u64> = queries
        .iter()
        .map(|(p, s, a)| {
            let t = Instant::now();
            std::hint::black_box(world.is_allowed(*p, &actions[*a], s));
            t.elapsed().as_nanos() as u64
        })
        .collect();
    lat.sort_unstable();
    let pct = |q: f64| lat[((lat.len() as f64 * q) as usize).min(lat.len() - 1)];
    println!(
        "authz {label}: {what}, {:.0} checks/s on one core{per_cpu_sec} ({:.1}% allowed); latency p50 {} ns, p99 {} ns, p99.9 {} ns, max {} ns ({goal})",
        per_sec,
        100.0 * allowed as f64 / checks as f64,
        pct(0.50),
        pct(0.99),
        pct(0.999),
        lat[lat.len() - 1]
    );
}

fn run(label: &str, assignments: usize) {
    let t = Instant::now();
    let b = build(assignments);
    eprintln!(
        "{label}: built {assignments} assignments in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    measure(
        label,
        &format!("{assignments} assignments"),
        &b.world,
        &b.users[1..],
        &b.subscriptions,
        "goal ≥ 1 M/s and p99 ≤ 10 µs at 100k, ≥ 500 k/s at 1M",
    );
}

const GROUPS: usize = 20_000;
const GROUP_LEVELS: usize = 5;
const GROUP_USERS: usize = 100_000;
const GROUPS_PER_USER: usize = 10;

/// The groups figure: 100k users, each directly in ten groups; 20k groups in five levels, each below
/// the top level a member of one group of the level above (one in five of two), so nesting goes five
/// deep; 100k assignments in 25 subscriptions, half of them to groups.
fn run_groups() {
    let started = Instant::now();
    let mut rng = Rng(0x2545f4914f6cdd1d);
    let mut world = World::new();
    let tenant_id = TenantId::new();
    let mut part = TenantPart::new(tenant(tenant_id));
    let users: Vec<ObjectId> = (0..GROUP_USERS)
        .map(|i| {
            let u = user(tenant_id, i);
            let id = u.id;
            part.users.insert(id, u);
            id
        })
        .collect();
    let groups: Vec<ObjectId> = (0..GROUPS)
        .map(|i| {
            let id = ObjectId::new();
            part.groups.insert(
                id,
                Group {
                    id,
                    tenant: tenant_id,
                    display_name: format!("g{i}"),
                    description: None,
                    mail_nickname: format!("g{i}"),
                    security_enabled: true,
                    role_assignable: false,
                    created: 0,
                },
            );
            id
        })
        .collect();
    let per_level = GROUPS / GROUP_LEVELS;
    for level in 1..GROUP_LEVELS {
        for i in 0..per_level {
            let g = groups[level * per_level + i];
            let above = (level - 1) * per_level;
            part.group_members
                .insert((groups[above + rng.below(per_level)], g));
            if rng.below(5) == 0 {
                part.group_members
                    .insert((groups[above + rng.below(per_level)], g));
            }
        }
    }
    for u in &users {
        for _ in 0..GROUPS_PER_USER {
            part.group_members.insert((groups[rng.below(GROUPS)], *u));
        }
    }
    let memberships = part.group_members.len();
    let owner = Identity::Organizational {
        tenant: tenant_id,
        user: users[0],
    };
    let t = Instant::now();
    world.replace_tenant(tenant_id, Some(part));
    let index = t.elapsed().as_secs_f64();
    let reach: usize = world
        .tenant(tenant_id)
        .map(|p| users.iter().map(|u| p.groups_of(*u).len()).sum())
        .unwrap_or(0);
    let mut subscriptions = Vec::new();
    for s in 0..25 {
        let (sid, mut sp) = subscription(tenant_id, owner, s);
        for _ in 0..PER_SUBSCRIPTION {
            let to_group = rng.below(2) == 0;
            let (principal, principal_type) = if to_group {
                (groups[rng.below(GROUPS)], PrincipalType::Group)
            } else {
                (users[rng.below(users.len())], PrincipalType::User)
            };
            sp.insert_assignment(assignment(sid, &mut rng, principal, principal_type));
        }
        world.replace_subscription(sid, Some(sp));
        subscriptions.push(sid);
    }
    eprintln!(
        "groups: built in {:.1}s; the membership index of {memberships} memberships in {index:.2}s",
        started.elapsed().as_secs_f64()
    );
    measure(
        "groups",
        &format!(
            "100000 assignments (half to {GROUPS} groups nested {GROUP_LEVELS} deep), {GROUP_USERS} users in {GROUPS_PER_USER} groups each ({:.1} groups each through nesting)",
            reach as f64 / users.len() as f64
        ),
        &world,
        &users,
        &subscriptions,
        "goal ≥ 500 k/s, p99 ≤ 20 µs",
    );
}

const MANAGEMENT_GROUPS: usize = 1_000;
/// Groups per level below the root: six levels, 1,000 in all.
const MG_LEVELS: [usize; 6] = [10, 40, 100, 200, 300, 350];
const HIERARCHY_SUBSCRIPTIONS: usize = 1_000;
const HIERARCHY_USERS: usize = 30_000;

/// The hierarchy figure: 1,000 management groups in six levels below the root, 1,000 subscriptions each
/// under a random group with 100 assignments of their own, and 2,000 assignments at random groups (and a
/// few at the root group) to random users, which reach every subscription below them.
fn run_hierarchy() {
    let t = Instant::now();
    let mut rng = Rng(0x51a7_e5ee_d00d_f00d);
    let mut world = World::new();
    let tenant_id = TenantId::new();
    let mut part = TenantPart::new(tenant(tenant_id));
    let users: Vec<ObjectId> = (0..HIERARCHY_USERS)
        .map(|i| {
            let u = user(tenant_id, i);
            let id = u.id;
            part.users.insert(id, u);
            id
        })
        .collect();
    let mut levels: Vec<Vec<String>> = Vec::new();
    for (depth, count) in MG_LEVELS.iter().enumerate() {
        let names: Vec<String> = (0..*count).map(|i| format!("mg{depth}-{i}")).collect();
        for name in &names {
            let parent = levels
                .last()
                .map(|above| above[rng.below(above.len())].clone());
            part.management_groups.insert(
                name.clone(),
                ManagementGroup {
                    tenant: tenant_id,
                    name: name.clone(),
                    display_name: name.clone(),
                    parent,
                    updated: 0,
                    updated_by: String::new(),
                },
            );
        }
        levels.push(names);
    }
    assert_eq!(part.management_group_count(), MANAGEMENT_GROUPS);
    let all: Vec<String> = levels.concat();
    let roles = [roles::OWNER, roles::CONTRIBUTOR, roles::READER];
    for i in 0..2_000 {
        let at = if i % 500 == 0 {
            tenant_id.to_string()
        } else {
            all[rng.below(all.len())].clone()
        };
        part.put_group_assignment(ManagementGroupRoleAssignment {
            id: RoleAssignmentId::new(),
            tenant: tenant_id,
            management_group: at,
            principal: users[rng.below(users.len())],
            principal_type: PrincipalType::User,
            role_definition: roles[rng.below(roles.len())],
            created: 0,
        });
    }
    let owner = Identity::Organizational {
        tenant: tenant_id,
        user: users[0],
    };
    let mut subs = Vec::with_capacity(HIERARCHY_SUBSCRIPTIONS);
    let mut parts = Vec::with_capacity(HIERARCHY_SUBSCRIPTIONS);
    for n in 0..HIERARCHY_SUBSCRIPTIONS {
        let (sid, mut sp) = subscription(tenant_id, owner, n);
        for _ in 0..100 {
            let principal = users[1 + rng.below(users.len() - 1)];
            sp.insert_assignment(assignment(sid, &mut rng, principal, PrincipalType::User));
        }
        part.subscription_parents
            .insert(sid, all[rng.below(all.len())].clone());
        subs.push(sid);
        parts.push((sid, sp));
    }
    world.replace_tenant(tenant_id, Some(part));
    for (sid, sp) in parts {
        world.replace_subscription(sid, Some(sp));
    }
    eprintln!(
        "hierarchy: built {MANAGEMENT_GROUPS} management groups and {HIERARCHY_SUBSCRIPTIONS} subscriptions in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    measure(
        "hierarchy",
        "6 levels, 1,000 management groups, 1,000 subscriptions, 2,000 assignments at groups",
        &world,
        &users[1..],
        &subs,
        "goal ≥ 1 M/s, p99 ≤ 10 µs",
    );
}

/// Runs every figure, or those named on the command line (`-- 100k 1M groups hierarchy`).
fn main() {
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let run_it = |label: &str| wanted.is_empty() || wanted.iter().any(|w| w == label);
    if run_it("100k") {
        run("100k", 100_000);
    }
    if run_it("1M") {
        run("1M", 1_000_000);
    }
    if run_it("groups") {
        run_groups();
    }
    if run_it("hierarchy") {
        run_hierarchy();
    }
}
