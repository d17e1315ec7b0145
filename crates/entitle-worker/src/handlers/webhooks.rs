//! The store's webhook endpoints and their delivery logs. Delivery itself is `crate::webhooks`.

use super::{Call, page_query};
use crate::auth;
use crate::errors::Transport;
use crate::http::{ApiError, NoContent, Reply};
use crate::store::webhooks::{LoggedAttempt, Webhook, Webhooks};
use crate::views::{
    CreatedWebhook, DeliveryPage, DeliveryStatus, DeliveryView, WebhookPage, WebhookView,
};
use crate::webhooks::secret;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entitle_rules::ids::StoreId;
use entitle_rules::webhook::{MAX_WEBHOOKS, Subscription};
use schemars::JsonSchema;
use serde::Deserialize;
use worker::Url;

/// The longest URL an endpoint may have.
const MAX_URL: usize = 2048;

/// A webhook endpoint to register.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookBody {
    /// Where deliveries are POSTed: an absolute `https` URL of at most 2048 characters, without
    /// credentials or fragment; also `http://127.0.0.1[:port]/…` where the deployment's local
    /// configuration allows it (`WEBHOOK_LOCAL_HTTP = "on"`: `scripts/dev.sh`, tests).
    #[schemars(length(max = 2048))]
    url: String,
    /// The event types to receive, each once; every event of the feed when absent.
    #[serde(default)]
    #[schemars(length(min = 1))]
    events: Option<Vec<String>>,
}

/// Whether plain `http://127.0.0.1` endpoints are accepted: only where the configuration sets
/// `WEBHOOK_LOCAL_HTTP = "on"` (local development and tests), never by default.
fn local_http(call: &Call) -> bool {
    call.env
        .var("WEBHOOK_LOCAL_HTTP")
        .map(|v| v.to_string())
        .is_ok_and(|v| v == "on")
}

fn invalid_url(detail: impl Into<String>) -> ApiError {
    ApiError::transport(Transport::InvalidWebhookUrl, detail)
}

/// The endpoint URL, checked: absolute, no credentials or fragment, `https`; or
/// `http://127.0.0.1[:port]` where local HTTP is turned on.
fn checked_url(text: &str, local_http: bool) -> Result<Url, ApiError> {
    if text.len() > MAX_URL {
        return Err(invalid_url(format!(
            "a webhook URL has at most {MAX_URL} characters"
        )));
    }
    let url = Url::parse(text).map_err(|e| invalid_url(format!("`{text}` is not a URL: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid_url(
            "a webhook URL carries no user name or password",
        ));
    }
    if url.fragment().is_some() {
        return Err(invalid_url("a webhook URL has no fragment (`#…`)"));
    }
    match url.scheme() {
        "https" if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(url),
        "http" if local_http && url.host_str() == Some("127.0.0.1") => Ok(url),
        "http" => Err(ApiError::transport(
            Transport::HttpsRequired,
            format!("`{text}` is not `https`: webhooks are delivered over HTTPS only"),
        )),
        _ => Err(invalid_url(format!("`{text}` is not an `https` URL"))),
    }
}

fn view(webhook: Webhook) -> WebhookView {
    WebhookView {
        webhook_id: webhook.webhook_id,
        url: webhook.url,
        events: webhook.events,
        created_at: webhook.created_at,
    }
}

fn not_found(id: &str) -> ApiError {
    ApiError::transport(
        Transport::WebhookNotFound,
        format!("webhook `{id}` does not exist"),
    )
}

/// `POST /v1/webhooks`: registers an endpoint; the answer holds its secret, shown only here.
pub async fn create(
    call: &mut Call,
    store: &StoreId,
    b: WebhookBody,
) -> Result<Reply<CreatedWebhook>, ApiError> {
    let url = checked_url(&b.url, local_http(call))?;
    let subscription = Subscription::new(b.events.as_deref())
        .map_err(|e| ApiError::rules(e.code(), e.to_string()))?;
    let events = subscription.events();
    let fresh = auth::fresh(2)?;
    let (Some(id), Some(salt)) = (fresh.first(), fresh.get(1)) else {
        return Err(ApiError::internal("too few fresh values"));
    };
    let webhook_id = format!("wh_{id}");
    // Derived before anything is written, so a missing WEBHOOK_KEY writes nothing.
    let secret = secret(&call.env, store.as_str(), &webhook_id, salt)?;
    let created = Webhooks::new(call.db(store)?)
        .create(
            store,
            &webhook_id,
            url.as_str(),
            events.as_deref(),
            salt,
            call.now,
            MAX_WEBHOOKS,
        )
        .await?;
    if !created {
        return Err(ApiError::transport(
            Transport::TooManyWebhooks,
            format!("a store registers at most {MAX_WEBHOOKS} webhook endpoints"),
        ));
    }
    Ok(Reply::new(CreatedWebhook {
        webhook: WebhookView {
            webhook_id,
            url: url.as_str().to_owned(),
            events: events.map(|e| e.iter().map(|t| (*t).to_owned()).collect()),
            created_at: call.now.to_string(),
        },
        secret,
    }))
}

/// `GET /v1/webhooks`: the store's endpoints, in id order, without their secrets.
pub async fn list(call: &mut Call, store: &StoreId) -> Result<Reply<WebhookPage>, ApiError> {
    let (limit, after) = page_query(call)?;
    let mut webhooks = Webhooks::new(call.db(store)?)
        .list(store, &after, limit.saturating_add(1))
        .await?;
    let more = webhooks.len() > limit;
    webhooks.truncate(limit);
    let next = webhooks
        .last()
        .filter(|_| more)
        .map(|w| URL_SAFE_NO_PAD.encode(w.webhook_id.as_bytes()));
    Ok(Reply::new(WebhookPage {
        webhooks: webhooks.into_iter().map(view).collect(),
        next_cursor: next,
    }))
}

/// `DELETE /v1/webhooks/{webhookId}`: the endpoint gets nothing more, queued deliveries
/// included; its delivery log goes with it.
pub async fn delete(call: &mut Call, store: &StoreId) -> Result<Reply<NoContent>, ApiError> {
    let id = call.param(0)?.to_owned();
    if !Webhooks::new(call.db(store)?)
        .delete(store, &id, call.now)
        .await?
    {
        return Err(not_found(&id));
    }
    Ok(Reply::new(NoContent))
}

/// `GET /v1/webhooks/{webhookId}/deliveries`: the endpoint's delivery attempts, newest first.
pub async fn deliveries(call: &mut Call, store: &StoreId) -> Result<Reply<DeliveryPage>, ApiError> {
    let id = call.param(0)?.to_owned();
    let (limit, after) = page_query(call)?;
    let before = if after.is_empty() {
        None
    } else {
        Some(
            after
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| {
                    ApiError::transport(
                        Transport::InvalidCursor,
                        "`after` is not a cursor from this list",
                    )
                })?,
        )
    };
    let mut attempts = Webhooks::new(call.db(store)?)
        .deliveries(store, &id, before, limit.saturating_add(1))
        .await?
        .ok_or_else(|| not_found(&id))?;
    let more = attempts.len() > limit;
    attempts.truncate(limit);
    let next = attempts
        .last()
        .filter(|_| more)
        .map(|a| URL_SAFE_NO_PAD.encode(a.id.to_string().as_bytes()));
    Ok(Reply::new(DeliveryPage {
        deliveries: attempts.into_iter().map(delivery_view).collect(),
        next_cursor: next,
    }))
}

/// A logged attempt as the API answers it.
fn delivery_view(attempt: LoggedAttempt) -> DeliveryView {
    DeliveryView {
        delivery_id: attempt.id.to_string(),
        event_cursor: attempt.event_cursor.to_string(),
        event_type: attempt.event_type,
        attempt: attempt.attempt,
        status: if attempt.succeeded {
            DeliveryStatus::Succeeded
        } else {
            DeliveryStatus::Failed
        },
        response_status: attempt.response_status,
        error: attempt.error,
        at: attempt.at,
        duration_ms: attempt.duration_ms,
        next_attempt_at: attempt.next_attempt_at,
    }
}
