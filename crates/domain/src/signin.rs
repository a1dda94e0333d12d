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

/// The OAuth 2.0 error a refusal travels with (RFC 6749 §5.2, RFC 8628 §3.5, OpenID Connect Core
/// §3.1.2.6), as the `error` field of Entra's answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OAuthError {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedResponseType,
    InvalidScope,
    AuthorizationPending,
    AuthorizationDeclined,
    ExpiredToken,
    LoginRequired,
    InteractionRequired,
    TemporarilyUnavailable,
}

impl OAuthError {
    /// The wire name (`invalid_grant`…).
    pub fn as_str(self) -> &'static str {
        match self {
            OAuthError::InvalidRequest => "invalid_request",
            OAuthError::InvalidClient => "invalid_client",
            OAuthError::InvalidGrant => "invalid_grant",
            OAuthError::UnauthorizedClient => "unauthorized_client",
            OAuthError::UnsupportedGrantType => "unsupported_grant_type",
            OAuthError::UnsupportedResponseType => "unsupported_response_type",
            OAuthError::InvalidScope => "invalid_scope",
            OAuthError::AuthorizationPending => "authorization_pending",
            OAuthError::AuthorizationDeclined => "authorization_declined",
            OAuthError::ExpiredToken => "expired_token",
            OAuthError::LoginRequired => "login_required",
            OAuthError::InteractionRequired => "interaction_required",
            OAuthError::TemporarilyUnavailable => "temporarily_unavailable",
        }
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every refusal of the sign-in service, by its Entra code. [`EntraCode::entry`] is the one table of
/// what each travels with: the OAuth error, the AADSTS number, and what it means (Entra's wording; a
/// refusal's message may name the account, client or parameter involved).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum EntraCode {
    TenantNotFound,
    UnknownUser,
    /// An email that is both a personal and a work account, where the authority cannot tell which.
    AmbiguousAccount,
    UserNotInTenant,
    UserDisabled,
    InvalidCredentials,
    LockedOut,
    MissingParameter,
    MalformedRequest,
    UnsupportedGrantType,
    UnsupportedResponseType,
    InvalidScope,
    UnknownClient,
    InvalidClientSecret,
    ExpiredClientSecret,
    MissingClientSecret,
    AppNeedsTenant,
    InvalidGrant,
    ExpiredGrant,
    AuthorizationPending,
    DeviceCodeExpired,
    DeviceCodeDeclined,
    BadUserCode,
    LoginRequired,
    PkceMismatch,
    PkceRequired,
    /// `/authorize`: the redirect URI is not one the application registered.
    RedirectUriMismatch,
    /// The token endpoint: the redirect URI is not the one the code was issued for.
    CodeRedirectUriMismatch,
    /// A sign-in page's form no longer matches the browser's session (expired, or posted from elsewhere).
    SignInPageExpired,
    TemporarilyUnavailable,
}

impl EntraCode {
    /// The table: OAuth error, AADSTS number, description.
    pub const fn entry(self) -> (OAuthError, u32, &'static str) {
        use OAuthError::*;
        match self {
            EntraCode::TenantNotFound => (
                InvalidRequest,
                90002,
                "The tenant was not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.",
            ),
            EntraCode::UnknownUser => (
                InvalidGrant,
                50034,
                "The user account does not exist in the directory. To sign into this application, the account must be added to the directory.",
            ),
            EntraCode::AmbiguousAccount => (
                InvalidRequest,
                50001,
                "The account is both a personal Microsoft account and a work or school account. Sign in at 'organizations' or 'consumers' to say which.",
            ),
            EntraCode::UserNotInTenant => (
                InvalidGrant,
                50020,
                "The user account from the identity provider does not exist in the tenant and cannot access the application in that tenant.",
            ),
            EntraCode::UserDisabled => (InvalidGrant, 50057, "The user account is disabled."),
            EntraCode::InvalidCredentials => (
                InvalidGrant,
                50126,
                "Error validating credentials due to invalid username or password.",
            ),
            EntraCode::LockedOut => (
                InvalidGrant,
                50053,
                "Your account is locked because you've tried to sign in too many times with an incorrect user ID or password. Wait a while and try again.",
            ),
            EntraCode::MissingParameter => (
                InvalidRequest,
                900144,
                "The request body must contain a required parameter.",
            ),
            EntraCode::MalformedRequest => (
                InvalidRequest,
                9002313,
                "Invalid request. Request is malformed or invalid.",
            ),
            EntraCode::UnsupportedGrantType => (
                UnsupportedGrantType,
                70003,
                "The app requested an unsupported grant type.",
            ),
            EntraCode::UnsupportedResponseType => (
                UnsupportedResponseType,
                9002313,
                "The response type is not supported; use 'code'.",
            ),
            EntraCode::InvalidScope => (
                InvalidScope,
                70011,
                "The provided value for the input parameter 'scope' is not valid.",
            ),
            EntraCode::UnknownClient => (
                UnauthorizedClient,
                700016,
                "The application was not found in the directory.",
            ),
            EntraCode::InvalidClientSecret => {
                (InvalidClient, 7000215, "Invalid client secret provided.")
            }
            EntraCode::ExpiredClientSecret => (
                InvalidClient,
                7000222,
                "The provided client secret keys are expired.",
            ),
            EntraCode::MissingClientSecret => (
                InvalidClient,
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            ),
            EntraCode::AppNeedsTenant => (
                InvalidRequest,
                50194,
                "The application is not configured as a multi-tenant application. Use a tenant-specific endpoint.",
            ),
            EntraCode::InvalidGrant => (
                InvalidGrant,
                70000,
                "The provided grant is not valid, or it was already used or revoked.",
            ),
            EntraCode::ExpiredGrant => (
                InvalidGrant,
                70008,
                "The provided grant has expired due to inactivity. The user must sign in again.",
            ),
            EntraCode::AuthorizationPending => (
                AuthorizationPending,
                70016,
                "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
            ),
            EntraCode::DeviceCodeExpired => (
                ExpiredToken,
                70020,
                "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
            ),
            EntraCode::DeviceCodeDeclined => (
                AuthorizationDeclined,
                70000,
                "The user declined the sign-in request on the verification page.",
            ),
            EntraCode::BadUserCode => (
                InvalidRequest,
                70019,
                "That code is not valid or has expired. Check it on your device, or start signing in there again for a new one.",
            ),
            EntraCode::LoginRequired => (
                LoginRequired,
                50058,
                "A silent sign-in request was sent but no user is signed in.",
            ),
            EntraCode::PkceMismatch => (
                InvalidGrant,
                501481,
                "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
            ),
            EntraCode::PkceRequired => (
                InvalidRequest,
                9002325,
                "Proof Key for Code Exchange (S256) is required for this public client.",
            ),
            EntraCode::RedirectUriMismatch => (
                InvalidRequest,
                50011,
                "The redirect URI specified in the request does not match the redirect URIs configured for the application.",
            ),
            EntraCode::CodeRedirectUriMismatch => (
                InvalidGrant,
                50011,
                "The redirect URI in the token request does not match the one the authorization code was issued for.",
            ),
            EntraCode::SignInPageExpired => (
                InvalidRequest,
                90014,
                "The sign-in page expired. Enter your email again.",
            ),
            EntraCode::TemporarilyUnavailable => (
                TemporarilyUnavailable,
                90033,
                "A transient error has occurred. Please try again.",
            ),
        }
    }

    /// The OAuth error it travels with.
    pub const fn error(self) -> OAuthError {
        self.entry().0
    }

    /// The AADSTS number.
    pub const fn number(self) -> u32 {
        self.entry().1
    }

    /// What it means, in Entra's words.
    pub const fn description(self) -> &'static str {
        self.entry().2
    }
}

/// `AADSTS50126`.
impl std::fmt::Display for EntraCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AADSTS{}", self.number())
    }
}

/// An Entra sign-in refusal: its code, and the message that says it of this request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignInError {
    pub code: EntraCode,
    /// The OAuth error: the code's own, except where a flow answers with another (OpenID Connect's
    /// `interaction_required` for a silent request, see [`SignInError::needs_interaction`]).
    pub error: OAuthError,
    pub message: String,
}

impl SignInError {
    /// A refusal with its own message.
    pub fn new(code: EntraCode, message: impl Into<String>) -> Self {
        Self {
            code,
            error: code.error(),
            message: message.into(),
        }
    }

    /// A refusal worded as the table describes its code.
    pub fn of(code: EntraCode) -> Self {
        Self::new(code, code.description())
    }

    /// The same refusal for a request that must not show a page (`prompt=none`): the person would have
    /// to interact to get past it.
    pub fn needs_interaction(self) -> Self {
        Self {
            error: OAuthError::InteractionRequired,
            ..self
        }
    }

    /// The OAuth `error_description`: `AADSTS50126: Error validating credentials…`
    pub fn error_description(&self) -> String {
        format!("{}: {}", self.code, self.message)
    }
}

impl From<EntraCode> for SignInError {
    fn from(code: EntraCode) -> Self {
        Self::of(code)
    }
}

impl std::fmt::Display for SignInError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.error_description())
    }
}

pub fn tenant_not_found(segment: &str) -> SignInError {
    SignInError::new(
        EntraCode::TenantNotFound,
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
                    EntraCode::AmbiguousAccount,
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
                    EntraCode::AmbiguousAccount,
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
        return Err(unknown_user(username));
    }
    Ok(list)
}

pub fn not_in_tenant(world: &World, username: &str, tenant: TenantId) -> SignInError {
    let name = world
        .tenant(tenant)
        .map(|t| t.tenant.display_name.clone())
        .unwrap_or_else(|| tenant.to_string());
    SignInError::new(
        EntraCode::UserNotInTenant,
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
        EntraCode::UserDisabled,
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
        (Authority::Consumers, Identity::Organizational { tenant, .. }) => {
            // The consumer realm ("Microsoft Services") holds personal accounts only.
            Err(SignInError::new(
                EntraCode::UserNotInTenant,
                format!(
                    "User account '{username}' from identity provider 'https://sts.windows.net/{tenant}/' does not exist in tenant 'Microsoft Services' and cannot access the application. Use the 'organizations' authority or the account's tenant."
                ),
            ))
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
                None => Err(SignInError::new(
                    EntraCode::UserNotInTenant,
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

// ----- the token endpoint's requests: scopes, clients, refusals -----

/// How long access and id tokens live (Entra's default: one hour; `expires_in` says 3599).
pub const ACCESS_TOKEN_LIFETIME: i64 = 3600;
/// How long a refresh token lives without being used (Entra: 90 days, sliding).
pub const REFRESH_TOKEN_LIFETIME: i64 = 90 * 24 * 3600;
/// How long an authorization code may wait for redemption (Entra: 10 minutes).
pub const AUTH_CODE_LIFETIME: i64 = 600;

/// The OpenID Connect scopes: they ask for an id token or a refresh token, not for a resource.
pub const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "offline_access", "email"];

/// Microsoft Graph, the resource of unqualified scopes (`User.Read`) and of OIDC-only requests.
pub const GRAPH_RESOURCE: &str = "https://graph.microsoft.com";

/// What a `scope` parameter asks for: one resource, the permissions on it, and the OIDC extras.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestedScope {
    /// The resource (the token's `aud`): the scope minus its last `/name`, kept as the client wrote it,
    /// so az's `https://management.core.windows.net//.default` names `https://management.core.windows.net/`.
    pub resource: String,
    /// The permission names on the resource (`.default`, `user_impersonation`, `User.Read`…).
    pub permissions: Vec<String>,
    pub openid: bool,
    pub offline_access: bool,
    /// The requested resource scopes as written, for the response's `scope`.
    pub resource_scopes: Vec<String>,
}

impl RequestedScope {
    /// `.default` (or nothing but OIDC scopes): every permission the client has on the resource.
    pub fn is_default(&self) -> bool {
        self.permissions.is_empty() || self.permissions.iter().any(|p| p == ".default")
    }
    /// The `scp` of a user token: the permissions asked for, or `user_impersonation` for `.default`.
    pub fn delegated_scp(&self) -> String {
        if self.is_default() {
            "user_impersonation".into()
        } else {
            self.permissions.join(" ")
        }
    }
}

/// Parses a space-separated `scope`. All resource scopes must name one resource (Entra refuses
/// several); a request of OIDC scopes alone is for Microsoft Graph.
pub fn parse_scope(scope: &str) -> Result<RequestedScope, SignInError> {
    let mut out = RequestedScope {
        resource: String::new(),
        permissions: vec![],
        openid: false,
        offline_access: false,
        resource_scopes: vec![],
    };
    let mut any = false;
    for s in scope.split_ascii_whitespace() {
        any = true;
        match s.to_ascii_lowercase().as_str() {
            "openid" => out.openid = true,
            "offline_access" => out.offline_access = true,
            "profile" | "email" => {}
            _ => add_resource_scope(&mut out, s)?,
        }
    }
    if !any {
        return Err(missing_parameter("scope"));
    }
    if out.resource.is_empty() {
        out.resource = GRAPH_RESOURCE.into();
    }
    Ok(out)
}

fn add_resource_scope(out: &mut RequestedScope, s: &str) -> Result<(), SignInError> {
    // `https://host/path/name` → resource `https://host/path`, permission `name`; a bare name is Graph's.
    let (resource, name) = match s.rsplit_once('/') {
        Some((r, n)) if !r.is_empty() && !n.is_empty() && r != "https:/" && r != "http:/" => (r, n),
        Some(_) => return Err(invalid_scope(s)),
        None => (GRAPH_RESOURCE, s),
    };
    if out.resource.is_empty() {
        out.resource = resource.to_string();
    } else if out.resource != resource {
        return Err(SignInError::new(
            EntraCode::InvalidScope,
            format!(
                "The provided value for the input parameter 'scope' is not valid. The scopes '{}' and '{s}' are for different resources; all scopes in one request must be for a single resource.",
                out.resource_scopes.first().cloned().unwrap_or_default()
            ),
        ));
    }
    out.permissions.push(name.to_string());
    out.resource_scopes.push(s.to_string());
    Ok(())
}

/// The scope of a v1 request (`resource=`): the resource's `.default`.
pub fn scope_for_resource(resource: &str) -> String {
    format!("{resource}/.default")
}

/// The scope of a v1 request made for a user (`resource=` at the token, authorize or device code
/// endpoint): the resource's `.default`, and an id token and a refresh token, which v1 always gave.
pub fn user_scope_for_resource(resource: &str) -> String {
    format!("{} openid offline_access", scope_for_resource(resource))
}

/// Client credentials carry the application's own permissions only: `<resource>/.default`.
pub fn check_app_scope(scope: &RequestedScope) -> Result<(), SignInError> {
    if scope.resource_scopes.is_empty() || !scope.permissions.iter().all(|p| p == ".default") {
        return Err(SignInError::new(
            EntraCode::InvalidScope,
            "The provided value for the input parameter 'scope' is not valid. The client credentials flow needs a scope of the form <resource>/.default, e.g. https://management.azure.com/.default.",
        ));
    }
    Ok(())
}

/// Microsoft's first-party public clients, which exist in every tenant without registration: the Azure
/// CLI (also azure-identity's default), Azure PowerShell, Visual Studio Code and the Azure portal.
pub const FIRST_PARTY_CLIENTS: [(&str, &str); 4] = [
    (
        "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        "Microsoft Azure CLI",
    ),
    (
        "1950a258-227b-4e31-a9cf-717495945fc2",
        "Microsoft Azure PowerShell",
    ),
    ("aebc6443-996d-45c2-90f0-388ff96faa56", "Visual Studio Code"),
    ("c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal"),
];

pub fn first_party_client(client_id: uuid::Uuid) -> Option<&'static str> {
    FIRST_PARTY_CLIENTS
        .iter()
        .find(|(id, _)| id.parse::<uuid::Uuid>().is_ok_and(|u| u == client_id))
        .map(|(_, name)| *name)
}

/// A native client's redirect URI on the loopback interface: any port is allowed (RFC 8252 §7.3), as
/// Entra allows it for the first-party clients.
pub fn is_loopback_redirect(uri: &str) -> bool {
    let rest = match uri.strip_prefix("http://") {
        Some(r) => r,
        None => return false,
    };
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match host_port.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host_port,
    };
    matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}

/// Smart lockout: failures before an account or address is locked, the first lock, and its cap.
pub const LOCKOUT_THRESHOLD: i64 = 10;
pub const LOCKOUT_FIRST_SECONDS: i64 = 60;
pub const LOCKOUT_MAX_SECONDS: i64 = 3600;
/// A counter with no failure for this long starts again.
pub const LOCKOUT_FORGET_AFTER: i64 = 24 * 3600;

/// How long to lock after the `failures`-th failure in a row: nothing below the threshold, then 60 s,
/// doubling with each failure after a lock expired (each such failure is a new lockout), capped.
pub fn lockout_seconds(failures: i64) -> Option<i64> {
    if failures < LOCKOUT_THRESHOLD {
        return None;
    }
    let doublings = (failures - LOCKOUT_THRESHOLD).min(16) as u32;
    Some((LOCKOUT_FIRST_SECONDS << doublings).min(LOCKOUT_MAX_SECONDS))
}

// ----- Entra's refusals, worded as Entra words them -----

pub fn missing_parameter(name: &str) -> SignInError {
    SignInError::new(
        EntraCode::MissingParameter,
        format!("The request body must contain the following parameter: '{name}'."),
    )
}

/// A parameter's value, unless it is absent or empty (then [`missing_parameter`]).
pub fn required(value: Option<String>, name: &str) -> Result<String, SignInError> {
    value
        .filter(|v| !v.is_empty())
        .ok_or_else(|| missing_parameter(name))
}

pub fn malformed_request(detail: &str) -> SignInError {
    SignInError::new(
        EntraCode::MalformedRequest,
        format!("Invalid request. Request is malformed or invalid. {detail}"),
    )
}

pub fn unsupported_grant_type(grant: &str) -> SignInError {
    SignInError::new(
        EntraCode::UnsupportedGrantType,
        format!("The app requested an unsupported grant type '{grant}'."),
    )
}

pub fn invalid_scope(scope: &str) -> SignInError {
    SignInError::new(
        EntraCode::InvalidScope,
        format!(
            "The provided value for the input parameter 'scope' is not valid. The scope '{scope}' is not valid."
        ),
    )
}

pub fn wrong_password() -> SignInError {
    SignInError::of(EntraCode::InvalidCredentials)
}

pub fn locked_out() -> SignInError {
    SignInError::of(EntraCode::LockedOut)
}

pub fn unknown_client(client_id: &str, directory: &str) -> SignInError {
    SignInError::new(
        EntraCode::UnknownClient,
        format!(
            "Application with identifier '{client_id}' was not found in the directory '{directory}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
        ),
    )
}

pub fn bad_client_secret(client_id: &str) -> SignInError {
    SignInError::new(
        EntraCode::InvalidClientSecret,
        format!(
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
        ),
    )
}

pub fn expired_client_secret(client_id: &str) -> SignInError {
    SignInError::new(
        EntraCode::ExpiredClientSecret,
        format!("The provided client secret keys for app '{client_id}' are expired."),
    )
}

pub fn missing_client_secret() -> SignInError {
    SignInError::of(EntraCode::MissingClientSecret)
}

/// Client credentials at `common`, `organizations` or `consumers`: an app signs in to its own tenant.
pub fn app_needs_tenant(client_id: &str) -> SignInError {
    SignInError::new(
        EntraCode::AppNeedsTenant,
        format!(
            "Application '{client_id}' is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications. Use a tenant-specific endpoint."
        ),
    )
}

pub fn invalid_grant(what: &str) -> SignInError {
    SignInError::new(
        EntraCode::InvalidGrant,
        format!(
            "The provided value for the input parameter '{what}' is not valid, or the grant was already used or revoked."
        ),
    )
}

pub fn expired_grant(what: &str) -> SignInError {
    SignInError::new(
        EntraCode::ExpiredGrant,
        format!("The provided {what} has expired due to inactivity. The user must sign in again."),
    )
}

// ----- the device authorization grant (RFC 8628) -----

/// How long a device code waits for its person (Entra: 15 minutes).
pub const DEVICE_CODE_LIFETIME: i64 = 900;
/// How often the device may poll, in seconds.
pub const DEVICE_CODE_INTERVAL: i64 = 5;
/// The letters of a user code: no 0/O or 1/I to misread, 32 of them (5 bits each, drawn without bias).
pub const USER_CODE_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// Characters in a user code (45 bits; a guess must also come from a signed-in person within 15 minutes).
pub const USER_CODE_LENGTH: usize = 9;

/// The grant type a device polls with.
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// A user code as typed (any case, spaces or dashes between groups) in its canonical form; `None` when it
/// cannot be one.
pub fn normalize_user_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == USER_CODE_LENGTH && code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)))
        .then_some(code)
}

/// What the device is told while nobody has answered yet.
pub fn authorization_pending() -> SignInError {
    SignInError::of(EntraCode::AuthorizationPending)
}

pub fn device_code_expired() -> SignInError {
    SignInError::of(EntraCode::DeviceCodeExpired)
}

pub fn device_code_declined() -> SignInError {
    SignInError::of(EntraCode::DeviceCodeDeclined)
}

pub fn bad_device_code() -> SignInError {
    SignInError::new(
        EntraCode::InvalidGrant,
        "The provided value for the input parameter 'device_code' is not valid.",
    )
}

/// The person typed a code that is unknown, used, declined or expired.
pub fn bad_user_code() -> SignInError {
    SignInError::of(EntraCode::BadUserCode)
}

/// `prompt=none` with nobody signed in (OpenID Connect's `login_required`).
pub fn login_required() -> SignInError {
    SignInError::of(EntraCode::LoginRequired)
}

pub fn pkce_mismatch() -> SignInError {
    SignInError::of(EntraCode::PkceMismatch)
}

pub fn pkce_required() -> SignInError {
    SignInError::of(EntraCode::PkceRequired)
}

pub fn redirect_mismatch(redirect_uri: &str, client_id: &str) -> SignInError {
    SignInError::new(
        EntraCode::RedirectUriMismatch,
        format!(
            "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client_id}'."
        ),
    )
}

/// The token endpoint: the code was issued for another redirect URI.
pub fn code_redirect_mismatch() -> SignInError {
    SignInError::of(EntraCode::CodeRedirectUriMismatch)
}

pub fn unsupported_response_type(response_type: &str) -> SignInError {
    SignInError::new(
        EntraCode::UnsupportedResponseType,
        format!("The response type '{response_type}' is not supported; use 'code'."),
    )
}

pub fn invalid_refresh_token() -> SignInError {
    SignInError::new(
        EntraCode::InvalidGrant,
        "The provided value for the input parameter 'refresh_token' is not valid: it is unknown, was revoked, or was already used.",
    )
}

/// A used refresh token presented again: it was copied, so its family is revoked (RFC 9700 §4.14.2).
pub fn replayed_refresh_token() -> SignInError {
    SignInError::new(
        EntraCode::InvalidGrant,
        "The refresh token was already used. Every token issued from it has been revoked; the user must sign in again.",
    )
}

/// A sign-in page's form that does not carry the browser session's CSRF token.
pub fn sign_in_page_expired() -> SignInError {
    SignInError::of(EntraCode::SignInPageExpired)
}

/// A failure on tenantry's side, said without its internals.
pub fn temporarily_unavailable() -> SignInError {
    SignInError::of(EntraCode::TemporarilyUnavailable)
}

#[cfg(test)]
mod token_request_tests {
    use super::*;

    #[test]
    fn resources_keep_the_clients_spelling() {
        let s = parse_scope(
            "https://management.core.windows.net//.default offline_access openid profile",
        )
        .unwrap();
        assert_eq!(s.resource, "https://management.core.windows.net/");
        assert!(s.openid && s.offline_access && s.is_default());
        assert_eq!(
            s.resource_scopes,
            ["https://management.core.windows.net//.default"]
        );
        let s = parse_scope("https://management.azure.com/.default").unwrap();
        assert_eq!(s.resource, "https://management.azure.com");
        assert_eq!(s.delegated_scp(), "user_impersonation");
        let s = parse_scope("User.Read openid").unwrap();
        assert_eq!(s.resource, GRAPH_RESOURCE);
        assert_eq!(s.delegated_scp(), "User.Read");
        assert_eq!(
            parse_scope("openid profile").unwrap().resource,
            GRAPH_RESOURCE
        );
        assert_eq!(
            parse_scope("  ").unwrap_err().code,
            EntraCode::MissingParameter
        );
        assert_eq!(
            parse_scope("https://a.example/.default https://b.example/.default")
                .unwrap_err()
                .code,
            EntraCode::InvalidScope
        );
        let v1 = scope_for_resource("https://management.core.windows.net/");
        assert_eq!(
            parse_scope(&v1).unwrap().resource,
            "https://management.core.windows.net/"
        );
    }

    #[test]
    fn every_code_has_its_number_and_description() {
        assert_eq!(EntraCode::InvalidCredentials.number(), 50126);
        assert_eq!(EntraCode::InvalidCredentials.to_string(), "AADSTS50126");
        assert_eq!(
            EntraCode::InvalidClientSecret.error().as_str(),
            "invalid_client"
        );
        let e = wrong_password();
        assert_eq!(e.error, OAuthError::InvalidGrant);
        assert_eq!(
            e.error_description(),
            "AADSTS50126: Error validating credentials due to invalid username or password."
        );
        let silent = disabled("lee@contoso.com").needs_interaction();
        assert_eq!(silent.error.as_str(), "interaction_required");
        assert_eq!(silent.code, EntraCode::UserDisabled);
    }

    #[test]
    fn lockout_doubles_and_caps() {
        assert_eq!(lockout_seconds(9), None);
        assert_eq!(lockout_seconds(10), Some(60));
        assert_eq!(lockout_seconds(11), Some(120));
        assert_eq!(lockout_seconds(12), Some(240));
        assert_eq!(lockout_seconds(100), Some(LOCKOUT_MAX_SECONDS));
    }

    #[test]
    fn loopback_redirects() {
        assert!(is_loopback_redirect("http://localhost:8400"));
        assert!(is_loopback_redirect("http://127.0.0.1:51234/callback"));
        assert!(!is_loopback_redirect("https://localhost:8400"));
        assert!(!is_loopback_redirect("http://localhost.evil.example/"));
        assert!(!is_loopback_redirect("http://evil.example/?localhost"));
    }
}

// ----- who a verified access token speaks for -----

/// The principal an access token names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPrincipal {
    App {
        tenant: uuid::Uuid,
        object: uuid::Uuid,
        client_id: uuid::Uuid,
    },
    User {
        tenant: uuid::Uuid,
        object: uuid::Uuid,
    },
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

/// The actor behind a token, as the world is now: `None` when the principal vanished, was disabled, or is
/// no longer present in the token's tenant (a token outlives none of these).
pub fn token_actor(world: &World, principal: TokenPrincipal) -> Option<crate::Actor> {
    match principal {
        TokenPrincipal::App {
            tenant,
            object,
            client_id,
        } => {
            let app = world
                .application_by_client_id(client_id)
                .filter(|a| a.tenant.0 == tenant && a.id.0 == object)?;
            Some(crate::Actor::Application {
                tenant: app.tenant,
                object: app.id,
                client_id,
                name: app.display_name.clone(),
            })
        }
        TokenPrincipal::User { tenant, object } if tenant == CONSUMERS_TENANT => {
            let account = world.account(AccountId(object)).filter(|a| a.enabled)?;
            Some(crate::Actor::Personal {
                account: account.id,
                email: account.email.clone(),
            })
        }
        TokenPrincipal::User { tenant, object } => {
            let user = world
                .user(ObjectId(object))
                .filter(|u| u.tenant.0 == tenant && u.enabled && u.is_present())?;
            let identity = user.identity().filter(|i| identity_enabled(world, *i))?;
            Some(crate::Actor::User {
                tenant: user.tenant,
                object: user.id,
                identity,
                name: world
                    .identity_email(identity)
                    .unwrap_or_else(|| user.upn().to_string()),
            })
        }
    }
}

/// The directory role template ids (`wids`) of an object in a tenant.
pub fn directory_role_ids(world: &World, tenant: TenantId, object: ObjectId) -> Vec<String> {
    world
        .tenant(tenant)
        .map(|t| {
            t.roles_of(object)
                .iter()
                .map(|r| r.template_id().to_string())
                .collect()
        })
        .unwrap_or_default()
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

pub fn unknown_user(username: &str) -> SignInError {
    SignInError::new(
        EntraCode::UnknownUser,
        format!(
            "The user account {username} does not exist in the directory. To sign into this application, the account must be added to the directory."
        ),
    )
}
