//! Test-only builder of `cargo metadata` JSON for hand-built graphs, so the pure stages can
//! be unit-tested without cargo.

use serde_json::{Value, json};

const REGISTRY: &str = "registry+https://github.com/rust-lang/crates.io-index";

/// A workspace under construction: `member("app")`, `pkg("tonic", "0.9.2")`, then edges.
#[derive(Default)]
pub(crate) struct Builder {
    packages: Vec<(String, String, bool)>,
    deps: Vec<Dep>,
}

struct Dep {
    from: String,
    to: String,
    req: String,
    kind: &'static str,
    target: Option<String>,
    rename: Option<String>,
}

fn id(name: &str, version: &str, member: bool) -> String {
    if member {
        format!("path+file:///ws/{name}#{version}")
    } else {
        format!("{REGISTRY}#{name}@{version}")
    }
}

impl Builder {
    pub(crate) fn member(mut self, name: &str) -> Self {
        self.packages
            .push((name.to_owned(), "0.1.0".to_owned(), true));
        self
    }

    pub(crate) fn pkg(mut self, name: &str, version: &str) -> Self {
        self.packages
            .push((name.to_owned(), version.to_owned(), false));
        self
    }

    /// `from` and `to` are `name` (members) or `name@version`.
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
        let version = to.split_once('@').map(|(_, v)| v).unwrap_or("0.1.0");
        let req = format!("^{version}");
        self.deps.push(Dep {
            from: from.to_owned(),
            to: to.to_owned(),
            req,
            kind,
            target: target.map(str::to_owned),
            rename: rename.map(str::to_owned),
        });
        self
    }

    fn lookup(&self, spec: &str) -> (String, String, bool) {
        let (name, version) = spec.split_once('@').unwrap_or((spec, "0.1.0"));
        self.packages
            .iter()
            .find(|(n, v, _)| n == name && v == version)
            .cloned()
            .unwrap_or_else(|| panic!("unknown package {spec}"))
    }

    pub(crate) fn json(&self) -> String {
        let mut packages = Vec::new();
        let mut nodes = Vec::new();
        for (name, version, member) in &self.packages {
            let pid = id(name, version, *member);
            let mut declared = Vec::new();
            let mut resolved: Vec<Value> = Vec::new();
            for d in self.deps.iter().filter(|d| {
                let (n, v, _) = self.lookup(&d.from);
                n == *name && v == *version
            }) {
                let (to_name, to_version, to_member) = self.lookup(&d.to);
                let kind = if d.kind == "normal" {
                    Value::Null
                } else {
                    json!(d.kind)
                };
                declared.push(json!({
                    "name": to_name, "source": if to_member { Value::Null } else { json!(REGISTRY) },
                    "req": d.req, "kind": kind, "optional": false, "uses_default_features": true,
                    "features": [], "target": d.target, "rename": d.rename, "registry": null,
                    "path": if to_member { json!(format!("/ws/{to_name}")) } else { Value::Null },
                }));
                let to_id = id(&to_name, &to_version, to_member);
                let dk = json!({"kind": kind, "target": d.target});
                if let Some(existing) = resolved.iter_mut().find(|r| r["pkg"] == to_id) {
                    existing["dep_kinds"]
                        .as_array_mut()
                        .expect("dep_kinds")
                        .push(dk);
                } else {
                    resolved.push(json!({
                        "name": d.rename.clone().unwrap_or(to_name.clone()).replace('-', "_"),
                        "pkg": to_id, "dep_kinds": [dk],
                    }));
                }
            }
            let manifest = if *member {
                format!("/ws/{name}/Cargo.toml")
            } else {
                format!("/registry/{name}-{version}/Cargo.toml")
            };
            packages.push(json!({
                "name": name, "version": version, "id": pid,
                "source": if *member { Value::Null } else { json!(REGISTRY) },
                "dependencies": declared, "features": {}, "manifest_path": manifest,
                "targets": [{
                    "kind": ["lib"], "crate_types": ["lib"], "name": name.replace('-', "_"),
                    "src_path": manifest.replace("Cargo.toml", "src/lib.rs"), "edition": "2021",
                    "doctest": true, "test": true, "doc": true
                }],
                "edition": "2021", "authors": [], "categories": [], "keywords": [],
                "license": null, "license_file": null, "description": null, "readme": null,
                "repository": null, "homepage": null, "documentation": null, "links": null,
                "publish": null, "metadata": null, "default_run": null, "rust_version": null,
            }));
            let deps: Vec<&Value> = resolved.iter().collect();
            let dep_ids: Vec<&Value> = resolved.iter().map(|r| &r["pkg"]).collect();
            nodes.push(json!({"id": pid, "dependencies": dep_ids, "deps": deps, "features": []}));
        }
        let members: Vec<String> = self
            .packages
            .iter()
            .filter(|p| p.2)
            .map(|(n, v, _)| id(n, v, true))
            .collect();
        json!({
            "packages": packages,
            "workspace_members": members,
            "workspace_default_members": members,
            "resolve": {"nodes": nodes, "root": null},
            "target_directory": "/ws/target",
            "version": 1,
            "workspace_root": "/ws",
            "metadata": null,
        })
        .to_string()
    }

    pub(crate) fn graph(&self) -> crate::graph::DepGraph {
        crate::graph::DepGraph::from_metadata_json(&self.json(), "test").expect("valid metadata")
    }
}

impl Builder {
    /// Reverses the order packages and edges are listed in.
    pub(crate) fn reverse_for_test(&mut self) {
        self.packages.reverse();
        self.deps.reverse();
    }
}
