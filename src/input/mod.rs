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
//! `cargo` runs cargo and reads saved metadata; `lockfile` builds the graph from Cargo.lock,
//! the workspace's manifests and what the registry's index data on this machine says of the
//! locked registry packages (asked of `registry::local_index` here, never the network);
//! `hakari` recognises generated workspace-hack members; `vcs` asks
//! git about uncommitted changes and the repository's top level; `settings` merges and checks
//! what the graph and the configuration say; `fleet` finds the workspaces `scan` reads.
//!
//! Other reads have their own owners: the registry reads its index (for the lockfile mode
//! too), the writer
//! (`manifest::write`, `manifest::edit`) reads the bytes it is about to replace, and `verify`
//! copies the workspace it proves a plan on.

pub mod build_log;
pub mod cargo;
mod fast;
pub mod features;
pub(crate) mod fleet;
mod fresh;
pub mod hakari;
pub mod lockfile;
mod settings;
pub mod vcs;
pub mod workspace;

use std::path::{Path, PathBuf};

use crate::config::{self, Config};
use crate::error::Error;
use crate::graph::DepGraph;
use crate::manifest::document::Manifest;
use crate::manifest::edit::FileChange;
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
    /// The workspace's configuration (`etcd-deps.toml` or the manifest's metadata table).
    pub config: Config,
    /// The command line over the configuration over the defaults.
    pub opts: analysis::Options,
    /// Levels, allow entries and dated version rules, with the day they are judged on.
    pub policy: Policy,
    /// Generated members (cargo-hakari workspace-hack): never counted as a member's own use.
    pub generated: Vec<String>,
    /// Read from Cargo.lock alone, without cargo.
    pub lockfile_mode: bool,
    /// The lockfile mode: the packages (`name version`) some of whose dependencies no
    /// manifest and no index data on this machine describe.
    pub lacking: Vec<String>,
    /// Where each dependency is declared, and the texts the reports quote (the member
    /// manifests and the configuration file), read once.
    pub spans: SpanIndex,
    /// `check` with no input flag: whether the fast path answered, else why cargo was asked.
    pub answered: Option<Answered>,
}

/// Which path answered a `check` given no input flag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answered {
    /// Cargo.lock, the manifests and cargo's local index data, shown equal to cargo's answer.
    Fast,
    /// `cargo metadata`, for this reason.
    Cargo(String),
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
    let Read {
        graph,
        config,
        parsed,
        prefetched,
        lacking,
        answered,
    } = read(req, located)?;
    let opts = settings::merge_options(base, &config, req)?;
    settings::check_members(&graph, matches!(req.command, Command::Fix(_)))?;
    // Read only now: a member reached through a link that leaves the root is refused above.
    let manifests = match parsed {
        Some(parsed) => parsed,
        None => read_member_manifests(&graph, prefetched)?,
    };
    let mut spans = SpanIndex::new(graph.workspace_root().to_owned(), manifests);
    let hakari_config = hakari::config_text(graph.workspace_root())?;
    let (graph, generated) =
        hakari::mark_hacks(graph, &|path| spans.text(path), hakari_config.as_deref());
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
        lacking,
        spans,
        answered,
    })
}

impl Workspace {
    /// The workspace as cargo resolved an edited copy of it (`json`: the copy's `cargo
    /// metadata`; `changes`: the edited manifests): the graph read as every metadata input is,
    /// its generated members marked as here, and this workspace's configuration, options
    /// and policy. The copy's paths read as the workspace's own and its span index holds the
    /// edited texts, so its findings are located in the manifests a next round of planning
    /// edits.
    pub(crate) fn edited(&self, json: &str, changes: &[FileChange]) -> Result<Workspace, Error> {
        let root = self.graph.workspace_root();
        let json = match (copy_root(json), root.to_str()) {
            (Some(copy), Some(root)) if copy != root => json.replace(copy, root),
            _ => json.to_owned(),
        };
        let graph = DepGraph::from_metadata_json(&json, "the verification copy")?;
        let manifests: Vec<(PathBuf, Option<Manifest>)> = graph
            .members()
            .iter()
            .map(|&m| graph.package(m).manifest_path.clone())
            .chain([root.join("Cargo.toml")])
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(|path| {
                let text = changes
                    .iter()
                    .find(|c| c.path == path)
                    .map(|c| c.after.clone())
                    .or_else(|| self.spans.text(&path).map(str::to_owned));
                let doc = text.and_then(|t| Manifest::parse(t).ok());
                (path, doc)
            })
            .collect();
        Ok(Workspace {
            graph: hakari::mark_named(graph, &self.generated),
            config: self.config.clone(),
            opts: self.opts.clone(),
            policy: self.policy.clone(),
            generated: self.generated.clone(),
            lockfile_mode: false,
            lacking: Vec::new(),
            spans: SpanIndex::new(root.to_owned(), manifests),
            answered: None,
        })
    }
}

/// The `workspace_root` of `cargo metadata` JSON, when it is written without escapes.
fn copy_root(json: &str) -> Option<&str> {
    const KEY: &str = "\"workspace_root\":\"";
    let start = json.rfind(KEY)? + KEY.len();
    let len = json[start..].find('"')?;
    let root = &json[start..start + len];
    (!root.contains('\\')).then_some(root)
}

/// What `read` gives `load`.
struct Read {
    graph: DepGraph,
    config: Config,
    /// The manifests the lockfile reader parsed (the lockfile mode, the fast path).
    parsed: Option<lockfile::Parsed>,
    /// Manifests read while cargo ran, by cargo's workspace rules as the fast path applies
    /// them: each is used for the member cargo names at the same path (see
    /// [`read_member_manifests`]).
    prefetched: lockfile::Parsed,
    /// The lockfile mode: the packages it lacks facts for.
    lacking: Vec<String>,
    answered: Option<Answered>,
}

/// Metadata JSON someone else ran cargo for (saved, or given to the library), named `name`
/// in errors; the configuration is discovered at the workspace root it names.
fn read_metadata(json: &str, name: &str, explicit: Option<&Path>) -> Result<Read, Error> {
    let graph = DepGraph::from_metadata_json(json, name)?;
    let config = load_config(graph.workspace_root(), explicit)?;
    Ok(Read {
        graph,
        config,
        parsed: None,
        prefetched: Vec::new(),
        lacking: Vec::new(),
        answered: None,
    })
}

/// The graph and the configuration, for each input mode, and in the lockfile mode the
/// manifests it parsed to build the graph and the packages it lacks facts for. With cargo,
/// the configuration is read first: its `targets` are passed to `cargo metadata`. `check`
/// with no input flag first tries the fast path (`fast::read`), and asks cargo only when
/// that cannot show its answer is cargo's.
fn read(req: &Request, located: Option<cargo::Located>) -> Result<Read, Error> {
    let explicit = req.config.as_deref();
    match &req.input {
        Input::Cargo(opts) => {
            let mut answered = None;
            let mut parsed = None;
            if matches!(req.command, Command::Check(_)) {
                let tried = match opts.cargo_metadata {
                    true => Err(fast::Fallback::from(
                        "--cargo-metadata asks cargo".to_owned(),
                    )),
                    false => fast::read(opts, explicit),
                };
                match tried {
                    Ok((graph, config, parsed)) => {
                        return Ok(Read {
                            graph,
                            config,
                            parsed: Some(parsed),
                            prefetched: Vec::new(),
                            lacking: Vec::new(),
                            answered: Some(Answered::Fast),
                        });
                    }
                    Err(fallback) => {
                        answered = Some(Answered::Cargo(fallback.why));
                        parsed = fallback.parsed;
                    }
                }
            }
            ask_cargo(opts, explicit, located, (answered, parsed))
        }
        Input::File(path) => {
            let (json, name) = cargo::read_saved(path)?;
            read_metadata(&json, &name, explicit)
        }
        Input::Json(json) => read_metadata(json, "the given cargo metadata", explicit),
        Input::Lockfile {
            lockfile,
            manifest_path,
            targets,
            feature_flags,
        } => {
            if let Some(flag) = feature_flags.first() {
                return Err(Error::Usage(format!(
                    "`{flag}` cannot be honoured in the lockfile mode: Cargo.lock holds every optional dependency, so it sees what --all-features sees; drop the flag, or drop --lockfile to let cargo resolve the features"
                )));
            }
            let cwd = std::env::current_dir().map_err(|source| Error::Read {
                path: PathBuf::from("."),
                source,
            })?;
            let FromLock {
                graph,
                parsed,
                lacking,
                ..
            } = read_lockfile(&cwd, lockfile.as_deref(), manifest_path.as_deref())?;
            let config = load_config(graph.workspace_root(), explicit)?;
            let targets = match (targets.is_empty(), &config.targets) {
                (true, Some(t)) => t.clone(),
                _ => targets.clone(),
            };
            let graph = lockfile::on_targets(graph, &targets).map_err(Error::Usage)?;
            Ok(Read {
                graph,
                config,
                parsed: Some(parsed),
                prefetched: Vec::new(),
                lacking,
                answered: None,
            })
        }
    }
}

/// The graph as `cargo metadata` answers, and the configuration (read first: its `targets`
/// are passed to cargo). The workspace's manifests the fast path parsed before it left the
/// answer to cargo (`parsed`), or else those read and parsed on another thread while cargo
/// runs, by cargo's rules as the fast path applies them, are for the span index to take those
/// cargo names too; the answer is read while cargo exits, and counts once cargo has ended
/// well.
fn ask_cargo(
    opts: &CargoOptions,
    explicit: Option<&Path>,
    located: Option<cargo::Located>,
    (answered, parsed): (Option<Answered>, Option<lockfile::Parsed>),
) -> Result<Read, Error> {
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
    let ask = || cargo::metadata_at(&located.manifest, &located.root_dir, &opts, &located.shown);
    let (answer, prefetched) = match parsed {
        Some(parsed) => (ask(), parsed),
        // Whatever the rules cannot read is left to the reading after cargo's answer.
        None => std::thread::scope(|s| {
            let prefetch = s.spawn(|| {
                workspace::layout(&located.manifest).map_or_else(|_| Vec::new(), |l| l.parsed)
            });
            (ask(), prefetch.join().unwrap_or_default())
        }),
    };
    let answer = answer?;
    let name = format!("cargo metadata for {}", located.shown);
    let graph = answer
        .text()
        .and_then(|json| DepGraph::from_metadata_json(json, &name));
    answer.finish()?;
    Ok(Read {
        graph: graph?,
        config,
        parsed: None,
        prefetched,
        lacking: Vec::new(),
        answered,
    })
}

/// The configuration of the workspace at `root`: `--config FILE` when given, else what
/// discovery finds in the root manifest or `etcd-deps.toml`. The files are read here.
pub(crate) fn load_config(root: &Path, explicit: Option<&Path>) -> Result<Config, Error> {
    if let Some(path) = explicit {
        return config::parse_file(root, path, read_text(path)?);
    }
    let files = config::Files {
        manifest: read_optional(&root.join("Cargo.toml"))?,
        standalone: read_optional(&root.join("etcd-deps.toml"))?.map(Ok),
    };
    config::discover(root, files)
}

/// The text of a file the user named, or an error naming it.
/// Refuses a shared policy file (`--policy FILE`) that cannot be read or is not valid, once,
/// before a command that loads many workspaces (`scan`) starts: every workspace would fail
/// on it alike.
pub(crate) fn check_policy_file(path: &Path) -> Result<(), Error> {
    let cwd = std::env::current_dir().map_err(|source| Error::Read {
        path: PathBuf::from("."),
        source,
    })?;
    settings::shared_policy(&cwd, path).map(drop)
}

pub(crate) fn read_text(path: &Path) -> Result<String, Error> {
    read_optional(path)?.ok_or_else(|| Error::Read {
        path: path.to_owned(),
        source: no_such_file(),
    })
}

/// The lockfile mode's input, as `read_lockfile` reads it.
pub struct FromLock {
    pub graph: DepGraph,
    /// The manifests parsed to build the graph, for the span index.
    pub parsed: lockfile::Parsed,
    /// The packages (`name version`) some of whose dependencies no manifest and no index data
    /// on this machine describe.
    pub lacking: Vec<String>,
    /// Asked for a feature resolve that could not be decided: why.
    pub undecided: Option<String>,
}

/// The lockfile mode's input: the graph from Cargo.lock, the manifests beside it and what
/// cargo's index data on this machine (never the network) says of the registry packages.
/// The workspace is the one cargo would load from `manifest_path` (or the nearest Cargo.toml
/// up from the current directory), and its Cargo.lock the root's; `lockfile`, when given,
/// must be that file, or a Cargo.lock with no manifest beside it (read alone).
pub fn read_lockfile(
    cwd: &Path,
    lockfile: Option<&Path>,
    manifest_path: Option<&Path>,
) -> Result<FromLock, Error> {
    read_lockfile_with(cwd, lockfile, manifest_path, None)
}

/// `read_lockfile`, and with `features` the resolve `cargo metadata` makes with those
/// feature flags (see `lockfile::build_with`): `FromLock::undecided` says when it cannot be
/// decided.
pub fn read_lockfile_with(
    cwd: &Path,
    lockfile: Option<&Path>,
    manifest_path: Option<&Path>,
    features: Option<&features::Requested>,
) -> Result<FromLock, Error> {
    let given = lockfile.map(|p| {
        let p = cwd.join(p);
        if p.is_dir() { p.join("Cargo.lock") } else { p }
    });
    let start = match (manifest_path, &given) {
        (Some(m), _) => Some(cwd.join(m)),
        (None, Some(lock)) => lock
            .parent()
            .map(|d| d.join("Cargo.toml"))
            .filter(|m| m.exists()),
        (None, None) => cwd
            .ancestors()
            .map(|d| d.join("Cargo.toml"))
            .find(|m| m.exists()),
    };
    let layout = start.as_deref().map(workspace::layout).transpose()?;
    let lock = match (&layout, given) {
        (Some(layout), Some(given)) => {
            // A lockfile named at the root (a copy under another name, too) is judged against
            // the workspace; one elsewhere (a member's leftover) is not what cargo reads.
            let expected = layout.root.join("Cargo.lock");
            let given = workspace::normalize(&given);
            if given.parent() != Some(layout.root.as_path()) {
                return Err(Error::Manifest {
                    path: given,
                    message: format!(
                        "cargo does not read this lockfile for the workspace at {}: it reads {}",
                        layout.root.display(),
                        expected.display()
                    ),
                    source: None,
                });
            }
            given
        }
        (Some(layout), None) => layout.root.join("Cargo.lock"),
        (None, Some(given)) => given,
        (None, None) => {
            return Err(Error::Manifest {
                path: cwd.to_owned(),
                message: "no Cargo.toml here or in any parent directory; run the tool inside a workspace, or pass --lockfile PATH".to_owned(), source: None,
            });
        }
    };
    let text = match read_optional(&lock)? {
        Some(text) => text,
        None if lockfile.is_some() => {
            return Err(Error::Read {
                path: lock,
                source: no_such_file(),
            });
        }
        None => {
            return Err(Error::Manifest {
                path: lock,
                message: "no Cargo.lock at the workspace root; run `cargo generate-lockfile`, or drop --lockfile to let cargo resolve the workspace".to_owned(), source: None,
            });
        }
    };
    let locked = lockfile::Locked::parse(&lock, &text)?;
    let (root, local, parsed) = match layout {
        Some(layout) => (
            layout.root,
            (layout.packages, layout.patches),
            layout.parsed,
        ),
        None => {
            let root = lock.parent().map(Path::to_owned).unwrap_or_default();
            (root, Default::default(), Vec::new())
        }
    };
    let local_packages = lockfile::Local {
        packages: &local.0,
        patches: &local.1,
    };
    let facts = registry_facts(&locked, &root);
    let built = lockfile::build_with(locked, local_packages, &root, &facts, features)?;
    Ok(FromLock {
        graph: built.graph,
        parsed,
        lacking: built.lacking,
        undecided: built.undecided,
    })
}

/// What cargo's index data on this machine (as the workspace's cargo configuration points at
/// it: a vendored directory, the local sparse-index cache) says of each registry package
/// Cargo.lock locks; never the network. A package it has no entry for, or whose source it
/// cannot read, has no facts.
fn registry_facts(lock: &lockfile::Locked<'_>, root: &Path) -> lockfile::Facts {
    let index = crate::registry::local_index(root);
    let mut facts = vec![None; lock.len()];
    // One batch: cargo's package-cache lock is taken once for every read, not per package.
    let wanted: Vec<_> = lock.registry_packages().collect();
    let read = index.declared_all(
        wanted
            .iter()
            .map(|(_, p, source)| (*source, p.name.as_str(), &p.version)),
    );
    for ((i, ..), declared) in wanted.iter().zip(read) {
        facts[*i] = declared.ok().flatten();
    }
    facts
}

/// The cause of a read error for a file found missing without asking the OS to open it.
pub(crate) fn no_such_file() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::NotFound, "no such file")
}

/// The text of a workspace file, read through the one reader: `None` when nothing is at
/// `path`; an error naming it when it cannot be read, is not a regular file, is larger than
/// the input limit or is not UTF-8. Never an empty answer for what could not be read.
pub(crate) fn read_optional(path: &Path) -> Result<Option<String>, Error> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // A dangling link is something, not nothing.
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(Error::Read {
                    path: path.to_owned(),
                    source: e,
                });
            }
            return Ok(None);
        }
        Err(source) => {
            return Err(Error::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    if !meta.is_file() {
        return Err(Error::Manifest {
            path: path.to_owned(),
            message: "is not a regular file".to_owned(),
            source: None,
        });
    }
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    cargo::read_limited(file, path).map(Some)
}

/// The manifests of the members of a graph cargo resolved, and the root's, read and parsed
/// once for the span index (`None`: no file there, as with saved metadata from another
/// machine, or not TOML). A manifest that is there but cannot be read is an error. One
/// already parsed at the same path (`prefetched`, while cargo ran) is taken as it is.
fn read_member_manifests(
    graph: &DepGraph,
    prefetched: lockfile::Parsed,
) -> Result<lockfile::Parsed, Error> {
    let mut prefetched: std::collections::HashMap<PathBuf, Manifest> = prefetched
        .into_iter()
        .filter_map(|(path, doc)| Some((path, doc?)))
        .collect();
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
            let doc = match prefetched.remove(&path) {
                Some(doc) => Some(doc),
                None => read_optional(&path)?.and_then(|text| Manifest::parse(text).ok()),
            };
            Ok((path, doc))
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
    let Some(text) = read_optional(&path)? else {
        return Err(Error::BaselineUnreadable {
            path,
            shown,
            source: no_such_file(),
        });
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
