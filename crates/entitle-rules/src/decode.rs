//! A [`State`] and a [`Resource`] from JSON, written for the npm package's check-only build,
//! where code size is what a storefront page pays for.
//!
//! The wire format is defined once, by the serde attributes on the model; this module reads
//! the same format without serde. serde's derived visitors, instantiated for every record and
//! leaf type and inlined by the optimizer, were most of the check-only module's size (see
//! BENCHMARKS.md). Here the text is parsed once into a [`Json`] tree (in the npm package, by
//! JavaScript's own `JSON.parse`, so that no JSON parser is in the module at all; natively, by
//! serde_json), and each record is taken out of its object field by field with a handful of
//! small helpers. Leaf values go through the checks their types define once (`Id::new`,
//! [`Email::stored`], [`Timestamp::parse`]), and unit enums through their [`Named`] table, the
//! names serde writes.
//!
//! What is written again here is each record's list of fields: its name, and whether it is
//! required, optional or defaulted. `crates/entitle-wasm/tests/decode.rs` holds this module to
//! serde's reading: every scenario world decodes to the same state, and every mutation of
//! every field (removed, set to `null`, to another type, an unknown field added) is accepted
//! or refused by both alike. It reads only the forms the API documents, records as objects and
//! unit variants as strings; serde also takes a record written as an array of its fields and a
//! unit variant written as `{"name": null}`, which no one sends (the package's JavaScript layer
//! passes what `JSON.stringify` writes of the caller's objects). Objects come through
//! `JSON.stringify`, so a key never appears twice in one object; in text that repeats a key,
//! serde refuses the object, while a parsed tree (JavaScript's or serde_json's) keeps one value.

use crate::action::{Resource, ResourceType};
use crate::ids::{
    AccountId, CompanyId, ContractId, InvitationId, LicenseKey, OrderId, ProductId, ProjectId,
    TicketId, TransferId,
};
use crate::model::{
    Account, AccountRecord, Billing, Contract, Delegate, Invitation, License, LicenseRecord, Order,
    Product, Project, Share, Ticket, Transfer, TransferSubject,
};
use crate::named::Named;
use crate::state::State;
use crate::text::Email;
use crate::time::Timestamp;
use std::fmt;

/// A JSON value, as much of it as a state's reader looks at.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number: `Some` when it is a non-negative integer (the only numbers a state holds),
    /// as serde_json reads the literal.
    Number(Option<u64>),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object's fields, in order.
    Object(Vec<(String, Json)>),
}

impl From<serde_json::Value> for Json {
    fn from(value: serde_json::Value) -> Self {
        use serde_json::Value;
        match value {
            Value::Null => Self::Null,
            Value::Bool(b) => Self::Bool(b),
            Value::Number(n) => Self::Number(n.as_u64()),
            Value::String(s) => Self::String(s),
            Value::Array(items) => Self::Array(items.into_iter().map(Self::from).collect()),
            Value::Object(map) => {
                Self::Object(map.into_iter().map(|(k, v)| (k, Self::from(v))).collect())
            }
        }
    }
}

/// Why a JSON text is not a valid state or resource: where, and what is wrong there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    path: String,
    message: String,
}

impl Invalid {
    fn new(message: impl Into<String>) -> Self {
        Self {
            path: String::new(),
            message: message.into(),
        }
    }

    /// The same error, one level further out: `segment` is a field name or `[index]`.
    #[cold]
    #[inline(never)]
    fn within(mut self, segment: &str) -> Self {
        let separator = if self.path.is_empty() || self.path.starts_with('[') {
            ""
        } else {
            "."
        };
        self.path = [segment, separator, &self.path].concat();
        self
    }

    /// Where the error is, as `licenses[2].ownerId` (empty at the top).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong there.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            f.write_str(&self.path)?;
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for Invalid {}

/// `invalid type: <what the value is>, expected <expected>`.
#[cold]
#[inline(never)]
fn invalid_type(value: &Json, expected: &str) -> Invalid {
    let kind = match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    };
    Invalid::new(["invalid type: ", kind, ", expected ", expected].concat())
}

/// A leaf value: text, a flag, a count, a checked id, address or timestamp, a named variant.
trait Leaf: Sized {
    fn leaf(value: Json) -> Result<Self, Invalid>;
}

impl Leaf for String {
    fn leaf(value: Json) -> Result<Self, Invalid> {
        match value {
            Json::String(text) => Ok(text),
            other => Err(invalid_type(&other, "a string")),
        }
    }
}

impl Leaf for bool {
    fn leaf(value: Json) -> Result<Self, Invalid> {
        match value {
            Json::Bool(flag) => Ok(flag),
            other => Err(invalid_type(&other, "a boolean")),
        }
    }
}

impl Leaf for u32 {
    fn leaf(value: Json) -> Result<Self, Invalid> {
        match value {
            Json::Number(Some(n)) => {
                Self::try_from(n).map_err(|_| Invalid::new("invalid value: a number, expected u32"))
            }
            other => Err(invalid_type(&other, "u32")),
        }
    }
}

/// Text checked by `check`, whose error is the message.
fn checked_text<T, E: fmt::Display>(
    value: Json,
    check: impl FnOnce(String) -> Result<T, E>,
) -> Result<T, Invalid> {
    check(String::leaf(value)?).map_err(|e| Invalid::new(e.to_string()))
}

impl Leaf for Email {
    fn leaf(value: Json) -> Result<Self, Invalid> {
        checked_text(value, |text| Email::stored(&text))
    }
}

impl Leaf for Timestamp {
    fn leaf(value: Json) -> Result<Self, Invalid> {
        checked_text(value, |text| Timestamp::parse(&text))
    }
}

macro_rules! id_leaves {
    ($($id:ident),*) => {$(
        impl Leaf for $id {
            fn leaf(value: Json) -> Result<Self, Invalid> {
                checked_text(value, $id::new)
            }
        }
    )*};
}

id_leaves!(
    AccountId,
    CompanyId,
    ContractId,
    InvitationId,
    LicenseKey,
    OrderId,
    ProductId,
    ProjectId,
    TicketId,
    TransferId
);

impl<T: Named> Leaf for T {
    fn leaf(value: Json) -> Result<Self, Invalid> {
        let name = String::leaf(value)?;
        T::NAMES
            .iter()
            .position(|n| *n == name)
            .and_then(|i| T::ALL.get(i).copied())
            .ok_or_else(|| unknown_variant(&name, T::NAMES))
    }
}

/// serde's words for a name that is none of `names`: "expected `a`", "expected `a` or `b`",
/// "expected one of `a`, `b`, `c`".
#[cold]
#[inline(never)]
fn unknown_variant(name: &str, names: &[&str]) -> Invalid {
    let mut message = ["unknown variant `", name, "`, expected "].concat();
    if names.len() > 2 {
        message.push_str("one of ");
    }
    for (i, expected) in names.iter().enumerate() {
        let separator = match i {
            0 => "",
            _ if names.len() == 2 => " or ",
            _ => ", ",
        };
        message.extend([separator, "`", expected, "`"]);
    }
    Invalid::new(message)
}

/// The fields of one JSON object, taken out one by one; what is left at the end is unknown.
struct Fields(Vec<(String, Json)>);

impl Fields {
    fn of(value: Json) -> Result<Self, Invalid> {
        match value {
            Json::Object(fields) => Ok(Self(fields)),
            other => Err(invalid_type(&other, "an object")),
        }
    }

    /// Takes a field out: `None` when missing.
    #[inline(never)]
    fn take(&mut self, name: &str) -> Option<Json> {
        let position = self.0.iter().position(|(n, _)| n == name)?;
        Some(self.0.swap_remove(position).1)
    }

    /// A field that must be there, read by `read`.
    fn must<T>(&mut self, name: &str, read: fn(Json) -> Result<T, Invalid>) -> Result<T, Invalid> {
        let value = self.take(name).ok_or_else(|| missing(name))?;
        read(value).map_err(|e| e.within(name))
    }

    /// A leaf field that must be there.
    #[inline(never)]
    fn required<T: Leaf>(&mut self, name: &str) -> Result<T, Invalid> {
        self.must(name, T::leaf)
    }

    /// A field that may be missing or `null`.
    #[inline(never)]
    fn optional<T: Leaf>(&mut self, name: &str) -> Result<Option<T>, Invalid> {
        match self.take(name) {
            None | Some(Json::Null) => Ok(None),
            Some(value) => T::leaf(value).map(Some).map_err(|e| e.within(name)),
        }
    }

    /// A field that takes its default when missing (but not when `null`).
    #[inline(never)]
    fn defaulted<T: Leaf + Default>(&mut self, name: &str) -> Result<T, Invalid> {
        match self.take(name) {
            None => Ok(T::default()),
            Some(value) => T::leaf(value).map_err(|e| e.within(name)),
        }
    }

    /// Refuses the fields nobody took.
    fn end(self) -> Result<(), Invalid> {
        match self.0.first() {
            Some((name, _)) => Err(Invalid::new(["unknown field `", name, "`"].concat())),
            None => Ok(()),
        }
    }
}

#[cold]
#[inline(never)]
fn missing(name: &str) -> Invalid {
    Invalid::new(["missing field `", name, "`"].concat())
}

#[cold]
#[inline(never)]
fn at_index(error: Invalid, index: usize) -> Invalid {
    error.within(&["[", &index.to_string(), "]"].concat())
}

fn list<T>(value: Json, item: fn(Json) -> Result<T, Invalid>) -> Result<Vec<T>, Invalid> {
    let Json::Array(items) = value else {
        return Err(invalid_type(&value, "a list"));
    };
    // A plain loop: collecting into a `Result` instantiates an adapter per record type.
    let mut read = Vec::with_capacity(items.len());
    for (i, value) in items.into_iter().enumerate() {
        read.push(item(value).map_err(|e| at_index(e, i))?);
    }
    Ok(read)
}

/// The result of a record's `TryFrom` check, as a decoding error.
fn checked<T>(result: Result<T, &'static str>) -> Result<T, Invalid> {
    result.map_err(Invalid::new)
}

fn account(value: Json) -> Result<Account, Invalid> {
    let mut f = Fields::of(value)?;
    let record = AccountRecord {
        id: f.required("id")?,
        email: f.required("email")?,
        name: f.required("name")?,
        kind: f.required("kind")?,
        company_id: f.optional("companyId")?,
        company_role: f.optional("companyRole")?,
        managed_by: f.optional("managedBy")?,
    };
    f.end()?;
    checked(Account::try_from(record))
}

fn product(value: Json) -> Result<Product, Invalid> {
    let mut f = Fields::of(value)?;
    let product = Product {
        id: f.required("id")?,
        name: f.required("name")?,
        family: f.required("family")?,
        billing: f.required("billing")?,
    };
    f.end()?;
    Ok(product)
}

fn license(value: Json) -> Result<License, Invalid> {
    let mut f = Fields::of(value)?;
    let record = LicenseRecord {
        license_key: f.required("licenseKey")?,
        product_id: f.required("productId")?,
        owner_id: f.required("ownerId")?,
        order_id: f.optional("orderId")?,
        license_type: f.defaulted("licenseType")?,
        tier: f.defaulted("tier")?,
        expires_at: f.optional("expiresAt")?,
        activated: f.defaulted("activated")?,
        project_id: f.optional("projectId")?,
        assigned_by: f.optional("assignedBy")?,
        assigned_at: f.optional("assignedAt")?,
        assigned_until: f.optional("assignedUntil")?,
        created_by: f.optional("createdBy")?,
        created_at: f.optional("createdAt")?,
        reseller_notes: f.optional("resellerNotes")?,
        customer_details: f.optional("customerDetails")?,
        customer_paid: f.defaulted("customerPaid")?,
        customer_paid_at: f.optional("customerPaidAt")?,
    };
    f.end()?;
    checked(License::try_from(record))
}

fn order(value: Json) -> Result<Order, Invalid> {
    let mut f = Fields::of(value)?;
    let order = Order {
        id: f.required("id")?,
        owner_id: f.required("ownerId")?,
        billing_account_id: f.required("billingAccountId")?,
        license_keys: match f.take("licenseKeys") {
            Some(keys) => list(keys, LicenseKey::leaf).map_err(|e| e.within("licenseKeys"))?,
            None => return Err(missing("licenseKeys")),
        },
        billing: Billing::from_recurring(f.required("recurring")?),
    };
    f.end()?;
    Ok(order)
}

fn project(value: Json) -> Result<Project, Invalid> {
    let mut f = Fields::of(value)?;
    let project = Project {
        id: f.required("id")?,
        owner_id: f.required("ownerId")?,
        name: f.required("name")?,
        kind: f.defaulted("kind")?,
        server_active: f.defaulted("serverActive")?,
        active_panels: f.defaulted("activePanels")?,
        created_at: f.required("createdAt")?,
    };
    f.end()?;
    Ok(project)
}

/// The fields of a grant's window: its start, its end, what the sweep does next.
#[inline(never)]
fn window(f: &mut Fields) -> Result<Window, Invalid> {
    Ok((
        f.optional("startsAt")?,
        f.optional("expiresAt")?,
        f.optional("nextNoticeAt")?,
    ))
}

/// A grant's window as [`window`] reads it.
type Window = (Option<Timestamp>, Option<Timestamp>, Option<Timestamp>);

fn share(value: Json) -> Result<Share, Invalid> {
    let mut f = Fields::of(value)?;
    let project_id = f.required("projectId")?;
    let account_id = f.required("accountId")?;
    let shared_at = f.required("sharedAt")?;
    let (starts_at, expires_at, next_notice_at) = window(&mut f)?;
    let share = Share {
        project_id,
        account_id,
        shared_at,
        starts_at,
        expires_at,
        next_notice_at,
    };
    f.end()?;
    Ok(share)
}

fn contract(value: Json) -> Result<Contract, Invalid> {
    let mut f = Fields::of(value)?;
    let contract = Contract {
        id: f.required("id")?,
        owner_id: f.required("ownerId")?,
        product_id: f.required("productId")?,
        status: f.required("status")?,
        registered_at: f.required("registeredAt")?,
        renews_at: f.optional("renewsAt")?,
        billing: f.required("billing")?,
    };
    f.end()?;
    Ok(contract)
}

fn delegate(value: Json) -> Result<Delegate, Invalid> {
    let mut f = Fields::of(value)?;
    let contract_id = f.required("contractId")?;
    let account_id = f.required("accountId")?;
    let status = f.required("status")?;
    let added_at = f.required("addedAt")?;
    let revoked_at = f.optional("revokedAt")?;
    let invitation_id = f.required("invitationId")?;
    let (starts_at, expires_at, next_notice_at) = window(&mut f)?;
    let delegate = Delegate {
        contract_id,
        account_id,
        status,
        added_at,
        revoked_at,
        invitation_id,
        starts_at,
        expires_at,
        next_notice_at,
    };
    f.end()?;
    Ok(delegate)
}

fn invitation(value: Json) -> Result<Invitation, Invalid> {
    let mut f = Fields::of(value)?;
    let invitation = Invitation {
        id: f.required("id")?,
        contract_id: f.required("contractId")?,
        email: f.required("email")?,
        account_id: f.required("accountId")?,
        token_hash: f.required("tokenHash")?,
        status: f.required("status")?,
        created_at: f.required("createdAt")?,
        expires_at: f.required("expiresAt")?,
        resent_at: f.optional("resentAt")?,
        settled_at: f.optional("settledAt")?,
        access_starts_at: f.optional("accessStartsAt")?,
        access_expires_at: f.optional("accessExpiresAt")?,
    };
    f.end()?;
    Ok(invitation)
}

fn ticket(value: Json) -> Result<Ticket, Invalid> {
    let mut f = Fields::of(value)?;
    let ticket = Ticket {
        id: f.required("id")?,
        contract_id: f.required("contractId")?,
        author_id: f.required("authorId")?,
        created_at: f.required("createdAt")?,
        subject: f.required("subject")?,
        body: f.required("body")?,
    };
    f.end()?;
    Ok(ticket)
}

/// The subject is tagged by `type`; like serde's internally tagged enums, it ignores fields
/// it does not know.
fn subject(value: Json) -> Result<TransferSubject, Invalid> {
    let mut f = Fields::of(value)?;
    let tag: String = f.required("type")?;
    match tag.as_str() {
        "license" => Ok(TransferSubject::License {
            license_key: f.required("licenseKey")?,
        }),
        "project" => Ok(TransferSubject::Project {
            project_id: f.required("projectId")?,
        }),
        other => Err(unknown_variant(other, &["license", "project"]).within("type")),
    }
}

fn transfer(value: Json) -> Result<Transfer, Invalid> {
    let mut f = Fields::of(value)?;
    let transfer = Transfer {
        id: f.required("id")?,
        subject: f.must("subject", subject)?,
        from_id: f.required("fromId")?,
        to_id: f.required("toId")?,
        requested_by: f.required("requestedBy")?,
        status: f.required("status")?,
        created_at: f.required("createdAt")?,
        expires_at: f.required("expiresAt")?,
        settled_at: f.optional("settledAt")?,
    };
    f.end()?;
    Ok(transfer)
}

fn parse(text: &str) -> Result<Json, Invalid> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| Invalid::new(e.to_string()))?;
    Ok(Json::from(value))
}

/// Reads a state from JSON text, as serde reads its documented form (every list may be
/// missing; no unknown field anywhere), without serde.
pub fn state(text: &str) -> Result<State, Invalid> {
    state_from_value(parse(text)?)
}

/// Reads a state from a JSON value already parsed (by JavaScript's `JSON.parse`, in the npm
/// package), exactly as [`state`] reads the text of that value.
pub fn state_from_value(value: Json) -> Result<State, Invalid> {
    let mut state = State::default();
    for (name, value) in Fields::of(value)?.0 {
        let read = match name.as_str() {
            "accounts" => records(value, &mut state.accounts, account),
            "products" => records(value, &mut state.products, product),
            "licenses" => records(value, &mut state.licenses, license),
            "orders" => records(value, &mut state.orders, order),
            "projects" => records(value, &mut state.projects, project),
            "shares" => records(value, &mut state.shares, share),
            "contracts" => records(value, &mut state.contracts, contract),
            "delegates" => records(value, &mut state.delegates, delegate),
            "invitations" => records(value, &mut state.invitations, invitation),
            "tickets" => records(value, &mut state.tickets, ticket),
            "transfers" => records(value, &mut state.transfers, transfer),
            _ => return Err(Invalid::new(["unknown field `", &name, "`"].concat())),
        };
        read.map_err(|e| e.within(&name))?;
    }
    Ok(state)
}

/// Reads a list of records into `into`.
fn records<T>(
    value: Json,
    into: &mut Vec<T>,
    record: fn(Json) -> Result<T, Invalid>,
) -> Result<(), Invalid> {
    *into = list(value, record)?;
    Ok(())
}

/// Reads a resource (`{"type": …, "id": …}`) from JSON text.
pub fn resource(text: &str) -> Result<Resource, Invalid> {
    resource_from_value(parse(text)?)
}

/// Reads a resource from a JSON value already parsed, as [`resource`] reads its text.
pub fn resource_from_value(value: Json) -> Result<Resource, Invalid> {
    let mut f = Fields::of(value)?;
    let resource = Resource {
        resource_type: f.required("type")?,
        id: f.required("id")?,
    };
    f.end()?;
    Ok(resource)
}

/// Reads a resource type's name (`contract`, `project`, …).
pub fn resource_type(name: &str) -> Result<ResourceType, Invalid> {
    ResourceType::leaf(Json::String(name.to_owned()))
}
