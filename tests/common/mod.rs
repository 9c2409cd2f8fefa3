//! Helpers for the end-to-end tests: fixture copies, an isolated cargo home, running the
//! binary.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

/// A fixture workspace copied to a temporary directory, beside a link to the shared vendor
/// directory (fixtures name it `../../vendor`), with an empty cargo home.
pub struct Fixture {
    pub tmp: tempfile::TempDir,
    pub root: PathBuf,
    pub cargo_home: PathBuf,
}

impl Fixture {
    pub fn new(name: &str) -> Fixture {
        Fixture::copy(&Path::new("workspaces").join(name))
    }

    /// The fleet of fixture workspaces (`testdata/fleet`) copied to a temporary directory;
    /// `root` is the fleet directory.
    pub fn fleet() -> Fixture {
        Fixture::copy(Path::new("fleet"))
    }

    /// `testdata/<rel>` copied to the same place under a temporary directory.
    fn copy(rel: &Path) -> Fixture {
        let tmp = tempfile::tempdir().expect("temp dir");
        let root = tmp.path().join(rel);
        copy_dir(&testdata().join(rel), &root);
        std::os::unix::fs::symlink(testdata().join("vendor"), tmp.path().join("vendor"))
            .expect("link vendor");
        let cargo_home = tmp.path().join("cargo-home");
        std::fs::create_dir_all(&cargo_home).expect("cargo home");
        Fixture {
            tmp,
            root,
            cargo_home,
        }
    }

    /// Runs the tool in the fixture's root with `args`.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(&self.root, args, None)
    }

    pub fn run_in(&self, dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
        run_tool(dir, &self.cargo_home, args, stdin)
    }
}

pub fn run_tool(dir: &Path, cargo_home: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    run_tool_full(dir, cargo_home, args, stdin, &[])
}

/// `run_tool` with extra environment variables.
pub fn run_tool_with_env(
    dir: &Path,
    cargo_home: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> Run {
    run_tool_full(dir, cargo_home, args, None, env)
}

fn run_tool_full(
    dir: &Path,
    cargo_home: &Path,
    args: &[&str],
    stdin: Option<&str>,
    env: &[(&str, &str)],
) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-etcd-deps"));
    cmd.args(args)
        .current_dir(dir)
        .env("CARGO_HOME", cargo_home)
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("NO_COLOR")
        .env_remove("RUSTFLAGS")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .envs(env.iter().copied());
    let mut child = cmd.spawn().expect("spawn the tool");
    if let Some(input) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    Run(child.wait_with_output().expect("wait for the tool"))
}

pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().expect("exit code")
    }
    pub fn stdout(&self) -> String {
        String::from_utf8(self.0.stdout.clone()).expect("utf-8 stdout")
    }
    pub fn stderr(&self) -> String {
        String::from_utf8(self.0.stderr.clone()).expect("utf-8 stderr")
    }
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout()).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout(),
                self.stderr()
            )
        })
    }
    /// Asserts the exit code, showing both streams when it differs.
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code(),
            code,
            "unexpected exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// The finding with this code and crate (and member, when given).
pub fn finding<'a>(report: &'a Value, code: &str, krate: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == code && f["crate"] == krate)
        .unwrap_or_else(|| panic!("no {code} finding for {krate} in {report:#}"))
}

/// `(code, crate, level)` of every finding, in report order.
pub fn codes(report: &Value) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().expect("code").to_owned(),
                f["crate"].as_str().expect("crate").to_owned(),
                f["level"].as_str().expect("level").to_owned(),
            )
        })
        .collect()
}

/// The version entry of a finding.
pub fn version<'a>(finding: &'a Value, version: &str) -> &'a Value {
    finding["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .find(|v| v["version"] == version)
        .unwrap_or_else(|| panic!("no version {version} in {finding:#}"))
}

/// `(member, key, manifest, table, line)` of each origin of a version.
pub fn origins(version: &Value) -> Vec<(String, String, String, String, u64)> {
    version["origins"]
        .as_array()
        .expect("origins")
        .iter()
        .map(|o| {
            (
                o["member"].as_str().expect("member").to_owned(),
                o["key"].as_str().expect("key").to_owned(),
                o["manifest"].as_str().expect("manifest").to_owned(),
                o["table"].as_str().expect("table").to_owned(),
                o["line"].as_u64().expect("line"),
            )
        })
        .collect()
}

/// Each path of a version as `a@1 > b@2 > …`.
pub fn paths(version: &Value) -> Vec<String> {
    version["paths"]
        .as_array()
        .expect("paths")
        .iter()
        .map(|p| {
            p.as_array()
                .expect("path")
                .iter()
                .map(|s| s.as_str().expect("step"))
                .collect::<Vec<_>>()
                .join(" > ")
        })
        .collect()
}

pub fn o(
    member: &str,
    key: &str,
    manifest: &str,
    table: &str,
    line: u64,
) -> (String, String, String, String, u64) {
    (
        member.to_owned(),
        key.to_owned(),
        manifest.to_owned(),
        table.to_owned(),
        line,
    )
}

/// Every fixture workspace with something to resolve (all but `features`, whose findings
/// depend on the feature flags).
pub const FIXTURES: &[&str] = &[
    "clean",
    "two-lines",
    "type-boundary",
    "renamed",
    "workspace-inherit",
    "target-specific",
    "dev-only",
    "source-split",
    "train-skew",
    "deep-chain",
    "dev-cycle",
    "no-release",
    "lockfile-split",
    "transitive",
];

/// `cargo metadata` JSON of a fixture, as cargo itself prints it.
pub fn saved_metadata(fixture: &Fixture) -> String {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline"])
        .current_dir(&fixture.root)
        .env("CARGO_HOME", &fixture.cargo_home)
        .output()
        .expect("cargo metadata");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).expect("utf-8")
}

/// A stand-in for cargo at `dir/name`: runs the shell `prelude`, then the real cargo.
pub fn cargo_wrapper(dir: &Path, name: &str, prelude: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let script = dir.join(name);
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\n{prelude}\nexec '{cargo}' \"$@\"\n",
            cargo = env!("CARGO")
        ),
    )
    .expect("script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    script
}

/// Runs git in `dir` with a fixed identity; panics when it fails.
pub fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// `check` through cargo (`--cargo-metadata`) with `--all-features`, in JSON: what the
/// lockfile mode sees, as cargo resolves it.
pub const CARGO_ALL_FEATURES_JSON: &[&str] = &[
    "check",
    "--offline",
    "--cargo-metadata",
    "--all-features",
    "--format",
    "json",
];

/// How two runs of `check --format json` differ in exit code or in their `comparable`
/// findings, if they do; `names` label the two in the message.
pub fn findings_differ((x_name, x): (&str, &Run), (y_name, y): (&str, &Run)) -> Option<String> {
    let (a, b) = (comparable(&x.json()), comparable(&y.json()));
    (a != b || x.code() != y.code()).then(|| {
        format!(
            "exit {} vs {}\n{x_name}: {}\n{y_name}: {}",
            x.code(),
            y.code(),
            serde_json::to_string_pretty(&a).unwrap_or_default(),
            serde_json::to_string_pretty(&b).unwrap_or_default()
        )
    })
}

/// What both modes tell alike when the registry's facts are on this machine (as with every
/// fixture, which resolves against testdata/vendor): every field of the findings but their
/// locations and wording, the dependents' requirements, kinds and platforms included.
pub fn comparable(report: &Value) -> Vec<Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let versions: Vec<Value> = f["versions"]
                .as_array()
                .expect("versions")
                .iter()
                .map(|v| {
                    serde_json::json!({
                        "name": v["name"], "version": v["version"], "source": v["source"],
                        "origins": v["origins"], "paths": v["paths"],
                        "workspace_hack": v["workspace_hack"],
                        "only_workspace_hack": v["only_workspace_hack"],
                        "dependents": v["dependents"],
                    })
                })
                .collect();
            serde_json::json!({
                "code": f["code"], "crate": f["crate"], "level": f["level"],
                "caused_by": f["caused_by"], "member": f["member"], "crates": f["crates"],
                "workspace_hack": f["workspace_hack"], "help": f["help"],
                "dev_only": f["dev_only"], "platforms": f["platforms"], "versions": versions,
                "message": f["message"], "collateral": f["collateral"], "lines": f["lines"],
            })
        })
        .collect()
}

/// The `artifactLocation.uri` of each result of a SARIF document, in order.
pub fn sarif_uris(doc: &Value) -> Vec<&str> {
    doc["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("uri")
        })
        .collect()
}

/// Caches crates.io's sparse-index entries in `cargo_home` (where cargo 1.85 and later keep
/// them), as a response from the registry is cached, for every registry package the
/// Cargo.lock at `lock` locks but those named in `except`: the locked release's declarations
/// as the stub registry (testdata/vendor) has them, in the index's JSON. Leaves cargo's
/// package-cache lock file there, as cargo does.
pub fn index_cache(cargo_home: &Path, lock: &Path, except: &[&str]) {
    use cargo_etcd_deps::registry::{DirectorySource, Registry};
    let stubs = DirectorySource::new(testdata().join("vendor"));
    let home = tame_index::PathBuf::from_path_buf(cargo_home.to_owned()).expect("utf-8 home");
    let mut location = tame_index::index::IndexLocation::new(tame_index::IndexUrl::CratesIoSparse)
        .with_root(Some(home.clone()));
    location.cargo_version = Some(tame_index::Version::new(1, 85, 0));
    let index = tame_index::index::SparseIndex::new(location).expect("cache location");
    let text = std::fs::read_to_string(lock).expect("Cargo.lock");
    let locked: toml::Table = toml::from_str(&text).expect("Cargo.lock is TOML");
    let packages = locked["package"].as_array().expect("packages");
    // Each crate's entry holds all its locked releases, one JSON line each.
    let mut entries: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for p in packages {
        let field = |k: &str| p.get(k).and_then(toml::Value::as_str).unwrap_or_default();
        if !field("source").starts_with("registry+") || except.contains(&field("name")) {
            continue;
        }
        let (name, version) = (field("name"), field("version"));
        let facts = stubs
            .declared(name, &version.parse().expect("version"))
            .expect("the stub registry")
            .expect("a stub of every locked release");
        let deps: Vec<Value> = facts
            .deps
            .iter()
            .map(|d| {
                let mut dep = serde_json::json!({
                    "name": d.key, "req": d.req.to_string(), "features": d.features,
                    "optional": d.optional, "default_features": d.default_features,
                    "target": d.platform, "kind": d.kind,
                });
                if d.key != d.name {
                    dep["package"] = d.name.clone().into();
                }
                dep
            })
            .collect();
        // As crates.io publishes them: features using `dep:` or `?/` in `features2`.
        let (features2, features): (Vec<_>, Vec<_>) = facts
            .features
            .iter()
            .partition(|(_, v)| v.iter().any(|f| f.starts_with("dep:") || f.contains("?/")));
        let table = |f: Vec<(&String, &Vec<String>)>| -> Value {
            f.into_iter()
                .map(|(k, v)| (k.clone(), Value::from(v.clone())))
                .collect()
        };
        let rest = serde_json::json!({
            "deps": deps, "features": table(features), "features2": table(features2), "v": 2,
            "cksum": "0".repeat(64), "yanked": false,
        });
        // `name` and `vers` lead, as in the registry's lines (the cache is keyed on them).
        let line = format!(
            "{{\"name\":{},\"vers\":{},{}",
            Value::from(name),
            Value::from(version),
            &rest.to_string()[1..]
        );
        entries.entry(name).or_default().push(line);
    }
    for (name, lines) in entries {
        let mut response = tame_index::external::http::Response::new(lines.join("\n").into_bytes());
        response.headers_mut().insert(
            "etag",
            tame_index::external::http::HeaderValue::from_static("\"stub\""),
        );
        let krate = tame_index::KrateName::crates_io(name).expect("crate name");
        index
            .parse_remote_response(
                krate,
                &response,
                true,
                &tame_index::flock::FileLock::unlocked(),
            )
            .expect("cached")
            .expect("an entry");
    }
    drop(package_cache_lock(cargo_home));
}

/// cargo's package-cache lock in `cargo_home`, taken exclusively as cargo takes it to update
/// the index cache (the lock file is made when missing).
pub fn package_cache_lock(cargo_home: &Path) -> tame_index::flock::FileLock {
    let home = tame_index::PathBuf::from_path_buf(cargo_home.to_owned()).expect("utf-8 home");
    tame_index::flock::LockOptions::cargo_package_lock(Some(home))
        .expect("lock path")
        .exclusive(false)
        .try_lock()
        .expect("the lock is free")
}
