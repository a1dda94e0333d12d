//! Who is signing in where: the rules behind the token endpoint and the sign-in page. A username names a
//! personal account, an organizational account, or both (the article's dual-identity problem); an
//! authority (`{tenant}`, `organizations`, `consumers`, `common`) says which realm the token is for. The
//! outcome is the subject of the token: the identity, the token's tenant and the object id there.

use crate::ids::*;
use crate::model::*;
use crate::world::World;
use serde::Serialize;

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

/// An Entra sign-in error: the AADSTS code and the OAuth error it travels with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignInError {
    /// `invalid_grant`, `invalid_client`, `invalid_request`, `unauthorized_client`, `invalid_scope`…
    pub error: &'static str,
    pub code: u32,
    pub message: String,
}

impl SignInError {
    pub fn new(error: &'static str, code: u32, message: impl Into<String>) -> Self {
        Self {
            error,
            code,
            message: message.into(),
        }
    }
    /// `AADSTS50126: Error validating credentials…`
    pub fn description(&self) -> String {
        format!("AADSTS{}: {}", self.code, self.message)
    }
}

impl std::fmt::Display for SignInError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description())
    }
}

pub fn tenant_not_found(segment: &str) -> SignInError {
    SignInError::new(
        "invalid_request",
        90002,
        format!(
            "Tenant '{segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
        ),
    )
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
    let unknown = || {
        SignInError::new(
            "invalid_grant",
            50034,
            format!(
                "The user account {username} does not exist in the directory. To sign into this application, the account must be added to the directory."
            ),
        )
    };
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
                return Err(SignInError::new(
                    "invalid_request",
                    50001,
                    format!(
                        "The account {username} is both a personal Microsoft account and a work or school account. Sign in at the 'organizations' authority for the work or school account, or at 'consumers' for the personal account."
                    ),
                ));
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
                return Err(SignInError::new(
                    "invalid_request",
                    50001,
                    format!(
                        "The account {username} is both a personal Microsoft account and a work or school account in this directory. Sign in at 'organizations' or 'consumers' instead."
                    ),
                ));
            }
            if present.is_empty() && !m.is_empty() {
                return Err(not_in_tenant(world, username, t));
            }
            present
        }
    };
    if list.is_empty() {
        return Err(unknown());
    }
    Ok(list)
}

pub fn not_in_tenant(world: &World, username: &str, tenant: TenantId) -> SignInError {
    let name = world
        .tenant(tenant)
        .map(|t| t.tenant.display_name.clone())
        .unwrap_or_else(|| tenant.to_string());
    SignInError::new(
        "invalid_grant",
        50020,
        format!(
            "User account '{username}' from identity provider does not exist in tenant '{name}' and cannot access the application in that tenant. The account needs to be added as an external user in the tenant first."
        ),
    )
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

pub fn disabled(username: &str) -> SignInError {
    SignInError::new(
        "invalid_grant",
        50057,
        format!("The user account {username} is disabled."),
    )
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
                None => Err(SignInError::new(
                    "invalid_grant",
                    50020,
                    format!(
                        "User account '{username}' from identity provider 'live.com' does not exist in any directory. Use the 'consumers' authority, or be invited to a directory first."
                    ),
                )),
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
