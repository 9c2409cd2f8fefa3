//! diverging-versions: a watched crate that resolves on two or more semver-incompatible lines.

use crate::graph::{DepGraph, NodeId};

use crate::diags::analysis::{Cause, Diverging, Instead, Unify};

use super::detect::{Raw, lines_of};
use super::{Code, Line, Role, UnifyOn, VersionInfo};

/// The finding for `name`, whose reachable versions are `nodes`, if they span two lines.
pub(super) fn detect(graph: &DepGraph, name: &str, role: Role, nodes: &[NodeId]) -> Option<Raw> {
    (lines_of(graph, nodes).len() > 1)
        .then(|| Raw::new(Code::DivergingVersions, name, role, nodes.to_vec()))
}

/// What the wording needs: the versions, and for a split of its own who declares or pulls in
/// the older lines (`caused_by`: the root of a collateral split). Versions only a
/// workspace-hack brings in are not unified by an edit (regenerating it removes them): the
/// line to unify on is the newest the members bring in themselves, or (`unify_on`) the line
/// the primary crates that keep their line are built on, with the newest as the other choice.
pub(super) fn facts<'a>(
    graph: &'a DepGraph,
    raw: &'a Raw,
    versions: &'a [VersionInfo],
    lines: &[Line],
    (caused_by, unify_on): (Option<&'a str>, Option<&'a UnifyOn>),
) -> Diverging<'a> {
    let cause = match caused_by {
        Some(root) => Cause::Collateral(root),
        None => {
            let own: Vec<&VersionInfo> =
                versions.iter().filter(|v| !v.only_workspace_hack).collect();
            let newest = own
                .iter()
                .map(|v| Line::of(&v.version))
                .max()
                .unwrap_or_else(|| *lines.last().expect("a diverging finding has lines"));
            let on = |target: Line, verb: &'static str| {
                let (mut members, mut movers) = (Vec::new(), Vec::new());
                for v in own.iter().filter(|v| Line::of(&v.version) != target) {
                    pulled_by(graph, v, &mut members, &mut movers);
                }
                Unify {
                    name: &raw.krate,
                    target,
                    members,
                    movers,
                    verb,
                }
            };
            let (unify, instead) = match unify_on {
                Some(kept) => (
                    on(kept.line, "set"),
                    Some(Box::new(Instead {
                        because: &kept.because,
                        newest: on(newest, "raise"),
                        to: &kept.to,
                    })),
                ),
                None => (on(newest, "raise"), None),
            };
            Cause::Root {
                primary: raw.role == Role::Primary,
                unify,
                instead,
            }
        }
    };
    Diverging {
        name: &raw.krate,
        lines: lines.len(),
        versions: versions.iter().map(|v| &v.version).collect(),
        cause,
    }
}

/// The crates that pull a version in (`etcd-client 0.11.1`) are added to `movers`, and the
/// workspace members that declare it directly to `members`; a generated member (a
/// workspace-hack) is neither.
fn pulled_by(
    graph: &DepGraph,
    v: &VersionInfo,
    members: &mut Vec<String>,
    movers: &mut Vec<String>,
) {
    let member = |name: &str| {
        graph
            .members()
            .iter()
            .copied()
            .find(|&m| graph.package(m).name == name)
    };
    for d in &v.dependents {
        let m = member(&d.name);
        if m.is_some_and(|m| graph.is_generated(m)) {
            continue;
        }
        if m.is_some() {
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
