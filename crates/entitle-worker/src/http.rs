//! HTTP plumbing: problem+json errors (RFC 9457) with stable codes, JSON bodies with a size
//! limit and no unknown fields, JSON responses. The one place that maps errors to statuses.

use entitle_rules::{CommandError, ErrorKind};
use serde::Serialize;
use serde::de::DeserializeOwned;
use worker::{Headers, Request, Response};

/// The largest request body accepted, in bytes.
pub const MAX_BODY: usize = 64 * 1024;

/// An error answered as `application/problem+json`.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// The stable code.
    pub code: &'static str,
    /// A sentence for people.
    pub detail: String,
    /// Extension members of the problem (RFC 9457), such as where a bulk import failed.
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

impl ApiError {
    /// An error with a status, a code and a detail.
    pub fn new(status: u16, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            extensions: serde_json::Map::new(),
        }
    }

    /// The same error with one more extension member.
    #[must_use]
    pub fn with(mut self, name: &str, value: serde_json::Value) -> Self {
        self.extensions.insert(name.to_owned(), value);
        self
    }

    /// A server fault: the detail goes to the log, never to the caller.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        worker::console_error!("internal error: {detail}");
        Self::new(
            500,
            "internal_error",
            "the server failed to answer; the error was logged",
        )
    }

    /// The response.
    pub fn into_response(self) -> worker::Result<Response> {
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
            _ => "Internal Server Error",
        };
        let mut body = self.extensions;
        body.insert(
            "type".into(),
            format!("urn:entitle:problem:{}", self.code).into(),
        );
        body.insert("title".into(), title.into());
        body.insert("status".into(), self.status.into());
        body.insert("detail".into(), self.detail.into());
        body.insert("code".into(), self.code.into());
        let body = serde_json::Value::Object(body);
        let headers = Headers::new();
        headers.set("content-type", "application/problem+json")?;
        headers.set("cache-control", "no-store")?;
        Ok(Response::from_bytes(body.to_string().into_bytes())?
            .with_status(self.status)
            .with_headers(headers))
    }
}

impl From<CommandError> for ApiError {
    fn from(error: CommandError) -> Self {
        let status = error.kind().status();
        if error.kind() == ErrorKind::Internal {
            return Self::internal(&error.detail);
        }
        Self::new(status, error.code(), error.detail)
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
        return Err(ApiError::new(
            415,
            "unsupported_media_type",
            "send the body as `application/json`",
        ));
    }
    if declared_length(req).is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let bytes = req
        .bytes()
        .await
        .map_err(|_| ApiError::new(400, "unreadable_body", "the request body could not be read"))?;
    if bytes.len() > limit {
        return Err(too_large(limit));
    }
    if bytes.is_empty() {
        return Err(ApiError::new(
            400,
            "missing_body",
            "this request needs a JSON body",
        ));
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        let code = if e.is_syntax() || e.is_eof() {
            "malformed_json"
        } else {
            "invalid_body"
        };
        ApiError::new(400, code, format!("the body is not valid: {e}"))
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
    ApiError::new(
        413,
        "body_too_large",
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

/// An empty `204 No Content`.
pub fn no_content() -> Result<Response, ApiError> {
    Ok(Response::empty()?.with_status(204))
}
