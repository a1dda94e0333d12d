//! The sign-in service's rows: token signing keys (sealed by the application), refresh tokens with their
//! rotation families, authorization codes and the smart-lockout counters. Every instance reads and
//! writes these, so nothing about sign-in lives only in one process's memory.
//!
//! Tokens and codes are stored as hashes chosen by the caller; this module never sees a bearer value.
//! Single-use rules are enforced by conditional `UPDATE ... RETURNING` statements, atomic on both
//! backends: of two instances redeeming the same refresh token or code at once, exactly one wins.

use crate::Store;
use crate::error::StoreResult;
use sqlx::Row;
use sqlx::any::AnyRow;

/// A signing key as stored: the private half sealed by the application's key-encryption key.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredSigningKey {
    pub kid: String,
    pub sealed_private_key: String,
    /// The public JWK, JSON text.
    pub public_jwk: String,
    pub created: i64,
    /// Published until then (tokens it signed are verifiable until then).
    pub not_after: i64,
    /// 0 while the key signs new tokens; the time it stopped otherwise.
    pub retired: i64,
}

impl std::fmt::Debug for StoredSigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredSigningKey")
            .field("kid", &self.kid)
            .field("created", &self.created)
            .field("not_after", &self.not_after)
            .field("retired", &self.retired)
            .finish_non_exhaustive()
    }
}

/// A refresh token row (the token itself is only its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshTokenRow {
    pub id: String,
    pub family_id: String,
    pub token_hash: String,
    /// JSON of the identity the token was issued to.
    pub identity: String,
    pub client_id: String,
    pub created: i64,
    pub expires: i64,
    pub used: i64,
    pub revoked: i64,
}

/// What redeeming a refresh token found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshRedemption {
    /// The token was live and is now used: issue its successor in the same family.
    Redeemed(RefreshTokenRow),
    /// The token had been used before: someone replays it (the family is revoked by this call).
    Replayed(RefreshTokenRow),
    /// Revoked (its family was) or expired.
    Dead(RefreshTokenRow),
    /// No such token.
    Unknown,
}

/// What redeeming an authorization code found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeRedemption {
    /// Live and now used: its data.
    Redeemed(String),
    /// Used before.
    Replayed,
    Expired,
    Unknown,
}

/// A device code waiting for its person, as the verification page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDeviceCode {
    /// What the device asked for (JSON, the sign-in service's).
    pub request: String,
    pub expires: i64,
}

/// What a device's poll finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevicePoll {
    /// Nobody has approved or declined yet.
    Pending,
    /// Approved, and now redeemed by this poll: the request and who approved it (JSON both).
    Approved {
        request: String,
        grant: String,
    },
    Declined,
    /// Redeemed by an earlier poll.
    Redeemed,
    Expired,
    Unknown,
}

/// A smart-lockout counter after a failure was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureCount {
    pub failures: i64,
    pub locked_until: i64,
}

const KEY_COLUMNS: &str =
    "SELECT kid, sealed_private_key, public_jwk, created, not_after, retired FROM signing_keys";

fn signing_key(row: &AnyRow) -> StoreResult<StoredSigningKey> {
    Ok(StoredSigningKey {
        kid: row.try_get("kid")?,
        sealed_private_key: row.try_get("sealed_private_key")?,
        public_jwk: row.try_get("public_jwk")?,
        created: row.try_get("created")?,
        not_after: row.try_get("not_after")?,
        retired: row.try_get("retired")?,
    })
}

fn refresh_row(row: &AnyRow) -> StoreResult<RefreshTokenRow> {
    Ok(RefreshTokenRow {
        id: row.try_get("id")?,
        family_id: row.try_get("family_id")?,
        token_hash: row.try_get("token_hash")?,
        identity: row.try_get("identity")?,
        client_id: row.try_get("client_id")?,
        created: row.try_get("created")?,
        expires: row.try_get("expires")?,
        used: row.try_get("used")?,
        revoked: row.try_get("revoked")?,
    })
}

impl Store {
    // ----- signing keys -----

    /// Keys still published at `now` (the active one and those retired within their overlap), newest
    /// first: the first row with `retired == 0` is the active key.
    pub async fn published_signing_keys(&self, now: i64) -> StoreResult<Vec<StoredSigningKey>> {
        let rows = sqlx::query(
            "SELECT kid, sealed_private_key, public_jwk, created, not_after, retired FROM signing_keys \
             WHERE not_after > $1 ORDER BY retired ASC, created DESC, kid DESC",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(signing_key).collect()
    }

    /// Every stored key, newest first (for the operator's listing).
    pub async fn all_signing_keys(&self) -> StoreResult<Vec<StoredSigningKey>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{KEY_COLUMNS} ORDER BY created DESC, kid DESC"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(signing_key).collect()
    }

    /// Makes `key` the active key and retires every other active key at `now`, publishing them until
    /// `retired_not_after` (the overlap during which tokens they signed still verify). One transaction.
    pub async fn activate_signing_key(
        &self,
        key: &StoredSigningKey,
        now: i64,
        retired_not_after: i64,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE signing_keys SET retired = $1, not_after = $2 WHERE retired = 0 AND kid <> $3",
        )
        .bind(now)
        .bind(retired_not_after)
        .bind(&key.kid)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO signing_keys (kid, sealed_private_key, public_jwk, created, not_after, retired) \
             VALUES ($1, $2, $3, $4, $5, 0)",
        )
        .bind(&key.kid)
        .bind(&key.sealed_private_key)
        .bind(&key.public_jwk)
        .bind(key.created)
        .bind(key.not_after)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores `key` as the first active key unless another instance got there first (then nothing is
    /// written and false returned). Serialised on the revision row, so two first starts cannot both win.
    pub async fn insert_first_signing_key(&self, key: &StoredSigningKey) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        // Taking the revision row's lock without changing it queues concurrent first starts.
        sqlx::query("UPDATE revision SET rev = rev WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        let active: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM signing_keys WHERE retired = 0")
            .fetch_one(&mut *tx)
            .await?;
        if active > 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO signing_keys (kid, sealed_private_key, public_jwk, created, not_after, retired) \
             VALUES ($1, $2, $3, $4, $5, 0)",
        )
        .bind(&key.kid)
        .bind(&key.sealed_private_key)
        .bind(&key.public_jwk)
        .bind(key.created)
        .bind(key.not_after)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The kid of the active key, if any: a cheap check of whether another instance rotated.
    pub async fn active_signing_kid(&self) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT kid FROM signing_keys WHERE retired = 0 ORDER BY created DESC, kid DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?)
    }

    // ----- refresh tokens -----

    pub async fn insert_refresh_token(&self, t: &RefreshTokenRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO refresh_tokens (id, family_id, token_hash, identity, client_id, created, expires, used, revoked) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&t.id)
        .bind(&t.family_id)
        .bind(&t.token_hash)
        .bind(&t.identity)
        .bind(&t.client_id)
        .bind(t.created)
        .bind(t.expires)
        .bind(t.used)
        .bind(t.revoked)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The refresh token with this hash, whatever its state (to check it before redeeming it).
    pub async fn refresh_token(&self, token_hash: &str) -> StoreResult<Option<RefreshTokenRow>> {
        let row = sqlx::query(
            "SELECT id, family_id, token_hash, identity, client_id, created, expires, used, revoked \
             FROM refresh_tokens WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(refresh_row).transpose()
    }

    /// Marks the token with this hash used, if it is live; otherwise says why not. A replay of a used
    /// token revokes its whole family here, so a stolen token and its successors all stop working.
    pub async fn redeem_refresh_token(
        &self,
        token_hash: &str,
        now: i64,
    ) -> StoreResult<RefreshRedemption> {
        let won = sqlx::query(
            "UPDATE refresh_tokens SET used = $1 \
             WHERE token_hash = $2 AND used = 0 AND revoked = 0 AND expires > $1 \
             RETURNING id, family_id, token_hash, identity, client_id, created, expires, used, revoked",
        )
        .bind(now)
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(row) = won {
            return Ok(RefreshRedemption::Redeemed(refresh_row(&row)?));
        }
        let row = sqlx::query(
            "SELECT id, family_id, token_hash, identity, client_id, created, expires, used, revoked \
             FROM refresh_tokens WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(RefreshRedemption::Unknown);
        };
        let row = refresh_row(&row)?;
        if row.used != 0 {
            self.revoke_refresh_family(&row.family_id, now).await?;
            return Ok(RefreshRedemption::Replayed(row));
        }
        Ok(RefreshRedemption::Dead(row))
    }

    /// Revokes every token of a family (reuse detected, or sign-out).
    pub async fn revoke_refresh_family(&self, family_id: &str, now: i64) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE refresh_tokens SET revoked = $1 WHERE family_id = $2 AND revoked = 0",
        )
        .bind(now)
        .bind(family_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Deletes refresh tokens and codes that expired before `before` (housekeeping).
    pub async fn delete_expired_sign_in_rows(&self, before: i64) -> StoreResult<u64> {
        let a = sqlx::query("DELETE FROM refresh_tokens WHERE expires < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        let b = sqlx::query("DELETE FROM auth_codes WHERE expires < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        let c = sqlx::query("DELETE FROM device_codes WHERE expires < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(a.rows_affected() + b.rows_affected() + c.rows_affected())
    }

    // ----- authorization codes -----

    pub async fn insert_auth_code(
        &self,
        code_hash: &str,
        data: &str,
        expires: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO auth_codes (code_hash, data, expires, used) VALUES ($1, $2, $3, 0)",
        )
        .bind(code_hash)
        .bind(data)
        .bind(expires)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Uses the code with this hash once.
    pub async fn redeem_auth_code(&self, code_hash: &str, now: i64) -> StoreResult<CodeRedemption> {
        let won: Option<String> = sqlx::query_scalar(
            "UPDATE auth_codes SET used = $1 WHERE code_hash = $2 AND used = 0 AND expires > $1 \
             RETURNING data",
        )
        .bind(now)
        .bind(code_hash)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(data) = won {
            return Ok(CodeRedemption::Redeemed(data));
        }
        let row = sqlx::query("SELECT used, expires FROM auth_codes WHERE code_hash = $1")
            .bind(code_hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            None => CodeRedemption::Unknown,
            Some(r) if r.try_get::<i64, _>("used")? != 0 => CodeRedemption::Replayed,
            Some(_) => CodeRedemption::Expired,
        })
    }

    // ----- device codes -----

    /// Stores a new device code; [`StoreError::Conflict`](crate::StoreError::Conflict) when the user
    /// code is taken (the caller draws another).
    pub async fn insert_device_code(
        &self,
        device_code_hash: &str,
        user_code: &str,
        request: &str,
        expires: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO device_codes (device_code_hash, user_code, request, expires, state, grant_data) \
             VALUES ($1, $2, $3, $4, 'pending', '')",
        )
        .bind(device_code_hash)
        .bind(user_code)
        .bind(request)
        .bind(expires)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The device code a person typed, while it waits for them.
    pub async fn pending_device_code(
        &self,
        user_code: &str,
        now: i64,
    ) -> StoreResult<Option<PendingDeviceCode>> {
        let row = sqlx::query(
            "SELECT request, expires FROM device_codes \
             WHERE user_code = $1 AND state = 'pending' AND expires > $2",
        )
        .bind(user_code)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(PendingDeviceCode {
                request: r.try_get("request")?,
                expires: r.try_get("expires")?,
            })
        })
        .transpose()
    }

    /// Approves (with `grant`) or declines (`None`) a waiting device code; `false` when it no longer
    /// waits (decided already, or expired).
    pub async fn decide_device_code(
        &self,
        user_code: &str,
        grant: Option<&str>,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE device_codes SET state = $1, grant_data = $2 \
             WHERE user_code = $3 AND state = 'pending' AND expires > $4",
        )
        .bind(if grant.is_some() {
            "approved"
        } else {
            "declined"
        })
        .bind(grant.unwrap_or_default())
        .bind(user_code)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A device's poll: an approved code is redeemed by the first poll that sees it, never twice.
    pub async fn poll_device_code(
        &self,
        device_code_hash: &str,
        now: i64,
    ) -> StoreResult<DevicePoll> {
        let won = sqlx::query(
            "UPDATE device_codes SET state = 'redeemed' \
             WHERE device_code_hash = $1 AND state = 'approved' AND expires > $2 \
             RETURNING request, grant_data",
        )
        .bind(device_code_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(r) = won {
            return Ok(DevicePoll::Approved {
                request: r.try_get("request")?,
                grant: r.try_get("grant_data")?,
            });
        }
        let row =
            sqlx::query("SELECT state, expires FROM device_codes WHERE device_code_hash = $1")
                .bind(device_code_hash)
                .fetch_optional(&self.pool)
                .await?;
        let Some(row) = row else {
            return Ok(DevicePoll::Unknown);
        };
        let state: String = row.try_get("state")?;
        let expires: i64 = row.try_get("expires")?;
        Ok(match state.as_str() {
            "redeemed" => DevicePoll::Redeemed,
            "declined" => DevicePoll::Declined,
            _ if expires <= now => DevicePoll::Expired,
            _ => DevicePoll::Pending,
        })
    }

    // ----- smart lockout -----

    /// Counts one failed sign-in for `key` at `now`. A counter whose last failure is older than
    /// `forget_before` starts again from one.
    pub async fn record_sign_in_failure(
        &self,
        key: &str,
        now: i64,
        forget_before: i64,
    ) -> StoreResult<FailureCount> {
        let row = sqlx::query(
            "INSERT INTO sign_in_failures (key, failures, locked_until, last_failure) VALUES ($1, 1, 0, $2) \
             ON CONFLICT (key) DO UPDATE SET \
               failures = CASE WHEN sign_in_failures.last_failure < $3 THEN 1 \
                               ELSE sign_in_failures.failures + 1 END, \
               last_failure = $2 \
             RETURNING failures, locked_until",
        )
        .bind(key)
        .bind(now)
        .bind(forget_before)
        .fetch_one(&self.pool)
        .await?;
        Ok(FailureCount {
            failures: row.try_get("failures")?,
            locked_until: row.try_get("locked_until")?,
        })
    }

    /// Locks `key` until `until` (never shortens a longer lock another instance set).
    pub async fn lock_sign_in(&self, key: &str, until: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE sign_in_failures SET locked_until = $1 WHERE key = $2 AND locked_until < $1",
        )
        .bind(until)
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The counters of `keys` that exist (one query for an attempt's account and address keys).
    pub async fn sign_in_counters(
        &self,
        keys: &[&str],
    ) -> StoreResult<Vec<(String, FailureCount)>> {
        let mut out = Vec::with_capacity(keys.len());
        for pair in keys.chunks(2) {
            let rows = sqlx::query(
                "SELECT key, failures, locked_until FROM sign_in_failures WHERE key IN ($1, $2)",
            )
            .bind(pair[0])
            .bind(pair.get(1).copied().unwrap_or(pair[0]))
            .fetch_all(&self.pool)
            .await?;
            for row in rows {
                out.push((
                    row.try_get("key")?,
                    FailureCount {
                        failures: row.try_get("failures")?,
                        locked_until: row.try_get("locked_until")?,
                    },
                ));
            }
        }
        Ok(out)
    }

    /// Forgets the failures of `key` (after a successful sign-in).
    pub async fn clear_sign_in_failures(&self, key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sign_in_failures WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
