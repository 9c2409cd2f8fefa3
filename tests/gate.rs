//! The lint gate end to end: configuration (with errors pointing at the line), allow entries
//! and unused-allow, levels, the baseline round trip, every output format (SARIF validated
//! against the official 2.1.0 schema), graphs, `explain` and `completions`.

mod common;

use std::path::Path;

use common::{Fixture, codes, finding};

const OK: i32 = 0;
const GATE_FAILED: i32 = 1;
const INPUT: i32 = 2;

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write");
}

fn append(path: &Path, text: &str) {
    let mut s = std::fs::read_to_string(path).expect("read");
    s.push_str(text);
    write(path, &s);
}

#[test]
fn allow_entry_matches_by_requirement_and_keeps_its_reason() {
    let fixture = Fixture::new("two-lines");
    write(
        &fixture.root.join("etcd-deps.toml"),
        "# Team policy\nallow = [\n  { crate = \"tonic\", versions = [\"^0.9\"], reason = \"legacy exporter until Q3\" },\n]\n",
    );
    let run = fixture.run(&["check", "--offline", "--format", "json"]);
    run.expect_code(OK);
    let report = run.json();
    assert!(
        !codes(&report)
            .iter()
            .any(|(c, k, _)| c == "diverging-versions" && k == "tonic")
    );
    assert_eq!(report["allowed"][0]["crate"], "tonic");
    assert_eq!(report["allowed"][0]["reason"], "legacy exporter until Q3");
    assert_eq!(report["summary"]["errors"], 0);

    let human = fixture.run(&["check", "--offline"]);
    human.expect_code(OK);
    assert!(
        human.stdout().contains(
            "allowed: diverging-versions tonic (0.9.2, 0.12.3): legacy exporter until Q3"
        ),
        "{}",
        human.stdout()
    );
    assert_collateral_hidden(&fixture, &["check", "--offline"]);
}

/// With the tonic split hidden (allowed or baselined), the crates split only because of it are
/// hidden with it, in every format: no note of its own in the human report, no annotation, no
/// unsuppressed SARIF result.
fn assert_collateral_hidden(fixture: &Fixture, args: &[&str]) {
    let human = fixture.run(args);
    human.expect_code(OK);
    for krate in ["hyper", "prost", "axum"] {
        assert!(
            !human.stdout().contains(&format!("{krate} resolves on")),
            "{krate} shown without its root:\n{}",
            human.stdout()
        );
    }
    assert!(
        human.stdout().lines().count() < 100,
        "the report grew:\n{}",
        human.stdout()
    );
    let github = fixture.run(&[args, &["--format", "github"]].concat());
    github.expect_code(OK);
    assert!(
        !github.stdout().contains("::notice file="),
        "{}",
        github.stdout()
    );
    let sarif = fixture.run(&[args, &["--format", "sarif"]].concat());
    sarif.expect_code(OK);
    let sarif = sarif.json();
    let unsuppressed: Vec<&serde_json::Value> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["suppressions"].as_array().is_none_or(Vec::is_empty))
        .filter(|r| r["ruleId"] == "diverging-versions" && r["level"] == "note")
        .collect();
    assert!(unsuppressed.is_empty(), "{unsuppressed:#?}");
}

#[test]
fn unused_allow_entry_is_a_warning_at_its_line() {
    let fixture = Fixture::new("two-lines");
    let manifest = fixture.root.join("Cargo.toml");
    append(
        &manifest,
        "\n[workspace.metadata.etcd-deps]\nallow = [\n  { crate = \"prost\", versions = [\"^0.10\"], reason = \"old\" },\n]\n",
    );
    let run = fixture.run(&["check", "--offline", "--format", "json"]);
    run.expect_code(GATE_FAILED);
    let report = run.json();
    let unused = finding(&report, "unused-allow", "prost");
    assert_eq!(unused["level"], "warning");
    assert_eq!(unused["location"]["manifest"], "Cargo.toml");
    assert_eq!(unused["location"]["line"], 7);
    let human = fixture.run(&["check", "--offline"]).stdout();
    assert!(human.contains("warning[unused-allow]"), "{human}");
    assert!(human.contains("(Cargo.toml:7)"), "{human}");
    let verbose = fixture.run(&["check", "--offline", "-v"]).stdout();
    assert!(verbose.contains("etcd_deps::unused-allow"), "{verbose}");
    assert!(verbose.contains("this entry"), "{verbose}");
}

#[test]
fn an_unused_allow_entry_is_no_root_cause() {
    let fixture = Fixture::new("clean");
    append(
        &fixture.root.join("Cargo.toml"),
        "\n[package.metadata.etcd-deps]\nallow = [\n  { crate = \"hyper\", versions = [\"^0.5\"], reason = \"old\" },\n]\n",
    );
    let run = fixture.run(&["check", "--offline"]);
    run.expect_code(OK);
    let human = run.stdout();
    assert!(!human.contains("root cause"), "{human}");
    assert!(!human.contains("hyper: ;"), "{human}");
    assert!(
        human
            .contains("warning[unused-allow]: the allow entry for hyper (^0.5) matches no finding"),
        "{human}"
    );
}

#[test]
fn levels_and_family_level_from_workspace_metadata() {
    let fixture = Fixture::new("two-lines");
    append(
        &fixture.root.join("Cargo.toml"),
        "\n[workspace.metadata.etcd-deps]\nlevels = { diverging-versions = \"warn\" }\nfamily-level = \"deny\"\n",
    );
    let run = fixture.run(&["check", "--offline", "--format", "json"]);
    // tonic is now a warning, tower (family) an error.
    run.expect_code(GATE_FAILED);
    let report = run.json();
    assert_eq!(
        finding(&report, "diverging-versions", "tonic")["level"],
        "warning"
    );
    assert_eq!(
        finding(&report, "diverging-versions", "tower")["level"],
        "error"
    );
}

#[test]
fn config_edges_targets_and_watch_apply_and_flags_override_them() {
    let fixture = Fixture::new("dev-only");
    write(
        &fixture.root.join("etcd-deps.toml"),
        "edges = [\"no-dev\"]\n",
    );
    fixture.run(&["check", "--offline"]).expect_code(OK);
    // -e on the command line wins over the configuration.
    fixture
        .run(&["check", "--offline", "-e", "all"])
        .expect_code(GATE_FAILED);

    let fixture = Fixture::new("target-specific");
    write(
        &fixture.root.join("etcd-deps.toml"),
        "targets = [\"x86_64-pc-windows-msvc\"]\n",
    );
    fixture.run(&["check", "--offline"]).expect_code(OK);
    fixture
        .run(&["check", "--offline", "--target", "x86_64-unknown-linux-gnu"])
        .expect_code(GATE_FAILED);

    let fixture = Fixture::new("two-lines");
    write(
        &fixture.root.join("etcd-deps.toml"),
        "watch = [\"socket2\"]\n",
    );
    let report = fixture
        .run(&["check", "--offline", "--format", "json"])
        .json();
    // The primary list is replaced: socket2 is primary, tonic only a train crate (a warning).
    assert_eq!(
        finding(&report, "diverging-versions", "socket2")["level"],
        "error"
    );
    assert_eq!(
        finding(&report, "diverging-versions", "tonic")["level"],
        "warning"
    );
}

#[test]
fn config_errors_point_at_the_line_with_a_suggestion() {
    let fixture = Fixture::new("two-lines");
    write(
        &fixture.root.join("etcd-deps.toml"),
        "# policy\nwacth = [\"tonic\"]\n",
    );
    let run = fixture.run(&["check", "--offline"]);
    run.expect_code(INPUT);
    assert!(run.stdout().is_empty());
    let err = run.stderr();
    assert!(err.contains("unknown configuration key `wacth`"), "{err}");
    assert!(err.contains("did you mean `watch`?"), "{err}");
    assert!(err.contains("etcd-deps.toml:2:1"), "{err}");

    write(
        &fixture.root.join("etcd-deps.toml"),
        "allow = [{ crate = \"tonic\", versions = [\"^0.9\"] }]\n",
    );
    let run = fixture.run(&["check", "--offline"]);
    run.expect_code(INPUT);
    assert!(run.stderr().contains("needs `reason`"), "{}", run.stderr());

    append(
        &fixture.root.join("Cargo.toml"),
        "\n[workspace.metadata.etcd-deps]\nwatch = []\n",
    );
    let run = fixture.run(&["check", "--offline"]);
    run.expect_code(INPUT);
    assert!(run.stderr().contains("both"), "{}", run.stderr());
}

#[test]
fn config_flag_replaces_discovery() {
    let fixture = Fixture::new("two-lines");
    write(&fixture.root.join("etcd-deps.toml"), "wacth = []\n");
    let other = fixture.tmp.path().join("strict.toml");
    write(&other, "levels = { diverging-versions = \"allow\" }\n");
    let run = fixture.run(&[
        "check",
        "--offline",
        "--format",
        "json",
        "--config",
        other.to_str().expect("utf-8"),
    ]);
    run.expect_code(OK);
    assert_eq!(run.json()["findings"], serde_json::json!([]));
    let missing = fixture.run(&["check", "--offline", "--config", "nope.toml"]);
    missing.expect_code(INPUT);
    assert!(
        missing.stderr().contains("nope.toml"),
        "{}",
        missing.stderr()
    );
}

#[test]
fn baseline_round_trip() {
    let fixture = Fixture::new("two-lines");
    let baseline = fixture.root.join("etcd-deps-baseline.json");
    let b = baseline.to_str().expect("utf-8");

    // Adopt the gate today: record, then pass.
    let run = fixture.run(&["check", "--offline", "--write-baseline", b]);
    run.expect_code(OK);
    assert!(
        run.stdout().contains("wrote a baseline of 2 findings"),
        "{}",
        run.stdout()
    );
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).expect("read")).expect("json");
    assert_eq!(
        recorded["entries"][0],
        serde_json::json!({"code": "diverging-versions", "crate": "tonic", "lines": ["0.9", "0.12"]})
    );
    let run = fixture.run(&["check", "--offline", "--baseline", b, "--format", "json"]);
    run.expect_code(OK);
    assert_eq!(
        run.json()["baseline"]["matched"].as_array().map(Vec::len),
        Some(2)
    );
    assert_collateral_hidden(&fixture, &["check", "--offline", "--baseline", b]);

    // A new divergence (a third tonic line) fails the gate.
    let server = fixture.root.join("crates/server/Cargo.toml");
    let original = std::fs::read_to_string(&server).expect("read");
    append(&server, "tonic-health = \"0.10\"\n");
    let run = fixture.run(&["check", "--offline", "--baseline", b, "--format", "json"]);
    run.expect_code(GATE_FAILED);
    let tonic = finding(&run.json(), "diverging-versions", "tonic").clone();
    assert_eq!(tonic["lines"], serde_json::json!(["0.9", "0.10", "0.12"]));

    // Back out, then fix the original split: the baseline reports it fixed.
    write(&server, &original);
    let meta = fixture.root.join("crates/meta-store/Cargo.toml");
    let text = std::fs::read_to_string(&meta).expect("read");
    write(
        &meta,
        &text.replace("etcd-client = \"0.11\"", "etcd-client = \"0.14\""),
    );
    let run = fixture.run(&["check", "--offline", "--baseline", b]);
    run.expect_code(OK);
    assert!(
        run.stdout()
            .contains("fixed since it was written: diverging-versions tonic (0.9, 0.12)"),
        "{}",
        run.stdout()
    );
    // The config key works too, relative to the workspace root.
    write(
        &fixture.root.join("etcd-deps.toml"),
        "baseline = \"etcd-deps-baseline.json\"\n",
    );
    let run = fixture.run(&["check", "--offline", "--format", "json"]);
    run.expect_code(OK);
    assert_eq!(run.json()["baseline"]["fixed"][0]["crate"], "tonic");

    let missing = fixture.run(&["check", "--offline", "--baseline", "missing.json"]);
    missing.expect_code(INPUT);
    assert!(
        missing.stderr().contains("--write-baseline"),
        "{}",
        missing.stderr()
    );
}

#[test]
fn a_baselined_or_allowed_divergence_is_never_called_no_divergence() {
    let fixture = Fixture::new("two-lines");
    let baseline = fixture.root.join("etcd-deps-baseline.json");
    let b = baseline.to_str().expect("utf-8");
    fixture
        .run(&["check", "--offline", "--write-baseline", b])
        .expect_code(OK);
    let run = fixture.run(&["check", "--offline", "--baseline", b]);
    run.expect_code(OK);
    let out = run.stdout();
    assert!(!out.contains("no diverging versions"), "{out}");
    assert!(
        out.contains("summary: 0 errors, 0 warnings, 0 notes; 2 in the baseline; the gate passed"),
        "{out}"
    );
    std::fs::remove_file(&baseline).expect("remove");
    write(
        &fixture.root.join("etcd-deps.toml"),
        "allow = [\n  { crate = \"tonic\", versions = [\"^0.9\"], reason = \"legacy\" },\n  \
         { crate = \"tower\", versions = [\"^0.4\"], reason = \"legacy\" },\n]\n",
    );
    let run = fixture.run(&["check", "--offline"]);
    run.expect_code(OK);
    let out = run.stdout();
    assert!(!out.contains("no diverging versions"), "{out}");
    assert!(out.contains("; 2 allowed; the gate passed"), "{out}");
}

#[test]
fn a_baseline_of_an_unknown_schema_version_is_a_usage_error_naming_the_file() {
    let fixture = Fixture::new("two-lines");
    for (version, text) in [
        ("2", r#"{"schema_version": 2, "entries": []}"#),
        ("0", r#"{"schema_version": 0, "entries": []}"#),
    ] {
        write(&fixture.root.join("future.json"), text);
        let run = fixture.run(&["check", "--offline", "--baseline", "future.json"]);
        run.expect_code(INPUT);
        assert!(run.stdout().is_empty(), "{}", run.stdout());
        let err = run.stderr();
        assert!(err.contains("future.json"), "{err}");
        assert!(err.contains(&format!("schema_version {version}")), "{err}");
        assert!(err.contains("--write-baseline"), "{err}");
    }
}

fn sarif_schema() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::testdata().join("sarif-schema-2.1.0.json"))
            .expect("schema"),
    )
    .expect("schema json");
    jsonschema::validator_for(&schema).expect("valid schema")
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let validator = sarif_schema();
    for name in [
        "two-lines",
        "clean",
        "source-split",
        "train-skew",
        "workspace-inherit",
    ] {
        let fixture = Fixture::new(name);
        let run = fixture.run(&["check", "--offline", "--format", "sarif"]);
        let doc: serde_json::Value = serde_json::from_str(&run.stdout()).expect("json");
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
    // A rule per code, results located at the Cargo.toml origin line.
    let fixture = Fixture::new("two-lines");
    let doc: serde_json::Value = serde_json::from_str(
        &fixture
            .run(&["check", "--offline", "--format", "sarif"])
            .stdout(),
    )
    .expect("json");
    let run0 = &doc["runs"][0];
    assert_eq!(
        run0["tool"]["driver"]["rules"].as_array().map(Vec::len),
        Some(6)
    );
    let loc = &run0["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "crates/meta-store/Cargo.toml"
    );
    assert_eq!(loc["region"]["startLine"], 8);
}

#[test]
fn sarif_uris_are_percent_encoded() {
    // A member directory whose name needs escaping in a URI: a space, `#`, `%`, non-ASCII.
    let validator = sarif_schema();
    let fixture = Fixture::new("two-lines");
    let dir = "meta store #1 %41 \u{e9}";
    std::fs::rename(
        fixture.root.join("crates/meta-store"),
        fixture.root.join("crates").join(dir),
    )
    .expect("rename");
    let server = fixture.root.join("crates/server/Cargo.toml");
    let text = std::fs::read_to_string(&server).expect("read");
    write(
        &server,
        &text.replace("../meta-store", &format!("../{dir}")),
    );
    let run = fixture.run(&["check", "--offline", "--format", "sarif"]);
    run.expect_code(GATE_FAILED);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout()).expect("json");
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let uris = common::sarif_uris(&doc);
    assert!(
        uris.contains(&"crates/meta%20store%20%231%20%2541%20%C3%A9/Cargo.toml"),
        "{uris:#?}"
    );
    // GitHub annotations name the file as it is, with only the workflow-command escape of `%`.
    let github = fixture.run(&["check", "--offline", "--format", "github"]);
    github.expect_code(GATE_FAILED);
    assert!(
        github
            .stdout()
            .contains("file=crates/meta store #1 %2541 \u{e9}/Cargo.toml,"),
        "{}",
        github.stdout()
    );
}

#[test]
fn sarif_with_allowed_findings_and_saved_metadata_still_validates() {
    let validator = sarif_schema();
    let fixture = Fixture::new("two-lines");
    write(
        &fixture.root.join("etcd-deps.toml"),
        "allow = [{ crate = \"tonic\", versions = [\"^0.9\"], reason = \"q3\" }, { crate = \"prost\", versions = [\"^0.1\"], reason = \"stale\" }]\n",
    );
    let doc: serde_json::Value = serde_json::from_str(
        &fixture
            .run(&["check", "--offline", "--format", "sarif"])
            .stdout(),
    )
    .expect("json");
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = doc["runs"][0]["results"].as_array().expect("results");
    assert!(
        results
            .iter()
            .any(|r| r["suppressions"][0]["justification"] == "q3")
    );
    let unused = results
        .iter()
        .find(|r| r["ruleId"] == "unused-allow")
        .expect("unused-allow result");
    assert_eq!(
        unused["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "etcd-deps.toml"
    );

    // Saved metadata has no manifest location: results point at Cargo.lock.
    let file = common::testdata().join("metadata/git-source-split.json");
    let run = common::run_tool(
        fixture.tmp.path(),
        &fixture.cargo_home,
        &[
            "check",
            "--format",
            "sarif",
            "--metadata-path",
            file.to_str().expect("utf-8"),
        ],
        None,
    );
    let doc: serde_json::Value = serde_json::from_str(&run.stdout()).expect("json");
    assert!(validator.iter_errors(&doc).next().is_none());
    assert_eq!(
        doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "Cargo.lock"
    );
}

#[test]
fn machine_paths_are_relative_to_the_git_top_level() {
    let fixture = Fixture::new("two-lines");
    let status = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(fixture.tmp.path())
        .status()
        .expect("git");
    assert!(status.success());
    let run = fixture.run(&["check", "--offline", "--format", "github"]);
    run.expect_code(GATE_FAILED);
    assert!(
        run.stdout()
            .contains("::error file=workspaces/two-lines/crates/meta-store/Cargo.toml,line=8,"),
        "{}",
        run.stdout()
    );
}

#[test]
fn every_format_on_every_fixture() {
    let validator = sarif_schema();
    for name in common::FIXTURES.iter().chain(&["features"]) {
        let fixture = Fixture::new(name);
        let json = fixture.run(&["check", "--offline", "--format", "json"]);
        let code = json.code();
        for format in ["github", "markdown", "sarif"] {
            let run = fixture.run(&["check", "--offline", "--format", format]);
            assert_eq!(run.code(), code, "{name} {format}: {}", run.stderr());
            if format == "sarif" {
                let doc: serde_json::Value = serde_json::from_str(&run.stdout()).expect("json");
                let errors: Vec<String> =
                    validator.iter_errors(&doc).map(|e| e.to_string()).collect();
                assert!(errors.is_empty(), "{name}: {errors:#?}");
            }
            insta::assert_snapshot!(format!("{name}-{format}"), run.stdout());
        }
        for graph in ["dot", "mermaid"] {
            let run = fixture.run(&["check", "--offline", "--graph", graph]);
            assert_eq!(run.code(), code, "{name} {graph}");
            insta::assert_snapshot!(format!("{name}-{graph}"), run.stdout());
        }
    }
}

#[test]
fn fix_plan_as_markdown() {
    let fixture = Fixture::new("two-lines");
    let run = fixture.run(&["fix", "--offline", "--format", "markdown"]);
    run.expect_code(GATE_FAILED);
    insta::assert_snapshot!("two-lines-fix-markdown", run.stdout());
    let run = fixture.run(&["fix", "--offline", "--format", "sarif"]);
    run.expect_code(INPUT);
}

#[test]
fn graphs_in_dot_and_mermaid_to_stdout_or_a_file() {
    let fixture = Fixture::new("two-lines");
    let dot = fixture.run(&["check", "--offline", "--graph", "dot"]);
    dot.expect_code(GATE_FAILED);
    let text = dot.stdout();
    assert!(text.starts_with("digraph etcd_deps {"), "{text}");
    // The minority line is highlighted, the origin edge is bold.
    assert!(
        text.contains("\"tonic 0.9.2\" [color=\"#cc0000\""),
        "{text}"
    );
    assert!(
        text.contains(
            "\"meta-store 0.1.0\" -> \"etcd-client 0.11.1\" [label=\"^0.11\", penwidth=3"
        ),
        "{text}"
    );
    let out = fixture.tmp.path().join("graph.mmd");
    let run = fixture.run(&[
        "check",
        "--offline",
        "--graph",
        "mermaid",
        "--output",
        out.to_str().expect("utf-8"),
    ]);
    run.expect_code(GATE_FAILED);
    assert!(run.stdout().is_empty());
    let mermaid = std::fs::read_to_string(&out).expect("written");
    assert!(mermaid.starts_with("graph LR\n"), "{mermaid}");
    assert!(mermaid.contains("class "), "{mermaid}");
}

#[test]
fn explain_and_completions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = common::run_tool(dir.path(), dir.path(), &["explain"], None);
    run.expect_code(OK);
    for code in [
        "diverging-versions",
        "source-split",
        "train-skew",
        "type-boundary",
        "unused-allow",
    ] {
        assert!(run.stdout().contains(code), "{}", run.stdout());
    }
    let run = common::run_tool(dir.path(), dir.path(), &["explain", "type-boundary"], None);
    run.expect_code(OK);
    insta::assert_snapshot!("explain-type-boundary", run.stdout());
    let run = common::run_tool(dir.path(), dir.path(), &["explain", "nope"], None);
    run.expect_code(INPUT);
    assert!(
        run.stderr().contains("diverging-versions"),
        "{}",
        run.stderr()
    );
    for shell in ["bash", "zsh", "fish"] {
        let run = common::run_tool(dir.path(), dir.path(), &["completions", shell], None);
        run.expect_code(OK);
        assert!(run.stdout().contains("cargo-etcd-deps"), "{shell}");
        assert!(run.stdout().contains("manifest-path"), "{shell}");
    }
}

#[test]
fn color_follows_the_flag_and_no_color() {
    let fixture = Fixture::new("two-lines");
    let plain = fixture.run(&["check", "--offline"]);
    plain.expect_code(GATE_FAILED);
    assert!(!plain.stdout().contains('\u{1b}'));
    let colored = fixture.run(&["check", "--offline", "--color", "always"]);
    colored.expect_code(GATE_FAILED);
    assert!(colored.stdout().contains('\u{1b}'));
    let with_env = |args: &[&str], env: &[(&str, &str)]| {
        common::run_tool_with_env(&fixture.root, &fixture.cargo_home, args, env)
    };
    let run = with_env(&["check", "--offline"], &[("CARGO_TERM_COLOR", "always")]);
    run.expect_code(GATE_FAILED);
    assert!(run.stdout().contains('\u{1b}'));
    // The flag wins over the environment; NO_COLOR turns `auto` off, never `always`.
    let run = with_env(
        &["check", "--offline", "--color", "never"],
        &[("CARGO_TERM_COLOR", "always")],
    );
    run.expect_code(GATE_FAILED);
    assert!(!run.stdout().contains('\u{1b}'));
    let run = with_env(
        &["check", "--offline"],
        &[("CARGO_TERM_COLOR", "always"), ("NO_COLOR", "1")],
    );
    run.expect_code(GATE_FAILED);
    assert!(run.stdout().contains('\u{1b}'));
    // A value cargo would refuse is refused, as cargo does, before anything runs.
    for bad in ["sometimes", ""] {
        let run = with_env(&["check", "--offline"], &[("CARGO_TERM_COLOR", bad)]);
        run.expect_code(INPUT);
        assert!(run.stdout().is_empty(), "{bad:?}");
        assert!(
            run.stderr().contains("--color <WHEN>"),
            "{bad:?}: {}",
            run.stderr()
        );
    }
}
