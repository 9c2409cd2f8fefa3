//! The documentation is a test: every command README.md and every page of docs/ show runs
//! exactly as written, in order, with the exit code the doc gives it and, where the doc shows
//! the output, that output.
//!
//! How a doc is read:
//! - every line of a ```sh block is a command (blank lines and `#` comment lines aside); a
//!   trailing `# exits N` comment gives its exit code, else it must exit 0;
//! - every `run:` step of a ```yaml block is a command the same way;
//! - a ```text block right after a ```sh block (nothing but blank lines between) is the
//!   standard output of that block's commands; a line `…` stands for any number of lines.
//!
//! Each doc runs in one bash session of its own, so `cd` and variables carry from block to
//! block, with HOME and TMPDIR in a scratch directory and the binary this test build made first
//! on PATH as `cargo-etcd-deps`, so that `cargo etcd-deps …` reaches it through cargo's
//! external-subcommand lookup and nothing is built again. Where each doc runs is in `DOCS`.
//! The commands in `SKIPPED` are shown but not run here, each for the reason given;
//! `cargo install --locked --path .` runs in `install_as_documented` (a release build, run by
//! .ci/run), which then runs every doc again with the installed binary.
//!
//! Every local link of the docs (a file, and a heading's anchor in it) must resolve, so a moved
//! section cannot leave a link behind.

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

/// Where a doc's commands run.
#[derive(Clone, Copy, Debug)]
enum Setup {
    /// The root of this repository. The doc reads `testdata/` and must leave it unchanged:
    /// what it writes goes to `mktemp -d` (a copy of what it changes) and HOME.
    RepositoryRoot,
    /// The user's repository, as the CI guide assumes: a git repository holding a copy of an
    /// example workspace whose gate fails, with the readable fixture fleet under `services/`
    /// and its shared policy beside it (`ci_repository`).
    CiRepository,
}

/// Every doc and where it runs. Every page in docs/ is listed
/// (`every_page_in_docs_is_listed`).
const DOCS: &[(&str, Setup)] = &[
    ("README.md", Setup::RepositoryRoot),
    ("docs/install.md", Setup::RepositoryRoot),
    ("docs/check.md", Setup::RepositoryRoot),
    ("docs/output-formats.md", Setup::RepositoryRoot),
    ("docs/configuration.md", Setup::RepositoryRoot),
    ("docs/fix.md", Setup::RepositoryRoot),
    ("docs/lockfile-mode.md", Setup::RepositoryRoot),
    ("docs/scan-and-policy.md", Setup::RepositoryRoot),
    ("docs/diagnose.md", Setup::RepositoryRoot),
    ("docs/exit-codes.md", Setup::RepositoryRoot),
    ("docs/writing.md", Setup::RepositoryRoot),
    ("docs/development.md", Setup::RepositoryRoot),
    ("docs/ci.md", Setup::CiRepository),
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

/// A bash session as a doc's reader has one: HOME and TMPDIR under `scratch` (which holds
/// `home` and `tmp`), the real cargo and rustup homes unless `env` names others, `bin_dir`
/// first on PATH, then the cargo home's `bin`. cargo looks for `cargo-etcd-deps` in its home's
/// `bin` before PATH unless PATH already holds that directory, so placing it after `bin_dir`
/// makes `cargo etcd-deps` the binary under test even where another is installed. The test
/// runner's CARGO_TARGET_DIR is not the reader's: a doc that builds a workspace builds it in
/// that workspace.
fn session(bin_dir: &Path, scratch: &Path, env: &[(&str, &str)]) -> Command {
    let mut vars: BTreeMap<String, std::ffi::OsString> = toolchain_env()
        .into_iter()
        .map(|(k, v)| (k, v.into_os_string()))
        .collect();
    vars.extend(env.iter().map(|(k, v)| ((*k).to_owned(), v.into())));
    let cargo_bin = Path::new(&vars["CARGO_HOME"]).join("bin");
    let path = std::env::join_paths([bin_dir.to_owned(), cargo_bin].into_iter().chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("PATH");
    let mut cmd = Command::new("bash");
    cmd.args(["--norc", "--noprofile"])
        .env("HOME", scratch.join("home"))
        .env("TMPDIR", scratch.join("tmp"))
        .env("PATH", path)
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("NO_COLOR")
        .env_remove("CARGO_TARGET_DIR")
        .envs(vars);
    cmd
}

/// Runs every command of `doc` (relative to the repository) in one bash session started in
/// `dir` (see `session`), and checks exit codes and shown output.
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
    let status = session(bin_dir, scratch.path(), env)
        .args(["-c", &script])
        .env("DOC_DIR", dir)
        .env("DOC_OUT", &out)
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

/// The directory of the binary this test build made, `cargo-etcd-deps` in it.
fn test_bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_cargo-etcd-deps"))
        .parent()
        .expect("bin dir")
        .to_owned()
}

/// Runs `doc` in the CI guide's setting (`Setup::CiRepository`).
fn ci_repository(doc: &str, bin_dir: &Path) {
    // The user's repository: here a git repository holding an example workspace (beside the
    // stub registry it resolves against).
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
        doc,
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

/// Runs every doc of `DOCS`, each in its own session and all at once, with `bin_dir` on PATH;
/// the docs run from the repository root leave `testdata/` as it was.
fn every_doc(bin_dir: &Path) {
    let testdata = repo().join("testdata");
    let before = snapshot(&testdata);
    let failed: Vec<&str> = std::thread::scope(|s| {
        let runs: Vec<_> = DOCS
            .iter()
            .map(|&(doc, setup)| {
                let run = s.spawn(move || match setup {
                    Setup::RepositoryRoot => run_doc(doc, &repo(), bin_dir, &[]),
                    Setup::CiRepository => ci_repository(doc, bin_dir),
                });
                (doc, run)
            })
            .collect();
        runs.into_iter()
            .filter_map(|(doc, run)| run.join().is_err().then_some(doc))
            .collect()
    });
    assert!(failed.is_empty(), "{failed:?} failed; each says why above");
    assert!(
        before == snapshot(&testdata),
        "the docs run from the repository root changed files in testdata/"
    );
}

#[test]
fn every_command_in_every_doc_runs_as_written() {
    every_doc(&test_bin_dir());
}

#[test]
fn every_page_in_docs_is_listed() {
    let mut pages: Vec<String> = std::fs::read_dir(repo().join("docs"))
        .expect("docs/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".md"))
        .map(|name| format!("docs/{name}"))
        .collect();
    pages.push("README.md".to_owned());
    pages.sort();
    let mut listed: Vec<String> = DOCS.iter().map(|(doc, _)| (*doc).to_owned()).collect();
    listed.sort();
    assert_eq!(
        pages, listed,
        "DOCS must list README.md and every page in docs/"
    );
}

#[test]
fn cargo_runs_the_binary_under_test_before_one_installed_in_its_home() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let s = scratch.path();
    let script = |dir: &Path, says: &str| {
        std::fs::create_dir_all(dir).expect("dir");
        let file = dir.join("cargo-etcd-deps");
        std::fs::write(&file, format!("#!/bin/sh\necho {says}\n")).expect("script");
        let mut perms = std::fs::metadata(&file).expect("meta").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&file, perms).expect("chmod");
    };
    script(&s.join("under-test"), "under-test");
    script(&s.join("cargo-home/bin"), "installed");
    for d in ["home", "tmp"] {
        std::fs::create_dir_all(s.join(d)).expect("scratch dir");
    }
    let home = s.join("cargo-home");
    let out = session(
        &s.join("under-test"),
        s,
        &[("CARGO_HOME", home.to_str().expect("utf-8"))],
    )
    .args(["-c", "cargo etcd-deps"])
    .output()
    .expect("bash");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "under-test\n");
}

#[test]
fn skipped_commands_are_still_in_the_docs_and_the_rest_is_run() {
    let mut all = Vec::new();
    for (doc, _) in DOCS {
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
    assert!(run >= 25, "only {run} commands run: {all:#?}");
}

/// The anchor GitHub gives a heading: lower case, letters, digits, `-` and `_` kept, spaces
/// to `-`, everything else dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a Markdown file's headings (outside fenced blocks).
fn anchors(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            out.push(slug(line.trim_start_matches('#')));
        }
    }
    out
}

/// The local targets of a Markdown file's links, `(line, target)`.
fn local_links(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        for (i, _) in line.match_indices("](") {
            let target = line[i + 2..].split(')').next().unwrap_or_default();
            if !target.contains("://") && !target.is_empty() {
                out.push((n + 1, target.to_owned()));
            }
        }
    }
    out
}

#[test]
fn every_link_between_the_docs_resolves() {
    assert_eq!(slug("`cargo etcd-deps fix`"), "cargo-etcd-deps-fix");
    assert_eq!(
        slug("Fleet scan in a GitHub Actions matrix"),
        "fleet-scan-in-a-github-actions-matrix"
    );
    let mut checked = 0;
    for doc in DOCS
        .iter()
        .map(|(doc, _)| *doc)
        .chain(["ARCHITECTURE.md", "testdata/README.md"])
    {
        let path = repo().join(doc);
        let text = std::fs::read_to_string(&path).expect("read doc");
        for (line, target) in local_links(&text) {
            let (file, anchor) = target.split_once('#').unwrap_or((&target, ""));
            let linked = if file.is_empty() {
                path.clone()
            } else {
                path.parent().expect("dir").join(file)
            };
            assert!(linked.exists(), "{doc}:{line}: `{target}`: no such file");
            if !anchor.is_empty() {
                let heads = anchors(&std::fs::read_to_string(&linked).expect("read target"));
                assert!(
                    heads.iter().any(|h| h == anchor),
                    "{doc}:{line}: `{target}`: no heading with that anchor in {}",
                    linked.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} links checked");
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
    every_doc(&bin_dir);
}
