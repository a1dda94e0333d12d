//! `tenantry audit verify | checkpoint | export`: the audit log's hash chain for the operator.

use crate::cli::{AuditCommand, DbArgs, ExportFormat, open_service};
use anyhow::Context;
use std::io::Write;
use std::path::Path;
use tenantry_service::domain::audit_chain::StoredLink;
use tenantry_service::domain::timestamps::format_timestamp;
use tenantry_service::store::{CHAIN_PAGE, ChainRange};

pub async fn run(command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify { db, checkpoint } => verify(&db, checkpoint.as_deref()).await,
        AuditCommand::Checkpoint { db, output } => checkpoint(&db, output.as_deref()).await,
        AuditCommand::Export {
            db,
            format: ExportFormat::Jsonl,
            since,
            until,
            output,
        } => {
            let svc = open_service(&db).await?;
            let range = ChainRange {
                after: 0,
                since: since.map(|w| w.at(svc.now())),
                until: until.map(|w| w.at(svc.now())),
            };
            let mut out = writer(output.as_deref())?;
            export(&svc, range, &mut out).await?;
            out.flush()?;
            Ok(())
        }
    }
}

/// Standard output, or a new file.
fn writer(output: Option<&Path>) -> anyhow::Result<Box<dyn Write>> {
    Ok(match output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("could not write {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    })
}

async fn verify(db: &DbArgs, checkpoint: Option<&Path>) -> anyhow::Result<()> {
    let svc = open_service(db).await?;
    let checkpoint = match checkpoint {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("could not read {}", path.display()))?;
            let tip = svc
                .open_audit_checkpoint(&text)
                .await
                .with_context(|| format!("{}", path.display()))?;
            Some(tip)
        }
        None => None,
    };
    match svc.verify_audit_chain(checkpoint).await? {
        Ok(tip) => {
            println!("ok: {} events, tip {}", tip.count, tip.hash);
            if let Some(c) = checkpoint {
                println!(
                    "the chain extends the checkpoint ({} events, tip {})",
                    c.count, c.hash
                );
            }
            Ok(())
        }
        Err(b) => anyhow::bail!("the audit chain is broken: {b}"),
    }
}

async fn checkpoint(db: &DbArgs, output: Option<&Path>) -> anyhow::Result<()> {
    let svc = open_service(db).await?;
    std::fs::create_dir_all(&db.data)?;
    let kek = tenantry_service::signin::key_encryption_key(&db.data)?;
    // The base URL only matters for issuing tokens, which a checkpoint does not do.
    let signin = tenantry_service::signin::SignIn::new(svc, "", kek);
    let c = signin.audit_checkpoint().await?;
    let mut out = writer(output)?;
    writeln!(out, "{}", serde_json::to_string_pretty(&c)?)?;
    out.flush()?;
    Ok(())
}

/// One event of the chain as a line of the export: its columns as stored (so the hash can be
/// recomputed from the line: `details` is the stored JSON text, parsed), its place and its hashes.
fn line(l: &StoredLink) -> serde_json::Value {
    let r = &l.record;
    let details: serde_json::Value = serde_json::from_str(&r.details)
        .unwrap_or_else(|_| serde_json::Value::String(r.details.clone()));
    serde_json::json!({
        "seq": l.seq,
        "id": r.id,
        "time": r.time,
        "timestamp": format_timestamp(r.time),
        "actor": r.actor,
        "actorKey": r.actor_key,
        "actorId": r.actor_id,
        "tenantId": r.tenant_id,
        "subscriptionId": r.subscription_id,
        "operation": r.operation,
        "target": r.target,
        "details": details,
        "prevHash": l.prev_hash,
        "hash": l.hash,
    })
}

/// Every event of `range` in chain order, a page at a time.
async fn export(
    svc: &tenantry_service::Service,
    mut range: ChainRange,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    loop {
        let page = svc.audit_chain_page(range).await?;
        for l in &page {
            writeln!(out, "{}", line(l))?;
        }
        match page.last() {
            Some(last) if page.len() >= CHAIN_PAGE as usize => range.after = last.seq,
            _ => return Ok(()),
        }
    }
}
