//! World files through the service: applied in one transaction, exported from memory.

use crate::crypto::{passwords, secrets};
use crate::world_file;
use crate::{Service, ServiceError};

impl Service {
    /// Applies a world file: creates what is missing, all or nothing. Returns how many writes it made
    /// (0 when the world already matches the file).
    pub async fn apply_world(
        &self,
        text: &str,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<usize, ServiceError> {
        let file = world_file::parse(text)?;
        let now = self.now();
        self.execute(|w| {
            let change = world_file::plan_apply(
                w,
                &file,
                &|p: &str| passwords::hash_password(p),
                &|s: &str| secrets::hash_client_secret(s),
                // Handles both Argon2id password hashes and SHA-256 client secret hashes.
                &|p: &str, h: &str| secrets::verify_client_secret(p, h),
                now,
                progress,
            )?;
            let n = change.mutations.len();
            Ok((change, n))
        })
        .await
    }

    /// The current world as a world file.
    pub fn export_world(&self) -> String {
        self.read(|w| world_file::to_toml(&world_file::export(w)))
    }
}
