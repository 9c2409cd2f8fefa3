//! diverging-versions, type-boundary and outside-policy: every version off the target line
//! moves onto it, through the member's own requirement (strategy 1), `cargo update
//! --precise` when the requirements already allow it (strategy 3), or an intermediate crate.

use semver::{Version, VersionReq};

use super::Planner;
use crate::analysis::{Finding, Line};
use crate::registry::RegistryError;

impl Planner<'_> {
    /// diverging-versions and type-boundary: move every version off the target line onto it.
    pub(super) fn unify(&mut self, finding: &Finding) -> Result<(), RegistryError> {
        let krate = finding.krate.as_str();
        let Some(line) = self.target_line(finding) else {
            return Ok(());
        };
        let Some(target) = self.target_version(krate, &finding.versions, line)? else {
            self.blocked(
                finding,
                krate,
                format!("no usable release of {krate} is on the {line} line"),
            );
            return Ok(());
        };
        self.move_versions(finding, (line, &target), |v| Line::of(v) == line)
    }

    /// Moves every version of `finding`'s crate that does not `stay` to `target` (on `line`):
    /// `cargo update --precise` when the requirements already allow it, else the member's
    /// own requirement or the intermediate crate that brings it.
    fn move_versions(
        &mut self,
        finding: &Finding,
        (line, target): (Line, &Version),
        stays: impl Fn(&Version) -> bool,
    ) -> Result<(), RegistryError> {
        let krate = finding.krate.as_str();
        let in_graph = finding
            .versions
            .iter()
            .any(|v| v.name == krate && Line::of(&v.version) == line);
        for version in finding.versions.iter().filter(|v| v.name == krate) {
            if stays(&version.version) {
                continue;
            }
            // Strategy 3: the requirements already allow the target; only the lockfile
            // holds the old version.
            if !version.dependents.is_empty()
                && version.dependents.iter().all(|d| {
                    d.req
                        .as_deref()
                        .and_then(|r| VersionReq::parse(r).ok())
                        .is_some_and(|r| r.matches(target))
                })
            {
                self.command(vec![
                    "cargo".into(),
                    "update".into(),
                    "-p".into(),
                    format!("{krate}@{}", version.version),
                    "--precise".into(),
                    target.to_string(),
                ]);
                continue;
            }
            for origin in &version.origins {
                if origin.package == krate {
                    let why = if let Some(why) = &self.line_reason {
                        format!("the {line} line, {why}")
                    } else if in_graph {
                        format!("the {line} line the rest of the graph uses")
                    } else {
                        format!("the {line} line --to asks for")
                    };
                    // Another line is always a breaking release (semver says so).
                    let breaking = if Line::of(&version.version) == line {
                        String::new()
                    } else {
                        format!("; {krate} {line} is a breaking release: check its changelog")
                    };
                    let reason = format!(
                        "move {krate} from {} to {target}, {why}{breaking}",
                        version.version
                    );
                    self.requirement_edit(origin, target, reason, finding);
                } else {
                    self.bump_intermediate(finding, origin, version, target, line)?;
                }
            }
        }
        Ok(())
    }

    /// outside-policy: every version outside the rule moves to a release inside it, on the
    /// lowest line that has a usable release inside the rule (its newest release there),
    /// or on the line `--to` names; a line with no release inside the rule is refused.
    pub(super) fn move_inside_policy(&mut self, finding: &Finding) -> Result<(), RegistryError> {
        let krate = finding.krate.as_str();
        let (Some(req), Some(rule)) = (policy_requirement(finding), finding.policy.as_ref()) else {
            return Ok(());
        };
        let text = &rule.versions;
        let to = self.opts.to.get(krate).copied();
        let inside = self.inside_policy(krate, &req)?;
        let chosen = match to {
            Some(line) => inside.iter().filter(|v| Line::of(v) == line).max(),
            None => inside
                .iter()
                .filter(|v| {
                    inside
                        .first()
                        .is_some_and(|low| Line::of(v) == Line::of(low))
                })
                .max(),
        };
        let Some(target) = chosen.cloned() else {
            let message = match to {
                Some(line) => format!(
                    "--to {krate}@{line} is outside the policy `{text}`: no usable release of \
                     {krate} on the {line} line matches it"
                ),
                None => format!("no usable release of {krate} is inside the policy `{text}`"),
            };
            self.blocked(finding, krate, message);
            return Ok(());
        };
        let line = Line::of(&target);
        if to.is_none() {
            self.line_reason = Some(format!("the lowest inside the policy `{text}`"));
        }
        let planned = self.move_versions(finding, (line, &target), |v| req.matches(v));
        self.line_reason = None;
        planned
    }

    /// The usable releases of `krate` inside the policy `req`, ascending.
    pub(super) fn inside_policy(
        &self,
        krate: &str,
        req: &VersionReq,
    ) -> Result<Vec<Version>, RegistryError> {
        let mut inside: Vec<Version> = self
            .registry
            .releases(krate)?
            .unwrap_or_default()
            .iter()
            .filter(|r| req.matches(&r.version) && self.usable(r, &[]))
            .map(|r| r.version.clone())
            .collect();
        inside.sort();
        Ok(inside)
    }
}

/// The requirement of an `outside-policy` finding's rule.
pub(super) fn policy_requirement(finding: &Finding) -> Option<VersionReq> {
    VersionReq::parse(&finding.policy.as_ref()?.versions).ok()
}
