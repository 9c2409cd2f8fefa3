//! `cargo etcd-deps check`: the workspace loaded and analysed, the policy applied (levels,
//! allow entries, dated version rules, `--deny warnings`, the baseline), the report rendered
//! and the gate's exit code; or, with `--write-baseline`, the findings recorded.

use std::io::Write;
use std::path::Path;

use crate::error::Error;
use crate::input::Workspace;
use crate::manifest::edit::WriteFs;
use crate::{
    CheckFormat, CheckOptions, CheckRequest, Outcome, Request, analysis, exit, input, policy,
    report,
};

/// Runs `check`, writing the report to `out` (or `--output`, and `--write-baseline`,
/// through `fs`).
pub(crate) fn run(
    req: &Request,
    check: &CheckRequest,
    out: &mut dyn Write,
    color: bool,
    fs: &dyn WriteFs,
) -> Result<Outcome, Error> {
    let ws = input::load(req, &check.analysis)?;
    if let Some(path) = &check.write_baseline {
        let findings = analysis::analyze(&ws.graph, &ws.spans, &ws.opts);
        let outcome = judge(&ws, findings, check.deny_warnings, None);
        return write_baseline(&outcome, path, out, fs);
    }
    let options = CheckOptions {
        deny_warnings: check.deny_warnings,
        baseline: check.baseline.clone(),
    };
    let report = report(&ws, &options)?;
    let root = ws.graph.workspace_root();
    // Render into memory first: on an error nothing reaches stdout. The JSON report of a
    // large workspace runs to a megabyte; reserved pages that stay untouched cost nothing,
    // while growing by doubling copies the text and faults fresh memory in twice over.
    let mut buf = Vec::with_capacity(1 << 20);
    render(req, check, &report, &ws.spans, root, color, &mut buf).map_err(Error::Output)?;
    crate::output::emit_with(req, &buf, out, fs)?;
    Ok(Outcome {
        exit_code: if report.summary.errors > 0 {
            exit::GATE_FAILED
        } else {
            exit::OK
        },
    })
}

/// The report on a loaded workspace: its findings, judged by the policy and `options`.
pub(crate) fn report(ws: &Workspace, options: &CheckOptions) -> Result<report::Report, Error> {
    let findings = analysis::analyze(&ws.graph, &ws.spans, &ws.opts);
    let root = ws.graph.workspace_root();
    let baseline = input::baseline(options.baseline.as_deref(), &ws.config, root)?;
    let baseline = baseline.as_ref().map(|(s, b)| (s.as_str(), b));
    let outcome = judge(ws, findings, options.deny_warnings, baseline);
    let mut report = report::Report::new(outcome);
    report.generated = ws.generated.clone();
    report.answered_by = ws.answered.as_ref().map(|a| match a {
        input::Answered::Fast => report::AnsweredBy {
            path: "lockfile",
            fallback: None,
        },
        input::Answered::Cargo(why) => report::AnsweredBy {
            path: "cargo-metadata",
            fallback: Some(why.clone()),
        },
    });
    if ws.lockfile_mode {
        report.input = Some(report::InputInfo {
            mode: "lockfile",
            not_known: input::lockfile::not_known(&ws.lacking),
        });
    }
    Ok(report)
}

/// The policy applied to `findings`, with the gate's settings.
fn judge(
    ws: &Workspace,
    findings: Vec<analysis::Finding>,
    deny_warnings: bool,
    baseline: Option<(&str, &policy::Baseline)>,
) -> policy::Outcome {
    let gate = policy::Gate {
        deny_warnings,
        baseline,
    };
    policy::apply(&ws.graph, &ws.spans, &ws.opts, findings, &ws.policy, gate)
}

/// `--write-baseline FILE`: records the error- and warning-level findings, atomically
/// through `fs`.
fn write_baseline(
    outcome: &policy::Outcome,
    path: &Path,
    out: &mut dyn Write,
    fs: &dyn WriteFs,
) -> Result<Outcome, Error> {
    let baseline = policy::Baseline::from_findings(&outcome.findings);
    let mut json = serde_json::to_vec_pretty(&baseline).map_err(|e| Error::Output(e.into()))?;
    json.push(b'\n');
    fs.write(path, &json).map_err(|source| Error::Write {
        path: path.to_owned(),
        source,
    })?;
    let text = format!(
        "wrote a baseline of {} finding{} to {}\n",
        baseline.entries.len(),
        if baseline.entries.len() == 1 { "" } else { "s" },
        path.display()
    );
    out.write_all(text.as_bytes()).map_err(Error::Output)?;
    Ok(Outcome {
        exit_code: exit::OK,
    })
}

/// Renders the report in the requested format, or the `--graph`. git is asked for the
/// repository's top level only by the formats that name files from it (sarif, github).
fn render(
    req: &Request,
    check: &CheckRequest,
    report: &report::Report,
    sources: &crate::manifest::spans::SpanIndex,
    root: &Path,
    color: bool,
    buf: &mut Vec<u8>,
) -> std::io::Result<()> {
    let locations = || report::Locations::new(root, input::vcs::toplevel(root).as_deref());
    let style = report::Style {
        color,
        verbosity: req.verbosity,
        width: req.width,
    };
    if let Some(graph_format) = check.graph {
        return report::graph::render(report, graph_format, buf);
    }
    match check.format {
        CheckFormat::Human => report::human::render(report, sources, &style, buf),
        CheckFormat::Json => report::json::render(report, buf),
        CheckFormat::Sarif => report::sarif::render(report, &locations(), buf),
        CheckFormat::Github => report::github::render(report, &locations(), buf),
        CheckFormat::Markdown => report::markdown::render(report, buf),
    }
}
