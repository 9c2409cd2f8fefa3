//! Explanations of one version: the packages that depend on it with their requirements, the
//! shortest path from each selected member, and the origins (the member declarations a path
//! leaves the workspace through).
//!
//! A generated member (a cargo-hakari workspace-hack) is nobody's own use: no path starts at
//! or passes through it and it is never an origin. Its declarations towards a version are
//! listed apart (`workspace_hack`), and a version no other member reaches is marked as
//! brought in by it alone (`only_workspace_hack`).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::OnceLock;

use crate::graph::{DepGraph, Kind, NodeId};

use super::detect::{EdgeFilter, PlatformFilter, reachable, selected_members};
use crate::manifest::spans::{Declared, SpanIndex};

use super::{DepPath, Dependent, Options, Origin, Step, VersionInfo};

/// What a version is explained against: the selected members, the edges followed, what the
/// selection reaches (through generated members too), and what the members other than the
/// generated ones reach without them.
pub(super) struct Scope<'a> {
    pub(super) roots: &'a [NodeId],
    pub(super) filter: &'a EdgeFilter,
    pub(super) reach: &'a [bool],
    pub(super) own: &'a [bool],
    pub(super) located: &'a Located<'a>,
}

/// Where each member declares its dependencies, each looked up in the span index once per
/// analysis: every version a member reaches is explained through the same declarations.
pub(super) struct Located<'a> {
    spans: &'a SpanIndex,
    /// By member (in `graph.members()` order), then by position among the member's
    /// dependencies.
    cells: Vec<Vec<OnceLock<Declared>>>,
}

impl<'a> Located<'a> {
    pub(super) fn new(graph: &DepGraph, spans: &'a SpanIndex) -> Located<'a> {
        let cells = graph
            .members()
            .iter()
            .map(|&m| graph.dependencies(m).map(|_| OnceLock::new()).collect())
            .collect();
        Located { spans, cells }
    }

    /// Where `member` declares its `nth` dependency, `edge`.
    fn declared(
        &self,
        graph: &DepGraph,
        member: NodeId,
        nth: usize,
        edge: &crate::graph::Edge,
    ) -> &Declared {
        let find = || {
            self.spans.declared(
                &graph.package(member).manifest_path,
                edge.kind,
                edge.platform.as_deref(),
                &edge.key,
            )
        };
        let i = graph
            .members()
            .binary_search(&member)
            .expect("origins start at members");
        self.cells[i][nth].get_or_init(find)
    }
}

impl<'a> Scope<'a> {
    /// What the members reach without passing through a generated member, under `filter`.
    pub(super) fn own_reach(graph: &DepGraph, filter: &EdgeFilter) -> Vec<bool> {
        let starts: Vec<NodeId> = graph
            .members()
            .iter()
            .copied()
            .filter(|&m| !graph.is_generated(m))
            .collect();
        let mut blocked = vec![false; graph.node_count()];
        for &g in graph.generated() {
            blocked[g.index()] = true;
        }
        reachable(graph, &starts, filter, &blocked)
    }
}

pub(super) fn explain_version(graph: &DepGraph, scope: &Scope<'_>, target: NodeId) -> VersionInfo {
    let Scope {
        roots,
        filter,
        reach,
        own,
        located,
    } = *scope;
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
    for &member in roots.iter().filter(|&&m| !graph.is_generated(m)) {
        let (dist, filter) = match &dist_no_dev {
            Some(d) if d[member.index()] != usize::MAX => (d, &no_dev),
            _ => (&dist, filter),
        };
        if dist[member.index()] != usize::MAX {
            paths.push(shortest_path(graph, member, target, dist, filter));
        }
    }

    let declared = |generated: bool| {
        let members = graph
            .members()
            .iter()
            .copied()
            .filter(|&m| reach[m.index()] && graph.is_generated(m) == generated);
        origins(graph, located, filter, members, &dist)
    };

    VersionInfo {
        name: pkg.name.clone(),
        version: pkg.version.clone(),
        source: pkg.source.clone(),
        manifest_dir: pkg.manifest_path.parent().map(std::path::Path::to_owned),
        dependents,
        origins: declared(false),
        paths,
        workspace_hack: declared(true),
        only_workspace_hack: !own[target.index()],
    }
}

/// Origins: every declaration by which one of `members` leaves the workspace towards the
/// target (the nodes at a finite distance `dist` from it), located in `spans`.
fn origins(
    graph: &DepGraph,
    located: &Located<'_>,
    filter: &EdgeFilter,
    members: impl Iterator<Item = NodeId>,
    dist: &[usize],
) -> Vec<Origin> {
    let mut origins = Vec::new();
    for member in members {
        for (nth, (next, edge)) in graph.dependencies(member).enumerate() {
            let next_pkg = graph.package(next);
            if next_pkg.is_member || !filter.allows(edge) || dist[next.index()] == usize::MAX {
                continue;
            }
            let member_pkg = graph.package(member);
            let at = located.declared(graph, member, nth, &edge).clone();
            origins.push(Origin {
                member: member_pkg.name.clone(),
                key: edge.key.clone(),
                package: next_pkg.name.clone(),
                kind: edge.kind,
                platform: edge.platform.clone(),
                manifest: at.manifest,
                table: at.table,
                line: at.line,
                member_manifest: at.member_manifest,
                member_line: at.member_line,
                req: edge.req.clone().unwrap_or_default(),
                package_version: Some(next_pkg.version.clone()),
                package_source: next_pkg.source.clone(),
                written_req: at.written_req,
                features: edge.features.clone(),
                default_features: edge.default_features,
                manifest_abs: at.manifest_abs,
                span: at.span,
                member_manifest_abs: at.member_manifest_abs,
                member_span: at.member_span,
            });
        }
    }
    origins.sort();
    origins.dedup();
    origins
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

/// Each of `versions` explained. Two threads share the work on a machine with two cores
/// when there is enough of it (a thread costs about what explaining a version of a graph of a
/// few hundred packages does): each explanation depends on nothing but the graph, so the
/// result is the same either way.
pub(super) fn explain_each(
    graph: &DepGraph,
    scope: &Scope<'_>,
    versions: BTreeSet<NodeId>,
) -> BTreeMap<NodeId, VersionInfo> {
    const ENOUGH: usize = 4_000;
    let two = std::thread::available_parallelism().is_ok_and(|n| n.get() > 1)
        && versions.len() * graph.node_count() >= ENOUGH;
    let (odd, even): (Vec<_>, Vec<_>) = versions
        .into_iter()
        .enumerate()
        .partition(|(i, _)| i % 2 == 1);
    let explain = |half: Vec<(usize, NodeId)>| -> Vec<(NodeId, VersionInfo)> {
        half.into_iter()
            .map(|(_, n)| (n, explain_version(graph, scope, n)))
            .collect()
    };
    if !two || odd.is_empty() {
        return explain(even).into_iter().chain(explain(odd)).collect();
    }
    std::thread::scope(|s| {
        let other = s.spawn(|| explain(odd));
        let mut all = explain(even);
        all.extend(
            other
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        );
        all.into_iter().collect()
    })
}

/// Every version reachable from the selected members whose package `pick` chooses, explained
/// as findings explain theirs (dependents, shortest paths, origins), by version then source.
pub(crate) fn explain_chosen(
    graph: &DepGraph,
    spans: &SpanIndex,
    opts: &Options,
    pick: impl Fn(&crate::graph::Package) -> bool,
) -> Vec<VersionInfo> {
    let roots = selected_members(graph, opts);
    let filter = EdgeFilter {
        kinds: opts.edges,
        platforms: PlatformFilter::Any,
    };
    let reach = reachable(graph, &roots, &filter, &[]);
    let own = Scope::own_reach(graph, &filter);
    let located = Located::new(graph, spans);
    let scope = Scope {
        roots: &roots,
        filter: &filter,
        reach: &reach,
        own: &own,
        located: &located,
    };
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
        .map(|n| explain_version(graph, &scope, n))
        .collect()
}

/// Hop count from every node to `target` over the edges `filter` allows (`usize::MAX`: none),
/// never through a generated member (which keeps no distance either).
fn distances_to(graph: &DepGraph, target: NodeId, filter: &EdgeFilter) -> Vec<usize> {
    let mut dist = vec![usize::MAX; graph.node_count()];
    dist[target.index()] = 0;
    let mut queue = VecDeque::from([target]);
    while let Some(node) = queue.pop_front() {
        let d = dist[node.index()];
        for (prev, edge) in graph.dependents(node) {
            if dist[prev.index()] == usize::MAX && filter.allows(edge) && !graph.is_generated(prev)
            {
                dist[prev.index()] = d + 1;
                queue.push_back(prev);
            }
        }
    }
    dist
}

#[cfg(test)]
mod tests {
    use crate::analysis::tests::{run, summary};
    use crate::analysis::*;
    use crate::testkit::Builder;

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

    /// `b`'s graph with its member `hack` marked generated (a cargo-hakari workspace-hack).
    fn with_hack(b: &Builder) -> Vec<Finding> {
        let graph = b.graph();
        let hack: Vec<_> = graph
            .members()
            .iter()
            .copied()
            .filter(|&m| graph.package(m).name == "hack")
            .collect();
        let graph = graph.with_generated(&hack);
        analyze(&graph, &SpanIndex::default(), &Options::default())
    }

    #[test]
    fn a_workspace_hack_is_never_a_members_own_use_but_what_it_alone_brings_is_reported() {
        // app → tonic 0.12 and app → hack → etcd-client 0.11 → tonic 0.9: tonic 0.9 is
        // compiled, only because of the hack. No type-boundary for app (the hack is not its
        // own use), no path or origin through the hack.
        let stale = Builder::default()
            .member("app")
            .member("hack")
            .pkg("etcd-client", "0.11.1")
            .pkg("tonic", "0.9.2")
            .pkg("tonic", "0.12.3")
            .dep("app", "tonic@0.12.3")
            .dep("app", "hack")
            .dep("hack", "etcd-client@0.11.1")
            .dep("etcd-client@0.11.1", "tonic@0.9.2");
        let findings = with_hack(&stale);
        assert_eq!(summary(&findings), ["error diverging-versions tonic"]);
        let tonic = &findings[0];
        assert_eq!(tonic.workspace_hack.as_deref(), Some("hack"));
        assert!(
            tonic.help.contains("`cargo hakari generate`"),
            "{}",
            tonic.help
        );
        let old = &tonic.versions[0];
        assert!(old.only_workspace_hack);
        assert!(old.origins.is_empty() && old.paths.is_empty());
        assert_eq!(old.workspace_hack[0].member, "hack");
        assert_eq!(old.workspace_hack[0].key, "etcd-client");
        let new = &tonic.versions[1];
        assert!(!new.only_workspace_hack && new.workspace_hack.is_empty());
        let paths: Vec<String> = new.paths.iter().map(DepPath::display).collect();
        assert_eq!(paths, ["app → tonic 0.12.3 (^0.12.3)"]);

        // The same, and app also uses etcd-client 0.11 itself: a split of app's own, whose
        // origins are app's lines; the hack is named apart and nothing is reported against it.
        let own = stale.dep("app", "etcd-client@0.11.1");
        let findings = with_hack(&own);
        assert_eq!(
            summary(&findings),
            [
                "error diverging-versions tonic",
                "error type-boundary tonic member=app"
            ]
        );
        let tonic = &findings[0];
        assert_eq!(tonic.workspace_hack, None);
        assert!(!tonic.help.contains("hakari"), "{}", tonic.help);
        let old = &tonic.versions[0];
        assert!(!old.only_workspace_hack);
        let origins: Vec<(&str, &str)> = old
            .origins
            .iter()
            .map(|o| (o.member.as_str(), o.key.as_str()))
            .collect();
        assert_eq!(origins, [("app", "etcd-client")]);
        assert_eq!(old.workspace_hack[0].member, "hack");
        let paths: Vec<String> = old.paths.iter().map(DepPath::display).collect();
        assert_eq!(
            paths,
            ["app → etcd-client 0.11.1 (^0.11.1) → tonic 0.9.2 (^0.9.2)"]
        );
        assert_eq!(findings[1].crates, ["etcd-client", "tonic"]);
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
