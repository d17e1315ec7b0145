//! All SQL. The rules say, before anything is loaded, what a question or a command may read
//! (a read plan, [`entitle_rules::plan`]); this module answers the whole plan with one
//! statement in one round trip (`sql`: generated from the rules' record registry). A
//! command's changes (one upsert per table), its events (one insert) and one guard statement
//! for every lookup its decision relied on are written in one D1 batch (one transaction): if
//! any of them would now return other rows or other versions, the guard fails, the batch rolls
//! back whole, and the command runs again on fresh state. So a command commits only on the
//! facts it read.

pub mod db;
pub mod idempotency;
pub mod settings;
pub mod sql;
pub mod webhooks;
pub mod windows;

use crate::errors::Transport;
use crate::http::{ApiError, Stored};
use db::{Db, Statement};
use entitle_rules::ids::StoreId;
use entitle_rules::plan::{Found, Plan, Step, StepId};
use entitle_rules::read::{Lookup, Table};
use entitle_rules::{Change, Event, Row, State};
use serde::Deserialize;
use sql::{RowValues, Sql, Versions};
use std::collections::{BTreeMap, BTreeSet};
use worker::D1Result;
use worker::wasm_bindgen::JsValue;

/// A store's view of its database.
pub struct Store {
    db: Db,
    store: StoreId,
}

fn text(value: &str) -> JsValue {
    JsValue::from_str(value)
}

fn opt(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from_str)
}

/// What the reads of one request returned: for each lookup, the key and version of every row,
/// in key order. The guards of a command are computed from it.
#[derive(Default)]
pub struct Loaded {
    read: BTreeMap<Lookup, Versions>,
    rows: usize,
}

impl Loaded {
    /// How many rows were loaded in all.
    pub fn rows(&self) -> usize {
        self.rows
    }
}

/// One row of a plan's answer: its step, its key, and the stored row (none for a page's key).
#[derive(Deserialize)]
struct PlanRow {
    step: f64,
    k: Option<String>,
    version: Option<f64>,
    data: Option<String>,
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "versions and step numbers are small positive integers"
)]
fn small(value: f64) -> u32 {
    value as u32
}

impl Store {
    /// The database of one store.
    pub fn new(db: Db, store: StoreId) -> Self {
        Self { db, store }
    }

    /// The store's id.
    pub fn id(&self) -> &StoreId {
        &self.store
    }

    fn statement(&self, sql: &str, params: &[JsValue]) -> Result<Statement, ApiError> {
        self.db.statement(sql, params)
    }

    /// A generated statement, its store id bound as `?1`.
    fn generated(&self, sql: &Sql) -> Result<Statement, ApiError> {
        let mut params = vec![text(self.store.as_str())];
        params.extend(sql.params.iter().map(|p| opt(p.as_deref())));
        self.statement(&sql.text, &params)
    }

    /// Loads everything `plan` reads into `state` in ONE round trip (one statement), after
    /// the statements `first` in the same batch (an idempotency claim, an origin check), whose
    /// results it returns. More than `cap` rows in all is refused with `too_large`.
    pub async fn load(
        &self,
        plan: &Plan,
        state: &mut State,
        loaded: &mut Loaded,
        cap: usize,
        too_large: impl Fn() -> ApiError,
        first: Vec<Statement>,
    ) -> Result<(Found, Vec<D1Result>), ApiError> {
        let mut statements = first;
        let planned = !plan.steps().is_empty();
        if planned {
            statements.push(self.generated(&sql::plan(plan, cap))?);
        }
        if statements.is_empty() {
            return Ok((Found::default(), Vec::new()));
        }
        let mut results = self.db.batch(statements).await?;
        if !planned {
            return Ok((Found::default(), results));
        }
        let rows = results
            .pop()
            .map(|r| r.results::<PlanRow>())
            .transpose()?
            .unwrap_or_default();
        if rows.len() > cap {
            return Err(too_large());
        }
        let found = self.hold(plan, rows, state, loaded)?;
        Ok((found, results))
    }

    /// Puts a plan's rows into `state`, each step's lookups holding the rows that match them.
    fn hold(
        &self,
        plan: &Plan,
        rows: Vec<PlanRow>,
        state: &mut State,
        loaded: &mut Loaded,
    ) -> Result<Found, ApiError> {
        let mut by_step: Vec<Vec<(Row, u32)>> = plan.steps().iter().map(|_| Vec::new()).collect();
        let mut found = Found::default();
        for row in rows {
            let step = small(row.step) as usize;
            match (plan.steps().get(step), row.data) {
                (Some(Step::Lookup { table, .. }), Some(data)) => {
                    let mut de = serde_json::Deserializer::from_str(&data);
                    let decoded = Row::decode(table.name, &mut de).map_err(|e| {
                        ApiError::internal(format!("a stored record does not decode: {e}"))
                    })?;
                    let version = small(row.version.unwrap_or_default());
                    if let Some(list) = by_step.get_mut(step) {
                        list.push((decoded, version));
                    }
                }
                (Some(Step::Page { .. }), _) => {
                    found.page_step = Some(StepId::at(step));
                    found.keys.extend(row.k);
                }
                _ => {
                    return Err(ApiError::internal(
                        "a plan answered a step it does not have",
                    ));
                }
            }
        }
        if let Some(Step::Page { limit, .. }) =
            found.page_step.and_then(|s| plan.steps().get(s.index()))
        {
            found.keys.sort();
            found.more = found.keys.len() > *limit;
            found.keys.truncate(*limit);
        }
        for (i, step_rows) in by_step.into_iter().enumerate() {
            for lookup in plan.lookups(StepId::at(i), &found) {
                let matching: Vec<&(Row, u32)> = step_rows
                    .iter()
                    .filter(|(r, _)| lookup.matches_row(r))
                    .collect();
                loaded.rows = loaded.rows.saturating_add(matching.len());
                for (row, version) in &matching {
                    loaded
                        .read
                        .entry(row.point_lookup())
                        .or_insert_with(|| vec![(row.key(), *version)]);
                }
                let versions = matching.iter().map(|(r, v)| (r.key(), *v)).collect();
                loaded.read.insert(lookup.clone(), versions);
                state.hold(lookup, matching.into_iter().map(|(r, _)| r.clone()));
            }
            found
                .rows
                .push(step_rows.into_iter().map(|(r, _)| r).collect());
        }
        Ok(found)
    }

    /// The writes of `changes`: per table, one upsert of the rows it puts and one removal of
    /// the rows it removes (a row written twice counts once, as last written).
    fn writes(&self, changes: &[Change]) -> Result<Vec<Statement>, ApiError> {
        let mut last: BTreeMap<(&'static str, String), usize> = BTreeMap::new();
        let rows: Vec<(Row, bool)> = changes.iter().map(Change::row).collect();
        for (i, (row, _)) in rows.iter().enumerate() {
            last.insert((row.table().name, row.key()), i);
        }
        let mut tables: Vec<(Table, Vec<RowValues>, Vec<Vec<String>>)> = Vec::new();
        for (i, (row, delete)) in rows.iter().enumerate() {
            if last.get(&(row.table().name, row.key())) != Some(&i) {
                continue;
            }
            let table = row.table();
            let at = match tables.iter().position(|(t, _, _)| *t == table) {
                Some(at) => at,
                None => {
                    tables.push((table, Vec::new(), Vec::new()));
                    tables.len() - 1
                }
            };
            let Some((_, puts, removals)) = tables.get_mut(at) else {
                continue;
            };
            if *delete {
                removals.push(
                    table
                        .key
                        .iter()
                        .map(|c| row.column(c).unwrap_or_default())
                        .collect(),
                );
            } else {
                puts.push(sql::row_values(row).map_err(ApiError::internal)?);
            }
        }
        let mut statements = Vec::new();
        for (table, puts, removals) in &tables {
            if !puts.is_empty() {
                statements.push(self.generated(&sql::upsert(table, puts))?);
            }
            if !removals.is_empty() {
                statements.push(self.generated(&sql::remove(table, removals))?);
            }
        }
        Ok(statements)
    }

    /// Writes changes and events in one transaction, guarded by every lookup in `used` (what the
    /// decision relied on, as loaded), and the request's answer for its idempotency key when it
    /// holds one. `Err(Transport::WriteConflict)` when another writer changed any of them first;
    /// `Err(Transport::IdempotencyKeyInUse)` when another request took the key over (the lease
    /// ran out): then nothing is written.
    pub async fn persist(
        &self,
        loaded: &Loaded,
        used: &BTreeSet<Lookup>,
        changes: &[Change],
        events: &[Event],
        answer: Option<(&idempotency::Claim, &Stored)>,
    ) -> Result<(), ApiError> {
        let relied: BTreeMap<Lookup, Versions> = (loaded.read.iter())
            .filter(|(lookup, _)| used.contains(*lookup))
            .map(|(l, v)| (l.clone(), v.clone()))
            .collect();
        let mut statements = Vec::new();
        let guarded = sql::guards(&relied);
        if let Some(guards) = &guarded {
            statements.push(self.generated(guards)?);
        }
        statements.extend(self.writes(changes)?);
        if !events.is_empty() {
            let mut list = Vec::with_capacity(events.len());
            for event in events {
                let value = serde_json::to_value(event).map_err(ApiError::internal)?;
                let payload = value
                    .get("payload")
                    .map(ToString::to_string)
                    .unwrap_or_else(|| "{}".to_owned());
                list.push([
                    Some(event.payload.event_type().to_owned()),
                    Some(event.at.to_string()),
                    event.actor_id.as_ref().map(ToString::to_string),
                    Some(payload),
                ]);
            }
            statements.push(self.generated(&sql::events(&list))?);
        }
        if guarded.is_some() {
            statements.push(self.statement("DELETE FROM guards", &[])?);
        }
        if let Some((claim, answer)) = answer {
            statements.extend(self.answer_statements(claim, answer)?);
        }
        if statements.is_empty() {
            return Ok(());
        }
        // Events go to the store's webhook endpoints, if it has any: asked here, in the same
        // round trip, so that starting their delivery after the answer reads nothing more.
        let ask_endpoints = !events.is_empty();
        if ask_endpoints {
            statements.push(self.statement(
                "SELECT count(*) AS n FROM webhooks WHERE store_id = ?1",
                &[text(self.store.as_str())],
            )?);
        }
        match self.db.batch(statements).await {
            Ok(results) => {
                if ask_endpoints {
                    #[derive(Deserialize)]
                    struct Count {
                        n: f64,
                    }
                    let any = (results.last().map(|r| r.results::<Count>()))
                        .transpose()?
                        .and_then(|rows| rows.into_iter().next())
                        .is_some_and(|c| c.n > 0.0);
                    self.db.meter().set_endpoints(any);
                }
                Ok(())
            }
            Err(error) => {
                let message = error.message();
                if message.contains(idempotency::CLAIM_HELD) {
                    Err(crate::idempotency::in_use())
                } else if message.contains("constraint failed") {
                    Err(ApiError::transport(
                        Transport::WriteConflict,
                        "another change to the same records won; try again",
                    ))
                } else {
                    Err(error.into())
                }
            }
        }
    }

    /// The store's events after `cursor`, oldest first, at most `limit`.
    pub async fn events(&self, after: i64, limit: u32) -> Result<Vec<serde_json::Value>, ApiError> {
        let result = self.db.all(self.events_statement(after, limit)?).await?;
        Self::events_of(&result)
    }

    /// The statement that reads the store's events after `cursor`, oldest first, at most
    /// `limit`, to run in a batch ([`Store::events_of`] reads its result).
    pub fn events_statement(&self, after: i64, limit: u32) -> Result<Statement, ApiError> {
        #[expect(clippy::cast_precision_loss, reason = "cursors stay far below 2^53")]
        let after = after as f64;
        self.statement(
            "SELECT cursor, type, at, actor_id, payload FROM events WHERE store_id = ?1 AND cursor > ?2 ORDER BY cursor LIMIT ?3",
            &[text(self.store.as_str()), JsValue::from_f64(after), JsValue::from_f64(f64::from(limit))],
        )
    }

    /// The events an [`Store::events_statement`] read, as the feed answers them.
    pub fn events_of(result: &D1Result) -> Result<Vec<serde_json::Value>, ApiError> {
        let rows = result.results::<EventRow>()?;
        rows.into_iter().map(EventRow::into_json).collect()
    }
}

/// One row of the `events` table.
#[derive(Deserialize)]
pub struct EventRow {
    cursor: f64,
    #[serde(rename = "type")]
    event_type: String,
    at: String,
    actor_id: Option<String>,
    payload: String,
}

impl EventRow {
    /// The event as the feed answers it (and webhooks deliver it).
    pub fn into_json(self) -> Result<serde_json::Value, ApiError> {
        let payload: serde_json::Value =
            serde_json::from_str(&self.payload).map_err(ApiError::internal)?;
        #[expect(
            clippy::cast_possible_truncation,
            reason = "cursors are integers below 2^53"
        )]
        let cursor = self.cursor as i64;
        Ok(serde_json::json!({
            "cursor": cursor.to_string(),
            "type": self.event_type,
            "at": self.at,
            "actorId": self.actor_id,
            "payload": payload,
        }))
    }
}
