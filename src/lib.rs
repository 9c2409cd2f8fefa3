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
mod fix;
pub mod graph;
pub mod manifest;
pub mod metadata;
pub mod plan;
pub mod registry;
pub mod report;
#[cfg(test)]
mod testkit;
pub mod vcs;
pub mod verify;

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
    Fix(FixRequest),
}

/// `fix`: what to plan, and whether to write it.
#[derive(Clone, Debug, Default)]
pub struct FixRequest {
    pub analysis: analysis::Options,
    /// `--to CRATE@LINE`.
    pub to: std::collections::BTreeMap<String, analysis::Line>,
    pub include_warnings: bool,
    pub apply: bool,
    pub allow_dirty: bool,
    pub no_verify: bool,
    pub patch_with: Vec<(String, cli::PatchWith)>,
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
    run_with(req, out, color, &manifest::edit::AtomicFs)
}

/// `run`, writing manifests through `fs` (the seam tests use to inject write failures).
pub fn run_with(
    req: &Request,
    out: &mut dyn Write,
    color: bool,
    fs: &dyn manifest::edit::WriteFs,
) -> Result<Outcome, Error> {
    match &req.command {
        Command::Check(check) => run_check(req, check, out, color),
        Command::Fix(fix) => fix::run(req, fix, out, color, fs),
    }
}

/// Loads the workspace, builds the graph, checks `-p` names, analyses and locates origins.
fn analyse(
    input: &metadata::Input,
    opts: &analysis::Options,
) -> Result<
    (
        graph::DepGraph,
        Vec<analysis::Finding>,
        manifest::spans::Sources,
    ),
    Error,
> {
    let loaded = metadata::load(input)?;
    let graph = graph::DepGraph::from_metadata_json(&loaded.json, &loaded.name)?;
    for p in &opts.packages {
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
    let mut findings = analysis::analyze(&graph, opts);
    let sources = manifest::spans::locate(&mut findings, &graph);
    Ok((graph, findings, sources))
}

fn run_check(
    req: &Request,
    check: &CheckRequest,
    out: &mut dyn Write,
    color: bool,
) -> Result<Outcome, Error> {
    let (_graph, findings, sources) = analyse(&req.input, &check.analysis)?;
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
