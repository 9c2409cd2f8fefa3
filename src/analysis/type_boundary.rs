//! type-boundary: a member's direct dependencies that meet on two lines of one watched crate
//! (member → tonic 0.12 and member → etcd-client → tonic 0.9): values of that crate's types
//! cannot pass between them. The same meeting at a train crate behind a primary or train
//! crate (member → prost 0.14 and member → tonic 0.13 → prost 0.13) is train-skew (b).

use std::collections::{BTreeMap, BTreeSet};

use crate::graph::{DepGraph, NodeId};

use super::detect::{EdgeFilter, Raw};
use super::{Code, Line, Options, Role};

/// A member's direct dependencies that meet on two lines of one crate: member → W (line 1)
/// and member → C → W (line 2). One finding per (code, crate), listing every C.
pub(super) fn detect(
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
