//! diverging-versions, type-boundary and outside-policy: every version off the target line
//! moves onto it, through the member's own requirement (strategy 1), `cargo update
//! --precise` when the requirements already allow it (strategy 3), or an intermediate crate.

use semver::VersionReq;

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
        let in_graph = finding
            .versions
            .iter()
            .any(|v| v.name == krate && Line::of(&v.version) == line);
        for version in finding.versions.iter().filter(|v| v.name == krate) {
            if Line::of(&version.version) == line {
                continue;
            }
            // Strategy 3: the requirements already allow the target; only the lockfile
            // holds the old version.
            if !version.dependents.is_empty()
                && version.dependents.iter().all(|d| {
                    d.req
                        .as_deref()
                        .and_then(|r| VersionReq::parse(r).ok())
                        .is_some_and(|r| r.matches(&target))
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
                    // Another line is always a breaking release (semver says so).
                    let reason = format!(
                        "move {krate} from {} to {target}, {}; {krate} {line} is a breaking release: check its changelog",
                        version.version,
                        if let Some(why) = &self.line_reason {
                            format!("the {line} line, {why}")
                        } else if in_graph {
                            format!("the {line} line the rest of the graph uses")
                        } else {
                            format!("the {line} line --to asks for")
                        }
                    );
                    self.requirement_edit(origin, &target, reason, finding);
                } else {
                    self.bump_intermediate(finding, origin, version, &target, line)?;
                }
            }
        }
        Ok(())
    }

    /// outside-policy: planned like a divergence, towards the lowest line that has a usable
    /// release inside the rule (its newest release there), unless `--to` names a line.
    pub(super) fn move_inside_policy(&mut self, finding: &Finding) -> Result<(), RegistryError> {
        let krate = finding.krate.as_str();
        let Some(rule) = finding.policy.as_ref() else {
            return Ok(());
        };
        let Ok(req) = VersionReq::parse(&rule.versions) else {
            return Ok(());
        };
        let releases = self.registry.releases(krate)?.unwrap_or_default();
        let lowest = releases
            .iter()
            .filter(|r| req.matches(&r.version) && self.usable(r, &[]))
            .map(|r| Line::of(&r.version))
            .min();
        let Some(line) = self.opts.to.get(krate).copied().or(lowest) else {
            self.blocked(
                finding,
                krate,
                format!("no usable release of {krate} is inside the policy `{req}`"),
            );
            return Ok(());
        };
        let mut toward = finding.clone();
        toward.lines = vec![line];
        if !self.opts.to.contains_key(krate) {
            self.line_reason = Some(format!("the lowest inside the policy `{}`", rule.versions));
        }
        let planned = self.unify(&toward);
        self.line_reason = None;
        planned
    }
}
