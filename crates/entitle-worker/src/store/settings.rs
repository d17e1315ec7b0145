//! The SQL of store settings: the origins a store's pages run on (table `store_origins`,
//! migration 0005). Every query is filtered by `store_id`, except the one a preflight asks,
//! which names no store: whether any store of a database lists an origin.

use super::db::Db;
use crate::http::ApiError;
use entitle_rules::Timestamp;
use entitle_rules::ids::StoreId;
use serde::Deserialize;
use worker::wasm_bindgen::JsValue;

/// The settings table of the stores of one database.
pub struct Settings {
    db: Db,
}

#[derive(Deserialize)]
struct OriginRow {
    origin: String,
}

fn text(value: &str) -> JsValue {
    JsValue::from_str(value)
}

impl Settings {
    /// The settings of the database `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// The origins `store` allows, in the order it listed them.
    pub async fn allowed_origins(&self, store: &StoreId) -> Result<Vec<String>, ApiError> {
        let statement = self.db.statement(
            "SELECT origin FROM store_origins WHERE store_id = ?1 ORDER BY position",
            &[text(store.as_str())],
        )?;
        let rows = self.db.all(statement).await?.results::<OriginRow>()?;
        Ok(rows.into_iter().map(|row| row.origin).collect())
    }

    /// Replaces the origins `store` allows, and writes the `settings.updated` event, in one
    /// batch (one transaction). The origins must be checked and distinct.
    pub async fn replace_allowed_origins(
        &self,
        store: &StoreId,
        origins: &[String],
        now: Timestamp,
    ) -> Result<(), ApiError> {
        let s = text(store.as_str());
        let mut statements = vec![self.db.statement(
            "DELETE FROM store_origins WHERE store_id = ?1",
            std::slice::from_ref(&s),
        )?];
        for (position, origin) in origins.iter().enumerate() {
            let position = u32::try_from(position).map_err(ApiError::internal)?;
            statements.push(self.db.statement(
                "INSERT INTO store_origins (store_id, origin, position) VALUES (?1, ?2, ?3)",
                &[
                    s.clone(),
                    text(origin),
                    JsValue::from_f64(f64::from(position)),
                ],
            )?);
        }
        let event = entitle_rules::EventPayload::SettingsUpdated {
            allowed_origins: origins.to_vec(),
        };
        let payload = serde_json::to_value(&event)
            .map_err(ApiError::internal)?
            .get("payload")
            .map(ToString::to_string)
            .unwrap_or_default();
        statements.push(self.db.statement(
            "INSERT INTO events (store_id, type, at, actor_id, payload) VALUES (?1, ?2, ?3, NULL, ?4)",
            &[
                s,
                text(event.event_type()),
                text(&now.to_string()),
                text(&payload),
            ],
        )?);
        self.db.batch(statements).await?;
        Ok(())
    }

    /// Whether `store` lists `origin`.
    pub async fn store_allows(&self, store: &StoreId, origin: &str) -> Result<bool, ApiError> {
        let statement = self.db.statement(
            "SELECT origin FROM store_origins WHERE store_id = ?1 AND origin = ?2",
            &[text(store.as_str()), text(origin)],
        )?;
        Ok(self.db.first::<OriginRow>(statement).await?.is_some())
    }

    /// Whether any store of this database lists `origin` (for a preflight, which names no
    /// store).
    pub async fn any_store_allows(&self, origin: &str) -> Result<bool, ApiError> {
        let statement = self.db.statement(
            "SELECT origin FROM store_origins WHERE origin = ?1 LIMIT 1",
            &[text(origin)],
        )?;
        Ok(self.db.first::<OriginRow>(statement).await?.is_some())
    }
}
