//! cargo itself: `cargo locate-project`, `cargo metadata`, the `cargo update` commands of a
//! fix and `diagnose`'s `cargo check`, and saved `cargo metadata` JSON and build logs (read,
//! like Cargo.lock, with the input size limit).
//!
//! cargo runs from the workspace root's directory, so the workspace's own
//! `.cargo/config.toml` (source replacement, vendoring) applies wherever the user stands:
//! `cargo locate-project --workspace` finds the root first, unless the manifest given is
//! plainly a workspace root already.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::CargoOptions;
use crate::error::Error;

/// The largest input read (metadata JSON, Cargo.lock, `scan`'s list and shard documents): 4 GiB
/// by default, about fifteen times the metadata of 100k packages; `CARGO_ETCD_DEPS_MAX_INPUT`
/// (bytes) changes it.
pub fn input_limit() -> u64 {
    std::env::var("CARGO_ETCD_DEPS_MAX_INPUT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4 << 30)
}

/// Reads at most the input limit from `reader`; more is an input error naming `name`.
pub(crate) fn read_limited(reader: impl Read, name: &Path) -> Result<String, Error> {
    read_limited_sized(reader, name, 0)
}

/// [`read_limited`] into a buffer of `expected` bytes (a file's length), so that a large
/// input is not copied again each time the buffer would have doubled.
fn read_limited_sized(reader: impl Read, name: &Path, expected: u64) -> Result<String, Error> {
    let limit = input_limit();
    let reserve = expected.min(limit).saturating_add(1);
    let mut bytes = Vec::with_capacity(usize::try_from(reserve).unwrap_or(0));
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| Error::Read {
            path: name.to_owned(),
            source,
        })?;
    if bytes.len() as u64 > limit {
        return Err(Error::Manifest {
            path: name.to_owned(),
            message: format!(
                "is larger than the input limit of {limit} bytes (set CARGO_ETCD_DEPS_MAX_INPUT to raise it)"
            ),
            source: None,
        });
    }
    String::from_utf8(bytes).map_err(|e| Error::Manifest {
        path: name.to_owned(),
        message: "is not UTF-8 text".to_owned(),
        source: Some(e.into()),
    })
}

/// The text of the file at `path`, read with the input limit.
pub(crate) fn read_file_limited(path: &Path) -> Result<String, Error> {
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    let expected = file.metadata().map_or(0, |m| m.len());
    read_limited_sized(file, path, expected)
}

/// Reads saved `cargo metadata` JSON from `path` (`-`: stdin); returns it with a name for
/// messages.
pub fn read_saved(path: &Path) -> Result<(String, String), Error> {
    read_named(path, |path, message| Error::BadMetadata {
        path,
        source: message.into(),
    })
}

/// Reads a saved build log (`cargo check --message-format json`) from `path` (`-`: stdin);
/// returns it with a name for messages.
pub fn read_build_log(path: &Path) -> Result<(String, String), Error> {
    read_named(path, |path, message| Error::BuildLog {
        path,
        source: message.into(),
    })
}

/// Reads `path` (`-`: stdin) with the input limit; an empty input is the error `empty` makes
/// from its name and what is wrong.
fn read_named(
    path: &Path,
    empty: impl Fn(String, String) -> Error,
) -> Result<(String, String), Error> {
    let (text, name, what) = if path == Path::new("-") {
        let text = read_limited(std::io::stdin(), Path::new("<stdin>"))?;
        (text, "<stdin>".to_owned(), "standard input was empty")
    } else {
        let text = read_file_limited(path)?;
        (text, path.display().to_string(), "the file is empty")
    };
    if text.trim().is_empty() {
        return Err(empty(name, what.to_owned()));
    }
    Ok((text, name))
}

/// Runs `cargo check --workspace --all-targets --message-format json` in the workspace root
/// `dir` with the user's flags, and returns its messages. A build that fails to compile is
/// an answer, not an error: its messages are returned as long as cargo got as far as
/// building (it printed `build-finished`); otherwise cargo's own error is.
pub fn build_messages(dir: &Path, opts: &CargoOptions) -> Result<String, Error> {
    let mut cmd = cargo_command();
    cmd.args([
        "check",
        "--workspace",
        "--all-targets",
        "--message-format",
        "json",
    ])
    .current_dir(dir);
    feature_flags(&mut cmd, opts);
    network_flags(&mut cmd, opts);
    let shown = dir.join("Cargo.toml").display().to_string();
    let output = output_of(cmd, opts.progress)?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() || stdout.contains("\"reason\":\"build-finished\"") {
        return Ok(stdout);
    }
    Err(Error::CargoFailed {
        command: "check".to_owned(),
        manifest: shown,
        stderr: cargo_message(&output.stderr, opts.progress),
    })
}

fn cargo_program() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"))
}

/// A cargo command. cargo runs in the workspace root, not where the user stands, so a
/// relative `CARGO_HOME` (or `CARGO_TARGET_DIR`, `RUSTUP_HOME`) is made absolute against the
/// user's directory first: cargo would otherwise read it against the root, and use (and leave
/// behind) another cargo home there.
fn cargo_command() -> Command {
    let mut cmd = Command::new(cargo_program());
    if let Ok(cwd) = std::env::current_dir() {
        for var in ["CARGO_HOME", "CARGO_TARGET_DIR", "RUSTUP_HOME"] {
            if let Some(value) = std::env::var_os(var).filter(|v| !v.is_empty())
                && Path::new(&value).is_relative()
            {
                cmd.env(var, cwd.join(value));
            }
        }
    }
    cmd
}

/// The version of the cargo that runs in `root` (`cargo -V` there, so a `rust-toolchain.toml`
/// chooses it as it does for every other cargo command of the tool); `None` when its answer
/// names no version.
pub fn version(root: &Path) -> Result<Option<semver::Version>, Error> {
    let mut cmd = cargo_command();
    cmd.arg("-V").current_dir(root);
    let out = run(cmd, "-V", &root.display().to_string(), false)?;
    Ok(out
        .split_whitespace()
        .nth(1)
        .and_then(|v| semver::Version::parse(v).ok()))
}

/// Where cargo will run: the manifest to pass, the workspace root's directory, and a name
/// for messages.
#[derive(Clone, Debug)]
pub struct Located {
    pub manifest: PathBuf,
    pub root_dir: PathBuf,
    pub shown: String,
}

/// Finds the workspace root with `cargo locate-project --workspace`.
pub fn locate(opts: &CargoOptions) -> Result<Located, Error> {
    let cwd = std::env::current_dir().map_err(|source| Error::Read {
        path: PathBuf::from("."),
        source,
    })?;
    let manifest = match &opts.manifest_path {
        Some(p) => {
            let p = cwd.join(p);
            if p.is_dir() {
                return Err(Error::Manifest {
                    path: p,
                    message: "is a directory; --manifest-path takes the path to a Cargo.toml"
                        .to_owned(),
                    source: None,
                });
            }
            if !p.exists() {
                return Err(Error::Manifest {
                    path: p,
                    message: "no such file".to_owned(),
                    source: None,
                });
            }
            Some(p)
        }
        None => None,
    };
    let start_dir = manifest
        .as_deref()
        .and_then(Path::parent)
        .map(Path::to_owned)
        .unwrap_or_else(|| cwd.clone());

    let shown = manifest
        .clone()
        .unwrap_or_else(|| start_dir.join("Cargo.toml"))
        .display()
        .to_string();
    // Find the workspace root, then run `cargo metadata` from there. A manifest that is
    // plainly its own root (it has a [workspace] table, or no Cargo.toml above it could
    // claim it) needs no extra cargo process.
    let candidate = manifest
        .clone()
        .unwrap_or_else(|| start_dir.join("Cargo.toml"));
    let root_manifest = match plainly_a_root(&candidate) {
        true => candidate,
        false => {
            let mut locate = cargo_command();
            locate
                .args(["locate-project", "--workspace", "--message-format", "plain"])
                .current_dir(&start_dir);
            if let Some(m) = &manifest {
                locate.arg("--manifest-path").arg(m);
            }
            let located = run(locate, "locate-project", &shown, false)?;
            PathBuf::from(located.trim())
        }
    };
    let root_dir = root_manifest
        .parent()
        .map(Path::to_owned)
        .unwrap_or_else(|| start_dir.clone());

    Ok(Located {
        manifest: manifest.unwrap_or(root_manifest),
        root_dir,
        shown,
    })
}

/// Runs `cargo metadata` for `manifest` from `dir` with the user's flags, and returns its
/// answer as soon as cargo has written it (see [`Answer`]).
pub fn metadata_at(
    manifest: &Path,
    dir: &Path,
    opts: &CargoOptions,
    shown: &str,
) -> Result<Answer, Error> {
    let mut cmd = cargo_command();
    cmd.args(["metadata", "--format-version", "1"])
        .current_dir(dir);
    // cargo finds the manifest in its working directory by itself, measurably faster than
    // with --manifest-path.
    if manifest != dir.join("Cargo.toml") {
        cmd.arg("--manifest-path").arg(manifest);
    }
    feature_flags(&mut cmd, opts);
    for t in &opts.targets {
        cmd.arg("--filter-platform").arg(t);
    }
    network_flags(&mut cmd, opts);
    Answer::read(cmd, "metadata", shown, opts.progress)
}

/// Whether `manifest` is certainly a workspace root without asking cargo: it parses, and it
/// has a `[workspace]` table or no parent directory holds a Cargo.toml. Anything else (a
/// member, a `package.workspace` key, an unreadable file) is left to `cargo locate-project`,
/// which also gives cargo's own error messages.
fn plainly_a_root(manifest: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(manifest) else {
        return false;
    };
    let Ok(doc) = crate::manifest::document::Manifest::parse(text) else {
        return false;
    };
    if doc.get("workspace").is_some() {
        return true;
    }
    let declares_workspace = doc
        .get("package")
        .and_then(|p| p.get("workspace"))
        .is_some();
    let Ok(abs) = manifest.canonicalize() else {
        return false;
    };
    !declares_workspace
        && abs
            .parent()
            .and_then(Path::parent)
            .is_some_and(|above| above.ancestors().all(|d| !d.join("Cargo.toml").is_file()))
}

/// Passes `--features`, `--all-features` and `--no-default-features` through.
fn feature_flags(cmd: &mut Command, opts: &CargoOptions) {
    if !opts.features.is_empty() {
        cmd.arg("--features").arg(opts.features.join(","));
    }
    if opts.all_features {
        cmd.arg("--all-features");
    }
    if opts.no_default_features {
        cmd.arg("--no-default-features");
    }
}

/// Passes `--offline`, `--locked` and `--frozen` through, and asks for cargo's MSRV-aware
/// resolution when the options say so.
fn network_flags(cmd: &mut Command, opts: &CargoOptions) {
    if opts.rust_version_fallback {
        cmd.env("CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS", "fallback");
    }
    for (flag, on) in [
        ("--offline", opts.offline),
        ("--locked", opts.locked),
        ("--frozen", opts.frozen),
    ] {
        if on {
            cmd.arg(flag);
        }
    }
}

/// Runs a cargo command (`update -p … --precise …`) for `manifest` from `dir`, passing
/// `--offline`, `--locked` and `--frozen` through.
pub fn cargo_at(
    args: &[String],
    manifest: &Path,
    dir: &Path,
    opts: &CargoOptions,
) -> Result<(), Error> {
    let mut cmd = cargo_command();
    cmd.args(args)
        .arg("--manifest-path")
        .arg(manifest)
        .current_dir(dir);
    network_flags(&mut cmd, opts);
    let what = args.first().map(String::as_str).unwrap_or("cargo");
    run(cmd, what, &manifest.display().to_string(), opts.progress).map(|_| ())
}

/// What is reserved for a cargo command's stdout before reading it: `cargo metadata` writes
/// megabytes (3.4 MB for 1,360 packages), and a vector grown by doubling copies the text and
/// faults fresh memory in about twice over. Untouched reserved pages cost nothing.
const STDOUT_RESERVE: usize = 32 << 20;

/// A cargo command started: its stdout read on a thread, which hands over the first line
/// as soon as it is whole and keeps the rest, and its stderr drained on another.
/// `cargo metadata` writes its whole answer as one line and then spends some milliseconds
/// tearing down before it exits: the answer can be read meanwhile.
struct Running {
    child: std::process::Child,
    first: std::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>,
    rest: std::thread::JoinHandle<std::io::Result<Vec<u8>>>,
    stderr: std::thread::JoinHandle<Vec<u8>>,
}

/// Reads `pipe` to its end: the text up to and including the first newline (or all of it,
/// when there is none) goes to `first` as soon as it is read; the rest is returned.
fn read_stdout(
    pipe: Option<std::process::ChildStdout>,
    first: std::sync::mpsc::SyncSender<std::io::Result<Vec<u8>>>,
) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(STDOUT_RESERVE);
    let mut chunk = vec![0u8; 1 << 16];
    let mut first = Some(first);
    let Some(mut pipe) = pipe else {
        if let Some(f) = first {
            let _ = f.send(Ok(bytes));
        }
        return Ok(Vec::new());
    };
    loop {
        let n = match pipe.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => match first.take() {
                // The receiver learns of the error; nothing more is read.
                Some(f) => {
                    let _ = f.send(Err(e));
                    return Ok(Vec::new());
                }
                None => return Err(e),
            },
        };
        let newline = chunk[..n].iter().position(|&b| b == b'\n');
        bytes.extend_from_slice(&chunk[..n]);
        if let (Some(at), Some(f)) = (newline, &first) {
            let rest = bytes.split_off(bytes.len() - n + at + 1);
            // A receiver that has gone (an interrupt) needs nothing more.
            let _ = f.send(Ok(std::mem::replace(&mut bytes, rest)));
            first = None;
        }
    }
    match first {
        Some(f) => {
            let _ = f.send(Ok(bytes));
            Ok(Vec::new())
        }
        None => Ok(bytes),
    }
}

/// A command's stderr, read on a thread; with `forward`, passed on to the tool's stderr as it
/// comes (`Updating crates.io index`, `Downloaded …`, `Compiling …`) and kept all the same.
fn drain_stderr(
    pipe: Option<std::process::ChildStderr>,
    forward: bool,
) -> std::thread::JoinHandle<Vec<u8>> {
    use std::io::{Read, Write};
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let Some(mut pipe) = pipe else { return bytes };
        let mut chunk = [0u8; 4096];
        while let Ok(n @ 1..) = pipe.read(&mut chunk) {
            if forward {
                // The terminal is the user's: a failed write there only loses the echo.
                let _ = std::io::stderr().write_all(&chunk[..n]);
            }
            bytes.extend_from_slice(&chunk[..n]);
        }
        bytes
    })
}

/// Waits until `ready` gives an answer. Once the signal handlers are installed, the wait
/// polls, and a SIGINT or SIGTERM to the tool stops `child` at once (`None`: interrupted;
/// the caller then reports the interrupt).
fn watched<T>(
    child: &mut std::process::Child,
    mut ready: impl FnMut(&mut std::process::Child, std::time::Duration) -> std::io::Result<Option<T>>,
) -> std::io::Result<Option<T>> {
    if !crate::interrupt::installed() {
        return ready(child, std::time::Duration::MAX);
    }
    let mut pause = std::time::Duration::from_millis(1);
    loop {
        if let Some(answer) = ready(child, pause)? {
            return Ok(Some(answer));
        }
        if crate::interrupt::pending().is_some() {
            // cargo's own children may hold the pipes open: the readers are left to finish
            // on their own.
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        pause = (pause * 2).min(std::time::Duration::from_millis(20));
    }
}

impl Running {
    fn start(mut cmd: Command, progress: bool) -> std::io::Result<Running> {
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
        let stderr = drain_stderr(child.stderr.take(), progress);
        let (tell, first) = std::sync::mpsc::sync_channel(1);
        let stdout = child.stdout.take();
        let rest = std::thread::spawn(move || read_stdout(stdout, tell));
        Ok(Running {
            child,
            first,
            rest,
            stderr,
        })
    }

    /// The first line of stdout (all of it when there is no newline), as soon as it is
    /// whole; `None` when an interrupt stopped the command first.
    fn first_line(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        let first = &self.first;
        watched(&mut self.child, |_, pause| {
            use std::sync::mpsc::RecvTimeoutError;
            let got = match pause {
                std::time::Duration::MAX => {
                    first.recv().map_err(|_| RecvTimeoutError::Disconnected)
                }
                pause => first.recv_timeout(pause),
            };
            match got {
                Ok(line) => line.map(Some),
                Err(RecvTimeoutError::Timeout) => Ok(None),
                // The reader ended without a word: it hit the end with nothing to give.
                Err(RecvTimeoutError::Disconnected) => Ok(Some(Vec::new())),
            }
        })
    }

    /// Waits for the command to end, and collects its output: `first`, then the rest of
    /// stdout; an interrupt stops it (its output is then empty).
    fn finish(mut self, first: Vec<u8>) -> std::io::Result<std::process::Output> {
        let status = watched(&mut self.child, |child, pause| match pause {
            std::time::Duration::MAX => child.wait().map(Some),
            pause => {
                let status = child.try_wait()?;
                if status.is_none() {
                    std::thread::sleep(pause);
                }
                Ok(status)
            }
        })?;
        let Some(status) = status else {
            return Ok(std::process::Output {
                status: self.child.wait()?,
                stdout: Vec::new(),
                stderr: Vec::new(),
            });
        };
        let mut stdout = first;
        stdout.extend(
            self.rest
                .join()
                .ok()
                .and_then(Result::ok)
                .unwrap_or_default(),
        );
        Ok(std::process::Output {
            status,
            stdout,
            stderr: self.stderr.join().unwrap_or_default(),
        })
    }

    /// The whole run: started, its output collected at its end.
    fn collect(mut self) -> std::io::Result<std::process::Output> {
        match self.first_line()? {
            Some(first) => self.finish(first),
            // Stopped: cargo's own children may hold the pipes open, so the readers are
            // not waited for.
            None => Ok(std::process::Output {
                status: self.child.wait()?,
                stdout: Vec::new(),
                stderr: Vec::new(),
            }),
        }
    }
}

/// Runs a cargo command to its end (or to an interrupt, reported as one), cargo's stderr
/// passed on as it comes with `progress`.
fn output_of(mut cmd: Command, progress: bool) -> Result<std::process::Output, Error> {
    cmd.stdin(Stdio::null());
    let output = Running::start(cmd, progress)
        .and_then(Running::collect)
        .map_err(missing)?;
    // A terminal's Ctrl-C reaches cargo too: report the interrupt, not cargo's failure.
    crate::interrupt::check(crate::interrupt::NOTHING_WRITTEN)?;
    Ok(output)
}

/// An I/O error met while running cargo: it could not be started (or read).
fn missing(source: std::io::Error) -> Error {
    Error::CargoMissing {
        program: cargo_program().to_string_lossy().into_owned(),
        source,
    }
}

/// A cargo command's one-line answer, read before the command ended: it may be parsed
/// while cargo exits, and is trusted only once [`Answer::finish`] says cargo succeeded.
pub struct Answer {
    text: Result<String, std::string::FromUtf8Error>,
    running: Running,
    what: &'static str,
    manifest: String,
    progress: bool,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer").field("what", &self.what).finish()
    }
}

impl Answer {
    /// Starts `cmd` and waits for the first line of its stdout (all of it, when it writes no
    /// newline), cargo's stderr passed on as it comes with `progress`.
    fn read(
        mut cmd: Command,
        what: &'static str,
        manifest: &str,
        progress: bool,
    ) -> Result<Answer, Error> {
        cmd.stdin(Stdio::null());
        let mut running = Running::start(cmd, progress).map_err(missing)?;
        let first = running.first_line().map_err(missing)?;
        crate::interrupt::check(crate::interrupt::NOTHING_WRITTEN)?;
        Ok(Answer {
            text: String::from_utf8(first.unwrap_or_default()),
            running,
            what,
            manifest: manifest.to_owned(),
            progress,
        })
    }

    /// The answer as read so far; an error when it is not UTF-8 text.
    pub fn text(&self) -> Result<&str, Error> {
        self.text.as_deref().map_err(|e| Error::BadMetadata {
            path: format!("output of `cargo {}`", self.what),
            source: e.clone().into(),
        })
    }

    /// Waits for cargo to end: its failure (with its own message), an interrupt, or text
    /// after the answer's line is an error; otherwise the answer stands.
    pub fn finish(self) -> Result<(), Error> {
        let output = self.running.finish(Vec::new()).map_err(missing)?;
        crate::interrupt::check(crate::interrupt::NOTHING_WRITTEN)?;
        if !output.status.success() {
            return Err(Error::CargoFailed {
                command: self.what.to_owned(),
                manifest: self.manifest,
                stderr: cargo_message(&output.stderr, self.progress),
            });
        }
        if !output.stdout.trim_ascii().is_empty() {
            return Err(Error::BadMetadata {
                path: format!("output of `cargo {}`", self.what),
                source: "it goes on after its first line".into(),
            });
        }
        Ok(())
    }

    /// The answer, once cargo has ended well.
    pub fn into_text(self) -> Result<String, Error> {
        let text = self.text()?.to_owned();
        self.finish()?;
        Ok(text)
    }
}

/// cargo's error for the tool's own: its stderr, or, when that was passed on to the terminal
/// as it came, a pointer to it there (it is not shown twice).
fn cargo_message(stderr: &[u8], forwarded: bool) -> String {
    match forwarded {
        true => "(cargo's own message is above)".to_owned(),
        false => String::from_utf8_lossy(stderr).trim_end().to_owned(),
    }
}

/// Runs a cargo command and returns its stdout; on failure, cargo's own stderr.
fn run(cmd: Command, what: &str, manifest: &str, progress: bool) -> Result<String, Error> {
    let output = output_of(cmd, progress)?;
    if !output.status.success() {
        return Err(Error::CargoFailed {
            command: what.to_owned(),
            manifest: manifest.to_owned(),
            stderr: cargo_message(&output.stderr, progress),
        });
    }
    String::from_utf8(output.stdout).map_err(|e| Error::BadMetadata {
        path: format!("output of `cargo {what}`"),
        source: e.into(),
    })
}
