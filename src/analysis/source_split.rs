//! source-split: one line of a crate that comes from two sources (the default registry and
//! git, a path, another registry). cargo builds both copies as separate crates.

use std::collections::BTreeSet;

use crate::graph::{DepGraph, NodeId};

use super::detect::{Raw, lines_of};
use crate::diags::analysis::SourceSplit;

use super::{Code, Line, Role, VersionInfo};

/// One finding per line of `name` (versions `nodes`) that comes from more than one source.
pub(super) fn detect(graph: &DepGraph, name: &str, role: Role, nodes: &[NodeId]) -> Vec<Raw> {
    let mut out = Vec::new();
    for line in lines_of(graph, nodes) {
        let on_line: Vec<NodeId> = nodes
            .iter()
            .copied()
            .filter(|&n| Line::of(&graph.package(n).version) == line)
            .collect();
        let sources: BTreeSet<Option<&str>> = on_line
            .iter()
            .map(|&n| graph.package(n).source.as_deref())
            .collect();
        if sources.len() > 1 {
            let mut raw = Raw::new(Code::SourceSplit, name, role, on_line);
            raw.crates = vec![line.to_string()];
            out.push(raw);
        }
    }
    out
}

/// What the wording needs: the line and each copy with its source.
pub(super) fn facts<'a>(raw: &'a Raw, versions: &'a [VersionInfo]) -> SourceSplit<'a> {
    SourceSplit {
        name: &raw.krate,
        line: raw.crates.first().map(String::as_str).unwrap_or_default(),
        copies: versions
            .iter()
            .map(|v| (&v.version, v.source.as_deref()))
            .collect(),
    }
}
