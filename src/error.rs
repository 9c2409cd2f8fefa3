//! The one error family of the tool. The variants name the file or command they are about
//! where there is one (a usage error names the option in its message); what lies beneath is
//! the variant's `source`, never a part of its message, so the cause chain is data: `main`
//! draws it one cause a line, and [`Error::one_line`] joins it where there is room for one
//! line only (a scan row). An I/O or parse error is kept as it came; a reader's own reason
//! (a lockfile, a registry) is its own error type here ([`LockError`], [`RegistryError`]),
//! and a sentence saying why is a [`Cause`] too. Each error maps to an exit code
//! (`Error::exit_code`). It depends on no other module of the tool but `exit`: a
//! configuration error is held as a [`ConfigError`], which the configuration reader builds.

use std::path::PathBuf;

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

use crate::exit;

/// What lies beneath an error: a library's error as it came, or the tool's own sentence
/// saying why (`"…".into()`).
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can stop the tool from giving an answer.
#[derive(Debug, Error, Diagnostic)]
#[non_exhaustive]
pub enum Error {
    /// The command line is wrong.
    #[error("{0}")]
    #[diagnostic(code(etcd_deps::usage))]
    Usage(String),

    /// cargo could not be started at all.
    #[error("could not run `{program}`")]
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
    Manifest {
        path: PathBuf,
        message: String,
        /// What the tool met beneath its own reason, when there is something.
        #[source]
        source: Option<Cause>,
    },

    /// A workspace member or path dependency could not be loaded; the source says why.
    #[error("{what} {}", manifest.display())]
    #[diagnostic(code(etcd_deps::manifest))]
    Member {
        manifest: PathBuf,
        /// `failed to load the manifest of workspace member` and the like, as cargo says it.
        what: &'static str,
        #[source]
        source: Box<Error>,
    },

    /// An input file could not be read.
    #[error("could not read {}", path.display())]
    #[diagnostic(code(etcd_deps::read))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The metadata JSON is not cargo metadata we can use.
    #[error("{path} is not usable cargo metadata")]
    #[diagnostic(
        code(etcd_deps::metadata),
        help("produce it with `cargo metadata --format-version 1`")
    )]
    BadMetadata {
        path: String,
        #[source]
        source: Cause,
    },

    /// A build log is not the JSON output of cargo.
    #[error("{path} is not cargo's JSON output")]
    #[diagnostic(
        code(etcd_deps::build_log),
        help("save it with `cargo check --workspace --all-targets --message-format json > FILE`")
    )]
    BuildLog {
        path: String,
        #[source]
        source: Cause,
    },

    /// The configuration is wrong; the diagnostic points at the line.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(Box<ConfigError>),

    /// The baseline file could not be read.
    #[error("cannot read the baseline {shown}")]
    #[diagnostic(
        code(etcd_deps::usage),
        help("create it with --write-baseline {shown}")
    )]
    BaselineUnreadable {
        path: PathBuf,
        /// The path as the user gave it.
        shown: String,
        #[source]
        source: std::io::Error,
    },

    /// The baseline file is not a baseline.
    #[error("the baseline {shown} is not a baseline file")]
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
    #[error("{} is not a `scan --format json` document", path.display())]
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
    #[error(transparent)]
    #[diagnostic(transparent)]
    Lockfile(#[from] LockError),

    /// The registry index could not be read.
    #[error("could not read the registry index")]
    #[diagnostic(code(etcd_deps::registry))]
    Registry(#[from] RegistryError),

    /// A manifest cannot be edited as planned (it does not parse, or the key moved).
    #[error("cannot edit {}", path.display())]
    #[diagnostic(code(etcd_deps::edit))]
    Edit {
        path: PathBuf,
        /// It does not parse, the edited text would not, or the key is not where the plan
        /// says.
        #[source]
        source: Cause,
    },

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
    #[error("could not write {}", path.display())]
    #[diagnostic(code(etcd_deps::write))]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A file could not be restored after another could not be written; the source is the
    /// failed restore, `failed` and `write_error` the write that started it.
    #[error(
        "could not restore {} after a failed write of {} ({write_error})",
        path.display(),
        failed.display()
    )]
    #[diagnostic(code(etcd_deps::write))]
    Restore {
        path: PathBuf,
        #[source]
        source: std::io::Error,
        failed: PathBuf,
        /// Why the write failed.
        write_error: std::io::Error,
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
    #[error("could not write the report")]
    #[diagnostic(code(etcd_deps::output))]
    Output(#[source] std::io::Error),
}

/// Why Cargo.lock, or a manifest read beside it, cannot be used (the tool's own reason).
#[derive(Debug, Clone, PartialEq, Eq, Error, Diagnostic)]
#[error("{}: {message}", path.display())]
#[diagnostic(code(etcd_deps::lockfile))]
pub struct LockError {
    pub path: PathBuf,
    pub message: String,
}

/// Why the registry could not answer: the tool's reason, and what it met beneath it.
#[derive(Debug, Error)]
#[error("{message}")]
pub struct RegistryError {
    pub message: String,
    #[source]
    pub source: Option<Cause>,
}

impl RegistryError {
    /// A reason with nothing beneath it.
    pub fn new(message: impl Into<String>) -> Self {
        RegistryError {
            message: message.into(),
            source: None,
        }
    }

    /// A reason and the error beneath it.
    pub fn caused(message: impl Into<String>, source: impl Into<Cause>) -> Self {
        RegistryError {
            message: message.into(),
            source: Some(source.into()),
        }
    }
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
            | Error::Member { .. }
            | Error::Read { .. }
            | Error::BadMetadata { .. }
            | Error::BuildLog { .. }
            | Error::Registry(_)
            | Error::Config(_)
            | Error::Lockfile(_)
            | Error::Edit { .. }
            | Error::Refused { .. }
            | Error::LinkLeavesRoot { .. }
            | Error::RefreshFailed { .. } => exit::INPUT,
            Error::Output(_) | Error::Write { .. } | Error::Restore { .. } => exit::INTERNAL,
            Error::Interrupted { code, .. } => *code,
        }
    }

    /// The message and every cause beneath it on one line, `: `-separated, for a place with
    /// room for one line only (a scan row).
    pub fn one_line(&self) -> String {
        one_line(self)
    }
}

/// `error` and every cause beneath it on one line, `: `-separated.
pub fn one_line(error: &dyn std::error::Error) -> String {
    let mut line = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        line.push_str(": ");
        line.push_str(&c.to_string());
        cause = c.source();
    }
    line
}
