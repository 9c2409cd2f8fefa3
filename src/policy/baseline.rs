//! The baseline: findings recorded once (`check --write-baseline`) pass later runs; entries no
//! longer found are reported as fixed. Entries match by code, crate and version lines.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::analysis::{Code, Finding, Level, Line};

/// The baseline format this version reads and writes.
pub const BASELINE_SCHEMA_VERSION: u32 = 1;

/// The baseline file format.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub schema_version: u32,
    pub entries: Vec<BaselineEntry>,
}

/// One recorded finding: matched by code, crate and version lines, never by exact patch
/// version, so a patch release does not break it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub code: String,
    #[serde(rename = "crate")]
    pub krate: String,
    pub lines: Vec<String>,
}

impl Baseline {
    /// Records every error- and warning-level finding.
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .filter(|f| f.level != Level::Note && f.code != Code::UnusedAllow)
            .map(entry_of)
            .collect();
        entries.sort();
        entries.dedup();
        Baseline {
            schema_version: BASELINE_SCHEMA_VERSION,
            entries,
        }
    }
}

fn entry_of(f: &Finding) -> BaselineEntry {
    let lines: BTreeSet<Line> = f.lines.iter().copied().collect();
    BaselineEntry {
        code: f.code.to_string(),
        krate: f.krate.clone(),
        lines: lines.iter().map(ToString::to_string).collect(),
    }
}

/// What the baseline did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BaselineOutcome {
    pub file: String,
    /// Findings that are in the baseline: reported, but they do not fail the gate.
    pub matched: Vec<BaselineEntry>,
    /// Baseline entries no longer found: fixed since the baseline was written.
    pub fixed: Vec<BaselineEntry>,
}

/// Removes from `kept` the findings `b` records (notes and unused allow entries stay), and
/// says which entries matched and which are fixed. `file` names the baseline in reports.
/// A recorded finding for which `stands` says true stays (it may reword it): its entry is
/// neither matched nor fixed.
pub(super) fn apply(
    kept: &mut Vec<Finding>,
    file: &str,
    b: &Baseline,
    mut stands: impl FnMut(&mut Finding) -> bool,
) -> BaselineOutcome {
    let recorded: BTreeSet<&BaselineEntry> = b.entries.iter().collect();
    let mut matched = Vec::new();
    let mut seen = BTreeSet::new();
    kept.retain_mut(|f| {
        if f.level == Level::Note || f.code == Code::UnusedAllow {
            return true;
        }
        let e = entry_of(f);
        if !recorded.contains(&e) {
            return true;
        }
        seen.insert(e.clone());
        if stands(f) {
            return true;
        }
        matched.push(e);
        false
    });
    matched.sort();
    matched.dedup();
    let fixed = b
        .entries
        .iter()
        .filter(|e| !seen.contains(*e))
        .cloned()
        .collect();
    BaselineOutcome {
        file: file.to_owned(),
        matched,
        fixed,
    }
}
