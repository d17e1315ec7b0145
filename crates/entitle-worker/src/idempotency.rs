//! Idempotency keys (`Idempotency-Key` on a POST): a retry with the same key and body gets the
//! first answer again instead of running the command twice.
//!
//! A key is scoped to the store and the caller (the store's key, or one account's sessions),
//! and is checked against a fingerprint of the request (method, path and body), so the same key
//! on another request is `idempotency_key_reused`. The key is claimed only where a request runs
//! a command (`handlers::run`): the answer of the command, success or refusal by the rules, is
//! stored in the very batch that writes the command's changes (`store/idempotency.rs`). A POST
//! that writes nothing (`/v1/authorize`, `/v1/sessions`) checks the key's form and is answered
//! afresh each time. Answers given before the command runs (malformed header, body or
//! credentials) and server faults are not stored: the key stays free for a corrected retry.

use crate::errors::Transport;
use crate::http::{ApiError, declared_length};
use sha2::{Digest, Sha256};
use std::fmt::Write;
use worker::Request;

/// The request header.
const HEADER: &str = "idempotency-key";

/// The most characters a key has.
pub const MAX_KEY: usize = 255;

/// How long a stored answer is replayed, in milliseconds (24 hours).
pub const RETENTION_MS: i64 = 24 * 3_600_000;

/// How long a request may hold its key before another may take it over, in milliseconds. A
/// request that outlives its lease and loses the key writes nothing (its batch's guard fails).
pub const LEASE_MS: i64 = 60_000;

/// The largest body fingerprinted: the largest any route accepts (`POST /v1/imports`). A larger
/// body is refused by its handler before any command runs, so it never claims the key.
const MAX_FINGERPRINTED: usize = 2 * 1024 * 1024;

/// The idempotency key of a request, the caller it is scoped to and the request's fingerprint.
#[derive(Clone, Debug)]
pub struct Key {
    /// The caller within the store: `store`, or `account:<id>` for a session.
    pub caller: String,
    /// The key as sent.
    pub key: String,
    /// Hex SHA-256 of the method, path, query and body.
    pub fingerprint: String,
}

/// The idempotency key of a request from `caller` (`None` for callers that run no command):
/// `None` without the header, and for methods other than POST, which ignore it. The header is
/// checked first, for every caller: 1 to 255 printable ASCII characters, or 400
/// `invalid_idempotency_key`. The request is fingerprinted without consuming its body (a clone
/// is read); a body too large for any route is not, and its request claims no key.
pub async fn scope(req: &Request, caller: Option<String>) -> Result<Option<Key>, ApiError> {
    if req.method() != worker::Method::Post {
        return Ok(None);
    }
    let Some(key) = req.headers().get(HEADER).ok().flatten() else {
        return Ok(None);
    };
    let printable = key.chars().all(|c| matches!(c, ' '..='~'));
    if key.is_empty() || key.chars().count() > MAX_KEY || !printable {
        return Err(ApiError::transport(
            Transport::InvalidIdempotencyKey,
            format!("`Idempotency-Key` is 1 to {MAX_KEY} printable ASCII characters"),
        ));
    }
    let Some(caller) = caller else {
        return Ok(None);
    };
    if declared_length(req).is_some_and(|n| n > MAX_FINGERPRINTED) {
        return Ok(None);
    }
    let body = req.clone()?.bytes().await.unwrap_or_default();
    if body.len() > MAX_FINGERPRINTED {
        return Ok(None);
    }
    let url = req.url()?;
    let target = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    };
    // The body is hashed first, so that no choice of body can mimic another target.
    let body_hash = hex(&Sha256::digest(&body));
    let fingerprint = hex(&Sha256::digest(format!(
        "{} {target} {body_hash}",
        req.method()
    )));
    Ok(Some(Key {
        caller,
        key,
        fingerprint,
    }))
}

/// 409: the key's first request is still running.
pub fn in_use() -> ApiError {
    ApiError::transport(
        Transport::IdempotencyKeyInUse,
        "a request with this `Idempotency-Key` is still running; retry after it answers",
    )
}

/// 422: the key was used for another request.
pub fn reused() -> ApiError {
    ApiError::transport(
        Transport::IdempotencyKeyReused,
        "this `Idempotency-Key` was used within 24 hours for another request (method, path or body): use a new key",
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}
