//! Reseller licenses (seed 001) over HTTP.

use super::{Call, command, each, page, written};
use crate::auth::Session;
use crate::http::{ApiError, Reply};
use crate::views::{CreatedLicenses, CustomerAnswer, CustomerPage, LicensePage};
use entitle_rules::ids::LicenseKey;
use entitle_rules::list as lists;
use entitle_rules::model;
use entitle_rules::model::License;
use entitle_rules::{Change, Command, ErrorCode, NewLicenses, Timestamp, plans};
use schemars::JsonSchema;
use serde::Deserialize;

/// The body of a new customer account.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerBody {
    /// Its address, unused at the store.
    email: String,
    /// Its name.
    name: String,
}

/// `POST /v1/customers`
pub async fn create_customer(
    call: &mut Call,
    session: &Session,
    b: CustomerBody,
) -> Result<Reply<CustomerAnswer>, ApiError> {
    let cmd = Command::CreateCustomer {
        email: b.email,
        name: b.name,
    };
    command(call, session, &cmd, |outcome, _| {
        let account = written::<model::Account>(outcome)?;
        Ok(CustomerAnswer {
            account_id: account.id,
            email: account.email,
            name: account.name,
            kind: account.kind,
            managed_by: account.managed_by,
        })
    })
    .await
}

/// `GET /v1/customers`
pub async fn customers(
    call: &mut Call,
    session: &Session,
) -> Result<Reply<CustomerPage>, ApiError> {
    let me = &session.sub;
    page(
        call,
        session,
        |after, limit| plans::customers_page(me, after, limit),
        each(|s, k| lists::customer_item(s, me, k)),
    )
    .await
}

/// `POST /v1/licenses`: one license per unit, each with a fresh random key.
pub async fn create_licenses(
    call: &mut Call,
    session: &Session,
    request: NewLicenses,
) -> Result<Reply<CreatedLicenses>, ApiError> {
    command(
        call,
        session,
        &Command::CreateLicenses(request),
        |outcome, _| {
            let licenses = outcome
                .changes
                .iter()
                .filter_map(|c| match c {
                    Change::PutLicense(l) => Some(l.clone()),
                    _ => None,
                })
                .collect();
            Ok(CreatedLicenses { licenses })
        },
    )
    .await
}

/// `GET /v1/licenses`: owned licenses, and for a reseller those it created, with its notes.
pub async fn licenses(call: &mut Call, session: &Session) -> Result<Reply<LicensePage>, ApiError> {
    let me = &session.sub;
    let now = call.now;
    // A reseller's list also covers its customers' licenses: the page reads them by who they
    // are, in the same query.
    page(
        call,
        session,
        |after, limit| plans::licenses_page(me, after, limit),
        each(|s, k| lists::license_item(s, me, now, k)),
    )
    .await
}

/// The body of a payment update.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaymentBody {
    /// Whether the customer paid the reseller.
    customer_paid: bool,
    /// When; only with `customerPaid: true`.
    #[serde(default)]
    customer_paid_at: Option<Timestamp>,
}

/// `PATCH /v1/licenses/{licenseKey}`
pub async fn update_payment(
    call: &mut Call,
    session: &Session,
    b: PaymentBody,
) -> Result<Reply<License>, ApiError> {
    let key: LicenseKey = call.id(0, ErrorCode::LicenseNotFound, "license")?;
    let cmd = Command::UpdateLicensePayment {
        license_key: key,
        customer_paid: b.customer_paid,
        customer_paid_at: b.customer_paid_at,
    };
    command(call, session, &cmd, |outcome, _| {
        written::<model::License>(outcome)
    })
    .await
}
