//! `cargo etcd-deps diagnose`: the build errors users see, traced back to their cause. It
//! reads the messages of `cargo check --workspace --all-targets --message-format json` (run
//! here through `input::cargo`, or a saved log), keeps those where rustc says two versions of
//! a crate met (`log`), maps the files their spans name to packages through the packages'
//! manifest directories (git checkouts and vendored sources carry no version in their
//! paths), and reports each with the versions that met, the path that brings each into the
//! member, the finding of `check` that causes it and that finding's help.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::analysis::{self, Code, Finding, VersionInfo};
use crate::error::Error;
use crate::graph::{DepGraph, NodeId};
use crate::input::{self, CargoOptions, Input, Workspace, build_log};
use crate::manifest::edit::WriteFs;
use crate::report::diagnose::{BuildError, DiagnoseReport, FindingRef, MetVersion};
use crate::request::DiagnoseRequest;
use crate::{DiagnoseFormat, Outcome, Request, diags, exit, policy, report};

/// Runs `diagnose`, writing the report to `out` (or `--output` through `fs`).
pub(crate) fn run(
    req: &Request,
    diagnose: &DiagnoseRequest,
    out: &mut dyn Write,
    fs: &dyn WriteFs,
) -> Result<Outcome, Error> {
    if matches!(req.input, Input::Lockfile { .. }) {
        return Err(Error::Usage(
            "`diagnose` maps rustc's file paths to packages through `cargo metadata`; it does not take --lockfile".to_owned(),
        ));
    }
    let ws = input::load(req, &diagnose.analysis)?;
    let root = ws.graph.workspace_root().to_owned();
    let (log, name) = match &diagnose.log {
        Some(path) => input::cargo::read_build_log(path)?,
        None => {
            let opts = match &req.input {
                Input::Cargo(opts) => opts.clone(),
                _ => CargoOptions::default(),
            };
            let text = input::cargo::build_messages(&root, &opts)?;
            (text, "the output of `cargo check`".to_owned())
        }
    };
    let meetings = build_log::meetings(&log, &name)?;
    let findings = analysis::analyze(&ws.graph, &ws.spans, &ws.opts);
    let gate = policy::Gate {
        deny_warnings: false,
        baseline: None,
    };
    let outcome = policy::apply(&ws.graph, &ws.spans, &ws.opts, findings, &ws.policy, gate);
    let packages = Packages::new(&ws.graph);
    let errors = meetings
        .iter()
        .map(|m| trace(&ws, &packages, &outcome.findings, m))
        .collect();
    let report = DiagnoseReport::new(errors);
    let mut buf = Vec::new();
    match diagnose.format {
        DiagnoseFormat::Json => report::json::render_value(&report, &mut buf),
        DiagnoseFormat::Human => report::diagnose::render(&report, &mut buf),
    }
    .map_err(Error::Output)?;
    crate::output::emit_with(req, &buf, out, fs)?;
    Ok(Outcome {
        exit_code: if report.errors.is_empty() {
            exit::OK
        } else {
            exit::GATE_FAILED
        },
    })
}

/// One build error made whole: the member, the versions that met with their paths, the
/// finding that causes it and its help.
fn trace(
    ws: &Workspace,
    packages: &Packages<'_>,
    findings: &[Finding],
    m: &build_log::Meeting,
) -> BuildError {
    let graph = &ws.graph;
    let member = m
        .manifest
        .as_deref()
        .and_then(|p| packages.of_manifest(p))
        .map(|n| graph.package(n).name.clone());
    // The versions the spans point into; when rustc named fewer than two, every version of
    // the crate in the graph.
    let mut met: Vec<&str> = m
        .files
        .iter()
        .filter_map(|f| packages.of_file(f))
        .map(|n| graph.package(n))
        .filter(|p| p.name == m.krate)
        .map(|p| p.id.as_str())
        .collect();
    met.sort();
    met.dedup();
    let versions = analysis::explain_chosen(graph, &ws.spans, &ws.opts, |p| match met.len() {
        0 | 1 => p.name == m.krate,
        _ => met.contains(&p.id.as_str()),
    });
    let finding = covering(findings, &m.krate, member.as_deref(), &versions);
    let root = graph.workspace_root();
    BuildError {
        file: m
            .at
            .as_ref()
            .map(|(f, _, _)| crate::location::relative(root, &normal(&root.join(f)))),
        line: m.at.as_ref().map(|a| a.1),
        column: m.at.as_ref().map(|a| a.2),
        code: m.code.clone(),
        message: m.message.clone(),
        krate: m.krate.clone(),
        versions: versions
            .iter()
            .map(|v| MetVersion {
                version: v.version.clone(),
                source: v.source.clone(),
                path: path_from(v, member.as_deref()),
            })
            .collect(),
        help: finding.map_or_else(|| diags::build::uncovered(&m.krate), |f| f.help.clone()),
        finding: finding.map(|f| FindingRef {
            code: f.code,
            level: f.level,
            krate: f.krate.clone(),
            member: f.member.clone(),
            message: f.message.clone(),
        }),
        member,
    }
}

/// The finding of `check` behind two versions of `krate` meeting in `member`: the member's
/// own type-boundary or train-skew, else a source-split when one version met itself from two
/// sources, else the crate's diverging-versions.
fn covering<'f>(
    findings: &'f [Finding],
    krate: &str,
    member: Option<&str>,
    versions: &[VersionInfo],
) -> Option<&'f Finding> {
    let of = |code: Code| {
        findings
            .iter()
            .filter(move |f| f.krate == krate && f.code == code)
    };
    let own = |code: Code| of(code).find(|f| member.is_some() && f.member.as_deref() == member);
    let one_version = versions.windows(2).any(|w| w[0].version == w[1].version);
    own(Code::TypeBoundary)
        .or_else(|| own(Code::TrainSkew))
        .or_else(|| of(Code::SourceSplit).find(|_| one_version))
        .or_else(|| of(Code::DivergingVersions).next())
}

/// The path that brings `v` into `member`, else the best one there is.
fn path_from(v: &VersionInfo, member: Option<&str>) -> Option<analysis::DepPath> {
    v.paths
        .iter()
        .find(|p| p.steps.first().map(|s| s.name.as_str()) == member)
        .or_else(|| v.paths_best_first().into_iter().next())
        .cloned()
}

/// Packages by the directory of their manifest: the package a file belongs to is the one
/// whose directory holds it most closely.
struct Packages<'g> {
    root: &'g Path,
    dirs: Vec<(PathBuf, NodeId)>,
}

impl<'g> Packages<'g> {
    fn new(graph: &'g DepGraph) -> Packages<'g> {
        let root = graph.workspace_root();
        let dirs = graph
            .nodes()
            .filter_map(|n| {
                let dir = graph.package(n).manifest_path.parent()?;
                Some((normal(&root.join(dir)), n))
            })
            .collect();
        Packages { root, dirs }
    }

    /// The package whose sources hold `file` (as rustc names it: relative to the workspace
    /// root, where cargo runs rustc, or absolute).
    fn of_file(&self, file: &str) -> Option<NodeId> {
        let path = normal(&self.root.join(file));
        self.dirs
            .iter()
            .filter(|(dir, _)| path.starts_with(dir))
            .max_by_key(|(dir, _)| dir.components().count())
            .map(|&(_, n)| n)
    }

    /// The package of the manifest `manifest`.
    fn of_manifest(&self, manifest: &Path) -> Option<NodeId> {
        let dir = normal(&self.root.join(manifest.parent()?));
        self.dirs.iter().find(|(d, _)| *d == dir).map(|&(_, n)| n)
    }
}

/// `path` with `.` and `..` resolved by name, as cargo and rustc print paths through a
/// source replacement's relative directory (`ws/../../vendor/tonic-0.12.3/src/lib.rs`).
fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_compared_with_dot_dot_resolved() {
        assert_eq!(
            normal(Path::new("/t/w/ws/../../vendor/./tonic-0.9.2/src/lib.rs")),
            Path::new("/t/vendor/tonic-0.9.2/src/lib.rs")
        );
        assert_eq!(normal(Path::new("a/../../b")), Path::new("../b"));
    }
}
