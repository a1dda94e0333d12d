//! The audit chain for operators and outside parties: verifying it, reading it in chain order, and
//! signed checkpoints of its tip.
//!
//! A checkpoint is the chain's tip (how many events, the last one's hash) at a time, signed with the
//! active token signing key as a compact RS256 JWS whose payload is `{"count", "tipHash", "time"}`: an
//! outside party checks it with the published JWKS, keeps it, and later proves with
//! `tenantry audit verify --checkpoint` that the chain still passes through it (the history before it
//! was not rewritten).

use crate::error::ServiceError;
use crate::signin::SignIn;
use serde::{Deserialize, Serialize};
use tenantry_domain::audit_chain::{ChainBreak, ChainHash, ChainTip, StoredLink};
use tenantry_domain::timestamps::format_timestamp;
use tenantry_store::ChainRange;

/// A signed checkpoint, as `GET /providers/Microsoft.Subscription/auditCheckpoint` answers and
/// `tenantry audit checkpoint` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditCheckpoint {
    /// Events in the chain.
    pub count: i64,
    /// The last event's hash (64 hex digits; zeros for an empty chain).
    pub tip_hash: String,
    /// When it was taken, RFC 3339.
    pub time: String,
    /// The compact JWS over `{count, tipHash, time}`.
    pub signature: String,
}

/// What the signature covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CheckpointClaims {
    count: i64,
    tip_hash: String,
    time: String,
}

/// Why a checkpoint cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("not an audit checkpoint: {0}")]
    Malformed(String),
    #[error(
        "the checkpoint is signed with key {0}, which this database has never held: it was not signed by this deployment"
    )]
    UnknownKey(String),
    #[error("the checkpoint's signature does not verify: {0}")]
    BadSignature(String),
    #[error("the checkpoint's {0} differs from what its signature covers")]
    Altered(&'static str),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl SignIn {
    /// The chain's tip as the last write recorded it, signed now with the active signing key.
    pub async fn audit_checkpoint(&self) -> Result<AuditCheckpoint, ServiceError> {
        let svc = self.service();
        let tip = svc.store().audit_chain_tip().await?;
        let claims = CheckpointClaims {
            count: tip.count,
            tip_hash: tip.hash.to_hex(),
            time: format_timestamp(svc.now()),
        };
        let signature = self.sign(&claims).await?;
        Ok(AuditCheckpoint {
            count: claims.count,
            tip_hash: claims.tip_hash,
            time: claims.time,
            signature,
        })
    }
}

impl crate::Service {
    /// Walks the whole chain (see [`tenantry_store::Store::verify_audit_chain`]).
    pub async fn verify_audit_chain(
        &self,
        checkpoint: Option<ChainTip>,
    ) -> Result<Result<ChainTip, ChainBreak>, ServiceError> {
        Ok(self.store().verify_audit_chain(checkpoint).await?)
    }

    /// A page of the chain in `range`, oldest first, with the stored hashes.
    pub async fn audit_chain_page(
        &self,
        range: ChainRange,
    ) -> Result<Vec<StoredLink>, ServiceError> {
        Ok(self.store().audit_chain_page(range).await?)
    }

    /// The tip a checkpoint (`text`: its JSON) attests, once its signature verifies with one of the
    /// signing keys this database holds or held (a checkpoint outlives the key's publication).
    pub async fn open_audit_checkpoint(&self, text: &str) -> Result<ChainTip, CheckpointError> {
        let c: AuditCheckpoint =
            serde_json::from_str(text).map_err(|e| CheckpointError::Malformed(e.to_string()))?;
        crate::crypto::install_jwt_crypto_provider();
        let header = jsonwebtoken::decode_header(&c.signature)
            .map_err(|e| CheckpointError::Malformed(format!("its signature is not a JWS: {e}")))?;
        if header.alg != jsonwebtoken::Algorithm::RS256 {
            return Err(CheckpointError::BadSignature("not RS256".into()));
        }
        let kid = header
            .kid
            .ok_or_else(|| CheckpointError::Malformed("its signature names no key".into()))?;
        let keys = self
            .store()
            .all_signing_keys()
            .await
            .map_err(ServiceError::from)?;
        let key = keys
            .iter()
            .find(|k| k.kid == kid)
            .and_then(|k| serde_json::from_str(&k.public_jwk).ok())
            .and_then(|jwk| crate::signin::decoding_key(&jwk))
            .ok_or_else(|| CheckpointError::UnknownKey(kid.clone()))?;
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        v.validate_exp = false;
        v.validate_nbf = false;
        v.validate_aud = false;
        v.required_spec_claims.clear();
        let signed = jsonwebtoken::decode::<CheckpointClaims>(&c.signature, &key, &v)
            .map_err(|e| CheckpointError::BadSignature(e.to_string()))?
            .claims;
        if signed.count != c.count {
            return Err(CheckpointError::Altered("count"));
        }
        if !signed.tip_hash.eq_ignore_ascii_case(&c.tip_hash) {
            return Err(CheckpointError::Altered("tipHash"));
        }
        if signed.time != c.time {
            return Err(CheckpointError::Altered("time"));
        }
        let hash = ChainHash::parse_hex(&signed.tip_hash)
            .ok_or_else(|| CheckpointError::Malformed("its tipHash is not a hash".into()))?;
        Ok(ChainTip {
            count: signed.count,
            hash,
        })
    }
}
