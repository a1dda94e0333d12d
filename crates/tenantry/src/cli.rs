//! Command-line arguments and what each command does.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use tenantry_server::throttle::{Limit, ThrottleSettings};
use tenantry_service::Service;
use tenantry_service::domain::audit::{AuditCursor, AuditFilter, MAX_AUDIT_LIMIT, OperationMatch};
use tenantry_service::store::Store;

#[derive(Parser)]
#[command(
    name = "tenantry",
    version,
    about = "A self-hostable control plane for cloud tenancy: directories, subscriptions and who may do what, with Entra ID, ARM and Graph wire formats."
)]
pub struct Cli {
    /// How log lines on standard error read: `text` for people, `json` (one object per line) for a
    /// log collector. TENANTRY_LOG filters them either way (e.g. `info,tenantry::request=warn`).
    #[arg(
        long,
        global = true,
        env = "TENANTRY_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text
    )]
    pub log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

/// The form of log lines.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// One readable line per event, coloured only on a terminal.
    Text,
    /// One JSON object per line: timestamp, level, target, fields, and the request's span.
    Json,
}

#[derive(Args, Clone)]
pub struct DbArgs {
    /// Data directory: the SQLite database, the local CA and the server certificate live here.
    #[arg(long, env = "TENANTRY_DATA", default_value = "./tenantry-data")]
    pub(crate) data: PathBuf,
    /// Use this database instead of the embedded SQLite file, e.g. postgres://user@host/db.
    #[arg(long, env = "TENANTRY_DATABASE_URL")]
    database_url: Option<String>,
    /// Seconds to wait for the database (a connection, connecting included) before a request is
    /// answered 503 "unavailable" with Retry-After; PostgreSQL cancels a statement after ten times
    /// this. Fractions are allowed (e.g. 0.5).
    #[arg(
        long,
        env = "TENANTRY_DB_TIMEOUT",
        value_name = "SECONDS",
        default_value = "3",
        value_parser = parse_db_timeout
    )]
    db_timeout: std::time::Duration,
}

/// `--db-timeout`: positive seconds, at most an hour.
fn parse_db_timeout(s: &str) -> Result<std::time::Duration, String> {
    match s.trim().parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs <= 3600.0 => Ok(std::time::Duration::from_secs_f64(secs)),
        _ => Err(format!(
            "'{s}' is not a number of seconds between 0 and 3600 (e.g. 3 or 0.5)"
        )),
    }
}

/// Request limits per caller, as `BURST/PER_SECOND` token buckets (`250/25`: 250 at once, refilled at
/// 25 a second; `3/0.5`: 3 at once, one more every 2 seconds).
#[derive(Args)]
struct ThrottleArgs {
    /// `off` answers every request without limits and without `x-ms-ratelimit-*` headers.
    #[arg(long = "throttle", env = "TENANTRY_THROTTLE", default_value = "on")]
    mode: ThrottleMode,
    /// ARM reads (GET, HEAD) per principal and subscription (or tenant, for tenant-level paths).
    #[arg(long = "throttle-arm-reads", env = "TENANTRY_THROTTLE_ARM_READS", default_value_t = ThrottleSettings::default().arm_reads)]
    arm_reads: Limit,
    /// ARM writes (PUT, PATCH, POST, DELETE) per principal and subscription (or tenant).
    #[arg(long = "throttle-arm-writes", env = "TENANTRY_THROTTLE_ARM_WRITES", default_value_t = ThrottleSettings::default().arm_writes)]
    arm_writes: Limit,
    /// ARM reads of all the principals of one tenant together.
    #[arg(
        long = "throttle-arm-tenant-reads",
        env = "TENANTRY_THROTTLE_ARM_TENANT_READS",
        default_value_t = ThrottleSettings::default().arm_tenant_reads
    )]
    arm_tenant_reads: Limit,
    /// ARM writes of all the principals of one tenant together.
    #[arg(
        long = "throttle-arm-tenant-writes",
        env = "TENANTRY_THROTTLE_ARM_TENANT_WRITES",
        default_value_t = ThrottleSettings::default().arm_tenant_writes
    )]
    arm_tenant_writes: Limit,
    /// Microsoft Graph requests per principal.
    #[arg(long = "throttle-graph", env = "TENANTRY_THROTTLE_GRAPH", default_value_t = ThrottleSettings::default().graph)]
    graph: Limit,
    /// Token requests per confidential client, or per public client and source address.
    #[arg(long = "throttle-token", env = "TENANTRY_THROTTLE_TOKEN", default_value_t = ThrottleSettings::default().token)]
    token: Limit,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ThrottleMode {
    On,
    Off,
}

impl ThrottleArgs {
    fn settings(&self) -> ThrottleSettings {
        ThrottleSettings {
            enabled: self.mode == ThrottleMode::On,
            arm_reads: self.arm_reads,
            arm_writes: self.arm_writes,
            arm_tenant_reads: self.arm_tenant_reads,
            arm_tenant_writes: self.arm_tenant_writes,
            graph: self.graph,
            token: self.token,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Serve the control plane over HTTPS.
    Serve {
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on.
        #[arg(long, env = "TENANTRY_LISTEN", default_value = "127.0.0.1:8443")]
        listen: SocketAddr,
        /// A world file to apply before serving.
        #[arg(long)]
        world: Option<PathBuf>,
        /// The base URL clients reach this server at, when not https://<listen>.
        #[arg(long, env = "TENANTRY_PUBLIC_URL")]
        public_url: Option<String>,
        /// Extra host names or addresses for the server certificate.
        #[arg(long = "tls-name")]
        tls_names: Vec<String>,
        /// A reverse proxy in front of tenantry (address or network, e.g. 10.0.0.0/8), repeatable:
        /// its X-Forwarded-For then names the client, so sign-in lockout counts each client's
        /// failures, not the proxy's.
        #[arg(
            long = "trusted-proxy",
            env = "TENANTRY_TRUSTED_PROXIES",
            value_delimiter = ','
        )]
        trusted_proxies: Vec<String>,
        /// CA certificates (PEM) to trust, beside the system's roots, when fetching the keys of the
        /// external OpenID Connect issuers that federated credentials name: a private issuer's CA.
        /// The system's roots honour SSL_CERT_FILE too.
        #[arg(long = "issuer-ca-file", env = "TENANTRY_ISSUER_CA_FILE")]
        issuer_ca_file: Option<PathBuf>,
        /// Seconds that requests in flight get to finish on SIGTERM or Ctrl-C (no new ones are
        /// accepted, /readyz answers 503) before the process exits.
        #[arg(long, env = "TENANTRY_DRAIN_TIMEOUT", default_value_t = 30)]
        drain_timeout: u64,
        /// Seconds that, once asked to stop, the server goes on taking requests while /readyz
        /// answers 503, before it stops taking them: behind a load balancer that polls /readyz, at
        /// least two of its check intervals, so that no request is sent to a closed port.
        #[arg(long, env = "TENANTRY_SHUTDOWN_DELAY", default_value_t = 0)]
        shutdown_delay: u64,
        #[command(flatten)]
        metrics: MetricsArgs,
        #[command(flatten)]
        throttle: ThrottleArgs,
    },
    /// Build a world from a file, or write the current world to one.
    World {
        #[command(subcommand)]
        command: WorldCommand,
    },
    /// List audit events, newest first; or verify, checkpoint or export the audit log's hash chain.
    Audit(AuditCommandArgs),
    /// Move a subscription to another directory as the operator: preview first, then apply.
    ChangeDirectory(ChangeDirectoryArgs),
    /// Token signing keys: list them, or rotate to a new one.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Support requests filed from the portal's Help + support page.
    Support {
        #[command(subcommand)]
        command: SupportCommand,
    },
    /// Copy the embedded database to a file while it serves (consistent, compact; never the
    /// key-encryption key). PostgreSQL is backed up with pg_dump (see the README).
    Backup {
        /// The backup file to write; it must not exist.
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Put a backup in place as the embedded database of an empty data directory. Serving it needs
    /// the key-encryption key the backup was taken with.
    Restore {
        /// The backup file, as `tenantry backup` wrote it.
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Let a process act as a resource's managed identities, without a secret of its own.
    Identity {
        #[command(subcommand)]
        command: IdentityCommand,
    },
}

/// Where `GET /metrics` (Prometheus' text format) is served; with neither, it is not (404).
#[derive(Args)]
struct MetricsArgs {
    /// Serve /metrics over plain HTTP on this address of its own (e.g. 127.0.0.1:9464), with no
    /// token: keep it on the operator's network.
    #[arg(long, env = "TENANTRY_METRICS_LISTEN")]
    metrics_listen: Option<SocketAddr>,
    /// Serve /metrics on the main HTTPS listener to scrapers that send `Authorization: Bearer
    /// <this token>` (401 without it).
    #[arg(long, env = "TENANTRY_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
}

#[derive(Subcommand)]
enum IdentityCommand {
    /// Issue an endpoint secret for a resource that has managed identities and print the environment
    /// variables a process exports to get their tokens: IDENTITY_ENDPOINT and IDENTITY_HEADER (the App
    /// Service form), and AZURE_POD_IDENTITY_AUTHORITY_HOST (the IMDS form).
    Env {
        #[command(flatten)]
        db: DbArgs,
        /// The resource's id: /subscriptions/…/resourceGroups/…/providers/….
        resource_id: String,
        /// The base URL the process reaches the server at.
        #[arg(
            long,
            env = "TENANTRY_PUBLIC_URL",
            default_value = "https://127.0.0.1:8443"
        )]
        public_url: String,
    },
    /// Revoke every endpoint secret issued for a resource.
    Revoke {
        #[command(flatten)]
        db: DbArgs,
        resource_id: String,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Add a new active signing key. The previous keys stay published (JWKS) until the tokens they
    /// signed have expired; running servers switch to the new key within seconds.
    Rotate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// List the signing keys: kid, created, and until when each is published.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum SupportCommand {
    /// List every support request, newest first.
    List {
        #[command(flatten)]
        db: DbArgs,
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct ChangeDirectoryArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The subscription (GUID).
    subscription: uuid::Uuid,
    /// The destination directory: GUID, name or domain.
    destination: String,
    /// Re-grant an old principal's access to a principal of the destination: OLD=NEW (object id, UPN or email).
    #[arg(long = "map", value_name = "OLD=NEW")]
    map: Vec<String>,
    /// Only show what would be removed and what blocks the change.
    #[arg(long)]
    preview: bool,
}

#[derive(Subcommand)]
enum WorldCommand {
    /// Create what the file describes and is missing; all or nothing.
    Apply {
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Write the current world as a world file (passwords as hashes).
    Export {
        #[command(flatten)]
        db: DbArgs,
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
struct AuditCommandArgs {
    #[command(subcommand)]
    command: Option<AuditCommand>,
    #[command(flatten)]
    list: AuditArgs,
}

#[derive(Subcommand)]
pub(crate) enum AuditCommand {
    /// Walk the audit log's hash chain, oldest first, a page at a time: prints `ok: N events, tip
    /// <hash>`, or names the first event changed, removed or inserted and exits non-zero.
    Verify {
        #[command(flatten)]
        db: DbArgs,
        /// A checkpoint saved from `tenantry audit checkpoint` (or GET
        /// /providers/Microsoft.Subscription/auditCheckpoint): also prove that the chain passes
        /// through it, i.e. that no history before it was rewritten.
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
    },
    /// Print the chain's tip (event count and last hash) signed with the token signing key, as JSON:
    /// keep it somewhere else, and verify against it later.
    Checkpoint {
        #[command(flatten)]
        db: DbArgs,
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Every event in chain order (oldest first), with its place and hashes: one JSON object per line.
    Export {
        #[command(flatten)]
        db: DbArgs,
        /// The output format (one: JSON Lines).
        #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
        format: ExportFormat,
        /// Only events at or after this time, written as for `tenantry audit --since`.
        #[arg(long, value_parser = parse_when)]
        since: Option<When>,
        /// Only events at or before this time.
        #[arg(long, value_parser = parse_when)]
        until: Option<When>,
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExportFormat {
    /// One JSON object per line.
    Jsonl,
}

#[derive(Args)]
struct AuditArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Only events of this tenant (GUID).
    #[arg(long)]
    tenant: Option<uuid::Uuid>,
    /// Only events of this subscription (GUID).
    #[arg(long)]
    subscription: Option<uuid::Uuid>,
    /// Only events by this actor (email, UPN, client id or `operator`).
    #[arg(long)]
    actor: Option<String>,
    /// Only operations starting with this text, e.g. Microsoft.Authorization/roleAssignments.
    #[arg(long)]
    operation: Option<String>,
    /// Only events at or after this time: RFC 3339 (2026-12-05T08:00:00Z), a duration ago (90s, 15m,
    /// 2h, 7d, 2w) or unix seconds.
    #[arg(long, value_parser = parse_when)]
    since: Option<When>,
    /// Only events at or before this time, written as for --since.
    #[arg(long, value_parser = parse_when)]
    until: Option<When>,
    /// At most this many events (read in pages of up to 1,000).
    #[arg(long, default_value_t = 100, conflicts_with = "all")]
    limit: u64,
    /// Every event that matches, however many: page after page to the oldest.
    #[arg(long)]
    all: bool,
    /// Continue after this event: the cursor the previous run printed when it stopped at its limit.
    #[arg(long, value_name = "CURSOR", value_parser = parse_audit_cursor)]
    after: Option<AuditCursor>,
    /// One JSON object per line instead of a table.
    #[arg(long)]
    json: bool,
}

/// Opens the configured database, creating the embedded one on first use.
pub(crate) async fn open_service(db: &DbArgs) -> anyhow::Result<Service> {
    let store = match &db.database_url {
        Some(url) => Store::open_with_timeout(url, db.db_timeout)
            .await
            .with_context(|| "could not open the database")?,
        None => {
            std::fs::create_dir_all(&db.data).with_context(|| {
                format!("could not create the data directory {}", db.data.display())
            })?;
            Store::open_sqlite_file_with_timeout(&sqlite_file(&db.data), db.db_timeout)
                .await
                .with_context(|| "could not open the embedded database")?
        }
    };
    let started = std::time::Instant::now();
    let mut shown = started;
    // Quiet for a second; then a log line per phase's end and at most one a second within a phase.
    let mut progress = |phase: &'static str, rows: u64| {
        let now = std::time::Instant::now();
        if now - started >= LOAD_QUIET && (rows == 0 || now - shown >= LOAD_QUIET) {
            shown = now;
            let seconds = (now - started).as_secs_f64();
            tracing::info!(phase, rows, seconds, "loading the world");
        }
    };
    let svc = Service::open_reporting(store, &mut progress).await?;
    let seconds = started.elapsed().as_secs_f64();
    if started.elapsed() >= LOAD_QUIET {
        tracing::info!(seconds, "world loaded");
    }
    Ok(svc)
}

/// How long loading the world goes on without a word.
const LOAD_QUIET: std::time::Duration = std::time::Duration::from_secs(1);

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve {
            db,
            listen,
            world,
            public_url,
            tls_names,
            trusted_proxies,
            issuer_ca_file,
            drain_timeout,
            shutdown_delay,
            metrics,
            throttle,
        } => {
            crate::memory::small_pages();
            let svc = open_service(&db).await?;
            if let Some(path) = issuer_ca_file {
                let pem = std::fs::read(&path)
                    .with_context(|| format!("could not read {}", path.display()))?;
                svc.issuer_keys()
                    .trust_ca_pem(&pem)
                    .map_err(|e| anyhow::anyhow!("--issuer-ca-file {}: {e}", path.display()))?;
            }
            if let Some(file) = world {
                // A log line, not a message: in `--log-format json` standard error holds only JSON.
                let applied = apply_world(&svc, &file).await?;
                tracing::info!(
                    file = %file.display(),
                    changes = applied.changes,
                    rows = applied.rows,
                    seconds = applied.secs,
                    "world file applied"
                );
            }
            std::fs::create_dir_all(&db.data)?;
            crate::memory::loaded();
            tenantry_server::serve(
                svc,
                tenantry_server::ServeConfig {
                    listen,
                    data_dir: db.data,
                    extra_names: tls_names,
                    public_url,
                    trusted_proxies,
                    drain_timeout: std::time::Duration::from_secs(drain_timeout),
                    shutdown_delay: std::time::Duration::from_secs(shutdown_delay),
                    metrics: tenantry_server::metrics::MetricsConfig {
                        listen: metrics.metrics_listen,
                        token: metrics.metrics_token,
                    },
                    throttle: throttle.settings(),
                },
            )
            .await
        }
        Command::World {
            command: WorldCommand::Apply { file, db },
        } => {
            let svc = open_service(&db).await?;
            let applied = apply_world(&svc, &file).await?;
            if applied.changes == 0 {
                eprintln!(
                    "{}: nothing to do, the world already has everything in it",
                    file.display()
                );
            } else {
                eprintln!(
                    "{}: applied ({} changes, {} rows in {:.1} s, {:.0} rows/s)",
                    file.display(),
                    applied.changes,
                    applied.rows,
                    applied.secs,
                    applied.rows as f64 / applied.secs.max(1e-3)
                );
            }
            Ok(())
        }
        Command::World {
            command: WorldCommand::Export { db, output },
        } => {
            use std::io::Write as _;
            let svc = open_service(&db).await?;
            // Written as the entries are made: a large world is never one string in memory.
            match output {
                Some(path) => {
                    let write = || -> std::io::Result<()> {
                        let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
                        svc.export_world_to(&mut out)?;
                        out.flush()
                    };
                    write().with_context(|| format!("could not write {}", path.display()))?
                }
                None => {
                    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                    svc.export_world_to(&mut out)?;
                    out.flush()?;
                }
            }
            Ok(())
        }
        Command::Keys { command } => keys(command).await,
        Command::Audit(AuditCommandArgs {
            command: Some(command),
            ..
        }) => crate::audit_chain::run(command).await,
        Command::Audit(a) => audit(a.list).await,
        Command::ChangeDirectory(a) => change_directory(a).await,
        Command::Support {
            command: SupportCommand::List { db, json },
        } => support_list(&db, json).await,
        Command::Identity { command } => identity(command).await,
        Command::Backup { file, db } => backup(&file, &db).await,
        Command::Restore { file, db } => restore(&file, &db).await,
    }
}

/// The embedded database's file in a data directory.
fn sqlite_file(data: &Path) -> PathBuf {
    data.join("tenantry.db")
}

async fn backup(file: &Path, db: &DbArgs) -> anyhow::Result<()> {
    if db.database_url.is_some() {
        anyhow::bail!(
            "tenantry backup copies the embedded database; back up PostgreSQL with pg_dump (see the README)"
        );
    }
    let source = sqlite_file(&db.data);
    if !source.exists() {
        anyhow::bail!("there is no database at {}", source.display());
    }
    let store = Store::open_sqlite_file(&source)
        .await
        .context("could not open the embedded database")?;
    let summary = store.backup_into(file).await;
    store.close().await;
    let summary = summary.with_context(|| format!("could not back up to {}", file.display()))?;
    eprintln!(
        "{}: backed up through revision {} ({} audit events, {} bytes); the key-encryption key is not in it, keep it apart",
        file.display(),
        summary.revision,
        summary.audit_events,
        summary.bytes
    );
    Ok(())
}

async fn restore(file: &Path, db: &DbArgs) -> anyhow::Result<()> {
    if db.database_url.is_some() {
        anyhow::bail!(
            "tenantry restore fills an embedded database; restore PostgreSQL with pg_restore (see the README)"
        );
    }
    // Restoring over a directory in use would mix two histories (or pull a database out from under a
    // server): only an empty or new directory is accepted.
    let occupied = match std::fs::read_dir(&db.data) {
        Ok(mut entries) => entries.next().is_some(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => anyhow::bail!("cannot read {}: {e}", db.data.display()),
    };
    if occupied {
        anyhow::bail!(
            "{} is not empty: restore into an empty or new data directory",
            db.data.display()
        );
    }
    std::fs::create_dir_all(&db.data)
        .with_context(|| format!("could not create {}", db.data.display()))?;
    let summary = tenantry_service::store::backup::restore_into(file, &sqlite_file(&db.data))
        .await
        .with_context(|| format!("could not restore {}", file.display()))?;
    eprintln!(
        "{}: restored through revision {} ({} audit events). Before serving, give it the key-encryption key it \
         was backed up with ({} or the file {} in the data directory), or its signing keys cannot be opened",
        db.data.display(),
        summary.revision,
        summary.audit_events,
        tenantry_service::signin::KEK_ENV,
        tenantry_service::signin::KEK_FILE,
    );
    Ok(())
}

async fn identity(command: IdentityCommand) -> anyhow::Result<()> {
    use tenantry_service::domain::{Actor, Scope};
    let parse = |id: &str| {
        Scope::parse(id).map_err(|e| anyhow::anyhow!("'{id}' is not a resource id: {e}"))
    };
    match command {
        IdentityCommand::Env {
            db,
            resource_id,
            public_url,
        } => {
            let svc = open_service(&db).await?;
            let scope = parse(&resource_id)?;
            let secret = svc
                .issue_identity_endpoint_secret(&Actor::Operator, &scope)
                .await?;
            print!("{}", identity_env(&public_url, &secret));
            Ok(())
        }
        IdentityCommand::Revoke { db, resource_id } => {
            let svc = open_service(&db).await?;
            let scope = parse(&resource_id)?;
            let n = svc
                .revoke_identity_endpoint_secrets(&Actor::Operator, &scope)
                .await?;
            eprintln!("revoked {n} endpoint secrets of {resource_id}");
            Ok(())
        }
    }
}

/// The lines `tenantry identity env` prints: both forms, each usable alone.
fn identity_env(public_url: &str, secret: &str) -> String {
    let [endpoint, header, host] =
        tenantry_service::signin::managed_identity::endpoint_environment(public_url, secret)
            .map(|(name, value)| format!("export {name}='{value}'\n"));
    format!(
        "# App Service form (azure-identity and msal use it when both variables are set):\n\
         {endpoint}{header}\
         # IMDS form (the secret is in the host's path; used when IDENTITY_ENDPOINT is not set):\n\
         {host}"
    )
}

async fn support_list(db: &DbArgs, json: bool) -> anyhow::Result<()> {
    let svc = open_service(db).await?;
    let list = svc
        .all_support_requests(&tenantry_service::domain::Actor::Operator)
        .await?;
    if list.is_empty() && !json {
        eprintln!("no support requests");
    }
    for r in list {
        let row = &r.row;
        if json {
            let v = serde_json::json!({
                "id": row.id,
                "created": row.created,
                "requester": r.requester_name,
                "tenantId": row.tenant,
                "subscriptionId": row.subscription,
                "severity": row.severity,
                "status": row.status,
                "subject": row.subject,
                "description": row.description,
            });
            println!("{v}");
        } else {
            println!(
                "{}  {}  severity {}  {:<8}  {:<32}  {}",
                row.created, row.id, row.severity, row.status, r.requester_name, row.subject
            );
        }
    }
    Ok(())
}

/// What applying a world file did.
struct Applied {
    /// Changes written (none when the world already had it all).
    changes: usize,
    /// About how many rows they wrote, audit events included.
    rows: usize,
    /// From reading the file to the world in memory.
    secs: f64,
}

/// Applies the world file `file`. On a terminal a progress bar follows each phase (reading, planning,
/// writing, committing) with its counts, rate and time left.
async fn apply_world(svc: &Service, file: &Path) -> anyhow::Result<Applied> {
    use std::io::IsTerminal;
    use tenantry_service::world::ApplyPhase;
    let started = std::time::Instant::now();
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("could not read {}", file.display()))?;
    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(0)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let counted = indicatif::ProgressStyle::with_template(
        "{msg} [{bar:30}] {human_pos}/{human_len} entries, {per_sec:0} ({eta} left)",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    let waiting = indicatif::ProgressStyle::with_template("{msg} {spinner} {elapsed}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner());
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    let mut phase = None;
    let mut rows = 0;
    // Rows are written while entries are planned: the bar counts entries, its message the rows.
    let mut progress = |now: ApplyPhase, done: usize, total: usize| {
        if now == ApplyPhase::Writing {
            rows = done;
            if phase == Some(ApplyPhase::Planning) {
                bar.set_message(format!("applying ({rows} rows written)"));
            }
            return;
        }
        if phase != Some(now) {
            // Where the time goes, for whoever asks (`TENANTRY_LOG=debug`).
            tracing::debug!(phase = ?now, rows, seconds = started.elapsed().as_secs_f64(), "world apply");
            phase = Some(now);
            let (style, name) = match now {
                ApplyPhase::Reading => (&waiting, "reading"),
                ApplyPhase::Planning | ApplyPhase::Writing => (&counted, "applying"),
                ApplyPhase::Committing => (&waiting, "committing"),
            };
            bar.set_style(style.clone());
            bar.set_message(name);
            // The rate and time left are of this phase alone.
            bar.reset();
        }
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let result = svc.apply_world_reporting(&text, &mut progress).await;
    bar.finish_and_clear();
    drop(text);
    let changes = result.map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    Ok(Applied {
        changes,
        rows,
        secs: started.elapsed().as_secs_f64(),
    })
}

async fn keys(command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Rotate { db } => {
            let svc = open_service(&db).await?;
            std::fs::create_dir_all(&db.data)?;
            let kek = tenantry_service::signin::key_encryption_key(&db.data)?;
            // The base URL only matters for issuing tokens, which rotation does not do.
            let signin = tenantry_service::signin::SignIn::new(svc, "", kek);
            let kid = signin.rotate_keys().await?;
            println!(
                "new active signing key {kid}; the previous keys stay published until their tokens expire"
            );
            Ok(())
        }
        KeysCommand::List { db } => {
            use tenantry_service::signin::SigningKeyState;
            let svc = open_service(&db).await?;
            for k in svc.signing_keys().await? {
                let status = match k.state {
                    SigningKeyState::Active => "active".to_string(),
                    SigningKeyState::Published { until } => {
                        format!("retired, published until {until}")
                    }
                    SigningKeyState::Expired => "expired".to_string(),
                };
                println!("{}  created {}  {status}", k.kid, k.created);
            }
            Ok(())
        }
    }
}

/// A point in time on the command line: absolute, or a duration before now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum When {
    At(i64),
    Ago(i64),
}

impl When {
    pub(crate) fn at(self, now: i64) -> i64 {
        match self {
            When::At(t) => t,
            When::Ago(d) => now.saturating_sub(d),
        }
    }
}

fn parse_when(text: &str) -> Result<When, String> {
    let text = text.trim();
    if let Ok(t) = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
    {
        return Ok(When::At(t.unix_timestamp()));
    }
    if let Ok(seconds) = text.parse::<i64>() {
        return Ok(When::At(seconds));
    }
    let unit = |u: &str| match u {
        "s" => Some(1),
        "m" => Some(60),
        "h" => Some(3_600),
        "d" => Some(86_400),
        "w" => Some(7 * 86_400),
        _ => None,
    };
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (n, u) = text.split_at(split);
    match (n.parse::<i64>(), unit(u)) {
        (Ok(n), Some(u)) => Ok(When::Ago(n.saturating_mul(u))),
        _ => Err(format!(
            "'{text}' is not a time: write RFC 3339 (2026-12-05T08:00:00Z), a duration ago (90s, 15m, 2h, 7d, 2w) or unix seconds"
        )),
    }
}

fn parse_audit_cursor(text: &str) -> Result<AuditCursor, String> {
    AuditCursor::parse(text)
        .ok_or_else(|| format!("'{text}' is not a cursor printed by `tenantry audit`"))
}

async fn audit(a: AuditArgs) -> anyhow::Result<()> {
    let svc = open_service(&a.db).await?;
    let mut filter = AuditFilter {
        tenant: a.tenant.map(Into::into),
        subscription: a.subscription.map(Into::into),
        actor: a.actor,
        operation: a.operation.map(OperationMatch::Prefix),
        since: a.since.map(|w| w.at(svc.now())),
        until: a.until.map(|w| w.at(svc.now())),
        limit: None,
        // The operator reads everything.
        readable_by: None,
        after: a.after,
    };
    let wanted = if a.all { u64::MAX } else { a.limit };
    let mut shown: u64 = 0;
    // Pages as large as the store reads at once, each from where the last one stopped.
    while shown < wanted {
        let page_size = (wanted - shown).min(u64::from(MAX_AUDIT_LIMIT));
        filter.limit = Some(u32::try_from(page_size).unwrap_or(MAX_AUDIT_LIMIT));
        let page = svc.audit_events(&filter).await?;
        for e in &page {
            if a.json {
                println!("{}", serde_json::to_string(e)?);
            } else {
                println!(
                    "{}  {:<40}  {:<60}  {}",
                    e.time, e.actor, e.operation, e.target
                );
            }
        }
        shown += page.len() as u64;
        let Some(last) = page.last().filter(|_| filter.is_full(&page)) else {
            return Ok(());
        };
        filter.after = Some(AuditCursor::after(last));
    }
    // Stopped at the limit with a full page: there may be more.
    if let Some(after) = filter.after {
        eprintln!(
            "stopped at {shown} events; the next ones: tenantry audit … --after {}",
            after.encode()
        );
    }
    Ok(())
}

async fn change_directory(a: ChangeDirectoryArgs) -> anyhow::Result<()> {
    use tenantry_service::domain::{Actor, PrincipalMapEntry};
    let svc = open_service(&a.db).await?;
    let destination = svc
        .read(|w| w.find_tenant(&a.destination).map(|t| t.tenant.id))
        .ok_or_else(|| anyhow::anyhow!("no directory named '{}'", a.destination))?;
    let map = a
        .map
        .iter()
        .map(|m| {
            m.split_once('=')
                .map(|(from, to)| PrincipalMapEntry {
                    from: from.trim().into(),
                    to: to.trim().into(),
                })
                .ok_or_else(|| anyhow::anyhow!("--map takes OLD=NEW, not '{m}'"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let sub = a.subscription.into();
    let plan = svc.preview_change_directory(&Actor::Operator, sub, destination, &map)?;
    println!(
        "removes {} co-administrators, {} role assignments, {} custom roles",
        plan.removed_co_admins.len(),
        plan.removed_assignments.len(),
        plan.removed_custom_roles.len()
    );
    println!(
        "re-grants {} role assignments and {} co-administrators",
        plan.regranted_assignments.len(),
        plan.regranted_co_admins.len()
    );
    for b in &plan.blockers {
        println!("blocked: {}", b.full_message());
    }
    if a.preview {
        return Ok(());
    }
    svc.change_directory(&Actor::Operator, sub, destination, None, map)
        .await?;
    println!("the subscription now trusts {}", a.destination);
    Ok(())
}
