//! The store's side: record imports, sessions, the event feed, device state. Also the
//! caller-neutral `authorize` and `me/access`, and the OpenAPI document.

use super::{Call, store_command, world};
use crate::auth::{self, Session};
use crate::http::{ApiError, body, json};
use crate::store::Extra;
use entitle_rules::ids::{
    AccountId, CompanyId, LicenseKey, OrderId, ProductId, ProjectId, StoreId,
};
use entitle_rules::model::{
    Account, AccountKind, Billing, CompanyRole, Contract, ContractStatus, License, LicenseTier,
    LicenseType, Order, Product,
};
use entitle_rules::text::Email;
use entitle_rules::{
    Action, ProjectRuntime, Resource, StoreCommand, Timestamp, access_snapshot, authorize,
};
use serde::Deserialize;
use serde_json::json;
use worker::Response;

/// The OpenAPI document, served as committed.
const OPENAPI: &str = include_str!("../../../../openapi.json");

/// `GET /v1/openapi.json`
pub fn openapi() -> Result<Response, ApiError> {
    let headers = worker::Headers::new();
    headers.set("content-type", "application/json")?;
    Ok(Response::from_bytes(OPENAPI.as_bytes().to_vec())?.with_headers(headers))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AccountBody {
    email: Email,
    name: String,
    kind: AccountKind,
    #[serde(default)]
    company_id: Option<CompanyId>,
    #[serde(default)]
    company_role: Option<CompanyRole>,
    #[serde(default)]
    managed_by: Option<AccountId>,
}

/// `PUT /v1/accounts/{accountId}`
pub async fn put_account(call: &mut Call, store: &StoreId) -> Result<Response, ApiError> {
    let id: AccountId = call.id(0, "invalid_id", "account")?;
    let b: AccountBody = body(&mut call.req).await?;
    let mut extras = vec![
        Extra::Account(id.to_string()),
        Extra::AccountByEmail(b.email.to_string()),
    ];
    if let Some(manager) = &b.managed_by {
        extras.push(Extra::Account(manager.to_string()));
    }
    let record = Account {
        id,
        email: b.email,
        name: b.name,
        kind: b.kind,
        company_id: b.company_id,
        company_role: b.company_role,
        managed_by: b.managed_by,
        version: 0,
    };
    let out = store_command(call, store, &StoreCommand::ImportAccount(record), &extras).await?;
    json(
        200,
        &super::written(&out, |c| match c {
            entitle_rules::Change::PutAccount(a) => Some(a),
            _ => None,
        })?,
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ProductBody {
    name: String,
    family: String,
    billing: Billing,
}

/// `PUT /v1/products/{productId}`
pub async fn put_product(call: &mut Call, store: &StoreId) -> Result<Response, ApiError> {
    let id: ProductId = call.id(0, "invalid_id", "product")?;
    let b: ProductBody = body(&mut call.req).await?;
    let record = Product {
        id: id.clone(),
        name: b.name,
        family: b.family,
        billing: b.billing,
        version: 0,
    };
    let out = store_command(
        call,
        store,
        &StoreCommand::ImportProduct(record),
        &[Extra::Product(id.to_string())],
    )
    .await?;
    json(
        200,
        &super::written(&out, |c| match c {
            entitle_rules::Change::PutProduct(p) => Some(p),
            _ => None,
        })?,
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LicenseBody {
    product_id: ProductId,
    owner_id: AccountId,
    #[serde(default)]
    order_id: Option<OrderId>,
    #[serde(default)]
    license_type: LicenseType,
    #[serde(default)]
    tier: LicenseTier,
    #[serde(default)]
    expires_at: Option<Timestamp>,
    #[serde(default)]
    activated: bool,
}

/// `PUT /v1/licenses/{licenseKey}`
pub async fn put_license(call: &mut Call, store: &StoreId) -> Result<Response, ApiError> {
    let key: LicenseKey = call.id(0, "invalid_id", "license")?;
    let b: LicenseBody = body(&mut call.req).await?;
    let extras = [
        Extra::License(key.to_string()),
        Extra::Product(b.product_id.to_string()),
        Extra::Account(b.owner_id.to_string()),
    ];
    let mut record = License::new(key, b.product_id, b.owner_id);
    record.order_id = b.order_id;
    record.license_type = b.license_type;
    record.tier = b.tier;
    record.expires_at = b.expires_at;
    record.activated = b.activated;
    let out = store_command(call, store, &StoreCommand::ImportLicense(record), &extras).await?;
    json(
        200,
        &super::written(&out, |c| match c {
            entitle_rules::Change::PutLicense(l) => Some(l),
            _ => None,
        })?,
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OrderBody {
    owner_id: AccountId,
    billing_account_id: AccountId,
    license_keys: Vec<LicenseKey>,
    recurring: bool,
}

/// The most licenses one imported order may list.
const MAX_ORDER_LICENSES: usize = 500;

/// `PUT /v1/orders/{orderId}`
pub async fn put_order(call: &mut Call, store: &StoreId) -> Result<Response, ApiError> {
    let id: OrderId = call.id(0, "invalid_id", "order")?;
    let b: OrderBody = body(&mut call.req).await?;
    if b.license_keys.len() > MAX_ORDER_LICENSES {
        return Err(ApiError::new(
            422,
            "invalid_record",
            format!("an order lists at most {MAX_ORDER_LICENSES} licenses"),
        ));
    }
    let mut extras = vec![
        Extra::Order(id.to_string()),
        Extra::Account(b.owner_id.to_string()),
        Extra::Account(b.billing_account_id.to_string()),
    ];
    extras.extend(b.license_keys.iter().map(|k| Extra::License(k.to_string())));
    let record = Order {
        id,
        owner_id: b.owner_id,
        billing_account_id: b.billing_account_id,
        license_keys: b.license_keys,
        recurring: b.recurring,
        version: 0,
    };
    let out = store_command(call, store, &StoreCommand::ImportOrder(record), &extras).await?;
    json(
        200,
        &super::written(&out, |c| match c {
            entitle_rules::Change::PutOrder(o) => Some(o),
            _ => None,
        })?,
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ContractBody {
    owner_id: AccountId,
    product_id: ProductId,
    status: ContractStatus,
    registered_at: Timestamp,
    #[serde(default)]
    renews_at: Option<Timestamp>,
    billing: Billing,
}

/// `PUT /v1/contracts/{contractId}`
pub async fn put_contract(call: &mut Call, store: &StoreId) -> Result<Response, ApiError> {
    let id: entitle_rules::ids::ContractId = call.id(0, "invalid_id", "contract")?;
    let b: ContractBody = body(&mut call.req).await?;
    let extras = [
        Extra::Contract(id.to_string()),
        Extra::Account(b.owner_id.to_string()),
        Extra::Product(b.product_id.to_string()),
    ];
    let record = Contract {
        id,
        owner_id: b.owner_id,
        product_id: b.product_id,
        status: b.status,
        registered_at: b.registered_at,
        renews_at: b.renews_at,
        billing: b.billing,
        version: 0,
    };
    let out = store_command(call, store, &StoreCommand::ImportContract(record), &extras).await?;
    json(
        200,
        &super::written(&out, |c| match c {
            entitle_rules::Change::PutContract(c) => Some(c),
            _ => None,
        })?,
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RuntimeBody {
    server_active: bool,
    active_panels: u32,
}

/// `PATCH /v1/projects/{projectId}/runtime`
pub async fn patch_runtime(call: &mut Call, store: &StoreId) -> Result<Response, ApiError> {
    let project_id: ProjectId = call.id(0, "project_not_found", "project")?;
    let b: RuntimeBody = body(&mut call.req).await?;
    let runtime = ProjectRuntime {
        project_id: project_id.clone(),
        server_active: b.server_active,
        active_panels: b.active_panels,
    };
    let out = store_command(
        call,
        store,
        &StoreCommand::SetProjectRuntime(runtime),
        &[Extra::Project(project_id.to_string())],
    )
    .await?;
    json(
        200,
        &super::written(&out, |c| match c {
            entitle_rules::Change::PutProject(p) => Some(p),
            _ => None,
        })?,
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SessionBody {
    account_id: AccountId,
}

/// `POST /v1/sessions` (store key) and `POST /v1/demo/sessions` (local demo only).
pub async fn create_session(call: &mut Call, store_id: &StoreId) -> Result<Response, ApiError> {
    let b: SessionBody = body(&mut call.req).await?;
    let state = call
        .store(store_id)?
        .load(None, &[Extra::Account(b.account_id.to_string())])
        .await?;
    if state.account(&b.account_id).is_none() {
        return Err(ApiError::new(
            404,
            "account_not_found",
            format!("account `{}` is not known to the store", b.account_id),
        ));
    }
    let (token, expires) = auth::sign(&call.env, store_id, &b.account_id, call.now)?;
    json(
        201,
        &json!({ "token": token, "expiresAt": expires, "accountId": b.account_id }),
    )
}

#[derive(Deserialize)]
struct EventsQuery {
    after: Option<String>,
    limit: Option<String>,
}

/// `GET /v1/events?after=<cursor>&limit=<n>`
pub async fn events(call: &mut Call, store_id: &StoreId) -> Result<Response, ApiError> {
    let q: EventsQuery = call
        .req
        .query()
        .map_err(|_| ApiError::new(400, "invalid_query", "the query string is not valid"))?;
    let after = match q.after.as_deref() {
        None | Some("") => 0,
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| {
                ApiError::new(
                    400,
                    "invalid_cursor",
                    format!("`{text}` is not a cursor from this feed"),
                )
            })?,
    };
    let limit = match q.limit.as_deref() {
        None | Some("") => 100,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| {
                ApiError::new(
                    400,
                    "invalid_limit",
                    "`limit` is a whole number from 1 to 1000",
                )
            })?,
    };
    let events = call.store(store_id)?.events(after, limit).await?;
    let full = u32::try_from(events.len()).is_ok_and(|n| n == limit);
    let next = if full {
        events.last().and_then(|e| e.get("cursor").cloned())
    } else {
        None
    };
    json(200, &json!({ "events": events, "nextCursor": next }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthorizeBody {
    action: String,
    resource: Resource,
}

/// `POST /v1/authorize`: the same decision the npm package gives on the caller's snapshot.
pub async fn authorize_call(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let b: AuthorizeBody = body(&mut call.req).await?;
    let action: Action = b
        .action
        .parse()
        .map_err(|e: entitle_rules::action::UnknownAction| {
            ApiError::new(422, "unknown_action", e.to_string())
        })?;
    let state = world(call, session).await?;
    let snapshot = access_snapshot(&state, &session.sub);
    let decision = authorize(&snapshot, &session.sub, action, &b.resource, call.now)
        .map_err(|e| ApiError::new(422, e.code(), e.to_string()))?;
    json(200, &decision)
}

/// `GET /v1/me/access`: everything the npm package needs to answer the caller's checks.
pub async fn me_access(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let state = world(call, session).await?;
    let snapshot = access_snapshot(&state, &session.sub);
    let state_json = serde_json::to_string(&snapshot).map_err(ApiError::internal)?;
    let etag = format!(
        "\"{}\"",
        &entitle_rules::token::token_hash(&state_json)
            .get(..32)
            .unwrap_or_default()
    );
    if call
        .req
        .headers()
        .get("if-none-match")
        .ok()
        .flatten()
        .is_some_and(|v| v == etag)
    {
        let headers = worker::Headers::new();
        headers.set("etag", &etag)?;
        return Ok(Response::empty()?.with_status(304).with_headers(headers));
    }
    let account = snapshot.account(&session.sub).cloned();
    let mut response = json(
        200,
        &json!({ "accountId": session.sub, "account": account, "at": call.now, "state": snapshot }),
    )?;
    response.headers_mut().set("etag", &etag)?;
    Ok(response)
}

/// `GET /v1/demo/mailbox` (local demo only): the accept links the store would e-mail to the
/// caller, read from the demo store's `delegate.invited` and `invitation.resent` events.
pub async fn demo_mailbox(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let store = call.store(&session.store)?;
    let state = store
        .load(None, &[Extra::Account(session.sub.to_string())])
        .await?;
    let email = state
        .account(&session.sub)
        .map(|a| a.email.to_string())
        .unwrap_or_default();
    let mut letters: Vec<serde_json::Value> = Vec::new();
    for event in store.events(0, 1000).await? {
        let kind = event
            .get("type")
            .and_then(|t| t.as_str())
            .unwrap_or_default();
        let payload = event.get("payload").cloned().unwrap_or_default();
        let to_me = payload.get("email").and_then(|e| e.as_str()) == Some(email.as_str());
        if to_me && (kind == "delegate.invited" || kind == "invitation.resent") {
            let id = payload.get("invitationId").cloned();
            letters.retain(|l| l.get("invitationId") != id.as_ref());
            letters.push(json!({
                "invitationId": id,
                "contractId": payload.get("contractId"),
                "acceptToken": payload.get("acceptToken"),
                "expiresAt": payload.get("expiresAt"),
                "sentAt": event.get("at"),
            }));
        }
    }
    json(200, &json!({ "letters": letters }))
}
