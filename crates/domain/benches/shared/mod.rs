//! What the domain's benches build their worlds from: a generator, a tenant, users, subscriptions.

use tenantry_domain::world::SubscriptionPart;
use tenantry_domain::*;

/// A tiny deterministic generator (no dependency needed for a benchmark).
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A tenant named `name` (its initial domain `NAME.onmicrosoft.com`).
pub fn tenant(id: TenantId, name: &str) -> Tenant {
    Tenant {
        id,
        name: name.into(),
        display_name: name.into(),
        origin: TenantOrigin::Azure,
        initial_domain: format!("{name}.onmicrosoft.com"),
        domains: vec![],
        policy: SubscriptionPolicy::default(),
        created: 0,
    }
}

/// User `u{i}@DOMAIN` of `tenant`, a member, with `password_hash` (what world files give).
pub fn user(tenant: TenantId, domain: &str, i: usize, password_hash: &str) -> User {
    User {
        given_name: None,
        surname: None,
        id: ObjectId::new(),
        tenant,
        display_name: format!("u{i}"),
        enabled: true,
        kind: UserKind::Member {
            upn: format!("u{i}@{domain}"),
            mail: None,
            password_hash: password_hash.into(),
        },
        created: 0,
    }
}

/// A subscription of `tenant` with its resource groups (`rg0`, `rg1`, …).
pub fn subscription(
    tenant: TenantId,
    owner: Identity,
    n: usize,
    resource_groups: usize,
) -> (SubscriptionId, SubscriptionPart) {
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
        tag_names: Default::default(),
        created: 0,
    });
    for g in 0..resource_groups {
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

/// Whether the figure `label` is wanted: those named on the command line (`-- 100k 1M`), or all.
pub fn wanted(label: &str) -> bool {
    let named: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    named.is_empty() || named.iter().any(|w| w == label)
}
