//! The store's webhook endpoints and their delivery logs. Delivery itself is `crate::webhooks`.

use super::{Call, page_query};
use crate::auth;
use crate::http::{ApiError, body, json, no_content};
use crate::store::webhooks::{Webhook, Webhooks};
use crate::webhooks::secret;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entitle_rules::ids::StoreId;
use entitle_rules::webhook::{MAX_WEBHOOKS, Subscription};
use serde::Deserialize;
use serde_json::json;
use worker::{Response, Url};

/// The longest URL an endpoint may have.
const MAX_URL: usize = 2048;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WebhookBody {
    url: String,
    #[serde(default)]
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
    ApiError::new(400, "invalid_webhook_url", detail)
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
        "http" => Err(ApiError::new(
            400,
            "https_required",
            format!("`{text}` is not `https`: webhooks are delivered over HTTPS only"),
        )),
        _ => Err(invalid_url(format!("`{text}` is not an `https` URL"))),
    }
}

fn view(webhook: &Webhook) -> serde_json::Value {
    json!({
        "webhookId": webhook.webhook_id,
        "url": webhook.url,
        "events": webhook.events,
        "createdAt": webhook.created_at,
    })
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(
        404,
        "webhook_not_found",
        format!("webhook `{id}` does not exist"),
    )
}

/// `POST /v1/webhooks`: registers an endpoint; the answer holds its secret, shown only here.
pub async fn create(call: &mut Call, store: &StoreId) -> Result<Response, ApiError> {
    let b: WebhookBody = body(&mut call.req).await?;
    let url = checked_url(&b.url, local_http(call))?;
    let subscription = Subscription::new(b.events.as_deref())
        .map_err(|e| ApiError::new(422, e.code(), e.to_string()))?;
    let events = subscription.events();
    let fresh = auth::fresh(2)?;
    let (Some(id), Some(salt)) = (fresh.first(), fresh.get(1)) else {
        return Err(ApiError::internal("too few fresh values"));
    };
    let webhook_id = format!("wh_{id}");
    // Derived before anything is written, so a missing WEBHOOK_KEY writes nothing.
    let secret = secret(&call.env, store.as_str(), &webhook_id, salt)?;
    let created = Webhooks::new(call.env.d1("DB")?)
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
        return Err(ApiError::new(
            422,
            "too_many_webhooks",
            format!("a store registers at most {MAX_WEBHOOKS} webhook endpoints"),
        ));
    }
    json(
        201,
        &json!({
            "webhookId": webhook_id,
            "url": url.as_str(),
            "events": events,
            "createdAt": call.now.to_string(),
            "secret": secret,
        }),
    )
}

/// `GET /v1/webhooks`: the store's endpoints, in id order, without their secrets.
pub async fn list(call: &mut Call, store: &StoreId) -> Result<Response, ApiError> {
    let (limit, after) = page_query(call)?;
    let mut webhooks = Webhooks::new(call.env.d1("DB")?)
        .list(store, &after, limit.saturating_add(1))
        .await?;
    let more = webhooks.len() > limit;
    webhooks.truncate(limit);
    let next = webhooks
        .last()
        .filter(|_| more)
        .map(|w| URL_SAFE_NO_PAD.encode(w.webhook_id.as_bytes()));
    json(
        200,
        &json!({ "webhooks": webhooks.iter().map(view).collect::<Vec<_>>(), "nextCursor": next }),
    )
}

/// `DELETE /v1/webhooks/{webhookId}`: the endpoint gets nothing more, queued deliveries
/// included; its delivery log goes with it.
pub async fn delete(call: &mut Call, store: &StoreId) -> Result<Response, ApiError> {
    let id = call.param(0)?.to_owned();
    if !Webhooks::new(call.env.d1("DB")?)
        .delete(store, &id, call.now)
        .await?
    {
        return Err(not_found(&id));
    }
    no_content()
}

/// `GET /v1/webhooks/{webhookId}/deliveries`: the endpoint's delivery attempts, newest first.
pub async fn deliveries(call: &mut Call, store: &StoreId) -> Result<Response, ApiError> {
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
                    ApiError::new(
                        400,
                        "invalid_cursor",
                        "`after` is not a cursor from this list",
                    )
                })?,
        )
    };
    let webhooks = Webhooks::new(call.env.d1("DB")?);
    if webhooks.get(store, &id).await?.is_none() {
        return Err(not_found(&id));
    }
    let mut attempts = webhooks
        .deliveries(store, &id, before, limit.saturating_add(1))
        .await?;
    let more = attempts.len() > limit;
    attempts.truncate(limit);
    let next = attempts
        .last()
        .filter(|_| more)
        .map(|a| URL_SAFE_NO_PAD.encode(a.id().to_string().as_bytes()));
    json(
        200,
        &json!({
            "deliveries": attempts.into_iter().map(|a| a.into_json()).collect::<Vec<_>>(),
            "nextCursor": next,
        }),
    )
}
