//! Helpers shared by the integration tests: fixture paths and running the real binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// `../shared/fixtures/batfish/<name>` (shared/ sits beside the project root, in CI too).
pub fn batfish(name: &str) -> PathBuf {
    vpce_reach_testkit::workspace_root()
        .join("../shared/fixtures/batfish")
        .join(name)
}

/// The bundled demo snapshot.
pub fn demo() -> PathBuf {
    vpce_reach_testkit::workspace_root().join("events/demo")
}

/// Output of one `vpce-reach` run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the CLI built for this test.
pub fn vpce_reach(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_vpce-reach"))
        .args(args)
        .output()
        .expect("run vpce-reach");
    Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// `check --format json`, parsed.
pub fn check_json(dir: &Path, params: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["check", dir.to_str().unwrap(), "--format", "json"];
    for p in params {
        args.push("--param");
        args.push(p);
    }
    let run = vpce_reach(&args);
    assert!(
        run.code == 0 || run.code == 1,
        "exit {}: {}",
        run.code,
        run.stderr
    );
    (
        run.code,
        serde_json::from_str(&run.stdout).expect("stdout is one JSON object"),
    )
}

/// `(code, component, direction, source, endpoint)` of every finding, sorted.
pub fn finding_keys(json: &serde_json::Value) -> Vec<(String, String, String, String, String)> {
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("-").to_string();
    let mut out: Vec<_> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                s(&f["code"]),
                s(&f["component"]),
                s(&f["direction"]),
                s(&f["source"]),
                s(&f["endpoint"]),
            )
        })
        .collect();
    out.sort();
    out
}

/// The `ComplianceType` put for one resource.
pub fn compliance_of(json: &serde_json::Value, id: &str) -> String {
    json["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["ComplianceResourceId"] == id)
        .unwrap_or_else(|| panic!("no evaluation for {id}"))["ComplianceType"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Copies a directory tree into a fresh temporary directory.
pub fn copy_tree(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_into(from, dir.path());
    dir
}

fn copy_into(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_into(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}
