//! The OpenAPI document and the error reference, generated from the code so they cannot
//! drift: paths from the route table (`crate::routes`), schemas from the Rust types the worker
//! serializes and parses (`schemars`, reading their serde attributes), error codes from the
//! rules' registry and the transport's. `cargo run -p entitle-worker --bin openapi` writes
//! `openapi.json` and `docs/errors.md`; a test fails when the committed files differ.

use crate::auth::CallerKind;
use crate::errors::{Code, Transport, every_code};
use crate::http::Problem;
use crate::routes::{ROUTES, Route};
use entitle_rules::ErrorCode;
use entitle_rules::decision::Reason;
use schemars::generate::SchemaSettings;
use schemars::{Schema, SchemaGenerator};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The error reference, `docs/errors.md`: one line per code, with every status a route
/// answers it with.
pub fn error_reference() -> String {
    let mut statuses: BTreeMap<&str, BTreeSet<u16>> = BTreeMap::new();
    for route in ROUTES {
        for (status, codes) in route_errors(route) {
            for code in codes {
                statuses.entry(code.code()).or_default().insert(status);
            }
        }
    }
    let mut text = String::from(
        "# Error codes\n\n\
         Every error is answered as `application/problem+json` with a stable `code` (act on it) and a\n\
         `detail` for people (never parse it). Each problem's `type` links to its line here. Generated\n\
         from the code by `cargo run -p entitle-worker --bin openapi`; do not edit.\n\n\
         | Code | Status | Meaning | What to do |\n\
         |---|---|---|---|\n",
    );
    let mut seen = BTreeSet::new();
    for (code, (meaning, help)) in every_code() {
        let name = code.code();
        if !seen.insert(name) {
            continue;
        }
        let status: Vec<String> = statuses
            .get(name)
            .map(|s| s.iter().map(u16::to_string).collect())
            .unwrap_or_else(|| vec![code.status().to_string()]);
        text.push_str(&format!(
            "| <a id=\"{name}\"></a>`{name}` | {} | {} | {} |\n",
            status.join(", "),
            meaning.replace('|', "\\|"),
            help.replace('|', "\\|"),
        ));
    }
    text
}

/// The errors every route of a caller kind may answer.
fn caller_errors(kind: CallerKind) -> Vec<Code> {
    use Transport as T;
    let list: &[Transport] = match kind {
        CallerKind::Public | CallerKind::Demo => &[],
        CallerKind::Store => &[
            T::MissingCredentials,
            T::MalformedCredentials,
            T::InvalidStoreKey,
            T::StoreKeyRequired,
            T::ResourceTooLarge,
        ],
        CallerKind::Session => &[
            T::MissingCredentials,
            T::MalformedCredentials,
            T::MalformedToken,
            T::InvalidToken,
            T::TokenExpired,
            T::StoreNotConfigured,
            T::SessionRequired,
            T::ResourceTooLarge,
        ],
    };
    list.iter().map(|&t| Code::Transport(t)).collect()
}

/// All the errors a route may answer, by status.
fn route_errors(route: &Route) -> BTreeMap<u16, Vec<Code>> {
    use Transport as T;
    let mut codes = caller_errors(route.caller);
    codes.push(Code::Transport(T::InternalError));
    codes.push(Code::Transport(T::InvalidTestClock));
    // Every route of a store or a session reads the store's database.
    if route.caller != CallerKind::Public {
        for t in [
            T::DatabaseUnavailable,
            T::DatabaseLimitExceeded,
            T::Misconfigured,
        ] {
            codes.push(Code::Transport(t));
        }
    }
    if route.body.is_some() {
        for t in [
            T::UnsupportedMediaType,
            T::BodyTooLarge,
            T::UnreadableBody,
            T::MissingBody,
            T::MalformedJson,
            T::InvalidBody,
        ] {
            codes.push(Code::Transport(t));
        }
    }
    if let Some((_, errors)) = route.query {
        codes.extend(errors.iter().map(|&t| Code::Transport(t)));
    }
    let writes = route.method != "GET"
        && matches!(route.caller, CallerKind::Store | CallerKind::Session)
        && !route.pattern.ends_with("/authorize");
    if writes {
        codes.push(Code::Transport(T::ConcurrentModification));
    }
    if route.method == "POST" {
        codes.push(Code::Transport(T::InvalidIdempotencyKey));
    }
    if stores_answers(route) {
        codes.push(Code::Transport(T::IdempotencyKeyReused));
        codes.push(Code::Transport(T::IdempotencyKeyInUse));
    }
    if route.caller == CallerKind::Session && route.method != "GET" {
        codes.push(Code::Rules(ErrorCode::UnknownActor));
        codes.push(Code::Rules(ErrorCode::Denied(Reason::UnknownActor)));
    }
    codes.extend((route.errors)());
    let mut by_status: BTreeMap<u16, Vec<Code>> = BTreeMap::new();
    for code in codes {
        let list = by_status.entry(code.status()).or_default();
        if !list.iter().any(|c| c.code() == code.code()) {
            list.push(code);
        }
    }
    by_status
}

/// Whether a route stores its answers for idempotency keys: every POST that runs a command
/// (`handlers::run`). The others (`/v1/sessions`, `/v1/demo/sessions`, `/v1/authorize`) write
/// nothing; they check the key's form and answer afresh each time.
fn stores_answers(route: &Route) -> bool {
    route.method == "POST"
        && matches!(route.caller, CallerKind::Store | CallerKind::Session)
        && !route.pattern.ends_with("/authorize")
        && route.pattern != "/v1/sessions"
}

/// The `Idempotency-Key` parameter of a POST.
fn idempotency_parameter(route: &Route) -> Value {
    let mut parameter = json!({ "$ref": "#/components/parameters/IdempotencyKey" });
    if !stores_answers(route)
        && let Some(p) = parameter.as_object_mut()
    {
        p.insert(
            "description".into(),
            "Checked (400 `invalid_idempotency_key`), never stored: this POST writes nothing and is answered afresh each time, so a decision or a token is never replayed.".into(),
        );
    }
    parameter
}

/// The headers of an answer: `Request-Id` and `Server-Timing` always, `Retry-After` on a 503,
/// `Idempotent-Replayed` on the answers a route stores for idempotency keys (its success and the
/// rules' refusals).
fn answer_headers(route: &Route, status: u16) -> Map<String, Value> {
    let mut headers = Map::new();
    headers.insert(
        "Request-Id".into(),
        json!({ "$ref": "#/components/headers/RequestId" }),
    );
    headers.insert(
        "Server-Timing".into(),
        json!({ "$ref": "#/components/headers/ServerTiming" }),
    );
    if status == 503 {
        headers.insert(
            "Retry-After".into(),
            json!({ "$ref": "#/components/headers/RetryAfter" }),
        );
    }
    if stores_answers(route) && (status < 300 || [403, 404, 409, 410, 422].contains(&status)) {
        headers.insert(
            "Idempotent-Replayed".into(),
            json!({ "$ref": "#/components/headers/IdempotentReplayed" }),
        );
    }
    headers
}

fn generator(deserialize: bool) -> SchemaGenerator {
    let settings = SchemaSettings::draft2020_12().with(|s| {
        s.definitions_path = "#/components/schemas/".into();
        s.meta_schema = None;
    });
    if deserialize {
        settings.for_deserialize().into_generator()
    } else {
        settings.for_serialize().into_generator()
    }
}

/// Rewrites every `$ref` to a renamed definition.
fn rename_refs(value: &mut Value, renamed: &BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get_mut("$ref")
                && let Some(name) = target.strip_prefix("#/components/schemas/")
                && let Some(new) = renamed.get(name)
            {
                *target = format!("#/components/schemas/{new}");
            }
            for v in map.values_mut() {
                rename_refs(v, renamed);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename_refs(v, renamed)),
        _ => {}
    }
}

/// Gives every unsigned integer schema its largest value: schemars states the format
/// (`uint32`) and the minimum, and a client must not send more than the type holds.
fn bound_integers(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let maximum: Option<u64> = match map.get("format").and_then(Value::as_str) {
                Some("uint16") => Some(u64::from(u16::MAX)),
                Some("uint32") => Some(u64::from(u32::MAX)),
                // `usize` on wasm32, where the worker runs.
                Some("uint") => Some(u64::from(u32::MAX)),
                _ => None,
            };
            if let Some(maximum) = maximum {
                map.entry("maximum").or_insert_with(|| maximum.into());
            }
            map.values_mut().for_each(bound_integers);
        }
        Value::Array(items) => items.iter_mut().for_each(bound_integers),
        _ => {}
    }
}

fn path_parameter(name: &str) -> Value {
    let schema = if name == "token" {
        json!({ "type": "string", "minLength": 1, "maxLength": 256 })
    } else {
        json!({
            "type": "string",
            "minLength": 1,
            "maxLength": entitle_rules::ids::MAX_ID_LEN,
            "pattern": entitle_rules::ids::ID_PATTERN,
        })
    };
    json!({ "name": name, "in": "path", "required": true, "schema": schema })
}

/// The query parameters of an object schema: one per property.
fn query_parameters(schema: &Schema) -> Vec<Value> {
    let value = schema.as_value();
    let required: Vec<&str> = value
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = value.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    properties
        .iter()
        .map(|(name, property)| {
            let mut property = property.clone();
            let description = property
                .as_object_mut()
                .and_then(|p| p.remove("description"));
            let mut parameter = json!({
                "name": name,
                "in": "query",
                "required": required.contains(&name.as_str()),
                "schema": property,
            });
            if let (Some(d), Some(p)) = (description, parameter.as_object_mut()) {
                p.insert("description".into(), d);
            }
            parameter
        })
        .collect()
}

fn problem_response(codes: &[Code]) -> Value {
    let names: Vec<&str> = codes.iter().map(|c| c.code()).collect();
    let listed: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    json!({
        "description": format!("Error: {}", listed.join(", ")),
        "content": { "application/problem+json": { "schema": {
            "allOf": [
                { "$ref": "#/components/schemas/Problem" },
                { "properties": { "code": { "enum": names } } },
            ],
        } } },
    })
}

fn operation(route: &Route, out: &mut SchemaGenerator, input: &mut SchemaGenerator) -> Value {
    let mut op = Map::new();
    op.insert("operationId".into(), route.operation.into());
    op.insert("tags".into(), json!([route.tag]));
    let summary = route.doc.first().map(|s| s.trim()).unwrap_or_default();
    op.insert("summary".into(), summary.into());
    // The doc comment's first line is the summary; the lines after it, the description.
    let description: Vec<&str> = route.doc.iter().skip(1).map(|s| s.trim()).collect();
    let description = description.join("\n").trim().to_owned();
    if !description.is_empty() {
        op.insert("description".into(), description.into());
    }
    let security = match route.caller {
        CallerKind::Public => json!([]),
        CallerKind::Demo => json!([]),
        CallerKind::Store => json!([{ "storeKey": [] }]),
        CallerKind::Session => json!([{ "session": [] }]),
    };
    op.insert("security".into(), security);
    let parameters = parameters(route, input);
    if !parameters.is_empty() {
        op.insert("parameters".into(), parameters.into());
    }
    if let Some(body) = route.body {
        op.insert(
            "requestBody".into(),
            json!({
                "required": true,
                "content": { "application/json": { "schema": body(input).to_value() } },
            }),
        );
    }
    op.insert("responses".into(), responses(route, out).into());
    op.into()
}

/// A route's parameters: its path's, its query's, `Idempotency-Key` on a POST, `If-None-Match`
/// where it answers with an `ETag`.
fn parameters(route: &Route, input: &mut SchemaGenerator) -> Vec<Value> {
    let mut parameters: Vec<Value> = route
        .pattern
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(path_parameter)
        .collect();
    if let Some((schema, _)) = route.query {
        let schema = schema(input);
        let schema = match schema.as_value().get("$ref").and_then(Value::as_str) {
            Some(target) => {
                let name = target.trim_start_matches("#/components/schemas/");
                let found = input.definitions().get(name).cloned();
                found
                    .and_then(|v| Schema::try_from(v).ok())
                    .unwrap_or(schema)
            }
            None => schema,
        };
        parameters.extend(query_parameters(&schema));
    }
    if route.method == "POST" {
        parameters.push(idempotency_parameter(route));
    }
    if route.etag {
        parameters.push(json!({
            "name": "If-None-Match",
            "in": "header",
            "required": false,
            "description": "The `ETag` of the snapshot the caller holds: 304 when it is still current.",
            "schema": { "type": "string" },
        }));
    }
    parameters
}

/// A route's answers: its success (with its `ETag` and 304 where it has one) and a problem per
/// error status, with the codes it may answer.
fn responses(route: &Route, out: &mut SchemaGenerator) -> Map<String, Value> {
    let mut responses = Map::new();
    let mut success = Map::new();
    success.insert("description".into(), summary_of_status(route.status).into());
    if let Some((media, schema)) = (route.answer)() {
        success.insert(
            "content".into(),
            json!({ media: { "schema": schema(out).to_value() } }),
        );
    }
    let mut headers = answer_headers(route, route.status);
    if route.etag {
        headers.insert(
            "ETag".into(),
            json!({
                "description": "The snapshot's version: send it back in `If-None-Match`.",
                "schema": { "type": "string" },
            }),
        );
    }
    success.insert("headers".into(), headers.into());
    responses.insert(route.status.to_string(), success.into());
    if route.etag {
        responses.insert(
            "304".into(),
            json!({
                "description": "Not modified: the snapshot in `If-None-Match` is current",
                "headers": {
                    "ETag": { "schema": { "type": "string" } },
                    "Request-Id": { "$ref": "#/components/headers/RequestId" },
                    "Server-Timing": { "$ref": "#/components/headers/ServerTiming" },
                },
            }),
        );
    }
    for (status, codes) in route_errors(route) {
        let mut response = problem_response(&codes);
        if let Some(r) = response.as_object_mut() {
            r.insert("headers".into(), answer_headers(route, status).into());
        }
        responses.insert(status.to_string(), response);
    }
    responses
}

fn summary_of_status(status: u16) -> &'static str {
    match status {
        101 => "Switching Protocols: the WebSocket is open",
        200 => "OK",
        201 => "Created",
        202 => "Accepted: the store carries it out",
        204 => "Done; no body",
        _ => "Success",
    }
}

const DESCRIPTION: &str = "Share, transfer and delegate what a store's customers bought. \
The contract stores code against is shared/API.md; this document is generated from the worker's \
route table and the Rust types it serializes, so it is exact.\n\n\
Errors are `application/problem+json` with a stable `code` (see `GET /v1/errors`).\n\n\
Lists page: `limit` (1 to 1000, default 100) and `after` (the previous page's `nextCursor`); \
`nextCursor` is `null` on the last page.\n\n\
Browsers: a store lists the origins its pages run on with `PUT /v1/settings`. A CORS preflight \
(`OPTIONS` with `Access-Control-Request-Method`) names no store, so it is answered 204 on any \
path for an origin that any store lists, with `Access-Control-Allow-Origin` (the exact origin), \
`Access-Control-Allow-Methods: GET, POST, PUT, PATCH, DELETE`, `Access-Control-Allow-Headers: \
Authorization, Content-Type, Idempotency-Key, If-None-Match`, `Access-Control-Max-Age: 7200` and \
`Vary: Origin`. Every actual answer (errors, 304 and problem+json included) carries `Vary: Origin`, \
and, when the caller's store lists the request's origin (or, before any store is known, as for \
bad credentials and unknown routes, when any store lists it), `Access-Control-Allow-Origin` with \
that origin and `Access-Control-Expose-Headers: ETag, Request-Id, Idempotent-Replayed, \
Retry-After, Location, Allow, Server-Timing` (and `Timing-Allow-Origin` with the origin, for the \
Resource Timing API). Other origins get no `Access-Control-*` header at all; \
credentials (cookies) are never allowed, the API uses bearer tokens. A plain `OPTIONS` on a \
served path answers 204 with `Allow`, and every 405 `method_not_allowed` carries `Allow` listing \
the methods served on that path.\n\n\
Request ids: every answer (preflights, 404, 405 and errors raised before routing included) carries \
a `Request-Id` header, fresh for each request and generated by the worker, and every \
problem+json body repeats it as `requestId`.\n\n\
Server-Timing: every answer (preflights, 404, 405 and errors included) carries `Server-Timing: \
d1;dur=<ms>;desc=\"<n> round trips, <m> statements\", total;dur=<ms>`: the milliseconds the worker \
waited on its database, how many round trips and statements it sent, and the time it took in all. \
Browsers show it in the network panel's Timing tab.\n\n\
Faults: a database that does not answer is 503 `database_unavailable` with `Retry-After` (nothing \
was written: a command's writes are one transaction); retry, with the same `Idempotency-Key` on \
a POST.\n\n\
Idempotency: every POST accepts an `Idempotency-Key` header (1 to 255 printable ASCII \
characters), scoped to the store and the caller (the store key, or one account's sessions). A \
retry with the same key and the same request (method, path and body) within 24 hours gets the \
first answer again, byte for byte, with `Idempotent-Replayed: true`, and changes nothing; the \
same key on another request is 422 `idempotency_key_reused`; a retry while the first request \
is still running is 409 `idempotency_key_in_use`. The answer is stored by the same transaction \
as the command's changes. Stored are the command's success and its refusal by the rules (403, \
404, 409, 410, 422 with the rules' code); answers given before the command runs (a malformed \
header or body, credentials) and 5xx are not, so the key stays free for a corrected request. A \
key whose first request died without answering is free again 60 seconds after it was claimed. \
POSTs that write nothing (`/v1/sessions`, `/v1/demo/sessions`, `/v1/authorize`) check the key's \
form and are answered afresh each time. Other methods ignore the header.";

const TAGS: &[(&str, &str)] = &[
    (
        "access",
        "Permission checks and the snapshot the npm package decides on",
    ),
    ("sharing", "Project sharing and order transfer (seed 000)"),
    ("resellers", "Reseller customers and licenses (seed 001)"),
    ("transfers", "License and project transfer (seed 002)"),
    ("delegates", "Contract delegates (seed 003)"),
    (
        "sessions",
        "Sessions the store's backend creates for its customers",
    ),
    (
        "imports",
        "Records the store imports, one by one or in bulk",
    ),
    ("events", "The store's event feed: the audit trail"),
    (
        "webhooks",
        "Signed delivery of the event feed to the store's endpoints",
    ),
    ("settings", "The store's settings"),
    ("meta", "This document and the error reference"),
    ("demo", "The local demo's sign-in and mailbox (local only)"),
];

/// The OpenAPI 3.1 document.
pub fn document() -> Value {
    let mut out = generator(false);
    let mut input = generator(true);
    out.subschema_for::<Problem<'_>>();
    let mut paths: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
    for route in ROUTES {
        let op = operation(route, &mut out, &mut input);
        paths
            .entry(route.pattern)
            .or_default()
            .insert(route.method.to_ascii_lowercase(), op);
    }
    let mut paths = serde_json::to_value(paths).unwrap_or_default();
    let mut schemas = schemas(out, input, &mut paths);
    schemas.values_mut().for_each(bound_integers);
    bound_integers(&mut paths);
    let tags: Vec<Value> = TAGS
        .iter()
        .map(|(name, description)| json!({ "name": name, "description": description }))
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "entitle",
            "version": env!("CARGO_PKG_VERSION"),
            "description": DESCRIPTION,
            "license": { "name": "Apache-2.0", "identifier": "Apache-2.0" },
        },
        "servers": [{ "url": "/", "description": "The deployment that serves this document" }],
        "tags": tags,
        "paths": paths,
        "components": components(schemas),
    })
}

/// The names of the routes' query schemas, as `generator` names them.
fn query_schema_names(generator: &mut SchemaGenerator) -> BTreeSet<String> {
    (ROUTES.iter())
        .filter_map(|route| route.query)
        .filter_map(|(schema, _)| {
            let schema = schema(generator);
            let target = schema.as_value().get("$ref")?.as_str()?;
            Some(
                target
                    .trim_start_matches("#/components/schemas/")
                    .to_owned(),
            )
        })
        .collect()
}

/// Every schema the operations name: the answers' (from the serializing side) and the
/// requests' (from the deserializing side, where defaults make fields optional); a type whose
/// two sides differ gets an `…Input` schema for requests, and the requests in `paths` are
/// pointed at it.
fn schemas(
    mut out: SchemaGenerator,
    mut input: SchemaGenerator,
    paths: &mut Value,
) -> BTreeMap<String, Value> {
    let queries = query_schema_names(&mut input);
    let mut schemas = out.take_definitions(true);
    let mut inputs = input.take_definitions(true);
    // A query's schema is spelled out as parameters; its definition would be unused.
    for query in &queries {
        inputs.remove(query);
    }
    let mut renamed = BTreeMap::new();
    for (name, schema) in &inputs {
        if schemas.get(name).is_some_and(|s| s != schema) {
            renamed.insert(name.clone(), format!("{name}Input"));
        }
    }
    let operations = (paths.as_object_mut().into_iter())
        .flat_map(|map| map.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|methods| methods.values_mut())
        .filter_map(Value::as_object_mut);
    for op in operations {
        for key in ["requestBody", "parameters"] {
            if let Some(v) = op.get_mut(key) {
                rename_refs(v, &renamed);
            }
        }
    }
    for (name, mut schema) in inputs {
        rename_refs(&mut schema, &renamed);
        let target = renamed.get(&name).cloned().unwrap_or(name);
        schemas.entry(target).or_insert(schema);
    }
    schemas.into_iter().collect()
}

/// The document's components: security schemes, schemas, shared parameters and headers.
fn components(schemas: BTreeMap<String, Value>) -> Value {
    json!({
        "securitySchemes": {
            "storeKey": {
                "type": "http",
                "scheme": "bearer",
                "description": "The store's secret key, for its backend only.",
            },
            "session": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "A session token from `POST /v1/sessions`, valid one hour, bound to one store and one account; refused once its store is no longer configured. Signed with `SESSION_SECRET`; during a rotation `SESSION_SECRET_PREVIOUS` still verifies older tokens but never signs.",
            },
        },
        "schemas": schemas,
        "parameters": {
            "IdempotencyKey": {
                "name": "Idempotency-Key",
                "in": "header",
                "required": false,
                "description": "A key the caller chooses to retry this request safely (see the document's description): the same key and request within 24 hours get the first answer again.",
                "schema": { "type": "string", "minLength": 1, "maxLength": crate::idempotency::MAX_KEY, "pattern": "^[ -~]+$" },
            },
        },
        "headers": {
            "RequestId": {
                "description": "The request's id (`req_` and 22 base64url characters), fresh for every request; problem+json bodies repeat it as `requestId`. Quote it when reporting a problem.",
                "schema": { "type": "string" },
            },
            "ServerTiming": {
                "description": "What the answer cost (W3C Server Timing): `d1;dur=<milliseconds waiting on the database>;desc=\"<n> round trips, <m> statements\", total;dur=<milliseconds>`.",
                "schema": { "type": "string", "pattern": "^d1;dur=[0-9]+;desc=\"[0-9]+ round trips, [0-9]+ statements\", total;dur=[0-9]+$" },
            },
            "RetryAfter": {
                "description": "Seconds to wait before retrying.",
                "schema": { "type": "string", "pattern": "^[0-9]+$" },
            },
            "IdempotentReplayed": {
                "description": "`true` on an answer replayed for a repeated `Idempotency-Key`; absent otherwise.",
                "schema": { "type": "string", "enum": ["true"] },
            },
        },
    })
}

/// The document as committed: pretty JSON with a final newline.
pub fn document_text() -> String {
    let mut text = serde_json::to_string_pretty(&document()).unwrap_or_default();
    text.push('\n');
    text
}
