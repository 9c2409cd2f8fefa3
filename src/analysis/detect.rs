//! What every detector shares: the edge filter a pass runs under, reachability from the
//! selected members, the raw finding a detector returns, and `detect`, which runs the four
//! detectors (diverging-versions, source-split, train-skew, type-boundary) under one filter.

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};

use crate::graph::{DepGraph, EdgeView, Kind, KindSet, NodeId};

use super::{Code, Line, Options, Role, diverging, source_split, train_skew, type_boundary};

/// Which edges a search follows.
#[derive(Clone, Debug)]
pub(super) struct EdgeFilter {
    pub(super) kinds: KindSet,
    pub(super) platforms: PlatformFilter,
}

#[derive(Clone, Copy, Debug)]
pub(super) enum PlatformFilter {
    Any,
    /// Only edges without a platform condition, plus those with this one (an id of
    /// `EdgeFlags::platform`; 0 for none).
    Only(u32),
}

impl EdgeFilter {
    pub(super) fn allows(&self, edge: EdgeView<'_>) -> bool {
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
pub(super) struct Raw {
    pub(super) code: Code,
    pub(super) krate: String,
    pub(super) role: Role,
    pub(super) member: Option<NodeId>,
    pub(super) crates: Vec<String>,
    pub(super) nodes: Vec<NodeId>,
    /// A member's findings (type-boundary, train-skew (b)): the crates through which the
    /// other line arrives, one finding listing them all.
    pub(super) vias: Vec<NodeId>,
    /// A member's finding: the versions the member uses directly.
    pub(super) directs: Vec<NodeId>,
}

impl Raw {
    /// What makes a finding one: a member's finding is one per (code, crate, member) whatever
    /// crates bring the other line in.
    pub(super) fn key(&self) -> (Code, &str, Option<NodeId>, &[String]) {
        let crates: &[String] = if self.member.is_some() {
            &[]
        } else {
            &self.crates
        };
        (self.code, &self.krate, self.member, crates)
    }

    /// A finding on `nodes` of one crate, with no member and no other crate involved.
    pub(super) fn new(code: Code, krate: &str, role: Role, nodes: Vec<NodeId>) -> Raw {
        Raw {
            code,
            krate: krate.to_owned(),
            role,
            member: None,
            crates: Vec::new(),
            nodes,
            vias: Vec::new(),
            directs: Vec::new(),
        }
    }
}

/// [`Raw::key`], owned: what the passes without dev edges or per platform are compared by.
type OwnedKey = (Code, String, Option<NodeId>, Vec<String>);

fn owned_key(raw: &Raw) -> OwnedKey {
    let (c, k, m, cr) = raw.key();
    (c, k.to_owned(), m, cr.to_vec())
}

fn key_set(raws: &[Raw]) -> BTreeSet<OwnedKey> {
    raws.iter().map(owned_key).collect()
}

/// The members paths start from: those `-p` names, or every member.
pub(super) fn selected_members(graph: &DepGraph, opts: &Options) -> Vec<NodeId> {
    graph
        .members()
        .iter()
        .copied()
        .filter(|&m| opts.packages.is_empty() || opts.packages.contains(&graph.package(m).name))
        .collect()
}

/// Breadth-first reachability from `roots` over the edges `filter` allows, never entering
/// `blocked` nodes. Linear in the size of the graph; cycles terminate.
pub(super) fn reachable(
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
pub(super) fn detect(
    graph: &DepGraph,
    opts: &Options,
    roots: &[NodeId],
    filter: &EdgeFilter,
) -> Vec<Raw> {
    detect_wanted(graph, opts, roots, filter, None)
}

/// Which findings a pass is asked about: a pass that only decides whether these exist need
/// not look for others. diverging-versions and source-split on a crate name only findings on
/// that crate without a member; a member's scan only findings naming that member.
struct Wanted {
    names: HashSet<String>,
    members: HashSet<NodeId>,
}

impl Wanted {
    fn of<'k>(keys: impl Iterator<Item = &'k OwnedKey>) -> Wanted {
        let mut wanted = Wanted {
            names: HashSet::new(),
            members: HashSet::new(),
        };
        for (_, krate, member, _) in keys {
            match member {
                Some(m) => wanted.members.insert(*m),
                None => wanted.names.insert(krate.clone()),
            };
        }
        wanted
    }
}

/// The raw findings under one edge filter; with `wanted`, at least those of them it names
/// (train-skew's crate-wide findings are always looked for).
fn detect_wanted(
    graph: &DepGraph,
    opts: &Options,
    roots: &[NodeId],
    filter: &EdgeFilter,
    wanted: Option<&Wanted>,
) -> Vec<Raw> {
    let reach = reachable(graph, roots, filter, &[]);
    let by_name = watched_versions(graph, opts, &reach);
    let mut out = Vec::new();
    for (&name, nodes) in &by_name {
        let Some(role) = opts.watch.role(name) else {
            continue;
        };
        if wanted.is_some_and(|w| !w.names.contains(name)) {
            continue;
        }
        out.extend(diverging::detect(graph, name, role, nodes));
        out.extend(source_split::detect(graph, name, role, nodes));
    }
    out.extend(train_skew::detect(graph, opts, &by_name));
    // A generated member (a workspace-hack) is nobody's own use: no member finding is its.
    let scanned: Vec<NodeId> = roots
        .iter()
        .copied()
        .filter(|m| reach[m.index()] && !graph.is_generated(*m))
        .filter(|m| wanted.is_none_or(|w| w.members.contains(m)))
        .collect();
    if scanned.is_empty() {
        return out;
    }
    // Each package's role, looked up once: the member scans below ask it of every
    // dependency of every direct dependency of every member.
    let roles: Vec<Option<Role>> = graph
        .nodes()
        .map(|n| opts.watch.role(&graph.package(n).name))
        .collect();
    for member in scanned {
        out.extend(type_boundary::detect(graph, opts, &roles, member, filter));
    }
    out
}

/// The reachable versions of every watched crate (every crate with --all-duplicates), by
/// name. Only watched names matter: they are looked up in a hash set, and just those sorted.
fn watched_versions<'g>(
    graph: &'g DepGraph,
    opts: &Options,
    reach: &[bool],
) -> BTreeMap<&'g str, Vec<NodeId>> {
    let watched: HashSet<&str> = opts
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
    by_name
}

/// The lines the versions `nodes` are on.
pub(super) fn lines_of(graph: &DepGraph, nodes: &[NodeId]) -> BTreeSet<Line> {
    nodes
        .iter()
        .map(|&n| Line::of(&graph.package(n).version))
        .collect()
}

/// Which findings exist only through dev edges or only on some platforms: the detectors run
/// again without dev edges, without platform-specific edges, and per platform condition, and
/// a finding missing from a pass depends on what that pass left out. (With no dev edge in the
/// graph, or no platform condition, the extra passes would find the same findings.)
pub(super) struct Qualifiers {
    without_dev: BTreeSet<OwnedKey>,
    unconditional: BTreeSet<OwnedKey>,
    per_platform: Vec<(String, BTreeSet<OwnedKey>)>,
}

impl Qualifiers {
    pub(super) fn new(graph: &DepGraph, opts: &Options, roots: &[NodeId], raws: &[Raw]) -> Self {
        let pass = |kinds: KindSet, platforms: PlatformFilter, wanted: Option<&Wanted>| {
            key_set(&detect_wanted(
                graph,
                opts,
                roots,
                &EdgeFilter { kinds, platforms },
                wanted,
            ))
        };
        // Findings that vanish without dev edges exist only through them.
        let without_dev = if opts.edges.dev && graph.has_kind(Kind::Dev) {
            pass(opts.edges.without(Kind::Dev), PlatformFilter::Any, None)
        } else {
            key_set(raws)
        };
        // Findings that vanish without platform-specific edges exist only on some platforms.
        let unconditional = if graph.platforms().is_empty() {
            key_set(raws)
        } else {
            pass(opts.edges, PlatformFilter::Only(0), None)
        };
        // Only the findings that vanish without platform-specific edges are asked about per
        // platform: each platform's pass looks for just those.
        let conditional: BTreeSet<OwnedKey> = key_set(raws)
            .into_iter()
            .filter(|k| !unconditional.contains(k))
            .collect();
        let mut per_platform = Vec::new();
        if !conditional.is_empty() {
            let wanted = Wanted::of(conditional.iter());
            for (i, platform) in graph.platforms().iter().enumerate() {
                let only = PlatformFilter::Only(i as u32 + 1);
                let keys = pass(opts.edges, only, Some(&wanted));
                per_platform.push((platform.clone(), keys));
            }
        }
        Qualifiers {
            without_dev,
            unconditional,
            per_platform,
        }
    }

    /// Whether `raw` exists only through dev edges, and the platforms it is limited to
    /// (empty: every platform).
    pub(super) fn of(&self, raw: &Raw) -> (bool, Vec<String>) {
        let key = owned_key(raw);
        let dev_only = !self.without_dev.contains(&key);
        let platforms = if self.unconditional.contains(&key) {
            Vec::new()
        } else {
            self.per_platform
                .iter()
                .filter(|(_, keys)| keys.contains(&key))
                .map(|(p, _)| p.clone())
                .collect()
        };
        (dev_only, platforms)
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::tests::{etcd_beside_tonic, run, summary};
    use crate::analysis::*;
    use crate::testkit::Builder;

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
    fn edges_option_drops_dev_edges() {
        let b = etcd_beside_tonic("dev", None);
        let opts = Options {
            edges: KindSet::ALL.without(Kind::Dev),
            ..Options::default()
        };
        assert!(analyze(&b.graph(), &SpanIndex::default(), &opts).is_empty());
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
            summary(&analyze(&b.graph(), &SpanIndex::default(), &opts)),
            ["warning diverging-versions socket2"]
        );
    }
}
