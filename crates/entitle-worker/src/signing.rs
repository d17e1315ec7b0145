//! Signed access snapshots: the signing keys (the secret `SIGNING_KEYS`), which key signs and
//! which are listed at a given time, and Ed25519 through the platform's WebCrypto
//! (`crypto.subtle`), so no signature code is compiled into the worker.
//!
//! `SIGNING_KEYS` is a JSON list; each entry is
//! `{"kid": "<1 to 64 of A-Z a-z 0-9 . _ ->", "privateKey": <an Ed25519 private JWK: {"kty": "OKP",
//! "crv": "Ed25519", "d", "x"}>, "retiredAt"?: "<RFC 3339>"}`. The first entry that is not retired
//! at the request's time signs; an entry stays listed in `GET /v1/keys` until 15 minutes (the
//! longest a snapshot lives) after its `retiredAt`, so every snapshot it signed can still be
//! checked. Rotation (README, Production): append a key, retire the old one, delete it later.

use crate::http::ApiError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entitle_rules::Timestamp;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::BTreeSet;
use worker::js_sys::{Array, JSON, Promise, Uint8Array};
use worker::wasm_bindgen::JsValue;
use worker::wasm_bindgen::prelude::wasm_bindgen;
use worker::wasm_bindgen_futures::JsFuture;

/// The longest a signed snapshot lives, in milliseconds (15 minutes).
pub const SNAPSHOT_TTL_MS: i64 = 15 * 60 * 1000;

/// The secret that holds the keys.
const SECRET: &str = "SIGNING_KEYS";

/// An Ed25519 private key as a JWK (RFC 8037). Other members (`ext`, `key_ops`, ...) are
/// ignored.
#[derive(Clone, Serialize, Deserialize)]
struct PrivateJwk {
    kty: String,
    crv: String,
    d: String,
    x: String,
}

/// One entry of `SIGNING_KEYS`, as written.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConfiguredKey {
    kid: String,
    private_key: PrivateJwk,
    #[serde(default)]
    retired_at: Option<String>,
}

/// A key that signs snapshots, or did.
#[derive(Clone)]
pub struct SigningKey {
    /// Its id: the `keyId` of what it signs and the `kid` of its public key.
    pub kid: String,
    jwk: PrivateJwk,
    /// From when it no longer signs.
    pub retired_at: Option<Timestamp>,
}

/// A public key as `GET /v1/keys` lists it: an Ed25519 JWK (RFC 8037).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PublicJwk {
    /// Always `OKP`.
    #[schemars(regex(pattern = r"^OKP$"))]
    pub kty: &'static str,
    /// Always `Ed25519`.
    #[schemars(regex(pattern = r"^Ed25519$"))]
    pub crv: &'static str,
    /// The key's id: the `keyId` of the snapshots it signed.
    pub kid: String,
    /// The public key: 32 bytes, base64url without padding.
    pub x: String,
    /// Always `sig`.
    #[serde(rename = "use")]
    pub key_use: &'static str,
    /// Always `EdDSA`, the JOSE name of Ed25519 signatures.
    pub alg: &'static str,
}

/// The public keys of signed snapshots (a JWK set, RFC 7517 and 8037).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct JwkSet {
    /// Every key whose snapshots may still be valid: the one signing now, those added to sign
    /// next, and retired ones until 15 minutes after they stopped signing.
    pub keys: Vec<PublicJwk>,
}

fn base64url_32(text: &str) -> bool {
    URL_SAFE_NO_PAD
        .decode(text)
        .is_ok_and(|bytes| bytes.len() == 32 && URL_SAFE_NO_PAD.encode(&bytes) == text)
}

fn valid_kid(kid: &str) -> bool {
    (1..=64).contains(&kid.len())
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Reads `SIGNING_KEYS`; the error says what is wrong with it, without any key material.
pub fn parse_keys(text: &str) -> Result<Vec<SigningKey>, String> {
    let configured: Vec<ConfiguredKey> = serde_json::from_str(text).map_err(|e| {
        format!(
            "SIGNING_KEYS is not a JSON list of {{kid, privateKey, retiredAt?}}: line {}, column {}",
            e.line(),
            e.column()
        )
    })?;
    let mut kids = BTreeSet::new();
    let mut keys = Vec::with_capacity(configured.len());
    for (index, key) in configured.into_iter().enumerate() {
        if !valid_kid(&key.kid) {
            return Err(format!(
                "SIGNING_KEYS[{index}]: `kid` is 1 to 64 characters of A-Z a-z 0-9 . _ -"
            ));
        }
        if !kids.insert(key.kid.clone()) {
            return Err(format!(
                "SIGNING_KEYS[{index}]: the kid `{}` is listed twice",
                key.kid
            ));
        }
        let jwk = &key.private_key;
        if jwk.kty != "OKP"
            || jwk.crv != "Ed25519"
            || !base64url_32(&jwk.d)
            || !base64url_32(&jwk.x)
        {
            return Err(format!(
                "SIGNING_KEYS[{index}] (`{}`): `privateKey` is not an Ed25519 private JWK (kty OKP, crv Ed25519, d and x of 32 bytes in base64url)",
                key.kid
            ));
        }
        let retired_at = key
            .retired_at
            .map(|text| Timestamp::parse(&text))
            .transpose()
            .map_err(|_| {
                format!(
                    "SIGNING_KEYS[{index}] (`{}`): `retiredAt` is not an RFC 3339 instant",
                    key.kid
                )
            })?;
        keys.push(SigningKey {
            kid: key.kid,
            jwk: key.private_key,
            retired_at,
        });
    }
    Ok(keys)
}

/// The configured keys; none when `SIGNING_KEYS` is not set.
pub fn keys(env: &worker::Env) -> Result<Vec<SigningKey>, ApiError> {
    let Ok(text) = env.secret(SECRET).map(|s| s.to_string()) else {
        return Ok(Vec::new());
    };
    parse_keys(&text).map_err(ApiError::internal)
}

/// The key that signs at `now`: the first one not retired by then.
pub fn signing_key(keys: &[SigningKey], now: Timestamp) -> Option<&SigningKey> {
    keys.iter()
        .find(|k| k.retired_at.is_none_or(|retired| now < retired))
}

/// The public keys listed at `now`: every key but those retired more than a snapshot's
/// lifetime ago (nothing they signed is valid any more).
pub fn listed(keys: &[SigningKey], now: Timestamp) -> JwkSet {
    JwkSet {
        keys: keys
            .iter()
            .filter(|k| {
                k.retired_at.is_none_or(|retired| {
                    now.unix_millis() < retired.unix_millis() + SNAPSHOT_TTL_MS
                })
            })
            .map(|k| PublicJwk {
                kty: "OKP",
                crv: "Ed25519",
                kid: k.kid.clone(),
                x: k.jwk.x.clone(),
                key_use: "sig",
                alg: "EdDSA",
            })
            .collect(),
    }
}

#[wasm_bindgen(wasm_bindgen = ::worker::wasm_bindgen)]
extern "C" {
    #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = importKey, catch)]
    fn import_key(
        format: &str,
        key: &JsValue,
        algorithm: &str,
        extractable: bool,
        usages: &Array,
    ) -> Result<Promise, JsValue>;

    #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = sign, catch)]
    fn subtle_sign(algorithm: &str, key: &JsValue, data: &Uint8Array) -> Result<Promise, JsValue>;

    #[wasm_bindgen(js_namespace = ["crypto", "subtle"], js_name = verify, catch)]
    fn subtle_verify(
        algorithm: &str,
        key: &JsValue,
        signature: &Uint8Array,
        data: &Uint8Array,
    ) -> Result<Promise, JsValue>;
}

/// A WebCrypto failure, logged without key material.
fn crypto_error(what: &str, error: JsValue) -> ApiError {
    let message = error
        .as_string()
        .or_else(|| {
            worker::js_sys::Reflect::get(&error, &JsValue::from_str("message"))
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_default();
    ApiError::internal(format!("WebCrypto could not {what}: {message}"))
}

/// Imports a JWK (given as JSON text) for `usage`.
async fn import(jwk_json: &str, usage: &str) -> Result<JsValue, ApiError> {
    let jwk = JSON::parse(jwk_json).map_err(|e| crypto_error("read a key", e))?;
    let usages = Array::of1(&JsValue::from_str(usage));
    let promise = import_key("jwk", &jwk, "Ed25519", false, &usages)
        .map_err(|e| crypto_error("import a key", e))?;
    JsFuture::from(promise)
        .await
        .map_err(|e| crypto_error("import a key", e))
}

/// Whether `signature` is `key`'s signature of `data`.
async fn verifies(x: &str, data: &[u8], signature: &[u8]) -> Result<bool, ApiError> {
    let public = serde_json::json!({ "kty": "OKP", "crv": "Ed25519", "x": x }).to_string();
    let key = import(&public, "verify").await?;
    let promise = subtle_verify(
        "Ed25519",
        &key,
        &Uint8Array::from(signature),
        &Uint8Array::from(data),
    )
    .map_err(|e| crypto_error("verify", e))?;
    let answer = JsFuture::from(promise)
        .await
        .map_err(|e| crypto_error("verify", e))?;
    Ok(answer.as_bool().unwrap_or(false))
}

thread_local! {
    /// The public halves (`x`) already checked against their private keys in this isolate.
    static CHECKED: RefCell<BTreeSet<String>> = const { RefCell::new(BTreeSet::new()) };
}

/// Signs `data` with `key` (Ed25519: 64 bytes). The first signature of a key in an isolate is
/// checked against the key's listed public half, since WebCrypto does not check that a JWK's
/// `x` belongs to its `d`: a key configured wrongly fails here, loudly, instead of handing out
/// snapshots no one can verify.
pub async fn sign(key: &SigningKey, data: &[u8]) -> Result<Vec<u8>, ApiError> {
    let jwk = serde_json::to_string(&key.jwk).map_err(ApiError::internal)?;
    let private = import(&jwk, "sign").await?;
    let promise = subtle_sign("Ed25519", &private, &Uint8Array::from(data))
        .map_err(|e| crypto_error("sign", e))?;
    let buffer = JsFuture::from(promise)
        .await
        .map_err(|e| crypto_error("sign", e))?;
    let signature = Uint8Array::new(&buffer).to_vec();
    let checked = CHECKED.with(|c| c.borrow().contains(&key.jwk.x));
    if !checked {
        if !verifies(&key.jwk.x, data, &signature).await? {
            return Err(ApiError::internal(format!(
                "SIGNING_KEYS: the `x` of key `{}` is not the public half of its `d`",
                key.kid
            )));
        }
        CHECKED.with(|c| c.borrow_mut().insert(key.jwk.x.clone()));
    }
    Ok(signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    const X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    const D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";

    fn key(kid: &str, retired: Option<&str>) -> serde_json::Value {
        let mut key = serde_json::json!({ "kid": kid, "privateKey": { "kty": "OKP", "crv": "Ed25519", "d": D, "x": X } });
        if let Some(at) = retired {
            key["retiredAt"] = at.into();
        }
        key
    }

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    /// Which key signs and which are listed at `now`, for a configuration.
    fn check(config: serde_json::Value, now: &str, signs: Option<&str>, listed_kids: &[&str]) {
        let keys = parse_keys(&config.to_string()).unwrap();
        assert_eq!(
            signing_key(&keys, at(now)).map(|k| k.kid.as_str()),
            signs,
            "{config} at {now}"
        );
        let set = listed(&keys, at(now));
        let kids: Vec<&str> = set.keys.iter().map(|k| k.kid.as_str()).collect();
        assert_eq!(kids, listed_kids, "{config} at {now}");
        assert!(set.keys.iter().all(|k| k.x == X && k.kty == "OKP"));
    }

    #[test]
    fn the_first_key_not_retired_signs_and_retired_keys_stay_listed_15_minutes() {
        let one = serde_json::json!([key("k1", None)]);
        check(one, "2026-05-01T00:00:00.000Z", Some("k1"), &["k1"]);
        // Rotation, step 1: the new key is listed before it signs.
        let added = serde_json::json!([key("k1", None), key("k2", None)]);
        check(added, "2026-05-01T00:00:00.000Z", Some("k1"), &["k1", "k2"]);
        // Step 2: the old key retires; the new one signs, the old one is still listed.
        let retired =
            serde_json::json!([key("k1", Some("2026-05-01T00:00:00.000Z")), key("k2", None)]);
        check(
            retired.clone(),
            "2026-04-30T23:59:59.999Z",
            Some("k1"),
            &["k1", "k2"],
        );
        check(
            retired.clone(),
            "2026-05-01T00:00:00.000Z",
            Some("k2"),
            &["k1", "k2"],
        );
        check(
            retired.clone(),
            "2026-05-01T00:14:59.999Z",
            Some("k2"),
            &["k1", "k2"],
        );
        // Step 3: 15 minutes later nothing it signed is valid: it is no longer listed.
        check(retired, "2026-05-01T00:15:00.000Z", Some("k2"), &["k2"]);
        let all_retired = serde_json::json!([key("k1", Some("2026-05-01T00:00:00.000Z"))]);
        check(all_retired, "2026-05-01T00:01:00.000Z", None, &["k1"]);
        check(serde_json::json!([]), "2026-05-01T00:00:00.000Z", None, &[]);
    }

    #[test]
    fn a_malformed_configuration_is_refused_without_showing_key_material() {
        let cases = [
            (serde_json::json!({ "kid": "k" }), "is not a JSON list"),
            (serde_json::json!([key("", None)]), "`kid` is 1 to 64"),
            (serde_json::json!([key("a b", None)]), "`kid` is 1 to 64"),
            (
                serde_json::json!([key("k", None), key("k", None)]),
                "listed twice",
            ),
            (
                serde_json::json!([{ "kid": "k", "privateKey": { "kty": "OKP", "crv": "X25519", "d": D, "x": X } }]),
                "not an Ed25519 private JWK",
            ),
            (
                serde_json::json!([{ "kid": "k", "privateKey": { "kty": "EC", "crv": "Ed25519", "d": D, "x": X } }]),
                "not an Ed25519 private JWK",
            ),
            (
                serde_json::json!([{ "kid": "k", "privateKey": { "kty": "OKP", "crv": "Ed25519", "d": "short", "x": X } }]),
                "not an Ed25519 private JWK",
            ),
            (
                serde_json::json!([{ "kid": "k", "privateKey": { "kty": "OKP", "crv": "Ed25519", "x": X } }]),
                "is not a JSON list",
            ),
            (
                serde_json::json!([key("k", Some("yesterday"))]),
                "`retiredAt` is not",
            ),
            (
                serde_json::json!([{ "kid": "k", "privateKey": { "kty": "OKP", "crv": "Ed25519", "d": D, "x": X }, "extra": 1 }]),
                "is not a JSON list",
            ),
        ];
        for (config, expected) in cases {
            let error = parse_keys(&config.to_string()).err().unwrap();
            assert!(error.contains(expected), "{config}: {error}");
            assert!(
                !error.contains(D),
                "{config}: the error shows the private key"
            );
        }
    }
}
