//! The one-line message and help of each finding.

use std::collections::BTreeSet;

use semver::Version;

use crate::graph::{DepGraph, NodeId};

use super::detect::Raw;
use super::{Code, Line, Role, VersionInfo};

/// The versions once each, ascending as given; a version from several sources says so:
/// `0.9.2, 0.12.3 (from 2 sources)`.
fn version_list(versions: &[VersionInfo]) -> String {
    let mut shown: Vec<(&Version, usize)> = Vec::new();
    for v in versions {
        match shown.iter_mut().find(|(seen, _)| **seen == v.version) {
            Some((_, n)) => *n += 1,
            None => shown.push((&v.version, 1)),
        }
    }
    shown
        .iter()
        .map(|(v, n)| match n {
            1 => v.to_string(),
            n => format!("{v} (from {n} sources)"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The crates that pull a version in (`etcd-client 0.11.1`) are added to `movers`, and the
/// workspace members that declare it directly to `members`.
fn pulled_by(
    graph: &DepGraph,
    v: &VersionInfo,
    members: &mut Vec<String>,
    movers: &mut Vec<String>,
) {
    let is_member = |name: &str| {
        graph
            .members()
            .iter()
            .any(|&m| graph.package(m).name == name)
    };
    for d in &v.dependents {
        if is_member(&d.name) {
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

pub(super) fn wording(
    graph: &DepGraph,
    raw: &Raw,
    versions: &[VersionInfo],
    lines: &[Line],
    caused_by: Option<&str>,
) -> (String, String) {
    let name = &raw.krate;
    match raw.code {
        Code::DivergingVersions => {
            let message = format!(
                "{name} resolves on {} semver-incompatible lines: {}",
                lines.len(),
                version_list(versions)
            );
            let newest = lines.last().expect("a diverging finding has lines");
            let older: Vec<&VersionInfo> = versions
                .iter()
                .filter(|v| Line::of(&v.version) != *newest)
                .collect();
            let help = if let Some(root) = caused_by {
                format!("this split follows from the {root} split; unifying {root} removes it")
            } else {
                let (mut members, mut movers) = (Vec::new(), Vec::new());
                for v in &older {
                    pulled_by(graph, v, &mut members, &mut movers);
                }
                // Warnings are planned only when asked for.
                let command = if raw.role == Role::Primary {
                    "cargo etcd-deps fix"
                } else {
                    "cargo etcd-deps fix --include-warnings"
                };
                match unify_edit(name, *newest, &members, &movers) {
                    edit if edit.is_empty() => {
                        format!("unify on {name} {newest}: run `{command}` to plan the edit")
                    }
                    edit => format!(
                        "unify on {name} {newest}: {edit}, or run `{command}` to plan the edit"
                    ),
                }
            };
            (message, help)
        }
        Code::SourceSplit => {
            let sources: Vec<String> = versions
                .iter()
                .map(|v| format!("{} from {}", v.version, source_label(v.source.as_deref())))
                .collect();
            let message = format!(
                "{name} {} comes from {} sources: {}",
                raw.crates.first().map(String::as_str).unwrap_or_default(),
                versions.len(),
                sources.join(", ")
            );
            let help = format!(
                "cargo builds each copy as a separate crate; make every dependent use one source, \
                 or add a [patch] entry for {name} so cargo merges them"
            );
            (message, help)
        }
        Code::TrainSkew => match raw.member {
            Some(member) if raw.directs.len() > 1 => two_direct_lines(graph, raw, versions, member),
            Some(member) => member_train_skew(graph, raw, versions, member),
            _ => {
                let anchor = &raw.crates[0];
                let anchor_versions: Vec<String> = versions
                    .iter()
                    .filter(|v| v.name == *anchor)
                    .map(|v| v.version.to_string())
                    .collect();
                let other_versions: Vec<String> = versions
                    .iter()
                    .filter(|v| v.name == *name)
                    .map(|v| v.version.to_string())
                    .collect();
                let message = format!(
                    "{name} {} is on another line than {anchor} {}; they are released together",
                    other_versions.join(", "),
                    anchor_versions.join(", ")
                );
                // Advise the newest line, as diverging-versions does.
                let newest_of = |krate: &str| {
                    versions
                        .iter()
                        .filter(|v| v.name == krate)
                        .map(|v| Line::of(&v.version))
                        .max()
                        .expect("a train-skew finding has both crates")
                };
                let (anchor_line, other_line) = (newest_of(anchor), newest_of(name));
                let help = if anchor_line > other_line {
                    format!("use {name} {anchor_line}, the line of {anchor} {anchor_line}")
                } else {
                    format!(
                        "move {anchor} to {other_line}, the line of {name} {other_line} (or use \
                         {name} {anchor_line})"
                    )
                };
                (message, help)
            }
        },
        // Never detected here: the policy steps report them.
        Code::UnusedAllow | Code::OutsidePolicy => (String::new(), String::new()),
        Code::TypeBoundary if raw.directs.len() > 1 => two_direct_lines(
            graph,
            raw,
            versions,
            raw.member.expect("a type-boundary has a member"),
        ),
        Code::TypeBoundary => member_type_boundary(graph, raw, versions),
    }
}

/// type-boundary for a member using one line of the crate directly.
fn member_type_boundary(graph: &DepGraph, raw: &Raw, versions: &[VersionInfo]) -> (String, String) {
    let name = &raw.krate;
    let member = raw
        .member
        .map(|m| graph.package(m).name.clone())
        .unwrap_or_default();
    let direct = raw.directs.first().map_or_else(
        || versions[0].version.clone(),
        |&d| graph.package(d).version.clone(),
    );
    let (vias, built) = built_against(graph, &raw.vias, name, &direct);
    let which = if raw.vias.len() == 1 {
        "which is"
    } else {
        "which are"
    };
    let message = format!(
        "{member} uses {name} {direct} directly and {vias}, {which} built on {built}: \
         their {name} types are different types"
    );
    let names = via_names(graph, &raw.vias, false);
    let built = built_version(graph, raw.vias[0], name, &direct)
        .map(ToString::to_string)
        .unwrap_or_default();
    let between = match built_line(graph, &raw.vias, name, &direct) {
        Some(_) => format!("{member}'s {name} {direct} and {names}'s {name} {built}"),
        None => format!("{member}'s {name} {direct} and the crates named"),
    };
    let edit = member_unify_edit(graph, raw, versions, &[&direct]);
    let help = format!("values of {name} types cannot pass between {between}; {edit}");
    (message, help)
}

/// The edit that puts a member and the crates it meets on the newest line of the finding,
/// the line `diverging-versions` unifies on: the member raises its own requirement when it
/// is behind, a crate built on an older line moves to a release built on the newest, and a
/// workspace member among those crates raises its requirement instead.
fn member_unify_edit(
    graph: &DepGraph,
    raw: &Raw,
    versions: &[VersionInfo],
    directs: &[&Version],
) -> String {
    let name = &raw.krate;
    let target = versions
        .iter()
        .filter(|v| v.name == *name)
        .map(|v| Line::of(&v.version))
        .max()
        .expect("a member finding has versions");
    let mut members = Vec::new();
    if directs.iter().any(|d| Line::of(d) < target) {
        let member = raw.member.expect("a member finding has a member");
        members.push(graph.package(member).name.clone());
    }
    let mut movers = Vec::new();
    for &via in &raw.vias {
        let p = graph.package(via);
        let behind = graph
            .dependencies(via)
            .map(|(n, _)| graph.package(n))
            .any(|d| d.name == *name && Line::of(&d.version) < target);
        let list = if p.is_member {
            &mut members
        } else {
            &mut movers
        };
        if behind && !list.contains(&p.name) {
            list.push(p.name.clone());
        }
    }
    unify_edit(name, target, &members, &movers)
}

/// `raise the tonic requirement of a and b to 0.13 and move c to a release built on tonic
/// 0.13`: workspace members raise their own requirement, other crates move.
fn unify_edit(name: &str, target: Line, members: &[String], movers: &[String]) -> String {
    unify_edit_listed(name, target, members, movers, and_list)
}

/// [`unify_edit`] with the lists of names written by `list` (a report may shorten them);
/// empty when there is nothing to edit.
pub(crate) fn unify_edit_listed(
    name: &str,
    target: Line,
    members: &[String],
    movers: &[String],
    list: fn(&[String]) -> String,
) -> String {
    let raise = format!(
        "raise the {name} requirement of {} to {target}",
        list(members)
    );
    let release = if movers.len() == 1 {
        "a release"
    } else {
        "releases"
    };
    let moves = format!(
        "move {} to {release} built on {name} {target}",
        list(movers)
    );
    match (members.is_empty(), movers.is_empty()) {
        (true, true) => String::new(),
        (true, false) => moves,
        (false, true) => raise,
        (false, false) => format!("{raise} and {moves}"),
    }
}

/// train-skew (b) for a member using one line of the crate directly.
fn member_train_skew(
    graph: &DepGraph,
    raw: &Raw,
    versions: &[VersionInfo],
    member: NodeId,
) -> (String, String) {
    let name = &raw.krate;
    let member = &graph.package(member).name;
    let direct = &graph.package(raw.directs[0]).version;
    let (vias, built) = built_against(graph, &raw.vias, name, direct);
    let verb = if raw.vias.len() == 1 { "is" } else { "are" };
    let message =
        format!("{member} uses {name} {direct} directly, but {vias} {verb} built against {built}");
    let help = member_unify_edit(graph, raw, versions, &[direct]);
    (message, help)
}

/// A member that uses two lines of a crate directly, and crates built on each: wording that
/// names them all and advises the newest line.
fn two_direct_lines(
    graph: &DepGraph,
    raw: &Raw,
    versions: &[VersionInfo],
    member: NodeId,
) -> (String, String) {
    let name = &raw.krate;
    let member = &graph.package(member).name;
    let mut directs: Vec<&Version> = raw
        .directs
        .iter()
        .map(|&d| &graph.package(d).version)
        .collect();
    directs.sort();
    let items: Vec<String> = raw
        .vias
        .iter()
        .map(|&v| {
            let p = graph.package(v);
            let built: Vec<String> = graph
                .dependencies(v)
                .map(|(n, _)| graph.package(n))
                .filter(|p| p.name == *name)
                .map(|p| format!("{name} {}", p.version))
                .collect();
            format!("{} {} ({})", p.name, p.version, built.join(", "))
        })
        .collect();
    let shown: Vec<String> = directs.iter().map(ToString::to_string).collect();
    let message = format!(
        "{member} uses {name} {} directly, and {} build on them",
        and_list(&shown),
        and_list(&items)
    );
    let help = member_unify_edit(graph, raw, versions, &directs);
    (message, help)
}

/// The version of `name` that `via` depends on off `direct`'s line.
fn built_version<'g>(
    graph: &'g DepGraph,
    via: NodeId,
    name: &str,
    direct: &Version,
) -> Option<&'g Version> {
    graph
        .dependencies(via)
        .map(|(n, _)| graph.package(n))
        .filter(|p| p.name == name && Line::of(&p.version) != Line::of(direct))
        .map(|p| &p.version)
        .min()
}

/// The line every via crate is built on, when they agree.
fn built_line(graph: &DepGraph, vias: &[NodeId], name: &str, direct: &Version) -> Option<Line> {
    let lines: BTreeSet<Line> = vias
        .iter()
        .filter_map(|&v| built_version(graph, v, name, direct))
        .map(Line::of)
        .collect();
    (lines.len() == 1).then(|| lines.into_iter().next().expect("one line"))
}

/// `a 1.0, b 2.0 and c 3.0` (`a, b and c` without versions).
fn via_names(graph: &DepGraph, vias: &[NodeId], versions: bool) -> String {
    let mut names: Vec<String> = vias
        .iter()
        .map(|&v| {
            let p = graph.package(v);
            if versions {
                format!("{} {}", p.name, p.version)
            } else {
                p.name.clone()
            }
        })
        .collect();
    names.dedup();
    and_list(&names)
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The via crates and what they are built against: `etcd-client 0.11.1` and `tonic 0.9.2`, or
/// with several versions `a 1.0 (tonic 0.9.2) and b 2.0 (tonic 0.10.2)` and `other tonic lines`.
fn built_against(
    graph: &DepGraph,
    vias: &[NodeId],
    name: &str,
    direct: &Version,
) -> (String, String) {
    let built: BTreeSet<&Version> = vias
        .iter()
        .filter_map(|&v| built_version(graph, v, name, direct))
        .collect();
    if built.len() <= 1 {
        let b = built
            .into_iter()
            .next()
            .map(ToString::to_string)
            .unwrap_or_default();
        return (via_names(graph, vias, true), format!("{name} {b}"));
    }
    let items: Vec<String> = vias
        .iter()
        .map(|&v| {
            let p = graph.package(v);
            let b = built_version(graph, v, name, direct)
                .map(ToString::to_string)
                .unwrap_or_default();
            format!("{} {} ({name} {b})", p.name, p.version)
        })
        .collect();
    (and_list(&items), format!("other {name} lines"))
}

/// A short human name for a cargo source id.
pub fn source_label(source: Option<&str>) -> String {
    match source {
        None => "a path".to_owned(),
        Some("registry+https://github.com/rust-lang/crates.io-index") => "crates.io".to_owned(),
        Some(s) if s.starts_with("sparse+https://index.crates.io") => "crates.io".to_owned(),
        Some(s) => {
            let (kind, rest) = s.split_once('+').unwrap_or(("", s));
            let url = rest.split('#').next().unwrap_or(rest);
            match kind {
                "git" => format!("git {url}"),
                "registry" | "sparse" => format!("registry {url}"),
                _ => url.to_owned(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_from_two_sources_is_listed_once() {
        let info = |version: &str, source: Option<&str>| VersionInfo {
            name: "tonic".to_owned(),
            version: Version::parse(version).expect("version"),
            source: source.map(str::to_owned),
            manifest_dir: None,
            dependents: Vec::new(),
            origins: Vec::new(),
            paths: Vec::new(),
        };
        let versions = [
            info(
                "0.9.2",
                Some("registry+https://github.com/rust-lang/crates.io-index"),
            ),
            info(
                "0.12.3",
                Some("registry+https://github.com/rust-lang/crates.io-index"),
            ),
            info("0.12.3", None),
        ];
        assert_eq!(version_list(&versions), "0.9.2, 0.12.3 (from 2 sources)");
        assert_eq!(version_list(&versions[..2]), "0.9.2, 0.12.3");
    }
}
