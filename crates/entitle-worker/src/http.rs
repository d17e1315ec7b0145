//! HTTP plumbing: problem+json errors (RFC 9457) with stable codes, JSON bodies with a size
//! limit and no unknown fields, JSON responses. The one place that maps errors to statuses.

use entitle_rules::{CommandError, ErrorCode, ErrorKind};
use serde::Serialize;
use serde::de::DeserializeOwned;
use worker::{Headers, Request, Response};

/// The largest request body accepted, in bytes.
pub const MAX_BODY: usize = 64 * 1024;

macro_rules! transport_errors {
    ($($variant:ident = $code:literal, $status:literal: $meaning:literal => $help:literal;)*) => {
        /// An error of the HTTP layer (routing, credentials, bodies, queries, limits): the
        /// registry beside the rules' [`ErrorCode`], with its status and its documentation.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Transport {
            $(#[doc = $meaning] $variant,)*
        }

        impl Transport {
            /// Every transport error.
            pub const ALL: &'static [Transport] = &[$(Transport::$variant,)*];

            /// The stable code.
            pub fn code(self) -> &'static str {
                match self { $(Transport::$variant => $code,)* }
            }

            /// The HTTP status.
            pub fn status(self) -> u16 {
                match self { $(Transport::$variant => $status,)* }
            }

            /// What it means, for the error reference.
            pub fn meaning(self) -> &'static str {
                match self { $(Transport::$variant => $meaning,)* }
            }

            /// What the caller should do, for the error reference.
            pub fn help(self) -> &'static str {
                match self { $(Transport::$variant => $help,)* }
            }
        }
    };
}

transport_errors! {
    RouteNotFound = "route_not_found", 404: "No route has this path." => "Check the path against the OpenAPI document.";
    MethodNotAllowed = "method_not_allowed", 405: "The path is served, but not with this method." => "Use a method from the `Allow` header.";
    MissingCredentials = "missing_credentials", 401: "The request has no `Authorization` header." => "Send `Authorization: Bearer <store key or session token>`.";
    MalformedCredentials = "malformed_credentials", 401: "The `Authorization` header is not `Bearer <token>`." => "Send `Authorization: Bearer <token>`.";
    InvalidStoreKey = "invalid_store_key", 401: "The store key is not one this deployment serves." => "Use the store key from the deployment's `STORE_KEYS`.";
    MalformedToken = "malformed_token", 401: "The bearer token is neither a store key nor a session token entitle issued." => "Ask the store's backend for a new session (`POST /v1/sessions`).";
    InvalidToken = "invalid_token", 401: "The session token's signature does not verify." => "Ask the store's backend for a new session.";
    TokenExpired = "token_expired", 401: "The session token has expired (sessions last one hour)." => "Ask the store's backend for a new session.";
    StoreNotConfigured = "store_not_configured", 401: "The session's store is no longer served by this deployment." => "Ask the store's backend for a new session.";
    StoreKeyRequired = "store_key_required", 403: "The route is for the store's backend, and a session token was sent." => "Call it from the backend with the store key.";
    SessionRequired = "session_required", 403: "The route acts for an account, and the store key was sent." => "Create a session for the account and send its token.";
    UnsupportedMediaType = "unsupported_media_type", 415: "The body is not declared as JSON." => "Send `Content-Type: application/json`.";
    BodyTooLarge = "body_too_large", 413: "The body is larger than the route accepts (64 KiB; 2 MiB for bulk imports)." => "Send a smaller body; split bulk imports.";
    UnreadableBody = "unreadable_body", 400: "The request body could not be read." => "Send the body again.";
    MissingBody = "missing_body", 400: "The route needs a JSON body and none was sent." => "Send the body the OpenAPI document gives for the route.";
    MalformedJson = "malformed_json", 400: "The body is not valid JSON." => "Send valid JSON.";
    InvalidBody = "invalid_body", 400: "The body is JSON but not of the route's shape: a field is missing, unknown or of the wrong type." => "Compare the body with the route's schema; the detail names the field.";
    InvalidLimit = "invalid_limit", 400: "`limit` is not a whole number from 1 to 1000." => "Send a `limit` from 1 to 1000, or none for 100.";
    InvalidCursor = "invalid_cursor", 400: "`after` is not a cursor this list gave." => "Pass the `nextCursor` of the previous page unchanged.";
    InvalidQuery = "invalid_query", 400: "The query string has a parameter the route does not take." => "Send only the query parameters the OpenAPI document gives for the route.";
    InvalidResource = "invalid_resource", 400: "A `resource` parameter is not `<type>:<id>`." => "Send `resource=project:<id>` and the like.";
    TooManyResources = "too_many_resources", 400: "A scoped snapshot names more than 50 resources." => "Ask for at most 50 resources at a time.";
    InvalidTestClock = "invalid_test_clock", 400: "The test clock header is not an RFC 3339 instant (local test deployments only)." => "Send an instant such as `2026-11-21T09:30:00.000Z`.";
    InvalidId = "invalid_id", 404: "An id is not a valid id: 1 to 128 characters from `A-Z a-z 0-9 . _ : @ -`. In a path it names nothing (404); in a bulk import item it is refused (422)." => "Use ids of that alphabet.";
    UnknownAction = "unknown_action", 422: "The action is not one of the rules' actions." => "Use an action name from `ActionName`.";
    ActionResourceMismatch = "action_resource_mismatch", 422: "The action applies to another type of resource." => "Name a resource of the action's type (`project.view` takes a project).";
    ResourceTooLarge = "resource_too_large", 422: "The resource has more related records than one request reads (10,000)." => "Contact the store: the resource is larger than entitle serves in one request.";
    SnapshotTooLarge = "snapshot_too_large", 422: "The account sees more than 2,000 records, too many for one unscoped snapshot." => "Ask for the resources a page shows: `GET /v1/me/access?resource=<type>:<id>`.";
    TooManyRecords = "too_many_records", 422: "A bulk import carries more than 1,000 records." => "Split the import into batches of at most 1,000.";
    TooManyOrigins = "too_many_origins", 422: "The settings list more than 50 origins." => "List at most 50 origins.";
    InvalidOrigin = "invalid_origin", 422: "An origin is not `scheme://host[:port]` (https, or http for localhost), or is listed twice." => "List each origin once, as a browser sends it in `Origin`.";
    InvalidWebhookUrl = "invalid_webhook_url", 400: "The webhook URL is not an absolute `https` URL of at most 2048 characters without credentials or fragment." => "Register an `https://` URL of the store's backend.";
    HttpsRequired = "https_required", 400: "The webhook URL is `http`: endpoints are `https`, except `http://127.0.0.1` where the deployment's local configuration allows it (`WEBHOOK_LOCAL_HTTP`)." => "Register an `https://` URL; on a local setup, use `http://127.0.0.1:<port>`.";
    TooManyWebhooks = "too_many_webhooks", 422: "The store has 10 webhook endpoints already." => "Delete an endpoint first (`DELETE /v1/webhooks/{webhookId}`).";
    WebhookNotFound = "webhook_not_found", 404: "The store has no webhook endpoint with this id (it may have been deleted)." => "List the store's endpoints with `GET /v1/webhooks`.";
    WriteConflict = "conflict", 409: "Another change to the same records won while this one was written; the worker retries it before answering." => "Retry the request.";
    InvalidIdempotencyKey = "invalid_idempotency_key", 400: "The `Idempotency-Key` header is not 1 to 255 printable ASCII characters." => "Send a key such as a UUID, or no header.";
    IdempotencyKeyReused = "idempotency_key_reused", 422: "The `Idempotency-Key` was used within 24 hours for another request (method, path or body) by the same caller." => "Use a new key for a new request; reuse a key only to retry the very same request.";
    IdempotencyKeyInUse = "idempotency_key_in_use", 409: "A request with this `Idempotency-Key` is still running." => "Retry a moment later: the retry gets the first request's answer.";
    ConcurrentModification = "concurrent_modification", 409: "The records kept changing while the request ran, through every retry." => "Retry the request.";
    TokenInUrl = "token_in_url", 400: "A credential (a session token, a store key, or a parameter named for one) was sent in the URL, where logs, proxies and browser histories keep it." => "Send the session token as the WebSocket subprotocol `entitle.<token>` (or in `Authorization`), never in a URL; consider the token leaked and let it expire.";
    TooManySockets = "too_many_sockets", 429: "The account has 16 live sockets open in its store already." => "Close a socket (another tab's) before opening one more; `watch` retries with backoff.";
    UpgradeRequired = "upgrade_required", 426: "The route is a WebSocket, and the request did not ask to upgrade to one." => "Open it with a WebSocket client: `new WebSocket(url, [\"entitle.\" + token])`.";
    InternalError = "internal_error", 500: "The server failed to answer; the error was logged." => "Retry later; report it with the request id if it persists.";
    DatabaseUnavailable = "database_unavailable", 503: "The database did not answer (D1 was unreachable, overloaded or restarting); nothing was written, a batch being one transaction." => "Retry after the seconds of `Retry-After`, with the same `Idempotency-Key` on a POST.";
    DatabaseLimitExceeded = "database_limit_exceeded", 500: "The request needs more of the database than one request may use (D1's limits on statements per request, bound parameters, statement or value size); nothing was written, and the error was logged." => "Report it with the request id; meanwhile split a bulk import into smaller ones.";
    Misconfigured = "misconfigured", 500: "The deployment's configuration does not serve this store (such as `STORE_DATABASES` naming a binding that is not a D1 database); other stores are unaffected, and the error was logged." => "Report it with the request id to whoever runs the deployment.";
}

/// An error answered as `application/problem+json`.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// The stable code.
    pub code: &'static str,
    /// A sentence for people.
    pub detail: String,
    /// Where a bulk import failed: the list and the index of the record in it.
    pub place: Option<(&'static str, usize)>,
}

/// A problem (RFC 9457), as every error is answered (`application/problem+json`).
#[derive(Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Problem<'a> {
    /// A link to the code's line in the error reference (`GET /v1/errors`).
    #[serde(rename = "type")]
    #[schemars(extend("format" = "uri-reference"))]
    pub kind: String,
    /// The status's name.
    pub title: &'a str,
    /// The HTTP status.
    pub status: u16,
    /// A sentence for people; may change, never parse it.
    pub detail: &'a str,
    /// The stable code to act on.
    #[schemars(with = "CodeName")]
    pub code: &'a str,
    /// Where a bulk import failed: the list, such as `licenses`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list: Option<&'a str>,
    /// Where a bulk import failed: the record's index in its list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// The answer's `Request-Id`. A replayed answer (`Idempotent-Replayed: true`) keeps the id
    /// of the request that decided it.
    pub request_id: &'a str,
}

/// Every stable error code, for the document: the rules' and the transport's.
pub struct CodeName;

impl schemars::JsonSchema for CodeName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("ErrorCode")
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut codes: Vec<&str> = crate::openapi::every_code()
            .into_iter()
            .map(|(code, _)| code.code())
            .collect();
        // A denial may share its code with a rules error (`license_in_use`): list it once.
        codes.sort_unstable();
        codes.dedup();
        schemars::json_schema!({
            "type": "string",
            "enum": codes,
            "description": "A stable error code; `GET /v1/errors` explains each.",
        })
    }
}

impl ApiError {
    /// A transport error with a detail.
    pub fn transport(error: Transport, detail: impl Into<String>) -> Self {
        Self::with_code(error.status(), error.code(), detail)
    }

    /// A rules error with a detail, answered outside a command (such as an unknown id).
    pub fn rules(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::with_code(code.kind().status(), code.code(), detail)
    }

    fn with_code(status: u16, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            place: None,
        }
    }

    /// The same error answered with another status, as a bulk import item's errors are (422).
    #[must_use]
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// The same error, placed at a record of a bulk import.
    #[must_use]
    pub fn at(mut self, list: &'static str, index: usize) -> Self {
        self.place = Some((list, index));
        self
    }

    /// A server fault: the detail goes to the log, never to the caller.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        worker::console_error!("internal error: {detail}");
        Self::transport(
            Transport::InternalError,
            "the server failed to answer; the error was logged",
        )
    }

    /// The response: see [`ApiError::into_stored`]. A 503 says when to retry (`Retry-After`).
    pub fn into_response(self, request_id: &str) -> worker::Result<Response> {
        let unavailable = self.status == 503;
        let mut response = self.into_stored(request_id)?.into_response(false)?;
        if unavailable {
            response.headers_mut().set(
                "retry-after",
                &crate::store::db::RETRY_AFTER_SECONDS.to_string(),
            )?;
        }
        Ok(response)
    }

    /// The answer as it can be stored: a problem+json body that repeats the request's id as
    /// `requestId`.
    pub fn into_stored(self, request_id: &str) -> worker::Result<Stored> {
        let title = match self.status {
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            409 => "Conflict",
            410 => "Gone",
            413 => "Content Too Large",
            415 => "Unsupported Media Type",
            422 => "Unprocessable Content",
            426 => "Upgrade Required",
            429 => "Too Many Requests",
            503 => "Service Unavailable",
            _ => "Internal Server Error",
        };
        let problem = Problem {
            kind: format!("/v1/errors#{}", self.code),
            title,
            status: self.status,
            detail: &self.detail,
            code: self.code,
            list: self.place.map(|(list, _)| list),
            index: self.place.map(|(_, index)| index),
            request_id,
        };
        let body =
            serde_json::to_string(&problem).map_err(|e| worker::Error::RustError(e.to_string()))?;
        Ok(Stored {
            status: self.status,
            content_type: Some("application/problem+json".to_owned()),
            body: Some(body),
        })
    }
}

/// An answer as it can be stored: status, media type and body text. With an `Idempotency-Key`,
/// a command's answer is made before its batch commits and stored by that batch, and a retry
/// gets it again byte for byte.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    /// The HTTP status.
    pub status: u16,
    /// The `content-type`, if there is a body.
    pub content_type: Option<String>,
    /// The body text.
    pub body: Option<String>,
}

impl Stored {
    /// A JSON answer; none for `204 No Content`.
    pub fn json<T: Serialize>(status: u16, value: &T) -> Result<Self, ApiError> {
        if status == 204 {
            return Ok(Self {
                status,
                content_type: None,
                body: None,
            });
        }
        Ok(Self {
            status,
            content_type: Some("application/json".to_owned()),
            body: Some(serde_json::to_string(value).map_err(ApiError::internal)?),
        })
    }

    /// The response; a replay says so with `Idempotent-Replayed: true`.
    pub fn into_response(self, replayed: bool) -> worker::Result<Response> {
        let headers = Headers::new();
        if let Some(kind) = &self.content_type {
            headers.set("content-type", kind)?;
        }
        headers.set("cache-control", "no-store")?;
        if replayed {
            headers.set("idempotent-replayed", "true")?;
        }
        let response = match self.body {
            Some(body) => Response::from_bytes(body.into_bytes())?,
            None => Response::empty()?,
        };
        Ok(response.with_status(self.status).with_headers(headers))
    }
}

impl From<CommandError> for ApiError {
    fn from(error: CommandError) -> Self {
        let status = error.kind().status();
        if error.kind() == ErrorKind::Internal {
            return Self::internal(&error.detail);
        }
        Self::with_code(status, error.code(), error.detail)
    }
}

impl From<worker::Error> for ApiError {
    fn from(error: worker::Error) -> Self {
        Self::internal(error)
    }
}

/// Reads a JSON body: at most [`MAX_BODY`] bytes, JSON content type if one is given.
pub async fn body<T: DeserializeOwned>(req: &mut Request) -> Result<T, ApiError> {
    body_limited(req, MAX_BODY).await
}

/// Reads a JSON body of at most `limit` bytes, JSON content type if one is given.
pub async fn body_limited<T: DeserializeOwned>(
    req: &mut Request,
    limit: usize,
) -> Result<T, ApiError> {
    let kind = req.headers().get("content-type").ok().flatten();
    if kind.is_some_and(|k| !k.to_ascii_lowercase().starts_with("application/json")) {
        return Err(ApiError::transport(
            Transport::UnsupportedMediaType,
            "send the body as `application/json`",
        ));
    }
    if declared_length(req).is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let bytes = req.bytes().await.map_err(|_| {
        ApiError::transport(
            Transport::UnreadableBody,
            "the request body could not be read",
        )
    })?;
    if bytes.len() > limit {
        return Err(too_large(limit));
    }
    if bytes.is_empty() {
        return Err(ApiError::transport(
            Transport::MissingBody,
            "this request needs a JSON body",
        ));
    }
    let mut value = parse_json(&bytes)?;
    whole_numbers_as_integers(&mut value);
    serde_json::from_value(value).map_err(|e| {
        ApiError::transport(
            Transport::InvalidBody,
            format!("the body is not valid: {e}"),
        )
    })
}

/// Parses a body as JSON, refusing an object that names a key twice at any depth
/// (`invalid_body`): a gateway or a log that reads the first of two keys would see another
/// request than the one entitle runs, and `serde_json::Value` silently keeps the last.
pub fn parse_json(bytes: &[u8]) -> Result<serde_json::Value, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = serde::Deserialize::deserialize(&mut de).and_then(|Unique(value)| {
        de.end()?;
        Ok(value)
    });
    parsed.map_err(|e| {
        // Building a value fails on data only for a repeated key; anything else is syntax.
        if e.classify() == serde_json::error::Category::Data {
            ApiError::transport(
                Transport::InvalidBody,
                format!("the body is not valid: {e}"),
            )
        } else {
            ApiError::transport(
                Transport::MalformedJson,
                format!("the body is not valid: {e}"),
            )
        }
    })
}

/// A JSON value whose objects never repeat a key.
struct Unique(serde_json::Value);

impl<'de> serde::Deserialize<'de> for Unique {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(UniqueVisitor).map(Unique)
    }
}

struct UniqueVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        // JSON text has no NaN or infinity, so every parsed float is a number.
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Unique(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(items.into())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let Unique(value) = map.next_value()?;
            if fields.contains_key(&key) {
                return Err(serde::de::Error::custom(format_args!(
                    "the key `{key}` appears twice in one object"
                )));
            }
            fields.insert(key, value);
        }
        Ok(fields.into())
    }
}

/// Rewrites every number with no fraction (`2.0`, `2e0`) as the integer it is, as JSON Schema
/// counts it: a request the OpenAPI document calls valid is read as valid. Only numbers an
/// `f64` holds exactly (up to 2^53) are rewritten; a real fraction stays and is refused where
/// an integer is due.
fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) => {
            if let Some(whole) = n.as_f64().and_then(whole_number) {
                *n = whole.into();
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        serde_json::Value::Object(fields) => {
            fields.values_mut().for_each(whole_numbers_as_integers)
        }
        _ => {}
    }
}

/// `x` as an integer when it has no fraction and an `f64` holds it exactly.
fn whole_number(x: f64) -> Option<i64> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    #[expect(
        clippy::cast_possible_truncation,
        reason = "x is whole and within ±2^53, so the cast is exact"
    )]
    (x.fract() == 0.0 && x.abs() <= EXACT).then_some(x as i64)
}

/// A query parameter that must be a whole number (such as `limit`): `81`, or `81.0` as JSON
/// Schema counts integers. `None` for anything else, negative numbers included.
pub fn query_whole_number(text: &str) -> Option<u64> {
    text.parse::<u64>().ok().or_else(|| {
        let x = serde_json::from_str::<serde_json::Number>(text)
            .ok()?
            .as_f64()?;
        u64::try_from(whole_number(x)?).ok()
    })
}

/// The body length a request declares in `content-length`, if it declares one.
pub fn declared_length(req: &Request) -> Option<usize> {
    req.headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<usize>().ok())
}

fn too_large(limit: usize) -> ApiError {
    ApiError::transport(
        Transport::BodyTooLarge,
        format!("this request's body is limited to {limit} bytes"),
    )
}

/// A JSON response with a status.
pub fn json<T: Serialize>(status: u16, value: &T) -> Result<Response, ApiError> {
    let text = serde_json::to_string(value).map_err(ApiError::internal)?;
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "no-store")?;
    Ok(Response::from_bytes(text.into_bytes())?
        .with_status(status)
        .with_headers(headers))
}

/// The answer of a route without a body (`204 No Content`).
pub struct NoContent;

/// A Markdown document answered as text.
pub struct Markdown(pub &'static str);

/// What a handler answers: a body of its route's declared type, with headers. The route's
/// declaration gives the status.
pub struct Reply<T> {
    body: ReplyBody<T>,
    headers: Vec<(&'static str, String)>,
}

enum ReplyBody<T> {
    /// A value serialized as JSON.
    Json(T),
    /// JSON text as it is, such as the committed OpenAPI document.
    Text(&'static str, &'static str),
    /// `304 Not Modified`.
    NotModified,
    /// An answer stored for an idempotency key, with its own status; whether it is a replay.
    Stored(Stored, bool),
    /// A response made whole by the handler, such as a WebSocket's `101 Switching Protocols`.
    Raw(Response),
}

impl<T> Reply<T> {
    /// The answer with `value` as its body.
    pub fn new(value: T) -> Self {
        Self {
            body: ReplyBody::Json(value),
            headers: Vec::new(),
        }
    }

    /// `304 Not Modified`, for a request whose `If-None-Match` holds the current `ETag`.
    pub fn not_modified() -> Self {
        Self {
            body: ReplyBody::NotModified,
            headers: Vec::new(),
        }
    }

    /// An answer stored for an idempotency key: the first answer (`replayed` false), or a
    /// retry's replay of it. It keeps its own status (a stored refusal is a 4xx).
    pub fn stored(stored: Stored, replayed: bool) -> Self {
        Self {
            body: ReplyBody::Stored(stored, replayed),
            headers: Vec::new(),
        }
    }

    /// A response made whole by the handler (a WebSocket upgrade), with its own status.
    pub fn raw(response: Response) -> Self {
        Self {
            body: ReplyBody::Raw(response),
            headers: Vec::new(),
        }
    }

    /// The same answer with one more header.
    #[must_use]
    pub fn header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }
}

impl Reply<Markdown> {
    /// A Markdown document.
    pub fn markdown(text: Markdown) -> Self {
        Self {
            body: ReplyBody::Text("text/markdown; charset=utf-8", text.0),
            headers: Vec::new(),
        }
    }
}

impl<T: Serialize> Reply<T> {
    /// JSON text as it is, for a value kept serialized.
    pub fn json_text(text: &'static str) -> Self {
        Self {
            body: ReplyBody::Text("application/json", text),
            headers: Vec::new(),
        }
    }

    /// The response, with the route's `status`.
    pub fn into_response(self, status: u16) -> Result<Response, ApiError> {
        let mut response = match self.body {
            // A 204 has no body, whatever its type serializes to.
            ReplyBody::Json(_) if status == 204 => Response::empty()?.with_status(204),
            ReplyBody::Json(value) => json(status, &value)?,
            ReplyBody::Text(kind, text) => {
                let headers = Headers::new();
                headers.set("content-type", kind)?;
                Response::from_bytes(text.as_bytes().to_vec())?
                    .with_status(status)
                    .with_headers(headers)
            }
            ReplyBody::NotModified => Response::empty()?.with_status(304),
            ReplyBody::Stored(stored, replayed) => stored.into_response(replayed)?,
            ReplyBody::Raw(response) => response,
        };
        for (name, value) in self.headers {
            response.headers_mut().set(name, &value)?;
        }
        Ok(response)
    }
}

impl Serialize for NoContent {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_unit()
    }
}

impl Serialize for Markdown {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The code a body gets, or its value once parsed.
    fn check(body: &str, expected: Result<serde_json::Value, &str>) {
        let got = parse_json(body.as_bytes()).map(|mut v| {
            whole_numbers_as_integers(&mut v);
            v
        });
        match (got, expected) {
            (Ok(value), Ok(want)) => assert_eq!(value, want, "{body}"),
            (Err(e), Err(code)) => assert_eq!(e.code, code, "{body}: {}", e.detail),
            (got, want) => panic!("{body}: got {got:?}, want {want:?}"),
        }
    }

    /// Issue 20, finding 1: a repeated key at any depth is refused, never resolved to the last.
    #[test]
    fn a_key_named_twice_at_any_depth_is_an_invalid_body() {
        check(r#"{"name":"a","name":"b"}"#, Err("invalid_body"));
        check(r#"{"a":{"b":1,"b":1}}"#, Err("invalid_body"));
        check(r#"{"lists":[{"x":1},{"y":2,"y":3}]}"#, Err("invalid_body"));
        check(r#"[[[{"k":null,"k":null}]]]"#, Err("invalid_body"));
        // Keys that differ only once unescaped are the same key.
        check(r#"{"name":"a","n\u0061me":"b"}"#, Err("invalid_body"));
    }

    #[test]
    fn distinct_keys_and_whole_numbers_read_as_before() {
        check(
            r#"{"quantity":2.0,"n":2e0,"f":1.5,"big":18446744073709551615,"o":{"a":[1,{"b":true}]}}"#,
            Ok(
                serde_json::json!({"quantity":2,"n":2,"f":1.5,"big":18446744073709551615_u64,"o":{"a":[1,{"b":true}]}}),
            ),
        );
        check(r#"{"a":1,"A":2}"#, Ok(serde_json::json!({"a":1,"A":2})));
    }

    #[test]
    fn text_that_is_not_json_is_malformed() {
        check(r#"{"a":1"#, Err("malformed_json"));
        check(r#"{"a":1} {"#, Err("malformed_json"));
        check("nul", Err("malformed_json"));
    }
}
