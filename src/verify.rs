//! Proof of a fix plan: the changes are applied to a copy of the workspace's manifests and
//! lockfile, cargo re-resolves the copy against the user's own sources, and the analysis runs
//! again. "Verified" means cargo resolves it and the targeted findings are gone; it does not
//! mean the code compiles.
//!
//! The copy lives in `<workspace root>/target/etcd-deps/verify-*`, inside the workspace, so
//! cargo run from it sees the same `.cargo/config.toml` files (source replacement, vendoring)
//! as the workspace itself, with their relative paths intact. It is removed afterwards.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::{self, Finding, Level};
use crate::error::Error;
use crate::graph::DepGraph;
use crate::manifest::edit::FileChange;
use crate::metadata::{self, CargoOptions};
use crate::plan::FixPlan;

/// The outcome of re-resolving the edited copy.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Verification {
    /// cargo resolved the edited workspace.
    pub resolved: bool,
    /// Resolved, and every finding the plan targets is gone.
    pub verified: bool,
    /// Versions of each involved crate before and after.
    pub before: BTreeMap<String, Vec<String>>,
    pub after: BTreeMap<String, Vec<String>>,
    /// Findings left after the changes (splits inside the target line itself, or findings
    /// the plan could not fix).
    pub residual: Vec<Residual>,
    /// Why verification failed or could not run (cargo's own message when it refused).
    pub message: Option<String>,
}

/// A finding left after the changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Residual {
    pub code: String,
    #[serde(rename = "crate")]
    pub krate: String,
    pub level: Level,
    pub versions: Vec<String>,
    pub message: String,
}

/// Whether a finding is one `fix` plans for.
pub fn in_scope(f: &Finding, include_warnings: bool) -> bool {
    f.caused_by.is_none()
        && match f.level {
            Level::Error => true,
            Level::Warning => include_warnings,
            Level::Note => false,
        }
}

/// Applies `changes` and `plan.commands` to a copy of the workspace and re-runs the analysis.
pub fn verify(
    graph: &DepGraph,
    findings: &[Finding],
    plan: &FixPlan,
    changes: &[FileChange],
    cargo: &CargoOptions,
    analysis_opts: &analysis::Options,
    include_warnings: bool,
) -> Result<Verification, Error> {
    // The findings the plan claims to fix: those in scope that are not reported unfixable.
    let unfixable: BTreeSet<&str> = plan.unfixable.iter().map(|u| u.finding.as_str()).collect();
    let targeted: BTreeSet<(String, String)> = findings
        .iter()
        .filter(|f| in_scope(f, include_warnings))
        .filter(|f| !unfixable.contains(format!("{}:{}", f.code, f.krate).as_str()))
        .map(|f| (f.code.to_string(), f.krate.clone()))
        .collect();
    let before_keys: BTreeSet<(String, String)> = findings
        .iter()
        .map(|f| (f.code.to_string(), f.krate.clone()))
        .collect();
    let mut crates: BTreeSet<String> = BTreeSet::new();
    for f in findings.iter().filter(|f| in_scope(f, include_warnings)) {
        crates.insert(f.krate.clone());
        crates.extend(f.collateral.iter().cloned());
    }
    let before = versions_of(graph, &crates);

    let root = graph.workspace_root().to_owned();
    let copy = match Copy::new(graph, &root) {
        Ok(copy) => copy,
        Err(CopyError::Unsupported(message)) => {
            return Ok(Verification {
                before,
                message: Some(message),
                ..Verification::default()
            });
        }
        Err(CopyError::Io(path, source)) => return Err(Error::Write { path, source }),
    };
    for change in changes {
        let target = copy.dir.join(&change.rel);
        let text = if change.rel == "Cargo.toml" {
            point_patches_at_originals(&change.after, &root, &copy.dir)
        } else {
            change.after.clone()
        };
        std::fs::write(&target, text).map_err(|source| Error::Write {
            path: target.clone(),
            source,
        })?;
    }

    // The copy's lockfile is ours to change, whatever --locked says about the user's.
    let copy_opts = CargoOptions {
        locked: false,
        frozen: false,
        offline: cargo.offline || cargo.frozen,
        manifest_path: None,
        ..cargo.clone()
    };
    let manifest = copy.dir.join("Cargo.toml");
    let resolved = plan
        .commands
        .iter()
        .try_for_each(|argv| metadata::cargo_at(&argv[1..], &manifest, &copy.dir, &copy_opts))
        .and_then(|()| {
            metadata::metadata_at(&manifest, &copy.dir, &copy_opts, "the verification copy")
        });
    let json = match resolved {
        Ok(json) => json,
        Err(Error::CargoFailed { stderr, .. }) => {
            return Ok(Verification {
                before,
                message: Some(format!(
                    "cargo could not resolve the edited workspace:\n{stderr}"
                )),
                ..Verification::default()
            });
        }
        Err(e) => return Err(e),
    };
    let new_graph = DepGraph::from_metadata_json(&json, "the verification copy")?;
    let mut after_findings = analysis::analyze(&new_graph, analysis_opts);
    // Policy rules travel with the findings they made: judge them again on the new graph.
    after_findings.extend(crate::window::rejudge(&new_graph, analysis_opts, findings));
    let after = versions_of(&new_graph, &crates);
    drop(copy);

    let residual: Vec<Residual> = after_findings
        .iter()
        .filter(|f| f.level != Level::Note)
        .map(|f| Residual {
            code: f.code.to_string(),
            krate: f.krate.clone(),
            level: f.level,
            versions: f.versions.iter().map(|v| v.version.to_string()).collect(),
            message: f.message.clone(),
        })
        .collect();
    let remaining = after_findings
        .iter()
        .any(|f| targeted.contains(&(f.code.to_string(), f.krate.clone())));
    // An edit that fixes one finding must not create another.
    let new_errors: Vec<String> = after_findings
        .iter()
        .filter(|f| f.level == Level::Error)
        .filter(|f| !before_keys.contains(&(f.code.to_string(), f.krate.clone())))
        .map(|f| format!("{} {}", f.code, f.krate))
        .collect();
    Ok(Verification {
        resolved: true,
        verified: !remaining && new_errors.is_empty(),
        before,
        after,
        residual,
        message: (!new_errors.is_empty()).then(|| {
            format!(
                "the edits introduce new findings: {}",
                new_errors.join(", ")
            )
        }),
    })
}

/// `[patch]` entries with a relative `path` that the copy does not contain (a fork the user
/// named with `--patch-with`) are pointed at the original directory, so cargo reads the fork
/// where it is.
fn point_patches_at_originals(text: &str, root: &Path, copy: &Path) -> String {
    let Ok(mut doc) = text.parse::<toml_edit::DocumentMut>() else {
        return text.to_owned();
    };
    let Some(patch) = doc
        .get_mut("patch")
        .and_then(toml_edit::Item::as_table_like_mut)
    else {
        return text.to_owned();
    };
    for (_, registry) in patch.iter_mut() {
        let Some(registry) = registry.as_table_like_mut() else {
            continue;
        };
        for (_, entry) in registry.iter_mut() {
            let Some(entry) = entry.as_table_like_mut() else {
                continue;
            };
            let Some(path) = entry.get("path").and_then(toml_edit::Item::as_str) else {
                continue;
            };
            let path = PathBuf::from(path);
            if path.is_relative() && !copy.join(&path).exists() {
                let original = root.join(&path);
                entry.insert(
                    "path",
                    toml_edit::value(original.to_string_lossy().into_owned()),
                );
            }
        }
    }
    doc.to_string()
}

/// The resolved versions of each crate in `crates`, ascending; a version present from two
/// sources names each source (`0.12.3 (a path)`, `0.12.3 (crates.io)`).
fn versions_of(graph: &DepGraph, crates: &BTreeSet<String>) -> BTreeMap<String, Vec<String>> {
    let by_name = graph.by_name();
    crates
        .iter()
        .map(|c| {
            let mut versions: Vec<_> = by_name
                .get(c.as_str())
                .map(|nodes| {
                    nodes
                        .iter()
                        .map(|&n| {
                            let p = graph.package(n);
                            (p.version.clone(), p.source.clone())
                        })
                        .collect()
                })
                .unwrap_or_default();
            versions.sort();
            versions.dedup();
            let shown = versions
                .iter()
                .map(|(v, source)| {
                    if versions.iter().filter(|(w, _)| w == v).count() > 1 {
                        format!("{v} ({})", analysis::source_label(source.as_deref()))
                    } else {
                        v.to_string()
                    }
                })
                .collect();
            (c.clone(), shown)
        })
        .collect()
}

enum CopyError {
    Unsupported(String),
    Io(PathBuf, std::io::Error),
}

/// A copy of the workspace's manifests, lockfile and (empty) target sources.
struct Copy {
    dir: PathBuf,
    _tmp: tempfile::TempDir,
    cleanup: Vec<PathBuf>,
}

impl Copy {
    fn new(graph: &DepGraph, root: &Path) -> Result<Copy, CopyError> {
        let io = |p: &Path| {
            let p = p.to_owned();
            move |e| CopyError::Io(p, e)
        };
        let target = root.join("target");
        let base = target.join("etcd-deps");
        let mut cleanup = Vec::new();
        for dir in [&target, &base] {
            if !dir.exists() {
                std::fs::create_dir(dir).map_err(io(dir))?;
                cleanup.push(dir.clone());
            }
        }
        let tmp = tempfile::Builder::new()
            .prefix("verify-")
            .tempdir_in(&base)
            .map_err(io(&base))?;
        let dir = tmp.path().to_owned();
        let copy_file = |from: &Path, rel: &Path| -> Result<(), CopyError> {
            let to = dir.join(rel);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
            std::fs::copy(from, &to).map_err(io(from))?;
            Ok(())
        };
        copy_file(&root.join("Cargo.toml"), Path::new("Cargo.toml"))?;
        if root.join("Cargo.lock").is_file() {
            copy_file(&root.join("Cargo.lock"), Path::new("Cargo.lock"))?;
        }
        for node in graph.nodes() {
            let pkg = graph.package(node);
            if pkg.source.is_some() {
                continue;
            }
            let Ok(rel) = pkg.manifest_path.strip_prefix(root) else {
                return Err(CopyError::Unsupported(format!(
                    "{} lies outside the workspace root, so the workspace cannot be copied for verification",
                    pkg.manifest_path.display()
                )));
            };
            if rel != Path::new("Cargo.toml") {
                copy_file(&pkg.manifest_path, rel)?;
            }
            for src in &pkg.target_sources {
                let Ok(rel) = src.strip_prefix(root) else {
                    continue;
                };
                let to = dir.join(rel);
                if !to.exists() {
                    if let Some(parent) = to.parent() {
                        std::fs::create_dir_all(parent).map_err(io(parent))?;
                    }
                    std::fs::write(&to, "").map_err(io(&to))?;
                }
            }
        }
        Ok(Copy {
            dir,
            _tmp: tmp,
            cleanup,
        })
    }
}

impl Drop for Copy {
    fn drop(&mut self) {
        // Remove the directories this copy created, innermost first, if they are empty.
        // The temp dir itself is removed by `TempDir`, which drops after this.
        let tmp = self.dir.clone();
        let _ = std::fs::remove_dir_all(&tmp);
        for dir in self.cleanup.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}
