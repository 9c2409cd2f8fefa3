//! The `fix` report: the plan with its reasons, a unified diff per manifest, the
//! verification (plain data `verify` fills), and what was applied. Rendered here as human
//! text, or its summary line alone (`-q`); JSON and Markdown are rendered by `json` and
//! `markdown`.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::plural;
use crate::analysis::Level;
use crate::manifest::edit::FileChange;
use crate::plan::{Edit, FixPlan, SCHEMA_VERSION, Unfixable};

/// What happened to the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// No finding in scope: nothing to change.
    NothingToDo,
    /// Findings are in scope, and none has a fix: nothing to change, nothing fixed.
    Unfixable,
    /// Findings are in scope whose only fix is a command `fix` names and does not run
    /// (`then_run`: regenerating a stale workspace-hack): nothing to change here.
    ThenRun,
    /// Edits are planned and were not written (no `--apply`).
    Pending,
    /// `--apply` was given but the plan is not verified: nothing was written.
    NotVerified,
    /// The edits were written (and Cargo.lock, when cargo's resolve changed it).
    Applied,
}

/// One manifest's unified diff.
#[derive(Clone, Debug, Serialize)]
pub struct Diff {
    pub manifest: String,
    pub diff: String,
}

/// The outcome of re-resolving the edited copy, as `verify` finds it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Verification {
    /// cargo resolved the edited workspace.
    pub resolved: bool,
    /// Resolved, and every finding the plan targets is gone.
    pub verified: bool,
    /// Versions of each involved crate before and after.
    pub before: BTreeMap<String, Vec<String>>,
    pub after: BTreeMap<String, Vec<String>>,
    /// Findings left after the changes (splits inside the target line itself, or findings
    /// the plan could not fix).
    pub residual: Vec<Residual>,
    /// Why verification failed or could not run (cargo's own message when it refused).
    pub message: Option<String>,
    /// Some finding the plan targets is still there after the changes (for the wording; the
    /// residual lists them).
    #[serde(skip)]
    pub targets_remain: bool,
    /// Releases the copy resolved onto whose `rust-version` is above the workspace's: the
    /// plan is not verified while there are any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub above_rust_version: Vec<AboveRustVersion>,
    /// What the user should know about the proof that is no failure of it (a resolver that
    /// does not prefer releases within the workspace's rust-version).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// `--build-check`: what cargo check made of the copy with the workspace's sources; the
    /// plan is verified only when it is clean.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<BuildCheck>,
}

/// What `cargo check --workspace --all-targets` made of the verified copy with the
/// workspace's sources (`fix --build-check`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BuildCheck {
    /// `clean`, `two-versions` (errors where two versions of a crate meet remain),
    /// `source-changes` (the code must change for the new releases) or `failed` (cargo could
    /// not build the copy: `message` says why).
    pub outcome: &'static str,
    /// Errors where two versions of a crate still meet.
    pub two_versions: Vec<BuildError>,
    /// The first errors the user's sources must fix.
    pub source_changes: Vec<BuildError>,
    /// How many more such errors there are.
    pub more: usize,
    pub message: Option<String>,
}

/// One error rustc reported on the copy: the file relative to the workspace root (or as
/// rustc names it outside), the line, the code and rustc's message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BuildError {
    pub file: Option<String>,
    pub line: Option<usize>,
    pub code: Option<String>,
    pub message: String,
    /// A several-versions error: the crate.
    #[serde(rename = "crate", skip_serializing_if = "Option::is_none")]
    pub krate: Option<String>,
}

/// How many source changes the report lists before "and N more" (rustc's first errors are
/// the ones to read first).
const SOURCE_CHANGES_SHOWN: usize = 5;

impl BuildCheck {
    /// The account of a build whose errors are `errors`.
    pub fn of(errors: Vec<BuildError>) -> BuildCheck {
        let (two_versions, mut source_changes): (Vec<_>, Vec<_>) =
            errors.into_iter().partition(|e| e.krate.is_some());
        let more = source_changes.len().saturating_sub(SOURCE_CHANGES_SHOWN);
        source_changes.truncate(SOURCE_CHANGES_SHOWN);
        let outcome = if !two_versions.is_empty() {
            "two-versions"
        } else if !source_changes.is_empty() {
            "source-changes"
        } else {
            "clean"
        };
        BuildCheck {
            outcome,
            two_versions,
            source_changes,
            more,
            message: None,
        }
    }

    /// cargo could not build the copy at all.
    pub fn failed(message: String) -> BuildCheck {
        BuildCheck {
            outcome: "failed",
            message: Some(message),
            ..BuildCheck::default()
        }
    }

    pub fn clean(&self) -> bool {
        self.outcome == "clean"
    }
}

/// A release the verification copy resolved onto that needs a newer Rust than the
/// workspace declares.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AboveRustVersion {
    #[serde(rename = "crate")]
    pub krate: String,
    pub version: String,
    /// The release's `rust-version`.
    pub rust_version: String,
    /// The workspace's (its members' lowest).
    pub workspace: String,
}

/// A finding left after the changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Residual {
    pub code: String,
    #[serde(rename = "crate")]
    pub krate: String,
    pub level: Level,
    pub versions: Vec<String>,
    pub message: String,
}

/// A command to run after the edits (or instead of any), which `fix` neither runs nor
/// proves: `cargo hakari generate` for a cargo-hakari workspace-hack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ThenRun {
    pub command: Vec<String>,
    pub reason: String,
}

/// Everything `fix` reports.
#[derive(Clone, Debug, Serialize)]
pub struct FixReport {
    pub schema_version: u32,
    pub status: Status,
    pub edits: Vec<Edit>,
    pub commands: Vec<Vec<String>>,
    pub unfixable: Vec<Unfixable>,
    /// Commands for the user to run afterwards; never run, never counted as verified.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub then_run: Vec<ThenRun>,
    pub diffs: Vec<Diff>,
    pub verification: Option<Verification>,
    /// Whether `--apply` wrote a new Cargo.lock (false when cargo's resolve left it as it was).
    pub lockfile_changed: bool,
    /// How the plan grew after its first round: what each edited copy showed and what was
    /// added for it.
    pub rounds: Vec<String>,
}

impl FixReport {
    pub fn new(
        plan: FixPlan,
        changes: &[FileChange],
        verification: Option<Verification>,
        status: Status,
    ) -> FixReport {
        FixReport {
            schema_version: SCHEMA_VERSION,
            status,
            edits: plan.edits,
            commands: plan.commands,
            unfixable: plan.unfixable,
            then_run: Vec::new(),
            diffs: changes
                .iter()
                .map(|c| Diff {
                    manifest: c.rel.clone(),
                    diff: c.diff(),
                })
                .collect(),
            verification,
            lockfile_changed: false,
            rounds: Vec::new(),
        }
    }
}

/// Only the summary line (`-q`).
pub fn render_summary(report: &FixReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "summary: {}", summary(report))
}

/// Plain text, for people. `_color` is accepted for symmetry with `check`; the report has
/// no colour yet.
pub fn render_human(report: &FixReport, _color: bool, out: &mut dyn Write) -> io::Result<()> {
    if report.status == Status::NothingToDo && report.unfixable.is_empty() {
        return render_summary(report, out);
    }
    if !report.edits.is_empty() {
        writeln!(out, "plan: {}", plural(report.edits.len(), "edit", "edits"))?;
        for e in &report.edits {
            let added = matches!(e.target, crate::plan::EditTarget::Add { .. });
            let from = match (&e.from, added) {
                (Some(f), _) => format!("\"{f}\""),
                (None, true) => "(new dependency)".to_owned(),
                (None, false) => "(new entry)".to_owned(),
            };
            let to = if e.from.is_some() || added {
                format!("\"{}\"", e.to)
            } else {
                e.to.clone()
            };
            writeln!(
                out,
                "  {} [{}] {}: {from} → {to}",
                e.manifest, e.table, e.key
            )?;
            writeln!(out, "      why: {}", e.reason)?;
            writeln!(out, "      fixes: {}", e.finding)?;
        }
    }
    for r in &report.rounds {
        writeln!(out, "  {r}")?;
    }
    if !report.commands.is_empty() {
        writeln!(out, "commands:")?;
        for c in &report.commands {
            writeln!(out, "  {}", c.join(" "))?;
        }
    }
    if !report.unfixable.is_empty() {
        writeln!(out, "cannot fix:")?;
        for u in &report.unfixable {
            writeln!(out, "  {}: {}", u.finding, u.message)?;
            for a in &u.alternatives {
                writeln!(out, "    or {}: {}", a.text, a.how)?;
            }
        }
    }
    if !report.then_run.is_empty() {
        writeln!(out, "then run (not run or verified by this tool):")?;
        for t in &report.then_run {
            writeln!(out, "  {}", t.command.join(" "))?;
            writeln!(out, "      why: {}", t.reason)?;
        }
    }
    for d in &report.diffs {
        writeln!(out)?;
        out.write_all(d.diff.as_bytes())?;
    }
    if let Some(v) = &report.verification {
        render_verification(v, out)?;
    }
    writeln!(out)?;
    render_summary(report, out)
}

/// The verification's account: what cargo resolved, what remains, and the verdict in words
/// that never claim more than the proof.
fn render_verification(v: &Verification, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out)?;
    if v.resolved {
        writeln!(
            out,
            "verification: cargo re-resolved a copy of the workspace with these edits"
        )?;
        for (krate, before) in &v.before {
            let after = v.after.get(krate).cloned().unwrap_or_default();
            writeln!(out, "  {krate}: {} → {}", list(before), list(&after))?;
        }
        for r in &v.residual {
            writeln!(
                out,
                "  residual {} {} {}: {}",
                r.level.as_str(),
                r.code,
                r.krate,
                r.versions.join(", ")
            )?;
        }
        if let Some(m) = &v.message {
            writeln!(out, "  {m}")?;
        }
        for n in &v.notes {
            writeln!(out, "  note: {n}")?;
        }
        if let Some(b) = &v.build {
            render_build(b, out)?;
        }
        let compiled = v.build.as_ref().is_some_and(BuildCheck::clean);
        writeln!(
            out,
            "  {}",
            if v.build.as_ref().is_some_and(|b| !b.clean()) {
                "not verified: cargo resolves it and the targeted findings are gone, but it does not compile (see the build check); nothing is written until it does: make the changes above, or rerun without --build-check to write the edits cargo resolved"
            } else if compiled && v.verified && v.residual.iter().all(|r| r.level != Level::Error) {
                "verified: the targeted findings are gone, cargo resolves it and `cargo check` compiles it"
            } else if v.verified && v.residual.iter().any(|r| r.level == Level::Error) {
                "verified for what it fixes: those findings are gone (cargo resolves it; compiling is up to you), but the residual errors above remain: see `cannot fix`"
            } else if v.verified {
                "verified: the targeted findings are gone (cargo resolves it; compiling is up to you)"
            } else if v.targets_remain {
                "not verified: findings the plan targets remain"
            } else if !v.above_rust_version.is_empty() {
                "not verified: cargo resolved releases above the workspace's rust-version"
            } else {
                "not verified: the targeted findings are gone, but the edits bring new ones"
            }
        )?;
    } else {
        writeln!(out, "verification: not verified")?;
        if let Some(m) = &v.message {
            for line in m.lines() {
                writeln!(out, "  {line}")?;
            }
        }
    }
    Ok(())
}

/// The build check's account (`--build-check`): clean, the errors where two versions still
/// meet, and the source changes to make (the first few, then how many more).
fn render_build(b: &BuildCheck, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "  build check: cargo check --workspace --all-targets on the copy, with the workspace's sources"
    )?;
    let line = |e: &BuildError| {
        let at = match (&e.file, e.line) {
            (Some(f), Some(l)) => format!("{f}:{l}: "),
            _ => String::new(),
        };
        let code = e
            .code
            .as_deref()
            .map(|c| format!("[{c}]"))
            .unwrap_or_default();
        format!("{at}error{code}: {}", e.message)
    };
    match b.outcome {
        "clean" => writeln!(out, "    it compiles")?,
        "failed" => {
            for l in b.message.as_deref().unwrap_or_default().lines() {
                writeln!(out, "    {l}")?;
            }
        }
        _ => {}
    }
    if !b.two_versions.is_empty() {
        writeln!(out, "    two versions of a crate still meet:")?;
        for e in &b.two_versions {
            let krate = e.krate.as_deref().unwrap_or_default();
            writeln!(out, "      {} ({krate})", line(e))?;
        }
    }
    if !b.source_changes.is_empty() {
        writeln!(out, "    source changes to make for the new releases:")?;
        for e in &b.source_changes {
            writeln!(out, "      {}", line(e))?;
        }
        if b.more > 0 {
            writeln!(out, "      … and {} more", b.more)?;
        }
    }
    Ok(())
}

/// The summary line's text, after `summary: `.
fn summary(report: &FixReport) -> String {
    if report.status == Status::NothingToDo && report.unfixable.is_empty() {
        return "nothing to fix: no finding in scope (see `cargo etcd-deps check`)".to_owned();
    }
    let changes = report.edits.len() + report.commands.len();
    let proven = report.verification.as_ref().map(|v| v.verified);
    let summary = match report.status {
        Status::NothingToDo | Status::Unfixable => "nothing to apply".to_owned(),
        Status::ThenRun => format!(
            "nothing to apply; run {}, then check again",
            report
                .then_run
                .iter()
                .map(|t| format!("`{}`", t.command.join(" ")))
                .collect::<Vec<_>>()
                .join(" and ")
        ),
        Status::Pending if proven == Some(false) => format!(
            "{} pending, not verified: --apply would write nothing (see the verification)",
            plural(changes, "change", "changes")
        ),
        Status::Pending => format!(
            "{} pending; rerun with --apply to write {}",
            plural(changes, "change", "changes"),
            if changes == 1 { "it" } else { "them" }
        ),
        Status::NotVerified => {
            "nothing written: the plan is not verified (use --no-verify to write it anyway)"
                .to_owned()
        }
        Status::Applied => format!(
            "applied {}{}",
            plural(changes, "change", "changes"),
            if report.lockfile_changed {
                " and refreshed Cargo.lock"
            } else {
                ""
            }
        ),
    };
    // One finding may be listed with several reasons against a fix: count the findings.
    let findings: std::collections::BTreeSet<&str> = report
        .unfixable
        .iter()
        .map(|u| u.finding.as_str())
        .collect();
    let unfixable = if findings.is_empty() {
        String::new()
    } else {
        format!(
            "; {} without a fix",
            plural(findings.len(), "finding", "findings")
        )
    };
    format!("{summary}{unfixable}")
}

fn list(versions: &[String]) -> String {
    if versions.is_empty() {
        "(none)".to_owned()
    } else {
        versions.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(lockfile_changed: bool) -> String {
        let report = FixReport {
            lockfile_changed,
            ..FixReport::new(FixPlan::default(), &[], None, Status::Applied)
        };
        let mut out = Vec::new();
        render_human(&report, false, &mut out).expect("render");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn verified_is_never_said_alone_beside_a_residual_error() {
        let plan = FixPlan {
            commands: vec![vec!["cargo".to_owned(), "update".to_owned()]],
            ..FixPlan::default()
        };
        let v = Verification {
            resolved: true,
            verified: true,
            residual: vec![Residual {
                code: "diverging-versions".to_owned(),
                krate: "tonic".to_owned(),
                level: Level::Error,
                versions: vec!["0.12.3".to_owned(), "0.13.1".to_owned()],
                message: String::new(),
            }],
            ..Verification::default()
        };
        let report = FixReport::new(plan, &[], Some(v), Status::Pending);
        let mut out = Vec::new();
        render_human(&report, false, &mut out).expect("render");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.contains("verified for what it fixes"), "{text}");
        assert!(text.contains("the residual errors above remain"), "{text}");
        assert!(
            !text.contains("verified: the targeted findings are gone"),
            "{text}"
        );
    }

    #[test]
    fn a_pending_plan_that_is_not_verified_says_so_on_its_one_line() {
        let plan = FixPlan {
            commands: vec![vec!["cargo".to_owned(), "update".to_owned()]],
            ..FixPlan::default()
        };
        let line = |verified: bool| {
            let v = Verification {
                resolved: true,
                verified,
                ..Verification::default()
            };
            let report = FixReport::new(plan.clone(), &[], Some(v), Status::Pending);
            let mut out = Vec::new();
            render_summary(&report, &mut out).expect("render");
            String::from_utf8(out).expect("utf-8")
        };
        assert!(
            line(false).contains("1 change pending, not verified"),
            "{}",
            line(false)
        );
        assert!(
            line(true).contains("1 change pending; rerun with --apply"),
            "{}",
            line(true)
        );
    }

    #[test]
    fn the_summary_says_cargo_lock_was_refreshed_only_when_it_changed() {
        assert!(applied(true).contains("summary: applied 0 changes and refreshed Cargo.lock"));
        let unchanged = applied(false);
        assert!(
            unchanged.contains("summary: applied 0 changes\n"),
            "{unchanged}"
        );
        assert!(!unchanged.contains("Cargo.lock"), "{unchanged}");
    }
}

#[cfg(test)]
mod build_tests {
    use super::*;

    fn error(file: &str, krate: Option<&str>) -> BuildError {
        BuildError {
            file: Some(file.to_owned()),
            line: Some(1),
            code: Some("E0308".to_owned()),
            message: "mismatched types".to_owned(),
            krate: krate.map(str::to_owned),
        }
    }

    #[test]
    fn two_version_errors_come_first_and_source_changes_are_cut_after_five() {
        let mut errors: Vec<BuildError> = (0..8)
            .map(|i| error(&format!("src/f{i}.rs"), None))
            .collect();
        errors.push(error("app/src/lib.rs", Some("tonic")));
        let b = BuildCheck::of(errors);
        assert_eq!(b.outcome, "two-versions");
        assert_eq!(b.two_versions.len(), 1);
        assert_eq!(b.source_changes.len(), 5);
        assert_eq!(b.more, 3);
        assert!(!b.clean());
        let mut out = Vec::new();
        render_build(&b, &mut out).expect("write");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(
            text.contains("      app/src/lib.rs:1: error[E0308]: mismatched types (tonic)"),
            "{text}"
        );
        assert!(text.contains("      … and 3 more"), "{text}");
        assert!(BuildCheck::of(Vec::new()).clean());
        assert_eq!(BuildCheck::failed("no".to_owned()).outcome, "failed");
    }
}
