//! Request handlers. Each one parses, loads the state slice, calls the rules, writes one
//! batch and answers. None of them decides anything itself.

pub mod contracts;
pub mod imports;
pub mod projects;
pub mod records;
pub mod reseller;
pub mod settings;
pub mod transfers;

use crate::auth::{self, Session};
use crate::http::ApiError;
use crate::routes::Params;
use crate::store::{CONFLICT, Loaded, Store};
use entitle_rules::ids::StoreId;
use entitle_rules::{
    Change, Command, CommandError, Context, ErrorCode, Outcome, State, StoreCommand, Timestamp,
};
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
        code: &'static str,
        what: &str,
    ) -> Result<T, ApiError> {
        let value = self.param(index)?;
        T::try_from(value.to_owned()).map_err(|_| {
            ApiError::new(
                404,
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
    ApiError::new(
        422,
        "resource_too_large",
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
    let store = call.store(&session.store)?;
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

/// Runs a command until it commits: load what it reads, decide, write with a guard on every
/// read, and run again on fresh state when a concurrent write won. Returns the outcome and
/// the state after it.
async fn run(
    store: &Store,
    mut decide: impl FnMut(&State, Vec<String>) -> Result<Outcome, CommandError>,
) -> Result<(Outcome, State), ApiError> {
    let mut fresh = 4;
    let mut attempts = 0;
    while attempts < ATTEMPTS {
        let mut loaded = Loaded::default();
        let mut state = State::partial();
        let values = auth::fresh(fresh)?;
        let result = resolve(
            store,
            &mut loaded,
            &mut state,
            RELATION_CAP,
            too_large,
            |s| decide(s, values.clone()),
        )
        .await?;
        let outcome = match result {
            Err(e) if e.code == ErrorCode::FreshValuesExhausted && fresh < 1024 => {
                fresh *= 4;
                continue;
            }
            other => other?,
        };
        attempts += 1;
        match store
            .persist(&loaded, &outcome.changes, &outcome.events)
            .await
        {
            Err(e) if e.code == CONFLICT => continue,
            Err(e) => return Err(e),
            Ok(()) => {
                state.apply_all(&outcome.changes);
                return Ok((outcome, state));
            }
        }
    }
    Err(ApiError::new(
        409,
        "concurrent_modification",
        "the records changed while this request ran; try again",
    ))
}

/// Runs an account's command.
pub async fn command(
    call: &Call,
    session: &Session,
    command: &Command,
) -> Result<(Outcome, State), ApiError> {
    let store = call.store(&session.store)?;
    run(&store, |state, fresh| {
        let ctx = Context {
            actor: session.sub.clone(),
            now: call.now,
            fresh,
        };
        entitle_rules::execute(state, command, &ctx)
    })
    .await
}

/// Runs a store's command.
pub async fn store_command(
    call: &Call,
    store_id: &StoreId,
    command: &StoreCommand,
) -> Result<Outcome, ApiError> {
    let store = call.store(store_id)?;
    let (outcome, _) = run(&store, |state, _| {
        entitle_rules::execute_store(state, command, call.now)
    })
    .await?;
    Ok(outcome)
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
