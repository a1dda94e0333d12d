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
                .is_some_and(|p| !p.effective_roles_of(object).is_empty()),
        },
        _ => Standing::Outsider,
    }
}

fn not_in_directory(world: &World, actor: &Actor, tenant: TenantId) -> DomainError {
    let name = directory_label(world, actor, tenant);
    DomainError::forbidden(
        "Authorization_RequestDenied",
        format!(
            "Insufficient privileges to complete the operation: '{}' is not signed in to the directory '{name}'.",
            actor.display()
        ),
    )
    .with_arg("principal", actor.display().to_string())
    .with_arg("name", name.to_string())
    .with_variant("not-in-directory")
    .with_remedy("Sign in to that directory with a member account or one of its applications.")
}

/// How a refusal names a directory to the caller: by its display name to whoever is present in it (and
/// the operator); to anyone else by its id, as they named it, whether it exists or not (a directory's
/// name is for its own people).
pub fn directory_label(world: &World, actor: &Actor, tenant: TenantId) -> String {
    match standing(world, actor, tenant) {
        Standing::Outsider => tenant.to_string(),
        _ => directory_name(world, tenant),
    }
}

/// How a page names a directory to the caller: its display name to whoever is present in it, its initial
/// domain (what sign-in discovery publishes) to anyone else; the id when it is gone.
pub fn directory_shown(world: &World, actor: &Actor, tenant: TenantId) -> String {
    match (standing(world, actor, tenant), directory(world, tenant)) {
        (_, None) => tenant.to_string(),
        (Standing::Outsider, Some(t)) => t.initial_domain.clone(),
        (_, Some(t)) => t.display_name.clone(),
    }
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
        .with_arg("principal", actor.display().to_string())
        .with_variant("require-directory-enumeration")
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

/// A directory by id.
pub fn directory(world: &World, tenant: TenantId) -> Option<&Tenant> {
    world.tenant(tenant).map(|p| &p.tenant)
}

/// A directory's name for messages and pages: its display name, or its id when it is gone.
pub fn directory_name(world: &World, tenant: TenantId) -> String {
    directory(world, tenant)
        .map(|t| t.display_name.clone())
        .unwrap_or_else(|| tenant.to_string())
}

/// A directory's initial domain, for the examples a page gives (`contoso.onmicrosoft.com`); empty when it
/// is gone.
pub fn directory_domain(world: &World, tenant: TenantId) -> String {
    directory(world, tenant)
        .map(|t| t.initial_domain.clone())
        .unwrap_or_default()
}

/// How a user of a directory is reached: the email of the person behind a guest or member, else its UPN.
pub fn user_email(world: &World, user: &User) -> String {
    user.identity()
        .and_then(|i| world.identity_email(i))
        .unwrap_or_else(|| user.upn().to_string())
}

/// A principal of `tenant` by object id: a user (member or guest, pending or not) or a service principal.
pub fn directory_object(
    world: &World,
    tenant: TenantId,
    object: ObjectId,
) -> Option<PrincipalRef<'_>> {
    world.principal(tenant, object)
}

/// Objects of the tenant (its users, applications or groups), by object id: a stable order for pages.
pub(super) fn by_id<'w, T>(
    world: &'w World,
    tenant: TenantId,
    of: impl FnOnce(&'w TenantPart) -> &'w IdMap<ObjectId, T>,
) -> Vec<&'w T> {
    let mut v: Vec<(&ObjectId, &T)> = world
        .tenant(tenant)
        .map(|p| of(p).iter().collect())
        .unwrap_or_default();
    v.sort_by_key(|(id, _)| **id);
    v.into_iter().map(|(_, t)| t).collect()
}

/// Every user of the tenant, by object id.
pub fn users(world: &World, tenant: TenantId) -> Vec<&User> {
    by_id(world, tenant, |p| &p.users)
}

/// A user of `tenant` by object id.
pub fn user(world: &World, tenant: TenantId, object: ObjectId) -> Option<&User> {
    world.tenant(tenant)?.users.get(&object)
}

/// A user of `tenant` by object id or user principal name (a guest's `#EXT#` name included).
pub fn user_named<'w>(world: &'w World, tenant: TenantId, key: &str) -> Option<&'w User> {
    let key = crate::rules::names::typed(key);
    if let Ok(id) = key.parse::<ObjectId>() {
        return user(world, tenant, id);
    }
    world
        .tenant(tenant)?
        .users
        .values()
        .find(|u| u.upn().eq_ignore_ascii_case(key))
}

/// Every application (app registration) of the tenant, by object id. Managed identities are service
/// principals without an application object: [`service_principals`] lists them.
pub fn applications(world: &World, tenant: TenantId) -> Vec<&Application> {
    let mut apps = service_principals(world, tenant);
    apps.retain(|a| a.is_registration());
    apps
}

/// An application of `tenant` by the id of its application object (Graph's `/applications/{id}`),
/// which is not its service principal's.
pub fn application(world: &World, tenant: TenantId, object: ObjectId) -> Option<&Application> {
    world
        .application_by_object_id(object)
        .filter(|a| a.tenant == tenant && a.is_registration())
}

/// Every service principal of the tenant (applications' and managed identities'), by object id.
pub fn service_principals(world: &World, tenant: TenantId) -> Vec<&Application> {
    by_id(world, tenant, |p| &p.applications)
}

/// A service principal of `tenant` (an application's or a managed identity's) by object id.
pub fn service_principal(
    world: &World,
    tenant: TenantId,
    object: ObjectId,
) -> Option<&Application> {
    world.tenant(tenant)?.applications.get(&object)
}

/// An application of `tenant` by its client id (`appId`).
pub fn application_by_client_id(
    world: &World,
    tenant: TenantId,
    client_id: uuid::Uuid,
) -> Option<&Application> {
    world
        .application_by_client_id(client_id)
        .filter(|a| a.tenant == tenant)
}

/// An application (app registration) of `tenant` by its client id, as `applications(appId='…')` names
/// it; a managed identity's client id names no application.
pub fn application_by_app_id(
    world: &World,
    tenant: TenantId,
    client_id: uuid::Uuid,
) -> Option<&Application> {
    application_by_client_id(world, tenant, client_id).filter(|a| a.is_registration())
}

/// A personal account, as it shows itself when signed in to the consumer realm.
pub fn personal_account(world: &World, account: AccountId) -> Option<&PersonalAccount> {
    world.account(account)
}

/// The directory roles activated in the tenant: Entra activates Global Administrator in every tenant, and
/// another role once it has a member.
pub fn activated_roles(world: &World, tenant: TenantId) -> Vec<DirectoryRole> {
    let Some(part) = world.tenant(tenant) else {
        return vec![];
    };
    DirectoryRole::ALL
        .into_iter()
        .filter(|r| {
            *r == DirectoryRole::GlobalAdministrator || part.role_holders(*r).next().is_some()
        })
        .collect()
}

/// The members of a directory role, for whoever may list the directory's users
/// ([`require_directory_enumeration`]): a role's members are users too, so a guest without a directory
/// role may not list them either.
pub fn role_members<'w>(
    world: &'w World,
    actor: &Actor,
    tenant: TenantId,
    role: DirectoryRole,
) -> Result<Vec<PrincipalRef<'w>>, DomainError> {
    require_directory_enumeration(world, actor, tenant)?;
    Ok(world
        .tenant(tenant)
        .map(|p| {
            p.role_holders(role)
                .filter_map(|o| world.principal(tenant, o))
                .collect()
        })
        .unwrap_or_default())
}

/// A domain of a directory, as Graph lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectoryDomain<'t> {
    pub name: &'t str,
    pub is_default: bool,
    pub is_initial: bool,
}

/// The directory's verified domains. The initial domain stays the default: tenantry has no operation
/// that changes the default domain.
pub fn domains(tenant: &Tenant) -> Vec<DirectoryDomain<'_>> {
    tenant
        .all_domains()
        .map(|d| {
            let initial = d.eq_ignore_ascii_case(&tenant.initial_domain);
            DirectoryDomain {
                name: d,
                is_default: initial,
                is_initial: initial,
            }
        })
        .collect()
}

/// A user of a directory with the directory roles it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryUser<'w> {
    pub user: &'w User,
    pub roles: Vec<DirectoryRole>,
}

fn with_roles<'w>(part: &'w TenantPart, user: &'w User) -> DirectoryUser<'w> {
    DirectoryUser {
        user,
        roles: part.roles_of(user.id),
    }
}

/// A change of directory that waits for this directory's acceptance.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingChange<'w> {
    pub subscription: &'w Subscription,
    pub request: &'w ChangeTenantRequest,
    /// The directory it leaves.
    pub source: String,
    pub initiator: String,
}

/// A directory's overview, for someone signed in to it.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryOverview<'w> {
    pub tenant: &'w Tenant,
    /// The caller's directory roles there.
    pub roles: Vec<DirectoryRole>,
    pub members: usize,
    pub guests: usize,
    /// The subscriptions trusting it that the caller sees.
    pub subscriptions: usize,
    /// The caller administers the directory (a Global Administrator).
    pub administers: bool,
    /// Changes of directory waiting for acceptance, shown to its administrators.
    pub incoming: Vec<IncomingChange<'w>>,
}

pub fn directory_overview<'w>(
    world: &'w World,
    actor: &Actor,
    tenant: TenantId,
    now: Timestamp,
) -> Result<DirectoryOverview<'w>, DomainError> {
    require_directory_read(world, actor, tenant)?;
    let part = require_tenant(world, tenant)?;
    let administers = holds_directory_role(world, actor, tenant, DIRECTORY_ADMINISTRATORS);
    let incoming = if administers {
        world
            .subscriptions()
            .filter_map(|s| {
                let r = s.change_request.as_ref()?;
                (r.destination == tenant && r.status == RequestStatus::Pending && r.expires > now)
                    .then(|| IncomingChange {
                        subscription: &s.subscription,
                        request: r,
                        source: directory_name(world, r.source),
                        initiator: world.identity_email(r.initiator).unwrap_or_default(),
                    })
            })
            .collect()
    } else {
        vec![]
    };
    Ok(DirectoryOverview {
        tenant: &part.tenant,
        roles: actor
            .object_id()
            .map(|o| part.roles_of(o))
            .unwrap_or_default(),
        members: part.users.values().filter(|u| u.is_member()).count(),
        guests: part.users.values().filter(|u| !u.is_member()).count(),
        subscriptions: crate::rules::reads::visible_subscriptions(world, actor).len(),
        administers,
        incoming,
    })
}

/// One user of a directory, with what the caller may change about it.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryUserDetail<'w> {
    pub tenant: &'w Tenant,
    pub user: DirectoryUser<'w>,
    /// The roles it could be given.
    pub addable_roles: Vec<DirectoryRole>,
    /// The caller may disable it and reset its password.
    pub may_manage: bool,
    /// The caller may give and take its directory roles (a Global Administrator).
    pub may_assign_roles: bool,
}

pub fn directory_user<'w>(
    world: &'w World,
    actor: &Actor,
    tenant: TenantId,
    object: ObjectId,
) -> Result<DirectoryUserDetail<'w>, DomainError> {
    require_directory_read(world, actor, tenant)?;
    let part = require_tenant(world, tenant)?;
    let u = part.users.get(&object).ok_or_else(|| {
        DomainError::not_found(
            "Request_ResourceNotFound",
            format!(
                "The user '{object}' does not exist in {}.",
                part.tenant.display_name
            ),
        )
        .with_arg("id", object.to_string())
        .with_arg("directory", part.tenant.display_name.to_string())
        .with_variant("directory-user")
    })?;
    let user = with_roles(part, u);
    Ok(DirectoryUserDetail {
        tenant: &part.tenant,
        addable_roles: DirectoryRole::ALL
            .into_iter()
            .filter(|r| !user.roles.contains(r))
            .collect(),
        user,
        may_manage: holds_directory_role(world, actor, tenant, USER_MANAGERS),
        may_assign_roles: holds_directory_role(world, actor, tenant, DIRECTORY_ADMINISTRATORS),
    })
}

/// A guest of a directory, with the invitation that still waits for it.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryGuest<'w> {
    pub user: &'w User,
    pub pending_invitation: Option<&'w Invitation>,
}

/// The people of a directory (for who may list its users): members and guests, with whether the caller
/// manages them (creates, disables and resets users, invites guests: a Global or User Administrator).
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryPeople<'w> {
    pub tenant: &'w Tenant,
    pub members: Vec<DirectoryUser<'w>>,
    pub guests: Vec<DirectoryGuest<'w>>,
    pub may_manage: bool,
}

pub fn directory_people<'w>(
    world: &'w World,
    actor: &Actor,
    tenant: TenantId,
) -> Result<DirectoryPeople<'w>, DomainError> {
    require_directory_enumeration(world, actor, tenant)?;
    let part = require_tenant(world, tenant)?;
    let (members, guests): (Vec<&User>, Vec<&User>) =
        part.users.values().partition(|u| u.is_member());
    Ok(DirectoryPeople {
        tenant: &part.tenant,
        members: members.into_iter().map(|u| with_roles(part, u)).collect(),
        guests: guests
            .into_iter()
            .map(|u| DirectoryGuest {
                user: u,
                pending_invitation: part
                    .invitations
                    .values()
                    .find(|i| i.guest == u.id && i.status == RequestStatus::Pending),
            })
            .collect(),
        may_manage: holds_directory_role(world, actor, tenant, USER_MANAGERS),
    })
}

/// A directory's subscription policy, with its exempted principals by name.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryPolicy<'w> {
    pub tenant: &'w Tenant,
    pub policy: &'w SubscriptionPolicy,
    /// The exempted principals' names (UPN, or an application's display name; the id when gone).
    pub exempted: Vec<String>,
    /// The caller may change it (a Global Administrator).
    pub may_manage: bool,
}

pub fn directory_policy<'w>(
    world: &'w World,
    actor: &Actor,
    tenant: TenantId,
) -> Result<DirectoryPolicy<'w>, DomainError> {
    require_directory_read(world, actor, tenant)?;
    let part = require_tenant(world, tenant)?;
    let policy = &part.tenant.policy;
    Ok(DirectoryPolicy {
        tenant: &part.tenant,
        policy,
        exempted: policy
            .exempted
            .iter()
            .map(|o| {
                world
                    .principal(tenant, *o)
                    .map(|p| p.name())
                    .unwrap_or_else(|| o.to_string())
            })
            .collect(),
        may_manage: holds_directory_role(world, actor, tenant, DIRECTORY_ADMINISTRATORS),
    })
}

/// The principals a policy exempts, named by user principal name, email, object id or client id: for
/// whoever may change the policy (a Global Administrator), so that nobody else learns which names the
/// directory holds.
pub fn exempted_principals<'k>(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    names: impl IntoIterator<Item = &'k str>,
) -> Result<Vec<ObjectId>, DomainError> {
    crate::rules::directory::require_policy_administrator(world, actor, tenant)?;
    names
        .into_iter()
        .map(|k| {
            world.find_principal(tenant, k).map(|p| p.id()).ok_or_else(|| {
                DomainError::invalid(
                    "InvalidExemptedPrincipal",
                    format!(
                        "No user or application of {} is named '{k}'.",
                        directory_name(world, tenant)
                    ),
                )
                .with_arg("directory", directory_name(world, tenant).to_string())
                .with_arg("name", k.to_string())
                .with_variant("exempted-principals")
                .with_remedy("Write one user principal name, email or object id of this directory per line.")
            })
        })
        .collect()
}

/// An invitation of `tenant` as its redeem page shows it to the person signed in as `identity`: the
/// invitee, and whoever may list the directory's guests, see it whole (its directory, its address, its
/// status); anyone else gets [`guests::invitation_not_found`], as for a link that names nothing.
///
/// [`guests::invitation_not_found`]: crate::rules::guests::invitation_not_found
pub fn invitation(
    world: &World,
    identity: Identity,
    tenant: TenantId,
    invitation: RequestId,
) -> Result<(&Tenant, &Invitation), DomainError> {
    let found = world
        .tenant(tenant)
        .and_then(|p| Some((&p.tenant, p.invitations.get(&invitation)?)));
    let may_read = |inv: &Invitation| {
        crate::rules::guests::is_invitee(world, identity, inv)
            || crate::rules::reads::actor_in(world, identity, tenant)
                .is_some_and(|a| require_directory_enumeration(world, &a, tenant).is_ok())
    };
    found
        .filter(|(_, inv)| may_read(inv))
        .ok_or_else(|| crate::rules::guests::invitation_not_found(invitation))
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
            given_name: None,
            surname: None,
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
            given_name: None,
            surname: None,
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
