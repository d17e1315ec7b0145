//! # entitle-worker
//!
//! The Cloudflare Worker that serves entitle's HTTP API (`shared/API.md`, `openapi.json`).
//! It authenticates the caller, loads the state slice from D1, asks `entitle-rules`, writes
//! the outcome and its events in one D1 batch, and answers. It holds no policy of its own:
//! every decision comes from the rules crate, the same one the npm package runs in browsers.
//!
//! Modules: `routes` (the route table), `auth` (store keys, session tokens, clock, randomness),
//! `http` (problem+json, bodies), `store` (all SQL), `handlers` (one function per route),
//! `cors` (cross-origin requests from the origins a store lists), `webhooks` (signed delivery
//! of the event feed through a Cloudflare Queue: the `queue` consumer and the `scheduled` sweep).
//! KV is not used: D1 is the only truth, so a revocation holds from the very next request.

mod auth;
mod cors;
mod handlers;
mod http;
pub mod openapi;
mod routes;
mod store;
mod views;
mod webhooks;

use entitle_rules::ids::StoreId;
use handlers::Call;
use http::{ApiError, Transport};
use routes::{ROUTES, matches};
use worker::{
    Context, Env, MessageBatch, Request, Response, ScheduleContext, ScheduledEvent, event,
};

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    let origin = cors::cross_origin(&req);
    let changes = !matches!(
        req.method().to_string().as_str(),
        "GET" | "HEAD" | "OPTIONS"
    );
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
    // A change may have written events: after the answer, one message starts their delivery.
    if let Some(store) = caller_store
        .clone()
        .filter(|_| changes && response.status_code() < 300)
    {
        let env = env.clone();
        ctx.wait_until(async move {
            if let Err(error) = webhooks::kick(&env, &store).await {
                worker::console_error!("webhook fan-out not enqueued: {}", error.detail);
            }
        });
    }
    match cors::decorate(response, &env, origin.as_deref(), caller_store.as_ref()).await {
        Ok(response) => Ok(response),
        Err(error) => error.into_response(),
    }
}

/// The webhook delivery queue's consumer (`crate::webhooks`).
#[event(queue)]
async fn queue(batch: MessageBatch<webhooks::Job>, env: Env, _ctx: Context) -> worker::Result<()> {
    if let Err(error) = webhooks::consume(batch, &env).await {
        worker::console_error!("webhook batch failed: {}", error.detail);
    }
    Ok(())
}

/// The cron trigger: a fan-out of every store's new events, which catches up with anything a
/// lost fan-out message left behind.
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    if let Err(error) = webhooks::fan_out(&env, None).await {
        worker::console_error!("webhook sweep failed: {}", error.detail);
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
    let method = req.method().to_string();
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
