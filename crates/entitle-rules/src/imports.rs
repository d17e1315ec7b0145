//! Records the store imports: idempotent upserts, checked for integrity. Fields that entitle
//! owns (project assignments, reseller notes and payments) survive a re-import.

use crate::context::{Outcome, not_found, store_event};
use crate::error::{CommandError, ErrorCode};
use crate::event::EventPayload;
use crate::ids::ProjectId;
use crate::model::{Account, Contract, License, Order, Product, Project};
use crate::reseller::MAX_ACCOUNT_NAME;
use crate::state::{Change, State};
use crate::text::bounded;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// The longest product name, in characters.
pub const MAX_PRODUCT_NAME: usize = 200;

/// The device state of a project, as the store reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProjectRuntime {
    /// The project.
    pub project_id: ProjectId,
    /// Whether its server is active.
    pub server_active: bool,
    /// How many panels are signed in.
    pub active_panels: u32,
}

fn invalid(detail: String) -> CommandError {
    CommandError::new(ErrorCode::InvalidRecord, detail)
}

fn known_account(
    state: &State,
    id: &crate::ids::AccountId,
    role: &str,
) -> Result<(), CommandError> {
    match state.account(id) {
        Some(_) => Ok(()),
        None => Err(invalid(format!(
            "{role} `{id}` is not a known account: import it first"
        ))),
    }
}

pub(crate) fn account(
    state: &State,
    now: Timestamp,
    out: &mut Outcome,
    record: &Account,
) -> Result<(), CommandError> {
    let name = crate::context::name(&record.name, MAX_ACCOUNT_NAME, "an account name")?;
    // The store's address comes in here: it is normalized as a command's would be.
    let email = crate::context::email(record.email.as_str())?;
    if let Some(other) = state.account_by_email(&email).filter(|a| a.id != record.id) {
        return Err(CommandError::new(
            ErrorCode::EmailInUse,
            format!("`{email}` belongs to account `{}`", other.id),
        ));
    }
    if let Some(manager) = &record.managed_by {
        if manager == &record.id {
            return Err(invalid("an account cannot manage itself".to_owned()));
        }
        known_account(state, manager, "manager")?;
    }
    out.change(Change::PutAccount(Account {
        name,
        email,
        ..record.clone()
    }));
    out.event(store_event(
        now,
        EventPayload::AccountImported {
            account_id: record.id.clone(),
        },
    ));
    Ok(())
}

pub(crate) fn product(
    now: Timestamp,
    out: &mut Outcome,
    record: &Product,
) -> Result<(), CommandError> {
    let name = crate::context::name(&record.name, MAX_PRODUCT_NAME, "a product name")?;
    let family = bounded(&record.family, 64)
        .ok_or_else(|| invalid("a product family needs 1 to 64 characters".to_owned()))?;
    out.change(Change::PutProduct(Product {
        name,
        family,
        ..record.clone()
    }));
    out.event(store_event(
        now,
        EventPayload::ProductImported {
            product_id: record.id.clone(),
        },
    ));
    Ok(())
}

pub(crate) fn license(
    state: &State,
    now: Timestamp,
    out: &mut Outcome,
    record: &License,
) -> Result<(), CommandError> {
    if state.product(&record.product_id).is_none() {
        return Err(invalid(format!(
            "product `{}` is not known: import it first",
            record.product_id
        )));
    }
    known_account(state, &record.owner_id, "owner")?;
    let mut next = record.clone();
    let mut unassigned_from = None;
    match state.license(&record.license_key) {
        Some(existing) => {
            // entitle's own fields are kept; the store's are replaced.
            next.assignment = existing.assignment.clone();
            next.resale = existing.resale.clone();
            if existing.owner_id != next.owner_id {
                unassigned_from = next.assignment.take().map(|a| a.project_id);
            }
        }
        None => {
            next.assignment = None;
            next.resale = None;
        }
    }
    out.change(Change::PutLicense(next));
    out.event(store_event(
        now,
        EventPayload::LicenseImported {
            license_key: record.license_key.clone(),
            unassigned_from,
        },
    ));
    Ok(())
}

pub(crate) fn order(
    state: &State,
    now: Timestamp,
    out: &mut Outcome,
    record: &Order,
) -> Result<(), CommandError> {
    known_account(state, &record.owner_id, "owner")?;
    known_account(state, &record.billing_account_id, "billing account")?;
    if let Some(missing) = record
        .license_keys
        .iter()
        .find(|k| state.license(k).is_none())
    {
        return Err(invalid(format!(
            "license `{missing}` is not known: import it first"
        )));
    }
    let mut keys = record.license_keys.clone();
    keys.sort();
    keys.dedup();
    out.change(Change::PutOrder(Order {
        license_keys: keys,
        ..record.clone()
    }));
    out.event(store_event(
        now,
        EventPayload::OrderImported {
            order_id: record.id.clone(),
        },
    ));
    Ok(())
}

pub(crate) fn contract(
    state: &State,
    now: Timestamp,
    out: &mut Outcome,
    record: &Contract,
) -> Result<(), CommandError> {
    known_account(state, &record.owner_id, "owner")?;
    if state.product(&record.product_id).is_none() {
        return Err(invalid(format!(
            "product `{}` is not known: import it first",
            record.product_id
        )));
    }
    out.change(Change::PutContract(Contract { ..record.clone() }));
    out.event(store_event(
        now,
        EventPayload::ContractImported {
            contract_id: record.id.clone(),
        },
    ));
    Ok(())
}

pub(crate) fn runtime(
    state: &State,
    now: Timestamp,
    out: &mut Outcome,
    runtime: &ProjectRuntime,
) -> Result<(), CommandError> {
    let project = state.project(&runtime.project_id).ok_or_else(|| {
        not_found(
            ErrorCode::ProjectNotFound,
            "project",
            runtime.project_id.as_str(),
        )
    })?;
    out.change(Change::PutProject(Project {
        server_active: runtime.server_active,
        active_panels: runtime.active_panels,
        ..project.clone()
    }));
    out.event(store_event(
        now,
        EventPayload::ProjectRuntimeReported {
            project_id: runtime.project_id.clone(),
            server_active: runtime.server_active,
            active_panels: runtime.active_panels,
        },
    ));
    Ok(())
}
