//! Bulk-write figures of the store: what a change of directory of a large subscription costs.
//!
//!   cargo bench -p tenantry-store --bench store_bench
//!
//! Runs on SQLite (a temporary file, WAL, synchronous=FULL) and, when TENANTRY_TEST_PG_URL is set, on a
//! fresh PostgreSQL database. Goals: 100k role assignments inserted in one transaction at ≥ 10,000
//! rows/s; 100k of 110k deleted in one transaction in ≤ 0.5 s on PostgreSQL and ≤ 1.5 s on SQLite.

// A bench: a panic is a failed run with its message, which is what these unwraps want.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// A bench is built with every dependency of its package, normal and dev, and uses a few of them:
// `unused_crate_dependencies` holds on the library, the binary and the test binaries instead.
#![allow(unused_crate_dependencies)]

use std::time::{Duration, Instant};
use tenantry_domain::*;
use tenantry_store::Store;
use tenantry_store::testing;

const BULK: usize = 100_000;
const EXTRA: usize = 10_000;
const SMALL_WRITES: usize = 200;

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(async {
        let sqlite = testing::sqlite().await;
        run("SQLite", &sqlite).await;
        match testing::try_pg_admin_url() {
            Some(admin) => {
                let url = testing::fresh_pg_database(&admin)
                    .await
                    .expect("create a PostgreSQL database");
                let pg = Store::open(&url).await.expect("open PostgreSQL");
                run("PostgreSQL", &pg).await;
            }
            None => println!(
                "PostgreSQL: skipped ({} is not set; scripts/pg.sh starts one)",
                testing::PG_URL_VAR
            ),
        }
    });
}

async fn run(name: &str, store: &Store) {
    let sub = setup(store).await;
    let principals: Vec<ObjectId> = (0..1000).map(|_| ObjectId::new()).collect();
    let bulk = assignments(sub, &principals, BULK);
    let extra = assignments(sub, &principals, EXTRA);

    let insert = timed_write(
        store,
        Mutation::InsertRoleAssignments {
            subscription: sub,
            assignments: bulk.clone(),
        },
    )
    .await;
    timed_write(
        store,
        Mutation::InsertRoleAssignments {
            subscription: sub,
            assignments: extra,
        },
    )
    .await;

    let started = Instant::now();
    let (world, _) = store.load_world().await.expect("load_world");
    let load = started.elapsed();
    assert_eq!(
        world.subscription(sub).map(|s| s.assignments.len()),
        Some(BULK + EXTRA)
    );

    // The bulk rows, in the order a plan lists them, spread among the ones that stay.
    let delete = timed_write(
        store,
        Mutation::DeleteRoleAssignments {
            subscription: sub,
            ids: bulk.iter().map(|a| a.id).collect(),
        },
    )
    .await;
    let (world, _) = store.load_world().await.expect("load_world");
    assert_eq!(
        world.subscription(sub).map(|s| s.assignments.len()),
        Some(EXTRA)
    );

    let small = small_writes(store, sub, &principals).await;

    println!("{name}:");
    println!(
        "  insert {BULK} role assignments, one transaction: {:>8.3} s  ({:.0} rows/s)",
        insert.as_secs_f64(),
        BULK as f64 / insert.as_secs_f64()
    );
    println!(
        "  load_world with {} assignments:            {:>8.3} s",
        BULK + EXTRA,
        load.as_secs_f64()
    );
    println!(
        "  delete {BULK} of {} assignments, one transaction: {:>8.3} s",
        BULK + EXTRA,
        delete.as_secs_f64()
    );
    println!(
        "  one small write (begin, 1 row + audit, commit):  {:>8.2} ms  (mean of {SMALL_WRITES})",
        small.as_secs_f64() * 1000.0 / SMALL_WRITES as f64
    );
}

/// A tenant and a subscription, written directly (the rules cap a subscription at 4,000 assignments;
/// the bench measures the store, not the rules).
async fn setup(store: &Store) -> SubscriptionId {
    let tenant = Tenant {
        id: TenantId::new(),
        name: "bench".into(),
        display_name: "Bench".into(),
        origin: TenantOrigin::Azure,
        initial_domain: "bench.onmicrosoft.com".into(),
        domains: vec![],
        policy: SubscriptionPolicy::default(),
        created: 0,
    };
    let admin = Identity::Organizational {
        tenant: tenant.id,
        user: ObjectId::new(),
    };
    let sub = Subscription {
        id: SubscriptionId::new(),
        display_name: "bench".into(),
        state: SubscriptionState::Enabled,
        tenant: tenant.id,
        account_admin: admin,
        service_admin: admin,
        co_admins: vec![],
        tags: Default::default(),
        tag_names: Default::default(),
        created: 0,
    };
    let id = sub.id;
    let mut change = Change::new();
    change.push(Mutation::PutTenant(tenant));
    change.push(Mutation::PutSubscription(sub));
    write(store, &change).await;
    id
}

fn assignments(sub: SubscriptionId, principals: &[ObjectId], n: usize) -> Vec<RoleAssignment> {
    (0..n)
        .map(|i| RoleAssignment {
            id: RoleAssignmentId::new(),
            subscription: sub,
            scope: Scope::resource_group(sub, &format!("rg-{}", i % 100)),
            principal: principals[i % principals.len()],
            principal_type: PrincipalType::User,
            role_definition: tenantry_domain::roles::READER,
            description: None,
            created: 1_700_000_000,
            created_by: Some(principals[0]),
        })
        .collect()
}

async fn write(store: &Store, change: &Change) {
    let mut tx = store.begin_write().await.expect("begin_write");
    tx.apply(change).await.expect("apply");
    tx.commit().await.expect("commit");
}

/// The time of a whole write transaction (begin, apply, commit) of one mutation.
async fn timed_write(store: &Store, m: Mutation) -> Duration {
    let mut change = Change::new();
    change.push(m);
    let started = Instant::now();
    write(store, &change).await;
    started.elapsed()
}

async fn small_writes(store: &Store, sub: SubscriptionId, principals: &[ObjectId]) -> Duration {
    let started = Instant::now();
    for a in assignments(sub, principals, SMALL_WRITES) {
        let mut change = Change::new();
        change.audit(audit::AuditEvent::new(
            &Actor::Operator,
            a.created,
            "Microsoft.Authorization/roleAssignments/write",
            a.scope.to_string(),
        ));
        change.push(Mutation::InsertRoleAssignments {
            subscription: sub,
            assignments: vec![a],
        });
        write(store, &change).await;
    }
    started.elapsed()
}
