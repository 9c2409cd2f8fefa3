//! Bad input: each case exits 2 with a message that names the file and the problem, prints
//! nothing on stdout, and never panics. (More cases live beside the features they guard:
//! tests/check.rs, tests/lockfile.rs, tests/gate.rs, tests/fix.rs.) And hostile names: a
//! workspace or member directory named to break out of a report is shown as text in every
//! format others open.

mod common;

use std::path::Path;

use common::{Fixture, Run};

const INPUT: i32 = 2;

fn assert_input_error(run: &Run, needles: &[&str]) {
    run.expect_code(INPUT);
    assert!(run.stdout().is_empty(), "stdout: {}", run.stdout());
    let err = run.stderr();
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "missing `{n}` in:\n{err}");
    }
}

#[test]
fn a_directory_without_a_manifest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = common::run_tool(dir.path(), dir.path(), &["check", "--offline"], None);
    assert_input_error(&run, &["Cargo.toml"]);
}

#[test]
fn a_manifest_with_wrong_value_types() {
    let fixture = Fixture::new("clean");
    std::fs::write(
        fixture.root.join("Cargo.toml"),
        "[package]\nname = 5\nversion = \"0.1.0\"\n",
    )
    .expect("write");
    let run = fixture.run(&["check", "--offline"]);
    assert_input_error(&run, &["Cargo.toml", "name"]);
}

#[test]
fn a_virtual_manifest_with_no_members() {
    let fixture = Fixture::new("clean");
    std::fs::write(
        fixture.root.join("Cargo.toml"),
        "[workspace]\nmembers = []\n",
    )
    .expect("write");
    let run = fixture.run(&["check", "--offline"]);
    assert_input_error(&run, &["Cargo.toml", "no members"]);
}

#[test]
fn truncated_and_wrong_version_metadata() {
    let fixture = Fixture::new("two-lines");
    let json = common::saved_metadata(&fixture);
    let file = fixture.tmp.path().join("metadata.json");
    let f = file.to_str().expect("utf-8");

    std::fs::write(&file, &json[..json.len() / 2]).expect("write");
    let run = fixture.run(&["check", "--metadata-path", f]);
    assert_input_error(&run, &["metadata.json", "not usable cargo metadata"]);

    std::fs::write(&file, json.replace("\"version\":1", "\"version\":2")).expect("write");
    let run = fixture.run(&["check", "--metadata-path", f]);
    assert_input_error(&run, &["metadata.json", "format version 2"]);

    std::fs::write(&file, "").expect("write");
    let run = fixture.run(&["check", "--metadata-path", f]);
    assert_input_error(&run, &["metadata.json", "empty"]);

    std::fs::write(&file, [0xff, 0xfe, 0x00]).expect("write");
    let run = fixture.run(&["check", "--metadata-path", f]);
    assert_input_error(&run, &["metadata.json", "UTF-8"]);
}

#[test]
fn input_over_the_size_limit_is_refused() {
    let fixture = Fixture::new("two-lines");
    let file = fixture.tmp.path().join("metadata.json");
    std::fs::write(&file, common::saved_metadata(&fixture)).expect("write");
    let run = common::run_tool_with_env(
        &fixture.root,
        &fixture.cargo_home,
        &["check", "--metadata-path", file.to_str().expect("utf-8")],
        &[("CARGO_ETCD_DEPS_MAX_INPUT", "1000")],
    );
    assert_input_error(
        &run,
        &["metadata.json", "larger than the input limit of 1000 bytes"],
    );
    let run = common::run_tool_with_env(
        &fixture.root,
        &fixture.cargo_home,
        &["check", "--lockfile"],
        &[("CARGO_ETCD_DEPS_MAX_INPUT", "1000")],
    );
    assert_input_error(&run, &["Cargo.lock", "input limit"]);
}

#[test]
fn cargo_missing_from_path() {
    let fixture = Fixture::new("two-lines");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-etcd-deps"));
    let out = cmd
        .args(["check", "--offline", "--cargo-metadata"])
        .current_dir(&fixture.root)
        .env_remove("CARGO")
        .env("PATH", "/nonexistent")
        .output()
        .expect("run");
    let run = Run(out);
    assert_input_error(&run, &["could not run `cargo`"]);
    // The fast path needs no cargo: with a fresh lockfile the default check answers.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-etcd-deps"))
        .args(["check", "--offline"])
        .current_dir(&fixture.root)
        .env_remove("CARGO")
        .env("CARGO_HOME", &fixture.cargo_home)
        .env("PATH", "/nonexistent")
        .output()
        .expect("run");
    Run(out).expect_code(1);
}

#[test]
fn offline_without_the_needed_sources_shows_cargos_error() {
    let fixture = Fixture::new("two-lines");
    // No source replacement: cargo would need crates.io, and --offline forbids it.
    std::fs::remove_dir_all(fixture.root.join(".cargo")).expect("remove config");
    let run = fixture.run(&["check", "--offline"]);
    assert_input_error(&run, &["cargo metadata", "offline"]);
}

#[test]
fn non_utf8_paths_do_not_panic() {
    use std::os::unix::ffi::OsStrExt;
    let fixture = Fixture::new("two-lines");
    let odd = fixture
        .tmp
        .path()
        .join("workspaces")
        .join(std::ffi::OsStr::from_bytes(b"ws-\xff"));
    std::fs::rename(&fixture.root, &odd).expect("rename");
    let run = fixture.run_in(&odd, &["check", "--offline"], None);
    // cargo cannot load such a workspace: its own message, naming the manifest, and exit 2.
    assert_input_error(&run, &["ws-", "Cargo.toml"]);

    // A saved-metadata path that is not UTF-8 is named in the error, lossily.
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-etcd-deps"));
    let out = cmd
        .arg("check")
        .arg("--metadata-path")
        .arg(std::ffi::OsStr::from_bytes(b"meta-\xfe.json"))
        .current_dir(fixture.tmp.path())
        .output()
        .expect("run");
    assert_input_error(&Run(out), &["meta-", ".json"]);
}

#[test]
fn a_member_manifest_linked_from_outside_the_root_is_refused() {
    let fixture = Fixture::new("two-lines");
    // Move one member out of the workspace and link it back in.
    let outside = fixture.tmp.path().join("elsewhere-meta-store");
    let member = fixture.root.join("crates/meta-store");
    std::fs::rename(&member, &outside).expect("move");
    std::os::unix::fs::symlink(&outside, &member).expect("link");
    let run = fixture.run(&["check", "--offline"]);
    assert_input_error(
        &run,
        &[
            "refusing to read",
            "meta-store",
            "leaves the workspace root",
        ],
    );
    assert!(!run.stderr().contains("edit"), "{}", run.stderr());
    let before = std::fs::read(outside.join("Cargo.toml")).expect("read");
    let run = fixture.run(&["fix", "--offline", "--apply", "--allow-dirty"]);
    assert_input_error(&run, &["refusing to edit", "leaves the workspace root"]);
    assert_eq!(
        std::fs::read(outside.join("Cargo.toml")).expect("read"),
        before
    );
}

#[test]
fn a_link_inside_the_root_is_fine() {
    let fixture = Fixture::new("two-lines");
    let member = fixture.root.join("crates/meta-store");
    let real = fixture.root.join("real-meta-store");
    std::fs::rename(&member, &real).expect("move");
    std::os::unix::fs::symlink(Path::new("../real-meta-store"), &member).expect("link");
    let run = fixture.run(&["check", "--offline", "--format", "json"]);
    run.expect_code(1);
    common::finding(&run.json(), "diverging-versions", "tonic");
}

#[test]
fn a_failing_locate_project_is_named_as_such() {
    // cargo fails only when asked where the workspace is: the message names that command,
    // in a member directory (where the root must be asked for) and through --manifest-path.
    let fixture = Fixture::new("two-lines");
    let shim = fixture.tmp.path().join("cargo-shim");
    std::fs::write(
        &shim,
        "#!/bin/sh\nif [ \"$1\" = locate-project ]; then echo 'error: simulated locate failure' >&2; exit 101; fi\nexec cargo \"$@\"\n",
    )
    .expect("write shim");
    std::fs::set_permissions(&shim, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    let shim = shim.to_str().expect("utf-8 path");
    let member = fixture.root.join("crates/server");
    for (dir, args) in [
        (&member, vec!["check", "--offline", "--cargo-metadata"]),
        (
            &fixture.root,
            vec![
                "check",
                "--offline",
                "--cargo-metadata",
                "--manifest-path",
                "crates/server/Cargo.toml",
            ],
        ),
    ] {
        let run = common::run_tool_with_env(dir, &fixture.cargo_home, &args, &[("CARGO", shim)]);
        assert_input_error(
            &run,
            &["`cargo locate-project` failed", "simulated locate failure"],
        );
        assert!(!run.stderr().contains("cargo metadata"), "{}", run.stderr());
    }
}

/// `cargo metadata`'s answer is read as soon as cargo has written it, while cargo exits; it
/// counts only once cargo has ended well. A cargo that fails after writing its answer, or
/// writes more after it, fails the run with an input error that says so.
#[test]
fn an_answer_counts_only_once_cargo_ends_well() {
    let fixture = Fixture::new("two-lines");
    for (after, expected) in [
        (
            "sleep 0.2; echo 'error: simulated failure after the answer' >&2; exit 101",
            &[
                "`cargo metadata` failed",
                "simulated failure after the answer",
            ][..],
        ),
        (
            "echo '{}'; exit 0",
            &["output of `cargo metadata`", "goes on after its first line"][..],
        ),
    ] {
        let shim = fixture.tmp.path().join("cargo-shim");
        std::fs::write(
            &shim,
            format!("#!/bin/sh\nif [ \"$1\" = metadata ]; then cargo \"$@\" || exit $?; {after}; fi\nexec cargo \"$@\"\n"),
        )
        .expect("write shim");
        std::fs::set_permissions(&shim, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("chmod");
        let args = ["check", "--offline", "--cargo-metadata"];
        let shim = shim.to_str().expect("utf-8 path");
        let run = common::run_tool_with_env(
            &fixture.root,
            &fixture.cargo_home,
            &args,
            &[("CARGO", shim)],
        );
        assert_input_error(&run, expected);
    }
}

/// The lockfile mode never reads what it cannot read as absent: a root manifest that is not
/// UTF-8, a manifest that is a device, a member manifest over the input limit, a glob member
/// with no manifest (which cargo refuses too) and a baseline that is a directory are errors
/// that name the file, however the configuration would have gated.
#[test]
fn the_lockfile_mode_fails_closed_on_what_it_cannot_read() {
    let fixture = Fixture::new("two-lines");
    let root = fixture.root.join("Cargo.toml");
    let text = std::fs::read_to_string(&root).expect("read");
    let mut bytes = text.clone().into_bytes();
    bytes.extend_from_slice(b"# \xff\n");
    std::fs::write(&root, &bytes).expect("write");
    let run = fixture.run(&["check", "--lockfile"]);
    assert_input_error(&run, &["Cargo.toml", "UTF-8"]);
    std::fs::write(&root, &text).expect("restore");

    let member = fixture.root.join("crates/meta-store/Cargo.toml");
    let member_text = std::fs::read_to_string(&member).expect("read");
    std::fs::remove_file(&member).expect("remove");
    std::os::unix::fs::symlink("/dev/zero", &member).expect("link");
    let run = fixture.run(&["check", "--lockfile"]);
    assert_input_error(&run, &["meta-store/Cargo.toml", "not a regular file"]);
    std::fs::remove_file(&member).expect("remove link");

    std::fs::write(&member, format!("{member_text}\n# {}\n", "x".repeat(4096))).expect("write");
    let run = common::run_tool_with_env(
        &fixture.root,
        &fixture.cargo_home,
        &["check", "--lockfile"],
        &[("CARGO_ETCD_DEPS_MAX_INPUT", "2048")],
    );
    assert_input_error(&run, &["meta-store/Cargo.toml", "input limit"]);
    std::fs::write(&member, &member_text).expect("restore");

    std::fs::create_dir_all(fixture.root.join("crates/empty")).expect("mkdir");
    let run = fixture.run(&["check", "--lockfile"]);
    assert_input_error(&run, &["crates/empty/Cargo.toml"]);
    std::fs::remove_dir(fixture.root.join("crates/empty")).expect("rmdir");

    std::fs::create_dir_all(fixture.root.join("base.json")).expect("mkdir");
    let run = fixture.run(&["check", "--lockfile", "--baseline", "base.json"]);
    assert_input_error(&run, &["base.json", "not a regular file"]);
}

/// A directory name that ends a code span, opens live HTML, splits a table row and starts a
/// spreadsheet formula, with a percent sign and a comma for the workflow commands.
const HOSTILE: &str = "=1+1`<img src=x onerror=alert(1)>|x,50%";

/// Every `Html` and `InlineHtml` event of a GFM document.
fn html_in_markdown(md: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Options, Parser};
    Parser::new_ext(md, Options::ENABLE_TABLES)
        .filter_map(|e| match e {
            Event::Html(h) | Event::InlineHtml(h) => Some(h.to_string()),
            _ => None,
        })
        .collect()
}

/// The cells of each GFM table row, as a reader sees them.
fn table_rows(md: &str) -> Vec<Vec<String>> {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut cell: Option<String> = None;
    for e in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match e {
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => row.push(cell.take().expect("in a cell")),
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => rows.push(std::mem::take(&mut row)),
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = cell.as_mut() {
                    c.push_str(&t);
                }
            }
            _ => {}
        }
    }
    rows
}

#[test]
fn a_hostile_workspace_name_is_text_in_every_scan_format() {
    let fleet = Fixture::fleet();
    std::fs::rename(fleet.root.join("orders"), fleet.root.join(HOSTILE)).expect("rename");
    // Scanned from inside the fleet, the row's path is the name itself.
    let scan = |format: &str| {
        let run = fleet.run_in(&fleet.root, &["scan", ".", "--format", format], None);
        run.expect_code(2);
        run.stdout()
    };

    let md = scan("markdown");
    assert!(html_in_markdown(&md).is_empty(), "{md}");
    let rows = table_rows(&md);
    let head = rows[0].len();
    let row = rows
        .iter()
        .find(|r| r[0] == HOSTILE)
        .unwrap_or_else(|| panic!("a row named {HOSTILE}:\n{md}"));
    assert_eq!(row.len(), head, "{md}");
    assert!(rows.iter().all(|r| r.len() == head), "{md}");

    let csv = scan("csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let width = reader.headers().expect("header").len();
    let records: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .expect("valid CSV");
    let row = records
        .iter()
        .find(|r| r[0].ends_with("|x,50%"))
        .expect("the hostile row");
    assert_eq!(&row[0], format!("'{HOSTILE}"));
    assert!(records.iter().all(|r| r.len() == width));

    let html = scan("html");
    assert!(!html.contains("<img"), "{html}");
    assert!(
        html.contains("<td>=1+1`&lt;img src=x onerror=alert(1)&gt;|x,50%</td>"),
        "{html}"
    );

    // JSON keeps the name as it is (serde escapes what JSON needs).
    let json: serde_json::Value = serde_json::from_str(&scan("json")).expect("json");
    assert!(
        json["workspaces"]
            .as_array()
            .expect("rows")
            .iter()
            .any(|r| r["path"] == HOSTILE)
    );
}

/// A member directory with the hostile name, in the two-lines workspace (its origins point
/// into that member's manifest).
fn hostile_member() -> Fixture {
    let fixture = Fixture::new("two-lines");
    let crates = fixture.root.join("crates");
    std::fs::rename(crates.join("meta-store"), crates.join(HOSTILE)).expect("rename");
    let server = crates.join("server/Cargo.toml");
    let manifest = std::fs::read_to_string(&server).expect("read");
    let moved = manifest.replace("../meta-store", &format!("../{HOSTILE}"));
    assert_ne!(moved, manifest);
    std::fs::write(&server, moved).expect("write");
    fixture
}

#[test]
fn a_hostile_member_name_is_text_in_checks_markdown_github_and_sarif() {
    let fixture = hostile_member();
    let check = |format: &str| {
        let run = fixture.run(&["check", "--offline", "--format", format]);
        run.expect_code(1);
        run.stdout()
    };

    let md = check("markdown");
    assert!(md.contains("=1+1"), "the member is named: {md}");
    assert!(
        html_in_markdown(&md).iter().all(|h| !h.contains("<img")),
        "{md}"
    );
    let rows = table_rows(&md);
    assert!(rows.len() > 1, "{md}");
    assert!(rows.iter().all(|r| r.len() == rows[0].len()), "{md}");
    let manifest = format!("crates/{HOSTILE}/Cargo.toml:8");
    assert!(
        rows.iter().any(|r| r[4].contains(&manifest)),
        "the origin cell reads as the path: {rows:?}"
    );

    let gh = check("github");
    for line in gh.lines() {
        assert!(line.starts_with("::"), "one command a line: {gh}");
    }
    assert!(
        gh.contains("file=crates/=1+1`<img src=x onerror=alert(1)>|x%2C50%25/Cargo.toml,line=8"),
        "{gh}"
    );

    let sarif: serde_json::Value = serde_json::from_str(&check("sarif")).expect("sarif");
    let uris = common::sarif_uris(&sarif);
    assert!(
        uris.contains(
            &"crates/%3D1%2B1%60%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E%7Cx%2C50%25/Cargo.toml"
        ),
        "{uris:?}"
    );
}

#[test]
fn a_non_utf8_workspace_name_is_shown_lossily_and_merges() {
    use std::os::unix::ffi::OsStrExt;
    let fleet = Fixture::fleet();
    std::fs::rename(
        fleet.root.join("orders"),
        fleet.root.join(std::ffi::OsStr::from_bytes(b"orders-\xff")),
    )
    .expect("rename");
    let run = fleet.run_in(
        fleet.tmp.path(),
        &[
            "scan",
            "fleet",
            "--format",
            "json",
            "--output",
            "fleet.json",
        ],
        None,
    );
    run.expect_code(2);
    let merged = fleet.run_in(
        fleet.tmp.path(),
        &["scan", "merge", "fleet.json", "--format", "csv"],
        None,
    );
    merged.expect_code(2);
    assert!(
        merged.stdout().contains("\nfleet/orders-\u{fffd},pass,"),
        "{}",
        merged.stdout()
    );
}
