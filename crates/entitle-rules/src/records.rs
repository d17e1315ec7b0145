//! The registry of record types, each declared once: its list in a [`State`], its table, its
//! key, its indexed columns and the values read plans follow, whether removed rows stay as
//! tombstones and its [`Change`]s. From this one declaration come the [`State`] struct, the
//! [`Row`] and [`Change`] enums and everything that goes through them (applying, holding,
//! loading, sorting), and the [`Record`] implementations the store's SQL is generated from.
//!
//! Adding a record type: its struct in `model`, an entry here, a migration with its table,
//! its reader in `decode` (fields), and the rules that use it.

use crate::ids::{LicenseKey, ProjectId};
use crate::index::Index;
use crate::model::{
    Account, CompanyRole, Contract, Delegate, DelegateStatus, Invitation, InvitationStatus,
    License, Order, Product, Project, Share, Ticket, Transfer, TransferStatus, TransferSubject,
};
use crate::read::{Follow, Lookup, Reads, Record, Table, subject_column};
use serde::{Deserialize, Serialize};

fn some<T: ToString>(value: &T) -> Option<String> {
    Some(value.to_string())
}

fn opt<T: ToString>(value: Option<&T>) -> Option<String> {
    value.map(ToString::to_string)
}

/// The `due` column of a grant: when the sweep is next due for its window. Only a store writes
/// and reads it, and a store loads partial states: without the `partial` feature (the npm
/// package) the column is left empty, so its code stays out of the browser's module.
#[cfg(feature = "partial")]
fn due<T>(due: fn(&T) -> Option<crate::time::Timestamp>, record: &T) -> Option<String> {
    due(record).map(|t| t.to_string())
}

#[cfg(not(feature = "partial"))]
fn due<T>(_: fn(&T) -> Option<crate::time::Timestamp>, _: &T) -> Option<String> {
    None
}

fn company_role(role: CompanyRole) -> &'static str {
    match role {
        CompanyRole::Admin => "admin",
        CompanyRole::Employee => "employee",
    }
}

fn delegate_status(status: DelegateStatus) -> &'static str {
    match status {
        DelegateStatus::Active => "active",
        DelegateStatus::Revoked => "revoked",
        DelegateStatus::Expired => "expired",
    }
}

fn invitation_status(status: InvitationStatus) -> &'static str {
    match status {
        InvitationStatus::Pending => "pending",
        InvitationStatus::Accepted => "accepted",
        InvitationStatus::Cancelled => "cancelled",
        InvitationStatus::Expired => "expired",
    }
}

fn transfer_status(status: TransferStatus) -> &'static str {
    match status {
        TransferStatus::Pending => "pending",
        TransferStatus::Accepted => "accepted",
        TransferStatus::Cancelled => "cancelled",
        TransferStatus::Expired => "expired",
    }
}

fn subject_license(transfer: &Transfer) -> Option<&LicenseKey> {
    match &transfer.subject {
        TransferSubject::License { license_key } => Some(license_key),
        TransferSubject::Project { .. } => None,
    }
}

fn subject_project(transfer: &Transfer) -> Option<&ProjectId> {
    match &transfer.subject {
        TransferSubject::Project { project_id } => Some(project_id),
        TransferSubject::License { .. } => None,
    }
}

/// A column's value from a record, as a typed function (the declaration's closures coerce).
type Column<T> = fn(&T) -> Option<String>;

/// A followed list's values from a record.
type Values<T> = fn(&T) -> Vec<String>;

macro_rules! records {
    ($(
        $(#[doc = $doc:literal])*
        $list:ident: $ty:ident in $table:literal,
            put $put:ident $put_doc:literal $(, remove $remove:ident $remove_doc:literal)? {
            key: [$($key:ident => $key_value:expr),+ $(,)?],
            indexed: [$($col:ident => $col_value:expr),* $(,)?],
            follows: [$($follow:ident at $follow_path:literal => $follow_value:expr),* $(,)?],
            lists: [$($many:ident at $many_path:literal => $many_value:expr),* $(,)?] $(,)?
        }
    )*) => {
        /// Records of one store. Missing records are simply unknown to the rules.
        #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(rename_all = "camelCase", default, deny_unknown_fields)]
        pub struct State {
            $($(#[doc = $doc])* pub $list: Vec<$ty>,)*
            /// Which reads a partial state holds; bookkeeping, not part of the value.
            #[serde(skip)]
            #[cfg_attr(feature = "ts", ts(skip))]
            pub reads: Reads,
            /// Where records are, by key, once [`State::index`] has run; bookkeeping, not part
            /// of the value.
            #[serde(skip)]
            #[cfg_attr(feature = "ts", ts(skip))]
            pub index: Index,
        }

        $(impl Record for $ty {
            const TABLE: Table = Table {
                name: $table,
                key: &[$(stringify!($key)),+],
                indexed: &[$(stringify!($col)),*],
                follows: &[
                    $(Follow { name: stringify!($follow), path: $follow_path, many: false },)*
                    $(Follow { name: stringify!($many), path: $many_path, many: true },)*
                ],
                tombstones: records!(@tombstones $($remove)?),
            };

            fn column(&self, name: &str) -> Option<String> {
                match name {
                    $(stringify!($key) => { let f: Column<$ty> = $key_value; f(self) })+
                    $(stringify!($col) => { let f: Column<$ty> = $col_value; f(self) })*
                    $(stringify!($follow) => { let f: Column<$ty> = $follow_value; f(self) })*
                    _ => None,
                }
            }

            fn values(&self, name: &str) -> Vec<String> {
                match name {
                    $(stringify!($many) => { let f: Values<$ty> = $many_value; f(self) })*
                    _ => self.column(name).into_iter().collect(),
                }
            }
        })*

        /// One stored row of any record type, as a store loads or writes it.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub enum Row {
            $($(#[doc = $doc])* $ty($ty),)*
        }

        /// One record to write (insert or update) or remove.
        #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(tag = "op", content = "record", rename_all = "camelCase")]
        pub enum Change {
            $(
                #[doc = $put_doc] $put($ty),
                $(#[doc = $remove_doc] $remove($ty),)?
            )*
        }

        impl Row {
            /// Decodes a row of `table` (its stored form, such as JSON) with `deserializer`.
            pub fn decode<'de, D: serde::Deserializer<'de>>(
                table: &str,
                deserializer: D,
            ) -> Result<Row, D::Error> {
                use serde::de::Error;
                match table {
                    $($table => Ok(Row::$ty(Deserialize::deserialize(deserializer)?)),)*
                    other => Err(D::Error::custom(format!(
                        "no record type is stored in `{other}`"
                    ))),
                }
            }

            /// Its stored form.
            pub fn serialize_record<S: serde::Serializer>(
                &self,
                serializer: S,
            ) -> Result<S::Ok, S::Error> {
                match self {
                    $(Row::$ty(r) => r.serialize(serializer),)*
                }
            }

            /// Its table.
            pub fn table(&self) -> Table {
                match self {
                    $(Row::$ty(_) => <$ty as Record>::TABLE,)*
                }
            }

            /// Its key.
            pub fn key(&self) -> String {
                match self {
                    $(Row::$ty(r) => r.key(),)*
                }
            }

            /// The value of one of its table's columns.
            pub fn column(&self, name: &str) -> Option<String> {
                match self {
                    $(Row::$ty(r) => r.column(name),)*
                }
            }

            /// Every value of one of its table's columns or followed values.
            pub fn values(&self, name: &str) -> Vec<String> {
                match self {
                    $(Row::$ty(r) => r.values(name),)*
                }
            }

            /// The lookup of this one row by its key.
            pub fn point_lookup(&self) -> Lookup {
                let table = self.table();
                let filters = (table.key.iter())
                    .map(|c| (*c, self.column(c).unwrap_or_default()))
                    .collect();
                Lookup::new(table, filters)
            }
        }

        $(impl Written for $ty {
            fn written_by(change: &Change) -> Option<&Self> {
                match change {
                    Change::$put(r) => Some(r),
                    _ => None,
                }
            }
        })*

        impl Change {
            /// The row this change writes or removes, and whether it removes it.
            pub fn row(&self) -> (Row, bool) {
                match self.clone() {
                    $(
                        Change::$put(r) => (Row::$ty(r), false),
                        $(Change::$remove(r) => (Row::$ty(r), true),)?
                    )*
                }
            }
        }

        impl State {
            /// Applies one change, as storage would.
            pub fn apply(&mut self, change: &Change) {
                self.index = Index::default();
                match change.clone() {
                    $(
                        Change::$put(r) => put(&mut self.$list, r),
                        $(Change::$remove(r) => {
                            let key = r.key();
                            self.$list.retain(|s| s.key() != key);
                        })?
                    )*
                }
            }

            /// Adds one loaded row unless the state holds it already (the first load of a row
            /// wins, so a row's content stays the one its read guard was computed from).
            #[cfg(feature = "partial")]
            pub(crate) fn hold_row(&mut self, row: Row) {
                match row {
                    $(Row::$ty(r) => hold(&mut self.$list, r),)*
                }
            }

            /// Runs `visit` on the records of the table named `name` (nothing for an unknown
            /// name).
            pub(crate) fn visit_table(&self, name: &str, visit: &mut impl TableVisit) {
                match name {
                    $($table => visit.visit(&self.$list, Row::$ty),)*
                    _ => {}
                }
            }

            /// The same records with every list in key order: one canonical form, whatever
            /// order the records were loaded in.
            pub fn canonical(mut self) -> State {
                self.index = Index::default();
                $(self.$list.sort_by_cached_key(Record::key);)*
                self
            }
        }
    };
    (@tombstones) => { false };
    (@tombstones $remove:ident) => { true };
}

/// A record type a command writes: the record a change writes, if it writes one of this type
/// (a command's answer is often the record it wrote).
pub trait Written: Sized {
    /// The record `change` puts, if it is of this type.
    fn written_by(change: &Change) -> Option<&Self>;
}

/// Something done with the records of one table, whatever their type (`row` wraps one record
/// as a [`Row`]). [`State::visit_table`] is the one place that maps a table's name to its list.
pub(crate) trait TableVisit {
    fn visit<R: Record + Clone>(&mut self, records: &[R], row: fn(R) -> Row);
}

fn put<T: Record>(records: &mut Vec<T>, record: T) {
    let key = record.key();
    match records.iter_mut().find(|existing| existing.key() == key) {
        Some(existing) => *existing = record,
        None => records.push(record),
    }
}

#[cfg(feature = "partial")]
fn hold<T: Record>(records: &mut Vec<T>, record: T) {
    let key = record.key();
    if !records.iter().any(|existing| existing.key() == key) {
        records.push(record);
    }
}

records! {
    /// Accounts.
    accounts: Account in "accounts", put PutAccount "Write an account." {
        key: [id => |r| some(&r.id)],
        indexed: [
            email => |r| some(&r.email),
            managed_by => |r| opt(r.managed_by.as_ref()),
            company_id => |r| opt(r.company.as_ref().map(|m| &m.company_id)),
        ],
        follows: [
            company_role at "$.companyRole" =>
                |r| r.company.as_ref().map(|m| company_role(m.role).to_owned()),
        ],
        lists: [],
    }
    /// Products.
    products: Product in "products", put PutProduct "Write a product." {
        key: [id => |r| some(&r.id)],
        indexed: [],
        follows: [],
        lists: [],
    }
    /// Licenses.
    licenses: License in "licenses", put PutLicense "Write a license." {
        key: [license_key => |r| some(&r.license_key)],
        indexed: [
            owner_id => |r| some(&r.owner_id),
            project_id => |r| opt(r.project_id()),
            created_by => |r| opt(r.reseller_id()),
            product_id => |r| some(&r.product_id),
            // The reseller that created it while it is unpaid: the unpaid limit's relation.
            unpaid_by => |r| opt(r.resale.as_ref().filter(|x| !x.is_paid()).map(|x| &x.reseller_id)),
        ],
        follows: [],
        lists: [],
    }
    /// Orders.
    orders: Order in "orders", put PutOrder "Write an order." {
        key: [id => |r| some(&r.id)],
        indexed: [
            owner_id => |r| some(&r.owner_id),
            billing_account_id => |r| some(&r.billing_account_id),
        ],
        follows: [],
        lists: [
            license_keys at "$.licenseKeys" =>
                |r| r.license_keys.iter().map(ToString::to_string).collect(),
        ],
    }
    /// Projects.
    projects: Project in "projects", put PutProject "Write a project." {
        key: [id => |r| some(&r.id)],
        indexed: [owner_id => |r| some(&r.owner_id)],
        follows: [],
        lists: [],
    }
    /// Project shares.
    shares: Share in "shares", put PutShare "Write a share.", remove DeleteShare "Remove a share." {
        key: [
            project_id => |r| some(&r.project_id),
            account_id => |r| some(&r.account_id),
        ],
        // When the sweep is next due for its window: what the cron looks for.
        indexed: [due => |r| due(Share::sweep_due, r)],
        follows: [],
        lists: [],
    }
    /// Contracts.
    contracts: Contract in "contracts", put PutContract "Write a contract." {
        key: [id => |r| some(&r.id)],
        indexed: [owner_id => |r| some(&r.owner_id)],
        follows: [product_id at "$.productId" => |r| some(&r.product_id)],
        lists: [],
    }
    /// Contract delegates, active or revoked.
    delegates: Delegate in "delegates", put PutDelegate "Write a delegate." {
        key: [
            contract_id => |r| some(&r.contract_id),
            account_id => |r| some(&r.account_id),
        ],
        indexed: [
            status => |r| Some(delegate_status(r.status).to_owned()),
            // When the sweep is next due for its window: what the cron looks for.
            due => |r| due(Delegate::sweep_due, r),
        ],
        follows: [],
        lists: [],
    }
    /// Delegate invitations.
    invitations: Invitation in "invitations", put PutInvitation "Write an invitation." {
        key: [id => |r| some(&r.id)],
        indexed: [
            contract_id => |r| some(&r.contract_id),
            account_id => |r| some(&r.account_id),
            email => |r| some(&r.email),
            status => |r| Some(invitation_status(r.status).to_owned()),
            token_hash => |r| Some(r.token_hash.clone()),
        ],
        follows: [],
        lists: [],
    }
    /// Contract tickets.
    tickets: Ticket in "tickets", put PutTicket "Write a ticket." {
        key: [id => |r| some(&r.id)],
        indexed: [contract_id => |r| some(&r.contract_id)],
        follows: [],
        lists: [],
    }
    /// License and project transfers.
    transfers: Transfer in "transfers", put PutTransfer "Write a transfer." {
        key: [id => |r| some(&r.id)],
        indexed: [
            from_id => |r| some(&r.from_id),
            to_id => |r| some(&r.to_id),
            requested_by => |r| some(&r.requested_by),
            subject => |r| Some(subject_column(&r.subject)),
            status => |r| Some(transfer_status(r.status).to_owned()),
        ],
        follows: [
            license_key at "$.subject.licenseKey" => |r| opt(subject_license(r)),
            project_id at "$.subject.projectId" => |r| opt(subject_project(r)),
        ],
        lists: [],
    }
}
