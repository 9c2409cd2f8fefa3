//! `scan` end to end on the fixture fleet (testdata/fleet: a clean, a diverging, a
//! policy-violating and an unreadable workspace), in every format; discovery, lists, exit
//! codes, shards and merge.

mod common;

use std::path::Path;

use common::{Fixture, Run};

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
    assert_eq!(orders["edit"], "Cargo.toml:9 etcd-client");
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
    assert!(csv.contains(
        "\nfleet/orders,pass,,0.12.4,0.10.2,0.12.6,0.14.32,0,1,0,warning,2027-06-01,168,Cargo.toml:9 etcd-client\n"
    ), "{csv}");
    assert!(
        csv.contains("\nfleet/payments,unreadable,\"fleet/payments/Cargo.lock: not a Cargo.lock")
    );

    let md = scan(&fleet, &with_policy(&["--format", "markdown"]));
    md.expect_code(2);
    let md = md.stdout();
    assert!(
        md.starts_with("## cargo etcd-deps scan: 4 workspaces, 1 failing the gate, 1 unreadable\n")
    );
    assert!(md.contains("| `fleet/orders` | pass | 0.12 | 0.10 | 0.12 | 0.14 | 0 | 1 | warning, 168 days left | Cargo.toml:9 etcd-client |"), "{md}");
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
