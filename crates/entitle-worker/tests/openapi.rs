//! The committed OpenAPI document and error reference are the generated ones, so they cannot
//! drift from the route table and the types. Regenerate with
//! `cargo run -p entitle-worker --bin openapi`.

use entitle_worker::openapi::{document, document_text, error_reference};
use std::collections::BTreeSet;
use std::path::Path;

fn committed(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_default()
}

#[test]
fn the_committed_openapi_document_is_the_generated_one() {
    assert!(
        committed("openapi.json") == document_text(),
        "openapi.json is stale: run `cargo run -p entitle-worker --bin openapi`"
    );
}

#[test]
fn the_committed_error_reference_is_the_generated_one() {
    assert!(
        committed("docs/errors.md") == error_reference(),
        "docs/errors.md is stale: run `cargo run -p entitle-worker --bin openapi`"
    );
}

#[test]
fn every_operation_has_a_unique_id_and_every_error_code_is_in_the_reference() {
    let doc = document();
    let reference = error_reference();
    let mut ids = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    assert!(paths.len() > 30);
    for (path, methods) in paths {
        for (method, op) in methods.as_object().cloned().unwrap_or_default() {
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            assert!(!id.is_empty(), "{method} {path} has no operationId");
            assert!(ids.insert(id.clone()), "operationId {id} is used twice");
            let responses = op["responses"].as_object().cloned().unwrap_or_default();
            for (status, response) in responses {
                let codes = response["content"]["application/problem+json"]["schema"]["allOf"][1]
                    ["properties"]["code"]["enum"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                for code in codes {
                    let code = code.as_str().unwrap_or_default();
                    seen.insert(code.to_owned());
                    let line = reference
                        .lines()
                        .find(|l| l.starts_with(&format!("| <a id=\"{code}\"></a>")))
                        .unwrap_or_default();
                    let listed = line.split(" | ").nth(1).unwrap_or_default();
                    assert!(
                        listed.split(", ").any(|s| s == status),
                        "{method} {path} answers {status} `{code}`, which docs/errors.md does not list with that status"
                    );
                }
            }
        }
    }
    // Every code of the reference was checked against some route, and no route answers a code
    // the reference lacks: the loops above did not pass by checking nothing.
    let documented: BTreeSet<String> = reference
        .lines()
        .filter_map(|l| l.strip_prefix("| <a id=\""))
        .filter_map(|l| l.split('"').next())
        .map(str::to_owned)
        .collect();
    assert!(
        documented.len() > 60,
        "{} codes in docs/errors.md",
        documented.len()
    );
    // Codes the reference documents that no operation answers as an error: a 405 belongs to
    // no operation; two deny reasons only ever come in an `authorize` answer's body; and the
    // rules' generic codes, which the worker maps to specific ones before answering.
    let not_an_operations_error = [
        "conflict",
        "fresh_values_exhausted",
        "invalid_input",
        "method_not_allowed",
        "not_found",
        "nothing_to_revoke",
        "share_recipient_sees_own_licenses",
    ];
    let unanswered: Vec<&String> = (documented.difference(&seen))
        .filter(|c| !not_an_operations_error.contains(&c.as_str()))
        .collect();
    assert_eq!(
        seen.len() + not_an_operations_error.len(),
        documented.len(),
        "every documented code is answered by an operation or named above"
    );
    let undocumented: Vec<&String> = seen.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "answered but not in docs/errors.md: {undocumented:?}"
    );
    assert!(
        unanswered.is_empty(),
        "in docs/errors.md but answered by no route: {unanswered:?}"
    );
}
