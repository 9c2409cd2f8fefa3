//! `scan` end to end on the fixture fleet (testdata/fleet: a clean, a diverging, a
//! policy-violating and an unreadable workspace), in every format; discovery, lists, exit
//! codes, shards and merge.

mod common;

use std::path::Path;

use common::{Fixture, Run};
use serde_json::json;

const TODAY: &str = "2026-12-15";

/// Runs `scan` in the fleet's parent directory (rows are named `fleet/<service>`).
fn scan(fleet: &Fixture, args: &[&str]) -> Run {
    let mut all = vec!["scan"];
    all.extend_from_slice(args);
    fleet.run_in(fleet.tmp.path(), &all, None)
}

fn with_policy<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec![
        "fleet",
        "--policy",
        "fleet/etcd-policy.toml",
        "--today",
        TODAY,
    ];
    all.extend_from_slice(args);
    all
}

fn row_paths(doc: &serde_json::Value) -> Vec<&str> {
    doc["workspaces"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["path"].as_str().expect("path"))
        .collect()
}

#[test]
fn human_table_lists_every_workspace_and_the_fleet() {
    let fleet = Fixture::fleet();
    let run = scan(&fleet, &with_policy(&[]));
    run.expect_code(2);
    insta::assert_snapshot!("scan-human", run.stdout());
    assert!(run.stderr().is_empty(), "{}", run.stderr());
}

#[test]
fn json_rows_follow_the_schema() {
    let fleet = Fixture::fleet();
    let run = scan(&fleet, &with_policy(&["--format", "json"]));
    run.expect_code(2);
    let doc = run.json();
    assert_eq!(doc["schema_version"], 1);
    let rows = doc["workspaces"].as_array().expect("rows");
    assert_eq!(
        row_paths(&doc),
        [
            "fleet/billing",
            "fleet/inventory",
            "fleet/orders",
            "fleet/payments"
        ]
    );
    let row = |p: &str| rows.iter().find(|r| r["path"] == p).expect("row");
    assert_eq!(row("fleet/billing")["policy"]["status"], "ok");
    assert_eq!(row("fleet/billing")["summary"]["errors"], 0);
    assert_eq!(
        row("fleet/inventory")["lines"]["tonic"],
        serde_json::json!(["0.9.2", "0.12.3"])
    );
    assert_eq!(row("fleet/inventory")["summary"]["errors"], 1);
    let orders = row("fleet/orders");
    assert_eq!(orders["policy"]["status"], "warning");
    assert_eq!(orders["policy"]["deny_from"], "2027-06-01");
    assert_eq!(orders["policy"]["days_left"], 168);
    assert_eq!(
        orders["policy"]["outside"],
        serde_json::json!(["etcd-client@0.12.4"])
    );
    // A warning only: `fix` plans nothing for it by default, and the row suggests nothing.
    assert_eq!(orders["edit"], serde_json::Value::Null);
    assert_eq!(orders["findings"][0]["code"], "outside-policy");
    let payments = row("fleet/payments");
    assert!(
        payments["error"]
            .as_str()
            .expect("error")
            .starts_with("fleet/payments/Cargo.lock: not a Cargo.lock"),
        "{payments:#}"
    );
    assert_eq!(
        doc["fleet"]["tonic"],
        serde_json::json!({
            "0.9": ["fleet/inventory"], "0.10": ["fleet/orders"],
            "0.12": ["fleet/inventory"], "0.14": ["fleet/billing"],
        })
    );
}

#[test]
fn csv_markdown_and_html_carry_the_same_rows() {
    let fleet = Fixture::fleet();
    let csv = scan(&fleet, &with_policy(&["--format", "csv"]));
    csv.expect_code(2);
    let csv = csv.stdout();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "path,gate,error,etcd-client,tonic,prost,hyper,errors,warnings,notes,policy,deny_from,days_left,edit"
        )
    );
    assert!(
        csv.contains(
            "\nfleet/orders,pass,,0.12.4,0.10.2,0.12.6,0.14.32,0,1,0,warning,2027-06-01,168,\n"
        ),
        "{csv}"
    );
    assert!(
        csv.contains("\nfleet/payments,unreadable,\"fleet/payments/Cargo.lock: not a Cargo.lock")
    );

    let md = scan(&fleet, &with_policy(&["--format", "markdown"]));
    md.expect_code(2);
    let md = md.stdout();
    assert!(
        md.starts_with("## cargo etcd-deps scan: 4 workspaces, 1 failing the gate, 1 unreadable\n")
    );
    assert!(md.contains("| `fleet/orders` | pass | 0.12 | 0.10 | 0.12 | 0.14 | 0 | 1 | warning, 168 days left | \\- |"), "{md}");
    assert!(
        md.contains("- tonic 0.9: 1 (fleet/inventory); 0.10: 1 (fleet/orders)"),
        "{md}"
    );

    let html = scan(&fleet, &with_policy(&["--format", "html"]));
    html.expect_code(2);
    let html = html.stdout();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Self-contained: nothing is fetched.
    for outside in ["http://", "https://", "src=", "<link"] {
        assert!(!html.contains(outside), "{outside}");
    }
    assert!(html.contains("data-line=\"0.9\" data-count=\"1\""));
    assert!(html.contains("<td>2027-06-01</td><td data-sort=\"168\">168</td>"));
}

#[test]
fn html_version_columns_sort_by_semver() {
    let fleet = Fixture::fleet();
    let run = scan(&fleet, &with_policy(&["--format", "html"]));
    run.expect_code(2);
    let html = run.stdout();
    // Each readable row: its workspace and the sort key of its tonic cell (the second lines
    // column: etcd-client, tonic, prost, hyper).
    let mut rows: Vec<(String, String)> = html
        .split("<tr><td>")
        .skip(1)
        .filter(|row| !row.contains("unreadable"))
        .map(|row| {
            let name = row.split('<').next().expect("name").to_owned();
            let key = row
                .split("data-sort=\"")
                .nth(2)
                .and_then(|k| k.split('"').next())
                .unwrap_or_else(|| panic!("no sort key in {row}"))
                .to_owned();
            (name, key)
        })
        .collect();
    rows.sort_by(|a, b| a.1.cmp(&b.1));
    let order: Vec<&str> = rows.iter().map(|(name, _)| name.as_str()).collect();
    // 0.9 (with 0.12), then 0.10, then 0.14: by semver, not as decimals (0.10 < 0.14 < 0.9).
    assert_eq!(
        order,
        ["fleet/inventory", "fleet/orders", "fleet/billing"],
        "{html}"
    );
}

#[test]
fn the_edit_column_is_the_first_edit_fix_plans() {
    let fleet = Fixture::fleet();
    let run = scan(&fleet, &with_policy(&["--format", "json"]));
    run.expect_code(2);
    let doc = run.json();
    for row in doc["workspaces"].as_array().expect("rows") {
        let path = row["path"].as_str().expect("path");
        if row["error"].is_string() {
            continue;
        }
        let dir = fleet.tmp.path().join(path);
        let policy = fleet.root.join("etcd-policy.toml");
        let fix = fleet.run_in(
            &dir,
            &[
                "fix",
                "--offline",
                "--no-verify",
                "--policy",
                policy.to_str().expect("utf-8"),
                "--today",
                TODAY,
                "--format",
                "json",
            ],
            None,
        );
        let plan = fix.json();
        let first = plan["edits"].as_array().expect("edits").first().map(|e| {
            format!(
                "{} {}",
                e["manifest"].as_str().expect("manifest"),
                e["key"].as_str().expect("key")
            )
        });
        // `manifest:line key` in the row, `manifest` and `key` in the plan.
        let shown = row["edit"].as_str().map(|e| {
            let (at, key) = e.split_once(' ').expect("manifest:line key");
            format!("{} {key}", at.rsplit_once(':').map_or(at, |(m, _)| m))
        });
        assert_eq!(shown, first, "{path}: row {row:#}\nplan {plan:#}");
    }
    // The orders workspace has a policy warning only: `fix` plans nothing for it by default,
    // and the row suggests nothing.
    let orders = doc["workspaces"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["path"] == "fleet/orders")
        .expect("orders");
    assert_eq!(orders["edit"], serde_json::Value::Null, "{orders:#}");
}

#[test]
fn exit_codes_follow_the_worst_workspace() {
    let fleet = Fixture::fleet();
    let list = fleet.tmp.path().join("list.txt");
    let write = |lines: &str| std::fs::write(&list, lines).expect("write list");
    let listed = |today: &str, extra: &[&str]| {
        let mut a = vec!["--from", "list.txt", "--policy", "fleet/etcd-policy.toml"];
        a.extend(["--today", today]);
        a.extend_from_slice(extra);
        scan(&fleet, &a)
    };
    // Clean and policy-violating before the deny date: the gate passes.
    write("# services\nfleet/billing\n\nfleet/orders/Cargo.lock\n");
    listed(TODAY, &[]).expect_code(0);
    // From the deny date, the policy fails the gate.
    let run = listed("2027-06-01", &[]);
    run.expect_code(1);
    assert!(
        run.stdout().contains("error since 2027-06-01"),
        "{}",
        run.stdout()
    );
    // `--deny warnings` makes the warning window fail too.
    listed(TODAY, &["--deny", "warnings"]).expect_code(1);
    // A diverging workspace fails; an unreadable one wins over it, after all are reported.
    write("fleet/inventory\n");
    scan(&fleet, &["--from", "list.txt"]).expect_code(1);
    write("fleet/inventory\nfleet/missing\n");
    let run = scan(&fleet, &["--from", "list.txt"]);
    run.expect_code(2);
    assert!(
        run.stdout().contains("fleet/inventory  fail"),
        "{}",
        run.stdout()
    );
    assert!(
        run.stdout()
            .contains("fleet/missing    unreadable  error: could not read"),
        "{}",
        run.stdout()
    );
}

#[test]
fn discovery_skips_build_output_vcs_vendored_crates_and_nested_members() {
    let fleet = Fixture::fleet();
    let root = &fleet.root;
    let lock = std::fs::read_to_string(root.join("orders/Cargo.lock")).expect("lock");
    let put = |dir: &Path, files: &[(&str, &str)]| {
        std::fs::create_dir_all(dir).expect("dir");
        for (name, text) in files {
            std::fs::write(dir.join(name), text).expect("write");
        }
    };
    put(
        &root.join("billing/target/package/x"),
        &[("Cargo.lock", &lock)],
    );
    put(&root.join(".git/modules/y"), &[("Cargo.lock", &lock)]);
    put(
        &root.join("vendor/etcd-client"),
        &[("Cargo.lock", &lock), (".cargo-checksum.json", "{}")],
    );
    // A member's leftover lockfile: cargo uses the workspace's.
    put(
        &root.join("inventory/crates/server"),
        &[("Cargo.lock", &lock)],
    );
    // A workspace of its own inside another one's directory, and a Cargo.lock alone.
    let tools = root.join("billing/tools");
    put(
        &tools,
        &[
            ("Cargo.lock", &lock),
            (
                "Cargo.toml",
                "[package]\nname = \"tools\"\nversion = \"0.1.0\"\n\n[dependencies]\netcd-client = \"0.12\"\n\n[workspace]\n",
            ),
        ],
    );
    put(&root.join("lock-only"), &[("Cargo.lock", &lock)]);
    let run = scan(&fleet, &["fleet", "--format", "json"]);
    run.expect_code(2);
    let doc = run.json();
    assert_eq!(
        row_paths(&doc),
        [
            "fleet/billing",
            "fleet/billing/tools",
            "fleet/inventory",
            "fleet/lock-only",
            "fleet/orders",
            "fleet/payments"
        ]
    );
    let lock_only = &doc["workspaces"][3];
    assert!(lock_only["error"].is_null(), "{lock_only:#}");
    assert_eq!(
        lock_only["lines"]["etcd-client"],
        serde_json::json!(["0.12.4"])
    );
}

#[test]
fn shards_merged_equal_one_run_and_jobs_do_not_change_the_answer() {
    let fleet = Fixture::fleet();
    let args = with_policy(&["--format", "json"]);
    let one = scan(&fleet, &args);
    one.expect_code(2);
    for n in [2, 3] {
        let mut files = Vec::new();
        for i in 1..=n {
            let shard = format!("{i}/{n}");
            let file = format!("shard-{i}-of-{n}.json");
            let mut a = args.clone();
            a.extend(["--shard", &shard, "--output", &file]);
            let run = scan(&fleet, &a);
            assert!(run.stdout().is_empty());
            files.push(file);
        }
        let mut merge = vec!["merge"];
        merge.extend(files.iter().map(String::as_str));
        merge.extend(["--format", "json"]);
        let merged = scan(&fleet, &merge);
        merged.expect_code(2);
        assert_eq!(merged.json(), one.json(), "{n} shards");
        // Merge renders every format; the human table equals one run's.
        merge.truncate(merge.len() - 2);
        let human = scan(&fleet, &merge);
        let direct = scan(&fleet, &with_policy(&[]));
        assert_eq!(human.stdout(), direct.stdout());
    }
    let serial = scan(&fleet, &with_policy(&["--format", "json", "--jobs", "1"]));
    assert_eq!(serial.json(), one.json());
    // A shard share is deterministic and the shares cover the fleet once.
    let a = scan(
        &fleet,
        &with_policy(&["--format", "json", "--shard", "1/2"]),
    );
    let b = scan(
        &fleet,
        &with_policy(&["--format", "json", "--shard", "1/2"]),
    );
    assert_eq!(a.json(), b.json());
}

#[test]
fn wrong_usage_is_an_input_error() {
    let fleet = Fixture::fleet();
    for args in [
        vec!["fleet", "--shard", "3/2"],
        vec!["fleet", "--shard", "0/2"],
        vec!["fleet", "--jobs", "0"],
        vec!["fleet", "--format", "sarif"],
        vec!["no-such-dir"],
        vec!["merge", "fleet/etcd-policy.toml"],
        vec!["--manifest-path", "fleet/orders/Cargo.toml"],
        vec!["--metadata-path", "metadata.json"],
        vec!["fleet", "--lockfile", "fleet/orders/Cargo.lock"],
    ] {
        let run = scan(&fleet, &args);
        run.expect_code(2);
        assert!(run.stdout().is_empty(), "{args:?}");
    }
    let run = fleet.run_in(
        &fleet.root.join("orders"),
        &["check", "--lockfile", "--format", "csv"],
        None,
    );
    run.expect_code(2);
    // `check` offers only its own formats.
    assert!(
        run.stderr().contains("invalid value 'csv'"),
        "{}",
        run.stderr()
    );
    let run = fleet.run_in(
        &fleet.root.join("orders"),
        &["--format", "csv", "--lockfile"],
        None,
    );
    run.expect_code(2);
    assert!(
        run.stderr().contains("formats of `scan`"),
        "{}",
        run.stderr()
    );
}

/// On a terminal, a progress line goes to stderr (and is cleared); the report is unchanged.
#[test]
fn progress_shows_on_a_terminal_only() {
    let fleet = Fixture::fleet();
    let bin = env!("CARGO_BIN_EXE_cargo-etcd-deps");
    // `script` gives the tool a pseudo-terminal on stderr; stdout goes to a file.
    let out = fleet.tmp.path().join("report.txt");
    let err = fleet.tmp.path().join("progress.txt");
    let status = std::process::Command::new("script")
        .args(["-qec"])
        .arg(format!(
            "{bin} scan fleet --jobs 1 >{} 2>/dev/tty",
            out.display()
        ))
        .arg(&err)
        .current_dir(fleet.tmp.path())
        .env("CARGO_HOME", &fleet.cargo_home)
        .stdin(std::process::Stdio::null())
        .status()
        .expect("script (util-linux) runs");
    assert_eq!(status.code(), Some(2));
    let progress = std::fs::read_to_string(&err).expect("typescript");
    assert!(progress.contains("scanned 4/4 workspaces"), "{progress:?}");
    let report = std::fs::read_to_string(&out).expect("report");
    assert!(!report.contains("scanned"), "{report}");
    assert!(report.contains("summary: 4 workspaces"), "{report}");
    // Not a terminal: nothing on stderr.
    let run = scan(&fleet, &["fleet"]);
    run.expect_code(2);
    assert!(run.stderr().is_empty(), "{}", run.stderr());
}

/// A workspace whose configuration is wrong is listed with the file and line; a Cargo.lock
/// named on the command line is its workspace.
#[test]
fn a_bad_configuration_is_listed_with_its_line_and_the_scan_goes_on() {
    let fleet = Fixture::fleet();
    std::fs::write(
        fleet.root.join("orders/etcd-deps.toml"),
        "# services\nwacth = [\"tonic\"]\n",
    )
    .expect("write config");
    let run = scan(
        &fleet,
        &[
            "fleet/orders",
            "fleet/billing/Cargo.lock",
            "--format",
            "json",
        ],
    );
    run.expect_code(2);
    let doc = run.json();
    assert_eq!(row_paths(&doc), ["fleet/billing", "fleet/orders"]);
    assert!(doc["workspaces"][0]["error"].is_null());
    assert_eq!(
        doc["workspaces"][1]["error"],
        "fleet/orders/etcd-deps.toml:2: unknown configuration key `wacth`"
    );
}

/// The policy column and fields speak of one rule at a time: the worst rule's status with
/// that rule's own deadline, never one rule's level beside another's deadline; the JSON
/// lists every rule with its status, level and deadline.
#[test]
fn each_policy_rule_keeps_its_own_status_and_deadline() {
    let fleet = Fixture::fleet();
    // orders' own rules: tonic, undated (an error now, no deadline), and prost, kept; the
    // shared rule on etcd-client is a warning with 168 days left.
    std::fs::write(
        fleet.root.join("orders/etcd-deps.toml"),
        "policy = [\n  { crate = \"tonic\", versions = \">=0.12\", reason = \"http 1\" },\n  \
         { crate = \"prost\", versions = \">=0.12\", deny-from = \"2027-01-01\", reason = \
         \"prost 0.12\" },\n]\n",
    )
    .expect("write config");
    let run = scan(&fleet, &with_policy(&["--format", "json"]));
    run.expect_code(2);
    let doc = run.json();
    let orders = doc["workspaces"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["path"] == "fleet/orders")
        .expect("orders");
    let p = &orders["policy"];
    assert_eq!(p["status"], "error", "{p:#}");
    assert_eq!(p["deny_from"], serde_json::Value::Null, "{p:#}");
    assert_eq!(p["days_left"], serde_json::Value::Null, "{p:#}");
    assert_eq!(p["rule"], "etcd-deps.toml:2", "{p:#}");
    assert_eq!(
        p["outside"],
        serde_json::json!(["etcd-client@0.12.4", "tonic@0.10.2"])
    );
    let rules: Vec<(&str, &str, &str, &serde_json::Value, &serde_json::Value)> = p["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| {
            (
                r["crate"].as_str().expect("crate"),
                r["status"].as_str().expect("status"),
                r["level"].as_str().expect("level"),
                &r["deny_from"],
                &r["days_left"],
            )
        })
        .collect();
    assert_eq!(
        rules,
        [
            ("tonic", "error", "error", &json!(null), &json!(null)),
            ("prost", "ok", "warning", &json!("2027-01-01"), &json!(17)),
            (
                "etcd-client",
                "warning",
                "warning",
                &json!("2027-06-01"),
                &json!(168)
            ),
        ],
        "{p:#}"
    );
    // Every format shows the worst rule with its own deadline: no days left for an undated
    // rule.
    let human = scan(&fleet, &with_policy(&[]));
    human.expect_code(2);
    let row = human
        .stdout()
        .lines()
        .find(|l| l.starts_with("fleet/orders"))
        .expect("orders row")
        .to_owned();
    assert!(row.contains(" error "), "{row}");
    assert!(!row.contains("days left"), "{row}");
    let csv = scan(&fleet, &with_policy(&["--format", "csv"]));
    let csv = csv.stdout();
    let row = csv
        .lines()
        .find(|l| l.starts_with("fleet/orders"))
        .expect("orders row");
    assert!(row.ends_with(",error,,,Cargo.toml:9 etcd-client"), "{row}");
    let html = scan(&fleet, &with_policy(&["--format", "html"])).stdout();
    assert!(
        html.contains(
            "<td class=\"error\">error</td><td>-</td><td data-sort=\"2147483647\">-</td>"
        ),
        "{html}"
    );
}

/// A workspace's own level does not make the shared policy look kept.
#[test]
fn a_local_level_does_not_silence_the_shared_policy_in_a_scan() {
    let fleet = Fixture::fleet();
    std::fs::write(
        fleet.root.join("orders/etcd-deps.toml"),
        "levels = { outside-policy = \"allow\" }\n",
    )
    .expect("write config");
    let run = scan(
        &fleet,
        &with_policy(&["fleet/orders", "--format", "json"])[1..],
    );
    run.expect_code(0);
    let p = &run.json()["workspaces"][0]["policy"];
    assert_eq!(p["status"], "warning", "{p:#}");
    assert_eq!(p["days_left"], 168, "{p:#}");
}

/// A `--policy` file that cannot be read is one usage error before anything is scanned, not
/// an unreadable row per workspace.
#[test]
fn a_missing_policy_file_is_one_usage_error() {
    let fleet = Fixture::fleet();
    for format in ["human", "json"] {
        let run = scan(
            &fleet,
            &[
                "fleet",
                "--policy",
                "fleet/no-such-policy.toml",
                "--format",
                format,
            ],
        );
        run.expect_code(2);
        assert!(run.stdout().is_empty(), "{}", run.stdout());
        let err = run.stderr();
        assert_eq!(err.matches("fleet/no-such-policy.toml").count(), 1, "{err}");
    }
    // A policy file that is not valid is named once, at its line.
    std::fs::write(fleet.root.join("bad-policy.toml"), "policy = 3\n").expect("write");
    let run = scan(&fleet, &["fleet", "--policy", "fleet/bad-policy.toml"]);
    run.expect_code(2);
    assert!(run.stdout().is_empty(), "{}", run.stdout());
    assert!(
        run.stderr().contains("`policy` must be an array of tables"),
        "{}",
        run.stderr()
    );
    // So is a SOURCE_DATE_EPOCH that is not a number of seconds.
    let run = common::run_tool_with_env(
        fleet.tmp.path(),
        &fleet.cargo_home,
        &["scan", "fleet", "--policy", "fleet/etcd-policy.toml"],
        &[("SOURCE_DATE_EPOCH", "yesterday")],
    );
    run.expect_code(2);
    assert!(run.stdout().is_empty(), "{}", run.stdout());
    assert_eq!(
        run.stderr().matches("SOURCE_DATE_EPOCH").count(),
        1,
        "{}",
        run.stderr()
    );
}

/// Writes the fleet's shards `1/n` … `n/n` (with the policy and `extra`) and returns their
/// file names, relative to the fleet's parent.
fn write_shards(fleet: &Fixture, n: usize, extra: &[&str]) -> Vec<String> {
    (1..=n)
        .map(|i| {
            let shard = format!("{i}/{n}");
            let file = format!("shard-{i}.json");
            let mut a = with_policy(&["--format", "json", "--shard", &shard, "--output", &file]);
            a.extend_from_slice(extra);
            let run = scan(fleet, &a);
            assert!(run.stdout().is_empty(), "{}", run.stdout());
            file
        })
        .collect()
}

/// Rewrites a JSON file in place.
fn edit_json(fleet: &Fixture, file: &str, edit: impl FnOnce(&mut serde_json::Value)) {
    let path = fleet.tmp.path().join(file);
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    edit(&mut doc);
    std::fs::write(&path, doc.to_string()).expect("write");
}

/// `scan merge FILE…` with `extra` arguments.
fn merge(fleet: &Fixture, files: &[&str], extra: &[&str]) -> Run {
    let mut a = vec!["merge"];
    a.extend_from_slice(files);
    a.extend_from_slice(extra);
    scan(fleet, &a)
}

/// Exit 2, nothing on stdout, and each of `needles` in the message.
fn refused(run: &Run, needles: &[&str]) {
    run.expect_code(2);
    assert!(run.stdout().is_empty(), "{}", run.stdout());
    for n in needles {
        assert!(
            run.stderr().contains(n),
            "missing `{n}` in:\n{}",
            run.stderr()
        );
    }
}

#[test]
fn merge_reads_its_own_documents_back() {
    let fleet = Fixture::fleet();
    let files = write_shards(&fleet, 2, &[]);
    let one = scan(&fleet, &with_policy(&["--format", "json"]));
    one.expect_code(2);
    // The document says what the rows were judged with.
    let doc = one.json();
    assert_eq!(doc["run"]["tool_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(doc["run"]["today"], TODAY);
    assert_eq!(doc["run"]["policy"]["file"], "fleet/etcd-policy.toml");
    assert_eq!(
        doc["run"]["policy"]["digest"].as_str().map(str::len),
        Some(16)
    );
    let merged = merge(
        &fleet,
        &[&files[0], &files[1]],
        &["--format", "json", "--output", "merged.json"],
    );
    merged.expect_code(2);
    // A merged document merges again: the same document.
    let again = merge(&fleet, &["merged.json"], &["--format", "json"]);
    again.expect_code(2);
    assert_eq!(again.json(), one.json());
    // So does a whole scan's.
    std::fs::write(fleet.tmp.path().join("one.json"), one.stdout()).expect("write");
    let own = merge(&fleet, &["one.json"], &["--format", "json"]);
    own.expect_code(2);
    assert_eq!(own.json(), one.json());
}

#[test]
fn one_workspace_spelled_several_ways_is_one_row() {
    let fleet = Fixture::fleet();
    let run = scan(
        &fleet,
        &[
            "fleet/orders",
            "./fleet/orders",
            "fleet/orders/",
            "fleet//orders",
            "--format",
            "json",
        ],
    );
    run.expect_code(0);
    assert_eq!(row_paths(&run.json()), ["fleet/orders"]);
    std::fs::write(
        fleet.tmp.path().join("list.txt"),
        "fleet/billing\n./fleet/billing/\nfleet/./billing/Cargo.lock\n",
    )
    .expect("write list");
    let run = scan(&fleet, &["--from", "list.txt", "--format", "json"]);
    run.expect_code(0);
    assert_eq!(row_paths(&run.json()), ["fleet/billing"]);
    // The tool's own document merges.
    std::fs::write(fleet.tmp.path().join("billing.json"), run.stdout()).expect("write");
    merge(&fleet, &["billing.json"], &[]).expect_code(0);
}

#[test]
fn merge_compares_workspaces_by_one_spelling() {
    let fleet = Fixture::fleet();
    let files = write_shards(&fleet, 2, &[]);
    let (a, b) = (files[0].as_str(), files[1].as_str());
    // Another spelling of a row of the other shard overlaps it.
    let other = serde_json::from_str::<serde_json::Value>(
        &std::fs::read_to_string(fleet.tmp.path().join(b)).expect("read"),
    )
    .expect("json")["workspaces"][0]["path"]
        .as_str()
        .expect("path")
        .to_owned();
    edit_json(&fleet, a, |doc| {
        let mut row = doc["workspaces"][0].clone();
        row["path"] = format!("./{other}/").into();
        doc["workspaces"].as_array_mut().expect("rows").push(row);
    });
    refused(
        &merge(&fleet, &[a, b], &[]),
        &[
            "overlap",
            &format!("the workspace {other} is in shard-1.json and shard-2.json"),
            &format!("`./{other}/`"),
        ],
    );
    // Twice in one shard, under two spellings: refused too (the rows could disagree).
    edit_json(&fleet, b, |doc| {
        let mut row = doc["workspaces"][0].clone();
        row["path"] = format!("{}//", row["path"].as_str().expect("path")).into();
        doc["workspaces"].as_array_mut().expect("rows").push(row);
    });
    refused(
        &merge(&fleet, &[b], &[]),
        &[&format!("shard-2.json names the workspace {other} twice")],
    );
    // A row spelled another way alone merges, in its one spelling.
    edit_json(&fleet, b, |doc| {
        doc["workspaces"].as_array_mut().expect("rows").pop();
        doc["workspaces"][0]["path"] = format!("./{other}").into();
    });
    let run = merge(&fleet, &[b], &["--format", "json"]);
    run.expect_code(2);
    assert!(row_paths(&run.json()).contains(&other.as_str()));
}

#[test]
fn merge_refuses_values_the_tool_does_not_write() {
    let fleet = Fixture::fleet();
    let files = write_shards(&fleet, 1, &[]);
    let file = files[0].as_str();
    let original = std::fs::read_to_string(fleet.tmp.path().join(file)).expect("read");
    let orders = |doc: &mut serde_json::Value| -> usize {
        doc["workspaces"]
            .as_array()
            .expect("rows")
            .iter()
            .position(|r| r["path"] == "fleet/orders")
            .expect("orders")
    };
    type Edit = Box<dyn Fn(&mut serde_json::Value, usize)>;
    let cases: Vec<(Edit, Vec<&str>)> = vec![
        (
            Box::new(|d, i| {
                d["workspaces"][i]["policy"]["status"] = "warning\" onmouseover=\"alert(1)".into();
            }),
            vec![
                "(fleet/orders): policy.status is",
                "not one of error, warning, note, allowed, ok",
            ],
        ),
        (
            Box::new(|d, i| d["workspaces"][i]["findings"][0]["level"] = "fatal".into()),
            vec!["findings[0].level is \"fatal\""],
        ),
        (
            Box::new(|d, i| d["workspaces"][i]["findings"][0]["code"] = "<b>".into()),
            vec!["findings[0].code is \"<b>\""],
        ),
        (
            Box::new(|d, i| d["workspaces"][i]["lines"]["tonic"][0] = "<img>".into()),
            vec!["lines.tonic holds \"<img>\", not a version"],
        ),
        (
            Box::new(|d, i| d["workspaces"][i]["policy"]["deny_from"] = "soon".into()),
            vec!["policy.deny_from is \"soon\""],
        ),
        (
            Box::new(|d, i| d["workspaces"][i]["summary"]["errors"] = "many".into()),
            vec!["not a `scan --format json` document", "invalid type"],
        ),
        (
            Box::new(|d, i| {
                d["workspaces"][i]
                    .as_object_mut()
                    .expect("row")
                    .remove("path");
            }),
            vec![
                "not a `scan --format json` document",
                "missing field `path`",
            ],
        ),
        (
            Box::new(|d, _| {
                d.as_object_mut().expect("doc").remove("run");
            }),
            vec!["missing field `run`"],
        ),
        (
            Box::new(|d, _| d["schema_version"] = 7.into()),
            vec!["schema_version 7"],
        ),
    ];
    for (edit, needles) in cases {
        std::fs::write(fleet.tmp.path().join(file), &original).expect("restore");
        edit_json(&fleet, file, |d| {
            let i = orders(d);
            edit(d, i);
        });
        let mut all = vec![file];
        all.extend(needles);
        for format in ["html", "json"] {
            refused(&merge(&fleet, &[file], &["--format", format]), &all);
        }
    }
}

#[test]
fn merge_refuses_shards_judged_differently() {
    let fleet = Fixture::fleet();
    let files = write_shards(&fleet, 2, &[]);
    let (a, b) = (files[0].as_str(), files[1].as_str());
    // Another day: the second shard scanned again with a later --today.
    let run = scan(
        &fleet,
        &[
            "fleet",
            "--policy",
            "fleet/etcd-policy.toml",
            "--today",
            "2027-01-02",
            "--shard",
            "2/2",
            "--format",
            "json",
            "--output",
            "later.json",
        ],
    );
    assert!(run.stdout().is_empty());
    refused(
        &merge(&fleet, &[a, "later.json"], &[]),
        &[
            "the day policies were judged on",
            TODAY,
            "2027-01-02",
            a,
            "later.json",
        ],
    );
    // Another policy file.
    let policy = fleet.root.join("etcd-policy.toml");
    let text = std::fs::read_to_string(&policy).expect("policy");
    std::fs::write(&policy, format!("{text}\n# changed\n")).expect("write");
    let run = scan(
        &fleet,
        &with_policy(&[
            "--shard",
            "2/2",
            "--format",
            "json",
            "--output",
            "changed.json",
        ]),
    );
    assert!(run.stdout().is_empty());
    refused(
        &merge(&fleet, &[a, "changed.json"], &[]),
        &[
            "the shared policy",
            "--policy fleet/etcd-policy.toml (digest",
        ],
    );
    // Another version of the tool.
    edit_json(&fleet, b, |d| d["run"]["tool_version"] = "0.0.1".into());
    refused(
        &merge(&fleet, &[a, b], &[]),
        &[
            "the tool version",
            &format!("cargo-etcd-deps {}", env!("CARGO_PKG_VERSION")),
            "cargo-etcd-deps 0.0.1",
        ],
    );
}

/// A directory deeper than the system's path limit cannot be listed, even by root: it is a
/// row with its path and the error, never skipped, and the scan exits 2 after reporting the
/// other workspaces.
#[test]
fn a_directory_that_cannot_be_listed_is_a_row_and_fails_the_scan() {
    let fleet = Fixture::fleet();
    // Built bottom up by renames, so no call is given a path over the limit.
    let segment = "d".repeat(200);
    let chain = fleet.tmp.path().join("chain");
    std::fs::create_dir(&chain).expect("dir");
    for _ in 0..25 {
        let next = fleet.tmp.path().join("next");
        std::fs::create_dir(&next).expect("dir");
        std::fs::rename(&chain, next.join(&segment)).expect("rename");
        std::fs::rename(&next, &chain).expect("rename");
    }
    std::fs::rename(&chain, fleet.root.join("deep")).expect("rename");
    let run = scan(&fleet, &["fleet", "--format", "json"]);
    run.expect_code(2);
    let doc = run.json();
    let rows = doc["workspaces"].as_array().expect("rows");
    let deep: Vec<&serde_json::Value> = rows
        .iter()
        .filter(|r| {
            r["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("fleet/deep/"))
        })
        .collect();
    assert_eq!(deep.len(), 1, "{doc:#}");
    let error = deep[0]["error"].as_str().expect("an error");
    assert!(error.starts_with("could not read fleet/deep/"), "{error}");
    assert!(error.contains("os error 36"), "{error}");
    assert!(row_paths(&doc).contains(&"fleet/billing"), "{doc:#}");
    let human = scan(&fleet, &["fleet"]);
    human.expect_code(2);
    assert!(
        human
            .stdout()
            .contains("5 workspaces, 1 failing the gate, 2 unreadable"),
        "{}",
        human.stdout()
    );
}

/// A Cargo.lock that is a FIFO, a directory or a dangling link is a row saying so: never
/// skipped, and never opened (a FIFO would block the scan).
#[test]
fn a_cargo_lock_that_is_not_a_regular_file_is_a_row() {
    let fleet = Fixture::fleet();
    let dir = |name: &str| {
        let d = fleet.root.join(name);
        std::fs::create_dir(&d).expect("dir");
        d
    };
    let fifo = dir("fifo").join("Cargo.lock");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    std::os::unix::fs::symlink("missing.lock", dir("dangling").join("Cargo.lock")).expect("link");
    std::fs::create_dir(dir("directory").join("Cargo.lock")).expect("dir");
    let run = scan(&fleet, &["fleet", "--format", "json"]);
    run.expect_code(2);
    let doc = run.json();
    let error_of = |path: &str| {
        doc["workspaces"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["path"] == path)
            .unwrap_or_else(|| panic!("no row {path} in {doc:#}"))["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{path} has no error"))
            .to_owned()
    };
    assert_eq!(
        error_of("fleet/fifo"),
        "fleet/fifo/Cargo.lock: is a FIFO, socket or device, not a regular file"
    );
    assert_eq!(
        error_of("fleet/directory"),
        "fleet/directory/Cargo.lock: is a directory, not a regular file"
    );
    assert!(
        error_of("fleet/dangling").starts_with(
            "fleet/dangling/Cargo.lock: is a symbolic link whose target cannot be read"
        ),
        "{}",
        error_of("fleet/dangling")
    );
    // Named on the command line, or listed, the same.
    std::fs::write(fleet.tmp.path().join("list.txt"), "fleet/fifo/Cargo.lock\n").expect("list");
    for args in [&["fleet/fifo/Cargo.lock"][..], &["--from", "list.txt"]] {
        let run = scan(&fleet, args);
        run.expect_code(2);
        assert!(
            run.stdout()
                .contains("fleet/fifo  unreadable  error: fleet/fifo/Cargo.lock: is a FIFO"),
            "{args:?}: {}",
            run.stdout()
        );
    }
}

/// A scan that finds nothing fails: an empty directory, an empty list, or one PATH among
/// others with no workspace under it, is an input error naming it.
#[test]
fn an_empty_fleet_is_an_input_error() {
    let fleet = Fixture::fleet();
    let empty = fleet.tmp.path().join("empty");
    std::fs::create_dir_all(empty.join("src")).expect("dir");
    std::fs::write(fleet.tmp.path().join("list.txt"), "# nothing yet\n").expect("list");
    for (args, message) in [
        (&["empty"][..], "no Cargo.lock found under empty"),
        (&["fleet", "empty"], "no Cargo.lock found under empty"),
        (&["--from", "list.txt"], "list.txt lists no workspace"),
    ] {
        let run = scan(&fleet, args);
        run.expect_code(2);
        assert!(run.stdout().is_empty(), "{args:?}: {}", run.stdout());
        assert!(run.stderr().contains(message), "{args:?}: {}", run.stderr());
    }
    let run = fleet.run_in(&empty, &["scan"], None);
    run.expect_code(2);
    assert!(
        run.stderr().contains("no Cargo.lock found under ."),
        "{}",
        run.stderr()
    );
}

/// A nested Cargo.lock is a leftover only in a member of the enclosing workspace, by the
/// workspace's `members`: a package that merely shares a member's name is a workspace of its
/// own.
#[test]
fn a_nested_package_named_like_a_member_but_outside_the_members_is_a_workspace() {
    let fleet = Fixture::fleet();
    let tools = fleet.root.join("inventory/tools");
    std::fs::create_dir(&tools).expect("dir");
    let lock = std::fs::read_to_string(fleet.root.join("orders/Cargo.lock")).expect("lock");
    std::fs::write(tools.join("Cargo.lock"), lock).expect("lock");
    std::fs::write(
        tools.join("Cargo.toml"),
        "[package]\nname = \"server\"\nversion = \"0.1.0\"\n",
    )
    .expect("manifest");
    let run = scan(&fleet, &["fleet/inventory", "--format", "json"]);
    run.expect_code(2);
    assert_eq!(
        row_paths(&run.json()),
        ["fleet/inventory", "fleet/inventory/tools"]
    );
}

/// The list `--from` reads and the shard documents `merge` reads are held to the input limit.
#[test]
fn scan_inputs_are_read_with_the_input_limit() {
    let fleet = Fixture::fleet();
    let list = format!("{}fleet/billing\n", "# padding\n".repeat(20));
    std::fs::write(fleet.tmp.path().join("list.txt"), list).expect("list");
    let shard = scan(
        &fleet,
        &[
            "fleet/billing",
            "--format",
            "json",
            "--output",
            "shard.json",
        ],
    );
    shard.expect_code(0);
    for args in [
        &["scan", "--from", "list.txt"][..],
        &["scan", "merge", "shard.json"],
    ] {
        let run = common::run_tool_with_env(
            fleet.tmp.path(),
            &fleet.cargo_home,
            args,
            &[("CARGO_ETCD_DEPS_MAX_INPUT", "100")],
        );
        run.expect_code(2);
        assert!(run.stdout().is_empty(), "{args:?}");
        assert!(
            run.stderr()
                .contains("larger than the input limit of 100 bytes"),
            "{args:?}: {}",
            run.stderr()
        );
    }
}
