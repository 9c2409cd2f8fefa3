//! The fleet inventory `scan` reports: one row per workspace (the crate versions it
//! resolves, its counts, policy verdict and findings, or why it could not be read) and the
//! fleet summary built from the rows. Plain data: `scan` fills the rows, the renderers in
//! [`super::scan`] and `scan merge` read them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Summary;
use crate::analysis::Line;

/// The JSON schema version of `scan --format json`.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole inventory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScanReport {
    pub schema_version: u32,
    pub workspaces: Vec<Workspace>,
    /// Per inventoried crate, per line, the workspaces on it.
    pub fleet: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

/// One row: a workspace, or why it could not be read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Workspace {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Per inventoried crate, the versions it resolves (ascending).
    #[serde(default)]
    pub lines: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub summary: Summary,
    /// The policy verdict, when a policy applies.
    #[serde(default)]
    pub policy: Option<PolicyStatus>,
    #[serde(default)]
    pub findings: Vec<ScanFinding>,
    /// The member line to edit first: `manifest:line key`.
    #[serde(default)]
    pub edit: Option<String>,
}

/// Where a workspace stands against the policy: the status of its worst rule with that same
/// rule's deny date (never one rule's level beside another's deadline), and every rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyStatus {
    /// The worst rule's status: `ok`, `allowed`, `note`, `warning` or `error` (see
    /// [`RuleStatus::status`]).
    pub status: String,
    /// The worst rule's deny date and the days left to it; null when every rule is kept.
    pub deny_from: Option<String>,
    pub days_left: Option<i64>,
    /// `crate@version` of each version outside a rule.
    pub outside: Vec<String>,
    /// Where the worst rule is written (`file:line`); null when every rule is kept.
    #[serde(default)]
    pub rule: Option<String>,
    /// Every rule, the workspace's own first, then the shared file's.
    #[serde(default)]
    pub rules: Vec<RuleStatus>,
}

/// One rule's standing in a workspace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleStatus {
    #[serde(rename = "crate")]
    pub krate: String,
    /// The requirement as written.
    pub versions: String,
    /// Where the rule is written: `file:line`.
    pub rule: String,
    /// `ok` (every version inside the rule), `allowed` (versions outside it, which the
    /// workspace's own settings allow), else the level of its finding: `note`, `warning` or
    /// `error`.
    pub status: String,
    /// The rule's own level on the day of the scan, from its window: `note`, `warning` or
    /// `error`.
    pub level: String,
    pub warn_from: Option<String>,
    pub deny_from: Option<String>,
    /// Days until `deny_from` (negative once past; null without one).
    pub days_left: Option<i64>,
    /// `crate@version` of each version outside the rule.
    pub outside: Vec<String>,
}

/// A finding, as the inventory keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanFinding {
    pub code: String,
    pub level: String,
    #[serde(rename = "crate")]
    pub krate: String,
    pub lines: Vec<String>,
    pub message: String,
}

impl Workspace {
    /// Whether the row fails the gate (an error finding, or a policy past its deny date).
    pub fn fails(&self) -> bool {
        self.error.is_none() && self.summary.errors > 0
    }
}

impl ScanReport {
    /// Sorts the rows by path and builds the fleet summary from them.
    pub fn new(mut workspaces: Vec<Workspace>) -> ScanReport {
        // Sorted by path, so shards merged in any order give the same document.
        workspaces.sort_by(|a, b| a.path.cmp(&b.path));
        let mut fleet: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
        for w in &workspaces {
            for (krate, versions) in &w.lines {
                let entry = fleet.entry(krate.clone()).or_default();
                let mut seen: Vec<String> = versions
                    .iter()
                    .filter_map(|v| semver::Version::parse(v).ok())
                    .map(|v| Line::of(&v).to_string())
                    .collect();
                seen.dedup();
                for line in seen {
                    entry.entry(line).or_default().push(w.path.clone());
                }
            }
        }
        ScanReport {
            schema_version: SCHEMA_VERSION,
            workspaces,
            fleet,
        }
    }

    /// 2 when a workspace could not be read, else 1 when one fails the gate, else 0.
    pub fn exit_code(&self) -> i32 {
        if self.workspaces.iter().any(|w| w.error.is_some()) {
            crate::exit::INPUT
        } else if self.workspaces.iter().any(Workspace::fails) {
            crate::exit::GATE_FAILED
        } else {
            crate::exit::OK
        }
    }

    /// Inventoried crates in column order: etcd-client, tonic, prost, hyper first, then the
    /// rest by name.
    pub fn crates(&self) -> Vec<String> {
        let mut all: Vec<String> = self.fleet.keys().cloned().collect();
        for w in &self.workspaces {
            all.extend(w.lines.keys().cloned());
        }
        all.sort_by_key(|c| (column_rank(c), c.clone()));
        all.dedup();
        all
    }

    /// A crate's lines in version order, with the workspaces on each.
    pub fn lines_of(&self, krate: &str) -> Vec<(String, &[String])> {
        let mut lines: Vec<(Option<Line>, String, &[String])> = self
            .fleet
            .get(krate)
            .into_iter()
            .flatten()
            .map(|(l, paths)| (Line::parse(l), l.clone(), paths.as_slice()))
            .collect();
        lines.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        lines.into_iter().map(|(_, l, p)| (l, p)).collect()
    }
}

fn column_rank(krate: &str) -> usize {
    ["etcd-client", "tonic", "prost", "hyper"]
        .iter()
        .position(|c| *c == krate)
        .unwrap_or(usize::MAX)
}
