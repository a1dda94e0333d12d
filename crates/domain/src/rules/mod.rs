//! The article's rules and the world's invariants, as pure functions: each takes the world, the caller and
//! the request, and returns either a refusal that says why and what to do, or the [`Change`] to write.

pub mod access;
pub mod admins;
pub mod applications;
pub mod change_directory;
pub mod directory;
pub mod federated;
pub mod group_roles;
pub mod groups;
pub mod guests;
pub mod hierarchy;
pub mod hierarchy_access;
pub mod hierarchy_entities;
pub mod hierarchy_settings;
pub mod identities;
pub mod identity_endpoint;
pub mod invariants;
pub mod names;
pub mod reads;
pub mod resources;
pub mod subscriptions;
pub mod tags;

use crate::action::Action;
use crate::actor::Actor;
use crate::error::DomainError;
use crate::ids::*;
use crate::model::*;
use crate::scope::Scope;
use crate::world::{SubscriptionPart, TenantPart, World};

/// The one refusal for a directory that is not there, whichever face asked (a GUID, a domain or a name).
pub fn tenant_not_found(key: &str) -> DomainError {
    DomainError::not_found(
        "TenantNotFound",
        format!("The directory '{key}' does not exist."),
    )
    .with_arg("name", key.to_string())
    .with_remedy("Check the tenant id or domain name.")
}

pub(crate) fn subscription_not_found(id: SubscriptionId) -> DomainError {
    DomainError::not_found(
        "SubscriptionNotFound",
        format!("The subscription '{id}' could not be found."),
    )
    .with_arg("id", id.to_string())
}

pub(crate) fn require_tenant(world: &World, id: TenantId) -> Result<&TenantPart, DomainError> {
    world
        .tenant(id)
        .ok_or_else(|| tenant_not_found(&id.to_string()))
}

/// The tenant a GUID, one of its domains or its name designates (what a person or a client types).
pub fn require_tenant_by_key<'w>(
    world: &'w World,
    key: &str,
) -> Result<&'w TenantPart, DomainError> {
    let key = names::typed(key);
    world.find_tenant(key).ok_or_else(|| tenant_not_found(key))
}

pub(crate) fn require_subscription(
    world: &World,
    id: SubscriptionId,
) -> Result<&SubscriptionPart, DomainError> {
    world
        .subscription(id)
        .ok_or_else(|| subscription_not_found(id))
}

/// ARM's refusal, worded as Azure words it.
pub fn authorization_failed(actor: &Actor, action: &str, scope: &str) -> DomainError {
    let oid = actor.object_id().map(|o| o.to_string()).unwrap_or_default();
    DomainError::forbidden(
        "AuthorizationFailed",
        format!(
            "The client '{}' with object id '{oid}' does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.",
            actor.display()
        ),
    )
    .with_arg("principal", actor.display().to_string())
    .with_arg("object_id", oid.to_string())
    .with_arg("action", action.to_string())
    .with_arg("scope", scope.to_string())
    .with_variant("authorization-failed")
}

/// Authorizes `action` at `scope`, then finds the scope's subscription: the one order for every request
/// that names a subscription. A caller who may not act there gets the same `AuthorizationFailed` whether
/// the subscription exists or not (no caller can act in a missing one); only the operator, who may act
/// anywhere, is told that it does not exist.
pub fn authorized_subscription<'w>(
    world: &'w World,
    actor: &Actor,
    action: &str,
    scope: &Scope,
) -> Result<&'w SubscriptionPart, DomainError> {
    authorize(world, actor, action, scope)?;
    require_subscription(world, scope.subscription_id())
}

/// Authorizes an ARM-style action or refuses with `AuthorizationFailed`.
pub fn authorize(
    world: &World,
    actor: &Actor,
    action: &str,
    scope: &Scope,
) -> Result<(), DomainError> {
    if !world.authorize(actor, &Action::new(action), scope) {
        return Err(authorization_failed(actor, action, scope.as_str()));
    }
    // Every write under a subscription is authorized here: a Disabled one refuses them all, once the
    // caller is known to be allowed (so the refusal tells no one else that it exists).
    if !subscriptions::is_read_action(action)
        && let Some(part) = world.subscription(scope.subscription_id())
    {
        subscriptions::require_writable(actor, &part.subscription)?;
    }
    Ok(())
}

/// Who may create, change and delete users and invite guests: Global and User Administrators.
pub const USER_MANAGERS: &[DirectoryRole] = &[
    DirectoryRole::GlobalAdministrator,
    DirectoryRole::UserAdministrator,
];

/// Who may administer the directory itself (roles, applications, policy): Global Administrators.
pub const DIRECTORY_ADMINISTRATORS: &[DirectoryRole] = &[DirectoryRole::GlobalAdministrator];

/// Who may create, change and delete any group (role-assignable ones excepted): as in Entra, Global,
/// User and Groups Administrators.
pub const GROUP_MANAGERS: &[DirectoryRole] = &[
    DirectoryRole::GlobalAdministrator,
    DirectoryRole::UserAdministrator,
    DirectoryRole::GroupsAdministrator,
];

/// Whether the caller, signed in to `tenant`, holds one of the directory `roles` there, itself or
/// through a role-assignable group it is a member of.
pub fn holds_directory_role(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    roles: &[DirectoryRole],
) -> bool {
    if actor.is_operator() {
        return true;
    }
    let (Some(t), Some(object)) = (actor.tenant(), actor.object_id()) else {
        return false;
    };
    if t != tenant {
        return false;
    }
    let Some(part) = world.tenant(tenant) else {
        return false;
    };
    let present = match world.principal(tenant, object) {
        Some(p) => p.is_present(),
        None => false,
    };
    present && roles.iter().any(|r| part.holds_role(object, *r))
}

/// Refuses unless the caller holds one of `roles` in `tenant`.
pub fn require_directory_role(
    world: &World,
    actor: &Actor,
    tenant: TenantId,
    roles: &[DirectoryRole],
    what: &str,
) -> Result<(), DomainError> {
    if holds_directory_role(world, actor, tenant, roles) {
        return Ok(());
    }
    let names: Vec<&str> = roles.iter().map(|r| r.display_name()).collect();
    let tname = crate::rules::reads::directory_label(world, actor, tenant);
    Err(DomainError::forbidden(
        "Authorization_RequestDenied",
        format!("Insufficient privileges to {what}: '{}' is not a {} of the directory '{tname}'.", actor.display(), names.join(" or ")),
    )
    .with_arg("what", what.to_string())
    .with_arg("principal", actor.display().to_string())
    .with_arg("roles", names.join(" or ").to_string())
    .with_arg("directory", tname.to_string())
    .with_variant("require-directory-role")
    .with_remedy(format!("Sign in to '{tname}' with an account that holds that role, or ask one of its Global Administrators to grant it.")))
}

/// Which kind of account an email should resolve to, when it is both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountType {
    Personal,
    Organizational,
}

impl AccountType {
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "personal" | "msa" | "microsoftaccount" | "consumers" => Some(Self::Personal),
            "organizational" | "work" | "workorschool" | "organizations" | "aad" => {
                Some(Self::Organizational)
            }
            _ => None,
        }
    }
}

pub(crate) fn dual_identity_error(email: &str) -> DomainError {
    DomainError::conflict(
        "AmbiguousAccount",
        format!("The email '{email}' is both a personal (Microsoft) account and a work or school account."),
    )
    .with_arg("email", email.to_string())
    .with_remedy("Say which one is meant (account type Personal or Organizational).")
}

/// Resolves an email to the identity it names, as classic administrator operations need: a member of
/// the trusted tenant, a redeemed guest there, a personal account, or another tenant's user.
pub fn resolve_identity(
    world: &World,
    email: &str,
    account_type: Option<AccountType>,
) -> Result<Identity, DomainError> {
    let m = world.email_matches(email);
    let personal = m
        .personal
        .filter(|_| account_type != Some(AccountType::Organizational));
    let org = if account_type == Some(AccountType::Personal) {
        vec![]
    } else {
        m.organizational.clone()
    };
    match (personal, org.first()) {
        (Some(_), Some(_)) => Err(dual_identity_error(email)),
        (Some(account), None) => Ok(Identity::Personal { account }),
        (None, Some((tenant, user))) => Ok(Identity::Organizational {
            tenant: *tenant,
            user: *user,
        }),
        (None, None) => Err(DomainError::not_found(
            "AccountNotFound",
            format!("No personal account and no work or school account has the email '{email}'."),
        )
        .with_arg("email", email.to_string())
        .with_variant("resolve-identity")
        .with_remedy("Check the spelling, or create the account first.")),
    }
}

/// Entra's name for a guest: `alice_outlook.com#EXT#@contoso.onmicrosoft.com`.
pub fn guest_upn(email: &str, tenant: &Tenant) -> String {
    format!(
        "{}#EXT#@{}",
        email.trim().to_lowercase().replace('@', "_"),
        tenant.initial_domain
    )
}

/// A redeemed guest object for `identity` in `tenant`.
pub fn new_guest(world: &World, tenant: &Tenant, identity: Identity, now: Timestamp) -> User {
    let email = world.identity_email(identity).unwrap_or_default();
    let display_name = match identity {
        Identity::Personal { account } => world.account(account).map(|a| a.display_name.clone()),
        Identity::Organizational { .. } => world
            .user(identity_object(identity))
            .map(|u| u.display_name.clone()),
    }
    .unwrap_or_else(|| email.clone());
    User {
        given_name: None,
        surname: None,
        id: ObjectId::new(),
        tenant: tenant.id,
        display_name,
        enabled: true,
        kind: UserKind::Guest {
            upn: guest_upn(&email, tenant),
            email,
            home: Some(identity),
            state: GuestState::Accepted,
        },
        created: now,
    }
}

fn identity_object(identity: Identity) -> ObjectId {
    match identity {
        Identity::Organizational { user, .. } => user,
        Identity::Personal { account } => ObjectId(account.0),
    }
}

/// Email of an identity for messages ("(unknown)" if it vanished).
pub(crate) fn email_of(world: &World, identity: Identity) -> String {
    world
        .identity_email(identity)
        .unwrap_or_else(|| "(unknown account)".into())
}

/// Whether an email is a member's UPN or mail in `tenant`.
pub(crate) fn is_member_email(world: &World, tenant: TenantId, email: &str) -> bool {
    world
        .email_matches(email)
        .organizational
        .iter()
        .any(|(t, _)| *t == tenant)
}
