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
mod routes;
mod store;

use entitle_rules::ids::StoreId;
use handlers::{Call, contracts, imports, projects, records, reseller, settings, transfers};
use http::ApiError;
use routes::{Caller, ROUTES, matches};
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
    ApiError::new(
        404,
        "route_not_found",
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
        let answer = dispatch(
            route.method,
            route.pattern,
            route.caller,
            &mut call,
            caller_store,
        )
        .await;
        drain(&mut call.req).await;
        return answer;
    }
    drain(&mut req).await;
    let methods = methods_on(&path);
    if methods.is_empty() {
        return Err(route_not_found(&path));
    }
    let mut response = ApiError::new(
        405,
        "method_not_allowed",
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

async fn dispatch(
    method: &str,
    pattern: &str,
    caller: Caller,
    call: &mut Call,
    caller_store: &mut Option<StoreId>,
) -> Result<Response, ApiError> {
    match caller {
        Caller::Public => records::openapi(),
        Caller::Demo => {
            if !auth::demo_enabled(&call.env) {
                return Err(ApiError::new(
                    404,
                    "route_not_found",
                    "the demo sign-in is not enabled here",
                ));
            }
            let store = auth::demo_store(&call.env)?.ok_or_else(|| {
                ApiError::new(
                    404,
                    "route_not_found",
                    "the demo sign-in serves only a store with the local demo key",
                )
            })?;
            *caller_store = Some(store.clone());
            if pattern == "/v1/demo/mailbox" {
                let session = auth::session(&call.req, &call.env, call.now)?;
                if session.store != store {
                    return Err(ApiError::new(
                        404,
                        "route_not_found",
                        "the demo mailbox serves the demo store only",
                    ));
                }
                return records::demo_mailbox(call, &session).await;
            }
            records::create_session(call, &store).await
        }
        Caller::Store => {
            let store = auth::store(&call.req, &call.env)?;
            *caller_store = Some(store.clone());
            match (method, pattern) {
                ("GET", "/v1/settings") => settings::get(call, &store).await,
                ("PUT", "/v1/settings") => settings::put(call, &store).await,
                ("POST", "/v1/sessions") => records::create_session(call, &store).await,
                ("GET", "/v1/events") => records::events(call, &store).await,
                ("PUT", "/v1/accounts/{accountId}") => imports::put_account(call, &store).await,
                ("PUT", "/v1/products/{productId}") => imports::put_product(call, &store).await,
                ("PUT", "/v1/licenses/{licenseKey}") => imports::put_license(call, &store).await,
                ("PUT", "/v1/orders/{orderId}") => imports::put_order(call, &store).await,
                ("PUT", "/v1/contracts/{contractId}") => imports::put_contract(call, &store).await,
                ("POST", "/v1/imports") => imports::bulk(call, &store).await,
                ("PATCH", "/v1/projects/{projectId}/runtime") => {
                    records::patch_runtime(call, &store).await
                }
                _ => Err(ApiError::internal(format!(
                    "no handler for {method} {pattern}"
                ))),
            }
        }
        Caller::Session => {
            let session = auth::session(&call.req, &call.env, call.now)?;
            *caller_store = Some(session.store.clone());
            let s = &session;
            match (method, pattern) {
                ("POST", "/v1/authorize") => records::authorize_call(call, s).await,
                ("GET", "/v1/me/access") => records::me_access(call, s).await,
                ("GET", "/v1/contracts") => contracts::list(call, s).await,
                ("GET", "/v1/contracts/{contractId}") => contracts::get(call, s).await,
                ("POST", "/v1/contracts/{contractId}/delegates") => {
                    contracts::invite(call, s).await
                }
                ("GET", "/v1/contracts/{contractId}/delegates") => {
                    contracts::delegates(call, s).await
                }
                ("DELETE", "/v1/contracts/{contractId}/delegates/{accountId}") => {
                    contracts::revoke(call, s).await
                }
                ("DELETE", "/v1/contracts/{contractId}/invitations/{invitationId}") => {
                    contracts::cancel(call, s).await
                }
                ("POST", "/v1/contracts/{contractId}/invitations/{invitationId}/resend") => {
                    contracts::resend(call, s).await
                }
                ("POST", "/v1/invitations/accept") => contracts::accept(call, s).await,
                ("POST", "/v1/invitations/{token}/accept") => contracts::accept(call, s).await,
                ("POST", "/v1/contracts/{contractId}/provisioning") => {
                    contracts::provision(call, s).await
                }
                ("POST", "/v1/contracts/{contractId}/tickets") => {
                    contracts::create_ticket(call, s).await
                }
                ("GET", "/v1/contracts/{contractId}/tickets") => contracts::tickets(call, s).await,
                ("POST", "/v1/projects") => projects::create(call, s).await,
                ("GET", "/v1/projects") => projects::list(call, s).await,
                ("POST", "/v1/projects/{projectId}/shares") => projects::share(call, s).await,
                ("DELETE", "/v1/projects/{projectId}/shares/{accountId}") => {
                    projects::unshare(call, s).await
                }
                ("POST", "/v1/projects/{projectId}/licenses") => projects::assign(call, s).await,
                ("GET", "/v1/projects/{projectId}/licenses") => projects::licenses(call, s).await,
                ("DELETE", "/v1/projects/{projectId}/licenses/{licenseKey}") => {
                    projects::unassign(call, s).await
                }
                ("POST", "/v1/projects/{projectId}/transfer") => {
                    projects::transfer_project(call, s).await
                }
                ("POST", "/v1/orders/{orderId}/transfer") => {
                    projects::transfer_order(call, s).await
                }
                ("POST", "/v1/customers") => reseller::create_customer(call, s).await,
                ("GET", "/v1/customers") => reseller::customers(call, s).await,
                ("POST", "/v1/licenses") => reseller::create_licenses(call, s).await,
                ("GET", "/v1/licenses") => reseller::licenses(call, s).await,
                ("PATCH", "/v1/licenses/{licenseKey}") => reseller::update_payment(call, s).await,
                ("POST", "/v1/licenses/{licenseKey}/transfer") => {
                    transfers::request_license(call, s).await
                }
                ("GET", "/v1/transfers") => transfers::list(call, s).await,
                ("POST", "/v1/transfers/{transferId}/accept") => transfers::accept(call, s).await,
                ("POST", "/v1/transfers/{transferId}/cancel") => transfers::cancel(call, s).await,
                _ => Err(ApiError::internal(format!(
                    "no handler for {method} {pattern}"
                ))),
            }
        }
    }
}
