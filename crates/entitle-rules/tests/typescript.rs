//! Keeps the npm package's TypeScript declarations in step with the Rust types.
//! `ENTITLE_UPDATE_TYPES=1 cargo test -p entitle-rules --features ts --test typescript` rewrites them.
#![cfg(feature = "ts")]
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code fails loudly"
)]

use entitle_rules::access::{
    ContractView, DelegateView, DelegatesView, InvitationView, ProjectView, Recipient, TransferView,
};
use entitle_rules::action::{Action, Resource, ResourceType};
use entitle_rules::command::{
    Command, Context, NewLicenses, Outcome, ProjectRuntime, StoreCommand,
};
use entitle_rules::decision::{ContractRole, Decision, ProjectRole, Reason};
use entitle_rules::event::{Event, EventPayload};
use entitle_rules::ids::*;
use entitle_rules::model::*;
use entitle_rules::state::{Change, State};
use entitle_rules::text::Email;
use entitle_rules::time::Timestamp;
use ts_rs::{Config, TS};

macro_rules! declarations {
    ($cfg:expr; $($t:ty),* $(,)?) => {
        vec![$(format!("/** See the Rust type `{}`. */\nexport {}", stringify!($t), <$t as TS>::decl($cfg))),*]
    };
}

#[test]
fn typescript_declarations_are_up_to_date() {
    let cfg = Config::new();
    let mut parts = declarations![&cfg;
        StoreId, AccountId, CompanyId, ProductId, LicenseKey, OrderId, ProjectId, ContractId, InvitationId, TicketId,
        TransferId, Timestamp, Email, Action, Reason, ResourceType, Resource, Decision, AccountKind, CompanyRole,
        Billing, Account, Product, LicenseType, LicenseTier, License, Order, ProjectKind, Project, Share,
        ContractStatus, Contract, DelegateStatus, Delegate, InvitationStatus, Invitation, Ticket, TransferSubject,
        TransferStatus, Transfer, State, Change, Command, NewLicenses, StoreCommand, ProjectRuntime, Context, Outcome,
        Event, EventPayload, ContractRole, ProjectRole, Recipient, ProjectView, ContractView, DelegateView,
        InvitationView, DelegatesView, TransferView,
    ];
    // Reason and Action are written as their codes; list them so TypeScript can check literals.
    let reasons: Vec<String> = Reason::ALL
        .iter()
        .map(|r| format!("\"{}\"", r.code()))
        .collect();
    let actions: Vec<String> = Action::ALL
        .iter()
        .map(|a| format!("\"{}\"", a.name()))
        .collect();
    parts.push(format!(
        "/** Every reason code. */\nexport type ReasonCode = {};",
        reasons.join(" | ")
    ));
    parts.push(format!(
        "/** Every action name. */\nexport type ActionName = {};",
        actions.join(" | ")
    ));
    let text = format!(
        "// Generated from entitle-rules by tests/typescript.rs: do not edit by hand.\n\n{}\n",
        parts.join("\n\n")
    );
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../entitle-wasm/types.d.ts");
    if std::env::var("ENTITLE_UPDATE_TYPES").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "crates/entitle-wasm/types.d.ts is stale: rerun with ENTITLE_UPDATE_TYPES=1"
    );
}
