//! What the user asked for, as plain data: the `Request` the binary lowers its command line
//! into and `run` takes. Nothing here parses: any caller (the binary, a test, a benchmark)
//! builds one directly.

use std::path::PathBuf;

use crate::{analysis, config, plan};

/// What the user asked for: the command and the options common to every command.
#[derive(Clone, Debug)]
pub struct Request {
    pub command: Command,
    pub input: Input,
    pub format: Format,
    pub color: Color,
    pub verbosity: Verbosity,
    /// `--output FILE`: the report goes there instead of stdout.
    pub output: Option<PathBuf>,
    /// `--config FILE`: replaces discovery.
    pub config: Option<PathBuf>,
    /// `-e` was given: it overrides the configuration's `edges`.
    pub edges_given: bool,
    /// `--watch` crates, added to the configuration's `watch`.
    pub extra_watch: Vec<String>,
    /// `--policy FILE`: a shared policy file (replaces the configuration's `policy-file`).
    pub policy_file: Option<PathBuf>,
    /// `--today YYYY-MM-DD`: the day policy windows are judged on.
    pub today: Option<config::Date>,
    /// `SOURCE_DATE_EPOCH`, used for the day when `--today` is not given.
    pub source_date_epoch: Option<String>,
}

impl Request {
    /// `command` with every other choice at the command line's default: `cargo metadata` of
    /// the workspace around the current directory, the human format, colour `auto`, normal
    /// verbosity, the report to `out`, the configuration discovered.
    pub fn new(command: Command) -> Request {
        Request {
            command,
            input: Input::default(),
            format: Format::Human,
            color: Color::Auto,
            verbosity: Verbosity::Normal,
            output: None,
            config: None,
            edges_given: false,
            extra_watch: Vec::new(),
            policy_file: None,
            today: None,
            source_date_epoch: None,
        }
    }
}

#[derive(Clone, Debug)]
pub enum Command {
    Check(CheckRequest),
    Fix(FixRequest),
    /// `explain [CODE]`.
    Explain(Option<String>),
    /// `scan [PATH…]`, or `scan merge FILE…`.
    Scan(ScanRequest),
    /// `diagnose [--log FILE]`: build errors traced back to findings.
    Diagnose(DiagnoseRequest),
}

/// `diagnose`: where the build's messages come from.
#[derive(Clone, Debug, Default)]
pub struct DiagnoseRequest {
    pub analysis: analysis::Options,
    /// `--log FILE` (`-`: stdin): a saved `cargo check --message-format json`; without it,
    /// cargo check runs.
    pub log: Option<PathBuf>,
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
    pub patch_with: Vec<(String, PatchWith)>,
}

/// A `--patch-with` source as given on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatchWith {
    /// A git URL, with an optional `#REV` (or `?branch=`/`?tag=`/`?rev=`).
    Git(plan::PatchSpec),
    /// A path, relative to the current directory.
    Path(PathBuf),
}

#[derive(Clone, Debug, Default)]
pub struct CheckRequest {
    pub analysis: analysis::Options,
    /// `--deny warnings`: warnings fail the gate too.
    pub deny_warnings: bool,
    /// `--baseline FILE`.
    pub baseline: Option<PathBuf>,
    /// `--write-baseline FILE`.
    pub write_baseline: Option<PathBuf>,
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

/// How `cargo metadata` is run: the cargo flags passed through.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CargoOptions {
    pub manifest_path: Option<PathBuf>,
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
    /// `--target TRIPLE`, passed as `--filter-platform`.
    pub targets: Vec<String>,
    pub offline: bool,
    pub locked: bool,
    pub frozen: bool,
    /// `--cargo-metadata`: `check` asks cargo even where the fast path could answer.
    pub cargo_metadata: bool,
}

/// Where the workspace description comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// Run `cargo metadata`.
    Cargo(CargoOptions),
    /// Read saved `cargo metadata` JSON from a file, or from stdin for `-`.
    File(PathBuf),
    /// Read Cargo.lock (this file, or the workspace's) and the workspace's manifests.
    Lockfile {
        lockfile: Option<PathBuf>,
        manifest_path: Option<PathBuf>,
        /// `--target TRIPLE`: the workspace's own platform conditions are evaluated for them.
        targets: Vec<String>,
        /// The feature flags given (`--features a`, `--no-default-features`): the lockfile
        /// mode cannot honour them and refuses them by name.
        feature_flags: Vec<String>,
    },
}

impl Default for Input {
    fn default() -> Self {
        Input::Cargo(CargoOptions::default())
    }
}

/// What `scan` was asked to do, as plain data (the binary lowers its command line into it).
#[derive(Clone, Debug, Default)]
pub struct ScanRequest {
    pub analysis: analysis::Options,
    /// Directories to search (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// `--from FILE`: a list of workspace directories (or Cargo.lock files), one a line.
    pub from: Option<PathBuf>,
    /// `--jobs N` (0: the number of cores).
    pub jobs: usize,
    /// `--shard I/N`: the I-th of N shares (1-based).
    pub shard: Option<(usize, usize)>,
    /// `--deny warnings`.
    pub deny_warnings: bool,
    /// `scan merge FILE…`: shard documents to combine instead of scanning.
    pub merge: Vec<PathBuf>,
    /// Show progress on stderr (the caller knows whether it is a terminal).
    pub progress: bool,
}
