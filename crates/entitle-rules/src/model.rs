//! The records the rules reason about. Field names serialize in camelCase; these shapes are
//! what the npm package receives and what scenario files are written in.

use crate::ids::{
    AccountId, CompanyId, ContractId, InvitationId, LicenseKey, OrderId, ProductId, ProjectId,
    TicketId, TransferId,
};
use crate::text::Email;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// What sort of account this is. It decides who may resell, transfer orders, or receive projects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// An ordinary buyer.
    Customer,
    /// A partner: may resell and may transfer whole orders.
    Partner,
    /// A reseller: creates customer accounts and licenses for them.
    Reseller,
    /// An integrator: may receive server and lite projects.
    Integrator,
    /// A do-it-yourself account: may receive server and lite projects.
    Diy,
    /// An end user: may receive serverless pro projects, invite users to them, not modify them.
    EndUser,
}

impl AccountKind {
    /// Whether this kind may create customers and licenses for them.
    pub fn resells(self) -> bool {
        matches!(self, Self::Reseller | Self::Partner)
    }
}

/// An account's place in its company.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CompanyRole {
    /// Acts for the company: may transfer its employees' licenses.
    Admin,
    /// Works for the company; its licenses belong to the company.
    Employee,
}

/// One-off purchase or recurring subscription.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Billing {
    /// A subscription that renews.
    Recurring,
    /// A single purchase.
    OneOff,
}

/// An account of the store. entitle never sees passwords: the store vouches for its users.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Account {
    /// The account's id.
    pub id: AccountId,
    /// Its e-mail address, unique within the store.
    pub email: Email,
    /// Its display name.
    pub name: String,
    /// What sort of account it is.
    pub kind: AccountKind,
    /// The company it belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_id: Option<CompanyId>,
    /// Its role in that company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_role: Option<CompanyRole>,
    /// The reseller or partner that created and manages it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<AccountId>,
}

/// A product the store sells.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Product {
    /// The product's id.
    pub id: ProductId,
    /// Its display name.
    pub name: String,
    /// Its family, such as `magento2` or `prestashop`; trials of `prestashop` last 30 days.
    pub family: String,
    /// How it is billed.
    pub billing: Billing,
}

/// Permanent or trial.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LicenseType {
    /// Never expires.
    #[default]
    Permanent,
    /// Expires 14 days after creation (30 for `prestashop` products).
    Trial,
}

/// Primary or additional. An additional license needs a primary license of the same product.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LicenseTier {
    /// A license the customer can use on its own.
    #[default]
    Primary,
    /// An extra license on top of a primary one.
    Additional,
}

/// A license: one unit of a product, owned by one account, on at most one project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct License {
    /// The license key.
    pub license_key: LicenseKey,
    /// The licensed product.
    pub product_id: ProductId,
    /// The account that owns it.
    pub owner_id: AccountId,
    /// The order it was bought in, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<OrderId>,
    /// Permanent or trial.
    #[serde(default)]
    pub license_type: LicenseType,
    /// Primary or additional.
    #[serde(default)]
    pub tier: LicenseTier,
    /// When it stops working, for trials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// Whether it is activated on a server or device (reported by the store).
    #[serde(default)]
    pub activated: bool,
    /// The project it is assigned to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<ProjectId>,
    /// Who assigned it to that project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_by: Option<AccountId>,
    /// When it was assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_at: Option<Timestamp>,
    /// The reseller that created it, for reseller licenses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<AccountId>,
    /// When it was created, for reseller licenses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// The reseller's private notes; never shown to the owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reseller_notes: Option<String>,
    /// Details the reseller wrote for the customer; visible to the owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_details: Option<String>,
    /// Whether the customer has paid the reseller.
    #[serde(default)]
    pub customer_paid: bool,
    /// When the customer paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_paid_at: Option<Timestamp>,
}

impl License {
    /// A license bought from the store: permanent, primary, unassigned.
    pub fn new(license_key: LicenseKey, product_id: ProductId, owner_id: AccountId) -> Self {
        Self {
            license_key,
            product_id,
            owner_id,
            order_id: None,
            license_type: LicenseType::Permanent,
            tier: LicenseTier::Primary,
            expires_at: None,
            activated: false,
            project_id: None,
            assigned_by: None,
            assigned_at: None,
            created_by: None,
            created_at: None,
            reseller_notes: None,
            customer_details: None,
            customer_paid: false,
            customer_paid_at: None,
        }
    }

    /// Whether the license has expired at `now`.
    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }

    /// Whether it is on a project or activated, so it cannot move alone.
    pub fn is_in_use(&self) -> bool {
        self.project_id.is_some() || self.activated
    }

    /// Takes it off its project.
    pub(crate) fn unassign(&mut self) {
        self.project_id = None;
        self.assigned_by = None;
        self.assigned_at = None;
    }
}

/// An order: licenses bought together, billed once or on a recurring basis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Order {
    /// The order's id.
    pub id: OrderId,
    /// The account that owns the order and its licenses.
    pub owner_id: AccountId,
    /// The account its recurring fees are charged to.
    pub billing_account_id: AccountId,
    /// The licenses bought in it.
    pub license_keys: Vec<LicenseKey>,
    /// Whether it carries recurring fees.
    pub recurring: bool,
}

/// The kind of a project; it limits who may receive the project in a transfer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProjectKind {
    /// An ordinary production project.
    #[default]
    Standard,
    /// Runs on a server, which must be deactivated before a transfer.
    Server,
    /// A lite project, whose panels must all be signed out before a transfer.
    Lite,
    /// A serverless pro project, which may also go to an end user.
    ServerlessPro,
}

/// A production project owned by one account, possibly shared with others.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Project {
    /// The project's id.
    pub id: ProjectId,
    /// The account that owns it.
    pub owner_id: AccountId,
    /// Its name.
    pub name: String,
    /// Its kind.
    #[serde(default)]
    pub kind: ProjectKind,
    /// Whether its server is active (reported by the store).
    #[serde(default)]
    pub server_active: bool,
    /// How many panels are signed in (reported by the store).
    #[serde(default)]
    pub active_panels: u32,
    /// When it was created.
    pub created_at: Timestamp,
}

/// A project shared with one recipient. It needs no acceptance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Share {
    /// The shared project.
    pub project_id: ProjectId,
    /// The recipient.
    pub account_id: AccountId,
    /// When it was shared.
    pub shared_at: Timestamp,
}

/// A contract's life-cycle state, as the store reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContractStatus {
    /// Ordered, not yet running.
    Pending,
    /// Running.
    Active,
    /// Stopped for now, typically for an unpaid invoice.
    Suspended,
    /// Cancelled by the client or the store.
    Cancelled,
    /// Ended for good.
    Terminated,
}

/// A contract for a product: a subscription or a one-off purchase.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Contract {
    /// The contract's id.
    pub id: ContractId,
    /// The client that owns it.
    pub owner_id: AccountId,
    /// The product it is for.
    pub product_id: ProductId,
    /// Its state.
    pub status: ContractStatus,
    /// When the product was registered.
    pub registered_at: Timestamp,
    /// When it renews next, for subscriptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renews_at: Option<Timestamp>,
    /// Subscription or one-off.
    pub billing: Billing,
}

/// Whether a delegate may act.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DelegateStatus {
    /// Accepted and not revoked.
    Active,
    /// Revoked by the client; can do nothing.
    Revoked,
}

/// An account with delegated access to a contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Delegate {
    /// The contract.
    pub contract_id: ContractId,
    /// The delegate's account.
    pub account_id: AccountId,
    /// Active or revoked.
    pub status: DelegateStatus,
    /// When it became a delegate; it sees tickets from this moment on.
    pub added_at: Timestamp,
    /// When it was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
    /// The invitation it accepted.
    pub invitation_id: InvitationId,
}

/// Where an invitation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    /// Waiting for the invitee.
    Pending,
    /// Accepted; its token is spent.
    Accepted,
    /// Cancelled by the client.
    Cancelled,
    /// Past its expiry without being accepted.
    Expired,
}

/// An invitation of a delegate to a contract. Its token is held only as a SHA-256 hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Invitation {
    /// The invitation's id.
    pub id: InvitationId,
    /// The contract.
    pub contract_id: ContractId,
    /// The invited address.
    pub email: Email,
    /// The account behind that address.
    pub account_id: AccountId,
    /// Hex SHA-256 of the accept token; empty in access snapshots.
    pub token_hash: String,
    /// Its stored state; a pending invitation past `expires_at` counts as expired.
    pub status: InvitationStatus,
    /// When it was sent.
    pub created_at: Timestamp,
    /// When its token stops working.
    pub expires_at: Timestamp,
    /// When it was last sent again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resent_at: Option<Timestamp>,
    /// When it was accepted or cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_at: Option<Timestamp>,
}

impl Invitation {
    /// The status at `now`: a pending invitation past its expiry is expired.
    pub fn status_at(&self, now: Timestamp) -> InvitationStatus {
        match self.status {
            InvitationStatus::Pending if now >= self.expires_at => InvitationStatus::Expired,
            status => status,
        }
    }
}

/// A support ticket on a contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Ticket {
    /// The ticket's id.
    pub id: TicketId,
    /// The contract.
    pub contract_id: ContractId,
    /// Who opened it.
    pub author_id: AccountId,
    /// When it was opened.
    pub created_at: Timestamp,
    /// Its subject.
    pub subject: String,
    /// Its text.
    pub body: String,
}

/// What a transfer moves.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum TransferSubject {
    /// One unused license.
    #[serde(rename_all = "camelCase")]
    License {
        /// The license.
        license_key: LicenseKey,
    },
    /// A project with every license on it.
    #[serde(rename_all = "camelCase")]
    Project {
        /// The project.
        project_id: ProjectId,
    },
}

/// Where a transfer stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TransferStatus {
    /// Waiting for the target to accept; nothing has moved.
    Pending,
    /// Accepted: the subject moved.
    Accepted,
    /// Cancelled by the requester.
    Cancelled,
    /// Past its expiry without being accepted.
    Expired,
}

/// A request to move a license or a project to another account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Transfer {
    /// The transfer's id.
    pub id: TransferId,
    /// What moves.
    pub subject: TransferSubject,
    /// The current owner.
    pub from_id: AccountId,
    /// The account that receives it.
    pub to_id: AccountId,
    /// Who asked: the owner, or the admin of the owner's company.
    pub requested_by: AccountId,
    /// Its stored state; a pending transfer past `expires_at` counts as expired.
    pub status: TransferStatus,
    /// When it was requested.
    pub created_at: Timestamp,
    /// When it can no longer be accepted.
    pub expires_at: Timestamp,
    /// When it was accepted or cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_at: Option<Timestamp>,
}

impl Transfer {
    /// The status at `now`: a pending transfer past its expiry is expired.
    pub fn status_at(&self, now: Timestamp) -> TransferStatus {
        match self.status {
            TransferStatus::Pending if now >= self.expires_at => TransferStatus::Expired,
            status => status,
        }
    }
}
