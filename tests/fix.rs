//! `cargo etcd-deps fix` end to end. Each scenario applies the plan to a copy of a fixture
//! workspace (`testdata/workspaces/<fixture>` is the `in/` folder) and compares every
//! manifest and lockfile byte for byte with `tests/fix/<scenario>/out/`, then runs `check`
//! on the result. Faults (read-only manifests, dirty trees, cargo failing during the lockfile
//! refresh, a write failing part-way) must leave every file as it was.
//!
//! `FIX_OUT_UPDATE=1 cargo test --test fix` rewrites the `out/` folders for review.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{Fixture, Run};

const OK: i32 = 0;
const PENDING: i32 = 1;
const INPUT: i32 = 2;
const INTERNAL: i32 = 3;

/// Every Cargo.toml and Cargo.lock under `root` (skipping `target/`), relative path → bytes.
fn manifests(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("read dir")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() {
                if name != "target" {
                    walk(root, &path, out);
                }
            } else if name == "Cargo.toml" || name == "Cargo.lock" {
                let rel = path
                    .strip_prefix(root)
                    .expect("under root")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&path).expect("read"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn expected_dir(scenario: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fix")
        .join(scenario)
        .join("out")
}

/// Compares the fixture's manifests with `tests/fix/<scenario>/out/` (or rewrites it).
fn assert_out(fixture: &Fixture, scenario: &str) {
    let actual = manifests(&fixture.root);
    let dir = expected_dir(scenario);
    if std::env::var_os("FIX_OUT_UPDATE").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        for (rel, bytes) in &actual {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, bytes).expect("write");
        }
    }
    let expected = manifests(&dir);
    assert_eq!(
        actual.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "{scenario}: the set of manifests differs"
    );
    for (rel, bytes) in &expected {
        assert!(
            actual[rel] == *bytes,
            "{scenario}: {rel} differs from out/\n--- expected\n{}\n--- actual\n{}",
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&actual[rel])
        );
    }
}

fn fix(fixture: &Fixture, extra: &[&str]) -> Run {
    let mut args = vec!["fix", "--offline"];
    args.extend_from_slice(extra);
    fixture.run(&args)
}

/// Plans (snapshot of the human plan), applies, compares with out/, and checks the result.
fn scenario(fixture_name: &str, scenario: &str, extra: &[&str], check_after: i32) {
    let fixture = Fixture::new(fixture_name);
    let before = manifests(&fixture.root);
    let plan = fix(&fixture, extra);
    plan.expect_code(PENDING);
    assert_eq!(
        manifests(&fixture.root),
        before,
        "a plan must write nothing"
    );
    insta::assert_snapshot!(format!("{scenario}-plan"), plan.stdout());

    let mut args = extra.to_vec();
    args.extend_from_slice(&["--apply", "--allow-dirty"]);
    let applied = fix(&fixture, &args);
    applied.expect_code(OK);
    assert!(
        applied.stdout().contains("summary: applied"),
        "{}",
        applied.stdout()
    );
    assert!(
        !fixture.root.join("target").exists(),
        "verification copy left behind"
    );
    assert_out(&fixture, scenario);

    let check = fixture.run(&["check", "--offline", "--format", "json"]);
    check.expect_code(check_after);
    // After a fix, only residual splits remain: nothing on the fixed crates.
    let report = check.json();
    for f in report["findings"].as_array().expect("findings") {
        assert_ne!(
            f["level"], "error",
            "{scenario}: error left after fix: {f:#}"
        );
    }
    // A second run has nothing left to do.
    fix(&fixture, extra).expect_code(OK);
}

/// The move a platform team asks for: a policy wants etcd-client 0.17 (built on tonic 0.14),
/// `meta` is on 0.16 (tonic 0.13) and `api` holds tonic, tonic-health, prost and tonic-build
/// on 0.13. One hop would split tonic; the plan goes on until cargo proves the copy
/// consistent: etcd-client, then tonic, tonic-health, prost and tonic-build to their 0.14
/// lines, each round said.
#[test]
fn fix_carries_a_policy_move_to_a_state_cargo_proves() {
    let fixture = Fixture::new("policy-move");
    fixture.run(&["check", "--offline"]).expect_code(PENDING);
    let plan = fix(&fixture, &[]);
    plan.expect_code(PENDING);
    let out = plan.stdout();
    for needle in [
        "etcd-client: \"0.16\" → \"0.17\"",
        "tonic: \"0.13\" → \"0.14\"",
        "tonic-health: \"0.13\" → \"0.14\"",
        "prost: \"0.13\" → \"0.14\"",
        "tonic-build: \"0.13\" → \"0.14\"",
        // tonic's and tonic-build's default `prost` features became crates in 0.14.
        "[dependencies] tonic-prost: (new dependency) → \"0.14\"",
        "[build-dependencies] tonic-prost-build: (new dependency) → \"0.14\"",
        "`tonic_build::compile_protos` becomes `tonic_prost_build::compile_protos`",
        "round 2: the edited copy showed diverging-versions tonic",
        "verified: the targeted findings are gone",
    ] {
        assert!(out.contains(needle), "{needle}:\n{out}");
    }
    assert!(!out.contains("cannot fix"), "{out}");
    let json = fix(&fixture, &["--format", "json"]).json();
    assert_eq!(json["verification"]["verified"], true);
    assert_eq!(json["rounds"].as_array().map(Vec::len), Some(1), "{json:#}");
    scenario("policy-move", "policy-move", &[], OK);
}

/// tonic 0.13 has no `tls` feature: the move from 0.12 writes `tls-ring`, which the knowledge
/// file names and the registry's feature table has, and cargo resolves the copy.
#[test]
fn fix_renames_a_feature_the_target_release_lacks() {
    let fixture = Fixture::new("tls-rename");
    let json = fix(&fixture, &["--format", "json"]).json();
    let edit = &json["edits"][0];
    assert_eq!(edit["key"], "tonic");
    assert_eq!(edit["to"], "0.13");
    assert_eq!(edit["features"], serde_json::json!(["tls-ring"]));
    assert_eq!(json["verification"]["verified"], true, "{json:#}");
    scenario("tls-rename", "tls-rename", &[], OK);
}

/// etcd-client 0.12 (tonic 0.10, prost 0.12) beside tonic 0.12 (prost 0.13) and prost 0.14:
/// the plan moves etcd-client for tonic, and prost to the line the crates it finally chose
/// are built on, with that reason; `--to` names the prost line either way, and is honoured.
#[test]
fn a_plan_agrees_with_itself_and_honours_to_on_a_train() {
    let fixture = Fixture::new("prost-ahead");
    let json = fix(&fixture, &["--format", "json"]).json();
    let edit = |json: &serde_json::Value, key: &str| -> serde_json::Value {
        json["edits"]
            .as_array()
            .expect("edits")
            .iter()
            .find(|e| e["key"] == key)
            .cloned()
            .unwrap_or(serde_json::Value::Null)
    };
    assert_eq!(edit(&json, "etcd-client")["to"], "0.14", "{json:#}");
    let prost = edit(&json, "prost");
    assert_eq!(prost["to"], "0.13", "{json:#}");
    // etcd-client 0.14 and tonic 0.12 are both built on prost 0.13: the reason says what is
    // true of the releases the plan chose, never of the ones it moves away from.
    assert!(
        prost["reason"]
            .as_str()
            .is_some_and(|r| r.contains("prost 0.13.5")),
        "{prost}"
    );
    assert_eq!(json["verification"]["verified"], true, "{json:#}");

    let down = fix(&fixture, &["--to", "prost@0.13", "--format", "json"]).json();
    assert_eq!(edit(&down, "prost")["to"], "0.13", "{down:#}");
    assert_eq!(down["verification"]["verified"], true, "{down:#}");

    let up = fix(&fixture, &["--to", "prost@0.14", "--format", "json"]).json();
    assert_eq!(edit(&up, "prost"), serde_json::Value::Null, "{up:#}");
    assert_eq!(edit(&up, "etcd-client")["to"], "0.17", "{up:#}");
    assert_eq!(edit(&up, "tonic")["to"], "0.14", "{up:#}");
    assert_eq!(up["unfixable"], serde_json::json!([]), "{up:#}");
    assert_eq!(up["verification"]["verified"], true, "{up:#}");
}

/// check and fix say the same thing about one workspace: check's root-cause line and the
/// train-skew help name the prost line `fix` moves to (the one tonic 0.12.3, which keeps
/// its line, is built on), and offer the newest line as the other choice with the `--to`
/// that plans it; each of the two plans does what check says of it.
#[test]
fn check_advises_the_prost_line_fix_plans_and_names_the_other_choice() {
    let fixture = Fixture::new("prost-ahead");
    let check = fixture.run(&["check", "--offline"]);
    check.expect_code(PENDING);
    let text = check.stdout();
    let root = text
        .lines()
        .find(|l| l.trim_start().starts_with("prost: "))
        .unwrap_or_default();
    assert!(
        root.contains(
            "fix: set the prost requirement of app to 0.13 and move etcd-client to a release \
             built on prost 0.13, as tonic 0.12.3 is (`fix` plans it); or move etcd-client, \
             tonic to releases built on prost 0.14 (`fix --to prost@0.14`)"
        ),
        "{text}"
    );
    assert!(
        !text.contains("prost-derive 0.14 (`fix --to prost-derive"),
        "prost-derive follows prost: {text}"
    );
    let report = fixture
        .run(&["check", "--offline", "--format", "json"])
        .json();
    let skew = common::finding(&report, "train-skew", "prost");
    assert_eq!(skew["unify_on"]["line"], "0.13", "{skew:#}");
    assert_eq!(skew["unify_on"]["to"], "prost@0.14", "{skew:#}");
    let help = skew["help"].as_str().unwrap_or_default();
    assert!(
        help.starts_with("set the prost requirement of app to 0.13"),
        "{help}"
    );
    assert!(
        help.contains("`cargo etcd-deps fix --to prost@0.14` plans it"),
        "{help}"
    );

    // What check says fix does, fix does: prost to 0.13 in the first round, for tonic 0.12.3.
    let plan = fix(&fixture, &["--format", "json"]).json();
    let prost: Vec<_> = edits_of(&plan)
        .into_iter()
        .filter(|(key, _)| key == "prost")
        .collect();
    assert_eq!(prost, [("prost".to_owned(), "0.13".to_owned())], "{plan:#}");
    assert_eq!(plan["rounds"], serde_json::json!([]), "{plan:#}");
    assert_eq!(plan["verification"]["verified"], true, "{plan:#}");
    // And the other choice, as check words it.
    let up = fix(&fixture, &["--to", "prost@0.14", "--format", "json"]).json();
    assert!(
        edits_of(&up).contains(&("tonic".to_owned(), "0.14".to_owned())),
        "{up:#}"
    );
    assert_eq!(up["verification"]["verified"], true, "{up:#}");
    // `--to` on the crate prost follows leaves no edit that writes what is already there.
    let tonic = fix(&fixture, &["--to", "tonic@0.14", "--format", "json"]).json();
    for e in tonic["edits"].as_array().expect("edits") {
        assert_ne!(e["from"], e["to"], "{tonic:#}");
    }
    assert_eq!(tonic["verification"]["verified"], true, "{tonic:#}");
}

/// A workspace on rust 1.80 moved to tonic 0.14 (0.14.6+ declare 1.88, 0.14.1–0.14.5 1.75):
/// under resolver 2, which on its own would lock 0.14.6, and under resolver 3 the copy cargo
/// proves and the Cargo.lock `--apply` writes hold 0.14.5, and check passes afterwards.
/// Resolver 2 is told that a later `cargo update` may not keep to it.
#[test]
fn a_move_stays_within_the_workspace_rust_version_on_resolver_2_and_3() {
    for (fixture_name, note) in [("msrv-resolver2", true), ("msrv-resolver3", false)] {
        let fixture = Fixture::new(fixture_name);
        let run = fix(&fixture, &["--to", "tonic@0.14", "--format", "json"]);
        run.expect_code(PENDING);
        let plan = run.json();
        let v = &plan["verification"];
        assert_eq!(v["verified"], true, "{fixture_name}: {plan:#}");
        assert_eq!(
            v["after"]["tonic"],
            serde_json::json!(["0.14.5"]),
            "{plan:#}"
        );
        assert!(v.get("above_rust_version").is_none(), "{plan:#}");
        let noted = v["notes"].as_array().is_some_and(|n| {
            n.iter().any(|n| {
                n.as_str()
                    .is_some_and(|n| n.contains("incompatible-rust-versions = \"fallback\""))
            })
        });
        assert_eq!(noted, note, "{fixture_name}: {plan:#}");

        let applied = fix(
            &fixture,
            &["--to", "tonic@0.14", "--apply", "--allow-dirty"],
        );
        applied.expect_code(OK);
        let lock = std::fs::read_to_string(fixture.root.join("Cargo.lock")).expect("lock");
        assert!(
            lock.contains("name = \"tonic\"\nversion = \"0.14.5\""),
            "{fixture_name}: {lock}"
        );
        assert!(!lock.contains("0.14.6"), "{fixture_name}: {lock}");
        fixture
            .run(&["check", "--offline", "--locked", "-q"])
            .expect_code(OK);
    }
}

/// `--build-check` compiles the verified copy with the workspace's sources: the build-error
/// workspace (app passes etcd-client's `tonic::Status` to rpc's) compiles once etcd-client is
/// on tonic 0.12, so the plan is verified by the compiler too, and `--apply` writes it.
#[test]
fn build_check_proves_a_plan_compiles_and_applies_it() {
    let fixture = Fixture::new("build-error");
    let run = fix(&fixture, &["--build-check", "--format", "json"]);
    run.expect_code(PENDING);
    let plan = run.json();
    let build = &plan["verification"]["build"];
    assert_eq!(build["outcome"], "clean", "{plan:#}");
    assert_eq!(plan["verification"]["verified"], true, "{plan:#}");
    let human = fix(&fixture, &["--build-check"]);
    human.expect_code(PENDING);
    assert!(
        human.stdout().contains(
            "verified: the targeted findings are gone, cargo resolves it and `cargo check` compiles it"
        ),
        "{}",
        human.stdout()
    );
    let applied = fix(&fixture, &["--build-check", "--apply", "--allow-dirty"]);
    applied.expect_code(OK);
    let app = std::fs::read_to_string(fixture.root.join("app/Cargo.toml")).expect("app");
    assert!(app.contains("etcd-client = \"0.14\""), "{app}");
    // Nothing of the copy is left behind, its build included.
    assert!(!fixture.root.join("target/etcd-deps").exists());
}

/// A move across tonic-build 0.14 resolves, but build.rs still calls
/// `tonic_build::compile_protos`: `--build-check` names the file, line and rustc's message,
/// the plan is not verified, and `--apply` writes nothing.
#[test]
fn build_check_names_the_source_changes_and_refuses_to_apply() {
    let fixture = Fixture::new("build-check");
    let before = manifests(&fixture.root);
    let plain = fix(&fixture, &["--format", "json"]).json();
    assert_eq!(plain["verification"]["verified"], true, "{plain:#}");
    assert!(plain["verification"].get("build").is_none(), "{plain:#}");

    let run = fix(&fixture, &["--build-check", "--format", "json"]);
    run.expect_code(PENDING);
    let plan = run.json();
    let build = &plan["verification"]["build"];
    assert_eq!(build["outcome"], "source-changes", "{plan:#}");
    assert_eq!(plan["verification"]["verified"], false, "{plan:#}");
    let first = &build["source_changes"][0];
    assert_eq!(first["file"], "api/build.rs", "{build:#}");
    assert_eq!(first["line"], 3, "{build:#}");
    assert_eq!(first["code"], "E0425", "{build:#}");
    assert!(
        first["message"].as_str().is_some_and(
            |m| m.contains("cannot find function `compile_protos` in crate `tonic_build`")
        ),
        "{build:#}"
    );
    assert_eq!(build["two_versions"], serde_json::json!([]), "{build:#}");
    let markdown = fix(&fixture, &["--build-check", "--format", "markdown"]);
    markdown.expect_code(PENDING);
    assert!(
        markdown.stdout().contains(
            "- build check (`cargo check --workspace --all-targets`): source changes to make for the new releases\n  - `api/build.rs:3` `E0425`: cannot find function"
        ),
        "{}",
        markdown.stdout()
    );

    let applied = fix(&fixture, &["--build-check", "--apply", "--allow-dirty"]);
    applied.expect_code(PENDING);
    let out = applied.stdout();
    assert!(
        out.contains("      api/build.rs:3: error[E0425]: cannot find function `compile_protos`"),
        "{out}"
    );
    assert!(out.contains("nothing is written until it does"), "{out}");
    assert_eq!(
        manifests(&fixture.root),
        before,
        "a failed build check writes nothing"
    );
    assert!(!fixture.root.join("target/etcd-deps").exists());

    // The compile proof needs the resolution proof.
    fix(&fixture, &["--build-check", "--no-verify"]).expect_code(INPUT);
}

/// `--to tonic@0.12` beside opentelemetry-otlp 0.30, which reaches tonic 0.13 only through
/// opentelemetry-proto 0.30: the plan walks the chain down to otlp 0.29 (proto 0.29, tonic
/// 0.12), says why, and cargo proves it; nothing is left "unfixable" beside "verified".
#[test]
fn to_an_older_line_walks_a_chain_of_intermediates_down() {
    let fixture = Fixture::new("chain-back");
    let run = fix(&fixture, &["--to", "tonic@0.12", "--format", "json"]);
    run.expect_code(PENDING);
    let plan = run.json();
    let otlp = plan["edits"]
        .as_array()
        .expect("edits")
        .iter()
        .find(|e| e["key"] == "opentelemetry-otlp")
        .cloned()
        .unwrap_or_default();
    assert_eq!(otlp["to"], "0.29", "{plan:#}");
    let reason = otlp["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("opentelemetry-proto 0.29.0 requires tonic ^0.12.3"),
        "{reason}"
    );
    assert_eq!(plan["unfixable"], serde_json::json!([]), "{plan:#}");
    assert_eq!(plan["verification"]["verified"], true, "{plan:#}");
}

#[test]
fn fix_two_lines_bumps_etcd_client() {
    scenario("two-lines", "two-lines", &[], OK);
}

#[test]
fn fix_type_boundary() {
    scenario("type-boundary", "type-boundary", &[], OK);
}

#[test]
fn fix_renamed_key_keeps_its_name() {
    scenario("renamed", "renamed", &[], OK);
}

#[test]
fn fix_inherited_key_edits_workspace_dependencies_only() {
    scenario("workspace-inherit", "workspace-inherit", &[], OK);
}

#[test]
fn fix_target_specific_table() {
    scenario("target-specific", "target-specific", &[], OK);
}

#[test]
fn fix_dev_dependency() {
    scenario("dev-only", "dev-only", &[], OK);
}

#[test]
fn fix_key_in_several_tables_edits_every_declaration() {
    // etcd-client in [dependencies], [dev-dependencies] (an inline table),
    // [target.'cfg(unix)'.dependencies] (a tilde requirement) and [build-dependencies]: each
    // declaration pulls tonic 0.9, so each is edited, or the plan could never verify.
    scenario("two-tables", "two-tables", &[], OK);
}

#[test]
fn fix_source_split_with_a_patch() {
    scenario("source-split", "source-split", &[], OK);
}

#[test]
fn fix_source_split_extends_the_patch_section_cargo_reads() {
    // The root already patches crates.io under the index URL. cargo reads that section and
    // silently ignores a [patch.crates-io] beside it (cargo 1.95), so the tonic entry goes into
    // the existing section.
    scenario("patch-url-section", "patch-url-section", &[], OK);
}

#[test]
fn a_sparse_url_patch_section_is_not_the_one_cargo_reads_for_crates_io() {
    // cargo warns that a [patch."sparse+https://index.crates.io/"] entry is unused and
    // suggests crates-io: the plan adds [patch.crates-io], and verification proves it.
    let fixture = Fixture::new("patch-url-section");
    let manifest = fixture.root.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).expect("read");
    let text = text.replace(
        "[patch.\"https://github.com/rust-lang/crates.io-index\"]",
        "[patch.\"sparse+https://index.crates.io/\"]",
    );
    std::fs::write(&manifest, text).expect("write");
    let run = fix(&fixture, &["--format", "json"]);
    run.expect_code(PENDING);
    let plan = run.json();
    assert_eq!(plan["edits"][0]["table"], "patch.crates-io", "{plan:#}");
    assert_eq!(plan["verification"]["verified"], true, "{plan:#}");
}

#[test]
fn fix_train_skew_in_two_manifests() {
    scenario("train-skew", "train-skew", &[], OK);
}

#[test]
fn fix_deep_chain() {
    scenario("deep-chain", "deep-chain", &[], OK);
}

#[test]
fn fix_dev_cycle() {
    scenario("dev-cycle", "dev-cycle", &[], OK);
}

#[test]
fn fix_lockfile_only_split_with_cargo_update() {
    scenario("lockfile-split", "lockfile-split", &[], OK);
}

#[test]
fn fix_two_hops_away_bumps_the_wrapper() {
    // orders → acme-platform 1.4 → etcd-client 0.11 → tonic 0.9: the edit is on the crate the
    // member declares, to the release whose etcd-client is built on tonic 0.12.
    scenario("transitive", "transitive", &[], OK);
}

#[test]
fn fix_with_a_fork_named_by_patch_with() {
    scenario(
        "no-release",
        "patch-with",
        &["--patch-with", "acme-grpc=forks/acme-grpc"],
        OK,
    );
}

#[test]
fn nothing_to_fix_exits_0_and_writes_nothing() {
    for name in ["clean", "features"] {
        let fixture = Fixture::new(name);
        let before = manifests(&fixture.root);
        let run = fix(&fixture, &["--apply", "--allow-dirty"]);
        run.expect_code(OK);
        assert!(run.stdout().contains("nothing to fix"), "{}", run.stdout());
        assert_eq!(manifests(&fixture.root), before);
    }
}

#[test]
fn no_release_on_the_target_line_says_so_plainly() {
    let fixture = Fixture::new("no-release");
    let before = manifests(&fixture.root);
    let run = fix(&fixture, &["--apply", "--allow-dirty"]);
    run.expect_code(PENDING);
    let out = run.stdout();
    assert!(
        out.contains(
            "no release of acme-grpc requires tonic on the 0.12 line; newest 1.3.0 requires ^0.9.2"
        ),
        "{out}"
    );
    assert!(out.contains("--patch-with acme-grpc="), "{out}");
    assert_eq!(manifests(&fixture.root), before);

    let run = fix(&fixture, &["--format", "json"]);
    run.expect_code(PENDING);
    let json = run.json();
    // Not "nothing-to-do": findings are there, and none has a fix.
    assert_eq!(json["status"], "unfixable");
    assert_eq!(json["unfixable"].as_array().map(Vec::len), Some(2));
    let unfixable = &json["unfixable"][0];
    assert_eq!(unfixable["crate"], "tonic");
    assert_eq!(unfixable["blocking"], "acme-grpc");
    assert_eq!(unfixable["newest"], "1.3.0");
    assert_eq!(unfixable["requirement"], "^0.9.2");
    assert_eq!(json["edits"], serde_json::json!([]));
    // An upstream blocker: the newest release's line, and the ways around it.
    assert_eq!(unfixable["newest_line"], "0.9");
    let kinds: Vec<&str> = unfixable["alternatives"]
        .as_array()
        .expect("alternatives")
        .iter()
        .filter_map(|a| a["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["patch-with", "pin", "other-line"], "{unfixable:#}");
    assert_eq!(unfixable["alternatives"][2]["how"], "--to tonic@0.9");
    assert!(
        unfixable["alternatives"][1]["how"]
            .as_str()
            .is_some_and(
                |h| h.contains("acme-grpc = \"=1.3.0\"") && h.contains("versions = [\"^0.9\"]")
            ),
        "{unfixable:#}"
    );
    let human = fix(&fixture, &[]);
    human.expect_code(PENDING);
    let out = human.stdout();
    for needle in [
        "newest 1.3.0 requires ^0.9.2 (the 0.9 line)",
        "    or point acme-grpc at a fork built on tonic 0.12: --patch-with acme-grpc=git+URL[#REV]",
        "    or keep acme-grpc 1.3.0 (pinned) and allow tonic 0.9 beside 0.12",
        "    or stay on tonic 0.9, the line acme-grpc 1.3.0 is on (planned, not verified yet): --to tonic@0.9",
    ] {
        assert!(out.contains(needle), "{needle}\n{out}");
    }
    let markdown = fix(&fixture, &["--format", "markdown"]);
    markdown.expect_code(PENDING);
    assert!(
        markdown
            .stdout()
            .contains("  - or stay on tonic 0.9, the line acme-grpc 1.3.0 is on (planned, not verified yet): `--to tonic@0.9`"),
        "{}",
        markdown.stdout()
    );
    // The alternative it names plans the finding.
    let stay = fix(&fixture, &["--to", "tonic@0.9", "--format", "json"]).json();
    assert_eq!(stay["unfixable"], serde_json::json!([]), "{stay:#}");
    assert_eq!(stay["verification"]["verified"], true, "{stay:#}");
}

#[test]
fn plan_json_has_the_documented_shape() {
    let fixture = Fixture::new("two-lines");
    let run = fix(&fixture, &["--format", "json"]);
    run.expect_code(PENDING);
    let plan = run.json();
    assert_eq!(plan["schema_version"], 1);
    assert_eq!(plan["status"], "pending");
    assert_eq!(
        plan["edits"],
        serde_json::json!([{
            "manifest": "crates/meta-store/Cargo.toml",
            "table": "dependencies",
            "key": "etcd-client",
            "from": "0.11",
            "to": "0.14",
            "reason": "etcd-client 0.14.0 requires tonic ^0.12 (etcd-client 0.11.1 requires tonic ^0.9.2); etcd-client 0.14 is a breaking release: check its changelog",
            "finding": "diverging-versions:tonic"
        }])
    );
    assert_eq!(plan["commands"], serde_json::json!([]));
    let v = &plan["verification"];
    assert_eq!(v["verified"], true);
    assert_eq!(v["before"]["tonic"], serde_json::json!(["0.9.2", "0.12.3"]));
    assert_eq!(v["after"]["tonic"], serde_json::json!(["0.12.3"]));
    // tower 0.4/0.5 is split inside tonic 0.12.3 itself: residual, never claimed fixed.
    assert_eq!(v["residual"][0]["crate"], "tower");
    assert_eq!(v["residual"][0]["level"], "warning");
    assert_eq!(plan["diffs"][0]["manifest"], "crates/meta-store/Cargo.toml");
    assert!(
        plan["diffs"][0]["diff"]
            .as_str()
            .expect("diff")
            .contains("-etcd-client = \"0.11\"\n+etcd-client = \"0.14\"\n")
    );
    assert_eq!(
        plan["lockfile_changed"], false,
        "nothing written without --apply"
    );
    // Applied: the lockfile cargo wrote for the edit is new, and the report says so.
    let lock = std::fs::read(fixture.root.join("Cargo.lock")).expect("read");
    let run = fix(&fixture, &["--format", "json", "--apply", "--allow-dirty"]);
    run.expect_code(OK);
    let plan = run.json();
    assert_eq!(plan["status"], "applied");
    assert_eq!(plan["lockfile_changed"], true);
    assert_ne!(
        std::fs::read(fixture.root.join("Cargo.lock")).expect("read"),
        lock
    );
}

#[test]
fn every_requirement_operator_is_rewritten_to_select_the_target_line() {
    // (as written, as planned, whether the reason explains a changed form)
    let forms = [
        ("0.11", "0.14", false),
        ("^0.11.1", "^0.14.0", false),
        ("~0.11", "~0.14", false),
        ("=0.11.1", "=0.14.0", false),
        ("0.11.*", "0.14.*", false),
        ("<0.12", "0.14", true),
        ("<=0.11.1", "0.14.0", true),
        (">=0.11", "0.14", true),
        (">0.10", "0.14", true),
        (">=0.11, <0.12", "0.14", true),
        ("*", "0.14", true),
    ];
    for (written, expected, noted) in forms {
        let fixture = Fixture::new("two-lines");
        let manifest = fixture.root.join("crates/meta-store/Cargo.toml");
        let text = std::fs::read_to_string(&manifest).expect("read");
        let text = text.replace(
            "etcd-client = \"0.11\"",
            &format!("etcd-client = \"{written}\""),
        );
        std::fs::write(&manifest, text).expect("write");
        let run = fix(&fixture, &["--format", "json"]);
        run.expect_code(PENDING);
        let plan = run.json();
        let edit = &plan["edits"][0];
        assert_eq!(edit["from"], written, "{plan:#}");
        assert_eq!(edit["to"], expected, "`{written}`: {plan:#}");
        let reason = edit["reason"].as_str().expect("reason");
        assert_eq!(
            reason.contains("which selects it and no other"),
            noted,
            "`{written}`: {reason}"
        );
        assert_eq!(
            plan["verification"]["verified"], true,
            "`{written}`: {plan:#}"
        );
        assert_eq!(
            plan["verification"]["after"]["tonic"],
            serde_json::json!(["0.12.3"]),
            "`{written}`"
        );
    }
}

#[test]
fn to_chooses_another_target_line() {
    // Unify the type boundary on tonic 0.9 instead: lower the direct tonic requirement.
    let fixture = Fixture::new("type-boundary");
    let run = fix(&fixture, &["--to", "tonic@0.9", "--format", "json"]);
    run.expect_code(PENDING);
    let plan = run.json();
    assert_eq!(plan["edits"][0]["key"], "tonic");
    assert_eq!(plan["edits"][0]["from"], "0.12");
    assert_eq!(plan["edits"][0]["to"], "0.9");
    assert_eq!(
        plan["verification"]["after"]["tonic"],
        serde_json::json!(["0.9.2"])
    );
    assert!(
        plan["edits"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("the 0.9 line the rest of the graph uses")
                && r.ends_with("tonic 0.9 is a breaking release: check its changelog")),
        "{plan:#}"
    );
}

#[test]
fn to_naming_a_crate_twice_or_one_not_in_the_graph_is_a_usage_error() {
    let fixture = Fixture::new("two-lines");
    let before = manifests(&fixture.root);
    let run = fix(&fixture, &["--to", "tonic@0.12", "--to", "tonic@0.9"]);
    run.expect_code(INPUT);
    let err = run.stderr();
    assert!(err.contains("--to names tonic twice"), "{err}");
    assert!(err.contains("tonic@0.12 and tonic@0.9"), "{err}");
    let run = fix(&fixture, &["--to", "nosuch@1", "--apply", "--allow-dirty"]);
    run.expect_code(INPUT);
    let err = run.stderr();
    assert!(err.contains("--to nosuch@1"), "{err}");
    assert!(err.contains("no crate named nosuch"), "{err}");
    assert_eq!(manifests(&fixture.root), before);
}

#[test]
fn a_move_reaches_a_crate_through_the_crate_a_newer_release_put_between() {
    // etcd-client "*" resolves to 0.17 (tonic 0.14); opentelemetry-otlp 0.31 reaches it only
    // through opentelemetry-proto 0.31, the two-hop move the plan makes.
    let fixture = Fixture::new("two-lines");
    let manifest = fixture.root.join("crates/meta-store/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).expect("read");
    std::fs::write(
        &manifest,
        text.replace("etcd-client = \"0.11\"", "etcd-client = \"*\""),
    )
    .expect("write");
    std::fs::remove_file(fixture.root.join("Cargo.lock")).expect("remove");
    let run = fix(&fixture, &[]);
    run.expect_code(PENDING);
    let out = run.stdout();
    assert!(
        out.contains(
            "opentelemetry-otlp 0.31.0 requires opentelemetry-proto ^0.31.0, and \
             opentelemetry-proto 0.31.0 requires tonic ^0.14.1 (the 0.14 line)"
        ),
        "{out}"
    );
    assert!(!out.contains("cannot fix"), "{out}");
    // Another line is another plan, as asked.
    let run = fix(&fixture, &["--to", "tonic@0.13", "--format", "json"]);
    run.expect_code(PENDING);
    let plan = run.json();
    assert_eq!(plan["unfixable"], serde_json::json!([]), "{plan:#}");
    assert_eq!(plan["edits"].as_array().map(Vec::len), Some(2), "{plan:#}");
    assert_eq!(plan["verification"]["verified"], true, "{plan:#}");
}

#[test]
fn to_a_line_nothing_uses_says_so_and_notes_the_breaking_release() {
    // Nothing in the graph is on tonic 0.14: the reason must not claim it is, and moving the
    // direct tonic requirement across lines is breaking, as it is for etcd-client.
    let fixture = Fixture::new("type-boundary");
    let run = fix(&fixture, &["--to", "tonic@0.14", "--format", "json"]);
    run.expect_code(PENDING);
    let plan = run.json();
    let edits = plan["edits"].as_array().expect("edits");
    // tonic 0.14 has no `prost` feature (on by default before): tonic-prost joins it.
    assert!(
        edits
            .iter()
            .any(|e| e["key"] == "tonic-prost" && e["from"].is_null() && e["to"] == "0.14"),
        "{plan:#}"
    );
    let reasons: Vec<&str> = edits
        .iter()
        .filter(|e| !e["from"].is_null())
        .filter_map(|e| e["reason"].as_str())
        .collect();
    assert_eq!(reasons.len(), 2, "{plan:#}");
    for reason in &reasons {
        assert!(!reason.contains("rest of the graph"), "{reason}");
        assert!(reason.contains("is a breaking release"), "{reason}");
    }
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("move tonic from 0.12.3 to 0.14.6, the 0.14 line --to asks for")),
        "{reasons:?}"
    );
}

#[test]
fn to_an_older_line_moves_an_intermediate_back_to_a_release_on_it() {
    // opentelemetry-otlp 0.27 requires tonic 0.12; its 0.13 release requires tonic 0.9.
    let fixture = Fixture::new("two-lines");
    let run = fix(&fixture, &["--to", "tonic@0.9", "--format", "json"]);
    run.expect_code(PENDING);
    let plan = run.json();
    assert_eq!(plan["unfixable"], serde_json::json!([]), "{plan:#}");
    let edit = &plan["edits"][0];
    assert_eq!(edit["key"], "opentelemetry-otlp", "{plan:#}");
    assert_eq!(edit["from"], "0.27");
    assert_eq!(edit["to"], "0.13");
    let reason = edit["reason"].as_str().expect("reason");
    assert!(
        reason.starts_with("opentelemetry-otlp 0.13.0 requires tonic ^0.9"),
        "{reason}"
    );
    assert!(reason.contains("an older release"), "{reason}");
    assert_eq!(plan["verification"]["verified"], true, "{plan:#}");
    assert_eq!(
        plan["verification"]["after"]["tonic"],
        serde_json::json!(["0.9.2"])
    );
}

#[test]
fn unverified_plan_is_not_applied() {
    // The fork named by --patch-with is still on tonic 0.9: cargo resolves the patched
    // workspace, but tonic still splits, so nothing may be written.
    let fixture = Fixture::new("no-release");
    let fork = fixture.root.join("forks/acme-grpc/Cargo.toml");
    let text = std::fs::read_to_string(&fork).expect("read");
    let text = text
        .replace("tonic = \"0.12.3\"", "tonic = \"0.9\"")
        .replace("prost = \"0.13\"", "prost = \"0.11\"");
    std::fs::write(&fork, text).expect("write");
    let before = manifests(&fixture.root);
    let run = fix(
        &fixture,
        &[
            "--patch-with",
            "acme-grpc=forks/acme-grpc",
            "--apply",
            "--allow-dirty",
        ],
    );
    run.expect_code(PENDING);
    assert!(run.stdout().contains("not verified"), "{}", run.stdout());
    assert!(run.stdout().contains("nothing written"), "{}", run.stdout());
    assert_eq!(manifests(&fixture.root), before);
}

/// (crate, to) of every edit in a plan.
fn edits_of(plan: &serde_json::Value) -> Vec<(String, String)> {
    plan["edits"]
        .as_array()
        .expect("edits")
        .iter()
        .map(|e| {
            (
                e["key"].as_str().expect("key").to_owned(),
                e["to"].as_str().expect("to").to_owned(),
            )
        })
        .collect()
}

#[test]
fn warnings_never_move_a_primary_crate_off_the_line_the_plan_keeps() {
    // two-lines: the tonic error is unified on 0.12 (etcd-client 0.14); the tower warning
    // would need tonic 0.13 (etcd-client 0.16, opentelemetry-otlp 0.30). train-skew: tonic is
    // on one line, 0.12, and the tower warning would move it to 0.13.
    for (name, kept) in [
        ("two-lines", vec![("etcd-client", "0.14")]),
        (
            "train-skew",
            vec![("tonic-build", "0.12"), ("prost", "0.13")],
        ),
    ] {
        let fixture = Fixture::new(name);
        let run = fix(&fixture, &["--include-warnings", "--format", "json"]);
        run.expect_code(PENDING);
        let plan = run.json();
        let kept: Vec<(String, String)> = kept
            .iter()
            .map(|(k, t)| ((*k).to_owned(), (*t).to_owned()))
            .collect();
        assert_eq!(edits_of(&plan), kept, "{name}: {plan:#}");
        let tower = plan["unfixable"]
            .as_array()
            .expect("unfixable")
            .iter()
            .find(|u| u["crate"] == "tower" && u["blocking"] == "tonic")
            .unwrap_or_else(|| panic!("{name}: tower not reported: {plan:#}"));
        assert_eq!(tower["blocking"], "tonic", "{name}");
        let message = tower["message"].as_str().expect("message");
        assert!(
            message.contains("a breaking move of tonic, a primary crate, off the 0.12 line"),
            "{name}: {message}"
        );
        assert!(message.contains("--to tonic@0.13"), "{name}: {message}");
        assert_eq!(plan["verification"]["verified"], true, "{name}: {plan:#}");
        // No advice pulls a crate the plan moves (prost, to tonic's 0.13) the other way.
        assert!(
            !plan["unfixable"]
                .as_array()
                .expect("unfixable")
                .iter()
                .any(|u| u["crate"] == "prost"),
            "{name}: {plan:#}"
        );
    }
}

#[test]
fn a_finding_with_two_reasons_against_a_fix_counts_once() {
    // The tower warning of two-lines has two reasons against a fix (the exporter reaches tower
    // 0.4 only through crates it cannot move, and unifying needs tonic 0.13): one finding.
    let fixture = Fixture::new("two-lines");
    let run = fix(&fixture, &["--include-warnings"]);
    run.expect_code(PENDING);
    let out = run.stdout();
    assert_eq!(
        out.matches("  diverging-versions:tower: ").count(),
        2,
        "two reasons are listed: {out}"
    );
    assert!(out.contains("; 1 finding without a fix\n"), "{out}");
}

#[test]
fn warnings_included_with_to_move_the_primary_crate_too() {
    // Asking for tonic 0.13 makes the tower fix consistent: both tonic users move to releases
    // on tonic 0.13, whose stack uses tower 0.5 only: one edit directly (etcd-client), one two
    // hops away (the exporter).
    let fixture = Fixture::new("two-lines");
    let run = fix(
        &fixture,
        &[
            "--include-warnings",
            "--to",
            "tonic@0.13",
            "--format",
            "json",
        ],
    );
    run.expect_code(PENDING);
    let plan = run.json();
    assert_eq!(
        edits_of(&plan),
        [
            ("etcd-client".to_owned(), "0.16".to_owned()),
            ("opentelemetry-otlp".to_owned(), "0.30".to_owned())
        ]
    );
    assert_eq!(plan["unfixable"], serde_json::json!([]), "{plan:#}");
    assert_eq!(plan["verification"]["verified"], true);
    assert_eq!(
        plan["verification"]["after"]["tower"],
        serde_json::json!(["0.5.2"])
    );
}

#[test]
fn apply_refuses_a_workspace_outside_version_control() {
    let fixture = Fixture::new("two-lines");
    let before = manifests(&fixture.root);
    let run = fix(&fixture, &["--apply"]);
    run.expect_code(INPUT);
    assert!(run.stdout().is_empty());
    assert!(
        run.stderr().contains("not under version control"),
        "{}",
        run.stderr()
    );
    assert!(run.stderr().contains("--allow-dirty"), "{}", run.stderr());
    assert_eq!(manifests(&fixture.root), before);
}

use common::git;

#[test]
fn apply_refuses_uncommitted_manifests_and_accepts_a_clean_tree() {
    let fixture = Fixture::new("two-lines");
    git(&fixture.root, &["init", "-q"]);
    git(&fixture.root, &["add", "-A"]);
    git(&fixture.root, &["commit", "-q", "-m", "fixture"]);
    let manifest = fixture.root.join("crates/meta-store/Cargo.toml");
    let edited = format!(
        "{}# local change\n",
        std::fs::read_to_string(&manifest).expect("read")
    );
    std::fs::write(&manifest, &edited).expect("write");
    let before = manifests(&fixture.root);
    let run = fix(&fixture, &["--apply"]);
    run.expect_code(INPUT);
    assert!(
        run.stderr().contains("uncommitted changes"),
        "{}",
        run.stderr()
    );
    assert_eq!(manifests(&fixture.root), before);

    git(&fixture.root, &["checkout", "--", "."]);
    fix(&fixture, &["--apply"]).expect_code(OK);
    assert!(
        std::fs::read_to_string(&manifest)
            .expect("read")
            .contains("etcd-client = \"0.14\"")
    );
}

#[test]
fn read_only_manifest_is_refused_before_any_write() {
    use std::os::unix::fs::PermissionsExt;
    let fixture = Fixture::new("train-skew");
    let manifest = fixture.root.join("messages/Cargo.toml");
    std::fs::set_permissions(&manifest, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let before = manifests(&fixture.root);
    let run = fix(&fixture, &["--apply", "--allow-dirty"]);
    run.expect_code(INPUT);
    assert!(run.stderr().contains("read-only"), "{}", run.stderr());
    assert!(
        run.stderr().contains("messages/Cargo.toml"),
        "{}",
        run.stderr()
    );
    // codegen/Cargo.toml comes first and is writable: it must not have been written either.
    assert_eq!(manifests(&fixture.root), before);
}

#[test]
fn cargo_failing_on_the_edited_copy_writes_nothing() {
    let fixture = Fixture::new("two-lines");
    // A cargo that fails every `cargo metadata` after the first (planning): the resolve of the
    // edited copy, which gives the new Cargo.lock, fails.
    let counter = fixture.tmp.path().join("metadata-calls");
    let script = common::cargo_wrapper(
        fixture.tmp.path(),
        "flaky-cargo",
        &format!(
            "if [ \"$1\" = metadata ]; then\n  n=$(cat '{c}' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '{c}'\n  if [ $n -ge 2 ]; then echo 'error: injected failure while resolving' >&2; exit 101; fi\nfi",
            c = counter.display(),
        ),
    );
    let before = manifests(&fixture.root);
    let cargo = [("CARGO", script.to_str().expect("utf-8"))];
    let args = ["fix", "--offline", "--apply", "--allow-dirty"];
    // Unproved (--no-verify): cargo's failure is an input error, and nothing is written.
    let mut no_verify = args.to_vec();
    no_verify.push("--no-verify");
    let run = common::run_tool_with_env(&fixture.root, &fixture.cargo_home, &no_verify, &cargo);
    run.expect_code(INPUT);
    assert!(run.stdout().is_empty());
    assert!(
        run.stderr().contains("injected failure"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr().contains("nothing was written"),
        "{}",
        run.stderr()
    );
    assert_eq!(manifests(&fixture.root), before);
    assert!(!fixture.root.join("target").exists(), "scratch left behind");
    // With verification: the plan is not verified, and nothing is written.
    std::fs::remove_file(&counter).expect("reset");
    let run = common::run_tool_with_env(&fixture.root, &fixture.cargo_home, &args, &cargo);
    run.expect_code(PENDING);
    assert!(
        run.stdout().contains("injected failure"),
        "{}",
        run.stdout()
    );
    assert!(run.stdout().contains("nothing written"), "{}", run.stdout());
    assert_eq!(manifests(&fixture.root), before);
    assert!(!fixture.root.join("target").exists(), "scratch left behind");
}

#[test]
fn apply_with_locked_or_from_saved_metadata_is_a_usage_error() {
    let fixture = Fixture::new("two-lines");
    let run = fix(&fixture, &["--apply", "--locked", "--allow-dirty"]);
    run.expect_code(INPUT);
    assert!(run.stderr().contains("--locked"), "{}", run.stderr());
    let file = common::testdata().join("metadata/git-source-split.json");
    let run = fixture.run(&["fix", "--metadata-path", file.to_str().expect("utf-8")]);
    run.expect_code(INPUT);
    assert!(run.stderr().contains("--metadata-path"), "{}", run.stderr());
    assert!(run.stdout().is_empty());
}

mod write_faults {
    //! Writes that fail part-way, injected through the writer seam, in-process.

    use super::*;
    use cargo_etcd_deps::input::{CargoOptions, Input};
    use cargo_etcd_deps::manifest::edit::{AtomicFs, WriteFs};
    use cargo_etcd_deps::{CheckRequest, Command, FixFormat, FixRequest, Request};
    use std::cell::Cell;

    /// Fails the `fail_at`-th write (1-based); every other write goes through atomically.
    struct FailingFs {
        fail_at: usize,
        calls: Cell<usize>,
    }

    impl WriteFs for FailingFs {
        fn write(&self, path: &Path, contents: &[u8]) -> std::io::Result<()> {
            let n = self.calls.get() + 1;
            self.calls.set(n);
            if n == self.fail_at {
                return Err(std::io::Error::other(format!(
                    "injected failure writing {}",
                    path.display()
                )));
            }
            AtomicFs.write(path, contents)
        }
    }

    /// Runs `fix --offline --manifest-path …`, changed by `customize`, in-process with the
    /// `fail_at`-th write failing; returns the error, what reached stdout and how many writes were tried.
    fn run_failing(
        fixture: &Fixture,
        customize: impl FnOnce(&mut Request),
        fail_at: usize,
    ) -> (cargo_etcd_deps::Error, Vec<u8>, usize) {
        let manifest = fixture.root.join("Cargo.toml");
        // `fix --offline --manifest-path MANIFEST`, then what the test adds.
        let mut req = Request {
            input: Input::Cargo(CargoOptions {
                manifest_path: Some(manifest),
                offline: true,
                ..CargoOptions::default()
            }),
            ..Request::new(Command::Fix(FixRequest::default()))
        };
        customize(&mut req);
        let fs = FailingFs {
            fail_at,
            calls: Cell::new(0),
        };
        let mut out = Vec::new();
        let err =
            cargo_etcd_deps::run_with(&req, &mut out, false, &fs).expect_err("the write must fail");
        (err, out, fs.calls.get())
    }

    #[test]
    fn second_write_failing_restores_the_first() {
        let fixture = Fixture::new("train-skew");
        let before = manifests(&fixture.root);
        // `--apply --allow-dirty`.
        let apply = |req: &mut Request| {
            if let Command::Fix(fix) = &mut req.command {
                fix.apply = true;
                fix.allow_dirty = true;
            }
        };
        let (err, out, calls) = run_failing(&fixture, apply, 2);
        assert_eq!(err.exit_code(), INTERNAL);
        assert!(err.one_line().contains("injected failure"), "{err}");
        assert!(out.is_empty(), "nothing reaches stdout on failure");
        // Two manifest writes, then one restore of the first.
        assert_eq!(calls, 3);
        assert_eq!(manifests(&fixture.root), before);
    }

    #[test]
    fn output_file_is_written_through_the_seam() {
        let fixture = Fixture::new("train-skew");
        let before = manifests(&fixture.root);
        let report = fixture.root.join("plan.json");
        // `--format json --output plan.json`.
        let output = |req: &mut Request| {
            if let Command::Fix(fix) = &mut req.command {
                fix.format = FixFormat::Json;
            }
            req.output = Some(report.clone());
        };
        let (err, out, calls) = run_failing(&fixture, output, 1);
        assert_eq!(err.exit_code(), INTERNAL);
        assert!(err.one_line().contains("injected failure"), "{err}");
        assert!(out.is_empty(), "nothing reaches stdout on failure");
        // The plan report is the only file written (the verification copy is created).
        assert_eq!(calls, 1);
        assert!(!report.exists());
        assert_eq!(manifests(&fixture.root), before);
    }

    #[test]
    fn check_writes_its_report_and_baseline_through_the_seam() {
        let fixture = Fixture::new("train-skew");
        let before = manifests(&fixture.root);
        let file = fixture.root.join("written.out");
        // `check --output FILE`, then `check --write-baseline FILE`.
        let output = |req: &mut Request| {
            req.command = Command::Check(CheckRequest::default());
            req.output = Some(file.clone());
        };
        let baseline = |req: &mut Request| {
            req.command = Command::Check(CheckRequest {
                write_baseline: Some(file.clone()),
                ..CheckRequest::default()
            });
        };
        for (what, customize) in [
            ("--output", &output as &dyn Fn(&mut Request)),
            ("--write-baseline", &baseline),
        ] {
            let (err, out, calls) = run_failing(&fixture, customize, 1);
            assert_eq!(err.exit_code(), INTERNAL, "{what}");
            assert!(err.one_line().contains("injected failure"), "{what}: {err}");
            assert!(out.is_empty(), "{what}: nothing reaches stdout on failure");
            assert_eq!(calls, 1, "{what}: one write, the one that failed");
            assert!(!file.exists(), "{what}");
        }
        assert_eq!(manifests(&fixture.root), before);
    }
}

#[test]
fn fix_asks_cargo_for_the_workspace_root_once() {
    let fixture = Fixture::new("two-lines");
    // A cargo that records each subcommand before running it.
    let log = fixture.tmp.path().join("cargo-calls");
    let script = common::cargo_wrapper(
        fixture.tmp.path(),
        "recording-cargo",
        &format!("echo \"$1\" >> '{}'", log.display()),
    );
    let cargo = [("CARGO", script.to_str().expect("utf-8"))];
    // From a member's directory, where only cargo can say which workspace it belongs to.
    let member = fixture.root.join("crates").join("server");
    let run =
        common::run_tool_with_env(&member, &fixture.cargo_home, &["fix", "--offline"], &cargo);
    run.expect_code(PENDING);
    let calls = std::fs::read_to_string(&log).expect("cargo ran");
    let locates = calls.lines().filter(|c| *c == "locate-project").count();
    assert_eq!(locates, 1, "{calls}");
}
