//! What one record looks like to the caller: a project with its role and recipients, a
//! contract without billing for a delegate, a contract's delegates and invitations for its
//! owner, a transfer to its parties. The lists ([`crate::list`]) show their items through
//! these views, and so do the single-resource answers of the HTTP API.

use crate::decision::{ContractRole, ProjectRole, Reason, contract_role, project_role};
use crate::error::{CommandError, ErrorCode};
use crate::ids::{AccountId, ContractId, InvitationId, ProjectId};
use crate::model::{
    Account, Billing, Contract, ContractStatus, Delegate, GrantStatus, InvitationStatus, Project,
    Share, TransferStatus, TransferSubject,
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
    /// When its access starts.
    pub starts_at: Timestamp,
    /// When its access ends; none: no end.
    pub expires_at: Option<Timestamp>,
    /// Where its share stands now: an ended share stays in its owner's list as `expired`.
    pub status: GrantStatus,
}

/// A recipient's or a delegate's own window of access, as it sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AccessWindow {
    /// When the access starts.
    pub starts_at: Timestamp,
    /// When it ends; none: no end.
    pub expires_at: Option<Timestamp>,
    /// Where it stands now (a list shows only what is `active`).
    pub status: GrantStatus,
}

impl AccessWindow {
    fn of_share(share: &Share, now: Timestamp) -> Self {
        Self {
            starts_at: share.start(),
            expires_at: share.expires_at,
            status: share.status_at(now),
        }
    }
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
    /// Who it is shared with, scheduled, active and expired; only the owner sees this.
    pub shared_with: Vec<Recipient>,
    /// The caller's own window of access, for a recipient; none for the owner.
    pub access: Option<AccessWindow>,
}

/// A recipient of a project as its owner sees it, `None` for an unknown account.
pub fn recipient(state: &State, share: &Share, now: Timestamp) -> Option<Recipient> {
    let who = state.account(&share.account_id)?;
    Some(Recipient {
        account_id: who.id.clone(),
        email: who.email.clone(),
        name: who.name.clone(),
        shared_at: share.shared_at,
        starts_at: share.start(),
        expires_at: share.expires_at,
        status: share.status_at(now),
    })
}

/// One project as the caller sees it at `now`.
pub fn project_view(
    state: &State,
    actor: &AccountId,
    id: &ProjectId,
    now: Timestamp,
) -> Option<ProjectView> {
    let project = state.project(id)?;
    let role = project_role(state, actor, id, now)?;
    let (shared_with, access) = match role {
        ProjectRole::Owner => (
            (state.shares_of(id).into_iter())
                .filter_map(|s| recipient(state, s, now))
                .collect(),
            None,
        ),
        ProjectRole::Recipient => (
            Vec::new(),
            (state.share(id, actor)).map(|s| AccessWindow::of_share(s, now)),
        ),
    };
    Some(ProjectView {
        project: project.clone(),
        role,
        owner_email: state.account(&project.owner_id).map(|a| a.email.clone()),
        shared_with,
        access,
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
    /// The caller's own window of access, for a delegate; none for the owner.
    pub access: Option<AccessWindow>,
}

/// One contract as the caller sees it at `now`.
pub fn contract_view(
    state: &State,
    actor: &AccountId,
    id: &ContractId,
    now: Timestamp,
) -> Result<ContractView, CommandError> {
    let not_found = || invisible(ErrorCode::ContractNotFound, "contract", id.as_str());
    let contract: &Contract = state.contract(id).ok_or_else(not_found)?;
    let role = contract_role(state, actor, id, now).ok_or_else(not_found)?;
    let access = match role {
        ContractRole::Owner => None,
        ContractRole::Delegate => state.delegate(id, actor).map(|d| AccessWindow {
            starts_at: d.start(),
            expires_at: d.expires_at,
            status: d.status_at(now),
        }),
    };
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
        access,
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
    /// Where it stands now: scheduled, active, expired or revoked.
    pub status: GrantStatus,
    /// When it became a delegate.
    pub added_at: Timestamp,
    /// When it was revoked.
    pub revoked_at: Option<Timestamp>,
    /// When its access starts.
    pub starts_at: Timestamp,
    /// When its access ends; none: no end.
    pub expires_at: Option<Timestamp>,
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
    /// When the access it offers starts, if later than its acceptance.
    pub access_starts_at: Option<Timestamp>,
    /// When the access it offers ends; none: no end.
    pub access_expires_at: Option<Timestamp>,
}

/// A delegate as the contract's owner sees it at `now`.
pub fn delegate_view(state: &State, delegate: &Delegate, now: Timestamp) -> DelegateView {
    let who: Option<&Account> = state.account(&delegate.account_id);
    DelegateView {
        account_id: delegate.account_id.clone(),
        email: who.map(|a| a.email.clone()),
        name: who.map(|a| a.name.clone()),
        status: delegate.status_at(now),
        added_at: delegate.added_at,
        revoked_at: delegate.revoked_at,
        starts_at: delegate.start(),
        expires_at: delegate.expires_at,
    }
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
    match contract_role(state, actor, id, now) {
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
        .map(|d| delegate_view(state, d, now))
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
            access_starts_at: i.access_starts_at,
            access_expires_at: i.access_expires_at,
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
