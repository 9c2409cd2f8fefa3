//! cargo-etcd-deps: finds diverging versions of etcd-client, tonic and the gRPC crates that
//! must agree with them, explains where each comes from, and gates CI on them.
//!
//! The pipeline (each stage returns owned, sorted, `Serialize`-able data):
//!
//! ```text
//! argv ─cli─► Request ─metadata─► metadata JSON ─graph─► DepGraph ─analysis─► Findings
//!      ─manifest::spans─► origins located ─report─► human | json ; Outcome ─main─► exit code
//! ```
//!
//! `run` wires the stages; only `main` exits and only `report` renders.

pub mod analysis;
pub mod cli;
pub mod error;
pub mod exit;
pub mod graph;
pub mod manifest;
pub mod metadata;
pub mod report;
#[cfg(test)]
mod testkit;

use std::io::Write;

pub use error::Error;

/// What the user asked for, free of clap.
#[derive(Clone, Debug)]
pub struct Request {
    pub command: Command,
    pub input: metadata::Input,
    pub format: Format,
    pub color: Color,
    pub verbosity: Verbosity,
}

#[derive(Clone, Debug)]
pub enum Command {
    Check(CheckRequest),
}

#[derive(Clone, Debug, Default)]
pub struct CheckRequest {
    pub analysis: analysis::Options,
    /// `--deny warnings`: warnings fail the gate too.
    pub deny_warnings: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

/// How a run ended, when it could give an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub exit_code: i32,
}

/// Runs a request, writing the report to `out`. `color` says whether the human report may
/// use colour (the caller knows whether `out` is a terminal).
pub fn run(req: &Request, out: &mut dyn Write, color: bool) -> Result<Outcome, Error> {
    match &req.command {
        Command::Check(check) => run_check(req, check, out, color),
    }
}

fn run_check(
    req: &Request,
    check: &CheckRequest,
    out: &mut dyn Write,
    color: bool,
) -> Result<Outcome, Error> {
    let loaded = metadata::load(&req.input)?;
    let graph = graph::DepGraph::from_metadata_json(&loaded.json, &loaded.name)?;
    for p in &check.analysis.packages {
        if !graph.members().iter().any(|&m| graph.package(m).name == *p) {
            let mut names: Vec<&str> = graph
                .members()
                .iter()
                .map(|&m| graph.package(m).name.as_str())
                .collect();
            names.sort_unstable();
            return Err(Error::Usage(format!(
                "package `{p}` is not a member of the workspace at {} (members: {})",
                graph.workspace_root().display(),
                names.join(", ")
            )));
        }
    }
    let mut findings = analysis::analyze(&graph, &check.analysis);
    let sources = manifest::spans::locate(&mut findings, &graph);
    let report = report::Report::new(findings, check.deny_warnings);

    // Render into memory first: on an error nothing reaches stdout.
    let mut buf = Vec::new();
    let style = report::Style {
        color,
        verbosity: req.verbosity,
        width: 80,
    };
    match req.format {
        Format::Human => report::human::render(&report, &sources, &style, &mut buf),
        Format::Json => report::json::render(&report, &mut buf),
    }
    .map_err(Error::Output)?;
    out.write_all(&buf).map_err(Error::Output)?;
    out.flush().map_err(Error::Output)?;
    Ok(Outcome {
        exit_code: if report.summary.errors > 0 {
            exit::GATE_FAILED
        } else {
            exit::OK
        },
    })
}
