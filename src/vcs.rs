//! Version control checks for `fix --apply`: like `cargo fix`, refuse to edit manifests with
//! uncommitted changes, or a workspace not under version control, unless `--allow-dirty`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What git says about the files `fix` wants to write.
#[derive(Debug, PartialEq, Eq)]
pub enum Status {
    /// Inside a git work tree, and none of the files has uncommitted changes.
    Clean,
    /// These files have uncommitted changes.
    Dirty(Vec<PathBuf>),
    /// Not inside a git work tree (or git is not installed).
    NoVcs,
}

/// Checks `files` (absolute paths under `root`).
pub fn status(root: &Path, files: &[PathBuf]) -> Status {
    let inside = Command::new("git")
        .args(["rev-parse", "--is-inside-work-tree"])
        .current_dir(root)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    match inside {
        Ok(out) if out.status.success() && out.stdout.starts_with(b"true") => {}
        _ => return Status::NoVcs,
    }
    let mut cmd = Command::new("git");
    cmd.args(["status", "--porcelain", "-z", "--"])
        .args(files)
        .current_dir(root)
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    let Ok(out) = cmd.output() else {
        return Status::NoVcs;
    };
    if !out.status.success() {
        return Status::NoVcs;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let dirty: Vec<PathBuf> = text
        .split('\0')
        .filter(|e| e.len() > 3)
        .map(|e| PathBuf::from(&e[3..]))
        .collect();
    if dirty.is_empty() {
        Status::Clean
    } else {
        Status::Dirty(dirty)
    }
}

/// The top level of the git work tree around `dir`, if any.
pub fn toplevel(dir: &Path) -> Option<PathBuf> {
    let out = Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let path = PathBuf::from(text.trim_end_matches(['\n', '\r']));
    path.canonicalize().ok().or(Some(path))
}
