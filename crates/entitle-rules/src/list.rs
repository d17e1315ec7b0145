//! The lists the API pages, defined once: where each list's items come from (a few indexed
//! relations, each with the column that names the item) and how one item looks to the caller.
//!
//! A list is the union of its source relations in item-key order. The full list (npm package,
//! tests) and a page of it (the worker: `after` a key, at most `limit` items, loaded with one
//! indexed range query per relation) are built from the same two definitions, so a page never
//! shows what the full list would not.

use crate::decision::{ContractRole, ProjectRole, contract_role, license_relations, project_role};
use crate::ids::{AccountId, ContractId, LicenseKey, ProjectId, TicketId, TransferId};
use crate::model::{Account, License, Ticket};
use crate::read::{Lookup, Read, Record, Table};
use crate::state::State;
use crate::time::Timestamp;
use crate::views::{ContractView, ProjectView, TransferView, contract_view, project_view};

/// Where a list's items come from: relations, each with the column that names the item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source(pub Vec<Relation>);

/// One relation of a list: the rows of `table` whose `column` is `value` (or any of the
/// values `value` stands for), each naming the item in its column `key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relation {
    /// The table.
    pub table: Table,
    /// The column it filters on.
    pub column: &'static str,
    /// The values that column takes.
    pub value: Value,
    /// The column that names the item.
    pub key: &'static str,
}

/// The values a relation's column takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// One value.
    Is(String),
    /// Each value of a column of the rows of another read (the customers a reseller manages).
    Via(Read, &'static str),
}

impl Relation {
    /// The rows of a read on one column, each naming the item in its column `key`.
    pub fn of(read: &Read, key: &'static str) -> Self {
        let lookup = read.lookup();
        let (column, value) = lookup
            .filters
            .into_iter()
            .next()
            .unwrap_or(("", String::new()));
        Self {
            table: lookup.table,
            column,
            value: Value::Is(value),
            key,
        }
    }

    /// The rows of `R` whose `column` is any `via_column` of the rows of `via`.
    pub fn via<R: Record>(
        column: &'static str,
        via: Read,
        via_column: &'static str,
        key: &'static str,
    ) -> Self {
        Self {
            table: R::TABLE,
            column,
            value: Value::Via(via, via_column),
            key,
        }
    }

    /// The item keys this relation gives in `state`, each of its reads noted.
    fn keys(&self, state: &State) -> Vec<String> {
        let values = match &self.value {
            Value::Is(value) => vec![value.clone()],
            Value::Via(read, column) => state.relation(&read.lookup(), column),
        };
        (values.into_iter())
            .flat_map(|v| {
                state.relation(&Lookup::new(self.table, vec![(self.column, v)]), self.key)
            })
            .collect()
    }
}

impl Source {
    /// The keys of every item, in order, read from `state`.
    pub fn keys(&self, state: &State) -> Vec<String> {
        let mut keys: Vec<String> = self.0.iter().flat_map(|r| r.keys(state)).collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }
}

/// Builds the whole list: every key of `source`, viewed by `item`.
pub fn whole<T>(
    state: &State,
    source: &Source,
    mut item: impl FnMut(&State, &str) -> Option<T>,
) -> Vec<T> {
    source
        .keys(state)
        .iter()
        .filter_map(|key| item(state, key))
        .collect()
}

/// `GET /v1/licenses`: the licenses the caller owns, those it created as a reseller, and those
/// of every customer it manages (the licenses whose owner is one of the accounts it manages).
pub fn licenses(actor: &AccountId) -> Source {
    Source(vec![
        Relation::of(&Read::LicensesOwnedBy(actor.clone()), "license_key"),
        Relation::of(&Read::LicensesCreatedBy(actor.clone()), "license_key"),
        Relation::via::<License>(
            "owner_id",
            Read::AccountsManagedBy(actor.clone()),
            "id",
            "license_key",
        ),
    ])
}

/// A license as the caller sees it in its list at `now`: notes only where it created the
/// license, off its project once its assignment has ended.
pub fn license_item(
    state: &State,
    actor: &AccountId,
    now: Timestamp,
    key: &str,
) -> Option<License> {
    let license = state.license(&LicenseKey::new(key).ok()?)?;
    let me = state.account(actor)?;
    let managed = state
        .account(&license.owner_id)
        .is_some_and(|owner| owner.managed_by.as_ref() == Some(actor));
    let listed = &license.owner_id == actor || license.reseller_id() == Some(actor) || managed;
    if !listed || license_relations(state, me, license, now).is_empty() {
        return None;
    }
    Some(hide_notes(license, actor, now))
}

/// A license as `actor` sees it at `now`: its reseller's notes removed unless `actor` created
/// it, off its project once its assignment has ended.
pub fn hide_notes(license: &License, actor: &AccountId, now: Timestamp) -> License {
    let mut seen = license.clone();
    if seen.assignment_at(now).is_none() {
        seen.assignment = None;
    }
    if license.reseller_id() == Some(actor) {
        seen
    } else {
        seen.without_reseller_notes()
    }
}

/// `GET /v1/projects`: the projects the caller owns or that are shared with it.
pub fn projects(actor: &AccountId) -> Source {
    Source(vec![
        Relation::of(&Read::ProjectsOwnedBy(actor.clone()), "id"),
        Relation::of(&Read::SharesWith(actor.clone()), "project_id"),
    ])
}

/// A project in the caller's list at `now`: a recipient's only while its share is in force.
pub fn project_item(
    state: &State,
    actor: &AccountId,
    now: Timestamp,
    key: &str,
) -> Option<ProjectView> {
    project_view(state, actor, &ProjectId::new(key).ok()?, now)
}

/// `GET /v1/contracts`: the contracts the caller owns or is a delegate on.
pub fn contracts(actor: &AccountId) -> Source {
    Source(vec![
        Relation::of(&Read::ContractsOwnedBy(actor.clone()), "id"),
        Relation::of(&Read::DelegationsOf(actor.clone()), "contract_id"),
    ])
}

/// A contract in the caller's list at `now`; a delegation that is revoked, not started or
/// ended lists nothing.
pub fn contract_item(
    state: &State,
    actor: &AccountId,
    now: Timestamp,
    key: &str,
) -> Option<ContractView> {
    contract_view(state, actor, &ContractId::new(key).ok()?, now).ok()
}

/// `GET /v1/customers`: the accounts a reseller manages.
pub fn customers(actor: &AccountId) -> Source {
    Source(vec![Relation::of(
        &Read::AccountsManagedBy(actor.clone()),
        "id",
    )])
}

/// A customer in its reseller's list.
pub fn customer_item(state: &State, actor: &AccountId, key: &str) -> Option<Account> {
    state
        .account(&AccountId::new(key).ok()?)
        .filter(|a| a.managed_by.as_ref() == Some(actor))
        .cloned()
}

/// `GET /v1/transfers`: the transfers the caller requested, sends or receives.
pub fn transfers(actor: &AccountId) -> Source {
    Source(vec![
        Relation::of(&Read::TransfersFrom(actor.clone()), "id"),
        Relation::of(&Read::TransfersTo(actor.clone()), "id"),
        Relation::of(&Read::TransfersRequestedBy(actor.clone()), "id"),
    ])
}

/// A transfer in the caller's list, with its state at `now`.
pub fn transfer_item(
    state: &State,
    actor: &AccountId,
    now: Timestamp,
    key: &str,
) -> Option<TransferView> {
    let t = state.transfer(&TransferId::new(key).ok()?)?;
    let party = &t.from_id == actor || &t.to_id == actor || &t.requested_by == actor;
    party.then(|| TransferView {
        transfer_id: t.id.clone(),
        subject: t.subject.clone(),
        from_id: t.from_id.clone(),
        to_id: t.to_id.clone(),
        requested_by: t.requested_by.clone(),
        status: t.status_at(now),
        created_at: t.created_at,
        expires_at: t.expires_at,
    })
}

/// `GET /v1/contracts/{id}/tickets`: the tickets of a contract.
pub fn tickets(contract: &ContractId) -> Source {
    Source(vec![Relation::of(
        &Read::TicketsOfContract(contract.clone()),
        "id",
    )])
}

/// A ticket as the caller may read it at `now`: all for the owner, those created at or after
/// the start of its access for a delegate.
pub fn ticket_item(
    state: &State,
    actor: &AccountId,
    contract: &ContractId,
    now: Timestamp,
    key: &str,
) -> Option<Ticket> {
    let since = match contract_role(state, actor, contract, now)? {
        ContractRole::Owner => None,
        ContractRole::Delegate => Some(state.active_delegate(contract, actor, now)?.start()),
    };
    state
        .ticket(&TicketId::new(key).ok()?)
        .filter(|t| &t.contract_id == contract && since.is_none_or(|s| t.created_at >= s))
        .cloned()
}

/// `GET /v1/projects/{id}/licenses`: the licenses on a project.
pub fn project_licenses(project: &ProjectId) -> Source {
    Source(vec![Relation::of(
        &Read::LicensesOnProject(project.clone()),
        "license_key",
    )])
}

/// A license on a project as the caller sees it at `now`: all for the owner, its own for a
/// recipient; none once its assignment has ended.
pub fn project_license_item(
    state: &State,
    actor: &AccountId,
    project: &ProjectId,
    now: Timestamp,
    key: &str,
) -> Option<License> {
    let role = project_role(state, actor, project, now)?;
    state
        .license(&LicenseKey::new(key).ok()?)
        .filter(|l| l.project_at(now) == Some(project))
        .filter(|l| role == ProjectRole::Owner || l.assigned_by() == Some(actor))
        .map(|l| hide_notes(l, actor, now))
}
