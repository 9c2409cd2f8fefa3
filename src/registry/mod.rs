//! Registry facts for fix planning: the only module that reads a registry index.
//!
//! Planning sees the registry only through the [`Registry`] trait, so it stays pure. Which
//! index is read follows cargo's configuration for the workspace: the `.cargo/config.toml`
//! files from the workspace root upwards and `$CARGO_HOME/config.toml`. When crates-io is
//! replaced by a vendored directory (`cargo vendor`), releases are read from that folder
//! (each release's Cargo.toml through the manifest walker, `manifest::document`);
//! otherwise from cargo's sparse index, through tame-index: cargo's local index cache, and,
//! unless `--offline`, the registry itself.
//!
//! This module holds the release data, the trait and the choice of reader for each source
//! ([`for_workspace`], [`Registries`]); `directory` reads a vendored directory, `sparse` a
//! sparse index and its local cache, and `cargo_config` finds what replaces crates-io.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use semver::{Version, VersionReq};

use crate::graph::Kind;

mod cargo_config;
mod directory;
mod sparse;

use cargo_config::cargo_home;
pub use cargo_config::{CratesIoSource, config_patch, crates_io_source};
pub use directory::DirectorySource;
pub use sparse::{CacheSession, SparseRegistry};

/// One published release of a crate, as far as planning needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    pub version: Version,
    pub yanked: bool,
    pub rust_version: Option<Version>,
    pub deps: Vec<ReleaseDep>,
    /// Feature names, including the implicit features of optional dependencies.
    pub features: BTreeSet<String>,
}

/// A dependency declared by a release.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseDep {
    /// The package name (after `package = …` renames).
    pub name: String,
    pub req: VersionReq,
    pub kind: Kind,
    pub optional: bool,
}

/// A dependency exactly as a release declares it, with what `cargo metadata` reports of it:
/// what the lockfile mode gives each edge out of a registry package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    /// The package name (after `package = …` renames).
    pub name: String,
    /// The key as written: the rename, else the name.
    pub key: String,
    pub req: VersionReq,
    pub kind: Kind,
    /// The `[target.<cfg>]` condition as cargo metadata spells it (`cfg(any(unix, windows))`).
    pub platform: Option<String>,
    pub optional: bool,
    pub features: Vec<String>,
    pub default_features: bool,
}

/// What one release declares, as the registry's index data on this machine gives it: its
/// dependencies and its `[features]` table as written (the implicit features of optional
/// dependencies are not added here).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReleaseFacts {
    pub deps: Vec<Declared>,
    pub features: BTreeMap<String, Vec<String>>,
}

impl From<&Declared> for ReleaseDep {
    fn from(d: &Declared) -> ReleaseDep {
        ReleaseDep {
            name: d.name.clone(),
            req: d.req.clone(),
            kind: d.kind,
            optional: d.optional,
        }
    }
}

impl Release {
    /// The requirement this release declares on `name` (normal or build), if any.
    pub fn requirement_on(&self, name: &str) -> Option<&VersionReq> {
        self.deps
            .iter()
            .filter(|d| d.name == name && d.kind != Kind::Dev)
            .map(|d| &d.req)
            .next()
    }
}

pub use crate::error::RegistryError;

/// Every release of a crate, in ascending version order, shared: a registry reads each crate
/// once and every later question gets the same releases, not a copy.
pub type Releases = std::sync::Arc<[Release]>;

/// Where releases come from.
pub trait Registry {
    /// Every release of `name`, in ascending version order; `Ok(None)` when the registry has
    /// no such crate.
    fn releases(&self, name: &str) -> Result<Option<Releases>, RegistryError>;

    /// A short description for messages (`vendored directory testdata/vendor`).
    fn describe(&self) -> String;

    /// The dependencies and feature table release `version` of `name` declares, read from
    /// what is on this machine only (never the network); `Ok(None)` when it has no entry for
    /// them.
    fn declared(
        &self,
        name: &str,
        version: &Version,
    ) -> Result<Option<ReleaseFacts>, RegistryError> {
        self.declared_during(name, version, &CacheSession::default())
    }

    /// What [`Registry::declared`] reads, as one read of a batch: a registry that reads
    /// cargo's index cache reads it under the package-cache lock `session` holds for the
    /// whole batch; others ignore the session.
    fn declared_during(
        &self,
        name: &str,
        version: &Version,
        session: &CacheSession,
    ) -> Result<Option<ReleaseFacts>, RegistryError> {
        let _ = (name, version, session);
        Err(RegistryError::new(format!(
            "{} holds no declarations",
            self.describe()
        )))
    }

    /// Releases of `name` in the registry with cargo source id `source` (`None` or the
    /// default registry: this one). Registries that know only the default registry refuse
    /// others.
    fn releases_in(
        &self,
        source: Option<&str>,
        name: &str,
    ) -> Result<Option<Releases>, RegistryError> {
        match source {
            None => self.releases(name),
            Some(s) if s == crate::graph::CRATES_IO => self.releases(name),
            Some(s) => Err(RegistryError::new(format!(
                "{name} comes from {s}, which {} does not cover",
                self.describe()
            ))),
        }
    }
}

/// `1.80` or `1.80.0` as a version.
pub fn parse_rust_version(s: &str) -> Option<Version> {
    let parts: Vec<&str> = s.trim().split('.').collect();
    let num = |i: usize| {
        parts
            .get(i)
            .map(|p| p.parse::<u64>().ok())
            .unwrap_or(Some(0))
    };
    Some(Version::new(num(0)?, num(1)?, num(2)?))
}

// An in-memory registry for the unit tests (shared with the benchmarks; not built otherwise).
#[cfg(test)]
#[path = "../../tests/support/registry.rs"]
mod memory;
#[cfg(test)]
pub(crate) use memory::MemoryRegistry;

/// How the sparse indices are read on this machine: cargo's home (its index cache and the
/// package-cache lock that guards it), whether the network is off limits, and the version of
/// the cargo that runs for the workspace, which names the cache's directories (`None`: found
/// from the directories there, see `sparse::naming`).
#[derive(Clone, Debug, Default)]
pub struct Access {
    pub home: Option<PathBuf>,
    pub offline: bool,
    pub cargo: Option<Version>,
}

/// The registries of a workspace: crates-io as cargo's configuration says (possibly a
/// vendored directory), and alternative sparse registries by their source ids, opened when
/// first asked for.
pub struct Registries {
    default: Box<dyn Registry>,
    access: Access,
    others: Mutex<BTreeMap<String, std::sync::Arc<SparseRegistry>>>,
}

impl Registry for Registries {
    fn releases(&self, name: &str) -> Result<Option<Releases>, RegistryError> {
        self.default.releases(name)
    }

    fn describe(&self) -> String {
        self.default.describe()
    }

    fn releases_in(
        &self,
        source: Option<&str>,
        name: &str,
    ) -> Result<Option<Releases>, RegistryError> {
        match self.other(source, name)? {
            None => self.default.releases(name),
            Some(registry) => registry.releases(name),
        }
    }

    fn declared_during(
        &self,
        name: &str,
        version: &Version,
        session: &CacheSession,
    ) -> Result<Option<ReleaseFacts>, RegistryError> {
        self.default.declared_during(name, version, session)
    }
}

impl Registries {
    /// What each of `wanted`'s releases (cargo source id, name, version) declares, in order,
    /// as `Registry::declared` reads one from the registry with that source id: one batch,
    /// read from one state of cargo's index cache, whose package-cache lock is taken once
    /// (shared) for all of it and released before this returns. Never the network, and
    /// nothing but cache reads happen while the lock is held.
    pub fn declared_all<'w>(
        &self,
        wanted: impl IntoIterator<Item = (&'w str, &'w str, &'w Version)>,
    ) -> Vec<Result<Option<ReleaseFacts>, RegistryError>> {
        let session = CacheSession::default();
        wanted
            .into_iter()
            .map(
                |(source, name, version)| match self.other(Some(source), name)? {
                    None => self.default.declared_during(name, version, &session),
                    Some(registry) => registry.declared_during(name, version, &session),
                },
            )
            .collect()
    }

    /// The reader of an alternative registry (`None`: the default one), opened when first
    /// asked for; an error for a source this tool cannot read.
    fn other(
        &self,
        source: Option<&str>,
        name: &str,
    ) -> Result<Option<std::sync::Arc<SparseRegistry>>, RegistryError> {
        let Some(source) = source.filter(|s| *s != crate::graph::CRATES_IO) else {
            return Ok(None);
        };
        if !source.starts_with("sparse+") {
            return Err(RegistryError::new(format!(
                "{name} comes from {source}; `fix` reads sparse registries and vendored directories only"
            )));
        }
        let mut others = self
            .others
            .lock()
            .map_err(|_| RegistryError::new("registry lock poisoned"))?;
        if let Some(r) = others.get(source) {
            return Ok(Some(r.clone()));
        }
        let r = SparseRegistry::new(source, &self.access)
            .map_err(|e| RegistryError::caused(format!("the registry {source}"), e))?;
        let r = std::sync::Arc::new(r);
        others.insert(source.to_owned(), r.clone());
        Ok(Some(r))
    }
}

/// A default registry this tool cannot read (a local registry, an index tame-index refuses):
/// every question is answered with why.
struct Unreadable(String);

impl Registry for Unreadable {
    fn releases(&self, _: &str) -> Result<Option<Releases>, RegistryError> {
        Err(RegistryError::new(self.0.clone()))
    }

    fn describe(&self) -> String {
        self.0.clone()
    }
}

/// The index data on this machine for the workspace at `root`, as cargo's configuration
/// points at it, never the network: what the lockfile mode reads each locked registry
/// package's declarations from. A default registry this tool cannot read answers every
/// question with why, so its packages are said to lack facts.
pub fn local_index(root: &Path) -> Registries {
    let access = Access {
        home: cargo_home(),
        offline: true,
        cargo: None,
    };
    let default =
        default_registry(root, &access).unwrap_or_else(|e| Box::new(Unreadable(e.one_line())));
    Registries {
        default,
        access,
        others: Mutex::new(BTreeMap::new()),
    }
}

/// The registries the workspace's configuration points at, read with the version of the
/// cargo that runs for the workspace (`cargo`, which `input::cargo::version` asks), so the
/// index reader never runs cargo itself.
pub fn for_workspace(
    root: &Path,
    offline: bool,
    cargo: Option<Version>,
) -> Result<Registries, crate::Error> {
    let access = Access {
        home: cargo_home(),
        offline,
        cargo,
    };
    Ok(Registries {
        default: default_registry(root, &access)?,
        access,
        others: Mutex::new(BTreeMap::new()),
    })
}

fn default_registry(root: &Path, access: &Access) -> Result<Box<dyn Registry>, crate::Error> {
    match crates_io_source(root, access.home.as_deref()) {
        CratesIoSource::Directory(dir) => Ok(Box::new(DirectorySource::new(dir))),
        CratesIoSource::Default => Ok(Box::new(SparseRegistry::crates_io(access)?)),
        CratesIoSource::Registry(url) => Ok(Box::new(SparseRegistry::new(&url, access)?)),
        CratesIoSource::Unsupported(what) => Err(RegistryError::new(format!(
            "crates-io is replaced by {what}, which this tool cannot read; `fix` needs a vendored directory or a sparse registry"
        ))
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registries_dispatch_by_source() {
        let vendor = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/vendor");
        let regs = Registries {
            default: Box::new(DirectorySource::new(vendor)),
            access: Access {
                offline: true,
                ..Access::default()
            },
            others: Mutex::new(BTreeMap::new()),
        };
        assert!(
            regs.releases_in(Some(crate::graph::CRATES_IO), "tonic")
                .expect("vendored")
                .is_some()
        );
        assert!(regs.releases_in(None, "tonic").expect("vendored").is_some());
        let err = regs
            .releases_in(Some("registry+https://git.example.com/index"), "acme")
            .expect_err("git index");
        assert!(err.message.contains("sparse registries"), "{}", err.message);
        let home = tempfile::tempdir().expect("temp dir");
        let regs = Registries {
            access: Access {
                home: Some(home.path().to_owned()),
                ..regs.access.clone()
            },
            ..regs
        };
        let err = regs
            .releases_in(Some("sparse+https://registry.example.com/index/"), "acme")
            .expect_err("offline, not cached");
        assert!(err.message.contains("--offline"), "{}", err.message);
        assert!(regs.access.offline);
    }

    #[test]
    fn rust_versions_parse_with_two_or_three_parts() {
        assert_eq!(parse_rust_version("1.80"), Some(Version::new(1, 80, 0)));
        assert_eq!(parse_rust_version("1.75.1"), Some(Version::new(1, 75, 1)));
        assert_eq!(parse_rust_version("x"), None);
    }
}
