//! The store's side: record imports, sessions, the event feed, device state. Also the
//! caller-neutral `authorize` and `me/access`, and the OpenAPI document.

use super::{Call, read, read_store, store_command};
use crate::auth::{self, Session};
use crate::http::{ApiError, body, json};
use entitle_rules::access::scoped_snapshot;
use entitle_rules::ids::{AccountId, ProjectId, StoreId};
use entitle_rules::{Action, ProjectRuntime, Resource, StoreCommand, access_snapshot, authorize};
use serde::Deserialize;
use serde_json::json;
use worker::Response;

/// The OpenAPI document, served as committed.
const OPENAPI: &str = include_str!("../../../../openapi.json");

/// `GET /v1/openapi.json`
pub fn openapi() -> Result<Response, ApiError> {
    let headers = worker::Headers::new();
    headers.set("content-type", "application/json")?;
    Ok(Response::from_bytes(OPENAPI.as_bytes().to_vec())?.with_headers(headers))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RuntimeBody {
    server_active: bool,
    active_panels: u32,
}

/// `PATCH /v1/projects/{projectId}/runtime`
pub async fn patch_runtime(call: &mut Call, store: &StoreId) -> Result<Response, ApiError> {
    let project_id: ProjectId = call.id(0, "project_not_found", "project")?;
    let b: RuntimeBody = body(&mut call.req).await?;
    let runtime = ProjectRuntime {
        project_id: project_id.clone(),
        server_active: b.server_active,
        active_panels: b.active_panels,
    };
    let out = store_command(call, store, &StoreCommand::SetProjectRuntime(runtime)).await?;
    json(
        200,
        &super::written(&out, |c| match c {
            entitle_rules::Change::PutProject(p) => Some(p),
            _ => None,
        })?,
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SessionBody {
    account_id: AccountId,
}

/// `POST /v1/sessions` (store key) and `POST /v1/demo/sessions` (local demo only).
pub async fn create_session(call: &mut Call, store_id: &StoreId) -> Result<Response, ApiError> {
    let b: SessionBody = body(&mut call.req).await?;
    let known = read_store(call, store_id, |s| s.account(&b.account_id).is_some()).await?;
    if !known {
        return Err(ApiError::new(
            404,
            "account_not_found",
            format!("account `{}` is not known to the store", b.account_id),
        ));
    }
    let (token, expires) = auth::sign(&call.env, store_id, &b.account_id, call.now)?;
    json(
        201,
        &json!({ "token": token, "expiresAt": expires, "accountId": b.account_id }),
    )
}

#[derive(Deserialize)]
struct EventsQuery {
    after: Option<String>,
    limit: Option<String>,
}

/// `GET /v1/events?after=<cursor>&limit=<n>`
pub async fn events(call: &mut Call, store_id: &StoreId) -> Result<Response, ApiError> {
    let q: EventsQuery = call
        .req
        .query()
        .map_err(|_| ApiError::new(400, "invalid_query", "the query string is not valid"))?;
    let after = match q.after.as_deref() {
        None | Some("") => 0,
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| {
                ApiError::new(
                    400,
                    "invalid_cursor",
                    format!("`{text}` is not a cursor from this feed"),
                )
            })?,
    };
    let limit = match q.limit.as_deref() {
        None | Some("") => 100,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| {
                ApiError::new(
                    400,
                    "invalid_limit",
                    "`limit` is a whole number from 1 to 1000",
                )
            })?,
    };
    let events = call.store(store_id)?.events(after, limit).await?;
    let full = u32::try_from(events.len()).is_ok_and(|n| n == limit);
    let next = if full {
        events.last().and_then(|e| e.get("cursor").cloned())
    } else {
        None
    };
    json(200, &json!({ "events": events, "nextCursor": next }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthorizeBody {
    action: String,
    resource: Resource,
}

/// `POST /v1/authorize`: the same decision the npm package gives on the caller's snapshot.
pub async fn authorize_call(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let b: AuthorizeBody = body(&mut call.req).await?;
    let action: Action = b
        .action
        .parse()
        .map_err(|e: entitle_rules::action::UnknownAction| {
            ApiError::new(422, "unknown_action", e.to_string())
        })?;
    let now = call.now;
    // As the browser does: decide on the caller's snapshot, here the slice for this resource.
    let snapshot = read(call, session, |s| {
        scoped_snapshot(s, &session.sub, std::slice::from_ref(&b.resource), now)
    })
    .await?;
    let decision = authorize(&snapshot, &session.sub, action, &b.resource, now)
        .map_err(|e| ApiError::new(422, e.code(), e.to_string()))?;
    json(200, &decision)
}

/// The most records an unscoped snapshot holds; past it, `snapshot_too_large`.
pub const SNAPSHOT_BOUND: usize = 2_000;

/// The most resources one scoped snapshot may name.
const MAX_SCOPED: usize = 50;

fn snapshot_too_large() -> ApiError {
    ApiError::new(
        422,
        "snapshot_too_large",
        format!(
            "this account sees more than {SNAPSHOT_BOUND} records: ask for the resources a page shows with `?resource=<type>:<id>`"
        ),
    )
}

/// The `resource=<type>:<id>` parameters of a scoped snapshot request.
fn scoped_resources(call: &Call) -> Result<Vec<Resource>, ApiError> {
    let url = call.req.url()?;
    let mut resources = Vec::new();
    for (name, value) in url.query_pairs() {
        if name != "resource" {
            return Err(ApiError::new(
                400,
                "invalid_query",
                format!("`{name}` is not a parameter of this request"),
            ));
        }
        let invalid = || {
            ApiError::new(
                400,
                "invalid_resource",
                format!("`{value}` is not `<type>:<id>` with a type such as `project`"),
            )
        };
        let (kind, id) = value.split_once(':').ok_or_else(invalid)?;
        let resource: Resource =
            serde_json::from_value(json!({ "type": kind, "id": id })).map_err(|_| invalid())?;
        if id.is_empty() {
            return Err(invalid());
        }
        if !resources.contains(&resource) {
            resources.push(resource);
        }
    }
    if resources.len() > MAX_SCOPED {
        return Err(ApiError::new(
            400,
            "too_many_resources",
            format!("a scoped snapshot names at most {MAX_SCOPED} resources"),
        ));
    }
    Ok(resources)
}

/// `GET /v1/me/access`: everything the npm package needs to answer the caller's checks.
pub async fn me_access(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let resources = scoped_resources(call)?;
    let now = call.now;
    let snapshot = if resources.is_empty() {
        super::read_bounded(call, session, SNAPSHOT_BOUND, snapshot_too_large, |s| {
            access_snapshot(s, &session.sub)
        })
        .await?
    } else {
        read(call, session, |s| {
            scoped_snapshot(s, &session.sub, &resources, now)
        })
        .await?
    };
    let state_json = serde_json::to_string(&snapshot).map_err(ApiError::internal)?;
    let etag = format!(
        "\"{}\"",
        &entitle_rules::token::token_hash(&state_json)
            .get(..32)
            .unwrap_or_default()
    );
    if call
        .req
        .headers()
        .get("if-none-match")
        .ok()
        .flatten()
        .is_some_and(|v| v == etag)
    {
        let headers = worker::Headers::new();
        headers.set("etag", &etag)?;
        return Ok(Response::empty()?.with_status(304).with_headers(headers));
    }
    let account = snapshot.account(&session.sub).cloned();
    let mut response = json(
        200,
        &json!({ "accountId": session.sub, "account": account, "at": call.now, "state": snapshot }),
    )?;
    response.headers_mut().set("etag", &etag)?;
    Ok(response)
}

/// `GET /v1/demo/mailbox` (local demo only): the accept links the store would e-mail to the
/// caller, read from the demo store's `delegate.invited` and `invitation.resent` events.
pub async fn demo_mailbox(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let email = read_store(call, &session.store, |s| {
        s.account(&session.sub).map(|a| a.email.to_string())
    })
    .await?
    .unwrap_or_default();
    let store = call.store(&session.store)?;
    let mut letters: Vec<serde_json::Value> = Vec::new();
    for event in store.events(0, 1000).await? {
        let kind = event
            .get("type")
            .and_then(|t| t.as_str())
            .unwrap_or_default();
        let payload = event.get("payload").cloned().unwrap_or_default();
        let to_me = payload.get("email").and_then(|e| e.as_str()) == Some(email.as_str());
        if to_me && (kind == "delegate.invited" || kind == "invitation.resent") {
            let id = payload.get("invitationId").cloned();
            letters.retain(|l| l.get("invitationId") != id.as_ref());
            letters.push(json!({
                "invitationId": id,
                "contractId": payload.get("contractId"),
                "acceptToken": payload.get("acceptToken"),
                "expiresAt": payload.get("expiresAt"),
                "sentAt": event.get("at"),
            }));
        }
    }
    json(200, &json!({ "letters": letters }))
}
