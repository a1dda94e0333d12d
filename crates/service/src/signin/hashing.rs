//! Password verification on a fixed pool of threads, each reusing one Argon2 memory block.
//!
//! Why not `spawn_blocking` with a semaphore: each Argon2id verification (m = 19 MiB) allocates and
//! frees 19 MiB. After the first such free, glibc raises its mmap threshold, so later blocks come from
//! per-thread arenas and stay resident; spread over tokio's elastic blocking pool (up to 512 threads)
//! that measured 395 MiB of peak RSS for 200 concurrent sign-ins with only two hashes ever running at
//! once. Here N dedicated threads each keep their block for good: memory is N × 19 MiB whatever the
//! load, no page is faulted in per sign-in, and the queue in front of them is the bound on concurrency.

use crate::crypto::{constant_time_eq, dummy_hash, is_password_hash};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

/// Sign-ins that may wait for a hashing thread before new ones wait to be queued.
const QUEUE: usize = 1024;

struct Job {
    password: String,
    phc: String,
    reply: oneshot::Sender<bool>,
}

/// A handle on the hashing threads. Cheap to clone; the threads end when the last handle is dropped.
#[derive(Clone)]
pub(crate) struct HashPool {
    jobs: mpsc::Sender<Job>,
    /// Verifications done so far: what an attempt cost, counted rather than timed.
    verifications: Arc<AtomicU64>,
}

impl HashPool {
    /// `threads` hashing threads (at least one): one per core gives the full Argon2 rate.
    // At start-up: a process that cannot start a thread cannot verify any password either.
    #[allow(clippy::expect_used)]
    pub(crate) fn new(threads: usize) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>(QUEUE);
        let queue = Arc::new(Mutex::new(queue));
        let verifications = Arc::new(AtomicU64::new(0));
        for i in 0..threads.max(1) {
            let (queue, count) = (queue.clone(), verifications.clone());
            std::thread::Builder::new()
                .name(format!("tenantry-argon2-{i}"))
                .spawn(move || work(&queue, &count))
                .expect("spawn a password hashing thread");
        }
        Self {
            jobs,
            verifications,
        }
    }

    /// One thread per core.
    pub(crate) fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    /// Checks `password` against the PHC string `phc`; a malformed or unacceptable hash costs one dummy
    /// verification and is false, so every failure takes the same time.
    pub(crate) async fn verify(&self, password: &str, phc: &str) -> bool {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            password: password.to_string(),
            phc: phc.to_string(),
            reply,
        };
        if self.jobs.send(job).await.is_err() {
            return false;
        }
        answer.await.unwrap_or(false)
    }

    /// One verification against a hash nobody knows the password of (unknown users).
    pub(crate) async fn spend(&self, password: &str) {
        self.verify(password, "").await;
    }

    /// How many verifications the threads have done.
    pub(crate) fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }
}

/// A hashing thread: takes jobs until every sender is gone.
fn work(queue: &Mutex<mpsc::Receiver<Job>>, verifications: &AtomicU64) {
    // The dummy hash is made here, once per process and off the async runtime, before the first
    // unknown name would have to wait for it.
    let _ = dummy_hash();
    let mut memory: Vec<Block> = Vec::new();
    loop {
        // Only the waiting thread holds the lock; it lets go as soon as it has a job.
        let job = match queue.lock() {
            Ok(mut q) => q.blocking_recv(),
            Err(_) => None,
        };
        let Some(job) = job else { return };
        let ok = verify_with(&mut memory, &job.password, &job.phc);
        // Counted before the answer goes out: whoever awaited it sees the count that includes it.
        verifications.fetch_add(1, Ordering::Relaxed);
        let _ = job.reply.send(ok);
    }
}

fn verify_with(memory: &mut Vec<Block>, password: &str, phc: &str) -> bool {
    if is_password_hash(phc) {
        compute(memory, password, phc).unwrap_or(false)
    } else {
        let _ = compute(memory, password, dummy_hash());
        false
    }
}

/// Recomputes the hash with the stored parameters in `memory` (grown once, then reused) and compares
/// the outputs in constant time. `None` when the hash cannot be used.
fn compute(memory: &mut Vec<Block>, password: &str, phc: &str) -> Option<bool> {
    let hash = PasswordHash::new(phc).ok()?;
    let params = Params::try_from(&hash).ok()?;
    let version = Version::try_from(hash.version.unwrap_or(0x13)).ok()?;
    let salt = hash.salt.as_ref()?;
    let expected = hash.hash.as_ref()?.as_bytes();
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    Argon2::new(Algorithm::Argon2id, version, params)
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..blocks])
        .ok()?;
    Some(constant_time_eq(&out, expected))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::hash_password;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn verifies_like_argon2_itself() {
        let pool = HashPool::new(2);
        let h = hash_password("s3cret-pw");
        assert!(pool.verify("s3cret-pw", &h).await);
        assert!(!pool.verify("s3cret-pX", &h).await);
        assert!(!pool.verify("s3cret-pw", "garbage").await);
        assert!(
            !pool
                .verify("s3cret-pw", &h.replacen("$argon2id$", "$argon2i$", 1))
                .await
        );
        assert!(!pool.verify("", &h[..h.len() - 4]).await);
        pool.spend("anything").await;
        // Concurrent callers all get their own answer.
        let answers = futures_join(&pool, &h).await;
        assert_eq!(answers, [true, false, true, false]);
    }

    async fn futures_join(pool: &HashPool, h: &str) -> Vec<bool> {
        let tasks: Vec<_> = ["s3cret-pw", "no", "s3cret-pw", "nope"]
            .into_iter()
            .map(|pw| {
                let (pool, h) = (pool.clone(), h.to_string());
                tokio::spawn(async move { pool.verify(pw, &h).await })
            })
            .collect();
        let mut out = vec![];
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    }
}
