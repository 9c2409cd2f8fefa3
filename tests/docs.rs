//! The documentation is a test: every command README.md and docs/ci.md show runs exactly as
//! written, in order, with the exit code the doc gives it and, where the doc shows the output,
//! that output.
//!
//! How a doc is read:
//! - every line of a ```sh block is a command (blank lines and `#` comment lines aside); a
//!   trailing `# exits N` comment gives its exit code, else it must exit 0;
//! - every `run:` step of a ```yaml block is a command the same way;
//! - a ```text block right after a ```sh block (nothing but blank lines between) is the
//!   standard output of that block's commands; a line `…` stands for any number of lines.
//!
//! Each doc runs in one bash session, so `cd` and variables carry from block to block, with
//! HOME and TMPDIR in a scratch directory and the tool under test first on PATH. README.md
//! runs from the repository root (it reads `testdata/` and must leave it unchanged; what it
//! writes goes to `mktemp -d` and HOME); docs/ci.md runs in a git repository holding a copy of
//! an example workspace. The commands in `SKIPPED` are shown but not run here, each for the
//! reason given; `cargo install --locked --path .` runs in `install_as_documented` (a release
//! build, run by .ci/run).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Commands the docs show that this test does not run, with the reason. Every entry must
/// still be in a doc.
const SKIPPED: &[(&str, &str)] = &[
    (
        "cargo install --locked --git <URL where you host cargo-etcd-deps>",
        "needs the network and a hosted copy of the repository",
    ),
    (
        "cargo install --locked --path .",
        "a release build: `install_as_documented` runs it (.ci/run runs that test)",
    ),
    (
        "cargo test --locked",
        "the command that runs this test; .ci/run runs it",
    ),
    (
        "bash benches/run.sh",
        "release builds and minutes of measurement on 100k-package graphs",
    ),
    (
        "bash fuzz/run.sh 60",
        "fuzzes for minutes by design; .ci/run compiles the fuzz targets",
    ),
];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One command of a doc.
#[derive(Debug)]
struct Cmd {
    line: usize,
    text: String,
    exit: i32,
    /// A workflow step with `continue-on-error: true`: any exit code of the gate (0, 1, 2)
    /// is what the doc promises, never 3 or a crash.
    may_fail: bool,
}

/// The commands of one fenced block, and the output the doc shows for them.
#[derive(Debug, Default)]
struct Block {
    cmds: Vec<Cmd>,
    output: Option<String>,
}

/// `# exits N` at the end of a command.
fn exit_of(line: &str) -> i32 {
    line.rsplit_once("# exits ")
        .and_then(|(_, rest)| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn blocks(doc: &str) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut lines = doc.lines().enumerate().peekable();
    let mut after_sh = false;
    while let Some((_, line)) = lines.next() {
        let Some(lang) = line.trim_start().strip_prefix("```") else {
            if !line.trim().is_empty() {
                after_sh = false;
            }
            continue;
        };
        let lang = lang.trim().to_owned();
        let mut body = Vec::new();
        for (n, l) in lines.by_ref() {
            if l.trim_start().starts_with("```") {
                break;
            }
            body.push((n + 1, l.trim().to_owned()));
        }
        let mut block = Block::default();
        match lang.as_str() {
            "sh" => {
                for (n, l) in &body {
                    if !l.is_empty() && !l.starts_with('#') {
                        block.cmds.push(Cmd {
                            line: *n,
                            text: l.clone(),
                            exit: exit_of(l),
                            may_fail: false,
                        });
                    }
                }
            }
            "yaml" => block.cmds = workflow_steps(&body),
            "text" if after_sh => {
                let text: Vec<&str> = body.iter().map(|(_, l)| l.as_str()).collect();
                blocks.last_mut().expect("sh block").output = Some(text.join("\n"));
                after_sh = false;
                continue;
            }
            _ => {}
        }
        after_sh = lang == "sh";
        if !block.cmds.is_empty() || after_sh {
            blocks.push(block);
        }
    }
    blocks
}

/// The `run:` steps of a workflow. A step using `${{ matrix.shard }}` runs once for every
/// value of the block's `shard: [...]` matrix, as the matrix jobs would.
fn workflow_steps(body: &[(usize, String)]) -> Vec<Cmd> {
    let shards: Vec<String> = body
        .iter()
        .find_map(|(_, l)| l.strip_prefix("shard: ["))
        .map(|list| {
            list.trim_end_matches(']')
                .split(',')
                .map(|v| v.trim().to_owned())
                .collect()
        })
        .unwrap_or_default();
    let mut cmds = Vec::new();
    for (i, (n, l)) in body.iter().enumerate() {
        let Some(cmd) = l.strip_prefix("- ").unwrap_or(l).strip_prefix("run: ") else {
            continue;
        };
        let may_fail = body[i + 1..]
            .iter()
            .take_while(|(_, next)| !next.starts_with("- "))
            .any(|(_, next)| next == "continue-on-error: true");
        let values = if cmd.contains("${{ matrix.shard }}") {
            shards.clone()
        } else {
            vec![String::new()]
        };
        for value in values {
            let text = cmd.replace("${{ matrix.shard }}", &value);
            cmds.push(Cmd {
                line: *n,
                exit: exit_of(&text),
                text,
                may_fail,
            });
        }
    }
    cmds
}

fn skipped(cmd: &str) -> bool {
    let bare = cmd.split(" #").next().unwrap_or(cmd).trim();
    SKIPPED.iter().any(|(s, _)| bare == *s)
}

/// Whether `actual` matches `expected`, where a line `…` in `expected` stands for any lines.
/// Lines compare with their surrounding whitespace trimmed.
fn matches(expected: &[&str], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((&"…", rest)) => (0..=actual.len()).any(|i| matches(rest, &actual[i..])),
        Some((e, rest)) => actual
            .split_first()
            .is_some_and(|(a, tail)| a.trim() == e.trim() && matches(rest, tail)),
    }
}

/// The real homes of cargo and rustup, kept when HOME moves to a scratch directory.
fn toolchain_env() -> Vec<(String, PathBuf)> {
    let home = PathBuf::from(std::env::var_os("HOME").expect("HOME"));
    ["CARGO_HOME", "RUSTUP_HOME"]
        .iter()
        .zip([".cargo", ".rustup"])
        .map(|(var, dir)| {
            let value = std::env::var_os(var).map_or_else(|| home.join(dir), PathBuf::from);
            ((*var).to_owned(), value)
        })
        .collect()
}

/// Runs every command of `doc` (relative to the repository) in one bash session started in
/// `dir`, with `bin_dir` first on PATH, and checks exit codes and shown output.
fn run_doc(doc: &str, dir: &Path, bin_dir: &Path, env: &[(&str, &str)]) {
    let text = std::fs::read_to_string(repo().join(doc)).expect("read doc");
    let blocks = blocks(&text);
    let scratch = tempfile::tempdir().expect("temp dir");
    let out = scratch.path().join("out");
    for d in ["out", "home", "tmp"] {
        std::fs::create_dir_all(scratch.path().join(d)).expect("scratch dir");
    }
    let mut script = String::from("cd \"$DOC_DIR\" || exit 99\n");
    let mut ran: BTreeMap<usize, (usize, &Cmd)> = BTreeMap::new();
    for (b, block) in blocks.iter().enumerate() {
        for cmd in block.cmds.iter().filter(|c| !skipped(&c.text)) {
            let n = ran.len();
            script.push_str(&format!(
                "{{ {}\n}} >\"$DOC_OUT/{n}.out\" 2>\"$DOC_OUT/{n}.err\" </dev/null\necho $? >\"$DOC_OUT/{n}.code\"\n",
                cmd.text
            ));
            ran.insert(n, (b, cmd));
        }
    }
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let status = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &script])
        .env("DOC_DIR", dir)
        .env("DOC_OUT", &out)
        .env("HOME", scratch.path().join("home"))
        .env("TMPDIR", scratch.path().join("tmp"))
        .env("PATH", path)
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("NO_COLOR")
        .envs(toolchain_env())
        .envs(env.iter().copied())
        .status()
        .expect("run bash");
    assert!(status.success(), "{doc}: the session stopped early");

    let read = |n: usize, ext: &str| {
        std::fs::read_to_string(out.join(format!("{n}.{ext}"))).unwrap_or_default()
    };
    let mut shown: BTreeMap<usize, String> = BTreeMap::new();
    for (&n, &(b, cmd)) in &ran {
        let code: i32 = read(n, "code").trim().parse().expect("exit code");
        assert!(
            code == cmd.exit || (cmd.may_fail && (0..=2).contains(&code)),
            "{doc}:{}: `{}` exited {code}, the doc says {}\nstdout:\n{}\nstderr:\n{}",
            cmd.line,
            cmd.text,
            cmd.exit,
            read(n, "out"),
            read(n, "err")
        );
        shown.entry(b).or_default().push_str(&read(n, "out"));
    }
    for (b, block) in blocks.iter().enumerate() {
        if let Some(expected) = &block.output {
            let actual = shown.get(&b).map(String::as_str).unwrap_or_default();
            let e: Vec<&str> = expected.lines().collect();
            let a: Vec<&str> = actual.lines().collect();
            assert!(
                matches(&e, &a),
                "{doc}:{}: the output differs from the doc\nthe doc:\n{expected}\nthe command:\n{actual}",
                block.cmds.first().map_or(0, |c| c.line)
            );
        }
    }
}

/// The content of every file under `dir`, to show a run left it alone.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(path.clone(), std::fs::read(&path).expect("read"));
            }
        }
    }
    files
}

fn debug_bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_cargo-etcd-deps"))
        .parent()
        .expect("bin dir")
        .to_owned()
}

fn readme_and_ci_guide(bin_dir: &Path) {
    let workspaces = repo().join("testdata/workspaces");
    let before = snapshot(&workspaces);
    run_doc("README.md", &repo(), bin_dir, &[]);
    assert!(
        before == snapshot(&workspaces),
        "README.md's commands changed files in testdata/workspaces"
    );

    // docs/ci.md: in the user's repository, here a git repository holding an example
    // workspace (beside the stub registry it resolves against).
    let fixture = common::Fixture::new("two-lines");
    // The fleet section scans the services checked out under `services/` with the shared
    // policy beside them: the readable fixture fleet.
    // The services are workspaces of their own, so the repository's workspace excludes their
    // folder, as cargo requires of a package inside a workspace that does not list it.
    let root_manifest = fixture.root.join("Cargo.toml");
    let text = std::fs::read_to_string(&root_manifest).expect("root manifest");
    std::fs::write(
        &root_manifest,
        text.replace("[workspace]\n", "[workspace]\nexclude = [\"services\"]\n"),
    )
    .expect("write root manifest");
    for entry in std::fs::read_dir(common::testdata().join("fleet")).expect("fleet") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("name").to_owned();
        if path.is_dir() && name != "payments" {
            common::copy_dir(&path, &fixture.root.join("services").join(&name));
        } else if name == "etcd-policy.toml" {
            std::fs::copy(&path, fixture.root.join(&name)).expect("policy");
        }
    }
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(&fixture.root)
            .output()
            .expect("git");
        assert!(out.status.success(), "git {args:?}: {out:?}");
    };
    // The reports the CI sections write are build output, ignored as a repository ignores
    // them: `fix --apply`, like `cargo fix`, refuses uncommitted files.
    std::fs::write(
        fixture.root.join(".gitignore"),
        "/etcd-deps.sarif\n/etcd-deps-plan.md\n/shard-*.json\n/fleet.html\n",
    )
    .expect("gitignore");
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&[
        "-c",
        "user.name=ci",
        "-c",
        "user.email=ci@example.com",
        "commit",
        "-qm",
        "workspace",
    ]);
    let cargo_home = fixture.cargo_home.to_str().expect("utf-8");
    run_doc(
        "docs/ci.md",
        &fixture.root,
        bin_dir,
        &[
            ("CARGO_HOME", cargo_home),
            ("GIT_AUTHOR_NAME", "ci"),
            ("GIT_AUTHOR_EMAIL", "ci@example.com"),
            ("GIT_COMMITTER_NAME", "ci"),
            ("GIT_COMMITTER_EMAIL", "ci@example.com"),
            // A fixed day (2026-12-15), so the policy window does not move under the test.
            ("SOURCE_DATE_EPOCH", "1797292800"),
        ],
    );
    // The commands wrote what the guide says they write.
    for file in [
        "etcd-deps.sarif",
        "etcd-deps-plan.md",
        "etcd-deps-baseline.json",
        "shard-1.json",
        "shard-4.json",
        "fleet.html",
    ] {
        assert!(fixture.root.join(file).is_file(), "{file}");
    }
}

#[test]
fn every_command_in_the_readme_and_the_ci_guide_runs_as_written() {
    readme_and_ci_guide(&debug_bin_dir());
}

#[test]
fn skipped_commands_are_still_in_the_docs_and_the_rest_is_run() {
    let mut all = Vec::new();
    for doc in ["README.md", "docs/ci.md"] {
        let text = std::fs::read_to_string(repo().join(doc)).expect("read doc");
        for block in blocks(&text) {
            all.extend(block.cmds.into_iter().map(|c| c.text));
        }
    }
    for (cmd, reason) in SKIPPED {
        assert!(
            all.iter().any(|c| skipped(c) && c.starts_with(cmd)),
            "`{cmd}` ({reason}) is in no doc any more"
        );
    }
    let run = all.iter().filter(|c| !skipped(c)).count();
    assert!(run >= 15, "only {run} commands run: {all:#?}");
}

#[test]
fn output_patterns() {
    assert!(matches(&["a", "…", "d"], &["a", "b", "c", "d"]));
    assert!(matches(&["a", "…"], &["a"]));
    assert!(!matches(&["a", "…", "d"], &["a", "b"]));
    assert!(!matches(&["a"], &["a", "b"]));
    assert_eq!(exit_of("cargo x --y   # exits 1: the gate failed"), 1);
    assert_eq!(exit_of("cargo x"), 0);
}

/// `cargo install --locked --path .` as the README shows it (into a temporary root through
/// CARGO_INSTALL_ROOT), then every other doc command again with the installed binary.
/// A release build: .ci/run runs it with `--ignored`.
#[test]
#[ignore = "a release build; .ci/run runs it"]
fn install_as_documented() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("read");
    let install = blocks(&readme)
        .into_iter()
        .flat_map(|b| b.cmds)
        .find(|c| c.text == "cargo install --locked --path .")
        .expect("the README shows `cargo install --locked --path .`");
    let root = tempfile::tempdir().expect("temp dir");
    let status = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &install.text])
        .current_dir(repo())
        .env("CARGO_INSTALL_ROOT", root.path())
        .status()
        .expect("cargo install");
    assert!(status.success(), "`{}` failed", install.text);
    let bin_dir = root.path().join("bin");
    assert!(bin_dir.join("cargo-etcd-deps").is_file());
    readme_and_ci_guide(&bin_dir);
}
