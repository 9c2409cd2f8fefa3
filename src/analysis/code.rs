//! The stable finding codes and their levels, with the string forms every output format
//! shares (the JSON `code`, the SARIF `ruleId`, `explain CODE`).

use std::fmt;

use serde::Serialize;

/// Stable finding codes, shared by every output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    DivergingVersions,
    SourceSplit,
    TrainSkew,
    TypeBoundary,
    /// An `allow` entry of the configuration that matches no finding.
    UnusedAllow,
    /// A resolved version outside a `policy` rule of the configuration.
    OutsidePolicy,
}

impl Code {
    pub const ALL: [Code; 6] = [
        Code::DivergingVersions,
        Code::SourceSplit,
        Code::TrainSkew,
        Code::TypeBoundary,
        Code::UnusedAllow,
        Code::OutsidePolicy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::DivergingVersions => "diverging-versions",
            Code::SourceSplit => "source-split",
            Code::TrainSkew => "train-skew",
            Code::TypeBoundary => "type-boundary",
            Code::UnusedAllow => "unused-allow",
            Code::OutsidePolicy => "outside-policy",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Severity of a finding. Ordered so that errors sort first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Note,
}

impl Level {
    /// Every level, errors first.
    pub const ALL: [Level; 3] = [Level::Error, Level::Warning, Level::Note];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }
}
