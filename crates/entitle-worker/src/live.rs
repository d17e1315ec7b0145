//! Live changes: `GET /v1/me/access/live`, a WebSocket per open page, served by one Durable
//! Object per store ([`LiveChanges`]) with the hibernation API, so an idle socket costs nothing.
//!
//! ```text
//! page ── GET /v1/me/access/live (Sec-WebSocket-Protocol: entitle.<token>) ──► worker
//!        worker: token checked, refused before any upgrade (problem+json) ──► object of the store
//!        object: accepts the socket tagged with its account, catches it up (`since`), hibernates
//! command ── commit ── answer ── wait_until: committed() ──────────────────────┐
//!        the rules name the accounts whose access changed (affected_accounts),   │
//!        loading what they still need, off the answer's path ───────────────────┤
//!        POST /changed {accounts, at} ──► object: remembers each account's last  ▼
//!        change, sends {"type":"changed","at"} to those accounts' sockets only
//! ```
//!
//! A notification never fails or delays the command: it runs after the answer, and an error is
//! only logged. A notification lost anyway is caught up: the object keeps each account's last
//! change for [`RETENTION_MS`], and a socket that connects with `?since=<the at of its
//! snapshot>` gets a `changed` at once if its account changed at or after it (or if `since` is
//! older than what the object keeps). Sockets send nothing but `ping` (answered `pong` by the
//! runtime without waking the object); more than [`FLOOD_MESSAGES`] other messages in
//! [`FLOOD_WINDOW_MS`], or one longer than [`MAX_MESSAGE`] bytes, close the socket (1008, 1009).
//! An account keeps at most [`MAX_SOCKETS_PER_ACCOUNT`] sockets open; one more is refused (429).

use crate::auth::{self, Authenticate, CallerKind, Session};
use crate::call::Call;
use crate::errors::Transport;
use crate::http::{ApiError, Reply};
use crate::store::{Loaded, Store};
use entitle_rules::access::affected_accounts;
use entitle_rules::ids::{AccountId, StoreId};
use entitle_rules::{Change, State, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use worker::{
    DurableObject, Env, Method, ObjectNamespace, Request, RequestInit, Response, WebSocket,
    WebSocketIncomingMessage, WebSocketPair, durable_object,
};

/// The Durable Object binding (wrangler.toml).
pub const BINDING: &str = "LIVE";

/// How long the object remembers an account's last change: a snapshot older than this is
/// always told to fetch again on connect. Longer than a session (an hour).
pub const RETENTION_MS: i64 = 2 * 60 * 60 * 1000;

/// The most messages a socket may send (other than `ping`) in [`FLOOD_WINDOW_MS`].
pub const FLOOD_MESSAGES: u32 = 10;

/// The window of the flood limit.
pub const FLOOD_WINDOW_MS: i64 = 10_000;

/// The longest message a socket may send, in bytes.
pub const MAX_MESSAGE: usize = 256;

/// The most sockets one account keeps open in its store; one more is refused (429
/// `too_many_sockets`) until one closes.
pub const MAX_SOCKETS_PER_ACCOUNT: usize = 16;

/// How many rounds of reads the accounts of a change may take before the whole store is told.
const ROUNDS: usize = 4;

/// The most rows one read may bring to name the accounts of a change.
const CAP: usize = 1_000;

/// The subprotocol prefix: a browser cannot set `Authorization` on a WebSocket, so it offers
/// `entitle.<token>` as its subprotocol, which the worker echoes.
const PROTOCOL_PREFIX: &str = "entitle.";

/// Query parameter names that carry credentials: refused as such (`token_in_url`).
const CREDENTIAL_NAMES: &[&str] = &[
    "token",
    "access_token",
    "accesstoken",
    "session",
    "auth",
    "authorization",
    "bearer",
    "jwt",
    "key",
];

/// The caller of `GET /v1/me/access/live`: a session, whose token came as the subprotocol
/// `entitle.<token>` (browsers) or in `Authorization` (servers). A token in the URL is refused,
/// whatever else the request carries.
pub struct LiveSession {
    /// The session.
    pub session: Session,
    /// The subprotocol to echo, when the token came as one.
    pub protocol: Option<String>,
}

/// Whether a query parameter carries a credential: by its name, or because its value is a
/// session token (three dot-separated parts, as entitle's tokens are).
fn is_credential(name: &str, value: &str) -> bool {
    let name = name.to_ascii_lowercase();
    CREDENTIAL_NAMES.contains(&name.as_str())
        || value.starts_with("sk_")
        || value.starts_with(PROTOCOL_PREFIX)
        || (value.split('.').count() == 3 && value.len() > 40)
}

fn token_in_url() -> ApiError {
    ApiError::transport(
        Transport::TokenInUrl,
        "a credential was sent in the URL, where logs and histories keep it: offer the session token as the subprotocol `entitle.<token>` instead",
    )
}

impl Authenticate for LiveSession {
    const KIND: CallerKind = CallerKind::Session;

    fn authenticate(req: &Request, env: &Env, now: Timestamp) -> Result<Self, ApiError> {
        let url = req.url()?;
        if url
            .query_pairs()
            .any(|(name, value)| is_credential(&name, &value))
        {
            return Err(token_in_url());
        }
        let offered = req
            .headers()
            .get("sec-websocket-protocol")
            .ok()
            .flatten()
            .unwrap_or_default();
        let ours: Vec<&str> = offered
            .split(',')
            .map(str::trim)
            .filter(|p| p.starts_with(PROTOCOL_PREFIX))
            .collect();
        match ours.as_slice() {
            [] => Ok(LiveSession {
                session: auth::session(req, env, now)?,
                protocol: None,
            }),
            [protocol] => {
                let token = protocol.get(PROTOCOL_PREFIX.len()..).unwrap_or_default();
                if token.is_empty() {
                    return Err(ApiError::transport(
                        Transport::MalformedCredentials,
                        "the subprotocol `entitle.` carries no token: offer `entitle.<token>`",
                    ));
                }
                Ok(LiveSession {
                    session: auth::verify_session(token, env, now)?,
                    protocol: Some((*protocol).to_owned()),
                })
            }
            _ => Err(ApiError::transport(
                Transport::MalformedCredentials,
                "offer one `entitle.<token>` subprotocol, not several",
            )),
        }
    }

    fn store(&self) -> Option<&StoreId> {
        Some(&self.session.store)
    }
}

/// The query of `GET /v1/me/access/live`.
#[derive(schemars::JsonSchema)]
#[allow(dead_code, reason = "documents the query that `live::connect` reads")]
pub struct LiveQuery {
    /// The `at` of the snapshot the page holds (RFC 3339): if the caller's access changed at or
    /// after it (or more than two hours ago is all that is known), `changed` comes at once.
    since: Option<Timestamp>,
}

impl crate::route::Query for LiveQuery {
    const ERRORS: &'static [Transport] = &[Transport::InvalidQuery, Transport::TokenInUrl];
}

/// What `GET /v1/me/access/live` answers: `101 Switching Protocols`, then messages on the
/// socket, each `{"type": "changed", "at": "<RFC 3339>"}`.
pub struct Upgrade;

impl crate::route::Answered for Upgrade {
    fn answered() -> Option<(&'static str, crate::route::SchemaFn)> {
        None
    }
}

impl Serialize for Upgrade {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_unit()
    }
}

/// `since`, the one parameter the route takes, in milliseconds.
fn since(call: &Call) -> Result<Option<i64>, ApiError> {
    let url = call.req.url()?;
    let mut since = None;
    for (name, value) in url.query_pairs() {
        if name != "since" {
            return Err(ApiError::transport(
                Transport::InvalidQuery,
                format!("`{name}` is not a parameter of this request; it takes `since`"),
            ));
        }
        let at = Timestamp::parse(&value)
            .map_err(|e| ApiError::transport(Transport::InvalidQuery, format!("`since`: {e}")))?;
        since = Some(at.unix_millis());
    }
    Ok(since)
}

/// `GET /v1/me/access/live`: hands the upgrade to the store's object, which keeps the socket.
pub async fn connect(call: &mut Call, caller: &LiveSession) -> Result<Reply<Upgrade>, ApiError> {
    let since = since(call)?;
    let upgrade = call.req.headers().get("upgrade").ok().flatten();
    if !upgrade.is_some_and(|u| u.eq_ignore_ascii_case("websocket")) {
        return Err(ApiError::transport(
            Transport::UpgradeRequired,
            "this route is a WebSocket: open it with `new WebSocket(url, [\"entitle.\" + token])`",
        ));
    }
    let session = &caller.session;
    let namespace: ObjectNamespace = call.env.durable_object(BINDING)?;
    let stub = namespace.get_by_name(session.store.as_str())?;
    let headers = worker::Headers::new();
    headers.set("upgrade", "websocket")?;
    headers.set("x-entitle-account", session.sub.as_str())?;
    headers.set("x-entitle-now", &call.now.unix_millis().to_string())?;
    if let Some(since) = since {
        headers.set("x-entitle-since", &since.to_string())?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let inner = Request::new_with_init("https://live.internal/connect", &init)?;
    let answer = stub.fetch_with_request(inner).await?;
    let status = answer.status_code();
    if status == 429 {
        return Err(ApiError::transport(
            Transport::TooManySockets,
            format!(
                "this account has {MAX_SOCKETS_PER_ACCOUNT} live sockets open in its store: close one first"
            ),
        ));
    }
    let Some(socket) = answer.websocket() else {
        return Err(ApiError::internal(format!(
            "the live object answered {status} without a socket"
        )));
    };
    // A response of its own: the object's has immutable headers.
    let mut response = Response::from_websocket(socket)?;
    if let Some(protocol) = &caller.protocol {
        response
            .headers_mut()
            .set("sec-websocket-protocol", protocol)?;
    }
    Ok(Reply::raw(response))
}

/// Who a committed change is for.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
struct Notice {
    /// The accounts whose access changed.
    accounts: BTreeSet<AccountId>,
    /// Every account of the store (the accounts could not be named within the budget).
    all: bool,
    /// When the change committed, in milliseconds (the request clock).
    at: i64,
}

/// Tells the store's object, after the answer, whose access a committed command touched. Called
/// by `handlers::run` with the state the command decided on and its changes. Never fails or
/// delays the command: the work runs in `wait_until`, and errors are logged.
pub fn committed(call: &Call, store: &Store, before: State, changes: &[Change]) {
    if changes.is_empty() {
        return;
    }
    let Ok(db) = call.store(store.id()) else {
        return;
    };
    // After the commit: a snapshot taken from this instant on holds the change.
    let at = auth::now(&call.req, &call.env).unwrap_or(call.now);
    let env = call.env.clone();
    let changes = changes.to_vec();
    call.background
        .wait_until(async move { notify(&env, &db, before, &changes, at).await });
}

/// Tells the object of `db`'s store whose access `changes` (committed at `at`, applied to
/// `before`) touched, so their sockets get `changed`. For every writer of changes: commands
/// (through [`committed`]), and a sweep that writes what the end of a time-limited grant implies
/// (issue 23), which hands this to its own `wait_until`. Does nothing where no object is bound;
/// an error is logged, never raised.
pub async fn notify(env: &Env, db: &Store, before: State, changes: &[Change], at: Timestamp) {
    let Ok(namespace) = env.durable_object(BINDING) else {
        return;
    };
    let notice = notice(db, before, changes, at).await;
    if notice.accounts.is_empty() && !notice.all {
        return;
    }
    if let Err(error) = tell(&namespace, db.id(), &notice).await {
        worker::console_error!("live notification not sent: {}", error.detail);
    }
}

/// The accounts the rules name for `changes`, loading what they still need (as a command's
/// reads are loaded) for at most [`ROUNDS`] round trips; past that, or on a read error, every
/// account of the store, since telling too many is harmless and telling too few is not.
async fn notice(db: &Store, mut before: State, changes: &[Change], at: Timestamp) -> Notice {
    // What the command noted before it was cloned is not this question's.
    let _ = before.missing();
    let mut loaded = Loaded::default();
    for _ in 0..ROUNDS {
        let accounts = affected_accounts(&before, changes);
        let missing = before.missing();
        if missing.is_empty() {
            return Notice {
                accounts,
                all: false,
                at: at.unix_millis(),
            };
        }
        let too_large = || ApiError::transport(Transport::ResourceTooLarge, "too many rows");
        let plan = entitle_rules::plan::Plan::fetch(missing);
        if let Err(error) = db
            .load(&plan, &mut before, &mut loaded, CAP, too_large, Vec::new())
            .await
        {
            worker::console_log!(
                "live: telling the whole store, the accounts of a change were not loaded: {}",
                error.detail
            );
            break;
        }
    }
    Notice {
        accounts: BTreeSet::new(),
        all: true,
        at: at.unix_millis(),
    }
}

async fn tell(
    namespace: &ObjectNamespace,
    store: &StoreId,
    notice: &Notice,
) -> Result<(), ApiError> {
    let stub = namespace.get_by_name(store.as_str())?;
    let body = serde_json::to_string(notice).map_err(ApiError::internal)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(worker::wasm_bindgen::JsValue::from_str(&body)));
    let request = Request::new_with_init("https://live.internal/changed", &init)?;
    let answer = stub.fetch_with_request(request).await?;
    if answer.status_code() != 204 {
        return Err(ApiError::internal(format!(
            "the live object answered {}",
            answer.status_code()
        )));
    }
    Ok(())
}

/// What an accepted socket carries through hibernation.
#[derive(Serialize, Deserialize)]
struct Attachment {
    /// Its account.
    account: String,
    /// When it connected (the object's clock, milliseconds).
    connected: i64,
    /// The start of its current flood window.
    window: i64,
    /// Messages in that window.
    count: u32,
}

/// The tag of an account's sockets.
fn tag(account: &str) -> String {
    format!("a:{account}")
}

/// The message every socket of a changed account gets: `{"type": "changed", "at"}`.
#[derive(Serialize)]
struct Changed {
    #[serde(rename = "type")]
    kind: &'static str,
    at: Timestamp,
}

fn changed_message(at: i64) -> String {
    let message = Changed {
        kind: "changed",
        at: Timestamp::from_unix_millis(at),
    };
    serde_json::to_string(&message).unwrap_or_default()
}

/// The one Durable Object of a store's live sockets.
#[durable_object(websocket)]
pub struct LiveChanges {
    state: worker::State,
}

fn header_millis(req: &Request, name: &str) -> Option<i64> {
    req.headers()
        .get(name)
        .ok()
        .flatten()
        .and_then(|v| v.parse::<i64>().ok())
}

fn now_millis() -> i64 {
    i64::try_from(worker::Date::now().as_millis()).unwrap_or(i64::MAX)
}

#[derive(Deserialize)]
struct LastChange {
    at: Option<f64>,
}

impl LiveChanges {
    fn sql(&self) -> worker::SqlStorage {
        self.state.storage().sql()
    }

    /// The last change of `account` or of the whole store, in milliseconds.
    fn last_change(&self, account: &str) -> worker::Result<Option<i64>> {
        let rows: Vec<LastChange> = self
            .sql()
            .exec(
                "SELECT max(at) AS at FROM changes WHERE account IN (?, '*')",
                vec![account.to_owned().into()],
            )?
            .to_array()?;
        #[expect(
            clippy::cast_possible_truncation,
            reason = "milliseconds since 1970 are whole and far below 2^53"
        )]
        Ok(rows.first().and_then(|r| r.at).map(|at| at as i64))
    }

    fn open_socket(&self, req: &Request) -> worker::Result<Response> {
        let Some(account) = req.headers().get("x-entitle-account")? else {
            return Response::error("no account", 400);
        };
        let now = header_millis(req, "x-entitle-now").unwrap_or_else(now_millis);
        let tag = tag(&account);
        // Refused before any upgrade; the worker answers 429 `too_many_sockets`.
        if self.state.get_websockets_with_tag(&tag).len() >= MAX_SOCKETS_PER_ACCOUNT {
            return Response::error("too many sockets", 429);
        }
        let pair = WebSocketPair::new()?;
        self.state
            .accept_websocket_with_tags(&pair.server, &[tag.as_str()]);
        let local = now_millis();
        pair.server.serialize_attachment(Attachment {
            account: account.clone(),
            connected: local,
            window: local,
            count: 0,
        })?;
        if let Some(since) = header_millis(req, "x-entitle-since") {
            let last = self.last_change(&account)?;
            let forgotten = since < now.saturating_sub(RETENTION_MS);
            match last {
                Some(at) if at >= since => pair.server.send_with_str(changed_message(at))?,
                _ if forgotten => pair.server.send_with_str(changed_message(now))?,
                _ => {}
            }
        }
        Response::from_websocket(pair.client)
    }

    async fn changed(&self, mut req: Request) -> worker::Result<Response> {
        let Ok(notice) = req.json::<Notice>().await else {
            return Response::error("not a notice", 400);
        };
        let sql = self.sql();
        let accounts: Vec<&str> = if notice.all {
            vec!["*"]
        } else {
            notice.accounts.iter().map(AccountId::as_str).collect()
        };
        let list = serde_json::to_string(&accounts)?;
        sql.exec(
            "INSERT INTO changes (account, at) SELECT value, ? FROM json_each(?) WHERE true \
             ON CONFLICT (account) DO UPDATE SET at = max(at, excluded.at)",
            vec![notice.at.into(), list.into()],
        )?;
        sql.exec(
            "DELETE FROM changes WHERE at < ?",
            vec![notice.at.saturating_sub(RETENTION_MS).into()],
        )?;
        let message = changed_message(notice.at);
        let sockets = if notice.all {
            self.state.get_websockets()
        } else {
            notice
                .accounts
                .iter()
                .flat_map(|a| self.state.get_websockets_with_tag(&tag(a.as_str())))
                .collect()
        };
        for socket in sockets {
            // A socket closing meanwhile is no error; it catches up when it reconnects.
            let _ = socket.send_with_str(&message);
        }
        Ok(Response::empty()?.with_status(204))
    }
}

impl DurableObject for LiveChanges {
    fn new(state: worker::State, _env: Env) -> Self {
        let sql = state.storage().sql();
        let created = sql.exec(
            "CREATE TABLE IF NOT EXISTS changes (account TEXT PRIMARY KEY, at INTEGER NOT NULL)",
            None::<Vec<worker::SqlStorageValue>>,
        );
        if let Err(error) = created {
            worker::console_error!("live: the changes table was not created: {error}");
        }
        if let Ok(pair) = worker::WebSocketRequestResponsePair::new("ping", "pong") {
            state.set_websocket_auto_response(&pair);
        }
        Self { state }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        match (req.method(), req.path().as_str()) {
            (Method::Get, "/connect") => self.open_socket(&req),
            (Method::Post, "/changed") => self.changed(req).await,
            _ => Response::error("not found", 404),
        }
    }

    async fn websocket_message(
        &self,
        ws: WebSocket,
        message: WebSocketIncomingMessage,
    ) -> worker::Result<()> {
        let size = match &message {
            WebSocketIncomingMessage::String(text) => text.len(),
            WebSocketIncomingMessage::Binary(bytes) => bytes.len(),
        };
        if size > MAX_MESSAGE {
            let _ = ws.close(Some(1009), Some("message too long"));
            return Ok(());
        }
        let Some(mut attachment) = ws.deserialize_attachment::<Attachment>()? else {
            let _ = ws.close(Some(1011), Some("unknown socket"));
            return Ok(());
        };
        let now = now_millis();
        if now.saturating_sub(attachment.window) >= FLOOD_WINDOW_MS {
            attachment.window = now;
            attachment.count = 0;
        }
        attachment.count = attachment.count.saturating_add(1);
        if attachment.count > FLOOD_MESSAGES {
            let _ = ws.close(Some(1008), Some("too many messages"));
            return Ok(());
        }
        ws.serialize_attachment(attachment)?;
        Ok(())
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        code: usize,
        _reason: String,
        _was_clean: bool,
    ) -> worker::Result<()> {
        // Complete the closing handshake; 1005 and 1006 are never sent, so answer 1000 then.
        let code = u16::try_from(code)
            .ok()
            .filter(|c| (1000..=4999).contains(c) && !matches!(c, 1005 | 1006 | 1015))
            .unwrap_or(1000);
        let _ = ws.close(Some(code), Some("closed"));
        Ok(())
    }

    async fn websocket_error(&self, ws: WebSocket, _error: worker::Error) -> worker::Result<()> {
        let _ = ws.close(Some(1011), Some("error"));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_the_url_are_recognized_by_name_or_by_form() {
        let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJlc2lnbmF0dXJl";
        for (name, value, credential) in [
            ("token", "x", true),
            ("access_token", "x", true),
            ("Authorization", "Bearer x", true),
            ("t", token, true),
            ("x", "sk_demo_local_only", true),
            ("p", "entitle.abc", true),
            ("since", "2026-05-01T10:00:00.000Z", false),
            ("since", "a.b.c", false),
        ] {
            assert_eq!(is_credential(name, value), credential, "{name}={value}");
        }
    }

    #[test]
    fn a_notice_reads_as_it_was_written() {
        let notice = Notice {
            accounts: [AccountId::new("a").unwrap()].into_iter().collect(),
            all: false,
            at: 1_777_777_777_000,
        };
        let text = serde_json::to_string(&notice).unwrap();
        assert_eq!(text, r#"{"accounts":["a"],"all":false,"at":1777777777000}"#);
        assert_eq!(serde_json::from_str::<Notice>(&text).unwrap(), notice);
        assert_eq!(
            changed_message(1_777_777_777_000),
            r#"{"type":"changed","at":"2026-05-03T03:09:37.000Z"}"#
        );
    }
}
