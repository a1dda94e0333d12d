//! The device authorization grant (RFC 8628; `az login --use-device-code`, MSAL's device flow): a device
//! without a browser asks for a code pair; the person opens the verification page on another device,
//! signs in there, types the short user code and approves; the device, polling the token endpoint with
//! the long device code, then gets tokens for that person. The device code is stored hashed; an approved
//! code is redeemed by one poll only.

use super::clients::{Client, ClientCredential};
use super::grants::{TokenRequest, TokenResponse};
use super::{SignIn, SignInFailure};
use crate::ServiceError;
use crate::crypto::{random_token, sha256_b64url};
use serde::{Deserialize, Serialize};
use tenantry_domain::Identity;
use tenantry_domain::signin::{
    self, DEVICE_CODE_INTERVAL, DEVICE_CODE_LIFETIME, USER_CODE_ALPHABET, USER_CODE_LENGTH,
    authorization_pending, bad_device_code, bad_user_code, device_code_declined,
    device_code_expired, invalid_grant, missing_parameter, normalize_user_code, parse_authority,
    parse_scope, subject,
};
use tenantry_store::StoreError;
use tenantry_store::signin::DevicePoll;

/// The answer to a device authorization request (Entra's field names).
#[derive(Debug, Clone, Serialize)]
pub struct DeviceAuthorization {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub expires_in: i64,
    pub interval: i64,
    pub message: String,
}

/// A waiting request as the verification page shows it.
#[derive(Debug, Clone)]
pub struct DeviceRequest {
    pub user_code: String,
    /// The application on the device.
    pub client_name: String,
    pub expires: i64,
}

/// What the device asked for (stored with the code).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Requested {
    client_id: String,
    /// The `{tenant}` path segment it asked at.
    authority: String,
    scope: String,
}

/// Who approved, and the token tenant that follows from the authority (stored once approved).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Approval {
    identity: Identity,
    tenant: uuid::Uuid,
}

fn internal(what: &str, e: impl std::fmt::Display) -> SignInFailure {
    SignInFailure::Internal(ServiceError::Internal(format!("{what}: {e}")))
}

/// A fresh user code: each character one of 32, from 5 random bits (no modulo bias).
// Without the system's random source there is no code that is safe to hand out.
#[allow(clippy::expect_used)]
fn draw_user_code() -> String {
    let mut bytes = [0u8; USER_CODE_LENGTH];
    aws_lc_rs::rand::fill(&mut bytes).expect("the system's random source");
    bytes
        .iter()
        .map(|b| USER_CODE_ALPHABET[(b & 31) as usize] as char)
        .collect()
}

impl SignIn {
    /// `POST /{tenant}/oauth2/v2.0/devicecode`: a device code and the user code to type at
    /// `{base}/devicelogin`. A confidential client proves itself here with its secret, as it does in
    /// every user grant (a secret or a client assertion); a public one has none to give.
    pub async fn start_device_flow(
        &self,
        authority: &str,
        client_id: Option<&str>,
        credential: Option<&ClientCredential>,
        scope: Option<&str>,
    ) -> Result<DeviceAuthorization, SignInFailure> {
        self.service().read(|w| parse_authority(w, authority))?;
        let client = self
            .user_flow_client(client_id.unwrap_or_default(), credential, authority)
            .await?;
        let scope = scope
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| missing_parameter("scope"))?;
        parse_scope(scope)?;
        let request = serde_json::to_string(&Requested {
            client_id: client.id_string(),
            authority: authority.to_string(),
            scope: scope.to_string(),
        })
        .map_err(|e| internal("device request", e))?;
        let device_code = random_token(32);
        let expires = self.service().now() + DEVICE_CODE_LIFETIME;
        let store = self.service().store();
        // 45 bits make a collision with a live code unlikely; one is drawn again, never shared.
        for _ in 0..5 {
            let user_code = draw_user_code();
            match store
                .insert_device_code(&sha256_b64url(&device_code), &user_code, &request, expires)
                .await
            {
                Ok(()) => {
                    let verification_uri = format!("{}/devicelogin", self.base_url());
                    return Ok(DeviceAuthorization {
                        message: format!(
                            "To sign in, use a web browser to open the page {verification_uri} and enter the code {user_code} to authenticate."
                        ),
                        device_code,
                        user_code,
                        verification_uri,
                        expires_in: DEVICE_CODE_LIFETIME,
                        interval: DEVICE_CODE_INTERVAL,
                    });
                }
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(internal("device code", "no free user code"))
    }

    /// The request waiting under the code a person typed: its canonical code, when it expires, what it
    /// asked for and its client.
    async fn waiting(
        &self,
        typed: &str,
    ) -> Result<(String, i64, Requested, Client), SignInFailure> {
        let user_code = normalize_user_code(typed).ok_or_else(bad_user_code)?;
        let now = self.service().now();
        let pending = self
            .service()
            .store()
            .pending_device_code(&user_code, now)
            .await?
            .ok_or_else(bad_user_code)?;
        let requested: Requested =
            serde_json::from_str(&pending.request).map_err(|e| internal("device request", e))?;
        let client = self
            .flow_client(&requested.client_id, None, &requested.authority)
            .await?;
        Ok((user_code, pending.expires, requested, client))
    }

    /// The request waiting under the code a person typed, for the verification page.
    pub async fn device_request(&self, typed: &str) -> Result<DeviceRequest, SignInFailure> {
        let (user_code, expires, _, client) = self.waiting(typed).await?;
        Ok(DeviceRequest {
            user_code,
            client_name: self.client_name(&client),
            expires,
        })
    }

    /// The person signed in as `identity` approves the device's request: refused (and the request left
    /// waiting) when that account cannot sign in where the device asked.
    pub async fn approve_device_code(
        &self,
        typed: &str,
        identity: Identity,
    ) -> Result<(), SignInFailure> {
        let (user_code, _, requested, client) = self.waiting(typed).await?;
        let subject = self.service().read(|w| {
            let authority = parse_authority(w, &requested.authority)?;
            if !signin::identity_enabled(w, identity) {
                let name = w.identity_email(identity).unwrap_or_default();
                return Err(signin::disabled(&name));
            }
            subject(w, identity, authority)
        })?;
        client.allows_tenant(subject.tenant)?;
        let grant = serde_json::to_string(&Approval {
            identity,
            tenant: subject.tenant,
        })
        .map_err(|e| internal("device approval", e))?;
        let now = self.service().now();
        match self
            .service()
            .store()
            .decide_device_code(&user_code, Some(&grant), now)
            .await?
        {
            true => Ok(()),
            false => Err(bad_user_code().into()),
        }
    }

    /// The person declines: the device's next poll is told so.
    pub async fn decline_device_code(&self, typed: &str) -> Result<(), SignInFailure> {
        let user_code = normalize_user_code(typed).ok_or_else(bad_user_code)?;
        let now = self.service().now();
        match self
            .service()
            .store()
            .decide_device_code(&user_code, None, now)
            .await?
        {
            true => Ok(()),
            false => Err(bad_user_code().into()),
        }
    }

    /// `grant_type=urn:ietf:params:oauth:grant-type:device_code`: pending, declined and expired codes
    /// answer with RFC 8628's errors; an approved one gives the person's tokens, once. The client
    /// authenticates first, as in the other user grants: a poll without a confidential client's secret
    /// is refused without touching the code.
    pub(crate) async fn device_code_grant(
        &self,
        req: &TokenRequest,
        device_code: &str,
    ) -> Result<TokenResponse, SignInFailure> {
        let client = self.requesting_client(req).await?;
        let now = self.service().now();
        let (request, grant) = match self
            .service()
            .store()
            .poll_device_code(&sha256_b64url(device_code), now)
            .await?
        {
            DevicePoll::Approved { request, grant } => (request, grant),
            DevicePoll::Pending => return Err(authorization_pending().into()),
            DevicePoll::Declined => return Err(device_code_declined().into()),
            DevicePoll::Expired => return Err(device_code_expired().into()),
            DevicePoll::Redeemed | DevicePoll::Unknown => return Err(bad_device_code().into()),
        };
        let requested: Requested =
            serde_json::from_str(&request).map_err(|e| internal("device request", e))?;
        let approval: Approval =
            serde_json::from_str(&grant).map_err(|e| internal("device approval", e))?;
        if requested.client_id != client.id_string() {
            return Err(invalid_grant("device_code").into());
        }
        let subject = self.grant_subject(approval.identity, approval.tenant)?;
        let scope = parse_scope(&requested.scope)?;
        self.user_tokens(&subject, &client, &scope, None, None)
            .await
    }
}
