//! The phrases the human reports (the compact one and `-v`'s full diagnostics) show around a
//! finding's message and help: its qualifiers, each version with its source and who requires
//! it, the collateral splits it causes, what an allow entry removed of it. The reports lay
//! them out (indentation, parentheses, "and N more", counts); the words are here, so both
//! reports say the same thing.

use semver::Version;

use super::source_label;
use crate::graph::Kind;

/// What limits a finding, each shown in parentheses after its message: `only through
/// dev-dependencies`, `only on cfg(unix), cfg(windows)`.
pub fn qualifiers(dev_only: bool, platforms: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    if dev_only {
        out.push("only through dev-dependencies".to_owned());
    }
    if !platforms.is_empty() {
        out.push(format!("only on {}", platforms.join(", ")));
    }
    out
}

/// `collateral of the tonic split`.
pub fn collateral_of(root: &str) -> String {
    format!("collateral of the {root} split")
}

/// `this split also splits 2 crates`, with the crates counted as the report counts them.
pub fn also_splits(counted: &str) -> String {
    format!("this split also splits {counted}")
}

/// `allowed: tonic 0.9.2: legacy exporter`: a version an allow entry removed, and why.
pub fn allowed_version(krate: &str, version: &Version, reason: &str) -> String {
    format!("allowed: {krate} {version}: {reason}")
}

/// `tonic 0.9.2 from crates.io`.
pub fn version_from(name: &str, version: &Version, source: Option<&str>) -> String {
    format!("{name} {version} from {}", source_label(source))
}

/// `etcd-client 0.11.1 requires tonic ^0.9`, or `… depends on tonic` when the requirement
/// is not known.
pub fn requires(dependent: &str, version: &Version, name: &str, req: Option<&str>) -> String {
    match req {
        Some(req) => format!("{dependent} {version} requires {name} {req}"),
        None => format!("{dependent} {version} depends on {name}"),
    }
}

/// What limits a dependency edge, shown in parentheses after it: `build dependency`,
/// `on cfg(unix)` (nothing for a normal dependency on every platform).
pub fn edge_qualifiers(kind: Option<Kind>, platform: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(kind) = kind.filter(|k| *k != Kind::Normal) {
        out.push(format!("{kind} dependency"));
    }
    if let Some(p) = platform {
        out.push(format!("on {p}"));
    }
    out
}

/// `app declares tonic`: a declaration whose line is not known.
pub fn declares(member: &str, key: &str) -> String {
    format!("{member} declares {key}")
}

/// `inherited by meta, connector`: the members inheriting a workspace declaration, listed
/// as the report lists them.
pub fn inherited_by(members: &str) -> String {
    format!("inherited by {members}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_phrases_around_a_finding_read_as_the_reports_show_them() {
        let v = Version::new(0, 9, 2);
        assert_eq!(
            qualifiers(true, &["cfg(unix)".to_owned(), "cfg(windows)".to_owned()]),
            [
                "only through dev-dependencies",
                "only on cfg(unix), cfg(windows)"
            ]
        );
        assert!(qualifiers(false, &[]).is_empty());
        assert_eq!(collateral_of("tonic"), "collateral of the tonic split");
        assert_eq!(
            allowed_version("tonic", &v, "legacy exporter"),
            "allowed: tonic 0.9.2: legacy exporter"
        );
        assert_eq!(version_from("tonic", &v, None), "tonic 0.9.2 from a path");
        assert_eq!(
            requires("etcd-client", &v, "tonic", None),
            "etcd-client 0.9.2 depends on tonic"
        );
        assert_eq!(
            edge_qualifiers(Some(Kind::Build), Some("cfg(unix)")),
            ["build dependency", "on cfg(unix)"]
        );
        assert!(edge_qualifiers(Some(Kind::Normal), None).is_empty());
    }
}
