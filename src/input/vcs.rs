//! Version control checks for `fix --apply`: like `cargo fix`, refuse to edit a workspace whose
//! repository has uncommitted changes, or one not under version control, unless `--allow-dirty`.
//! Also the repository's top level, which `check --format sarif|github` names paths from.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What git says about the files asked about (or the whole repository).
#[derive(Debug, PartialEq, Eq)]
pub enum Status {
    /// Inside a git work tree, and none of the files has uncommitted changes.
    Clean,
    /// These files have uncommitted changes.
    Dirty(Vec<Dirty>),
    /// Not inside a git work tree.
    NoVcs,
    /// git could not be run (not installed, or not on PATH): the state is unknown.
    GitMissing(String),
}

/// A file with uncommitted changes.
#[derive(Debug, PartialEq, Eq)]
pub struct Dirty {
    /// Absolute.
    pub path: PathBuf,
    /// Not known to git at all (`??`): nothing of it is committed.
    pub untracked: bool,
}

fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// Checks `files` (absolute paths under `root`) or, when `files` is empty, every file of the
/// repository around `root`, untracked ones included and ignored ones not (as `cargo fix` does).
pub fn status(root: &Path, files: &[PathBuf]) -> Status {
    let top = match git(root).args(["rev-parse", "--show-toplevel"]).output() {
        Err(e) => return Status::GitMissing(e.to_string()),
        Ok(out) if !out.status.success() => return Status::NoVcs,
        Ok(out) => {
            PathBuf::from(String::from_utf8_lossy(&out.stdout).trim_end_matches(['\n', '\r']))
        }
    };
    let out = match git(root)
        .args(["status", "--porcelain", "-z", "--"])
        .args(files)
        .output()
    {
        Err(e) => return Status::GitMissing(e.to_string()),
        Ok(out) if !out.status.success() => return Status::NoVcs,
        Ok(out) => out,
    };
    // `XY path\0`, renames and copies followed by `orig\0`; paths relative to the top level.
    let text = String::from_utf8_lossy(&out.stdout);
    let mut entries = text.split('\0');
    let mut dirty = Vec::new();
    while let Some(e) = entries.next() {
        if e.len() <= 3 {
            continue;
        }
        if e.starts_with('R') || e.starts_with('C') {
            entries.next();
        }
        dirty.push(Dirty {
            path: top.join(&e[3..]),
            untracked: e.starts_with("??"),
        });
    }
    if dirty.is_empty() {
        Status::Clean
    } else {
        Status::Dirty(dirty)
    }
}

/// The top level of the git work tree around `dir`, if any.
pub fn toplevel(dir: &Path) -> Option<PathBuf> {
    let out = git(dir)
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let path = PathBuf::from(text.trim_end_matches(['\n', '\r']));
    path.canonicalize().ok().or(Some(path))
}
