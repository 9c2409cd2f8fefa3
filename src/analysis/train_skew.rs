//! train-skew (a): a crate of a release train (tonic-build beside tonic, prost-types beside
//! prost) on a line its train's anchor is not on. Train-skew (b), a member's direct use of a
//! train crate beside a watched crate built against another line of it, is found with the
//! type-boundary meetings (`type_boundary`).

use std::collections::BTreeMap;

use crate::graph::{DepGraph, NodeId};

use super::detect::{Raw, lines_of};
use crate::diags::analysis::TrainSkew;

use super::{Code, Line, Options, Role, VersionInfo};

/// One finding per train crate with versions off every line of its anchor.
pub(super) fn detect(
    graph: &DepGraph,
    opts: &Options,
    by_name: &BTreeMap<&str, Vec<NodeId>>,
) -> Vec<Raw> {
    let mut out = Vec::new();
    for train in &opts.watch.trains {
        let Some((anchor, rest)) = train.split_first() else {
            continue;
        };
        let Some(anchor_nodes) = by_name.get(anchor.as_str()) else {
            continue;
        };
        let anchor_lines = lines_of(graph, anchor_nodes);
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
                let mut raw = Raw::new(Code::TrainSkew, other, Role::Primary, nodes);
                raw.crates = vec![anchor.clone(), other.clone()];
                out.push(raw);
            }
        }
    }
    out
}

/// What the wording needs: the versions of the crate and of its anchor.
pub(super) fn facts<'a>(raw: &'a Raw, versions: &'a [VersionInfo]) -> TrainSkew<'a> {
    let anchor = raw.crates[0].as_str();
    let of = |krate: &str| {
        versions
            .iter()
            .filter(|v| v.name == krate)
            .map(|v| &v.version)
            .collect()
    };
    TrainSkew {
        name: &raw.krate,
        anchor,
        versions: of(&raw.krate),
        anchor_versions: of(anchor),
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::tests::{run, summary};
    use crate::testkit::Builder;

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
}
