//! Whether Cargo.lock is the one cargo would keep for the workspace as its manifests stand
//! now, judged as `cargo metadata --locked` judges it: each local package's locked
//! dependencies against its own declarations, not against whatever some other package locks.
//!
//! A lockfile is out of date when a local package (a member, a path dependency, a `[patch]`
//! path) is missing from it or has another version; when a declaration has no locked
//! dependency of that package that satisfies it (a requirement moved to another line, a
//! dependency added); when a locked dependency answers no declaration (a dependency removed);
//! when it holds a path package the workspace no longer has; or when a `[patch]` entry is
//! neither used nor listed as unused. Analysing such a lockfile would report versions the next
//! build will not use, so it is refused with the line and the refresh command.

use std::path::{Path, PathBuf};

use semver::{Version, VersionReq};

use super::lockfile::{Declaration, LocalPackage, LockError, RawLock};
use crate::graph::{Edge, Package};

/// Cargo.lock as read: its raw entries, the packages built from them and the edges of its
/// dependency references (without those to path packages the workspace no longer has).
pub(super) struct Lock<'a> {
    pub(super) raw: &'a RawLock<'a>,
    pub(super) packages: &'a [Package],
    pub(super) edges: &'a [(usize, usize, Edge)],
    /// References to path packages the workspace no longer has.
    pub(super) dropped: &'a [(usize, usize)],
}

/// Refuses a Cargo.lock that cargo would rewrite for `local` (`placed`: the local package
/// locked at each index).
pub(super) fn check(
    lock: &Lock<'_>,
    local: super::lockfile::Local<'_>,
    placed: &[Option<&LocalPackage>],
    (lock_path, root): (&Path, &Path),
) -> Result<(), LockError> {
    let stale = |message: String| LockError {
        path: lock_path.to_owned(),
        message: format!(
            "out of date: {message}; run `cargo update --workspace` to refresh it, then check again"
        ),
    };
    let shown = |p: &Path| crate::location::relative(root, p);
    for m in local.packages {
        if placed.iter().any(|p| p.is_some_and(|p| std::ptr::eq(p, m))) {
            continue;
        }
        if is_unused_patch(lock, local.patches, m) {
            continue;
        }
        let what = if m.is_member {
            "workspace member"
        } else {
            "path package"
        };
        let version = m
            .version
            .as_ref()
            .map(|v| format!(" {v}"))
            .unwrap_or_default();
        return Err(stale(format!(
            "{what} `{}{version}` ({}) is not in Cargo.lock",
            m.name,
            shown(&m.path)
        )));
    }
    // Only a `[patch]` lets a registry package depend on a path package: the patch is gone.
    if let Some(&(from, to)) = lock
        .dropped
        .iter()
        .find(|(from, _)| placed[*from].is_none())
    {
        return Err(stale(format!(
            "Cargo.lock has {} depend on the path package {}, which the workspace no longer has",
            lock.packages[from].label(),
            lock.packages[to].label()
        )));
    }
    // cargo drops the path packages the workspace no longer has when it reads the lockfile;
    // what they alone depended on would go with them.
    let deps = dependencies(lock);
    if let Some(i) = unreachable(&deps, placed, lock) {
        let p = &lock.packages[i];
        return Err(stale(format!(
            "Cargo.lock holds {}, which nothing in the workspace depends on any more",
            p.label()
        )));
    }
    for (i, m) in placed.iter().enumerate() {
        if let Some(m) = m {
            check_package(lock, (local, placed), &deps[i], m).map_err(|problem| match problem {
                Problem::Stale(msg) => stale(msg(&shown)),
                Problem::Refused(msg) => LockError {
                    path: m.path.clone(),
                    message: msg(&shown),
                },
            })?;
        }
    }
    for (name, _) in local.patches {
        let used = lock.raw.package.iter().any(|p| p.name == *name);
        let unused = lock.raw.patch.unused.iter().any(|p| p.name == *name);
        if !used && !unused {
            return Err(stale(format!(
                "the `[patch]` entry for `{name}` is neither in Cargo.lock nor listed there as unused"
            )));
        }
    }
    Ok(())
}

/// A message that names paths relative to the workspace root once it is given the way to.
type Message = Box<dyn Fn(&dyn Fn(&Path) -> String) -> String>;

/// What is wrong with one local package's entry.
enum Problem {
    /// Cargo would rewrite Cargo.lock.
    Stale(Message),
    /// Cargo refuses the manifest as it stands, whatever the lockfile says.
    Refused(Message),
}

/// One local package's locked dependencies against its declarations.
fn check_package(
    lock: &Lock<'_>,
    (local, placed): (super::lockfile::Local<'_>, &[Option<&LocalPackage>]),
    deps: &[usize],
    m: &LocalPackage,
) -> Result<(), Problem> {
    // The key of the first declaration that answers each locked dependency.
    let mut claimed: Vec<Option<&str>> = vec![None; deps.len()];
    for d in &m.declarations {
        let mut found = false;
        for (k, &j) in deps.iter().enumerate() {
            if lock.packages[j].name == d.package
                && answers(d, &lock.packages[j], placed[j], local.patches)
            {
                if let Some(other) = claimed[k].filter(|other| *other != d.key) {
                    let (dep, name) = (lock.packages[j].label(), m.name.clone());
                    let keys = format!("`{other}` and `{}`", d.key);
                    return Err(Problem::Refused(Box::new(move |_| {
                        format!(
                            "`{name}` depends on {dep} under two names, {keys}, which cargo refuses"
                        )
                    })));
                }
                claimed[k] = Some(&d.key);
                found = true;
            }
        }
        // A path package outside the workspace resolves an optional dependency only when some
        // feature turns it on; members resolve every one.
        if !found && (m.is_member || !d.optional) {
            let held: Vec<String> = deps
                .iter()
                .filter(|&&j| lock.packages[j].name == d.package)
                .map(|&j| lock.packages[j].version.to_string())
                .collect();
            let (path, line, name) = (m.path.clone(), d.line, m.name.clone());
            let (package, req) = (d.package.clone(), d.req.clone());
            let is_path = d.is_path;
            return Err(Problem::Stale(Box::new(move |shown| {
                let at = line.map_or_else(|| shown(&path), |l| format!("{}:{l}", shown(&path)));
                let wants = match (&req, is_path) {
                    (_, true) => format!("the path package {package}"),
                    (Some(r), false) => format!("{package} {r}"),
                    (None, false) => package.clone(),
                };
                let has = match held.as_slice() {
                    [] => format!("Cargo.lock locks no {package} for `{name}`"),
                    _ => format!(
                        "Cargo.lock locks {package} {} for `{name}`",
                        held.join(", ")
                    ),
                };
                format!("{at} requires {wants}, but {has}")
            })));
        }
    }
    if let Some(k) = claimed.iter().position(Option::is_none) {
        let dep = &lock.packages[deps[k]];
        let (dep, path, name) = (dep.label(), m.path.clone(), m.name.clone());
        return Err(Problem::Stale(Box::new(move |shown| {
            format!(
                "Cargo.lock lists {dep} as a dependency of `{name}`, which {} no longer declares",
                shown(&path)
            )
        })));
    }
    Ok(())
}

/// Each package's locked dependencies (lock indices, each once).
fn dependencies(lock: &Lock<'_>) -> Vec<Vec<usize>> {
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); lock.packages.len()];
    for &(from, to, _) in lock.edges {
        if !deps[from].contains(&to) {
            deps[from].push(to);
        }
    }
    deps
}

/// A locked package that no local package reaches (path packages the workspace no longer
/// has aside), if any.
fn unreachable(
    deps: &[Vec<usize>],
    placed: &[Option<&LocalPackage>],
    lock: &Lock<'_>,
) -> Option<usize> {
    let mut seen = vec![false; deps.len()];
    let mut queue: Vec<usize> = (0..deps.len())
        .filter(|&i| placed[i].is_some_and(|m| m.is_member))
        .collect();
    for &i in &queue {
        seen[i] = true;
    }
    while let Some(i) = queue.pop() {
        for &j in &deps[i] {
            if !seen[j] {
                seen[j] = true;
                queue.push(j);
            }
        }
    }
    // A used `[patch]` path nothing reaches any more would move to `[[patch.unused]]`.
    (0..deps.len())
        .find(|&i| !seen[i] && (lock.raw.package[i].source.is_some() || placed[i].is_some()))
}

/// Whether declaration `d` can be what resolved to `target` (`local`: the local package
/// locked as `target`, if it is one).
pub(super) fn answers(
    d: &Declaration,
    target: &Package,
    local: Option<&LocalPackage>,
    patches: &[(String, Option<PathBuf>)],
) -> bool {
    if d.is_path {
        return match (local, &d.path_dir) {
            (Some(l), Some(dir)) => l.path.parent() == Some(dir.as_path()),
            _ => target.source.is_none(),
        };
    }
    if target.source.is_none() {
        // A registry or git declaration answered by a local package: a `[patch]` path.
        let patched = local.is_some_and(|l| {
            patches
                .iter()
                .any(|(name, dir)| *name == target.name && dir.as_deref() == l.path.parent())
        });
        if !patched {
            return false;
        }
    }
    match d.req.as_deref().map(VersionReq::parse) {
        Some(Ok(req)) => matches(&req, &target.version),
        _ => true,
    }
}

/// cargo's matching of a locked version against a requirement: a pre-release also matches as
/// its release (`--precise` can lock one).
fn matches(req: &VersionReq, version: &Version) -> bool {
    if req.matches(version) {
        return true;
    }
    let mut release = version.clone();
    release.pre = semver::Prerelease::EMPTY;
    !version.pre.is_empty() && req.matches(&release)
}

/// A `[patch]` path package that Cargo.lock lists under `[[patch.unused]]`.
fn is_unused_patch(
    lock: &Lock<'_>,
    patches: &[(String, Option<PathBuf>)],
    m: &LocalPackage,
) -> bool {
    let is_patch = patches
        .iter()
        .any(|(name, dir)| *name == m.name && dir.as_deref() == m.path.parent());
    is_patch
        && lock.raw.patch.unused.iter().any(|p| {
            p.name == m.name
                && m.version
                    .as_ref()
                    .is_none_or(|v| p.version == v.to_string().as_str())
        })
}
