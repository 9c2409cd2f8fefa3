//! Proof of a fix plan: the changes are applied to a copy of the workspace's manifests and
//! lockfile, cargo re-resolves the copy against the user's own sources, and the analysis runs
//! again. "Verified" means cargo resolves it, the targeted findings are gone and no new
//! error-level finding appears; it does not mean the code compiles.
//!
//! The copy lives inside the workspace root, so cargo run from it sees the same
//! `.cargo/config.toml` files (source replacement, vendoring) as the workspace itself, with
//! their relative paths intact; path dependencies outside the root are read where they are,
//! by absolute path. It is written through the writer seam and removed afterwards, also on
//! an error or an interrupt. The copy's metadata is read by `input` as the workspace's was,
//! and the same policy (levels, allow entries, version rules on the same day) judges its
//! findings.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::analysis::{self, Finding, Level};
use crate::diags;
use crate::error::Error;
use crate::graph::DepGraph;
use crate::input::cargo as metadata;
use crate::input::{CargoOptions, Workspace, build_log};
use crate::interrupt;
use crate::manifest::edit::FileChange;
use crate::manifest::write::{LockChange, ScratchDir, WriteFs};
use crate::plan::FixPlan;
use crate::policy::{self, Gate};
use crate::report::fix::{AboveRustVersion, BuildCheck, BuildError, Residual, Verification};

/// What cargo made of the scratch copy with the changes and commands applied.
#[derive(Debug)]
pub struct Resolved {
    /// `cargo metadata` JSON of the edited copy.
    pub json: String,
    /// Cargo.lock: the workspace's as the copy was made, and the copy's after cargo's commands
    /// and resolve (what the workspace's will be).
    pub lockfile: Option<LockChange>,
    /// The copy's findings after policy, located in the edited manifests (filled by `verify`).
    pub findings: Vec<Finding>,
    /// The lines each crate resolves on in the copy (filled by `verify`).
    pub lines: BTreeMap<String, BTreeSet<analysis::Line>>,
}

/// Applies `changes` and `commands` to a scratch copy of the workspace and resolves it with
/// cargo. `Ok(Err(message))`: the copy could not be made or cargo refused it (its message).
pub fn resolve_copy(
    graph: &DepGraph,
    changes: &[FileChange],
    commands: &[Vec<String>],
    cargo: &CargoOptions,
    fs: &dyn WriteFs,
) -> Result<Result<Resolved, String>, Error> {
    let root = graph.workspace_root().to_owned();
    let copy = match Copy::new(graph, &root, changes, fs, false) {
        Ok(copy) => copy,
        Err(CopyError::Unsupported(message)) => return Ok(Err(message)),
        Err(CopyError::Io(path, source)) => return Err(Error::Write { path, source }),
    };
    interrupt::pause("verifying");
    interrupt::check(interrupt::NOTHING_WRITTEN)?;
    let (copy_opts, manifest) = (copy_options(graph, cargo), copy.dir().join("Cargo.toml"));
    let resolved = run_commands(commands, &copy, &copy_opts).and_then(|()| {
        metadata::metadata_at(&manifest, copy.dir(), &copy_opts, "the verification copy")
            .and_then(metadata::Answer::into_text)
    });
    interrupt::check(interrupt::NOTHING_WRITTEN)?;
    match resolved {
        Ok(json) => Ok(Ok(Resolved {
            json,
            lockfile: std::fs::read(copy.dir().join("Cargo.lock"))
                .ok()
                .map(|after| LockChange {
                    path: graph.workspace_root().join("Cargo.lock"),
                    before: copy.lock_before.clone(),
                    after,
                }),
            findings: Vec::new(),
            lines: BTreeMap::new(),
        })),
        Err(Error::CargoFailed { stderr, .. }) => Ok(Err(format!(
            "cargo could not resolve the edited workspace:\n{stderr}"
        ))),
        Err(e) => Err(e),
    }
}

/// How cargo runs on a scratch copy: its lockfile is ours to change, whatever --locked says
/// about the user's, and releases within the workspace's rust-version come first, as cargo's
/// MSRV-aware resolver (resolver 3) chooses them, whichever resolver the workspace names.
fn copy_options(graph: &DepGraph, cargo: &CargoOptions) -> CargoOptions {
    CargoOptions {
        locked: false,
        frozen: false,
        offline: cargo.offline || cargo.frozen,
        manifest_path: None,
        rust_version_fallback: graph.rust_version().is_some(),
        ..cargo.clone()
    }
}

/// The plan's commands (`cargo update -p … --precise …`), run on the copy in order.
fn run_commands(
    commands: &[Vec<String>],
    copy: &Copy<'_>,
    opts: &CargoOptions,
) -> Result<(), Error> {
    let manifest = copy.dir().join("Cargo.toml");
    commands
        .iter()
        .try_for_each(|argv| metadata::cargo_at(&argv[1..], &manifest, copy.dir(), opts))
}

/// What `fix` asks of the verification.
pub struct Request<'a> {
    /// The workspace as loaded: its graph, and the options and policy the edited copy is
    /// analysed and judged with.
    pub workspace: &'a Workspace,
    /// The findings left after policy (allow, levels, version rules).
    pub findings: &'a [Finding],
    pub plan: &'a FixPlan,
    pub changes: &'a [FileChange],
    pub cargo: &'a CargoOptions,
    pub include_warnings: bool,
}

/// Applies the changes and `plan.commands` to a copy of the workspace and re-runs the
/// analysis and the policy. Also returns the copy's resolution (its Cargo.lock is what
/// `--apply` writes).
pub fn verify(
    req: &Request<'_>,
    fs: &dyn WriteFs,
) -> Result<(Verification, Option<Resolved>), Error> {
    let Request {
        workspace,
        findings,
        plan,
        ..
    } = *req;
    let graph = &workspace.graph;
    // The findings the plan claims to fix: those in scope that are not reported unfixable.
    let unfixable: BTreeSet<&str> = plan.unfixable.iter().map(|u| u.finding.as_str()).collect();
    let targeted: BTreeSet<(String, String)> = findings
        .iter()
        .filter(|f| crate::plan::in_scope(f, req.include_warnings))
        .filter(|f| !unfixable.contains(format!("{}:{}", f.code, f.krate).as_str()))
        .map(|f| (f.code.to_string(), f.krate.clone()))
        .collect();
    let before_keys: BTreeSet<(String, String)> = findings
        .iter()
        .map(|f| (f.code.to_string(), f.krate.clone()))
        .collect();
    let mut crates: BTreeSet<String> = BTreeSet::new();
    for f in findings
        .iter()
        .filter(|f| crate::plan::in_scope(f, req.include_warnings))
    {
        crates.insert(f.krate.clone());
        crates.extend(f.collateral.iter().cloned());
    }
    let before = versions_of(graph, &crates);

    let mut resolved = match resolve_copy(graph, req.changes, &plan.commands, req.cargo, fs)? {
        Ok(resolved) => resolved,
        Err(message) => {
            let v = Verification {
                before,
                message: Some(message),
                ..Verification::default()
            };
            return Ok((v, None));
        }
    };
    // The copy is read as the workspace was, and judged by the same policy on the same day.
    let copy = workspace.edited(&resolved.json, req.changes)?;
    let after_findings = analysis::analyze(&copy.graph, &copy.spans, &copy.opts);
    let after_findings = policy::apply(
        &copy.graph,
        &copy.spans,
        &copy.opts,
        after_findings,
        &copy.policy,
        Gate::default(),
    )
    .findings;
    let after = versions_of(&copy.graph, &crates);

    let residual: Vec<Residual> = after_findings
        .iter()
        .filter(|f| f.level != Level::Note)
        .map(|f| Residual {
            code: f.code.to_string(),
            krate: f.krate.clone(),
            level: f.level,
            versions: f.versions.iter().map(|v| v.version.to_string()).collect(),
            message: f.message.clone(),
        })
        .collect();
    let remaining = after_findings
        .iter()
        .any(|f| targeted.contains(&(f.code.to_string(), f.krate.clone())));
    // An edit that fixes one finding must not create another.
    let new_errors: Vec<String> = after_findings
        .iter()
        .filter(|f| f.level == Level::Error)
        .filter(|f| !before_keys.contains(&(f.code.to_string(), f.krate.clone())))
        .map(|f| format!("{} {}", f.code, f.krate))
        .collect();
    // A copy cargo resolved onto releases the workspace's Rust cannot build is no proof.
    let above = above_rust_version(graph, &copy.graph);
    let message = verification_message(&new_errors, &after_findings, &above);
    let verification = Verification {
        resolved: true,
        verified: !remaining && new_errors.is_empty() && above.is_empty(),
        before,
        after,
        residual,
        message,
        targets_remain: remaining,
        above_rust_version: above,
        notes: resolver_note(workspace).into_iter().collect(),
        build: None,
    };
    resolved.lines = lines_of(&copy.graph);
    resolved.findings = after_findings;
    Ok((verification, Some(resolved)))
}

/// The releases the copy brings in (not in the workspace's graph before) whose
/// `rust-version` is above the workspace's.
fn above_rust_version(before: &DepGraph, after: &DepGraph) -> Vec<AboveRustVersion> {
    let Some(workspace) = before.rust_version() else {
        return Vec::new();
    };
    let had: BTreeSet<(&str, &semver::Version)> = before
        .nodes()
        .map(|n| {
            let p = before.package(n);
            (p.name.as_str(), &p.version)
        })
        .collect();
    let mut out: Vec<AboveRustVersion> = after
        .nodes()
        .map(|n| after.package(n))
        .filter(|p| !p.is_member && !had.contains(&(p.name.as_str(), &p.version)))
        .filter_map(|p| {
            let needs = p.rust_version.as_ref().filter(|rv| **rv > workspace)?;
            Some(AboveRustVersion {
                krate: p.name.clone(),
                version: p.version.to_string(),
                rust_version: needs.to_string(),
                workspace: workspace.to_string(),
            })
        })
        .collect();
    // Sorted and once each, for the report.
    out.sort_by(|a, b| (&a.krate, &a.version).cmp(&(&b.krate, &b.version)));
    out.dedup();
    out
}

/// For a workspace that declares a `rust-version` under a resolver that does not prefer
/// releases within it (resolver 2): the copy was resolved as resolver 3 does, and a later
/// `cargo update` may not keep to it.
fn resolver_note(workspace: &Workspace) -> Option<String> {
    let rust_version = workspace.graph.rust_version()?;
    let root = workspace.graph.workspace_root().join("Cargo.toml");
    let text = workspace.spans.text(&root)?;
    let manifest = crate::manifest::document::Manifest::parse(text.to_owned()).ok()?;
    (!manifest.resolver_honours_rust_version())
        .then(|| diags::report::resolver_ignores_rust_version(&rust_version.to_string()))
}

/// The lines each crate of `graph` resolves on.
pub fn lines_of(graph: &DepGraph) -> BTreeMap<String, BTreeSet<analysis::Line>> {
    let mut out: BTreeMap<String, BTreeSet<analysis::Line>> = BTreeMap::new();
    for n in graph.nodes() {
        let p = graph.package(n);
        out.entry(p.name.clone())
            .or_default()
            .insert(analysis::Line::of(&p.version));
    }
    out
}

/// Why the copy is not verified beyond its residual findings: new findings the edits bring,
/// and the findings a stale workspace-hack still causes in the copy (the plan never edits
/// it, and `cargo hakari generate` is not run here: cargo cannot prove what it will write).
fn verification_message(
    new_errors: &[String],
    after: &[Finding],
    above: &[AboveRustVersion],
) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(first) = above.first() {
        let releases: Vec<String> = above
            .iter()
            .map(|a| format!("{} {} (rust {})", a.krate, a.version, a.rust_version))
            .collect();
        parts.push(diags::report::above_rust_version(
            &releases,
            &first.workspace,
        ));
    }
    if !new_errors.is_empty() {
        parts.push(format!(
            "the edits introduce new findings: {}",
            new_errors.join(", ")
        ));
    }
    let mut hacks: Vec<String> = after
        .iter()
        .filter(|f| f.level != Level::Note)
        .filter_map(|f| f.workspace_hack.clone())
        .collect();
    hacks.sort();
    hacks.dedup();
    if !hacks.is_empty() {
        parts.push(diags::report::unproven_until_regenerated(&hacks));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Points every `path` in a copied manifest (dependencies of every kind and platform,
/// `[workspace.dependencies]`, `[patch]`, `[replace]`) that the copy does not contain (a
/// path dependency outside the workspace root, a fork named with `--patch-with`) at the
/// original directory by absolute path, so cargo reads the very same package.
fn point_paths_at_originals(
    text: &str,
    rel_dir: &Path,
    root: &Path,
    copied: &BTreeSet<PathBuf>,
) -> String {
    let Ok(mut doc) = text.parse::<toml_edit::DocumentMut>() else {
        return text.to_owned();
    };
    let mut changed = false;
    let mut fix_entry = |entry: &mut dyn toml_edit::TableLike| {
        let Some(path) = entry.get("path").and_then(toml_edit::Item::as_str) else {
            return;
        };
        let path = Path::new(path);
        if path.is_absolute() || inside(rel_dir, path).is_some_and(|d| copied.contains(&d)) {
            return;
        }
        let original = root.join(rel_dir).join(path);
        entry.insert(
            "path",
            toml_edit::value(original.to_string_lossy().into_owned()),
        );
        changed = true;
    };
    for_each_dependency(doc.as_table_mut(), &mut fix_entry);
    if changed {
        doc.to_string()
    } else {
        text.to_owned()
    }
}

/// Calls `f` on every dependency entry written as a table (inline or not): in every
/// dependency table, `[replace]` and each `[patch.*]`.
fn for_each_dependency(
    top: &mut toml_edit::Table,
    f: &mut dyn FnMut(&mut dyn toml_edit::TableLike),
) {
    use crate::manifest::document;
    fn entries(
        table: &mut dyn toml_edit::TableLike,
        f: &mut dyn FnMut(&mut dyn toml_edit::TableLike),
    ) {
        for (_, entry) in table.iter_mut() {
            if let Some(e) = entry.as_table_like_mut() {
                f(e);
            }
        }
    }
    let tables: Vec<document::TableAt> = document::tables(top).map(|t| t.at()).collect();
    for at in &tables {
        if let Some(table) = document::table_mut(top, at) {
            entries(table, f);
        }
    }
    if let Some(replace) = top
        .get_mut("replace")
        .and_then(toml_edit::Item::as_table_like_mut)
    {
        entries(replace, f);
    }
    if let Some(patch) = top
        .get_mut("patch")
        .and_then(toml_edit::Item::as_table_like_mut)
    {
        for (_, registry) in patch.iter_mut() {
            if let Some(registry) = registry.as_table_like_mut() {
                entries(registry, f);
            }
        }
    }
}

/// `dir/path` as a path relative to the workspace root, if it stays inside it.
fn inside(dir: &Path, path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in dir.join(path).components() {
        match c {
            std::path::Component::Normal(n) => out.push(n),
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

/// The resolved versions of each crate in `crates`, ascending; a version present from two
/// sources names each source (`0.12.3 (a path)`, `0.12.3 (crates.io)`).
fn versions_of(graph: &DepGraph, crates: &BTreeSet<String>) -> BTreeMap<String, Vec<String>> {
    let by_name = graph.by_name();
    crates
        .iter()
        .map(|c| {
            let mut versions: Vec<_> = by_name
                .get(c.as_str())
                .map(|nodes| {
                    nodes
                        .iter()
                        .map(|&n| {
                            let p = graph.package(n);
                            (p.version.clone(), p.source.clone())
                        })
                        .collect()
                })
                .unwrap_or_default();
            versions.sort();
            versions.dedup();
            let shown = versions
                .iter()
                .map(|(v, source)| {
                    if versions.iter().filter(|(w, _)| w == v).count() > 1 {
                        format!("{v} ({})", diags::source_label(source.as_deref()))
                    } else {
                        v.to_string()
                    }
                })
                .collect();
            (c.clone(), shown)
        })
        .collect()
}

/// Copies the files under `rel_dir` of `root` into the copy through `write`, but the
/// manifests (written edited), `target` directories, version-control data, cargo's
/// configuration, scratch copies and symbolic links (which may lead outside the root).
fn copy_tree(
    root: &Path,
    rel_dir: &Path,
    manifests: &BTreeMap<PathBuf, String>,
    write: &WriteInCopy<'_>,
) -> Result<(), CopyError> {
    let dir = root.join(rel_dir);
    let entries = std::fs::read_dir(&dir).map_err(|e| CopyError::Io(dir.clone(), e))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    // Sorted: the copy is written in one order on every run.
    paths.sort();
    for path in paths {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let rel = rel_dir.join(name);
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.file_type().is_symlink()
            || name == "target"
            || name == ".git"
            // cargo reads the workspace's own configuration from the copy's ancestors, with
            // its relative paths intact; a copy of it would resolve them from the copy.
            || name == ".cargo"
            || name.starts_with(".etcd-deps-verify")
            || manifests.contains_key(&rel)
        {
            continue;
        }
        if meta.is_dir() {
            copy_tree(root, &rel, manifests, write)?;
        } else if meta.is_file() {
            let bytes = std::fs::read(&path).map_err(|e| CopyError::Io(path.clone(), e))?;
            write(&rel, &bytes)?;
        }
    }
    Ok(())
}

/// `cargo check --workspace --all-targets --message-format json` on a copy of the workspace
/// with its real sources, the plan's changes and commands applied (`fix --build-check`): the
/// one place the tool builds the workspace's code, and only when asked. What rustc says is
/// sorted into errors two versions of a crate cause and source changes the user must make.
pub fn build_check(
    graph: &DepGraph,
    (changes, commands): (&[FileChange], &[Vec<String>]),
    cargo: &CargoOptions,
    fs: &dyn WriteFs,
) -> Result<BuildCheck, Error> {
    let root = graph.workspace_root().to_owned();
    let copy = match Copy::new(graph, &root, changes, fs, true) {
        Ok(copy) => copy,
        Err(CopyError::Unsupported(message)) => return Ok(BuildCheck::failed(message)),
        Err(CopyError::Io(path, source)) => return Err(Error::Write { path, source }),
    };
    interrupt::check(interrupt::NOTHING_WRITTEN)?;
    let copy_opts = copy_options(graph, cargo);
    let log = run_commands(commands, &copy, &copy_opts)
        .and_then(|()| metadata::build_messages(copy.dir(), &copy_opts));
    interrupt::check(interrupt::NOTHING_WRITTEN)?;
    let log = match log {
        Ok(log) => log,
        Err(Error::CargoFailed { stderr, .. }) => {
            return Ok(BuildCheck::failed(format!(
                "cargo could not build the edited copy:\n{stderr}"
            )));
        }
        Err(e) => return Err(e),
    };
    let shown = |file: String| match Path::new(&file).strip_prefix(copy.dir()) {
        Ok(rel) => rel.display().to_string(),
        Err(_) => file,
    };
    let errors: Vec<BuildError> = build_log::compiler_errors(&log)
        .into_iter()
        .map(|e| {
            let (file, line) = match e.at {
                Some((file, line)) => (Some(shown(file)), Some(line)),
                None => (None, None),
            };
            BuildError {
                file,
                line,
                code: e.code,
                message: e.message,
                krate: e.met,
            }
        })
        .collect();
    Ok(BuildCheck::of(errors))
}

/// Writes one file of the copy, by its path relative to the copy.
type WriteInCopy<'w> = dyn Fn(&Path, &[u8]) -> Result<(), CopyError> + 'w;

enum CopyError {
    Unsupported(String),
    Io(PathBuf, std::io::Error),
}

/// A scratch copy of the workspace: its manifests (the changes applied), lockfile and empty
/// target sources, written through the seam as new writable files, whatever the originals'
/// modes, in a [`ScratchDir`] inside the root (removed on drop).
struct Copy<'a> {
    scratch: ScratchDir<'a>,
    /// The workspace's Cargo.lock as copied (None: it has none).
    lock_before: Option<Vec<u8>>,
}

impl<'a> Copy<'a> {
    fn new(
        graph: &DepGraph,
        root: &Path,
        changes: &[FileChange],
        fs: &'a dyn WriteFs,
        real_sources: bool,
    ) -> Result<Copy<'a>, CopyError> {
        let io = |p: &Path| {
            let p = p.to_owned();
            move |e| CopyError::Io(p, e)
        };
        // A root cargo can read but the tool cannot create a directory in: no proof, said why.
        let scratch = ScratchDir::new_in(root, fs).map_err(|(p, e)| {
            CopyError::Unsupported(format!(
                "the verification copy could not be created in {}: {e}",
                p.display()
            ))
        })?;
        // Every path package inside the root: manifest text (edited where planned) and
        // target sources.
        let mut manifests: BTreeMap<PathBuf, String> = BTreeMap::new();
        let mut sources: BTreeSet<PathBuf> = BTreeSet::new();
        for node in graph.nodes() {
            let pkg = graph.package(node);
            if pkg.source.is_some() {
                continue;
            }
            let Ok(rel) = pkg.manifest_path.strip_prefix(root) else {
                if graph.members().contains(&node) {
                    return Err(CopyError::Unsupported(format!(
                        "the member {} lies outside the workspace root, so the workspace cannot be copied for verification",
                        pkg.manifest_path.display()
                    )));
                }
                // A path dependency outside the root: read where it is.
                continue;
            };
            let text =
                std::fs::read_to_string(&pkg.manifest_path).map_err(io(&pkg.manifest_path))?;
            manifests.insert(rel.to_owned(), text);
            sources.extend(
                pkg.target_sources
                    .iter()
                    .filter_map(|s| s.strip_prefix(root).ok())
                    .map(Path::to_owned),
            );
        }
        if !manifests.contains_key(Path::new("Cargo.toml")) {
            let path = root.join("Cargo.toml");
            let text = std::fs::read_to_string(&path).map_err(io(&path))?;
            manifests.insert(PathBuf::from("Cargo.toml"), text);
        }
        for change in changes {
            manifests.insert(PathBuf::from(&change.rel), change.after.clone());
        }
        let copied: BTreeSet<PathBuf> = manifests
            .keys()
            .map(|m| m.parent().map(Path::to_owned).unwrap_or_default())
            .collect();
        let write = |rel: &Path, bytes: &[u8]| {
            scratch
                .write(rel, bytes)
                .map_err(io(&scratch.dir.join(rel)))
        };
        for (rel, text) in &manifests {
            let rel_dir = rel.parent().unwrap_or(Path::new(""));
            write(
                rel,
                point_paths_at_originals(text, rel_dir, root, &copied).as_bytes(),
            )?;
        }
        if real_sources {
            // Every file under each path package's directory inside the root, as it is.
            let tops = copied
                .iter()
                .filter(|d| !copied.iter().any(|o| o != *d && d.starts_with(o)));
            for dir in tops {
                copy_tree(root, dir, &manifests, &write)?;
            }
        }
        for rel in sources.iter().filter(|s| !manifests.contains_key(*s)) {
            if !real_sources || !scratch.dir.join(rel).exists() {
                write(rel, b"")?;
            }
        }
        let lock = root.join("Cargo.lock");
        let lock_before = match std::fs::read(&lock) {
            Ok(bytes) => {
                write(Path::new("Cargo.lock"), &bytes)?;
                Some(bytes)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(CopyError::Io(lock, e)),
        };
        Ok(Copy {
            scratch,
            lock_before,
        })
    }

    fn dir(&self) -> &Path {
        &self.scratch.dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::Builder;

    /// The graph of `b` with `rust-version`s set: (package name, version, rust-version).
    fn with_rust_versions(b: &Builder, set: &[(&str, &str, &str)]) -> DepGraph {
        let mut json = b.metadata_json();
        for (name, version, rv) in set {
            let head = format!("{{\"name\":\"{name}\",\"version\":\"{version}\"");
            let at = json.find(&head).expect("package in the metadata");
            let field = at + json[at..].find("\"rust_version\":null").expect("field");
            json.replace_range(
                field..field + "\"rust_version\":null".len(),
                &format!("\"rust_version\":\"{rv}\""),
            );
        }
        DepGraph::from_metadata_json(&json, "test").expect("valid metadata")
    }

    #[test]
    fn a_new_release_above_the_workspace_rust_version_is_named_and_fails_the_proof() {
        let before = Builder::default()
            .member("svc")
            .pkg("tonic", "0.13.1")
            .dep("svc", "tonic@0.13.1");
        let after = Builder::default()
            .member("svc")
            .pkg("tonic", "0.14.6")
            .pkg("tonic-prost", "0.14.5")
            .dep("svc", "tonic@0.14.6")
            .dep("svc", "tonic-prost@0.14.5");
        let before = with_rust_versions(
            &before,
            &[("svc", "0.1.0", "1.80"), ("tonic", "0.13.1", "1.75")],
        );
        let after = with_rust_versions(
            &after,
            &[
                ("svc", "0.1.0", "1.80"),
                ("tonic", "0.14.6", "1.88"),
                ("tonic-prost", "0.14.5", "1.75"),
            ],
        );
        let above = above_rust_version(&before, &after);
        assert_eq!(
            above,
            [AboveRustVersion {
                krate: "tonic".to_owned(),
                version: "0.14.6".to_owned(),
                rust_version: "1.88.0".to_owned(),
                workspace: "1.80.0".to_owned(),
            }]
        );
        let message = verification_message(&[], &[], &above).expect("a message");
        assert!(message.contains("tonic 0.14.6 (rust 1.88.0)"), "{message}");
        // Without a declared rust-version nothing is above it.
        let plain = Builder::default()
            .member("svc")
            .pkg("tonic", "0.13.1")
            .dep("svc", "tonic@0.13.1")
            .graph();
        assert!(above_rust_version(&plain, &after).is_empty());
    }
}
