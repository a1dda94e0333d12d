//! World files through the service: applied in one transaction, exported from memory.

use crate::core::Step;
use crate::crypto::{passwords, secrets};
use crate::world_file;
use crate::{Service, ServiceError};
use tenantry_domain::World;

/// How many mutations and audit events a piece of a world file's change holds: large enough for
/// full multi-row statements, small enough that pieces in flight weigh little.
const PIECE: usize = 20_000;

/// How many planned entries a progress step of a world file's application reports at once.
const PROGRESS_EVERY: usize = 256;

/// Where the application of a world file is, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyPhase {
    /// Reading the file's text (no counts).
    Reading,
    /// Planning its entries through the rules: entries done of the file's entries.
    Planning,
    /// Writing to the database, while the planning goes on: rows written so far (total 0: unknown).
    Writing,
    /// Planned: the last writes, the commit and the world in memory (no counts).
    Committing,
}

impl Service {
    /// Applies a world file: creates what is missing, all or nothing. Returns how many writes it made
    /// (0 when the world already matches the file). `progress(done, total)` follows the planning of
    /// the file's entries.
    pub async fn apply_world(
        &self,
        text: &str,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<usize, ServiceError> {
        self.apply_world_reporting(text, &mut |phase, done, total| {
            if phase == ApplyPhase::Planning {
                progress(done, total)
            }
        })
        .await
    }

    /// [`Service::apply_world`], calling `progress(phase, done, total)` through every phase.
    ///
    /// The file is planned on a thread of its own and written in pieces as it is planned, in one
    /// transaction ([`Service::execute_in_pieces`]): a million role assignments are never all in
    /// memory as one change, and planning and writing share the machine's cores.
    pub async fn apply_world_reporting(
        &self,
        text: &str,
        progress: &mut (dyn FnMut(ApplyPhase, usize, usize) + Send),
    ) -> Result<usize, ServiceError> {
        progress(ApplyPhase::Reading, 0, 0);
        let file = world_file::parse(text)?;
        let now = self.now();
        // Named by the audit events that tell what the file created: which file it was.
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, text.as_bytes())
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>();
        let digest = format!("sha256:{digest}");
        let plan = move |world: World, step: &mut dyn FnMut(Step)| {
            let before = tenantry_domain::rules::invariants::violations(&world);
            let step = std::cell::RefCell::new(step);
            let mut mutations = 0;
            let world = world_file::plan_apply_in_pieces(
                world,
                &file,
                &world_file::Hashers {
                    hash_password: &|p: &str| passwords::hash_password(p),
                    hash_secret: &|s: &str| secrets::hash_client_secret(s),
                    // Handles both Argon2id password hashes and SHA-256 client secret hashes.
                    verify: &|p: &str, h: &str| secrets::verify_client_secret(p, h),
                },
                now,
                &mut |done, total| {
                    // A display needs a few thousand steps, not one per entry: each crosses to the
                    // writer's thread and wakes it.
                    if done == total || done % PROGRESS_EVERY == 0 {
                        (step.borrow_mut())(Step::Progress(done, total))
                    }
                },
                PIECE,
                &mut |piece| {
                    mutations += piece.mutations.len();
                    (step.borrow_mut())(Step::Piece(piece))
                },
                &|| before.clone(),
                Some(&digest),
            )?;
            Ok((world, mutations))
        };
        let progress = std::sync::Mutex::new(progress);
        let shared = &progress;
        let mut planned = false;
        self.execute_in_pieces(
            plan,
            &mut |done, total| {
                // The last entry, then the whole plan's check: planned once.
                if planned {
                    return;
                }
                report(shared, ApplyPhase::Planning, done, total);
                if done == total {
                    planned = true;
                    report(shared, ApplyPhase::Committing, 0, 0);
                }
            },
            &mut |rows| report(shared, ApplyPhase::Writing, rows, 0),
        )
        .await
    }

    /// The current world as a world file.
    pub fn export_world(&self) -> String {
        self.read(|w| world_file::to_toml(&world_file::export(w)))
    }

    /// The current world as a world file, written to `out` entry by entry (the same text as
    /// [`Service::export_world`]). Writers wait until it is written: write to a file or a pipe that
    /// is read.
    pub fn export_world_to(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        self.read(|w| world_file::write_export(w, out))
    }
}

type Report<'a> = std::sync::Mutex<&'a mut (dyn FnMut(ApplyPhase, usize, usize) + Send)>;

/// Calls the progress callback that the planning and the writing share, one after the other (the lock
/// is never contended: it only makes the sharing `Send`).
fn report(shared: &Report<'_>, phase: ApplyPhase, done: usize, total: usize) {
    let mut f = shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    f(phase, done, total)
}
