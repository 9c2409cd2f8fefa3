//! The only writer of files: the `fix --apply` transaction (manifests and Cargo.lock, all or
//! nothing), the verification copy, `--output` and `--write-baseline`, all through the
//! [`WriteFs`] seam the tests use to inject failures.
//!
//! A file is the user's: replacing one keeps its mode, owner and group (the temp file is given
//! them before it is renamed over the original), a symbolic link is written through to its
//! target (the temp file lives in the target's directory), and anything that is not a regular
//! file (a FIFO, a device, `/dev/stdout`) is streamed to, with write errors reported.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
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

    /// Creates one directory (of a scratch copy, or the directories that hold it).
    fn create_dir(&self, path: &Path) -> io::Result<()> {
        fs::create_dir(path)
    }

    /// Removes a scratch copy and everything in it.
    fn remove_tree(&self, path: &Path) -> io::Result<()> {
        fs::remove_dir_all(path)
    }

    /// Removes a directory created for a scratch copy, if it is empty.
    fn remove_dir(&self, path: &Path) -> io::Result<()> {
        fs::remove_dir(path)
    }
}

/// A scratch directory inside the workspace root, for the verification copy:
/// `target/etcd-deps/verify-*`, or `.etcd-deps-verify-*` when `target` is a link or not a
/// directory (cargo, run there, then reads the same `.cargo/config.toml` files as in the
/// root, since it reads them from its working directory upward). Written through the seam;
/// removed on drop with every directory created for it, on success, error and interrupt alike.
pub struct ScratchDir<'a> {
    pub dir: PathBuf,
    /// Directories created for the copy, outermost first (the copy itself last).
    created: Vec<PathBuf>,
    fs: &'a dyn WriteFs,
}

impl<'a> ScratchDir<'a> {
    /// Creates a new scratch directory in `root`; the error names the directory it failed in.
    pub fn new_in(
        root: &Path,
        fs: &'a dyn WriteFs,
    ) -> Result<ScratchDir<'a>, (PathBuf, io::Error)> {
        let target = root.join("target");
        let plain_dir = match fs::symlink_metadata(&target) {
            Ok(meta) => meta.is_dir(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => true,
            Err(e) => return Err((target, e)),
        };
        let (parents, prefix) = if plain_dir {
            (vec![target.clone(), target.join("etcd-deps")], "verify-")
        } else {
            (Vec::new(), ".etcd-deps-verify-")
        };
        let mut scratch = ScratchDir {
            dir: PathBuf::new(),
            created: Vec::new(),
            fs,
        };
        for dir in &parents {
            if scratch.make_dir(dir).map_err(|e| (dir.clone(), e))? {
                scratch.created.push(dir.clone());
            }
        }
        let base = parents.last().map(PathBuf::as_path).unwrap_or(root);
        // A name no other run uses: the process id, then a counter on collision.
        for n in 0u32.. {
            let dir = base.join(format!("{prefix}{}-{n}", std::process::id()));
            if scratch.make_dir(&dir).map_err(|e| (base.to_owned(), e))? {
                scratch.created.push(dir.clone());
                scratch.dir = dir;
                return Ok(scratch);
            }
        }
        unreachable!("a u32 counter finds a free name")
    }

    /// Creates `dir`; false if it already existed.
    fn make_dir(&self, dir: &Path) -> io::Result<bool> {
        match self.fs.create_dir(dir) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Writes `rel` (relative to the scratch directory) as a new file, creating its parents.
    pub fn write(&self, rel: &Path, contents: &[u8]) -> io::Result<()> {
        let mut dir = self.dir.clone();
        for part in rel.parent().into_iter().flat_map(Path::components) {
            dir.push(part);
            self.make_dir(&dir)?;
        }
        self.fs.create(&self.dir.join(rel), contents)
    }
}

impl Drop for ScratchDir<'_> {
    fn drop(&mut self) {
        // The copy itself, then the directories created for it, innermost first, if empty.
        let mut dirs = self.created.iter().rev();
        if let Some(copy) = dirs.next() {
            let _ = self.fs.remove_tree(copy);
        }
        for dir in dirs {
            let _ = self.fs.remove_dir(dir);
        }
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

/// `e` without the path tempfile adds to it: the operating system's error alone.
fn without_path(e: io::Error) -> io::Error {
    match e.raw_os_error() {
        Some(code) => io::Error::from_raw_os_error(code),
        None => io::Error::from(e.kind()),
    }
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
    #[cfg(unix)]
    if meta.is_none() {
        // A new file gets what `>` would give it (the umask applies).
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    if !dir.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("the directory {} does not exist", dir.display()),
        ));
    }
    // The temporary file's name is ours, not the user's: an error names neither.
    let mut tmp = builder.tempfile_in(dir).map_err(without_path)?;
    tmp.write_all(contents)?;
    if let Some(meta) = meta
        && !keep_metadata(tmp.as_file(), meta)?
    {
        drop(tmp);
        return rewrite_in_place(target, contents);
    }
    tmp.as_file().sync_all()?;
    tmp.persist(target).map_err(|e| e.error)?;
    // The rename itself reaches the disk with the directory.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Gives `file` the mode, owner and group of `meta`; false when the owner cannot be kept
/// (the caller then rewrites the original in place, which keeps them).
#[cfg(unix)]
fn keep_metadata(file: &fs::File, meta: &fs::Metadata) -> io::Result<bool> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let mine = file.metadata()?;
    if (mine.uid(), mine.gid()) != (meta.uid(), meta.gid()) {
        match std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid())) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => return Ok(false),
            Err(e) => return Err(e),
        }
    }
    // After chown, which clears set-id bits.
    file.set_permissions(fs::Permissions::from_mode(meta.mode() & 0o7777))?;
    Ok(true)
}

#[cfg(not(unix))]
fn keep_metadata(file: &fs::File, meta: &fs::Metadata) -> io::Result<bool> {
    file.set_permissions(meta.permissions())?;
    Ok(true)
}

fn rewrite_in_place(target: &Path, contents: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).truncate(true).open(target)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// An exclusive lock on the workspace for one `fix` run (on Unix), as cargo locks its build
/// directory:
/// an advisory `flock` on the workspace root directory itself (no lock file to leave
/// behind; an atomic rename of a manifest does not move it). A second run waits, saying so
/// on stderr, and can still be interrupted while it waits. Released on drop or exit.
#[derive(Debug)]
pub struct WorkspaceLock {
    _dir: Option<fs::File>,
}

impl WorkspaceLock {
    pub fn acquire(root: &Path) -> Result<WorkspaceLock, crate::Error> {
        let err = |source| crate::Error::Read {
            path: root.to_owned(),
            source,
        };
        if !cfg!(unix) {
            // A directory cannot be opened as a file elsewhere: no lock there.
            return Ok(WorkspaceLock { _dir: None });
        }
        let dir = fs::File::open(root).map_err(err)?;
        let mut said = false;
        loop {
            match dir.try_lock() {
                Ok(()) => return Ok(WorkspaceLock { _dir: Some(dir) }),
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

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::fs::Permissions;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

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
    fn a_full_device_is_a_write_error_and_stays_a_device() {
        use std::os::unix::fs::FileTypeExt;
        // A private node like /dev/full, so a regression could never replace the system's.
        let dir = tempfile::tempdir().expect("temp dir");
        let full = dir.path().join("full");
        let made = std::process::Command::new("mknod")
            .arg(&full)
            .args(["c", "1", "7"])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !made || OpenOptions::new().write(true).open(&full).is_err() {
            return;
        }
        let err = AtomicFs.write(&full, b"report").expect_err("ENOSPC");
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
        let meta = fs::symlink_metadata(&full).expect("meta");
        assert!(meta.file_type().is_char_device());
    }

    /// Whether the tests run as root (ownership can then be given away and checked).
    fn running_as_root() -> bool {
        fs::metadata("/proc/self")
            .map(|m| m.uid() == 0)
            .unwrap_or(false)
    }
}
