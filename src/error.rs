//! The one error type of the tool. The variants name the file or command they are about where
//! there is one (a usage error names the option in its message); an I/O or parse error is
//! kept as the `source` of the variant that carries it (`Read`, `Write`, `CargoMissing`, the
//! baseline, scan-document and `SOURCE_DATE_EPOCH` variants, `Output`), and a reader's own
//! cause (metadata, lockfile, registry, edit) is kept as its message. Each maps to an exit code
//! (`Error::exit_code`). It depends on no other module of the tool but `exit`: a configuration
//! error is held as a [`ConfigError`], which the configuration reader builds.

use std::path::PathBuf;

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

use crate::exit;

/// Everything that can stop the tool from giving an answer.
#[derive(Debug, Error, Diagnostic)]
#[non_exhaustive]
pub enum Error {
    /// The command line is wrong.
    #[error("{0}")]
    #[diagnostic(code(etcd_deps::usage))]
    Usage(String),

    /// cargo could not be started at all.
    #[error("could not run `{program}`: {source}")]
    #[diagnostic(
        code(etcd_deps::cargo_missing),
        help("install cargo, or point the CARGO environment variable at it")
    )]
    CargoMissing {
        program: String,
        #[source]
        source: std::io::Error,
    },

    /// cargo ran and failed: its own message is shown.
    #[error("`cargo {command}` failed for {manifest}:\n{stderr}")]
    #[diagnostic(code(etcd_deps::cargo_failed))]
    CargoFailed {
        command: String,
        manifest: String,
        stderr: String,
    },

    /// A manifest path given on the command line does not exist or is not a manifest.
    #[error("{}: {message}", path.display())]
    #[diagnostic(code(etcd_deps::manifest))]
    Manifest { path: PathBuf, message: String },

    /// An input file could not be read.
    #[error("could not read {}: {source}", path.display())]
    #[diagnostic(code(etcd_deps::read))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The metadata JSON is not cargo metadata we can use.
    #[error("{path} is not usable cargo metadata: {message}")]
    #[diagnostic(
        code(etcd_deps::metadata),
        help("produce it with `cargo metadata --format-version 1`")
    )]
    BadMetadata { path: String, message: String },

    /// A build log is not the JSON output of cargo.
    #[error("{path} is not cargo's JSON output: {message}")]
    #[diagnostic(
        code(etcd_deps::build_log),
        help("save it with `cargo check --workspace --all-targets --message-format json > FILE`")
    )]
    BuildLog { path: String, message: String },

    /// The configuration is wrong; the diagnostic points at the line.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(Box<ConfigError>),

    /// The baseline file could not be read.
    #[error("cannot read the baseline {shown}: {source}; create it with --write-baseline {shown}")]
    #[diagnostic(code(etcd_deps::usage))]
    BaselineUnreadable {
        path: PathBuf,
        /// The path as the user gave it.
        shown: String,
        #[source]
        source: std::io::Error,
    },

    /// The baseline file is not a baseline.
    #[error("the baseline {shown} is not a baseline file: {source}")]
    #[diagnostic(code(etcd_deps::usage))]
    BaselineInvalid {
        path: PathBuf,
        shown: String,
        #[source]
        source: serde_json::Error,
    },

    /// The baseline was written by another version of the format.
    #[error(
        "the baseline {shown} has schema_version {found}, but this version of cargo-etcd-deps reads schema_version {expected}; write it again with --write-baseline {shown}"
    )]
    #[diagnostic(code(etcd_deps::usage))]
    BaselineVersion {
        path: PathBuf,
        shown: String,
        found: u32,
        expected: u32,
    },

    /// A `scan merge` input is not a `scan --format json` document.
    #[error("{} is not a `scan --format json` document: {source}", path.display())]
    #[diagnostic(code(etcd_deps::usage))]
    NotAScanDocument {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },

    /// A `scan merge` input was written by another version of the format.
    #[error("{} has schema_version {found}; this version reads {expected}", path.display())]
    #[diagnostic(code(etcd_deps::usage))]
    ScanVersion {
        path: PathBuf,
        found: u32,
        expected: u32,
    },

    /// `scan merge` inputs that are not the tool's shards, or shards that do not fit together
    /// (the message names the files and the values).
    #[error("{0}")]
    #[diagnostic(code(etcd_deps::usage))]
    ScanMerge(String),

    /// `SOURCE_DATE_EPOCH` is not a number of seconds.
    #[error("SOURCE_DATE_EPOCH must be a number of seconds since 1970-01-01, not `{value}`")]
    #[diagnostic(code(etcd_deps::usage))]
    SourceDateEpoch {
        value: String,
        #[source]
        source: std::num::ParseIntError,
    },

    /// Cargo.lock, or a manifest read beside it, cannot be used.
    #[error("{}: {message}", path.display())]
    #[diagnostic(code(etcd_deps::lockfile))]
    Lockfile { path: PathBuf, message: String },

    /// The registry index could not be read.
    #[error("could not read the registry index: {message}")]
    #[diagnostic(code(etcd_deps::registry))]
    Registry { message: String },

    /// A manifest cannot be edited as planned (it does not parse, or the key moved).
    #[error("cannot edit {}: {message}", path.display())]
    #[diagnostic(code(etcd_deps::edit))]
    Edit { path: PathBuf, message: String },

    /// `fix --apply` refused to write: uncommitted changes, no version control, a read-only
    /// manifest, a file changed since planning, or a file outside the workspace root.
    #[error("refusing to edit {}: {reason}", path.display())]
    #[diagnostic(code(etcd_deps::refused))]
    Refused {
        path: PathBuf,
        reason: String,
        #[help]
        help: Option<String>,
    },

    /// A member manifest is reached through a link that leaves the workspace root: `check`
    /// does not read through it, and `fix` does not edit through it.
    #[error(
        "refusing to {verb} {}: it is reached through a link that leaves the workspace root (it is really {})",
        path.display(),
        real.display()
    )]
    #[diagnostic(code(etcd_deps::refused))]
    LinkLeavesRoot {
        path: PathBuf,
        real: PathBuf,
        /// `read` or `edit`, as fits the command.
        verb: &'static str,
        #[help]
        help: String,
    },

    /// cargo failed on the edited scratch copy (`fix --apply --no-verify`); nothing was written.
    #[error(
        "`cargo {command}` failed on the edited copy of the workspace; nothing was written:\n{stderr}"
    )]
    #[diagnostic(code(etcd_deps::cargo_failed))]
    RefreshFailed { command: String, stderr: String },

    /// A file could not be written (every file written before was restored).
    #[error("could not write {}: {source}", path.display())]
    #[diagnostic(code(etcd_deps::write))]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// SIGINT or SIGTERM arrived; every scratch file was removed.
    #[error("interrupted by {signal}: {done}")]
    #[diagnostic(code(etcd_deps::interrupted))]
    Interrupted {
        signal: &'static str,
        /// 128 + the signal number, as a shell reports it.
        code: i32,
        done: &'static str,
    },

    /// Writing the report failed (a closed pipe is not an error; see `main`).
    #[error("could not write the report: {0}")]
    #[diagnostic(code(etcd_deps::output))]
    Output(#[source] std::io::Error),
}

/// A configuration value that is wrong, shown at its place in the file.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(etcd_deps::config))]
pub struct ConfigError {
    pub message: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("{label}")]
    pub span: SourceSpan,
    pub label: String,
    #[help]
    pub help: Option<String>,
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_)
            | Error::BaselineUnreadable { .. }
            | Error::BaselineInvalid { .. }
            | Error::BaselineVersion { .. }
            | Error::NotAScanDocument { .. }
            | Error::ScanVersion { .. }
            | Error::ScanMerge(_)
            | Error::SourceDateEpoch { .. }
            | Error::CargoMissing { .. }
            | Error::CargoFailed { .. }
            | Error::Manifest { .. }
            | Error::Read { .. }
            | Error::BadMetadata { .. }
            | Error::BuildLog { .. }
            | Error::Registry { .. }
            | Error::Config(_)
            | Error::Lockfile { .. }
            | Error::Edit { .. }
            | Error::Refused { .. }
            | Error::LinkLeavesRoot { .. }
            | Error::RefreshFailed { .. } => exit::INPUT,
            Error::Output(_) | Error::Write { .. } => exit::INTERNAL,
            Error::Interrupted { code, .. } => *code,
        }
    }
}
