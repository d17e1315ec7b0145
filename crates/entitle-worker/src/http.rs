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
}

impl ApiError {
    /// An error with a status, a code and a detail.
    pub fn new(status: u16, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
        }
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
        let body = serde_json::json!({
            "type": format!("urn:entitle:problem:{}", self.code),
            "title": title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        });
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
        Self {
            status,
            code: error.code(),
            detail: error.detail,
        }
    }
}

impl From<worker::Error> for ApiError {
    fn from(error: worker::Error) -> Self {
        Self::internal(error)
    }
}

/// Reads a JSON body: at most [`MAX_BODY`] bytes, JSON content type if one is given.
pub async fn body<T: DeserializeOwned>(req: &mut Request) -> Result<T, ApiError> {
    let kind = req.headers().get("content-type").ok().flatten();
    if kind.is_some_and(|k| !k.to_ascii_lowercase().starts_with("application/json")) {
        return Err(ApiError::new(
            415,
            "unsupported_media_type",
            "send the body as `application/json`",
        ));
    }
    let declared = req
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY) {
        return Err(too_large());
    }
    let bytes = req
        .bytes()
        .await
        .map_err(|_| ApiError::new(400, "unreadable_body", "the request body could not be read"))?;
    if bytes.len() > MAX_BODY {
        return Err(too_large());
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

fn too_large() -> ApiError {
    ApiError::new(
        413,
        "body_too_large",
        format!("request bodies are limited to {MAX_BODY} bytes"),
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
