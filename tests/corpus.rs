//! The real-world corpus (testdata/corpus/<case>/: a public workspace's Cargo.lock and member
//! manifests): `check --lockfile` loads every case without cargo, never panics, refuses only
//! the lockfiles that were out of date at their commit (as `cargo --locked` would),
//! keeps the default human report and the markdown comment within their budgets, says once
//! which packages lack registry facts (no index data on a test machine), annotates
//! GitHub at most once per (code, crate, manifest line), and lists no finding twice in JSON. The findings of each case
//! are snapshotted one line each.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Lines of default human output for a whole workspace.
const REPORT_BUDGET: usize = 150;
/// Lines of one error-level finding in the default human output.
const FINDING_BUDGET: usize = 40;
/// Characters of the lockfile mode's note.
const NOTE_BUDGET: usize = 600;
/// Characters of `--format markdown` (a pull-request comment), well under GitHub's limit.
const MARKDOWN_BUDGET: usize = 40_000;

fn cases() -> Vec<PathBuf> {
    let dir = common::testdata().join("corpus");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.join("Cargo.lock").is_file())
                .collect()
        })
        .unwrap_or_default();
    cases.sort();
    cases
}

/// Runs the tool in `case` with no cargo reachable.
fn run(case: &Path, args: &[&str]) -> common::Run {
    let home = tempfile::tempdir().expect("temp dir");
    common::run_tool_with_env(
        case,
        home.path(),
        args,
        &[("CARGO", "/nonexistent/cargo"), ("PATH", "/nonexistent")],
    )
}

/// The line counts of each error-level finding in a default human report.
fn error_blocks(human: &str) -> Vec<(String, usize)> {
    let mut blocks: Vec<(String, usize)> = Vec::new();
    let mut open = false;
    for line in human.lines() {
        let starts = ["error[", "warning[", "note[", "note: ", "summary: "]
            .iter()
            .any(|p| line.starts_with(p));
        if starts {
            open = line.starts_with("error[");
            if open {
                blocks.push((line.to_owned(), 0));
            }
        }
        if open && let Some(last) = blocks.last_mut() {
            last.1 += 1;
        }
    }
    blocks
}

/// `level code crate [member]`, one line per finding.
fn compact(report: &Value) -> String {
    let mut out = String::new();
    for f in report["findings"].as_array().expect("findings") {
        let lines: Vec<&str> = f["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        out.push_str(&format!(
            "{} {} {} [{}]",
            f["level"].as_str().unwrap_or_default(),
            f["code"].as_str().unwrap_or_default(),
            f["crate"].as_str().unwrap_or_default(),
            lines.join(", ")
        ));
        if let Some(m) = f["member"].as_str() {
            out.push_str(&format!(" member={m}"));
        }
        out.push('\n');
    }
    out.push_str(&format!("summary: {}\n", report["summary"]));
    out
}

/// Cases whose Cargo.lock was already out of date at their commit: `cargo metadata --locked`
/// would refuse it, and so does the lockfile mode, naming the line (docs/lockfile-mode.md says which).
const STALE: &[(&str, &str)] = &[(
    "neon-2021-08",
    "walkeeper/Cargo.toml:11 requires bincode 1.3, but Cargo.lock locks no bincode for `walkeeper`",
)];

fn check_case(case: &Path) {
    let name = case
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let human = run(case, &["check", "--lockfile"]);
    if let Some((_, why)) = STALE.iter().find(|(n, _)| *n == name) {
        human.expect_code(2);
        assert!(human.stderr().contains("out of date"), "{name}");
        assert!(human.stderr().contains(why), "{name}: {}", human.stderr());
        assert!(human.stdout().is_empty(), "{name}");
        return;
    }
    assert!(
        matches!(human.code(), 0 | 1),
        "{name}: exit {}: {}",
        human.code(),
        human.stderr()
    );
    assert!(!human.stderr().contains("panicked"), "{name}");
    let text = human.stdout();
    let lines = text.lines().count();
    assert!(
        lines <= REPORT_BUDGET,
        "{name}: {lines} lines of human output\n{text}"
    );
    for (head, n) in error_blocks(&text) {
        assert!(n <= FINDING_BUDGET, "{name}: {n} lines for {head}\n{text}");
    }
    // No index data on a test machine: the one note says which packages lack facts, in one
    // line, naming a few and counting the rest.
    let notes: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("note: lockfile mode:"))
        .collect();
    assert_eq!(notes.len(), 1, "{name}\n{text}");
    assert!(
        notes[0].contains("describe the dependencies of") && notes[0].len() <= NOTE_BUDGET,
        "{name}: {}",
        notes[0]
    );

    let json = run(case, &["check", "--lockfile", "--format", "json"]);
    assert_eq!(json.code(), human.code(), "{name}");
    let report = json.json();
    let mut keys = BTreeSet::new();
    for f in report["findings"].as_array().expect("findings") {
        let crates = if f["member"].is_null() {
            f["crates"].to_string()
        } else {
            String::new()
        };
        let key = (
            f["code"].to_string(),
            f["crate"].to_string(),
            f["member"].to_string(),
            crates,
        );
        assert!(keys.insert(key.clone()), "{name}: {key:?} twice");
    }

    let github = run(case, &["check", "--lockfile", "--format", "github"]);
    assert_eq!(github.code(), human.code(), "{name}");
    let mut places = BTreeSet::new();
    for line in github.stdout().lines().filter(|l| l.contains(" file=")) {
        let head = line.split("::").nth(1).expect("properties");
        let place = head.split_once(' ').map_or(head, |(_, p)| p);
        assert!(
            places.insert(place.to_owned()),
            "{name}: two annotations at {place}"
        );
    }

    // A pull-request comment: GitHub takes at most 65,536 characters.
    let markdown = run(case, &["check", "--lockfile", "--format", "markdown"]);
    assert_eq!(markdown.code(), human.code(), "{name}");
    let size = markdown.stdout().chars().count();
    assert!(
        size <= MARKDOWN_BUDGET,
        "{name}: {size} characters of markdown"
    );

    insta::assert_snapshot!(format!("corpus-{name}"), compact(&report));
}

#[test]
fn every_corpus_workspace_loads_and_meets_the_budgets() {
    let cases = cases();
    // Two at a time: the machine's cores are shared.
    let (left, right) = cases.split_at(cases.len() / 2);
    std::thread::scope(|s| {
        s.spawn(|| left.iter().for_each(|c| check_case(c)));
        right.iter().for_each(|c| check_case(c));
    });
}

#[test]
fn error_blocks_are_counted_from_their_header_to_the_next() {
    let text = "1 root cause:\n  x\n\nerror[a]: one\n  v\n  help: h\nwarning[b]: w\n\nerror[c]: two\n  help\n\nsummary: 1 error\n";
    let blocks = error_blocks(text);
    assert_eq!(
        blocks,
        [
            ("error[a]: one".to_owned(), 3),
            ("error[c]: two".to_owned(), 3)
        ]
    );
}
