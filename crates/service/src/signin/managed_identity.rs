//! Managed identities' tokens: a process holding an endpoint secret of a resource (issued by
//! `tenantry identity env`) asks for a token of one of that resource's identities, as App Service's
//! and IMDS's local token services answer it. The token is an app token of the identity's service
//! principal, as client credentials give, with Entra's managed-identity claim (`xms_mirid`).

use super::claims::Lifetime;
use super::{SignIn, SignInFailure};
use crate::crypto::secrets;
use crate::{Service, ServiceError};
use tenantry_domain::rules::identity_endpoint;
use tenantry_domain::signin::managed_identity::{
    IdentityEndpointRefusal, IdentitySelector, endpoint_secret_resource, select_identity,
};
use tenantry_domain::signin::{SignInError, check_app_scope, parse_scope, scope_for_resource};
use tenantry_domain::{Actor, IdentityEndpointSecret, RequestId, Scope};

/// Prefix of endpoint secrets, so people and secret scanners recognise them.
const ENDPOINT_SECRET_PREFIX: &str = "tmi_";

/// Random bytes in an endpoint secret (256 bits: a SHA-256 of it is enough, see `crypto::secrets`).
const ENDPOINT_SECRET_BYTES: usize = 32;

impl Service {
    /// Issues a new endpoint secret for the resource at `scope` (which must have identities); returns
    /// the secret, shown once.
    pub async fn issue_identity_endpoint_secret(
        &self,
        actor: &Actor,
        scope: &Scope,
    ) -> Result<String, ServiceError> {
        let text = format!(
            "{ENDPOINT_SECRET_PREFIX}{}",
            secrets::random_token(ENDPOINT_SECRET_BYTES)
        );
        let kept = IdentityEndpointSecret {
            id: RequestId::new(),
            hash: secrets::hash_client_secret(&text),
            created: self.now(),
        };
        self.run(|w, now| {
            identity_endpoint::issue_endpoint_secret(w, actor, scope, kept, now).map(|c| (c, ()))
        })
        .await?;
        Ok(text)
    }

    /// Revokes every endpoint secret of the resource at `scope`; returns how many there were.
    pub async fn revoke_identity_endpoint_secrets(
        &self,
        actor: &Actor,
        scope: &Scope,
    ) -> Result<usize, ServiceError> {
        self.run(|w, now| identity_endpoint::revoke_endpoint_secrets(w, actor, scope, now))
            .await
    }
}

/// The environment variables a process exports to use an endpoint secret, for a server at `base_url`:
/// the App Service form (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`) and the IMDS form
/// (`AZURE_POD_IDENTITY_AUTHORITY_HOST`, whose path carries the secret: the clients send none on it).
pub fn endpoint_environment(base_url: &str, secret: &str) -> [(&'static str, String); 3] {
    let base = base_url.trim_end_matches('/');
    [
        ("IDENTITY_ENDPOINT", format!("{base}/msi/token")),
        ("IDENTITY_HEADER", secret.to_string()),
        (
            "AZURE_POD_IDENTITY_AUTHORITY_HOST",
            format!("{base}/msi/{secret}"),
        ),
    ]
}

/// A managed-identity token request, whichever form it came in (no `Debug`: it carries the secret).
pub struct ManagedIdentityRequest {
    pub secret: Option<String>,
    /// The App ID URI the token is for (`resource=`).
    pub resource: Option<String>,
    pub selector: Option<IdentitySelector>,
}

/// A managed identity's token and what both forms answer with it (no `Debug`: it carries the token).
pub struct ManagedIdentityToken {
    pub access_token: String,
    pub expires_in: i64,
    pub expires_on: i64,
    pub not_before: i64,
    pub resource: String,
    pub client_id: uuid::Uuid,
}

/// Why no token was given.
#[derive(Debug)]
pub enum ManagedIdentityFailure {
    Refused(IdentityEndpointRefusal),
    /// The resource asked for, refused as Entra refuses it.
    SignIn(SignInError),
    Internal(ServiceError),
}

impl From<IdentityEndpointRefusal> for ManagedIdentityFailure {
    fn from(e: IdentityEndpointRefusal) -> Self {
        ManagedIdentityFailure::Refused(e)
    }
}

impl From<SignInError> for ManagedIdentityFailure {
    fn from(e: SignInError) -> Self {
        ManagedIdentityFailure::SignIn(e)
    }
}

impl From<ServiceError> for ManagedIdentityFailure {
    fn from(e: ServiceError) -> Self {
        ManagedIdentityFailure::Internal(e)
    }
}

impl From<SignInFailure> for ManagedIdentityFailure {
    fn from(e: SignInFailure) -> Self {
        match e {
            SignInFailure::Refused(e) => ManagedIdentityFailure::SignIn(e),
            SignInFailure::Internal(e) => ManagedIdentityFailure::Internal(e),
        }
    }
}

impl SignIn {
    /// A token for one of the identities of the resource whose endpoint secret the request carries.
    pub async fn managed_identity_token(
        &self,
        req: ManagedIdentityRequest,
    ) -> Result<ManagedIdentityToken, ManagedIdentityFailure> {
        let secret = req
            .secret
            .filter(|s| !s.is_empty())
            .ok_or(IdentityEndpointRefusal::UnknownSecret)?;
        let resource = req
            .resource
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty())
            .ok_or(IdentityEndpointRefusal::MissingParameter("resource"))?;
        // A resource URI's `.default`, exactly what client credentials accept.
        let scope = parse_scope(&scope_for_resource(&resource))?;
        check_app_scope(&scope)?;
        // Hashed once, then compared with each stored hash in constant time.
        let presented = secrets::hash_client_secret(&secret);
        let app = self.service().read(|w| {
            let holder = endpoint_secret_resource(w, |stored| {
                secrets::constant_time_eq(presented.as_bytes(), stored.as_bytes())
            })
            .ok_or(IdentityEndpointRefusal::UnknownSecret)?;
            select_identity(w, holder, req.selector.as_ref()).cloned()
        })?;
        let at = Lifetime::starting(self.service().now());
        // Entra's managed-identity tokens: the platform authenticated with a certificate (`2`), and
        // the identity's resource id.
        let mut access = self.app_access_claims(&app, &scope.resource, at, "2");
        access.xms_mirid = app
            .managed_identity
            .as_ref()
            .map(|m| m.resource.to_string());
        let access_token = self.sign(&access).await?;
        crate::metrics::token_issued("managed_identity");
        Ok(ManagedIdentityToken {
            access_token,
            expires_in: super::grants::expires_in(at),
            expires_on: at.exp,
            not_before: at.iat,
            resource,
            client_id: app.client_id,
        })
    }
}
