//! The token endpoint: one request in, Entra's answer out. Each grant checks its inputs, finds the
//! subject through the domain's rules, and issues tokens in Entra's shapes.

use super::claims::{self, AppSubject, GroupClaims, Lifetime};
use super::clients::{Client, ClientAuthentication, ClientCredential};
use super::password::PasswordSignIn;
use super::{SignIn, SignInFailure};
use serde::Serialize;
use std::net::IpAddr;
use tenantry_domain::signin::{
    self, Authority, RequestedScope, SignInError, Subject, app_needs_tenant, check_app_scope,
    missing_parameter, parse_authority, parse_scope, scope_for_resource, user_scope_for_resource,
};
use tenantry_domain::{Application, DirectoryRole, GroupMembershipClaims, ObjectId, TenantId};

/// Which token endpoint was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// `/oauth2/v2.0/token`: `scope=`.
    #[default]
    V2,
    /// `/oauth2/token`: `resource=`; user grants always get an id token and a refresh token.
    V1,
}

/// A token request, typed at the edge: the grant carries the fields it requires, so a request that
/// lacks one never gets here (no `Debug`: it carries secrets).
#[derive(Clone)]
pub struct TokenRequest {
    /// The `{tenant}` path segment.
    pub authority: String,
    pub protocol: Protocol,
    pub grant: Grant,
    pub client_id: String,
    /// A secret from the body (client_secret_post) or the `Authorization: Basic` header, or a client
    /// assertion; public clients have none.
    pub client_credential: Option<ClientCredential>,
    pub scope: Option<String>,
    /// v1 only.
    pub resource: Option<String>,
    /// The caller's address (per-address lockout).
    pub client_address: Option<IpAddr>,
}

/// A successful token response (no `Debug`: it carries tokens).
#[derive(Clone, Serialize)]
pub struct TokenResponse {
    pub token_type: &'static str,
    pub scope: String,
    /// An integer, always: az adds it to a timestamp (contract pitfall P1).
    pub expires_in: i64,
    pub ext_expires_in: i64,
    pub access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_info: Option<String>,
    /// v1 only: the resource, and the token's times.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_before: Option<i64>,
}

/// The grant of a token request, with the fields each one requires (kanidm's `GrantTypeReq` is the
/// model); the token endpoint builds it from the form.
#[derive(Clone)]
pub enum Grant {
    ClientCredentials,
    Password {
        username: String,
        password: String,
    },
    RefreshToken {
        refresh_token: String,
    },
    AuthorizationCode {
        code: String,
        /// Must be the one the code was issued for; a missing one is a mismatch like any other.
        redirect_uri: Option<String>,
        /// PKCE: required when the code was issued with a challenge.
        code_verifier: Option<String>,
    },
    DeviceCode {
        device_code: String,
    },
}

impl TokenRequest {
    /// The scope asked for: `scope=` (v2), or `resource=` as its `.default` (v1, where user grants
    /// always carried an id token and a refresh token).
    pub(crate) fn requested_scope(&self, user: bool) -> Result<RequestedScope, SignInFailure> {
        let text = match (self.protocol, &self.resource, &self.scope) {
            (Protocol::V1, Some(resource), _) if !resource.is_empty() => match user {
                true => user_scope_for_resource(resource),
                false => scope_for_resource(resource),
            },
            (_, _, Some(scope)) => scope.clone(),
            (Protocol::V1, _, None) => return Err(missing_parameter("resource").into()),
            (Protocol::V2, _, None) => return Err(missing_parameter("scope").into()),
        };
        Ok(parse_scope(&text)?)
    }
}

impl SignIn {
    /// The client of a user grant: a first-party client, or a registered application that proves
    /// itself with its secret or a certificate when it has credentials.
    pub(crate) async fn requesting_client(
        &self,
        req: &TokenRequest,
    ) -> Result<Client, SignInError> {
        self.user_flow_client(
            &req.client_id,
            req.client_credential.as_ref(),
            &req.authority,
        )
        .await
    }

    /// Answers a token request, counting the token issued or the refusal (`crate::metrics`).
    pub async fn token(&self, req: TokenRequest) -> Result<TokenResponse, SignInFailure> {
        let grant = crate::metrics::grant_label(&req.grant);
        let answer = self.answer_token(req).await;
        crate::metrics::token_answer(grant, &answer);
        answer
    }

    async fn answer_token(&self, req: TokenRequest) -> Result<TokenResponse, SignInFailure> {
        let authority = self
            .service()
            .read(|w| parse_authority(w, &req.authority))?;
        let mut response = match &req.grant {
            Grant::ClientCredentials => self.client_credentials(authority, &req).await?,
            Grant::Password { username, password } => {
                self.password_grant(authority, &req, username, password)
                    .await?
            }
            Grant::RefreshToken { refresh_token } => {
                self.refresh_grant(authority, &req, refresh_token).await?
            }
            Grant::AuthorizationCode {
                code,
                redirect_uri,
                code_verifier,
            } => {
                let redemption = super::code::Redemption {
                    code,
                    redirect_uri: redirect_uri.as_deref(),
                    code_verifier: code_verifier.as_deref(),
                };
                self.code_grant(&req, redemption).await?
            }
            Grant::DeviceCode { device_code } => self.device_code_grant(&req, device_code).await?,
        };
        if req.protocol == Protocol::V1 {
            let now = self.service().now();
            response.resource = req.resource.clone();
            response.expires_on = Some(now + response.expires_in);
            response.not_before = Some(now);
        }
        Ok(response)
    }

    async fn client_credentials(
        &self,
        authority: Authority,
        req: &TokenRequest,
    ) -> Result<TokenResponse, SignInFailure> {
        let Authority::Tenant(tenant) = authority else {
            return Err(app_needs_tenant(&req.client_id).into());
        };
        let scope = req.requested_scope(false)?;
        let app = self
            .authenticate_app(&req.client_id, req.client_credential.as_ref(), tenant.0)
            .await?;
        check_app_scope(&scope)?;
        let at = Lifetime::starting(self.service().now());
        let appidacr = req
            .client_credential
            .as_ref()
            .map_or(
                ClientAuthentication::Secret,
                ClientCredential::authentication,
            )
            .appidacr();
        let access = self.app_access_claims(&app, &scope.resource, at, appidacr);
        Ok(TokenResponse {
            token_type: "Bearer",
            scope: scope.resource_scopes.join(" "),
            expires_in: expires_in(at),
            ext_expires_in: expires_in(at),
            access_token: self.sign(&access).await?,
            refresh_token: None,
            id_token: None,
            client_info: None,
            resource: None,
            expires_on: None,
            not_before: None,
        })
    }

    /// An application's access token for `resource`: the roles its service principal holds, itself or
    /// through a role-assignable group, and its groups when the application the token is for asks for
    /// them (client credentials, and managed identities' tokens).
    pub(crate) fn app_access_claims(
        &self,
        app: &Application,
        resource: &str,
        at: Lifetime,
        appidacr: &'static str,
    ) -> claims::AccessClaims {
        let (roles, groups): (Vec<DirectoryRole>, _) = self.service().read(|w| {
            let roles = w
                .tenant(app.tenant)
                .map(|t| t.effective_roles_of(app.id))
                .unwrap_or_default();
            let setting = signin::resource_application(w, app.tenant, resource)
                .map(|r| r.group_membership_claims)
                .unwrap_or_default();
            (roles, signin::groups_claim(w, app.tenant, app.id, setting))
        });
        let base = self.base_url();
        claims::app_access(
            base,
            AppSubject {
                tenant: app.tenant.0,
                object: app.id.0,
                client_id: app.client_id,
                roles: roles.iter().map(|r| r.display_name().to_string()).collect(),
                wids: roles.iter().map(|r| r.template_id().to_string()).collect(),
                groups: GroupClaims::new(groups, || {
                    claims::member_objects_url(base, "servicePrincipals", app.id.0)
                }),
                display_name: &app.display_name,
                appidacr,
            },
            resource,
            at,
        )
    }

    async fn password_grant(
        &self,
        authority: Authority,
        req: &TokenRequest,
        username: &str,
        password: &str,
    ) -> Result<TokenResponse, SignInFailure> {
        let client = self.requesting_client(req).await?;
        let scope = req.requested_scope(true)?;
        let subject = self
            .check_password(PasswordSignIn {
                authority,
                username,
                password,
                kind: None,
                client: req.client_address,
            })
            .await?;
        self.user_tokens(&subject, &client, &scope, None, None)
            .await
    }

    /// Access, id and refresh tokens for a signed-in user. `family` continues a refresh-token family
    /// (rotation); `None` starts one.
    pub(crate) async fn user_tokens(
        &self,
        subject: &Subject,
        client: &Client,
        scope: &RequestedScope,
        family: Option<String>,
        nonce: Option<String>,
    ) -> Result<TokenResponse, SignInFailure> {
        client.allows_tenant(subject.tenant)?;
        let at = Lifetime::starting(self.service().now());
        let client_id = client.id_string();
        let (tenant, object) = (TenantId(subject.tenant), ObjectId(subject.object));
        // The id token names the groups the client asks for; the access token those the application
        // it is for asks for (none for Microsoft's resources), as in Entra.
        let client_asks = client.group_membership_claims();
        let (wids, access_groups, id_groups) = self.service().read(|w| {
            let resource_asks = signin::resource_application(w, tenant, &scope.resource)
                .map(|a| a.group_membership_claims)
                .unwrap_or_default();
            (
                signin::directory_role_ids(w, tenant, object),
                signin::groups_claim(w, tenant, object, resource_asks),
                signin::groups_claim(w, tenant, object, client_asks),
            )
        });
        let base = self.base_url();
        let member_objects = || claims::member_objects_url(base, "users", subject.object);
        let id_memberships = claims::IdMemberships {
            wids: match client_asks {
                GroupMembershipClaims::None => vec![],
                _ => wids.clone(),
            },
            groups: GroupClaims::new(id_groups, member_objects),
        };
        let delegation = claims::Delegation {
            client_id: &client_id,
            appidacr: client.authentication().appidacr(),
            scp: scope.delegated_scp(),
            wids,
            groups: GroupClaims::new(access_groups, member_objects),
        };
        let access = claims::user_access(base, subject, &scope.resource, delegation, at);
        let id_token = match scope.openid {
            true => Some(
                self.sign(&claims::id_token(
                    base,
                    subject,
                    &client_id,
                    nonce,
                    id_memberships,
                    at,
                ))
                .await?,
            ),
            false => None,
        };
        let refresh_token = match scope.offline_access {
            true => Some(
                self.new_refresh_token(subject.identity, &client_id, family)
                    .await?,
            ),
            false => None,
        };
        Ok(TokenResponse {
            token_type: "Bearer",
            scope: scope.resource_scopes.join(" "),
            expires_in: expires_in(at),
            ext_expires_in: expires_in(at),
            access_token: self.sign(&access).await?,
            refresh_token,
            id_token,
            client_info: Some(claims::client_info(subject)),
            resource: None,
            expires_on: None,
            not_before: None,
        })
    }
}

/// Entra says 3599 for a token of one hour: the second the response spends travelling.
pub(crate) fn expires_in(at: Lifetime) -> i64 {
    at.exp - at.iat - 1
}
