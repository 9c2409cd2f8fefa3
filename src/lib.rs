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
mod check;
pub mod cli;
pub mod completions;
pub mod config;
pub mod error;
pub mod exit;
pub mod explain;
mod fix;
pub mod graph;
pub mod input;
pub mod interrupt;
pub mod manifest;
pub mod plan;
pub mod policy;
pub mod registry;
pub mod report;
pub mod scan;
#[doc(hidden)]
pub mod synth;
#[cfg(test)]
mod testkit;
pub mod verify;

use std::io::Write;

pub use error::Error;

/// What the user asked for, free of clap.
#[derive(Clone, Debug)]
pub struct Request {
    pub command: Command,
    pub input: input::Input,
    pub format: Format,
    pub color: Color,
    pub verbosity: Verbosity,
    /// `--output FILE`: the report goes there instead of stdout.
    pub output: Option<std::path::PathBuf>,
    /// `--config FILE`: replaces discovery.
    pub config: Option<std::path::PathBuf>,
    /// `-e` was given: it overrides the configuration's `edges`.
    pub edges_given: bool,
    /// `--watch` crates, added to the configuration's `watch`.
    pub extra_watch: Vec<String>,
    /// `--policy FILE`: a shared policy file (replaces the configuration's `policy-file`).
    pub policy_file: Option<std::path::PathBuf>,
    /// `--today YYYY-MM-DD`: the day policy windows are judged on.
    pub today: Option<config::Date>,
    /// `SOURCE_DATE_EPOCH`, used for the day when `--today` is not given.
    pub source_date_epoch: Option<String>,
}

#[derive(Clone, Debug)]
pub enum Command {
    Check(CheckRequest),
    Fix(FixRequest),
    /// `explain [CODE]`.
    Explain(Option<String>),
    /// `completions SHELL`.
    Completions(clap_complete::Shell),
    /// `scan [PATH…]`, or `scan merge FILE…`.
    Scan(scan::ScanRequest),
}

/// `--graph`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

/// `fix`: what to plan, and whether to write it.
#[derive(Clone, Debug, Default)]
pub struct FixRequest {
    pub analysis: analysis::Options,
    /// `--to CRATE@LINE`, as given (checked against the graph by `fix`).
    pub to: Vec<(String, analysis::Line)>,
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
    /// `--baseline FILE`.
    pub baseline: Option<std::path::PathBuf>,
    /// `--write-baseline FILE`.
    pub write_baseline: Option<std::path::PathBuf>,
    /// `--graph dot|mermaid`.
    pub graph: Option<GraphFormat>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
    Markdown,
    /// `scan` only.
    Csv,
    /// `scan` only.
    Html,
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
    if matches!(req.format, Format::Csv | Format::Html)
        && matches!(req.command, Command::Check(_) | Command::Fix(_))
    {
        return Err(Error::Usage(
            "--format csv and --format html are formats of `scan`".to_owned(),
        ));
    }
    match &req.command {
        Command::Scan(scan) => run_scan(req, scan, out),
        Command::Check(check) => check::run(req, check, out, color),
        Command::Fix(fix) => fix::run(req, fix, out, color, fs),
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
            emit(req, text.as_bytes(), out)?;
            Ok(Outcome {
                exit_code: exit::OK,
            })
        }
        Command::Completions(shell) => {
            emit(req, &completions::script(*shell), out)?;
            Ok(Outcome {
                exit_code: exit::OK,
            })
        }
    }
}

/// Writes a finished report to `--output FILE` (atomically) or to `out`.
fn emit(req: &Request, bytes: &[u8], out: &mut dyn Write) -> Result<(), Error> {
    match &req.output {
        Some(path) => {
            use manifest::edit::WriteFs;
            manifest::edit::AtomicFs
                .write(path, bytes)
                .map_err(|source| Error::Write {
                    path: path.clone(),
                    source,
                })
        }
        None => {
            out.write_all(bytes).map_err(Error::Output)?;
            out.flush().map_err(Error::Output)
        }
    }
}

fn run_scan(
    req: &Request,
    scan: &scan::ScanRequest,
    out: &mut dyn Write,
) -> Result<Outcome, Error> {
    if matches!(req.format, Format::Sarif | Format::Github) {
        return Err(Error::Usage(
            "`scan` writes human, json, csv, markdown or html".to_owned(),
        ));
    }
    let chosen = match &req.input {
        input::Input::Cargo(c) => c.manifest_path.is_some(),
        input::Input::File(_) => true,
        input::Input::Lockfile {
            lockfile,
            manifest_path,
        } => lockfile.is_some() || manifest_path.is_some(),
    };
    if chosen {
        return Err(Error::Usage(
            "`scan` reads each workspace's Cargo.lock itself; name the workspaces as PATH \
             arguments or with --from FILE, not with --manifest-path, --metadata-path or \
             --lockfile PATH"
                .to_owned(),
        ));
    }
    let report = scan::run(req, scan)?;
    let mut buf = Vec::new();
    match req.format {
        Format::Json => report::scan::render_json(&report, &mut buf),
        Format::Csv => report::scan::render_csv(&report, &mut buf),
        Format::Markdown => report::scan::render_markdown(&report, &mut buf),
        Format::Html => report::scan::render_html(&report, &mut buf),
        _ => report::scan::render_human(&report, req.verbosity == Verbosity::Verbose, &mut buf),
    }
    .map_err(Error::Output)?;
    emit(req, &buf, out)?;
    Ok(Outcome {
        exit_code: report.exit_code(),
    })
}
