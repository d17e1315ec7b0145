//! HTTP plumbing: problem+json errors (RFC 9457) with stable codes, JSON bodies with a size
//! limit and no unknown fields, JSON responses. The one place that maps errors to statuses.

use crate::errors::{CodeName, Transport};
use entitle_rules::{CommandError, ErrorCode, ErrorKind};
use serde::Serialize;
use serde::de::DeserializeOwned;
use worker::{Headers, Request, Response};

/// The largest request body accepted, in bytes.
pub const MAX_BODY: usize = 64 * 1024;

/// How long a client waits before retrying a 503 (`database_unavailable`), in seconds.
pub const RETRY_AFTER_SECONDS: u32 = 1;

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
            response
                .headers_mut()
                .set("retry-after", &RETRY_AFTER_SECONDS.to_string())?;
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

    /// The problem body an error is answered with, parsed.
    fn problem(error: ApiError, request_id: &str) -> serde_json::Value {
        let stored = error.into_stored(request_id).expect("a problem body");
        assert_eq!(
            stored.content_type.as_deref(),
            Some("application/problem+json")
        );
        serde_json::from_str(stored.body.as_deref().expect("a body")).expect("JSON")
    }

    #[test]
    fn a_problem_names_its_code_status_title_reference_and_request() {
        let body = problem(
            ApiError::transport(Transport::InvalidLimit, "`limit` is 0"),
            "req-1",
        );
        assert_eq!(
            body,
            serde_json::json!({
                "type": "/v1/errors#invalid_limit",
                "title": "Bad Request",
                "status": 400,
                "detail": "`limit` is 0",
                "code": "invalid_limit",
                "requestId": "req-1",
            })
        );
    }

    #[test]
    fn a_problem_about_one_imported_record_says_which() {
        let body = problem(
            ApiError::rules(ErrorCode::InvalidName, "a name of nothing").at("licenses", 7),
            "req-2",
        );
        assert_eq!(body["list"], "licenses");
        assert_eq!(body["index"], 7);
        assert_eq!(body["status"], 422);
        assert_eq!(body["code"], "invalid_name");
    }

    #[test]
    fn every_code_answers_its_own_status_with_that_status_title() {
        let mut seen = 0;
        for (code, _) in crate::errors::every_code() {
            let status = code.status();
            let body = problem(ApiError::with_code(status, code.code(), "x"), "r");
            assert_eq!(body["status"], status, "{}", code.code());
            assert_eq!(body["code"], code.code());
            let server_error = body["title"] == "Internal Server Error";
            assert_eq!(
                server_error,
                status == 500,
                "{}: {}",
                code.code(),
                body["title"]
            );
            seen += 1;
        }
        assert_eq!(seen, crate::errors::tests::CODE_COUNT);
    }

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
