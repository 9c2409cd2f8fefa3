//! Fix plans: which manifest key to change, from what to what, and why. Pure: registry facts
//! come in through the [`Registry`] trait, and nothing is read or written here.
//!
//! Strategies, cheapest first, each used only when it really lands on the target line:
//! 1. a direct requirement on the watched crate itself is moved to the target line;
//! 2. an intermediate crate is bumped to the **lowest** release whose requirement on the
//!    watched crate is on the target line (looked up in the registry, never guessed);
//! 3. when every requirement already allows the target, `cargo update -p … --precise …`;
//! 4. a `[patch]` entry merges a source split, or points an intermediate crate that has no
//!    suitable release at a fork the user names (`--patch-with`).
//!
//! A `[patch]` that cargo would ignore (one that tries to merge two lines) is never planned.
//!
//! A plan's edits are manifest data ([`Edit`], [`EditTarget`], [`PatchSpec`], defined in
//! `manifest::edit`, which computes the new texts): plan produces them, manifest never
//! reads a plan.
//!
//! This module holds the plan's data, the entry point that picks a strategy per finding and
//! the target line (`--to`, else the newest line involved; for a finding left unfixed, the
//! `--to` of another line that would plan it is suggested); each strategy or concern has its
//! own file: `unify` (diverging versions, type boundaries, outside policy),
//! `train` (train skew), `requirement` (a member's direct requirement), `intermediate` (an
//! intermediate crate), `patch` (`[patch]` entries), `candidates` (releases from the
//! registry), `pins` (primary crates keep their line), `unfixable` (what blocks a fix) and
//! `finish` (one edit per key).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use semver::Version;
use serde::Serialize;

use crate::analysis::{Code, Finding, Level, Line};
use crate::graph::DepGraph;
pub use crate::manifest::edit::{Edit, EditTarget, PatchSpec};
use crate::registry::{Registry, RegistryError};

mod candidates;
mod features;
mod finish;
mod intermediate;
pub mod knowledge;
mod patch;
mod pins;
mod requirement;
mod train;
mod unfixable;
mod unify;

pub use requirement::{Restyled, restyle};

/// The JSON schema version of `fix --format json`.
pub const SCHEMA_VERSION: u32 = 1;

/// What the user asked `fix` to do.
#[derive(Clone, Debug, Default)]
pub struct PlanOptions {
    /// Plan for warning-level findings too.
    pub include_warnings: bool,
    /// `--to CRATE@LINE`: the target line per crate (default: the newest line in the graph).
    pub to: BTreeMap<String, Line>,
    /// `--patch-with CRATE=…`: forks to patch in for crates with no suitable release.
    pub patch_with: BTreeMap<String, PatchSpec>,
    /// The lowest `rust-version` the workspace members declare: newer releases are skipped.
    pub rust_version: Option<Version>,
    /// The lines each primary crate resolves on now ([`primary_lines`]): a warning's fix may
    /// not move a primary crate off the line the plan keeps it on.
    pub primary_lines: BTreeMap<String, BTreeSet<Line>>,
}

impl PlanOptions {
    /// The options of a plain `fix` (no `--to`, no `--patch-with`) on `graph`: the members'
    /// lowest `rust-version` and the lines the `primary` crates resolve on.
    pub fn for_graph(graph: &DepGraph, primary: &[String], include_warnings: bool) -> Self {
        PlanOptions {
            include_warnings,
            to: BTreeMap::new(),
            patch_with: BTreeMap::new(),
            rust_version: graph.rust_version(),
            primary_lines: primary_lines(graph, primary),
        }
    }
}

/// Whether a plan takes up `f`: an error, a warning when asked, never a note, and never a
/// finding caused by another (its root's fix fixes it).
pub fn in_scope(f: &Finding, include_warnings: bool) -> bool {
    f.caused_by.is_none()
        && match f.level {
            Level::Error => true,
            Level::Warning => include_warnings,
            Level::Note => false,
        }
}

/// The lines each of `primary` resolves on in `graph`, for [`PlanOptions::primary_lines`].
pub fn primary_lines(graph: &DepGraph, primary: &[String]) -> BTreeMap<String, BTreeSet<Line>> {
    let by_name = graph.by_name();
    primary
        .iter()
        .filter_map(|name| {
            let nodes = by_name.get(name.as_str())?;
            let lines = nodes
                .iter()
                .map(|&n| Line::of(&graph.package(n).version))
                .collect();
            Some((name.clone(), lines))
        })
        .collect()
}

/// A finding no strategy can fix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unfixable {
    #[serde(rename = "crate")]
    pub krate: String,
    /// The crate that blocks the fix.
    pub blocking: String,
    /// The newest release of the blocking crate, if the registry knows it.
    pub newest: Option<String>,
    /// That release's requirement on the crate, if any.
    pub requirement: Option<String>,
    pub message: String,
    pub finding: String,
    /// When no release of the blocking crate is built on the target line: the line of the
    /// finding's crate its newest release is on (`0.9`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newest_line: Option<String>,
    /// What the user can do instead, each with the argument or entry that does it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<Alternative>,
}

/// A way around an upstream blocker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Alternative {
    /// `patch-with` (a fork of the blocking crate), `other-line` (stay on or take another
    /// line of the finding's crate with `--to`), `pin` (keep the blocking crate's release
    /// and allow the split until a release on the line exists).
    pub kind: &'static str,
    pub text: String,
    /// The `fix` argument or the configuration entry that does it.
    pub how: String,
}

/// The plan for every finding in scope.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FixPlan {
    pub schema_version: u32,
    pub edits: Vec<Edit>,
    /// Commands to run after the edits (`cargo update -p tonic@0.12.1 --precise 0.12.3`).
    pub commands: Vec<Vec<String>>,
    pub unfixable: Vec<Unfixable>,
}

impl FixPlan {
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty() && self.commands.is_empty()
    }
}

/// Facts about the workspace the plan needs beyond the findings.
#[derive(Clone, Debug)]
pub struct Workspace {
    pub root_manifest: PathBuf,
    /// The root manifest relative to the workspace root (`Cargo.toml`).
    pub root_manifest_rel: String,
    /// Workspace root, to write patch paths relative to it.
    pub root: PathBuf,
    /// The root manifest's `[patch]` section that names crates.io by its index URL (the key,
    /// and the key as written), from [`crate::manifest::spans::crates_io_patch_section`]:
    /// cargo reads it and ignores a `[patch.crates-io]` beside it.
    pub crates_io_patch: Option<(String, String)>,
    /// The packages each member manifest declares (by absolute path), so a crate a feature
    /// became is added only where it is not declared yet.
    pub declared: BTreeMap<PathBuf, BTreeSet<String>>,
}

impl Workspace {
    /// The facts of `graph`'s workspace, its root manifest's text read from `spans`.
    pub fn of(graph: &DepGraph, spans: &crate::manifest::spans::SpanIndex) -> Self {
        let root = graph.workspace_root().to_owned();
        let root_manifest = root.join("Cargo.toml");
        Workspace {
            crates_io_patch: spans
                .text(&root_manifest)
                .and_then(crate::manifest::spans::crates_io_patch_section),
            root_manifest,
            root_manifest_rel: "Cargo.toml".to_owned(),
            root,
            declared: graph
                .members()
                .iter()
                .map(|&m| {
                    let names = graph
                        .dependencies(m)
                        .map(|(d, _)| graph.package(d).name.clone())
                        .collect();
                    (graph.package(m).manifest_path.clone(), names)
                })
                .collect(),
        }
    }
}

/// Plans edits for the findings in scope. A finding left without a fix whose crate `--to` did
/// not name is planned again on the crate's other lines: the first (newest) line on which it
/// gets a fix, and no other finding loses one, is named in its message. For an
/// `outside-policy` finding only lines inside its rule are tried, the lowest first, and the
/// message says when none of them plans it.
pub fn plan(
    findings: &[Finding],
    registry: &dyn Registry,
    ws: &Workspace,
    opts: &PlanOptions,
) -> Result<FixPlan, RegistryError> {
    let mut plan = plan_once(findings, registry, ws, opts)?;
    let unfixed: BTreeSet<(String, String)> = plan
        .unfixable
        .iter()
        .map(|u| (u.finding.clone(), u.krate.clone()))
        .collect();
    for (finding, krate) in &unfixed {
        if opts.to.contains_key(krate) {
            continue;
        }
        let rule = findings
            .iter()
            .find(|f| finding_ref(f) == *finding)
            .and_then(|f| Some((unify::policy_requirement(f)?, f.policy.as_ref()?)));
        let lines = other_lines(findings, registry, krate, rule.as_ref().map(|(r, _)| r))?;
        let line = other_line(
            findings,
            registry,
            ws,
            opts,
            (finding, krate),
            &unfixed,
            lines,
        )?;
        let tail = match (line, &rule) {
            (Some(line), _) => {
                for u in plan.unfixable.iter_mut().filter(|u| u.finding == *finding) {
                    if !u.message.contains("--to ")
                        && !u.alternatives.iter().any(|a| a.kind == "other-line")
                    {
                        u.alternatives.push(unfixable::other_line(krate, line, u));
                    }
                }
                continue;
            }
            (None, Some((_, fact))) => format!(
                ". No other line of {krate} inside the policy `{}` plans it",
                fact.versions
            ),
            (None, None) => continue,
        };
        for u in plan.unfixable.iter_mut().filter(|u| u.finding == *finding) {
            if !u.message.contains("--to ") && !u.message.ends_with(&tail) {
                u.message.push_str(&tail);
            }
        }
    }
    Ok(plan)
}

/// At most this many other lines are tried for a finding without a fix.
const OTHER_LINES: usize = 8;

/// The lines of `krate` to try, in order: with a policy `rule`, the lines that have a release
/// inside it, lowest first; else every line not tried yet (the findings' newest), newest
/// first.
fn other_lines(
    findings: &[Finding],
    registry: &dyn Registry,
    krate: &str,
    rule: Option<&semver::VersionReq>,
) -> Result<Vec<Line>, RegistryError> {
    let tried: BTreeSet<Line> = findings
        .iter()
        .filter(|f| f.krate == krate)
        .filter_map(|f| f.lines.last().copied())
        .collect();
    let lines: BTreeSet<Line> = registry
        .releases(krate)?
        .unwrap_or_default()
        .iter()
        .filter(|r| !r.yanked)
        .filter(|r| rule.is_none_or(|req| req.matches(&r.version)))
        .map(|r| Line::of(&r.version))
        .filter(|l| rule.is_some() || !tried.contains(l))
        .collect();
    Ok(match rule {
        Some(_) => lines.into_iter().take(OTHER_LINES).collect(),
        None => lines.into_iter().rev().take(OTHER_LINES).collect(),
    })
}

/// The first of `lines` on which `finding` gets a fix and no finding fixed now (not in
/// `unfixed`) loses its fix.
fn other_line(
    findings: &[Finding],
    registry: &dyn Registry,
    ws: &Workspace,
    opts: &PlanOptions,
    (finding, krate): (&str, &str),
    unfixed: &BTreeSet<(String, String)>,
    lines: Vec<Line>,
) -> Result<Option<Line>, RegistryError> {
    for line in lines {
        let mut to = opts.to.clone();
        to.insert(krate.to_owned(), line);
        let other = plan_once(findings, registry, ws, &PlanOptions { to, ..opts.clone() })?;
        let fixed = other.unfixable.iter().all(|u| {
            u.finding != finding && unfixed.contains(&(u.finding.clone(), u.krate.clone()))
        });
        if fixed {
            return Ok(Some(line));
        }
    }
    Ok(None)
}

fn plan_once(
    findings: &[Finding],
    registry: &dyn Registry,
    ws: &Workspace,
    opts: &PlanOptions,
) -> Result<FixPlan, RegistryError> {
    let mut planner = Planner::new(registry, ws, opts);
    // Errors first; then the lines the plan keeps primary crates on are fixed, and no
    // warning's fix may move one off them.
    let (errors, warnings): (Vec<&Finding>, Vec<&Finding>) = findings
        .iter()
        .filter(|f| in_scope(f, opts.include_warnings))
        .partition(|f| f.level == Level::Error);
    for finding in errors {
        planner.plan_one(finding)?;
    }
    planner.pins = planner.pinned_lines(findings);
    for finding in warnings {
        // The error fixes already decide the line of a crate they move (prost moved to the
        // line tonic is built against): a warning on it must not pull it elsewhere.
        if !planner.moved.contains_key(&finding.krate) {
            planner.plan_one(finding)?;
        }
    }
    Ok(planner.finish())
}

/// One planning pass: what the strategies have planned so far, and what they must keep.
struct Planner<'a> {
    registry: &'a dyn Registry,
    ws: &'a Workspace,
    opts: &'a PlanOptions,
    edits: Vec<Edit>,
    commands: Vec<Vec<String>>,
    unfixable: Vec<Unfixable>,
    /// (finding, intermediate, key, manifest, table) already planned: large workspaces reach
    /// one crate through the same declaration from many members. The table is part of it: one
    /// manifest may declare the key in several tables (`[dependencies]`,
    /// `[dev-dependencies]`, `[target.'cfg(unix)'.dependencies]`), and each needs its edit.
    seen: std::collections::HashSet<DeclarationKey>,
    /// (finding, intermediate) already reported as reaching the crate only transitively.
    unfixable_seen: std::collections::HashSet<(String, String)>,
    /// Packages the plan moves, to which release.
    moved: BTreeMap<String, Version>,
    /// The line each primary crate stays on once errors are planned (empty before).
    pins: BTreeMap<String, Line>,
    /// Why the target line was chosen, when a rule rather than the graph or `--to` chose it.
    line_reason: Option<String>,
}

/// (finding, intermediate, key, manifest, table): one declaration planned for one finding.
type DeclarationKey = (String, String, String, Option<String>, Option<String>);

fn finding_ref(f: &Finding) -> String {
    format!("{}:{}", f.code, f.krate)
}

impl<'a> Planner<'a> {
    /// A planner with nothing planned yet.
    fn new(registry: &'a dyn Registry, ws: &'a Workspace, opts: &'a PlanOptions) -> Self {
        Planner {
            registry,
            ws,
            opts,
            edits: Vec::new(),
            commands: Vec::new(),
            unfixable: Vec::new(),
            seen: Default::default(),
            unfixable_seen: Default::default(),
            moved: BTreeMap::new(),
            pins: BTreeMap::new(),
            line_reason: None,
        }
    }

    /// Picks the strategy for `finding` by its code.
    fn plan_one(&mut self, finding: &Finding) -> Result<(), RegistryError> {
        match (finding.code, &finding.member) {
            (Code::DivergingVersions | Code::TypeBoundary, _) => self.unify(finding)?,
            (Code::SourceSplit, _) => self.merge_sources(finding),
            // `--to` names the line the member's crate and the crates built against it meet
            // on: every version off it moves there, as for a divergence.
            (Code::TrainSkew, Some(_)) if self.opts.to.contains_key(&finding.krate) => {
                self.unify(finding)?
            }
            (Code::TrainSkew, Some(_)) => self.match_built_against(finding),
            (Code::TrainSkew, None) => self.align_train(finding)?,
            (Code::OutsidePolicy, _) => self.move_inside_policy(finding)?,
            // A configuration matter: nothing in the manifests to change.
            (Code::UnusedAllow, _) => {}
        }
        Ok(())
    }

    /// The line `finding`'s crate moves to: the one `--to` names, else the line the primary
    /// crates that keep theirs are built on (a train crate's `unify_on`, which check's help
    /// names too) unless `--to` names the crate it follows, else the newest it involves.
    fn target_line(&self, finding: &Finding) -> Option<Line> {
        // `--to` on the crate it follows, or on a crate it agrees with, decides instead.
        let follows = finding.unify_on.as_ref().filter(|on| {
            let named = |c: &str| c.split([' ', '@']).next().unwrap_or_default().to_owned();
            let anchor = named(&on.to);
            !self.opts.to.contains_key(&anchor)
                && on
                    .because
                    .iter()
                    .all(|b| !self.opts.to.contains_key(&named(b)))
        });
        self.opts
            .to
            .get(&finding.krate)
            .copied()
            .or_else(|| follows.map(|on| on.line))
            .or_else(|| finding.lines.last().copied())
    }
}

/// Shared by the strategies' tests: a registry release, the findings of a small workspace and
/// its facts.
#[cfg(test)]
mod tests {
    use semver::VersionReq;

    use super::*;
    use crate::analysis::{Options, analyze};
    use crate::graph::Kind;
    use crate::registry::{MemoryRegistry, Release, ReleaseDep};
    use crate::testkit::Builder;

    pub(super) fn release(version: &str, deps: &[(&str, &str)]) -> Release {
        Release {
            version: Version::parse(version).expect("version"),
            yanked: false,
            rust_version: None,
            deps: deps
                .iter()
                .map(|(name, req)| ReleaseDep {
                    name: (*name).to_owned(),
                    req: VersionReq::parse(req).expect("req"),
                    kind: Kind::Normal,
                    optional: false,
                })
                .collect(),
            features: Default::default(),
        }
    }

    /// app → etcd-client 0.11.1 → tonic 0.9.2, app → tonic 0.12.3; origins filled in as
    /// `manifest::spans` would from `etcd-client = "0.11"` and `tonic = "0.12"`.
    pub(super) fn findings() -> Vec<Finding> {
        let b = Builder::default()
            .member("app")
            .pkg("etcd-client", "0.11.1")
            .pkg("tonic", "0.9.2")
            .pkg("tonic", "0.12.3")
            .dep("app", "etcd-client@0.11.1")
            .dep("app", "tonic@0.12.3")
            .dep("etcd-client@0.11.1", "tonic@0.9.2");
        let mut findings = analyze(
            &b.graph(),
            &crate::manifest::spans::SpanIndex::default(),
            &Options::default(),
        );
        for f in &mut findings {
            for v in &mut f.versions {
                for o in &mut v.origins {
                    o.manifest = Some("Cargo.toml".to_owned());
                    o.manifest_abs = Some(PathBuf::from("/ws/app/Cargo.toml"));
                    o.table = Some("dependencies".to_owned());
                    o.written_req = Some(if o.key == "tonic" { "0.12" } else { "0.11" }.to_owned());
                    o.features = vec!["tls".to_owned()];
                }
            }
        }
        findings
    }

    pub(super) fn ws() -> Workspace {
        Workspace {
            root_manifest: PathBuf::from("/ws/Cargo.toml"),
            root_manifest_rel: "Cargo.toml".to_owned(),
            root: PathBuf::from("/ws"),
            crates_io_patch: None,
            declared: BTreeMap::new(),
        }
    }

    #[test]
    fn to_moves_the_direct_requirement_down() {
        let registry = MemoryRegistry::default();
        let opts = PlanOptions {
            to: [("tonic".to_owned(), Line::parse("0.9").expect("line"))]
                .into_iter()
                .collect(),
            ..PlanOptions::default()
        };
        let plan = plan(&findings(), &registry, &ws(), &opts).expect("plans");
        assert_eq!(plan.edits.len(), 1);
        assert_eq!(plan.edits[0].key, "tonic");
        assert_eq!(plan.edits[0].to, "0.9");
    }
}
