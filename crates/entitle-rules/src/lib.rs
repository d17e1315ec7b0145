//! # entitle-rules
//!
//! The rules of entitle: who may share, transfer and delegate what a store's customers bought.
//! It owns the domain model (accounts, products, licenses, orders, projects, contracts,
//! delegates, invitations, transfers), every permission decision ([`authorize`]) and every
//! state transition ([`execute`], [`execute_store`]).
//!
//! It is pure and deterministic. It does no I/O, reads no clock, draws no random numbers and
//! knows no platform: time, ids and tokens arrive as arguments ([`Context`]), records arrive as
//! a [`State`] slice, and answers leave as values: a [`Decision`], or an [`Outcome`] (changes
//! to write in one transaction plus the events to record with them), or a [`CommandError`]
//! with a stable code. The same code runs in the browser (through `entitle-wasm`) and in the
//! worker, so both give the same answer for the same state.

#[macro_use]
pub mod named;

pub mod access;
pub mod action;
mod affected;
pub mod command;
mod context;
pub mod decision;
#[cfg(feature = "decode")]
pub mod decode;
pub mod delegates;
pub mod error;
pub mod event;
pub mod ids;
mod imports;
pub mod index;
pub mod list;
pub mod model;
pub mod orders;
pub mod plan;
pub mod plans;
pub mod projects;
pub mod read;
mod records;
pub mod reseller;
#[cfg(feature = "schema")]
mod schema;
pub mod state;
pub mod sweep;
pub mod text;
pub mod time;
pub mod token;
pub mod transfer;
pub mod views;
pub mod webhook;
pub mod window;

pub use access::access_snapshot;
pub use action::{Action, Resource, ResourceType};
pub use command::{
    Command, Context, NewLicenses, Outcome, ProjectRuntime, StoreCommand, execute, execute_store,
    execute_store_batch,
};
pub use decision::{AuthorizeError, Decision, Reason, authorize};
pub use error::{CommandError, ErrorCode, ErrorKind};
pub use event::{Event, EventPayload};
pub use read::{Read, Record};
pub use state::{Change, Row, State};
pub use time::Timestamp;
