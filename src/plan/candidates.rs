//! Candidate releases from the registry: an intermediate's releases (a registry this tool
//! cannot read blocks only that finding), which release a move may land on (usable, on the
//! target line, the lowest that lands for an intermediate), and why a release cannot be used.

use semver::Version;

use super::Planner;
use crate::analysis::{Finding, Line, Origin, VersionInfo};
use crate::graph::CRATES_IO;
use crate::registry::{RegistryError, Release, Releases};

impl Planner<'_> {
    /// The version to move to on `line`: the newest one the graph already has, else the
    /// newest usable release.
    pub(super) fn target_version(
        &self,
        krate: &str,
        versions: &[VersionInfo],
        line: Line,
    ) -> Result<Option<Version>, RegistryError> {
        if let Some(v) = versions
            .iter()
            .filter(|v| v.name == krate && Line::of(&v.version) == line)
            .map(|v| v.version.clone())
            .max()
        {
            return Ok(Some(v));
        }
        Ok(self.registry.releases(krate)?.and_then(|releases| {
            releases
                .iter()
                .filter(|r| Line::of(&r.version) == line && self.usable(r, &[]))
                .map(|r| r.version.clone())
                .max()
        }))
    }

    /// Why a release `usable` refuses (or that is not newer than `current`) cannot be used.
    pub(super) fn why_unusable(
        &self,
        r: &Release,
        current: Option<&Version>,
        features: &[String],
    ) -> String {
        if r.yanked {
            return "it is yanked".to_owned();
        }
        if let (Some(ws), Some(rv)) = (&self.opts.rust_version, &r.rust_version)
            && rv > ws
        {
            return format!("it needs rust {rv} and the workspace declares {ws}");
        }
        if let Some(f) = features.iter().find(|f| !r.features.contains(*f)) {
            return format!("it has no feature `{f}`, which the workspace enables");
        }
        match current {
            Some(c) => format!("it is older than {c}, the release in use"),
            None => "it cannot be used".to_owned(),
        }
    }

    /// Not yanked, within the workspace's rust-version, and offering the features the user
    /// enables on the dependency.
    pub(super) fn usable(&self, release: &Release, features: &[String]) -> bool {
        if release.yanked {
            return false;
        }
        if let (Some(ws), Some(rv)) = (&self.opts.rust_version, &release.rust_version)
            && rv > ws
        {
            return false;
        }
        features.iter().all(|f| release.features.contains(f))
    }

    /// The intermediate's releases. `None` when they come from another registry this tool
    /// cannot read: that blocks this finding (said in the plan), not the others.
    pub(super) fn intermediate_releases(
        &mut self,
        finding: &Finding,
        origin: &Origin,
    ) -> Result<Option<Releases>, RegistryError> {
        let inter = origin.package.as_str();
        match self
            .registry
            .releases_in(origin.package_source.as_deref(), inter)
        {
            Ok(found) => Ok(Some(found.unwrap_or_default())),
            Err(e)
                if origin
                    .package_source
                    .as_deref()
                    .is_some_and(|s| s != CRATES_IO) =>
            {
                self.blocked(finding, inter, crate::error::one_line(&e));
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// The release of an intermediate to move to: the lowest newer one whose requirement on
    /// `krate` admits `target`; when none is newer and `target` is older than the version
    /// being moved (`--to` an older line), the newest older one, the smallest step back.
    pub(super) fn landing_release<'r>(
        &self,
        releases: &'r [Release],
        current: Option<&Version>,
        krate: &str,
        (moving_from, target): (&Version, &Version),
        origin: &Origin,
    ) -> Option<&'r Release> {
        let lands = |r: &&Release| {
            self.usable(r, &origin.features)
                && r.requirement_on(krate)
                    .is_some_and(|req| req.matches(target))
        };
        let newer = releases
            .iter()
            .filter(|r| current.is_none_or(|c| r.version > *c))
            .find(lands);
        newer.or_else(|| {
            let current = current?;
            (*target < *moving_from)
                .then(|| {
                    releases
                        .iter()
                        .rev()
                        .filter(|r| r.version < *current)
                        .find(lands)
                })
                .flatten()
        })
    }
}

#[cfg(test)]
mod tests {
    use semver::Version;

    use crate::plan::tests::{findings, release, ws};
    use crate::plan::{PlanOptions, plan};
    use crate::registry::MemoryRegistry;

    #[test]
    fn skips_yanked_too_new_and_featureless_candidates() {
        let mut yanked = release("0.14.0", &[("tonic", "^0.12")]);
        yanked.yanked = true;
        yanked.features.insert("tls".to_owned());
        let mut too_new = release("0.14.1", &[("tonic", "^0.12.3")]);
        too_new.rust_version = Some(Version::new(1, 90, 0));
        too_new.features.insert("tls".to_owned());
        let no_tls = release("0.15.0", &[("tonic", "^0.12.3")]);
        let mut good = release("0.15.1", &[("tonic", "^0.12.3")]);
        good.features.insert("tls".to_owned());
        let mut newer = release("0.16.1", &[("tonic", "^0.13.1")]);
        newer.features.insert("tls".to_owned());
        let mut registry = MemoryRegistry::default();
        registry.crates.insert(
            "etcd-client".to_owned(),
            vec![
                release("0.11.1", &[("tonic", "^0.9.2")]),
                yanked,
                too_new,
                no_tls,
                good,
                newer,
            ],
        );
        let opts = PlanOptions {
            rust_version: Some(Version::new(1, 80, 0)),
            ..PlanOptions::default()
        };
        let plan = plan(&findings(), &registry, &ws(), &opts).expect("plans");
        assert_eq!(plan.edits.len(), 1, "{plan:#?}");
        assert_eq!(plan.edits[0].key, "etcd-client");
        assert_eq!(plan.edits[0].from.as_deref(), Some("0.11"));
        assert_eq!(plan.edits[0].to, "0.15");
        assert!(plan.unfixable.is_empty());
    }
}
