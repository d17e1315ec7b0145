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
}
