//! A [`State`] and a [`Resource`] from JSON text, written for the npm package's check-only
//! build, where code size is what a storefront page pays for.
//!
//! The wire format is defined once, by the serde attributes on the model; this module reads
//! the same format without serde's derived visitors. Those visitors, instantiated for every
//! record type and inlined by the optimizer, were most of the check-only module's size (see
//! BENCHMARKS.md). Here the text is parsed once into a [`serde_json::Value`] (by serde_json,
//! or, in the npm package, by JavaScript's own `JSON.parse`, so that serde_json's parser is
//! not in the module at all), and each record is taken out of its object field by field with
//! a handful of small, non-generic helpers. Leaf values (ids, emails, timestamps, unit enums,
//! strings, flags, counts) still go through their own serde `Deserialize`, so their checks and
//! names are not repeated either; they are driven by a minimal deserializer whose errors never
//! format floating-point numbers.
//!
//! What is written again here is each record's list of fields: its name, and whether it is
//! required, optional or defaulted. `crates/entitle-wasm/tests/decode.rs` holds this module to
//! serde's reading: every scenario world decodes to the same state, and every mutation of
//! every field (removed, set to `null`, to another type, an unknown field added) is accepted
//! or refused by both alike. Objects come from the package's JavaScript layer through
//! `JSON.stringify`, so a key never appears twice in one object; where it did, the last one
//! would count here, while serde refuses the object.

use crate::action::{Resource, ResourceType};
use crate::model::{
    Account, AccountRecord, Billing, Contract, Delegate, Invitation, License, LicenseRecord, Order,
    Product, Project, Share, Ticket, Transfer, TransferSubject,
};
use crate::state::State;
use serde::de::{self, DeserializeOwned, Deserializer, Expected, IntoDeserializer, Unexpected};
use serde_json::{Map, Value};
use std::fmt;

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
        self.path = format!("{segment}{separator}{}", self.path);
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
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for Invalid {}

/// What a JSON value is, in words; numbers are never formatted (that would link the float
/// formatting code into the module for an error message).
fn kind(unexpected: &Unexpected<'_>) -> &'static str {
    match unexpected {
        Unexpected::Bool(_) => "a boolean",
        Unexpected::Unsigned(_) | Unexpected::Signed(_) | Unexpected::Float(_) => "a number",
        Unexpected::Str(_) | Unexpected::Char(_) => "a string",
        Unexpected::Unit | Unexpected::Option => "null",
        Unexpected::Seq => "an array",
        Unexpected::Map => "an object",
        _ => "another value",
    }
}

impl de::Error for Invalid {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Self::new(message.to_string())
    }

    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        Self::new(format!(
            "invalid type: {}, expected {expected}",
            kind(&unexpected)
        ))
    }

    fn invalid_value(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        Self::new(format!(
            "invalid value: {}, expected {expected}",
            kind(&unexpected)
        ))
    }
}

fn unexpected(value: &Value) -> Unexpected<'static> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(_) => Unexpected::Other("a number"),
        Value::String(_) => Unexpected::Other("a string"),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

/// A leaf value (a string, flag, count or unit enum variant) for its serde `Deserialize`.
struct Leaf(Value);

impl<'de> Deserializer<'de> for Leaf {
    type Error = Invalid;

    fn deserialize_any<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        match self.0 {
            Value::Bool(b) => visitor.visit_bool(b),
            Value::String(s) => visitor.visit_string(s),
            Value::Number(n) => match n.as_u64() {
                Some(n) => visitor.visit_u64(n),
                None => Err(de::Error::invalid_type(
                    Unexpected::Other("a number"),
                    &visitor,
                )),
            },
            other => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        }
    }

    fn deserialize_enum<V: de::Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Invalid> {
        match self.0 {
            Value::String(s) => visitor.visit_enum(s.into_deserializer()),
            other => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

fn leaf<T: DeserializeOwned>(value: Value) -> Result<T, Invalid> {
    T::deserialize(Leaf(value))
}

/// The fields of one JSON object, taken out one by one; what is left at the end is unknown.
struct Fields(Map<String, Value>);

impl Fields {
    fn of(value: Value) -> Result<Self, Invalid> {
        match value {
            Value::Object(map) => Ok(Self(map)),
            other => Err(Invalid::new(format!(
                "invalid type: {}, expected an object",
                kind(&unexpected(&other))
            ))),
        }
    }

    /// Takes a field out: `Ok(None)` when missing.
    #[inline(never)]
    fn take(&mut self, name: &str) -> Option<Value> {
        self.0.remove(name)
    }

    /// A field that must be there.
    fn required<T: DeserializeOwned>(&mut self, name: &str) -> Result<T, Invalid> {
        let value = self.take(name).ok_or_else(|| missing(name))?;
        leaf(value).map_err(|e| e.within(name))
    }

    /// A field that may be missing or `null`.
    fn optional<T: DeserializeOwned>(&mut self, name: &str) -> Result<Option<T>, Invalid> {
        match self.take(name) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => leaf(value).map(Some).map_err(|e| e.within(name)),
        }
    }

    /// A field that takes its default when missing (but not when `null`).
    fn defaulted<T: DeserializeOwned + Default>(&mut self, name: &str) -> Result<T, Invalid> {
        match self.take(name) {
            None => Ok(T::default()),
            Some(value) => leaf(value).map_err(|e| e.within(name)),
        }
    }

    /// A list of records that takes an empty list when missing.
    fn records<T>(
        &mut self,
        name: &str,
        record: fn(Value) -> Result<T, Invalid>,
    ) -> Result<Vec<T>, Invalid> {
        let Some(value) = self.0.remove(name) else {
            return Ok(Vec::new());
        };
        list(value, record).map_err(|e| e.within(name))
    }

    /// Refuses the fields nobody took.
    fn end(self) -> Result<(), Invalid> {
        match self.0.keys().next() {
            Some(name) => Err(Invalid::new(format!("unknown field `{name}`"))),
            None => Ok(()),
        }
    }
}

#[cold]
#[inline(never)]
fn missing(name: &str) -> Invalid {
    Invalid::new(format!("missing field `{name}`"))
}

#[cold]
#[inline(never)]
fn at_index(error: Invalid, index: usize) -> Invalid {
    error.within(&format!("[{index}]"))
}

fn list<T>(value: Value, item: fn(Value) -> Result<T, Invalid>) -> Result<Vec<T>, Invalid> {
    let Value::Array(items) = value else {
        return Err(Invalid::new(format!(
            "invalid type: {}, expected a list",
            kind(&unexpected(&value))
        )));
    };
    (items.into_iter().enumerate())
        .map(|(i, value)| item(value).map_err(|e| at_index(e, i)))
        .collect()
}

/// The result of a record's `TryFrom` check, as a decoding error.
fn checked<T>(result: Result<T, &'static str>) -> Result<T, Invalid> {
    result.map_err(Invalid::new)
}

fn account(value: Value) -> Result<Account, Invalid> {
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

fn product(value: Value) -> Result<Product, Invalid> {
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

fn license(value: Value) -> Result<License, Invalid> {
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

fn order(value: Value) -> Result<Order, Invalid> {
    let mut f = Fields::of(value)?;
    let order = Order {
        id: f.required("id")?,
        owner_id: f.required("ownerId")?,
        billing_account_id: f.required("billingAccountId")?,
        license_keys: match f.take("licenseKeys") {
            Some(keys) => list(keys, leaf).map_err(|e| e.within("licenseKeys"))?,
            None => return Err(missing("licenseKeys")),
        },
        billing: Billing::from_recurring(f.required("recurring")?),
    };
    f.end()?;
    Ok(order)
}

fn project(value: Value) -> Result<Project, Invalid> {
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

fn share(value: Value) -> Result<Share, Invalid> {
    let mut f = Fields::of(value)?;
    let share = Share {
        project_id: f.required("projectId")?,
        account_id: f.required("accountId")?,
        shared_at: f.required("sharedAt")?,
    };
    f.end()?;
    Ok(share)
}

fn contract(value: Value) -> Result<Contract, Invalid> {
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

fn delegate(value: Value) -> Result<Delegate, Invalid> {
    let mut f = Fields::of(value)?;
    let delegate = Delegate {
        contract_id: f.required("contractId")?,
        account_id: f.required("accountId")?,
        status: f.required("status")?,
        added_at: f.required("addedAt")?,
        revoked_at: f.optional("revokedAt")?,
        invitation_id: f.required("invitationId")?,
    };
    f.end()?;
    Ok(delegate)
}

fn invitation(value: Value) -> Result<Invitation, Invalid> {
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
    };
    f.end()?;
    Ok(invitation)
}

fn ticket(value: Value) -> Result<Ticket, Invalid> {
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
fn subject(value: Value) -> Result<TransferSubject, Invalid> {
    let mut f = Fields::of(value)?;
    let tag: String = match f.take("type") {
        Some(tag) => leaf(tag).map_err(|e| e.within("type"))?,
        None => return Err(missing("type")),
    };
    match tag.as_str() {
        "license" => Ok(TransferSubject::License {
            license_key: f.required("licenseKey")?,
        }),
        "project" => Ok(TransferSubject::Project {
            project_id: f.required("projectId")?,
        }),
        other => Err(Invalid::new(format!(
            "unknown variant `{other}`, expected `license` or `project`"
        ))
        .within("type")),
    }
}

fn transfer(value: Value) -> Result<Transfer, Invalid> {
    let mut f = Fields::of(value)?;
    let transfer = Transfer {
        id: f.required("id")?,
        subject: match f.take("subject") {
            Some(value) => subject(value).map_err(|e| e.within("subject"))?,
            None => return Err(missing("subject")),
        },
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

fn parse(text: &str) -> Result<Value, Invalid> {
    serde_json::from_str(text).map_err(|e| Invalid::new(e.to_string()))
}

/// Reads a state from JSON text, as serde reads it (every list may be missing; no unknown
/// field anywhere), without serde's derived visitors.
pub fn state(text: &str) -> Result<State, Invalid> {
    state_from_value(parse(text)?)
}

/// Reads a state from a JSON value already parsed (by JavaScript's `JSON.parse`, in the npm
/// package), exactly as [`state`] reads the text of that value.
pub fn state_from_value(value: Value) -> Result<State, Invalid> {
    let mut f = Fields::of(value)?;
    let state = State {
        accounts: f.records("accounts", account)?,
        products: f.records("products", product)?,
        licenses: f.records("licenses", license)?,
        orders: f.records("orders", order)?,
        projects: f.records("projects", project)?,
        shares: f.records("shares", share)?,
        contracts: f.records("contracts", contract)?,
        delegates: f.records("delegates", delegate)?,
        invitations: f.records("invitations", invitation)?,
        tickets: f.records("tickets", ticket)?,
        transfers: f.records("transfers", transfer)?,
        ..State::default()
    };
    f.end()?;
    Ok(state)
}

/// Reads a resource (`{"type": …, "id": …}`) from JSON text.
pub fn resource(text: &str) -> Result<Resource, Invalid> {
    resource_from_value(parse(text)?)
}

/// Reads a resource from a JSON value already parsed, as [`resource`] reads its text.
pub fn resource_from_value(value: Value) -> Result<Resource, Invalid> {
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
    leaf(Value::String(name.to_owned()))
}
