//! The fleet inventory `scan` reports: one row per workspace (the crate versions it
//! resolves, its counts, policy verdict and findings, or why it could not be read), what the
//! rows were judged with, and the fleet summary built from the rows. Plain data: `scan` fills
//! the rows, the renderers in [`super::scan`] and `scan merge` read them; `scan merge` checks
//! a document it reads with [`ScanReport::check_values`] and [`canonical_path`].

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
    /// What the rows were judged with: shards merge only when it is the same.
    pub run: RunInfo,
    pub workspaces: Vec<Workspace>,
    /// Per inventoried crate, per line, the workspaces on it.
    pub fleet: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

/// What a scan's verdicts depend on besides the workspaces themselves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunInfo {
    /// The version of cargo-etcd-deps that wrote the rows.
    pub tool_version: String,
    /// The day policy windows were judged on (`YYYY-MM-DD`), when some row has a policy.
    pub today: Option<String>,
    /// The shared policy file (`--policy FILE`), when one was given.
    pub policy: Option<SharedPolicy>,
}

/// The shared policy file a scan was given: its name as given and a digest of its bytes
/// (null when it could not be read; its rows say why).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedPolicy {
    pub file: String,
    pub digest: Option<String>,
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

/// Where a rule, or a workspace, stands against the policy, worst first: the level of the
/// rule's finding, `allowed` (versions outside the rule, which the workspace's own settings
/// allow) or `ok` (every version inside it). Written as its name (`as_str`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Standing {
    Error,
    Warning,
    Note,
    Allowed,
    Ok,
}

impl Standing {
    /// Every standing, worst first.
    pub const ALL: [Standing; 5] = [
        Standing::Error,
        Standing::Warning,
        Standing::Note,
        Standing::Allowed,
        Standing::Ok,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Error => "error",
            Standing::Warning => "warning",
            Standing::Note => "note",
            Standing::Allowed => "allowed",
            Standing::Ok => "ok",
        }
    }

    /// The standing written `name`.
    pub fn named(name: &str) -> Option<Standing> {
        Standing::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// A rule whose finding is at `level`.
    pub fn of(level: crate::analysis::Level) -> Standing {
        match level {
            crate::analysis::Level::Error => Standing::Error,
            crate::analysis::Level::Warning => Standing::Warning,
            crate::analysis::Level::Note => Standing::Note,
        }
    }
}

/// Where a workspace stands against the policy: the status of its worst rule with that same
/// rule's deny date (never one rule's level beside another's deadline), and every rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyStatus {
    /// The worst rule's status: a [`Standing`]'s name.
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
    /// A [`Standing`]'s name.
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
    pub fn new(run: RunInfo, mut workspaces: Vec<Workspace>) -> ScanReport {
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
            run,
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

impl ScanReport {
    /// Checks what the JSON shape cannot: every policy status, finding level and code is one
    /// the tool writes, every version is a version and every line a line, and the run's day
    /// is a day. The error names the row and the field (`workspaces[2] (fleet/orders):
    /// policy.status is "evil", not one of ok, note, warning, error`).
    pub fn check_values(&self) -> Result<(), String> {
        if let Some(day) = self.run.today.as_deref().filter(|d| !is_day(d)) {
            return Err(format!("run.today is {day:?}, not a day (YYYY-MM-DD)"));
        }
        for (i, w) in self.workspaces.iter().enumerate() {
            w.check_values()
                .map_err(|problem| format!("workspaces[{i}] ({}): {problem}", w.path))?;
        }
        Ok(())
    }
}

impl Workspace {
    fn check_values(&self) -> Result<(), String> {
        let one_of = |field: String, value: &str, allowed: &[&str]| {
            if allowed.contains(&value) {
                Ok(())
            } else {
                Err(format!(
                    "{field} is {value:?}, not one of {}",
                    allowed.join(", ")
                ))
            }
        };
        if self.path.is_empty() {
            return Err("path is empty".to_owned());
        }
        if let Some(p) = &self.policy {
            let standings = Standing::ALL.map(Standing::as_str);
            let levels = crate::analysis::Level::ALL.map(|l| l.as_str());
            one_of("policy.status".to_owned(), &p.status, &standings)?;
            for (k, r) in p.rules.iter().enumerate() {
                one_of(format!("policy.rules[{k}].status"), &r.status, &standings)?;
                one_of(format!("policy.rules[{k}].level"), &r.level, &levels)?;
            }
            if let Some(d) = p.deny_from.as_deref().filter(|d| !is_day(d)) {
                return Err(format!("policy.deny_from is {d:?}, not a day (YYYY-MM-DD)"));
            }
        }
        for (krate, versions) in &self.lines {
            if let Some(v) = versions.iter().find(|v| semver::Version::parse(v).is_err()) {
                return Err(format!("lines.{krate} holds {v:?}, not a version"));
            }
        }
        let codes: Vec<&str> = crate::analysis::Code::ALL
            .iter()
            .map(|c| c.as_str())
            .collect();
        for (k, f) in self.findings.iter().enumerate() {
            let levels = crate::analysis::Level::ALL.map(|l| l.as_str());
            one_of(format!("findings[{k}].level"), &f.level, &levels)?;
            one_of(format!("findings[{k}].code"), &f.code, &codes)?;
            if let Some(l) = f.lines.iter().find(|l| Line::parse(l).is_none()) {
                return Err(format!(
                    "findings[{k}].lines holds {l:?}, not a version line"
                ));
            }
        }
        Ok(())
    }
}

/// `YYYY-MM-DD`, as the tool writes days.
fn is_day(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// One spelling per workspace: `./services/x`, `services/x/`, `services//x` and
/// `services/./x` are all `services/x`. `..` is kept (what it leaves depends on links), and
/// an absolute path stays absolute; nothing at all is `.`.
pub fn canonical_path(path: &str) -> String {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    match (path.starts_with('/'), parts.is_empty()) {
        (true, _) => format!("/{}", parts.join("/")),
        (false, true) => ".".to_owned(),
        (false, false) => parts.join("/"),
    }
}

fn column_rank(krate: &str) -> usize {
    ["etcd-client", "tonic", "prost", "hyper"]
        .iter()
        .position(|c| *c == krate)
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_spelling_per_workspace() {
        for p in [
            "services/x",
            "./services/x",
            "services/x/",
            "services//x",
            "./services/./x/",
        ] {
            assert_eq!(canonical_path(p), "services/x", "{p}");
        }
        assert_eq!(canonical_path("./"), ".");
        assert_eq!(canonical_path("."), ".");
        assert_eq!(canonical_path("/srv//x/"), "/srv/x");
        assert_eq!(canonical_path("../x"), "../x");
    }

    /// Every standing the tool writes reads back, `allowed` too; anything else is refused,
    /// naming the field.
    #[test]
    fn every_standing_the_tool_writes_is_one_it_reads() {
        let row = |status: &str| Workspace {
            path: "fleet/orders".to_owned(),
            error: None,
            lines: BTreeMap::new(),
            summary: Summary::default(),
            policy: Some(PolicyStatus {
                status: status.to_owned(),
                deny_from: None,
                days_left: None,
                outside: Vec::new(),
                rule: None,
                rules: Vec::new(),
            }),
            findings: Vec::new(),
            edit: None,
        };
        for s in Standing::ALL {
            assert_eq!(row(s.as_str()).check_values(), Ok(()), "{s:?}");
            assert_eq!(Standing::named(s.as_str()), Some(s));
        }
        let refused = row("evil").check_values().expect_err("not a standing");
        assert!(refused.contains("policy.status is \"evil\""), "{refused}");
    }

    #[test]
    fn days_are_checked_by_shape() {
        assert!(is_day("2027-06-01"));
        assert!(!is_day("2027-6-01"));
        assert!(!is_day("<b>x</b>"));
    }
}
