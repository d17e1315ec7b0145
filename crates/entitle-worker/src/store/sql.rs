//! The SQL of read plans, guards and many-row writes, as text and parameters: pure, so it is
//! tested natively against SQLite (`tests` below) and sent to D1 by the store.
//!
//! - A read plan ([`entitle_rules::plan::Plan`]) becomes ONE statement: each step a common
//!   table expression that filters its table on given values or on the values of earlier steps
//!   (subqueries), the page of a list a union of index range scans, and the answer every step's
//!   rows tagged with the step's number. However many hops a decision makes, it is one round
//!   trip and one statement.
//! - The guards of a command become one statement: for every group of lookups it relied on
//!   (one table, one set of filter columns), the keys and versions of their rows now must be
//!   the ones it read (`INSERT INTO guards … CHECK (ok = 1)`).
//! - Writes of one table become one upsert of many rows (`json_each` over one parameter), so
//!   a 1,000-record import is a handful of statements.
//!
//! Every statement filters on the store id (`?1`), and every value is a bound parameter.

use entitle_rules::Row;
use entitle_rules::plan::{Arg, Origin, Plan, Step};
use entitle_rules::read::{Lookup, Table};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A statement's text and its parameters (all text; `None` is SQL null).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sql {
    /// The SQL text, with numbered parameters (`?1` is the store id).
    pub text: String,
    /// The parameters after the store id, from `?2` on.
    pub params: Vec<Option<String>>,
}

/// Numbered parameters, each distinct value bound once.
struct Params {
    values: Vec<Option<String>>,
}

impl Params {
    fn new() -> Self {
        Self { values: Vec::new() }
    }

    /// The placeholder of `value` (`?2` and up; `?1` is the store id).
    fn bind(&mut self, value: &str) -> String {
        let position = match (self.values.iter()).position(|v| v.as_deref() == Some(value)) {
            Some(i) => i,
            None => {
                self.values.push(Some(value.to_owned()));
                self.values.len() - 1
            }
        };
        format!("?{}", position + 2)
    }
}

/// `deleted = 0` for a table whose removed rows stay as tombstones.
fn live(table: &Table) -> &'static str {
    if table.tombstones {
        " AND deleted = 0"
    } else {
        ""
    }
}

/// `key1 || char(31) || key2`: a row's key as `Record::key` builds it.
pub fn key_expr(table: &Table) -> String {
    table.key.join(" || char(31) || ")
}

/// A column of `table` in SQL: a stored column, or a followed value read from the JSON.
fn column(table: &Table, name: &str, alias: &str) -> String {
    match table.follow(name) {
        Some(follow) if !table.stores(name) => {
            format!("json_extract({alias}data, '{}')", follow.path)
        }
        _ => format!("{alias}{name}"),
    }
}

/// The step CTE's name.
fn cte(step: usize) -> String {
    format!("s{step}")
}

/// `SELECT <values> FROM s<n> WHERE <when>` for one origin of a filter's values.
fn origin_sql(plan: &Plan, origin: &Origin, params: &mut Params) -> String {
    let name = cte(origin.step.index());
    let prefix = if origin.prefix.is_empty() {
        String::new()
    } else {
        format!("{} || ", params.bind(origin.prefix))
    };
    let table = match plan.steps().get(origin.step.index()) {
        Some(Step::Lookup { table, .. }) => *table,
        // The page's keys: its first `limit` (the page reads one more, to tell whether more
        // follow, whose item is not shown).
        Some(Step::Page { limit, .. }) => {
            return format!(
                "SELECT {prefix}k FROM (SELECT k FROM {name} ORDER BY k LIMIT {limit})"
            );
        }
        None => return "SELECT NULL WHERE 0".to_owned(),
    };
    let alias = format!("{name}.");
    let when: String = (origin.when.iter())
        .map(|(c, v)| format!(" AND {} = {}", column(&table, c, &alias), params.bind(v)))
        .collect();
    match table.follow(origin.column) {
        Some(follow) if follow.many => format!(
            "SELECT {prefix}item.value FROM {name}, json_each({name}.data, '{}') AS item WHERE 1{when}",
            follow.path
        ),
        _ => format!(
            "SELECT {prefix}{} FROM {name} WHERE 1{when}",
            column(&table, origin.column, &alias)
        ),
    }
}

/// The `WHERE` conditions of a lookup step after the store id.
fn filters_sql(plan: &Plan, filters: &[(&'static str, Arg)], params: &mut Params) -> String {
    let mut sql = String::new();
    for (name, arg) in filters {
        match arg {
            Arg::Is(value) => {
                let _ = write!(sql, " AND {name} = {}", params.bind(value));
            }
            Arg::AnyOf(values) => {
                let list = serde_json::to_string(values).unwrap_or_else(|_| "[]".to_owned());
                let _ = write!(
                    sql,
                    " AND {name} IN (SELECT value FROM json_each({}))",
                    params.bind(&list)
                );
            }
            Arg::From(origins) if origins.is_empty() => sql.push_str(" AND 0"),
            Arg::From(origins) => {
                // One `IN` per origin, joined by `OR`: D1 allows five terms in a compound
                // SELECT, and a snapshot's people come from some twenty relations.
                let ins: Vec<String> = (origins.iter())
                    .map(|o| format!("{name} IN ({})", origin_sql(plan, o, params)))
                    .collect();
                let _ = write!(sql, " AND ({})", ins.join(" OR "));
            }
        }
    }
    sql
}

/// The page of a list: the keys after `after` of every relation, in key order, `limit + 1` of
/// them (one more tells whether more follow). Each relation is an index range scan bounded
/// by the limit too.
fn page_sql(
    source: &entitle_rules::list::Source,
    after: &str,
    limit: usize,
    params: &mut Params,
) -> String {
    let after = params.bind(after);
    let bound = limit.saturating_add(1);
    let relations: Vec<String> = (source.0.iter())
        .map(|r| {
            let value = match &r.value {
                entitle_rules::list::Value::Is(v) => params.bind(v),
                entitle_rules::list::Value::Via(read, via_column) => {
                    let lookup = read.lookup();
                    let filters: String = (lookup.filters.iter())
                        .map(|(c, v)| format!(" AND {c} = {}", params.bind(v)))
                        .collect();
                    format!(
                        "(SELECT {via_column} FROM {} WHERE store_id = ?1{filters}{})",
                        lookup.table.name,
                        live(&lookup.table)
                    )
                }
            };
            let op = if matches!(r.value, entitle_rules::list::Value::Via(..)) {
                "IN"
            } else {
                "="
            };
            format!(
                "SELECT * FROM (SELECT {key} AS k FROM {table} WHERE store_id = ?1 AND {column} {op} {value} AND {key} > {after}{live} ORDER BY {key} LIMIT {bound})",
                key = r.key,
                table = r.table.name,
                column = r.column,
                live = live(&r.table),
            )
        })
        .collect();
    if relations.is_empty() {
        return "SELECT NULL AS k WHERE 0".to_owned();
    }
    format!(
        "SELECT k FROM ({}) ORDER BY k LIMIT {bound}",
        union_tree(relations, "UNION")
    )
}

/// The most terms D1 allows in one compound SELECT (`SQLITE_LIMIT_COMPOUND_SELECT` in workerd).
pub const COMPOUND_TERMS: usize = 5;

/// `selects` joined by `op` (`UNION ALL`, `UNION`) as a tree of compounds of at most
/// [`COMPOUND_TERMS`] terms each: groups become subqueries of the next level.
fn union_tree(mut selects: Vec<String>, op: &str) -> String {
    while selects.len() > COMPOUND_TERMS {
        selects = (selects.chunks(COMPOUND_TERMS))
            .map(|group| format!("SELECT * FROM ({})", group.join(&format!(" {op} "))))
            .collect();
    }
    selects.join(&format!(" {op} "))
}

/// The one statement that answers a whole plan: rows `(step, k, version, data)`, ordered by
/// step and key, at most `cap + 1` of them (more than `cap` means too many to read). The page's
/// keys come as rows of its step with a null `data`.
pub fn plan(plan: &Plan, cap: usize) -> Sql {
    let mut params = Params::new();
    let mut ctes = Vec::with_capacity(plan.steps().len());
    let mut selects = Vec::with_capacity(plan.steps().len());
    for (i, step) in plan.steps().iter().enumerate() {
        let name = cte(i);
        match step {
            Step::Lookup { table, filters } => {
                let filters = filters_sql(plan, filters, &mut params);
                ctes.push(format!(
                    "{name} AS (SELECT * FROM {} WHERE store_id = ?1{filters}{})",
                    table.name,
                    live(table)
                ));
                selects.push(format!(
                    "SELECT {i} AS step, {} AS k, version, data FROM {name}",
                    key_expr(table)
                ));
            }
            Step::Page {
                source,
                after,
                limit,
            } => {
                let page = page_sql(source, after, *limit, &mut params);
                ctes.push(format!("{name} AS ({page})"));
                selects.push(format!(
                    "SELECT {i} AS step, k, 0 AS version, NULL AS data FROM {name}"
                ));
            }
        }
    }
    if selects.is_empty() {
        return Sql {
            text: "SELECT NULL AS step, NULL AS k, NULL AS version, NULL AS data WHERE 0".into(),
            params: Vec::new(),
        };
    }
    let text = format!(
        "WITH {} {} ORDER BY step, k LIMIT {}",
        ctes.join(", "),
        union_tree(selects, "UNION ALL"),
        cap.saturating_add(1)
    );
    Sql {
        text,
        params: params.values,
    }
}

/// What a group of guarded lookups returned: the keys and versions of their rows.
pub type Versions = Vec<(String, u32)>;

/// `key:version` of each row, sorted, joined by commas: what a guard compares.
pub fn expected(rows: &Versions) -> String {
    let mut items: Vec<String> = rows.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    items.sort();
    items.join(",")
}

/// The one statement that guards every lookup a command relied on: per group of lookups on one
/// table and one set of columns, the rows they return now must be the rows they returned
/// (same keys, same versions), or the insert breaks the `guards` table's check and the whole
/// batch rolls back. `None` when nothing was read.
pub fn guards(read: &BTreeMap<Lookup, Versions>) -> Option<Sql> {
    /// Lookups of one table on one set of columns: their values, and the rows they read.
    type Group = (Vec<Vec<String>>, Versions);
    let mut groups: BTreeMap<(Table, Vec<&'static str>), Group> = BTreeMap::new();
    for (lookup, rows) in read {
        let group = groups.entry((lookup.table, lookup.columns())).or_default();
        group.0.push(lookup.values());
        for row in rows {
            if !group.1.contains(row) {
                group.1.push(row.clone());
            }
        }
    }
    if groups.is_empty() {
        return None;
    }
    let mut params = Params::new();
    let mut checks = Vec::with_capacity(groups.len());
    for ((table, columns), (values, rows)) in groups {
        let filter = match columns.as_slice() {
            [column] => {
                let list: Vec<&String> = values.iter().filter_map(|v| v.first()).collect();
                let list = serde_json::to_string(&list).unwrap_or_else(|_| "[]".to_owned());
                format!(
                    "{column} IN (SELECT value FROM json_each({}))",
                    params.bind(&list)
                )
            }
            _ => {
                let list = serde_json::to_string(&values).unwrap_or_else(|_| "[]".to_owned());
                let picks: Vec<String> = (0..columns.len())
                    .map(|i| format!("json_extract(value, '$[{i}]')"))
                    .collect();
                format!(
                    "({}) IN (SELECT {} FROM json_each({}))",
                    columns.join(", "),
                    picks.join(", "),
                    params.bind(&list)
                )
            }
        };
        checks.push(format!(
            "coalesce((SELECT group_concat(k, ',') FROM (SELECT {} || ':' || version AS k FROM {} WHERE store_id = ?1 AND {filter}{} ORDER BY k)), '') = {}",
            key_expr(&table),
            table.name,
            live(&table),
            params.bind(&expected(&rows)),
        ));
    }
    Some(Sql {
        text: format!("INSERT INTO guards (ok) SELECT {}", checks.join(" AND ")),
        params: params.values,
    })
}

/// One row to write: its key, then its indexed columns (in the table's order), then its JSON.
pub type RowValues = Vec<Option<String>>;

/// The values [`upsert`] writes for `row`.
pub fn row_values(row: &Row) -> Result<RowValues, serde_json::Error> {
    let table = row.table();
    let mut values: RowValues = (table.key.iter().chain(table.indexed))
        .map(|c| row.column(c))
        .collect();
    let mut data = Vec::new();
    row.serialize_record(&mut serde_json::Serializer::new(&mut data))?;
    values.push(Some(String::from_utf8_lossy(&data).into_owned()));
    Ok(values)
}

/// The upsert of many rows of `table` in one statement: each row's key, indexed columns and
/// record come from one JSON array parameter.
pub fn upsert(table: &Table, rows: &[RowValues]) -> Sql {
    let columns: Vec<&str> = table.key.iter().chain(table.indexed).copied().collect();
    let picks: Vec<String> = (0..=columns.len())
        .map(|i| format!("json_extract(value, '$[{i}]')"))
        .collect();
    let mut updates: Vec<String> = (table.indexed.iter())
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    updates.push("data = excluded.data".to_owned());
    updates.push(format!("version = {}.version + 1", table.name));
    if table.tombstones {
        updates.push("deleted = 0".to_owned());
    }
    let mut params = Params::new();
    let list = serde_json::to_string(rows).unwrap_or_else(|_| "[]".to_owned());
    let text = format!(
        "INSERT INTO {t} (store_id, {cols}, data, version) SELECT ?1, {picks}, 1 FROM json_each({p}) WHERE 1 ORDER BY key ON CONFLICT (store_id, {keys}) DO UPDATE SET {updates}",
        t = table.name,
        cols = columns.join(", "),
        picks = picks.join(", "),
        p = params.bind(&list),
        keys = table.key.join(", "),
        updates = updates.join(", "),
    );
    Sql {
        text,
        params: params.values,
    }
}

/// The removal of many rows of a table with tombstones: each keeps counting its version.
pub fn remove(table: &Table, keys: &[Vec<String>]) -> Sql {
    let picks: Vec<String> = (0..table.key.len())
        .map(|i| format!("json_extract(value, '$[{i}]')"))
        .collect();
    let mut params = Params::new();
    let list = serde_json::to_string(keys).unwrap_or_else(|_| "[]".to_owned());
    let text = format!(
        "UPDATE {t} SET deleted = 1, version = version + 1 WHERE store_id = ?1 AND ({cols}) IN (SELECT {picks} FROM json_each({p}))",
        t = table.name,
        cols = table.key.join(", "),
        picks = picks.join(", "),
        p = params.bind(&list),
    );
    Sql {
        text,
        params: params.values,
    }
}

/// The insert of many events in one statement, in order: each `[type, at, actorId, payload]`.
pub fn events(events: &[[Option<String>; 4]]) -> Sql {
    let mut params = Params::new();
    let list = serde_json::to_string(events).unwrap_or_else(|_| "[]".to_owned());
    let text = format!(
        "INSERT INTO events (store_id, type, at, actor_id, payload) SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]') FROM json_each({}) ORDER BY key",
        params.bind(&list)
    );
    Sql {
        text,
        params: params.values,
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::panic,
        clippy::indexing_slicing,
        reason = "test code fails loudly"
    )]
    //! The generated SQL run on a real SQLite with the migrations applied: every plan of the
    //! rules answers exactly what the rules' own loading (`Plan::load`) answers on the same
    //! records, guards pass on what was read and fail once a row changed, and many-row writes
    //! write what one-row writes would.

    use super::*;
    use entitle_rules::action::{Resource, ResourceType};
    use entitle_rules::ids::{AccountId, ContractId, ProjectId};
    use entitle_rules::model::Account;
    use entitle_rules::plan::Found;
    use entitle_rules::{Change, State, plans};
    use rusqlite::Connection;
    use std::collections::BTreeSet;

    const STORE: &str = "store-a";

    fn database() -> Connection {
        let db = Connection::open_in_memory().unwrap();
        // D1's limits, as workerd sets them (measured on local D1 too).
        db.set_limit(rusqlite::limits::Limit::SQLITE_LIMIT_COMPOUND_SELECT, 5)
            .unwrap();
        db.set_limit(rusqlite::limits::Limit::SQLITE_LIMIT_EXPR_DEPTH, 100)
            .unwrap();
        db.set_limit(rusqlite::limits::Limit::SQLITE_LIMIT_SQL_LENGTH, 100_000)
            .unwrap();
        db.set_limit(rusqlite::limits::Limit::SQLITE_LIMIT_LENGTH, 2_000_000)
            .unwrap();
        db.set_limit(rusqlite::limits::Limit::SQLITE_LIMIT_VARIABLE_NUMBER, 100)
            .unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            db.execute_batch(&std::fs::read_to_string(file).unwrap())
                .unwrap();
        }
        db
    }

    fn run(db: &Connection, sql: &Sql) -> Vec<Vec<rusqlite::types::Value>> {
        run_as(db, sql, STORE)
    }

    fn run_as(db: &Connection, sql: &Sql, store: &str) -> Vec<Vec<rusqlite::types::Value>> {
        let mut statement = db
            .prepare(&sql.text)
            .unwrap_or_else(|e| panic!("{e}: {}", sql.text));
        let mut params: Vec<rusqlite::types::Value> = vec![store.to_owned().into()];
        params.extend(sql.params.iter().map(|p| match p {
            Some(text) => rusqlite::types::Value::Text(text.clone()),
            None => rusqlite::types::Value::Null,
        }));
        let columns = statement.column_count();
        let rows = statement
            .query_map(rusqlite::params_from_iter(params), |row| {
                (0..columns).map(|i| row.get(i)).collect()
            })
            .unwrap();
        rows.map(Result::unwrap).collect()
    }

    fn execute(db: &Connection, sql: &Sql) -> rusqlite::Result<usize> {
        execute_as(db, sql, STORE)
    }

    fn execute_as(db: &Connection, sql: &Sql, store: &str) -> rusqlite::Result<usize> {
        let mut params: Vec<rusqlite::types::Value> = vec![store.to_owned().into()];
        params.extend(sql.params.iter().map(|p| match p {
            Some(text) => rusqlite::types::Value::Text(text.clone()),
            None => rusqlite::types::Value::Null,
        }));
        db.execute(&sql.text, rusqlite::params_from_iter(params))
    }

    /// Writes `changes` as the store does: one upsert per table, one removal per table.
    fn write(db: &Connection, changes: &[Change]) {
        write_as(db, changes, STORE);
    }

    fn write_as(db: &Connection, changes: &[Change], store: &str) {
        let mut puts: BTreeMap<&str, (Table, Vec<RowValues>)> = BTreeMap::new();
        let mut removals: BTreeMap<&str, (Table, Vec<Vec<String>>)> = BTreeMap::new();
        for change in changes {
            let (row, delete) = change.row();
            let table = row.table();
            if delete {
                let key = table.key.iter().map(|c| row.column(c).unwrap()).collect();
                removals
                    .entry(table.name)
                    .or_insert((table, Vec::new()))
                    .1
                    .push(key);
            } else {
                let values = row_values(&row).unwrap();
                puts.entry(table.name)
                    .or_insert((table, Vec::new()))
                    .1
                    .push(values);
            }
        }
        for (table, rows) in puts.values() {
            execute_as(db, &upsert(table, rows), store).unwrap();
        }
        for (table, keys) in removals.values() {
            execute_as(db, &remove(table, keys), store).unwrap();
        }
    }

    /// A store with every kind of record and relation: a company admin and employees, a
    /// reseller and its customers, projects shared and with licenses on them, transfers of
    /// both kinds, contracts with delegates, invitations and tickets, orders.
    fn world() -> State {
        serde_json::from_value(serde_json::json!({
            "accounts": [
                {"id": "admin", "email": "admin@corp.example", "name": "Admin", "kind": "integrator", "companyId": "corp", "companyRole": "admin"},
                {"id": "emp", "email": "emp@corp.example", "name": "Emp", "kind": "integrator", "companyId": "corp", "companyRole": "employee"},
                {"id": "emp2", "email": "emp2@corp.example", "name": "Emp 2", "kind": "diy", "companyId": "corp", "companyRole": "employee"},
                {"id": "reseller", "email": "sales@reseller.example", "name": "Reseller", "kind": "reseller"},
                {"id": "cust1", "email": "c1@shop.example", "name": "C1", "kind": "customer", "managedBy": "reseller"},
                {"id": "cust2", "email": "c2@shop.example", "name": "C2", "kind": "customer", "managedBy": "reseller"},
                {"id": "client", "email": "client@b.example", "name": "Client", "kind": "partner"},
                {"id": "dev", "email": "dev@team.example", "name": "Dev", "kind": "customer"},
                {"id": "stranger", "email": "s@else.example", "name": "S", "kind": "customer"}
            ],
            "products": [
                {"id": "hosting", "name": "Hosting", "family": "hosting", "billing": "recurring"},
                {"id": "panel", "name": "Panel", "family": "iridium", "billing": "one_off"}
            ],
            "licenses": [
                {"licenseKey": "L-EMP", "productId": "panel", "ownerId": "emp"},
                {"licenseKey": "L-EMP2", "productId": "panel", "ownerId": "emp2", "assignedBy": "emp2", "projectId": "p-emp", "assignedAt": "2026-01-01T00:00:00.000Z"},
                {"licenseKey": "L-C1", "productId": "panel", "ownerId": "cust1", "createdBy": "reseller", "createdAt": "2026-01-01T00:00:00.000Z", "resellerNotes": "n"},
                {"licenseKey": "L-C2", "productId": "hosting", "ownerId": "cust2"},
                {"licenseKey": "L-DEV", "productId": "panel", "ownerId": "dev", "projectId": "p-client", "assignedBy": "dev", "assignedAt": "2026-01-01T00:00:00.000Z"},
                {"licenseKey": "L-CLIENT", "productId": "hosting", "ownerId": "client", "projectId": "p-client", "assignedBy": "client", "assignedAt": "2026-01-01T00:00:00.000Z"},
                {"licenseKey": "L-O1", "productId": "hosting", "ownerId": "client"}
            ],
            "orders": [
                {"id": "o1", "ownerId": "client", "billingAccountId": "dev", "licenseKeys": ["L-O1", "L-CLIENT"], "recurring": true}
            ],
            "projects": [
                {"id": "p-client", "ownerId": "client", "name": "Shop", "kind": "standard", "serverActive": false, "activePanels": 0, "createdAt": "2026-01-01T00:00:00.000Z"},
                {"id": "p-emp", "ownerId": "emp2", "name": "Emp", "kind": "server", "serverActive": true, "activePanels": 0, "createdAt": "2026-01-01T00:00:00.000Z"},
                {"id": "p-gone", "ownerId": "client", "name": "Gone", "kind": "standard", "serverActive": false, "activePanels": 0, "createdAt": "2026-01-01T00:00:00.000Z"}
            ],
            "shares": [
                {"projectId": "p-client", "accountId": "dev", "sharedAt": "2026-01-01T00:00:00.000Z"},
                {"projectId": "p-client", "accountId": "stranger", "sharedAt": "2026-01-01T00:00:00.000Z"}
            ],
            "contracts": [
                {"id": "c1", "ownerId": "client", "productId": "hosting", "status": "active", "registeredAt": "2026-01-01T00:00:00.000Z", "billing": "recurring"},
                {"id": "c2", "ownerId": "client", "productId": "panel", "status": "active", "registeredAt": "2026-01-01T00:00:00.000Z", "billing": "one_off"}
            ],
            "delegates": [
                {"contractId": "c1", "accountId": "dev", "status": "active", "addedAt": "2026-01-02T00:00:00.000Z", "invitationId": "i1"}
            ],
            "invitations": [
                {"id": "i1", "contractId": "c1", "email": "dev@team.example", "accountId": "dev", "tokenHash": "h1", "status": "accepted", "createdAt": "2026-01-01T00:00:00.000Z", "expiresAt": "2026-01-08T00:00:00.000Z", "settledAt": "2026-01-02T00:00:00.000Z"},
                {"id": "i2", "contractId": "c1", "email": "s@else.example", "accountId": "stranger", "tokenHash": "h2", "status": "pending", "createdAt": "2026-01-01T00:00:00.000Z", "expiresAt": "2026-01-08T00:00:00.000Z"}
            ],
            "tickets": [
                {"id": "t1", "contractId": "c1", "authorId": "client", "createdAt": "2026-01-01T00:00:00.000Z", "subject": "S", "body": "B"},
                {"id": "t2", "contractId": "c1", "authorId": "dev", "createdAt": "2026-01-03T00:00:00.000Z", "subject": "S", "body": "B"}
            ],
            "transfers": [
                {"id": "tr1", "subject": {"type": "license", "licenseKey": "L-EMP"}, "fromId": "emp", "toId": "dev", "requestedBy": "admin", "status": "pending", "createdAt": "2026-01-01T00:00:00.000Z", "expiresAt": "2026-01-08T00:00:00.000Z"},
                {"id": "tr2", "subject": {"type": "project", "projectId": "p-emp"}, "fromId": "emp2", "toId": "dev", "requestedBy": "emp2", "status": "pending", "createdAt": "2026-01-01T00:00:00.000Z", "expiresAt": "2026-01-08T00:00:00.000Z"},
                {"id": "tr3", "subject": {"type": "license", "licenseKey": "L-O1"}, "fromId": "client", "toId": "stranger", "requestedBy": "client", "status": "cancelled", "createdAt": "2026-01-01T00:00:00.000Z", "expiresAt": "2026-01-08T00:00:00.000Z", "settledAt": "2026-01-02T00:00:00.000Z"}
            ]
        }))
        .unwrap()
    }

    fn stored(world: &State) -> Connection {
        let db = database();
        let mut changes = Vec::new();
        changes.extend(world.accounts.iter().cloned().map(Change::PutAccount));
        changes.extend(world.products.iter().cloned().map(Change::PutProduct));
        changes.extend(world.licenses.iter().cloned().map(Change::PutLicense));
        changes.extend(world.orders.iter().cloned().map(Change::PutOrder));
        changes.extend(world.projects.iter().cloned().map(Change::PutProject));
        changes.extend(world.shares.iter().cloned().map(Change::PutShare));
        changes.extend(world.contracts.iter().cloned().map(Change::PutContract));
        changes.extend(world.delegates.iter().cloned().map(Change::PutDelegate));
        changes.extend(world.invitations.iter().cloned().map(Change::PutInvitation));
        changes.extend(world.tickets.iter().cloned().map(Change::PutTicket));
        changes.extend(world.transfers.iter().cloned().map(Change::PutTransfer));
        write(&db, &changes);
        // A removed share stays as a tombstone: no plan may read it.
        let gone = entitle_rules::model::Share {
            project_id: ProjectId::new("p-gone").unwrap(),
            account_id: AccountId::new("dev").unwrap(),
            shared_at: entitle_rules::Timestamp::parse("2026-01-01T00:00:00Z").unwrap(),
            starts_at: None,
            expires_at: None,
            next_notice_at: None,
        };
        write(&db, &[Change::PutShare(gone.clone())]);
        write(&db, &[Change::DeleteShare(gone)]);
        db
    }

    /// The keys each step found, from SQL and from the rules' own loading: they must agree.
    fn check(db: &Connection, world: &State, plan: &Plan, what: &str) -> usize {
        let sql = self::plan(plan, 10_000);
        let rows = run(db, &sql);
        let mut from_sql: Vec<BTreeSet<String>> = vec![BTreeSet::new(); plan.steps().len()];
        for row in &rows {
            let rusqlite::types::Value::Integer(step) = row[0] else {
                panic!("{what}: a step number")
            };
            let rusqlite::types::Value::Text(key) = &row[1] else {
                panic!("{what}: a key")
            };
            from_sql[usize::try_from(step).unwrap()].insert(key.clone());
        }
        let (_, found): (State, Found) = plan.load(world);
        for (i, step) in plan.steps().iter().enumerate() {
            let (got, expected): (BTreeSet<String>, BTreeSet<String>) = match step {
                Step::Page { limit, .. } => {
                    // One key more than the page tells whether more follow.
                    assert_eq!(from_sql[i].len() > *limit, found.more, "{what}: more");
                    let first = from_sql[i].iter().take(*limit).cloned().collect();
                    (first, found.keys.iter().cloned().collect())
                }
                Step::Lookup { .. } => (
                    from_sql[i].clone(),
                    found.rows[i].iter().map(Row::key).collect(),
                ),
            };
            assert_eq!(got, expected, "{what}: step {i} {step:?}\n{}", sql.text);
        }
        rows.len()
    }

    #[test]
    fn every_plan_reads_in_sql_what_the_rules_load() {
        let world = world();
        let db = stored(&world);
        let mut resources = Vec::new();
        for c in &world.contracts {
            resources.push(Resource {
                resource_type: ResourceType::Contract,
                id: c.id.to_string(),
            });
        }
        for p in &world.projects {
            resources.push(Resource {
                resource_type: ResourceType::Project,
                id: p.id.to_string(),
            });
        }
        for l in &world.licenses {
            resources.push(Resource {
                resource_type: ResourceType::License,
                id: l.license_key.to_string(),
            });
        }
        for o in &world.orders {
            resources.push(Resource {
                resource_type: ResourceType::Order,
                id: o.id.to_string(),
            });
        }
        for a in &world.accounts {
            resources.push(Resource {
                resource_type: ResourceType::Account,
                id: a.id.to_string(),
            });
        }
        let mut rows = 0;
        let mut plans_checked = 0;
        for account in &world.accounts {
            let actor = &account.id;
            let mut all = vec![
                ("snapshot", plans::snapshot(actor)),
                ("scoped, all", plans::scoped(actor, &resources)),
                ("contracts", plans::contracts_page(actor, "", 100)),
                ("projects", plans::projects_page(actor, "", 100)),
                ("customers", plans::customers_page(actor, "", 100)),
                ("transfers", plans::transfers_page(actor, "", 100)),
                ("licenses", plans::licenses_page(actor, "", 100)),
                ("licenses, page 2", plans::licenses_page(actor, "L-C1", 2)),
            ];
            for resource in &resources {
                all.push(("authorize", plans::authorize(actor, resource)));
            }
            for c in &world.contracts {
                all.push(("contract", plans::contract(actor, &c.id)));
                all.push(("delegates", plans::delegates(&c.id)));
                all.push(("tickets", plans::tickets_page(actor, &c.id, "", 1)));
            }
            for p in &world.projects {
                all.push((
                    "project licenses",
                    plans::project_licenses_page(actor, &p.id, "", 100),
                ));
            }
            for (what, plan) in all {
                rows += check(&db, &world, &plan, &format!("{what} for {actor}"));
                plans_checked += 1;
            }
        }
        assert!(plans_checked > 300, "{plans_checked} plans");
        assert!(rows > 1_000, "the plans found {rows} rows");
    }

    #[test]
    fn a_plan_of_commands_reads_in_sql_what_the_rules_load() {
        let world = world();
        let db = stored(&world);
        let client = AccountId::new("client").unwrap();
        let commands: Vec<entitle_rules::Command> = serde_json::from_value(serde_json::json!([
            {"type": "shareProject", "projectId": "p-client", "email": "DEV@team.example"},
            {"type": "transferOrder", "orderId": "o1", "toEmail": "s@else.example"},
            {"type": "acceptTransfer", "transferId": "tr2"},
            {"type": "cancelTransfer", "transferId": "tr1"},
            {"type": "acceptInvitation", "token": "anything"},
            {"type": "inviteDelegate", "contractId": "c1", "email": "s@else.example"}
        ]))
        .unwrap();
        for command in &commands {
            check(
                &db,
                &world,
                &plans::command(&client, command),
                &format!("{command:?}"),
            );
        }
    }

    #[test]
    fn guards_pass_on_what_was_read_and_fail_once_a_row_changed() {
        let world = world();
        let db = stored(&world);
        let actor = AccountId::new("client").unwrap();
        let contract = ContractId::new("c1").unwrap();
        let plan = plans::delegates(&contract);
        let sql = self::plan(&plan, 100);
        let rows = run(&db, &sql);
        let (_, found) = plan.load(&world);
        // What the store records: each lookup with the keys and versions of its rows.
        let mut read: BTreeMap<Lookup, Versions> = BTreeMap::new();
        for (i, _) in plan.steps().iter().enumerate() {
            for lookup in plan.lookups(entitle_rules::plan::StepId::at(i), &found) {
                let versions = (rows.iter())
                    .filter(|r| r[0] == rusqlite::types::Value::Integer(i64::try_from(i).unwrap()))
                    .filter_map(|r| {
                        let rusqlite::types::Value::Text(data) = &r[3] else {
                            return None;
                        };
                        let row = Row::decode(
                            lookup.table.name,
                            &mut serde_json::Deserializer::from_str(data),
                        )
                        .ok()?;
                        let rusqlite::types::Value::Integer(version) = r[2] else {
                            return None;
                        };
                        lookup
                            .matches_row(&row)
                            .then(|| (row.key(), u32::try_from(version).unwrap()))
                    })
                    .collect();
                read.insert(lookup, versions);
            }
        }
        assert!(read.len() >= 4, "{read:?}");
        let guard = guards(&read).unwrap();
        assert_eq!(
            execute(&db, &guard).unwrap(),
            1,
            "nothing changed: the guard passes"
        );
        // Another writer revokes the delegate: the same guard now fails.
        let mut delegate = world.delegates[0].clone();
        delegate.status = entitle_rules::model::DelegateStatus::Revoked;
        write(&db, &[Change::PutDelegate(delegate)]);
        let error = execute(&db, &guard).unwrap_err();
        assert!(
            error.to_string().contains("CHECK constraint failed"),
            "{error}"
        );
        let _ = actor;
    }

    #[test]
    fn many_rows_of_a_table_are_one_statement_and_upserts_count_versions() {
        let world = world();
        let db = stored(&world);
        let rows = run(
            &db,
            &Sql {
                text: "SELECT license_key, version, owner_id, project_id FROM licenses WHERE store_id = ?1 ORDER BY license_key".into(),
                params: Vec::new(),
            },
        );
        assert_eq!(rows.len(), world.licenses.len());
        assert!(
            rows.iter()
                .all(|r| r[1] == rusqlite::types::Value::Integer(1))
        );
        // Written again, every row counts one more version; a removed share comes back.
        let licenses: Vec<Change> = world
            .licenses
            .iter()
            .cloned()
            .map(Change::PutLicense)
            .collect();
        write(&db, &licenses);
        let again = run(
            &db,
            &Sql {
                text: "SELECT version FROM licenses WHERE store_id = ?1".into(),
                params: Vec::new(),
            },
        );
        assert!(
            again
                .iter()
                .all(|r| r[0] == rusqlite::types::Value::Integer(2))
        );
        let tombstone = run(
            &db,
            &Sql {
                text: "SELECT deleted, version FROM shares WHERE store_id = ?1 AND project_id = 'p-gone'".into(),
                params: Vec::new(),
            },
        );
        assert_eq!(
            tombstone,
            vec![vec![
                rusqlite::types::Value::Integer(1),
                rusqlite::types::Value::Integer(2)
            ]]
        );
        // Events keep their order.
        let list: Vec<[Option<String>; 4]> = (0..5)
            .map(|i| {
                [
                    Some(format!("t{i}")),
                    Some("2026-01-01T00:00:00.000Z".into()),
                    None,
                    Some("{}".into()),
                ]
            })
            .collect();
        execute(&db, &events(&list)).unwrap();
        let types = run(
            &db,
            &Sql {
                text: "SELECT type FROM events WHERE store_id = ?1 ORDER BY cursor".into(),
                params: Vec::new(),
            },
        );
        let types: Vec<String> = types
            .into_iter()
            .map(|r| match &r[0] {
                rusqlite::types::Value::Text(t) => t.clone(),
                _ => panic!(),
            })
            .collect();
        assert_eq!(types, ["t0", "t1", "t2", "t3", "t4"]);
    }

    /// A grant with a window ending at `end` for `who`, as the rules write it on `at`.
    fn windowed(store: &str, who: &str, end: &str, at: &str) -> (String, Change, Change) {
        let t = |s: &str| entitle_rules::Timestamp::parse(s).unwrap();
        let expires_at = Some(t(end));
        let next_notice_at = entitle_rules::window::first_notice(expires_at, t(at));
        let share = entitle_rules::model::Share {
            project_id: ProjectId::new(format!("p-{who}")).unwrap(),
            account_id: AccountId::new(who).unwrap(),
            shared_at: t(at),
            starts_at: None,
            expires_at,
            next_notice_at,
        };
        let delegate = entitle_rules::model::Delegate {
            contract_id: ContractId::new(format!("c-{who}")).unwrap(),
            account_id: AccountId::new(who).unwrap(),
            status: entitle_rules::model::DelegateStatus::Active,
            added_at: t(at),
            revoked_at: None,
            invitation_id: "inv-1".try_into().unwrap(),
            starts_at: None,
            expires_at,
            next_notice_at,
        };
        (
            store.to_owned(),
            Change::PutShare(share),
            Change::PutDelegate(delegate),
        )
    }

    #[test]
    fn the_sweep_finds_the_grants_due_across_stores_oldest_first_a_bounded_number() {
        let db = database();
        let at = "2026-01-01T00:00:00Z";
        // `store-a` is the tests' store; another store's rows are written as it would write them.
        for (who, end) in [
            ("a1", "2026-01-20T00:00:00Z"),
            ("a2", "2026-01-03T00:00:00Z"),
        ] {
            let (_, share, delegate) = windowed(STORE, who, end, at);
            write(&db, &[share, delegate]);
        }
        let (_, share, _) = windowed(STORE, "later", "2026-06-01T00:00:00Z", at);
        write(&db, &[share]);
        // A revoked delegation is never due.
        let (_, _, revoked) = windowed(STORE, "gone", "2026-01-02T00:00:00Z", at);
        let Change::PutDelegate(mut revoked) = revoked else {
            unreachable!()
        };
        revoked.status = entitle_rules::model::DelegateStatus::Revoked;
        write(&db, &[Change::PutDelegate(revoked)]);
        db.execute(
            "UPDATE shares SET store_id = 'store-b' WHERE project_id = 'p-a1'",
            [],
        )
        .unwrap();
        let due = |now: &str, limit: u32| -> Vec<(String, String, String)> {
            let mut statement = db.prepare(super::super::windows::DUE_SQL).unwrap();
            let rows = statement
                .query_map(rusqlite::params![now, limit], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })
                .unwrap();
            rows.map(Result::unwrap).collect()
        };
        // a2 ends on the 3rd: its 1-day reminder is due on the 2nd; a1's 7-day one on the 13th.
        assert_eq!(due("2026-01-01T12:00:00.000Z", 10), vec![]);
        assert_eq!(
            due("2026-01-02T00:00:00.000Z", 10),
            vec![
                (STORE.into(), "share".into(), "p-a2".into()),
                (STORE.into(), "delegate".into(), "c-a2".into())
            ]
        );
        let all = due("2026-01-13T00:00:00.000Z", 10);
        assert_eq!(all.len(), 4, "{all:?}");
        assert!(all.contains(&("store-b".into(), "share".into(), "p-a1".into())));
        assert_eq!(due("2026-01-13T00:00:00.000Z", 3).len(), 3);
        // The index is used: the sweep's cost does not grow with the grants not due.
        let plan: Vec<String> = db
            .prepare(&format!(
                "EXPLAIN QUERY PLAN {}",
                super::super::windows::DUE_SQL
            ))
            .unwrap()
            .query_map(rusqlite::params!["2026-01-13T00:00:00.000Z", 3], |row| {
                row.get(3)
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(
            plan.iter().any(|p| p.contains("shares_due"))
                && plan.iter().any(|p| p.contains("delegates_due")),
            "{plan:?}"
        );
    }

    /// Two stores in one database, with the same ids: every plan of one store reads exactly
    /// what it reads alone, so no step, subquery, page or guard crosses stores.
    #[test]
    fn plans_never_read_another_stores_rows() {
        let world = world();
        let db = stored(&world);
        let before: Vec<Vec<Vec<rusqlite::types::Value>>> = plans_of(&world)
            .iter()
            .map(|plan| run(&db, &self::plan(plan, 10_000)))
            .collect();
        // Another store with every record of this one, renamed where a name shows.
        let mut other = world.clone();
        for account in &mut other.accounts {
            account.name = format!("{} of store B", account.name);
        }
        let mut changes = Vec::new();
        changes.extend(other.accounts.iter().cloned().map(Change::PutAccount));
        changes.extend(other.licenses.iter().cloned().map(Change::PutLicense));
        changes.extend(other.projects.iter().cloned().map(Change::PutProject));
        changes.extend(other.shares.iter().cloned().map(Change::PutShare));
        changes.extend(other.contracts.iter().cloned().map(Change::PutContract));
        changes.extend(other.delegates.iter().cloned().map(Change::PutDelegate));
        changes.extend(other.invitations.iter().cloned().map(Change::PutInvitation));
        changes.extend(other.transfers.iter().cloned().map(Change::PutTransfer));
        changes.extend(other.orders.iter().cloned().map(Change::PutOrder));
        write_as(&db, &changes, "store-b");
        let plans = plans_of(&world);
        assert!(plans.len() > 50, "{} plans", plans.len());
        for (plan, before) in plans.iter().zip(before) {
            assert_eq!(run(&db, &self::plan(plan, 10_000)), before, "{plan:?}");
        }
        // Store B's own reads see its rows only.
        let snapshot = plans::snapshot(&AccountId::new("client").unwrap());
        let rows = run_as(&db, &self::plan(&snapshot, 10_000), "store-b");
        assert!(
            rows.iter().any(
                |r| matches!(&r[3], rusqlite::types::Value::Text(t) if t.contains("of store B"))
            )
        );
        assert!(!rows.iter().any(|r| matches!(&r[3], rusqlite::types::Value::Text(t) if t.contains("\"name\":\"client\""))));
        // A guard of store A's reads passes whatever store B does to its own rows.
        let guard = guards(&BTreeMap::from([(
            Lookup::new(
                <Account as entitle_rules::Record>::TABLE,
                vec![("id", "client".to_owned())],
            ),
            vec![("client".to_owned(), 1)],
        )]))
        .unwrap();
        write_as(
            &db,
            &[Change::PutAccount(other.accounts[6].clone())],
            "store-b",
        );
        assert_eq!(execute(&db, &guard).unwrap(), 1);
    }

    /// Every plan the worker asks, for every account and resource of `world`.
    fn plans_of(world: &State) -> Vec<Plan> {
        let mut all = Vec::new();
        for account in &world.accounts {
            let actor = &account.id;
            all.push(plans::snapshot(actor));
            all.push(plans::licenses_page(actor, "", 100));
            all.push(plans::projects_page(actor, "", 100));
            all.push(plans::contracts_page(actor, "", 100));
            all.push(plans::transfers_page(actor, "", 100));
            all.push(plans::customers_page(actor, "", 100));
            for p in &world.projects {
                all.push(plans::project_licenses_page(actor, &p.id, "", 100));
            }
        }
        all
    }
}
