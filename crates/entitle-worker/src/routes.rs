//! Every route the worker serves, each declared once: method, path, caller, tag, query, request
//! body, answer, the errors it may answer, and its handler. Dispatch (`crate::fetch`) and the
//! OpenAPI document (`crate::openapi`) both come from this table, so they cannot disagree, and
//! the compiler checks each declaration against its handler: the caller type, the body type and
//! the answer type are the handler's own.

use crate::auth::{Authenticate, CallerKind, DemoSession, DemoStore, Public, Session};
use crate::call::Call;
use crate::errors::{Code, Transport, record};
use crate::handlers::{
    contracts, imports, projects, records, reseller, settings, signed, transfers, webhooks,
};
use crate::http::ApiError;
use crate::route::{
    AccessQuery, Answered, EventQuery, PageQuery, Params, Query, SchemaFn, matches,
};
use crate::views;
use entitle_rules::ErrorCode::{self, Denied};
use entitle_rules::decision::Reason;
use entitle_rules::ids::StoreId;
use schemars::SchemaGenerator;
use std::future::Future;
use std::pin::Pin;
use worker::Response;

/// What a handler's future resolves to.
pub type Answer<'a> = Pin<Box<dyn Future<Output = Result<Response, ApiError>> + 'a>>;

/// A route's entry point: authenticates, reads the body, runs the handler, answers; it sets
/// the caller's store, once known, for the CORS headers.
pub type Handler = for<'a> fn(&'a mut Call, &'a mut Option<StoreId>) -> Answer<'a>;

/// One route.
pub struct Route {
    /// The operation's id in the document, such as `shareProject`.
    pub operation: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path pattern (`{name}` matches one segment).
    pub pattern: &'static str,
    /// Who may call it.
    pub caller: CallerKind,
    /// Its tag in the document.
    pub tag: &'static str,
    /// Its summary (the first line of its doc comment) and description (the rest).
    pub doc: &'static [&'static str],
    /// The query parameters' schema (an object; one parameter per property) and the errors
    /// its parsing may answer, if it takes any.
    pub query: Option<(SchemaFn, &'static [Transport])>,
    /// The request body's schema, if it takes one.
    pub body: Option<SchemaFn>,
    /// The success status.
    pub status: u16,
    /// The answer's media type and schema; `None` for an empty answer.
    pub answer: fn() -> Option<(&'static str, SchemaFn)>,
    /// Whether the answer carries an `ETag` and honours `If-None-Match` with a 304.
    pub etag: bool,
    /// The errors its handler may answer, beyond those of its caller kind and body.
    pub errors: fn() -> Vec<Code>,
    /// The entry point.
    pub handler: Handler,
}

macro_rules! optional_schema {
    () => {
        None
    };
    ($t:ty) => {
        Some(|g: &mut SchemaGenerator| g.subschema_for::<$t>())
    };
}

macro_rules! optional_query {
    () => {
        None
    };
    ($t:ty) => {
        Some((
            |g: &mut SchemaGenerator| g.subschema_for::<$t>(),
            <$t as Query>::ERRORS,
        ))
    };
}

macro_rules! flag {
    () => {
        false
    };
    ($flag:ident) => {
        true
    };
}

macro_rules! run_handler {
    ($handler:path, $call:ident, $caller:ident,) => {
        $handler($call, &$caller).await
    };
    ($handler:path, $call:ident, $caller:ident, $body:ty) => {{
        let body: $body = crate::http::body(&mut $call.req).await?;
        $handler($call, &$caller, body).await
    }};
}

macro_rules! routes {
    ($(
        $(#[doc = $doc:literal])*
        $op:ident = $method:ident $pattern:literal by $caller:ty, tag $tag:literal
        $(, query $query:ty)?
        $(, takes $body:ty)?
        $(, reads $raw:ty)?
        , answers $status:literal $answer:ty
        $(, with $etag:ident)?
        , fails [$($fail:expr),* $(,)?]
        => $handler:path;
    )*) => {
        /// Entry points, one per route.
        #[allow(non_snake_case, reason = "named for the operation id")]
        mod entry {
            use super::*;
            $(
                pub fn $op<'a>(call: &'a mut Call, store: &'a mut Option<StoreId>) -> Answer<'a> {
                    Box::pin(async move {
                        let caller = <$caller as Authenticate>::authenticate(&call.req, &call.env, call.now)?;
                        *store = caller.store().cloned();
                        call.idempotency =
                            crate::idempotency::scope(&call.req, caller.idempotency_scope()).await?;
                        let reply: crate::http::Reply<$answer> =
                            run_handler!($handler, call, caller, $($body)?)?;
                        reply.into_response($status)
                    })
                }
            )*
        }

        /// The route table.
        pub static ROUTES: &[Route] = &[$(
            Route {
                operation: stringify!($op),
                method: stringify!($method),
                pattern: $pattern,
                caller: <$caller as Authenticate>::KIND,
                tag: $tag,
                doc: &[$($doc),*],
                query: optional_query!($($query)?),
                body: optional_schema!($($body)? $($raw)?),
                status: $status,
                answer: <$answer as Answered>::answered,
                etag: flag!($($etag)?),
                errors: || vec![$(Code::from($fail)),*],
                handler: entry::$op,
            },
        )*];
    };
}

use ErrorCode as R;
use Transport as T;

routes! {
    /// The OpenAPI document of this API
    getOpenApi = GET "/v1/openapi.json" by Public, tag "meta",
        answers 200 records::Document, fails [] => records::openapi;
    /// The error reference: every code with its status, meaning and what to do
    ///
    /// Each problem's `type` links to its line here.
    getErrors = GET "/v1/errors" by Public, tag "meta",
        answers 200 crate::http::Markdown, fails [] => records::errors;
    /// A session token for one of the store's accounts (store key)
    ///
    /// The store's backend calls it after its own sign-in and hands the token to the page.
    createSession = POST "/v1/sessions" by StoreId, tag "sessions",
        takes records::SessionBody, answers 201 views::SessionView,
        fails [R::AccountNotFound] => records::create_session;
    /// A session for the demo store's accounts (local demo only)
    createDemoSession = POST "/v1/demo/sessions" by DemoStore, tag "demo",
        takes records::SessionBody, answers 201 views::SessionView,
        fails [R::AccountNotFound, T::RouteNotFound] => records::create_demo_session;
    /// The accept links the store would e-mail to the caller (local demo only)
    getDemoMailbox = GET "/v1/demo/mailbox" by DemoSession, tag "demo",
        answers 200 views::Mailbox, fails [T::RouteNotFound] => records::demo_mailbox;
    /// The store's event feed, oldest first: the audit trail, and what webhooks deliver
    listEvents = GET "/v1/events" by StoreId, tag "events", query EventQuery,
        answers 200 views::EventPage,
        fails [T::InvalidCursor, T::InvalidLimit, T::InvalidQuery] => records::events;
    /// Registers a webhook endpoint; the answer holds its signing secret, shown only here
    ///
    /// Every event of the store's feed written from now on (its own `webhook.created` first)
    /// that the endpoint subscribes to is POSTed to `url` as the same JSON object
    /// `GET /v1/events` returns, with headers `Entitle-Event-Id` (the event's cursor) and
    /// `Entitle-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with
    /// the secret>`. A 2xx answer within 10 seconds acknowledges it; anything else (another
    /// status, a redirect, a timeout) is retried after 30 s, doubling up to every 6 hours, for
    /// at least 3 days. Delivery is at least once: receivers de-duplicate by `Entitle-Event-Id`
    /// and reject signatures older than 5 minutes. A store has at most 10 endpoints.
    createWebhook = POST "/v1/webhooks" by StoreId, tag "webhooks",
        takes webhooks::WebhookBody, answers 201 views::CreatedWebhook,
        fails [T::InvalidWebhookUrl, T::HttpsRequired, R::UnknownEventType,
            R::InvalidWebhookEvents, T::TooManyWebhooks] => webhooks::create;
    /// The store's webhook endpoints, in id order, without their secrets
    listWebhooks = GET "/v1/webhooks" by StoreId, tag "webhooks", query PageQuery,
        answers 200 views::WebhookPage, fails [] => webhooks::list;
    /// Deletes a webhook endpoint: it gets nothing more, retries already queued included
    ///
    /// Its delivery log goes with it. Writes a `webhook.deleted` event.
    deleteWebhook = DELETE "/v1/webhooks/{webhookId}" by StoreId, tag "webhooks",
        answers 204 crate::http::NoContent, fails [T::WebhookNotFound] => webhooks::delete;
    /// A webhook endpoint's delivery attempts, newest first
    ///
    /// One entry per attempt to deliver one event: its cursor and type, the attempt's number,
    /// `succeeded` or `failed`, the answer's status or why there was none, when, how long, and
    /// when the next attempt is due. Attempts are kept 30 days.
    listWebhookDeliveries = GET "/v1/webhooks/{webhookId}/deliveries" by StoreId,
        tag "webhooks", query PageQuery, answers 200 views::DeliveryPage,
        fails [T::WebhookNotFound] => webhooks::deliveries;
    /// The store's settings
    getSettings = GET "/v1/settings" by StoreId, tag "settings",
        answers 200 views::Settings, fails [] => settings::get;
    /// Replaces the store's settings: the origins its pages run on (CORS)
    putSettings = PUT "/v1/settings" by StoreId, tag "settings",
        takes views::Settings, answers 200 views::Settings,
        fails [T::TooManyOrigins, T::InvalidOrigin] => settings::put;
    /// Imports or updates an account
    putAccount = PUT "/v1/accounts/{accountId}" by StoreId, tag "imports",
        takes imports::AccountBody, answers 200 entitle_rules::model::Account,
        fails [T::InvalidId, R::InvalidRecord, R::InvalidEmail, R::InvalidName, R::EmailInUse,
            R::AccountNotFound] => imports::put_account;
    /// Imports or updates a product
    putProduct = PUT "/v1/products/{productId}" by StoreId, tag "imports",
        takes imports::ProductBody, answers 200 entitle_rules::model::Product,
        fails [T::InvalidId, R::InvalidRecord, R::InvalidName] => imports::put_product;
    /// Imports or updates a license; a new owner takes it off its project
    putLicense = PUT "/v1/licenses/{licenseKey}" by StoreId, tag "imports",
        takes imports::LicenseBody, answers 200 entitle_rules::model::License,
        fails [T::InvalidId, R::InvalidRecord, R::AccountNotFound, R::ProductNotFound,
            R::OrderNotFound] => imports::put_license;
    /// Imports or updates an order
    putOrder = PUT "/v1/orders/{orderId}" by StoreId, tag "imports",
        takes imports::OrderBody, answers 200 entitle_rules::model::Order,
        fails [T::InvalidId, R::InvalidRecord, R::AccountNotFound, R::LicenseNotFound]
        => imports::put_order;
    /// Imports or updates a contract
    putContract = PUT "/v1/contracts/{contractId}" by StoreId, tag "imports",
        takes imports::ContractBody, answers 200 entitle_rules::model::Contract,
        fails [T::InvalidId, R::InvalidRecord, R::AccountNotFound, R::ProductNotFound]
        => imports::put_contract;
    /// Imports up to 1,000 records at once, all or nothing
    ///
    /// Accounts first, then products, licenses, orders and contracts, validated and written as
    /// the single PUTs do. An error names the record with the `list` and `index` members.
    importRecords = POST "/v1/imports" by StoreId, tag "imports",
        reads imports::ImportRecords, answers 200 views::ImportSummary,
        fails [T::TooManyRecords, T::BodyTooLarge, T::InvalidBody, record(T::InvalidId),
            record(R::InvalidRecord), record(R::InvalidEmail), record(R::InvalidName),
            record(R::EmailInUse), record(R::AccountNotFound), record(R::ProductNotFound),
            record(R::OrderNotFound), record(R::LicenseNotFound)] => imports::bulk;
    /// Reports a project's device state: servers and panels must be off before a transfer
    patchProjectRuntime = PATCH "/v1/projects/{projectId}/runtime" by StoreId, tag "transfers",
        takes records::RuntimeBody, answers 200 entitle_rules::model::Project,
        fails [R::ProjectNotFound] => records::patch_runtime;
    /// Whether the caller may take an action on a resource
    ///
    /// The same decision the npm package gives on the caller's snapshot; a denial is an answer.
    authorize = POST "/v1/authorize" by Session, tag "access",
        takes records::AuthorizeBody, answers 200 entitle_rules::Decision,
        fails [T::UnknownAction, T::ActionResourceMismatch] => records::authorize_call;
    /// The caller's access snapshot, for the npm package's `new Access(...)`
    getAccess = GET "/v1/me/access" by Session, tag "access", query AccessQuery,
        answers 200 views::AccessSnapshot, with etag,
        fails [T::InvalidQuery, T::InvalidResource, T::TooManyResources, T::SnapshotTooLarge]
        => records::me_access;
    /// The caller's access snapshot, signed, for a backend to decide on with no call to entitle
    ///
    /// The snapshot of `GET /v1/me/access` (the same `resource` parameters scope it), with
    /// `storeId`, `keyId`, `issuedAt` and `expiresAt` (15 minutes later), as JSON, signed with
    /// Ed25519 by the key `keyId` of `GET /v1/keys`; the signature is over the JSON's bytes.
    /// `Access.fromSigned(answer, keys, now)` of the npm package checks and loads it.
    getSignedAccess = GET "/v1/me/access/signed" by Session, tag "access", query AccessQuery,
        answers 200 signed::SignedAnswer,
        fails [T::InvalidQuery, T::InvalidResource, T::TooManyResources, T::SnapshotTooLarge]
        => signed::signed;
    /// The public keys of signed snapshots: a JWK set (RFC 8037), cached 5 minutes
    ///
    /// Keys rotate: a key is listed before it signs, and a retired key stays listed until
    /// every snapshot it signed has expired (15 minutes after it stopped signing).
    getKeys = GET "/v1/keys" by Public, tag "access",
        answers 200 crate::signing::JwkSet, fails [] => signed::keys;
    /// Live changes of the caller's access: a WebSocket that says when to fetch the snapshot again
    ///
    /// Browsers offer the session token as the subprotocol `entitle.<token>`
    /// (`new WebSocket(url, ["entitle." + token])`), which the answer echoes; servers may send
    /// `Authorization: Bearer <token>` instead. A token in the URL is refused (400
    /// `token_in_url`), and a request that is not a WebSocket upgrade gets 426
    /// `upgrade_required`, both before any upgrade. Once open, the server sends
    /// `{"type": "changed", "at": "<RFC 3339>"}` within a second of every committed change to
    /// the caller's access (a share, unshare, revocation, accepted transfer, re-import), and
    /// nothing for other accounts' changes. With `since` (the `at` of the snapshot the page
    /// holds) a change missed while disconnected is sent at once. The client sends nothing but
    /// `ping` (answered `pong`); other messages count against a limit of 10 per 10 seconds of
    /// at most 256 bytes each, past which the socket is closed (1008, 1009). An account keeps
    /// at most 16 sockets open in its store: one more is refused (429 `too_many_sockets`).
    watchAccess = GET "/v1/me/access/live" by crate::live::LiveSession, tag "access",
        query crate::live::LiveQuery, answers 101 crate::live::Upgrade,
        fails [T::UpgradeRequired, T::TokenInUrl, T::InvalidQuery, T::TooManySockets]
        => crate::live::connect;
    /// The contracts the caller owns or is a delegate on
    listContracts = GET "/v1/contracts" by Session, tag "delegates", query PageQuery,
        answers 200 views::ContractPage, fails [] => contracts::list;
    /// One contract as the caller may see it: a delegate sees no billing
    getContract = GET "/v1/contracts/{contractId}" by Session, tag "delegates",
        answers 200 entitle_rules::access::ContractView, fails [R::ContractNotFound]
        => contracts::get;
    /// Invites a delegate by e-mail to a subscription contract (the client only)
    ///
    /// The accept token goes to the store in the `delegate.invited` event, never to the client.
    /// With `startsAt` and `expiresAt` the invitation offers access for a time: the delegate has
    /// it from the later of `startsAt` and its acceptance until `expiresAt`, and accepting
    /// after `expiresAt` is refused (410 `invitation_window_ended`). The answer's `expiresAt` is
    /// when the link stops working; `accessStartsAt` and `accessExpiresAt` are the window.
    inviteDelegate = POST "/v1/contracts/{contractId}/delegates" by Session, tag "delegates",
        takes contracts::InviteBody, answers 201 views::InvitationAnswer,
        fails [R::ContractNotFound, Denied(Reason::DelegateActionForbidden),
            Denied(Reason::ContractNotSubscription), R::ContractNotSubscription,
            R::InvalidEmail, R::CannotInviteSelf, R::AlreadyDelegate, R::InvitationPending,
            R::InviteeNotFound, R::InvalidWindow] => contracts::invite;
    /// A contract's delegates and pending invitations (the client only)
    listDelegates = GET "/v1/contracts/{contractId}/delegates" by Session, tag "delegates",
        answers 200 entitle_rules::access::DelegatesView,
        fails [R::ContractNotFound, Denied(Reason::DelegateActionForbidden),
            Denied(Reason::ContractNotSubscription)] => contracts::delegates;
    /// Revokes a delegate at once (one whose window has not started yet too)
    revokeDelegate = DELETE "/v1/contracts/{contractId}/delegates/{accountId}" by Session,
        tag "delegates", answers 204 crate::http::NoContent,
        fails [R::ContractNotFound, R::DelegateNotFound, Denied(Reason::DelegateActionForbidden),
            Denied(Reason::ContractNotSubscription)] => contracts::revoke;
    /// Changes the window of a delegation (the client only): extends it, ends it earlier, lifts
    /// its end (`null`), or moves its start while it has not started
    ///
    /// A field left out keeps its value. An ended delegation is over: 409 `grant_expired`
    /// (invite again). Writes `delegate.updated`.
    updateDelegate = PATCH "/v1/contracts/{contractId}/delegates/{accountId}" by Session,
        tag "delegates", takes projects::WindowBody, answers 200 entitle_rules::access::DelegateView,
        fails [R::ContractNotFound, R::DelegateNotFound, R::GrantExpired, R::InvalidWindow,
            Denied(Reason::DelegateActionForbidden)] => contracts::update_delegate;
    /// Cancels a pending invitation
    cancelInvitation = DELETE "/v1/contracts/{contractId}/invitations/{invitationId}" by Session,
        tag "delegates", answers 204 crate::http::NoContent,
        fails [R::ContractNotFound, R::InvitationNotFound, R::InvitationNotPending,
            Denied(Reason::DelegateActionForbidden), Denied(Reason::ContractNotSubscription)]
        => contracts::cancel;
    /// Resends an invitation with a new token and expiry
    resendInvitation = POST "/v1/contracts/{contractId}/invitations/{invitationId}/resend"
        by Session, tag "delegates", answers 200 views::InvitationAnswer,
        fails [R::ContractNotFound, R::InvitationNotFound, R::InvitationNotPending,
            R::AlreadyDelegate, R::ContractNotSubscription, R::GrantExpired,
            Denied(Reason::DelegateActionForbidden), Denied(Reason::ContractNotSubscription)]
        => contracts::resend;
    /// Accepts an invitation with the token from its link, sent in the body
    acceptInvitation = POST "/v1/invitations/accept" by Session, tag "delegates",
        takes contracts::AcceptBody, answers 200 views::DelegateAnswer,
        fails [R::InvitationNotFound, R::InvitationExpired, R::InvitationCancelled,
            R::InvitationAlreadyUsed, R::InvitationWrongAccount, R::AlreadyDelegate,
            R::InvitationWindowEnded] => contracts::accept_body;
    /// Accepts an invitation with the token in the path (kept for older links)
    acceptInvitationByPath = POST "/v1/invitations/{token}/accept" by Session, tag "delegates",
        answers 200 views::DelegateAnswer,
        fails [R::InvitationNotFound, R::InvitationExpired, R::InvitationCancelled,
            R::InvitationAlreadyUsed, R::InvitationWrongAccount, R::AlreadyDelegate,
            R::InvitationWindowEnded] => contracts::accept_path;
    /// Requests a provisioning action on a contract (client or delegate)
    requestProvisioning = POST "/v1/contracts/{contractId}/provisioning" by Session,
        tag "delegates", takes contracts::ProvisionBody, answers 202 views::ProvisioningAnswer,
        fails [R::ContractNotFound, R::InvalidProvisioningAction,
            Denied(Reason::DelegateActionForbidden)] => contracts::provision;
    /// Opens a support ticket on a contract (client or delegate)
    createTicket = POST "/v1/contracts/{contractId}/tickets" by Session, tag "delegates",
        takes contracts::TicketBody, answers 201 entitle_rules::model::Ticket,
        fails [R::ContractNotFound, R::InvalidText, R::InvalidName,
            Denied(Reason::DelegateActionForbidden)] => contracts::create_ticket;
    /// A contract's tickets: a delegate sees those from when it was added
    listTickets = GET "/v1/contracts/{contractId}/tickets" by Session, tag "delegates",
        query PageQuery, answers 200 views::TicketPage, fails [R::ContractNotFound]
        => contracts::tickets;
    /// Creates a production project
    createProject = POST "/v1/projects" by Session, tag "sharing",
        takes projects::CreateBody, answers 201 views::CreatedProject,
        fails [R::InvalidName, R::UnknownActor, Denied(Reason::UnknownActor)]
        => projects::create;
    /// The projects the caller owns or that are shared with it
    listProjects = GET "/v1/projects" by Session, tag "sharing", query PageQuery,
        answers 200 views::ProjectPage, fails [] => projects::list;
    /// Shares a project by e-mail (owner); it appears for the recipient at once
    ///
    /// With `startsAt` and `expiresAt` the share lasts a time: the recipient has the project
    /// from `startsAt` until `expiresAt`, and from the end it is as unshared (every license it
    /// assigned is off the project). A share whose window has ended may be given again.
    shareProject = POST "/v1/projects/{projectId}/shares" by Session, tag "sharing",
        takes projects::ShareBody, answers 201 views::ShareView,
        fails [R::ProjectNotFound, Denied(Reason::ShareRecipientForbidden),
            Denied(Reason::EndUserCannotModify), R::AlreadyShared, R::CannotShareWithSelf,
            R::RecipientNotFound, R::InvalidEmail, R::InvalidWindow] => projects::share;
    /// Changes the window of a share (owner): extends it, ends it earlier, lifts its end
    /// (`null`), or moves its start while it has not started
    ///
    /// A field left out keeps its value; the recipient's licenses on the project follow the
    /// share's end. An ended share is over: 409 `grant_expired` (share again). Writes
    /// `share.updated`.
    updateShare = PATCH "/v1/projects/{projectId}/shares/{accountId}" by Session, tag "sharing",
        takes projects::WindowBody, answers 200 views::ShareView,
        fails [R::ProjectNotFound, R::ShareNotFound, R::GrantExpired, R::InvalidWindow,
            Denied(Reason::ShareRecipientForbidden), Denied(Reason::EndUserCannotModify)]
        => projects::update_share;
    /// Unshares a project: it leaves the recipient's account with every license it assigned
    unshareProject = DELETE "/v1/projects/{projectId}/shares/{accountId}" by Session,
        tag "sharing", answers 204 crate::http::NoContent,
        fails [R::ProjectNotFound, R::ShareNotFound, Denied(Reason::ShareRecipientForbidden),
            Denied(Reason::EndUserCannotModify)] => projects::unshare;
    /// Assigns one of the caller's licenses to a project it owns or that is shared with it
    assignLicense = POST "/v1/projects/{projectId}/licenses" by Session, tag "sharing",
        takes projects::AssignBody, answers 201 entitle_rules::model::License,
        fails [R::ProjectNotFound, R::LicenseNotFound, R::LicenseExpired,
            R::LicenseAlreadyAssigned, R::PrimaryLicenseRequired,
            Denied(Reason::ShareRecipientForbidden)] => projects::assign;
    /// The licenses on a project: the owner sees all, a recipient its own
    listProjectLicenses = GET "/v1/projects/{projectId}/licenses" by Session, tag "sharing",
        query PageQuery, answers 200 views::ProjectLicensePage, fails [R::ProjectNotFound]
        => projects::licenses;
    /// Takes a license off a project
    unassignLicense = DELETE "/v1/projects/{projectId}/licenses/{licenseKey}" by Session,
        tag "sharing", answers 204 crate::http::NoContent,
        fails [R::ProjectNotFound, R::LicenseNotOnProject, R::LicenseNotFound,
            Denied(Reason::ShareRecipientForbidden)] => projects::unassign;
    /// Asks to transfer a project with its licenses; nothing moves until the recipient accepts
    transferProject = POST "/v1/projects/{projectId}/transfer" by Session, tag "transfers",
        takes transfers::TransferBody, answers 201 views::TransferAnswer,
        fails [R::ProjectNotFound, R::RecipientNotFound, R::RecipientKindNotAllowed,
            R::CannotTransferToSelf, R::ServerActive, R::PanelsActive, R::TransferPending,
            R::InvalidEmail, Denied(Reason::ShareRecipientForbidden),
            Denied(Reason::EndUserCannotModify)] => projects::transfer_project;
    /// Transfers a whole order to a partner, recurring fees included (partners only)
    transferOrder = POST "/v1/orders/{orderId}/transfer" by Session, tag "sharing",
        takes transfers::TransferBody, answers 200 views::OrderTransferred,
        fails [R::OrderNotFound, R::RecipientNotFound, R::RecipientKindNotAllowed,
            R::CannotTransferToSelf, R::InvalidEmail, Denied(Reason::NotOrderOwner),
            Denied(Reason::PartnerOnly)] => projects::transfer_order;
    /// Creates a customer account managed by the calling reseller
    createCustomer = POST "/v1/customers" by Session, tag "resellers",
        takes reseller::CustomerBody, answers 201 views::CustomerAnswer,
        fails [R::ResellerOnly, R::InvalidEmail, R::InvalidName, R::EmailInUse]
        => reseller::create_customer;
    /// The calling reseller's customers
    listCustomers = GET "/v1/customers" by Session, tag "resellers", query PageQuery,
        answers 200 views::CustomerPage, fails [R::ResellerOnly] => reseller::customers;
    /// Creates licenses for a customer: one per unit, at most 10 unpaid per reseller
    createLicenses = POST "/v1/licenses" by Session, tag "resellers",
        takes entitle_rules::NewLicenses, answers 201 views::CreatedLicenses,
        fails [R::ResellerOnly, R::CustomerNotFound, R::ProductNotFound, R::InvalidQuantity,
            R::InvalidText, R::UnpaidLimitReached, R::PrimaryLicenseRequired]
        => reseller::create_licenses;
    /// The caller's licenses and, for a reseller, its customers' with its notes
    listLicenses = GET "/v1/licenses" by Session, tag "resellers", query PageQuery,
        answers 200 views::LicensePage, fails [] => reseller::licenses;
    /// Sets whether the customer paid for a license the caller resold
    updateLicensePayment = PATCH "/v1/licenses/{licenseKey}" by Session, tag "resellers",
        takes reseller::PaymentBody, answers 200 entitle_rules::model::License,
        fails [R::LicenseNotFound, R::ResellerOnly, R::UnpaidLimitReached,
            Denied(Reason::NotLicenseReseller)] => reseller::update_payment;
    /// Asks to transfer an unused license; nothing moves until the recipient accepts
    transferLicense = POST "/v1/licenses/{licenseKey}/transfer" by Session, tag "transfers",
        takes transfers::TransferBody, answers 201 views::TransferAnswer,
        fails [R::LicenseNotFound, R::LicenseInUse, R::RecipientNotFound,
            R::CannotTransferToSelf, R::TransferPending, R::InvalidEmail,
            Denied(Reason::NotLicenseOwner), Denied(Reason::LicenseInUse),
            Denied(Reason::TransferPending)] => transfers::request_license;
    /// Transfers the caller requested, sends or receives
    listTransfers = GET "/v1/transfers" by Session, tag "transfers", query PageQuery,
        answers 200 views::TransferPage, fails [] => transfers::list;
    /// Accepts a transfer (the recipient): only now does anything move
    acceptTransfer = POST "/v1/transfers/{transferId}/accept" by Session, tag "transfers",
        answers 200 views::TransferAnswer,
        fails [R::TransferNotFound, R::NotTransferRecipient, R::TransferExpired,
            R::TransferCancelled, R::TransferAlreadyAccepted, R::LicenseInUse, R::ServerActive,
            R::PanelsActive, R::RecipientKindNotAllowed, R::OwnerNotFound]
        => transfers::accept;
    /// Cancels a pending transfer (the requester, the owner, or the recipient declining)
    cancelTransfer = POST "/v1/transfers/{transferId}/cancel" by Session, tag "transfers",
        answers 200 views::TransferAnswer,
        fails [R::TransferNotFound, R::NotTransferRequester, R::TransferExpired,
            R::TransferCancelled, R::TransferAlreadyAccepted] => transfers::cancel;
}

/// The route that serves `method` on `path`, with its path parameters: the first declared that
/// fits (a literal segment is declared before a parameter that would also fit it).
pub fn find(method: &str, path: &str) -> Option<(&'static Route, Params)> {
    ROUTES
        .iter()
        .filter(|route| route.method == method)
        .find_map(|route| Some((route, matches(route.pattern, path)?)))
}

/// The methods served on `path`, for `Allow`; empty when no route has this path.
pub fn methods_on(path: &str) -> Vec<&'static str> {
    ROUTES
        .iter()
        .filter(|route| matches(route.pattern, path).is_some())
        .map(|route| route.method)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// How many routes the table declares; a route added or removed changes it on purpose.
    const ROUTE_COUNT: usize = 56;

    /// `pattern` with every parameter filled in.
    fn sample(pattern: &str) -> String {
        pattern
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "x-1"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    #[test]
    fn every_route_is_found_for_its_own_path_and_method() {
        let mut seen = 0;
        for route in ROUTES {
            let path = sample(route.pattern);
            let (found, params) = find(route.method, &path).expect("a route for its own path");
            assert_eq!(found.operation, route.operation, "{} {path}", route.method);
            assert_eq!(params.len(), route.pattern.matches('{').count());
            assert!(params.iter().all(|p| p == "x-1"));
            assert!(methods_on(&path).contains(&route.method));
            seen += 1;
        }
        assert_eq!(seen, ROUTE_COUNT);
    }

    #[test]
    fn no_two_routes_share_a_method_and_pattern_or_an_operation() {
        let pairs: BTreeSet<_> = ROUTES.iter().map(|r| (r.method, r.pattern)).collect();
        let operations: BTreeSet<_> = ROUTES.iter().map(|r| r.operation).collect();
        assert_eq!(pairs.len(), ROUTE_COUNT);
        assert_eq!(operations.len(), ROUTE_COUNT);
        assert!(ROUTES.iter().all(|r| r.pattern.starts_with("/v1/")));
    }

    #[test]
    fn a_path_no_route_has_finds_nothing_and_no_methods() {
        for path in ["/", "/v1", "/v1/nothing", "/v1/projects/", "/v1//licenses"] {
            assert!(find("GET", path).is_none(), "{path}");
            assert!(methods_on(path).is_empty(), "{path}");
        }
        // A served path with another method: not found for it, its methods listed for `Allow`.
        assert!(find("DELETE", "/v1/openapi.json").is_none());
        assert_eq!(methods_on("/v1/openapi.json"), ["GET"]);
    }

    #[test]
    fn a_literal_segment_wins_over_a_parameter_declared_after_it() {
        let (route, params) = find("GET", "/v1/me/access/signed").expect("the signed snapshot");
        assert_eq!(route.operation, "getSignedAccess");
        assert!(params.is_empty());
    }
}
