//! Authorization checks per second on one core, at 100k and 1M role assignments (ten per user; half of
//! the checks allowed, as users see them, half random and mostly refused), with groups (100k
//! assignments of which half to groups, 20k groups nested up to depth 5, 100k users in about ten groups
//! each), and with a hierarchy of management groups (1,000 in six levels above 1,000 subscriptions,
//! assignments at groups inherited below), with latency percentiles. Prints its figures next to the
//! goals; run with `cargo bench -p tenantry-domain --bench authz`.

// A bench is built with every dependency of its package, normal and dev, and uses a few of them:
// `unused_crate_dependencies` holds on the library, the binary and the test binaries instead.
#![allow(unused_crate_dependencies)]

use std::time::Instant;
use tenantry_domain::action::Action;
use tenantry_domain::scope::ScopeLevel;
use tenantry_domain::world::TenantPart;
use tenantry_domain::*;

mod shared;
use shared::{Rng, subscription as subscription_with, tenant as tenant_named, user as user_of};

fn tenant(id: TenantId) -> Tenant {
    tenant_named(id, "bench")
}

fn user(tenant: TenantId, i: usize) -> User {
    user_of(tenant, "bench.onmicrosoft.com", i, "")
}

/// A subscription of `tenant` with its resource groups (`rg0`, `rg1`, …).
fn subscription(
    tenant: TenantId,
    owner: Identity,
    n: usize,
) -> (SubscriptionId, tenantry_domain::world::SubscriptionPart) {
    subscription_with(tenant, owner, n, GROUPS_PER_SUBSCRIPTION)
}

const PER_SUBSCRIPTION: usize = 4000;
const GROUPS_PER_SUBSCRIPTION: usize = 20;

struct Bench {
    world: World,
    users: Vec<ObjectId>,
    subscriptions: Vec<SubscriptionId>,
}

fn security_group(tenant: TenantId, name: String) -> Group {
    Group {
        id: ObjectId::new(),
        tenant,
        display_name: name.clone(),
        description: None,
        mail_nickname: name,
        security_enabled: true,
        role_assignable: false,
        created: 0,
    }
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
    // Ten assignments per user, as in the world (100k users for 1M assignments).
    let user_count = (assignments / 10).max(2);
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

fn actions() -> [Action; ACTIONS] {
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

/// The scope of each resource group the checks are at, built once and shared by the checks there. A
/// server checks a request's scope right after reading it from the request's path, so its text is in
/// the processor's cache; 200,000 scopes built ahead, each its own allocation, made every check wait on
/// memory twice for its own scope (once for the scope, once for its text): an eighth of a check's time
/// in the scale figure, a cost no request pays.
#[derive(Default)]
struct Scopes(std::collections::HashMap<(SubscriptionId, usize), Scope>);

impl Scopes {
    fn resource_group(&mut self, sid: SubscriptionId, n: usize) -> Scope {
        self.0
            .entry((sid, n))
            .or_insert_with(|| Scope::resource_group(sid, &format!("rg{n}")))
            .clone()
    }
}

/// 200,000 checks of random principals at random resource groups with random actions.
fn random_queries(principals: &[ObjectId], subs: &[SubscriptionId]) -> Vec<Query> {
    let mut rng = Rng(42);
    let mut scopes = Scopes::default();
    (0..200_000)
        .map(|_| {
            let sid = subs[rng.below(subs.len())];
            let scope = scopes.resource_group(sid, rng.below(GROUPS_PER_SUBSCRIPTION));
            (
                principals[rng.below(principals.len())],
                scope,
                rng.below(ACTIONS),
            )
        })
        .collect()
}

/// A check to time: who, where, and which of [`actions`].
type Query = (ObjectId, Scope, usize);
const ACTIONS: usize = 4;

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
    // Pre-build the queries so that only the checks are timed.
    measure_queries(label, what, world, &random_queries(principals, subs), goal);
}

/// The rate of `queries` over ten rounds on one core, then the latency of each alone.
fn measure_queries(label: &str, what: &str, world: &World, queries: &[Query], goal: &str) {
    let actions = actions();
    let rounds = 10;
    let mut allowed = 0usize;
    let cpu = thread_cpu_seconds();
    let start = Instant::now();
    for _ in 0..rounds {
        for (p, s, a) in queries {
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

/// Half of [`random_queries`] (mostly refused) and half of checks that an assignment allows, as users
/// see them: the holder of a random assignment reading at a resource group inside its scope (every
/// role the bench assigns grants reading).
fn half_allowed_queries(b: &Bench) -> Vec<Query> {
    let assignments: Vec<&RoleAssignment> = b
        .subscriptions
        .iter()
        .filter_map(|s| b.world.subscription(*s))
        .flat_map(|p| p.assignments.values())
        .collect();
    let mut rng = Rng(7);
    let mut scopes = Scopes::default();
    random_queries(&b.users[1..], &b.subscriptions)
        .into_iter()
        .enumerate()
        .map(|(i, random)| {
            if i % 2 == 1 {
                return random;
            }
            let a = assignments[rng.below(assignments.len())];
            let scope = match a.scope.level() {
                ScopeLevel::Subscription => {
                    scopes.resource_group(a.subscription, rng.below(GROUPS_PER_SUBSCRIPTION))
                }
                _ => a.scope.clone(),
            };
            (a.principal, scope, 0)
        })
        .collect()
}

fn run(label: &str, assignments: usize) {
    let t = Instant::now();
    let b = build(assignments);
    eprintln!(
        "{label}: built {assignments} assignments in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    measure_queries(
        label,
        &format!(
            "{assignments} assignments, {} users, half of the checks by a holder inside its assignment's scope",
            b.users.len()
        ),
        &b.world,
        &half_allowed_queries(&b),
        "goal ≥ 1 M/s and p99 ≤ 10 µs at 100k; ≥ 3 M/s and p99 ≤ 2 µs at 1M",
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
            let g = security_group(tenant_id, format!("g{i}"));
            let id = g.id;
            part.groups.insert(id, g);
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
/// Security groups of the directory, and how many of them each user is in.
const SECURITY_GROUPS: usize = 500;
const SECURITY_GROUPS_PER_USER: usize = 3;
/// Role assignments at each management group: half to users, half to security groups.
const ASSIGNMENTS_PER_MG: usize = 4;

/// The hierarchy figure: 1,000 management groups in six levels below the root, 1,000 subscriptions each
/// under a random group with 100 assignments of their own, 30,000 users each in three of 500 security
/// groups, and four assignments at every group (two to users, two to security groups; one at the root
/// scope), which reach every subscription below them. Half the checks are of a holder of an assignment
/// at a group above the subscription (at a random depth, the holder a user or a member of the security
/// group), reading; the other half of random users doing random things anywhere, as in `measure`.
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
    let security_groups: Vec<ObjectId> = (0..SECURITY_GROUPS)
        .map(|i| {
            let g = security_group(tenant_id, format!("sg{i}"));
            let id = g.id;
            part.groups.insert(id, g);
            id
        })
        .collect();
    let mut members: Vec<Vec<ObjectId>> = vec![Vec::new(); SECURITY_GROUPS];
    for u in &users {
        for _ in 0..SECURITY_GROUPS_PER_USER {
            let g = rng.below(SECURITY_GROUPS);
            if part.group_members.insert((security_groups[g], *u)) {
                members[g].push(*u);
            }
        }
    }
    // Each group's parent (`None` under the root), to find the groups above a subscription.
    let mut parent_of: std::collections::HashMap<String, Option<String>> = Default::default();
    let mut levels: Vec<Vec<String>> = Vec::new();
    for (depth, count) in MG_LEVELS.iter().enumerate() {
        let names: Vec<String> = (0..*count).map(|i| format!("mg{depth}-{i}")).collect();
        for name in &names {
            let parent = levels
                .last()
                .map(|above| above[rng.below(above.len())].clone());
            parent_of.insert(name.clone(), parent.clone());
            part.put_management_group(ManagementGroup {
                tenant: tenant_id,
                name: name.clone(),
                display_name: name.clone(),
                parent,
                updated: 0,
                updated_by: String::new(),
            });
        }
        levels.push(names);
    }
    assert_eq!(part.management_group_count(), MANAGEMENT_GROUPS);
    let all: Vec<String> = levels.concat();
    let roles = [roles::OWNER, roles::CONTRIBUTOR, roles::READER];
    // Who holds an assignment at each group: (principal, whether it is a security group's index).
    let mut holders: std::collections::HashMap<String, Vec<(ObjectId, Option<usize>)>> =
        Default::default();
    let mut at_groups = 0;
    let mut assign = |part: &mut TenantPart, rng: &mut Rng, at: String, i: usize| {
        let (principal, principal_type, group) = if i.is_multiple_of(2) {
            (users[rng.below(users.len())], PrincipalType::User, None)
        } else {
            let g = rng.below(SECURITY_GROUPS);
            (security_groups[g], PrincipalType::Group, Some(g))
        };
        holders
            .entry(at.clone())
            .or_default()
            .push((principal, group));
        part.put_group_assignment(ManagementGroupRoleAssignment {
            id: RoleAssignmentId::new(),
            tenant: tenant_id,
            management_group: at,
            principal,
            principal_type,
            role_definition: roles[rng.below(roles.len())],
            created: 0,
        });
        at_groups += 1;
    };
    for name in &all {
        for i in 0..ASSIGNMENTS_PER_MG {
            assign(&mut part, &mut rng, name.clone(), i);
        }
    }
    assign(&mut part, &mut rng, ROOT_SCOPE.to_string(), 0);
    let owner = Identity::Organizational {
        tenant: tenant_id,
        user: users[0],
    };
    let mut subs = Vec::with_capacity(HIERARCHY_SUBSCRIPTIONS);
    let mut parts = Vec::with_capacity(HIERARCHY_SUBSCRIPTIONS);
    let mut placed: Vec<String> = Vec::with_capacity(HIERARCHY_SUBSCRIPTIONS);
    for n in 0..HIERARCHY_SUBSCRIPTIONS {
        let (sid, mut sp) = subscription(tenant_id, owner, n);
        for _ in 0..100 {
            let principal = users[1 + rng.below(users.len() - 1)];
            sp.insert_assignment(assignment(sid, &mut rng, principal, PrincipalType::User));
        }
        let under = all[rng.below(all.len())].clone();
        part.place_subscription(sid, Some(under.clone()));
        placed.push(under);
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

    let random = random_queries(&users[1..], &subs);
    let mut rng = Rng(4242);
    let mut scopes = Scopes::default();
    let read = 0; // `actions()[0]`, which Owner, Contributor and Reader all grant.
    let mut depths = [0usize; MG_LEVELS.len()];
    let queries: Vec<Query> = random
        .into_iter()
        .enumerate()
        .map(|(i, random)| {
            if i % 2 == 1 {
                return random;
            }
            let s = rng.below(subs.len());
            // The groups above the subscription, nearest first: one of them at random.
            let mut above = vec![placed[s].clone()];
            while let Some(Some(p)) = parent_of.get(above.last().map_or("", String::as_str)) {
                above.push(p.clone());
            }
            let at = &above[rng.below(above.len())];
            depths[above.len() - 1 - above.iter().position(|g| g == at).unwrap_or(0)] += 1;
            let list = &holders[at];
            let principal = match list[rng.below(list.len())] {
                (user, None) => user,
                (_, Some(g)) if !members[g].is_empty() => members[g][rng.below(members[g].len())],
                (group, Some(_)) => group,
            };
            let scope = scopes.resource_group(subs[s], rng.below(GROUPS_PER_SUBSCRIPTION));
            (principal, scope, read)
        })
        .collect();
    // How many checks an assignment at a management group allows (whatever else also does).
    let actions = actions();
    let inherited = world.tenant(tenant_id).map_or(0, |t| {
        queries
            .iter()
            .filter(|(p, s, a)| {
                let start = t.subscription_parent(s.subscription_id());
                world
                    .group_grants(t, *p, &actions[*a], &start)
                    .next()
                    .is_some()
            })
            .count()
    });
    let spread: Vec<String> = depths
        .iter()
        .enumerate()
        .map(|(d, n)| format!("{}: {n}", d + 1))
        .collect();
    measure_queries(
        "hierarchy",
        &format!(
            "6 levels, {MANAGEMENT_GROUPS} management groups, {HIERARCHY_SUBSCRIPTIONS} subscriptions, {at_groups} assignments at groups (half to users, half to {SECURITY_GROUPS} security groups; {HIERARCHY_USERS} users in {SECURITY_GROUPS_PER_USER} each); {:.1}% of checks allowed through a management group (targeted by the depth of the group: {})",
            100.0 * inherited as f64 / queries.len() as f64,
            spread.join(", ")
        ),
        &world,
        &queries,
        "goal ≥ 1 M/s, p99 ≤ 10 µs",
    );
}

/// Users, subscriptions and security groups of the scale figure: the world of the binary's scale bench
/// (`crates/tenantry/benches/scale.rs`) at 1M assignments, built here in memory.
const SCALE_USERS: usize = 100_000;
const SCALE_SUBSCRIPTIONS: usize = 250;
const SCALE_RESOURCE_GROUPS: usize = 10;
const SCALE_GROUPS: usize = 10;

/// The scale figure: the world `cargo bench -p tenantry --bench scale` loads at 1M assignments, so the
/// two figures can be told apart from the store's: 100k users, ten security groups of 100 members,
/// 250 subscriptions (a personal account their service administrator) with ten resource groups and
/// 4,000 assignments each: ten to the groups, then some 91 users with every pair of four roles and
/// eleven scopes. The checks are the scale bench's: half by the holder of a random assignment reading
/// inside its scope, half by a random user doing one of four things at a random resource group.
fn run_scale() {
    let t = Instant::now();
    let mut world = World::new();
    let owner = AccountId::new();
    world.replace_account(
        owner,
        Some(PersonalAccount {
            id: owner,
            email: "owner@example.com".into(),
            display_name: "owner".into(),
            password_hash: String::new(),
            enabled: true,
            created: 0,
        }),
    );
    let tenant_id = TenantId::new();
    let mut part = TenantPart::new(tenant_named(tenant_id, "scale"));
    let users: Vec<ObjectId> = (0..SCALE_USERS)
        .map(|i| {
            let u = user_of(tenant_id, "scale.onmicrosoft.com", i, "");
            let id = u.id;
            part.users.insert(id, u);
            id
        })
        .collect();
    let groups: Vec<ObjectId> = (0..SCALE_GROUPS)
        .map(|g| {
            let group = security_group(tenant_id, format!("g{g}"));
            let id = group.id;
            part.groups.insert(id, group);
            for m in 0..100 {
                part.group_members
                    .insert((id, users[(g * 100 + m) % SCALE_USERS]));
            }
            id
        })
        .collect();
    world.replace_tenant(tenant_id, Some(part));
    let roles = [
        roles::OWNER,
        roles::CONTRIBUTOR,
        roles::READER,
        roles::USER_ACCESS_ADMINISTRATOR,
    ];
    let combos = (SCALE_RESOURCE_GROUPS + 1) * roles.len();
    let users_per_subscription = PER_SUBSCRIPTION.div_ceil(combos);
    let mut subs = Vec::with_capacity(SCALE_SUBSCRIPTIONS);
    for s in 0..SCALE_SUBSCRIPTIONS {
        let (sid, mut sp) = subscription_with(
            tenant_id,
            Identity::Personal { account: owner },
            s,
            SCALE_RESOURCE_GROUPS,
        );
        for k in 0..PER_SUBSCRIPTION {
            let scope = match k % (SCALE_RESOURCE_GROUPS + 1) {
                0 => Scope::subscription(sid),
                g => Scope::resource_group(sid, &format!("rg{}", g - 1)),
            };
            let (principal, principal_type) = if k < SCALE_GROUPS {
                (groups[k], PrincipalType::Group)
            } else {
                let u = (s * users_per_subscription + k / combos) % SCALE_USERS;
                (users[u], PrincipalType::User)
            };
            sp.insert_assignment(RoleAssignment {
                id: RoleAssignmentId::new(),
                subscription: sid,
                scope,
                principal,
                principal_type,
                role_definition: roles[(k / (SCALE_RESOURCE_GROUPS + 1)) % roles.len()],
                description: None,
                created: 0,
                created_by: None,
            });
        }
        world.replace_subscription(sid, Some(sp));
        subs.push(sid);
    }
    eprintln!(
        "scale: built {} assignments in {:.1}s",
        SCALE_SUBSCRIPTIONS * PER_SUBSCRIPTION,
        t.elapsed().as_secs_f64()
    );
    // As `authorization_checks` of the scale bench builds them.
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut scopes = Scopes::default();
    let queries: Vec<Query> = (0..200_000)
        .map(|i| {
            let sid = subs[rng.below(subs.len())];
            let held = world
                .subscription(sid)
                .map(|p| p.assignments.values().as_slice())
                .unwrap_or_default();
            let a = &held[rng.below(held.len())];
            let mut rg =
                |rng: &mut Rng| scopes.resource_group(sid, rng.below(SCALE_RESOURCE_GROUPS));
            if i % 2 == 0 && a.principal_type == PrincipalType::User {
                let scope = match a.scope.level() {
                    ScopeLevel::Subscription => rg(&mut rng),
                    _ => a.scope.clone(),
                };
                (a.principal, scope, 0)
            } else {
                (
                    users[rng.below(users.len())],
                    rg(&mut rng),
                    rng.below(ACTIONS),
                )
            }
        })
        .collect();
    measure_queries(
        "scale",
        &format!(
            "the scale bench's world: {} assignments in {SCALE_SUBSCRIPTIONS} subscriptions (ten to groups in each, the rest 44 per holder), {SCALE_USERS} users, a personal account the service administrator",
            SCALE_SUBSCRIPTIONS * PER_SUBSCRIPTION
        ),
        &world,
        &queries,
        "goal ≥ 3 M/s and p99 ≤ 2 µs",
    );
}

/// Runs every figure, or those named on the command line (`-- 100k 1M groups hierarchy scale`).
fn main() {
    let run_it = shared::wanted;
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
    if run_it("scale") {
        run_scale();
    }
}
