//! The `{tenant}` segment of a sign-in URL, the accounts a username names at it (personal,
//! organizational, or both), and the subject of the token once one of them has signed in.

use super::refusals::*;
use crate::ids::*;
use crate::model::*;
use crate::world::World;

/// The `{tenant}` segment of an Entra URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authority {
    Tenant(TenantId),
    Common,
    Organizations,
    Consumers,
}

impl Authority {
    /// The path segment as clients write it.
    pub fn segment(&self) -> String {
        match self {
            Authority::Tenant(t) => t.to_string(),
            Authority::Common => "common".into(),
            Authority::Organizations => "organizations".into(),
            Authority::Consumers => "consumers".into(),
        }
    }
}

/// Parses the authority segment: a tenant GUID, one of its domains, or a well-known name.
pub fn parse_authority(world: &World, segment: &str) -> Result<Authority, SignInError> {
    match segment.to_ascii_lowercase().as_str() {
        "common" => return Ok(Authority::Common),
        "organizations" => return Ok(Authority::Organizations),
        "consumers" => return Ok(Authority::Consumers),
        _ => {}
    }
    if segment
        .parse::<uuid::Uuid>()
        .is_ok_and(|id| id == CONSUMERS_TENANT)
    {
        return Ok(Authority::Consumers);
    }
    world
        .find_tenant(segment)
        .filter(|t| segment.parse::<uuid::Uuid>().is_ok() || t.tenant.has_domain(segment))
        .map(|t| Authority::Tenant(t.tenant.id))
        .ok_or_else(|| tenant_not_found(segment))
}

/// The subject of a user token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub identity: Identity,
    /// The token's tenant (`tid`): a directory, or the consumer realm for personal accounts there.
    pub tenant: uuid::Uuid,
    /// The object id in that tenant (`oid`).
    pub object: uuid::Uuid,
    /// `preferred_username` / `upn`: the sign-in name.
    pub username: String,
    pub display_name: String,
    /// Where the account comes from when it is not a member of the token's tenant (`idp`).
    pub idp: Option<String>,
    /// The home tenant of the identity (`utid` in client_info); the consumer realm for personal accounts.
    pub home_tenant: uuid::Uuid,
    /// The identity's object id at home (`uid` in client_info).
    pub home_object: uuid::Uuid,
}

impl Subject {
    /// The actor the service sees for this token.
    pub fn actor(&self) -> crate::Actor {
        match self.identity {
            Identity::Personal { account } if self.tenant == CONSUMERS_TENANT => {
                crate::Actor::Personal {
                    account,
                    email: self.username.clone(),
                }
            }
            identity => crate::Actor::User {
                tenant: TenantId(self.tenant),
                object: ObjectId(self.object),
                identity,
                name: self.username.clone(),
            },
        }
    }
}

/// The accounts a username may name, filtered by what the authority accepts.
pub fn candidates(
    world: &World,
    authority: Authority,
    username: &str,
) -> Result<Vec<Identity>, SignInError> {
    let m = world.email_matches(username);
    let personal = m.personal.map(|account| Identity::Personal { account });
    let org: Vec<Identity> = m
        .organizational
        .iter()
        .map(|(tenant, user)| Identity::Organizational {
            tenant: *tenant,
            user: *user,
        })
        .collect();
    let list: Vec<Identity> = match authority {
        Authority::Consumers => personal.into_iter().collect(),
        Authority::Organizations => {
            if org.is_empty() {
                personal.into_iter().collect()
            } else {
                org
            }
        }
        Authority::Common => {
            if personal.is_some() && !org.is_empty() {
                return Err(ambiguous_account(username));
            }
            personal.into_iter().chain(org).collect()
        }
        Authority::Tenant(t) => {
            // At a tenant, the identities present there; both present is as ambiguous as at `common`.
            let present: Vec<Identity> = personal
                .into_iter()
                .chain(org)
                .filter(|i| world.presence(*i, t).is_some())
                .collect();
            if present.len() > 1 {
                return Err(ambiguous_in_tenant(username));
            }
            if present.is_empty() && !m.is_empty() {
                return Err(not_in_tenant(world, username, t));
            }
            present
        }
    };
    if list.is_empty() {
        return Err(unknown_user(username));
    }
    Ok(list)
}

/// `AADSTS50020` for `username` at `tenant`, named as its people know it.
pub fn not_in_tenant(world: &World, username: &str, tenant: TenantId) -> SignInError {
    let name = world
        .tenant(tenant)
        .map(|t| t.tenant.display_name.clone())
        .unwrap_or_else(|| tenant.to_string());
    user_not_in_tenant(username, &name)
}

/// The password hash and enabled flag of an identity.
pub fn credentials(world: &World, identity: Identity) -> Option<(&str, bool)> {
    match identity {
        Identity::Personal { account } => world
            .account(account)
            .map(|a| (a.password_hash.as_str(), a.enabled)),
        Identity::Organizational { user, .. } => world.user(user).and_then(|u| match &u.kind {
            UserKind::Member { password_hash, .. } => Some((password_hash.as_str(), u.enabled)),
            UserKind::Guest { .. } => None,
        }),
    }
}

/// The token subject for an identity at an authority; `AADSTS50020` when it is not present there.
pub fn subject(
    world: &World,
    identity: Identity,
    authority: Authority,
) -> Result<Subject, SignInError> {
    let username = world.identity_email(identity).unwrap_or_default();
    let (home_tenant, home_object, display_name) = match identity {
        Identity::Personal { account } => (
            CONSUMERS_TENANT,
            account.0,
            world
                .account(account)
                .map(|a| a.display_name.clone())
                .unwrap_or_default(),
        ),
        Identity::Organizational { tenant, user } => (
            tenant.0,
            user.0,
            world
                .user(user)
                .map(|u| u.display_name.clone())
                .unwrap_or_default(),
        ),
    };
    let idp = |tenant: uuid::Uuid| match identity {
        _ if tenant == home_tenant => None,
        Identity::Personal { .. } => Some("live.com".to_string()),
        Identity::Organizational { tenant: home, .. } => {
            Some(format!("https://sts.windows.net/{home}/"))
        }
    };
    let in_tenant = |t: TenantId| -> Result<Subject, SignInError> {
        let object = world
            .presence(identity, t)
            .ok_or_else(|| not_in_tenant(world, &username, t))?;
        if world.user(object).is_some_and(|u| !u.enabled) {
            return Err(disabled(&username));
        }
        Ok(Subject {
            identity,
            tenant: t.0,
            object: object.0,
            username: username.clone(),
            display_name: display_name.clone(),
            idp: idp(t.0),
            home_tenant,
            home_object,
        })
    };
    match (authority, identity) {
        (Authority::Tenant(t), _) => in_tenant(t),
        (Authority::Consumers | Authority::Common, Identity::Personal { .. }) => Ok(Subject {
            identity,
            tenant: CONSUMERS_TENANT,
            object: home_object,
            username: username.clone(),
            display_name,
            idp: None,
            home_tenant,
            home_object,
        }),
        (Authority::Consumers, Identity::Organizational { tenant, .. }) => {
            // The consumer realm ("Microsoft Services") holds personal accounts only.
            Err(work_account_at_consumers(&username, tenant))
        }
        (Authority::Organizations, Identity::Personal { .. }) => {
            // A personal account at `organizations` gets its first directory where it is a guest.
            let mut tenants = world.tenants_of_identity(identity);
            tenants.sort_by_key(|(t, _)| {
                world
                    .tenant(*t)
                    .map(|p| p.tenant.created)
                    .unwrap_or_default()
            });
            match tenants.first() {
                Some((t, _)) => in_tenant(*t),
                None => Err(personal_account_in_no_directory(&username)),
            }
        }
        (_, Identity::Organizational { tenant, .. }) => in_tenant(tenant),
    }
}

/// The subject for an identity at a tenant, for refresh tokens redeemed at another tenant.
pub fn subject_at(
    world: &World,
    identity: Identity,
    tenant: TenantId,
) -> Result<Subject, SignInError> {
    subject(world, identity, Authority::Tenant(tenant))
}

/// Whether an identity can still sign in: it exists and is enabled at home.
pub fn identity_enabled(world: &World, identity: Identity) -> bool {
    match identity {
        Identity::Personal { account } => world.account(account).is_some_and(|a| a.enabled),
        Identity::Organizational { tenant, user } => world
            .user(user)
            .is_some_and(|u| u.enabled && u.tenant == tenant && u.is_member()),
    }
}

/// The account type a person picks when one email is both (the sign-in page's picker).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    /// Work or school account.
    Organizational,
    /// Personal Microsoft account.
    Personal,
}

impl AccountKind {
    /// As forms and world files write it.
    pub fn name(self) -> &'static str {
        match self {
            AccountKind::Organizational => "organizational",
            AccountKind::Personal => "personal",
        }
    }

    pub fn from_name(name: &str) -> Option<AccountKind> {
        match name {
            "organizational" => Some(AccountKind::Organizational),
            "personal" => Some(AccountKind::Personal),
            _ => None,
        }
    }

    fn matches(&self, identity: &Identity) -> bool {
        matches!(
            (self, identity),
            (AccountKind::Organizational, Identity::Organizational { .. })
                | (AccountKind::Personal, Identity::Personal { .. })
        )
    }
}

/// The candidates of a username once the person picked an account type, and the authority their token
/// is then for: at `common` the pick answers the dual-identity question (`organizations` or
/// `consumers`); at a tenant where both identities are present it chooses between them.
pub fn candidates_of_kind(
    world: &World,
    authority: Authority,
    username: &str,
    kind: Option<AccountKind>,
) -> Result<(Authority, Vec<Identity>), SignInError> {
    let Some(kind) = kind else {
        return candidates(world, authority, username).map(|c| (authority, c));
    };
    let narrowed = match (authority, kind) {
        (Authority::Common, AccountKind::Organizational) => Authority::Organizations,
        (Authority::Common, AccountKind::Personal) => Authority::Consumers,
        (a, _) => a,
    };
    let all = all_identities(world, username);
    let of_kind: Vec<Identity> = all.iter().copied().filter(|i| kind.matches(i)).collect();
    let list: Vec<Identity> = match narrowed {
        Authority::Tenant(t) => {
            let present: Vec<Identity> = of_kind
                .iter()
                .copied()
                .filter(|i| world.presence(*i, t).is_some())
                .collect();
            if present.is_empty() && !of_kind.is_empty() {
                return Err(not_in_tenant(world, username, t));
            }
            present
        }
        Authority::Consumers if kind == AccountKind::Organizational => vec![],
        _ => of_kind,
    };
    if list.is_empty() {
        return Err(unknown_user(username));
    }
    Ok((narrowed, list))
}

/// Every identity a username names, whatever the authority.
pub fn all_identities(world: &World, username: &str) -> Vec<Identity> {
    let m = world.email_matches(username);
    m.personal
        .map(|account| Identity::Personal { account })
        .into_iter()
        .chain(
            m.organizational
                .iter()
                .map(|(tenant, user)| Identity::Organizational {
                    tenant: *tenant,
                    user: *user,
                }),
        )
        .collect()
}
