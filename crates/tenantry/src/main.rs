//! The `tenantry` command: serve the control plane, apply and export world files, read the audit log.

// The unit-test build of the binary links every dev-dependency of the package too (the `it` tests'
// clients); `unused_crate_dependencies` holds on the binary itself.
#![cfg_attr(test, allow(unused_crate_dependencies))]

mod audit_chain;
mod cli;

use clap::Parser;
use std::io::IsTerminal;

/// mimalloc: many small, short-lived allocations per request (headers, claims, JSON), which glibc's
/// allocator serves markedly slower (see benches/arm_reads.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What the allocator keeps of the memory the program freed.
pub(crate) mod memory {
    use std::time::Duration;

    /// `mi_option_purge_delay`, numbered as in `mimalloc.h` of version 3 (which the `mimalloc` crate
    /// builds): how long freed memory is kept before it goes back to the system, in milliseconds.
    const PURGE_DELAY: i32 = 15;
    /// How long after the load freed memory goes back at once: the server's start, while the threads
    /// that allocated during the load run again.
    const RETURN_AT_ONCE: Duration = Duration::from_secs(10);

    unsafe extern "C" {
        /// mimalloc's `mi_option_set`/`mi_option_get`; the library is linked through the `mimalloc`
        /// crate, whose `libmimalloc-sys` names no purge option for version 3 (hence the number,
        /// checked by a test against the option's default).
        fn mi_option_set(option: i32, value: std::ffi::c_long);
        fn mi_option_get(option: i32) -> std::ffi::c_long;
    }

    fn set_purge_delay(ms: std::ffi::c_long) {
        // SAFETY: a setter of one of mimalloc's global options, which are atomics read on each purge.
        unsafe { mi_option_set(PURGE_DELAY, ms) }
    }

    pub(crate) fn purge_delay() -> std::ffi::c_long {
        // SAFETY: a getter of one of mimalloc's global options (an atomic read).
        unsafe { mi_option_get(PURGE_DELAY) }
    }

    /// A server keeps its memory in pages of 4 KiB, not in the kernel's transparent huge pages of
    /// 2 MiB (where the system makes them the default): a huge page is backed whole when a byte of it
    /// is touched, so a world's tables spread over thousands of them held 28 MB more at a million
    /// role assignments (256 MB against 284 MB), and its start waited on the zeroing of 2 MiB at a
    /// time, from 1.6 to 2.6 s from run to run against 1.7 to 2.0 s (`benches/scale.rs`; the
    /// authorization checks, which read the assignments at random, ran at the same rate either way).
    pub(crate) fn small_pages() {
        #[cfg(target_os = "linux")]
        // SAFETY: `prctl` with `PR_SET_THP_DISABLE` takes plain integers and sets a flag of this
        // process. Where the kernel refuses it, the default pages stay: nothing else changes.
        unsafe {
            libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
        }
    }

    /// The world is loaded: what the load freed goes back to the system. mimalloc keeps freed memory
    /// for a second and hands it back only when the thread that freed it allocates again, so a server
    /// that loaded its world and then waits for requests kept all the load's temporaries (the demo
    /// world's server 57 MB of which 35 MB freed memory, at a million role assignments 30–40 MB).
    /// Purging at once during the load itself costs a quarter more CPU there (memory freed and
    /// touched again), and during serving it costs throughput: the delay in force before (mimalloc's
    /// default, or `MIMALLOC_PURGE_DELAY`) comes back after the start.
    pub(crate) fn loaded() {
        let before = purge_delay();
        set_purge_delay(0);
        let restore = std::thread::Builder::new()
            .name("allocator".into())
            .spawn(move || {
                std::thread::sleep(RETURN_AT_ONCE);
                set_purge_delay(before);
            });
        if restore.is_err() {
            // No thread: serving with the load's delay rather than the shorter one's cost.
            set_purge_delay(before);
        }
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    init_logs(args.log_format);
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    match cli::run(args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Log lines go to standard error, filtered by `TENANTRY_LOG`, in `format`. Text is coloured only on
/// a terminal: colour codes in a log file or a collector are noise.
fn init_logs(format: cli::LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TENANTRY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=error"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        cli::LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        // The event's fields at the top level beside timestamp, level and target; the request's
        // span (request id, route, caller) as `span`.
        cli::LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
}

#[cfg(test)]
mod tests {
    /// The option `memory` sets is the purge delay of the mimalloc this build links: 1,000 ms by
    /// default in version 3, where its neighbours (eager commit delay, NUMA nodes) default to 0 or 1.
    /// A mimalloc that renumbers its options fails here rather than tuning something else.
    #[test]
    fn the_option_memory_sets_is_mimallocs_purge_delay() {
        assert_eq!(super::memory::purge_delay(), 1000);
    }
}
