//! What the loaded graph and configuration make of the command line: the analysis options,
//! the policy (rules and the day), and the checks on members and `-p` names.

use std::path::Path;

use crate::config::{self, Config, PolicyRule};
use crate::error::Error;
use crate::graph::{self, DepGraph};
use crate::policy::{Policy, window};
use crate::{Request, analysis};

/// The command line over the configuration over the defaults.
pub(super) fn merge_options(
    base: &analysis::Options,
    config: &Config,
    req: &Request,
) -> Result<analysis::Options, Error> {
    let mut opts = base.clone();
    if let Some(watch) = &config.watch {
        opts.watch.primary = watch.clone();
        for w in &req.extra_watch {
            if !opts.watch.primary.contains(w) {
                opts.watch.primary.push(w.clone());
            }
        }
    }
    if let Some(trains) = &config.trains {
        opts.watch.trains = trains.clone();
    }
    if let Some(family) = &config.family {
        opts.watch.family = family.clone();
    }
    if !req.edges_given
        && let Some(edges) = &config.edges
    {
        opts.edges = graph::KindSet::from_words(edges).map_err(Error::Usage)?;
    }
    Ok(opts)
}

/// The policy: the configuration's levels and allow entries, its `policy` rules and the shared
/// file's, and the day the rules are judged on (only looked up when some rule applies).
pub(super) fn policy(
    req: &Request,
    config: &Config,
    root: &Path,
    watch: &analysis::Watch,
) -> Result<Policy, Error> {
    let rules = policy_rules(req, config, root, watch)?;
    let today = match rules.is_empty() {
        true => None,
        false => Some(window::today(req.today, req.source_date_epoch.as_deref())?),
    };
    Ok(Policy::new(config, rules, today))
}

/// The workspace's `policy` rules, then the shared file's (`--policy`, else `policy-file`);
/// every rule must name a watched crate.
fn policy_rules(
    req: &Request,
    config: &Config,
    root: &Path,
    watch: &analysis::Watch,
) -> Result<Vec<PolicyRule>, Error> {
    let shared = match (&req.policy_file, &config.policy_file) {
        (Some(p), _) => Some(p.clone()),
        (None, Some(p)) => Some(root.join(p)),
        (None, None) => None,
    };
    let shared = match shared {
        Some(path) => Some(shared_policy(root, &path)?),
        None => None,
    };
    let watched: Vec<&str> = watch
        .primary
        .iter()
        .chain(watch.trains.iter().flatten())
        .chain(&watch.family)
        .map(String::as_str)
        .collect();
    // Each file's rules are checked against the text they were read from, the
    // workspace's first.
    let own_text = config.text.as_deref().unwrap_or_default();
    config::check_policy_crates(&config.policy, &watched, root, own_text)?;
    let mut rules = config.policy.clone();
    if let Some((shared_rules, text)) = shared {
        config::check_policy_crates(&shared_rules, &watched, root, &text)?;
        rules.extend(shared_rules);
    }
    Ok(rules)
}

/// The rules of the shared policy file at `path` (named relative to `root` in messages), and
/// its text.
pub(super) fn shared_policy(root: &Path, path: &Path) -> Result<(Vec<PolicyRule>, String), Error> {
    let text = super::read_text(path)?;
    let rules = config::parse_policy_file(root, path, &text)?;
    Ok((rules, text))
}

/// Every `-p` name must be a member of the workspace.
pub(super) fn check_packages(graph: &DepGraph, packages: &[String]) -> Result<(), Error> {
    for p in packages {
        if !graph.members().iter().any(|&m| graph.package(m).name == *p) {
            let mut names: Vec<&str> = graph
                .members()
                .iter()
                .map(|&m| graph.package(m).name.as_str())
                .collect();
            names.sort_unstable();
            return Err(Error::Usage(format!(
                "package `{p}` is not a member of the workspace at {} (members: {})",
                graph.workspace_root().display(),
                names.join(", ")
            )));
        }
    }
    Ok(())
}

/// A workspace must have members, and their manifests must not lead out of the workspace root
/// through a symbolic link (the tool reads them, and `fix`, which `edits` says, would write
/// them).
pub(super) fn check_members(graph: &DepGraph, edits: bool) -> Result<(), Error> {
    let root = graph.workspace_root();
    if graph.members().is_empty() {
        return Err(Error::Manifest {
            path: root.join("Cargo.toml"),
            message: "the workspace has no members: nothing to check".to_owned(),
            source: None,
        });
    }
    let Ok(real_root) = root.canonicalize() else {
        // Saved metadata from another machine: nothing on disk to follow.
        return Ok(());
    };
    for &m in graph.members() {
        let manifest = &graph.package(m).manifest_path;
        // A member written outside the root (`members = ["../shared/x"]`, pointing back with
        // `package.workspace`) is cargo's to allow and the tool's to read; only `fix`, which
        // writes inside the root alone, refuses it. A member inside the root whose real path
        // leaves it goes through a link.
        if !manifest.starts_with(root) {
            if edits {
                return Err(Error::Refused {
                    path: manifest.clone(),
                    reason: "the member lies outside the workspace root, and `fix` edits only manifests inside it".to_owned(),
                    help: Some("run `check` for this workspace, and fix the member from its own checkout".to_owned()),
                });
            }
            continue;
        }
        if let Ok(real) = manifest.canonicalize()
            && !real.starts_with(&real_root)
        {
            let (verb, help) = if edits {
                (
                    "edit",
                    "`fix` edits only manifests inside the workspace root",
                )
            } else {
                (
                    "read",
                    "the tool reads only manifests inside the workspace root: run it in the workspace that holds this member",
                )
            };
            return Err(Error::LinkLeavesRoot {
                path: manifest.clone(),
                real,
                verb,
                help: help.to_owned(),
            });
        }
    }
    Ok(())
}
