//! Events: the audit trail. Every change is recorded as an event in the same transaction.

use crate::ids::{
    AccountId, ContractId, InvitationId, LicenseKey, OrderId, ProductId, ProjectId, TicketId,
    TransferId,
};
use crate::model::{LicenseTier, LicenseType, ProjectKind, TransferSubject};
use crate::text::Email;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// One entry of the store's event feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// When it happened.
    pub at: Timestamp,
    /// The account that acted; absent when the store did.
    pub actor_id: Option<AccountId>,
    /// What happened.
    #[serde(flatten)]
    pub payload: EventPayload,
}

/// What happened, by type (`<resource>.<past-tense verb>`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", content = "payload", rename_all_fields = "camelCase")]
#[allow(
    missing_docs,
    reason = "each payload field is named for the record it identifies"
)]
pub enum EventPayload {
    /// An account was imported by the store.
    #[serde(rename = "account.imported")]
    AccountImported { account_id: AccountId },
    /// A product was imported by the store.
    #[serde(rename = "product.imported")]
    ProductImported { product_id: ProductId },
    /// A license was imported by the store; an owner change takes it off its project.
    #[serde(rename = "license.imported")]
    LicenseImported {
        license_key: LicenseKey,
        unassigned_from: Option<ProjectId>,
    },
    /// An order was imported by the store.
    #[serde(rename = "order.imported")]
    OrderImported { order_id: OrderId },
    /// A contract was imported by the store.
    #[serde(rename = "contract.imported")]
    ContractImported { contract_id: ContractId },
    /// The store reported a project's device state.
    #[serde(rename = "project.runtime_reported")]
    ProjectRuntimeReported {
        project_id: ProjectId,
        server_active: bool,
        active_panels: u32,
    },
    /// A project was created.
    #[serde(rename = "project.created")]
    ProjectCreated {
        project_id: ProjectId,
        name: String,
        kind: ProjectKind,
    },
    /// A project was shared.
    #[serde(rename = "project.shared")]
    ProjectShared {
        project_id: ProjectId,
        account_id: AccountId,
        email: Email,
    },
    /// A project was unshared; the recipient's licenses left it.
    #[serde(rename = "project.unshared")]
    ProjectUnshared {
        project_id: ProjectId,
        account_id: AccountId,
        removed_license_keys: Vec<LicenseKey>,
    },
    /// A license was put on a project.
    #[serde(rename = "license.assigned")]
    LicenseAssigned {
        license_key: LicenseKey,
        project_id: ProjectId,
    },
    /// A license was taken off a project.
    #[serde(rename = "license.unassigned")]
    LicenseUnassigned {
        license_key: LicenseKey,
        project_id: ProjectId,
    },
    /// An order moved to another account with its licenses and recurring fees.
    #[serde(rename = "order.transferred")]
    OrderTransferred {
        order_id: OrderId,
        from_id: AccountId,
        to_id: AccountId,
        billing_account_id: AccountId,
        recurring: bool,
        license_keys: Vec<LicenseKey>,
        unassigned_license_keys: Vec<LicenseKey>,
    },
    /// A delegate was invited; the store e-mails the accept link.
    #[serde(rename = "delegate.invited")]
    DelegateInvited {
        invitation_id: InvitationId,
        contract_id: ContractId,
        email: Email,
        account_id: AccountId,
        accept_token: String,
        expires_at: Timestamp,
    },
    /// An invitation was sent again with a new token.
    #[serde(rename = "invitation.resent")]
    InvitationResent {
        invitation_id: InvitationId,
        contract_id: ContractId,
        email: Email,
        accept_token: String,
        expires_at: Timestamp,
    },
    /// An invitation was cancelled.
    #[serde(rename = "invitation.cancelled")]
    InvitationCancelled {
        invitation_id: InvitationId,
        contract_id: ContractId,
    },
    /// A delegate accepted its invitation.
    #[serde(rename = "delegate.accepted")]
    DelegateAccepted {
        invitation_id: InvitationId,
        contract_id: ContractId,
        account_id: AccountId,
    },
    /// A delegate was revoked.
    #[serde(rename = "delegate.revoked")]
    DelegateRevoked {
        contract_id: ContractId,
        account_id: AccountId,
    },
    /// Someone asked the store to carry out a provisioning action.
    #[serde(rename = "contract.provisioning_requested")]
    ProvisioningRequested {
        contract_id: ContractId,
        action: String,
    },
    /// A ticket was opened.
    #[serde(rename = "ticket.created")]
    TicketCreated {
        ticket_id: TicketId,
        contract_id: ContractId,
        subject: String,
    },
    /// A reseller created a customer account; the store sets up its sign-in.
    #[serde(rename = "account.created")]
    AccountCreated {
        account_id: AccountId,
        email: Email,
        name: String,
        managed_by: AccountId,
    },
    /// A reseller created a license.
    #[serde(rename = "license.created")]
    LicenseCreated {
        license_key: LicenseKey,
        product_id: ProductId,
        owner_id: AccountId,
        license_type: LicenseType,
        tier: LicenseTier,
        expires_at: Option<Timestamp>,
        customer_paid: bool,
    },
    /// A reseller recorded a customer's payment.
    #[serde(rename = "license.payment_updated")]
    LicensePaymentUpdated {
        license_key: LicenseKey,
        customer_paid: bool,
        customer_paid_at: Option<Timestamp>,
    },
    /// A transfer was requested.
    #[serde(rename = "transfer.requested")]
    TransferRequested {
        transfer_id: TransferId,
        subject: TransferSubject,
        from_id: AccountId,
        to_id: AccountId,
        expires_at: Timestamp,
    },
    /// A transfer was accepted: everything listed moved.
    #[serde(rename = "transfer.accepted")]
    TransferAccepted {
        transfer_id: TransferId,
        subject: TransferSubject,
        from_id: AccountId,
        to_id: AccountId,
        license_keys: Vec<LicenseKey>,
        unassigned_license_keys: Vec<LicenseKey>,
        removed_share_account_ids: Vec<AccountId>,
    },
    /// A transfer was cancelled.
    #[serde(rename = "transfer.cancelled")]
    TransferCancelled { transfer_id: TransferId },
    /// The store replaced its settings: the origins its pages run on. Written by the worker,
    /// which keeps the settings; listed here so the feed's event types are declared once.
    #[serde(rename = "settings.updated")]
    SettingsUpdated { allowed_origins: Vec<String> },
    /// The store registered a webhook endpoint (`events`: the types it receives, `null` for
    /// all). Written by the worker, which keeps the endpoints; listed here so the feed's event
    /// types are declared once.
    #[serde(rename = "webhook.created")]
    WebhookCreated {
        webhook_id: String,
        url: String,
        events: Option<Vec<String>>,
    },
    /// The store deleted a webhook endpoint; it receives nothing more.
    #[serde(rename = "webhook.deleted")]
    WebhookDeleted { webhook_id: String },
}

impl EventPayload {
    /// The event's type, such as `project.shared`.
    pub fn event_type(&self) -> &'static str {
        match self {
            Self::AccountImported { .. } => "account.imported",
            Self::ProductImported { .. } => "product.imported",
            Self::LicenseImported { .. } => "license.imported",
            Self::OrderImported { .. } => "order.imported",
            Self::ContractImported { .. } => "contract.imported",
            Self::ProjectRuntimeReported { .. } => "project.runtime_reported",
            Self::ProjectCreated { .. } => "project.created",
            Self::ProjectShared { .. } => "project.shared",
            Self::ProjectUnshared { .. } => "project.unshared",
            Self::LicenseAssigned { .. } => "license.assigned",
            Self::LicenseUnassigned { .. } => "license.unassigned",
            Self::OrderTransferred { .. } => "order.transferred",
            Self::DelegateInvited { .. } => "delegate.invited",
            Self::InvitationResent { .. } => "invitation.resent",
            Self::InvitationCancelled { .. } => "invitation.cancelled",
            Self::DelegateAccepted { .. } => "delegate.accepted",
            Self::DelegateRevoked { .. } => "delegate.revoked",
            Self::ProvisioningRequested { .. } => "contract.provisioning_requested",
            Self::TicketCreated { .. } => "ticket.created",
            Self::AccountCreated { .. } => "account.created",
            Self::LicenseCreated { .. } => "license.created",
            Self::LicensePaymentUpdated { .. } => "license.payment_updated",
            Self::TransferRequested { .. } => "transfer.requested",
            Self::TransferAccepted { .. } => "transfer.accepted",
            Self::TransferCancelled { .. } => "transfer.cancelled",
            Self::SettingsUpdated { .. } => "settings.updated",
            Self::WebhookCreated { .. } => "webhook.created",
            Self::WebhookDeleted { .. } => "webhook.deleted",
        }
    }
}
