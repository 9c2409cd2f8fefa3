//! The GitHub Action's shell step (ci/action.sh, run by action.yml) run locally, with the
//! variables GitHub sets pointing into a scratch directory and the tool already in the place
//! the action's cache restores it to.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::Fixture;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Step {
    out: Output,
    outputs: BTreeMap<String, String>,
    summary: String,
}

/// Runs the action's script on `fixture` with the inputs given as `INPUT_*` variables.
fn run_action(fixture: &Fixture, inputs: &[(&str, &str)]) -> Step {
    let runner_temp = fixture.tmp.path().join("runner-temp");
    let cached = runner_temp.join("cargo-etcd-deps/bin");
    if !cached.exists() {
        std::fs::create_dir_all(&cached).expect("cache dir");
        std::os::unix::fs::symlink(
            env!("CARGO_BIN_EXE_cargo-etcd-deps"),
            cached.join("cargo-etcd-deps"),
        )
        .expect("link the binary");
    }
    let output = fixture.tmp.path().join("github-output");
    let summary = fixture.tmp.path().join("step-summary");
    for f in [&output, &summary] {
        std::fs::write(f, "").expect("reset");
    }
    let out = Command::new("bash")
        .arg(repo().join("ci/action.sh"))
        .current_dir(fixture.tmp.path())
        .env("GITHUB_ACTION_PATH", repo())
        .env("GITHUB_WORKSPACE", fixture.tmp.path())
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("RUNNER_TEMP", &runner_temp)
        .env("CARGO_HOME", &fixture.cargo_home)
        .env("CARGO_TERM_COLOR", "never")
        .envs(inputs.iter().copied())
        .output()
        .expect("run the action script");
    let outputs = std::fs::read_to_string(&output)
        .expect("read GITHUB_OUTPUT")
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    Step {
        out,
        outputs,
        summary: std::fs::read_to_string(&summary).expect("read summary"),
    }
}

fn stdout(step: &Step) -> String {
    String::from_utf8_lossy(&step.out.stdout).into_owned()
}

#[test]
fn a_failing_gate_annotates_uploads_sarif_and_fails_the_job() {
    let fixture = Fixture::new("two-lines");
    let step = run_action(
        &fixture,
        &[
            ("INPUT_ARGS", "--offline"),
            ("INPUT_FORMAT", "github"),
            ("INPUT_SARIF", "true"),
            ("INPUT_WORKING_DIRECTORY", "workspaces/two-lines"),
        ],
    );
    assert!(step.out.status.success(), "{:?}", step.out);
    assert_eq!(step.outputs["exit-code"], "1", "{:?}", step.outputs);
    assert!(
        stdout(&step).contains("::error file=crates/meta-store/Cargo.toml,line=8"),
        "{}",
        stdout(&step)
    );
    let sarif: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(&step.outputs["sarif-file"])).expect("sarif file"),
    )
    .expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        step.summary.contains("diverging-versions"),
        "{}",
        step.summary
    );
    // The action's last step exits with the recorded code: the job fails as the gate does.
    let action = std::fs::read_to_string(repo().join("action.yml")).expect("action.yml");
    assert!(action.contains("run: bash \"$GITHUB_ACTION_PATH/ci/action.sh\""));
    assert!(action.contains("run: exit \"${{ steps.check.outputs.exit-code }}\""));
}

#[test]
fn a_clean_workspace_passes_without_sarif() {
    let fixture = Fixture::new("clean");
    let step = run_action(
        &fixture,
        &[
            ("INPUT_ARGS", "--offline --deny warnings"),
            ("INPUT_WORKING_DIRECTORY", "workspaces/clean"),
        ],
    );
    assert!(step.out.status.success(), "{:?}", step.out);
    assert_eq!(step.outputs["exit-code"], "0");
    assert!(!step.outputs.contains_key("sarif-file"));
}

#[test]
fn a_usage_error_fails_the_step_with_its_code() {
    let fixture = Fixture::new("clean");
    let step = run_action(
        &fixture,
        &[
            ("INPUT_ARGS", "--no-such-flag"),
            ("INPUT_WORKING_DIRECTORY", "workspaces/clean"),
        ],
    );
    assert_eq!(step.out.status.code(), Some(2), "{:?}", step.out);
    assert_eq!(step.outputs["exit-code"], "2");
    assert!(stdout(&step).contains("::error title=cargo etcd-deps::"));
}
