//! Input: the only place that spawns cargo or git or reads workspace files.
//!
//! `load` turns a request into one [`Workspace`] for every mode (`cargo metadata`, saved
//! metadata JSON, or Cargo.lock and the manifests beside it): the graph, the configuration
//! and the shared policy file (read once, here), the analysis options (command line over
//! configuration over defaults), the policy (rules and the day they are judged on) and the
//! span index over the manifests (read and parsed once, here; the lockfile mode's own parse
//! is reused). `Workspace::edited` reads the metadata cargo resolved for an edited copy the
//! same way, with the same settings.
//!
//! `cargo` runs cargo and reads saved metadata; `lockfile` builds the graph from Cargo.lock and
//! the workspace's manifests; `hakari` recognises generated workspace-hack members; `vcs` asks
//! git about uncommitted changes and the repository's top level; `settings` merges and checks
//! what the graph and the configuration say; `fleet` finds the workspaces `scan` reads.
//!
//! Other reads have their own owners: the registry reads its index, the writer
//! (`manifest::write`, `manifest::edit`) reads the bytes it is about to replace, and `verify`
//! copies the workspace it proves a plan on.

pub mod cargo;
pub(crate) mod fleet;
pub mod hakari;
pub mod lockfile;
mod settings;
pub mod vcs;

use std::path::{Path, PathBuf};

use crate::config::{self, Config};
use crate::error::Error;
use crate::graph::DepGraph;
use crate::manifest::document::Manifest;
use crate::manifest::spans::SpanIndex;
use crate::policy::{BASELINE_SCHEMA_VERSION, Baseline, Policy};
use crate::{Command, Request, analysis};

pub use crate::request::{CargoOptions, Input};

/// A loaded workspace: everything the later stages read, and nothing they must read again.
#[derive(Debug)]
pub struct Workspace {
    /// The resolved graph, its generated members marked (their dependencies are compiled,
    /// and kept, but they are nobody's own use).
    pub graph: DepGraph,
    pub config: Config,
    /// The command line over the configuration over the defaults.
    pub opts: analysis::Options,
    /// Levels, allow entries and dated version rules, with the day they are judged on.
    pub policy: Policy,
    /// Generated members (cargo-hakari workspace-hack): never counted as a member's own use.
    pub generated: Vec<String>,
    /// Read from Cargo.lock alone, without cargo.
    pub lockfile_mode: bool,
    /// Where each dependency is declared, and the texts the reports quote (the member
    /// manifests and the configuration file), read once.
    pub spans: SpanIndex,
}

/// Loads the workspace `req` names, with `base` as the command line's analysis options:
/// reads the graph and the configuration (once), merges the options, checks the members and
/// `-p` names, marks generated members and builds the policy.
pub(crate) fn load(req: &Request, base: &analysis::Options) -> Result<Workspace, Error> {
    load_located(req, base, None)
}

/// `load`, for a workspace whose root the caller has already found with `cargo::locate`
/// (`fix` holds the workspace's lock from before cargo first runs), so cargo is not asked
/// again.
pub(crate) fn load_located(
    req: &Request,
    base: &analysis::Options,
    located: Option<cargo::Located>,
) -> Result<Workspace, Error> {
    let (graph, config, parsed) = read(req, located)?;
    let opts = settings::merge_options(base, &config, req)?;
    settings::check_members(&graph, matches!(req.command, Command::Fix(_)))?;
    // Read only now: a member reached through a link that leaves the root is refused above.
    let manifests = parsed.unwrap_or_else(|| read_member_manifests(&graph));
    let mut spans = SpanIndex::new(graph.workspace_root().to_owned(), manifests);
    let (graph, generated) = hakari::mark_hacks(graph, &|path| spans.text(path));
    settings::check_packages(&graph, &opts.packages)?;
    let policy = settings::policy(req, &config, graph.workspace_root(), &opts.watch)?;
    if let (Some(file), Some(text)) = (&config.file, &config.text) {
        spans.insert(file.clone(), text.clone());
    }
    Ok(Workspace {
        graph,
        config,
        opts,
        policy,
        generated,
        lockfile_mode: matches!(req.input, Input::Lockfile { .. }),
        spans,
    })
}

impl Workspace {
    /// The workspace as cargo resolved an edited copy of it (`json`: the copy's `cargo
    /// metadata`): the graph read as every metadata input is, its generated members marked
    /// as here, and this workspace's configuration, options and policy.
    pub(crate) fn edited(&self, json: &str) -> Result<Workspace, Error> {
        let graph = DepGraph::from_metadata_json(json, "the verification copy")?;
        Ok(Workspace {
            graph: hakari::mark_named(graph, &self.generated),
            config: self.config.clone(),
            opts: self.opts.clone(),
            policy: self.policy.clone(),
            generated: self.generated.clone(),
            lockfile_mode: false,
            // The copy's findings are compared, never shown: nothing to locate.
            spans: SpanIndex::default(),
        })
    }
}

/// The graph and the configuration, for each input mode, and in the lockfile mode the
/// manifests it parsed to build the graph. With cargo, the configuration is read first: its
/// `targets` are passed to `cargo metadata`.
fn read(
    req: &Request,
    located: Option<cargo::Located>,
) -> Result<(DepGraph, Config, Option<lockfile::Parsed>), Error> {
    let explicit = req.config.as_deref();
    match &req.input {
        Input::Cargo(opts) => {
            let located = match located {
                Some(located) => located,
                None => cargo::locate(opts)?,
            };
            let config = load_config(&located.root_dir, explicit)?;
            let mut opts = opts.clone();
            if opts.targets.is_empty()
                && let Some(targets) = &config.targets
            {
                opts.targets = targets.clone();
            }
            let json =
                cargo::metadata_at(&located.manifest, &located.root_dir, &opts, &located.shown)?;
            let name = format!("cargo metadata for {}", located.shown);
            Ok((DepGraph::from_metadata_json(&json, &name)?, config, None))
        }
        Input::File(path) => {
            let (json, name) = cargo::read_saved(path)?;
            let graph = DepGraph::from_metadata_json(&json, &name)?;
            let config = load_config(graph.workspace_root(), explicit)?;
            Ok((graph, config, None))
        }
        Input::Lockfile {
            lockfile,
            manifest_path,
        } => {
            let (graph, parsed) = read_lockfile(lockfile.as_deref(), manifest_path.as_deref())?;
            let config = load_config(graph.workspace_root(), explicit)?;
            Ok((graph, config, Some(parsed)))
        }
    }
}

/// The configuration of the workspace at `root`: `--config FILE` when given, else what
/// discovery finds in the root manifest or `etcd-deps.toml`. The files are read here.
pub(crate) fn load_config(root: &Path, explicit: Option<&Path>) -> Result<Config, Error> {
    if let Some(path) = explicit {
        return config::parse_file(root, path, read_text(path)?);
    }
    let standalone = root.join("etcd-deps.toml");
    let files = config::Files {
        manifest: std::fs::read_to_string(root.join("Cargo.toml")).ok(),
        standalone: standalone
            .is_file()
            .then(|| std::fs::read_to_string(&standalone)),
    };
    config::discover(root, files)
}

/// The text of a file the user named, or an error naming it.
pub(crate) fn read_text(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })
}

/// The lockfile mode's input: the graph from Cargo.lock and the manifests beside it. With no
/// path, the Cargo.lock of the workspace around `manifest_path` (or the current directory).
fn read_lockfile(
    lockfile: Option<&Path>,
    manifest_path: Option<&Path>,
) -> Result<(DepGraph, lockfile::Parsed), Error> {
    let cwd = std::env::current_dir().map_err(|source| Error::Read {
        path: PathBuf::from("."),
        source,
    })?;
    let lock = match lockfile {
        Some(p) => {
            let p = cwd.join(p);
            if p.is_dir() { p.join("Cargo.lock") } else { p }
        }
        None => {
            let start = manifest_path
                .map(|m| cwd.join(m))
                .and_then(|m| m.parent().map(Path::to_owned))
                .unwrap_or_else(|| cwd.clone());
            start
                .ancestors()
                .map(|d| d.join("Cargo.lock"))
                .find(|p| p.is_file())
                .ok_or_else(|| Error::Manifest {
                    path: start.clone(),
                    message: "no Cargo.lock here or in any parent directory; run `cargo generate-lockfile`, or pass --lockfile PATH".to_owned(),
                })?
        }
    };
    let file = std::fs::File::open(&lock).map_err(|source| Error::Read {
        path: lock.clone(),
        source,
    })?;
    let text = cargo::read_limited(file, &lock)?;
    let root = lock.parent().map(Path::to_owned).unwrap_or_default();
    let lock_err = |e: lockfile::LockError| Error::Lockfile {
        path: e.path,
        message: e.message,
    };
    let (members, parsed) = lockfile::read_manifests(&root).map_err(lock_err)?;
    let graph = lockfile::graph(&lock, &text, &members, &root).map_err(lock_err)?;
    Ok((graph, parsed))
}

/// The manifests of the members of a graph cargo resolved, and the root's, read and parsed
/// once for the span index (`None`: not readable or not TOML, as with saved metadata from
/// another machine).
fn read_member_manifests(graph: &DepGraph) -> lockfile::Parsed {
    let root_manifest = graph.workspace_root().join("Cargo.toml");
    let members = graph
        .members()
        .iter()
        .map(|&m| graph.package(m).manifest_path.clone());
    let mut paths: Vec<PathBuf> = members.chain([root_manifest]).collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .map(|path| {
            let doc = std::fs::read_to_string(&path)
                .ok()
                .and_then(|text| Manifest::parse(text).ok());
            (path, doc)
        })
        .collect()
}

/// The baseline `check` compares with (`--baseline FILE`, else the configuration's
/// `baseline`, relative to the workspace root), with its name as given, for messages.
pub(crate) fn baseline(
    given: Option<&Path>,
    config: &Config,
    root: &Path,
) -> Result<Option<(String, Baseline)>, Error> {
    let (path, shown) = match (given, &config.baseline) {
        (Some(p), _) => (p.to_owned(), p.display().to_string()),
        (None, Some(p)) => (root.join(p), p.display().to_string()),
        (None, None) => return Ok(None),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(source) => {
            return Err(Error::BaselineUnreadable {
                path,
                shown,
                source,
            });
        }
    };
    let b: Baseline = match serde_json::from_str(&text) {
        Ok(b) => b,
        Err(source) => {
            return Err(Error::BaselineInvalid {
                path,
                shown,
                source,
            });
        }
    };
    if b.schema_version != BASELINE_SCHEMA_VERSION {
        return Err(Error::BaselineVersion {
            path,
            shown,
            found: b.schema_version,
            expected: BASELINE_SCHEMA_VERSION,
        });
    }
    Ok(Some((shown, b)))
}
