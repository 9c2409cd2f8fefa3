//! What the tool writes, and what it must leave alone: the guarantees of docs/writing.md,
//! one test matrix per class. Files are compared byte for byte with the expected `out/`
//! folders of tests/fix; ownership is checked when the tests run as root; interrupts are
//! real signals sent at named stages (the `CARGO_ETCD_DEPS_TEST_PAUSE` hook) or while cargo
//! runs; races are real concurrent processes.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Fixture, Run};

const OK: i32 = 0;
const PENDING: i32 = 1;
const GATE: i32 = 1;
const INPUT: i32 = 2;
const INTERNAL: i32 = 3;

/// Every file and directory under `root` but `.git`: relative path → (bytes or "<dir>", mode, owner,
/// group, whether it is a link).
type Tree = BTreeMap<String, (Vec<u8>, u32, u32, u32, bool)>;

fn tree(root: &Path) -> Tree {
    fn walk(root: &Path, dir: &Path, out: &mut Tree) {
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            let meta = std::fs::symlink_metadata(&path).expect("meta");
            let rel = path
                .strip_prefix(root)
                .expect("under root")
                .to_string_lossy()
                .into_owned();
            let link = meta.file_type().is_symlink();
            let bytes = if link {
                std::fs::read_link(&path)
                    .expect("link")
                    .to_string_lossy()
                    .into_owned()
                    .into_bytes()
            } else if meta.is_dir() {
                walk(root, &path, out);
                b"<dir>".to_vec()
            } else {
                std::fs::read(&path).expect("read")
            };
            out.insert(rel, (bytes, meta.mode(), meta.uid(), meta.gid(), link));
        }
    }
    let mut out = Tree::new();
    walk(root, root, &mut out);
    out
}

/// Asserts two trees are equal, naming only the paths that differ.
#[track_caller]
fn assert_same_tree(actual: &Tree, expected: &Tree, what: &str) {
    let differ: Vec<&String> = actual
        .keys()
        .chain(expected.keys())
        .filter(|k| actual.get(*k) != expected.get(*k))
        .collect();
    assert!(differ.is_empty(), "{what}: these paths differ: {differ:?}");
}

/// Moves two-lines' meta-store manifest to `manifests/meta-store.toml` (inside the root) and
/// leaves a link `to` it in its place (`to` None: the relative link). Returns (link, real).
fn link_meta_store(fixture: &Fixture, to: Option<&Path>) -> (PathBuf, PathBuf) {
    let manifest = fixture.root.join("crates/meta-store/Cargo.toml");
    let real = fixture.root.join("manifests/meta-store.toml");
    std::fs::create_dir_all(real.parent().expect("parent")).expect("mkdir");
    std::fs::rename(&manifest, &real).expect("move");
    let to = to.unwrap_or(Path::new("../../manifests/meta-store.toml"));
    std::os::unix::fs::symlink(to, &manifest).expect("link");
    (manifest, real)
}

/// The bytes of the expected file after `fix --apply` (tests/fix/<scenario>/out/<rel>).
fn expected(scenario: &str, rel: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fix")
        .join(scenario)
        .join("out")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

/// The process's umask, as Linux reports it.
fn umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Umask:"))
        .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        .unwrap_or(0o022)
}

/// The tool, started in `dir`, not waited for.
fn spawn(fixture: &Fixture, args: &[&str], env: &[(&str, &str)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_cargo-etcd-deps"))
        .args(args)
        .current_dir(&fixture.root)
        .env("CARGO_HOME", &fixture.cargo_home)
        .env("CARGO_TERM_COLOR", "never")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the tool")
}

fn wait_for(path: &Path, what: &str) {
    let start = Instant::now();
    while !path.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn kill(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success(), "kill -{signal} {pid}");
}

/// How many times a randomised test repeats: `default`, or the environment variable `var`
/// (the figures in docs/writing.md use larger counts).
fn count(var: &str, default: u32) -> u32 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Scratch files of the tool anywhere under `root` (a `target` the fixture does not have
/// counts: the tool created it; a link the test made does not).
fn scratch(root: &Path) -> Vec<String> {
    tree(root)
        .into_iter()
        .filter(|(k, (.., link))| k.contains(".etcd-deps-") || (k.starts_with("target") && !link))
        .map(|(k, _)| k)
        .collect()
}

mod output {
    //! `--output` onto links, FIFOs and devices.

    use super::*;

    fn report(fixture: &Fixture, output: &Path) -> Run {
        fixture.run(&[
            "check",
            "--offline",
            "--format",
            "json",
            "--output",
            output.to_str().expect("utf-8"),
        ])
    }

    fn plain_report(fixture: &Fixture) -> Vec<u8> {
        let run = fixture.run(&["check", "--offline", "--format", "json"]);
        run.expect_code(GATE);
        run.0.stdout
    }

    #[test]
    fn a_missing_directory_is_an_input_error_naming_the_users_path() {
        let fixture = Fixture::new("two-lines");
        let run = report(&fixture, Path::new("reports/report.json"));
        run.expect_code(INPUT);
        let err = run.stderr();
        assert!(
            err.contains("cannot write reports/report.json: the directory reports does not exist"),
            "{err}"
        );
        assert!(!err.contains(".etcd-deps"), "{err}");
        assert!(!err.contains(".tmp"), "{err}");
        assert!(run.stdout().is_empty());
        assert!(!fixture.root.join("reports").exists());
    }

    #[test]
    fn a_link_is_written_through_and_stays_a_link() {
        let fixture = Fixture::new("two-lines");
        let expected = plain_report(&fixture);
        let dir = fixture.tmp.path().join("reports");
        std::fs::create_dir(&dir).expect("mkdir");
        // An existing target (mode and owner kept), a dangling one, a chain of two links.
        let target = dir.join("report.json");
        std::fs::write(&target, "old").expect("write");
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        if running_as_root() {
            std::os::unix::fs::chown(&target, Some(4242), Some(4343)).expect("chown");
        }
        let cases = [
            ("link.json", "reports/report.json", "reports/report.json"),
            ("dangling.json", "reports/new.json", "reports/new.json"),
            ("chain.json", "link.json", "reports/report.json"),
        ];
        for (link, to, real) in cases {
            let link = fixture.tmp.path().join(link);
            std::os::unix::fs::symlink(to, &link).expect("link");
            let run = report(&fixture, &link);
            run.expect_code(GATE);
            assert!(run.stdout().is_empty());
            let meta = std::fs::symlink_metadata(&link).expect("meta");
            assert!(meta.file_type().is_symlink(), "{link:?} was replaced");
            let real = fixture.tmp.path().join(real);
            assert_eq!(std::fs::read(&real).expect("read"), expected, "{real:?}");
        }
        let meta = std::fs::metadata(&target).expect("meta");
        assert_eq!(meta.mode() & 0o7777, 0o640);
        if running_as_root() {
            assert_eq!((meta.uid(), meta.gid()), (4242, 4343));
        }
        // A new file gets the mode `>` would give it.
        let new = std::fs::metadata(dir.join("new.json")).expect("meta");
        assert_eq!(new.mode() & 0o777, 0o666 & !umask());
        let names: Vec<_> = std::fs::read_dir(&dir)
            .expect("read dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().all(|n| !n.starts_with(".etcd-deps")),
            "{names:?}"
        );
    }

    #[test]
    fn a_fifo_is_streamed_to_and_stays_a_fifo() {
        let fixture = Fixture::new("two-lines");
        let expected = plain_report(&fixture);
        let fifo = fixture.tmp.path().join("report.fifo");
        let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).expect("read the fifo"))
        };
        report(&fixture, &fifo).expect_code(GATE);
        // Checked before joining: a replaced FIFO would leave the reader waiting forever.
        let meta = std::fs::symlink_metadata(&fifo).expect("meta");
        assert!(meta.file_type().is_fifo(), "the FIFO was replaced");
        assert_eq!(reader.join().expect("reader"), expected);
    }

    /// A private device node like /dev/null (minor 3) or /dev/full (minor 7) in `dir`, so a
    /// regression that replaced the node could never touch the system's own. None when the
    /// test may not make one (not root, or a `nodev` file system).
    fn private_device(dir: &Path, name: &str, minor: u32) -> Option<PathBuf> {
        let path = dir.join(name);
        let made = Command::new("mknod")
            .arg(&path)
            .args(["c", "1", &minor.to_string()])
            .stderr(Stdio::null())
            .status()
            .ok()?;
        let usable = made.success() && std::fs::OpenOptions::new().write(true).open(&path).is_ok();
        usable.then_some(path)
    }

    #[test]
    fn devices_are_written_to_and_errors_reported() {
        let fixture = Fixture::new("two-lines");
        let expected = plain_report(&fixture);
        if let Some(null) = private_device(fixture.tmp.path(), "null", 3) {
            let run = report(&fixture, &null);
            run.expect_code(GATE);
            assert!(run.stdout().is_empty());
            let meta = std::fs::symlink_metadata(&null).expect("meta");
            assert!(meta.file_type().is_char_device(), "the device was replaced");
        }
        if let Some(full) = private_device(fixture.tmp.path(), "full", 7) {
            let run = report(&fixture, &full);
            run.expect_code(INTERNAL);
            assert!(run.stdout().is_empty());
            assert!(run.stderr().contains("could not write"), "{}", run.stderr());
            assert!(run.stderr().contains("No space left"), "{}", run.stderr());
            let meta = std::fs::symlink_metadata(&full).expect("meta");
            assert!(meta.file_type().is_char_device(), "the device was replaced");
        }
        // /dev/stdout is the tool's own stdout: a `>>` redirection still appends.
        for name in ["/dev/stdout", "/proc/self/fd/1"] {
            let file = fixture.tmp.path().join("appended.json");
            std::fs::write(&file, "before\n").expect("write");
            let out = std::fs::OpenOptions::new()
                .append(true)
                .open(&file)
                .expect("open");
            let status = Command::new(env!("CARGO_BIN_EXE_cargo-etcd-deps"))
                .args(["check", "--offline", "--format", "json", "--output", name])
                .current_dir(&fixture.root)
                .env("CARGO_HOME", &fixture.cargo_home)
                .stdout(out)
                .status()
                .expect("run");
            assert_eq!(status.code(), Some(GATE));
            let mut want = b"before\n".to_vec();
            want.extend_from_slice(&expected);
            assert_eq!(std::fs::read(&file).expect("read"), want, "{name}");
        }
    }
}

mod bytes {
    //! `fix --apply` keeps every byte outside the edited value, and the file's metadata.

    use super::*;

    /// A variant of a manifest's layout: applied to the fixture's file before, and to the
    /// expected file after.
    struct Variant {
        name: &'static str,
        text: fn(&[u8]) -> Vec<u8>,
        mode: u32,
        owner: Option<(u32, u32)>,
    }

    fn crlf(b: &[u8]) -> Vec<u8> {
        String::from_utf8_lossy(b)
            .replace('\n', "\r\n")
            .into_bytes()
    }
    fn bom(b: &[u8]) -> Vec<u8> {
        [b"\xef\xbb\xbf".as_slice(), b].concat()
    }
    fn bom_crlf(b: &[u8]) -> Vec<u8> {
        bom(&crlf(b))
    }
    fn trailing_space(b: &[u8]) -> Vec<u8> {
        String::from_utf8_lossy(b)
            .lines()
            .map(|l| format!("{l}  \t\n"))
            .collect::<String>()
            .into_bytes()
    }
    fn no_final_newline(b: &[u8]) -> Vec<u8> {
        b.strip_suffix(b"\n").unwrap_or(b).to_vec()
    }
    fn same(b: &[u8]) -> Vec<u8> {
        b.to_vec()
    }

    const VARIANTS: &[Variant] = &[
        Variant {
            name: "crlf",
            text: crlf,
            mode: 0o644,
            owner: None,
        },
        Variant {
            name: "bom",
            text: bom,
            mode: 0o644,
            owner: None,
        },
        Variant {
            name: "bom+crlf",
            text: bom_crlf,
            mode: 0o644,
            owner: None,
        },
        Variant {
            name: "trailing whitespace",
            text: trailing_space,
            mode: 0o644,
            owner: None,
        },
        Variant {
            name: "no final newline",
            text: no_final_newline,
            mode: 0o644,
            owner: None,
        },
        Variant {
            name: "mode 0600",
            text: same,
            mode: 0o600,
            owner: None,
        },
        Variant {
            name: "mode 0664, another user's file",
            text: same,
            mode: 0o664,
            owner: Some((4242, 4343)),
        },
    ];

    #[test]
    fn fix_apply_keeps_layout_mode_owner_and_group() {
        let rel = "crates/meta-store/Cargo.toml";
        for v in VARIANTS {
            if v.owner.is_some() && !running_as_root() {
                continue;
            }
            let fixture = Fixture::new("two-lines");
            let path = fixture.root.join(rel);
            let original = std::fs::read(&path).expect("read");
            std::fs::write(&path, (v.text)(&original)).expect("write");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(v.mode))
                .expect("chmod");
            if let Some((uid, gid)) = v.owner {
                std::os::unix::fs::chown(&path, Some(uid), Some(gid)).expect("chown");
            }
            fixture
                .run(&["fix", "--offline", "--apply", "--allow-dirty"])
                .expect_code(OK);
            let after = std::fs::read(&path).expect("read");
            assert_eq!(
                String::from_utf8_lossy(&after),
                String::from_utf8_lossy(&(v.text)(&expected("two-lines", rel))),
                "{}",
                v.name
            );
            let meta = std::fs::metadata(&path).expect("meta");
            assert_eq!(meta.mode() & 0o7777, v.mode, "{}", v.name);
            if let Some(owner) = v.owner {
                assert_eq!((meta.uid(), meta.gid()), owner, "{}", v.name);
            }
            assert_eq!(scratch(&fixture.root), Vec::<String>::new(), "{}", v.name);
        }
    }

    #[test]
    fn cargo_lock_ends_as_cargo_leaves_it_with_its_mode_and_owner() {
        // lockfile-split: the plan is a `cargo update -p … --precise …`, run on the copy.
        let fixture = Fixture::new("lockfile-split");
        let lock = fixture.root.join("Cargo.lock");
        std::fs::set_permissions(&lock, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        if running_as_root() {
            std::os::unix::fs::chown(&lock, Some(4242), Some(4343)).expect("chown");
        }
        fixture
            .run(&["fix", "--offline", "--apply", "--allow-dirty"])
            .expect_code(OK);
        assert_eq!(
            String::from_utf8_lossy(&std::fs::read(&lock).expect("read")),
            String::from_utf8_lossy(&expected("lockfile-split", "Cargo.lock"))
        );
        let meta = std::fs::metadata(&lock).expect("meta");
        assert_eq!(meta.mode() & 0o7777, 0o640);
        if running_as_root() {
            assert_eq!((meta.uid(), meta.gid()), (4242, 4343));
        }
        assert_eq!(scratch(&fixture.root), Vec::<String>::new());
    }

    #[test]
    fn a_member_manifest_that_is_a_link_is_written_through() {
        let rel = "crates/meta-store/Cargo.toml";
        // A relative link, an absolute link, a link to a link; all inside the root.
        for (name, absolute, chain) in [
            ("relative", false, false),
            ("absolute", true, false),
            ("chain", false, true),
        ] {
            let fixture = Fixture::new("two-lines");
            let to = match (absolute, chain) {
                (true, _) => fixture.root.join("manifests/meta-store.toml"),
                (_, true) => {
                    std::fs::create_dir_all(fixture.root.join("manifests")).expect("mkdir");
                    let middle = fixture.root.join("manifests/middle.toml");
                    std::os::unix::fs::symlink("meta-store.toml", &middle).expect("link");
                    PathBuf::from("../../manifests/middle.toml")
                }
                _ => PathBuf::from("../../manifests/meta-store.toml"),
            };
            let (manifest, real) = link_meta_store(&fixture, Some(&to));
            fixture
                .run(&["fix", "--offline", "--apply", "--allow-dirty"])
                .expect_code(OK);
            let meta = std::fs::symlink_metadata(&manifest).expect("meta");
            assert!(meta.file_type().is_symlink(), "{name}: link replaced");
            assert_eq!(std::fs::read_link(&manifest).expect("link"), to, "{name}");
            assert_eq!(
                std::fs::read(&real).expect("read"),
                expected("two-lines", rel),
                "{name}: the real manifest is edited"
            );
            assert_eq!(scratch(&fixture.root), Vec::<String>::new(), "{name}");
        }
    }
}

mod interrupt {
    //! SIGINT/SIGTERM at each stage of `fix --apply`: every file as before or every file as
    //! applied, no scratch files, exit 128 + the signal.

    use super::*;

    /// train-skew: two manifests and Cargo.lock change, so "half applied" is visible.
    const FIXTURE: &str = "train-skew";
    const EDITED: &[&str] = &["codegen/Cargo.toml", "messages/Cargo.toml", "Cargo.lock"];

    /// Runs `fix --apply` paused at `stage`, sends `signal` there, and returns the run and
    /// the files before.
    fn interrupted_at(stage: &str, signal: &str) -> (Fixture, Tree, Run) {
        let fixture = Fixture::new(FIXTURE);
        let before = tree(&fixture.root);
        let marker = fixture.tmp.path().join("paused");
        let pause = format!("{stage}={}", marker.display());
        let child = spawn(
            &fixture,
            &["fix", "--offline", "--apply", "--allow-dirty"],
            &[("CARGO_ETCD_DEPS_TEST_PAUSE", &pause)],
        );
        wait_for(&marker, stage);
        kill(child.id(), signal);
        let run = Run(child.wait_with_output().expect("wait"));
        let _ = std::fs::remove_file(&marker);
        (fixture, before, run)
    }

    fn code(signal: &str) -> i32 {
        if signal == "INT" { 130 } else { 143 }
    }

    #[test]
    fn before_the_writes_nothing_changes_and_no_scratch_is_left() {
        for stage in ["locked", "verifying"] {
            for signal in ["INT", "TERM"] {
                let (fixture, before, run) = interrupted_at(stage, signal);
                run.expect_code(code(signal));
                assert!(run.stdout().is_empty(), "{stage}/{signal}");
                assert!(
                    run.stderr().contains("nothing was written"),
                    "{stage}/{signal}: {}",
                    run.stderr()
                );
                assert_same_tree(&tree(&fixture.root), &before, &format!("{stage}/{signal}"));
            }
        }
    }

    #[test]
    fn while_the_files_are_replaced_everything_is_applied() {
        for signal in ["INT", "TERM"] {
            let (fixture, before, run) = interrupted_at("committing", signal);
            run.expect_code(code(signal));
            assert!(
                run.stderr().contains("every file was written"),
                "{signal}: {}",
                run.stderr()
            );
            let after = tree(&fixture.root);
            for rel in EDITED {
                assert_eq!(after[*rel].0, expected(FIXTURE, rel), "{signal}: {rel}");
            }
            // Nothing else changed, nothing was left behind.
            let rest = |t: &Tree| {
                t.iter()
                    .filter(|(k, _)| !EDITED.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect::<Tree>()
            };
            assert_same_tree(&rest(&after), &rest(&before), signal);
        }
    }

    #[test]
    fn at_any_moment_everything_or_nothing_and_no_scratch() {
        // How long a whole run takes here, then signals spread over that time.
        let args = ["fix", "--offline", "--apply", "--allow-dirty"];
        let probe = Fixture::new(FIXTURE);
        let start = Instant::now();
        probe.run(&args).expect_code(OK);
        let whole = start.elapsed();
        let applied = tree(&probe.root);
        let n = count("CARGO_ETCD_DEPS_TEST_MOMENTS", 8);
        for i in 0..n {
            let signal = if i % 2 == 0 { "INT" } else { "TERM" };
            let fixture = Fixture::new(FIXTURE);
            let before = tree(&fixture.root);
            let child = spawn(&fixture, &args, &[]);
            std::thread::sleep(whole * i / n);
            // The run may be over already: then there is nothing to signal.
            let _ = Command::new("kill")
                .args([&format!("-{signal}"), &child.id().to_string()])
                .stderr(Stdio::null())
                .status();
            let run = Run(child.wait_with_output().expect("wait"));
            let after = tree(&fixture.root);
            let moment = format!("moment {i}/{n} ({signal})");
            // Before the handler is installed (the first instants), the signal ends the
            // process as usual: nothing has been touched yet.
            if std::os::unix::process::ExitStatusExt::signal(&run.0.status).is_some() {
                assert_same_tree(&after, &before, &moment);
                continue;
            }
            match run.code() {
                OK => assert_same_tree(&after, &applied, &moment),
                c if c == code(signal) && run.stderr().contains("nothing was written") => {
                    assert_same_tree(&after, &before, &moment)
                }
                c if c == code(signal) => assert_same_tree(&after, &applied, &moment),
                other => panic!("{moment}: exit {other}\n{}", run.stderr()),
            }
        }
    }

    #[test]
    fn while_cargo_runs_on_the_copy_cargo_is_stopped_and_the_copy_removed() {
        // train-skew: cargo resolving the edited copy; lockfile-split: the lockfile refresh,
        // `cargo update -p … --precise …`, on the copy.
        let cases = [
            ("train-skew", "metadata", "INT"),
            ("train-skew", "metadata", "TERM"),
            ("lockfile-split", "update", "INT"),
            ("lockfile-split", "update", "TERM"),
        ];
        for (name, command, signal) in cases {
            let fixture = Fixture::new(name);
            // A cargo that, running `command` inside the copy, says so and then hangs.
            let started = fixture.tmp.path().join("cargo-in-copy");
            let script = common::cargo_wrapper(
                fixture.tmp.path(),
                "slow-cargo",
                &format!(
                    "case \"$1:$PWD\" in {command}:*verify-*) touch '{s}'; exec sleep 60;; esac",
                    s = started.display()
                ),
            );
            let before = tree(&fixture.root);
            let child = spawn(
                &fixture,
                &["fix", "--offline", "--apply", "--allow-dirty"],
                &[("CARGO", script.to_str().expect("utf-8"))],
            );
            wait_for(&started, "cargo in the copy");
            let sent = Instant::now();
            kill(child.id(), signal);
            let run = Run(child.wait_with_output().expect("wait"));
            assert!(
                sent.elapsed() < Duration::from_secs(30),
                "the tool waited for cargo"
            );
            run.expect_code(code(signal));
            assert!(
                run.stderr().contains("nothing was written"),
                "{}",
                run.stderr()
            );
            assert_same_tree(&tree(&fixture.root), &before, &format!("{name} {signal}"));
        }
    }
}

mod concurrent {
    //! Two `fix --apply` runs on one workspace at once: one applies, the other waits for
    //! the lock and then has nothing to do (or refuses clearly); never exit 3, never a
    //! half-written file, never scratch left behind.

    use super::*;

    #[test]
    fn a_second_run_waits_for_the_lock_says_so_and_can_be_interrupted() {
        let fixture = Fixture::new("train-skew");
        let before = tree(&fixture.root);
        let marker = fixture.tmp.path().join("holding");
        let pause = format!("locked={}", marker.display());
        let args = ["fix", "--offline", "--apply", "--allow-dirty"];
        let holder = spawn(&fixture, &args, &[("CARGO_ETCD_DEPS_TEST_PAUSE", &pause)]);
        wait_for(&marker, "the first run to hold the lock");
        // The second run waits, says so on stderr, and leaves on SIGINT with nothing done.
        let mut waiter = spawn(&fixture, &args, &[]);
        let mut said = String::new();
        {
            use std::io::Read;
            let mut stderr = waiter.stderr.take().expect("stderr");
            let mut byte = [0u8; 1];
            while !said.contains('\n') && stderr.read(&mut byte).expect("read") == 1 {
                said.push(char::from(byte[0]));
            }
            waiter.stderr = None;
            std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
        }
        assert!(
            said.contains("Blocking waiting for file lock on the workspace"),
            "{said}"
        );
        kill(waiter.id(), "INT");
        let waited = Run(waiter.wait_with_output().expect("wait"));
        waited.expect_code(130);
        assert_same_tree(&tree(&fixture.root), &before, "the workspace");
        // The first run goes on and applies.
        std::fs::remove_file(&marker).expect("release");
        let held = Run(holder.wait_with_output().expect("wait"));
        held.expect_code(OK);
        for rel in ["codegen/Cargo.toml", "messages/Cargo.toml", "Cargo.lock"] {
            assert_eq!(
                std::fs::read(fixture.root.join(rel)).expect("read"),
                expected("train-skew", rel),
                "{rel}"
            );
        }
        assert_eq!(scratch(&fixture.root), Vec::<String>::new());
    }

    #[test]
    fn a_file_another_program_changes_during_the_proof_is_refused() {
        // While the copy is being proved, cargo (or an editor) changes Cargo.lock or a
        // manifest the plan edits: nothing may be written over it.
        for rel in ["Cargo.lock", "codegen/Cargo.toml"] {
            let fixture = Fixture::new("train-skew");
            let marker = fixture.tmp.path().join("proving");
            let pause = format!("verifying={}", marker.display());
            let child = spawn(
                &fixture,
                &["fix", "--offline", "--apply", "--allow-dirty"],
                &[("CARGO_ETCD_DEPS_TEST_PAUSE", &pause)],
            );
            wait_for(&marker, "the proof");
            let path = fixture.root.join(rel);
            let mut theirs = std::fs::read(&path).expect("read");
            theirs.extend_from_slice(b"# changed meanwhile\n");
            std::fs::write(&path, &theirs).expect("write");
            let mut before = tree(&fixture.root);
            before.retain(|k, _| !k.starts_with("target"));
            std::fs::remove_file(&marker).expect("release");
            let run = Run(child.wait_with_output().expect("wait"));
            run.expect_code(INPUT);
            assert!(
                run.stderr().contains("changed since the plan was made"),
                "{rel}: {}",
                run.stderr()
            );
            assert_same_tree(&tree(&fixture.root), &before, rel);
        }
    }

    #[test]
    fn concurrent_pairs_serialise_on_the_workspace_lock() {
        for pair in 0..count("CARGO_ETCD_DEPS_TEST_PAIRS", 6) {
            let fixture = Fixture::new("train-skew");
            let args = ["fix", "--offline", "--apply", "--allow-dirty"];
            let a = spawn(&fixture, &args, &[]);
            let b = spawn(&fixture, &args, &[]);
            let runs = [
                Run(a.wait_with_output().expect("wait")),
                Run(b.wait_with_output().expect("wait")),
            ];
            let mut applied = 0;
            for run in &runs {
                match run.code() {
                    OK => {
                        let out = run.stdout();
                        assert!(
                            out.contains("summary: applied") || out.contains("nothing to fix"),
                            "pair {pair}: {out}"
                        );
                        applied += usize::from(out.contains("summary: applied"));
                    }
                    INPUT => assert!(
                        run.stderr().contains("refusing to edit"),
                        "pair {pair}: {}",
                        run.stderr()
                    ),
                    other => panic!(
                        "pair {pair}: exit {other}\n{}\n{}",
                        run.stdout(),
                        run.stderr()
                    ),
                }
            }
            assert_eq!(applied, 1, "pair {pair}: exactly one run applies");
            let after = tree(&fixture.root);
            for rel in ["codegen/Cargo.toml", "messages/Cargo.toml", "Cargo.lock"] {
                assert_eq!(
                    after[rel].0,
                    expected("train-skew", rel),
                    "pair {pair}: {rel}"
                );
            }
            assert_eq!(scratch(&fixture.root), Vec::<String>::new(), "pair {pair}");
        }
    }
}

mod verification {
    //! Verification runs wherever cargo itself works.

    use super::*;

    fn plan(fixture: &Fixture) -> serde_json::Value {
        let run = fixture.run(&["fix", "--offline", "--format", "json"]);
        run.expect_code(PENDING);
        let plan = run.json();
        assert_eq!(plan["verification"]["verified"], true, "{plan:#}");
        assert_eq!(scratch(&fixture.root), Vec::<String>::new());
        plan
    }

    #[test]
    fn read_only_manifests_and_lockfile_still_verify() {
        for rel in ["crates/meta-store/Cargo.toml", "Cargo.toml", "Cargo.lock"] {
            let fixture = Fixture::new("two-lines");
            let path = fixture.root.join(rel);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).expect("chmod");
            plan(&fixture);
        }
    }

    #[test]
    fn target_linked_outside_the_root_keeps_the_cargo_configuration() {
        let fixture = Fixture::new("two-lines");
        let elsewhere = fixture.tmp.path().join("elsewhere-target");
        std::fs::create_dir(&elsewhere).expect("mkdir");
        std::os::unix::fs::symlink(&elsewhere, fixture.root.join("target")).expect("link");
        let before = tree(&fixture.root);
        plan(&fixture);
        assert_same_tree(&tree(&fixture.root), &before, "scratch left in the root");
        // cargo's own cache of `rustc -vV` (from the run in the root) is all there is.
        let there: Vec<String> = tree(&elsewhere)
            .into_keys()
            .filter(|k| k != ".rustc_info.json")
            .collect();
        assert_eq!(there, Vec::<String>::new());
        // And applied: the real lockfile is the one cargo wrote on the copy.
        fixture
            .run(&["fix", "--offline", "--apply", "--allow-dirty"])
            .expect_code(OK);
        for rel in ["crates/meta-store/Cargo.toml", "Cargo.lock"] {
            assert_eq!(
                std::fs::read(fixture.root.join(rel)).expect("read"),
                expected("two-lines", rel),
                "{rel}"
            );
        }
    }

    #[test]
    fn a_cargo_configuration_above_the_root_is_seen_from_the_copy() {
        // cargo reads `.cargo/config.toml` from its working directory upward: the source
        // replacement lives above the workspace here, and the copy must still see it.
        let fixture = Fixture::new("two-lines");
        let above = fixture.tmp.path().join("workspaces/.cargo");
        std::fs::create_dir_all(&above).expect("mkdir");
        let config = std::fs::read_to_string(fixture.root.join(".cargo/config.toml"))
            .expect("read")
            .replace("../../vendor", "../vendor");
        std::fs::write(above.join("config.toml"), config).expect("write");
        std::fs::remove_dir_all(fixture.root.join(".cargo")).expect("remove");
        plan(&fixture);
        fixture
            .run(&["fix", "--offline", "--apply", "--allow-dirty"])
            .expect_code(OK);
        assert_eq!(
            std::fs::read(fixture.root.join("Cargo.lock")).expect("read"),
            expected("two-lines", "Cargo.lock")
        );
    }

    #[test]
    fn path_dependencies_outside_the_root_are_read_where_they_are() {
        let fixture = Fixture::new("two-lines");
        // A crate beside the workspace, used by a member by a relative path.
        let outside = fixture.tmp.path().join("shared/outside-util");
        std::fs::create_dir_all(outside.join("src")).expect("mkdir");
        std::fs::write(
            outside.join("Cargo.toml"),
            "[package]\nname = \"outside-util\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        )
        .expect("write");
        std::fs::write(outside.join("src/lib.rs"), "").expect("write");
        let manifest = fixture.root.join("crates/meta-store/Cargo.toml");
        let text = std::fs::read_to_string(&manifest).expect("read");
        let with_dep =
            format!("{text}outside-util = {{ path = \"../../../../shared/outside-util\" }}\n");
        std::fs::write(&manifest, &with_dep).expect("write");
        let outside_before = tree(&outside);
        plan(&fixture);
        fixture
            .run(&["fix", "--offline", "--apply", "--allow-dirty"])
            .expect_code(OK);
        let after = std::fs::read_to_string(&manifest).expect("read");
        assert_eq!(
            after,
            with_dep.replace("etcd-client = \"0.11\"", "etcd-client = \"0.14\"")
        );
        assert_eq!(
            tree(&outside),
            outside_before,
            "the outside crate is only read"
        );
        assert_eq!(scratch(&fixture.root), Vec::<String>::new());
    }

    #[test]
    fn a_relative_cargo_home_is_the_users_not_one_in_the_root() {
        let fixture = Fixture::new("two-lines");
        let run = common::run_tool_with_env(
            fixture.tmp.path(),
            Path::new("cargo-home"),
            &[
                "fix",
                "--offline",
                "--format",
                "json",
                "--manifest-path",
                "workspaces/two-lines/Cargo.toml",
            ],
            &[],
        );
        run.expect_code(PENDING);
        assert_eq!(run.json()["verification"]["verified"], true);
        let left: Vec<String> = tree(&fixture.root)
            .into_keys()
            .filter(|k| k.contains("cargo-home") || k.starts_with("target"))
            .collect();
        assert_eq!(left, Vec::<String>::new());
    }

    #[test]
    fn an_allow_entry_applies_to_the_edited_workspace_too() {
        // The allow entry removes messages' prost 0.14 from the train-skew finding; the plan
        // fixes tonic-build, and verification must not call the allowed prost "new".
        let fixture = Fixture::new("train-skew");
        std::fs::write(
            fixture.root.join("etcd-deps.toml"),
            "allow = [{ crate = \"prost\", versions = [\"^0.14\"], code = \"train-skew\", reason = \"messages moves to prost 0.14 first\" }]\n",
        )
        .expect("write");
        let plan = plan(&fixture);
        assert_eq!(plan["edits"][0]["key"], "tonic-build", "{plan:#}");
        assert_eq!(plan["verification"]["message"], serde_json::Value::Null);
        assert_eq!(plan["verification"]["verified"], true, "{plan:#}");
        fixture
            .run(&["fix", "--offline", "--apply", "--allow-dirty"])
            .expect_code(OK);
        assert_eq!(
            std::fs::read(fixture.root.join("codegen/Cargo.toml")).expect("read"),
            expected("train-skew", "codegen/Cargo.toml")
        );
    }

    #[test]
    fn a_dated_rule_the_edit_breaks_is_judged_on_the_edited_workspace() {
        // The train-skew fix moves tonic-build to 0.12; a rule that denies tonic-build below
        // 0.13 has nothing to say before the edit and an error after it.
        let fixture = Fixture::new("train-skew");
        let policy = fixture.root.join("policy.toml");
        std::fs::write(
            &policy,
            "policy = [{ crate = \"tonic-build\", versions = \">=0.13\", deny-from = \"2020-01-01\", reason = \"codegen stays on 0.13\" }]\n",
        )
        .expect("write");
        let policy = policy.to_str().expect("utf-8");
        let before = tree(&fixture.root);
        let run = fixture.run(&["fix", "--offline", "--policy", policy]);
        run.expect_code(PENDING);
        let out = run.stdout();
        assert!(
            out.contains("the edits introduce new findings: outside-policy tonic-build"),
            "{out}"
        );
        assert!(
            out.contains(
                "not verified: the targeted findings are gone, but the edits bring new ones"
            ),
            "{out}"
        );
        fixture
            .run(&[
                "fix",
                "--offline",
                "--apply",
                "--allow-dirty",
                "--policy",
                policy,
            ])
            .expect_code(PENDING);
        assert_same_tree(
            &tree(&fixture.root),
            &before,
            "an unverified plan writes nothing",
        );
    }
}

mod version_control {
    //! The dirty check: the user's uncommitted work is refused, cargo's own lockfile is not;
    //! messages name real paths and real causes.

    use super::*;
    use common::git;

    fn commit(dir: &Path, paths: &[&str]) {
        git(dir, &["init", "-q"]);
        let mut add = vec!["add"];
        add.extend_from_slice(paths);
        git(dir, &add);
        git(dir, &["commit", "-q", "-m", "fixture"]);
    }

    fn apply(fixture: &Fixture) -> Run {
        fixture.run(&["fix", "--offline", "--apply"])
    }

    /// `fix --apply` refuses with "uncommitted changes", naming `named`, and changes nothing
    /// (but Cargo.lock, which cargo's resolve during planning may rewrite as `cargo build`
    /// would).
    #[track_caller]
    fn refused_as_uncommitted(fixture: &Fixture, named: &str) {
        let before = tree(&fixture.root);
        let run = apply(fixture);
        run.expect_code(INPUT);
        let err = run.stderr();
        assert!(err.contains("uncommitted changes"), "{err}");
        assert!(err.contains(named), "{err}");
        let mut after = tree(&fixture.root);
        after.insert("Cargo.lock".into(), before["Cargo.lock"].clone());
        assert_same_tree(&after, &before, "the workspace");
    }

    #[test]
    fn an_untracked_or_missing_lockfile_is_cargos_not_the_users() {
        // Never committed: the lockfile is untracked.
        let fixture = Fixture::new("two-lines");
        commit(&fixture.root, &["Cargo.toml", "crates", ".cargo"]);
        apply(&fixture).expect_code(OK);
        assert_eq!(
            std::fs::read(fixture.root.join("Cargo.lock")).expect("read"),
            expected("two-lines", "Cargo.lock")
        );
        // No lockfile at all: `check` lets cargo create one, and `fix --apply` then works.
        let fixture = Fixture::new("two-lines");
        std::fs::remove_file(fixture.root.join("Cargo.lock")).expect("remove");
        commit(&fixture.root, &["."]);
        fixture.run(&["check", "--offline"]).expect_code(GATE);
        assert!(fixture.root.join("Cargo.lock").exists());
        apply(&fixture).expect_code(OK);
    }

    #[test]
    fn a_stale_lockfile_cargo_rewrites_during_the_run_is_not_refused() {
        let fixture = Fixture::new("two-lines");
        // Committed without the member's own entry: cargo's first resolve rewrites it.
        let lock = fixture.root.join("Cargo.lock");
        let text = std::fs::read_to_string(&lock).expect("read");
        let start = text
            .find("[[package]]\nname = \"meta-store\"")
            .expect("entry");
        let end = start + text[start..].find("\n\n").expect("end") + 2;
        std::fs::write(&lock, format!("{}{}", &text[..start], &text[end..])).expect("write");
        commit(&fixture.root, &["."]);
        apply(&fixture).expect_code(OK);
        assert_eq!(
            std::fs::read(&lock).expect("read"),
            expected("two-lines", "Cargo.lock")
        );
    }

    #[test]
    fn the_users_own_lockfile_change_is_refused() {
        let fixture = Fixture::new("two-lines");
        commit(&fixture.root, &["."]);
        let lock = fixture.root.join("Cargo.lock");
        let text = std::fs::read_to_string(&lock).expect("read");
        std::fs::write(&lock, text.replace("version = 4", "version = 3")).expect("write");
        refused_as_uncommitted(&fixture, "Cargo.lock");
    }

    #[test]
    fn a_workspace_in_a_subdirectory_of_its_repository_names_the_real_file() {
        let fixture = Fixture::new("two-lines");
        commit(fixture.tmp.path(), &["workspaces"]);
        let manifest = fixture.root.join("crates/meta-store/Cargo.toml");
        let text = std::fs::read_to_string(&manifest).expect("read");
        std::fs::write(&manifest, format!("{text}# local change\n")).expect("write");
        let run = apply(&fixture);
        run.expect_code(INPUT);
        let err = run.stderr();
        let named = err
            .split_whitespace()
            .find(|w| w.ends_with("Cargo.toml:"))
            .unwrap_or_else(|| panic!("no path in {err}"))
            .trim_end_matches(':');
        assert!(Path::new(named).is_file(), "{named} does not exist: {err}");
        assert!(
            named.ends_with("workspaces/two-lines/crates/meta-store/Cargo.toml"),
            "{err}"
        );
    }

    #[test]
    fn uncommitted_changes_anywhere_in_the_repository_are_refused() {
        // The repository holds more than the workspace (`workspaces/two-lines` below it).
        let fixture = Fixture::new("two-lines");
        let repo = fixture.tmp.path();
        std::fs::write(repo.join(".gitignore"), "/cargo-home/\n/vendor\n").expect("write");
        commit(repo, &["."]);
        // A manifest the plan does not edit.
        let telemetry = fixture.root.join("crates/telemetry/Cargo.toml");
        let text = std::fs::read_to_string(&telemetry).expect("read");
        std::fs::write(&telemetry, format!("{text}# x\n")).expect("write");
        let before = tree(&fixture.root);
        let run = apply(&fixture);
        run.expect_code(INPUT);
        let err = run.stderr();
        assert!(err.contains("uncommitted changes"), "{err}");
        assert!(err.contains("crates/telemetry/Cargo.toml"), "{err}");
        assert_same_tree(&tree(&fixture.root), &before, "the workspace");
        // A new file outside the workspace.
        std::fs::write(&telemetry, text).expect("write");
        std::fs::write(repo.join("notes.txt"), "x\n").expect("write");
        let before = tree(&fixture.root);
        let run = apply(&fixture);
        run.expect_code(INPUT);
        let err = run.stderr();
        assert!(err.contains("notes.txt (untracked)"), "{err}");
        assert!(err.contains("--allow-dirty"), "{err}");
        assert_same_tree(&tree(&fixture.root), &before, "the workspace");
        // Clean again: applied.
        std::fs::remove_file(repo.join("notes.txt")).expect("remove");
        let run = apply(&fixture);
        run.expect_code(OK);
        assert!(
            run.stdout().contains("applied 1 change"),
            "{}",
            run.stdout()
        );
    }

    #[test]
    fn uncommitted_changes_behind_a_manifest_link_are_refused() {
        let fixture = Fixture::new("two-lines");
        let (_, real) = link_meta_store(&fixture, None);
        commit(&fixture.root, &["."]);
        let text = std::fs::read_to_string(&real).expect("read");
        std::fs::write(&real, format!("{text}# local change\n")).expect("write");
        refused_as_uncommitted(&fixture, "meta-store.toml");
    }

    #[test]
    fn git_missing_from_path_is_not_no_version_control() {
        let fixture = Fixture::new("two-lines");
        commit(&fixture.root, &["."]);
        // Only the toolchain's own directory (cargo, rustc) on PATH: no git.
        let toolchain = Path::new(env!("CARGO")).parent().expect("bin dir");
        assert!(!toolchain.join("git").exists());
        let run = common::run_tool_with_env(
            &fixture.root,
            &fixture.cargo_home,
            &["fix", "--offline", "--apply"],
            &[("PATH", toolchain.to_str().expect("utf-8"))],
        );
        run.expect_code(INPUT);
        let err = run.stderr();
        assert!(err.contains("git could not be run"), "{err}");
        assert!(!err.contains("not under version control"), "{err}");
        assert!(err.contains("--allow-dirty"), "{err}");
    }
}
