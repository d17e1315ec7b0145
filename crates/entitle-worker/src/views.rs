//! The bodies the API answers with, beyond the rules' own views. Each is a type, so the
//! OpenAPI document describes exactly what is serialized (the worker's `openapi` module).

use entitle_rules::access::{ContractView, ProjectView};
use entitle_rules::ids::{AccountId, ContractId, InvitationId, LicenseKey, OrderId, ProjectId};
use entitle_rules::model::{Account, AccountKind, GrantStatus, License, Ticket, Transfer};
use entitle_rules::text::Email;
use entitle_rules::{EventPayload, State, Timestamp};
use schemars::JsonSchema;
use serde::Serialize;

/// The most origins a store may list (`PUT /v1/settings`).
pub const MAX_ORIGINS: usize = 20;

/// A new session.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    /// The bearer token for the account's requests, valid one hour.
    pub token: String,
    /// When the token stops working.
    pub expires_at: Timestamp,
    /// The account it acts for.
    pub account_id: AccountId,
}

/// One entry of the store's event feed.
#[derive(Serialize, serde::Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeedEvent {
    /// Its place in the feed: pass it as `after` to read what follows; receivers of webhooks
    /// de-duplicate by it.
    pub cursor: String,
    /// When it happened.
    pub at: Timestamp,
    /// The account that acted; `null` when the store did.
    pub actor_id: Option<AccountId>,
    /// What happened: `type` and its `payload`.
    #[serde(flatten)]
    pub payload: EventPayload,
}

/// One page of the event feed.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventPage {
    /// The events, oldest first.
    pub events: Vec<FeedEvent>,
    /// The cursor of the page's last event when more may follow, else `null`.
    pub next_cursor: Option<String>,
}

/// The store's settings.
#[derive(Serialize, serde::Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Settings {
    /// The origins (`scheme://host[:port]`) the store's pages run on: browsers on them may call
    /// the API (CORS). At most 20.
    #[schemars(length(max = MAX_ORIGINS))]
    pub allowed_origins: Vec<String>,
}

/// How many records a bulk import wrote.
#[derive(Serialize, JsonSchema)]
pub struct ImportSummary {
    /// The number of records imported.
    pub imported: usize,
}

/// A new project, as its owner sees it.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedProject {
    /// The new project's id.
    pub project_id: ProjectId,
    /// The project.
    #[serde(flatten)]
    pub view: ProjectView,
}

/// A project's share with one account.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShareView {
    /// The project.
    pub project_id: ProjectId,
    /// The recipient.
    pub account_id: AccountId,
    /// The recipient's address.
    pub email: Option<Email>,
    /// When it was shared.
    pub shared_at: Timestamp,
    /// When the recipient's access starts.
    pub starts_at: Timestamp,
    /// When it ends; none: no end.
    pub expires_at: Option<Timestamp>,
    /// Where it stands now: `scheduled`, `active` or `expired`.
    pub status: GrantStatus,
}

/// A transfer as a command left it.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransferAnswer {
    /// The transfer's id (the same as `id`).
    pub transfer_id: entitle_rules::ids::TransferId,
    /// The transfer.
    #[serde(flatten)]
    pub transfer: Transfer,
}

/// A whole order moved to a partner, recurring fees included.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderTransferred {
    /// The order.
    pub order_id: OrderId,
    /// Its previous owner.
    pub from_id: AccountId,
    /// Its new owner.
    pub to_id: AccountId,
    /// The account that pays the order's fees from now on.
    pub billing_account_id: AccountId,
    /// Whether the order has recurring fees.
    pub recurring: bool,
    /// The licenses that moved with it.
    pub license_keys: Vec<LicenseKey>,
    /// Those of them that were taken off their projects.
    pub unassigned_license_keys: Vec<LicenseKey>,
}

/// The state of an invitation a command left.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationAnswer {
    /// The invitation.
    pub invitation_id: InvitationId,
    /// The contract.
    pub contract_id: ContractId,
    /// The invitee's address.
    pub email: Email,
    /// Always `pending`: the accept token goes to the store's event feed, not to the client.
    pub status: PendingStatus,
    /// When the link stops working (not the end of the access it offers).
    pub expires_at: Timestamp,
    /// When the access it offers starts, if later than its acceptance (absent: at once).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_starts_at: Option<Timestamp>,
    /// When the access it offers ends (absent: no end).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_expires_at: Option<Timestamp>,
}

/// The only status of a new or resent invitation: `pending`, waiting for the invitee.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PendingStatus {
    #[allow(missing_docs, reason = "the only value: documented on the type")]
    Pending,
}

/// A delegate that accepted its invitation.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DelegateAnswer {
    /// The contract.
    pub contract_id: ContractId,
    /// The delegate's account.
    pub account_id: AccountId,
    /// Always `delegate`.
    pub role: DelegateRole,
    /// When it was added.
    pub added_at: Timestamp,
    /// When its access starts: it sees tickets from then on.
    pub starts_at: Timestamp,
    /// When its access ends; none: no end.
    pub expires_at: Option<Timestamp>,
    /// Where it stands now: `active`, or `scheduled` until the start of its window.
    pub status: GrantStatus,
}

/// The role an accepted invitation gives: `delegate`.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DelegateRole {
    #[allow(missing_docs, reason = "the only value: documented on the type")]
    Delegate,
}

/// A provisioning request, passed on to the store.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProvisioningAnswer {
    /// The contract.
    pub contract_id: ContractId,
    /// The action asked for.
    pub action: String,
    /// Always `requested`.
    pub status: RequestedStatus,
}

/// The status of an accepted request that the store carries out: `requested`, handed to the
/// store.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestedStatus {
    #[allow(missing_docs, reason = "the only value: documented on the type")]
    Requested,
}

/// A customer account a reseller created.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerAnswer {
    /// The new account.
    pub account_id: AccountId,
    /// Its address.
    pub email: Email,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: AccountKind,
    /// The reseller that manages it.
    pub managed_by: Option<AccountId>,
}

/// Licenses a reseller created.
#[derive(Serialize, JsonSchema)]
pub struct CreatedLicenses {
    /// One license per unit.
    pub licenses: Vec<License>,
}

/// What the npm package needs to answer the caller's permission checks.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccessSnapshot {
    /// The caller.
    pub account_id: AccountId,
    /// The caller's account, when known.
    pub account: Option<Account>,
    /// When the snapshot was taken.
    pub at: Timestamp,
    /// When its answers next change by time alone: the earliest start or end of a share's or
    /// delegation's window in it after `at` (the npm package's `Access.validUntil`); none when
    /// no window starts or ends later. `Cache-Control: max-age` never reaches past it.
    pub valid_until: Option<Timestamp>,
    /// The records that decide the caller's checks: pass it to `new Access(...)`.
    pub state: State,
}

/// The demo mailbox: the accept links the store would e-mail to the caller.
#[derive(Serialize, JsonSchema)]
pub struct Mailbox {
    /// One letter per invitation, the latest sending.
    pub letters: Vec<Letter>,
}

/// One invitation e-mail.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Letter {
    /// The invitation.
    pub invitation_id: InvitationId,
    /// The contract.
    pub contract_id: ContractId,
    /// The token of the accept link.
    pub accept_token: String,
    /// When the link stops working.
    pub expires_at: Timestamp,
    /// When it was sent.
    pub sent_at: Timestamp,
}

/// A page of a list: its items and the cursor of the next page.
pub trait Page {
    /// One item.
    type Item;
    /// The page.
    fn new(items: Vec<Self::Item>, next_cursor: Option<String>) -> Self;
}

macro_rules! pages {
    ($($(#[doc = $doc:literal])* $name:ident { $field:ident: $item:ty })*) => {$(
        $(#[doc = $doc])*
        #[derive(Serialize, JsonSchema)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            /// The page's items, by key.
            pub $field: Vec<$item>,
            /// Pass it as `after` for the next page; `null` on the last page.
            pub next_cursor: Option<String>,
        }

        impl Page for $name {
            type Item = $item;
            fn new(items: Vec<$item>, next_cursor: Option<String>) -> Self {
                Self { $field: items, next_cursor }
            }
        }
    )*};
}

pages! {
    /// One page of the caller's contracts.
    ContractPage { contracts: ContractView }
    /// One page of the caller's projects.
    ProjectPage { projects: ProjectView }
    /// One page of the licenses on a project that the caller may see.
    ProjectLicensePage { licenses: License }
    /// One page of the caller's licenses (and, for a reseller, its customers').
    LicensePage { licenses: License }
    /// One page of a reseller's customers.
    CustomerPage { customers: Account }
    /// One page of the caller's transfers.
    TransferPage { transfers: entitle_rules::access::TransferView }
    /// One page of a contract's tickets that the caller may see.
    TicketPage { tickets: Ticket }
}

/// A webhook endpoint of the store (its secret is shown only when it is registered).
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookView {
    /// Its id.
    pub webhook_id: String,
    /// Where deliveries are POSTed.
    pub url: String,
    /// The event types it receives, in name order; `null` for every event.
    pub events: Option<Vec<String>>,
    /// When it was registered.
    pub created_at: String,
}

/// A webhook endpoint just registered, with its signing secret: shown only in this answer.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedWebhook {
    /// The endpoint.
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// The signing secret (`whsec_` and 43 characters). Each delivery carries
    /// `Entitle-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with
    /// this secret>`.
    pub secret: String,
}

/// One page of the store's webhook endpoints, in id order.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookPage {
    /// The endpoints.
    pub webhooks: Vec<WebhookView>,
    /// The cursor of the next page, or `null` on the last.
    pub next_cursor: Option<String>,
}

/// Whether a delivery attempt was acknowledged.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// A 2xx answer within 10 seconds.
    Succeeded,
    /// Another answer, a redirect, a timeout or no connection.
    Failed,
}

/// One attempt to deliver one event to one endpoint.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    /// The attempt's id in the log.
    pub delivery_id: String,
    /// The event's cursor in the feed, also sent as `Entitle-Event-Id`.
    pub event_cursor: String,
    /// The event's type.
    pub event_type: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// Whether it was acknowledged.
    pub status: DeliveryStatus,
    /// The endpoint's HTTP status; `null` when it did not answer.
    pub response_status: Option<u16>,
    /// Why there was no answer (timeout, refused connection, DNS); `null` when there was one.
    pub error: Option<String>,
    /// When the attempt started.
    pub at: String,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// When the next attempt is due; `null` once it succeeded or was given up (three days
    /// after the first attempt).
    pub next_attempt_at: Option<String>,
}

/// One page of an endpoint's delivery log, newest first.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryPage {
    /// The attempts.
    pub deliveries: Vec<DeliveryView>,
    /// The cursor of the next page, or `null` on the last.
    pub next_cursor: Option<String>,
}
