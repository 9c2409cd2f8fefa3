//! What the user asked for, as plain data: the `Request` the binary lowers its command line
//! into and `run` takes. Nothing here parses: any caller (the binary, a test, a benchmark)
//! builds one directly.

use std::path::PathBuf;

use crate::{analysis, config, plan};

/// What the user asked for: the command and the options common to every command.
#[derive(Clone, Debug)]
pub struct Request {
    /// The subcommand and its own options.
    pub command: Command,
    /// Where the workspace description comes from.
    pub input: Input,
    /// `--color` (with `CARGO_TERM_COLOR` and `NO_COLOR` already applied by the caller).
    pub color: Color,
    /// `-q` / `-v`.
    pub verbosity: Verbosity,
    /// The terminal's width when the report goes to one (the binary reads it): human
    /// diagnostics (`-v`) wrap to it. `None` (a pipe, a file): lines are never wrapped, so
    /// captured output is the same everywhere.
    pub width: Option<usize>,
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
    /// the workspace around the current directory, colour `auto`, normal verbosity, the
    /// report to `out`, the configuration discovered. (The format is the command's own.)
    pub fn new(command: Command) -> Request {
        Request {
            command,
            input: Input::default(),
            color: Color::Auto,
            verbosity: Verbosity::Normal,
            width: None,
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

/// A subcommand and its own options.
#[derive(Clone, Debug)]
pub enum Command {
    /// `check`: analyse and gate.
    Check(CheckRequest),
    /// `fix`: plan edits, prove them on a copy, and write them with `--apply`.
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
    /// What to analyse.
    pub analysis: analysis::Options,
    /// `--format`.
    pub format: DiagnoseFormat,
    /// `--log FILE` (`-`: stdin): a saved `cargo check --message-format json`; without it,
    /// cargo check runs.
    pub log: Option<PathBuf>,
}

/// Declares a closed list of output formats: the enum, its values in order (`ALL`), and
/// each one's name on the command line. Each command has its own, so a format it does not
/// write cannot be asked of it; the command line's value lists are built from `ALL`.
macro_rules! formats {
    ($($(#[$doc:meta])* $name:ident { $default:ident = $default_text:literal $(, $variant:ident = $text:literal)* $(,)? })*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub enum $name {
            #[default]
            #[doc = concat!("`", $default_text, "` (the default).")]
            $default,
            $(#[doc = concat!("`", $text, "`.")] $variant,)*
        }

        impl $name {
            /// Every value, in the order the command line lists them.
            pub const ALL: &'static [$name] = &[$name::$default, $($name::$variant,)*];

            /// The name on the command line (`--format NAME`).
            pub fn name(self) -> &'static str {
                match self {
                    $name::$default => $default_text,
                    $($name::$variant => $text,)*
                }
            }

            /// The value named `name` on the command line.
            pub fn from_name(name: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|f| f.name() == name)
            }
        }
    )*};
}

formats! {
    /// `check --format`.
    CheckFormat {
        Human = "human",
        Json = "json",
        Sarif = "sarif",
        Github = "github",
        Markdown = "markdown",
    }
    /// `fix --format`: the plan for people, for machines, or for a pull request.
    FixFormat {
        Human = "human",
        Json = "json",
        Markdown = "markdown",
    }
    /// `scan --format` (and `scan merge`): the inventory.
    ScanFormat {
        Human = "human",
        Json = "json",
        Csv = "csv",
        Markdown = "markdown",
        Html = "html",
    }
    /// `diagnose --format`.
    DiagnoseFormat {
        Human = "human",
        Json = "json",
    }
    /// `check --graph`.
    GraphFormat {
        Dot = "dot",
        Mermaid = "mermaid",
    }
}

/// `fix`: what to plan, and whether to write it.
#[derive(Clone, Debug, Default)]
pub struct FixRequest {
    /// What to analyse.
    pub analysis: analysis::Options,
    /// `--format`.
    pub format: FixFormat,
    /// `--to CRATE@LINE`, as given (checked against the graph by `fix`).
    pub to: Vec<(String, analysis::Line)>,
    /// `--include-warnings`: plan for warning-level findings too.
    pub include_warnings: bool,
    /// `--apply`: write the plan once it is verified.
    pub apply: bool,
    /// `--allow-dirty`: write into a tree with uncommitted changes.
    pub allow_dirty: bool,
    /// `--no-verify`: skip the proof on a copy (the report says "not verified").
    pub no_verify: bool,
    /// `--patch-with CRATE=SOURCE`: a fork to point an intermediate crate at.
    pub patch_with: Vec<(String, PatchWith)>,
    /// `--build-check`: compile the verified copy with the workspace's sources.
    pub build_check: bool,
}

/// A `--patch-with` source as given on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatchWith {
    /// A git URL, with an optional `#REV` (or `?branch=`/`?tag=`/`?rev=`).
    Git(plan::PatchSpec),
    /// A path, relative to the current directory.
    Path(PathBuf),
}

/// `check`: what to analyse and how to gate.
#[derive(Clone, Debug, Default)]
pub struct CheckRequest {
    /// What to analyse.
    pub analysis: analysis::Options,
    /// `--format`.
    pub format: CheckFormat,
    /// `--deny warnings`: warnings fail the gate too.
    pub deny_warnings: bool,
    /// `--baseline FILE`.
    pub baseline: Option<PathBuf>,
    /// `--write-baseline FILE`.
    pub write_baseline: Option<PathBuf>,
    /// `--graph dot|mermaid`.
    pub graph: Option<GraphFormat>,
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    /// Colour when the output is a terminal.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// `-q` / `-v`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verbosity {
    /// `-q`: one line.
    Quiet,
    /// The default: one summary line per root cause, then the findings.
    Normal,
    /// `-v`: every dependent, path and finding.
    Verbose,
}

/// How `cargo metadata` is run: the cargo flags passed through.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CargoOptions {
    /// `--manifest-path`.
    pub manifest_path: Option<PathBuf>,
    /// `--features`.
    pub features: Vec<String>,
    /// `--all-features`.
    pub all_features: bool,
    /// `--no-default-features`.
    pub no_default_features: bool,
    /// `--target TRIPLE`, passed as `--filter-platform`.
    pub targets: Vec<String>,
    /// `--offline`.
    pub offline: bool,
    /// `--locked`: cargo may not change Cargo.lock.
    pub locked: bool,
    /// `--frozen`: `--locked` and `--offline`.
    pub frozen: bool,
    /// Pass cargo's own stderr (`Updating crates.io index`, `Downloaded …`) on to stderr as it
    /// comes: the binary sets it when stderr is a terminal and `-q` is not given.
    pub progress: bool,
    /// Resolve as cargo's MSRV-aware resolver does (`resolver.incompatible-rust-versions =
    /// "fallback"`, resolver 3's default): releases within the workspace's rust-version
    /// first. Set only for the verification copy of a workspace that declares one.
    pub rust_version_fallback: bool,
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
    /// `cargo metadata --format-version 1` JSON the caller already has (a tool that runs
    /// cargo itself): parsed once into the graph; the configuration is discovered at the
    /// workspace root it names.
    Json(String),
    /// Read Cargo.lock (this file, or the workspace's) and the workspace's manifests.
    Lockfile {
        /// `--lockfile PATH` (default: the workspace root's Cargo.lock).
        lockfile: Option<PathBuf>,
        /// `--manifest-path`: where to start looking for the workspace.
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

/// What the library's `load` reads, with the settings a command line would give: the
/// library's plain form of the options common to every command.
///
/// `Settings::default()` is `cargo metadata` of the workspace around the current directory,
/// the default watched crates, every dependency kind and the configuration discovered at the
/// workspace root.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Where the workspace description comes from.
    pub input: Input,
    /// A configuration file that replaces discovery (`--config`).
    pub config: Option<PathBuf>,
    /// What to analyse. The workspace's configuration replaces the watch lists it sets, and
    /// its `edges` replace `analysis.edges` unless `edges_given`.
    pub analysis: analysis::Options,
    /// `analysis.edges` was chosen by the caller (`-e`) and wins over the configuration.
    pub edges_given: bool,
    /// Crates watched in addition to the configuration's `watch` (`--watch`).
    pub extra_watch: Vec<String>,
    /// A shared policy file (`--policy`), replacing the configuration's `policy-file`.
    pub policy_file: Option<PathBuf>,
    /// The day dated policy rules are judged on (`--today`); default: today.
    pub today: Option<config::Date>,
    /// `SOURCE_DATE_EPOCH`, the day when `today` is not given (the caller reads the
    /// environment; the library does not).
    pub source_date_epoch: Option<String>,
}

impl Settings {
    /// The `check` request these settings stand for, as `input::load` reads it.
    pub(crate) fn request(&self) -> Request {
        let mut req = Request::new(Command::Check(CheckRequest {
            analysis: self.analysis.clone(),
            ..CheckRequest::default()
        }));
        req.input = self.input.clone();
        req.config = self.config.clone();
        req.edges_given = self.edges_given;
        req.extra_watch = self.extra_watch.clone();
        req.policy_file = self.policy_file.clone();
        req.today = self.today;
        req.source_date_epoch = self.source_date_epoch.clone();
        req
    }
}

/// How the library's `check` judges a loaded workspace's findings.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// Warnings fail the gate too (`--deny warnings`).
    pub deny_warnings: bool,
    /// A baseline file (`--baseline`): the findings it lists pass, the rest fail.
    pub baseline: Option<PathBuf>,
}

/// What `scan` was asked to do, as plain data (the binary lowers its command line into it).
#[derive(Clone, Debug, Default)]
pub struct ScanRequest {
    /// What to analyse in each workspace.
    pub analysis: analysis::Options,
    /// `--format`.
    pub format: ScanFormat,
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
