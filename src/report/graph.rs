//! `--graph dot|mermaid`: the conflict graph. The subgraph from the workspace members to each
//! diverging version along the reported shortest paths; members are boxes, the edges where a
//! path leaves the workspace (origins) are bold, and versions off the newest line of their
//! crate (the minority line) are highlighted.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use super::Report;
use super::escape::{dot_string, mermaid_label};
use crate::GraphFormat;
use crate::analysis::Line;

#[derive(Default)]
struct Conflict {
    /// label → (is member, is minority version)
    nodes: BTreeMap<String, (bool, bool)>,
    /// (from, to) → requirement; sorted for stable output.
    edges: BTreeMap<(String, String), String>,
    origins: BTreeSet<(String, String)>,
}

fn label(name: &str, version: &semver::Version) -> String {
    format!("{name} {version}")
}

fn build(report: &Report) -> Conflict {
    let mut g = Conflict::default();
    for f in report
        .findings
        .iter()
        .filter(|f| f.caused_by.is_none() && !f.versions.is_empty())
    {
        let newest: BTreeMap<&str, Line> = f.versions.iter().fold(BTreeMap::new(), |mut m, v| {
            let l = Line::of(&v.version);
            let e = m.entry(v.name.as_str()).or_insert(l);
            if l > *e {
                *e = l;
            }
            m
        });
        for v in &f.versions {
            let minority = newest
                .get(v.name.as_str())
                .is_some_and(|n| *n != Line::of(&v.version));
            let target = label(&v.name, &v.version);
            let entry = g.nodes.entry(target).or_default();
            entry.1 |= minority;
            for p in &v.paths {
                for (i, step) in p.steps.iter().enumerate() {
                    let here = label(&step.name, &step.version);
                    g.nodes.entry(here.clone()).or_default().0 |= i == 0;
                    if i > 0 {
                        let prev = &p.steps[i - 1];
                        g.edges.insert(
                            (label(&prev.name, &prev.version), here),
                            step.req.clone().unwrap_or_default(),
                        );
                    }
                }
            }
            for o in &v.origins {
                if let Some(pv) = &o.package_version {
                    let member = g
                        .nodes
                        .keys()
                        .find(|k| k.split(' ').next() == Some(o.member.as_str()))
                        .cloned();
                    if let Some(member) = member {
                        g.origins.insert((member, label(&o.package, pv)));
                    }
                }
            }
        }
    }
    g
}

pub fn render(report: &Report, format: GraphFormat, out: &mut dyn Write) -> io::Result<()> {
    let g = build(report);
    match format {
        GraphFormat::Dot => render_dot(&g, out),
        GraphFormat::Mermaid => render_mermaid(&g, out),
    }
}

/// Graphviz: members boxed and grey, minority versions red, origin edges bold blue.
fn render_dot(g: &Conflict, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "digraph etcd_deps {{")?;
    writeln!(out, "  rankdir=LR;")?;
    writeln!(out, "  node [shape=ellipse, fontname=\"Helvetica\"];")?;
    for (name, (member, minority)) in &g.nodes {
        let mut attrs = Vec::new();
        if *member {
            attrs.push("shape=box".to_owned());
            attrs.push("style=filled".to_owned());
            attrs.push("fillcolor=\"#eeeeee\"".to_owned());
        }
        if *minority {
            attrs.push("color=\"#cc0000\"".to_owned());
            attrs.push("fontcolor=\"#cc0000\"".to_owned());
            attrs.push("penwidth=2".to_owned());
        }
        let attrs = if attrs.is_empty() {
            String::new()
        } else {
            format!(" [{}]", attrs.join(", "))
        };
        writeln!(out, "  \"{}\"{attrs};", dot_string(name))?;
    }
    for ((from, to), req) in &g.edges {
        let mut attrs = vec![format!("label=\"{}\"", dot_string(req))];
        if g.origins.contains(&(from.clone(), to.clone())) {
            attrs.push("penwidth=3".to_owned());
            attrs.push("color=\"#1f4e9c\"".to_owned());
        }
        writeln!(
            out,
            "  \"{}\" -> \"{}\" [{}];",
            dot_string(from),
            dot_string(to),
            attrs.join(", ")
        )?;
    }
    writeln!(out, "}}")
}

/// Mermaid: nodes numbered in label order, the same highlights as classes and link styles.
fn render_mermaid(g: &Conflict, out: &mut dyn Write) -> io::Result<()> {
    let ids: BTreeMap<&String, String> = g
        .nodes
        .keys()
        .enumerate()
        .map(|(i, k)| (k, format!("n{i}")))
        .collect();
    writeln!(out, "graph LR")?;
    for (name, (member, _)) in &g.nodes {
        let id = &ids[name];
        if *member {
            writeln!(out, "  {id}[\"{}\"]", mermaid_label(name))?;
        } else {
            writeln!(out, "  {id}([\"{}\"])", mermaid_label(name))?;
        }
    }
    let mut bold = Vec::new();
    for (i, ((from, to), req)) in g.edges.iter().enumerate() {
        writeln!(
            out,
            "  {} -->|\"{}\"| {}",
            ids[from],
            mermaid_label(req),
            ids[to]
        )?;
        if g.origins.contains(&(from.clone(), to.clone())) {
            bold.push(i.to_string());
        }
    }
    writeln!(
        out,
        "  classDef minority fill:#fdd,stroke:#c00,stroke-width:2px;"
    )?;
    writeln!(out, "  classDef member fill:#eee,stroke:#333;")?;
    let classes = [
        ("minority", ids_where(g, &ids, |_, minority| minority)),
        ("member", ids_where(g, &ids, |member, _| member)),
    ];
    for (class, of_class) in classes {
        if !of_class.is_empty() {
            writeln!(out, "  class {} {class};", of_class.join(","))?;
        }
    }
    if !bold.is_empty() {
        writeln!(
            out,
            "  linkStyle {} stroke:#1f4e9c,stroke-width:3px;",
            bold.join(",")
        )?;
    }
    Ok(())
}

/// The Mermaid ids of the nodes `is_in(is member, is minority)` picks, in label order.
fn ids_where<'a>(
    g: &Conflict,
    ids: &'a BTreeMap<&String, String>,
    is_in: impl Fn(bool, bool) -> bool,
) -> Vec<&'a str> {
    g.nodes
        .iter()
        .filter(|(_, (member, minority))| is_in(*member, *minority))
        .map(|(k, _)| ids[k].as_str())
        .collect()
}
