//! What one account may see: its access snapshot (the slice the npm package decides on
//! offline) and the list views the HTTP API returns.
//!
//! Invariant, tested: for every action and resource, `authorize` gives the same answer on the
//! full state and on `access_snapshot(state, actor)`.

use crate::action::{Action, Resource, ResourceType};
use crate::decision::{
    ContractRole, ProjectRole, contract_role, is_company_admin_of, license_relations, project_role,
};
use crate::decision::{Reason, authorize};
use crate::delegates::visible_tickets;
use crate::error::{CommandError, ErrorCode};
use crate::ids::{AccountId, ContractId, InvitationId, ProjectId};
use crate::list;
use crate::model::{
    Account, Billing, Contract, ContractStatus, DelegateStatus, InvitationStatus, License, Project,
    Ticket, Transfer, TransferStatus, TransferSubject,
};
use crate::state::State;
use crate::text::Email;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

pub use crate::affected::affected_accounts;

/// The records `actor` may see, with secrets of others removed: other resellers' notes and
/// invitation token hashes never leave the worker. Its size grows with the actor's account;
/// a page that shows a few resources asks for [`scoped_snapshot`] instead.
pub fn access_snapshot(state: &State, actor: &AccountId) -> State {
    gather_world(state, actor);
    visible_slice(state, actor)
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
    visible_slice(state, actor)
}

/// Reads every relation of `actor`'s account that its snapshot draws on, so that a partial
/// state holds the actor's whole world once nothing is missing.
fn gather_world(state: &State, actor: &AccountId) {
    let Some(me) = state.account(actor) else {
        return;
    };
    let mut products = BTreeSet::new();
    let mut people: BTreeSet<AccountId> = BTreeSet::new();
    for contract in state.contracts_owned_by(actor) {
        products.insert(contract.product_id.clone());
        for delegate in state.delegates_of(&contract.id) {
            people.insert(delegate.account_id.clone());
        }
        for invitation in state.invitations_of(&contract.id) {
            people.insert(invitation.account_id.clone());
        }
        state.tickets_of(&contract.id);
    }
    for delegation in state.delegations_of(actor) {
        if let Some(contract) = state.contract(&delegation.contract_id) {
            products.insert(contract.product_id.clone());
            people.insert(contract.owner_id.clone());
            state.tickets_of(&contract.id);
        }
    }
    for invitation in state.invitations_for(actor) {
        state.contract(&invitation.contract_id);
    }
    let mut licenses: Vec<&License> = Vec::new();
    let mut subjects = Vec::new();
    for project in state.projects_owned_by(actor) {
        for share in state.shares_of(&project.id) {
            people.insert(share.account_id.clone());
        }
        licenses.extend(state.licenses_on(&project.id));
        subjects.push(TransferSubject::Project {
            project_id: project.id.clone(),
        });
    }
    for share in state.shares_with(actor) {
        if let Some(project) = state.project(&share.project_id) {
            people.insert(project.owner_id.clone());
            subjects.push(TransferSubject::Project {
                project_id: project.id.clone(),
            });
        }
    }
    licenses.extend(state.licenses_owned_by(actor));
    licenses.extend(state.licenses_created_by(actor));
    for customer in state.accounts_managed_by(actor) {
        people.insert(customer.id.clone());
        // A reseller sees its customers' licenses.
        licenses.extend(state.licenses_owned_by(&customer.id));
    }
    if let Some(membership) = &me.company {
        for colleague in state.accounts_of_company(&membership.company_id) {
            if is_company_admin_of(me, Some(colleague)) {
                licenses.extend(state.licenses_owned_by(&colleague.id));
                // A company admin may act on a colleague's pending project transfers too.
                for project in state.projects_owned_by(&colleague.id) {
                    subjects.push(TransferSubject::Project {
                        project_id: project.id.clone(),
                    });
                }
            }
        }
    }
    for license in licenses {
        products.insert(license.product_id.clone());
        people.insert(license.owner_id.clone());
        if let Some(project) = license.project_id() {
            state.project(project);
        }
        subjects.push(TransferSubject::License {
            license_key: license.license_key.clone(),
        });
    }
    for subject in &subjects {
        for transfer in state.transfers_of(subject) {
            people.extend([
                transfer.from_id.clone(),
                transfer.to_id.clone(),
                transfer.requested_by.clone(),
            ]);
        }
    }
    for order in state.orders_of(actor) {
        people.insert(order.owner_id.clone());
        people.insert(order.billing_account_id.clone());
    }
    for transfer in state.transfers_involving(actor) {
        people.extend([
            transfer.from_id.clone(),
            transfer.to_id.clone(),
            transfer.requested_by.clone(),
        ]);
    }
    for id in &people {
        state.account(id);
    }
    for id in &products {
        state.product(id);
    }
}

/// The records of `state` that `actor` may see, secrets of others removed.
fn visible_slice(state: &State, actor: &AccountId) -> State {
    let Some(me) = state.account(actor) else {
        return State::default();
    };
    let mut snapshot = State::default();

    let owned_contracts: BTreeSet<&ContractId> = state
        .contracts
        .iter()
        .filter(|c| &c.owner_id == actor)
        .map(|c| &c.id)
        .collect();
    // Active delegations on subscriptions only: a delegate has no access to a one-off contract.
    let delegated_contracts: BTreeSet<&ContractId> = state
        .delegates
        .iter()
        .filter(|d| &d.account_id == actor && d.status == DelegateStatus::Active)
        .filter(|d| contract_role(state, actor, &d.contract_id) == Some(ContractRole::Delegate))
        .map(|d| &d.contract_id)
        .collect();
    snapshot.contracts = state
        .contracts
        .iter()
        .filter(|c| owned_contracts.contains(&c.id) || delegated_contracts.contains(&c.id))
        .cloned()
        .collect();
    snapshot.delegates = state
        .delegates
        .iter()
        .filter(|d| {
            owned_contracts.contains(&d.contract_id)
                || (&d.account_id == actor && delegated_contracts.contains(&d.contract_id))
        })
        .cloned()
        .collect();
    snapshot.invitations = state
        .invitations
        .iter()
        .filter(|i| owned_contracts.contains(&i.contract_id) || &i.account_id == actor)
        .map(|i| crate::model::Invitation {
            token_hash: String::new(),
            ..i.clone()
        })
        .collect();
    snapshot.tickets = snapshot
        .contracts
        .iter()
        .filter_map(|c| visible_tickets(state, actor, &c.id))
        .flatten()
        .cloned()
        .collect();

    let owned_projects: BTreeSet<&ProjectId> = state
        .projects
        .iter()
        .filter(|p| &p.owner_id == actor)
        .map(|p| &p.id)
        .collect();
    let shared_projects: BTreeSet<&ProjectId> = state
        .shares
        .iter()
        .filter(|s| &s.account_id == actor)
        .map(|s| &s.project_id)
        .collect();
    snapshot.projects = state
        .projects
        .iter()
        .filter(|p| owned_projects.contains(&p.id) || shared_projects.contains(&p.id))
        .cloned()
        .collect();
    snapshot.shares = state
        .shares
        .iter()
        .filter(|s| owned_projects.contains(&s.project_id) || &s.account_id == actor)
        .cloned()
        .collect();

    snapshot.licenses = state
        .licenses
        .iter()
        .filter(|l| !license_relations(state, me, l).is_empty())
        .map(|l| {
            if l.reseller_id() == Some(actor) {
                l.clone()
            } else {
                l.clone().without_reseller_notes()
            }
        })
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

    // Accounts: the actor, those it manages or administers, and the people on its records.
    let mut people: BTreeSet<&AccountId> = BTreeSet::new();
    people.insert(actor);
    people.extend(snapshot.contracts.iter().map(|c| &c.owner_id));
    people.extend(snapshot.delegates.iter().map(|d| &d.account_id));
    people.extend(snapshot.projects.iter().map(|p| &p.owner_id));
    people.extend(snapshot.shares.iter().map(|s| &s.account_id));
    people.extend(snapshot.licenses.iter().map(|l| &l.owner_id));
    people.extend(
        snapshot
            .transfers
            .iter()
            .flat_map(|t| [&t.from_id, &t.to_id, &t.requested_by]),
    );
    snapshot.accounts = state
        .accounts
        .iter()
        .filter(|a| {
            people.contains(&a.id)
                || a.managed_by.as_ref() == Some(actor)
                || is_company_admin_of(me, Some(a))
        })
        .cloned()
        .collect();

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

/// Someone a project is shared with, as its owner sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Recipient {
    /// The recipient's account.
    pub account_id: AccountId,
    /// Its address.
    pub email: Email,
    /// Its name.
    pub name: String,
    /// When it was shared.
    pub shared_at: Timestamp,
}

/// A project in the caller's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProjectView {
    /// The project.
    #[serde(flatten)]
    pub project: Project,
    /// The caller's relation to it.
    pub role: ProjectRole,
    /// The owner's address.
    pub owner_email: Option<Email>,
    /// Who it is shared with; only the owner sees this.
    pub shared_with: Vec<Recipient>,
}

/// The projects the caller owns or that are shared with it, by id.
pub fn projects_for(state: &State, actor: &AccountId) -> Vec<ProjectView> {
    list::whole(state, &list::projects(actor), |s, k| {
        list::project_item(s, actor, k)
    })
}

/// One project as the caller sees it.
pub fn project_view(state: &State, actor: &AccountId, id: &ProjectId) -> Option<ProjectView> {
    let project = state.project(id)?;
    let role = project_role(state, actor, id)?;
    let shared_with = match role {
        ProjectRole::Owner => state
            .shares_of(id)
            .into_iter()
            .filter_map(|s| {
                let who = state.account(&s.account_id)?;
                Some(Recipient {
                    account_id: who.id.clone(),
                    email: who.email.clone(),
                    name: who.name.clone(),
                    shared_at: s.shared_at,
                })
            })
            .collect(),
        ProjectRole::Recipient => Vec::new(),
    };
    Some(ProjectView {
        project: project.clone(),
        role,
        owner_email: state.account(&project.owner_id).map(|a| a.email.clone()),
        shared_with,
    })
}

fn invisible(code: ErrorCode, what: &str, id: &str) -> CommandError {
    CommandError::new(
        code,
        format!("{what} `{id}` does not exist or is not visible to you"),
    )
}

/// The licenses on a project the caller may see: all for the owner, its own for a recipient.
pub fn project_licenses(
    state: &State,
    actor: &AccountId,
    id: &ProjectId,
) -> Result<Vec<License>, CommandError> {
    project_role(state, actor, id)
        .ok_or_else(|| invisible(ErrorCode::ProjectNotFound, "project", id.as_str()))?;
    Ok(list::whole(state, &list::project_licenses(id), |s, k| {
        list::project_license_item(s, actor, id, k)
    }))
}

/// Every license the caller owns, and for a reseller also those it created and every license
/// of the customers it manages, with notes only where the caller created the
/// license; by key.
pub fn licenses_for(state: &State, actor: &AccountId) -> Vec<License> {
    list::whole(state, &list::licenses(state, actor), |s, k| {
        list::license_item(s, actor, k)
    })
}

/// A contract as the caller may see it: a delegate sees no billing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ContractView {
    /// The contract's id.
    pub id: ContractId,
    /// The product.
    pub product_id: crate::ids::ProductId,
    /// The product's name, when known.
    pub product_name: Option<String>,
    /// Its state.
    pub status: ContractStatus,
    /// When the product was registered.
    pub registered_at: Timestamp,
    /// When it renews next.
    pub renews_at: Option<Timestamp>,
    /// The caller's relation to it.
    pub role: ContractRole,
    /// Subscription or one-off; only the owner sees billing.
    pub billing: Option<Billing>,
    /// The owner's address.
    pub owner_email: Option<Email>,
}

/// One contract as the caller sees it.
pub fn contract_view(
    state: &State,
    actor: &AccountId,
    id: &ContractId,
) -> Result<ContractView, CommandError> {
    let not_found = || invisible(ErrorCode::ContractNotFound, "contract", id.as_str());
    let contract: &Contract = state.contract(id).ok_or_else(not_found)?;
    let role = contract_role(state, actor, id).ok_or_else(not_found)?;
    Ok(ContractView {
        id: contract.id.clone(),
        product_id: contract.product_id.clone(),
        product_name: state.product(&contract.product_id).map(|p| p.name.clone()),
        status: contract.status,
        registered_at: contract.registered_at,
        renews_at: contract.renews_at,
        role,
        billing: (role == ContractRole::Owner).then_some(contract.billing),
        owner_email: state.account(&contract.owner_id).map(|a| a.email.clone()),
    })
}

/// The contracts the caller owns or is an active delegate on, by id.
pub fn contracts_for(state: &State, actor: &AccountId) -> Vec<ContractView> {
    list::whole(state, &list::contracts(actor), |s, k| {
        list::contract_item(s, actor, k)
    })
}

/// The tickets of a contract the caller may read, by id.
pub fn tickets_for(
    state: &State,
    actor: &AccountId,
    id: &ContractId,
) -> Result<Vec<Ticket>, CommandError> {
    contract_role(state, actor, id)
        .ok_or_else(|| invisible(ErrorCode::ContractNotFound, "contract", id.as_str()))?;
    Ok(list::whole(state, &list::tickets(id), |s, k| {
        list::ticket_item(s, actor, id, k)
    }))
}

/// A delegate as the contract's owner sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct DelegateView {
    /// The delegate's account.
    pub account_id: AccountId,
    /// Its address.
    pub email: Option<Email>,
    /// Its name.
    pub name: Option<String>,
    /// Active or revoked.
    pub status: DelegateStatus,
    /// When it became a delegate.
    pub added_at: Timestamp,
    /// When it was revoked.
    pub revoked_at: Option<Timestamp>,
}

/// An invitation as the contract's owner sees it (never its token).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct InvitationView {
    /// The invitation's id.
    pub invitation_id: InvitationId,
    /// The invited address.
    pub email: Email,
    /// Its state at the time of asking.
    pub status: InvitationStatus,
    /// When it was sent.
    pub created_at: Timestamp,
    /// When its token stops working.
    pub expires_at: Timestamp,
    /// When it was last sent again.
    pub resent_at: Option<Timestamp>,
}

/// A contract's delegates and invitations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct DelegatesView {
    /// Delegates, active and revoked.
    pub delegates: Vec<DelegateView>,
    /// Invitations, newest first.
    pub invitations: Vec<InvitationView>,
}

/// The contract's delegates and invitations, for its owner only; a delegate is told it may
/// not manage delegates.
pub fn delegates_for(
    state: &State,
    actor: &AccountId,
    id: &ContractId,
    now: Timestamp,
) -> Result<DelegatesView, CommandError> {
    match contract_role(state, actor, id) {
        None => {
            return Err(invisible(
                ErrorCode::ContractNotFound,
                "contract",
                id.as_str(),
            ));
        }
        Some(ContractRole::Delegate) => {
            return Err(CommandError::denied(Reason::DelegateActionForbidden));
        }
        Some(ContractRole::Owner) => {}
    }
    let delegates = state
        .delegates_of(id)
        .into_iter()
        .map(|d| {
            let who: Option<&Account> = state.account(&d.account_id);
            DelegateView {
                account_id: d.account_id.clone(),
                email: who.map(|a| a.email.clone()),
                name: who.map(|a| a.name.clone()),
                status: d.status,
                added_at: d.added_at,
                revoked_at: d.revoked_at,
            }
        })
        .collect();
    let mut invitations: Vec<InvitationView> = state
        .invitations_of(id)
        .into_iter()
        .map(|i| InvitationView {
            invitation_id: i.id.clone(),
            email: i.email.clone(),
            status: i.status_at(now),
            created_at: i.created_at,
            expires_at: i.expires_at,
            resent_at: i.resent_at,
        })
        .collect();
    // A store's invitation ids are unique (the worker's key), so no two compare equal there and
    // an unstable sort gives the one order; both npm builds run this same code in any case.
    invitations.sort_unstable_by(|a, b| {
        (b.created_at, &b.invitation_id).cmp(&(a.created_at, &a.invitation_id))
    });
    Ok(DelegatesView {
        delegates,
        invitations,
    })
}

/// A transfer as its parties see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TransferView {
    /// The transfer's id.
    pub transfer_id: crate::ids::TransferId,
    /// What moves.
    pub subject: TransferSubject,
    /// The current owner.
    pub from_id: AccountId,
    /// The account that receives it.
    pub to_id: AccountId,
    /// Who asked.
    pub requested_by: AccountId,
    /// Its state at the time of asking.
    pub status: TransferStatus,
    /// When it was requested.
    pub created_at: Timestamp,
    /// When it can no longer be accepted.
    pub expires_at: Timestamp,
}

/// The transfers the caller requested, sends or receives, by id.
pub fn transfers_for(state: &State, actor: &AccountId, now: Timestamp) -> Vec<TransferView> {
    list::whole(state, &list::transfers(actor), |s, k| {
        list::transfer_item(s, actor, now, k)
    })
}
