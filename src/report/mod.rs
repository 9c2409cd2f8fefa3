//! Reports: the plain data every format renders, and the renderers. The data: [`Report`]
//! for `check` (built from the policy's outcome), [`inventory`] for `scan` (rows `scan`
//! fills), [`fix::FixReport`] with the [`fix::Verification`] `verify` fills. Renderers take
//! that data and a writer (the caller chooses stdout or `--output`); they never analyse,
//! resolve or read files. [`Locations`], made once by the caller, resolves the root's links
//! so machine formats name files as git does. The scan's progress line on stderr is here too
//! ([`scan::Progress`]).
//!
//! Findings arrive worded (their message and help come from `diags`); the renderers lay them
//! out. The phrases the human reports add around a finding (its qualifiers, a version's
//! source and dependents, what is allowed of it) and the unify edit the root-cause lines
//! shorten are `diags`'s too; layout (indentation, "and N more", counts) stays here.

mod compact;
pub mod diagnose;
pub mod escape;
pub mod fix;
pub mod github;
pub mod graph;
pub mod human;
pub mod inventory;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod scan;
mod snippet;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::Verbosity;
use crate::analysis::{Finding, Level};
use crate::policy::{Allowed, BaselineOutcome, Overruled};

/// The JSON schema version of `check --format json`.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything `check` reports.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The findings left after policy, errors first, then by crate and code.
    pub findings: Vec<Finding>,
    /// Findings an `allow` entry or a level setting removed, with the reason.
    pub allowed: Vec<Allowed>,
    /// What `--baseline` matched and what it lists that is fixed now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineOutcome>,
    /// Workspace settings (levels, allow entries, the baseline) a version rule overruled:
    /// the findings stand and their messages say so.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overruled: Vec<Overruled>,
    /// The lockfile mode: what this input cannot see.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<InputInfo>,
    /// Generated members (cargo-hakari workspace-hack): their dependencies are compiled and
    /// checked, but never counted as a member's own use.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub generated: Vec<String>,
    /// `check` with no input flag: which path answered, and why cargo was asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_by: Option<AnsweredBy>,
    /// The findings counted by their final level: `errors > 0` fails the gate.
    pub summary: Summary,
}

/// Which path answered a `check` given no input flag: `lockfile` (the fast path: Cargo.lock,
/// the manifests and cargo's local index data, where it can show its answer is cargo's) or
/// `cargo-metadata`, with the reason cargo was asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AnsweredBy {
    pub path: &'static str,
    /// Why cargo was asked; `null` when the fast path answered.
    pub fallback: Option<String>,
}

/// Said once when the input cannot give every fact.
#[derive(Clone, Debug, Serialize)]
pub struct InputInfo {
    /// The input mode (`lockfile`).
    pub mode: &'static str,
    /// What this input cannot see, in one sentence.
    pub not_known: String,
}

/// Findings counted by their final level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Error-level findings.
    pub errors: usize,
    /// Warning-level findings.
    pub warnings: usize,
    /// Notes (collateral duplicates, policy notices).
    pub notes: usize,
}

impl Report {
    /// Builds the report from the findings left after policy.
    pub fn new(outcome: crate::policy::Outcome) -> Report {
        let mut summary = Summary::default();
        for f in &outcome.findings {
            match f.level {
                Level::Error => summary.errors += 1,
                Level::Warning => summary.warnings += 1,
                Level::Note => summary.notes += 1,
            }
        }
        Report {
            schema_version: SCHEMA_VERSION,
            findings: outcome.findings,
            allowed: outcome.allowed,
            baseline: outcome.baseline,
            overruled: outcome.overruled,
            input: None,
            generated: Vec::new(),
            answered_by: None,
            summary,
        }
    }
}

/// How machine formats name files: relative to the git top level when there is one, else to
/// the workspace root.
#[derive(Clone, Debug)]
pub struct Locations {
    prefix: String,
}

impl Locations {
    pub fn new(root: &Path, toplevel: Option<&Path>) -> Locations {
        let root: PathBuf = root.canonicalize().unwrap_or_else(|_| root.to_owned());
        let prefix = toplevel
            .and_then(|top| root.strip_prefix(top).ok())
            .map(|rel| crate::location::relative(Path::new(""), rel))
            .filter(|p| !p.is_empty())
            .map(|p| format!("{p}/"))
            .unwrap_or_default();
        Locations { prefix }
    }

    /// A path relative to the workspace root, as the machine formats write it.
    pub fn path(&self, rel: &str) -> String {
        format!("{}{rel}", self.prefix)
    }

    /// A path relative to the workspace root as a URI reference (SARIF `uri`, see
    /// [`escape::uri_path`]).
    pub fn uri(&self, rel: &str) -> String {
        escape::uri_path(&self.path(rel))
    }

    /// Where a finding points: its first origin with a line (the older versions first), the
    /// configuration entry for unused-allow, else Cargo.lock (line 1). A finding reported
    /// against a workspace-hack points at its declarations first.
    pub fn of(&self, f: &Finding) -> (String, usize) {
        if let Some(loc) = &f.location {
            return (self.path(&loc.manifest), loc.line);
        }
        let hack = f
            .versions
            .iter()
            .filter(|v| v.only_workspace_hack)
            .flat_map(|v| &v.workspace_hack);
        for o in hack.chain(f.versions.iter().flat_map(|v| &v.origins)) {
            if let (Some(m), Some(line)) = (&o.manifest, o.line) {
                return (self.path(m), line);
            }
        }
        (self.path("Cargo.lock"), 1)
    }
}

/// How the human report looks.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub verbosity: Verbosity,
    /// Wrap diagnostics to this width (a terminal's); `None`: never wrap.
    pub width: Option<usize>,
}

/// `1 edit`, `2 edits`.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Summary {
    /// `2 errors, 1 warning, 3 notes`
    pub fn counts(&self) -> String {
        format!(
            "{}, {}, {}",
            plural(self.errors, "error", "errors"),
            plural(self.warnings, "warning", "warnings"),
            plural(self.notes, "note", "notes")
        )
    }
}
