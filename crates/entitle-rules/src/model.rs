//! The records the rules reason about. Field names serialize in camelCase; these shapes are
//! what the npm package receives and what scenario files are written in.

use crate::ids::{
    AccountId, CompanyId, ContractId, InvitationId, LicenseKey, OrderId, ProductId, ProjectId,
    TicketId, TransferId,
};
use crate::text::Email;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

named! {
    /// What sort of account this is. It decides who may resell, transfer orders, or receive projects.
    pub enum AccountKind {
        /// An ordinary buyer.
        Customer = "customer",
        /// A partner: may resell and may transfer whole orders.
        Partner = "partner",
        /// A reseller: creates customer accounts and licenses for them.
        Reseller = "reseller",
        /// An integrator: may receive server and lite projects.
        Integrator = "integrator",
        /// A do-it-yourself account: may receive server and lite projects.
        Diy = "diy",
        /// An end user: may receive serverless pro projects, invite users to them, not modify them.
        EndUser = "end_user",
    }
}

impl AccountKind {
    /// Whether this kind may create customers and licenses for them.
    pub fn resells(self) -> bool {
        matches!(self, Self::Reseller | Self::Partner)
    }
}

named! {
    /// An account's place in its company.
    pub enum CompanyRole {
        /// Acts for the company: may transfer its employees' licenses.
        Admin = "admin",
        /// Works for the company; its licenses belong to the company.
        Employee = "employee",
    }
}

named! {
    /// One-off purchase or recurring subscription.
    pub enum Billing {
        /// A subscription that renews.
        Recurring = "recurring",
        /// A single purchase.
        OneOff = "one_off",
    }
}

impl Billing {
    /// `Recurring` when `recurring`, else `OneOff`.
    pub fn from_recurring(recurring: bool) -> Self {
        if recurring {
            Self::Recurring
        } else {
            Self::OneOff
        }
    }

    /// Whether it renews.
    pub fn is_recurring(self) -> bool {
        self == Self::Recurring
    }
}

/// Serde for a [`Billing`] written as the boolean `recurring`, as orders are.
pub mod recurring_flag {
    use super::Billing;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `true` for a recurring billing.
    pub fn serialize<S: Serializer>(billing: &Billing, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bool(billing.is_recurring())
    }

    /// Reads `true` as a recurring billing.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Billing, D::Error> {
        bool::deserialize(deserializer).map(Billing::from_recurring)
    }
}

/// An account's place in a company: which company, and its role there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    /// The company.
    pub company_id: CompanyId,
    /// Its role in that company.
    pub role: CompanyRole,
}

impl Membership {
    /// The membership that a company id and a role, given apart, describe: both or neither.
    pub fn from_parts(
        company_id: Option<CompanyId>,
        role: Option<CompanyRole>,
    ) -> Result<Option<Self>, &'static str> {
        match (company_id, role) {
            (Some(company_id), Some(role)) => Ok(Some(Self { company_id, role })),
            (None, None) => Ok(None),
            _ => Err("`companyId` and `companyRole` go together"),
        }
    }
}

/// An account of the store. entitle never sees passwords: the store vouches for its users.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(as = "AccountRecord"))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "AccountRecord", into = "AccountRecord")]
pub struct Account {
    /// The account's id.
    pub id: AccountId,
    /// Its e-mail address, unique within the store.
    pub email: Email,
    /// Its display name.
    pub name: String,
    /// What sort of account it is.
    pub kind: AccountKind,
    /// The company it belongs to and its role there, if any.
    pub company: Option<Membership>,
    /// The reseller or partner that created and manages it.
    pub managed_by: Option<AccountId>,
}

/// The JSON form of an [`Account`]: the membership as two fields that go together.
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct AccountRecord {
    /// The account's id.
    pub(crate) id: AccountId,
    /// Its e-mail address, unique within the store.
    pub(crate) email: Email,
    /// Its display name.
    pub(crate) name: String,
    /// What sort of account it is.
    pub(crate) kind: AccountKind,
    /// The company it belongs to, if any; with `companyRole`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) company_id: Option<CompanyId>,
    /// Its role in that company; with `companyId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) company_role: Option<CompanyRole>,
    /// The reseller or partner that created and manages it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) managed_by: Option<AccountId>,
}

impl From<Account> for AccountRecord {
    fn from(account: Account) -> Self {
        let (company_id, company_role) = match account.company {
            Some(Membership { company_id, role }) => (Some(company_id), Some(role)),
            None => (None, None),
        };
        Self {
            id: account.id,
            email: account.email,
            name: account.name,
            kind: account.kind,
            company_id,
            company_role,
            managed_by: account.managed_by,
        }
    }
}

impl TryFrom<AccountRecord> for Account {
    type Error = &'static str;

    fn try_from(record: AccountRecord) -> Result<Self, Self::Error> {
        Ok(Self {
            company: Membership::from_parts(record.company_id, record.company_role)?,
            id: record.id,
            email: record.email,
            name: record.name,
            kind: record.kind,
            managed_by: record.managed_by,
        })
    }
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

named! {
    /// Permanent or trial.
    #[derive(Default)]
    pub enum LicenseType {
        /// Never expires.
        #[default]
        Permanent = "permanent",
        /// Expires 14 days after creation (30 for `prestashop` products).
        Trial = "trial",
    }
}

named! {
    /// Primary or additional. An additional license needs a primary license of the same product.
    #[derive(Default)]
    pub enum LicenseTier {
        /// A license the customer can use on its own.
        #[default]
        Primary = "primary",
        /// An extra license on top of a primary one.
        Additional = "additional",
    }
}

/// Where a license is used: the project it is on, and who put it there when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// The project.
    pub project_id: ProjectId,
    /// Who assigned it: the project's owner or a recipient of the project.
    pub assigned_by: AccountId,
    /// When.
    pub assigned_at: Timestamp,
    /// When it leaves the project by itself: the end of the window of the share through which
    /// a recipient assigned it; none for the owner's own assignments and shares with no end.
    pub until: Option<Timestamp>,
}

impl Assignment {
    /// Whether it still holds at `now`: from its `until` on, the license is off the project in
    /// every decision and view, as if its share had been removed.
    pub fn holds_at(&self, now: Timestamp) -> bool {
        self.until.is_none_or(|until| now < until)
    }
}

/// What a reseller recorded about a license it created for a customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resale {
    /// The reseller (or partner) that created it.
    pub reseller_id: AccountId,
    /// When it was created.
    pub created_at: Timestamp,
    /// The reseller's private notes; never shown to the owner.
    pub reseller_notes: Option<String>,
    /// Details the reseller wrote for the customer; visible to the owner.
    pub customer_details: Option<String>,
    /// When the customer paid the reseller; `None` while unpaid.
    pub paid_at: Option<Timestamp>,
}

impl Resale {
    /// Whether the customer has paid the reseller.
    pub fn is_paid(&self) -> bool {
        self.paid_at.is_some()
    }
}

/// A license: one unit of a product, owned by one account, on at most one project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(as = "LicenseRecord"))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "LicenseRecord", into = "LicenseRecord")]
pub struct License {
    /// The license key.
    pub license_key: LicenseKey,
    /// The licensed product.
    pub product_id: ProductId,
    /// The account that owns it.
    pub owner_id: AccountId,
    /// The order it was bought in, if any.
    pub order_id: Option<OrderId>,
    /// Permanent or trial.
    pub license_type: LicenseType,
    /// Primary or additional.
    pub tier: LicenseTier,
    /// When it stops working, for trials.
    pub expires_at: Option<Timestamp>,
    /// Whether it is activated on a server or device (reported by the store).
    pub activated: bool,
    /// The project it is on, if any.
    pub assignment: Option<Assignment>,
    /// What its reseller recorded, for a license a reseller created.
    pub resale: Option<Resale>,
}

/// The JSON form of a [`License`]: the assignment and the resale as flat fields that go
/// together.
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct LicenseRecord {
    /// The license key.
    pub(crate) license_key: LicenseKey,
    /// The licensed product.
    pub(crate) product_id: ProductId,
    /// The account that owns it.
    pub(crate) owner_id: AccountId,
    /// The order it was bought in, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) order_id: Option<OrderId>,
    /// Permanent or trial.
    #[serde(default)]
    pub(crate) license_type: LicenseType,
    /// Primary or additional.
    #[serde(default)]
    pub(crate) tier: LicenseTier,
    /// When it stops working, for trials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) expires_at: Option<Timestamp>,
    /// Whether it is activated on a server or device (reported by the store).
    #[serde(default)]
    pub(crate) activated: bool,
    /// The project it is assigned to; with `assignedBy` and `assignedAt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) project_id: Option<ProjectId>,
    /// Who assigned it to that project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) assigned_by: Option<AccountId>,
    /// When it was assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) assigned_at: Option<Timestamp>,
    /// When it leaves the project by itself: the end of the window of the share through which a
    /// recipient assigned it. Only with `projectId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) assigned_until: Option<Timestamp>,
    /// The reseller that created it, for reseller licenses; with `createdAt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) created_by: Option<AccountId>,
    /// When it was created, for reseller licenses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) created_at: Option<Timestamp>,
    /// The reseller's private notes; never shown to the owner. Reseller licenses only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) reseller_notes: Option<String>,
    /// Details the reseller wrote for the customer; visible to the owner. Reseller licenses only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) customer_details: Option<String>,
    /// Whether the customer has paid the reseller; `customerPaidAt` says when.
    #[serde(default)]
    pub(crate) customer_paid: bool,
    /// When the customer paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) customer_paid_at: Option<Timestamp>,
}

impl From<License> for LicenseRecord {
    fn from(license: License) -> Self {
        let (project_id, assigned_by, assigned_at, assigned_until) = match license.assignment {
            Some(a) => (
                Some(a.project_id),
                Some(a.assigned_by),
                Some(a.assigned_at),
                a.until,
            ),
            None => (None, None, None, None),
        };
        let resale = license.resale;
        Self {
            license_key: license.license_key,
            product_id: license.product_id,
            owner_id: license.owner_id,
            order_id: license.order_id,
            license_type: license.license_type,
            tier: license.tier,
            expires_at: license.expires_at,
            activated: license.activated,
            project_id,
            assigned_by,
            assigned_at,
            assigned_until,
            created_by: resale.as_ref().map(|r| r.reseller_id.clone()),
            created_at: resale.as_ref().map(|r| r.created_at),
            customer_paid: resale.as_ref().is_some_and(Resale::is_paid),
            customer_paid_at: resale.as_ref().and_then(|r| r.paid_at),
            reseller_notes: resale.as_ref().and_then(|r| r.reseller_notes.clone()),
            customer_details: resale.and_then(|r| r.customer_details),
        }
    }
}

impl TryFrom<LicenseRecord> for License {
    type Error = &'static str;

    fn try_from(record: LicenseRecord) -> Result<Self, Self::Error> {
        let assignment = match (record.project_id, record.assigned_by, record.assigned_at) {
            (Some(project_id), Some(assigned_by), Some(assigned_at)) => Some(Assignment {
                project_id,
                assigned_by,
                assigned_at,
                until: record.assigned_until,
            }),
            (None, None, None) if record.assigned_until.is_none() => None,
            (None, None, None) => return Err("`assignedUntil` belongs to an assignment"),
            _ => return Err("`projectId`, `assignedBy` and `assignedAt` go together"),
        };
        let paid_at = match (record.customer_paid, record.customer_paid_at) {
            (true, Some(at)) => Some(at),
            (false, None) => None,
            _ => return Err("`customerPaidAt` is given exactly when `customerPaid` is true"),
        };
        let resale = match (record.created_by, record.created_at) {
            (Some(reseller_id), Some(created_at)) => Some(Resale {
                reseller_id,
                created_at,
                reseller_notes: record.reseller_notes,
                customer_details: record.customer_details,
                paid_at,
            }),
            (None, None)
                if record.reseller_notes.is_none()
                    && record.customer_details.is_none()
                    && paid_at.is_none() =>
            {
                None
            }
            (None, None) => {
                return Err(
                    "reseller notes, customer details and payment belong to a license a reseller created (`createdBy`)",
                );
            }
            _ => return Err("`createdBy` and `createdAt` go together"),
        };
        Ok(Self {
            license_key: record.license_key,
            product_id: record.product_id,
            owner_id: record.owner_id,
            order_id: record.order_id,
            license_type: record.license_type,
            tier: record.tier,
            expires_at: record.expires_at,
            activated: record.activated,
            assignment,
            resale,
        })
    }
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
            assignment: None,
            resale: None,
        }
    }

    /// Whether the license has expired at `now`.
    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }

    /// Whether it is on a project or activated at `now`, so it cannot move alone.
    pub fn is_in_use(&self, now: Timestamp) -> bool {
        self.assignment_at(now).is_some() || self.activated
    }

    /// The project it is stored on, if any, whether or not its assignment still holds: the
    /// column the store indexes, until the sweep records the end of a window.
    pub fn project_id(&self) -> Option<&ProjectId> {
        self.assignment.as_ref().map(|a| &a.project_id)
    }

    /// Its assignment, if it holds at `now` ([`Assignment::holds_at`]).
    pub fn assignment_at(&self, now: Timestamp) -> Option<&Assignment> {
        self.assignment.as_ref().filter(|a| a.holds_at(now))
    }

    /// The project it is on at `now`, if any.
    pub fn project_at(&self, now: Timestamp) -> Option<&ProjectId> {
        self.assignment_at(now).map(|a| &a.project_id)
    }

    /// Who put it on its project, if it is on one.
    pub fn assigned_by(&self) -> Option<&AccountId> {
        self.assignment.as_ref().map(|a| &a.assigned_by)
    }

    /// The reseller that created it, for a reseller license.
    pub fn reseller_id(&self) -> Option<&AccountId> {
        self.resale.as_ref().map(|r| &r.reseller_id)
    }

    /// Whether `reseller` created it and its customer has not paid yet.
    pub fn is_unpaid_resale_by(&self, reseller: &AccountId) -> bool {
        self.resale
            .as_ref()
            .is_some_and(|r| &r.reseller_id == reseller && !r.is_paid())
    }

    /// The same license without its reseller's private notes, for anyone but that reseller.
    pub fn without_reseller_notes(mut self) -> Self {
        if let Some(resale) = &mut self.resale {
            resale.reseller_notes = None;
        }
        self
    }

    /// Takes it off its project.
    pub(crate) fn unassign(&mut self) {
        self.assignment = None;
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
    /// Whether it carries recurring fees (`true`) or was paid once (`false`).
    #[serde(rename = "recurring", with = "recurring_flag")]
    #[cfg_attr(feature = "ts", ts(type = "boolean"))]
    #[cfg_attr(feature = "schema", schemars(with = "bool"))]
    pub billing: Billing,
}

named! {
    /// The kind of a project; it limits who may receive the project in a transfer.
    #[derive(Default)]
    pub enum ProjectKind {
        /// An ordinary production project.
        #[default]
        Standard = "standard",
        /// Runs on a server, which must be deactivated before a transfer.
        Server = "server",
        /// A lite project, whose panels must all be signed out before a transfer.
        Lite = "lite",
        /// A serverless pro project, which may also go to an end user.
        ServerlessPro = "serverless_pro",
    }
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

named! {
    /// Where a share or a delegation stands at a given time: its window (`startsAt` to
    /// `expiresAt`) against that time, or its revocation.
    pub enum GrantStatus {
        /// Its window has not started: it gives nothing yet.
        Scheduled = "scheduled",
        /// In force.
        Active = "active",
        /// Its window has ended: it gives nothing, as if it had been removed.
        Expired = "expired",
        /// Revoked by the owner (delegations only; an unshared project is simply gone).
        Revoked = "revoked",
    }
}

/// The status at `now` of a window from `start` to `end` (none: no end).
pub fn window_status(start: Timestamp, end: Option<Timestamp>, now: Timestamp) -> GrantStatus {
    if now < start {
        GrantStatus::Scheduled
    } else if end.is_some_and(|end| now >= end) {
        GrantStatus::Expired
    } else {
        GrantStatus::Active
    }
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
    /// When the recipient's access starts, if later than `sharedAt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<Timestamp>,
    /// When the recipient's access ends; none: no end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// When the store's sweep next has something to do for the window's end: a reminder 7
    /// days or 1 day before it, or recording it; none once the end is recorded, and for a
    /// window with no end (the store's bookkeeping of reminders).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_notice_at: Option<Timestamp>,
}

impl Share {
    /// When the recipient's access starts.
    pub fn start(&self) -> Timestamp {
        self.starts_at
            .map_or(self.shared_at, |s| s.max(self.shared_at))
    }

    /// Its status at `now`: scheduled, active or expired. A share whose end the sweep recorded
    /// (an end, and nothing more for the sweep to do) is expired whatever `now` says: a change
    /// decided at an earlier time and committed after the sweep cannot bring it back.
    pub fn status_at(&self, now: Timestamp) -> GrantStatus {
        if self.expires_at.is_some() && self.next_notice_at.is_none() {
            return GrantStatus::Expired;
        }
        window_status(self.start(), self.expires_at, now)
    }

    /// The instant the sweep is next due for it: none without an end, or once its end is
    /// recorded. The store indexes it (`due`).
    pub fn sweep_due(&self) -> Option<Timestamp> {
        self.expires_at.and(self.next_notice_at)
    }
}

named! {
    /// A contract's life-cycle state, as the store reports it.
    pub enum ContractStatus {
        /// Ordered, not yet running.
        Pending = "pending",
        /// Running.
        Active = "active",
        /// Stopped for now, typically for an unpaid invoice.
        Suspended = "suspended",
        /// Cancelled by the client or the store.
        Cancelled = "cancelled",
        /// Ended for good.
        Terminated = "terminated",
    }
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

named! {
    /// Whether a delegate may act.
    pub enum DelegateStatus {
        /// Accepted and not revoked.
        Active = "active",
        /// Revoked by the client; can do nothing.
        Revoked = "revoked",
        /// Its window ended (recorded by the sweep); can do nothing.
        Expired = "expired",
    }
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
    /// When its access starts, if later than `addedAt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<Timestamp>,
    /// When its access ends; none: no end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// When the store's sweep next has something to do for the window's end: a reminder 7
    /// days or 1 day before it, or recording it; none once the end is recorded, and for a
    /// window with no end (the store's bookkeeping of reminders).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_notice_at: Option<Timestamp>,
}

impl Delegate {
    /// When its access starts; it sees the contract's tickets from this moment on.
    pub fn start(&self) -> Timestamp {
        self.starts_at
            .map_or(self.added_at, |s| s.max(self.added_at))
    }

    /// Its status at `now`: revoked, or where its window stands.
    pub fn status_at(&self, now: Timestamp) -> GrantStatus {
        match self.status {
            DelegateStatus::Revoked => GrantStatus::Revoked,
            DelegateStatus::Expired => GrantStatus::Expired,
            DelegateStatus::Active => window_status(self.start(), self.expires_at, now),
        }
    }

    /// The instant the sweep is next due for it: none without an end, once its end is
    /// recorded, or once it is revoked. The store indexes it (`due`).
    pub fn sweep_due(&self) -> Option<Timestamp> {
        (self.status == DelegateStatus::Active)
            .then_some(self.expires_at.and(self.next_notice_at))
            .flatten()
    }
}

named! {
    /// Where an invitation stands.
    pub enum InvitationStatus {
        /// Waiting for the invitee.
        Pending = "pending",
        /// Accepted; its token is spent.
        Accepted = "accepted",
        /// Cancelled by the client.
        Cancelled = "cancelled",
        /// Past its expiry without being accepted.
        Expired = "expired",
    }
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
    /// When the access it offers starts, if later than its acceptance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_starts_at: Option<Timestamp>,
    /// When the access it offers ends (not `expiresAt`, when its token stops working); none:
    /// no end. Accepting after it is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_expires_at: Option<Timestamp>,
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

named! {
    /// Where a transfer stands.
    pub enum TransferStatus {
        /// Waiting for the target to accept; nothing has moved.
        Pending = "pending",
        /// Accepted: the subject moved.
        Accepted = "accepted",
        /// Cancelled by the requester.
        Cancelled = "cancelled",
        /// Past its expiry without being accepted.
        Expired = "expired",
    }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;
    use serde::de::DeserializeOwned;

    /// `json` decodes to `expected` and encodes back to the same text, or is refused with a
    /// message containing `expected`'s error.
    fn check<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
        json: &str,
        expected: Result<T, &str>,
    ) {
        let decoded = serde_json::from_str::<T>(json);
        match expected {
            Ok(value) => {
                assert_eq!(decoded.unwrap(), value);
                assert_eq!(serde_json::to_string(&value).unwrap(), json);
            }
            Err(message) => {
                let error = decoded.unwrap_err().to_string();
                assert!(error.contains(message), "{json}: {error}");
            }
        }
    }

    fn account(company: Option<Membership>) -> Account {
        Account {
            id: "a".try_into().unwrap(),
            email: Email::new("a@example.com").unwrap(),
            name: "A".into(),
            kind: AccountKind::Integrator,
            company,
            managed_by: None,
        }
    }

    #[test]
    fn account_membership_is_both_company_fields_or_neither() {
        check(
            r#"{"id":"a","email":"a@example.com","name":"A","kind":"integrator","companyId":"corp","companyRole":"admin"}"#,
            Ok(account(Some(Membership {
                company_id: "corp".try_into().unwrap(),
                role: CompanyRole::Admin,
            }))),
        );
        check(
            r#"{"id":"a","email":"a@example.com","name":"A","kind":"integrator"}"#,
            Ok(account(None)),
        );
        for half in [r#""companyId":"corp""#, r#""companyRole":"employee""#] {
            check::<Account>(
                &format!(
                    r#"{{"id":"a","email":"a@example.com","name":"A","kind":"integrator",{half}}}"#
                ),
                Err("`companyId` and `companyRole` go together"),
            );
        }
        check::<Account>(
            r#"{"id":"a","email":"a@example.com","name":"A","kind":"integrator","company":null}"#,
            Err("unknown field `company`"),
        );
    }

    fn license(assignment: Option<Assignment>, resale: Option<Resale>) -> License {
        License {
            assignment,
            resale,
            ..License::new(
                "L-1".try_into().unwrap(),
                "p".try_into().unwrap(),
                "a".try_into().unwrap(),
            )
        }
    }

    const T1: &str = "2026-01-01T00:00:00.000Z";

    #[test]
    fn license_assignment_and_resale_keep_their_flat_json_form() {
        let at = Timestamp::parse(T1).unwrap();
        check(
            r#"{"licenseKey":"L-1","productId":"p","ownerId":"a","licenseType":"permanent","tier":"primary","activated":false,"customerPaid":false}"#,
            Ok(license(None, None)),
        );
        check(
            &format!(
                r#"{{"licenseKey":"L-1","productId":"p","ownerId":"a","licenseType":"permanent","tier":"primary","activated":false,"projectId":"prj","assignedBy":"a","assignedAt":"{T1}","assignedUntil":"{T1}","createdBy":"r","createdAt":"{T1}","resellerNotes":"n","customerDetails":"d","customerPaid":true,"customerPaidAt":"{T1}"}}"#
            ),
            Ok(license(
                Some(Assignment {
                    project_id: "prj".try_into().unwrap(),
                    assigned_by: "a".try_into().unwrap(),
                    assigned_at: at,
                    until: Some(at),
                }),
                Some(Resale {
                    reseller_id: "r".try_into().unwrap(),
                    created_at: at,
                    reseller_notes: Some("n".into()),
                    customer_details: Some("d".into()),
                    paid_at: Some(at),
                }),
            )),
        );
    }

    #[test]
    fn license_refuses_half_an_assignment_or_resale_facts_without_a_reseller() {
        let base = r#""licenseKey":"L-1","productId":"p","ownerId":"a""#;
        for (fields, error) in [
            (
                r#""projectId":"prj""#.to_owned(),
                "`projectId`, `assignedBy` and `assignedAt` go together",
            ),
            (
                format!(r#""projectId":"prj","assignedAt":"{T1}""#),
                "`projectId`, `assignedBy` and `assignedAt` go together",
            ),
            (
                format!(r#""assignedUntil":"{T1}""#),
                "`assignedUntil` belongs to an assignment",
            ),
            (
                r#""createdBy":"r""#.to_owned(),
                "`createdBy` and `createdAt` go together",
            ),
            (
                r#""resellerNotes":"n""#.to_owned(),
                "belong to a license a reseller created",
            ),
            (
                format!(r#""customerPaid":true,"customerPaidAt":"{T1}""#),
                "belong to a license a reseller created",
            ),
            (
                format!(r#""createdBy":"r","createdAt":"{T1}","customerPaid":true"#),
                "`customerPaidAt` is given exactly when `customerPaid` is true",
            ),
            (
                format!(r#""createdBy":"r","createdAt":"{T1}","customerPaidAt":"{T1}""#),
                "`customerPaidAt` is given exactly when `customerPaid` is true",
            ),
        ] {
            check::<License>(&format!("{{{base},{fields}}}"), Err(error));
        }
    }

    #[test]
    fn order_billing_is_written_as_recurring() {
        let order = |billing| Order {
            id: "o".try_into().unwrap(),
            owner_id: "a".try_into().unwrap(),
            billing_account_id: "a".try_into().unwrap(),
            license_keys: vec!["L-1".try_into().unwrap()],
            billing,
        };
        check(
            r#"{"id":"o","ownerId":"a","billingAccountId":"a","licenseKeys":["L-1"],"recurring":true}"#,
            Ok(order(Billing::Recurring)),
        );
        check(
            r#"{"id":"o","ownerId":"a","billingAccountId":"a","licenseKeys":["L-1"],"recurring":false}"#,
            Ok(order(Billing::OneOff)),
        );
        check::<Order>(
            r#"{"id":"o","ownerId":"a","billingAccountId":"a","licenseKeys":["L-1"],"billing":"one_off"}"#,
            Err("unknown field `billing`"),
        );
    }
}
