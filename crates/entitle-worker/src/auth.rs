//! Who is calling: stores by their key, customers by a session token the worker signed.
//! Also the request's clock and fresh random values, the two inputs the rules never make.

use crate::errors::Transport;
use crate::http::ApiError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entitle_rules::Timestamp;
use entitle_rules::ids::{AccountId, StoreId};
use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use worker::{Env, Request};

type HmacSha256 = hmac::Hmac<Sha256>;

/// The longest a session lives, in milliseconds (one hour).
pub const SESSION_TTL_MS: i64 = 3_600_000;

/// The request's time: the real clock, or the `x-entitle-test-now` header where the
/// configuration sets `TEST_CLOCK = "on"` (the test harness only).
pub fn now(req: &Request, env: &Env) -> Result<Timestamp, ApiError> {
    let test_clock = env
        .var("TEST_CLOCK")
        .map(|v| v.to_string())
        .is_ok_and(|v| v == "on");
    if let Some(text) = req
        .headers()
        .get("x-entitle-test-now")
        .ok()
        .flatten()
        .filter(|_| test_clock)
    {
        return Timestamp::parse(&text)
            .map_err(|e| ApiError::transport(Transport::InvalidTestClock, e.to_string()));
    }
    let millis = i64::try_from(worker::Date::now().as_millis()).map_err(ApiError::internal)?;
    Ok(Timestamp::from_unix_millis(millis))
}

/// `count` fresh values of 128 random bits each, base64url.
pub fn fresh(count: usize) -> Result<Vec<String>, ApiError> {
    (0..count)
        .map(|_| {
            let mut bytes = [0u8; 16];
            getrandom::fill(&mut bytes).map_err(ApiError::internal)?;
            Ok(URL_SAFE_NO_PAD.encode(bytes))
        })
        .collect()
}

fn bearer(req: &Request) -> Result<String, ApiError> {
    let header = req
        .headers()
        .get("authorization")
        .ok()
        .flatten()
        .ok_or_else(|| {
            ApiError::transport(
                Transport::MissingCredentials,
                "send `Authorization: Bearer <store key or session token>`",
            )
        })?;
    match header.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim().to_owned())
        }
        _ => Err(ApiError::transport(
            Transport::MalformedCredentials,
            "the Authorization header must be `Bearer <token>`",
        )),
    }
}

fn hex_sha256(text: &str) -> String {
    entitle_rules::token::token_hash(text)
}

/// The configured stores: the secret `STORE_KEYS`, a JSON object from store id to the hex
/// SHA-256 of that store's key, so the configuration holds no key.
fn store_keys(env: &Env) -> Result<std::collections::BTreeMap<String, String>, ApiError> {
    let configured = env
        .secret("STORE_KEYS")
        .map(|s| s.to_string())
        .unwrap_or_default();
    serde_json::from_str(&configured)
        .map_err(|_| ApiError::internal("STORE_KEYS is not a JSON object"))
}

/// The configured store whose key is `key`. Every entry is compared, in constant time, so the
/// time taken does not depend on which store matched.
fn store_with_key(env: &Env, key: &str) -> Result<Option<StoreId>, ApiError> {
    let hash = hex_sha256(key);
    let mut found = None;
    for (store, expected) in &store_keys(env)? {
        let same = expected.len() == hash.len()
            && expected
                .bytes()
                .zip(hash.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if same {
            found = Some(store.clone());
        }
    }
    found
        .map(|store| {
            StoreId::new(store)
                .map_err(|_| ApiError::internal("STORE_KEYS has an invalid store id"))
        })
        .transpose()
}

/// The store a store key belongs to.
pub fn store(req: &Request, env: &Env) -> Result<StoreId, ApiError> {
    let key = bearer(req)?;
    if key.contains('.') {
        return Err(ApiError::transport(
            Transport::StoreKeyRequired,
            "this endpoint is for the store's key, not a session",
        ));
    }
    store_with_key(env, &key)?.ok_or_else(|| {
        ApiError::transport(Transport::InvalidStoreKey, "the store key is not valid")
    })
}

/// A signed-in account of a store.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Session {
    /// The account.
    pub sub: AccountId,
    /// Its store.
    pub store: StoreId,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expires at, seconds since the epoch.
    pub exp: i64,
}

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// The secret that signs sessions.
const SIGNING_SECRET: &str = "SESSION_SECRET";
/// During a rotation, the secret that signed sessions before: it still verifies, never signs.
const PREVIOUS_SECRET: &str = "SESSION_SECRET_PREVIOUS";

/// The HMAC keyed with the secret named `name`; `None` when that secret is not set.
fn mac(env: &Env, name: &str) -> Result<Option<HmacSha256>, ApiError> {
    let Ok(secret) = env.secret(name).map(|s| s.to_string()) else {
        return Ok(None);
    };
    if secret.len() < 32 {
        return Err(ApiError::internal(format!(
            "{name} must hold at least 32 characters"
        )));
    }
    HmacSha256::new_from_slice(secret.as_bytes())
        .map(Some)
        .map_err(ApiError::internal)
}

/// The HMAC that signs: always the current `SESSION_SECRET`.
fn signing_mac(env: &Env) -> Result<HmacSha256, ApiError> {
    mac(env, SIGNING_SECRET)?.ok_or_else(|| ApiError::internal("SESSION_SECRET is not set"))
}

/// Whether `signature` signs `input` under the current secret or, during a rotation, the
/// previous one.
fn verifies(env: &Env, input: &str, signature: &[u8]) -> Result<bool, ApiError> {
    let mut current = signing_mac(env)?;
    current.update(input.as_bytes());
    if current.verify_slice(signature).is_ok() {
        return Ok(true);
    }
    Ok(match mac(env, PREVIOUS_SECRET)? {
        Some(mut previous) => {
            previous.update(input.as_bytes());
            previous.verify_slice(signature).is_ok()
        }
        None => false,
    })
}

/// Signs a session token (a JWT with HS256) for `account` of `store`, valid for an hour.
pub fn sign(
    env: &Env,
    store: &StoreId,
    account: &AccountId,
    now: Timestamp,
) -> Result<(String, Timestamp), ApiError> {
    let iat = now.unix_millis() / 1000;
    let expires = Timestamp::from_unix_millis((iat * 1000) + SESSION_TTL_MS);
    let claims = Session {
        sub: account.clone(),
        store: store.clone(),
        iat,
        exp: expires.unix_millis() / 1000,
    };
    let payload = serde_json::to_vec(&claims).map_err(ApiError::internal)?;
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(HEADER),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let mut mac = signing_mac(env)?;
    mac.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    Ok((format!("{signing_input}.{signature}"), expires))
}

/// The session of a request's bearer token: signature checked in constant time (under the
/// current secret, or the previous one during a rotation), then expiry, then that its store is
/// still configured: removing a store from `STORE_KEYS` ends its sessions at once.
pub fn session(req: &Request, env: &Env, now: Timestamp) -> Result<Session, ApiError> {
    verify_session(&bearer(req)?, env, now)
}

/// The session of a token given as text (as [`session`] checks it), such as the one a browser
/// offers as a WebSocket subprotocol (`crate::live`).
pub fn verify_session(token: &str, env: &Env, now: Timestamp) -> Result<Session, ApiError> {
    let malformed = || {
        ApiError::transport(
            Transport::MalformedToken,
            "the session token is not a token entitle issued",
        )
    };
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        if token.starts_with("sk_") {
            return Err(ApiError::transport(
                Transport::SessionRequired,
                "this endpoint acts for an account: use a session token",
            ));
        }
        return Err(malformed());
    };
    if URL_SAFE_NO_PAD.decode(header).ok().as_deref() != Some(HEADER.as_bytes()) {
        return Err(malformed());
    }
    let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| malformed())?;
    if !verifies(env, &format!("{header}.{payload}"), &signature)? {
        return Err(ApiError::transport(
            Transport::InvalidToken,
            "the session token's signature is not valid",
        ));
    }
    let claims: Session = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(malformed)?;
    if now.unix_millis() >= claims.exp.saturating_mul(1000) {
        return Err(ApiError::transport(
            Transport::TokenExpired,
            "the session has expired: ask the store for a new one",
        ));
    }
    if !store_keys(env)?.contains_key(claims.store.as_str()) {
        return Err(ApiError::transport(
            Transport::StoreNotConfigured,
            "the session's store is no longer served here",
        ));
    }
    Ok(claims)
}

/// Whether the local demo sign-in is turned on (`DEMO_SIGNIN = "on"`, local development only).
pub fn demo_enabled(env: &Env) -> bool {
    env.var("DEMO_SIGNIN")
        .map(|v| v.to_string())
        .is_ok_and(|v| v == "on")
}

/// The documented local demo store key (README, `scripts/dev.sh`). It is public, so it must
/// never be a real store's key.
pub const DEMO_KEY: &str = "sk_demo_local_only";

/// The store the demo sign-in acts for: the configured store whose key is [`DEMO_KEY`],
/// whatever its id. `None` when no store has it, so no real store's accounts can ever be
/// reached through the demo sign-in.
pub fn demo_store(env: &Env) -> Result<Option<StoreId>, ApiError> {
    store_with_key(env, DEMO_KEY)
}

/// Who may call a route, as the OpenAPI document states it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallerKind {
    /// Anyone: no credentials.
    Public,
    /// The store's backend, with its store key.
    Store,
    /// A customer, with a session token.
    Session,
    /// The local demo sign-in, only where the configuration turns it on.
    Demo,
}

/// A caller a route's handler takes: how it is authenticated, and which store it is of. A
/// route's declaration names the caller type its handler takes, so they cannot disagree.
pub trait Authenticate: Sized {
    /// The kind, for the document.
    const KIND: CallerKind;
    /// Authenticates the request.
    fn authenticate(req: &Request, env: &Env, now: Timestamp) -> Result<Self, ApiError>;
    /// The caller's store, once known (it decides the CORS headers).
    fn store(&self) -> Option<&StoreId>;
    /// Who the caller is within its store, for the scope of idempotency keys: `None` for
    /// callers that run no command.
    fn idempotency_scope(&self) -> Option<String> {
        None
    }
}

/// No one in particular: a public route.
pub struct Public;

impl Authenticate for Public {
    const KIND: CallerKind = CallerKind::Public;
    fn authenticate(_: &Request, _: &Env, _: Timestamp) -> Result<Self, ApiError> {
        Ok(Public)
    }
    fn store(&self) -> Option<&StoreId> {
        None
    }
}

impl Authenticate for StoreId {
    const KIND: CallerKind = CallerKind::Store;
    fn authenticate(req: &Request, env: &Env, _: Timestamp) -> Result<Self, ApiError> {
        store(req, env)
    }
    fn store(&self) -> Option<&StoreId> {
        Some(self)
    }
    fn idempotency_scope(&self) -> Option<String> {
        Some("store".to_owned())
    }
}

impl Authenticate for Session {
    const KIND: CallerKind = CallerKind::Session;
    fn authenticate(req: &Request, env: &Env, now: Timestamp) -> Result<Self, ApiError> {
        session(req, env, now)
    }
    fn store(&self) -> Option<&StoreId> {
        Some(&self.store)
    }
    fn idempotency_scope(&self) -> Option<String> {
        Some(format!("account:{}", self.sub))
    }
}

/// The demo store, where the demo sign-in is enabled.
pub struct DemoStore(pub StoreId);

impl Authenticate for DemoStore {
    const KIND: CallerKind = CallerKind::Demo;
    fn authenticate(_: &Request, env: &Env, _: Timestamp) -> Result<Self, ApiError> {
        if !demo_enabled(env) {
            return Err(ApiError::transport(
                Transport::RouteNotFound,
                "the demo sign-in is not enabled here",
            ));
        }
        demo_store(env)?.map(DemoStore).ok_or_else(|| {
            ApiError::transport(
                Transport::RouteNotFound,
                "the demo sign-in serves only a store with the local demo key",
            )
        })
    }
    fn store(&self) -> Option<&StoreId> {
        Some(&self.0)
    }
}

/// A session of the demo store, where the demo sign-in is enabled.
pub struct DemoSession(pub Session);

impl Authenticate for DemoSession {
    const KIND: CallerKind = CallerKind::Session;
    fn authenticate(req: &Request, env: &Env, now: Timestamp) -> Result<Self, ApiError> {
        let DemoStore(store) = DemoStore::authenticate(req, env, now)?;
        let session = session(req, env, now)?;
        if session.store != store {
            return Err(ApiError::transport(
                Transport::RouteNotFound,
                "the demo mailbox serves the demo store only",
            ));
        }
        Ok(DemoSession(session))
    }
    fn store(&self) -> Option<&StoreId> {
        Some(&self.0.store)
    }
}
