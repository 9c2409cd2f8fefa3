//! `DepGraph`: the resolved dependency graph as plain facts (ids, versions, sources, kinds,
//! requirements, platform conditions), and the default registry's source id
//! ([`CRATES_IO`]). petgraph stays private to this module.
//!
//! The graph is built from the `cargo metadata` JSON in one deserialisation (`metadata.rs`:
//! packages, members, and one edge per declaration the resolver kept, with its kind,
//! requirement, key as written and platform), or, in the lockfile mode, from plain facts
//! (`DepGraph::from_parts`); both go through `from_parts`, so node order is the same. Other
//! modules see nodes as opaque [`NodeId`]s.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use petgraph::graph::{DiGraph, NodeIndex};
use semver::Version;
use serde::Serialize;

use crate::error::Error;

mod metadata;

/// Hash maps keyed by package names and ids: foldhash is several times faster than SipHash
/// here, and its per-process seed leaves no fixed collisions for an input to aim at.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// The default registry's source id, as cargo writes it in metadata and Cargo.lock.
pub const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";

/// The default registry's index URL (its source id without the `registry+` kind), as
/// cargo names it in `[patch.<url>]` keys.
pub const CRATES_IO_INDEX: &str = CRATES_IO.split_at("registry+".len()).1;

/// The kind of a dependency edge, as in the `[dependencies]`, `[build-dependencies]` and
/// `[dev-dependencies]` tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Normal,
    Build,
    Dev,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Normal, Kind::Build, Kind::Dev];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Normal => "normal",
            Kind::Build => "build",
            Kind::Dev => "dev",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of edge kinds (`-e/--edges`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindSet {
    pub normal: bool,
    pub build: bool,
    pub dev: bool,
}

impl KindSet {
    pub const ALL: KindSet = KindSet {
        normal: true,
        build: true,
        dev: true,
    };

    pub fn contains(self, kind: Kind) -> bool {
        match kind {
            Kind::Normal => self.normal,
            Kind::Build => self.build,
            Kind::Dev => self.dev,
        }
    }

    pub fn without(self, kind: Kind) -> KindSet {
        let mut out = self;
        match kind {
            Kind::Normal => out.normal = false,
            Kind::Build => out.build = false,
            Kind::Dev => out.dev = false,
        }
        out
    }
}

impl KindSet {
    /// Reads `-e`/`edges` words as `cargo tree -e` does: `normal`, `build`, `dev` and `all`
    /// select; `no-normal`, `no-build`, `no-dev` remove from the selection (or from all kinds
    /// when nothing is selected). No words: all kinds.
    pub fn from_words<S: AsRef<str>>(words: &[S]) -> Result<KindSet, String> {
        const NONE: KindSet = KindSet {
            normal: false,
            build: false,
            dev: false,
        };
        let mut selected: Option<KindSet> = None;
        let mut removed = NONE;
        for w in words {
            let w = w.as_ref();
            let sel = selected.get_or_insert(NONE);
            match w {
                "normal" => sel.normal = true,
                "build" => sel.build = true,
                "dev" => sel.dev = true,
                "all" => *sel = KindSet::ALL,
                "no-normal" | "no-build" | "no-dev" => {
                    if *sel == NONE {
                        selected = None;
                    }
                    match w {
                        "no-normal" => removed.normal = true,
                        "no-build" => removed.build = true,
                        _ => removed.dev = true,
                    }
                }
                other => return Err(format!("unknown dependency kind `{other}`")),
            }
        }
        let mut set = selected.unwrap_or(KindSet::ALL);
        set.normal &= !removed.normal;
        set.build &= !removed.build;
        set.dev &= !removed.dev;
        Ok(set)
    }
}

impl Default for KindSet {
    fn default() -> Self {
        KindSet::ALL
    }
}

/// One package of the resolved graph.
#[derive(Clone, Debug)]
pub struct Package {
    /// cargo's package id (opaque).
    pub id: String,
    pub name: String,
    pub version: Version,
    /// cargo's source id (`registry+…`, `git+…`), `None` for path and workspace packages.
    pub source: Option<String>,
    pub manifest_path: PathBuf,
    pub is_member: bool,
    /// The `rust-version` the package declares.
    pub rust_version: Option<Version>,
    /// Source files of the package's targets (lib, bins, build script…), for packages on the
    /// local file system: a verification copy needs them to exist.
    pub target_sources: Vec<PathBuf>,
}

impl Package {
    /// `name@version`, the form used in JSON paths.
    pub fn label(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }
}

/// One dependency declaration that the resolver kept: a package depends on another with this
/// kind, requirement, key and platform condition. A declaration with two kinds gives two edges.
#[derive(Clone, Debug)]
pub struct Edge {
    /// The dependency kind; when `kind_known` is false (a lockfile edge outside the
    /// workspace's own manifests) it is `Normal` for traversal only and never reported.
    pub kind: Kind,
    pub kind_known: bool,
    /// The requirement as cargo reports it (`^0.9.2`); `None` when the input cannot tell.
    pub req: Option<String>,
    /// The dependency key as written in the manifest (the rename, if any).
    pub key: String,
    pub optional: bool,
    /// The platform condition (`cfg(unix)`, a target triple), if the declaration is target-specific.
    pub platform: Option<String>,
    /// Features the declaration enables, and whether it keeps default features.
    pub features: Vec<String>,
    pub default_features: bool,
}

/// The dependency graph of one workspace, with deterministic node order.
#[derive(Debug)]
pub struct DepGraph {
    graph: DiGraph<Package, Edge>,
    members: Vec<NodeId>,
    /// Members generated by a tool (a cargo-hakari workspace-hack), in node order: their
    /// dependencies are compiled, but they are nobody's own use.
    generated: Vec<NodeId>,
    workspace_root: PathBuf,
    adjacency: Adjacency,
}

/// What a traversal needs to know of an edge, kept apart from the (large) `Edge` so that
/// breadth-first searches over large graphs stay in cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EdgeFlags {
    pub kind: Kind,
    /// 0: no platform condition; else 1 + the index in `DepGraph::platforms`.
    pub platform: u32,
}

/// An edge as iteration hands it out: its compact flags, and the full `Edge` behind `Deref`.
#[derive(Clone, Copy, Debug)]
pub struct EdgeView<'g> {
    pub flags: EdgeFlags,
    edge: &'g Edge,
}

impl std::ops::Deref for EdgeView<'_> {
    type Target = Edge;
    fn deref(&self) -> &Edge {
        self.edge
    }
}

/// Forward and reverse adjacency as compressed sparse rows whose weights index the edges;
/// plus the interned platform conditions. (petgraph's `Csr` holds
/// no parallel edges, and one package often depends on another under two kinds.)
#[derive(Debug)]
struct Adjacency {
    forward: Rows,
    reverse: Rows,
    edges: Vec<petgraph::graph::EdgeIndex>,
    platforms: Vec<String>,
}

/// Compressed sparse rows: the neighbours of node `n` are `targets[start[n]..start[n + 1]]`.
#[derive(Debug, Default)]
struct Rows {
    start: Vec<u32>,
    targets: Vec<u32>,
    slots: Vec<Slot>,
}

impl Rows {
    /// `edges` sorted by source.
    fn new(nodes: usize, edges: &[(u32, u32, Slot)]) -> Rows {
        let mut start = vec![0u32; nodes + 1];
        for &(s, _, _) in edges {
            start[s as usize + 1] += 1;
        }
        for i in 0..nodes {
            start[i + 1] += start[i];
        }
        Rows {
            start,
            targets: edges.iter().map(|e| e.1).collect(),
            slots: edges.iter().map(|e| e.2).collect(),
        }
    }

    fn row(&self, node: usize) -> (&[u32], &[Slot]) {
        match (self.start.get(node), self.start.get(node + 1)) {
            (Some(&a), Some(&b)) => (
                &self.targets[a as usize..b as usize],
                &self.slots[a as usize..b as usize],
            ),
            _ => (&[], &[]),
        }
    }
}

/// A CSR edge weight: the edge's index and its flags, side by side with the neighbour, so a
/// search reads one contiguous slice per node.
#[derive(Clone, Copy, Debug)]
struct Slot {
    edge: u32,
    flags: EdgeFlags,
}

impl Default for Slot {
    fn default() -> Self {
        Slot {
            edge: 0,
            flags: EdgeFlags {
                kind: Kind::Normal,
                platform: 0,
            },
        }
    }
}

impl Adjacency {
    fn new(graph: &DiGraph<Package, Edge>) -> Adjacency {
        use petgraph::visit::EdgeRef;
        let mut platforms: Vec<String> = graph
            .edge_weights()
            .filter_map(|e| e.platform.clone())
            .collect();
        platforms.sort();
        platforms.dedup();
        let mut fwd: Vec<(u32, u32, Slot)> = Vec::with_capacity(graph.edge_count());
        let mut edges = Vec::with_capacity(graph.edge_count());
        let mut all: Vec<_> = graph.edge_references().collect();
        all.sort_by_key(|e| (e.source().index(), e.target().index(), e.id().index()));
        for e in all {
            let w = e.weight();
            let platform = w.platform.as_ref().map_or(0, |p| {
                platforms.binary_search(p).map_or(0, |i| i as u32 + 1)
            });
            let idx = edges.len() as u32;
            edges.push(e.id());
            let f = EdgeFlags {
                kind: w.kind,
                platform,
            };
            fwd.push((
                e.source().index() as u32,
                e.target().index() as u32,
                Slot {
                    edge: idx,
                    flags: f,
                },
            ));
        }
        let mut rev: Vec<(u32, u32, Slot)> = fwd.iter().map(|&(s, t, w)| (t, s, w)).collect();
        rev.sort_unstable_by_key(|&(t, s, w)| (t, s, w.edge));
        Adjacency {
            forward: Rows::new(graph.node_count(), &fwd),
            reverse: Rows::new(graph.node_count(), &rev),
            edges,
            platforms,
        }
    }
}

/// A node of the graph, as handed out to other modules: an opaque id whose `index` (0 to
/// `node_count() - 1`, in the graph's deterministic order) may index per-node tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(NodeIndex);

impl NodeId {
    /// The node's position, for per-node tables (`vec![false; graph.node_count()]`).
    pub fn index(self) -> usize {
        self.0.index()
    }
}

impl DepGraph {
    /// Builds the graph from `cargo metadata --format-version 1` JSON, deserialised once
    /// (see `metadata.rs`). `source_name` names the input in errors.
    pub fn from_metadata_json(json: &str, source_name: &str) -> Result<DepGraph, Error> {
        let parts = metadata::read(json).map_err(|message| Error::BadMetadata {
            path: source_name.to_owned(),
            source: message.into(),
        })?;
        Ok(Self::from_parts(
            parts.packages,
            parts.edges,
            &parts.members,
            parts.workspace_root,
        ))
    }

    /// Builds a graph from plain facts (the lockfile reader): `edges` index into `packages`,
    /// `members` too. Nodes are put in the same deterministic order as `from_metadata_json`.
    pub fn from_parts(
        packages: Vec<Package>,
        edges: Vec<(usize, usize, Edge)>,
        members: &[usize],
        workspace_root: PathBuf,
    ) -> DepGraph {
        let mut order: Vec<usize> = (0..packages.len()).collect();
        // Package ids are unique, so no two keys are equal and an unstable sort is exact.
        order.sort_unstable_by(|&a, &b| {
            let (pa, pb) = (&packages[a], &packages[b]);
            (&pa.name, &pa.version, &pa.id).cmp(&(&pb.name, &pb.version, &pb.id))
        });
        let mut graph = DiGraph::with_capacity(packages.len(), edges.len());
        let mut node_of = vec![NodeIndex::new(0); packages.len()];
        let mut slots: Vec<Option<Package>> = packages.into_iter().map(Some).collect();
        for old in order {
            let pkg = slots[old].take().expect("each package is placed once");
            node_of[old] = graph.add_node(pkg);
        }
        let mut edges = edges;
        edges.sort_by(|a, b| (node_of[a.0], node_of[a.1]).cmp(&(node_of[b.0], node_of[b.1])));
        for (from, to, edge) in edges {
            graph.add_edge(node_of[from], node_of[to], edge);
        }
        let mut members: Vec<NodeId> = members.iter().map(|&m| NodeId(node_of[m])).collect();
        members.sort();
        members.dedup();
        DepGraph {
            adjacency: Adjacency::new(&graph),
            graph,
            members,
            generated: Vec::new(),
            workspace_root,
        }
    }

    /// The graph with the members `nodes` marked as generated (a cargo-hakari
    /// workspace-hack): their dependencies stay in the graph, as cargo compiles them, and the
    /// analysis never takes them for a member's own use.
    pub fn with_generated(mut self, nodes: &[NodeId]) -> DepGraph {
        let mut generated: Vec<NodeId> = nodes
            .iter()
            .copied()
            .filter(|n| self.members.contains(n))
            .collect();
        generated.sort();
        generated.dedup();
        self.generated = generated;
        self
    }

    /// The graph with only the edges `keep` keeps (given their ends and facts).
    pub fn retain_edges(mut self, keep: impl Fn(NodeId, NodeId, &Edge) -> bool) -> DepGraph {
        self.graph.retain_edges(|g, e| {
            g.edge_endpoints(e)
                .is_none_or(|(a, b)| keep(NodeId(a), NodeId(b), &g[e]))
        });
        self.adjacency = Adjacency::new(&self.graph);
        self
    }

    /// The members marked generated by [`DepGraph::with_generated`], in node order.
    pub fn generated(&self) -> &[NodeId] {
        &self.generated
    }

    /// Whether `node` is a generated member (see [`DepGraph::with_generated`]).
    pub fn is_generated(&self, node: NodeId) -> bool {
        self.generated.binary_search(&node).is_ok()
    }

    pub fn workspace_root(&self) -> &Path {
        &self.workspace_root
    }

    /// Workspace members, in node order (by name).
    pub fn members(&self) -> &[NodeId] {
        &self.members
    }

    /// The lowest `rust-version` the workspace's members declare: what a move must keep to.
    pub fn rust_version(&self) -> Option<semver::Version> {
        self.members
            .iter()
            .filter_map(|&m| self.package(m).rust_version.clone())
            .min()
    }

    pub fn package(&self, node: NodeId) -> &Package {
        &self.graph[node.0]
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    /// Every node, in order.
    pub fn nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.graph.node_indices().map(NodeId)
    }

    /// Outgoing edges of `node`: (target, edge), sorted by target.
    pub fn dependencies(&self, node: NodeId) -> impl Iterator<Item = (NodeId, EdgeView<'_>)> + '_ {
        self.adjacent(&self.adjacency.forward, node)
    }

    /// Incoming edges of `node`: (source, edge), sorted by source.
    pub fn dependents(&self, node: NodeId) -> impl Iterator<Item = (NodeId, EdgeView<'_>)> + '_ {
        self.adjacent(&self.adjacency.reverse, node)
    }

    fn adjacent<'g>(
        &'g self,
        rows: &'g Rows,
        node: NodeId,
    ) -> impl Iterator<Item = (NodeId, EdgeView<'g>)> + 'g {
        let (targets, slots) = rows.row(node.index());
        targets.iter().zip(slots).map(move |(&t, slot)| {
            (
                NodeId(NodeIndex::new(t as usize)),
                EdgeView {
                    flags: slot.flags,
                    edge: &self.graph[self.adjacency.edges[slot.edge as usize]],
                },
            )
        })
    }

    /// Whether any edge has this kind.
    pub fn has_kind(&self, kind: Kind) -> bool {
        self.adjacency
            .forward
            .slots
            .iter()
            .any(|s| s.flags.kind == kind)
    }

    /// The distinct platform conditions of the edges, sorted; `EdgeFlags::platform` is 1 + an
    /// index into this list.
    pub fn platforms(&self) -> &[String] {
        &self.adjacency.platforms
    }

    /// Nodes grouped by package name, each group in version order.
    pub fn by_name(&self) -> BTreeMap<&str, Vec<NodeId>> {
        let mut out: BTreeMap<&str, Vec<NodeId>> = BTreeMap::new();
        for node in self.graph.node_indices() {
            out.entry(self.graph[node].name.as_str())
                .or_default()
                .push(NodeId(node));
        }
        out
    }

    /// The number of edges (declarations) in the graph.
    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }
}
