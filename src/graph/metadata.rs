//! `cargo metadata --format-version 1` JSON read in one pass: serde straight into borrowed
//! records (unknown fields ignored), then the graph's packages, members and per-declaration
//! edges, matching each resolved dependency to the declarations behind it as cargo does.
//!
//! Format quirks handled: `resolve` is null with `--no-deps` (no edges); `dep_kinds` is
//! absent in metadata from old cargo (every declaration that names the package matches,
//! and the edge keeps only what the link knows); `format_version` must be 1.

use std::borrow::Cow;
use std::path::PathBuf;
use std::str::FromStr;

use cargo_platform::Platform;
use semver::{Version, VersionReq};
use serde::{Deserialize, Deserializer};

use super::{Edge, FastMap, Kind, Package};

/// Text as it is in the JSON: borrowed, unless it holds escapes.
#[derive(Deserialize)]
#[serde(transparent)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

impl Text<'_> {
    fn as_str(&self) -> &str {
        &self.0
    }
}

/// The document, its `resolve` left as written: another thread reads that (see [`parse`]).
#[derive(Deserialize)]
struct Metadata<'a> {
    #[serde(borrow)]
    packages: Vec<RawPackage<'a>>,
    #[serde(borrow)]
    workspace_members: Vec<Text<'a>>,
    #[serde(borrow, default)]
    workspace_default_members: Option<Vec<Text<'a>>>,
    #[serde(borrow, default)]
    resolve: Option<&'a serde_json::value::RawValue>,
    #[serde(borrow)]
    workspace_root: Text<'a>,
    #[serde(default)]
    version: Option<u64>,
}

/// The document's `resolve` alone, read from the whole text only to find where a document
/// that does not read goes wrong.
#[derive(Deserialize)]
struct Resolved<'a> {
    #[serde(borrow, default)]
    #[expect(dead_code, reason = "read for its errors only")]
    resolve: Option<Resolve<'a>>,
}

/// Where cargo writes the `resolve` key: after the packages and the members, so the last
/// occurrence is its own unless the workspace's metadata, written after it, holds the key.
const RESOLVE_KEY: &str = ",\"resolve\":";

/// The document read in two halves side by side: the packages (the `resolve` value skipped
/// as written) on this thread, and `resolve` on another, from where cargo writes it. The
/// second counts only when the first finds `resolve` at that very place; else `resolve` is
/// read from where the first found it. When something is wrong, the error met first in the
/// text is the one reported, as a single pass would.
fn parse(json: &str) -> Result<(Metadata<'_>, Option<Resolve<'_>>), String> {
    let (meta, early) = std::thread::scope(|s| {
        let early = s.spawn(|| {
            let at = json.rfind(RESOLVE_KEY)? + RESOLVE_KEY.len();
            let mut de = serde_json::Deserializer::from_str(&json[at..]);
            Some((at, Option::<Resolve<'_>>::deserialize(&mut de).ok()?))
        });
        let meta = serde_json::from_str::<Metadata<'_>>(json);
        let early = early
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (meta, early)
    });
    if let Ok(meta) = meta {
        let Some(raw) = meta.resolve else {
            return Ok((meta, None));
        };
        let at = raw.get().as_ptr() as usize - json.as_ptr() as usize;
        match early {
            Some((early_at, resolve)) if early_at == at => return Ok((meta, resolve)),
            _ => {
                if let Ok(resolve) = serde_json::from_str::<Option<Resolve<'_>>>(raw.get()) {
                    return Ok((meta, resolve));
                }
            }
        }
    }
    Err(first_error(json))
}

/// The error a single pass over a document that does not read meets first.
fn first_error(json: &str) -> String {
    let meta = serde_json::from_str::<Metadata<'_>>(json);
    let resolved = serde_json::from_str::<Resolved<'_>>(json);
    match (meta, resolved) {
        (Err(a), Err(b)) if (b.line(), b.column()) < (a.line(), a.column()) => b.to_string(),
        (Err(e), _) | (_, Err(e)) => e.to_string(),
        (Ok(_), Ok(_)) => "its `resolve` could not be read".to_owned(),
    }
}

#[derive(Deserialize)]
struct RawPackage<'a> {
    #[serde(borrow)]
    name: Text<'a>,
    version: Version,
    #[serde(borrow)]
    id: Text<'a>,
    #[serde(borrow, default)]
    source: Option<Text<'a>>,
    #[serde(borrow, default)]
    dependencies: Vec<Declaration<'a>>,
    #[serde(borrow, default)]
    targets: Vec<Target<'a>>,
    #[serde(borrow)]
    manifest_path: Text<'a>,
    #[serde(default, deserialize_with = "rust_version")]
    rust_version: Option<Version>,
}

#[derive(Deserialize)]
struct Declaration<'a> {
    #[serde(borrow)]
    name: Text<'a>,
    #[serde(borrow)]
    req: Text<'a>,
    #[serde(borrow, default)]
    kind: Option<Text<'a>>,
    #[serde(default)]
    optional: bool,
    #[serde(default = "yes")]
    uses_default_features: bool,
    #[serde(borrow, default)]
    features: Vec<Text<'a>>,
    #[serde(borrow, default)]
    target: Option<Text<'a>>,
    #[serde(borrow, default)]
    rename: Option<Text<'a>>,
    #[serde(borrow, default)]
    path: Option<Text<'a>>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
struct Target<'a> {
    #[serde(borrow, default)]
    kind: Vec<Text<'a>>,
    #[serde(borrow)]
    name: Text<'a>,
    #[serde(borrow)]
    src_path: Text<'a>,
}

#[derive(Deserialize)]
struct Resolve<'a> {
    #[serde(borrow)]
    nodes: Vec<Node<'a>>,
}

#[derive(Deserialize)]
struct Node<'a> {
    #[serde(borrow)]
    id: Text<'a>,
    #[serde(borrow, default)]
    deps: Vec<NodeDep<'a>>,
}

#[derive(Deserialize)]
struct NodeDep<'a> {
    #[serde(borrow)]
    name: Text<'a>,
    #[serde(borrow)]
    pkg: Text<'a>,
    #[serde(borrow, default)]
    dep_kinds: Vec<DepKind<'a>>,
}

#[derive(Deserialize)]
struct DepKind<'a> {
    #[serde(borrow, default)]
    kind: Option<Text<'a>>,
    #[serde(borrow, default)]
    target: Option<Text<'a>>,
}

/// `rust-version` as cargo writes it: `1.70` means `1.70.0`; no pre-release or build part.
fn rust_version<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Version>, D::Error> {
    let Some(mut text) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    if text.contains(['-', '+']) {
        return Err(serde::de::Error::custom(format!(
            "rust-version `{text}` has a pre-release or build part"
        )));
    }
    if text.matches('.').count() == 1 {
        text.push_str(".0");
    }
    Version::parse(&text)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// A declaration's kind: `None` for a kind this tool does not know (kept for matching, never
/// an edge).
fn kind_of(kind: Option<&Text<'_>>) -> Option<Kind> {
    match kind.map(Text::as_str) {
        None | Some("normal") => Some(Kind::Normal),
        Some("build") => Some(Kind::Build),
        Some("dev") => Some(Kind::Dev),
        Some(_) => None,
    }
}

/// What the graph is built from: packages in input order, edges indexing them.
pub(super) struct Parts {
    pub(super) packages: Vec<Package>,
    pub(super) edges: Vec<(usize, usize, Edge)>,
    pub(super) members: Vec<usize>,
    pub(super) workspace_root: PathBuf,
}

/// Requirements and platform conditions, each distinct text parsed once.
#[derive(Default)]
struct Parsed<'m> {
    req_of: FastMap<&'m str, u32>,
    /// The parsed requirement and its display (`0.9` → `^0.9`).
    reqs: Vec<(VersionReq, String)>,
    platform_of: FastMap<&'m str, u32>,
    /// Distinct platforms as cargo_platform displays them (`cfg(any(unix, windows))`):
    /// two conditions are equal when their indices are.
    platforms: Vec<String>,
    platform_index: FastMap<String, u32>,
}

impl<'m> Parsed<'m> {
    fn req(&mut self, text: &'m str) -> Result<u32, String> {
        if let Some(&i) = self.req_of.get(text) {
            return Ok(i);
        }
        let req = VersionReq::from_str(text).map_err(|e| e.to_string())?;
        let i = self.reqs.len() as u32;
        self.reqs.push((req.clone(), req.to_string()));
        self.req_of.insert(text, i);
        Ok(i)
    }

    fn platform(&mut self, text: &'m str) -> Result<u32, String> {
        if let Some(&i) = self.platform_of.get(text) {
            return Ok(i);
        }
        let shown = Platform::from_str(text)
            .map_err(|e| e.to_string())?
            .to_string();
        let next = self.platforms.len() as u32;
        let i = *self.platform_index.entry(shown.clone()).or_insert(next);
        if i == next {
            self.platforms.push(shown);
        }
        self.platform_of.insert(text, i);
        Ok(i)
    }

    fn optional_platform(&mut self, text: Option<&'m Text<'_>>) -> Result<Option<u32>, String> {
        text.map(|t| self.platform(t.as_str())).transpose()
    }
}

/// One declaration, its requirement and platform parsed.
struct Decl<'m> {
    name: &'m str,
    /// The key as written: the rename, or the name.
    key: &'m str,
    /// The rename as code names it (`-` → `_`), which cargo's resolve may use.
    code_rename: Option<String>,
    kind: Option<Kind>,
    req: u32,
    platform: Option<u32>,
    raw: &'m Declaration<'m>,
}

/// Reads the metadata JSON into the graph's parts; errors are messages about the input.
pub(super) fn read(json: &str) -> Result<Parts, String> {
    let (meta, resolve) = parse(json)?;
    if let Some(v) = meta.version
        && v != 1
    {
        return Err(format!(
            "it is format version {v}; this tool reads `cargo metadata --format-version 1`"
        ));
    }
    let mut index: FastMap<&str, usize> =
        FastMap::with_capacity_and_hasher(meta.packages.len(), Default::default());
    for (i, p) in meta.packages.iter().enumerate() {
        if index.insert(p.id.as_str(), i).is_some() {
            return Err(format!("package `{}` is listed twice", p.id.as_str()));
        }
    }
    let members = members(&meta, &index)?;
    let mut is_member = vec![false; meta.packages.len()];
    for &m in &members {
        is_member[m] = true;
    }
    let mut parsed = Parsed::default();
    let decls = meta
        .packages
        .iter()
        .map(|p| declarations(p, &mut parsed))
        .collect::<Result<Vec<_>, String>>()?;
    let edges = match &resolve {
        Some(resolve) => resolved_edges(&meta.packages, &index, resolve, &decls, &mut parsed)?,
        None => Vec::new(),
    };
    let packages = meta
        .packages
        .iter()
        .zip(&is_member)
        .map(|(p, &member)| package_facts(p, member))
        .collect();
    Ok(Parts {
        packages,
        edges,
        members,
        workspace_root: PathBuf::from(meta.workspace_root.as_str()),
    })
}

/// The members' package indices; every member and default member must be a listed package,
/// and no two members may share a name.
fn members(meta: &Metadata<'_>, index: &FastMap<&str, usize>) -> Result<Vec<usize>, String> {
    let mut members = Vec::with_capacity(meta.workspace_members.len());
    let mut names: FastMap<&str, &str> = FastMap::default();
    for id in &meta.workspace_members {
        let Some(&i) = index.get(id.as_str()) else {
            return Err(format!(
                "workspace member `{}` is not among the packages",
                id.as_str()
            ));
        };
        let name = meta.packages[i].name.as_str();
        if let Some(other) = names.insert(name, id.as_str())
            && other != id.as_str()
        {
            return Err(format!(
                "two workspace members are named `{name}`: `{other}` and `{}`",
                id.as_str()
            ));
        }
        members.push(i);
    }
    for id in meta.workspace_default_members.iter().flatten() {
        if !members
            .iter()
            .any(|&m| meta.packages[m].id.as_str() == id.as_str())
        {
            return Err(format!(
                "default member `{}` is not a workspace member",
                id.as_str()
            ));
        }
    }
    Ok(members)
}

fn declarations<'m>(
    p: &'m RawPackage<'m>,
    parsed: &mut Parsed<'m>,
) -> Result<Vec<Decl<'m>>, String> {
    p.dependencies
        .iter()
        .map(|d| {
            let name = d.name.as_str();
            let whose = || format!("package `{}`: dependency `{name}`", p.id.as_str());
            let req = parsed.req(d.req.as_str()).map_err(|e| {
                format!("{} has the requirement `{}`: {e}", whose(), d.req.as_str())
            })?;
            let platform = parsed.optional_platform(d.target.as_ref()).map_err(|e| {
                format!(
                    "{} has the platform `{}`: {e}",
                    whose(),
                    d.target.as_ref().map_or("", Text::as_str)
                )
            })?;
            Ok(Decl {
                name,
                key: d.rename.as_ref().map_or(name, Text::as_str),
                code_rename: d.rename.as_ref().map(|r| r.as_str().replace('-', "_")),
                kind: kind_of(d.kind.as_ref()),
                req,
                platform,
                raw: d,
            })
        })
        .collect()
}

/// The name cargo's resolve gives a package's library: its lib target's name (with `-` as
/// `_` when it is the package name); empty for a package without a library.
fn lib_name<'m>(p: &'m RawPackage<'m>) -> Cow<'m, str> {
    const NOT_LIB: [&str; 5] = ["custom-build", "bin", "example", "test", "bench"];
    let lib = p.targets.iter().find(|t| match t.kind.as_slice() {
        [] => false,
        [one] => !NOT_LIB.contains(&one.as_str()),
        _ => true,
    });
    match lib {
        Some(t) if t.name.as_str() == p.name.as_str() && t.name.as_str().contains('-') => {
            Cow::Owned(t.name.as_str().replace('-', "_"))
        }
        Some(t) => Cow::Borrowed(t.name.as_str()),
        None => Cow::Borrowed(""),
    }
}

/// `*` matches every version, pre-releases included, as cargo matches declarations.
fn star_or_matches(req: &VersionReq, version: &Version) -> bool {
    req.comparators.is_empty() || req.matches(version)
}

/// One resolved link: the first matching declaration's key and requirement, and the kinds
/// of all the matching ones.
struct Link<'m> {
    dep_name: &'m str,
    req: u32,
    kinds: [bool; 3],
    /// The resolver's (kind, platform) pairs for this link.
    kept: Vec<(Option<Kind>, Option<u32>)>,
}

/// The edges of every resolved link, in input package order.
fn resolved_edges<'m>(
    packages: &'m [RawPackage<'m>],
    index: &FastMap<&str, usize>,
    resolve: &'m Resolve<'m>,
    decls: &[Vec<Decl<'m>>],
    parsed: &mut Parsed<'m>,
) -> Result<Vec<(usize, usize, Edge)>, String> {
    let mut by_name: FastMap<&str, Vec<usize>> =
        FastMap::with_capacity_and_hasher(packages.len(), Default::default());
    for (i, p) in packages.iter().enumerate() {
        by_name.entry(p.name.as_str()).or_default().push(i);
    }
    let lib_names: Vec<Cow<'m, str>> = packages.iter().map(lib_name).collect();
    // The last node of a package id counts, as the last resolved dependency on a package does.
    let mut nodes: FastMap<&str, &Node<'_>> =
        FastMap::with_capacity_and_hasher(resolve.nodes.len(), Default::default());
    for node in &resolve.nodes {
        nodes.insert(node.id.as_str(), node);
    }
    // About one edge per resolved link: reserved once, not grown by copying.
    let mut edges = Vec::with_capacity(resolve.nodes.iter().map(|n| n.deps.len()).sum());
    // A package has a handful of declarations and links: short lists, reused from package to
    // package, serve them better than maps.
    let mut candidates: Vec<(&str, usize)> = Vec::new();
    let mut found: Vec<usize> = Vec::new();
    let mut links: Vec<(usize, Link<'m>)> = Vec::new();
    for (from, p) in packages.iter().enumerate() {
        let Some(node) = nodes.get(p.id.as_str()) else {
            continue;
        };
        // Each declaration may be found under its code-name rename and under the library
        // name of each package of its name whose version it accepts.
        candidates.clear();
        for (d, decl) in decls[from].iter().enumerate() {
            let req = &parsed.reqs[decl.req as usize].0;
            for &q in by_name.get(decl.name).into_iter().flatten() {
                if !star_or_matches(req, &packages[q].version) {
                    continue;
                }
                let lib = &*lib_names[q];
                if let Some(rename) = decl.code_rename.as_deref() {
                    candidates.push((rename, d));
                    if rename == lib {
                        continue;
                    }
                }
                candidates.push((lib, d));
            }
        }
        links.clear();
        for dep in &node.deps {
            let Some(&to) = index.get(dep.pkg.as_str()) else {
                return Err(format!(
                    "package `{}` depends on `{}`, which is not among the packages",
                    p.id.as_str(),
                    dep.pkg.as_str()
                ));
            };
            found.clear();
            found.extend(
                candidates
                    .iter()
                    .filter(|(key, _)| *key == dep.name.as_str())
                    .map(|&(_, d)| d),
            );
            let link = link(p, &decls[from], &found, dep, &packages[to].version, parsed)?;
            // A later link to the same package stands for it, as the last one cargo lists.
            match links.iter_mut().find(|(t, _)| *t == to) {
                Some(slot) => slot.1 = link,
                None => links.push((to, link)),
            }
        }
        for (to, link) in links.drain(..) {
            let out = link_edges(&decls[from], &packages[to], &link, parsed);
            edges.extend(out.into_iter().map(|e| (from, to, e)));
        }
    }
    Ok(edges)
}

/// The link of one resolved dependency: the declarations (`found`, by name) that accept the
/// resolved version and whose kind and platform the resolver kept.
fn link<'m>(
    p: &RawPackage<'_>,
    decls: &[Decl<'m>],
    found: &[usize],
    dep: &'m NodeDep<'m>,
    version: &Version,
    parsed: &mut Parsed<'m>,
) -> Result<Link<'m>, String> {
    let kept = dep
        .dep_kinds
        .iter()
        .map(|k| {
            Ok((
                kind_of(k.kind.as_ref()),
                parsed.optional_platform(k.target.as_ref())?,
            ))
        })
        .collect::<Result<Vec<_>, String>>()
        .map_err(|e| {
            format!(
                "package `{}`: resolved dependency `{}` has a platform that does not parse: {e}",
                p.id.as_str(),
                dep.name.as_str()
            )
        })?;
    let mut first: Option<&Decl<'m>> = None;
    let mut kinds = [false; 3];
    for decl in found.iter().map(|&d| &decls[d]) {
        if !star_or_matches(&parsed.reqs[decl.req as usize].0, version) {
            continue;
        }
        if !kept.is_empty() && !kept.contains(&(decl.kind, decl.platform)) {
            continue;
        }
        if decl.kind == Some(Kind::Dev) && decl.raw.optional {
            return Err(format!(
                "package `{}`: dev-dependency `{}` is marked optional",
                p.id.as_str(),
                decl.key
            ));
        }
        first.get_or_insert(decl);
        if let Some(kind) = decl.kind {
            kinds[kind as usize] = true;
        }
    }
    let Some(first) = first else {
        return Err(format!(
            "package `{}`: no declared dependency matches the resolved dependency `{}` ({})",
            p.id.as_str(),
            dep.name.as_str(),
            dep.pkg.as_str()
        ));
    };
    Ok(Link {
        dep_name: first.key,
        req: first.req,
        kinds,
        kept,
    })
}

/// The edges of one resolved link: one per declaration that resolved to `to` (its kind and
/// platform kept by the resolver, its requirement met unless it is a path), at most one per
/// kind and platform; when none qualifies (metadata without `dep_kinds`), one per kind the
/// link has, with the link's key and requirement.
fn link_edges(
    decls: &[Decl<'_>],
    to: &RawPackage<'_>,
    link: &Link<'_>,
    parsed: &Parsed<'_>,
) -> Vec<Edge> {
    let mut edges: Vec<Edge> = Vec::new();
    for decl in decls {
        let Some(kind) = decl.kind else {
            continue;
        };
        if decl.name != to.name.as_str() || decl.key != link.dep_name || !link.kinds[kind as usize]
        {
            continue;
        }
        let (req, req_shown) = &parsed.reqs[decl.req as usize];
        // Two declarations of one key can point at different packages (a path copy and a
        // registry release, under different targets): keep those this version satisfies.
        if !req.matches(&to.version) && decl.raw.path.is_none() {
            continue;
        }
        if !link.kept.contains(&(Some(kind), decl.platform)) {
            continue;
        }
        let platform = decl.platform.map(|i| parsed.platforms[i as usize].clone());
        if edges
            .iter()
            .any(|e| e.kind == kind && e.platform == platform)
        {
            continue;
        }
        edges.push(Edge {
            kind,
            kind_known: true,
            req: Some(req_shown.clone()),
            key: decl.key.to_owned(),
            optional: decl.raw.optional,
            platform,
            features: decl
                .raw
                .features
                .iter()
                .map(|f| f.as_str().to_owned())
                .collect(),
            default_features: decl.raw.uses_default_features,
        });
    }
    if edges.is_empty() {
        for kind in Kind::ALL {
            if link.kinds[kind as usize] {
                edges.push(Edge {
                    kind,
                    kind_known: true,
                    req: Some(parsed.reqs[link.req as usize].1.clone()),
                    key: link.dep_name.to_owned(),
                    optional: false,
                    platform: None,
                    features: Vec::new(),
                    default_features: true,
                });
            }
        }
    }
    edges
}

/// A package's facts; the source files of its targets for packages on the local file system
/// (members and path packages).
fn package_facts(p: &RawPackage<'_>, is_member: bool) -> Package {
    let source = match (&p.source, is_member) {
        (Some(s), false) => Some(s.as_str().to_owned()),
        _ => None,
    };
    Package {
        id: p.id.as_str().to_owned(),
        name: p.name.as_str().to_owned(),
        version: p.version.clone(),
        target_sources: if source.is_some() {
            Vec::new()
        } else {
            p.targets
                .iter()
                .map(|t| PathBuf::from(t.src_path.as_str()))
                .collect()
        },
        source,
        manifest_path: PathBuf::from(p.manifest_path.as_str()),
        is_member,
        rust_version: p.rust_version.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::graph::DepGraph;
    use crate::testkit::Builder;

    /// `app` with a build dependency on tonic under a platform and a rename, as JSON.
    fn metadata() -> Value {
        let b = Builder::default()
            .member("app")
            .pkg("tonic", "0.12.3")
            .dep_with(
                "app",
                "tonic@0.12.3",
                "build",
                Some("cfg(any(unix,windows))"),
                Some("grpc"),
            );
        serde_json::from_str(&b.metadata_json()).expect("valid JSON")
    }

    fn read(json: &Value) -> Result<DepGraph, String> {
        // The message with its cause: what the binary prints.
        DepGraph::from_metadata_json(&json.to_string(), "meta.json").map_err(|e| {
            let cause = std::error::Error::source(&e).map(ToString::to_string);
            format!("{e}: {}", cause.unwrap_or_default())
        })
    }

    /// Each edge as `from -> to kind key req platform`.
    fn edges(g: &DepGraph) -> Vec<String> {
        g.nodes()
            .flat_map(|n| {
                g.dependencies(n).map(move |(t, e)| {
                    format!(
                        "{} -> {} {} {} {:?} {:?}",
                        g.package(n).name,
                        g.package(t).name,
                        e.kind,
                        e.key,
                        e.req,
                        e.platform
                    )
                })
            })
            .collect()
    }

    #[test]
    fn platforms_are_compared_parsed_and_shown_as_cargo_platform_spells_them() {
        let mut m = metadata();
        // The resolver's copy spelled differently from the declaration's: still the same
        // condition.
        m["resolve"]["nodes"][0]["deps"][0]["dep_kinds"][0]["target"] =
            json!("cfg(any( unix , windows ))");
        let g = read(&m).expect("usable");
        assert_eq!(
            edges(&g),
            ["app -> tonic build grpc Some(\"^0.12.3\") Some(\"cfg(any(unix, windows))\")"]
        );
    }

    #[test]
    fn format_quirks_no_resolve_no_dep_kinds_unknown_fields_escapes() {
        let mut m = metadata();
        m["resolve"] = Value::Null;
        let g = read(&m).expect("--no-deps metadata");
        assert!(edges(&g).is_empty());
        assert_eq!(g.members().len(), 1);

        // Old cargo: no dep_kinds. The link stays, with what it knows.
        let mut m = metadata();
        let dep = m["resolve"]["nodes"][0]["deps"][0]
            .as_object_mut()
            .expect("a dep");
        dep.remove("dep_kinds");
        let g = read(&m).expect("old metadata");
        assert_eq!(
            edges(&g),
            ["app -> tonic build grpc Some(\"^0.12.3\") None"]
        );

        let mut m = metadata();
        m["a_future_field"] = json!({"nested": [1, 2]});
        m["packages"][0]["rust_version"] = json!("1.70");
        m["packages"][0]["manifest_path"] = json!("/ws/a \"quoted\" dir/Cargo.toml");
        let g = read(&m).expect("unknown fields are skipped");
        let app = g.members()[0];
        assert_eq!(
            g.package(app).rust_version,
            Some(semver::Version::new(1, 70, 0))
        );
        assert_eq!(
            g.package(app).manifest_path,
            std::path::Path::new("/ws/a \"quoted\" dir/Cargo.toml")
        );
    }

    #[test]
    fn unusable_metadata_is_an_error_that_says_why() {
        let mut m = metadata();
        m["version"] = json!(2);
        let e = read(&m).expect_err("format 2");
        assert!(
            e.contains("meta.json") && e.contains("format version 2"),
            "{e}"
        );

        let mut m = metadata();
        m["resolve"]["nodes"][0]["deps"][0]["pkg"] = json!("nowhere 1.0.0");
        let e = read(&m).expect_err("unknown package");
        assert!(
            e.contains("`nowhere 1.0.0`, which is not among the packages"),
            "{e}"
        );

        let mut m = metadata();
        m["packages"][0]["dependencies"][0]["target"] = json!("cfg(unix");
        let e = read(&m).expect_err("bad platform");
        assert!(e.contains("has the platform `cfg(unix`"), "{e}");

        let mut m = metadata();
        m["workspace_members"] = json!(["elsewhere 0.1.0"]);
        let e = read(&m).expect_err("member not listed");
        assert!(e.contains("workspace member `elsewhere 0.1.0`"), "{e}");
    }

    /// `resolve` is read from where the document has it, even when something written after
    /// it (the workspace's metadata) holds a `resolve` key of its own.
    #[test]
    fn resolve_is_read_where_the_document_has_it() {
        let text = metadata().to_string();
        let plain = DepGraph::from_metadata_json(&text, "meta.json").expect("usable");
        assert_eq!(edges(&plain).len(), 1, "{:?}", edges(&plain));
        let decoy = format!(
            "{},\"zz_metadata\":{{\"x\":[1],\"resolve\":{{\"nodes\":[]}}}}}}",
            text.strip_suffix('}').expect("an object")
        );
        let g = DepGraph::from_metadata_json(&decoy, "meta.json").expect("usable");
        assert_eq!(edges(&g), edges(&plain));
    }

    /// The two halves of the document are read side by side; a broken document still gets
    /// the error a single pass meets first, whichever half finds it.
    #[test]
    fn the_first_error_in_the_text_is_reported() {
        // `resolve` is wrong first, and the text breaks off later.
        let e = super::read(r#"{"resolve":{"nodes":5},"packages":[{"name":"#)
            .err()
            .expect("broken");
        assert!(e.contains("invalid type: integer `5`"), "{e}");
        // The packages are wrong first, and `resolve` later.
        let e = super::read(r#"{"packages":7,"resolve":{"nodes":5}}"#)
            .err()
            .expect("broken");
        assert!(e.contains("invalid type: integer `7`"), "{e}");
    }
}
