//! `diagnose`'s report: each build error that comes from two versions of a crate meeting,
//! traced to the finding of `check` that causes it, as plain data; and its human rendering.

use std::io::{self, Write};

use semver::Version;
use serde::Serialize;

use crate::analysis::{Code, DepPath, Level};
use crate::diags;

/// The JSON schema version of `diagnose --format json`.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything `diagnose` reports.
#[derive(Clone, Debug, Serialize)]
pub struct DiagnoseReport {
    pub schema_version: u32,
    pub errors: Vec<BuildError>,
    pub summary: DiagnoseSummary,
}

#[derive(Clone, Debug, Serialize)]
pub struct DiagnoseSummary {
    /// Build errors from two versions of a crate meeting.
    pub errors: usize,
    /// Those a finding of `check` covers.
    pub traced: usize,
}

/// One build error from two versions of a crate meeting.
#[derive(Clone, Debug, Serialize)]
pub struct BuildError {
    /// Where rustc points: the user's file (relative to the workspace root when inside it),
    /// line and column (1-based); null for a message without a span.
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// rustc's error code (`E0308`).
    pub code: Option<String>,
    /// rustc's message with its primary label.
    pub message: String,
    /// The workspace package being compiled.
    pub member: Option<String>,
    #[serde(rename = "crate")]
    pub krate: String,
    /// The versions that met, ascending.
    pub versions: Vec<MetVersion>,
    /// The finding of `check` that causes it.
    pub finding: Option<FindingRef>,
    /// The edit that fixes it: the finding's help, as check and fix give it.
    pub help: String,
}

/// A version that met, and the path that brings it into the member.
#[derive(Clone, Debug, Serialize)]
pub struct MetVersion {
    pub version: Version,
    pub source: Option<String>,
    pub path: Option<DepPath>,
}

/// The finding of `check` a build error is traced to.
#[derive(Clone, Debug, Serialize)]
pub struct FindingRef {
    pub code: Code,
    pub level: Level,
    #[serde(rename = "crate")]
    pub krate: String,
    pub member: Option<String>,
    pub message: String,
}

impl DiagnoseReport {
    pub fn new(errors: Vec<BuildError>) -> DiagnoseReport {
        let traced = errors.iter().filter(|e| e.finding.is_some()).count();
        DiagnoseReport {
            schema_version: SCHEMA_VERSION,
            summary: DiagnoseSummary {
                errors: errors.len(),
                traced,
            },
            errors,
        }
    }
}

/// The human report: each error where rustc points, the versions and their paths, the
/// finding and the fix; then the count.
pub fn render(report: &DiagnoseReport, out: &mut dyn Write) -> io::Result<()> {
    for e in &report.errors {
        match &e.code {
            Some(code) => writeln!(out, "error[{code}]: {}", e.message)?,
            None => writeln!(out, "error: {}", e.message)?,
        }
        if let (Some(file), Some(line), Some(column)) = (&e.file, e.line, e.column) {
            writeln!(out, "  --> {file}:{line}:{column}")?;
        }
        let versions: Vec<(&Version, Option<&str>)> = e
            .versions
            .iter()
            .map(|v| (&v.version, v.source.as_deref()))
            .collect();
        writeln!(
            out,
            "  {}:",
            diags::build::met(&e.krate, &versions, e.member.as_deref())
        )?;
        for v in &e.versions {
            match &v.path {
                Some(path) => writeln!(out, "    {} {}: {}", e.krate, v.version, path.display())?,
                None => writeln!(out, "    {} {}", e.krate, v.version)?,
            }
        }
        if let Some(f) = &e.finding {
            writeln!(
                out,
                "  finding: {}[{}]: {}",
                f.level.as_str(),
                f.code,
                f.message
            )?;
        }
        writeln!(out, "  help: {}", e.help)?;
        writeln!(out)?;
    }
    writeln!(
        out,
        "{}",
        diags::build::summary(report.summary.errors, report.summary.traced)
    )
}
