//! The `tenantry` command: serve the control plane, apply and export world files, read the audit log.

mod audit_chain;
mod cli;

use clap::Parser;
use std::io::IsTerminal;

/// mimalloc: many small, short-lived allocations per request (headers, claims, JSON), which glibc's
/// allocator serves markedly slower (see benches/arm_reads.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
