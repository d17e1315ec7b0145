//! The sweep of windows (issue 23), run by the cron every minute: for the shares and
//! delegations whose window the sweep is due for, it sends the `*.expiring` reminders 7 days and
//! 1 day before their end and records what the end implies (`*.expired`, the recipient's
//! licenses off the project, the delegation `expired`), once each.
//!
//! Nothing waits for it: from the end of a window every decision and view treats the grant as
//! removed already (the rules decide on `now`). It only makes the stored records and the event
//! feed say so, within two minutes of the end (the cron runs every minute).
//!
//! Per database, one query finds the grants due (`store::windows::due`, an index range scan of
//! at most [`DUE`] rows); per store, the rules' `sweepWindows` command runs as any command does:
//! its plan loaded in one round trip, its changes and events written in one batch guarded by
//! what it read (a PATCH or an unshare racing it makes it run again on fresh records). A run
//! stops starting stores once it has spent [`BUDGET`] statements, so its cost does not grow with
//! the backlog; the next minute takes the rest, oldest first.

use crate::errors::Transport;
use crate::handlers::{self, ROW_CAP, too_large};
use crate::http::ApiError;
use crate::store::db::{Db, Meter};
use crate::store::{Store, windows};
use entitle_rules::ids::{AccountId, StoreId};
use entitle_rules::sweep::Sweep;
use entitle_rules::{Change, EventPayload, State, StoreCommand, Timestamp, plans};
use worker::Env;

/// Grants one database's query returns at most per run.
const DUE: u32 = 100;

/// Statements a run spends at most before it starts no more stores (below the 50 that D1
/// allows an invocation on the Free plan, leaving room for the cron's webhook work).
const BUDGET: usize = 30;

/// What a store's sweep may cost at most: its plan's read and its write batch (a guard, the
/// upserts of shares, delegates and licenses, the events, the guards' cleanup, the endpoints'
/// count), and one retry's read.
const PER_STORE: usize = 9;

/// How many times a store's sweep runs when a concurrent change wins.
const ATTEMPTS: usize = 4;

/// What one store's sweep committed: what the store held before, the changes, and the accounts
/// whose grant ended (the live notifications tell them, [`notify`]).
pub struct Swept {
    /// The store.
    pub store: StoreId,
    /// Its database.
    pub db: Db,
    /// The records the sweep read, as they were before it.
    pub before: State,
    /// What it wrote.
    pub changes: Vec<Change>,
    /// The recipients and delegates whose grant's end it recorded.
    pub ended: Vec<AccountId>,
}

/// Sweeps every database at `now` (the cron's scheduled time). A database or store that fails
/// is logged; the others go on. Returns what each store's sweep committed.
pub async fn sweep(env: &Env, meter: &Meter, now: Timestamp) -> Result<Vec<Swept>, ApiError> {
    let (databases, directory) = Db::every(env, meter)?;
    let mut swept = Vec::new();
    for db in databases {
        if meter.statements().saturating_add(1 + PER_STORE) > BUDGET {
            break;
        }
        let due = match windows::due(&db, now, DUE).await {
            Ok(due) => due,
            Err(error) => {
                worker::console_error!("windows of `{}`: {}", db.binding(), error.detail);
                continue;
            }
        };
        for (store, grants) in due {
            // A store another database serves now (moved) is that database's to sweep.
            if directory.binding(&store) != db.binding() {
                continue;
            }
            if meter.statements().saturating_add(PER_STORE) > BUDGET {
                break;
            }
            let Ok(store_id) = StoreId::new(store.as_str()) else {
                continue;
            };
            match sweep_store(db.clone(), store_id, grants, now).await {
                Ok(Some(done)) => swept.push(done),
                Ok(None) => {}
                Err(error) => {
                    worker::console_error!("windows of store `{store}`: {}", error.detail);
                }
            }
        }
    }
    Ok(swept)
}

/// Runs the rules' `sweepWindows` on `grants` of one store, as a command runs: again on fresh
/// records when a concurrent change won.
async fn sweep_store(
    db: Db,
    store_id: StoreId,
    grants: Sweep,
    now: Timestamp,
) -> Result<Option<Swept>, ApiError> {
    let store = Store::new(db.clone(), store_id.clone());
    let command = StoreCommand::SweepWindows(grants);
    let plan = plans::store_commands(std::slice::from_ref(&command));
    for _ in 0..ATTEMPTS {
        let (outcome, reading) =
            handlers::resolve(&store, &plan, Vec::new(), ROW_CAP, too_large, |state, _| {
                (
                    state.clone(),
                    entitle_rules::execute_store(state, &command, now),
                )
            })
            .await?;
        let (before, outcome) = outcome;
        let outcome = outcome.map_err(handlers::command_error)?;
        if outcome.changes.is_empty() && outcome.events.is_empty() {
            return Ok(None);
        }
        let used = reading.state.used();
        match store
            .persist(
                &reading.loaded,
                &used,
                &outcome.changes,
                &outcome.events,
                None,
            )
            .await
        {
            Err(e) if e.code == Transport::WriteConflict.code() => continue,
            Err(e) => return Err(e),
            Ok(()) => {
                return Ok(Some(Swept {
                    ended: ended(&outcome.events),
                    store: store_id,
                    db,
                    before,
                    changes: outcome.changes,
                }));
            }
        }
    }
    Err(ApiError::transport(
        Transport::ConcurrentModification,
        "the grants kept changing while the sweep ran; the next run takes them",
    ))
}

/// Tells the live object of each store whose sweep recorded an end (issue 24) whose access its
/// changes touched: the recipients and delegates that lost a grant, and whoever else the rules
/// name for those changes (`live::notify`, which logs a failure and never raises it: the sweep's
/// records stand). A sweep that only sent reminders changed no one's access and tells no one.
/// Pages also follow a window's end by themselves, at their snapshot's `validUntil`; this tells
/// them that the records now say so too.
pub async fn notify(env: &Env, swept: Vec<Swept>, at: Timestamp) {
    for done in swept.into_iter().filter(|d| !d.ended.is_empty()) {
        let store = Store::new(done.db, done.store);
        crate::live::notify(env, &store, done.before, &done.changes, at).await;
    }
}

/// The accounts whose grant's end a sweep recorded (the recipients of `share.expired`, the
/// delegates of `delegate.expired`).
pub fn ended(events: &[entitle_rules::Event]) -> Vec<AccountId> {
    let mut accounts: Vec<AccountId> = events
        .iter()
        .filter_map(|e| match &e.payload {
            EventPayload::ShareExpired { account_id, .. }
            | EventPayload::DelegateExpired { account_id, .. } => Some(account_id.clone()),
            _ => None,
        })
        .collect();
    accounts.sort();
    accounts.dedup();
    accounts
}
