//! Collateral duplicates: a family crate split only because a primary crate is split (hyper
//! 0.14 beside hyper 1 because tonic 0.9 sits beside tonic 0.12) is attached to that root
//! finding, and the root lists the collateral crates it causes.

use std::collections::{BTreeMap, BTreeSet};

use crate::graph::{DepGraph, NodeId};

use super::detect::{EdgeFilter, Raw, reachable};
use super::{Code, Finding, Line, Role};

/// For each family diverging-versions finding that exists only because a primary crate is
/// split, the crate of that root finding. A duplicate is collateral of a root when removing
/// the root's older lines, and the crates built directly on them, leaves it on one line, in
/// the whole graph or, when the members have a split of it of their own, in what they reach
/// without a workspace-hack.
pub(super) fn roots(
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
    // With a generated member (a workspace-hack): the members other than it, the generated
    // nodes, and what those members reach without it.
    let own = (!graph.generated().is_empty()).then(|| {
        let starts: Vec<NodeId> = roots
            .iter()
            .copied()
            .filter(|&m| !graph.is_generated(m))
            .collect();
        let mut generated = vec![false; graph.node_count()];
        for &g in graph.generated() {
            generated[g.index()] = true;
        }
        let all = reachable(graph, &starts, filter, &generated);
        (starts, generated, all)
    });
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
        let own_reach = own.as_ref().map(|(starts, generated, _)| {
            let mut blocked = blocked.clone();
            for (b, g) in blocked.iter_mut().zip(generated) {
                *b |= *g;
            }
            reachable(graph, starts, filter, &blocked)
        });
        for cand in &candidates {
            if out.contains_key(&cand.krate) {
                continue;
            }
            let lines = |reach: &[bool]| -> BTreeSet<Line> {
                cand.nodes
                    .iter()
                    .filter(|n| reach[n.index()])
                    .map(|&n| Line::of(&graph.package(n).version))
                    .collect()
            };
            // A workspace-hack that mirrors the split lines (it depends on prost 0.10 because
            // a member's tonic 0.7 does) does not make a split of its own: the members' own
            // split decides, when they have one.
            let own_collateral = match (&own, &own_reach) {
                (Some((_, _, all)), Some(after)) => lines(all).len() > 1 && lines(after).len() <= 1,
                _ => false,
            };
            if lines(&reach).len() <= 1 || own_collateral {
                out.insert(cand.krate.clone(), root.krate.clone());
            }
        }
    }
    out
}

/// Root findings list the collateral duplicates they cause.
pub(super) fn list_on_roots(findings: &mut [Finding]) {
    let mut caused: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in findings.iter() {
        if let Some(root) = &f.caused_by {
            caused
                .entry(root.clone())
                .or_default()
                .push(f.krate.clone());
        }
    }
    for f in findings.iter_mut() {
        if f.code == Code::DivergingVersions
            && f.caused_by.is_none()
            && let Some(list) = caused.get(&f.krate)
        {
            f.collateral = list.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::tests::{run, split_stack, summary};
    use crate::analysis::*;

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
}
