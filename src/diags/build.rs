//! The phrases `diagnose` adds around a build error it traces: which versions met and where,
//! what to do when no finding covers them, and the closing count.

use semver::Version;

use super::{and_list, source_label};

/// `tonic 0.9.2 and 0.12.3 meet in app`; a version from two sources names them
/// (`tonic 0.12.3 from crates.io and 0.12.3 from a path meet in app`).
pub fn met(krate: &str, versions: &[(&Version, Option<&str>)], member: Option<&str>) -> String {
    let twice = versions
        .iter()
        .enumerate()
        .any(|(i, (v, _))| versions[..i].iter().any(|(w, _)| w == v));
    let shown: Vec<String> = versions
        .iter()
        .map(|(v, source)| match twice {
            true => format!("{v} from {}", source_label(*source)),
            false => v.to_string(),
        })
        .collect();
    match member {
        Some(member) => format!("{krate} {} meet in {member}", and_list(&shown)),
        None => format!("{krate} {} meet", and_list(&shown)),
    }
}

/// The help for a build error no finding of `check` covers (the crate is not watched, or an
/// allow entry or `-p` left it out).
pub fn uncovered(krate: &str) -> String {
    format!(
        "no finding of `cargo etcd-deps check` covers {krate}; run `cargo etcd-deps check \
         --watch {krate}` to see where each version comes from and how to unify them"
    )
}

/// The closing line.
pub fn summary(errors: usize, traced: usize) -> String {
    match errors {
        0 => "no build error comes from two versions of a crate meeting".to_owned(),
        1 => format!(
            "1 build error comes from two versions of a crate meeting; {traced} traced to a finding of `cargo etcd-deps check`"
        ),
        n => format!(
            "{n} build errors come from two versions of a crate meeting; {traced} traced to a finding of `cargo etcd-deps check`"
        ),
    }
}
