//! entitle-rules stays pure: no platform crate in its dependency tree, and no clock,
//! randomness, file, network or environment access in its source.
#![allow(clippy::unwrap_used, clippy::panic, reason = "test code fails loudly")]

use std::path::Path;
use std::process::Command;

#[test]
fn rules_depend_on_no_platform_crate() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    for target in ["wasm32-unknown-unknown", "x86_64-unknown-linux-gnu"] {
        let output = Command::new(&cargo)
            .args([
                "tree",
                "-p",
                "entitle-rules",
                "-e",
                "normal",
                "--prefix",
                "none",
                "--format",
                "{p}",
                "--target",
                target,
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let tree = String::from_utf8(output.stdout).unwrap();
        assert!(tree.contains("sha2"), "the tree was read: {tree}");
        for forbidden in [
            "wasm-bindgen",
            "js-sys",
            "web-sys",
            "worker",
            "getrandom",
            "rand ",
            "tokio",
            "chrono",
        ] {
            assert!(
                !tree.lines().any(|l| l.starts_with(forbidden)),
                "entitle-rules depends on `{forbidden}` for {target}:\n{tree}"
            );
        }
    }
}

#[test]
fn rules_source_reads_no_clock_randomness_files_network_or_environment() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut checked = 0;
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for forbidden in [
            "SystemTime",
            "Instant::",
            "std::fs",
            "std::net",
            "std::env",
            "std::process",
            "thread_rng",
            "async fn",
        ] {
            assert!(
                !text.contains(forbidden),
                "{} uses `{forbidden}`",
                path.display()
            );
        }
        checked += 1;
    }
    assert!(checked > 10);
}
