//! Refresh tokens: opaque random values, stored as their SHA-256, rotated on every use. Each use issues a
//! successor in the same family; presenting a used token again means it was copied, so the whole family
//! is revoked (RFC 9700 §4.14.2). A refresh token is good at any tenant where its identity is present and
//! for any resource, as az and azure-identity expect (contract §3.3).

use super::grants::{TokenRequest, TokenResponse};
use super::{SignIn, SignInFailure};
use crate::crypto::{random_token, sha256_b64url};
use tenantry_domain::Identity;
use tenantry_domain::signin::{
    Authority, REFRESH_TOKEN_LIFETIME, disabled, expired_grant, identity_enabled,
    invalid_refresh_token, replayed_refresh_token, subject,
};
use tenantry_store::signin::{RefreshRedemption, RefreshTokenRow};

/// Random bytes in a refresh token (256 bits).
const REFRESH_TOKEN_BYTES: usize = 32;

impl SignIn {
    /// Stores and returns a new refresh token for `identity` and `client_id`.
    pub(crate) async fn new_refresh_token(
        &self,
        identity: Identity,
        client_id: &str,
        family: Option<String>,
    ) -> Result<String, SignInFailure> {
        let token = random_token(REFRESH_TOKEN_BYTES);
        let now = self.service().now();
        let identity = serde_json::to_string(&identity)
            .map_err(|e| crate::ServiceError::Internal(format!("identity: {e}")))?;
        let row = RefreshTokenRow {
            id: uuid::Uuid::now_v7().to_string(),
            family_id: family.unwrap_or_else(|| uuid::Uuid::now_v7().to_string()),
            token_hash: sha256_b64url(&token),
            identity,
            client_id: client_id.to_string(),
            created: now,
            expires: now + REFRESH_TOKEN_LIFETIME,
            used: 0,
            revoked: 0,
        };
        self.service().store().insert_refresh_token(&row).await?;
        Ok(token)
    }

    pub(crate) async fn refresh_grant(
        &self,
        authority: Authority,
        req: &TokenRequest,
        token: &str,
    ) -> Result<TokenResponse, SignInFailure> {
        let client = self.requesting_client(req).await?;
        let mut scope = req.requested_scope(true)?;
        // Rotation: the token presented is used up, so its successor is always returned.
        scope.offline_access = true;
        let hash = sha256_b64url(token);
        let store = self.service().store();
        let now = self.service().now();
        // Look before redeeming: a refusal that is not about the token itself (not present in that
        // tenant, wrong client) must not burn a token the client will rightly present again.
        let row = store
            .refresh_token(&hash)
            .await?
            .ok_or_else(invalid_refresh_token)?;
        if row.used == 0 && row.revoked == 0 && row.expires > now {
            if !client.may_redeem_for(&row.client_id) {
                return Err(invalid_refresh_token().into());
            }
            let subject = self.refresh_subject(&row, authority)?;
            client.allows_tenant(subject.tenant)?;
            if let RefreshRedemption::Redeemed(row) = store.redeem_refresh_token(&hash, now).await?
            {
                let family = Some(row.family_id);
                return self
                    .user_tokens(&subject, &client, &scope, family, None)
                    .await;
            }
        }
        // Used, revoked or expired, or another request redeemed it between the look and the redemption.
        Err(match store.redeem_refresh_token(&hash, now).await? {
            RefreshRedemption::Replayed(row) => {
                tracing::warn!(
                    family = %row.family_id,
                    "a used refresh token was presented again: its family is revoked"
                );
                replayed_refresh_token()
            }
            RefreshRedemption::Dead(row) if row.revoked == 0 => expired_grant("refresh token"),
            _ => invalid_refresh_token(),
        }
        .into())
    }

    /// The subject of a refresh token at the authority it is redeemed at.
    fn refresh_subject(
        &self,
        row: &RefreshTokenRow,
        authority: Authority,
    ) -> Result<tenantry_domain::signin::Subject, SignInFailure> {
        let identity: Identity = serde_json::from_str(&row.identity)
            .map_err(|e| crate::ServiceError::Internal(format!("refresh token identity: {e}")))?;
        self.service().read(|w| {
            if !w.identity_exists(identity) {
                return Err(invalid_refresh_token().into());
            }
            if !identity_enabled(w, identity) {
                let name = w.identity_email(identity).unwrap_or_default();
                return Err(disabled(&name).into());
            }
            subject(w, identity, authority).map_err(SignInFailure::from)
        })
    }
}
