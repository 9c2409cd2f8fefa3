//! `--format human`: the compact report by default (`compact`); with `-v`, one miette
//! diagnostic per finding, labelled on the Cargo.toml lines that bring each version in, with
//! the paths from the workspace members, related notes for the collateral duplicates it
//! causes and a help line; then what allow entries and the baseline passed, and a one-line
//! summary (with `-q`, the summary line alone).

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};
use std::path::PathBuf;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, Severity, SourceCode,
};

use super::{Report, Style};
use crate::Verbosity;
use crate::analysis::{Code, Finding, Level, Origin, VersionInfo};
use crate::diags::report::{
    allowed_version, also_splits, collateral_of, edge_qualifiers, inherited_by, qualifiers,
    requires, version_from,
};
use crate::manifest::spans::SpanIndex;

/// How many paths of each version are shown without `-v`.
const PATHS_SHOWN: usize = 3;

pub fn render(
    report: &Report,
    sources: &SpanIndex,
    style: &Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    if style.verbosity == Verbosity::Normal {
        super::compact::render(report, sources, style, out)?;
    }
    if style.verbosity == Verbosity::Verbose {
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
        policy_lines(report, out)?;
        if let Some(input) = &report.input {
            writeln!(out, "note: {}", input.not_known)?;
        }
        for g in &report.generated {
            writeln!(out, "note: {}", crate::diags::report::generated_member(g))?;
        }
    }
    if style.verbosity == Verbosity::Verbose
        && let Some(answered) = &report.answered_by
    {
        let line = crate::diags::report::answered_by(answered.fallback.as_deref());
        writeln!(out, "note: {line}")?;
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
    // With some allowed or in the baseline, versions do diverge: the counts say what is left.
    if report.findings.is_empty() && extra.is_empty() {
        writeln!(
            out,
            "summary: no diverging versions among the watched crates{extra}; {verdict}"
        )
    } else {
        writeln!(out, "summary: {}{extra}; {verdict}", s.counts())
    }
}

/// What `allow` entries and the baseline took out of the gate.
fn policy_lines(report: &Report, out: &mut dyn Write) -> io::Result<()> {
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
            "baseline {}: {} the gate",
            b.file,
            super::plural(
                b.matched.len(),
                "recorded finding does not fail",
                "recorded findings do not fail"
            )
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
    Ok(())
}

fn handler(style: &Style) -> GraphicalReportHandler {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(style.width.unwrap_or(80))
        .with_wrap_lines(style.width.is_some())
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

/// A label to place: file, span, text, and for an inherited key the member inheriting it.
struct Place {
    file: PathBuf,
    shown: String,
    span: (usize, usize),
    text: String,
    inherited_by: Option<String>,
}

/// Labelled lines further apart than this go into separate snippets.
const SNIPPET_GAP: usize = 3;

/// The labels of one file, grouped into snippets: one label per span and text (the members
/// inheriting one key named together), and labels more than `SNIPPET_GAP` lines apart in
/// separate groups, so a snippet never prints a long table between two labels.
fn label_groups(places: &[&Place], text: &str) -> Vec<Vec<LabeledSpan>> {
    let mut merged: Vec<(usize, usize, String, Vec<String>)> = Vec::new();
    for p in places {
        let at = merged
            .iter_mut()
            .find(|(a, b, t, _)| (*a, *b) == p.span && *t == p.text);
        let entry = match at {
            Some(e) => e,
            None => {
                merged.push((p.span.0, p.span.1, p.text.clone(), Vec::new()));
                merged.last_mut().expect("just pushed")
            }
        };
        if let Some(m) = &p.inherited_by
            && !entry.3.contains(m)
        {
            entry.3.push(m.clone());
        }
    }
    merged.sort_by_key(|(a, b, _, _)| (*a, *b));
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count();
    let mut groups: Vec<Vec<LabeledSpan>> = Vec::new();
    let mut last_line = None;
    for (a, b, what, members) in merged {
        let label = if members.is_empty() {
            what
        } else {
            format!("{what} ({})", inherited_by(&members.join(", ")))
        };
        let line = line_of(a);
        if last_line.is_none_or(|l| line > l + SNIPPET_GAP) {
            groups.push(Vec::new());
        }
        last_line = Some(line);
        groups
            .last_mut()
            .expect("a group is open")
            .push(LabeledSpan::new(Some(label), a, b - a));
    }
    groups
}

impl FindingDiagnostic {
    fn new(
        finding: &Finding,
        collateral: &[&Finding],
        sources: &SpanIndex,
        style: &Style,
    ) -> FindingDiagnostic {
        let (source, labels, mut related) = snippets(&places(finding), sources);
        if !collateral.is_empty() {
            related.push(collateral_note(collateral));
        }
        FindingDiagnostic {
            message: message(finding, style),
            code: format!("etcd_deps::{}", finding.code),
            severity: severity(finding.level),
            help: Some(finding.help.clone()),
            source,
            labels,
            related,
        }
    }

    /// A related note without a code or help.
    fn note(
        message: String,
        source: Option<super::snippet::Snippet>,
        labels: Vec<LabeledSpan>,
    ) -> FindingDiagnostic {
        FindingDiagnostic {
            message,
            code: String::new(),
            severity: Severity::Advice,
            help: None,
            source,
            labels,
            related: Vec::new(),
        }
    }
}

/// The finding's message with its qualifiers, each version's block, what caused it and
/// what is allowed of it.
fn message(finding: &Finding, style: &Style) -> String {
    let mut message = finding.message.clone();
    for q in qualifiers(finding.dev_only, &finding.platforms) {
        message.push_str(&format!(" ({q})"));
    }
    for version in &finding.versions {
        message.push_str("\n\n");
        message.push_str(&version_block(version, style));
    }
    if let Some(root) = &finding.caused_by {
        message.push_str(&format!("\n\n{}", collateral_of(root)));
    }
    for a in &finding.allowed {
        message.push_str(&format!(
            "\n\n{}",
            allowed_version(&finding.krate, &a.version, &a.reason)
        ));
    }
    message
}

/// Every line to label: the configuration entry the finding is about, and every origin.
fn places(finding: &Finding) -> Vec<Place> {
    let mut places: Vec<Place> = Vec::new();
    if let Some(loc) = &finding.location {
        places.push(Place {
            file: loc.path.clone(),
            shown: loc.manifest.clone(),
            span: loc.span,
            text: "this entry".to_owned(),
            inherited_by: None,
        });
    }
    for version in &finding.versions {
        // A version only a stale workspace-hack brings in is labelled at its declarations.
        let hack = version
            .workspace_hack
            .iter()
            .filter(|_| version.only_workspace_hack);
        for origin in version.origins.iter().chain(hack) {
            places.extend(origin_places(origin, version));
        }
    }
    places
}

/// The labels grouped by file and into snippets: the first snippet is the main source with
/// its labels, the others become related diagnostics.
fn snippets(
    places: &[Place],
    sources: &SpanIndex,
) -> (
    Option<super::snippet::Snippet>,
    Vec<LabeledSpan>,
    Vec<FindingDiagnostic>,
) {
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    for p in places {
        if !files.iter().any(|(f, _)| *f == p.file) {
            files.push((p.file.clone(), p.shown.clone()));
        }
    }
    let mut source = None;
    let mut labels = Vec::new();
    let mut related = Vec::new();
    for (file, shown) in &files {
        let Some(text) = sources.text(file) else {
            continue;
        };
        let in_file: Vec<&Place> = places.iter().filter(|p| p.file == *file).collect();
        for group in label_groups(&in_file, text) {
            let spans: Vec<(usize, usize)> = group
                .iter()
                .map(|l| (l.offset(), l.offset() + l.len()))
                .collect();
            // The labelled lines and some context, never the whole file.
            let Some(window) = sources.window(file, &spans, 2) else {
                continue;
            };
            let named = super::snippet::Snippet::new(shown, window);
            if source.is_none() {
                source = Some(named);
                labels = group;
            } else {
                related.push(FindingDiagnostic::note(
                    format!("more origins in {shown}"),
                    Some(named),
                    group,
                ));
            }
        }
    }
    (source, labels, related)
}

/// The collateral duplicates a root finding causes, as one note.
fn collateral_note(collateral: &[&Finding]) -> FindingDiagnostic {
    let counted = format!("{} more crates", collateral.len());
    let mut message = format!("{}:", also_splits(&counted));
    for c in collateral {
        let versions: Vec<String> = c.versions.iter().map(|v| v.version.to_string()).collect();
        message.push_str(&format!("\n  {} {}", c.krate, versions.join(", ")));
    }
    FindingDiagnostic::note(message, None, Vec::new())
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
        out.push(Place {
            file: file.clone(),
            shown: shown.clone(),
            span,
            text: what.clone(),
            inherited_by: origin
                .member_manifest
                .is_some()
                .then(|| origin.member.clone()),
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
            inherited_by: None,
        });
    }
    out
}

/// The explanation of one version: source, dependents with their requirements, paths.
fn version_block(version: &VersionInfo, style: &Style) -> String {
    let mut out = version_from(&version.name, &version.version, version.source.as_deref());
    for d in &version.dependents {
        out.push_str(&format!(
            "\n  {}",
            requires(&d.name, &d.version, &version.name, d.req.as_deref())
        ));
        let quals = edge_qualifiers(d.kind, d.platform.as_deref());
        if !quals.is_empty() {
            out.push_str(&format!(" ({})", quals.join(", ")));
        }
    }
    let shown = if style.verbosity == Verbosity::Verbose {
        version.paths.len()
    } else {
        PATHS_SHOWN.min(version.paths.len())
    };
    for path in &version.paths_best_first()[..shown] {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn place(text: &str, span: (usize, usize), inherited_by: Option<&str>) -> Place {
        Place {
            file: PathBuf::from("Cargo.toml"),
            shown: "Cargo.toml".to_owned(),
            span,
            text: text.to_owned(),
            inherited_by: inherited_by.map(str::to_owned),
        }
    }

    #[test]
    fn far_apart_labels_are_separate_snippets_and_one_key_is_one_label() {
        // Lines of 10 bytes: line n (0-based) starts at 10 * n; spans are (start, end).
        let text = "aaaaaaaaa\n".repeat(300);
        let places = [
            place("aws-config → hyper 0.14", (10, 15), Some("meta")),
            place("aws-config → hyper 0.14", (10, 15), Some("connector")),
            place("aws-config → hyper 0.14", (10, 15), Some("meta")),
            place("aws-sdk-s3 → hyper 0.14", (30, 35), None),
            place("axum → hyper 1", (2000, 2004), Some("meta")),
        ];
        let refs: Vec<&Place> = places.iter().collect();
        let groups = label_groups(&refs, &text);
        let shown: Vec<Vec<(String, usize)>> = groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(|l| (l.label().unwrap_or_default().to_owned(), l.offset()))
                    .collect()
            })
            .collect();
        assert_eq!(
            shown,
            [
                vec![
                    (
                        "aws-config → hyper 0.14 (inherited by meta, connector)".to_owned(),
                        10
                    ),
                    ("aws-sdk-s3 → hyper 0.14".to_owned(), 30)
                ],
                vec![("axum → hyper 1 (inherited by meta)".to_owned(), 2000)]
            ]
        );
    }
}
