//! Records the store imports: one at a time (`PUT /v1/<records>/{id}`) or up to 1,000 at once
//! (`POST /v1/imports`, all or nothing). Both run the same store commands of the rules, so they
//! validate and write events alike; each record type's body is declared once here.

use super::{Call, run, store_command};
use crate::errors::Transport;
use crate::http::{ApiError, Reply, body_limited};
use crate::views::ImportSummary;
use entitle_rules::ids::{AccountId, CompanyId, LicenseKey, OrderId, ProductId, StoreId};
use entitle_rules::model::{
    Account, AccountKind, Billing, CompanyRole, Contract, ContractStatus, License, LicenseTier,
    LicenseType, Membership, Order, Product,
};
use entitle_rules::text::Email;
use entitle_rules::{ErrorCode, State, StoreCommand, Timestamp, execute_store_batch};
use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The most records one `POST /v1/imports` may carry.
pub const MAX_IMPORT: usize = 1_000;

/// The largest bulk import body, in bytes.
const MAX_IMPORT_BODY: usize = 2 * 1024 * 1024;

/// The most licenses one imported order may list.
const MAX_ORDER_LICENSES: usize = 500;

/// A record body the store imports: its fields beside its id, and the command it becomes.
pub trait ImportBody: DeserializeOwned {
    /// The list it stands in, in `POST /v1/imports`.
    const LIST: &'static str;
    /// The name of its id field in a bulk import item.
    const ID: &'static str;
    /// The record it writes.
    type Record: Clone + serde::Serialize + entitle_rules::state::Written;
    /// The store command that imports it.
    fn command(self, id: String) -> Result<StoreCommand, ApiError>;
}

fn id<T: TryFrom<String>>(id: String, what: &str) -> Result<T, ApiError> {
    T::try_from(id.clone()).map_err(|_| {
        ApiError::transport(
            Transport::InvalidId,
            format!("`{id}` is not a valid {what} id"),
        )
        .with_status(422)
    })
}

/// An account as the store imports it.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountBody {
    /// Its address, unique in the store. Read as text and checked as the rules check every
    /// address, so a look-alike is refused as content (422 `invalid_email`), not as shape.
    #[schemars(with = "Email")]
    email: String,
    /// Its name.
    name: String,
    /// Its kind.
    kind: AccountKind,
    /// The company that employs it.
    #[serde(default)]
    company_id: Option<CompanyId>,
    /// Its role in that company.
    #[serde(default)]
    company_role: Option<CompanyRole>,
    /// The reseller that manages it.
    #[serde(default)]
    managed_by: Option<AccountId>,
}

impl ImportBody for AccountBody {
    const LIST: &'static str = "accounts";
    const ID: &'static str = "id";
    type Record = Account;
    fn command(self, account: String) -> Result<StoreCommand, ApiError> {
        Ok(StoreCommand::ImportAccount(Account {
            id: id(account, "account")?,
            email: Email::new(&self.email)
                .map_err(|e| ApiError::rules(ErrorCode::InvalidEmail, e.to_string()))?,
            name: self.name,
            kind: self.kind,
            company: Membership::from_parts(self.company_id, self.company_role)
                .map_err(|e| ApiError::rules(ErrorCode::InvalidRecord, e))?,
            managed_by: self.managed_by,
        }))
    }
}

/// A product as the store imports it.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductBody {
    /// Its name.
    name: String,
    /// Its family, such as `hosting`.
    family: String,
    /// How it is billed: delegates are invited to subscription contracts only.
    billing: Billing,
}

impl ImportBody for ProductBody {
    const LIST: &'static str = "products";
    const ID: &'static str = "id";
    type Record = Product;
    fn command(self, product: String) -> Result<StoreCommand, ApiError> {
        Ok(StoreCommand::ImportProduct(Product {
            id: id::<ProductId>(product, "product")?,
            name: self.name,
            family: self.family,
            billing: self.billing,
        }))
    }
}

/// A license as the store imports it.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LicenseBody {
    /// Its product.
    product_id: ProductId,
    /// Its owner.
    owner_id: AccountId,
    /// The order it was bought in.
    #[serde(default)]
    order_id: Option<OrderId>,
    /// Permanent or trial.
    #[serde(default)]
    license_type: LicenseType,
    /// Primary or additional.
    #[serde(default)]
    tier: LicenseTier,
    /// When it expires; never when absent.
    #[serde(default)]
    expires_at: Option<Timestamp>,
    /// Whether it is activated on a server.
    #[serde(default)]
    activated: bool,
}

impl ImportBody for LicenseBody {
    const LIST: &'static str = "licenses";
    const ID: &'static str = "licenseKey";
    type Record = License;
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

/// An order as the store imports it.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrderBody {
    /// Its owner.
    owner_id: AccountId,
    /// The account that pays its fees.
    billing_account_id: AccountId,
    /// The licenses bought in it, at most 500.
    #[schemars(length(max = 500))]
    license_keys: Vec<LicenseKey>,
    /// Whether it has recurring fees.
    recurring: bool,
}

impl ImportBody for OrderBody {
    const LIST: &'static str = "orders";
    const ID: &'static str = "id";
    type Record = Order;
    fn command(self, order: String) -> Result<StoreCommand, ApiError> {
        if self.license_keys.len() > MAX_ORDER_LICENSES {
            return Err(ApiError::rules(
                ErrorCode::InvalidRecord,
                format!("an order lists at most {MAX_ORDER_LICENSES} licenses"),
            ));
        }
        Ok(StoreCommand::ImportOrder(Order {
            id: id::<OrderId>(order, "order")?,
            owner_id: self.owner_id,
            billing_account_id: self.billing_account_id,
            license_keys: self.license_keys,
            billing: Billing::from_recurring(self.recurring),
        }))
    }
}

/// A contract as the store imports it.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContractBody {
    /// The client.
    owner_id: AccountId,
    /// The product.
    product_id: ProductId,
    /// Its state.
    status: ContractStatus,
    /// When the product was registered.
    registered_at: Timestamp,
    /// When it renews next.
    #[serde(default)]
    renews_at: Option<Timestamp>,
    /// A subscription or a one-off purchase.
    billing: Billing,
}

impl ImportBody for ContractBody {
    const LIST: &'static str = "contracts";
    const ID: &'static str = "id";
    type Record = Contract;
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
async fn put<B: ImportBody>(
    call: &mut Call,
    store: &StoreId,
    b: B,
) -> Result<Reply<B::Record>, ApiError> {
    let key = call.param(0)?.to_owned();
    // An id in the path that is not an id names nothing: 404, as for any path id.
    let command = b.command(key).map_err(|e| {
        if e.code == Transport::InvalidId.code() {
            e.with_status(Transport::InvalidId.status())
        } else {
            e
        }
    })?;
    store_command(call, store, &command, |outcome, _| {
        outcome
            .changes
            .iter()
            .find_map(<B::Record as entitle_rules::state::Written>::written_by)
            .cloned()
            .ok_or_else(|| ApiError::internal("an import wrote no record"))
    })
    .await
}

/// `PUT /v1/accounts/{accountId}`
pub async fn put_account(
    call: &mut Call,
    store: &StoreId,
    b: AccountBody,
) -> Result<Reply<Account>, ApiError> {
    put(call, store, b).await
}

/// `PUT /v1/products/{productId}`
pub async fn put_product(
    call: &mut Call,
    store: &StoreId,
    b: ProductBody,
) -> Result<Reply<Product>, ApiError> {
    put(call, store, b).await
}

/// `PUT /v1/licenses/{licenseKey}`
pub async fn put_license(
    call: &mut Call,
    store: &StoreId,
    b: LicenseBody,
) -> Result<Reply<License>, ApiError> {
    put(call, store, b).await
}

/// `PUT /v1/orders/{orderId}`
pub async fn put_order(
    call: &mut Call,
    store: &StoreId,
    b: OrderBody,
) -> Result<Reply<Order>, ApiError> {
    put(call, store, b).await
}

/// `PUT /v1/contracts/{contractId}`
pub async fn put_contract(
    call: &mut Call,
    store: &StoreId,
    b: ContractBody,
) -> Result<Reply<Contract>, ApiError> {
    put(call, store, b).await
}

macro_rules! import_items {
    ($($(#[doc = $doc:literal])* $item:ident($body:ty) { $(#[doc = $iddoc:literal])* $(#[serde($($attr:tt)*)])? $id:ident: $idty:ty })*) => {$(
        $(#[doc = $doc])*
        #[derive(JsonSchema)]
        #[serde(rename_all = "camelCase")]
        #[allow(dead_code, reason = "documents a bulk import item that `items` reads")]
        pub struct $item {
            $(#[doc = $iddoc])*
            $id: $idty,
            /// The record's fields, as its `PUT` takes them.
            #[serde(flatten)]
            body: $body,
        }
    )*};
}

import_items! {
    /// An account in a bulk import.
    AccountItem(AccountBody) { /// The account's id.
        id: AccountId }
    /// A product in a bulk import.
    ProductItem(ProductBody) { /// The product's id.
        id: ProductId }
    /// A license in a bulk import.
    LicenseItem(LicenseBody) { /// The license key.
        license_key: LicenseKey }
    /// An order in a bulk import.
    OrderItem(OrderBody) { /// The order's id.
        id: OrderId }
    /// A contract in a bulk import.
    ContractItem(ContractBody) { /// The contract's id.
        id: entitle_rules::ids::ContractId }
}

/// The body of a bulk import: lists of records by type, 1,000 records in all at most.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "documents the body that `bulk` reads")]
pub struct ImportRecords {
    /// Accounts, imported first.
    accounts: Option<Vec<AccountItem>>,
    /// Products.
    products: Option<Vec<ProductItem>>,
    /// Licenses.
    licenses: Option<Vec<LicenseItem>>,
    /// Orders.
    orders: Option<Vec<OrderItem>>,
    /// Contracts, imported last.
    contracts: Option<Vec<ContractItem>>,
}

/// Where a record stands in a bulk import, for errors.
struct Place {
    list: &'static str,
    index: usize,
}

fn at(place: &Place, mut error: ApiError) -> ApiError {
    error.detail = format!("{}[{}]: {}", place.list, place.index, error.detail);
    error.with_status(422).at(place.list, place.index)
}

fn items<B: ImportBody>(
    lists: &mut Map<String, Value>,
    commands: &mut Vec<StoreCommand>,
    places: &mut Vec<Place>,
) -> Result<(), ApiError> {
    // An absent list and `null` both mean no records of this type.
    let Some(list) = lists.remove(B::LIST).filter(|v| !v.is_null()) else {
        return Ok(());
    };
    let Value::Array(list) = list else {
        return Err(ApiError::transport(
            Transport::InvalidBody,
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
                ApiError::rules(ErrorCode::InvalidRecord, "a record is an object"),
            ));
        };
        let key = match fields.remove(B::ID) {
            Some(Value::String(key)) => key,
            _ => {
                return Err(at(
                    &place,
                    ApiError::rules(
                        ErrorCode::InvalidRecord,
                        format!("a record needs its `{}`", B::ID),
                    ),
                ));
            }
        };
        let body: B = serde_json::from_value(Value::Object(fields)).map_err(|e| {
            at(
                &place,
                ApiError::rules(ErrorCode::InvalidRecord, e.to_string()),
            )
        })?;
        commands.push(body.command(key).map_err(|e| at(&place, e))?);
        places.push(place);
    }
    Ok(())
}

/// `POST /v1/imports`: up to 1,000 records, all or nothing, validated and written as the single
/// PUTs do (accounts first, then products, licenses, orders and contracts), in one batch.
pub async fn bulk(call: &mut Call, store_id: &StoreId) -> Result<Reply<ImportSummary>, ApiError> {
    let body: Value = body_limited(&mut call.req, MAX_IMPORT_BODY).await?;
    let Value::Object(mut lists) = body else {
        return Err(ApiError::transport(
            Transport::InvalidBody,
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
        return Err(ApiError::transport(
            Transport::InvalidBody,
            format!("`{name}` is not a list of records this store imports"),
        ));
    }
    if commands.len() > MAX_IMPORT {
        return Err(ApiError::transport(
            Transport::TooManyRecords,
            format!("one import carries at most {MAX_IMPORT} records"),
        ));
    }
    let store = call.store(store_id)?;
    let now = call.now;
    let imported = commands.len();
    let decide = |state: &State, _| {
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
    };
    let plan = entitle_rules::plans::store_commands(&commands);
    run(call, &store, &plan, decide, |_, _| {
        Ok(ImportSummary { imported })
    })
    .await
}
