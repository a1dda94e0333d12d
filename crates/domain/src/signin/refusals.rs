//! Entra's refusals: the OAuth error, the AADSTS code and its wording, in one table ([`EntraCode`]), and a
//! constructor for each refusal the sign-in rules make, worded as Entra words it.

use crate::ids::TenantId;
use serde::Serialize;

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
    /// The endpoint does not serve this HTTP method (a GET to the token endpoint).
    MethodNotAllowed,
    UnsupportedGrantType,
    UnsupportedResponseType,
    InvalidScope,
    UnknownClient,
    InvalidClientSecret,
    ExpiredClientSecret,
    MissingClientSecret,
    /// A client assertion that cannot be read (not a JWT, an algorithm tenantry does not accept).
    InvalidAssertion,
    /// A client assertion signed by a key that is not the application's (a certificate on it, or its
    /// federated issuer's), expired, or whose signature does not verify.
    InvalidAssertionSignature,
    /// A client assertion outside its `nbf`..`exp` window, or valid for too long.
    AssertionOutOfTime,
    /// A client assertion whose `aud` is not the tenant's token endpoint.
    AssertionAudienceMismatch,
    /// A client assertion whose `iss`/`sub` are not the client id.
    AssertionClientMismatch,
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
    /// Too many token requests from one client (or, for a public client, one client at one address):
    /// the token endpoint's 429.
    Throttled,
    /// A federated client assertion, and the application has no federated identity credential at all.
    NoFederatedCredential,
    /// A federated client assertion whose issuer no credential of the application names.
    FederatedIssuerMismatch,
    /// … whose audience no credential of that issuer names.
    FederatedAudienceMismatch,
    /// … whose subject no credential of that issuer and audience names.
    FederatedSubjectMismatch,
    /// A federated assertion's issuer whose discovery document or keys could not be fetched.
    IssuerMetadataUnavailable,
}

impl EntraCode {
    /// Every code, in the order of the enum (a catalogue of their wordings is checked against it).
    pub const ALL: [EntraCode; 42] = [
        EntraCode::TenantNotFound,
        EntraCode::UnknownUser,
        EntraCode::AmbiguousAccount,
        EntraCode::UserNotInTenant,
        EntraCode::UserDisabled,
        EntraCode::InvalidCredentials,
        EntraCode::LockedOut,
        EntraCode::MissingParameter,
        EntraCode::MalformedRequest,
        EntraCode::MethodNotAllowed,
        EntraCode::UnsupportedGrantType,
        EntraCode::UnsupportedResponseType,
        EntraCode::InvalidScope,
        EntraCode::UnknownClient,
        EntraCode::InvalidClientSecret,
        EntraCode::ExpiredClientSecret,
        EntraCode::MissingClientSecret,
        EntraCode::InvalidAssertion,
        EntraCode::InvalidAssertionSignature,
        EntraCode::AssertionOutOfTime,
        EntraCode::AssertionAudienceMismatch,
        EntraCode::AssertionClientMismatch,
        EntraCode::AppNeedsTenant,
        EntraCode::InvalidGrant,
        EntraCode::ExpiredGrant,
        EntraCode::AuthorizationPending,
        EntraCode::DeviceCodeExpired,
        EntraCode::DeviceCodeDeclined,
        EntraCode::BadUserCode,
        EntraCode::LoginRequired,
        EntraCode::PkceMismatch,
        EntraCode::PkceRequired,
        EntraCode::RedirectUriMismatch,
        EntraCode::CodeRedirectUriMismatch,
        EntraCode::SignInPageExpired,
        EntraCode::TemporarilyUnavailable,
        EntraCode::Throttled,
        EntraCode::NoFederatedCredential,
        EntraCode::FederatedIssuerMismatch,
        EntraCode::FederatedAudienceMismatch,
        EntraCode::FederatedSubjectMismatch,
        EntraCode::IssuerMetadataUnavailable,
    ];

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
            EntraCode::MethodNotAllowed => (
                InvalidRequest,
                900561,
                "The endpoint only accepts the methods it serves.",
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
            EntraCode::InvalidAssertion => (
                InvalidClient,
                50027,
                "Invalid JWT token. The client assertion is malformed.",
            ),
            EntraCode::InvalidAssertionSignature => (
                InvalidClient,
                700027,
                "Client assertion failed signature validation.",
            ),
            EntraCode::AssertionOutOfTime => (
                InvalidClient,
                700024,
                "Client assertion is not within its valid time range.",
            ),
            EntraCode::AssertionAudienceMismatch => (
                InvalidClient,
                700023,
                "Client assertion audience claim does not match Realm issuer.",
            ),
            EntraCode::AssertionClientMismatch => (
                InvalidClient,
                700021,
                "Client assertion application identifier doesn't match 'client_id' parameter.",
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
            // Entra's code for a throttled caller (TenantThrottlingError).
            EntraCode::Throttled => (
                TemporarilyUnavailable,
                90055,
                "There are too many incoming requests. Please try again later.",
            ),
            EntraCode::NoFederatedCredential => (
                InvalidRequest,
                70021,
                "No matching federated identity record found for presented assertion.",
            ),
            EntraCode::FederatedIssuerMismatch => (
                InvalidClient,
                700211,
                "No matching federated identity record found for presented assertion issuer.",
            ),
            EntraCode::FederatedAudienceMismatch => (
                InvalidClient,
                700212,
                "No matching federated identity record found for presented assertion audience.",
            ),
            EntraCode::FederatedSubjectMismatch => (
                InvalidClient,
                700213,
                "No matching federated identity record found for presented assertion subject.",
            ),
            EntraCode::IssuerMetadataUnavailable => (
                InvalidRequest,
                50166,
                "Request to External OIDC endpoint failed.",
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

    /// Its description's key in a catalogue: `signin-refusal-AADSTS<number>`, followed by a word for the
    /// codes that share their number with another (Entra answers 70000 for a bad grant and a declined
    /// device code alike).
    pub fn key(self) -> String {
        let suffix = match self {
            EntraCode::UnsupportedResponseType => "-response-type",
            EntraCode::DeviceCodeDeclined => "-declined",
            EntraCode::CodeRedirectUriMismatch => "-token-request",
            _ => "",
        };
        format!("signin-refusal-AADSTS{}{suffix}", self.number())
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
    /// Which wording of its code the message is: [`SignInError::DESCRIBED`] for the code's description,
    /// else a word its catalogue key adds to the code's (`-<variant>`, [`SignInError::key`]). A refusal
    /// worded in place, without one, has no key: a page in another language shows its English message.
    #[serde(skip)]
    pub variant: Option<&'static str>,
    /// The named values the message interpolates (`account`, `client`, …), for a page in another
    /// language. Not on the wire.
    #[serde(skip)]
    pub args: Vec<(&'static str, String)>,
}

impl SignInError {
    /// A refusal with its own message.
    pub fn new(code: EntraCode, message: impl Into<String>) -> Self {
        Self {
            code,
            error: code.error(),
            message: message.into(),
            variant: None,
            args: Vec::new(),
        }
    }

    /// Says which wording of its code the message is (see [`SignInError::variant`]).
    pub fn with_variant(mut self, variant: &'static str) -> Self {
        self.variant = Some(variant);
        self
    }

    /// Names a value the message interpolates.
    pub fn with_arg(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    /// The message's key in a catalogue: the code's ([`EntraCode::key`]) for its description, that
    /// followed by `-<variant>` for a wording of its own; `None` for a message worded in place.
    pub fn key(&self) -> Option<String> {
        match self.variant? {
            Self::DESCRIBED => Some(self.code.key()),
            v => Some(format!("{}-{v}", self.code.key())),
        }
    }

    /// A refusal worded as the table describes its code.
    pub fn of(code: EntraCode) -> Self {
        Self::new(code, code.description()).with_variant(Self::DESCRIBED)
    }

    /// The [`SignInError::variant`] of a refusal worded as its code's description.
    pub const DESCRIBED: &'static str = "";

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
    .with_arg("tenant", segment)
    .with_variant("tenant")
}

/// An email that names both a personal and a work account, at an authority that cannot tell which.
pub fn ambiguous_account(username: &str) -> SignInError {
    SignInError::new(
        EntraCode::AmbiguousAccount,
        format!(
            "The account {username} is both a personal Microsoft account and a work or school account. Sign in at the 'organizations' authority for the work or school account, or at 'consumers' for the personal account."
        ),
    )
    .with_arg("account", username)
    .with_variant("authority")
}

/// Both accounts of an email are present in the tenant asked for.
pub fn ambiguous_in_tenant(username: &str) -> SignInError {
    SignInError::new(
        EntraCode::AmbiguousAccount,
        format!(
            "The account {username} is both a personal Microsoft account and a work or school account in this directory. Sign in at 'organizations' or 'consumers' instead."
        ),
    )
    .with_arg("account", username)
    .with_variant("in-tenant")
}

pub fn user_not_in_tenant(username: &str, tenant_name: &str) -> SignInError {
    SignInError::new(
        EntraCode::UserNotInTenant,
        format!(
            "User account '{username}' from identity provider does not exist in tenant '{tenant_name}' and cannot access the application in that tenant. The account needs to be added as an external user in the tenant first."
        ),
    )
    .with_arg("account", username)
    .with_arg("directory", tenant_name)
    .with_variant("tenant")
}

/// The consumer realm ("Microsoft Services") holds personal accounts only.
pub fn work_account_at_consumers(username: &str, home_tenant: TenantId) -> SignInError {
    SignInError::new(
        EntraCode::UserNotInTenant,
        format!(
            "User account '{username}' from identity provider 'https://sts.windows.net/{home_tenant}/' does not exist in tenant 'Microsoft Services' and cannot access the application. Use the 'organizations' authority or the account's tenant."
        ),
    )
    .with_arg("account", username)
    .with_arg("home_tenant", home_tenant.to_string())
    .with_variant("consumers")
}

/// A personal account at `organizations` that is a guest nowhere.
pub fn personal_account_in_no_directory(username: &str) -> SignInError {
    SignInError::new(
        EntraCode::UserNotInTenant,
        format!(
            "User account '{username}' from identity provider 'live.com' does not exist in any directory. Use the 'consumers' authority, or be invited to a directory first."
        ),
    )
    .with_arg("account", username)
    .with_variant("no-directory")
}

pub fn disabled(username: &str) -> SignInError {
    SignInError::new(
        EntraCode::UserDisabled,
        format!("The user account {username} is disabled."),
    )
    .with_arg("account", username)
    .with_variant("account")
}

pub fn unknown_user(username: &str) -> SignInError {
    SignInError::new(
        EntraCode::UnknownUser,
        format!(
            "The user account {username} does not exist in the directory. To sign into this application, the account must be added to the directory."
        ),
    )
    .with_arg("account", username)
    .with_variant("account")
}

pub fn wrong_password() -> SignInError {
    SignInError::of(EntraCode::InvalidCredentials)
}

pub fn locked_out() -> SignInError {
    SignInError::of(EntraCode::LockedOut)
}

pub fn missing_parameter(name: &str) -> SignInError {
    SignInError::new(
        EntraCode::MissingParameter,
        format!("The request body must contain the following parameter: '{name}'."),
    )
    .with_arg("parameter", name)
    .with_variant("parameter")
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
    .with_arg("detail", detail)
    .with_variant("detail")
}

pub fn unsupported_grant_type(grant: &str) -> SignInError {
    SignInError::new(
        EntraCode::UnsupportedGrantType,
        format!("The app requested an unsupported grant type '{grant}'."),
    )
    .with_arg("grant", grant)
    .with_variant("grant")
}

pub fn invalid_scope(scope: &str) -> SignInError {
    SignInError::new(
        EntraCode::InvalidScope,
        format!(
            "The provided value for the input parameter 'scope' is not valid. The scope '{scope}' is not valid."
        ),
    )
    .with_arg("scope", scope)
    .with_variant("scope")
}

pub fn unknown_client(client_id: &str, directory: &str) -> SignInError {
    SignInError::new(
        EntraCode::UnknownClient,
        format!(
            "Application with identifier '{client_id}' was not found in the directory '{directory}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
        ),
    )
    .with_arg("client", client_id)
    .with_arg("directory", directory)
    .with_variant("client")
}

pub fn bad_client_secret(client_id: &str) -> SignInError {
    SignInError::new(
        EntraCode::InvalidClientSecret,
        format!(
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
        ),
    )
    .with_arg("client", client_id)
    .with_variant("client")
}

pub fn expired_client_secret(client_id: &str) -> SignInError {
    SignInError::new(
        EntraCode::ExpiredClientSecret,
        format!("The provided client secret keys for app '{client_id}' are expired."),
    )
    .with_arg("client", client_id)
    .with_variant("client")
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
    .with_arg("client", client_id)
    .with_variant("client")
}

pub fn invalid_grant(what: &str) -> SignInError {
    SignInError::new(
        EntraCode::InvalidGrant,
        format!(
            "The provided value for the input parameter '{what}' is not valid, or the grant was already used or revoked."
        ),
    )
    .with_arg("parameter", what)
    .with_variant("parameter")
}

pub fn expired_grant(what: &str) -> SignInError {
    SignInError::new(
        EntraCode::ExpiredGrant,
        format!("The provided {what} has expired due to inactivity. The user must sign in again."),
    )
    .with_arg("grant", what)
    .with_variant("grant")
}

/// Several resource scopes for different resources in one request.
pub fn scopes_for_several_resources(first: &str, other: &str) -> SignInError {
    SignInError::new(
        EntraCode::InvalidScope,
        format!(
            "The provided value for the input parameter 'scope' is not valid. The scopes '{first}' and '{other}' are for different resources; all scopes in one request must be for a single resource."
        ),
    )
    .with_arg("first", first)
    .with_arg("other", other)
    .with_variant("several-resources")
}

/// Client credentials carry the application's own permissions only.
pub fn app_scope_not_default() -> SignInError {
    SignInError::new(
        EntraCode::InvalidScope,
        "The provided value for the input parameter 'scope' is not valid. The client credentials flow needs a scope of the form <resource>/.default, e.g. https://management.azure.com/.default.",
    )
    .with_variant("not-default")
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
    .with_variant("device-code")
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
    .with_arg("redirect_uri", redirect_uri)
    .with_arg("client", client_id)
    .with_variant("uri")
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
    .with_arg("response_type", response_type)
    .with_variant("type")
}

pub fn invalid_refresh_token() -> SignInError {
    SignInError::new(
        EntraCode::InvalidGrant,
        "The provided value for the input parameter 'refresh_token' is not valid: it is unknown, was revoked, or was already used.",
    )
    .with_variant("refresh-token")
}

/// A used refresh token presented again: it was copied, so its family is revoked (RFC 9700 §4.14.2).
pub fn replayed_refresh_token() -> SignInError {
    SignInError::new(
        EntraCode::InvalidGrant,
        "The refresh token was already used. Every token issued from it has been revoked; the user must sign in again.",
    )
    .with_variant("replayed")
}

/// A sign-in page's form that does not carry the browser session's CSRF token.
pub fn sign_in_page_expired() -> SignInError {
    SignInError::of(EntraCode::SignInPageExpired)
}

/// A failure on tenantry's side, said without its internals.
pub fn temporarily_unavailable() -> SignInError {
    SignInError::of(EntraCode::TemporarilyUnavailable)
}

/// What Entra adds to each refusal of a federated assertion: how it compares, and where to look.
const FEDERATED_HINT: &str = "Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation";

/// A federated assertion for an application that trusts no external issuer.
pub fn no_federated_credential(issuer: &str, subject: &str, audience: &str) -> SignInError {
    SignInError::new(
        EntraCode::NoFederatedCredential,
        format!(
            "No matching federated identity record found for presented assertion. Assertion Issuer: '{issuer}'. Assertion Subject: '{subject}'. Assertion Audience: '{audience}'. The application has no federated identity credential: add one that names this issuer, subject and audience."
        ),
    )
    .with_arg("issuer", issuer)
    .with_arg("subject", subject)
    .with_arg("audience", audience)
    .with_variant("assertion")
}

pub fn federated_issuer_mismatch(issuer: &str) -> SignInError {
    SignInError::new(
        EntraCode::FederatedIssuerMismatch,
        format!(
            "No matching federated identity record found for presented assertion issuer '{issuer}'. {FEDERATED_HINT}"
        ),
    )
    .with_arg("issuer", issuer)
    .with_variant("assertion")
}

pub fn federated_audience_mismatch(audience: &str) -> SignInError {
    SignInError::new(
        EntraCode::FederatedAudienceMismatch,
        format!(
            "No matching federated identity record found for presented assertion audience '{audience}'. {FEDERATED_HINT}"
        ),
    )
    .with_arg("audience", audience)
    .with_variant("assertion")
}

pub fn federated_subject_mismatch(subject: &str) -> SignInError {
    SignInError::new(
        EntraCode::FederatedSubjectMismatch,
        format!(
            "No matching federated identity record found for presented assertion subject '{subject}'. {FEDERATED_HINT}"
        ),
    )
    .with_arg("subject", subject)
    .with_variant("assertion")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`EntraCode::ALL`] names every code: as many as the table has arms, each once.
    #[test]
    fn all_lists_every_code_once() {
        let source = include_str!("refusals.rs");
        let table = &source[source.find("pub const fn entry").unwrap()..];
        let table = &table[..table.find("\n    }\n").unwrap()];
        let arms = table.matches("EntraCode::").count();
        assert_eq!(arms, EntraCode::ALL.len());
        let keys: std::collections::HashSet<String> =
            EntraCode::ALL.iter().map(|c| c.key()).collect();
        assert_eq!(keys.len(), EntraCode::ALL.len(), "two codes share a key");
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
}
