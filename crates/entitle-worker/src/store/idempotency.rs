//! The SQL of idempotency keys (table `idempotency_keys`, migration 0006): claiming a key
//! before a command runs, storing the answer in the command's own batch, releasing a key whose
//! request stored nothing. See `crate::idempotency` for the semantics.

use super::db::Statement;
use super::{Store, text};
use crate::http::{ApiError, Stored};
use crate::idempotency::{Key, LEASE_MS, RETENTION_MS};
use entitle_rules::Timestamp;
use serde::Deserialize;
use worker::D1Result;
use worker::wasm_bindgen::JsValue;

/// A key this request holds: it may run its command and store the answer.
pub struct Claim {
    key: Key,
    id: String,
}

/// What a claim found.
pub enum Claimed {
    /// The key is this request's.
    Owned(Claim),
    /// The key was answered within 24 hours for the same request: that answer.
    Replay(Stored),
    /// The key was used for another request (method, path or body) within 24 hours.
    Reused,
    /// The key's first request is still running.
    InUse,
}

/// How many expired keys of its store one claim deletes at most.
const CLEANUP: u32 = 10;

/// The constraint a batch breaks when its request no longer holds its key.
pub const CLAIM_HELD: &str = "idempotency_claim_held";

#[derive(Deserialize)]
struct KeyRow {
    fingerprint: String,
    claim: String,
    status: Option<f64>,
    content_type: Option<String>,
    body: Option<String>,
}

#[expect(
    clippy::cast_precision_loss,
    reason = "unix milliseconds stay far below 2^53"
)]
fn millis(value: i64) -> JsValue {
    JsValue::from_f64(value as f64)
}

impl Store {
    fn key_params(&self, key: &Key) -> [JsValue; 3] {
        [text(self.store.as_str()), text(&key.caller), text(&key.key)]
    }

    /// The statements that claim `key` for a request at `now` with the random id `id`, to run
    /// first in the request's first batch: they delete a few expired keys of the store, insert
    /// the key or take it over when it expired (older than 24 hours) or its lease ran out
    /// without an answer, and read what the key holds now ([`Store::claimed`] reads that).
    pub fn claim_statements(
        &self,
        key: &Key,
        now: Timestamp,
        id: &str,
    ) -> Result<Vec<Statement>, ApiError> {
        let now_ms = now.unix_millis();
        let expired = now_ms.saturating_sub(RETENTION_MS);
        let [store, caller, name] = self.key_params(key);
        let cleanup = self.statement(
            &format!(
                "DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys WHERE store_id = ?1 AND created_at <= ?2 LIMIT {CLEANUP})"
            ),
            &[store.clone(), millis(expired)],
        )?;
        let upsert = self.statement(
            "INSERT INTO idempotency_keys (store_id, caller, key, fingerprint, created_at, claim, lease_until) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
             ON CONFLICT (store_id, caller, key) DO UPDATE SET fingerprint = excluded.fingerprint, created_at = excluded.created_at, \
             claim = excluded.claim, lease_until = excluded.lease_until, status = NULL, content_type = NULL, body = NULL \
             WHERE idempotency_keys.created_at <= ?8 OR (idempotency_keys.status IS NULL AND idempotency_keys.lease_until <= ?5)",
            &[
                store.clone(),
                caller.clone(),
                name.clone(),
                text(&key.fingerprint),
                millis(now_ms),
                text(id),
                millis(now_ms.saturating_add(LEASE_MS)),
                millis(expired),
            ],
        )?;
        let read = self.statement(
            "SELECT fingerprint, claim, status, content_type, body FROM idempotency_keys WHERE store_id = ?1 AND caller = ?2 AND key = ?3",
            &[store, caller, name],
        )?;
        Ok(vec![cleanup, upsert, read])
    }

    /// What the claim statements found (`results`: theirs, in order).
    pub fn claimed(key: &Key, id: String, results: &[D1Result]) -> Result<Claimed, ApiError> {
        let row = results
            .last()
            .map(|r| r.results::<KeyRow>())
            .transpose()?
            .and_then(|rows| rows.into_iter().next())
            .ok_or_else(|| ApiError::internal("a claimed idempotency key is not there"))?;
        Ok(if row.claim == id {
            Claimed::Owned(Claim {
                key: key.clone(),
                id,
            })
        } else if row.fingerprint != key.fingerprint {
            Claimed::Reused
        } else {
            match row.status {
                None => Claimed::InUse,
                Some(status) => Claimed::Replay(Stored {
                    status: status_code(status)?,
                    content_type: row.content_type,
                    body: row.body,
                }),
            }
        })
    }

    /// The statements that store `answer` for `claim` inside a command's batch: a guard that the
    /// request still holds the key (else the batch fails on [`CLAIM_HELD`]), then the answer.
    pub fn answer_statements(
        &self,
        claim: &Claim,
        answer: &Stored,
    ) -> Result<Vec<Statement>, ApiError> {
        let [store, caller, name] = self.key_params(&claim.key);
        let guard = self.statement(
            "INSERT INTO idempotency_guards (held) SELECT EXISTS (SELECT 1 FROM idempotency_keys WHERE store_id = ?1 AND caller = ?2 AND key = ?3 AND claim = ?4 AND status IS NULL)",
            &[store.clone(), caller.clone(), name.clone(), text(&claim.id)],
        )?;
        let opt = |v: &Option<String>| v.as_deref().map_or(JsValue::NULL, JsValue::from_str);
        let write = self.statement(
            "UPDATE idempotency_keys SET status = ?5, content_type = ?6, body = ?7 WHERE store_id = ?1 AND caller = ?2 AND key = ?3 AND claim = ?4",
            &[
                store,
                caller,
                name,
                text(&claim.id),
                JsValue::from_f64(f64::from(answer.status)),
                opt(&answer.content_type),
                opt(&answer.body),
            ],
        )?;
        let clear = self.statement("DELETE FROM idempotency_guards", &[])?;
        Ok(vec![guard, write, clear])
    }

    /// Frees a key whose request stored no answer, so a retry runs at once rather than after
    /// the lease. Only the claim's own request can free it.
    pub async fn release(&self, claim: &Claim) -> Result<(), ApiError> {
        let [store, caller, name] = self.key_params(&claim.key);
        let statement = self.statement(
            "DELETE FROM idempotency_keys WHERE store_id = ?1 AND caller = ?2 AND key = ?3 AND claim = ?4 AND status IS NULL",
            &[store, caller, name, text(&claim.id)],
        )?;
        self.db.run(statement).await?;
        Ok(())
    }
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "checked to be an HTTP status first"
)]
fn status_code(value: f64) -> Result<u16, ApiError> {
    if (100.0..600.0).contains(&value) {
        Ok(value as u16)
    } else {
        Err(ApiError::internal("a stored answer has no HTTP status"))
    }
}
