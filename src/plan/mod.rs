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

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

use semver::{Version, VersionReq};
use serde::Serialize;

use crate::analysis::{Code, Finding, Level, Line, Origin, VersionInfo};
use crate::graph::{CRATES_IO, DepGraph};
pub use crate::manifest::edit::{Edit, EditTarget, PatchSpec};
use crate::registry::{Registry, RegistryError, Release};

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
}

/// Plans edits for the findings in scope. A finding left without a fix whose crate `--to` did
/// not name is planned again on the crate's other lines: the first (newest) line on which it
/// gets a fix, and no other finding loses one, is named in its message.
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
        let Some(line) = other_line(findings, registry, ws, opts, (finding, krate), &unfixed)?
        else {
            continue;
        };
        for u in plan.unfixable.iter_mut().filter(|u| u.finding == *finding) {
            if !u.message.contains("--to ") {
                u.message.push_str(&format!(
                    ". Or take another line: --to {krate}@{line} plans it"
                ));
            }
        }
    }
    Ok(plan)
}

/// At most this many other lines are tried for a finding without a fix.
const OTHER_LINES: usize = 8;

/// The newest line of `krate` other than the ones tried on which `finding` gets a fix and no
/// finding fixed now (not in `unfixed`) loses its fix.
fn other_line(
    findings: &[Finding],
    registry: &dyn Registry,
    ws: &Workspace,
    opts: &PlanOptions,
    (finding, krate): (&str, &str),
    unfixed: &BTreeSet<(String, String)>,
) -> Result<Option<Line>, RegistryError> {
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
        .map(|r| Line::of(&r.version))
        .filter(|l| !tried.contains(l))
        .collect();
    for &line in lines.iter().rev().take(OTHER_LINES) {
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
    let mut planner = Planner {
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
    };
    let in_scope = |f: &&Finding| {
        let level = match f.level {
            Level::Error => true,
            Level::Warning => opts.include_warnings,
            Level::Note => false,
        };
        level && f.caused_by.is_none()
    };
    // Errors first; then the lines the plan keeps primary crates on are fixed, and no
    // warning's fix may move one off them.
    let (errors, warnings): (Vec<&Finding>, Vec<&Finding>) = findings
        .iter()
        .filter(in_scope)
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

impl Planner<'_> {
    fn plan_one(&mut self, finding: &Finding) -> Result<(), RegistryError> {
        match (finding.code, &finding.member) {
            (Code::DivergingVersions | Code::TypeBoundary, _) => self.unify(finding)?,
            (Code::SourceSplit, _) => self.merge_sources(finding),
            (Code::TrainSkew, Some(_)) => self.match_built_against(finding),
            (Code::TrainSkew, None) => self.align_train(finding)?,
            (Code::OutsidePolicy, _) => self.move_inside_policy(finding)?,
            // A configuration matter: nothing in the manifests to change.
            (Code::UnusedAllow, _) => {}
        }
        Ok(())
    }

    /// The line each primary crate stays on: the one `--to` names, else the target of its
    /// own finding, else the line of the release the error fixes move it to, else the one
    /// line it resolves on now.
    fn pinned_lines(&self, findings: &[Finding]) -> BTreeMap<String, Line> {
        let mut pins = BTreeMap::new();
        for (krate, lines) in &self.opts.primary_lines {
            let own_target = findings
                .iter()
                .filter(|f| f.krate == *krate && f.level == Level::Error)
                .filter(|f| matches!(f.code, Code::DivergingVersions | Code::TypeBoundary))
                .find_map(|f| self.target_line(f));
            let pin = self
                .opts
                .to
                .get(krate)
                .copied()
                .or(own_target)
                .or_else(|| self.moved.get(krate).map(Line::of))
                .or_else(|| {
                    (lines.len() == 1)
                        .then(|| lines.iter().next().copied())
                        .flatten()
                });
            if let Some(line) = pin {
                pins.insert(krate.clone(), line);
            }
        }
        pins
    }

    /// Why moving `name` to `release` would contradict the plan: it moves a primary crate
    /// off the line the plan keeps it on. Returns (the primary crate, its pinned line, the
    /// line the move needs, what needs it).
    /// A requirement that moves a primary crate is named before a move of the release itself:
    /// it names the root of the matter (tonic, not the etcd-client built on it).
    fn contradiction(&self, name: &str, release: &Release) -> Option<(String, Line, Line, String)> {
        self.pins
            .iter()
            .filter(|(primary, _)| primary.as_str() != name)
            .find_map(|(primary, &pin)| {
                self.requirement_contradiction((name, release), primary, pin)
            })
            .or_else(|| {
                let pin = *self.pins.get(name)?;
                let line = Line::of(&release.version);
                (line != pin).then(|| {
                    (
                        name.to_owned(),
                        pin,
                        line,
                        format!("{name} {}", release.version),
                    )
                })
            })
    }

    /// Whether `name`'s `release` requires `primary` on another line than `pin`.
    fn requirement_contradiction(
        &self,
        (name, release): (&str, &Release),
        primary: &str,
        pin: Line,
    ) -> Option<(String, Line, Line, String)> {
        let req = release.requirement_on(primary)?;
        let known: Vec<Version> = self
            .registry
            .releases(primary)
            .ok()
            .flatten()
            .unwrap_or_default()
            .into_iter()
            .map(|r| r.version)
            .collect();
        if known.iter().any(|v| Line::of(v) == pin && req.matches(v)) {
            return None;
        }
        let needed = known
            .iter()
            .filter(|v| req.matches(v))
            .map(Line::of)
            .min()
            .or_else(|| lowest(&req.to_string()).map(|v| Line::of(&v)))?;
        (needed != pin).then(|| {
            (
                primary.to_owned(),
                pin,
                needed,
                format!("{name} {}, which requires {primary} {req}", release.version),
            )
        })
    }

    /// Reports a warning whose fix would contradict the plan, instead of planning it.
    /// Returns whether it did (errors are never held back).
    fn held_back(&mut self, finding: &Finding, name: &str, release: &Release) -> bool {
        if finding.level == Level::Error {
            return false;
        }
        let Some((primary, pin, needed, what)) = self.contradiction(name, release) else {
            return false;
        };
        let krate = &finding.krate;
        self.unfixable.push(Unfixable {
            krate: krate.clone(),
            blocking: primary.clone(),
            newest: None,
            requirement: None,
            message: format!(
                "unifying {krate} needs {what}: a breaking move of {primary}, a primary crate, \
                 off the {pin} line this plan keeps it on; not planned (pass --to {primary}@{needed} to take it)"
            ),
            finding: finding_ref(finding),
        });
        true
    }

    fn target_line(&self, finding: &Finding) -> Option<Line> {
        self.opts
            .to
            .get(&finding.krate)
            .copied()
            .or_else(|| finding.lines.last().copied())
    }

    /// The version to move to on `line`: the newest one the graph already has, else the
    /// newest usable release.
    fn target_version(
        &self,
        krate: &str,
        versions: &[VersionInfo],
        line: Line,
    ) -> Result<Option<Version>, RegistryError> {
        if let Some(v) = versions
            .iter()
            .filter(|v| v.name == krate && Line::of(&v.version) == line)
            .map(|v| v.version.clone())
            .max()
        {
            return Ok(Some(v));
        }
        Ok(self.registry.releases(krate)?.and_then(|releases| {
            releases
                .iter()
                .filter(|r| Line::of(&r.version) == line && self.usable(r, &[]))
                .map(|r| r.version.clone())
                .max()
        }))
    }

    /// Why a release `usable` refuses (or that is not newer than `current`) cannot be used.
    fn why_unusable(&self, r: &Release, current: Option<&Version>, features: &[String]) -> String {
        if r.yanked {
            return "it is yanked".to_owned();
        }
        if let (Some(ws), Some(rv)) = (&self.opts.rust_version, &r.rust_version)
            && rv > ws
        {
            return format!("it needs rust {rv} and the workspace declares {ws}");
        }
        if let Some(f) = features.iter().find(|f| !r.features.contains(*f)) {
            return format!("it has no feature `{f}`, which the workspace enables");
        }
        match current {
            Some(c) => format!("it is older than {c}, the release in use"),
            None => "it cannot be used".to_owned(),
        }
    }

    /// Not yanked, within the workspace's rust-version, and offering the features the user
    /// enables on the dependency.
    fn usable(&self, release: &Release, features: &[String]) -> bool {
        if release.yanked {
            return false;
        }
        if let (Some(ws), Some(rv)) = (&self.opts.rust_version, &release.rust_version)
            && rv > ws
        {
            return false;
        }
        features.iter().all(|f| release.features.contains(f))
    }

    /// diverging-versions and type-boundary: move every version off the target line onto it.
    fn unify(&mut self, finding: &Finding) -> Result<(), RegistryError> {
        let krate = finding.krate.as_str();
        let Some(line) = self.target_line(finding) else {
            return Ok(());
        };
        let Some(target) = self.target_version(krate, &finding.versions, line)? else {
            self.unfixable.push(Unfixable {
                krate: krate.to_owned(),
                blocking: krate.to_owned(),
                newest: None,
                requirement: None,
                message: format!("no usable release of {krate} is on the {line} line"),
                finding: finding_ref(finding),
            });
            return Ok(());
        };
        let in_graph = finding
            .versions
            .iter()
            .any(|v| v.name == krate && Line::of(&v.version) == line);
        for version in finding.versions.iter().filter(|v| v.name == krate) {
            if Line::of(&version.version) == line {
                continue;
            }
            // Strategy 3: the requirements already allow the target; only the lockfile
            // holds the old version.
            if !version.dependents.is_empty()
                && version.dependents.iter().all(|d| {
                    d.req
                        .as_deref()
                        .and_then(|r| VersionReq::parse(r).ok())
                        .is_some_and(|r| r.matches(&target))
                })
            {
                self.command(vec![
                    "cargo".into(),
                    "update".into(),
                    "-p".into(),
                    format!("{krate}@{}", version.version),
                    "--precise".into(),
                    target.to_string(),
                ]);
                continue;
            }
            for origin in &version.origins {
                if origin.package == krate {
                    // Another line is always a breaking release (semver says so).
                    let reason = format!(
                        "move {krate} from {} to {target}, {}; {krate} {line} is a breaking release: check its changelog",
                        version.version,
                        if let Some(why) = &self.line_reason {
                            format!("the {line} line, {why}")
                        } else if in_graph {
                            format!("the {line} line the rest of the graph uses")
                        } else {
                            format!("the {line} line --to asks for")
                        }
                    );
                    self.requirement_edit(origin, &target, reason, finding);
                } else {
                    self.bump_intermediate(finding, origin, version, &target, line)?;
                }
            }
        }
        Ok(())
    }

    /// outside-policy: planned like a divergence, towards the lowest line that has a usable
    /// release inside the rule (its newest release there), unless `--to` names a line.
    fn move_inside_policy(&mut self, finding: &Finding) -> Result<(), RegistryError> {
        let krate = finding.krate.as_str();
        let Some(rule) = finding.policy.as_ref() else {
            return Ok(());
        };
        let Ok(req) = VersionReq::parse(&rule.versions) else {
            return Ok(());
        };
        let releases = self.registry.releases(krate)?.unwrap_or_default();
        let lowest = releases
            .iter()
            .filter(|r| req.matches(&r.version) && self.usable(r, &[]))
            .map(|r| Line::of(&r.version))
            .min();
        let Some(line) = self.opts.to.get(krate).copied().or(lowest) else {
            self.unfixable.push(Unfixable {
                krate: krate.to_owned(),
                blocking: krate.to_owned(),
                newest: None,
                requirement: None,
                message: format!("no usable release of {krate} is inside the policy `{req}`"),
                finding: finding_ref(finding),
            });
            return Ok(());
        };
        let mut toward = finding.clone();
        toward.lines = vec![line];
        if !self.opts.to.contains_key(krate) {
            self.line_reason = Some(format!("the lowest inside the policy `{}`", rule.versions));
        }
        let planned = self.unify(&toward);
        self.line_reason = None;
        planned
    }

    /// Strategy 2 (or 4 with `--patch-with`) for an origin that reaches `version` through an
    /// intermediate crate.
    fn bump_intermediate(
        &mut self,
        finding: &Finding,
        origin: &Origin,
        version: &VersionInfo,
        target: &Version,
        line: Line,
    ) -> Result<(), RegistryError> {
        let inter = origin.package.as_str();
        let current = origin.package_version.as_ref();
        // Many members can reach the crate through the same intermediate: decide it once.
        let fref = finding_ref(finding);
        if !self.seen.insert((
            fref,
            inter.to_owned(),
            origin.key.clone(),
            origin.manifest.clone(),
            origin.table.clone(),
        )) {
            return Ok(());
        }
        // The intermediate crate must depend on the watched crate directly for its own
        // requirement to decide the line.
        let direct = version
            .dependents
            .iter()
            .any(|d| d.name == inter && Some(&d.version) == current);
        if !direct {
            if !self.bump_two_hops(finding, origin, version, target, line)? {
                self.reached_only_transitively(finding, inter, version, line);
            }
            return Ok(());
        }
        let Some(releases) = self.intermediate_releases(finding, origin)? else {
            return Ok(());
        };
        let krate = finding.krate.as_str();
        let candidate = self.landing_release(
            &releases,
            current,
            krate,
            (&version.version, target),
            origin,
        );
        if let Some(release) = candidate {
            if !self.held_back(finding, inter, release) {
                self.bump_to(finding, origin, version, release);
            }
        } else if let Some(spec) = self.opts.patch_with.get(inter).cloned() {
            self.patch_intermediate(finding, origin, spec, line);
        } else {
            self.no_landing_release(finding, origin, &releases, (target, line));
        }
        Ok(())
    }

    /// An intermediate that reaches `version` only through other crates: named once per
    /// finding, with the crates it goes through.
    fn reached_only_transitively(
        &mut self,
        finding: &Finding,
        inter: &str,
        version: &VersionInfo,
        line: Line,
    ) {
        if !self
            .unfixable_seen
            .insert((finding_ref(finding), inter.to_owned()))
        {
            return;
        }
        let krate = finding.krate.as_str();
        const SHOWN: usize = 3;
        let mut via: Vec<String> = version
            .dependents
            .iter()
            .take(SHOWN)
            .map(|d| format!("{} {}", d.name, d.version))
            .collect();
        if version.dependents.len() > SHOWN {
            via.push(format!("{} more", version.dependents.len() - SHOWN));
        }
        self.unfixable.push(Unfixable {
            krate: krate.to_owned(),
            blocking: inter.to_owned(),
            newest: None,
            requirement: None,
            message: format!(
                "{inter} reaches {krate} {} only through {}; move that crate to a release on {krate} {line}",
                version.version,
                via.join(", ")
            ),
            finding: finding_ref(finding),
        });
    }

    /// The intermediate's releases. `None` when they come from another registry this tool
    /// cannot read: that blocks this finding (said in the plan), not the others.
    fn intermediate_releases(
        &mut self,
        finding: &Finding,
        origin: &Origin,
    ) -> Result<Option<Vec<Release>>, RegistryError> {
        let inter = origin.package.as_str();
        match self
            .registry
            .releases_in(origin.package_source.as_deref(), inter)
        {
            Ok(found) => Ok(Some(found.unwrap_or_default())),
            Err(e)
                if origin
                    .package_source
                    .as_deref()
                    .is_some_and(|s| s != CRATES_IO) =>
            {
                self.unfixable.push(Unfixable {
                    krate: finding.krate.clone(),
                    blocking: inter.to_owned(),
                    newest: None,
                    requirement: None,
                    message: e.message,
                    finding: finding_ref(finding),
                });
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Strategy 2: the edit that moves the intermediate to `release`, saying which
    /// requirement lands and whether the move is a step back or a breaking release.
    fn bump_to(
        &mut self,
        finding: &Finding,
        origin: &Origin,
        version: &VersionInfo,
        release: &Release,
    ) {
        let krate = finding.krate.as_str();
        let inter = origin.package.as_str();
        let current = origin.package_version.as_ref();
        let old_req = version
            .dependents
            .iter()
            .find(|d| d.name == inter)
            .and_then(|d| d.req.clone())
            .unwrap_or_default();
        let new_req = release
            .requirement_on(krate)
            .map(ToString::to_string)
            .unwrap_or_default();
        let mut reason = format!(
            "{inter} {} requires {krate} {new_req} ({inter} {} requires {krate} {old_req})",
            release.version,
            current.map(ToString::to_string).unwrap_or_default()
        );
        match current {
            Some(c) if release.version < *c => reason.push_str(&format!(
                "; {inter} {} is an older release: check what it lacks",
                Line::of(&release.version)
            )),
            Some(c) if Line::of(c) != Line::of(&release.version) => {
                reason.push_str(&format!(
                    "; {inter} {} is a breaking release: check its changelog",
                    Line::of(&release.version)
                ));
            }
            _ => {}
        }
        self.requirement_edit(origin, &release.version, reason, finding);
    }

    /// Strategy 4: the intermediate has no release on the line; the fork `--patch-with` names
    /// replaces it, and the lockfile is told to let go of the registry release.
    fn patch_intermediate(
        &mut self,
        finding: &Finding,
        origin: &Origin,
        spec: PatchSpec,
        line: Line,
    ) {
        let krate = finding.krate.as_str();
        let inter = origin.package.as_str();
        self.patch_edit(
            CRATES_IO,
            inter,
            spec,
            format!(
                "no release of {inter} requires {krate} on the {line} line; patched with the fork given by --patch-with"
            ),
            finding,
        );
        // The lockfile keeps the registry release until told otherwise.
        if let Some(current) = &origin.package_version {
            self.command(vec![
                "cargo".into(),
                "update".into(),
                "-p".into(),
                format!("{inter}@{current}"),
            ]);
        }
    }

    /// Nothing lands: the finding is unfixable, blocked by the intermediate. A release that
    /// does land but cannot be used is named, with why: never "no release".
    fn no_landing_release(
        &mut self,
        finding: &Finding,
        origin: &Origin,
        releases: &[Release],
        (target, line): (&Version, Line),
    ) {
        let krate = finding.krate.as_str();
        let inter = origin.package.as_str();
        let newest = releases.iter().rev().find(|r| !r.yanked);
        let requirement = newest
            .and_then(|r| r.requirement_on(krate))
            .map(ToString::to_string);
        let passed_over = releases
            .iter()
            .rev()
            .find(|r| r.requirement_on(krate).is_some_and(|q| q.matches(target)));
        let message = match (newest, &requirement, passed_over) {
            (_, _, Some(r)) => format!(
                "{inter} {} requires {krate} {} (the {line} line), but {}; no other release of {inter} does. \
                 Point {inter} at a fork with --patch-with {inter}=git+URL or {inter}=PATH",
                r.version,
                r.requirement_on(krate)
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                self.why_unusable(r, origin.package_version.as_ref(), &origin.features)
            ),
            (Some(n), Some(req), None) => format!(
                "no release of {inter} requires {krate} on the {line} line; newest {} requires {req}. \
                 Point {inter} at a fork with --patch-with {inter}=git+URL or {inter}=PATH",
                n.version
            ),
            (Some(n), None, None) => format!(
                "no release of {inter} requires {krate} on the {line} line; newest {} does not depend on {krate}",
                n.version
            ),
            (None, _, None) => format!(
                "{inter} is not in {}; point it at a fork with --patch-with {inter}=git+URL or {inter}=PATH",
                self.registry.describe()
            ),
        };
        self.unfixable.push(Unfixable {
            krate: krate.to_owned(),
            blocking: inter.to_owned(),
            newest: newest.map(|r| r.version.to_string()),
            requirement,
            message,
            finding: finding_ref(finding),
        });
    }

    /// The release of an intermediate to move to: the lowest newer one whose requirement on
    /// `krate` admits `target`; when none is newer and `target` is older than the version
    /// being moved (`--to` an older line), the newest older one, the smallest step back.
    fn landing_release<'r>(
        &self,
        releases: &'r [Release],
        current: Option<&Version>,
        krate: &str,
        (moving_from, target): (&Version, &Version),
        origin: &Origin,
    ) -> Option<&'r Release> {
        let lands = |r: &&Release| {
            self.usable(r, &origin.features)
                && r.requirement_on(krate)
                    .is_some_and(|req| req.matches(target))
        };
        let newer = releases
            .iter()
            .filter(|r| current.is_none_or(|c| r.version > *c))
            .find(lands);
        newer.or_else(|| {
            let current = current?;
            (*target < *moving_from)
                .then(|| {
                    releases
                        .iter()
                        .rev()
                        .filter(|r| r.version < *current)
                        .find(lands)
                })
                .flatten()
        })
    }

    /// An intermediate two hops away (member → X → Y → the watched crate, as a reported
    /// path shows): the lowest release of X whose requirement on Y admits a release of Y whose
    /// requirement lands on the target. Returns whether an edit was planned.
    fn bump_two_hops(
        &mut self,
        finding: &Finding,
        origin: &Origin,
        version: &VersionInfo,
        target: &Version,
        line: Line,
    ) -> Result<bool, RegistryError> {
        let krate = finding.krate.as_str();
        let inter = origin.package.as_str();
        let Some(current) = origin.package_version.as_ref() else {
            return Ok(false);
        };
        // Y: the crate between X and the watched crate on a reported path.
        let Some(middle) = version.paths.iter().find_map(|p| {
            let s = &p.steps;
            (0..s.len().saturating_sub(2)).find_map(|i| {
                (s[i].name == inter && s[i].version == *current && i + 2 == s.len() - 1)
                    .then(|| s[i + 1].name.clone())
            })
        }) else {
            return Ok(false);
        };
        let x_releases = self
            .registry
            .releases_in(origin.package_source.as_deref(), inter)?
            .unwrap_or_default();
        let y_releases = self.registry.releases(&middle)?.unwrap_or_default();
        for candidate in x_releases
            .iter()
            .filter(|r| r.version > *current && self.usable(r, &origin.features))
        {
            let Some(req_xy) = candidate.requirement_on(&middle) else {
                continue;
            };
            let landing = y_releases.iter().filter(|y| self.usable(y, &[])).find(|y| {
                req_xy.matches(&y.version)
                    && y.requirement_on(krate).is_some_and(|r| r.matches(target))
            });
            if let Some(y) = landing {
                if self.held_back(finding, inter, candidate) || self.held_back(finding, &middle, y)
                {
                    return Ok(true);
                }
                let mut reason = format!(
                    "{inter} {} requires {middle} {req_xy}, and {middle} {} requires {krate} {} (the {line} line)",
                    candidate.version,
                    y.version,
                    y.requirement_on(krate)
                        .map(ToString::to_string)
                        .unwrap_or_default()
                );
                if Line::of(current) != Line::of(&candidate.version) {
                    reason.push_str(&format!(
                        "; {inter} {} is a breaking release: check its changelog",
                        Line::of(&candidate.version)
                    ));
                }
                self.requirement_edit(origin, &candidate.version, reason, finding);
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// source-split: patch the registry copy with the other source, when that copy's version
    /// satisfies every requirement on the registry copy (else cargo would ignore the patch).
    fn merge_sources(&mut self, finding: &Finding) {
        let krate = finding.krate.as_str();
        let registry_copy = finding.versions.iter().find(|v| {
            v.source
                .as_deref()
                .is_some_and(|s| s.starts_with("registry+") || s.starts_with("sparse+"))
        });
        let fork = finding.versions.iter().find(|v| {
            !v.source
                .as_deref()
                .is_some_and(|s| s.starts_with("registry+") || s.starts_with("sparse+"))
        });
        let (Some(reg), Some(fork)) = (registry_copy, fork) else {
            self.unfixable.push(Unfixable {
                krate: krate.to_owned(),
                blocking: krate.to_owned(),
                newest: None,
                requirement: None,
                message: format!(
                    "{krate} comes from two sources, neither of them a registry; choose one by hand"
                ),
                finding: finding_ref(finding),
            });
            return;
        };
        let spec = match fork.source.as_deref() {
            None => fork
                .manifest_dir
                .as_ref()
                .map(|dir| PatchSpec::Path(crate::location::relative(&self.ws.root, dir))),
            Some(s) => PatchSpec::from_git_source(s),
        };
        let blocking = reg.dependents.iter().find(|d| {
            !d.req
                .as_deref()
                .and_then(|r| VersionReq::parse(r).ok())
                .is_some_and(|r| r.matches(&fork.version))
        });
        match (spec, blocking) {
            (Some(spec), None) => {
                let source = reg.source.clone().unwrap_or_default();
                self.patch_edit(
                    &source,
                    krate,
                    spec,
                    format!(
                        "make every dependent use the same {krate} {}: cargo then builds one copy",
                        fork.version
                    ),
                    finding,
                );
            }
            (_, Some(d)) => self.unfixable.push(Unfixable {
                krate: krate.to_owned(),
                blocking: d.name.clone(),
                newest: None,
                requirement: d.req.clone(),
                message: format!(
                    "{} {} requires {krate} {}, which the other copy ({}) does not satisfy: cargo would ignore a [patch]",
                    d.name,
                    d.version,
                    d.req.as_deref().unwrap_or("?"),
                    fork.version
                ),
                finding: finding_ref(finding),
            }),
            (None, None) => self.unfixable.push(Unfixable {
                krate: krate.to_owned(),
                blocking: krate.to_owned(),
                newest: None,
                requirement: None,
                message: format!("the source of the other {krate} copy is not known"),
                finding: finding_ref(finding),
            }),
        }
    }

    /// train-skew (b): the member's direct requirement moves to the line the watched crate
    /// it uses was built against.
    fn match_built_against(&mut self, finding: &Finding) {
        let krate = finding.krate.as_str();
        let member = finding.member.as_deref().unwrap_or_default();
        let direct = finding.versions.iter().find(|v| {
            v.origins
                .iter()
                .any(|o| o.member == member && o.package == krate)
        });
        let built = finding
            .versions
            .iter()
            .find(|v| Some(&v.version) != direct.map(|d| &d.version));
        let (Some(direct), Some(built)) = (direct, built) else {
            return;
        };
        let via = finding.crates.first().cloned().unwrap_or_default();
        for origin in direct
            .origins
            .iter()
            .filter(|o| o.member == member && o.package == krate)
        {
            let reason = format!(
                "{via} is built against {krate} {}; use the same line",
                built.version
            );
            self.requirement_edit(origin, &built.version, reason, finding);
        }
    }

    /// train-skew (a): move the off-line train crate to its anchor's line.
    fn align_train(&mut self, finding: &Finding) -> Result<(), RegistryError> {
        let krate = finding.krate.as_str();
        let anchor = finding.crates.first().cloned().unwrap_or_default();
        let Some(line) = finding
            .versions
            .iter()
            .filter(|v| v.name == anchor)
            .map(|v| Line::of(&v.version))
            .max()
        else {
            return Ok(());
        };
        let releases = self.registry.releases(krate)?.unwrap_or_default();
        let target = releases
            .iter()
            .filter(|r| Line::of(&r.version) == line && self.usable(r, &[]))
            .map(|r| r.version.clone())
            .max();
        let Some(target) = target else {
            self.unfixable.push(Unfixable {
                krate: krate.to_owned(),
                blocking: krate.to_owned(),
                newest: releases.last().map(|r| r.version.to_string()),
                requirement: None,
                message: format!("no usable release of {krate} is on {anchor}'s {line} line"),
                finding: finding_ref(finding),
            });
            return Ok(());
        };
        for version in finding.versions.iter().filter(|v| v.name == krate) {
            for origin in version.origins.iter().filter(|o| o.package == krate) {
                let reason = format!("{krate} is released with {anchor}: use the {line} line");
                self.requirement_edit(origin, &target, reason, finding);
            }
        }
        Ok(())
    }

    fn requirement_edit(
        &mut self,
        origin: &Origin,
        to: &Version,
        reason: String,
        finding: &Finding,
    ) {
        let (Some(manifest), Some(table), Some(written), Some(abs)) = (
            origin.manifest.clone(),
            origin.table.clone(),
            origin.written_req.clone(),
            origin.manifest_abs.clone(),
        ) else {
            self.unfixable.push(Unfixable {
                krate: finding.krate.clone(),
                blocking: origin.package.clone(),
                newest: None,
                requirement: None,
                message: format!(
                    "the declaration of `{}` in {} could not be located; edit it by hand",
                    origin.key, origin.member
                ),
                finding: finding_ref(finding),
            });
            return;
        };
        self.moved.insert(origin.package.clone(), to.clone());
        let Restyled { req: new, note } = restyle(&written, to);
        if new == written {
            return;
        }
        let reason = match note {
            Some(note) => format!("{reason}; {note}"),
            None => reason,
        };
        let workspace = table == "workspace.dependencies";
        self.edits.push(Edit {
            manifest,
            table,
            key: origin.key.clone(),
            from: Some(written),
            to: new,
            reason,
            finding: finding_ref(finding),
            target: EditTarget::Requirement {
                manifest: abs,
                workspace,
                kind: origin.kind,
                platform: origin.platform.clone(),
                key: origin.key.clone(),
            },
        });
    }

    fn patch_edit(
        &mut self,
        source: &str,
        krate: &str,
        spec: PatchSpec,
        reason: String,
        finding: &Finding,
    ) {
        let crates_io = source == CRATES_IO || source.is_empty();
        let (table, registry, reason) = match &self.ws.crates_io_patch {
            Some((key, written)) if crates_io => (
                format!("patch.{written}"),
                key.clone(),
                format!(
                    "{reason}; added to [patch.{written}], the section cargo reads for crates.io \
                     (it ignores a [patch.crates-io] beside it)"
                ),
            ),
            _ => {
                let registry = Self::patch_registry(source, crates_io);
                (format!("patch.{registry}"), registry, reason)
            }
        };
        self.edits.push(Edit {
            manifest: self.ws.root_manifest_rel.clone(),
            table,
            key: krate.to_owned(),
            from: None,
            to: spec.to_toml(),
            reason,
            finding: finding_ref(finding),
            target: EditTarget::Patch {
                manifest: self.ws.root_manifest.clone(),
                registry,
                krate: krate.to_owned(),
                spec,
            },
        });
    }

    /// The `[patch.<…>]` key for a source: `crates-io`, or the quoted registry URL.
    fn patch_registry(source: &str, crates_io: bool) -> String {
        if crates_io {
            "crates-io".to_owned()
        } else {
            let url = source
                .strip_prefix("registry+")
                .or_else(|| source.strip_prefix("sparse+").map(|_| source))
                .unwrap_or(source);
            format!("'{url}'")
        }
    }

    fn command(&mut self, argv: Vec<String>) {
        if !self.commands.contains(&argv) {
            self.commands.push(argv);
        }
    }

    /// Two findings that want the same key get one edit, the higher release.
    fn finish(mut self) -> FixPlan {
        let mut merged: BTreeMap<(String, String, String), Edit> = BTreeMap::new();
        for edit in self.edits.drain(..) {
            let key = (edit.manifest.clone(), edit.table.clone(), edit.key.clone());
            match merged.get(&key) {
                Some(existing) if !higher(&edit.to, &existing.to) => {}
                _ => {
                    merged.insert(key, edit);
                }
            }
        }
        self.unfixable.sort_by(|a, b| {
            (&a.finding, &a.blocking, &a.message).cmp(&(&b.finding, &b.blocking, &b.message))
        });
        self.unfixable.dedup();
        FixPlan {
            schema_version: SCHEMA_VERSION,
            edits: merged.into_values().collect(),
            commands: self.commands,
            unfixable: self.unfixable,
        }
    }
}

/// Whether requirement `a` asks for a higher version than `b` (by their lowest versions).
fn higher(a: &str, b: &str) -> bool {
    match (lowest(a), lowest(b)) {
        (Some(x), Some(y)) => x > y,
        _ => a > b,
    }
}

/// The version a requirement's first comparator starts from (`"0.14.*"` → 0.14.0, `"~0.14.2"`
/// → 0.14.2, `"*"` → 0.0.0).
fn lowest(req: &str) -> Option<Version> {
    let req = VersionReq::parse(req.trim()).ok()?;
    Some(req.comparators.first().map_or(Version::new(0, 0, 0), |c| {
        Version::new(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0))
    }))
}

fn split_operator(req: &str) -> (&str, &str) {
    let op_len = req.find(|c: char| c.is_ascii_digit()).unwrap_or(req.len());
    (&req[..op_len], &req[op_len..])
}

/// A rewritten requirement, and why its form changed when it could not be kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restyled {
    pub req: String,
    /// Set when the written form (a bound, a range, `*`) could not select the target line.
    pub note: Option<String>,
}

/// A new requirement for `to` in the style of `written` that selects `to`'s line and no
/// other. Caret, bare, tilde, exact and wildcard forms keep their operator and precision
/// (`"0.11"` → `"0.14"`, `"0.11.1"` → `"0.14.0"`, `"~0.11"` → `"~0.14"`, `"=0.11.1"` →
/// `"=0.14.0"`, `"0.11.*"` → `"0.14.*"`), widened only where the precision is too short to
/// name the line (`"1"` → `"0.12"`). Bounds, ranges and `*` (`"<0.12"`, `">=0.11"`,
/// `">=0.11, <0.12"`) become the bare requirement at the precision written, with a note.
pub fn restyle(written: &str, to: &Version) -> Restyled {
    let trimmed = written.trim();
    // The components a requirement needs to name one line: 0.0.x lines are one patch.
    let needed = if to.major > 0 {
        1
    } else if to.minor > 0 {
        2
    } else {
        3
    };
    let render = |precision: usize| {
        let parts = [to.major, to.minor, to.patch];
        let shown = precision.clamp(needed, 3);
        let text: Vec<String> = parts[..shown].iter().map(u64::to_string).collect();
        (text.join("."), shown)
    };
    let (op, body) = split_operator(trimmed);
    let op = op.trim();
    let body = body.trim();
    let parts: Vec<&str> = if body.is_empty() {
        Vec::new()
    } else {
        body.split('.').collect()
    };
    let numeric = parts
        .iter()
        .take_while(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        .count();
    let wildcard = |p: &str| matches!(p, "*" | "x" | "X");
    let single = !trimmed.contains(',') && (1..=3).contains(&parts.len());
    // `~0.0.3` would admit 0.0.4, another line: tilde cannot name a 0.0.x line.
    let kept = matches!(op, "" | "^" | "=") || (op == "~" && needed < 3);
    if single && numeric == parts.len() && kept {
        return Restyled {
            req: format!("{op}{}", render(numeric).0),
            note: None,
        };
    }
    if single && numeric > 0 && op.is_empty() && parts[numeric..].iter().all(|p| wildcard(p)) {
        let (text, shown) = render(numeric);
        let req = if shown < 3 { format!("{text}.*") } else { text };
        return Restyled { req, note: None };
    }
    // A bound, a range or `*`: the bare requirement at the precision written.
    let precision = trimmed
        .split(',')
        .next()
        .map(|c| {
            let (_, b) = split_operator(c.trim());
            b.split('.')
                .take_while(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                .count()
        })
        .unwrap_or(0);
    let req = render(precision).0;
    let note = format!(
        "`{trimmed}` cannot select the {} line alone; written as `{req}`, which selects it and no other",
        Line::of(to)
    );
    Restyled {
        req,
        note: Some(note),
    }
}

impl fmt::Display for PatchSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_toml())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).expect("version")
    }

    #[test]
    fn restyle_keeps_operator_and_precision() {
        let r = |w: &str, t: &str| restyle(w, &v(t)).req;
        assert_eq!(r("0.11", "0.14.0"), "0.14");
        assert_eq!(r("0.11.1", "0.14.0"), "0.14.0");
        assert_eq!(r("^0.11", "0.14.0"), "^0.14");
        assert_eq!(r("=0.11.1", "0.14.0"), "=0.14.0");
        assert_eq!(r("~0.9", "0.12.3"), "~0.12");
        assert_eq!(r("1", "2.0.1"), "2");
        assert_eq!(r("1", "0.12.3"), "0.12");
    }

    /// Every operator form cargo accepts, rewritten for targets on 0.0.x, 0.x and x.y lines:
    /// the new requirement matches the target and no release of another line.
    #[test]
    fn every_operator_form_lands_on_the_target_line_only() {
        const FORMS: &[&str] = &[
            "0.11",
            "0.11.1",
            "1",
            "^0.11",
            "^0.11.1",
            "^1",
            "^0",
            "~0.11",
            "~0.11.1",
            "~1",
            "=0.11.1",
            "=0.11",
            "=1",
            "0.11.*",
            "0.*",
            "1.*",
            "1.2.*",
            "*",
            "<0.12",
            "<=0.11.1",
            ">=0.11",
            ">0.10",
            ">= 0.11",
            ">=0.11, <0.12",
            ">=0.9, <0.14",
            "0.0",
            "^0.0.1",
        ];
        const TARGETS: &[&str] = &["0.14.0", "0.14.3", "0.9.2", "2.0.1", "1.5.2", "0.0.3"];
        const RELEASES: &[&str] = &[
            "0.0.1", "0.0.3", "0.0.4", "0.1.0", "0.9.2", "0.11.1", "0.12.3", "0.13.0", "0.14.0",
            "0.14.3", "0.14.9", "0.15.0", "0.20.0", "1.0.0", "1.5.2", "1.9.0", "2.0.0", "2.0.1",
            "2.3.0", "3.0.0", "10.0.0",
        ];
        for form in FORMS {
            for target in TARGETS.iter().map(|t| v(t)) {
                let new = restyle(form, &target);
                let req = VersionReq::parse(&new.req)
                    .unwrap_or_else(|e| panic!("`{form}` → `{}` does not parse: {e}", new.req));
                assert!(
                    req.matches(&target),
                    "`{form}` → `{}` misses {target}",
                    new.req
                );
                for other in RELEASES.iter().map(|r| v(r)) {
                    if Line::of(&other) != Line::of(&target) {
                        assert!(
                            !req.matches(&other),
                            "`{form}` → `{}` for {target} also admits {other}",
                            new.req
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn kept_forms_keep_their_operator_and_others_say_why_they_changed() {
        let cases = [
            ("~0.11.1", "0.14.0", "~0.14.0", false),
            ("=0.11", "0.14.0", "=0.14", false),
            ("0.11.*", "0.14.0", "0.14.*", false),
            ("1.*", "2.0.1", "2.*", false),
            ("0.*", "0.14.0", "0.14.*", false),
            ("^0", "0.14.0", "^0.14", false),
            ("0.0", "0.0.3", "0.0.3", false),
            ("*", "0.14.0", "0.14", true),
            ("<0.12", "0.14.0", "0.14", true),
            ("<=0.11.1", "0.14.0", "0.14.0", true),
            (">=0.11", "0.14.0", "0.14", true),
            (">0.10", "0.9.2", "0.9", true),
            (">=0.11, <0.12", "0.14.0", "0.14", true),
        ];
        for (written, target, expected, noted) in cases {
            let new = restyle(written, &v(target));
            assert_eq!(new.req, expected, "`{written}` for {target}");
            assert_eq!(new.note.is_some(), noted, "`{written}`: {:?}", new.note);
        }
        let note = restyle("<0.12", &v("0.14.0")).note.expect("a note");
        assert_eq!(
            note,
            "`<0.12` cannot select the 0.14 line alone; written as `0.14`, which selects it and no other"
        );
    }

    #[test]
    fn higher_compares_lowest_versions() {
        assert!(higher("0.16", "0.14"));
        assert!(!higher("0.14", "0.16"));
        assert!(higher("=0.14.1", "0.14"));
        assert!(higher("0.16.*", "0.14"));
        assert!(higher("~0.14.2", "0.14.1"));
        assert!(!higher("0.9.*", "0.10"));
    }

    #[test]
    fn git_sources_become_patch_specs() {
        assert_eq!(
            PatchSpec::from_git_source("git+https://github.com/acme/tonic?branch=grpc-fix#4f5e6d7"),
            Some(PatchSpec::Git {
                url: "https://github.com/acme/tonic".to_owned(),
                reference: Some(("branch".to_owned(), "grpc-fix".to_owned())),
            })
        );
        assert_eq!(
            PatchSpec::from_git_source("git+https://example.com/x#abc").map(|s| s.to_toml()),
            Some("{ git = \"https://example.com/x\", rev = \"abc\" }".to_owned())
        );
        assert_eq!(
            PatchSpec::Path("forks/tonic".to_owned()).to_toml(),
            "{ path = \"forks/tonic\" }"
        );
    }
}

#[cfg(test)]
mod planning_tests {
    use super::*;
    use crate::analysis::{Options, analyze};
    use crate::graph::Kind;
    use crate::registry::{MemoryRegistry, ReleaseDep};
    use crate::testkit::Builder;

    fn release(version: &str, deps: &[(&str, &str)]) -> Release {
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
    fn findings() -> Vec<Finding> {
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

    fn ws() -> Workspace {
        Workspace {
            root_manifest: PathBuf::from("/ws/Cargo.toml"),
            root_manifest_rel: "Cargo.toml".to_owned(),
            root: PathBuf::from("/ws"),
            crates_io_patch: None,
        }
    }

    #[test]
    fn skips_yanked_too_new_and_featureless_candidates() {
        let mut yanked = release("0.14.0", &[("tonic", "^0.12")]);
        yanked.yanked = true;
        yanked.features.insert("tls".to_owned());
        let mut too_new = release("0.14.1", &[("tonic", "^0.12.3")]);
        too_new.rust_version = Some(Version::new(1, 90, 0));
        too_new.features.insert("tls".to_owned());
        let no_tls = release("0.15.0", &[("tonic", "^0.12.3")]);
        let mut good = release("0.15.1", &[("tonic", "^0.12.3")]);
        good.features.insert("tls".to_owned());
        let mut newer = release("0.16.1", &[("tonic", "^0.13.1")]);
        newer.features.insert("tls".to_owned());
        let mut registry = MemoryRegistry::default();
        registry.crates.insert(
            "etcd-client".to_owned(),
            vec![
                release("0.11.1", &[("tonic", "^0.9.2")]),
                yanked,
                too_new,
                no_tls,
                good,
                newer,
            ],
        );
        let opts = PlanOptions {
            rust_version: Some(Version::new(1, 80, 0)),
            ..PlanOptions::default()
        };
        let plan = plan(&findings(), &registry, &ws(), &opts).expect("plans");
        assert_eq!(plan.edits.len(), 1, "{plan:#?}");
        assert_eq!(plan.edits[0].key, "etcd-client");
        assert_eq!(plan.edits[0].from.as_deref(), Some("0.11"));
        assert_eq!(plan.edits[0].to, "0.15");
        assert!(plan.unfixable.is_empty());
    }

    #[test]
    fn no_candidate_names_the_blocking_crate_and_its_newest_requirement() {
        let mut registry = MemoryRegistry::default();
        registry.crates.insert(
            "etcd-client".to_owned(),
            vec![
                release("0.11.1", &[("tonic", "^0.9.2")]),
                release("0.11.2", &[("tonic", "^0.9.2")]),
            ],
        );
        let plan = plan(&findings(), &registry, &ws(), &PlanOptions::default()).expect("plans");
        assert!(plan.edits.is_empty());
        let u = &plan.unfixable[0];
        assert_eq!(u.blocking, "etcd-client");
        assert_eq!(u.newest.as_deref(), Some("0.11.2"));
        assert_eq!(u.requirement.as_deref(), Some("^0.9.2"));
        assert!(
            u.message.contains("--patch-with etcd-client="),
            "{}",
            u.message
        );
    }

    #[test]
    fn a_release_that_lands_but_cannot_be_used_is_named_with_why() {
        let mut yanked = release("0.14.0", &[("tonic", "^0.12")]);
        yanked.yanked = true;
        let mut registry = MemoryRegistry::default();
        registry.crates.insert(
            "etcd-client".to_owned(),
            vec![release("0.11.1", &[("tonic", "^0.9.2")]), yanked],
        );
        let plan = plan(&findings(), &registry, &ws(), &PlanOptions::default()).expect("plans");
        assert!(plan.edits.is_empty());
        let message = &plan.unfixable[0].message;
        assert!(
            message.starts_with(
                "etcd-client 0.14.0 requires tonic ^0.12 (the 0.12 line), but it is yanked; no other release"
            ),
            "{message}"
        );
    }

    #[test]
    fn patch_with_points_the_blocking_crate_at_a_fork() {
        let registry = MemoryRegistry::default();
        let opts = PlanOptions {
            patch_with: [(
                "etcd-client".to_owned(),
                PatchSpec::Git {
                    url: "https://example.com/etcd-client".to_owned(),
                    reference: Some(("branch".to_owned(), "tonic-0.12".to_owned())),
                },
            )]
            .into_iter()
            .collect(),
            ..PlanOptions::default()
        };
        let plan = plan(&findings(), &registry, &ws(), &opts).expect("plans");
        assert_eq!(plan.edits.len(), 1);
        assert_eq!(plan.edits[0].table, "patch.crates-io");
        assert_eq!(
            plan.edits[0].to,
            "{ git = \"https://example.com/etcd-client\", branch = \"tonic-0.12\" }"
        );
        assert_eq!(
            plan.commands,
            [["cargo", "update", "-p", "etcd-client@0.11.1"]]
        );
    }

    #[test]
    fn the_same_key_gets_one_edit_with_the_higher_release() {
        let registry = MemoryRegistry::default();
        let ws = ws();
        let opts = PlanOptions::default();
        let edit = |to: &str, finding: &str| Edit {
            manifest: "Cargo.toml".to_owned(),
            table: "dependencies".to_owned(),
            key: "etcd-client".to_owned(),
            from: Some("0.11".to_owned()),
            to: to.to_owned(),
            reason: String::new(),
            finding: finding.to_owned(),
            target: EditTarget::Requirement {
                manifest: PathBuf::from("/ws/Cargo.toml"),
                workspace: false,
                kind: Kind::Normal,
                platform: None,
                key: "etcd-client".to_owned(),
            },
        };
        let planner = Planner {
            registry: &registry,
            ws: &ws,
            opts: &opts,
            edits: vec![
                edit("0.14", "diverging-versions:tonic"),
                edit("0.16", "diverging-versions:tower"),
                edit("0.15", "diverging-versions:prost"),
            ],
            commands: Vec::new(),
            unfixable: Vec::new(),
            seen: Default::default(),
            unfixable_seen: Default::default(),
            moved: BTreeMap::new(),
            pins: BTreeMap::new(),
            line_reason: None,
        };
        let plan = planner.finish();
        assert_eq!(plan.edits.len(), 1);
        assert_eq!(plan.edits[0].to, "0.16");
        assert_eq!(plan.edits[0].finding, "diverging-versions:tower");
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
