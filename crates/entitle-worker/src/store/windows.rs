//! The SQL of the windows' sweep: the grants (shares and delegations) whose window the sweep is
//! due for, across the stores of one database, oldest first. The rules say when a grant is due
//! (`Share::sweep_due`, `Delegate::sweep_due` in the rules' model); the store writes it with every row in
//! the indexed column `due` (migration 0008), so finding the due ones is one range scan of an
//! index per table, however many grants have no end or are not due yet.

use super::db::Db;
use crate::http::ApiError;
use entitle_rules::Timestamp;
use entitle_rules::sweep::{DelegateKey, ShareKey, Sweep};
use serde::Deserialize;
use worker::wasm_bindgen::JsValue;

/// The grants due at `?1`, at most `?2`, the longest due first, of every store of a database:
/// each side reads at most `?2` rows by its partial index on `due`, so a backlog costs the same.
pub const DUE_SQL: &str = "SELECT store_id, kind, a, b FROM ( \
    SELECT * FROM (SELECT store_id, 'share' AS kind, project_id AS a, account_id AS b, due \
      FROM shares WHERE due IS NOT NULL AND due <= ?1 ORDER BY due LIMIT ?2) \
    UNION ALL \
    SELECT * FROM (SELECT store_id, 'delegate' AS kind, contract_id AS a, account_id AS b, due \
      FROM delegates WHERE due IS NOT NULL AND due <= ?1 ORDER BY due LIMIT ?2) \
  ) ORDER BY due LIMIT ?2";

/// One due grant as the query returns it.
#[derive(Deserialize)]
struct DueRow {
    store_id: String,
    kind: String,
    a: String,
    b: String,
}

/// The due grants of one database: at most `limit` of them, by store, the store whose grant is
/// the longest due first (so a backlog is worked off oldest first, whatever the stores' names).
pub async fn due(db: &Db, now: Timestamp, limit: u32) -> Result<Vec<(String, Sweep)>, ApiError> {
    let statement = db.statement(
        DUE_SQL,
        &[JsValue::from_str(&now.to_string()), JsValue::from(limit)],
    )?;
    let mut by_store: Vec<(String, Sweep)> = Vec::new();
    for row in db.all(statement).await?.results::<DueRow>()? {
        let place = match by_store
            .iter()
            .position(|(store, _)| *store == row.store_id)
        {
            Some(place) => place,
            None => {
                by_store.push((row.store_id, Sweep::default()));
                by_store.len() - 1
            }
        };
        let Some((_, sweep)) = by_store.get_mut(place) else {
            continue;
        };
        // The keys were written by the rules: they are valid ids.
        let Ok(account_id) = row.b.as_str().try_into() else {
            continue;
        };
        if row.kind == "share" {
            if let Ok(project_id) = row.a.as_str().try_into() {
                sweep.shares.push(ShareKey {
                    project_id,
                    account_id,
                });
            }
        } else if let Ok(contract_id) = row.a.as_str().try_into() {
            sweep.delegates.push(DelegateKey {
                contract_id,
                account_id,
            });
        }
    }
    Ok(by_store)
}
