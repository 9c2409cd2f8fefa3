//! cargo-etcd-deps: finds diverging versions of etcd-client, tonic and the gRPC crates that
//! must agree with them, explains where each comes from, and gates CI on them.
//!
//! The pipeline (each stage takes references to earlier results and returns owned, sorted,
//! `Serialize`-able data; `ARCHITECTURE.md` has the module map and the call flows):
//!
//! ```text
//! argv ─main/cli─► Request           (plain data: the library never sees clap)
//!      ─input─► Workspace             (graph, configuration, options, policy, span index:
//!                                      loaded once for every mode; the only module that runs
//!                                      cargo or git, and the reader of the workspace's files)
//!      ─analysis (worded by diags)─► Findings       (pure; origins complete when created)
//!      ─policy─► Outcome              (levels, allow, dated rules, --deny, baseline: one
//!                                      function for check, fix, verification and scan)
//!      ─plan─► FixPlan ─manifest::edit─► changes ─verify─► proven on a copy (input +
//!                                      analysis + policy again) ─manifest::write─► written
//!      ─report─► human | json | sarif | github | markdown | graph ; Outcome ─main─► exit code
//! ```
//!
//! `run` dispatches to the workflows (`check`, `fix`, `scan`, `diagnose`, `explain`); only
//! `main` exits, only `report` renders, `output` sends a report to stdout or `--output`, and
//! only `manifest::write` writes files. ARCHITECTURE.md lists the few reads outside `input`.

pub mod analysis;
mod check;
pub mod config;
mod diagnose;
pub mod diags;
pub mod error;
pub mod exit;
pub mod explain;
mod fix;
pub mod graph;
pub mod input;
pub mod interrupt;
pub mod line;
pub mod location;
pub mod manifest;
mod output;
pub mod plan;
pub mod policy;
pub mod registry;
pub mod report;
mod request;
pub mod scan;
#[cfg(test)]
mod testkit;
pub mod verify;

use std::io::Write;

pub use error::Error;
pub use exit::Outcome;
pub use output::write_output;
pub use request::{
    CheckFormat, CheckRequest, Color, Command, DiagnoseFormat, DiagnoseRequest, FixFormat,
    FixRequest, GraphFormat, PatchWith, Request, ScanFormat, ScanRequest, Verbosity,
};

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
        Command::Scan(scan) => scan::command(req, scan, out, fs),
        Command::Check(check) => check::run(req, check, out, color, fs),
        Command::Fix(fix) => fix::run(req, fix, out, color, fs),
        Command::Diagnose(diagnose) => diagnose::run(req, diagnose, out, fs),
        Command::Explain(code) => {
            let text = match code {
                None => explain::list(),
                Some(c) => explain::explain(c).ok_or_else(|| {
                    let known: Vec<&str> = analysis::Code::ALL.iter().map(|c| c.as_str()).collect();
                    Error::Usage(format!(
                        "unknown code `{c}`; the codes are: {}",
                        known.join(", ")
                    ))
                })?,
            };
            output::emit_with(req, text.as_bytes(), out, fs)?;
            Ok(Outcome {
                exit_code: exit::OK,
            })
        }
    }
}
