//! The fleet's input for `scan`: the workspaces under some directories (a directory with a
//! Cargo.lock, found without following links or entering `target/`, `.git/` and vendored
//! crates), or the list `--from FILE` names. Each one is then loaded by [`super::load`] in
//! the lockfile mode.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Error;

/// Reads `--from FILE`: one path a line (a workspace directory or its Cargo.lock); blank
/// lines and `#` comments are skipped.
pub(crate) fn read_list(list: &Path) -> Result<Vec<PathBuf>, Error> {
    let text = std::fs::read_to_string(list).map_err(|source| Error::Read {
        path: list.to_owned(),
        source,
    })?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let p = PathBuf::from(l);
            if p.file_name().is_some_and(|n| n == "Cargo.lock") {
                p.parent()
                    .map_or_else(|| PathBuf::from("."), Path::to_owned)
            } else {
                p
            }
        })
        .collect())
}

/// Collects every workspace under `dir`: a directory with a Cargo.lock. Skips `target/`,
/// `.git/`, vendored crates (a `.cargo-checksum.json` beside them) and symbolic links, and
/// a nested Cargo.lock of a member of a workspace already found (a leftover from when it
/// stood alone: cargo uses the workspace's).
pub(crate) fn discover(dir: &Path, found: &mut Vec<PathBuf>) {
    discover_in(dir, found, &[]);
}

fn discover_in(dir: &Path, found: &mut Vec<PathBuf>, enclosing: &[PathBuf]) {
    if dir.join(".cargo-checksum.json").is_file() {
        return;
    }
    let mut inner: Vec<PathBuf> = enclosing.to_vec();
    if dir.join("Cargo.lock").is_file() {
        if !enclosing.iter().any(|ws| is_member_of(dir, ws)) {
            found.push(dir.to_owned());
        }
        inner.push(dir.to_owned());
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    // Sorted so discovery order never depends on the file system.
    let mut subdirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| !matches!(e.file_name().to_str(), Some("target" | ".git")))
        .map(|e| e.path())
        .collect();
    subdirs.sort();
    for sub in subdirs {
        discover_in(&sub, found, &inner);
    }
}

/// Whether the package in `dir` is a path package of the workspace at `ws` (its Cargo.lock
/// lists it with no source).
fn is_member_of(dir: &Path, ws: &Path) -> bool {
    #[derive(Deserialize)]
    struct Lock {
        #[serde(default)]
        package: Vec<Pkg>,
    }
    #[derive(Deserialize)]
    struct Pkg {
        name: String,
        source: Option<String>,
    }
    #[derive(Deserialize)]
    struct Manifest {
        package: Option<Named>,
    }
    #[derive(Deserialize)]
    struct Named {
        name: String,
    }
    let read = |p: PathBuf| std::fs::read_to_string(p).ok();
    let Some(name) = read(dir.join("Cargo.toml"))
        .and_then(|t| toml::from_str::<Manifest>(&t).ok())
        .and_then(|m| m.package)
        .map(|p| p.name)
    else {
        return false;
    };
    read(ws.join("Cargo.lock"))
        .and_then(|t| toml::from_str::<Lock>(&t).ok())
        .is_some_and(|l| {
            l.package
                .iter()
                .any(|p| p.name == name && p.source.is_none())
        })
}
