//! Request handlers. Each one parses, loads the state slice, calls the rules, writes one
//! batch and answers. None of them decides anything itself.

pub mod contracts;
pub mod projects;
pub mod records;
pub mod reseller;
pub mod settings;
pub mod transfers;

use crate::auth::{self, Session};
use crate::http::ApiError;
use crate::routes::Params;
use crate::store::{CONFLICT, Extra, Store};
use entitle_rules::ids::StoreId;
use entitle_rules::{Change, Command, Context, Outcome, State, StoreCommand, Timestamp};
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

/// Runs an account's command: load the actor's world and `extras` (whatever else the command
/// needs), decide, write, and run again on fresh state when a concurrent write won.
pub async fn command(
    call: &Call,
    session: &Session,
    command: &Command,
    extras: &[Extra],
    fresh: usize,
) -> Result<(Outcome, State), ApiError> {
    let store = call.store(&session.store)?;
    for _ in 0..ATTEMPTS {
        let state = store.load(Some(&session.sub), extras).await?;
        let ctx = Context {
            actor: session.sub.clone(),
            now: call.now,
            fresh: auth::fresh(fresh)?,
        };
        let outcome = entitle_rules::execute(&state, command, &ctx)?;
        match store.persist(&outcome.changes, &outcome.events).await {
            Err(e) if e.code == CONFLICT => continue,
            Err(e) => return Err(e),
            Ok(()) => {
                let mut after = state;
                after.apply_all(&outcome.changes);
                return Ok((outcome, after));
            }
        }
    }
    Err(ApiError::new(
        409,
        "concurrent_modification",
        "the records changed while this request ran; try again",
    ))
}

/// Runs a store's command, retrying on a concurrent write.
pub async fn store_command(
    call: &Call,
    store_id: &StoreId,
    command: &StoreCommand,
    extras: &[Extra],
) -> Result<Outcome, ApiError> {
    let store = call.store(store_id)?;
    for _ in 0..ATTEMPTS {
        let state = store.load(None, extras).await?;
        let outcome = entitle_rules::execute_store(&state, command, call.now)?;
        match store.persist(&outcome.changes, &outcome.events).await {
            Err(e) if e.code == CONFLICT => continue,
            Err(e) => return Err(e),
            Ok(()) => return Ok(outcome),
        }
    }
    Err(ApiError::new(
        409,
        "concurrent_modification",
        "the records changed while this request ran; try again",
    ))
}

/// The actor's world, for read-only requests.
pub async fn world(call: &Call, session: &Session) -> Result<State, ApiError> {
    call.store(&session.store)?
        .load(Some(&session.sub), &[])
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

/// Normalizes an e-mail for a lookup; the rules check it properly.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}
