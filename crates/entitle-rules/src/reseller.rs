//! Reseller licenses. A reseller creates customer accounts and licenses for them:
//! product, quantity, private notes, customer-paid flag and date, customer-visible details,
//! permanent or trial (14 days, 30 for `prestashop`), primary or additional; at most 10 unpaid.

use crate::action::Action;
use crate::context::{Context, Fresh, Outcome, actor_account, email, not_found, permit};
use crate::decision::Reason;
use crate::error::{CommandError, ErrorCode};
use crate::event::EventPayload;
use crate::ids::{AccountId, LicenseKey, ProductId};
use crate::model::{Account, AccountKind, License, LicenseTier, LicenseType, Resale};
use crate::state::{Change, State};
use crate::text::bounded;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// A reseller's request for licenses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewLicenses {
    /// The product.
    pub product_id: ProductId,
    /// The customer, one the reseller manages.
    pub customer_id: AccountId,
    /// How many licenses, 1 to 100; one key each.
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = MAX_QUANTITY)))]
    pub quantity: u32,
    /// Permanent or trial.
    pub license_type: LicenseType,
    /// Primary or additional.
    pub tier: LicenseTier,
    /// Private notes, never shown to the customer.
    #[serde(default)]
    pub reseller_notes: Option<String>,
    /// Details the customer sees.
    #[serde(default)]
    pub customer_details: Option<String>,
    /// Whether the customer has paid.
    pub customer_paid: bool,
    /// When the customer paid; the creation time when paid and absent.
    #[serde(default)]
    pub customer_paid_at: Option<Timestamp>,
}

/// The most unpaid licenses a reseller may hold at once.
pub const MAX_UNPAID: usize = 10;
/// The most licenses one request may create.
pub const MAX_QUANTITY: u32 = 100;
/// Days a trial lasts.
pub const TRIAL_DAYS: i64 = 14;
/// Days a trial of a `prestashop` product lasts.
pub const PRESTASHOP_TRIAL_DAYS: i64 = 30;
/// The longest notes or details, in characters.
pub const MAX_NOTES: usize = 2_000;
/// The longest account name, in characters.
pub const MAX_ACCOUNT_NAME: usize = 200;

fn reseller<'a>(state: &'a State, ctx: &Context) -> Result<&'a Account, CommandError> {
    let actor = actor_account(state, ctx)?;
    if actor.kind.resells() {
        Ok(actor)
    } else {
        Err(CommandError::new(
            ErrorCode::ResellerOnly,
            "only reseller and partner accounts may do this",
        ))
    }
}

pub(crate) fn create_customer(
    state: &State,
    ctx: &Context,
    fresh: &mut Fresh,
    out: &mut Outcome,
    address: &str,
    name: &str,
) -> Result<(), CommandError> {
    let actor = reseller(state, ctx)?;
    let address = email(address)?;
    let name = crate::context::name(name, MAX_ACCOUNT_NAME, "a customer name")?;
    if state.account_by_email(&address).is_some() {
        return Err(CommandError::new(
            ErrorCode::EmailInUse,
            format!("`{address}` already has an account"),
        ));
    }
    let account = Account {
        id: fresh.id("acc")?,
        email: address.clone(),
        name: name.clone(),
        kind: AccountKind::Customer,
        company: None,
        managed_by: Some(actor.id.clone()),
    };
    out.event(ctx.event(EventPayload::AccountCreated {
        account_id: account.id.clone(),
        email: address,
        name,
        managed_by: actor.id.clone(),
    }));
    out.change(Change::PutAccount(account));
    Ok(())
}

/// When a license created at `now` expires.
pub fn trial_expiry(family: &str, now: Timestamp) -> Timestamp {
    let days = if family.eq_ignore_ascii_case("prestashop") {
        PRESTASHOP_TRIAL_DAYS
    } else {
        TRIAL_DAYS
    };
    now.plus_days(days)
}

fn optional_text(value: Option<&String>, what: &str) -> Result<Option<String>, CommandError> {
    match value.map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => bounded(v, MAX_NOTES).map(Some).ok_or_else(|| {
            CommandError::new(
                ErrorCode::InvalidText,
                format!("{what} may hold at most {MAX_NOTES} characters"),
            )
        }),
    }
}

/// A fresh value made into a license key: upper case, in groups of four.
fn license_key(fresh: &mut Fresh) -> Result<LicenseKey, CommandError> {
    let raw: String = fresh
        .next()?
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let grouped: Vec<String> = raw
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    LicenseKey::new(format!("LK-{}", grouped.join("-"))).map_err(|_| {
        CommandError::new(
            ErrorCode::FreshValuesExhausted,
            "a fresh value is not usable as a license key",
        )
    })
}

/// Refuses `quantity` more unpaid licenses of `reseller` past the limit.
fn within_unpaid_limit(
    state: &State,
    reseller: &AccountId,
    quantity: u32,
) -> Result<(), CommandError> {
    let unpaid = state.unpaid_licenses_by(reseller).len();
    let requested = usize::try_from(quantity).unwrap_or(usize::MAX);
    if unpaid.saturating_add(requested) > MAX_UNPAID {
        return Err(CommandError::new(
            ErrorCode::UnpaidLimitReached,
            format!(
                "you hold {unpaid} unpaid licenses: at most {MAX_UNPAID} may be unpaid, so {quantity} more cannot be created"
            ),
        ));
    }
    Ok(())
}

/// Refuses an additional license to a customer with no primary license of the product.
fn has_primary(
    state: &State,
    ctx: &Context,
    customer: &AccountId,
    product_id: &ProductId,
) -> Result<(), CommandError> {
    let has_primary = state
        .licenses_of(customer, product_id)
        .iter()
        .any(|l| l.tier == LicenseTier::Primary && !l.is_expired(ctx.now));
    if has_primary {
        Ok(())
    } else {
        Err(CommandError::new(
            ErrorCode::PrimaryLicenseRequired,
            format!(
                "an additional license needs the customer to hold a primary license of `{product_id}`"
            ),
        ))
    }
}

pub(crate) fn create_licenses(
    state: &State,
    ctx: &Context,
    fresh: &mut Fresh,
    out: &mut Outcome,
    request: &NewLicenses,
) -> Result<(), CommandError> {
    let NewLicenses {
        product_id,
        customer_id,
        quantity,
        license_type,
        tier,
        reseller_notes,
        customer_details,
        customer_paid,
        customer_paid_at,
    } = request;
    let actor = reseller(state, ctx)?;
    let product = state
        .product(product_id)
        .ok_or_else(|| not_found(ErrorCode::ProductNotFound, "product", product_id.as_str()))?;
    let customer = state
        .account(customer_id)
        .filter(|c| c.managed_by.as_ref() == Some(&actor.id))
        .ok_or_else(|| {
            not_found(
                ErrorCode::CustomerNotFound,
                "customer",
                customer_id.as_str(),
            )
        })?;
    if !(1..=MAX_QUANTITY).contains(quantity) {
        return Err(CommandError::new(
            ErrorCode::InvalidQuantity,
            format!("quantity must be between 1 and {MAX_QUANTITY}"),
        ));
    }
    if !customer_paid {
        within_unpaid_limit(state, &actor.id, *quantity)?;
    }
    if *tier == LicenseTier::Additional {
        has_primary(state, ctx, &customer.id, product_id)?;
    }
    let reseller_notes = optional_text(reseller_notes.as_ref(), "reseller notes")?;
    let customer_details = optional_text(customer_details.as_ref(), "customer details")?;
    let expires_at =
        (*license_type == LicenseType::Trial).then(|| trial_expiry(&product.family, ctx.now));
    let paid_at = if *customer_paid {
        Some(customer_paid_at.unwrap_or(ctx.now))
    } else {
        None
    };
    for _ in 0..*quantity {
        let mut license =
            License::new(license_key(fresh)?, product_id.clone(), customer.id.clone());
        license.license_type = *license_type;
        license.tier = *tier;
        license.expires_at = expires_at;
        license.resale = Some(Resale {
            reseller_id: actor.id.clone(),
            created_at: ctx.now,
            reseller_notes: reseller_notes.clone(),
            customer_details: customer_details.clone(),
            paid_at,
        });
        out.event(ctx.event(EventPayload::LicenseCreated {
            license_key: license.license_key.clone(),
            product_id: product_id.clone(),
            owner_id: customer.id.clone(),
            license_type: *license_type,
            tier: *tier,
            expires_at,
            customer_paid: *customer_paid,
        }));
        out.change(Change::PutLicense(license));
    }
    Ok(())
}

pub(crate) fn update_payment(
    state: &State,
    ctx: &Context,
    out: &mut Outcome,
    license_key: &LicenseKey,
    customer_paid: bool,
    customer_paid_at: Option<Timestamp>,
) -> Result<(), CommandError> {
    permit(state, ctx, Action::LicenseMarkPaid, license_key.as_str())?;
    let license = state
        .license(license_key)
        .ok_or_else(|| not_found(ErrorCode::LicenseNotFound, "license", license_key.as_str()))?;
    // Only the license's reseller gets this far, and its licenses have their resale facts.
    let resale = license
        .resale
        .as_ref()
        .ok_or(CommandError::denied(Reason::NotLicenseReseller))?;
    if resale.is_paid() && !customer_paid {
        // Marking a license unpaid counts against the same limit as creating one.
        let unpaid = state.unpaid_licenses_by(&ctx.actor).len();
        if unpaid >= MAX_UNPAID {
            return Err(CommandError::new(
                ErrorCode::UnpaidLimitReached,
                format!(
                    "you hold {unpaid} unpaid licenses: at most {MAX_UNPAID} may be unpaid, so `{license_key}` cannot be marked unpaid"
                ),
            ));
        }
    }
    let paid_at = if customer_paid {
        Some(customer_paid_at.unwrap_or(ctx.now))
    } else {
        None
    };
    out.change(Change::PutLicense(License {
        resale: Some(Resale {
            paid_at,
            ..resale.clone()
        }),
        ..license.clone()
    }));
    out.event(ctx.event(EventPayload::LicensePaymentUpdated {
        license_key: license_key.clone(),
        customer_paid,
        customer_paid_at: paid_at,
    }));
    Ok(())
}

/// The customers a reseller manages.
pub fn managed_customers(state: &State, reseller: &AccountId) -> Vec<Account> {
    crate::list::whole(state, &crate::list::customers(reseller), |s, k| {
        crate::list::customer_item(s, reseller, k)
    })
}
