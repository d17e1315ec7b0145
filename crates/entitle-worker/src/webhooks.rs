//! Webhook delivery, through the Cloudflare Queue bound as `WEBHOOK_QUEUE`.
//!
//! The feed is the outbox: every command writes its events in its own D1 batch, and nothing
//! else is written for webhooks on the request path. Each endpoint keeps a cursor into its
//! store's feed. A *fan-out* reads the events after an endpoint's cursor, enqueues one
//! delivery message per event the endpoint subscribes to (the rules decide which,
//! [`entitle_rules::webhook::Subscription`]), then moves the cursor on. A fan-out runs for
//! a store when a request changed something (the request sends one small message, after its
//! answer, only if the store has an endpoint) and for every store with an endpoint on the cron
//! trigger, which catches up whatever a lost message left behind: the cron asks every database
//! which of its stores have endpoints and sends one fan-out message per store. A store's
//! endpoints, events and delivery log live on the store's own database (`STORE_DATABASES`).
//! One invocation spends at most [`BUDGET`] statements, below D1's 50 on the Free plan: a
//! fan-out cut short sends itself again, a delivery past the budget waits a second in the queue.
//! The consumer delivers each message: it signs
//! the event, POSTs it with a 10 second limit, logs the attempt, and on failure hands the
//! message back to the queue with a delay that doubles per attempt
//! ([`entitle_rules::webhook::retry_delay`]) for at least three days. Delivery is at least
//! once: the cursor moves only after the messages are enqueued.

use crate::http::ApiError;
use crate::store::db::{Db, Meter};
use crate::store::webhooks::{Attempt, Webhook, Webhooks};
use crate::views::FeedEvent;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entitle_rules::Timestamp;
use entitle_rules::ids::StoreId;
use entitle_rules::webhook::{Subscription, retry_delay};
use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::BTreeSet;
use std::fmt::Write;
use worker::{
    AbortSignal, Env, Fetch, Headers, Message, MessageBatch, MessageExt, Method, QueueRetryOptions,
    QueueRetryOptionsBuilder, Request, RequestInit, RequestRedirect,
};

type HmacSha256 = hmac::Hmac<Sha256>;

/// The queue binding.
const QUEUE: &str = "WEBHOOK_QUEUE";

/// How long an endpoint has to answer, in milliseconds.
const TIMEOUT_MS: u32 = 10_000;

/// Attempts of the delivery log one cron run looks at for pruning.
const PRUNE: u32 = 1_000;

/// Events one fan-out reads per endpoint per page, and pages per run; a fan-out that stops
/// with events left sends itself again.
const PAGE: u32 = 100;
const PAGES: usize = 10;

/// The most statements one invocation of the consumer or the cron sends to D1: below the 50
/// of the Free plan, with room for the statements a fan-out page or a delivery needs.
const BUDGET: usize = 40;

/// The statements one delivery needs: the pending read (a batch of three), the log's write.
const DELIVERY_STATEMENTS: usize = 4;

/// How long a message past the budget waits in the queue, in seconds.
const BUDGET_DELAY: u32 = 1;

/// Queue messages one `sendBatch` carries at most.
const SEND_BATCH: usize = 100;

/// A message of the delivery queue.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Job {
    /// Hand the new events of a store's feed to its endpoints.
    FanOut {
        /// The store.
        store_id: String,
    },
    /// Deliver one event to one endpoint.
    Deliver {
        /// The endpoint's store.
        store_id: String,
        /// The endpoint.
        webhook_id: String,
        /// The event's cursor in the feed.
        cursor: f64,
        /// When the delivery was enqueued, in Unix milliseconds: retries stop three days later.
        enqueued_at: f64,
    },
}

fn now_millis() -> i64 {
    i64::try_from(worker::Date::now().as_millis()).unwrap_or(i64::MAX)
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, byte| {
            let _ = write!(out, "{byte:02x}");
            out
        })
}

/// The worker's key for endpoint secrets, the secret `WEBHOOK_KEY` (at least 32 characters).
fn key(env: &Env) -> Result<HmacSha256, ApiError> {
    let key = env
        .secret("WEBHOOK_KEY")
        .map(|s| s.to_string())
        .map_err(|_| ApiError::internal("WEBHOOK_KEY is not set"))?;
    if key.len() < 32 {
        return Err(ApiError::internal(
            "WEBHOOK_KEY must hold at least 32 characters",
        ));
    }
    HmacSha256::new_from_slice(key.as_bytes()).map_err(ApiError::internal)
}

/// An endpoint's signing secret: HMAC-SHA256 under `WEBHOOK_KEY` of its store, id and salt.
/// It is shown once, at creation, and recomputed to sign; the database holds only the salt.
pub fn secret(env: &Env, store_id: &str, webhook_id: &str, salt: &str) -> Result<String, ApiError> {
    let mut mac = key(env)?;
    mac.update(
        format!("entitle webhook secret\u{1f}{store_id}\u{1f}{webhook_id}\u{1f}{salt}").as_bytes(),
    );
    Ok(format!(
        "whsec_{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    ))
}

/// `Entitle-Signature`: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the secret>`.
pub fn signature(secret: &str, unix_seconds: i64, body: &str) -> Result<String, ApiError> {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).map_err(ApiError::internal)?;
    mac.update(format!("{unix_seconds}.{body}").as_bytes());
    Ok(format!(
        "t={unix_seconds},v1={}",
        hex(&mac.finalize().into_bytes())
    ))
}

/// After a request changed `store`'s records: one fan-out message, if the store has an endpoint.
pub async fn kick(env: &Env, meter: &Meter, store: &StoreId) -> Result<(), ApiError> {
    // A command's write batch already said whether the store has endpoints.
    let any = match meter.endpoints() {
        Some(any) => any,
        None => {
            Webhooks::new(Db::of_store(env, meter, store)?)
                .any(store)
                .await?
        }
    };
    if !any {
        return Ok(());
    }
    send_fan_out(env, store.as_str()).await
}

async fn send_fan_out(env: &Env, store_id: &str) -> Result<(), ApiError> {
    env.queue(QUEUE)?
        .send(Job::FanOut {
            store_id: store_id.to_owned(),
        })
        .await?;
    Ok(())
}

/// The cron's sweep: every database says which of its stores have endpoints, and each such
/// store gets one fan-out message. Rows a store left on a database it no longer lives on (a
/// store being moved) are not swept. A database that fails is logged; the others go on.
pub async fn sweep(env: &Env, meter: &Meter) -> Result<(), ApiError> {
    let (databases, directory) = Db::every(env, meter)?;
    let queue = env.queue(QUEUE)?;
    for db in databases {
        let binding = db.binding().to_owned();
        let stores = match Webhooks::new(db).stores_with_endpoints().await {
            Ok(stores) => stores,
            Err(error) => {
                worker::console_error!("webhook sweep of `{binding}` failed: {}", error.detail);
                continue;
            }
        };
        let jobs: Vec<Job> = stores
            .into_iter()
            .filter(|store| directory.binding(store) == binding)
            .map(|store_id| Job::FanOut { store_id })
            .collect();
        for chunk in jobs.chunks(SEND_BATCH) {
            queue.send_batch(chunk.to_vec()).await?;
        }
    }
    Ok(())
}

/// Prunes the delivery log of every database of attempts older than the rules keep
/// ([`entitle_rules::webhook::log_cutoff`]), a bounded number of rows per database and run;
/// the cron runs it. A database that fails is logged; the others go on.
pub async fn prune_log(env: &Env, meter: &Meter) -> Result<u64, ApiError> {
    let now = Timestamp::from_unix_millis(now_millis());
    let (databases, _) = Db::every(env, meter)?;
    let mut pruned = 0_u64;
    for db in databases {
        let binding = db.binding().to_owned();
        match Webhooks::new(db)
            .prune_log(entitle_rules::webhook::log_cutoff(now), PRUNE)
            .await
        {
            Ok(n) => pruned = pruned.saturating_add(n),
            Err(error) => {
                worker::console_error!("pruning the log of `{binding}` failed: {}", error.detail);
            }
        }
    }
    Ok(pruned)
}

/// Hands the new events of `store`'s feed to its endpoints: per endpoint, the events after its
/// cursor that it subscribes to become delivery messages, then its cursor moves past every event
/// read. When it stops with events left (its pages, or the invocation's [`BUDGET`]), it sends
/// itself again.
pub async fn fan_out(env: &Env, meter: &Meter, store: &StoreId) -> Result<(), ApiError> {
    let webhooks = Webhooks::new(Db::of_store(env, meter, store)?);
    let queue = env.queue(QUEUE)?;
    let mut more = false;
    for endpoint in webhooks.endpoints(store).await? {
        let subscription = subscription(&endpoint)?;
        let mut cursor = endpoint.cursor;
        let mut pages = 0;
        loop {
            // A page reads the feed and moves the cursor: two statements.
            if pages == PAGES || meter.statements().saturating_add(2) > BUDGET {
                more = true;
                break;
            }
            pages += 1;
            let events = webhooks
                .feed_after(&endpoint.store_id, cursor, PAGE)
                .await?;
            let Some((last, _)) = events.last() else {
                break;
            };
            let last = *last;
            let enqueued_at = now_millis();
            #[expect(
                clippy::cast_precision_loss,
                reason = "cursors and times stay below 2^53"
            )]
            let jobs: Vec<Job> = events
                .iter()
                .filter(|(_, event_type)| subscription.receives(event_type))
                .map(|(event_cursor, _)| Job::Deliver {
                    store_id: endpoint.store_id.clone(),
                    webhook_id: endpoint.webhook_id.clone(),
                    cursor: *event_cursor as f64,
                    enqueued_at: enqueued_at as f64,
                })
                .collect();
            if !jobs.is_empty() {
                queue.send_batch(jobs).await?;
            }
            let full = u32::try_from(events.len()).is_ok_and(|n| n == PAGE);
            if !webhooks.advance(&endpoint, cursor, last).await? || !full {
                break;
            }
            cursor = last;
        }
    }
    if more {
        send_fan_out(env, store.as_str()).await?;
    }
    Ok(())
}

fn subscription(endpoint: &Webhook) -> Result<Subscription, ApiError> {
    Subscription::new(endpoint.events.as_deref()).map_err(|e| {
        ApiError::internal(format!(
            "webhook `{}` holds an invalid subscription: {e}",
            endpoint.webhook_id
        ))
    })
}

fn retry_options(delay_seconds: u32) -> QueueRetryOptions {
    QueueRetryOptionsBuilder::new()
        .with_delay_seconds(delay_seconds)
        .build()
}

/// The first retry delay, in seconds: `WEBHOOK_RETRY_SECONDS` (30 unless configured).
fn base_delay(env: &Env) -> u32 {
    env.var("WEBHOOK_RETRY_SECONDS")
        .ok()
        .and_then(|v| v.to_string().parse().ok())
        .unwrap_or(30)
}

/// The consumer: fan-outs (one per store in the batch) and deliveries. A message whose work
/// failed for a reason of ours (D1 unreachable) goes back to the queue after the base delay.
pub async fn consume(batch: MessageBatch<Job>, env: &Env, meter: &Meter) -> Result<(), ApiError> {
    let base = base_delay(env);
    let mut fanned: BTreeSet<String> = BTreeSet::new();
    for message in batch.iter() {
        // A message that does not decode is logged and dropped; the others go on.
        let message = match message {
            Ok(message) => message,
            Err(error) => {
                worker::console_error!("webhook message dropped: {error}");
                continue;
            }
        };
        // Past the invocation's budget, a message waits for the next invocation.
        if meter.statements().saturating_add(DELIVERY_STATEMENTS) > BUDGET {
            message.retry_with_options(&retry_options(BUDGET_DELAY));
            continue;
        }
        let outcome = match message.body() {
            Job::FanOut { store_id } => {
                if fanned.contains(store_id) {
                    Ok(None)
                } else {
                    let done = match StoreId::new(store_id.clone()) {
                        Ok(store) => fan_out(env, meter, &store).await,
                        Err(_) => Ok(()),
                    };
                    if done.is_ok() {
                        fanned.insert(store_id.clone());
                    }
                    done.map(|()| None)
                }
            }
            Job::Deliver {
                store_id,
                webhook_id,
                cursor,
                enqueued_at,
            } => {
                deliver(
                    env,
                    meter,
                    store_id,
                    webhook_id,
                    *cursor,
                    *enqueued_at,
                    base,
                )
                .await
            }
        };
        settle(&message, outcome, base);
    }
    Ok(())
}

fn settle(message: &Message<Job>, outcome: Result<Option<u32>, ApiError>, base: u32) {
    match outcome {
        Ok(None) => message.ack(),
        Ok(Some(delay)) => message.retry_with_options(&retry_options(delay)),
        Err(error) => {
            worker::console_error!("webhook job failed, retried: {}", error.detail);
            message.retry_with_options(&retry_options(base));
        }
    }
}

#[expect(
    clippy::cast_possible_truncation,
    reason = "cursors and times are integers below 2^53"
)]
fn whole(value: f64) -> i64 {
    value as i64
}

/// Delivers one event to one endpoint and logs the attempt. `Some(delay)` when it failed and
/// is to be tried again after `delay` seconds; `None` when it is done: acknowledged, given up,
/// or its endpoint deleted (then nothing is sent).
async fn deliver(
    env: &Env,
    meter: &Meter,
    store_id: &str,
    webhook_id: &str,
    cursor: f64,
    enqueued_at: f64,
    base: u32,
) -> Result<Option<u32>, ApiError> {
    let cursor = whole(cursor);
    // A message for a store id that cannot exist delivers nothing.
    let Ok(store) = StoreId::new(store_id.to_owned()) else {
        return Ok(None);
    };
    let webhooks = Webhooks::new(Db::of_store(env, meter, &store)?);
    let pending = webhooks.pending(store_id, webhook_id, cursor).await?;
    let (Some(endpoint), Some(event), false) = (pending.webhook, pending.event, pending.delivered)
    else {
        return Ok(None);
    };
    // Exactly as the feed serializes it.
    let event: FeedEvent = serde_json::from_value(event).map_err(ApiError::internal)?;
    let body = serde_json::to_string(&event).map_err(ApiError::internal)?;
    let key = secret(env, store_id, webhook_id, &endpoint.salt)?;
    let started = now_millis();
    let header = signature(&key, started / 1000, &body)?;
    let (response_status, error) = post(&endpoint.url, cursor, &header, &body).await;
    let finished = now_millis();
    let attempt = pending.attempts.saturating_add(1);
    let succeeded = response_status.is_some_and(|s| (200..300).contains(&s));
    let delay = if succeeded {
        None
    } else {
        retry_delay(attempt, finished - whole(enqueued_at), base)
    };
    webhooks
        .record(
            store_id,
            &Attempt {
                webhook_id: webhook_id.to_owned(),
                event_cursor: cursor,
                event_type: pending.event_type,
                attempt,
                succeeded,
                response_status,
                error,
                at: Timestamp::from_unix_millis(started),
                duration_ms: finished - started,
                next_attempt_at: delay.map(|d| {
                    Timestamp::from_unix_millis(finished.saturating_add(i64::from(d) * 1000))
                }),
            },
        )
        .await?;
    Ok(delay)
}

/// POSTs a signed event; the endpoint's status, or why there was none. Redirects are not
/// followed: a 3xx is a failed attempt.
async fn post(
    url: &str,
    cursor: i64,
    signature: &str,
    body: &str,
) -> (Option<u16>, Option<String>) {
    let request = (|| {
        let headers = Headers::new();
        headers.set("content-type", "application/json")?;
        headers.set("user-agent", "entitle-webhooks/1")?;
        headers.set("entitle-event-id", &cursor.to_string())?;
        headers.set("entitle-signature", signature)?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(headers)
            .with_redirect(RequestRedirect::Manual)
            .with_body(Some(body.into()));
        Request::new_with_init(url, &init)
    })();
    let request = match request {
        Ok(request) => request,
        Err(error) => {
            return (
                None,
                Some(format!("the request could not be made: {error}")),
            );
        }
    };
    let signal = AbortSignal::from(worker::web_sys::AbortSignal::timeout_with_u32(TIMEOUT_MS));
    match Fetch::Request(request).send_with_signal(&signal).await {
        Ok(response) => (Some(response.status_code()), None),
        Err(_) if signal.aborted() => (None, Some("no answer within 10 seconds".to_owned())),
        Err(error) => (None, Some(format!("the request failed: {error}"))),
    }
}
