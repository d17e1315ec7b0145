//! The SQL of webhooks (tables `webhooks` and `webhook_deliveries`, migration 0007): the
//! endpoints a store registers, the outbox cursor of each (the last event of the feed handed to
//! the delivery queue), and the log of delivery attempts. Every query is filtered by
//! `store_id`, except the cron's, which reads which stores of a database have endpoints.

use super::EventRow;
use super::db::{Db, Statement};
use crate::http::ApiError;
use entitle_rules::EventPayload;
use entitle_rules::Timestamp;
use entitle_rules::ids::StoreId;
use serde::Deserialize;
use worker::wasm_bindgen::JsValue;

fn text(value: &str) -> JsValue {
    JsValue::from_str(value)
}

#[expect(
    clippy::cast_precision_loss,
    reason = "cursors and ids stay below 2^53"
)]
fn number(value: i64) -> JsValue {
    JsValue::from_f64(value as f64)
}

#[expect(
    clippy::cast_possible_truncation,
    reason = "D1 answers integers as numbers below 2^53"
)]
fn integer(value: f64) -> i64 {
    value as i64
}

/// A registered endpoint.
#[derive(Clone, Debug)]
pub struct Webhook {
    /// Its store.
    pub store_id: String,
    /// Its id.
    pub webhook_id: String,
    /// Where deliveries go.
    pub url: String,
    /// The event types it listed, or `None` for every event.
    pub events: Option<Vec<String>>,
    /// The salt its secret is derived with.
    pub salt: String,
    /// When it was registered.
    pub created_at: String,
    /// The last event of the feed handed to the queue for it.
    pub cursor: i64,
}

#[derive(Deserialize)]
struct WebhookRow {
    store_id: String,
    webhook_id: String,
    url: String,
    events: Option<String>,
    salt: String,
    created_at: String,
    cursor: f64,
}

impl TryFrom<WebhookRow> for Webhook {
    type Error = ApiError;

    fn try_from(row: WebhookRow) -> Result<Self, ApiError> {
        let events = row
            .events
            .map(|e| serde_json::from_str(&e))
            .transpose()
            .map_err(ApiError::internal)?;
        Ok(Self {
            store_id: row.store_id,
            webhook_id: row.webhook_id,
            url: row.url,
            events,
            salt: row.salt,
            created_at: row.created_at,
            cursor: integer(row.cursor),
        })
    }
}

const COLUMNS: &str = "store_id, webhook_id, url, events, salt, created_at, cursor";

/// One attempt to deliver one event to one endpoint.
#[derive(Clone, Debug)]
pub struct Attempt {
    /// The endpoint.
    pub webhook_id: String,
    /// The event's cursor in the feed.
    pub event_cursor: i64,
    /// The event's type.
    pub event_type: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// Whether the endpoint acknowledged it (2xx within the time limit).
    pub succeeded: bool,
    /// The endpoint's HTTP status, if it answered.
    pub response_status: Option<u16>,
    /// Why it failed without an answer (timeout, network).
    pub error: Option<String>,
    /// When the attempt started.
    pub at: Timestamp,
    /// How long it took.
    pub duration_ms: i64,
    /// When the next attempt is due, if one is.
    pub next_attempt_at: Option<Timestamp>,
}

/// One row of the delivery log, as D1 gives it (numbers as floats).
#[derive(Deserialize)]
struct AttemptRow {
    delivery_id: f64,
    event_cursor: f64,
    event_type: String,
    attempt: f64,
    status: String,
    response_status: Option<f64>,
    error: Option<String>,
    at: String,
    duration_ms: f64,
    next_attempt_at: Option<String>,
}

/// One attempt of the delivery log (`GET /v1/webhooks/{webhookId}/deliveries` answers it).
pub struct LoggedAttempt {
    /// The row's id, the key of the log's order.
    pub id: i64,
    /// The event's cursor in the feed.
    pub event_cursor: i64,
    /// The event's type.
    pub event_type: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// Whether the endpoint acknowledged it.
    pub succeeded: bool,
    /// The endpoint's HTTP status, if it answered.
    pub response_status: Option<u16>,
    /// Why there was no answer.
    pub error: Option<String>,
    /// When it started (RFC 3339).
    pub at: String,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// When the next attempt is due, if one is (RFC 3339).
    pub next_attempt_at: Option<String>,
}

impl From<AttemptRow> for LoggedAttempt {
    fn from(row: AttemptRow) -> Self {
        LoggedAttempt {
            id: integer(row.delivery_id),
            event_cursor: integer(row.event_cursor),
            event_type: row.event_type,
            attempt: u32::try_from(integer(row.attempt)).unwrap_or(u32::MAX),
            succeeded: row.status == "succeeded",
            response_status: row
                .response_status
                .and_then(|s| u16::try_from(integer(s)).ok()),
            error: row.error,
            at: row.at,
            duration_ms: u64::try_from(integer(row.duration_ms)).unwrap_or(0),
            next_attempt_at: row.next_attempt_at,
        }
    }
}

/// What the consumer needs to deliver one event to one endpoint.
pub struct Pending {
    /// The endpoint, `None` once it was deleted.
    pub webhook: Option<Webhook>,
    /// The event as the feed answers it, `None` if it is not in the feed.
    pub event: Option<serde_json::Value>,
    /// The event's type.
    pub event_type: String,
    /// How many attempts were made already.
    pub attempts: u32,
    /// Whether one of them succeeded (a duplicate message then sends nothing).
    pub delivered: bool,
}

#[derive(Deserialize)]
struct CountRow {
    attempts: f64,
    delivered: Option<f64>,
}

#[derive(Deserialize)]
struct FeedRow {
    cursor: f64,
    #[serde(rename = "type")]
    event_type: String,
}

/// The webhook tables of the stores of one database.
pub struct Webhooks {
    db: Db,
}

impl Webhooks {
    /// The webhook tables of the database `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    fn statement(&self, sql: &str, params: &[JsValue]) -> Result<Statement, ApiError> {
        self.db.statement(sql, params)
    }

    /// The statement that writes `event` to the feed if the endpoint `webhook_id` exists.
    fn event(
        &self,
        store: &StoreId,
        event: &EventPayload,
        now: Timestamp,
        webhook_id: &str,
    ) -> Result<Statement, ApiError> {
        let payload = serde_json::to_value(event)
            .map_err(ApiError::internal)?
            .get("payload")
            .map(ToString::to_string)
            .unwrap_or_default();
        self.statement(
            "INSERT INTO events (store_id, type, at, actor_id, payload) SELECT ?1, ?2, ?3, NULL, ?4 \
             WHERE EXISTS (SELECT 1 FROM webhooks WHERE store_id = ?1 AND webhook_id = ?5)",
            &[
                text(store.as_str()),
                text(event.event_type()),
                text(&now.to_string()),
                text(&payload),
                text(webhook_id),
            ],
        )
    }

    /// Registers an endpoint and writes its `webhook.created` event, in one batch, unless the
    /// store has `max` endpoints already (then `false`, and nothing is written). Its outbox
    /// cursor starts at the end of the feed: it receives the events written from now on.
    #[expect(clippy::too_many_arguments, reason = "the columns of one row")]
    pub async fn create(
        &self,
        store: &StoreId,
        webhook_id: &str,
        url: &str,
        events: Option<&[&str]>,
        salt: &str,
        now: Timestamp,
        max: usize,
    ) -> Result<bool, ApiError> {
        let events_json = events
            .map(serde_json::to_string)
            .transpose()
            .map_err(ApiError::internal)?;
        let max = i64::try_from(max).map_err(ApiError::internal)?;
        let insert = self.statement(
            "INSERT INTO webhooks (store_id, webhook_id, url, events, salt, created_at, cursor) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, coalesce((SELECT max(cursor) FROM events WHERE store_id = ?1), 0) \
             WHERE (SELECT count(*) FROM webhooks WHERE store_id = ?1) < ?7",
            &[
                text(store.as_str()),
                text(webhook_id),
                text(url),
                events_json.as_deref().map_or(JsValue::NULL, text),
                text(salt),
                text(&now.to_string()),
                number(max),
            ],
        )?;
        let created = EventPayload::WebhookCreated {
            webhook_id: webhook_id.to_owned(),
            url: url.to_owned(),
            events: events.map(|e| e.iter().map(|t| (*t).to_owned()).collect()),
        };
        let event = self.event(store, &created, now, webhook_id)?;
        let results = self.db.batch(vec![insert, event]).await?;
        let changes = results
            .first()
            .map(worker::D1Result::meta)
            .transpose()?
            .flatten()
            .and_then(|m| m.changes)
            .unwrap_or(0);
        Ok(changes == 1)
    }

    /// At most `limit` of the store's endpoints after the id `after`, in id order.
    pub async fn list(
        &self,
        store: &StoreId,
        after: &str,
        limit: usize,
    ) -> Result<Vec<Webhook>, ApiError> {
        let limit = i64::try_from(limit).map_err(ApiError::internal)?;
        let statement = self.statement(
            &format!(
                "SELECT {COLUMNS} FROM webhooks WHERE store_id = ?1 AND webhook_id > ?2 ORDER BY webhook_id LIMIT ?3"
            ),
            &[text(store.as_str()), text(after), number(limit)],
        )?;
        self.db
            .all(statement)
            .await?
            .results::<WebhookRow>()?
            .into_iter()
            .map(Webhook::try_from)
            .collect()
    }

    /// Deletes an endpoint and its delivery log and writes its `webhook.deleted` event, in one
    /// batch; `false` when the store has no such endpoint. Messages already queued for it find
    /// it gone and send nothing.
    pub async fn delete(
        &self,
        store: &StoreId,
        webhook_id: &str,
        now: Timestamp,
    ) -> Result<bool, ApiError> {
        let s = text(store.as_str());
        let id = text(webhook_id);
        let deleted = EventPayload::WebhookDeleted {
            webhook_id: webhook_id.to_owned(),
        };
        let statements = vec![
            self.event(store, &deleted, now, webhook_id)?,
            self.statement(
                "DELETE FROM webhook_deliveries WHERE store_id = ?1 AND webhook_id = ?2",
                &[s.clone(), id.clone()],
            )?,
            self.statement(
                "DELETE FROM webhooks WHERE store_id = ?1 AND webhook_id = ?2",
                &[s, id],
            )?,
        ];
        let results = self.db.batch(statements).await?;
        let changes = results
            .last()
            .map(worker::D1Result::meta)
            .transpose()?
            .flatten()
            .and_then(|m| m.changes)
            .unwrap_or(0);
        Ok(changes == 1)
    }

    /// Whether the store has any endpoint (so a change is worth a fan-out).
    pub async fn any(&self, store: &StoreId) -> Result<bool, ApiError> {
        #[derive(Deserialize)]
        struct One {
            #[expect(dead_code, reason = "only its presence matters")]
            webhook_id: String,
        }
        let statement = self.statement(
            "SELECT webhook_id FROM webhooks WHERE store_id = ?1 LIMIT 1",
            &[text(store.as_str())],
        )?;
        Ok(self.db.first::<One>(statement).await?.is_some())
    }

    /// The endpoints of one store.
    pub async fn endpoints(&self, store: &StoreId) -> Result<Vec<Webhook>, ApiError> {
        let statement = self.statement(
            &format!("SELECT {COLUMNS} FROM webhooks WHERE store_id = ?1"),
            &[text(store.as_str())],
        )?;
        self.db
            .all(statement)
            .await?
            .results::<WebhookRow>()?
            .into_iter()
            .map(Webhook::try_from)
            .collect()
    }

    /// The stores of this database that have an endpoint (the cron's sweep), in id order.
    pub async fn stores_with_endpoints(&self) -> Result<Vec<String>, ApiError> {
        #[derive(Deserialize)]
        struct StoreRow {
            store_id: String,
        }
        let statement = self.statement(
            "SELECT DISTINCT store_id FROM webhooks ORDER BY store_id",
            &[],
        )?;
        Ok(self
            .db
            .all(statement)
            .await?
            .results::<StoreRow>()?
            .into_iter()
            .map(|row| row.store_id)
            .collect())
    }

    /// The cursor and type of at most `limit` events of `store_id`'s feed after `cursor`.
    pub async fn feed_after(
        &self,
        store_id: &str,
        cursor: i64,
        limit: u32,
    ) -> Result<Vec<(i64, String)>, ApiError> {
        let statement = self.statement(
            "SELECT cursor, type FROM events WHERE store_id = ?1 AND cursor > ?2 ORDER BY cursor LIMIT ?3",
            &[text(store_id), number(cursor), number(i64::from(limit))],
        )?;
        Ok(self
            .db
            .all(statement)
            .await?
            .results::<FeedRow>()?
            .into_iter()
            .map(|row| (integer(row.cursor), row.event_type))
            .collect())
    }

    /// Moves an endpoint's outbox cursor from `from` to `to`; `false` when another reader
    /// moved it first (the events it handed on then may be delivered twice, never lost).
    pub async fn advance(&self, webhook: &Webhook, from: i64, to: i64) -> Result<bool, ApiError> {
        let statement = self.statement(
            "UPDATE webhooks SET cursor = ?3 WHERE store_id = ?1 AND webhook_id = ?2 AND cursor = ?4",
            &[
                text(&webhook.store_id),
                text(&webhook.webhook_id),
                number(to),
                number(from),
            ],
        )?;
        let result = self.db.run(statement).await?;
        Ok(result.meta()?.and_then(|m| m.changes).unwrap_or(0) == 1)
    }

    /// The endpoint, the event and the attempts so far of one delivery, in one round trip.
    pub async fn pending(
        &self,
        store_id: &str,
        webhook_id: &str,
        cursor: i64,
    ) -> Result<Pending, ApiError> {
        let s = text(store_id);
        let id = text(webhook_id);
        let c = number(cursor);
        let results = self
            .db
            .batch(vec![
                self.statement(
                    &format!(
                        "SELECT {COLUMNS} FROM webhooks WHERE store_id = ?1 AND webhook_id = ?2"
                    ),
                    &[s.clone(), id.clone()],
                )?,
                self.statement(
                    "SELECT cursor, type, at, actor_id, payload FROM events WHERE store_id = ?1 AND cursor = ?2",
                    &[s.clone(), c.clone()],
                )?,
                self.statement(
                    "SELECT count(*) AS attempts, max(status = 'succeeded') AS delivered FROM webhook_deliveries WHERE store_id = ?1 AND webhook_id = ?2 AND event_cursor = ?3",
                    &[s, id, c],
                )?,
            ])
            .await?;
        let mut results = results.into_iter();
        let (Some(webhook), Some(event), Some(count)) =
            (results.next(), results.next(), results.next())
        else {
            return Err(ApiError::internal("a batch answered fewer results"));
        };
        let webhook = webhook
            .results::<WebhookRow>()?
            .into_iter()
            .next()
            .map(Webhook::try_from)
            .transpose()?;
        let event = event.results::<EventRow>()?.into_iter().next();
        let event_type = event
            .as_ref()
            .map(|e| e.event_type.clone())
            .unwrap_or_default();
        let event = event.map(EventRow::into_json).transpose()?;
        let count = count.results::<CountRow>()?.into_iter().next();
        let attempts = count.as_ref().map_or(0, |c| {
            u32::try_from(integer(c.attempts)).unwrap_or(u32::MAX)
        });
        let delivered = count.and_then(|c| c.delivered).is_some_and(|d| d >= 1.0);
        Ok(Pending {
            webhook,
            event,
            event_type,
            attempts,
            delivered,
        })
    }

    /// Writes one attempt to the delivery log, unless its endpoint was deleted meanwhile.
    pub async fn record(&self, store_id: &str, attempt: &Attempt) -> Result<(), ApiError> {
        let statement = self.statement(
            "INSERT INTO webhook_deliveries (store_id, webhook_id, event_cursor, event_type, attempt, status, response_status, error, at, duration_ms, next_attempt_at) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11 \
             WHERE EXISTS (SELECT 1 FROM webhooks WHERE store_id = ?1 AND webhook_id = ?2)",
            &[
                text(store_id),
                text(&attempt.webhook_id),
                number(attempt.event_cursor),
                text(&attempt.event_type),
                number(i64::from(attempt.attempt)),
                text(if attempt.succeeded {
                    "succeeded"
                } else {
                    "failed"
                }),
                attempt
                    .response_status
                    .map_or(JsValue::NULL, |s| number(i64::from(s))),
                attempt.error.as_deref().map_or(JsValue::NULL, text),
                text(&attempt.at.to_string()),
                number(attempt.duration_ms),
                attempt
                    .next_attempt_at
                    .map_or(JsValue::NULL, |t| text(&t.to_string())),
            ],
        )?;
        self.db.run(statement).await?;
        Ok(())
    }

    /// Deletes the attempts of the delivery log made before `cutoff`, looking only at the
    /// `limit` oldest rows of the whole log (delivery ids grow with time), so that one run
    /// costs at most `limit` rows whatever the size of the log; returns how many went. The
    /// cron runs it every minute, and each run takes the next oldest rows.
    pub async fn prune_log(&self, cutoff: Timestamp, limit: u32) -> Result<u64, ApiError> {
        let statement = self.statement(
            "DELETE FROM webhook_deliveries WHERE delivery_id IN (\
             SELECT delivery_id FROM (SELECT delivery_id, at FROM webhook_deliveries ORDER BY delivery_id LIMIT ?2) \
             WHERE at < ?1)",
            &[text(&cutoff.to_string()), number(i64::from(limit))],
        )?;
        let result = self.db.run(statement).await?;
        Ok(result
            .meta()?
            .and_then(|m| m.changes)
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(0))
    }

    /// At most `limit` delivery attempts of the endpoint `webhook_id` before the id `before`
    /// (from the newest when `None`), newest first; `None` when the store has no such endpoint.
    /// One round trip: the endpoint and its attempts are read together.
    pub async fn deliveries(
        &self,
        store: &StoreId,
        webhook_id: &str,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Option<Vec<LoggedAttempt>>, ApiError> {
        let limit = i64::try_from(limit).map_err(ApiError::internal)?;
        let exists = self.statement(
            "SELECT count(*) AS n FROM webhooks WHERE store_id = ?1 AND webhook_id = ?2",
            &[text(store.as_str()), text(webhook_id)],
        )?;
        let attempts = self.statement(
            "SELECT delivery_id, event_cursor, event_type, attempt, status, response_status, error, at, duration_ms, next_attempt_at \
             FROM webhook_deliveries WHERE store_id = ?1 AND webhook_id = ?2 AND delivery_id < ?3 ORDER BY delivery_id DESC LIMIT ?4",
            &[
                text(store.as_str()),
                text(webhook_id),
                number(before.unwrap_or(i64::MAX >> 11)),
                number(limit),
            ],
        )?;
        #[derive(Deserialize)]
        struct Count {
            n: f64,
        }
        let mut results = self.db.batch(vec![exists, attempts]).await?.into_iter();
        let (Some(exists), Some(attempts)) = (results.next(), results.next()) else {
            return Err(ApiError::internal("a batch of two gave fewer results"));
        };
        let found = exists
            .results::<Count>()?
            .first()
            .is_some_and(|c| c.n > 0.0);
        Ok(found
            .then(|| attempts.results::<AttemptRow>())
            .transpose()?
            .map(|rows| rows.into_iter().map(LoggedAttempt::from).collect()))
    }
}
