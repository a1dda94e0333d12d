//! A directory's objects and who may read them, and the directories a person is present in.

use crate::rules::*;
use crate::world::PrincipalRef;

/// The directory roles that may read a whole tenant's administrative data (audit log, link requests).
const TENANT_READERS: [DirectoryRole; 2] = [
    DirectoryRole::GlobalAdministrator,
    DirectoryRole::GlobalReader,
];

/// What signed the caller in to `tenant`, as the read rules see it.
enum Standing {
    /// A member, or an application of the tenant.
    Member,
    /// A redeemed guest, with or without a directory role.
    Guest { has_role: bool },
    /// Not present in the tenant (another tenant's token, a pending guest, a personal-account token).
    Outsider,
}

fn standing(world: &World, actor: &Actor, tenant: TenantId) -> Standing {
    if actor.is_operator() {
        return Standing::Member;
    }
    let (Some(t), Some(object)) = (actor.tenant(), actor.object_id()) else {
        return Standing::Outsider;
    };
    if t != tenant {
        return Standing::Outsider;
    }
    match world.principal(tenant, object) {
        Some(PrincipalRef::ServicePrincipal(_)) => Standing::Member,
        Some(PrincipalRef::User(u)) if u.is_member() => Standing::Member,
        Some(PrincipalRef::User(u)) if u.is_present() => Standing::Guest {
            has_role: world
                .tenant(tenant)
                .is_some_and(|p| !p.roles_of(object).is_empty()),
        },
        _ => Standing::Outsider,
    }
}

fn not_in_directory(world: &World, actor: &Actor, tenant: TenantId) -> DomainError {
    let name = world
        .tenant(tenant)
        .map(|t| t.tenant.display_name.clone())
        .unwrap_or_else(|| tenant.to_string());
    DomainError::forbidden(
        "Authorization_RequestDenied",
        format!(
            "Insufficient privileges to complete the operation: '{}' is not signed in to the directory '{name}'.",
            actor.display()
        ),
    )
    .with_remedy("Sign in to that directory with a member account or one of its applications.")
}

/// Reading single objects of the directory (a user by id, the organization, domains, roles): anyone
/// present in it, guests included.
pub fn require_directory_read(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
) -> Result<(), DomainError> {
    match standing(world, actor, tenant) {
        Standing::Outsider => Err(not_in_directory(world, actor, tenant)),
        _ => Ok(()),
    }
}

/// Listing or searching the directory's users. Entra's default guest restriction: guests may read
/// objects they know the id of, but not enumerate the directory, unless a directory role says otherwise.
pub fn require_directory_enumeration(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
) -> Result<(), DomainError> {
    match standing(world, actor, tenant) {
        Standing::Outsider => Err(not_in_directory(world, actor, tenant)),
        Standing::Guest { has_role: false } => Err(DomainError::forbidden(
            "Authorization_RequestDenied",
            format!(
                "Insufficient privileges to complete the operation: guests of the directory cannot list its users ('{}' is a guest).",
                actor.display()
            ),
        )
        .with_remedy("Look users up by object id or user principal name, or ask a Global Administrator for a directory role.")),
        _ => Ok(()),
    }
}

/// Reading a tenant's own administrative records (its audit log, its pending directory link requests):
/// Global Administrators and Global Readers of that tenant.
pub fn require_tenant_admin_read(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    what: &str,
) -> Result<(), DomainError> {
    require_directory_role(world, actor, tenant, &TENANT_READERS, what)
}

/// Every tenant where the caller's identity is present (member or redeemed guest), whatever tenant its
/// token is for: how the Azure CLI finds the directories of a user. An application has its own tenant.
pub fn tenants_of_caller<'w>(world: &'w World, actor: &Actor) -> Vec<&'w TenantPart> {
    let ids: Vec<TenantId> = match actor {
        Actor::Operator => world.tenants().map(|t| t.tenant.id).collect(),
        Actor::Application { tenant, .. } => vec![*tenant],
        Actor::User { identity, .. } => tenants_of(world, *identity),
        Actor::Personal { account, .. } => {
            tenants_of(world, Identity::Personal { account: *account })
        }
    };
    let mut v: Vec<&TenantPart> = ids.into_iter().filter_map(|t| world.tenant(t)).collect();
    v.sort_by_key(|t| t.tenant.id);
    v.dedup_by_key(|t| t.tenant.id);
    v
}

fn tenants_of(world: &World, identity: Identity) -> Vec<TenantId> {
    world
        .tenants_of_identity(identity)
        .into_iter()
        .map(|(t, _)| t)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::TenantPart;

    fn world_with_guest() -> (World, TenantId, Actor, Actor, Actor) {
        let mut w = World::new();
        let tenant = Tenant {
            id: TenantId::new(),
            name: "t".into(),
            display_name: "T".into(),
            origin: TenantOrigin::Azure,
            initial_domain: "t.onmicrosoft.com".into(),
            domains: vec![],
            policy: Default::default(),
            created: 0,
        };
        let tid = tenant.id;
        w.replace_tenant(tid, Some(TenantPart::new(tenant)));
        let member = User {
            id: ObjectId::new(),
            tenant: tid,
            display_name: "m".into(),
            enabled: true,
            kind: UserKind::Member {
                upn: "m@t.onmicrosoft.com".into(),
                mail: None,
                password_hash: String::new(),
            },
            created: 0,
        };
        let account = AccountId::new();
        let guest = User {
            id: ObjectId::new(),
            tenant: tid,
            display_name: "g".into(),
            enabled: true,
            kind: UserKind::Guest {
                email: "g@outlook.com".into(),
                upn: "g_outlook.com#EXT#@t.onmicrosoft.com".into(),
                home: Some(Identity::Personal { account }),
                state: GuestState::Accepted,
            },
            created: 0,
        };
        let as_actor = |u: &User| Actor::User {
            tenant: tid,
            object: u.id,
            identity: u.identity().unwrap(),
            name: u.upn().into(),
        };
        let (m, g) = (as_actor(&member), as_actor(&guest));
        w.apply_mutation(&Mutation::PutUser(member));
        w.apply_mutation(&Mutation::PutUser(guest));
        let outsider = Actor::Personal {
            account,
            email: "g@outlook.com".into(),
        };
        (w, tid, m, g, outsider)
    }

    use crate::mutation::Mutation;

    #[test]
    fn guests_read_but_do_not_enumerate() {
        let (w, t, member, guest, outsider) = world_with_guest();
        assert!(require_directory_enumeration(&w, &member, t).is_ok());
        assert!(require_directory_read(&w, &guest, t).is_ok());
        let e = require_directory_enumeration(&w, &guest, t).unwrap_err();
        assert_eq!(e.code, "Authorization_RequestDenied");
        assert!(require_directory_read(&w, &outsider, t).is_err());
        let other = TenantId::new();
        assert!(require_directory_read(&w, &member, other).is_err());
    }

    #[test]
    fn a_guest_with_a_directory_role_enumerates() {
        let (mut w, t, _, guest, _) = world_with_guest();
        w.apply_mutation(&Mutation::AddDirectoryRoleMember {
            tenant: t,
            role: DirectoryRole::GlobalReader,
            principal: guest.object_id().unwrap(),
        });
        assert!(require_directory_enumeration(&w, &guest, t).is_ok());
        assert!(require_tenant_admin_read(&w, &guest, t, "read the audit log").is_ok());
    }
}
