//! The only writer of files: the `fix --apply` transaction (manifests and Cargo.lock, all or
//! nothing), the verification copy, `--output` and `--write-baseline`, all through the
//! [`WriteFs`] seam the tests use to inject failures.
//!
//! A file is the user's: replacing one keeps its mode, owner and group (the temp file is given
//! them before it is renamed over the original), a symbolic link is written through to its
//! target (the temp file lives in the target's directory), and anything that is not a regular
//! file (a FIFO, a device, `/dev/stdout`) is streamed to, with write errors reported.

use std::fs::{self, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::edit::{EditError, FileChange};

/// Writes whole files. The seam for fault injection: tests supply one that fails.
pub trait WriteFs {
    /// Replaces `path` (or creates it) with `contents`, atomically, keeping what the user had.
    fn write(&self, path: &Path, contents: &[u8]) -> io::Result<()>;

    /// Removes a file the transaction created (restoring "there was no such file").
    fn remove(&self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }

    /// Writes a file of a scratch copy: new, writable, nothing to keep.
    fn create(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        fs::write(path, contents)
    }
}

/// The real writer (see the module documentation).
#[derive(Debug, Default)]
pub struct AtomicFs;

impl WriteFs for AtomicFs {
    fn write(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        if let Some(stream) = standard_stream(path) {
            return stream_to(stream, contents);
        }
        let target = resolve_links(path)?;
        match fs::metadata(&target) {
            Ok(meta) if !meta.is_file() || is_kernel_path(&target) => {
                let file = OpenOptions::new().append(true).open(&target)?;
                stream_to(file, contents)
            }
            Ok(meta) => replace(&target, contents, Some(&meta)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => replace(&target, contents, None),
            Err(e) => Err(e),
        }
    }
}

/// `/dev/stdout` and `/dev/stderr` (and their `/dev/fd`, `/proc/self/fd` names) are the
/// process's own streams: written through the handle, so a `>>` redirection still appends.
fn standard_stream(path: &Path) -> Option<Box<dyn Write>> {
    match path.to_str()? {
        "/dev/stdout" | "/dev/fd/1" | "/proc/self/fd/1" => Some(Box::new(io::stdout())),
        "/dev/stderr" | "/dev/fd/2" | "/proc/self/fd/2" => Some(Box::new(io::stderr())),
        _ => None,
    }
}

/// Files under /dev and /proc are never replaced, only written to.
fn is_kernel_path(path: &Path) -> bool {
    path.starts_with("/dev") || path.starts_with("/proc")
}

fn stream_to(mut to: impl Write, contents: &[u8]) -> io::Result<()> {
    to.write_all(contents)?;
    to.flush()
}

/// Follows symbolic links from `path` to the file they name (which may not exist yet).
pub fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_owned();
    // As the kernel's limit on links in one lookup.
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let to = fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::other(format!(
        "{}: too many levels of symbolic links",
        path.display()
    )))
}

/// A temp file beside `target`, given `meta`'s mode, owner and group (or a new file's default
/// mode), flushed to disk and renamed over `target`. Where the owner cannot be kept (not
/// root, another user's file), the file is rewritten in place instead, which keeps them.
fn replace(target: &Path, contents: &[u8], meta: Option<&fs::Metadata>) -> io::Result<()> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".etcd-deps-").suffix(".tmp");
    if meta.is_none() {
        // A new file gets what `>` would give it (the umask applies).
        builder.permissions(Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(contents)?;
    if let Some(meta) = meta {
        let mine = tmp.as_file().metadata()?;
        if (mine.uid(), mine.gid()) != (meta.uid(), meta.gid())
            && let Err(e) =
                std::os::unix::fs::fchown(tmp.as_file(), Some(meta.uid()), Some(meta.gid()))
        {
            if e.kind() != io::ErrorKind::PermissionDenied {
                return Err(e);
            }
            drop(tmp);
            return rewrite_in_place(target, contents);
        }
        // After chown, which clears set-id bits.
        tmp.as_file()
            .set_permissions(Permissions::from_mode(meta.mode() & 0o7777))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(target).map_err(|e| e.error)?;
    // The rename itself reaches the disk with the directory.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn rewrite_in_place(target: &Path, contents: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).truncate(true).open(target)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// An exclusive lock on the workspace for one `fix` run, as cargo locks its build directory:
/// an advisory `flock` on the workspace root directory itself (no lock file to leave
/// behind; an atomic rename of a manifest does not move it). A second run waits, saying so
/// on stderr, and can still be interrupted while it waits. Released on drop or exit.
#[derive(Debug)]
pub struct WorkspaceLock {
    _dir: fs::File,
}

impl WorkspaceLock {
    pub fn acquire(root: &Path) -> Result<WorkspaceLock, crate::Error> {
        let err = |source| crate::Error::Write {
            path: root.to_owned(),
            source,
        };
        let dir = fs::File::open(root).map_err(err)?;
        let mut said = false;
        loop {
            match dir.try_lock() {
                Ok(()) => return Ok(WorkspaceLock { _dir: dir }),
                Err(fs::TryLockError::WouldBlock) => {}
                Err(fs::TryLockError::Error(e)) => return Err(err(e)),
            }
            if !said {
                said = true;
                let _ = writeln!(
                    io::stderr(),
                    "    Blocking waiting for file lock on the workspace {} (another `cargo etcd-deps fix` holds it)",
                    root.display()
                );
            }
            crate::interrupt::check(crate::interrupt::NOTHING_WRITTEN)?;
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

/// Cargo.lock's part of a transaction: its bytes at planning (None: there was none) and the
/// bytes cargo wrote for the edited workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockChange {
    pub path: PathBuf,
    pub before: Option<Vec<u8>>,
    pub after: Vec<u8>,
}

/// Everything `fix --apply` writes: the manifests' new texts and the lockfile cargo produced
/// for them, all in memory until [`commit`].
#[derive(Clone, Debug, Default)]
pub struct Transaction {
    pub changes: Vec<FileChange>,
    pub lockfile: Option<LockChange>,
}

/// One file to replace: where, what it held at planning, and what it will hold.
struct Step<'a> {
    path: &'a Path,
    before: Option<&'a [u8]>,
    after: &'a [u8],
}

impl Transaction {
    fn steps(&self) -> Vec<Step<'_>> {
        let mut steps: Vec<Step<'_>> = self
            .changes
            .iter()
            .map(|c| Step {
                path: &c.path,
                before: Some(c.before.as_bytes()),
                after: c.after.as_bytes(),
            })
            .collect();
        if let Some(lock) = self
            .lockfile
            .as_ref()
            .filter(|l| l.before.as_ref() != Some(&l.after))
        {
            steps.push(Step {
                path: &lock.path,
                before: lock.before.as_deref(),
                after: &lock.after,
            });
        }
        steps
    }

    /// Whether the lockfile changes.
    pub fn refreshes_lockfile(&self) -> bool {
        self.steps().len() > self.changes.len()
    }
}

/// Writes the transaction, all or nothing: refuses before any write when a file lies outside
/// `root`, is marked read-only or changed since planning; when a write fails, restores every
/// file already written.
pub fn commit(tx: &Transaction, root: &Path, fs: &dyn WriteFs) -> Result<(), EditError> {
    let steps = tx.steps();
    let root = root.canonicalize().unwrap_or_else(|_| root.to_owned());
    for step in &steps {
        preflight(step, &root)?;
    }
    for (i, step) in steps.iter().enumerate() {
        if i == 1 {
            crate::interrupt::pause("committing");
        }
        if let Err(source) = fs.write(step.path, step.after) {
            let restore_failures = restore(&steps[..i], fs);
            return Err(EditError::Write {
                path: step.path.to_owned(),
                source,
                restore_failures,
            });
        }
    }
    Ok(())
}

fn preflight(step: &Step<'_>, root: &Path) -> Result<(), EditError> {
    let path = step.path.to_owned();
    let real = resolve_links(step.path)
        .and_then(|p| match p.parent() {
            Some(dir) => Ok(dir.canonicalize()?.join(p.file_name().unwrap_or_default())),
            None => Ok(p),
        })
        .unwrap_or_else(|_| path.clone());
    if !real.starts_with(root) {
        return Err(EditError::OutsideRoot { path });
    }
    let Some(before) = step.before else {
        if real.exists() {
            return Err(EditError::Changed { path });
        }
        return Ok(());
    };
    let meta = fs::metadata(step.path).map_err(|source| EditError::Read {
        path: path.clone(),
        source,
    })?;
    if meta.permissions().readonly() {
        return Err(EditError::ReadOnly { path });
    }
    let now = fs::read(step.path).map_err(|source| EditError::Read {
        path: path.clone(),
        source,
    })?;
    if now != before {
        return Err(EditError::Changed { path });
    }
    Ok(())
}

/// Puts back what each step's file held; returns the files that could not be.
fn restore(steps: &[Step<'_>], fs: &dyn WriteFs) -> Vec<(PathBuf, io::Error)> {
    let mut failures = Vec::new();
    for step in steps.iter().rev() {
        let result = match step.before {
            Some(bytes) => fs.write(step.path, bytes),
            None => fs.remove(step.path),
        };
        if let Err(e) = result {
            failures.push((step.path.to_owned(), e));
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(dir: &Path, name: &str, before: &str, after: &str) -> FileChange {
        let path = dir.join(name);
        fs::write(&path, before).expect("write");
        FileChange {
            path,
            rel: name.to_owned(),
            before: before.to_owned(),
            after: after.to_owned(),
        }
    }

    fn tx(changes: &[FileChange]) -> Transaction {
        Transaction {
            changes: changes.to_vec(),
            lockfile: None,
        }
    }

    #[test]
    fn a_file_changed_since_planning_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().expect("temp dir");
        let a = change(dir.path(), "a.toml", "a = 1\n", "a = 2\n");
        let b = change(dir.path(), "b.toml", "b = 1\n", "b = 2\n");
        fs::write(&b.path, "b = 1 # edited meanwhile\n").expect("write");
        let err = commit(&tx(&[a.clone(), b.clone()]), dir.path(), &AtomicFs).expect_err("refused");
        assert!(matches!(err, EditError::Changed { ref path } if *path == b.path));
        assert_eq!(fs::read_to_string(&a.path).expect("read"), "a = 1\n");
        assert_eq!(
            fs::read_to_string(&b.path).expect("read"),
            "b = 1 # edited meanwhile\n"
        );
    }

    #[test]
    fn a_file_outside_the_root_is_refused() {
        let root = tempfile::tempdir().expect("temp dir");
        let elsewhere = tempfile::tempdir().expect("temp dir");
        let c = change(elsewhere.path(), "Cargo.toml", "x = 1\n", "x = 2\n");
        let err =
            commit(&tx(std::slice::from_ref(&c)), root.path(), &AtomicFs).expect_err("refused");
        assert!(matches!(err, EditError::OutsideRoot { .. }));
        assert_eq!(fs::read_to_string(&c.path).expect("read"), "x = 1\n");
    }

    #[test]
    fn a_new_lockfile_is_removed_again_when_a_later_write_fails() {
        struct FailSecond(std::cell::Cell<usize>);
        impl WriteFs for FailSecond {
            fn write(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
                self.0.set(self.0.get() + 1);
                if self.0.get() == 2 {
                    return Err(io::Error::other("injected"));
                }
                AtomicFs.write(path, contents)
            }
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let a = change(dir.path(), "Cargo.toml", "a = 1\n", "a = 2\n");
        let lock = dir.path().join("Cargo.lock");
        let t = Transaction {
            changes: vec![a.clone()],
            lockfile: Some(LockChange {
                path: lock.clone(),
                before: None,
                after: b"version = 4\n".to_vec(),
            }),
        };
        // The manifest is written, the lockfile fails: the manifest is restored.
        let err = commit(&t, dir.path(), &FailSecond(Default::default())).expect_err("fails");
        assert!(
            matches!(err, EditError::Write { ref restore_failures, .. } if restore_failures.is_empty())
        );
        assert_eq!(fs::read_to_string(&a.path).expect("read"), "a = 1\n");
        assert!(!lock.exists());
    }

    #[test]
    fn writes_keep_mode_owner_and_group_and_leave_no_temp_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let c = change(dir.path(), "Cargo.toml", "x = 1\n", "x = 2\n");
        fs::set_permissions(&c.path, Permissions::from_mode(0o640)).expect("chmod");
        let root = running_as_root();
        if root {
            std::os::unix::fs::chown(&c.path, Some(4242), Some(4343)).expect("chown");
        }
        commit(&tx(std::slice::from_ref(&c)), dir.path(), &AtomicFs).expect("written");
        assert_eq!(fs::read_to_string(&c.path).expect("read"), "x = 2\n");
        let meta = fs::metadata(&c.path).expect("meta");
        assert_eq!(meta.mode() & 0o7777, 0o640);
        if root {
            assert_eq!((meta.uid(), meta.gid()), (4242, 4343));
        }
        let names: Vec<_> = fs::read_dir(dir.path())
            .expect("read dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["Cargo.toml"]);
    }

    #[test]
    fn a_link_is_written_through_and_stays_a_link() {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::create_dir(dir.path().join("real")).expect("mkdir");
        let real = dir.path().join("real/Cargo.toml");
        fs::write(&real, "x = 1\n").expect("write");
        let link = dir.path().join("Cargo.toml");
        std::os::unix::fs::symlink("real/Cargo.toml", &link).expect("link");
        AtomicFs.write(&link, b"x = 2\n").expect("written");
        assert!(
            fs::symlink_metadata(&link)
                .expect("meta")
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).expect("read"), "x = 2\n");
        // A dangling link gets its target created.
        let dangling = dir.path().join("out.json");
        std::os::unix::fs::symlink("real/new.json", &dangling).expect("link");
        AtomicFs.write(&dangling, b"{}").expect("written");
        assert_eq!(
            fs::read(dir.path().join("real/new.json")).expect("read"),
            b"{}"
        );
    }

    #[test]
    fn a_full_device_is_a_write_error() {
        if !Path::new("/dev/full").exists() {
            return;
        }
        let err = AtomicFs
            .write(Path::new("/dev/full"), b"report")
            .expect_err("ENOSPC");
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
        AtomicFs
            .write(Path::new("/dev/null"), b"report")
            .expect("written");
        use std::os::unix::fs::FileTypeExt;
        assert!(
            fs::metadata("/dev/null")
                .expect("meta")
                .file_type()
                .is_char_device()
        );
    }

    /// Whether the tests run as root (ownership can then be given away and checked).
    fn running_as_root() -> bool {
        fs::metadata("/proc/self")
            .map(|m| m.uid() == 0)
            .unwrap_or(false)
    }
}
