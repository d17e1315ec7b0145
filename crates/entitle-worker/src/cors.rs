//! Cross-origin requests from a store's own pages (CORS), per store.
//!
//! A store lists the origins its pages run on (`PUT /v1/settings`). A preflight carries no
//! credentials, so it cannot say which store it is for: it is answered for an origin that any
//! store lists, and only with the API's own methods and request headers. That only lets the
//! browser *send* the request, which it could do with its bearer token from anywhere else; the
//! answer is readable by the page only when it carries `Access-Control-Allow-Origin`, and that is
//! added once the caller is authenticated only when the caller's own store lists the origin.
//! Answers given before any store is known (bad credentials, unknown routes, the OpenAPI
//! document) reveal nothing about a store and follow the preflight's rule. Other origins get
//! no CORS headers at all. No cookies are used, so credentials are never allowed.
//!
//! A store's origins live on the store's own database. A preflight, which names no store, is
//! the one request that asks every database (concurrently, one read each, nothing written).

use crate::http::ApiError;
use crate::store::db::{Db, Meter, concurrently};
use crate::store::settings::Settings;
use entitle_rules::ids::StoreId;
use worker::{Env, Request, Response, Url};

/// The longest origin accepted, in characters.
const MAX_ORIGIN_LEN: usize = 300;

/// The methods a preflight allows: every method the API serves.
pub const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE";

/// The request headers a preflight allows: those the API reads.
pub const ALLOW_HEADERS: &str = "Authorization, Content-Type, Idempotency-Key, If-None-Match";

/// The response headers a page may read beyond the CORS-safelisted ones.
pub const EXPOSE_HEADERS: &str =
    "ETag, Request-Id, Idempotent-Replayed, Retry-After, Location, Allow, Server-Timing";

/// How long a browser may cache a preflight, in seconds (Chromium's cap).
pub const MAX_AGE: &str = "7200";

/// Hosts for which `http` origins are accepted: the developer's own machine.
const LOOPBACK: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// Why an origin cannot be listed, as a sentence; `None` when it can.
///
/// An origin is written exactly as browsers send it in the `Origin` header:
/// `https://host[:port]`, lowercase, no default port, no path, query, fragment, credentials or
/// wildcard. `http` is accepted only for `localhost`, `127.0.0.1` and `[::1]`, in every
/// deployment: a store develops its storefront on its own machine against the real API, and a
/// page there still needs a session token the store minted to read anything.
pub fn origin_problem(origin: &str) -> Option<String> {
    if origin.len() > MAX_ORIGIN_LEN {
        return Some(format!("an origin has at most {MAX_ORIGIN_LEN} characters"));
    }
    if origin.contains('*') {
        return Some(format!(
            "`{origin}` has a wildcard: list each origin exactly"
        ));
    }
    let Ok(url) = Url::parse(origin) else {
        return Some(format!(
            "`{origin}` is not an origin of the form `https://host[:port]`"
        ));
    };
    let scheme = url.scheme();
    let host = url.host_str().unwrap_or_default().to_owned();
    if scheme != "https" && scheme != "http" {
        return Some(format!(
            "`{origin}` is not an origin of the form `https://host[:port]`"
        ));
    }
    if host.is_empty() {
        return Some(format!("`{origin}` has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Some(format!("`{origin}` holds credentials"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Some(format!(
            "`{origin}` has a path, query or fragment: an origin is only `scheme://host[:port]`"
        ));
    }
    if scheme == "http" && !LOOPBACK.contains(&host.as_str()) {
        return Some(format!(
            "`{origin}` is not https: http is accepted only for localhost, 127.0.0.1 and [::1]"
        ));
    }
    let canonical = url.origin().ascii_serialization();
    if canonical != origin {
        return Some(format!(
            "`{origin}` is not written as browsers send it: use `{canonical}`"
        ));
    }
    None
}

/// The request's `Origin` when it names another origin than the worker's own: the only
/// requests that CORS concerns. Same-origin requests (the demo page) cost no lookup.
pub fn cross_origin(req: &Request) -> Option<String> {
    let origin = req.headers().get("origin").ok().flatten()?;
    let own = req.url().ok().map(|u| u.origin().ascii_serialization());
    (own.as_deref() != Some(origin.as_str())).then_some(origin)
}

/// Whether `origin` may read answers: listed by `store` when the caller's store is known (on
/// the store's database), listed by any store of any database otherwise.
pub async fn allowed(
    env: &Env,
    meter: &Meter,
    store: Option<&StoreId>,
    origin: &str,
) -> Result<bool, ApiError> {
    if origin_problem(origin).is_some() {
        return Ok(false);
    }
    if let Some(store) = store {
        // Asked already by the request's first round trip to the store's database.
        if let Some(listed) = meter.origin_listed_by(store.as_str()) {
            return Ok(listed);
        }
        return Settings::new(Db::of_store(env, meter, store)?)
            .store_allows(store, origin)
            .await;
    }
    let (databases, _) = Db::every(env, meter)?;
    let asked = concurrently(
        databases
            .into_iter()
            .map(|db| {
                Box::pin(async move { Settings::new(db).any_store_allows(origin).await })
                    as std::pin::Pin<Box<dyn std::future::Future<Output = _>>>
            })
            .collect(),
    )
    .await;
    // One database that lists the origin is enough, whatever the others answered.
    let mut failed = None;
    for answer in asked {
        match answer {
            Ok(true) => return Ok(true),
            Ok(false) => {}
            Err(error) => failed = failed.or(Some(error)),
        }
    }
    failed.map_or(Ok(false), Err)
}

/// Adds `Vary: Origin` to an answer, and the CORS headers when `origin` may read it. A failed
/// lookup leaves the answer as it is (without CORS headers): the request itself may have
/// changed something, and its answer must not turn into a 500.
pub async fn decorate(
    mut response: Response,
    env: &Env,
    meter: &Meter,
    origin: Option<&str>,
    store: Option<&StoreId>,
) -> Result<Response, ApiError> {
    let headers = response.headers_mut();
    headers.append("vary", "Origin")?;
    let Some(origin) = origin else {
        return Ok(response);
    };
    // A failure was logged where it happened (`ApiError::internal`).
    if allowed(env, meter, store, origin).await.unwrap_or(false) {
        let headers = response.headers_mut();
        headers.set("access-control-allow-origin", origin)?;
        headers.set("access-control-expose-headers", EXPOSE_HEADERS)?;
        // The Resource Timing API shows a cross-origin answer's `Server-Timing` to the page
        // only with this header.
        headers.set("timing-allow-origin", origin)?;
    }
    Ok(response)
}

/// Whether a request is a CORS preflight.
pub fn is_preflight(req: &Request) -> bool {
    req.method() == worker::Method::Options
        && req
            .headers()
            .has("access-control-request-method")
            .unwrap_or(false)
}

/// The answer to a preflight from an origin some store lists: 204 with the API's methods and
/// headers.
pub fn preflight(origin: &str) -> Result<Response, ApiError> {
    let mut response = Response::empty()?.with_status(204);
    let headers = response.headers_mut();
    headers.set("access-control-allow-origin", origin)?;
    headers.set("access-control-allow-methods", ALLOW_METHODS)?;
    headers.set("access-control-allow-headers", ALLOW_HEADERS)?;
    headers.set("access-control-max-age", MAX_AGE)?;
    headers.set("vary", "Origin")?;
    Ok(response)
}
