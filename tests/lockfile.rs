//! The lockfile mode end to end: on every fixture it finds what the metadata mode finds
//! (findings, levels, versions, origins, paths), without running cargo; on a Cargo.lock
//! alone it still finds and explains the splits, with no origins; bad lockfiles are input
//! errors that name the file.

mod common;

use common::{Fixture, codes, comparable};
use serde_json::Value;

#[test]
fn lockfile_mode_finds_what_metadata_mode_finds() {
    for name in common::FIXTURES {
        let report = both_modes_agree(&Fixture::new(name), name);
        assert_eq!(report["input"]["mode"], "lockfile");
    }
}

#[test]
fn both_modes_find_a_type_boundary_met_through_a_workspace_crate() {
    let report = both_modes_agree(&Fixture::new("build-error"), "build-error");
    let tb = common::finding(&report, "type-boundary", "tonic");
    assert_eq!(tb["member"], "app");
    assert_eq!(
        tb["crates"],
        serde_json::json!(["etcd-client", "rpc", "tonic"])
    );
}

#[test]
fn lockfile_mode_cannot_see_features_and_says_what_it_leaves_out() {
    // Cargo.lock holds optional dependencies whatever features are on: the lockfile mode sees
    // what --all-features sees.
    let fixture = Fixture::new("features");
    let lockfile = fixture.run(&["check", "--lockfile", "--format", "json"]);
    let all = fixture.run(common::CARGO_ALL_FEATURES_JSON);
    assert_eq!(comparable(&lockfile.json()), comparable(&all.json()));
    let human = fixture.run(&["check", "--lockfile"]);
    assert_eq!(
        human.stdout().matches("note: lockfile mode:").count(),
        1,
        "{}",
        human.stdout()
    );
    // Registry crates' requirements and kinds come from the vendored releases the fixture
    // resolves against; the member's own from its manifest.
    let report = lockfile.json();
    assert!(
        report["input"]["not_known"]
            .as_str()
            .is_some_and(|n| n.contains("features are not resolved")
                && !n.contains("describe the dependencies")),
        "{}",
        report["input"]
    );
    let tonic = common::finding(&report, "diverging-versions", "tonic");
    let old = common::version(tonic, "0.9.2");
    assert_eq!(old["dependents"][0]["name"], "etcd-client");
    assert_eq!(old["dependents"][0]["req"], "^0.9.2");
    assert_eq!(old["dependents"][0]["kind"], "normal");
    let new = common::version(tonic, "0.12.3");
    assert_eq!(new["dependents"][0]["req"], "^0.12");
    assert_eq!(new["dependents"][0]["kind"], "normal");
}

#[test]
fn without_index_data_the_lockfile_mode_says_which_packages_lack_facts_and_never_guesses() {
    // A Cargo.lock copied out of its workspace: no source replacement points at the vendored
    // stubs, and the empty CARGO_HOME has no index cache, so no registry crate's
    // declarations are known (and nothing is asked of the network).
    let fixture = Fixture::new("two-lines");
    let alone = lock_alone(&fixture);
    let run = without_cargo(
        &alone,
        &fixture,
        &["check", "--lockfile=Cargo.lock", "--format", "json"],
    );
    run.expect_code(1);
    let report = run.json();
    let note = report["input"]["not_known"].as_str().expect("note");
    assert!(note.contains("describe the dependencies of"), "{note}");
    assert!(note.contains("etcd-client 0.11.1"), "{note}");
    assert!(note.contains("more"), "{note}");
    let tonic = common::finding(&report, "diverging-versions", "tonic");
    let old = common::version(tonic, "0.9.2");
    assert_eq!(old["dependents"][0]["name"], "etcd-client");
    assert_eq!(old["dependents"][0]["req"], Value::Null);
    assert_eq!(old["dependents"][0]["kind"], Value::Null);
    let human = without_cargo(&alone, &fixture, &["check", "--lockfile=Cargo.lock"]);
    human.expect_code(1);
    assert_eq!(
        human.stdout().matches("note: lockfile mode:").count(),
        1,
        "{}",
        human.stdout()
    );
}

#[test]
fn a_cargo_lock_alone_still_explains_the_split() {
    let fixture = Fixture::new("two-lines");
    let alone = lock_alone(&fixture);
    let run = fixture.run_in(
        &alone,
        &["check", "--lockfile=Cargo.lock", "--format", "json"],
        None,
    );
    run.expect_code(1);
    let report = run.json();
    let tonic = common::finding(&report, "diverging-versions", "tonic");
    let old = common::version(tonic, "0.9.2");
    assert_eq!(
        old["paths"][0],
        serde_json::json!(["meta-store@0.1.0", "etcd-client@0.11.1", "tonic@0.9.2"])
    );
    let origin = &old["origins"][0];
    assert_eq!(origin["member"], "meta-store");
    assert_eq!(origin["manifest"], Value::Null);
    assert_eq!(origin["line"], Value::Null);
    assert!(
        codes(&report)
            .iter()
            .any(|(_, c, l)| c == "hyper" && l == "note")
    );
}

/// A Cargo.lock read against cargo's sparse index cache (no source replacement): every locked
/// registry package's declarations come from the cache, read under one hold of cargo's
/// package-cache lock. While cargo holds the lock the run waits and says so once, and the
/// answer is the one the same releases give read from the vendored stubs.
#[test]
fn a_lockfile_is_read_against_cargos_index_cache_after_waiting_once_for_cargos_lock() {
    let fixture = Fixture::new("two-lines");
    let alone = lock_alone(&fixture);
    common::index_cache(&fixture.cargo_home, &alone.join("Cargo.lock"), &[]);
    let args = ["check", "--lockfile=Cargo.lock", "--format", "json"];
    let held = common::package_cache_lock(&fixture.cargo_home);
    let run = std::thread::scope(|s| {
        let run = s.spawn(|| without_cargo(&alone, &fixture, &args));
        std::thread::sleep(std::time::Duration::from_millis(1500));
        drop(held);
        run.join().expect("the run ends")
    });
    run.expect_code(1);
    let blocking = "Blocking waiting for file lock on package cache";
    assert_eq!(
        run.stderr().matches(blocking).count(),
        1,
        "{}",
        run.stderr()
    );

    std::fs::create_dir_all(alone.join(".cargo")).expect("mkdir");
    std::fs::write(
        alone.join(".cargo/config.toml"),
        format!(
            "[source.crates-io]\nreplace-with = \"vendored\"\n[source.vendored]\ndirectory = \"{}\"\n",
            common::testdata().join("vendor").display()
        ),
    )
    .expect("source replacement");
    let vendored = without_cargo(&alone, &fixture, &args);
    vendored.expect_code(1);
    assert!(
        !vendored.stderr().contains(blocking),
        "{}",
        vendored.stderr()
    );
    assert_eq!(run.json(), vendored.json());
}

#[test]
fn bad_lockfiles_are_input_errors_naming_the_file() {
    let fixture = Fixture::new("two-lines");
    let lock = fixture.root.join("Cargo.lock");
    let original = std::fs::read_to_string(&lock).expect("read");
    for (text, needle) in [
        (
            original.replace("version = 4", "version = 7"),
            "unsupported lockfile version 7",
        ),
        (
            original.replace(" \"etcd-client\",\n", " \"etcd-clientx\",\n"),
            "names no package",
        ),
        (
            format!(
                "{original}\n[[package]]\nname = \"http\"\nversion = \"1.3.1\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
            ),
            "listed twice",
        ),
        ("[[package]\n".to_owned(), "not a Cargo.lock"),
    ] {
        std::fs::write(&lock, &text).expect("write");
        let run = fixture.run(&["check", "--lockfile"]);
        run.expect_code(2);
        assert!(run.stdout().is_empty());
        assert!(run.stderr().contains("Cargo.lock"), "{}", run.stderr());
        assert!(run.stderr().contains(needle), "{needle}: {}", run.stderr());
    }
    let run = fixture.run(&["check", "--lockfile=missing.lock"]);
    run.expect_code(2);
    assert!(run.stderr().contains("missing.lock"), "{}", run.stderr());
    let run = fixture.run(&["check", "--lockfile", "--metadata-path", "x.json"]);
    run.expect_code(2);
    let run = fixture.run(&["fix", "--lockfile"]);
    run.expect_code(2);
    assert!(run.stderr().contains("--lockfile"), "{}", run.stderr());
}

/// A copy of the fixture's Cargo.lock alone in a directory of its own.
fn lock_alone(fixture: &Fixture) -> std::path::PathBuf {
    let alone = fixture.tmp.path().join("copied");
    std::fs::create_dir_all(&alone).expect("mkdir");
    std::fs::copy(fixture.root.join("Cargo.lock"), alone.join("Cargo.lock")).expect("copy");
    alone
}

/// Runs the tool in `dir` with the fixture's CARGO_HOME and no cargo reachable.
fn without_cargo(dir: &std::path::Path, fixture: &Fixture, args: &[&str]) -> common::Run {
    common::run_tool_with_env(
        dir,
        &fixture.cargo_home,
        args,
        &[("CARGO", "/nonexistent/cargo"), ("PATH", "/nonexistent")],
    )
}

/// Runs `check --format json` in both modes (the lockfile mode without cargo) and asserts they
/// agree; returns the lockfile mode's report.
fn both_modes_agree(fixture: &Fixture, what: &str) -> Value {
    let metadata = fixture.run(&["check", "--offline", "--cargo-metadata", "--format", "json"]);
    let lockfile = without_cargo(
        &fixture.root,
        fixture,
        &["check", "--lockfile", "--format", "json"],
    );
    assert_eq!(
        lockfile.code(),
        metadata.code(),
        "{what}: {}",
        lockfile.stderr()
    );
    let (l, m) = (lockfile.json(), metadata.json());
    assert_eq!(comparable(&l), comparable(&m), "{what}");
    assert!(m.get("input").is_none());
    l
}

#[test]
fn path_dependencies_inside_the_root_are_members_in_the_lockfile_mode_too() {
    // Only `server` is listed; cargo makes its path dependencies members as well.
    let fixture = Fixture::new("two-lines");
    std::fs::write(
        fixture.root.join("Cargo.toml"),
        "[workspace]\nresolver = \"2\"\nmembers = [\"crates/server\"]\n",
    )
    .expect("write");
    let report = both_modes_agree(&fixture, "implicit members");
    let tonic = common::finding(&report, "diverging-versions", "tonic");
    let origin = &common::version(tonic, "0.9.2")["origins"][0];
    assert_eq!(origin["member"], "meta-store");
    assert_eq!(origin["key"], "etcd-client");
    assert_eq!(origin["manifest"], "crates/meta-store/Cargo.toml");
}

/// Rewrites a Cargo.lock as format 1 writes it: no `version` key, the root package in `[root]`,
/// every reference as `name version (source)`, checksums in `[metadata]`.
fn as_format_1(text: &str, root: &str) -> String {
    let lock: toml::Table = toml::from_str(text).expect("lockfile");
    let packages = lock["package"].as_array().expect("packages");
    let field = |p: &toml::Value, k: &str| p.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    let full = |reference: &str| -> String {
        let mut parts = reference.split(' ');
        let name = parts.next().expect("name");
        let version = parts.next();
        let p = packages
            .iter()
            .find(|p| {
                field(p, "name").as_deref() == Some(name)
                    && version.is_none_or(|v| field(p, "version").as_deref() == Some(v))
            })
            .expect("referenced package");
        let version = field(p, "version").expect("version");
        match field(p, "source") {
            Some(s) => format!("{name} {version} ({s})"),
            None => format!("{name} {version}"),
        }
    };
    let mut out = String::new();
    let mut rest = String::new();
    let mut metadata = String::from("\n[metadata]\n");
    for p in packages {
        let name = field(p, "name").expect("name");
        let version = field(p, "version").expect("version");
        let head = if name == root {
            "[root]"
        } else {
            "[[package]]"
        };
        let mut block = format!("{head}\nname = \"{name}\"\nversion = \"{version}\"\n");
        if let Some(s) = field(p, "source") {
            block.push_str(&format!("source = \"{s}\"\n"));
            metadata.push_str(&format!("\"checksum {name} {version} ({s})\" = \"00\"\n"));
        }
        if let Some(deps) = p.get("dependencies").and_then(|d| d.as_array()) {
            block.push_str("dependencies = [\n");
            for d in deps {
                block.push_str(&format!(" \"{}\",\n", full(d.as_str().expect("reference"))));
            }
            block.push_str("]\n");
        }
        block.push('\n');
        if name == root {
            out.push_str(&block);
        } else {
            rest.push_str(&block);
        }
    }
    out + &rest + &metadata
}

#[test]
fn a_format_1_lockfile_with_a_root_table_is_read_whole() {
    let fixture = Fixture::new("type-boundary");
    let lock = fixture.root.join("Cargo.lock");
    let v4 = std::fs::read_to_string(&lock).expect("read");
    let v1 = as_format_1(&v4, "svc");
    assert!(v1.starts_with("[root]\nname = \"svc\""), "{v1}");
    std::fs::write(&lock, v1).expect("write");
    let run = fixture.run(&["check", "--lockfile", "--format", "json"]);
    run.expect_code(1);
    let report = run.json();
    let boundary = common::finding(&report, "type-boundary", "tonic");
    assert_eq!(boundary["member"], "svc");
    // The same findings as from the format 4 file.
    std::fs::write(&lock, v4).expect("write");
    let v4_run = fixture.run(&["check", "--lockfile", "--format", "json"]);
    assert_eq!(comparable(&report), comparable(&v4_run.json()));
}

/// Runs real cargo in the fixture (offline, against the stub registry); its stdout.
fn cargo(fixture: &Fixture, args: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = std::process::Command::new(cargo)
        .args(args)
        .current_dir(&fixture.root)
        .env("CARGO_HOME", &fixture.cargo_home)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn a_lockfile_older_than_its_manifests_is_refused_with_the_line_and_the_refresh_command() {
    let fixture = Fixture::new("two-lines");
    let manifest = fixture.root.join("crates/meta-store/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).expect("read");
    std::fs::write(
        &manifest,
        text.replace("etcd-client = \"0.11\"", "etcd-client = \"0.14\""),
    )
    .expect("write");
    let lock_before = std::fs::read_to_string(fixture.root.join("Cargo.lock")).expect("lock");
    let run = fixture.run(&["check", "--lockfile"]);
    run.expect_code(2);
    assert!(run.stdout().is_empty());
    let err = run.stderr();
    for needle in [
        // One sentence after the file name: no "Cargo.lock: is out of date".
        "Cargo.lock: out of date: crates/meta-store/Cargo.toml:8 requires",
        "requires etcd-client 0.14, but Cargo.lock locks etcd-client 0.11.1 for `meta-store`",
        "cargo update --workspace",
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
    // The tool wrote nothing; the command it names refreshes the lockfile.
    assert_eq!(
        std::fs::read_to_string(fixture.root.join("Cargo.lock")).expect("lock"),
        lock_before
    );
    cargo(&fixture, &["update", "--workspace", "--offline"]);
    let run = fixture.run(&["check", "--lockfile", "--format", "json"]);
    assert_ne!(run.code(), 2, "{}", run.stderr());
    let report = run.json();
    assert!(
        !common::codes(&report)
            .iter()
            .any(|(c, k, _)| c == "diverging-versions" && k == "tonic"),
        "{report}"
    );
}

/// The hakari section of a workspace-hack regenerated for two-lines as it is: what the members
/// use (meta-store's etcd-client 0.11, telemetry's opentelemetry-otlp 0.27 and their tonic
/// and prost lines).
const FRESH: &str =
    "etcd-client = \"0.11\"\nopentelemetry-otlp = \"0.27\"\ntonic = \"0.12\"\nprost = \"0.13\"\n";

/// A hakari section generated while meta-store used etcd-client 0.11 (tonic 0.9), left as it
/// was after meta-store moved to etcd-client 0.14 (tonic 0.12).
const STALE: &str = "etcd-client = \"0.11\"\ntonic = \"0.9\"\n";

/// The hakari section regenerated after meta-store moved to etcd-client 0.14: every member is
/// on tonic 0.12, and so is the workspace-hack.
const AGREEING: &str =
    "etcd-client = \"0.14\"\nopentelemetry-otlp = \"0.27\"\ntonic = \"0.12\"\nprost = \"0.13\"\n";

/// Adds a cargo-hakari style `workspace-hack` member to two-lines with `section` as its
/// dependencies, and makes every member depend on it, as cargo hakari does. `marker`: the
/// manifest carries hakari's header; else `.config/hakari.toml` names the package.
fn with_workspace_hack(marker: bool, section: &str) -> Fixture {
    let fixture = Fixture::new("two-lines");
    let hack = fixture.root.join("crates/workspace-hack");
    std::fs::create_dir_all(hack.join("src")).expect("mkdir");
    std::fs::write(hack.join("src/lib.rs"), "").expect("write");
    let (header, begin, end) = if marker {
        (
            "# This file is generated by `cargo hakari`.\n# To regenerate, run:\n#     cargo hakari generate\n\n",
            "### BEGIN HAKARI SECTION\n",
            "### END HAKARI SECTION\n",
        )
    } else {
        std::fs::create_dir_all(fixture.root.join(".config")).expect("mkdir");
        std::fs::write(
            fixture.root.join(".config/hakari.toml"),
            "hakari-package = \"workspace-hack\"\n",
        )
        .expect("write");
        ("", "", "")
    };
    std::fs::write(
        hack.join("Cargo.toml"),
        format!(
            "{header}[package]\nname = \"workspace-hack\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
             {begin}[dependencies]\n{section}{end}"
        ),
    )
    .expect("write");
    for member in ["server", "telemetry", "meta-store"] {
        let manifest = fixture.root.join("crates").join(member).join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).expect("read");
        std::fs::write(
            &manifest,
            format!("{text}workspace-hack = {{ path = \"../workspace-hack\" }}\n"),
        )
        .expect("write");
    }
    fixture
}

/// meta-store of `fixture` moved from etcd-client 0.11 (tonic 0.9) to 0.14 (tonic 0.12).
fn meta_store_on_0_14(fixture: Fixture) -> Fixture {
    let manifest = fixture.root.join("crates/meta-store/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).expect("read");
    std::fs::write(
        &manifest,
        text.replace("etcd-client = \"0.11\"", "etcd-client = \"0.14\""),
    )
    .expect("write");
    fixture
}

/// Every (crate, version) `cargo tree -d` lists as compiled in more than one version, on
/// every target and over every edge kind: what cargo builds.
fn cargo_duplicates(fixture: &Fixture) -> std::collections::BTreeSet<(String, String)> {
    let args = [
        "tree",
        "-d",
        "--offline",
        "--depth",
        "0",
        "--prefix",
        "none",
    ];
    let args = [&args[..], &["--target", "all", "-e", "normal,build,dev"]].concat();
    cargo(fixture, &args)
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let name = words.next()?;
            let version = words.next()?.strip_prefix('v')?;
            Some((name.to_owned(), version.to_owned()))
        })
        .collect()
}

/// Every (crate, version) the report's findings on `crates` name.
fn reported_versions(
    report: &Value,
    crates: &[&str],
) -> std::collections::BTreeSet<(String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "diverging-versions")
        .flat_map(|f| f["versions"].as_array().expect("versions").iter())
        .filter(|v| crates.iter().any(|c| v["name"] == *c))
        .map(|v| {
            (
                v["name"].as_str().expect("name").to_owned(),
                v["version"].as_str().expect("version").to_owned(),
            )
        })
        .collect()
}

/// No path starts at or passes through the workspace-hack, and it is no origin.
fn assert_nobodys_own_use(report: &Value) {
    for f in report["findings"].as_array().expect("findings") {
        assert_ne!(f["member"], "workspace-hack", "{f}");
        for v in f["versions"].as_array().expect("versions") {
            let text = format!("{}{}", v["paths"], v["origins"]);
            assert!(!text.contains("workspace-hack"), "{f}");
        }
    }
}

#[test]
fn a_cargo_hakari_workspace_hack_is_nobodys_own_use_in_both_modes() {
    let plain = Fixture::new("two-lines");
    let expected = plain
        .run(&["check", "--offline", "--format", "json"])
        .json();
    for marker in [true, false] {
        let fixture = with_workspace_hack(marker, FRESH);
        // The metadata mode runs first: cargo adds the new member to Cargo.lock.
        let report = both_modes_agree(&fixture, "workspace-hack");
        assert_eq!(report["generated"], serde_json::json!(["workspace-hack"]));
        // Its dependencies are compiled and kept, but the findings, their origins and paths
        // are the members' own, as without it; nothing is reported against it.
        assert_eq!(common::codes(&report), common::codes(&expected));
        assert_nobodys_own_use(&report);
        for (f, e) in report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .zip(expected["findings"].as_array().expect("findings"))
        {
            assert_eq!(f["workspace_hack"], Value::Null, "{f}");
            for (v, ev) in f["versions"]
                .as_array()
                .expect("versions")
                .iter()
                .zip(e["versions"].as_array().expect("versions"))
            {
                assert_eq!(v["origins"], ev["origins"], "{f}");
                assert_eq!(v["paths"], ev["paths"], "{f}");
                assert_eq!(v["only_workspace_hack"], Value::Null, "{f}");
            }
        }
        // tonic 0.9 comes from meta-store's etcd-client and from the workspace-hack's: the
        // origin is meta-store's line, and the workspace-hack is named apart.
        let tonic = common::finding(&report, "diverging-versions", "tonic");
        let old = common::version(tonic, "0.9.2");
        assert_eq!(common::origins(old)[0].0, "meta-store");
        assert_eq!(old["workspace_hack"][0]["member"], "workspace-hack");
        assert_eq!(old["workspace_hack"][0]["key"], "etcd-client");
        assert_eq!(
            old["workspace_hack"][0]["manifest"],
            "crates/workspace-hack/Cargo.toml"
        );
        let human = fixture.run(&["check", "--lockfile"]);
        human.expect_code(1);
        let text = human.stdout();
        assert_eq!(
            text.matches("workspace-hack is generated by cargo hakari")
                .count(),
            1,
            "{text}"
        );
        assert!(!text.contains("crates/workspace-hack/Cargo.toml"), "{text}");
        assert!(!text.contains("cargo hakari generate"), "{text}");
    }
}

#[test]
fn a_stale_workspace_hack_split_is_reported_against_it_in_both_modes() {
    for marker in [true, false] {
        let fixture = meta_store_on_0_14(with_workspace_hack(marker, STALE));
        // The metadata mode runs first: cargo brings Cargo.lock up to date.
        let report = both_modes_agree(&fixture, "stale workspace-hack");
        assert_nobodys_own_use(&report);
        for krate in ["tonic", "etcd-client"] {
            let f = common::finding(&report, "diverging-versions", krate);
            assert_eq!(f["level"], "error", "{f}");
            assert_eq!(f["workspace_hack"], "workspace-hack", "{f}");
            let help = f["help"].as_str().expect("help");
            assert!(help.contains("`cargo hakari generate`"), "{help}");
            assert!(
                f["message"]
                    .as_str()
                    .expect("message")
                    .contains("only workspace-hack, generated by cargo hakari, brings in")
            );
        }
        let tonic = common::finding(&report, "diverging-versions", "tonic");
        let old = common::version(tonic, "0.9.2");
        assert_eq!(old["only_workspace_hack"], true, "{old}");
        assert_eq!(old["origins"], serde_json::json!([]), "{old}");
        assert_eq!(old["paths"], serde_json::json!([]), "{old}");
        let declared: Vec<(&str, u64)> = old["workspace_hack"]
            .as_array()
            .expect("workspace_hack")
            .iter()
            .map(|o| {
                assert_eq!(o["manifest"], "crates/workspace-hack/Cargo.toml");
                (
                    o["key"].as_str().expect("key"),
                    o["line"].as_u64().expect("line"),
                )
            })
            .collect();
        let text = std::fs::read_to_string(fixture.root.join("crates/workspace-hack/Cargo.toml"))
            .expect("read");
        let line = |key: &str| {
            let at = text
                .lines()
                .position(|l| l.starts_with(&format!("{key} =")));
            at.expect("declared") as u64 + 1
        };
        assert_eq!(
            declared,
            [
                ("etcd-client", line("etcd-client")),
                ("tonic", line("tonic"))
            ]
        );
        let new = common::version(tonic, "0.12.3");
        let members: Vec<String> = common::origins(new).into_iter().map(|o| o.0).collect();
        assert_eq!(members, ["meta-store", "telemetry"]);
        // The annotation points at the workspace-hack.
        let github = fixture.run(&["check", "--lockfile", "--format", "github"]);
        github.expect_code(1);
        let tonic_line = github
            .stdout()
            .lines()
            .find(|l| l.contains("tonic resolves"))
            .expect("tonic annotation")
            .to_owned();
        assert!(
            tonic_line.contains("file=crates/workspace-hack/Cargo.toml"),
            "{tonic_line}"
        );
    }
}

#[test]
fn a_workspace_hack_that_agrees_with_the_members_adds_nothing() {
    let plain = meta_store_on_0_14(Fixture::new("two-lines"));
    let expected = plain
        .run(&["check", "--offline", "--format", "json"])
        .json();
    let fixture = meta_store_on_0_14(with_workspace_hack(true, AGREEING));
    let report = both_modes_agree(&fixture, "agreeing workspace-hack");
    assert_eq!(common::codes(&report), common::codes(&expected));
    assert!(
        !common::codes(&report).iter().any(|(_, k, _)| k == "tonic"),
        "{report}"
    );
    for f in report["findings"].as_array().expect("findings") {
        assert_eq!(f["workspace_hack"], Value::Null, "{f}");
    }
    let fix = fixture.run(&["fix", "--offline", "--format", "json"]);
    fix.expect_code(0);
    assert_eq!(fix.json()["status"], "nothing-to-do");
}

#[test]
fn what_both_modes_see_beside_a_workspace_hack_is_what_cargo_compiles() {
    let watched = ["tonic", "etcd-client"];
    let cases = [
        ("fresh", with_workspace_hack(true, FRESH)),
        (
            "stale",
            meta_store_on_0_14(with_workspace_hack(true, STALE)),
        ),
        (
            "agreeing",
            meta_store_on_0_14(with_workspace_hack(true, AGREEING)),
        ),
    ];
    for (what, fixture) in cases {
        let report = both_modes_agree(&fixture, what);
        let compiled: std::collections::BTreeSet<(String, String)> = cargo_duplicates(&fixture)
            .into_iter()
            .filter(|(name, _)| watched.contains(&name.as_str()))
            .collect();
        assert_eq!(reported_versions(&report, &watched), compiled, "{what}");
    }
}

#[test]
fn fix_says_to_regenerate_a_stale_workspace_hack_and_never_edits_it() {
    let fixture = meta_store_on_0_14(with_workspace_hack(true, STALE));
    let hack = fixture.root.join("crates/workspace-hack/Cargo.toml");
    let before = std::fs::read_to_string(&hack).expect("read");
    let run = fixture.run(&["fix", "--offline", "--format", "json"]);
    run.expect_code(1);
    let plan = run.json();
    assert_eq!(plan["status"], "then-run", "{plan}");
    assert_eq!(plan["edits"], serde_json::json!([]), "{plan}");
    assert_eq!(plan["commands"], serde_json::json!([]), "{plan}");
    assert_eq!(
        plan["then_run"][0]["command"],
        serde_json::json!(["cargo", "hakari", "generate"]),
        "{plan}"
    );
    assert_eq!(plan["verification"], Value::Null, "{plan}");
    let human = fixture.run(&["fix", "--offline", "--apply", "--allow-dirty"]);
    human.expect_code(1);
    assert!(
        human
            .stdout()
            .contains("summary: nothing to apply; run `cargo hakari generate`, then check again"),
        "{}",
        human.stdout()
    );
    assert_eq!(std::fs::read_to_string(&hack).expect("read"), before);
}

#[test]
fn fix_never_edits_the_workspace_hack_and_is_not_verified_while_it_holds_the_old_line() {
    let fixture = with_workspace_hack(true, FRESH);
    let run = fixture.run(&["fix", "--offline", "--format", "json"]);
    run.expect_code(1);
    let plan = run.json();
    let edits = plan["edits"].as_array().expect("edits");
    assert!(!edits.is_empty(), "{plan}");
    for e in edits {
        assert!(
            !e["manifest"]
                .as_str()
                .unwrap_or_default()
                .contains("workspace-hack"),
            "{e}"
        );
    }
    assert_eq!(
        plan["then_run"][0]["command"],
        serde_json::json!(["cargo", "hakari", "generate"]),
        "{plan}"
    );
    // The copy cargo resolved keeps the workspace-hack as it is, still on etcd-client 0.11:
    // tonic 0.9 is still compiled, so nothing is verified.
    let verification = &plan["verification"];
    assert_eq!(verification["resolved"], true, "{plan}");
    assert_eq!(verification["verified"], false, "{plan}");
    assert!(
        verification["message"]
            .as_str()
            .unwrap_or_default()
            .contains("run `cargo hakari generate` after writing the edits"),
        "{plan}"
    );
    assert!(
        verification["residual"]
            .as_array()
            .expect("residual")
            .iter()
            .any(|r| r["crate"] == "tonic"),
        "{plan}"
    );
}

#[test]
fn target_in_the_lockfile_mode_evaluates_the_workspaces_own_conditions_as_cargo_does() {
    // etcd-client 0.11 (tonic 0.9) only under `cfg(unix)`, beside tonic 0.12.
    let fixture = Fixture::new("target-specific");
    for (target, code) in [
        ("x86_64-pc-windows-msvc", 0),
        ("x86_64-unknown-linux-gnu", 1),
    ] {
        let lockfile = fixture.run(&[
            "check",
            "--lockfile",
            "--target",
            target,
            "--format",
            "json",
        ]);
        let cargo = fixture.run(&[
            "check",
            "--offline",
            "--cargo-metadata",
            "--target",
            target,
            "--format",
            "json",
        ]);
        lockfile.expect_code(code);
        cargo.expect_code(code);
        assert_eq!(
            comparable(&lockfile.json()),
            comparable(&cargo.json()),
            "{target}"
        );
    }
    // Both targets: the union, as cargo analyses it.
    let both = fixture.run(&[
        "check",
        "--lockfile",
        "--target",
        "x86_64-pc-windows-msvc",
        "--target",
        "x86_64-unknown-linux-gnu",
    ]);
    both.expect_code(1);
    let bad = fixture.run(&["check", "--lockfile", "--target", "not-a-triple"]);
    bad.expect_code(2);
    assert!(bad.stderr().contains("not-a-triple"), "{}", bad.stderr());
}

#[test]
fn feature_flags_the_lockfile_mode_cannot_honour_are_refused_by_name() {
    let fixture = Fixture::new("features");
    for (args, flag) in [
        (
            &["check", "--lockfile", "--features", "etcd"][..],
            "--features etcd",
        ),
        (
            &["check", "--lockfile", "--no-default-features"][..],
            "--no-default-features",
        ),
    ] {
        let run = fixture.run(args);
        run.expect_code(2);
        assert!(run.stdout().is_empty());
        assert!(run.stderr().contains(flag), "{}", run.stderr());
        assert!(run.stderr().contains("--all-features"), "{}", run.stderr());
    }
    // What the mode does anyway is accepted.
    let all = fixture.run(&["check", "--lockfile", "--all-features", "-q"]);
    assert_ne!(all.code(), 2, "{}", all.stderr());
}

/// Each way a lockfile goes stale that "some locked version satisfies it" let through, and
/// each edit cargo itself accepts: the lockfile mode says what `cargo metadata --locked` says.
#[test]
fn freshness_is_judged_per_member_as_cargo_locked_judges_it() {
    let cases: [(&str, &str, &str, bool); 5] = [
        // tonic 0.9.2 is locked (for etcd-client), but not for telemetry.
        (
            "crates/telemetry/Cargo.toml",
            "opentelemetry-otlp = \"0.27\"",
            "opentelemetry-otlp = \"0.27\"\ntonic = \"0.9\"",
            true,
        ),
        // A dependency dropped: its locked edge answers no declaration.
        (
            "crates/meta-store/Cargo.toml",
            "etcd-client = \"0.11\"",
            "",
            true,
        ),
        // A member's version changed.
        (
            "crates/meta-store/Cargo.toml",
            "version = \"0.1.0\"",
            "version = \"0.2.0\"",
            true,
        ),
        // A renamed key and a kind change leave Cargo.lock as it is.
        (
            "crates/meta-store/Cargo.toml",
            "etcd-client = \"0.11\"",
            "etcd = { package = \"etcd-client\", version = \"0.11\" }",
            false,
        ),
        (
            "crates/meta-store/Cargo.toml",
            "[dependencies]",
            "[dev-dependencies]",
            false,
        ),
    ];
    for (file, from, to, stale) in cases {
        let fixture = Fixture::new("two-lines");
        let path = fixture.root.join(file);
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains(from), "{file}: {from}");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
        let locked = std::process::Command::new("cargo")
            .args(["metadata", "--locked", "--offline", "--format-version", "1"])
            .current_dir(&fixture.root)
            .env("CARGO_HOME", &fixture.cargo_home)
            .output()
            .expect("cargo");
        assert_eq!(!locked.status.success(), stale, "cargo, {to}");
        let run = fixture.run(&["check", "--lockfile"]);
        if stale {
            run.expect_code(2);
            assert!(
                run.stderr().contains("out of date"),
                "{to}: {}",
                run.stderr()
            );
        } else {
            assert_ne!(run.code(), 2, "{to}: {}", run.stderr());
        }
    }
}

/// cargo's workspace rules where the lockfile mode once departed from them: a member written
/// out under an `exclude`d directory stays a member; a member outside the root, pointing back
/// with `package.workspace`, is read; from a member directory, with a leftover Cargo.lock of
/// its own, the workspace's lockfile is the one read.
#[test]
fn members_and_the_lockfile_are_the_ones_cargo_uses() {
    let fixture = Fixture::new("two-lines");
    let root = fixture.root.join("Cargo.toml");
    std::fs::write(
        &root,
        "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\", \"old/keep\", \"../outside/x\"]\nexclude = [\"old\"]\n",
    )
    .expect("write");
    let package = |dir: &std::path::Path, name: &str, extra: &str| {
        std::fs::create_dir_all(dir.join("src")).expect("mkdir");
        std::fs::write(dir.join("src/lib.rs"), "").expect("lib");
        std::fs::write(
            dir.join("Cargo.toml"),
            format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{extra}\n[dependencies]\ntonic = \"0.12\"\n"),
        )
        .expect("manifest");
    };
    package(&fixture.root.join("old/keep"), "keep", "");
    package(&fixture.root.join("old/dropped"), "dropped", "");
    let outside = fixture.root.parent().expect("parent").join("outside/x");
    package(&outside, "x", "workspace = \"../../two-lines\"");
    cargo(&fixture, &["generate-lockfile", "--offline"]);
    // A leftover lockfile inside a member, from before it joined the workspace.
    std::fs::write(
        fixture.root.join("crates/server/Cargo.lock"),
        "version = 4\n\n[[package]]\nname = \"server\"\nversion = \"0.0.1\"\n",
    )
    .expect("leftover");
    let from_root = fixture.run(&["check", "--lockfile", "--format", "json"]);
    let from_member = fixture.run_in(
        &fixture.root.join("crates/server"),
        &["check", "--lockfile", "--format", "json"],
        None,
    );
    let by_path = fixture.run(&[
        "check",
        "--lockfile",
        "--manifest-path",
        "crates/server/Cargo.toml",
        "--format",
        "json",
    ]);
    let cargo_mode = fixture.run(common::CARGO_ALL_FEATURES_JSON);
    for run in [&from_root, &from_member, &by_path, &cargo_mode] {
        run.expect_code(1);
    }
    let expected = comparable(&cargo_mode.json());
    for run in [&from_root, &from_member, &by_path] {
        assert_eq!(comparable(&run.json()), expected);
    }
    // keep (written out under `exclude`) and x (outside the root) are members and origins.
    let tonic = common::finding(&from_root.json(), "diverging-versions", "tonic").clone();
    let members: Vec<&str> = common::version(&tonic, "0.12.3")["origins"]
        .as_array()
        .expect("origins")
        .iter()
        .filter_map(|o| o["member"].as_str())
        .collect();
    for m in ["keep", "x"] {
        assert!(members.contains(&m), "{m}: {members:?}");
    }
    assert!(!members.contains(&"dropped"), "{members:?}");
}
