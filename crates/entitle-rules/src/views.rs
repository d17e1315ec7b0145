//! What one record looks like to the caller: a project with its role and recipients, a
//! contract without billing for a delegate, a contract's delegates and invitations for its
//! owner, a transfer to its parties. The lists ([`crate::list`]) show their items through
//! these views, and so do the single-resource answers of the HTTP API.

use crate::decision::{ContractRole, ProjectRole, Reason, contract_role, project_role};
use crate::error::{CommandError, ErrorCode};
use crate::ids::{AccountId, ContractId, InvitationId, ProjectId};
use crate::model::{
    Account, Billing, Contract, ContractStatus, DelegateStatus, InvitationStatus, Project,
    TransferStatus, TransferSubject,
};
use crate::state::State;
use crate::text::Email;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

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

/// The error for a resource that does not exist or that the caller may not see.
pub(crate) fn invisible(code: ErrorCode, what: &str, id: &str) -> CommandError {
    CommandError::new(
        code,
        format!("{what} `{id}` does not exist or is not visible to you"),
    )
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
