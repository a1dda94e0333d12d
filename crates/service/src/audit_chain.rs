//! The audit chain for operators: verifying it and reading it in chain order.

use crate::error::ServiceError;
use tenantry_domain::audit_chain::{ChainBreak, ChainTip, StoredLink};
use tenantry_store::ChainRange;

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
}
