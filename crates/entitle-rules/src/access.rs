//! What one account may see: its access snapshot (the slice the npm package decides on
//! offline), the scoped slice of a few resources, and the whole lists the npm package builds
//! from a snapshot (the HTTP API pages the same lists, [`crate::list`]). The views of one
//! record are [`crate::views`]; they are re-exported here.
//!
//! Invariant, tested: for every action and resource, `authorize` gives the same answer on the
//! full state and on `access_snapshot(state, actor)`.

use crate::action::{Action, Resource, ResourceType};
use crate::decision::{
    authorize, contract_role, is_company_admin_of, license_relations, project_role,
};
use crate::delegates::visible_tickets;
use crate::error::{CommandError, ErrorCode};
use crate::ids::{AccountId, ContractId, ProjectId};
use crate::list;
use crate::model::{
    Account, Billing, GrantStatus, License, Ticket, Transfer, TransferStatus, TransferSubject,
};
use crate::state::State;
use crate::time::Timestamp;
use crate::views::invisible;
pub use crate::views::{
    AccessWindow, ContractView, DelegateView, DelegatesView, InvitationView, ProjectView,
    Recipient, TransferView, contract_view, delegate_view, delegates_for, project_view, recipient,
};
use std::collections::BTreeSet;

pub use crate::affected::affected_accounts;

/// The records `actor` may see, with secrets of others removed: other resellers' notes and
/// invitation token hashes never leave the worker. Its size grows with the actor's account;
/// a page that shows a few resources asks for [`scoped_snapshot`] instead. A store loads what
/// it draws on with [`crate::plans::snapshot`].
pub fn access_snapshot(state: &State, actor: &AccountId, now: Timestamp) -> State {
    visible_slice(state, actor, now)
}

/// The slice of `actor`'s snapshot that decides every action on `resources` at `now`: the same
/// shape as [`access_snapshot`], and `authorize` gives the same answer on it for each of those
/// actions. Its size depends on the resources, not on the rest of the account.
pub fn scoped_snapshot(
    state: &State,
    actor: &AccountId,
    resources: &[Resource],
    now: Timestamp,
) -> State {
    for resource in resources {
        for action in Action::ALL
            .iter()
            .filter(|a| a.resource_type() == resource.resource_type)
        {
            // Deciding reads what the decision needs; the answer itself is not kept.
            let _ = authorize(state, actor, *action, resource, now);
        }
        if resource.resource_type == ResourceType::Project
            && let Ok(id) = ProjectId::new(resource.id.as_str())
        {
            // A project comes with the licenses on it.
            let _ = state.licenses_on(&id);
        }
    }
    visible_slice(state, actor, now)
}

/// The records of `state` that `actor` may see at `now`, secrets of others removed: the one
/// definition of who sees what, which the snapshots, scoped or whole, are cut by. A grant
/// scheduled to start is in it (the npm package answers for a later `now` too), an ended one
/// is not, except in its owner's records; a license whose assignment has ended is off its
/// project.
fn visible_slice(state: &State, actor: &AccountId, now: Timestamp) -> State {
    let Some(me) = state.account(actor) else {
        return State::default();
    };
    let mut snapshot = State::default();
    visible_contracts(state, actor, now, &mut snapshot);
    visible_projects(state, actor, now, &mut snapshot);
    snapshot.licenses = state
        .licenses
        .iter()
        .filter(|l| !license_relations(state, me, l, now).is_empty())
        .map(|l| list::hide_notes(l, actor, now))
        .collect();
    snapshot.orders = state
        .orders
        .iter()
        .filter(|o| &o.owner_id == actor || &o.billing_account_id == actor)
        .cloned()
        .collect();
    snapshot.transfers = state
        .transfers
        .iter()
        .filter(|t| may_act_on_transfer(state, me, t))
        .cloned()
        .collect();
    visible_people(state, me, &mut snapshot);
    let products: BTreeSet<_> = snapshot
        .licenses
        .iter()
        .map(|l| &l.product_id)
        .chain(snapshot.contracts.iter().map(|c| &c.product_id))
        .collect();
    snapshot.products = state
        .products
        .iter()
        .filter(|p| products.contains(&p.id))
        .cloned()
        .collect();
    snapshot.canonical()
}

/// The contracts `actor` owns or is a delegate on, in force or scheduled (subscriptions only: a
/// delegate has no access to a one-off contract), with their delegates, invitations (never a
/// token hash) and the tickets it may read.
fn visible_contracts(state: &State, actor: &AccountId, now: Timestamp, snapshot: &mut State) {
    let owned: BTreeSet<&ContractId> = (state.contracts.iter())
        .filter(|c| &c.owner_id == actor)
        .map(|c| &c.id)
        .collect();
    let delegated: BTreeSet<&ContractId> = (state.delegates.iter())
        .filter(|d| &d.account_id == actor)
        .filter(|d| state.live_delegate(&d.contract_id, actor, now).is_some())
        .filter(|d| {
            state
                .contract(&d.contract_id)
                .is_some_and(|c| c.billing == Billing::Recurring)
        })
        .map(|d| &d.contract_id)
        .collect();
    snapshot.contracts = (state.contracts.iter())
        .filter(|c| owned.contains(&c.id) || delegated.contains(&c.id))
        .cloned()
        .collect();
    snapshot.delegates = (state.delegates.iter())
        .filter(|d| {
            owned.contains(&d.contract_id)
                || (&d.account_id == actor && delegated.contains(&d.contract_id))
        })
        .cloned()
        .collect();
    snapshot.invitations = (state.invitations.iter())
        .filter(|i| owned.contains(&i.contract_id) || &i.account_id == actor)
        .map(|i| crate::model::Invitation {
            token_hash: String::new(),
            ..i.clone()
        })
        .collect();
    snapshot.tickets = (snapshot.contracts.iter())
        .filter_map(|c| visible_tickets(state, actor, &c.id, now))
        .flatten()
        .cloned()
        .collect();
}

/// The projects `actor` owns or that are shared with it (in force or scheduled), and their
/// shares: all of them for an owner, its own for a recipient.
fn visible_projects(state: &State, actor: &AccountId, now: Timestamp, snapshot: &mut State) {
    let owned: BTreeSet<&ProjectId> = (state.projects.iter())
        .filter(|p| &p.owner_id == actor)
        .map(|p| &p.id)
        .collect();
    let shared: BTreeSet<&ProjectId> = (state.shares.iter())
        .filter(|s| &s.account_id == actor && s.status_at(now) != GrantStatus::Expired)
        .map(|s| &s.project_id)
        .collect();
    snapshot.projects = (state.projects.iter())
        .filter(|p| owned.contains(&p.id) || shared.contains(&p.id))
        .cloned()
        .collect();
    snapshot.shares = (state.shares.iter())
        .filter(|s| {
            owned.contains(&s.project_id)
                || (&s.account_id == actor && shared.contains(&s.project_id))
        })
        .cloned()
        .collect();
}

/// The accounts `me` may see: itself, those it manages or administers, and the people on the
/// records of its snapshot.
fn visible_people(state: &State, me: &Account, snapshot: &mut State) {
    let mut people: BTreeSet<&AccountId> = BTreeSet::new();
    people.insert(&me.id);
    people.extend(snapshot.contracts.iter().map(|c| &c.owner_id));
    people.extend(snapshot.delegates.iter().map(|d| &d.account_id));
    people.extend(snapshot.projects.iter().map(|p| &p.owner_id));
    people.extend(snapshot.shares.iter().map(|s| &s.account_id));
    people.extend(snapshot.licenses.iter().map(|l| &l.owner_id));
    people
        .extend((snapshot.transfers.iter()).flat_map(|t| [&t.from_id, &t.to_id, &t.requested_by]));
    let accounts = (state.accounts.iter())
        .filter(|a| {
            people.contains(&a.id)
                || a.managed_by.as_ref() == Some(&me.id)
                || is_company_admin_of(me, Some(a))
        })
        .cloned()
        .collect();
    snapshot.accounts = accounts;
}

/// Whether `actor` may see a transfer: one it requested, sends or receives, or a pending one
/// whose subject it owns or, as the owner's company admin, could move (a pending transfer
/// blocks another request, so whoever may request one must know of it). Nobody else sees a
/// transfer or its target: not a share recipient, not a reseller, not a project owner with
/// someone else's license on its project.
pub fn may_act_on_transfer(state: &State, actor: &Account, transfer: &Transfer) -> bool {
    if transfer.from_id == actor.id
        || transfer.to_id == actor.id
        || transfer.requested_by == actor.id
    {
        return true;
    }
    if transfer.status != TransferStatus::Pending {
        return false;
    }
    let owner = match &transfer.subject {
        TransferSubject::License { license_key } => state.license(license_key).map(|l| &l.owner_id),
        TransferSubject::Project { project_id } => state.project(project_id).map(|p| &p.owner_id),
    };
    owner
        .is_some_and(|owner| owner == &actor.id || is_company_admin_of(actor, state.account(owner)))
}

/// The projects the caller owns or that are shared with it at `now`, by id.
pub fn projects_for(state: &State, actor: &AccountId, now: Timestamp) -> Vec<ProjectView> {
    list::whole(state, &list::projects(actor), |s, k| {
        list::project_item(s, actor, now, k)
    })
}

/// The licenses on a project the caller may see at `now`: all for the owner, its own for a
/// recipient.
pub fn project_licenses(
    state: &State,
    actor: &AccountId,
    id: &ProjectId,
    now: Timestamp,
) -> Result<Vec<License>, CommandError> {
    project_role(state, actor, id, now)
        .ok_or_else(|| invisible(ErrorCode::ProjectNotFound, "project", id.as_str()))?;
    Ok(list::whole(state, &list::project_licenses(id), |s, k| {
        list::project_license_item(s, actor, id, now, k)
    }))
}

/// Every license the caller owns, and for a reseller also those it created and every license
/// of the customers it manages, with notes only where the caller created the
/// license; by key, as they stand at `now`.
pub fn licenses_for(state: &State, actor: &AccountId, now: Timestamp) -> Vec<License> {
    list::whole(state, &list::licenses(actor), |s, k| {
        list::license_item(s, actor, now, k)
    })
}

/// The contracts the caller owns or is a delegate on at `now`, by id.
pub fn contracts_for(state: &State, actor: &AccountId, now: Timestamp) -> Vec<ContractView> {
    list::whole(state, &list::contracts(actor), |s, k| {
        list::contract_item(s, actor, now, k)
    })
}

/// The tickets of a contract the caller may read at `now`, by id.
pub fn tickets_for(
    state: &State,
    actor: &AccountId,
    id: &ContractId,
    now: Timestamp,
) -> Result<Vec<Ticket>, CommandError> {
    contract_role(state, actor, id, now)
        .ok_or_else(|| invisible(ErrorCode::ContractNotFound, "contract", id.as_str()))?;
    Ok(list::whole(state, &list::tickets(id), |s, k| {
        list::ticket_item(s, actor, id, now, k)
    }))
}

/// The transfers the caller requested, sends or receives, by id.
pub fn transfers_for(state: &State, actor: &AccountId, now: Timestamp) -> Vec<TransferView> {
    list::whole(state, &list::transfers(actor), |s, k| {
        list::transfer_item(s, actor, now, k)
    })
}
