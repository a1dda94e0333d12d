//! User-realm discovery (`/common/userrealm/{name}`, which MSAL asks before a password grant): what
//! anyone may learn of a sign-in name before its password. Entra answers by the name's domain alone,
//! so the answer says whether a domain belongs to a tenant (public, as a tenant's DNS records are) and
//! never whether an account of that name exists.

use crate::world::World;

/// What user-realm discovery says of a sign-in name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserRealm {
    /// The domain is one of a tenant's (its initial domain or a verified one): its accounts sign in
    /// here with a password. Never `Federated`: MSAL would start a WS-Trust exchange.
    Managed { domain_name: String },
    /// No tenant has the domain (a personal account's, or nobody's): Entra's `Unknown`.
    Unknown,
}

/// The realm of `username`, by the domain after its last `@`, whatever the part before it names.
pub fn user_realm(world: &World, username: &str) -> UserRealm {
    let Some((_, domain)) = username.trim().rsplit_once('@') else {
        return UserRealm::Unknown;
    };
    world
        .tenant_by_domain(domain)
        .and_then(|t| {
            t.tenant
                .all_domains()
                .find(|d| d.eq_ignore_ascii_case(domain))
        })
        .map(|d| UserRealm::Managed {
            domain_name: d.to_ascii_lowercase(),
        })
        .unwrap_or(UserRealm::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::*;
    use crate::model::*;
    use crate::world::TenantPart;

    fn world() -> World {
        let mut w = World::new();
        let tenant = Tenant {
            id: TenantId::new(),
            name: "contoso".into(),
            display_name: "Contoso".into(),
            origin: TenantOrigin::Office365,
            initial_domain: "contoso.onmicrosoft.com".into(),
            domains: vec!["contoso.com".into()],
            policy: Default::default(),
            created: 0,
        };
        w.replace_tenant(tenant.id, Some(TenantPart::new(tenant)));
        w
    }

    #[test]
    fn a_tenant_domain_is_managed_whoever_the_name_is() {
        let w = world();
        let managed = |d: &str| UserRealm::Managed {
            domain_name: d.into(),
        };
        for (name, domain) in [
            ("admin@contoso.onmicrosoft.com", "contoso.onmicrosoft.com"),
            ("nobody@contoso.onmicrosoft.com", "contoso.onmicrosoft.com"),
            ("Someone@CONTOSO.com", "contoso.com"),
            ("odd@name@contoso.com", "contoso.com"),
        ] {
            assert_eq!(user_realm(&w, name), managed(domain), "{name}");
        }
    }

    #[test]
    fn any_other_name_is_unknown() {
        let w = world();
        for name in [
            "alice@outlook.com",
            "someone@nowhere.example",
            "contoso.com",
            "x@",
            "",
            "x@sub.contoso.com",
        ] {
            assert_eq!(user_realm(&w, name), UserRealm::Unknown, "{name}");
        }
    }
}
