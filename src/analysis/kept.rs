//! The line a family crate follows: when the primary crates that keep their line (each on
//! the newest line of its crate, built on the newest lines of the other primary crates) are
//! all built on one line of a train crate, and that is not its newest line, `fix` moves the
//! crate there rather than moving the primary crates. Check's help says the same.

use std::collections::{BTreeMap, BTreeSet};

use crate::graph::{DepGraph, NodeId};

use super::{Line, UnifyOn, Watch};

/// The primary packages that keep their line, and the newest line of each crate the members
/// reach: computed once per analysis.
pub(super) struct Keepers {
    /// The primary packages that keep their line.
    staying: Vec<NodeId>,
    newest: BTreeMap<String, Line>,
}

impl Keepers {
    pub(super) fn new(graph: &DepGraph, watch: &Watch, reached: &[NodeId]) -> Keepers {
        let mut newest: BTreeMap<String, Line> = BTreeMap::new();
        for &n in reached {
            let p = graph.package(n);
            let line = Line::of(&p.version);
            let entry = newest.entry(p.name.clone()).or_insert(line);
            *entry = (*entry).max(line);
        }
        let primary = |n: NodeId| watch.primary.contains(&graph.package(n).name);
        let on_newest = |n: NodeId| {
            let p = graph.package(n);
            newest.get(&p.name) == Some(&Line::of(&p.version))
        };
        let mut staying: Vec<NodeId> = reached
            .iter()
            .copied()
            .filter(|&n| primary(n) && on_newest(n) && !graph.package(n).is_member)
            .filter(|&n| {
                graph
                    .dependencies(n)
                    .all(|(d, _)| !primary(d) || on_newest(d))
            })
            .collect();
        staying.sort();
        staying.dedup();
        Keepers { staying, newest }
    }

    /// The line of `name` the staying primary packages are built on, when they agree on one
    /// that is not the newest line of `name`; `None` for a primary crate.
    pub(super) fn line_of(&self, graph: &DepGraph, watch: &Watch, name: &str) -> Option<UnifyOn> {
        if watch.primary.iter().any(|p| p == name) || !watch.in_train(name) {
            return None;
        }
        let mut lines: BTreeSet<Line> = BTreeSet::new();
        let mut because: Vec<String> = Vec::new();
        let mut keepers = self.staying.clone();
        let mut to = None;
        // A train crate no primary crate uses directly (prost-derive) follows its train's
        // anchor (prost) on the line the anchor follows; `--to` on the anchor picks the other.
        if !self.built_on_directly(graph, name) {
            (keepers, to) = self.anchor_packages(graph, watch, name);
            to.as_ref()?;
        }
        for &s in &keepers {
            for (d, _) in graph.dependencies(s) {
                let p = graph.package(d);
                if p.name == name {
                    lines.insert(Line::of(&p.version));
                    let s = graph.package(s);
                    let shown = format!("{} {}", s.name, s.version);
                    if !because.contains(&shown) {
                        because.push(shown);
                    }
                }
            }
        }
        let newest = *self.newest.get(name)?;
        because.sort();
        match lines.into_iter().collect::<Vec<_>>().as_slice() {
            [line] if *line != newest => Some(UnifyOn {
                line: *line,
                because,
                newest,
                to: to.unwrap_or_else(|| format!("{name}@{newest}")),
            }),
            _ => None,
        }
    }

    /// Whether a staying primary package depends on `name` directly.
    fn built_on_directly(&self, graph: &DepGraph, name: &str) -> bool {
        self.staying.iter().any(|&s| {
            graph
                .dependencies(s)
                .any(|(d, _)| graph.package(d).name == name)
        })
    }

    /// The packages of `name`'s train anchor on the line the anchor follows (none when the
    /// anchor follows no line of its own, or `name` is the anchor).
    fn anchor_packages(
        &self,
        graph: &DepGraph,
        watch: &Watch,
        name: &str,
    ) -> (Vec<NodeId>, Option<String>) {
        let anchor = watch
            .trains
            .iter()
            .find(|t| t.iter().any(|c| c == name))
            .and_then(|t| t.first())
            .filter(|a| *a != name);
        let Some(anchor) = anchor else {
            return (Vec::new(), None);
        };
        let on = self
            .built_on_directly(graph, anchor)
            .then(|| self.line_of(graph, watch, anchor))
            .flatten();
        let Some(on) = on else {
            return (Vec::new(), None);
        };
        let mut nodes: Vec<NodeId> = graph
            .by_name()
            .get(anchor.as_str())
            .into_iter()
            .flatten()
            .copied()
            .filter(|&n| Line::of(&graph.package(n).version) == on.line)
            .collect();
        nodes.sort();
        (nodes, Some(format!("{anchor}@{}", on.newest)))
    }
}
