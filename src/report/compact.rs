//! The default human report, sized for people on large workspaces: one summary line per root
//! cause first, then each error compactly (every version explained once, with one path and
//! the manifest lines that bring it in), warnings and notes on one line each. `-v` renders
//! everything with `human`'s full diagnostics instead.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use super::{Report, Style, plural};
use crate::analysis::{Code, Finding, Level, Line, Origin, VersionInfo};
use crate::diags::analysis::unify_edit_listed;
use crate::diags::report::{
    allowed_version, also_splits, collateral_of, declares, inherited_by, qualifiers, version_from,
};
use crate::manifest::spans::SpanIndex;

/// How many crates, declarations or dependents a compact line names before "and N more".
const NAMED: usize = 3;
/// The longest manifest line quoted.
const QUOTED: usize = 60;

/// Writes the root causes and the findings (the caller writes the closing summary).
pub(super) fn render(
    report: &Report,
    sources: &SpanIndex,
    style: &Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let shown_roots: BTreeSet<&str> = report
        .findings
        .iter()
        .filter(|f| f.caused_by.is_none())
        .map(|f| f.krate.as_str())
        .collect();
    root_causes(report, out)?;
    let mut explained: BTreeSet<(String, String, Option<String>)> = BTreeSet::new();
    for finding in &report.findings {
        if finding
            .caused_by
            .as_deref()
            .is_some_and(|r| shown_roots.contains(r))
        {
            continue;
        }
        let head = header(finding, style);
        if finding.level != Level::Error {
            writeln!(out, "{head}")?;
            continue;
        }
        writeln!(out)?;
        writeln!(out, "{head}")?;
        for version in &finding.versions {
            let key = (
                version.name.clone(),
                version.version.to_string(),
                version.source.clone(),
            );
            let first = explained.insert(key);
            for line in version_lines(version, finding, sources, first) {
                writeln!(out, "  {line}")?;
            }
        }
        let collateral: Vec<String> = report
            .findings
            .iter()
            .filter(|f| {
                finding.code == Code::DivergingVersions
                    && finding.caused_by.is_none()
                    && f.caused_by.as_deref() == Some(finding.krate.as_str())
            })
            .map(|f| {
                let versions: Vec<String> =
                    f.versions.iter().map(|v| v.version.to_string()).collect();
                format!("{} {}", f.krate, versions.join("/"))
            })
            .collect();
        if !collateral.is_empty() {
            let counted = plural(collateral.len(), "crate", "crates");
            writeln!(
                out,
                "  {}: {}",
                also_splits(&counted),
                collateral.join(", ")
            )?;
        }
        for a in &finding.allowed {
            writeln!(
                out,
                "  {}",
                allowed_version(&finding.krate, &a.version, &a.reason)
            )?;
        }
        writeln!(out, "  help: {}", finding.help)?;
    }
    if report.findings.iter().any(|f| f.level == Level::Error) {
        writeln!(out)?;
    }
    Ok(())
}

/// `error[diverging-versions]: message (qualifiers)`.
fn header(finding: &Finding, style: &Style) -> String {
    // Bold and coloured as rustc and cargo draw the level.
    let (word, colour) = match finding.level {
        Level::Error => ("error", anstyle::AnsiColor::Red),
        Level::Warning => ("warning", anstyle::AnsiColor::Yellow),
        Level::Note => ("note", anstyle::AnsiColor::Cyan),
    };
    let word = if style.color {
        let colour = anstyle::Style::new().bold().fg_color(Some(colour.into()));
        format!("{colour}{word}{colour:#}")
    } else {
        word.to_owned()
    };
    let mut head = format!("{word}[{}]: {}", finding.code, finding.message);
    for q in qualifiers(finding.dev_only, &finding.platforms) {
        head.push_str(&format!(" ({q})"));
    }
    if let Some(root) = &finding.caused_by {
        head.push_str(&format!(" ({})", collateral_of(root)));
    }
    if let Some(loc) = &finding.location {
        head.push_str(&format!(" ({}:{})", loc.manifest, loc.line));
    }
    head
}

/// One version of a finding: where it comes from and who requires it, one path, and the
/// manifest lines that bring it in. A version explained earlier in the report is only named,
/// with the lines of the finding's member.
fn version_lines(
    version: &VersionInfo,
    finding: &Finding,
    sources: &SpanIndex,
    first: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    let name = version_from(&version.name, &version.version, version.source.as_deref());
    let member = finding.member.as_deref();
    if first {
        let mut by: Vec<String> = version
            .dependents
            .iter()
            .map(|d| match &d.req {
                Some(req) => format!("{} {} ({req})", d.name, d.version),
                None => format!("{} {}", d.name, d.version),
            })
            .collect();
        by.dedup();
        out.push(format!("{name}, required by {}", named(&by)));
    } else {
        out.push(format!("{name} (explained above)"));
    }
    let path = version
        .paths_best_first()
        .into_iter()
        .find(|p| member.is_none_or(|m| p.steps.first().is_some_and(|s| s.name == m)));
    if (first || member.is_some())
        && let Some(path) = path
    {
        let more = version.paths.len() - 1;
        let tail = if more > 0 && member.is_none() {
            format!(" (and {})", plural(more, "more path", "more paths"))
        } else {
            String::new()
        };
        out.push(format!("  path: {}{tail}", path.display()));
    }
    if first || member.is_some() {
        let origins: Vec<&Origin> = version
            .origins
            .iter()
            .filter(|o| member.is_none_or(|m| o.member == m))
            .collect();
        out.extend(declaration_lines(&origins, sources));
    }
    // A version only a stale workspace-hack brings in: the finding is reported against it.
    if first && version.only_workspace_hack {
        let hack: Vec<&Origin> = version.workspace_hack.iter().collect();
        out.extend(declaration_lines(&hack, sources));
    }
    out
}

/// The manifest lines behind `origins`, one per line however many members inherit it.
fn declaration_lines(origins: &[&Origin], sources: &SpanIndex) -> Vec<String> {
    // Keyed by file and line so each line is quoted once, in file order.
    let mut lines: BTreeMap<(String, usize), (String, Vec<String>)> = BTreeMap::new();
    let mut unlocated: Vec<String> = Vec::new();
    for o in origins {
        match (&o.manifest, o.line) {
            (Some(manifest), Some(line)) => {
                let quoted = o
                    .manifest_abs
                    .as_deref()
                    .and_then(|p| sources.text(p))
                    .and_then(|t| t.lines().nth(line - 1))
                    .map(quote)
                    .unwrap_or_else(|| o.key.clone());
                let entry = lines
                    .entry((manifest.clone(), line))
                    .or_insert_with(|| (quoted, Vec::new()));
                if o.member_manifest.is_some() && !entry.1.contains(&o.member) {
                    entry.1.push(o.member.clone());
                }
            }
            _ => unlocated.push(declares(&o.member, &o.key)),
        }
    }
    let mut out: Vec<String> = lines
        .into_iter()
        .map(|((manifest, line), (quoted, inheritors))| {
            if inheritors.is_empty() {
                format!("  {manifest}:{line}: {quoted}")
            } else {
                format!(
                    "  {manifest}:{line}: {quoted} ({})",
                    inherited_by(&named(&inheritors))
                )
            }
        })
        .collect();
    unlocated.dedup();
    out.extend(unlocated.into_iter().map(|u| format!("  {u}")));
    if out.len() > NAMED {
        let more = out.len() - NAMED;
        out.truncate(NAMED);
        out.push(format!(
            "  … and {} (-v shows all)",
            plural(more, "more declaration", "more declarations")
        ));
    }
    out
}

/// A manifest line, trimmed and cut to `QUOTED` characters.
fn quote(line: &str) -> String {
    let line = line.trim();
    if line.chars().count() <= QUOTED {
        line.to_owned()
    } else {
        let cut: String = line.chars().take(QUOTED - 1).collect();
        format!("{cut}…")
    }
}

/// `a, b, c and 4 more`.
fn named(items: &[String]) -> String {
    if items.len() <= NAMED {
        return items.join(", ");
    }
    format!(
        "{} and {} more",
        items[..NAMED].join(", "),
        items.len() - NAMED
    )
}

/// One line per root cause (a crate with an error or a warning that is not collateral): its
/// lines, what brings each line in, the edit that would unify it, and the findings it makes.
/// An unused allow entry is a fault of the configuration, not of the graph: it is reported
/// as its own warning and is no root cause.
fn root_causes(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // A crate whose split is collateral is fixed by its root: its other findings (a member's
    // train-skew) are no root cause of their own.
    let collateral: BTreeSet<&str> = report
        .findings
        .iter()
        .filter(|f| f.caused_by.is_some())
        .map(|f| f.krate.as_str())
        .collect();
    let mut roots: Vec<(&str, Vec<&Finding>)> = Vec::new();
    for f in &report.findings {
        if f.level == Level::Note
            || f.code == Code::UnusedAllow
            || collateral.contains(f.krate.as_str())
        {
            continue;
        }
        match roots.iter_mut().find(|(k, _)| *k == f.krate) {
            Some((_, list)) => list.push(f),
            None => roots.push((&f.krate, vec![f])),
        }
    }
    if roots.is_empty() {
        return Ok(());
    }
    writeln!(out, "{}:", plural(roots.len(), "root cause", "root causes"))?;
    for (krate, findings) in &roots {
        let main = findings
            .iter()
            .find(|f| f.code == Code::DivergingVersions)
            .unwrap_or(&findings[0]);
        let mut counts: BTreeMap<Code, usize> = BTreeMap::new();
        for f in findings {
            *counts.entry(f.code).or_default() += 1;
        }
        let counts: Vec<String> = counts
            .iter()
            .map(|(code, n)| format!("{n} {code}"))
            .collect();
        writeln!(
            out,
            "  {krate}: {}; fix: {} [{}]",
            brought_in(main),
            edit(main),
            counts.join(", ")
        )?;
    }
    Ok(())
}

/// `0.9 (etcd-client) | 0.12 (opentelemetry-otlp, direct)`: what brings each line in.
fn brought_in(finding: &Finding) -> String {
    let per_line = bringers(finding);
    per_line
        .iter()
        .map(|(line, names)| {
            if names.is_empty() {
                line.to_string()
            } else {
                format!("{line} ({})", named(names))
            }
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// What a member declaring the finding's crate itself is called among the bringers.
const DIRECT: &str = "direct";

/// For each line of the finding's crate, the direct dependencies of members that bring it in
/// (`direct` when members declare the crate itself).
fn bringers(finding: &Finding) -> BTreeMap<Line, Vec<String>> {
    let mut per_line: BTreeMap<Line, Vec<String>> = BTreeMap::new();
    for v in finding.versions.iter().filter(|v| v.name == finding.krate) {
        let names = per_line.entry(Line::of(&v.version)).or_default();
        // A line only a workspace-hack brings in is named by the hack's package.
        let hack = v.workspace_hack.iter().filter(|_| v.only_workspace_hack);
        for o in hack {
            if !names.contains(&o.member) {
                names.push(o.member.clone());
            }
        }
        for o in &v.origins {
            let name = if o.package == finding.krate {
                DIRECT
            } else {
                o.package.as_str()
            };
            if !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        }
    }
    per_line
}

/// The edit that would unify a diverging crate, naming what the user edits: the members that
/// declare another line raise (or set) their requirement, and the dependencies of members
/// that bring another line in move to releases built on the target: the newest line, or the
/// line the primary crates that keep theirs are built on (`unify_on`), which `fix` follows,
/// with the newest line named as the other choice. Other findings say it in their help.
fn edit(finding: &Finding) -> String {
    // A stale workspace-hack is fixed by regenerating it, as the help says.
    if finding.code != Code::DivergingVersions || finding.workspace_hack.is_some() {
        return finding.help.clone();
    }
    let per_line = bringers(finding);
    let Some(newest) = per_line.keys().next_back().copied() else {
        return finding.help.clone();
    };
    let Some(on) = &finding.unify_on else {
        let edit = edit_to(finding, &per_line, newest, "raise");
        return if edit.is_empty() {
            finding.help.clone()
        } else {
            edit
        };
    };
    let follow = edit_to(finding, &per_line, on.line, "set");
    let stay = edit_to(finding, &per_line, newest, "raise");
    format!(
        "{follow}, as {} {} (`fix` plans it); or {stay} (`fix --to {}`)",
        named(&on.because),
        if on.because.len() == 1 { "is" } else { "are" },
        on.to
    )
}

/// The edit that puts `finding`'s crate on `target`: members that declare it on another line
/// `verb` their requirement, and what brings another line in moves.
fn edit_to(
    finding: &Finding,
    per_line: &BTreeMap<Line, Vec<String>>,
    target: Line,
    verb: &str,
) -> String {
    let mut movers: Vec<String> = Vec::new();
    for (line, names) in per_line {
        if *line != target {
            for n in names {
                if n != DIRECT && !movers.contains(n) {
                    movers.push(n.clone());
                }
            }
        }
    }
    let mut raisers: Vec<String> = Vec::new();
    for v in finding.versions.iter().filter(|v| v.name == finding.krate) {
        if Line::of(&v.version) == target {
            continue;
        }
        for o in v.origins.iter().filter(|o| o.package == finding.krate) {
            if !raisers.contains(&o.member) {
                raisers.push(o.member.clone());
            }
        }
    }
    unify_edit_listed(&finding.krate, target, (verb, &raisers), &movers, named)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Options, analyze};
    use crate::testkit::Builder;

    fn root_lines(b: &Builder) -> String {
        let findings = analyze(
            &b.graph(),
            &crate::manifest::spans::SpanIndex::default(),
            &Options::default(),
        );
        let report = Report {
            schema_version: super::super::SCHEMA_VERSION,
            findings,
            allowed: Vec::new(),
            baseline: None,
            overruled: Vec::new(),
            input: None,
            generated: Vec::new(),
            answered_by: None,
            summary: super::super::Summary::default(),
        };
        let mut out = Vec::new();
        root_causes(&report, &mut out).expect("write");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn a_collateral_crate_is_never_a_root_cause() {
        // prost 0.11 comes only with tonic 0.9 (through etcd-client): collateral of the tonic
        // split, though app's direct prost 0.13 beside etcd-client's prost 0.11 is train-skew.
        let b = Builder::default()
            .member("app")
            .pkg("etcd-client", "0.11.1")
            .pkg("tonic", "0.9.2")
            .pkg("tonic", "0.12.3")
            .pkg("prost", "0.11.9")
            .pkg("prost", "0.13.5")
            .dep("app", "etcd-client@0.11.1")
            .dep("app", "tonic@0.12.3")
            .dep("app", "prost@0.13.5")
            .dep("etcd-client@0.11.1", "tonic@0.9.2")
            .dep("etcd-client@0.11.1", "prost@0.11.9")
            .dep("tonic@0.9.2", "prost@0.11.9")
            .dep("tonic@0.12.3", "prost@0.13.5");
        let text = root_lines(&b);
        assert!(text.starts_with("1 root cause:\n  tonic: "), "{text}");
        assert!(!text.contains("prost:"), "{text}");
    }

    #[test]
    fn members_declaring_an_older_line_are_named_with_what_they_raise() {
        let b = Builder::default()
            .member("app")
            .member("tool")
            .pkg("tonic", "0.9.2")
            .pkg("tonic", "0.12.3")
            .pkg("opentelemetry-otlp", "0.27.0")
            .dep("app", "tonic@0.9.2")
            .dep("app", "opentelemetry-otlp@0.27.0")
            .dep("tool", "tonic@0.12.3")
            .dep("opentelemetry-otlp@0.27.0", "tonic@0.12.3");
        let text = root_lines(&b);
        assert!(
            text.contains("fix: raise the tonic requirement of app to 0.12 ["),
            "{text}"
        );
    }
}
