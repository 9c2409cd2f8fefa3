//! The English wording of findings, apart from their detection and their judging (as
//! cargo-deny's `diags`): the stage that creates a finding hands over typed facts and one
//! function here turns them into its message and help, so every output format says the same
//! thing and a sentence changes in one place. One file per family of codes:
//! - [`analysis`]: the four codes the analysis detects, worded when `analysis` creates them;
//! - [`policy`]: `outside-policy` and `unused-allow`, worded when `policy` creates them;
//! - [`report`]: the phrases the human reports show around a finding's message and help
//!   (its qualifiers, a version with its source and dependents, what is allowed of it);
//! - [`build`]: the phrases `diagnose` shows around a build error it traces to a finding.
//!
//! The phrases several families share (a source's short name, a list of names) live here.
//! It imports only `line` and `graph`'s plain names (dependency kinds, the crates.io source
//! id): it knows versions, lines, names and kinds, never graphs, findings or the
//! configuration.

use crate::graph::CRATES_IO;

pub mod analysis;
pub mod build;
pub mod policy;
pub mod report;

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A short human name for a cargo source id.
pub fn source_label(source: Option<&str>) -> String {
    match source {
        None => "a path".to_owned(),
        Some(CRATES_IO) => "crates.io".to_owned(),
        Some(s) if s.starts_with("sparse+https://index.crates.io") => "crates.io".to_owned(),
        Some(s) => {
            let (kind, rest) = s.split_once('+').unwrap_or(("", s));
            let url = rest.split('#').next().unwrap_or(rest);
            match kind {
                "git" => format!("git {url}"),
                "registry" | "sparse" => format!("registry {url}"),
                _ => url.to_owned(),
            }
        }
    }
}
