//! The lists the API pages, defined once: where each list's items come from (a few indexed
//! relations, each with the column that names the item) and how one item looks to the caller.
//!
//! A list is the union of its source relations in item-key order. The full list (npm package,
//! tests) and a page of it (the worker: `after` a key, at most `limit` items, loaded with one
//! indexed range query per relation) are built from the same two definitions, so a page never
//! shows what the full list would not.

use crate::access::{ContractView, ProjectView, TransferView, contract_view, project_view};
use crate::decision::{ContractRole, ProjectRole, contract_role, license_relations, project_role};
use crate::ids::{AccountId, ContractId, LicenseKey, ProjectId, TicketId, TransferId};
use crate::model::{Account, License, Ticket};
use crate::read::Read;
use crate::state::State;
use crate::time::Timestamp;

/// Where a list's items come from: relations, each with the column that names the item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source(pub Vec<(Read, &'static str)>);

impl Source {
    /// The keys of every item, in order, read from `state`.
    pub fn keys(&self, state: &State) -> Vec<String> {
        let mut keys: Vec<String> = (self.0.iter())
            .flat_map(|(read, column)| state.relation(read, column))
            .collect();
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
/// of every customer it manages. The last part depends on who those customers are,
/// so the source reads them from `state` first: one relation per managed customer.
pub fn licenses(state: &State, actor: &AccountId) -> Source {
    let mut relations = vec![
        (Read::LicensesOwnedBy(actor.clone()), "license_key"),
        (Read::LicensesCreatedBy(actor.clone()), "license_key"),
    ];
    relations.extend(
        state
            .accounts_managed_by(actor)
            .into_iter()
            .map(|customer| (Read::LicensesOwnedBy(customer.id.clone()), "license_key")),
    );
    Source(relations)
}

/// A license as the caller sees it in its list: notes only where it created the license.
pub fn license_item(state: &State, actor: &AccountId, key: &str) -> Option<License> {
    let license = state.license(&LicenseKey::new(key).ok()?)?;
    let me = state.account(actor)?;
    let managed = state
        .account(&license.owner_id)
        .is_some_and(|owner| owner.managed_by.as_ref() == Some(actor));
    let listed = &license.owner_id == actor || license.reseller_id() == Some(actor) || managed;
    if !listed || license_relations(state, me, license).is_empty() {
        return None;
    }
    Some(hide_notes(license, actor))
}

/// A license with the reseller's notes removed unless `actor` created it.
pub fn hide_notes(license: &License, actor: &AccountId) -> License {
    if license.reseller_id() == Some(actor) {
        license.clone()
    } else {
        license.clone().without_reseller_notes()
    }
}

/// `GET /v1/projects`: the projects the caller owns or that are shared with it.
pub fn projects(actor: &AccountId) -> Source {
    Source(vec![
        (Read::ProjectsOwnedBy(actor.clone()), "id"),
        (Read::SharesWith(actor.clone()), "project_id"),
    ])
}

/// A project in the caller's list.
pub fn project_item(state: &State, actor: &AccountId, key: &str) -> Option<ProjectView> {
    project_view(state, actor, &ProjectId::new(key).ok()?)
}

/// `GET /v1/contracts`: the contracts the caller owns or is a delegate on.
pub fn contracts(actor: &AccountId) -> Source {
    Source(vec![
        (Read::ContractsOwnedBy(actor.clone()), "id"),
        (Read::DelegationsOf(actor.clone()), "contract_id"),
    ])
}

/// A contract in the caller's list; a revoked delegation lists nothing.
pub fn contract_item(state: &State, actor: &AccountId, key: &str) -> Option<ContractView> {
    contract_view(state, actor, &ContractId::new(key).ok()?).ok()
}

/// `GET /v1/customers`: the accounts a reseller manages.
pub fn customers(actor: &AccountId) -> Source {
    Source(vec![(Read::AccountsManagedBy(actor.clone()), "id")])
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
        (Read::TransfersFrom(actor.clone()), "id"),
        (Read::TransfersTo(actor.clone()), "id"),
        (Read::TransfersRequestedBy(actor.clone()), "id"),
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
    Source(vec![(Read::TicketsOfContract(contract.clone()), "id")])
}

/// A ticket as the caller may read it: all for the owner, those created at or after the moment
/// it became a delegate for a delegate.
pub fn ticket_item(
    state: &State,
    actor: &AccountId,
    contract: &ContractId,
    key: &str,
) -> Option<Ticket> {
    let since = match contract_role(state, actor, contract)? {
        ContractRole::Owner => None,
        ContractRole::Delegate => Some(state.active_delegate(contract, actor)?.added_at),
    };
    state
        .ticket(&TicketId::new(key).ok()?)
        .filter(|t| &t.contract_id == contract && since.is_none_or(|s| t.created_at >= s))
        .cloned()
}

/// `GET /v1/projects/{id}/licenses`: the licenses on a project.
pub fn project_licenses(project: &ProjectId) -> Source {
    Source(vec![(
        Read::LicensesOnProject(project.clone()),
        "license_key",
    )])
}

/// A license on a project as the caller sees it: all for the owner, its own for a recipient.
pub fn project_license_item(
    state: &State,
    actor: &AccountId,
    project: &ProjectId,
    key: &str,
) -> Option<License> {
    let role = project_role(state, actor, project)?;
    state
        .license(&LicenseKey::new(key).ok()?)
        .filter(|l| l.project_id() == Some(project))
        .filter(|l| role == ProjectRole::Owner || l.assigned_by() == Some(actor))
        .map(|l| hide_notes(l, actor))
}
