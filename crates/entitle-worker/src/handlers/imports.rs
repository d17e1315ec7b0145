//! Records the store imports: one at a time (`PUT /v1/<records>/{id}`) or up to 1,000 at once
//! (`POST /v1/imports`, all or nothing). Both run the same store commands of the rules, so they
//! validate and write events alike; each record type's body is declared once here.

use super::{Call, run, store_command};
use crate::http::{ApiError, body_limited, json};
use entitle_rules::ids::{AccountId, CompanyId, LicenseKey, OrderId, ProductId, StoreId};
use entitle_rules::model::{
    Account, AccountKind, Billing, CompanyRole, Contract, ContractStatus, License, LicenseTier,
    LicenseType, Order, Product,
};
use entitle_rules::text::Email;
use entitle_rules::{Change, StoreCommand, Timestamp, execute_store_batch};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use worker::Response;

/// The most records one `POST /v1/imports` may carry.
pub const MAX_IMPORT: usize = 1_000;

/// The largest bulk import body, in bytes.
const MAX_IMPORT_BODY: usize = 2 * 1024 * 1024;

/// The most licenses one imported order may list.
const MAX_ORDER_LICENSES: usize = 500;

/// A record body the store imports: its fields beside its id, and the command it becomes.
trait ImportBody: DeserializeOwned {
    /// The list it stands in, in `POST /v1/imports`.
    const LIST: &'static str;
    /// The name of its id field in a bulk import item.
    const ID: &'static str;
    /// The store command that imports it.
    fn command(self, id: String) -> Result<StoreCommand, ApiError>;
}

fn id<T: TryFrom<String>>(id: String, what: &str) -> Result<T, ApiError> {
    T::try_from(id.clone()).map_err(|_| {
        ApiError::new(
            422,
            "invalid_id",
            format!("`{id}` is not a valid {what} id"),
        )
    })
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

impl ImportBody for AccountBody {
    const LIST: &'static str = "accounts";
    const ID: &'static str = "id";
    fn command(self, account: String) -> Result<StoreCommand, ApiError> {
        Ok(StoreCommand::ImportAccount(Account {
            id: id(account, "account")?,
            email: self.email,
            name: self.name,
            kind: self.kind,
            company_id: self.company_id,
            company_role: self.company_role,
            managed_by: self.managed_by,
        }))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ProductBody {
    name: String,
    family: String,
    billing: Billing,
}

impl ImportBody for ProductBody {
    const LIST: &'static str = "products";
    const ID: &'static str = "id";
    fn command(self, product: String) -> Result<StoreCommand, ApiError> {
        Ok(StoreCommand::ImportProduct(Product {
            id: id::<ProductId>(product, "product")?,
            name: self.name,
            family: self.family,
            billing: self.billing,
        }))
    }
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

impl ImportBody for LicenseBody {
    const LIST: &'static str = "licenses";
    const ID: &'static str = "licenseKey";
    fn command(self, key: String) -> Result<StoreCommand, ApiError> {
        let mut record = License::new(
            id::<LicenseKey>(key, "license")?,
            self.product_id,
            self.owner_id,
        );
        record.order_id = self.order_id;
        record.license_type = self.license_type;
        record.tier = self.tier;
        record.expires_at = self.expires_at;
        record.activated = self.activated;
        Ok(StoreCommand::ImportLicense(record))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OrderBody {
    owner_id: AccountId,
    billing_account_id: AccountId,
    license_keys: Vec<LicenseKey>,
    recurring: bool,
}

impl ImportBody for OrderBody {
    const LIST: &'static str = "orders";
    const ID: &'static str = "id";
    fn command(self, order: String) -> Result<StoreCommand, ApiError> {
        if self.license_keys.len() > MAX_ORDER_LICENSES {
            return Err(ApiError::new(
                422,
                "invalid_record",
                format!("an order lists at most {MAX_ORDER_LICENSES} licenses"),
            ));
        }
        Ok(StoreCommand::ImportOrder(Order {
            id: id::<OrderId>(order, "order")?,
            owner_id: self.owner_id,
            billing_account_id: self.billing_account_id,
            license_keys: self.license_keys,
            recurring: self.recurring,
        }))
    }
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

impl ImportBody for ContractBody {
    const LIST: &'static str = "contracts";
    const ID: &'static str = "id";
    fn command(self, contract: String) -> Result<StoreCommand, ApiError> {
        Ok(StoreCommand::ImportContract(Contract {
            id: id(contract, "contract")?,
            owner_id: self.owner_id,
            product_id: self.product_id,
            status: self.status,
            registered_at: self.registered_at,
            renews_at: self.renews_at,
            billing: self.billing,
        }))
    }
}

/// `PUT /v1/<records>/{id}`: one record, answered with the record as written.
async fn put<B: ImportBody>(call: &mut Call, store: &StoreId) -> Result<Response, ApiError> {
    let key = call.param(0)?.to_owned();
    let b: B = crate::http::body(&mut call.req).await?;
    let command = b.command(key).map_err(|e| {
        // An id in the path that is not an id names nothing: 404, as for any path id.
        if e.code == "invalid_id" {
            ApiError::new(404, "invalid_id", e.detail)
        } else {
            e
        }
    })?;
    let out = store_command(call, store, &command).await?;
    let (row, _) = out
        .changes
        .first()
        .map(Change::row)
        .ok_or_else(|| ApiError::internal("an import wrote no record"))?;
    let mut written = Vec::new();
    row.serialize_record(&mut serde_json::Serializer::new(&mut written))
        .map_err(ApiError::internal)?;
    let value: Value = serde_json::from_slice(&written).map_err(ApiError::internal)?;
    json(200, &value)
}

/// `PUT /v1/accounts/{accountId}`
pub async fn put_account(call: &mut Call, store: &StoreId) -> Result<Response, ApiError> {
    put::<AccountBody>(call, store).await
}

/// `PUT /v1/products/{productId}`
pub async fn put_product(call: &mut Call, store: &StoreId) -> Result<Response, ApiError> {
    put::<ProductBody>(call, store).await
}

/// `PUT /v1/licenses/{licenseKey}`
pub async fn put_license(call: &mut Call, store: &StoreId) -> Result<Response, ApiError> {
    put::<LicenseBody>(call, store).await
}

/// `PUT /v1/orders/{orderId}`
pub async fn put_order(call: &mut Call, store: &StoreId) -> Result<Response, ApiError> {
    put::<OrderBody>(call, store).await
}

/// `PUT /v1/contracts/{contractId}`
pub async fn put_contract(call: &mut Call, store: &StoreId) -> Result<Response, ApiError> {
    put::<ContractBody>(call, store).await
}

/// Where a record stands in a bulk import, for errors.
struct Place {
    list: &'static str,
    index: usize,
}

fn at(place: &Place, error: ApiError) -> ApiError {
    let detail = format!("{}[{}]: {}", place.list, place.index, error.detail);
    ApiError::new(422, error.code, detail)
        .with("list", json!(place.list))
        .with("index", json!(place.index))
}

fn items<B: ImportBody>(
    lists: &mut Map<String, Value>,
    commands: &mut Vec<StoreCommand>,
    places: &mut Vec<Place>,
) -> Result<(), ApiError> {
    let Some(list) = lists.remove(B::LIST) else {
        return Ok(());
    };
    let Value::Array(list) = list else {
        return Err(ApiError::new(
            400,
            "invalid_body",
            format!("`{}` is a list of records", B::LIST),
        ));
    };
    for (index, item) in list.into_iter().enumerate() {
        let place = Place {
            list: B::LIST,
            index,
        };
        let Value::Object(mut fields) = item else {
            return Err(at(
                &place,
                ApiError::new(422, "invalid_record", "a record is an object"),
            ));
        };
        let key = match fields.remove(B::ID) {
            Some(Value::String(key)) => key,
            _ => {
                return Err(at(
                    &place,
                    ApiError::new(
                        422,
                        "invalid_record",
                        format!("a record needs its `{}`", B::ID),
                    ),
                ));
            }
        };
        let body: B = serde_json::from_value(Value::Object(fields))
            .map_err(|e| at(&place, ApiError::new(422, "invalid_record", e.to_string())))?;
        commands.push(body.command(key).map_err(|e| at(&place, e))?);
        places.push(place);
    }
    Ok(())
}

/// `POST /v1/imports`: up to 1,000 records, all or nothing, validated and written as the single
/// PUTs do (accounts first, then products, licenses, orders and contracts), in one batch.
pub async fn bulk(call: &mut Call, store_id: &StoreId) -> Result<Response, ApiError> {
    let body: Value = body_limited(&mut call.req, MAX_IMPORT_BODY).await?;
    let Value::Object(mut lists) = body else {
        return Err(ApiError::new(
            400,
            "invalid_body",
            "the body is an object of record lists",
        ));
    };
    let mut commands = Vec::new();
    let mut places = Vec::new();
    items::<AccountBody>(&mut lists, &mut commands, &mut places)?;
    items::<ProductBody>(&mut lists, &mut commands, &mut places)?;
    items::<LicenseBody>(&mut lists, &mut commands, &mut places)?;
    items::<OrderBody>(&mut lists, &mut commands, &mut places)?;
    items::<ContractBody>(&mut lists, &mut commands, &mut places)?;
    if let Some(name) = lists.keys().next() {
        return Err(ApiError::new(
            400,
            "invalid_body",
            format!("`{name}` is not a list of records this store imports"),
        ));
    }
    if commands.len() > MAX_IMPORT {
        return Err(ApiError::new(
            422,
            "too_many_records",
            format!("one import carries at most {MAX_IMPORT} records"),
        ));
    }
    let store = call.store(store_id)?;
    let now = call.now;
    run(&store, |state, _| {
        execute_store_batch(state, &commands, now).map_err(|(index, error)| {
            let fallback = Place {
                list: "records",
                index,
            };
            at(
                places.get(index).unwrap_or(&fallback),
                ApiError::from(error),
            )
        })
    })
    .await?;
    json(200, &json!({ "imported": commands.len() }))
}
