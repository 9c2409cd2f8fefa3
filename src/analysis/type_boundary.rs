//! type-boundary: a member's direct dependencies that meet on two lines of one watched crate
//! (member → tonic 0.12 and member → etcd-client → tonic 0.9): values of that crate's types
//! cannot pass between them. The same meeting at a train crate behind a primary or train
//! crate (member → prost 0.14 and member → tonic 0.13 → prost 0.13) is train-skew (b).
//! A member that uses a primary crate only through its direct dependencies, workspace
//! crates included, meets it too when they are built on two lines (member → rpc → tonic 0.12
//! and member → etcd-client → tonic 0.9): the member's own code passes values between them.

use std::collections::{BTreeMap, BTreeSet};

use semver::Version;

use crate::diags::analysis::{Instead, Meeting, Unify, Via};
use crate::graph::{DepGraph, NodeId};

use super::detect::{EdgeFilter, Raw};
use super::{Code, Line, Options, Role, UnifyOn, VersionInfo};

/// A member's direct dependencies that meet on two lines of one crate: member → W (line 1)
/// and member → C → W (line 2), or (a primary W the member does not use directly)
/// member → C1 → W (line 1) and member → C2 → W (line 2). One finding per (code, crate),
/// listing every C.
/// `roles` holds each package's role, by node index.
pub(super) fn detect(
    graph: &DepGraph,
    opts: &Options,
    roles: &[Option<Role>],
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
        let Some(w_role) = roles[w.index()] else {
            continue;
        };
        let w_line = Line::of(&w_pkg.version);
        for &c in &direct {
            let c_pkg = graph.package(c);
            // A workspace-hack's dependencies are nobody's own use.
            if c_pkg.name == w_pkg.name || graph.is_generated(c) {
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
            let raw = met.entry((code, w_pkg.name.as_str())).or_insert_with(|| {
                let mut raw = Raw::new(code, &w_pkg.name, Role::Primary, Vec::new());
                raw.member = Some(member);
                raw
            });
            raw.nodes.extend([w, w2]);
            raw.vias.push(c);
            if !raw.directs.contains(&w) {
                raw.directs.push(w);
            }
        }
    }
    through_crates(graph, roles, &direct, filter, member, &mut met);
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

/// member → C1 → W (line 1) and member → C2 → W (line 2), for a primary W that no direct
/// dependency of the member (`direct`) is: a type-boundary naming every C that depends on W
/// directly.
fn through_crates<'g>(
    graph: &'g DepGraph,
    roles: &[Option<Role>],
    direct: &BTreeSet<NodeId>,
    filter: &EdgeFilter,
    member: NodeId,
    met: &mut BTreeMap<(Code, &'g str), Raw>,
) {
    let used: BTreeSet<&str> = direct
        .iter()
        .map(|&n| graph.package(n).name.as_str())
        .collect();
    // Each primary crate the direct dependencies depend on: (C, W) pairs, by W's name.
    let mut carried: BTreeMap<&str, Vec<(NodeId, NodeId)>> = BTreeMap::new();
    // A workspace-hack is nobody's own use: it is not a crate another line arrives through.
    for &c in direct.iter().filter(|&&c| !graph.is_generated(c)) {
        for (w, edge) in graph.dependencies(c) {
            let name = graph.package(w).name.as_str();
            if roles[w.index()] == Some(Role::Primary)
                && filter.allows(edge)
                && !used.contains(name)
            {
                carried.entry(name).or_default().push((c, w));
            }
        }
    }
    for (name, pairs) in carried {
        let lines: BTreeSet<Line> = pairs
            .iter()
            .map(|&(_, w)| Line::of(&graph.package(w).version))
            .collect();
        if lines.len() < 2 {
            continue;
        }
        let raw = met.entry((Code::TypeBoundary, name)).or_insert_with(|| {
            let mut raw = Raw::new(Code::TypeBoundary, name, Role::Primary, Vec::new());
            raw.member = Some(member);
            raw
        });
        for (c, w) in pairs {
            raw.nodes.push(w);
            raw.vias.push(c);
        }
    }
}

/// What the wording needs: the member, the versions it uses directly, the crates built on
/// another line, and the edit that unifies them.
pub(super) fn facts<'a>(
    graph: &'a DepGraph,
    raw: &'a Raw,
    versions: &'a [VersionInfo],
    unify_on: Option<&'a UnifyOn>,
) -> Meeting<'a> {
    let name = raw.krate.as_str();
    let member = raw.member.expect("a member finding has a member");
    let mut directs: Vec<&Version> = raw
        .directs
        .iter()
        .map(|&d| &graph.package(d).version)
        .collect();
    // train-skew (b) always has a direct use; a type-boundary may have none.
    if directs.is_empty() && raw.code == Code::TrainSkew {
        directs.push(&versions[0].version);
    }
    let vias = raw
        .vias
        .iter()
        .map(|&v| {
            let p = graph.package(v);
            let mut built_on: Vec<&Version> = Vec::new();
            // Once each: a crate may depend on one version under two kinds.
            for (n, _) in graph.dependencies(v) {
                let d = graph.package(n);
                if d.name == name && !built_on.contains(&&d.version) {
                    built_on.push(&d.version);
                }
            }
            Via {
                name: &p.name,
                version: &p.version,
                built_on,
            }
        })
        .collect();
    let newest = unify(graph, raw, versions, &directs, None);
    // train-skew (b) follows the primary crates that keep their line, as `fix` does.
    let (unify, instead) = match unify_on.filter(|_| raw.code == Code::TrainSkew) {
        Some(on) => (
            unify(graph, raw, versions, &directs, Some(on.line)),
            Some(Instead {
                because: &on.because,
                newest,
                to: &on.to,
            }),
        ),
        None => (newest, None),
    };
    Meeting {
        type_boundary: raw.code == Code::TypeBoundary,
        name,
        member: &graph.package(member).name,
        directs,
        vias,
        unify,
        instead,
    }
}

/// The edit that puts a member and the crates it meets on the newest line of the finding,
/// the line `diverging-versions` unifies on: the member raises its own requirement when it
/// is behind, a crate built on an older line moves to a release built on the newest, and a
/// workspace member among those crates raises its requirement instead. With `on`, the line
/// is that one (the line the primary crates that keep theirs are built on), and whoever is
/// off it moves.
fn unify<'a>(
    graph: &DepGraph,
    raw: &'a Raw,
    versions: &[VersionInfo],
    directs: &[&Version],
    on: Option<Line>,
) -> Unify<'a> {
    let name = &raw.krate;
    // The newest line of the crate in the graph, which diverging-versions unifies on, even
    // when it reaches the member through neither crate met here (an exporter's proto crate).
    let in_graph = reached(graph)
        .into_iter()
        .filter(|&n| graph.package(n).name == *name)
        .map(|n| Line::of(&graph.package(n).version));
    let newest = versions
        .iter()
        .filter(|v| v.name == *name)
        .map(|v| Line::of(&v.version))
        .chain(in_graph)
        .max()
        .expect("a member finding has versions");
    let target = on.unwrap_or(newest);
    // Behind the newest line; off the line the plan follows.
    let off = |line: Line| match on {
        Some(_) => line != target,
        None => line < target,
    };
    let mut members = Vec::new();
    if directs.iter().any(|d| off(Line::of(d))) {
        let member = raw.member.expect("a member finding has a member");
        members.push(graph.package(member).name.clone());
    }
    let mut movers = Vec::new();
    for &via in &raw.vias {
        let p = graph.package(via);
        let behind = graph
            .dependencies(via)
            .map(|(n, _)| graph.package(n))
            .any(|d| d.name == *name && off(Line::of(&d.version)));
        let list = if p.is_member {
            &mut members
        } else {
            &mut movers
        };
        if behind && !list.contains(&p.name) {
            list.push(p.name.clone());
        }
    }
    Unify {
        name,
        target,
        members,
        movers,
        verb: if on.is_some() { "set" } else { "raise" },
    }
}

/// Every package the members reach, over every edge the graph kept (a platform filter has
/// removed the others in either input mode).
pub(super) fn reached(graph: &DepGraph) -> Vec<NodeId> {
    let mut seen = vec![false; graph.node_count()];
    let mut stack: Vec<NodeId> = graph.members().to_vec();
    let mut out = Vec::new();
    while let Some(n) = stack.pop() {
        if std::mem::replace(&mut seen[n.index()], true) {
            continue;
        }
        out.push(n);
        stack.extend(graph.dependencies(n).map(|(d, _)| d));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::analysis::tests::{run, summary};
    use crate::analysis::*;
    use crate::testkit::Builder;

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

    /// app → rpc (a workspace crate) → tonic 0.12.3 and app → etcd-client 0.11.1 → tonic
    /// 0.9.2, app using no tonic itself.
    fn through_workspace_crate() -> Builder {
        Builder::default()
            .member("app")
            .member("rpc")
            .pkg("etcd-client", "0.11.1")
            .pkg("tonic", "0.9.2")
            .pkg("tonic", "0.12.3")
            .dep("app", "rpc")
            .dep("app", "etcd-client@0.11.1")
            .dep("rpc", "tonic@0.12.3")
            .dep("etcd-client@0.11.1", "tonic@0.9.2")
    }

    #[test]
    fn two_direct_dependencies_on_two_lines_are_a_type_boundary_of_the_member() {
        let findings = run(&through_workspace_crate());
        assert_eq!(
            summary(&findings),
            [
                "error diverging-versions tonic",
                "error type-boundary tonic member=app"
            ]
        );
        let tb = &findings[1];
        assert_eq!(tb.crates, ["etcd-client", "rpc", "tonic"]);
        assert_eq!(
            tb.message,
            "app uses tonic through etcd-client 0.11.1 (tonic 0.9.2) and rpc 0.1.0 (tonic 0.12.3): their tonic types are different types"
        );
        assert_eq!(
            tb.help,
            "values of tonic types cannot pass between etcd-client's tonic 0.9.2 and rpc's tonic 0.12.3 in app's code; move etcd-client to a release built on tonic 0.12"
        );
        // The versions are those of the two lines met, as diverging-versions lists them.
        let versions: Vec<String> = tb.versions.iter().map(|v| v.version.to_string()).collect();
        assert_eq!(versions, ["0.9.2", "0.12.3"]);
    }

    #[test]
    fn two_direct_dependencies_on_one_line_meet_nothing() {
        let b = Builder::default()
            .member("app")
            .member("rpc")
            .member("lib")
            .pkg("etcd-client", "0.14.1")
            .pkg("tonic", "0.9.2")
            .pkg("tonic", "0.12.3")
            .dep("app", "rpc")
            .dep("app", "etcd-client@0.14.1")
            .dep("rpc", "tonic@0.12.3")
            .dep("etcd-client@0.14.1", "tonic@0.12.3")
            // The other line is in the workspace, but app never meets it.
            .dep("lib", "tonic@0.9.2");
        assert_eq!(summary(&run(&b)), ["error diverging-versions tonic"]);
    }

    #[test]
    fn a_member_behind_among_the_crates_raises_its_own_requirement() {
        // rpc is the one on the older line: the edit is rpc's requirement, not a release.
        let b = Builder::default()
            .member("app")
            .member("rpc")
            .pkg("etcd-client", "0.14.1")
            .pkg("tonic", "0.9.2")
            .pkg("tonic", "0.12.3")
            .dep("app", "rpc")
            .dep("app", "etcd-client@0.14.1")
            .dep("rpc", "tonic@0.9.2")
            .dep("etcd-client@0.14.1", "tonic@0.12.3");
        let findings = run(&b);
        let tb = findings
            .iter()
            .find(|f| f.code == Code::TypeBoundary)
            .expect("a type-boundary");
        assert!(
            tb.help
                .ends_with("; raise the tonic requirement of rpc to 0.12"),
            "{}",
            tb.help
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
}
