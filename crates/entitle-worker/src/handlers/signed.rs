//! Signed snapshots (`GET /v1/me/access/signed`) and the keys that check them (`GET /v1/keys`):
//! the caller's access snapshot, signed with Ed25519, so a store's backend or a service worker
//! can decide on it without calling entitle and trust where it came from.

use super::Call;
use super::records::access_of;
use crate::auth::{Public, Session};
use crate::http::{ApiError, Reply};
use crate::signing::{self, JwkSet, SNAPSHOT_TTL_MS};
use crate::views::AccessSnapshot;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entitle_rules::Timestamp;
use entitle_rules::ids::StoreId;
use schemars::JsonSchema;
use serde::Serialize;

/// What is signed: the snapshot `GET /v1/me/access` returns, with whom and when it is for.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignedSnapshot {
    /// The store it was taken in.
    pub store_id: StoreId,
    /// The key that signed it (the `kid` of `GET /v1/keys`).
    pub key_id: String,
    /// When it was signed.
    pub issued_at: Timestamp,
    /// When it stops being valid: at most 15 minutes after `issuedAt`.
    pub expires_at: Timestamp,
    /// The snapshot: `accountId`, `account`, `at`, `state`.
    #[serde(flatten)]
    pub snapshot: AccessSnapshot,
}

/// A signed snapshot, as `Access.fromSigned` takes it.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignedAnswer {
    /// `<base64url of the snapshot's JSON>.<base64url of the Ed25519 signature of those very
    /// bytes>`, no padding. The JSON holds `storeId`, `keyId`, `issuedAt`, `expiresAt` and the
    /// snapshot of `GET /v1/me/access` (`accountId`, `account`, `at`, `state`).
    #[schemars(regex(pattern = r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$"))]
    pub snapshot: String,
    /// The key that signed it.
    pub key_id: String,
    /// When it stops being valid, as inside the snapshot.
    pub expires_at: Timestamp,
}

/// `GET /v1/me/access/signed`
pub async fn signed(call: &mut Call, session: &Session) -> Result<Reply<SignedAnswer>, ApiError> {
    let keys = signing::keys(&call.env)?;
    let key = signing::signing_key(&keys, call.now)
        .ok_or_else(|| ApiError::internal("SIGNING_KEYS has no key that signs at this time"))?
        .clone();
    let snapshot = access_of(call, session).await?;
    let expires_at = Timestamp::from_unix_millis(call.now.unix_millis() + SNAPSHOT_TTL_MS);
    let document = SignedSnapshot {
        store_id: session.store.clone(),
        key_id: key.kid.clone(),
        issued_at: call.now,
        expires_at,
        snapshot,
    };
    let bytes = serde_json::to_vec(&document).map_err(ApiError::internal)?;
    let signature = signing::sign(&key, &bytes).await?;
    Ok(Reply::new(SignedAnswer {
        snapshot: format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&bytes),
            URL_SAFE_NO_PAD.encode(&signature)
        ),
        key_id: key.kid,
        expires_at,
    }))
}

/// `GET /v1/keys`: cached for 5 minutes, so a key is added that long before it signs (README).
pub async fn keys(call: &mut Call, _: &Public) -> Result<Reply<JwkSet>, ApiError> {
    let keys = signing::keys(&call.env)?;
    Ok(Reply::new(signing::listed(&keys, call.now))
        .header("cache-control", "public, max-age=300".to_owned()))
}
