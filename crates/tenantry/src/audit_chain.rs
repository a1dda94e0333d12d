//! `tenantry audit verify | export`: the audit log's hash chain for the operator.

use crate::cli::{AuditCommand, DbArgs, ExportFormat, open_service};
use anyhow::Context;
use std::io::Write;
use std::path::Path;
use tenantry_service::domain::audit_chain::StoredLink;
use tenantry_service::domain::timestamps::format_timestamp;
use tenantry_service::store::{CHAIN_PAGE, ChainRange};

pub async fn run(command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify { db } => verify(&db).await,
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

async fn verify(db: &DbArgs) -> anyhow::Result<()> {
    let svc = open_service(db).await?;
    match svc.verify_audit_chain(None).await? {
        Ok(tip) => {
            println!("ok: {} events, tip {}", tip.count, tip.hash);
            Ok(())
        }
        Err(b) => anyhow::bail!("the audit chain is broken: {b}"),
    }
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
