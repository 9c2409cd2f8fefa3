//! The vendored-directory reader (`cargo vendor`): one folder per crate version, each
//! release's facts read from its Cargo.toml through the manifest walker.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Mutex;

use semver::{Version, VersionReq};
use toml_edit::Item;

use super::{
    Declared, Registry, RegistryError, Release, ReleaseFacts, Releases, parse_rust_version,
};
use crate::graph::Kind;
use crate::manifest::document::{Manifest, Section};

/// A `cargo vendor` directory: one folder per crate version, each with its Cargo.toml.
#[derive(Debug)]
pub struct DirectorySource {
    dir: PathBuf,
    index: Mutex<Option<Index>>,
}

/// Each crate's releases in version order, and beside them (in the same order) the
/// dependencies and features each declares.
type Index = HashMap<String, (Releases, Vec<ReleaseFacts>)>;

impl DirectorySource {
    pub fn new(dir: PathBuf) -> DirectorySource {
        DirectorySource {
            dir,
            index: Mutex::new(None),
        }
    }

    fn scan(&self) -> Result<Index, RegistryError> {
        let entries = std::fs::read_dir(&self.dir).map_err(|e| {
            RegistryError::caused(
                format!(
                    "could not read the vendored directory {}",
                    self.dir.display()
                ),
                e,
            )
        })?;
        let mut out: HashMap<String, Vec<(Release, ReleaseFacts)>> = HashMap::new();
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path().join("Cargo.toml"))
            .filter(|p| p.is_file())
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                RegistryError::caused(format!("could not read {}", path.display()), e)
            })?;
            let (name, release, declared) = parse_manifest(&text)
                .map_err(|m| RegistryError::new(format!("{}: {m}", path.display())))?;
            out.entry(name).or_default().push((release, declared));
        }
        Ok(out
            .into_iter()
            .map(|(name, mut releases)| {
                releases.sort_by(|a, b| a.0.version.cmp(&b.0.version));
                let (releases, declared): (Vec<_>, Vec<_>) = releases.into_iter().unzip();
                (name, (releases.into(), declared))
            })
            .collect())
    }

    /// `answer` over the index, read on first use.
    fn with_index<T>(&self, answer: impl FnOnce(&Index) -> T) -> Result<T, RegistryError> {
        let mut guard = self
            .index
            .lock()
            .map_err(|_| RegistryError::new("registry index lock poisoned"))?;
        if guard.is_none() {
            *guard = Some(self.scan()?);
        }
        Ok(answer(guard.as_ref().expect("filled above")))
    }
}

impl Registry for DirectorySource {
    fn releases(&self, name: &str) -> Result<Option<Releases>, RegistryError> {
        self.with_index(|idx| idx.get(name).map(|(releases, _)| releases.clone()))
    }

    /// A vendored directory is read without cargo's package-cache lock (cargo does not
    /// rewrite it), so the session is not used.
    fn declared_during(
        &self,
        name: &str,
        version: &Version,
        _: &super::CacheSession,
    ) -> Result<Option<ReleaseFacts>, RegistryError> {
        // `cargo vendor` names a crate's folder `name-version`, or `name` for the one version
        // it holds when alone: read that folder alone before listing the whole directory.
        for folder in [format!("{name}-{version}"), name.to_owned()] {
            let path = self.dir.join(folder).join("Cargo.toml");
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            if let Ok((found, release, declared)) = parse_manifest(&text)
                && found == name
                && release.version == *version
            {
                return Ok(Some(declared));
            }
        }
        self.with_index(|idx| {
            let (releases, declared) = idx.get(name)?;
            let at = releases.iter().position(|r| r.version == *version)?;
            Some(declared[at].clone())
        })
    }

    fn describe(&self) -> String {
        format!("the vendored directory {}", self.dir.display())
    }
}

/// Reads name, release facts and declarations from a published crate's Cargo.toml.
fn parse_manifest(text: &str) -> Result<(String, Release, ReleaseFacts), String> {
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
    let table = crate::manifest::document::feature_table(&doc);
    let mut features: BTreeSet<String> = table.keys().cloned().collect();
    let declared = declarations(&doc)?;
    for d in declared
        .iter()
        .filter(|d| d.optional && d.kind != Kind::Dev)
    {
        features.insert(d.key.clone());
    }
    let release = Release {
        version,
        yanked: false,
        rust_version,
        deps: declared.iter().map(Into::into).collect(),
        features,
    };
    let facts = ReleaseFacts {
        deps: declared,
        features: table,
    };
    Ok((name, release, facts))
}

/// Every dependency a published manifest declares. By kind, the package's table before its
/// `[target.*]` ones: the first normal or build requirement on a crate is the one
/// `requirement_on` reads.
fn declarations(doc: &Manifest) -> Result<Vec<Declared>, String> {
    let mut tables: Vec<(Kind, _)> = doc
        .tables()
        .filter_map(|t| match t.section {
            Section::Package(kind) => Some((kind, t)),
            Section::Workspace => None,
        })
        .collect();
    tables.sort_by_key(|(kind, _)| *kind);
    let mut out = Vec::new();
    for (kind, table) in tables {
        let platform = table.platform_name();
        for (key, item) in table.table.iter() {
            let t = match item {
                Item::Value(toml_edit::Value::String(_)) => None,
                other => match other.as_table_like() {
                    Some(t) => Some(t),
                    None => continue,
                },
            };
            let field = |name: &str| t.and_then(|t| t.get(name));
            let req = item
                .as_str()
                .or_else(|| field("version").and_then(Item::as_str))
                .unwrap_or("*");
            let req = VersionReq::parse(req).map_err(|e| format!("bad requirement {req}: {e}"))?;
            let features = field("features")
                .and_then(Item::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            out.push(Declared {
                name: field("package")
                    .and_then(Item::as_str)
                    .unwrap_or(key)
                    .to_owned(),
                key: key.to_owned(),
                req,
                kind,
                platform: platform.clone(),
                optional: field("optional").and_then(Item::as_bool).unwrap_or(false),
                features,
                default_features: field("default-features")
                    .or_else(|| field("default_features"))
                    .and_then(Item::as_bool)
                    .unwrap_or(true),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn reads_a_stub_manifest() {
        let (name, release, facts) = parse_manifest(
            r#"[package]
name = "etcd-client"
version = "0.14.0"
rust-version = "1.80"

[dependencies]
tonic = { version = "^0.12" }
grpc = { package = "tonic-health", version = "0.12", optional = true }

[build-dependencies]
tonic-build = "^0.12"

[features]
tls = ["tonic/tls", "grpc?/tls"]
"#,
        )
        .expect("parses");
        // The table as written; the implicit `grpc` feature is added where features resolve.
        assert_eq!(
            format!("{:?}", facts.features),
            r#"{"tls": ["tonic/tls", "grpc?/tls"]}"#
        );
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
        let (_, release, _) = parse_manifest(
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
    fn declarations_keep_target_tables_renames_and_features_as_cargo_metadata_reports_them() {
        let (_, _, declared) = parse_manifest(
            "[package]\nname = \"a\"\nversion = \"1.0.0\"\n\n\
             [dependencies]\nsys = { package = \"windows-sys\", version = \"0.52\", features = [\"x\"], default-features = false }\n\n\
             [target.\"cfg(any(unix,windows))\".build-dependencies]\nlibc = \"0.2\"\n\n\
             [dev-dependencies]\ntonic = \"0.12\"\n",
        )
        .expect("parses");
        let shown: Vec<String> = declared
            .deps
            .iter()
            .map(|d| {
                format!(
                    "{} {} {} {} {:?} {:?} {}",
                    d.key, d.name, d.req, d.kind, d.platform, d.features, d.default_features
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                "sys windows-sys ^0.52 normal None [\"x\"] false",
                "libc libc ^0.2 build Some(\"cfg(any(unix, windows))\") [] true",
                "tonic tonic ^0.12 dev None [] true",
            ]
        );
    }

    #[test]
    fn one_vendored_release_is_found_by_its_folder_or_by_listing() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/vendor");
        let reg = DirectorySource::new(dir.clone());
        let socket2 = reg
            .declared("socket2", &Version::new(0, 5, 8))
            .expect("readable")
            .expect("present");
        let shown: Vec<(&str, Option<&str>)> = socket2
            .deps
            .iter()
            .map(|d| (d.name.as_str(), d.platform.as_deref()))
            .collect();
        assert_eq!(
            shown,
            [
                ("libc", Some("cfg(unix)")),
                ("windows-sys", Some("cfg(windows)"))
            ]
        );
        assert_eq!(
            reg.declared("socket2", &Version::new(0, 3, 0))
                .expect("readable"),
            None
        );
        // A folder named otherwise is found by listing the directory.
        let tmp = tempfile::tempdir().expect("temp dir");
        let other = tmp.path().join("renamed-folder");
        std::fs::create_dir_all(&other).expect("mkdir");
        std::fs::copy(
            dir.join("winapi-0.3.9/Cargo.toml"),
            other.join("Cargo.toml"),
        )
        .expect("copy");
        let reg = DirectorySource::new(tmp.path().to_owned());
        let winapi = reg
            .declared("winapi", &Version::new(0, 3, 9))
            .expect("readable")
            .expect("present");
        assert_eq!(
            winapi.deps[0].platform.as_deref(),
            Some("i686-pc-windows-gnu")
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
}
