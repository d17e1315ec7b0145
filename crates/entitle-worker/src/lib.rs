//! # entitle-worker
//!
//! The Cloudflare Worker that serves entitle's HTTP API (`shared/API.md`, `openapi.json`).
//! It authenticates the caller, loads the state slice from D1, asks `entitle-rules`, writes
//! the outcome and its events in one D1 batch, and answers. It holds no policy of its own:
//! every decision comes from the rules crate, the same one the npm package runs in browsers.
//!
//! Modules: `routes` (the route table), `auth` (store keys, session tokens, clock, randomness),
//! `http` (problem+json, bodies), `store` (all SQL), `handlers` (one function per route),
//! `cors` (cross-origin requests from the origins a store lists).
//! KV is not used: D1 is the only truth, so a revocation holds from the very next request.

mod auth;
mod cors;
mod handlers;
mod http;
pub mod openapi;
mod routes;
mod store;
mod views;

use entitle_rules::ids::StoreId;
use handlers::Call;
use http::{ApiError, Transport};
use routes::{ROUTES, matches};
use worker::{Context, Env, Request, Response, event};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let origin = cors::cross_origin(&req);
    if cors::is_preflight(&req) {
        return match preflight(&req, &env, origin.as_deref()).await {
            Ok(response) => Ok(response),
            Err(error) => error.into_response(),
        };
    }
    // The store of the authenticated caller, once known: it decides the CORS headers.
    let mut caller_store = None;
    let response = match handle(req, env.clone(), &mut caller_store).await {
        Ok(response) => response,
        Err(error) => error.into_response()?,
    };
    match cors::decorate(response, &env, origin.as_deref(), caller_store.as_ref()).await {
        Ok(response) => Ok(response),
        Err(error) => error.into_response(),
    }
}

/// The methods served on `path`, for `Allow`; empty when no route has this path.
fn methods_on(path: &str) -> Vec<&'static str> {
    ROUTES
        .iter()
        .filter(|route| matches(route.pattern, path).is_some())
        .map(|route| route.method)
        .collect()
}

fn route_not_found(path: &str) -> ApiError {
    ApiError::transport(
        Transport::RouteNotFound,
        format!("no route `{path}`: see /v1/openapi.json"),
    )
}

/// `Allow`: the methods served on a path, and `OPTIONS`, which every served path answers.
fn allow_header(methods: &[&str]) -> String {
    let mut all = methods.to_vec();
    all.push("OPTIONS");
    all.join(", ")
}

/// A preflight from an origin some store lists gets the CORS answer on any path (so the page
/// can then read the real answer, 404 and 405 included); from any other origin it gets what
/// a plain `OPTIONS` gets, without CORS headers.
async fn preflight(req: &Request, env: &Env, origin: Option<&str>) -> Result<Response, ApiError> {
    if let Some(origin) = origin
        && cors::allowed(env, None, origin).await?
    {
        return cors::preflight(origin);
    }
    let mut response = match options(&req.path()) {
        Ok(response) => response,
        Err(error) => error.into_response()?,
    };
    response.headers_mut().append("vary", "Origin")?;
    Ok(response)
}

/// A plain `OPTIONS`: 204 with `Allow` on a served path.
fn options(path: &str) -> Result<Response, ApiError> {
    let methods = methods_on(path);
    if methods.is_empty() {
        return Err(route_not_found(path));
    }
    let mut response = Response::empty()?.with_status(204);
    response
        .headers_mut()
        .set("allow", &allow_header(&methods))?;
    Ok(response)
}

async fn handle(
    mut req: Request,
    env: Env,
    caller_store: &mut Option<StoreId>,
) -> Result<Response, ApiError> {
    let path = req.path();
    // The method as sent: workers-rs reads any method it does not know (such as `QUERY`) as GET.
    let method = req.inner().method();
    if method == "OPTIONS" {
        return options(&path);
    }
    for route in ROUTES {
        if route.method != method {
            continue;
        }
        let Some(params) = matches(route.pattern, &path) else {
            continue;
        };
        let now = auth::now(&req, &env)?;
        let mut call = Call {
            req,
            env,
            params,
            now,
        };
        let answer = (route.handler)(&mut call, caller_store).await;
        drain(&mut call.req).await;
        return answer;
    }
    drain(&mut req).await;
    let methods = methods_on(&path);
    if methods.is_empty() {
        return Err(route_not_found(&path));
    }
    let mut response = ApiError::transport(
        Transport::MethodNotAllowed,
        format!(
            "`{method}` is not served on `{path}`; it serves {}",
            methods.join(", ")
        ),
    )
    .into_response()?;
    response
        .headers_mut()
        .set("allow", &allow_header(&methods))?;
    Ok(response)
}

/// Reads what is left of a request body that its handler did not read (a route that takes no
/// body, or an answer given before the body was needed), so the connection is not closed under a
/// client that is still sending and the client gets the answer. Large bodies are left alone.
async fn drain(req: &mut Request) {
    if http::declared_length(req).is_some_and(|n| n > 0 && n <= http::MAX_BODY) {
        // An error only means the body was read already.
        let _ = req.bytes().await;
    }
}
