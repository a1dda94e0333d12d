//! Who is asking for tokens: an application registered in a tenant (authenticated by its client secret
//! or a client assertion signed with one of its certificates, when it has credentials), or one of
//! Microsoft's first-party public clients (the Azure CLI, which azure-identity also uses), which exist
//! in every tenant as they do in Entra.

use super::SignIn;
use crate::crypto::{verify_assertion_signature, verify_client_secret};
use tenantry_domain::signin::{
    self, AssertionKind, ClientAssertion, EntraCode, SignInError, assertion_kind,
    bad_client_secret, expired_client_secret, missing_client_secret, missing_parameter,
    parse_authority, token_endpoint_segment, unknown_client,
};
use tenantry_domain::{Application, GroupMembershipClaims, World};

/// How a confidential client proves itself (no `Debug`: it carries secrets).
#[derive(Clone)]
pub enum ClientCredential {
    /// A client secret: in the body (client_secret_post) or `Authorization: Basic` (client_secret_basic).
    Secret(String),
    /// A JWT signed with the private key of a certificate on the application (RFC 7523,
    /// `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`).
    Assertion(String),
}

impl ClientCredential {
    /// How it proves the client: Entra's `appidacr`/`azpacr`.
    pub(crate) fn authentication(&self) -> ClientAuthentication {
        match self {
            ClientCredential::Secret(_) => ClientAuthentication::Secret,
            ClientCredential::Assertion(_) => ClientAuthentication::Certificate,
        }
    }
}

/// How a client proved itself, as tokens say it (`appidacr`): not at all (a public client), with a
/// secret, or with a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClientAuthentication {
    Public,
    Secret,
    Certificate,
}

impl ClientAuthentication {
    pub(crate) fn appidacr(self) -> &'static str {
        match self {
            ClientAuthentication::Public => "0",
            ClientAuthentication::Secret => "1",
            ClientAuthentication::Certificate => "2",
        }
    }
}

/// The client of a user flow.
#[derive(Debug, Clone)]
pub(crate) enum Client {
    FirstParty {
        id: uuid::Uuid,
    },
    Registered {
        app: Box<Application>,
        /// How it proved itself in this request (nothing where no token is issued).
        authenticated: ClientAuthentication,
    },
}

impl Client {
    pub(crate) fn id(&self) -> uuid::Uuid {
        match self {
            Client::FirstParty { id } => *id,
            Client::Registered { app, .. } => app.client_id,
        }
    }

    pub(crate) fn id_string(&self) -> String {
        self.id().to_string()
    }

    /// How it proved itself: Microsoft's first-party clients are public.
    pub(crate) fn authentication(&self) -> ClientAuthentication {
        match self {
            Client::FirstParty { .. } => ClientAuthentication::Public,
            Client::Registered { authenticated, .. } => *authenticated,
        }
    }

    /// Which groups the client's id tokens name: a registered application's `groupMembershipClaims`;
    /// Microsoft's first-party clients ask for none.
    pub(crate) fn group_membership_claims(&self) -> GroupMembershipClaims {
        match self {
            Client::FirstParty { .. } => GroupMembershipClaims::None,
            Client::Registered { app, .. } => app.group_membership_claims,
        }
    }

    /// Public clients must use PKCE in the code flow.
    pub(crate) fn is_public(&self) -> bool {
        match self {
            Client::FirstParty { .. } => true,
            Client::Registered { app, .. } => !signin::is_confidential(app),
        }
    }

    /// Registered applications are single-tenant: their users' tokens are for their own tenant only.
    /// First-party clients exist everywhere.
    pub(crate) fn allows_tenant(&self, tenant: uuid::Uuid) -> Result<(), SignInError> {
        match self {
            Client::Registered { app, .. } if app.tenant.0 != tenant => Err(unknown_client(
                &app.client_id.to_string(),
                &tenant.to_string(),
            )),
            _ => Ok(()),
        }
    }

    /// First-party clients form one family: a refresh token of one is good for the others (Entra's
    /// "family of client ids"); a registered application's are its own.
    pub(crate) fn may_redeem_for(&self, issued_to: &str) -> bool {
        let issued: Option<uuid::Uuid> = issued_to.parse().ok();
        match self {
            Client::FirstParty { .. } => {
                issued.is_some_and(|i| signin::first_party_client(i).is_some())
            }
            Client::Registered { app, .. } => issued == Some(app.client_id),
        }
    }
}

/// The `client_id` parameter as a GUID (an empty one is missing; a non-GUID names no application).
pub(crate) fn client_id(raw: &str, directory: &str) -> Result<uuid::Uuid, SignInError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(missing_parameter("client_id"));
    }
    raw.parse().map_err(|_| unknown_client(raw, directory))
}

impl SignIn {
    /// The client of a user flow: a first-party client, or a registered application that proves itself
    /// with its secret when it has secrets.
    pub(crate) async fn user_flow_client(
        &self,
        raw_id: &str,
        credential: Option<&ClientCredential>,
        directory: &str,
    ) -> Result<Client, SignInError> {
        self.client(raw_id, credential, directory, false).await
    }

    /// As [`SignIn::user_flow_client`], except that a registered application with secrets may leave its
    /// secret out, where no token is issued: at `/authorize` (it proves itself at the token endpoint)
    /// and on the device flow's verification page (which only names the client).
    pub(crate) async fn flow_client(
        &self,
        raw_id: &str,
        credential: Option<&ClientCredential>,
        directory: &str,
    ) -> Result<Client, SignInError> {
        self.client(raw_id, credential, directory, true).await
    }

    async fn client(
        &self,
        raw_id: &str,
        credential: Option<&ClientCredential>,
        directory: &str,
        secret_optional: bool,
    ) -> Result<Client, SignInError> {
        let id = client_id(raw_id, directory)?;
        if signin::first_party_client(id).is_some() {
            return Ok(Client::FirstParty { id });
        }
        let app = self
            .service()
            .read(|w| w.application_by_client_id(id).cloned())
            .ok_or_else(|| unknown_client(&id.to_string(), directory))?;
        let authenticated = match credential {
            Some(c) => {
                self.check_credential(&app, c, directory).await?;
                c.authentication()
            }
            None if !signin::is_confidential(&app) || secret_optional => {
                ClientAuthentication::Public
            }
            None => return Err(missing_client_secret()),
        };
        Ok(Client::Registered {
            app: Box::new(app),
            authenticated,
        })
    }

    /// An application of `tenant` authenticated by its secret or a client assertion (client credentials).
    pub(crate) async fn authenticate_app(
        &self,
        raw_id: &str,
        credential: Option<&ClientCredential>,
        tenant: uuid::Uuid,
    ) -> Result<Application, SignInError> {
        let directory = tenant.to_string();
        let id = client_id(raw_id, &directory)?;
        let app = self
            .service()
            .read(|w: &World| w.application_by_client_id(id).cloned())
            .filter(|a| a.tenant.0 == tenant)
            .ok_or_else(|| unknown_client(&id.to_string(), &directory))?;
        let credential = credential.ok_or_else(missing_client_secret)?;
        self.check_credential(&app, credential, &directory).await?;
        Ok(app)
    }

    async fn check_credential(
        &self,
        app: &Application,
        credential: &ClientCredential,
        directory: &str,
    ) -> Result<(), SignInError> {
        match credential {
            ClientCredential::Secret(s) => self.check_secret(app, s).await,
            ClientCredential::Assertion(jwt) => match assertion_kind(jwt, app.client_id) {
                AssertionKind::Certificate => self.check_assertion(app, jwt, directory),
                AssertionKind::Federated => self
                    .service()
                    .verify_federated_assertion(app, jwt)
                    .await
                    .map(|_| ()),
            },
        }
    }

    /// A client assertion (certificate credential): the certificate its header names is on the
    /// application and current, its signature verifies with that certificate's key, and its claims
    /// name the client and this tenant's token endpoint within their time range. `directory` is the
    /// request's `{tenant}` segment: the assertion's `aud` may name the tenant as the request does or
    /// by any of its names.
    fn check_assertion(
        &self,
        app: &Application,
        jwt: &str,
        directory: &str,
    ) -> Result<(), SignInError> {
        let now = self.service().now();
        let assertion = ClientAssertion::parse(jwt)?;
        let certificate = assertion.certificate(app, now)?;
        if !verify_assertion_signature(&assertion, &certificate.public_key) {
            return Err(SignInError::new(
                EntraCode::InvalidAssertionSignature,
                format!(
                    "Client assertion contains an invalid signature. [Reason - The signature does not verify with the key of certificate '{}'.] Sign the assertion with the private key of that certificate, with {:?}.",
                    certificate.thumbprint(),
                    assertion.algorithm
                ),
            ));
        }
        let base = self.base_url();
        let is_token_endpoint = |aud: &str| {
            token_endpoint_segment(base, aud).is_some_and(|segment| {
                segment.eq_ignore_ascii_case(directory)
                    || self.service().read(|w| {
                        matches!(parse_authority(w, segment), Ok(signin::Authority::Tenant(t)) if t == app.tenant)
                    })
            })
        };
        assertion.check_claims(app.client_id, is_token_endpoint, now)
    }

    /// Compares the secret with every stored one (each in constant time); an expired secret that
    /// matches says so, as Entra does.
    async fn check_secret(&self, app: &Application, secret: &str) -> Result<(), SignInError> {
        let now = self.service().now();
        let mut live = false;
        let mut expired = false;
        for stored in &app.secrets {
            if self.secret_matches(secret, &stored.hash).await {
                match stored.expires {
                    Some(exp) if exp <= now => expired = true,
                    _ => live = true,
                }
            }
        }
        match (live, expired) {
            (true, _) => Ok(()),
            (false, true) => Err(expired_client_secret(&app.client_id.to_string())),
            _ => Err(bad_client_secret(&app.client_id.to_string())),
        }
    }

    /// SHA-256 hashes are compared inline; an Argon2id hash (hand-written world files) goes through the
    /// bounded password verifier like any password.
    async fn secret_matches(&self, secret: &str, stored: &str) -> bool {
        if stored.starts_with("$argon2id$") {
            self.passwords().verify(secret, stored).await
        } else {
            verify_client_secret(secret, stored)
        }
    }
}
