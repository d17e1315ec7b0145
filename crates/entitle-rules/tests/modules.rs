//! The layering of the rules' modules (issue 12): `command` dispatches to the command modules,
//! which share `context`; none of them depends back on `command`. Only `plans`, which declares
//! what each command reads, stands above `command` (as the worker does); `command` never uses it.
#![allow(clippy::unwrap_used, clippy::panic, reason = "test code fails loudly")]

use std::path::Path;

#[test]
fn no_module_depends_back_on_command() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut checked = 0;
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name == "command.rs" || name == "lib.rs" || name == "plans.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("crate::command") && !text.contains("command::{"),
            "src/{name} uses `command`: shared command code belongs in `context`"
        );
        checked += 1;
    }
    assert!(checked > 10);
    let command = std::fs::read_to_string(src.join("command.rs")).unwrap();
    assert!(
        !command.contains("plans"),
        "src/command.rs uses `plans`: a cycle"
    );
}
