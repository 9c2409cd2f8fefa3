//! Findings: which watched crates diverge, why, and through which paths. Pure: no IO.
//!
//! Everything is read from the resolved graph; no version table lives here. `analyze` runs
//! the passes:
//! 1. `detect` runs the detectors (`diverging`, `source_split`, `train_skew`,
//!    `type_boundary`) under one edge filter (kinds and platforms);
//! 2. it is run again without dev edges and per platform condition, to learn which findings
//!    exist only through dev edges or only on some platforms;
//! 3. collateral duplicates are attached to their root finding (`collateral`);
//! 4. each version of each finding is explained: dependents, shortest paths, origins
//!    (`paths`), each origin complete when created from the read-only span index passed in;
//! 5. each finding is worded by `diags::analysis` from the typed facts its detector gives.
//!
//! The public types (findings and their explanations) live here; `code` holds the finding
//! codes and levels.

mod code;
mod collateral;
mod detect;
mod diverging;
mod kept;
mod paths;
mod source_split;
mod train_skew;
mod type_boundary;

use std::collections::{BTreeMap, BTreeSet};

use semver::Version;
use serde::{Serialize, Serializer};

use crate::diags::analysis::{Facts, StaleHack, stale_hack, words};
use crate::graph::{DepGraph, Kind, KindSet, NodeId};
use crate::manifest::spans::SpanIndex;

pub use self::code::{Code, Level};
pub(crate) use self::paths::explain_chosen;
pub use crate::line::Line;

use self::detect::{
    EdgeFilter, PlatformFilter, Qualifiers, Raw, detect, reachable, selected_members,
};

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
    /// The watched crates: primary, trains and family.
    pub watch: Watch,
    /// The dependency kinds followed (`-e`).
    pub edges: KindSet,
    /// `-p/--package`: only paths from these members (empty: every member).
    pub packages: Vec<String>,
}

/// One finding, with everything the reports need.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// The stable code (`diverging-versions`, `type-boundary`, …).
    pub code: Code,
    /// The final level, after policy.
    pub level: Level,
    /// The crate the finding is about (`crate` in JSON).
    #[serde(rename = "crate")]
    pub krate: String,
    /// For a collateral duplicate: the crate of the root finding that causes it.
    pub caused_by: Option<String>,
    /// One sentence: what is wrong.
    pub message: String,
    /// What to do about it.
    pub help: String,
    /// The finding exists only through dev-dependency edges.
    pub dev_only: bool,
    /// The finding exists only under these platform conditions (empty: on every platform).
    pub platforms: Vec<String>,
    /// type-boundary and train-skew (b): the workspace member whose direct dependencies meet.
    pub member: Option<String>,
    /// train-skew and type-boundary: the crates involved.
    pub crates: Vec<String>,
    /// The generated member (a cargo-hakari workspace-hack) that alone brings some of the
    /// versions in (`only_workspace_hack`): the finding is reported against it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace_hack: Option<String>,
    /// The version lines involved, ascending.
    pub lines: Vec<Line>,
    /// Each version: its dependents, paths from the members and origins.
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
    /// A train crate (prost) whose newest line is not the one the primary crates that keep
    /// their line (tonic 0.12.3) are built on: the line `fix` moves it to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unify_on: Option<UnifyOn>,
}

/// The line a train crate follows: the one the primary crates that keep their line are
/// built on (`because`: `tonic 0.12.3`), below its `newest` line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnifyOn {
    pub line: Line,
    pub because: Vec<String>,
    pub newest: Line,
    /// The `--to` argument that takes the newest line instead (`prost@0.14`): of the crate
    /// itself, or of the train's anchor it follows (prost for prost-derive).
    pub to: String,
}

impl Finding {
    /// A finding policy creates (outside-policy, unused-allow) with its `words` (message and
    /// help, from `diags::policy`): on every platform, not through dev edges alone, with no
    /// member, crates, collateral or allowed versions. The caller adds its versions and lines,
    /// or where its entry is written, and its rule.
    pub fn judged(code: Code, level: Level, krate: &str, words: (String, String)) -> Finding {
        let (message, help) = words;
        Finding {
            code,
            level,
            krate: krate.to_owned(),
            caused_by: None,
            message,
            help,
            dev_only: false,
            platforms: Vec::new(),
            member: None,
            crates: Vec::new(),
            workspace_hack: None,
            lines: Vec::new(),
            versions: Vec::new(),
            collateral: Vec::new(),
            allowed: Vec::new(),
            location: None,
            policy: None,
            unify_on: None,
        }
    }
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
    /// The declarations by which a generated member (a cargo-hakari workspace-hack) leads to
    /// this version: compiled, but nobody's own use, so never an origin.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub workspace_hack: Vec<Origin>,
    /// No member but a generated one brings this version in: a stale workspace-hack does.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub only_workspace_hack: bool,
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
/// `manifest`, `table` and `line` come from the span index (`manifest::spans`); they stay
/// empty when its manifest could not be read.
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
    /// The requirement string as written in the manifest.
    #[serde(skip)]
    pub written_req: Option<String>,
    /// Features the declaration enables, and whether it keeps default features.
    #[serde(skip)]
    pub features: Vec<String>,
    #[serde(skip)]
    pub default_features: bool,
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

/// Runs the whole analysis. Origins are located in `spans`, the index of the manifests
/// `graph` was read from (`SpanIndex::default()` for a graph without them).
pub fn analyze(graph: &DepGraph, spans: &SpanIndex, opts: &Options) -> Vec<Finding> {
    let roots = selected_members(graph, opts);
    let main = EdgeFilter {
        kinds: opts.edges,
        platforms: PlatformFilter::Any,
    };
    let raws = detect(graph, opts, &roots, &main);
    if raws.is_empty() {
        return Vec::new();
    }
    let qualifiers = Qualifiers::new(graph, opts, &roots, &raws);
    let collateral = collateral::roots(graph, &roots, &main, &raws);
    let reach = reachable(graph, &roots, &main, &[]);
    let own = paths::Scope::own_reach(graph, &main);
    let keepers = kept::Keepers::new(graph, &opts.watch, &type_boundary::reached(graph));
    let located = paths::Located::new(graph, spans);
    let scope = paths::Scope {
        roots: &roots,
        filter: &main,
        reach: &reach,
        own: &own,
        located: &located,
    };

    // Findings share versions (type-boundary and diverging-versions name the same tonic
    // releases): explain each version once.
    let versions: BTreeSet<NodeId> = raws.iter().flat_map(|r| r.nodes.iter().copied()).collect();
    let mut explained = Explained::new(paths::explain_each(graph, &scope, versions), &raws);
    let mut findings: Vec<Finding> = raws
        .iter()
        .map(|raw| {
            let (dev_only, platforms) = qualifiers.of(raw);
            let caused_by = if raw.code == Code::DivergingVersions {
                collateral.get(&raw.krate).cloned()
            } else {
                None
            };
            let unify_on = match (raw.code, &caused_by, raw.member) {
                (Code::DivergingVersions, None, _) | (Code::TrainSkew, _, Some(_)) => {
                    keepers.line_of(graph, &opts.watch, &raw.krate)
                }
                _ => None,
            };
            explain(
                graph,
                &mut explained,
                raw,
                (dev_only, platforms),
                (caused_by, unify_on),
            )
        })
        .collect();
    collateral::list_on_roots(&mut findings);
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

/// The versions explained, each handed to the findings that name it: a copy for all but
/// the last, which takes the explanation itself.
struct Explained {
    versions: BTreeMap<NodeId, (VersionInfo, usize)>,
}

impl Explained {
    fn new(versions: BTreeMap<NodeId, VersionInfo>, raws: &[Raw]) -> Explained {
        let mut versions: BTreeMap<NodeId, (VersionInfo, usize)> =
            versions.into_iter().map(|(n, v)| (n, (v, 0))).collect();
        for raw in raws {
            let named: BTreeSet<NodeId> = raw.nodes.iter().copied().collect();
            for n in named {
                if let Some((_, uses)) = versions.get_mut(&n) {
                    *uses += 1;
                }
            }
        }
        Explained { versions }
    }

    /// The explanation of `node` for one finding that names it.
    fn take(&mut self, node: NodeId) -> VersionInfo {
        let (info, uses) = self
            .versions
            .get_mut(&node)
            .expect("every version a finding names was explained");
        *uses -= 1;
        match uses {
            0 => self.versions.remove(&node).expect("present").0,
            _ => info.clone(),
        }
    }
}

/// A raw finding made whole: its versions explained, its lines and level, and its message
/// and help worded by `diags::analysis` from the facts its detector gives.
fn explain(
    graph: &DepGraph,
    explained: &mut Explained,
    raw: &Raw,
    (dev_only, platforms): (bool, Vec<String>),
    (caused_by, unify_on): (Option<String>, Option<UnifyOn>),
) -> Finding {
    let mut nodes = raw.nodes.clone();
    nodes.sort_by(|&a, &b| {
        let (pa, pb) = (graph.package(a), graph.package(b));
        (&pa.version, &pa.source).cmp(&(&pb.version, &pb.source))
    });
    nodes.dedup();
    let versions: Vec<VersionInfo> = nodes.iter().map(|&n| explained.take(n)).collect();
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
    let facts = match raw.code {
        Code::DivergingVersions => Facts::Diverging(diverging::facts(
            graph,
            raw,
            &versions,
            &lines,
            (caused_by.as_deref(), unify_on.as_ref()),
        )),
        Code::SourceSplit => Facts::SourceSplit(source_split::facts(raw, &versions)),
        Code::TrainSkew if raw.member.is_none() => {
            Facts::TrainSkew(train_skew::facts(raw, &versions))
        }
        Code::TrainSkew | Code::TypeBoundary => Facts::Meeting(type_boundary::facts(
            graph,
            raw,
            &versions,
            unify_on.as_ref(),
        )),
        Code::UnusedAllow | Code::OutsidePolicy => {
            unreachable!("no detector reports {}: policy does", raw.code)
        }
    };
    let (workspace_hack, (message, help)) = against_hack(graph, raw, &versions, words(&facts));
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
        workspace_hack,
        lines,
        versions,
        collateral: Vec::new(),
        allowed: Vec::new(),
        location: None,
        policy: None,
        unify_on,
    }
}

/// A finding some of whose versions only a generated member (a stale cargo-hakari
/// workspace-hack) brings in is reported against it: its name, and the wording from
/// `diags::analysis::stale_hack` (which says whether regenerating it is the whole fix).
fn against_hack(
    graph: &DepGraph,
    raw: &Raw,
    versions: &[VersionInfo],
    words: (String, String),
) -> (Option<String>, (String, String)) {
    let stale: Vec<&VersionInfo> = versions.iter().filter(|v| v.only_workspace_hack).collect();
    if stale.is_empty() {
        return (None, words);
    }
    let hack = stale
        .iter()
        .flat_map(|v| v.workspace_hack.iter().map(|o| o.member.clone()))
        .min()
        .or_else(|| {
            let first = graph.generated().first()?;
            Some(graph.package(*first).name.clone())
        })
        .unwrap_or_default();
    let kept: Vec<&VersionInfo> = versions.iter().filter(|v| !v.only_workspace_hack).collect();
    let anchor = (raw.member.is_none()).then(|| raw.crates.first()).flatten();
    let facts = StaleHack {
        hack: &hack,
        versions: stale
            .iter()
            .map(|v| (v.name.as_str(), &v.version))
            .collect(),
        only: !stands_without((raw.code, &raw.krate, anchor), &kept),
    };
    let words = stale_hack(&facts, words);
    (Some(hack), words)
}

/// Whether a finding (its code, crate and, for train-skew (a), its train's anchor) would
/// still be one with only the versions `kept`.
fn stands_without(
    (code, krate, anchor): (Code, &str, Option<&String>),
    kept: &[&VersionInfo],
) -> bool {
    let lines_of = |name: &str| -> BTreeSet<Line> {
        kept.iter()
            .filter(|v| v.name == name)
            .map(|v| Line::of(&v.version))
            .collect()
    };
    match (code, anchor) {
        (Code::DivergingVersions, _) => lines_of(krate).len() > 1,
        (Code::SourceSplit, _) => {
            let sources: BTreeSet<&Option<String>> = kept.iter().map(|v| &v.source).collect();
            sources.len() > 1
        }
        (Code::TrainSkew, Some(anchor)) => {
            let anchor = lines_of(anchor);
            !anchor.is_empty() && !lines_of(krate).is_subset(&anchor)
        }
        _ => true,
    }
}

/// The members' own part of `finding`, what an edit can fix: without the versions only a
/// stale workspace-hack brings in (regenerating it removes them), or `None` when nothing is
/// left to fix.
pub fn own_part(finding: &Finding) -> Option<Finding> {
    if finding.workspace_hack.is_none() {
        return Some(finding.clone());
    }
    let kept: Vec<&VersionInfo> = finding
        .versions
        .iter()
        .filter(|v| !v.only_workspace_hack)
        .collect();
    let anchor = (finding.member.is_none())
        .then(|| finding.crates.first())
        .flatten();
    if !stands_without((finding.code, &finding.krate, anchor), &kept) {
        return None;
    }
    let versions: Vec<VersionInfo> = kept.into_iter().cloned().collect();
    let lines: BTreeSet<Line> = versions.iter().map(|v| Line::of(&v.version)).collect();
    Some(Finding {
        lines: lines.into_iter().collect(),
        versions,
        ..finding.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testkit::Builder;

    pub(super) fn run(b: &Builder) -> Vec<Finding> {
        analyze(&b.graph(), &SpanIndex::default(), &Options::default())
    }

    pub(super) fn summary(findings: &[Finding]) -> Vec<String> {
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
    pub(super) fn split_stack() -> Builder {
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
    pub(super) fn etcd_beside_tonic(kind: &'static str, platform: Option<&str>) -> Builder {
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
        let findings = analyze(&graph, &SpanIndex::default(), &Options::default());
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
    fn output_does_not_depend_on_input_order() {
        let forward = split_stack();
        let mut backward = split_stack();
        backward.reverse_for_test();
        let a = serde_json::to_string(&run(&forward)).expect("json");
        let b = serde_json::to_string(&run(&backward)).expect("json");
        assert_eq!(a, b);
    }
}
