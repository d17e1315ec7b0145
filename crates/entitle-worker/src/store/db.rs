//! The one door to D1. Every statement the worker runs goes through a [`Db`]: the database of
//! one store (chosen by `STORE_DATABASES`, [`Db::of_store`]) or, for the cron, the queue consumer
//! and a CORS preflight, each database stores live on ([`Db::every`]). Nothing else in the crate
//! calls `Env::d1` or a `D1Database` method.
//!
//! A `Db` counts what one invocation (a request, a queue batch, a cron run) asks of D1 in its
//! [`Meter`]: round trips, statements, and the milliseconds spent waiting, which every answer
//! reports in `Server-Timing`. Where the configuration turns them on (`D1_LIMITS`, off by
//! default and in production, on in every test), it refuses before sending what D1 in production
//! refuses, with D1's own error text ([`Limits`]), so the local run is as strict as Cloudflare.
//! `D1_DELAY_MS` adds a fixed delay to every round trip, to measure what a distant database costs.

use crate::errors::Transport;
use crate::http::ApiError;
use entitle_rules::ids::StoreId;
use serde::de::DeserializeOwned;
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use worker::wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, D1Result, Env};

/// The binding of the database of every store `STORE_DATABASES` does not name.
pub const DEFAULT_BINDING: &str = "DB";

// D1's production limits, from Cloudflare's D1 limits page
// (https://developers.cloudflare.com/d1/platform/limits/): "Queries per Worker invocation (read
// subrequest limits): 1000 (Workers Paid) / 50 (Free)"; "Maximum bound parameters per query: 100";
// "Maximum SQL statement length: 100,000 bytes (100 KB)"; "Maximum string, BLOB or table row
// size: 2,000,000 bytes (2 MB)". Every statement of a batch counts as one query.

/// Statements one invocation may run on the Free plan.
pub const FREE_STATEMENTS: usize = 50;
/// Statements one invocation may run on the Paid plan.
pub const PAID_STATEMENTS: usize = 1_000;
/// Bound parameters one statement may have.
pub const MAX_PARAMS: usize = 100;
/// The longest SQL text of one statement, in bytes.
pub const MAX_SQL_BYTES: usize = 100_000;
/// The largest string or BLOB one statement may bind, in bytes.
pub const MAX_VALUE_BYTES: usize = 2_000_000;

// The texts D1 answers when a limit is passed. D1 prefixes SQLite's message with `D1_ERROR: `
// and ends it with SQLite's result code (D1 error list:
// https://developers.cloudflare.com/d1/observability/debug-d1/; "statement too long:
// SQLITE_TOOBIG" as quoted in cloudflare/workerd#3049; "D1_ERROR: too many SQL variables at
// offset N" as reported by D1 users hitting the 100 parameter limit). Past the queries of an
// invocation the Workers runtime throws "Too many API requests by single Worker invocation."
// for D1 as for its other bindings.

/// D1's error past the queries one invocation may run.
pub const TOO_MANY_QUERIES: &str = "Too many API requests by single Worker invocation.";
/// D1's error for a statement with more than [`MAX_PARAMS`] bound parameters (the offset follows).
pub const TOO_MANY_VARIABLES: &str = "D1_ERROR: too many SQL variables at offset";
/// D1's error for SQL text over [`MAX_SQL_BYTES`].
pub const STATEMENT_TOO_LONG: &str = "D1_ERROR: statement too long: SQLITE_TOOBIG";
/// D1's error for a bound value over [`MAX_VALUE_BYTES`].
pub const VALUE_TOO_BIG: &str = "D1_ERROR: string or blob too big: SQLITE_TOOBIG";

/// What of D1's production limits the wrapper enforces, and the delay it adds per round trip.
/// The default enforces nothing and adds nothing: production, where D1 itself enforces them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// The statements one invocation may run, when the limits are enforced (`D1_LIMITS`).
    statements: Option<usize>,
    /// Milliseconds waited before each round trip (`D1_DELAY_MS`).
    delay_ms: u32,
}

impl Limits {
    /// The limits of the configuration: `D1_LIMITS` is `off` (the default), `free` (50 statements
    /// an invocation), `paid` (1,000) or, to test the wrapper itself, a number of statements;
    /// `D1_DELAY_MS` a whole number of milliseconds, 0 by default.
    pub fn parse(limits: Option<&str>, delay_ms: Option<&str>) -> Result<Limits, String> {
        let statements = match limits.map(str::trim).unwrap_or("off") {
            "" | "off" => None,
            "free" => Some(FREE_STATEMENTS),
            "paid" => Some(PAID_STATEMENTS),
            other => Some(other.parse::<usize>().map_err(|_| {
                format!(
                    "D1_LIMITS is `{other}`: it is `off`, `free`, `paid` or a number of statements"
                )
            })?),
        };
        let delay_ms = match delay_ms.map(str::trim).unwrap_or("0") {
            "" | "off" => 0,
            text => text.parse::<u32>().map_err(|_| {
                format!("D1_DELAY_MS is `{text}`: it is a whole number of milliseconds")
            })?,
        };
        Ok(Limits {
            statements,
            delay_ms,
        })
    }

    fn read(env: &Env) -> Result<Limits, ApiError> {
        let var = |name: &str| env.var(name).ok().map(|v| v.to_string());
        Limits::parse(var("D1_LIMITS").as_deref(), var("D1_DELAY_MS").as_deref())
            .map_err(misconfigured)
    }

    /// Whether the limits are enforced.
    pub fn enforced(&self) -> bool {
        self.statements.is_some()
    }

    /// D1's refusal of one statement, if it passes a limit.
    pub fn refuse_statement(&self, shape: &Shape) -> Option<Refusal> {
        self.statements?;
        if shape.params > MAX_PARAMS {
            Some(Refusal::TooManyVariables)
        } else if shape.sql_bytes > MAX_SQL_BYTES {
            Some(Refusal::StatementTooLong)
        } else if shape.largest_value > MAX_VALUE_BYTES {
            Some(Refusal::ValueTooBig)
        } else {
            None
        }
    }

    /// D1's refusal of a round trip of `statements` statements after `run` statements ran in
    /// this invocation, if it passes the statements an invocation may run.
    pub fn refuse_round_trip(&self, run: usize, statements: usize) -> Option<Refusal> {
        let most = self.statements?;
        (run.saturating_add(statements) > most).then_some(Refusal::TooManyQueries)
    }
}

/// The size of one statement, as D1's limits count it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// The SQL text's length in bytes.
    pub sql_bytes: usize,
    /// How many parameters are bound.
    pub params: usize,
    /// The largest bound string, in UTF-8 bytes (0 when the limits are not enforced).
    pub largest_value: usize,
}

/// A limit of D1's that a statement or a round trip passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// More statements than one invocation may run.
    TooManyQueries,
    /// More than [`MAX_PARAMS`] bound parameters.
    TooManyVariables,
    /// SQL text over [`MAX_SQL_BYTES`].
    StatementTooLong,
    /// A bound value over [`MAX_VALUE_BYTES`].
    ValueTooBig,
}

impl Refusal {
    /// D1's error text for this refusal of a statement whose SQL is `sql`.
    pub fn message(self, sql: &str) -> String {
        match self {
            Refusal::TooManyQueries => TOO_MANY_QUERIES.to_owned(),
            Refusal::TooManyVariables => {
                format!("{TOO_MANY_VARIABLES} {}: SQLITE_ERROR", excess_offset(sql))
            }
            Refusal::StatementTooLong => STATEMENT_TOO_LONG.to_owned(),
            Refusal::ValueTooBig => VALUE_TOO_BIG.to_owned(),
        }
    }
}

/// Where SQLite stops reading `sql` for too many variables: the byte offset of the first
/// parameter past [`MAX_PARAMS`] (`?` numbered past it, or the one after the hundredth `?`),
/// the text's end when the statement binds more values than it names.
fn excess_offset(sql: &str) -> usize {
    let mut anonymous = 0_usize;
    let mut chars = sql.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c != '?' {
            continue;
        }
        let mut number = String::new();
        while let Some((_, d)) = chars.peek().filter(|(_, d)| d.is_ascii_digit()) {
            number.push(*d);
            chars.next();
        }
        let index = if number.is_empty() {
            anonymous = anonymous.saturating_add(1);
            anonymous
        } else {
            number.parse().unwrap_or(usize::MAX)
        };
        if index > MAX_PARAMS {
            return at;
        }
    }
    sql.len()
}

/// Whether D1's message `message` is its refusal for a limit, from the wrapper or from D1 in
/// production.
fn is_limit(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    [
        "too many api requests by single worker invocation",
        "too many sql variables",
        "sqlite_toobig",
    ]
    .iter()
    .any(|text| lower.contains(text))
}

/// What one invocation asked of D1: round trips, statements, milliseconds waited. Cheap to
/// clone; every clone counts into the same totals. Round trips are waits: concurrent ones (a
/// preflight asks every database at once) count once, as their wait does (the time any was in
/// flight); their statements all count.
///
/// It also carries the request's pending CORS question (is the cross-origin `Origin` listed
/// by the caller's store?), which the first round trip to the caller's database answers in
/// the same batch, so a cross-origin request costs no more round trips than a same-origin one.
#[derive(Clone, Debug, Default)]
pub struct Meter(Rc<Counts>);

#[derive(Debug, Default)]
struct Counts {
    round_trips: Cell<usize>,
    statements: Cell<usize>,
    waited_ms: Cell<u64>,
    in_flight: Cell<usize>,
    busy_since: Cell<u64>,
    /// The cross-origin `Origin` of the request, and what the stores asked so far answered.
    origin: std::cell::RefCell<Option<OriginQuestion>>,
    /// Whether the caller's store has webhook endpoints, when a write batch said so.
    endpoints: Cell<Option<bool>>,
}

/// A request's cross-origin `Origin`, and for each store asked whether it lists it.
type OriginQuestion = (String, Vec<(String, bool)>);

fn now_ms() -> u64 {
    worker::Date::now().as_millis()
}

impl Meter {
    /// A meter at zero, for a new invocation.
    pub fn new() -> Self {
        Self::default()
    }

    /// Round trips to D1 so far.
    pub fn round_trips(&self) -> usize {
        self.0.round_trips.get()
    }

    /// Statements sent to D1 so far (each statement of a batch counts).
    pub fn statements(&self) -> usize {
        self.0.statements.get()
    }

    /// Milliseconds during which at least one round trip was in flight.
    pub fn waited_ms(&self) -> u64 {
        self.0.waited_ms.get()
    }

    /// A round trip of `statements` statements leaves at `now`.
    fn begin(&self, statements: usize, now: u64) {
        let c = &self.0;
        c.statements
            .set(c.statements.get().saturating_add(statements));
        if c.in_flight.get() == 0 {
            c.round_trips.set(c.round_trips.get().saturating_add(1));
            c.busy_since.set(now);
        }
        c.in_flight.set(c.in_flight.get().saturating_add(1));
    }

    /// The request comes from `origin`, another origin than the worker's: the first round trip
    /// to the caller's database asks whether its store lists it.
    pub fn ask_origin(&self, origin: &str) {
        *self.0.origin.borrow_mut() = Some((origin.to_owned(), Vec::new()));
    }

    /// The origin `store` has not been asked about yet, if the request has one.
    fn origin_to_ask(&self, store: &str) -> Option<String> {
        let asked = self.0.origin.borrow();
        let (origin, answers) = asked.as_ref()?;
        (!answers.iter().any(|(s, _)| s == store)).then(|| origin.clone())
    }

    fn answer_origin(&self, store: &str, listed: bool) {
        if let Some((_, answers)) = self.0.origin.borrow_mut().as_mut() {
            answers.push((store.to_owned(), listed));
        }
    }

    /// Records whether the caller's store has webhook endpoints (a command's write batch asks).
    pub fn set_endpoints(&self, any: bool) {
        self.0.endpoints.set(Some(any));
    }

    /// Whether the caller's store has webhook endpoints, if a round trip already asked.
    pub fn endpoints(&self) -> Option<bool> {
        self.0.endpoints.get()
    }

    /// Whether `store` lists the request's origin, if a round trip already asked.
    pub fn origin_listed_by(&self, store: &str) -> Option<bool> {
        let asked = self.0.origin.borrow();
        let (_, answers) = asked.as_ref()?;
        answers.iter().find(|(s, _)| s == store).map(|(_, l)| *l)
    }

    /// A round trip came back at `now`.
    fn end(&self, now: u64) {
        let c = &self.0;
        c.in_flight.set(c.in_flight.get().saturating_sub(1));
        if c.in_flight.get() == 0 {
            let waited = now.saturating_sub(c.busy_since.get());
            c.waited_ms.set(c.waited_ms.get().saturating_add(waited));
        }
    }

    /// The `Server-Timing` value of an answer that took `total_ms` in all:
    /// `d1;dur=<ms>;desc="<n> round trips, <m> statements", total;dur=<ms>` (shared/API.md).
    pub fn server_timing(&self, total_ms: u64) -> String {
        format!(
            "d1;dur={};desc=\"{} round trips, {} statements\", total;dur={total_ms}",
            self.waited_ms(),
            self.round_trips(),
            self.statements(),
        )
    }
}

/// One SQL statement and its bound parameters, made by [`Db::statement`]; sent by [`Db::batch`],
/// [`Db::all`], [`Db::first`] or [`Db::run`].
#[derive(Debug)]
pub struct Statement {
    sql: String,
    params: Vec<JsValue>,
}

impl Statement {
    fn prepare(&self, database: &D1Database) -> Result<D1PreparedStatement, DbError> {
        database
            .prepare(self.sql.as_str())
            .bind(&self.params)
            .map_err(DbError::from)
    }
}

/// What went wrong with a round trip: D1's message, kept whole (the store reads constraint
/// names in it), and what it means for the answer.
#[derive(Debug)]
pub struct DbError {
    message: String,
    kind: DbErrorKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DbErrorKind {
    /// D1 refused or failed the round trip.
    Failed,
    /// A row D1 returned does not decode into its type.
    Decode,
}

impl DbError {
    /// D1's message, such as `D1_ERROR: CHECK constraint failed: ok = 1: SQLITE_CONSTRAINT`.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether D1 refused the round trip for one of its limits ([`Limits`]).
    pub fn is_limit(&self) -> bool {
        self.kind == DbErrorKind::Failed && is_limit(&self.message)
    }

    fn refused(refusal: Refusal, sql: &str) -> Self {
        Self {
            message: refusal.message(sql),
            kind: DbErrorKind::Failed,
        }
    }
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<worker::Error> for DbError {
    fn from(error: worker::Error) -> Self {
        let message = match &error {
            worker::Error::D1(e) => {
                let js: &worker::js_sys::Error = e.as_ref();
                String::from(js.message())
            }
            other => other.to_string(),
        };
        Self {
            message,
            kind: DbErrorKind::Failed,
        }
    }
}

impl From<DbError> for ApiError {
    /// A limit is a 500 `database_limit_exceeded` (the request asked more than D1 serves: ours to
    /// fix, retrying does not help); a row that does not decode, a 500 `internal_error`; any other
    /// D1 failure a 503 `database_unavailable` with `Retry-After`. The message goes to the log.
    fn from(error: DbError) -> Self {
        if error.kind == DbErrorKind::Decode {
            return ApiError::internal(format!("a row from D1 does not decode: {error}"));
        }
        worker::console_error!("D1 error: {error}");
        if error.is_limit() {
            ApiError::transport(
                Transport::DatabaseLimitExceeded,
                "the request needs more of the database than one request may use; the error was logged",
            )
        } else {
            ApiError::transport(
                Transport::DatabaseUnavailable,
                "the database did not answer; nothing was written: retry in a moment",
            )
        }
    }
}

/// A configuration error: logged whole, answered as 500 `misconfigured`.
fn misconfigured(detail: impl std::fmt::Display) -> ApiError {
    worker::console_error!("configuration error: {detail}");
    ApiError::transport(
        Transport::Misconfigured,
        "the deployment's configuration is not valid for this request; the error was logged",
    )
}

/// Where stores live: `STORE_DATABASES`, a JSON object from store id to the binding of its D1
/// database. A store it does not name lives on [`DEFAULT_BINDING`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Directory {
    stores: BTreeMap<String, String>,
}

impl Directory {
    /// Reads `STORE_DATABASES` (absent or empty: every store on `DB`).
    pub fn parse(text: Option<&str>) -> Result<Directory, String> {
        let text = text.map(str::trim).unwrap_or_default();
        if text.is_empty() {
            return Ok(Directory::default());
        }
        let stores: BTreeMap<String, String> = serde_json::from_str(text).map_err(|_| {
            "STORE_DATABASES is not a JSON object from store id to a D1 binding's name".to_owned()
        })?;
        if let Some((store, _)) = stores.iter().find(|(_, binding)| binding.trim().is_empty()) {
            return Err(format!(
                "STORE_DATABASES names no binding for store `{store}`"
            ));
        }
        Ok(Directory { stores })
    }

    /// The deployment's directory.
    pub fn read(env: &Env) -> Result<Directory, ApiError> {
        let text = env.var("STORE_DATABASES").ok().map(|v| v.to_string());
        Directory::parse(text.as_deref()).map_err(misconfigured)
    }

    /// The binding of `store`'s database.
    pub fn binding(&self, store: &str) -> &str {
        self.stores
            .get(store)
            .map_or(DEFAULT_BINDING, String::as_str)
    }

    /// Every binding stores live on: `DB` and each one the directory names, once, in order.
    pub fn bindings(&self) -> BTreeSet<&str> {
        let mut all: BTreeSet<&str> = self.stores.values().map(String::as_str).collect();
        all.insert(DEFAULT_BINDING);
        all
    }
}

/// One D1 database, for one invocation: cheap to clone, every clone counting into the same
/// [`Meter`] and held to the same [`Limits`].
#[derive(Clone, Debug)]
pub struct Db {
    database: Rc<D1Database>,
    binding: Rc<str>,
    meter: Meter,
    limits: Limits,
    /// The store this handle serves, when it serves one (not for the cron or a preflight).
    store: Option<Rc<str>>,
}

impl Db {
    /// The database bound as `binding`; why not, when it is not a D1 binding of the worker.
    fn open(env: &Env, binding: &str, meter: &Meter, limits: Limits) -> Result<Db, String> {
        let database = env.d1(binding).map_err(|e| {
            format!(
                "`{binding}` is not a D1 binding of this worker ({e}); check STORE_DATABASES against the d1_databases of wrangler.toml"
            )
        })?;
        Ok(Db {
            database: Rc::new(database),
            binding: Rc::from(binding),
            meter: meter.clone(),
            limits,
            store: None,
        })
    }

    /// The database of `store`: the binding `STORE_DATABASES` names for it, `DB` otherwise. A
    /// name that is not a D1 binding is a configuration error, logged and answered 500
    /// `misconfigured` for this store only.
    pub fn of_store(env: &Env, meter: &Meter, store: &StoreId) -> Result<Db, ApiError> {
        let directory = Directory::read(env)?;
        let binding = directory.binding(store.as_str());
        let mut db = Db::open(env, binding, meter, Limits::read(env)?)
            .map_err(|why| misconfigured(format!("store `{store}`: {why}")))?;
        db.store = Some(Rc::from(store.as_str()));
        Ok(db)
    }

    /// Every database stores live on (for the cron, the queue consumer and a preflight, which
    /// names no store), with the directory that says which store lives where. A binding that
    /// is not a D1 database is logged and left out: the others keep working.
    pub fn every(env: &Env, meter: &Meter) -> Result<(Vec<Db>, Directory), ApiError> {
        let directory = Directory::read(env)?;
        let limits = Limits::read(env)?;
        let databases = directory
            .bindings()
            .into_iter()
            .filter_map(|binding| {
                Db::open(env, binding, meter, limits)
                    .map_err(misconfigured)
                    .ok()
            })
            .collect();
        Ok((databases, directory))
    }

    /// The request's meter.
    pub fn meter(&self) -> &Meter {
        &self.meter
    }

    /// The binding this database is reached by, such as `DB`.
    pub fn binding(&self) -> &str {
        &self.binding
    }

    /// A statement of `sql` with `params` bound, refused with D1's error when the limits are
    /// enforced and it has more than 100 parameters, SQL over 100 KB or a value over 2 MB.
    pub fn statement(&self, sql: &str, params: &[JsValue]) -> Result<Statement, ApiError> {
        let statement = Statement {
            sql: sql.to_owned(),
            params: params.to_vec(),
        };
        if self.limits.enforced() {
            let shape = Shape {
                sql_bytes: statement.sql.len(),
                params: statement.params.len(),
                largest_value: statement
                    .params
                    .iter()
                    .filter_map(JsValue::as_string)
                    .map(|s| s.len())
                    .max()
                    .unwrap_or(0),
            };
            if let Some(refusal) = self.limits.refuse_statement(&shape) {
                return Err(DbError::refused(refusal, &statement.sql).into());
            }
        }
        Ok(statement)
    }

    /// Runs one round trip of `statements` statements: refused before sending when it would
    /// pass the statements of an invocation, delayed by `D1_DELAY_MS`, metered.
    async fn round_trip<T, F>(&self, statements: usize, sql: &str, send: F) -> Result<T, DbError>
    where
        F: Future<Output = Result<T, DbError>>,
    {
        if let Some(refusal) = self
            .limits
            .refuse_round_trip(self.meter.statements(), statements)
        {
            return Err(DbError::refused(refusal, sql));
        }
        self.meter.begin(statements, now_ms());
        if self.limits.delay_ms > 0 {
            worker::Delay::from(std::time::Duration::from_millis(u64::from(
                self.limits.delay_ms,
            )))
            .await;
        }
        let result = send.await;
        self.meter.end(now_ms());
        result
    }

    /// The statement that asks whether this handle's store lists the request's origin, when the
    /// request has one not asked yet: it rides in front of the next round trip.
    fn origin_question(&self) -> Result<Option<Statement>, DbError> {
        let Some(store) = self.store.as_deref() else {
            return Ok(None);
        };
        let Some(origin) = self.meter.origin_to_ask(store) else {
            return Ok(None);
        };
        Ok(Some(Statement {
            sql: "SELECT count(*) AS n FROM store_origins WHERE store_id = ?1 AND origin = ?2"
                .to_owned(),
            params: vec![JsValue::from_str(store), JsValue::from_str(&origin)],
        }))
    }

    /// Records the answer of an origin question that rode in front of a round trip.
    fn take_origin_answer(&self, result: &D1Result) -> Result<(), DbError> {
        #[derive(serde::Deserialize)]
        struct Count {
            n: f64,
        }
        let listed = (result.results::<Count>())
            .map_err(|e| DbError {
                message: e.to_string(),
                kind: DbErrorKind::Decode,
            })?
            .first()
            .is_some_and(|c| c.n > 0.0);
        if let Some(store) = self.store.as_deref() {
            self.meter.answer_origin(store, listed);
        }
        Ok(())
    }

    /// Runs `statements` in one round trip, as one transaction: all of them or none. The
    /// results come in the statements' order. No statement, no round trip. The request's
    /// origin question, if it has one for this store, rides in front.
    pub async fn batch(&self, mut statements: Vec<Statement>) -> Result<Vec<D1Result>, DbError> {
        let Some(first) = statements.first() else {
            return Ok(Vec::new());
        };
        let sql = first.sql.clone();
        let question = self.origin_question()?;
        let asked = question.is_some();
        if let Some(question) = question {
            statements.insert(0, question);
        }
        let prepared = statements
            .iter()
            .map(|s| s.prepare(&self.database))
            .collect::<Result<Vec<_>, _>>()?;
        let mut results = self
            .round_trip(statements.len(), &sql, async {
                self.database.batch(prepared).await.map_err(DbError::from)
            })
            .await?;
        if asked && !results.is_empty() {
            let answer = results.remove(0);
            self.take_origin_answer(&answer)?;
        }
        Ok(results)
    }

    /// Runs one statement and returns its rows and metadata, in one round trip.
    pub async fn all(&self, statement: Statement) -> Result<D1Result, DbError> {
        let mut results = self.batch(vec![statement]).await?;
        results.pop().ok_or_else(|| DbError {
            message: "a statement gave no result".to_owned(),
            kind: DbErrorKind::Decode,
        })
    }

    /// Runs one statement and returns its first row, if any, in one round trip.
    pub async fn first<T: DeserializeOwned>(
        &self,
        statement: Statement,
    ) -> Result<Option<T>, DbError> {
        let result = self.all(statement).await?;
        let rows = result.results::<T>().map_err(|e| DbError {
            message: e.to_string(),
            kind: DbErrorKind::Decode,
        })?;
        Ok(rows.into_iter().next())
    }

    /// Runs one statement for its effect and returns its metadata, in one round trip.
    pub async fn run(&self, statement: Statement) -> Result<D1Result, DbError> {
        self.all(statement).await
    }
}

/// Runs `futures` concurrently and returns their outputs in order: the round trips of a
/// question asked of every database cost one wait, not one per database.
pub async fn concurrently<'a, T>(futures: Vec<Pin<Box<dyn Future<Output = T> + 'a>>>) -> Vec<T> {
    Concurrently {
        done: futures.iter().map(|_| None).collect(),
        pending: futures.into_iter().map(Some).collect(),
    }
    .await
}

struct Concurrently<'a, T> {
    pending: Vec<Option<Pin<Box<dyn Future<Output = T> + 'a>>>>,
    done: Vec<Option<T>>,
}

// The futures are pinned in their boxes; the outputs are never pinned.
impl<T> Unpin for Concurrently<'_, T> {}

impl<T> Future for Concurrently<'_, T> {
    type Output = Vec<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Vec<T>> {
        let this = self.get_mut();
        for (slot, output) in this.pending.iter_mut().zip(this.done.iter_mut()) {
            if let Some(future) = slot
                && let Poll::Ready(value) = future.as_mut().poll(cx)
            {
                *output = Some(value);
                *slot = None;
            }
        }
        if this.pending.iter().any(Option::is_some) {
            Poll::Pending
        } else {
            Poll::Ready(this.done.drain(..).flatten().collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn free() -> Limits {
        Limits::parse(Some("free"), None).unwrap()
    }

    fn shape(sql_bytes: usize, params: usize, largest_value: usize) -> Shape {
        Shape {
            sql_bytes,
            params,
            largest_value,
        }
    }

    #[test]
    fn the_configuration_names_a_plan_or_off() {
        assert_eq!(Limits::parse(None, None), Ok(Limits::default()));
        assert_eq!(Limits::parse(Some("off"), Some("0")), Ok(Limits::default()));
        assert_eq!(free().statements, Some(50));
        let paid = Limits::parse(Some("paid"), Some("20")).unwrap();
        assert_eq!((paid.statements, paid.delay_ms), (Some(1_000), 20));
        assert_eq!(Limits::parse(Some("3"), None).unwrap().statements, Some(3));
        assert!(Limits::parse(Some("on"), None).is_err());
        assert!(Limits::parse(Some("-3"), None).is_err());
        assert!(Limits::parse(None, Some("-1")).is_err());
        assert!(Limits::parse(None, Some("1.5")).is_err());
    }

    /// Issue 21: 50 statements an invocation on the Free plan, 1,000 on the Paid one, every
    /// statement of a batch counted.
    #[test]
    fn statements_are_counted_across_the_round_trips_of_an_invocation() {
        let check = |limits: Limits, run, batch, refused| {
            let got = limits.refuse_round_trip(run, batch);
            assert_eq!(got.is_some(), refused, "{run} run, then {batch}");
            if refused {
                assert_eq!(got, Some(Refusal::TooManyQueries));
            }
        };
        check(free(), 0, 50, false);
        check(free(), 0, 51, true);
        check(free(), 49, 1, false);
        check(free(), 50, 1, true);
        check(free(), 45, 6, true);
        check(free(), 0, 2_009, true);
        let paid = Limits::parse(Some("paid"), None).unwrap();
        check(paid, 0, 1_000, false);
        check(paid, 999, 2, true);
        check(paid, 0, 2_009, true);
        check(Limits::default(), 0, 100_000, false);
    }

    #[test]
    fn a_statement_passing_a_limit_is_refused_with_d1s_error() {
        let check = |s: Shape, expected: Option<Refusal>| {
            assert_eq!(free().refuse_statement(&s), expected, "{s:?}");
            assert_eq!(Limits::default().refuse_statement(&s), None, "off: {s:?}");
        };
        check(shape(100, 100, 10), None);
        check(shape(100, 101, 10), Some(Refusal::TooManyVariables));
        check(shape(100_000, 3, 10), None);
        check(shape(100_001, 3, 10), Some(Refusal::StatementTooLong));
        check(shape(200, 3, 2_000_000), None);
        check(shape(200, 3, 2_000_001), Some(Refusal::ValueTooBig));
    }

    #[test]
    fn refusals_read_as_d1s_errors_and_are_recognized_as_limits() {
        let numbered: String = (1..=101).map(|i| format!("?{i},")).collect();
        let sql = format!("SELECT {numbered}");
        let message = Refusal::TooManyVariables.message(&sql);
        let at = sql.find("?101").unwrap();
        assert_eq!(
            message,
            format!("D1_ERROR: too many SQL variables at offset {at}: SQLITE_ERROR")
        );
        let anonymous = format!("SELECT {}", "?,".repeat(101));
        let at = anonymous.rfind('?').unwrap();
        assert!(
            Refusal::TooManyVariables
                .message(&anonymous)
                .contains(&format!("offset {at}:"))
        );
        for refusal in [
            Refusal::TooManyQueries,
            Refusal::TooManyVariables,
            Refusal::StatementTooLong,
            Refusal::ValueTooBig,
        ] {
            assert!(is_limit(&refusal.message(&sql)), "{refusal:?}");
        }
        assert!(is_limit(
            "Error: Too many API requests by single worker invocation."
        ));
        assert!(!is_limit(
            "D1_ERROR: CHECK constraint failed: ok = 1: SQLITE_CONSTRAINT"
        ));
        assert!(!is_limit("D1_ERROR: Network connection lost."));
    }

    #[test]
    fn stores_live_on_db_unless_the_directory_names_another_binding() {
        let directory =
            Directory::parse(Some(r#"{"store-b": "DB_2", "store-c": "DB_2"}"#)).unwrap();
        assert_eq!(directory.binding("store-a"), "DB");
        assert_eq!(directory.binding("store-b"), "DB_2");
        assert_eq!(
            directory.bindings().into_iter().collect::<Vec<_>>(),
            ["DB", "DB_2"]
        );
        assert_eq!(Directory::parse(None).unwrap().bindings().len(), 1);
        assert_eq!(Directory::parse(Some(" ")).unwrap(), Directory::default());
        for bad in ["[]", r#"{"a": 2}"#, r#"{"a": ""}"#, "{", r#""DB""#] {
            assert!(Directory::parse(Some(bad)).is_err(), "{bad}");
        }
    }

    /// Issue 21: every D1 access goes through `Db`, so every statement is counted, limited and
    /// reaches the caller's store's database only.
    #[test]
    fn nothing_but_this_module_reaches_d1() {
        fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&root, &mut files);
        assert!(files.len() > 10, "the crate's sources are found");
        let forbidden = [".d1(", "D1Database", "D1PreparedStatement", ".prepare("];
        for file in files.iter().filter(|f| !f.ends_with("store/db.rs")) {
            let text = std::fs::read_to_string(file).unwrap();
            // Native tests (store::sql's run the SQL on SQLite) are not the worker's code.
            let text = text.split("#[cfg(test)]").next().unwrap_or_default();
            for word in forbidden {
                assert!(
                    !text.contains(word),
                    "{} uses `{word}`: reach D1 through store::db::Db",
                    file.display()
                );
            }
        }
    }

    #[test]
    fn concurrent_round_trips_wait_once() {
        let meter = Meter::new();
        // Two round trips in flight together: one wait, their statements all counted.
        meter.begin(1, 100);
        meter.begin(3, 105);
        meter.end(130);
        meter.end(140);
        meter.begin(2, 200);
        meter.end(210);
        assert_eq!(
            (meter.round_trips(), meter.statements(), meter.waited_ms()),
            (2, 6, 50)
        );
        assert_eq!(
            meter.server_timing(75),
            "d1;dur=50;desc=\"2 round trips, 6 statements\", total;dur=75"
        );
    }
}
