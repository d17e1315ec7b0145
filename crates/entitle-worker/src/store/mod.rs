//! All SQL. The rules say what a decision reads ([`Read`]: a record by key, or the records of
//! one indexed relation); this module answers each read with one indexed query, generically,
//! from the rules' record registry ([`entitle_rules::Record`]). A command's changes, its events
//! and a guard for every read its decision relied on are written in one D1 batch (one
//! transaction): if any read would now return other rows or other versions, a guard fails, the
//! batch rolls back whole, and the command runs again on fresh state. So a command commits only
//! on the facts it read.

pub mod idempotency;
pub mod settings;
pub mod webhooks;

use crate::http::{ApiError, Stored, Transport};
use entitle_rules::ids::StoreId;
use entitle_rules::list::Source;
use entitle_rules::read::{Lookup, Table};
use entitle_rules::{Change, Event, Read, Row, State};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use worker::wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

/// A store's view of the database.
pub struct Store {
    db: D1Database,
    store: StoreId,
}

#[derive(Deserialize)]
struct StoredRow {
    version: f64,
    data: String,
}

fn text(value: &str) -> JsValue {
    JsValue::from_str(value)
}

fn opt(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from_str)
}

/// What the reads of one request returned: for each read, the key and version of every row, in
/// key order. The guards of a command are computed from it.
#[derive(Default)]
pub struct Loaded {
    reads: BTreeMap<Read, Vec<(String, u32)>>,
    rows: usize,
}

impl Loaded {
    /// How many rows were loaded in all.
    pub fn rows(&self) -> usize {
        self.rows
    }
}

/// Rows deleted from a table stay as tombstones whose version keeps counting, so a row that
/// is removed and written again never shows a version a guard has seen before.
fn live(table: &Table) -> &'static str {
    if table.name == "shares" {
        " AND deleted = 0"
    } else {
        ""
    }
}

/// `key1 || char(31) || key2`: the key as `Record::key` builds it.
fn key_expr(table: &Table) -> String {
    table.key.join(" || char(31) || ")
}

fn filters_sql(lookup: &Lookup, first: usize) -> String {
    lookup
        .filters
        .iter()
        .enumerate()
        .map(|(i, (column, _))| format!(" AND {column} = ?{}", first + i))
        .collect()
}

fn expected(rows: &[(String, u32)]) -> String {
    let mut items: Vec<String> = rows.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    items.sort();
    items.join(",")
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "versions are small positive integers"
)]
fn version(value: f64) -> u32 {
    value as u32
}

/// Reads one query answers together: one table, and either one filter column shared by all
/// (then any number of reads) or a single read of any shape.
struct Group {
    table: Table,
    column: Option<&'static str>,
    reads: Vec<(Read, Lookup)>,
}

fn group(reads: impl IntoIterator<Item = Read>) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for read in reads {
        let lookup = read.lookup();
        let column = match lookup.filters.as_slice() {
            [(column, _)] => Some(*column),
            _ => None,
        };
        match groups
            .iter_mut()
            .find(|g| column.is_some() && g.column == column && g.table == lookup.table)
        {
            Some(g) => g.reads.push((read, lookup)),
            None => groups.push(Group {
                table: lookup.table,
                column,
                reads: vec![(read, lookup)],
            }),
        }
    }
    groups
}

impl Store {
    /// The database of one store.
    pub fn new(db: D1Database, store: StoreId) -> Self {
        Self { db, store }
    }

    /// The store's id.
    pub fn id(&self) -> &StoreId {
        &self.store
    }

    fn statement(&self, sql: &str, params: &[JsValue]) -> Result<D1PreparedStatement, ApiError> {
        Ok(self.db.prepare(sql).bind(params)?)
    }

    /// Loads `reads` into `state` in one round trip. Reads of one table on one column are
    /// answered by one query together (`column IN (…)`), so a thousand point reads cost a
    /// handful of statements. A read with more than `cap` rows is refused with `too_large`.
    pub async fn fill(
        &self,
        state: &mut State,
        reads: BTreeSet<Read>,
        loaded: &mut Loaded,
        cap: usize,
        too_large: impl Fn() -> ApiError,
    ) -> Result<(), ApiError> {
        let groups = group(reads);
        if groups.is_empty() {
            return Ok(());
        }
        let mut statements = Vec::with_capacity(groups.len());
        for g in &groups {
            let limit = cap.saturating_add(1).saturating_mul(g.reads.len());
            let (filter, params) = self.filter(g, 2)?;
            let sql = format!(
                "SELECT version, data FROM {} WHERE store_id = ?1{filter}{} LIMIT {limit}",
                g.table.name,
                live(&g.table),
            );
            statements.push(self.statement(&sql, &params)?);
        }
        let results = self.db.batch(statements).await?;
        for (g, result) in groups.into_iter().zip(results) {
            let mut found: Vec<Vec<(Row, u32)>> = g.reads.iter().map(|_| Vec::new()).collect();
            for row in result.results::<StoredRow>()? {
                let mut de = serde_json::Deserializer::from_str(&row.data);
                let decoded = Row::decode(g.table.name, &mut de).map_err(|e| {
                    ApiError::internal(format!("a stored record does not decode: {e}"))
                })?;
                let slot = g
                    .reads
                    .iter()
                    .position(|(read, _)| read.matches_row(&decoded));
                if let Some(rows) = slot.and_then(|i| found.get_mut(i)) {
                    rows.push((decoded, version(row.version)));
                }
            }
            for ((read, _), rows) in g.reads.into_iter().zip(found) {
                if rows.len() > cap {
                    return Err(too_large());
                }
                loaded.rows = loaded.rows.saturating_add(rows.len());
                let versions = rows.iter().map(|(r, v)| (r.key(), *v)).collect();
                loaded.reads.insert(read.clone(), versions);
                state.hold(read, rows.into_iter().map(|(r, _)| r));
            }
        }
        Ok(())
    }

    /// The `WHERE` conditions of a group after the store id, numbering parameters from `first`,
    /// and the parameters (the store id first).
    fn filter(&self, g: &Group, first: usize) -> Result<(String, Vec<JsValue>), ApiError> {
        let mut params = vec![text(self.store.as_str())];
        match (&g.column, g.reads.as_slice()) {
            (Some(column), reads) if reads.len() > 1 => {
                let values: Vec<&str> = reads
                    .iter()
                    .filter_map(|(_, l)| l.filters.first().map(|(_, v)| v.as_str()))
                    .collect();
                params.push(text(
                    &serde_json::to_string(&values).map_err(ApiError::internal)?,
                ));
                Ok((
                    format!(" AND {column} IN (SELECT value FROM json_each(?{first}))"),
                    params,
                ))
            }
            (_, [(_, lookup)]) => {
                params.extend(lookup.filters.iter().map(|(_, v)| text(v)));
                Ok((filters_sql(lookup, first), params))
            }
            _ => Err(ApiError::internal("a read group mixes columns")),
        }
    }

    /// A guard for a group of reads: the rows they return now must be the rows they returned
    /// then, at the same versions, or the batch fails.
    fn guard(&self, g: &Group, loaded: &Loaded) -> Result<D1PreparedStatement, ApiError> {
        let rows: Vec<(String, u32)> = g
            .reads
            .iter()
            .filter_map(|(read, _)| loaded.reads.get(read))
            .flatten()
            .cloned()
            .collect();
        let (filter, mut params) = self.filter(g, 3)?;
        let sql = format!(
            "INSERT INTO guards (ok) SELECT coalesce((SELECT group_concat(k, ',') FROM (SELECT {} || ':' || version AS k FROM {} WHERE store_id = ?1{filter}{} ORDER BY k)), '') = ?2",
            key_expr(&g.table),
            g.table.name,
            live(&g.table),
        );
        params.insert(1, text(&expected(&rows)));
        self.statement(&sql, &params)
    }

    /// One page of a list: the keys of at most `limit` items after `after`, in key order, and
    /// whether more follow. One indexed range query per source relation; the rows it returns are
    /// held in `state` by their own key, for the item views to read.
    pub async fn page(
        &self,
        state: &mut State,
        source: &Source,
        after: &str,
        limit: usize,
    ) -> Result<(Vec<String>, bool), ApiError> {
        let mut statements = Vec::with_capacity(source.0.len());
        for (read, column) in &source.0 {
            let lookup = read.lookup();
            let n = lookup.filters.len() + 2;
            let sql = format!(
                "SELECT version, data FROM {} WHERE store_id = ?1{} AND {column} > ?{n}{} ORDER BY {column} LIMIT {}",
                lookup.table.name,
                filters_sql(&lookup, 2),
                live(&lookup.table),
                limit.saturating_add(1),
            );
            let mut params = vec![text(self.store.as_str())];
            params.extend(lookup.filters.iter().map(|(_, v)| text(v)));
            params.push(text(after));
            statements.push(self.statement(&sql, &params)?);
        }
        let results = self.db.batch(statements).await?;
        let mut items: BTreeMap<String, Vec<Row>> = BTreeMap::new();
        for ((read, column), result) in source.0.iter().zip(results) {
            let table = read.lookup().table;
            for row in result.results::<StoredRow>()? {
                let mut de = serde_json::Deserializer::from_str(&row.data);
                let decoded = Row::decode(table.name, &mut de).map_err(|e| {
                    ApiError::internal(format!("a stored record does not decode: {e}"))
                })?;
                if let Some(key) = decoded.column(column) {
                    items.entry(key).or_default().push(decoded);
                }
            }
        }
        let more = items.len() > limit;
        let mut keys = Vec::with_capacity(limit);
        for (key, rows) in items.into_iter().take(limit) {
            for row in rows {
                let read = row.point_read();
                if !state.held().contains(&read) {
                    state.hold(read, [row]);
                }
            }
            keys.push(key);
        }
        Ok((keys, more))
    }

    fn write(&self, change: &Change) -> Result<D1PreparedStatement, ApiError> {
        let (row, delete) = change.row();
        let table = row.table();
        let key_where: String = table
            .key
            .iter()
            .enumerate()
            .map(|(i, k)| format!(" AND {k} = ?{}", i + 2))
            .collect();
        let mut params = vec![text(self.store.as_str())];
        params.extend(table.key.iter().map(|k| opt(row.column(k).as_deref())));
        if delete {
            return self.statement(
                &format!(
                    "UPDATE {} SET deleted = 1, version = version + 1 WHERE store_id = ?1{key_where}",
                    table.name
                ),
                &params,
            );
        }
        params.extend(table.indexed.iter().map(|c| opt(row.column(c).as_deref())));
        let mut data = Vec::new();
        row.serialize_record(&mut serde_json::Serializer::new(&mut data))
            .map_err(ApiError::internal)?;
        let data = String::from_utf8(data).map_err(ApiError::internal)?;
        params.push(text(&data));
        let columns: Vec<&str> = table.key.iter().chain(table.indexed).copied().collect();
        let marks: Vec<String> = (2..=params.len()).map(|i| format!("?{i}")).collect();
        let mut updates: Vec<String> = table
            .indexed
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        updates.push("data = excluded.data".to_owned());
        updates.push(format!("version = {}.version + 1", table.name));
        if !live(&table).is_empty() {
            updates.push("deleted = 0".to_owned());
        }
        let sql = format!(
            "INSERT INTO {t} (store_id, {cols}, data, version) VALUES (?1, {marks}, 1) ON CONFLICT (store_id, {keys}) DO UPDATE SET {updates}",
            t = table.name,
            cols = columns.join(", "),
            marks = marks.join(", "),
            keys = table.key.join(", "),
            updates = updates.join(", "),
        );
        self.statement(&sql, &params)
    }

    /// Writes changes and events in one transaction, guarded by every read in `loaded`, and the
    /// request's answer for its idempotency key when it holds one.
    /// `Err(Transport::WriteConflict)` when another writer changed any of the reads first;
    /// `Err(Transport::IdempotencyKeyInUse)` when another request took the key over (the lease
    /// ran out): then nothing is written.
    pub async fn persist(
        &self,
        loaded: &Loaded,
        changes: &[Change],
        events: &[Event],
        answer: Option<(&idempotency::Claim, &Stored)>,
    ) -> Result<(), ApiError> {
        let mut statements = Vec::new();
        for g in group(loaded.reads.keys().cloned()) {
            statements.push(self.guard(&g, loaded)?);
        }
        for change in changes {
            statements.push(self.write(change)?);
        }
        for event in events {
            let value = serde_json::to_value(event).map_err(ApiError::internal)?;
            let payload = value
                .get("payload")
                .map(ToString::to_string)
                .unwrap_or_else(|| "{}".to_owned());
            statements.push(self.statement(
                "INSERT INTO events (store_id, type, at, actor_id, payload) VALUES (?1, ?2, ?3, ?4, ?5)",
                &[
                    text(self.store.as_str()),
                    text(event.payload.event_type()),
                    text(&event.at.to_string()),
                    opt(event.actor_id.as_ref().map(|a| a.as_str())),
                    text(&payload),
                ],
            )?);
        }
        statements.push(self.statement("DELETE FROM guards", &[])?);
        if let Some((claim, answer)) = answer {
            statements.extend(self.answer_statements(claim, answer)?);
        }
        match self.db.batch(statements).await {
            Ok(_) => Ok(()),
            Err(error) => {
                let message = error.to_string();
                if message.contains(idempotency::CLAIM_HELD) {
                    Err(crate::idempotency::in_use())
                } else if message.contains("constraint failed") {
                    Err(ApiError::transport(
                        Transport::WriteConflict,
                        "another change to the same records won; try again",
                    ))
                } else {
                    Err(ApiError::internal(message))
                }
            }
        }
    }

    /// The store's events after `cursor`, oldest first, at most `limit`.
    pub async fn events(&self, after: i64, limit: u32) -> Result<Vec<serde_json::Value>, ApiError> {
        #[expect(clippy::cast_precision_loss, reason = "cursors stay far below 2^53")]
        let after = after as f64;
        let rows = self
            .statement(
                "SELECT cursor, type, at, actor_id, payload FROM events WHERE store_id = ?1 AND cursor > ?2 ORDER BY cursor LIMIT ?3",
                &[text(self.store.as_str()), JsValue::from_f64(after), JsValue::from_f64(f64::from(limit))],
            )?
            .all()
            .await?
            .results::<EventRow>()?;
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
