//! `diagnose` end to end on a workspace that really fails to compile (`build-error`: app
//! passes etcd-client's tonic 0.9 `Status` to rpc's tonic 0.12 function): run for real
//! (`cargo check` offline, with an isolated cargo home) and from a saved log, it prints where
//! rustc points, the versions that met, the path bringing each into app, the finding of
//! `check` and its fix; a log that is not cargo's JSON is an input error naming it.

mod common;

use std::process::Command;

use common::Fixture;

/// What `cargo check --workspace --all-targets --message-format json` prints for the
/// fixture, as a user saves it.
fn saved_log(fixture: &Fixture) -> String {
    let out = Command::new(env!("CARGO"))
        .args([
            "check",
            "--workspace",
            "--all-targets",
            "--message-format",
            "json",
            "--offline",
        ])
        .current_dir(&fixture.root)
        .env("CARGO_HOME", &fixture.cargo_home)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo check");
    assert!(!out.status.success(), "the fixture must fail to compile");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn a_real_build_error_is_traced_to_the_type_boundary_and_its_fix() {
    let fixture = Fixture::new("build-error");
    let run = fixture.run(&["diagnose", "--offline"]);
    run.expect_code(1);
    let out = run.stdout();
    for line in [
        "error[E0308]: mismatched types: expected `tonic::Status`, found a different `tonic::Status`",
        "  --> app/src/lib.rs:4:61",
        "  tonic 0.9.2 and 0.12.3 meet in app:",
        "    tonic 0.9.2: app → etcd-client 0.11.1 (^0.11) → tonic 0.9.2 (^0.9.2)",
        "    tonic 0.12.3: app → rpc 0.1.0 (*) → tonic 0.12.3 (^0.12)",
        "  finding: error[type-boundary]: app uses tonic through etcd-client 0.11.1 (tonic 0.9.2) and rpc 0.1.0 (tonic 0.12.3): their tonic types are different types",
        "  help: values of tonic types cannot pass between etcd-client's tonic 0.9.2 and rpc's tonic 0.12.3 in app's code; move etcd-client to a release built on tonic 0.12",
        "1 build error comes from two versions of a crate meeting; 1 traced to a finding of `cargo etcd-deps check`",
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "missing {line:?} in:\n{out}"
        );
    }
    // The same help check gives for the finding.
    let check = fixture.run(&["check", "--offline", "--format", "json"]);
    check.expect_code(1);
    let tb = common::finding(&check.json(), "type-boundary", "tonic").clone();

    let json = fixture.run(&["diagnose", "--offline", "--format", "json"]);
    json.expect_code(1);
    let report = json.json();
    assert_eq!(
        report["summary"],
        serde_json::json!({"errors": 1, "traced": 1})
    );
    let e = &report["errors"][0];
    assert_eq!(
        (&e["file"], &e["line"], &e["column"], &e["code"]),
        (
            &serde_json::json!("app/src/lib.rs"),
            &serde_json::json!(4),
            &serde_json::json!(61),
            &serde_json::json!("E0308")
        )
    );
    assert_eq!(
        (&e["member"], &e["crate"]),
        (&"app".into(), &"tonic".into())
    );
    assert_eq!(
        e["versions"],
        serde_json::json!([
            {"version": "0.9.2", "source": "registry+https://github.com/rust-lang/crates.io-index",
             "path": ["app@0.1.0", "etcd-client@0.11.1", "tonic@0.9.2"]},
            {"version": "0.12.3", "source": "registry+https://github.com/rust-lang/crates.io-index",
             "path": ["app@0.1.0", "rpc@0.1.0", "tonic@0.12.3"]},
        ])
    );
    assert_eq!(e["finding"]["code"], "type-boundary");
    assert_eq!(e["finding"]["level"], "error");
    assert_eq!(e["finding"]["member"], "app");
    assert_eq!(e["help"], tb["help"]);

    // A saved log gives the same answer, from a file or from stdin.
    let log = saved_log(&fixture);
    let path = fixture.tmp.path().join("build.json");
    std::fs::write(&path, &log).expect("write log");
    let path = path.to_str().expect("utf-8 path");
    let from_file = fixture.run(&["diagnose", "--offline", "--log", path, "--format", "json"]);
    from_file.expect_code(1);
    assert_eq!(from_file.json(), report);
    let from_stdin = fixture.run_in(
        &fixture.root,
        &["diagnose", "--offline", "--log", "-", "--format", "json"],
        Some(&log),
    );
    from_stdin.expect_code(1);
    assert_eq!(from_stdin.json(), report);
}

#[test]
fn a_log_without_such_errors_is_exit_0() {
    let fixture = Fixture::new("build-error");
    let path = fixture.tmp.path().join("clean.json");
    std::fs::write(
        &path,
        "{\"reason\":\"build-script-executed\",\"package_id\":\"x\"}\n{\"reason\":\"build-finished\",\"success\":true}\n",
    )
    .expect("write log");
    let run = fixture.run(&[
        "diagnose",
        "--offline",
        "--log",
        path.to_str().expect("utf-8"),
    ]);
    run.expect_code(0);
    assert_eq!(
        run.stdout(),
        "no build error comes from two versions of a crate meeting\n"
    );
}

#[test]
fn a_log_that_is_not_cargos_json_is_an_input_error_naming_it() {
    let fixture = Fixture::new("build-error");
    let garbage = fixture.tmp.path().join("garbage.log");
    std::fs::write(
        &garbage,
        "error: could not compile `app`\nnot json at all\n",
    )
    .expect("write");
    let shown = garbage.to_str().expect("utf-8");
    // The message names the log; the cause beneath it says why, on the next line.
    for (log, says, why) in [
        (
            shown,
            "is not cargo's JSON output\n",
            "╰─▶ no line is a cargo message",
        ),
        (
            "/nonexistent/build.json",
            "could not read /nonexistent/build.json\n",
            "╰─▶ No such file or directory",
        ),
    ] {
        let run = fixture.run(&["diagnose", "--offline", "--log", log]);
        run.expect_code(2);
        assert!(run.stderr().contains(log), "{}", run.stderr());
        assert!(run.stderr().contains(says), "{}", run.stderr());
        assert!(run.stderr().contains(why), "{}", run.stderr());
        assert_eq!(run.stdout(), "");
    }
    let run = fixture.run(&["diagnose", "--lockfile"]);
    run.expect_code(2);
    assert!(run.stderr().contains("--lockfile"), "{}", run.stderr());
}
