//! cargo-etcd-deps: finds diverging versions of etcd-client, tonic and the gRPC crates that
//! must agree with them, explains where each comes from, and gates CI on them.
//!
//! The pipeline (each stage returns owned, sorted, `Serialize`-able data):
//!
//! ```text
//! argv ─cli─► Request ─metadata─► metadata JSON ─graph─► DepGraph ─analysis─► Findings
//!      ─manifest::spans─► origins located ─report─► human | json ; Outcome ─main─► exit code
//! ```
//!
//! `run` wires the stages; only `main` exits and only `report` renders.

pub mod analysis;
pub mod cli;
pub mod completions;
pub mod config;
pub mod error;
pub mod exit;
pub mod explain;
mod fix;
pub mod graph;
pub mod hakari;
pub mod interrupt;
pub mod location;
pub mod lockfile;
pub mod manifest;
pub mod metadata;
pub mod plan;
pub mod policy;
pub mod registry;
pub mod report;
pub mod scan;
#[doc(hidden)]
pub mod synth;
#[cfg(test)]
mod testkit;
pub mod vcs;
pub mod verify;
pub mod window;

use std::io::Write;

pub use error::Error;

/// What the user asked for, free of clap.
#[derive(Clone, Debug)]
pub struct Request {
    pub command: Command,
    pub input: metadata::Input,
    pub format: Format,
    pub color: Color,
    pub verbosity: Verbosity,
    /// `--output FILE`: the report goes there instead of stdout.
    pub output: Option<std::path::PathBuf>,
    /// `--config FILE`: replaces discovery.
    pub config: Option<std::path::PathBuf>,
    /// `-e` was given: it overrides the configuration's `edges`.
    pub edges_given: bool,
    /// `--watch` crates, added to the configuration's `watch`.
    pub extra_watch: Vec<String>,
    /// `--policy FILE`: a shared policy file (replaces the configuration's `policy-file`).
    pub policy_file: Option<std::path::PathBuf>,
    /// `--today YYYY-MM-DD`: the day policy windows are judged on.
    pub today: Option<config::Date>,
    /// `SOURCE_DATE_EPOCH`, used for the day when `--today` is not given.
    pub source_date_epoch: Option<String>,
}

#[derive(Clone, Debug)]
pub enum Command {
    Check(CheckRequest),
    Fix(FixRequest),
    /// `explain [CODE]`.
    Explain(Option<String>),
    /// `completions SHELL`.
    Completions(clap_complete::Shell),
    /// `scan [PATH…]`, or `scan merge FILE…`.
    Scan(scan::ScanRequest),
}

/// `--graph`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

/// `fix`: what to plan, and whether to write it.
#[derive(Clone, Debug, Default)]
pub struct FixRequest {
    pub analysis: analysis::Options,
    /// `--to CRATE@LINE`, as given (checked against the graph by `fix`).
    pub to: Vec<(String, analysis::Line)>,
    pub include_warnings: bool,
    pub apply: bool,
    pub allow_dirty: bool,
    pub no_verify: bool,
    pub patch_with: Vec<(String, cli::PatchWith)>,
}

#[derive(Clone, Debug, Default)]
pub struct CheckRequest {
    pub analysis: analysis::Options,
    /// `--deny warnings`: warnings fail the gate too.
    pub deny_warnings: bool,
    /// `--baseline FILE`.
    pub baseline: Option<std::path::PathBuf>,
    /// `--write-baseline FILE`.
    pub write_baseline: Option<std::path::PathBuf>,
    /// `--graph dot|mermaid`.
    pub graph: Option<GraphFormat>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
    Markdown,
    /// `scan` only.
    Csv,
    /// `scan` only.
    Html,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

/// How a run ended, when it could give an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub exit_code: i32,
}

/// Runs a request, writing the report to `out`. `color` says whether the human report may
/// use colour (the caller knows whether `out` is a terminal).
pub fn run(req: &Request, out: &mut dyn Write, color: bool) -> Result<Outcome, Error> {
    run_with(req, out, color, &manifest::edit::AtomicFs)
}

/// `run`, writing manifests through `fs` (the seam tests use to inject write failures).
pub fn run_with(
    req: &Request,
    out: &mut dyn Write,
    color: bool,
    fs: &dyn manifest::edit::WriteFs,
) -> Result<Outcome, Error> {
    if matches!(req.format, Format::Csv | Format::Html)
        && matches!(req.command, Command::Check(_) | Command::Fix(_))
    {
        return Err(Error::Usage(
            "--format csv and --format html are formats of `scan`".to_owned(),
        ));
    }
    match &req.command {
        Command::Scan(scan) => run_scan(req, scan, out),
        Command::Check(check) => run_check(req, check, out, color),
        Command::Fix(fix) => fix::run(req, fix, out, color, fs),
        Command::Explain(code) => {
            let text = match code {
                None => explain::list(),
                Some(c) => explain::explain(c).ok_or_else(|| {
                    let known: Vec<&str> = analysis::Code::ALL.iter().map(|c| c.as_str()).collect();
                    Error::Usage(format!(
                        "unknown code `{c}`; the codes are: {}",
                        known.join(", ")
                    ))
                })?,
            };
            emit(req, text.as_bytes(), out)?;
            Ok(Outcome {
                exit_code: exit::OK,
            })
        }
        Command::Completions(shell) => {
            emit(req, &completions::script(*shell), out)?;
            Ok(Outcome {
                exit_code: exit::OK,
            })
        }
    }
}

/// Writes a finished report to `--output FILE` (atomically) or to `out`.
fn emit(req: &Request, bytes: &[u8], out: &mut dyn Write) -> Result<(), Error> {
    match &req.output {
        Some(path) => {
            use manifest::edit::WriteFs;
            manifest::edit::AtomicFs
                .write(path, bytes)
                .map_err(|source| Error::Write {
                    path: path.clone(),
                    source,
                })
        }
        None => {
            out.write_all(bytes).map_err(Error::Output)?;
            out.flush().map_err(Error::Output)
        }
    }
}

/// A loaded and analysed workspace.
pub(crate) struct Analysed {
    pub(crate) graph: graph::DepGraph,
    pub(crate) findings: Vec<analysis::Finding>,
    pub(crate) sources: manifest::spans::Sources,
    pub(crate) config: config::Config,
    pub(crate) opts: analysis::Options,
    /// Generated members (cargo-hakari workspace-hack) whose dependencies were not counted.
    pub(crate) generated: Vec<String>,
    /// Some policy rule applied (the workspace's or a shared file's).
    pub(crate) has_policy: bool,
}

/// Loads the workspace and its configuration, builds the graph, checks `-p` names, analyses
/// and locates origins.
fn analyse(req: &Request, base: &analysis::Options) -> Result<Analysed, Error> {
    let (json, name, config) = match &req.input {
        metadata::Input::Cargo(cargo) => {
            let located = metadata::locate(cargo)?;
            let config = config::load(&located.root_dir, req.config.as_deref())?;
            let mut cargo = cargo.clone();
            if cargo.targets.is_empty()
                && let Some(targets) = &config.targets
            {
                cargo.targets = targets.clone();
            }
            let json = metadata::metadata_at(
                &located.manifest,
                &located.root_dir,
                &cargo,
                &located.shown,
            )?;
            (
                json,
                format!("cargo metadata for {}", located.shown),
                Some(config),
            )
        }
        metadata::Input::File(_) => {
            let loaded = metadata::load(&req.input)?;
            (loaded.json, loaded.name, None)
        }
        metadata::Input::Lockfile {
            lockfile,
            manifest_path,
        } => {
            let graph = metadata::read_lockfile(lockfile.as_deref(), manifest_path.as_deref())?;
            let config = config::load(graph.workspace_root(), req.config.as_deref())?;
            return finish_analysis(req, base, graph, config);
        }
    };
    let graph = graph::DepGraph::from_metadata_json(&json, &name)?;
    let config = match config {
        Some(c) => c,
        None => config::load(graph.workspace_root(), req.config.as_deref())?,
    };
    finish_analysis(req, base, graph, config)
}

fn finish_analysis(
    req: &Request,
    base: &analysis::Options,
    graph: graph::DepGraph,
    config: config::Config,
) -> Result<Analysed, Error> {
    let opts = merge_options(base, &config, req)?;
    check_members(&graph, matches!(req.command, Command::Fix(_)))?;
    let (graph, generated) = hakari::without_hacks(graph);
    for p in &opts.packages {
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
    let mut findings = analysis::analyze(&graph, &opts);
    let rules = policy_rules(req, &config, graph.workspace_root(), &opts.watch)?;
    if !rules.is_empty() {
        let today = window::today(req.today, req.source_date_epoch.as_deref())?;
        findings.extend(window::evaluate(&graph, &opts, &rules, today));
        analysis::sort_findings(&mut findings);
    }
    let mut sources = manifest::spans::locate(&mut findings, &graph);
    if let Some(file) = &config.file
        && let Ok(text) = std::fs::read_to_string(file)
    {
        sources.insert(file.clone(), text);
    }
    Ok(Analysed {
        graph,
        findings,
        sources,
        config,
        opts,
        generated,
        has_policy: !rules.is_empty(),
    })
}

/// The workspace's `policy` rules, then the shared file's (`--policy`, else `policy-file`);
/// every rule must name a watched crate.
fn policy_rules(
    req: &Request,
    config: &config::Config,
    root: &std::path::Path,
    watch: &analysis::Watch,
) -> Result<Vec<config::PolicyRule>, Error> {
    let mut rules = config.policy.clone();
    let shared = match (&req.policy_file, &config.policy_file) {
        (Some(p), _) => Some(p.clone()),
        (None, Some(p)) => Some(root.join(p)),
        (None, None) => None,
    };
    if let Some(path) = shared {
        rules.extend(config::load_policy_file(root, &path)?);
    }
    let watched: Vec<&str> = watch
        .primary
        .iter()
        .chain(watch.trains.iter().flatten())
        .chain(&watch.family)
        .map(String::as_str)
        .collect();
    config::check_policy_crates(&rules, &watched, root)?;
    Ok(rules)
}

/// A workspace must have members, and their manifests must not lead out of the workspace root
/// through a symbolic link (the tool reads them, and `fix`, which `edits` says, would write
/// them).
fn check_members(graph: &graph::DepGraph, edits: bool) -> Result<(), Error> {
    let root = graph.workspace_root();
    if graph.members().is_empty() {
        return Err(Error::Manifest {
            path: root.join("Cargo.toml"),
            message: "the workspace has no members: nothing to check".to_owned(),
        });
    }
    let Ok(real_root) = root.canonicalize() else {
        // Saved metadata from another machine: nothing on disk to follow.
        return Ok(());
    };
    for &m in graph.members() {
        let manifest = &graph.package(m).manifest_path;
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

/// The command line over the configuration over the defaults.
fn merge_options(
    base: &analysis::Options,
    config: &config::Config,
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

fn run_check(
    req: &Request,
    check: &CheckRequest,
    out: &mut dyn Write,
    color: bool,
) -> Result<Outcome, Error> {
    let ws = analyse(req, &check.analysis)?;
    let root = ws.graph.workspace_root().to_owned();

    if let Some(path) = &check.write_baseline {
        let outcome = policy::apply(
            ws.findings,
            &ws.config,
            &ws.opts.watch,
            check.deny_warnings,
            None,
        );
        let baseline = policy::Baseline::from_findings(&outcome.findings);
        let mut json = serde_json::to_vec_pretty(&baseline).map_err(|e| Error::Output(e.into()))?;
        json.push(b'\n');
        use manifest::edit::WriteFs;
        manifest::edit::AtomicFs
            .write(path, &json)
            .map_err(|source| Error::Write {
                path: path.clone(),
                source,
            })?;
        let text = format!(
            "wrote a baseline of {} finding{} to {}\n",
            baseline.entries.len(),
            if baseline.entries.len() == 1 { "" } else { "s" },
            path.display()
        );
        out.write_all(text.as_bytes()).map_err(Error::Output)?;
        return Ok(Outcome {
            exit_code: exit::OK,
        });
    }

    let baseline_path = match (&check.baseline, &ws.config.baseline) {
        (Some(p), _) => Some((p.clone(), p.display().to_string())),
        (None, Some(p)) => Some((root.join(p), p.display().to_string())),
        (None, None) => None,
    };
    let baseline = match &baseline_path {
        None => None,
        Some((path, shown)) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::Usage(format!(
                    "cannot read the baseline {shown}: {e}; create it with --write-baseline {shown}"
                ))
            })?;
            let b: policy::Baseline = serde_json::from_str(&text).map_err(|e| {
                Error::Usage(format!("the baseline {shown} is not a baseline file: {e}"))
            })?;
            if b.schema_version != policy::BASELINE_SCHEMA_VERSION {
                return Err(Error::Usage(format!(
                    "the baseline {shown} has schema_version {}, but this version of cargo-etcd-deps reads schema_version {}; write it again with --write-baseline {shown}",
                    b.schema_version,
                    policy::BASELINE_SCHEMA_VERSION
                )));
            }
            Some((shown.clone(), b))
        }
    };
    let outcome = policy::apply(
        ws.findings,
        &ws.config,
        &ws.opts.watch,
        check.deny_warnings,
        baseline.as_ref().map(|(s, b)| (s.as_str(), b)),
    );
    let mut report = report::Report::new(outcome);
    report.generated = ws.generated.clone();
    if matches!(req.input, metadata::Input::Lockfile { .. }) {
        report.input = Some(report::InputInfo {
            mode: "lockfile",
            not_known: lockfile::LIMITS,
        });
    }
    let locations = report::Locations::new(&root, vcs::toplevel(&root).as_deref());

    // Render into memory first: on an error nothing reaches stdout.
    let mut buf = Vec::new();
    let style = report::Style {
        color,
        verbosity: req.verbosity,
        width: 80,
    };
    if let Some(graph_format) = check.graph {
        report::graph::render(&report, graph_format, &mut buf)
    } else {
        match req.format {
            Format::Human => report::human::render(&report, &ws.sources, &style, &mut buf),
            Format::Json => report::json::render(&report, &mut buf),
            Format::Sarif => report::sarif::render(&report, &locations, &mut buf),
            Format::Github => report::github::render(&report, &locations, &mut buf),
            Format::Markdown => report::markdown::render(&report, &mut buf),
            Format::Csv | Format::Html => unreachable!("refused in run_with"),
        }
    }
    .map_err(Error::Output)?;
    emit(req, &buf, out)?;
    Ok(Outcome {
        exit_code: if report.summary.errors > 0 {
            exit::GATE_FAILED
        } else {
            exit::OK
        },
    })
}

fn run_scan(
    req: &Request,
    scan: &scan::ScanRequest,
    out: &mut dyn Write,
) -> Result<Outcome, Error> {
    if matches!(req.format, Format::Sarif | Format::Github) {
        return Err(Error::Usage(
            "`scan` writes human, json, csv, markdown or html".to_owned(),
        ));
    }
    let chosen = match &req.input {
        metadata::Input::Cargo(c) => c.manifest_path.is_some(),
        metadata::Input::File(_) => true,
        metadata::Input::Lockfile {
            lockfile,
            manifest_path,
        } => lockfile.is_some() || manifest_path.is_some(),
    };
    if chosen {
        return Err(Error::Usage(
            "`scan` reads each workspace's Cargo.lock itself; name the workspaces as PATH \
             arguments or with --from FILE, not with --manifest-path, --metadata-path or \
             --lockfile PATH"
                .to_owned(),
        ));
    }
    let report = scan::run(req, scan)?;
    let mut buf = Vec::new();
    match req.format {
        Format::Json => report::scan::render_json(&report, &mut buf),
        Format::Csv => report::scan::render_csv(&report, &mut buf),
        Format::Markdown => report::scan::render_markdown(&report, &mut buf),
        Format::Html => report::scan::render_html(&report, &mut buf),
        _ => report::scan::render_human(&report, req.verbosity == Verbosity::Verbose, &mut buf),
    }
    .map_err(Error::Output)?;
    emit(req, &buf, out)?;
    Ok(Outcome {
        exit_code: report.exit_code(),
    })
}
