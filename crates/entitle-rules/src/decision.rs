//! The permission check: an actor, an action, a resource and a state in; allow or deny with
//! reasons out. Deny is an answer, not an error.

use crate::action::{Action, Resource, ResourceType};
use crate::ids::{AccountId, ContractId, LicenseKey, OrderId, ProjectId};
use crate::model::{
    Account, AccountKind, Billing, CompanyRole, GrantStatus, InvitationStatus, License, Project,
    ProjectKind, TransferStatus, TransferSubject,
};
use crate::state::State;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

macro_rules! reasons {
    ($($variant:ident = $code:literal: $doc:literal,)*) => {
        /// Why an action is allowed or denied. The code is shared by Rust, JavaScript and HTTP.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "ReasonCode"))]
        pub enum Reason {
            $(#[doc = $doc] $variant,)*
        }

        impl Reason {
            /// Every reason.
            pub const ALL: &'static [Reason] = &[$(Reason::$variant,)*];

            /// The stable code, such as `delegate_action_forbidden`.
            pub fn code(self) -> &'static str {
                match self { $(Reason::$variant => $code,)* }
            }

            /// What it means, for the error reference.
            pub fn meaning(self) -> &'static str {
                match self { $(Reason::$variant => $doc,)* }
            }
        }
    };
}

reasons! {
    Owner = "owner": "The actor owns the resource.",
    ContractDelegate = "contract_delegate": "The actor is an active delegate on the contract.",
    ShareRecipient = "share_recipient": "The project is shared with the actor.",
    CompanyAdmin = "company_admin": "The actor is the admin of the company that employs the owner.",
    LicenseReseller = "license_reseller": "The actor is the reseller that created the license.",
    ProjectOwner = "project_owner": "The license is on a project the actor owns.",
    SelfAccount = "self": "The account is the actor's own.",
    AccountManager = "account_manager": "The actor is the reseller that manages the account (or the license's owner).",
    BillingAccount = "billing_account": "The actor pays the order's fees.",
    NotFound = "not_found": "The resource does not exist or the actor may not see it.",
    UnknownActor = "unknown_actor": "The actor's account is unknown to the store.",
    DelegateActionForbidden = "delegate_action_forbidden": "Delegates may view, provision and open tickets, nothing more.",
    ContractNotSubscription = "contract_not_subscription": "Delegates are invited only to subscription contracts, never one-off purchases.",
    NothingToRevoke = "nothing_to_revoke": "The contract has no delegates or pending invitations left to remove.",
    ShareRecipientForbidden = "share_recipient_forbidden": "A share recipient may view the project and assign its own licenses, nothing more.",
    ShareRecipientSeesOwnLicenses = "share_recipient_sees_own_licenses": "A share recipient sees only the licenses it assigned.",
    EndUserCannotModify = "end_user_cannot_modify": "An end user may invite users to its project but not change it.",
    NotLicenseOwner = "not_license_owner": "Only the license's owner (or its company's admin, to transfer) may do this.",
    NotLicenseReseller = "not_license_reseller": "Only the reseller that created the license may do this.",
    LicenseInUse = "license_in_use": "The license is on a project or activated: it moves only with its project.",
    LicenseAlreadyAssigned = "license_already_assigned": "The license is already on a project.",
    LicenseExpired = "license_expired": "The trial license has expired.",
    TransferPending = "transfer_pending": "A transfer of this resource is already waiting.",
    ServerActive = "server_active": "The server project's server is still active: it is deactivated before the project changes owner.",
    PanelsActive = "panels_active": "Panels are still signed in to the Lite project: they sign out before the project changes owner.",
    PartnerOnly = "partner_only": "Only partner accounts may transfer whole orders.",
    NotOrderOwner = "not_order_owner": "Only the order's owner may do this.",
}

impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Reason::ALL
            .iter()
            .copied()
            .find(|r| r.code() == code)
            .ok_or_else(|| serde::de::Error::custom(format!("`{code}` is not a reason code")))
    }
}

/// Why an action is allowed: one grant reason or more, never none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grants {
    first: Reason,
    rest: Vec<Reason>,
}

impl Grants {
    /// A single grant reason.
    pub fn one(reason: Reason) -> Self {
        Self {
            first: reason,
            rest: Vec::new(),
        }
    }

    /// The reasons, if there is at least one.
    pub fn new(reasons: Vec<Reason>) -> Option<Self> {
        let mut reasons = reasons.into_iter();
        let first = reasons.next()?;
        Some(Self {
            first,
            rest: reasons.collect(),
        })
    }

    /// The first reason.
    pub fn first(&self) -> Reason {
        self.first
    }

    /// Every reason, the first one first.
    pub fn iter(&self) -> impl Iterator<Item = Reason> + '_ {
        std::iter::once(self.first).chain(self.rest.iter().copied())
    }

    /// Whether `reason` is among them.
    pub fn contains(&self, reason: Reason) -> bool {
        self.iter().any(|r| r == reason)
    }
}

/// The answer to "may this actor do this action to this resource?": allowed or denied, and why.
// Written as `{ allowed, reasons }` (`DecisionRecord`) in JSON, TypeScript and the OpenAPI document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(as = "DecisionRecord"))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(into = "DecisionRecord", try_from = "DecisionRecord")]
pub enum Decision {
    /// Allowed, with every grant reason that applies.
    Allow(Grants),
    /// Denied, with the reason.
    Deny(Reason),
}

/// The JSON form of a [`Decision`].
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
struct DecisionRecord {
    /// Whether the action is allowed.
    allowed: bool,
    /// Why: the grant reasons when allowed (one or more), the deny reason otherwise (exactly one).
    reasons: Vec<Reason>,
}

impl From<Decision> for DecisionRecord {
    fn from(decision: Decision) -> Self {
        Self {
            allowed: decision.is_allowed(),
            reasons: decision.reasons(),
        }
    }
}

impl TryFrom<DecisionRecord> for Decision {
    type Error = &'static str;

    fn try_from(record: DecisionRecord) -> Result<Self, Self::Error> {
        match (record.allowed, record.reasons.as_slice()) {
            (true, _) => Grants::new(record.reasons)
                .map(Decision::Allow)
                .ok_or("an allowed decision needs at least one reason"),
            (false, [reason]) => Ok(Decision::Deny(*reason)),
            (false, _) => Err("a denied decision has exactly one reason"),
        }
    }
}

impl Decision {
    fn allow(reason: Reason) -> Self {
        Self::Allow(Grants::one(reason))
    }

    fn deny(reason: Reason) -> Self {
        Self::Deny(reason)
    }

    /// Allowed for `reasons`, or denied as `not_found` when there are none.
    fn allow_any(reasons: Vec<Reason>) -> Self {
        Grants::new(reasons).map_or(Self::Deny(Reason::NotFound), Self::Allow)
    }

    /// Whether the action is allowed.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Self::Allow(_))
    }

    /// The deny reason, if denied.
    pub fn denial(&self) -> Option<Reason> {
        match self {
            Self::Allow(_) => None,
            Self::Deny(reason) => Some(*reason),
        }
    }

    /// Every reason: the grant reasons when allowed, the deny reason otherwise.
    pub fn reasons(&self) -> Vec<Reason> {
        match self {
            Self::Allow(grants) => grants.iter().collect(),
            Self::Deny(reason) => vec![*reason],
        }
    }
}

/// A question the rules cannot answer because it is malformed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizeError {
    /// The action applies to another type of resource.
    #[error("`{action}` applies to a `{expected}` resource, not a `{given}`")]
    ResourceMismatch {
        /// The action asked about.
        action: &'static str,
        /// The resource type the action needs.
        expected: &'static str,
        /// The resource type given.
        given: &'static str,
    },
}

impl AuthorizeError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ResourceMismatch { .. } => "action_resource_mismatch",
        }
    }
}

fn type_name(t: ResourceType) -> &'static str {
    match t {
        ResourceType::Contract => "contract",
        ResourceType::Project => "project",
        ResourceType::License => "license",
        ResourceType::Order => "order",
        ResourceType::Account => "account",
    }
}

/// Decides whether `actor` may do `action` to `resource` in `state` at `now`.
///
/// A resource that does not exist and one the actor may not see get the same answer
/// (`not_found`), so the answer never reveals what exists.
pub fn authorize(
    state: &State,
    actor: &AccountId,
    action: Action,
    resource: &Resource,
    now: Timestamp,
) -> Result<Decision, AuthorizeError> {
    if action.resource_type() != resource.resource_type {
        return Err(AuthorizeError::ResourceMismatch {
            action: action.name(),
            expected: type_name(action.resource_type()),
            given: type_name(resource.resource_type),
        });
    }
    let Some(actor) = state.account(actor) else {
        return Ok(Decision::deny(Reason::UnknownActor));
    };
    let id = resource.id.as_str();
    Ok(match resource.resource_type {
        ResourceType::Contract => ContractId::new(id)
            .map_or(Decision::deny(Reason::NotFound), |id| {
                contract(state, actor, action, &id, now)
            }),
        ResourceType::Project => ProjectId::new(id)
            .map_or(Decision::deny(Reason::NotFound), |id| {
                project(state, actor, action, &id, now)
            }),
        ResourceType::License => LicenseKey::new(id)
            .map_or(Decision::deny(Reason::NotFound), |id| {
                license(state, actor, action, &id, now)
            }),
        ResourceType::Order => OrderId::new(id).map_or(Decision::deny(Reason::NotFound), |id| {
            order(state, actor, action, &id)
        }),
        ResourceType::Account => AccountId::new(id)
            .map_or(Decision::deny(Reason::NotFound), |id| {
                account(state, actor, &id)
            }),
    })
}

/// The actor's relation to a contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContractRole {
    /// The client that owns it.
    Owner,
    /// An active delegate.
    Delegate,
}

/// The actor's relation to a contract at `now`, if it has one. Delegates exist only on
/// subscriptions: on a one-off contract (such as one the store re-imported as `one_off` after a
/// plan change) a delegate has no relation at all, whatever its record says; and only within
/// their window: before its start and from its end, none either.
pub fn contract_role(
    state: &State,
    actor: &AccountId,
    id: &ContractId,
    now: Timestamp,
) -> Option<ContractRole> {
    let contract = state.contract(id)?;
    if &contract.owner_id == actor {
        Some(ContractRole::Owner)
    } else if contract.billing == Billing::Recurring {
        state
            .active_delegate(id, actor, now)
            .map(|_| ContractRole::Delegate)
    } else {
        None
    }
}

fn contract(
    state: &State,
    actor: &Account,
    action: Action,
    id: &ContractId,
    now: Timestamp,
) -> Decision {
    let Some(contract) = state.contract(id) else {
        return Decision::deny(Reason::NotFound);
    };
    match contract_role(state, &actor.id, id, now) {
        Some(ContractRole::Owner) => match action {
            Action::ContractDelegatesManage if contract.billing == Billing::OneOff => {
                Decision::deny(Reason::ContractNotSubscription)
            }
            Action::ContractDelegatesRevoke if !has_delegates_left(state, id, now) => {
                Decision::deny(Reason::NothingToRevoke)
            }
            _ => Decision::allow(Reason::Owner),
        },
        Some(ContractRole::Delegate) => match action {
            Action::ContractView
            | Action::ContractProvision
            | Action::ContractTicketsCreate
            | Action::ContractTicketsView => Decision::allow(Reason::ContractDelegate),
            _ => Decision::deny(Reason::DelegateActionForbidden),
        },
        None => Decision::deny(Reason::NotFound),
    }
}

/// Whether a delegate in force or scheduled, or a pending invitation, is left on the contract:
/// what the owner may still remove, whatever the contract's billing (a contract re-imported as
/// one-off keeps its delegate rows, which give no access but are the owner's to clear).
pub fn has_delegates_left(state: &State, id: &ContractId, now: Timestamp) -> bool {
    state.delegates_of(id).iter().any(|d| {
        matches!(
            d.status_at(now),
            GrantStatus::Active | GrantStatus::Scheduled
        )
    }) || state
        .invitations_of(id)
        .iter()
        .any(|i| i.status_at(now) == InvitationStatus::Pending)
}

/// The actor's relation to a project.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProjectRole {
    /// The account that owns it.
    Owner,
    /// An account it is shared with.
    Recipient,
}

/// The actor's relation to a project at `now`, if it has one: a recipient only within its
/// share's window.
pub fn project_role(
    state: &State,
    actor: &AccountId,
    id: &ProjectId,
    now: Timestamp,
) -> Option<ProjectRole> {
    let project = state.project(id)?;
    if &project.owner_id == actor {
        Some(ProjectRole::Owner)
    } else {
        state
            .active_share(id, actor, now)
            .map(|_| ProjectRole::Recipient)
    }
}

fn project(
    state: &State,
    actor: &Account,
    action: Action,
    id: &ProjectId,
    now: Timestamp,
) -> Decision {
    match project_role(state, &actor.id, id, now) {
        Some(ProjectRole::Owner) => match action {
            Action::ProjectModify | Action::ProjectRename if actor.kind == AccountKind::EndUser => {
                Decision::deny(Reason::EndUserCannotModify)
            }
            Action::ProjectTransfer
                if has_pending_transfer(
                    state,
                    now,
                    &TransferSubject::Project {
                        project_id: id.clone(),
                    },
                ) =>
            {
                Decision::deny(Reason::TransferPending)
            }
            Action::ProjectTransfer => match state.project(id).and_then(runtime_block) {
                Some(reason) => Decision::deny(reason),
                None => Decision::allow(Reason::Owner),
            },
            _ => Decision::allow(Reason::Owner),
        },
        Some(ProjectRole::Recipient) => match action {
            Action::ProjectView | Action::ProjectLicensesAssign => {
                Decision::allow(Reason::ShareRecipient)
            }
            Action::ProjectLicensesViewAll => Decision::deny(Reason::ShareRecipientSeesOwnLicenses),
            _ => Decision::deny(Reason::ShareRecipientForbidden),
        },
        None => Decision::deny(Reason::NotFound),
    }
}

/// What keeps a project from changing owner now (seed 002: servers and panels are deactivated
/// first): the active server of a server project, or panels signed in to a Lite project. The
/// decision denies the transfer for it, and accepting a transfer checks it again.
pub fn runtime_block(project: &Project) -> Option<Reason> {
    if project.kind == ProjectKind::Server && project.server_active {
        Some(Reason::ServerActive)
    } else if project.kind == ProjectKind::Lite && project.active_panels > 0 {
        Some(Reason::PanelsActive)
    } else {
        None
    }
}

fn has_pending_transfer(state: &State, now: Timestamp, subject: &TransferSubject) -> bool {
    state
        .transfers_of(subject)
        .iter()
        .any(|t| t.status_at(now) == TransferStatus::Pending)
}

/// Whether `actor` administers the company that employs `owner`.
pub fn is_company_admin_of(actor: &Account, owner: Option<&Account>) -> bool {
    let (Some(owner), Some(admin)) = (owner, &actor.company) else {
        return false;
    };
    owner.company.as_ref().is_some_and(|employee| {
        owner.id != actor.id
            && employee.company_id == admin.company_id
            && employee.role == CompanyRole::Employee
            && admin.role == CompanyRole::Admin
    })
}

/// The grant reasons that relate `actor` to `license` at `now`; empty when it may not see it.
pub fn license_relations(
    state: &State,
    actor: &Account,
    license: &License,
    now: Timestamp,
) -> Vec<Reason> {
    let mut relations = Vec::new();
    if license.owner_id == actor.id {
        relations.push(Reason::Owner);
    }
    if is_company_admin_of(actor, state.account(&license.owner_id)) {
        relations.push(Reason::CompanyAdmin);
    }
    if license.reseller_id() == Some(&actor.id) {
        relations.push(Reason::LicenseReseller);
    }
    // A reseller sees the licenses of the customers it manages (read-only).
    let manages_owner = state
        .account(&license.owner_id)
        .is_some_and(|owner| owner.managed_by.as_ref() == Some(&actor.id));
    if manages_owner {
        relations.push(Reason::AccountManager);
    }
    let on_own_project = license
        .project_at(now)
        .and_then(|p| state.project(p))
        .is_some_and(|p| p.owner_id == actor.id);
    if on_own_project && license.owner_id != actor.id {
        relations.push(Reason::ProjectOwner);
    }
    relations
}

fn license(
    state: &State,
    actor: &Account,
    action: Action,
    key: &LicenseKey,
    now: Timestamp,
) -> Decision {
    let Some(license) = state.license(key) else {
        return Decision::deny(Reason::NotFound);
    };
    let Some(relations) = Grants::new(license_relations(state, actor, license, now)) else {
        return Decision::deny(Reason::NotFound);
    };
    let has = |r: Reason| relations.contains(r);
    match action {
        Action::LicenseView => Decision::Allow(relations),
        Action::LicenseAssign if !has(Reason::Owner) => Decision::deny(Reason::NotLicenseOwner),
        Action::LicenseAssign if license.is_expired(now) => Decision::deny(Reason::LicenseExpired),
        Action::LicenseAssign if license.assignment_at(now).is_some() => {
            Decision::deny(Reason::LicenseAlreadyAssigned)
        }
        Action::LicenseAssign => Decision::allow(Reason::Owner),
        Action::LicenseTransfer => {
            let grants = Grants::new(
                relations
                    .iter()
                    .filter(|r| matches!(r, Reason::Owner | Reason::CompanyAdmin))
                    .collect(),
            );
            let Some(grants) = grants else {
                return Decision::deny(Reason::NotLicenseOwner);
            };
            if license.is_in_use(now) {
                Decision::deny(Reason::LicenseInUse)
            } else if has_pending_transfer(
                state,
                now,
                &TransferSubject::License {
                    license_key: key.clone(),
                },
            ) {
                Decision::deny(Reason::TransferPending)
            } else {
                Decision::Allow(grants)
            }
        }
        Action::LicenseMarkPaid if has(Reason::LicenseReseller) => {
            Decision::allow(Reason::LicenseReseller)
        }
        Action::LicenseMarkPaid => Decision::deny(Reason::NotLicenseReseller),
        _ => Decision::deny(Reason::NotFound),
    }
}

fn order(state: &State, actor: &Account, action: Action, id: &OrderId) -> Decision {
    let Some(order) = state.order(id) else {
        return Decision::deny(Reason::NotFound);
    };
    let owner = order.owner_id == actor.id;
    let billing = order.billing_account_id == actor.id;
    match action {
        _ if !owner && !billing => Decision::deny(Reason::NotFound),
        Action::OrderView if owner => Decision::allow(Reason::Owner),
        Action::OrderView => Decision::allow(Reason::BillingAccount),
        Action::OrderTransfer if !owner => Decision::deny(Reason::NotOrderOwner),
        Action::OrderTransfer if actor.kind != AccountKind::Partner => {
            Decision::deny(Reason::PartnerOnly)
        }
        Action::OrderTransfer => Decision::allow(Reason::Owner),
        _ => Decision::deny(Reason::NotFound),
    }
}

fn account(state: &State, actor: &Account, id: &AccountId) -> Decision {
    if &actor.id == id {
        return Decision::allow(Reason::SelfAccount);
    }
    let Some(target) = state.account(id) else {
        return Decision::deny(Reason::NotFound);
    };
    let mut reasons = Vec::new();
    if target.managed_by.as_ref() == Some(&actor.id) {
        reasons.push(Reason::AccountManager);
    }
    if is_company_admin_of(actor, Some(target)) {
        reasons.push(Reason::CompanyAdmin);
    }
    Decision::allow_any(reasons)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    fn check(json: &str, expected: Result<Decision, &str>) {
        let decoded = serde_json::from_str::<Decision>(json);
        match expected {
            Ok(decision) => {
                assert_eq!(decoded.unwrap(), decision);
                assert_eq!(serde_json::to_string(&decision).unwrap(), json);
            }
            Err(message) => assert!(decoded.unwrap_err().to_string().contains(message), "{json}"),
        }
    }

    #[test]
    fn decision_keeps_its_json_form_and_refuses_one_without_reasons() {
        check(
            r#"{"allowed":true,"reasons":["owner","company_admin"]}"#,
            Ok(Decision::Allow(
                Grants::new(vec![Reason::Owner, Reason::CompanyAdmin]).unwrap(),
            )),
        );
        check(
            r#"{"allowed":false,"reasons":["not_found"]}"#,
            Ok(Decision::Deny(Reason::NotFound)),
        );
        check(
            r#"{"allowed":true,"reasons":[]}"#,
            Err("an allowed decision needs at least one reason"),
        );
        check(
            r#"{"allowed":false,"reasons":[]}"#,
            Err("a denied decision has exactly one reason"),
        );
        check(
            r#"{"allowed":false,"reasons":["not_found","owner"]}"#,
            Err("a denied decision has exactly one reason"),
        );
    }

    #[test]
    fn grants_are_never_empty() {
        assert_eq!(Grants::new(Vec::new()), None);
        let grants = Grants::new(vec![Reason::Owner, Reason::LicenseReseller]).unwrap();
        assert_eq!(grants.first(), Reason::Owner);
        assert!(grants.contains(Reason::LicenseReseller));
        assert!(!grants.contains(Reason::CompanyAdmin));
        assert_eq!(
            Decision::Allow(grants).reasons(),
            vec![Reason::Owner, Reason::LicenseReseller]
        );
    }
}
