//! Runs the shared scenario files under `tests/scenarios/` against the rules natively.
//! The same files run in Node through the npm package and over HTTP against the worker.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code fails loudly"
)]

use entitle_rules::access::{
    contract_view, contracts_for, delegates_for, licenses_for, project_licenses, projects_for,
    tickets_for, transfers_for,
};
use entitle_rules::ids::{AccountId, ContractId, ProjectId};
use entitle_rules::model::{DelegateStatus, InvitationStatus, TransferStatus};
use entitle_rules::reseller::managed_customers;
use entitle_rules::{
    Action, Command, CommandError, Context, Outcome, Resource, State, StoreCommand, Timestamp,
    access::scoped_snapshot, access_snapshot, authorize, execute, execute_store,
};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn scenario_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios")
}

/// Replaces `$alias` strings with saved values and `$token:alias` with the latest accept token.
fn resolve(
    value: &Value,
    saved: &BTreeMap<String, Value>,
    tokens: &BTreeMap<String, String>,
) -> Value {
    match value {
        Value::String(s) if s.starts_with("$token:") => {
            let alias = &s["$token:".len()..];
            let id = saved
                .get(alias)
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("no saved `{alias}`"));
            Value::String(
                tokens
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| panic!("no token for `{id}`")),
            )
        }
        Value::String(s) if s.starts_with('$') => saved
            .get(&s[1..])
            .cloned()
            .unwrap_or_else(|| panic!("no saved `{s}`")),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| resolve(v, saved, tokens)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), resolve(v, saved, tokens)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Whether `actual` holds everything in `expected` (objects by key, `null` matching absence).
fn contains(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (_, Value::Object(want)) => want
            .iter()
            .all(|(k, v)| contains(actual.get(k).unwrap_or(&Value::Null), v)),
        // Lists come in key order, which means nothing to a scenario: each expected item must
        // match its own actual item, in any order.
        (Value::Array(got), Value::Array(want)) => got.len() == want.len() && matching(got, want),
        (got, want) => got == want,
    }
}

/// Whether every item of `want` matches a distinct item of `got` (backtracking; lists are short).
fn matching(got: &[Value], want: &[Value]) -> bool {
    let Some((first, rest)) = want.split_first() else {
        return true;
    };
    got.iter().enumerate().any(|(i, candidate)| {
        contains(candidate, first) && {
            let mut others = got.to_vec();
            others.remove(i);
            matching(&others, rest)
        }
    })
}

fn error_value(error: &CommandError) -> Value {
    json!({ "error": error.code(), "status": error.kind().status() })
}

/// Values a step can save: the first string field of that name in the command's events, and
/// `licenseKeys`, every key the command created.
fn saveable(outcome: &Outcome) -> Map<String, Value> {
    let mut found = Map::new();
    let mut keys = Vec::new();
    for event in &outcome.events {
        let payload = serde_json::to_value(&event.payload).unwrap();
        if event.payload.event_type() == "license.created" {
            keys.push(payload["payload"]["licenseKey"].clone());
        }
        for (k, v) in payload["payload"].as_object().cloned().unwrap_or_default() {
            if v.is_string() && !found.contains_key(&k) {
                found.insert(k, v);
            }
        }
    }
    found.insert("licenseKeys".into(), Value::Array(keys));
    found
}

fn ids<T: Serialize>(items: &[T], field: &str) -> Value {
    let mut ids: Vec<String> = items
        .iter()
        .map(|v| {
            serde_json::to_value(v).unwrap()[field]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    ids.sort();
    json!(ids)
}

fn query(state: &State, actor: &AccountId, q: &Value, now: Timestamp) -> Value {
    let contract = || ContractId::new(q["contractId"].as_str().unwrap_or_default()).unwrap();
    let project = || ProjectId::new(q["projectId"].as_str().unwrap_or_default()).unwrap();
    match q["type"].as_str().unwrap() {
        "projects" => json!({ "ids": ids(&projects_for(state, actor), "id") }),
        "projectLicenses" => match project_licenses(state, actor, &project()) {
            Ok(list) => json!({ "ids": ids(&list, "licenseKey") }),
            Err(e) => error_value(&e),
        },
        "licenses" => {
            let list = licenses_for(state, actor);
            json!({ "ids": ids(&list, "licenseKey"), "body": list })
        }
        "contracts" => json!({ "ids": ids(&contracts_for(state, actor), "id") }),
        "contract" => match contract_view(state, actor, &contract()) {
            Ok(view) => json!({ "body": view }),
            Err(e) => error_value(&e),
        },
        "tickets" => match tickets_for(state, actor, &contract()) {
            Ok(list) => json!({ "ids": ids(&list, "id") }),
            Err(e) => error_value(&e),
        },
        "delegates" => match delegates_for(state, actor, &contract(), now) {
            Ok(view) => {
                let active: Vec<_> = view
                    .delegates
                    .iter()
                    .filter(|d| d.status == DelegateStatus::Active)
                    .collect();
                let pending: Vec<_> = view
                    .invitations
                    .iter()
                    .filter(|i| i.status == InvitationStatus::Pending)
                    .collect();
                json!({ "ids": ids(&active, "accountId"), "pending": ids(&pending, "invitationId") })
            }
            Err(e) => error_value(&e),
        },
        "customers" => json!({ "ids": ids(&managed_customers(state, actor), "id") }),
        "transfers" => {
            let list = transfers_for(state, actor, now);
            let pending: Vec<_> = list
                .iter()
                .filter(|t| t.status == TransferStatus::Pending)
                .collect();
            json!({ "ids": ids(&list, "transferId"), "pending": ids(&pending, "transferId") })
        }
        "access" => {
            let snapshot = access_snapshot(state, actor);
            json!({ "accounts": ids(&snapshot.accounts, "id"), "transfers": ids(&snapshot.transfers, "id") })
        }
        other => panic!("unknown query type `{other}`"),
    }
}

/// Decides `decide` on the full state, and again on a state loaded read by read as the worker
/// loads it (`State::resolve`); both must agree, or the rules consulted a record without
/// declaring the read.
fn on_loaded_state<T: PartialEq + std::fmt::Debug>(
    what: &str,
    state: &State,
    mut decide: impl FnMut(&State) -> T,
) -> T {
    let full = decide(state);
    let (loaded, _) = State::resolve(state, &mut decide);
    assert_eq!(
        loaded, full,
        "{what}: the answer on the loaded state differs from the full state's"
    );
    full
}

fn run(file: &str) {
    let path = scenario_dir().join(format!("{file}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let scenario: Value = serde_json::from_str(&text).unwrap();
    let mut state = State::default();
    let mut now =
        Timestamp::parse(scenario["start"].as_str().unwrap_or("2026-01-05T09:00:00Z")).unwrap();
    let mut counter = 0u32;
    let mut saved = BTreeMap::new();
    let mut tokens = BTreeMap::new();

    // Records are imported through the store's own commands, as the worker imports them.
    let records = &scenario["records"];
    for (kind, command) in [
        ("accounts", "importAccount"),
        ("products", "importProduct"),
        ("licenses", "importLicense"),
        ("orders", "importOrder"),
        ("contracts", "importContract"),
    ] {
        for record in records[kind].as_array().cloned().unwrap_or_default() {
            let command: StoreCommand =
                serde_json::from_value(json!({ "type": command, "record": record })).unwrap();
            let outcome = on_loaded_state(file, &state, |s| execute_store(s, &command, now))
                .unwrap_or_else(|e| panic!("{file}: import {kind}: {e}"));
            state.apply_all(&outcome.changes);
        }
    }

    for (index, step) in scenario["steps"].as_array().unwrap().iter().enumerate() {
        let mut step = resolve(step, &saved, &tokens);
        if let Some(values) = step.get("remember").and_then(Value::as_object) {
            saved.extend(values.iter().map(|(k, v)| (k.clone(), v.clone())));
            continue;
        }
        // Lists of ids compare as sets.
        for list in ["ids", "pending", "accounts", "transfers"] {
            if let Some(Value::Array(items)) = step.get_mut("expect").and_then(|e| e.get_mut(list))
            {
                items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            }
        }
        now = match step.get("at").and_then(Value::as_str) {
            Some(at) => Timestamp::parse(at).unwrap(),
            None => Timestamp::from_unix_millis(now.unix_millis() + 1_000),
        };
        let actor =
            AccountId::new(step.get("as").and_then(Value::as_str).unwrap_or("store")).unwrap();
        let expected = &step["expect"];
        let actual = if let Some(command) = step.get("do") {
            let command: Command = serde_json::from_value(command.clone())
                .unwrap_or_else(|e| panic!("{file} step {index}: {e}"));
            let fresh: Vec<String> = (0..110)
                .map(|_| {
                    counter += 1;
                    format!("f{counter:04}abcdefghijklmnopq")
                })
                .collect();
            let ctx = Context {
                actor: actor.clone(),
                now,
                fresh,
            };
            let here = format!("{file} step {index}");
            match on_loaded_state(&here, &state, |s| execute(s, &command, &ctx)) {
                Ok(outcome) => {
                    state.apply_all(&outcome.changes);
                    for event in &outcome.events {
                        let value = serde_json::to_value(&event.payload).unwrap();
                        let payload = &value["payload"];
                        if let (Some(id), Some(token)) = (
                            payload["invitationId"].as_str(),
                            payload["acceptToken"].as_str(),
                        ) {
                            tokens.insert(id.to_owned(), token.to_owned());
                        }
                    }
                    let values = saveable(&outcome);
                    for (alias, field) in step
                        .get("save")
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default()
                    {
                        let field = field.as_str().unwrap();
                        let value = values.get(field).unwrap_or_else(|| {
                            panic!("{file} step {index}: nothing to save as `{field}`")
                        });
                        saved.insert(alias, value.clone());
                    }
                    json!({ "ok": true })
                }
                Err(error) => error_value(&error),
            }
        } else if let Some(command) = step.get("store") {
            let command: StoreCommand = serde_json::from_value(command.clone()).unwrap();
            let here = format!("{file} step {index}");
            match on_loaded_state(&here, &state, |s| execute_store(s, &command, now)) {
                Ok(outcome) => {
                    state.apply_all(&outcome.changes);
                    json!({ "ok": true })
                }
                Err(error) => error_value(&error),
            }
        } else if let Some(check) = step.get("check") {
            let action: Action = check[0].as_str().unwrap().parse().unwrap();
            let resource: Resource =
                serde_json::from_value(json!({ "type": check[1], "id": check[2] })).unwrap();
            // As the browser and the worker do: decide on the actor's access snapshot.
            let here = format!("{file} step {index}");
            let snapshot = on_loaded_state(&here, &state, |s| access_snapshot(s, &actor));
            let decision = authorize(&snapshot, &actor, action, &resource, now).unwrap();
            let on_full_state = authorize(&state, &actor, action, &resource, now).unwrap();
            assert_eq!(
                decision, on_full_state,
                "{file} step {index}: the snapshot changed the answer"
            );
            // The npm package's `Access` decides on the snapshot indexed once.
            let mut indexed = snapshot.clone();
            indexed.index();
            assert_eq!(
                authorize(&indexed, &actor, action, &resource, now).unwrap(),
                on_full_state,
                "{file} step {index}: the indexed snapshot changed the answer"
            );
            // The worker decides on the scoped snapshot it loads read by read.
            let (scoped, _) = State::resolve(&state, |s| {
                scoped_snapshot(s, &actor, std::slice::from_ref(&resource), now)
            });
            assert_eq!(
                authorize(&scoped, &actor, action, &resource, now).unwrap(),
                on_full_state,
                "{file} step {index}: the scoped snapshot changed the answer"
            );
            serde_json::to_value(&decision).unwrap()
        } else if let Some(q) = step.get("query") {
            let here = format!("{file} step {index}");
            on_loaded_state(&here, &state, |s| query(s, &actor, q, now))
        } else {
            panic!("{file} step {index}: a step needs `do`, `store`, `check` or `query`");
        };
        assert!(
            contains(&actual, expected),
            "{file} step {index}: expected {expected}, got {actual}"
        );
    }
}

macro_rules! scenarios {
    ($($name:ident,)*) => {
        $(#[test] fn $name() { run(stringify!($name)); })*

        #[test]
        fn every_scenario_file_has_a_test() {
            let mut files: Vec<String> = std::fs::read_dir(scenario_dir())
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
                .collect();
            files.sort();
            let mut listed: Vec<String> = [$(stringify!($name),)*].iter().map(|s| s.to_string()).collect();
            listed.sort();
            assert_eq!(files, listed, "tests/scenarios and this list must match");
        }
    };
}

scenarios! {
    accept_token_is_single_use_and_bound_to_the_invited_account,
    additional_license_needs_a_primary_one,
    cancelled_invitation_cannot_be_accepted,
    company_admin_transfers_an_employees_license,
    delegate_accepts_by_link_and_sees_the_contract,
    delegate_has_no_access_to_a_one_off_contract,
    delegate_may_view_provision_and_open_tickets,
    delegate_never_touches_billing_contract_or_delegates,
    delegate_sees_tickets_from_when_it_was_added,
    delegates_only_on_subscription_contracts,
    emails_and_names_refuse_invisible_characters,
    expired_invitation_makes_way_for_a_new_one,
    invitation_belongs_to_the_invited_account_not_its_address,
    invitation_expires_after_seven_days,
    invitee_needs_a_store_account,
    license_in_use_moves_only_with_its_project,
    lite_panels_must_be_signed_out_before_transfer,
    marking_a_license_unpaid_counts_against_the_limit,
    only_the_contract_owner_invites_delegates,
    order_transfer_is_for_partners_only,
    order_transfer_takes_licenses_off_projects_that_stay,
    one_pending_transfer_per_license_whoever_asks,
    owner_creates_projects_and_assigns_own_licenses,
    owner_has_every_contract_action,
    owner_revokes_a_delegate_at_any_time,
    owner_sees_licenses_recipients_assigned,
    partner_transfers_a_whole_order_with_recurring_fees,
    pending_transfer_shows_only_to_those_who_may_act_on_it,
    project_kind_limits_who_may_receive_it,
    recipient_assigns_and_unassigns_its_own_licenses,
    recipient_has_limited_access,
    reseller_creates_customers_and_licenses_for_them,
    reseller_holds_at_most_10_unpaid_licenses,
    reseller_marks_a_license_paid_later,
    reseller_sees_its_customers_licenses_read_only,
    resend_replaces_the_token,
    server_must_be_deactivated_before_transfer,
    shared_project_appears_for_the_recipient_at_once,
    sharing_is_per_project_not_per_order,
    sharing_refuses_self_unknown_and_duplicates,
    transfer_moves_nothing_until_accepted_and_expires_after_seven_days,
    trial_licenses_last_14_days_30_for_prestashop,
    unsharing_removes_the_project_and_the_recipients_licenses,
    unused_license_moves_at_the_owners_request,
}
