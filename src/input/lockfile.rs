//! The lockfile mode: a `DepGraph` from Cargo.lock (formats v1 to v4) and the workspace's own
//! manifests, without running cargo and without downloaded sources.
//!
//! Cargo.lock is read with `toml` + serde into plain structs, and dependency references
//! (`"name"`, `"name version"`, `"name version (source)"`) are resolved through a hash index,
//! so reading stays linear in the number of packages. Cargo.lock says which edges exist; what
//! each edge is (kind, requirement, platform condition) comes from the declarations behind
//! it: a local package's own manifest, or, for a registry package, the dependencies its
//! release declares as the registry's index data on this machine gives them ([`Facts`],
//! read by `input` through `registry` and passed in, so building the graph does no IO).
//! Where neither is there (a registry package with no entry in the local index data, a git
//! package, a member of a Cargo.lock read alone) the edge's kind and requirement are left
//! out, never guessed, and the package is named in the report's note. Without manifests
//! (a Cargo.lock copied out of a repository), the packages without a source are taken as the
//! workspace members. Each manifest is parsed once, and its declarations are read with the
//! manifest walker (`manifest::document`).

use crate::graph::FastMap;
use std::path::{Path, PathBuf};

use semver::{Version, VersionReq};
use serde::Deserialize;
use toml_edit::Item;

use crate::graph::{DepGraph, Edge, Kind, Package};
use crate::manifest::document::{Entry, Manifest, Section, written_requirement};
use crate::registry::{Declared, ReleaseFacts};

#[derive(Deserialize)]
pub(super) struct RawLock<'a> {
    version: Option<toml::Value>,
    /// Format 1 keeps the root package apart from the others.
    #[serde(default, borrow)]
    root: Option<RawPackage<'a>>,
    #[serde(default, borrow)]
    pub(super) package: Vec<RawPackage<'a>>,
    /// `[[patch.unused]]`: `[patch]` entries the resolver could not use.
    #[serde(default, borrow)]
    pub(super) patch: RawPatch<'a>,
}

#[derive(Deserialize, Default)]
pub(super) struct RawPatch<'a> {
    #[serde(default, borrow)]
    pub(super) unused: Vec<RawPackage<'a>>,
}

/// Strings borrow from the lockfile text where they can (most have no escapes), so reading
/// 100k packages does not allocate a string per field.
#[derive(Deserialize)]
pub(super) struct RawPackage<'a> {
    #[serde(borrow)]
    pub(super) name: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    pub(super) version: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    pub(super) source: Option<std::borrow::Cow<'a, str>>,
    #[serde(default, borrow)]
    pub(super) dependencies: Vec<std::borrow::Cow<'a, str>>,
}

pub use crate::error::LockError;

/// Manifests as read, by path (`None`: unreadable or not TOML), for the span index.
pub type Parsed = Vec<(PathBuf, Option<Manifest>)>;

/// A package on the local file system (a workspace member, a path dependency, a `[patch]`
/// path), as far as the lockfile mode needs it.
#[derive(Clone, Debug)]
pub struct LocalPackage {
    pub path: PathBuf,
    pub name: String,
    pub version: Option<Version>,
    /// Members: every declaration; other path packages: normal and build ones, which are all
    /// cargo resolves for them.
    pub declarations: Vec<Declaration>,
    pub is_member: bool,
    /// The `[features]` table as written.
    pub features: std::collections::BTreeMap<String, Vec<String>>,
}

/// One dependency declaration of a member.
#[derive(Clone, Debug)]
pub struct Declaration {
    pub key: String,
    /// The package name (after `package = …`).
    pub package: String,
    pub kind: Kind,
    pub platform: Option<String>,
    /// The requirement as written (after `workspace = true` inheritance), if any.
    pub req: Option<String>,
    pub is_path: bool,
    /// `optional = true` (in the declaration, or the workspace's for an inherited key).
    pub optional: bool,
    /// `features = […]` (an inherited key's with the workspace's), and `default-features`
    /// as cargo settles it for an inherited key.
    pub features: Vec<String>,
    pub default_features: bool,
    /// For a path dependency: the directory it names, made absolute (not resolved through links).
    pub path_dir: Option<PathBuf>,
    /// The key's line in the member's manifest (1-based), when the text has spans.
    pub line: Option<usize>,
}

/// The local side of a workspace, as the lockfile mode reads it: its packages on disk and
/// the root manifest's `[patch]` entries (name, and the directory a path patch names).
#[derive(Clone, Copy, Default)]
pub struct Local<'a> {
    pub packages: &'a [LocalPackage],
    pub patches: &'a [(String, Option<PathBuf>)],
}

/// Builds the graph from Cargo.lock text and the workspace's local packages (none: Cargo.lock
/// alone, whose packages without a source are taken as the members), with no registry
/// facts. With local packages, Cargo.lock must be the one cargo would keep for them
/// (`fresh`), or it is refused.
pub fn graph(
    lock_path: &Path,
    text: &str,
    local: Local<'_>,
    root: &Path,
) -> Result<DepGraph, LockError> {
    let lock = Locked::parse(lock_path, text)?;
    Ok(build(lock, local, root, &Facts::default())?.graph)
}

/// Cargo.lock as read, before the graph is built: its entries and the packages made of them.
pub struct Locked<'t> {
    path: &'t Path,
    raw: RawLock<'t>,
    packages: Vec<Package>,
}

impl<'t> Locked<'t> {
    /// Reads Cargo.lock's text (at `path`, for errors).
    pub fn parse(path: &'t Path, text: &'t str) -> Result<Locked<'t>, LockError> {
        let err = |message: String| LockError {
            path: path.to_owned(),
            message,
        };
        let raw = parse(text).map_err(err)?;
        let packages = packages(&raw.package).map_err(err)?;
        Ok(Locked {
            path,
            raw,
            packages,
        })
    }

    /// The packages from a registry (by their index in Cargo.lock), whose declarations the
    /// index data may hold: name, version and source id.
    pub fn registry_packages(&self) -> impl Iterator<Item = (usize, &Package, &str)> {
        self.packages.iter().enumerate().filter_map(|(i, p)| {
            let source = p.source.as_deref()?;
            (source.starts_with("registry+") || source.starts_with("sparse+"))
                .then_some((i, p, source))
        })
    }

    /// How many packages Cargo.lock lists.
    pub fn len(&self) -> usize {
        self.packages.len()
    }

    /// Whether Cargo.lock lists no package (never, once parsed).
    pub fn is_empty(&self) -> bool {
        self.packages.is_empty()
    }
}

/// What the registry's index data says of Cargo.lock's packages: by index in Cargo.lock, the
/// dependencies the locked release declares; `None` (or no entry) where nothing is known.
pub type Facts = Vec<Option<ReleaseFacts>>;

/// The graph, and the packages (`name version`, in Cargo.lock's order) some of whose
/// dependencies neither a manifest nor the index data describe: their edges have no known
/// kind, requirement or platform condition.
pub struct Built {
    pub graph: DepGraph,
    pub lacking: Vec<String>,
    /// Feature flags were given but their resolve could not be decided: why.
    pub undecided: Option<String>,
}

/// Builds the graph from Cargo.lock as read, the workspace's local packages and the registry
/// `facts`: an edge out of a local package takes its declaration's kind, requirement and
/// platform, an edge out of a registry package those its release declares.
pub fn build(
    lock: Locked<'_>,
    local: Local<'_>,
    root: &Path,
    facts: &Facts,
) -> Result<Built, LockError> {
    build_with(lock, local, root, facts, None)
}

/// `build`, and with `features` the resolve `cargo metadata` makes with those feature flags:
/// the edges of optional declarations no feature turns on, and everything reached only
/// through them, are left out (`features`). When that cannot be decided (a reached package
/// without facts, a feature cargo would refuse), `Built::undecided` says why and the graph
/// holds every locked edge.
pub fn build_with(
    lock: Locked<'_>,
    local: Local<'_>,
    root: &Path,
    facts: &Facts,
    features: Option<&super::features::Requested>,
) -> Result<Built, LockError> {
    let err = |message: String| LockError {
        path: lock.path.to_owned(),
        message,
    };
    let (raw, mut packages) = (&lock.raw, lock.packages);
    let by_name = by_name(&raw.package);
    let placed = place(local.packages, &raw.package, &packages, &by_name);
    let mut member_ids = Vec::new();
    for (i, m) in placed.iter().enumerate() {
        let Some(m) = m else { continue };
        packages[i].manifest_path = m.path.clone();
        if m.is_member {
            packages[i].is_member = true;
            member_ids.push(i);
        }
    }
    if local.packages.is_empty() {
        for (i, p) in raw.package.iter().enumerate() {
            if p.source.is_none() {
                packages[i].is_member = true;
                member_ids.push(i);
            }
        }
    }
    // Every reference resolves before freshness is judged on them.
    let declaring = Declaring {
        placed: &placed,
        local,
        facts,
    };
    let Edges {
        mut edges,
        dropped,
        lacking,
        decls,
    } = edges(&raw.package, &packages, &by_name, &declaring).map_err(err)?;
    if !local.packages.is_empty() {
        let fresh = super::fresh::Lock {
            raw,
            packages: &packages,
            edges: &edges,
            dropped: &dropped,
        };
        super::fresh::check(&fresh, local, &placed, (lock.path, root))?;
    }
    let mut undecided = None;
    if let Some(requested) = features {
        let decided = if lacking.is_empty() {
            activated(
                &declaring,
                &packages,
                (&edges, &decls),
                &member_ids,
                requested,
            )
        } else {
            Err("some packages lack facts".to_owned())
        };
        match decided {
            Ok(kept) => {
                let mut keep = kept.into_iter();
                edges.retain(|_| keep.next().unwrap_or(true));
            }
            Err(why) => undecided = Some(why),
        }
    }
    let lacking = lacking
        .into_iter()
        .map(|i| format!("{} {}", packages[i].name, packages[i].version))
        .collect();
    Ok(Built {
        graph: DepGraph::from_parts(packages, edges, &member_ids, root.to_owned()),
        lacking,
        undecided,
    })
}

/// The note every lockfile-mode report carries: what this input leaves out, naming the
/// packages (`lacking`) whose dependencies no manifest and no index data describe.
pub fn not_known(lacking: &[String]) -> String {
    const SHOWN: usize = 5;
    let features =
        "lockfile mode: features are not resolved (Cargo.lock holds every optional dependency)";
    if lacking.is_empty() {
        return format!(
            "{features}; requirements, kinds and platform conditions come from the workspace's manifests and cargo's local index data"
        );
    }
    let mut names = lacking[..lacking.len().min(SHOWN)].join(", ");
    if lacking.len() > SHOWN {
        names.push_str(&format!(" and {} more", lacking.len() - SHOWN));
    }
    let count = match lacking.len() {
        1 => "1 package".to_owned(),
        n => format!("{n} packages"),
    };
    format!(
        "{features}; no manifest and no local index data describe the dependencies of {count} ({names}; `cargo fetch` fills cargo's index cache): their requirements, kinds and platform conditions are left out, and they are kept for every target"
    )
}

/// The graph as built for `targets` (target triples): a declaration of the workspace's own
/// manifests under `[target.<cfg>]` that holds for none of them is left out, as `cargo
/// metadata --filter-platform` leaves it out. Conditions of registry crates are not in
/// Cargo.lock: their edges stay (the report says so), so the answer can only be wider than
/// cargo's, never narrower. A condition that cannot be decided (target features) stays too.
pub fn on_targets(graph: DepGraph, targets: &[String]) -> Result<DepGraph, String> {
    if targets.is_empty() {
        return Ok(graph);
    }
    let platforms = targets
        .iter()
        .map(|t| {
            target_spec::Platform::new(t.clone(), target_spec::TargetFeatures::Unknown)
                .map_err(|e| format!("unknown target triple `{t}`: {e}"))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let mut specs: FastMap<String, Option<target_spec::TargetSpec>> = FastMap::default();
    for p in graph.platforms() {
        specs.insert(p.clone(), target_spec::TargetSpec::new(p.clone()).ok());
    }
    let holds = |e: &Edge| {
        let Some(cond) = &e.platform else { return true };
        match specs.get(cond) {
            Some(Some(spec)) => platforms.iter().any(|p| spec.eval(p) != Some(false)),
            // A condition that does not parse: kept, so the answer stays wider, not narrower.
            _ => true,
        }
    };
    // A dependency stays with all its declarations when one of them holds, as cargo metadata
    // lists them; it goes when none does.
    let mut kept = std::collections::HashSet::new();
    for n in graph.nodes() {
        for (to, e) in graph.dependencies(n) {
            if holds(&e) {
                kept.insert((n, to));
            }
        }
    }
    Ok(graph.retain_edges(|from, to, _| kept.contains(&(from, to))))
}

/// Cargo.lock's packages (format 1's `[root]` first), in a format this tool reads.
fn parse(text: &str) -> Result<RawLock<'_>, String> {
    let mut raw: RawLock<'_> =
        toml::from_str(text).map_err(|e| format!("not a Cargo.lock: {e}"))?;
    if let Some(root) = raw.root.take() {
        raw.package.insert(0, root);
    }
    match &raw.version {
        None => {}
        Some(toml::Value::Integer(1..=4)) => {}
        Some(other) => {
            let shown = match other {
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::String(s) => format!("\"{s}\""),
                _ => "of the wrong type".to_owned(),
            };
            return Err(format!(
                "unsupported lockfile version {shown}; this tool reads versions 1 to 4"
            ));
        }
    }
    if raw.package.is_empty() {
        return Err("Cargo.lock lists no packages".to_owned());
    }
    Ok(raw)
}

/// Package indices by name.
pub(super) type ByName<'r> = FastMap<&'r str, Vec<usize>>;

/// Cargo.lock's packages' indices by name.
fn by_name<'r>(raw: &'r [RawPackage<'_>]) -> ByName<'r> {
    let mut by_name: ByName<'r> = FastMap::with_capacity_and_hasher(raw.len(), Default::default());
    for (i, p) in raw.iter().enumerate() {
        by_name.entry(p.name.as_ref()).or_default().push(i);
    }
    by_name
}

/// The graph's packages, one per Cargo.lock package in its order. A package listed twice or
/// with a bad version is an error.
fn packages(raw: &[RawPackage<'_>]) -> Result<Vec<Package>, String> {
    let mut packages = Vec::with_capacity(raw.len());
    let mut seen: FastMap<(&str, &str, Option<&str>), usize> =
        FastMap::with_capacity_and_hasher(raw.len(), Default::default());
    for (i, p) in raw.iter().enumerate() {
        let version = Version::parse(&p.version).map_err(|e| {
            format!(
                "package `{}` has a bad version `{}`: {e}",
                p.name, p.version
            )
        })?;
        if seen
            .insert(
                (p.name.as_ref(), p.version.as_ref(), p.source.as_deref()),
                i,
            )
            .is_some()
        {
            return Err(format!(
                "package `{} {}` is listed twice",
                p.name, p.version
            ));
        }
        packages.push(Package {
            id: format!(
                "{}@{}{}",
                p.name,
                p.version,
                p.source
                    .as_deref()
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default()
            ),
            name: p.name.to_string(),
            version,
            source: p.source.as_deref().map(str::to_owned),
            manifest_path: PathBuf::new(),
            is_member: false,
            rust_version: None,
            target_sources: Vec::new(),
        });
    }
    Ok(packages)
}

/// Where the declarations behind each package's references come from: the local package
/// placed at its index, else the registry facts at its index.
struct Declaring<'a> {
    placed: &'a [Option<&'a LocalPackage>],
    local: Local<'a>,
    facts: &'a Facts,
}

/// The edges of every Cargo.lock dependency reference, with the kind, requirement and
/// platform of the declarations that resolved to it: a local package's own (members', and
/// path packages' outside the workspace), or what a registry package's release declares.
fn edges(
    raw: &[RawPackage<'_>],
    packages: &[Package],
    by_name: &ByName<'_>,
    declaring: &Declaring<'_>,
) -> Result<Edges, String> {
    let Declaring {
        placed,
        local,
        facts,
    } = *declaring;
    let mut edges = Vec::with_capacity(raw.iter().map(|p| p.dependencies.len()).sum());
    let mut decls = Vec::with_capacity(edges.capacity());
    let mut dropped = Vec::new();
    let mut lacking = Vec::new();
    for (i, p) in raw.iter().enumerate() {
        let released = facts.get(i).and_then(Option::as_ref);
        let mut unknown = false;
        for dep in &p.dependencies {
            let j = resolve(dep, by_name, raw).map_err(|m| {
                format!(
                    "dependency `{dep}` of package `{} {}` {m}",
                    p.name, p.version
                )
            })?;
            if is_orphan(j, raw, placed, local) {
                // cargo drops a path package the workspace no longer has, and every
                // reference to it, when it reads the lockfile.
                dropped.push((i, j));
                continue;
            }
            let target = &packages[j];
            let found = match (placed[i], released) {
                (Some(m), _) => from_manifest(m, target, placed[j], local.patches),
                (None, Some(declared)) => from_release(&declared.deps, target),
                (None, None) => Vec::new(),
            };
            unknown |= found.is_empty();
            push_edges(
                (&mut edges, &mut decls),
                (i, j),
                found,
                packages[i].is_member,
                &target.name,
            );
        }
        if unknown {
            lacking.push(i);
        }
    }
    Ok(Edges {
        edges,
        dropped,
        lacking,
        decls,
    })
}

/// The edges a local package's manifest gives one reference: one per declaration that
/// resolved to `target`.
fn from_manifest(
    m: &LocalPackage,
    target: &Package,
    target_local: Option<&LocalPackage>,
    patches: &[(String, Option<PathBuf>)],
) -> Vec<(Edge, Vec<u32>)> {
    m.declarations
        .iter()
        .zip(0u32..)
        .filter(|(d, _)| {
            d.package == target.name && super::fresh::answers(d, target, target_local, patches)
        })
        .map(|(d, at)| {
            let edge = Edge {
                kind: d.kind,
                kind_known: true,
                req: d
                    .req
                    .as_deref()
                    .map(|r| VersionReq::parse(r).map_or_else(|_| r.to_owned(), |v| v.to_string()))
                    .or_else(|| d.is_path.then(|| "*".to_owned())),
                key: d.key.clone(),
                optional: false,
                platform: d.platform.clone(),
                features: Vec::new(),
                default_features: true,
            };
            (edge, vec![at])
        })
        .collect()
}

/// The edges a registry release's declarations give one reference, as `cargo metadata`
/// lists them: one per kind and platform condition among the normal and build declarations
/// of `target`'s package whose requirement its version meets (cargo resolves no
/// dev-dependency of a registry package).
fn from_release(declared: &[Declared], target: &Package) -> Vec<(Edge, Vec<u32>)> {
    let mut out: Vec<(Edge, Vec<u32>)> = Vec::new();
    for (d, at) in declared.iter().zip(0u32..) {
        if d.name != target.name || d.kind == Kind::Dev || !d.req.matches(&target.version) {
            continue;
        }
        if let Some((_, ats)) = out
            .iter_mut()
            .find(|(e, _)| e.kind == d.kind && e.platform == d.platform)
        {
            ats.push(at);
            continue;
        }
        let edge = Edge {
            kind: d.kind,
            kind_known: true,
            req: Some(d.req.to_string()),
            // Outside the members the key is never read (see `push_edges`).
            key: String::new(),
            optional: d.optional,
            platform: d.platform.clone(),
            features: d.features.clone(),
            default_features: d.default_features,
        };
        out.push((edge, vec![at]));
    }
    out
}

/// An edge between two Cargo.lock packages, by their indices.
pub(super) type LockEdge = (usize, usize, Edge);

/// The edges of Cargo.lock's dependency references, and the references to path packages the
/// workspace no longer has, which were left out.
pub(super) struct Edges {
    pub(super) edges: Vec<(usize, usize, Edge)>,
    pub(super) dropped: Vec<(usize, usize)>,
    /// Packages with an edge of unknown kind and requirement, by index.
    pub(super) lacking: Vec<usize>,
    /// By edge: the declarations of its source package behind it (their indices in the
    /// local package's declarations or the release's).
    pub(super) decls: Vec<Vec<u32>>,
}

/// A path package in Cargo.lock that the workspace no longer has (never one when Cargo.lock
/// is read alone).
pub(super) fn is_orphan(
    i: usize,
    raw: &[RawPackage<'_>],
    placed: &[Option<&LocalPackage>],
    local: Local<'_>,
) -> bool {
    !local.packages.is_empty() && raw[i].source.is_none() && placed[i].is_none()
}

/// The edges of one Cargo.lock dependency reference: those its declarations give (`found`),
/// or one of unknown kind and requirement.
fn push_edges(
    (edges, decls): (&mut Vec<LockEdge>, &mut Vec<Vec<u32>>),
    (i, j): (usize, usize),
    found: Vec<(Edge, Vec<u32>)>,
    from_member: bool,
    target: &str,
) {
    if found.is_empty() {
        // The key only matters where a path leaves the workspace (origins): outside
        // the members it is never read, so no string is made for it.
        let key = if from_member {
            target.to_owned()
        } else {
            String::new()
        };
        edges.push((
            i,
            j,
            Edge {
                kind: Kind::Normal,
                kind_known: false,
                req: None,
                key,
                optional: false,
                platform: None,
                features: Vec::new(),
                default_features: true,
            },
        ));
        decls.push(Vec::new());
    }
    for (e, at) in found {
        edges.push((i, j, e));
        decls.push(at);
    }
}

/// Which edges the resolve with `requested` features keeps (by edge index), from the
/// declarations and feature tables of the local packages and the registry releases.
fn activated(
    declaring: &Declaring<'_>,
    packages: &[Package],
    (edges, decls): (&[LockEdge], &[Vec<u32>]),
    members: &[usize],
    requested: &super::features::Requested,
) -> Result<Vec<bool>, String> {
    use super::features::{Decl, Facts as Of};
    let of = |i: usize| -> Option<Of<'_>> {
        let p = &packages[i];
        let label = format!("{} {}", p.name, p.version);
        if let Some(m) = declaring.placed[i] {
            let decls = m.declarations.iter().map(|d| Decl {
                key: &d.key,
                kind: d.kind,
                optional: d.optional,
                features: &d.features,
                default_features: d.default_features,
            });
            return Some(Of {
                name: &p.name,
                label,
                decls: decls.collect(),
                table: &m.features,
                is_member: m.is_member,
            });
        }
        let released = declaring.facts.get(i)?.as_ref()?;
        let decls = released.deps.iter().map(|d| Decl {
            key: &d.key,
            kind: d.kind,
            optional: d.optional,
            features: &d.features,
            default_features: d.default_features,
        });
        Some(Of {
            name: &p.name,
            label,
            decls: decls.collect(),
            table: &released.features,
            is_member: false,
        })
    };
    let facts: Vec<Option<Of<'_>>> = (0..packages.len()).map(of).collect();
    let links: Vec<super::features::Link<'_>> = edges
        .iter()
        .zip(decls)
        .map(|((i, j, _), d)| (*i, *j, d.as_slice()))
        .collect();
    let label = |i: usize| format!("{} {}", packages[i].name, packages[i].version);
    super::features::activate(&facts, &links, members, requested, &label)
}

/// Where each local package stands in Cargo.lock: by lock index, the local package locked
/// there (a package without a source, of the same name and version).
fn place<'m>(
    local: &'m [LocalPackage],
    raw: &[RawPackage<'_>],
    packages: &[Package],
    by_name: &ByName<'_>,
) -> Vec<Option<&'m LocalPackage>> {
    let mut placed: Vec<Option<&LocalPackage>> = vec![None; raw.len()];
    for m in local {
        let found = by_name.get(m.name.as_str()).and_then(|c| {
            c.iter().copied().find(|&i| {
                raw[i].source.is_none()
                    && placed[i].is_none()
                    && m.version.as_ref().is_none_or(|v| packages[i].version == *v)
            })
        });
        if let Some(i) = found {
            placed[i] = Some(m);
        }
    }
    placed
}

/// Resolves `"name"`, `"name version"` or `"name version (source)"`.
pub(super) fn resolve(
    reference: &str,
    by_name: &ByName<'_>,
    packages: &[RawPackage<'_>],
) -> Result<usize, String> {
    let mut parts = reference.splitn(3, ' ');
    let name = parts.next().unwrap_or_default();
    let version = parts.next();
    let source = parts
        .next()
        .map(|s| s.trim_start_matches('(').trim_end_matches(')'));
    let candidates = by_name
        .get(name)
        .ok_or_else(|| "names no package in Cargo.lock".to_owned())?;
    let mut matching = candidates
        .iter()
        .copied()
        .filter(|&i| version.is_none_or(|v| packages[i].version == v))
        .filter(|&i| source.is_none_or(|s| same_source(s, packages[i].source.as_deref())));
    // The common case, one match, allocates nothing.
    let Some(first) = matching.next() else {
        return Err("names no package in Cargo.lock".to_owned());
    };
    if matching.next().is_none() {
        return Ok(first);
    }
    // Cargo writes the source of every copy but a source-less (path) one when one name and
    // version come from several sources: a reference without a source means that one.
    let mut sourceless = candidates
        .iter()
        .copied()
        .filter(|&i| version.is_none_or(|v| packages[i].version == v))
        .filter(|&i| source.is_none() && packages[i].source.is_none());
    match (sourceless.next(), sourceless.next()) {
        (Some(one), None) => Ok(one),
        _ => Err("is ambiguous: several packages match it".to_owned()),
    }
}

/// Whether a dependency reference's source names a package's source, as cargo matches them:
/// a reference carries no `#<commit>` fragment, and source ids compare by their canonical URL
/// (no trailing `/` or `.git`, GitHub paths in lower case), keeping the query (`?rev=`,
/// `?branch=`, `?tag=`). Formats 1 and 2 write `?branch=master` as the default branch.
fn same_source(reference: &str, package: Option<&str>) -> bool {
    let Some(package) = package else {
        return false;
    };
    reference == package || canonical_source(reference) == canonical_source(package)
}

/// A source id reduced to what cargo compares: kind, canonical URL and git reference.
fn canonical_source(source: &str) -> String {
    let source = source.split_once('#').map_or(source, |(s, _)| s);
    let (kind, url) = source.split_once('+').unwrap_or(("", source));
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut base = base.trim_end_matches('/');
    if kind == "git" {
        base = base.strip_suffix(".git").unwrap_or(base);
    }
    let base = if base.contains("://github.com/") {
        base.to_ascii_lowercase()
    } else {
        base.to_owned()
    };
    let query = if query == "branch=master" { "" } else { query };
    if query.is_empty() {
        format!("{kind}+{base}")
    } else {
        format!("{kind}+{base}?{query}")
    }
}

/// The declarations of a local package's manifest at `path` (`ws_deps`: the root's
/// `[workspace.dependencies]`, which inherited keys read).
pub(crate) fn declarations(
    path: &Path,
    doc: &Manifest,
    root: &Path,
    ws_deps: Option<&dyn toml_edit::TableLike>,
) -> Vec<Declaration> {
    let base = path.parent().unwrap_or(root);
    doc.entries()
        .filter_map(|entry| match entry.table.section {
            Section::Package(kind) => Some(declaration(entry, kind, (base, root), ws_deps, doc)),
            Section::Workspace => None,
        })
        .collect()
}

/// One declaration of a member's manifest; an inherited one (`key.workspace = true`) reads
/// its requirement, package and path from the root's `[workspace.dependencies]`.
fn declaration(
    entry: Entry<'_>,
    kind: Kind,
    (base, root): (&Path, &Path),
    ws_deps: Option<&dyn toml_edit::TableLike>,
    doc: &Manifest,
) -> Declaration {
    let key = entry.key.get();
    let t = entry.item.as_table_like();
    let inherited = entry.inherited();
    let source_item = if inherited {
        ws_deps.and_then(|w| w.get(key))
    } else {
        Some(entry.item)
    };
    let st = source_item.and_then(Item::as_table_like);
    let package = st
        .and_then(|t| t.get("package"))
        .or_else(|| t.and_then(|t| t.get("package")))
        .and_then(Item::as_str)
        .unwrap_or(key)
        .to_owned();
    let written_path = st.and_then(|t| t.get("path")).and_then(Item::as_str);
    let base = if inherited { root } else { base };
    Declaration {
        key: key.to_owned(),
        package,
        kind,
        platform: entry.table.platform_name(),
        req: source_item.and_then(written_requirement),
        is_path: st.is_some_and(|t| t.get("path").is_some()),
        optional: [t, st]
            .into_iter()
            .flatten()
            .any(|t| t.get("optional").and_then(Item::as_bool) == Some(true)),
        features: [if inherited { st } else { None }, t]
            .into_iter()
            .flatten()
            .filter_map(|t| t.get("features").and_then(Item::as_array))
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        default_features: default_features(t, st, inherited),
        path_dir: written_path.map(|p| super::workspace::normalize(&base.join(p))),
        line: entry.span().map(|(start, _)| doc.line_of(start)),
    }
}

/// `default-features` as cargo settles it: the declaration's own (default true); for an
/// inherited key, the workspace's entry's unless that is off, when the member's decides.
fn default_features(
    own: Option<&dyn toml_edit::TableLike>,
    source: Option<&dyn toml_edit::TableLike>,
    inherited: bool,
) -> bool {
    let read = |t: Option<&dyn toml_edit::TableLike>| {
        t.and_then(|t| {
            t.get("default-features")
                .or_else(|| t.get("default_features"))
        })
        .and_then(Item::as_bool)
    };
    if !inherited {
        return read(own).unwrap_or(true);
    }
    read(source).unwrap_or(true) || read(own).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = r#"
[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "tonic 0.9.2 (registry+https://github.com/rust-lang/crates.io-index)",
 "tonic 0.12.3 (registry+https://github.com/rust-lang/crates.io-index)",
]

[[package]]
name = "tonic"
version = "0.9.2"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "tonic"
version = "0.12.3"
source = "registry+https://github.com/rust-lang/crates.io-index"

[metadata]
"checksum tonic 0.9.2 (registry+https://github.com/rust-lang/crates.io-index)" = "00"
"#;

    fn build(text: &str) -> Result<DepGraph, LockError> {
        graph(
            Path::new("Cargo.lock"),
            text,
            Local::default(),
            Path::new("/ws"),
        )
    }

    fn declared(name: &str, req: &str, kind: Kind, platform: Option<&str>) -> Declared {
        Declared {
            name: name.to_owned(),
            key: name.to_owned(),
            req: VersionReq::parse(req).expect("req"),
            kind,
            platform: platform.map(str::to_owned),
            optional: false,
            features: Vec::new(),
            default_features: true,
        }
    }

    const SOCKET2: &str = "version = 4\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"socket2\"]\n[[package]]\nname = \"socket2\"\nversion = \"0.5.8\"\nsource = \"registry+x\"\ndependencies = [\"libc\", \"windows-sys\"]\n[[package]]\nname = \"libc\"\nversion = \"0.2.169\"\nsource = \"registry+x\"\n[[package]]\nname = \"windows-sys\"\nversion = \"0.52.0\"\nsource = \"registry+x\"\n";

    /// `SOCKET2` built with what socket2 0.5.8 declares: libc twice on unix (normal and
    /// build), as a dev-dependency, and on an older line under windows; windows-sys on windows.
    fn with_facts() -> Built {
        let lock = Locked::parse(Path::new("Cargo.lock"), SOCKET2).expect("parses");
        let mut facts: Facts = vec![None; lock.len()];
        let (i, _, _) = lock
            .registry_packages()
            .find(|(_, p, _)| p.name == "socket2")
            .expect("socket2");
        facts[i] = Some(ReleaseFacts {
            deps: vec![
                declared("libc", "^0.2.150", Kind::Normal, Some("cfg(unix)")),
                declared("libc", "^0.2.150", Kind::Normal, Some("cfg(unix)")),
                declared("libc", "^0.2", Kind::Build, Some("cfg(unix)")),
                declared("libc", "^0.2", Kind::Dev, None),
                declared("libc", "^0.1", Kind::Normal, Some("cfg(windows)")),
                declared("windows-sys", "^0.52", Kind::Normal, Some("cfg(windows)")),
            ],
            features: Default::default(),
        });
        super::build(lock, Local::default(), Path::new("/ws"), &facts).expect("builds")
    }

    fn edges_of(g: &DepGraph, name: &str) -> Vec<String> {
        let node = g.nodes().find(|&n| g.package(n).name == name).expect(name);
        g.dependencies(node)
            .map(|(to, e)| {
                format!(
                    "{} {:?} {} {:?} {:?}",
                    g.package(to).name,
                    e.kind,
                    e.kind_known,
                    e.req,
                    e.platform
                )
            })
            .collect()
    }

    #[test]
    fn a_registry_packages_edges_take_what_its_release_declares() {
        let built = with_facts();
        assert_eq!(
            edges_of(&built.graph, "socket2"),
            [
                "libc Normal true Some(\"^0.2.150\") Some(\"cfg(unix)\")",
                "libc Build true Some(\"^0.2\") Some(\"cfg(unix)\")",
                "windows-sys Normal true Some(\"^0.52\") Some(\"cfg(windows)\")",
            ]
        );
        // The member has no manifest here (Cargo.lock alone): its edge is unknown, said.
        assert_eq!(
            edges_of(&built.graph, "app"),
            ["socket2 Normal false None None"]
        );
        assert_eq!(built.lacking, ["app 0.1.0"]);
        let note = not_known(&built.lacking);
        assert!(note.contains("of 1 package (app 0.1.0;"), "{note}");
        assert!(!not_known(&[]).contains("describe the dependencies"));
    }

    #[test]
    fn targets_evaluate_registry_conditions_and_keep_unknown_edges() {
        let on = |triple: &str| {
            let g = on_targets(with_facts().graph, &[triple.to_owned()]).expect("known triple");
            let mut names = Vec::new();
            for n in g.nodes() {
                for (to, _) in g.dependencies(n) {
                    names.push(format!("{}->{}", g.package(n).name, g.package(to).name));
                }
            }
            names.sort();
            names.dedup();
            names
        };
        assert_eq!(
            on("x86_64-unknown-linux-gnu"),
            ["app->socket2", "socket2->libc"]
        );
        assert_eq!(
            on("x86_64-pc-windows-msvc"),
            ["app->socket2", "socket2->windows-sys"]
        );
    }

    #[test]
    fn a_registry_package_without_facts_keeps_unknown_edges_and_is_named() {
        let lock = Locked::parse(Path::new("Cargo.lock"), SOCKET2).expect("parses");
        let built = super::build(lock, Local::default(), Path::new("/ws"), &Facts::default())
            .expect("builds");
        assert_eq!(built.lacking, ["app 0.1.0", "socket2 0.5.8"]);
        assert!(
            edges_of(&built.graph, "socket2")
                .iter()
                .all(|e| e.contains(" false None None"))
        );
    }

    #[test]
    fn default_features_follow_cargos_rule_for_inherited_keys() {
        let doc: toml_edit::DocumentMut =
            "on = { version = \"1\" }\noff = { default-features = false }\n"
                .parse()
                .expect("toml");
        let t = |key: &str| doc.get(key).and_then(Item::as_table_like);
        assert!(default_features(t("on"), None, false));
        assert!(!default_features(t("off"), None, false));
        // Inherited: the workspace's entry decides unless it turns them off.
        assert!(default_features(t("off"), t("on"), true));
        assert!(!default_features(t("on"), t("off"), true));
        assert!(!default_features(None, t("off"), true));
    }

    #[test]
    fn reads_v1_with_full_references_and_members_without_source() {
        let g = build(V1).expect("v1");
        assert_eq!(g.node_count(), 3);
        assert_eq!(g.members().len(), 1);
        assert_eq!(g.package(g.members()[0]).name, "app");
        assert_eq!(g.dependencies(g.members()[0]).count(), 2);
    }

    #[test]
    fn reads_v3_short_references() {
        let text = "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"tonic 0.9.2\", \"http\"]\n\n[[package]]\nname = \"tonic\"\nversion = \"0.9.2\"\nsource = \"registry+x\"\n\n[[package]]\nname = \"tonic\"\nversion = \"0.12.3\"\nsource = \"registry+x\"\n\n[[package]]\nname = \"http\"\nversion = \"0.2.12\"\nsource = \"registry+x\"\n";
        let g = build(text).expect("v3");
        let mut deps: Vec<String> = g
            .dependencies(g.members()[0])
            .map(|(n, e)| {
                assert!(!e.kind_known && e.req.is_none());
                g.package(n).label()
            })
            .collect();
        deps.sort();
        assert_eq!(deps, ["http@0.2.12", "tonic@0.9.2"]);
    }

    #[test]
    fn a_dependency_listed_twice_does_not_break_the_graph() {
        // Found by fuzzing: two references to one package gave parallel edges.
        let text = "version = 4\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"tonic\", \"tonic 0.12.3\"]\n[[package]]\nname = \"tonic\"\nversion = \"0.12.3\"\nsource = \"registry+x\"\n";
        let g = build(text).expect("parallel edges are fine");
        assert_eq!(g.dependencies(g.members()[0]).count(), 2);
        assert!(analyze_ok(&g));
    }

    fn analyze_ok(g: &DepGraph) -> bool {
        crate::analysis::analyze(
            g,
            &crate::manifest::spans::SpanIndex::default(),
            &crate::analysis::Options::default(),
        )
        .is_empty()
    }

    #[test]
    fn reads_v2_without_a_version_key() {
        let text = "[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"tonic\"]\n\n[[package]]\nname = \"tonic\"\nversion = \"0.12.3\"\nsource = \"registry+x\"\nchecksum = \"00\"\n";
        let g = build(text).expect("v2");
        let deps: Vec<String> = g
            .dependencies(g.members()[0])
            .map(|(n, _)| g.package(n).label())
            .collect();
        assert_eq!(deps, ["tonic@0.12.3"]);
    }

    /// A lockfile of format `version` (1 to 4) where `app` depends on one package of `source`,
    /// written as cargo writes it: the package's source with `fragment`, the reference
    /// without it (format 1 writes every reference in full, and the root in `[root]`).
    fn lock_with(version: u8, source: &str, fragment: &str, reference: &str) -> String {
        let dep = match version {
            1 => format!("tonic 0.12.3 ({reference})"),
            _ => "tonic".to_owned(),
        };
        let head = match version {
            1 => format!(
                "[root]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"{dep}\",\n \"tonic 0.9.2 (registry+https://github.com/rust-lang/crates.io-index)\",\n]\n"
            ),
            2 => format!(
                "[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"{dep} 0.12.3 ({reference})\",\n \"tonic 0.9.2 (registry+https://github.com/rust-lang/crates.io-index)\",\n]\n"
            ),
            v => format!(
                "version = {v}\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"{dep} 0.12.3 ({reference})\",\n \"tonic 0.9.2 (registry+https://github.com/rust-lang/crates.io-index)\",\n]\n"
            ),
        };
        let mut text = format!(
            "{head}\n[[package]]\nname = \"tonic\"\nversion = \"0.12.3\"\nsource = \"{source}{fragment}\"\n\n[[package]]\nname = \"tonic\"\nversion = \"0.9.2\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
        );
        if version == 1 {
            text.push_str("\n[metadata]\n\"checksum tonic 0.9.2 (registry+https://github.com/rust-lang/crates.io-index)\" = \"00\"\n");
        }
        text
    }

    #[test]
    fn references_match_packages_as_cargo_writes_them_for_every_source_kind_and_format() {
        let git = "git+https://github.com/hyperium/tonic";
        let cases: [(&str, &str, &str); 11] = [
            (
                "registry+https://github.com/rust-lang/crates.io-index",
                "",
                "registry+https://github.com/rust-lang/crates.io-index",
            ),
            (
                "sparse+https://index.crates.io/",
                "",
                "sparse+https://index.crates.io/",
            ),
            (
                "registry+https://my-intranet:8080/git/index",
                "",
                "registry+https://my-intranet:8080/git/index",
            ),
            (
                "sparse+https://cargo.example.com/index/",
                "",
                "sparse+https://cargo.example.com/index/",
            ),
            (
                "git+https://github.com/hyperium/tonic?branch=main",
                "#0123abc",
                "git+https://github.com/hyperium/tonic?branch=main",
            ),
            (
                "git+https://github.com/hyperium/tonic?tag=v0.12.3",
                "#0123abc",
                "git+https://github.com/hyperium/tonic?tag=v0.12.3",
            ),
            (
                "git+https://github.com/hyperium/tonic?rev=86641f7",
                "#86641f7aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "git+https://github.com/hyperium/tonic?rev=86641f7",
            ),
            (git, "#0123abc", git),
            (
                "git+https://github.com/o/r/?rev=86641f7",
                "#86641f7bbb",
                "git+https://github.com/o/r/?rev=86641f7",
            ),
            (
                "git+https://github.com/O/R.git?rev=86641f7",
                "#86641f7ccc",
                "git+https://github.com/o/r?rev=86641f7",
            ),
            (
                "git+https://github.com/o/r?branch=master",
                "#0123abc",
                "git+https://github.com/o/r",
            ),
        ];
        for version in 1..=4u8 {
            for (source, fragment, reference) in cases {
                let text = lock_with(version, source, fragment, reference);
                let g =
                    build(&text).unwrap_or_else(|e| panic!("v{version} {source}: {}", e.message));
                assert_eq!(g.members().len(), 1, "v{version} {source}");
                let mut deps: Vec<String> = g
                    .dependencies(g.members()[0])
                    .map(|(n, _)| {
                        let p = g.package(n);
                        format!(
                            "{}@{} {}",
                            p.name,
                            p.version,
                            p.source.as_deref().unwrap_or("-")
                        )
                    })
                    .collect();
                deps.sort();
                assert_eq!(
                    deps,
                    [
                        format!("tonic@0.12.3 {source}{fragment}"),
                        "tonic@0.9.2 registry+https://github.com/rust-lang/crates.io-index"
                            .to_owned()
                    ],
                    "v{version} {source}"
                );
            }
        }
    }

    #[test]
    fn a_reference_to_another_git_revision_is_still_refused() {
        let text = lock_with(
            3,
            "git+https://github.com/o/r?rev=aaa",
            "#aaa",
            "git+https://github.com/o/r?rev=bbb",
        );
        let e = build(&text).expect_err("another revision");
        assert!(e.message.contains("names no package"), "{}", e.message);
    }

    #[test]
    fn path_packages_are_referenced_without_a_source_in_every_format() {
        for head in ["[root]", "[[package]]"] {
            let text = format!(
                "{head}\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"lib 0.1.0\"]\n\n[[package]]\nname = \"lib\"\nversion = \"0.1.0\"\n"
            );
            let g = build(&text).expect("path");
            assert_eq!(g.members().len(), 2, "{head}");
            assert_eq!(
                g.dependencies(g.members()[0]).count() + g.dependencies(g.members()[1]).count(),
                1
            );
        }
    }

    #[test]
    fn bad_lockfiles_are_errors_that_say_why() {
        let e = build("version = 99\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\n")
            .expect_err("unknown version");
        assert!(
            e.message.contains("unsupported lockfile version 99"),
            "{}",
            e.message
        );
        let e = build("version = 4\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\n")
            .expect_err("duplicate");
        assert!(e.message.contains("listed twice"), "{}", e.message);
        let e = build("version = 4\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\"ghost\"]\n")
            .expect_err("dangling");
        assert!(
            e.message.contains("`ghost`") && e.message.contains("names no package"),
            "{}",
            e.message
        );
        let e = build("version = 4\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\"t\"]\n[[package]]\nname = \"t\"\nversion = \"0.1.0\"\nsource = \"registry+x\"\n[[package]]\nname = \"t\"\nversion = \"0.2.0\"\nsource = \"registry+x\"\n")
            .expect_err("ambiguous");
        assert!(e.message.contains("ambiguous"), "{}", e.message);
        assert!(build("not toml [").is_err());
        assert!(
            build("version = 4\n")
                .expect_err("empty")
                .message
                .contains("no packages")
        );
    }
}
