//! Reseller licenses (seed 001) over HTTP.

use super::{Call, command, page, read, written};
use crate::auth::Session;
use crate::http::{ApiError, body, json};
use entitle_rules::ids::LicenseKey;
use entitle_rules::list as lists;
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
    let (outcome, _) = command(
        call,
        session,
        &Command::CreateCustomer {
            email: b.email,
            name: b.name,
        },
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
    let me = &session.sub;
    page(call, session, "customers", &lists::customers(me), |s, k| {
        lists::customer_item(s, me, k)
    })
    .await
}

/// `POST /v1/licenses`: one license per unit, each with a fresh random key.
pub async fn create_licenses(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let request: NewLicenses = body(&mut call.req).await?;
    let (outcome, _) = command(call, session, &Command::CreateLicenses(request)).await?;
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
    let me = &session.sub;
    // A reseller's list also covers its customers' licenses: find who they are first.
    let source = read(call, session, |s| lists::licenses(s, me)).await?;
    page(call, session, "licenses", &source, |s, k| {
        lists::license_item(s, me, k)
    })
    .await
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
    let (outcome, _) = command(call, session, &cmd).await?;
    json(
        200,
        &written(&outcome, |c| match c {
            Change::PutLicense(l) => Some(l),
            _ => None,
        })?,
    )
}
