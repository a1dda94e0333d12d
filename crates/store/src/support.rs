//! Support requests filed from the portal's Help + support page, kept for the operator
//! (`tenantry support list`). A request and its audit event are written in one transaction.

use crate::Store;
use crate::error::{StoreError, StoreResult};
use sqlx::Row;
use sqlx::any::AnyRow;
use tenantry_domain::audit::AuditEvent;
use tenantry_domain::{RequestId, SubscriptionId, TenantId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportRequestRow {
    pub id: RequestId,
    /// Who asked: the service's text form of the requester's identity.
    pub requester: String,
    /// The directory the requester acted in, when any.
    pub tenant: Option<TenantId>,
    /// The subscription the request is about, when any.
    pub subscription: Option<SubscriptionId>,
    pub subject: String,
    pub description: String,
    pub severity: String,
    pub status: String,
    pub created: i64,
}

const COLUMNS: &str =
    "id, requester, tenant_id, subscription_id, subject, description, severity, status, created";

fn parse_id<T: std::str::FromStr>(s: &str, what: &str) -> StoreResult<T> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("support_requests.{what}: bad GUID '{s}'")))
}

fn decode(r: &AnyRow) -> StoreResult<SupportRequestRow> {
    let id: String = r.try_get("id")?;
    let tenant: Option<String> = r.try_get("tenant_id")?;
    let subscription: Option<String> = r.try_get("subscription_id")?;
    Ok(SupportRequestRow {
        id: parse_id(&id, "id")?,
        requester: r.try_get("requester")?,
        tenant: tenant
            .as_deref()
            .map(|t| parse_id(t, "tenant_id"))
            .transpose()?,
        subscription: subscription
            .as_deref()
            .map(|s| parse_id(s, "subscription_id"))
            .transpose()?,
        subject: r.try_get("subject")?,
        description: r.try_get("description")?,
        severity: r.try_get("severity")?,
        status: r.try_get("status")?,
        created: r.try_get("created")?,
    })
}

impl Store {
    /// Keeps a new request, with its audit event, atomically.
    pub async fn insert_support_request(
        &self,
        r: &SupportRequestRow,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO support_requests (id, requester, tenant_id, subscription_id, subject, description, severity, status, created) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(r.id.to_string())
        .bind(&r.requester)
        .bind(r.tenant.map(|t| t.to_string()))
        .bind(r.subscription.map(|s| s.to_string()))
        .bind(&r.subject)
        .bind(&r.description)
        .bind(&r.severity)
        .bind(&r.status)
        .bind(r.created)
        .execute(&mut *tx)
        .await?;
        // The audit event at the chain's tip, as every write appends it (not a revision's write: the
        // tip is read and locked here).
        crate::audit_chain::append(
            crate::batch::Conn::Any(&mut tx),
            &mut None,
            std::slice::from_ref(event),
            self.backend,
            &mut |_| {},
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Requests of one requester (`Some`) or all of them (`None`), newest first.
    pub async fn support_requests(
        &self,
        requester: Option<&str>,
    ) -> StoreResult<Vec<SupportRequestRow>> {
        let rows = match requester {
            Some(who) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM support_requests WHERE requester = $1 ORDER BY created DESC, id DESC"
                )))
                .bind(who.to_string())
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM support_requests ORDER BY created DESC, id DESC"
                )))
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(decode).collect()
    }
}
