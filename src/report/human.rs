//! `--format human`: one miette diagnostic per finding, labelled on the Cargo.toml lines that
//! bring each version in, with the paths from the workspace members, related notes for the
//! collateral duplicates it causes, a help line, and a one-line summary.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};
use std::path::PathBuf;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, Severity, SourceCode,
};

use super::{Report, Style};
use crate::Verbosity;
use crate::analysis::{Code, Finding, Level, Origin, VersionInfo, source_label};
use crate::manifest::spans::Sources;

/// How many paths of each version are shown without `-v`.
const PATHS_SHOWN: usize = 3;

pub fn render(
    report: &Report,
    sources: &Sources,
    style: &Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    if style.verbosity != Verbosity::Quiet {
        let handler = handler(style);
        let by_crate: BTreeMap<&str, &Finding> = report
            .findings
            .iter()
            .filter(|f| f.caused_by.is_none())
            .map(|f| (f.krate.as_str(), f))
            .collect();
        for finding in &report.findings {
            // A collateral duplicate is shown as a note under its root finding.
            if let Some(root) = &finding.caused_by
                && by_crate.contains_key(root.as_str())
            {
                continue;
            }
            let collateral: Vec<&Finding> = report
                .findings
                .iter()
                .filter(|f| {
                    f.caused_by.as_deref() == Some(finding.krate.as_str())
                        && finding.caused_by.is_none()
                        && finding.code == Code::DivergingVersions
                })
                .collect();
            let diag = FindingDiagnostic::new(finding, &collateral, sources, style);
            let mut text = String::new();
            handler
                .render_report(&mut text, &diag)
                .map_err(|e| io::Error::other(e.to_string()))?;
            out.write_all(text.as_bytes())?;
        }
    }
    if style.verbosity != Verbosity::Quiet {
        for a in &report.allowed {
            writeln!(
                out,
                "allowed: {} {} ({}): {}",
                a.code,
                a.krate,
                a.versions.join(", "),
                a.reason
            )?;
        }
        if let Some(b) = &report.baseline {
            writeln!(
                out,
                "baseline {}: {} recorded finding{} do not fail the gate",
                b.file,
                b.matched.len(),
                if b.matched.len() == 1 { "" } else { "s" }
            )?;
            for e in &b.fixed {
                writeln!(
                    out,
                    "baseline {}: fixed since it was written: {} {} ({})",
                    b.file,
                    e.code,
                    e.krate,
                    e.lines.join(", ")
                )?;
            }
        }
    }
    if let Some(input) = &report.input {
        writeln!(out, "note: {}", input.not_known)?;
    }
    let s = &report.summary;
    let mut extra = String::new();
    if !report.allowed.is_empty() {
        extra.push_str(&format!("; {} allowed", report.allowed.len()));
    }
    if let Some(b) = &report.baseline {
        extra.push_str(&format!("; {} in the baseline", b.matched.len()));
    }
    let verdict = if s.errors > 0 {
        "the gate failed"
    } else {
        "the gate passed"
    };
    if report.findings.is_empty() {
        writeln!(
            out,
            "summary: no diverging versions among the watched crates{extra}; {verdict}"
        )
    } else {
        writeln!(out, "summary: {}{extra}; {verdict}", s.counts())
    }
}

fn handler(style: &Style) -> GraphicalReportHandler {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_wrap_lines(false)
        .with_links(false)
}

/// One finding as a miette diagnostic.
#[derive(Debug)]
struct FindingDiagnostic {
    message: String,
    code: String,
    severity: Severity,
    help: Option<String>,
    source: Option<super::snippet::Snippet>,
    labels: Vec<LabeledSpan>,
    related: Vec<FindingDiagnostic>,
}

impl fmt::Display for FindingDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiagnostic {}

impl Diagnostic for FindingDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        if self.code.is_empty() {
            None
        } else {
            Some(Box::new(&self.code))
        }
    }

    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|d| d as &dyn Diagnostic)))
        }
    }
}

fn severity(level: Level) -> Severity {
    match level {
        Level::Error => Severity::Error,
        Level::Warning => Severity::Warning,
        Level::Note => Severity::Advice,
    }
}

/// A label to place: file, span, text.
struct Place {
    file: PathBuf,
    shown: String,
    span: (usize, usize),
    text: String,
}

impl FindingDiagnostic {
    fn new(
        finding: &Finding,
        collateral: &[&Finding],
        sources: &Sources,
        style: &Style,
    ) -> FindingDiagnostic {
        let mut message = finding.message.clone();
        if finding.dev_only {
            message.push_str(" (only through dev-dependencies)");
        }
        if !finding.platforms.is_empty() {
            message.push_str(&format!(" (only on {})", finding.platforms.join(", ")));
        }
        for version in &finding.versions {
            message.push_str("\n\n");
            message.push_str(&version_block(version, style));
        }
        if let Some(root) = &finding.caused_by {
            message.push_str(&format!("\n\ncollateral of the {root} split"));
        }
        for a in &finding.allowed {
            message.push_str(&format!(
                "\n\nallowed: {} {}: {}",
                finding.krate, a.version, a.reason
            ));
        }

        // Labels: every origin line, grouped by file; the first file is the main source,
        // the others become related diagnostics.
        let mut places: Vec<Place> = Vec::new();
        if let Some(loc) = &finding.location {
            places.push(Place {
                file: loc.path.clone(),
                shown: loc.manifest.clone(),
                span: loc.span,
                text: "this entry".to_owned(),
            });
        }
        for version in &finding.versions {
            for origin in &version.origins {
                places.extend(origin_places(origin, version));
            }
        }
        let mut files: Vec<(PathBuf, String)> = Vec::new();
        for p in &places {
            if !files.iter().any(|(f, _)| *f == p.file) {
                files.push((p.file.clone(), p.shown.clone()));
            }
        }
        let mut source = None;
        let mut labels = Vec::new();
        let mut related = Vec::new();
        for (i, (file, shown)) in files.iter().enumerate() {
            let spans: Vec<(usize, usize)> = places
                .iter()
                .filter(|p| p.file == *file)
                .map(|p| p.span)
                .collect();
            // The labelled lines and some context, never the whole file.
            let Some(window) = sources.window(file, &spans, 2) else {
                continue;
            };
            let mut file_labels: Vec<LabeledSpan> = Vec::new();
            for p in places.iter().filter(|p| p.file == *file) {
                let label = LabeledSpan::new(Some(p.text.clone()), p.span.0, p.span.1 - p.span.0);
                if !file_labels.contains(&label) {
                    file_labels.push(label);
                }
            }
            let named = super::snippet::Snippet::new(shown, window);
            if i == 0 || source.is_none() {
                source = Some(named);
                labels = file_labels;
            } else {
                related.push(FindingDiagnostic {
                    message: format!("more origins in {shown}"),
                    code: String::new(),
                    severity: Severity::Advice,
                    help: None,
                    source: Some(named),
                    labels: file_labels,
                    related: Vec::new(),
                });
            }
        }
        if !collateral.is_empty() {
            let mut message = format!("this split also splits {} more crates:", collateral.len());
            for c in collateral {
                let versions: Vec<String> =
                    c.versions.iter().map(|v| v.version.to_string()).collect();
                message.push_str(&format!("\n  {} {}", c.krate, versions.join(", ")));
            }
            related.push(FindingDiagnostic {
                message,
                code: String::new(),
                severity: Severity::Advice,
                help: None,
                source: None,
                labels: Vec::new(),
                related: Vec::new(),
            });
        }

        FindingDiagnostic {
            message,
            code: format!("etcd_deps::{}", finding.code),
            severity: severity(finding.level),
            help: Some(finding.help.clone()),
            source,
            labels,
            related,
        }
    }
}

fn origin_places(origin: &Origin, version: &VersionInfo) -> Vec<Place> {
    let what = if origin.package == version.name {
        format!("{} {}", version.name, version.version)
    } else {
        format!("{} → {} {}", origin.package, version.name, version.version)
    };
    let mut out = Vec::new();
    if let (Some(file), Some(span), Some(shown)) =
        (&origin.manifest_abs, origin.span, &origin.manifest)
    {
        let text = if origin.member_manifest.is_some() {
            format!("{what} (inherited by {})", origin.member)
        } else {
            what.clone()
        };
        out.push(Place {
            file: file.clone(),
            shown: shown.clone(),
            span,
            text,
        });
    }
    if let (Some(file), Some(span), Some(shown)) = (
        &origin.member_manifest_abs,
        origin.member_span,
        &origin.member_manifest,
    ) {
        out.push(Place {
            file: file.clone(),
            shown: shown.clone(),
            span,
            text: format!("{what} (from [workspace.dependencies])"),
        });
    }
    out
}

/// The explanation of one version: source, dependents with their requirements, paths.
fn version_block(version: &VersionInfo, style: &Style) -> String {
    let mut out = format!(
        "{} {} from {}",
        version.name,
        version.version,
        source_label(version.source.as_deref())
    );
    for d in &version.dependents {
        match &d.req {
            Some(req) => out.push_str(&format!(
                "\n  {} {} requires {} {req}",
                d.name, d.version, version.name
            )),
            None => out.push_str(&format!(
                "\n  {} {} depends on {}",
                d.name, d.version, version.name
            )),
        }
        let mut quals = Vec::new();
        if let Some(kind) = d.kind.filter(|k| *k != crate::graph::Kind::Normal) {
            quals.push(format!("{kind} dependency"));
        }
        if let Some(p) = &d.platform {
            quals.push(format!("on {p}"));
        }
        if !quals.is_empty() {
            out.push_str(&format!(" ({})", quals.join(", ")));
        }
    }
    let shown = if style.verbosity == Verbosity::Verbose {
        version.paths.len()
    } else {
        PATHS_SHOWN.min(version.paths.len())
    };
    for path in &version.paths[..shown] {
        out.push_str(&format!("\n  path: {}", path.display()));
    }
    if shown < version.paths.len() {
        out.push_str(&format!(
            "\n  … and {} more paths from other members (-v shows all)",
            version.paths.len() - shown
        ));
    }
    out
}
