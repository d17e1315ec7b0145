//! Writes the generated `openapi.json` and `docs/errors.md` at the repository's root.
//! `--check` writes nothing and fails when a committed file differs from the generated one.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let check = std::env::args().any(|a| a == "--check");
    let files = [
        ("openapi.json", entitle_worker::openapi::document_text()),
        ("docs/errors.md", entitle_worker::openapi::error_reference()),
    ];
    let mut stale = false;
    for (name, text) in files {
        let path = root.join(name);
        if check {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                eprintln!(
                    "{name} is not the generated one: run `cargo run -p entitle-worker --bin openapi`"
                );
                stale = true;
            }
        } else if let Err(error) = std::fs::write(&path, text) {
            eprintln!("cannot write {name}: {error}");
            return ExitCode::FAILURE;
        }
    }
    if stale {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
