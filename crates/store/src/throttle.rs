//! What instances tell each other of the requests they charged to callers' buckets (`throttle_usage`):
//! each writes what it charged in an interval, in one statement, and reads what the others wrote.

use crate::Store;
use crate::error::StoreResult;
use sqlx::{AssertSqlSafe, Row};
use std::fmt::Write as _;

/// What one instance charged to one bucket in one interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRow {
    pub instance: String,
    /// The writer's clock at the end of the interval (unix milliseconds).
    pub at: i64,
    pub bucket: String,
    pub used: i64,
}

/// Rows per statement: well under the databases' limits on bound parameters.
const ROWS_PER_STATEMENT: usize = 200;

impl Store {
    /// Writes what `instance` charged in the interval that ended `at`, and forgets every row older than
    /// `forget_before`.
    pub async fn publish_throttle_usage(
        &self,
        instance: &str,
        at: i64,
        used: &[(String, i64)],
        forget_before: i64,
    ) -> StoreResult<()> {
        for chunk in used.chunks(ROWS_PER_STATEMENT) {
            let mut sql =
                String::from("INSERT INTO throttle_usage (instance, at, bucket, used) VALUES ");
            for i in 0..chunk.len() {
                let p = 2 * i + 3;
                let _ = write!(
                    sql,
                    "{}($1, $2, ${p}, ${})",
                    if i == 0 { "" } else { ", " },
                    p + 1
                );
            }
            // Only placeholders are formatted into the text; every value is bound.
            let mut query = sqlx::query(AssertSqlSafe(sql)).bind(instance).bind(at);
            for (bucket, n) in chunk {
                query = query.bind(bucket.as_str()).bind(*n);
            }
            query.execute(&self.pool).await?;
        }
        sqlx::query("DELETE FROM throttle_usage WHERE at < $1")
            .bind(forget_before)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// What the instances other than `instance` wrote for intervals that ended after `since`.
    pub async fn throttle_usage_since(
        &self,
        instance: &str,
        since: i64,
    ) -> StoreResult<Vec<UsageRow>> {
        let rows = sqlx::query(
            "SELECT instance, at, bucket, used FROM throttle_usage WHERE instance <> $1 AND at > $2",
        )
        .bind(instance)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(UsageRow {
                    instance: r.try_get("instance")?,
                    at: r.try_get("at")?,
                    bucket: r.try_get("bucket")?,
                    used: r.try_get("used")?,
                })
            })
            .collect()
    }
}
