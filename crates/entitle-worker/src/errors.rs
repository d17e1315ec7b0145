//! The registry of every error code the API answers: the transport's (routing, credentials,
//! bodies, queries, limits, the database), declared here with status, meaning and help, and the
//! rules' (`entitle_rules::ErrorCode`). Below `http` (which answers them as problem bodies) and
//! `openapi` (which documents them), so both read one list.

use entitle_rules::ErrorCode;
use entitle_rules::decision::Reason;

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

/// An error code a route may answer: from the rules' registry or the transport's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// A rules error (a denial or a broken rule).
    Rules(ErrorCode),
    /// A transport error.
    Transport(Transport),
    /// A rules error about one record of a bulk import: always 422.
    Record(ErrorCode),
    /// A transport error about one record of a bulk import: always 422.
    RecordTransport(Transport),
}

/// The same code, about one record of a bulk import (422 whatever its usual status).
pub fn record(code: impl Into<Code>) -> Code {
    match code.into() {
        Code::Rules(code) | Code::Record(code) => Code::Record(code),
        Code::Transport(error) | Code::RecordTransport(error) => Code::RecordTransport(error),
    }
}

impl Code {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Code::Rules(code) | Code::Record(code) => code.code(),
            Code::Transport(error) | Code::RecordTransport(error) => error.code(),
        }
    }

    /// The HTTP status.
    pub fn status(self) -> u16 {
        match self {
            Code::Rules(code) => code.kind().status(),
            Code::Transport(error) => error.status(),
            Code::Record(_) | Code::RecordTransport(_) => 422,
        }
    }
}

impl From<ErrorCode> for Code {
    fn from(code: ErrorCode) -> Self {
        Code::Rules(code)
    }
}

impl From<Transport> for Code {
    fn from(error: Transport) -> Self {
        Code::Transport(error)
    }
}

/// The reasons that only ever allow: they are never an error code.
const GRANTS: &[Reason] = &[
    Reason::Owner,
    Reason::ContractDelegate,
    Reason::ShareRecipient,
    Reason::CompanyAdmin,
    Reason::LicenseReseller,
    Reason::ProjectOwner,
    Reason::SelfAccount,
    Reason::AccountManager,
    Reason::BillingAccount,
];

/// Every error code the API may answer, with what it means and what to do: the transport's,
/// the rules' fixed codes, and the rules' denials.
pub fn every_code() -> Vec<(Code, (&'static str, &'static str))> {
    let transport = Transport::ALL
        .iter()
        .map(|&t| (Code::Transport(t), (t.meaning(), t.help())));
    let rules = ErrorCode::FIXED
        .iter()
        .copied()
        .chain(
            Reason::ALL
                .iter()
                .filter(|r| !GRANTS.contains(r))
                .map(|&r| ErrorCode::Denied(r)),
        )
        .map(|c| (Code::Rules(c), (c.meaning(), c.help())));
    let mut all: Vec<_> = transport.chain(rules).collect();
    all.sort_by_key(|(code, _)| (code.code(), code.status()));
    all.dedup_by_key(|(code, _)| (code.code(), code.status()));
    all
}

/// Every stable error code, for the document: the rules' and the transport's.
pub struct CodeName;

impl schemars::JsonSchema for CodeName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("ErrorCode")
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut codes: Vec<&str> = every_code()
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// How many (code, status) pairs the API may answer: a code added or removed changes it on
    /// purpose, so a test over every code cannot pass having seen none.
    pub const CODE_COUNT: usize = 121;

    #[test]
    fn every_code_is_listed_once_with_a_status_meaning_and_help() {
        let all = every_code();
        assert_eq!(all.len(), CODE_COUNT);
        let mut pairs = BTreeSet::new();
        for (code, (meaning, help)) in &all {
            let name = code.code();
            assert!(
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{name}"
            );
            assert!((400..=503).contains(&code.status()), "{name}");
            assert!(!meaning.is_empty() && !help.is_empty(), "{name}");
            assert!(pairs.insert((name, code.status())), "{name} twice");
        }
    }

    #[test]
    fn transport_codes_are_distinct_and_never_a_rules_code() {
        let transport: BTreeSet<_> = Transport::ALL.iter().map(|t| t.code()).collect();
        assert_eq!(transport.len(), Transport::ALL.len());
        for code in ErrorCode::FIXED {
            assert!(!transport.contains(code.code()), "{}", code.code());
        }
    }

    #[test]
    fn a_code_about_one_imported_record_is_422_whatever_its_status() {
        assert_eq!(record(Transport::InvalidId).status(), 422);
        assert_eq!(Code::from(Transport::InvalidId).status(), 404);
        assert_eq!(record(ErrorCode::InvalidName).code(), "invalid_name");
        assert_eq!(
            record(record(Transport::InvalidBody)),
            record(Transport::InvalidBody)
        );
    }
}
