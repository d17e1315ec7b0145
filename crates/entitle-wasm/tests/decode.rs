//! The check-only module reads states with `entitle_rules::decode`, not with serde's derived
//! visitors. These tests hold that reader to serde's: the same state from the same text, and
//! the same refusals, for every scenario world and a state that sets every field, under every
//! mutation of every field.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use entitle_rules::{Resource, ResourceType, State, decode};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .parent()
        .unwrap()
}

/// A state in which every record type appears with every one of its fields set (and both
/// kinds of transfer subject).
fn every_field() -> Value {
    json!({
        "accounts": [
            {"id": "reseller", "email": "Sales@Reseller.example", "name": "Reseller", "kind": "reseller"},
            {"id": "emp", "email": "emp@co.example", "name": "Employee", "kind": "customer",
             "companyId": "co", "companyRole": "employee", "managedBy": "reseller"}
        ],
        "products": [{"id": "m2", "name": "Magento 2", "family": "magento", "billing": "one_off"}],
        "licenses": [
            {"licenseKey": "K-1", "productId": "m2", "ownerId": "emp", "orderId": "o1",
             "licenseType": "trial", "tier": "additional", "expiresAt": "2026-12-01T00:00:00Z",
             "activated": true, "projectId": "p1", "assignedBy": "emp",
             "assignedAt": "2026-11-02T10:00:00Z", "assignedUntil": "2026-12-24T00:00:00Z",
             "createdBy": "reseller",
             "createdAt": "2026-11-01T10:00:00Z", "resellerNotes": "net 30",
             "customerDetails": "for the shop", "customerPaid": true,
             "customerPaidAt": "2026-11-03T10:00:00Z"}
        ],
        "orders": [{"id": "o1", "ownerId": "emp", "billingAccountId": "emp",
                    "licenseKeys": ["K-1"], "recurring": true}],
        "projects": [{"id": "p1", "ownerId": "emp", "name": "Shop", "kind": "server",
                      "serverActive": true, "activePanels": 2, "createdAt": "2026-11-01T00:00:00Z"}],
        "shares": [{"projectId": "p1", "accountId": "reseller", "sharedAt": "2026-11-04T00:00:00Z",
                    "startsAt": "2026-11-05T00:00:00Z", "expiresAt": "2026-12-24T00:00:00Z",
                    "nextNoticeAt": "2026-12-17T00:00:00Z"}],
        "contracts": [{"id": "c1", "ownerId": "emp", "productId": "m2", "status": "active",
                       "registeredAt": "2026-01-01T00:00:00Z", "renewsAt": "2027-01-01T00:00:00Z",
                       "billing": "recurring"}],
        "delegates": [{"contractId": "c1", "accountId": "reseller", "status": "revoked",
                       "addedAt": "2026-02-01T00:00:00Z", "revokedAt": "2026-03-01T00:00:00Z",
                       "invitationId": "i1", "startsAt": "2026-02-02T00:00:00Z",
                       "expiresAt": "2026-04-01T00:00:00Z", "nextNoticeAt": "2026-03-25T00:00:00Z"}],
        "invitations": [{"id": "i1", "contractId": "c1", "email": "sales@reseller.example",
                         "accountId": "reseller", "tokenHash": "ab12", "status": "accepted",
                         "createdAt": "2026-01-20T00:00:00Z", "expiresAt": "2026-01-27T00:00:00Z",
                         "resentAt": "2026-01-21T00:00:00Z", "settledAt": "2026-01-22T00:00:00Z",
                         "accessStartsAt": "2026-02-02T00:00:00Z",
                         "accessExpiresAt": "2026-04-01T00:00:00Z"}],
        "tickets": [{"id": "t1", "contractId": "c1", "authorId": "emp",
                     "createdAt": "2026-04-01T00:00:00Z", "subject": "Help", "body": "Please"}],
        "transfers": [
            {"id": "x1", "subject": {"type": "license", "licenseKey": "K-1"}, "fromId": "emp",
             "toId": "reseller", "requestedBy": "emp", "status": "accepted",
             "createdAt": "2026-05-01T00:00:00Z", "expiresAt": "2026-05-08T00:00:00Z",
             "settledAt": "2026-05-02T00:00:00Z"},
            {"id": "x2", "subject": {"type": "project", "projectId": "p1"}, "fromId": "emp",
             "toId": "reseller", "requestedBy": "emp", "status": "pending",
             "createdAt": "2026-05-01T00:00:00Z", "expiresAt": "2026-05-08T00:00:00Z"}
        ]
    })
}

/// Every scenario world's records, and the state that sets every field.
fn states() -> Vec<(String, Value)> {
    let mut states = vec![("every field".to_owned(), every_field())];
    let worlds = root().join("tests/scenarios/worlds");
    let mut files: Vec<_> = std::fs::read_dir(&worlds)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in files {
        let world: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        states.push((file.display().to_string(), world["records"].clone()));
    }
    assert!(
        states.len() >= 5,
        "the scenario worlds were not found in {}",
        worlds.display()
    );
    states
}

/// What serde and the decoder make of one text: `Ok` with the same state, or both refusals.
fn same_reading(text: &str) -> Result<bool, String> {
    match (serde_json::from_str::<State>(text), decode::state(text)) {
        (Ok(serde), Ok(ours)) if serde == ours => Ok(true),
        (Err(_), Err(_)) => Ok(false),
        (serde, ours) => Err(format!("serde: {serde:?}\ndecode: {ours:?}")),
    }
}

/// Where the objects and arrays of a JSON value are, as paths of keys and indexes.
fn containers(value: &Value, at: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match value {
        Value::Object(map) => {
            out.push(at.clone());
            for (key, child) in map {
                at.push(json!(key));
                containers(child, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            out.push(at.clone());
            for (i, child) in items.iter().enumerate() {
                at.push(json!(i));
                containers(child, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn at_path<'a>(value: &'a mut Value, path: &[Value]) -> &'a mut Value {
    path.iter().fold(value, |v, step| match step {
        Value::String(key) => &mut v[key.as_str()],
        Value::Number(i) => &mut v[usize::try_from(i.as_u64().unwrap()).unwrap()],
        _ => unreachable!(),
    })
}

/// Values of every JSON type, and strings that are valid or not for each leaf type.
fn replacements() -> Vec<Value> {
    vec![
        json!(null),
        json!(true),
        json!(false),
        json!(0),
        json!(7),
        json!(-1),
        json!(4_294_967_296_u64),
        json!(1.5),
        json!(""),
        json!("x"),
        json!("not an id!"),
        json!("someone@example.com"),
        json!("2026-11-01T00:00:00Z"),
        json!("recurring"),
        json!("pending"),
        json!("license"),
        json!([]),
        json!(["K-1"]),
        json!({}),
    ]
}

/// Every mutation of one state: each object gains an unknown field and loses or changes each
/// field in turn; each array is replaced or gains a foreign item; the whole is replaced.
fn mutations(state: &Value) -> Vec<(String, Value)> {
    let mut paths = Vec::new();
    containers(state, &mut Vec::new(), &mut paths);
    let mut out = Vec::new();
    for path in &paths {
        let mut base = state.clone();
        match at_path(&mut base, path).clone() {
            Value::Object(map) => {
                let mut added = state.clone();
                at_path(&mut added, path)["zzUnknown"] = json!(1);
                out.push((format!("{path:?} + zzUnknown"), added));
                for key in map.keys() {
                    let mut removed = state.clone();
                    at_path(&mut removed, path)
                        .as_object_mut()
                        .unwrap()
                        .remove(key);
                    out.push((format!("{path:?} - {key}"), removed));
                    for replacement in replacements() {
                        let mut changed = state.clone();
                        at_path(&mut changed, path)[key.as_str()] = replacement.clone();
                        out.push((format!("{path:?}.{key} = {replacement}"), changed));
                    }
                }
            }
            Value::Array(_) => {
                for replacement in [json!(null), json!({}), json!("x")] {
                    let mut changed = state.clone();
                    *at_path(&mut changed, path) = replacement.clone();
                    out.push((format!("{path:?} = {replacement}"), changed));
                }
                let mut grown = state.clone();
                at_path(&mut grown, path)
                    .as_array_mut()
                    .unwrap()
                    .push(json!(5));
                out.push((format!("{path:?} + 5"), grown));
            }
            _ => unreachable!(),
        }
    }
    // Not `[]`: see `a_state_is_an_object_never_serdes_sequence_form`.
    for whole in [json!(null), json!([1]), json!("state"), json!({})] {
        out.push((format!("state = {whole}"), whole));
    }
    out
}

#[test]
fn the_decoder_reads_every_world_as_serde_does() {
    for (name, state) in states() {
        let text = serde_json::to_string(&state).unwrap();
        assert_eq!(same_reading(&text), Ok(true), "{name} is not read alike");
    }
}

#[test]
fn the_decoder_accepts_and_refuses_every_mutation_as_serde_does() {
    let (mut accepted, mut refused, mut differ) = (0, 0, Vec::new());
    for (name, state) in states() {
        for (mutation, mutated) in mutations(&state) {
            match same_reading(&serde_json::to_string(&mutated).unwrap()) {
                Ok(true) => accepted += 1,
                Ok(false) => refused += 1,
                Err(both) => differ.push(format!("{name}: {mutation}\n{both}")),
            }
        }
    }
    assert!(
        differ.is_empty(),
        "{} mutations read differently:\n{}",
        differ.len(),
        differ.join("\n")
    );
    // Both kinds occur in numbers: the test compares readings, not two refusals of garbage.
    assert!(
        accepted > 1_000 && refused > 4_000,
        "{accepted} accepted, {refused} refused"
    );
}

/// The state that sets every field really does: it names every property the OpenAPI
/// document gives each record (the document is generated from the serde types).
#[test]
fn the_mutated_state_sets_every_field_of_every_record() {
    let document: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("openapi.json")).unwrap())
            .unwrap();
    let schemas = &document["components"]["schemas"];
    let state = every_field();
    let mut missing = BTreeMap::new();
    for (list, property) in schemas["State"]["properties"].as_object().unwrap() {
        let reference = property["items"]["$ref"].as_str().unwrap();
        let record = &schemas[reference.rsplit('/').next().unwrap()];
        let given: BTreeSet<&str> = (state[list].as_array())
            .unwrap_or_else(|| panic!("the state has no `{list}`"))
            .iter()
            .flat_map(|r| r.as_object().unwrap().keys().map(String::as_str))
            .collect();
        let named: BTreeSet<&str> = record["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let absent: Vec<&str> = named.difference(&given).copied().collect();
        if !absent.is_empty() {
            missing.insert(list.clone(), absent);
        }
    }
    assert!(missing.is_empty(), "fields never set: {missing:?}");
}

/// The one difference, by design: serde reads a struct from an array of its fields in order
/// too, and so takes `[]` for an empty state. The format is an object; the decoder says so.
#[test]
fn a_state_is_an_object_never_serdes_sequence_form() {
    assert!(serde_json::from_str::<State>("[]").is_ok());
    assert_eq!(
        decode::state("[]").unwrap_err().to_string(),
        "invalid type: an array, expected an object"
    );
}

#[test]
fn the_decoder_reads_resources_as_serde_does() {
    let resource = json!({"type": "contract", "id": "c1"});
    let mut cases = mutations(&resource);
    cases.push(("as is".to_owned(), resource));
    for (mutation, value) in cases {
        let text = serde_json::to_string(&value).unwrap();
        let serde = serde_json::from_str::<Resource>(&text).ok();
        assert_eq!(serde, decode::resource(&text).ok(), "{mutation}");
    }
    for name in [
        "contract", "project", "license", "order", "account", "Contract", "", "x",
    ] {
        let serde = serde_json::from_value::<ResourceType>(json!(name)).ok();
        assert_eq!(serde, decode::resource_type(name).ok(), "{name}");
    }
}

#[test]
fn decoding_errors_say_where_and_what() {
    let mut state = every_field();
    state["licenses"][0]["ownerId"] = json!(7);
    let error = decode::state(&state.to_string()).unwrap_err();
    assert_eq!(error.path(), "licenses[0].ownerId");
    assert_eq!(error.message(), "invalid type: a number, expected a string");
    state["licenses"][0]
        .as_object_mut()
        .unwrap()
        .remove("ownerId");
    assert_eq!(
        decode::state(&state.to_string()).unwrap_err().to_string(),
        "licenses[0]: missing field `ownerId`"
    );
    state["transfers"][1]["subject"]["type"] = json!("order");
    state["licenses"] = json!([]);
    assert_eq!(
        decode::state(&state.to_string()).unwrap_err().to_string(),
        "transfers[1].subject.type: unknown variant `order`, expected `license` or `project`"
    );
    assert_eq!(
        decode::state(r#"{"accounts": [], "servers": []}"#)
            .unwrap_err()
            .to_string(),
        "unknown field `servers`"
    );
}

#[test]
fn unknown_names_are_worded_as_serde_words_them() {
    let serde = serde_json::from_value::<ResourceType>(json!("widget"))
        .unwrap_err()
        .to_string();
    let ours = decode::resource_type("widget").unwrap_err().to_string();
    assert_eq!(ours, serde);
    assert!(
        ours.contains("expected one of `contract`, `project`"),
        "{ours}"
    );
    let mut state = every_field();
    state["delegates"][0]["status"] = json!("paused");
    let serde = serde_json::from_value::<State>(state.clone())
        .unwrap_err()
        .to_string();
    let ours = decode::state(&state.to_string()).unwrap_err();
    assert_eq!(ours.path(), "delegates[0].status");
    assert!(
        serde.starts_with(ours.message()),
        "{serde} / {}",
        ours.message()
    );
}
