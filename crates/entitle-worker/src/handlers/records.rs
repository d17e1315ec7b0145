//! The store's side: record imports, sessions, the event feed, device state. Also the
//! caller-neutral `authorize` and `me/access`, and the OpenAPI document.

use super::{Call, read, read_store, store_command};
use crate::auth::{self, DemoSession, DemoStore, Public, Session};
use crate::errors::Transport;
use crate::http::{ApiError, Markdown, Reply};
use crate::route::MAX_SCOPED;
use crate::views::{AccessSnapshot, EventPage, FeedEvent, Letter, Mailbox, SessionView};
use entitle_rules::access::scoped_snapshot;
use entitle_rules::ids::{AccountId, ProjectId, StoreId};
use entitle_rules::model;
use entitle_rules::model::Project;
use entitle_rules::window;
use entitle_rules::{
    Action, Decision, ErrorCode, ProjectRuntime, Resource, StoreCommand, Timestamp,
    access_snapshot, authorize, plans,
};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use std::borrow::Cow;

/// The OpenAPI document, served as committed (`crate::openapi` generates it).
const OPENAPI: &str = include_str!("../../../../openapi.json");

/// The error reference, served as committed (`crate::openapi` generates it).
const ERRORS: &str = include_str!("../../../../docs/errors.md");

/// The OpenAPI document, as an answer.
#[derive(serde::Serialize)]
pub struct Document;

impl JsonSchema for Document {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("OpenApiDocument")
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "object", "description": "An OpenAPI 3.1 document." })
    }
}

/// `GET /v1/openapi.json`
pub async fn openapi(_: &mut Call, _: &Public) -> Result<Reply<Document>, ApiError> {
    Ok(Reply::json_text(OPENAPI))
}

/// `GET /v1/errors`
pub async fn errors(_: &mut Call, _: &Public) -> Result<Reply<Markdown>, ApiError> {
    Ok(Reply::markdown(Markdown(ERRORS)))
}

/// A project's device state, as the store reports it.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuntimeBody {
    /// Whether a server of the project is active.
    server_active: bool,
    /// How many panels are active.
    active_panels: u32,
}

/// `PATCH /v1/projects/{projectId}/runtime`
pub async fn patch_runtime(
    call: &mut Call,
    store: &StoreId,
    b: RuntimeBody,
) -> Result<Reply<Project>, ApiError> {
    let project_id: ProjectId = call.id(0, ErrorCode::ProjectNotFound, "project")?;
    let runtime = ProjectRuntime {
        project_id: project_id.clone(),
        server_active: b.server_active,
        active_panels: b.active_panels,
    };
    let cmd = StoreCommand::SetProjectRuntime(runtime);
    store_command(call, store, &cmd, |outcome, _| {
        super::written::<model::Project>(outcome)
    })
    .await
}

/// The body of a new session.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionBody {
    /// The account the session acts for.
    account_id: AccountId,
}

/// `POST /v1/sessions`
pub async fn create_session(
    call: &mut Call,
    store_id: &StoreId,
    b: SessionBody,
) -> Result<Reply<SessionView>, ApiError> {
    let plan = plans::account(&b.account_id);
    let known = read_store(call, store_id, &plan, |s| {
        s.account(&b.account_id).is_some()
    })
    .await?;
    if !known {
        return Err(ApiError::rules(
            ErrorCode::AccountNotFound,
            format!("account `{}` is not known to the store", b.account_id),
        ));
    }
    let (token, expires_at) = auth::sign(&call.env, store_id, &b.account_id, call.now)?;
    Ok(Reply::new(SessionView {
        token,
        expires_at,
        account_id: b.account_id,
    }))
}

/// `POST /v1/demo/sessions` (local demo only): as `POST /v1/sessions`, for the demo store.
pub async fn create_demo_session(
    call: &mut Call,
    store: &DemoStore,
    b: SessionBody,
) -> Result<Reply<SessionView>, ApiError> {
    create_session(call, &store.0, b).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventsQuery {
    after: Option<String>,
    limit: Option<String>,
}

/// `GET /v1/events?after=<cursor>&limit=<n>`
pub async fn events(call: &mut Call, store_id: &StoreId) -> Result<Reply<EventPage>, ApiError> {
    let q: EventsQuery = call.req.query().map_err(|_| {
        ApiError::transport(Transport::InvalidQuery, "the query string is not valid")
    })?;
    let after = match q.after.as_deref() {
        None | Some("") => 0,
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| {
                ApiError::transport(
                    Transport::InvalidCursor,
                    format!("`{text}` is not a cursor from this feed"),
                )
            })?,
    };
    let limit = match q.limit.as_deref() {
        None => 100,
        Some(text) => crate::http::query_whole_number(text)
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| {
                ApiError::transport(
                    Transport::InvalidLimit,
                    "`limit` is a whole number from 1 to 1000",
                )
            })?,
    };
    let events = call
        .store(store_id)?
        .events(after, limit)
        .await?
        .into_iter()
        .map(|event| serde_json::from_value::<FeedEvent>(event).map_err(ApiError::internal))
        .collect::<Result<Vec<_>, _>>()?;
    let full = u32::try_from(events.len()).is_ok_and(|n| n == limit);
    let next_cursor = if full {
        events.last().map(|e| e.cursor.clone())
    } else {
        None
    };
    Ok(Reply::new(EventPage {
        events,
        next_cursor,
    }))
}

/// An authorization question.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorizeBody {
    /// The action, such as `project.view`; an unknown one is 422 `unknown_action`.
    action: String,
    /// The resource it acts on.
    resource: Resource,
}

/// `POST /v1/authorize`: the same decision the npm package gives on the caller's snapshot.
pub async fn authorize_call(
    call: &mut Call,
    session: &Session,
    b: AuthorizeBody,
) -> Result<Reply<Decision>, ApiError> {
    let action: Action = b
        .action
        .parse()
        .map_err(|e: entitle_rules::action::UnknownAction| {
            ApiError::transport(Transport::UnknownAction, e.to_string())
        })?;
    let now = call.now;
    // As the browser does: decide on the caller's snapshot, here the slice for this resource.
    let plan = plans::authorize(&session.sub, &b.resource);
    let snapshot = read(call, session, &plan, |s| {
        scoped_snapshot(s, &session.sub, std::slice::from_ref(&b.resource), now)
    })
    .await?;
    let decision = authorize(&snapshot, &session.sub, action, &b.resource, now)
        .map_err(|e| ApiError::transport(Transport::ActionResourceMismatch, e.to_string()))?;
    Ok(Reply::new(decision))
}

/// The most records an unscoped snapshot holds; past it, `snapshot_too_large`.
pub const SNAPSHOT_BOUND: usize = 2_000;

fn snapshot_too_large() -> ApiError {
    ApiError::transport(
        Transport::SnapshotTooLarge,
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
            return Err(ApiError::transport(
                Transport::InvalidQuery,
                format!("`{name}` is not a parameter of this request"),
            ));
        }
        let invalid = || {
            ApiError::transport(
                Transport::InvalidResource,
                format!("`{value}` is not `<type>:<id>` with a type such as `project`"),
            )
        };
        let (kind, id) = value.split_once(':').ok_or_else(invalid)?;
        let resource: Resource =
            serde_json::from_value(serde_json::json!({ "type": kind, "id": id }))
                .map_err(|_| invalid())?;
        if id.is_empty() {
            return Err(invalid());
        }
        if !resources.contains(&resource) {
            resources.push(resource);
        }
    }
    if resources.len() > MAX_SCOPED {
        return Err(ApiError::transport(
            Transport::TooManyResources,
            format!("a scoped snapshot names at most {MAX_SCOPED} resources"),
        ));
    }
    Ok(resources)
}

/// `GET /v1/me/access`: everything the npm package needs to answer the caller's checks.
pub async fn me_access(
    call: &mut Call,
    session: &Session,
) -> Result<Reply<AccessSnapshot>, ApiError> {
    let snapshot = access_of(call, session).await?;
    let state_json = serde_json::to_string(&snapshot.state).map_err(ApiError::internal)?;
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
        return Ok(
            cacheable(Reply::not_modified(), snapshot.valid_until, call.now).header("etag", etag),
        );
    }
    let (valid_until, now) = (snapshot.valid_until, call.now);
    Ok(cacheable(Reply::new(snapshot), valid_until, now).header("etag", etag))
}

/// The caller's snapshot as `GET /v1/me/access` answers it (whole, or scoped by its
/// `resource` parameters); `GET /v1/me/access/signed` signs the same.
pub async fn access_of(call: &Call, session: &Session) -> Result<AccessSnapshot, ApiError> {
    let resources = scoped_resources(call)?;
    let now = call.now;
    let snapshot = if resources.is_empty() {
        let plan = plans::snapshot(&session.sub);
        super::read_bounded(
            call,
            session,
            &plan,
            SNAPSHOT_BOUND,
            snapshot_too_large,
            |s| access_snapshot(s, &session.sub, now),
        )
        .await?
    } else {
        let plan = plans::scoped(&session.sub, &resources);
        read(call, session, &plan, |s| {
            scoped_snapshot(s, &session.sub, &resources, now)
        })
        .await?
    };
    let account = snapshot.account(&session.sub).cloned();
    Ok(AccessSnapshot {
        account_id: session.sub.clone(),
        account,
        at: call.now,
        valid_until: window::valid_until(&snapshot, now),
        state: snapshot,
    })
}

/// The longest a snapshot may be kept before it is asked for again, in seconds: a change by a
/// command (a revocation) is not announced by time, so the holder asks again soon anyway.
const SNAPSHOT_MAX_AGE: i64 = 30;

/// A snapshot's answer as caches may keep it: by the caller only (`private`, `Vary:
/// Authorization`: one URL serves every account), at most [`SNAPSHOT_MAX_AGE`] seconds and
/// never past the next start or end of a window in it (`window::valid_until`), when its answers
/// change by time alone.
fn cacheable<T>(reply: Reply<T>, valid_until: Option<Timestamp>, now: Timestamp) -> Reply<T> {
    let age = valid_until.map_or(SNAPSHOT_MAX_AGE, |until| {
        ((until.unix_millis() - now.unix_millis()) / 1_000).clamp(0, SNAPSHOT_MAX_AGE)
    });
    reply
        .header("cache-control", format!("private, max-age={age}"))
        .header("vary", "Authorization".to_owned())
}

/// `GET /v1/demo/mailbox` (local demo only): the accept links the store would e-mail to the
/// caller, read from the demo store's `delegate.invited` and `invitation.resent` events.
pub async fn demo_mailbox(
    call: &mut Call,
    caller: &DemoSession,
) -> Result<Reply<Mailbox>, ApiError> {
    let session = &caller.0;
    // The account's address and the store's events, read together in one round trip.
    let store = call.store(&session.store)?;
    let plan = plans::account(&session.sub);
    let first = vec![store.events_statement(0, 1000)?];
    let (email, reading) = super::resolve(
        &store,
        &plan,
        first,
        super::ROW_CAP,
        super::too_large,
        |s, _| s.account(&session.sub).map(|a| a.email.clone()),
    )
    .await?;
    let events = match reading.first.first() {
        Some(result) => crate::store::Store::events_of(result)?,
        None => Vec::new(),
    };
    let mut letters: Vec<Letter> = Vec::new();
    for event in events {
        let event: FeedEvent = serde_json::from_value(event).map_err(ApiError::internal)?;
        let (entitle_rules::EventPayload::DelegateInvited {
            invitation_id,
            contract_id,
            email: to,
            accept_token,
            expires_at,
            ..
        }
        | entitle_rules::EventPayload::InvitationResent {
            invitation_id,
            contract_id,
            email: to,
            accept_token,
            expires_at,
        }) = event.payload
        else {
            continue;
        };
        if email.as_ref() != Some(&to) {
            continue;
        }
        letters.retain(|l| l.invitation_id != invitation_id);
        letters.push(Letter {
            invitation_id,
            contract_id,
            accept_token,
            expires_at,
            sent_at: event.at,
        });
    }
    Ok(Reply::new(Mailbox { letters }))
}
