//! `[patch]` entries (strategy 4): a source split merged by patching the registry copy with
//! the other source, and an intermediate without a suitable release pointed at the fork
//! `--patch-with` names; each entry written to the section cargo reads.

use std::fmt;

use semver::VersionReq;

use super::{Edit, EditTarget, PatchSpec, Planner, Unfixable, finding_ref};
use crate::analysis::{Finding, Line, Origin};
use crate::graph::CRATES_IO;

impl Planner<'_> {
    /// Strategy 4: the intermediate has no release on the line; the fork `--patch-with` names
    /// replaces it, and the lockfile is told to let go of the registry release.
    pub(super) fn patch_intermediate(
        &mut self,
        finding: &Finding,
        origin: &Origin,
        spec: PatchSpec,
        line: Line,
    ) {
        let krate = finding.krate.as_str();
        let inter = origin.package.as_str();
        self.patch_edit(
            CRATES_IO,
            inter,
            spec,
            format!(
                "no release of {inter} requires {krate} on the {line} line; patched with the fork given by --patch-with"
            ),
            finding,
        );
        // The lockfile keeps the registry release until told otherwise.
        if let Some(current) = &origin.package_version {
            self.command(vec![
                "cargo".into(),
                "update".into(),
                "-p".into(),
                format!("{inter}@{current}"),
            ]);
        }
    }

    /// source-split: patch the registry copy with the other source, when that copy's version
    /// satisfies every requirement on the registry copy (else cargo would ignore the patch).
    pub(super) fn merge_sources(&mut self, finding: &Finding) {
        let krate = finding.krate.as_str();
        let registry_copy = finding.versions.iter().find(|v| {
            v.source
                .as_deref()
                .is_some_and(|s| s.starts_with("registry+") || s.starts_with("sparse+"))
        });
        let fork = finding.versions.iter().find(|v| {
            !v.source
                .as_deref()
                .is_some_and(|s| s.starts_with("registry+") || s.starts_with("sparse+"))
        });
        let (Some(reg), Some(fork)) = (registry_copy, fork) else {
            self.blocked(
                finding,
                krate,
                format!(
                    "{krate} comes from two sources, neither of them a registry; choose one by hand"
                ),
            );
            return;
        };
        let spec = match fork.source.as_deref() {
            None => fork
                .manifest_dir
                .as_ref()
                .map(|dir| PatchSpec::Path(crate::location::relative(&self.ws.root, dir))),
            Some(s) => PatchSpec::from_git_source(s),
        };
        let blocking = reg.dependents.iter().find(|d| {
            !d.req
                .as_deref()
                .and_then(|r| VersionReq::parse(r).ok())
                .is_some_and(|r| r.matches(&fork.version))
        });
        match (spec, blocking) {
            (Some(spec), None) => {
                let source = reg.source.clone().unwrap_or_default();
                self.patch_edit(
                    &source,
                    krate,
                    spec,
                    format!(
                        "make every dependent use the same {krate} {}: cargo then builds one copy",
                        fork.version
                    ),
                    finding,
                );
            }
            (_, Some(d)) => self.unfixable.push(Unfixable {
                krate: krate.to_owned(),
                blocking: d.name.clone(),
                newest: None,
                requirement: d.req.clone(),
                message: format!(
                    "{} {} requires {krate} {}, which the other copy ({}) does not satisfy: cargo would ignore a [patch]",
                    d.name,
                    d.version,
                    d.req.as_deref().unwrap_or("?"),
                    fork.version
                ),
                finding: finding_ref(finding),
                newest_line: None,
                alternatives: Vec::new(),
            }),
            (None, None) => self.blocked(
                finding,
                krate,
                format!("the source of the other {krate} copy is not known"),
            ),
        }
    }

    fn patch_edit(
        &mut self,
        source: &str,
        krate: &str,
        spec: PatchSpec,
        reason: String,
        finding: &Finding,
    ) {
        let crates_io = source == CRATES_IO || source.is_empty();
        let (table, registry, reason) = match &self.ws.crates_io_patch {
            Some((key, written)) if crates_io => (
                format!("patch.{written}"),
                key.clone(),
                format!(
                    "{reason}; added to [patch.{written}], the section cargo reads for crates.io \
                     (it ignores a [patch.crates-io] beside it)"
                ),
            ),
            _ => {
                let registry = Self::patch_registry(source, crates_io);
                (format!("patch.{registry}"), registry, reason)
            }
        };
        self.edits.push(Edit {
            manifest: self.ws.root_manifest_rel.clone(),
            table,
            key: krate.to_owned(),
            from: None,
            to: spec.to_toml(),
            reason,
            finding: finding_ref(finding),
            features: None,
            target: EditTarget::Patch {
                manifest: self.ws.root_manifest.clone(),
                registry,
                krate: krate.to_owned(),
                spec,
            },
        });
    }

    /// The `[patch.<…>]` key for a source: `crates-io`, or the quoted registry URL.
    fn patch_registry(source: &str, crates_io: bool) -> String {
        if crates_io {
            "crates-io".to_owned()
        } else {
            let url = source
                .strip_prefix("registry+")
                .or_else(|| source.strip_prefix("sparse+").map(|_| source))
                .unwrap_or(source);
            format!("'{url}'")
        }
    }
}

impl fmt::Display for PatchSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_toml())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::tests::{findings, ws};
    use crate::plan::{PlanOptions, plan};
    use crate::registry::MemoryRegistry;

    #[test]
    fn git_sources_become_patch_specs() {
        assert_eq!(
            PatchSpec::from_git_source("git+https://github.com/acme/tonic?branch=grpc-fix#4f5e6d7"),
            Some(PatchSpec::Git {
                url: "https://github.com/acme/tonic".to_owned(),
                reference: Some(("branch".to_owned(), "grpc-fix".to_owned())),
            })
        );
        assert_eq!(
            PatchSpec::from_git_source("git+https://example.com/x#abc").map(|s| s.to_toml()),
            Some("{ git = \"https://example.com/x\", rev = \"abc\" }".to_owned())
        );
        assert_eq!(
            PatchSpec::Path("forks/tonic".to_owned()).to_toml(),
            "{ path = \"forks/tonic\" }"
        );
    }

    #[test]
    fn patch_with_points_the_blocking_crate_at_a_fork() {
        let registry = MemoryRegistry::default();
        let opts = PlanOptions {
            patch_with: [(
                "etcd-client".to_owned(),
                PatchSpec::Git {
                    url: "https://example.com/etcd-client".to_owned(),
                    reference: Some(("branch".to_owned(), "tonic-0.12".to_owned())),
                },
            )]
            .into_iter()
            .collect(),
            ..PlanOptions::default()
        };
        let plan = plan(&findings(), &registry, &ws(), &opts).expect("plans");
        assert_eq!(plan.edits.len(), 1);
        assert_eq!(plan.edits[0].table, "patch.crates-io");
        assert_eq!(
            plan.edits[0].to,
            "{ git = \"https://example.com/etcd-client\", branch = \"tonic-0.12\" }"
        );
        assert_eq!(
            plan.commands,
            [["cargo", "update", "-p", "etcd-client@0.11.1"]]
        );
    }
}
