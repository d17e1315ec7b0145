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
    AccessWindow, ContractView, DelegateView, DelegatesView, InvitationView, ProjectView,
    Recipient, TransferView,
};
use entitle_rules::action::{Action, Resource, ResourceType};
use entitle_rules::command::{
    Command, Context, DelegateKey, NewLicenses, Outcome, ProjectRuntime, ShareKey, StoreCommand,
    Sweep,
};
use entitle_rules::decision::{ContractRole, Decision, ProjectRole, Reason};
use entitle_rules::error::ErrorCode;
use entitle_rules::event::{Event, EventPayload};
use entitle_rules::ids::*;
use entitle_rules::model::*;
use entitle_rules::state::{Change, State};
use entitle_rules::text::Email;
use entitle_rules::time::Timestamp;
use ts_rs::{Config, TS};

macro_rules! declarations {
    ($cfg:expr; $($t:ty),* $(,)?) => {
        vec![$(declaration(stringify!($t), <$t as TS>::docs(), &<$t as TS>::decl($cfg))),*]
    };
}

/// Lines longer than this are broken: unions one member a line, objects one field a line.
const WIDTH: usize = 100;

/// One exported declaration with the Rust doc comment of its type, laid out for reading.
fn declaration(name: &str, docs: Option<String>, decl: &str) -> String {
    let docs = docs.unwrap_or_else(|| panic!("`{name}` has no doc comment"));
    format!("{}export {}", docs, layout(decl))
}

/// Indents objects (one field a line, with its doc comment) and breaks a union before a
/// member that would make its line wider than [`WIDTH`].
fn layout(decl: &str) -> String {
    let mut out = String::new();
    // The open brackets; `{` and `(` indent what follows a line break.
    let mut open: Vec<char> = Vec::new();
    let (mut in_string, mut in_comment) = (false, false);
    let mut chars = decl.chars().peekable();
    let depth = |open: &[char]| open.iter().filter(|c| matches!(c, '{' | '(')).count();
    let newline = |out: &mut String, depth: usize| {
        let trimmed = out.trim_end_matches(' ').len();
        out.truncate(trimmed);
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&"  ".repeat(depth));
    };
    let skip_spaces = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
        while chars.peek() == Some(&' ') {
            chars.next();
        }
    };
    while let Some(c) = chars.next() {
        if c == '\n' {
            newline(&mut out, depth(&open));
            skip_spaces(&mut chars);
            if chars.peek() == Some(&'*') {
                out.push(' ');
            }
            continue;
        }
        if in_string || in_comment {
            out.push(c);
            in_string &= c != '"';
            in_comment &= !(c == '/' && out.ends_with("*/"));
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '/' if chars.peek() == Some(&'*') => {
                in_comment = true;
                out.push(c);
            }
            '{' => {
                open.push(c);
                out.push(c);
                newline(&mut out, depth(&open));
                skip_spaces(&mut chars);
            }
            '}' => {
                open.pop();
                newline(&mut out, depth(&open));
                out.push(c);
            }
            '(' | '[' => {
                open.push(c);
                out.push(c);
            }
            ')' | ']' => {
                open.pop();
                out.push(c);
            }
            ',' if open.last() == Some(&'{') => {
                out.push(c);
                newline(&mut out, depth(&open));
                skip_spaces(&mut chars);
            }
            '|' if out
                .lines()
                .last()
                .is_some_and(|line| line.len() > WIDTH - 24) =>
            {
                newline(&mut out, depth(&open) + 1);
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// A union of string literals, one a line.
fn union(docs: &str, name: &str, members: impl Iterator<Item = String>) -> String {
    let members: Vec<String> = members.map(|m| format!("\n  | \"{m}\"")).collect();
    format!("/** {docs} */\nexport type {name} ={};", members.concat())
}

#[test]
fn typescript_declarations_are_up_to_date() {
    let cfg = Config::new();
    let mut parts = declarations![&cfg;
        StoreId, AccountId, CompanyId, ProductId, LicenseKey, OrderId, ProjectId, ContractId, InvitationId, TicketId,
        TransferId, Timestamp, Email, Action, Reason, ResourceType, Resource, Decision, AccountKind, CompanyRole,
        Billing, Account, Product, LicenseType, LicenseTier, License, Order, ProjectKind, Project, Share,
        GrantStatus, ContractStatus, Contract, DelegateStatus, Delegate, InvitationStatus, Invitation, Ticket, TransferSubject,
        TransferStatus, Transfer, State, Change, Command, NewLicenses, StoreCommand, ProjectRuntime, Sweep, ShareKey, DelegateKey, Context, Outcome,
        Event, EventPayload, ContractRole, ProjectRole, Recipient, AccessWindow, ProjectView, ContractView, DelegateView,
        InvitationView, DelegatesView, TransferView,
    ];
    // Reason and Action are written as their codes; list them so TypeScript can check literals.
    parts.push(union(
        "Every reason code: why an action is allowed or denied.",
        "ReasonCode",
        Reason::ALL.iter().map(|r| r.code().to_owned()),
    ));
    parts.push(union(
        "Every action name: `<resource>.<verb>`.",
        "ActionName",
        Action::ALL.iter().map(|a| a.name().to_owned()),
    ));
    parts.push(union(
        "Every code of a command error that is not a deny reason (a denial carries its `ReasonCode`).",
        "CommandErrorCode",
        ErrorCode::FIXED.iter().map(|c| c.code().to_owned()),
    ));
    let text = format!(
        "// Generated from entitle-rules by tests/typescript.rs: do not edit by hand.\n\n{}\n",
        parts.join("\n\n")
    );
    // Issue 9: readable declarations, documented from the Rust doc comments.
    for line in text.lines() {
        assert!(
            line.len() <= WIDTH,
            "a declaration line is too wide: {line}"
        );
    }
    assert!(!text.contains("See the Rust type"));
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
