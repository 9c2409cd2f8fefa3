//! Registry facts for fix planning: the only module that reads a registry index.
//!
//! Planning sees the registry only through the [`Registry`] trait, so it stays pure. Which
//! index is read follows cargo's configuration for the workspace: the `.cargo/config.toml`
//! files from the workspace root upwards and `$CARGO_HOME/config.toml`. When crates-io is
//! replaced by a vendored directory (`cargo vendor`), releases are read from that folder
//! (each release's Cargo.toml through the manifest walker, `manifest::document`);
//! otherwise from cargo's sparse index, through tame-index: cargo's local index cache, and,
//! unless `--offline`, the registry itself.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use semver::{Version, VersionReq};
use toml_edit::{DocumentMut, Item};

use crate::graph::Kind;
use crate::manifest::document::{Manifest, Section};

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

/// Why registry facts could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryError {
    pub message: String,
}

impl std::fmt::Display for RegistryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Where releases come from.
pub trait Registry {
    /// Every release of `name`, in ascending version order; `Ok(None)` when the registry has
    /// no such crate.
    fn releases(&self, name: &str) -> Result<Option<Vec<Release>>, RegistryError>;

    /// A short description for messages (`vendored directory testdata/vendor`).
    fn describe(&self) -> String;

    /// Releases of `name` in the registry with cargo source id `source` (`None` or the
    /// default registry: this one). Registries that know only the default registry refuse
    /// others.
    fn releases_in(
        &self,
        source: Option<&str>,
        name: &str,
    ) -> Result<Option<Vec<Release>>, RegistryError> {
        match source {
            None => self.releases(name),
            Some(s) if s == crate::graph::CRATES_IO => self.releases(name),
            Some(s) => Err(RegistryError {
                message: format!(
                    "{name} comes from {s}, which {} does not cover",
                    self.describe()
                ),
            }),
        }
    }
}

/// A `cargo vendor` directory: one folder per crate version, each with its Cargo.toml.
#[derive(Debug)]
pub struct DirectorySource {
    dir: PathBuf,
    index: Mutex<Option<HashMap<String, Vec<Release>>>>,
}

impl DirectorySource {
    pub fn new(dir: PathBuf) -> DirectorySource {
        DirectorySource {
            dir,
            index: Mutex::new(None),
        }
    }

    fn scan(&self) -> Result<HashMap<String, Vec<Release>>, RegistryError> {
        let entries = std::fs::read_dir(&self.dir).map_err(|e| RegistryError {
            message: format!(
                "could not read the vendored directory {}: {e}",
                self.dir.display()
            ),
        })?;
        let mut out: HashMap<String, Vec<Release>> = HashMap::new();
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path().join("Cargo.toml"))
            .filter(|p| p.is_file())
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|e| RegistryError {
                message: format!("could not read {}: {e}", path.display()),
            })?;
            let (name, release) = parse_manifest(&text).map_err(|m| RegistryError {
                message: format!("{}: {m}", path.display()),
            })?;
            out.entry(name).or_default().push(release);
        }
        for releases in out.values_mut() {
            releases.sort_by(|a, b| a.version.cmp(&b.version));
        }
        Ok(out)
    }
}

impl Registry for DirectorySource {
    fn releases(&self, name: &str) -> Result<Option<Vec<Release>>, RegistryError> {
        let mut guard = self.index.lock().map_err(|_| RegistryError {
            message: "registry index lock poisoned".to_owned(),
        })?;
        if guard.is_none() {
            *guard = Some(self.scan()?);
        }
        Ok(guard.as_ref().and_then(|idx| idx.get(name).cloned()))
    }

    fn describe(&self) -> String {
        format!("the vendored directory {}", self.dir.display())
    }
}

/// Reads name and release facts from a published crate's Cargo.toml.
fn parse_manifest(text: &str) -> Result<(String, Release), String> {
    let doc = Manifest::parse(text.to_owned()).map_err(|e| format!("invalid TOML: {e}"))?;
    let package = doc
        .get("package")
        .and_then(Item::as_table_like)
        .ok_or("no [package] table")?;
    let name = package
        .get("name")
        .and_then(Item::as_str)
        .ok_or("no package.name")?
        .to_owned();
    let version = package
        .get("version")
        .and_then(Item::as_str)
        .ok_or("no package.version")?;
    let version = Version::parse(version).map_err(|e| format!("bad version {version}: {e}"))?;
    let rust_version = package
        .get("rust-version")
        .and_then(Item::as_str)
        .and_then(parse_rust_version);
    let mut deps = Vec::new();
    let mut features: BTreeSet<String> = doc
        .get("features")
        .and_then(Item::as_table_like)
        .map(|t| t.iter().map(|(k, _)| k.to_owned()).collect())
        .unwrap_or_default();
    // By kind, the package's table before its `[target.*]` ones: the first normal or build
    // requirement on a crate is the one `requirement_on` reads.
    let mut tables: Vec<(Kind, &dyn toml_edit::TableLike)> = doc
        .tables()
        .filter_map(|t| match t.section {
            Section::Package(kind) => Some((kind, t.table)),
            Section::Workspace => None,
        })
        .collect();
    tables.sort_by_key(|(kind, _)| *kind);
    for (kind, table) in tables {
        for (key, item) in table.iter() {
            let (req, package, optional) = match item {
                Item::Value(toml_edit::Value::String(s)) => (s.value().clone(), None, false),
                other => {
                    let Some(t) = other.as_table_like() else {
                        continue;
                    };
                    (
                        t.get("version")
                            .and_then(Item::as_str)
                            .unwrap_or("*")
                            .to_owned(),
                        t.get("package").and_then(Item::as_str).map(str::to_owned),
                        t.get("optional").and_then(Item::as_bool).unwrap_or(false),
                    )
                }
            };
            let req = VersionReq::parse(&req).map_err(|e| format!("bad requirement {req}: {e}"))?;
            if optional && kind != Kind::Dev {
                features.insert(key.to_owned());
            }
            deps.push(ReleaseDep {
                name: package.unwrap_or_else(|| key.to_owned()),
                req,
                kind,
                optional,
            });
        }
    }
    Ok((
        name,
        Release {
            version,
            yanked: false,
            rust_version,
            deps,
            features,
        },
    ))
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

/// A sparse index (crates.io's by default), read through tame-index: cargo's local index
/// cache first; unless offline, the registry itself for crates the cache lacks (the answer is
/// written back to cargo's cache, as cargo does).
pub struct SparseRegistry {
    index: tame_index::index::SparseIndex,
    url: String,
    offline: bool,
    cache: Mutex<HashMap<String, Option<Vec<Release>>>>,
}

impl std::fmt::Debug for SparseRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SparseRegistry")
            .field("url", &self.url)
            .field("offline", &self.offline)
            .finish()
    }
}

fn registry_error(e: impl std::fmt::Display) -> crate::Error {
    crate::Error::Registry {
        message: e.to_string(),
    }
}

impl SparseRegistry {
    /// crates.io's sparse index, cached under `cargo_home`.
    pub fn crates_io(cargo_home: Option<PathBuf>, offline: bool) -> Result<Self, crate::Error> {
        Self::new(tame_index::CRATES_IO_HTTP_INDEX, cargo_home, offline)
    }

    /// The sparse index at `url` (`sparse+https://…`), cached under `cargo_home`.
    pub fn new(
        url: &str,
        cargo_home: Option<PathBuf>,
        offline: bool,
    ) -> Result<Self, crate::Error> {
        if !url.starts_with("sparse+") {
            return Err(crate::Error::Registry {
                message: format!(
                    "{url} is a git index; `fix` reads sparse indices (`sparse+https://…`) and vendored directories"
                ),
            });
        }
        let location = tame_index::index::IndexLocation::new(
            tame_index::index::IndexUrl::NonCratesIo(url.into()),
        )
        .with_root(cargo_home.and_then(|p| tame_index::PathBuf::from_path_buf(p).ok()));
        let index = tame_index::index::SparseIndex::new(location).map_err(registry_error)?;
        Ok(SparseRegistry {
            index,
            url: url.to_owned(),
            offline,
            cache: Mutex::new(HashMap::new()),
        })
    }

    fn fetch(&self, name: &str) -> Result<Option<Vec<Release>>, RegistryError> {
        let err = |e: &dyn std::fmt::Display| RegistryError {
            message: format!("{name} in {}: {e}", self.url),
        };
        let krate_name = tame_index::KrateName::crates_io(name).map_err(|e| err(&e))?;
        let lock = tame_index::flock::FileLock::unlocked();
        let cached = self
            .index
            .cached_krate(krate_name, &lock)
            .map_err(|e| err(&e))?
            .map(|entry| entry.deserialize())
            .transpose()
            .map_err(|e| err(&e))?;
        if let Some(krate) = cached {
            return Ok(Some(convert(&krate)));
        }
        if self.offline {
            return Err(RegistryError {
                message: format!(
                    "{name} is not in cargo's local index cache and --offline forbids asking {};                      run `cargo fetch` (or any cargo build) once with network access",
                    self.url
                ),
            });
        }
        self.fetch_remote(name, krate_name, &lock)
    }

    #[cfg(feature = "online")]
    fn fetch_remote(
        &self,
        name: &str,
        krate_name: tame_index::KrateName<'_>,
        lock: &tame_index::flock::FileLock,
    ) -> Result<Option<Vec<Release>>, RegistryError> {
        let err = |e: &dyn std::fmt::Display| RegistryError {
            message: format!("{name} in {}: {e}", self.url),
        };
        let request = self
            .index
            .make_remote_request(krate_name, None, lock)
            .map_err(|e| err(&e))?;
        let request: tame_index::external::http::Request<()> = request.into();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(std::time::Duration::from_secs(30)))
            .build()
            .into();
        let mut builder = agent.get(request.uri().to_string());
        for (k, v) in request.headers() {
            builder = builder.header(k.as_str(), v.to_str().unwrap_or_default());
        }
        let mut response = builder.call().map_err(|e| err(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.body_mut().read_to_vec().map_err(|e| err(&e))?;
        let mut http_response = tame_index::external::http::Response::new(body);
        *http_response.status_mut() = status;
        *http_response.headers_mut() = headers;
        let entry = self
            .index
            .parse_remote_response(krate_name, &http_response, true, lock)
            .map_err(|e| err(&e))?;
        entry
            .map(|e| e.deserialize().map(|k| convert(&k)))
            .transpose()
            .map_err(|e| err(&e))
    }

    #[cfg(not(feature = "online"))]
    fn fetch_remote(
        &self,
        name: &str,
        _krate_name: tame_index::KrateName<'_>,
        _lock: &tame_index::flock::FileLock,
    ) -> Result<Option<Vec<Release>>, RegistryError> {
        Err(RegistryError {
            message: format!(
                "{name} is not in cargo's local index cache, and this build has no network support (feature `online`)"
            ),
        })
    }
}

/// tame-index's view of a crate as our plain releases, in version order.
fn convert(krate: &tame_index::IndexKrate) -> Vec<Release> {
    let mut out: Vec<Release> = krate
        .versions
        .iter()
        .filter_map(|v| {
            let version = Version::parse(&v.version).ok()?;
            let deps = v
                .dependencies()
                .iter()
                .map(|d| {
                    let kind = match d.kind() {
                        tame_index::krate::DependencyKind::Normal => Kind::Normal,
                        tame_index::krate::DependencyKind::Build => Kind::Build,
                        tame_index::krate::DependencyKind::Dev => Kind::Dev,
                    };
                    ReleaseDep {
                        name: d.crate_name().to_owned(),
                        req: d.version_requirement(),
                        kind,
                        optional: d.is_optional(),
                    }
                })
                .collect();
            let mut features: BTreeSet<String> = v.features().map(|(k, _)| k.clone()).collect();
            for d in v.dependencies() {
                if d.is_optional() {
                    features.insert(d.name.to_string());
                }
            }
            Some(Release {
                version,
                yanked: v.is_yanked(),
                rust_version: v.rust_version().and_then(parse_rust_version),
                deps,
                features,
            })
        })
        .collect();
    out.sort_by(|a, b| a.version.cmp(&b.version));
    out
}

impl Registry for SparseRegistry {
    fn releases(&self, name: &str) -> Result<Option<Vec<Release>>, RegistryError> {
        if let Ok(cache) = self.cache.lock()
            && let Some(hit) = cache.get(name)
        {
            return Ok(hit.clone());
        }
        let found = self.fetch(name)?;
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(name.to_owned(), found.clone());
        }
        Ok(found)
    }

    fn describe(&self) -> String {
        format!("the registry {}", self.url)
    }
}

// An in-memory registry for the unit tests (shared with the benchmarks; not built otherwise).
#[cfg(test)]
#[path = "../../tests/support/registry.rs"]
mod memory;
#[cfg(test)]
pub(crate) use memory::MemoryRegistry;

/// The registries of a workspace: crates-io as cargo's configuration says (possibly a
/// vendored directory), and alternative sparse registries by their source ids, opened when
/// first asked for.
pub struct Registries {
    default: Box<dyn Registry>,
    home: Option<PathBuf>,
    offline: bool,
    others: Mutex<BTreeMap<String, std::sync::Arc<SparseRegistry>>>,
}

impl Registry for Registries {
    fn releases(&self, name: &str) -> Result<Option<Vec<Release>>, RegistryError> {
        self.default.releases(name)
    }

    fn describe(&self) -> String {
        self.default.describe()
    }

    fn releases_in(
        &self,
        source: Option<&str>,
        name: &str,
    ) -> Result<Option<Vec<Release>>, RegistryError> {
        let Some(source) = source.filter(|s| *s != crate::graph::CRATES_IO) else {
            return self.default.releases(name);
        };
        if !source.starts_with("sparse+") {
            return Err(RegistryError {
                message: format!(
                    "{name} comes from {source}; `fix` reads sparse registries and vendored directories only"
                ),
            });
        }
        let registry = {
            let mut others = self.others.lock().map_err(|_| RegistryError {
                message: "registry lock poisoned".to_owned(),
            })?;
            match others.get(source) {
                Some(r) => r.clone(),
                None => {
                    let r = SparseRegistry::new(source, self.home.clone(), self.offline).map_err(
                        |e| RegistryError {
                            message: e.to_string(),
                        },
                    )?;
                    let r = std::sync::Arc::new(r);
                    others.insert(source.to_owned(), r.clone());
                    r
                }
            }
        };
        registry.releases(name)
    }
}

/// The registries the workspace's configuration points at.
pub fn for_workspace(root: &Path, offline: bool) -> Result<Registries, crate::Error> {
    let home = cargo_home();
    Ok(Registries {
        default: default_registry(root, home.clone(), offline)?,
        home,
        offline,
        others: Mutex::new(BTreeMap::new()),
    })
}

fn default_registry(
    root: &Path,
    home: Option<PathBuf>,
    offline: bool,
) -> Result<Box<dyn Registry>, crate::Error> {
    match crates_io_source(root, home.as_deref()) {
        CratesIoSource::Directory(dir) => Ok(Box::new(DirectorySource::new(dir))),
        CratesIoSource::Default => Ok(Box::new(SparseRegistry::crates_io(home, offline)?)),
        CratesIoSource::Registry(url) => Ok(Box::new(SparseRegistry::new(&url, home, offline)?)),
        CratesIoSource::Unsupported(what) => Err(crate::Error::Registry {
            message: format!(
                "crates-io is replaced by {what}, which this tool cannot read; `fix` needs a vendored directory or a sparse registry"
            ),
        }),
    }
}

/// `$CARGO_HOME`, or `~/.cargo`.
fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
}

/// How crates-io is reached for this workspace, read from cargo's configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CratesIoSource {
    /// The default: crates.io's sparse index.
    Default,
    /// Replaced by a vendored directory.
    Directory(PathBuf),
    /// Replaced by another registry (index URL, `sparse+…` or git).
    Registry(String),
    /// Replaced by something this tool cannot read (a local registry).
    Unsupported(String),
}

/// Reads cargo's configuration from `workspace_root` upwards and `cargo_home`, and says
/// where crates-io's releases come from. Closer files win, as in cargo.
pub fn crates_io_source(workspace_root: &Path, cargo_home: Option<&Path>) -> CratesIoSource {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in workspace_root.ancestors() {
        for name in ["config.toml", "config"] {
            let f = dir.join(".cargo").join(name);
            if f.is_file() {
                files.push(f);
                break;
            }
        }
    }
    if let Some(home) = cargo_home {
        for name in ["config.toml", "config"] {
            let f = home.join(name);
            if f.is_file() && !files.contains(&f) {
                files.push(f);
                break;
            }
        }
    }
    // source name -> (definition table, directory the relative paths are relative to)
    let mut sources: BTreeMap<String, (toml_edit::Table, PathBuf)> = BTreeMap::new();
    // Walk from the farthest file to the closest, so closer definitions override.
    for file in files.iter().rev() {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let Ok(doc) = text.parse::<DocumentMut>() else {
            continue;
        };
        let base = file
            .parent()
            .and_then(Path::parent)
            .map(Path::to_owned)
            .unwrap_or_default();
        if let Some(table) = doc.get("source").and_then(Item::as_table) {
            for (name, def) in table.iter() {
                if let Some(t) = def.as_table() {
                    let entry = sources
                        .entry(name.to_owned())
                        .or_insert_with(|| (toml_edit::Table::new(), base.clone()));
                    for (k, v) in t.iter() {
                        entry.0.insert(k, v.clone());
                    }
                    entry.1 = base.clone();
                }
            }
        }
    }
    // Follow replace-with from crates-io to the final source.
    let mut name = "crates-io".to_owned();
    for _ in 0..16 {
        let Some((def, base)) = sources.get(&name) else {
            break;
        };
        if let Some(next) = def.get("replace-with").and_then(Item::as_str) {
            name = next.to_owned();
            continue;
        }
        if let Some(dir) = def.get("directory").and_then(Item::as_str) {
            return CratesIoSource::Directory(base.join(dir));
        }
        if let Some(url) = def.get("registry").and_then(Item::as_str) {
            return CratesIoSource::Registry(url.to_owned());
        }
        if let Some(dir) = def.get("local-registry").and_then(Item::as_str) {
            return CratesIoSource::Unsupported(format!(
                "local registry {}",
                base.join(dir).display()
            ));
        }
        break;
    }
    if name == "crates-io" {
        CratesIoSource::Default
    } else {
        CratesIoSource::Unsupported(format!("source `{name}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_stub_manifest() {
        let (name, release) = parse_manifest(
            r#"[package]
name = "etcd-client"
version = "0.14.0"
rust-version = "1.80"

[dependencies]
tonic = { version = "^0.12" }
grpc = { package = "tonic-health", version = "0.12", optional = true }

[build-dependencies]
tonic-build = "^0.12"
"#,
        )
        .expect("parses");
        assert_eq!(name, "etcd-client");
        assert_eq!(release.version, Version::new(0, 14, 0));
        assert_eq!(release.rust_version, Some(Version::new(1, 80, 0)));
        assert_eq!(
            release.requirement_on("tonic"),
            Some(&VersionReq::parse("^0.12").expect("req"))
        );
        assert!(release.requirement_on("tonic-health").is_some());
        assert!(release.features.contains("grpc"));
        assert_eq!(
            release
                .deps
                .iter()
                .find(|d| d.name == "tonic-build")
                .map(|d| d.kind),
            Some(Kind::Build)
        );
    }

    #[test]
    fn a_normal_requirement_is_read_before_a_build_one_wherever_it_is_declared() {
        let (_, release) = parse_manifest(
            "[package]\nname = \"a\"\nversion = \"1.0.0\"\n\n\
             [build-dependencies]\nprost = \"0.12\"\n\n\
             [target.'cfg(unix)'.dependencies]\nprost = \"0.13\"\n",
        )
        .expect("parses");
        assert_eq!(
            release.requirement_on("prost"),
            Some(&VersionReq::parse("0.13").expect("req"))
        );
        assert_eq!(
            release.deps.iter().map(|d| d.kind).collect::<Vec<_>>(),
            [Kind::Normal, Kind::Build]
        );
    }

    #[test]
    fn vendored_directory_lists_releases_in_order() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/vendor");
        let reg = DirectorySource::new(dir);
        let versions: Vec<String> = reg
            .releases("etcd-client")
            .expect("readable")
            .expect("present")
            .iter()
            .map(|r| r.version.to_string())
            .collect();
        assert_eq!(
            versions,
            [
                "0.10.4", "0.11.1", "0.12.4", "0.13.0", "0.14.0", "0.14.1", "0.15.0", "0.16.1",
                "0.17.0"
            ]
        );
        assert_eq!(reg.releases("no-such-crate").expect("readable"), None);
    }

    #[test]
    fn source_replacement_is_followed() {
        let ws = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/workspaces/two-lines");
        let empty_home = tempfile::tempdir().expect("temp dir");
        assert_eq!(
            crates_io_source(&ws, Some(empty_home.path())),
            CratesIoSource::Directory(ws.join("../../vendor"))
        );
        let other = tempfile::tempdir().expect("temp dir");
        assert_eq!(
            crates_io_source(other.path(), Some(empty_home.path())),
            CratesIoSource::Default
        );
    }

    #[test]
    fn sparse_registry_reads_cargos_local_cache_offline() {
        let home = tempfile::tempdir().expect("temp dir");
        let reg = SparseRegistry::crates_io(Some(home.path().to_owned()), true).expect("index");
        let err = reg
            .releases("etcd-client")
            .expect_err("empty cache, offline");
        assert!(err.message.contains("--offline"), "{}", err.message);

        // Put an entry in the cache exactly as a response from the registry would.
        let cksum = "0".repeat(64);
        let body = format!(
            "{{\"name\":\"etcd-client\",\"vers\":\"0.11.1\",\"deps\":[{{\"name\":\"tonic\",\"req\":\"^0.9.2\",\"features\":[],\"optional\":false,\"default_features\":true,\"target\":null,\"kind\":\"normal\"}}],\"cksum\":\"{cksum}\",\"features\":{{}},\"yanked\":false}}\n\
             {{\"name\":\"etcd-client\",\"vers\":\"0.14.0\",\"deps\":[{{\"name\":\"tonic\",\"req\":\"^0.12\",\"features\":[],\"optional\":false,\"default_features\":true,\"target\":null,\"kind\":\"normal\"}}],\"cksum\":\"{cksum}\",\"features\":{{\"tls\":[]}},\"yanked\":true,\"rust_version\":\"1.80\"}}\n"
        );
        let mut response = tame_index::external::http::Response::new(body.into_bytes());
        response.headers_mut().insert(
            "etag",
            tame_index::external::http::HeaderValue::from_static("\"abc\""),
        );
        let lock = tame_index::flock::FileLock::unlocked();
        let name = tame_index::KrateName::crates_io("etcd-client").expect("name");
        reg.index
            .parse_remote_response(name, &response, true, &lock)
            .expect("parsed")
            .expect("present");

        let fresh = SparseRegistry::crates_io(Some(home.path().to_owned()), true).expect("index");
        let releases = fresh
            .releases("etcd-client")
            .expect("cached")
            .expect("present");
        assert_eq!(releases.len(), 2);
        assert_eq!(releases[0].version, Version::new(0, 11, 1));
        assert_eq!(
            releases[0].requirement_on("tonic"),
            Some(&VersionReq::parse("^0.9.2").expect("req"))
        );
        assert!(releases[1].yanked);
        assert_eq!(releases[1].rust_version, Some(Version::new(1, 80, 0)));
        assert!(releases[1].features.contains("tls"));
    }

    #[test]
    fn registries_dispatch_by_source() {
        let vendor = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/vendor");
        let regs = Registries {
            default: Box::new(DirectorySource::new(vendor)),
            home: None,
            offline: true,
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
            home: Some(home.path().to_owned()),
            ..regs
        };
        let err = regs
            .releases_in(Some("sparse+https://registry.example.com/index/"), "acme")
            .expect_err("offline, not cached");
        assert!(err.message.contains("--offline"), "{}", err.message);
    }

    #[test]
    fn git_indices_are_refused_with_a_reason() {
        let err = SparseRegistry::new("https://github.com/rust-lang/crates.io-index", None, true)
            .expect_err("git index");
        assert!(err.to_string().contains("sparse"), "{err}");
    }

    #[test]
    fn rust_versions_parse_with_two_or_three_parts() {
        assert_eq!(parse_rust_version("1.80"), Some(Version::new(1, 80, 0)));
        assert_eq!(parse_rust_version("1.75.1"), Some(Version::new(1, 75, 1)));
        assert_eq!(parse_rust_version("x"), None);
    }
}
