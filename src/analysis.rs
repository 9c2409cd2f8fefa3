//! Findings: which watched crates diverge, why, and through which paths. Pure: no IO, no
//! formatting beyond the one-line message and help of each finding.
//!
//! Everything is read from the resolved graph; no version table lives here. The stages are:
//! 1. `detect` finds raw findings for one edge filter (kinds and platforms);
//! 2. it is run again without dev edges and per platform condition, to learn which findings
//!    exist only through dev edges or only on some platforms;
//! 3. collateral duplicates are attached to their root finding;
//! 4. each version of each finding is explained: dependents, shortest paths, origins.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;

use semver::Version;
use serde::{Serialize, Serializer};

use crate::graph::{DepGraph, EdgeView, Kind, KindSet, NodeId};

/// Stable finding codes, shared by every output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    DivergingVersions,
    SourceSplit,
    TrainSkew,
    TypeBoundary,
    /// An `allow` entry of the configuration that matches no finding.
    UnusedAllow,
    /// A resolved version outside a `policy` rule of the configuration.
    OutsidePolicy,
}

impl Code {
    pub const ALL: [Code; 6] = [
        Code::DivergingVersions,
        Code::SourceSplit,
        Code::TrainSkew,
        Code::TypeBoundary,
        Code::UnusedAllow,
        Code::OutsidePolicy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::DivergingVersions => "diverging-versions",
            Code::SourceSplit => "source-split",
            Code::TrainSkew => "train-skew",
            Code::TypeBoundary => "type-boundary",
            Code::UnusedAllow => "unused-allow",
            Code::OutsidePolicy => "outside-policy",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Severity of a finding. Ordered so that errors sort first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Note,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }
}

/// Which crates are watched, and how they group.
#[derive(Clone, Debug)]
pub struct Watch {
    /// Primary crates: findings on them are errors.
    pub primary: Vec<String>,
    /// Release trains: crates released together on one version line. The first crate of a
    /// train is its anchor.
    pub trains: Vec<Vec<String>>,
    /// Family crates outside the trains, checked for divergence only.
    pub family: Vec<String>,
    /// Audit every crate name, not only the watched ones.
    pub all_duplicates: bool,
}

impl Default for Watch {
    fn default() -> Self {
        let list = |xs: &[&str]| xs.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        Watch {
            primary: list(&["etcd-client", "tonic"]),
            trains: vec![
                list(&[
                    "tonic",
                    "tonic-build",
                    "tonic-prost",
                    "tonic-prost-build",
                    "tonic-health",
                    "tonic-reflection",
                    "tonic-types",
                    "tonic-web",
                ]),
                list(&["prost", "prost-types", "prost-build", "prost-derive"]),
            ],
            family: list(&[
                "hyper",
                "hyper-util",
                "http",
                "http-body",
                "h2",
                "tower",
                "tower-service",
                "axum",
            ]),
            all_duplicates: false,
        }
    }
}

impl Watch {
    fn role(&self, name: &str) -> Option<Role> {
        if self.primary.iter().any(|p| p == name) {
            Some(Role::Primary)
        } else if self.trains.iter().flatten().any(|p| p == name)
            || self.family.iter().any(|p| p == name)
        {
            Some(Role::Family)
        } else if self.all_duplicates {
            Some(Role::Other)
        } else {
            None
        }
    }

    /// A crate of a release train (tonic, prost): the transport stack is not one.
    fn in_train(&self, name: &str) -> bool {
        self.trains.iter().flatten().any(|p| p == name)
    }

    /// Whether a member's direct use of `direct` on one line, beside `via` built against
    /// another line of it, is train-skew (b): only a train crate (prost 0.14) against a
    /// primary or train crate (tonic 0.13 → prost 0.13). Transport-stack crates share no
    /// version numbers and are checked for divergence only.
    fn is_train_skew(&self, direct: &str, via: &str) -> bool {
        self.in_train(direct) && (self.role(via) == Some(Role::Primary) || self.in_train(via))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Primary,
    Family,
    Other,
}

/// What to analyse.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub watch: Watch,
    pub edges: KindSet,
    /// `-p/--package`: only paths from these members (empty: every member).
    pub packages: Vec<String>,
}

/// The version line of a version: same major for >= 1.0, same minor for 0.x, same patch for
/// 0.0.x, exactly the versions semver calls compatible.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Line {
    major: u64,
    minor: Option<u64>,
    patch: Option<u64>,
}

impl Line {
    pub fn of(v: &Version) -> Line {
        if v.major > 0 {
            Line {
                major: v.major,
                minor: None,
                patch: None,
            }
        } else if v.minor > 0 {
            Line {
                major: 0,
                minor: Some(v.minor),
                patch: None,
            }
        } else {
            Line {
                major: 0,
                minor: Some(0),
                patch: Some(v.patch),
            }
        }
    }
}

impl Line {
    /// Reads a line as the user writes it: `0.12`, `1`, `0.0.3` (a full version is accepted
    /// and reduced to its line).
    pub fn parse(s: &str) -> Option<Line> {
        let parts: Vec<&str> = s.trim().split('.').collect();
        if parts.is_empty() || parts.len() > 3 {
            return None;
        }
        let mut nums = [0u64; 3];
        for (i, p) in parts.iter().enumerate() {
            nums[i] = p.parse().ok()?;
        }
        Some(Line::of(&Version::new(nums[0], nums[1], nums[2])))
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.major)?;
        if let Some(minor) = self.minor {
            write!(f, ".{minor}")?;
        }
        if let Some(patch) = self.patch {
            write!(f, ".{patch}")?;
        }
        Ok(())
    }
}

impl Serialize for Line {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One finding, with everything the reports need.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub code: Code,
    pub level: Level,
    #[serde(rename = "crate")]
    pub krate: String,
    /// For a collateral duplicate: the crate of the root finding that causes it.
    pub caused_by: Option<String>,
    pub message: String,
    pub help: String,
    /// The finding exists only through dev-dependency edges.
    pub dev_only: bool,
    /// The finding exists only under these platform conditions (empty: on every platform).
    pub platforms: Vec<String>,
    /// type-boundary and train-skew (b): the workspace member whose direct dependencies meet.
    pub member: Option<String>,
    /// train-skew and type-boundary: the crates involved.
    pub crates: Vec<String>,
    /// The version lines involved, ascending.
    pub lines: Vec<Line>,
    pub versions: Vec<VersionInfo>,
    /// Crates of the collateral findings this one causes (root findings only).
    pub collateral: Vec<String>,
    /// Versions an `allow` entry removed from this finding, with the entry's reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed: Vec<AllowedVersion>,
    /// unused-allow: where the entry is written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<ConfigLocation>,
    /// outside-policy: the rule and its window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyFact>,
}

/// outside-policy: the rule a version breaks and where its window stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyFact {
    /// The requirement every version must match.
    pub versions: String,
    pub reason: String,
    pub warn_from: Option<String>,
    pub deny_from: Option<String>,
    /// The day the finding was judged on.
    pub today: String,
    /// Days until `deny_from` (negative once past; null without a deny date).
    pub days_left: Option<i64>,
    /// Where the rule is written: `file:line`.
    pub rule: String,
}

/// A version removed from a finding by an `allow` entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AllowedVersion {
    pub version: Version,
    pub reason: String,
}

/// A place in a configuration file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConfigLocation {
    pub manifest: String,
    pub line: usize,
    #[serde(skip)]
    pub path: std::path::PathBuf,
    #[serde(skip)]
    pub span: (usize, usize),
}

/// One resolved version of a finding's crate, explained.
#[derive(Clone, Debug, Serialize)]
pub struct VersionInfo {
    pub name: String,
    pub version: Version,
    pub source: Option<String>,
    /// The directory of this package's manifest (for path and git copies in patches).
    #[serde(skip)]
    pub manifest_dir: Option<std::path::PathBuf>,
    pub dependents: Vec<Dependent>,
    pub origins: Vec<Origin>,
    pub paths: Vec<DepPath>,
}

/// A package that depends on a version, with the requirement it declares.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Dependent {
    pub name: String,
    pub version: Version,
    /// `None` when the input cannot tell (a lockfile edge outside the workspace's manifests).
    pub req: Option<String>,
    pub kind: Option<Kind>,
    pub platform: Option<String>,
}

/// Where a path leaves the workspace: a workspace member's direct dependency declaration.
/// `manifest`, `table` and `line` are filled in from the manifest by `manifest::spans`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Origin {
    pub member: String,
    pub key: String,
    /// The package the key names (`etcd-client` for `etcd = { package = "etcd-client" }`).
    pub package: String,
    pub kind: Kind,
    pub platform: Option<String>,
    /// Where the requirement is written, relative to the workspace root.
    pub manifest: Option<String>,
    pub table: Option<String>,
    pub line: Option<usize>,
    /// For an inherited key (`key.workspace = true`): the member's own line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_manifest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_line: Option<usize>,
    /// The requirement as cargo reports it.
    #[serde(skip)]
    pub req: String,
    /// The resolved version of `package`, and its cargo source id.
    #[serde(skip)]
    pub package_version: Option<Version>,
    #[serde(skip)]
    pub package_source: Option<String>,
    /// The requirement string as written in the manifest (filled by `manifest::spans`).
    #[serde(skip)]
    pub written_req: Option<String>,
    /// Features the declaration enables, and whether it keeps default features.
    #[serde(skip)]
    pub features: Vec<String>,
    #[serde(skip)]
    pub default_features: bool,
    #[serde(skip)]
    pub member_node: NodeIdOrd,
    /// Absolute path of `manifest`, and the byte span of the key in it (for labels).
    #[serde(skip)]
    pub manifest_abs: Option<std::path::PathBuf>,
    #[serde(skip)]
    pub span: Option<(usize, usize)>,
    #[serde(skip)]
    pub member_manifest_abs: Option<std::path::PathBuf>,
    #[serde(skip)]
    pub member_span: Option<(usize, usize)>,
}

/// A `NodeId` that sorts, so `Origin` can derive `Ord`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct NodeIdOrd(pub usize);

/// A shortest path from a workspace member to a version: each step with the requirement of
/// the edge that leads to it (`None` for the member itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepPath {
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub name: String,
    pub version: Version,
    pub req: Option<String>,
    pub kind: Option<Kind>,
}

impl VersionInfo {
    /// The paths in the order a reader should follow them: paths over normal and build edges
    /// before any through a dev-dependency, then the shortest; members in order among equals
    /// (a stable sort). `paths` itself stays one per member, in member order.
    pub fn paths_best_first(&self) -> Vec<&DepPath> {
        let mut paths: Vec<&DepPath> = self.paths.iter().collect();
        paths.sort_by_key(|p| {
            let dev = p.steps.iter().any(|s| s.kind == Some(Kind::Dev));
            (dev, p.steps.len())
        });
        paths
    }
}

impl DepPath {
    /// `member → etcd-client 0.11.1 (^0.11) → tonic 0.9.2 (^0.9.2)`
    pub fn display(&self) -> String {
        let mut out = String::new();
        for (i, step) in self.steps.iter().enumerate() {
            if i == 0 {
                out.push_str(&step.name);
                continue;
            }
            out.push_str(&format!(" → {} {}", step.name, step.version));
            let mut quals: Vec<String> = step.req.iter().cloned().collect();
            if let Some(kind) = step.kind.filter(|k| *k != Kind::Normal) {
                quals.push(kind.to_string());
            }
            if !quals.is_empty() {
                out.push_str(&format!(" ({})", quals.join(", ")));
            }
        }
        out
    }
}

impl Serialize for DepPath {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            self.steps
                .iter()
                .map(|st| format!("{}@{}", st.name, st.version)),
        )
    }
}

/// Which edges a search follows.
#[derive(Clone, Debug)]
struct EdgeFilter {
    kinds: KindSet,
    platforms: PlatformFilter,
}

#[derive(Clone, Copy, Debug)]
enum PlatformFilter {
    Any,
    /// Only edges without a platform condition, plus those with this one (an id of
    /// `EdgeFlags::platform`; 0 for none).
    Only(u32),
}

impl EdgeFilter {
    fn allows(&self, edge: EdgeView<'_>) -> bool {
        let flags = edge.flags;
        if !self.kinds.contains(flags.kind) {
            return false;
        }
        match self.platforms {
            PlatformFilter::Any => true,
            PlatformFilter::Only(p) => flags.platform == 0 || flags.platform == p,
        }
    }
}

/// A finding before explanation: what `detect` sees under one edge filter.
#[derive(Clone, Debug)]
struct Raw {
    code: Code,
    krate: String,
    role: Role,
    member: Option<NodeId>,
    crates: Vec<String>,
    nodes: Vec<NodeId>,
    /// A member's findings (type-boundary, train-skew (b)): the crates through which the
    /// other line arrives, one finding listing them all.
    vias: Vec<NodeId>,
    /// A member's finding: the versions the member uses directly.
    directs: Vec<NodeId>,
}

impl Raw {
    /// What makes a finding one: a member's finding is one per (code, crate, member) whatever
    /// crates bring the other line in.
    fn key(&self) -> (Code, &str, Option<NodeId>, &[String]) {
        let crates: &[String] = if self.member.is_some() {
            &[]
        } else {
            &self.crates
        };
        (self.code, &self.krate, self.member, crates)
    }
}

/// Runs the whole analysis.
pub fn analyze(graph: &DepGraph, opts: &Options) -> Vec<Finding> {
    let roots = selected_members(graph, opts);
    let main = EdgeFilter {
        kinds: opts.edges,
        platforms: PlatformFilter::Any,
    };
    let raws = detect(graph, opts, &roots, &main);
    if raws.is_empty() {
        return Vec::new();
    }

    // Findings that vanish without dev edges exist only through them. (With no dev edge in
    // the graph, or no platform condition, the extra passes would find the same findings.)
    let without_dev = if opts.edges.dev && graph.has_kind(Kind::Dev) {
        let f = EdgeFilter {
            kinds: opts.edges.without(Kind::Dev),
            platforms: PlatformFilter::Any,
        };
        key_set(&detect(graph, opts, &roots, &f))
    } else {
        key_set(&raws)
    };

    // Findings that vanish without platform-specific edges exist only on some platforms.
    let unconditional = EdgeFilter {
        kinds: opts.edges,
        platforms: PlatformFilter::Only(0),
    };
    let unconditional_keys = if graph.platforms().is_empty() {
        key_set(&raws)
    } else {
        key_set(&detect(graph, opts, &roots, &unconditional))
    };
    let needs_platform = raws
        .iter()
        .any(|r| !unconditional_keys.contains(&owned_key(r)));
    let mut per_platform: Vec<(String, BTreeSet<OwnedKey>)> = Vec::new();
    if needs_platform {
        for (i, platform) in graph.platforms().iter().enumerate() {
            let f = EdgeFilter {
                kinds: opts.edges,
                platforms: PlatformFilter::Only(i as u32 + 1),
            };
            let keys = key_set(&detect(graph, opts, &roots, &f));
            per_platform.push((platform.clone(), keys));
        }
    }

    let collateral = collateral_roots(graph, &roots, &main, &raws);
    let reach = reachable(graph, &roots, &main, &[]);

    // Findings share versions (type-boundary and diverging-versions name the same tonic
    // releases): explain each version once.
    let explained: BTreeMap<NodeId, VersionInfo> = raws
        .iter()
        .flat_map(|r| r.nodes.iter().copied())
        .collect::<BTreeSet<NodeId>>()
        .into_iter()
        .map(|n| (n, explain_version(graph, &roots, &main, &reach, n)))
        .collect();
    let mut findings: Vec<Finding> = raws
        .iter()
        .map(|raw| {
            let key = owned_key(raw);
            let dev_only = !without_dev.contains(&key);
            let platforms = if unconditional_keys.contains(&key) {
                Vec::new()
            } else {
                per_platform
                    .iter()
                    .filter(|(_, keys)| keys.contains(&key))
                    .map(|(p, _)| p.clone())
                    .collect()
            };
            let caused_by = if raw.code == Code::DivergingVersions {
                collateral.get(&raw.krate).cloned()
            } else {
                None
            };
            explain(graph, &explained, raw, dev_only, platforms, caused_by)
        })
        .collect();

    // Root findings list the collateral duplicates they cause.
    let mut caused: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in &findings {
        if let Some(root) = &f.caused_by {
            caused
                .entry(root.clone())
                .or_default()
                .push(f.krate.clone());
        }
    }
    for f in &mut findings {
        if f.code == Code::DivergingVersions
            && f.caused_by.is_none()
            && let Some(list) = caused.get(&f.krate)
        {
            f.collateral = list.clone();
        }
    }

    sort_findings(&mut findings);
    findings
}

/// Sorts findings for output: level (errors first), then crate, then code, then member.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.level, &a.krate, a.code, &a.member, &a.crates)
            .cmp(&(b.level, &b.krate, b.code, &b.member, &b.crates))
    });
}

type OwnedKey = (Code, String, Option<NodeId>, Vec<String>);

fn owned_key(raw: &Raw) -> OwnedKey {
    let (c, k, m, cr) = raw.key();
    (c, k.to_owned(), m, cr.to_vec())
}

fn key_set(raws: &[Raw]) -> BTreeSet<OwnedKey> {
    raws.iter().map(owned_key).collect()
}

fn selected_members(graph: &DepGraph, opts: &Options) -> Vec<NodeId> {
    graph
        .members()
        .iter()
        .copied()
        .filter(|&m| opts.packages.is_empty() || opts.packages.contains(&graph.package(m).name))
        .collect()
}

/// Breadth-first reachability from `roots` over the edges `filter` allows, never entering
/// `blocked` nodes. Linear in the size of the graph; cycles terminate.
fn reachable(
    graph: &DepGraph,
    roots: &[NodeId],
    filter: &EdgeFilter,
    blocked: &[bool],
) -> Vec<bool> {
    let mut seen = vec![false; graph.node_count()];
    let mut queue = VecDeque::new();
    for &r in roots {
        if !seen[r.index()] {
            seen[r.index()] = true;
            queue.push_back(r);
        }
    }
    while let Some(node) = queue.pop_front() {
        for (next, edge) in graph.dependencies(node) {
            if seen[next.index()] || !filter.allows(edge) {
                continue;
            }
            if blocked.get(next.index()).copied().unwrap_or(false) {
                continue;
            }
            seen[next.index()] = true;
            queue.push_back(next);
        }
    }
    seen
}

/// The raw findings under one edge filter.
fn detect(graph: &DepGraph, opts: &Options, roots: &[NodeId], filter: &EdgeFilter) -> Vec<Raw> {
    let reach = reachable(graph, roots, filter, &[]);
    // Only watched names matter (every name with --all-duplicates): look them up in a hash
    // set, and sort just those.
    let watched: std::collections::HashSet<&str> = opts
        .watch
        .primary
        .iter()
        .chain(opts.watch.trains.iter().flatten())
        .chain(&opts.watch.family)
        .map(String::as_str)
        .collect();
    let mut by_name: BTreeMap<&str, Vec<NodeId>> = BTreeMap::new();
    for node in graph.nodes() {
        let pkg = graph.package(node);
        if reach[node.index()]
            && !pkg.is_member
            && (opts.watch.all_duplicates || watched.contains(pkg.name.as_str()))
        {
            by_name.entry(&pkg.name).or_default().push(node);
        }
    }
    let lines_of = |nodes: &[NodeId]| -> BTreeSet<Line> {
        nodes
            .iter()
            .map(|&n| Line::of(&graph.package(n).version))
            .collect()
    };

    let mut out = Vec::new();
    for (&name, nodes) in &by_name {
        let Some(role) = opts.watch.role(name) else {
            continue;
        };
        let lines = lines_of(nodes);
        if lines.len() > 1 {
            out.push(Raw {
                code: Code::DivergingVersions,
                krate: name.to_owned(),
                role,
                member: None,
                crates: Vec::new(),
                nodes: nodes.clone(),
                vias: Vec::new(),
                directs: Vec::new(),
            });
        }
        // One line from two sources (registry and a fork): cargo builds both.
        for line in &lines {
            let on_line: Vec<NodeId> = nodes
                .iter()
                .copied()
                .filter(|&n| Line::of(&graph.package(n).version) == *line)
                .collect();
            let sources: BTreeSet<Option<&str>> = on_line
                .iter()
                .map(|&n| graph.package(n).source.as_deref())
                .collect();
            if sources.len() > 1 {
                out.push(Raw {
                    code: Code::SourceSplit,
                    krate: name.to_owned(),
                    role,
                    member: None,
                    crates: vec![line.to_string()],
                    nodes: on_line,
                    vias: Vec::new(),
                    directs: Vec::new(),
                });
            }
        }
    }

    // Train skew (a): a crate of a train on a line its anchor is not on.
    for train in &opts.watch.trains {
        let Some((anchor, rest)) = train.split_first() else {
            continue;
        };
        let Some(anchor_nodes) = by_name.get(anchor.as_str()) else {
            continue;
        };
        let anchor_lines = lines_of(anchor_nodes);
        for other in rest {
            let Some(other_nodes) = by_name.get(other.as_str()) else {
                continue;
            };
            let off: Vec<NodeId> = other_nodes
                .iter()
                .copied()
                .filter(|&n| !anchor_lines.contains(&Line::of(&graph.package(n).version)))
                .collect();
            if !off.is_empty() {
                let mut nodes = anchor_nodes.clone();
                nodes.extend(off);
                out.push(Raw {
                    code: Code::TrainSkew,
                    krate: other.clone(),
                    role: Role::Primary,
                    member: None,
                    crates: vec![anchor.clone(), other.clone()],
                    nodes,
                    vias: Vec::new(),
                    directs: Vec::new(),
                });
            }
        }
    }

    for &member in roots {
        if reach[member.index()] {
            out.extend(member_meetings(graph, opts, member, filter));
        }
    }
    out
}

/// A member's direct dependencies that meet on two lines of one crate: member → W (line 1)
/// and member → C → W (line 2). One finding per (code, crate), listing every C.
fn member_meetings(
    graph: &DepGraph,
    opts: &Options,
    member: NodeId,
    filter: &EdgeFilter,
) -> Vec<Raw> {
    let mut met: BTreeMap<(Code, &str), Raw> = BTreeMap::new();
    let direct: BTreeSet<NodeId> = graph
        .dependencies(member)
        .filter(|(_, e)| filter.allows(*e))
        .map(|(n, _)| n)
        .collect();
    for &w in &direct {
        let w_pkg = graph.package(w);
        let Some(w_role) = opts.watch.role(&w_pkg.name) else {
            continue;
        };
        let w_line = Line::of(&w_pkg.version);
        for &c in &direct {
            let c_pkg = graph.package(c);
            if c_pkg.name == w_pkg.name {
                continue;
            }
            let other = graph
                .dependencies(c)
                .filter(|(n, e)| {
                    filter.allows(*e)
                        && graph.package(*n).name == w_pkg.name
                        && Line::of(&graph.package(*n).version) != w_line
                })
                .map(|(n, _)| n)
                .min();
            let Some(w2) = other else {
                continue;
            };
            let code = match w_role {
                Role::Primary => Code::TypeBoundary,
                Role::Family if opts.watch.is_train_skew(&w_pkg.name, &c_pkg.name) => {
                    Code::TrainSkew
                }
                _ => continue,
            };
            let raw = met
                .entry((code, w_pkg.name.as_str()))
                .or_insert_with(|| Raw {
                    code,
                    krate: w_pkg.name.clone(),
                    role: Role::Primary,
                    member: Some(member),
                    crates: Vec::new(),
                    nodes: Vec::new(),
                    vias: Vec::new(),
                    directs: Vec::new(),
                });
            raw.nodes.extend([w, w2]);
            raw.vias.push(c);
            if !raw.directs.contains(&w) {
                raw.directs.push(w);
            }
        }
    }
    met.into_values()
        .map(|mut raw| {
            raw.nodes.sort();
            raw.nodes.dedup();
            raw.vias.sort();
            raw.vias.dedup();
            raw.crates = raw
                .vias
                .iter()
                .map(|&v| graph.package(v).name.clone())
                .collect();
            raw.crates.sort();
            raw.crates.dedup();
            raw.crates.push(raw.krate.clone());
            raw
        })
        .collect()
}

/// For each family diverging-versions finding that exists only because a primary crate is
/// split, the crate of that root finding. A duplicate is collateral of a root when removing
/// the root's older lines, and the crates built directly on them, leaves it on one line.
fn collateral_roots(
    graph: &DepGraph,
    roots: &[NodeId],
    filter: &EdgeFilter,
    raws: &[Raw],
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let root_findings: Vec<&Raw> = raws
        .iter()
        .filter(|r| r.code == Code::DivergingVersions && r.role == Role::Primary)
        .collect();
    if root_findings.is_empty() {
        return out;
    }
    let candidates: Vec<&Raw> = raws
        .iter()
        .filter(|r| r.code == Code::DivergingVersions && r.role != Role::Primary)
        .collect();
    for root in root_findings {
        let newest = root
            .nodes
            .iter()
            .map(|&n| Line::of(&graph.package(n).version))
            .max()
            .expect("a diverging finding has versions");
        let mut blocked = vec![false; graph.node_count()];
        for &n in &root.nodes {
            if Line::of(&graph.package(n).version) == newest {
                continue;
            }
            blocked[n.index()] = true;
            for (dependent, edge) in graph.dependents(n) {
                if filter.allows(edge) && !graph.package(dependent).is_member {
                    blocked[dependent.index()] = true;
                }
            }
        }
        let reach = reachable(graph, roots, filter, &blocked);
        for cand in &candidates {
            if out.contains_key(&cand.krate) {
                continue;
            }
            let lines: BTreeSet<Line> = cand
                .nodes
                .iter()
                .filter(|n| reach[n.index()])
                .map(|&n| Line::of(&graph.package(n).version))
                .collect();
            if lines.len() <= 1 {
                out.insert(cand.krate.clone(), root.krate.clone());
            }
        }
    }
    out
}

fn explain(
    graph: &DepGraph,
    explained: &BTreeMap<NodeId, VersionInfo>,
    raw: &Raw,
    dev_only: bool,
    platforms: Vec<String>,
    caused_by: Option<String>,
) -> Finding {
    let mut nodes = raw.nodes.clone();
    nodes.sort_by(|&a, &b| {
        let (pa, pb) = (graph.package(a), graph.package(b));
        (&pa.version, &pa.source).cmp(&(&pb.version, &pb.source))
    });
    nodes.dedup();
    let versions: Vec<VersionInfo> = nodes.iter().map(|n| explained[n].clone()).collect();
    let lines: BTreeSet<Line> = nodes
        .iter()
        .map(|&n| Line::of(&graph.package(n).version))
        .collect();
    let lines: Vec<Line> = lines.into_iter().collect();

    let level = if caused_by.is_some() {
        Level::Note
    } else {
        match (raw.code, raw.role) {
            (Code::DivergingVersions, Role::Primary) => Level::Error,
            (Code::DivergingVersions, _) => Level::Warning,
            _ => Level::Error,
        }
    };
    let member = raw.member.map(|m| graph.package(m).name.clone());
    let (message, help) = wording(graph, raw, &versions, &lines, caused_by.as_deref());
    Finding {
        code: raw.code,
        level,
        krate: raw.krate.clone(),
        caused_by,
        message,
        help,
        dev_only,
        platforms,
        member,
        crates: raw.crates.clone(),
        lines,
        versions,
        collateral: Vec::new(),
        allowed: Vec::new(),
        location: None,
        policy: None,
    }
}

fn explain_version(
    graph: &DepGraph,
    roots: &[NodeId],
    filter: &EdgeFilter,
    reach: &[bool],
    target: NodeId,
) -> VersionInfo {
    let pkg = graph.package(target);
    let mut dependents: Vec<Dependent> = graph
        .dependents(target)
        .filter(|(from, e)| reach[from.index()] && filter.allows(*e))
        .map(|(from, e)| {
            let p = graph.package(from);
            Dependent {
                name: p.name.clone(),
                version: p.version.clone(),
                req: e.req.clone(),
                kind: e.kind_known.then_some(e.kind),
                platform: e.platform.clone(),
            }
        })
        .collect();
    dependents.sort();
    dependents.dedup();

    // Distance of every node to the target, by a breadth-first search over reverse edges.
    let dist = distances_to(graph, target, filter);

    // One shortest path from each selected member, over normal and build edges when the
    // member reaches the target without dev-dependencies.
    let no_dev = EdgeFilter {
        kinds: filter.kinds.without(Kind::Dev),
        platforms: filter.platforms,
    };
    let dist_no_dev = filter
        .kinds
        .dev
        .then(|| distances_to(graph, target, &no_dev));
    let mut paths = Vec::new();
    for &member in roots {
        let (dist, filter) = match &dist_no_dev {
            Some(d) if d[member.index()] != usize::MAX => (d, &no_dev),
            _ => (&dist, filter),
        };
        if dist[member.index()] != usize::MAX {
            paths.push(shortest_path(graph, member, target, dist, filter));
        }
    }

    // Origins: every declaration by which a member reachable from the selection leaves the
    // workspace towards the target.
    let mut origins = Vec::new();
    for &member in graph.members() {
        if !reach[member.index()] {
            continue;
        }
        for (next, edge) in graph.dependencies(member) {
            let next_pkg = graph.package(next);
            if next_pkg.is_member || !filter.allows(edge) || dist[next.index()] == usize::MAX {
                continue;
            }
            origins.push(Origin {
                member: graph.package(member).name.clone(),
                key: edge.key.clone(),
                package: next_pkg.name.clone(),
                kind: edge.kind,
                platform: edge.platform.clone(),
                manifest: None,
                table: None,
                line: None,
                member_manifest: None,
                member_line: None,
                req: edge.req.clone().unwrap_or_default(),
                package_version: Some(next_pkg.version.clone()),
                package_source: next_pkg.source.clone(),
                written_req: None,
                features: edge.features.clone(),
                default_features: edge.default_features,
                member_node: NodeIdOrd(member.index()),
                manifest_abs: None,
                span: None,
                member_manifest_abs: None,
                member_span: None,
            });
        }
    }
    origins.sort();
    origins.dedup();

    VersionInfo {
        name: pkg.name.clone(),
        version: pkg.version.clone(),
        source: pkg.source.clone(),
        manifest_dir: pkg.manifest_path.parent().map(std::path::Path::to_owned),
        dependents,
        origins,
        paths,
    }
}

/// The shortest path from `member` to `target` given every node's distance to it; among
/// equally short paths the smallest in node order (name, then version) wins, chosen greedily
/// hop by hop.
fn shortest_path(
    graph: &DepGraph,
    member: NodeId,
    target: NodeId,
    dist: &[usize],
    filter: &EdgeFilter,
) -> DepPath {
    let mut steps = vec![Step {
        name: graph.package(member).name.clone(),
        version: graph.package(member).version.clone(),
        req: None,
        kind: None,
    }];
    let mut at = member;
    while at != target {
        let d = dist[at.index()];
        let (next, edge) = graph
            .dependencies(at)
            .filter(|(n, e)| filter.allows(*e) && dist[n.index()] == d - 1)
            .min_by_key(|(n, e)| (*n, e.kind))
            .expect("a node at distance d has a neighbour at distance d - 1");
        let p = graph.package(next);
        steps.push(Step {
            name: p.name.clone(),
            version: p.version.clone(),
            req: edge.req.clone(),
            kind: edge.kind_known.then_some(edge.kind),
        });
        at = next;
    }
    DepPath { steps }
}

/// Every version reachable from the selected members whose package `pick` chooses, explained
/// as findings explain theirs (dependents, shortest paths, origins), by version then source.
pub(crate) fn explain_chosen(
    graph: &DepGraph,
    opts: &Options,
    pick: impl Fn(&crate::graph::Package) -> bool,
) -> Vec<VersionInfo> {
    let roots = selected_members(graph, opts);
    let filter = EdgeFilter {
        kinds: opts.edges,
        platforms: PlatformFilter::Any,
    };
    let reach = reachable(graph, &roots, &filter, &[]);
    let mut nodes: Vec<NodeId> = graph
        .nodes()
        .filter(|n| reach[n.index()] && !graph.package(*n).is_member && pick(graph.package(*n)))
        .collect();
    nodes.sort_by(|&a, &b| {
        let (pa, pb) = (graph.package(a), graph.package(b));
        (&pa.version, &pa.source).cmp(&(&pb.version, &pb.source))
    });
    nodes
        .into_iter()
        .map(|n| explain_version(graph, &roots, &filter, &reach, n))
        .collect()
}

/// Hop count from every node to `target` over the edges `filter` allows (`usize::MAX`: none).
fn distances_to(graph: &DepGraph, target: NodeId, filter: &EdgeFilter) -> Vec<usize> {
    let mut dist = vec![usize::MAX; graph.node_count()];
    dist[target.index()] = 0;
    let mut queue = VecDeque::from([target]);
    while let Some(node) = queue.pop_front() {
        let d = dist[node.index()];
        for (prev, edge) in graph.dependents(node) {
            if dist[prev.index()] == usize::MAX && filter.allows(edge) {
                dist[prev.index()] = d + 1;
                queue.push_back(prev);
            }
        }
    }
    dist
}

/// The versions once each, ascending as given; a version from several sources says so:
/// `0.9.2, 0.12.3 (from 2 sources)`.
fn version_list(versions: &[VersionInfo]) -> String {
    let mut shown: Vec<(&Version, usize)> = Vec::new();
    for v in versions {
        match shown.iter_mut().find(|(seen, _)| **seen == v.version) {
            Some((_, n)) => *n += 1,
            None => shown.push((&v.version, 1)),
        }
    }
    shown
        .iter()
        .map(|(v, n)| match n {
            1 => v.to_string(),
            n => format!("{v} (from {n} sources)"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The crates that pull a version in (`etcd-client 0.11.1`) are added to `movers`, and the
/// workspace members that declare it directly to `members`.
fn pulled_by(
    graph: &DepGraph,
    v: &VersionInfo,
    members: &mut Vec<String>,
    movers: &mut Vec<String>,
) {
    let is_member = |name: &str| {
        graph
            .members()
            .iter()
            .any(|&m| graph.package(m).name == name)
    };
    for d in &v.dependents {
        if is_member(&d.name) {
            if !members.contains(&d.name) {
                members.push(d.name.clone());
            }
        } else {
            let shown = format!("{} {}", d.name, d.version);
            if !movers.contains(&shown) {
                movers.push(shown);
            }
        }
    }
}

fn wording(
    graph: &DepGraph,
    raw: &Raw,
    versions: &[VersionInfo],
    lines: &[Line],
    caused_by: Option<&str>,
) -> (String, String) {
    let name = &raw.krate;
    match raw.code {
        Code::DivergingVersions => {
            let message = format!(
                "{name} resolves on {} semver-incompatible lines: {}",
                lines.len(),
                version_list(versions)
            );
            let newest = lines.last().expect("a diverging finding has lines");
            let older: Vec<&VersionInfo> = versions
                .iter()
                .filter(|v| Line::of(&v.version) != *newest)
                .collect();
            let help = if let Some(root) = caused_by {
                format!("this split follows from the {root} split; unifying {root} removes it")
            } else {
                let (mut members, mut movers) = (Vec::new(), Vec::new());
                for v in &older {
                    pulled_by(graph, v, &mut members, &mut movers);
                }
                // Warnings are planned only when asked for.
                let command = if raw.role == Role::Primary {
                    "cargo etcd-deps fix"
                } else {
                    "cargo etcd-deps fix --include-warnings"
                };
                match unify_edit(name, *newest, &members, &movers) {
                    edit if edit.is_empty() => {
                        format!("unify on {name} {newest}: run `{command}` to plan the edit")
                    }
                    edit => format!(
                        "unify on {name} {newest}: {edit}, or run `{command}` to plan the edit"
                    ),
                }
            };
            (message, help)
        }
        Code::SourceSplit => {
            let sources: Vec<String> = versions
                .iter()
                .map(|v| format!("{} from {}", v.version, source_label(v.source.as_deref())))
                .collect();
            let message = format!(
                "{name} {} comes from {} sources: {}",
                raw.crates.first().map(String::as_str).unwrap_or_default(),
                versions.len(),
                sources.join(", ")
            );
            let help = format!(
                "cargo builds each copy as a separate crate; make every dependent use one source, \
                 or add a [patch] entry for {name} so cargo merges them"
            );
            (message, help)
        }
        Code::TrainSkew => match raw.member {
            Some(member) if raw.directs.len() > 1 => two_direct_lines(graph, raw, versions, member),
            Some(member) => member_train_skew(graph, raw, versions, member),
            _ => {
                let anchor = &raw.crates[0];
                let anchor_versions: Vec<String> = versions
                    .iter()
                    .filter(|v| v.name == *anchor)
                    .map(|v| v.version.to_string())
                    .collect();
                let other_versions: Vec<String> = versions
                    .iter()
                    .filter(|v| v.name == *name)
                    .map(|v| v.version.to_string())
                    .collect();
                let message = format!(
                    "{name} {} is on another line than {anchor} {}; they are released together",
                    other_versions.join(", "),
                    anchor_versions.join(", ")
                );
                // Advise the newest line, as diverging-versions does.
                let newest_of = |krate: &str| {
                    versions
                        .iter()
                        .filter(|v| v.name == krate)
                        .map(|v| Line::of(&v.version))
                        .max()
                        .expect("a train-skew finding has both crates")
                };
                let (anchor_line, other_line) = (newest_of(anchor), newest_of(name));
                let help = if anchor_line > other_line {
                    format!("use {name} {anchor_line}, the line of {anchor} {anchor_line}")
                } else {
                    format!(
                        "move {anchor} to {other_line}, the line of {name} {other_line} (or use \
                         {name} {anchor_line})"
                    )
                };
                (message, help)
            }
        },
        // Never detected here: the policy steps report them.
        Code::UnusedAllow | Code::OutsidePolicy => (String::new(), String::new()),
        Code::TypeBoundary if raw.directs.len() > 1 => two_direct_lines(
            graph,
            raw,
            versions,
            raw.member.expect("a type-boundary has a member"),
        ),
        Code::TypeBoundary => member_type_boundary(graph, raw, versions),
    }
}

/// type-boundary for a member using one line of the crate directly.
fn member_type_boundary(graph: &DepGraph, raw: &Raw, versions: &[VersionInfo]) -> (String, String) {
    let name = &raw.krate;
    let member = raw
        .member
        .map(|m| graph.package(m).name.clone())
        .unwrap_or_default();
    let direct = raw.directs.first().map_or_else(
        || versions[0].version.clone(),
        |&d| graph.package(d).version.clone(),
    );
    let (vias, built) = built_against(graph, &raw.vias, name, &direct);
    let which = if raw.vias.len() == 1 {
        "which is"
    } else {
        "which are"
    };
    let message = format!(
        "{member} uses {name} {direct} directly and {vias}, {which} built on {built}: \
         their {name} types are different types"
    );
    let names = via_names(graph, &raw.vias, false);
    let built = built_version(graph, raw.vias[0], name, &direct)
        .map(ToString::to_string)
        .unwrap_or_default();
    let between = match built_line(graph, &raw.vias, name, &direct) {
        Some(_) => format!("{member}'s {name} {direct} and {names}'s {name} {built}"),
        None => format!("{member}'s {name} {direct} and the crates named"),
    };
    let edit = member_unify_edit(graph, raw, versions, &[&direct]);
    let help = format!("values of {name} types cannot pass between {between}; {edit}");
    (message, help)
}

/// The edit that puts a member and the crates it meets on the newest line of the finding,
/// the line `diverging-versions` unifies on: the member raises its own requirement when it
/// is behind, a crate built on an older line moves to a release built on the newest, and a
/// workspace member among those crates raises its requirement instead.
fn member_unify_edit(
    graph: &DepGraph,
    raw: &Raw,
    versions: &[VersionInfo],
    directs: &[&Version],
) -> String {
    let name = &raw.krate;
    let target = versions
        .iter()
        .filter(|v| v.name == *name)
        .map(|v| Line::of(&v.version))
        .max()
        .expect("a member finding has versions");
    let mut members = Vec::new();
    if directs.iter().any(|d| Line::of(d) < target) {
        let member = raw.member.expect("a member finding has a member");
        members.push(graph.package(member).name.clone());
    }
    let mut movers = Vec::new();
    for &via in &raw.vias {
        let p = graph.package(via);
        let behind = graph
            .dependencies(via)
            .map(|(n, _)| graph.package(n))
            .any(|d| d.name == *name && Line::of(&d.version) < target);
        let list = if p.is_member {
            &mut members
        } else {
            &mut movers
        };
        if behind && !list.contains(&p.name) {
            list.push(p.name.clone());
        }
    }
    unify_edit(name, target, &members, &movers)
}

/// `raise the tonic requirement of a and b to 0.13 and move c to a release built on tonic
/// 0.13`: workspace members raise their own requirement, other crates move.
fn unify_edit(name: &str, target: Line, members: &[String], movers: &[String]) -> String {
    unify_edit_listed(name, target, members, movers, and_list)
}

/// [`unify_edit`] with the lists of names written by `list` (a report may shorten them);
/// empty when there is nothing to edit.
pub(crate) fn unify_edit_listed(
    name: &str,
    target: Line,
    members: &[String],
    movers: &[String],
    list: fn(&[String]) -> String,
) -> String {
    let raise = format!(
        "raise the {name} requirement of {} to {target}",
        list(members)
    );
    let release = if movers.len() == 1 {
        "a release"
    } else {
        "releases"
    };
    let moves = format!(
        "move {} to {release} built on {name} {target}",
        list(movers)
    );
    match (members.is_empty(), movers.is_empty()) {
        (true, true) => String::new(),
        (true, false) => moves,
        (false, true) => raise,
        (false, false) => format!("{raise} and {moves}"),
    }
}

/// train-skew (b) for a member using one line of the crate directly.
fn member_train_skew(
    graph: &DepGraph,
    raw: &Raw,
    versions: &[VersionInfo],
    member: NodeId,
) -> (String, String) {
    let name = &raw.krate;
    let member = &graph.package(member).name;
    let direct = &graph.package(raw.directs[0]).version;
    let (vias, built) = built_against(graph, &raw.vias, name, direct);
    let verb = if raw.vias.len() == 1 { "is" } else { "are" };
    let message =
        format!("{member} uses {name} {direct} directly, but {vias} {verb} built against {built}");
    let help = member_unify_edit(graph, raw, versions, &[direct]);
    (message, help)
}

/// A member that uses two lines of a crate directly, and crates built on each: wording that
/// names them all and advises the newest line.
fn two_direct_lines(
    graph: &DepGraph,
    raw: &Raw,
    versions: &[VersionInfo],
    member: NodeId,
) -> (String, String) {
    let name = &raw.krate;
    let member = &graph.package(member).name;
    let mut directs: Vec<&Version> = raw
        .directs
        .iter()
        .map(|&d| &graph.package(d).version)
        .collect();
    directs.sort();
    let items: Vec<String> = raw
        .vias
        .iter()
        .map(|&v| {
            let p = graph.package(v);
            let built: Vec<String> = graph
                .dependencies(v)
                .map(|(n, _)| graph.package(n))
                .filter(|p| p.name == *name)
                .map(|p| format!("{name} {}", p.version))
                .collect();
            format!("{} {} ({})", p.name, p.version, built.join(", "))
        })
        .collect();
    let shown: Vec<String> = directs.iter().map(ToString::to_string).collect();
    let message = format!(
        "{member} uses {name} {} directly, and {} build on them",
        and_list(&shown),
        and_list(&items)
    );
    let help = member_unify_edit(graph, raw, versions, &directs);
    (message, help)
}

/// The version of `name` that `via` depends on off `direct`'s line.
fn built_version<'g>(
    graph: &'g DepGraph,
    via: NodeId,
    name: &str,
    direct: &Version,
) -> Option<&'g Version> {
    graph
        .dependencies(via)
        .map(|(n, _)| graph.package(n))
        .filter(|p| p.name == name && Line::of(&p.version) != Line::of(direct))
        .map(|p| &p.version)
        .min()
}

/// The line every via crate is built on, when they agree.
fn built_line(graph: &DepGraph, vias: &[NodeId], name: &str, direct: &Version) -> Option<Line> {
    let lines: BTreeSet<Line> = vias
        .iter()
        .filter_map(|&v| built_version(graph, v, name, direct))
        .map(Line::of)
        .collect();
    (lines.len() == 1).then(|| lines.into_iter().next().expect("one line"))
}

/// `a 1.0, b 2.0 and c 3.0` (`a, b and c` without versions).
fn via_names(graph: &DepGraph, vias: &[NodeId], versions: bool) -> String {
    let mut names: Vec<String> = vias
        .iter()
        .map(|&v| {
            let p = graph.package(v);
            if versions {
                format!("{} {}", p.name, p.version)
            } else {
                p.name.clone()
            }
        })
        .collect();
    names.dedup();
    and_list(&names)
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The via crates and what they are built against: `etcd-client 0.11.1` and `tonic 0.9.2`, or
/// with several versions `a 1.0 (tonic 0.9.2) and b 2.0 (tonic 0.10.2)` and `other tonic lines`.
fn built_against(
    graph: &DepGraph,
    vias: &[NodeId],
    name: &str,
    direct: &Version,
) -> (String, String) {
    let built: BTreeSet<&Version> = vias
        .iter()
        .filter_map(|&v| built_version(graph, v, name, direct))
        .collect();
    if built.len() <= 1 {
        let b = built
            .into_iter()
            .next()
            .map(ToString::to_string)
            .unwrap_or_default();
        return (via_names(graph, vias, true), format!("{name} {b}"));
    }
    let items: Vec<String> = vias
        .iter()
        .map(|&v| {
            let p = graph.package(v);
            let b = built_version(graph, v, name, direct)
                .map(ToString::to_string)
                .unwrap_or_default();
            format!("{} {} ({name} {b})", p.name, p.version)
        })
        .collect();
    (and_list(&items), format!("other {name} lines"))
}

/// A short human name for a cargo source id.
pub fn source_label(source: Option<&str>) -> String {
    match source {
        None => "a path".to_owned(),
        Some("registry+https://github.com/rust-lang/crates.io-index") => "crates.io".to_owned(),
        Some(s) if s.starts_with("sparse+https://index.crates.io") => "crates.io".to_owned(),
        Some(s) => {
            let (kind, rest) = s.split_once('+').unwrap_or(("", s));
            let url = rest.split('#').next().unwrap_or(rest);
            match kind {
                "git" => format!("git {url}"),
                "registry" | "sparse" => format!("registry {url}"),
                _ => url.to_owned(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_from_two_sources_is_listed_once() {
        let info = |version: &str, source: Option<&str>| VersionInfo {
            name: "tonic".to_owned(),
            version: Version::parse(version).expect("version"),
            source: source.map(str::to_owned),
            manifest_dir: None,
            dependents: Vec::new(),
            origins: Vec::new(),
            paths: Vec::new(),
        };
        let versions = [
            info(
                "0.9.2",
                Some("registry+https://github.com/rust-lang/crates.io-index"),
            ),
            info(
                "0.12.3",
                Some("registry+https://github.com/rust-lang/crates.io-index"),
            ),
            info("0.12.3", None),
        ];
        assert_eq!(version_list(&versions), "0.9.2, 0.12.3 (from 2 sources)");
        assert_eq!(version_list(&versions[..2]), "0.9.2, 0.12.3");
    }
    use crate::testkit::Builder;

    fn run(b: &Builder) -> Vec<Finding> {
        analyze(&b.graph(), &Options::default())
    }

    fn summary(findings: &[Finding]) -> Vec<String> {
        findings
            .iter()
            .map(|f| {
                let mut s = format!("{} {} {}", f.level.as_str(), f.code, f.krate);
                if let Some(c) = &f.caused_by {
                    s.push_str(&format!(" caused_by={c}"));
                }
                if let Some(m) = &f.member {
                    s.push_str(&format!(" member={m}"));
                }
                if f.dev_only {
                    s.push_str(" dev_only");
                }
                if !f.platforms.is_empty() {
                    s.push_str(&format!(" platforms={}", f.platforms.join("|")));
                }
                s
            })
            .collect()
    }

    /// app → etcd-client 0.11.1 → tonic 0.9.2 and app → tonic 0.12.3, each tonic with its
    /// own hyper; tonic 0.12.3 itself splits tower (0.4 directly, 0.5 through axum).
    fn split_stack() -> Builder {
        Builder::default()
            .member("app")
            .pkg("etcd-client", "0.11.1")
            .pkg("tonic", "0.9.2")
            .pkg("tonic", "0.12.3")
            .pkg("hyper", "0.14.32")
            .pkg("hyper", "1.6.0")
            .pkg("tower", "0.4.13")
            .pkg("tower", "0.5.2")
            .pkg("axum", "0.7.9")
            .dep("app", "etcd-client@0.11.1")
            .dep("app", "tonic@0.12.3")
            .dep("etcd-client@0.11.1", "tonic@0.9.2")
            .dep("tonic@0.9.2", "hyper@0.14.32")
            .dep("tonic@0.9.2", "tower@0.4.13")
            .dep("tonic@0.12.3", "hyper@1.6.0")
            .dep("tonic@0.12.3", "tower@0.4.13")
            .dep("tonic@0.12.3", "axum@0.7.9")
            .dep("axum@0.7.9", "tower@0.5.2")
    }

    /// app → tonic 0.12.3, and app → etcd-client 0.11.1 → tonic 0.9.2 where the etcd-client
    /// declaration has this kind and platform.
    fn etcd_beside_tonic(kind: &'static str, platform: Option<&str>) -> Builder {
        Builder::default()
            .member("app")
            .pkg("etcd-client", "0.11.1")
            .pkg("tonic", "0.9.2")
            .pkg("tonic", "0.12.3")
            .dep("app", "tonic@0.12.3")
            .dep_with("app", "etcd-client@0.11.1", kind, platform, None)
            .dep("etcd-client@0.11.1", "tonic@0.9.2")
    }

    #[test]
    fn lines_follow_semver_compatibility() {
        let line = |v: &str| Line::of(&Version::parse(v).expect("version")).to_string();
        assert_eq!(line("1.6.0"), "1");
        assert_eq!(line("1.0.0-rc.1"), "1");
        assert_eq!(line("0.12.3"), "0.12");
        assert_eq!(line("0.0.3"), "0.0.3");
        assert!(Line::of(&Version::new(0, 9, 2)) < Line::of(&Version::new(0, 12, 0)));
    }

    #[test]
    fn collateral_duplicates_hang_off_the_root_and_residuals_do_not() {
        assert_eq!(
            summary(&run(&split_stack())),
            [
                "error diverging-versions tonic",
                "error type-boundary tonic member=app",
                "warning diverging-versions tower",
                "note diverging-versions hyper caused_by=tonic",
            ]
        );
    }

    #[test]
    fn root_lists_its_collateral() {
        let findings = run(&split_stack());
        let tonic = findings
            .iter()
            .find(|f| f.code == Code::DivergingVersions && f.krate == "tonic")
            .expect("tonic finding");
        assert_eq!(tonic.collateral, ["hyper"]);
    }

    #[test]
    fn family_crate_behind_a_watched_crate_is_train_skew() {
        let b = Builder::default()
            .member("app")
            .pkg("tonic", "0.13.1")
            .pkg("prost", "0.13.5")
            .pkg("prost", "0.14.1")
            .dep("app", "tonic@0.13.1")
            .dep("app", "prost@0.14.1")
            .dep("tonic@0.13.1", "prost@0.13.5");
        assert_eq!(
            summary(&run(&b)),
            [
                "error train-skew prost member=app",
                "warning diverging-versions prost"
            ]
        );
    }

    #[test]
    fn one_finding_per_code_crate_and_member_names_every_crate_involved() {
        // app uses prost 0.12 and three crates built on prost 0.11: one train-skew, not three.
        let b = Builder::default()
            .member("app")
            .pkg("prost", "0.12.6")
            .pkg("prost", "0.11.9")
            .pkg("prost-types", "0.11.9")
            .pkg("etcd-client", "0.11.1")
            .pkg("tonic", "0.9.2")
            .dep("app", "prost@0.12.6")
            .dep("app", "prost-types@0.11.9")
            .dep("app", "etcd-client@0.11.1")
            .dep("app", "tonic@0.9.2")
            .dep("prost-types@0.11.9", "prost@0.11.9")
            .dep("etcd-client@0.11.1", "prost@0.11.9")
            .dep("etcd-client@0.11.1", "tonic@0.9.2")
            .dep("tonic@0.9.2", "prost@0.11.9");
        let findings = run(&b);
        let skew: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.code == Code::TrainSkew && f.member.is_some())
            .collect();
        assert_eq!(skew.len(), 1, "{:?}", summary(&findings));
        assert_eq!(
            skew[0].crates,
            ["etcd-client", "prost-types", "tonic", "prost"]
        );
        assert_eq!(
            skew[0].message,
            "app uses prost 0.12.6 directly, but etcd-client 0.11.1, prost-types 0.11.9 and tonic 0.9.2 are built against prost 0.11.9"
        );
    }

    #[test]
    fn transport_stack_mismatch_is_divergence_not_train_skew() {
        // pageserver uses http 1 directly; hyper 0.14 and axum 0.6 are built on http 0.2,
        // and tonic 0.9 on axum 0.6 beside the member's axum 0.7: the transport stack is not
        // a train, so these are diverging-versions warnings only.
        let b = Builder::default()
            .member("pageserver")
            .pkg("http", "1.1.0")
            .pkg("http", "0.2.12")
            .pkg("hyper", "0.14.28")
            .pkg("axum", "0.6.20")
            .pkg("axum", "0.7.9")
            .pkg("tonic", "0.9.2")
            .dep("pageserver", "http@1.1.0")
            .dep("pageserver", "hyper@0.14.28")
            .dep("pageserver", "axum@0.7.9")
            .dep("pageserver", "tonic@0.9.2")
            .dep("hyper@0.14.28", "http@0.2.12")
            .dep("axum@0.6.20", "http@0.2.12")
            .dep("axum@0.7.9", "http@1.1.0")
            .dep("tonic@0.9.2", "http@0.2.12")
            .dep("tonic@0.9.2", "axum@0.6.20");
        assert_eq!(
            summary(&run(&b)),
            [
                "warning diverging-versions axum",
                "warning diverging-versions http"
            ]
        );
    }

    #[test]
    fn paths_prefer_normal_edges_and_the_first_is_the_shortest_of_any_member() {
        // api reaches tonic 0.12.3 in four normal hops and in two through a dev-dependency:
        // its path takes the normal edges. servers reaches it in two normal hops: its path
        // comes first. bench reaches it only through a dev-dependency: its path comes last.
        let b = Builder::default()
            .member("api")
            .member("bench")
            .member("servers")
            .pkg("etcd-client", "0.11.1")
            .pkg("tonic", "0.9.2")
            .pkg("tonic", "0.12.3")
            .pkg("a", "1.0.0")
            .pkg("b", "1.0.0")
            .pkg("c", "1.0.0")
            .pkg("loki-proto", "0.1.0")
            .dep("api", "etcd-client@0.11.1")
            .dep("etcd-client@0.11.1", "tonic@0.9.2")
            .dep("api", "a@1.0.0")
            .dep("a@1.0.0", "b@1.0.0")
            .dep("b@1.0.0", "c@1.0.0")
            .dep("c@1.0.0", "tonic@0.12.3")
            .dep_with("api", "loki-proto@0.1.0", "dev", None, None)
            .dep_with("bench", "loki-proto@0.1.0", "dev", None, None)
            .dep("servers", "loki-proto@0.1.0")
            .dep("loki-proto@0.1.0", "tonic@0.12.3");
        let findings = run(&b);
        let tonic = findings
            .iter()
            .find(|f| f.code == Code::DivergingVersions && f.krate == "tonic")
            .expect("tonic finding");
        let newer = tonic
            .versions
            .iter()
            .find(|v| v.version.to_string() == "0.12.3")
            .expect("tonic 0.12.3");
        let shown: Vec<String> = newer
            .paths_best_first()
            .into_iter()
            .map(DepPath::display)
            .collect();
        assert_eq!(
            shown,
            [
                "servers → loki-proto 0.1.0 (^0.1.0) → tonic 0.12.3 (^0.12.3)",
                "api → a 1.0.0 (^1.0.0) → b 1.0.0 (^1.0.0) → c 1.0.0 (^1.0.0) → tonic 0.12.3 (^0.12.3)",
                "bench → loki-proto 0.1.0 (^0.1.0, dev) → tonic 0.12.3 (^0.12.3)",
            ],
            "{shown:?}"
        );
    }

    #[test]
    fn train_crate_off_its_anchor_line_is_train_skew() {
        let b = Builder::default()
            .member("app")
            .pkg("tonic", "0.12.3")
            .pkg("tonic-build", "0.13.1")
            .dep("app", "tonic@0.12.3")
            .dep_with("app", "tonic-build@0.13.1", "build", None, None);
        let findings = run(&b);
        assert_eq!(summary(&findings), ["error train-skew tonic-build"]);
        assert_eq!(findings[0].crates, ["tonic", "tonic-build"]);
        // The newest line, with its version, as diverging-versions would advise.
        assert_eq!(
            findings[0].help,
            "move tonic to 0.13, the line of tonic-build 0.13 (or use tonic-build 0.12)"
        );
    }

    #[test]
    fn dev_only_and_platform_qualifiers() {
        let b = etcd_beside_tonic("dev", None);
        assert_eq!(
            summary(&run(&b)),
            [
                "error diverging-versions tonic dev_only",
                "error type-boundary tonic member=app dev_only",
            ]
        );
        let b = etcd_beside_tonic("normal", Some("cfg(windows)"));
        assert_eq!(
            summary(&run(&b)),
            [
                "error diverging-versions tonic platforms=cfg(windows)",
                "error type-boundary tonic member=app platforms=cfg(windows)",
            ]
        );
    }

    #[test]
    fn a_crate_under_two_kinds_is_two_edges_between_one_pair() {
        // Found by fuzzing the lockfile reader: parallel edges (tonic as a normal and a build
        // dependency of one package) broke the adjacency rows.
        let b = Builder::default()
            .member("app")
            .pkg("etcd-client", "0.11.1")
            .pkg("tonic", "0.9.2")
            .pkg("tonic", "0.12.3")
            .dep("app", "tonic@0.12.3")
            .dep_with("app", "tonic@0.12.3", "build", None, None)
            .dep("app", "etcd-client@0.11.1")
            .dep("etcd-client@0.11.1", "tonic@0.9.2");
        let graph = b.graph();
        let app = graph.members()[0];
        let kinds: Vec<Kind> = graph
            .dependencies(app)
            .filter(|(n, _)| graph.package(*n).version.minor == 12)
            .map(|(_, e)| e.kind)
            .collect();
        assert_eq!(kinds, [Kind::Normal, Kind::Build]);
        let findings = analyze(&graph, &Options::default());
        assert_eq!(
            summary(&findings),
            [
                "error diverging-versions tonic",
                "error type-boundary tonic member=app"
            ]
        );
        let kinds: Vec<Option<Kind>> = findings[0].versions[1]
            .dependents
            .iter()
            .map(|d| d.kind)
            .collect();
        assert_eq!(kinds, [Some(Kind::Normal), Some(Kind::Build)]);
    }

    #[test]
    fn edges_option_drops_dev_edges() {
        let b = etcd_beside_tonic("dev", None);
        let opts = Options {
            edges: KindSet::ALL.without(Kind::Dev),
            ..Options::default()
        };
        assert!(analyze(&b.graph(), &opts).is_empty());
    }

    #[test]
    fn unwatched_crates_need_all_duplicates() {
        let b = Builder::default()
            .member("app")
            .pkg("socket2", "0.4.10")
            .pkg("socket2", "0.5.8")
            .member("lib")
            .dep("app", "socket2@0.4.10")
            .dep("lib", "socket2@0.5.8");
        assert!(run(&b).is_empty());
        let mut opts = Options::default();
        opts.watch.all_duplicates = true;
        assert_eq!(
            summary(&analyze(&b.graph(), &opts)),
            ["warning diverging-versions socket2"]
        );
    }

    #[test]
    fn cycles_terminate_and_paths_take_the_smallest_of_equal_length() {
        // a ⇄ b (b dev-depends on a), both reach tonic 0.9 through c or d (c wins: smaller).
        let b = Builder::default()
            .member("a")
            .member("b")
            .pkg("c", "1.0.0")
            .pkg("d", "1.0.0")
            .pkg("tonic", "0.9.2")
            .pkg("tonic", "0.12.3")
            .dep("a", "b")
            .dep_with("b", "a", "dev", None, None)
            .dep("a", "d@1.0.0")
            .dep("a", "c@1.0.0")
            .dep("d@1.0.0", "tonic@0.9.2")
            .dep("c@1.0.0", "tonic@0.9.2")
            .dep("b", "tonic@0.12.3");
        let findings = run(&b);
        let tonic = &findings[0];
        assert_eq!(tonic.krate, "tonic");
        let paths: Vec<String> = tonic.versions[0]
            .paths
            .iter()
            .map(DepPath::display)
            .collect();
        assert_eq!(
            paths,
            [
                "a → c 1.0.0 (^1.0.0) → tonic 0.9.2 (^0.9.2)",
                "b → a 0.1.0 (^0.1.0, dev) → c 1.0.0 (^1.0.0) → tonic 0.9.2 (^0.9.2)",
            ]
        );
        // Both c and d lead out of the workspace towards tonic 0.9.2.
        let keys: Vec<&str> = tonic.versions[0]
            .origins
            .iter()
            .map(|o| o.key.as_str())
            .collect();
        assert_eq!(keys, ["c", "d"]);
    }

    #[test]
    fn output_does_not_depend_on_input_order() {
        let forward = split_stack();
        let mut backward = split_stack();
        backward.reverse_for_test();
        let a = serde_json::to_string(&run(&forward)).expect("json");
        let b = serde_json::to_string(&run(&backward)).expect("json");
        assert_eq!(a, b);
    }

    #[test]
    fn renamed_keys_match_by_package_name() {
        let b = Builder::default()
            .member("app")
            .pkg("etcd-client", "0.11.1")
            .pkg("tonic", "0.9.2")
            .pkg("tonic", "0.12.3")
            .dep_with("app", "tonic@0.12.3", "normal", None, Some("grpc"))
            .dep_with("app", "etcd-client@0.11.1", "normal", None, Some("etcd"))
            .dep("etcd-client@0.11.1", "tonic@0.9.2");
        let findings = run(&b);
        assert_eq!(
            summary(&findings),
            [
                "error diverging-versions tonic",
                "error type-boundary tonic member=app"
            ]
        );
        assert_eq!(findings[0].versions[0].origins[0].key, "etcd");
        assert_eq!(findings[0].versions[0].origins[0].package, "etcd-client");
        assert_eq!(findings[0].versions[1].origins[0].key, "grpc");
    }
}
