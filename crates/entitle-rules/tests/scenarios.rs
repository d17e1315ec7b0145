//! Runs the shared scenario files under `tests/scenarios/` against the rules natively.
//! The same files run in Node through the npm package and over HTTP against the worker.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code fails loudly"
)]
#![allow(
    clippy::too_many_lines,
    reason = "the runner reads each kind of step in one place; the 80-line limit is for crates/*/src"
)]

use entitle_rules::access::{
    contract_view, contracts_for, delegates_for, licenses_for, project_licenses, projects_for,
    tickets_for, transfers_for,
};
use entitle_rules::decision::{contract_role, project_role};
use entitle_rules::ids::{AccountId, ContractId, ProjectId};
use entitle_rules::plan::Plan;
use entitle_rules::reseller::managed_customers;
use entitle_rules::{
    Action, Command, CommandError, Context, Outcome, Resource, State, StoreCommand, Timestamp,
    access::scoped_snapshot, access_snapshot, authorize, execute, execute_store,
};
use entitle_rules::{list, plans};
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

/// The query table (`tests/scenarios/queries.json`), which the JavaScript runners read too.
fn queries() -> Value {
    let path = scenario_dir().join("queries.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// What the rules function a query row names answers, as JSON (an error as its code and status).
fn call(
    state: &State,
    actor: &AccountId,
    name: &str,
    args: &[Value],
    now: Timestamp,
) -> Result<Value, Value> {
    let text = |i: usize| args[i].as_str().unwrap_or_default().to_owned();
    let contract = |i| ContractId::new(text(i)).unwrap();
    let project = |i| ProjectId::new(text(i)).unwrap();
    let time = |i| Timestamp::parse(&text(i)).unwrap();
    fn json<T: Serialize>(value: &T) -> Value {
        serde_json::to_value(value).unwrap()
    }
    match name {
        "projects" => Ok(json(&projects_for(state, actor, now))),
        "projectLicenses" => project_licenses(state, actor, &project(0), now).map(|v| json(&v)),
        "licenses" => Ok(json(&licenses_for(state, actor, now))),
        "contracts" => Ok(json(&contracts_for(state, actor, now))),
        "contract" => contract_view(state, actor, &contract(0), now).map(|v| json(&v)),
        "tickets" => tickets_for(state, actor, &contract(0), now).map(|v| json(&v)),
        "delegates" => delegates_for(state, actor, &contract(0), time(1)).map(|v| json(&v)),
        "customers" => Ok(json(&managed_customers(state, actor))),
        "transfers" => Ok(json(&transfers_for(state, actor, time(0)))),
        "accessSnapshot" => Ok(json(&access_snapshot(state, actor, now))),
        other => panic!("no rules function `{other}` for the query table"),
    }
    .map_err(|e| error_value(&e))
}

/// What the worker answers a query with: the query's plan loaded in one round of reads, then the
/// rules' view on it, item by item for a list page; it must read nothing beyond the plan.
fn planned_call(
    state: &State,
    actor: &AccountId,
    name: &str,
    args: &[Value],
    now: Timestamp,
) -> Result<Value, Value> {
    let text = |i: usize| args[i].as_str().unwrap_or_default().to_owned();
    let contract = |i| ContractId::new(text(i)).unwrap();
    let project = |i| ProjectId::new(text(i)).unwrap();
    let time = |i| Timestamp::parse(&text(i)).unwrap();
    fn json<T: Serialize>(value: &T) -> Value {
        serde_json::to_value(value).unwrap()
    }
    const ALL: usize = 1_000;
    let page = |plan: Plan, item: &dyn Fn(&State, &str) -> Option<Value>| {
        let (loaded, found) = plan.load(state);
        let items: Vec<Value> = found.keys.iter().filter_map(|k| item(&loaded, k)).collect();
        (loaded, Value::Array(items))
    };
    let (loaded, answer) = match name {
        "projects" => page(plans::projects_page(actor, "", ALL), &|s, k| {
            list::project_item(s, actor, now, k).map(|v| json(&v))
        }),
        "projectLicenses" => {
            let id = project(0);
            let (loaded, items) = page(
                plans::project_licenses_page(actor, &id, "", ALL),
                &|s, k| list::project_license_item(s, actor, &id, now, k).map(|v| json(&v)),
            );
            match project_role(&loaded, actor, &id, now) {
                Some(_) => (loaded, items),
                None => {
                    return project_licenses(state, actor, &id, now)
                        .map(|v| json(&v))
                        .map_err(|e| error_value(&e));
                }
            }
        }
        "licenses" => page(plans::licenses_page(actor, "", ALL), &|s, k| {
            list::license_item(s, actor, now, k).map(|v| json(&v))
        }),
        "contracts" => page(plans::contracts_page(actor, "", ALL), &|s, k| {
            list::contract_item(s, actor, now, k).map(|v| json(&v))
        }),
        "tickets" => {
            let id = contract(0);
            let (loaded, items) = page(plans::tickets_page(actor, &id, "", ALL), &|s, k| {
                list::ticket_item(s, actor, &id, now, k).map(|v| json(&v))
            });
            match contract_role(&loaded, actor, &id, now) {
                Some(_) => (loaded, items),
                None => {
                    return tickets_for(state, actor, &id, now)
                        .map(|v| json(&v))
                        .map_err(|e| error_value(&e));
                }
            }
        }
        "customers" => page(plans::customers_page(actor, "", ALL), &|s, k| {
            list::customer_item(s, actor, k).map(|v| json(&v))
        }),
        "transfers" => page(plans::transfers_page(actor, "", ALL), &|s, k| {
            list::transfer_item(s, actor, time(0), k).map(|v| json(&v))
        }),
        "contract" => {
            let (loaded, _) = plans::contract(actor, &contract(0)).load(state);
            let answer = contract_view(&loaded, actor, &contract(0), now).map(|v| json(&v));
            (loaded, answer.unwrap_or_else(|e| error_value(&e)))
        }
        "delegates" => {
            let (loaded, _) = plans::delegates(&contract(0)).load(state);
            let answer = delegates_for(&loaded, actor, &contract(0), time(1)).map(|v| json(&v));
            (loaded, answer.unwrap_or_else(|e| error_value(&e)))
        }
        "accessSnapshot" => {
            let (loaded, _) = plans::snapshot(actor).load(state);
            let answer = json(&access_snapshot(&loaded, actor, now));
            (loaded, answer)
        }
        other => panic!("no plan for the rules function `{other}`"),
    };
    let missing = loaded.missing();
    assert!(
        missing.is_empty(),
        "`{name}` read beyond its plan: {missing:?}"
    );
    Ok(answer)
}

/// A query's answer, shaped by its row of the query table.
fn query(state: &State, actor: &AccountId, q: &Value, now: Timestamp, table: &Value) -> Value {
    let kind = q["type"].as_str().unwrap();
    let row = table
        .get(kind)
        .unwrap_or_else(|| panic!("unknown query type `{kind}`"));
    let args: Vec<Value> = row["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| match a.as_str().unwrap() {
            "now" => json!(now.to_string()),
            field => q[field].clone(),
        })
        .collect();
    let name = row["call"].as_str().unwrap();
    let answer = match call(state, actor, name, &args, now) {
        Ok(answer) => answer,
        Err(error) => return error,
    };
    // The worker's way (its plan, then the view) answers the same.
    let planned = planned_call(state, actor, name, &args, now);
    assert_eq!(
        planned,
        Ok(answer.clone()),
        "`{name}` answers otherwise on its plan"
    );
    let mut out = Map::new();
    for (field, spec) in row["answer"].as_object().unwrap() {
        let mut value = match spec.get("from").and_then(Value::as_str) {
            None => answer.clone(),
            Some(key) => match &answer[key] {
                Value::Null => json!([]),
                v => v.clone(),
            },
        };
        if let Some(filter) = spec.get("where").and_then(Value::as_object) {
            let items = value.as_array().unwrap().iter();
            value = Value::Array(
                items
                    .filter(|item| filter.iter().all(|(k, v)| &item[k] == v))
                    .cloned()
                    .collect(),
            );
        }
        if let Some(id) = spec.get("ids").and_then(Value::as_str) {
            let mut ids: Vec<String> = value
                .as_array()
                .unwrap()
                .iter()
                .map(|item| item[id].as_str().unwrap().to_owned())
                .collect();
            ids.sort();
            value = json!(ids);
        }
        out.insert(field.clone(), value);
    }
    Value::Object(out)
}

/// An event as a step compares it: its type and actor beside its payload's fields.
fn flat_event(event: &entitle_rules::Event) -> Value {
    let value = serde_json::to_value(event).unwrap();
    let mut flat = Map::new();
    flat.insert("type".into(), value["type"].clone());
    flat.insert("actorId".into(), value["actorId"].clone());
    if let Some(payload) = value["payload"].as_object() {
        flat.extend(payload.clone());
    }
    Value::Object(flat)
}

/// Checks a step's form: one kind, an expectation that can fail, no field the runner ignores.
fn check_step(step: &Value, here: &str) {
    const KINDS: [&str; 5] = ["do", "store", "check", "query", "remember"];
    const OTHERS: [&str; 5] = ["description", "as", "at", "save", "expect"];
    let fields = step.as_object().unwrap();
    for key in fields.keys() {
        assert!(
            KINDS.contains(&key.as_str()) || OTHERS.contains(&key.as_str()),
            "{here}: unknown step field `{key}`"
        );
    }
    let kinds = KINDS.iter().filter(|k| fields.contains_key(**k)).count();
    assert_eq!(kinds, 1, "{here}: a step needs exactly one of {KINDS:?}");
    if fields.contains_key("remember") {
        return;
    }
    let expect = step
        .get("expect")
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("{here}: a step needs an `expect`"));
    assert!(
        !expect.is_empty(),
        "{here}: an empty `expect` matches anything"
    );
    assert!(
        !(fields.contains_key("do") || fields.contains_key("store"))
            || expect.contains_key("error")
            || expect.get("events").is_some_and(Value::is_array),
        "{here}: a command step expects an `error` or its `events`"
    );
}

/// Runs `decide` on the full state and on what `plan` loads from it, as the worker loads it (one
/// round of reads); both must agree, and the decision must want nothing beyond the plan.
fn on_planned_state<T: PartialEq + std::fmt::Debug>(
    what: &str,
    state: &State,
    plan: &Plan,
    mut decide: impl FnMut(&State) -> T,
) -> T {
    let full = decide(state);
    let (planned, missing) = plan.run(state, &mut decide);
    assert_eq!(
        planned, full,
        "{what}: the answer on the planned state differs from the full state's"
    );
    assert!(
        missing.is_empty(),
        "{what}: read beyond its plan: {missing:?}"
    );
    full
}

/// A scenario file with its world's records merged in (the world's first, then its own).
fn load(file: &str) -> Value {
    let read = |path: PathBuf| -> Value {
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    with_world(file, read(scenario_dir().join(format!("{file}.json"))))
}

/// Merges the records of the world a scenario names into it.
fn with_world(file: &str, mut scenario: Value) -> Value {
    let read = |path: PathBuf| -> Value {
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    for key in scenario.as_object().unwrap().keys() {
        assert!(
            ["seed", "covers", "world", "records", "start", "steps"].contains(&key.as_str()),
            "{file}: unknown scenario field `{key}`"
        );
    }
    let world_name = scenario["world"]
        .as_str()
        .unwrap_or_else(|| panic!("{file}: a scenario names its `world`"));
    let world = read(
        scenario_dir()
            .join("worlds")
            .join(format!("{world_name}.json")),
    );
    let mut records = Map::new();
    for (kind, _) in IMPORTS {
        let mut list = world["records"][kind]
            .as_array()
            .cloned()
            .unwrap_or_default();
        list.extend(
            scenario["records"][kind]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        );
        records.insert(kind.into(), Value::Array(list));
    }
    scenario["records"] = Value::Object(records);
    scenario
}

/// The record imports of a scenario, in dependency order.
const IMPORTS: [(&str, &str); 5] = [
    ("accounts", "importAccount"),
    ("products", "importProduct"),
    ("licenses", "importLicense"),
    ("orders", "importOrder"),
    ("contracts", "importContract"),
];

/// Lists of ids compare as sets.
fn sort_ids(expected: &mut Value) {
    for list in ["ids", "pending", "accounts", "transfers"] {
        if let Some(Value::Array(items)) = expected.get_mut(list) {
            items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        }
    }
}

fn run(file: &str) {
    run_scenario(file, &load(file));
}

fn run_scenario(file: &str, scenario: &Value) {
    let table = queries();
    let mut state = State::default();
    let mut now =
        Timestamp::parse(scenario["start"].as_str().unwrap_or("2026-01-05T09:00:00Z")).unwrap();
    let mut counter = 0u32;
    let mut saved = BTreeMap::new();
    let mut tokens = BTreeMap::new();

    // Records are imported through the store's own commands, as the worker imports them.
    for (kind, command) in IMPORTS {
        for record in scenario["records"][kind]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let command: StoreCommand =
                serde_json::from_value(json!({ "type": command, "record": record })).unwrap();
            let plan = plans::store_commands(std::slice::from_ref(&command));
            let outcome =
                on_planned_state(file, &state, &plan, |s| execute_store(s, &command, now))
                    .unwrap_or_else(|e| panic!("{file}: import {kind}: {e}"));
            state.apply_all(&outcome.changes);
        }
    }

    for (index, raw) in scenario["steps"].as_array().unwrap().iter().enumerate() {
        let here = format!("{file} step {index}");
        check_step(raw, &here);
        // The expectation is resolved after the step, with what the step saved.
        let mut step = raw.clone();
        let expect = step.as_object_mut().unwrap().remove("expect");
        let step = resolve(&step, &saved, &tokens);
        if let Some(values) = step.get("remember").and_then(Value::as_object) {
            saved.extend(values.iter().map(|(k, v)| (k.clone(), v.clone())));
            continue;
        }
        now = match step.get("at").and_then(Value::as_str) {
            Some(at) => Timestamp::parse(at).unwrap(),
            None => Timestamp::from_unix_millis(now.unix_millis() + 1_000),
        };
        let actor =
            AccountId::new(step.get("as").and_then(Value::as_str).unwrap_or("store")).unwrap();
        let actual = if let Some(command) = step.get("do") {
            let command: Command =
                serde_json::from_value(command.clone()).unwrap_or_else(|e| panic!("{here}: {e}"));
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
            let plan = plans::command(&actor, &command);
            match on_planned_state(&here, &state, &plan, |s| execute(s, &command, &ctx)) {
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
                        let value = values
                            .get(field)
                            .unwrap_or_else(|| panic!("{here}: nothing to save as `{field}`"));
                        saved.insert(alias, value.clone());
                    }
                    let events: Vec<Value> = outcome.events.iter().map(flat_event).collect();
                    json!({ "ok": true, "events": events })
                }
                Err(error) => error_value(&error),
            }
        } else if let Some(command) = step.get("store") {
            let command: StoreCommand = serde_json::from_value(command.clone()).unwrap();
            let plan = plans::store_commands(std::slice::from_ref(&command));
            match on_planned_state(&here, &state, &plan, |s| execute_store(s, &command, now)) {
                Ok(outcome) => {
                    state.apply_all(&outcome.changes);
                    let events: Vec<Value> = outcome.events.iter().map(flat_event).collect();
                    json!({ "ok": true, "events": events })
                }
                Err(error) => error_value(&error),
            }
        } else if let Some(check) = step.get("check") {
            let action: Action = check[0].as_str().unwrap().parse().unwrap();
            let resource: Resource =
                serde_json::from_value(json!({ "type": check[1], "id": check[2] })).unwrap();
            // As the browser and the worker do: decide on the actor's access snapshot.
            let plan = plans::snapshot(&actor);
            let snapshot =
                on_planned_state(&here, &state, &plan, |s| access_snapshot(s, &actor, now));
            let decision = authorize(&snapshot, &actor, action, &resource, now).unwrap();
            let on_full_state = authorize(&state, &actor, action, &resource, now).unwrap();
            assert_eq!(
                decision, on_full_state,
                "{here}: the snapshot changed the answer"
            );
            // The npm package's `Access` decides on the snapshot indexed once.
            let mut indexed = snapshot.clone();
            indexed.index();
            assert_eq!(
                authorize(&indexed, &actor, action, &resource, now).unwrap(),
                on_full_state,
                "{file} step {index}: the indexed snapshot changed the answer"
            );
            // The npm package's `Access` decides on the snapshot indexed once.
            let mut indexed = snapshot.clone();
            indexed.index();
            assert_eq!(
                authorize(&indexed, &actor, action, &resource, now).unwrap(),
                on_full_state,
                "{file} step {index}: the indexed snapshot changed the answer"
            );
            // The worker decides on the scoped snapshot it loads by its plan.
            let plan = plans::authorize(&actor, &resource);
            let (scoped, missing) = plan.run(&state, |s| {
                scoped_snapshot(s, &actor, std::slice::from_ref(&resource), now)
            });
            assert!(
                missing.is_empty(),
                "{here}: the scoped snapshot read beyond its plan: {missing:?}"
            );
            assert_eq!(
                authorize(&scoped, &actor, action, &resource, now).unwrap(),
                on_full_state,
                "{here}: the scoped snapshot changed the answer"
            );
            serde_json::to_value(&decision).unwrap()
        } else if let Some(q) = step.get("query") {
            query(&state, &actor, q, now, &table)
        } else {
            panic!("{here}: a step needs `do`, `store`, `check` or `query`");
        };
        let mut expected = resolve(&expect.unwrap(), &saved, &tokens);
        sort_ids(&mut expected);
        assert!(
            contains(&actual, &expected),
            "{here}: expected {expected}, got {actual}"
        );
    }
}

macro_rules! scenarios {
    ($($name:ident,)*) => {
        $(#[test] fn $name() { run(stringify!($name)); })*

        #[test]
        #[should_panic(expected = "a step needs an `expect`")]
        fn a_step_without_an_expectation_fails() {
            let step = json!({ "as": "owner", "check": ["project.view", "project", "P"] });
            run_scenario("test", &with_world("test", json!({ "world": "sharing", "steps": [step] })));
        }

        #[test]
        #[should_panic(expected = "a command step expects an `error` or its `events`")]
        fn a_command_step_expecting_only_success_fails() {
            let step = json!({ "as": "owner", "do": { "type": "createProject", "name": "P" }, "expect": { "ok": true } });
            run_scenario("test", &with_world("test", json!({ "world": "sharing", "steps": [step] })));
        }

        #[test]
        #[should_panic(expected = "nothing to save as `projectID`")]
        fn saving_a_field_the_command_did_not_produce_fails() {
            let step = json!({
                "as": "owner", "do": { "type": "createProject", "name": "P" }, "save": { "p": "projectID" },
                "expect": { "events": [{ "type": "project.created" }] },
            });
            run_scenario("test", &with_world("test", json!({ "world": "sharing", "steps": [step] })));
        }

        #[test]
        fn every_scenario_file_has_a_test() {
            let mut files: Vec<String> = std::fs::read_dir(scenario_dir())
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .filter(|p| !p.ends_with("queries.json"))
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
    company_admin_sees_an_employees_pending_project_transfer,
    company_admin_transfers_an_employees_license,
    delegate_accepts_by_link_and_sees_the_contract,
    delegate_has_no_access_to_a_one_off_contract,
    delegate_may_view_provision_and_open_tickets,
    delegate_never_touches_billing_contract_or_delegates,
    delegate_sees_tickets_from_when_it_was_added,
    delegates_only_on_subscription_contracts,
    delegation_for_a_time_ends_with_its_window,
    emails_and_names_refuse_invisible_characters,
    every_name_refuses_what_prints_as_nothing,
    expired_invitation_makes_way_for_a_new_one,
    imported_addresses_are_normalized_as_typed_ones,
    invitation_belongs_to_the_invited_account_not_its_address,
    invitation_expires_after_seven_days,
    invitation_offers_a_window_and_is_refused_after_its_end,
    invitee_needs_a_store_account,
    license_in_use_moves_only_with_its_project,
    lite_panels_must_be_signed_out_before_transfer,
    marking_a_license_unpaid_counts_against_the_limit,
    one_pending_transfer_per_license_whoever_asks,
    only_the_contract_owner_invites_delegates,
    order_transfer_is_for_partners_only,
    order_transfer_takes_licenses_off_projects_that_stay,
    owner_creates_projects_and_assigns_own_licenses,
    owner_extends_or_ends_a_share_early,
    owner_has_every_contract_action,
    owner_may_remove_leftover_delegates_of_a_one_off_contract,
    owner_revokes_a_delegate_at_any_time,
    owner_sees_licenses_recipients_assigned,
    owner_still_revokes_and_cancels_on_a_one_off_contract,
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
    share_for_a_time_ends_with_the_licenses_the_recipient_brought,
    share_that_starts_later_gives_nothing_before_its_start,
    shared_project_appears_for_the_recipient_at_once,
    sharing_is_per_project_not_per_order,
    sharing_refuses_self_unknown_and_duplicates,
    sweep_reminds_before_a_delegation_ends_and_records_its_end_once,
    sweep_reminds_before_a_share_ends_and_records_its_end_once,
    transfer_moves_nothing_until_accepted_and_expires_after_seven_days,
    trial_licenses_last_14_days_30_for_prestashop,
    unsharing_removes_the_project_and_the_recipients_licenses,
    unused_license_moves_at_the_owners_request,
    windows_refuse_times_that_are_not_a_window,
}
