//! train-skew: a member's direct requirement moves to the line the crate it uses was built
//! against, or an off-line train crate moves to its anchor's line.

use super::{Planner, Unfixable, finding_ref};
use crate::analysis::{Finding, Line};
use crate::registry::RegistryError;

impl Planner<'_> {
    /// train-skew (b): the member's direct requirement moves to the line the watched crate
    /// it uses was built against.
    pub(super) fn match_built_against(&mut self, finding: &Finding) {
        let krate = finding.krate.as_str();
        let member = finding.member.as_deref().unwrap_or_default();
        let direct = finding.versions.iter().find(|v| {
            v.origins
                .iter()
                .any(|o| o.member == member && o.package == krate)
        });
        // The line the primary crates that keep theirs are built on, as check's help says;
        // else the first line another crate is built on.
        let off_direct = |v: &&crate::analysis::VersionInfo| {
            Some(&v.version) != direct.map(|d| &d.version) && v.name == krate
        };
        let built = finding
            .versions
            .iter()
            .filter(off_direct)
            .find(|v| self.target_line(finding) == Some(Line::of(&v.version)))
            .or_else(|| finding.versions.iter().find(off_direct));
        let (Some(direct), Some(built)) = (direct, built) else {
            return;
        };
        let via = match &finding.unify_on {
            Some(on) if self.target_line(finding) == Some(on.line) => on.because.join(", "),
            _ => finding.crates.first().cloned().unwrap_or_default(),
        };
        for origin in direct
            .origins
            .iter()
            .filter(|o| o.member == member && o.package == krate)
        {
            let reason = format!(
                "{via} is built against {krate} {}; use the same line",
                built.version
            );
            self.requirement_edit(origin, &built.version, reason, finding);
        }
    }

    /// train-skew (a): move the off-line train crate to its anchor's line.
    pub(super) fn align_train(&mut self, finding: &Finding) -> Result<(), RegistryError> {
        let krate = finding.krate.as_str();
        let anchor = finding.crates.first().cloned().unwrap_or_default();
        let Some(line) = finding
            .versions
            .iter()
            .filter(|v| v.name == anchor)
            .map(|v| Line::of(&v.version))
            .max()
        else {
            return Ok(());
        };
        let releases = self.registry.releases(krate)?.unwrap_or_default();
        let target = releases
            .iter()
            .filter(|r| Line::of(&r.version) == line && self.usable(r, &[]))
            .map(|r| r.version.clone())
            .max();
        let Some(target) = target else {
            self.unfixable.push(Unfixable {
                krate: krate.to_owned(),
                blocking: krate.to_owned(),
                newest: releases.last().map(|r| r.version.to_string()),
                requirement: None,
                message: format!("no usable release of {krate} is on {anchor}'s {line} line"),
                finding: finding_ref(finding),
                newest_line: None,
                alternatives: Vec::new(),
            });
            return Ok(());
        };
        for version in finding.versions.iter().filter(|v| v.name == krate) {
            for origin in version.origins.iter().filter(|o| o.package == krate) {
                let reason = format!("{krate} is released with {anchor}: use the {line} line");
                self.requirement_edit(origin, &target, reason, finding);
            }
        }
        Ok(())
    }
}
