//! Events: the audit trail. Every change is recorded as an event in the same transaction.

use crate::ids::{
    AccountId, ContractId, InvitationId, LicenseKey, OrderId, ProductId, ProjectId, TicketId,
    TransferId,
};
use crate::model::{Billing, LicenseTier, LicenseType, ProjectKind, TransferSubject};
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

/// Declares [`EventPayload`] with each event's type name written once: serde's tag and
/// [`EventPayload::event_type`] both come from it.
macro_rules! events {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $name:tt { $($(#[$attr:meta])* $field:ident: $ty:ty),* $(,)? },
    )*) => {
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
            $($(#[doc = $doc])* #[serde(rename = $name)] $variant { $($(#[$attr])* $field: $ty),* },)*
        }

        impl EventPayload {
            /// Every event type, in the order they are declared.
            pub const TYPES: &'static [&'static str] = &[$($name,)*];

            /// The event's type, such as `project.shared`.
            pub fn event_type(&self) -> &'static str {
                match self {
                    $(Self::$variant { .. } => $name,)*
                }
            }
        }
    };
}

events! {
    /// An account was imported by the store.
    AccountImported = "account.imported" { account_id: AccountId },
    /// A product was imported by the store.
    ProductImported = "product.imported" { product_id: ProductId },
    /// A license was imported by the store; an owner change takes it off its project.
    LicenseImported = "license.imported" {
        license_key: LicenseKey,
        unassigned_from: Option<ProjectId>,
    },
    /// An order was imported by the store.
    OrderImported = "order.imported" { order_id: OrderId },
    /// A contract was imported by the store.
    ContractImported = "contract.imported" { contract_id: ContractId },
    /// The store reported a project's device state.
    ProjectRuntimeReported = "project.runtime_reported" {
        project_id: ProjectId,
        server_active: bool,
        active_panels: u32,
    },
    /// A project was created.
    ProjectCreated = "project.created" {
        project_id: ProjectId,
        name: String,
        kind: ProjectKind,
    },
    /// A project was shared, for a time when it has a window (`startsAt`: the access starts
    /// later than now).
    ProjectShared = "project.shared" {
        project_id: ProjectId,
        account_id: AccountId,
        email: Email,
        starts_at: Option<Timestamp>,
        expires_at: Option<Timestamp>,
    },
    /// The owner changed the window of a share; the recipient's licenses on the project follow
    /// its end.
    ShareUpdated = "share.updated" {
        project_id: ProjectId,
        account_id: AccountId,
        starts_at: Timestamp,
        expires_at: Option<Timestamp>,
    },
    /// A share ends soon (7 days and 1 day before its end; from the sweep), so the store can
    /// remind people.
    ShareExpiring = "share.expiring" {
        project_id: ProjectId,
        account_id: AccountId,
        expires_at: Timestamp,
    },
    /// A share's window ended (from the sweep, within two minutes): the recipient lost the
    /// project at `expiresAt`, and the licenses it assigned left it.
    ShareExpired = "share.expired" {
        project_id: ProjectId,
        account_id: AccountId,
        expires_at: Timestamp,
        removed_license_keys: Vec<LicenseKey>,
    },
    /// A project was unshared; the recipient's licenses left it.
    ProjectUnshared = "project.unshared" {
        project_id: ProjectId,
        account_id: AccountId,
        removed_license_keys: Vec<LicenseKey>,
    },
    /// A license was put on a project.
    LicenseAssigned = "license.assigned" {
        license_key: LicenseKey,
        project_id: ProjectId,
    },
    /// A license was taken off a project.
    LicenseUnassigned = "license.unassigned" {
        license_key: LicenseKey,
        project_id: ProjectId,
    },
    /// An order moved to another account with its licenses and recurring fees.
    OrderTransferred = "order.transferred" {
        order_id: OrderId,
        from_id: AccountId,
        to_id: AccountId,
        billing_account_id: AccountId,
        #[serde(rename = "recurring", with = "crate::model::recurring_flag")]
        #[cfg_attr(feature = "ts", ts(type = "boolean"))]
        #[cfg_attr(feature = "schema", schemars(with = "bool"))]
        billing: Billing,
        license_keys: Vec<LicenseKey>,
        unassigned_license_keys: Vec<LicenseKey>,
    },
    /// A delegate was invited; the store e-mails the accept link. `expiresAt` is when the link
    /// stops working; `accessStartsAt` and `accessExpiresAt` the window of the access it offers.
    DelegateInvited = "delegate.invited" {
        invitation_id: InvitationId,
        contract_id: ContractId,
        email: Email,
        account_id: AccountId,
        accept_token: String,
        expires_at: Timestamp,
        access_starts_at: Option<Timestamp>,
        access_expires_at: Option<Timestamp>,
    },
    /// An invitation was sent again with a new token.
    InvitationResent = "invitation.resent" {
        invitation_id: InvitationId,
        contract_id: ContractId,
        email: Email,
        accept_token: String,
        expires_at: Timestamp,
    },
    /// An invitation was cancelled.
    InvitationCancelled = "invitation.cancelled" {
        invitation_id: InvitationId,
        contract_id: ContractId,
    },
    /// A delegate accepted its invitation.
    DelegateAccepted = "delegate.accepted" {
        invitation_id: InvitationId,
        contract_id: ContractId,
        account_id: AccountId,
    },
    /// A delegate was revoked.
    DelegateRevoked = "delegate.revoked" {
        contract_id: ContractId,
        account_id: AccountId,
    },
    /// The owner changed the window of a delegation.
    DelegateUpdated = "delegate.updated" {
        contract_id: ContractId,
        account_id: AccountId,
        starts_at: Timestamp,
        expires_at: Option<Timestamp>,
    },
    /// A delegation ends soon (7 days and 1 day before its end; from the sweep).
    DelegateExpiring = "delegate.expiring" {
        contract_id: ContractId,
        account_id: AccountId,
        expires_at: Timestamp,
    },
    /// A delegation's window ended (from the sweep, within two minutes): the delegate lost the
    /// contract at `expiresAt`.
    DelegateExpired = "delegate.expired" {
        contract_id: ContractId,
        account_id: AccountId,
        expires_at: Timestamp,
    },
    /// Someone asked the store to carry out a provisioning action.
    ProvisioningRequested = "contract.provisioning_requested" {
        contract_id: ContractId,
        action: String,
    },
    /// A ticket was opened.
    TicketCreated = "ticket.created" {
        ticket_id: TicketId,
        contract_id: ContractId,
        subject: String,
    },
    /// A reseller created a customer account; the store sets up its sign-in.
    AccountCreated = "account.created" {
        account_id: AccountId,
        email: Email,
        name: String,
        managed_by: AccountId,
    },
    /// A reseller created a license.
    LicenseCreated = "license.created" {
        license_key: LicenseKey,
        product_id: ProductId,
        owner_id: AccountId,
        license_type: LicenseType,
        tier: LicenseTier,
        expires_at: Option<Timestamp>,
        customer_paid: bool,
    },
    /// A reseller recorded a customer's payment.
    LicensePaymentUpdated = "license.payment_updated" {
        license_key: LicenseKey,
        customer_paid: bool,
        customer_paid_at: Option<Timestamp>,
    },
    /// A transfer was requested.
    TransferRequested = "transfer.requested" {
        transfer_id: TransferId,
        subject: TransferSubject,
        from_id: AccountId,
        to_id: AccountId,
        expires_at: Timestamp,
    },
    /// A transfer was accepted: everything listed moved.
    TransferAccepted = "transfer.accepted" {
        transfer_id: TransferId,
        subject: TransferSubject,
        from_id: AccountId,
        to_id: AccountId,
        license_keys: Vec<LicenseKey>,
        unassigned_license_keys: Vec<LicenseKey>,
        removed_share_account_ids: Vec<AccountId>,
    },
    /// A transfer was cancelled.
    TransferCancelled = "transfer.cancelled" { transfer_id: TransferId },
    /// The store replaced its settings: the origins its pages run on. Written by the worker,
    /// which keeps the settings; listed here so the feed's event types are declared once.
    SettingsUpdated = "settings.updated" { allowed_origins: Vec<String> },
    /// The store registered a webhook endpoint (`events`: the types it receives, `null` for
    /// all). Written by the worker, which keeps the endpoints; listed here so the feed's event
    /// types are declared once.
    WebhookCreated = "webhook.created" {
        webhook_id: String,
        url: String,
        events: Option<Vec<String>>,
    },
    /// The store deleted a webhook endpoint; it receives nothing more.
    WebhookDeleted = "webhook.deleted" { webhook_id: String },
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
    use super::*;

    #[test]
    fn event_types_are_unique_and_read_resource_dot_verb() {
        let mut seen = std::collections::BTreeSet::new();
        for name in EventPayload::TYPES {
            assert!(seen.insert(name), "`{name}` is declared twice");
            let (resource, verb) = name.split_once('.').unwrap();
            assert!(!resource.is_empty() && !verb.is_empty() && !verb.contains('.'));
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
            );
        }
        assert_eq!(seen.len(), 34);
    }

    #[test]
    fn serde_writes_the_event_type_as_its_tag() {
        let payloads = [
            EventPayload::TransferCancelled {
                transfer_id: "trf_1".try_into().unwrap(),
            },
            EventPayload::ProvisioningRequested {
                contract_id: "c".try_into().unwrap(),
                action: "update_nameservers".into(),
            },
        ];
        for payload in payloads {
            let json = serde_json::to_value(&payload).unwrap();
            assert_eq!(json["type"], payload.event_type());
            assert!(EventPayload::TYPES.contains(&payload.event_type()));
            let back: EventPayload = serde_json::from_value(json).unwrap();
            assert_eq!(back, payload);
        }
    }
}
