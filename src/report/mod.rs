//! Reports: the model every format renders, and the renderers. Renderers take a `&Report`
//! and a writer and never analyse.

pub mod fix;
pub mod human;
pub mod json;

use serde::Serialize;

use crate::Verbosity;
use crate::analysis::{Finding, Level};

/// The JSON schema version of `check --format json`.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything `check` reports.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

/// Findings counted by their final level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Report {
    /// Builds the report; `deny_warnings` raises warnings to errors.
    pub fn new(mut findings: Vec<Finding>, deny_warnings: bool) -> Report {
        if deny_warnings {
            for f in &mut findings {
                if f.level == Level::Warning {
                    f.level = Level::Error;
                }
            }
            crate::analysis::sort_findings(&mut findings);
        }
        let mut summary = Summary::default();
        for f in &findings {
            match f.level {
                Level::Error => summary.errors += 1,
                Level::Warning => summary.warnings += 1,
                Level::Note => summary.notes += 1,
            }
        }
        Report {
            schema_version: SCHEMA_VERSION,
            findings,
            summary,
        }
    }
}

/// How the human report looks.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub verbosity: Verbosity,
    pub width: usize,
}

fn plural(n: usize, one: &str, many: &str) -> String {
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
