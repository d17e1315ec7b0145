//! Request handlers. Each one parses, loads the state slice, calls the rules, writes one
//! batch and answers. None of them decides anything itself.

pub mod contracts;
pub mod imports;
pub mod projects;
pub mod records;
pub mod reseller;
pub mod settings;
pub mod signed;
pub mod transfers;
pub mod webhooks;

use crate::auth::{self, Session};
use crate::http::{ApiError, Reply, Stored, Transport};
use crate::idempotency::{self, Key};
use crate::routes::Params;
use crate::store::idempotency::{Claim, Claimed};
use crate::store::{Loaded, Store};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entitle_rules::ids::StoreId;
use entitle_rules::list::Source;
use entitle_rules::{
    Change, Command, CommandError, Context, ErrorCode, Outcome, Read, State, StoreCommand,
    Timestamp,
};
use std::collections::BTreeSet;
use worker::{Env, Request};

/// Everything a handler gets.
pub struct Call {
    /// The request.
    pub req: Request,
    /// The worker's bindings.
    pub env: Env,
    /// The path parameters, in pattern order.
    pub params: Params,
    /// The request's time.
    pub now: Timestamp,
    /// The route's success status.
    pub status: u16,
    /// The request's id (`Request-Id`), repeated in problem bodies.
    pub request_id: String,
    /// The request's idempotency key, scoped to its caller, if it sent one on a POST.
    pub idempotency: Option<Key>,
    /// The request's context, for work that runs after the answer (`wait_until`).
    pub background: worker::Context,
}

impl Call {
    /// The path parameter at `index`.
    pub fn param(&self, index: usize) -> Result<&str, ApiError> {
        self.params
            .get(index)
            .map(String::as_str)
            .ok_or_else(|| ApiError::internal("route parameter missing"))
    }

    /// The path parameter at `index` as an id; an invalid id is as unknown as a missing one.
    pub fn id<T: TryFrom<String>>(
        &self,
        index: usize,
        code: ErrorCode,
        what: &str,
    ) -> Result<T, ApiError> {
        let value = self.param(index)?;
        T::try_from(value.to_owned()).map_err(|_| {
            ApiError::rules(
                code,
                format!("{what} `{value}` does not exist or is not visible to you"),
            )
        })
    }

    /// The store's database.
    pub fn store(&self, store: &StoreId) -> Result<Store, ApiError> {
        Ok(Store::new(self.env.d1("DB")?, store.clone()))
    }
}

/// How many times a command is tried when concurrent writers collide.
const ATTEMPTS: usize = 4;

/// How many round trips one request may take to load what its decision reads.
pub const ROUNDS: usize = 12;

/// The most rows one read may return to a command or a single-resource request.
pub const RELATION_CAP: usize = 10_000;

pub fn too_large() -> ApiError {
    ApiError::transport(
        Transport::ResourceTooLarge,
        "this resource has more related records than one request may read",
    )
}

/// Runs `decide` on a partial state that is loaded, round trip by round trip, with exactly
/// the reads the rules consult, until they consult nothing new. The loop is generic: handlers
/// never say what a decision needs; the rules do, by reading it.
pub async fn resolve<T>(
    store: &Store,
    loaded: &mut Loaded,
    state: &mut State,
    cap: usize,
    too_large: impl Fn() -> ApiError,
    mut decide: impl FnMut(&State) -> T,
) -> Result<T, ApiError> {
    for _ in 0..ROUNDS {
        let answer = decide(state);
        let missing = state.missing();
        if missing.is_empty() {
            return Ok(answer);
        }
        store.fill(state, missing, loaded, cap, &too_large).await?;
    }
    Err(ApiError::internal(
        "a decision kept asking for more records",
    ))
}

/// Answers a read-only question about the store's records for the caller.
pub async fn read<T>(
    call: &Call,
    session: &Session,
    decide: impl FnMut(&State) -> T,
) -> Result<T, ApiError> {
    read_store(call, &session.store, decide).await
}

/// The most items one page of a list holds; the default is 100.
const MAX_PAGE: usize = 1_000;

/// The `limit` and `after` of a list request: how many items, after which key.
fn page_query(call: &Call) -> Result<(usize, String), ApiError> {
    let url = call.req.url()?;
    let mut limit = 100;
    let mut after = String::new();
    for (name, value) in url.query_pairs() {
        match name.as_ref() {
            "limit" => {
                limit = crate::http::query_whole_number(&value)
                    .and_then(|n| usize::try_from(n).ok())
                    .filter(|n| (1..=MAX_PAGE).contains(n))
                    .ok_or_else(|| {
                        ApiError::transport(
                            Transport::InvalidLimit,
                            format!("`limit` is a whole number from 1 to {MAX_PAGE}"),
                        )
                    })?;
            }
            "after" if !value.is_empty() => {
                after = URL_SAFE_NO_PAD
                    .decode(value.as_bytes())
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                    .filter(|key| !key.is_empty())
                    .ok_or_else(|| {
                        ApiError::transport(
                            Transport::InvalidCursor,
                            format!("`{value}` is not a cursor from this list"),
                        )
                    })?;
            }
            "after" => {}
            other => {
                return Err(ApiError::transport(
                    Transport::InvalidQuery,
                    format!("`{other}` is not a parameter of this list"),
                ));
            }
        }
    }
    Ok((limit, after))
}

/// A page of a list: its items and the cursor of the next page.
pub trait Page {
    /// One item.
    type Item;
    /// The page.
    fn new(items: Vec<Self::Item>, next_cursor: Option<String>) -> Self;
}

/// Answers one page of a list: `{"<name>": [...], "nextCursor": string|null}`. The rules define
/// the list (`source`) and each item's view (`item`); the page costs what its items cost.
pub async fn page<P: Page>(
    call: &Call,
    session: &Session,
    source: &Source,
    mut item: impl FnMut(&State, &str) -> Option<P::Item>,
) -> Result<Reply<P>, ApiError> {
    let (limit, after) = page_query(call)?;
    let store = call.store(&session.store)?;
    let mut state = State::partial();
    let (keys, more) = store.page(&mut state, source, &after, limit).await?;
    let items = resolve(
        &store,
        &mut Loaded::default(),
        &mut state,
        RELATION_CAP,
        too_large,
        |s| keys.iter().filter_map(|k| item(s, k)).collect::<Vec<_>>(),
    )
    .await?;
    let next = keys
        .last()
        .filter(|_| more)
        .map(|k| URL_SAFE_NO_PAD.encode(k.as_bytes()));
    Ok(Reply::new(P::new(items, next)))
}

/// Like [`read`], refusing with `too_large` past `bound` rows in all.
pub async fn read_bounded<T>(
    call: &Call,
    session: &Session,
    bound: usize,
    too_large: fn() -> ApiError,
    decide: impl FnMut(&State) -> T,
) -> Result<T, ApiError> {
    let store = call.store(&session.store)?;
    let mut state = State::partial();
    let mut loaded = Loaded::default();
    let answer = resolve(&store, &mut loaded, &mut state, bound, too_large, decide).await?;
    if loaded.rows() > bound {
        return Err(too_large());
    }
    Ok(answer)
}

/// Answers a read-only question about a store's records, with no caller account.
pub async fn read_store<T>(
    call: &Call,
    store_id: &StoreId,
    decide: impl FnMut(&State) -> T,
) -> Result<T, ApiError> {
    let store = call.store(store_id)?;
    let mut state = State::partial();
    resolve(
        &store,
        &mut Loaded::default(),
        &mut state,
        RELATION_CAP,
        too_large,
        decide,
    )
    .await
}

/// Runs a command until it commits and answers: load what it reads, decide, make the answer
/// (`answer`, from the outcome and the state after it), write with a guard on every read, and
/// run again on fresh state when a concurrent write won.
///
/// With an idempotency key, the key is claimed first (a replay, `idempotency_key_reused` or
/// `idempotency_key_in_use` end the request there), and the answer is written by the command's
/// own batch: its success, or its refusal by the rules (a 4xx from `decide`). Anything else (a
/// server fault, `concurrent_modification`) stores nothing and frees the key.
pub async fn run<T: serde::Serialize>(
    call: &Call,
    store: &Store,
    plan: &BTreeSet<Read>,
    mut decide: impl FnMut(&State, Vec<String>) -> Result<Outcome, ApiError>,
    answer: impl Fn(&Outcome, &State) -> Result<T, ApiError>,
) -> Result<Reply<T>, ApiError> {
    let claim = match &call.idempotency {
        None => None,
        Some(key) => {
            let id = auth::fresh(1)?.concat();
            match store.claim(key, call.now, id).await? {
                Claimed::Owned(claim) => Some(claim),
                Claimed::Replay(stored) => return Ok(Reply::stored(stored, true)),
                Claimed::Reused => return Err(idempotency::reused()),
                Claimed::InUse => return Err(idempotency::in_use()),
            }
        }
    };
    let result = attempts(call, store, plan, claim.as_ref(), &mut decide, &answer).await;
    if let (Err(_), Some(claim)) = (&result, &claim) {
        // Nothing was stored. A failure here was logged, and only keeps the key until its lease
        // ends.
        let _ = store.release(claim).await;
    }
    Ok(match result? {
        Committed::Value(value) => Reply::new(value),
        Committed::Stored(stored) => Reply::stored(stored, false),
    })
}

/// What a command committed with: its answer, or the answer its batch stored for its key.
enum Committed<T> {
    Value(T),
    Stored(Stored),
}

/// The attempts of [`run`], with the key it holds.
async fn attempts<T: serde::Serialize>(
    call: &Call,
    store: &Store,
    plan: &BTreeSet<Read>,
    claim: Option<&Claim>,
    decide: &mut impl FnMut(&State, Vec<String>) -> Result<Outcome, ApiError>,
    answer: &impl Fn(&Outcome, &State) -> Result<T, ApiError>,
) -> Result<Committed<T>, ApiError> {
    let mut fresh = 4;
    let mut attempts = 0;
    while attempts < ATTEMPTS {
        let mut loaded = Loaded::default();
        let mut state = State::partial();
        let values = auth::fresh(fresh)?;
        // What the command names before reading anything is loaded first, in one round.
        if !plan.is_empty() {
            store
                .fill(
                    &mut state,
                    plan.clone(),
                    &mut loaded,
                    RELATION_CAP,
                    too_large,
                )
                .await?;
        }
        let result = resolve(
            store,
            &mut loaded,
            &mut state,
            RELATION_CAP,
            too_large,
            |s| decide(s, values.clone()),
        )
        .await?;
        let mut before = State::default();
        let (outcome, reply) = match result {
            Err(e) if e.code == ErrorCode::FreshValuesExhausted.code() && fresh < 1024 => {
                fresh *= 4;
                continue;
            }
            // The rules refused: with a key, the refusal is stored like a success.
            Err(e) if claim.is_some() && e.status < 500 => (
                Outcome::default(),
                Committed::Stored(e.into_stored(&call.request_id)?),
            ),
            Err(e) => return Err(e),
            Ok(outcome) => {
                before = state.clone();
                state.apply_all(&outcome.changes);
                let value = answer(&outcome, &state)?;
                let reply = match claim {
                    Some(_) => Committed::Stored(Stored::json(call.status, &value)?),
                    None => Committed::Value(value),
                };
                (outcome, reply)
            }
        };
        attempts += 1;
        let stored = match (&reply, claim) {
            (Committed::Stored(stored), Some(claim)) => Some((claim, stored)),
            _ => None,
        };
        match store
            .persist(&loaded, &outcome.changes, &outcome.events, stored)
            .await
        {
            Err(e) if e.code == Transport::WriteConflict.code() => continue,
            Err(e) => return Err(e),
            Ok(()) => {
                crate::live::committed(call, store, before, &outcome.changes);
                return Ok(reply);
            }
        }
    }
    Err(ApiError::transport(
        Transport::ConcurrentModification,
        "the records changed while this request ran; try again",
    ))
}

/// A command's error as an answer. Running out of fresh values keeps its code, so [`run`] can
/// give the command more and run it again.
pub fn command_error(error: CommandError) -> ApiError {
    if error.code == ErrorCode::FreshValuesExhausted {
        ApiError::rules(ErrorCode::FreshValuesExhausted, error.detail)
    } else {
        ApiError::from(error)
    }
}

/// Runs an account's command and answers with `answer`.
pub async fn command<T: serde::Serialize>(
    call: &Call,
    session: &Session,
    command: &Command,
    answer: impl Fn(&Outcome, &State) -> Result<T, ApiError>,
) -> Result<Reply<T>, ApiError> {
    let store = call.store(&session.store)?;
    let decide = |state: &State, fresh| {
        let ctx = Context {
            actor: session.sub.clone(),
            now: call.now,
            fresh,
        };
        entitle_rules::execute(state, command, &ctx).map_err(command_error)
    };
    run(call, &store, &BTreeSet::new(), decide, answer).await
}

/// Runs a store's command and answers with `answer`.
pub async fn store_command<T: serde::Serialize>(
    call: &Call,
    store_id: &StoreId,
    command: &StoreCommand,
    answer: impl Fn(&Outcome, &State) -> Result<T, ApiError>,
) -> Result<Reply<T>, ApiError> {
    let store = call.store(store_id)?;
    let decide = |state: &State, _| {
        entitle_rules::execute_store(state, command, call.now).map_err(command_error)
    };
    run(
        call,
        &store,
        &command.reads().into_iter().collect(),
        decide,
        answer,
    )
    .await
}

/// The first record of a kind that a command wrote.
pub fn written<T: Clone>(
    outcome: &Outcome,
    pick: impl Fn(&Change) -> Option<&T>,
) -> Result<T, ApiError> {
    outcome
        .changes
        .iter()
        .find_map(pick)
        .cloned()
        .ok_or_else(|| ApiError::internal("the command wrote no record"))
}
