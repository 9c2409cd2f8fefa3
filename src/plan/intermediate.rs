//! Bumping an intermediate crate (strategy 2): the member's requirement on the crate between
//! it and the watched crate moves to the lowest release whose requirement lands on the target
//! line, one hop or two away (down, too, for `--to` an older line); with none, a
//! `--patch-with` fork or an unfixable finding.

use semver::Version;

use super::{Planner, finding_ref};
use crate::analysis::{Finding, Line, Origin, VersionInfo};
use crate::graph::Kind;
use crate::registry::{RegistryError, Release};

impl Planner<'_> {
    /// Strategy 2 (or 4 with `--patch-with`) for an origin that reaches `version` through an
    /// intermediate crate.
    pub(super) fn bump_intermediate(
        &mut self,
        finding: &Finding,
        origin: &Origin,
        version: &VersionInfo,
        target: &Version,
        line: Line,
    ) -> Result<(), RegistryError> {
        let inter = origin.package.as_str();
        let current = origin.package_version.as_ref();
        // Many members can reach the crate through the same intermediate: decide it once.
        let fref = finding_ref(finding);
        if !self.seen.insert((
            fref,
            inter.to_owned(),
            origin.key.clone(),
            origin.manifest.clone(),
            origin.table.clone(),
        )) {
            return Ok(());
        }
        // The intermediate crate must depend on the watched crate directly for its own
        // requirement to decide the line.
        let direct = version
            .dependents
            .iter()
            .any(|d| d.name == inter && Some(&d.version) == current);
        if !direct {
            if !self.bump_two_hops(finding, origin, version, target, line)? {
                self.reached_only_transitively(finding, inter, version, line);
            }
            return Ok(());
        }
        let Some(releases) = self.intermediate_releases(finding, origin)? else {
            return Ok(());
        };
        let krate = finding.krate.as_str();
        let candidate = self.landing_release(
            &releases,
            current,
            krate,
            (&version.version, target),
            origin,
        );
        if let Some(release) = candidate {
            if !self.held_back(finding, inter, release) {
                self.bump_to(finding, origin, version, release);
            }
        } else if let Some(spec) = self.opts.patch_with.get(inter).cloned() {
            self.patch_intermediate(finding, origin, spec, line);
        } else if !self.bump_two_hops(finding, origin, version, target, line)? {
            // Newer releases may reach the crate through another one (the exporter through
            // its proto crate): none of those lands either.
            self.no_landing_release(finding, origin, &releases, (target, line));
        }
        Ok(())
    }

    /// Strategy 2: the edit that moves the intermediate to `release`, saying which
    /// requirement lands and whether the move is a step back or a breaking release.
    fn bump_to(
        &mut self,
        finding: &Finding,
        origin: &Origin,
        version: &VersionInfo,
        release: &Release,
    ) {
        let krate = finding.krate.as_str();
        let inter = origin.package.as_str();
        let current = origin.package_version.as_ref();
        let old_req = version
            .dependents
            .iter()
            .find(|d| d.name == inter)
            .and_then(|d| d.req.clone())
            .unwrap_or_default();
        let new_req = release
            .requirement_on(krate)
            .map(ToString::to_string)
            .unwrap_or_default();
        let mut reason = format!(
            "{inter} {} requires {krate} {new_req} ({inter} {} requires {krate} {old_req})",
            release.version,
            current.map(ToString::to_string).unwrap_or_default()
        );
        match current {
            Some(c) if release.version < *c => reason.push_str(&format!(
                "; {inter} {} is an older release: check what it lacks",
                Line::of(&release.version)
            )),
            Some(c) if Line::of(c) != Line::of(&release.version) => {
                reason.push_str(&format!(
                    "; {inter} {} is a breaking release: check its changelog",
                    Line::of(&release.version)
                ));
            }
            _ => {}
        }
        self.requirement_edit(origin, &release.version, reason, finding);
    }

    /// An intermediate two hops away (member → X → Y → the watched crate, as a reported
    /// path shows, or through a crate a newer release of X moved the watched crate behind):
    /// the lowest release of X whose requirement on Y admits a release of Y whose requirement
    /// lands on the target. Returns whether an edit was planned.
    fn bump_two_hops(
        &mut self,
        finding: &Finding,
        origin: &Origin,
        version: &VersionInfo,
        target: &Version,
        line: Line,
    ) -> Result<bool, RegistryError> {
        let krate = finding.krate.as_str();
        let inter = origin.package.as_str();
        let Some(current) = origin.package_version.as_ref() else {
            return Ok(false);
        };
        // Y: the crate between X and the watched crate on a reported path.
        let path_middle = version.paths.iter().find_map(|p| {
            let s = &p.steps;
            (0..s.len().saturating_sub(2)).find_map(|i| {
                (s[i].name == inter && s[i].version == *current && i + 2 == s.len() - 1)
                    .then(|| s[i + 1].name.clone())
            })
        });
        let x_releases = self
            .registry
            .releases_in(origin.package_source.as_deref(), inter)?
            .unwrap_or_default();
        // The lowest newer release that lands; when the target line is older than the version
        // being moved (`--to` an older line) and none does, the newest older one: the
        // smallest step back.
        let newer = x_releases.iter().filter(|r| r.version > *current);
        let older = x_releases
            .iter()
            .rev()
            .filter(|r| r.version < *current && *target < version.version);
        for candidate in newer
            .chain(older)
            .filter(|r| self.usable(r, &origin.features))
        {
            let middles: Vec<String> = match &path_middle {
                Some(m) => vec![m.clone()],
                None => candidate
                    .deps
                    .iter()
                    .filter(|d| d.kind != Kind::Dev && d.name != krate)
                    .map(|d| d.name.clone())
                    .collect(),
            };
            for middle in middles {
                let Some((req_xy, y)) = self.landing_through(candidate, &middle, krate, target)?
                else {
                    continue;
                };
                if self.held_back(finding, inter, candidate) || self.held_back(finding, &middle, &y)
                {
                    return Ok(true);
                }
                let mut reason = format!(
                    "{inter} {} requires {middle} {req_xy}, and {middle} {} requires {krate} {} (the {line} line)",
                    candidate.version,
                    y.version,
                    y.requirement_on(krate)
                        .map(ToString::to_string)
                        .unwrap_or_default()
                );
                if candidate.version < *current {
                    reason.push_str(&format!(
                        "; a step back from {inter} {current}, to the newest release that lands"
                    ));
                } else if Line::of(current) != Line::of(&candidate.version) {
                    reason.push_str(&format!(
                        "; {inter} {} is a breaking release: check its changelog",
                        Line::of(&candidate.version)
                    ));
                }
                self.requirement_edit(origin, &candidate.version, reason, finding);
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The requirement of release `x` on `middle`, and the lowest usable release of `middle`
    /// it admits whose requirement on `krate` admits `target`.
    fn landing_through(
        &self,
        x: &Release,
        middle: &str,
        krate: &str,
        target: &Version,
    ) -> Result<Option<(semver::VersionReq, Release)>, RegistryError> {
        let Some(req_xy) = x.requirement_on(middle) else {
            return Ok(None);
        };
        let y_releases = self.registry.releases(middle)?.unwrap_or_default();
        let landing = y_releases.iter().filter(|y| self.usable(y, &[])).find(|y| {
            req_xy.matches(&y.version) && y.requirement_on(krate).is_some_and(|r| r.matches(target))
        });
        Ok(landing.map(|y| (req_xy.clone(), y.clone())))
    }
}
