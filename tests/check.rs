//! `cargo etcd-deps check` end to end: every fixture workspace resolved offline by real
//! `cargo metadata` against the stub registry in testdata/vendor, then findings, origins,
//! paths and exit codes asserted, and the human and JSON reports snapshotted.

mod common;

use common::{Fixture, codes, finding, o, origins, paths, version};

const GATE_FAILED: i32 = 1;
const INPUT: i32 = 2;

fn check_json(fixture: &Fixture, extra: &[&str]) -> (serde_json::Value, i32) {
    let mut args = vec!["check", "--offline", "--format", "json"];
    args.extend_from_slice(extra);
    let run = fixture.run(&args);
    assert!(
        run.code() == 0 || run.code() == GATE_FAILED,
        "check failed to run: {}\n{}",
        run.code(),
        run.stderr()
    );
    (run.json(), run.code())
}

/// Snapshots the human and JSON reports of a fixture and returns the exit code (both
/// formats must agree on it).
fn snapshot_both(name: &str) -> i32 {
    let fixture = Fixture::new(name);
    let human = fixture.run(&["check", "--offline"]);
    let json = fixture.run(&["check", "--offline", "--format", "json"]);
    assert_eq!(human.code(), json.code(), "{}", human.stderr());
    assert!(human.stderr().is_empty(), "stderr: {}", human.stderr());
    insta::assert_snapshot!(format!("{name}-human"), human.stdout());
    let verbose = fixture.run(&["check", "--offline", "-v"]);
    assert_eq!(verbose.code(), human.code());
    insta::assert_snapshot!(format!("{name}-human-verbose"), verbose.stdout());
    insta::assert_snapshot!(format!("{name}-json"), json.stdout());
    human.code()
}

#[test]
fn clean_workspace_passes_the_gate() {
    let fixture = Fixture::new("clean");
    let (report, code) = check_json(&fixture, &[]);
    assert_eq!(code, 0);
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(0));
    assert_eq!(report["summary"]["errors"], 0);
    assert_eq!(report["schema_version"], 1);
}

#[test]
fn two_tonic_lines_through_transitive_dependencies() {
    let fixture = Fixture::new("two-lines");
    let (report, code) = check_json(&fixture, &[]);
    assert_eq!(code, GATE_FAILED);
    let tonic = finding(&report, "diverging-versions", "tonic");
    assert_eq!(tonic["level"], "error");
    assert_eq!(tonic["caused_by"], serde_json::Value::Null);

    let old = version(tonic, "0.9.2");
    assert_eq!(
        old["source"],
        "registry+https://github.com/rust-lang/crates.io-index"
    );
    assert_eq!(old["dependents"][0]["name"], "etcd-client");
    assert_eq!(old["dependents"][0]["version"], "0.11.1");
    assert_eq!(old["dependents"][0]["req"], "^0.9.2");
    assert_eq!(old["dependents"][0]["kind"], "normal");
    assert_eq!(
        origins(old),
        [o(
            "meta-store",
            "etcd-client",
            "crates/meta-store/Cargo.toml",
            "dependencies",
            8
        )]
    );
    assert_eq!(
        paths(old),
        [
            "meta-store@0.1.0 > etcd-client@0.11.1 > tonic@0.9.2",
            "server@0.1.0 > meta-store@0.1.0 > etcd-client@0.11.1 > tonic@0.9.2",
        ]
    );

    let new = version(tonic, "0.12.3");
    assert_eq!(
        origins(new),
        [o(
            "telemetry",
            "opentelemetry-otlp",
            "crates/telemetry/Cargo.toml",
            "dependencies",
            8
        )]
    );
    assert_eq!(
        paths(new),
        [
            "server@0.1.0 > telemetry@0.1.0 > opentelemetry-otlp@0.27.0 > tonic@0.12.3",
            "telemetry@0.1.0 > opentelemetry-otlp@0.27.0 > tonic@0.12.3",
        ]
    );

    // hyper, http, prost … split only because tonic is split: notes caused by tonic.
    for krate in ["hyper", "http", "h2", "prost", "axum"] {
        let f = finding(&report, "diverging-versions", krate);
        assert_eq!(f["level"], "note", "{krate}");
        assert_eq!(f["caused_by"], "tonic", "{krate}");
    }
    // tower is split inside tonic 0.12 itself (tower 0.4 and, through axum 0.7, tower 0.5):
    // not collateral, a warning of its own.
    let tower = finding(&report, "diverging-versions", "tower");
    assert_eq!(tower["level"], "warning");
    assert_eq!(tower["caused_by"], serde_json::Value::Null);
    assert_eq!(
        report["summary"],
        serde_json::json!({"errors": 1, "warnings": 1, "notes": 7})
    );
}

#[test]
fn type_boundary_names_the_member() {
    let fixture = Fixture::new("type-boundary");
    let (report, code) = check_json(&fixture, &[]);
    assert_eq!(code, GATE_FAILED);
    let tb = finding(&report, "type-boundary", "tonic");
    assert_eq!(tb["level"], "error");
    assert_eq!(tb["member"], "svc");
    assert_eq!(tb["crates"], serde_json::json!(["etcd-client", "tonic"]));
    assert_eq!(
        origins(version(tb, "0.9.2")),
        [o("svc", "etcd-client", "Cargo.toml", "dependencies", 9)]
    );
    assert_eq!(
        origins(version(tb, "0.12.3")),
        [o("svc", "tonic", "Cargo.toml", "dependencies", 11)]
    );
    // Reported in addition to the divergence itself.
    finding(&report, "diverging-versions", "tonic");
}

#[test]
fn a_member_meeting_two_lines_through_its_crates_is_a_type_boundary() {
    // app → rpc (a workspace crate) → tonic 0.12 and app → etcd-client 0.11 → tonic 0.9:
    // app uses no tonic itself, yet passes one tonic's Status to the other.
    let fixture = Fixture::new("build-error");
    let (report, code) = check_json(&fixture, &[]);
    assert_eq!(code, GATE_FAILED);
    let tb = finding(&report, "type-boundary", "tonic");
    assert_eq!(tb["level"], "error");
    assert_eq!(tb["member"], "app");
    assert_eq!(
        tb["crates"],
        serde_json::json!(["etcd-client", "rpc", "tonic"])
    );
    assert_eq!(
        origins(version(tb, "0.9.2")),
        [o(
            "app",
            "etcd-client",
            "app/Cargo.toml",
            "dependencies",
            10
        )]
    );
    assert_eq!(
        paths(version(tb, "0.12.3")),
        [
            "app@0.1.0 > rpc@0.1.0 > tonic@0.12.3",
            "rpc@0.1.0 > tonic@0.12.3"
        ]
    );
    assert_eq!(
        tb["help"],
        "values of tonic types cannot pass between etcd-client's tonic 0.9.2 and rpc's tonic 0.12.3 in app's code; move etcd-client to a release built on tonic 0.12"
    );
    finding(&report, "diverging-versions", "tonic");
}

#[test]
fn renamed_keys_are_kept_as_written() {
    let fixture = Fixture::new("renamed");
    let (report, code) = check_json(&fixture, &[]);
    assert_eq!(code, GATE_FAILED);
    let tonic = finding(&report, "diverging-versions", "tonic");
    assert_eq!(
        origins(version(tonic, "0.9.2")),
        [o("registry-svc", "etcd", "Cargo.toml", "dependencies", 8)]
    );
    assert_eq!(
        version(tonic, "0.9.2")["origins"][0]["package"],
        "etcd-client"
    );
    assert_eq!(
        origins(version(tonic, "0.12.3")),
        [o("registry-svc", "grpc", "Cargo.toml", "dependencies", 9)]
    );
    // Matched by package name, never by key: the type boundary is still found.
    assert_eq!(
        finding(&report, "type-boundary", "tonic")["member"],
        "registry-svc"
    );
}

#[test]
fn inherited_keys_point_at_workspace_dependencies() {
    let fixture = Fixture::new("workspace-inherit");
    let (report, code) = check_json(&fixture, &[]);
    assert_eq!(code, GATE_FAILED);
    let tonic = finding(&report, "diverging-versions", "tonic");
    let old = &version(tonic, "0.9.2")["origins"][0];
    assert_eq!(old["member"], "store");
    assert_eq!(old["manifest"], "Cargo.toml");
    assert_eq!(old["table"], "workspace.dependencies");
    assert_eq!(old["line"], 7);
    assert_eq!(old["member_manifest"], "store/Cargo.toml");
    assert_eq!(old["member_line"], 8);
    let new = &version(tonic, "0.12.3")["origins"][0];
    assert_eq!(new["member"], "api");
    assert_eq!(new["table"], "workspace.dependencies");
    assert_eq!(new["line"], 8);
    assert_eq!(new["member_manifest"], "api/Cargo.toml");
    assert_eq!(new["member_line"], 8);
}

#[test]
fn target_specific_divergence_lists_its_platform() {
    let fixture = Fixture::new("target-specific");
    let (report, code) = check_json(&fixture, &[]);
    assert_eq!(code, GATE_FAILED);
    let tonic = finding(&report, "diverging-versions", "tonic");
    assert_eq!(tonic["platforms"], serde_json::json!(["cfg(unix)"]));
    assert_eq!(
        origins(version(tonic, "0.9.2")),
        [o(
            "agent",
            "etcd-client",
            "Cargo.toml",
            "target.'cfg(unix)'.dependencies",
            11
        )]
    );
    assert_eq!(
        version(tonic, "0.9.2")["origins"][0]["platform"],
        "cfg(unix)"
    );
    assert_eq!(
        version(tonic, "0.9.2")["dependents"][0]["platform"],
        serde_json::Value::Null
    );
    // tower is split on every platform (inside tonic 0.12): no platform list.
    assert_eq!(
        finding(&report, "diverging-versions", "tower")["platforms"],
        serde_json::json!([])
    );
}

#[test]
fn target_flag_filters_platforms_through_cargo() {
    let fixture = Fixture::new("target-specific");
    let (report, code) = check_json(&fixture, &["--target", "x86_64-pc-windows-msvc"]);
    assert_eq!(code, 0, "{report:#}");
    assert!(
        !codes(&report).iter().any(|(_, c, _)| c == "tonic"),
        "{report:#}"
    );
    let (report, code) = check_json(&fixture, &["--target", "x86_64-unknown-linux-gnu"]);
    assert_eq!(code, GATE_FAILED);
    finding(&report, "diverging-versions", "tonic");
}

#[test]
fn dev_only_divergence_says_so() {
    let fixture = Fixture::new("dev-only");
    let (report, code) = check_json(&fixture, &[]);
    assert_eq!(code, GATE_FAILED);
    let tonic = finding(&report, "diverging-versions", "tonic");
    assert_eq!(tonic["dev_only"], true);
    assert_eq!(tonic["level"], "error");
    assert_eq!(
        origins(version(tonic, "0.9.2")),
        [o(
            "client-lib",
            "etcd-client",
            "Cargo.toml",
            "dev-dependencies",
            11
        )]
    );
    assert_eq!(version(tonic, "0.9.2")["origins"][0]["kind"], "dev");
    assert_eq!(
        finding(&report, "diverging-versions", "tower")["dev_only"],
        false
    );

    // Without dev edges, only the tower split inside tonic 0.12 is left: a warning.
    let (report, code) = check_json(&fixture, &["-e", "no-dev"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        codes(&report),
        [(
            "diverging-versions".to_owned(),
            "tower".to_owned(),
            "warning".to_owned()
        )]
    );
    // --deny warnings makes that warning fail the gate.
    let (report, code) = check_json(&fixture, &["-e", "normal,build", "--deny", "warnings"]);
    assert_eq!(code, GATE_FAILED);
    assert_eq!(report["summary"]["errors"], 1);
}

#[test]
fn a_version_from_two_sources_is_one_line_in_the_message() {
    // tonic 0.9.2 (etcd-client 0.11) beside tonic 0.12.3 from the registry (the exporter) and
    // from a path: two lines, the second held by two sources.
    let fixture = Fixture::new("source-split");
    let manifest = fixture.root.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).expect("read");
    let text = text.replace(
        "etcd-client = \"0.14\"",
        "etcd-client = \"0.11\"\nopentelemetry-otlp = \"0.27\"",
    );
    std::fs::write(&manifest, text).expect("write");
    let (report, code) = check_json(&fixture, &[]);
    assert_eq!(code, GATE_FAILED);
    let diverging = finding(&report, "diverging-versions", "tonic");
    assert_eq!(
        diverging["message"],
        "tonic resolves on 2 semver-incompatible lines: 0.9.2, 0.12.3 (from 2 sources)"
    );
}

#[test]
fn path_copy_beside_the_registry_is_a_source_split() {
    let fixture = Fixture::new("source-split");
    let (report, code) = check_json(&fixture, &[]);
    assert_eq!(code, GATE_FAILED);
    let split = finding(&report, "source-split", "tonic");
    assert_eq!(split["level"], "error");
    let versions = split["versions"].as_array().expect("versions");
    assert_eq!(versions.len(), 2);
    let sources: Vec<_> = versions.iter().map(|v| v["source"].clone()).collect();
    assert_eq!(
        sources,
        [
            serde_json::Value::Null,
            serde_json::json!("registry+https://github.com/rust-lang/crates.io-index")
        ]
    );
    assert_eq!(
        origins(&versions[0]),
        [o("app", "tonic", "Cargo.toml", "dependencies", 10)]
    );
    assert_eq!(
        origins(&versions[1]),
        [o("app", "etcd-client", "Cargo.toml", "dependencies", 8)]
    );
    // One line, two sources: not a divergence of lines.
    assert!(
        !codes(&report)
            .iter()
            .any(|(code, c, _)| code == "diverging-versions" && c == "tonic")
    );
}

#[test]
fn train_skew_between_tonic_and_tonic_build_and_prost() {
    let fixture = Fixture::new("train-skew");
    let (report, code) = check_json(&fixture, &[]);
    assert_eq!(code, GATE_FAILED);
    // (a) tonic-build 0.13 beside tonic 0.12.
    let tb = finding(&report, "train-skew", "tonic-build");
    assert_eq!(tb["crates"], serde_json::json!(["tonic", "tonic-build"]));
    assert_eq!(tb["member"], serde_json::Value::Null);
    assert_eq!(
        origins(version(tb, "0.13.1")),
        [o(
            "codegen",
            "tonic-build",
            "codegen/Cargo.toml",
            "build-dependencies",
            11
        )]
    );
    assert_eq!(version(tb, "0.13.1")["origins"][0]["kind"], "build");
    // (b) messages uses prost 0.14 while its tonic 0.12.3 is built against prost 0.13.
    let prost = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "train-skew" && f["crate"] == "prost")
        .expect("prost train skew");
    assert_eq!(prost["member"], "messages");
    assert_eq!(prost["crates"], serde_json::json!(["tonic", "prost"]));
    assert_eq!(
        origins(version(prost, "0.14.1")),
        [o(
            "messages",
            "prost",
            "messages/Cargo.toml",
            "dependencies",
            9
        )]
    );
}

#[test]
fn deep_chain_paths_are_shortest_and_smallest() {
    let fixture = Fixture::new("deep-chain");
    let (report, code) = check_json(&fixture, &[]);
    assert_eq!(code, GATE_FAILED);
    let tonic = finding(&report, "diverging-versions", "tonic");
    let old = version(tonic, "0.9.2");
    let p = paths(old);
    // One path from each of the 12 members that reach it; app has 2^5 equally short paths
    // through the diamonds and the smallest (all `a`) wins.
    assert_eq!(p.len(), 12);
    assert_eq!(
        p[0],
        "app@0.1.0 > l1a@0.1.0 > l2a@0.1.0 > l3a@0.1.0 > l4a@0.1.0 > l5a@0.1.0 > store@0.1.0 > etcd-client@0.11.1 > tonic@0.9.2"
    );
    assert_eq!(
        p[2],
        "l1b@0.1.0 > l2a@0.1.0 > l3a@0.1.0 > l4a@0.1.0 > l5a@0.1.0 > store@0.1.0 > etcd-client@0.11.1 > tonic@0.9.2"
    );
    // The path leaves the workspace through store's etcd-client.
    assert_eq!(
        origins(old),
        [o(
            "store",
            "etcd-client",
            "store/Cargo.toml",
            "dependencies",
            8
        )]
    );
    assert_eq!(
        paths(version(tonic, "0.12.3")),
        ["app@0.1.0 > opentelemetry-otlp@0.27.0 > tonic@0.12.3"]
    );
}

#[test]
fn two_hops_away_the_origin_is_the_declared_wrapper() {
    let fixture = Fixture::new("transitive");
    let (report, code) = check_json(&fixture, &[]);
    assert_eq!(code, GATE_FAILED);
    let tonic = finding(&report, "diverging-versions", "tonic");
    let old = version(tonic, "0.9.2");
    assert_eq!(
        origins(old),
        [o(
            "orders",
            "acme-platform",
            "Cargo.toml",
            "dependencies",
            9
        )]
    );
    assert_eq!(
        paths(old),
        ["orders@0.1.0 > acme-platform@1.4.0 > etcd-client@0.11.1 > tonic@0.9.2"]
    );
}

#[test]
fn snapshots_transitive() {
    assert_eq!(snapshot_both("transitive"), GATE_FAILED);
}

#[test]
fn dev_dependency_cycle_terminates() {
    let fixture = Fixture::new("dev-cycle");
    let (report, code) = check_json(&fixture, &[]);
    assert_eq!(code, GATE_FAILED);
    let tonic = finding(&report, "diverging-versions", "tonic");
    assert_eq!(
        paths(version(tonic, "0.9.2")),
        [
            "core@0.1.0 > etcd-client@0.11.1 > tonic@0.9.2",
            "testkit@0.1.0 > core@0.1.0 > etcd-client@0.11.1 > tonic@0.9.2",
        ]
    );
    assert_eq!(
        origins(version(tonic, "0.12.3")),
        [o(
            "testkit",
            "tonic",
            "testkit/Cargo.toml",
            "dependencies",
            9
        )]
    );
}

#[test]
fn package_flag_limits_paths_to_those_members() {
    let fixture = Fixture::new("two-lines");
    let (report, code) = check_json(&fixture, &["-p", "telemetry"]);
    assert_eq!(code, 0, "{report:#}");
    assert!(
        !codes(&report).iter().any(|(_, c, _)| c == "tonic"),
        "{report:#}"
    );
    let (report, code) = check_json(&fixture, &["-p", "server"]);
    assert_eq!(code, GATE_FAILED);
    let tonic = finding(&report, "diverging-versions", "tonic");
    assert_eq!(
        paths(version(tonic, "0.9.2")),
        ["server@0.1.0 > meta-store@0.1.0 > etcd-client@0.11.1 > tonic@0.9.2"]
    );
    // The origin is still where the path leaves the workspace: meta-store's manifest.
    assert_eq!(
        origins(version(tonic, "0.9.2"))[0].2,
        "crates/meta-store/Cargo.toml"
    );
}

#[test]
fn unknown_package_is_a_usage_error() {
    let fixture = Fixture::new("two-lines");
    let run = fixture.run(&["check", "--offline", "-p", "nope"]);
    run.expect_code(INPUT);
    assert!(run.stdout().is_empty());
    assert!(
        run.stderr().contains("`nope` is not a member"),
        "{}",
        run.stderr()
    );
}

#[test]
fn watch_adds_a_primary_crate_that_is_never_collateral() {
    let fixture = Fixture::new("two-lines");
    let (report, _) = check_json(&fixture, &["--watch", "socket2"]);
    let socket2 = finding(&report, "diverging-versions", "socket2");
    assert_eq!(socket2["level"], "error");
    assert_eq!(socket2["caused_by"], serde_json::Value::Null);
    // Without --watch, socket2 is not audited at all.
    let (report, _) = check_json(&fixture, &[]);
    assert!(!codes(&report).iter().any(|(_, c, _)| c == "socket2"));
}

#[test]
fn all_duplicates_attaches_socket2_to_the_tonic_split() {
    let fixture = Fixture::new("two-lines");
    let (report, _) = check_json(&fixture, &["--all-duplicates"]);
    let socket2 = finding(&report, "diverging-versions", "socket2");
    assert_eq!(socket2["level"], "note");
    assert_eq!(socket2["caused_by"], "tonic");
    let tonic = finding(&report, "diverging-versions", "tonic");
    assert!(
        tonic["collateral"]
            .as_array()
            .expect("collateral")
            .contains(&serde_json::json!("socket2"))
    );
}

#[test]
fn invoked_as_cargo_subcommand() {
    let fixture = Fixture::new("two-lines");
    let run = fixture.run(&["etcd-deps", "--offline", "--format", "json"]);
    run.expect_code(GATE_FAILED);
    finding(&run.json(), "diverging-versions", "tonic");
}

#[test]
fn manifest_path_from_elsewhere_uses_the_workspace_config() {
    // Run from the temp dir's top, pointing at a member manifest: cargo must still see the
    // fixture's source replacement (no network here), so cargo runs from the workspace root.
    let fixture = Fixture::new("two-lines");
    let manifest = fixture.root.join("crates/server/Cargo.toml");
    let run = fixture.run_in(
        fixture.tmp.path(),
        &[
            "check",
            "--offline",
            "--format",
            "json",
            "--manifest-path",
            manifest.to_str().expect("utf-8 path"),
        ],
        None,
    );
    run.expect_code(GATE_FAILED);
    finding(&run.json(), "diverging-versions", "tonic");
}

#[test]
fn quiet_prints_only_the_summary() {
    let fixture = Fixture::new("two-lines");
    let run = fixture.run(&["check", "--offline", "-q"]);
    run.expect_code(GATE_FAILED);
    assert_eq!(
        run.stdout(),
        "summary: 1 error, 1 warning, 7 notes; the gate failed\n"
    );
}

#[test]
fn verbose_shows_every_path() {
    let fixture = Fixture::new("deep-chain");
    let normal = fixture.run(&["check", "--offline"]).stdout();
    let verbose = fixture.run(&["check", "--offline", "-v"]).stdout();
    assert!(normal.contains("(and 11 more paths)"), "{normal}");
    assert!(!verbose.contains("more paths"));
    assert!(verbose.contains("path: store → etcd-client 0.11.1 (^0.11) → tonic 0.9.2 (^0.9.2)"));
}

#[test]
fn cargo_failure_shows_cargos_message_and_exits_2() {
    let fixture = Fixture::new("clean");
    std::fs::write(fixture.root.join("Cargo.toml"), "[package]\nname = \n").expect("write");
    let run = fixture.run(&["check", "--offline"]);
    run.expect_code(INPUT);
    assert!(run.stdout().is_empty());
    assert!(run.stderr().contains("failed"), "{}", run.stderr());
    assert!(run.stderr().contains("Cargo.toml"), "{}", run.stderr());
}

#[test]
fn missing_manifest_path_exits_2() {
    let fixture = Fixture::new("clean");
    let run = fixture.run(&["check", "--manifest-path", "nope/Cargo.toml"]);
    run.expect_code(INPUT);
    assert!(run.stderr().contains("nope/Cargo.toml"), "{}", run.stderr());
    assert!(run.stderr().contains("no such file"), "{}", run.stderr());
    let run = fixture.run(&["check", "--manifest-path", "."]);
    run.expect_code(INPUT);
    assert!(run.stderr().contains("is a directory"), "{}", run.stderr());
}

#[test]
fn snapshots_clean() {
    assert_eq!(snapshot_both("clean"), 0);
}

#[test]
fn snapshots_two_lines() {
    assert_eq!(snapshot_both("two-lines"), GATE_FAILED);
}

#[test]
fn snapshots_type_boundary() {
    assert_eq!(snapshot_both("type-boundary"), GATE_FAILED);
}

#[test]
fn snapshots_renamed() {
    assert_eq!(snapshot_both("renamed"), GATE_FAILED);
}

#[test]
fn snapshots_workspace_inherit() {
    assert_eq!(snapshot_both("workspace-inherit"), GATE_FAILED);
}

#[test]
fn snapshots_target_specific() {
    assert_eq!(snapshot_both("target-specific"), GATE_FAILED);
}

#[test]
fn snapshots_dev_only() {
    assert_eq!(snapshot_both("dev-only"), GATE_FAILED);
}

#[test]
fn snapshots_source_split() {
    assert_eq!(snapshot_both("source-split"), GATE_FAILED);
}

#[test]
fn snapshots_train_skew() {
    assert_eq!(snapshot_both("train-skew"), GATE_FAILED);
}

#[test]
fn snapshots_deep_chain() {
    assert_eq!(snapshot_both("deep-chain"), GATE_FAILED);
}

#[test]
fn snapshots_dev_cycle() {
    assert_eq!(snapshot_both("dev-cycle"), GATE_FAILED);
}

#[test]
fn saved_metadata_with_a_git_fork_is_a_source_split() {
    // Saved metadata from another machine: paths are fake, so origins keep member, key and
    // manifest but have no table or line (facts this input cannot give are null).
    let dir = tempfile::tempdir().expect("temp dir");
    let file = common::testdata().join("metadata/git-source-split.json");
    let run = common::run_tool(
        dir.path(),
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--metadata-path",
            file.to_str().expect("utf-8"),
        ],
        None,
    );
    run.expect_code(GATE_FAILED);
    let report = run.json();
    let split = finding(&report, "source-split", "tonic");
    let sources: Vec<&str> = split["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v["source"].as_str().expect("source"))
        .collect();
    assert_eq!(
        sources,
        [
            "git+https://github.com/acme/tonic?branch=grpc-fix#4f5e6d7c8b9a0f1e2d3c4b5a6978877665544332",
            "registry+https://github.com/rust-lang/crates.io-index",
        ]
    );
    let origin = &split["versions"][0]["origins"][0];
    assert_eq!(origin["member"], "app");
    assert_eq!(origin["key"], "tonic");
    assert_eq!(origin["manifest"], "Cargo.toml");
    assert_eq!(origin["table"], serde_json::Value::Null);
    assert_eq!(origin["line"], serde_json::Value::Null);
    insta::assert_snapshot!(
        "git-source-split-human",
        common::run_tool(
            dir.path(),
            dir.path(),
            &["check", "--metadata-path", file.to_str().expect("utf-8")],
            None
        )
        .stdout()
    );
}

#[test]
fn metadata_from_stdin_matches_cargo() {
    let fixture = Fixture::new("two-lines");
    let json = common::saved_metadata(&fixture);
    let from_stdin = fixture.run_in(
        &fixture.root,
        &["check", "--format", "json", "--metadata-path", "-"],
        Some(&json),
    );
    from_stdin.expect_code(GATE_FAILED);
    let from_cargo = fixture.run(&["check", "--offline", "--cargo-metadata", "--format", "json"]);
    // Only the default check says which path answered.
    let mut cargo_json = from_cargo.json();
    cargo_json
        .as_object_mut()
        .expect("an object")
        .remove("answered_by");
    assert_eq!(from_stdin.json(), cargo_json);
}

#[test]
fn empty_stdin_is_an_input_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = common::run_tool(
        dir.path(),
        dir.path(),
        &["check", "--metadata-path", "-"],
        Some(""),
    );
    run.expect_code(INPUT);
    assert!(run.stdout().is_empty());
    assert!(run.stderr().contains("<stdin>"), "{}", run.stderr());
    assert!(run.stderr().contains("empty"), "{}", run.stderr());
}

#[test]
fn malformed_metadata_names_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("meta.json");
    std::fs::write(&file, "{\"packages\": [").expect("write");
    let run = common::run_tool(
        dir.path(),
        dir.path(),
        &["check", "--metadata-path", file.to_str().expect("utf-8")],
        None,
    );
    run.expect_code(INPUT);
    assert!(run.stdout().is_empty());
    assert!(run.stderr().contains("meta.json"), "{}", run.stderr());
    assert!(
        run.stderr().contains("not usable cargo metadata"),
        "{}",
        run.stderr()
    );
}

#[test]
fn feature_flags_reach_cargo() {
    // etcd-client is optional behind the `etcd` feature: without it, cargo leaves it out of
    // the resolve and there is nothing to report.
    let fixture = Fixture::new("features");
    let (report, code) = check_json(&fixture, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert!(!codes(&report).iter().any(|(_, c, _)| c == "tonic"));
    for flags in [&["--features", "etcd"][..], &["--all-features"][..]] {
        let (report, code) = check_json(&fixture, flags);
        assert_eq!(code, GATE_FAILED, "{flags:?}");
        let tonic = finding(&report, "diverging-versions", "tonic");
        assert_eq!(
            origins(version(tonic, "0.9.2")),
            [o("svc", "etcd-client", "Cargo.toml", "dependencies", 9)]
        );
    }
    let (_, code) = check_json(&fixture, &["--features", "etcd", "--no-default-features"]);
    assert_eq!(code, GATE_FAILED);
}

#[test]
fn locked_refuses_a_stale_lockfile_with_cargos_message() {
    let fixture = Fixture::new("two-lines");
    std::fs::remove_file(fixture.root.join("Cargo.lock")).expect("remove lock");
    let run = fixture.run(&["check", "--offline", "--locked"]);
    run.expect_code(INPUT);
    assert!(run.stdout().is_empty());
    assert!(run.stderr().contains("--locked"), "{}", run.stderr());
    assert!(!fixture.root.join("Cargo.lock").exists());
}

#[test]
fn help_is_stable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = common::run_tool(dir.path(), dir.path(), &["--help"], None);
    run.expect_code(0);
    insta::assert_snapshot!("help", run.stdout());
    let run = common::run_tool(
        dir.path(),
        dir.path(),
        &["etcd-deps", "check", "--help"],
        None,
    );
    run.expect_code(0);
    insta::assert_snapshot!("check-help", run.stdout());
    let run = common::run_tool(dir.path(), dir.path(), &["fix", "--help"], None);
    run.expect_code(0);
    insta::assert_snapshot!("fix-help", run.stdout());
    let run = common::run_tool(dir.path(), dir.path(), &["scan", "--help"], None);
    run.expect_code(0);
    insta::assert_snapshot!("scan-help", run.stdout());
}

#[test]
fn bad_flag_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = common::run_tool(dir.path(), dir.path(), &["check", "--format", "yaml"], None);
    run.expect_code(INPUT);
    assert!(run.stdout().is_empty());
    assert!(run.stderr().contains("yaml"), "{}", run.stderr());
    let run = common::run_tool(
        dir.path(),
        dir.path(),
        &["--metadata-path", "x.json", "--manifest-path", "Cargo.toml"],
        None,
    );
    run.expect_code(INPUT);
    assert!(
        run.stderr().contains("cannot be used with"),
        "{}",
        run.stderr()
    );
}

#[test]
fn a_warnings_help_names_the_fix_command_that_plans_it() {
    let fixture = Fixture::new("two-lines");
    let report = fixture
        .run(&["check", "--offline", "--format", "json"])
        .json();
    let tower = finding(&report, "diverging-versions", "tower");
    assert_eq!(tower["level"], "warning");
    let help = tower["help"].as_str().expect("help");
    let command = help
        .split('`')
        .nth(1)
        .expect("the help names a command in backticks");
    assert_eq!(command, "cargo etcd-deps fix --include-warnings");
    // The named command (offline, as the fixture needs) takes this finding up; without
    // --include-warnings it would not. Here unifying tower needs tonic 0.13 while the plan
    // keeps tonic on 0.12, so it says so and names the `--to` that takes it; with it, the
    // plan's edits (etcd-client 0.16, the exporter 0.30) unify tower too, and nothing is held.
    let mut args: Vec<&str> = command.split(' ').skip(2).collect();
    args.extend(["--offline", "--no-verify", "--format", "json"]);
    let plan = fixture.run(&args);
    plan.expect_code(1);
    let for_tower = |plan: &serde_json::Value, list: &str| {
        plan[list]
            .as_array()
            .expect("list")
            .iter()
            .find(|e| e["finding"] == "diverging-versions:tower")
            .cloned()
    };
    let plan = plan.json();
    // The entry that names the primary crate the plan keeps (another says the exporter
    // reaches tower only through the crates that move).
    let held = plan["unfixable"]
        .as_array()
        .expect("unfixable")
        .iter()
        .find(|u| u["finding"] == "diverging-versions:tower" && u["blocking"] == "tonic")
        .cloned()
        .unwrap_or_else(|| panic!("{plan:#}"));
    let message = held["message"].as_str().expect("message");
    let to = message
        .split("pass ")
        .nth(1)
        .and_then(|rest| rest.split(" to take it").next())
        .unwrap_or_else(|| panic!("no --to named: {message}"));
    assert_eq!(to, "--to tonic@0.13", "{message}");
    args.extend(to.split(' '));
    // With the proof: the plan's move of the exporter (for tonic) takes tower along, which
    // only the re-resolved copy shows.
    args.retain(|a| *a != "--no-verify");
    let moved = fixture.run(&args);
    moved.expect_code(1);
    let moved = moved.json();
    assert!(for_tower(&moved, "unfixable").is_none(), "{moved:#}");
    assert_eq!(
        moved["edits"].as_array().map(Vec::len),
        Some(2),
        "{moved:#}"
    );
    let without = fixture
        .run(&["fix", "--offline", "--no-verify", "--format", "json"])
        .json();
    assert!(for_tower(&without, "edits").is_none(), "{without:#}");
    assert!(for_tower(&without, "unfixable").is_none(), "{without:#}");
}

#[test]
fn root_causes_come_first_and_raise_a_members_own_older_requirement() {
    // gateway declares tonic 0.9 itself; opentelemetry-otlp brings 0.12.
    let fixture = Fixture::new("lockfile-split");
    let run = fixture.run(&["check", "--lockfile"]);
    run.expect_code(GATE_FAILED);
    let text = run.stdout();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("2 root causes:"), "{text}");
    assert_eq!(
        lines.next(),
        Some(
            "  tonic: 0.9 (direct) | 0.12 (opentelemetry-otlp); fix: raise the tonic \
             requirement of gateway to 0.12 [1 diverging-versions, 1 type-boundary]"
        ),
        "{text}"
    );
    // No help advises the older line, or moving a member "to a release".
    assert!(
        text.contains("; raise the tonic requirement of gateway to 0.12\n"),
        "{text}"
    );
    assert!(
        text.contains("unify on tonic 0.12: raise the tonic requirement of gateway to 0.12,"),
        "{text}"
    );
    assert!(!text.contains("tonic 0.9 in gateway"), "{text}");
}

#[test]
fn every_help_names_the_newest_line_and_members_raise_their_own_requirement() {
    // meta-store declares tonic 0.9 and meets etcd-client 0.14 (tonic 0.12) and
    // opentelemetry-otlp 0.30 (tonic 0.13): every help unifies on tonic 0.13, as the fix
    // does, and meta-store raises its own requirement instead of moving "to a release".
    let fixture = Fixture::new("two-lines");
    let manifest = fixture.root.join("crates/meta-store/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).expect("read");
    std::fs::write(
        &manifest,
        text.replace(
            "etcd-client = \"0.11\"",
            "tonic = \"0.9\"\netcd-client = \"0.14\"\nopentelemetry-otlp = \"0.30\"",
        ),
    )
    .expect("write");
    let run = fixture.run(&["check", "--offline", "--format", "json"]);
    run.expect_code(GATE_FAILED);
    let report = run.json();
    let boundary = finding(&report, "type-boundary", "tonic")["help"]
        .as_str()
        .expect("help")
        .to_owned();
    assert!(
        boundary.ends_with(
            "; raise the tonic requirement of meta-store to 0.13 and move etcd-client to a \
             release built on tonic 0.13"
        ),
        "{boundary}"
    );
    let diverging = finding(&report, "diverging-versions", "tonic")["help"]
        .as_str()
        .expect("help")
        .to_owned();
    assert!(
        diverging.starts_with("unify on tonic 0.13: raise the tonic requirement of meta-store"),
        "{diverging}"
    );
    for help in [&boundary, &diverging] {
        assert!(!help.contains("built on tonic 0.9"), "{help}");
        assert!(!help.contains("meta-store 0.1.0"), "{help}");
    }
}

#[test]
fn git_is_asked_for_the_top_level_only_by_sarif_and_github() {
    use std::os::unix::fs::PermissionsExt;
    let fixture = Fixture::new("lockfile-split");
    // A `git` first on PATH that records each call and fails, as no git at all would.
    let bin = fixture.root.join("fake-bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    let log = fixture.root.join("git-calls");
    let git = bin.join("git");
    std::fs::write(
        &git,
        format!("#!/bin/sh\necho \"$@\" >> '{}'\nexit 1\n", log.display()),
    )
    .expect("script");
    std::fs::set_permissions(&git, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (format, asks) in [
        ("human", false),
        ("json", false),
        ("markdown", false),
        ("sarif", true),
        ("github", true),
    ] {
        let _ = std::fs::remove_file(&log);
        let run = common::run_tool_with_env(
            &fixture.root,
            &fixture.cargo_home,
            &["check", "--lockfile", "--format", format],
            &[("PATH", &path)],
        );
        run.expect_code(GATE_FAILED);
        assert_eq!(
            log.exists(),
            asks,
            "--format {format}: {:?}",
            std::fs::read_to_string(&log)
        );
    }
}

/// The library's `load` + `check` (metadata JSON given in memory, as a tool that ran cargo
/// itself has it) report what the binary's `check --format json` reports.
#[test]
fn library_check_reports_what_the_binary_reports() {
    use cargo_etcd_deps::{CheckOptions, Input, Settings};
    let fixture = Fixture::new("type-boundary");
    let settings = Settings {
        input: Input::Json(common::saved_metadata(&fixture)),
        ..Settings::default()
    };
    let workspace = cargo_etcd_deps::load(&settings).expect("loads");
    let report = cargo_etcd_deps::check(&workspace, &CheckOptions::default()).expect("checks");
    let library = serde_json::to_value(&report).expect("serialisable");
    let (mut binary, code) = check_json(&fixture, &["--cargo-metadata"]);
    assert_eq!(code, GATE_FAILED);
    assert!(report.summary.errors > 0 && report.summary.warnings > 0);
    // Which path answered is the command line's choice; the library was given the metadata.
    let answered = binary
        .as_object_mut()
        .and_then(|o| o.remove("answered_by"))
        .expect("the binary says which path answered");
    assert_eq!(answered["path"], "cargo-metadata");
    assert_eq!(library, binary);

    let strict = CheckOptions {
        deny_warnings: true,
        ..CheckOptions::default()
    };
    let denied = cargo_etcd_deps::check(&workspace, &strict).expect("checks");
    assert_eq!(
        denied.summary.errors,
        report.summary.errors + report.summary.warnings
    );
}

/// Metadata the library is given that is not cargo's JSON is an error naming it as given.
#[test]
fn library_refuses_malformed_metadata_json() {
    let settings = cargo_etcd_deps::Settings {
        input: cargo_etcd_deps::Input::Json("{\"packages\": 1}".to_owned()),
        ..cargo_etcd_deps::Settings::default()
    };
    let err = cargo_etcd_deps::load(&settings).expect_err("malformed");
    assert!(
        err.to_string().contains("the given cargo metadata"),
        "{err}"
    );
}

/// On a terminal, what cargo says while it resolves (`Locking …`) reaches stderr as it comes
/// instead of a silent wait; through a pipe (CI, scripts) and with `-q`, stderr stays empty.
#[test]
fn cargo_progress_reaches_a_terminal_and_only_a_terminal() {
    let fixture = Fixture::new("two-lines");
    let lock = fixture.root.join("Cargo.lock");
    let tool = env!("CARGO_BIN_EXE_cargo-etcd-deps");
    let on_terminal = |args: &str| {
        std::fs::remove_file(&lock).expect("the fixture has a lockfile to remove");
        // `script` gives the tool a pseudo-terminal for stdout and stderr.
        let out = std::process::Command::new("script")
            .args([
                "-qec",
                &format!("'{tool}' check --offline {args}"),
                "/dev/null",
            ])
            .current_dir(&fixture.root)
            .env("CARGO_HOME", &fixture.cargo_home)
            .env("CARGO_TERM_COLOR", "never")
            .output()
            .expect("`script` (util-linux) runs");
        assert_eq!(out.status.code(), Some(GATE_FAILED), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let shown = on_terminal("");
    assert!(shown.contains("Locking"), "{shown}");
    assert!(shown.contains("tonic"), "{shown}");
    assert!(!on_terminal("-q").contains("Locking"));

    std::fs::remove_file(&lock).expect("a lockfile again");
    let piped = fixture.run(&["check", "--offline"]);
    assert_eq!(piped.code(), GATE_FAILED);
    assert_eq!(piped.stderr(), "");
}
