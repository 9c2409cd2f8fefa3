//! The fleet's input for `scan`: where its workspaces are, and nothing else. Under some
//! directories, a workspace is a directory that holds a Cargo.lock, found without following
//! links or entering `target/`, `.git/` and vendored crates; or the list `--from FILE` names.
//! Fails closed: a directory that cannot be listed is reported, never skipped, and a Cargo.lock
//! that is not a regular file is refused before anything opens it. Each workspace is then
//! loaded by [`super::load`] in the lockfile mode; the only files read here are the list
//! (through the input limit) and, to tell a member's leftover Cargo.lock from a workspace of
//! its own, the enclosing workspace's manifests (through [`super::workspace::layout`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// What discovery found at one place.
#[derive(Debug)]
pub(crate) enum Found {
    /// A directory with a Cargo.lock.
    Workspace(PathBuf),
    /// A directory that could not be listed: a workspace may be in it, unseen.
    Unlisted(PathBuf, Error),
}

impl Found {
    pub(crate) fn path(&self) -> &Path {
        match self {
            Found::Workspace(p) | Found::Unlisted(p, _) => p,
        }
    }
}

/// Reads `--from FILE` (with the input limit): one path a line (a workspace directory or its
/// Cargo.lock); blank lines and `#` comments are skipped.
pub(crate) fn read_list(list: &Path) -> Result<Vec<PathBuf>, Error> {
    let text = super::cargo::read_file_limited(list)?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| workspace_of(Path::new(l)))
        .collect())
}

/// The workspace directory a path names: the directory itself, or the one a Cargo.lock is in.
pub(crate) fn workspace_of(path: &Path) -> PathBuf {
    if path.file_name().is_some_and(|n| n == "Cargo.lock") {
        path.parent()
            .map_or_else(|| PathBuf::from("."), Path::to_owned)
    } else {
        path.to_owned()
    }
}

/// The Cargo.lock of the workspace at `dir`, if it is a regular file (through links): a FIFO
/// or a device would block or never end, a directory or a dangling link holds no lockfile.
pub(crate) fn lockfile(dir: &Path) -> Result<PathBuf, Error> {
    let lock = dir.join("Cargo.lock");
    let meta = match std::fs::metadata(&lock) {
        Ok(meta) => meta,
        Err(e) if lock.is_symlink() => {
            return Err(Error::Manifest {
                path: lock,
                message: "is a symbolic link whose target cannot be read".to_owned(),
                source: Some(e.into()),
            });
        }
        Err(source) => return Err(Error::Read { path: lock, source }),
    };
    if meta.is_file() {
        return Ok(lock);
    }
    let what = if meta.is_dir() {
        "a directory"
    } else {
        "a FIFO, socket or device"
    };
    Err(Error::Manifest {
        path: lock,
        message: format!("is {what}, not a regular file"),
        source: None,
    })
}

/// Collects what is under `dir`: every directory with a Cargo.lock (of any file type: whether
/// it can be read is [`lockfile`]'s question), and every directory that could not be listed.
/// Skips `target/`, `.git/`, vendored crates (a `.cargo-checksum.json` beside them) and
/// symbolic links, and the Cargo.lock of a member of a workspace already found (a leftover from
/// when it stood alone: cargo uses the workspace's).
pub(crate) fn discover(dir: &Path, found: &mut Vec<Found>) {
    Walk::default().visit(dir, found, &[]);
}

/// The members of the enclosing workspaces, read once each (`None`: their manifests could not
/// be read, so no nested Cargo.lock is taken for a leftover).
#[derive(Default)]
struct Walk {
    members: HashMap<PathBuf, Option<Vec<PathBuf>>>,
}

impl Walk {
    fn visit(&mut self, dir: &Path, found: &mut Vec<Found>, enclosing: &[PathBuf]) {
        let listing = match list(dir) {
            Ok(listing) => listing,
            Err(source) => {
                let error = Error::Read {
                    path: dir.to_owned(),
                    source,
                };
                found.push(Found::Unlisted(dir.to_owned(), error));
                return;
            }
        };
        if listing.vendored {
            return;
        }
        let mut inner: Vec<PathBuf> = enclosing.to_vec();
        if listing.lock {
            if !enclosing.iter().any(|ws| self.is_member(dir, ws)) {
                found.push(Found::Workspace(dir.to_owned()));
            }
            inner.push(dir.to_owned());
        }
        for sub in listing.subdirs {
            self.visit(&sub, found, &inner);
        }
    }

    /// Whether the package in `dir` is a member of the workspace at `ws`, by cargo's rules as
    /// the lockfile mode reads them.
    fn is_member(&mut self, dir: &Path, ws: &Path) -> bool {
        let members = self.members.entry(ws.to_owned()).or_insert_with(|| {
            super::workspace::layout(&ws.join("Cargo.toml"))
                .ok()
                .map(|layout| {
                    layout
                        .packages
                        .into_iter()
                        .filter(|p| p.is_member)
                        .map(|p| p.path)
                        .collect()
                })
        });
        let manifest = dir.join("Cargo.toml");
        members.as_ref().is_some_and(|m| m.contains(&manifest))
    }
}

/// One directory's entries, as discovery needs them.
struct Listing {
    lock: bool,
    vendored: bool,
    /// Sorted, so discovery order never depends on the file system.
    subdirs: Vec<PathBuf>,
}

/// Lists `dir`; any error (listing it, reading an entry or its type) is the directory's.
fn list(dir: &Path) -> std::io::Result<Listing> {
    let mut listing = Listing {
        lock: false,
        vendored: false,
        subdirs: Vec::new(),
    };
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        match name.to_str() {
            Some("Cargo.lock") => listing.lock = true,
            Some(".cargo-checksum.json") => listing.vendored = true,
            Some("target" | ".git") => {}
            _ if entry.file_type()?.is_dir() => listing.subdirs.push(entry.path()),
            _ => {}
        }
    }
    listing.subdirs.sort();
    Ok(listing)
}
