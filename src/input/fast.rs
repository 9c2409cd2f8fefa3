//! The fast path of `check`: the graph `cargo metadata` would give, read from Cargo.lock, the
//! workspace's manifests and cargo's local index data, and used only where it can show that
//! it equals cargo's answer.
//!
//! That holds when Cargo.lock is there and fresh (judged as `cargo metadata --locked` judges
//! it: a stale lock is left to cargo, which updates it as before), every locked package's
//! declarations and features are known (a manifest for local packages, the local index data
//! for registry ones: a git package, a registry this tool cannot read or an index cache with
//! no entry leave it to cargo), the feature resolve can be decided (see `features`), and the
//! workspace uses nothing this path does not model (`[replace]`, unstable `cargo-features`, a
//! `[patch]` in cargo's configuration files, feature flags under resolver 1, an unknown
//! `--target`). Otherwise the reason is returned
//! and `input` asks cargo.

use std::path::Path;

use toml_edit::Item;

use super::features::Requested;
use super::{CargoOptions, lockfile};
use crate::config::Config;
use crate::graph::DepGraph;
use crate::manifest::document::Manifest;

/// Why cargo must answer, with the manifests the fast path had parsed by then, if it got that
/// far: the cargo path takes them rather than reading them again.
pub(super) struct Fallback {
    pub(super) why: String,
    pub(super) parsed: Option<lockfile::Parsed>,
}

impl From<String> for Fallback {
    fn from(why: String) -> Fallback {
        Fallback { why, parsed: None }
    }
}

/// The graph, the configuration and the parsed manifests, or why cargo must answer.
pub(super) fn read(
    opts: &CargoOptions,
    explicit_config: Option<&Path>,
) -> Result<(DepGraph, Config, lockfile::Parsed), Fallback> {
    let cwd = std::env::current_dir().map_err(|e| format!("no current directory: {e}"))?;
    let requested = Requested::new(&opts.features, opts.all_features, opts.no_default_features);
    let from =
        super::read_lockfile_with(&cwd, None, opts.manifest_path.as_deref(), Some(&requested))
            .map_err(|e| format!("Cargo.lock cannot be used as it is: {e}"))?;
    let super::FromLock {
        graph,
        parsed,
        lacking,
        undecided,
    } = from;
    match decide(
        graph,
        (&lacking, undecided),
        &parsed,
        opts,
        &requested,
        explicit_config,
    ) {
        Ok((graph, config)) => Ok((graph, config, parsed)),
        Err(why) => Err(Fallback {
            why,
            parsed: Some(parsed),
        }),
    }
}

/// The graph read from Cargo.lock on the requested targets and the configuration, when
/// nothing stands in the way of the fast path's answer; else why cargo must answer.
fn decide(
    graph: DepGraph,
    (lacking_facts, undecided): (&[String], Option<String>),
    parsed: &lockfile::Parsed,
    opts: &CargoOptions,
    requested: &Requested,
    explicit_config: Option<&Path>,
) -> Result<(DepGraph, Config), String> {
    if !lacking_facts.is_empty() {
        return Err(lacking(lacking_facts));
    }
    if let Some(why) = undecided {
        return Err(format!("the feature resolve cannot be decided: {why}"));
    }
    let root = graph.workspace_root().to_owned();
    let root_manifest = parsed
        .iter()
        .find(|(p, _)| *p == root.join("Cargo.toml"))
        .and_then(|(_, doc)| doc.as_ref());
    if let Some(doc) = root_manifest {
        unmodelled(doc, requested.any())?;
    }
    if let Some(file) = crate::registry::config_patch(&root) {
        return Err(format!(
            "cargo's configuration {} has a `[patch]` table (or cannot be read)",
            file.display()
        ));
    }
    let config = super::load_config(&root, explicit_config)
        .map_err(|e| format!("the configuration cannot be read: {e}"))?;
    let targets = match (opts.targets.is_empty(), &config.targets) {
        (true, Some(t)) => t.clone(),
        _ => opts.targets.clone(),
    };
    Ok((lockfile::on_targets(graph, &targets)?, config))
}

/// The reason for packages without facts.
fn lacking(names: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut shown = names[..names.len().min(SHOWN)].join(", ");
    if names.len() > SHOWN {
        shown.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    format!("no manifest and no local index data describe the dependencies of {shown}")
}

/// What the root manifest uses that the fast path does not model, if anything.
fn unmodelled(doc: &Manifest, features_given: bool) -> Result<(), String> {
    if doc.get("cargo-features").is_some() {
        return Err("the workspace uses unstable `cargo-features`".to_owned());
    }
    if doc.get("replace").is_some() {
        return Err("the workspace uses `[replace]`".to_owned());
    }
    if features_given && resolver(doc) < 2 {
        return Err("feature flags under resolver 1 apply to the current package only".to_owned());
    }
    Ok(())
}

/// The workspace's resolver version: `resolver` in `[workspace]` or `[package]`, else the
/// root package's edition's default (1 for a virtual workspace without one).
fn resolver(doc: &Manifest) -> u8 {
    let table = |name: &str| doc.get(name).and_then(Item::as_table_like);
    let field = |t: &str, f: &str| table(t).and_then(|t| t.get(f)).and_then(Item::as_str);
    let written = field("workspace", "resolver").or_else(|| field("package", "resolver"));
    if let Some(r) = written {
        return r.parse().unwrap_or(1);
    }
    match field("package", "edition") {
        Some("2024") => 3,
        Some("2021") => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Manifest {
        Manifest::parse(text.to_owned()).expect("toml")
    }

    #[test]
    fn the_resolver_follows_the_manifest_then_the_edition() {
        assert_eq!(resolver(&doc("[workspace]\nresolver = \"2\"\n")), 2);
        assert_eq!(resolver(&doc("[workspace]\nmembers = []\n")), 1);
        assert_eq!(
            resolver(&doc("[package]\nname = \"a\"\nedition = \"2021\"\n")),
            2
        );
        assert_eq!(
            resolver(&doc("[package]\nname = \"a\"\nedition = \"2024\"\n")),
            3
        );
    }

    #[test]
    fn what_the_fast_path_does_not_model_is_named() {
        let replace =
            doc("[workspace]\nresolver = \"2\"\n[replace]\n\"a:1.0.0\" = { path = \"a\" }\n");
        assert!(
            unmodelled(&replace, false)
                .expect_err("replace")
                .contains("[replace]")
        );
        let v1 = doc("[workspace]\nmembers = []\n");
        assert!(unmodelled(&v1, false).is_ok());
        assert!(
            unmodelled(&v1, true)
                .expect_err("resolver 1")
                .contains("resolver 1")
        );
        assert!(
            lacking(&["a 1".into(), "b 1".into(), "c 1".into(), "d 1".into()])
                .ends_with("and 1 more")
        );
    }
}
