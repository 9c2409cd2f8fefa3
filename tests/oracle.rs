//! Cargo is the oracle of the lockfile mode. Each case is a workspace layout generated from a
//! seed (members by list and glob, `exclude` with members written under it, `default-members`,
//! a root package, members outside the root, path dependencies inside and outside, nested
//! workspaces, leftover member lockfiles, renamed, inherited, target-specific, optional, build
//! and dev dependencies, `[patch]`), resolved by real cargo against the stub registry, then
//! perhaps edited after locking in one of several ways. The lockfile mode must then agree with
//! cargo: on whether the lockfile is fresh (`cargo metadata --locked --offline` accepts it),
//! on the members, on every edge out of every package a member reaches (kind, platform
//! condition, requirement: registry crates' too, read from the stub registry), and on the
//! findings of both modes field by field, for the host and with `--target` (one target per
//! case, in turn, so that each registry condition both holds and fails on some cases).
//!
//! `ETCD_DEPS_ORACLE_CASES` sets how many seeds run (the bench harness runs more) and
//! `ETCD_DEPS_ORACLE_SEED` the first; a failure names its seed, and every disagreement found
//! stays in `REGRESSIONS`.

// The counts of each verdict, and where a failing case was kept, are for the person running it.
#![allow(clippy::print_stderr)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use cargo_etcd_deps::graph::DepGraph;

/// Seeds that once found a disagreement, run on every test run.
const REGRESSIONS: &[u64] = &[
    2, 4, 21, 43, 49, 63, 130, 157, 174, 187, 1016, 1022, 1114, 1118, 1144, 1182, 1356,
];

/// How many generated cases run by default.
const DEFAULT_CASES: u64 = 240;

/// splitmix64: small, fast and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Registry crates of the stub registry and the lines a case may ask for.
const MENU: &[(&str, &[&str])] = &[
    ("etcd-client", &["0.11", "0.12", "0.14", "0.16", "0.17"]),
    ("tonic", &["0.9", "0.10", "0.12", "0.13", "0.14"]),
    ("prost", &["0.11", "0.12", "0.13", "0.14"]),
    ("tower", &["0.4", "0.5"]),
    ("http", &["0.2", "1"]),
    ("socket2", &["0.4", "0.5"]),
];

#[derive(Clone, Debug, PartialEq)]
enum Kind {
    Normal,
    Dev,
    Build,
}

/// One declared dependency.
#[derive(Clone, Debug)]
struct Dep {
    package: String,
    /// A registry requirement, or a path relative to the declaring manifest's directory.
    req: Option<String>,
    path: Option<String>,
    kind: Kind,
    platform: Option<&'static str>,
    optional: bool,
    rename: Option<String>,
    /// Written as `key.workspace = true`, with the requirement in `[workspace.dependencies]`.
    inherited: bool,
    /// `default-features = false`, and `features = […]`.
    no_default_features: bool,
    features: Vec<String>,
}

/// One package on disk, by its directory relative to the case's temporary directory.
#[derive(Clone, Debug)]
struct Pkg {
    dir: String,
    name: String,
    version: String,
    deps: Vec<Dep>,
    /// `package.workspace`, for a member outside the root.
    workspace: Option<String>,
    /// `[workspace]` of its own (a nested workspace).
    own_workspace: bool,
    /// `[features]`: names and values (`dep:x`, `x/feat`, `x?/feat`, other features).
    features: Vec<(String, Vec<String>)>,
}

/// A whole case: the workspace at `ws/`, with whatever lies beside it.
#[derive(Clone, Debug)]
struct Spec {
    root_package: Option<Pkg>,
    members: Vec<String>,
    exclude: Vec<String>,
    default_members: Vec<String>,
    ws_deps: Vec<(String, String)>,
    patch: Option<(String, String)>,
    packages: Vec<Pkg>,
    /// Where the tool and cargo run, relative to the case's directory.
    run_from: String,
    /// A leftover Cargo.lock inside this member directory.
    leftover_lock: Option<String>,
    notes: Vec<String>,
}

fn dep(rng: &mut Rng, allow_inherit: bool) -> Dep {
    let (package, lines) = rng.pick(MENU);
    let kind = match rng.below(10) {
        0 | 1 => Kind::Dev,
        2 => Kind::Build,
        _ => Kind::Normal,
    };
    let platform = match rng.below(10) {
        0 => Some("cfg(unix)"),
        1 => Some("cfg(windows)"),
        _ => None,
    };
    let inherited = allow_inherit && rng.chance(20);
    // tonic's optional transport stack hangs on its default `transport` feature. Drawn from
    // a side stream, so the layouts of older seeds (and `REGRESSIONS`) stay as they were.
    let mut side = Rng(rng.0.rotate_left(17) ^ 0x5EED);
    let no_default_features = !inherited && side.chance(30);
    let features = match (*package, side.below(3)) {
        ("tonic", 0) => vec!["transport".to_owned()],
        ("tonic", 1) => vec!["codegen".to_owned()],
        _ => Vec::new(),
    };
    Dep {
        no_default_features,
        features,
        package: (*package).to_owned(),
        req: Some((*rng.pick(lines)).to_owned()),
        path: None,
        optional: kind == Kind::Normal && !inherited && rng.chance(10),
        rename: (!inherited && rng.chance(10)).then(|| format!("{}-renamed", package)),
        kind,
        platform,
        inherited,
    }
}

fn path_dep(package: &str, path: &str) -> Dep {
    Dep {
        package: package.to_owned(),
        req: None,
        path: Some(path.to_owned()),
        kind: Kind::Normal,
        platform: None,
        optional: false,
        rename: None,
        inherited: false,
        no_default_features: false,
        features: Vec::new(),
    }
}

fn deps(rng: &mut Rng, allow_inherit: bool) -> Vec<Dep> {
    let mut out: Vec<Dep> = Vec::new();
    for _ in 0..rng.below(4) {
        let d = dep(rng, allow_inherit);
        // One key per table: cargo refuses a key declared twice.
        let key = |d: &Dep| (d.rename.clone().unwrap_or(d.package.clone()), d.platform);
        if !out.iter().any(|o| key(o) == key(&d) && o.kind == d.kind) {
            out.push(d);
        }
    }
    out
}

fn pkg(dir: &str, name: &str, deps: Vec<Dep>) -> Pkg {
    Pkg {
        dir: dir.to_owned(),
        name: name.to_owned(),
        version: "0.1.0".to_owned(),
        deps,
        workspace: None,
        own_workspace: false,
        features: Vec::new(),
    }
}

/// The layout a seed stands for.
fn generate(seed: u64) -> Spec {
    let mut rng = Rng(seed);
    let inherit = rng.chance(40);
    let glob = rng.chance(50);
    let count = 1 + rng.below(4);
    let mut spec = Spec {
        root_package: None,
        members: Vec::new(),
        exclude: Vec::new(),
        default_members: Vec::new(),
        ws_deps: Vec::new(),
        patch: None,
        packages: Vec::new(),
        run_from: "ws".to_owned(),
        leftover_lock: None,
        notes: Vec::new(),
    };
    if glob {
        spec.members.push("crates/*".to_owned());
    }
    for i in 0..count {
        let dir = format!("ws/crates/m{i}");
        if !glob {
            spec.members.push(format!("crates/m{i}"));
        }
        spec.packages
            .push(pkg(&dir, &format!("m{i}"), deps(&mut rng, inherit)));
    }
    if rng.chance(30) {
        spec.root_package = Some(pkg("ws", "root", deps(&mut rng, inherit)));
        spec.notes.push("root package".to_owned());
    }
    layout_axes(&mut rng, &mut spec);
    if inherit {
        inherit_requirements(&mut spec);
    }
    for p in spec.packages.iter_mut().chain(spec.root_package.as_mut()) {
        feature_axes(&mut rng, p);
    }
    spec
}

/// A `[features]` table for a package's optional dependencies: each one turned on by a
/// feature (`dep:x`, `x/transport` or `x?/transport` on tonic), by the implicit feature
/// only, or by nothing; some of those features in `default`.
fn feature_axes(rng: &mut Rng, p: &mut Pkg) {
    let mut default = Vec::new();
    for d in p.deps.iter().filter(|d| d.optional) {
        let key = d.rename.clone().unwrap_or(d.package.clone());
        let value = match (d.package.as_str(), rng.below(4)) {
            (_, 0) => continue,
            ("tonic", 1) => format!("{key}/transport"),
            ("tonic", 2) => format!("{key}?/transport"),
            (_, 3) if rng.chance(50) => {
                // The implicit feature, turned on by default.
                default.push(key.clone());
                continue;
            }
            _ => format!("dep:{key}"),
        };
        let name = format!("with-{key}");
        // A weak value turns its dependency on in cargo's resolve: always tried by default.
        if value.contains("?/") || rng.chance(50) {
            default.push(name.clone());
        }
        p.features.push((name, vec![value]));
    }
    if !default.is_empty() {
        p.features.push(("default".to_owned(), default));
    }
}

/// The features of `p` without values naming a dependency that is no longer optional (or
/// no longer there), as a mutation may leave them: cargo would refuse the manifest.
fn prune_features(p: &mut Pkg) {
    let optional: Vec<String> = p
        .deps
        .iter()
        .filter(|d| d.optional)
        .map(|d| d.rename.clone().unwrap_or(d.package.clone()))
        .collect();
    let names: Vec<String> = p.features.iter().map(|(n, _)| n.clone()).collect();
    let valid = |v: &String| {
        let dep = v
            .strip_prefix("dep:")
            .or_else(|| v.split_once('/').map(|(d, _)| d.trim_end_matches('?')));
        match dep {
            Some(dep) => optional.iter().any(|o| o == dep),
            None => names.contains(v) || optional.contains(v),
        }
    };
    for (_, values) in &mut p.features {
        values.retain(|v| valid(v));
    }
}

/// The optional parts of a layout, each on its own chance.
fn layout_axes(rng: &mut Rng, spec: &mut Spec) {
    if rng.chance(25) {
        // A directory under `exclude`, sometimes with a member written out under it.
        spec.exclude.push("crates/old".to_owned());
        spec.packages
            .push(pkg("ws/crates/old", "old", deps(rng, false)));
        if rng.chance(50) {
            spec.members.push("crates/old".to_owned());
            spec.notes.push("explicit member under exclude".to_owned());
        } else {
            spec.notes.push("excluded directory".to_owned());
        }
    }
    if rng.chance(15) {
        let mut shared = pkg("shared/s0", "s0", deps(rng, false));
        shared.workspace = Some("../../ws".to_owned());
        spec.packages.push(shared);
        spec.members.push("../shared/s0".to_owned());
        spec.notes.push("member outside the root".to_owned());
    }
    if rng.chance(25) {
        spec.packages
            .push(pkg("ws/libs/l0", "l0", deps(rng, false)));
        spec.packages[0].deps.push(path_dep("l0", "../../libs/l0"));
        spec.notes
            .push("path dependency inside the root".to_owned());
    }
    if rng.chance(20) {
        let mut ext = deps(rng, false);
        if rng.chance(50) {
            ext.push(Dep {
                kind: Kind::Dev,
                ..dep(rng, false)
            });
        }
        spec.packages.push(pkg("ext/e0", "e0", ext));
        let last = spec.packages.iter().position(|p| p.dir == "ws/crates/m0");
        if let Some(m0) = last {
            spec.packages[m0]
                .deps
                .push(path_dep("e0", "../../../ext/e0"));
        }
        spec.notes
            .push("path dependency outside the root".to_owned());
    }
    if rng.chance(15) {
        let mut inner = pkg("ws/nested/inner", "inner", deps(rng, false));
        inner.own_workspace = true;
        spec.packages.push(inner);
        if rng.chance(60) {
            spec.exclude.push("nested".to_owned());
        }
        if rng.chance(50) {
            spec.packages[0]
                .deps
                .push(path_dep("inner", "../../nested/inner"));
        }
        spec.notes.push("nested workspace".to_owned());
    }
    if rng.chance(20) {
        spec.default_members.push("crates/m0".to_owned());
        spec.notes.push("default-members".to_owned());
    }
    if rng.chance(15) {
        spec.patch = Some(("socket2".to_owned(), "patches/socket2".to_owned()));
        spec.packages
            .push(pkg("ws/patches/socket2", "socket2", Vec::new()));
        let last = spec.packages.len() - 1;
        spec.packages[last].version = "0.5.8".to_owned();
        spec.notes.push("[patch] path".to_owned());
    }
    if rng.chance(20) {
        spec.run_from = "ws/crates/m0".to_owned();
        if rng.chance(60) {
            spec.leftover_lock = Some("ws/crates/m0".to_owned());
            spec.notes.push("leftover member lockfile".to_owned());
        }
        spec.notes.push("run from a member".to_owned());
    }
}

/// Moves the requirements of inherited keys into `[workspace.dependencies]` (the first
/// requirement seen for a key wins, and every inheriting key takes it).
fn inherit_requirements(spec: &mut Spec) {
    let mut table: Vec<(String, String)> = Vec::new();
    let all = spec
        .packages
        .iter_mut()
        .chain(spec.root_package.as_mut())
        .flat_map(|p| p.deps.iter_mut());
    for d in all.filter(|d| d.inherited) {
        match table.iter().find(|(k, _)| *k == d.package) {
            Some((_, req)) => d.req = Some(req.clone()),
            None => table.push((d.package.clone(), d.req.clone().unwrap_or_default())),
        }
    }
    if !table.is_empty() {
        spec.notes.push("inherited requirements".to_owned());
    }
    spec.ws_deps = table;
}

fn quote_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|m| format!("\"{m}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

fn render_deps(deps: &[Dep]) -> String {
    let mut out = String::new();
    let tables = [
        (Kind::Normal, "dependencies"),
        (Kind::Dev, "dev-dependencies"),
        (Kind::Build, "build-dependencies"),
    ];
    for platform in [None, Some("cfg(unix)"), Some("cfg(windows)")] {
        for (kind, table) in &tables {
            let here: Vec<&Dep> = deps
                .iter()
                .filter(|d| d.kind == *kind && d.platform == platform)
                .collect();
            if here.is_empty() {
                continue;
            }
            match platform {
                Some(p) => out.push_str(&format!("\n[target.'{p}'.{table}]\n")),
                None => out.push_str(&format!("\n[{table}]\n")),
            }
            for d in here {
                out.push_str(&render_dep(d));
            }
        }
    }
    out
}

fn render_dep(d: &Dep) -> String {
    let key = d.rename.as_deref().unwrap_or(&d.package);
    if d.inherited {
        return format!("{key} = {{ workspace = true }}\n");
    }
    let mut fields = Vec::new();
    if d.rename.is_some() {
        fields.push(format!("package = \"{}\"", d.package));
    }
    if let Some(req) = &d.req {
        fields.push(format!("version = \"{req}\""));
    }
    if let Some(path) = &d.path {
        fields.push(format!("path = \"{path}\""));
    }
    if d.optional {
        fields.push("optional = true".to_owned());
    }
    if d.no_default_features {
        fields.push("default-features = false".to_owned());
    }
    if !d.features.is_empty() {
        fields.push(format!("features = {}", quote_list(&d.features)));
    }
    format!("{key} = {{ {} }}\n", fields.join(", "))
}

fn render_package(p: &Pkg) -> String {
    let mut out = format!(
        "[package]\nname = \"{}\"\nversion = \"{}\"\nedition = \"2021\"\n",
        p.name, p.version
    );
    if let Some(ws) = &p.workspace {
        out.push_str(&format!("workspace = \"{ws}\"\n"));
    }
    if p.own_workspace {
        out.push_str("\n[workspace]\n");
    }
    out.push_str(&render_deps(&p.deps));
    if !p.features.is_empty() {
        out.push_str("\n[features]\n");
        for (name, values) in &p.features {
            out.push_str(&format!("{name} = {}\n", quote_list(values)));
        }
    }
    out
}

fn render_root(spec: &Spec) -> String {
    let mut out = String::new();
    if let Some(root) = &spec.root_package {
        out.push_str(&render_package(root));
    }
    out.push_str(&format!(
        "\n[workspace]\nresolver = \"2\"\nmembers = {}\n",
        quote_list(&spec.members)
    ));
    if !spec.exclude.is_empty() {
        out.push_str(&format!("exclude = {}\n", quote_list(&spec.exclude)));
    }
    if !spec.default_members.is_empty() {
        out.push_str(&format!(
            "default-members = {}\n",
            quote_list(&spec.default_members)
        ));
    }
    if !spec.ws_deps.is_empty() {
        out.push_str("\n[workspace.dependencies]\n");
        for (k, req) in &spec.ws_deps {
            out.push_str(&format!("{k} = \"{req}\"\n"));
        }
    }
    if let Some((name, path)) = &spec.patch {
        out.push_str(&format!(
            "\n[patch.crates-io]\n{name} = {{ path = \"{path}\" }}\n"
        ));
    }
    out
}

/// Writes the case's manifests under `dir` (sources too: cargo needs a target per package).
fn write(spec: &Spec, dir: &Path) {
    let put = |rel: &str, text: &str| {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write");
    };
    put("ws/Cargo.toml", &render_root(spec));
    if spec.root_package.is_some() {
        put("ws/src/lib.rs", "");
    }
    for p in &spec.packages {
        put(&format!("{}/Cargo.toml", p.dir), &render_package(p));
        put(&format!("{}/src/lib.rs", p.dir), "");
    }
    let vendor = common::testdata().join("vendor");
    put(
        "ws/.cargo/config.toml",
        &format!(
            "[source.crates-io]\nreplace-with = \"vendored\"\n\n[source.vendored]\ndirectory = \"{}\"\n",
            vendor.display()
        ),
    );
}

/// The ways a case changes after its lockfile is written.
#[derive(Clone, Copy, Debug)]
enum Mutation {
    OtherLine,
    SameLine,
    AddDep,
    RemoveDep,
    AddMember,
    RemoveMember,
    Rename,
    KindChange,
    TogglePatch,
    BumpVersion,
    Optional,
}

const MUTATIONS: &[Mutation] = &[
    Mutation::OtherLine,
    Mutation::SameLine,
    Mutation::AddDep,
    Mutation::RemoveDep,
    Mutation::AddMember,
    Mutation::RemoveMember,
    Mutation::Rename,
    Mutation::KindChange,
    Mutation::TogglePatch,
    Mutation::BumpVersion,
    Mutation::Optional,
];

/// The spec after `mutation`, applied to the first package it fits (members first).
fn mutate(spec: &Spec, mutation: Mutation, rng: &mut Rng) -> Spec {
    let mut out = spec.clone();
    let has_m1 = out.packages.len() > 1 && out.packages[1].dir == "ws/crates/m1";
    let m0 = &mut out.packages[0];
    let registry = m0.deps.iter().position(|d| d.req.is_some() && !d.inherited);
    match (mutation, registry) {
        (Mutation::OtherLine, Some(i)) => {
            let lines = MENU
                .iter()
                .find(|(n, _)| *n == m0.deps[i].package)
                .map(|(_, l)| *l)
                .unwrap_or(&[]);
            let current = m0.deps[i].req.clone();
            let other: Vec<&&str> = lines
                .iter()
                .filter(|l| Some((**l).to_owned()) != current)
                .collect();
            m0.deps[i].req = Some((**rng.pick(&other)).to_owned());
        }
        (Mutation::SameLine, Some(i)) => {
            let req = m0.deps[i].req.clone().unwrap_or_default();
            m0.deps[i].req = Some(format!("^{req}"));
        }
        (Mutation::AddDep, _) => {
            let d = dep(rng, false);
            if !m0
                .deps
                .iter()
                .any(|o| o.rename.as_ref().unwrap_or(&o.package) == &d.package)
            {
                m0.deps.push(Dep { rename: None, ..d });
            }
        }
        (Mutation::RemoveDep, _) if !m0.deps.is_empty() => {
            let i = rng.below(m0.deps.len());
            m0.deps.remove(i);
        }
        (Mutation::AddMember, _) => {
            out.packages
                .push(pkg("ws/crates/added", "added", vec![dep(rng, false)]));
            if !out.members.iter().any(|m| m == "crates/*") {
                out.members.push("crates/added".to_owned());
            }
        }
        (Mutation::RemoveMember, _) if has_m1 => {
            out.packages.remove(1);
            out.members.retain(|m| m != "crates/m1");
        }
        (Mutation::Rename, Some(i)) => {
            m0.deps[i].rename = Some("renamed-key".to_owned());
        }
        (Mutation::KindChange, Some(i)) => {
            m0.deps[i].kind = if m0.deps[i].kind == Kind::Dev {
                Kind::Normal
            } else {
                Kind::Dev
            };
            m0.deps[i].optional = false;
        }
        (Mutation::TogglePatch, _) => match out.patch.take() {
            Some(_) => {}
            None => {
                out.patch = Some(("socket2".to_owned(), "patches/socket2".to_owned()));
                let mut patch = pkg("ws/patches/socket2", "socket2", Vec::new());
                patch.version = "0.5.8".to_owned();
                out.packages.push(patch);
            }
        },
        (Mutation::BumpVersion, _) => m0.version = "0.2.0".to_owned(),
        (Mutation::Optional, Some(i)) if m0.deps[i].kind == Kind::Normal => {
            m0.deps[i].optional = !m0.deps[i].optional;
        }
        _ => {}
    }
    for p in out.packages.iter_mut().chain(out.root_package.as_mut()) {
        prune_features(p);
    }
    out
}

/// What cargo says of the lockfile as the manifests stand.
#[derive(Debug, PartialEq)]
enum Verdict {
    Fresh,
    Stale,
    Refused,
}

fn cargo(dir: &Path, home: &Path, args: &[&str]) -> std::process::Output {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(args)
        .current_dir(dir)
        .env("CARGO_HOME", home)
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo")
}

/// One case, end to end; returns a disagreement, if any, and the notes of what ran.
fn run_case(seed: u64) -> Result<String, String> {
    let tmp = tempfile::tempdir().expect("temp dir");
    let home = tmp.path().join("home");
    let spec = generate(seed);
    write(&spec, tmp.path());
    let ws = tmp.path().join("ws");
    let locked = cargo(&ws, &home, &["generate-lockfile", "--offline"]);
    if !locked.status.success() {
        // cargo refuses the layout itself: the tool must refuse it too.
        let run = tool(&tmp.path().join(&spec.run_from), &home, &[]);
        return match run.code() {
            2 => Ok(format!("refused layout: {}", spec.notes.join(", "))),
            c => Err(format!(
                "cargo refuses the layout ({}) but the lockfile mode exits {c}",
                String::from_utf8_lossy(&locked.stderr)
            )),
        };
    }
    let mut rng = Rng(seed ^ 0xA5A5_A5A5);
    let mut notes = spec.notes.clone();
    let mut last = spec.clone();
    if rng.chance(55) {
        let mutation = *rng.pick(MUTATIONS);
        let changed = mutate(&spec, mutation, &mut rng);
        if let Some((_, dir)) = &spec.patch
            && changed.patch.is_none()
        {
            let _ = std::fs::remove_dir_all(ws.join(dir));
        }
        if spec.members.len() > changed.members.len()
            || spec.packages.len() > changed.packages.len()
        {
            let _ = std::fs::remove_dir_all(ws.join("crates/m1"));
        }
        write(&changed, tmp.path());
        notes.push(format!("{mutation:?}"));
        last = changed;
    }
    if let Some(dir) = &spec.leftover_lock {
        // An older lockfile of the member's own, from before it joined the workspace.
        let stale = "version = 4\n\n[[package]]\nname = \"m0\"\nversion = \"0.0.1\"\n";
        std::fs::write(tmp.path().join(dir).join("Cargo.lock"), stale).expect("write");
    }
    let from = tmp.path().join(&spec.run_from);
    // One target per case, in turn: each kind of condition is met on a third of the cases.
    let target = TARGETS[(seed % TARGETS.len() as u64) as usize];
    let flags = feature_flags(seed, &last);
    let result = compare(&from, &home, &notes, target, &flags)
        .map_err(|e| format!("{} — {e}", notes.join(", ")));
    if result.is_err() && std::env::var_os("ETCD_DEPS_ORACLE_KEEP").is_some() {
        eprintln!("seed {seed} kept at {}", tmp.keep().display());
    }
    result
}

fn tool(dir: &Path, home: &Path, extra: &[&str]) -> common::Run {
    let mut args = vec!["check", "--lockfile", "--format", "json"];
    args.extend_from_slice(extra);
    common::run_tool(dir, home, &args, None)
}

/// `cargo metadata --locked` from `from`, with `extra` flags. Cargo.lock holds every
/// optional dependency: the lockfile mode sees what `--all-features` sees (its report says so).
fn metadata(from: &Path, home: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["--all-features"];
    args.extend_from_slice(extra);
    metadata_with(from, home, &args)
}

/// `cargo metadata --locked --offline` from `from`, with `extra` flags and nothing else.
fn metadata_with(from: &Path, home: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["metadata", "--locked", "--offline", "--format-version", "1"];
    args.extend_from_slice(extra);
    cargo(from, home, &args)
}

/// The feature flags a case is also resolved with, in turn: none (the members' default
/// features), `--no-default-features`, or `--features` naming one of the first member's
/// features, as `feature` or `m0/feature` (none when it has none).
fn feature_flags(seed: u64, spec: &Spec) -> Vec<String> {
    match seed % 3 {
        1 => vec!["--no-default-features".to_owned()],
        2 => {
            let m0 = spec.packages.iter().find(|p| p.dir == "ws/crates/m0");
            match m0.and_then(|p| p.features.iter().find(|(n, _)| n != "default")) {
                // Every other such case names it as `member/feature`.
                Some((name, _)) if seed.is_multiple_of(2) => {
                    vec!["--features".to_owned(), format!("m0/{name}")]
                }
                Some((name, _)) => vec!["--features".to_owned(), name.clone()],
                None => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

/// The feature resolve of the fast path against cargo's `cargo metadata` with the same
/// feature `flags` (none: default features), for the host and for `target`.
fn compare_features(
    from: &Path,
    home: &Path,
    target: &str,
    flags: &[String],
) -> Result<(), String> {
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let requested = cargo_etcd_deps::input::features::Requested::new(
        &flags
            .iter()
            .skip_while(|f| **f != "--features")
            .skip(1)
            .map(|f| (*f).to_owned())
            .collect::<Vec<_>>(),
        false,
        flags.contains(&"--no-default-features"),
    );
    for filter in [None, Some(target)] {
        let mut args = flags.clone();
        if let Some(t) = filter {
            args.extend(["--filter-platform", t]);
        }
        let meta = metadata_with(from, home, &args);
        if !meta.status.success() {
            return Err(format!(
                "cargo metadata {args:?} refuses a fresh lockfile: {}",
                String::from_utf8_lossy(&meta.stderr)
            ));
        }
        let json = String::from_utf8(meta.stdout).expect("utf-8 metadata");
        let by_cargo = DepGraph::from_metadata_json(&json, "cargo metadata").expect("metadata");
        let read = cargo_etcd_deps::input::read_lockfile_with(from, None, None, Some(&requested))
            .map_err(|e| format!("the library refuses what the binary read: {e}"))?;
        if let Some(why) = read.undecided {
            return Err(format!("{flags:?}: the fast path cannot decide: {why}"));
        }
        let by_lock = match filter {
            Some(t) => cargo_etcd_deps::input::lockfile::on_targets(read.graph, &[t.to_owned()])
                .map_err(|e| format!("{t}: {e}"))?,
            None => read.graph,
        };
        same_edges(&by_cargo, &by_lock, &format!("{args:?}"))?;
        if filter.is_none() {
            let all = cargo_etcd_deps::input::read_lockfile(from, None, None)
                .map_err(|e| format!("the library refuses what the binary read: {e}"))?;
            if declared(&all.graph) != declared(&by_lock) {
                FEATURES_MATTERED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }
    // The default `check` answers from the fast path here, with cargo's findings: with the
    // flags alone (`--no-default-features`), or with `--target` and `--edges no-dev` too.
    let mut args = vec!["check", "--offline", "--format", "json"];
    args.extend_from_slice(&flags);
    if flags.len() != 1 {
        args.extend(["--target", target, "--edges", "no-dev"]);
    }
    let fast = common::run_tool(from, home, &args, None);
    let answered = fast.json()["answered_by"].clone();
    if answered["path"] != "lockfile" {
        return Err(format!(
            "{args:?}: the default check asked cargo: {answered}"
        ));
    }
    args.push("--cargo-metadata");
    let by_cargo = common::run_tool(from, home, &args, None);
    match common::findings_differ(("cargo", &by_cargo), ("fast path", &fast)) {
        Some(d) => Err(format!("findings differ {args:?}\n{d}")),
        None => Ok(()),
    }
}

/// Fresh cases whose feature resolve left out something `--all-features` sees.
static FEATURES_MATTERED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The lockfile mode against cargo, from `from`.
fn compare(
    from: &Path,
    home: &Path,
    notes: &[String],
    target: &str,
    flags: &[String],
) -> Result<String, String> {
    let meta = metadata(from, home, &[]);
    let stderr = String::from_utf8_lossy(&meta.stderr).into_owned();
    let verdict = if meta.status.success() {
        Verdict::Fresh
    } else if stderr.contains("--locked") {
        Verdict::Stale
    } else {
        Verdict::Refused
    };
    let run = tool(from, home, &[]);
    let said = match run.code() {
        0 | 1 => Verdict::Fresh,
        2 if run.stderr().contains("out of date") => Verdict::Stale,
        _ => Verdict::Refused,
    };
    let context = || format!("\ncargo: {stderr}\ntool: {}", run.stderr());
    match (&verdict, &said) {
        (Verdict::Fresh, Verdict::Fresh) => {}
        (Verdict::Stale, Verdict::Stale)
        | (Verdict::Refused, Verdict::Refused | Verdict::Stale) => {
            return Ok(format!("{verdict:?}: {}", notes.join(", ")));
        }
        _ => {
            return Err(format!(
                "cargo says {verdict:?}, the lockfile mode {said:?}{}",
                context()
            ));
        }
    }
    let json = String::from_utf8(meta.stdout).expect("utf-8 metadata");
    let by_cargo = DepGraph::from_metadata_json(&json, "cargo metadata").expect("metadata graph");
    let from_lock = cargo_etcd_deps::input::read_lockfile(from, None, None)
        .map_err(|e| format!("the library refuses what the binary read: {e}"))?;
    // Every registry crate is in the stub registry the case resolves against: none may lack
    // facts (a local package may, where Cargo.lock keeps a reference its manifest no longer
    // declares and cargo still accepts).
    let g = &from_lock.graph;
    let registry: BTreeSet<String> = g
        .nodes()
        .map(|n| g.package(n))
        .filter(|p| p.source.is_some())
        .map(|p| format!("{} {}", p.name, p.version))
        .collect();
    let missing: Vec<&String> = from_lock
        .lacking
        .iter()
        .filter(|p| registry.contains(*p))
        .collect();
    if !missing.is_empty() {
        return Err(format!("facts missing for {missing:?}"));
    }
    same_edges(&by_cargo, &from_lock.graph, "")?;
    same_findings(from, home, &[], &run)?;
    // The stub registry's system crates declare platform conditions (cfg(unix), cfg(windows),
    // target triples, cfg(all(..))): with `--target`, cargo's `--filter-platform` graph and
    // findings are the lockfile mode's.
    let filtered = metadata(from, home, &["--filter-platform", target]);
    let json = String::from_utf8(filtered.stdout).expect("utf-8 metadata");
    let by_cargo = DepGraph::from_metadata_json(&json, "cargo metadata").expect("metadata");
    let by_lock = cargo_etcd_deps::input::read_lockfile(from, None, None)
        .map_err(|e| format!("the library refuses what the binary read: {e}"))?
        .graph;
    let by_lock = cargo_etcd_deps::input::lockfile::on_targets(by_lock, &[target.to_owned()])
        .map_err(|e| format!("{target}: {e}"))?;
    same_edges(&by_cargo, &by_lock, target)?;
    let args = ["--target", target];
    same_findings(from, home, &args, &tool(from, home, &args))?;
    compare_features(from, home, target, flags)?;
    Ok(format!("Fresh: {}", notes.join(", ")))
}

/// The targets fresh cases are also compared on, one per case: between them every kind of
/// condition the stub registry holds (cfg(unix), cfg(windows), a triple, cfg(all(..)) on the environment).
const TARGETS: [&str; 3] = [
    "x86_64-unknown-linux-gnu",
    "x86_64-pc-windows-msvc",
    "x86_64-pc-windows-gnu",
];

/// Both graphs hold the same members and, from every package a member reaches, the same
/// edges with the same kind, platform condition and requirement.
fn same_edges(by_cargo: &DepGraph, by_lock: &DepGraph, target: &str) -> Result<(), String> {
    let (a, b) = (declared(by_cargo), declared(by_lock));
    if a != b {
        return Err(format!(
            "members or edges differ {target}\ncargo only: {:?}\nlockfile only: {:?}",
            a.difference(&b).collect::<Vec<_>>(),
            b.difference(&a).collect::<Vec<_>>()
        ));
    }
    Ok(())
}

/// The metadata mode's findings (with `extra` flags) against the lockfile mode's `run`.
fn same_findings(
    from: &Path,
    home: &Path,
    extra: &[&str],
    run: &common::Run,
) -> Result<(), String> {
    let mut args = common::CARGO_ALL_FEATURES_JSON.to_vec();
    args.extend_from_slice(extra);
    let metadata_mode = common::run_tool(from, home, &args, None);
    match common::findings_differ(("metadata mode", &metadata_mode), ("lockfile mode", run)) {
        Some(d) => Err(format!("findings differ {extra:?}\n{d}")),
        None => Ok(()),
    }
}

/// Every member (name, version, manifest) and each edge out of a package a member reaches
/// (target, kind, platform, requirement, the target's source), as one set.
fn declared(g: &DepGraph) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut queue: Vec<_> = g.members().to_vec();
    for &m in g.members() {
        let p = g.package(m);
        out.insert(format!(
            "member {} {} {}",
            p.name,
            p.version,
            p.manifest_path.display()
        ));
    }
    while let Some(n) = queue.pop() {
        if !seen.insert(n) {
            continue;
        }
        let p = g.package(n);
        for (to, e) in g.dependencies(n) {
            let t = g.package(to);
            out.insert(format!(
                "{} {} -> {} {} {:?} known={} {:?} {:?} {}",
                p.name,
                p.version,
                t.name,
                t.version,
                e.kind,
                e.kind_known,
                e.platform,
                e.req,
                t.source.as_deref().unwrap_or("path")
            ));
            queue.push(to);
        }
    }
    out
}

fn seeds() -> Vec<u64> {
    let var = |name: &str| std::env::var(name).ok().and_then(|v| v.parse().ok());
    let first: u64 = var("ETCD_DEPS_ORACLE_SEED").unwrap_or(1);
    let count: u64 = var("ETCD_DEPS_ORACLE_CASES").unwrap_or(DEFAULT_CASES);
    let mut seeds: Vec<u64> = (first..first + count).collect();
    seeds.extend_from_slice(REGRESSIONS);
    seeds
}

#[test]
fn the_lockfile_mode_agrees_with_cargo_on_generated_workspaces() {
    let seeds = seeds();
    let results: Vec<(u64, Result<String, String>)> = std::thread::scope(|s| {
        let (left, right) = seeds.split_at(seeds.len() / 2);
        let other = s.spawn(|| left.iter().map(|&x| (x, run_case(x))).collect::<Vec<_>>());
        let mut mine: Vec<_> = right.iter().map(|&x| (x, run_case(x))).collect();
        let mut all = other.join().expect("worker");
        all.append(&mut mine);
        all
    });
    let mut verdicts = std::collections::BTreeMap::<String, usize>::new();
    let mut failures = Vec::new();
    for (seed, result) in &results {
        match result {
            Ok(note) => {
                let head = note.split(':').next().unwrap_or_default().to_owned();
                *verdicts.entry(head).or_default() += 1;
            }
            Err(e) => failures.push(format!("seed {seed}: {e}\n{:#?}", generate(*seed))),
        }
    }
    let mattered = FEATURES_MATTERED.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!(
        "{} cases: {verdicts:?}; {mattered} fresh cases resolve fewer edges than --all-features",
        results.len()
    );
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    // Features decide something on some cases: a run where they never do proves little.
    assert!(
        mattered > 0 || results.len() < 100,
        "no case where features leave out an optional dependency"
    );
    // The generator reaches every verdict: a run of only fresh cases proves little.
    for verdict in ["Fresh", "Stale", "Refused"]
        .into_iter()
        .filter(|_| results.len() >= 100)
    {
        assert!(
            verdicts.contains_key(verdict),
            "no {verdict} case among {verdicts:?}"
        );
    }
}

#[test]
fn each_seed_stands_for_one_layout() {
    let a = format!("{:?}", generate(7));
    assert_eq!(a, format!("{:?}", generate(7)));
    assert_ne!(a, format!("{:?}", generate(8)));
}
