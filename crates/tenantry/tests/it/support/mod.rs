//! Shared helpers: stores on both databases, the demo world and its ids, actors signed in somewhere
//! (here); a server in this process (`server`), HTTP calls and their responses (`http`), tokens from the
//! token endpoint (`tokens`), a browser that keeps the portal's cookie (`browser`), and the real clients
//! (`clients`).

mod browser;
mod clients;
mod http;
mod server;
mod tokens;

pub use browser::*;
pub use clients::*;
pub use http::*;
pub use server::*;
pub use tokens::*;

use std::path::PathBuf;
use tenantry_service::Service;
use tenantry_service::domain::signin::{Authority, subject};
use tenantry_service::domain::*;
pub use tenantry_store::testing::{TestStore, both, fresh_pg_database, pg_admin_url};

// ----- the demo world's ids (worlds/demo.toml; the sign-in tests' world uses the same) -----

pub const ALICEDEFAULT: &str = "a11ce000-0000-4000-8000-000000000002";
pub const CONTOSO: &str = "c0a70500-0000-4000-8000-000000000001";
/// The consumer realm: personal accounts' tokens are for this tenant.
pub const CONSUMERS: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";
/// "Pay-As-You-Go", the article's subscription.
pub const PAYG: &str = "5b5c0000-0000-4000-8000-000000000001";
/// The "ci" application of alicedefault (Contributor on Pay-As-You-Go) and its secret.
pub const CI_CLIENT: &str = "c1000000-0000-4000-8000-000000000001";
pub const CI_SECRET: &str = "ci-secret-1";
/// The Azure CLI's client id: a first-party public client every tenant accepts, as in Entra.
pub const AZ_CLI: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
/// The resources tenantry issues tokens for.
pub const GRAPH: &str = "https://graph.microsoft.com";
pub const ARM: &str = "https://management.azure.com";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn demo_world() -> String {
    std::fs::read_to_string(repo_root().join("worlds/demo.toml")).expect("worlds/demo.toml")
}

/// A service on `store` with the demo world applied.
pub async fn demo_service(store: &TestStore) -> Service {
    let svc = Service::open(store.store.clone())
        .await
        .expect("open service");
    svc.apply_world(&demo_world(), &mut |_, _| {})
        .await
        .expect("apply the demo world");
    svc
}

/// The actor for `email` signed in to the tenant named `tenant` (as member or redeemed guest).
pub fn signed_in(svc: &Service, email: &str, tenant: &str) -> Actor {
    svc.read(|w| {
        let t = w
            .find_tenant(tenant)
            .unwrap_or_else(|| panic!("tenant {tenant}"))
            .tenant
            .id;
        let m = w.email_matches(email);
        let identity = m
            .personal
            .map(|account| Identity::Personal { account })
            .or_else(|| {
                m.organizational
                    .first()
                    .map(|(tenant, user)| Identity::Organizational {
                        tenant: *tenant,
                        user: *user,
                    })
            })
            .unwrap_or_else(|| panic!("no account {email}"));
        subject(w, identity, Authority::Tenant(t))
            .unwrap_or_else(|e| panic!("{email} at {tenant}: {e}"))
            .actor()
    })
}

pub fn tenant_id(svc: &Service, name: &str) -> TenantId {
    svc.read(|w| w.find_tenant(name).expect("tenant").tenant.id)
}

pub fn object_of(svc: &Service, key: &str, tenant: &str) -> ObjectId {
    let t = tenant_id(svc, tenant);
    svc.read(|w| {
        w.find_principal(t, key)
            .map(|p| p.id())
            .unwrap_or_else(|| panic!("{key} in {tenant}"))
    })
}

/// The demo subscription ("Pay-As-You-Go").
pub fn payg(svc: &Service) -> SubscriptionId {
    svc.read(|w| {
        w.subscriptions()
            .find(|s| s.subscription.display_name == "Pay-As-You-Go")
            .expect("demo subscription")
            .subscription
            .id
    })
}

/// The in-memory world must equal what a fresh load from the database gives.
pub async fn assert_memory_matches_database(svc: &Service) {
    let (loaded, revision) = svc.store().load_world().await.expect("load world");
    assert_eq!(
        revision,
        svc.revision(),
        "in-memory revision follows the database"
    );
    let memory = svc.read(|w| w.clone());
    assert!(
        memory == loaded,
        "the in-memory world differs from the database"
    );
}

pub async fn audit_count(svc: &Service) -> usize {
    svc.audit_events(&tenantry_store::AuditFilter {
        limit: Some(1000),
        ..Default::default()
    })
    .await
    .expect("audit")
    .len()
}

/// Polls `cond` until it holds or `timeout` passes.
pub async fn eventually(timeout: std::time::Duration, mut cond: impl FnMut() -> bool) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < timeout {
        if cond() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    cond()
}
