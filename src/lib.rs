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
//!
//! # As a library
//!
//! [`load`] reads a workspace with plain [`Settings`] and [`check`] returns the [`Report`]
//! as data (findings, levels, summary), without printing or exiting. From Cargo.lock and the
//! manifests, without running cargo:
//!
//! ```
//! use cargo_etcd_deps::{CheckOptions, Input, Settings};
//!
//! let settings = Settings {
//!     input: Input::Lockfile {
//!         lockfile: None,
//!         manifest_path: Some("testdata/workspaces/two-lines/Cargo.toml".into()),
//!         targets: Vec::new(),
//!         feature_flags: Vec::new(),
//!     },
//!     ..Settings::default()
//! };
//! let workspace = cargo_etcd_deps::load(&settings)?;
//! let report = cargo_etcd_deps::check(&workspace, &CheckOptions::default())?;
//! assert!(report.summary.errors > 0, "tonic resolves on two lines");
//! let tonic = report.findings.iter().find(|f| f.krate == "tonic").expect("a tonic finding");
//! assert_eq!(tonic.code.as_str(), "diverging-versions");
//! # Ok::<(), cargo_etcd_deps::Error>(())
//! ```
//!
//! A tool that already ran `cargo metadata` (or holds guppy's input) passes the JSON, parsed
//! once into the graph:
//!
//! ```
//! use cargo_etcd_deps::{CheckOptions, Input, Settings};
//!
//! let json = std::fs::read_to_string("testdata/metadata/git-source-split.json")?;
//! let settings = Settings { input: Input::Json(json), ..Settings::default() };
//! let workspace = cargo_etcd_deps::load(&settings)?;
//! let report = cargo_etcd_deps::check(&workspace, &CheckOptions::default())?;
//! assert!(report.findings.iter().any(|f| f.code.as_str() == "source-split"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The modules below the crate root are the tool's internals: public for its own tests and
//! benchmarks, hidden from these docs, and without a stability promise.

#![warn(missing_docs)]

#[doc(hidden)]
pub mod analysis;
mod check;
#[doc(hidden)]
pub mod config;
mod diagnose;
#[doc(hidden)]
pub mod diags;
#[doc(hidden)]
pub mod error;
#[doc(hidden)]
pub mod exit;
#[doc(hidden)]
pub mod explain;
mod fix;
#[doc(hidden)]
pub mod graph;
#[doc(hidden)]
pub mod input;
#[doc(hidden)]
pub mod interrupt;
#[doc(hidden)]
pub mod line;
#[doc(hidden)]
pub mod location;
#[doc(hidden)]
pub mod manifest;
mod output;
#[doc(hidden)]
pub mod plan;
#[doc(hidden)]
pub mod policy;
#[doc(hidden)]
pub mod registry;
#[doc(hidden)]
pub mod report;
mod request;
#[doc(hidden)]
pub mod scan;
#[cfg(test)]
mod testkit;
#[doc(hidden)]
pub mod verify;

use std::io::Write;

pub use analysis::{Finding, Options};
pub use error::Error;
pub use exit::Outcome;
pub use graph::DepGraph;
pub use input::Workspace;
pub use output::write_output;
pub use report::Report;
pub use request::{
    CargoOptions, CheckFormat, CheckOptions, CheckRequest, Color, Command, DiagnoseFormat,
    DiagnoseRequest, FixFormat, FixRequest, GraphFormat, Input, PatchWith, Request, ScanFormat,
    ScanRequest, Settings, Verbosity,
};

/// Loads the workspace `settings` name, as every command does: the resolved graph (from
/// `cargo metadata`, saved or given metadata JSON, or Cargo.lock and the manifests), the
/// workspace's configuration, the analysis options merged over it, the policy, and the
/// manifests the findings point into. Cargo runs from the workspace root, so its
/// `.cargo/config.toml` applies.
///
/// # Errors
/// What the command line reports with exit code 2 or 3: the input cannot be read or
/// trusted (a stale lockfile, malformed metadata, a bad configuration, cargo's own error).
pub fn load(settings: &Settings) -> Result<Workspace, Error> {
    input::load(&settings.request(), &settings.analysis)
}

/// Analyses a loaded workspace and judges the findings as `check` does (levels, allow
/// entries, dated policy, `options`), returning the report as data: `report.summary.errors
/// > 0` is the gate failing. Nothing is printed and nothing is written.
///
/// # Errors
/// A baseline file that is missing or malformed.
pub fn check(workspace: &Workspace, options: &CheckOptions) -> Result<Report, Error> {
    check::report(workspace, options)
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
