//! The command line as a new user meets it: help that lists only what applies, completion
//! scripts driven by the real shells, `-q` that prints one line, report wording.

mod common;

use std::process::Command;

use common::{Fixture, run_tool};

const OK: i32 = 0;
const GATE_FAILED: i32 = 1;

const INPUT: i32 = 2;

fn tool(args: &[&str]) -> common::Run {
    let dir = tempfile::tempdir().expect("temp dir");
    run_tool(dir.path(), dir.path(), args, None)
}

#[test]
fn help_of_explain_and_completions_lists_only_what_applies() {
    for sub in ["explain", "completions"] {
        let help = tool(&[sub, "--help"]);
        help.expect_code(OK);
        let text = help.stdout();
        for absent in [
            "--manifest-path",
            "--offline",
            "--features",
            "--watch",
            "--format",
        ] {
            assert!(
                !text.contains(absent),
                "`{sub} --help` lists {absent}:\n{text}"
            );
        }
        assert!(text.contains("--output"), "{text}");
    }
    // They still run with a workspace option given before the subcommand.
    tool(&["--offline", "explain", "type-boundary"]).expect_code(OK);
    // check and fix keep every common option.
    for sub in ["check", "fix"] {
        let help = tool(&[sub, "--help"]);
        help.expect_code(OK);
        assert!(help.stdout().contains("--manifest-path"), "{sub}");
        assert!(help.stdout().contains("--offline"), "{sub}");
    }
}

fn completion_script(shell: &str, dir: &std::path::Path) -> std::path::PathBuf {
    let run = tool(&["completions", shell]);
    run.expect_code(OK);
    let path = dir.join(format!("completion.{shell}"));
    std::fs::write(&path, run.stdout()).expect("write script");
    path
}

/// Loads the bash script in a bash subprocess and completes each command line (the last word
/// is the one being completed) through the function `complete` registered for its command.
/// `prelude` runs before the script is loaded.
fn bash_complete(script: &std::path::Path, prelude: &str, lines: &[&str]) -> Vec<String> {
    let mut program = format!(
        "{prelude}\nsource '{}'\n{}",
        script.display(),
        r#"complete_line() {
    read -r -a COMP_WORDS <<<"$1"
    [[ "$1" == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}
    local spec fn
    spec=$(complete -p "${COMP_WORDS[0]}") || { echo "no completion for ${COMP_WORDS[0]}"; return; }
    fn=${spec##*-F }; fn=${fn%% *}
    COMPREPLY=()
    "$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    echo "${COMPREPLY[*]}"
}
"#
    );
    for line in lines {
        program.push_str(&format!("complete_line '{line}'\n"));
    }
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .expect("run bash");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_both_cargo_etcd_deps_and_cargo_etcd_deps_subcommand() {
    // `explain <TAB>` offers the options, then every code `explain` lists.
    let list = tool(&["explain"]);
    list.expect_code(OK);
    let codes: Vec<String> = list
        .stdout()
        .lines()
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect();
    assert!(codes.len() >= 6, "{codes:?}");
    let explain_codes = format!("-h --output --help {}", codes.join(" "));
    let dir = tempfile::tempdir().expect("temp dir");
    let script = completion_script("bash", dir.path());
    let got = bash_complete(
        &script,
        "",
        &[
            "cargo-etcd-deps fix --ap",
            "cargo etcd-deps fix --ap",
            "cargo +stable etcd-deps check --base",
            "cargo etcd-deps ch",
            "cargo-etcd-deps check --format ",
            "cargo etcd-deps --off",
            "cargo etcd-deps explain --",
            "cargo etcd",
            "cargo etcd-deps explain ",
            "cargo-etcd-deps explain t",
        ],
    );
    assert_eq!(
        got,
        [
            "--apply",
            "--apply",
            "--baseline",
            "check",
            "human json sarif github markdown",
            "--offline",
            "--output --help",
            "etcd-deps",
            &explain_codes,
            "train-skew type-boundary",
        ]
    );
}

#[test]
fn bash_keeps_cargos_own_completion_for_other_commands() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = completion_script("bash", dir.path());
    // A completion for cargo itself, registered before ours; the script loaded twice.
    let prelude = format!(
        "_cargo() {{ COMPREPLY=(build); }}\ncomplete -F _cargo cargo\nsource '{}'",
        script.display()
    );
    let got = bash_complete(&script, &prelude, &["cargo b", "cargo etcd-deps fix --ap"]);
    assert_eq!(got, ["build", "--apply"]);
}

/// zsh and fish, when installed (CI installs them and sets ETCD_DEPS_REQUIRE_SHELLS=1):
/// the scripts parse, and fish completes `cargo etcd-deps` through ours. Without them, the
/// scripts must still hold what makes both spellings work.
#[test]
fn zsh_and_fish_scripts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let zsh = completion_script("zsh", dir.path());
    let fish = completion_script("fish", dir.path());
    let zsh_text = std::fs::read_to_string(&zsh).expect("read");
    let fish_text = std::fs::read_to_string(&fish).expect("read");
    // cargo's own zsh `_cargo` calls `_cargo-etcd-deps` for `cargo etcd-deps`.
    assert!(
        zsh_text.starts_with("#compdef cargo-etcd-deps\n"),
        "{zsh_text}"
    );
    assert!(zsh_text.contains("_cargo-etcd-deps() {"));
    assert!(fish_text.contains("complete -c cargo -n '__fish_seen_subcommand_from etcd-deps'"));

    let required = std::env::var_os("ETCD_DEPS_REQUIRE_SHELLS").is_some();
    let has = |shell: &str| Command::new(shell).arg("--version").output().is_ok();
    for shell in ["zsh", "fish"] {
        assert!(!required || has(shell), "{shell} is not installed");
    }
    if has("zsh") {
        let out = Command::new("zsh")
            .arg("-n")
            .arg(&zsh)
            .output()
            .expect("zsh");
        assert!(out.status.success(), "{out:?}");
    }
    if has("fish") {
        let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_cargo-etcd-deps"))
            .parent()
            .expect("bin dir");
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = Command::new("fish")
            .args(["--no-config", "-c"])
            .arg(format!(
                "source '{}'; complete -C 'cargo-etcd-deps fix --ap'; complete -C 'cargo etcd-deps fix --ap'; \
                 complete -C 'cargo-etcd-deps explain type'; complete -C 'cargo etcd-deps explain type'",
                fish.display()
            ))
            .env("PATH", path)
            .output()
            .expect("fish");
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8(out.stdout).expect("utf-8");
        let words: Vec<&str> = text.lines().filter_map(|l| l.split('\t').next()).collect();
        assert_eq!(
            words,
            ["--apply", "--apply", "type-boundary", "type-boundary"],
            "{text}"
        );
    }
}

#[test]
fn quiet_prints_only_the_summary_line_in_every_input_mode() {
    let fixture = Fixture::new("two-lines");
    for mode in [&["--offline"][..], &["--lockfile"][..]] {
        let run = fixture.run(&[&["check", "-q"][..], mode].concat());
        run.expect_code(GATE_FAILED);
        let out = run.stdout();
        assert_eq!(out.lines().count(), 1, "{mode:?}:\n{out}");
        assert!(out.starts_with("summary: "), "{out}");
    }
}

#[test]
fn one_recorded_finding_reads_in_the_singular() {
    let fixture = Fixture::new("two-lines");
    std::fs::write(
        fixture.root.join("baseline.json"),
        r#"{"schema_version": 1, "entries": [{"code": "diverging-versions", "crate": "tonic", "lines": ["0.9", "0.12"]}]}"#,
    )
    .expect("write baseline");
    let run = fixture.run(&["check", "--offline", "--baseline", "baseline.json"]);
    run.expect_code(OK);
    assert!(
        run.stdout()
            .contains("baseline baseline.json: 1 recorded finding does not fail the gate"),
        "{}",
        run.stdout()
    );
    let md = fixture.run(&[
        "check",
        "--offline",
        "--baseline",
        "baseline.json",
        "--format",
        "markdown",
    ]);
    md.expect_code(OK);
    assert!(
        md.stdout()
            .contains("**Baseline** `baseline.json`: 1 recorded finding not failing the gate."),
        "{}",
        md.stdout()
    );
}

/// A reader that stops early (`| head -c 10`) cuts the report short, not the verdict: the run
/// exits with the gate's code and says nothing about the closed pipe. The reports are several
/// times the size of a pipe buffer, so the tool is still writing when the reader goes.
#[test]
fn a_closed_pipe_keeps_the_gates_exit_code() {
    use std::io::Read;
    use std::process::Stdio;

    let corpus = common::testdata().join("corpus/vector-2026-05");
    for extra in [&["--format", "json"][..], &["-v"][..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cargo-etcd-deps"))
            .arg("check")
            .arg(format!(
                "--lockfile={}",
                corpus.join("Cargo.lock").display()
            ))
            .arg("--manifest-path")
            .arg(corpus.join("Cargo.toml"))
            .args(extra)
            .env("CARGO_TERM_COLOR", "never")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the tool");
        let mut stdout = child.stdout.take().expect("stdout");
        let mut head = [0u8; 10];
        stdout.read_exact(&mut head).expect("the report starts");
        drop(stdout);
        let out = child.wait_with_output().expect("wait for the tool");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(GATE_FAILED), "{extra:?}: {stderr}");
        assert!(stderr.is_empty(), "{extra:?}: {stderr}");
    }
}

/// `-v` may be repeated, as in cargo: `-vv` prints what `-v` prints.
#[test]
fn verbose_twice_is_verbose() {
    let fixture = Fixture::new("two-lines");
    let once = fixture.run(&["check", "--offline", "-v"]);
    once.expect_code(GATE_FAILED);
    let twice = fixture.run(&["-vv", "check", "--offline"]);
    twice.expect_code(GATE_FAILED);
    assert_eq!(once.stdout(), twice.stdout());
    let normal = fixture.run(&["check", "--offline"]);
    normal.expect_code(GATE_FAILED);
    assert_ne!(once.stdout(), normal.stdout());
    let quiet = fixture.run(&["check", "--offline", "-vv", "-q"]);
    quiet.expect_code(INPUT);
}

/// On a terminal, `-v` diagnostics wrap to its width; into a pipe, lines are never wrapped
/// (`script`, from util-linux, gives the tool a terminal of 100 columns).
#[test]
fn verbose_diagnostics_wrap_to_the_terminal_only() {
    let fixture = Fixture::new("two-lines");
    let tool = env!("CARGO_BIN_EXE_cargo-etcd-deps");
    let widest = |text: &str| text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    let piped = fixture.run(&["check", "--offline", "-v"]);
    piped.expect_code(GATE_FAILED);
    assert!(widest(&piped.stdout()) > 100, "{}", piped.stdout());
    let out = Command::new("script")
        .args([
            "-qec",
            &format!("stty rows 40 cols 100; {tool} check --offline -v"),
            "/dev/null",
        ])
        .current_dir(&fixture.root)
        .env("CARGO_HOME", &fixture.cargo_home)
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .expect("script (util-linux) runs the tool on a terminal");
    // `script -e` exits with the tool's code.
    assert_eq!(out.status.code(), Some(GATE_FAILED));
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    assert!(text.contains("tonic resolves on 2"), "{text}");
    assert!(widest(&text) <= 100, "{text}");
}

/// `--lockfile[=PATH]` takes its PATH after `=` only: a word after a bare `--lockfile` is the
/// subcommand (written before it, it reads the workspace's Cargo.lock, as after it), and a
/// PATH after a space is an error saying how to write it.
#[test]
fn a_subcommand_name_after_lockfile_is_the_subcommand() {
    let fixture = Fixture::new("two-lines");
    let before = fixture.run(&["--lockfile", "check", "-q"]);
    before.expect_code(GATE_FAILED);
    let after = fixture.run(&["check", "--lockfile", "-q"]);
    after.expect_code(GATE_FAILED);
    assert!(
        before.stdout().starts_with("summary: "),
        "{}",
        before.stdout()
    );
    assert_eq!(before.stdout(), after.stdout());
    for args in [["--lockfile", "fix"], ["fix", "--lockfile"]] {
        let run = fixture.run(&args);
        run.expect_code(INPUT);
        assert!(run.stdout().is_empty(), "{args:?}");
        assert!(
            run.stderr().contains("it cannot work from --lockfile"),
            "{args:?}: {}",
            run.stderr()
        );
    }
    fixture.run(&["--lockfile", "help"]).expect_code(OK);
    std::fs::copy(fixture.root.join("Cargo.lock"), fixture.root.join("check")).expect("copy");
    for args in [
        &["--lockfile=check", "-q"][..],
        &["--lockfile=./check", "check", "-q"],
    ] {
        let run = fixture.run(args);
        run.expect_code(GATE_FAILED);
        assert_eq!(run.stdout(), before.stdout(), "{args:?}");
    }
    for args in [
        &["check", "--lockfile", "Cargo.lock"][..],
        &["--lockfile", "Cargo.lock", "check"],
    ] {
        let run = fixture.run(args);
        run.expect_code(INPUT);
        assert!(run.stdout().is_empty(), "{args:?}");
        assert!(
            run.stderr().contains("as in `--lockfile=Cargo.lock`"),
            "{args:?}: {}",
            run.stderr()
        );
    }
}

/// An option of `check` written before another subcommand is refused as it is after it, never
/// silently ignored; before `check` (or no subcommand) it applies, and `scan` takes `--deny`.
#[test]
fn an_option_of_check_before_another_subcommand_is_a_usage_error() {
    let fixture = Fixture::new("two-lines");
    std::fs::write(
        fixture.root.join("b.json"),
        r#"{"schema_version": 1, "entries": []}"#,
    )
    .expect("write baseline");
    let options = [
        ["--write-baseline", "fb.json"],
        ["--graph", "dot"],
        ["--deny", "warnings"],
        ["--baseline", "b.json"],
    ];
    for [flag, value] in options {
        for args in [
            [flag, value, "fix", "--offline"],
            ["fix", "--offline", flag, value],
            [flag, value, "explain", "type-boundary"],
        ] {
            let run = fixture.run(&args);
            run.expect_code(INPUT);
            assert!(run.stdout().is_empty(), "{args:?}");
            assert!(run.stderr().contains(flag), "{args:?}: {}", run.stderr());
        }
    }
    assert!(!fixture.root.join("fb.json").exists());
    let run = fixture.run(&["--graph", "dot", "scan"]);
    run.expect_code(INPUT);
    assert!(run.stderr().contains("--graph"), "{}", run.stderr());
    fixture
        .run(&["--deny", "warnings", "scan"])
        .expect_code(GATE_FAILED);
    fixture
        .run(&["--write-baseline", "fb.json", "check", "--lockfile"])
        .expect_code(OK);
    assert!(fixture.root.join("fb.json").exists());
}

/// Each subcommand's help and completions offer only what it takes: `fix` no other input mode
/// and only the formats it writes, `check` not the formats of `scan`. What is left out still
/// parses where it did, so the refusal says why.
#[test]
fn help_and_completions_of_each_subcommand_offer_only_what_it_takes() {
    let fix = tool(&["fix", "--help"]);
    fix.expect_code(OK);
    let text = fix.stdout();
    for absent in [
        "--lockfile",
        "--metadata-path",
        "sarif",
        "github",
        "csv",
        "html",
    ] {
        assert!(
            !text.contains(absent),
            "`fix --help` lists {absent}:\n{text}"
        );
    }
    for present in ["--manifest-path", "--offline", "markdown", "--quiet"] {
        assert!(
            text.contains(present),
            "`fix --help` lacks {present}:\n{text}"
        );
    }
    let check = tool(&["check", "--help"]);
    check.expect_code(OK);
    let text = check.stdout();
    assert!(!text.contains("csv") && !text.contains("html"), "{text}");
    assert!(
        text.contains("sarif") && text.contains("--lockfile"),
        "{text}"
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let script = completion_script("bash", dir.path());
    let got = bash_complete(
        &script,
        "",
        &[
            "cargo etcd-deps fix --",
            "cargo etcd-deps fix --format ",
            "cargo etcd-deps check --format ",
            "cargo etcd-deps scan --format ",
        ],
    );
    let fix_options: Vec<&str> = got[0].split(' ').collect();
    for absent in ["--lockfile", "--metadata-path", "--deny", "--graph"] {
        assert!(!fix_options.contains(&absent), "{}", got[0]);
    }
    for present in ["--apply", "--manifest-path", "--format", "--offline"] {
        assert!(fix_options.contains(&present), "{}", got[0]);
    }
    assert_eq!(
        got[1..],
        [
            "human json markdown",
            "human json sarif github markdown",
            "human json csv markdown html",
        ]
    );
    let refused = tool(&["fix", "--format", "sarif"]);
    refused.expect_code(INPUT);
    assert!(
        refused.stderr().contains("human, json, markdown"),
        "{}",
        refused.stderr()
    );
}

/// `fix -q` prints only its summary line, whichever side of `fix` it is written on, and
/// exits as without it.
#[test]
fn quiet_fix_prints_only_its_summary_line() {
    let fixture = Fixture::new("two-lines");
    for args in [["fix", "--offline", "-q"], ["-q", "fix", "--offline"]] {
        let run = fixture.run(&args);
        run.expect_code(GATE_FAILED);
        assert_eq!(
            run.stdout(),
            "summary: 1 change pending; rerun with --apply to write it\n",
            "{args:?}"
        );
    }
    let full = fixture.run(&["fix", "--offline"]);
    full.expect_code(GATE_FAILED);
    assert!(
        full.stdout()
            .ends_with("\nsummary: 1 change pending; rerun with --apply to write it\n"),
        "{}",
        full.stdout()
    );
}

#[test]
fn an_error_says_its_cause_once_and_shows_a_cause_its_message_leaves_out() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("missing.json");
    let run = tool(&["check", "--metadata-path", missing.to_str().expect("utf-8")]);
    run.expect_code(INPUT);
    let stderr = run.stderr();
    assert_eq!(
        stderr.matches("No such file or directory").count(),
        1,
        "{stderr}"
    );
    // `SOURCE_DATE_EPOCH` names the value, not why it is not a number: the cause says that.
    let lock = common::testdata().join("corpus/xline-2024-10/Cargo.lock");
    let policy = common::testdata().join("fleet/etcd-policy.toml");
    let run = common::run_tool_with_env(
        dir.path(),
        dir.path(),
        &[
            "check",
            &format!("--lockfile={}", lock.display()),
            "--policy",
            policy.to_str().expect("utf-8"),
        ],
        &[("SOURCE_DATE_EPOCH", "abc")],
    );
    run.expect_code(INPUT);
    assert!(run.stderr().contains("not `abc`"), "{}", run.stderr());
    assert!(run.stderr().contains("invalid digit"), "{}", run.stderr());
}

/// `scan` runs no cargo and reads many workspaces: cargo's options, the other input modes,
/// `-p` (members differ from one workspace to the next) and `--color` (plain tables) are usage
/// errors naming the flag, before or after `scan`, and its help lists only what it honours.
/// `scan merge` takes only what changes how the merged report is printed.
#[test]
fn scan_lists_only_what_it_honours_and_refuses_the_rest() {
    let fleet = Fixture::fleet();
    let refused: [&[&str]; 13] = [
        &["--offline"],
        &["--locked"],
        &["--frozen"],
        &["-F", "tls"],
        &["--features", "tls"],
        &["--all-features"],
        &["--no-default-features"],
        &["--target", "x86_64-unknown-linux-gnu"],
        &["-p", "server"],
        &["--color", "never"],
        &["--manifest-path", "orders/Cargo.toml"],
        &["--metadata-path", "metadata.json"],
        &["--lockfile"],
    ];
    for flag in refused {
        for args in [[&["scan"][..], flag].concat(), [flag, &["scan"]].concat()] {
            let run = fleet.run(&args);
            run.expect_code(INPUT);
            assert!(run.stdout().is_empty(), "{args:?}");
            let stderr = run.stderr();
            assert!(
                stderr.contains(flag[0]) && stderr.contains("is not an option of `scan`"),
                "{args:?}: {stderr}"
            );
        }
    }
    let help = tool(&["scan", "--help"]);
    help.expect_code(OK);
    let text = help.stdout();
    for absent in [
        "--offline",
        "--locked",
        "--frozen",
        "--features",
        "--all-features",
        "--no-default-features",
        "--target",
        "--package",
        "--color",
        "--manifest-path",
        "--metadata-path",
        "--lockfile",
        "sarif",
    ] {
        assert!(
            !text.contains(absent),
            "`scan --help` lists {absent}:\n{text}"
        );
    }
    for present in [
        "--from",
        "--jobs",
        "--shard",
        "--deny",
        "--format",
        "--output",
        "--config",
        "--quiet",
        "--verbose",
        "--edges",
        "--watch",
        "--all-duplicates",
        "--policy",
        "--today",
    ] {
        assert!(
            text.contains(present),
            "`scan --help` lacks {present}:\n{text}"
        );
    }

    let shard = fleet.run(&["scan", "billing", "--format", "json", "--output", "b.json"]);
    shard.expect_code(OK);
    for flag in [
        &["--policy", "etcd-policy.toml"][..],
        &["--today", "2026-01-01"],
        &["-e", "normal"],
    ] {
        let run = fleet.run(&[&["scan", "merge", "b.json"][..], flag].concat());
        run.expect_code(INPUT);
        assert!(
            run.stderr().contains("is not an option of `scan merge`"),
            "{flag:?}: {}",
            run.stderr()
        );
    }
    let merged = fleet.run(&["scan", "merge", "b.json", "--format", "csv", "-q"]);
    merged.expect_code(OK);
    let text = tool(&["scan", "merge", "--help"]).stdout();
    for absent in [
        "--policy", "--today", "--edges", "--watch", "--config", "--color",
    ] {
        assert!(
            !text.contains(absent),
            "`scan merge --help` lists {absent}:\n{text}"
        );
    }
}

/// What `scan` lists it honours: `--config` replaces each workspace's own configuration, `-e`
/// chooses the edges, `--watch` adds a crate.
#[test]
fn scan_honours_the_analysis_options_it_lists() {
    let fleet = Fixture::fleet();
    let errors = |args: &[&str], code: i32| {
        let run = fleet.run(&[&["scan", "inventory", "--format", "json"][..], args].concat());
        run.expect_code(code);
        run.json()["workspaces"][0]["summary"]["errors"].clone()
    };
    assert_eq!(errors(&[], GATE_FAILED), 1);
    std::fs::write(
        fleet.root.join("quiet.toml"),
        "levels = { diverging-versions = \"allow\" }\n",
    )
    .expect("config");
    assert_eq!(errors(&["--config", "quiet.toml"], OK), 0);
    assert_eq!(errors(&["-e", "build"], OK), 0);
    assert_eq!(errors(&["--watch", "hyper"], GATE_FAILED), 2);
}

/// `-q` is one line everywhere: the verdict of `check`, `fix` and `scan` (and `scan merge`).
#[test]
fn quiet_scan_prints_only_the_fleet_verdict() {
    let fleet = Fixture::fleet();
    for args in [&["scan", "-q"][..], &["-q", "scan"]] {
        let run = fleet.run(args);
        run.expect_code(INPUT);
        assert_eq!(
            run.stdout(),
            "summary: 4 workspaces, 1 failing the gate, 1 unreadable\n",
            "{args:?}"
        );
    }
    fleet
        .run(&["scan", "--format", "json", "--output", "all.json"])
        .expect_code(INPUT);
    let merged = fleet.run(&["scan", "merge", "all.json", "-q"]);
    merged.expect_code(INPUT);
    assert_eq!(
        merged.stdout(),
        "summary: 4 workspaces, 1 failing the gate, 1 unreadable\n"
    );
}

/// `fix` prints its whole plan, without colour: `-v` and `--color` are usage errors naming the
/// flag, on either side of `fix`, and its help does not list them.
#[test]
fn fix_refuses_verbose_and_color() {
    let fixture = Fixture::new("two-lines");
    for flag in [&["-v"][..], &["--verbose"], &["--color", "always"]] {
        for args in [
            [&["fix", "--offline"][..], flag].concat(),
            [flag, &["fix", "--offline"]].concat(),
        ] {
            let run = fixture.run(&args);
            run.expect_code(INPUT);
            assert!(run.stdout().is_empty(), "{args:?}");
            assert!(
                run.stderr().contains("is not an option of `fix`"),
                "{args:?}: {}",
                run.stderr()
            );
        }
    }
    let text = tool(&["fix", "--help"]).stdout();
    assert!(
        !text.contains("--verbose") && !text.contains("--color"),
        "{text}"
    );
}
