//! Cargo's workspace rules, for the lockfile mode, which reads a workspace without running
//! cargo: the manifest cargo starts from, the root it finds, the members it loads and the
//! path packages outside the workspace that Cargo.lock holds too.
//!
//! Each rule is cargo's (`src/cargo/core/workspace.rs`): a `members` entry written out (not a
//! glob) wins over `exclude`; a glob keeps directories only and, matching nothing, stands for
//! itself; a path dependency inside the root is a member unless excluded; a member may live
//! outside the root when `package.workspace` points back; from a member, the root is the one
//! `package.workspace` names, else the nearest ancestor with `[workspace]` that does not
//! exclude it. What cargo refuses (a member that is not a package, a member of another
//! workspace, two members with one name, a start manifest that is not a member) is refused
//! here too. `tests/oracle.rs` holds these rules against cargo on generated workspaces.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use semver::Version;
use toml_edit::Item;

use super::lockfile::{Declaration, LocalPackage, Parsed, declarations};
use crate::error::Error;
use crate::graph::Kind;
use crate::manifest::document::Manifest;

/// A workspace as cargo lays it out.
pub struct Layout {
    /// The workspace root's directory (where Cargo.lock lives).
    pub root: PathBuf,
    /// The members, in the order cargo finds them, then the other path packages Cargo.lock
    /// holds (path dependencies outside the workspace, `[patch]` paths).
    pub packages: Vec<LocalPackage>,
    /// Names of the `[patch]` entries of the root manifest, with their path when they name one.
    pub patches: Vec<(String, Option<PathBuf>)>,
    /// The manifests read, for the span index (members and the root).
    pub parsed: Parsed,
}

/// Where the lockfile mode starts: the manifest cargo would start from.
pub fn layout(start: &Path) -> Result<Layout, Error> {
    let mut reader = Reader::default();
    let start = normalize(start);
    let root_manifest = reader.find_root(&start)?.unwrap_or_else(|| start.clone());
    let root = root_manifest
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default();
    let root_doc = reader.require(&root_manifest)?;
    let members = if root_doc.get("workspace").is_some() {
        let rules = Rules::of(&root_doc, &root);
        let mut walk = Walk::new(&mut reader, &rules, (&root_manifest, &root_doc));
        walk.members()?;
        let Walk {
            members, outside, ..
        } = walk;
        validate(&mut reader, &members, &root_manifest, &start, &root_doc)?;
        let mut all = members;
        all.extend(outside.into_iter().map(|p| (p, false)));
        all
    } else {
        // No workspace: the package is its own; its path dependencies are not members.
        let mut all = vec![(start.clone(), true)];
        let mut next = 0;
        while next < all.len() {
            let doc = reader.require(&all[next].0)?;
            next += 1;
            for dir in path_dependencies(&doc, &all[next - 1].0, (&root, &root_doc), false) {
                let manifest = dir.join("Cargo.toml");
                if !all.iter().any(|(p, _)| *p == manifest) {
                    all.push((manifest, false));
                }
            }
        }
        all
    };
    finish(reader, root, root_manifest, root_doc, members)
}

/// The packages with their declarations, the `[patch]` paths (and what they depend on) and
/// the parsed manifests.
fn finish(
    mut reader: Reader,
    root: PathBuf,
    root_manifest: PathBuf,
    root_doc: Rc<Manifest>,
    mut found: Vec<(PathBuf, bool)>,
) -> Result<Layout, Error> {
    let patches = patches(&root_doc, &root);
    for dir in patches.iter().filter_map(|(_, p)| p.as_ref()) {
        let manifest = dir.join("Cargo.toml");
        if !found.iter().any(|(p, _)| *p == manifest) {
            found.push((manifest, false));
        }
    }
    // Non-members' path dependencies (normal and build: cargo resolves no dev-dependencies
    // outside the workspace) are in Cargo.lock too.
    let mut next = 0;
    while next < found.len() {
        let (path, member) = found[next].clone();
        next += 1;
        if member {
            continue;
        }
        let Some(doc) = reader.load(&path)? else {
            continue;
        };
        for dir in path_dependencies(&doc, &path, (&root, &root_doc), true) {
            let manifest = dir.join("Cargo.toml");
            if !found.iter().any(|(p, _)| *p == manifest) {
                found.push((manifest, false));
            }
        }
    }
    let ws = WorkspaceFacts::of(&root_doc);
    let mut packages = Vec::new();
    for (path, is_member) in &found {
        let Some(doc) = reader.load(path)? else {
            continue;
        };
        if doc.get("package").is_none() {
            continue;
        }
        packages.push(local_package(path, &doc, &root, &ws, *is_member)?);
    }
    drop(ws);
    let mut parsed: Parsed = Vec::new();
    for (path, is_member) in &found {
        if *is_member && *path != root_manifest {
            parsed.push((path.clone(), reader.take(path)));
        }
    }
    drop(root_doc);
    parsed.push((root_manifest.clone(), reader.take(&root_manifest)));
    Ok(Layout {
        root,
        packages,
        patches,
        parsed,
    })
}

/// What members inherit from the root: `[workspace.dependencies]` and `workspace.package.version`.
struct WorkspaceFacts<'a> {
    doc: &'a Manifest,
    version: Option<Version>,
}

impl<'a> WorkspaceFacts<'a> {
    fn of(doc: &'a Manifest) -> WorkspaceFacts<'a> {
        let version = doc
            .get("workspace")
            .and_then(|w| w.get("package"))
            .and_then(|p| p.get("version"))
            .and_then(Item::as_str)
            .and_then(|v| Version::parse(v).ok());
        WorkspaceFacts { doc, version }
    }
}

/// One local package: name, version and declarations (members: every kind; other path
/// packages: normal and build only, as cargo resolves them).
fn local_package(
    path: &Path,
    doc: &Manifest,
    root: &Path,
    ws: &WorkspaceFacts<'_>,
    is_member: bool,
) -> Result<LocalPackage, Error> {
    let err = |message: &str| Error::Manifest {
        path: path.to_owned(),
        message: message.to_owned(),
        source: None,
    };
    let package = doc
        .get("package")
        .and_then(Item::as_table_like)
        .ok_or_else(|| err("no [package] table"))?;
    let name = package
        .get("name")
        .and_then(Item::as_str)
        .ok_or_else(|| err("no package.name"))?
        .to_owned();
    let version = match package.get("version") {
        Some(v) => match v.as_str() {
            Some(s) => Some(
                Version::parse(s)
                    .map_err(|e| err(&format!("package.version `{s}` is not a version: {e}")))?,
            ),
            None => Some(ws.version.clone().ok_or_else(|| {
                err("package.version is inherited, but the workspace sets no workspace.package.version")
            })?),
        },
        None => Some(Version::new(0, 0, 0)),
    };
    let mut decls: Vec<Declaration> =
        declarations(path, doc, root, ws.doc.workspace_dependencies());
    if !is_member {
        decls.retain(|d| d.kind != Kind::Dev);
    }
    Ok(LocalPackage {
        path: path.to_owned(),
        name,
        version,
        declarations: decls,
        is_member,
        features: crate::manifest::document::feature_table(doc),
    })
}

/// The `[patch.<source>]` entries of the root manifest, with the directory each path names.
fn patches(doc: &Manifest, root: &Path) -> Vec<(String, Option<PathBuf>)> {
    let mut out = Vec::new();
    let Some(sources) = doc.get("patch").and_then(Item::as_table_like) else {
        return out;
    };
    for (_, entries) in sources.iter() {
        let Some(entries) = entries.as_table_like() else {
            continue;
        };
        for (key, item) in entries.iter() {
            let t = item.as_table_like();
            let name = t
                .and_then(|t| t.get("package"))
                .and_then(Item::as_str)
                .unwrap_or(key)
                .to_owned();
            let path = t
                .and_then(|t| t.get("path"))
                .and_then(Item::as_str)
                .map(|p| normalize(&root.join(p)));
            out.push((name, path));
        }
    }
    out
}

/// The directories of a manifest's path dependencies (`normal_build_only`: without
/// dev-dependencies), resolved against its directory, or the root for inherited ones.
fn path_dependencies(
    doc: &Manifest,
    path: &Path,
    (root, root_doc): (&Path, &Manifest),
    normal_build_only: bool,
) -> Vec<PathBuf> {
    declarations(path, doc, root, root_doc.workspace_dependencies())
        .into_iter()
        .filter(|d| !(normal_build_only && d.kind == Kind::Dev))
        .filter_map(|d| d.path_dir)
        .collect()
}

/// `[workspace]` as cargo reads it for membership: the written `members` and `exclude`.
struct Rules {
    root: PathBuf,
    members: Option<Vec<String>>,
    exclude: Vec<String>,
    default_members: Option<Vec<String>>,
}

impl Rules {
    fn of(doc: &Manifest, root: &Path) -> Rules {
        let list = |key: &str| -> Option<Vec<String>> {
            doc.get("workspace")
                .and_then(|w| w.get(key))
                .and_then(Item::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
        };
        Rules {
            root: root.to_owned(),
            members: list("members"),
            exclude: list("exclude").unwrap_or_default(),
            default_members: list("default-members"),
        }
    }

    /// cargo's `is_excluded`: under an `exclude` entry, and not under a `members` entry as
    /// written (a glob names no real directory, so only written-out members win).
    fn is_excluded(&self, manifest: &Path) -> bool {
        let excluded = self
            .exclude
            .iter()
            .any(|e| manifest.starts_with(self.root.join(e)));
        let explicit = self
            .members
            .iter()
            .flatten()
            .any(|m| manifest.starts_with(self.root.join(m)));
        excluded && !explicit
    }

    /// cargo's `members_paths`: each entry joined to the root and expanded as a glob, keeping
    /// directories; an entry that matches nothing stands for itself.
    fn paths(&self, entries: &[String], manifest: &Path) -> Result<Vec<PathBuf>, Error> {
        let mut out = Vec::new();
        for entry in entries {
            let joined = self.root.join(entry);
            let Some(pattern) = joined.to_str() else {
                continue;
            };
            let matches = glob::glob(pattern).map_err(|e| Error::Manifest {
                path: manifest.to_owned(),
                message: format!("bad workspace member pattern `{entry}`"),
                source: Some(e.into()),
            })?;
            let mut found = Vec::new();
            for m in matches {
                let m = m.map_err(|e| Error::Read {
                    path: e.path().to_owned(),
                    source: std::io::Error::new(e.error().kind(), e.error().to_string()),
                })?;
                found.push(m);
            }
            if found.is_empty() {
                out.push(joined);
            } else {
                out.extend(found.into_iter().filter(|p| p.is_dir()));
            }
        }
        Ok(out)
    }
}

/// cargo's member walk over `members` and the path dependencies of each member.
struct Walk<'r> {
    reader: &'r mut Reader,
    rules: &'r Rules,
    root_manifest: &'r Path,
    root_doc: &'r Manifest,
    /// (manifest, is a member): members in the order found.
    members: Vec<(PathBuf, bool)>,
    /// The manifests in `members`, for the check every path dependency makes.
    visited: std::collections::HashSet<PathBuf>,
    /// Path dependencies that are not members.
    outside: Vec<PathBuf>,
}

impl<'r> Walk<'r> {
    fn new(
        reader: &'r mut Reader,
        rules: &'r Rules,
        (root_manifest, root_doc): (&'r Path, &'r Manifest),
    ) -> Walk<'r> {
        Walk {
            reader,
            rules,
            root_manifest,
            root_doc,
            members: Vec::new(),
            visited: std::collections::HashSet::new(),
            outside: Vec::new(),
        }
    }

    fn members(&mut self) -> Result<(), Error> {
        let written = self.rules.members.clone().unwrap_or_default();
        for dir in self.rules.paths(&written, self.root_manifest)? {
            let manifest = dir.join("Cargo.toml");
            self.visit(&manifest, false).map_err(|e| {
                member_error(
                    e,
                    &manifest,
                    "failed to load the manifest of workspace member",
                )
            })?;
        }
        let root = self.root_manifest.to_owned();
        self.visit(&root, false)
    }

    /// cargo's `find_path_deps`.
    fn visit(&mut self, manifest: &Path, is_path_dep: bool) -> Result<(), Error> {
        let manifest = normalize(manifest);
        if self.visited.contains(&manifest) {
            return Ok(());
        }
        let inside = manifest
            .parent()
            .is_some_and(|d| d.starts_with(&self.rules.root));
        if is_path_dep
            && !inside
            && self.reader.find_root(&manifest)?.as_deref() != Some(self.root_manifest)
        {
            self.outside_package(manifest);
            return Ok(());
        }
        if self.rules.is_excluded(&manifest) {
            if is_path_dep {
                self.outside_package(manifest);
            }
            return Ok(());
        }
        self.members.push((manifest.clone(), true));
        self.visited.insert(manifest.clone());
        let doc = self.reader.require(&manifest)?;
        if doc.get("package").is_none() {
            // A virtual root: it has no dependencies, and it is not a package.
            self.members.retain(|(p, _)| *p != manifest);
            self.visited.remove(&manifest);
            return Ok(());
        }
        for dir in path_dependencies(&doc, &manifest, (&self.rules.root, self.root_doc), false) {
            let dep = dir.join("Cargo.toml");
            self.visit(&dep, true)
                .map_err(|e| member_error(e, &manifest, "failed to load a path dependency of"))?;
        }
        Ok(())
    }

    fn outside_package(&mut self, manifest: PathBuf) {
        if !self.outside.contains(&manifest) {
            self.outside.push(manifest);
        }
    }
}

/// An error met while loading a member, said as cargo says it: which member, and why
/// beneath it.
fn member_error(e: Error, manifest: &Path, what: &'static str) -> Error {
    Error::Member {
        manifest: manifest.to_owned(),
        what,
        source: Box::new(e),
    }
}

/// cargo's `validate`: one name per member, every member finds this root, the start manifest
/// is a member, every `default-members` entry is one.
fn validate(
    reader: &mut Reader,
    members: &[(PathBuf, bool)],
    root_manifest: &Path,
    start: &Path,
    root_doc: &Manifest,
) -> Result<(), Error> {
    let mut names: BTreeMap<String, &Path> = BTreeMap::new();
    for (path, _) in members {
        let doc = reader.require(path)?;
        if let Some(name) = doc
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(Item::as_str)
            && let Some(prev) = names.insert(name.to_owned(), path)
        {
            return Err(Error::Manifest {
                path: root_manifest.to_owned(),
                message: format!(
                    "two packages named `{name}` in this workspace: {} and {}",
                    prev.display(),
                    path.display()
                ),
                source: None,
            });
        }
        let found = reader.find_root(path)?;
        if found.as_deref() != Some(root_manifest) {
            let message = match found {
                Some(other) => format!(
                    "package {} is a member of the wrong workspace: expected {}, found {}",
                    path.display(),
                    root_manifest.display(),
                    other.display()
                ),
                None => format!(
                    "workspace member {} is not hierarchically below the workspace root {}",
                    path.display(),
                    root_manifest.display()
                ),
            };
            return Err(Error::Manifest {
                path: path.clone(),
                message,
                source: None,
            });
        }
    }
    if start != root_manifest && !members.iter().any(|(p, _)| p == start) {
        return Err(Error::Manifest {
            path: start.to_owned(),
            message: format!(
                "this package believes it is in the workspace at {}, but the workspace does not list it as a member (cargo refuses it too)",
                root_manifest.display()
            ),
            source: None,
        });
    }
    let root = root_manifest.parent().unwrap_or(Path::new("/"));
    let rules = Rules::of(root_doc, root);
    if start == root_manifest
        && let Some(defaults) = &rules.default_members
    {
        let written = rules.members.clone().unwrap_or_default();
        let listed = rules.paths(&written, root_manifest)?;
        for dir in rules.paths(defaults, root_manifest)? {
            let dir = normalize(&dir);
            let manifest = dir.join("Cargo.toml");
            let excused = listed.iter().any(|l| normalize(l) == dir) && rules.is_excluded(&dir);
            if !members.iter().any(|(p, _)| *p == manifest) && !excused {
                return Err(Error::Manifest {
                    path: root_manifest.to_owned(),
                    message: format!(
                        "package {} is listed in workspace.default-members but is not a member",
                        dir.display()
                    ),
                    source: None,
                });
            }
        }
    }
    Ok(())
}

/// Manifests read once each, by normalised path.
#[derive(Default)]
struct Reader {
    /// `None`: no file at that path.
    cache: BTreeMap<PathBuf, Option<Rc<Manifest>>>,
}

impl Reader {
    /// The manifest at `path`, or `None` when there is no file there; any other failure to
    /// read or parse it is an error naming it.
    fn load(&mut self, path: &Path) -> Result<Option<Rc<Manifest>>, Error> {
        if let Some(cached) = self.cache.get(path) {
            return Ok(cached.clone());
        }
        let doc = match super::read_optional(path)? {
            None => None,
            Some(text) => Some(Rc::new(Manifest::parse(text).map_err(|e| {
                Error::Manifest {
                    path: path.to_owned(),
                    message: format!("invalid TOML: {}", e.message()),
                    source: None,
                }
            })?)),
        };
        self.cache.insert(path.to_owned(), doc.clone());
        Ok(doc)
    }

    /// The manifest at `path`, which must exist.
    fn require(&mut self, path: &Path) -> Result<Rc<Manifest>, Error> {
        self.load(path)?.ok_or_else(|| Error::Read {
            path: path.to_owned(),
            source: super::no_such_file(),
        })
    }

    /// The parsed manifest, moved out for the span index (`None` when it is shared still or
    /// was never read).
    fn take(&mut self, path: &Path) -> Option<Manifest> {
        self.cache
            .get_mut(path)
            .and_then(Option::take)
            .and_then(|rc| Rc::try_unwrap(rc).ok())
    }

    /// cargo's `find_root`: the manifest itself when it has `[workspace]`, the manifest its
    /// `package.workspace` names, else the nearest ancestor's with `[workspace]` that does not
    /// exclude it. `None`: the package is a workspace of its own.
    fn find_root(&mut self, manifest: &Path) -> Result<Option<PathBuf>, Error> {
        let doc = self.require(manifest)?;
        if let Some(root) = root_of(&doc, manifest, manifest) {
            return Ok(Some(root));
        }
        let Some(dir) = manifest.parent() else {
            return Ok(None);
        };
        for ancestor in dir.ancestors().skip(1) {
            let candidate = ancestor.join("Cargo.toml");
            if let Some(doc) = self.load(&candidate)?
                && let Some(root) = root_of(&doc, &candidate, manifest)
            {
                return Ok(Some(root));
            }
        }
        Ok(None)
    }
}

/// cargo's `get_ws_root`: `doc` (at `path`) as the root of `look_from`, if it is one.
fn root_of(doc: &Manifest, path: &Path, look_from: &Path) -> Option<PathBuf> {
    let dir = path.parent()?;
    if doc.get("workspace").is_some() {
        let rules = Rules::of(doc, dir);
        return (!rules.is_excluded(look_from)).then(|| path.to_owned());
    }
    let pointer = doc
        .get("package")
        .and_then(|p| p.get("workspace"))
        .and_then(Item::as_str)?;
    Some(normalize(&dir.join(pointer).join("Cargo.toml")))
}

/// `path` with `.` and `..` folded away, without touching the file system (cargo's
/// `normalize_path`).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
