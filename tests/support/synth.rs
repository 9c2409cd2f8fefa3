//! Workspaces made up for tests and benchmarks, written as `cargo metadata` JSON and as a
//! Cargo.lock: hand-built ones (`Builder::default().member("app").pkg("tonic", "0.9.2")`, then
//! edges) for unit tests of the pure stages, and `Builder::synthetic(n)`, about N packages
//! with realistic fan-out, several lines of the watched crates, deep chains, a diamond ladder
//! with exponentially many paths and dev-dependency cycles between members, for scale tests
//! and benchmarks. Deterministic: the same calls give the same bytes.
//!
//! Never part of the library's build: the library's unit tests include this file (through
//! `src/testkit.rs`), as do integration tests and benchmarks, each with `#[path]`. It uses no
//! crate but `serde_json`, so it compiles in any of them.

// Each includer uses part of it.
#![allow(dead_code)]

use std::fmt::Write as _;

const REGISTRY: &str = "registry+https://github.com/rust-lang/crates.io-index";

/// A workspace under construction: packages, then dependencies between them.
pub(crate) struct Builder {
    /// The workspace root (members live in `ROOT/NAME`).
    root: &'static str,
    packages: Vec<Package>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            root: "/ws",
            packages: Vec::new(),
        }
    }
}

struct Package {
    name: String,
    version: String,
    member: bool,
    /// In the order declared.
    deps: Vec<Dep>,
}

/// One declared dependency (kept small: the synthetic workspaces hold half a million).
struct Dep {
    /// The index of the package it resolves to.
    to: usize,
    /// `"normal"`, `"dev"` or `"build"`.
    kind: &'static str,
    /// The requirement when it is not `^VERSION` of the package it resolves to.
    req: Option<&'static str>,
    /// A platform or a rename, rare.
    declared: Option<Box<Declared>>,
}

struct Declared {
    /// `[target.'TARGET'.dependencies]`.
    target: Option<String>,
    /// `key = { package = "…" }`.
    rename: Option<String>,
}

/// A JSON string, or `null`.
fn json_str(s: Option<&str>) -> String {
    s.map_or("null".to_owned(), |s| {
        serde_json::to_string(s).expect("a string serialises")
    })
}

impl Builder {
    /// A workspace member, version 0.1.0.
    pub(crate) fn member(mut self, name: &str) -> Self {
        self.add(name, "0.1.0", true);
        self
    }

    /// A registry package.
    pub(crate) fn pkg(mut self, name: &str, version: &str) -> Self {
        self.add(name, version, false);
        self
    }

    /// `from` and `to` are `name` (members) or `name@version`, added before.
    pub(crate) fn dep(self, from: &str, to: &str) -> Self {
        self.dep_with(from, to, "normal", None, None)
    }

    pub(crate) fn dep_with(
        mut self,
        from: &str,
        to: &str,
        kind: &'static str,
        target: Option<&str>,
        rename: Option<&str>,
    ) -> Self {
        let (from, to) = (self.lookup(from), self.lookup(to));
        let declared = (target.is_some() || rename.is_some()).then(|| {
            Box::new(Declared {
                target: target.map(str::to_owned),
                rename: rename.map(str::to_owned),
            })
        });
        self.packages[from].deps.push(Dep {
            to,
            kind,
            req: None,
            declared,
        });
        self
    }

    /// Reverses the order packages and dependencies are listed in.
    pub(crate) fn reverse_for_test(&mut self) {
        let Some(last) = self.packages.len().checked_sub(1) else {
            return;
        };
        self.packages.reverse();
        for p in &mut self.packages {
            p.deps.reverse();
            for d in &mut p.deps {
                d.to = last - d.to;
            }
        }
    }

    pub(crate) fn package_count(&self) -> usize {
        self.packages.len()
    }

    fn add(&mut self, name: &str, version: &str, member: bool) -> usize {
        self.packages.push(Package {
            name: name.to_owned(),
            version: version.to_owned(),
            member,
            deps: Vec::new(),
        });
        self.packages.len() - 1
    }

    /// A normal dependency of `from` on `^VERSION` of `to`.
    fn link(&mut self, from: usize, to: usize) {
        self.link_with(from, to, None, "normal");
    }

    fn link_with(&mut self, from: usize, to: usize, req: Option<&'static str>, kind: &'static str) {
        self.packages[from].deps.push(Dep {
            to,
            kind,
            req,
            declared: None,
        });
    }

    fn depends_on(&self, from: usize, to: usize) -> bool {
        self.packages[from].deps.iter().any(|d| d.to == to)
    }

    /// The package `name` (a member, version 0.1.0) or `name@version`.
    fn lookup(&self, spec: &str) -> usize {
        let (name, version) = spec.split_once('@').unwrap_or((spec, "0.1.0"));
        self.packages
            .iter()
            .position(|p| p.name == name && p.version == version)
            .unwrap_or_else(|| panic!("unknown package {spec}"))
    }

    fn id(&self, i: usize) -> String {
        let p = &self.packages[i];
        if p.member {
            format!("path+file://{}/{}#{}", self.root, p.name, p.version)
        } else {
            format!("{REGISTRY}#{}@{}", p.name, p.version)
        }
    }
}

/// `cargo metadata --format-version 1`.
impl Builder {
    /// `cargo metadata --format-version 1` JSON for the workspace.
    pub(crate) fn metadata_json(&self) -> String {
        let mut out = String::with_capacity(self.packages.len() * 1200);
        out.push_str("{\"packages\":[");
        for i in 0..self.packages.len() {
            if i > 0 {
                out.push(',');
            }
            self.write_package(&mut out, i);
        }
        out.push_str("],\"workspace_members\":[");
        let members: Vec<String> = (0..self.packages.len())
            .filter(|&i| self.packages[i].member)
            .map(|i| format!("\"{}\"", self.id(i)))
            .collect();
        out.push_str(&members.join(","));
        out.push_str("],\"workspace_default_members\":[");
        out.push_str(&members.join(","));
        out.push_str("],\"resolve\":{\"nodes\":[");
        for i in 0..self.packages.len() {
            if i > 0 {
                out.push(',');
            }
            self.write_node(&mut out, i);
        }
        let root = self.root;
        let _ = write!(
            out,
            "],\"root\":null}},\"target_directory\":\"{root}/target\",\"version\":1,\"workspace_root\":\"{root}\",\"metadata\":null}}"
        );
        out
    }

    /// The package entry of package `i`, with its declared dependencies.
    fn write_package(&self, out: &mut String, i: usize) {
        let p = &self.packages[i];
        let manifest = if p.member {
            format!("{}/{}/Cargo.toml", self.root, p.name)
        } else {
            format!("/registry/{}-{}/Cargo.toml", p.name, p.version)
        };
        let source = if p.member {
            "null".to_owned()
        } else {
            format!("\"{REGISTRY}\"")
        };
        let _ = write!(
            out,
            "{{\"name\":\"{}\",\"version\":\"{}\",\"id\":\"{}\",\"source\":{source},\"dependencies\":[",
            p.name,
            p.version,
            self.id(i)
        );
        for (k, dep) in p.deps.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            self.write_declared(out, dep);
        }
        let _ = write!(
            out,
            "],\"targets\":[{{\"kind\":[\"lib\"],\"crate_types\":[\"lib\"],\"name\":\"{}\",\"src_path\":\"{}\",\"edition\":\"2021\",\"doctest\":true,\"test\":true,\"doc\":true}}],\"features\":{{}},\"manifest_path\":\"{manifest}\",\"metadata\":null,\"publish\":null,\"authors\":[],\"categories\":[],\"keywords\":[],\"readme\":null,\"repository\":null,\"homepage\":null,\"documentation\":null,\"edition\":\"2021\",\"links\":null,\"default_run\":null,\"rust_version\":null,\"license\":null,\"license_file\":null,\"description\":null}}",
            p.name.replace('-', "_"),
            manifest.replace("Cargo.toml", "src/lib.rs")
        );
    }

    /// One entry of a package's `dependencies`.
    fn write_declared(&self, out: &mut String, dep: &Dep) {
        let d = &self.packages[dep.to];
        let (source, path) = if d.member {
            ("null".to_owned(), format!("\"{}/{}\"", self.root, d.name))
        } else {
            (format!("\"{REGISTRY}\""), "null".to_owned())
        };
        let req = dep
            .req
            .map_or_else(|| format!("^{}", d.version), str::to_owned);
        let (target, rename) = match &dep.declared {
            Some(x) => (json_str(x.target.as_deref()), json_str(x.rename.as_deref())),
            None => ("null".to_owned(), "null".to_owned()),
        };
        let _ = write!(
            out,
            "{{\"name\":\"{}\",\"source\":{source},\"req\":\"{req}\",\"kind\":{},\"rename\":{rename},\"optional\":false,\"uses_default_features\":true,\"features\":[],\"target\":{target},\"registry\":null,\"path\":{path}}}",
            d.name,
            Self::kind(dep),
        );
    }

    /// The resolve node of package `i`: its dependencies by package, in the order first
    /// declared, each with the kinds it is declared with.
    fn write_node(&self, out: &mut String, i: usize) {
        let deps = &self.packages[i].deps;
        let mut targets: Vec<usize> = Vec::with_capacity(deps.len());
        for d in deps {
            if !targets.contains(&d.to) {
                targets.push(d.to);
            }
        }
        let ids: Vec<String> = targets
            .iter()
            .map(|&t| format!("\"{}\"", self.id(t)))
            .collect();
        let _ = write!(
            out,
            "{{\"id\":\"{}\",\"dependencies\":[{}],\"deps\":[",
            self.id(i),
            ids.join(",")
        );
        for (k, &t) in targets.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            let first = deps.iter().find(|d| d.to == t).expect("a target of a dep");
            let name = first
                .declared
                .as_ref()
                .and_then(|x| x.rename.as_deref())
                .unwrap_or(&self.packages[t].name);
            let kinds: Vec<String> = deps
                .iter()
                .filter(|d| d.to == t)
                .map(|d| {
                    let target = d.declared.as_ref().and_then(|x| x.target.as_deref());
                    format!(
                        "{{\"kind\":{},\"target\":{}}}",
                        Self::kind(d),
                        json_str(target)
                    )
                })
                .collect();
            let _ = write!(
                out,
                "{{\"name\":\"{}\",\"pkg\":\"{}\",\"dep_kinds\":[{}]}}",
                name.replace('-', "_"),
                self.id(t),
                kinds.join(",")
            );
        }
        out.push_str("],\"features\":[]}");
    }

    /// A dependency's kind as cargo writes it: `null` for normal ones.
    fn kind(dep: &Dep) -> String {
        if dep.kind == "normal" {
            "null".to_owned()
        } else {
            format!("\"{}\"", dep.kind)
        }
    }

    /// A version 4 Cargo.lock for the same graph.
    pub(crate) fn cargo_lock(&self) -> String {
        let mut out = String::with_capacity(self.packages.len() * 200);
        out.push_str("# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n");
        for p in &self.packages {
            let _ = write!(
                out,
                "\n[[package]]\nname = \"{}\"\nversion = \"{}\"\n",
                p.name, p.version
            );
            if !p.member {
                let _ = writeln!(out, "source = \"{REGISTRY}\"");
            }
            if !p.deps.is_empty() {
                let mut refs: Vec<String> = p
                    .deps
                    .iter()
                    .map(|d| {
                        let to = &self.packages[d.to];
                        format!("{} {}", to.name, to.version)
                    })
                    .collect();
                refs.sort();
                refs.dedup();
                out.push_str("dependencies = [\n");
                for r in refs {
                    let _ = writeln!(out, " \"{r}\",");
                }
                out.push_str("]\n");
            }
        }
        out
    }
}

/// A small deterministic generator (64-bit LCG), so no dependency is needed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The packages of the gRPC stack a synthetic workspace's members and fillers depend on.
struct Stack {
    hyper1: usize,
    tonic09: usize,
    tonic012: usize,
    etcd011: usize,
    etcd014: usize,
    otlp: usize,
}

/// The synthetic workspaces.
impl Builder {
    /// A synthetic workspace of about `n` packages (at least 60), rooted at `/synth`.
    pub(crate) fn synthetic(n: usize) -> Builder {
        let n = n.max(60);
        let mut b = Builder {
            root: "/synth",
            packages: Vec::with_capacity(n),
        };
        let stack = b.grpc_stack();
        let ladder_top = b.diamond_ladder(stack.etcd011);
        let members = (n / 50).max(4);
        let mut rng = Rng(0x5eed);
        let fillers = b.fillers(
            n.saturating_sub(b.packages.len() + members).max(10),
            &stack,
            &mut rng,
        );
        let first_member = b.packages.len();
        b.members(members, fillers, &stack, &ladder_top, &mut rng);
        b.member_cycles_and_chains(first_member, members);
        b
    }

    /// The gRPC stack, two lines of each, wired as the real crates are.
    fn grpc_stack(&mut self) -> Stack {
        let mut add = |name: &str, version: &str| self.add(name, version, false);
        let tower_service = add("tower-service", "0.3.3");
        let http02 = add("http", "0.2.12");
        let http1 = add("http", "1.3.1");
        let tower04 = add("tower", "0.4.13");
        let tower05 = add("tower", "0.5.2");
        let hyper014 = add("hyper", "0.14.32");
        let hyper1 = add("hyper", "1.6.0");
        let axum06 = add("axum", "0.6.20");
        let axum07 = add("axum", "0.7.9");
        let prost011 = add("prost", "0.11.9");
        let prost013 = add("prost", "0.13.5");
        let tonic09 = add("tonic", "0.9.2");
        let tonic012 = add("tonic", "0.12.3");
        let etcd011 = add("etcd-client", "0.11.1");
        let etcd014 = add("etcd-client", "0.14.1");
        let otlp = add("opentelemetry-otlp", "0.27.0");
        for (a, b) in [
            (tower04, tower_service),
            (tower05, tower_service),
            (hyper014, http02),
            (hyper1, http1),
            (axum06, hyper014),
            (axum06, tower04),
            (axum07, hyper1),
            (axum07, tower05),
            (tonic09, hyper014),
            (tonic09, axum06),
            (tonic09, prost011),
            (tonic09, tower04),
            (tonic012, hyper1),
            (tonic012, axum07),
            (tonic012, prost013),
            (tonic012, tower04),
            (etcd011, tonic09),
            (etcd011, prost011),
            (etcd014, tonic012),
            (etcd014, prost013),
            (otlp, tonic012),
            (otlp, prost013),
        ] {
            self.link(a, b);
        }
        Stack {
            hyper1,
            tonic09,
            tonic012,
            etcd011,
            etcd014,
            otlp,
        }
    }

    /// A diamond ladder on `base`: 24 levels, 2^24 equally short paths from its top (the two
    /// packages returned).
    fn diamond_ladder(&mut self, base: usize) -> Vec<usize> {
        let mut prev: Vec<usize> = vec![base];
        for level in 0..24 {
            let a = self.add(&format!("ladder-{level}-a"), "1.0.0", false);
            let b = self.add(&format!("ladder-{level}-b"), "1.0.0", false);
            for &p in &prev {
                self.link(a, p);
                self.link(b, p);
            }
            prev = vec![a, b];
        }
        prev
    }

    /// `count` filler crates: a DAG with fan-out 2-6; some with two lines; a few on the gRPC
    /// stack. Returns the range of their indices.
    fn fillers(&mut self, count: usize, stack: &Stack, rng: &mut Rng) -> std::ops::Range<usize> {
        let start = self.packages.len();
        for i in 0..count {
            let two_lines = i % 20 == 7 && i + 1 < count;
            let idx = self.add(&format!("crate{i}"), "1.0.0", false);
            let lower = idx - start;
            if lower > 0 {
                for _ in 0..(2 + rng.below(5)) {
                    let dep = start + rng.below(lower);
                    if !self.depends_on(idx, dep) {
                        self.link(idx, dep);
                    }
                }
            }
            match i % 97 {
                3 => self.link(idx, stack.tonic09),
                5 => self.link(idx, stack.tonic012),
                11 => self.link(idx, stack.hyper1),
                _ => {}
            }
            if two_lines {
                // The same name on a second line, used by a later crate.
                let second = self.add(&format!("crate{i}"), "2.0.0", false);
                self.link(second, idx);
            }
        }
        start..self.packages.len()
    }

    /// `count` members: fan-out into the fillers, some on etcd-client, the exporter or the
    /// ladder.
    fn members(
        &mut self,
        count: usize,
        fillers: std::ops::Range<usize>,
        stack: &Stack,
        ladder_top: &[usize],
        rng: &mut Rng,
    ) {
        for j in 0..count {
            let idx = self.add(&format!("member{j}"), "0.1.0", true);
            for _ in 0..(3 + rng.below(6)) {
                let dep = fillers.start + rng.below(fillers.len());
                if !self.depends_on(idx, dep) {
                    self.link(idx, dep);
                }
            }
            match j % 10 {
                0 => self.link(idx, stack.etcd011),
                1 => self.link(idx, stack.otlp),
                2 => self.link(idx, stack.etcd014),
                3 => self.link(idx, ladder_top[0]),
                _ => {}
            }
        }
    }

    /// Dev-dependency cycles between pairs of the `count` members from `first`, and deep
    /// chains: each member (but the first) on the previous one, ten at a time.
    fn member_cycles_and_chains(&mut self, first: usize, count: usize) {
        for j in (0..count).step_by(2) {
            if j + 1 < count {
                let (a, b) = (first + j, first + j + 1);
                self.link_with(a, b, Some("*"), "dev");
                self.link_with(b, a, Some("*"), "normal");
            }
        }
        for j in 1..count {
            if j % 10 != 0 {
                let (a, b) = (first + j, first + j - 1);
                if !self.depends_on(a, b) && !self.depends_on(b, a) {
                    self.link_with(a, b, Some("*"), "normal");
                }
            }
        }
    }
}

/// The workspace on disk, for end-to-end benchmarks.
impl Builder {
    /// Writes the workspace under `dir`: the root manifest, one directory per member, and
    /// every registry package as a stub crate (manifest, empty `src/lib.rs`, empty checksum
    /// list) in the vendored directory `dir/vendor`, which `.cargo/config.toml` puts in place
    /// of the default registry, so that cargo resolves it offline (`cargo generate-lockfile
    /// --offline`, run by the caller) with the same source ids as the real registry.
    pub(crate) fn write_to(&self, dir: &std::path::Path) -> std::io::Result<()> {
        let members: Vec<String> = self
            .packages
            .iter()
            .filter(|p| p.member)
            .map(|p| format!("\"{}\"", p.name))
            .collect();
        std::fs::create_dir_all(dir.join(".cargo"))?;
        std::fs::write(
            dir.join("Cargo.toml"),
            format!(
                "[workspace]\nmembers = [{}]\nresolver = \"2\"\n",
                members.join(", ")
            ),
        )?;
        std::fs::write(
            dir.join(".cargo/config.toml"),
            "[source.crates-io]\nreplace-with = \"vendored\"\n\n[source.vendored]\ndirectory = \"vendor\"\n",
        )?;
        for (i, p) in self.packages.iter().enumerate() {
            let crate_dir = if p.member {
                dir.join(&p.name)
            } else {
                dir.join("vendor").join(format!("{}-{}", p.name, p.version))
            };
            std::fs::create_dir_all(crate_dir.join("src"))?;
            std::fs::write(crate_dir.join("src/lib.rs"), "")?;
            std::fs::write(crate_dir.join("Cargo.toml"), self.manifest(i))?;
            if !p.member {
                std::fs::write(crate_dir.join(".cargo-checksum.json"), "{\"files\":{}}")?;
            }
        }
        Ok(())
    }

    /// The manifest of package `i`: one table per (platform, kind); a second dependency on
    /// another version of one name in the same table is renamed `NAME-vMAJOR_MINOR`.
    fn manifest(&self, i: usize) -> String {
        let p = &self.packages[i];
        let mut out = format!(
            "[package]\nname = \"{}\"\nversion = \"{}\"\nedition = \"2021\"\n",
            p.name, p.version
        );
        let mut tables: Vec<(String, Vec<String>, Vec<String>)> = Vec::new();
        for dep in &p.deps {
            let to = &self.packages[dep.to];
            let target = dep.declared.as_ref().and_then(|d| d.target.as_deref());
            let section = match dep.kind {
                "dev" => "dev-dependencies",
                "build" => "build-dependencies",
                _ => "dependencies",
            };
            let header = match target {
                Some(t) => format!("target.'{t}'.{section}"),
                None => section.to_owned(),
            };
            let slot = match tables.iter().position(|t| t.0 == header) {
                Some(s) => s,
                None => {
                    tables.push((header, Vec::new(), Vec::new()));
                    tables.len() - 1
                }
            };
            let (_, keys, lines) = &mut tables[slot];
            let mut key = dep
                .declared
                .as_ref()
                .and_then(|d| d.rename.clone())
                .unwrap_or_else(|| to.name.clone());
            if keys.contains(&key) {
                key = format!("{}-v{}", to.name, to.version.replace('.', "_"));
            }
            let mut fields = Vec::new();
            if to.member {
                fields.push(format!("path = \"../{}\"", to.name));
            } else {
                let req = dep
                    .req
                    .map_or_else(|| format!("^{}", to.version), str::to_owned);
                fields.push(format!("version = \"{req}\""));
            }
            if key != to.name {
                fields.push(format!("package = \"{}\"", to.name));
            }
            lines.push(format!("{key} = {{ {} }}", fields.join(", ")));
            keys.push(key);
        }
        for (header, _, lines) in tables {
            let _ = write!(out, "\n[{header}]\n{}\n", lines.join("\n"));
        }
        out
    }
}
