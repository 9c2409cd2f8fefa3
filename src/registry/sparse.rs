//! The sparse-index reader, through tame-index: cargo's local index cache first, then
//! (feature `online`, unless `--offline`) the registry itself over ureq.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use semver::Version;

use super::{
    Access, Declared, Registry, RegistryError, Release, ReleaseFacts, Releases, parse_rust_version,
};
use crate::graph::Kind;

/// A sparse index (crates.io's by default), read through tame-index: cargo's local index
/// cache first; unless offline, the registry itself for crates the cache lacks (the answer is
/// written back to cargo's cache, as cargo does).
pub struct SparseRegistry {
    index: tame_index::index::SparseIndex,
    url: String,
    offline: bool,
    /// cargo's home, whose package-cache lock guards the index cache (`None`: tame-index's
    /// own idea of it).
    home: Option<tame_index::PathBuf>,
    cache: Mutex<HashMap<String, Option<Releases>>>,
    /// The buffer each cache file is read into for one release's declarations.
    buffer: Mutex<Vec<u8>>,
}

impl std::fmt::Debug for SparseRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SparseRegistry")
            .field("url", &self.url)
            .field("offline", &self.offline)
            .finish()
    }
}

impl SparseRegistry {
    /// crates.io's sparse index, cached under cargo's home.
    pub fn crates_io(access: &Access) -> Result<Self, crate::Error> {
        Self::new(tame_index::CRATES_IO_HTTP_INDEX, access)
    }

    /// The sparse index at `url` (`sparse+https://…`), cached under cargo's home. The cache's
    /// directory is the one the given cargo version names, else the one found there; never
    /// does tame-index run `cargo -V` itself.
    pub fn new(url: &str, access: &Access) -> Result<Self, crate::Error> {
        if !url.starts_with("sparse+") {
            return Err(RegistryError::new(format!(
                "{url} is a git index; `fix` reads sparse indices (`sparse+https://…`) and vendored directories"
            ))
            .into());
        }
        let naming = access.cargo.clone().or_else(|| {
            access
                .home
                .as_deref()
                .and_then(|home| naming(url, home, access.offline))
        });
        let home = access
            .home
            .clone()
            .and_then(|p| tame_index::PathBuf::from_path_buf(p).ok());
        let mut location = tame_index::index::IndexLocation::new(
            tame_index::index::IndexUrl::NonCratesIo(url.into()),
        )
        .with_root(home.clone());
        location.cargo_version = naming;
        let index = tame_index::index::SparseIndex::new(location)
            .map_err(|e| RegistryError::caused(format!("the index {url}"), e))?;
        Ok(SparseRegistry {
            index,
            url: url.to_owned(),
            offline: access.offline,
            home,
            cache: Mutex::new(HashMap::new()),
            buffer: Mutex::new(Vec::new()),
        })
    }

    /// Turns an error met while reading `name` into one naming the crate and the index.
    fn about<'a, E: Into<crate::error::Cause>>(
        &'a self,
        name: &'a str,
    ) -> impl Fn(E) -> RegistryError + 'a {
        move |e| RegistryError::caused(format!("{name} in {}", self.url), e)
    }

    fn fetch(&self, name: &str) -> Result<Option<Releases>, RegistryError> {
        let krate_name = tame_index::KrateName::crates_io(name).map_err(self.about(name))?;
        let cached = self
            .index
            .cached_krate(krate_name, &self.package_lock(false))
            .map_err(self.about(name))?
            .map(|entry| entry.deserialize())
            .transpose()
            .map_err(self.about(name))?;
        if let Some(krate) = cached {
            return Ok(Some(convert(&krate).into()));
        }
        if self.offline {
            return Err(RegistryError::new(format!(
                "{name} is not in cargo's local index cache and --offline forbids asking {}; run `cargo fetch` (or any cargo build) once with network access",
                self.url
            )));
        }
        self.fetch_remote(name, krate_name)
    }

    /// cargo's package-cache lock under this registry's cargo home (see [`package_lock`]).
    fn package_lock(&self, exclusive: bool) -> tame_index::flock::FileLock {
        package_lock(self.home.clone(), exclusive)
    }

    #[cfg(feature = "online")]
    fn fetch_remote(
        &self,
        name: &str,
        krate_name: tame_index::KrateName<'_>,
    ) -> Result<Option<Releases>, RegistryError> {
        let request = self
            .index
            .make_remote_request(krate_name, None, &self.package_lock(false))
            .map_err(self.about(name))?;
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
        let mut response = builder.call().map_err(self.about(name))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .body_mut()
            .read_to_vec()
            .map_err(self.about(name))?;
        let mut http_response = tame_index::external::http::Response::new(body);
        *http_response.status_mut() = status;
        *http_response.headers_mut() = headers;
        let lock = self.package_lock(true);
        let entry = self
            .index
            .parse_remote_response(krate_name, &http_response, true, &lock)
            .map_err(self.about(name))?;
        entry
            .map(|e| e.deserialize().map(|k| convert(&k).into()))
            .transpose()
            .map_err(self.about(name))
    }

    #[cfg(not(feature = "online"))]
    fn fetch_remote(
        &self,
        name: &str,
        _krate_name: tame_index::KrateName<'_>,
    ) -> Result<Option<Releases>, RegistryError> {
        Err(RegistryError::new(format!(
            "{name} is not in cargo's local index cache, and this build has no network support (feature `online`)"
        )))
    }
}

/// cargo's package-cache lock (`.package-cache` in cargo's home `home`; `None`: tame-index's
/// idea of it), taken as cargo-deny takes it: shared while the index cache is read, exclusive
/// while an answer from the registry is written to it, so cargo never rewrites an entry under
/// a reader. It is held for one read or write, or one batch of reads ([`CacheSession`]), at a
/// time, never while cargo runs for the tool nor across a request to the registry. While
/// another process holds it the read waits, and after a second a line on stderr says so (as
/// cargo's does; cargo holds it for moments while it updates the index); an interrupt ends
/// the wait (the run stops at its next check). A cargo home with no lock file yet (a shared
/// lock creates none), a read-only one, or a file system without locks is read without it,
/// as cargo does.
fn package_lock(home: Option<tame_index::PathBuf>, exclusive: bool) -> tame_index::flock::FileLock {
    use tame_index::flock::{FileLock, LockError, LockOptions};
    let Ok(options) = LockOptions::cargo_package_lock(home) else {
        return FileLock::unlocked();
    };
    let options = if exclusive {
        options.exclusive(true)
    } else {
        options.shared()
    };
    let started = std::time::Instant::now();
    let mut said = false;
    loop {
        match options.try_lock() {
            Ok(lock) => return lock,
            Err(tame_index::Error::Lock(e)) if matches!(e.source, LockError::Contested) => {}
            Err(_) => return FileLock::unlocked(),
        }
        if crate::interrupt::pending().is_some() {
            return FileLock::unlocked();
        }
        if !said && started.elapsed() >= std::time::Duration::from_secs(1) {
            said = true;
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "    Blocking waiting for file lock on package cache"
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// One read of cargo's local index cache that may span many cache files (the declarations of
/// every package a lockfile locks): cargo's package-cache lock is taken (shared) once, by the
/// first read of the cache that needs it, and held until the session is dropped, so every file
/// is read from one state of the cache, and a cargo that wants the lock exclusively waits for
/// the whole read rather than slipping in between two files. A session is for reading the
/// cache only, and is dropped before anything else happens: cargo running for the tool, or a
/// request to the registry whose answer is written back, takes the lock exclusively and would
/// wait on it for ever. Every sparse registry read in one session shares one cargo home (as
/// [`super::Registries`] does); a registry that reads no cache (a vendored directory) ignores it.
#[derive(Default)]
pub struct CacheSession {
    lock: std::cell::OnceCell<tame_index::flock::FileLock>,
}

impl std::fmt::Debug for CacheSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheSession")
            .field("held", &self.lock.get().is_some())
            .finish()
    }
}

impl CacheSession {
    /// Takes cargo's package-cache lock under `home` (shared) unless the session holds it.
    fn hold(&self, home: &Option<tame_index::PathBuf>) {
        self.lock.get_or_init(|| package_lock(home.clone(), false));
    }
}

/// The cargo version whose naming of the index's cache directory to read, found without
/// running cargo (cargo 1.85 changed the hash that names it): the naming whose directory
/// exists under `home`; when neither or both do, 1.85's offline, and otherwise `None`, so
/// tame-index asks `cargo -V` (only when the caller did not know the version either).
fn naming(url: &str, home: &std::path::Path, offline: bool) -> Option<tame_index::Version> {
    let home = tame_index::PathBuf::from_path_buf(home.to_owned()).ok()?;
    let exists = |stable: bool| {
        tame_index::utils::get_index_details(url, Some(home.clone()), stable)
            .is_ok_and(|(dir, _)| dir.is_dir())
    };
    let stable = tame_index::Version::new(1, 85, 0);
    match (exists(true), exists(false)) {
        (true, false) => Some(stable),
        (false, true) => Some(tame_index::Version::new(1, 84, 0)),
        _ if offline => Some(stable),
        _ => None,
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
                .map(|d| (&declared(d)).into())
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

/// One dependency of an index entry as its release declares it.
fn declared(d: &tame_index::krate::IndexDependency) -> Declared {
    Declared {
        name: d.crate_name().to_owned(),
        key: d.name.to_string(),
        req: d.version_requirement(),
        kind: match d.kind() {
            tame_index::krate::DependencyKind::Normal => Kind::Normal,
            tame_index::krate::DependencyKind::Build => Kind::Build,
            tame_index::krate::DependencyKind::Dev => Kind::Dev,
        },
        platform: d
            .target
            .as_deref()
            .map(|t| crate::manifest::document::platform_spelling(t)),
        optional: d.is_optional(),
        features: d.features.to_vec(),
        default_features: d.default_features,
    }
}

impl SparseRegistry {
    /// The declarations of release `version` of `name` in cargo's local index cache, reading
    /// only that release's line, under the package-cache lock `session` holds; never the
    /// network.
    fn cached_declared(
        &self,
        name: &str,
        version: &Version,
        session: &CacheSession,
    ) -> Result<Option<ReleaseFacts>, RegistryError> {
        let krate_name = tame_index::KrateName::crates_io(name).map_err(self.about(name))?;
        let path = self.index.cache().cache_path(krate_name);
        session.hold(&self.home);
        // One buffer for every file read: the cache files of large crates hold megabytes.
        let mut buffer = self.buffer.lock().unwrap_or_else(|e| e.into_inner());
        buffer.clear();
        match std::fs::File::open(&path) {
            Ok(mut file) => std::io::Read::read_to_end(&mut file, &mut buffer),
            // Most locked packages are not in the cache.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => Err(e),
        }
        .map_err(|e| tame_index::Error::IoPath(e, path.clone()))
        .map_err(self.about(name))?;
        let entry = tame_index::index::cache::ValidCacheEntry::read(&buffer)
            .map_err(tame_index::Error::from)
            .map_err(self.about(name))?;
        let Some(json) = release_line(entry.version_entries, version) else {
            return Ok(None);
        };
        let v: tame_index::krate::IndexVersion = serde_json::from_slice(json)
            .map_err(tame_index::Error::from)
            .map_err(self.about(name))?;
        Ok(Some(ReleaseFacts {
            deps: v.dependencies().iter().map(declared).collect(),
            features: v.features().map(|(k, v)| (k.clone(), v.clone())).collect(),
        }))
    }
}

/// The JSON of release `version` among a cache file's entries (a version and its JSON, each
/// ending in a NUL byte): found by its spelling, and only when none is spelled so, by its
/// meaning; nothing else is parsed.
fn release_line<'b>(entries: &'b [u8], version: &Version) -> Option<&'b [u8]> {
    let find = |matches: &dyn Fn(&[u8]) -> bool| {
        let mut parts = tame_index::utils::split(entries, 0);
        while let (Some(vers), Some(json)) = (parts.next(), parts.next()) {
            if matches(vers) {
                return Some(json);
            }
        }
        None
    };
    let wanted = version.to_string();
    find(&|vers| vers == wanted.as_bytes()).or_else(|| {
        find(&|vers| {
            std::str::from_utf8(vers)
                .ok()
                .and_then(|v| Version::parse(v).ok())
                .is_some_and(|v| v == *version)
        })
    })
}

impl Registry for SparseRegistry {
    fn releases(&self, name: &str) -> Result<Option<Releases>, RegistryError> {
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

    fn declared_during(
        &self,
        name: &str,
        version: &Version,
        session: &CacheSession,
    ) -> Result<Option<ReleaseFacts>, RegistryError> {
        self.cached_declared(name, version, session)
    }
}

#[cfg(test)]
mod tests {
    use semver::VersionReq;

    use super::*;

    /// Reading the index cache under `home`, offline.
    fn offline_at(home: &std::path::Path) -> Access {
        Access {
            home: Some(home.to_owned()),
            offline: true,
            cargo: None,
        }
    }

    #[test]
    fn sparse_registry_reads_cargos_local_cache_offline() {
        let home = tempfile::tempdir().expect("temp dir");
        let reg = SparseRegistry::crates_io(&offline_at(home.path())).expect("index");
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

        let fresh = SparseRegistry::crates_io(&offline_at(home.path())).expect("index");
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

    /// Writes `lines` (index JSON lines) to `reg`'s cache for `name`, as a response would.
    fn put(reg: &SparseRegistry, name: &str, lines: &[String]) {
        let mut response = tame_index::external::http::Response::new(lines.join("\n").into_bytes());
        response.headers_mut().insert(
            "etag",
            tame_index::external::http::HeaderValue::from_static("\"abc\""),
        );
        let lock = tame_index::flock::FileLock::unlocked();
        let krate = tame_index::KrateName::crates_io(name).expect("name");
        reg.index
            .parse_remote_response(krate, &response, true, &lock)
            .expect("parsed")
            .expect("present");
    }

    /// The index line of one prost release without dependencies.
    fn prost_line() -> String {
        format!(
            "{{\"name\":\"prost\",\"vers\":\"0.13.5\",\"deps\":[],\"cksum\":\"{}\",\"features\":{{}},\"yanked\":false}}",
            "0".repeat(64)
        )
    }

    /// While cargo holds its package-cache lock (downloading, rewriting the cache), the cache
    /// is not read; it is read once the lock is released. Cached releases are shared, not
    /// copied, by every later question.
    #[test]
    fn the_cache_is_read_under_cargos_package_cache_lock() {
        let home = tempfile::tempdir().expect("temp dir");
        let reg = SparseRegistry::crates_io(&offline_at(home.path())).expect("index");
        put(&reg, "prost", &[prost_line()]);
        let root = tame_index::PathBuf::from_path_buf(home.path().to_owned()).expect("utf-8");
        let held = tame_index::flock::LockOptions::cargo_package_lock(Some(root))
            .expect("lock path")
            .exclusive(false)
            .try_lock()
            .expect("cargo's lock, as cargo takes it");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(|| tx.send(reg.releases("prost")));
            let waiting = rx.recv_timeout(std::time::Duration::from_millis(300));
            assert!(waiting.is_err(), "read while cargo holds the lock");
            drop(held);
            let read = rx.recv().expect("the read ends").expect("cached");
            assert_eq!(read.as_deref().map(<[Release]>::len), Some(1));
        });
        let first = reg.releases("prost").expect("cached").expect("present");
        let again = reg.releases("prost").expect("cached").expect("present");
        assert!(std::sync::Arc::ptr_eq(&first, &again));
    }

    /// A registry in the default registry's place that, before each read of a batch, tries
    /// to take cargo's package-cache lock exclusively as cargo does, and notes whether it
    /// could (cargo slipping in between two reads of the batch).
    struct CargoBetweenReads {
        inner: SparseRegistry,
        home: tame_index::PathBuf,
        free: std::sync::Arc<Mutex<Vec<bool>>>,
    }

    impl Registry for CargoBetweenReads {
        fn releases(&self, name: &str) -> Result<Option<Releases>, RegistryError> {
            self.inner.releases(name)
        }

        fn describe(&self) -> String {
            self.inner.describe()
        }

        fn declared_during(
            &self,
            name: &str,
            version: &Version,
            session: &CacheSession,
        ) -> Result<Option<ReleaseFacts>, RegistryError> {
            self.free
                .lock()
                .expect("the notes")
                .push(cargo_can_take_the_lock(&self.home));
            self.inner.declared_during(name, version, session)
        }
    }

    fn cargo_can_take_the_lock(home: &tame_index::PathBuf) -> bool {
        tame_index::flock::LockOptions::cargo_package_lock(Some(home.clone()))
            .expect("lock path")
            .exclusive(false)
            .try_lock()
            .is_ok()
    }

    /// The lockfile mode's batch of declarations (packages of crates.io and of another sparse
    /// registry, under one cargo home) is read under one acquisition of cargo's package-cache
    /// lock: from the first cache read to the end of the batch cargo cannot take it, so every
    /// file comes from one state of the cache; it is free again once the batch is read.
    #[test]
    fn a_batch_of_declarations_is_read_under_one_hold_of_the_package_cache_lock() {
        let home = tempfile::tempdir().expect("temp dir");
        let root = tame_index::PathBuf::from_path_buf(home.path().to_owned()).expect("utf-8");
        let access = offline_at(home.path());
        let alt = "sparse+https://registry.example.com/index/";
        let other = SparseRegistry::new(alt, &access).expect("index");
        put(&other, "acme", &[prost_line().replace("prost", "acme")]);
        let crates_io = SparseRegistry::crates_io(&access).expect("index");
        let names = ["prost", "prost-types", "prost-derive", "prost-build"];
        for name in names {
            put(&crates_io, name, &[prost_line().replace("prost", name)]);
        }
        // The lock file exists once cargo has taken the lock.
        assert!(cargo_can_take_the_lock(&root));
        let free = std::sync::Arc::new(Mutex::new(Vec::new()));
        let registries = super::super::Registries {
            default: Box::new(CargoBetweenReads {
                inner: SparseRegistry::crates_io(&access).expect("index"),
                home: root.clone(),
                free: free.clone(),
            }),
            access,
            others: Mutex::new(std::collections::BTreeMap::new()),
        };
        let version = Version::new(0, 13, 5);
        let mut wanted = vec![(alt, "acme", &version)];
        wanted.extend(names.map(|n| (crate::graph::CRATES_IO, n, &version)));
        wanted.push((crate::graph::CRATES_IO, "tonic", &version));
        let read = registries.declared_all(wanted);
        let found: Vec<bool> = read
            .into_iter()
            .map(|r| r.expect("readable").is_some())
            .collect();
        assert_eq!(found, [true, true, true, true, true, false]);
        assert_eq!(
            *free.lock().expect("the notes"),
            [false; 5],
            "cargo could take its lock between two reads of one batch"
        );
        assert!(cargo_can_take_the_lock(&root), "the lock is released");
    }

    #[test]
    fn one_releases_declarations_come_from_the_cache_as_cargo_metadata_spells_them() {
        let home = tempfile::tempdir().expect("temp dir");
        let reg = SparseRegistry::crates_io(&offline_at(home.path())).expect("index");
        let socket2 = Version::new(0, 5, 8);
        assert_eq!(reg.declared("socket2", &socket2).expect("no cache"), None);
        let dep = |name: &str, req: &str, target: &str, extra: &str| {
            format!(
                "{{\"name\":\"{name}\",\"req\":\"{req}\",\"features\":[\"all\"],\"optional\":false,\"default_features\":false,\"target\":{target},\"kind\":\"normal\"{extra}}}"
            )
        };
        let line = |vers: &str, deps: &[String]| {
            format!(
                "{{\"name\":\"socket2\",\"vers\":\"{vers}\",\"deps\":[{}],\"cksum\":\"{}\",\"features\":{{\"all\":[\"libc/all\"]}},\"features2\":{{\"win\":[\"dep:sys\"]}},\"yanked\":false,\"v\":2}}",
                deps.join(","),
                "0".repeat(64)
            )
        };
        put(
            &reg,
            "socket2",
            &[
                line("0.4.10", &[dep("libc", "^0.2.149", "\"cfg(unix)\"", "")]),
                line(
                    "0.5.8",
                    &[
                        dep(
                            "libc",
                            "0.2.150",
                            "\"cfg(any(unix,target_os=\\\"wasi\\\"))\"",
                            "",
                        ),
                        dep(
                            "sys",
                            "^0.52",
                            "\"cfg(windows)\"",
                            ",\"package\":\"windows-sys\"",
                        ),
                    ],
                ),
            ],
        );
        let reg = SparseRegistry::crates_io(&offline_at(home.path())).expect("index");
        let facts = reg
            .declared("socket2", &socket2)
            .expect("cached")
            .expect("that release");
        // The feature table, `features2` (the `dep:` and `?/` values) included.
        assert_eq!(
            format!("{:?}", facts.features),
            r#"{"all": ["libc/all"], "win": ["dep:sys"]}"#
        );
        let declared = facts.deps;
        assert_eq!(declared.len(), 2);
        assert_eq!(declared[0].name, "libc");
        assert_eq!(declared[0].req.to_string(), "^0.2.150");
        assert_eq!(
            declared[0].platform.as_deref(),
            Some("cfg(any(unix, target_os = \"wasi\"))")
        );
        assert_eq!(declared[0].features, ["all"]);
        assert!(!declared[0].default_features);
        assert_eq!(
            (declared[1].name.as_str(), declared[1].key.as_str()),
            ("windows-sys", "sys")
        );
        assert_eq!(declared[1].kind, Kind::Normal);
        assert_eq!(declared[1].platform.as_deref(), Some("cfg(windows)"));
        assert_eq!(
            reg.declared("socket2", &Version::new(0, 3, 0))
                .expect("cached"),
            None
        );
    }

    #[test]
    fn the_cache_directory_is_found_without_running_cargo() {
        let home = tempfile::tempdir().expect("temp dir");
        let url = tame_index::CRATES_IO_HTTP_INDEX;
        assert_eq!(naming(url, home.path(), true), Some(Version::new(1, 85, 0)));
        assert_eq!(naming(url, home.path(), false), None);
        let home_path = tame_index::PathBuf::from_path_buf(home.path().to_owned()).expect("utf-8");
        let (old, _) =
            tame_index::utils::get_index_details(url, Some(home_path), false).expect("dir");
        std::fs::create_dir_all(&old).expect("mkdir");
        assert_eq!(
            naming(url, home.path(), false),
            Some(Version::new(1, 84, 0))
        );
    }

    /// The cargo version the caller knows names the cache directory, whatever other
    /// directories are there: an entry an older cargo cached is not read for a newer one.
    #[test]
    fn the_known_cargo_version_names_the_cache_directory() {
        let home = tempfile::tempdir().expect("temp dir");
        let with = |cargo: Option<Version>| Access {
            cargo,
            ..offline_at(home.path())
        };
        let old = SparseRegistry::crates_io(&with(Some(Version::new(1, 84, 0)))).expect("index");
        put(&old, "prost", &[prost_line()]);
        let found = SparseRegistry::crates_io(&with(None)).expect("index");
        assert!(found.releases("prost").expect("cached").is_some());
        let new = SparseRegistry::crates_io(&with(Some(Version::new(1, 95, 0)))).expect("index");
        let err = new.releases("prost").expect_err("not in 1.85's directory");
        assert!(err.message.contains("--offline"), "{}", err.message);
    }

    #[test]
    fn git_indices_are_refused_with_a_reason() {
        let err = SparseRegistry::new(
            "https://github.com/rust-lang/crates.io-index",
            &Access::default(),
        )
        .expect_err("git index");
        assert!(err.one_line().contains("sparse"), "{err}");
    }
}
