//! diverging-versions: a watched crate that resolves on two or more semver-incompatible lines.

use crate::graph::{DepGraph, NodeId};

use super::detect::{Raw, lines_of};
use super::{Code, Role};

/// The finding for `name`, whose reachable versions are `nodes`, if they span two lines.
pub(super) fn detect(graph: &DepGraph, name: &str, role: Role, nodes: &[NodeId]) -> Option<Raw> {
    (lines_of(graph, nodes).len() > 1)
        .then(|| Raw::new(Code::DivergingVersions, name, role, nodes.to_vec()))
}
