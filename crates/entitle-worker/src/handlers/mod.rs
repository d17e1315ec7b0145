//! Request handlers. Each one parses, loads the state slice, calls the rules, writes one
//! batch and answers. None of them decides anything itself.

pub use crate::call::Call;

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
use crate::errors::Transport;
use crate::http::{ApiError, Reply, Stored};
use crate::idempotency::{self};
use crate::route::{DEFAULT_PAGE, MAX_PAGE};
use crate::store::db::Statement;
use crate::store::idempotency::{Claim, Claimed};
use crate::store::{Loaded, Store};
use crate::views::Page;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entitle_rules::ids::StoreId;
use entitle_rules::plan::{Found, Plan};
use entitle_rules::{Command, CommandError, Context, ErrorCode, Outcome, State, StoreCommand};
use worker::D1Result;

/// How many times a command is tried when concurrent writers collide.
const ATTEMPTS: usize = 4;

/// How many round trips one request may take to load what its decision reads: one for its
/// plan, and a few more for reads a plan missed (each one logged).
pub const ROUNDS: usize = 4;

/// The most rows one request may read for a command or a single-resource question.
pub const ROW_CAP: usize = 20_000;

pub fn too_large() -> ApiError {
    ApiError::transport(
        Transport::ResourceTooLarge,
        "this resource has more related records than one request may read",
    )
}

/// What one request loaded: the state, what its plan's steps found, and the results of the
/// statements that ran before the plan in the same batch.
pub struct Reading {
    /// The records read, as a partial state.
    pub state: State,
    /// What each step found (a list's page keys among it).
    pub found: Found,
    /// The lookups and versions read, for a command's guards.
    pub loaded: Loaded,
    /// The results of the statements run first.
    pub first: Vec<D1Result>,
}

/// Loads `plan` in one round trip (after the statements `first`, in the same batch), then runs
/// `decide` on it. A decision that wants a read its plan did not name still gets it, in a
/// further round trip, and the gap is logged: the rules' tests hold every plan to its
/// decision, so this is a safety net, not a path.
pub async fn resolve<T>(
    store: &Store,
    plan: &Plan,
    first: Vec<Statement>,
    cap: usize,
    too_large: impl Fn() -> ApiError,
    mut decide: impl FnMut(&State, &Found) -> T,
) -> Result<(T, Reading), ApiError> {
    let mut state = State::partial();
    let mut loaded = Loaded::default();
    let (found, first) = store
        .load(plan, &mut state, &mut loaded, cap, &too_large, first)
        .await?;
    for _ in 0..ROUNDS {
        let answer = decide(&state, &found);
        let missing = state.missing();
        if missing.is_empty() {
            let reading = Reading {
                state,
                found,
                loaded,
                first,
            };
            return Ok((answer, reading));
        }
        worker::console_warn!("a decision read beyond its plan: {missing:?}");
        store
            .load(
                &Plan::fetch(missing),
                &mut state,
                &mut loaded,
                cap,
                &too_large,
                Vec::new(),
            )
            .await?;
    }
    Err(ApiError::internal(
        "a decision kept asking for more records",
    ))
}

/// Answers a read-only question about the store's records for the caller, in one round trip.
pub async fn read<T>(
    call: &Call,
    session: &Session,
    plan: &Plan,
    decide: impl FnMut(&State) -> T,
) -> Result<T, ApiError> {
    read_store(call, &session.store, plan, decide).await
}

/// The `limit` and `after` of a list request: how many items, after which key.
fn page_query(call: &Call) -> Result<(usize, String), ApiError> {
    let url = call.req.url()?;
    let mut limit = DEFAULT_PAGE;
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

/// Answers one page of a list, `{"<name>": [...], "nextCursor": string|null}`, in one round
/// trip: `plan` (given `after` and `limit`) reads the page's keys and its items together, and
/// `items` views the items of those keys (or refuses, such as a caller who may not see the
/// list's parent). The page costs what its items cost.
pub async fn page<P: Page>(
    call: &Call,
    session: &Session,
    plan: impl FnOnce(&str, usize) -> Plan,
    mut items: impl FnMut(&State, &[String]) -> Result<Vec<P::Item>, ApiError>,
) -> Result<Reply<P>, ApiError> {
    let (limit, after) = page_query(call)?;
    let store = call.store(&session.store)?;
    let plan = plan(&after, limit);
    let (answer, reading) = resolve(&store, &plan, Vec::new(), ROW_CAP, too_large, |s, found| {
        items(s, &found.keys)
    })
    .await?;
    let next = (reading.found.keys.last())
        .filter(|_| reading.found.more)
        .map(|k| URL_SAFE_NO_PAD.encode(k.as_bytes()));
    Ok(Reply::new(P::new(answer?, next)))
}

/// The items of a page viewed one by one by `item` (an item it does not show is left out).
pub fn each<T>(
    mut item: impl FnMut(&State, &str) -> Option<T>,
) -> impl FnMut(&State, &[String]) -> Result<Vec<T>, ApiError> {
    move |state, keys| Ok(keys.iter().filter_map(|k| item(state, k)).collect())
}

/// Like [`read`], refusing with `too_large` past `bound` rows in all.
pub async fn read_bounded<T>(
    call: &Call,
    session: &Session,
    plan: &Plan,
    bound: usize,
    too_large: fn() -> ApiError,
    mut decide: impl FnMut(&State) -> T,
) -> Result<T, ApiError> {
    let store = call.store(&session.store)?;
    let (answer, reading) =
        resolve(&store, plan, Vec::new(), bound, too_large, |s, _| decide(s)).await?;
    if reading.loaded.rows() > bound {
        return Err(too_large());
    }
    Ok(answer)
}

/// Answers a read-only question about a store's records, with no caller account, in one round
/// trip.
pub async fn read_store<T>(
    call: &Call,
    store_id: &StoreId,
    plan: &Plan,
    mut decide: impl FnMut(&State) -> T,
) -> Result<T, ApiError> {
    let store = call.store(store_id)?;
    let (answer, _) = resolve(&store, plan, Vec::new(), ROW_CAP, too_large, |s, _| {
        decide(s)
    })
    .await?;
    Ok(answer)
}

/// Runs a command until it commits and answers: load what its plan reads, decide, make the
/// answer (`answer`, from the outcome and the state after it), write with a guard on every
/// lookup the decision relied on, and run again on fresh state when a concurrent write won.
/// First attempt: two round trips (the reads, the writes).
///
/// With an idempotency key, the key is claimed by the first batch, before the plan's reads
/// (a replay, `idempotency_key_reused` or `idempotency_key_in_use` end the request there), and
/// the answer is written by the command's own batch: its success, or its refusal by the rules
/// (a 4xx from `decide`). Anything else (a server fault, `concurrent_modification`) stores
/// nothing and frees the key.
pub async fn run<T: serde::Serialize>(
    call: &Call,
    store: &Store,
    plan: &Plan,
    mut decide: impl FnMut(&State, Vec<String>) -> Result<Outcome, ApiError>,
    answer: impl Fn(&Outcome, &State) -> Result<T, ApiError>,
) -> Result<Reply<T>, ApiError> {
    let mut claim = None;
    let mut first = Vec::new();
    let claim_id = match &call.idempotency {
        None => None,
        Some(key) => {
            let id = auth::fresh(1)?.concat();
            first = store.claim_statements(key, call.now, &id)?;
            Some(id)
        }
    };
    let result = attempts(
        call,
        store,
        plan,
        first,
        &mut claim,
        claim_id,
        &mut decide,
        &answer,
    )
    .await;
    if let (Err(_), Some(claim)) = (&result, &claim) {
        // Nothing was stored. A failure here was logged, and only keeps the key until its lease
        // ends.
        let _ = store.release(claim).await;
    }
    Ok(match result? {
        Committed::Value(value) => Reply::new(value),
        Committed::Stored(stored, replayed) => Reply::stored(stored, replayed),
    })
}

/// What a command committed with: its answer, or the answer its batch stored for its key (or
/// found stored by an earlier request: a replay).
enum Committed<T> {
    Value(T),
    Stored(Stored, bool),
}

/// The attempts of [`run`]; the first one's batch also claims the idempotency key.
#[expect(clippy::too_many_arguments, reason = "the parts of one command's run")]
async fn attempts<T: serde::Serialize>(
    call: &Call,
    store: &Store,
    plan: &Plan,
    mut first: Vec<Statement>,
    claim: &mut Option<Claim>,
    claim_id: Option<String>,
    decide: &mut impl FnMut(&State, Vec<String>) -> Result<Outcome, ApiError>,
    answer: &impl Fn(&Outcome, &State) -> Result<T, ApiError>,
) -> Result<Committed<T>, ApiError> {
    let mut fresh = 4;
    let mut attempts = 0;
    while attempts < ATTEMPTS {
        let values = auth::fresh(fresh)?;
        let (result, reading) = resolve(
            store,
            plan,
            std::mem::take(&mut first),
            ROW_CAP,
            too_large,
            |s, _| decide(s, values.clone()),
        )
        .await?;
        if let (Some(key), Some(id)) = (&call.idempotency, claim_id.clone())
            && claim.is_none()
        {
            match Store::claimed(key, id, &reading.first)? {
                Claimed::Owned(owned) => *claim = Some(owned),
                Claimed::Replay(stored) => return Ok(Committed::Stored(stored, true)),
                Claimed::Reused => return Err(idempotency::reused()),
                Claimed::InUse => return Err(idempotency::in_use()),
            }
        }
        let Reading {
            mut state, loaded, ..
        } = reading;
        // A command that needs more fresh values (ids, tokens) than it was given runs again on
        // the same reads with more: no second round trip.
        let mut result = result;
        while fresh < 1024
            && matches!(&result, Err(e) if e.code == ErrorCode::FreshValuesExhausted.code())
        {
            fresh *= 4;
            result = decide(&state, auth::fresh(fresh)?);
        }
        // The records as they were, for telling open pages whose access changed.
        let mut before = State::default();
        let (outcome, reply) = match result {
            // The rules refused: with a key, the refusal is stored like a success.
            Err(e) if claim.is_some() && e.status < 500 => (
                Outcome::default(),
                Committed::Stored(e.into_stored(&call.request_id)?, false),
            ),
            Err(e) => return Err(e),
            Ok(outcome) => {
                before = state.clone();
                state.apply_all(&outcome.changes);
                let value = answer(&outcome, &state)?;
                let reply = match claim {
                    Some(_) => Committed::Stored(Stored::json(call.status, &value)?, false),
                    None => Committed::Value(value),
                };
                (outcome, reply)
            }
        };
        attempts += 1;
        let stored = match (&reply, claim.as_ref()) {
            (Committed::Stored(stored, _), Some(claim)) => Some((claim, stored)),
            _ => None,
        };
        let used = state.used();
        match store
            .persist(&loaded, &used, &outcome.changes, &outcome.events, stored)
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
    let plan = entitle_rules::plans::command(&session.sub, command);
    run(call, &store, &plan, decide, answer).await
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
    let plan = entitle_rules::plans::store_commands(std::slice::from_ref(command));
    run(call, &store, &plan, decide, answer).await
}

/// The first record of a kind that a command wrote.
pub fn written<T: entitle_rules::state::Written + Clone>(outcome: &Outcome) -> Result<T, ApiError> {
    outcome
        .changes
        .iter()
        .find_map(T::written_by)
        .cloned()
        .ok_or_else(|| ApiError::internal("the command wrote no record"))
}
