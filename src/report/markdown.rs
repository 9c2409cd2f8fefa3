//! `--format markdown`: a pull-request comment. `check` gives a table of findings with the
//! help each one carries; `fix` adds the plan, its diff and its verification.

use std::io::{self, Write};

use super::Report;
use super::escape::{md_cell, md_code, md_code_block, md_code_cell, md_text};
use super::fix::{BuildCheck, FixReport, Status};
use crate::analysis::{Finding, Level};
use crate::diags::source_label;

/// How many declarations a "comes in through" cell names before "and N more".
const ORIGINS_SHOWN: usize = 5;

/// The declarations that bring a finding's versions in (a member's finding: that member's),
/// at most `ORIGINS_SHOWN` of them, so a comment stays readable on a large workspace.
fn origin_cell(f: &Finding) -> String {
    let mut seen = Vec::new();
    for v in &f.versions {
        let of_member = v
            .origins
            .iter()
            .filter(|o| f.member.as_ref().is_none_or(|m| o.member == *m));
        for o in of_member {
            let key = md_code_cell(&o.key);
            let place = match (&o.manifest, o.line) {
                (Some(m), Some(l)) => format!("{} ({key})", md_code_cell(&format!("{m}:{l}"))),
                (Some(m), None) => format!("{} ({key})", md_code_cell(m)),
                _ => format!("{key} in {}", md_cell(&o.member)),
            };
            if !seen.contains(&place) {
                seen.push(place);
            }
        }
    }
    if let Some(loc) = &f.location {
        seen.push(md_code_cell(&format!("{}:{}", loc.manifest, loc.line)));
    }
    if seen.len() > ORIGINS_SHOWN {
        let more = seen.len() - ORIGINS_SHOWN;
        seen.truncate(ORIGINS_SHOWN);
        seen.push(format!("and {more} more"));
    }
    seen.join("<br>")
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = &report.summary;
    let verdict = if s.errors > 0 {
        "the gate failed"
    } else {
        "the gate passed"
    };
    writeln!(out, "## cargo etcd-deps: {}; {verdict}\n", s.counts())?;
    if report.findings.is_empty() {
        writeln!(out, "No diverging versions among the watched crates.")?;
    } else {
        findings_table(&report.findings, out)?;
        paths(&report.findings, out)?;
    }
    allowed_and_baseline(report, out)?;
    if let Some(input) = &report.input {
        writeln!(out, "\n_Note: {}._", input.not_known)?;
    }
    writeln!(
        out,
        "\n`cargo etcd-deps fix` plans the edits; `cargo etcd-deps explain <code>` explains a code."
    )
}

/// One table row per finding: level, code, crate, versions, where they come in, the help.
fn findings_table(findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "| Level | Code | Crate | Versions | Comes in through | Help |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    for f in findings {
        let level = match f.level {
            Level::Error => "**error**",
            Level::Warning => "warning",
            Level::Note => "note",
        };
        writeln!(
            out,
            "| {level} | {} | {} | {} | {} | {} |",
            md_code_cell(f.code.as_str()),
            md_code_cell(&f.krate),
            md_cell(&versions_cell(f)),
            origin_cell(f),
            md_cell(&f.help)
        )?;
    }
    Ok(())
}

/// `tonic 0.9.2, tonic 0.12.3`; a version present from two sources (a source split) names
/// its source.
fn versions_cell(f: &Finding) -> String {
    let versions: Vec<String> = f
        .versions
        .iter()
        .map(|v| {
            let twice = f
                .versions
                .iter()
                .filter(|w| w.name == v.name && w.version == v.version)
                .count()
                > 1;
            if twice {
                format!(
                    "{} {} ({})",
                    v.name,
                    v.version,
                    source_label(v.source.as_deref())
                )
            } else {
                format!("{} {}", v.name, v.version)
            }
        })
        .collect();
    versions.join(", ")
}

/// The best paths to each version of every root finding, folded away.
fn paths(findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "\n<details><summary>Paths</summary>\n")?;
    for f in findings.iter().filter(|f| f.caused_by.is_none()) {
        writeln!(
            out,
            "**{} {}**: {}\n",
            f.code,
            md_code(&f.krate),
            md_text(&f.message)
        )?;
        for v in &f.versions {
            for p in v.paths_best_first().into_iter().take(3) {
                writeln!(out, "- {}", md_code(&p.display()))?;
            }
        }
        writeln!(out)?;
    }
    writeln!(out, "</details>")
}

/// What allow entries removed, and what the baseline passed and lists as fixed.
fn allowed_and_baseline(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if !report.allowed.is_empty() {
        writeln!(out, "\n**Allowed**\n")?;
        for a in &report.allowed {
            writeln!(
                out,
                "- {} {} ({}): {}",
                md_code(a.code.as_str()),
                md_code(&a.krate),
                md_text(&a.versions.join(", ")),
                md_text(&a.reason)
            )?;
        }
    }
    if let Some(b) = &report.baseline {
        writeln!(
            out,
            "\n**Baseline** {}: {} not failing the gate.",
            md_code(&b.file),
            super::plural(b.matched.len(), "recorded finding", "recorded findings")
        )?;
        for e in &b.fixed {
            writeln!(
                out,
                "- fixed since the baseline: {} {} ({})",
                md_code(&e.code),
                md_code(&e.krate),
                md_text(&e.lines.join(", "))
            )?;
        }
    }
    Ok(())
}

/// `fix --format markdown`: the plan for a pull-request comment.
pub fn render_fix(report: &FixReport, out: &mut dyn Write) -> io::Result<()> {
    let status = match report.status {
        Status::NothingToDo => "nothing to fix",
        Status::Unfixable => "no fix found",
        Status::ThenRun => "a command to run",
        Status::Pending => "edits pending",
        Status::NotVerified => "not verified: nothing written",
        Status::Applied => "applied",
    };
    writeln!(out, "## cargo etcd-deps fix: {status}\n")?;
    if !report.edits.is_empty() {
        writeln!(out, "| Manifest | Table | Key | From | To | Why |")?;
        writeln!(out, "|---|---|---|---|---|---|")?;
        for e in &report.edits {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                md_code_cell(&e.manifest),
                md_code_cell(&e.table),
                md_code_cell(&e.key),
                e.from
                    .as_deref()
                    .map_or_else(|| "(new)".to_owned(), md_code_cell),
                md_code_cell(&e.to),
                md_cell(&e.reason)
            )?;
        }
    }
    if !report.commands.is_empty() {
        writeln!(out, "\nCommands:\n")?;
        for c in &report.commands {
            writeln!(out, "- {}", md_code(&c.join(" ")))?;
        }
    }
    if !report.unfixable.is_empty() {
        writeln!(out, "\n**Cannot fix**\n")?;
        for u in &report.unfixable {
            writeln!(out, "- {}: {}", md_code(&u.finding), md_text(&u.message))?;
            for a in &u.alternatives {
                writeln!(out, "  - or {}: {}", md_text(&a.text), md_code(&a.how))?;
            }
        }
    }
    if !report.then_run.is_empty() {
        writeln!(out, "\n**Then run** (not run or verified by this tool)\n")?;
        for t in &report.then_run {
            writeln!(
                out,
                "- {}: {}",
                md_code(&t.command.join(" ")),
                md_text(&t.reason)
            )?;
        }
    }
    for d in &report.diffs {
        write!(out, "\n{}", md_code_block("diff", &d.diff))?;
    }
    if let Some(v) = &report.verification {
        writeln!(out)?;
        if v.verified {
            writeln!(
                out,
                "**Verified**: cargo re-resolved the edited workspace and the targeted findings are gone.\n"
            )?;
        } else {
            writeln!(out, "**Not verified**.\n")?;
        }
        for (krate, before) in &v.before {
            let after = v.after.get(krate).cloned().unwrap_or_default();
            writeln!(
                out,
                "- {}: {} → {}",
                md_code(krate),
                md_text(&before.join(", ")),
                md_text(&after.join(", "))
            )?;
        }
        for r in &v.residual {
            writeln!(
                out,
                "- residual {} {} {}: {}",
                r.level.as_str(),
                md_code(r.code.as_str()),
                md_code(&r.krate),
                md_text(&r.versions.join(", "))
            )?;
        }
        if let Some(b) = &v.build {
            render_build(b, out)?;
        }
    }
    Ok(())
}

/// `--build-check`: whether `cargo check` compiled the copy, and the errors it did not.
fn render_build(b: &BuildCheck, out: &mut dyn Write) -> io::Result<()> {
    let said = match b.outcome {
        "clean" => "it compiles",
        "two-versions" => "two versions of a crate still meet",
        "source-changes" => "source changes to make for the new releases",
        _ => "cargo could not build the copy",
    };
    writeln!(
        out,
        "- build check (`cargo check --workspace --all-targets`): {said}"
    )?;
    for e in b.two_versions.iter().chain(&b.source_changes) {
        let at = match (&e.file, e.line) {
            (Some(f), Some(l)) => md_code(&format!("{f}:{l}")),
            _ => String::new(),
        };
        let code = e.code.as_deref().unwrap_or("error");
        writeln!(out, "  - {at} {}: {}", md_code(code), md_text(&e.message))?;
    }
    if b.more > 0 {
        writeln!(out, "  - … and {} more", b.more)?;
    }
    Ok(())
}
