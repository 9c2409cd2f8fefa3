//! Primary crates keep their line: the line each one is pinned to once the errors are
//! planned, and the warnings whose fix would move one off it, reported instead of planned.

use std::collections::BTreeMap;

use semver::Version;

use super::Planner;
use super::requirement::lowest;
use crate::analysis::{Code, Finding, Level, Line};
use crate::registry::Release;

impl Planner<'_> {
    /// The line each primary crate stays on: the one `--to` names, else the target of its
    /// own finding, else the line of the release the error fixes move it to, else the one
    /// line it resolves on now.
    pub(super) fn pinned_lines(&self, findings: &[Finding]) -> BTreeMap<String, Line> {
        let mut pins = BTreeMap::new();
        for (krate, lines) in &self.opts.primary_lines {
            let own_target = findings
                .iter()
                .filter(|f| f.krate == *krate && f.level == Level::Error)
                .filter(|f| matches!(f.code, Code::DivergingVersions | Code::TypeBoundary))
                .find_map(|f| self.target_line(f));
            let pin = self
                .opts
                .to
                .get(krate)
                .copied()
                .or(own_target)
                .or_else(|| self.moved.get(krate).map(Line::of))
                .or_else(|| {
                    (lines.len() == 1)
                        .then(|| lines.iter().next().copied())
                        .flatten()
                });
            if let Some(line) = pin {
                pins.insert(krate.clone(), line);
            }
        }
        pins
    }

    /// Why moving `name` to `release` would contradict the plan: it moves a primary crate
    /// off the line the plan keeps it on. Returns (the primary crate, its pinned line, the
    /// line the move needs, what needs it).
    /// A requirement that moves a primary crate is named before a move of the release itself:
    /// it names the root of the matter (tonic, not the etcd-client built on it).
    fn contradiction(&self, name: &str, release: &Release) -> Option<(String, Line, Line, String)> {
        self.pins
            .iter()
            .filter(|(primary, _)| primary.as_str() != name)
            .find_map(|(primary, &pin)| {
                self.requirement_contradiction((name, release), primary, pin)
            })
            .or_else(|| {
                let pin = *self.pins.get(name)?;
                let line = Line::of(&release.version);
                (line != pin).then(|| {
                    (
                        name.to_owned(),
                        pin,
                        line,
                        format!("{name} {}", release.version),
                    )
                })
            })
    }

    /// Whether `name`'s `release` requires `primary` on another line than `pin`.
    fn requirement_contradiction(
        &self,
        (name, release): (&str, &Release),
        primary: &str,
        pin: Line,
    ) -> Option<(String, Line, Line, String)> {
        let req = release.requirement_on(primary)?;
        let known: Vec<Version> = self
            .registry
            .releases(primary)
            .ok()
            .flatten()
            .unwrap_or_default()
            .iter()
            .map(|r| r.version.clone())
            .collect();
        if known.iter().any(|v| Line::of(v) == pin && req.matches(v)) {
            return None;
        }
        let needed = known
            .iter()
            .filter(|v| req.matches(v))
            .map(Line::of)
            .min()
            .or_else(|| lowest(&req.to_string()).map(|v| Line::of(&v)))?;
        (needed != pin).then(|| {
            (
                primary.to_owned(),
                pin,
                needed,
                format!("{name} {}, which requires {primary} {req}", release.version),
            )
        })
    }

    /// Reports a warning whose fix would contradict the plan, instead of planning it.
    /// Returns whether it did (errors are never held back).
    pub(super) fn held_back(&mut self, finding: &Finding, name: &str, release: &Release) -> bool {
        if finding.level == Level::Error {
            return false;
        }
        let Some((primary, pin, needed, what)) = self.contradiction(name, release) else {
            return false;
        };
        let krate = &finding.krate;
        self.blocked(
            finding,
            &primary,
            format!(
                "unifying {krate} needs {what}: a breaking move of {primary}, a primary crate, \
                 off the {pin} line this plan keeps it on; not planned (pass --to {primary}@{needed} to take it)"
            ),
        );
        true
    }
}
