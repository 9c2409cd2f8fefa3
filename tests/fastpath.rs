//! The default `check` answers from Cargo.lock, the manifests and cargo's local index data
//! (the fast path) only where that answer is cargo's. Every fixture workspace is checked
//! both ways, the default and `--cargo-metadata` (cargo forced), with `--target`, `--edges`,
//! `-p` and the feature flags, and the JSON findings must agree field by field; the report
//! must say the fast path answered. Where the fast path cannot show its answer is cargo's (a
//! stale or missing Cargo.lock, `--cargo-metadata`), cargo answers as before and the report
//! says why.

// The comparison's counts are for the person running it.
#![allow(clippy::print_stderr)]

mod common;

use std::process::Command;

use common::Fixture;

/// The flags every fixture is compared under.
const VARIANTS: &[&[&str]] = &[
    &[],
    &["--target", "x86_64-pc-windows-msvc"],
    &["--edges", "no-dev"],
    &["--target", "x86_64-pc-windows-msvc", "--edges", "no-dev"],
    &["--all-features"],
    &["--no-default-features"],
];

fn fixtures() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(common::testdata().join("workspaces"))
        .expect("fixtures")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The first workspace member's name, as cargo lists it.
fn first_member(fx: &Fixture) -> String {
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .current_dir(&fx.root)
        .env("CARGO_HOME", &fx.cargo_home)
        .output()
        .expect("run cargo");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata");
    json["packages"][0]["name"]
        .as_str()
        .expect("a member")
        .to_owned()
}

/// The default check against the forced one, with `extra`: a difference, if any.
fn compare(fx: &Fixture, extra: &[&str]) -> Result<(), String> {
    let mut args = vec!["check", "--offline", "--format", "json"];
    args.extend_from_slice(extra);
    let fast = fx.run(&args);
    args.push("--cargo-metadata");
    let cargo = fx.run(&args);
    let (fast_json, cargo_json) = (fast.json(), cargo.json());
    let answered = &fast_json["answered_by"];
    if answered["path"] != "lockfile" || !answered["fallback"].is_null() {
        return Err(format!(
            "{extra:?}: the fast path did not answer: {answered}"
        ));
    }
    if cargo_json["answered_by"]["path"] != "cargo-metadata" {
        return Err(format!("{extra:?}: --cargo-metadata did not ask cargo"));
    }
    match common::findings_differ(("cargo", &cargo), ("fast path", &fast)) {
        Some(d) => Err(format!("{extra:?}: {d}")),
        None => Ok(()),
    }
}

#[test]
fn the_default_check_answers_from_the_fast_path_with_cargos_findings_on_every_fixture() {
    let names = fixtures();
    let mut compared = 0;
    let mut differences = Vec::new();
    for name in &names {
        let fx = Fixture::new(name);
        let member = first_member(&fx);
        let by_member = ["-p", member.as_str()];
        let features = ["--features", "etcd"];
        let mut variants: Vec<&[&str]> = VARIANTS.to_vec();
        variants.push(&by_member);
        if name == "features" {
            variants.push(&features);
        }
        for extra in variants {
            compared += 1;
            if let Err(e) = compare(&fx, extra) {
                differences.push(format!("{name} {e}"));
            }
        }
    }
    eprintln!(
        "{} fixtures, {compared} comparisons, {} differences",
        names.len(),
        differences.len()
    );
    assert!(names.len() >= 20, "the fixtures are found");
    assert!(differences.is_empty(), "{}", differences.join("\n\n"));
}

#[test]
fn a_stale_lockfile_is_left_to_cargo_which_updates_it_as_before() {
    let fx = Fixture::new("clean");
    let manifest = fx.root.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    std::fs::write(
        &manifest,
        text.replace("tonic = \"0.14\"", "tonic = \"0.12\""),
    )
    .expect("edit");
    let lock_before = std::fs::read_to_string(fx.root.join("Cargo.lock")).expect("lock");
    let locked = fx.run(&["check", "--offline", "--locked", "--format", "json"]);
    locked.expect_code(2);
    assert!(locked.stdout().is_empty());
    let run = fx.run(&["check", "--offline", "--format", "json"]);
    run.expect_code(1);
    let answered = &run.json()["answered_by"];
    assert_eq!(answered["path"], "cargo-metadata");
    let why = answered["fallback"].as_str().expect("a reason");
    assert!(why.contains("out of date"), "{why}");
    let lock_after = std::fs::read_to_string(fx.root.join("Cargo.lock")).expect("lock");
    assert_ne!(lock_before, lock_after, "cargo updated Cargo.lock");
    // Fresh again: the fast path answers the next run.
    let next = fx.run(&["check", "--offline", "--format", "json"]);
    next.expect_code(1);
    assert_eq!(next.json()["answered_by"]["path"], "lockfile");
}

#[test]
fn without_a_lockfile_cargo_answers_and_says_why() {
    let fx = Fixture::new("clean");
    std::fs::remove_file(fx.root.join("Cargo.lock")).expect("remove");
    let run = fx.run(&["check", "--offline", "--format", "json"]);
    run.expect_code(0);
    let answered = &run.json()["answered_by"];
    assert_eq!(answered["path"], "cargo-metadata");
    assert!(
        answered["fallback"]
            .as_str()
            .is_some_and(|w| w.contains("Cargo.lock")),
        "{answered}"
    );
}

#[test]
fn what_the_fast_path_does_not_model_is_left_to_cargo_with_the_reason() {
    let fx = Fixture::new("clean");
    let local = fx.root.join("tonic-local");
    common::copy_dir(&common::testdata().join("vendor/tonic-0.14.2"), &local);
    std::fs::remove_file(local.join(".cargo-checksum.json")).expect("remove checksum");
    let manifest = fx.root.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).expect("manifest");
    text.push_str("\n[replace]\n\"tonic:0.14.2\" = { path = \"tonic-local\" }\n");
    std::fs::write(&manifest, text).expect("write");
    let run = fx.run(&["check", "--offline", "--format", "json"]);
    run.expect_code(0);
    let answered = &run.json()["answered_by"];
    assert_eq!(answered["path"], "cargo-metadata");
    assert_eq!(answered["fallback"], "the workspace uses `[replace]`");
}

#[test]
fn a_feature_no_member_has_is_left_to_cargo() {
    let fx = Fixture::new("features");
    let run = fx.run(&[
        "check",
        "--offline",
        "--features",
        "nope",
        "--format",
        "json",
    ]);
    run.expect_code(2);
    assert!(run.stdout().is_empty());
    assert!(run.stderr().contains("nope"), "{}", run.stderr());
}

#[test]
fn the_path_that_answered_is_shown_only_with_verbose() {
    let fx = Fixture::new("clean");
    let plain = fx.run(&["check", "--offline"]);
    plain.expect_code(0);
    assert!(!plain.stdout().contains("answered"), "{}", plain.stdout());
    let verbose = fx.run(&["check", "--offline", "-v"]);
    verbose.expect_code(0);
    assert!(
        verbose
            .stdout()
            .contains("note: answered from Cargo.lock and cargo's local index data"),
        "{}",
        verbose.stdout()
    );
    let forced = fx.run(&["check", "--offline", "-v", "--cargo-metadata"]);
    forced.expect_code(0);
    assert!(
        forced
            .stdout()
            .contains("note: answered by `cargo metadata`: --cargo-metadata asks cargo"),
        "{}",
        forced.stdout()
    );
}

#[test]
fn cargo_metadata_is_for_check_only() {
    let fx = Fixture::new("clean");
    let run = fx.run(&["fix", "--offline", "--cargo-metadata"]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("--cargo-metadata"),
        "{}",
        run.stderr()
    );
    let run = fx.run(&["check", "--lockfile", "--cargo-metadata"]);
    run.expect_code(2);
    let saved = fx.root.join("saved.json");
    std::fs::write(&saved, common::saved_metadata(&fx)).expect("write");
    let run = fx.run(&["check", "--metadata-path", "saved.json", "--format", "json"]);
    run.expect_code(0);
    assert!(
        run.json().get("answered_by").is_none(),
        "input flags keep their meaning"
    );
}

/// A `[patch]` in cargo's configuration files (not the manifest) is not modelled either:
/// cargo answers, and says why.
#[test]
fn a_patch_in_cargos_configuration_is_left_to_cargo() {
    let fx = Fixture::new("clean");
    let config = fx.root.join(".cargo/config.toml");
    let mut text = std::fs::read_to_string(&config).expect("config");
    let plain = fx.run(&["check", "--offline", "--format", "json"]);
    plain.expect_code(0);
    assert_eq!(plain.json()["answered_by"]["path"], "lockfile");
    text.push_str("\n[patch.crates-io]\n");
    std::fs::write(&config, text).expect("write");
    let run = fx.run(&["check", "--offline", "--format", "json"]);
    run.expect_code(0);
    let answered = &run.json()["answered_by"];
    assert_eq!(answered["path"], "cargo-metadata");
    let why = answered["fallback"].as_str().expect("a reason");
    assert!(
        why.contains("config.toml") && why.contains("[patch]"),
        "{why}"
    );
}

/// When the fast path has read cargo's sparse index cache and still leaves the answer to cargo
/// (a locked package the cache has no entry for), it has let go of cargo's package-cache lock
/// before cargo starts: cargo takes it exclusively, and would otherwise wait for ever. The
/// cargo here first takes the lock as cargo does (giving up after 20 s), then answers with the
/// vendored stubs.
#[test]
fn the_package_cache_lock_is_free_when_cargo_answers_after_the_fast_path_read_the_cache() {
    let fx = Fixture::new("two-lines");
    // crates-io is no longer replaced: the fast path reads the index cache in CARGO_HOME.
    std::fs::remove_file(fx.root.join(".cargo/config.toml")).expect("remove the replacement");
    common::index_cache(
        &fx.cargo_home,
        &fx.root.join("Cargo.lock"),
        &["tower-service"],
    );
    let prelude = format!(
        "flock --exclusive --wait 20 \"$CARGO_HOME/.package-cache\" true || {{ echo 'cargo: the package cache is still locked' >&2; exit 101; }}\n\
         set -- \"$@\" --config 'source.crates-io.replace-with=\"vendored\"' --config 'source.vendored.directory=\"{}\"'",
        common::testdata().join("vendor").display()
    );
    let cargo = common::cargo_wrapper(fx.tmp.path(), "cargo", &prelude);
    let run = common::run_tool_with_env(
        &fx.root,
        &fx.cargo_home,
        &["check", "--offline", "--format", "json"],
        &[("CARGO", cargo.to_str().expect("utf-8 path"))],
    );
    run.expect_code(1);
    assert!(!run.stderr().contains("still locked"), "{}", run.stderr());
    let report = run.json();
    let answered = &report["answered_by"];
    assert_eq!(answered["path"], "cargo-metadata");
    // The reason names the package whose facts are missing.
    let why = answered["fallback"].as_str().expect("a reason");
    assert!(why.contains("tower-service 0.3."), "{why}");
    common::finding(&report, "diverging-versions", "tonic");
}
