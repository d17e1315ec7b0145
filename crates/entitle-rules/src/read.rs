//! What a decision reads, declared by the rules themselves.
//!
//! The rules never iterate a whole store. Every record they consult is reached through a
//! [`Read`]: one record by its key ("the license `K`"), or the records of one indexed relation
//! ("the shares of project `P`", "the unpaid licenses reseller `R` created"). Each record type is
//! declared once in the registry below ([`Record`]: table, key, indexed columns), and a read is
//! a lookup on it ([`Read::lookup`]), so a store can load exactly what a decision needs with
//! point or indexed queries, generically, and guard exactly those rows when it commits.
//!
//! A [`State`](crate::State) loaded by a store is *partial*: it knows which reads it holds. When
//! the rules consult a read it does not hold, the state records it as missing and answers as if
//! nothing matched; the store then loads the missing reads and asks again, until nothing is
//! missing ([`State::missing`](crate::State::missing)). A state built whole (tests, the npm
//! package's snapshot) is *complete* and records nothing.

use crate::ids::{
    AccountId, CompanyId, ContractId, InvitationId, LicenseKey, OrderId, ProductId, ProjectId,
    TicketId, TransferId,
};
use crate::model::{
    Account, Contract, Delegate, Invitation, License, Order, Product, Project, Share, Ticket,
    Transfer, TransferSubject,
};
use crate::text::Email;
#[cfg(feature = "partial")]
use std::cell::RefCell;
#[cfg(feature = "partial")]
use std::collections::{BTreeMap, BTreeSet};
#[cfg(feature = "partial")]
use std::rc::Rc;

/// How one record type is stored: its table, its key columns and its other indexed columns.
/// Every column holds text (or null); the record itself is stored whole as JSON beside them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Table {
    /// The table's name.
    pub name: &'static str,
    /// The columns of its primary key (after the store id), in order.
    pub key: &'static [&'static str],
    /// The other columns reads filter on.
    pub indexed: &'static [&'static str],
    /// Values of the stored record that a read plan follows to other records without filtering
    /// on them (so they need no column of their own): their names and where they are in the
    /// stored JSON ([`crate::plan`]).
    pub follows: &'static [Follow],
    /// Whether removed rows stay as tombstones (`deleted = 1`) whose version keeps counting, so
    /// a row removed and written again never shows a version a guard has seen before.
    pub tombstones: bool,
}

/// A value of a stored record that a read plan may follow, found in the record's JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Follow {
    /// Its name, as [`Record::values`] knows it.
    pub name: &'static str,
    /// Its JSON path in the stored record, such as `$.productId`.
    pub path: &'static str,
    /// Whether it is a list of values (such as an order's license keys) rather than one.
    pub many: bool,
}

impl Table {
    /// Whether `name` is one of the table's stored columns (key or indexed).
    pub fn stores(&self, name: &str) -> bool {
        self.key.contains(&name) || self.indexed.contains(&name)
    }

    /// The followed value called `name`, if the table has one.
    pub fn follow(&self, name: &str) -> Option<&'static Follow> {
        self.follows.iter().find(|f| f.name == name)
    }
}

/// A record type of the registry: where it is stored and the value of each stored column.
pub trait Record: Clone {
    /// Its table.
    const TABLE: Table;

    /// The value of a key or indexed column of [`Self::TABLE`], or of a single followed value;
    /// `None` for null.
    fn column(&self, name: &str) -> Option<String>;

    /// Every value of a column or followed value: one (or none, for null), or the items of a
    /// followed list.
    fn values(&self, name: &str) -> Vec<String> {
        self.column(name).into_iter().collect()
    }

    /// Its key: the key columns' values joined by `\u{1f}`.
    fn key(&self) -> String {
        Self::TABLE
            .key
            .iter()
            .map(|c| self.column(c).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\u{1f}")
    }
}

/// The `subject` column of a transfer: `license:<key>` or `project:<id>`.
pub fn subject_column(subject: &TransferSubject) -> String {
    match subject {
        TransferSubject::License { license_key } => format!("license:{license_key}"),
        TransferSubject::Project { project_id } => format!("project:{project_id}"),
    }
}

/// One fact a decision reads: a record by key, or the records of one indexed relation.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Read {
    /// The account with this id.
    Account(AccountId),
    /// The account with this e-mail address.
    AccountByEmail(Email),
    /// The product with this id.
    Product(ProductId),
    /// The license with this key.
    License(LicenseKey),
    /// The order with this id.
    Order(OrderId),
    /// The project with this id.
    Project(ProjectId),
    /// The share of a project with an account.
    Share(ProjectId, AccountId),
    /// The contract with this id.
    Contract(ContractId),
    /// The delegate row of an account on a contract.
    Delegate(ContractId, AccountId),
    /// The invitation with this id.
    Invitation(InvitationId),
    /// The invitation whose token has this hash.
    InvitationByTokenHash(String),
    /// The transfer with this id.
    Transfer(TransferId),
    /// The ticket with this id.
    Ticket(TicketId),
    /// The shares of a project.
    SharesOfProject(ProjectId),
    /// The licenses on a project.
    LicensesOnProject(ProjectId),
    /// Every transfer of a license or project.
    TransfersOf(TransferSubject),
    /// The invitations of a contract.
    InvitationsOfContract(ContractId),
    /// The delegate rows of a contract.
    DelegatesOfContract(ContractId),
    /// The tickets of a contract.
    TicketsOfContract(ContractId),
    /// The unpaid licenses a reseller created (the unpaid limit).
    UnpaidLicensesBy(AccountId),
    /// The licenses an account owns of one product.
    LicensesOfOwnerAndProduct(AccountId, ProductId),
    /// The contracts an account owns (account-wide: snapshots only).
    ContractsOwnedBy(AccountId),
    /// The delegate rows of an account (account-wide: snapshots only).
    DelegationsOf(AccountId),
    /// The invitations made for an account (account-wide: snapshots only).
    InvitationsFor(AccountId),
    /// The projects an account owns (account-wide: snapshots only).
    ProjectsOwnedBy(AccountId),
    /// The shares with an account (account-wide: snapshots only).
    SharesWith(AccountId),
    /// The licenses an account owns (account-wide: snapshots only).
    LicensesOwnedBy(AccountId),
    /// The licenses a reseller created (account-wide: snapshots only).
    LicensesCreatedBy(AccountId),
    /// The accounts a reseller manages (account-wide: snapshots only).
    AccountsManagedBy(AccountId),
    /// The accounts of a company (account-wide: snapshots only).
    AccountsOfCompany(CompanyId),
    /// The orders an account owns (account-wide: snapshots only).
    OrdersOwnedBy(AccountId),
    /// The orders billed to an account (account-wide: snapshots only).
    OrdersBilledTo(AccountId),
    /// The transfers an account sends (account-wide: snapshots only).
    TransfersFrom(AccountId),
    /// The transfers an account receives (account-wide: snapshots only).
    TransfersTo(AccountId),
    /// The transfers an account requested (account-wide: snapshots only).
    TransfersRequestedBy(AccountId),
}

/// A read as a query: the rows of `table` whose columns equal the given values.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lookup {
    /// The table.
    pub table: Table,
    /// Column and value pairs, all of which must match, in column order.
    pub filters: Vec<(&'static str, String)>,
}

impl Read {
    /// The query that answers this read.
    pub fn lookup(&self) -> Lookup {
        fn on<R: Record>(filters: Vec<(&'static str, String)>) -> Lookup {
            Lookup::new(R::TABLE, filters)
        }
        fn s<T: ToString>(value: &T) -> String {
            value.to_string()
        }
        match self {
            Read::Account(id) => on::<Account>(vec![("id", s(id))]),
            Read::AccountByEmail(email) => on::<Account>(vec![("email", s(email))]),
            Read::Product(id) => on::<Product>(vec![("id", s(id))]),
            Read::License(key) => on::<License>(vec![("license_key", s(key))]),
            Read::Order(id) => on::<Order>(vec![("id", s(id))]),
            Read::Project(id) => on::<Project>(vec![("id", s(id))]),
            Read::Share(p, a) => on::<Share>(vec![("project_id", s(p)), ("account_id", s(a))]),
            Read::Contract(id) => on::<Contract>(vec![("id", s(id))]),
            Read::Delegate(c, a) => {
                on::<Delegate>(vec![("contract_id", s(c)), ("account_id", s(a))])
            }
            Read::Invitation(id) => on::<Invitation>(vec![("id", s(id))]),
            Read::InvitationByTokenHash(h) => on::<Invitation>(vec![("token_hash", h.clone())]),
            Read::Transfer(id) => on::<Transfer>(vec![("id", s(id))]),
            Read::Ticket(id) => on::<Ticket>(vec![("id", s(id))]),
            Read::SharesOfProject(p) => on::<Share>(vec![("project_id", s(p))]),
            Read::LicensesOnProject(p) => on::<License>(vec![("project_id", s(p))]),
            Read::TransfersOf(subject) => {
                on::<Transfer>(vec![("subject", subject_column(subject))])
            }
            Read::InvitationsOfContract(c) => on::<Invitation>(vec![("contract_id", s(c))]),
            Read::DelegatesOfContract(c) => on::<Delegate>(vec![("contract_id", s(c))]),
            Read::TicketsOfContract(c) => on::<Ticket>(vec![("contract_id", s(c))]),
            Read::UnpaidLicensesBy(r) => on::<License>(vec![("unpaid_by", s(r))]),
            Read::LicensesOfOwnerAndProduct(a, p) => {
                on::<License>(vec![("owner_id", s(a)), ("product_id", s(p))])
            }
            Read::ContractsOwnedBy(a) => on::<Contract>(vec![("owner_id", s(a))]),
            Read::DelegationsOf(a) => on::<Delegate>(vec![("account_id", s(a))]),
            Read::InvitationsFor(a) => on::<Invitation>(vec![("account_id", s(a))]),
            Read::ProjectsOwnedBy(a) => on::<Project>(vec![("owner_id", s(a))]),
            Read::SharesWith(a) => on::<Share>(vec![("account_id", s(a))]),
            Read::LicensesOwnedBy(a) => on::<License>(vec![("owner_id", s(a))]),
            Read::LicensesCreatedBy(a) => on::<License>(vec![("created_by", s(a))]),
            Read::AccountsManagedBy(a) => on::<Account>(vec![("managed_by", s(a))]),
            Read::AccountsOfCompany(c) => on::<Account>(vec![("company_id", s(c))]),
            Read::OrdersOwnedBy(a) => on::<Order>(vec![("owner_id", s(a))]),
            Read::OrdersBilledTo(a) => on::<Order>(vec![("billing_account_id", s(a))]),
            Read::TransfersFrom(a) => on::<Transfer>(vec![("from_id", s(a))]),
            Read::TransfersTo(a) => on::<Transfer>(vec![("to_id", s(a))]),
            Read::TransfersRequestedBy(a) => on::<Transfer>(vec![("requested_by", s(a))]),
        }
    }

    /// Whether `record` is one of the rows this read returns.
    pub fn matches<R: Record>(&self, record: &R) -> bool {
        self.lookup().matches(record)
    }
}

impl Lookup {
    /// The rows of `table` whose columns equal `filters` (put in column order here, so two
    /// lookups of the same rows are equal).
    pub fn new(table: Table, mut filters: Vec<(&'static str, String)>) -> Self {
        // An insertion sort by column: lookups filter on one or two columns, and a general
        // sort would weigh on the npm package's module for nothing.
        for i in 1..filters.len() {
            let mut j = i;
            while j > 0 && filters.get(j - 1).map(|f| f.0) > filters.get(j).map(|f| f.0) {
                filters.swap(j - 1, j);
                j -= 1;
            }
        }
        Self { table, filters }
    }

    /// Whether `record` is one of the rows this query returns.
    pub fn matches<R: Record>(&self, record: &R) -> bool {
        self.table == R::TABLE
            && (self.filters.iter())
                .all(|(column, value)| record.column(column).as_deref() == Some(value.as_str()))
    }

    /// The columns it filters on, in order.
    pub fn columns(&self) -> Vec<&'static str> {
        self.filters.iter().map(|(c, _)| *c).collect()
    }

    /// The values it filters on, in column order.
    pub fn values(&self) -> Vec<String> {
        self.filters.iter().map(|(_, v)| v.clone()).collect()
    }
}

/// The bookkeeping of a partial state: which lookups it holds, which ones the rules consulted
/// (and through which held lookup), and which ones they wanted but it lacks. It is not part of
/// the state's value: two states with the same records are equal.
///
/// A held lookup also holds every narrower one on the same table: with every share *of
/// project P* loaded, the share of P with account A is loaded too. So a state that holds
/// "the delegate rows of account A" answers "the delegate row of A on contract C" without a
/// second read, and the consulted lookup it reports for guards is the wider one it holds.
///
/// Only a store fills states lookup by lookup (the worker, and the tests of the read
/// declarations), so the bookkeeping is the `partial` feature (on by default). Without it, as
/// in the npm package, every state is complete and noting a read does nothing.
#[derive(Clone, Debug, Default)]
pub struct Reads {
    #[cfg(feature = "partial")]
    partial: bool,
    /// Held lookups: per table and filter columns, the value tuples held.
    #[cfg(feature = "partial")]
    held: BTreeMap<(Table, Vec<&'static str>), BTreeSet<Vec<String>>>,
    /// Shared by clones: a clone that applies changes for a later step still reports what it
    /// consulted and missed to the state the store fills.
    #[cfg(feature = "partial")]
    noted: Rc<RefCell<Noted>>,
}

/// What the rules consulted in a partial state.
#[cfg(feature = "partial")]
#[derive(Debug, Default)]
struct Noted {
    /// Held lookups that answered a read.
    used: BTreeSet<Lookup>,
    /// Lookups the rules wanted and the state lacks.
    missing: BTreeSet<Lookup>,
}

impl PartialEq for Reads {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl Eq for Reads {}

#[cfg(not(feature = "partial"))]
impl Reads {
    /// Notes that the rules consulted `read`: nothing to note in a complete state.
    #[inline]
    pub(crate) fn note(&self, _read: impl FnOnce() -> Read) {}

    /// Notes that the rules consulted `lookup`: nothing to note in a complete state.
    #[inline]
    pub(crate) fn note_lookup(&self, _lookup: impl FnOnce() -> Lookup) {}
}

#[cfg(feature = "partial")]
impl Reads {
    /// Bookkeeping for a state a store fills lookup by lookup.
    pub fn partial() -> Self {
        Self {
            partial: true,
            ..Self::default()
        }
    }

    /// Notes that the rules consulted `read`.
    pub(crate) fn note(&self, read: impl FnOnce() -> Read) {
        self.note_lookup(|| read().lookup());
    }

    /// Notes that the rules consulted `lookup`.
    pub(crate) fn note_lookup(&self, lookup: impl FnOnce() -> Lookup) {
        if self.partial {
            let lookup = lookup();
            let mut noted = self.noted.borrow_mut();
            match self.covering(&lookup) {
                Some(held) => noted.used.insert(held),
                None => noted.missing.insert(lookup),
            };
        }
    }

    /// The held lookup that holds every row of `lookup`: itself, or a wider one on the same
    /// table whose filters are some of its filters.
    fn covering(&self, lookup: &Lookup) -> Option<Lookup> {
        let n = lookup.filters.len();
        // Every non-empty subset of the filters, the whole set first (filters are one or two).
        (1..(1u32 << n)).rev().find_map(|mask| {
            let filters: Vec<(&'static str, String)> = (lookup.filters.iter().enumerate())
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, f)| f.clone())
                .collect();
            let columns: Vec<&'static str> = filters.iter().map(|(c, _)| *c).collect();
            let values: Vec<String> = filters.iter().map(|(_, v)| v.clone()).collect();
            self.held
                .get(&(lookup.table, columns))
                .filter(|held| held.contains(&values))
                .map(|_| Lookup::new(lookup.table, filters))
        })
    }

    /// Whether the state is partial.
    pub fn is_partial(&self) -> bool {
        self.partial
    }

    /// Whether the state holds every row of `lookup`.
    pub fn holds(&self, lookup: &Lookup) -> bool {
        self.covering(lookup).is_some()
    }

    /// Records that the state now holds `lookup`.
    pub fn hold(&mut self, lookup: Lookup) {
        let mut noted = self.noted.borrow_mut();
        noted.missing.remove(&lookup);
        self.held
            .entry((lookup.table, lookup.columns()))
            .or_default()
            .insert(lookup.values());
    }

    /// Takes the lookups the rules wanted and the state lacks.
    pub fn take_missing(&self) -> BTreeSet<Lookup> {
        std::mem::take(&mut self.noted.borrow_mut().missing)
    }

    /// The held lookups that answered the rules' reads so far: what a decision relied on.
    pub fn used(&self) -> BTreeSet<Lookup> {
        self.noted.borrow().used.clone()
    }
}
