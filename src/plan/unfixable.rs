//! Unfixable reporting: a finding no strategy fixes is recorded with the crate that blocks it
//! (`blocked`); for intermediate crates, the one reached only through other crates, and the
//! one with no release that lands, named with its newest release and why a release that
//! would land cannot be used.

use semver::Version;

use super::{Alternative, Planner, Unfixable, finding_ref};
use crate::analysis::{Finding, Line, Origin, VersionInfo};
use crate::registry::Release;

impl Planner<'_> {
    /// Records `finding` as unfixable, blocked by `blocking`, with no registry facts to name.
    pub(super) fn blocked(&mut self, finding: &Finding, blocking: &str, message: String) {
        self.unfixable.push(Unfixable {
            krate: finding.krate.clone(),
            blocking: blocking.to_owned(),
            newest: None,
            requirement: None,
            message,
            finding: finding_ref(finding),
            newest_line: None,
            alternatives: Vec::new(),
        });
    }

    /// An intermediate that reaches `version` only through other crates: named once per
    /// finding, with the crates it goes through.
    pub(super) fn reached_only_transitively(
        &mut self,
        finding: &Finding,
        inter: &str,
        version: &VersionInfo,
        line: Line,
    ) {
        if !self
            .unfixable_seen
            .insert((finding_ref(finding), inter.to_owned()))
        {
            return;
        }
        let krate = finding.krate.as_str();
        const SHOWN: usize = 3;
        let mut via: Vec<String> = version
            .dependents
            .iter()
            .take(SHOWN)
            .map(|d| format!("{} {}", d.name, d.version))
            .collect();
        if version.dependents.len() > SHOWN {
            via.push(format!("{} more", version.dependents.len() - SHOWN));
        }
        self.blocked(
            finding,
            inter,
            format!(
                "{inter} reaches {krate} {} only through {}; move that crate to a release on {krate} {line}",
                version.version,
                via.join(", ")
            ),
        );
    }

    /// Nothing lands: the finding is unfixable, blocked by the intermediate. A release that
    /// does land but cannot be used is named, with why: never "no release".
    pub(super) fn no_landing_release(
        &mut self,
        finding: &Finding,
        origin: &Origin,
        releases: &[Release],
        (target, line): (&Version, Line),
    ) {
        let krate = finding.krate.as_str();
        let inter = origin.package.as_str();
        let newest = releases.iter().rev().find(|r| !r.yanked);
        let requirement = newest
            .and_then(|r| r.requirement_on(krate))
            .map(ToString::to_string);
        let passed_over = releases
            .iter()
            .rev()
            .find(|r| r.requirement_on(krate).is_some_and(|q| q.matches(target)));
        // The line the newest release is on: what its requirement starts from.
        let newest_line = requirement
            .as_deref()
            .and_then(super::requirement::lowest)
            .map(|v| Line::of(&v))
            .filter(|l| *l != line);
        // An upstream blocker: no release is built on the line at all.
        let blocker = passed_over.is_none() && newest_line.is_some();
        let message = match (newest, &requirement, passed_over) {
            (_, _, Some(r)) => format!(
                "{inter} {} requires {krate} {} (the {line} line), but {}; no other release of {inter} does. \
                 Point {inter} at a fork with --patch-with {inter}=git+URL or {inter}=PATH",
                r.version,
                r.requirement_on(krate)
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                self.why_unusable(r, origin.package_version.as_ref(), &origin.features)
            ),
            (Some(n), Some(req), None) => {
                let on = newest_line
                    .map(|l| format!(" (the {l} line)"))
                    .unwrap_or_default();
                format!(
                    "no release of {inter} requires {krate} on the {line} line; newest {} requires {req}{on}",
                    n.version
                )
            }
            (Some(n), None, None) => format!(
                "no release of {inter} requires {krate} on the {line} line; newest {} does not depend on {krate}",
                n.version
            ),
            (None, _, None) => format!(
                "{inter} is not in {}; point it at a fork with --patch-with {inter}=git+URL or {inter}=PATH",
                self.registry.describe()
            ),
        };
        let alternatives = match (blocker, newest, newest_line) {
            (true, Some(n), Some(on)) => blocker_alternatives(krate, inter, &n.version, (line, on)),
            _ => Vec::new(),
        };
        self.unfixable.push(Unfixable {
            krate: krate.to_owned(),
            blocking: inter.to_owned(),
            newest: newest.map(|r| r.version.to_string()),
            requirement,
            message,
            finding: finding_ref(finding),
            newest_line: newest_line.filter(|_| blocker).map(|l| l.to_string()),
            alternatives,
        });
    }
}

/// The ways around a crate (`inter`) with no release built on `line` of `krate`: a fork
/// with `--patch-with`, and keeping its newest release (on the `on` line) pinned, with the
/// split allowed until a release exists. Staying on the old line is added by the planner
/// when `--to` that line really plans it.
fn blocker_alternatives(
    krate: &str,
    inter: &str,
    newest: &Version,
    (line, on): (Line, Line),
) -> Vec<Alternative> {
    vec![
        Alternative {
            kind: "patch-with",
            text: format!("point {inter} at a fork built on {krate} {line}"),
            how: format!("--patch-with {inter}=git+URL[#REV] or --patch-with {inter}=PATH"),
        },
        Alternative {
            kind: "pin",
            text: format!(
                "keep {inter} {newest} (pinned) and allow {krate} {on} beside {line} until {inter} has a release on {line}"
            ),
            how: format!(
                "{inter} = \"={newest}\", and in etcd-deps.toml: allow = [{{ crate = \"{krate}\", versions = [\"^{on}\"], reason = \"{inter} has no release on {krate} {line} yet\" }}]"
            ),
        },
    ]
}

/// Staying on (or taking) another line of `krate`, when `--to` that line plans the finding.
pub(super) fn other_line(krate: &str, line: Line, u: &Unfixable) -> Alternative {
    let text = match (&u.newest_line, &u.newest) {
        (Some(on), Some(newest)) if *on == line.to_string() => {
            format!(
                "stay on {krate} {line}, the line {} {newest} is on (planned, not verified yet)",
                u.blocking
            )
        }
        _ => format!("take {krate} {line} instead (planned, not verified yet)"),
    };
    Alternative {
        kind: "other-line",
        text,
        how: format!("--to {krate}@{line}"),
    }
}

#[cfg(test)]
mod tests {
    use crate::plan::tests::{findings, release, ws};
    use crate::plan::{PlanOptions, plan};
    use crate::registry::MemoryRegistry;

    #[test]
    fn no_candidate_names_the_blocking_crate_and_its_newest_requirement() {
        let mut registry = MemoryRegistry::default();
        registry.crates.insert(
            "etcd-client".to_owned(),
            vec![
                release("0.11.1", &[("tonic", "^0.9.2")]),
                release("0.11.2", &[("tonic", "^0.9.2")]),
            ],
        );
        let plan = plan(&findings(), &registry, &ws(), &PlanOptions::default()).expect("plans");
        assert!(plan.edits.is_empty());
        let u = &plan.unfixable[0];
        assert_eq!(u.blocking, "etcd-client");
        assert_eq!(u.newest.as_deref(), Some("0.11.2"));
        assert_eq!(u.requirement.as_deref(), Some("^0.9.2"));
        // No release is built on tonic 0.12: the newest's line, and the ways around it.
        assert_eq!(u.newest_line.as_deref(), Some("0.9"));
        assert!(u.message.ends_with("(the 0.9 line)"), "{}", u.message);
        let patch = &u.alternatives[0];
        assert_eq!(patch.kind, "patch-with");
        assert!(patch.how.contains("--patch-with etcd-client="), "{patch:?}");
        assert_eq!(u.alternatives[1].kind, "pin");
    }

    #[test]
    fn a_release_that_lands_but_cannot_be_used_is_named_with_why() {
        let mut yanked = release("0.14.0", &[("tonic", "^0.12")]);
        yanked.yanked = true;
        let mut registry = MemoryRegistry::default();
        registry.crates.insert(
            "etcd-client".to_owned(),
            vec![release("0.11.1", &[("tonic", "^0.9.2")]), yanked],
        );
        let plan = plan(&findings(), &registry, &ws(), &PlanOptions::default()).expect("plans");
        assert!(plan.edits.is_empty());
        let message = &plan.unfixable[0].message;
        assert!(
            message.starts_with(
                "etcd-client 0.14.0 requires tonic ^0.12 (the 0.12 line), but it is yanked; no other release"
            ),
            "{message}"
        );
    }
}
