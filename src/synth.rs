//! Synthetic workspaces for benchmarks and scale tests: `cargo metadata` JSON and a Cargo.lock
//! for N packages with realistic fan-out, several lines of the watched crates, deep chains, a
//! diamond ladder with exponentially many paths, and dev-dependency cycles between members.
//! Deterministic: the same N gives the same bytes.

use std::fmt::Write as _;

const REGISTRY: &str = "registry+https://github.com/rust-lang/crates.io-index";

/// One synthetic package.
struct Pkg {
    name: String,
    version: &'static str,
    member: bool,
    /// (index of the dependency, requirement, kind: "normal" | "dev" | "build")
    deps: Vec<(usize, String, &'static str)>,
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

/// A synthetic workspace of about `n` packages.
pub struct Synthetic {
    pkgs: Vec<Pkg>,
}

fn caret(version: &str) -> String {
    format!("^{version}")
}

impl Synthetic {
    pub fn new(n: usize) -> Synthetic {
        let n = n.max(60);
        let mut pkgs: Vec<Pkg> = Vec::with_capacity(n);
        let add = |pkgs: &mut Vec<Pkg>, name: &str, version: &'static str, member: bool| {
            pkgs.push(Pkg {
                name: name.to_owned(),
                version,
                member,
                deps: Vec::new(),
            });
            pkgs.len() - 1
        };
        // The gRPC stack, two lines of each, wired as the real crates are.
        let tower_service = add(&mut pkgs, "tower-service", "0.3.3", false);
        let http02 = add(&mut pkgs, "http", "0.2.12", false);
        let http1 = add(&mut pkgs, "http", "1.3.1", false);
        let tower04 = add(&mut pkgs, "tower", "0.4.13", false);
        let tower05 = add(&mut pkgs, "tower", "0.5.2", false);
        let hyper014 = add(&mut pkgs, "hyper", "0.14.32", false);
        let hyper1 = add(&mut pkgs, "hyper", "1.6.0", false);
        let axum06 = add(&mut pkgs, "axum", "0.6.20", false);
        let axum07 = add(&mut pkgs, "axum", "0.7.9", false);
        let prost011 = add(&mut pkgs, "prost", "0.11.9", false);
        let prost013 = add(&mut pkgs, "prost", "0.13.5", false);
        let tonic09 = add(&mut pkgs, "tonic", "0.9.2", false);
        let tonic012 = add(&mut pkgs, "tonic", "0.12.3", false);
        let etcd011 = add(&mut pkgs, "etcd-client", "0.11.1", false);
        let etcd014 = add(&mut pkgs, "etcd-client", "0.14.1", false);
        let otlp = add(&mut pkgs, "opentelemetry-otlp", "0.27.0", false);
        let wire = |pkgs: &mut Vec<Pkg>, from: usize, to: usize| {
            let req = caret(pkgs[to].version);
            pkgs[from].deps.push((to, req, "normal"));
        };
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
            wire(&mut pkgs, a, b);
        }
        let stack_end = pkgs.len();

        // A diamond ladder: 24 levels, 2^24 equally short paths from its top.
        let mut ladder_prev: Vec<usize> = vec![etcd011];
        for level in 0..24 {
            let a = add(&mut pkgs, &format!("ladder-{level}-a"), "1.0.0", false);
            let b = add(&mut pkgs, &format!("ladder-{level}-b"), "1.0.0", false);
            for &p in &ladder_prev {
                wire(&mut pkgs, a, p);
                wire(&mut pkgs, b, p);
            }
            ladder_prev = vec![a, b];
        }
        let ladder_top = ladder_prev;

        // Filler crates: a DAG with fan-out 2-6; some with two lines; a few on the gRPC stack.
        let members = (n / 50).max(4);
        let fillers = n.saturating_sub(pkgs.len() + members).max(10);
        let mut rng = Rng(0x5eed);
        let filler_start = pkgs.len();
        for i in 0..fillers {
            let two_lines = i % 20 == 7 && i + 1 < fillers;
            let idx = add(&mut pkgs, &format!("crate{i}"), "1.0.0", false);
            let lower = idx - filler_start;
            if lower > 0 {
                for _ in 0..(2 + rng.below(5)) {
                    let dep = filler_start + rng.below(lower);
                    if !pkgs[idx].deps.iter().any(|d| d.0 == dep) {
                        wire(&mut pkgs, idx, dep);
                    }
                }
            }
            match i % 97 {
                3 => wire(&mut pkgs, idx, tonic09),
                5 => wire(&mut pkgs, idx, tonic012),
                11 => wire(&mut pkgs, idx, hyper1),
                _ => {}
            }
            if two_lines {
                // The same name on a second line, used by a later crate.
                let second = add(&mut pkgs, &format!("crate{i}"), "2.0.0", false);
                wire(&mut pkgs, second, idx);
            }
        }
        let filler_end = pkgs.len();

        // Members: fan-out into the fillers, some on etcd-client or the exporter, dev cycles.
        let member_start = pkgs.len();
        for j in 0..members {
            let idx = add(&mut pkgs, &format!("member{j}"), "0.1.0", true);
            for _ in 0..(3 + rng.below(6)) {
                let dep = filler_start + rng.below(filler_end - filler_start);
                if !pkgs[idx].deps.iter().any(|d| d.0 == dep) {
                    wire(&mut pkgs, idx, dep);
                }
            }
            match j % 10 {
                0 => wire(&mut pkgs, idx, etcd011),
                1 => wire(&mut pkgs, idx, otlp),
                2 => wire(&mut pkgs, idx, etcd014),
                3 => wire(&mut pkgs, idx, ladder_top[0]),
                _ => {}
            }
        }
        for j in (0..members).step_by(2) {
            if j + 1 < members {
                let (a, b) = (member_start + j, member_start + j + 1);
                pkgs[a].deps.push((b, "*".to_owned(), "dev"));
                pkgs[b].deps.push((a, "*".to_owned(), "normal"));
            }
        }
        // Deep chains: each member (but the first) on the previous one, ten at a time.
        for j in 1..members {
            if j % 10 != 0 {
                let (a, b) = (member_start + j, member_start + j - 1);
                if !pkgs[a].deps.iter().any(|d| d.0 == b) && !pkgs[b].deps.iter().any(|d| d.0 == a)
                {
                    pkgs[a].deps.push((b, "*".to_owned(), "normal"));
                }
            }
        }
        let _ = stack_end;
        Synthetic { pkgs }
    }

    pub fn package_count(&self) -> usize {
        self.pkgs.len()
    }

    fn id(&self, i: usize) -> String {
        let p = &self.pkgs[i];
        if p.member {
            format!("path+file:///synth/{}#{}", p.name, p.version)
        } else {
            format!("{REGISTRY}#{}@{}", p.name, p.version)
        }
    }

    /// `cargo metadata --format-version 1` JSON for the workspace.
    pub fn metadata_json(&self) -> String {
        let mut out = String::with_capacity(self.pkgs.len() * 1200);
        out.push_str("{\"packages\":[");
        for (i, p) in self.pkgs.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let manifest = if p.member {
                format!("/synth/{}/Cargo.toml", p.name)
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
            for (k, (dep, req, kind)) in p.deps.iter().enumerate() {
                let d = &self.pkgs[*dep];
                if k > 0 {
                    out.push(',');
                }
                let kind = if *kind == "normal" {
                    "null".to_owned()
                } else {
                    format!("\"{kind}\"")
                };
                let (dsource, path) = if d.member {
                    ("null".to_owned(), format!("\"/synth/{}\"", d.name))
                } else {
                    (format!("\"{REGISTRY}\""), "null".to_owned())
                };
                let _ = write!(
                    out,
                    "{{\"name\":\"{}\",\"source\":{dsource},\"req\":\"{req}\",\"kind\":{kind},\"rename\":null,\"optional\":false,\"uses_default_features\":true,\"features\":[],\"target\":null,\"registry\":null,\"path\":{path}}}",
                    d.name
                );
            }
            let _ = write!(
                out,
                "],\"targets\":[{{\"kind\":[\"lib\"],\"crate_types\":[\"lib\"],\"name\":\"{}\",\"src_path\":\"{}\",\"edition\":\"2021\",\"doctest\":true,\"test\":true,\"doc\":true}}],\"features\":{{}},\"manifest_path\":\"{manifest}\",\"metadata\":null,\"publish\":null,\"authors\":[],\"categories\":[],\"keywords\":[],\"readme\":null,\"repository\":null,\"homepage\":null,\"documentation\":null,\"edition\":\"2021\",\"links\":null,\"default_run\":null,\"rust_version\":null,\"license\":null,\"license_file\":null,\"description\":null}}",
                p.name.replace('-', "_"),
                manifest.replace("Cargo.toml", "src/lib.rs")
            );
        }
        out.push_str("],\"workspace_members\":[");
        let members: Vec<String> = (0..self.pkgs.len())
            .filter(|&i| self.pkgs[i].member)
            .map(|i| format!("\"{}\"", self.id(i)))
            .collect();
        out.push_str(&members.join(","));
        out.push_str("],\"workspace_default_members\":[");
        out.push_str(&members.join(","));
        out.push_str("],\"resolve\":{\"nodes\":[");
        for (i, p) in self.pkgs.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{{\"id\":\"{}\",\"dependencies\":[", self.id(i));
            let mut targets: Vec<usize> = p.deps.iter().map(|d| d.0).collect();
            targets.sort_unstable();
            targets.dedup();
            let ids: Vec<String> = targets
                .iter()
                .map(|&t| format!("\"{}\"", self.id(t)))
                .collect();
            out.push_str(&ids.join(","));
            out.push_str("],\"deps\":[");
            for (k, &t) in targets.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                let kinds: Vec<String> = p
                    .deps
                    .iter()
                    .filter(|d| d.0 == t)
                    .map(|d| {
                        if d.2 == "normal" {
                            "{\"kind\":null,\"target\":null}".to_owned()
                        } else {
                            format!("{{\"kind\":\"{}\",\"target\":null}}", d.2)
                        }
                    })
                    .collect();
                let _ = write!(
                    out,
                    "{{\"name\":\"{}\",\"pkg\":\"{}\",\"dep_kinds\":[{}]}}",
                    self.pkgs[t].name.replace('-', "_"),
                    self.id(t),
                    kinds.join(",")
                );
            }
            out.push_str("],\"features\":[]}");
        }
        out.push_str("],\"root\":null},\"target_directory\":\"/synth/target\",\"version\":1,\"workspace_root\":\"/synth\",\"metadata\":null}");
        out
    }

    /// A version 4 Cargo.lock for the same graph.
    pub fn cargo_lock(&self) -> String {
        let mut out = String::with_capacity(self.pkgs.len() * 200);
        out.push_str("# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n");
        for p in &self.pkgs {
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
                    .map(|d| format!("{} {}", self.pkgs[d.0].name, self.pkgs[d.0].version))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Options, analyze};

    #[test]
    fn metadata_and_lockfile_give_the_same_findings() {
        let s = Synthetic::new(600);
        let from_json = crate::graph::DepGraph::from_metadata_json(&s.metadata_json(), "synthetic")
            .expect("valid metadata");
        let from_lock = crate::input::lockfile::graph(
            std::path::Path::new("Cargo.lock"),
            &s.cargo_lock(),
            &[],
            std::path::Path::new("/synth"),
        )
        .expect("valid lockfile");
        assert_eq!(from_json.node_count(), s.package_count());
        assert_eq!(from_lock.node_count(), s.package_count());
        let summary = |g: &crate::graph::DepGraph| -> Vec<String> {
            analyze(g, &Options::default())
                .iter()
                .map(|f| format!("{} {} {}", f.level.as_str(), f.code, f.krate))
                .collect()
        };
        let a = summary(&from_json);
        assert_eq!(a, summary(&from_lock));
        assert!(
            a.contains(&"error diverging-versions tonic".to_owned()),
            "{a:?}"
        );
        assert!(
            a.contains(&"note diverging-versions hyper".to_owned()),
            "{a:?}"
        );
    }

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(
            Synthetic::new(300).cargo_lock(),
            Synthetic::new(300).cargo_lock()
        );
    }
}
