//! All SQL. Loads the state slice a request needs in two batched round trips, and writes a
//! command's changes and events in one D1 batch (one transaction). Every write of an existing
//! row is guarded by its version, so concurrent commands cannot both win: the loser's batch
//! fails whole and the command is run again on fresh state.

pub mod settings;

use crate::http::ApiError;
use entitle_rules::ids::{AccountId, StoreId};
use entitle_rules::model::{
    Account, Contract, Delegate, Invitation, License, Order, Product, Project, Share, Ticket,
    Transfer,
};
use entitle_rules::{Change, Event, State};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeSet;
use worker::wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

/// A store's view of the database.
pub struct Store {
    db: D1Database,
    store: StoreId,
}

/// A record the request needs beyond the actor's own world.
#[derive(Clone, Debug)]
pub enum Extra {
    /// The account with this e-mail address.
    AccountByEmail(String),
    /// The account with this id.
    Account(String),
    /// The product with this id.
    Product(String),
    /// The license with this key, with its project.
    License(String),
    /// The order with this id, with its licenses.
    Order(String),
    /// The contract with this id.
    Contract(String),
    /// The project with this id, its shares and its licenses.
    Project(String),
    /// The invitation with this token hash, its contract and the contract's delegates.
    InvitationByTokenHash(String),
    /// Every license this account owns.
    LicensesOwnedBy(String),
}

#[derive(Deserialize)]
struct Row {
    version: f64,
    data: String,
}

#[derive(Clone, Copy)]
enum Kind {
    Account,
    Product,
    License,
    Order,
    Project,
    Share,
    Contract,
    Delegate,
    Invitation,
    Ticket,
    Transfer,
}

/// Table, key columns, other indexed columns, version read, record JSON.
type RowWrite = (
    &'static str,
    Vec<(&'static str, JsValue)>,
    Vec<(&'static str, JsValue)>,
    u32,
    String,
);

fn text(value: &str) -> JsValue {
    JsValue::from_str(value)
}

fn opt(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from_str)
}

/// A conflict between concurrent writers, detected by a failed guard or unique key.
pub const CONFLICT: &str = "conflict";

impl Store {
    /// The database of one store.
    pub fn new(db: D1Database, store: StoreId) -> Self {
        Self { db, store }
    }

    fn statement(&self, sql: &str, params: &[JsValue]) -> Result<D1PreparedStatement, ApiError> {
        Ok(self.db.prepare(sql).bind(params)?)
    }

    /// Loads the actor's world (everything it may see, and somewhat more) and the extras.
    pub async fn load(
        &self,
        actor: Option<&AccountId>,
        extras: &[Extra],
    ) -> Result<State, ApiError> {
        let s = text(self.store.as_str());
        let mut queries: Vec<(Kind, D1PreparedStatement)> = Vec::new();
        if let Some(actor) = actor {
            let a = text(actor.as_str());
            let p = [s.clone(), a];
            let owned_contracts = "SELECT id FROM contracts WHERE store_id = ?1 AND owner_id = ?2";
            let delegated =
                "SELECT contract_id FROM delegates WHERE store_id = ?1 AND account_id = ?2";
            let owned_projects = "SELECT id FROM projects WHERE store_id = ?1 AND owner_id = ?2";
            let shared = "SELECT project_id FROM shares WHERE store_id = ?1 AND account_id = ?2";
            let colleagues = "SELECT id FROM accounts WHERE store_id = ?1 AND company_id IS NOT NULL AND company_id = (SELECT company_id FROM accounts WHERE store_id = ?1 AND id = ?2)";
            let world: [(Kind, String); 10] = [
                (Kind::Account, format!("SELECT version, data FROM accounts WHERE store_id = ?1 AND (id = ?2 OR managed_by = ?2 OR id IN ({colleagues}))")),
                (Kind::Contract, format!("SELECT version, data FROM contracts WHERE store_id = ?1 AND (owner_id = ?2 OR id IN ({delegated}))")),
                (Kind::Delegate, format!("SELECT version, data FROM delegates WHERE store_id = ?1 AND (account_id = ?2 OR contract_id IN ({owned_contracts}))")),
                (Kind::Invitation, format!("SELECT version, data FROM invitations WHERE store_id = ?1 AND (account_id = ?2 OR contract_id IN ({owned_contracts}))")),
                (Kind::Ticket, format!("SELECT version, data FROM tickets WHERE store_id = ?1 AND (contract_id IN ({owned_contracts}) OR contract_id IN ({delegated}))")),
                (Kind::Project, format!("SELECT version, data FROM projects WHERE store_id = ?1 AND (owner_id = ?2 OR id IN ({shared}))")),
                (Kind::Share, format!("SELECT version, data FROM shares WHERE store_id = ?1 AND (account_id = ?2 OR project_id IN ({owned_projects}))")),
                (Kind::License, format!("SELECT version, data FROM licenses WHERE store_id = ?1 AND (owner_id = ?2 OR created_by = ?2 OR project_id IN ({owned_projects}) OR project_id IN ({shared}) OR owner_id IN ({colleagues}))")),
                (Kind::Order, "SELECT version, data FROM orders WHERE store_id = ?1 AND (owner_id = ?2 OR billing_account_id = ?2)".to_owned()),
                // The actor's transfers, and pending transfers of what it can see (they block new ones).
                (Kind::Transfer, format!("SELECT version, data FROM transfers WHERE store_id = ?1 AND (from_id = ?2 OR to_id = ?2 OR requested_by = ?2 OR (status = 'pending' AND (subject IN (SELECT 'license:' || license_key FROM licenses WHERE store_id = ?1 AND (owner_id = ?2 OR created_by = ?2 OR project_id IN ({owned_projects}) OR project_id IN ({shared}) OR owner_id IN ({colleagues}))) OR subject IN (SELECT 'project:' || id FROM projects WHERE store_id = ?1 AND (owner_id = ?2 OR id IN ({shared}))))))")),
            ];
            for (kind, sql) in world {
                queries.push((kind, self.statement(&sql, &p)?));
            }
        }
        for extra in extras {
            let mut add = |kind: Kind, sql: &str, value: &str| -> Result<(), ApiError> {
                queries.push((kind, self.statement(sql, &[s.clone(), text(value)])?));
                Ok(())
            };
            match extra {
                Extra::AccountByEmail(email) => add(
                    Kind::Account,
                    "SELECT version, data FROM accounts WHERE store_id = ?1 AND email = ?2",
                    email,
                )?,
                Extra::Account(id) => add(
                    Kind::Account,
                    "SELECT version, data FROM accounts WHERE store_id = ?1 AND id = ?2",
                    id,
                )?,
                Extra::Product(id) => add(
                    Kind::Product,
                    "SELECT version, data FROM products WHERE store_id = ?1 AND id = ?2",
                    id,
                )?,
                Extra::License(key) => {
                    add(
                        Kind::License,
                        "SELECT version, data FROM licenses WHERE store_id = ?1 AND license_key = ?2",
                        key,
                    )?;
                    add(
                        Kind::Project,
                        "SELECT version, data FROM projects WHERE store_id = ?1 AND id = (SELECT project_id FROM licenses WHERE store_id = ?1 AND license_key = ?2)",
                        key,
                    )?;
                    add(
                        Kind::Transfer,
                        "SELECT version, data FROM transfers WHERE store_id = ?1 AND subject = 'license:' || ?2",
                        key,
                    )?;
                }
                Extra::Order(id) => {
                    add(
                        Kind::Order,
                        "SELECT version, data FROM orders WHERE store_id = ?1 AND id = ?2",
                        id,
                    )?;
                    add(
                        Kind::License,
                        "SELECT version, data FROM licenses WHERE store_id = ?1 AND license_key IN (SELECT value FROM orders, json_each(json_extract(orders.data, '$.licenseKeys')) WHERE orders.store_id = ?1 AND orders.id = ?2)",
                        id,
                    )?;
                }
                Extra::LicensesOwnedBy(id) => add(
                    Kind::License,
                    "SELECT version, data FROM licenses WHERE store_id = ?1 AND owner_id = ?2",
                    id,
                )?,
                Extra::Contract(id) => add(
                    Kind::Contract,
                    "SELECT version, data FROM contracts WHERE store_id = ?1 AND id = ?2",
                    id,
                )?,
                Extra::Project(id) => {
                    add(
                        Kind::Project,
                        "SELECT version, data FROM projects WHERE store_id = ?1 AND id = ?2",
                        id,
                    )?;
                    add(
                        Kind::Share,
                        "SELECT version, data FROM shares WHERE store_id = ?1 AND project_id = ?2",
                        id,
                    )?;
                    add(
                        Kind::License,
                        "SELECT version, data FROM licenses WHERE store_id = ?1 AND project_id = ?2",
                        id,
                    )?;
                    add(
                        Kind::Transfer,
                        "SELECT version, data FROM transfers WHERE store_id = ?1 AND subject = 'project:' || ?2",
                        id,
                    )?;
                }
                Extra::InvitationByTokenHash(hash) => {
                    add(
                        Kind::Invitation,
                        "SELECT version, data FROM invitations WHERE store_id = ?1 AND token_hash = ?2",
                        hash,
                    )?;
                    let contract = "(SELECT contract_id FROM invitations WHERE store_id = ?1 AND token_hash = ?2)";
                    add(
                        Kind::Contract,
                        &format!(
                            "SELECT version, data FROM contracts WHERE store_id = ?1 AND id = {contract}"
                        ),
                        hash,
                    )?;
                    add(
                        Kind::Delegate,
                        &format!(
                            "SELECT version, data FROM delegates WHERE store_id = ?1 AND contract_id = {contract}"
                        ),
                        hash,
                    )?;
                }
            }
        }
        let mut state = State::default();
        self.run_queries(queries, &mut state).await?;

        // Second trip: the accounts and products the loaded records name.
        let mut accounts: BTreeSet<&str> = BTreeSet::new();
        accounts.extend(state.contracts.iter().map(|c| c.owner_id.as_str()));
        accounts.extend(state.delegates.iter().map(|d| d.account_id.as_str()));
        accounts.extend(state.invitations.iter().map(|i| i.account_id.as_str()));
        accounts.extend(state.projects.iter().map(|p| p.owner_id.as_str()));
        accounts.extend(state.shares.iter().map(|s| s.account_id.as_str()));
        accounts.extend(state.licenses.iter().map(|l| l.owner_id.as_str()));
        accounts.extend(
            state
                .orders
                .iter()
                .flat_map(|o| [o.owner_id.as_str(), o.billing_account_id.as_str()]),
        );
        accounts.extend(state.transfers.iter().flat_map(|t| {
            [
                t.from_id.as_str(),
                t.to_id.as_str(),
                t.requested_by.as_str(),
            ]
        }));
        accounts.extend(
            state
                .accounts
                .iter()
                .filter_map(|a| a.managed_by.as_ref().map(|m| m.as_str())),
        );
        let mut products: BTreeSet<&str> = BTreeSet::new();
        products.extend(state.licenses.iter().map(|l| l.product_id.as_str()));
        products.extend(state.contracts.iter().map(|c| c.product_id.as_str()));
        let accounts = serde_json::to_string(&accounts).map_err(ApiError::internal)?;
        let products = serde_json::to_string(&products).map_err(ApiError::internal)?;
        let second = vec![
            (Kind::Account, self.statement("SELECT version, data FROM accounts WHERE store_id = ?1 AND id IN (SELECT value FROM json_each(?2))", &[s.clone(), text(&accounts)])?),
            (Kind::Product, self.statement("SELECT version, data FROM products WHERE store_id = ?1 AND id IN (SELECT value FROM json_each(?2))", &[s, text(&products)])?),
        ];
        self.run_queries(second, &mut state).await?;
        Ok(state)
    }

    async fn run_queries(
        &self,
        queries: Vec<(Kind, D1PreparedStatement)>,
        state: &mut State,
    ) -> Result<(), ApiError> {
        if queries.is_empty() {
            return Ok(());
        }
        let kinds: Vec<Kind> = queries.iter().map(|(k, _)| *k).collect();
        let results = self
            .db
            .batch(queries.into_iter().map(|(_, q)| q).collect())
            .await?;
        for (kind, result) in kinds.into_iter().zip(results) {
            for row in result.results::<Row>()? {
                merge(state, kind, &row)?;
            }
        }
        Ok(())
    }

    /// Writes changes and events in one transaction. `Err(CONFLICT)` when another writer won.
    pub async fn persist(&self, changes: &[Change], events: &[Event]) -> Result<(), ApiError> {
        let mut statements = Vec::new();
        for change in changes {
            statements.extend(self.change_statements(change)?);
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
        match self.db.batch(statements).await {
            Ok(_) => Ok(()),
            Err(error) => {
                let message = error.to_string();
                if message.contains("constraint failed") {
                    Err(ApiError::new(
                        409,
                        CONFLICT,
                        "another change to the same records won; try again",
                    ))
                } else {
                    Err(ApiError::internal(message))
                }
            }
        }
    }

    fn change_statements(&self, change: &Change) -> Result<Vec<D1PreparedStatement>, ApiError> {
        let (table, keys, columns, version, json): RowWrite = match change {
            Change::PutAccount(r) => (
                "accounts",
                vec![("id", text(r.id.as_str()))],
                vec![
                    ("email", text(r.email.as_str())),
                    ("managed_by", opt(r.managed_by.as_ref().map(|m| m.as_str()))),
                    ("company_id", opt(r.company_id.as_ref().map(|c| c.as_str()))),
                ],
                r.version,
                data(r)?,
            ),
            Change::PutProduct(r) => (
                "products",
                vec![("id", text(r.id.as_str()))],
                vec![],
                r.version,
                data(r)?,
            ),
            Change::PutLicense(r) => (
                "licenses",
                vec![("license_key", text(r.license_key.as_str()))],
                vec![
                    ("owner_id", text(r.owner_id.as_str())),
                    ("project_id", opt(r.project_id.as_ref().map(|p| p.as_str()))),
                    ("created_by", opt(r.created_by.as_ref().map(|c| c.as_str()))),
                ],
                r.version,
                data(r)?,
            ),
            Change::PutOrder(r) => (
                "orders",
                vec![("id", text(r.id.as_str()))],
                vec![
                    ("owner_id", text(r.owner_id.as_str())),
                    ("billing_account_id", text(r.billing_account_id.as_str())),
                ],
                r.version,
                data(r)?,
            ),
            Change::PutProject(r) => (
                "projects",
                vec![("id", text(r.id.as_str()))],
                vec![("owner_id", text(r.owner_id.as_str()))],
                r.version,
                data(r)?,
            ),
            Change::PutShare(r) | Change::DeleteShare(r) => (
                "shares",
                vec![
                    ("project_id", text(r.project_id.as_str())),
                    ("account_id", text(r.account_id.as_str())),
                ],
                vec![],
                r.version,
                data(r)?,
            ),
            Change::PutContract(r) => (
                "contracts",
                vec![("id", text(r.id.as_str()))],
                vec![("owner_id", text(r.owner_id.as_str()))],
                r.version,
                data(r)?,
            ),
            Change::PutDelegate(r) => (
                "delegates",
                vec![
                    ("contract_id", text(r.contract_id.as_str())),
                    ("account_id", text(r.account_id.as_str())),
                ],
                vec![("status", text(status(&r.status)?.as_str()))],
                r.version,
                data(r)?,
            ),
            Change::PutInvitation(r) => (
                "invitations",
                vec![("id", text(r.id.as_str()))],
                vec![
                    ("contract_id", text(r.contract_id.as_str())),
                    ("account_id", text(r.account_id.as_str())),
                    ("email", text(r.email.as_str())),
                    ("status", text(status(&r.status)?.as_str())),
                    ("token_hash", text(&r.token_hash)),
                ],
                r.version,
                data(r)?,
            ),
            Change::PutTicket(r) => (
                "tickets",
                vec![("id", text(r.id.as_str()))],
                vec![("contract_id", text(r.contract_id.as_str()))],
                r.version,
                data(r)?,
            ),
            Change::PutTransfer(r) => (
                "transfers",
                vec![("id", text(r.id.as_str()))],
                vec![
                    ("from_id", text(r.from_id.as_str())),
                    ("to_id", text(r.to_id.as_str())),
                    ("requested_by", text(r.requested_by.as_str())),
                    ("subject", text(&transfer_subject(&r.subject))),
                    ("status", text(status(&r.status)?.as_str())),
                ],
                r.version,
                data(r)?,
            ),
        };
        let store = text(self.store.as_str());
        let key_where: Vec<String> = keys
            .iter()
            .enumerate()
            .map(|(i, (k, _))| format!("{k} = ?{}", i + 2))
            .collect();
        let key_where = key_where.join(" AND ");
        let mut key_params = vec![store.clone()];
        key_params.extend(keys.iter().map(|(_, v)| v.clone()));
        let mut statements = Vec::new();
        if version > 0 {
            // The guard: exactly one row at the version this command read, or the batch fails.
            let mut params = key_params.clone();
            params.push(JsValue::from_f64(f64::from(version)));
            let sql = format!(
                "INSERT INTO guards (ok) SELECT COUNT(*) FROM {table} WHERE store_id = ?1 AND {key_where} AND version = ?{}",
                keys.len() + 2
            );
            statements.push(self.statement(&sql, &params)?);
        }
        if matches!(change, Change::DeleteShare(_)) {
            statements.push(self.statement(
                &format!("DELETE FROM {table} WHERE store_id = ?1 AND {key_where}"),
                &key_params,
            )?);
        } else if version == 0 {
            let names: Vec<&str> = keys.iter().chain(&columns).map(|(n, _)| *n).collect();
            let mut params = key_params;
            params.extend(columns.iter().map(|(_, v)| v.clone()));
            params.push(text(&json));
            let marks: Vec<String> = (1..params.len()).map(|i| format!("?{i}")).collect();
            let sql = format!(
                "INSERT INTO {table} (store_id, {}, version, data) VALUES ({}, 1, ?{})",
                names.join(", "),
                marks.join(", "),
                params.len()
            );
            statements.push(self.statement(&sql, &params)?);
        } else {
            let mut params = key_params;
            let first = params.len() + 1;
            let sets: Vec<String> = columns
                .iter()
                .enumerate()
                .map(|(i, (n, _))| format!("{n} = ?{}", first + i))
                .collect();
            params.extend(columns.iter().map(|(_, v)| v.clone()));
            params.push(text(&json));
            let mut assignments = sets;
            assignments.push(format!("data = ?{}", params.len()));
            assignments.push("version = version + 1".to_owned());
            let sql = format!(
                "UPDATE {table} SET {} WHERE store_id = ?1 AND {key_where}",
                assignments.join(", ")
            );
            statements.push(self.statement(&sql, &params)?);
        }
        Ok(statements)
    }

    /// The store's events after `cursor`, oldest first, at most `limit`.
    pub async fn events(&self, after: i64, limit: u32) -> Result<Vec<serde_json::Value>, ApiError> {
        #[derive(Deserialize)]
        struct EventRow {
            cursor: f64,
            #[serde(rename = "type")]
            event_type: String,
            at: String,
            actor_id: Option<String>,
            payload: String,
        }
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
        rows.into_iter()
            .map(|row| {
                let payload: serde_json::Value =
                    serde_json::from_str(&row.payload).map_err(ApiError::internal)?;
                #[expect(
                    clippy::cast_possible_truncation,
                    reason = "cursors are integers below 2^53"
                )]
                let cursor = row.cursor as i64;
                Ok(serde_json::json!({
                    "cursor": cursor.to_string(),
                    "type": row.event_type,
                    "at": row.at,
                    "actorId": row.actor_id,
                    "payload": payload,
                }))
            })
            .collect()
    }
}

fn status<T: serde::Serialize>(value: &T) -> Result<String, ApiError> {
    match serde_json::to_value(value).map_err(ApiError::internal)? {
        serde_json::Value::String(s) => Ok(s),
        other => Err(ApiError::internal(format!("status `{other}` is not text"))),
    }
}

/// A transfer's subject as stored in the `subject` column: `license:<key>` or `project:<id>`.
fn transfer_subject(subject: &entitle_rules::model::TransferSubject) -> String {
    match subject {
        entitle_rules::model::TransferSubject::License { license_key } => {
            format!("license:{license_key}")
        }
        entitle_rules::model::TransferSubject::Project { project_id } => {
            format!("project:{project_id}")
        }
    }
}

/// A record as stored in the `data` column.
fn data<T: serde::Serialize>(record: &T) -> Result<String, ApiError> {
    serde_json::to_string(record).map_err(ApiError::internal)
}

fn decode<T: DeserializeOwned>(row: &Row) -> Result<T, ApiError> {
    serde_json::from_str(&row.data)
        .map_err(|e| ApiError::internal(format!("a stored record does not decode: {e}")))
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "versions are small positive integers"
)]
fn version(row: &Row) -> u32 {
    row.version as u32
}

fn upsert<T>(records: &mut Vec<T>, record: T, same: impl Fn(&T, &T) -> bool) {
    if !records.iter().any(|r| same(r, &record)) {
        records.push(record);
    }
}

fn merge(state: &mut State, kind: Kind, row: &Row) -> Result<(), ApiError> {
    let v = version(row);
    match kind {
        Kind::Account => upsert(
            &mut state.accounts,
            Account {
                version: v,
                ..decode(row)?
            },
            |a, b| a.id == b.id,
        ),
        Kind::Product => upsert(
            &mut state.products,
            Product {
                version: v,
                ..decode(row)?
            },
            |a, b| a.id == b.id,
        ),
        Kind::License => upsert(
            &mut state.licenses,
            License {
                version: v,
                ..decode(row)?
            },
            |a, b| a.license_key == b.license_key,
        ),
        Kind::Order => upsert(
            &mut state.orders,
            Order {
                version: v,
                ..decode(row)?
            },
            |a, b| a.id == b.id,
        ),
        Kind::Project => upsert(
            &mut state.projects,
            Project {
                version: v,
                ..decode(row)?
            },
            |a, b| a.id == b.id,
        ),
        Kind::Share => upsert(
            &mut state.shares,
            Share {
                version: v,
                ..decode(row)?
            },
            |a, b| a.project_id == b.project_id && a.account_id == b.account_id,
        ),
        Kind::Contract => upsert(
            &mut state.contracts,
            Contract {
                version: v,
                ..decode(row)?
            },
            |a, b| a.id == b.id,
        ),
        Kind::Delegate => upsert(
            &mut state.delegates,
            Delegate {
                version: v,
                ..decode(row)?
            },
            |a, b| a.contract_id == b.contract_id && a.account_id == b.account_id,
        ),
        Kind::Invitation => upsert(
            &mut state.invitations,
            Invitation {
                version: v,
                ..decode(row)?
            },
            |a, b| a.id == b.id,
        ),
        Kind::Ticket => upsert(
            &mut state.tickets,
            Ticket {
                version: v,
                ..decode(row)?
            },
            |a, b| a.id == b.id,
        ),
        Kind::Transfer => upsert(
            &mut state.transfers,
            Transfer {
                version: v,
                ..decode(row)?
            },
            |a, b| a.id == b.id,
        ),
    }
    Ok(())
}
