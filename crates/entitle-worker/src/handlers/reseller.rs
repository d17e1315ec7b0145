//! Reseller licenses (seed 001) over HTTP.

use super::{Call, command, email_key, world, written};
use crate::auth::Session;
use crate::http::{ApiError, body, json};
use crate::store::Extra;
use entitle_rules::access::licenses_for;
use entitle_rules::ids::LicenseKey;
use entitle_rules::reseller::{MAX_QUANTITY, managed_customers};
use entitle_rules::{Change, Command, NewLicenses, Timestamp};
use serde::Deserialize;
use serde_json::json;
use worker::Response;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerBody {
    email: String,
    name: String,
}

/// `POST /v1/customers`
pub async fn create_customer(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let b: CustomerBody = body(&mut call.req).await?;
    let lookup = email_key(&b.email);
    let (outcome, _) = command(
        call,
        session,
        &Command::CreateCustomer {
            email: b.email,
            name: b.name,
        },
        &[Extra::AccountByEmail(lookup.clone())],
        1,
    )
    .await?;
    let account = written(&outcome, |c| match c {
        Change::PutAccount(a) => Some(a),
        _ => None,
    })?;
    json(
        201,
        &json!({ "accountId": account.id, "email": account.email, "name": account.name, "kind": account.kind, "managedBy": account.managed_by }),
    )
}

/// `GET /v1/customers`
pub async fn customers(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let state = world(call, session).await?;
    json(
        200,
        &json!({ "customers": managed_customers(&state, &session.sub) }),
    )
}

/// `POST /v1/licenses`: one license per unit, each with a fresh random key.
pub async fn create_licenses(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let request: NewLicenses = body(&mut call.req).await?;
    let product = request.product_id.to_string();
    let customer = request.customer_id.to_string();
    let units = usize::try_from(request.quantity.min(MAX_QUANTITY)).unwrap_or(1);
    let (outcome, _) = command(
        call,
        session,
        &Command::CreateLicenses(request),
        &[
            Extra::Product(product.clone()),
            Extra::Account(customer.clone()),
            Extra::LicensesOwnedBy(customer.clone()),
        ],
        units + 1,
    )
    .await?;
    let licenses: Vec<_> = outcome
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::PutLicense(l) => Some(l),
            _ => None,
        })
        .collect();
    json(201, &json!({ "licenses": licenses }))
}

/// `GET /v1/licenses`: owned licenses, and for a reseller those it created, with its notes.
pub async fn licenses(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let state = world(call, session).await?;
    json(
        200,
        &json!({ "licenses": licenses_for(&state, &session.sub) }),
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PaymentBody {
    customer_paid: bool,
    #[serde(default)]
    customer_paid_at: Option<Timestamp>,
}

/// `PATCH /v1/licenses/{licenseKey}`
pub async fn update_payment(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let key: LicenseKey = call.id(0, "license_not_found", "license")?;
    let b: PaymentBody = body(&mut call.req).await?;
    let cmd = Command::UpdateLicensePayment {
        license_key: key,
        customer_paid: b.customer_paid,
        customer_paid_at: b.customer_paid_at,
    };
    let (outcome, _) = command(call, session, &cmd, &[], 0).await?;
    json(
        200,
        &written(&outcome, |c| match c {
            Change::PutLicense(l) => Some(l),
            _ => None,
        })?,
    )
}
